//! The command line end to end: bad input files, configuration errors and exit codes,
//! output formats, `init`, `new` and `schema`.

mod common;
use common::*;

fn check_file(bytes: &[u8]) -> Checked {
    let repo = Repo::clean();
    repo.write_bytes("procedures/input.md", bytes);
    repo.check()
}

#[test]
fn malformed_yaml_is_located_in_the_md_file() {
    let checked = check_file(b"---\nid: PRC-Y\ntitle: [unclosed\nversion: \"1.0\"\n---\n# Y\n");
    let d = checked.one("yaml-syntax");
    assert_eq!(d["file"], "procedures/input.md");
    // The parser notices on the line after the unclosed bracket.
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(8))
    );
    assert_eq!(checked.code, 1);
}

#[test]
fn truncated_front_matter_is_unclosed() {
    let checked = check_file(b"---\nid: PRC-Y\ntitle: Y\n\n# Y\n");
    checked.assert_at(
        "front-matter-unclosed",
        "error",
        "procedures/input.md",
        1,
        1,
    );
}

#[test]
fn a_file_that_is_only_dashes() {
    check_file(b"---\n").assert_at(
        "front-matter-unclosed",
        "error",
        "procedures/input.md",
        1,
        1,
    );
}

#[test]
fn a_file_without_front_matter() {
    check_file(b"# Just a heading\n").assert_at(
        "front-matter-missing",
        "error",
        "procedures/input.md",
        1,
        1,
    );
}

#[test]
fn an_empty_file() {
    check_file(b"").assert_at("empty-file", "error", "procedures/input.md", 1, 1);
}

#[test]
fn an_empty_front_matter() {
    check_file(b"---\n---\n# X\n").assert_at(
        "front-matter-empty",
        "error",
        "procedures/input.md",
        1,
        1,
    );
}

#[test]
fn a_non_utf8_file_gives_the_position_of_the_bad_byte() {
    let checked = check_file(b"---\nid: PRC-Y\ntitle: caf\xe9\n---\n");
    checked.assert_at("not-utf8", "error", "procedures/input.md", 3, 11);
}

#[test]
fn a_duplicate_key_points_at_the_repeat() {
    let checked = check_file(b"---\nid: PRC-Y\ntitle: Y\nid: PRC-Z\n---\n");
    checked.assert_at("yaml-syntax", "error", "procedures/input.md", 4, 1);
}

#[test]
fn bom_and_crlf_are_accepted() {
    let text = "\u{feff}---\r\nid: PRC-Y\r\ntitle: Y\r\nversion: \"0.1\"\r\nstatus: draft\r\nowner: IT\r\n---\r\n# Y\r\n\r\n## Part\r\n\r\n[part](#part)\r\n";
    let checked = check_file(text.as_bytes());
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    assert_eq!(checked.code, 0);
}

#[test]
fn crlf_positions_match_the_editor() {
    let checked =
        check_file(b"---\r\nid: PRC-Y\r\ntitle: Y\r\nversion: 1.10\r\nowner: IT\r\n---\r\n");
    checked.assert_at("invalid-version", "error", "procedures/input.md", 4, 10);
}

#[test]
fn a_5_mb_document_is_checked() {
    let mut text =
        String::from("---\nid: PRC-BIG\ntitle: Big\nversion: \"0.1\"\nowner: IT\n---\n# Big\n\n");
    let paragraph = "Access is granted on need to know, as A.5.15 asks, and reviewed quarterly. "
        .repeat(13)
        + "\n\n";
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&paragraph);
    }
    text.push_str("[broken](nowhere.md)\n");
    let checked = check_file(text.as_bytes());
    let d = checked.one("broken-link");
    assert!(d["line"].as_u64().unwrap() > 5000, "{d}");
}

#[test]
fn a_readme_in_a_document_folder_is_not_a_document() {
    let repo = Repo::clean();
    repo.write("policies/README.md", "These are our policies.\n");
    assert!(repo.check().diagnostics.is_empty());
}

#[test]
fn no_book_toml_is_a_configuration_error() {
    let repo = Repo::empty();
    let output = repo.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ismsbook init"), "{stderr}");
}

#[test]
fn unknown_book_toml_section_is_a_configuration_error_with_its_line() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &format!("{BOOK_TOML}\n[output.html]\ntheme = \"x\"\n"),
    );
    let output = repo.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("book.toml:19:2"), "{stderr}");
    assert!(
        stderr.contains("unknown field `output`, expected one of `book`, `build`"),
        "{stderr}"
    );
}

#[test]
fn book_toml_misspelt_key_names_the_allowed_keys() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &BOOK_TOML.replace("organization", "organisation"),
    );
    let output = repo.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("book.toml:3:1"), "{stderr}");
    assert!(
        stderr.contains("`organisation`") && stderr.contains("`organization`"),
        "{stderr}"
    );
}

#[test]
fn a_build_dir_that_is_the_root_is_refused() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &BOOK_TOML.replace(
            "[build.folders]",
            "[build]\nbuild-dir = \".\"\n\n[build.folders]",
        ),
    );
    let output = repo.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("repository root"));
}

/// Git keeps no empty folders: a configured folder whose last document was retired
/// and removed is gone from every clone. That is a note, never a failure.
#[test]
fn a_configured_folder_that_does_not_exist_is_a_note() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &BOOK_TOML.replace(
            "procedures = \"procedure\"",
            "procedures = \"procedure\"\nstandards = \"standard\"",
        ),
    );
    let checked = repo.check();
    assert_eq!(checked.code, 0);
    let d = checked.one("folder-missing");
    assert_eq!(d["severity"], "note");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("`standards` does not exist"),
        "{d}"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let repo = Repo::clean();
    let output = repo.cmd(&["check", "--format", "xml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn human_output_shows_the_source_line_and_a_caret() {
    let repo = Repo::clean();
    repo.write(
        "procedures/input.md",
        "---\nid: PRC-Y\ntitle: Y\nversion: \"0.1\"\nowner: CIS0\n---\n",
    );
    let output = repo.cmd(&["check"]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("error[unknown-role]: `CIS0` in `owner` is not a role of book.toml"),
        "{stdout}"
    );
    assert!(stdout.contains("--> procedures/input.md:5:8"), "{stdout}");
    assert!(
        stdout.contains("5 | owner: CIS0\n  |        ^^^^"),
        "{stdout}"
    );
    assert!(stdout.contains("= hint: did you mean `CISO`?"), "{stdout}");
    // The warning: the fixture is not a git repository.
    assert!(
        stdout.contains("check: 1 error, 1 warning in 3 documents"),
        "{stdout}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn github_output_is_workflow_annotations() {
    let repo = Repo::clean();
    repo.write(
        "procedures/input.md",
        "---\nid: PRC-Y\ntitle: Y\nversion: \"0.1\"\nowner: CIS0\n---\n",
    );
    let output = repo.cmd(&["check", "--format", "github"]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("\n::error file=procedures/input.md,line=5,col=8,title=ismsbook unknown-role::`CIS0` in `owner` is not a role of book.toml%0Ahint: "),
        "{stdout}"
    );
    assert!(
        stdout.starts_with("::warning title=ismsbook history-unavailable::"),
        "{stdout}"
    );
}

#[test]
fn root_is_found_from_a_subfolder() {
    let repo = Repo::clean();
    let mut cmd = assert_cmd::Command::cargo_bin("ismsbook").unwrap();
    let output = cmd
        .current_dir(repo.path().join("procedures"))
        .args(["--today", TODAY, "check"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn init_creates_a_repository_that_passes_check_with_only_expected_warnings() {
    let repo = Repo::empty();
    let output = repo
        .cmd(&["init", "acme", "--organization", "Acme Ltd"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let acme = repo.path().join("acme");
    assert!(
        std::fs::read_to_string(acme.join("book.toml"))
            .unwrap()
            .contains("organization = \"Acme Ltd\"")
    );

    let mut cmd = assert_cmd::Command::cargo_bin("ismsbook").unwrap();
    let output = cmd
        .args(["--root"])
        .arg(&acme)
        .args(["--today", TODAY, "check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let diagnostics: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let mut codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    codes.sort();
    codes.dedup();
    // init made the git repository; nothing is committed yet.
    assert!(acme.join(".git").is_dir());
    assert_eq!(
        codes,
        ["clause-not-covered", "history-empty", "soa-undecided"]
    );
    assert_eq!(
        diagnostics
            .iter()
            .filter(|d| d["code"] == "soa-undecided")
            .count(),
        93
    );
}

#[test]
fn init_never_overwrites() {
    let repo = Repo::clean();
    let before = repo.read("book.toml");
    let output = repo.cmd(&["init"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("book.toml"));
    assert_eq!(repo.read("book.toml"), before);
}

#[test]
fn new_writes_a_complete_draft_with_the_next_free_id() {
    let repo = Repo::clean();
    let output = repo
        .cmd(&["new", "procedure", "Access Control Review"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "created procedures/access-control-review.md (PRC-ACR)\n"
    );
    let text = repo.read("procedures/access-control-review.md");
    assert!(text.starts_with("---\nid: PRC-ACR\ntitle: \"Access Control Review\"\ntype: procedure\nversion: \"0.1\"\nstatus: draft\nowner: CISO\n"), "{text}");
    assert!(
        repo.check().diagnostics.is_empty(),
        "the new document passes check"
    );

    // The same initials again: numbered; the same title again: refused.
    let output = repo
        .cmd(&["new", "procedure", "Access Change Request"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "created procedures/access-change-request.md (PRC-ACR-02)\n"
    );
    let output = repo
        .cmd(&["new", "procedure", "Access Control Review"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
}

#[test]
fn new_refuses_an_unknown_owner_and_type() {
    let repo = Repo::clean();
    let output = repo
        .cmd(&["new", "policy", "X", "--owner", "BOSS"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = repo.cmd(&["new", "memo", "X"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// A type with no folder gets one: the folder, and its line in book.toml, which
/// still checks.
#[test]
fn new_gives_a_type_without_folder_its_folder() {
    let repo = Repo::clean();
    let output = repo
        .cmd(&["new", "standard", "Crypto Standard"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("added `standards = \"standard\"`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("created standards/crypto-standard.md (STD-CRYP)"),
        "{stdout}"
    );
    assert!(
        repo.read("book.toml")
            .contains("[build.folders]\nstandards = \"standard\"\n")
    );
    let checked = repo.check();
    assert_eq!(checked.code, 0, "{:#?}", checked.diagnostics);
}

#[test]
fn schema_lists_controls_and_the_projects_roles() {
    let repo = Repo::clean();
    let output = repo.cmd(&["schema"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        schema["properties"]["controls"]["items"]["anyOf"][0]["enum"]
            .as_array()
            .unwrap()
            .len(),
        93
    );
    assert_eq!(
        schema["properties"]["owner"]["enum"],
        serde_json::json!(["CEO", "CISO", "IT"])
    );
    assert_eq!(schema["additionalProperties"], false);
}

#[test]
fn a_project_catalog_adds_controls_that_documents_may_reference() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &BOOK_TOML.replace(
            "[roles.CEO]",
            "[controls]\ncatalogs = [\"catalogs/soc2.yaml\"]\n\n[roles.CEO]",
        ),
    );
    repo.write(
        "catalogs/soc2.yaml",
        "name: SOC 2\ncontrols:\n  - {id: CC6.1, title: Logical access security}\n",
    );
    repo.write(
        "procedures/access.md",
        &repo.read("procedures/access.md").replace(
            "controls: [\"5.15\"]",
            "controls: [\"5.15\", \"CC6.1\", \"CC9.9\"]",
        ),
    );
    let checked = repo.check();
    let d = checked.one("unknown-control");
    assert!(d["message"].as_str().unwrap().contains("CC9.9"), "{d}");
}

#[test]
fn a_project_catalog_may_not_reuse_annex_a_ids() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &BOOK_TOML.replace(
            "[roles.CEO]",
            "[controls]\ncatalogs = [\"own.yaml\"]\n\n[roles.CEO]",
        ),
    );
    repo.write(
        "own.yaml",
        "name: Own\ncontrols:\n  - {id: \"5.1\", title: Clash}\n",
    );
    let output = repo.cmd(&["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("clashes with an Annex A id"));
}

#[test]
fn every_command_has_help_with_examples() {
    for command in ["check", "new", "init", "schema"] {
        let output = assert_cmd::Command::cargo_bin("ismsbook")
            .unwrap()
            .args([command, "--help"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Examples:"),
            "{command}"
        );
    }
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = assert_cmd::Command::cargo_bin("ismsbook")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("ismsbook") && text.contains("max-classification"),
            "{shell}"
        );
    }
    let output = assert_cmd::Command::cargo_bin("ismsbook")
        .unwrap()
        .arg("man")
        .output()
        .unwrap();
    let man = String::from_utf8_lossy(&output.stdout);
    assert!(
        man.starts_with(".ie") || man.contains(".TH ismsbook"),
        "{man}"
    );
    assert!(man.contains("check") && man.contains("build"));
}
