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
    /// Accepted exceptions to checks of this document.
    pub waivers: Vec<Waiver>,
    pub extra: serde_json::Value,
}

/// The front-matter keys, in the order `ismsbook new` writes them.
pub const KEYS: [&str; 19] = [
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
