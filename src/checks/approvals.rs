//! The rules of approval evidence and identity read from git: approvals proven to the
//! level book.toml requires, not given by a version's sole author, not dated before
//! their text; ids never reused; approved records never changed.

use super::versions::File;
use crate::diagnostic::{Code, Diagnostic};
use crate::history::{AllowedSigners, Event, History, Revision};
use crate::model::config::{Config, EvidenceLevel};
use crate::model::handbook::Handbook;
use crate::model::kinds::{DocType, Status};
use std::collections::BTreeMap;

/// Every rule, for the controlled files given (the documents and the SoA).
pub fn check(
    handbook: &Handbook,
    history: &History,
    signers: &AllowedSigners,
    files: &[File<'_>],
    found: &mut Vec<Diagnostic>,
) {
    if history.repository().is_none() || history.head().is_none() {
        return;
    }
    let config = &handbook.config;
    for file in files {
        if !file.known || file.control.status != Status::Approved {
            continue;
        }
        let version = file.control.version.to_string();
        let Some(mut current) = history.revision(file.path, &version) else {
            continue;
        };
        history.add_evidence(&mut current, config, signers);
        unproven(config, history, file, &current, found);
        self_approved(config, file, &current, found);
        predates(history, file, found);
    }
    records(handbook, history, found);
    reused_ids(handbook, history, found);
}

/// An approval below the evidence book.toml requires, landed after it began to.
fn unproven(
    config: &Config,
    history: &History,
    file: &File<'_>,
    current: &Revision,
    found: &mut Vec<Diagnostic>,
) {
    let required = config.approval_evidence;
    let (Some(evidence), Some(approval)) = (&current.evidence, &current.approval) else {
        return;
    };
    if evidence.level >= required || !history.requires_evidence(&approval.commit, required) {
        return;
    }
    let by = current.approved_by.as_deref().unwrap_or("?");
    let members = config
        .roles
        .get(by)
        .map(|r| r.members.join(", "))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("none listed: add `members` to [roles.{by}]"));
    let hint = match required {
        EvidenceLevel::Signed => format!(
            "land the approval in a commit signed (git -c gpg.format=ssh commit -S) by a member of {by} whose key the allowed-signers file lists; members: {members}"
        ),
        _ => format!(
            "land the approval in a commit made by a member of {by}, or with an `Approved-by: Name <email>` trailer of one; members: {members}"
        ),
    };
    let (position, width) = file.spans.value("approved_by");
    found.push(
        Diagnostic::new(
            Code::ApprovalUnproven,
            file.path,
            format!(
                "the approval of version {} is {}, but book.toml requires {} evidence",
                current.version,
                evidence.describe(),
                required.as_str()
            ),
        )
        .span(position, width)
        .hint(hint),
    );
}

/// A version approved by the one person who wrote it, when the role's members say so.
fn self_approved(
    config: &Config,
    file: &File<'_>,
    current: &Revision,
    found: &mut Vec<Diagnostic>,
) {
    let (Some(by), Some(evidence)) = (&current.approved_by, &current.evidence) else {
        return;
    };
    let Some(role) = config.roles.get(by).filter(|r| !r.members.is_empty()) else {
        return;
    };
    let [author] = &*current.author_emails else {
        return;
    };
    // Who approved: the member the evidence names, or the role's only member.
    let approver = match (&evidence.by, role.members.as_slice()) {
        (Some(member), _) => member.as_str(),
        (None, [only]) => only.as_str(),
        _ => return,
    };
    if !approver.eq_ignore_ascii_case(author) {
        return;
    }
    let (position, width) = file.spans.value("approved_by");
    found.push(
        Diagnostic::new(
            Code::SelfApproved,
            file.path,
            format!(
                "version {} was written and approved by the same person ({author})",
                current.version
            ),
        )
        .span(position, width)
        .hint(format!(
            "have another member of {by} approve it, or add an approver role with other members"
        )),
    );
}

/// `approved_on` earlier than the day the approved text was written (the author date
/// of the commit that first landed it, or of the last commit its merge brought in),
/// except in the file's first commit: an import of earlier approvals.
fn predates(history: &History, file: &File<'_>, found: &mut Vec<Diagnostic>) {
    let Some(approved_on) = file.control.approved_on else {
        return;
    };
    let events = history.events(file.path);
    let version = file.control.version.to_string();
    let Some(approval) = events.iter().find(|e| {
        e.snapshot.version.as_deref() == Some(version.as_str())
            && e.snapshot.status.as_deref() == Some("approved")
    }) else {
        return;
    };
    let Some(first) = events
        .iter()
        .position(|e| e.snapshot.content == approval.snapshot.content)
    else {
        return;
    };
    if first == 0 {
        return;
    }
    let landed = history.commit(&events[first]);
    let Some(day) = landed.written.filter(|day| approved_on < *day) else {
        return;
    };
    let (position, width) = file.spans.value("approved_on");
    found.push(
        Diagnostic::new(
            Code::ApprovalPredatesChange,
            file.path,
            format!(
                "approved_on {approved_on} is before the approved text was written, on {day} (landed in {})",
                landed.short()
            ),
        )
        .span(position, width)
        .hint("an approval cannot come before its text: record the date the approval was given"),
    );
}

/// A record's content never changes once approved, even with a higher version.
fn records(handbook: &Handbook, history: &History, found: &mut Vec<Diagnostic>) {
    for (doc, meta) in handbook.valid() {
        if meta.doc_type != DocType::Record {
            continue;
        }
        let events: &[Event] = history.events(&doc.path);
        let Some(approved) = events
            .iter()
            .find(|e| e.snapshot.status.as_deref() == Some("approved"))
        else {
            continue;
        };
        if approved.snapshot.content == doc.snapshot.content {
            continue;
        }
        let commit = history.commit(approved);
        let (position, width) = doc.spans.key("version");
        found.push(
            Diagnostic::new(
                Code::RecordChanged,
                &doc.path,
                format!(
                    "record {} was approved in {}{}; its content has changed since",
                    meta.id,
                    commit.short(),
                    commit.date.map(|d| format!(" ({d})")).unwrap_or_default()
                ),
            )
            .span(position, width)
            .hint("a record is evidence and is never revised: restore the approved text, and make the correction a new record that refers to it"),
        );
    }
}

/// An id that belonged to a removed document, given to another.
fn reused_ids(handbook: &Handbook, history: &History, found: &mut Vec<Diagnostic>) {
    let removed: BTreeMap<&str, (&str, &Event)> = history.removed_ids();
    for doc in &handbook.documents {
        let Some(id) = doc.id.as_deref() else {
            continue;
        };
        let Some((path, event)) = removed.get(id) else {
            continue;
        };
        let title = event.snapshot.title.as_deref().unwrap_or("?");
        // The same file, title and id at the same place: a document restored.
        let restored = *path == doc.path && doc.meta.as_ref().is_some_and(|m| m.title == title);
        if restored {
            continue;
        }
        let commit = history.commit(event);
        let (position, width) = doc.spans.value("id");
        found.push(
            Diagnostic::new(
                Code::IdReused,
                &doc.path,
                format!(
                    "id `{id}` belonged to \"{title}\" ({path}), removed in {}{}",
                    commit.short(),
                    commit.date.map(|d| format!(" ({d})")).unwrap_or_default()
                ),
            )
            .span(position, width)
            .hint("ids are never reused, so every reference and record keeps its meaning: give this document an id of its own (`ismsbook new` proposes one)"),
        );
    }
}
