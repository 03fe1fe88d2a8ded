//! Writing a rendered site to disk without ever leaving a half-written handbook:
//! the site is written into a staging folder beside the destination and swapped into
//! place with renames. The destination is replaced only when it carries ismsbook's
//! marker file (or is empty), and two builds into one destination take turns (a lock
//! held by the operating system, released even if a build is killed).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A rendered handbook: output path → content, in path order.
#[derive(Debug, Default)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
    /// Pages the previous build wrote with the same key, with their size: linked,
    /// not written again.
    pub reused: BTreeMap<String, u64>,
    /// The key of each page that has one (see `memo`), reused or written.
    pub keys: BTreeMap<String, u128>,
    /// How many of the keyed pages are the previous build's (not rendered again).
    pub unchanged: usize,
    /// How many documents and controls it publishes.
    pub documents: usize,
    pub controls: usize,
    /// Drafts and documents in review left out (published with `--drafts`).
    pub unpublished_drafts: usize,
}

impl Site {
    pub fn add(&mut self, path: impl Into<String>, content: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), content.into());
    }

    /// How many files the site has, reused ones included.
    pub fn len(&self) -> usize {
        self.files.len() + self.reused.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

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

/// Writes `site` to `dest`, replacing the previous build only once the new one is
/// complete.
pub fn write(site: &Site, dest: &Path) -> Result<(), OutputError> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map_or_else(|| "book".into(), |n| n.to_string_lossy().into_owned());
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e| OutputError::Io(path, e)
    };
    fs::create_dir_all(parent).map_err(io(parent))?;

    // One build at a time per destination folder.
    let lock = lock(parent, &name).map_err(io(parent))?;

    let staging = parent.join(format!(".{name}.ismsbook-new"));
    let old = parent.join(format!(".{name}.ismsbook-old"));
    // Leftovers of an interrupted build are ours (the lock is held): clear them.
    for leftover in [&staging, &old] {
        if leftover.exists() {
            fs::remove_dir_all(leftover).map_err(io(leftover))?;
        }
    }
    let result = write_tree(site, &staging, dest).and_then(|()| swap(&staging, dest, &old));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    drop(lock);
    result
}

/// Writes the site into `staging`. A file identical to the one in the previous build
/// is hard-linked instead of written: no new inode, no data written, and removing the
/// previous build then frees nothing. (Files are never changed in place, so the two
/// builds never affect each other.)
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

fn write_tree(site: &Site, staging: &Path, previous: &Path) -> Result<(), OutputError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e| OutputError::Io(path, e)
    };
    fs::create_dir_all(staging).map_err(io(staging))?;
    let dirs: BTreeSet<&Path> = site
        .files
        .keys()
        .chain(site.reused.keys())
        .filter_map(|p| Path::new(p).parent())
        .collect();
    for dir in dirs {
        fs::create_dir_all(staging.join(dir)).map_err(io(dir))?;
    }
    let reuse = previous.join(MARKER).is_file();
    for (path, bytes) in &site.files {
        let full = staging.join(path);
        if reuse {
            let old = previous.join(path);
            let same = fs::metadata(&old).is_ok_and(|m| m.len() == bytes.len() as u64)
                && fs::read(&old).is_ok_and(|b| b == *bytes);
            if same && fs::hard_link(&old, &full).is_ok() {
                continue;
            }
        }
        let mut file = File::create(&full).map_err(io(&full))?;
        file.write_all(bytes).map_err(io(&full))?;
    }
    // Unchanged pages: the previous build's file, linked (or copied where links fail).
    for path in site.reused.keys().filter(|p| !site.files.contains_key(*p)) {
        let (old, full) = (previous.join(path), staging.join(path));
        if fs::hard_link(&old, &full).is_err() {
            fs::copy(&old, &full).map_err(io(&old))?;
        }
    }
    // The marker last, with the key and size of every keyed page: what the next
    // build may reuse.
    let mut marker = MARKER_TEXT.to_string();
    for (path, key) in &site.keys {
        let size = match (site.files.get(path), site.reused.get(path)) {
            (Some(bytes), _) => bytes.len() as u64,
            (None, Some(&size)) => size,
            (None, None) => continue,
        };
        marker.push_str(&format!("{key:032x} {size} {path}\n"));
    }
    fs::write(staging.join(MARKER), marker).map_err(io(staging))?;
    Ok(())
}

/// Moves the finished build into place: the old one aside, the new one in, the old
/// one removed. Between the two renames the destination is briefly absent, never
/// half-written.
fn swap(staging: &Path, dest: &Path, old: &Path) -> Result<(), OutputError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e| OutputError::Io(path, e)
    };
    let had_previous = dest.is_dir();
    if had_previous {
        fs::rename(dest, old).map_err(io(dest))?;
    }
    if let Err(e) = fs::rename(staging, dest) {
        if had_previous {
            let _ = fs::rename(old, dest);
        }
        return Err(OutputError::Io(dest.to_path_buf(), e));
    }
    if had_previous {
        fs::remove_dir_all(old).map_err(io(old))?;
    }
    Ok(())
}
