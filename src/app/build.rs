//! `ismsbook build`: check the repository, render the handbook and write it, or the
//! handbook as it stood at a revision or on a day. `serve` checks through here too.

use super::report;
use super::{Context, Error, Outcome};
use crate::checks::{self, Report};
use crate::diagnostic::{Code, ConfigError, Diagnostic, Severity};
use crate::history::{self, History, git};
use crate::model::config::{self, Config};
use crate::model::handbook::{Handbook, Parsed};
use crate::site::{self, DataFiles, Memo, Options, OutputError, Staging, staging};
use crate::text::count;
use chrono::NaiveDate;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Why a build did not happen; nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// book.toml, a catalog or a template cannot be used (exit code 2).
    #[error("{0}")]
    Config(ConfigError),
    /// The checks found errors (exit code 1): a handbook with errors is not published.
    #[error("the checks found {} errors", .0.errors())]
    Checks(Box<Report>),
    /// The destination cannot be used, or writing failed (exit code 2).
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The request cannot be met, e.g. an unknown revision (exit code 2).
    #[error("{0}")]
    Usage(String),
}

/// A finished build.
pub struct Built {
    pub report: Report,
    pub documents: usize,
    pub controls: usize,
    pub files: usize,
    pub dest: PathBuf,
    /// Drafts left out of the build.
    pub unpublished_drafts: usize,
    /// Document pages: how many there are, and how many were the previous build's.
    pub pages: (usize, usize),
}

/// A past state of the repository for `build`: a revision, or the branch as it was at
/// the end of a day.
pub enum At {
    Rev(String),
    AsOf(NaiveDate),
}

/// `--max-classification` must name a level of book.toml.
fn check_level(config: &Config, options: &Options) -> Result<(), BuildError> {
    match &options.max_classification {
        Some(level) if config.classification_rank(level).is_none() => {
            Err(BuildError::Config(ConfigError::one(
                Diagnostic::new(
                    Code::ConfigInvalid,
                    config::FILE_NAME,
                    format!("--max-classification {level}: not a classification of book.toml"),
                )
                .hint(format!("use one of: {}", config.classifications.join(", "))),
            )))
        }
        _ => Ok(()),
    }
}

/// Checks the repository at `root` and, when there are no errors, writes the
/// handbook to `dest` (default: book.toml's build-dir).
pub fn build(
    root: &Path,
    today: NaiveDate,
    options: &Options,
    dest: Option<&Path>,
    progress: &dyn Fn(&str),
) -> Result<Built, BuildError> {
    progress("checking documents and reading history");
    let report = report_now(root, today, options, Reuse::default())?;
    progress("rendering and writing pages");
    publish(report, today, options, dest)
}

/// Builds the handbook as it stood at `at`: the documents and the SoA of that commit,
/// their history up to it, reviews judged as of that day; book.toml and the templates
/// as they are now. A past state is published as it was: problems it had are listed,
/// not a reason to refuse.
pub fn build_at(
    root: &Path,
    at: &At,
    options: &Options,
    dest: Option<&Path>,
) -> Result<Built, BuildError> {
    let (report, today) = report_at(root, at, options)?;
    publish(report, today, options, dest)
}

/// The checked repository as it stood at `at`, and the day it is judged as of. A past
/// state is reported as it was: its problems are listed, not a reason to refuse.
pub fn report_at(
    root: &Path,
    at: &At,
    options: &Options,
) -> Result<(Report, NaiveDate), BuildError> {
    let usage = BuildError::Usage;
    let config = Config::load(root).map_err(BuildError::Config)?;
    let repo = git2::Repository::discover(&config.root).map_err(|_| {
        usage("--rev and --as-of need a git repository, and there is none here".to_string())
    })?;
    let commit = match at {
        At::Rev(rev) => git::resolve(&repo, rev)
            .map_err(|e| usage(format!("cannot resolve `{rev}`: {}", e.message())))?,
        At::AsOf(date) => history::commit_as_of(&repo, *date)
            .map_err(|e| usage(e.message().to_string()))?
            .and_then(|oid| repo.find_commit(oid).ok())
            .ok_or_else(|| usage(format!("the branch has no commit on or before {date}")))?,
    };
    let today = match at {
        At::AsOf(date) => *date,
        At::Rev(_) => history::landed(&commit)
            .map(|t| t.date())
            .unwrap_or_default(),
    };
    let history = History::load_at(&config, Some(commit.id()));
    let origin = history::AtCommit::new(&repo, &commit, history.prefix()).map_err(|e| {
        usage(format!(
            "cannot read commit {}: {}",
            commit.id(),
            e.message()
        ))
    })?;
    check_level(&config, options)?;
    let (handbook, diagnostics) =
        Handbook::load(config.clone(), &origin).map_err(BuildError::Config)?;
    let report = checks::check_loaded(handbook, history, today, diagnostics);
    Ok((report, today))
}

/// What a check may take from earlier ones in a process that checks again and
/// again (`serve`): the history, kept while HEAD has not moved, and the documents as
/// parsed, kept while their text is unchanged.
#[derive(Default)]
pub struct Reuse<'a> {
    pub history: Option<History>,
    pub parsed: Option<&'a Parsed>,
}

/// The checked repository as it stands, when it has no errors (what is published).
pub fn report_now(
    root: &Path,
    today: NaiveDate,
    options: &Options,
    reuse: Reuse<'_>,
) -> Result<Report, BuildError> {
    let report = checks::check_reusing(root, today, reuse.history, reuse.parsed)
        .map_err(BuildError::Config)?;
    if report.errors() > 0 {
        return Err(BuildError::Checks(Box::new(report)));
    }
    check_level(&report.handbook.config, options)?;
    Ok(report)
}

/// Renders a checked repository into `dest` (default: book.toml's build-dir), after
/// checking that the destination may be replaced. Each file goes into the staging
/// folder as it is made; pages whose key is unchanged since the build at the
/// destination are linked from it, not rendered again.
fn publish(
    report: Report,
    today: NaiveDate,
    options: &Options,
    dest: Option<&Path>,
) -> Result<Built, BuildError> {
    let config = &report.handbook.config;
    let dest = destination(config, dest);
    let folders: Vec<_> = config
        .folders
        .iter()
        .map(|f| config.root.join(&f.path))
        .collect();
    staging::check_destination(&config.root, &dest, &folders)?;
    let staging = Staging::begin(&dest)?;
    // Read with the lock held: a build finishing meanwhile cannot change it.
    let memo = Memo::of_folder(&dest);
    let summary = site::render(
        &report,
        today,
        options,
        &memo,
        DataFiles::WithPages,
        &staging,
    )
    .map_err(BuildError::Config)?;
    let files = staging.finish(&summary.keys)?;
    Ok(Built {
        documents: summary.documents,
        controls: summary.controls,
        files,
        unpublished_drafts: summary.unpublished_drafts,
        pages: (summary.keys.len(), summary.unchanged),
        report,
        dest,
    })
}

/// Where a build is written: `dest`, or book.toml's build-dir.
fn destination(config: &Config, dest: Option<&Path>) -> PathBuf {
    match dest {
        Some(dest) => dest.to_path_buf(),
        None => config.root.join(&config.build_dir),
    }
}

/// What `ismsbook build` is asked to do.
pub struct Request<'a> {
    pub dest: Option<&'a Path>,
    pub options: Options,
    pub at: Option<At>,
}

/// `ismsbook build`: the build, with progress on a terminal and a summary line.
pub fn run(ctx: &Context, request: &Request<'_>, out: &mut dyn Write) -> Result<Outcome, Error> {
    let root = ctx.root()?;
    let started = std::time::Instant::now();
    let progress = Progress::new();
    let result = match &request.at {
        Some(at) => build_at(&root, at, &request.options, request.dest),
        None => build(&root, ctx.today, &request.options, request.dest, &|phase| {
            progress.phase(phase)
        }),
    };
    progress.done();
    if let (true, Ok(built)) = (progress.timings, &result) {
        let (pages, unchanged) = built.pages;
        eprintln!(
            "timing: document pages: {} rendered, {unchanged} unchanged since the last build",
            pages.saturating_sub(unchanged)
        );
    }
    let built = match result {
        Ok(built) => built,
        Err(BuildError::Config(e)) => return Err(Error::Config(root, e)),
        Err(BuildError::Output(e)) => return Err(Error::Usage(e.to_string())),
        Err(BuildError::Usage(message)) => return Err(Error::Usage(message)),
        Err(BuildError::Checks(report)) => {
            let text = report::human_folded(&report.diagnostics, &root, ctx.color);
            let _ = out.write_all(text.as_bytes());
            eprintln!(
                "build: {}; nothing was written (run `ismsbook check` for details)",
                report::counts(&report.diagnostics),
            );
            return Ok(Outcome::Failed);
        }
    };
    let shown: Vec<_> = built
        .report
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Note)
        .cloned()
        .collect();
    let _ = out.write_all(report::human_folded(&shown, &root, ctx.color).as_bytes());
    let dest = built.dest.strip_prefix(&root).unwrap_or(&built.dest);
    let _ = writeln!(
        out,
        "build: {}, {} controls, {} files into {}/ in {:.2}s ({})",
        count(built.documents, "document", "documents"),
        built.controls,
        built.files,
        dest.display(),
        started.elapsed().as_secs_f64(),
        warnings_summary(&shown),
    );
    if built.unpublished_drafts > 0 {
        let _ = writeln!(
            out,
            "build: {} not published; `ismsbook build --drafts` shows {}",
            count(built.unpublished_drafts, "draft is", "drafts are"),
            if built.unpublished_drafts == 1 {
                "it"
            } else {
                "them"
            }
        );
    }
    built.report.end();
    Ok(Outcome::Success)
}

/// `1 warning: 1 review-overdue`, or `no warnings`. A past state (`--rev`,
/// `--as-of`) is published with its errors: they are counted first.
pub fn warnings_summary(shown: &[Diagnostic]) -> String {
    let counted: Vec<_> = shown
        .iter()
        .filter(|d| matches!(d.severity, Severity::Warning | Severity::Error))
        .cloned()
        .collect();
    let errors = counted
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = counted.len() - errors;
    if counted.is_empty() {
        return "no warnings".to_string();
    }
    let counts = match (errors, warnings) {
        (0, w) => count(w, "warning", "warnings"),
        (e, 0) => count(e, "error", "errors"),
        (e, w) => format!(
            "{}, {}",
            count(e, "error", "errors"),
            count(w, "warning", "warnings")
        ),
    };
    format!("{counts}: {}", report::by_code(&counted))
}

/// Progress of a build on standard error: the phase on a terminal, or with
/// `ISMSBOOK_TIMINGS=1` how long each phase took (for performance work). Logs and
/// pipes get the summary line alone.
struct Progress {
    terminal: bool,
    timings: bool,
    current: std::cell::RefCell<(std::time::Instant, String)>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            terminal: std::io::stderr().is_terminal(),
            timings: std::env::var_os("ISMSBOOK_TIMINGS").is_some(),
            current: std::cell::RefCell::new((std::time::Instant::now(), String::new())),
        }
    }

    fn phase(&self, phase: &str) {
        let (since, previous) = self
            .current
            .replace((std::time::Instant::now(), phase.to_string()));
        if self.timings && !previous.is_empty() {
            eprintln!(
                "timing: {previous}: {:.0} ms",
                since.elapsed().as_secs_f64() * 1e3
            );
        }
        if self.terminal && !self.timings && !phase.is_empty() {
            eprint!("\r\x1b[2Kbuild: {phase}…");
        }
    }

    fn done(&self) {
        self.phase("");
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
    }
}
