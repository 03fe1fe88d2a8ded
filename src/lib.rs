//! ismsbook keeps an ISO/IEC 27001 information security management system as code:
//! Markdown policies and procedures with YAML front matter, kept in git, checked,
//! traced to Annex A controls and published as a controlled static handbook.
//!
//! The pipeline, one module for each kind of data:
//! `config` (book.toml) → `sources` (files) → `document` (front matter and Markdown)
//! → `handbook` (the linked model, with `catalog` and `soa`) → `checks` (diagnostics)
//! → `report` (human, JSON, GitHub annotations); `history` (git) feeds the checks
//! and the revision tables; `render` and `export` make the handbook, `output` writes
//! it safely.

pub mod catalog;
pub mod changes;
pub mod checks;
pub mod codeowners;
pub mod config;
pub mod dashboard;
pub mod diagnostic;
pub mod document;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod handbook;
pub mod history;
pub mod import;
pub mod lsp;
pub mod markdown;
pub mod output;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod soa;
pub mod sources;

use chrono::NaiveDate;
use config::ConfigError;
use diagnostic::Diagnostic;
use handbook::Handbook;
use history::History;
use std::path::Path;

/// The result of `ismsbook check`.
pub struct CheckReport {
    pub handbook: Handbook,
    pub history: History,
    /// Every problem found, in file and line order.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == diagnostic::Severity::Warning)
            .count()
    }
}

/// Loads the repository at `root` and runs every check, as of `today`, including the
/// version rules that need the git history.
pub fn check(root: &Path, today: NaiveDate) -> Result<CheckReport, ConfigError> {
    check_keeping(root, today, None)
}

/// `check`, reusing `previous` history when it is still current (a long-running
/// process that checks again after each change).
pub fn check_keeping(
    root: &Path,
    today: NaiveDate,
    previous: Option<History>,
) -> Result<CheckReport, ConfigError> {
    let config = config::Config::load(root)?;
    let previous = previous.filter(|h| h.is_current(&config));
    // The history walk (one thread, the longest part of a cold run) goes on beside
    // loading the documents and the checks that do not need it.
    let (loaded, history) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| previous.unwrap_or_else(|| History::load(&config)));
        let loaded = Handbook::load_with(config.clone()).map(|(handbook, mut diagnostics)| {
            diagnostics.extend(checks::run(&handbook, today));
            (handbook, diagnostics)
        });
        (
            loaded,
            walk.join().expect("the history walk does not panic"),
        )
    });
    let (handbook, mut diagnostics) = loaded?;
    diagnostics.extend(history.notices.iter().cloned());
    diagnostics.extend(checks::versions(&handbook, &history));
    if let Some(workdir) = history.repository().and_then(|r| r.workdir()) {
        diagnostics.extend(codeowners::check(&handbook, workdir, history.prefix()));
    }
    diagnostic::normalize(&mut diagnostics);
    Ok(CheckReport {
        handbook,
        history,
        diagnostics,
    })
}

impl CheckReport {
    /// The pull-request gate: compares the working tree with the merge base of `rev`
    /// and HEAD, adds the gate's diagnostics, and returns the label of the base and a
    /// verdict for each changed document. An `Err` is a usage error (exit code 2).
    pub fn gate(&mut self, rev: &str) -> Result<(String, Vec<changes::Verdict>), String> {
        let repo = self
            .history
            .repository()
            .ok_or_else(|| "--base needs a git repository, and there is none here".to_string())?;
        let base = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| {
                format!(
                    "cannot resolve `{rev}`: {}\nhint: fetch it first (e.g. `git fetch origin main`; in GitHub Actions use `fetch-depth: 0`)",
                    e.message()
                )
            })?;
        let head = repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|e| format!("HEAD has no commit to compare: {}", e.message()))?;
        let merge_base = repo.merge_base(base.id(), head.id()).map_err(|e| {
            format!(
                "`{rev}` and HEAD have no common ancestor here: {}\nhint: a shallow clone lacks it; fetch the whole history (`fetch-depth: 0`)",
                e.message()
            )
        })?;
        let merge_base = repo
            .find_commit(merge_base)
            .map_err(|e| e.message().to_string())?;
        let config = &self.handbook.config;
        let before = changes::State::at_commit(
            repo,
            &merge_base,
            self.history.prefix(),
            config,
            &self.handbook.catalog,
        )
        .map_err(|e| {
            format!(
                "cannot read the documents at {}: {}",
                merge_base.id(),
                e.message()
            )
        })?;
        let now = changes::State::working(&self.handbook);
        let changed = changes::compare(&before, &now);
        let (verdicts, found) = changes::gate(&self.handbook, &changed);
        self.diagnostics.extend(found);
        diagnostic::normalize(&mut self.diagnostics);
        let short = merge_base.id().to_string()[..7].to_string();
        let label = if merge_base.id() == base.id() && merge_base.id().to_string().starts_with(rev)
        {
            short
        } else if merge_base.id() == base.id() {
            format!("{rev} ({short})")
        } else {
            format!("{short} (merge base of {rev} and HEAD)")
        };
        Ok((label, verdicts))
    }
}

/// Why a build did not happen; nothing was written in any case.
pub enum BuildError {
    /// book.toml or a catalog cannot be used (exit code 2).
    Config(ConfigError),
    /// A template override is broken (exit code 2).
    Theme(render::ThemeError),
    /// The checks found errors (exit code 1): a handbook with errors is not published.
    Checks(Box<CheckReport>),
    /// The destination cannot be used, or writing failed (exit code 2).
    Output(output::OutputError),
    /// The request cannot be met, e.g. an unknown revision (exit code 2).
    Usage(String),
}

/// A finished build.
pub struct Built {
    pub report: CheckReport,
    pub documents: usize,
    pub controls: usize,
    pub files: usize,
    pub dest: std::path::PathBuf,
}

/// Checks the repository at `root` and, when there are no errors, renders the
/// handbook in memory (what `build` writes and `serve` serves).
pub fn render_site(
    root: &Path,
    today: NaiveDate,
    options: &render::Options,
) -> Result<(CheckReport, render::Site), BuildError> {
    render_site_with(root, today, options, None, &|_| {})
}

/// `render_site`, telling `progress` which phase it is in.
pub(crate) fn render_site_with(
    root: &Path,
    today: NaiveDate,
    options: &render::Options,
    previous: Option<History>,
    progress: &dyn Fn(&str),
) -> Result<(CheckReport, render::Site), BuildError> {
    progress("checking documents and reading history");
    let report = check_keeping(root, today, previous).map_err(BuildError::Config)?;
    if report.errors() > 0 {
        return Err(BuildError::Checks(Box::new(report)));
    }
    let config = &report.handbook.config;
    if let Some(level) = &options.max_classification
        && config.classification_rank(level).is_none()
    {
        return Err(BuildError::Config(ConfigError {
            diagnostics: vec![
                diagnostic::Diagnostic::error(
                    "config-invalid",
                    config::FILE_NAME,
                    format!("--max-classification {level}: not a classification of book.toml"),
                )
                .hint(format!("use one of: {}", config.classifications.join(", "))),
            ],
        }));
    }
    progress("rendering pages");
    let site = render::render(&report, today, options).map_err(BuildError::Theme)?;
    Ok((report, site))
}

/// Checks the repository at `root` and, when there are no errors, writes the
/// handbook to `dest` (default: book.toml's build-dir).
pub fn build(
    root: &Path,
    today: NaiveDate,
    options: &render::Options,
    dest: Option<&Path>,
    progress: &dyn Fn(&str),
) -> Result<Built, BuildError> {
    let (report, site) = render_site_with(root, today, options, None, progress)?;
    progress("writing files");
    publish(report, &site, dest)
}

/// Writes a rendered site to `dest` (default: book.toml's build-dir), after checking
/// that the destination may be replaced.
fn publish(
    report: CheckReport,
    site: &render::Site,
    dest: Option<&Path>,
) -> Result<Built, BuildError> {
    let config = &report.handbook.config;
    let dest = match dest {
        Some(dest) => dest.to_path_buf(),
        None => config.root.join(&config.build_dir),
    };
    let folders: Vec<_> = config
        .folders
        .iter()
        .map(|f| config.root.join(&f.path))
        .collect();
    output::check_destination(&config.root, &dest, &folders).map_err(BuildError::Output)?;
    output::write(site, &dest).map_err(BuildError::Output)?;
    Ok(Built {
        documents: site.documents,
        controls: site.controls,
        files: site.files.len(),
        report,
        dest,
    })
}

/// A past state of the repository for `build`: a revision, or the branch as it was at
/// the end of a day.
pub enum At {
    Rev(String),
    AsOf(NaiveDate),
}

/// Builds the handbook as it stood at `at`: the documents and the SoA of that commit,
/// their history up to it, reviews judged as of that day; book.toml and the templates
/// as they are now. A past state is published as it was: problems it had are listed,
/// not a reason to refuse.
pub fn build_at(
    root: &Path,
    at: &At,
    options: &render::Options,
    dest: Option<&Path>,
) -> Result<Built, BuildError> {
    let usage = BuildError::Usage;
    let config = config::Config::load(root).map_err(BuildError::Config)?;
    let repo = git2::Repository::discover(&config.root).map_err(|_| {
        usage("--rev and --as-of need a git repository, and there is none here".to_string())
    })?;
    let commit = match at {
        At::Rev(rev) => repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| usage(format!("cannot resolve `{rev}`: {}", e.message())))?,
        At::AsOf(date) => history::commit_as_of(&repo, *date)
            .map_err(|e| usage(e.message().to_string()))?
            .and_then(|oid| repo.find_commit(oid).ok())
            .ok_or_else(|| usage(format!("the branch has no commit on or before {date}")))?,
    };
    let day = history::landed(&commit)
        .map(|t| t.date())
        .unwrap_or_default();
    let today = match at {
        At::AsOf(date) => *date,
        At::Rev(_) => day,
    };
    let history = History::load_at(&config, Some(commit.id()));
    let catalog = handbook::load_catalog(&config).map_err(BuildError::Config)?;
    let prefix = history.prefix().to_string();
    let tree_error = |e: git2::Error| {
        usage(format!(
            "cannot read commit {}: {}",
            commit.id(),
            e.message()
        ))
    };
    let tree = commit.tree().map_err(tree_error)?;
    let sources = changes::sources_at(&repo, &tree, &prefix, &config).map_err(tree_error)?;
    let soa = tree
        .get_path(Path::new(&format!("{prefix}{}", config.soa)))
        .ok()
        .and_then(|entry| repo.find_blob(entry.id()).ok())
        .and_then(|blob| sources::decode(blob.content()).ok())
        .map(|text| sources::Source {
            path: config.soa.clone(),
            text,
        });
    let (handbook, mut diagnostics) =
        Handbook::from_parts(config.clone(), catalog, &sources, soa.as_ref());
    diagnostics.extend(checks::run(&handbook, today));
    diagnostics.extend(checks::versions(&handbook, &history));
    diagnostic::normalize(&mut diagnostics);
    let report = CheckReport {
        handbook,
        history,
        diagnostics,
    };
    let site = render::render(&report, today, options).map_err(BuildError::Theme)?;
    publish(report, &site, dest)
}
