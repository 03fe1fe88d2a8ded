//! `ismsbook build`: the pages and exports it writes, what it refuses, and that the
//! previous handbook survives anything short of a finished build.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn build(repo: &Repo, args: &[&str]) -> std::process::Output {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    repo.cmd(&all).output().unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of a folder, relative path → bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.insert(
                    p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    files
}

#[test]
fn the_handbook_has_every_page_and_export() {
    let repo = Repo::clean();
    let output = build(&repo, &[]);
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("build: 2 documents, 93 controls"),
        "{stdout}"
    );
    let book = repo.path().join("book");
    for page in [
        "index.html",
        "soa.html",
        "clauses.html",
        "gaps.html",
        "archive.html",
        "search.html",
        "404.html",
        "controls/index.html",
        "controls/5.15.html",
        "policies/security.html",
        "procedures/access.html",
        "assets/style.css",
        "assets/search.js",
        "assets/search-index.js",
        "handbook.json",
        "register.csv",
        "soa.csv",
        ".ismsbook-build",
    ] {
        assert!(book.join(page).is_file(), "{page} is missing");
    }
    assert_eq!(
        std::fs::read_dir(book.join("controls")).unwrap().count(),
        94,
        "93 control pages and the index"
    );

    let soa = read(&book.join("soa.html"));
    assert_eq!(soa.matches("<tr id=\"control-").count(), 93);
    assert!(soa.contains("<a href=\"controls/8.34.html\">A.8.34 Protection of information systems during audit testing</a>"));

    let register = read(&book.join("index.html"));
    assert!(
        register.contains("<td><a href=\"policies/security.html\">POL-SEC</a></td>"),
        "{register}"
    );
    assert!(register.contains("<td>1.0</td>"));

    let control = read(&book.join("controls/5.15.html"));
    assert!(
        control.contains("<h1>A.5.15 Access control</h1>"),
        "{control}"
    );
    assert!(
        control.contains("<a href=\"../procedures/access.html\">PRC-AC Access Procedure</a>"),
        "{control}"
    );
    assert!(control.contains("Risk R-01."));

    let dashboard = read(&book.join("dashboard.html"));
    assert_eq!(
        dashboard.matches("<svg class=\"chart\"").count(),
        3,
        "three charts"
    );
    assert_eq!(
        dashboard.matches("<table>").count(),
        2,
        "controls and documents tables (no review due)"
    );
    assert!(
        dashboard.contains("<th scope=\"row\">Organizational</th><td>37</td>"),
        "{dashboard}"
    );

    let json: serde_json::Value = serde_json::from_str(&read(&book.join("handbook.json"))).unwrap();
    assert_eq!(json["documents"].as_array().unwrap().len(), 2);
    assert_eq!(json["controls"].as_array().unwrap().len(), 93);
    assert_eq!(json["documents"][1]["id"], "PRC-AC");
    let csv = read(&book.join("soa.csv"));
    assert_eq!(csv.lines().count(), 94);
    assert!(csv.starts_with("control,title,theme,applicable,status,justification,owner,risks,documents\nA.5.1,Policies for information security,Organizational controls,yes,implemented,Risk R-01.,,,POL-SEC\n"), "{csv}");
}

#[test]
fn a_document_page_has_its_control_block_links_anchors_and_mentions() {
    let repo = Repo::clean();
    repo.write(
        "procedures/access.md",
        &repo.read("procedures/access.md").replace("Follow the [policy](../policies/security.md#scope).", "Follow the [policy](../policies/security.md#scope), as A.5.15 asks, and [the web](https://example.com).\n\n## Records {#kept}\n\nKept."),
    );
    assert!(build(&repo, &[]).status.success());
    let page = read(&repo.path().join("book/procedures/access.html"));
    assert!(
        page.contains("<th scope=\"row\">Document</th><td>PRC-AC, version 1.0</td>"),
        "{page}"
    );
    assert!(
        page.contains("<th scope=\"row\">Owner</th><td>IT Manager (IT)</td>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../policies/security.html#scope\">policy</a>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../controls/5.15.html\" title=\"Access control\">A.5.15</a>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"https://example.com\">the web</a>"),
        "{page}"
    );
    assert!(
        page.contains("<h2 id=\"steps\">Steps</h2>")
            && page.contains("<h2 id=\"kept\">Records</h2>"),
        "{page}"
    );
    // The policy shows the procedure as a related document that refers to it.
    let policy = read(&repo.path().join("book/policies/security.html"));
    assert!(policy.contains("<a href=\"../procedures/access.html\">PRC-AC Access Procedure</a> <span class=\"muted\">refers to this document</span>"), "{policy}");
}

#[test]
fn the_revision_history_comes_from_git() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &format!("{BOOK_TOML}\n[repository]\nurl = \"https://github.com/test/isms\"\n"),
    );
    repo.git_init();
    repo.commit("Import", "Carol", "2026-06-02T09:00:00+00:00");
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("version: \"1.0\"", "version: \"1.1\"")
            .replace("approved_on: 2026-06-01", "approved_on: 2026-06-10")
            .replace("change: Initial version", "change: Clearer steps")
            .replace("Follow the", "Always follow the"),
    );
    repo.commit(
        "Access procedure 1.1 (#7)",
        "Ann",
        "2026-06-10T09:00:00+00:00",
    );
    assert!(build(&repo, &[]).status.success());
    let page = read(&repo.path().join("book/procedures/access.html"));
    let head = repo.git(&["rev-parse", "HEAD"]);
    let head = head.trim();
    assert!(page.contains(&format!("<tr><td>1.1</td><td>2026-06-10</td><td>approved</td><td>CISO 2026-06-10</td><td><span title=\"declared\">declared</span></td><td>Ann</td><td>Clearer steps</td>\n<td><a href=\"https://github.com/test/isms/commit/{head}\"><code>{}</code></a> <a href=\"https://github.com/test/isms/pull/7\">#7</a></td></tr>", &head[..7])), "{page}");
    assert!(
        page.contains("<tr><td>1.0</td><td>2026-06-02</td>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("Built from commit <code>{}</code>", &head[..12])),
        "{page}"
    );
}

#[test]
fn drafts_are_published_only_when_asked_and_links_to_them_become_text() {
    let repo = Repo::clean();
    repo.write(
        "procedures/draft.md",
        "---\nid: PRC-DRAFT\ntitle: Draft Procedure\nversion: \"0.1\"\nowner: IT\n---\n# Draft\n",
    );
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("Follow the", "See the [draft](draft.md). Follow the"),
    );
    assert!(build(&repo, &[]).status.success());
    assert!(!repo.path().join("book/procedures/draft.html").exists());
    let page = read(&repo.path().join("book/procedures/access.html"));
    assert!(page.contains("See the draft. Follow"), "{page}");

    assert!(build(&repo, &["--drafts"]).status.success());
    let draft = read(&repo.path().join("book/procedures/draft.html"));
    assert!(
        draft.contains("class=\"document status-draft\""),
        "the watermark class"
    );
    assert!(
        read(&repo.path().join("book/procedures/access.html"))
            .contains("<a href=\"draft.html\">draft</a>")
    );
}

#[test]
fn retired_documents_are_in_the_archive_not_the_register() {
    let repo = Repo::clean();
    repo.write("procedures/old.md", "---\nid: PRC-OLD\ntitle: Old Procedure\nversion: \"2.0\"\nstatus: retired\nowner: IT\n---\n# Old\n");
    assert!(build(&repo, &[]).status.success());
    assert!(!read(&repo.path().join("book/index.html")).contains("PRC-OLD"));
    assert!(
        read(&repo.path().join("book/archive.html"))
            .contains("<a href=\"procedures/old.html\">PRC-OLD Old Procedure</a>, version 2.0")
    );
    assert!(
        read(&repo.path().join("book/procedures/old.html")).contains("is <strong>retired</strong>")
    );
}

#[test]
fn front_matter_values_are_escaped_everywhere() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &BOOK_TOML.replace(
            "name = \"IT Manager\"",
            "name = \"<script>alert(1)</script>\"",
        ),
    );
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace(
                "title: Access Procedure",
                "title: \"<script>alert(2)</script>\"",
            )
            .replace(
                "change: Initial version",
                "change: \"<img src=x onerror=alert(3)>\"",
            ),
    );
    repo.write(
        "soa.yaml",
        &repo.read("soa.yaml").replacen(
            "justification: Risk R-01.",
            "justification: \"<script>alert(4)</script>\"",
            1,
        ),
    );
    assert!(build(&repo, &[]).status.success());
    for (path, bytes) in snapshot(&repo.path().join("book")) {
        let text = String::from_utf8_lossy(&bytes);
        if path.ends_with(".html") {
            assert!(
                !text.contains("<script>alert"),
                "{path} has an unescaped script"
            );
            assert!(!text.contains("<img src=x"), "{path} has an unescaped tag");
        }
    }
    assert!(
        read(&repo.path().join("book/index.html"))
            .contains("&lt;script&gt;alert(2)&lt;/script&gt;")
    );
}

#[test]
fn two_builds_of_the_same_commit_are_byte_identical() {
    let repo = Repo::clean();
    repo.git_init();
    repo.commit("Import", "Carol", "2026-06-02T09:00:00+00:00");
    assert!(build(&repo, &[]).status.success());
    let first = snapshot(&repo.path().join("book"));
    assert!(build(&repo, &[]).status.success());
    assert_eq!(first, snapshot(&repo.path().join("book")));
}

#[test]
fn errors_block_the_build_and_leave_the_previous_handbook() {
    let repo = Repo::clean();
    assert!(build(&repo, &[]).status.success());
    let before = snapshot(&repo.path().join("book"));
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("owner: IT", "owner: NOBODY"),
    );
    let output = build(&repo, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("error[unknown-role]"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing was written"));
    assert_eq!(before, snapshot(&repo.path().join("book")));
}

#[test]
fn a_folder_not_written_by_ismsbook_is_never_replaced() {
    let repo = Repo::clean();
    repo.write("book/notes.txt", "mine");
    let output = build(&repo, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("was not written by ismsbook"));
    assert_eq!(repo.read("book/notes.txt"), "mine");
    // Nor the repository itself, nor a document folder.
    for dest in [".", "policies"] {
        let output = build(
            &repo,
            &["--dest", &repo.path().join(dest).to_string_lossy()],
        );
        assert_eq!(output.status.code(), Some(2), "{dest}");
    }
    assert!(repo.path().join("policies/security.md").is_file());
}

#[test]
fn a_build_killed_halfway_leaves_the_previous_handbook_complete() {
    let repo = Repo::clean();
    // Enough documents that a build takes a while.
    for i in 0..400 {
        repo.write(&format!("procedures/p{i:03}.md"), &format!("---\nid: PRC-P{i:03}\ntitle: Procedure {i}\nversion: \"1.0\"\nstatus: approved\nowner: IT\napprovers: [CISO]\napproved_by: CISO\napproved_on: 2026-06-01\ncontrols: [\"5.15\"]\nchange: First\n---\n# Procedure {i}\n\n{}\n", "Text of the procedure. ".repeat(400)));
    }
    assert!(build(&repo, &[]).status.success());
    let before = snapshot(&repo.path().join("book"));
    repo.write(
        "procedures/p000.md",
        &repo
            .read("procedures/p000.md")
            .replace("title: Procedure 0", "title: Procedure zero"),
    );
    for delay in [5u64, 20, 60, 120] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ismsbook"))
            .arg("--root")
            .arg(repo.path())
            .args(["--today", TODAY, "build"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let after = snapshot(&repo.path().join("book"));
        // Either the previous handbook or the new one, always whole.
        let keys: BTreeSet<_> = after.keys().collect();
        assert_eq!(
            keys,
            before.keys().collect::<BTreeSet<_>>(),
            "killed after {delay} ms: the set of files changed"
        );
        let page = String::from_utf8_lossy(&after["procedures/p000.html"]).into_owned();
        assert!(page.contains("Procedure 0") || page.contains("Procedure zero"));
    }
    // The next build finishes, cleaning up what the killed ones left.
    assert!(build(&repo, &[]).status.success());
    assert!(read(&repo.path().join("book/procedures/p000.html")).contains("Procedure zero"));
    let leftovers: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("ismsbook-new") || n.contains("ismsbook-old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Every `href` and `src` inside the built sample points at a file that exists, and
/// every `#anchor` at an element with that id.
#[test]
fn the_sample_handbook_has_no_broken_internal_link_or_anchor() {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("book");
    let output = assert_cmd::Command::cargo_bin("ismsbook")
        .unwrap()
        .arg("--root")
        .arg(project_root())
        .args(["--today", SAMPLE_TODAY, "build", "--dest"])
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files = snapshot(&dest);
    let ids =
        |html: &str| -> BTreeSet<String> { attribute_values(html, "id").into_iter().collect() };
    let mut checked = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for target in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file.to_string(), Some(anchor.to_string())),
                None => (target.clone(), None),
            };
            let resolved = if file.is_empty() {
                path.clone()
            } else {
                resolve(path, &file)
            };
            let Some(bytes) = files.get(&resolved) else {
                panic!("{path}: broken link {target} (→ {resolved})")
            };
            if let Some(anchor) = anchor {
                assert!(
                    ids(&String::from_utf8_lossy(bytes)).contains(&anchor),
                    "{path}: broken anchor {target}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
}

fn resolve(from: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| rest[..end].replace("&amp;", "&"))
        })
        .collect()
}

/// Builds into `book/` (after the previous build there) and, from nothing, into
/// `fresh/`; the two must be identical. Returns how many document pages the build
/// into `book/` rendered.
fn rendered_again(repo: &Repo, args: &[&str]) -> usize {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let output = repo
        .cmd(&all)
        .env("ISMSBOOK_TIMINGS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{stderr}");
    let fresh = repo.path().join("fresh");
    let _ = std::fs::remove_dir_all(&fresh);
    all.extend(["--dest", "fresh"]);
    assert!(repo.cmd(&all).output().unwrap().status.success());
    assert_eq!(
        snapshot(&repo.path().join("book")),
        snapshot(&fresh),
        "the incremental build differs from a full one"
    );
    let line = stderr
        .lines()
        .find(|l| l.starts_with("timing: document pages:"))
        .unwrap_or_else(|| panic!("{stderr}"));
    line["timing: document pages: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_theme_reading_the_environment_renders_its_pages_every_time() {
    let repo = Repo::clean();
    let built_in = std::fs::read_to_string(project_root().join("templates/document.html")).unwrap();
    repo.write(
        "templates/document.html",
        &built_in.replace(
            "</article>",
            "<p>Stamp {{ get_env(name=\"ISMSBOOK_TEST_STAMP\", default=\"none\") }}</p></article>",
        ),
    );
    for stamp in ["one", "two"] {
        let output = repo
            .cmd(&["build"])
            .env("ISMSBOOK_TEST_STAMP", stamp)
            .output()
            .unwrap();
        assert!(output.status.success());
        let page = read(&repo.path().join("book/procedures/access.html"));
        assert!(page.contains(&format!("Stamp {stamp}")), "{page}");
    }
}

#[test]
fn a_build_renders_again_only_the_pages_whose_sources_changed() {
    let repo = Repo::clean();
    repo.write(
        "policies/backup.md",
        &policy("POL-BAK", "Backup Policy", "[\"8.13\"]", "").replace(
            "## Scope",
            "See the [procedure](../procedures/access.md).\n\n## Scope",
        ),
    );
    repo.git_init();
    repo.commit("Import", "Carol", "2026-06-02T09:00:00+00:00");
    assert_eq!(
        rendered_again(&repo, &[]),
        3,
        "a first build renders every page"
    );
    assert_eq!(rendered_again(&repo, &[]), 0, "nothing changed");

    // A new version of a body. It is the first uncommitted change, which every
    // page's footer notes; the next ones render that page alone.
    let access = "procedures/access.md";
    repo.edit(
        access,
        &[
            ("Follow the", "Always follow the"),
            ("version: \"1.0\"", "version: \"1.1\""),
            ("approved_on: 2026-06-01", "approved_on: 2026-06-03"),
            ("change: Initial version", "change: Clearer"),
        ],
    );
    assert_eq!(rendered_again(&repo, &[]), 3);
    repo.edit(
        access,
        &[("Always follow the", "Always read and follow the")],
    );
    assert_eq!(rendered_again(&repo, &[]), 1);

    // A title: its page, and the policy page that lists it among its related
    // documents.
    repo.edit(
        access,
        &[("title: Access Procedure", "title: Access Control Procedure")],
    );
    assert_eq!(rendered_again(&repo, &[]), 2);

    // A commit: every page names the commit it was built from.
    repo.commit("Access 1.1", "Ann", "2026-06-03T09:00:00+00:00");
    assert_eq!(rendered_again(&repo, &[]), 3);

    // A document unpublished: links to it become text in the others.
    repo.edit(access, &[("status: approved", "status: draft")]);
    assert_eq!(rendered_again(&repo, &[]), 2);
    assert!(read(&repo.path().join("book/policies/backup.html")).contains("See the procedure."));
    assert_eq!(rendered_again(&repo, &["--drafts"]), 3);

    // The organisation, a template: everything.
    repo.edit(
        "book.toml",
        &[(
            "organization = \"Test Ltd\"",
            "organization = \"Renamed Ltd\"",
        )],
    );
    assert_eq!(rendered_again(&repo, &["--drafts"]), 3);
    let built_in = std::fs::read_to_string(project_root().join("templates/document.html")).unwrap();
    repo.write("templates/document.html", &built_in);
    repo.edit(
        "templates/document.html",
        &[("</article>", "<p>Local addition</p></article>")],
    );
    assert_eq!(rendered_again(&repo, &["--drafts"]), 3);
    assert!(read(&repo.path().join("book/policies/backup.html")).contains("Local addition"));

    // A page changed in the output is rendered again.
    std::fs::write(repo.path().join("book/policies/backup.html"), "edited").unwrap();
    assert_eq!(rendered_again(&repo, &["--drafts"]), 1);
}
