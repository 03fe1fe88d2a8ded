//! The pull-request gate's rules: every changed document carries a higher version and
//! a new `change` text; a removed document was retired first. Each changed document
//! gets a verdict, and each broken rule a diagnostic.

use crate::diagnostic::{Code, Diagnostic};
use crate::history::changes::{DocChange, Entry, Kind};
use crate::model::document::Spans;
use crate::model::handbook::Handbook;
use crate::text::Position;

/// The gate's judgement of one changed document.
pub struct Verdict {
    pub id: String,
    pub path: String,
    pub kind: Kind,
    pub from: Option<String>,
    pub to: Option<String>,
    pub ok: bool,
    pub note: String,
}

/// Judges every change; the verdicts in the changes' order, and the problems found.
pub fn judge(handbook: &Handbook, changes: &[DocChange<'_>]) -> (Vec<Verdict>, Vec<Diagnostic>) {
    let mut verdicts = Vec::new();
    let mut found = Vec::new();
    for change in changes {
        let problems = match *change {
            DocChange::Changed { base, head } => changed(handbook, base, head),
            DocChange::Removed { base } => removed(base),
            DocChange::Approval { base, head } => rewritten(handbook, base, head),
            DocChange::Added { .. } | DocChange::Moved { .. } => Vec::new(),
        };
        verdicts.push(verdict(change, &problems));
        found.extend(problems);
    }
    (verdicts, found)
}

fn verdict(change: &DocChange<'_>, problems: &[Diagnostic]) -> Verdict {
    let entry = change.entry();
    let note = match change {
        _ if !problems.is_empty() => problems
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
        DocChange::Removed { .. } => "retired before removal".to_string(),
        DocChange::Approval { base, head } => {
            let (a, b) = (&base.snapshot, &head.snapshot);
            if (&a.status, &a.approved_by, &a.approved_on)
                != (&b.status, &b.approved_by, &b.approved_on)
            {
                "approval or review recorded".to_string()
            } else {
                "review recorded, or audience or layout changed: no new version needed".to_string()
            }
        }
        DocChange::Moved { base, .. } => format!("moved from {}", base.path),
        DocChange::Added { head } | DocChange::Changed { head, .. } => {
            head.snapshot.change.clone().unwrap_or_default()
        }
    };
    Verdict {
        id: entry.key(),
        path: entry.path.clone(),
        kind: change.kind(),
        from: change.base().and_then(|b| b.snapshot.version.clone()),
        to: change.head().and_then(|h| h.snapshot.version.clone()),
        ok: problems.is_empty(),
        note,
    }
}

/// A changed controlled content needs a higher version and a new `change` text. A
/// version not raised is the one fault reported: raising it means describing it too.
fn changed(handbook: &Handbook, base: &Entry, head: &Entry) -> Vec<Diagnostic> {
    let spans = spans_of(handbook, &head.path);
    let at = |key: &str| spans.map_or((Position::FILE, 0), |s| s.value(key));
    if let (Some(old), Some(new)) = (base.version(), head.version())
        && new <= old
    {
        let (position, width) = at("version");
        return vec![
            Diagnostic::new(Code::VersionNotRaised, &head.path, format!("the content changed since the base, but the version is still {new} (base: {old})"))
                .span(position, width)
                .hint(format!("raise the version (\"{}.{}\" for a small change, \"{}.0\" for a change to what people must do) and say what changed in `change`", old.major, old.minor + 1, old.major + 1)),
        ];
    }
    if head.snapshot.change.is_some() && head.snapshot.change != base.snapshot.change {
        return Vec::new();
    }
    let (position, width) = if spans.is_some_and(|s| s.has("change")) {
        at("change")
    } else {
        at("version")
    };
    vec![
        Diagnostic::new(
            Code::ChangeNotDescribed,
            &head.path,
            "the content changed, but `change` does not say how",
        )
        .span(position, width)
        .hint("write what this version changes in `change`; it becomes the revision history"),
    ]
}

/// The approval of an approved version is history: it may not be changed after the
/// fact. A later review is recorded with `reviewed_on`.
fn rewritten(handbook: &Handbook, base: &Entry, head: &Entry) -> Vec<Diagnostic> {
    let (old, new) = (&base.snapshot, &head.snapshot);
    let approved = |s: &crate::model::document::Snapshot| s.status.as_deref() == Some("approved");
    if !approved(old) || !approved(new) || old.version != new.version {
        return Vec::new();
    }
    let key = if old.approved_by != new.approved_by {
        "approved_by"
    } else if old.approved_on != new.approved_on {
        "approved_on"
    } else {
        return Vec::new();
    };
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "nothing".to_string());
    let (before, after) = match key {
        "approved_by" => (shown(&old.approved_by), shown(&new.approved_by)),
        _ => (shown(&old.approved_on), shown(&new.approved_on)),
    };
    let (position, width) =
        spans_of(handbook, &head.path).map_or((Position::FILE, 0), |s| s.value(key));
    vec![
        Diagnostic::new(
            Code::ApprovalRewritten,
            &head.path,
            format!(
                "`{key}` of approved version {} changed from {before} to {after}, with no change to the content",
                new.version.as_deref().unwrap_or("?")
            ),
        )
        .span(position, width)
        .hint("an approval is a record: keep it as it was given; record a later review with reviewed_on: YYYY-MM-DD, or approve a new version"),
    ]
}

/// Where the keys of a controlled file are: a document's front matter, or the top of
/// the SoA or the risk register.
fn spans_of<'h>(handbook: &'h Handbook, path: &str) -> Option<&'h Spans> {
    match handbook.by_path(path) {
        Some((doc, _)) => Some(&doc.spans),
        None => handbook
            .yaml_documents()
            .into_iter()
            .find(|file| file.path == path)
            .map(|file| file.spans),
    }
}

/// A removed document must have been retired first.
fn removed(base: &Entry) -> Vec<Diagnostic> {
    if base.status() == "retired" {
        return Vec::new();
    }
    vec![
        Diagnostic::new(
            Code::RemovedWithoutRetirement,
            &base.path,
            format!(
                "{} was removed without being retired first (its status was {})",
                base.key(),
                base.status()
            ),
        )
        .hint(
            "set status: retired in a change of its own and merge it; remove the file in a later change",
        ),
    ]
}
