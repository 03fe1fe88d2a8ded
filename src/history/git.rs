//! Reading a repository: opening it, resolving revisions, the ISMS root's place in
//! the work tree, a shallow clone's boundary, and the files of a commit as an
//! `Origin` of the handbook.

use crate::diagnostic::{Code, ConfigError, Diagnostic};
use crate::model::config::Config;
use crate::model::source::{Origin, Source, is_document_file, relative};
use crate::text::decode_lossy;
use git2::{Commit, ObjectType, Oid, Repository, Tree, TreeWalkMode, TreeWalkResult};
use std::collections::HashSet;
use std::path::Path;

/// libgit2 re-hashes every object it reads to verify it (SHA-1 with collision
/// detection), which is most of the cost of a history walk; git itself does not do
/// this on reads. The repository is the user's own, read-only to ismsbook, so the
/// check is turned off once per process.
pub fn fast_object_reads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
    });
}

/// `repo/isms/` when the ISMS root is a subfolder of the work tree, else `""`.
pub fn prefix_of(repo: &Repository, root: &Path) -> String {
    let (Some(workdir), Ok(root)) = (repo.workdir(), root.canonicalize()) else {
        return String::new();
    };
    let workdir = workdir
        .canonicalize()
        .unwrap_or_else(|_| workdir.to_path_buf());
    match root.strip_prefix(&workdir) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", relative(Path::new(""), rel)),
        Err(_) => String::new(),
    }
}

/// The commits at a shallow clone's boundary (listed in `.git/shallow`).
pub fn shallow_boundary(repo: &Repository) -> HashSet<Oid> {
    if !repo.is_shallow() {
        return HashSet::new();
    }
    std::fs::read_to_string(repo.path().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

/// `0123abc`: the short form of a commit id that people read.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(7)]
}

/// The commit a revision names: a commit id, a tag, a branch, `HEAD~2`.
pub fn resolve<'r>(repo: &'r Repository, rev: &str) -> Result<Commit<'r>, git2::Error> {
    repo.revparse_single(rev).and_then(|o| o.peel_to_commit())
}

/// The files of one commit, as an origin of the handbook: the documents of the
/// folders book.toml configures now, and single files such as the SoA.
pub struct AtCommit<'r> {
    repo: &'r Repository,
    tree: Tree<'r>,
    /// The ISMS root's path inside the work tree (`""` or ending in `/`).
    prefix: String,
    commit: Oid,
}

impl<'r> AtCommit<'r> {
    pub fn new(
        repo: &'r Repository,
        commit: &Commit<'r>,
        prefix: &str,
    ) -> Result<AtCommit<'r>, git2::Error> {
        Ok(AtCommit {
            repo,
            tree: commit.tree()?,
            prefix: prefix.to_string(),
            commit: commit.id(),
        })
    }

    fn unreadable(&self, error: &git2::Error) -> Diagnostic {
        Diagnostic::new(
            Code::HistoryUnavailable,
            crate::model::config::FILE_NAME,
            format!("cannot read commit {}: {}", self.commit, error.message()),
        )
        .hint("check the revision and the repository (`git fsck`)")
    }

    /// The document files of one folder of the tree.
    fn folder(&self, folder: &str, found: &mut Vec<Source>) -> Result<(), git2::Error> {
        let Ok(entry) = self
            .tree
            .get_path(Path::new(&format!("{}{folder}", self.prefix)))
        else {
            return Ok(());
        };
        if entry.kind() != Some(ObjectType::Tree) {
            return Ok(());
        }
        let subtree = self.repo.find_tree(entry.id())?;
        let mut blobs = Vec::new();
        subtree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            let name = entry.name().unwrap_or_default();
            if name.starts_with('.') && entry.kind() == Some(ObjectType::Tree) {
                return TreeWalkResult::Skip;
            }
            if entry.kind() == Some(ObjectType::Blob)
                && entry.filemode() != 0o120000
                && is_document_file(name)
            {
                blobs.push((format!("{folder}/{dir}{name}"), entry.id()));
            }
            TreeWalkResult::Ok
        })?;
        for (path, oid) in blobs {
            let blob = self.repo.find_blob(oid)?;
            found.push(Source {
                path,
                text: decode_lossy(blob.content()),
            });
        }
        Ok(())
    }
}

impl Origin for AtCommit<'_> {
    fn documents(&self, config: &Config) -> Result<(Vec<Source>, Vec<Diagnostic>), ConfigError> {
        let mut found = Vec::new();
        for folder in &config.folders {
            self.folder(&folder.path, &mut found)
                .map_err(|e| ConfigError::one(self.unreadable(&e)))?;
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((found, Vec::new()))
    }

    fn file(&self, _: &Config, path: &str) -> Result<Option<Source>, Diagnostic> {
        let Ok(entry) = self
            .tree
            .get_path(Path::new(&format!("{}{path}", self.prefix)))
        else {
            return Ok(None);
        };
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(|e| self.unreadable(&e))?;
        Ok(Some(Source {
            path: path.to_string(),
            text: decode_lossy(blob.content()),
        }))
    }
}
