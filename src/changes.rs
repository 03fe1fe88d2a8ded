//! What changed between two states of the repository: the documents and the SoA at a
//! base commit against those at another commit or in the working tree. The
//! pull-request gate (`check --base`) and the change summary (`diff`) both read it.

use crate::catalog::{Catalog, ControlRef};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Position};
use crate::document::{self, Defaults, Document, FrontMatter, Snapshot, Version};
use crate::handbook::Handbook;
use crate::soa::{Decision, Soa};
use crate::sources::{self, Source};
use git2::{Commit, ObjectType, Repository, Tree, TreeWalkMode, TreeWalkResult};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

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
}

impl State {
    /// The working tree, as loaded into the handbook.
    pub fn working(handbook: &Handbook) -> State {
        State {
            label: "working tree".to_string(),
            entries: handbook
                .documents
                .iter()
                .map(|d| Entry::new(d, &handbook.catalog))
                .collect(),
            soa: handbook.soa.clone(),
        }
    }

    /// The repository as it stood at `commit`, read from git (document folders as
    /// configured now).
    pub fn at_commit(
        repo: &Repository,
        commit: &Commit<'_>,
        prefix: &str,
        config: &Config,
        catalog: &Catalog,
    ) -> Result<State, git2::Error> {
        let tree = commit.tree()?;
        let mut entries = Vec::new();
        for source in sources_at(repo, &tree, prefix, config)? {
            let doc_type = config
                .folder_of(&source.path)
                .map_or(document::DocType::Policy, |f| f.doc_type);
            let defaults = Defaults {
                doc_type,
                classification: &config.default_classification,
            };
            let (document, _) = document::parse(&source, &defaults);
            entries.push(Entry::new(&document, catalog));
        }
        let soa = match tree.get_path(Path::new(&format!("{prefix}{}", config.soa))) {
            Ok(entry) => {
                let blob = repo.find_blob(entry.id())?;
                let text = sources::decode(blob.content()).unwrap_or_default();
                Some(Soa::parse(&config.soa, &text, catalog).0)
            }
            Err(_) => None,
        };
        Ok(State {
            label: commit.id().to_string()[..7].to_string(),
            entries,
            soa,
        })
    }
}

/// The documents' source files in a commit's tree.
pub fn sources_at(
    repo: &Repository,
    tree: &Tree<'_>,
    prefix: &str,
    config: &Config,
) -> Result<Vec<Source>, git2::Error> {
    let mut found = Vec::new();
    for folder in &config.folders {
        let Ok(entry) = tree.get_path(Path::new(&format!("{prefix}{}", folder.path))) else {
            continue;
        };
        if entry.kind() != Some(ObjectType::Tree) {
            continue;
        }
        let subtree = repo.find_tree(entry.id())?;
        let mut blobs = Vec::new();
        subtree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            let name = entry.name().unwrap_or_default();
            if name.starts_with('.') && entry.kind() == Some(ObjectType::Tree) {
                return TreeWalkResult::Skip;
            }
            if entry.kind() == Some(ObjectType::Blob)
                && entry.filemode() != 0o120000
                && sources::is_document_file(name)
            {
                blobs.push((format!("{}/{dir}{name}", folder.path), entry.id()));
            }
            TreeWalkResult::Ok
        })?;
        for (path, oid) in blobs {
            let blob = repo.find_blob(oid)?;
            let text = sources::decode(blob.content())
                .unwrap_or_else(|_| String::from_utf8_lossy(blob.content()).into_owned());
            found.push(Source { path, text });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

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

/// One document that differs between two states.
pub struct DocChange<'s> {
    pub kind: Kind,
    pub base: Option<&'s Entry>,
    pub head: Option<&'s Entry>,
}

impl DocChange<'_> {
    pub fn entry(&self) -> &Entry {
        self.head.or(self.base).expect("a change has a side")
    }
}

/// The documents that differ, matched by id (so a rename is one change), then path.
pub fn compare<'s>(base: &'s State, head: &'s State) -> Vec<DocChange<'s>> {
    let base_by_key: BTreeMap<String, &Entry> = base.entries.iter().map(|e| (e.key(), e)).collect();
    let head_keys: BTreeSet<String> = head.entries.iter().map(Entry::key).collect();
    let mut changes = Vec::new();
    for entry in &head.entries {
        let before = base_by_key.get(&entry.key()).copied();
        let kind = match before {
            None => Some(Kind::Added),
            Some(b) if b.snapshot.controlled != entry.snapshot.controlled => Some(Kind::Changed),
            Some(b) if b.snapshot.file != entry.snapshot.file => Some(Kind::Approval),
            Some(b) if b.path != entry.path => Some(Kind::Moved),
            Some(_) => None,
        };
        if let Some(kind) = kind {
            changes.push(DocChange {
                kind,
                base: before,
                head: Some(entry),
            });
        }
    }
    for entry in &base.entries {
        if !head_keys.contains(&entry.key()) {
            changes.push(DocChange {
                kind: Kind::Removed,
                base: Some(entry),
                head: None,
            });
        }
    }
    changes.sort_by(|a, b| a.entry().path.cmp(&b.entry().path));
    changes
}

/// The pull-request gate's judgement of one changed document.
pub struct Verdict {
    pub id: String,
    pub path: String,
    pub kind: Kind,
    pub from: Option<String>,
    pub to: Option<String>,
    pub ok: bool,
    pub note: String,
}

/// The pull-request gate: every changed document carries a higher version and a new
/// `change` text; a removed document was retired first.
pub fn gate(handbook: &Handbook, changes: &[DocChange<'_>]) -> (Vec<Verdict>, Vec<Diagnostic>) {
    let mut verdicts = Vec::new();
    let mut found = Vec::new();
    for change in changes {
        let entry = change.entry();
        let mut problems = Vec::new();
        match change.kind {
            Kind::Changed => {
                let (base, head) = (
                    change.base.expect("changed has a base"),
                    change.head.expect("and a head"),
                );
                let doc = handbook.by_path(&head.path).map(|(d, _)| d);
                let at = |key: &str| doc.map_or((Position::FILE, 0), |d| d.spans.value(key));
                match (base.version(), head.version()) {
                    (Some(old), Some(new)) if new <= old => {
                        let (position, width) = at("version");
                        problems.push(
                            Diagnostic::error("version-not-raised", &head.path, format!("the content changed since the base, but the version is still {new} (base: {old})"))
                                .span(position, width)
                                .hint(format!("raise the version: \"{}.{}\" for a small change, \"{}.0\" for a change to what people must do", old.major, old.minor + 1, old.major + 1)),
                        );
                    }
                    _ => {}
                }
                if head.snapshot.change.is_none() || head.snapshot.change == base.snapshot.change {
                    let (position, width) = if doc.is_some_and(|d| d.spans.has("change")) {
                        at("change")
                    } else {
                        at("version")
                    };
                    problems.push(
                        Diagnostic::error("change-not-described", &head.path, "the content changed, but `change` does not say how")
                            .span(position, width)
                            .hint("write what this version changes in `change`; it becomes the revision history"),
                    );
                }
            }
            Kind::Removed => {
                let base = change.base.expect("removed has a base");
                if base.status() != "retired" {
                    problems.push(
                        Diagnostic::error("removed-without-retirement", &base.path, format!("{} was removed without being retired first (its status was {})", base.key(), base.status()))
                            .hint("set status: retired in a change of its own and merge it; remove the file in a later change"),
                    );
                }
            }
            Kind::Added | Kind::Approval | Kind::Moved => {}
        }
        let ok = problems.is_empty();
        let note = match (ok, change.kind) {
            (false, _) => problems
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            (true, Kind::Removed) => "retired before removal".to_string(),
            (true, Kind::Approval) => "approval or review recorded".to_string(),
            (true, Kind::Moved) => format!("moved from {}", change.base.map_or("", |b| &b.path)),
            (true, _) => entry.snapshot.change.clone().unwrap_or_default(),
        };
        verdicts.push(Verdict {
            id: entry.key(),
            path: entry.path.clone(),
            kind: change.kind,
            from: change.base.and_then(|b| b.snapshot.version.clone()),
            to: change.head.and_then(|h| h.snapshot.version.clone()),
            ok,
            note,
        });
        found.extend(problems);
    }
    (verdicts, found)
}

/// The gate's one line per changed document.
pub fn verdict_lines(verdicts: &[Verdict], base_label: &str) -> String {
    let mut out = String::new();
    if verdicts.is_empty() {
        let _ = writeln!(
            out,
            "gate: no controlled document changed since {base_label}"
        );
        return out;
    }
    let _ = writeln!(
        out,
        "gate: {} controlled {} changed since {base_label}",
        verdicts.len(),
        if verdicts.len() == 1 {
            "document"
        } else {
            "documents"
        }
    );
    let id_width = verdicts.iter().map(|v| v.id.len()).max().unwrap_or(0);
    for v in verdicts {
        let versions = match (&v.from, &v.to) {
            (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
            (_, Some(b)) => b.clone(),
            (Some(a), None) => a.clone(),
            (None, None) => "-".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<id_width$}  {:<8} {:<11} {:<5} {}",
            v.id,
            v.kind.label(),
            versions,
            if v.ok { "ok" } else { "FAIL" },
            v.note
        );
    }
    out.push('\n');
    out
}

/// A Markdown summary of the controlled changes, for a pull-request description.
pub fn summary(base: &State, head: &State, catalog: &Catalog) -> String {
    let changes = compare(base, head);
    let mut out = format!(
        "## Controlled changes ({} → {})\n\n",
        base.label, head.label
    );
    if changes.is_empty() {
        out.push_str("No controlled document changed.\n");
    } else {
        out.push_str(
            "| Document | Change | Version | Status | What changed |\n|---|---|---|---|---|\n",
        );
        for change in &changes {
            let entry = change.entry();
            let version = match (
                change.base.and_then(|b| b.snapshot.version.as_deref()),
                change.head.and_then(|h| h.snapshot.version.as_deref()),
            ) {
                (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
                (_, Some(b)) => b.to_string(),
                (Some(a), None) => a.to_string(),
                _ => String::new(),
            };
            let status = match (
                change.base.map(Entry::status),
                change.head.map(Entry::status),
            ) {
                (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
                (_, Some(b)) => b.to_string(),
                (Some(a), None) => a.to_string(),
                _ => String::new(),
            };
            let what = match change.kind {
                Kind::Removed => "removed".to_string(),
                Kind::Moved => format!("moved from `{}`", change.base.map_or("", |b| &b.path)),
                _ => change
                    .head
                    .and_then(|h| h.snapshot.change.clone())
                    .unwrap_or_default(),
            };
            let _ = writeln!(
                out,
                "| **{}** {} | {} | {} | {} | {} |",
                cell(&entry.key()),
                cell(entry.title()),
                change.kind.label(),
                version,
                status,
                cell(&what)
            );
        }
        let mut traced = String::new();
        for change in &changes {
            let empty = BTreeSet::new();
            let before = change.base.map_or(&empty, |b| &b.controls);
            let after = change.head.map_or(&empty, |h| &h.controls);
            let clauses_before = change.base.map_or(&empty, |b| &b.clauses);
            let clauses_after = change.head.map_or(&empty, |h| &h.clauses);
            let mut parts = Vec::new();
            parts.extend(after.difference(before).map(|c| format!("+A.{c}")));
            parts.extend(before.difference(after).map(|c| format!("−A.{c}")));
            parts.extend(
                clauses_after
                    .difference(clauses_before)
                    .map(|c| format!("+clause {c}")),
            );
            parts.extend(
                clauses_before
                    .difference(clauses_after)
                    .map(|c| format!("−clause {c}")),
            );
            if !parts.is_empty() {
                let _ = writeln!(
                    traced,
                    "- **{}**: {}",
                    change.entry().key(),
                    parts.join(", ")
                );
            }
        }
        if !traced.is_empty() {
            out.push_str("\n### Controls and clauses\n\n");
            out.push_str(&traced);
        }
    }
    let soa_rows = soa_changes(base.soa.as_ref(), head.soa.as_ref(), catalog);
    if !soa_rows.is_empty() {
        out.push_str(
            "\n### Statement of Applicability\n\n| Control | Before | After |\n|---|---|---|\n",
        );
        out.push_str(&soa_rows);
    }
    out
}

fn soa_changes(base: Option<&Soa>, head: Option<&Soa>, catalog: &Catalog) -> String {
    let empty = BTreeMap::new();
    let before = base.map_or(&empty, |s| &s.decisions);
    let after = head.map_or(&empty, |s| &s.decisions);
    let ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let describe = |d: Option<&Decision>| match d {
        None => "no entry".to_string(),
        Some(d) => match d.applicable {
            None => "undecided".to_string(),
            Some(false) => "excluded".to_string(),
            Some(true) => format!(
                "applicable, {}",
                d.status.map_or("no status", |s| s.as_str())
            ),
        },
    };
    let mut rows = Vec::new();
    for id in ids {
        let (a, b) = (before.get(id), after.get(id));
        let changed = match (a, b) {
            (Some(a), Some(b)) => {
                a.applicable != b.applicable
                    || a.status != b.status
                    || a.justification != b.justification
                    || a.owner != b.owner
            }
            _ => true,
        };
        if changed {
            let title = catalog.control(id).map_or("", |c| c.title.as_str());
            let (mut from, mut to) = (describe(a), describe(b));
            if from == to {
                from.push_str(" (justification or owner changed)");
                to = describe(b);
            }
            rows.push((id, format!("| A.{id} {} | {from} | {to} |\n", cell(title))));
        }
    }
    rows.sort_by(|a, b| compare_ids(a.0, b.0));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// 5.9 before 5.10.
fn compare_ids(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(u32::MAX))
            .collect::<Vec<_>>()
    };
    key(a).cmp(&key(b))
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
