//! Revision history from git: every version of every document, read in one
//! first-parent walk from HEAD for all documents together.
//!
//! First-parent semantics: a commit on the branch's first-parent chain is the moment a
//! change *landed* (the merge of a pull request, a squash merge, or a direct commit);
//! the commits inside a merged branch are its authors' work in progress. The date of a
//! revision is the committer date of the commit that landed it.
//!
//! The walk skips commits whose document folders did not change (one tree id
//! comparison per folder), diffs only the folders that did, reads the front matter of
//! changed documents only, follows exact renames and renames that keep the document's
//! id, and is cached in the git directory by HEAD, so a later run walks only new
//! commits.

mod cache;
pub mod changes;
mod commit;
pub mod evidence;
pub mod git;
mod reading;
mod revision;
pub mod signers;
mod tree;
mod walk;

pub use commit::{CommitInfo, commit_as_of, landed, pull_request_number};
pub use git::AtCommit;
pub use revision::{Landing, Revision, WorkingState};
pub use signers::AllowedSigners;
pub use walk::Event;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::config::{Config, EvidenceLevel, Role};
use crate::model::document::Snapshot;
use crate::model::kinds::Version;
use git2::{Commit, ErrorCode, Oid, Repository};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use walk::{Walked, Walker};

/// The changes to the file now at `path`, oldest first, since it was last created.
fn events_of<'w>(walked: &'w Walked, path: &str) -> &'w [Event] {
    let all = walked.files.get(path).map_or(&[][..], Vec::as_slice);
    let start = all.iter().rposition(|e| e.deleted).map_or(0, |i| i + 1);
    &all[start..]
}

/// The history's versions without its repository, which stays on one thread.
#[derive(Clone)]
pub struct Versions(std::sync::Arc<Walked>);

impl Versions {
    /// As `History::revisions`, without evidence (which needs the repository).
    pub fn revisions(&self, path: &str) -> Vec<Revision> {
        revision::revisions(events_of(&self.0, path), &self.0.commits)
    }
}

/// Approval evidence already judged, and what this run judges against.
#[derive(Default)]
struct Judged {
    /// Read when first needed.
    memo: Option<cache::EvidenceMemo>,
    /// Whether this run added to it (and it is written again).
    added: bool,
}

/// How much of the history could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// The whole first-parent history of HEAD.
    #[default]
    Complete,
    /// A shallow clone: history before the boundary is missing.
    Shallow,
    /// No usable repository or no commits: there is no history.
    None,
}

/// The history of every document, and what could not be read.
pub struct History {
    walked: std::sync::Arc<Walked>,
    /// Writes the cache beside the rest of the run; joined when the history is
    /// dropped, so a run never ends with the cache half-written.
    cache_writer: Option<std::thread::JoinHandle<()>>,
    pub coverage: Coverage,
    pub detached: bool,
    /// Why the history is incomplete, if it is, and other notices; reported by
    /// `check` and shown in outputs.
    pub notices: Vec<Diagnostic>,
    repo: Option<Repository>,
    /// The ISMS root's path inside the work tree, `""` or ending in `/`.
    prefix: String,
    /// Approval evidence judged by this run or an earlier one.
    evidence: std::sync::Mutex<Judged>,
}

impl Drop for History {
    fn drop(&mut self) {
        self.persist();
    }
}

impl History {
    /// Finishes what the history keeps on disk: waits for the cache being written
    /// and writes the evidence judged in this run. Done when it is dropped, at the
    /// latest; a second call does nothing.
    pub fn persist(&mut self) {
        if let Some(writer) = self.cache_writer.take() {
            let _ = writer.join();
        }
        let judged = std::mem::take(self.evidence.get_mut().unwrap_or_else(|e| e.into_inner()));
        if let (Some(mut memo), true, Some(repo)) = (judged.memo, judged.added, &self.repo) {
            // Evidence of commits no longer in the history is not kept.
            let commits: std::collections::HashSet<&str> =
                self.walked.commits.iter().map(|c| &*c.id).collect();
            memo.retain(|commit, _| commits.contains(commit.as_str()));
            cache::write_evidence(repo.path(), &memo);
        }
    }
}

impl History {
    /// No history at all: for handbooks built from sources in memory.
    pub fn none() -> History {
        History {
            walked: std::sync::Arc::default(),
            cache_writer: None,
            coverage: Coverage::None,
            detached: false,
            notices: Vec::new(),
            repo: None,
            prefix: String::new(),
            evidence: std::sync::Mutex::default(),
        }
    }

    /// Reads the history of the documents in `config`'s folders. Never fails: a
    /// missing or damaged repository gives an empty history and a notice.
    pub fn load(config: &Config) -> History {
        History::load_at(config, None)
    }

    /// The history as it stood at commit `at` (the first-parent chain from there),
    /// or at HEAD when `at` is `None`. Only HEAD's history is cached.
    pub fn load_at(config: &Config, at: Option<Oid>) -> History {
        git::fast_object_reads();
        let mut history = History::none();
        let repo = match Repository::discover(&config.root) {
            Ok(repo) if repo.is_bare() => {
                history.notice(
                    Code::HistoryUnavailable,
                    "the repository is bare: it has no working files",
                    "run ismsbook in a clone of the repository",
                );
                return history;
            }
            Ok(repo) => repo,
            Err(_) => {
                history.notice(
                    Code::HistoryUnavailable,
                    "not a git repository: revision history and approval evidence are not available",
                    "keep the ISMS in git (`git init`, then commit) so every version is recorded",
                );
                return history;
            }
        };
        history.prefix = git::prefix_of(&repo, &config.root);
        history.read(&repo, config, at);
        // The walk leaves libgit2's caches (trees, commits, delta bases: 30 MiB and
        // more on a large history) in the handle it used; what comes after reads a
        // few commits for evidence, so it gets a fresh handle, found the same way
        // (the same work tree, whatever the layout).
        let fresh = Repository::discover(&config.root).ok();
        history.repo = Some(fresh.unwrap_or(repo));
        history
    }

    /// Walks the history of `repo` into `self`; problems become notices.
    fn read(&mut self, repo: &Repository, config: &Config, at: Option<Oid>) {
        if let Some(at) = at {
            match repo.find_commit(at) {
                Ok(commit) => return self.walk_from(repo, config, commit, false),
                Err(e) => {
                    self.notice(
                        Code::HistoryUnavailable,
                        format!("commit {at} cannot be read: {}", e.message()),
                        "check the revision and the repository (`git fsck`)",
                    );
                    return;
                }
            }
        }
        let head = match repo.head() {
            Ok(head) => head,
            Err(e) if e.code() == ErrorCode::UnbornBranch => {
                self.notice(
                    Code::HistoryEmpty,
                    "the repository has no commits yet: there is no revision history",
                    "commit the documents; each commit becomes part of their history",
                );
                return;
            }
            Err(e) => {
                self.notice(
                    Code::HistoryUnavailable,
                    format!("HEAD cannot be read: {}", e.message()),
                    "check the repository with `git status`; a damaged HEAD must be repaired before history can be read",
                );
                return;
            }
        };
        let head_commit = match head.peel_to_commit() {
            Ok(commit) => commit,
            Err(e) => {
                self.notice(
                    Code::HistoryUnavailable,
                    format!("HEAD does not point to a commit: {}", e.message()),
                    "check the repository with `git status` and `git fsck`",
                );
                return;
            }
        };
        self.detached = repo.head_detached().unwrap_or(false);
        if self.detached {
            self.notice(
                Code::DetachedHead,
                format!(
                    "HEAD is detached at {}: the history is that of the checked-out commit",
                    git::short(&head_commit.id().to_string())
                ),
                "this is normal in CI; locally, check out a branch to record new versions",
            );
        }
        self.walk_from(repo, config, head_commit, true);
    }

    /// Walks the first-parent history from `head`; `cached` reads and writes the cache.
    fn walk_from(
        &mut self,
        repo: &Repository,
        config: &Config,
        head_commit: Commit<'_>,
        cached: bool,
    ) {
        let boundary = git::shallow_boundary(repo);
        let folders: Vec<String> = config.folders.iter().map(|f| f.path.clone()).collect();
        let yaml_files = config.yaml_documents();
        let yaml_paths: Vec<String> = yaml_files.iter().map(|(p, _)| p.clone()).collect();
        let use_cache = cached;
        let cached = cache::read(repo).filter(|_| use_cache).filter(|c| {
            c.prefix == self.prefix && c.folders == folders && c.yaml_files == yaml_paths
        });
        let odb = match repo.odb() {
            Ok(odb) => odb,
            Err(e) => {
                self.notice(
                    Code::HistoryUnavailable,
                    format!("the object database cannot be opened: {}", e.message()),
                    "check the repository with `git fsck`",
                );
                return;
            }
        };
        let prefix = self.prefix.clone();
        // A cache already at HEAD is not written again.
        let head_id = head_commit.id().to_string();
        let unchanged = cached
            .as_ref()
            .is_some_and(|c| c.head.as_deref() == Some(head_id.as_str()));
        let walker = Walker::new(
            repo,
            &odb,
            &prefix,
            &folders,
            &yaml_files,
            &boundary,
            cached.unwrap_or_default(),
        );
        let result = walker.finish(&head_commit);
        let mut walked = match result {
            Ok(walked) => walked,
            Err(e) => {
                self.notice(
                    Code::HistoryUnavailable,
                    format!("the history could not be read: {}", e.message()),
                    "check the repository with `git fsck`; a missing object or packfile must be restored",
                );
                return;
            }
        };
        walked.prefix = self.prefix.clone();
        walked.folders = folders;
        walked.yaml_files = yaml_paths;
        let walked = std::sync::Arc::new(walked);
        let (for_cache, git_dir) = (std::sync::Arc::clone(&walked), repo.path().to_path_buf());
        self.cache_writer = (use_cache && !unchanged)
            .then(|| std::thread::spawn(move || cache::write(&git_dir, &for_cache)));
        self.walked = walked;
        self.coverage = if boundary.is_empty() {
            Coverage::Complete
        } else {
            Coverage::Shallow
        };
        if self.coverage == Coverage::Shallow {
            self.notice(
                    Code::HistoryShallow,
                "the repository is a shallow clone: revisions before its boundary are missing, and dates at the boundary are unknown",
                "fetch the whole history (`git fetch --unshallow`; in GitHub Actions, `fetch-depth: 0` in actions/checkout)",
            );
        }
    }

    fn notice(&mut self, code: Code, message: impl Into<String>, hint: &str) {
        self.notices
            .push(Diagnostic::whole(code, message).hint(hint));
    }

    /// True when this history is still that of the repository: same HEAD, same
    /// document folders. A long-running process (serve) then keeps it.
    pub fn is_current(&self, config: &Config) -> bool {
        let Some(repo) = &self.repo else { return false };
        let head = repo
            .head()
            .ok()
            .and_then(|h| h.target())
            .map(|oid| oid.to_string());
        let folders: Vec<&str> = config.folders.iter().map(|f| f.path.as_str()).collect();
        head.is_some()
            && head.as_deref() == self.head()
            && self.walked.folders.iter().map(String::as_str).eq(folders)
            && self
                .walked
                .yaml_files
                .iter()
                .eq(config.yaml_documents().iter().map(|(p, _)| p))
            && self.prefix == git::prefix_of(repo, &config.root)
    }

    pub fn is_complete(&self) -> bool {
        self.coverage == Coverage::Complete
    }

    /// The repository, when there is one.
    pub fn repository(&self) -> Option<&Repository> {
        self.repo.as_ref()
    }

    /// The ISMS root's path inside the work tree (`""` or ending in `/`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn head(&self) -> Option<&str> {
        self.walked.head.as_deref()
    }

    pub fn commits(&self) -> &[CommitInfo] {
        &self.walked.commits
    }

    pub fn commit(&self, event: &Event) -> &CommitInfo {
        &self.walked.commits[event.commit]
    }

    /// The changes to the file now at `path`, oldest first, since it was last created
    /// (a file deleted and created again starts a new history).
    pub fn events(&self, path: &str) -> &[Event] {
        events_of(&self.walked, path)
    }

    /// The versions read, without the repository: for reading on several threads.
    pub fn versions(&self) -> Versions {
        Versions(std::sync::Arc::clone(&self.walked))
    }

    /// Files that were deleted, with their events (the last event is the deletion).
    pub fn deleted(&self) -> impl Iterator<Item = (&str, &[Event])> {
        self.walked
            .files
            .iter()
            .filter(|(_, events)| events.last().is_some_and(|e| e.deleted))
            .map(|(path, events)| (path.as_str(), events.as_slice()))
    }

    /// The snapshot of the file at HEAD, if it is committed.
    pub fn at_head(&self, path: &str) -> Option<&Snapshot> {
        self.events(path).last().map(|e| &e.snapshot)
    }

    /// The revision history of the file now at `path`: one row per run of commits
    /// with the same version, oldest first.
    pub fn revisions(&self, path: &str) -> Vec<Revision> {
        revision::revisions(self.events(path), &self.walked.commits)
    }

    /// The revision row of `version`, as `revisions` gives it (its last run of
    /// commits), without building the rows of the other versions.
    pub fn revision(&self, path: &str, version: &str) -> Option<Revision> {
        let events = self.events(path);
        let has = |e: &Event| e.snapshot.version.as_deref().unwrap_or("?") == version;
        let end = events.iter().rposition(has)? + 1;
        let start = events[..end]
            .iter()
            .rposition(|e| !has(e))
            .map_or(0, |i| i + 1);
        revision::revisions(&events[start..end], &self.walked.commits).pop()
    }

    /// The highest version the file now at `path` ever had, with the event that first
    /// had it.
    pub fn highest_version(&self, path: &str) -> Option<(Version, &Event)> {
        revision::highest_version(self.events(path))
    }

    /// Where the working-tree file at `path` stands against its committed history.
    pub fn working_state(&self, path: &str, current: &Snapshot) -> WorkingState<'_> {
        revision::working_tree_state(self.at_head(path), current)
    }

    /// The revision history of `path` with the evidence of each approved version,
    /// judged against the members of the role that approved it and the allowed
    /// signers.
    pub fn evidenced(
        &self,
        path: &str,
        config: &Config,
        signers: &AllowedSigners,
    ) -> Vec<Revision> {
        let mut rows = self.revisions(path);
        self.add_evidence_all(&mut rows, config, signers);
        rows
    }

    /// Adds to an approved revision the evidence of its approval (reading the commit
    /// that landed it: a check needs it for the current version only).
    pub fn add_evidence(&self, row: &mut Revision, config: &Config, signers: &AllowedSigners) {
        self.add_evidence_all(std::iter::once(row), config, signers);
    }

    /// Adds the evidence of their approval to approved revisions, as `add_evidence`;
    /// the memo is locked once and what each role is judged against hashed once.
    pub fn add_evidence_all<'r>(
        &self,
        rows: impl IntoIterator<Item = &'r mut Revision>,
        config: &Config,
        signers: &AllowedSigners,
    ) {
        let Some(repo) = &self.repo else { return };
        let mut guard = self.evidence.lock().unwrap_or_else(|e| e.into_inner());
        let judged = &mut *guard;
        let mut against_of: HashMap<String, u64> = HashMap::new();
        for row in rows {
            let (Some(approval), Some(by)) = (&row.approval, &row.approved_by) else {
                continue;
            };
            let role = config.roles.get(by);
            let against = *against_of
                .entry(by.clone())
                .or_insert_with(|| self.judged_against(role, signers));
            let memo = judged
                .memo
                .get_or_insert_with(|| cache::read_evidence(repo.path()));
            let known = memo.get(&*approval.commit).and_then(|all| {
                all.iter()
                    .find(|(j, _)| *j == against)
                    .map(|(_, e)| e.clone())
            });
            let evidence = known.unwrap_or_else(|| {
                let found = evidence::of_commit(repo, &approval.commit, role, signers);
                let all = memo.entry(approval.commit.to_string()).or_default();
                all.push((against, found.clone()));
                judged.added = true;
                found
            });
            row.evidence = Some(evidence);
        }
    }

    /// What evidence is judged against: the role's members, the signers, and whether
    /// the whole history is there (a shallow clone may lack a merge's tip: its
    /// evidence is judged again once the whole history is there).
    fn judged_against(&self, role: Option<&Role>, signers: &AllowedSigners) -> u64 {
        let mut against = xxhash_rust::xxh3::Xxh3::new();
        against.update(&signers.fingerprint.to_le_bytes());
        against.update(&[self.coverage as u8]);
        for member in role.iter().flat_map(|r| &r.members) {
            against.update(member.as_bytes());
            against.update(b"\n");
        }
        against.digest()
    }

    /// True when `commit` landed after book.toml began to require `level` of approval
    /// evidence (and has required it since). Before that, and while the setting is
    /// not committed, weaker evidence is shown, not failed.
    pub fn requires_evidence(&self, commit: &str, level: EvidenceLevel) -> bool {
        let mut since = None;
        for &(index, setting) in &self.walked.evidence_settings {
            match (setting >= level, since) {
                (true, None) => since = Some(index),
                (false, _) => since = None,
                _ => {}
            }
        }
        let Some(since) = since else { return false };
        self.walked
            .commits
            .iter()
            .position(|c| &*c.id == commit)
            .is_some_and(|at| at >= since)
    }

    /// The ids of documents that were removed, each with the path it had and the
    /// event that removed it (every id a removed document ever had).
    pub fn removed_ids(&self) -> BTreeMap<&str, (&str, &Event)> {
        let mut ids = BTreeMap::new();
        for (path, events) in &self.walked.files {
            let mut start = 0;
            for (i, event) in events.iter().enumerate() {
                if !event.deleted {
                    continue;
                }
                for earlier in &events[start..=i] {
                    if let Some(id) = earlier.snapshot.id.as_deref() {
                        ids.insert(id, (path.as_str(), event));
                    }
                }
                start = i + 1;
            }
        }
        ids
    }
}
