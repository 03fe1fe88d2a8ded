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
        for name in &meta.audience {
            let known = handbook
                .config
                .roles
                .keys()
                .chain(handbook.config.groups.keys());
            let is_known = known
                .chain(std::iter::once(&EVERYONE.to_string()))
                .any(|k| k.eq_ignore_ascii_case(&name.value));
            if is_known
                && ledger
                    .audience(std::slice::from_ref(&name.value), &handbook.config)
                    .is_empty()
            {
                found.push(
                    Diagnostic::new(
                        Code::AudienceEmpty,
                        &doc.path,
                        format!("`{}` in the audience of {} names nobody", name.value, meta.id),
                    )
                    .span(name.position, name.width)
                    .hint("list the role's members in book.toml, or put the group in the roster's `groups` column"),
                );
            }
        }
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
/// first approved X.* version in history. When the current version is that first
/// one (or history does not know it), its own `effective` date, else its approval.
fn in_effect_since(history: &History, path: &str, meta: &FrontMatter) -> Option<NaiveDate> {
    let control = &meta.control;
    let current = control.effective.or(control.approved_on);
    let first = history.events(path).iter().find_map(|event| {
        let snapshot = &event.snapshot;
        let version: Version = snapshot.version.as_deref()?.parse().ok()?;
        let approved = snapshot.status.as_deref() == Some("approved");
        if version.major != control.version.major || !approved {
            return None;
        }
        Some((version, parse_date(snapshot.approved_on.as_deref()?).ok()?))
    });
    match first {
        Some((version, _)) if version == control.version => current,
        Some((_, approved_on)) => Some(approved_on),
        None => current,
    }
}

/// What the ledger holds that matches nothing: records of document ids no document
/// has (one finding per id, with a near id), and roster groups that are a slip of a
/// group of book.toml. Groups of the HR system that the ISMS does not use are fine.
pub fn ledger(handbook: &Handbook, history: &History, found: &mut Vec<Diagnostic>) {
    let Some(ledger) = &handbook.ledger else {
        return;
    };
    let removed = history.removed_ids();
    let mut ids: Vec<(&String, &(String, usize))> = ledger.seen.iter().collect();
    ids.sort();
    for (id, (path, line)) in ids {
        if handbook.by_id(id).is_some() || removed.contains_key(id.as_str()) {
            continue;
        }
        let near = handbook
            .ids()
            .find(|known| known.eq_ignore_ascii_case(id))
            .or_else(|| did_you_mean(id, handbook.ids()));
        let hint = match near {
            Some(near) => format!("did you mean `{near}`? Records name documents by their id"),
            None => "records name documents by their id, as in the front matter".to_string(),
        };
        found.push(
            Diagnostic::new(
                Code::LedgerRowInvalid,
                path,
                format!("acknowledgement records name `{id}`, which no document has"),
            )
            .span(crate::text::Position::new(*line, 1), 1)
            .hint(hint),
        );
    }
    let defined: Vec<&str> = handbook.config.groups.keys().map(String::as_str).collect();
    let mut groups: Vec<(&String, &(String, usize))> = ledger.groups.iter().collect();
    groups.sort();
    for (group, (path, line)) in groups {
        if defined.iter().any(|d| d.eq_ignore_ascii_case(group)) {
            continue;
        }
        if let Some(near) = did_you_mean(group, defined.iter().copied()) {
            found.push(
                Diagnostic::new(
                    Code::LedgerRowInvalid,
                    path,
                    format!("the roster's group `{group}` is not a group of book.toml"),
                )
                .span(crate::text::Position::new(*line, 1), 1)
                .hint(format!(
                    "did you mean `{near}`? Its people are in no audience of `{near}`"
                )),
            );
        }
    }
}
