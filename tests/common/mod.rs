//! Test repositories: a clean ISMS written into a temp dir, which each test breaks in
//! one way, and a runner for the real binary.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The date the tests evaluate reviews against.
pub const TODAY: &str = "2026-11-22";

/// The day the sample ISMS at the repository root is judged as of (README's figures).
pub const SAMPLE_TODAY: &str = "2026-11-23";

pub const BOOK_TOML: &str = r#"[book]
title = "Test ISMS"
organization = "Test Ltd"

[build.folders]
policies = "policy"
procedures = "procedure"

[roles.CEO]
name = "Chief Executive Officer"

[roles.CISO]
name = "Chief Information Security Officer"
handle = "@test/security"

[roles.IT]
name = "IT Manager"
"#;

/// The clauses that cover every mandatory item.
const CLAUSES: &str = r#"["4.3", "5.2", "6.1.2", "6.1.3", "6.2", "7.2", "7.5.3", "8.1", "8.2", "8.3", "9.1", "9.2.2", "9.3.3", "10.2"]"#;

pub struct Repo {
    pub dir: TempDir,
}

impl Repo {
    /// An empty folder.
    pub fn empty() -> Repo {
        Repo {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A repository that passes `check` with no diagnostics at all: every Annex A
    /// control applicable and implemented by one approved policy that also covers
    /// every mandatory clause; a procedure that links to it.
    pub fn clean() -> Repo {
        let repo = Repo::empty();
        repo.write("book.toml", BOOK_TOML);
        repo.write(
            "soa.yaml",
            &soa(|_| {
                "    applicable: true\n    status: implemented\n    justification: Risk R-01.\n"
                    .to_string()
            }),
        );
        repo.write(
            "policies/security.md",
            &policy(
                "POL-SEC",
                "Information Security Policy",
                &all_controls(),
                "",
            ),
        );
        repo.write(
            "procedures/access.md",
            &document(
                &[
                    ("id", "PRC-AC"),
                    ("title", "Access Procedure"),
                    ("version", "\"1.0\""),
                    ("status", "approved"),
                    ("owner", "IT"),
                    ("approvers", "[CISO]"),
                    ("approved_by", "CISO"),
                    ("approved_on", "2026-06-01"),
                    ("controls", "[\"5.15\"]"),
                    ("related", "[POL-SEC]"),
                    ("change", "Initial version"),
                ],
                "# Access\n\n## Steps\n\nFollow the [policy](../policies/security.md#scope).\n",
            ),
        );
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, text: &str) {
        self.write_bytes(path, text.as_bytes());
    }

    pub fn write_bytes(&self, path: &str, bytes: &[u8]) {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(path)).unwrap()
    }

    /// Replaces text in a file, each `(from, to)` in turn; a `from` that is not there
    /// fails the test (an edit that silently changes nothing proves nothing).
    pub fn edit(&self, path: &str, replacements: &[(&str, &str)]) {
        let mut text = self.read(path);
        for (from, to) in replacements {
            assert!(text.contains(from), "{path} has no `{from}`");
            text = text.replace(from, to);
        }
        self.write(path, &text);
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.dir.path().join(path)).unwrap();
    }

    /// `ismsbook --root <repo> --today 2026-11-22 <args>`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("ismsbook").unwrap();
        // Run inside the repository, as a user or a CI job does: relative paths
        // (`--dest public`) land there, never in this project.
        cmd.current_dir(self.dir.path());
        cmd.arg("--root")
            .arg(self.dir.path())
            .args(["--today", TODAY, "--color", "never"])
            .args(args);
        cmd
    }

    /// Runs ismsbook with `args` and returns its standard output; fails the test,
    /// showing what it printed, when it does not succeed.
    pub fn run(&self, args: &[&str]) -> String {
        let output = self.cmd(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "ismsbook {args:?} failed:\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    /// Runs `check --format json`: the exit code and the diagnostics.
    pub fn check(&self) -> Checked {
        let output = self.cmd(&["check", "--format", "json"]).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let diagnostics = if stdout.trim().is_empty() {
            Vec::new()
        } else {
            match serde_json::from_str::<Value>(&stdout) {
                Ok(Value::Array(items)) => items,
                other => panic!("not a JSON array: {other:?}\n{stdout}"),
            }
        };
        // Most fixtures are plain folders, so every run notes that there is no git
        // history; tests/history.rs asserts that notice where it matters.
        let diagnostics = if self.dir.path().join(".git").exists() {
            diagnostics
        } else {
            diagnostics
                .into_iter()
                .filter(|d| d["code"] != "history-unavailable")
                .collect()
        };
        Checked {
            code: output.status.code().unwrap_or(-1),
            diagnostics,
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    }
}

pub struct Checked {
    pub code: i32,
    pub diagnostics: Vec<Value>,
    pub stderr: String,
}

impl Checked {
    /// The diagnostics with this code.
    pub fn with_code(&self, code: &str) -> Vec<&Value> {
        self.diagnostics
            .iter()
            .filter(|d| d["code"] == code)
            .collect()
    }

    /// The only diagnostic with this code; fails with everything found otherwise.
    pub fn one(&self, code: &str) -> &Value {
        let found = self.with_code(code);
        assert_eq!(
            found.len(),
            1,
            "expected one `{code}`, got:\n{:#?}",
            self.diagnostics
        );
        found[0]
    }

    /// Asserts the diagnostic with `code` is at file:line:column with this severity.
    pub fn assert_at(
        &self,
        code: &str,
        severity: &str,
        file: &str,
        line: u64,
        column: u64,
    ) -> &Value {
        let d = self.one(code);
        assert_eq!(
            (
                d["severity"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap()
            ),
            (severity, file, line, column),
            "{d:#}"
        );
        assert!(d["hint"].is_string(), "every diagnostic has a hint: {d:#}");
        d
    }

    pub fn codes(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    }
}

/// A document with the given front-matter lines (written as given) and body.
/// Fails the test, showing `text`, unless it contains every one of `expected`.
pub fn assert_contains_all(text: &str, expected: &[&str]) {
    for expected in expected {
        assert!(text.contains(expected), "`{expected}` not in:\n{text}");
    }
}

pub fn document(fields: &[(&str, &str)], body: &str) -> String {
    let mut out = String::from("---\n");
    for (key, value) in fields {
        out.push_str(&format!("{key}: {value}\n"));
    }
    out.push_str("---\n");
    out.push_str(body);
    out
}

/// An approved policy; `extra` is appended to the front matter as written.
pub fn policy(id: &str, title: &str, controls: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nversion: \"1.0\"\nstatus: approved\nowner: CISO\napprovers: [CEO, CISO]\napproved_by: CEO\napproved_on: 2026-03-01\ncontrols: {controls}\nclauses: {CLAUSES}\nchange: Initial version\n{extra}---\n\n# {title}\n\n## Purpose\n\nWhy.\n\n## Scope\n\nWhat.\n"
    )
}

/// Every Annex A control id, as a YAML list.
pub fn all_controls() -> String {
    let ids: Vec<String> = annex_a().iter().map(|id| format!("\"{id}\"")).collect();
    format!("[{}]", ids.join(", "))
}

pub fn annex_a() -> Vec<String> {
    let mut ids = Vec::new();
    for (theme, count) in [(5, 37), (6, 8), (7, 14), (8, 34)] {
        for n in 1..=count {
            ids.push(format!("{theme}.{n}"));
        }
    }
    ids
}

/// The SoA's own document control: an approved first version.
pub const SOA_CONTROL: &str = "version: \"1.0\"\nstatus: approved\nowner: CISO\napprovers: [CEO, CISO]\napproved_by: CEO\napproved_on: 2026-03-01\nchange: First decisions\n";

/// A SoA with an entry for every control, its body from `entry(id)`.
pub fn soa(entry: impl Fn(&str) -> String) -> String {
    let mut out = format!("{SOA_CONTROL}controls:\n");
    for id in annex_a() {
        out.push_str(&format!("  A.{id}:\n{}", entry(&id)));
    }
    out
}

/// The repository root of this project (for the sample-ISMS test).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Git, run in a test repository with fixed identities and dates, and no user
/// configuration (so the tests do not depend on the machine).
impl Repo {
    /// `git init` with `main` as the branch.
    pub fn git_init(&self) {
        self.git(&["init", "-q", "-b", "main"]);
    }

    /// Runs git; fails the test with git's output on error. Returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_as(args, "Test Author", "2026-01-05T10:00:00+00:00")
    }

    /// Runs git as `author` on `date` (author and committer).
    pub fn git_as(&self, args: &[&str], author: &str, date: &str) -> String {
        let email = format!("{}@example.com", author.to_lowercase().replace(' ', "."));
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(self.dir.path())
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.autocrlf=false",
                "-c",
                "merge.ff=false",
            ])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_AUTHOR_EMAIL", &email)
            .env("GIT_COMMITTER_NAME", author)
            .env("GIT_COMMITTER_EMAIL", &email)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    }

    /// Stages everything and commits it.
    pub fn commit(&self, message: &str, author: &str, date: &str) {
        self.git_as(&["add", "-A"], author, date);
        self.git_as(&["commit", "-q", "-m", message], author, date);
    }

    /// `ismsbook log <document> --format json`.
    pub fn log(&self, document: &str) -> Value {
        let output = self
            .cmd(&["log", document, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// Runs `check --format json` with more arguments.
    pub fn check_with(&self, args: &[&str]) -> Checked {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let output = self.cmd(&all).output().unwrap();
        Checked {
            code: output.status.code().unwrap_or(-1),
            diagnostics: serde_json::from_slice(&output.stdout).unwrap_or_default(),
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    }
}
