//! `ismsbook diff`: a Markdown summary of the controlled changes between two states,
//! for a pull-request description.

use super::{Context, Error};
use crate::history::changes::{self, DocChange, Entry, State};
use crate::history::{History, git};
use crate::model::catalog::Catalog;
use crate::model::risks::{Risk, RiskRegister};
use crate::model::soa::{Decision, Soa};
use crate::text::compare_ids;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

/// `BASE..HEAD`, or `BASE` alone to compare with the working tree.
pub fn run(ctx: &Context, range: &str, out: &mut dyn Write) -> Result<(), Error> {
    let handbook = ctx.handbook()?;
    let history = History::load(&handbook.config);
    let repo = history
        .repository()
        .ok_or_else(|| Error::usage("diff needs a git repository, and there is none here"))?;
    let (from, to) = match range.split_once("..") {
        Some((from, to)) => (from, Some(to).filter(|t| !t.is_empty())),
        None => (range, None),
    };
    let state = |rev: &str| -> Result<State, Error> {
        let commit = git::resolve(repo, rev)
            .map_err(|e| Error::usage(format!("cannot resolve `{rev}`: {}", e.message())))?;
        let mut state = State::at_commit(repo, &commit, history.prefix(), &handbook.config)
            .map_err(|e| Error::Config(handbook.config.root.clone(), e))?;
        state.label = rev.to_string();
        Ok(state)
    };
    let before = state(from)?;
    let after = match to {
        Some(to) => state(to)?,
        None => State::of(&handbook, "working tree"),
    };
    let _ = out.write_all(summary(&before, &after, &handbook.catalog).as_bytes());
    Ok(())
}

/// The summary: a table of the documents that changed, the controls and clauses they
/// gained or lost, and the SoA decisions that changed.
pub fn summary(base: &State, head: &State, catalog: &Catalog) -> String {
    let changes = changes::compare(base, head);
    let mut out = format!(
        "## Controlled changes ({} → {})\n\n",
        base.label, head.label
    );
    if changes.is_empty() {
        out.push_str("No controlled document changed.\n");
    } else {
        out.push_str(
            "| Document | Change | Version | Status | What changed |\n|---|---|---|---|---|\n",
        );
        for change in &changes {
            out.push_str(&document_row(change));
        }
        let traced: String = changes.iter().map(traced).collect();
        if !traced.is_empty() {
            out.push_str("\n### Controls and clauses\n\n");
            out.push_str(&traced);
        }
    }
    let soa_rows = soa_changes(base.soa.as_ref(), head.soa.as_ref(), catalog);
    if !soa_rows.is_empty() {
        out.push_str(
            "\n### Statement of Applicability\n\n| Control | Before | After |\n|---|---|---|\n",
        );
        out.push_str(&soa_rows);
    }
    let unreadable = [&base.risks, &head.risks]
        .into_iter()
        .flatten()
        .any(|r| !r.readable);
    let risk_rows = risk_changes(base.risks.as_ref(), head.risks.as_ref());
    if unreadable {
        out.push_str("\n### Risk register\n\nThe risk register cannot be read on one side, so its risks are not compared; `ismsbook check` says why.\n");
    } else if !risk_rows.is_empty() {
        out.push_str("\n### Risk register\n\n| Risk | Before | After |\n|---|---|---|\n");
        out.push_str(&risk_rows);
    }
    out
}

/// `a → b` when a value changed, the value when it did not or one side has none.
fn transition(before: Option<&str>, after: Option<&str>) -> String {
    match (before, after) {
        (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
        (_, Some(b)) => b.to_string(),
        (Some(a), None) => a.to_string(),
        (None, None) => String::new(),
    }
}

fn document_row(change: &DocChange<'_>) -> String {
    let entry = change.entry();
    let (base, head) = (change.base(), change.head());
    let version = transition(
        base.and_then(|b| b.snapshot.version.as_deref()),
        head.and_then(|h| h.snapshot.version.as_deref()),
    );
    let status = transition(base.map(Entry::status), head.map(Entry::status));
    let what = match change {
        DocChange::Removed { .. } => "removed".to_string(),
        DocChange::Moved { base, .. } => format!("moved from `{}`", base.path),
        _ => head
            .and_then(|h| h.snapshot.change.clone())
            .unwrap_or_default(),
    };
    format!(
        "| **{}** {} | {} | {} | {} | {} |\n",
        cell(&entry.key()),
        cell(entry.title()),
        change.kind().label(),
        version,
        status,
        cell(&what)
    )
}

/// The controls and clauses a changed document gained (`+`) or lost (`−`).
fn traced(change: &DocChange<'_>) -> String {
    let empty = BTreeSet::new();
    let (base, head) = (change.base(), change.head());
    let before = base.map_or(&empty, |b| &b.controls);
    let after = head.map_or(&empty, |h| &h.controls);
    let clauses_before = base.map_or(&empty, |b| &b.clauses);
    let clauses_after = head.map_or(&empty, |h| &h.clauses);
    let mut parts = Vec::new();
    parts.extend(
        sorted(after.difference(before))
            .iter()
            .map(|c| format!("+A.{c}")),
    );
    parts.extend(
        sorted(before.difference(after))
            .iter()
            .map(|c| format!("−A.{c}")),
    );
    parts.extend(
        sorted(clauses_after.difference(clauses_before))
            .iter()
            .map(|c| format!("+clause {c}")),
    );
    parts.extend(
        sorted(clauses_before.difference(clauses_after))
            .iter()
            .map(|c| format!("−clause {c}")),
    );
    if parts.is_empty() {
        return String::new();
    }
    format!("- **{}**: {}\n", change.entry().key(), parts.join(", "))
}

/// Ids in numeric order: 5.2 before 5.10.
fn sorted<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut ids: Vec<&String> = ids.collect();
    ids.sort_by(|a, b| compare_ids(a, b));
    ids
}

fn soa_changes(base: Option<&Soa>, head: Option<&Soa>, catalog: &Catalog) -> String {
    let empty = BTreeMap::new();
    let before = base.map_or(&empty, |s| &s.decisions);
    let after = head.map_or(&empty, |s| &s.decisions);
    let ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut rows = Vec::new();
    for id in ids {
        let (a, b) = (before.get(id), after.get(id));
        let changed = match (a, b) {
            (Some(a), Some(b)) => {
                a.applicable != b.applicable
                    || a.status != b.status
                    || a.justification != b.justification
                    || a.owner != b.owner
            }
            _ => true,
        };
        if changed {
            let title = catalog.control(id).map_or("", |c| c.title.as_str());
            let (mut from, to) = (describe(a), describe(b));
            if from == to {
                from.push_str(" (justification or owner changed)");
            }
            rows.push((id, format!("| A.{id} {} | {from} | {to} |\n", cell(title))));
        }
    }
    rows.sort_by(|a, b| compare_ids(a.0, b.0));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// The risks added, removed, or changed in rating, treatment, controls or acceptance.
fn risk_changes(base: Option<&RiskRegister>, head: Option<&RiskRegister>) -> String {
    let risks = |r: Option<&RiskRegister>| -> BTreeMap<String, Risk> {
        r.map(|r| r.risks.iter().map(|k| (k.id.clone(), k.clone())).collect())
            .unwrap_or_default()
    };
    let (before, after) = (risks(base), risks(head));
    let ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut rows: Vec<(&String, String)> = Vec::new();
    for id in ids {
        let (from, to) = (
            before.get(id).map(describe_risk),
            after.get(id).map(describe_risk),
        );
        if from != to {
            let title = after
                .get(id)
                .or(before.get(id))
                .map_or("", |r| r.title.as_str());
            let from = from.unwrap_or_else(|| "no entry".to_string());
            let to = to.unwrap_or_else(|| "removed".to_string());
            rows.push((id, format!("| {id} {} | {from} | {to} |\n", cell(title))));
        }
    }
    rows.sort_by(|a, b| compare_ids(a.0, b.0));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// A risk in one cell: its rating before and after treatment, its treatment, its
/// controls and its acceptance.
fn describe_risk(risk: &Risk) -> String {
    let score = |r: Option<crate::model::risks::Rating>| {
        r.map_or("-".to_string(), |r| r.score().to_string())
    };
    let mut text = format!(
        "{} → {}, {}",
        score(risk.inherent),
        score(risk.residual),
        risk.treatment.map_or("no treatment", |t| t.as_str())
    );
    if !risk.controls.is_empty() {
        let ids: Vec<String> = risk
            .controls
            .iter()
            .map(|c| format!("A.{}", c.value))
            .collect();
        text.push_str(&format!(" ({})", ids.join(", ")));
    }
    if let Some(by) = &risk.accepted_by {
        text.push_str(&format!(", accepted by {by}"));
    }
    text
}

fn describe(decision: Option<&Decision>) -> String {
    match decision {
        None => "no entry".to_string(),
        Some(d) => match d.applicable {
            None => "undecided".to_string(),
            Some(false) => "excluded".to_string(),
            Some(true) => format!(
                "applicable, {}",
                d.status.map_or("no status", |s| s.as_str())
            ),
        },
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
