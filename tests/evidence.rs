//! Evidence an auditor can verify, on real git repositories: the SoA as a controlled
//! document, approval evidence in three levels (signed commits made here with
//! ssh-keygen and git; verified by ismsbook in-process), approvals that cannot be
//! rewritten or predate their text, ids never reused, records never changed, and
//! revision rows that take every fact from one commit.

mod common;
use common::*;
use serde_json::Value;

const MEMBERS: &str = "[roles.CEO]\nname = \"Chief Executive Officer\"\nmembers = [\"ceo@example.com\"]\n\n[roles.CISO]\nname = \"Chief Information Security Officer\"\nhandle = \"@test/security\"\nmembers = [\"ciso@example.com\"]\n\n[roles.IT]\nname = \"IT Manager\"\nhandle = \"@test/it\"\nmembers = [\"it.manager@example.com\"]\n";

/// The test book.toml with members for the roles (and `more` before the roles).
fn book_toml(more: &str) -> String {
    let head = BOOK_TOML.split("[roles.CEO]").next().unwrap();
    format!("{head}{more}\n{MEMBERS}")
}

/// A document, committed at `date` by `author` with `message`.
fn commit(repo: &Repo, message: &str, author: &str, date: &str) {
    repo.commit(message, author, &format!("{date}T10:00:00+00:00"));
}

/// The evidence levels of a file's revisions, oldest first.
fn evidence(repo: &Repo, file: &str) -> Vec<String> {
    let log = repo.log(file);
    log["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["evidence"]["level"].as_str().unwrap_or("-").to_string())
        .collect()
}

/// The access procedure as it stands, at a new version approved on a day, with
/// `text` added to its steps and as its change text.
fn access(repo: &Repo, version: &str, approved_on: &str, text: &str) -> String {
    repo.read("procedures/access.md")
        .lines()
        .map(|line| match line.split_once(':').map(|(k, _)| k) {
            Some("version") => format!("version: \"{version}\""),
            Some("approved_on") => format!("approved_on: {approved_on}"),
            Some("change") => format!("change: \"{text}\""),
            _ if line == "## Steps" => format!("## Steps\n\n{text}"),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn the_soa_is_a_controlled_document() {
    let repo = Repo::clean();
    repo.git_init();
    commit(&repo, "Import the ISMS", "Carol", "2026-06-01");

    // A decision changed without a new version: the gate says so, on soa.yaml.
    repo.git(&["checkout", "-q", "-b", "exclude-7.4"]);
    let soa = repo.read("soa.yaml").replace(
        "  A.7.4:\n    applicable: true\n    status: implemented\n    justification: Risk R-01.\n",
        "  A.7.4:\n    applicable: false\n    justification: \"No premises of our own: staff work remotely.\"\n",
    );
    repo.write("soa.yaml", &soa);
    let checked = repo.check_with(&["--base", "main"]);
    let d = checked.one("version-not-raised");
    assert_eq!(d["file"], "soa.yaml");
    assert_eq!(d["line"], 1, "at `version`: {d}");

    // With a new version, change text and approval, the gate passes and `diff`
    // shows the SoA's version.
    let soa = soa
        .replace("version: \"1.0\"", "version: \"1.1\"")
        .replace("approved_on: 2026-03-01", "approved_on: 2026-06-10")
        .replace(
            "change: First decisions",
            "change: \"7.4 excluded: no premises\"",
        );
    repo.write("soa.yaml", &soa);
    let policy = repo.read("policies/security.md").replace("\"7.4\", ", "");
    repo.write(
        "policies/security.md",
        &policy
            .replace("version: \"1.0\"", "version: \"1.1\"")
            .replace("approved_on: 2026-03-01", "approved_on: 2026-06-10")
            .replace(
                "change: Initial version",
                "change: \"7.4 no longer implemented\"",
            ),
    );
    commit(&repo, "Exclude 7.4", "Carol", "2026-06-10");
    let checked = repo.check_with(&["--base", "main"]);
    assert!(
        checked.diagnostics.iter().all(|d| d["severity"] != "error"),
        "{:#?}",
        checked.diagnostics
    );
    let diff = repo.cmd(&["diff", "main..HEAD"]).output().unwrap();
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(
        diff.contains("| **soa.yaml** Statement of Applicability | changed | 1.0 → 1.1 |"),
        "{diff}"
    );

    // `log soa.yaml` lists its versions; the SoA page shows its control block and
    // revision history.
    let log = repo.log("soa.yaml");
    let versions: Vec<&str> = log["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["1.0", "1.1"]);
    assert!(repo.cmd(&["build"]).output().unwrap().status.success());
    let page = repo.read("book/soa.html");
    assert!(
        page.contains("Statement of Applicability, version 1.1"),
        "{page}"
    );
    assert!(page.contains("<td>1.1</td><td>2026-06-10</td>"), "{page}");

    // CODEOWNERS routes soa.yaml to its owner and approvers, book.toml to the
    // SoA's approvers.
    let block = repo.cmd(&["codeowners"]).output().unwrap();
    let block = String::from_utf8_lossy(&block.stdout);
    assert!(block.contains("/soa.yaml @test/security\n"), "{block}");
    assert!(block.contains("/book.toml @test/security\n"), "{block}");
}

#[test]
fn the_soa_s_control_fields_are_checked_like_a_document_s() {
    let repo = Repo::clean();
    let soa = repo.read("soa.yaml").replace("approved_by: CEO\n", "");
    repo.write("soa.yaml", &soa);
    let checked = repo.check();
    let d = checked.one("approval-incomplete");
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("soa.yaml"), Some(2))
    );
}

#[test]
fn a_soa_without_document_control_is_one_error_where_the_block_belongs() {
    let repo = Repo::clean();
    let soa = repo.read("soa.yaml").replace(SOA_CONTROL, "# decisions\n");
    repo.write("soa.yaml", &soa);
    let checked = repo.check();
    let d = checked.one("missing-field");
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("soa.yaml"), Some(2)),
        "at `controls:`: {d}"
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("no document control")
    );
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
}

#[test]
fn evidence_is_declared_recorded_or_signed() {
    let repo = Repo::clean();
    repo.write("book.toml", &book_toml(""));
    repo.git_init();
    commit(&repo, "Import the ISMS", "Carol", "2026-06-01");
    // 1.1 landed with a trailer of a CISO member: recorded.
    repo.write(
        "procedures/access.md",
        &access(&repo, "1.1", "2026-06-05", "Trailer"),
    );
    commit(
        &repo,
        "Access procedure 1.1\n\nApproved-by: Cy Iso <ciso@example.com>",
        "Dev",
        "2026-06-05",
    );
    // 1.2 committed by the CISO member: recorded.
    repo.write(
        "procedures/access.md",
        &access(&repo, "1.2", "2026-06-06", "By the approver"),
    );
    repo.git_as(&["add", "-A"], "Ciso", "2026-06-06T10:00:00+00:00");
    let email_as = |name: &str, date: &str, args: &[&str]| {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", "ciso@example.com")
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", "ciso@example.com")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    email_as(
        "Cy Iso",
        "2026-06-06T10:00:00+00:00",
        &[
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "Access procedure 1.2",
        ],
    );
    // 1.3 signed by the CISO member's SSH key, listed in the allowed signers.
    let key = repo.path().join("ciso-key");
    let keygen = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "ciso", "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen (OpenSSH, package openssh-client) signs the test's commits");
    assert!(keygen.status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    repo.write(
        ".ismsbook/allowed_signers",
        &format!("ciso@example.com namespaces=\"git\" {public}"),
    );
    repo.write(
        "book.toml",
        &book_toml("[repository]\nallowed-signers = \".ismsbook/allowed_signers\"\n"),
    );
    std::fs::rename(&key, repo.path().join("../ciso-signing-key")).ok();
    let key = repo.path().join("../ciso-signing-key");
    repo.write(
        "procedures/access.md",
        &access(&repo, "1.3", "2026-06-07", "Signed"),
    );
    repo.git(&["add", "-A"]);
    repo.git_as(
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={}", key.display()),
            "commit",
            "-q",
            "-S",
            "-m",
            "Access procedure 1.3",
        ],
        "Dev",
        "2026-06-07T10:00:00+00:00",
    );
    assert_eq!(
        evidence(&repo, "PRC-AC"),
        ["declared", "recorded", "recorded", "signed"]
    );
    let log = repo.log("PRC-AC");
    let last = log["revisions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["evidence"]["by"], "ciso@example.com");
    assert_eq!(last["evidence"]["how"], "SSH signature");
    let trailer = &log["revisions"][1]["evidence"];
    assert_eq!(trailer["how"], "Approved-by trailer");

    // A signature by a key not in the allowed signers is no signature: a new
    // signers file without the key leaves 1.3 declared (Dev is no member).
    repo.write(".ismsbook/allowed_signers", "");
    assert_eq!(
        evidence(&repo, "PRC-AC"),
        ["declared", "recorded", "recorded", "declared"]
    );

    // The page shows the evidence of the current version.
    repo.write(
        ".ismsbook/allowed_signers",
        &format!("ciso@example.com {public}"),
    );
    assert!(repo.cmd(&["build"]).output().unwrap().status.success());
    let page = repo.read("book/procedures/access.html");
    assert!(
        page.contains("signed (SSH signature of ciso@example.com in"),
        "{page}"
    );
    let json: Value = serde_json::from_str(&repo.read("book/handbook.json")).unwrap();
    let doc = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "PRC-AC")
        .unwrap();
    assert_eq!(doc["revisions"][3]["evidence"]["level"], "signed");

    // Evidence already judged is kept in the git directory, under the members and
    // signers it was judged against: other members, other evidence.
    let memo = repo.path().join(".git/ismsbook/evidence.bin");
    assert!(memo.is_file());
    // A damaged memo is no memo: the evidence is judged again.
    std::fs::write(&memo, b"ismsbook-evidenc\x0c\0\0\0\xff\xff").unwrap();
    assert_eq!(
        evidence(&repo, "PRC-AC"),
        ["declared", "recorded", "recorded", "signed"]
    );
    repo.write(
        "book.toml",
        &book_toml("[repository]\nallowed-signers = \".ismsbook/allowed_signers\"\n")
            .replace("[\"ciso@example.com\"]", "[\"new.ciso@example.com\"]"),
    );
    assert_eq!(
        evidence(&repo, "PRC-AC"),
        ["declared", "declared", "declared", "declared"]
    );
}

#[test]
fn approvals_below_the_required_evidence_fail_from_the_setting_on() {
    let repo = Repo::clean();
    repo.write("book.toml", &book_toml(""));
    repo.git_init();
    commit(&repo, "Import the ISMS", "Carol", "2026-06-01");
    // The setting is adopted: the approvals before it are shown, not failed.
    repo.write(
        "book.toml",
        &book_toml("").replace(
            "[build.folders]",
            "[documents]\napproval-evidence = \"recorded\"\n\n[build.folders]",
        ),
    );
    commit(
        &repo,
        "Approvals are recorded from now on",
        "Carol",
        "2026-06-02",
    );
    let checked = repo.check();
    assert!(
        checked.with_code("approval-unproven").is_empty(),
        "{:#?}",
        checked.diagnostics
    );

    // 1.1 lands without evidence: an error at its approved_by.
    repo.write(
        "procedures/access.md",
        &access(&repo, "1.1", "2026-06-05", "Unproven"),
    );
    commit(&repo, "Access procedure 1.1", "Dev", "2026-06-05");
    let checked = repo.check();
    let d = checked.one("approval-unproven");
    assert_eq!(d["file"], "procedures/access.md");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("is declared, but book.toml requires recorded evidence"),
        "{d}"
    );
    assert!(
        d["hint"]
            .as_str()
            .unwrap()
            .contains("members: ciso@example.com"),
        "{d}"
    );
    assert_eq!(checked.code, 1);
}

#[test]
fn a_version_approved_by_its_sole_author_is_noted() {
    let repo = Repo::clean();
    repo.write("book.toml", &book_toml(""));
    repo.git_init();
    commit(&repo, "Import the ISMS", "Carol", "2026-06-01");
    repo.write(
        "procedures/access.md",
        &access(&repo, "1.1", "2026-06-05", "My own"),
    );
    // Written and committed by the CISO's only member, approved by the CISO.
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(repo.path())
        .args([
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-qam",
            "Access procedure 1.1",
        ])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Cy Iso")
        .env("GIT_AUTHOR_EMAIL", "ciso@example.com")
        .env("GIT_COMMITTER_NAME", "Cy Iso")
        .env("GIT_COMMITTER_EMAIL", "ciso@example.com")
        .env("GIT_AUTHOR_DATE", "2026-06-05T10:00:00+00:00")
        .env("GIT_COMMITTER_DATE", "2026-06-05T10:00:00+00:00")
        .output()
        .unwrap();
    assert!(output.status.success());
    let checked = repo.check();
    let d = checked.one("self-approved");
    assert_eq!(d["severity"], "warning");
    assert!(
        d["message"].as_str().unwrap().contains("ciso@example.com"),
        "{d}"
    );
}

#[test]
fn approvals_cannot_be_rewritten_or_predate_their_text() {
    let repo = Repo::clean();
    repo.git_init();
    commit(&repo, "Import the ISMS", "Carol", "2026-06-01");

    // Only approved_by of the approved version changes: rewritten.
    repo.git(&["checkout", "-q", "-b", "rewrite"]);
    let text = repo
        .read("policies/security.md")
        .replace("approved_by: CEO", "approved_by: CISO");
    repo.write("policies/security.md", &text);
    let checked = repo.check_with(&["--base", "main"]);
    let d = checked.one("approval-rewritten");
    assert!(
        d["message"].as_str().unwrap().contains("from CEO to CISO"),
        "{d}"
    );
    assert_eq!(checked.code, 1);
    // So does its date.
    repo.git(&["checkout", "-q", "--", "."]);
    let text = repo
        .read("procedures/access.md")
        .replace("approved_on: 2026-06-01", "approved_on: 2026-05-20");
    repo.write("procedures/access.md", &text);
    let checked = repo.check_with(&["--base", "main"]);
    assert!(
        checked.one("approval-rewritten")["message"]
            .as_str()
            .unwrap()
            .contains("`approved_on`")
    );
    repo.git(&["checkout", "-q", "--", "."]);
    repo.git(&["checkout", "-q", "main"]);

    // 1.1's text lands on 2026-06-20 but says it was approved on 2026-06-15.
    repo.write(
        "procedures/access.md",
        &access(&repo, "1.1", "2026-06-15", "Backdated"),
    );
    commit(&repo, "Access procedure 1.1", "Dev", "2026-06-20");
    let checked = repo.check();
    let d = checked.one("approval-predates-change");
    assert!(
        d["message"].as_str().unwrap().contains(
            "approved_on 2026-06-15 is before the approved text was written, on 2026-06-20"
        ),
        "{d}"
    );
}

#[test]
fn an_approval_imported_with_a_document_is_not_backdated() {
    let repo = Repo::clean();
    repo.git_init();
    // The clean repository's documents were approved before their first commit.
    commit(&repo, "Import the ISMS", "Carol", "2026-07-01");
    let checked = repo.check();
    assert!(checked.with_code("approval-predates-change").is_empty());
}

#[test]
fn an_id_is_never_reused() {
    let repo = Repo::clean();
    let plan = document(
        &[
            ("id", "PLN-RT"),
            ("title", "Risk Treatment Plan"),
            ("version", "\"1.0\""),
            ("status", "retired"),
            ("owner", "CISO"),
        ],
        "# Risk Treatment Plan\n",
    );
    repo.write("procedures/treatment.md", &plan);
    repo.git_init();
    commit(&repo, "Import", "Carol", "2026-06-01");
    repo.remove("procedures/treatment.md");
    commit(&repo, "Remove the retired plan", "Carol", "2026-06-02");
    repo.write(
        "procedures/retention.md",
        &document(
            &[
                ("id", "PLN-RT"),
                ("title", "Record Retention"),
                ("version", "\"0.1\""),
                ("owner", "CISO"),
            ],
            "# Record Retention\n",
        ),
    );
    let checked = repo.check();
    let d = checked.one("id-reused");
    assert_eq!(d["file"], "procedures/retention.md");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("belonged to \"Risk Treatment Plan\" (procedures/treatment.md)"),
        "{d}"
    );
}

#[test]
fn an_approved_record_never_changes() {
    let repo = Repo::clean();
    let record = |version: &str, text: &str| {
        document(
            &[
                ("id", "REC-AUD-2026"),
                ("title", "Internal Audit Report 2026"),
                ("type", "record"),
                ("version", &format!("\"{version}\"")),
                ("status", "approved"),
                ("owner", "CISO"),
                ("approved_by", "CISO"),
                ("approved_on", "2026-06-01"),
                ("retention", "6y"),
                ("clauses", "[\"9.2.2\"]"),
                ("change", "Audit report"),
            ],
            &format!("# Internal Audit Report 2026\n\n{text}\n"),
        )
    };
    repo.write(
        "procedures/audit-2026.md",
        &record("1.0", "Two minor findings."),
    );
    repo.git_init();
    commit(&repo, "Audit report", "Carol", "2026-06-01");
    repo.write(
        "procedures/audit-2026.md",
        &record("1.1", "One minor finding."),
    );
    let checked = repo.check();
    let d = checked.one("record-changed");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("REC-AUD-2026 was approved in"),
        "{d}"
    );
}

#[test]
fn records_say_how_long_they_are_kept_and_documents_what_they_serve() {
    let repo = Repo::clean();
    repo.write(
        "procedures/minutes.md",
        &document(
            &[
                ("id", "REC-MR-1"),
                ("title", "Management review minutes"),
                ("type", "record"),
                ("version", "\"1.0\""),
                ("owner", "CISO"),
            ],
            "# Minutes\n",
        ),
    );
    let untraced = policy("POL-X", "Clean Desk Policy", "[]", "").replace(
        "clauses: [\"4.3\", \"5.2\", \"6.1.2\", \"6.1.3\", \"6.2\", \"7.2\", \"7.5.3\", \"8.1\", \"8.2\", \"8.3\", \"9.1\", \"9.2.2\", \"9.3.3\", \"10.2\"]",
        "clauses: []",
    );
    repo.write("policies/clean-desk.md", &untraced);
    let checked = repo.check();
    assert_eq!(
        checked.one("retention-missing")["file"],
        "procedures/minutes.md"
    );
    assert_eq!(
        checked.one("untraced-document")["file"],
        "policies/clean-desk.md"
    );
}

#[test]
fn external_documents_and_languages_are_shown() {
    let repo = Repo::clean();
    repo.write(
        "policies/gdpr.md",
        &policy("POL-GDPR", "GDPR", "[\"5.34\"]", "origin: external\nsource: \"EUR-Lex, Regulation (EU) 2016/679\"\nsource_version: \"OJ L 119\"\nsource_date: 2016-05-04\nlanguage: de-DE\n"),
    );
    let checked = repo.check();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    assert!(repo.cmd(&["build"]).output().unwrap().status.success());
    let index = repo.read("book/index.html");
    let external = &index[index.find("Documents of external origin").unwrap()..];
    assert!(
        external.contains("EUR-Lex, Regulation (EU) 2016/679, OJ L 119, 2016-05-04"),
        "{index}"
    );
    let page = repo.read("book/policies/gdpr.html");
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"de-DE\">"),
        "{page}"
    );
    // handbook.json carries the same facts, and the SoA's own control block.
    let json: Value = serde_json::from_str(&repo.read("book/handbook.json")).unwrap();
    let gdpr = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "POL-GDPR")
        .unwrap();
    assert_eq!(
        (&gdpr["origin"], &gdpr["source_version"], &gdpr["language"]),
        (
            &Value::from("external"),
            &Value::from("OJ L 119"),
            &Value::from("de-DE")
        )
    );
    assert_eq!(
        (&json["soa"]["version"], &json["soa"]["approved_by"]),
        (&Value::from("1.0"), &Value::from("CEO"))
    );
    // A source without origin: external is a mistake.
    repo.write(
        "policies/gdpr.md",
        &policy("POL-GDPR", "GDPR", "[\"5.34\"]", "source: EUR-Lex\n"),
    );
    assert!(
        repo.check().one("invalid-value")["message"]
            .as_str()
            .unwrap()
            .contains("external origin")
    );
}

/// The revision-row fix: a version's first commit (no pull request) and a later
/// commit of the same draft version (#9) are never mixed into one row.
#[test]
fn a_revision_row_takes_every_fact_from_one_commit() {
    let repo = Repo::clean();
    let draft = |text: &str| {
        document(
            &[
                ("id", "PRC-NEW"),
                ("title", "New Procedure"),
                ("version", "\"0.1\""),
                ("owner", "IT"),
                ("change", "First draft"),
            ],
            &format!("# New\n\n{text}\n"),
        )
    };
    repo.write("procedures/new.md", &draft("One."));
    repo.git_init();
    commit(&repo, "Initial commit", "Carol", "2026-06-01");
    // A squash-merged pull request edits the draft without raising its version.
    repo.write("procedures/new.md", &draft("One. Two."));
    commit(&repo, "More steps (#9)", "Ann", "2026-06-05");
    // A merged pull request (merge commit) edits it again.
    repo.git(&["checkout", "-q", "-b", "more"]);
    repo.write("procedures/new.md", &draft("One. Two. Three."));
    commit(&repo, "Third step", "Bo", "2026-06-06");
    repo.git(&["checkout", "-q", "main"]);
    repo.git_as(
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge pull request #12 from test/more",
            "more",
        ],
        "Bo",
        "2026-06-07T10:00:00+00:00",
    );
    // A rebased commit lands directly.
    repo.write("procedures/new.md", &draft("One. Two. Three. Four."));
    commit(&repo, "Fourth step", "Di", "2026-06-08");

    let log = repo.log("PRC-NEW");
    let rows = log["revisions"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let first = repo.git(&["rev-list", "--max-parents=0", "HEAD"]);
    assert_eq!(row["commit"], first.trim());
    assert_eq!(row["date"], "2026-06-01");
    assert_eq!(row["authors"], serde_json::json!(["Carol"]));
    assert!(row["pull_request"].is_null(), "{row}");
    let commits: Vec<(&str, Option<u64>)> = row["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["date"].as_str().unwrap(), c["pull_request"].as_u64()))
        .collect();
    assert_eq!(
        commits,
        [
            ("2026-06-01", None),
            ("2026-06-05", Some(9)),
            ("2026-06-07", Some(12)),
            ("2026-06-08", None)
        ]
    );
    let all = repo.cmd(&["log", "PRC-NEW", "--all"]).output().unwrap();
    let all = String::from_utf8_lossy(&all.stdout);
    assert_eq!(all.matches("changed, same version").count(), 3, "{all}");
    assert!(all.contains("#12"), "{all}");
}
