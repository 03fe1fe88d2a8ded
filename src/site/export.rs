//! Machine-readable exports written next to the HTML: `handbook.json` (documents with
//! metadata and revisions, controls with decisions and implementing documents, clause
//! coverage), `register.csv` and `soa.csv`. Deterministic: the same commit gives the
//! same bytes (no build time, sorted keys and rows).

use super::html::page_of;
use super::views::{ControlRow, RegisterRow};
use crate::checks::Waived;
use crate::history::{History, Revision};
use crate::model::catalog::{CoveredBy, DocInfoKind, canonical_id};
use crate::model::document::{Document as Doc, FrontMatter};
use crate::model::handbook::Handbook as Model;
use crate::model::kinds::{DocType, Status, Version};
use crate::model::soa::{Applicability, Implementation};
use chrono::NaiveDate;
use serde::Serialize;

/// A control as exported.
#[derive(Debug, Serialize)]
pub struct ControlExport<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub theme: &'static str,
    pub catalog: &'a str,
    pub applicable: Applicability,
    pub status: Option<Implementation>,
    pub justification: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub risks: &'a [String],
    /// Ids of the published documents that implement it.
    pub documents: Vec<&'a str>,
}

impl<'a> ControlExport<'a> {
    fn of(row: &'a ControlRow) -> ControlExport<'a> {
        ControlExport {
            id: &row.id,
            title: &row.title,
            theme: row.theme_label,
            catalog: &row.catalog,
            applicable: row.applicable,
            status: row.status,
            justification: row.justification.as_deref(),
            owner: row.owner.as_deref(),
            risks: &row.risks,
            documents: row.documents.iter().map(|d| d.id.as_str()).collect(),
        }
    }
}

#[derive(Serialize)]
struct Handbook<'a> {
    book: Book<'a>,
    source: Source<'a>,
    documents: Vec<Document<'a>>,
    controls: Vec<ControlExport<'a>>,
    clause_coverage: Vec<Coverage<'a>>,
    /// Every active waiver: the exceptions the organisation accepted.
    waivers: &'a [Waived],
}

#[derive(Serialize)]
struct Book<'a> {
    title: &'a str,
    organization: &'a str,
    language: &'a str,
}

#[derive(Serialize)]
struct Source<'a> {
    commit: Option<&'a str>,
    history_complete: bool,
}

#[derive(Serialize)]
struct Document<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(rename = "type")]
    doc_type: DocType,
    version: Version,
    status: Status,
    owner: &'a str,
    approvers: Vec<&'a str>,
    approved_by: Option<&'a str>,
    approved_on: Option<NaiveDate>,
    effective: Option<NaiveDate>,
    reviewed_on: Option<NaiveDate>,
    next_review: Option<NaiveDate>,
    overdue: bool,
    classification: &'a str,
    controls: Vec<&'a str>,
    clauses: Vec<&'a str>,
    related: Vec<&'a str>,
    change: Option<&'a str>,
    path: &'a str,
    url: String,
    revisions: &'a [Revision],
    extra: &'a serde_json::Value,
}

#[derive(Serialize)]
struct Coverage<'a> {
    clause: &'a str,
    item: Option<&'a str>,
    kind: &'static str,
    what: &'a str,
    covered_by: Option<CoveredBy>,
    documents: Vec<&'a str>,
    covered: bool,
}

/// The exports, as output paths and bytes. `published` are the published documents
/// with their revisions, in path order.
pub fn files(
    model: &Model,
    history: &History,
    published: &[(&Doc, &[Revision])],
    register: &[RegisterRow],
    controls: &[ControlRow],
    waivers: &[Waived],
    today: NaiveDate,
) -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "handbook.json".to_string(),
            handbook_json(model, history, published, controls, waivers, today),
        ),
        ("register.csv".to_string(), register_csv(register)),
        ("soa.csv".to_string(), soa_csv(controls)),
    ]
}

fn handbook_json(
    model: &Model,
    history: &History,
    published: &[(&Doc, &[Revision])],
    controls: &[ControlRow],
    waivers: &[Waived],
    today: NaiveDate,
) -> Vec<u8> {
    let documents: Vec<Document<'_>> = published
        .iter()
        .filter_map(|(doc, revisions)| {
            let meta = doc.meta.as_ref()?;
            Some(document(model, doc, meta, revisions, today))
        })
        .collect();
    let approved: Vec<&FrontMatter> = published
        .iter()
        .filter_map(|(d, _)| d.meta.as_ref())
        .filter(|m| m.control.status == Status::Approved)
        .collect();
    let book = &model.config.book;
    let json = Handbook {
        book: Book {
            title: &book.title,
            organization: &book.organization,
            language: &book.language,
        },
        source: Source {
            commit: history.head(),
            history_complete: history.is_complete(),
        },
        documents,
        controls: controls.iter().map(ControlExport::of).collect(),
        clause_coverage: coverage(model, &approved),
        waivers,
    };
    // Compact: the file is for tools (and large); `jq .` makes it readable.
    let mut bytes = serde_json::to_vec(&json).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn document<'a>(
    model: &Model,
    doc: &'a Doc,
    meta: &'a FrontMatter,
    revisions: &'a [Revision],
    today: NaiveDate,
) -> Document<'a> {
    let next_review = (meta.control.status == Status::Approved)
        .then(|| model.next_review(&meta.control))
        .flatten();
    Document {
        id: &meta.id,
        title: &meta.title,
        doc_type: meta.doc_type,
        version: meta.control.version,
        status: meta.control.status,
        owner: &meta.control.owner,
        approvers: meta
            .control
            .approvers
            .iter()
            .map(|a| a.value.as_str())
            .collect(),
        approved_by: meta.control.approved_by.as_deref(),
        approved_on: meta.control.approved_on,
        effective: meta.control.effective.or(meta.control.approved_on),
        reviewed_on: meta.control.reviewed_on,
        next_review,
        overdue: next_review.is_some_and(|d| d < today),
        classification: &meta.classification,
        controls: meta
            .controls
            .iter()
            .map(|c| canonical_id(&c.value))
            .collect(),
        clauses: meta.clauses.iter().map(|c| c.value.as_str()).collect(),
        related: meta.related.iter().map(|r| r.value.as_str()).collect(),
        change: meta.control.change.as_deref(),
        path: &doc.path,
        url: page_of(&doc.path),
        revisions,
        extra: &meta.extra,
    }
}

/// The mandatory documented information and the approved documents covering each.
fn coverage<'a>(model: &'a Model, approved: &[&'a FrontMatter]) -> Vec<Coverage<'a>> {
    model
        .catalog
        .mandatory()
        .iter()
        .map(|item| {
            let covering: Vec<&str> = approved
                .iter()
                .filter(|m| {
                    m.clauses
                        .iter()
                        .any(|c| item.is_covered_by_clause(c.value.trim()))
                })
                .map(|m| m.id.as_str())
                .collect();
            Coverage {
                clause: &item.clause,
                item: item.item.as_deref(),
                kind: match item.kind {
                    DocInfoKind::Document => "document",
                    DocInfoKind::Record => "record",
                },
                what: &item.what,
                covered_by: item.covered_by,
                covered: item.covered_by.is_some() || !covering.is_empty(),
                documents: covering,
            }
        })
        .collect()
}

fn register_csv(register: &[RegisterRow]) -> Vec<u8> {
    let mut csv = String::from("id,title,type,version,status,owner,approved_on,next_review\n");
    for row in register {
        let fields = row.csv_fields();
        csv_row(&mut csv, &fields.each_ref().map(String::as_str));
    }
    csv.into_bytes()
}

fn soa_csv(controls: &[ControlRow]) -> Vec<u8> {
    let mut csv =
        String::from("control,title,theme,applicable,status,justification,owner,risks,documents\n");
    for c in controls.iter().filter(|c| c.annex_a) {
        let documents: Vec<&str> = c.documents.iter().map(|d| d.id.as_str()).collect();
        csv_row(
            &mut csv,
            &[
                &format!("A.{}", c.id),
                &c.title,
                c.theme_label,
                c.applicable.as_str(),
                c.status.map_or("", |s| s.as_str()),
                c.justification.as_deref().unwrap_or(""),
                c.owner.as_deref().unwrap_or(""),
                &c.risks.join(" "),
                &documents.join(" "),
            ],
        );
    }
    csv.into_bytes()
}

/// One CSV row (RFC 4180: fields with a comma, quote or line break are quoted).
/// Written here rather than with the `csv` crate: three small files of text cells,
/// and the formula guard below is the part that matters.
fn csv_row(out: &mut String, fields: &[&str]) {
    let cells: Vec<String> = fields
        .iter()
        .map(|f| {
            // A leading = + - @ would be a formula to a spreadsheet: quote it as text.
            let guarded = if f.starts_with(['=', '+', '-', '@']) {
                format!("'{f}")
            } else {
                f.to_string()
            };
            if guarded.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", guarded.replace('"', "\"\""))
            } else {
                guarded
            }
        })
        .collect();
    out.push_str(&cells.join(","));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_guards_formulas() {
        let mut out = String::new();
        csv_row(&mut out, &["a,b", "say \"hi\"", "=SUM(A1)", "plain"]);
        assert_eq!(out, "\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),plain\n");
    }
}
