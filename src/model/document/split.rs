//! Splitting a document's text into its YAML front matter and its Markdown body.

use crate::diagnostic::{Code, Diagnostic};
use crate::text::Position;

/// The front matter and body of a file.
pub struct Split<'t> {
    pub yaml: &'t str,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'t str,
    /// 1-based line of the first body line.
    pub body_line: usize,
}

pub enum SplitError {
    Empty,
    NoFrontMatter,
    Unclosed,
}

impl SplitError {
    pub fn into_diagnostic(self, path: &str) -> Diagnostic {
        match self {
            SplitError::Empty => Diagnostic::new(Code::EmptyFile, path, "the file is empty")
                .at(Position::new(1, 1))
                .hint("start it with a front-matter block; `ismsbook new <type> \"<title>\"` writes one"),
            SplitError::NoFrontMatter => Diagnostic::new(
                Code::FrontMatterMissing,
                path,
                "the file does not start with a front-matter block",
            )
            .span(Position::new(1, 1), 3)
            .hint("begin the file with a line `---`, the fields (id, title, version, …), and another `---`"),
            SplitError::Unclosed => Diagnostic::new(
                Code::FrontMatterUnclosed,
                path,
                "the front matter opened here is never closed",
            )
            .span(Position::new(1, 1), 3)
            .hint("end the front matter with a line that is exactly `---`"),
        }
    }
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let first_end = text.find('\n').unwrap_or(text.len());
    if !is_fence(&text[..first_end]) {
        return Err(SplitError::NoFrontMatter);
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut offset = yaml_start;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let current = &text[offset..end];
        if is_fence(current) || current.trim_end() == "..." {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        offset = end + 1;
        line += 1;
    }
    Err(SplitError::Unclosed)
}
