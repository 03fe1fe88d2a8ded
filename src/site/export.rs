//! Machine-readable exports written next to the HTML: `handbook.json` (documents with
//! metadata and revisions, controls with decisions and implementing documents, clause
//! coverage), `register.csv` and `soa.csv`. Deterministic: the same commit gives the
//! same bytes (no build time, sorted keys and rows).

use super::html::page_of;
use super::output::Sink;
use super::registers::{RatingView, RiskRow};
use super::views::{ControlRow, CoverageView, RegisterRow};
use crate::checks::Waived;
use crate::history::Revision;
use crate::model::catalog::{CoveredBy, DocInfoKind, canonical_id};
use crate::model::document::{ControlBlock, Document as Doc, FrontMatter, Provenance};
use crate::model::handbook::Handbook as Model;
use crate::model::kinds::{DocType, Status, Version};
use crate::model::ledger::Coverage as AckCoverage;
use crate::model::risks::Treatment;
use crate::model::soa::{Applicability, Implementation};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub risks: Vec<&'a str>,
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
            risks: row.risks.iter().map(|r| r.id.as_str()).collect(),
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
    /// The Statement of Applicability's own document control and revisions, when it
    /// has a control block.
    #[serde(skip_serializing_if = "Option::is_none")]
    soa: Option<SoaExport<'a>>,
    /// The risk register, when the build publishes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    risks: Option<RisksExport<'a>>,
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
    #[serde(flatten)]
    control: Control<'a>,
    classification: &'a str,
    /// BCP 47, when not the book's.
    language: Option<&'a str>,
    controls: Vec<&'a str>,
    clauses: Vec<&'a str>,
    related: Vec<&'a str>,
    /// How long a record is kept (`3y`, `until-superseded`, `permanent`).
    retention: Option<String>,
    /// `internal`, or `external` with `source`, `source_version`, `source_date`.
    #[serde(flatten)]
    provenance: &'a Provenance,
    path: &'a str,
    url: String,
    /// How far its audience has acknowledged it (counts only: no names).
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledgement: Option<CoverageView>,
    revisions: &'a [Revision],
    extra: &'a serde_json::Value,
}

/// The document-control fields shared by a document and the SoA.
#[derive(Serialize)]
struct Control<'a> {
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
    change: Option<&'a str>,
}

impl<'a> Control<'a> {
    fn of(model: &Model, control: &'a ControlBlock, today: NaiveDate) -> Control<'a> {
        let next_review = (control.status == Status::Approved)
            .then(|| model.next_review(control))
            .flatten();
        Control {
            version: control.version,
            status: control.status,
            owner: &control.owner,
            approvers: control.approvers.iter().map(|a| a.value.as_str()).collect(),
            approved_by: control.approved_by.as_deref(),
            approved_on: control.approved_on,
            effective: control.effective.or(control.approved_on),
            reviewed_on: control.reviewed_on,
            next_review,
            overdue: next_review.is_some_and(|d| d < today),
            change: control.change.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct RisksExport<'a> {
    path: &'a str,
    #[serde(flatten)]
    control: Option<Control<'a>>,
    appetite: usize,
    likelihood: &'a [String],
    impact: &'a [String],
    risks: Vec<RiskExport<'a>>,
}

#[derive(Serialize)]
struct RiskExport<'a> {
    id: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    owner: &'a str,
    assets: &'a [String],
    threat: Option<&'a str>,
    inherent: Option<&'a RatingView>,
    treatment: Option<Treatment>,
    /// Canonical control ids.
    controls: Vec<&'a str>,
    residual: Option<&'a RatingView>,
    above_appetite: bool,
    accepted_by: Option<&'a str>,
    accepted_on: Option<NaiveDate>,
    due: Option<NaiveDate>,
    next_review: Option<NaiveDate>,
}

impl<'a> RiskExport<'a> {
    fn of(r: &'a RiskRow) -> RiskExport<'a> {
        RiskExport {
            id: &r.id,
            title: &r.title,
            description: r.description.as_deref(),
            owner: &r.owner,
            assets: &r.assets,
            threat: r.threat.as_deref(),
            inherent: r.inherent.as_ref(),
            treatment: r.treatment,
            controls: r.controls.iter().map(|c| c.id.as_str()).collect(),
            residual: r.residual.as_ref(),
            above_appetite: r.above_appetite,
            accepted_by: r.accepted_by.as_deref(),
            accepted_on: r.accepted_on,
            due: r.due,
            next_review: r.next_review,
        }
    }
}

#[derive(Serialize)]
struct SoaExport<'a> {
    path: &'a str,
    #[serde(flatten)]
    control: Control<'a>,
    revisions: &'a [Revision],
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

/// What the exports are made of.
pub struct Inputs<'a> {
    /// The risks, when the build publishes the register.
    pub risks: &'a [RiskRow],
    /// Acknowledgement coverage by document path.
    pub acknowledgements: &'a BTreeMap<String, AckCoverage>,
    pub model: &'a Model,
    /// The commit built from, and whether its whole history was read.
    pub head: Option<&'a str>,
    pub history_complete: bool,
    /// The published documents with their revisions, in path order.
    pub published: &'a [(&'a Doc, &'a [Revision])],
    /// The SoA's revisions.
    pub soa_revisions: &'a [Revision],
    pub register: &'a [RegisterRow],
    pub controls: &'a [ControlRow],
    pub waivers: &'a [Waived],
    pub today: NaiveDate,
}

/// The exports, into `sink`.
pub fn files(inputs: &Inputs<'_>, sink: &dyn Sink) {
    sink.stream("handbook.json".to_string(), &mut |out| {
        handbook_json(inputs, out)
    });
    sink.add("register.csv".to_string(), register_csv(inputs.register));
    sink.add("soa.csv".to_string(), soa_csv(inputs.controls));
    if !inputs.risks.is_empty() {
        sink.add("risks.csv".to_string(), risks_csv(inputs.risks));
    }
}

fn handbook_json(inputs: &Inputs<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let Inputs {
        model,
        head,
        history_complete,
        published,
        controls,
        waivers,
        today,
        ..
    } = *inputs;
    let documents: Vec<Document<'_>> = published
        .iter()
        .filter_map(|(doc, revisions)| {
            let meta = doc.meta.as_ref()?;
            let mut document = document(model, doc, meta, revisions, today);
            document.acknowledgement = inputs.acknowledgements.get(&doc.path).map(CoverageView::of);
            Some(document)
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
            commit: head,
            history_complete,
        },
        documents,
        controls: controls.iter().map(ControlExport::of).collect(),
        clause_coverage: coverage(model, &approved),
        soa: model.soa.as_ref().and_then(|soa| {
            Some(SoaExport {
                path: &soa.path,
                control: Control::of(model, soa.control.as_ref()?, today),
                revisions: inputs.soa_revisions,
            })
        }),
        risks: risks_export(inputs),
        waivers,
    };
    // Compact: the file is for tools (and large); `jq .` makes it readable.
    serde_json::to_writer(&mut *out, &json)?;
    out.write_all(b"\n")
}

fn document<'a>(
    model: &Model,
    doc: &'a Doc,
    meta: &'a FrontMatter,
    revisions: &'a [Revision],
    today: NaiveDate,
) -> Document<'a> {
    Document {
        id: &meta.id,
        title: &meta.title,
        doc_type: meta.doc_type,
        control: Control::of(model, &meta.control, today),
        classification: &meta.classification,
        language: meta.language.as_deref(),
        controls: meta
            .controls
            .iter()
            .map(|c| canonical_id(&c.value))
            .collect(),
        clauses: meta.clauses.iter().map(|c| c.value.as_str()).collect(),
        related: meta.related.iter().map(|r| r.value.as_str()).collect(),
        retention: meta.retention.map(|r| r.to_string()),
        provenance: &meta.provenance,
        path: &doc.path,
        url: page_of(&doc.path),
        acknowledgement: None,
        revisions,
        extra: &meta.extra,
    }
}

/// The risk register, when the build publishes it.
fn risks_export<'a>(inputs: &Inputs<'a>) -> Option<RisksExport<'a>> {
    let model = inputs.model;
    let register = model.risks.as_ref().filter(|_| !inputs.risks.is_empty())?;
    let settings = &model.config.risks;
    Some(RisksExport {
        path: &register.path,
        control: register
            .control
            .as_ref()
            .map(|c| Control::of(model, c, inputs.today)),
        appetite: settings.appetite,
        likelihood: &settings.likelihood,
        impact: &settings.impact,
        risks: inputs.risks.iter().map(RiskExport::of).collect(),
    })
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
                covered_by: item
                    .covered_by
                    .filter(|_| model.covered_by_itself(item).is_some()),
                covered: model.covered_by_itself(item).is_some() || !covering.is_empty(),
                documents: covering,
            }
        })
        .collect()
}

fn register_csv(register: &[RegisterRow]) -> Vec<u8> {
    let mut csv = String::from(
        "id,title,type,version,status,owner,approved_on,next_review,acknowledged,audience\n",
    );
    for row in register {
        let fields = row.csv_fields();
        csv_row(&mut csv, &fields.each_ref().map(String::as_str));
    }
    csv.into_bytes()
}

fn risks_csv(risks: &[RiskRow]) -> Vec<u8> {
    let mut csv = String::from(
        "id,title,owner,likelihood,impact,inherent,treatment,controls,residual_likelihood,residual_impact,residual,accepted_by,accepted_on,due,next_review\n",
    );
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in risks {
        let rating = |v: Option<&super::registers::RatingView>| match v {
            Some(v) => [v.likelihood.clone(), v.impact.clone(), v.score.to_string()],
            None => Default::default(),
        };
        let [likelihood, impact, inherent] = rating(r.inherent.as_ref());
        let [residual_likelihood, residual_impact, residual] = rating(r.residual.as_ref());
        let controls: Vec<String> = r.controls.iter().map(|c| c.label.clone()).collect();
        csv_row(
            &mut csv,
            &[
                &r.id,
                &r.title,
                &r.owner,
                &likelihood,
                &impact,
                &inherent,
                r.treatment.map_or("", |t| t.as_str()),
                &controls.join(" "),
                &residual_likelihood,
                &residual_impact,
                &residual,
                r.accepted_by.as_deref().unwrap_or(""),
                &date(r.accepted_on),
                &date(r.due),
                &date(r.next_review),
            ],
        );
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
                &c.risks
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                &documents.join(" "),
            ],
        );
    }
    csv.into_bytes()
}

/// One CSV row (RFC 4180: fields with a comma, quote or line break are quoted).
/// Written here rather than with the `csv` crate's writer (the crate reads the
/// ledger): a few small files of text cells, and the formula guard below is the part
/// that matters.
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
