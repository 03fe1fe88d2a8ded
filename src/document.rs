//! A controlled document: YAML front matter (the contract in docs/front-matter.md) and
//! a Markdown body. Parsing reports every problem of a file at once, each at its line
//! and column in the .md file, and never panics on any input.

use crate::diagnostic::{Diagnostic, LineIndex, Position, did_you_mean};
use crate::sources::Source;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The kinds of documented information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocType {
    Policy,
    Procedure,
    Standard,
    Guideline,
    Plan,
    Record,
    Form,
}

impl DocType {
    pub const ALL: [DocType; 7] = [
        DocType::Policy,
        DocType::Procedure,
        DocType::Standard,
        DocType::Guideline,
        DocType::Plan,
        DocType::Record,
        DocType::Form,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Policy => "policy",
            DocType::Procedure => "procedure",
            DocType::Standard => "standard",
            DocType::Guideline => "guideline",
            DocType::Plan => "plan",
            DocType::Record => "record",
            DocType::Form => "form",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocType::Policy => "Policy",
            DocType::Procedure => "Procedure",
            DocType::Standard => "Standard",
            DocType::Guideline => "Guideline",
            DocType::Plan => "Plan",
            DocType::Record => "Record",
            DocType::Form => "Form",
        }
    }

    /// The plural, for headings and charts.
    pub fn plural_label(self) -> &'static str {
        match self {
            DocType::Policy => "Policies",
            DocType::Procedure => "Procedures",
            DocType::Standard => "Standards",
            DocType::Guideline => "Guidelines",
            DocType::Plan => "Plans",
            DocType::Record => "Records",
            DocType::Form => "Forms",
        }
    }

    /// The folder a new repository keeps this type in.
    pub fn default_folder(self) -> &'static str {
        match self {
            DocType::Policy => "policies",
            DocType::Procedure => "procedures",
            DocType::Standard => "standards",
            DocType::Guideline => "guidelines",
            DocType::Plan => "plans",
            DocType::Record => "records",
            DocType::Form => "forms",
        }
    }

    /// The first part of generated ids (`ismsbook new`).
    pub fn id_prefix(self) -> &'static str {
        match self {
            DocType::Policy => "POL",
            DocType::Procedure => "PRC",
            DocType::Standard => "STD",
            DocType::Guideline => "GDL",
            DocType::Plan => "PLN",
            DocType::Record => "REC",
            DocType::Form => "FRM",
        }
    }
}

impl FromStr for DocType {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        DocType::ALL.into_iter().find(|t| t.as_str() == s).ok_or(())
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a document stands in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    InReview,
    Approved,
    Retired,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::InReview,
        Status::Approved,
        Status::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in-review",
            Status::Approved => "approved",
            Status::Retired => "retired",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document version, `MAJOR.MINOR`, compared numerically (1.10 is after 1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl FromStr for Version {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let (major, minor) = s.split_once('.').ok_or(())?;
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(());
            }
            part.parse::<u32>().map_err(|_| ())
        };
        Ok(Version {
            major: number(major)?,
            minor: number(minor)?,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A value as written, with where it was written (for list items such as controls).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    pub value: T,
    #[serde(skip)]
    pub position: Position,
    #[serde(skip)]
    pub width: usize,
}

/// The front-matter fields, typed and complete.
#[derive(Debug, Clone, Serialize)]
pub struct FrontMatter {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub doc_type: DocType,
    pub version: Version,
    pub status: Status,
    pub owner: String,
    /// Roles that may approve the document; defaults to the owner.
    pub approvers: Vec<Located<String>>,
    pub approved_by: Option<String>,
    pub approved_on: Option<NaiveDate>,
    pub effective: Option<NaiveDate>,
    /// Last review that confirmed the document without changing it.
    pub reviewed_on: Option<NaiveDate>,
    pub review_months: Option<u32>,
    pub classification: String,
    /// Control references as written (`5.15`, `A.5.15`); resolved by the handbook.
    pub controls: Vec<Located<String>>,
    pub clauses: Vec<Located<String>>,
    pub related: Vec<Located<String>>,
    pub change: Option<String>,
    pub extra: serde_json::Value,
}

/// The front-matter keys, in the order `ismsbook new` writes them.
pub const KEYS: [&str; 18] = [
    "id",
    "title",
    "type",
    "version",
    "status",
    "owner",
    "approvers",
    "approved_by",
    "approved_on",
    "effective",
    "reviewed_on",
    "review_months",
    "classification",
    "controls",
    "clauses",
    "related",
    "change",
    "extra",
];

/// Keys other tools use, with what to write instead.
const FOREIGN_KEYS: [(&str, &str); 9] = [
    ("satisfies", "list implemented controls under `controls`"),
    (
        "approver",
        "use `approved_by` for who approved this version, `approvers` for who may",
    ),
    (
        "author",
        "authors are read from git history; `owner` names the accountable role",
    ),
    (
        "date",
        "dates come from git; the approval date is `approved_on`",
    ),
    (
        "last_updated",
        "dates come from git; the approval date is `approved_on`",
    ),
    (
        "next_review",
        "the next review is computed from `approved_on` (or `reviewed_on`) and `review_months`",
    ),
    ("tags", "put free-form data under `extra:`"),
    ("name", "the document's title is `title`"),
    ("acronym", "the document's identifier is `id`"),
];

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
}

/// One Markdown file of the handbook. `meta` is `None` when the front matter could not
/// be read at all. When some fields are wrong, `meta` holds the others (with neutral
/// values in place of the wrong ones) and `complete` is false: the field checks still
/// run, so an author sees every problem at once, but the document takes no part in
/// what is published or counted (traceability, coverage), so one mistake never
/// cascades into others.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: String,
    pub meta: Option<FrontMatter>,
    pub complete: bool,
    /// The id, when it could be read even though other fields are wrong.
    pub id: Option<String>,
    pub body: String,
    /// 1-based line of the file at which the body starts.
    pub body_line: usize,
    pub spans: Spans,
    /// The file as history sees it, to compare with its committed versions.
    pub snapshot: Snapshot,
}

/// What a document defaults to from its configuration.
pub struct Defaults<'a> {
    pub doc_type: DocType,
    pub classification: &'a str,
}

/// Parses one source file into a document and the problems found in it.
pub fn parse(source: &Source, defaults: &Defaults<'_>) -> (Document, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let path = source.path.as_str();
    let text = source.text.as_str();
    let empty = |body: &str, body_line| Document {
        path: path.to_string(),
        meta: None,
        complete: false,
        id: None,
        body: body.to_string(),
        body_line,
        spans: Spans {
            start: Position::new(1, 1),
            ..Spans::default()
        },
        snapshot: Snapshot::of(text),
    };

    let split = match split(text) {
        Ok(split) => split,
        Err(problem) => {
            problems.push(problem.into_diagnostic(path));
            return (empty(text, 1), problems);
        }
    };
    let mut document = empty(split.body, split.body_line);
    let index = LineIndex::new(text);
    let spans = locate_keys(text, &index, split.yaml_line, split.body_line - 1);
    document.spans = spans;

    let value: Value = match serde_yaml::from_str(split.yaml) {
        Ok(value) => value,
        Err(e) => {
            let position = yaml_position(&e, text, split.yaml, &index);
            let mut problem = yaml_error(path, &e, position, split.yaml_line);
            if let Some(position) = repeated_key(&e, text, &index, split.yaml_line, split.body_line)
            {
                problem = problem.at(position);
            }
            problems.push(problem);
            return (document, problems);
        }
    };
    let mapping = match value {
        Value::Mapping(mapping) => mapping,
        Value::Null => {
            problems.push(
                Diagnostic::error("front-matter-empty", path, "the front matter is empty")
                    .span(document.spans.start, 3)
                    .hint("add at least id, title, version, status and owner; `ismsbook new` writes a complete block"),
            );
            return (document, problems);
        }
        _ => {
            problems.push(
                Diagnostic::error(
                    "front-matter-invalid",
                    path,
                    "the front matter is not a list of `key: value` fields",
                )
                .span(document.spans.start, 3)
                .hint("write one `key: value` per line, e.g. `id: POL-AC`"),
            );
            return (document, problems);
        }
    };

    let mut fields = Fields {
        path,
        text,
        index: &index,
        spans: &document.spans,
        problems: &mut problems,
    };
    let meta = fields.front_matter(&mapping, defaults);
    document.id = fields.id_if_valid(&mapping);
    document.complete = problems.is_empty();
    document.meta = Some(meta);
    (document, problems)
}

/// The front matter and body of a file.
struct Split<'t> {
    yaml: &'t str,
    /// 1-based line of the first YAML line.
    yaml_line: usize,
    body: &'t str,
    /// 1-based line of the first body line.
    body_line: usize,
}

enum SplitError {
    Empty,
    NoFrontMatter,
    Unclosed,
}

impl SplitError {
    fn into_diagnostic(self, path: &str) -> Diagnostic {
        match self {
            SplitError::Empty => Diagnostic::error("empty-file", path, "the file is empty")
                .at(Position::new(1, 1))
                .hint("start it with a front-matter block; `ismsbook new <type> \"<title>\"` writes one"),
            SplitError::NoFrontMatter => Diagnostic::error(
                "front-matter-missing",
                path,
                "the file does not start with a front-matter block",
            )
            .span(Position::new(1, 1), 3)
            .hint("begin the file with a line `---`, the fields (id, title, version, …), and another `---`"),
            SplitError::Unclosed => Diagnostic::error(
                "front-matter-unclosed",
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

fn split(text: &str) -> Result<Split<'_>, SplitError> {
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

/// Finds each top-level `key:` line of the front matter. YAML keys at column 1 are the
/// document's fields; indented lines and list items belong to the key above them.
fn locate_keys(text: &str, index: &LineIndex, first: usize, last: usize) -> Spans {
    let mut spans = Spans {
        start: Position::new(1, 1),
        keys: BTreeMap::new(),
    };
    let mut previous: Option<String> = None;
    for line_no in first..=last {
        let Some(line) = index.line(text, line_no) else {
            break;
        };
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
            key: Position::new(line_no, 1),
            key_width: line[..colon].chars().count(),
            value: Position::new(line_no, value_column),
            value_width: value_text.chars().count(),
            first_line: line_no,
            last_line: last,
        });
        previous = Some(key);
    }
    spans
}

/// serde_yaml places a duplicate key at the start of its mapping; the author needs
/// the line where the key is repeated.
fn repeated_key(
    error: &serde_yaml::Error,
    text: &str,
    index: &LineIndex,
    first: usize,
    end: usize,
) -> Option<Position> {
    let message = error.to_string();
    let key = message
        .strip_prefix("duplicate entry with key \"")?
        .split('"')
        .next()?;
    let lines = (first..end).filter(|&n| {
        index
            .line(text, n)
            .and_then(|l| l.strip_prefix(key))
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    });
    let mut lines = lines;
    lines.nth(1).map(|line| Position::new(line, 1))
}

/// `"1.10"  # note` → `"1.10"  `: drops a YAML comment (a `#` after white space).
fn strip_comment(value: &str) -> &str {
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

/// Where in the file a YAML error is. libyaml counts its own lines (a NEL or a line
/// separator ends one for YAML, not for an editor), so its character index into the
/// front matter is mapped through the file's line index instead.
pub fn yaml_position(
    error: &serde_yaml::Error,
    text: &str,
    yaml: &str,
    index: &LineIndex,
) -> Option<Position> {
    let location = error.location()?;
    let start = yaml.as_ptr() as usize - text.as_ptr() as usize;
    let offset = yaml
        .char_indices()
        .nth(location.index())
        .map_or(yaml.len(), |(i, _)| i);
    Some(index.position(text, start + offset))
}

fn yaml_error(
    path: &str,
    error: &serde_yaml::Error,
    position: Option<Position>,
    yaml_line: usize,
) -> Diagnostic {
    let full = error.to_string();
    // serde_yaml appends " at line L column C"; the position is reported separately.
    let message = full
        .find(" at line ")
        .map_or(full.as_str(), |i| &full[..i])
        .to_string();
    let position = position.unwrap_or(Position::new(yaml_line, 1));
    let hint = if message.contains("duplicate entry") {
        "each field may appear once; remove or merge the repeated key"
    } else if message.contains("tab") {
        "YAML indentation must use spaces, not tabs"
    } else if message.contains("mapping values are not allowed") {
        "a value containing `: ` must be quoted, e.g. title: \"Policy: Access Control\""
    } else if message.contains("did not find expected") || message.contains("while parsing") {
        "check the quotes and brackets on this line or the one before; lists are written [a, b] or as `- item` lines"
    } else if message.contains("recursion limit") || message.contains("repetition limit") {
        "the front matter nests or repeats too much to be a document header; simplify it"
    } else {
        "the front matter must be valid YAML: one `key: value` per line"
    };
    Diagnostic::error(
        "yaml-syntax",
        path,
        format!("invalid YAML in the front matter: {message}"),
    )
    .at(position)
    .hint(hint)
}

/// Field-by-field validation of the front-matter mapping.
struct Fields<'a> {
    path: &'a str,
    text: &'a str,
    index: &'a LineIndex,
    spans: &'a Spans,
    problems: &'a mut Vec<Diagnostic>,
}

impl Fields<'_> {
    fn error_at_value(&mut self, code: &'static str, key: &str, message: String, hint: String) {
        let (position, width) = self.spans.value(key);
        self.problems.push(
            Diagnostic::error(code, self.path, message)
                .span(position, width)
                .hint(hint),
        );
    }

    fn front_matter(
        &mut self,
        mapping: &serde_yaml::Mapping,
        defaults: &Defaults<'_>,
    ) -> FrontMatter {
        let mut map: BTreeMap<String, &Value> = BTreeMap::new();
        for (key, value) in mapping {
            let Some(name) = key.as_str() else {
                let shown = scalar_text(key);
                let (position, width) = self
                    .find_in_lines(self.spans.start.line, self.index.line_count(), &shown)
                    .unwrap_or((self.spans.start, 3));
                self.problems.push(
                    Diagnostic::error(
                        "unknown-key",
                        self.path,
                        format!("`{shown}` is not a front-matter key"),
                    )
                    .span(position, width)
                    .hint("keys are names such as id, title, version"),
                );
                continue;
            };
            if !KEYS.contains(&name) {
                self.unknown_key(name);
                continue;
            }
            map.insert(name.to_string(), value);
        }

        let id = self.id(map.get("id").copied());
        let title = self.required_text(&map, "title", "a title, e.g. title: Access Control Policy");
        let doc_type =
            match self.enumerated(&map, "type", DocType::ALL.map(|t| t.as_str()).as_slice()) {
                Some(Some(name)) => name.parse().ok(),
                Some(None) => Some(defaults.doc_type),
                None => None,
            };
        let version = self.version(map.get("version").copied());
        let status =
            match self.enumerated(&map, "status", Status::ALL.map(|s| s.as_str()).as_slice()) {
                Some(Some(s)) => Status::ALL.into_iter().find(|x| x.as_str() == s),
                Some(None) => None,
                None => Some(Status::Draft),
            };
        let owner = self.required_text(
            &map,
            "owner",
            "the role accountable for the document, e.g. owner: CISO",
        );
        let approvers = self.list(&map, "approvers");
        let approved_by = self.optional_text(&map, "approved_by");
        let approved_on = self.date(&map, "approved_on");
        let effective = self.date(&map, "effective");
        let reviewed_on = self.date(&map, "reviewed_on");
        let review_months = self.review_months(&map);
        let classification = self.optional_text(&map, "classification");
        let controls = self.list(&map, "controls");
        let clauses = self.list(&map, "clauses");
        let related = self.list(&map, "related");
        let change = self.optional_text(&map, "change");
        let extra = self.extra(&map);

        // Fields that failed fall back to neutral values (an unknown status counts as
        // draft, which demands nothing), so the other fields can still be checked.
        let owner = owner.unwrap_or_default();
        let approvers = if map.contains_key("approvers") || owner.is_empty() {
            approvers
        } else {
            let (position, width) = self.spans.value("owner");
            vec![Located {
                value: owner.clone(),
                position,
                width,
            }]
        };
        FrontMatter {
            id: id.unwrap_or_default(),
            title: title.unwrap_or_default(),
            doc_type: doc_type.unwrap_or(defaults.doc_type),
            version: version.unwrap_or(Version { major: 0, minor: 0 }),
            status: status.unwrap_or(Status::Draft),
            owner,
            approvers,
            approved_by: approved_by.flatten(),
            approved_on: approved_on.flatten(),
            effective: effective.flatten(),
            reviewed_on: reviewed_on.flatten(),
            review_months: review_months.flatten(),
            classification: classification
                .flatten()
                .unwrap_or_else(|| defaults.classification.to_string()),
            controls,
            clauses,
            related,
            change: change.flatten(),
            extra,
        }
    }

    fn unknown_key(&mut self, name: &str) {
        let hint = if let Some((_, advice)) = FOREIGN_KEYS.iter().find(|(k, _)| *k == name) {
            advice.to_string()
        } else if let Some(close) = did_you_mean(name, KEYS) {
            format!("did you mean `{close}`?")
        } else {
            format!(
                "the keys are: {}; put free-form data under `extra:`",
                KEYS.join(", ")
            )
        };
        let (position, width) = self.spans.key(name);
        self.problems.push(
            Diagnostic::error(
                "unknown-key",
                self.path,
                format!("unknown front-matter key `{name}`"),
            )
            .span(position, width)
            .hint(hint),
        );
    }

    /// The id, when it is present and valid (used even when other fields are wrong).
    fn id_if_valid(&self, mapping: &serde_yaml::Mapping) -> Option<String> {
        let id = mapping.get("id")?.as_str()?;
        is_valid_id(id).then(|| id.to_string())
    }

    fn id(&mut self, value: Option<&Value>) -> Option<String> {
        let text = match value {
            None | Some(Value::Null) => {
                self.missing("id", "a unique identifier, e.g. id: POL-AC");
                return None;
            }
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                self.error_at_value(
                    "invalid-value",
                    "id",
                    format!("id must be text, not {}", kind(other)),
                    "write an identifier such as POL-AC".to_string(),
                );
                return None;
            }
        };
        if is_valid_id(&text) {
            return Some(text);
        }
        let upper = text.trim().to_ascii_uppercase().replace([' ', '_'], "-");
        let hint = if is_valid_id(&upper) {
            format!("ids are upper case with `-` between parts: write id: {upper}")
        } else if !text.is_ascii() {
            "ids use only the letters A-Z, digits and `-` (a look-alike letter from another alphabet is not A-Z)".to_string()
        } else {
            "ids are a prefix and one or more parts joined by `-`, upper-case letters and digits only, e.g. POL-AC or PRC-AC-01".to_string()
        };
        self.error_at_value(
            "invalid-id",
            "id",
            format!("`{text}` is not a valid document id"),
            hint,
        );
        None
    }

    fn missing(&mut self, key: &str, what: &str) {
        self.problems.push(
            Diagnostic::error(
                "missing-field",
                self.path,
                format!("required field `{key}` is missing"),
            )
            .span(self.spans.start, 3)
            .hint(format!("add {what}")),
        );
    }

    /// Text from a scalar; numbers and booleans are refused (YAML would have changed them).
    fn text(&mut self, key: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(_) | Value::Bool(_) => {
                let raw = self.raw_value(key);
                self.error_at_value(
                    "invalid-value",
                    key,
                    format!(
                        "`{key}` must be text, but YAML reads `{raw}` as {}",
                        kind(value)
                    ),
                    format!("quote it: {key}: \"{raw}\""),
                );
                None
            }
            other => {
                self.error_at_value(
                    "invalid-value",
                    key,
                    format!("`{key}` must be text, not {}", kind(other)),
                    format!("write {key}: <text>"),
                );
                None
            }
        }
    }

    fn required_text(
        &mut self,
        map: &BTreeMap<String, &Value>,
        key: &str,
        what: &str,
    ) -> Option<String> {
        match map.get(key) {
            None | Some(Value::Null) => {
                self.missing(key, what);
                None
            }
            Some(value) => {
                let text = self.text(key, value)?;
                if text.trim().is_empty() {
                    self.error_at_value(
                        "invalid-value",
                        key,
                        format!("`{key}` is empty"),
                        format!("add {what}"),
                    );
                    return None;
                }
                Some(text.trim().to_string())
            }
        }
    }

    /// `Some(None)` when present and valid-or-absent is not the question: the outer
    /// Option says whether the field was acceptable, the inner whether it was given.
    fn optional_text(
        &mut self,
        map: &BTreeMap<String, &Value>,
        key: &str,
    ) -> Option<Option<String>> {
        match map.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(value) => self
                .text(key, value)
                .map(|t| Some(t.trim().to_string()).filter(|t| !t.is_empty())),
        }
    }

    /// One of a fixed set of words. `None` if wrong, `Some(None)` if absent.
    fn enumerated(
        &mut self,
        map: &BTreeMap<String, &Value>,
        key: &str,
        allowed: &[&'static str],
    ) -> Option<Option<&'static str>> {
        let text = self.optional_text(map, key)?;
        let Some(text) = text else { return Some(None) };
        if let Some(found) = allowed.iter().find(|a| **a == text) {
            return Some(Some(found));
        }
        let hint = match did_you_mean(&text, allowed.iter().copied()) {
            Some(close) => format!(
                "did you mean `{close}`? The values are: {}",
                allowed.join(", ")
            ),
            None => format!("use one of: {}", allowed.join(", ")),
        };
        self.error_at_value(
            "invalid-value",
            key,
            format!("`{text}` is not a valid {key}"),
            hint,
        );
        None
    }

    fn version(&mut self, value: Option<&Value>) -> Option<Version> {
        match value {
            None | Some(Value::Null) => {
                self.missing(
                    "version",
                    "the document's version as a quoted string, e.g. version: \"1.0\"",
                );
                None
            }
            Some(Value::Number(n)) => {
                let raw = self.raw_value("version");
                let read_as = n.to_string();
                let message = if read_as == raw {
                    format!("version must be a quoted string, not the number {raw}")
                } else {
                    format!(
                        "version must be a quoted string: YAML reads `{raw}` as the number {read_as}"
                    )
                };
                let quoted = if raw.contains('.') {
                    raw
                } else {
                    format!("{raw}.0")
                };
                self.error_at_value(
                    "invalid-version",
                    "version",
                    message,
                    format!("write version: \"{quoted}\""),
                );
                None
            }
            Some(value) => {
                let text = self.text("version", value)?;
                match text.trim().parse::<Version>() {
                    Ok(version) => Some(version),
                    Err(()) => {
                        self.error_at_value(
                            "invalid-version",
                            "version",
                            format!("`{text}` is not a MAJOR.MINOR version"),
                            "write two numbers joined by a dot, e.g. version: \"1.0\" or \"2.10\""
                                .to_string(),
                        );
                        None
                    }
                }
            }
        }
    }

    fn date(&mut self, map: &BTreeMap<String, &Value>, key: &str) -> Option<Option<NaiveDate>> {
        let text = match map.get(key) {
            None | Some(Value::Null) => return Some(None),
            Some(Value::String(s)) => s.trim().to_string(),
            Some(other) => {
                let raw = self.raw_value(key);
                self.error_at_value(
                    "invalid-date",
                    key,
                    format!("`{key}` must be a date, not {} `{raw}`", kind(other)),
                    format!("write the date as YYYY-MM-DD, e.g. {key}: 2026-03-01"),
                );
                return None;
            }
        };
        match parse_date(&text) {
            Ok(date) => Some(Some(date)),
            Err(why) => {
                self.error_at_value(
                    "invalid-date",
                    key,
                    format!("`{text}` is not a valid date{why}"),
                    format!("write the date as YYYY-MM-DD (ISO 8601), e.g. {key}: 2026-03-01"),
                );
                None
            }
        }
    }

    fn review_months(&mut self, map: &BTreeMap<String, &Value>) -> Option<Option<u32>> {
        match map.get("review_months") {
            None | Some(Value::Null) => Some(None),
            Some(Value::Number(n)) if n.as_u64().is_some_and(|m| (1..=120).contains(&m)) => {
                Some(n.as_u64().map(|m| m as u32))
            }
            Some(other) => {
                let raw = self.raw_value("review_months");
                self.error_at_value(
                    "invalid-value",
                    "review_months",
                    format!(
                        "review_months must be a whole number of months from 1 to 120, not `{raw}`"
                    ),
                    format!("write e.g. review_months: 12 ({} given)", kind(other)),
                );
                None
            }
        }
    }

    /// A list of text items; a single text is taken as a list of one.
    fn list(&mut self, map: &BTreeMap<String, &Value>, key: &str) -> Vec<Located<String>> {
        let items: Vec<&Value> = match map.get(key) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Sequence(items)) => items.iter().collect(),
            Some(single @ (Value::String(_) | Value::Number(_))) => vec![single],
            Some(other) => {
                self.error_at_value(
                    "invalid-value",
                    key,
                    format!("`{key}` must be a list, not {}", kind(other)),
                    format!("write {key}: [\"a\", \"b\"] or one `- item` per line"),
                );
                return Vec::new();
            }
        };
        let (first, last) = self
            .spans
            .keys
            .get(key)
            .map_or((0, 0), |k| (k.first_line, k.last_line));
        let mut located = Vec::new();
        let mut search_from = (first, 0);
        for item in items {
            match item {
                Value::String(s) => {
                    let (position, width) = self
                        .find_after(search_from, last, s)
                        .unwrap_or_else(|| self.spans.value(key));
                    search_from = (position.line, position.column);
                    located.push(Located {
                        value: s.trim().to_string(),
                        position,
                        width,
                    });
                }
                Value::Number(n) => {
                    let shown = n.to_string();
                    let (position, _) = self
                        .find_after(search_from, last, &shown)
                        .unwrap_or_else(|| self.spans.value(key));
                    search_from = (position.line, position.column);
                    let raw = self.raw_token(position).unwrap_or(shown.clone());
                    let message = if raw == shown {
                        format!("`{key}` items must be quoted text, not the number {raw}")
                    } else {
                        format!(
                            "`{key}` items must be quoted text: YAML reads `{raw}` as the number {shown}"
                        )
                    };
                    self.problems.push(
                        Diagnostic::error("unquoted-number", self.path, message)
                            .span(position, raw.chars().count())
                            .hint(format!("quote every item: {key}: [\"{raw}\"]")),
                    );
                }
                other => {
                    self.error_at_value(
                        "invalid-value",
                        key,
                        format!("`{key}` items must be text, not {}", kind(other)),
                        format!("write {key}: [\"a\", \"b\"]"),
                    );
                }
            }
        }
        located
    }

    fn extra(&mut self, map: &BTreeMap<String, &Value>) -> serde_json::Value {
        match map.get("extra") {
            None | Some(Value::Null) => serde_json::Value::Object(Default::default()),
            Some(value @ Value::Mapping(_)) => match serde_json::to_value(value) {
                Ok(json) => json,
                Err(e) => {
                    self.error_at_value(
                        "invalid-value",
                        "extra",
                        format!("`extra` cannot be used: {e}"),
                        "use text keys and plain values under extra".to_string(),
                    );
                    serde_json::Value::Null
                }
            },
            Some(other) => {
                self.error_at_value(
                    "invalid-value",
                    "extra",
                    format!("`extra` must be a map of fields, not {}", kind(other)),
                    "write extra: then indented `key: value` lines".to_string(),
                );
                serde_json::Value::Null
            }
        }
    }

    /// The value text as written on the key's line, e.g. `1.10`.
    fn raw_value(&self, key: &str) -> String {
        let (position, width) = self.spans.value(key);
        self.index
            .line(self.text, position.line)
            .map(|line| {
                line.chars()
                    .skip(position.column - 1)
                    .take(width)
                    .collect::<String>()
            })
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    /// The token starting at a position: `5.10` in `controls: [5.10, "8.5"]`.
    fn raw_token(&self, position: Position) -> Option<String> {
        let line = self.index.line(self.text, position.line)?;
        let token: String = line
            .chars()
            .skip(position.column - 1)
            .take_while(|c| !matches!(c, ',' | ']' | ' ' | '#' | '\t'))
            .collect();
        Some(token).filter(|t| !t.is_empty())
    }

    fn find_in_lines(&self, first: usize, last: usize, needle: &str) -> Option<(Position, usize)> {
        self.find_after((first, 0), last, needle)
    }

    /// The first occurrence of `needle` as a whole token at or after (line, column).
    fn find_after(
        &self,
        from: (usize, usize),
        last: usize,
        needle: &str,
    ) -> Option<(Position, usize)> {
        if needle.is_empty() {
            return None;
        }
        for line_no in from.0.max(1)..=last {
            let line = self.index.line(self.text, line_no)?;
            let skip_chars = if line_no == from.0 { from.1 } else { 0 };
            let skip = line
                .char_indices()
                .nth(skip_chars)
                .map_or(line.len(), |(i, _)| i);
            let mut start = skip;
            while let Some(found) = line[start..].find(needle) {
                let at = start + found;
                let before = line[..at].chars().next_back();
                let after = line[at + needle.len()..].chars().next();
                let boundary = |c: Option<char>| {
                    c.is_none_or(|c| !c.is_alphanumeric() && c != '.' && c != '-')
                };
                if boundary(before)
                    && (boundary(after) || needle.chars().all(|c| c.is_ascii_digit() || c == '.'))
                {
                    let column = line[..at].chars().count() + 1;
                    return Some((Position::new(line_no, column), needle.chars().count()));
                }
                start = at + needle.len();
            }
        }
        None
    }
}

/// `[A-Z][A-Z0-9]*(-[A-Z0-9]+)+`
pub fn is_valid_id(id: &str) -> bool {
    let mut parts = id.split('-');
    let first = parts.next().unwrap_or_default();
    let upper_alnum = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    first
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_uppercase())
        && upper_alnum(first)
        && id.contains('-')
        && parts.all(upper_alnum)
}

/// An ISO 8601 calendar date; the error says why, when it can.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && text.len() == 10
    {
        return Ok(date);
    }
    let parts: Vec<&str> = text.split('-').collect();
    if let [y, m, d] = parts.as_slice()
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
    {
        if !(1..=12).contains(&m) {
            return Err(format!(": there is no month {m}"));
        }
        if let Some(last) = NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .and_then(|next| next.pred_opt())
        {
            use chrono::Datelike;
            if d > last.day() {
                return Err(format!(
                    ": {} has {} days",
                    last.format("%B %Y"),
                    last.day()
                ));
            }
        }
    }
    Err(String::new())
}

fn kind(value: &Value) -> &'static str {
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

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => "?".to_string(),
    }
}

/// What the history needs of one version of a file: the identifying and approval
/// fields as written, and hashes that tell which kind of content changed. Reading a
/// snapshot never fails: a file that cannot be parsed gives empty fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<String>,
    /// Hash of the title and the body: what an approval approves.
    pub content: u64,
    /// Hash of everything but the approval and review fields (status, approved_by,
    /// approved_on, effective, reviewed_on): a change here needs a new version.
    pub controlled: u64,
    /// Hash of the whole (decoded) text.
    pub file: u64,
}

/// Fields whose change records an approval or a review, not a new content.
const APPROVAL_KEYS: [&str; 5] = [
    "status",
    "approved_by",
    "approved_on",
    "effective",
    "reviewed_on",
];

impl Snapshot {
    pub fn of(text: &str) -> Snapshot {
        let mut snapshot = Snapshot {
            file: fnv1a(text.as_bytes()),
            ..Snapshot::default()
        };
        let Ok(split) = split(text) else {
            snapshot.content = fnv1a(text.as_bytes());
            snapshot.controlled = snapshot.content;
            return snapshot;
        };
        let fields = scan_fields(split.yaml).or_else(|| {
            let Ok(Value::Mapping(map)) = serde_yaml::from_str::<Value>(split.yaml) else {
                return Some(SnapshotFields::default());
            };
            let field = |key: &str| match map.get(key) {
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            Some(SnapshotFields {
                id: field("id"),
                title: field("title"),
                version: field("version"),
                status: field("status"),
                change: field("change"),
                approved_by: field("approved_by"),
                approved_on: field("approved_on"),
            })
        });
        if let Some(f) = fields {
            snapshot.id = f.id;
            snapshot.title = f.title;
            snapshot.version = f.version;
            snapshot.status = f.status;
            snapshot.change = f.change;
            snapshot.approved_by = f.approved_by;
            snapshot.approved_on = f.approved_on;
        }
        let mut content = Fnv::default();
        content.write(snapshot.title.as_deref().unwrap_or_default().as_bytes());
        content.write(b"\n");
        content.write(split.body.trim_end().as_bytes());
        snapshot.content = content.finish();

        // Front-matter lines of the approval keys, and the lines that continue them,
        // are left out of the controlled hash.
        let mut controlled = Fnv::default();
        let mut skipping = false;
        for line in split.yaml.lines() {
            let top_level = line.chars().next().is_some_and(|c| !c.is_whitespace());
            if top_level {
                skipping = APPROVAL_KEYS.iter().any(|k| {
                    line.strip_prefix(k)
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                });
            }
            if !skipping {
                controlled.write(line.trim_end().as_bytes());
                controlled.write(b"\n");
            }
        }
        controlled.write(split.body.trim_end().as_bytes());
        snapshot.controlled = controlled.finish();
        snapshot
    }
}

/// The snapshot's fields, as read from the front matter.
#[derive(Default)]
struct SnapshotFields {
    id: Option<String>,
    title: Option<String>,
    version: Option<String>,
    status: Option<String>,
    change: Option<String>,
    approved_by: Option<String>,
    approved_on: Option<String>,
}

/// Reads the snapshot's fields from front matter written the usual way (each field a
/// one-line plain, single- or double-quoted scalar), without a YAML parser: history
/// reads thousands of versions. `None` when a field is written any other way (a
/// block scalar, a continuation line, an escape, a tag…), so the caller uses the YAML
/// parser and the result is always the parser's.
fn scan_fields(yaml: &str) -> Option<SnapshotFields> {
    const KEYS: [&str; 7] = [
        "id",
        "title",
        "version",
        "status",
        "change",
        "approved_by",
        "approved_on",
    ];
    let mut fields = SnapshotFields::default();
    let mut current: Option<&str> = None;
    for line in yaml.lines() {
        let indented = line.starts_with([' ', '\t']);
        if indented || line.starts_with('-') {
            // Belongs to the key above: a continuation of one of ours is not simple.
            if current.is_some() && !line.trim().is_empty() && !line.trim_start().starts_with('#') {
                return None;
            }
            continue;
        }
        current = None;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(':')?;
        let Some(&key) = KEYS.iter().find(|k| **k == key) else {
            continue;
        };
        let value = scalar(rest)?;
        current = Some(key);
        let slot = match key {
            "id" => &mut fields.id,
            "title" => &mut fields.title,
            "version" => &mut fields.version,
            "status" => &mut fields.status,
            "change" => &mut fields.change,
            "approved_by" => &mut fields.approved_by,
            _ => &mut fields.approved_on,
        };
        if slot.is_some() {
            return None; // a repeated key: the parser decides
        }
        *slot = value;
    }
    Some(fields)
}

/// A one-line scalar after `key:`. `Some(None)` for an empty value, `None` when the
/// value is not a simple scalar.
fn scalar(rest: &str) -> Option<Option<String>> {
    let value = rest.trim();
    if value.is_empty() || value == "~" || value == "null" {
        return Some(None);
    }
    let first = value.as_bytes()[0];
    if first == b'"' {
        let inner = value[1..].split_once('"')?;
        if inner.0.contains('\\') || !is_comment_or_empty(inner.1) {
            return None;
        }
        return Some(Some(inner.0.trim().to_string()));
    }
    if first == b'\'' {
        let inner = value[1..].split_once('\'')?;
        if inner.1.starts_with('\'') || !is_comment_or_empty(inner.1) {
            return None;
        }
        return Some(Some(inner.0.trim().to_string()));
    }
    if b"|>[{&*!%@`".contains(&first) || value.contains(": ") {
        return None;
    }
    let plain = match value.find(" #") {
        Some(i) => &value[..i],
        None => value,
    };
    Some(Some(plain.trim().to_string()))
}

fn is_comment_or_empty(text: &str) -> bool {
    let text = text.trim();
    text.is_empty() || text.starts_with('#')
}

/// A 64-bit hash that is stable across builds and platforms, so it can be cached on
/// disk: FNV-1a's constants applied to little-endian 8-byte words, with a final mix.
/// The history cache stores these hashes: changing this function requires bumping
/// `history::CACHE_FORMAT`.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0 ^ word)
                .wrapping_mul(0x0100_0000_01b3)
                .rotate_left(23);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        // Length separates "ab" + "c" from "a" + "bc".
        self.0 = (self.0 ^ bytes.len() as u64).wrapping_mul(0x0100_0000_01b3);
    }

    pub fn finish(self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv::default();
    h.write(bytes);
    h.finish()
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;

    #[test]
    fn the_field_scanner_agrees_with_the_yaml_parser() {
        let cases = [
            "id: POL-A\ntitle: \"A: the policy\"\nversion: \"1.0\"\nstatus: approved # ok\nchange: 'It''s new'\n",
            "id: POL-A\ntitle: Plain title # comment\nversion: '2.1'\napproved_on: 2026-01-01\n",
            "id: POL-A\nchange: >\n  folded\n  text\nversion: \"1.0\"\n",
            "id: POL-A\nchange: first line\n  continued\n",
            "title: \"Esc \\\"q\\\"\"\nid: X-Y\n",
            "controls:\n  - \"5.1\"\nid: POL-B\nrelated: [A-B]\n",
        ];
        for yaml in cases {
            let text = format!("---\n{yaml}---\nbody\n");
            let fast = Snapshot::of(&text);
            let map: serde_yaml::Mapping = serde_yaml::from_str(yaml).unwrap();
            let field = |k: &str| {
                map.get(k)
                    .and_then(|v| v.as_str())
                    .map(|s| s.trim().to_string())
            };
            assert_eq!(fast.id, field("id"), "{yaml}");
            assert_eq!(fast.title, field("title"), "{yaml}");
            assert_eq!(fast.version, field("version"), "{yaml}");
            assert_eq!(fast.status, field("status"), "{yaml}");
            assert_eq!(fast.change, field("change"), "{yaml}");
            assert_eq!(fast.approved_on, field("approved_on"), "{yaml}");
        }
    }

    #[test]
    fn approval_fields_do_not_change_the_controlled_hash() {
        let draft =
            Snapshot::of("---\nid: POL-A\ntitle: A\nversion: \"1.0\"\nstatus: draft\n---\n# A\n");
        let approved = Snapshot::of(
            "---\nid: POL-A\ntitle: A\nversion: \"1.0\"\nstatus: approved\napproved_by: CISO\napproved_on: 2026-01-01\n---\n# A\n",
        );
        assert_eq!(draft.controlled, approved.controlled);
        assert_eq!(draft.content, approved.content);
        assert_ne!(draft.file, approved.file);
        let edited = Snapshot::of(
            "---\nid: POL-A\ntitle: A\nversion: \"1.0\"\nstatus: draft\n---\n# A\n\nMore.\n",
        );
        assert_ne!(draft.content, edited.content);
        let more_controls = Snapshot::of(
            "---\nid: POL-A\ntitle: A\nversion: \"1.0\"\nstatus: draft\ncontrols: [\"5.1\"]\n---\n# A\n",
        );
        assert_ne!(draft.controlled, more_controls.controlled);
        assert_eq!(draft.content, more_controls.content);
        assert_eq!(approved.version.as_deref(), Some("1.0"));
        assert_eq!(approved.approved_on.as_deref(), Some("2026-01-01"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert!(v("1.10") > v("1.9"));
        assert!(v("2.0") > v("1.99"));
        assert!("1".parse::<Version>().is_err());
        assert!("1.2.3".parse::<Version>().is_err());
        assert!("v1.2".parse::<Version>().is_err());
    }

    #[test]
    fn ids_follow_the_contract() {
        for good in ["POL-AC", "PRC-AC-01", "ISMS-2026-X"] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in [
            "POL", "pol-ac", "POL-", "-AC", "POL AC", "1POL-AC", "POL-ÄC", "РOL-AC",
        ] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn invalid_dates_say_why() {
        assert_eq!(
            parse_date("2026-02-30").unwrap_err(),
            ": February 2026 has 28 days"
        );
        assert_eq!(
            parse_date("2026-13-01").unwrap_err(),
            ": there is no month 13"
        );
        assert!(parse_date("2026-2-1").is_err());
        assert!(parse_date("2024-02-29").is_ok());
    }

    #[test]
    fn comments_are_stripped_outside_quotes() {
        assert_eq!(strip_comment(" \"1.0\" # x"), " \"1.0\" ");
        assert_eq!(strip_comment(" \"a # b\""), " \"a # b\"");
    }
}
