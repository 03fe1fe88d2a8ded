//! Rendering only what changed. Every document page is keyed by a hash of all it is
//! rendered from: the tool (its version and its executable), the templates, the page's context (its
//! control block, revisions, links, the site's navigation, the day) and what its body
//! is rendered from (the Markdown, its path, which documents are published, the
//! control catalog, sanitizing). A page whose key is the previous build's is not
//! rendered again: `build` hard-links the file it wrote last time, `serve` keeps the
//! page it holds.
//!
//! The keys of a build are written into the destination's marker file; a page is
//! reused only when its file is still there, at the size it was written. `build`
//! reads them with the destination's lock held (see `staging`).

use super::output::{Reuse, Site};
use super::staging::MARKER;
use std::collections::HashMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3;

/// A page's key: 128 bits of xxh3 over everything it is rendered from.
pub type Key = u128;

/// The previous build's pages, by output path.
#[derive(Default)]
pub struct Memo {
    keys: HashMap<String, (Key, u64)>,
    previous: Previous,
}

#[derive(Default)]
enum Previous {
    /// Nothing to reuse (a first build, an export, a past state).
    #[default]
    None,
    /// The handbook written at this folder.
    Disk(PathBuf),
    /// The site `serve` holds.
    Memory(std::sync::Arc<Site>),
}

impl Memo {
    pub fn none() -> Memo {
        Memo::default()
    }

    /// The keys of the handbook written at `dest`, if ismsbook wrote it.
    pub fn of_folder(dest: &Path) -> Memo {
        let Ok(text) = std::fs::read_to_string(dest.join(MARKER)) else {
            return Memo::none();
        };
        Memo {
            keys: parse(&text),
            previous: Previous::Disk(dest.to_path_buf()),
        }
    }

    /// The keys of a site held in memory.
    pub fn of_site(site: Arc<Site>) -> Memo {
        let keys = site
            .summary
            .keys
            .iter()
            .filter_map(|(path, key)| {
                Some((path.clone(), (*key, site.files.get(path)?.len() as u64)))
            })
            .collect();
        Memo {
            keys,
            previous: Previous::Memory(site),
        }
    }

    /// The page at `path` as the previous build made it, when its key is `key`.
    pub fn reuse(&self, path: &str, key: Key) -> Option<Reuse> {
        let &(previous, size) = self.keys.get(path)?;
        if previous != key {
            return None;
        }
        match &self.previous {
            Previous::None => None,
            Previous::Disk(dest) => {
                let file = dest.join(path);
                std::fs::metadata(&file)
                    .is_ok_and(|m| m.is_file() && m.len() == size)
                    .then_some(Reuse::File(file, size))
            }
            Previous::Memory(site) => site.files.get(path).map(|b| Reuse::Bytes(Arc::clone(b))),
        }
    }
}

/// The marker file's lines after the first: `key size path`.
fn parse(text: &str) -> HashMap<String, (Key, u64)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.splitn(3, ' ');
            let key = Key::from_str_radix(parts.next()?, 16).ok()?;
            let size = parts.next()?.parse().ok()?;
            Some((parts.next()?.to_string(), (key, size)))
        })
        .collect()
}

/// Hashes what a page is rendered from; values are hashed as the JSON they become.
#[derive(Clone)]
pub struct Fingerprint(Xxh3);

impl Fingerprint {
    /// Starts from the tool itself: its version, and the size and time of its
    /// executable (another build of one version may render differently).
    pub fn new() -> Fingerprint {
        let mut hasher = Xxh3::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        let binary = std::env::current_exe().and_then(std::fs::metadata);
        if let Ok(binary) = binary {
            hasher.update(&binary.len().to_le_bytes());
            if let Ok(since) = binary
                .modified()
                .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
            {
                hasher.update(&since.as_nanos().to_le_bytes());
            }
        }
        Fingerprint(hasher)
    }

    pub fn text(mut self, text: &str) -> Fingerprint {
        // The length first, so two fields can never run into each other.
        self.0.write_u64(text.len() as u64);
        self.0.update(text.as_bytes());
        self
    }

    pub fn number(mut self, n: u128) -> Fingerprint {
        self.0.update(&n.to_le_bytes());
        self
    }

    pub fn value(mut self, value: &impl serde::Serialize) -> Fingerprint {
        let _ = serde_json::to_writer(&mut self, value);
        // A separator that JSON never ends a value with.
        self.0.update(b"\0");
        self
    }

    pub fn key(&self) -> Key {
        self.0.digest128()
    }
}

impl std::io::Write for Fingerprint {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_held_in_memory_is_shared_with_the_next_build_while_its_key_holds() {
        let page: Arc<[u8]> = Arc::from(&b"<html>policy</html>"[..]);
        let mut site = Site::default();
        site.files
            .insert("policies/a.html".into(), Arc::clone(&page));
        site.summary.keys.insert("policies/a.html".into(), 7);
        let memo = Memo::of_site(Arc::new(site));
        match memo.reuse("policies/a.html", 7) {
            // The same bytes, not a copy of them.
            Some(Reuse::Bytes(bytes)) => assert!(Arc::ptr_eq(&bytes, &page)),
            _ => panic!("a page whose key is unchanged is the previous build's"),
        }
        assert!(memo.reuse("policies/a.html", 8).is_none());
        assert!(memo.reuse("policies/b.html", 7).is_none());
    }
}
