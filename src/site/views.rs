//! What the templates see: small typed views of the model, serialized for Tera, and
//! the functions that build them. Facts come from the model and the checks; nothing
//! here decides a rule.

use super::links::Links;
use crate::history::{Coverage, History, Revision, git};
use crate::model::catalog::{Control, ControlRef, DocInfoKind, Theme};
use crate::model::document::{Document, FrontMatter};
use crate::model::handbook::Handbook;
use crate::model::kinds::{Status, Version};
use crate::model::links::resolve;
use crate::model::soa::{Applicability, ControlState, Implementation};
use crate::text::compare_ids;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};

#[derive(Serialize)]
pub struct BookContext {
    pub title: String,
    pub organization: String,
    pub language: String,
    pub description: Option<String>,
    /// Whether the risk register's pages are published (for the navigation).
    pub risks: bool,
    /// Whether the acknowledgements page is published.
    pub acknowledgements: bool,
}

/// Where the handbook was built from: the commit, uncommitted changes, and whether
/// the history is complete.
#[derive(Serialize, Clone)]
pub struct SourceContext {
    pub commit: Option<String>,
    pub dirty: bool,
    pub complete: bool,
    pub history_note: String,
}

/// A link to a document from another page; `url` is `None` when it is not published.
#[derive(Serialize, Clone, Debug)]
pub struct DocLink {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub status: Status,
}

/// A document's acknowledgement coverage as the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageView {
    pub audience: usize,
    pub acknowledged: usize,
    pub pending: usize,
    pub overdue: usize,
    pub due: Option<NaiveDate>,
    pub percent: usize,
}

impl CoverageView {
    pub fn of(coverage: &crate::model::ledger::Coverage) -> CoverageView {
        CoverageView {
            audience: coverage.audience,
            acknowledged: coverage.acknowledged,
            pending: coverage.audience - coverage.acknowledged - coverage.overdue,
            overdue: coverage.overdue,
            due: coverage.due,
            percent: (coverage.acknowledged * 100)
                .checked_div(coverage.audience)
                .unwrap_or(100),
        }
    }
}

/// One row of the document register.
#[derive(Serialize)]
pub struct RegisterRow {
    pub id: String,
    pub title: String,
    pub type_label: &'static str,
    pub version: Version,
    pub status: Status,
    pub owner: String,
    pub approved_on: Option<NaiveDate>,
    pub next_review: Option<NaiveDate>,
    pub overdue: bool,
    pub changed_after_approval: bool,
    pub url: String,
    /// A document of external origin, with where it comes from.
    pub external: bool,
    pub source: Option<String>,
    /// How far its audience has acknowledged it, when it names one.
    pub acknowledged: Option<CoverageView>,
}

impl RegisterRow {
    /// The row as `register.csv` has it.
    pub fn csv_fields(&self) -> [String; 10] {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let acknowledged = |f: fn(&CoverageView) -> usize| {
            self.acknowledged
                .as_ref()
                .map(|c| f(c).to_string())
                .unwrap_or_default()
        };
        [
            self.id.clone(),
            self.title.clone(),
            self.type_label.to_string(),
            self.version.to_string(),
            self.status.to_string(),
            self.owner.clone(),
            date(self.approved_on),
            date(self.next_review),
            acknowledged(|c| c.acknowledged),
            acknowledged(|c| c.audience),
        ]
    }
}

/// One control as the pages and exports show it.
#[derive(Serialize)]
pub struct ControlRow {
    pub id: String,
    pub label: String,
    pub title: String,
    #[serde(skip)]
    pub theme: Theme,
    pub theme_label: &'static str,
    pub catalog: String,
    #[serde(skip)]
    pub annex_a: bool,
    pub applicable: Applicability,
    pub status: Option<Implementation>,
    #[serde(skip)]
    pub state: ControlState,
    pub justification: Option<String>,
    pub owner: Option<String>,
    /// The risks behind the decision: those that list the control and those its SoA
    /// entry cites.
    pub risks: Vec<RiskLink>,
    pub from_2013: Vec<String>,
    /// The approved documents that implement it.
    pub documents: Vec<DocLink>,
    pub document_count: usize,
    /// Retired documents that implemented it once: history, shown apart.
    pub formerly: Vec<DocLink>,
}

/// A risk as other pages link to it; `url` when the risk pages are published.
#[derive(Serialize, Clone, Debug)]
pub struct RiskLink {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
}

/// One row of a document's revision history as its page shows it.
#[derive(Serialize)]
pub struct RevisionRow {
    version: String,
    date: Option<String>,
    status: Option<String>,
    approved_by: Option<String>,
    approved_on: Option<String>,
    authors: std::sync::Arc<[String]>,
    change: Option<String>,
    short: String,
    commit_url: Option<String>,
    pull_request: Option<u64>,
    pull_request_url: Option<String>,
    /// The approval evidence, in words, and its level alone.
    evidence: Option<String>,
    evidence_level: Option<&'static str>,
}

pub fn book_context(handbook: &Handbook) -> BookContext {
    let book = &handbook.config.book;
    BookContext {
        title: book.title.clone(),
        organization: book.organization.clone(),
        language: book.language.clone(),
        description: book.description.clone(),
        risks: false,
        acknowledgements: false,
    }
}

pub fn source_context(handbook: &Handbook, history: &History) -> SourceContext {
    let dirty = handbook
        .documents
        .iter()
        .any(|d| match history.at_head(&d.path) {
            Some(head) => head.file != d.snapshot.file,
            None => history.head().is_some(),
        });
    let history_note = match history.coverage {
        Coverage::Complete => String::new(),
        Coverage::Shallow => {
            "the repository is a shallow clone, so versions before its boundary are missing."
                .to_string()
        }
        Coverage::None => "the handbook was built without a git history.".to_string(),
    };
    SourceContext {
        commit: history.head().map(|h| h[..h.len().min(12)].to_string()),
        dirty,
        complete: history.is_complete(),
        history_note,
    }
}

/// A document's revisions as the page shows them: newest first, with links.
pub fn revision_rows(revisions: &[Revision], links: &Links) -> Vec<RevisionRow> {
    revisions
        .iter()
        .rev()
        .map(|r| RevisionRow {
            short: git::short(&r.commit).to_string(),
            commit_url: links.commit(&r.commit),
            pull_request_url: r.pull_request.and_then(|n| links.pull_request(n)),
            pull_request: r.pull_request,
            version: r.version.clone(),
            date: r.date.map(|d| d.to_string()),
            status: r.status.clone(),
            approved_by: r.approved_by.clone(),
            approved_on: r.approved_on.clone(),
            authors: r.authors.clone(),
            change: r.change.clone(),
            evidence: r.evidence.as_ref().map(|e| e.describe()),
            evidence_level: r.evidence.as_ref().map(|e| e.level.as_str()),
        })
        .collect()
}

/// The controls a document implements, as links to their pages, in numeric order.
pub fn document_controls(handbook: &Handbook, meta: &FrontMatter) -> Vec<serde_json::Value> {
    let mut controls: Vec<&Control> = meta
        .controls
        .iter()
        .filter_map(|c| match handbook.catalog.resolve(&c.value) {
            ControlRef::Known(control) => Some(control),
            _ => None,
        })
        .collect();
    controls.sort_by(|a, b| compare_ids(&a.id, &b.id));
    controls.dedup_by(|a, b| a.id == b.id);
    controls
        .iter()
        .map(|c| serde_json::json!({"id": c.id, "label": c.label(), "title": c.title}))
        .collect()
}

/// One control as the pages show it; `details` are the SoA's reasoning (justification,
/// owner, risks), left out when the build may not publish them; `risk_pages` says
/// whether the risks have pages to link to.
pub fn control_row(
    handbook: &Handbook,
    control: &Control,
    published: &HashSet<&str>,
    doc_link: &dyn Fn(&Document) -> DocLink,
    (details, risk_pages): (bool, bool),
) -> ControlRow {
    let decision = handbook
        .soa
        .as_ref()
        .and_then(|s| s.decisions.get(&control.id));
    let links = |docs: &mut dyn Iterator<Item = (&Document, &FrontMatter)>| -> Vec<DocLink> {
        docs.filter(|(d, _)| published.contains(d.path.as_str()))
            .map(|(d, _)| doc_link(d))
            .collect()
    };
    let documents = links(&mut handbook.implementing(&control.id));
    let formerly = links(&mut handbook.formerly(&control.id));
    let applicable = match decision {
        Some(d) => d.applicability(),
        None if control.is_annex_a() => Applicability::Undecided,
        None => Applicability::NotInSoa,
    };
    ControlRow {
        id: control.id.clone(),
        label: control.label(),
        title: control.title.clone(),
        theme: control.theme,
        theme_label: control.theme.label(),
        catalog: control.catalog.clone(),
        annex_a: control.is_annex_a(),
        applicable,
        status: decision.and_then(|d| d.status),
        state: decision.map_or(ControlState::Undecided, |d| d.state()),
        justification: decision
            .and_then(|d| d.justification.clone())
            .filter(|_| details),
        owner: decision.and_then(|d| d.owner.clone()).filter(|_| details),
        risks: if details {
            risk_links(handbook, &control.id, decision, risk_pages)
        } else {
            Vec::new()
        },
        from_2013: control.from_2013.clone(),
        document_count: documents.len(),
        documents,
        formerly,
    }
}

/// The risks behind a control, linked to their pages. Without a register, or when
/// the build may not publish it, only the ids the SoA itself cites: nothing of the
/// register's content appears.
fn risk_links(
    handbook: &Handbook,
    control_id: &str,
    decision: Option<&crate::model::soa::Decision>,
    pages: bool,
) -> Vec<RiskLink> {
    if handbook.risks.is_none() || !pages {
        return decision
            .map(|d| d.risks.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|id| RiskLink {
                id: id.clone(),
                title: String::new(),
                url: None,
            })
            .collect();
    }
    handbook
        .risks_of(control_id)
        .into_iter()
        .map(|risk| RiskLink {
            id: risk.id.clone(),
            title: risk.title.clone(),
            url: Some(format!("risks/{}.html", risk.id)),
        })
        .collect()
}

/// The mandatory documented information with what covers each item, and every clause
/// with the approved, published documents that address it.
pub fn clause_rows(
    handbook: &Handbook,
    published: &HashSet<&str>,
    doc_link: &dyn Fn(&Document) -> DocLink,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let approved: Vec<(&Document, &FrontMatter)> = handbook
        .valid()
        .filter(|(d, m)| {
            m.control.status == Status::Approved && published.contains(d.path.as_str())
        })
        .collect();
    let mandatory = handbook
        .catalog
        .mandatory()
        .iter()
        .map(|item| {
            let documents: Vec<DocLink> = approved
                .iter()
                .filter(|(_, m)| m.clauses.iter().any(|c| item.is_covered_by_clause(c.value.trim())))
                .map(|(d, _)| doc_link(d))
                .collect();
            let note = handbook.covered_by_itself(item);
            serde_json::json!({
                "reference": item.reference(),
                "kind": match item.kind { DocInfoKind::Document => "document", DocInfoKind::Record => "record" },
                "what": item.what,
                "covered": note.is_some() || !documents.is_empty(),
                "covered_by_note": note,
                "documents": documents,
            })
        })
        .collect();
    let clauses = handbook
        .catalog
        .clauses()
        .iter()
        .map(|clause| {
            let documents: Vec<DocLink> = approved
                .iter()
                .filter(|(_, m)| m.clauses.iter().any(|c| c.value.trim() == clause.id))
                .map(|(d, _)| doc_link(d))
                .collect();
            serde_json::json!({"id": clause.id, "title": clause.title, "documents": documents})
        })
        .collect();
    (mandatory, clauses)
}

/// For each published document, the published documents that link to it or list it
/// as related.
pub fn backlinks(handbook: &Handbook, published: &[usize]) -> HashMap<usize, BTreeSet<usize>> {
    let mut found: HashMap<usize, BTreeSet<usize>> = HashMap::new();
    let index_of: HashMap<&str, usize> = handbook
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.as_str(), i))
        .collect();
    for &i in published {
        let doc = &handbook.documents[i];
        for link in &handbook.outlines[i].links {
            let file = link.dest.split('#').next().unwrap_or_default();
            if file.is_empty() || file.contains(':') {
                continue;
            }
            if let Some(target) =
                resolve(&doc.path, file).and_then(|p| index_of.get(p.as_str()).copied())
                && target != i
            {
                found.entry(target).or_default().insert(i);
            }
        }
        if let Some(meta) = &doc.meta {
            for related in &meta.related {
                if let Some(target) = handbook
                    .by_id(&related.value)
                    .and_then(|t| index_of.get(t.path.as_str()).copied())
                    && target != i
                {
                    found.entry(target).or_default().insert(i);
                }
            }
        }
    }
    let published: HashSet<usize> = published.iter().copied().collect();
    for sources in found.values_mut() {
        sources.retain(|s| published.contains(s));
    }
    found
}

/// A controlled YAML file (the SoA, the risk register) for its page: its control
/// block, the evidence of its current approval, and its revision history. `None`
/// when the file has no control block.
pub fn yaml_document_view(
    handbook: &Handbook,
    path: &str,
    revisions: &[Revision],
    links: &Links,
    today: NaiveDate,
) -> Option<(serde_json::Value, Vec<RevisionRow>)> {
    let file = handbook
        .yaml_documents()
        .into_iter()
        .find(|f| f.path == path)?;
    let control = file.control;
    let role = |key: &str| match handbook.config.roles.get(key) {
        Some(role) => format!("{} ({key})", role.name),
        None => key.to_string(),
    };
    let version = control.version.to_string();
    let evidence = revisions
        .iter()
        .rev()
        .find(|r| r.version == version)
        .and_then(|r| r.evidence.as_ref())
        .map(|e| e.describe());
    let next_review = (control.status == Status::Approved)
        .then(|| handbook.next_review(control))
        .flatten();
    let view = serde_json::json!({
        "title": file.title,
        "version": control.version,
        "status": control.status,
        "owner": role(&control.owner),
        "approvers": control.approvers.iter().map(|a| role(&a.value)).collect::<Vec<_>>(),
        "approved_by": control.approved_by.as_deref().map(role),
        "approved_on": control.approved_on,
        "next_review": next_review,
        "overdue": next_review.is_some_and(|d| d < today),
        "evidence": evidence,
        "path": file.path,
    });
    Some((view, revision_rows(revisions, links)))
}
