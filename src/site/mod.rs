//! The handbook as a site: the checked model rendered into pages (Tera templates,
//! pulldown-cmark), search, charts and exports, each file given to a [`Sink`] as soon
//! as it is made: `staging` writes it into the build's staging folder (so a build
//! never holds its pages all at once), [`Files`] keeps it in memory (`serve`, the
//! audit pack). Nothing else here touches the disk but reading template overrides.
//!
//! Page layout mirrors the sources (`policies/x.md` → `policies/x.html`), so the
//! relative links authors write keep working once `.md` becomes `.html`. Every page
//! links to the same few section pages; only the register lists every document, so
//! the output grows linearly with the number of documents.
//!
//! Order inside the layer: `output` and `staging` (where files go), `html`,
//! `charts`, `links`, `theme`, `views`, `body`, `scope`, then the pages (`pages`,
//! `registers`, `dashboard`) and `export`.

pub mod body;
mod charts;
mod dashboard;
mod export;
pub mod html;
pub mod links;
mod memo;
mod output;
mod pages;
mod registers;
mod scope;
pub mod staging;
mod theme;
mod views;

pub use memo::Memo;
pub use output::{Files, Sink, Site, Summary};
pub use registers::{RatingView, RiskControl, RiskRow};
pub use scope::Options;
pub use staging::{OutputError, Staging};
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

/// When a site's data files (the search index, `handbook.json`, the CSV exports) are
/// made: with its pages (`build`), or afterwards by [`data_files`] (`serve`, which
/// shows the edited page first: only the search page and downloads need them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFiles {
    WithPages,
    Afterwards,
}

/// Renders the whole handbook into `sink`. `report` is a check without errors; pages
/// whose key `memo` holds are the previous build's. A broken template override is
/// the only failure (exit code 2); the sink reports its own.
pub fn render(
    report: &Report,
    today: NaiveDate,
    options: &Options,
    memo: &Memo,
    data: DataFiles,
    sink: &dyn Sink,
) -> Result<Summary, ConfigError> {
    let scope = Scope::new(report, today, options)?;
    let mut summary = Summary::default();

    let documents = pages::documents(&scope, &report.history, &report.signers, memo, sink)?;
    for (path, key, reused) in &documents.pages {
        summary.keys.insert(path.clone(), *key);
        summary.unchanged += usize::from(*reused);
    }
    let controls = pages::control_rows(&scope);
    let soa_revisions = soa_revisions(report);
    let soa = report.handbook.soa.as_ref().and_then(|soa| {
        views::yaml_document_view(
            &report.handbook,
            &soa.path,
            &soa_revisions,
            &scope.links,
            today,
        )
    });
    let risks = risk_register(&scope, report, today, sink)?;
    let tables = DataTables {
        soa_revisions: &soa_revisions,
        register: &documents.register,
        controls: &controls,
        risks: &risks,
    };
    let published = published(&scope, &documents.revisions);
    let inputs = export_inputs(&scope, report, &tables, &published);
    // The data files are made beside the remaining pages, on the other core.
    let ((), pages) = rayon::join(
        || {
            if data == DataFiles::WithPages {
                data_of(&scope, &inputs, sink);
            }
        },
        || other_pages(&scope, &documents, &controls, soa, &risks),
    );
    for (path, html) in pages? {
        sink.add(path, html.into_bytes());
    }
    for (name, bytes) in &scope.theme.assets {
        sink.add(name.clone(), bytes.clone());
    }
    summary.documents = scope.published.len();
    summary.controls = controls.len();
    summary.unpublished_drafts = scope.unpublished_drafts;
    Ok(summary)
}

/// Renders the whole handbook in memory (see [`render`]).
pub fn in_memory(
    report: &Report,
    today: NaiveDate,
    options: &Options,
    memo: &Memo,
    data: DataFiles,
) -> Result<Site, ConfigError> {
    let files = Files::default();
    let summary = render(report, today, options, memo, data, &files)?;
    Ok(Site {
        files: files.into_inner(),
        summary,
    })
}

/// The data files of a site rendered with [`DataFiles::Afterwards`], into `sink`: as
/// `render` makes them, read again from the report.
pub fn data_files(
    report: &Report,
    today: NaiveDate,
    options: &Options,
    sink: &dyn Sink,
) -> Result<(), ConfigError> {
    let scope = Scope::new(report, today, options)?;
    let revisions = pages::revisions(&scope, &report.history, &report.signers);
    let mut register = register_rows(&scope);
    register.retain(|row| row.status != crate::model::kinds::Status::Retired);
    let tables = DataTables {
        soa_revisions: &soa_revisions(report),
        register: &register,
        controls: &pages::control_rows(&scope),
        risks: &risk_rows(&scope),
    };
    let published = published(&scope, &revisions);
    let inputs = export_inputs(&scope, report, &tables, &published);
    data_of(&scope, &inputs, sink);
    Ok(())
}

/// The tables the data files are made from, besides the report and the revisions.
struct DataTables<'a> {
    soa_revisions: &'a [Revision],
    register: &'a [RegisterRow],
    controls: &'a [ControlRow],
    risks: &'a [RiskRow],
}

/// What the exports are made from: `data` and the report (read here, as the history
/// cannot go to another thread).
fn export_inputs<'a>(
    scope: &Scope<'a>,
    report: &'a Report,
    data: &DataTables<'a>,
    published: &'a [(&'a Document, &'a [Revision])],
) -> export::Inputs<'a> {
    export::Inputs {
        risks: data.risks,
        acknowledgements: &report.facts.acknowledgements,
        model: &report.handbook,
        head: report.history.head(),
        history_complete: report.history.is_complete(),
        published,
        soa_revisions: data.soa_revisions,
        register: data.register,
        controls: data.controls,
        waivers: waivers(report, scope.options),
        today: scope.today,
    }
}

/// Each published document with its revisions.
fn published<'a>(
    scope: &Scope<'a>,
    revisions: &'a [Vec<Revision>],
) -> Vec<(&'a Document, &'a [Revision])> {
    scope
        .published
        .iter()
        .zip(revisions)
        .map(|(&i, r)| (&scope.handbook.documents[i], r.as_slice()))
        .collect()
}

/// The search index and the exports.
fn data_of(scope: &Scope<'_>, inputs: &export::Inputs<'_>, sink: &dyn Sink) {
    export::files(inputs, sink);
    sink.stream("assets/search-index.js".to_string(), &mut |out| {
        search_index(scope, out)
    });
}

/// The SoA's revisions with their evidence (none without an SoA).
fn soa_revisions(report: &Report) -> Vec<Revision> {
    report.handbook.soa.as_ref().map_or_else(Vec::new, |soa| {
        report
            .history
            .evidenced(&soa.path, &report.handbook.config, &report.signers)
    })
}

/// The pages besides the documents' and the risk register's: the controls, the
/// register and the other section pages, the dashboard.
fn other_pages(
    scope: &Scope<'_>,
    documents: &pages::Documents,
    controls: &[ControlRow],
    soa: Option<(serde_json::Value, Vec<views::RevisionRow>)>,
    risks: &[RiskRow],
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut all = pages::controls(scope, controls, soa)?;
    all.extend(pages::others(scope, documents)?);
    if let Some(html) = registers::acknowledgements_page(scope)? {
        all.push(("acknowledgements.html".to_string(), html));
    }
    all.push((
        "dashboard.html".to_string(),
        dashboard::page(scope, &documents.register, controls, risks)?,
    ));
    Ok(all)
}

/// The search index: each published document's id, title, page and words, as a
/// script the search page loads (no fetch: the handbook works from `file://`).
fn search_index(scope: &Scope<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        id: &'a str,
        #[serde(serialize_with = "words")]
        text: crate::model::markdown::Joined<'a>,
        title: &'a str,
        url: String,
    }
    #[derive(serde::Serialize)]
    struct Index<'a> {
        documents: Vec<Entry<'a>>,
    }
    let handbook = scope.handbook;
    let documents = scope
        .published
        .iter()
        .filter_map(|&i| {
            let doc = &handbook.documents[i];
            let meta = doc.meta.as_ref()?;
            Some(Entry {
                id: &meta.id,
                text: handbook.outlines[i].words.of(&doc.body),
                title: &meta.title,
                url: html::page_of(&doc.path),
            })
        })
        .collect();
    fn words<S: serde::Serializer>(
        words: &crate::model::markdown::Joined<'_>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(words)
    }
    out.write_all(b"window.ISMSBOOK_SEARCH = ")?;
    serde_json::to_writer(&mut *out, &Index { documents })?;
    out.write_all(b";\n")
}

/// The risk register's pages, when the build publishes them; the risks as rows for the
/// dashboard and the exports (none when not published).
fn risk_register(
    scope: &Scope<'_>,
    report: &Report,
    today: NaiveDate,
    sink: &dyn Sink,
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
        sink.add(path, html.into_bytes());
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
    let register = register_rows(&scope);
    let risks = risk_rows(&scope);
    Ok(Tables {
        published: scope.published.clone(),
        register,
        controls: pages::control_rows(&scope),
        risks,
        soa_details: scope.soa_details,
    })
}

/// The register rows of the published documents (retired ones included), by id.
fn register_rows(scope: &Scope<'_>) -> Vec<RegisterRow> {
    let handbook = scope.handbook;
    let mut register: Vec<RegisterRow> = scope
        .published
        .iter()
        .filter_map(|&i| {
            Some(pages::register_row(
                scope,
                i,
                handbook.documents[i].meta.as_ref()?,
            ))
        })
        .collect();
    register.sort_by(|a, b| a.id.cmp(&b.id));
    register
}

/// The risks as rows, when the build publishes the register (else none).
fn risk_rows(scope: &Scope<'_>) -> Vec<RiskRow> {
    match scope.handbook.risks.as_ref().filter(|_| scope.risk_pages) {
        Some(register) => registers::rows(scope, register),
        None => Vec::new(),
    }
}
