//! A document's revision history: its events folded into one row per version.

use super::commit::CommitInfo;
use super::walk::Event;
use crate::model::document::Snapshot;
use crate::model::kinds::Version;
use chrono::NaiveDate;
use serde::Serialize;

/// One row of a document's revision history: consecutive commits with the same
/// version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    pub version: String,
    /// When the version first landed; `None` when unknown (shallow clone).
    pub date: Option<NaiveDate>,
    pub authors: Vec<String>,
    pub change: Option<String>,
    pub status: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<String>,
    /// The commit that introduced the version.
    pub commit: String,
    /// The last commit with this version.
    pub last_commit: String,
    pub pull_request: Option<u64>,
    pub path: String,
}

/// A file's revision history: one row per run of commits with the same version,
/// oldest first.
pub fn revisions(events: &[Event], commits: &[CommitInfo]) -> Vec<Revision> {
    let mut rows: Vec<Revision> = Vec::new();
    for event in events {
        let commit = &commits[event.commit];
        let snapshot = &event.snapshot;
        let version = snapshot.version.clone().unwrap_or_else(|| "?".to_string());
        match rows.last_mut() {
            Some(row) if row.version == version => {
                for author in &commit.authors {
                    if !row.authors.contains(author) {
                        row.authors.push(author.clone());
                    }
                }
                row.last_commit = commit.id.clone();
                row.status = snapshot.status.clone().or(row.status.take());
                row.change = snapshot.change.clone().or(row.change.take());
                row.approved_by = snapshot.approved_by.clone().or(row.approved_by.take());
                row.approved_on = snapshot.approved_on.clone().or(row.approved_on.take());
                row.pull_request = row.pull_request.or(commit.pull_request);
                row.path = event.path.clone();
            }
            _ => rows.push(Revision {
                version,
                date: commit.date,
                authors: commit.authors.clone(),
                change: snapshot.change.clone(),
                status: snapshot.status.clone(),
                approved_by: snapshot.approved_by.clone(),
                approved_on: snapshot.approved_on.clone(),
                commit: commit.id.clone(),
                last_commit: commit.id.clone(),
                pull_request: commit.pull_request,
                path: event.path.clone(),
            }),
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
