//! The rules of the risk register and its ties to the SoA (6.1.2, 6.1.3): the SoA's
//! risk references resolve; every applicable control has a basis (a risk, or a law,
//! contract or business requirement); a risk to mitigate does not rely on an excluded
//! control; what remains above the appetite is accepted by the risk's owner (6.1.3 f);
//! risks are reviewed on time and their treatment is in place when due.

use super::control::{self, Controlled};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::handbook::Handbook;
use crate::model::kinds::Status;
use crate::model::risks::{Rating, Risk, RiskRegister, Treatment};
use crate::model::soa::{Applicability, Implementation};
use crate::text::count;
use chrono::NaiveDate;

/// Every rule of the register, and of the SoA's references to it.
pub fn check(handbook: &Handbook, today: NaiveDate, found: &mut Vec<Diagnostic>) {
    let Some(register) = &handbook.risks else {
        missing(handbook, found);
        return;
    };
    // A register that cannot be read has one error already: nothing more is said.
    if !register.readable {
        return;
    }
    if let Some(control) = &register.control {
        let file = Controlled {
            path: &register.path,
            spans: &register.spans,
            control,
        };
        control::check(handbook, &file, today, found);
    }
    for risk in &register.risks {
        roles(handbook, register, risk, found);
        treatment(handbook, register, risk, today, found);
        acceptance(handbook, register, risk, today, found);
        review(handbook, register, risk, today, found);
    }
    soa_references(handbook, register, found);
}

/// No register file: worth saying when book.toml names one, or when the SoA cites
/// risks that can then be found nowhere. One finding, not one per reference.
fn missing(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    let path = &handbook.config.risks.register;
    if handbook.unreadable.contains(path) {
        return;
    }
    let hint = format!(
        "create {path} with its document control and a `risks:` map (docs/registers.md shows one), or set [risks] register in book.toml"
    );
    if handbook.config.risks.configured {
        found.push(
            Diagnostic::new(
                Code::RiskRegisterMissing,
                crate::model::config::FILE_NAME,
                format!("the risk register {path} does not exist"),
            )
            .hint(hint),
        );
        return;
    }
    let Some(soa) = &handbook.soa else {
        return;
    };
    let mut cited: Vec<&str> = soa
        .decisions
        .values()
        .flat_map(|d| d.risks.iter().map(String::as_str))
        .collect();
    cited.sort_by(|a, b| crate::text::compare_ids(a, b));
    cited.dedup();
    if let Some(first) = cited.first() {
        found.push(
            Diagnostic::new(
                Code::RiskRegisterMissing,
                &soa.path,
                format!(
                    "the SoA cites {} ({first}, …) but there is no risk register ({path})",
                    count(cited.len(), "risk", "risks")
                ),
            )
            .span(soa.position, "controls".len())
            .hint(hint),
        );
    }
}

fn roles(handbook: &Handbook, register: &RiskRegister, risk: &Risk, found: &mut Vec<Diagnostic>) {
    let path = &register.path;
    if let Some(owner) = risk.owner.as_deref().filter(|o| !o.is_empty()) {
        found.extend(control::unknown_role(
            handbook,
            path,
            owner,
            risk.at("owner"),
            "owner",
        ));
    }
    if let Some(by) = risk.accepted_by.as_deref().filter(|b| !b.is_empty()) {
        let at = risk.at("accepted_by");
        found.extend(control::unknown_role(handbook, path, by, at, "accepted_by"));
    }
}

/// A risk to mitigate names controls, none of which the SoA excludes; a treatment
/// that was due is in place.
fn treatment(
    handbook: &Handbook,
    register: &RiskRegister,
    risk: &Risk,
    today: NaiveDate,
    found: &mut Vec<Diagnostic>,
) {
    let path = &register.path;
    let linked = handbook.controls_of(risk);
    if risk.treatment == Some(Treatment::Mitigate) {
        if linked.is_empty() {
            found.push(
                Diagnostic::new(
                    Code::RiskInvalid,
                    path,
                    format!("risk {} is to be mitigated but names no control", risk.id),
                )
                .span(risk.at("treatment").0, risk.at("treatment").1)
                .hint("list the controls that reduce it under `controls:`, or choose another treatment"),
            );
        }
        for control in &risk.controls {
            let excluded = decision_of(handbook, &control.value)
                .is_some_and(|d| d.applicability() == Applicability::Excluded);
            if excluded {
                found.push(
                    Diagnostic::new(
                        Code::RiskControlExcluded,
                        path,
                        format!(
                            "risk {} is mitigated by A.{}, which the SoA excludes",
                            risk.id, control.value
                        ),
                    )
                    .span(control.position, control.width)
                    .hint("include the control in the SoA, or name the controls that do reduce the risk"),
                );
            }
        }
    }
    let Some(due) = risk.due.filter(|due| *due < today) else {
        return;
    };
    let open: Vec<String> = linked
        .iter()
        .filter(|id| {
            decision_of(handbook, id).is_some_and(|d| {
                d.applicability() == Applicability::Applicable
                    && d.status != Some(Implementation::Implemented)
            })
        })
        .map(|id| format!("A.{id}"))
        .collect();
    if !open.is_empty() {
        let (position, width) = risk.at("due");
        found.push(
            Diagnostic::new(
                Code::TreatmentOverdue,
                path,
                format!(
                    "the treatment of risk {} was due on {due}; not implemented yet: {}",
                    risk.id,
                    open.join(", ")
                ),
            )
            .span(position, width)
            .hint("implement the controls and set their SoA status, or agree a new `due` date with the risk's owner"),
        );
    }
}

/// What remains above the appetite is accepted, by the risk's owner, on a day.
fn acceptance(
    handbook: &Handbook,
    register: &RiskRegister,
    risk: &Risk,
    today: NaiveDate,
    found: &mut Vec<Diagnostic>,
) {
    let settings = &handbook.config.risks;
    // A residual rating that could not be read has its error already.
    if risk.residual_given && risk.residual.is_none() {
        return;
    }
    let Some(remaining) = risk.remaining() else {
        return;
    };
    if remaining.score() <= settings.appetite {
        return;
    }
    let owner = risk.owner.as_deref().unwrap_or_default();
    let owner_known = handbook.config.roles.contains_key(owner);
    let rated = describe(handbook, remaining);
    let (message, at) = match (risk.accepted_by.as_deref(), risk.accepted_on) {
        (None, _) => (
            format!(
                "risk {} remains at {rated}, above the appetite of {}, and is not accepted",
                risk.id, settings.appetite
            ),
            risk.at(if risk.residual.is_some() {
                "residual_likelihood"
            } else {
                "likelihood"
            }),
        ),
        // An unknown owner or acceptor has its `unknown-role` already.
        (Some(by), _) if !owner_known || !handbook.config.roles.contains_key(by) => return,
        (Some(by), _) if by != owner => (
            format!(
                "risk {} was accepted by {by}, but its owner is {owner}: the owner accepts what remains (6.1.3 f)",
                risk.id
            ),
            risk.at("accepted_by"),
        ),
        // A date that does not exist has its error already.
        (Some(_), None) if risk.acceptance_given => return,
        (Some(_), None) => (
            format!("risk {} is accepted without `accepted_on`", risk.id),
            risk.at("accepted_by"),
        ),
        (Some(_), Some(on)) if on > today => (
            format!(
                "risk {} is accepted from {on}, a day still to come",
                risk.id
            ),
            risk.at("accepted_on"),
        ),
        (Some(_), Some(_)) => return,
    };
    found.push(
        Diagnostic::new(Code::ResidualNotAccepted, &register.path, message)
            .span(at.0, at.1)
            .hint(format!(
                "treat it further, or record its owner's acceptance: accepted_by: {} and accepted_on: YYYY-MM-DD",
                if owner.is_empty() { "<owner>" } else { owner }
            )),
    );
}

/// "12 (likely × moderate)".
fn describe(handbook: &Handbook, rating: Rating) -> String {
    let settings = &handbook.config.risks;
    let label = |scale: &[String], rank: usize| scale.get(rank - 1).cloned().unwrap_or_default();
    format!(
        "{} ({} × {})",
        rating.score(),
        label(&settings.likelihood, rating.likelihood),
        label(&settings.impact, rating.impact)
    )
}

/// A risk of an approved register falls due for review like a document.
fn review(
    handbook: &Handbook,
    register: &RiskRegister,
    risk: &Risk,
    today: NaiveDate,
    found: &mut Vec<Diagnostic>,
) {
    let Some(control) = register
        .control
        .as_ref()
        .filter(|c| c.status == Status::Approved)
    else {
        return;
    };
    let Some(due) = risk.next_review(control, handbook.config.review_months) else {
        return;
    };
    // A risk due when the register itself is due is covered by the register's finding.
    if Some(due) == handbook.next_review(control) {
        return;
    }
    if due < today {
        let days = (today - due).num_days();
        found.push(
            Diagnostic::new(
                Code::ReviewOverdue,
                &register.path,
                format!(
                    "the review of risk {} was due on {due} ({days} days ago)",
                    risk.id
                ),
            )
            .span(risk.position, risk.id.chars().count())
            .about(risk.id.clone())
            .hint("reassess the risk and record it with reviewed_on: YYYY-MM-DD"),
        );
    }
}

/// The SoA's side: the risks it cites exist, and every applicable control has a basis.
fn soa_references(handbook: &Handbook, register: &RiskRegister, found: &mut Vec<Diagnostic>) {
    let Some(soa) = handbook.soa.as_ref().filter(|s| s.readable) else {
        return;
    };
    for (id, decision) in &soa.decisions {
        let label = format!("A.{id}");
        for cited in &decision.risks {
            if register.get(cited).is_none() && !register.broken.contains(cited) {
                let hint = match crate::text::did_you_mean(
                    cited,
                    register.risks.iter().map(|r| r.id.as_str()),
                ) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("add {cited} to {}, or remove the reference", register.path),
                };
                found.push(
                    Diagnostic::new(
                        Code::UnknownRisk,
                        &soa.path,
                        format!(
                            "{label} cites risk {cited}, which the risk register does not have"
                        ),
                    )
                    .span(decision.position, decision.width)
                    .about(label.clone())
                    .hint(hint),
                );
            }
        }
        let applicable = decision.applicability() == Applicability::Applicable;
        // A control citing an unknown risk has its error already.
        let unsupported = decision.basis.is_empty()
            && !decision.basis_given
            && decision.risks.is_empty()
            && handbook.risks_of(id).is_empty();
        if applicable && unsupported {
            found.push(
                Diagnostic::new(
                    Code::ControlWithoutBasis,
                    &soa.path,
                    format!("{label} applies, but no risk calls for it and no basis is given"),
                )
                .span(decision.position, decision.width)
                .about(label)
                .hint("name the risks it treats (risks: [R-01]) or why else it applies: basis: [legal, contract, business, best-practice]"),
            );
        }
    }
}

fn decision_of<'h>(handbook: &'h Handbook, id: &str) -> Option<&'h crate::model::soa::Decision> {
    handbook.soa.as_ref()?.decisions.get(id)
}
