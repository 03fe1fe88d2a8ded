//! `ismsbook serve` on a loopback port: pages from memory, a rebuild when a document
//! changes, build errors shown in the page, recovery when they are fixed.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process, stopped when the test ends, however it ends.
struct Served {
    child: Child,
    address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(repo: &Repo) -> Served {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ismsbook"))
        .arg("--root")
        .arg(repo.path())
        .args(["--today", TODAY, "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Served { child, address }
}

/// A GET over plain HTTP/1.1: (status line, body).
fn get(server: &Served, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

/// The build version the page was served with.
fn version(page: &str) -> u64 {
    let start = page.find("var v=").expect("the reload script") + 6;
    page[start..].split(';').next().unwrap().parse().unwrap()
}

/// Waits (as the page's script does) until a build newer than `seen` is served.
fn wait_for_build(server: &Served, seen: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = get(server, &format!("/__ismsbook/wait?v={seen}"));
        let now: u64 = body.trim().parse().unwrap();
        if now != seen {
            return now;
        }
        assert!(Instant::now() < deadline, "no rebuild");
    }
}

/// Follows the builds (as the page's reload script does) until `path` shows what
/// `expected` wants. A save may be seen half-written and built in between.
fn wait_until(server: &Served, path: &str, expected: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, page) = get(server, path);
        if expected(&page) {
            return page;
        }
        assert!(
            Instant::now() < deadline,
            "{path} never showed the change:\n{page}"
        );
        wait_for_build(server, version(&page));
    }
}

#[test]
fn serves_rebuilds_and_shows_errors_in_the_page() {
    let repo = Repo::clean();
    let server = serve(&repo);

    let (status, page) = get(&server, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(page.contains("Document register"), "{page}");
    assert!(
        page.contains("/__ismsbook/wait?v="),
        "pages carry the reload script"
    );
    let (status, _) = get(&server, "/procedures/access.html");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let (status, _) = get(&server, "/../../etc/passwd");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    // Saving a document rebuilds the handbook.
    repo.write(
        "procedures/access.md",
        &repo.read("procedures/access.md").replace(
            "title: Access Procedure",
            "title: Access Management Procedure",
        ),
    );
    wait_until(&server, "/procedures/access.html", |page| {
        page.contains("Access Management Procedure")
    });
    // The other pages are still served whole (kept from the previous build or
    // rendered again).
    let (status, page) = get(&server, "/policies/security.html");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(page.contains("Information Security Policy"), "{page}");

    // A broken document: every page shows the error instead.
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("owner: IT", "owner: NOBODY"),
    );
    let page = wait_until(&server, "/procedures/access.html", |page| {
        page.contains("The handbook has errors")
    });
    assert!(page.contains("unknown-role"), "{page}");

    // Fixed: the handbook is back.
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("owner: NOBODY", "owner: IT"),
    );
    wait_until(&server, "/procedures/access.html", |page| {
        page.contains("Access Management Procedure") && !page.contains("has errors")
    });
}

#[test]
fn a_port_in_use_is_a_usage_error() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let repo = Repo::clean();
    let output = repo
        .cmd(&["serve", "--port", &port])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--port"));
}

/// Sends raw bytes and returns the status line of the answer.
fn raw_status(server: &Served, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_string()
}

#[test]
fn oversized_requests_are_refused_and_the_server_keeps_serving() {
    let repo = Repo::clean();
    let server = serve(&repo);
    let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(20_000));
    assert_eq!(
        raw_status(&server, long_line.as_bytes()),
        "HTTP/1.1 400 Bad Request"
    );
    let many_headers = format!("GET / HTTP/1.1\r\n{}\r\n", "X-A: b\r\n".repeat(500));
    assert_eq!(
        raw_status(&server, many_headers.as_bytes()),
        "HTTP/1.1 400 Bad Request"
    );
    let (status, body) = get(&server, "/");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("<html"), "{body}");
}

/// The data files (the search index, the exports) are made after the pages are
/// served; a request for one waits for them, and they are what `build` writes.
#[test]
fn data_files_follow_an_edit_and_match_the_build() {
    let repo = Repo::clean();
    repo.git_init();
    repo.commit("Import", "Carol", "2026-06-02T09:00:00+00:00");
    let server = serve(&repo);
    // A proper change: an approved document's text changes with its version.
    repo.edit(
        "procedures/access.md",
        &[
            ("title: Access Procedure", "title: Access Review Procedure"),
            ("version: \"1.0\"", "version: \"1.1\""),
        ],
    );
    wait_until(&server, "/procedures/access.html", |page| {
        page.contains("Access Review Procedure")
    });
    let (status, index) = get(&server, "/assets/search-index.js");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(index.contains("Access Review Procedure"), "{index}");

    repo.run(&["build", "--dest", "out"]);
    for file in [
        "handbook.json",
        "register.csv",
        "soa.csv",
        "assets/search-index.js",
    ] {
        let (status, served) = get(&server, &format!("/{file}"));
        assert_eq!(status, "HTTP/1.1 200 OK", "{file}");
        assert_eq!(served, repo.read(&format!("out/{file}")), "{file}");
    }
    let (status, _) = get(&server, "/risks.csv");
    assert_eq!(status, "HTTP/1.1 404 Not Found", "no risk register here");
}
