//! What one build publishes and what all its pages share: the options, which
//! documents are published, whether the SoA's reasoning may be shown, the theme, the
//! forge links and the common page context.

use super::html::page_of;
use super::links::Links;
use super::memo::Fingerprint;
use super::theme::Theme;
use super::views::{self, BookContext, DocLink, SourceContext};
use crate::checks::{Facts, Report};
use crate::diagnostic::{ConfigError, Diagnostic};
use crate::model::config::Config;
use crate::model::document::{Document, FrontMatter};
use crate::model::handbook::Handbook;
use crate::model::kinds::Status;
use chrono::NaiveDate;
use std::collections::HashSet;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Publish drafts and documents in review (with a DRAFT watermark).
    pub drafts: bool,
    /// Publish only documents classified at most this level (e.g. `public`): links
    /// to the others become plain text, and the SoA's reasoning and the gaps are left
    /// out unless the SoA itself may be published at this level.
    pub max_classification: Option<String>,
}

impl Options {
    /// Whether information of `level` may appear in this build.
    pub fn may_publish(&self, level: &str, config: &Config) -> bool {
        match &self.max_classification {
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

    /// Whether the build publishes a document.
    pub fn publishes(&self, meta: &FrontMatter, config: &Config) -> bool {
        let status = match meta.control.status {
            Status::Approved | Status::Retired => true,
            Status::Draft | Status::InReview => self.drafts,
        };
        status && self.may_publish(&meta.classification, config)
    }
}

/// The start of every page's key (see `Scope::page_key`).
fn page_key(
    handbook: &Handbook,
    theme: &Theme,
    published: &[usize],
    sanitize: bool,
) -> Fingerprint {
    let mut key = Fingerprint::new()
        .number(theme.fingerprint)
        .text(if sanitize { "sanitized" } else { "raw" })
        .number(published.len() as u128);
    for &i in published {
        key = key.text(&handbook.documents[i].path);
    }
    for control in handbook.catalog.controls() {
        key = key
            .text(&control.id)
            .text(&control.title)
            .text(&control.catalog);
    }
    key
}

/// One build's shared state. It holds no git repository, so pages render on all
/// cores; what needs the history is read before.
pub struct Scope<'a> {
    pub handbook: &'a Handbook,
    pub diagnostics: &'a [Diagnostic],
    pub facts: &'a Facts,
    pub options: &'a Options,
    pub today: NaiveDate,
    pub theme: Theme,
    pub links: Links,
    book: BookContext,
    source: SourceContext,
    /// Indices of the published documents, in path order.
    pub published: Vec<usize>,
    /// Drafts and documents in review this build leaves out.
    pub unpublished_drafts: usize,
    pub published_paths: HashSet<&'a str>,
    /// Whether the SoA's reasoning (justifications, owners, risks) and the gaps may
    /// be published.
    pub soa_details: bool,
    /// Whether the risk register's pages are published (a register exists and its
    /// classification allows).
    pub risk_pages: bool,
    /// Whether the page that names who has not acknowledged what is published
    /// (personal data: only at the ledger's classification).
    pub name_pages: bool,
    pub sanitizer: Option<ammonia::Builder<'static>>,
    /// What every page's key starts from: the templates, the context all pages share
    /// (`context`), and what a body is rendered from besides its own Markdown and
    /// path (which documents are published, the control catalog, sanitizing).
    pub page_key: Fingerprint,
}

impl<'a> Scope<'a> {
    pub fn new(
        report: &'a Report,
        today: NaiveDate,
        options: &'a Options,
    ) -> Result<Scope<'a>, ConfigError> {
        let handbook = &report.handbook;
        let config = &handbook.config;
        let published: Vec<usize> = handbook
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.complete
                    && d.meta
                        .as_ref()
                        .is_some_and(|m| options.publishes(m, config))
            })
            .map(|(i, _)| i)
            .collect();
        let unpublished_drafts = handbook
            .valid()
            .filter(|(_, m)| matches!(m.control.status, Status::Draft | Status::InReview))
            .filter(|(_, m)| !options.publishes(m, config))
            .count();
        let published_paths = published
            .iter()
            .map(|&i| handbook.documents[i].path.as_str())
            .collect();
        let risk_pages = handbook.risks.as_ref().is_some_and(|r| r.readable)
            && options.may_publish(&config.risks.classification, config);
        let name_pages = match (&handbook.ledger, &config.acknowledgements) {
            (Some(_), Some(settings)) => options.may_publish(&settings.classification, config),
            _ => false,
        };
        let theme = Theme::load(&config.root)?;
        let mut book = views::book_context(handbook);
        book.risks = risk_pages;
        book.acknowledgements = name_pages;
        let source = views::source_context(handbook, &report.history);
        let page_key = page_key(handbook, &theme, &published, config.sanitize)
            .value(&book)
            .value(&source);
        Ok(Scope {
            handbook,
            diagnostics: &report.diagnostics,
            facts: &report.facts,
            options,
            today,
            theme,
            links: Links::new(&config.repository),
            book,
            source,
            published,
            unpublished_drafts,
            published_paths,
            soa_details: options.may_publish(&config.soa_classification, config),
            risk_pages,
            name_pages,
            sanitizer: config.sanitize.then(super::body::sanitizer),
            page_key,
        })
    }

    /// The context every page starts from; `root` leads from the page to the site root.
    pub fn context(&self, root: &str) -> tera::Context {
        let mut context = tera::Context::new();
        context.insert("book", &self.book);
        context.insert("source", &self.source);
        context.insert("root", root);
        context
    }

    /// A link to a document, with its page when it is published.
    pub fn doc_link(&self, doc: &Document) -> DocLink {
        let meta = doc.meta.as_ref();
        DocLink {
            id: meta.map_or_else(String::new, |m| m.id.clone()),
            title: meta.map_or_else(String::new, |m| m.title.clone()),
            url: self
                .published_paths
                .contains(doc.path.as_str())
                .then(|| page_of(&doc.path)),
            status: meta.map_or(Status::Draft, |m| m.control.status),
        }
    }

    /// Renders a template into a page.
    pub fn page(&self, template: &str, context: &tera::Context) -> Result<String, ConfigError> {
        self.theme.render(template, context)
    }
}
