//! The history cache in the git directory (`.git/ismsbook/`): never committed,
//! removed with the clone, keyed by HEAD and by a format number that changes with
//! anything it stores.

use super::walk::Walked;
use git2::Repository;
use std::path::{Path, PathBuf};

/// Bumped whenever the cache's meaning changes (including `ContentHash`, whose
/// hashes it stores); a cache of another format is ignored and rebuilt.
pub const FORMAT: u32 = 10;

fn cache_path(git_dir: &Path) -> PathBuf {
    git_dir.join("ismsbook").join("history.json")
}

pub fn read(repo: &Repository) -> Option<Walked> {
    let bytes = std::fs::read(cache_path(repo.path())).ok()?;
    let walked: Walked = serde_json::from_slice(&bytes).ok()?;
    (walked.format == FORMAT).then_some(walked)
}

/// Writes the cache atomically; a cache that cannot be written (a read-only
/// repository) is simply not used.
pub fn write(git_dir: &Path, walked: &Walked) {
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
