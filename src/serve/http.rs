//! The HTTP side of `serve`: a small HTTP/1.1 responder for GET and HEAD on the
//! loopback address, answering from the in-memory site only. Requests are bounded
//! (line length, header count and size, a read timeout) and so is the number of
//! connections served at once, so a misbehaving client cannot exhaust the process.

use super::state::{Shared, State};
use crate::model::links::percent_decode;
use crate::site::html::escape_html;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long a reload request waits for a new build before answering "no change".
const WAIT: Duration = Duration::from_secs(25);
/// The longest request line or header line read.
const MAX_LINE: u64 = 8 * 1024;
/// The most header lines read.
const MAX_HEADERS: usize = 100;
/// The most connections served at once (every open page holds one while it waits for
/// the next build).
pub const MAX_CONNECTIONS: usize = 64;

/// Connections being served now.
static OPEN: AtomicUsize = AtomicUsize::new(0);

/// Serves one connection on its own thread, or refuses it when too many are open.
pub fn accept(stream: TcpStream, shared: &Shared) {
    if OPEN.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
        OPEN.fetch_sub(1, Ordering::SeqCst);
        let mut stream = stream;
        let _ = respond(
            &mut stream,
            "503 Service Unavailable",
            "text/plain",
            b"too many connections\n",
            false,
        );
        return;
    }
    let shared = std::sync::Arc::clone(shared);
    std::thread::spawn(move || {
        let _ = handle(stream, &shared);
        OPEN.fetch_sub(1, Ordering::SeqCst);
    });
}

/// The script every served page carries: it waits for the next build and reloads.
fn reload_script(version: u64) -> String {
    format!(
        "<script>(function(){{var v={version};function wait(){{fetch('/__ismsbook/wait?v='+v).then(function(r){{return r.text()}}).then(function(t){{if(t!==String(v)){{location.reload()}}else{{wait()}}}}).catch(function(){{setTimeout(wait,1000)}})}}wait()}})();</script>"
    )
}

/// The page shown while the build has errors.
pub fn error_page(text: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build errors · ismsbook</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}pre{{background:#fff4f2;border-left:4px solid #b3261e;padding:1rem;overflow-x:auto}}</style></head>\
         <body><h1>The handbook has errors</h1><p>Fix them and save: this page reloads by itself.</p><pre>{}</pre></body></html>",
        escape_html(text)
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

/// A request's method and target; `None` for a request too long or malformed to
/// answer.
fn read_request(stream: &TcpStream) -> std::io::Result<Option<(String, String)>> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    let mut read_line = |line: &mut String| -> std::io::Result<bool> {
        line.clear();
        let n = (&mut reader).take(MAX_LINE).read_line(line)?;
        Ok(n > 0 && line.ends_with('\n'))
    };
    if !read_line(&mut line)? {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or("/").to_string();
    // The headers are read (so the client sees its request consumed) and ignored.
    let mut header = String::new();
    for _ in 0..MAX_HEADERS {
        if !read_line(&mut header)? {
            return Ok(None);
        }
        if header.trim().is_empty() {
            return Ok(Some((method, target)));
        }
    }
    Ok(None)
}

fn handle(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut stream = stream;
    let Some((method, target)) = read_request(&stream)? else {
        return respond(
            &mut stream,
            "400 Bad Request",
            "text/plain",
            b"bad request\n",
            false,
        );
    };
    let head = method == "HEAD";
    if method != "GET" && !head {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n",
            head,
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if path == "/__ismsbook/wait" {
        let body = wait(shared, query);
        return respond(&mut stream, "200 OK", "text/plain", body.as_bytes(), false);
    }
    let (status, file, body) = file(shared, path);
    respond(&mut stream, status, content_type(&file), &body, head)
}

/// Waits until the build is newer than the version the page has, or a while.
fn wait(shared: &Shared, query: &str) -> String {
    let seen: u64 = query
        .strip_prefix("v=")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let (lock, changed) = &**shared;
    let state = lock.lock().unwrap_or_else(|e| e.into_inner());
    let (state, _) = changed
        .wait_timeout_while(state, WAIT, |s| s.version == seen)
        .unwrap_or_else(|e| e.into_inner());
    state.version.to_string()
}

/// The status, the file served and its bytes for a path: the page, the error page
/// while the build has errors, or the 404 page. HTML pages carry the reload script.
fn file(shared: &Shared, path: &str) -> (&'static str, String, Arc<[u8]>) {
    let mut file = percent_decode(path.trim_start_matches('/'));
    if file.is_empty() || file.ends_with('/') {
        file.push_str("index.html");
    }
    let (lock, changed) = &**shared;
    let state = lock.lock().unwrap_or_else(|e| e.into_inner());
    fn page<'s>(state: &'s State, file: &str) -> Option<&'s Arc<[u8]>> {
        let site = state.site.as_ref()?;
        site.files
            .get(file)
            .or_else(|| site.files.get(&format!("{file}/index.html")))
    }
    // What is not a page may be a data file, made after the pages: wait for them.
    let state = if page(&state, &file).is_some() {
        state
    } else {
        changed
            .wait_timeout_while(state, WAIT, |s| s.site.is_some() && s.data.is_none())
            .unwrap_or_else(|e| e.into_inner())
            .0
    };
    let version = state.version;
    let with_script =
        |html: &str| html.replace("</body>", &format!("{}</body>", reload_script(version)));
    if let (Some(errors), true) = (&state.errors, file.ends_with(".html")) {
        return ("200 OK", file, with_script(errors).into_bytes().into());
    }
    let found = page(&state, &file)
        .or_else(|| state.data.as_ref()?.get(&file))
        .cloned();
    let (status, bytes, file) = match found {
        Some(bytes) => ("200 OK", bytes, file),
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
    if file.ends_with(".html") {
        let html = with_script(&String::from_utf8_lossy(&bytes));
        return (status, file, html.into_bytes().into());
    }
    (status, file, bytes)
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
