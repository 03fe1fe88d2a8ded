//! The handbook as a site: the checked model rendered into pages (Tera templates,
//! pulldown-cmark), search, charts and exports, held in memory as a [`Site`]. Nothing
//! here touches the disk but reading template overrides, and `output`, which writes
//! a site safely; `serve` answers from memory.
//!
//! Page layout mirrors the sources (`policies/x.md` → `policies/x.html`), so the
//! relative links authors write keep working once `.md` becomes `.html`. Every page
//! links to the same few section pages; only the register lists every document, so
//! the output grows linearly with the number of documents.
//!
//! Order inside the layer: `html`, `charts`, `links`, `theme`, `views`, `body`,
//! `scope`, then the pages (`pages`, `registers`, `dashboard`), `export` and
//! `output`.

pub mod body;
mod charts;
mod dashboard;
mod export;
pub mod html;
pub mod links;
mod memo;
pub mod output;
mod pages;
mod registers;
mod scope;
mod theme;
mod views;

pub use memo::Memo;
pub use output::{OutputError, Site};
pub use registers::{RatingView, RiskControl, RiskRow};
pub use scope::Options;
pub use views::{ControlRow, CoverageView, DocLink, RegisterRow, RiskLink};

use crate::checks::Report;
use crate::diagnostic::ConfigError;
use crate::history::Revision;
use crate::model::document::Document;
use chrono::NaiveDate;
use scope::Scope;

/// The waivers the exports list: none when the SoA's reasoning may not be published.
fn waivers<'r>(report: &'r Report, options: &Options) -> &'r [crate::checks::Waived] {
    let config = &report.handbook.config;
    if options.may_publish(&config.soa_classification, config) {
        &report.facts.waivers
    } else {
        &[]
    }
}

/// Output paths the handbook writes itself; a document may not take one.
pub use html::RESERVED;

/// Renders the whole handbook. `report` is a check without errors; pages whose key
/// `memo` holds are the previous build's. A broken template override is the only
/// failure (exit code 2).
pub fn render(
    report: &Report,
    today: NaiveDate,
    options: &Options,
    memo: &Memo,
) -> Result<Site, ConfigError> {
    let scope = Scope::new(report, today, options)?;
    let mut site = Site::default();

    let mut documents = pages::documents(&scope, &report.history, &report.signers, memo)?;
    let controls = pages::control_rows(&scope);
    for (path, key, page) in std::mem::take(&mut documents.pages) {
        site.keys.insert(path.clone(), key);
        site.unchanged += usize::from(matches!(page, pages::Page::Reused(_)));
        match page {
            pages::Page::Rendered(html) => site.add(path, html),
            pages::Page::Reused(memo::Reuse::Bytes(bytes)) => site.add(path, bytes),
            pages::Page::Reused(memo::Reuse::File) => {
                site.reused.insert(path);
            }
        }
    }
    let soa_revisions = report.handbook.soa.as_ref().map_or_else(Vec::new, |soa| {
        report
            .history
            .evidenced(&soa.path, &report.handbook.config, &report.signers)
    });
    let soa = report.handbook.soa.as_ref().and_then(|soa| {
        views::yaml_document_view(
            &report.handbook,
            &soa.path,
            &soa_revisions,
            &scope.links,
            today,
        )
    });
    for (path, html) in pages::controls(&scope, &controls, soa)? {
        site.add(path, html);
    }
    for (path, html) in pages::others(&scope, &documents)? {
        site.add(path, html);
    }
    let risks = risk_register(&scope, report, today, &mut site)?;
    if let Some(html) = registers::acknowledgements_page(&scope)? {
        site.add("acknowledgements.html", html);
    }
    site.add(
        "dashboard.html",
        dashboard::page(&scope, &documents.register, &controls, &risks)?,
    );
    for (name, bytes) in &scope.theme.assets {
        site.add(name.clone(), bytes.clone());
    }
    let index = serde_json::json!({ "documents": documents.search });
    site.add(
        "assets/search-index.js",
        format!(
            "window.ISMSBOOK_SEARCH = {};\n",
            serde_json::to_string(&index).unwrap_or_default()
        ),
    );
    let published: Vec<(&Document, &[Revision])> = scope
        .published
        .iter()
        .zip(&documents.revisions)
        .map(|(&i, r)| (&report.handbook.documents[i], r.as_slice()))
        .collect();
    for (path, bytes) in export::files(&export::Inputs {
        risks: &risks,
        acknowledgements: &report.facts.acknowledgements,
        model: &report.handbook,
        history: &report.history,
        published: &published,
        soa_revisions: &soa_revisions,
        register: &documents.register,
        controls: &controls,
        waivers: waivers(report, options),
        today,
    }) {
        site.add(path, bytes);
    }
    site.documents = scope.published.len();
    site.controls = controls.len();
    site.unpublished_drafts = scope.unpublished_drafts;
    Ok(site)
}

/// The risk register's pages, when the build publishes them; the risks as rows for the
/// dashboard and the exports (none when not published).
fn risk_register(
    scope: &Scope<'_>,
    report: &Report,
    today: NaiveDate,
    site: &mut Site,
) -> Result<Vec<registers::RiskRow>, ConfigError> {
    let handbook = &report.handbook;
    let Some(register) = handbook.risks.as_ref().filter(|_| scope.risk_pages) else {
        return Ok(Vec::new());
    };
    let revisions = report
        .history
        .evidenced(&register.path, &handbook.config, &report.signers);
    let (control, rows) = match views::yaml_document_view(
        handbook,
        &register.path,
        &revisions,
        &scope.links,
        today,
    ) {
        Some((view, rows)) => (Some(view), rows),
        None => (None, Vec::new()),
    };
    let risks = registers::rows(scope, register);
    for (path, html) in registers::risk_pages(scope, register, &risks, control, &rows)? {
        site.add(path, html);
    }
    Ok(risks)
}

/// The handbook's tables, as its pages show them, for other formats (the workbook,
/// the PDFs): the published documents' register rows, every control, the risks when
/// the register is published, and whether the SoA's reasoning may be shown.
pub struct Tables {
    /// Indices of the published documents, in path order.
    pub published: Vec<usize>,
    pub register: Vec<RegisterRow>,
    pub controls: Vec<ControlRow>,
    pub risks: Vec<RiskRow>,
    pub soa_details: bool,
}

/// The tables of a build with these options, without rendering a page.
pub fn tables(report: &Report, today: NaiveDate, options: &Options) -> Result<Tables, ConfigError> {
    let scope = Scope::new(report, today, options)?;
    let handbook = &report.handbook;
    let mut register: Vec<RegisterRow> = scope
        .published
        .iter()
        .filter_map(|&i| {
            Some(pages::register_row(
                &scope,
                i,
                handbook.documents[i].meta.as_ref()?,
            ))
        })
        .collect();
    register.sort_by(|a, b| a.id.cmp(&b.id));
    let risks = match handbook.risks.as_ref().filter(|_| scope.risk_pages) {
        Some(register) => registers::rows(&scope, register),
        None => Vec::new(),
    };
    Ok(Tables {
        published: scope.published.clone(),
        register,
        controls: pages::control_rows(&scope),
        risks,
        soa_details: scope.soa_details,
    })
}
