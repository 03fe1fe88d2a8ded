//! The sample ISMS at the repository root is what new users build first and copy from:
//! it must stay clean, complete and realistic.

mod common;
use common::*;
use std::collections::BTreeSet;

fn check_sample() -> Checked {
    let output = assert_cmd::Command::cargo_bin("ismsbook")
        .unwrap()
        .arg("--root")
        .arg(project_root())
        .args(["--today", TODAY, "check", "--format", "json"])
        .output()
        .unwrap();
    Checked {
        code: output.status.code().unwrap_or(-1),
        diagnostics: serde_json::from_slice(&output.stdout).expect("JSON diagnostics"),
        stderr: String::from_utf8_lossy(&output.stderr).to_string(),
    }
}

#[test]
fn the_sample_passes_check_with_only_the_intended_warning() {
    let checked = check_sample();
    assert_eq!(checked.code, 0, "{:#?}", checked.diagnostics);
    // One overdue review, kept on purpose to show the feature (see README).
    // Notices about the clone itself (shallow, detached, local uncommitted edits) are
    // not the sample's.
    let about_the_clone = ["history-shallow", "detached-head", "uncommitted-change"];
    let found: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| !about_the_clone.contains(&d["code"].as_str().unwrap()))
        .map(|d| {
            (
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "warning",
            "review-overdue",
            "policies/physical-security-policy.md"
        )]
    );
}

#[test]
fn the_sample_is_a_complete_document_set() {
    let root = project_root();
    let count = |folder: &str| {
        std::fs::read_dir(root.join(folder))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "md")
            })
            .count()
    };
    assert!(count("policies") >= 12, "at least 12 policies");
    assert!(count("procedures") >= 12, "at least 12 procedures");

    // Mixed statuses: mostly approved, some draft or in review, one retired.
    let mut statuses = BTreeSet::new();
    for folder in ["policies", "procedures"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let status = text
                .lines()
                .find_map(|l| l.strip_prefix("status: "))
                .unwrap()
                .to_string();
            statuses.insert(status);
        }
    }
    assert_eq!(
        statuses,
        BTreeSet::from(["approved", "draft", "in-review", "retired"].map(String::from))
    );
}

#[test]
fn the_sample_soa_decides_all_93_controls_with_some_specific_exclusions() {
    let soa = std::fs::read_to_string(project_root().join("soa.yaml")).unwrap();
    let decided = soa
        .lines()
        .filter(|l| {
            l.trim_start().starts_with("applicable: true")
                || l.trim_start().starts_with("applicable: false")
        })
        .count();
    assert_eq!(decided, 93);
    assert!(soa.matches("applicable: false").count() >= 2);
}
