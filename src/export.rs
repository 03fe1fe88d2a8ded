//! Machine-readable exports written next to the HTML: `handbook.json` (documents with
//! metadata and revisions, controls with decisions and implementing documents, clause
//! coverage), `register.csv` and `soa.csv`. Deterministic: the same commit gives the
//! same bytes (no build time, sorted keys and rows).

use crate::catalog::{CoveredBy, DocInfoKind};
use crate::checks;
use crate::document::{DocType, Status, Version};
use crate::history::{History, Revision};
use crate::render::{Register, Site, page_of};
use chrono::NaiveDate;
use serde::Serialize;

/// A control as exported.
#[derive(Debug, Serialize)]
pub struct ControlExport {
    pub id: String,
    pub title: String,
    pub theme: &'static str,
    pub catalog: String,
    pub applicable: &'static str,
    pub status: Option<&'static str>,
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub risks: Vec<String>,
    /// Ids of the published documents that implement it.
    pub documents: Vec<String>,
}

#[derive(Serialize)]
struct Handbook<'a> {
    book: Book<'a>,
    source: Source<'a>,
    documents: Vec<Document<'a>>,
    controls: &'a [ControlExport],
    clause_coverage: Vec<Coverage<'a>>,
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

/// Adds the exports to the site. `published` are the published documents with
/// their revisions, in path order.
pub(crate) fn write(
    site: &mut Site,
    handbook: &crate::handbook::Handbook,
    history: &History,
    published: &[(&crate::document::Document, &[Revision])],
    register: &[Register],
    controls: &[ControlExport],
    today: NaiveDate,
) {
    let documents: Vec<Document<'_>> = published
        .iter()
        .filter_map(|(doc, revisions)| {
            let meta = doc.meta.as_ref()?;
            let next_review = (meta.status == Status::Approved)
                .then(|| checks::next_review(handbook, meta))
                .flatten();
            Some(Document {
                id: &meta.id,
                title: &meta.title,
                doc_type: meta.doc_type,
                version: meta.version,
                status: meta.status,
                owner: &meta.owner,
                approvers: meta.approvers.iter().map(|a| a.value.as_str()).collect(),
                approved_by: meta.approved_by.as_deref(),
                approved_on: meta.approved_on,
                effective: meta.effective.or(meta.approved_on),
                reviewed_on: meta.reviewed_on,
                next_review,
                overdue: next_review.is_some_and(|d| d < today),
                classification: &meta.classification,
                controls: meta
                    .controls
                    .iter()
                    .map(|c| crate::catalog::canonical_id(&c.value))
                    .collect(),
                clauses: meta.clauses.iter().map(|c| c.value.as_str()).collect(),
                related: meta.related.iter().map(|r| r.value.as_str()).collect(),
                change: meta.change.as_deref(),
                path: &doc.path,
                url: page_of(&doc.path),
                revisions,
                extra: &meta.extra,
            })
        })
        .collect();
    let approved: Vec<&crate::document::FrontMatter> = published
        .iter()
        .filter_map(|(d, _)| d.meta.as_ref())
        .filter(|m| m.status == Status::Approved)
        .collect();
    let clause_coverage = handbook
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
        .collect();
    let book = &handbook.config.book;
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
        controls,
        clause_coverage,
    };
    // Compact: the file is for tools (and large); `jq .` makes it readable.
    let mut bytes = serde_json::to_vec(&json).expect("serializes");
    bytes.push(b'\n');
    site.files.insert("handbook.json".to_string(), bytes);

    let mut csv = String::from("id,title,type,version,status,owner,approved_on,next_review\n");
    for row in register {
        csv_row(&mut csv, &row.export());
    }
    site.files
        .insert("register.csv".to_string(), csv.into_bytes());

    let mut csv =
        String::from("control,title,theme,applicable,status,justification,owner,risks,documents\n");
    for c in controls
        .iter()
        .filter(|c| c.catalog == crate::catalog::ANNEX_A)
    {
        let label = format!("A.{}", c.id);
        let risks = c.risks.join(" ");
        let documents = c.documents.join(" ");
        csv_row(
            &mut csv,
            &[
                &label,
                &c.title,
                c.theme,
                c.applicable,
                c.status.unwrap_or(""),
                c.justification.as_deref().unwrap_or(""),
                c.owner.as_deref().unwrap_or(""),
                &risks,
                &documents,
            ],
        );
    }
    site.files.insert("soa.csv".to_string(), csv.into_bytes());
}

/// One CSV row (RFC 4180: fields with a comma, quote or line break are quoted).
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
