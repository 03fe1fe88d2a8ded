//! `ismsbook check` on repositories built in temp dirs: one test per check, each
//! proving the diagnostic fires at the right file:line:column.

mod common;
use common::*;

/// An approved procedure implementing 5.15, with the given fields replaced or added
/// (`None` removes a field). Field n is on line n + 2.
fn procedure(changes: &[(&str, Option<&str>)], body: &str) -> String {
    let mut fields: Vec<(String, String)> = [
        ("id", "PRC-T"),
        ("title", "Test Procedure"),
        ("version", "\"1.0\""),
        ("status", "approved"),
        ("owner", "IT"),
        ("approvers", "[CISO]"),
        ("approved_by", "CISO"),
        ("approved_on", "2026-06-01"),
        ("controls", "[\"5.15\"]"),
        ("change", "Initial version"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (key, value) in changes {
        match (fields.iter().position(|(k, _)| k == key), value) {
            (Some(i), Some(v)) => fields[i].1 = v.to_string(),
            (Some(i), None) => {
                fields.remove(i);
            }
            (None, Some(v)) => fields.push((key.to_string(), v.to_string())),
            (None, None) => {}
        }
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    document(&borrowed, body)
}

fn with_procedure(changes: &[(&str, Option<&str>)]) -> Checked {
    let repo = Repo::clean();
    repo.write("procedures/test.md", &procedure(changes, "# Test\n"));
    repo.check()
}

#[test]
fn a_clean_repository_passes_with_no_diagnostics() {
    let checked = Repo::clean().check();
    assert_eq!(checked.diagnostics, Vec::<serde_json::Value>::new());
    assert_eq!(checked.code, 0, "{}", checked.stderr);
}

#[test]
fn json_diagnostics_have_exactly_the_contract_keys() {
    let checked = with_procedure(&[("owner", Some("NOBODY"))]);
    let d = checked.one("unknown-role").as_object().unwrap();
    let mut keys: Vec<_> = d.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "code", "column", "file", "hint", "line", "message", "severity"
        ]
    );
}

#[test]
fn missing_required_field() {
    let checked = with_procedure(&[("version", None)]);
    let d = checked.assert_at("missing-field", "error", "procedures/test.md", 1, 1);
    assert!(d["message"].as_str().unwrap().contains("`version`"));
    assert_eq!(checked.code, 1);
}

#[test]
fn unknown_key_suggests_the_right_one() {
    let checked = with_procedure(&[("owners", Some("IT"))]);
    let d = checked.assert_at("unknown-key", "error", "procedures/test.md", 12, 1);
    assert!(
        d["hint"].as_str().unwrap().contains("did you mean `owner`"),
        "{d}"
    );
}

#[test]
fn unquoted_version_is_refused_with_the_quoted_form() {
    let checked = with_procedure(&[("version", Some("1.10"))]);
    let d = checked.assert_at("invalid-version", "error", "procedures/test.md", 4, 10);
    assert!(d["message"].as_str().unwrap().contains("1.1"), "{d}");
    assert!(d["hint"].as_str().unwrap().contains("\"1.10\""), "{d}");
}

#[test]
fn invalid_version_text() {
    let checked = with_procedure(&[("version", Some("\"v2\""))]);
    checked.assert_at("invalid-version", "error", "procedures/test.md", 4, 10);
}

#[test]
fn bad_enum_value() {
    let checked = with_procedure(&[("status", Some("aproved"))]);
    let d = checked.assert_at("invalid-value", "error", "procedures/test.md", 5, 9);
    assert!(d["hint"].as_str().unwrap().contains("approved"));
}

#[test]
fn bad_type_value() {
    let checked = with_procedure(&[("type", Some("memo"))]);
    checked.assert_at("invalid-value", "error", "procedures/test.md", 12, 7);
}

#[test]
fn invalid_date() {
    let checked = with_procedure(&[("approved_on", Some("2026-02-30"))]);
    let d = checked.assert_at("invalid-date", "error", "procedures/test.md", 9, 14);
    assert!(d["message"].as_str().unwrap().contains("28 days"), "{d}");
}

#[test]
fn invalid_id() {
    let checked = with_procedure(&[("id", Some("prc-t"))]);
    let d = checked.assert_at("invalid-id", "error", "procedures/test.md", 2, 5);
    assert!(d["hint"].as_str().unwrap().contains("PRC-T"));
}

#[test]
fn duplicate_ids_are_reported_on_both_documents() {
    let checked = with_procedure(&[("id", Some("PRC-AC"))]);
    let found = checked.with_code("duplicate-id");
    let files: Vec<_> = found
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        files,
        [("procedures/access.md", 2), ("procedures/test.md", 2)]
    );
}

#[test]
fn unknown_control() {
    let checked = with_procedure(&[("controls", Some("[\"5.15\", \"5.99\"]"))]);
    checked.assert_at("unknown-control", "error", "procedures/test.md", 10, 21);
}

#[test]
fn legacy_2013_control_names_its_successor() {
    let checked = with_procedure(&[("controls", Some("[\"A.9.2.1\"]"))]);
    // The column of the id itself, inside its quotes.
    let d = checked.assert_at("legacy-control", "error", "procedures/test.md", 10, 13);
    assert!(d["hint"].as_str().unwrap().contains("5.16"), "{d}");
}

#[test]
fn prefixed_control_ids_are_accepted() {
    let checked = with_procedure(&[("controls", Some("[\"A.5.15\", \"8.5\"]"))]);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}

#[test]
fn unquoted_control_number_is_refused() {
    let checked = with_procedure(&[("controls", Some("[5.10]"))]);
    let d = checked.assert_at("unquoted-number", "error", "procedures/test.md", 10, 12);
    assert!(d["message"].as_str().unwrap().contains("5.1"), "{d}");
}

#[test]
fn unknown_clause() {
    let checked = with_procedure(&[("clauses", Some("[\"7.5.3\", \"11.2\"]"))]);
    checked.assert_at("unknown-clause", "error", "procedures/test.md", 12, 21);
}

#[test]
fn unknown_role() {
    let checked = with_procedure(&[("owner", Some("CIS0"))]);
    let d = checked.assert_at("unknown-role", "error", "procedures/test.md", 6, 8);
    assert!(d["hint"].as_str().unwrap().contains("CISO"));
}

#[test]
fn approved_without_approved_by() {
    let checked = with_procedure(&[("approved_by", None)]);
    checked.assert_at("approval-incomplete", "error", "procedures/test.md", 5, 9);
}

#[test]
fn approved_without_approved_on() {
    let checked = with_procedure(&[("approved_on", None)]);
    let d = checked.assert_at("approval-incomplete", "error", "procedures/test.md", 5, 9);
    assert!(d["message"].as_str().unwrap().contains("approved_on"));
}

#[test]
fn approved_by_must_be_an_approver() {
    let checked = with_procedure(&[("approved_by", Some("CEO"))]);
    checked.assert_at("approver-not-allowed", "error", "procedures/test.md", 8, 14);
}

#[test]
fn effective_before_approval() {
    let checked = with_procedure(&[("effective", Some("2026-05-01"))]);
    checked.assert_at(
        "effective-before-approval",
        "error",
        "procedures/test.md",
        12,
        12,
    );
}

#[test]
fn overdue_review_is_a_warning_that_deny_warnings_turns_into_failure() {
    let repo = Repo::clean();
    repo.write(
        "procedures/test.md",
        &procedure(&[("approved_on", Some("2025-01-10"))], "# Test\n"),
    );
    let checked = repo.check();
    let d = checked.assert_at("review-overdue", "warning", "procedures/test.md", 9, 14);
    assert!(d["message"].as_str().unwrap().contains("2026-01-10"), "{d}");
    assert_eq!(checked.code, 0);
    let denied = repo.cmd(&["check", "--deny-warnings"]).output().unwrap();
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn a_recorded_review_resets_the_review_clock() {
    let checked = with_procedure(&[
        ("approved_on", Some("2025-01-10")),
        ("reviewed_on", Some("2026-01-05")),
    ]);
    assert!(
        checked.with_code("review-overdue").is_empty(),
        "{:#?}",
        checked.diagnostics
    );
}

#[test]
fn review_months_shortens_the_interval() {
    let checked = with_procedure(&[("review_months", Some("3"))]);
    checked.assert_at("review-overdue", "warning", "procedures/test.md", 9, 14);
}

#[test]
fn broken_link() {
    let repo = Repo::clean();
    repo.write(
        "procedures/test.md",
        &procedure(
            &[],
            "# Test\n\nSee [the policy](../policies/secruity.md).\n",
        ),
    );
    let checked = repo.check();
    let d = checked.assert_at("broken-link", "error", "procedures/test.md", 15, 5);
    assert!(
        d["hint"]
            .as_str()
            .unwrap()
            .contains("../policies/security.md"),
        "{d}"
    );
}

#[test]
fn broken_anchor() {
    let repo = Repo::clean();
    repo.write(
        "procedures/test.md",
        &procedure(
            &[],
            "# Test\n\n## Steps\n\nSee [scope](../policies/security.md#scop) and [steps](#step).\n",
        ),
    );
    let checked = repo.check();
    let found = checked.with_code("broken-anchor");
    let places: Vec<_> = found
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(places, [(17, 5), (17, 47)]);
    assert!(found[0]["hint"].as_str().unwrap().contains("#scope"));
}

#[test]
fn links_that_leave_the_repository_are_broken() {
    let repo = Repo::clean();
    repo.write(
        "procedures/test.md",
        &procedure(&[], "# Test\n\n[x](../../../etc/passwd)\n"),
    );
    repo.check()
        .assert_at("broken-link", "error", "procedures/test.md", 15, 1);
}

#[test]
fn external_links_are_left_alone() {
    let repo = Repo::clean();
    repo.write(
        "procedures/test.md",
        &procedure(
            &[],
            "# Test\n\n[a](https://example.com/x.md) [b](mailto:a@b.c)\n",
        ),
    );
    assert!(repo.check().diagnostics.is_empty());
}

#[test]
fn unknown_related_id() {
    let checked = with_procedure(&[("related", Some("[POL-SEC, PRC-NOPE]"))]);
    checked.assert_at("unknown-related", "error", "procedures/test.md", 12, 20);
}

#[test]
fn legacy_control_mentioned_in_the_text() {
    let repo = Repo::clean();
    repo.write(
        "procedures/test.md",
        &procedure(&[], "# Test\n\nThis meets A.9.2.1 today.\n"),
    );
    let d = repo
        .check()
        .assert_at(
            "legacy-control-mention",
            "warning",
            "procedures/test.md",
            15,
            12,
        )
        .clone();
    assert!(d["hint"].as_str().unwrap().contains("A.5.16"));
}

#[test]
fn soa_file_missing() {
    let repo = Repo::clean();
    repo.remove("soa.yaml");
    let checked = repo.check();
    checked.assert_at("soa-missing", "error", "soa.yaml", 0, 0);
    assert_eq!(checked.code, 1);
}

#[test]
fn soa_control_missing() {
    let repo = Repo::clean();
    let soa = repo.read("soa.yaml").replace(
        "  A.7.4:\n    applicable: true\n    status: implemented\n    justification: Risk R-01.\n",
        "",
    );
    repo.write("soa.yaml", &soa);
    let d = repo
        .check()
        .assert_at("soa-control-missing", "error", "soa.yaml", 8, 1)
        .clone();
    assert!(d["message"].as_str().unwrap().contains("7.4"));
}

#[test]
fn soa_exclusion_without_justification() {
    let repo = Repo::clean();
    let soa = repo.read("soa.yaml").replace(
        "  A.7.4:\n    applicable: true\n    status: implemented\n    justification: Risk R-01.\n",
        "  A.7.4:\n    applicable: false\n    justification: N/A\n",
    );
    repo.write("soa.yaml", &soa);
    let checked = repo.check();
    // 7.4 is the 37 + 8 + 4 = 49th control; each entry takes 4 lines after the SoA's
    // 7 control lines and `controls:`.
    checked.assert_at(
        "soa-exclusion-unjustified",
        "error",
        "soa.yaml",
        9 + 48 * 4,
        3,
    );
    // The policy implements every control, including the excluded one.
    // `"5.1", ` takes 7 characters, `"5.10", ` 8: 9 + 28 of 5.x, 8 of 6.x, 3 before 7.4.
    let column = "controls: [\"".len() + 9 * 7 + 28 * 8 + 8 * 7 + 3 * 7 + 1;
    checked.assert_at(
        "excluded-control-implemented",
        "warning",
        "policies/security.md",
        10,
        column as u64,
    );
}

#[test]
fn soa_undecided_control() {
    let repo = Repo::clean();
    let soa = repo.read("soa.yaml").replace(
        "  A.5.7:\n    applicable: true\n    status: implemented\n    justification: Risk R-01.\n",
        "  A.5.7:\n    applicable:\n",
    );
    repo.write("soa.yaml", &soa);
    repo.check()
        .assert_at("soa-undecided", "warning", "soa.yaml", 9 + 6 * 4, 3);
}

#[test]
fn applicable_control_without_an_approved_document() {
    let repo = Repo::clean();
    repo.write(
        "policies/security.md",
        &policy("POL-SEC", "Information Security Policy", "[\"5.1\"]", ""),
    );
    let checked = repo.check();
    let found = checked.with_code("control-not-implemented");
    assert_eq!(found.len(), 91, "all but 5.1 and 5.15"); // 5.15 comes from the procedure
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(
        (found[0]["file"].as_str(), found[0]["line"].as_u64()),
        (Some("soa.yaml"), Some(13))
    );
}

#[test]
fn a_draft_does_not_implement_a_control() {
    let checked = {
        let repo = Repo::clean();
        let text = policy(
            "POL-SEC",
            "Information Security Policy",
            &all_controls(),
            "",
        )
        .replace("status: approved", "status: draft");
        repo.write("policies/security.md", &text);
        repo.check()
    };
    let d = &checked.with_code("control-not-implemented")[0];
    assert!(d["hint"].as_str().unwrap().contains("POL-SEC"), "{d}");
}

#[test]
fn mandatory_clause_not_covered() {
    let repo = Repo::clean();
    let text = policy(
        "POL-SEC",
        "Information Security Policy",
        &all_controls(),
        "",
    )
    .replace("\"9.3.3\", ", "");
    repo.write("policies/security.md", &text);
    let checked = repo.check();
    let d = checked.assert_at("clause-not-covered", "warning", "", 0, 0);
    assert!(d["message"].as_str().unwrap().contains("9.3.3"), "{d}");
}

#[test]
fn all_problems_of_a_file_are_reported_at_once() {
    let checked = with_procedure(&[
        ("status", Some("aproved")),
        ("owner", Some("NOBODY")),
        ("controls", Some("[\"A.9.2.1\"]")),
    ]);
    let mut codes = checked.codes();
    codes.sort();
    assert_eq!(codes, ["invalid-value", "legacy-control", "unknown-role"]);
}

#[test]
fn soa_owner_must_be_a_role() {
    let repo = Repo::clean();
    let soa = repo.read("soa.yaml").replacen(
        "  A.5.2:\n    applicable: true\n",
        "  A.5.2:\n    owner: BOSS\n    applicable: true\n",
        1,
    );
    repo.write("soa.yaml", &soa);
    repo.check()
        .assert_at("unknown-role", "error", "soa.yaml", 13, 3);
}
