//! `ismsbook import` on fixtures written for the tests in the shapes real policy sets
//! have: a strongdm/comply repository (a YAML header, lettered items indented four
//! spaces, pandoc grid tables, `#Policy`), a Hugo site (`<slug>/index.md` with YAML
//! or TOML front matter, links between pages that move), templates with
//! placeholders, and plain Markdown whose title is a third-level heading. Each ends
//! with `check` (no errors from the import) and `build --drafts`.

mod common;
use common::*;

const COMPLY: &str = "name: Encryption Policy\nacronym: EP\nsatisfies:\n  TSC:\n    - CC6.1\n  ISO27001:\n    - A.8.24\n    - A.10.1.1\nmajorRevisions:\n  - date: Jun 1 2018\n    comment: Initial document\n  - date: Mar 3 2020\n    comment: Keys rotated yearly\n---\n\n#Policy\n\nKeys shall be managed as follows:\n\n    a. keys are generated in the KMS;\n    b. keys are rotated\n    yearly.\n\n+------------+----------------+\n| Data       | Encryption     |\n+============+================+\n| At rest    | AES-256        |\n+------------+----------------+\n| In transit | TLS 1.2 or     |\n|            | later          |\n+------------+----------------+\n\nSee the [key procedure](../procedures/keys.md).\n";

/// Runs `ismsbook import` with `args`; returns the exit code and stdout.
fn import(repo: &Repo, args: &[&str]) -> (i32, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let output = repo.cmd(&all).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.is_empty() || output.status.code() == Some(1),
        "{stderr}"
    );
    (output.status.code().unwrap_or(-1), stdout)
}

/// `check` has no errors, and `build --drafts` writes the handbook.
fn builds(repo: &Repo) {
    let checked = repo.check();
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    repo.run(&["build", "--drafts", "--dest", "book"]);
}

#[test]
fn comply_documents_are_detected_mapped_and_repaired() {
    let repo = Repo::clean();
    repo.write("old/policies/encryption.md", COMPLY);
    let (code, stdout) = import(&repo, &[&repo.path().join("old").to_string_lossy()]);
    assert_eq!(code, 0, "{stdout}");
    assert_contains_all(
        &stdout,
        &[
            "imported policies/encryption.md (POL-EP) from",
            "[comply]",
            "mapped: acronym, majorRevisions, name, satisfies → controls",
            "not ISO/IEC 27001 controls, kept under extra.satisfies: TSC CC6.1",
            "A.10.1.1 is a 2013 id: mapped to 8.24",
            "1 `#Heading` without a space made headings",
            "1 grid tables made pipe tables",
            "headings moved down a level under the title",
            "1 indented lists that would show as code un-indented",
            "link to `../procedures/keys.md` (not imported) made text",
        ],
    );
    let text = repo.read("policies/encryption.md");
    assert_contains_all(
        &text,
        &[
            "id: POL-EP\ntitle: \"Encryption Policy\"\ntype: policy\nversion: \"2.0\"\nstatus: draft\n",
            "controls: [\"8.24\"]",
            "change: \"Imported from comply: Keys rotated yearly\"",
            "satisfies: [\"TSC CC6.1\"]",
            "---\n\n# Encryption Policy\n\n## Policy\n",
            "\na. keys are generated in the KMS;\n\nb. keys are rotated\nyearly.\n",
            "| Data | Encryption |\n|---|---|\n| At rest | AES-256 |\n| In transit | TLS 1.2 or later |\n",
            "See the key procedure.",
            "| Mar 3 2020 | Keys rotated yearly |",
        ],
    );
    builds(&repo);
    let page = repo.read("book/policies/encryption.html");
    assert!(
        page.contains("<table>") && !page.contains("<pre><code>a. keys"),
        "{page}"
    );
}

#[test]
fn a_hugo_site_keeps_its_titles_and_its_links() {
    let repo = Repo::clean();
    repo.write(
        "site/content/policies/access-control/index.md",
        "---\ntitle: Access Control Policy\nslug: access-control\nweight: 10\nlast_updated: 2024-03-01\ndescription: Who may access what.\nreviewers: [Security team]\n---\n\n## Scope\n\nApplies to all systems. Onboarding follows the [onboarding page](../../procedures/onboarding/#steps); see also [BCP](/policies/bcp-dr/) and the [handbook](../../../README.md). Access is reviewed per A.5.18 and Annex A 8.2.\n",
    );
    repo.write(
        "site/content/policies/bcp-dr/index.md",
        "+++\ntitle = \"Business Continuity and Disaster Recovery\"\nweight = 20\n+++\n\nBack to [access control](../access-control/).\n",
    );
    repo.write(
        "site/content/procedures/onboarding/index.md",
        "---\ntitle: Onboarding\n---\n\n## Steps\n\nAsk for an account.\n",
    );
    let (code, stdout) = import(
        &repo,
        &[
            &repo.path().join("site/content").to_string_lossy(),
            "--controls-from-body",
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("import: 3 of 3 files imported"), "{stdout}");
    assert!(
        stdout.contains("imported procedures/onboarding.md (PRC-ONBO)"),
        "the type from the folder: {stdout}"
    );
    assert!(stdout.contains("[front matter]"), "{stdout}");
    assert!(stdout.contains("dropped: slug, weight"), "{stdout}");
    assert!(
        stdout.contains("kept in extra: description, reviewers"),
        "{stdout}"
    );
    assert!(
        stdout.contains("controls from the body: 5.18, 8.2"),
        "{stdout}"
    );

    let access = repo.read("policies/access-control.md");
    assert_contains_all(
        &access,
        &[
            "title: \"Access Control Policy\"",
            "change: \"Imported from front matter (last_updated 2024-03-01)\"",
            "controls: [\"5.18\",\"8.2\"]",
            "description: \"Who may access what.\"",
            "[onboarding page](../procedures/onboarding.md#steps)",
            "[BCP](bcp-dr.md)",
            "and the handbook.",
        ],
    );
    assert!(!access.contains("slug"), "{access}");
    let bcp = repo.read("policies/bcp-dr.md");
    assert!(
        bcp.contains("title: \"Business Continuity and Disaster Recovery\"")
            && bcp.contains("[access control](access-control.md)"),
        "{bcp}"
    );
    builds(&repo);
    // A body without a first-level heading: the page shows the title.
    let page = repo.read("book/policies/bcp-dr.html");
    assert!(
        page.contains("<h1>Business Continuity and Disaster Recovery</h1>"),
        "{page}"
    );
}

#[test]
fn templates_plain_files_collisions_and_twins_are_reported() {
    let repo = Repo::clean();
    repo.write(
        "templates/acceptable-use.md.tmpl",
        "# Acceptable Use\n\n{{companyName}} provides laptops. Version {{ .Version }}.\n",
    );
    repo.write(
        "consultant/cp/access-aws.md",
        "### CP Access AWS\n\nRequest access through the portal.\n",
    );
    repo.write(
        "consultant/other/access-aws.md",
        "# Access to AWS, second draft\n\nText.\n",
    );
    repo.write(
        "consultant/security.md",
        "# Information Security Policy\n\nA second one.\n",
    );
    let (code, stdout) = import(
        &repo,
        &[
            &repo.path().join("templates").to_string_lossy(),
            &repo.path().join("consultant").to_string_lossy(),
            "--type",
            "procedure",
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    assert_contains_all(
        &stdout,
        &[
            "imported procedures/acceptable-use.md (PRC-AU)",
            "template placeholders: {{companyName}}, {{Version}}; those naming the organisation became \"Test Ltd\"",
            "access-aws.md is taken: named access-aws-2.md",
            "imported procedures/access-aws.md (PRC-CAA)",
            "the title is the first heading (level 3, made level 1)",
            "imported procedures/access-aws-2.md",
            "imported procedures/security.md",
            "policies/security.md already has the title \"Information Security Policy\"",
            "import: 4 of 4 files imported",
        ],
    );
    let aup = repo.read("procedures/acceptable-use.md");
    assert!(
        aup.contains("Test Ltd provides laptops. Version `{{ .Version }}`."),
        "{aup}"
    );
    let aws = repo.read("procedures/access-aws.md");
    assert!(
        aws.contains("title: \"CP Access AWS\"") && aws.contains("\n# CP Access AWS\n"),
        "{aws}"
    );
    builds(&repo);
}

#[test]
fn a_single_file_is_imported_and_a_skipped_one_fails_the_run() {
    let repo = Repo::clean();
    repo.write("one.md", "# Clear Desk\n\nTidy up.\n");
    let (code, stdout) = import(&repo, &[&repo.path().join("one.md").to_string_lossy()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("imported policies/one.md (POL-CD)"),
        "{stdout}"
    );

    std::fs::create_dir_all(repo.path().join("bad")).unwrap();
    std::fs::write(repo.path().join("bad/latin1.md"), b"# Caf\xe9\n").unwrap();
    repo.write("bad/fine.md", "# Fine\n");
    let (code, stdout) = import(&repo, &[&repo.path().join("bad").to_string_lossy()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("not UTF-8 (line 1, column 6): skipped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("import: 1 of 2 files imported as drafts; 1 skipped"),
        "{stdout}"
    );
}

#[test]
fn import_never_overwrites() {
    let repo = Repo::clean();
    repo.write("old/security.md", "# Another Security Policy\n");
    let before = repo.read("policies/security.md");
    let (code, stdout) = import(&repo, &[&repo.path().join("old").to_string_lossy()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("imported policies/security-2.md")
            && stdout.contains("security.md is taken: named security-2.md"),
        "{stdout}"
    );
    assert_eq!(repo.read("policies/security.md"), before);
}

#[test]
fn init_empty_leaves_room_for_the_imported_set() {
    let repo = Repo::empty();
    let stdout = repo.run(&["init", "--empty", "--organization", "Acme Ltd"]);
    assert!(stdout.contains("ismsbook import"));
    assert!(
        !repo
            .path()
            .join("policies/information-security-policy.md")
            .exists()
    );
    repo.write(
        "incoming/policies/isp.md",
        "---\ntitle: Information Security Policy\n---\n\nWe protect information.\n",
    );
    let (code, stdout) = import(&repo, &["incoming"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("imported policies/isp.md (POL-IS)") && !stdout.contains("already has"),
        "{stdout}"
    );
    builds(&repo);
}

#[test]
fn the_sources_own_fields_numbered_folders_admonitions_and_partials() {
    let repo = Repo::clean();
    repo.write(
        "isms/30-procedures/p-02-4-30-risk-assessment.md",
        "---\ntitle: \"P 02 4 30 - Risk Assessment\"\nclassification: Confidential\nstatus: approved\nversion: 2.3\nowner: IT Manager\ncontrols: [iso27001:A.5.1, \"ISO27001:A.5.15\"]\n---\n\n### Purpose\n\n[ORGANIZATION NAME] assesses risk by [DATE].\n\n:::tip Where\nThe register is in the GRC tool.\n:::\n\n#### Evidence\n\n[Download](/evidences/2025%20Audit.pdf) and [back](./README.md), [back again](./README.md).\n",
    );
    repo.write(
        "isms/30-procedures/vendors.md",
        "---\ntitle: Vendor Reviews\nowner: Security team\nversion: draft-2\n---\n\nText.\n",
    );
    repo.write(
        "isms/30-procedures/_template-procedure.md",
        "---\ntitle: <Procedure Name>\n---\n\nText.\n",
    );
    let (code, stdout) = import(&repo, &["isms"]);
    assert_eq!(code, 0, "{stdout}");
    assert_contains_all(
        &stdout,
        &[
            "imported procedures/p-02-4-30-risk-assessment.md (PRC-P-02-4-30)",
            "status `approved` in the source: imported as a draft, to be approved here",
            "1 `:::` admonitions made block quotes",
            "template placeholders: [ORGANIZATION NAME], [DATE]",
            "headings raised 1 levels (the body's sections started at level 3)",
            "link to `/evidences/2025%20Audit.pdf` (not imported) made text with its address",
            "link to `./README.md` (not imported) made text (2 times)",
            "owner `Security team` is not a role of book.toml (the owner is CISO): kept under extra",
            "version `draft-2` is not a version X.Y: kept under extra",
            "kept in extra: owner, version",
            "import: 2 of 2 files imported",
        ],
    );
    let text = repo.read("procedures/p-02-4-30-risk-assessment.md");
    assert_contains_all(
        &text,
        &[
            "version: \"2.3\"\nstatus: draft\nowner: IT\n",
            "classification: confidential\n",
            "controls: [\"5.1\",\"5.15\"]",
            "\n## Purpose\n",
            "\n### Evidence\n",
            "Test Ltd assesses risk by `[DATE]`.",
            "> **Tip: Where**\n>\n> The register is in the GRC tool.\n",
            "Download (/evidences/2025%20Audit.pdf) and back, back again.",
        ],
    );
    assert!(!text.contains("extra:"), "every field mapped: {text}");
    let vendors = repo.read("procedures/vendors.md");
    assert!(
        vendors.contains("owner: CISO\n")
            && vendors.contains("version: \"0.1\"")
            && vendors.contains("extra:\n  owner: \"Security team\"\n  version: \"draft-2\""),
        "{vendors}"
    );
    builds(&repo);
}
