//! Where the handbook's files come from. Reading is the only place that touches the
//! bytes; everything after works on clean UTF-8 text with `\n` line ends.
//!
//! An [`Origin`] supplies the documents of the configured folders and single files
//! (the SoA): the work tree, a commit (`history::AtCommit`), or either of them with
//! some files replaced ([`Overlay`]: an editor's unsaved text, fuzzing input).

use crate::diagnostic::{Code, ConfigError, Diagnostic};
use crate::model::config::{self, Config};
use crate::text::decode;
use std::collections::BTreeMap;
use std::path::Path;
use walkdir::WalkDir;

/// One file of the handbook, decoded.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// The text with any UTF-8 byte-order mark removed and CRLF turned into LF.
    pub text: String,
}

/// Where a handbook's files come from.
pub trait Origin {
    /// The documents of the configured folders, in path order, and the problems met
    /// reading them. A configured folder that cannot be used is an `Err`.
    fn documents(&self, config: &Config) -> Result<(Vec<Source>, Vec<Diagnostic>), ConfigError>;

    /// One file by its path relative to the root; `Ok(None)` when there is none.
    fn file(&self, config: &Config, path: &str) -> Result<Option<Source>, Diagnostic>;
}

/// The files on disk under the configuration's root.
pub struct WorkTree;

impl Origin for WorkTree {
    fn documents(&self, config: &Config) -> Result<(Vec<Source>, Vec<Diagnostic>), ConfigError> {
        discover(config)
    }

    fn file(&self, config: &Config, path: &str) -> Result<Option<Source>, Diagnostic> {
        let full = config.root.join(path);
        if !full.is_file() {
            return Ok(None);
        }
        read(&full, path).map(Some)
    }
}

/// No files at all: the base of a handbook made only of overlaid files.
pub struct Empty;

impl Origin for Empty {
    fn documents(&self, _: &Config) -> Result<(Vec<Source>, Vec<Diagnostic>), ConfigError> {
        Ok((Vec::new(), Vec::new()))
    }

    fn file(&self, _: &Config, _: &str) -> Result<Option<Source>, Diagnostic> {
        Ok(None)
    }
}

/// Another origin with some files' text replaced, or added when they are documents of
/// a configured folder.
pub struct Overlay<'a> {
    base: &'a dyn Origin,
    files: BTreeMap<String, String>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a dyn Origin) -> Overlay<'a> {
        Overlay {
            base,
            files: BTreeMap::new(),
        }
    }

    /// Lays `text` over the file at `path` (relative to the root).
    pub fn with(mut self, path: impl Into<String>, text: impl Into<String>) -> Overlay<'a> {
        self.files.insert(path.into(), text.into());
        self
    }
}

impl Origin for Overlay<'_> {
    fn documents(&self, config: &Config) -> Result<(Vec<Source>, Vec<Diagnostic>), ConfigError> {
        let (mut sources, problems) = self.base.documents(config)?;
        for (path, text) in &self.files {
            let name = path.rsplit('/').next().unwrap_or_default();
            match sources.iter_mut().find(|s| s.path == *path) {
                Some(source) => source.text = text.clone(),
                None if config.folder_of(path).is_some() && is_document_file(name) => {
                    sources.push(Source {
                        path: path.clone(),
                        text: text.clone(),
                    })
                }
                None => {}
            }
        }
        sources.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((sources, problems))
    }

    fn file(&self, config: &Config, path: &str) -> Result<Option<Source>, Diagnostic> {
        match self.files.get(path) {
            Some(text) => Ok(Some(Source {
                path: path.to_string(),
                text: text.clone(),
            })),
            None => self.base.file(config, path),
        }
    }
}

/// True for files that are documents: Markdown, not hidden, and not a folder's README
/// (which is for readers of the forge, not part of the handbook).
pub fn is_document_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".md") || lower.ends_with(".markdown"))
        && !name.starts_with('.')
        && lower != "readme.md"
        && lower != "readme.markdown"
}

/// The documents' source files in the work tree, in path order, and the problems met
/// reading them. A configured folder that does not exist is a note, not an error: git
/// keeps no empty folders, so a folder whose last document was retired and removed is
/// gone from every clone.
fn discover(config: &Config) -> Result<(Vec<Source>, Vec<Diagnostic>), ConfigError> {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for folder in &config.folders {
        if config.root.join(&folder.path).is_dir() {
            walk_folder(config, &folder.path, &mut sources, &mut problems);
        } else if config.folders_configured {
            problems.push(
                Diagnostic::new(
                    Code::FolderMissing,
                    config::FILE_NAME,
                    format!("document folder `{}` does not exist", folder.path),
                )
                .about(folder.path.clone())
                .hint("it holds no documents; `ismsbook new` creates it for a new document, or remove it from [build] folders"),
            );
        }
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    sources.dedup_by(|a, b| a.path == b.path);
    Ok((sources, problems))
}

/// Reads every document file below one folder (hidden entries are skipped, symbolic
/// links reported and never followed).
fn walk_folder(
    config: &Config,
    folder: &str,
    sources: &mut Vec<Source>,
    problems: &mut Vec<Diagnostic>,
) {
    let walk = WalkDir::new(config.root.join(folder))
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map_or(folder.to_string(), |p| relative(&config.root, p));
                problems.push(
                    Diagnostic::new(Code::Unreadable, path, format!("cannot read: {e}"))
                        .hint("check the file's permissions"),
                );
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if !is_document_file(&name) {
            continue;
        }
        let path = relative(&config.root, entry.path());
        if entry.path_is_symlink() {
            problems.push(
                Diagnostic::new(Code::SymlinkSkipped, path, "symbolic link skipped")
                    .hint("documents must be regular files inside the repository; copy or move the file instead"),
            );
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        match read(entry.path(), &path) {
            Ok(source) => sources.push(source),
            Err(problem) => problems.push(problem),
        }
    }
}

/// Reads and decodes one file.
pub fn read(full_path: &Path, path: &str) -> Result<Source, Diagnostic> {
    let bytes = std::fs::read(full_path).map_err(|e| {
        Diagnostic::new(Code::Unreadable, path, format!("cannot read: {e}"))
            .hint("check the file's permissions")
    })?;
    let text = decode(&bytes).map_err(|position| {
        Diagnostic::new(Code::NotUtf8, path, "the file is not valid UTF-8")
            .at(position)
            .hint("save the file as UTF-8 (most editors: File > Save with Encoding)")
    })?;
    Ok(Source {
        path: path.to_string(),
        text,
    })
}

/// `root/policies/a.md` → `policies/a.md`.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readmes_and_hidden_files_are_not_documents() {
        assert!(is_document_file("access-control.md"));
        assert!(!is_document_file("README.md"));
        assert!(!is_document_file(".draft.md"));
        assert!(!is_document_file("notes.txt"));
    }
}
