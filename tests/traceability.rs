//! What implements a control is decided in one place: approved documents only. A
//! draft does not implement anything yet and a retired document no longer does: not in
//! the checks, not on the SoA page, the control pages, the controls index, clause
//! coverage or handbook.json. A retired document is shown as history, apart.

mod common;
use common::*;
use serde_json::Value;

/// The clean repository where 8.1 and clause 9.3.3 are declared only by a retired
/// policy, and 8.2 only by a draft procedure.
fn repo() -> Repo {
    let repo = Repo::clean();
    let controls = all_controls().replace("\"8.1\", \"8.2\", ", "");
    let policy =
        policy("POL-SEC", "Information Security Policy", &controls, "").replace(", \"9.3.3\"", "");
    repo.write("policies/security.md", &policy);
    let retired = policy_with_status(
        "POL-OLD",
        "Old Device Policy",
        "[\"8.1\"]",
        "[\"9.3.3\"]",
        "retired",
    );
    repo.write("policies/old.md", &retired);
    repo.write(
        "procedures/keys.md",
        &document(
            &[
                ("id", "PRC-KEY"),
                ("title", "Privileged Access Procedure"),
                ("version", "\"0.2\""),
                ("status", "draft"),
                ("owner", "IT"),
                ("controls", "[\"8.2\"]"),
                ("change", "Draft"),
            ],
            "# Privileged access\n\nSteps.\n",
        ),
    );
    repo
}

fn policy_with_status(
    id: &str,
    title: &str,
    controls: &str,
    clauses: &str,
    status: &str,
) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nversion: \"1.0\"\nstatus: {status}\nowner: CISO\napprovers: [CEO]\napproved_by: CEO\napproved_on: 2026-01-10\ncontrols: {controls}\nclauses: {clauses}\nchange: Initial version\n---\n\n# {title}\n\nText.\n"
    )
}

#[test]
fn drafts_and_retired_documents_implement_nothing_in_the_checks() {
    let repo = repo();
    let checked = repo.check();
    let not_implemented: Vec<&Value> = checked.with_code("control-not-implemented");
    let about = |id: &str| {
        not_implemented
            .iter()
            .find(|d| {
                d["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("control {id} "))
            })
            .unwrap_or_else(|| panic!("no finding for {id}: {:#?}", checked.diagnostics))
    };
    // The draft is named as the document that will implement 8.2; the retired policy
    // is not offered for 8.1.
    assert!(
        about("8.2")["hint"]
            .as_str()
            .unwrap()
            .contains("PRC-KEY implements it but is not approved yet")
    );
    assert!(!about("8.1")["hint"].as_str().unwrap().contains("POL-OLD"));
    let clause = checked.one("clause-not-covered");
    assert!(
        clause["message"].as_str().unwrap().contains("9.3.3"),
        "{clause}"
    );
    assert!(
        !clause["hint"]
            .as_str()
            .unwrap()
            .contains("none is approved yet"),
        "{clause}"
    );
}

#[test]
fn drafts_and_retired_documents_implement_nothing_in_the_handbook() {
    let repo = repo();
    let output = repo.cmd(&["build", "--drafts"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let soa = repo.read("book/soa.html");
    let row = |id: &str| {
        let start = soa.find(&format!("<tr id=\"control-{id}\">")).unwrap();
        soa[start..start + soa[start..].find("</tr>").unwrap()].to_string()
    };
    assert!(
        !row("8.1").contains("POL-OLD") && !row("8.2").contains("PRC-KEY"),
        "{}",
        row("8.1")
    );
    assert!(row("5.1").contains("POL-SEC"));

    let control = repo.read("book/controls/8.1.html");
    assert!(
        control.contains("No approved document implements this control."),
        "{control}"
    );
    assert!(
        control.contains("Formerly implemented by <a href=\"../policies/old.html\">POL-OLD Old Device Policy</a> (retired)."),
        "{control}"
    );
    let draft = repo.read("book/controls/8.2.html");
    assert!(!draft.contains("PRC-KEY"), "{draft}");

    let index = repo.read("book/controls/index.html");
    assert!(
        index.contains(
            "A.8.1 User end point devices</a></td><td>yes</td><td>implemented</td><td>0</td>"
        ),
        "{index}"
    );

    let clauses = repo.read("book/clauses.html");
    let item = &clauses[clauses.find("9.3.3").unwrap()..];
    assert!(
        !item[..item.find("</tr>").unwrap()].contains("POL-OLD"),
        "{clauses}"
    );

    let json: Value = serde_json::from_str(&repo.read("book/handbook.json")).unwrap();
    let control = |id: &str| {
        json["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(control("8.1")["documents"], serde_json::json!([]));
    assert_eq!(control("8.2")["documents"], serde_json::json!([]));
    let coverage = json["clause_coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clause"] == "9.3.3")
        .unwrap();
    assert_eq!(coverage["covered"], false);
}
