//! `ismsbook serve`: the handbook built in memory and served on 127.0.0.1, rebuilt
//! when a source or template changes, with open pages reloading themselves. A build
//! with errors shows them in the page instead of stopping the server.
//!
//! The server answers from the in-memory site only: no request reaches the file
//! system. It listens on the loopback address only. The operating system's watcher
//! (`notify`) tells of a save; the sources' sizes and modification times then say
//! whether a build reads anything that changed. Where there is no watcher, they are
//! polled.

mod http;
mod state;

use crate::app::build::{BuildError, Reuse, report_now, warnings_summary};
use crate::app::report::{self, Format};
use crate::app::{Context, Error};
use crate::checks::Report;
use crate::diagnostic::Severity;
use crate::history::History;
use crate::model::config::{self, Config};
use crate::model::handbook::Parsed;
use crate::site::{self, DataFiles, Memo, Options};
use crate::text::count;
use chrono::NaiveDate;
use state::Shared;
use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the sources are polled for changes where the operating system's watcher
/// cannot be used.
const POLL: Duration = Duration::from_millis(150);
/// How often they are polled beside the watcher, as a safety net.
const SAFETY_POLL: Duration = Duration::from_secs(2);
/// How long the events of one save are let settle before the sources are compared.
const SETTLE: Duration = Duration::from_millis(5);

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
        let baseline = fingerprint(&Watched::of(root));
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
        history: history.take(),
        parsed: Some(&*parsed),
    };
    // The pages are served as soon as they are rendered; the data files, which only
    // the search page and downloads need, are made after.
    let memo = previous.map_or_else(Memo::none, Memo::of_site);
    let result = report_now(root, today, options, reuse).and_then(|report| {
        site::in_memory(&report, today, options, &memo, DataFiles::Afterwards)
            .map(|site| (report, site))
            .map_err(BuildError::Config)
    });
    drop(memo);
    let report = match result {
        Ok((report, site)) => {
            eprintln!(
                "serve: built {} in {:.2}s ({})",
                count(site.summary.documents, "document", "documents"),
                started.elapsed().as_secs_f64(),
                warnings_summary(&report.diagnostics),
            );
            publish(shared, |state| {
                state.site = Some(std::sync::Arc::new(site));
                state.data = None;
                state.errors = None;
            });
            report
        }
        Err(e) => {
            let text = failure(root, e, history);
            publish(shared, |state| state.errors = Some(http::error_page(&text)));
            return;
        }
    };
    // A data file cannot fail where the pages did not: the empty set is only a
    // fallback, which answers "not found".
    let data = site::Files::default();
    let _ = site::data_files(&report, today, options, &data);
    *history = Some(report.history);
    let (lock, changed) = &**shared;
    let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
    state.data = Some(data.into_inner());
    changed.notify_all();
}

/// Publishes a new version of the state.
fn publish(shared: &Shared, change: impl FnOnce(&mut state::State)) {
    let (lock, changed) = &**shared;
    let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
    state.version += 1;
    change(&mut state);
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

/// Rebuilds on any change of the sources: told by the operating system's watcher, or
/// found by polling where there is none.
fn watch(
    root: &Path,
    today: NaiveDate,
    options: &Options,
    shared: &Shared,
    mut kept: Kept,
    mut seen: Fingerprint,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watched = Watched::of(root);
    let mut watcher = watcher(&watched, tx.clone());
    loop {
        // With a watcher the poll is only a safety net (a folder created after the
        // start, a file system that sends no events).
        let interval = if watcher.is_some() { SAFETY_POLL } else { POLL };
        if rx.recv_timeout(interval).is_ok() {
            // An editor's save can be several events (a temporary file, a rename).
            std::thread::sleep(SETTLE);
            while rx.try_recv().is_ok() {}
        }
        let now = fingerprint(&watched);
        if now != seen {
            seen = now;
            rebuild(root, today, options, shared, &mut kept);
            // book.toml may name other folders now, or a watched folder may have
            // been created: watch again. A save in between is found by the next
            // comparison.
            watched = Watched::of(root);
            if let Some(old) = watcher.take() {
                drop(old);
                watcher = self::watcher(&watched, tx.clone());
            }
        }
    }
}

/// What a build reads: single files (book.toml first) and folders of files.
struct Watched {
    files: Vec<PathBuf>,
    folders: Vec<PathBuf>,
}

impl Watched {
    fn of(root: &Path) -> Watched {
        let mut files = vec![root.join(config::FILE_NAME)];
        let mut folders = vec![root.join("templates")];
        if let Ok(config) = Config::load(root) {
            files.push(root.join(&config.soa));
            files.push(root.join(&config.risks.register));
            files.extend(config.catalogs.iter().map(|c| root.join(c)));
            folders.extend(config.folders.iter().map(|f| root.join(&f.path)));
            if let Some(ledger) = &config.acknowledgements {
                files.push(root.join(&ledger.roster));
                folders.push(root.join(&ledger.records));
            }
        }
        Watched { files, folders }
    }
}

/// The operating system's watcher on what a build reads, sending on `tx` when
/// something there changes; `None` where there is none (then `watch` polls).
fn watcher(
    watched: &Watched,
    tx: std::sync::mpsc::Sender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading a file (as every build does) is not a change.
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    })
    .ok()?;
    // The single files' folders (the root among them), not recursively: the root's
    // .git and build folders change with every commit and build. A folder that does
    // not exist yet is found by the safety poll once it does.
    let mut parents: Vec<&Path> = watched
        .files
        .iter()
        .filter_map(|f| f.parent())
        .filter(|p| p.is_dir())
        .collect();
    parents.sort();
    parents.dedup();
    for parent in parents {
        watcher.watch(parent, RecursiveMode::NonRecursive).ok()?;
    }
    for folder in watched.folders.iter().filter(|f| f.is_dir()) {
        watcher.watch(folder, RecursiveMode::Recursive).ok()?;
    }
    Some(watcher)
}

/// Sizes and modification times of everything a build reads.
type Fingerprint = BTreeMap<PathBuf, (u64, Option<SystemTime>)>;

fn fingerprint(watched: &Watched) -> Fingerprint {
    let mut files = BTreeMap::new();
    let mut add = |path: &Path| {
        if let Ok(meta) = std::fs::metadata(path) {
            files.insert(path.to_path_buf(), (meta.len(), meta.modified().ok()));
        }
    };
    for file in &watched.files {
        add(file);
    }
    for folder in &watched.folders {
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
