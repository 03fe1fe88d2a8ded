//! Typesetting in-process with Typst: a world of one generated source, the fonts
//! Typst ships (compiled in, so every machine typesets alike and nothing is looked
//! up on the system), and read-only access to the repository's images. PDF/A-2b,
//! with the document's own date, so the same source gives the same bytes.

use chrono::{Datelike, NaiveDate};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Why a document could not be typeset.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TypesetError(pub String);

/// The fonts, read once for every document of a run.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// One generated source and the repository it may read images from.
struct Page<'a> {
    source: Source,
    root: &'a Path,
    date: NaiveDate,
}

impl World for Page<'_> {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    /// Repository files only (images of documents), never outside it, never
    /// through a symbolic link.
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.vpath().as_rootless_path();
        let inside = path.components().all(|c| matches!(c, Component::Normal(_)));
        let full: PathBuf = self.root.join(path);
        if !inside || full.is_symlink() {
            return Err(FileError::AccessDenied);
        }
        std::fs::read(&full)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &full))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.date.year(),
            u8::try_from(self.date.month()).ok()?,
            u8::try_from(self.date.day()).ok()?,
        )
    }
}

/// Typesets `source` into PDF bytes and says how many pages they have. `root` is
/// the repository (for images); `date` is the document's date (also written into the
/// PDF's metadata by the source).
pub fn pdf(source: String, root: &Path, date: NaiveDate) -> Result<(Vec<u8>, usize), TypesetError> {
    let page = Page {
        source: Source::new(FileId::new(None, VirtualPath::new("main.typ")), source),
        root,
        date,
    };
    let document = typst::compile::<PagedDocument>(&page)
        .output
        .map_err(|errors| TypesetError(describe(&page, &errors)))?;
    let standards = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
        .map_err(|e| TypesetError(e.to_string()))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Auto,
        standards,
        ..typst_pdf::PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options)
        .map_err(|errors| TypesetError(describe(&page, &errors)))?;
    Ok((bytes, document.pages.len()))
}

/// Drops what Typst memoised while typesetting. Typst keeps every intermediate
/// result for incremental recompiles, which a run of many different documents never
/// reuses: without this, memory grows with every document typeset.
pub fn forget() {
    typst::comemo::evict(0);
}

/// Typst's errors, with the generated line they point at (a bug of ismsbook's markup,
/// or an image that cannot be read).
fn describe(page: &Page<'_>, errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| {
            let line = page
                .source
                .range(e.span)
                .and_then(|r| page.source.text().get(r))
                .unwrap_or_default();
            format!("{} ({line})", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
