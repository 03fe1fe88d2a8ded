//! Hostile input, faults and audits: every case gives a clear diagnostic at a place
//! (or is accepted, as docs/reliability.md says), never a panic, the exit code the
//! contract names, and the previous handbook untouched. Inputs the fuzzers found are
//! replayed from tests/fuzz-regressions.

mod common;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

fn with_file(path: &str, bytes: &[u8]) -> (Repo, Checked) {
    let repo = Repo::clean();
    repo.write_bytes(path, bytes);
    let checked = repo.check();
    (repo, checked)
}

fn no_panic(checked: &Checked) {
    assert!(!checked.stderr.contains("panicked"), "{}", checked.stderr);
    assert!(matches!(checked.code, 0..=2), "exit code {}", checked.code);
}

#[test]
fn fuzz_regressions_replay_without_panic() {
    let dir = project_root().join("tests/fuzz-regressions");
    let mut replayed = 0;
    for (target, run) in [
        ("front_matter", ismsbook::fuzzing::document as fn(&[u8])),
        ("links", ismsbook::fuzzing::links),
        ("pipeline", ismsbook::fuzzing::pipeline),
    ] {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            run(&std::fs::read(entry.path()).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 1, "the regression inputs are replayed");
}

#[test]
fn lone_carriage_returns_end_lines_and_yaml_errors_stay_in_the_file() {
    let (_, checked) = with_file(
        "procedures/cr.md",
        b"---\rid: PRC-CR\rtitle: [x\rversion: \"1.0\"\r---\r# CR\r",
    );
    let d = checked.one("yaml-syntax");
    assert!(d["line"].as_u64().unwrap() <= 6, "{d}");
    no_panic(&checked);
}

#[test]
fn yaml_positions_count_characters_after_non_ascii_text() {
    let (_, checked) = with_file(
        "procedures/u.md",
        "---\nid: PRC-U\ntitle: \"Ünïcödé ✓\"\nowner: [IT\nversion: \"1.0\"\n---\n".as_bytes(),
    );
    let d = checked.one("yaml-syntax");
    assert_eq!(d["line"].as_u64(), Some(5), "{d}");
}

#[test]
fn a_billion_laughs_is_refused_quickly() {
    let mut yaml = String::from(
        "---\nid: PRC-LOL\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (name, prev) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
        ("h", "g"),
        ("i", "h"),
    ] {
        yaml.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    yaml.push_str("---\n# Laughs\n");
    let started = Instant::now();
    let (_, checked) = with_file("procedures/lol.md", yaml.as_bytes());
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        checked.with_code("yaml-syntax").len() + checked.with_code("unknown-key").len() >= 1,
        "{:#?}",
        checked.diagnostics
    );
    assert_eq!(checked.code, 1);
    no_panic(&checked);
}

#[test]
fn deeply_nested_values_are_refused() {
    let yaml = format!(
        "---\nid: PRC-DEEP\ntitle: {}x{}\n---\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let (_, checked) = with_file("procedures/deep.md", yaml.as_bytes());
    let d = checked.one("yaml-syntax");
    assert!(d["message"].as_str().unwrap().contains("recursion"), "{d}");
    no_panic(&checked);
}

#[test]
fn a_50_mb_document_is_accepted() {
    let mut text = String::from(
        "---\nid: PRC-HUGE\ntitle: Huge\nversion: \"0.1\"\nowner: IT\n---\n# Huge\n\n",
    );
    let paragraph =
        "Records of access reviews are kept for two years and sampled by internal audit. "
            .repeat(12)
            + "\n\n";
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(&paragraph);
    }
    let (_, checked) = with_file("procedures/huge.md", text.as_bytes());
    assert_eq!(checked.code, 0, "{:#?}", checked.diagnostics);
}

#[test]
fn binary_files_are_not_utf8() {
    let (_, checked) = with_file(
        "procedures/bin.md",
        &[0x7f, b'E', b'L', b'F', 0, 0, 0xff, 0xfe, 0x80, 0x81],
    );
    checked.assert_at("not-utf8", "error", "procedures/bin.md", 1, 7);
}

#[test]
fn every_field_of_the_wrong_type_is_reported() {
    // Every key of the contract, so a new key is covered too.
    let fields = ismsbook::model::document::KEYS;
    let mut text = String::from("---\n");
    for field in fields {
        let value = if field == "extra" {
            "[1, 2]"
        } else {
            "{nested: map}"
        };
        text.push_str(&format!("{field}: {value}\n"));
    }
    text.push_str("---\n");
    let (_, checked) = with_file("procedures/types.md", text.as_bytes());
    let lines: std::collections::BTreeSet<u64> = checked
        .diagnostics
        .iter()
        .filter(|d| d["file"] == "procedures/types.md")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    // One diagnostic on each field's own line (lines 2 to the last field's).
    assert_eq!(
        lines,
        (2..=fields.len() as u64 + 1).collect(),
        "{:#?}",
        checked.diagnostics
    );
    no_panic(&checked);
}

#[test]
fn ids_with_spaces_or_look_alike_letters_are_invalid() {
    let (_, checked) = with_file(
        "procedures/a.md",
        "---\nid: PRC AC\ntitle: A\nversion: \"0.1\"\nowner: IT\n---\n".as_bytes(),
    );
    assert!(
        checked.one("invalid-id")["hint"]
            .as_str()
            .unwrap()
            .contains("PRC-AC")
    );
    // A Cyrillic Р that looks like a Latin P.
    let (_, checked) = with_file(
        "procedures/a.md",
        "---\nid: РRC-AC\ntitle: A\nversion: \"0.1\"\nowner: IT\n---\n".as_bytes(),
    );
    assert!(
        checked.one("invalid-id")["hint"]
            .as_str()
            .unwrap()
            .contains("look-alike")
    );
}

#[test]
fn ids_differing_only_by_case_cannot_both_be_valid() {
    let repo = Repo::clean();
    repo.write(
        "procedures/a.md",
        "---\nid: PRC-CASE\ntitle: A\nversion: \"0.1\"\nowner: IT\n---\n",
    );
    repo.write(
        "procedures/b.md",
        "---\nid: PRC-Case\ntitle: B\nversion: \"0.1\"\nowner: IT\n---\n",
    );
    let checked = repo.check();
    assert_eq!(checked.one("invalid-id")["file"], "procedures/b.md");
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed() {
    let repo = Repo::clean();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "---\nid: POL-SECRET\ntitle: Outside secret\nversion: \"1.0\"\nowner: CISO\n---\nTOP SECRET\n").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        repo.path().join("policies/secret.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        repo.path().join("policies"),
        repo.path().join("policies/loop"),
    )
    .unwrap();
    let checked = repo.check();
    // The link to a file outside is reported and skipped; the folder loop is never
    // entered (walking does not follow links) and is not a document.
    let skipped: Vec<_> = checked
        .with_code("symlink-skipped")
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(skipped, ["policies/secret.md"]);
    assert_eq!(checked.code, 0);
    let output = repo.cmd(&["build"]).output().unwrap();
    assert!(output.status.success());
    for entry in walk(&repo.path().join("book")) {
        assert!(
            !std::fs::read_to_string(&entry)
                .unwrap_or_default()
                .contains("TOP SECRET"),
            "{}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() && !path.is_symlink() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn unsafe_links_are_warned_and_sanitize_removes_scripts() {
    let repo = Repo::clean();
    let body = "# Test\n\n[run](javascript:alert(1)) [page](data:text/html;base64,PHNjcmlwdD4=) [pic](data:image/png;base64,iVBOR)\n\n<script>alert('raw')</script>\n\n<img src=x onerror=alert(2)>\n\n[up](../../../etc/passwd)\n";
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("# Access\n", body),
    );
    let checked = repo.check();
    assert_eq!(
        checked.with_code("unsafe-link").len(),
        2,
        "{:#?}",
        checked.diagnostics
    );
    assert_eq!(checked.with_code("broken-link").len(), 1);
    // Raw HTML is the author's choice by default …
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("[up](../../../etc/passwd)\n", ""),
    );
    assert!(repo.cmd(&["build"]).output().unwrap().status.success());
    let page = std::fs::read_to_string(repo.path().join("book/procedures/access.html")).unwrap();
    assert!(page.contains("<script>alert('raw')</script>"));
    // … and removed with sanitize.
    repo.write(
        "book.toml",
        &BOOK_TOML.replace(
            "[build.folders]",
            "[build]\nsanitize = true\n\n[build.folders]",
        ),
    );
    assert!(repo.cmd(&["build"]).output().unwrap().status.success());
    let page = std::fs::read_to_string(repo.path().join("book/procedures/access.html")).unwrap();
    assert!(
        !page.contains("alert('raw')")
            && !page.contains("onerror")
            && !page.contains("javascript:"),
        "{page}"
    );
    assert!(
        page.contains("<h2 id=\"steps\">Steps</h2>"),
        "anchors survive sanitizing"
    );
}

#[test]
fn reserved_names_and_folders() {
    // A document called index.md lives in its folder: no clash with the register.
    let repo = Repo::clean();
    repo.write("procedures/index.md", "---\nid: PRC-IDX\ntitle: Index Procedure\nversion: \"1.0\"\nstatus: approved\nowner: IT\napprovers: [CISO]\napproved_by: CISO\napproved_on: 2026-06-01\nchange: First\n---\n# Index\n");
    assert!(repo.cmd(&["build"]).output().unwrap().status.success());
    assert!(
        std::fs::read_to_string(repo.path().join("book/index.html"))
            .unwrap()
            .contains("Document register")
    );
    assert!(
        std::fs::read_to_string(repo.path().join("book/procedures/index.html"))
            .unwrap()
            .contains("PRC-IDX")
    );
    // The root or the handbook's own folders cannot be document folders.
    for folder in [".", "controls", "assets"] {
        repo.write(
            "book.toml",
            &BOOK_TOML.replace(
                "procedures = \"procedure\"",
                &format!("procedures = \"procedure\"\n\"{folder}\" = \"standard\""),
            ),
        );
        let output = repo.cmd(&["check"]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{folder}");
    }
}

#[test]
fn book_toml_with_wrong_types_points_at_the_value() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &format!("{BOOK_TOML}\n[documents]\nreview-months = \"twelve\"\n"),
    );
    let output = repo.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("book.toml:20:17"), "{stderr}");
}

#[test]
fn a_corrupt_object_or_missing_packfile_is_a_warning() {
    for damage in ["corrupt", "pack"] {
        let repo = Repo::clean();
        repo.git_init();
        repo.commit("Import", "Carol", "2026-01-10T09:00:00+00:00");
        if damage == "pack" {
            repo.git(&["gc", "-q"]);
            for entry in walk(&repo.path().join(".git/objects/pack")) {
                if entry.extension().is_some_and(|e| e == "pack") {
                    std::fs::remove_file(entry).unwrap();
                }
            }
        } else {
            for entry in walk(&repo.path().join(".git/objects")) {
                if entry.parent().unwrap().file_name().unwrap().len() == 2 {
                    let mut perms = std::fs::metadata(&entry).unwrap().permissions();
                    #[allow(clippy::permissions_set_readonly_false)]
                    perms.set_readonly(false);
                    std::fs::set_permissions(&entry, perms).unwrap();
                    std::fs::write(&entry, b"garbage").unwrap();
                }
            }
        }
        let checked = repo.check();
        no_panic(&checked);
        assert!(
            checked.codes().iter().any(|c| c == "history-unavailable"),
            "{damage}: {:#?}",
            checked.diagnostics
        );
        assert!(
            repo.cmd(&["build"]).output().unwrap().status.success(),
            "{damage}: the handbook still builds"
        );
    }
}

#[cfg(unix)]
#[test]
fn an_interrupted_build_leaves_the_previous_handbook() {
    let repo = Repo::clean();
    for i in 0..300 {
        repo.write(&format!("procedures/p{i:03}.md"), &format!("---\nid: PRC-P{i:03}\ntitle: P {i}\nversion: \"1.0\"\nstatus: approved\nowner: IT\napprovers: [CISO]\napproved_by: CISO\napproved_on: 2026-06-01\nchange: First\n---\n# P\n\n{}\n", "Words. ".repeat(800)));
    }
    assert!(repo.cmd(&["build"]).output().unwrap().status.success());
    let before = walk(&repo.path().join("book")).len();
    repo.write("book.toml", &BOOK_TOML.replace("Test ISMS", "Renamed ISMS"));
    for delay in [10u64, 40, 100] {
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ismsbook"))
            .arg("--root")
            .arg(repo.path())
            .args(["--today", TODAY, "build"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        // SIGINT, as Ctrl-C sends.
        std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let mut child = child;
        let _ = child.wait();
        let after = walk(&repo.path().join("book"));
        assert_eq!(
            after.len(),
            before,
            "after SIGINT at {delay} ms the handbook is whole"
        );
        let index = std::fs::read_to_string(repo.path().join("book/index.html")).unwrap();
        assert!(index.contains("Test ISMS") || index.contains("Renamed ISMS"));
    }
}

#[test]
fn two_builds_at_once_take_turns() {
    let repo = Repo::clean();
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("ismsbook"))
            .arg("--root")
            .arg(repo.path())
            .args(["--today", TODAY, "build"])
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert!(a.status.success() && b.status.success(), "{a:?} {b:?}");
    assert!(repo.path().join("book/.ismsbook-build").is_file());
    assert!(repo.path().join("book/index.html").is_file());
}

/// A full disk: a tiny tmpfs (needs root; CI runs as root).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_leaves_the_previous_handbook() {
    let repo = Repo::clean();
    let mount = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(mount.path())
        .status();
    if !mounted.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(mount.path());
    let dest = mount.path().join("book");
    let dest_arg = dest.to_string_lossy().to_string();
    assert!(
        repo.cmd(&["build", "--dest", &dest_arg])
            .output()
            .unwrap()
            .status
            .success()
    );
    let before: Vec<_> = walk(&dest)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    // A much larger handbook does not fit beside the previous one.
    for i in 0..60 {
        repo.write(&format!("procedures/big{i:02}.md"), &format!("---\nid: PRC-BIG{i:02}\ntitle: Big {i}\nversion: \"1.0\"\nstatus: approved\nowner: IT\napprovers: [CISO]\napproved_by: CISO\napproved_on: 2026-06-01\nchange: First\n---\n# Big\n\n{}\n", "Much text. ".repeat(4000)));
    }
    let output = repo.cmd(&["build", "--dest", &dest_arg]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("previous handbook is unchanged"));
    let after: Vec<_> = walk(&dest)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(before, after);
}

/// No command opens a network connection: every `connect` is traced.
#[cfg(target_os = "linux")]
#[test]
fn no_command_connects_to_the_network() {
    if std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_err()
    {
        panic!("strace is needed for this audit (apt-get install strace)");
    }
    let repo = Repo::clean();
    repo.git_init();
    repo.commit("Import", "Carol", "2026-01-10T09:00:00+00:00");
    let binary = assert_cmd::cargo::cargo_bin("ismsbook");
    let trace = tempfile::NamedTempFile::new().unwrap();
    for args in [
        vec!["check"],
        vec!["build"],
        vec!["log", "POL-SEC"],
        vec!["diff", "HEAD"],
        vec!["codeowners"],
        vec!["schema"],
        vec!["check", "--base", "HEAD"],
    ] {
        let status = std::process::Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o"])
            .arg(trace.path())
            .arg(&binary)
            .arg("--root")
            .arg(repo.path())
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.code().is_some_and(|c| c <= 1), "{args:?}");
        let log = std::fs::read_to_string(trace.path()).unwrap();
        let network: Vec<&str> = log.lines().filter(|l| l.contains("AF_INET")).collect();
        assert!(
            network.is_empty(),
            "{args:?} touched the network:\n{}",
            network.join("\n")
        );
    }
}

/// check and build never write into the sources.
#[test]
fn check_and_build_never_write_into_the_sources() {
    let repo = Repo::clean();
    repo.git_init();
    repo.commit("Import", "Carol", "2026-01-10T09:00:00+00:00");
    let sources = |repo: &Repo| -> Vec<(std::path::PathBuf, Vec<u8>, std::time::SystemTime)> {
        let mut files: Vec<_> = ["policies", "procedures"]
            .iter()
            .flat_map(|f| walk(&repo.path().join(f)))
            .chain(
                ["book.toml", "soa.yaml"]
                    .iter()
                    .map(|f| repo.path().join(f)),
            )
            .map(|p| {
                let meta = std::fs::metadata(&p).unwrap();
                (
                    p.clone(),
                    std::fs::read(&p).unwrap(),
                    meta.modified().unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = sources(&repo);
    for args in [
        vec!["check"],
        vec!["build"],
        vec!["log", "POL-SEC"],
        vec!["codeowners"],
        vec!["diff", "HEAD"],
    ] {
        let output = repo.cmd(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
    }
    assert_eq!(before, sources(&repo));
    let status = repo.git(&["status", "--porcelain", "--ignored"]);
    assert!(
        status.lines().all(|l| l == "?? book/"),
        "only book/ is new: {status}"
    );
}

#[test]
fn a_public_build_publishes_only_what_may_be_public() {
    let repo = Repo::clean();
    repo.write(
        "procedures/access.md",
        &repo.read("procedures/access.md").replace(
            "change: Initial version",
            "change: Initial version\nclassification: public",
        ),
    );
    // The policy stays internal; the public procedure links to it.
    let output = repo
        .cmd(&["build", "--max-classification", "public"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book = repo.path().join("book");
    assert!(!book.join("policies/security.html").exists());
    let page = std::fs::read_to_string(book.join("procedures/access.html")).unwrap();
    assert!(
        page.contains("Follow the policy."),
        "the link to the internal policy is plain text: {page}"
    );
    let json = std::fs::read_to_string(book.join("handbook.json")).unwrap();
    assert!(
        !json.contains("POL-SEC\"") || !json.contains("\"id\":\"POL-SEC\""),
        "{json}"
    );
    assert!(
        !std::fs::read_to_string(book.join("soa.html"))
            .unwrap()
            .contains("Risk R-01."),
        "the SoA's reasoning is internal"
    );
    assert!(
        std::fs::read_to_string(book.join("gaps.html"))
            .unwrap()
            .contains("not published in this edition")
    );
    // An unknown level is a usage error.
    let output = repo
        .cmd(&["build", "--max-classification", "secret"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
