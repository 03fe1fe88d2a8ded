//! The Statement of Applicability (ISO/IEC 27001 6.1.3 d): for every Annex A control,
//! whether it applies, how far it is implemented, and why.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::catalog::{Catalog, ControlRef};
use crate::model::config::SOA_TITLE;
use crate::model::document::{self, ControlBlock, Snapshot, Spans};
use crate::model::waiver::{self, Waiver};
use crate::model::yaml::YamlText;
use crate::text::{LineIndex, Position, did_you_mean};
use serde::Serialize;
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;

/// How far an applicable control is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    Implemented,
    Partial,
    Planned,
    NotImplemented,
}

impl Implementation {
    pub const ALL: [Implementation; 4] = [
        Implementation::Implemented,
        Implementation::Partial,
        Implementation::Planned,
        Implementation::NotImplemented,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Implementation::Implemented => "implemented",
            Implementation::Partial => "partial",
            Implementation::Planned => "planned",
            Implementation::NotImplemented => "not-implemented",
        }
    }
}

/// Whether a control applies, as the SoA decides it. The text forms are what the
/// handbook shows and exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Applicability {
    #[serde(rename = "yes")]
    Applicable,
    #[serde(rename = "no")]
    Excluded,
    #[serde(rename = "undecided")]
    Undecided,
    /// A control of a project catalog: the SoA does not decide it.
    #[serde(rename = "-")]
    NotInSoa,
}

impl Applicability {
    /// The text form: `yes`, `no`, `undecided`, or `-` for a project control.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Applicable => "yes",
            Applicability::Excluded => "no",
            Applicability::Undecided => "undecided",
            Applicability::NotInSoa => "-",
        }
    }
}

/// Where a control stands, in one value: the dashboard's categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlState {
    Implemented,
    Partial,
    Planned,
    NotImplemented,
    Excluded,
    Undecided,
}

impl ControlState {
    pub const ALL: [ControlState; 6] = [
        ControlState::Implemented,
        ControlState::Partial,
        ControlState::Planned,
        ControlState::NotImplemented,
        ControlState::Excluded,
        ControlState::Undecided,
    ];

    /// The words the dashboard shows.
    pub fn label(self) -> &'static str {
        match self {
            ControlState::Implemented => "implemented",
            ControlState::Partial => "partial",
            ControlState::Planned => "planned",
            ControlState::NotImplemented => "not implemented",
            ControlState::Excluded => "excluded",
            ControlState::Undecided => "undecided",
        }
    }
}

/// Why a control applies when no risk calls for it (6.1.3: controls may also come
/// from laws, contracts and the organisation's own requirements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    Legal,
    Contract,
    Business,
    BestPractice,
}

impl Basis {
    pub const ALL: [Basis; 4] = [
        Basis::Legal,
        Basis::Contract,
        Basis::Business,
        Basis::BestPractice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Legal => "legal",
            Basis::Contract => "contract",
            Basis::Business => "business",
            Basis::BestPractice => "best-practice",
        }
    }
}

/// One control's decision.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// `None` while the control is still undecided.
    pub applicable: Option<bool>,
    pub status: Option<Implementation>,
    pub justification: Option<String>,
    /// The role accountable for the control.
    pub owner: Option<String>,
    /// Risk register references behind the decision.
    pub risks: Vec<String>,
    /// Requirements behind the decision besides risks.
    pub basis: Vec<Basis>,
    /// True when `basis` is written, even with a value that could not be read.
    #[serde(skip)]
    pub basis_given: bool,
    /// Accepted exceptions to checks of this control.
    pub waivers: Vec<Waiver>,
    #[serde(skip)]
    pub position: Position,
    /// Width of the control key as written, for the caret underline.
    #[serde(skip)]
    pub width: usize,
}

impl Decision {
    pub fn applicability(&self) -> Applicability {
        match self.applicable {
            Some(true) => Applicability::Applicable,
            Some(false) => Applicability::Excluded,
            None => Applicability::Undecided,
        }
    }

    /// Where the control stands: excluded, undecided, or how far it is implemented
    /// (an applicable control without a status counts as not implemented).
    pub fn state(&self) -> ControlState {
        match (self.applicable, self.status) {
            (Some(false), _) => ControlState::Excluded,
            (None, _) => ControlState::Undecided,
            (Some(true), Some(Implementation::Implemented)) => ControlState::Implemented,
            (Some(true), Some(Implementation::Partial)) => ControlState::Partial,
            (Some(true), Some(Implementation::Planned)) => ControlState::Planned,
            (Some(true), _) => ControlState::NotImplemented,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Soa {
    pub path: String,
    /// The SoA's own document control (6.1.3 d: it is approved documented
    /// information), from its top-level keys.
    pub control: Option<ControlBlock>,
    /// Where its top-level keys are.
    pub spans: Spans,
    /// The file as history sees it.
    pub snapshot: Snapshot,
    /// By canonical control id.
    pub decisions: BTreeMap<String, Decision>,
    /// Where `controls:` is, for problems about the file as a whole.
    pub position: Position,
    /// False when the file could not be read as an SoA at all (invalid YAML, not a
    /// map): the checks that need its decisions then say nothing, since the one
    /// syntax error already explains the state of every control.
    pub readable: bool,
}

const TOP_KEYS: [&str; 1] = ["controls"];
const DECISION_KEYS: [&str; 7] = [
    "applicable",
    "status",
    "justification",
    "owner",
    "risks",
    "basis",
    "waivers",
];

impl Soa {
    /// Parses the SoA file; problems are returned alongside what could be read.
    pub fn parse(path: &str, text: &str, catalog: &Catalog) -> (Soa, Vec<Diagnostic>) {
        let index = LineIndex::new(text);
        let mut reader = Reader {
            path,
            text,
            index: &index,
            catalog,
            problems: Vec::new(),
        };
        let mut soa = Soa {
            path: path.to_string(),
            control: None,
            spans: Spans::none(),
            snapshot: Snapshot::of_yaml(text, SOA_TITLE),
            decisions: BTreeMap::new(),
            position: Position::new(1, 1),
            readable: false,
        };
        if let Some(controls) = reader.top(&mut soa) {
            soa.readable = true;
            reader.decisions(&controls, &mut soa);
        }
        (soa, reader.problems)
    }
}

/// Reads the SoA's YAML into decisions, each problem at its place.
struct Reader<'a> {
    path: &'a str,
    text: &'a str,
    index: &'a LineIndex,
    catalog: &'a Catalog,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn find(&self, needle: &str, from: usize) -> Option<Position> {
        find_key_line(self.text, self.index, from, |key| key == needle)
    }

    fn error(&mut self, code: Code, position: Position, message: String, hint: String) {
        self.problems.push(
            Diagnostic::new(code, self.path, message)
                .at(position)
                .hint(hint),
        );
    }

    /// The file's top-level map: its `controls` (empty when there are none yet), or
    /// `None` when the file is not an SoA at all.
    fn top(&mut self, soa: &mut Soa) -> Option<Mapping> {
        let yaml = YamlText::whole(self.path, self.text, self.index);
        let value = match yaml.parse(
            "the SoA",
            "the SoA is YAML: `controls:` then one `A.5.1:` block per control",
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
                self.error(
                    Code::SoaInvalid,
                    Position::new(1, 1),
                    "the SoA must be a map with a `controls:` key".to_string(),
                    "write `controls:` then one `A.5.1:` block per control".to_string(),
                );
                return None;
            }
        };
        let (control, spans, problems) =
            document::control_block(self.path, self.text, self.index, &top, &TOP_KEYS);
        self.problems.extend(problems);
        soa.control = Some(control);
        soa.spans = spans;
        soa.position = self.find("controls", 1).unwrap_or(Position::new(1, 1));
        match top.get("controls") {
            Some(Value::Mapping(controls)) => Some(controls.clone()),
            Some(Value::Null) | None => Some(Mapping::new()),
            Some(_) => {
                self.error(
                    Code::SoaInvalid,
                    soa.position,
                    "`controls` must be a map of control ids".to_string(),
                    "write one `A.5.1:` block per control under `controls:`".to_string(),
                );
                None
            }
        }
    }

    fn decisions(&mut self, controls: &Mapping, soa: &mut Soa) {
        let mut search_from = soa.position.line;
        for (key, entry) in controls {
            let written = match key {
                Value::String(s) => s.clone(),
                Value::Number(n) => {
                    search_from = self.numeric_key(n, search_from, soa.position);
                    continue;
                }
                _ => continue,
            };
            let position = self.find(&written, search_from).unwrap_or(soa.position);
            search_from = position.line;
            let Some(id) = self.control_id(&written, position) else {
                continue;
            };
            let decision = self.decision(&written, entry, position);
            if soa.decisions.contains_key(&id) {
                self.error(
                    Code::SoaDuplicate,
                    position,
                    format!("control {id} is decided twice"),
                    "keep one entry per control".to_string(),
                );
                continue;
            }
            if let Some(decision) = decision {
                soa.decisions.insert(id, decision);
            }
        }
    }

    /// A control key YAML read as a number (`5.10:` is 5.1): refused with the quoted
    /// form. Returns the line to search on from.
    fn numeric_key(&mut self, n: &serde_yaml::Number, from: usize, fallback: Position) -> usize {
        let shown = n.to_string();
        let same_number = |key: &str| key.parse::<f64>().ok() == n.as_f64();
        let position = find_key_line(self.text, self.index, from, same_number).unwrap_or(fallback);
        let raw = self
            .index
            .line(self.text, position.line)
            .and_then(|l| l.split(':').next())
            .map_or(shown.clone(), |k| k.trim().to_string());
        self.error(
            Code::UnquotedNumber,
            position,
            format!("control key `{raw}` is read by YAML as the number {shown}"),
            format!("write the key as A.{raw}: so it stays text"),
        );
        position.line
    }

    /// The canonical id of a control key, or `None` (and a problem) when it is not a
    /// current control.
    fn control_id(&mut self, written: &str, position: Position) -> Option<String> {
        match self.catalog.resolve(written) {
            ControlRef::Known(control) => Some(control.id.clone()),
            ControlRef::Legacy(new) => {
                let ids: Vec<_> = new.iter().map(|c| format!("A.{}", c.id)).collect();
                self.error(
                    Code::LegacyControl,
                    position,
                    format!("`{written}` is an ISO/IEC 27001:2013 control id"),
                    format!("the 2022 control that replaces it: {}", ids.join(", ")),
                );
                None
            }
            ControlRef::Unknown => {
                self.error(
                    Code::UnknownControl,
                    position,
                    format!("`{written}` is not a known control"),
                    "Annex A controls are A.5.1 to A.5.37, A.6.1 to A.6.8, A.7.1 to A.7.14 and A.8.1 to A.8.34".to_string(),
                );
                None
            }
        }
    }

    fn decision(&mut self, written: &str, entry: &Value, position: Position) -> Option<Decision> {
        let map = match entry {
            Value::Mapping(map) => map.clone(),
            Value::Null => Mapping::new(),
            _ => {
                self.error(
                    Code::SoaInvalid,
                    position,
                    format!("the entry for {written} must be a map"),
                    "write applicable, status and justification under the control".to_string(),
                );
                return None;
            }
        };
        let mut decision = Decision {
            applicable: None,
            status: None,
            justification: None,
            owner: None,
            risks: Vec::new(),
            basis: Vec::new(),
            basis_given: map.get("basis").is_some_and(|v| !v.is_null()),
            waivers: Vec::new(),
            position,
            width: written.chars().count(),
        };
        for (key, value) in &map {
            let key = key.as_str().unwrap_or("?");
            if key == "waivers" {
                decision.waivers = self.waivers(value, position);
            } else if let Err((message, hint)) = set_field(&mut decision, key, value, written) {
                self.error(Code::SoaInvalid, position, message, hint);
            }
        }
        Some(decision)
    }
}

impl Reader<'_> {
    /// A control's `waivers`, each placed at its code (searched below the control).
    fn waivers(&mut self, value: &Value, control: Position) -> Vec<Waiver> {
        let mut from = control.line;
        let (text, index) = (self.text, self.index);
        let mut place = |code: &str| {
            let found = (from..=index.line_count()).find_map(|line_no| {
                let line = index.line(text, line_no)?;
                let column = line.find(code)?;
                Some(Position::new(line_no, line[..column].chars().count() + 1))
            });
            match found {
                Some(position) => {
                    from = position.line;
                    (position, code.chars().count())
                }
                None => (control, 1),
            }
        };
        let (waivers, problems) = waiver::parse_list(value, &mut place);
        for problem in problems {
            self.problems.push(
                Diagnostic::new(Code::SoaInvalid, self.path, problem.message)
                    .span(problem.position, problem.width)
                    .hint(problem.hint),
            );
        }
        waivers
    }
}

/// Sets one field of a decision; the message and hint when the value cannot be used.
fn set_field(
    decision: &mut Decision,
    key: &str,
    value: &Value,
    written: &str,
) -> Result<(), (String, String)> {
    match (key, value) {
        (_, Value::Null) => {}
        ("applicable", Value::Bool(b)) => decision.applicable = Some(*b),
        ("status", Value::String(s)) => {
            decision.status = Some(
                Implementation::ALL
                    .into_iter()
                    .find(|i| i.as_str() == s)
                    .ok_or_else(|| {
                        (
                            format!("`{s}` is not an implementation status ({written})"),
                            format!(
                                "use one of: {}",
                                Implementation::ALL.map(|i| i.as_str()).join(", ")
                            ),
                        )
                    })?,
            )
        }
        ("justification", Value::String(s)) => {
            decision.justification = Some(s.trim().to_string()).filter(|s| !s.is_empty())
        }
        ("owner", Value::String(s)) => decision.owner = Some(s.trim().to_string()),
        ("risks", Value::Sequence(items)) => {
            if let Some(item) = items.iter().find(|v| !v.is_string()) {
                return Err((
                    format!(
                        "`risks` of {written} lists {}, not a risk id",
                        crate::model::yaml::kind(item)
                    ),
                    "write risks: [R-01, R-07]: the ids of the risk register".to_string(),
                ));
            }
            decision.risks = items
                .iter()
                .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
                .collect()
        }
        ("risks", Value::String(s)) => decision.risks = vec![s.clone()],
        ("basis", Value::String(_) | Value::Sequence(_)) => decision.basis = basis(value, written)?,
        (known, _) if DECISION_KEYS.contains(&known) => {
            let hint = match known {
                "applicable" => "write applicable: true or applicable: false".to_string(),
                "risks" => "write risks: [R-01, R-07]".to_string(),
                "basis" => "write basis: [legal, contract]".to_string(),
                _ => format!("write {known}: <text>"),
            };
            return Err((format!("`{known}` of {written} has the wrong type"), hint));
        }
        (unknown, _) => {
            let hint = match did_you_mean(unknown, DECISION_KEYS) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the keys are: {}", DECISION_KEYS.join(", ")),
            };
            return Err((
                format!("unknown key `{unknown}` in the entry for {written}"),
                hint,
            ));
        }
    }
    Ok(())
}

/// `basis`: one value or a list of them.
fn basis(value: &Value, written: &str) -> Result<Vec<Basis>, (String, String)> {
    let items: Vec<&Value> = match value {
        Value::Sequence(items) => items.iter().collect(),
        single => vec![single],
    };
    let names = Basis::ALL.map(Basis::as_str);
    items
        .into_iter()
        .map(|item| {
            let Some(text) = item.as_str().map(str::trim) else {
                return Err((
                    format!(
                        "`basis` of {written} lists {}, not a basis",
                        crate::model::yaml::kind(item)
                    ),
                    format!("use one or more of: {}", names.join(", ")),
                ));
            };
            Basis::ALL
                .into_iter()
                .find(|b| b.as_str() == text)
                .ok_or_else(|| {
                    let hint = match did_you_mean(text, names) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("use one or more of: {}", names.join(", ")),
                    };
                    (format!("`{text}` is not a basis ({written})"), hint)
                })
        })
        .collect()
}

/// The first line, at or after line `from`, on which a key that `matches` is written.
fn find_key_line(
    text: &str,
    index: &LineIndex,
    from: usize,
    matches: impl Fn(&str) -> bool,
) -> Option<Position> {
    (from.max(1)..=index.line_count()).find_map(|line_no| {
        let line = index.line(text, line_no)?;
        let trimmed = line.trim_start();
        let indent = line.chars().count() - trimmed.chars().count();
        let key = trimmed
            .split(':')
            .next()?
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        (matches(key) && trimmed.contains(':')).then(|| Position::new(line_no, indent + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_decisions_with_positions() {
        let catalog = Catalog::iso27001_2022();
        let text = "version: \"1.0\"\nowner: CISO\ncontrols:\n  A.5.1:\n    applicable: true\n    status: implemented\n  \"7.4\":\n    applicable: false\n    justification: No premises of our own.\n";
        let (soa, problems) = Soa::parse("soa.yaml", text, &catalog);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(soa.control.unwrap().owner, "CISO");
        assert_eq!(
            soa.decisions["5.1"].status,
            Some(Implementation::Implemented)
        );
        assert_eq!(soa.decisions["7.4"].applicable, Some(false));
        assert_eq!(soa.decisions["7.4"].position, Position::new(7, 3));
        assert_eq!(soa.decisions["7.4"].state(), ControlState::Excluded);
    }

    #[test]
    fn numeric_keys_and_legacy_ids_are_refused() {
        let catalog = Catalog::iso27001_2022();
        let text = "version: \"1.0\"\nowner: CISO\ncontrols:\n  5.10:\n    applicable: true\n  A.9.2.1:\n    applicable: true\n";
        let (_, problems) = Soa::parse("soa.yaml", text, &catalog);
        let codes: Vec<_> = problems.iter().map(|p| (p.code, p.line)).collect();
        assert_eq!(codes, [(Code::UnquotedNumber, 4), (Code::LegacyControl, 6)]);
    }
}
