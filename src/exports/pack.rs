//! The audit pack: one zip with the handbook as HTML (its JSON and CSV exports
//! included), the PDF copies, the workbook and `MANIFEST.txt`, which gives the
//! commit, the day, the tool's version and the SHA-256 of every other file. The same
//! commit and options give the same bytes: entries in path order, every timestamp
//! the day the pack is as of, one compression level.

use super::error::ExportError;
use super::pdf::Run;
use crate::site::Site;
use chrono::Datelike;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// What the pack holds besides the handbook: the PDFs written to a folder, and the
/// workbook's bytes.
pub struct Contents<'a> {
    pub site: &'a Site,
    pub pdfs: &'a [PathBuf],
    pub workbook: &'a [u8],
}

/// The folder every entry of the pack sits in, so that unpacking makes one folder.
const TOP: &str = "audit-pack";

/// Writes the pack to `out` (through a file beside it, renamed into place) and
/// returns the number of files it holds besides the manifest.
pub fn audit_pack(
    run: &Run<'_>,
    contents: &Contents<'_>,
    out: &Path,
) -> Result<usize, ExportError> {
    let mut entries: Vec<(String, Source<'_>)> = contents
        .site
        .files
        .iter()
        .map(|(path, bytes)| (format!("handbook/{path}"), Source::Bytes(bytes)))
        .collect();
    for pdf in contents.pdfs {
        let name = pdf
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        entries.push((format!("pdf/{name}"), Source::File(pdf)));
    }
    entries.push(("isms.xlsx".to_string(), Source::Bytes(contents.workbook)));
    entries.sort_by(|a, b| a.0.cmp(&b.0));

    let today = run.today;
    let stamp = DateTime::from_date_and_time(
        u16::try_from(today.year()).unwrap_or(1980),
        u8::try_from(today.month()).unwrap_or(1),
        u8::try_from(today.day()).unwrap_or(1),
        0,
        0,
        0,
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let zip_error = |e: zip::result::ZipError| ExportError::io(out, std::io::Error::other(e));
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| ExportError::io(parent, e))?;
    }
    // Streamed to a file beside the destination, renamed into place when complete.
    let partial = out.with_extension("partial");
    let file = std::fs::File::create(&partial).map_err(|e| ExportError::io(&partial, e))?;
    let mut zip = ZipWriter::new(file);
    let mut manifest = manifest_head(run);
    for (name, source) in &entries {
        let bytes = source.read()?;
        let _ = writeln!(manifest, "{:x}  {name}", Sha256::digest(&bytes));
        zip.start_file(format!("{TOP}/{name}"), options)
            .map_err(zip_error)?;
        zip.write_all(&bytes).map_err(|e| ExportError::io(out, e))?;
    }
    zip.start_file(format!("{TOP}/MANIFEST.txt"), options)
        .map_err(zip_error)?;
    zip.write_all(manifest.as_bytes())
        .map_err(|e| ExportError::io(out, e))?;
    zip.finish().map_err(zip_error)?;
    std::fs::rename(&partial, out).map_err(|e| ExportError::io(out, e))?;
    Ok(entries.len())
}

/// The manifest's header: what the pack is, and how to verify it.
fn manifest_head(run: &Run<'_>) -> String {
    let config = &run.report.handbook.config;
    let commit = run.report.history.head().unwrap_or("uncommitted");
    format!(
        "# Audit pack of {title} ({organization})\n# commit: {commit}\n# as of: {today}\n# ismsbook: {version}\n# Verify: grep -v '^#' MANIFEST.txt | sha256sum -c\n",
        title = config.book.title,
        organization = config.book.organization,
        today = run.today,
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// Where an entry's bytes are: in memory (the handbook, the workbook) or in a file
/// (a PDF, read when its turn comes, so the PDFs are never all in memory).
enum Source<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

impl Source<'_> {
    fn read(&self) -> Result<std::borrow::Cow<'_, [u8]>, ExportError> {
        match self {
            Source::Bytes(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            Source::File(path) => std::fs::read(path)
                .map(std::borrow::Cow::Owned)
                .map_err(|e| ExportError::io(*path, e)),
        }
    }
}
