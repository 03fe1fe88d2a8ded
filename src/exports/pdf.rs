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
use crate::site::{ControlRow, RegisterRow, Tables};
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
    fn handbook(&self) -> &Handbook {
        &self.report.handbook
    }

    fn commit(&self) -> String {
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

/// The page set-up every PDF shares: fonts, A4, the footer and, for drafts, the
/// watermark. `header` is Typst markup.
fn preamble(
    run: &Run<'_>,
    title: &str,
    subject: &str,
    day: NaiveDate,
    header: &str,
    draft: bool,
) -> String {
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
  footer: context [#set text(8pt, fill: luma(80)); Uncontrolled when printed #h(1fr) Page #counter(page).display() of #counter(page).final().first() #h(1fr) Source commit {commit}],
)
"##,
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
fn cell(value: &str) -> String {
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

/// One document's content: its title, control block, body and revision history.
/// `labels` maps the repository paths this PDF holds to their labels.
fn content(
    run: &Run<'_>,
    doc: &Document,
    meta: &FrontMatter,
    labels: &HashMap<String, String>,
    in_book: bool,
) -> String {
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
    let label_of = |path: &str| labels.get(path).cloned();
    let root = config.root.clone();
    let image = move |src: &str| image_path(&root, &doc.path, src);
    let context = markup::Context {
        path: &doc.path,
        label_of: &label_of,
        image: &image,
        heading_offset: 1,
    };
    let mut out = String::new();
    let kind = format!("{} · {}", meta.id, meta.doc_type.label());
    if in_book {
        let _ = writeln!(
            out,
            "#pagebreak(weak: true)\n#metadata((left: {}, right: {})) <docmark>\n#heading(level: 1)[{}] <{}>",
            string(&format!("{}, version {}", meta.id, meta.control.version)),
            string(&meta.classification.to_uppercase()),
            text(&format!("{} {}", meta.id, meta.title)),
            doc_label(&meta.id)
        );
    } else {
        let _ = writeln!(
            out,
            "#text(9pt, fill: luma(80))[{}]\n#v(2pt)\n#text(20pt, weight: \"bold\")[{}]\n#v(6pt)",
            text(&kind),
            text(&meta.title)
        );
    }
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

/// The label of a document in handbook.pdf.
fn doc_label(id: &str) -> String {
    format!("doc-{id}")
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

/// The Typst source of one document's controlled copy.
pub fn document_source(run: &Run<'_>, index: usize) -> Option<(String, NaiveDate)> {
    let doc = run.handbook().documents.get(index)?;
    let meta = doc.meta.as_ref()?;
    let day = run.date_of(meta);
    let header = format!(
        "{} #h(1fr) {}",
        text(&format!("{}, version {}", meta.id, meta.control.version)),
        text(&meta.classification.to_uppercase())
    );
    let draft = matches!(meta.control.status, Status::Draft | Status::InReview);
    let mut source = preamble(
        run,
        &format!("{} {}", meta.id, meta.title),
        &format!("{} version {}", meta.id, meta.control.version),
        day,
        &header,
        draft,
    );
    source.push_str(&content(run, doc, meta, &HashMap::new(), false));
    Some((source, day))
}

/// The Typst source of handbook.pdf: title page, contents, register, documents, SoA.
pub fn handbook_source(run: &Run<'_>) -> String {
    let handbook = run.handbook();
    let book = &handbook.config.book;
    // The header names the document the page belongs to: the last mark on or before
    // the page (marks are data, never evaluated as markup).
    let header = "#context { let marks = query(<docmark>).filter(m => m.location().page() <= here().page()); if marks.len() > 0 { let m = marks.last().value; [#m.left #h(1fr) #m.right] } }";
    let mut source = preamble(
        run,
        &book.title,
        &format!("{} as of {}", book.title, run.today),
        run.today,
        header,
        false,
    );
    let _ = writeln!(
        source,
        "#v(30%)\n#text(26pt, weight: \"bold\")[{}]\n#v(6pt)\n#text(14pt)[{}]\n#v(12pt)\n{}\n#v(12pt)\n#text(10pt, fill: luma(80))[{}]\n#pagebreak()\n#outline(title: [Contents], depth: 1)\n#pagebreak()",
        text(&book.title),
        text(&book.organization),
        book.description.as_deref().map(text).unwrap_or_default(),
        text(&format!(
            "As of {}; source commit {}",
            run.today,
            run.commit()
        )),
    );
    let labels: HashMap<String, String> = run
        .tables
        .published
        .iter()
        .filter_map(|&i| {
            let doc = &handbook.documents[i];
            Some((doc.path.clone(), doc_label(&doc.meta.as_ref()?.id)))
        })
        .collect();
    source.push_str(&register_table(&run.tables.register));
    for &i in &run.tables.published {
        let doc = &handbook.documents[i];
        if let Some(meta) = &doc.meta {
            source.push_str(&content(run, doc, meta, &labels, true));
        }
    }
    source.push_str(&soa_table(&run.tables.controls, run.tables.soa_details));
    source
}

fn register_table(register: &[RegisterRow]) -> String {
    let mut out = String::from(
        "#metadata((left: \"Document register\", right: \"\")) <docmark>\n#heading(level: 1)[Document register]\n#table(columns: (auto, 1fr, auto, auto, auto, auto, auto),\ntable.header([*ID*], [*Title*], [*Type*], [*Version*], [*Status*], [*Owner*], [*Next review*]),\n",
    );
    for row in register {
        let _ = writeln!(
            out,
            "[#link(label({}))[{}]], {}, {}, {}, {}, {}, {},",
            string(&doc_label(&row.id)),
            text(&row.id),
            cell(&row.title),
            cell(row.type_label),
            cell(&row.version.to_string()),
            cell(row.status.as_str()),
            cell(&row.owner),
            cell(&row.next_review.map(|d| d.to_string()).unwrap_or_default()),
        );
    }
    out.push_str(")\n");
    out
}

fn soa_table(controls: &[ControlRow], details: bool) -> String {
    let mut out = String::from(
        "#pagebreak(weak: true)\n#metadata((left: \"Statement of Applicability\", right: \"\")) <docmark>\n#heading(level: 1)[Statement of Applicability]\n",
    );
    out.push_str(if details {
        "#table(columns: (auto, auto, auto, 1fr, auto),\ntable.header([*Control*], [*Applicable*], [*Status*], [*Justification*], [*Documents*]),\n"
    } else {
        "#table(columns: (1fr, auto, auto, auto),\ntable.header([*Control*], [*Applicable*], [*Status*], [*Documents*]),\n"
    });
    for c in controls.iter().filter(|c| c.annex_a) {
        let documents: Vec<&str> = c.documents.iter().map(|d| d.id.as_str()).collect();
        let control = cell(&format!("{} {}", c.label, c.title));
        let status = cell(c.status.map_or("", |s| s.as_str()));
        let docs = cell(&documents.join(", "));
        if details {
            let _ = writeln!(
                out,
                "{control}, {}, {status}, {}, {docs},",
                cell(c.applicable.as_str()),
                cell(c.justification.as_deref().unwrap_or_default())
            );
        } else {
            let _ = writeln!(
                out,
                "{control}, {}, {status}, {docs},",
                cell(c.applicable.as_str())
            );
        }
    }
    out.push_str(")\n");
    out
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
