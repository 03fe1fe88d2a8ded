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
    pub hint: Option<Box<str>>,
    /// How many characters from `column` the problem spans (for the caret underline).
    #[serde(skip)]
    pub width: usize,
    /// What the finding is about, when that says more than its place: a control
    /// (`A.5.1`), a clause (`4.3`). Folded output lists these; SoA waivers match them.
    #[serde(skip)]
    pub subject: Option<Box<str>>,
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
            subject: None,
        }
    }

    /// A finding about the ISMS as a whole, not about one file (its `file` is empty).
    pub fn whole(code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(code, "", message)
    }

    /// True for a finding about the ISMS as a whole.
    pub fn is_whole(&self) -> bool {
        self.file.is_empty()
    }

    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into().into_boxed_str());
        self
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
        self.hint = Some(hint.into().into_boxed_str());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Reading order: by file, then position, then code, then the message with its
    /// numbers compared as numbers (clause 4.3 before clause 10.2).
    pub fn reading_order(&self, other: &Diagnostic) -> std::cmp::Ordering {
        (&self.file, self.line, self.column, self.code)
            .cmp(&(&other.file, other.line, other.column, other.code))
            .then_with(|| natural_order(&self.message, &other.message))
    }
}

/// Sorts diagnostics into reading order and drops exact repeats.
pub fn normalize(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(Diagnostic::reading_order);
    diagnostics.dedup();
}

/// Text order with runs of digits compared as numbers: `A.5.9` before `A.5.10`.
pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let digits_a = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let digits_b = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits_a > 0 && digits_b > 0 {
            let (na, ra) = a.split_at(digits_a);
            let (nb, rb) = b.split_at(digits_b);
            let order = na
                .trim_start_matches('0')
                .len()
                .cmp(&nb.trim_start_matches('0').len())
                .then_with(|| na.trim_start_matches('0').cmp(nb.trim_start_matches('0')));
            if order != std::cmp::Ordering::Equal {
                return order;
            }
            (a, b) = (ra, rb);
            continue;
        }
        let (mut ca, mut cb) = (a.chars(), b.chars());
        match (ca.next(), cb.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x != y => return x.cmp(&y),
            _ => (a, b) = (ca.as_str(), cb.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_order_their_numbers_as_numbers() {
        let mut ids = vec![
            "clause 10.2",
            "clause 4.3",
            "clause 6.1.3",
            "A.5.10",
            "A.5.9",
        ];
        ids.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            ids,
            [
                "A.5.9",
                "A.5.10",
                "clause 4.3",
                "clause 6.1.3",
                "clause 10.2"
            ]
        );
    }
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
