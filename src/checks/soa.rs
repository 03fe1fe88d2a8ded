//! The Statement of Applicability against the catalog and the documents: a decision
//! for every Annex A control, justified exclusions, applicable controls implemented
//! by approved documents, and the mandatory documented information covered.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::catalog::DocInfoKind;
use crate::model::config;
use crate::model::handbook::Handbook;
use crate::model::kinds::Status;
use crate::text::did_you_mean;

/// Justifications that say nothing.
fn is_empty_justification(text: &str) -> bool {
    let t = text.trim().trim_end_matches('.').to_lowercase();
    matches!(
        t.as_str(),
        "n/a" | "na" | "none" | "not applicable" | "-" | "tbd" | "todo" | "excluded"
    )
}

pub fn soa(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    let path = handbook.config.soa.as_str();
    let Some(soa) = &handbook.soa else {
        found.push(
            Diagnostic::new(Code::SoaMissing, path, "the Statement of Applicability is missing")
                .hint("ISO/IEC 27001 6.1.3 d) requires it: create it with a decision for each Annex A control (`ismsbook init` writes one with every control undecided)"),
        );
        return;
    };
    for control in handbook.catalog.annex_a() {
        let Some(decision) = soa.decisions.get(&control.id) else {
            found.push(
                Diagnostic::new(
                    Code::SoaControlMissing,
                    path,
                    format!("control {} ({}) has no decision", control.id, control.title),
                )
                .at(soa.position)
                .hint(format!(
                    "add A.{}: with applicable: true or false and a justification",
                    control.id
                )),
            );
            continue;
        };
        let at = |d: Diagnostic| d.span(decision.position, decision.width);
        if let Some(owner) = &decision.owner
            && !handbook.config.roles.contains_key(owner)
        {
            found.push(at(Diagnostic::new(
                Code::UnknownRole,
                path,
                format!(
                    "the owner `{owner}` of control {} is not a role of book.toml",
                    control.id
                ),
            )
            .hint(
                match did_you_mean(owner, handbook.config.roles.keys().map(String::as_str)) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "use a role defined in book.toml [roles]".to_string(),
                },
            )));
        }
        match decision.applicable {
            None => found.push(at(Diagnostic::new(Code::SoaUndecided, path, format!("control {} ({}) is undecided", control.id, control.title))
                .hint("decide it from the risk treatment: applicable: true or false, with a justification"))),
            Some(false) => match &decision.justification {
                Some(text) if !is_empty_justification(text) => {}
                _ => found.push(at(Diagnostic::new(Code::SoaExclusionUnjustified, path, format!("control {} ({}) is excluded without a justification", control.id, control.title))
                    .hint("6.1.3 d) requires a specific reason for every exclusion, e.g. \"No premises of our own: staff work remotely\"; \"N/A\" is not one"))),
            },
            Some(true) => {
                if decision.status.is_none() {
                    found.push(at(Diagnostic::new(Code::SoaStatusMissing, path, format!("applicable control {} has no implementation status", control.id))
                        .hint("add status: implemented, partial, planned or not-implemented")));
                }
                if handbook.in_force(&control.id).next().is_none() {
                    let drafts: Vec<_> = handbook.implementing(&control.id).map(|(_, m)| m.id.as_str()).collect();
                    let hint = if drafts.is_empty() {
                        format!("add \"{}\" to the `controls` of the policy or procedure that implements it", control.id)
                    } else {
                        format!("{} implements it but is not approved yet", drafts.join(", "))
                    };
                    found.push(at(Diagnostic::new(
                        Code::ControlNotImplemented,
                        path,
                        format!("applicable control {} ({}) is implemented by no approved document", control.id, control.title),
                    )
                    .hint(hint)));
                }
            }
        }
    }
}

pub fn coverage(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    for item in handbook.catalog.mandatory() {
        if item.covered_by.is_some() {
            continue;
        }
        let covering = |status: Option<Status>| {
            handbook.valid().any(|(_, meta)| {
                status.is_none_or(|s| meta.status == s)
                    && meta
                        .clauses
                        .iter()
                        .any(|c| item.is_covered_by_clause(c.value.trim()))
            })
        };
        if covering(Some(Status::Approved)) {
            continue;
        }
        let kind = match item.kind {
            DocInfoKind::Document => "documented information to maintain",
            DocInfoKind::Record => "records to retain",
        };
        let hint = if covering(None) {
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
            Diagnostic::new(
                Code::ClauseNotCovered,
                config::FILE_NAME,
                format!(
                    "clause {} ({kind}): {} — no approved document covers it",
                    item.reference(),
                    item.what
                ),
            )
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
