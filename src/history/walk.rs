//! The one first-parent walk that reads every version of every document.

use super::commit::{CommitInfo, describe};
use super::reading::{self, Readers};
use super::tree::{RawEntries, RawEntry, RawTree, blob_id, subtree_id};
use crate::model::config::{self, EvidenceLevel};
use crate::model::document::Snapshot;
use crate::model::source::is_document_file;
use crate::text::decode_lossy;
use git2::{Commit, Oid, Repository};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One change to one file in one commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    /// Index into `History::commits`.
    pub commit: usize,
    /// The file's path at that commit, relative to the ISMS root.
    pub path: String,
    pub deleted: bool,
    pub snapshot: Snapshot,
}

/// The part of the history that is cached.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Walked {
    pub head: Option<String>,
    /// Where the ISMS root is inside the work tree, and the folders walked: a cache
    /// for other settings is not reused.
    pub prefix: String,
    pub folders: Vec<String>,
    /// The YAML documents walked (the SoA).
    pub yaml_files: Vec<String>,
    /// Each commit that changed book.toml, with the approval evidence it required
    /// from then on (`[documents] approval-evidence`).
    pub evidence_settings: Vec<(usize, EvidenceLevel)>,
    pub commits: Vec<CommitInfo>,
    /// Events by file, keyed by the file's path at HEAD (or its last path, when
    /// deleted), oldest first.
    pub files: BTreeMap<String, Vec<Event>>,
}

/// The `[documents] approval-evidence` a book.toml sets (declared when it sets none
/// or cannot be read).
fn evidence_setting(text: &str) -> EvidenceLevel {
    toml::from_str::<toml::Value>(text)
        .ok()
        .and_then(|v| {
            let level = v.get("documents")?.get("approval-evidence")?.as_str()?;
            toml::Value::String(level.to_string()).try_into().ok()
        })
        .unwrap_or_default()
}

pub struct Walker<'a> {
    repo: &'a Repository,
    odb: &'a git2::Odb<'a>,
    prefix: &'a str,
    folders: &'a [String],
    /// YAML documents to follow, by path, with the title their snapshots carry.
    yaml_files: &'a [(String, String)],
    boundary: &'a HashSet<Oid>,
    walked: Walked,
    /// Each folder's tree as the last commit visited has it: the next commit's
    /// parent tree.
    recent: HashMap<&'a str, (Oid, RawTree<'a>)>,
    /// The commit visited last, and its marks: the next commit's parent's.
    last: Option<(Oid, Marks)>,
    /// The document changes of each commit walked, recorded once every version they
    /// need is read (`snapshots`).
    pending: Vec<(usize, Vec<Change>)>,
    /// The snapshot of every document version the walk met, read in parallel.
    snapshots: HashMap<Oid, Snapshot>,
}

/// What the walk follows in one commit's tree: each folder's tree, and the blob of
/// each YAML document and of book.toml (`None` where there is none).
struct Marks {
    folders: Vec<Option<Oid>>,
    yaml: Vec<Option<Oid>>,
    config: Option<Oid>,
}

impl Marks {
    /// The marks of no tree at all (before the first commit).
    fn none(&self) -> Marks {
        Marks {
            folders: vec![None; self.folders.len()],
            yaml: vec![None; self.yaml.len()],
            config: None,
        }
    }
}

/// A document file changed by one commit.
struct Change {
    old_path: Option<String>,
    new_path: Option<String>,
    new_blob: Option<Oid>,
    old_blob: Option<Oid>,
}

impl<'a> Walker<'a> {
    /// A walk that continues `walked` (a cached history, or an empty one).
    pub fn new(
        repo: &'a Repository,
        odb: &'a git2::Odb<'a>,
        prefix: &'a str,
        folders: &'a [String],
        yaml_files: &'a [(String, String)],
        boundary: &'a HashSet<Oid>,
        walked: Walked,
    ) -> Walker<'a> {
        Walker {
            repo,
            odb,
            prefix,
            folders,
            yaml_files,
            boundary,
            walked,
            recent: HashMap::new(),
            last: None,
            pending: Vec::new(),
            snapshots: HashMap::new(),
        }
    }

    /// Walks to `head` and returns what was walked.
    pub fn finish(mut self, head: &Commit<'_>) -> Result<Walked, git2::Error> {
        let threaded = self.walk(head)?;
        let walked = std::mem::take(&mut self.walked);
        // The walk's trees go first, so that whole pages are free to hand back.
        drop(self);
        if threaded {
            reading::release_freed_memory();
        }
        Ok(walked)
    }

    /// Brings the walked history up to `head`: only the commits after the cached head
    /// are read, unless the cached head is no longer on the first-parent chain (a
    /// rewritten history), when everything is read again. Returns whether reader
    /// threads read the versions.
    fn walk(&mut self, head: &Commit<'_>) -> Result<bool, git2::Error> {
        let head_id = head.id().to_string();
        if self.walked.head.as_deref() == Some(head_id.as_str()) {
            return Ok(false);
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
        // The trees are compared in order on this thread while the versions they
        // changed are read and parsed on the other cores; then the changes are
        // recorded in order.
        let repo = self.repo;
        let threaded;
        (self.snapshots, threaded) = std::thread::scope(|scope| {
            let mut readers = Readers::new(scope, repo.path());
            for commit in chain.iter().rev() {
                let before = self.pending.len();
                self.visit(commit)?;
                for (_, changes) in &self.pending[before..] {
                    changes
                        .iter()
                        .filter_map(|c| c.new_blob)
                        .for_each(|b| readers.read(b));
                }
            }
            readers.finish(repo)
        })?;
        for (commit, changes) in std::mem::take(&mut self.pending) {
            self.record(commit, changes)?;
        }
        self.snapshots = HashMap::new();
        self.walked.head = Some(head_id);
        Ok(threaded)
    }

    /// What the walk follows in a commit's tree.
    fn marks(&self, commit: &Commit<'_>) -> Result<Marks, git2::Error> {
        let tree = commit.tree()?;
        let at = |path: &str| format!("{}{path}", self.prefix);
        Ok(Marks {
            folders: (self.folders.iter())
                .map(|f| subtree_id(&tree, &at(f)))
                .collect::<Result<_, _>>()?,
            yaml: (self.yaml_files.iter())
                .map(|(path, _)| blob_id(&tree, &at(path)))
                .collect::<Result<_, _>>()?,
            config: blob_id(&tree, &at(config::FILE_NAME))?,
        })
    }

    /// The marks of `commit`'s first parent: those of the commit visited before it,
    /// on a first-parent walk, unless it starts or continues a cached one.
    fn parent_marks(
        &mut self,
        commit: &Commit<'_>,
        at_boundary: bool,
    ) -> Result<Option<Marks>, git2::Error> {
        let last = self.last.take();
        if at_boundary {
            return Ok(None);
        }
        match (commit.parent_id(0), last) {
            (Ok(id), Some((last, marks))) if id == last => Ok(Some(marks)),
            _ => match commit.parent(0) {
                Ok(parent) => self.marks(&parent).map(Some),
                Err(_) => Ok(None),
            },
        }
    }

    fn visit(&mut self, commit: &Commit<'_>) -> Result<(), git2::Error> {
        let at_boundary = self.boundary.contains(&commit.id());
        let marks = self.marks(commit)?;
        let parent = (self.parent_marks(commit, at_boundary)?).unwrap_or_else(|| marks.none());
        let mut changes = Vec::new();
        for (folder, (&old, &new)) in self
            .folders
            .iter()
            .zip(parent.folders.iter().zip(&marks.folders))
        {
            if old == new {
                continue;
            }
            // The parent's folder tree was the previous commit's: reuse it.
            let old_tree = match old {
                None => None,
                Some(id) => match self.recent.remove(folder.as_str()) {
                    Some((known, tree)) if known == id => Some(tree),
                    _ => Some(RawTree::read(self.odb, id)?),
                },
            };
            let new_tree = self.diff_trees(old_tree.as_ref(), new, folder, &mut changes)?;
            if let (Some(id), Some(tree)) = (new, new_tree) {
                self.recent.insert(folder, (id, tree));
            }
        }
        let yaml_changes: Vec<_> = (self.yaml_files.iter())
            .zip(parent.yaml.iter().zip(&marks.yaml))
            .filter(|(_, (old, new))| old != new)
            .map(|((path, title), (_, &new))| (path, title, new))
            .collect();
        let config_blob = marks.config;
        let config_changed = parent.config != marks.config;
        self.last = Some((commit.id(), marks));
        if changes.is_empty() && yaml_changes.is_empty() && !config_changed {
            return Ok(());
        }
        let index = self.walked.commits.len();
        self.walked
            .commits
            .push(describe(self.repo, commit, at_boundary));
        if config_changed {
            let level = match config_blob {
                Some(blob) => evidence_setting(&decode_lossy(self.repo.find_blob(blob)?.content())),
                None => EvidenceLevel::Declared,
            };
            self.walked.evidence_settings.push((index, level));
        }
        for (path, title, blob) in yaml_changes {
            let (snapshot, deleted) = match blob {
                Some(blob) => {
                    let blob = self.repo.find_blob(blob)?;
                    (
                        Snapshot::of_yaml(&decode_lossy(blob.content()), title),
                        false,
                    )
                }
                None => (self.last_snapshot(path).cloned().unwrap_or_default(), true),
            };
            self.push(path, path, index, snapshot, deleted);
        }
        self.pending.push((index, changes));
        Ok(())
    }

    /// Reads the new version of a folder (`None` where it is gone) and records the
    /// document files that differ from the old version.
    fn diff_trees(
        &self,
        old: Option<&RawTree<'_>>,
        new: Option<Oid>,
        folder: &str,
        out: &mut Vec<Change>,
    ) -> Result<Option<RawTree<'a>>, git2::Error> {
        match (old, new) {
            (old, None) => {
                let gone = old.map_or_else(RawEntries::none, RawTree::all);
                self.diff_entries(gone, RawEntries::none(), folder, out)?;
                Ok(None)
            }
            (None, Some(id)) => {
                let tree = RawTree::read(self.odb, id)?;
                self.diff_entries(RawEntries::none(), tree.all(), folder, out)?;
                Ok(Some(tree))
            }
            (Some(old), Some(id)) => {
                let (tree, differing) = RawTree::read_after(self.odb, id, old)?;
                let (old, new) = (old.entries(differing.old), tree.entries(differing.new));
                self.diff_entries(old, new, folder, out)?;
                Ok(Some(tree))
            }
        }
    }

    /// The document files that differ between two runs of a folder's entries: a
    /// merge of the two trees' sorted entries, entering only subtrees whose ids
    /// differ (as git does). Trees are parsed from their raw bytes, with no
    /// allocation per entry.
    fn diff_entries(
        &self,
        a: RawEntries<'_>,
        b: RawEntries<'_>,
        folder: &str,
        out: &mut Vec<Change>,
    ) -> Result<(), git2::Error> {
        let (mut a, mut b) = (a.peekable(), b.peekable());
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
            let subtree = |e: Option<&RawEntry<'_>>| e.filter(|e| e.is_tree()).map(RawEntry::oid);
            let old_tree = subtree(old)
                .map(|id| RawTree::read(self.odb, id))
                .transpose()?;
            self.diff_trees(old_tree.as_ref(), subtree(new), &path, out)?;
        }
        let is_document =
            |e: Option<&RawEntry<'_>>| e.is_some_and(RawEntry::is_file) && is_document_file(name);
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
        if let Some(snapshot) = self.snapshots.get(&blob) {
            return Ok(snapshot.clone());
        }
        let blob = self.repo.find_blob(blob)?;
        let text = decode_lossy(blob.content());
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
