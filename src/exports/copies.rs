//! The controlled copies: which documents, one PDF each, and handbook.pdf (`book`)
//! when every published document is exported.

use super::book;
use super::error::ExportError;
use super::files::{self, Typeset};
use super::pdf::{self, Numbering, Run, Targets};
use crate::text::did_you_mean;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The published documents asked for by id (any case), or all of them. An id that
/// is not published is a usage error naming the near ones.
pub fn select(run: &Run<'_>, ids: &[String]) -> Result<Vec<usize>, ExportError> {
    let handbook = &run.report.handbook;
    let published = &run.tables.published;
    let id_of = |i: usize| handbook.documents[i].meta.as_ref().map(|m| m.id.as_str());
    if ids.is_empty() {
        return Ok(published.clone());
    }
    ids.iter()
        .map(|wanted| {
            published
                .iter()
                .copied()
                .find(|&i| id_of(i).is_some_and(|id| id.eq_ignore_ascii_case(wanted)))
                .ok_or_else(|| {
                    let near = did_you_mean(wanted, published.iter().filter_map(|&i| id_of(i)));
                    let hint = near.map_or(String::new(), |n| format!("; did you mean `{n}`?"));
                    ExportError::Usage(format!(
                        "no published document has the id `{wanted}`{hint} (drafts need --drafts)"
                    ))
                })
        })
        .collect()
}

/// Writes the PDFs of `selected` (and handbook.pdf when `book`: then `selected`
/// must be every published document) into `dest`, calling `progress(done, total)` as
/// each is written. Returns the files written.
pub fn pdfs(
    run: &Run<'_>,
    selected: &[usize],
    book: bool,
    dest: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<PathBuf>, ExportError> {
    if !cfg!(feature = "pdf") {
        return Err(files::without_pdf("PDFs"));
    }
    std::fs::create_dir_all(dest).map_err(|e| ExportError::io(dest, e))?;
    // handbook.pdf typesets every document again, as its part of the book.
    let total = if book {
        2 * selected.len() + 1
    } else {
        selected.len()
    };
    let done = AtomicUsize::new(0);
    let root = run.report.handbook.config.root.clone();
    let own = Targets::new();
    let copies = files::typeset_each(
        selected,
        &root,
        |&i| {
            let (source, day) = pdf::document_source(run, i, Numbering::Own, &own)?;
            let id = run.report.handbook.documents[i].meta.as_ref()?.id.clone();
            Some((id, source, day))
        },
        |&i, id, typeset: Typeset| {
            let path = dest.join(format!("{id}.pdf"));
            files::write(&path, &typeset.bytes)?;
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            Ok((i, typeset.pages, path))
        },
    )?;
    let mut written: Vec<PathBuf> = copies.iter().map(|(_, _, path)| path.clone()).collect();
    if book {
        let pages: Vec<(usize, usize)> = copies.iter().map(|&(i, pages, _)| (i, pages)).collect();
        let tick = || progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        written.push(book::write(run, &pages, dest, &tick)?);
        progress(total, total);
    }
    written.sort();
    Ok(written)
}
