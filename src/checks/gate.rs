//! The pull-request gate's rules: every changed document carries a higher version and
//! a new `change` text; a removed document was retired first. Each changed document
//! gets a verdict, and each broken rule a diagnostic.

use crate::diagnostic::{Code, Diagnostic};
use crate::history::changes::{DocChange, Entry, Kind};
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
            DocChange::Added { .. } | DocChange::Approval { .. } | DocChange::Moved { .. } => {
                Vec::new()
            }
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
        DocChange::Approval { .. } => "approval or review recorded".to_string(),
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
    let doc = handbook.by_path(&head.path).map(|(d, _)| d);
    let at = |key: &str| doc.map_or((Position::FILE, 0), |d| d.spans.value(key));
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
    let (position, width) = if doc.is_some_and(|d| d.spans.has("change")) {
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
