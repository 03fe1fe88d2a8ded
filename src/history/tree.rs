//! Git trees read from their raw bytes: the history walk compares thousands of
//! folder trees and allocates nothing per entry but its offset.

use git2::{ErrorCode, Oid, Tree};
use std::ops::Range;
use std::path::Path;

/// A tree object's bytes (entries of `mode SP name NUL id`), and where each entry
/// starts.
pub struct RawTree<'o> {
    object: git2::OdbObject<'o>,
    /// The offset of each entry, then the end of the last: entry `i` is
    /// `data[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    id_len: usize,
}

/// The entries that differ between two versions of a tree, by index: the entries
/// before and after these ranges are the same bytes in both.
pub struct Differing {
    pub old: Range<usize>,
    pub new: Range<usize>,
}

impl<'o> RawTree<'o> {
    /// Reads a tree and finds its entries.
    pub fn read(odb: &'o git2::Odb<'o>, id: Oid) -> Result<RawTree<'o>, git2::Error> {
        let object = odb.read(id)?;
        let id_len = id.as_bytes().len();
        let mut starts = vec![0];
        entry_starts(object.data(), 0, usize::MAX, id_len, &mut starts);
        Ok(RawTree {
            object,
            starts,
            id_len,
        })
    }

    /// Reads a later version of `old`, and which entries differ from it. A commit
    /// changes a few files of a folder of hundreds: the bytes the two versions share
    /// at their start and at their end are compared, not parsed, and the entries in
    /// them are taken from `old`'s.
    pub fn read_after(
        odb: &'o git2::Odb<'o>,
        id: Oid,
        old: &RawTree<'_>,
    ) -> Result<(RawTree<'o>, Differing), git2::Error> {
        let object = odb.read(id)?;
        let id_len = id.as_bytes().len();
        let (a, b) = (old.data(), object.data());
        let count = old.len();
        // The first entry that is not the same in both: it starts at the same offset.
        let same = common_prefix(a, b);
        let first = old.starts[..count]
            .partition_point(|&s| s as usize <= same)
            .saturating_sub(1)
            .min(count);
        let from = old.starts[first] as usize;
        // The entries after the last difference, at offsets shifted by the change in
        // length. Only a boundary the new tree's own entries reach counts.
        let suffix = common_suffix(&a[from..], &b[from..]);
        let shared_end = a.len() - suffix;
        let mut last = old.starts[..=count]
            .partition_point(|&s| (s as usize) < shared_end)
            .max(first);
        let shift = |s: u32| (s as usize + b.len()).wrapping_sub(a.len());
        let target = if last < count {
            shift(old.starts[last])
        } else {
            b.len()
        };
        let mut starts = Vec::with_capacity(count + 8);
        starts.extend_from_slice(&old.starts[..=first]);
        let reached = entry_starts(b, from, target, id_len, &mut starts);
        if reached != target {
            // The new entries run past the shared end: parse to the end.
            last = count;
            entry_starts(b, reached, usize::MAX, id_len, &mut starts);
        }
        let new_last = starts.len() - 1;
        if last < count {
            starts.extend(
                old.starts[last + 1..=count]
                    .iter()
                    .map(|&s| shift(s) as u32),
            );
        }
        let tree = RawTree {
            object,
            starts,
            id_len,
        };
        Ok((
            tree,
            Differing {
                old: first..last,
                new: first..new_last,
            },
        ))
    }

    fn data(&self) -> &[u8] {
        self.object.data()
    }

    /// How many entries it has.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The entries in `range` (by index).
    pub fn entries(&self, range: Range<usize>) -> RawEntries<'_> {
        let (start, end) = (self.starts[range.start], self.starts[range.end]);
        RawEntries {
            rest: &self.data()[start as usize..end as usize],
            id_len: self.id_len,
        }
    }

    /// All its entries.
    pub fn all(&self) -> RawEntries<'_> {
        self.entries(0..self.len())
    }
}

/// Records in `starts` the end of each entry of `data` from offset `from` on, until
/// one ends at or past `until` or the entries end (a malformed entry ends them, as
/// it would end git's reading). Returns where the last entry recorded ends.
fn entry_starts(
    data: &[u8],
    from: usize,
    until: usize,
    id_len: usize,
    starts: &mut Vec<u32>,
) -> usize {
    let mut at = from;
    while at < until
        && let Some(end) = entry_end(&data[at..], id_len)
    {
        at += end;
        starts.push(at as u32);
    }
    at
}

/// The length of the entry that `data` starts with, if it is whole.
fn entry_end(data: &[u8], id_len: usize) -> Option<usize> {
    let nul = memchr::memchr(0, data)?;
    memchr::memchr(b' ', &data[..nul])?;
    let end = nul + 1 + id_len;
    (end <= data.len()).then_some(end)
}

/// How many bytes `a` and `b` share at their start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 32 <= n && a[i..i + 32] == b[i..i + 32] {
        i += 32;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + 32 <= n && a[n - i - 32..n - i] == b[n - i - 32..n - i] {
        i += 32;
    }
    i + a[..n - i]
        .iter()
        .rev()
        .zip(b[..n - i].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
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
        let end = entry_end(rest, self.id_len)?;
        let space = memchr::memchr(b' ', rest)?;
        let nul = end - 1 - self.id_len;
        let entry = RawEntry {
            mode: &rest[..space],
            name: &rest[space + 1..nul],
            id: &rest[nul + 1..end],
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

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Repository;

    /// Writes a tree of the given names (files, or folders where the name ends in `/`).
    fn tree(repo: &Repository, names: &[&str]) -> Oid {
        let mut builder = repo.treebuilder(None).unwrap();
        let empty = repo.treebuilder(None).unwrap().write().unwrap();
        for name in names {
            match name.strip_suffix('/') {
                Some(folder) => builder.insert(folder, empty, 0o040000).unwrap(),
                None => {
                    let blob = repo.blob(format!("{name} v1").as_bytes()).unwrap();
                    builder.insert(name, blob, 0o100644).unwrap()
                }
            };
        }
        builder.write().unwrap()
    }

    fn names(tree: &RawTree<'_>, range: Range<usize>) -> Vec<String> {
        tree.entries(range)
            .map(|e| String::from_utf8_lossy(e.name).into_owned())
            .collect()
    }

    #[test]
    fn a_later_version_has_the_entries_a_full_read_finds_and_only_changes_differ() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let odb = repo.odb().unwrap();
        let base: Vec<String> = (0..40).map(|i| format!("doc-{i:03}.md")).collect();
        let base: Vec<&str> = base.iter().map(String::as_str).collect();
        let edits: Vec<(Vec<&str>, Vec<&str>, Vec<&str>)> = vec![
            // (removed, added, the names of the differing entries of both, sorted;
            // empty: only that the removed and added ones are among them)
            (vec![], vec!["doc-000a.md"], vec!["doc-000a.md"]),
            (vec!["doc-000.md"], vec![], vec!["doc-000.md"]),
            (
                vec!["doc-039.md"],
                vec!["doc-040.md", "zz/"],
                vec!["doc-039.md", "doc-040.md", "zz"],
            ),
            (
                vec!["doc-010.md", "doc-030.md"],
                vec!["doc-010 b.md", "doc-02/"],
                vec![],
            ),
            (base.clone(), vec!["other.md"], vec![]),
        ];
        let old_id = tree(&repo, &base);
        for (removed, added, expected) in edits {
            let mut now: Vec<&str> = base
                .iter()
                .copied()
                .filter(|n| !removed.contains(n))
                .collect();
            now.extend(&added);
            let new_id = tree(&repo, &now);
            let old = RawTree::read(&odb, old_id).unwrap();
            let (after, differing) = RawTree::read_after(&odb, new_id, &old).unwrap();
            let full = RawTree::read(&odb, new_id).unwrap();
            assert_eq!(after.starts, full.starts, "{removed:?} {added:?}");
            // What lies outside the differing ranges is the same in both.
            let (o, n) = (&differing.old, &differing.new);
            assert_eq!(names(&old, 0..o.start), names(&after, 0..n.start));
            assert_eq!(old.len() - o.end, after.len() - n.end);
            assert_eq!(
                names(&old, o.end..old.len()),
                names(&after, n.end..after.len())
            );
            let mut differ = names(&old, o.clone());
            differ.extend(names(&after, n.clone()));
            for name in removed.iter().chain(&added) {
                assert!(
                    differ.contains(&name.trim_end_matches('/').to_string()),
                    "{name} in {differ:?}"
                );
            }
            if !expected.is_empty() {
                differ.sort();
                assert_eq!(differ, expected);
            }
        }
    }
}
