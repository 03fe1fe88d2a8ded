//! Why an export did not happen. Nothing half-written is left in any case: files are
//! written beside their destination and renamed into place.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A document could not be typeset (a bug of the generated markup, or an image
    /// Typst cannot read).
    #[error("cannot typeset {id}: {message}")]
    Typeset { id: String, message: String },
    /// Writing an output failed.
    #[error("cannot write {}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The workbook could not be made.
    #[error("cannot make the workbook: {0}")]
    Workbook(String),
    /// The request cannot be met (an unknown id, a feature not built in).
    #[error("{0}")]
    Usage(String),
}

impl ExportError {
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> ExportError {
        ExportError::Io {
            path: path.into(),
            error,
        }
    }
}
