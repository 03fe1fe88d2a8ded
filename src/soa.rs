//! The Statement of Applicability (ISO/IEC 27001 6.1.3 d): for every Annex A control,
//! whether it applies, how far it is implemented, and why.

use crate::catalog::{Catalog, ControlRef};
use crate::diagnostic::{Diagnostic, LineIndex, Position, did_you_mean};
use serde::Serialize;
use serde_yaml::Value;
use std::collections::BTreeMap;

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
    #[serde(skip)]
    pub position: Position,
    /// Width of the control key as written, for the caret underline.
    #[serde(skip)]
    pub width: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Soa {
    pub path: String,
    /// By canonical control id.
    pub decisions: BTreeMap<String, Decision>,
    /// Where `controls:` is, for problems about the file as a whole.
    pub position: Position,
}

const TOP_KEYS: [&str; 1] = ["controls"];
const DECISION_KEYS: [&str; 5] = ["applicable", "status", "justification", "owner", "risks"];

impl Soa {
    /// Parses the SoA file; problems are returned alongside what could be read.
    pub fn parse(path: &str, text: &str, catalog: &Catalog) -> (Soa, Vec<Diagnostic>) {
        let index = LineIndex::new(text);
        let mut soa = Soa {
            path: path.to_string(),
            position: Position::new(1, 1),
            ..Soa::default()
        };
        let mut problems = Vec::new();
        let value: Value = match serde_yaml::from_str(text) {
            Ok(value) => value,
            Err(e) => {
                let position = e
                    .location()
                    .map_or(Position::new(1, 1), |l| Position::new(l.line(), l.column()));
                let message = e.to_string();
                let message = message
                    .find(" at line ")
                    .map_or(message.as_str(), |i| &message[..i]);
                problems.push(
                    Diagnostic::error("yaml-syntax", path, format!("invalid YAML: {message}"))
                        .at(position)
                        .hint("the SoA is YAML: `controls:` then one `A.5.1:` block per control"),
                );
                return (soa, problems);
            }
        };
        let find =
            |needle: &str, from: usize| find_key_line(text, &index, from, |key| key == needle);
        let Value::Mapping(top) = value else {
            problems.push(
                Diagnostic::error(
                    "soa-invalid",
                    path,
                    "the SoA must be a map with a `controls:` key",
                )
                .at(Position::new(1, 1))
                .hint("write `controls:` then one `A.5.1:` block per control"),
            );
            return (soa, problems);
        };
        for key in top.keys() {
            let name = key.as_str().unwrap_or("?");
            if !TOP_KEYS.contains(&name) {
                problems.push(
                    Diagnostic::error("unknown-key", path, format!("unknown key `{name}`"))
                        .at(find(name, 1).unwrap_or(Position::new(1, 1)))
                        .hint("the SoA has one key, `controls`"),
                );
            }
        }
        soa.position = find("controls", 1).unwrap_or(Position::new(1, 1));
        let controls = match top.get("controls") {
            Some(Value::Mapping(controls)) => controls,
            Some(Value::Null) | None => return (soa, problems),
            Some(_) => {
                problems.push(
                    Diagnostic::error(
                        "soa-invalid",
                        path,
                        "`controls` must be a map of control ids",
                    )
                    .at(soa.position)
                    .hint("write one `A.5.1:` block per control under `controls:`"),
                );
                return (soa, problems);
            }
        };

        let mut search_from = soa.position.line;
        for (key, entry) in controls {
            let written = match key {
                Value::String(s) => s.clone(),
                Value::Number(n) => {
                    let shown = n.to_string();
                    let same_number = |key: &str| key.parse::<f64>().ok() == n.as_f64();
                    let position = find_key_line(text, &index, search_from, same_number)
                        .unwrap_or(soa.position);
                    search_from = position.line;
                    let raw = index
                        .line(text, position.line)
                        .and_then(|l| l.split(':').next())
                        .map_or(shown.clone(), |k| k.trim().to_string());
                    problems.push(
                        Diagnostic::error(
                            "unquoted-number",
                            path,
                            format!("control key `{raw}` is read by YAML as the number {shown}"),
                        )
                        .at(position)
                        .hint(format!("write the key as A.{raw}: so it stays text")),
                    );
                    continue;
                }
                _ => continue,
            };
            let position = find(&written, search_from).unwrap_or(soa.position);
            search_from = position.line;
            let id = match catalog.resolve(&written) {
                ControlRef::Known(control) => control.id.clone(),
                ControlRef::Legacy(new) => {
                    let ids: Vec<_> = new.iter().map(|c| format!("A.{}", c.id)).collect();
                    problems.push(
                        Diagnostic::error(
                            "legacy-control",
                            path,
                            format!("`{written}` is an ISO/IEC 27001:2013 control id"),
                        )
                        .at(position)
                        .hint(format!(
                            "the 2022 control that replaces it: {}",
                            ids.join(", ")
                        )),
                    );
                    continue;
                }
                ControlRef::Unknown => {
                    problems.push(
                        Diagnostic::error("unknown-control", path, format!("`{written}` is not a known control"))
                            .at(position)
                            .hint("Annex A controls are A.5.1 to A.5.37, A.6.1 to A.6.8, A.7.1 to A.7.14 and A.8.1 to A.8.34"),
                    );
                    continue;
                }
            };
            let decision = parse_decision(path, &written, entry, position, &mut problems);
            if soa.decisions.contains_key(&id) {
                problems.push(
                    Diagnostic::error(
                        "soa-duplicate",
                        path,
                        format!("control {id} is decided twice"),
                    )
                    .at(position)
                    .hint("keep one entry per control"),
                );
                continue;
            }
            if let Some(decision) = decision {
                soa.decisions.insert(id, decision);
            }
        }
        (soa, problems)
    }
}

fn parse_decision(
    path: &str,
    written: &str,
    entry: &Value,
    position: Position,
    problems: &mut Vec<Diagnostic>,
) -> Option<Decision> {
    let mut error = |message: String, hint: String| {
        problems.push(
            Diagnostic::error("soa-invalid", path, message)
                .at(position)
                .hint(hint),
        );
    };
    let map = match entry {
        Value::Mapping(map) => map.clone(),
        Value::Null => Default::default(),
        _ => {
            error(
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
        position,
        width: written.chars().count(),
    };
    for (key, value) in &map {
        let key = key.as_str().unwrap_or("?");
        match (key, value) {
            (_, Value::Null) => {}
            ("applicable", Value::Bool(b)) => decision.applicable = Some(*b),
            ("status", Value::String(s)) => {
                match Implementation::ALL.into_iter().find(|i| i.as_str() == s) {
                    Some(status) => decision.status = Some(status),
                    None => error(
                        format!("`{s}` is not an implementation status ({written})"),
                        format!(
                            "use one of: {}",
                            Implementation::ALL.map(|i| i.as_str()).join(", ")
                        ),
                    ),
                }
            }
            ("justification", Value::String(s)) => {
                decision.justification = Some(s.trim().to_string()).filter(|s| !s.is_empty())
            }
            ("owner", Value::String(s)) => decision.owner = Some(s.trim().to_string()),
            ("risks", Value::Sequence(items)) => {
                decision.risks = items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            }
            ("risks", Value::String(s)) => decision.risks = vec![s.clone()],
            (known, _) if DECISION_KEYS.contains(&known) => error(
                format!("`{known}` of {written} has the wrong type"),
                match known {
                    "applicable" => "write applicable: true or applicable: false".to_string(),
                    "risks" => "write risks: [R-01, R-07]".to_string(),
                    _ => format!("write {known}: <text>"),
                },
            ),
            (unknown, _) => error(
                format!("unknown key `{unknown}` in the entry for {written}"),
                match did_you_mean(unknown, DECISION_KEYS) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("the keys are: {}", DECISION_KEYS.join(", ")),
                },
            ),
        }
    }
    Some(decision)
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
        let text = "controls:\n  A.5.1:\n    applicable: true\n    status: implemented\n  \"7.4\":\n    applicable: false\n    justification: No premises of our own.\n";
        let (soa, problems) = Soa::parse("soa.yaml", text, &catalog);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            soa.decisions["5.1"].status,
            Some(Implementation::Implemented)
        );
        assert_eq!(soa.decisions["7.4"].applicable, Some(false));
        assert_eq!(soa.decisions["7.4"].position, Position::new(5, 3));
    }

    #[test]
    fn numeric_keys_and_legacy_ids_are_refused() {
        let catalog = Catalog::iso27001_2022();
        let text = "controls:\n  5.10:\n    applicable: true\n  A.9.2.1:\n    applicable: true\n";
        let (_, problems) = Soa::parse("soa.yaml", text, &catalog);
        let codes: Vec<_> = problems.iter().map(|p| (p.code, p.line)).collect();
        assert_eq!(codes, [("unquoted-number", 2), ("legacy-control", 4)]);
    }
}
