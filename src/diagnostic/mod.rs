//! Diagnostics: every problem ismsbook finds, with a stable code from the registry, a
//! severity, a place in a file, a message and a hint. Checks collect them all; nothing
//! stops at the first.

mod code;

pub use crate::text::Position;
pub use code::{Code, Group, Severity};

use serde::Serialize;
use std::fmt;

/// One finding. The JSON form has exactly the keys code, severity, file, line, column,
/// message and hint: the contract for tools that read `check --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Path relative to the repository root, with `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    /// How many characters from `column` the problem spans (for the caret underline).
    #[serde(skip)]
    pub width: usize,
}

impl Diagnostic {
    /// A finding with the code's default severity.
    pub fn new(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            width: 0,
        }
    }

    pub fn at(mut self, position: Position) -> Self {
        self.line = position.line;
        self.column = position.column;
        self
    }

    pub fn span(mut self, position: Position, width: usize) -> Self {
        self.width = width;
        self.at(position)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: by file, then position, then code, so output is stable.
    pub fn sort_key(&self) -> (&str, usize, usize, Code, &str) {
        (&self.file, self.line, self.column, self.code, &self.message)
    }
}

/// Sorts diagnostics into reading order and drops exact repeats.
pub fn normalize(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

/// Problems with the configuration that must be fixed before anything can be checked:
/// book.toml, a project catalog, a document folder, a template. Exit code 2.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub diagnostics: Vec<Diagnostic>,
}

impl ConfigError {
    pub fn one(diagnostic: Diagnostic) -> ConfigError {
        ConfigError {
            diagnostics: vec![diagnostic],
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.as_slice() {
            [] => f.write_str("the configuration cannot be used"),
            [first, rest @ ..] => {
                write!(f, "{}: {}", first.file, first.message)?;
                if !rest.is_empty() {
                    write!(f, " (and {} more)", rest.len())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigError {}
