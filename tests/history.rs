//! History from real git repositories: revision rows across merges and squash merges,
//! renames, the version rules, degraded repositories, the pull-request gate, `diff`
//! and `codeowners`. The repositories are built with the git CLI; ismsbook reads them
//! with git2.

mod common;
use common::*;
use serde_json::Value;

/// An access control policy at a version, with a body that says `text`.
fn policy_at(version: &str, status: &str, approved_on: &str, change: &str, text: &str) -> String {
    let approval = if status == "approved" {
        format!("approved_by: CISO\napproved_on: {approved_on}\n")
    } else {
        String::new()
    };
    format!(
        "---\nid: POL-AC\ntitle: Access Control Policy\nversion: \"{version}\"\nstatus: {status}\nowner: CISO\n{approval}controls: [\"5.15\"]\nchange: \"{change}\"\n---\n\n# Access Control Policy\n\n{text}\n"
    )
}

/// A clean ISMS, committed on `main`, plus the access control policy at 1.0.
fn repository() -> Repo {
    let repo = Repo::clean();
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.0",
            "approved",
            "2026-01-09",
            "Initial version",
            "Access follows need to know.",
        ),
    );
    repo.git_init();
    repo.commit("Import the ISMS", "Carol", "2026-01-10T09:00:00+00:00");
    repo
}

fn versions(log: &Value) -> Vec<&str> {
    log["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect()
}

fn column<'a>(log: &'a Value, key: &str) -> Vec<&'a Value> {
    log["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r[key])
        .collect()
}

#[test]
fn revisions_across_merge_commits_squash_merges_and_gitlab_merges() {
    let repo = repository();
    // Version 1.1 on a branch, two commits by Ann, merged with a merge commit.
    repo.git(&["checkout", "-q", "-b", "ac-1.1"]);
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.1",
            "draft",
            "",
            "MFA for administrators",
            "Access follows need to know. MFA.",
        ),
    );
    repo.commit("Draft 1.1", "Ann", "2026-01-20T10:00:00+00:00");
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.1",
            "approved",
            "2026-01-30",
            "MFA for administrators",
            "Access follows need to know. MFA.",
        ),
    );
    repo.commit("Approve 1.1", "Ann", "2026-01-30T10:00:00+00:00");
    repo.git(&["checkout", "-q", "main"]);
    repo.git_as(
        &[
            "merge",
            "-q",
            "--no-ff",
            "ac-1.1",
            "-m",
            "Merge pull request #12 from acme/ac-1.1",
        ],
        "Merger",
        "2026-02-01T12:00:00+00:00",
    );
    // Version 2.0 as a squash merge by Bob.
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "2.0",
            "approved",
            "2026-03-01",
            "Security keys for everyone",
            "Security keys.",
        ),
    );
    repo.commit(
        "Access control policy 2.0 (#34)",
        "Bob",
        "2026-03-02T08:00:00+00:00",
    );
    // Version 2.1 merged on GitLab.
    repo.git(&["checkout", "-q", "-b", "ac-2.1"]);
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "2.1",
            "approved",
            "2026-04-01",
            "Quarterly reviews",
            "Security keys. Quarterly reviews.",
        ),
    );
    repo.commit("Quarterly reviews", "Dan", "2026-03-30T10:00:00+00:00");
    repo.git(&["checkout", "-q", "main"]);
    repo.git_as(
        &[
            "merge",
            "-q",
            "--no-ff",
            "ac-2.1",
            "-m",
            "Merge branch 'ac-2.1' into 'main'\n\nSee merge request isms/handbook!56",
        ],
        "Merger",
        "2026-04-02T12:00:00+00:00",
    );

    let log = repo.log("POL-AC");
    assert_eq!(versions(&log), ["1.0", "1.1", "2.0", "2.1"]);
    assert_eq!(
        column(&log, "date"),
        ["2026-01-10", "2026-02-01", "2026-03-02", "2026-04-02"]
    );
    assert_eq!(
        column(&log, "pull_request"),
        [&Value::Null, &12.into(), &34.into(), &56.into()]
    );
    // The authors of a merge are the authors of the merged commits, not the merger.
    assert_eq!(
        column(&log, "authors"),
        [
            &serde_json::json!(["Carol"]),
            &serde_json::json!(["Ann"]),
            &serde_json::json!(["Bob"]),
            &serde_json::json!(["Dan"])
        ]
    );
    assert_eq!(column(&log, "approved_on")[1], "2026-01-30");
    assert_eq!(column(&log, "change")[2], "Security keys for everyone");
    assert_eq!(log["complete"], true);
    assert!(
        repo.check().diagnostics.is_empty(),
        "{:#?}",
        repo.check().diagnostics
    );
}

#[test]
fn a_rename_keeps_the_history() {
    let repo = repository();
    repo.git(&[
        "mv",
        "policies/access-control.md",
        "policies/access-control-policy.md",
    ]);
    repo.commit("Rename", "Carol", "2026-02-01T09:00:00+00:00");
    // A rename with an edit in the same commit is followed by the document id.
    repo.git(&[
        "mv",
        "policies/access-control-policy.md",
        "policies/access.md",
    ]);
    repo.write(
        "policies/access.md",
        &policy_at(
            "1.1",
            "approved",
            "2026-03-01",
            "Clarified",
            "Access follows need to know, always.",
        ),
    );
    repo.commit(
        "Rename again, with 1.1",
        "Carol",
        "2026-03-02T09:00:00+00:00",
    );

    let log = repo.log("policies/access.md");
    assert_eq!(versions(&log), ["1.0", "1.1"]);
    assert_eq!(
        column(&log, "path"),
        ["policies/access-control-policy.md", "policies/access.md"]
    );
    assert_eq!(column(&log, "commit")[0].as_str().unwrap().len(), 40);
}

#[test]
fn a_change_after_approval_without_a_new_version() {
    let repo = repository();
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.0",
            "approved",
            "2026-01-09",
            "Initial version",
            "Access follows need to know, mostly.",
        ),
    );
    repo.commit("Quiet edit", "Eve", "2026-02-01T09:00:00+00:00");
    let checked = repo.check();
    let d = checked.assert_at(
        "changed-after-approval",
        "error",
        "policies/access-control.md",
        4,
        1,
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("version 1.0 was approved in"),
        "{d}"
    );
    assert!(d["hint"].as_str().unwrap().contains("\"1.1\""), "{d}");
    assert_eq!(checked.code, 1);
}

#[test]
fn edits_while_a_version_is_a_draft_are_not_changes_after_approval() {
    let repo = repository();
    repo.write(
        "policies/access-control.md",
        &policy_at("1.1", "draft", "", "Next", "First draft."),
    );
    repo.commit("Draft 1.1", "Ann", "2026-02-01T09:00:00+00:00");
    repo.write(
        "policies/access-control.md",
        &policy_at("1.1", "draft", "", "Next", "Second draft."),
    );
    repo.commit("Draft 1.1 again", "Ann", "2026-02-02T09:00:00+00:00");
    repo.write(
        "policies/access-control.md",
        &policy_at("1.1", "approved", "2026-02-03", "Next", "Second draft."),
    );
    repo.commit("Approve 1.1", "Ann", "2026-02-03T09:00:00+00:00");
    let checked = repo.check();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0", "1.1"]);
}

#[test]
fn a_version_that_decreases() {
    let repo = repository();
    repo.write(
        "policies/access-control.md",
        &policy_at("2.0", "approved", "2026-02-01", "Major", "New rules."),
    );
    repo.commit("2.0", "Ann", "2026-02-01T09:00:00+00:00");
    repo.write(
        "policies/access-control.md",
        &policy_at("1.5", "approved", "2026-03-01", "Oops", "Newer rules."),
    );
    repo.commit("1.5", "Ann", "2026-03-01T09:00:00+00:00");
    let checked = repo.check();
    let d = checked.assert_at(
        "version-decreased",
        "error",
        "policies/access-control.md",
        4,
        10,
    );
    assert!(
        d["message"].as_str().unwrap().contains("lower than 2.0"),
        "{d}"
    );
}

#[test]
fn an_approval_carried_over_from_an_earlier_version() {
    let repo = repository();
    repo.write(
        "policies/access-control.md",
        &policy_at("1.1", "approved", "2026-01-02", "Next", "Changed."),
    );
    repo.commit("1.1", "Ann", "2026-02-01T09:00:00+00:00");
    repo.check().assert_at(
        "approval-not-renewed",
        "warning",
        "policies/access-control.md",
        8,
        14,
    );
}

#[test]
fn uncommitted_changes_are_a_warning() {
    let repo = repository();
    repo.write(
        "policies/access-control.md",
        &policy_at("1.1", "draft", "", "Working", "Work in progress."),
    );
    repo.write(
        "procedures/new.md",
        "---\nid: PRC-NEW\ntitle: New\nversion: \"0.1\"\nowner: IT\n---\n# New\n",
    );
    let checked = repo.check();
    let files: Vec<_> = checked
        .with_code("uncommitted-change")
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, ["policies/access-control.md", "procedures/new.md"]);
    assert_eq!(checked.code, 0);
}

#[test]
fn a_shallow_clone_marks_the_history_incomplete_and_boundary_dates_unknown() {
    let origin = repository();
    origin.write(
        "policies/access-control.md",
        &policy_at("1.1", "approved", "2026-02-01", "Next", "Changed."),
    );
    origin.commit("1.1", "Ann", "2026-02-02T09:00:00+00:00");
    origin.write(
        "policies/access-control.md",
        &policy_at("1.2", "approved", "2026-03-01", "Again", "Changed again."),
    );
    origin.commit("1.2", "Ann", "2026-03-02T09:00:00+00:00");

    let clone = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    clone.git(&["clone", "-q", "--depth", "2", &url, "."]);
    let checked = clone.check();
    let d = checked.one("history-shallow");
    assert_eq!(d["severity"], "warning");
    assert!(
        d["hint"].as_str().unwrap().contains("fetch-depth: 0"),
        "{d}"
    );

    let log = clone.log("POL-AC");
    assert_eq!(log["complete"], false);
    assert_eq!(versions(&log), ["1.1", "1.2"]);
    // 1.1 is at the boundary: the commit stands for all earlier history.
    assert_eq!(column(&log, "date"), [&Value::Null, &"2026-03-02".into()]);
}

#[test]
fn no_repository_is_a_warning_and_check_still_works() {
    let repo = Repo::clean();
    let output = repo.cmd(&["check", "--format", "json"]).output().unwrap();
    let diagnostics: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<_> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["history-unavailable"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(repo.log("POL-SEC")["revisions"], serde_json::json!([]));
}

#[test]
fn an_unborn_branch_is_a_warning() {
    let repo = Repo::clean();
    repo.git_init();
    let checked = repo.check();
    checked.one("history-empty");
    assert_eq!(checked.code, 0);
}

#[test]
fn a_detached_head_is_a_note_that_never_fails() {
    let repo = repository();
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["checkout", "-q", "--detach", head.trim()]);
    let checked = repo.check_with(&["--deny-warnings"]);
    assert_eq!(checked.one("detached-head")["severity"], "note");
    assert_eq!(checked.code, 0);
}

#[test]
fn a_damaged_repository_is_a_warning_not_a_crash() {
    let repo = repository();
    std::fs::write(repo.path().join(".git/HEAD"), "ref: refs/heads/nowhere\n").unwrap();
    let checked = repo.check();
    // HEAD names a branch that does not exist: to git that is an unborn branch.
    checked.one("history-empty");

    let repo = repository();
    let objects = repo.path().join(".git/objects");
    for dir in std::fs::read_dir(&objects).unwrap().flatten() {
        if dir.file_name().len() == 2 {
            std::fs::remove_dir_all(dir.path()).unwrap();
        }
    }
    let checked = repo.check();
    let d = checked.one("history-unavailable");
    assert!(d["hint"].as_str().unwrap().contains("git fsck"), "{d}");
    assert_eq!(checked.code, 0);
}

#[test]
fn the_cache_is_reused_and_extended_with_new_commits() {
    let repo = repository();
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0"]);
    assert!(repo.path().join(".git/ismsbook/history.bin").is_file());
    repo.write(
        "policies/access-control.md",
        &policy_at("1.1", "approved", "2026-02-01", "Next", "Changed."),
    );
    repo.commit("1.1", "Ann", "2026-02-02T09:00:00+00:00");
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0", "1.1"]);
    // A rewritten history is read again from scratch.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.write(
        "policies/access-control.md",
        &policy_at("1.2", "approved", "2026-02-05", "Other", "Other."),
    );
    repo.commit("1.2", "Ann", "2026-02-06T09:00:00+00:00");
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0", "1.2"]);
}

#[test]
fn the_isms_may_live_in_a_subfolder_of_the_repository() {
    let outer = Repo::empty();
    let inner = Repo::clean();
    let isms = outer.path().join("isms");
    std::fs::create_dir_all(&isms).unwrap();
    for entry in walk(inner.path()) {
        let rel = entry.strip_prefix(inner.path()).unwrap();
        std::fs::create_dir_all(isms.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&entry, isms.join(rel)).unwrap();
    }
    outer.git_init();
    outer.commit("ISMS in a subfolder", "Carol", "2026-01-10T09:00:00+00:00");
    let output = assert_cmd::Command::cargo_bin("ismsbook")
        .unwrap()
        .arg("--root")
        .arg(&isms)
        .args(["log", "POL-SEC", "--format", "json"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(versions(&log), ["1.0"]);
    let output = assert_cmd::Command::cargo_bin("ismsbook")
        .unwrap()
        .arg("--root")
        .arg(&isms)
        .args(["codeowners"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("\n/isms/policies/security.md @test/security\n")
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A feature branch off `main` of the repository.
fn branch(repo: &Repo) {
    repo.git(&["checkout", "-q", "-b", "change"]);
}

#[test]
fn the_gate_requires_a_new_version_and_change_text() {
    let repo = repository();
    branch(&repo);
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.0",
            "approved",
            "2026-01-09",
            "Initial version",
            "Access follows need to know, always.",
        ),
    );
    let checked = repo.check_with(&["--base", "main"]);
    checked.assert_at(
        "version-not-raised",
        "error",
        "policies/access-control.md",
        4,
        10,
    );
    // One fault, one error: raising the version is describing the change too.
    assert!(checked.with_code("change-not-described").is_empty());
    assert!(checked.with_code("changed-after-approval").is_empty());
    assert_eq!(checked.code, 1);

    // Human output: one verdict line per changed document.
    let output = repo.cmd(&["check", "--base", "main"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("gate: 1 controlled document changed since main"),
        "{stdout}"
    );
    assert!(
        stdout.contains("POL-AC  changed  1.0         FAIL"),
        "{stdout}"
    );
}

#[test]
fn the_gate_requires_a_new_change_text_with_a_new_version() {
    let repo = repository();
    branch(&repo);
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.1",
            "approved",
            "2026-01-09",
            "Initial version",
            "Access follows need to know, always.",
        ),
    );
    let checked = repo.check_with(&["--base", "main"]);
    checked.assert_at(
        "change-not-described",
        "error",
        "policies/access-control.md",
        10,
        9,
    );
    assert!(checked.with_code("version-not-raised").is_empty());
    assert_eq!(checked.code, 1);
}

#[test]
fn the_gate_passes_a_properly_versioned_change() {
    let repo = repository();
    branch(&repo);
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.1",
            "approved",
            "2026-02-01",
            "Always need to know",
            "Access follows need to know, always.",
        ),
    );
    repo.commit("1.1", "Ann", "2026-02-01T09:00:00+00:00");
    let checked = repo.check_with(&["--base", "main"]);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    let output = repo.cmd(&["check", "--base", "main"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("POL-AC  changed  1.0 → 1.1   ok    Always need to know"),
        "{stdout}"
    );
}

#[test]
fn the_gate_accepts_approval_only_changes_and_new_drafts() {
    let repo = repository();
    branch(&repo);
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.0",
            "approved",
            "2026-01-09",
            "Initial version",
            "Access follows need to know.",
        )
        .replace("change:", "reviewed_on: 2026-06-01\nchange:"),
    );
    repo.write("procedures/new.md", "---\nid: PRC-NEW\ntitle: New\nversion: \"0.1\"\nowner: IT\nchange: First draft\n---\n# New\n");
    let checked = repo.check_with(&["--base", "main"]);
    let codes: Vec<_> = checked
        .codes()
        .into_iter()
        .filter(|c| c != "uncommitted-change")
        .collect();
    assert!(codes.is_empty(), "{codes:?}");
    let stdout = String::from_utf8_lossy(
        &repo
            .cmd(&["check", "--base", "main"])
            .output()
            .unwrap()
            .stdout,
    )
    .to_string();
    assert!(stdout.contains("review recorded"), "{stdout}");
    assert!(stdout.contains("PRC-NEW  added"), "{stdout}");
}

#[test]
fn the_gate_refuses_removing_a_document_that_was_not_retired() {
    let repo = repository();
    branch(&repo);
    repo.remove("policies/access-control.md");
    let checked = repo.check_with(&["--base", "main"]);
    let d = checked.one("removed-without-retirement");
    assert_eq!(d["file"], "policies/access-control.md");
    assert_eq!(checked.code, 1);

    // Retired in an earlier change: the removal is fine.
    let repo = repository();
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.1",
            "retired",
            "",
            "Retired: replaced",
            "Access follows need to know.",
        ),
    );
    repo.commit("Retire POL-AC", "Ann", "2026-02-01T09:00:00+00:00");
    branch(&repo);
    repo.remove("policies/access-control.md");
    assert!(
        repo.check_with(&["--base", "main"])
            .with_code("removed-without-retirement")
            .is_empty()
    );
}

#[test]
fn the_gate_compares_with_the_merge_base() {
    let repo = repository();
    branch(&repo);
    repo.write(
        "policies/access-control.md",
        &policy_at(
            "1.1",
            "approved",
            "2026-02-01",
            "Branch change",
            "Branch text.",
        ),
    );
    repo.commit("1.1 on the branch", "Ann", "2026-02-01T09:00:00+00:00");
    // main moves on meanwhile, changing another document.
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("version: \"1.0\"", "version: \"1.1\"")
            .replace("change: Initial version", "change: Main change")
            .replace("Follow the", "Always follow the"),
    );
    repo.commit("PRC-AC 1.1 on main", "Bob", "2026-02-02T09:00:00+00:00");
    repo.git(&["checkout", "-q", "change"]);
    let output = repo.cmd(&["check", "--base", "main"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("gate: 1 controlled document changed since"),
        "{stdout}"
    );
    assert!(stdout.contains("merge base of main and HEAD"), "{stdout}");
}

#[test]
fn an_unknown_base_is_a_usage_error() {
    let repo = repository();
    let output = repo
        .cmd(&["check", "--base", "origin/nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("git fetch"));
}

#[test]
fn diff_summarises_documents_controls_and_the_soa() {
    let repo = repository();
    repo.git(&["tag", "before"]);
    repo.write(
        "policies/access-control.md",
        &policy_at("2.0", "approved", "2026-02-01", "Security keys", "Keys.")
            .replace("controls: [\"5.15\"]", "controls: [\"5.15\", \"8.5\"]"),
    );
    repo.write("soa.yaml", &repo.read("soa.yaml").replacen("  A.7.4:\n    applicable: true\n    status: implemented\n    justification: Risk R-01.\n", "  A.7.4:\n    applicable: false\n    justification: No premises.\n", 1));
    repo.commit("2.0", "Ann", "2026-02-02T09:00:00+00:00");
    let output = repo.cmd(&["diff", "before..HEAD"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(
            "| **POL-AC** Access Control Policy | changed | 1.0 → 2.0 | approved | Security keys |"
        ),
        "{text}"
    );
    assert!(text.contains("- **POL-AC**: +A.8.5"), "{text}");
    assert!(
        text.contains(
            "| A.7.4 Physical security monitoring | applicable, implemented | excluded |"
        ),
        "{text}"
    );
    // Nothing changed: said so.
    let output = repo.cmd(&["diff", "HEAD"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("No controlled document changed."));
}

#[test]
fn codeowners_block_is_written_and_checked() {
    let repo = repository();
    repo.write(".github/CODEOWNERS", "* @test/everyone\n");
    let output = repo.cmd(&["codeowners", "--write"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = repo.read(".github/CODEOWNERS");
    assert!(
        text.starts_with("* @test/everyone\n\n# BEGIN ismsbook"),
        "{text}"
    );
    assert!(
        text.contains("\n/policies/access-control.md @test/security\n"),
        "{text}"
    );
    // The owner IT has no handle; the approver CISO has one.
    assert!(
        text.contains("\n/procedures/access.md @test/security\n"),
        "{text}"
    );
    repo.commit("CODEOWNERS", "Carol", "2026-01-11T09:00:00+00:00");
    assert!(repo.check().with_code("codeowners-outdated").is_empty());

    // The owner and approvers change, to roles without handles: the committed block
    // is out of date, and the new block says why the document has no code owner.
    repo.write(
        "policies/access-control.md",
        &repo
            .read("policies/access-control.md")
            .replace("owner: CISO", "owner: IT\napprovers: [CEO]"),
    );
    let checked = repo.check();
    checked.assert_at("codeowners-outdated", "warning", ".github/CODEOWNERS", 0, 0);
    // Writing again replaces the block only.
    repo.cmd(&["codeowners", "--write"]).output().unwrap();
    let text = repo.read(".github/CODEOWNERS");
    assert!(
        text.contains("\n# /policies/access-control.md: no forge handle for IT, CEO"),
        "{text}"
    );
    assert_eq!(text.matches("# BEGIN ismsbook").count(), 1);
    assert!(text.starts_with("* @test/everyone\n"));
    assert!(repo.check().with_code("codeowners-outdated").is_empty());
}

#[test]
fn a_corrupt_or_outdated_cache_is_rebuilt() {
    let repo = repository();
    let cache = repo.path().join(".git/ismsbook/history.bin");
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0"]);
    std::fs::write(&cache, b"{ not json").unwrap();
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0"]);
    let good = std::fs::read(&cache).unwrap();
    assert!(good.starts_with(b"ismsbook-history"));
    // A cache of another format, claiming the current HEAD, is not trusted; nor is
    // one cut short.
    let mut old = good.clone();
    old[16..20].copy_from_slice(&1u32.to_le_bytes());
    std::fs::write(&cache, &old).unwrap();
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0"]);
    assert_eq!(std::fs::read(&cache).unwrap(), good);
    std::fs::write(&cache, &good[..good.len() / 2]).unwrap();
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0"]);
    assert_eq!(std::fs::read(&cache).unwrap(), good);
    // The JSON cache of earlier versions is removed when the cache is written.
    let legacy = repo.path().join(".git/ismsbook/history.json");
    std::fs::write(&legacy, "{}").unwrap();
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(versions(&repo.log("POL-AC")), ["1.0"]);
    assert!(!legacy.exists());
    assert!(repo.check().diagnostics.is_empty());
}

#[test]
fn a_bare_repository_given_as_root_says_so() {
    let origin = repository();
    let bare = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    bare.git(&["clone", "-q", "--bare", &url, "."]);
    let output = bare.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("bare git repository"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_commit_as_of_a_date_is_the_branch_on_that_day() {
    let repo = repository();
    repo.write(
        "policies/access-control.md",
        &policy_at("1.1", "approved", "2026-02-01", "Next", "Changed."),
    );
    repo.commit("1.1", "Ann", "2026-02-02T09:00:00+00:00");
    let first = repo.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let second = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let git = git2::Repository::open(repo.path()).unwrap();
    let as_of = |d: &str| {
        ismsbook::history::commit_as_of(&git, d.parse().unwrap())
            .unwrap()
            .map(|o| o.to_string())
    };
    assert_eq!(as_of("2026-01-09"), None);
    assert_eq!(as_of("2026-01-10").as_deref(), Some(first.as_str()));
    assert_eq!(as_of("2026-02-01").as_deref(), Some(first.as_str()));
    assert_eq!(as_of("2026-02-02").as_deref(), Some(second.as_str()));
}

#[test]
fn the_handbook_as_it_stood_at_a_revision_or_a_date() {
    let repo = repository();
    repo.write(
        "policies/access-control.md",
        &policy_at("1.1", "approved", "2026-03-01", "Next", "New rules."),
    );
    repo.commit("1.1", "Ann", "2026-03-02T09:00:00+00:00");
    let first = repo.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let read =
        |dir: &str, page: &str| std::fs::read_to_string(repo.path().join(dir).join(page)).unwrap();

    let output = repo
        .cmd(&["build", "--rev", "HEAD~1", "--dest", "then"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = read("then", "policies/access-control.html");
    assert!(
        page.contains("POL-AC, version 1.0") && !page.contains("<td>1.1</td>"),
        "{page}"
    );
    assert!(
        read("then", "index.html")
            .contains(&format!("Built from commit <code>{}</code>", &first[..12]))
    );

    // The end of 2026-02-15: after the import, before 1.1.
    let output = repo
        .cmd(&["build", "--as-of", "2026-02-15", "--dest", "audit"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(read("audit", "policies/access-control.html").contains("POL-AC, version 1.0"));
    let output = repo
        .cmd(&["build", "--as-of", "2026-03-02", "--dest", "now"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(read("now", "policies/access-control.html").contains("POL-AC, version 1.1"));

    // Before the first commit, or an unknown revision: usage errors.
    let output = repo
        .cmd(&["build", "--as-of", "2025-12-31"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no commit on or before 2025-12-31"));
    assert_eq!(
        repo.cmd(&["build", "--rev", "nope"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    // The working tree and HEAD's cache are untouched.
    assert!(
        repo.read("policies/access-control.md")
            .contains("version: \"1.1\"")
    );
}

#[test]
fn a_past_state_is_published_with_its_errors_counted() {
    let repo = repository();
    let broken = policy_at("1.1", "approved", "2026-03-01", "Next", "New rules.")
        .replace("owner: CISO", "owner: NOBODY");
    repo.write("policies/access-control.md", &broken);
    repo.commit(
        "A role that does not exist",
        "Ann",
        "2026-03-02T09:00:00+00:00",
    );
    repo.write(
        "policies/access-control.md",
        &policy_at("1.2", "approved", "2026-03-03", "Fixed", "New rules."),
    );
    repo.commit("Fixed", "Ann", "2026-03-03T09:00:00+00:00");
    let output = repo
        .cmd(&["build", "--rev", "HEAD~1", "--dest", "then"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(" errors: "), "{stdout}");
    assert!(stdout.contains("1 unknown-role"), "{stdout}");
}
