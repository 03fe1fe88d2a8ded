//! `ismsbook serve`: the handbook built in memory and served on 127.0.0.1, rebuilt
//! when a source or template changes, with open pages reloading themselves. A build
//! with errors shows them in the page instead of stopping the server.
//!
//! The server answers from the in-memory site only: no request reaches the file
//! system. It listens on the loopback address only. Changes are found by polling the
//! sources' sizes and modification times, which costs a few milliseconds even for
//! thousands of documents and needs no platform-specific watcher.

mod http;
mod state;

use crate::app::build::{BuildError, Reuse, render_site, warnings_summary};
use crate::app::report::{self, Format};
use crate::app::{Context, Error};
use crate::checks::Report;
use crate::diagnostic::Severity;
use crate::history::History;
use crate::model::config::{self, Config};
use crate::model::handbook::Parsed;
use crate::site::{Memo, Options};
use crate::text::count;
use chrono::NaiveDate;
use state::Shared;
use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the sources are polled for changes.
const POLL: Duration = Duration::from_millis(150);

pub struct Server {
    listener: TcpListener,
    shared: Shared,
}

impl Server {
    /// Builds the handbook once and binds 127.0.0.1:`port` (0 for any free port).
    pub fn start(
        root: &Path,
        port: u16,
        today: NaiveDate,
        options: Options,
    ) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let shared = state::shared();
        // The baseline is taken before the first build, so an edit made while it runs,
        // or before the watcher starts, is never mistaken for the state it built.
        let baseline = fingerprint(root);
        let mut kept = Kept::default();
        rebuild(root, today, &options, &shared, &mut kept);
        let (root, watcher_shared) = (root.to_path_buf(), std::sync::Arc::clone(&shared));
        std::thread::spawn(move || watch(&root, today, &options, &watcher_shared, kept, baseline));
        Ok(Server { listener, shared })
    }

    pub fn address(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends; each connection on its own thread, up to
    /// `http::MAX_CONNECTIONS` at once.
    pub fn run(self) {
        for stream in self.listener.incoming().flatten() {
            http::accept(stream, &self.shared);
        }
    }
}

/// `ismsbook serve`: starts the server, prints its address, opens a browser when
/// asked, and serves until the process ends.
pub fn run(
    ctx: &Context,
    port: u16,
    open: bool,
    options: Options,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let root = ctx.root()?;
    let server = Server::start(&root, port, ctx.today, options).map_err(|e| {
        Error::usage(format!(
            "cannot listen on 127.0.0.1:{port}: {e} (choose another with --port)"
        ))
    })?;
    let address = server.address().map_err(|e| Error::usage(e.to_string()))?;
    let url = format!("http://{address}/");
    let _ = writeln!(out, "serving the handbook at {url} (Ctrl-C to stop)");
    let _ = out.flush();
    if open {
        open_browser(&url);
    }
    server.run();
    Ok(())
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("serve: could not start a browser; open {url} yourself");
    }
}

/// What one build leaves for the next: the history (kept while HEAD has not moved)
/// and the documents as parsed (kept while their text is unchanged).
#[derive(Default)]
struct Kept {
    history: Option<History>,
    parsed: Parsed,
}

/// Renders the handbook and publishes the result (or its errors) as a new version,
/// rendering again only the pages whose sources changed.
fn rebuild(root: &Path, today: NaiveDate, options: &Options, shared: &Shared, kept: &mut Kept) {
    let Kept { history, parsed } = kept;
    let started = std::time::Instant::now();
    let previous = {
        let (lock, _) = &**shared;
        let state = lock.lock().unwrap_or_else(|e| e.into_inner());
        state.site.clone()
    };
    let reuse = Reuse {
        parsed: Some(&*parsed),
        pages: |_: &Config| previous.map_or_else(Memo::none, Memo::of_site),
    };
    let result = render_site(root, today, options, history.take(), reuse, &|_| {});
    let (site, errors) = match result {
        Ok((report, site)) => {
            let warnings = warnings_summary(&report.diagnostics);
            *history = Some(report.history);
            eprintln!(
                "serve: built {} in {:.2}s ({warnings})",
                count(site.documents, "document", "documents"),
                started.elapsed().as_secs_f64(),
            );
            (Some(site), None)
        }
        Err(e) => (None, Some(failure(root, e, history))),
    };
    let (lock, changed) = &**shared;
    let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
    state.version += 1;
    state.errors = errors.map(|text| http::error_page(&text));
    if let Some(site) = site {
        state.site = Some(std::sync::Arc::new(site));
    }
    changed.notify_all();
}

/// The text the page shows for a build that failed; the history is kept.
fn failure(root: &Path, error: BuildError, history: &mut Option<History>) -> String {
    match error {
        BuildError::Checks(report) => {
            let Report {
                history: kept,
                diagnostics,
                ..
            } = *report;
            *history = Some(kept);
            let errors: Vec<_> = diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            eprintln!(
                "serve: {}; the page shows them",
                count(errors.len(), "error", "errors")
            );
            report::render(&errors, Format::Human, root, false)
        }
        BuildError::Config(e) => {
            eprintln!("serve: the configuration or a template cannot be used; the page shows why");
            report::render(&e.diagnostics, Format::Human, root, false)
        }
        BuildError::Output(e) => e.to_string(),
        BuildError::Usage(message) => message,
    }
}

/// Polls the sources and rebuilds on any change.
fn watch(
    root: &Path,
    today: NaiveDate,
    options: &Options,
    shared: &Shared,
    mut kept: Kept,
    mut seen: Fingerprint,
) {
    loop {
        std::thread::sleep(POLL);
        let now = fingerprint(root);
        if now != seen {
            seen = now;
            rebuild(root, today, options, shared, &mut kept);
        }
    }
}

/// Sizes and modification times of everything a build reads.
type Fingerprint = BTreeMap<PathBuf, (u64, Option<SystemTime>)>;

fn fingerprint(root: &Path) -> Fingerprint {
    let mut files = BTreeMap::new();
    let mut add = |path: &Path| {
        if let Ok(meta) = std::fs::metadata(path) {
            files.insert(path.to_path_buf(), (meta.len(), meta.modified().ok()));
        }
    };
    add(&root.join(config::FILE_NAME));
    let mut folders = vec![root.join("templates")];
    if let Ok(config) = Config::load(root) {
        add(&root.join(&config.soa));
        add(&root.join(&config.risks.register));
        for catalog in &config.catalogs {
            add(&root.join(catalog));
        }
        folders.extend(config.folders.iter().map(|f| root.join(&f.path)));
        if let Some(ledger) = &config.acknowledgements {
            add(&root.join(&ledger.roster));
            folders.push(root.join(&ledger.records));
        }
    }
    for folder in folders {
        for entry in walkdir::WalkDir::new(folder)
            .follow_links(false)
            .into_iter()
            .flatten()
        {
            if entry.file_type().is_file() {
                add(entry.path());
            }
        }
    }
    files
}
