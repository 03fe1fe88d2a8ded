//! Rendering the handbook: the linked model into a site (a map of output paths to
//! bytes) with Tera templates and pulldown-cmark. Nothing here touches the disk but
//! reading template overrides; writing the site is `output`'s job, so `serve` can
//! render into memory.
//!
//! Page layout mirrors the sources (`policies/x.md` → `policies/x.html`), so the
//! relative links authors write keep working once `.md` becomes `.html`. Every page
//! links to the same few section pages; only the register lists every document, so
//! the output grows linearly with the number of documents.

use crate::CheckReport;
use crate::catalog::{Control, ControlRef, DocInfoKind};
use crate::checks;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{Document, FrontMatter, Status};
use crate::handbook::Handbook;
use crate::history::{Coverage, History, Links};
use crate::markdown::{self, Outline};
use chrono::NaiveDate;
use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag, TagEnd};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The default theme, compiled in. A repository's `templates/` folder overrides any
/// of these by file name.
const TEMPLATES: [(&str, &str); 12] = [
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("document.html", include_str!("../templates/document.html")),
    ("control.html", include_str!("../templates/control.html")),
    ("controls.html", include_str!("../templates/controls.html")),
    ("soa.html", include_str!("../templates/soa.html")),
    ("clauses.html", include_str!("../templates/clauses.html")),
    ("gaps.html", include_str!("../templates/gaps.html")),
    ("archive.html", include_str!("../templates/archive.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("404.html", include_str!("../templates/404.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
];

const ASSETS: [(&str, &str); 2] = [
    (
        "assets/style.css",
        include_str!("../templates/assets/style.css"),
    ),
    (
        "assets/search.js",
        include_str!("../templates/assets/search.js"),
    ),
];

/// Output paths the handbook writes itself; a document may not take one.
pub const RESERVED: [&str; 14] = [
    "index.html",
    "dashboard.html",
    "soa.html",
    "clauses.html",
    "gaps.html",
    "archive.html",
    "search.html",
    "404.html",
    "handbook.json",
    "register.csv",
    "soa.csv",
    "assets",
    "controls",
    ".ismsbook-build",
];

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Publish drafts and documents in review (with a DRAFT watermark).
    pub drafts: bool,
    /// Publish only documents classified at most this level (e.g. `public`): links
    /// to the others become plain text, and the SoA's reasoning and the gaps are left
    /// out unless the SoA itself may be published at this level.
    pub max_classification: Option<String>,
}

/// A rendered handbook: output path → content, in path order.
#[derive(Debug, Default)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
    pub documents: usize,
    pub controls: usize,
}

impl Site {
    fn add(&mut self, path: impl Into<String>, content: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), content.into());
    }
}

/// Problems with the theme: exit code 2, like configuration.
#[derive(Debug)]
pub struct ThemeError {
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the theme: the built-in templates, each replaced by the repository's
/// `templates/<name>` when it exists.
/// Static files of the theme: output path → bytes.
type Assets = Vec<(String, Vec<u8>)>;

fn theme(root: &Path) -> Result<(tera::Tera, Assets), ThemeError> {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    let mut read = |name: &str, built_in: &str| -> String {
        let path = root.join("templates").join(name);
        match std::fs::read(&path) {
            Ok(bytes) => match crate::sources::decode(&bytes) {
                Ok(text) => text,
                Err(position) => {
                    problems.push(
                        Diagnostic::error(
                            "theme-invalid",
                            format!("templates/{name}"),
                            "the template is not UTF-8",
                        )
                        .at(position)
                        .hint("save it as UTF-8"),
                    );
                    built_in.to_string()
                }
            },
            Err(_) => built_in.to_string(),
        }
    };
    for (name, built_in) in TEMPLATES {
        sources.push((name.to_string(), read(name, built_in)));
    }
    let assets = ASSETS
        .iter()
        .map(|(name, built_in)| (name.to_string(), read(name, built_in).into_bytes()))
        .collect();
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    if let Err(e) = tera.add_raw_templates(sources) {
        problems.push(template_error("templates", &e));
    }
    if problems.is_empty() {
        Ok((tera, assets))
    } else {
        Err(ThemeError {
            diagnostics: problems,
        })
    }
}

/// HTML escaping for every value a template prints: the five characters that can
/// end a text or an attribute. (Tera's default also escapes `/`, which makes every
/// URL in the handbook unreadable without making it safer.)
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn template_error(file: &str, error: &tera::Error) -> Diagnostic {
    // Tera nests the cause; the innermost message says what is wrong.
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message = format!("{message}: {inner}");
        source = inner.source();
    }
    Diagnostic::error("theme-invalid", file, format!("template error: {message}"))
        .hint("correct the template override in templates/, or remove it to use the built-in one")
}

#[derive(Serialize)]
struct BookContext<'a> {
    title: &'a str,
    organization: &'a str,
    language: &'a str,
    description: Option<&'a str>,
}

#[derive(Serialize, Clone)]
struct SourceContext {
    commit: Option<String>,
    dirty: bool,
    complete: bool,
    history_note: String,
}

#[derive(Serialize, Clone)]
struct DocLink {
    id: String,
    title: String,
    url: Option<String>,
    status: String,
}

#[derive(Serialize)]
pub(crate) struct Register {
    id: String,
    title: String,
    type_label: &'static str,
    version: String,
    status: &'static str,
    owner: String,
    approved_on: Option<String>,
    next_review: Option<String>,
    overdue: bool,
    changed_after_approval: bool,
    url: String,
}

#[derive(Serialize)]
struct ControlRow {
    id: String,
    label: String,
    title: String,
    theme_label: &'static str,
    catalog: String,
    applicable: &'static str,
    status: Option<&'static str>,
    justification: Option<String>,
    owner: Option<String>,
    risks: Vec<String>,
    from_2013: Vec<String>,
    documents: Vec<DocLink>,
    document_count: usize,
}

#[derive(Serialize)]
struct RevisionRow {
    version: String,
    date: Option<String>,
    status: Option<String>,
    approved_by: Option<String>,
    approved_on: Option<String>,
    authors: Vec<String>,
    change: Option<String>,
    short: String,
    commit_url: Option<String>,
    pull_request: Option<u64>,
    pull_request_url: Option<String>,
}

/// One rendered document page and what the register and search need of it.
struct RenderedDocument {
    page: String,
    html: String,
    row: Register,
    search: serde_json::Value,
    retired: bool,
}

/// What every page shares.
struct Common<'a> {
    book: BookContext<'a>,
    source: SourceContext,
}

impl Common<'_> {
    fn context(&self, root: &str) -> tera::Context {
        let mut context = tera::Context::new();
        context.insert("book", &self.book);
        context.insert("source", &self.source);
        context.insert("root", root);
        context
    }
}

/// The relative prefix from a page to the site root: `policies/x.html` → `../`.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// `policies/x.md` → `policies/x.html`.
pub fn page_of(source_path: &str) -> String {
    let stem = source_path
        .strip_suffix(".md")
        .or_else(|| source_path.strip_suffix(".markdown"))
        .unwrap_or(source_path);
    format!("{stem}.html")
}

/// Which documents the build publishes.
fn is_published(meta: &FrontMatter, options: &Options, config: &crate::config::Config) -> bool {
    let status = match meta.status {
        Status::Approved | Status::Retired => true,
        Status::Draft | Status::InReview => options.drafts,
    };
    status && may_publish(&meta.classification, options, config)
}

/// Whether information of `level` may appear in a build limited to
/// `options.max_classification`.
fn may_publish(level: &str, options: &Options, config: &crate::config::Config) -> bool {
    match &options.max_classification {
        None => true,
        Some(max) => match (
            config.classification_rank(level),
            config.classification_rank(max),
        ) {
            (Some(level), Some(max)) => level <= max,
            _ => false,
        },
    }
}

/// The sanitizer for `[build] sanitize = true`: ammonia's defaults (no scripts, no
/// event handlers, no `javascript:` URLs, no styles), keeping what the Markdown
/// renderer produces (heading ids, code classes, task-list checkboxes, footnotes).
fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id", "class", "title"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .url_relative(ammonia::UrlRelative::PassThrough);
    builder
}

fn control_label(control: &Control) -> String {
    if control.is_annex_a() {
        format!("A.{}", control.id)
    } else {
        control.id.clone()
    }
}

/// Renders the whole handbook. `report` is a check without errors.
pub fn render(
    report: &CheckReport,
    today: NaiveDate,
    options: &Options,
) -> Result<Site, ThemeError> {
    let handbook = &report.handbook;
    let history = &report.history;
    let (tera, assets) = theme(&handbook.config.root)?;
    let mut site = Site::default();
    let common = Common {
        book: BookContext {
            title: &handbook.config.book.title,
            organization: &handbook.config.book.organization,
            language: &handbook.config.book.language,
            description: handbook.config.book.description.as_deref(),
        },
        source: source_context(handbook, history),
    };
    let links = Links::new(&handbook.config.repository);
    let soa_details = may_publish(
        &handbook.config.soa_classification,
        options,
        &handbook.config,
    );
    let sanitizer = handbook.config.sanitize.then(sanitizer);

    // The published documents, by index, and the pages they become.
    let published: Vec<usize> = handbook
        .documents
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.complete
                && d.meta
                    .as_ref()
                    .is_some_and(|m| is_published(m, options, &handbook.config))
        })
        .map(|(i, _)| i)
        .collect();
    let published_paths: HashSet<&str> = published
        .iter()
        .map(|&i| handbook.documents[i].path.as_str())
        .collect();
    let doc_link = |doc: &Document| -> DocLink {
        let meta = doc.meta.as_ref();
        DocLink {
            id: meta.map_or_else(String::new, |m| m.id.clone()),
            title: meta.map_or_else(String::new, |m| m.title.clone()),
            url: published_paths
                .contains(doc.path.as_str())
                .then(|| page_of(&doc.path)),
            status: meta.map_or("draft", |m| m.status.as_str()).to_string(),
        }
    };
    let flagged = |code: &str| -> HashSet<&str> {
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| d.file.as_str())
            .collect()
    };
    let changed_after_approval = flagged("changed-after-approval");
    let backlinks = backlinks(handbook, &published);

    // Document pages and the register. Revisions need the git repository, which
    // stays on this thread; the pages then render on all cores.
    let all_revisions: Vec<Vec<crate::history::Revision>> = published
        .iter()
        .map(|&i| history.revisions(&handbook.documents[i].path))
        .collect();
    let revision_rows: Vec<Vec<RevisionRow>> = all_revisions
        .iter()
        .map(|r| revision_rows(r, &links))
        .collect();
    let rendered: Vec<Result<RenderedDocument, ThemeError>> = published
        .par_iter()
        .zip(revision_rows)
        .map(|(&i, revisions)| {
            let doc = &handbook.documents[i];
            let meta = doc.meta.as_ref().expect("published documents are complete");
            let page = page_of(&doc.path);
            let root = root_of(&page);
            let next_review = (meta.status == Status::Approved)
                .then(|| checks::next_review(handbook, meta))
                .flatten();
            let overdue = next_review.is_some_and(|d| d < today);
            let (body, text) = render_body(doc, &handbook.outlines[i], handbook, &published_paths, &root, sanitizer.as_ref());
            let role = |key: &str| match handbook.config.roles.get(key) {
                Some(role) => format!("{} ({key})", role.name),
                None => key.to_string(),
            };
            let mut context = common.context(&root);
            context.insert(
                "doc",
                &serde_json::json!({
                    "id": meta.id,
                    "title": meta.title,
                    "type_label": meta.doc_type.label(),
                    "version": meta.version.to_string(),
                    "status": meta.status.as_str(),
                    "owner": role(&meta.owner),
                    "approvers": meta.approvers.iter().map(|a| role(&a.value)).collect::<Vec<_>>(),
                    "approved_by": meta.approved_by.as_deref().map(role),
                    "approved_on": meta.approved_on.map(|d| d.to_string()),
                    "effective": meta.effective.or(meta.approved_on).map(|d| d.to_string()),
                    "next_review": next_review.map(|d| d.to_string()),
                    "overdue": overdue,
                    "classification": meta.classification,
                    "path": doc.path,
                    "controls": document_controls(handbook, meta),
                    "clauses": meta.clauses.iter().filter_map(|c| handbook.catalog.clause(c.value.trim())).map(|c| serde_json::json!({"id": c.id, "title": c.title})).collect::<Vec<_>>(),
                    "related": meta.related.iter().map(|r| match handbook.by_id(&r.value) {
                        Some(target) => doc_link(target),
                        None => DocLink { id: r.value.clone(), title: String::new(), url: None, status: String::new() },
                    }).collect::<Vec<_>>(),
                    "backlinks": backlinks.get(&i).into_iter().flatten().filter(|&&j| {
                        // A related document already listed is not repeated as a backlink.
                        let id = handbook.documents[j].id.as_deref().unwrap_or_default();
                        !meta.related.iter().any(|r| r.value == id)
                    }).map(|&j| doc_link(&handbook.documents[j])).collect::<Vec<_>>(),
                }),
            );
            context.insert("body", &body);
            context.insert("revisions", &revisions);
            let html = render_page(&tera, "document.html", &context)?;
            Ok(RenderedDocument {
                row: Register {
                    id: meta.id.clone(),
                    title: meta.title.clone(),
                    type_label: meta.doc_type.label(),
                    version: meta.version.to_string(),
                    status: meta.status.as_str(),
                    owner: meta.owner.clone(),
                    approved_on: meta.approved_on.map(|d| d.to_string()),
                    next_review: next_review.map(|d| d.to_string()),
                    overdue,
                    changed_after_approval: changed_after_approval.contains(doc.path.as_str()),
                    url: page.clone(),
                },
                search: serde_json::json!({"id": meta.id, "title": meta.title, "url": page, "text": text}),
                retired: meta.status == Status::Retired,
                page,
                html,
            })
        })
        .collect();
    let mut register = Vec::new();
    let mut retired = Vec::new();
    let mut search = Vec::new();
    for rendered in rendered {
        let rendered = rendered?;
        site.add(rendered.page, rendered.html);
        search.push(rendered.search);
        if rendered.retired {
            retired.push(rendered.row);
        } else {
            register.push(rendered.row);
        }
    }
    register.sort_by(|a, b| a.id.cmp(&b.id));
    retired.sort_by(|a, b| a.id.cmp(&b.id));
    site.documents = published.len();

    // Controls: one page each, the index by theme, and the SoA.
    let controls: Vec<ControlRow> = handbook
        .catalog
        .controls()
        .iter()
        .map(|control| control_row(handbook, control, &published_paths, &doc_link, soa_details))
        .collect();
    let pages: Vec<Result<(String, String), ThemeError>> = controls
        .par_iter()
        .map(|control| {
            let mut context = common.context("../");
            context.insert("control", control);
            let html = render_page(&tera, "control.html", &context)?;
            Ok((format!("controls/{}.html", control.id), html))
        })
        .collect();
    for page in pages {
        let (path, html) = page?;
        site.add(path, html);
    }
    site.controls = controls.len();
    let mut themes: Vec<serde_json::Value> = Vec::new();
    for theme in [
        crate::catalog::Theme::Organizational,
        crate::catalog::Theme::People,
        crate::catalog::Theme::Physical,
        crate::catalog::Theme::Technological,
        crate::catalog::Theme::Other,
    ] {
        let rows: Vec<&ControlRow> = controls
            .iter()
            .filter(|c| c.theme_label == theme.label())
            .collect();
        if !rows.is_empty() {
            themes.push(serde_json::json!({"id": format!("{theme:?}").to_lowercase(), "label": theme.label(), "controls": rows}));
        }
    }
    let mut context = common.context("../");
    context.insert("themes", &themes);
    site.add(
        "controls/index.html",
        render_page(&tera, "controls.html", &context)?,
    );

    let annex_a: Vec<&ControlRow> = controls
        .iter()
        .filter(|c| c.catalog == crate::catalog::ANNEX_A)
        .collect();
    let mut context = common.context("");
    context.insert("controls", &annex_a);
    site.add("soa.html", render_page(&tera, "soa.html", &context)?);

    // The register, clauses, gaps, archive, search, 404.
    let mut context = common.context("");
    context.insert("register", &register);
    context.insert("drafts", &options.drafts);
    site.add("index.html", render_page(&tera, "index.html", &context)?);

    let (mandatory, clauses) = clause_rows(handbook, &published_paths, &doc_link);
    let mut context = common.context("");
    context.insert("mandatory", &mandatory);
    context.insert("clauses", &clauses);
    site.add(
        "clauses.html",
        render_page(&tera, "clauses.html", &context)?,
    );

    let gaps: Vec<serde_json::Value> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| {
            serde_json::json!({
                "code": d.code,
                "severity": d.severity,
                "file": d.file,
                "url": published_paths.contains(d.file.as_str()).then(|| page_of(&d.file)),
                "message": d.message,
            })
        })
        .collect();
    let gaps = if soa_details { gaps } else { Vec::new() };
    let mut context = common.context("");
    context.insert("gaps", &gaps);
    context.insert("gaps_hidden", &!soa_details);
    site.add("gaps.html", render_page(&tera, "gaps.html", &context)?);

    let published_meta: Vec<&FrontMatter> = published
        .iter()
        .filter_map(|&i| handbook.documents[i].meta.as_ref())
        .collect();
    site.add(
        "dashboard.html",
        dashboard_page(&tera, &common, &published_meta, &register, &controls, today)?,
    );

    let mut context = common.context("");
    context.insert("retired", &retired);
    site.add(
        "archive.html",
        render_page(&tera, "archive.html", &context)?,
    );
    site.add(
        "search.html",
        render_page(&tera, "search.html", &common.context(""))?,
    );
    site.add(
        "404.html",
        render_page(&tera, "404.html", &common.context(""))?,
    );

    for (name, bytes) in assets {
        site.add(name, bytes);
    }
    let index = serde_json::json!({ "documents": search });
    site.add(
        "assets/search-index.js",
        format!(
            "window.ISMSBOOK_SEARCH = {};\n",
            serde_json::to_string(&index).expect("serializes")
        ),
    );

    let published_documents: Vec<(&Document, &[crate::history::Revision])> = published
        .iter()
        .zip(&all_revisions)
        .map(|(&i, r)| (&handbook.documents[i], r.as_slice()))
        .collect();
    crate::export::write(
        &mut site,
        handbook,
        history,
        &published_documents,
        &register,
        &controls_for_export(&controls),
        today,
    );
    Ok(site)
}

/// The dashboard: controls by theme, documents by status, reviews due.
fn dashboard_page(
    tera: &tera::Tera,
    common: &Common<'_>,
    published: &[&FrontMatter],
    register: &[Register],
    controls: &[ControlRow],
    today: NaiveDate,
) -> Result<String, ThemeError> {
    use crate::dashboard::{self, Bar, Segment};
    let control_states: [(&str, &str); 6] = [
        ("implemented", dashboard::IMPLEMENTED),
        ("partial", dashboard::PARTIAL),
        ("planned", dashboard::PLANNED),
        ("not implemented", dashboard::NOT_IMPLEMENTED),
        ("excluded", dashboard::EXCLUDED),
        ("undecided", dashboard::UNDECIDED),
    ];
    let state_of = |c: &ControlRow| match (c.applicable, c.status) {
        ("no", _) => "excluded",
        ("undecided", _) => "undecided",
        (_, Some("implemented")) => "implemented",
        (_, Some("partial")) => "partial",
        (_, Some("planned")) => "planned",
        _ => "not implemented",
    };
    let themes = [
        crate::catalog::Theme::Organizational,
        crate::catalog::Theme::People,
        crate::catalog::Theme::Physical,
        crate::catalog::Theme::Technological,
    ];
    let control_bars: Vec<Bar> = themes
        .iter()
        .map(|theme| {
            let in_theme: Vec<&ControlRow> = controls
                .iter()
                .filter(|c| c.catalog == crate::catalog::ANNEX_A && c.theme_label == theme.label())
                .collect();
            Bar::new(
                theme.label().replace(" controls", ""),
                control_states
                    .iter()
                    .map(|(name, colour)| Segment {
                        name,
                        count: in_theme.iter().filter(|c| state_of(c) == *name).count(),
                        colour,
                    })
                    .collect(),
            )
        })
        .collect();

    let document_states: [(&str, &str); 4] = [
        ("approved", dashboard::IMPLEMENTED),
        ("in-review", dashboard::PLANNED),
        ("draft", dashboard::UNDECIDED),
        ("retired", dashboard::EXCLUDED),
    ];
    let document_bars: Vec<Bar> = crate::document::DocType::ALL
        .iter()
        .filter(|t| published.iter().any(|m| m.doc_type == **t))
        .map(|t| {
            Bar::new(
                t.plural_label(),
                document_states
                    .iter()
                    .map(|(name, colour)| Segment {
                        name,
                        count: published
                            .iter()
                            .filter(|m| m.doc_type == *t && m.status.as_str() == *name)
                            .count(),
                        colour,
                    })
                    .collect(),
            )
        })
        .collect();

    let mut due: Vec<serde_json::Value> = Vec::new();
    let mut buckets = [0usize; 4];
    for row in register.iter().filter(|r| r.status == "approved") {
        let Some(next) = row
            .next_review
            .as_deref()
            .and_then(|d| d.parse::<NaiveDate>().ok())
        else {
            continue;
        };
        let days = (next - today).num_days();
        let bucket = match days {
            d if d < 0 => 0,
            0..=30 => 1,
            31..=90 => 2,
            _ => 3,
        };
        buckets[bucket] += 1;
        if bucket < 3 {
            due.push(serde_json::json!({"id": row.id, "title": row.title, "url": row.url, "owner": row.owner, "next_review": row.next_review, "overdue": days < 0, "days": days}));
        }
    }
    due.sort_by(|a, b| a["next_review"].as_str().cmp(&b["next_review"].as_str()));
    let review_bar = Bar::new(
        "Approved documents",
        vec![
            Segment {
                name: "overdue",
                count: buckets[0],
                colour: dashboard::NOT_IMPLEMENTED,
            },
            Segment {
                name: "due within 30 days",
                count: buckets[1],
                colour: dashboard::PLANNED,
            },
            Segment {
                name: "due in 31 to 90 days",
                count: buckets[2],
                colour: dashboard::PARTIAL,
            },
            Segment {
                name: "later",
                count: buckets[3],
                colour: dashboard::IMPLEMENTED,
            },
        ],
    );

    let mut context = common.context("");
    context.insert("today", &today.to_string());
    context.insert(
        "controls_chart",
        &dashboard::stacked_bars(
            "Annex A controls by theme and implementation",
            &control_bars,
        ),
    );
    context.insert("controls", &control_bars);
    context.insert("control_states", &control_states.map(|(n, _)| n));
    context.insert(
        "documents_chart",
        &dashboard::stacked_bars("Published documents by type and status", &document_bars),
    );
    context.insert("documents", &document_bars);
    context.insert("document_states", &document_states.map(|(n, _)| n));
    context.insert(
        "reviews_chart",
        &dashboard::stacked_bars(
            "Reviews of approved documents by when they are due",
            std::slice::from_ref(&review_bar),
        ),
    );
    context.insert("due", &due);
    render_page(tera, "dashboard.html", &context)
}

/// What the exports need of the controls.
fn controls_for_export(controls: &[ControlRow]) -> Vec<crate::export::ControlExport> {
    controls
        .iter()
        .map(|c| crate::export::ControlExport {
            id: c.id.clone(),
            title: c.title.clone(),
            theme: c.theme_label,
            catalog: c.catalog.clone(),
            applicable: c.applicable,
            status: c.status,
            justification: c.justification.clone(),
            owner: c.owner.clone(),
            risks: c.risks.clone(),
            documents: c.documents.iter().map(|d| d.id.clone()).collect(),
        })
        .collect()
}

impl Register {
    pub fn export(&self) -> [&str; 8] {
        [
            &self.id,
            &self.title,
            self.type_label,
            &self.version,
            self.status,
            &self.owner,
            self.approved_on.as_deref().unwrap_or(""),
            self.next_review.as_deref().unwrap_or(""),
        ]
    }
}

fn render_page(
    tera: &tera::Tera,
    template: &str,
    context: &tera::Context,
) -> Result<String, ThemeError> {
    tera.render(template, context).map_err(|e| ThemeError {
        diagnostics: vec![template_error(&format!("templates/{template}"), &e)],
    })
}

fn source_context(handbook: &Handbook, history: &History) -> SourceContext {
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
fn revision_rows(revisions: &[crate::history::Revision], links: &Links) -> Vec<RevisionRow> {
    revisions
        .iter()
        .rev()
        .map(|r| RevisionRow {
            short: r.commit[..r.commit.len().min(7)].to_string(),
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
        })
        .collect()
}

fn document_controls(handbook: &Handbook, meta: &FrontMatter) -> Vec<serde_json::Value> {
    meta.controls
        .iter()
        .filter_map(|c| match handbook.catalog.resolve(&c.value) {
            ControlRef::Known(control) => Some(serde_json::json!({"id": control.id, "label": control_label(control), "title": control.title})),
            _ => None,
        })
        .collect()
}

/// One control as the pages show it; `details` are the SoA's reasoning (justification,
/// owner, risks), left out when the build may not publish them.
fn control_row(
    handbook: &Handbook,
    control: &Control,
    published: &HashSet<&str>,
    doc_link: &dyn Fn(&Document) -> DocLink,
    details: bool,
) -> ControlRow {
    let decision = handbook
        .soa
        .as_ref()
        .and_then(|s| s.decisions.get(&control.id));
    let documents: Vec<DocLink> = handbook
        .implementing(&control.id)
        .filter(|(d, _)| published.contains(d.path.as_str()))
        .map(|(d, _)| doc_link(d))
        .collect();
    ControlRow {
        id: control.id.clone(),
        label: control_label(control),
        title: control.title.clone(),
        theme_label: control.theme.label(),
        catalog: control.catalog.clone(),
        applicable: match decision.and_then(|d| d.applicable) {
            Some(true) => "yes",
            Some(false) => "no",
            None if control.is_annex_a() => "undecided",
            None => "-",
        },
        status: decision.and_then(|d| d.status).map(|s| s.as_str()),
        justification: decision
            .and_then(|d| d.justification.clone())
            .filter(|_| details),
        owner: decision.and_then(|d| d.owner.clone()).filter(|_| details),
        risks: decision
            .filter(|_| details)
            .map(|d| d.risks.clone())
            .unwrap_or_default(),
        from_2013: control.from_2013.clone(),
        document_count: documents.len(),
        documents,
    }
}

fn clause_rows(
    handbook: &Handbook,
    published: &HashSet<&str>,
    doc_link: &dyn Fn(&Document) -> DocLink,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let approved: Vec<(&Document, &FrontMatter)> = handbook
        .valid()
        .filter(|(d, m)| m.status == Status::Approved && published.contains(d.path.as_str()))
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
            let note = match item.covered_by {
                Some(crate::catalog::CoveredBy::Soa) if handbook.soa.is_some() => Some("the Statement of Applicability"),
                Some(crate::catalog::CoveredBy::Register) => Some("the document register"),
                _ => None,
            };
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
fn backlinks(handbook: &Handbook, published: &[usize]) -> HashMap<usize, BTreeSet<usize>> {
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
                checks::resolve(&doc.path, file).and_then(|p| index_of.get(p.as_str()).copied())
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

/// The body as HTML: heading anchors as `check` computed them, relative `.md` links
/// to the pages they become (or plain text when the target is not published), and
/// Annex A mentions (`A.5.15`) linked to their control pages.
fn render_body(
    doc: &Document,
    outline: &Outline,
    handbook: &Handbook,
    published: &HashSet<&str>,
    root: &str,
    sanitizer: Option<&ammonia::Builder<'_>>,
) -> (String, String) {
    let mut anchors = outline.headings.iter().map(|h| h.anchor.clone());
    let mut events: Vec<Event<'_>> = Vec::new();
    // Depth of links and code, where control mentions are not linked; and whether
    // the link being skipped (an unpublished target) is open.
    let mut in_link = 0usize;
    let mut in_heading = false;
    let mut dropped_links: Vec<bool> = Vec::new();
    // The words of the body, for the search index, from the same pass.
    let mut text = String::with_capacity(doc.body.len());
    for event in Parser::new_ext(&doc.body, markdown::options()) {
        match &event {
            Event::Text(t) | Event::Code(t) => {
                text.push_str(t);
                text.push(' ');
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => text.push(' '),
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id: _,
                classes,
                attrs,
            }) => {
                in_heading = true;
                let id = anchors.next().map(CowStr::from);
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let rewritten = rewrite_link(&doc.path, &dest_url, published);
                match rewritten {
                    Some(Some(url)) => {
                        dropped_links.push(false);
                        in_link += 1;
                        events.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: url.into(),
                            title,
                            id,
                        }));
                    }
                    Some(None) => dropped_links.push(true),
                    None => {
                        dropped_links.push(false);
                        in_link += 1;
                        events.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }));
                    }
                }
            }
            Event::End(TagEnd::Link) => {
                if !dropped_links.pop().unwrap_or(false) {
                    in_link = in_link.saturating_sub(1);
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Text(text) if in_link == 0 && !in_heading && text.contains("A.") => {
                link_mentions(text, handbook, root, &mut events);
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(doc.body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if let Some(sanitizer) = sanitizer {
        html = sanitizer.clean(&html).to_string();
    }
    (html, text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `Some(Some(url))`: a document link rewritten to its page; `Some(None)`: a link to
/// a document that is not published (rendered as plain text); `None`: left alone.
pub fn rewrite_link(from: &str, dest: &str, published: &HashSet<&str>) -> Option<Option<String>> {
    if dest.contains("://")
        || dest.starts_with('#')
        || dest.starts_with("mailto:")
        || dest.starts_with("//")
    {
        return None;
    }
    let (file, anchor) = match dest.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (dest, None),
    };
    if !(file.ends_with(".md") || file.ends_with(".markdown")) {
        return None;
    }
    let target = checks::resolve(from, file)?;
    if !published.contains(target.as_str()) {
        return Some(None);
    }
    let page = page_of(file);
    Some(Some(match anchor {
        Some(anchor) => format!("{page}#{anchor}"),
        None => page,
    }))
}

/// Splits a text at its Annex A mentions, linking each known control.
fn link_mentions<'a>(
    text: CowStr<'a>,
    handbook: &Handbook,
    root: &str,
    events: &mut Vec<Event<'a>>,
) {
    let mentions = markdown::control_mentions(&text);
    let mut last = 0;
    for (offset, id) in mentions {
        let ControlRef::Known(control) = handbook.catalog.resolve(&id) else {
            continue;
        };
        if offset > last {
            events.push(Event::Text(text[last..offset].to_string().into()));
        }
        events.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: format!("{root}controls/{}.html", control.id).into(),
            title: control.title.clone().into(),
            id: "".into(),
        }));
        events.push(Event::Text(id.clone().into()));
        events.push(Event::End(TagEnd::Link));
        last = offset + id.len();
    }
    if last == 0 {
        events.push(Event::Text(text));
    } else if last < text.len() {
        events.push(Event::Text(text[last..].to_string().into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_mirror_sources() {
        assert_eq!(
            page_of("policies/access-control.md"),
            "policies/access-control.html"
        );
        assert_eq!(root_of("policies/access-control.html"), "../");
        assert_eq!(root_of("index.html"), "");
    }

    #[test]
    fn links_are_rewritten_or_dropped() {
        let published: HashSet<&str> = ["policies/a.md"].into_iter().collect();
        assert_eq!(
            rewrite_link("procedures/p.md", "../policies/a.md#scope", &published),
            Some(Some("../policies/a.html#scope".to_string()))
        );
        assert_eq!(
            rewrite_link("procedures/p.md", "draft.md", &published),
            Some(None)
        );
        assert_eq!(
            rewrite_link("procedures/p.md", "https://example.com/x.md", &published),
            None
        );
        assert_eq!(rewrite_link("procedures/p.md", "#steps", &published), None);
    }
}
