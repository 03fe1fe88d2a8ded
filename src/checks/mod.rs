//! The checks: every rule of document control that can be decided from the repository,
//! each returning all of its findings, and `check`, which loads the repository and the
//! history and runs them all into a [`Report`].
//!
//! Codes come from the registry in `diagnostic::Code`; docs/checks.md lists them.

mod acknowledgements;
mod approvals;
pub mod codeowners;
mod control;
mod document;
mod facts;
pub mod gate;
mod links;
mod risks;
mod soa;
pub mod versions;
mod waivers;

use crate::diagnostic::{self, ConfigError, Diagnostic, Severity};
use crate::history::{AllowedSigners, History};
use crate::model::config::Config;
use crate::model::handbook::{Handbook, Parsed};
use crate::model::source::WorkTree;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::path::Path;

pub use facts::{Facts, Waived};

/// What `check` found: the handbook it loaded, its history, every diagnostic and the
/// facts the history established.
pub struct Report {
    pub handbook: Handbook,
    pub history: History,
    /// The keys that sign approvals, by member (book.toml `allowed-signers`).
    pub signers: AllowedSigners,
    /// Every problem found, in file and line order.
    pub diagnostics: Vec<Diagnostic>,
    pub facts: Facts,
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("documents", &self.handbook.documents.len())
            .field("diagnostics", &self.diagnostics)
            .finish_non_exhaustive()
    }
}

impl Report {
    /// Ends a command's use of the report, just before the process exits: what the
    /// history keeps on disk is written, and the rest is left for the operating
    /// system to reclaim at once instead of freed piece by piece (a million
    /// allocations on a large handbook, 25 ms on one core).
    pub fn end(mut self) {
        self.history.persist();
        std::mem::forget(self);
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Runs every check that needs only the handbook (not the history).
pub fn run(handbook: &Handbook, today: NaiveDate) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (doc, meta) in handbook.readable() {
        document::check(handbook, doc, meta, today, &mut found);
    }
    document::duplicate_ids(handbook, &mut found);
    links::links(handbook, &mut found);
    links::mentions(handbook, &mut found);
    soa::soa(handbook, today, &mut found);
    soa::coverage(handbook, &mut found);
    risks::check(handbook, today, &mut found);
    acknowledgements::audiences(handbook, &mut found);
    found
}

/// Loads the repository at `root` and runs every check, as of `today`, including the
/// version rules that need the git history. `previous` history is reused when it is
/// still current (a long-running process that checks again after each change).
pub fn check(
    root: &Path,
    today: NaiveDate,
    previous: Option<History>,
) -> Result<Report, ConfigError> {
    check_reusing(root, today, previous, None)
}

/// `check`, taking from `parsed` the documents unchanged since it was last used.
pub fn check_reusing(
    root: &Path,
    today: NaiveDate,
    previous: Option<History>,
    parsed: Option<&Parsed>,
) -> Result<Report, ConfigError> {
    let config = Config::load(root)?;
    let previous = previous.filter(|h| h.is_current(&config));
    // The history walk (one thread, the longest part of a cold run) goes on beside
    // loading the documents and the checks that do not need it.
    let (loaded, history) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| previous.unwrap_or_else(|| History::load(&config)));
        let loaded = Handbook::load_reusing(config.clone(), &WorkTree, parsed).map(
            |(handbook, mut diagnostics)| {
                diagnostics.extend(run(&handbook, today));
                (handbook, diagnostics)
            },
        );
        let history = walk
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (loaded, history)
    });
    let (handbook, mut diagnostics) = loaded?;
    diagnostics.extend(history.notices.iter().cloned());
    let (signers, changed) = history_rules(&handbook, &history, &mut diagnostics);
    if let Some(workdir) = history.repository().and_then(|r| r.workdir()) {
        diagnostics.extend(codeowners::check(&handbook, workdir, history.prefix()));
    }
    let (coverage, found) = acknowledgements::coverage(&handbook, &history, today);
    diagnostics.extend(found);
    acknowledgements::ledger(&handbook, &history, &mut diagnostics);
    let mut facts = finish(&handbook, today, &mut diagnostics);
    facts.changed_after_approval = changed;
    facts.acknowledgements = coverage;
    Ok(Report {
        handbook,
        history,
        signers,
        diagnostics,
        facts,
    })
}

/// The checks of a past state (`build --rev`): the handbook and history as given.
pub fn check_loaded(
    handbook: Handbook,
    history: History,
    today: NaiveDate,
    mut diagnostics: Vec<Diagnostic>,
) -> Report {
    diagnostics.extend(run(&handbook, today));
    let (signers, changed) = history_rules(&handbook, &history, &mut diagnostics);
    let (coverage, found) = acknowledgements::coverage(&handbook, &history, today);
    diagnostics.extend(found);
    acknowledgements::ledger(&handbook, &history, &mut diagnostics);
    let mut facts = finish(&handbook, today, &mut diagnostics);
    facts.changed_after_approval = changed;
    facts.acknowledgements = coverage;
    Report {
        handbook,
        history,
        signers,
        diagnostics,
        facts,
    }
}

/// The rules that read the history: versions, then approvals and identity. Returns
/// the allowed signers read and the files changed after approval.
fn history_rules(
    handbook: &Handbook,
    history: &History,
    diagnostics: &mut Vec<Diagnostic>,
) -> (AllowedSigners, BTreeSet<String>) {
    let (signers, problems) = AllowedSigners::load(&handbook.config);
    diagnostics.extend(problems);
    let files = versions::files(handbook);
    let (found, changed) = versions::check(history, &files);
    diagnostics.extend(found);
    if history.repository().is_some() && history.head().is_some() {
        approvals::check(handbook, history, &signers, &files, diagnostics);
    }
    (signers, changed)
}

/// The last step of every run of the checks: waivers silence what they accept (and
/// expired ones are errors), `[check]` levels apply, and the findings are put in
/// reading order. The facts gathered on the way are returned.
pub fn finish(handbook: &Handbook, today: NaiveDate, diagnostics: &mut Vec<Diagnostic>) -> Facts {
    let waivers = waivers::apply(handbook, today, diagnostics);
    waivers::levels(handbook, diagnostics);
    diagnostic::normalize(diagnostics);
    Facts {
        waivers,
        ..Facts::default()
    }
}
