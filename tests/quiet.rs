//! Quiet and exact: folded output, levels per code from book.toml, waivers with a
//! reason and an end, one fault giving one error, the gate's verdict last, and no
//! false positives on valid Markdown.

mod common;
use common::*;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// A fresh `init` repository, committed.
fn fresh() -> Repo {
    let repo = Repo::empty();
    let output = repo
        .cmd(&["init", "--organization", "Acme Ltd"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout(&output).contains("initialised a git repository"));
    repo.commit("Start the ISMS", "Ada Admin", "2026-11-01T10:00:00+00:00");
    repo
}

#[test]
fn a_fresh_repository_checks_and_builds_in_a_few_lines() {
    let repo = fresh();
    let output = repo.cmd(&["check"]).output().unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.lines().count() <= 25,
        "{} lines:\n{text}",
        text.lines().count()
    );
    assert!(
        text.contains("93 controls undecided: A.5.1, A.5.2, A.5.3, … and 90 more"),
        "{text}"
    );
    assert!(
        text.contains("17 mandatory items not covered: 4.3, 5.2, 6.1.2, … and 14 more"),
        "{text}"
    );
    assert_eq!(
        text.lines().last().unwrap(),
        "check: 0 errors, 110 warnings in 2 documents (93 soa-undecided, 17 clause-not-covered)"
    );

    let output = repo.cmd(&["build"]).output().unwrap();
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.lines().count() <= 25,
        "{} lines:\n{text}",
        text.lines().count()
    );
    assert!(
        text.contains("(110 warnings: 93 soa-undecided, 17 clause-not-covered)"),
        "{text}"
    );
    assert!(
        text.contains("2 drafts are not published; `ismsbook build --drafts` shows them"),
        "{text}"
    );
    let index = repo.read("book/index.html");
    assert!(
        index.contains("No document is approved yet. 2 drafts are not published"),
        "{index}"
    );
}

#[test]
fn verbose_shows_every_finding_and_code_filters() {
    let repo = fresh();
    let all = stdout(&repo.cmd(&["check", "--verbose"]).output().unwrap());
    assert_eq!(all.matches("warning[soa-undecided]").count(), 93);
    let one = stdout(
        &repo
            .cmd(&["check", "--code", "clause-not-covered"])
            .output()
            .unwrap(),
    );
    assert_eq!(one.matches("warning[clause-not-covered]").count(), 17);
    assert!(!one.contains("soa-undecided]"));
    // Whole-ISMS findings say so, and come in the clauses' numeric order.
    assert!(one.contains("--> the ISMS as a whole"), "{one}");
    let first = one.find("clause 4.3").unwrap();
    let last = one.find("clause 10.2").unwrap();
    assert!(first < last, "4.3 before 10.2:\n{one}");
    let wrong = repo
        .cmd(&["check", "--code", "soa-undecide"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("did you mean `soa-undecided`?"));
    // Machine formats stay complete.
    let json = repo.check();
    assert_eq!(json.with_code("soa-undecided").len(), 93);
}

fn with_levels(levels: &str) -> Repo {
    let repo = Repo::clean();
    repo.write("book.toml", &format!("{BOOK_TOML}\n[check]\n{levels}\n"));
    repo.write(
        "policies/security.md",
        &repo
            .read("policies/security.md")
            .replace("approved_on: 2026-03-01", "approved_on: 2025-03-01"),
    );
    repo
}

#[test]
fn book_toml_sets_the_level_of_each_code() {
    // The review of POL-SEC is overdue: a warning by default.
    let repo = with_levels("");
    let checked = repo.check();
    assert_eq!(checked.one("review-overdue")["severity"], "warning");
    assert_eq!(checked.code, 0);

    let repo = with_levels("allow = [\"review-overdue\"]");
    let checked = repo.check();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);

    let repo = with_levels("deny = [\"review-overdue\"]");
    let checked = repo.check();
    assert_eq!(checked.one("review-overdue")["severity"], "error");
    assert_eq!(checked.code, 1);

    let repo = with_levels("warn = [\"broken-link\"]\nallow = [\"review-overdu\"]");
    let output = repo.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`review-overdu` is not a diagnostic code"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `review-overdue`?"),
        "{stderr}"
    );

    let repo = with_levels("allow = [\"yaml-syntax\"]");
    let output = repo.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot be changed"));
}

#[test]
fn waivers_silence_until_they_end_and_auditors_see_them() {
    let repo = with_levels("");
    let original = repo.read("policies/security.md");
    let waived = |until: &str| {
        original.replace(
            "change: Initial version\n",
            &format!("change: Initial version\nwaivers:\n  - code: review-overdue\n    reason: \"Reorganisation; the CEO accepted a delay (board minutes 2026-10)\"\n    until: {until}\n"),
        )
    };
    repo.write("policies/security.md", &waived("2027-01-31"));
    let checked = repo.check();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    let output = repo.cmd(&["build"]).output().unwrap();
    assert!(output.status.success());
    let gaps = repo.read("book/gaps.html");
    assert!(
        gaps.contains("Reorganisation; the CEO accepted a delay"),
        "{gaps}"
    );
    assert!(gaps.contains("2027-01-31"));
    let json: serde_json::Value = serde_json::from_str(&repo.read("book/handbook.json")).unwrap();
    assert_eq!(json["waivers"][0]["code"], "review-overdue");
    assert_eq!(json["waivers"][0]["subject"], "POL-SEC");
    assert_eq!(json["waivers"][0]["until"], "2027-01-31");
    assert_eq!(json["waivers"][0]["silenced"], 1);

    repo.write("policies/security.md", &waived("2026-11-01"));
    let checked = repo.check();
    let d = checked.one("waiver-expired");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "policies/security.md");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("ended on 2026-11-01"),
        "{d}"
    );
    assert_eq!(checked.code, 1);
    // The finding it waived is back.
    assert_eq!(checked.with_code("review-overdue").len(), 1);

    // A waiver in the SoA, for one control.
    repo.write("policies/security.md", &original);
    let soa = repo.read("soa.yaml").replace(
        "  A.5.7:\n    applicable: true\n    status: implemented\n",
        "  A.5.7:\n    applicable: true\n    status: implemented\n    waivers: [{code: control-not-implemented, reason: \"Threat feed contract signed, starts in January\", until: 2027-01-15}]\n",
    );
    repo.write("soa.yaml", &soa);
    let policy = repo.read("policies/security.md").replace("\"5.7\", ", "");
    repo.write("policies/security.md", &policy);
    let checked = repo.check();
    assert!(
        checked.with_code("control-not-implemented").is_empty(),
        "{:#?}",
        checked.diagnostics
    );
}

#[test]
fn a_repeated_key_in_the_soa_is_one_error_at_its_line() {
    let repo = Repo::clean();
    let soa = repo.read("soa.yaml");
    let repeated = soa.replacen(
        "  A.5.2:\n",
        "  A.5.1:\n    applicable: true\n  A.5.2:\n",
        1,
    );
    repo.write("soa.yaml", &repeated);
    let checked = repo.check();
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
    let d = checked.one("yaml-syntax");
    let line = repeated
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "A.5.1:")
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert_eq!(d["line"], line as u64, "{d}");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("`A.5.1` is given twice")
    );
}

#[test]
fn a_broken_front_matter_raises_nothing_in_other_documents() {
    let repo = Repo::clean();
    // POL-SEC, which PRC-AC lists as related and which implements every control,
    // has a key written twice.
    let text = repo.read("policies/security.md").replace(
        "title: Information Security Policy\n",
        "title: Information Security Policy\ntitle: Again\n",
    );
    repo.write("policies/security.md", &text);
    let checked = repo.check();
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
    let d = checked.one("yaml-syntax");
    assert_eq!(d["file"], "policies/security.md");
    assert_eq!(d["line"], 4);
}

#[test]
fn a_changed_approved_document_without_a_new_version_is_one_error_and_the_verdict_ends_the_log() {
    let repo = Repo::clean();
    repo.git_init();
    repo.commit("Initial ISMS", "Ada Admin", "2026-06-01T10:00:00+00:00");
    repo.git(&["checkout", "-q", "-b", "change"]);
    let text = repo
        .read("procedures/access.md")
        .replace("## Steps\n", "## Steps\n\nA new step.\n");
    repo.write("procedures/access.md", &text);
    repo.commit(
        "Edit the access procedure",
        "Bo Author",
        "2026-07-01T10:00:00+00:00",
    );

    let checked = repo.check_with(&["--base", "main"]);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{:#?}", checked.diagnostics);
    assert_eq!(errors[0]["code"], "version-not-raised");
    assert_eq!(checked.code, 1);

    let output = repo.cmd(&["check", "--base", "main"]).output().unwrap();
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.last().unwrap(),
        &"gate: FAIL: 1 of 1 changed document breaks the rules (above)",
        "{text}"
    );
    assert!(lines[lines.len() - 2].contains("PRC-AC  changed"), "{text}");
    assert!(lines[lines.len() - 2].contains("FAIL"), "{text}");
    assert!(
        lines[lines.len() - 3].starts_with("gate: 1 controlled document changed since main"),
        "{text}"
    );
}

#[test]
fn valid_markdown_raises_nothing() {
    let repo = Repo::clean();
    let text = repo.read("procedures/access.md").replace(
        "## Steps\n",
        "## Contacts {Security Team}\n\nWrite to <security@example.com> or [mail us](mailto:security@example.com); back to the [top](#); see [contacts](#contacts-security-team).\n\n## Steps\n",
    );
    repo.write("procedures/access.md", &text);
    let checked = repo.check();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    let output = repo.cmd(&["build"]).output().unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    let page = repo.read("book/procedures/access.html");
    assert!(
        page.contains("<h2 id=\"contacts-security-team\">Contacts {Security Team}</h2>"),
        "{page}"
    );
    assert!(
        page.contains("href=\"mailto:security@example.com\""),
        "{page}"
    );
}

#[test]
fn log_finds_ids_whatever_their_case_and_suggests_near_ones() {
    let repo = Repo::clean();
    repo.git_init();
    repo.commit("Initial ISMS", "Ada Admin", "2026-06-01T10:00:00+00:00");
    let output = repo.cmd(&["log", "prc-ac"]).output().unwrap();
    assert!(output.status.success());
    assert!(stdout(&output).starts_with("PRC-AC  Access Procedure"));
    let output = repo.cmd(&["log", "PRC-AX"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `PRC-AC`?"));
}
