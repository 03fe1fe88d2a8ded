//! The commits that landed changes: who, when, and through which pull request.

use chrono::NaiveDate;
use git2::{Commit, Oid, Repository};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A commit that landed a change to a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Shared (not copied) by every revision row the commit lands in: one commit
    /// shows in the rows of every document it changed.
    pub id: Arc<str>,
    /// The day it landed on the branch; `None` at a shallow clone's boundary, where
    /// the commit stands for all the history that was not fetched.
    pub date: Option<NaiveDate>,
    pub authors: Arc<[String]>,
    /// The authors' e-mail addresses, in the same order.
    pub author_emails: Arc<[String]>,
    /// The day its text was written: the author date of a direct, squashed or
    /// rebased commit, or of the last commit a merge brought in. An approval given
    /// before it approved a text that changed after.
    pub written: Option<NaiveDate>,
    pub pull_request: Option<u64>,
    pub summary: Arc<str>,
}

impl CommitInfo {
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }
}

/// The commit on HEAD's first-parent chain that was the branch's state at the end of
/// `date` (committer dates): what the handbook was on that day. `None` when HEAD is
/// younger than the repository's first commit on that chain.
pub fn commit_as_of(repo: &Repository, date: NaiveDate) -> Result<Option<Oid>, git2::Error> {
    let end_of_day = date.and_hms_opt(23, 59, 59).expect("a valid time");
    let mut commit = repo.head()?.peel_to_commit()?;
    loop {
        if landed(&commit).is_some_and(|t| t <= end_of_day) {
            return Ok(Some(commit.id()));
        }
        match commit.parent(0) {
            Ok(parent) => commit = parent,
            Err(_) => return Ok(None),
        }
    }
}

/// The day a commit was authored, in its author's time zone.
fn authored(commit: &Commit<'_>) -> Option<NaiveDate> {
    let when = commit.author().when();
    chrono::DateTime::from_timestamp(when.seconds() + i64::from(when.offset_minutes()) * 60, 0)
        .map(|t| t.date_naive())
}

/// When a commit landed: its committer time, in the committer's time zone.
pub fn landed(commit: &Commit<'_>) -> Option<chrono::NaiveDateTime> {
    let when = commit.committer().when();
    chrono::DateTime::from_timestamp(when.seconds() + i64::from(when.offset_minutes()) * 60, 0)
        .map(|t| t.naive_utc())
}

pub fn describe(repo: &Repository, commit: &Commit<'_>, at_boundary: bool) -> CommitInfo {
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    let summary = message
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let date = (!at_boundary)
        .then(|| landed(commit))
        .flatten()
        .map(|t| t.date());
    let (authors, author_emails): (Vec<String>, Vec<String>) =
        authors(repo, commit).into_iter().unzip();
    let written = commit
        .parent(1)
        .ok()
        .map_or_else(|| authored(commit), |tip| authored(&tip))
        .filter(|_| !at_boundary);
    CommitInfo {
        id: commit.id().to_string().into(),
        date,
        authors: authors.into(),
        author_emails: author_emails.into(),
        written,
        pull_request: pull_request_number(&message),
        summary: summary.into(),
    }
}

/// The people behind a change, by name and e-mail address: the author of a direct or
/// squashed commit, or the authors of the commits a merge brought in.
fn authors(repo: &Repository, commit: &Commit<'_>) -> Vec<(String, String)> {
    let name = |c: &Commit<'_>| {
        let author = c.author();
        (
            String::from_utf8_lossy(author.name_bytes())
                .trim()
                .to_string(),
            String::from_utf8_lossy(author.email_bytes())
                .trim()
                .to_string(),
        )
    };
    let mut names: Vec<(String, String)> = Vec::new();
    if commit.parent_count() > 1
        && let (Ok(first), Ok(second)) = (commit.parent_id(0), commit.parent_id(1))
        && let Ok(mut walk) = repo.revwalk()
        && walk.push(second).is_ok()
        && walk.hide(first).is_ok()
    {
        // A pull request is small; the cap keeps a merge of a long-lived branch cheap.
        for oid in walk.flatten().take(500) {
            if let Ok(c) = repo.find_commit(oid) {
                let n = name(&c);
                if !n.0.is_empty() && !names.iter().any(|(known, _)| *known == n.0) {
                    names.push(n);
                }
            }
        }
    }
    if names.is_empty() {
        names.push(name(commit));
    }
    names.reverse();
    names
}

/// The pull or merge request a commit message names: `Merge pull request #12 from …`
/// (GitHub merge), `Title (#12)` (GitHub squash), `See merge request group/project!12`
/// (GitLab).
pub fn pull_request_number(message: &str) -> Option<u64> {
    let digits = |s: &str| {
        let n: String = s.chars().take_while(char::is_ascii_digit).collect();
        n.parse::<u64>().ok()
    };
    let subject = message.lines().next().unwrap_or_default().trim();
    if let Some(rest) = subject.strip_prefix("Merge pull request #") {
        return digits(rest);
    }
    if let Some(open) = subject.rfind("(#")
        && subject.ends_with(')')
    {
        return digits(&subject[open + 2..]);
    }
    message
        .lines()
        .filter_map(|line| line.trim().strip_prefix("See merge request "))
        .find_map(|rest| rest.rsplit_once('!').and_then(|(_, n)| digits(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_request_numbers_from_forge_messages() {
        assert_eq!(
            pull_request_number("Merge pull request #12 from acme/ac-policy\n\nBody"),
            Some(12)
        );
        assert_eq!(
            pull_request_number("Access control policy 2.0 (#34)"),
            Some(34)
        );
        assert_eq!(
            pull_request_number(
                "Merge branch 'x' into 'main'\n\nSee merge request isms/handbook!56"
            ),
            Some(56)
        );
        assert_eq!(pull_request_number("Fix typo in #12 reference"), None);
        assert_eq!(pull_request_number("Plain commit"), None);
    }
}
