//! The version rules, which need the git history: uncommitted changes, versions that
//! decrease, content changed after approval, and approvals carried over from an
//! earlier version. Besides diagnostics they establish facts the handbook shows.

use crate::diagnostic::{Code, Diagnostic};
use crate::history::{Event, History, WorkingState};
use crate::model::document::{ControlBlock, Snapshot, Spans};
use crate::model::handbook::Handbook;
use crate::model::kinds::{Status, parse_date};
use crate::text::Position;
use std::collections::BTreeSet;

/// Runs the version rules on every readable document.
/// A controlled file as the version rules see it: a document, or the SoA.
pub struct File<'a> {
    pub path: &'a str,
    pub spans: &'a Spans,
    pub control: &'a ControlBlock,
    pub snapshot: &'a Snapshot,
    /// False when the front matter is too broken to know the file's id and version:
    /// only the uncommitted-change rule applies.
    pub known: bool,
}

/// Every controlled file of the handbook: the readable documents, the SoA and the
/// risk register.
pub fn files(handbook: &Handbook) -> Vec<File<'_>> {
    let documents = handbook.readable().map(|(doc, meta)| {
        let version = meta.control.version;
        File {
            path: &doc.path,
            spans: &doc.spans,
            control: &meta.control,
            snapshot: &doc.snapshot,
            known: !(meta.id.is_empty()
                || version.major == 0 && version.minor == 0 && !doc.complete),
        }
    });
    let yaml = handbook.yaml_documents().into_iter().map(|file| File {
        path: file.path,
        spans: file.spans,
        control: file.control,
        snapshot: file.snapshot,
        // A version that could not be read (0.0) has its error already.
        known: file.control.version.major != 0 || file.control.version.minor != 0,
    });
    documents.chain(yaml).collect()
}

/// Runs the rules on `files`: the diagnostics and the paths of files changed after
/// approval.
pub fn check(history: &History, files: &[File<'_>]) -> (Vec<Diagnostic>, BTreeSet<String>) {
    let mut found = Vec::new();
    let mut changed = BTreeSet::new();
    if history.repository().is_none() || history.head().is_none() {
        return (found, changed);
    }
    for file in files {
        uncommitted(history, file, &mut found);
        if !file.known
            || decreased(history, file, &mut found)
            || file.control.status != Status::Approved
        {
            continue;
        }
        let events = history.events(file.path);
        if changed_after_approval(history, events, file, &mut found) {
            changed.insert(file.path.to_string());
        }
        carried_over(events, file, &mut found);
    }
    (found, changed)
}

fn uncommitted(history: &History, file: &File<'_>, found: &mut Vec<Diagnostic>) {
    let (message, hint) = match history.working_state(file.path, file.snapshot) {
        WorkingState::Untracked => (
            "this document is not committed yet",
            "commit it on a branch and open a pull request; its history starts with that commit",
        ),
        WorkingState::Modified(_) => (
            "this document has uncommitted changes",
            "commit the change (with a new version if the content changed) so it is recorded",
        ),
        WorkingState::Clean(_) => return,
    };
    found.push(
        Diagnostic::new(Code::UncommittedChange, file.path, message)
            .at(Position::new(1, 1))
            .hint(hint),
    );
}

/// A version lower than one the document had: true when reported.
fn decreased(history: &History, file: &File<'_>, found: &mut Vec<Diagnostic>) -> bool {
    let Some((highest, event)) = history.highest_version(file.path) else {
        return false;
    };
    if file.control.version >= highest {
        return false;
    }
    let commit = history.commit(event);
    let (position, width) = file.spans.value("version");
    found.push(
        Diagnostic::new(
            Code::VersionDecreased,
            file.path,
            format!(
                "version {} is lower than {highest}, which the document had in {}{}",
                file.control.version,
                commit.short(),
                commit.date.map(|d| format!(" ({d})")).unwrap_or_default()
            ),
        )
        .span(position, width)
        .hint(format!(
            "versions never decrease: use a version above {highest}"
        )),
    );
    true
}

/// The content approved is the content of the first commit that had this version with
/// status approved; a later change of title or text without a new version is an
/// error. True when reported.
fn changed_after_approval(
    history: &History,
    events: &[Event],
    file: &File<'_>,
    found: &mut Vec<Diagnostic>,
) -> bool {
    let version = file.control.version.to_string();
    let approval = events.iter().find(|e| {
        e.snapshot.version.as_deref() == Some(version.as_str())
            && e.snapshot.status.as_deref() == Some("approved")
    });
    let Some(approval) = approval.filter(|a| a.snapshot.content != file.snapshot.content) else {
        return false;
    };
    let commit = history.commit(approval);
    let (position, width) = file.spans.key("version");
    found.push(
        Diagnostic::new(
            Code::ChangedAfterApproval,
            file.path,
            format!(
                "the title or text changed after version {version} was approved in {}{}",
                commit.short(),
                commit.date.map(|d| format!(" ({d})")).unwrap_or_default()
            ),
        )
        .span(position, width)
        .hint(format!(
            "raise the version (e.g. \"{}.{}\"), say what changed in `change`, and have it approved again",
            file.control.version.major,
            file.control.version.minor + 1
        )),
    );
    true
}

/// An approval older than an earlier version's approval cannot be this version's: it
/// was carried over. (Two versions approved on one day are fine.)
fn carried_over(events: &[Event], file: &File<'_>, found: &mut Vec<Diagnostic>) {
    let version = file.control.version.to_string();
    let first_of_version = events
        .iter()
        .position(|e| e.snapshot.version.as_deref() == Some(version.as_str()));
    let earlier = &events[..first_of_version.unwrap_or(events.len())];
    let previous_approval = earlier
        .iter()
        .rev()
        .filter(|e| e.snapshot.version.as_deref() != Some(version.as_str()))
        .find_map(|e| {
            let date = parse_date(e.snapshot.approved_on.as_deref()?).ok()?;
            Some((date, e))
        });
    let (Some(approved_on), Some((previous, event))) =
        (file.control.approved_on, previous_approval)
    else {
        return;
    };
    if approved_on >= previous {
        return;
    }
    let old_version = event.snapshot.version.as_deref().unwrap_or("?");
    let (position, width) = file.spans.value("approved_on");
    found.push(
        Diagnostic::new(
            Code::ApprovalNotRenewed,
            file.path,
            format!("version {version} carries approved_on {approved_on}, earlier than the approval of version {old_version} ({previous})"),
        )
        .span(position, width)
        .hint("record this version's own approval: approved_by and approved_on of the review that approved it"),
    );
}
