//! A document's revision history: its events folded into one row per version.

use super::commit::CommitInfo;
use super::evidence::Evidence;
use super::walk::Event;
use crate::model::document::Snapshot;
use crate::model::kinds::Version;
use chrono::NaiveDate;
use serde::Serialize;
use std::sync::Arc;

/// A commit that landed something on the branch, as a revision row shows it: all its
/// facts come from this one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Landing {
    pub commit: Arc<str>,
    /// When it landed; `None` when unknown (a shallow clone's boundary).
    pub date: Option<NaiveDate>,
    pub authors: Arc<[String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<u64>,
    pub summary: Arc<str>,
}

impl Landing {
    fn of(commit: &CommitInfo) -> Landing {
        Landing {
            commit: commit.id.clone(),
            date: commit.date,
            authors: commit.authors.clone(),
            pull_request: commit.pull_request,
            summary: commit.summary.clone(),
        }
    }
}

/// One row of a file's revision history: one version. Its commit, date, authors and
/// pull request are those of the commit that landed the version on the branch; the
/// commits that changed it later without a new version are listed in `commits`,
/// never mixed into the row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    pub version: String,
    /// The commit that landed the version.
    pub commit: Arc<str>,
    pub date: Option<NaiveDate>,
    pub authors: Arc<[String]>,
    pub pull_request: Option<u64>,
    /// The version's fields as they last stood.
    pub change: Option<String>,
    pub status: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<String>,
    /// The commit that landed the version's approval (its first commit with status
    /// approved), when the version was approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<Landing>,
    /// What shows the approval was given (`History::evidenced` fills it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Every commit that changed the file while it had this version, oldest first.
    pub commits: Vec<Landing>,
    /// The last commit with this version.
    pub last_commit: Arc<str>,
    pub path: String,
    /// The e-mail addresses of the landing commit's authors (for self-approval).
    #[serde(skip)]
    pub author_emails: Arc<[String]>,
}

/// A file's revision history: one row per run of commits with the same version,
/// oldest first.
pub fn revisions(events: &[Event], commits: &[CommitInfo]) -> Vec<Revision> {
    let mut rows: Vec<Revision> = Vec::new();
    for event in events {
        let commit = &commits[event.commit];
        let snapshot = &event.snapshot;
        let version = snapshot.version.clone().unwrap_or_else(|| "?".to_string());
        let approved = snapshot.status.as_deref() == Some("approved");
        match rows.last_mut() {
            Some(row) if row.version == version => {
                row.commits.push(Landing::of(commit));
                row.last_commit = commit.id.clone();
                row.status = snapshot.status.clone().or(row.status.take());
                row.change = snapshot.change.clone().or(row.change.take());
                row.approved_by = snapshot.approved_by.clone().or(row.approved_by.take());
                row.approved_on = snapshot.approved_on.clone().or(row.approved_on.take());
                if approved && row.approval.is_none() {
                    row.approval = Some(Landing::of(commit));
                }
                row.path = event.path.clone();
            }
            _ => rows.push(Revision {
                version,
                commit: commit.id.clone(),
                date: commit.date,
                authors: commit.authors.clone(),
                pull_request: commit.pull_request,
                // A version-less state (the SoA before it was controlled, front
                // matter that did not parse) says so instead of leaving a blank.
                change: snapshot.change.clone().or_else(|| {
                    snapshot
                        .version
                        .is_none()
                        .then(|| "no version recorded in this state of the file".to_string())
                }),
                status: snapshot.status.clone(),
                approved_by: snapshot.approved_by.clone(),
                approved_on: snapshot.approved_on.clone(),
                approval: approved.then(|| Landing::of(commit)),
                evidence: None,
                commits: vec![Landing::of(commit)],
                last_commit: commit.id.clone(),
                path: event.path.clone(),
                author_emails: commit.author_emails.clone(),
            }),
        }
    }
    // A version approved and then set back (a draft again) has no approval now.
    for row in &mut rows {
        if row.status.as_deref() != Some("approved") && row.status.as_deref() != Some("retired") {
            row.approval = None;
        }
    }
    rows
}

/// The highest version a file ever had, with the event that first had it.
pub fn highest_version(events: &[Event]) -> Option<(Version, &Event)> {
    let mut best: Option<(Version, &Event)> = None;
    for event in events {
        let Some(version) = event
            .snapshot
            .version
            .as_deref()
            .and_then(|v| v.parse::<Version>().ok())
        else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| version > *b) {
            best = Some((version, event));
        }
    }
    best
}

/// Where the history of each document stands against its working-tree file.
pub fn working_tree_state<'h>(
    at_head: Option<&'h Snapshot>,
    current: &Snapshot,
) -> WorkingState<'h> {
    match at_head {
        None => WorkingState::Untracked,
        Some(head) if head.file == current.file => WorkingState::Clean(head),
        Some(head) => WorkingState::Modified(head),
    }
}

pub enum WorkingState<'h> {
    Untracked,
    Clean(&'h Snapshot),
    Modified(&'h Snapshot),
}
