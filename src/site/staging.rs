//! Writing a site to disk without ever leaving a half-written handbook: each file
//! goes into a staging folder beside the destination as it is made, and the finished
//! folder is swapped into place with renames. The destination is replaced only when
//! it carries ismsbook's marker file (or is empty), and two builds into one
//! destination take turns (a lock held by the operating system, released even if a
//! build is killed, and taken before the previous build is read).

use super::output::{Reuse, Sink};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file that marks a folder as written by ismsbook.
pub const MARKER: &str = ".ismsbook-build";
/// The marker's first line; the lines after it are the pages' keys (see `memo`).
const MARKER_TEXT: &str =
    "This folder is written by `ismsbook build` and replaced by every build.\n";

/// Why a site was not written; the previous handbook is untouched in either case.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The destination cannot be used (exit code 2).
    #[error("{0}")]
    Refused(String),
    /// Writing failed.
    #[error("cannot write {path}: {err}; the previous handbook is unchanged", path = .0.display(), err = .1)]
    Io(PathBuf, #[source] std::io::Error),
}

/// Checks that `dest` may be replaced by a build of the repository at `root`.
pub fn check_destination(
    root: &Path,
    dest: &Path,
    source_folders: &[PathBuf],
) -> Result<(), OutputError> {
    let canonical = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (root_abs, dest_abs) = (canonical(root), canonical(dest));
    if dest_abs == root_abs || root_abs.starts_with(&dest_abs) {
        return Err(OutputError::Refused(format!(
            "{} would replace the repository itself; choose a folder of its own such as book/",
            dest.display()
        )));
    }
    for folder in source_folders {
        let folder = canonical(folder);
        if dest_abs.starts_with(&folder) || folder.starts_with(&dest_abs) {
            return Err(OutputError::Refused(format!(
                "{} overlaps the document folder {}; choose a folder of its own",
                dest.display(),
                folder.display()
            )));
        }
    }
    if dest.is_dir()
        && !dest.join(MARKER).is_file()
        && fs::read_dir(dest)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(OutputError::Refused(format!(
            "{} exists and was not written by ismsbook (it has no {MARKER} file); refusing to replace it. Remove it or choose another folder",
            dest.display()
        )));
    }
    if dest.exists() && !dest.is_dir() {
        return Err(OutputError::Refused(format!(
            "{} exists and is not a folder",
            dest.display()
        )));
    }
    Ok(())
}

/// A build being written: the staging folder, with the lock held. Dropped without
/// [`Staging::finish`] (a template failed, a write failed), it removes the staging
/// folder and the previous build stays as it was.
pub struct Staging {
    dest: PathBuf,
    staging: PathBuf,
    old: PathBuf,
    /// Whether `dest` is a previous build, whose files may be linked.
    previous: bool,
    /// The folders made in the staging folder so far.
    folders: Mutex<HashSet<PathBuf>>,
    /// The size of every file written, by output path (for the marker).
    sizes: Mutex<HashMap<String, u64>>,
    /// The first write that failed; nothing is written after it.
    failed: Mutex<Option<OutputError>>,
    finished: bool,
    _lock: File,
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |e| OutputError::Io(path, e)
}

impl Staging {
    /// Takes the destination's lock and makes an empty staging folder beside it.
    /// `dest` must have passed [`check_destination`].
    pub fn begin(dest: &Path) -> Result<Staging, OutputError> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = dest
            .file_name()
            .map_or_else(|| "book".into(), |n| n.to_string_lossy().into_owned());
        fs::create_dir_all(parent).map_err(io_error(parent))?;
        // One build at a time per destination folder.
        let lock = lock(parent, &name).map_err(io_error(parent))?;
        let staging = parent.join(format!(".{name}.ismsbook-new"));
        let old = parent.join(format!(".{name}.ismsbook-old"));
        // Leftovers of an interrupted build are ours (the lock is held): clear them.
        for leftover in [&staging, &old] {
            if leftover.exists() {
                fs::remove_dir_all(leftover).map_err(io_error(leftover))?;
            }
        }
        fs::create_dir_all(&staging).map_err(io_error(&staging))?;
        Ok(Staging {
            previous: dest.join(MARKER).is_file(),
            dest: dest.to_path_buf(),
            staging,
            old,
            folders: Mutex::default(),
            sizes: Mutex::default(),
            failed: Mutex::default(),
            finished: false,
            _lock: lock,
        })
    }

    /// Writes the marker, with the key and size of every keyed page (what the next
    /// build may reuse), and swaps the new build into place. Returns how many files
    /// it has.
    pub fn finish(mut self, keys: &BTreeMap<String, u128>) -> Result<usize, OutputError> {
        if let Some(error) = lock_ignoring_poison(&self.failed).take() {
            return Err(error);
        }
        let sizes = std::mem::take(&mut *lock_ignoring_poison(&self.sizes));
        let mut marker = MARKER_TEXT.to_string();
        for (path, key) in keys {
            if let Some(size) = sizes.get(path) {
                marker.push_str(&format!("{key:032x} {size} {path}\n"));
            }
        }
        fs::write(self.staging.join(MARKER), marker).map_err(io_error(&self.staging))?;
        swap(&self.staging, &self.dest, &self.old)?;
        self.finished = true;
        Ok(sizes.len())
    }

    /// Runs `write` for the file at `path` unless an earlier write failed, and
    /// records its size or its failure.
    fn put(&self, path: String, write: impl FnOnce(&Path) -> Result<u64, OutputError>) {
        if lock_ignoring_poison(&self.failed).is_some() {
            return;
        }
        let full = self.staging.join(&path);
        let result = self.folder_of(&full).and_then(|()| write(&full));
        match result {
            Ok(size) => {
                lock_ignoring_poison(&self.sizes).insert(path, size);
            }
            Err(error) => {
                lock_ignoring_poison(&self.failed).get_or_insert(error);
            }
        }
    }

    /// Makes the folder a file goes into, once.
    fn folder_of(&self, full: &Path) -> Result<(), OutputError> {
        let Some(folder) = full.parent() else {
            return Ok(());
        };
        if lock_ignoring_poison(&self.folders).contains(folder) {
            return Ok(());
        }
        fs::create_dir_all(folder).map_err(io_error(folder))?;
        lock_ignoring_poison(&self.folders).insert(folder.to_path_buf());
        Ok(())
    }

    /// The previous build's file at `path`, when there is a previous build.
    fn previous(&self, path: &str) -> Option<PathBuf> {
        self.previous.then(|| self.dest.join(path))
    }
}

impl Sink for Staging {
    fn add(&self, path: String, bytes: Vec<u8>) {
        self.stream(path, &mut |out| out.write_all(&bytes));
    }

    fn stream(&self, path: String, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) {
        let previous = self.previous(&path);
        self.put(path, |full| {
            let mut file = Unchanged::new(previous.as_deref(), full);
            let mut out = io::BufWriter::with_capacity(64 * 1024, &mut file);
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(io_error(full))?;
            drop(out);
            file.finish()
        });
    }

    fn reuse(&self, path: String, reuse: Reuse) {
        match reuse {
            Reuse::Bytes(bytes) => self.add(path, bytes.to_vec()),
            Reuse::File(old, size) => self.put(path, |full| {
                // Linked, or copied where links fail.
                if fs::hard_link(&old, full).is_err() {
                    fs::copy(&old, full).map_err(io_error(&old))?;
                }
                Ok(size)
            }),
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Holds the lock that lets one build at a time write beside `parent`. On Unix it is
/// the folder itself that is locked, so no lock file is left behind; elsewhere a
/// lock file. The operating system releases it even when a build is killed.
#[cfg(unix)]
fn lock(parent: &Path, _name: &str) -> std::io::Result<File> {
    let folder = File::open(parent)?;
    folder.lock()?;
    Ok(folder)
}

#[cfg(not(unix))]
fn lock(parent: &Path, name: &str) -> std::io::Result<File> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(parent.join(format!(".{name}.ismsbook-lock")))?;
    file.lock()?;
    Ok(file)
}

fn lock_ignoring_poison<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A file of the new build that is written only where it differs from the previous
/// build's: while the bytes match, nothing is written; at the first difference the
/// matching part is copied and the rest written; a file that matched to its end is
/// hard-linked instead. An unchanged file then keeps its inode and its time (a
/// deployment by rsync skips it), and neither file is ever held whole.
struct Unchanged<'a> {
    full: &'a Path,
    previous: Option<&'a Path>,
    state: State,
    /// A buffer for the previous file's bytes.
    scratch: Vec<u8>,
}

enum State {
    /// Every byte so far matches the previous file, read this far.
    Matching(File, u64),
    /// The new file, written this far.
    Writing(File, u64),
    Failed(Option<io::Error>),
}

impl<'a> Unchanged<'a> {
    fn new(previous: Option<&'a Path>, full: &'a Path) -> Unchanged<'a> {
        let state = match previous.map(File::open) {
            Some(Ok(old)) => State::Matching(old, 0),
            _ => match File::create(full) {
                Ok(file) => State::Writing(file, 0),
                Err(e) => State::Failed(Some(e)),
            },
        };
        Unchanged {
            full,
            previous,
            state,
            scratch: Vec::new(),
        }
    }

    /// Leaves matching: the new file, holding the part that matched.
    fn diverge(&mut self) -> io::Result<()> {
        let State::Matching(_, matched) = self.state else {
            return Ok(());
        };
        let mut file = File::create(self.full)?;
        if let Some(previous) = self.previous {
            io::copy(&mut File::open(previous)?.take(matched), &mut file)?;
        }
        self.state = State::Writing(file, matched);
        Ok(())
    }

    /// Whether the previous file's next bytes are `bytes`. A previous file that
    /// cannot be read is only not matched: it is never a reason to fail the build.
    fn matches(&mut self, bytes: &[u8]) -> bool {
        let State::Matching(old, _) = &mut self.state else {
            return false;
        };
        self.scratch.clear();
        let read = old.take(bytes.len() as u64).read_to_end(&mut self.scratch);
        read.is_ok_and(|read| read == bytes.len()) && self.scratch == bytes
    }

    /// Finishes the file and returns its size.
    fn finish(mut self) -> Result<u64, OutputError> {
        let io = io_error(self.full);
        if let State::Matching(old, matched) = &mut self.state {
            let (old_ended, matched) = (old.read(&mut [0u8; 1]).is_ok_and(|n| n == 0), *matched);
            let linked = old_ended
                && self
                    .previous
                    .is_some_and(|previous| fs::hard_link(previous, self.full).is_ok());
            if linked {
                return Ok(matched);
            }
            // Shorter than the previous file, or not linkable: written after all.
            self.diverge().map_err(io_error(self.full))?;
        }
        match &mut self.state {
            State::Writing(_, size) => Ok(*size),
            State::Failed(e) => Err(io(e.take().unwrap_or_else(failed))),
            State::Matching(..) => Err(io(failed())),
        }
    }
}

/// The error of a write after one that failed (the first is reported).
fn failed() -> io::Error {
    io::Error::other("an earlier write failed")
}

impl Write for Unchanged<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if matches!(self.state, State::Matching(..)) {
            if self.matches(bytes) {
                if let State::Matching(_, matched) = &mut self.state {
                    *matched += bytes.len() as u64;
                }
                return Ok(bytes.len());
            }
            self.diverge()?;
        }
        match &mut self.state {
            State::Writing(file, size) => {
                file.write_all(bytes)?;
                *size += bytes.len() as u64;
                Ok(bytes.len())
            }
            State::Failed(e) => Err(e.take().unwrap_or_else(failed)),
            State::Matching(..) => Err(failed()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Moves the finished build into place: the old one aside, the new one in, the old
/// one removed. Between the two renames the destination is briefly absent, never
/// half-written.
fn swap(staging: &Path, dest: &Path, old: &Path) -> Result<(), OutputError> {
    let had_previous = dest.is_dir();
    if had_previous {
        fs::rename(dest, old).map_err(io_error(dest))?;
    }
    if let Err(e) = fs::rename(staging, dest) {
        if had_previous {
            let _ = fs::rename(old, dest);
        }
        return Err(OutputError::Io(dest.to_path_buf(), e));
    }
    if had_previous {
        fs::remove_dir_all(old).map_err(io_error(old))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;

    /// Writes `new` in the given pieces over a previous file holding `old` (none:
    /// no previous file) and returns what the new file holds and its reported size.
    fn written(old: Option<&[u8]>, pieces: &[&[u8]]) -> (Vec<u8>, u64, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let (previous, full) = (dir.path().join("old"), dir.path().join("new"));
        if let Some(old) = old {
            fs::write(&previous, old).unwrap();
        }
        let mut file = Unchanged::new(old.map(|_| previous.as_path()), &full);
        for piece in pieces {
            file.write_all(piece).unwrap();
        }
        let size = file.finish().unwrap();
        (fs::read(&full).unwrap(), size, dir)
    }

    #[test]
    fn a_file_is_written_whole_whatever_the_previous_one_holds() {
        // (the previous file, if any; the pieces the new one is written in)
        type Case<'a> = (Option<&'a [u8]>, &'a [&'a [u8]]);
        let cases: [Case; 6] = [
            (None, &[b"abc", b"def"]),
            (Some(b"abcdef"), &[b"abc", b"dXf"]),
            (Some(b"abcdef"), &[b"abc"]),
            (Some(b"abc"), &[b"abc", b"def"]),
            (Some(b"abcdef"), &[b"Xbc", b"def"]),
            (Some(b""), &[b"abc"]),
        ];
        for (old, pieces) in cases {
            let expected = pieces.concat();
            let (bytes, size, _dir) = written(old, pieces);
            assert_eq!(bytes, expected, "{old:?} then {pieces:?}");
            assert_eq!(size, expected.len() as u64);
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_unchanged_file_is_the_previous_one_linked() {
        let (bytes, size, dir) = written(Some(b"abcdef"), &[b"ab", b"cdef"]);
        assert_eq!((bytes.as_slice(), size), (&b"abcdef"[..], 6));
        let inode = |name: &str| fs::metadata(dir.path().join(name)).unwrap().ino();
        assert_eq!(inode("old"), inode("new"));
        // A changed one is a file of its own: the previous build is never changed.
        let (_, _, dir) = written(Some(b"abcdef"), &[b"abcdeX"]);
        assert_ne!(
            fs::metadata(dir.path().join("old")).unwrap().ino(),
            fs::metadata(dir.path().join("new")).unwrap().ino()
        );
        assert_eq!(fs::read(dir.path().join("old")).unwrap(), b"abcdef");
    }

    #[cfg(unix)]
    #[test]
    fn a_previous_file_that_cannot_be_read_is_written_over_not_a_failure() {
        // Where the previous build has a folder, the new one has a file.
        let dir = tempfile::tempdir().unwrap();
        let (previous, full) = (dir.path().join("old"), dir.path().join("new"));
        fs::create_dir(&previous).unwrap();
        let mut file = Unchanged::new(Some(&previous), &full);
        file.write_all(b"abc").unwrap();
        assert_eq!(file.finish().unwrap(), 3);
        assert_eq!(fs::read(&full).unwrap(), b"abc");
    }

    #[test]
    fn a_failed_render_leaves_no_staging_folder_and_the_previous_build() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let staging = Staging::begin(&dest).unwrap();
        staging.add("index.html".to_string(), b"first".to_vec());
        assert_eq!(staging.finish(&BTreeMap::new()).unwrap(), 1);
        let staging = Staging::begin(&dest).unwrap();
        staging.add("index.html".to_string(), b"second".to_vec());
        drop(staging);
        assert_eq!(fs::read(dest.join("index.html")).unwrap(), b"first");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
