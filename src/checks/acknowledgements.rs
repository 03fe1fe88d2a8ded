//! The acknowledgement rules (Annex A 5.1, clause 7.3): a document's `audience` names
//! roles or groups that exist, and its audience has acknowledged its current major
//! version within `due-days` of it taking effect. One finding per document, with the
//! count: never one line per person.

use crate::diagnostic::{Code, Diagnostic};
use crate::history::History;
use crate::model::config::EVERYONE;
use crate::model::document::FrontMatter;
use crate::model::handbook::Handbook;
use crate::model::kinds::{Status, Version, parse_date};
use crate::model::ledger::Coverage;
use crate::text::{count, did_you_mean};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Every `audience` entry is a role, a group or `everyone`.
pub fn audiences(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    let config = &handbook.config;
    let known = || {
        std::iter::once(EVERYONE)
            .chain(config.roles.keys().map(String::as_str))
            .chain(config.groups.keys().map(String::as_str))
    };
    for (doc, meta) in handbook.readable() {
        for name in &meta.audience {
            if known().any(|k| k.eq_ignore_ascii_case(&name.value)) {
                continue;
            }
            let hint = match did_you_mean(&name.value, known()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "name roles or groups of book.toml, or `{EVERYONE}`; to add a group: [groups.{}] name = \"…\"",
                    name.value.to_lowercase()
                ),
            };
            found.push(
                Diagnostic::new(
                    Code::UnknownAudience,
                    &doc.path,
                    format!(
                        "`{}` in `audience` is neither a role nor a group",
                        name.value
                    ),
                )
                .span(name.position, name.width)
                .hint(hint),
            );
        }
    }
}

/// The coverage of every approved document with an audience, by path, and a warning
/// for each document with overdue acknowledgements. Nothing without a ledger.
pub fn coverage(
    handbook: &Handbook,
    history: &History,
    today: NaiveDate,
) -> (BTreeMap<String, Coverage>, Vec<Diagnostic>) {
    let mut coverages = BTreeMap::new();
    let mut found = Vec::new();
    let (Some(ledger), Some(settings)) = (&handbook.ledger, &handbook.config.acknowledgements)
    else {
        return (coverages, found);
    };
    for (doc, meta) in handbook.valid() {
        if meta.audience.is_empty() || meta.control.status != Status::Approved {
            continue;
        }
        let Some(since) = in_effect_since(history, &doc.path, meta) else {
            continue;
        };
        let names: Vec<String> = meta.audience.iter().map(|a| a.value.clone()).collect();
        let audience = ledger.audience(&names, &handbook.config);
        let version = meta.control.version;
        let coverage = ledger.coverage(
            &meta.id,
            version,
            &audience,
            since,
            settings.due_days,
            today,
        );
        if coverage.overdue > 0 {
            found.push(overdue(
                &doc.path,
                meta,
                &coverage,
                doc.spans.key("audience"),
            ));
        }
        coverages.insert(doc.path.clone(), coverage);
    }
    (coverages, found)
}

fn overdue(
    path: &str,
    meta: &FrontMatter,
    coverage: &Coverage,
    (position, width): (crate::text::Position, usize),
) -> Diagnostic {
    let major = meta.control.version.major;
    let due = coverage.due.map_or(String::new(), |d| format!(", due {d}"));
    Diagnostic::new(
        Code::AcknowledgementOverdue,
        path,
        format!(
            "{} of {} in the audience of {} have not acknowledged version {major}.x{due}",
            coverage.overdue,
            count(coverage.audience, "person", "people"),
            meta.id
        ),
    )
    .span(position, width)
    .hint(format!(
        "remind them to read and acknowledge it; an acknowledgement of any {major}.x version counts (the handbook's acknowledgements page names them)"
    ))
}

/// The day the document's current major version took effect: the approval of its
/// first approved X.* version in history, else the current version's.
fn in_effect_since(history: &History, path: &str, meta: &FrontMatter) -> Option<NaiveDate> {
    let major = meta.control.version.major;
    let first = history.events(path).iter().find_map(|event| {
        let snapshot = &event.snapshot;
        let version: Version = snapshot.version.as_deref()?.parse().ok()?;
        (version.major == major && snapshot.status.as_deref() == Some("approved"))
            .then(|| parse_date(snapshot.approved_on.as_deref()?).ok())
            .flatten()
    });
    first
        .or(meta.control.effective)
        .or(meta.control.approved_on)
}
