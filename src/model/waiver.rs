//! Waivers: an accepted exception to one check, for one document or one control of
//! the SoA, with the reason and the day it ends. An active waiver silences that code
//! there; an expired one is an error. Auditors see every waiver on the gaps page.

use crate::diagnostic::Code;
use crate::model::kinds::parse_date;
use crate::model::yaml::kind;
use crate::text::{Position, did_you_mean};
use chrono::NaiveDate;
use serde::Serialize;
use serde_yaml::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub code: Code,
    pub reason: String,
    pub until: NaiveDate,
    #[serde(skip)]
    pub position: Position,
    #[serde(skip)]
    pub width: usize,
}

/// A problem with a `waivers` list: where, what and how to fix it.
pub struct Problem {
    pub position: Position,
    pub width: usize,
    pub message: String,
    pub hint: String,
}

const KEYS: [&str; 3] = ["code", "reason", "until"];

/// Reads a `waivers:` list of `{code, reason, until}` maps. `place` finds where a
/// text (an item's code) is written, searching on from the previous item.
pub fn parse_list(
    value: &Value,
    place: &mut dyn FnMut(&str) -> (Position, usize),
) -> (Vec<Waiver>, Vec<Problem>) {
    let mut waivers = Vec::new();
    let mut problems = Vec::new();
    let items = match value {
        Value::Null => return (waivers, problems),
        Value::Sequence(items) => items.as_slice(),
        other => {
            let (position, width) = place("waivers");
            problems.push(Problem {
                position,
                width,
                message: format!("`waivers` must be a list, not {}", kind(other)),
                hint: "write waivers: [{code: review-overdue, reason: \"…\", until: 2027-01-31}]"
                    .to_string(),
            });
            return (waivers, problems);
        }
    };
    for item in items {
        match parse_one(item, place) {
            Ok(waiver) => waivers.push(waiver),
            Err(problem) => problems.push(problem),
        }
    }
    (waivers, problems)
}

fn parse_one(
    item: &Value,
    place: &mut dyn FnMut(&str) -> (Position, usize),
) -> Result<Waiver, Problem> {
    let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::trim);
    let (position, width) = place(text("code").unwrap_or("waivers"));
    let problem = |message: String, hint: &str| Problem {
        position,
        width,
        message,
        hint: hint.to_string(),
    };
    let Value::Mapping(map) = item else {
        return Err(problem(
            format!("a waiver must be a map, not {}", kind(item)),
            "write {code: review-overdue, reason: \"…\", until: 2027-01-31}",
        ));
    };
    if let Some(unknown) = map
        .keys()
        .map(|k| k.as_str().unwrap_or("?"))
        .find(|k| !KEYS.contains(k))
    {
        return Err(problem(
            format!("unknown key `{unknown}` in a waiver"),
            "a waiver has code, reason and until",
        ));
    }
    let name = text("code").unwrap_or_default();
    let code = Code::parse(name).ok_or_else(|| {
        let hint = match did_you_mean(name, Code::ALL.iter().map(|c| c.as_str())) {
            Some(close) => format!("did you mean `{close}`? docs/checks.md lists every code"),
            None => "name the diagnostic code the waiver accepts, e.g. review-overdue".to_string(),
        };
        problem(format!("`{name}` is not a diagnostic code"), &hint)
    })?;
    if !code.is_configurable() {
        return Err(problem(
            format!("`{code}` cannot be waived"),
            "it reports input that cannot be read: fix the input instead",
        ));
    }
    let reason = text("reason").filter(|r| !r.is_empty()).ok_or_else(|| {
        problem(
            format!("the waiver of `{code}` gives no reason"),
            "say why the exception is accepted, and who accepted it: reason: \"…\"",
        )
    })?;
    let until = text("until").ok_or_else(|| {
        problem(
            format!("the waiver of `{code}` has no `until` date"),
            "every exception ends: until: YYYY-MM-DD, the day it is reviewed again",
        )
    })?;
    let until = parse_date(until).map_err(|why| {
        problem(
            why.message(until),
            "write the date as YYYY-MM-DD, e.g. until: 2027-01-31",
        )
    })?;
    Ok(Waiver {
        code,
        reason: reason.to_string(),
        until,
        position,
        width,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> (Vec<Waiver>, Vec<String>) {
        let value: Value = serde_yaml::from_str(yaml).unwrap();
        let (waivers, problems) = parse_list(&value, &mut |_| (Position::new(1, 1), 1));
        (waivers, problems.into_iter().map(|p| p.message).collect())
    }

    #[test]
    fn waivers_name_a_code_a_reason_and_an_end() {
        let (waivers, problems) =
            parse("- {code: review-overdue, reason: Reorganisation, until: 2027-01-31}");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(waivers[0].code, Code::ReviewOverdue);
        assert_eq!(waivers[0].until.to_string(), "2027-01-31");
        let (_, problems) = parse(
            "- {code: review-overdu, reason: x, until: 2027-01-31}\n- {code: yaml-syntax, reason: x, until: 2027-01-31}\n- {code: review-overdue, until: 2027-01-31}\n- {code: review-overdue, reason: x}\n- {code: review-overdue, reason: x, until: 2027-02-30}",
        );
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems[1].contains("cannot be waived"));
        assert!(problems[4].contains("February 2027 has 28 days"));
    }
}
