//! YAML as ismsbook reads it: a key written twice found by ismsbook itself (so it is
//! reported where it is repeated, which the YAML parser cannot say), parse errors
//! placed at their line and column in the file, and the kind of a value named in
//! messages ("a number", "a list").

use crate::diagnostic::{Code, Diagnostic};
use crate::text::{LineIndex, Position};
use serde_yaml::Value;

/// A YAML text inside a file: the whole file (for positions) and the part that is YAML
/// (the front matter of a document, or all of an SoA or register).
pub struct YamlText<'t> {
    pub path: &'t str,
    pub file: &'t str,
    pub yaml: &'t str,
    pub index: &'t LineIndex,
    /// The 1-based line of the file on which `yaml` starts.
    pub first_line: usize,
}

impl<'t> YamlText<'t> {
    /// A file that is YAML from its first line.
    pub fn whole(path: &'t str, text: &'t str, index: &'t LineIndex) -> YamlText<'t> {
        YamlText {
            path,
            file: text,
            yaml: text,
            index,
            first_line: 1,
        }
    }

    /// Parses the YAML. A key written twice, or a syntax error, is one diagnostic at
    /// its place; `what` names the text in the message ("the front matter"), `hint`
    /// is the advice when no more specific one applies.
    pub fn parse(&self, what: &str, hint: &str) -> Result<Value, Diagnostic> {
        if let Some((key, position, first)) = self.repeated_key() {
            return Err(Diagnostic::new(
                Code::YamlSyntax,
                self.path,
                format!("`{key}` is given twice in {what}"),
            )
            .span(position, key.chars().count())
            .hint(format!(
                "each key may appear once in a map; the first `{key}` is on line {first}: remove or merge one of them"
            )));
        }
        serde_yaml::from_str(self.yaml).map_err(|e| self.error(&e, what, hint))
    }

    fn error(&self, error: &serde_yaml::Error, what: &str, fallback: &str) -> Diagnostic {
        let full = error.to_string();
        // serde_yaml appends " at line L column C"; the position is reported separately.
        let message = full.find(" at line ").map_or(full.as_str(), |i| &full[..i]);
        let position = self
            .position(error)
            .unwrap_or(Position::new(self.first_line, 1));
        // libyaml names a tab only in some contexts; a tab in the indentation of the
        // line it stops at is the cause whatever it says.
        let tab_indented = self.index.line(self.file, position.line).is_some_and(|l| {
            l.chars()
                .take_while(|c| c.is_whitespace())
                .any(|c| c == '\t')
        });
        let hint = if message.contains("duplicate entry") {
            "each key may appear once in a map; remove or merge the repeated key"
        } else if message.contains("tab") || tab_indented {
            "YAML indentation must use spaces, not tabs"
        } else if message.contains("mapping values are not allowed") {
            "a value containing `: ` must be quoted, e.g. title: \"Policy: Access Control\""
        } else if message.contains("did not find expected") || message.contains("while parsing") {
            "check the quotes and brackets on this line or the one before; lists are written [a, b] or as `- item` lines"
        } else if message.contains("recursion limit") || message.contains("repetition limit") {
            "the YAML nests or repeats too much for a document header; simplify it"
        } else {
            fallback
        };
        Diagnostic::new(
            Code::YamlSyntax,
            self.path,
            format!("invalid YAML in {what}: {message}"),
        )
        .at(position)
        .hint(hint)
    }

    /// Where in the file a YAML error is. libyaml counts its own lines (a NEL or a line
    /// separator ends one for YAML, not for an editor), so its character index into
    /// the YAML is mapped through the file's line index instead.
    fn position(&self, error: &serde_yaml::Error) -> Option<Position> {
        let location = error.location()?;
        let start = self.yaml.as_ptr() as usize - self.file.as_ptr() as usize;
        let offset = self
            .yaml
            .char_indices()
            .nth(location.index())
            .map_or(self.yaml.len(), |(i, _)| i);
        Some(self.index.position(self.file, start + offset))
    }

    /// The first key written twice in one block mapping: the key, where it is
    /// repeated, and the line of its first occurrence.
    fn repeated_key(&self) -> Option<(String, Position, usize)> {
        let mut scanner = KeyScanner::default();
        for (i, line) in self.yaml.lines().enumerate() {
            let line_no = self.first_line + i;
            if let Some(found) = scanner.line(line, line_no) {
                return Some(found);
            }
        }
        None
    }
}

/// Follows the block mappings of a YAML text line by line: which keys each mapping
/// has, so a repeated one is found. Flow collections (`{a: 1}`), block scalars
/// (`|`, `>`) and quoted values over several lines are skipped, not read as keys.
#[derive(Default)]
struct KeyScanner {
    /// Open mappings, innermost last: the indentation of their keys, their keys and
    /// the line each was first written on.
    open: Vec<(usize, Vec<(String, usize)>)>,
    /// Lines more indented than this belong to a block scalar.
    block_scalar: Option<usize>,
    /// Inside a flow collection or a quoted value spanning lines.
    continuation: Option<Continuation>,
}

#[derive(Clone, Copy)]
enum Continuation {
    Flow(usize),
    Quote(char),
}

impl KeyScanner {
    fn line(&mut self, line: &str, line_no: usize) -> Option<(String, Position, usize)> {
        if let Some(state) = self.continuation {
            self.continuation = continue_value(line, state);
            return None;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        if let Some(block) = self.block_scalar {
            if content.is_empty() || indent > block {
                return None;
            }
            self.block_scalar = None;
        }
        if content.is_empty() || content.starts_with('#') || content == "---" {
            return None;
        }
        // `- key: value`: each item of a sequence is a mapping of its own.
        let mut key_indent = indent;
        let mut rest = &line[indent..];
        let mut new_item = false;
        while let Some(after) = rest.strip_prefix("- ").or(rest.strip_prefix("-\t")) {
            let trimmed = after.trim_start();
            key_indent += rest.len() - trimmed.len();
            rest = trimmed;
            new_item = true;
        }
        if new_item {
            self.open.retain(|(i, _)| *i < key_indent);
            self.open.push((key_indent, Vec::new()));
        }
        let (key, value) = split_key(rest)?;
        self.open.retain(|(i, _)| *i <= key_indent);
        if self.open.last().is_none_or(|(i, _)| *i < key_indent) {
            self.open.push((key_indent, Vec::new()));
        }
        let (_, keys) = self.open.last_mut()?;
        if let Some((_, first)) = keys.iter().find(|(k, _)| *k == key) {
            let column = line[..key_indent].chars().count() + 1;
            return Some((key, Position::new(line_no, column), *first));
        }
        keys.push((key, line_no));
        let value = strip_comment(value).trim();
        if value.starts_with(['|', '>']) {
            self.block_scalar = Some(key_indent);
        } else if let Some(first) = value.chars().next() {
            let state = match first {
                '[' | '{' => Some(Continuation::Flow(0)),
                '"' | '\'' => Some(Continuation::Quote(first)),
                _ => None,
            };
            self.continuation = state.and_then(|state| continue_value(value, state));
        }
        None
    }
}

/// `key: value` → (`key`, `value`); `None` for a line that is not a key.
fn split_key(text: &str) -> Option<(String, &str)> {
    let (key, after) = if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'')
    {
        let end = text[1..].find(quote)? + 1;
        (&text[1..end], text[end + 1..].trim_start())
    } else {
        let colon = text
            .match_indices(':')
            .find(|(i, _)| text[i + 1..].is_empty() || text[i + 1..].starts_with([' ', '\t']))?
            .0;
        let key = &text[..colon];
        if key.starts_with(['[', '{', '?', '&', '*', '!', '|', '>', '#']) {
            return None;
        }
        (key.trim_end(), &text[colon..])
    };
    let value = after.strip_prefix(':')?;
    Some((key.to_string(), value))
}

/// Reads on through a value that spans lines; `None` once it has closed.
fn continue_value(text: &str, state: Continuation) -> Option<Continuation> {
    match state {
        Continuation::Quote(quote) => {
            // The opening quote is the first character of the value on its first line.
            let body = text.strip_prefix(quote).unwrap_or(text);
            let closes = if quote == '\'' {
                body.replace("''", "").contains('\'')
            } else {
                let mut escaped = false;
                body.chars().any(|c| {
                    let close = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    close
                })
            };
            (!closes).then_some(state)
        }
        Continuation::Flow(mut depth) => {
            let mut quote: Option<char> = None;
            for c in text.chars() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '[' | '{') => depth += 1,
                    (None, ']' | '}') => depth = depth.saturating_sub(1),
                    (None, '#') => break,
                    _ => {}
                }
            }
            (depth > 0).then_some(Continuation::Flow(depth))
        }
    }
}

/// The value of a top-level `key: value` line of YAML that could not be parsed, read
/// line by line: the first such line's plain or quoted scalar.
pub fn loose_scalar(yaml: &str, key: &str) -> Option<String> {
    yaml.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.trim_start().strip_prefix(':')?;
        let value = strip_comment(rest).trim().trim_matches(['"', '\'']).trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// The items of a top-level list of YAML that could not be parsed, read line by
/// line: `key: [a, "b"]` (on one line or several) or `- item` lines below `key:`.
pub fn loose_list(yaml: &str, key: &str) -> Vec<String> {
    let mut lines = yaml.lines();
    let Some(rest) = lines.find_map(|line| {
        line.strip_prefix(key)?
            .trim_start()
            .strip_prefix(':')
            .map(|r| strip_comment(r).trim().to_string())
    }) else {
        return Vec::new();
    };
    let item = |text: &str| text.trim().trim_matches(['"', '\'']).trim().to_string();
    let mut items = Vec::new();
    if let Some(flow) = rest.strip_prefix('[') {
        let mut text = flow.to_string();
        while !text.contains(']') {
            match lines.next() {
                Some(line) => text.push_str(strip_comment(line)),
                None => break,
            }
        }
        let inside = text.split(']').next().unwrap_or_default();
        items.extend(inside.split(',').map(item).filter(|i| !i.is_empty()));
    } else if rest.is_empty() {
        for line in lines {
            match line.trim_start().strip_prefix("- ") {
                Some(value) => items.push(item(strip_comment(value))),
                None if line.trim().is_empty() => {}
                None => break,
            }
        }
    } else {
        items.push(item(&rest));
    }
    items
}

/// `"1.10"  # note` → `"1.10"  `: drops a YAML comment (a `#` after white space).
pub fn strip_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'#') if i == 0 || bytes[i - 1].is_ascii_whitespace() => return &value[..i],
            _ => {}
        }
    }
    value
}

/// How a value is named in messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a true/false value",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A scalar as text (`1.1`, `true`), `?` for anything else.
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => "?".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeated(yaml: &str) -> Option<(String, usize, usize)> {
        let index = LineIndex::new(yaml);
        YamlText::whole("x.yaml", yaml, &index)
            .repeated_key()
            .map(|(k, p, first)| (k, p.line, first))
    }

    #[test]
    fn a_repeated_key_is_found_where_it_repeats() {
        assert_eq!(
            repeated("id: A\ntitle: T\nid: B\n"),
            Some(("id".into(), 3, 1))
        );
        let soa = "controls:\n  A.5.1:\n    applicable: true\n  A.5.2:\n    applicable: true\n  A.5.1:\n    applicable: false\n";
        assert_eq!(repeated(soa), Some(("A.5.1".into(), 6, 2)));
        let inner = "controls:\n  A.5.1:\n    status: planned\n    status: implemented\n";
        assert_eq!(repeated(inner), Some(("status".into(), 4, 3)));
    }

    #[test]
    fn the_same_key_in_other_maps_is_no_repeat() {
        let yaml = "controls:\n  A.5.1:\n    applicable: true\n  A.5.2:\n    applicable: true\nwaivers:\n  - code: a\n    until: x\n  - code: b\n    until: y\n";
        assert_eq!(repeated(yaml), None);
        let block = "change: |\n  id: not a key\n  id: still text\nid: X\n";
        assert_eq!(repeated(block), None);
        let flow = "controls: [\n  \"5.1\",\n  \"5.1\"]\nrelated: {a: 1,\n  a: 2}\n";
        assert_eq!(repeated(flow), None);
        let quoted = "title: \"A long\n  title: with a colon\"\ntitle2: x\n";
        assert_eq!(repeated(quoted), None);
        let url = "url: https://example.com/a\nurl2: x\n";
        assert_eq!(repeated(url), None);
    }

    #[test]
    fn lists_are_read_loosely_from_broken_yaml() {
        let yaml = "id: POL-A\ntitle: x\ntitle: y\ncontrols: [\"5.1\", A.8.5]\nclauses:\n  - \"4.3\"\n  - 9.2\nrelated: [\n  A, B]\n";
        assert_eq!(loose_scalar(yaml, "id").as_deref(), Some("POL-A"));
        assert_eq!(loose_list(yaml, "controls"), ["5.1", "A.8.5"]);
        assert_eq!(loose_list(yaml, "clauses"), ["4.3", "9.2"]);
        assert_eq!(loose_list(yaml, "related"), ["A", "B"]);
        assert!(loose_list(yaml, "approvers").is_empty());
    }

    #[test]
    fn comments_are_stripped_outside_quotes() {
        assert_eq!(strip_comment(" \"1.0\" # x"), " \"1.0\" ");
        assert_eq!(strip_comment(" \"a # b\""), " \"a # b\"");
    }
}
