//! Where a rendered site goes: a [`Sink`] takes each file as it is made. `build`
//! writes them straight into a staging folder (`staging`), so no page is held once
//! written; `serve` and the audit pack keep them in memory as a [`Site`].

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Takes the files of a site as they are made, from any thread. A sink that cannot
/// write remembers its first error and reports it when it is finished.
pub trait Sink: Sync {
    /// A file of the site.
    fn add(&self, path: String, bytes: Vec<u8>);
    /// A file of the site written by `write` as it is made: a large file is never
    /// held whole.
    fn stream(&self, path: String, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>);
    /// A page the previous build made with the same key.
    fn reuse(&self, path: String, reuse: Reuse);
}

/// A page of the previous build whose key is unchanged.
pub enum Reuse {
    /// The previous build's file (linked into the new build), and its size.
    File(PathBuf, u64),
    /// The page as the previous build rendered it, held in memory (shared, not
    /// copied: `serve` reuses thousands of pages on every save).
    Bytes(Arc<[u8]>),
}

/// What a rendering made besides its files.
#[derive(Debug, Default)]
pub struct Summary {
    /// The key of each page that has one (see `memo`), reused or rendered.
    pub keys: BTreeMap<String, u128>,
    /// How many of the keyed pages are the previous build's (not rendered again).
    pub unchanged: usize,
    /// How many documents and controls it publishes.
    pub documents: usize,
    pub controls: usize,
    /// Drafts and documents in review left out (published with `--drafts`).
    pub unpublished_drafts: usize,
}

/// A rendered handbook held in memory: output path → content, in path order.
#[derive(Debug, Default)]
pub struct Site {
    pub files: BTreeMap<String, Arc<[u8]>>,
    pub summary: Summary,
}

/// The files of a site being rendered in memory.
#[derive(Default)]
pub struct Files(Mutex<BTreeMap<String, Arc<[u8]>>>);

impl Files {
    pub fn into_inner(self) -> BTreeMap<String, Arc<[u8]>> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, path: String, bytes: Arc<[u8]>) {
        let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(path, bytes);
    }
}

impl Sink for Files {
    fn add(&self, path: String, bytes: Vec<u8>) {
        self.insert(path, bytes.into());
    }

    fn stream(&self, path: String, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) {
        let mut bytes = Vec::new();
        // Writing into memory cannot fail.
        let _ = write(&mut bytes);
        self.insert(path, bytes.into());
    }

    fn reuse(&self, path: String, reuse: Reuse) {
        let bytes = match reuse {
            Reuse::Bytes(bytes) => bytes,
            // A page of a previous build on disk that has gone since is rendered as
            // missing rather than failing the whole site.
            Reuse::File(file, _) => std::fs::read(file).unwrap_or_default().into(),
        };
        self.insert(path, bytes);
    }
}
