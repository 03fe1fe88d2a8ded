//! Typesetting many sources and writing what comes out: on all cores, a chunk at a
//! time (memory holds one chunk), each file written beside its destination and
//! renamed into place once complete, so a reader never opens half a file and an
//! interrupted run leaves none.

use super::error::ExportError;
use chrono::NaiveDate;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A PDF to join into another: its file, its bookmark, and the name links to it
/// use (see [`super::pdf::document_link`]), when it has them.
#[cfg_attr(not(feature = "pdf"), allow(dead_code))]
pub struct Part {
    pub path: PathBuf,
    pub bookmark: Option<String>,
    pub name: Option<String>,
}

/// A typeset PDF and its number of pages.
pub struct Typeset {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// One source to typeset: its name (for errors), the Typst source, its date.
pub type Source = (String, String, NaiveDate);

/// Typesets the source of each item and hands the result to `each` with the
/// source's name, in parallel, a chunk at a time. The sources are made on this
/// thread (they read the git history); `each` runs on any. Returns what `each`
/// returned, in item order.
pub fn typeset_each<T: Sync, R: Send>(
    items: &[T],
    root: &Path,
    source: impl Fn(&T) -> Option<Source>,
    each: impl Fn(&T, &str, Typeset) -> Result<R, ExportError> + Sync,
) -> Result<Vec<R>, ExportError> {
    let mut results = Vec::with_capacity(items.len());
    for chunk in items.chunks(CHUNK) {
        let sources: Vec<(&T, Source)> = chunk
            .iter()
            .filter_map(|item| Some((item, source(item)?)))
            .collect();
        let done: Vec<R> = sources
            .into_par_iter()
            .map(|(item, (name, source, day))| {
                let typeset = typeset(&name, source, root, day)?;
                each(item, &name, typeset)
            })
            .collect::<Result<_, ExportError>>()?;
        results.extend(done);
        forget();
    }
    Ok(results)
}

/// Documents typeset together, on all cores.
const CHUNK: usize = 64;

/// Typesets one source.
#[cfg(feature = "pdf")]
pub fn typeset(
    name: &str,
    source: String,
    root: &Path,
    day: NaiveDate,
) -> Result<Typeset, ExportError> {
    let (bytes, pages) =
        super::typeset::pdf(source, root, day).map_err(|e| ExportError::Typeset {
            id: name.to_string(),
            message: e.0,
        })?;
    Ok(Typeset { bytes, pages })
}

#[cfg(not(feature = "pdf"))]
pub fn typeset(name: &str, _: String, _: &Path, _: NaiveDate) -> Result<Typeset, ExportError> {
    Err(without_pdf(name))
}

/// Drops what the typesetter memoised (see `typeset::forget`).
#[cfg(feature = "pdf")]
pub fn forget() {
    super::typeset::forget();
}

#[cfg(not(feature = "pdf"))]
pub fn forget() {}

/// Why nothing can be typeset.
pub fn without_pdf(what: &str) -> ExportError {
    ExportError::Usage(format!(
        "cannot typeset {what}: this ismsbook was built without PDF support (the `pdf` cargo feature)"
    ))
}

/// Writes `bytes` to `path` through a file beside it, renamed into place.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(|e| ExportError::io(&partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| ExportError::io(path, e))
}
