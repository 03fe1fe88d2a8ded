//! Where each top-level front-matter key and its value are written in the file, so
//! every problem can be reported at its line and column in the `.md` file.

use crate::model::yaml::strip_comment;
use crate::text::{LineIndex, Position};
use std::collections::BTreeMap;

/// Where each top-level key and its value sit in the file.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    keys: BTreeMap<String, KeySpan>,
    /// Where the front matter's opening `---` is.
    pub start: Position,
}

#[derive(Debug, Clone, Copy)]
struct KeySpan {
    key: Position,
    key_width: usize,
    value: Position,
    value_width: usize,
    /// The key's lines, first and last (inclusive), for finding list items.
    first_line: usize,
    last_line: usize,
}

impl Spans {
    /// No keys: a file whose front matter could not be read.
    pub fn none() -> Spans {
        Spans {
            keys: BTreeMap::new(),
            start: Position::new(1, 1),
        }
    }

    /// Position and width of a key, or the front matter's start when it is absent.
    pub fn key(&self, key: &str) -> (Position, usize) {
        self.keys
            .get(key)
            .map_or((self.start, 3), |k| (k.key, k.key_width))
    }

    /// Position and width of a key's value (on the key's line).
    pub fn value(&self, key: &str) -> (Position, usize) {
        self.keys
            .get(key)
            .map_or((self.start, 3), |k| (k.value, k.value_width.max(1)))
    }

    pub fn has(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }

    /// The first and last line of a key and its value (list items, continuations).
    pub fn lines(&self, key: &str) -> Option<(usize, usize)> {
        self.keys.get(key).map(|k| (k.first_line, k.last_line))
    }
}

/// Finds each top-level `key:` line of the front matter. YAML keys at column 1 are the
/// document's fields; indented lines and list items belong to the key above them.
pub fn locate_keys(text: &str, index: &LineIndex, first: usize, last: usize) -> Spans {
    Spans {
        // The file's first line: where the opening `---` of a front matter is.
        start: Position::new(1, 1),
        ..locate_keys_indented(text, index, first, last, 0)
    }
}

/// Finds each `key:` line indented by `indent` spaces between lines `first` and `last`:
/// the fields of one entry of a YAML map (a risk of the register). A missing key is
/// reported at line `first`.
pub fn locate_keys_indented(
    text: &str,
    index: &LineIndex,
    first: usize,
    last: usize,
    indent: usize,
) -> Spans {
    let mut spans = Spans {
        start: Position::new(first.max(1), indent + 1),
        keys: BTreeMap::new(),
    };
    let mut previous: Option<String> = None;
    for line_no in first..=last {
        let Some(full) = index.line(text, line_no) else {
            break;
        };
        let lead = full.len() - full.trim_start_matches(' ').len();
        if lead != indent {
            continue;
        }
        let line = &full[indent..];
        let starts_key = line
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '#' && c != '-');
        if !starts_key {
            continue;
        }
        let Some(colon) = line.find(':') else {
            continue;
        };
        let key = line[..colon]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .to_string();
        let after = &line[colon + 1..];
        let value_text = strip_comment(after).trim();
        let value_offset = colon + 1 + (after.len() - after.trim_start().len());
        let value_column = line[..value_offset.min(line.len())].chars().count() + 1;
        if let Some(prev) = previous.take()
            && let Some(span) = spans.keys.get_mut(&prev)
        {
            span.last_line = line_no - 1;
        }
        spans.keys.entry(key.clone()).or_insert(KeySpan {
            key: Position::new(line_no, indent + 1),
            key_width: line[..colon].chars().count(),
            value: Position::new(line_no, indent + value_column),
            value_width: value_text.chars().count(),
            first_line: line_no,
            last_line: last,
        });
        previous = Some(key);
    }
    spans
}

/// The last line of the block that starts on line `first` (a map entry whose key is
/// indented by `indent` spaces): the line before the next key at that indent or less.
pub fn block_end(text: &str, index: &LineIndex, first: usize, indent: usize) -> usize {
    let mut last = first;
    for line_no in first + 1..=index.line_count() {
        let Some(line) = index.line(text, line_no) else {
            break;
        };
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if line.len() - trimmed.len() <= indent {
            break;
        }
        last = line_no;
    }
    last
}
