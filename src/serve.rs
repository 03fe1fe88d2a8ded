//! `ismsbook serve`: the handbook built in memory and served on 127.0.0.1, rebuilt
//! when a source or template changes, with open pages reloading themselves. A build
//! with errors shows them in the page instead of stopping the server.
//!
//! The server answers from the in-memory site only: no request reaches the file
//! system. It listens on the loopback address only. Changes are found by polling the
//! sources' sizes and modification times, which costs a few milliseconds even for
//! thousands of documents and needs no platform-specific watcher.

use crate::diagnostic::Severity;
use crate::render::{Options, Site};
use crate::report::{self, Format};
use crate::{BuildError, config};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

/// How often the sources are polled for changes.
const POLL: Duration = Duration::from_millis(150);
/// How long a reload request waits for a new build before answering "no change".
const WAIT: Duration = Duration::from_secs(25);

/// What is served: the last build, or its errors.
struct State {
    version: u64,
    site: Option<Site>,
    /// The page shown instead of every HTML page while the build has errors.
    errors: Option<String>,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

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
        let shared: Shared = Arc::new((
            Mutex::new(State {
                version: 0,
                site: None,
                errors: None,
            }),
            Condvar::new(),
        ));
        // The baseline is taken before the first build, so an edit made while it runs,
        // or before the watcher starts, is never mistaken for the state it built.
        let baseline = fingerprint(root);
        let mut history = None;
        rebuild(root, today, &options, &shared, &mut history);
        let (root, watcher_shared) = (root.to_path_buf(), Arc::clone(&shared));
        std::thread::spawn(move || {
            watch(&root, today, &options, &watcher_shared, history, baseline)
        });
        Ok(Server { listener, shared })
    }

    pub fn address(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends; each connection on its own thread.
    pub fn run(self) {
        for stream in self.listener.incoming().flatten() {
            let shared = Arc::clone(&self.shared);
            std::thread::spawn(move || {
                let _ = handle(stream, &shared);
            });
        }
    }
}

/// Renders the handbook and publishes the result (or its errors) as a new version.
/// The history read last time is kept while HEAD has not moved.
fn rebuild(
    root: &Path,
    today: NaiveDate,
    options: &Options,
    shared: &Shared,
    history: &mut Option<crate::history::History>,
) {
    let started = std::time::Instant::now();
    let result = crate::render_site_with(root, today, options, history.take(), &|_| {});
    let (site, errors) = match result {
        Ok((report, site)) => {
            let crate::CheckReport {
                history: kept,
                diagnostics,
                ..
            } = report;
            *history = Some(kept);
            let warnings = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            eprintln!(
                "serve: built {} documents in {:.2}s ({warnings} warnings)",
                site.documents,
                started.elapsed().as_secs_f64()
            );
            (Some(site), None)
        }
        Err(BuildError::Checks(report)) => {
            let crate::CheckReport {
                history: kept,
                diagnostics,
                ..
            } = *report;
            *history = Some(kept);
            let errors: Vec<_> = diagnostics.into_iter().filter(|d| d.is_error()).collect();
            eprintln!("serve: {} errors; the page shows them", errors.len());
            (
                None,
                Some(report::render(&errors, Format::Human, root, false)),
            )
        }
        Err(BuildError::Config(e)) => {
            eprintln!("serve: the configuration cannot be used; the page shows why");
            (
                None,
                Some(report::render(&e.diagnostics, Format::Human, root, false)),
            )
        }
        Err(BuildError::Theme(e)) => {
            eprintln!("serve: a template has an error; the page shows it");
            (
                None,
                Some(report::render(&e.diagnostics, Format::Human, root, false)),
            )
        }
        Err(BuildError::Output(e)) => (None, Some(e.to_string())),
        Err(BuildError::Usage(message)) => (None, Some(message)),
    };
    let (lock, changed) = &**shared;
    let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
    state.version += 1;
    state.errors = errors.map(|text| error_page(&text));
    if site.is_some() {
        state.site = site;
    }
    changed.notify_all();
}

/// Polls the sources and rebuilds on any change.
fn watch(
    root: &Path,
    today: NaiveDate,
    options: &Options,
    shared: &Shared,
    mut history: Option<crate::history::History>,
    mut seen: Fingerprint,
) {
    loop {
        std::thread::sleep(POLL);
        let now = fingerprint(root);
        if now != seen {
            seen = now;
            rebuild(root, today, options, shared, &mut history);
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
    if let Ok(config) = config::Config::load(root) {
        add(&root.join(&config.soa));
        for catalog in &config.catalogs {
            add(&root.join(catalog));
        }
        folders.extend(config.folders.iter().map(|f| root.join(&f.path)));
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

/// The script every served page carries: it waits for the next build and reloads.
fn reload_script(version: u64) -> String {
    format!(
        "<script>(function(){{var v={version};function wait(){{fetch('/__ismsbook/wait?v='+v).then(function(r){{return r.text()}}).then(function(t){{if(t!==String(v)){{location.reload()}}else{{wait()}}}}).catch(function(){{setTimeout(wait,1000)}})}}wait()}})();</script>"
    )
}

fn error_page(text: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build errors · ismsbook</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}pre{{background:#fff4f2;border-left:4px solid #b3261e;padding:1rem;overflow-x:auto}}</style></head>\
         <body><h1>The handbook has errors</h1><p>Fix them and save: this page reloads by itself.</p><pre>{}</pre></body></html>",
        crate::render::escape_html(text)
    )
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn handle(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // The headers are read and ignored.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or("/"),
    );
    let mut stream = stream;
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n",
            method == "HEAD",
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path == "/__ismsbook/wait" {
        let seen: u64 = query
            .strip_prefix("v=")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let (lock, changed) = &**shared;
        let state = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (state, _) = changed
            .wait_timeout_while(state, WAIT, |s| s.version == seen)
            .unwrap_or_else(|e| e.into_inner());
        let body = state.version.to_string();
        drop(state);
        return respond(&mut stream, "200 OK", "text/plain", body.as_bytes(), false);
    }
    let mut file = crate::checks::percent_decode(path.trim_start_matches('/'));
    if file.is_empty() || file.ends_with('/') {
        file.push_str("index.html");
    }
    let (lock, _) = &**shared;
    let state = lock.lock().unwrap_or_else(|e| e.into_inner());
    let version = state.version;
    let is_html = file.ends_with(".html");
    if let (Some(errors), true) = (&state.errors, is_html) {
        let page = errors.replace("</body>", &format!("{}</body>", reload_script(version)));
        drop(state);
        return respond(
            &mut stream,
            "200 OK",
            content_type(&file),
            page.as_bytes(),
            method == "HEAD",
        );
    }
    let found = state.site.as_ref().and_then(|site| {
        site.files
            .get(&file)
            .or_else(|| site.files.get(&format!("{file}/index.html")))
    });
    let (status, bytes, file) = match found {
        Some(bytes) => ("200 OK", bytes.clone(), file),
        None => (
            "404 Not Found",
            state
                .site
                .as_ref()
                .and_then(|s| s.files.get("404.html"))
                .cloned()
                .unwrap_or_default(),
            "404.html".to_string(),
        ),
    };
    drop(state);
    let body = if file.ends_with(".html") {
        let text = String::from_utf8_lossy(&bytes)
            .replace("</body>", &format!("{}</body>", reload_script(version)));
        text.into_bytes()
    } else {
        bytes
    };
    respond(
        &mut stream,
        status,
        content_type(&file),
        &body,
        method == "HEAD",
    )
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}
