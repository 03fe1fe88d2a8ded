//! The vocabulary of documented information: document types, life-cycle states,
//! versions, ids and dates, with their text forms.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
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

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("not a YYYY-MM-DD date")]
    Format,
    #[error("there is no month {0}")]
    NoSuchMonth(u32),
    #[error("{month} has {days} days")]
    NoSuchDay { month: String, days: u32 },
}

impl DateError {
    /// "`2026-02-30` is not a valid date: February 2026 has 28 days".
    pub fn message(&self, text: &str) -> String {
        match self {
            DateError::Format => format!("`{text}` is not a valid date"),
            why => format!("`{text}` is not a valid date: {why}"),
        }
    }
}

/// An ISO 8601 calendar date; the error says why, when it can.
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    // The usual shape, read directly: chrono's format parser is slow for the
    // hundreds of thousands of dates an acknowledgement ledger holds.
    let b = text.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let digits = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
            && let Some(date) = i32::try_from(y)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
        {
            return Ok(date);
        }
    }
    let parts: Vec<&str> = text.split('-').collect();
    if let [y, m, d] = parts.as_slice()
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
    {
        if !(1..=12).contains(&m) {
            return Err(DateError::NoSuchMonth(m));
        }
        if let Some(last) = NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .and_then(|next| next.pred_opt())
        {
            use chrono::Datelike;
            if d > last.day() {
                return Err(DateError::NoSuchDay {
                    month: last.format("%B %Y").to_string(),
                    days: last.day(),
                });
            }
        }
    }
    Err(DateError::Format)
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
            parse_date("2026-02-30").unwrap_err().message("2026-02-30"),
            "`2026-02-30` is not a valid date: February 2026 has 28 days"
        );
        assert_eq!(
            parse_date("2026-13-01").unwrap_err(),
            DateError::NoSuchMonth(13)
        );
        assert_eq!(parse_date("2026-2-1").unwrap_err(), DateError::Format);
        assert!(parse_date("2024-02-29").is_ok());
    }
}
