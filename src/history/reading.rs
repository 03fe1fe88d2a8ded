//! Reading the versions a history walk meets while the walk goes on: the walk hands
//! over the ids of the versions it finds, in its order, and readers on the other
//! cores inflate and parse them. Reading every version is most of a cold walk, and
//! the walk itself (one thread, comparing trees) is most of the rest: side by side,
//! the two take as long as the longer.

use crate::model::document::Snapshot;
use crate::text::decode_lossy;
use git2::{Oid, Repository};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{Scope, ScopedJoinHandle};

/// How many versions go to a reader at a time: enough that handing them over costs
/// nothing, few enough that the readers start while the walk is young.
const BATCH: usize = 256;

type Read = Result<Vec<(Oid, Snapshot)>, git2::Error>;

/// The readers of one walk, started with the first full batch.
pub struct Readers<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    git_dir: PathBuf,
    seen: HashSet<Oid>,
    batch: Vec<Oid>,
    started: Option<Started<'scope>>,
}

struct Started<'scope> {
    sender: mpsc::Sender<Vec<Oid>>,
    receiver: Arc<Mutex<mpsc::Receiver<Vec<Oid>>>>,
    readers: Vec<ScopedJoinHandle<'scope, Read>>,
}

impl<'scope, 'env> Readers<'scope, 'env> {
    pub fn new(scope: &'scope Scope<'scope, 'env>, git_dir: &Path) -> Self {
        Readers {
            scope,
            git_dir: git_dir.to_path_buf(),
            seen: HashSet::new(),
            batch: Vec::with_capacity(BATCH),
            started: None,
        }
    }

    /// Asks for the snapshot of one version (once, however often it is asked for).
    pub fn read(&mut self, blob: Oid) {
        if !self.seen.insert(blob) {
            return;
        }
        self.batch.push(blob);
        if self.batch.len() == BATCH {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            self.start().sender.send(batch).ok();
        }
    }

    fn start(&mut self) -> &Started<'scope> {
        self.started.get_or_insert_with(|| {
            let (sender, receiver) = mpsc::channel::<Vec<Oid>>();
            let receiver = Arc::new(Mutex::new(receiver));
            // The walk's thread reads too once the walk is done.
            let readers = (1..rayon::current_num_threads().max(2))
                .map(|_| {
                    let (receiver, git_dir) = (Arc::clone(&receiver), self.git_dir.clone());
                    self.scope
                        .spawn(move || read(&Repository::open(git_dir)?, &receiver))
                })
                .collect();
            Started {
                sender,
                receiver,
                readers,
            }
        })
    }

    /// The snapshots of every version asked for, and whether reader threads read
    /// them. A walk that met fewer versions than a batch (a few new commits) reads
    /// them here, on the walk's own handle.
    pub fn finish(
        mut self,
        repo: &Repository,
    ) -> Result<(HashMap<Oid, Snapshot>, bool), git2::Error> {
        let mut snapshots = HashMap::with_capacity(self.seen.len());
        let batch = std::mem::take(&mut self.batch);
        let Some(Started {
            sender,
            receiver,
            readers,
        }) = self.started.take()
        else {
            for blob in batch {
                snapshots.insert(blob, snapshot(repo, blob)?);
            }
            return Ok((snapshots, false));
        };
        sender.send(batch).ok();
        drop(sender);
        let mut failed = None;
        match read(repo, &receiver) {
            Ok(read) => snapshots.extend(read),
            Err(e) => failed = Some(e),
        }
        for reader in readers {
            match reader.join() {
                Ok(Ok(read)) => snapshots.extend(read),
                Ok(Err(e)) => failed = failed.or(Some(e)),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        failed.map_or(Ok((snapshots, true)), Err)
    }
}

/// Reads batches until the walk is done and none is left, on a handle of the
/// reader's own (a `Repository` is not shared between threads).
fn read(repo: &Repository, batches: &Mutex<mpsc::Receiver<Vec<Oid>>>) -> Read {
    let mut read = Vec::new();
    loop {
        let next = batches.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(batch) = next else {
            return Ok(read);
        };
        for blob in batch {
            read.push((blob, snapshot(repo, blob)?));
        }
    }
}

fn snapshot(repo: &Repository, blob: Oid) -> Result<Snapshot, git2::Error> {
    Ok(Snapshot::of(&decode_lossy(repo.find_blob(blob)?.content())))
}

/// Hands back to the operating system what the reader threads freed, once the
/// snapshots they read are recorded and dropped (at the end of the walk). libgit2
/// inflates every version with the C allocator (glibc's, whatever allocator the Rust
/// side uses), which gives each thread an arena of its own and keeps what the
/// thread freed for its next allocation; the readers end with the walk, and the
/// buffers they inflated and freed would stay resident to the end of the run.
/// (Called right after the readers are joined, it hands back less: their snapshots
/// are still alive.) On the XL corpus it takes 35 MiB off the cold build's peak.
#[allow(unsafe_code)]
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(repo: &Repository, n: usize) -> Vec<Oid> {
        (0..n)
            .map(|i| {
                let text = format!("---\nid: POL-{i}\nversion: \"1.{i}\"\n---\n# Policy {i}\n");
                repo.blob(text.as_bytes()).unwrap()
            })
            .collect()
    }

    /// Reads `blobs` (each asked for twice) as a walk would.
    fn read_all(
        repo: &Repository,
        blobs: &[Oid],
    ) -> Result<(HashMap<Oid, Snapshot>, bool), git2::Error> {
        std::thread::scope(|scope| {
            let mut readers = Readers::new(scope, repo.path());
            for &blob in blobs.iter().chain(blobs) {
                readers.read(blob);
            }
            readers.finish(repo)
        })
    }

    #[test]
    fn every_version_asked_for_is_read_once_on_reader_threads_when_there_are_many() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let many = versions(&repo, 3 * BATCH + 5);
        let (snapshots, threaded) = read_all(&repo, &many).unwrap();
        assert!(threaded);
        assert_eq!(snapshots.len(), many.len());
        for (i, blob) in many.iter().enumerate() {
            assert_eq!(snapshots[blob].id, Some(format!("POL-{i}")));
            assert_eq!(snapshots[blob].version, Some(format!("1.{i}")));
        }
        let (few, threaded) = read_all(&repo, &many[..3]).unwrap();
        assert!(!threaded);
        assert_eq!(few.len(), 3);
    }

    #[test]
    fn a_version_missing_from_the_repository_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut blobs = versions(&repo, 2 * BATCH);
        blobs.insert(
            BATCH + 7,
            Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap(),
        );
        let error = read_all(&repo, &blobs).unwrap_err();
        assert_eq!(error.code(), git2::ErrorCode::NotFound);
    }
}
