//! The settings of the registers: `[risks]` (the register's path, its scales and the
//! risk appetite), `[groups]` and `[acknowledgements]` (the roster and the records).

use super::checker::Checker;
use super::raw::{RawAcknowledgements, RawRisks};
use super::settings::{
    AckSettings, DEFAULT_IMPACT, DEFAULT_LIKELIHOOD, EVERYONE, Group, RiskSettings, Role,
};
use std::collections::BTreeMap;
use toml::Spanned;

/// The most labels a scale may have: more than 10 steps is not a judgement anyone
/// can make consistently.
const MAX_STEPS: usize = 10;

impl Checker<'_> {
    /// `[risks]`, with the classification levels to check its own against.
    pub fn risks(&mut self, raw: RawRisks, levels: &[String], default_level: &str) -> RiskSettings {
        let configured = raw.register.is_some();
        let register = self.file_setting(raw.register, "risks.yaml", "risk register");
        let likelihood = self.scale(raw.likelihood, "likelihood", &DEFAULT_LIKELIHOOD);
        let impact = self.scale(raw.impact, "impact", &DEFAULT_IMPACT);
        let max = likelihood.len() * impact.len();
        let appetite = match raw.appetite {
            None => (max / 4).max(1),
            Some(value) => match usize::try_from(*value.get_ref()) {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    self.error(
                        value.span(),
                        format!("appetite = {} is outside the ratings 1 to {max}", value.get_ref()),
                        "a rating is likelihood rank × impact rank: name the highest one accepted without an explicit acceptance",
                    );
                    1
                }
            },
        };
        let classification = match raw.classification {
            None => default_level.to_string(),
            Some(value) => self.level(value, "[risks] classification", levels),
        };
        RiskSettings {
            register,
            configured,
            likelihood,
            impact,
            appetite,
            classification,
        }
    }

    /// A rating scale: ordered labels, least first, each once.
    fn scale(
        &mut self,
        raw: Option<Spanned<Vec<String>>>,
        key: &str,
        default: &[&str],
    ) -> Vec<String> {
        let Some(labels) = raw else {
            return default.iter().map(|s| s.to_string()).collect();
        };
        let span = labels.span();
        let labels: Vec<String> = labels
            .into_inner()
            .iter()
            .map(|l| l.trim().to_string())
            .collect();
        let mut seen = Vec::new();
        let problem = if labels.len() < 2 || labels.len() > MAX_STEPS {
            Some(format!("{key} has {} labels", labels.len()))
        } else if labels.iter().any(|l| l.is_empty()) {
            Some(format!("{key} has an empty label"))
        } else if let Some(number) = labels.iter().find(|l| l.parse::<u64>().is_ok()) {
            // A rating may be written as a rank (1 = the first label): a label that
            // is a number would mean two things.
            Some(format!(
                "{key} has the label `{number}`, a number: ratings may be written as ranks, so labels must be words"
            ))
        } else {
            labels
                .iter()
                .find(|l| {
                    let lower = l.to_lowercase();
                    let twice = seen.contains(&lower);
                    seen.push(lower);
                    twice
                })
                .map(|l| format!("{key} lists `{l}` twice"))
        };
        match problem {
            Some(message) => {
                self.error(
                    span,
                    message,
                    &format!(
                        "list 2 to {MAX_STEPS} distinct labels, least first, e.g. {key} = [\"{}\"]",
                        default.join("\", \"")
                    ),
                );
                default.iter().map(|s| s.to_string()).collect()
            }
            None => labels,
        }
    }

    /// `[groups.NAME]`: audience names beside the roles, so they may not take a
    /// role's name.
    pub fn groups(
        &mut self,
        raw: BTreeMap<Spanned<String>, Group>,
        roles: &BTreeMap<String, Role>,
    ) -> BTreeMap<String, Group> {
        let mut groups = BTreeMap::new();
        for (name, group) in raw {
            let problem = if !super::checker::is_role_name(name.get_ref()) {
                Some((
                    format!("group name `{}` is not valid", name.get_ref()),
                    "use letters, digits, `-` and `_`, starting with a letter (e.g. engineering)",
                ))
            } else if roles.keys().any(|r| r.eq_ignore_ascii_case(name.get_ref())) {
                Some((
                    format!("group `{}` has the name of a role", name.get_ref()),
                    "documents name roles and groups alike in `audience`: give the group another name",
                ))
            } else if name.get_ref().eq_ignore_ascii_case(EVERYONE) {
                Some((
                    format!("`{EVERYONE}` is not a group of its own"),
                    "`audience: [everyone]` already means every person on the roster",
                ))
            } else {
                None
            };
            if let Some((message, hint)) = problem {
                self.error(name.span(), message, hint);
            }
            groups.insert(name.into_inner(), group);
        }
        groups
    }

    /// `[acknowledgements]`, when the ledger is kept.
    pub fn acknowledgements(
        &mut self,
        raw: Option<RawAcknowledgements>,
        levels: &[String],
    ) -> Option<AckSettings> {
        let raw = raw?;
        let roster = self.file_setting(Some(raw.roster), "", "roster");
        let records = self.file_setting(Some(raw.records), "", "records");
        let due_days = match raw.due_days {
            None => 30,
            Some(days) => match u32::try_from(*days.get_ref()) {
                Ok(n) if (1..=366).contains(&n) => n,
                _ => {
                    self.error(
                        days.span(),
                        format!("due-days = {} is out of range", days.get_ref()),
                        "use a number of days from 1 to 366; 30 is usual",
                    );
                    30
                }
            },
        };
        // People's names are personal data: by default as sensitive as the levels go
        // up to `confidential`.
        let classification = match raw.classification {
            Some(value) => self.level(value, "[acknowledgements] classification", levels),
            None => levels
                .iter()
                .find(|l| *l == "confidential")
                .or(levels.last())
                .cloned()
                .unwrap_or_default(),
        };
        Some(AckSettings {
            roster,
            records,
            due_days,
            classification,
        })
    }
}
