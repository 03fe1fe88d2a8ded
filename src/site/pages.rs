//! The pages of the handbook: one per published document (with the register rows
//! they give), one per control, the controls index, the SoA, and the
//! front, clause, gaps, archive, search and 404 pages.

use super::body::render_body;
use super::html::{page_of, root_of};
use super::memo::{Key, Memo};
use super::output::Sink;
use super::scope::Scope;
use super::views::{self, ControlRow, CoverageView, DocLink, RegisterRow, RevisionRow};
use crate::diagnostic::{ConfigError, Severity};
use crate::history::{AllowedSigners, History, Revision};
use crate::model::catalog::Theme;
use crate::model::document::Provenance;
use crate::model::document::{Document, FrontMatter};
use crate::model::kinds::Status;
use crate::text::compare_ids;
use rayon::prelude::*;
use std::collections::BTreeSet;

/// The published documents' pages and what the rest of the site needs of them.
pub struct Documents {
    /// Output path and key of each page, and whether it is the previous build's.
    pub pages: Vec<(String, Key, bool)>,
    /// Register rows of the documents in force (and drafts, when published), by id.
    pub register: Vec<RegisterRow>,
    /// Register rows of retired documents, by id.
    pub retired: Vec<RegisterRow>,
    /// Each published document's revisions, in the order of `Scope::published`.
    pub revisions: Vec<Vec<Revision>>,
}

/// One document page, given to the sink, and what the register needs of it.
struct Rendered {
    page: String,
    key: Key,
    reused: bool,
    row: RegisterRow,
}

/// Renders every published document into `sink`, each page as soon as it is made.
/// Revisions need the git repository, which stays on this thread; the pages then
/// render on all cores.
pub fn documents(
    scope: &Scope<'_>,
    history: &History,
    signers: &AllowedSigners,
    memo: &Memo,
    sink: &dyn Sink,
) -> Result<Documents, ConfigError> {
    let revisions = revisions(scope, history, signers);
    let rows: Vec<(Vec<RevisionRow>, Option<String>)> = scope
        .published
        .par_iter()
        .zip(&revisions)
        .map(|(&i, r)| {
            let version = scope.handbook.documents[i]
                .meta
                .as_ref()
                .map(|m| m.control.version.to_string());
            let evidence = r
                .iter()
                .rev()
                .find(|row| Some(&row.version) == version.as_ref())
                .and_then(|row| row.evidence.as_ref())
                .map(|e| e.describe());
            (views::revision_rows(r, &scope.links), evidence)
        })
        .collect();
    let backlinks = views::backlinks(scope.handbook, &scope.published);
    let published: Vec<(usize, &FrontMatter)> = scope
        .published
        .iter()
        .filter_map(|&i| Some((i, scope.handbook.documents[i].meta.as_ref()?)))
        .collect();
    let rendered: Vec<Result<Rendered, ConfigError>> = published
        .par_iter()
        .zip(rows)
        .map(|(&(i, meta), (rows, evidence))| {
            document(
                scope,
                (memo, sink),
                i,
                meta,
                (rows, evidence),
                backlinks.get(&i),
            )
        })
        .collect();
    let mut documents = Documents {
        pages: Vec::new(),
        register: Vec::new(),
        retired: Vec::new(),
        revisions,
    };
    for rendered in rendered {
        let rendered = rendered?;
        documents
            .pages
            .push((rendered.page, rendered.key, rendered.reused));
        if rendered.row.status == Status::Retired {
            documents.retired.push(rendered.row);
        } else {
            documents.register.push(rendered.row);
        }
    }
    documents.register.sort_by(|a, b| a.id.cmp(&b.id));
    documents.retired.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(documents)
}

/// Each published document's revisions with the evidence of their approvals, in the
/// order of `Scope::published`. The revisions are read on all cores; their evidence
/// (remembered, or read from the repository) on this thread.
pub fn revisions(
    scope: &Scope<'_>,
    history: &History,
    signers: &AllowedSigners,
) -> Vec<Vec<Revision>> {
    let versions = history.versions();
    let mut revisions: Vec<Vec<Revision>> = scope
        .published
        .par_iter()
        .map(|&i| versions.revisions(&scope.handbook.documents[i].path))
        .collect();
    history.add_evidence_all(
        revisions.iter_mut().flatten(),
        &scope.handbook.config,
        signers,
    );
    revisions
}

fn document(
    scope: &Scope<'_>,
    (memo, sink): (&Memo, &dyn Sink),
    i: usize,
    meta: &FrontMatter,
    (revisions, evidence): (Vec<RevisionRow>, Option<String>),
    backlinks: Option<&BTreeSet<usize>>,
) -> Result<Rendered, ConfigError> {
    let handbook = scope.handbook;
    let doc = &handbook.documents[i];
    let page = page_of(&doc.path);
    let root = root_of(&page);
    let next_review = (meta.control.status == Status::Approved)
        .then(|| handbook.next_review(&meta.control))
        .flatten();
    let overdue = next_review.is_some_and(|d| d < scope.today);
    let role = |key: &str| match handbook.config.roles.get(key) {
        Some(role) => format!("{} ({key})", role.name),
        None => key.to_string(),
    };
    let (related, backlinks) = neighbours(scope, meta, backlinks);
    let clauses = clause_links(scope, meta);
    let source = external_source(&meta.provenance);
    let external = meta.provenance != Provenance::Internal;
    let acknowledged = scope
        .facts
        .acknowledgements
        .get(&doc.path)
        .map(CoverageView::of);
    let view = serde_json::json!({
        "id": meta.id,
        "title": meta.title,
        "type_label": meta.doc_type.label(),
        "version": meta.control.version,
        "status": meta.control.status,
        "owner": role(&meta.control.owner),
        "approvers": meta.control.approvers.iter().map(|a| role(&a.value)).collect::<Vec<_>>(),
        "approved_by": meta.control.approved_by.as_deref().map(role),
        "approved_on": meta.control.approved_on,
        "effective": meta.control.effective.or(meta.control.approved_on),
        "next_review": next_review,
        "overdue": overdue,
        "classification": meta.classification,
        "path": doc.path,
        "controls": views::document_controls(handbook, meta),
        "clauses": clauses,
        "related": related,
        "backlinks": backlinks,
        "evidence": evidence,
        "retention": meta.retention,
        "external": external,
        "source": source,
        "language": meta.language,
        "acknowledged": acknowledged,
        "acknowledgements_page": scope.name_pages,
        // A body that does not open with a first-level heading gets the title.
        "titled": handbook.outlines[i].headings.first().is_some_and(|h| h.level == 1),
    });
    // Everything the page is rendered from, besides what all pages share.
    let key = scope
        .page_key
        .clone()
        .text(&page)
        .value(&meta.language)
        .value(&view)
        .value(&revisions)
        .text(&doc.body)
        .key();
    let reused = match memo.reuse(&page, key) {
        Some(reused) => {
            sink.reuse(page.clone(), reused);
            true
        }
        None => {
            let body = render_body(
                doc,
                &handbook.outlines[i],
                handbook,
                &scope.published_paths,
                &root,
                scope.sanitizer.as_ref(),
            );
            let mut context = scope.context(&root);
            if let Some(language) = &meta.language {
                context.insert("lang", language);
            }
            context.insert("doc", &view);
            context.insert("body", &body);
            context.insert("revisions", &revisions);
            sink.add(
                page.clone(),
                scope.page("document.html", &context)?.into_bytes(),
            );
            false
        }
    };
    Ok(Rendered {
        row: register_row(scope, i, meta),
        page,
        key,
        reused,
    })
}

/// A document's row of the register.
pub fn register_row(scope: &Scope<'_>, i: usize, meta: &FrontMatter) -> RegisterRow {
    let handbook = scope.handbook;
    let doc = &handbook.documents[i];
    let next_review = (meta.control.status == Status::Approved)
        .then(|| handbook.next_review(&meta.control))
        .flatten();
    RegisterRow {
        id: meta.id.clone(),
        title: meta.title.clone(),
        type_label: meta.doc_type.label(),
        version: meta.control.version,
        status: meta.control.status,
        owner: meta.control.owner.clone(),
        approved_on: meta.control.approved_on,
        next_review,
        overdue: next_review.is_some_and(|d| d < scope.today),
        changed_after_approval: scope.facts.changed_after_approval.contains(&doc.path),
        url: page_of(&doc.path),
        external: meta.provenance != Provenance::Internal,
        source: external_source(&meta.provenance),
        acknowledged: scope
            .facts
            .acknowledgements
            .get(&doc.path)
            .map(CoverageView::of),
    }
}

/// The documents a document lists as related, and the others that refer to it (a
/// related document already listed is not repeated as a backlink).
fn neighbours(
    scope: &Scope<'_>,
    meta: &FrontMatter,
    backlinks: Option<&BTreeSet<usize>>,
) -> (Vec<DocLink>, Vec<DocLink>) {
    let handbook = scope.handbook;
    let related = meta
        .related
        .iter()
        .map(|r| match handbook.by_id(&r.value) {
            Some(target) => scope.doc_link(target),
            None => DocLink {
                id: r.value.clone(),
                title: String::new(),
                url: None,
                status: Status::Draft,
            },
        })
        .collect();
    let backlinks = backlinks
        .into_iter()
        .flatten()
        .filter(|&&j| {
            let id = handbook.documents[j].id.as_deref().unwrap_or_default();
            !meta.related.iter().any(|r| r.value == id)
        })
        .map(|&j| scope.doc_link(&handbook.documents[j]))
        .collect();
    (related, backlinks)
}

/// The clauses a document addresses, in numeric order.
fn clause_links(scope: &Scope<'_>, meta: &FrontMatter) -> Vec<serde_json::Value> {
    let mut clauses: Vec<_> = meta
        .clauses
        .iter()
        .filter_map(|c| scope.handbook.catalog.clause(c.value.trim()))
        .collect();
    clauses.sort_by(|a, b| compare_ids(&a.id, &b.id));
    clauses
        .iter()
        .map(|c| serde_json::json!({"id": c.id, "title": c.title}))
        .collect()
}

/// Where an external document comes from, in one line: source, version, date.
fn external_source(provenance: &Provenance) -> Option<String> {
    let Provenance::External {
        source,
        source_version,
        source_date,
    } = provenance
    else {
        return None;
    };
    let parts: Vec<String> = [
        source.clone(),
        source_version.clone(),
        source_date.map(|d| d.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    Some(parts.join(", ")).filter(|s| !s.is_empty())
}

/// Every control of the catalogs as the pages show it.
pub fn control_rows(scope: &Scope<'_>) -> Vec<ControlRow> {
    let doc_link = |d: &Document| scope.doc_link(d);
    scope
        .handbook
        .catalog
        .controls()
        .iter()
        .map(|control| {
            views::control_row(
                scope.handbook,
                control,
                &scope.published_paths,
                &doc_link,
                (scope.soa_details, scope.risk_pages),
            )
        })
        .collect()
}

/// A page per control, the controls index by theme, and the SoA.
pub fn controls(
    scope: &Scope<'_>,
    controls: &[ControlRow],
    soa: Option<(serde_json::Value, Vec<RevisionRow>)>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut pages: Vec<(String, String)> = controls
        .par_iter()
        .map(|control| {
            let mut context = scope.context("../");
            context.insert("control", control);
            let html = scope.page("control.html", &context)?;
            Ok((format!("controls/{}.html", control.id), html))
        })
        .collect::<Result<_, ConfigError>>()?;
    let mut themes: Vec<serde_json::Value> = Vec::new();
    for theme in [
        Theme::Organizational,
        Theme::People,
        Theme::Physical,
        Theme::Technological,
        Theme::Other,
    ] {
        let rows: Vec<&ControlRow> = controls.iter().filter(|c| c.theme == theme).collect();
        if !rows.is_empty() {
            themes.push(serde_json::json!({"id": format!("{theme:?}").to_lowercase(), "label": theme.label(), "controls": rows}));
        }
    }
    let mut context = scope.context("../");
    context.insert("themes", &themes);
    pages.push((
        "controls/index.html".to_string(),
        scope.page("controls.html", &context)?,
    ));
    let annex_a: Vec<&ControlRow> = controls.iter().filter(|c| c.annex_a).collect();
    let mut context = scope.context("");
    context.insert("controls", &annex_a);
    if let Some((soa, revisions)) = soa {
        context.insert("file", &soa);
        context.insert("revisions", &revisions);
    }
    pages.push(("soa.html".to_string(), scope.page("soa.html", &context)?));
    Ok(pages)
}

/// The register, clauses, gaps, archive, search and 404 pages.
pub fn others(
    scope: &Scope<'_>,
    documents: &Documents,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut pages = Vec::new();
    let mut context = scope.context("");
    let (external, register): (Vec<&RegisterRow>, Vec<&RegisterRow>) =
        documents.register.iter().partition(|r| r.external);
    context.insert("register", &register);
    context.insert("external", &external);
    context.insert("drafts", &scope.options.drafts);
    context.insert("unpublished_drafts", &scope.unpublished_drafts);
    pages.push(("index.html", scope.page("index.html", &context)?));

    let doc_link = |d: &Document| scope.doc_link(d);
    let (mandatory, clauses) =
        views::clause_rows(scope.handbook, &scope.published_paths, &doc_link);
    let mut context = scope.context("");
    context.insert("mandatory", &mandatory);
    context.insert("clauses", &clauses);
    pages.push(("clauses.html", scope.page("clauses.html", &context)?));

    let mut context = scope.context("");
    context.insert("gaps", &gaps(scope));
    context.insert("waivers", &waivers(scope));
    context.insert("gaps_hidden", &!scope.soa_details);
    pages.push(("gaps.html", scope.page("gaps.html", &context)?));

    let mut context = scope.context("");
    context.insert("retired", &documents.retired);
    pages.push(("archive.html", scope.page("archive.html", &context)?));
    pages.push((
        "search.html",
        scope.page("search.html", &scope.context(""))?,
    ));
    pages.push(("404.html", scope.page("404.html", &scope.context(""))?));
    Ok(pages
        .into_iter()
        .map(|(path, html)| (path.to_string(), html))
        .collect())
}

/// The active waivers, with a link to the document that holds each when it is
/// published (none when the SoA's reasoning may not be published).
fn waivers(scope: &Scope<'_>) -> Vec<serde_json::Value> {
    if !scope.soa_details {
        return Vec::new();
    }
    scope
        .facts
        .waivers
        .iter()
        .map(|w| {
            let url = scope
                .published_paths
                .contains(w.file.as_str())
                .then(|| page_of(&w.file));
            serde_json::json!({
                "code": w.code,
                "subject": w.subject,
                "file": w.file,
                "url": url,
                "reason": w.reason,
                "until": w.until,
                "silenced": w.silenced,
            })
        })
        .collect()
}

/// The warnings of the check, for the gaps page (none when the SoA's reasoning may
/// not be published).
fn gaps(scope: &Scope<'_>) -> Vec<serde_json::Value> {
    if !scope.soa_details {
        return Vec::new();
    }
    scope
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| {
            serde_json::json!({
                "code": d.code,
                "severity": d.severity,
                "file": d.file,
                "url": scope.published_paths.contains(d.file.as_str()).then(|| page_of(&d.file)),
                "message": d.message,
            })
        })
        .collect()
}
