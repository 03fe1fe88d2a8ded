//! Git trees read from their raw bytes: the history walk compares thousands of
//! folder trees and allocates nothing per entry.

use git2::{ErrorCode, Oid, Tree};
use std::path::Path;

/// A tree object's bytes: entries of `mode SP name NUL id`.
pub struct RawTree {
    data: Vec<u8>,
    id_len: usize,
}

impl RawTree {
    pub fn read(odb: &git2::Odb<'_>, id: Oid) -> Result<RawTree, git2::Error> {
        let object = odb.read(id)?;
        Ok(RawTree {
            data: object.data().to_vec(),
            id_len: id.as_bytes().len(),
        })
    }

    pub fn entries(&self) -> RawEntries<'_> {
        RawEntries {
            rest: &self.data,
            id_len: self.id_len,
        }
    }
}

pub struct RawEntries<'t> {
    rest: &'t [u8],
    id_len: usize,
}

impl RawEntries<'_> {
    /// The entries of no tree (a folder that does not exist on one side).
    pub fn none<'a>() -> RawEntries<'a> {
        RawEntries {
            rest: &[],
            id_len: 0,
        }
    }
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

pub struct RawEntry<'t> {
    mode: &'t [u8],
    pub name: &'t [u8],
    pub id: &'t [u8],
}

impl RawEntry<'_> {
    pub fn is_tree(&self) -> bool {
        self.mode == b"40000"
    }

    /// A regular file (not a symbolic link, which is never followed).
    pub fn is_file(&self) -> bool {
        self.mode.starts_with(b"100")
    }

    pub fn oid(&self) -> Oid {
        Oid::from_bytes(self.id).unwrap_or(Oid::ZERO_SHA1)
    }

    /// Git's order of tree entries: by name, a folder's name compared as if it ended
    /// in `/`.
    pub fn git_order(&self, other: &RawEntry<'_>) -> std::cmp::Ordering {
        let n = self.name.len().min(other.name.len());
        self.name[..n].cmp(&other.name[..n]).then_with(|| {
            let next = |e: &RawEntry<'_>| e.name.get(n).copied().or(e.is_tree().then_some(b'/'));
            next(self).cmp(&next(other))
        })
    }
}

/// The id of the subtree at `path`, or `None` where there is none.
pub fn subtree_id(tree: &Tree<'_>, path: &str) -> Result<Option<Oid>, git2::Error> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(git2::ObjectType::Tree) => Ok(Some(entry.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The id of the regular file at `path`, or `None` where there is none.
pub fn blob_id(tree: &Tree<'_>, path: &str) -> Result<Option<Oid>, git2::Error> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => Ok(Some(entry.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
