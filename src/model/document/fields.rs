//! Field-by-field validation of a front-matter mapping: each field typed, each
//! problem reported at its place with a hint, wrong fields replaced by neutral values
//! so the others are still checked.

use super::front_matter::{
    CONTROL_KEYS, ControlBlock, Defaults, FOREIGN_KEYS, FrontMatter, KEYS, Located, Provenance,
    Retention,
};
use super::spans::Spans;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::kinds::{DocType, Status, Version, is_valid_id, parse_date};
use crate::model::waiver::{self, Waiver};
use crate::model::yaml::{kind, scalar_text};
use crate::text::{LineIndex, Position, did_you_mean};
use chrono::NaiveDate;
use serde_yaml::Value;
use std::collections::BTreeMap;

/// Field-by-field validation of the front-matter mapping.
pub(super) struct Fields<'a> {
    path: &'a str,
    text: &'a str,
    index: &'a LineIndex,
    spans: &'a Spans,
    problems: &'a mut Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub fn new(
        path: &'a str,
        text: &'a str,
        index: &'a LineIndex,
        spans: &'a Spans,
        problems: &'a mut Vec<Diagnostic>,
    ) -> Fields<'a> {
        Fields {
            path,
            text,
            index,
            spans,
            problems,
        }
    }

    fn error_at_value(&mut self, code: Code, key: &str, message: String, hint: String) {
        let (position, width) = self.spans.value(key);
        self.problems.push(
            Diagnostic::new(code, self.path, message)
                .span(position, width)
                .hint(hint),
        );
    }

    /// The mapping's text keys; other keys (numbers, lists) are reported.
    fn keys<'m>(
        &mut self,
        mapping: &'m serde_yaml::Mapping,
        allowed: &[&str],
    ) -> BTreeMap<String, &'m Value> {
        let mut map = BTreeMap::new();
        for (key, value) in mapping {
            let Some(name) = key.as_str() else {
                let shown = scalar_text(key);
                let (position, width) = self
                    .find_in_lines(self.spans.start.line, self.index.line_count(), &shown)
                    .unwrap_or((self.spans.start, 3));
                self.problems.push(
                    Diagnostic::new(
                        Code::UnknownKey,
                        self.path,
                        format!("`{shown}` is not a front-matter key"),
                    )
                    .span(position, width)
                    .hint("keys are names such as id, title, version"),
                );
                continue;
            };
            if !allowed.contains(&name) {
                self.unknown_key(name, allowed);
                continue;
            }
            map.insert(name.to_string(), value);
        }
        map
    }

    pub fn front_matter(
        &mut self,
        mapping: &serde_yaml::Mapping,
        defaults: &Defaults<'_>,
    ) -> FrontMatter {
        let map = self.keys(mapping, &KEYS);
        let id = self.id(map.get("id").copied());
        let title = self.required_text(&map, "title", "a title, e.g. title: Access Control Policy");
        let doc_type =
            match self.enumerated(&map, "type", DocType::ALL.map(|t| t.as_str()).as_slice()) {
                Some(Some(name)) => name.parse().ok(),
                Some(None) => Some(defaults.doc_type),
                None => None,
            };
        let control = self.control(&map);
        let classification = self.optional_text(&map, "classification");
        let language = self.language(&map);
        let controls = self.list(&map, "controls");
        let clauses = self.list(&map, "clauses");
        let related = self.list(&map, "related");
        let audience = self.list(&map, "audience");
        let retention = self.retention(&map);
        let provenance = self.provenance(&map);
        let waivers = self.waivers(&map);
        let extra = self.extra(&map);
        FrontMatter {
            id: id.unwrap_or_default(),
            title: title.unwrap_or_default(),
            doc_type: doc_type.unwrap_or(defaults.doc_type),
            control,
            classification: classification
                .flatten()
                .unwrap_or_else(|| defaults.classification.to_string()),
            language,
            controls,
            clauses,
            related,
            audience,
            retention,
            provenance,
            waivers,
            extra,
        }
    }

    /// The control block of a file whose other keys are its own (the SoA): the
    /// mapping's keys outside `own` must be control keys.
    pub fn control_block(&mut self, mapping: &serde_yaml::Mapping, own: &[&str]) -> ControlBlock {
        let allowed: Vec<&str> = CONTROL_KEYS.iter().chain(own).copied().collect();
        let map = self.keys(mapping, &allowed);
        if !CONTROL_KEYS.iter().any(|key| map.contains_key(*key)) {
            // One fault (a file written before it was controlled), one diagnostic, at
            // its first key: where the block belongs.
            let (first, width) = own
                .iter()
                .filter(|key| self.spans.has(key))
                .map(|key| self.spans.key(key))
                .min_by_key(|(position, _)| (position.line, position.column))
                .unwrap_or((self.spans.start, 3));
            self.problems.push(
                Diagnostic::new(
                    Code::MissingField,
                    self.path,
                    "the file has no document control: `version`, `status` and `owner` are missing"
                        .to_string(),
                )
                .span(first, width)
                .hint(
                    "it is a controlled document: add `version: \"0.1\"`, `status: draft` and `owner: CISO` above its other keys"
                        .to_string(),
                ),
            );
            return ControlBlock {
                version: Version { major: 0, minor: 0 },
                status: Status::Draft,
                owner: String::new(),
                approvers: Vec::new(),
                approved_by: None,
                approved_on: None,
                effective: None,
                reviewed_on: None,
                review_months: None,
                change: None,
            };
        }
        self.control(&map)
    }

    /// The document-control fields. Fields that failed fall back to neutral values (an
    /// unknown status counts as draft, which demands nothing), so the other fields can
    /// still be checked.
    fn control(&mut self, map: &BTreeMap<String, &Value>) -> ControlBlock {
        let version = self.version(map.get("version").copied());
        let status =
            match self.enumerated(map, "status", Status::ALL.map(|s| s.as_str()).as_slice()) {
                Some(Some(s)) => Status::ALL.into_iter().find(|x| x.as_str() == s),
                Some(None) => None,
                None => Some(Status::Draft),
            };
        let owner = self
            .required_text(
                map,
                "owner",
                "the role accountable for it, e.g. owner: CISO",
            )
            .unwrap_or_default();
        let approvers = self.list(map, "approvers");
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
        ControlBlock {
            version: version.unwrap_or(Version { major: 0, minor: 0 }),
            status: status.unwrap_or(Status::Draft),
            owner,
            approvers,
            approved_by: self.optional_text(map, "approved_by").flatten(),
            approved_on: self.date(map, "approved_on").flatten(),
            effective: self.date(map, "effective").flatten(),
            reviewed_on: self.date(map, "reviewed_on").flatten(),
            review_months: self.review_months(map).flatten(),
            change: self.optional_text(map, "change").flatten(),
        }
    }

    /// `language`: a BCP 47 tag such as `en`, `de-CH`, `pt-BR`.
    fn language(&mut self, map: &BTreeMap<String, &Value>) -> Option<String> {
        let tag = self.optional_text(map, "language").flatten()?;
        let mut parts = tag.split('-');
        let primary = parts.next().unwrap_or_default();
        let valid = (2..=3).contains(&primary.len())
            && primary.chars().all(|c| c.is_ascii_alphabetic())
            && parts.all(|p| {
                (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if valid {
            return Some(tag);
        }
        self.error_at_value(
            Code::InvalidValue,
            "language",
            format!("`{tag}` is not a language tag"),
            "use a BCP 47 tag such as en, de, fr-CH or pt-BR".to_string(),
        );
        None
    }

    /// `retention`: `3y`, `18m`, `90d`, `until-superseded` or `permanent`.
    fn retention(&mut self, map: &BTreeMap<String, &Value>) -> Option<Retention> {
        let text = self.optional_text(map, "retention").flatten()?;
        match text.parse() {
            Ok(retention) => Some(retention),
            Err(()) => {
                self.error_at_value(
                    Code::InvalidValue,
                    "retention",
                    format!("`{text}` is not a retention period"),
                    "write a period such as 3y, 18m or 90d, or until-superseded, or permanent"
                        .to_string(),
                );
                None
            }
        }
    }

    /// `origin: external` with `source`, `source_version` and `source_date`.
    fn provenance(&mut self, map: &BTreeMap<String, &Value>) -> Provenance {
        let origin = self.enumerated(map, "origin", &["internal", "external"]);
        let source = self.optional_text(map, "source").flatten();
        let source_version = self.optional_text(map, "source_version").flatten();
        let source_date = self.date(map, "source_date").flatten();
        if origin == Some(Some("external")) {
            return Provenance::External {
                source,
                source_version,
                source_date,
            };
        }
        for key in ["source", "source_version", "source_date"] {
            if map.contains_key(key) {
                self.error_at_value(
                    Code::InvalidValue,
                    key,
                    format!("`{key}` is for documents of external origin"),
                    "add origin: external, or remove the key".to_string(),
                );
            }
        }
        Provenance::Internal
    }

    fn unknown_key(&mut self, name: &str, allowed: &[&str]) {
        let hint = if let Some((_, advice)) = FOREIGN_KEYS.iter().find(|(k, _)| *k == name) {
            advice.to_string()
        } else if let Some(close) = did_you_mean(name, allowed.iter().copied()) {
            format!("did you mean `{close}`?")
        } else if allowed.contains(&"extra") {
            format!(
                "the keys are: {}; put free-form data under `extra:`",
                allowed.join(", ")
            )
        } else {
            format!("the keys are: {}", allowed.join(", "))
        };
        let (position, width) = self.spans.key(name);
        self.problems.push(
            Diagnostic::new(
                Code::UnknownKey,
                self.path,
                format!("unknown front-matter key `{name}`"),
            )
            .span(position, width)
            .hint(hint),
        );
    }

    /// The id, when it is present and valid (used even when other fields are wrong).
    pub fn id_if_valid(&self, mapping: &serde_yaml::Mapping) -> Option<String> {
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
                    Code::InvalidValue,
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
            Code::InvalidId,
            "id",
            format!("`{text}` is not a valid document id"),
            hint,
        );
        None
    }

    fn missing(&mut self, key: &str, what: &str) {
        self.problems.push(
            Diagnostic::new(
                Code::MissingField,
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
                    Code::InvalidValue,
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
                    Code::InvalidValue,
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
                        Code::InvalidValue,
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
            Code::InvalidValue,
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
                    Code::InvalidVersion,
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
                            Code::InvalidVersion,
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
                    Code::InvalidDate,
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
                    Code::InvalidDate,
                    key,
                    why.message(&text),
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
                    Code::InvalidValue,
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
                    Code::InvalidValue,
                    key,
                    format!("`{key}` must be a list, not {}", kind(other)),
                    format!("write {key}: [\"a\", \"b\"] or one `- item` per line"),
                );
                return Vec::new();
            }
        };
        let (first, last) = self.spans.lines(key).unwrap_or((0, 0));
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
                        Diagnostic::new(Code::UnquotedNumber, self.path, message)
                            .span(position, raw.chars().count())
                            .hint(format!("quote every item: {key}: [\"{raw}\"]")),
                    );
                }
                other => {
                    self.error_at_value(
                        Code::InvalidValue,
                        key,
                        format!("`{key}` items must be text, not {}", kind(other)),
                        format!("write {key}: [\"a\", \"b\"]"),
                    );
                }
            }
        }
        located
    }

    /// `waivers`: each item placed at its code, searched on from the key's line.
    fn waivers(&mut self, map: &BTreeMap<String, &Value>) -> Vec<Waiver> {
        let Some(value) = map.get("waivers") else {
            return Vec::new();
        };
        let (first, last) = self.spans.lines("waivers").unwrap_or((0, 0));
        let mut search_from = (first, 0);
        let fallback = self.spans.value("waivers");
        let mut place = |text: &str| match self.find_after(search_from, last, text) {
            Some((position, width)) => {
                search_from = (position.line, position.column);
                (position, width)
            }
            None => fallback,
        };
        let (waivers, problems) = waiver::parse_list(value, &mut place);
        for problem in problems {
            self.problems.push(
                Diagnostic::new(Code::InvalidValue, self.path, problem.message)
                    .span(problem.position, problem.width)
                    .hint(problem.hint),
            );
        }
        waivers
    }

    fn extra(&mut self, map: &BTreeMap<String, &Value>) -> serde_json::Value {
        match map.get("extra") {
            None | Some(Value::Null) => serde_json::Value::Object(Default::default()),
            Some(value @ Value::Mapping(_)) => match serde_json::to_value(value) {
                Ok(json) => json,
                Err(e) => {
                    self.error_at_value(
                        Code::InvalidValue,
                        "extra",
                        format!("`extra` cannot be used: {e}"),
                        "use text keys and plain values under extra".to_string(),
                    );
                    serde_json::Value::Null
                }
            },
            Some(other) => {
                self.error_at_value(
                    Code::InvalidValue,
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
