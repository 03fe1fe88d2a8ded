//! ismsbook keeps an ISO/IEC 27001 information security management system as code:
//! Markdown policies and procedures with YAML front matter, kept in git, checked,
//! traced to Annex A controls and published as a controlled static handbook.
//!
//! The pipeline, one module for each kind of data:
//! `config` (book.toml) → `sources` (files) → `document` (front matter and Markdown)
//! → `handbook` (the linked model, with `catalog` and `soa`) → `checks` (diagnostics)
//! → `report` (human, JSON, GitHub annotations).

pub mod catalog;
pub mod checks;
pub mod config;
pub mod diagnostic;
pub mod document;
pub mod handbook;
pub mod history;
pub mod markdown;
pub mod report;
pub mod scaffold;
pub mod schema;
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
    let (handbook, mut diagnostics) = Handbook::load(root)?;
    let history = History::load(&handbook.config);
    diagnostics.extend(checks::run(&handbook, today));
    diagnostics.extend(history.notices.iter().cloned());
    diagnostics.extend(checks::versions(&handbook, &history));
    diagnostic::normalize(&mut diagnostics);
    Ok(CheckReport {
        handbook,
        history,
        diagnostics,
    })
}
