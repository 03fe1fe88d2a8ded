//! The Statement of Applicability against the catalog and the documents: a decision
//! for every Annex A control, justified exclusions, applicable controls implemented
//! by approved documents, and the mandatory documented information covered.

use super::control::{self, Controlled};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::catalog::{Control, DocInfoKind};
use crate::model::handbook::Handbook;
use crate::model::kinds::Status;
use crate::model::soa::{Decision, Soa};
use crate::text::did_you_mean;
use chrono::NaiveDate;

/// Justifications that say nothing.
fn is_empty_justification(text: &str) -> bool {
    let t = text.trim().trim_end_matches('.').to_lowercase();
    matches!(
        t.as_str(),
        "n/a" | "na" | "none" | "not applicable" | "-" | "tbd" | "todo" | "excluded"
    )
}

pub fn soa(handbook: &Handbook, today: NaiveDate, found: &mut Vec<Diagnostic>) {
    let path = handbook.config.soa.as_str();
    let Some(soa) = &handbook.soa else {
        if handbook.unreadable.iter().any(|p| p == path) {
            return;
        }
        found.push(
            Diagnostic::new(Code::SoaMissing, path, "the Statement of Applicability is missing")
                .hint("ISO/IEC 27001 6.1.3 d) requires it: create it with a decision for each Annex A control (`ismsbook init` writes one with every control undecided)"),
        );
        return;
    };
    // An SoA that cannot be read has one error already, which explains the state of
    // every control: nothing more is said of them until it is fixed.
    if !soa.readable {
        return;
    }
    if let Some(control) = &soa.control {
        let file = Controlled {
            path: &soa.path,
            spans: &soa.spans,
            control,
        };
        control::check(handbook, &file, today, found);
    }
    for control in handbook.catalog.annex_a() {
        match soa.decisions.get(&control.id) {
            Some(decision) => decided(handbook, soa, control, decision, found),
            None => found.push(
                Diagnostic::new(
                    Code::SoaControlMissing,
                    path,
                    format!("control {} ({}) has no decision", control.id, control.title),
                )
                .at(soa.position)
                .about(control.label())
                .hint(format!(
                    "add A.{}: with applicable: true or false and a justification",
                    control.id
                )),
            ),
        }
    }
}

/// The rules of one control's decision.
fn decided(
    handbook: &Handbook,
    soa: &Soa,
    control: &Control,
    decision: &Decision,
    found: &mut Vec<Diagnostic>,
) {
    let at = |code: Code, message: String| {
        Diagnostic::new(code, &soa.path, message)
            .span(decision.position, decision.width)
            .about(control.label())
    };
    if let Some(owner) = &decision.owner
        && !handbook.config.roles.contains_key(owner)
    {
        let hint = match did_you_mean(owner, handbook.config.roles.keys().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "use a role defined in book.toml [roles]".to_string(),
        };
        found.push(
            at(
                Code::UnknownRole,
                format!(
                    "the owner `{owner}` of control {} is not a role of book.toml",
                    control.id
                ),
            )
            .hint(hint),
        );
    }
    match decision.applicable {
        None => found.push(
            at(
                Code::SoaUndecided,
                format!("control {} ({}) is undecided", control.id, control.title),
            )
            .hint("decide it from the risk treatment: applicable: true or false, with a justification"),
        ),
        Some(false) => {
            if decision
                .justification
                .as_deref()
                .is_none_or(is_empty_justification)
            {
                found.push(
                    at(
                        Code::SoaExclusionUnjustified,
                        format!("control {} ({}) is excluded without a justification", control.id, control.title),
                    )
                    .hint("6.1.3 d) requires a specific reason for every exclusion, e.g. \"No premises of our own: staff work remotely\"; \"N/A\" is not one"),
                );
            }
        }
        Some(true) => {
            if decision.status.is_none() {
                found.push(
                    at(
                        Code::SoaStatusMissing,
                        format!("applicable control {} has no implementation status", control.id),
                    )
                    .hint("add status: implemented, partial, planned or not-implemented"),
                );
            }
            let implemented = handbook.implementing(&control.id).next().is_some();
            if !implemented && !handbook.is_claimed_unsurely(&control.id) {
                let drafts: Vec<_> = handbook
                    .declaring(&control.id)
                    .filter(|(_, m)| matches!(m.control.status, Status::Draft | Status::InReview))
                    .map(|(_, m)| m.id.as_str())
                    .collect();
                let hint = if drafts.is_empty() {
                    format!("add \"{}\" to the `controls` of the policy or procedure that implements it", control.id)
                } else {
                    format!("{} implements it but is not approved yet", drafts.join(", "))
                };
                found.push(
                    at(
                        Code::ControlNotImplemented,
                        format!("applicable control {} ({}) is implemented by no approved document", control.id, control.title),
                    )
                    .hint(hint),
                );
            }
        }
    }
}

pub fn coverage(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    for item in handbook.catalog.mandatory() {
        if handbook.covered_by_itself(item).is_some() || handbook.is_covered_unsurely(item) {
            continue;
        }
        let covering = |statuses: &[Status]| {
            handbook.valid().any(|(_, meta)| {
                statuses.contains(&meta.control.status)
                    && meta
                        .clauses
                        .iter()
                        .any(|c| item.is_covered_by_clause(c.value.trim()))
            })
        };
        if covering(&[Status::Approved]) {
            continue;
        }
        let kind = match item.kind {
            DocInfoKind::Document => "documented information to maintain",
            DocInfoKind::Record => "records to retain",
        };
        let hint = if covering(&[Status::Draft, Status::InReview]) {
            format!(
                "a document declares clause {} but none is approved yet",
                item.clause
            )
        } else {
            format!(
                "add \"{}\" to the `clauses` of the document that provides it",
                item.clause
            )
        };
        found.push(
            Diagnostic::whole(
                Code::ClauseNotCovered,
                format!(
                    "clause {} ({kind}): {} — no approved document covers it",
                    item.reference(),
                    item.what
                ),
            )
            .about(item.reference())
            .hint(hint),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vague_justifications_are_refused() {
        assert!(is_empty_justification("N/A"));
        assert!(is_empty_justification(" Not applicable. "));
        assert!(!is_empty_justification(
            "We have no premises: all staff work remotely."
        ));
    }
}
