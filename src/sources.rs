//! Finding and reading the source files of the handbook: the Markdown documents in the
//! configured folders. Reading is the only place that touches the bytes; everything
//! after works on clean UTF-8 text with `\n` line ends.

use crate::config::{Config, ConfigError};
use crate::diagnostic::{Diagnostic, LineIndex, Position};
use std::path::Path;
use walkdir::WalkDir;

/// One file from a document folder, decoded.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// The text with any UTF-8 byte-order mark removed and CRLF turned into LF.
    pub text: String,
}

/// Decodes a file's bytes: accepts a UTF-8 BOM, CRLF and lone CR line ends. On invalid UTF-8,
/// returns the position of the first invalid byte.
pub fn decode(bytes: &[u8]) -> Result<String, Position> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        // CRLF and a lone CR (old Mac files) both end a line, for editors and YAML alike.
        Ok(text) if text.contains('\r') => Ok(text.replace("\r\n", "\n").replace('\r', "\n")),
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            Err(LineIndex::new(valid).position(valid, valid.len()))
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

/// The documents' source files, in path order, and the problems met reading them.
pub fn discover(config: &Config) -> Result<(Vec<Source>, Vec<Diagnostic>), ConfigError> {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    for folder in &config.folders {
        let dir = config.root.join(&folder.path);
        if !dir.is_dir() {
            if config.folders_configured {
                missing.push(
                    Diagnostic::error(
                        "config-invalid",
                        crate::config::FILE_NAME,
                        format!("document folder `{}` does not exist", folder.path),
                    )
                    .hint("create the folder or remove it from [build] folders"),
                );
            }
            continue;
        }
        let walk = WalkDir::new(&dir)
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
                        .map_or(folder.path.clone(), |p| relative(&config.root, p));
                    problems.push(
                        Diagnostic::error("unreadable", path, format!("cannot read: {e}"))
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
                    Diagnostic::warning("symlink-skipped", path, "symbolic link skipped")
                        .hint("documents must be regular files inside the repository; copy or move the file instead"),
                );
                continue;
            }
            if !entry.file_type().is_file() {
                continue;
            }
            match read(config.root.join(&path).as_path(), &path) {
                Ok(source) => sources.push(source),
                Err(problem) => problems.push(problem),
            }
        }
    }
    if !missing.is_empty() {
        return Err(ConfigError {
            diagnostics: missing,
        });
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    sources.dedup_by(|a, b| a.path == b.path);
    Ok((sources, problems))
}

/// Reads and decodes one file.
pub fn read(full_path: &Path, path: &str) -> Result<Source, Diagnostic> {
    let bytes = std::fs::read(full_path).map_err(|e| {
        Diagnostic::error("unreadable", path, format!("cannot read: {e}"))
            .hint("check the file's permissions")
    })?;
    let text = decode(&bytes).map_err(|position| {
        Diagnostic::error("not-utf8", path, "the file is not valid UTF-8")
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
    fn decode_accepts_bom_and_crlf() {
        assert_eq!(
            decode(b"\xEF\xBB\xBF---\r\nid: X\r\n").unwrap(),
            "---\nid: X\n"
        );
    }

    #[test]
    fn decode_reports_the_first_invalid_byte() {
        assert_eq!(decode(b"ok\nab\xFFc").unwrap_err(), Position::new(2, 3));
    }

    #[test]
    fn readmes_and_hidden_files_are_not_documents() {
        assert!(is_document_file("access-control.md"));
        assert!(!is_document_file("README.md"));
        assert!(!is_document_file(".draft.md"));
        assert!(!is_document_file("notes.txt"));
    }
}
