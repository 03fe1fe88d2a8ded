//! `ismsbook import` on fixtures written for the test in comply's and plain formats.

mod common;
use common::*;

const COMPLY: &str = "name: Encryption Policy\nacronym: EP\nsatisfies:\n  TSC:\n    - CC6.1\n  ISO27001:\n    - A.8.24\n    - A.10.1.1\nmajorRevisions:\n  - date: Jun 1 2018\n    comment: Initial document\n  - date: Mar 3 2020\n    comment: Keys rotated yearly\n---\n\n# Purpose and Scope\n\nThis policy governs encryption.\n";

#[test]
fn comply_documents_are_mapped_and_what_cannot_be_is_said() {
    let repo = Repo::clean();
    repo.write("old/encryption.md", COMPLY);
    let output = repo
        .cmd(&[
            "import",
            &repo.path().join("old").to_string_lossy(),
            "--from",
            "comply",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("imported policies/encryption.md (POL-EP)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("not mapped to a control: TSC CC6.1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ISO27001 A.10.1.1: a 2013 id, mapped to 8.24"),
        "{stdout}"
    );

    let text = repo.read("policies/encryption.md");
    assert!(text.starts_with("---\nid: POL-EP\ntitle: \"Encryption Policy\"\ntype: policy\nversion: \"2.0\"\nstatus: draft\nowner: CISO\n"), "{text}");
    assert!(
        text.contains("controls: [\"8.24\"]"),
        "both ids name 8.24, listed once: {text}"
    );
    assert!(
        text.contains("change: \"Imported from comply: Keys rotated yearly\""),
        "{text}"
    );
    assert!(
        text.contains("extra:\n  satisfies: [\"TSC CC6.1\"]"),
        "{text}"
    );
    assert!(
        text.contains("| Mar 3 2020 | Keys rotated yearly |"),
        "{text}"
    );
    // The imported document is a valid draft.
    let checked = repo.check();
    assert!(
        checked.diagnostics.iter().all(|d| d["severity"] != "error"),
        "{:#?}",
        checked.diagnostics
    );
    assert!(checked.with_code("duplicate-control").is_empty());
}

#[test]
fn plain_markdown_gets_a_title_an_id_and_draft_status() {
    let repo = Repo::clean();
    repo.write(
        "old/Remote Work.md",
        "# Remote Working Rules\n\nWork from safe places.\n",
    );
    repo.write("old/untitled.md", "Just text.\n");
    let output = repo
        .cmd(&[
            "import",
            &repo.path().join("old").to_string_lossy(),
            "--type",
            "procedure",
            "--owner",
            "IT",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("imported procedures/remote-work.md (PRC-RWR)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("no heading: the title is the file name"),
        "{stdout}"
    );
    let text = repo.read("procedures/remote-work.md");
    assert!(
        text.contains("title: \"Remote Working Rules\"")
            && text.contains("status: draft")
            && text.contains("owner: IT"),
        "{text}"
    );
    assert!(
        repo.check()
            .diagnostics
            .iter()
            .all(|d| d["severity"] != "error")
    );
}

#[test]
fn import_never_overwrites() {
    let repo = Repo::clean();
    repo.write("old/security.md", "# Another Security Policy\n");
    let before = repo.read("policies/security.md");
    let output = repo
        .cmd(&["import", &repo.path().join("old").to_string_lossy()])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("policies/security.md exists: not overwritten")
    );
    assert_eq!(repo.read("policies/security.md"), before);
}
