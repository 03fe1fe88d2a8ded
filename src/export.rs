//! Machine-readable exports written next to the HTML: `handbook.json` (documents with
//! metadata and revisions, controls with decisions and implementing documents, clause
//! coverage), `register.csv` and `soa.csv`. Deterministic: the same commit gives the
//! same bytes (no build time, sorted keys and rows).

use crate::catalog::DocInfoKind;
use crate::checks;
use crate::handbook::Handbook;
use crate::history::History;
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

pub(crate) fn write(
    site: &mut Site,
    handbook: &Handbook,
    history: &History,
    register: &[Register],
    controls: &[ControlExport],
    today: NaiveDate,
) {
    let published: std::collections::HashSet<String> = site.files.keys().cloned().collect();
    let documents: Vec<serde_json::Value> = handbook
        .valid()
        .filter(|(d, _)| published.contains(&page_of(&d.path)))
        .map(|(doc, meta)| {
            let next_review = (meta.status == crate::document::Status::Approved).then(|| checks::next_review(handbook, meta)).flatten();
            serde_json::json!({
                "id": meta.id,
                "title": meta.title,
                "type": meta.doc_type,
                "version": meta.version,
                "status": meta.status,
                "owner": meta.owner,
                "approvers": meta.approvers.iter().map(|a| &a.value).collect::<Vec<_>>(),
                "approved_by": meta.approved_by,
                "approved_on": meta.approved_on,
                "effective": meta.effective.or(meta.approved_on),
                "reviewed_on": meta.reviewed_on,
                "next_review": next_review,
                "overdue": next_review.is_some_and(|d| d < today),
                "classification": meta.classification,
                "controls": meta.controls.iter().map(|c| crate::catalog::canonical_id(&c.value)).collect::<Vec<_>>(),
                "clauses": meta.clauses.iter().map(|c| &c.value).collect::<Vec<_>>(),
                "related": meta.related.iter().map(|r| &r.value).collect::<Vec<_>>(),
                "change": meta.change,
                "path": doc.path,
                "url": page_of(&doc.path),
                "revisions": history.revisions(&doc.path),
                "extra": meta.extra,
            })
        })
        .collect();
    let coverage: Vec<serde_json::Value> = handbook
        .catalog
        .mandatory()
        .iter()
        .map(|item| {
            let covering: Vec<&str> = handbook
                .valid()
                .filter(|(d, m)| m.status == crate::document::Status::Approved && published.contains(&page_of(&d.path)))
                .filter(|(_, m)| m.clauses.iter().any(|c| item.is_covered_by_clause(c.value.trim())))
                .map(|(_, m)| m.id.as_str())
                .collect();
            serde_json::json!({
                "clause": item.clause,
                "item": item.item,
                "kind": match item.kind { DocInfoKind::Document => "document", DocInfoKind::Record => "record" },
                "what": item.what,
                "covered_by": item.covered_by,
                "documents": covering,
                "covered": item.covered_by.is_some() || !covering.is_empty(),
            })
        })
        .collect();
    let book = &handbook.config.book;
    let json = serde_json::json!({
        "book": {"title": book.title, "organization": book.organization, "language": book.language},
        "source": {"commit": history.head(), "history_complete": history.is_complete()},
        "documents": documents,
        "controls": controls,
        "clause_coverage": coverage,
    });
    let mut text = serde_json::to_string_pretty(&json).expect("serializes");
    text.push('\n');
    site.files
        .insert("handbook.json".to_string(), text.into_bytes());

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
