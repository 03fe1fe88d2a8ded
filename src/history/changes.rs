//! What changed between two states of the repository: the documents, the SoA and the
//! risk register at a base commit against those at another commit or in the working
//! tree. The pull-request gate (`check --base`) and the change summary (`diff`) both
//! read it.

use super::git::AtCommit;
use crate::diagnostic::ConfigError;
use crate::model::catalog::{Catalog, ControlRef};
use crate::model::config::Config;
use crate::model::document::{Document, FrontMatter, Snapshot};
use crate::model::handbook::Handbook;
use crate::model::kinds::Version;
use crate::model::risks::RiskRegister;
use crate::model::soa::Soa;
use git2::{Commit, Repository};
use std::collections::{BTreeMap, BTreeSet};

/// One document as it stood in one state.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    pub snapshot: Snapshot,
    pub meta: Option<FrontMatter>,
    /// Canonical control ids and clause ids it declares.
    pub controls: BTreeSet<String>,
    pub clauses: BTreeSet<String>,
}

impl Entry {
    fn new(document: &Document, catalog: &Catalog) -> Entry {
        let mut controls = BTreeSet::new();
        let mut clauses = BTreeSet::new();
        if let Some(meta) = &document.meta {
            for c in &meta.controls {
                match catalog.resolve(&c.value) {
                    ControlRef::Known(control) => controls.insert(control.id.clone()),
                    _ => controls.insert(c.value.clone()),
                };
            }
            clauses.extend(meta.clauses.iter().map(|c| c.value.clone()));
        }
        Entry {
            path: document.path.clone(),
            snapshot: document.snapshot.clone(),
            meta: document.meta.clone(),
            controls,
            clauses,
        }
    }

    /// The SoA or the risk register as a controlled document: its control fields; no
    /// controls or clauses of its own (its decisions and risks are compared apart).
    fn of_yaml(path: &str, snapshot: &Snapshot) -> Entry {
        Entry {
            path: path.to_string(),
            snapshot: snapshot.clone(),
            meta: None,
            controls: BTreeSet::new(),
            clauses: BTreeSet::new(),
        }
    }

    /// The id, or the path for a document without a readable id.
    pub fn key(&self) -> String {
        self.snapshot
            .id
            .clone()
            .unwrap_or_else(|| self.path.clone())
    }

    pub fn version(&self) -> Option<Version> {
        self.snapshot
            .version
            .as_deref()
            .and_then(|v| v.parse().ok())
    }

    pub fn status(&self) -> &str {
        self.snapshot.status.as_deref().unwrap_or("draft")
    }

    pub fn title(&self) -> &str {
        self.snapshot.title.as_deref().unwrap_or(&self.path)
    }
}

/// The documents and SoA of one state of the repository.
pub struct State {
    pub label: String,
    pub entries: Vec<Entry>,
    pub soa: Option<Soa>,
    pub risks: Option<RiskRegister>,
}

impl State {
    /// The state of a loaded handbook (the working tree, or a commit).
    pub fn of(handbook: &Handbook, label: impl Into<String>) -> State {
        State {
            label: label.into(),
            entries: handbook
                .documents
                .iter()
                .map(|d| Entry::new(d, &handbook.catalog))
                .chain(
                    handbook
                        .soa
                        .iter()
                        .map(|s| Entry::of_yaml(&s.path, &s.snapshot)),
                )
                .chain(
                    handbook
                        .risks
                        .iter()
                        .map(|r| Entry::of_yaml(&r.path, &r.snapshot)),
                )
                .collect(),
            soa: handbook.soa.clone(),
            risks: handbook.risks.clone(),
        }
    }

    /// The repository as it stood at `commit` (document folders as configured now).
    pub fn at_commit(
        repo: &Repository,
        commit: &Commit<'_>,
        prefix: &str,
        config: &Config,
    ) -> Result<State, ConfigError> {
        let origin = AtCommit::new(repo, commit, prefix).map_err(|e| {
            ConfigError::one(crate::diagnostic::Diagnostic::new(
                crate::diagnostic::Code::HistoryUnavailable,
                crate::model::config::FILE_NAME,
                format!("cannot read commit {}: {}", commit.id(), e.message()),
            ))
        })?;
        let (handbook, _) = Handbook::load(config.clone(), &origin)?;
        Ok(State::of(
            &handbook,
            super::git::short(&commit.id().to_string()),
        ))
    }
}

/// How a document changed between two states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Added,
    /// The controlled content changed (needs a new version).
    Changed,
    /// Only approval or review fields changed (status, approved_by/on, effective,
    /// reviewed_on).
    Approval,
    /// Moved to another path without other change.
    Moved,
    Removed,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Changed => "changed",
            Kind::Approval => "approval",
            Kind::Moved => "moved",
            Kind::Removed => "removed",
        }
    }
}

/// One document that differs between two states, with the sides each kind has.
pub enum DocChange<'s> {
    Added { head: &'s Entry },
    Changed { base: &'s Entry, head: &'s Entry },
    Approval { base: &'s Entry, head: &'s Entry },
    Moved { base: &'s Entry, head: &'s Entry },
    Removed { base: &'s Entry },
}

impl<'s> DocChange<'s> {
    pub fn kind(&self) -> Kind {
        match self {
            DocChange::Added { .. } => Kind::Added,
            DocChange::Changed { .. } => Kind::Changed,
            DocChange::Approval { .. } => Kind::Approval,
            DocChange::Moved { .. } => Kind::Moved,
            DocChange::Removed { .. } => Kind::Removed,
        }
    }

    /// The document as it stood before, when it existed.
    pub fn base(&self) -> Option<&'s Entry> {
        match *self {
            DocChange::Added { .. } => None,
            DocChange::Changed { base, .. }
            | DocChange::Approval { base, .. }
            | DocChange::Moved { base, .. }
            | DocChange::Removed { base } => Some(base),
        }
    }

    /// The document as it stands after, unless it was removed.
    pub fn head(&self) -> Option<&'s Entry> {
        match *self {
            DocChange::Removed { .. } => None,
            DocChange::Added { head }
            | DocChange::Changed { head, .. }
            | DocChange::Approval { head, .. }
            | DocChange::Moved { head, .. } => Some(head),
        }
    }

    /// The document as it stands now, or as it last stood when removed.
    pub fn entry(&self) -> &'s Entry {
        match *self {
            DocChange::Removed { base } => base,
            DocChange::Added { head }
            | DocChange::Changed { head, .. }
            | DocChange::Approval { head, .. }
            | DocChange::Moved { head, .. } => head,
        }
    }
}

/// The documents that differ, matched by id (so a rename is one change), then path.
pub fn compare<'s>(base: &'s State, head: &'s State) -> Vec<DocChange<'s>> {
    let base_by_key: BTreeMap<String, &Entry> = base.entries.iter().map(|e| (e.key(), e)).collect();
    let head_keys: BTreeSet<String> = head.entries.iter().map(Entry::key).collect();
    let mut changes = Vec::new();
    for head in &head.entries {
        let change = match base_by_key.get(&head.key()).copied() {
            None => Some(DocChange::Added { head }),
            Some(base) if base.snapshot.controlled != head.snapshot.controlled => {
                Some(DocChange::Changed { base, head })
            }
            Some(base) if base.snapshot.file != head.snapshot.file => {
                Some(DocChange::Approval { base, head })
            }
            Some(base) if base.path != head.path => Some(DocChange::Moved { base, head }),
            Some(_) => None,
        };
        changes.extend(change);
    }
    for base in &base.entries {
        if !head_keys.contains(&base.key()) {
            changes.push(DocChange::Removed { base });
        }
    }
    changes.sort_by(|a, b| a.entry().path.cmp(&b.entry().path));
    changes
}
