//! handbook.pdf: a title page and the contents, the document register, every
//! published document as its controlled copy, and the Statement of Applicability.
//!
//! Typst lays a document out whole, and thousands of pages at once take gigabytes.
//! So each part is typeset on its own (a document at a time, on all cores) into a
//! folder beside the destination, and the parts are joined (`merge`), streamed one
//! at a time. The page numbers are planned first: a document's part has the pages of
//! its controlled copy (typeset just before), the register and the SoA are typeset
//! once to count theirs, and the contents are typeset until their own length
//! settles. Links between parts are URIs that the join turns into links inside the
//! file.

use super::error::ExportError;
use super::files::{self, Part, Typeset};
use super::markup::{string, text};
use super::pdf::{self, Heading, Numbering, Run, Targets, cell, document_link, preamble};
use crate::site::{ControlRow, RegisterRow};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The link names of the parts that are not documents.
const REGISTER: &str = "ismsbook.register";
const SOA: &str = "ismsbook.soa";

/// A part of handbook.pdf, as planned: what it holds, its pages, its first page.
/// Long lists (the contents, the register) are cut into parts of [`ROWS`] rows, so
/// no part grows with the number of documents.
struct Piece {
    kind: Kind,
    pages: usize,
    first: usize,
}

enum Kind {
    Title,
    /// Entries of the contents.
    Contents(Range<usize>),
    /// Rows of the register.
    Register(Range<usize>),
    /// A published document, by index.
    Document(usize),
    Soa,
}

/// Rows in one part of a long list.
const ROWS: usize = 200;

/// An entry of the contents: its title, where links to it lead, its first page.
struct Entry {
    title: String,
    name: String,
    first: usize,
}

/// Writes handbook.pdf into `dest`. `documents` are the published documents with
/// the number of pages of each one's controlled copy; `tick` is called as each
/// document's part is written.
pub fn write(
    run: &Run<'_>,
    documents: &[(usize, usize)],
    dest: &Path,
    tick: &(dyn Fn() + Sync),
) -> Result<PathBuf, ExportError> {
    let handbook = run.handbook();
    let targets: Targets = documents
        .iter()
        .filter_map(|&(i, _)| {
            let doc = &handbook.documents[i];
            Some((doc.path.clone(), document_link(&doc.meta.as_ref()?.id)))
        })
        .collect();
    let mut pieces = count(run, documents, &targets)?;
    plan(run, &mut pieces)?;
    let parts_dir = dest.join("handbook.parts");
    let _ = std::fs::remove_dir_all(&parts_dir);
    std::fs::create_dir_all(&parts_dir).map_err(|e| ExportError::io(&parts_dir, e))?;
    let written = write_parts(run, &pieces, &targets, &parts_dir, tick);
    let joined = written.and_then(|parts| join(&parts, &dest.join("handbook.pdf")));
    let _ = std::fs::remove_dir_all(&parts_dir);
    joined
}

/// The parts in order with their pages: a document's from its copy, the register's
/// and the SoA's typeset once to count them, the contents' guessed (see `plan`).
fn count(
    run: &Run<'_>,
    documents: &[(usize, usize)],
    targets: &Targets,
) -> Result<Vec<Piece>, ExportError> {
    let unplanned = Numbering::Book { first: 1, total: 1 };
    let piece = |kind, pages| Piece {
        kind,
        pages,
        first: 0,
    };
    let entries = documents.len() + 2;
    let rows = run.tables.register.len();
    let mut pieces = vec![piece(Kind::Title, 1)];
    pieces.extend(chunks(entries).map(|r| piece(Kind::Contents(r), 1)));
    for range in chunks(rows) {
        let kind = Kind::Register(range);
        let pages = typeset(
            run,
            "the document register",
            source(run, &kind, unplanned, targets, &[]),
        )?
        .pages;
        pieces.push(piece(kind, pages));
    }
    pieces.extend(
        documents
            .iter()
            .map(|&(i, pages)| piece(Kind::Document(i), pages)),
    );
    let soa = source(run, &Kind::Soa, unplanned, targets, &[]);
    pieces.push(piece(
        Kind::Soa,
        typeset(run, "the Statement of Applicability", soa)?.pages,
    ));
    Ok(pieces)
}

/// `0..n` in ranges of [`ROWS`] (one empty range when `n` is 0).
fn chunks(n: usize) -> impl Iterator<Item = Range<usize>> {
    (0..n.max(1))
        .step_by(ROWS)
        .map(move |start| start..(start + ROWS).min(n))
}

/// Gives every part its first page. The contents come early and list every first
/// page, so their own length moves what follows: they are typeset until it settles.
fn plan(run: &Run<'_>, pieces: &mut [Piece]) -> Result<(), ExportError> {
    for _ in 0..8 {
        let mut next = 1;
        for piece in pieces.iter_mut() {
            piece.first = next;
            next += piece.pages;
        }
        let total = next - 1;
        let entries = entries(run, pieces);
        let mut settled = true;
        for piece in pieces
            .iter_mut()
            .filter(|p| matches!(p.kind, Kind::Contents(_)))
        {
            let numbering = Numbering::Book {
                first: piece.first,
                total,
            };
            let source = source(run, &piece.kind, numbering, &Targets::new(), &entries);
            let pages = typeset(run, "the contents of handbook.pdf", source)?.pages;
            settled &= pages == piece.pages;
            piece.pages = pages;
        }
        if settled {
            return Ok(());
        }
    }
    Err(ExportError::Typeset {
        id: "handbook.pdf".to_string(),
        message: "the length of its contents does not settle".to_string(),
    })
}

/// The contents: the register, every document, the SoA, each with its first page.
fn entries(run: &Run<'_>, pieces: &[Piece]) -> Vec<Entry> {
    pieces
        .iter()
        .filter_map(|piece| {
            let (title, name) = identity(run, &piece.kind)?;
            Some(Entry {
                title,
                name,
                first: piece.first,
            })
        })
        .collect()
}

/// The title of a part in the contents and the bookmarks, and the name links to it
/// use: the register (its first part), each document, the SoA.
fn identity(run: &Run<'_>, kind: &Kind) -> Option<(String, String)> {
    match kind {
        Kind::Register(range) if range.start == 0 => {
            Some(("Document register".to_string(), REGISTER.to_string()))
        }
        Kind::Document(i) => {
            let meta = run.handbook().documents[*i].meta.as_ref()?;
            Some((format!("{} {}", meta.id, meta.title), meta.id.clone()))
        }
        Kind::Soa => Some(("Statement of Applicability".to_string(), SOA.to_string())),
        _ => None,
    }
}

/// The Typst source of a part.
fn source(
    run: &Run<'_>,
    kind: &Kind,
    numbering: Numbering,
    targets: &Targets,
    entries: &[Entry],
) -> String {
    match kind {
        Kind::Title => title_source(run, numbering),
        Kind::Contents(range) => {
            let listed = range.start.min(entries.len())..range.end.min(entries.len());
            contents_source(run, &entries[listed], range.start == 0, numbering)
        }
        Kind::Register(range) => {
            let mut out = section(run, "Document register", range.start == 0, numbering);
            out.push_str(&register_table(&run.tables.register[range.clone()]));
            out
        }
        Kind::Document(i) => pdf::document_source(run, *i, numbering, targets)
            .map(|(source, _)| source)
            .unwrap_or_default(),
        Kind::Soa => {
            let mut out = section(run, "Statement of Applicability", true, numbering);
            out.push_str(&soa_table(&run.tables.controls, run.tables.soa_details));
            out
        }
    }
}

/// Typesets every part with its page numbers into `dir`; returns them in order.
fn write_parts(
    run: &Run<'_>,
    pieces: &[Piece],
    targets: &Targets,
    dir: &Path,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Part>, ExportError> {
    let total: usize = pieces.iter().map(|p| p.pages).sum();
    let entries = entries(run, pieces);
    let root = run.handbook().config.root.clone();
    let path = |k: usize| dir.join(format!("{k:06}.pdf"));
    let numbered: Vec<(usize, &Piece)> = pieces.iter().enumerate().collect();
    files::typeset_each(
        &numbered,
        &root,
        |&(_, piece)| {
            let numbering = Numbering::Book {
                first: piece.first,
                total,
            };
            let source = source(run, &piece.kind, numbering, targets, &entries);
            let name = identity(run, &piece.kind)
                .map_or_else(|| "handbook.pdf".to_string(), |(_, name)| name);
            Some((name, source, run.today))
        },
        |&(k, piece), name, typeset: Typeset| {
            if typeset.pages != piece.pages {
                return Err(ExportError::Typeset {
                    id: name.to_string(),
                    message: format!(
                        "its part of handbook.pdf has {} pages, {} were planned",
                        typeset.pages, piece.pages
                    ),
                });
            }
            files::write(&path(k), &typeset.bytes)?;
            if matches!(piece.kind, Kind::Document(_)) {
                tick();
            }
            Ok(())
        },
    )?;
    let book = &run.handbook().config.book;
    Ok(pieces
        .iter()
        .enumerate()
        .map(|(k, piece)| {
            let (bookmark, name) = match (&piece.kind, identity(run, &piece.kind)) {
                (Kind::Title, _) => (Some(book.title.clone()), None),
                (Kind::Contents(r), _) if r.start == 0 => (Some("Contents".to_string()), None),
                (_, Some((title, name))) => (Some(title), Some(name)),
                _ => (None, None),
            };
            Part {
                path: path(k),
                bookmark,
                name,
            }
        })
        .collect())
}

/// Joins the parts into `out`, through a file beside it renamed into place.
fn join(parts: &[Part], out: &Path) -> Result<PathBuf, ExportError> {
    let partial = out.with_extension("partial");
    if let Err(e) = merge(parts, &partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, out).map_err(|e| ExportError::io(out, e))?;
    Ok(out.to_path_buf())
}

/// Joins the parts into `out` (see `merge`).
#[cfg(feature = "pdf")]
fn merge(parts: &[Part], out: &Path) -> Result<(), ExportError> {
    use super::merge::MergeError;
    super::merge::join(parts, out)
        .map(drop)
        .map_err(|e| match e {
            MergeError::Write { path, error } => ExportError::io(path, error),
            other => ExportError::Typeset {
                id: "handbook.pdf".to_string(),
                message: format!("its parts cannot be joined: {other}"),
            },
        })
}

#[cfg(not(feature = "pdf"))]
fn merge(_: &[Part], _: &Path) -> Result<(), ExportError> {
    Err(files::without_pdf("handbook.pdf"))
}

fn typeset(run: &Run<'_>, what: &str, source: String) -> Result<Typeset, ExportError> {
    let root = &run.handbook().config.root;
    let typeset = files::typeset(what, source, root, run.today);
    files::forget();
    typeset
}

/// The title page.
fn title_source(run: &Run<'_>, numbering: Numbering) -> String {
    let book = &run.handbook().config.book;
    let subject = format!("{} as of {}", book.title, run.today);
    let heading = Heading {
        title: &book.title,
        subject: &subject,
        day: run.today,
        header: "",
        draft: false,
    };
    let mut source = preamble(run, &heading, numbering);
    let _ = writeln!(
        source,
        "#v(30%)\n#text(26pt, weight: \"bold\")[{}]\n#v(6pt)\n#text(14pt)[{}]\n#v(12pt)\n{}\n#v(12pt)\n#text(10pt, fill: luma(80))[{}]",
        text(&book.title),
        text(&book.organization),
        book.description.as_deref().map(text).unwrap_or_default(),
        text(&format!(
            "As of {}; source commit {}",
            run.today,
            run.commit()
        )),
    );
    source
}

/// Entries of the contents, with their page numbers.
fn contents_source(run: &Run<'_>, entries: &[Entry], first: bool, numbering: Numbering) -> String {
    let mut source = section(run, "Contents", first, numbering);
    source.push_str("#set par(justify: false)\n");
    for entry in entries {
        let _ = writeln!(
            source,
            "#link({})[{} #box(width: 1fr, repeat[.#h(3pt)]) {}]\n",
            string(&document_link(&entry.name)),
            text(&entry.title),
            entry.first
        );
    }
    source
}

/// A part of handbook.pdf that is not a document, its header naming it; the first
/// part of a section starts with its heading.
fn section(run: &Run<'_>, title: &str, first: bool, numbering: Numbering) -> String {
    let header = format!("{} #h(1fr)", text(title));
    let heading = Heading {
        title,
        subject: title,
        day: run.today,
        header: &header,
        draft: false,
    };
    let mut source = preamble(run, &heading, numbering);
    if first {
        let _ = writeln!(source, "#heading(level: 1)[{}]", text(title));
    }
    source
}

fn register_table(register: &[RegisterRow]) -> String {
    let mut out = String::from(
        "#table(columns: (auto, 1fr, auto, auto, auto, auto, auto),\ntable.header([*ID*], [*Title*], [*Type*], [*Version*], [*Status*], [*Owner*], [*Next review*]),\n",
    );
    for row in register {
        let _ = writeln!(
            out,
            "[#link({})[{}]], {}, {}, {}, {}, {}, {},",
            string(&document_link(&row.id)),
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
    let mut out = String::from(if details {
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
