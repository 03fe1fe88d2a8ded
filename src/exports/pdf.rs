//! Controlled copies as PDF: one per published document (its document-control block,
//! its body, its revision history; a header with id, version and classification, a
//! footer with "Uncontrolled when printed", the page of pages and the source commit;
//! a DRAFT watermark on drafts), and `handbook.pdf` with a title page, contents with
//! page numbers, the register, every document and the SoA. The Typst source is built
//! here; `typeset` turns it into PDF/A-2b.

use super::markup::{self, string, text};
use crate::checks::Report;
use crate::history::{Revision, git};
use crate::model::catalog::ControlRef;
use crate::model::document::{Document, FrontMatter};
use crate::model::handbook::Handbook;
use crate::model::kinds::Status;
use crate::site::Tables;
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use std::fmt::Write;

/// What a PDF of a run shares: the handbook, the day it is judged as of, the commit.
pub struct Run<'a> {
    pub report: &'a Report,
    pub tables: &'a Tables,
    pub today: NaiveDate,
}

impl Run<'_> {
    pub fn handbook(&self) -> &Handbook {
        &self.report.handbook
    }

    pub fn commit(&self) -> String {
        self.report
            .history
            .head()
            .map_or_else(|| "uncommitted".to_string(), |c| git::short(c).to_string())
    }

    fn role(&self, key: &str) -> String {
        match self.handbook().config.roles.get(key) {
            Some(role) => format!("{} ({key})", role.name),
            None => key.to_string(),
        }
    }

    /// The date a document's PDF carries: its approval, else the day judged.
    fn date_of(&self, meta: &FrontMatter) -> NaiveDate {
        meta.control.approved_on.unwrap_or(self.today)
    }
}

/// The Typst date expression of a day.
fn date(day: NaiveDate) -> String {
    format!(
        "datetime(year: {}, month: {}, day: {})",
        day.year(),
        day.month(),
        day.day()
    )
}

/// How the pages of a PDF are numbered: a copy of its own, or a part of
/// handbook.pdf that starts at `first` of `total` pages.
#[derive(Clone, Copy)]
pub enum Numbering {
    Own,
    Book { first: usize, total: usize },
}

/// What a PDF is: its metadata and its page header (Typst markup).
pub struct Heading<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub day: NaiveDate,
    pub header: &'a str,
    pub draft: bool,
}

/// The page set-up every PDF shares: fonts, A4, the footer and, for drafts, the
/// watermark.
pub fn preamble(run: &Run<'_>, heading: &Heading<'_>, numbering: Numbering) -> String {
    let Heading {
        title,
        subject,
        day,
        header,
        draft,
    } = *heading;
    let (first, total) = match numbering {
        Numbering::Own => (String::new(), "#counter(page).final().first()".to_string()),
        Numbering::Book { first, total } => (
            format!("#counter(page).update({first})\n"),
            total.to_string(),
        ),
    };
    let config = &run.handbook().config;
    let watermark = if draft {
        "background: rotate(-45deg, text(110pt, weight: \"bold\", fill: luma(222))[DRAFT]),"
    } else {
        ""
    };
    format!(
        r##"#set document(title: {title}, author: {author}, description: {subject}, date: {date})
#set text(font: "Libertinus Serif", size: 10.5pt, lang: {lang}, hyphenate: false)
#show raw: set text(font: "DejaVu Sans Mono", size: 8.5pt)
#set par(justify: true, leading: 0.6em)
#set table(stroke: 0.5pt + luma(175), inset: 5pt)
#show table: set text(size: 9pt)
#show table: set par(justify: false)
#show heading: set block(above: 1.3em, below: 0.65em)
#show heading.where(level: 1): set text(size: 17pt)
#show heading.where(level: 2): set text(size: 13pt)
#show heading.where(level: 3): set text(size: 11.5pt)
#show link: set text(fill: rgb("#1f5fae"))
#set page(paper: "a4", margin: (x: 2.2cm, top: 2.8cm, bottom: 2.6cm), {watermark}
  header: [#set text(8.5pt, fill: luma(80)); {header}],
  footer: context [#set text(8pt, fill: luma(80)); Uncontrolled when printed #h(1fr) Page #counter(page).display() of {total} #h(1fr) Source commit {commit}],
)
{first}"##,
        title = string(title),
        author = string(&config.book.organization),
        subject = string(subject),
        date = date(day),
        lang = string(
            &config
                .book
                .language
                .split('-')
                .next()
                .unwrap_or("en")
                .to_lowercase()
        ),
        commit = text(&run.commit()),
    )
}

/// A table cell of text.
pub fn cell(value: &str) -> String {
    format!("[{}]", text(value))
}

/// A table cell of bold text.
fn label(value: &str) -> String {
    format!("[#strong[{}]]", text(value))
}

/// The document-control block: every fact of document control, on the first page.
fn control_block(
    run: &Run<'_>,
    doc: &Document,
    meta: &FrontMatter,
    evidence: Option<&str>,
) -> String {
    let handbook = run.handbook();
    let control = &meta.control;
    let day = |d: Option<NaiveDate>| d.map_or("-".to_string(), |d| d.to_string());
    let next_review = (control.status == Status::Approved)
        .then(|| handbook.next_review(control))
        .flatten();
    let approvers: Vec<String> = control
        .approvers
        .iter()
        .map(|a| run.role(&a.value))
        .collect();
    let controls: Vec<String> = meta
        .controls
        .iter()
        .filter_map(|c| match handbook.catalog.resolve(&c.value) {
            ControlRef::Known(control) => Some(format!("{} {}", control.label(), control.title)),
            _ => None,
        })
        .collect();
    let clauses: Vec<&str> = meta.clauses.iter().map(|c| c.value.as_str()).collect();
    let wide = |name: &str, value: &str| {
        format!(
            "{}, table.cell(colspan: 3, {}),\n",
            label(name),
            cell(value)
        )
    };
    let mut out = String::from("#table(columns: (auto, 1fr, auto, 1fr),\n");
    let _ = writeln!(
        out,
        "{}, {}, {}, {},",
        label("Document"),
        cell(&format!("{}, version {}", meta.id, control.version)),
        label("Status"),
        cell(control.status.as_str())
    );
    let _ = writeln!(
        out,
        "{}, {}, {}, {},",
        label("Owner"),
        cell(&run.role(&control.owner)),
        label("Approvers"),
        cell(&approvers.join(", "))
    );
    let _ = writeln!(
        out,
        "{}, {}, {}, {},",
        label("Approved by"),
        cell(
            &control
                .approved_by
                .as_deref()
                .map_or("-".to_string(), |r| run.role(r))
        ),
        label("Approved on"),
        cell(&day(control.approved_on))
    );
    if let Some(evidence) = evidence {
        out.push_str(&wide("Approval evidence", evidence));
    }
    let _ = writeln!(
        out,
        "{}, {}, {}, {},",
        label("Effective"),
        cell(&day(control.effective.or(control.approved_on))),
        label("Next review"),
        cell(&day(next_review))
    );
    let _ = writeln!(
        out,
        "{}, {}, {}, {},",
        label("Classification"),
        cell(&meta.classification),
        label("Source"),
        cell(&doc.path)
    );
    out.push_str(&wide(
        "Controls",
        &if controls.is_empty() {
            "-".to_string()
        } else {
            controls.join("; ")
        },
    ));
    out.push_str(&wide(
        "Clauses",
        &if clauses.is_empty() {
            "-".to_string()
        } else {
            clauses.join(", ")
        },
    ));
    out.push_str(")\n");
    out
}

/// The revision history table.
fn revisions(revisions: &[Revision]) -> String {
    let mut out = String::from(
        "\n#heading(level: 2, outlined: false)[Revision history]\n#table(columns: (auto, auto, auto, auto, auto, 1fr),\ntable.header([*Version*], [*Landed*], [*Status*], [*Approved*], [*Evidence*], [*Change*]),\n",
    );
    if revisions.is_empty() {
        out.push_str("table.cell(colspan: 6)[No committed version.],\n");
    }
    for r in revisions.iter().rev() {
        let approved = match (&r.approved_by, &r.approved_on) {
            (Some(by), Some(on)) => format!("{by} {on}"),
            (Some(by), None) => by.clone(),
            (None, Some(on)) => on.clone(),
            (None, None) => String::new(),
        };
        let evidence = r.evidence.as_ref().map_or("", |e| e.level.as_str());
        let _ = writeln!(
            out,
            "{}, {}, {}, {}, {}, {},",
            cell(&r.version),
            cell(&r.date.map(|d| d.to_string()).unwrap_or_default()),
            cell(r.status.as_deref().unwrap_or_default()),
            cell(&approved),
            cell(evidence),
            cell(&format!(
                "{} ({})",
                r.change.as_deref().unwrap_or_default(),
                git::short(&r.commit)
            )),
        );
    }
    out.push_str(")\n");
    out
}

/// The body, without a first heading that repeats the title.
fn body_markdown<'d>(doc: &'d Document, meta: &FrontMatter) -> &'d str {
    let body = doc.body.trim_start();
    match body.split_once('\n') {
        Some((first, rest)) if first.trim() == format!("# {}", meta.title) => rest,
        None if body.trim() == format!("# {}", meta.title) => "",
        _ => body,
    }
}

/// Where the links of a body may lead: the repository paths of the documents a PDF
/// holds, with the link target of each (see [`document_link`]).
pub type Targets = HashMap<String, String>;

/// The link target of a document inside handbook.pdf. The parts of handbook.pdf are
/// typeset apart, so a link between them is written as this URI and turned into a
/// link inside the PDF when the parts are joined. Authors' links are only ever web
/// or mail links, so none can take this form.
pub fn document_link(id: &str) -> String {
    format!("{BOOK_LINK}{id}")
}

/// The scheme of [`document_link`].
pub const BOOK_LINK: &str = "ismsbook-document:";

/// One document's content: its title, control block, body and revision history.
fn content(run: &Run<'_>, doc: &Document, meta: &FrontMatter, targets: &Targets) -> String {
    let history = &run.report.history;
    let config = &run.handbook().config;
    let revisions_of = history.evidenced(&doc.path, config, &run.report.signers);
    let version = meta.control.version.to_string();
    let evidence = revisions_of
        .iter()
        .rev()
        .find(|r| r.version == version)
        .and_then(|r| r.evidence.as_ref())
        .map(|e| e.describe());
    let target_of = |path: &str| targets.get(path).cloned();
    let root = config.root.clone();
    let image = move |src: &str| image_path(&root, &doc.path, src);
    let context = markup::Context {
        path: &doc.path,
        target_of: &target_of,
        image: &image,
    };
    let mut out = String::new();
    let kind = format!("{} · {}", meta.id, meta.doc_type.label());
    let _ = writeln!(
        out,
        "#text(9pt, fill: luma(80))[{}]\n#v(2pt)\n#text(20pt, weight: \"bold\")[{}]\n#v(6pt)",
        text(&kind),
        text(&meta.title)
    );
    if meta.control.status != Status::Approved && meta.control.status != Status::Retired {
        let _ = writeln!(
            out,
            "#text(fill: rgb(\"#a35c00\"))[{}]\n",
            text(&format!(
                "This document is a {} and not yet in force.",
                meta.control.status.as_str()
            ))
        );
    }
    if meta.control.status == Status::Retired {
        out.push_str("#text(fill: luma(80))[This document is retired. It is kept for the record and is no longer in force.]\n\n");
    }
    out.push_str(&control_block(run, doc, meta, evidence.as_deref()));
    out.push_str("\n#v(8pt)\n");
    out.push_str(&markup::body(body_markdown(doc, meta), &context));
    out.push_str(&revisions(&revisions_of));
    out
}

/// An image of a document as a repository path the typesetter may read: relative
/// to the document, inside the repository, an image format Typst reads.
fn image_path(root: &std::path::Path, doc: &str, src: &str) -> Option<String> {
    if src.contains("://") || src.starts_with("data:") {
        return None;
    }
    let path = crate::model::links::resolve(doc, src.split(['#', '?']).next()?)?;
    let lower = path.to_ascii_lowercase();
    let known = [".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"]
        .iter()
        .any(|e| lower.ends_with(e));
    (known && root.join(&path).is_file()).then(|| format!("/{path}"))
}

/// The Typst source of one document's controlled copy, numbered on its own or as a
/// part of handbook.pdf, with its links to the documents of `targets`.
pub fn document_source(
    run: &Run<'_>,
    index: usize,
    numbering: Numbering,
    targets: &Targets,
) -> Option<(String, NaiveDate)> {
    let doc = run.handbook().documents.get(index)?;
    let meta = doc.meta.as_ref()?;
    let day = run.date_of(meta);
    let header = format!(
        "{} #h(1fr) {}",
        text(&format!("{}, version {}", meta.id, meta.control.version)),
        text(&meta.classification.to_uppercase())
    );
    let heading = Heading {
        title: &format!("{} {}", meta.id, meta.title),
        subject: &format!("{} version {}", meta.id, meta.control.version),
        day,
        header: &header,
        draft: matches!(meta.control.status, Status::Draft | Status::InReview),
    };
    let mut source = preamble(run, &heading, numbering);
    source.push_str(&content(run, doc, meta, targets));
    Some((source, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_heading_is_not_repeated() {
        assert_eq!(
            image_path(
                std::path::Path::new("/nonexistent"),
                "policies/a.md",
                "https://x/y.png"
            ),
            None
        );
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()),
            "datetime(year: 2026, month: 11, day: 3)"
        );
    }
}
