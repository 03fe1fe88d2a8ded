//! Writing the PDF copies: which documents, in parallel, each written beside its
//! destination and renamed into place once complete, so a reader never opens half a
//! file and an interrupted run leaves none. Memory holds one document per core.

use super::error::ExportError;
use super::pdf::{self, Run};
use crate::text::did_you_mean;
use rayon::prelude::*;
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

/// Writes the PDFs of `selected` (and handbook.pdf when `book`) into `dest`, calling
/// `progress(done, total)` as each is written. Returns the files written.
pub fn pdfs(
    run: &Run<'_>,
    selected: &[usize],
    book: bool,
    dest: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<PathBuf>, ExportError> {
    if !cfg!(feature = "pdf") {
        return Err(ExportError::Usage(
            "this ismsbook was built without PDF support (the `pdf` cargo feature)".to_string(),
        ));
    }
    std::fs::create_dir_all(dest).map_err(|e| ExportError::io(dest, e))?;
    let total = selected.len() + usize::from(book);
    let done = AtomicUsize::new(0);
    let root = run.report.handbook.config.root.clone();
    let mut written = Vec::with_capacity(total);
    // The sources need the git history, which stays on this thread; typesetting runs
    // on all cores, a chunk at a time, so memory holds one chunk of documents.
    for chunk in selected.chunks(CHUNK) {
        let sources: Vec<(String, String, chrono::NaiveDate)> = chunk
            .iter()
            .filter_map(|&i| {
                let id = run.report.handbook.documents[i].meta.as_ref()?.id.clone();
                let (source, day) = pdf::document_source(run, i)?;
                Some((id, source, day))
            })
            .collect();
        let paths: Vec<PathBuf> = sources
            .into_par_iter()
            .map(|(id, source, day)| {
                let path = dest.join(format!("{id}.pdf"));
                write(&path, &typeset(&id, source, &root, day)?)?;
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                Ok(path)
            })
            .collect::<Result<_, ExportError>>()?;
        written.extend(paths);
    }
    if book {
        let path = dest.join("handbook.pdf");
        let bytes = typeset("handbook.pdf", pdf::handbook_source(run), &root, run.today)?;
        write(&path, &bytes)?;
        progress(total, total);
        written.push(path);
    }
    written.sort();
    Ok(written)
}

/// Documents typeset together, on all cores.
const CHUNK: usize = 64;

#[cfg(feature = "pdf")]
fn typeset(
    id: &str,
    source: String,
    root: &Path,
    day: chrono::NaiveDate,
) -> Result<Vec<u8>, ExportError> {
    super::typeset::pdf(source, root, day).map_err(|e| ExportError::Typeset {
        id: id.to_string(),
        message: e.0,
    })
}

#[cfg(not(feature = "pdf"))]
fn typeset(id: &str, _: String, _: &Path, _: chrono::NaiveDate) -> Result<Vec<u8>, ExportError> {
    Err(ExportError::Usage(format!(
        "cannot typeset {id}: this ismsbook was built without the `pdf` feature"
    )))
}

/// Writes `bytes` to `path` through a file beside it, renamed into place.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(|e| ExportError::io(&partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| ExportError::io(path, e))
}
