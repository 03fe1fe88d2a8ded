//! The risk register (ISO/IEC 27001:2022 6.1.2, 6.1.3, 8.2, 8.3): each risk with its
//! owner, its rating before and after treatment on book.toml's scales, how it is
//! treated, by which controls, and who accepted what remains. A controlled document
//! of its own kind, like the SoA: the control keys at the top, `risks:` below.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::catalog::{Catalog, ControlRef};
use crate::model::config::RISKS_TITLE;
use crate::model::config::RiskSettings;
use crate::model::document::{
    self, ControlBlock, Located, Snapshot, Spans, block_end, locate_keys_indented,
};
use crate::model::kinds::{is_valid_id, parse_date};
use crate::model::yaml::{YamlText, kind, scalar_text};
use crate::text::{LineIndex, Position, compare_ids, did_you_mean};
use chrono::NaiveDate;
use serde::Serialize;
use serde_yaml::{Mapping, Value};
use std::collections::HashMap;

/// How a risk is treated (6.1.3 a).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Treatment {
    /// Reduced by controls.
    Mitigate,
    /// Retained as it is, by an informed decision.
    Accept,
    /// Shared with another party (insurance, a supplier's contract).
    Transfer,
    /// The activity that causes it is stopped.
    Avoid,
}

impl Treatment {
    pub const ALL: [Treatment; 4] = [
        Treatment::Mitigate,
        Treatment::Accept,
        Treatment::Transfer,
        Treatment::Avoid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::Mitigate => "mitigate",
            Treatment::Accept => "accept",
            Treatment::Transfer => "transfer",
            Treatment::Avoid => "avoid",
        }
    }
}

/// A rating: likelihood and impact as 1-based ranks on book.toml's scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub likelihood: usize,
    pub impact: usize,
}

impl Rating {
    /// Likelihood rank × impact rank.
    pub fn score(self) -> usize {
        self.likelihood * self.impact
    }
}

/// One risk of the register.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// The role accountable for the risk, who accepts what remains of it.
    pub owner: Option<String>,
    pub assets: Vec<String>,
    pub threat: Option<String>,
    /// Before treatment.
    pub inherent: Option<Rating>,
    pub treatment: Option<Treatment>,
    /// Control ids, canonical (`5.15`), with where they are written.
    pub controls: Vec<Located<String>>,
    /// After treatment, when assessed.
    pub residual: Option<Rating>,
    /// True when a residual rating is written, even one that could not be read.
    #[serde(skip)]
    pub residual_given: bool,
    pub accepted_by: Option<String>,
    pub accepted_on: Option<NaiveDate>,
    /// True when `accepted_on` is written, even as a date that does not exist.
    #[serde(skip)]
    pub acceptance_given: bool,
    pub reviewed_on: Option<NaiveDate>,
    pub review_months: Option<u32>,
    /// When the planned treatment is to be in place.
    pub due: Option<NaiveDate>,
    #[serde(skip)]
    pub position: Position,
    #[serde(skip)]
    pub spans: Spans,
}

impl Risk {
    /// The rating that remains: the residual one when assessed, else the inherent
    /// one (nothing is known to have reduced it).
    pub fn remaining(&self) -> Option<Rating> {
        self.residual.or(self.inherent)
    }

    /// When the risk is next to be reviewed: from its last review, its acceptance or
    /// the register's approval or review, whichever is latest, after its review
    /// interval (the register's, else book.toml's `default_months`).
    pub fn next_review(&self, register: &ControlBlock, default_months: u32) -> Option<NaiveDate> {
        let last = [
            self.reviewed_on,
            self.accepted_on,
            register.approved_on,
            register.reviewed_on,
        ]
        .into_iter()
        .flatten()
        .max()?;
        let months = self
            .review_months
            .or(register.review_months)
            .unwrap_or(default_months);
        last.checked_add_months(chrono::Months::new(months))
    }

    /// Where a field is written, or the risk's key when it is not.
    pub fn at(&self, key: &str) -> (Position, usize) {
        if self.spans.has(key) {
            self.spans.value(key)
        } else {
            (self.position, self.id.chars().count())
        }
    }
}

/// The register: its document control and its risks, in id order.
#[derive(Debug, Clone)]
pub struct RiskRegister {
    pub path: String,
    pub control: Option<ControlBlock>,
    /// Where its top-level keys are.
    pub spans: Spans,
    pub snapshot: Snapshot,
    pub risks: Vec<Risk>,
    /// Where `risks:` is.
    pub position: Position,
    /// False when the file could not be read as a register at all: the checks that
    /// need its risks say nothing more.
    pub readable: bool,
    /// Ids of entries that could not be read as risks (reported once, where they
    /// are): the SoA's references to them are not reported again.
    pub broken: Vec<String>,
}

impl RiskRegister {
    pub fn get(&self, id: &str) -> Option<&Risk> {
        self.risks.iter().find(|r| r.id == id)
    }
}

const TOP_KEYS: [&str; 1] = ["risks"];
const RISK_KEYS: [&str; 16] = [
    "title",
    "description",
    "owner",
    "assets",
    "threat",
    "likelihood",
    "impact",
    "treatment",
    "controls",
    "residual_likelihood",
    "residual_impact",
    "accepted_by",
    "accepted_on",
    "reviewed_on",
    "review_months",
    "due",
];
const REQUIRED: [&str; 5] = ["title", "owner", "likelihood", "impact", "treatment"];

/// The longest risk id: it names the risk's page in the handbook.
const MAX_ID: usize = 40;

impl RiskRegister {
    /// Parses the register; problems are returned alongside what could be read.
    pub fn parse(
        path: &str,
        text: &str,
        catalog: &Catalog,
        settings: &RiskSettings,
    ) -> (RiskRegister, Vec<Diagnostic>) {
        let index = LineIndex::new(text);
        let mut reader = Reader {
            path,
            text,
            index: &index,
            catalog,
            settings,
            problems: Vec::new(),
        };
        let mut register = RiskRegister {
            path: path.to_string(),
            control: None,
            spans: Spans::none(),
            snapshot: Snapshot::of_yaml(text, RISKS_TITLE),
            risks: Vec::new(),
            position: Position::new(1, 1),
            readable: false,
            broken: Vec::new(),
        };
        if let Some(risks) = reader.top(&mut register) {
            register.readable = true;
            let keys = reader.entry_keys(register.position.line);
            for (key, entry) in &risks {
                match reader.risk(key, entry, &keys, register.position) {
                    Some(risk) => register.risks.push(risk),
                    None => register.broken.push(scalar_text(key)),
                }
            }
            register.risks.sort_by(|a, b| compare_ids(&a.id, &b.id));
        }
        (register, reader.problems)
    }
}

/// Reads the register's YAML into risks, each problem at its place.
struct Reader<'a> {
    path: &'a str,
    text: &'a str,
    index: &'a LineIndex,
    catalog: &'a Catalog,
    settings: &'a RiskSettings,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn problem(&mut self, code: Code, at: (Position, usize), message: String, hint: String) {
        self.problems.push(
            Diagnostic::new(code, self.path, message)
                .span(at.0, at.1)
                .hint(hint),
        );
    }

    /// The file's top-level map: its `risks` (empty when there are none yet), or
    /// `None` when the file is not a register at all.
    fn top(&mut self, register: &mut RiskRegister) -> Option<Mapping> {
        let yaml = YamlText::whole(self.path, self.text, self.index);
        let value = match yaml.parse(
            "the risk register",
            "the register is YAML: its document control, then `risks:` with one `R-01:` block per risk",
        ) {
            Ok(value) => value,
            Err(problem) => {
                self.problems.push(problem);
                return None;
            }
        };
        let top = match value {
            Value::Mapping(top) => top,
            Value::Null => Mapping::new(),
            _ => {
                self.problem(
                    Code::RiskInvalid,
                    (Position::new(1, 1), 1),
                    "the risk register must be a map with a `risks:` key".to_string(),
                    "write its document control, then `risks:` with one `R-01:` block per risk"
                        .to_string(),
                );
                return None;
            }
        };
        let (control, spans, problems) =
            document::control_block(self.path, self.text, self.index, &top, &TOP_KEYS);
        self.problems.extend(problems);
        register.control = Some(control);
        register.position = spans.key("risks").0;
        register.spans = spans;
        match top.get("risks") {
            Some(Value::Mapping(risks)) => Some(risks.clone()),
            Some(Value::Null) | None => Some(Mapping::new()),
            Some(other) => {
                self.problem(
                    Code::RiskInvalid,
                    register.spans.key("risks"),
                    format!("`risks` must be a map of risk ids, not {}", kind(other)),
                    "write one `R-01:` block per risk under `risks:`".to_string(),
                );
                None
            }
        }
    }

    /// Where each entry of the `risks:` map is written, by key, in one pass: the keys
    /// at the indent of the map's first entry, until a line at the top level. Lines
    /// indented deeper (a description that mentions `R-02:`) are not keys.
    fn entry_keys(&self, risks_line: usize) -> HashMap<String, Position> {
        let mut keys = HashMap::new();
        let mut indent = None;
        for line_no in risks_line + 1..=self.index.line_count() {
            let Some(line) = self.index.line(self.text, line_no) else {
                break;
            };
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let lead = line.len() - trimmed.len();
            if lead == 0 {
                break;
            }
            if *indent.get_or_insert(lead) != lead {
                continue;
            }
            if let Some((key, _)) = trimmed.split_once(':') {
                let key = key.trim().trim_matches(['"', '\'']).to_string();
                keys.entry(key).or_insert(Position::new(line_no, lead + 1));
            }
        }
        keys
    }

    fn risk(
        &mut self,
        key: &Value,
        entry: &Value,
        keys: &HashMap<String, Position>,
        risks: Position,
    ) -> Option<Risk> {
        let id = scalar_text(key);
        let at = (keys.get(&id).copied().unwrap_or(risks), id.chars().count());
        if id.chars().count() > MAX_ID {
            self.problem(
                Code::RiskInvalid,
                at,
                format!(
                    "risk id `{}…` is longer than {MAX_ID} characters",
                    id.chars().take(12).collect::<String>()
                ),
                "give the risk a short id such as R-01: it names the risk's page".to_string(),
            );
            return None;
        }
        if !matches!(key, Value::String(_)) || !is_valid_id(&id) {
            self.problem(
                Code::RiskInvalid,
                at,
                format!("`{id}` is not a risk id"),
                "give each risk an id such as R-01 (capital letters, a hyphen, digits)".to_string(),
            );
            return None;
        }
        let Value::Mapping(map) = entry else {
            self.problem(
                Code::RiskInvalid,
                at,
                format!("the entry for {id} must be a map, not {}", kind(entry)),
                "write title, owner, likelihood, impact and treatment under the risk".to_string(),
            );
            return None;
        };
        let indent = at.0.column - 1;
        let last = block_end(self.text, self.index, at.0.line, indent);
        let field_indent = (at.0.line + 1..=last)
            .filter_map(|n| self.index.line(self.text, n))
            .map(|l| (l, l.trim_start()))
            .find(|(_, t)| !t.is_empty() && !t.starts_with('#'))
            .map_or(indent + 2, |(l, t)| l.len() - t.len());
        let spans = locate_keys_indented(self.text, self.index, at.0.line, last, field_indent);
        let mut fields = Fields {
            reader: self,
            id: &id,
            at,
            spans: &spans,
        };
        let risk = fields.risk(map);
        Some(Risk {
            position: at.0,
            spans,
            ..risk
        })
    }
}

/// The fields of one risk, each problem at its value.
struct Fields<'r, 'a> {
    reader: &'r mut Reader<'a>,
    id: &'r str,
    at: (Position, usize),
    spans: &'r Spans,
}

impl Fields<'_, '_> {
    fn place(&self, key: &str) -> (Position, usize) {
        if self.spans.has(key) {
            self.spans.value(key)
        } else {
            self.at
        }
    }

    fn invalid(&mut self, key: &str, message: String, hint: String) {
        let at = self.place(key);
        self.reader.problem(Code::RiskInvalid, at, message, hint);
    }

    fn risk(&mut self, map: &Mapping) -> Risk {
        let suggested = self.unknown_keys(map);
        let get = |key: &str| map.get(key).filter(|v| !v.is_null());
        for key in REQUIRED {
            // A misspelt key was reported with its correction: not again as missing.
            if get(key).is_none() && !suggested.contains(&key) {
                let message = format!("risk {} has no `{key}`", self.id);
                let hint = required_hint(key, self.reader.settings);
                self.reader
                    .problem(Code::RiskInvalid, self.at, message, hint);
            }
        }
        let likelihood = get("likelihood").and_then(|v| self.rank(v, "likelihood"));
        let impact = get("impact").and_then(|v| self.rank(v, "impact"));
        let inherent = likelihood
            .zip(impact)
            .map(|(likelihood, impact)| Rating { likelihood, impact });
        let residual = self.residual(map, inherent);
        let title = get("title")
            .map(|v| self.text(v, "title"))
            .unwrap_or_default();
        if title.is_empty() && get("title").is_some() {
            let message = format!("the title of risk {} is empty", self.id);
            self.invalid(
                "title",
                message,
                required_hint("title", self.reader.settings),
            );
        }
        Risk {
            id: self.id.to_string(),
            title,
            description: get("description").map(|v| self.text(v, "description")),
            owner: get("owner").map(|v| self.text(v, "owner")),
            assets: get("assets")
                .map(|v| self.list(v, "assets"))
                .unwrap_or_default(),
            threat: get("threat").map(|v| self.text(v, "threat")),
            inherent,
            treatment: get("treatment").and_then(|v| self.treatment(v)),
            controls: get("controls")
                .map(|v| self.controls(v))
                .unwrap_or_default(),
            residual,
            residual_given: get("residual_likelihood").is_some()
                || get("residual_impact").is_some(),
            accepted_by: get("accepted_by").map(|v| self.text(v, "accepted_by")),
            accepted_on: get("accepted_on").and_then(|v| self.date(v, "accepted_on")),
            acceptance_given: get("accepted_on").is_some(),
            reviewed_on: get("reviewed_on").and_then(|v| self.date(v, "reviewed_on")),
            review_months: get("review_months").and_then(|v| self.months(v)),
            due: get("due").and_then(|v| self.date(v, "due")),
            position: self.at.0,
            spans: Spans::none(),
        }
    }

    /// Reports unknown keys; returns the keys they were suggested as.
    fn unknown_keys(&mut self, map: &Mapping) -> Vec<&'static str> {
        let mut suggested = Vec::new();
        for key in map.keys() {
            let name = scalar_text(key);
            if RISK_KEYS.contains(&name.as_str()) {
                continue;
            }
            let close = did_you_mean(&name, RISK_KEYS);
            suggested.extend(close);
            let hint = match close {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the keys of a risk are: {}", RISK_KEYS.join(", ")),
            };
            let at = if self.spans.has(&name) {
                self.spans.key(&name)
            } else {
                self.at
            };
            let message = format!("unknown key `{name}` in risk {}", self.id);
            self.reader.problem(Code::RiskInvalid, at, message, hint);
        }
        suggested
    }

    /// The rating after treatment: both keys or neither; never above the rating
    /// before treatment. A value off its scale is reported once, by `rank`.
    fn residual(&mut self, map: &Mapping, inherent: Option<Rating>) -> Option<Rating> {
        let get = |key: &str| map.get(key).filter(|v| !v.is_null());
        let (l, i) = (get("residual_likelihood"), get("residual_impact"));
        if let (Some(_), None) | (None, Some(_)) = (l, i) {
            let missing = if i.is_none() {
                "residual_impact"
            } else {
                "residual_likelihood"
            };
            let message = format!("risk {} has a residual rating without `{missing}`", self.id);
            self.reader.problem(
                Code::RiskInvalid,
                self.at,
                message,
                "rate what remains after treatment with both residual_likelihood and residual_impact".to_string(),
            );
            return None;
        }
        let likelihood = l.and_then(|v| self.rank(v, "residual_likelihood"));
        let impact = i.and_then(|v| self.rank(v, "residual_impact"));
        let residual = likelihood
            .zip(impact)
            .map(|(likelihood, impact)| Rating { likelihood, impact })?;
        if let Some(before) = inherent.filter(|b| residual.score() > b.score()) {
            let message = format!(
                "risk {} is rated {} after treatment, higher than {} before it",
                self.id,
                residual.score(),
                before.score()
            );
            self.invalid(
                "residual_likelihood",
                message,
                "treatment does not raise a risk: correct the ratings".to_string(),
            );
            return None;
        }
        Some(residual)
    }

    fn text(&mut self, value: &Value, key: &str) -> String {
        match value {
            Value::String(s) => s.trim().to_string(),
            Value::Number(_) | Value::Bool(_) => scalar_text(value),
            other => {
                let message = format!("`{key}` of {} must be text, not {}", self.id, kind(other));
                self.invalid(key, message, format!("write {key}: <text>"));
                String::new()
            }
        }
    }

    fn list(&mut self, value: &Value, key: &str) -> Vec<String> {
        match value {
            Value::Sequence(items) => items
                .iter()
                .filter(|v| !v.is_null())
                .map(scalar_text)
                .collect(),
            Value::String(s) => vec![s.trim().to_string()],
            other => {
                let message = format!("`{key}` of {} must be a list, not {}", self.id, kind(other));
                self.invalid(key, message, format!("write {key}: [first, second]"));
                Vec::new()
            }
        }
    }

    /// A scalar's text, or `None` (and a problem) for a list or a map.
    fn scalar(&mut self, value: &Value, key: &str) -> Option<String> {
        match value {
            Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => {
                let message = format!(
                    "`{key}` of {} must be one value, not {}",
                    self.id,
                    kind(value)
                );
                self.invalid(key, message, format!("write {key}: <value>"));
                None
            }
            _ => Some(scalar_text(value)),
        }
    }

    /// A rank on a scale: a label (any case) or its 1-based number.
    fn rank(&mut self, value: &Value, key: &str) -> Option<usize> {
        self.scalar(value, key)?;
        let settings = self.reader.settings;
        let scale = if key.ends_with("likelihood") {
            &settings.likelihood
        } else {
            &settings.impact
        };
        let written = scalar_text(value);
        let found = match value {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| (1..=scale.len()).contains(n)),
            _ => scale
                .iter()
                .position(|label| label.eq_ignore_ascii_case(written.trim()))
                .map(|i| i + 1),
        };
        if found.is_none() {
            let scale_name = if key.ends_with("likelihood") {
                "likelihood"
            } else {
                "impact"
            };
            let hint = match did_you_mean(&written, scale.iter().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "use one of book.toml's {scale_name} labels (or its number, 1 to {}): {}",
                    scale.len(),
                    scale.join(", ")
                ),
            };
            let message = format!("`{written}` is not on the {scale_name} scale ({})", self.id);
            self.invalid(key, message, hint);
        }
        found
    }

    fn treatment(&mut self, value: &Value) -> Option<Treatment> {
        let written = self.scalar(value, "treatment")?;
        let found = Treatment::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(written.trim()));
        if found.is_none() {
            let names = Treatment::ALL.map(Treatment::as_str);
            let hint = match did_you_mean(&written, names) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("use one of: {}", names.join(", ")),
            };
            let message = format!("`{written}` is not a treatment ({})", self.id);
            self.invalid("treatment", message, hint);
        }
        found
    }

    fn date(&mut self, value: &Value, key: &str) -> Option<NaiveDate> {
        let written = self.scalar(value, key)?;
        match parse_date(written.trim()) {
            Ok(date) => Some(date),
            Err(why) => {
                let message = format!("{} ({} `{key}`)", why.message(&written), self.id);
                self.invalid(key, message, format!("write {key}: YYYY-MM-DD"));
                None
            }
        }
    }

    fn months(&mut self, value: &Value) -> Option<u32> {
        let months = value.as_u64().and_then(|n| u32::try_from(n).ok());
        match months {
            Some(n) if (1..=120).contains(&n) => Some(n),
            _ => {
                let message = format!(
                    "review_months of {} must be a number of months from 1 to 120, not `{}`",
                    self.id,
                    scalar_text(value)
                );
                self.invalid(
                    "review_months",
                    message,
                    "write review_months: 12".to_string(),
                );
                None
            }
        }
    }

    /// The risk's controls, canonical, each at its place; unknown and 2013 ids are
    /// reported as in a document's front matter.
    fn controls(&mut self, value: &Value) -> Vec<Located<String>> {
        let written = self.list(value, "controls");
        let (first, last) = self
            .spans
            .lines("controls")
            .unwrap_or((self.at.0.line, self.at.0.line));
        let mut from = (first, 1);
        let mut out = Vec::new();
        for (i, item) in written.iter().enumerate() {
            let position = self.find_item(item, from, last);
            if matches!(value, Value::Sequence(items) if items.get(i).is_some_and(Value::is_number))
            {
                // The number as written (`5.20`), not as YAML read it (5.2).
                let raw: String = self
                    .reader
                    .index
                    .line(self.reader.text, position.line)
                    .and_then(|line| line.get(line.char_indices().nth(position.column - 1)?.0..))
                    .map(|rest| {
                        rest.chars()
                            .take_while(|c| c.is_ascii_digit() || *c == '.')
                            .collect()
                    })
                    .filter(|raw: &String| !raw.is_empty())
                    .unwrap_or_else(|| item.clone());
                from = (position.line, position.column + 1);
                let message = format!(
                    "control `{raw}` of {} is read by YAML as the number {item}",
                    self.id
                );
                let hint = format!("quote it: \"{raw}\", so it stays text");
                let at = (position, raw.chars().count());
                self.reader.problem(Code::UnquotedNumber, at, message, hint);
                continue;
            }
            from = (position.line, position.column + 1);
            let at = (position, item.chars().count());
            match self.reader.catalog.resolve(item) {
                ControlRef::Known(control) => out.push(Located {
                    value: control.id.clone(),
                    position,
                    width: at.1,
                }),
                ControlRef::Legacy(new) => {
                    let ids: Vec<_> = new.iter().map(|c| format!("A.{}", c.id)).collect();
                    let message =
                        format!("`{item}` is an ISO/IEC 27001:2013 control id ({})", self.id);
                    let hint = format!("the 2022 control that replaces it: {}", ids.join(", "));
                    self.reader.problem(Code::LegacyControl, at, message, hint);
                }
                ControlRef::Unknown => {
                    let message = format!("`{item}` is not a known control ({})", self.id);
                    let hint = "use an Annex A id such as \"5.15\" or an id of a project catalog"
                        .to_string();
                    self.reader.problem(Code::UnknownControl, at, message, hint);
                }
            }
        }
        out
    }

    /// Where a list item is written, searching on from `from` (line, column).
    fn find_item(&self, item: &str, from: (usize, usize), last: usize) -> Position {
        let (text, index) = (self.reader.text, self.reader.index);
        (from.0..=last)
            .find_map(|line_no| {
                let line = index.line(text, line_no)?;
                let start = if line_no == from.0 {
                    line.char_indices()
                        .nth(from.1 - 1)
                        .map_or(line.len(), |(i, _)| i)
                } else {
                    0
                };
                let found = line[start..].find(item)? + start;
                Some(Position::new(line_no, line[..found].chars().count() + 1))
            })
            .unwrap_or(self.place("controls").0)
    }
}

fn required_hint(key: &str, settings: &RiskSettings) -> String {
    match key {
        "title" => "add title: <a short name for the risk>".to_string(),
        "owner" => "add owner: <the role accountable for the risk>, e.g. owner: CISO".to_string(),
        "likelihood" => format!("add likelihood: one of {}", settings.likelihood.join(", ")),
        "impact" => format!("add impact: one of {}", settings.impact.join(", ")),
        _ => format!(
            "add treatment: one of {}",
            Treatment::ALL.map(Treatment::as_str).join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Config;

    fn settings() -> RiskSettings {
        Config::parse(
            std::path::Path::new("/repo"),
            "[book]\ntitle = \"T\"\norganization = \"O\"\n",
        )
        .unwrap()
        .risks
    }

    const HEAD: &str = "version: \"1.0\"\nstatus: draft\nowner: CISO\nrisks:\n";

    #[test]
    fn reads_risks_with_ratings_and_places() {
        let text = format!(
            "{HEAD}  R-02:\n    title: Stolen laptop\n    owner: IT\n    likelihood: likely\n    impact: 4\n    treatment: mitigate\n    controls: [\"8.1\", A.5.15]\n    residual_likelihood: rare\n    residual_impact: major\n  R-01:\n    title: Phishing\n    owner: CISO\n    likelihood: Possible\n    impact: minor\n    treatment: accept\n"
        );
        let (register, problems) =
            RiskRegister::parse("risks.yaml", &text, &Catalog::iso27001_2022(), &settings());
        assert!(problems.is_empty(), "{problems:?}");
        let ids: Vec<_> = register.risks.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["R-01", "R-02"]);
        let laptop = register.get("R-02").unwrap();
        assert_eq!(laptop.inherent.unwrap().score(), 16);
        assert_eq!(laptop.remaining().unwrap().score(), 4);
        assert_eq!(laptop.controls[1].value, "5.15");
        assert_eq!(laptop.controls[1].position, Position::new(11, 23));
        assert_eq!(laptop.at("impact").0, Position::new(9, 13));
        assert_eq!(
            register.get("R-01").unwrap().remaining().unwrap().score(),
            6
        );
    }

    #[test]
    fn each_problem_is_at_its_value() {
        let text = format!(
            "{HEAD}  R-01:\n    title: Phishing\n    owner: CISO\n    likelihood: often\n    impact: minor\n    treatment: reduce\n    controls: [\"A.9.2.1\"]\n    residul_impact: minor\n  risk one:\n    title: x\n"
        );
        let (_, problems) =
            RiskRegister::parse("risks.yaml", &text, &Catalog::iso27001_2022(), &settings());
        let found: Vec<_> = problems
            .iter()
            .map(|p| (p.code, p.line, p.column))
            .collect();
        assert_eq!(
            found,
            [
                (Code::RiskInvalid, 12, 5),
                (Code::RiskInvalid, 8, 17),
                (Code::RiskInvalid, 10, 16),
                (Code::LegacyControl, 11, 17),
                (Code::RiskInvalid, 13, 3),
            ],
            "{problems:#?}"
        );
    }
}
