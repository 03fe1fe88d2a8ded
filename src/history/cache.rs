//! The history cache in the git directory (`.git/ismsbook/history.bin`): never
//! committed, removed with the clone, keyed by HEAD and by a format number that
//! changes with anything it stores.
//!
//! The cache is postcard (serde's compact binary format: varints, no field names),
//! behind a magic line and the format number. On 2,000 documents and 20,000 commits
//! it is under half the size of the JSON it replaced, and reads several times faster:
//! a warm run reads it before anything else can start.

use super::evidence::Evidence;
use super::walk::Walked;
use crate::model::config::EvidenceLevel;
use git2::Repository;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bumped whenever the cache's meaning or layout changes (including `ContentHash`,
/// whose hashes it stores); a cache of another format is ignored and rebuilt.
pub const FORMAT: u32 = 11;

/// What every cache file starts with, before the format number (little-endian).
const MAGIC: &[u8; 16] = b"ismsbook-history";

fn cache_path(git_dir: &Path) -> PathBuf {
    git_dir.join("ismsbook").join("history.bin")
}

pub fn read(repo: &Repository) -> Option<Walked> {
    let bytes = std::fs::read(cache_path(repo.path())).ok()?;
    let payload = bytes.strip_prefix(MAGIC.as_slice())?;
    let (format, payload) = payload.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*format) != FORMAT {
        return None;
    }
    let walked: Walked = postcard::from_bytes(payload).ok()?;
    (walked.format == FORMAT).then_some(walked)
}

/// Writes the cache atomically; a cache that cannot be written (a read-only
/// repository) is simply not used. The JSON cache of earlier versions is removed.
pub fn write(git_dir: &Path, walked: &Walked) {
    let path = cache_path(git_dir);
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT.to_le_bytes());
    let Ok(bytes) = postcard::to_extend(walked, bytes) else {
        return;
    };
    let tmp = dir.join(format!("history.bin.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    let _ = std::fs::remove_file(dir.join("history.json"));
}

/// Approval evidence already judged: by the commit that landed the approval and a
/// hash of what it was judged against (the role's members, the allowed signers). A
/// commit never changes, so neither does its evidence; reading it again means
/// inflating the commit (and a merge's tip) for every approved revision.
pub type EvidenceMemo = HashMap<String, Vec<(u64, Evidence)>>;

/// The memo as stored: `Evidence` serializes for JSON output, without empty fields.
type StoredEvidence = (
    String,
    u64,
    EvidenceLevel,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
);

const EVIDENCE_MAGIC: &[u8; 16] = b"ismsbook-evidenc";

fn evidence_path(git_dir: &Path) -> PathBuf {
    git_dir.join("ismsbook").join("evidence.bin")
}

pub fn read_evidence(git_dir: &Path) -> EvidenceMemo {
    let Ok(bytes) = std::fs::read(evidence_path(git_dir)) else {
        return EvidenceMemo::new();
    };
    let stored: Option<Vec<StoredEvidence>> = bytes
        .strip_prefix(EVIDENCE_MAGIC.as_slice())
        .and_then(|b| b.split_first_chunk::<4>())
        .filter(|(format, _)| u32::from_le_bytes(**format) == FORMAT)
        .and_then(|(_, payload)| postcard::from_bytes(payload).ok());
    let mut memo = EvidenceMemo::new();
    for (commit, judged, level, by, how, on, openpgp) in stored.unwrap_or_default() {
        let evidence = Evidence {
            level,
            by,
            how,
            commit: on,
            openpgp,
        };
        memo.entry(commit).or_default().push((judged, evidence));
    }
    memo
}

/// Writes the memo atomically, like the history cache.
pub fn write_evidence(git_dir: &Path, memo: &EvidenceMemo) {
    let path = evidence_path(git_dir);
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let stored: Vec<StoredEvidence> = memo
        .iter()
        .flat_map(|(commit, judged)| judged.iter().map(move |(j, e)| (commit, j, e)))
        .map(|(commit, judged, e)| {
            let (by, how, on) = (e.by.clone(), e.how.clone(), e.commit.clone());
            (commit.clone(), *judged, e.level, by, how, on, e.openpgp)
        })
        .collect();
    let mut bytes = EVIDENCE_MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT.to_le_bytes());
    let Ok(bytes) = postcard::to_extend(&stored, bytes) else {
        return;
    };
    let tmp = dir.join(format!("evidence.bin.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}
