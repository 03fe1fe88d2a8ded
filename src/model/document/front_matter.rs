//! The front-matter contract: the fields of a controlled document, typed, and the
//! keys an author may write (docs: the front-matter reference in README.md).

use crate::model::kinds::{DocType, Status, Version};
use crate::model::waiver::Waiver;
use crate::text::Position;
use chrono::NaiveDate;
use serde::Serialize;

/// A value as written, with where it was written (for list items such as controls).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    pub value: T,
    #[serde(skip)]
    pub position: Position,
    #[serde(skip)]
    pub width: usize,
}

/// The document-control fields every controlled file has: a document's front matter,
/// and the top of the SoA. Version, approval and review live here.
#[derive(Debug, Clone, Serialize)]
pub struct ControlBlock {
    pub version: Version,
    pub status: Status,
    pub owner: String,
    /// Roles that may approve; defaults to the owner.
    pub approvers: Vec<Located<String>>,
    pub approved_by: Option<String>,
    pub approved_on: Option<NaiveDate>,
    pub effective: Option<NaiveDate>,
    /// Last review that confirmed the file without changing it.
    pub reviewed_on: Option<NaiveDate>,
    pub review_months: Option<u32>,
    pub change: Option<String>,
}

/// The document-control keys.
pub const CONTROL_KEYS: [&str; 10] = [
    "version",
    "status",
    "owner",
    "approvers",
    "approved_by",
    "approved_on",
    "effective",
    "reviewed_on",
    "review_months",
    "change",
];

/// How long a record is kept (DC-28).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// A period from the record's approval: `3y`, `18m`, `90d`.
    Period {
        amount: u32,
        unit: char,
    },
    /// Until a newer record replaces it.
    UntilSuperseded,
    Permanent,
}

impl std::fmt::Display for Retention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Retention::Period { amount, unit } => write!(f, "{amount}{unit}"),
            Retention::UntilSuperseded => f.write_str("until-superseded"),
            Retention::Permanent => f.write_str("permanent"),
        }
    }
}

impl std::str::FromStr for Retention {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "until-superseded" => return Ok(Retention::UntilSuperseded),
            "permanent" => return Ok(Retention::Permanent),
            _ => {}
        }
        let unit = text
            .chars()
            .last()
            .filter(|u| matches!(u, 'y' | 'm' | 'd'))
            .ok_or(())?;
        let amount: u32 = text[..text.len() - 1].parse().map_err(|_| ())?;
        if amount == 0 {
            return Err(());
        }
        Ok(Retention::Period { amount, unit })
    }
}

impl Serialize for Retention {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Where a document comes from (DC-29): written here, or external (a law, a contract,
/// a standard, a supplier's document) kept and reviewed like any other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "origin", rename_all = "lowercase")]
pub enum Provenance {
    #[default]
    Internal,
    External {
        /// Where it comes from: a publisher, a URL.
        source: Option<String>,
        /// The version or edition of the external document.
        source_version: Option<String>,
        source_date: Option<NaiveDate>,
    },
}

/// The front-matter fields, typed and complete.
#[derive(Debug, Clone, Serialize)]
pub struct FrontMatter {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub doc_type: DocType,
    #[serde(flatten)]
    pub control: ControlBlock,
    pub classification: String,
    /// The document's language (a BCP 47 tag) when not book.toml's.
    pub language: Option<String>,
    /// Control references as written (`5.15`, `A.5.15`); resolved by the handbook.
    pub controls: Vec<Located<String>>,
    pub clauses: Vec<Located<String>>,
    pub related: Vec<Located<String>>,
    /// Roles and groups (book.toml) who must read and acknowledge the document.
    pub audience: Vec<Located<String>>,
    /// How long a record is kept.
    pub retention: Option<Retention>,
    #[serde(flatten)]
    pub provenance: Provenance,
    /// Accepted exceptions to checks of this document.
    pub waivers: Vec<Waiver>,
    pub extra: serde_json::Value,
}

/// The front-matter keys, in the order `ismsbook new` writes them.
pub const KEYS: [&str; 26] = [
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
    "language",
    "controls",
    "clauses",
    "related",
    "audience",
    "change",
    "retention",
    "origin",
    "source",
    "source_version",
    "source_date",
    "waivers",
    "extra",
];

/// Keys other tools use, with what to write instead.
pub const FOREIGN_KEYS: [(&str, &str); 9] = [
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

/// What a document defaults to from its configuration.
pub struct Defaults<'a> {
    pub doc_type: DocType,
    pub classification: &'a str,
}
