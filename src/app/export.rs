//! `ismsbook export pdf|xlsx|audit-pack`: the handbook in the files auditors and
//! customers ask for, published exactly as `build` publishes it (the same
//! classification filter, drafts option and point in time). Outputs go to
//! `exports/` by default: a folder of its own, beside the sources, never the
//! handbook's build folder (which `build` replaces).

use super::build::{At, BuildError, Reuse, report_at, report_now};
use super::report;
use super::{Context, Error, Outcome};
use crate::exports::{self, ExportError, Run};
use crate::history::git;
use crate::site::{self, Options};
use crate::text::count;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What is exported.
pub enum Kind {
    /// One PDF per document named (all published ones when none), and handbook.pdf
    /// when all are exported.
    Pdf {
        ids: Vec<String>,
    },
    Xlsx,
    /// The audit pack, written to `out` (default: exports/audit-pack-DATE-COMMIT.zip).
    AuditPack {
        out: Option<PathBuf>,
    },
}

pub struct Request<'a> {
    pub kind: Kind,
    pub dest: Option<&'a Path>,
    pub options: Options,
    pub at: Option<At>,
}

/// The default folder of exports, relative to the repository root.
pub const EXPORTS: &str = "exports";

pub fn run(ctx: &Context, request: &Request<'_>, out: &mut dyn Write) -> Result<Outcome, Error> {
    let root = ctx.root()?;
    let started = std::time::Instant::now();
    let checked = match &request.at {
        Some(at) => report_at(&root, at, &request.options),
        None => {
            report_now(&root, ctx.today, &request.options, Reuse::default()).map(|r| (r, ctx.today))
        }
    };
    let (report, today) = match checked {
        Ok(checked) => checked,
        Err(BuildError::Config(e)) => return Err(Error::Config(root, e)),
        Err(BuildError::Output(e)) => return Err(Error::Usage(e.to_string())),
        Err(BuildError::Usage(message)) => return Err(Error::Usage(message)),
        Err(BuildError::Checks(report)) => {
            let text = report::human_folded(&report.diagnostics, &root, ctx.color);
            let _ = out.write_all(text.as_bytes());
            let _ = writeln!(
                out,
                "export: {}; nothing was written (run `ismsbook check` for details)",
                count(report.errors(), "error", "errors")
            );
            return Ok(Outcome::Failed);
        }
    };
    let tables = site::tables(&report, today, &request.options)
        .map_err(|e| Error::Config(root.clone(), e))?;
    let run = Run {
        report: &report,
        tables: &tables,
        today,
    };
    let dest = request
        .dest
        .map_or_else(|| root.join(EXPORTS), Path::to_path_buf);
    let seconds = || started.elapsed().as_secs_f64();
    let shown = |path: &Path| {
        path.strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let summary = match &request.kind {
        Kind::Pdf { ids } => {
            let selected = exports::select(&run, ids).map_err(export_error)?;
            let dest = request
                .dest
                .map_or_else(|| root.join(EXPORTS).join("pdf"), Path::to_path_buf);
            let bar = Bar::new("typesetting");
            let written = exports::pdfs(&run, &selected, ids.is_empty(), &dest, &|done, total| {
                bar.show(done, total)
            })
            .map_err(export_error)?;
            bar.done();
            format!(
                "export: {} into {}/ in {:.2}s",
                count(written.len(), "PDF", "PDFs"),
                shown(&dest),
                seconds()
            )
        }
        Kind::Xlsx => {
            let bytes = exports::workbook(&run).map_err(export_error)?;
            std::fs::create_dir_all(&dest).map_err(|e| write_error(&dest, e))?;
            let path = dest.join("isms.xlsx");
            exports::write(&path, &bytes).map_err(export_error)?;
            format!("export: {} in {:.2}s", shown(&path), seconds())
        }
        Kind::AuditPack { out: file } => {
            let commit = report.history.head().map_or("uncommitted", git::short);
            let file = file
                .clone()
                .unwrap_or_else(|| dest.join(format!("audit-pack-{today}-{commit}.zip")));
            let built = site::in_memory(
                &report,
                today,
                &request.options,
                &site::Memo::none(),
                site::DataFiles::WithPages,
            )
            .map_err(|e| Error::Config(root.clone(), e))?;
            let scratch = Scratch::new(&file)?;
            let bar = Bar::new("typesetting");
            let selected = exports::select(&run, &[]).map_err(export_error)?;
            let pdfs = exports::pdfs(&run, &selected, true, &scratch.0, &|done, total| {
                bar.show(done, total)
            })
            .map_err(export_error)?;
            bar.done();
            let workbook = exports::workbook(&run).map_err(export_error)?;
            let contents = exports::Contents {
                site: &built,
                pdfs: &pdfs,
                workbook: &workbook,
            };
            let files = exports::audit_pack(&run, &contents, &file).map_err(export_error)?;
            format!(
                "export: {} ({} and MANIFEST.txt) in {:.2}s",
                shown(&file),
                count(files, "file", "files"),
                seconds()
            )
        }
    };
    let _ = writeln!(out, "{summary}");
    Ok(Outcome::Success)
}

fn export_error(error: ExportError) -> Error {
    match error {
        ExportError::Io { path, error } => write_error(&path, error),
        other => Error::Usage(other.to_string()),
    }
}

fn write_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        source,
    }
}

/// A folder for the PDFs of an audit pack, removed when the pack is written (or not).
struct Scratch(PathBuf);

impl Scratch {
    fn new(beside: &Path) -> Result<Scratch, Error> {
        let name = format!(
            ".{}.pdf",
            beside
                .file_name()
                .map_or_else(|| "audit-pack".into(), |n| n.to_string_lossy())
        );
        let dir = beside.with_file_name(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| write_error(&dir, e))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A progress bar on standard error, when it is a terminal; nothing otherwise.
struct Bar {
    what: &'static str,
    terminal: bool,
}

impl Bar {
    fn new(what: &'static str) -> Bar {
        Bar {
            what,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn show(&self, done: usize, total: usize) {
        if !self.terminal || total == 0 {
            return;
        }
        const WIDTH: usize = 30;
        let filled = done * WIDTH / total;
        eprint!(
            "\r{} [{}{}] {done}/{total}",
            self.what,
            "#".repeat(filled),
            ".".repeat(WIDTH - filled)
        );
    }

    fn done(&self) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
    }
}
