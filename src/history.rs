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

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{Snapshot, Version};
use chrono::NaiveDate;
use git2::{Commit, ErrorCode, Oid, Repository, Tree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Bumped whenever the cache's meaning changes (including `document::Fnv`, whose
/// hashes it stores); a cache of another format is ignored and rebuilt.
const CACHE_FORMAT: u32 = 2;

/// A commit that landed a change to a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub id: String,
    /// The day it landed on the branch; `None` at a shallow clone's boundary, where
    /// the commit stands for all the history that was not fetched.
    pub date: Option<NaiveDate>,
    pub authors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<u64>,
    pub summary: String,
}

impl CommitInfo {
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }
}

/// One change to one file in one commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    /// Index into `History::commits`.
    pub commit: usize,
    /// The file's path at that commit, relative to the ISMS root.
    pub path: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    pub snapshot: Snapshot,
}

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

/// The part of the history that is cached.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Walked {
    format: u32,
    head: Option<String>,
    /// Where the ISMS root is inside the work tree, and the folders walked: a cache
    /// for other settings is not reused.
    prefix: String,
    folders: Vec<String>,
    commits: Vec<CommitInfo>,
    /// Events by file, keyed by the file's path at HEAD (or its last path, when
    /// deleted), oldest first.
    files: BTreeMap<String, Vec<Event>>,
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
}

impl Drop for History {
    fn drop(&mut self) {
        if let Some(writer) = self.cache_writer.take() {
            let _ = writer.join();
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
        fast_object_reads();
        let mut history = History::none();
        let repo = match Repository::discover(&config.root) {
            Ok(repo) if repo.is_bare() => {
                history.notice(
                    Severity::Warning,
                    "history-unavailable",
                    "the repository is bare: it has no working files",
                    "run ismsbook in a clone of the repository",
                );
                return history;
            }
            Ok(repo) => repo,
            Err(_) => {
                history.notice(
                    Severity::Warning,
                    "history-unavailable",
                    "not a git repository: revision history and approval evidence are not available",
                    "keep the ISMS in git (`git init`, then commit) so every version is recorded",
                );
                return history;
            }
        };
        history.prefix = prefix_of(&repo, &config.root);
        history.read(&repo, config, at);
        history.repo = Some(repo);
        history
    }

    /// Walks the history of `repo` into `self`; problems become notices.
    fn read(&mut self, repo: &Repository, config: &Config, at: Option<Oid>) {
        if let Some(at) = at {
            match repo.find_commit(at) {
                Ok(commit) => return self.walk_from(repo, config, commit, false),
                Err(e) => {
                    self.notice(
                        Severity::Warning,
                        "history-unavailable",
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
                    Severity::Warning,
                    "history-empty",
                    "the repository has no commits yet: there is no revision history",
                    "commit the documents; each commit becomes part of their history",
                );
                return;
            }
            Err(e) => {
                self.notice(
                    Severity::Warning,
                    "history-unavailable",
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
                    Severity::Warning,
                    "history-unavailable",
                    format!("HEAD does not point to a commit: {}", e.message()),
                    "check the repository with `git status` and `git fsck`",
                );
                return;
            }
        };
        self.detached = repo.head_detached().unwrap_or(false);
        if self.detached {
            self.notice(
                Severity::Note,
                "detached-head",
                format!(
                    "HEAD is detached at {}: the history is that of the checked-out commit",
                    &head_commit.id().to_string()[..7]
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
        let boundary = shallow_boundary(repo);
        let folders: Vec<String> = config.folders.iter().map(|f| f.path.clone()).collect();
        let use_cache = cached;
        let cached = read_cache(repo)
            .filter(|_| use_cache)
            .filter(|c| c.prefix == self.prefix && c.folders == folders);
        let odb = match repo.odb() {
            Ok(odb) => odb,
            Err(e) => {
                self.notice(
                    Severity::Warning,
                    "history-unavailable",
                    format!("the object database cannot be opened: {}", e.message()),
                    "check the repository with `git fsck`",
                );
                return;
            }
        };
        let prefix = self.prefix.clone();
        let result = {
            let mut walker = Walker {
                repo,
                odb,
                prefix: &prefix,
                folders: &folders,
                boundary: &boundary,
                walked: cached.unwrap_or_default(),
                recent: HashMap::new(),
            };
            walker.walk(&head_commit).map(|()| walker.walked)
        };
        let mut walked = match result {
            Ok(walked) => walked,
            Err(e) => {
                self.notice(
                    Severity::Warning,
                    "history-unavailable",
                    format!("the history could not be read: {}", e.message()),
                    "check the repository with `git fsck`; a missing object or packfile must be restored",
                );
                return;
            }
        };
        walked.format = CACHE_FORMAT;
        walked.prefix = self.prefix.clone();
        walked.folders = folders;
        let walked = std::sync::Arc::new(walked);
        let (for_cache, git_dir) = (std::sync::Arc::clone(&walked), repo.path().to_path_buf());
        self.cache_writer =
            use_cache.then(|| std::thread::spawn(move || write_cache(&git_dir, &for_cache)));
        self.walked = walked;
        self.coverage = if boundary.is_empty() {
            Coverage::Complete
        } else {
            Coverage::Shallow
        };
        if self.coverage == Coverage::Shallow {
            self.notice(
                Severity::Warning,
                "history-shallow",
                "the repository is a shallow clone: revisions before its boundary are missing, and dates at the boundary are unknown",
                "fetch the whole history (`git fetch --unshallow`; in GitHub Actions, `fetch-depth: 0` in actions/checkout)",
            );
        }
    }

    fn notice(
        &mut self,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
        hint: &str,
    ) {
        let d = match severity {
            Severity::Error => Diagnostic::error(code, crate::config::FILE_NAME, message),
            Severity::Warning => Diagnostic::warning(code, crate::config::FILE_NAME, message),
            Severity::Note => Diagnostic::note(code, crate::config::FILE_NAME, message),
        };
        self.notices.push(d.hint(hint));
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
            && self.prefix == prefix_of(repo, &config.root)
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
        let all = self.walked.files.get(path).map_or(&[][..], Vec::as_slice);
        let start = all.iter().rposition(|e| e.deleted).map_or(0, |i| i + 1);
        &all[start..]
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
        let mut rows: Vec<Revision> = Vec::new();
        for event in self.events(path) {
            let commit = self.commit(event);
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

    /// The highest version the file ever had, with the event that first had it.
    pub fn highest_version(&self, path: &str) -> Option<(Version, &Event)> {
        let mut best: Option<(Version, &Event)> = None;
        for event in self.events(path) {
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

/// When a commit landed: its committer time, in the committer's time zone.
pub(crate) fn landed(commit: &Commit<'_>) -> Option<chrono::NaiveDateTime> {
    let when = commit.committer().when();
    chrono::DateTime::from_timestamp(when.seconds() + i64::from(when.offset_minutes()) * 60, 0)
        .map(|t| t.naive_utc())
}

/// libgit2 re-hashes every object it reads to verify it (SHA-1 with collision
/// detection), which is most of the cost of a history walk; git itself does not do
/// this on reads. The repository is the user's own, read-only to ismsbook, so the
/// check is turned off once per process.
fn fast_object_reads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
    });
}

/// `repo/isms/` when the ISMS root is a subfolder of the work tree, else `""`.
fn prefix_of(repo: &Repository, root: &Path) -> String {
    let (Some(workdir), Ok(root)) = (repo.workdir(), root.canonicalize()) else {
        return String::new();
    };
    let workdir = workdir
        .canonicalize()
        .unwrap_or_else(|_| workdir.to_path_buf());
    match root.strip_prefix(&workdir) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", crate::sources::relative(Path::new(""), rel)),
        Err(_) => String::new(),
    }
}

/// The commits at a shallow clone's boundary (listed in `.git/shallow`).
fn shallow_boundary(repo: &Repository) -> HashSet<Oid> {
    if !repo.is_shallow() {
        return HashSet::new();
    }
    std::fs::read_to_string(repo.path().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

fn cache_path(git_dir: &Path) -> PathBuf {
    git_dir.join("ismsbook").join("history.json")
}

fn read_cache(repo: &Repository) -> Option<Walked> {
    let bytes = std::fs::read(cache_path(repo.path())).ok()?;
    let walked: Walked = serde_json::from_slice(&bytes).ok()?;
    (walked.format == CACHE_FORMAT).then_some(walked)
}

/// Writes the cache atomically; a cache that cannot be written (a read-only
/// repository) is simply not used.
fn write_cache(git_dir: &Path, walked: &Walked) {
    let path = cache_path(git_dir);
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!("history.json.{}.tmp", std::process::id()));
    let Ok(bytes) = serde_json::to_vec(walked) else {
        return;
    };
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

struct Walker<'a> {
    repo: &'a Repository,
    odb: git2::Odb<'a>,
    prefix: &'a str,
    folders: &'a [String],
    boundary: &'a HashSet<Oid>,
    walked: Walked,
    /// The folder trees of the last commit visited, by id: the next commit's parent
    /// trees.
    recent: HashMap<Oid, RawTree>,
}

/// A document file changed by one commit.
struct Change {
    old_path: Option<String>,
    new_path: Option<String>,
    new_blob: Option<Oid>,
    old_blob: Option<Oid>,
}

impl Walker<'_> {
    /// Brings the walked history up to `head`: only the commits after the cached head
    /// are read, unless the cached head is no longer on the first-parent chain (a
    /// rewritten history), when everything is read again.
    fn walk(&mut self, head: &Commit<'_>) -> Result<(), git2::Error> {
        let head_id = head.id().to_string();
        if self.walked.head.as_deref() == Some(head_id.as_str()) {
            return Ok(());
        }
        let cached = self.walked.head.clone();
        let mut chain = Vec::new();
        let mut current = head.clone();
        let mut reached_cache = false;
        loop {
            if cached.as_deref() == Some(current.id().to_string().as_str()) {
                reached_cache = true;
                break;
            }
            chain.push(current.clone());
            if self.boundary.contains(&current.id()) {
                break;
            }
            match current.parent(0) {
                Ok(parent) => current = parent,
                Err(_) => break,
            }
        }
        if !reached_cache {
            self.walked = Walked::default();
        }
        for commit in chain.iter().rev() {
            self.visit(commit)?;
        }
        self.walked.head = Some(head_id);
        Ok(())
    }

    fn visit(&mut self, commit: &Commit<'_>) -> Result<(), git2::Error> {
        let at_boundary = self.boundary.contains(&commit.id());
        let parent = if at_boundary {
            None
        } else {
            commit.parent(0).ok()
        };
        let tree = commit.tree()?;
        let parent_tree = parent.as_ref().map(Commit::tree).transpose()?;
        let mut changes = Vec::new();
        let mut read_now = HashMap::new();
        for folder in self.folders {
            let path = format!("{}{folder}", self.prefix);
            let new = subtree_id(&tree, &path)?;
            let old = match &parent_tree {
                Some(t) => subtree_id(t, &path)?,
                None => None,
            };
            if old == new {
                continue;
            }
            // The parent's folder tree was the previous commit's: reuse its bytes.
            let mut load = |id: Option<Oid>| -> Result<Option<RawTree>, git2::Error> {
                match id {
                    None => Ok(None),
                    Some(id) => match self.recent.remove(&id) {
                        Some(tree) => Ok(Some(tree)),
                        None => RawTree::read(&self.odb, id).map(Some),
                    },
                }
            };
            let (old_tree, new_tree) = (load(old)?, load(new)?);
            self.diff_folder(old_tree.as_ref(), new_tree.as_ref(), folder, &mut changes)?;
            if let (Some(id), Some(tree)) = (new, new_tree) {
                read_now.insert(id, tree);
            }
        }
        self.recent = read_now;
        if changes.is_empty() {
            return Ok(());
        }
        let index = self.walked.commits.len();
        self.walked
            .commits
            .push(describe(self.repo, commit, at_boundary));
        self.record(index, changes)
    }

    /// The document files that differ between two versions of a folder: a merge of
    /// the two trees' sorted entries, entering only subtrees whose ids differ (as git
    /// does). Trees are parsed from their raw bytes, with no allocation per entry.
    fn diff_folder(
        &self,
        old: Option<&RawTree>,
        new: Option<&RawTree>,
        folder: &str,
        out: &mut Vec<Change>,
    ) -> Result<(), git2::Error> {
        let empty = RawEntries {
            rest: &[],
            id_len: 0,
        };
        let mut a = old
            .map_or(RawEntries { ..empty }, RawTree::entries)
            .peekable();
        let mut b = new.map_or(empty, RawTree::entries).peekable();
        loop {
            let order = match (a.peek(), b.peek()) {
                (None, None) => return Ok(()),
                (Some(x), Some(y)) => x.git_order(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    self.entry_change(a.next().as_ref(), None, folder, out)?
                }
                std::cmp::Ordering::Greater => {
                    self.entry_change(None, b.next().as_ref(), folder, out)?
                }
                std::cmp::Ordering::Equal => {
                    let (x, y) = (a.next(), b.next());
                    if x.as_ref().map(|e| e.id) != y.as_ref().map(|e| e.id) {
                        self.entry_change(x.as_ref(), y.as_ref(), folder, out)?;
                    }
                }
            }
        }
    }

    /// One name that differs between two trees: a document file changed, added or
    /// deleted, or a subfolder to compare.
    fn entry_change(
        &self,
        old: Option<&RawEntry<'_>>,
        new: Option<&RawEntry<'_>>,
        folder: &str,
        out: &mut Vec<Change>,
    ) -> Result<(), git2::Error> {
        let Some(name) = new.or(old).and_then(|e| std::str::from_utf8(e.name).ok()) else {
            return Ok(());
        };
        if name.starts_with('.') {
            return Ok(());
        }
        let path = format!("{folder}/{name}");
        if old.is_some_and(RawEntry::is_tree) || new.is_some_and(RawEntry::is_tree) {
            let subtree = |e: Option<&RawEntry<'_>>| {
                e.filter(|e| e.is_tree())
                    .map(|e| RawTree::read(&self.odb, e.oid()))
                    .transpose()
            };
            let (old_tree, new_tree) = (subtree(old)?, subtree(new)?);
            self.diff_folder(old_tree.as_ref(), new_tree.as_ref(), &path, out)?;
        }
        let is_document = |e: Option<&RawEntry<'_>>| {
            e.is_some_and(RawEntry::is_file) && crate::sources::is_document_file(name)
        };
        let (was, is) = (is_document(old), is_document(new));
        if was || is {
            out.push(Change {
                old_path: was.then(|| path.clone()),
                new_path: is.then(|| path.clone()),
                old_blob: old.filter(|_| was).map(RawEntry::oid),
                new_blob: new.filter(|_| is).map(RawEntry::oid),
            });
        }
        Ok(())
    }

    /// Records a commit's changes, pairing deletions with additions into renames: by
    /// identical content first, then by the document id they carry.
    fn record(&mut self, commit: usize, changes: Vec<Change>) -> Result<(), git2::Error> {
        let mut added = Vec::new();
        let mut deleted = Vec::new();
        for change in changes {
            match (&change.old_path, &change.new_path) {
                (Some(old), Some(new)) if old == new => {
                    let snapshot = self.snapshot(change.new_blob)?;
                    self.push(new, new, commit, snapshot, false);
                }
                (_, Some(new)) => {
                    added.push((new.clone(), change.new_blob, change.old_path.clone()))
                }
                (Some(old), None) => deleted.push((old.clone(), change.old_blob)),
                (None, None) => {}
            }
        }
        let mut snapshots: Vec<Snapshot> = Vec::with_capacity(added.len());
        for (_, blob, _) in &added {
            snapshots.push(self.snapshot(*blob)?);
        }
        let mut renamed_from: Vec<Option<String>> = vec![None; added.len()];
        let mut used = vec![false; deleted.len()];
        // Exact renames: the same blob.
        for (i, (_, blob, _)) in added.iter().enumerate() {
            if let Some(j) = deleted
                .iter()
                .enumerate()
                .position(|(j, (_, b))| !used[j] && b == blob)
            {
                used[j] = true;
                renamed_from[i] = Some(deleted[j].0.clone());
            }
        }
        // Renames that kept the document's id.
        for (i, snapshot) in snapshots.iter().enumerate() {
            if renamed_from[i].is_some() || snapshot.id.is_none() {
                continue;
            }
            let same_id = deleted.iter().enumerate().position(|(j, (path, _))| {
                !used[j]
                    && self
                        .last_snapshot(path)
                        .is_some_and(|s| s.id == snapshot.id)
            });
            if let Some(j) = same_id {
                used[j] = true;
                renamed_from[i] = Some(deleted[j].0.clone());
            }
        }
        for (j, (path, _)) in deleted.iter().enumerate() {
            if !used[j] {
                let snapshot = self.last_snapshot(path).cloned().unwrap_or_default();
                self.push(path, path, commit, snapshot, true);
            }
        }
        for (((path, _, _), snapshot), from) in added.iter().zip(snapshots).zip(renamed_from) {
            let from = from.unwrap_or_else(|| path.clone());
            self.push(&from, path, commit, snapshot, false);
        }
        Ok(())
    }

    fn snapshot(&self, blob: Option<Oid>) -> Result<Snapshot, git2::Error> {
        let Some(blob) = blob else {
            return Ok(Snapshot::default());
        };
        let blob = self.repo.find_blob(blob)?;
        let text = crate::sources::decode(blob.content())
            .unwrap_or_else(|_| String::from_utf8_lossy(blob.content()).into_owned());
        Ok(Snapshot::of(&text))
    }

    fn last_snapshot(&self, path: &str) -> Option<&Snapshot> {
        self.walked.files.get(path)?.last().map(|e| &e.snapshot)
    }

    /// Appends an event for the file known as `from`, which is now at `to`.
    fn push(&mut self, from: &str, to: &str, commit: usize, snapshot: Snapshot, deleted: bool) {
        let mut events = self.walked.files.remove(from).unwrap_or_default();
        if from != to
            && let Some(existing) = self.walked.files.remove(to)
        {
            // A new file at a path that had an older, deleted one: keep both, in order.
            let mut merged = existing;
            merged.append(&mut events);
            events = merged;
        }
        events.push(Event {
            commit,
            path: to.to_string(),
            deleted,
            snapshot,
        });
        self.walked.files.insert(to.to_string(), events);
    }
}

/// A tree object's bytes: entries of `mode SP name NUL id`.
struct RawTree {
    data: Vec<u8>,
    id_len: usize,
}

impl RawTree {
    fn read(odb: &git2::Odb<'_>, id: Oid) -> Result<RawTree, git2::Error> {
        let object = odb.read(id)?;
        Ok(RawTree {
            data: object.data().to_vec(),
            id_len: id.as_bytes().len(),
        })
    }

    fn entries(&self) -> RawEntries<'_> {
        RawEntries {
            rest: &self.data,
            id_len: self.id_len,
        }
    }
}

struct RawEntries<'t> {
    rest: &'t [u8],
    id_len: usize,
}

impl<'t> Iterator for RawEntries<'t> {
    type Item = RawEntry<'t>;

    fn next(&mut self) -> Option<RawEntry<'t>> {
        let rest = self.rest;
        let space = rest.iter().position(|&b| b == b' ')?;
        let nul = space + rest[space..].iter().position(|&b| b == 0)?;
        let end = nul + 1 + self.id_len;
        let entry = RawEntry {
            mode: &rest[..space],
            name: &rest[space + 1..nul],
            id: rest.get(nul + 1..end)?,
        };
        self.rest = &rest[end..];
        Some(entry)
    }
}

struct RawEntry<'t> {
    mode: &'t [u8],
    name: &'t [u8],
    id: &'t [u8],
}

impl RawEntry<'_> {
    fn is_tree(&self) -> bool {
        self.mode == b"40000"
    }

    /// A regular file (not a symbolic link, which is never followed).
    fn is_file(&self) -> bool {
        self.mode.starts_with(b"100")
    }

    fn oid(&self) -> Oid {
        Oid::from_bytes(self.id).unwrap_or(Oid::ZERO_SHA1)
    }

    /// Git's order of tree entries: by name, a folder's name compared as if it ended
    /// in `/`.
    fn git_order(&self, other: &RawEntry<'_>) -> std::cmp::Ordering {
        let n = self.name.len().min(other.name.len());
        self.name[..n].cmp(&other.name[..n]).then_with(|| {
            let next = |e: &RawEntry<'_>| e.name.get(n).copied().or(e.is_tree().then_some(b'/'));
            next(self).cmp(&next(other))
        })
    }
}

/// The id of the subtree at `path`, or `None` where there is none.
fn subtree_id(tree: &Tree<'_>, path: &str) -> Result<Option<Oid>, git2::Error> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(git2::ObjectType::Tree) => Ok(Some(entry.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn describe(repo: &Repository, commit: &Commit<'_>, at_boundary: bool) -> CommitInfo {
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
    CommitInfo {
        id: commit.id().to_string(),
        date,
        authors: authors(repo, commit),
        pull_request: pull_request_number(&message),
        summary,
    }
}

/// The people behind a change: the author of a direct or squashed commit, or the
/// authors of the commits a merge brought in.
fn authors(repo: &Repository, commit: &Commit<'_>) -> Vec<String> {
    let name = |c: &Commit<'_>| {
        String::from_utf8_lossy(c.author().name_bytes())
            .trim()
            .to_string()
    };
    let mut names = Vec::new();
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
                if !n.is_empty() && !names.contains(&n) {
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

/// Where the history of each document stands against its working-tree file.
pub fn working_tree_state<'h>(
    history: &'h History,
    path: &str,
    current: &Snapshot,
) -> WorkingState<'h> {
    match history.at_head(path) {
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

/// Renders links to commits and pull requests from book.toml's `[repository]`. The
/// templates are split once at their placeholder, so each link is one concatenation.
#[derive(Debug, Clone, Default)]
pub struct Links {
    commit: Option<(String, String)>,
    pull_request: Option<(String, String)>,
}

impl Links {
    pub fn new(repository: &crate::config::Repository) -> Links {
        let Some(url) = repository.url.as_deref().map(|u| u.trim_end_matches('/')) else {
            return Links::default();
        };
        let gitlab = url.contains("gitlab");
        let commit = repository.commit_url.clone().unwrap_or_else(|| {
            if gitlab {
                "{url}/-/commit/{commit}".into()
            } else {
                "{url}/commit/{commit}".into()
            }
        });
        let pull_request = repository.pull_request_url.clone().unwrap_or_else(|| {
            if gitlab {
                "{url}/-/merge_requests/{number}".into()
            } else {
                "{url}/pull/{number}".into()
            }
        });
        let split = |template: String, placeholder: &str| {
            let filled = template.replace("{url}", url);
            match filled.split_once(placeholder) {
                Some((before, after)) => (before.to_string(), after.to_string()),
                None => (filled, String::new()),
            }
        };
        Links {
            commit: Some(split(commit, "{commit}")),
            pull_request: Some(split(pull_request, "{number}")),
        }
    }

    pub fn commit(&self, id: &str) -> Option<String> {
        self.commit
            .as_ref()
            .map(|(before, after)| format!("{before}{id}{after}"))
    }

    pub fn pull_request(&self, number: u64) -> Option<String> {
        self.pull_request
            .as_ref()
            .map(|(before, after)| format!("{before}{number}{after}"))
    }
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

    #[test]
    fn links_follow_the_forge() {
        let github = Links::new(&crate::config::Repository {
            url: Some("https://github.com/acme/isms/".into()),
            ..Default::default()
        });
        assert_eq!(
            github.commit("abc").as_deref(),
            Some("https://github.com/acme/isms/commit/abc")
        );
        assert_eq!(
            github.pull_request(7).as_deref(),
            Some("https://github.com/acme/isms/pull/7")
        );
        let gitlab = Links::new(&crate::config::Repository {
            url: Some("https://gitlab.com/acme/isms".into()),
            ..Default::default()
        });
        assert_eq!(
            gitlab.pull_request(7).as_deref(),
            Some("https://gitlab.com/acme/isms/-/merge_requests/7")
        );
    }
}
