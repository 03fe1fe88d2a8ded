//! `ismsbook log`: one document's revision history from git, as a table or JSON.

use super::{Context, Error};
use crate::history::{AllowedSigners, History, Revision, git};
use crate::model::handbook::Handbook;
use crate::text::did_you_mean;
use std::io::Write;

/// The output format of `log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// `all`: every commit of every version, not one row a version.
pub fn run(
    ctx: &Context,
    document: &str,
    format: LogFormat,
    all: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let handbook = ctx.handbook()?;
    let (id, title, path) = target(&handbook, document)?;
    let history = History::load(&handbook.config);
    for notice in &history.notices {
        eprintln!("{}: {}", notice.severity, notice.message);
    }
    let (signers, problems) = AllowedSigners::load(&handbook.config);
    for problem in problems {
        eprintln!("{}: {}", problem.severity, problem.message);
    }
    let revisions = history.evidenced(&path, &handbook.config, &signers);
    let text = match format {
        LogFormat::Json => {
            let value = serde_json::json!({
                "id": id,
                "title": title,
                "path": path,
                "complete": history.is_complete(),
                "revisions": revisions,
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )
        }
        LogFormat::Human => {
            let (header, rows) = if all {
                (HEADER_ALL, every_commit(&revisions))
            } else {
                (HEADER, revisions.iter().map(row).collect())
            };
            table(id.as_deref().unwrap_or(&path), &title, &path, header, rows)
        }
    };
    let _ = out.write_all(text.as_bytes());
    Ok(())
}

/// The controlled file asked for, by id (in any case) or path: its id (none for the
/// SoA and the risk register), title and path.
fn target(handbook: &Handbook, wanted: &str) -> Result<(Option<String>, String, String), Error> {
    let wanted = wanted.trim_start_matches("./");
    if let Some((_, title)) = handbook
        .config
        .yaml_documents()
        .into_iter()
        .find(|(path, _)| path == wanted)
    {
        return Ok((None, title, wanted.to_string()));
    }
    let doc = handbook
        .by_id(wanted)
        .or_else(|| handbook.by_path(wanted).map(|(d, _)| d))
        .or_else(|| {
            // Ids are upper case by the contract; people type them any way.
            let id = handbook.ids().find(|id| id.eq_ignore_ascii_case(wanted))?;
            handbook.by_id(id)
        })
        .ok_or_else(|| {
            let hint = match did_you_mean(wanted, handbook.ids()) {
                Some(close) => format!("; did you mean `{close}`?"),
                None => String::new(),
            };
            Error::usage(format!("no document has the id or path `{wanted}`{hint}"))
        })?;
    let title = doc.meta.as_ref().map_or("", |m| m.title.as_str());
    Ok((doc.id.clone(), title.to_string(), doc.path.clone()))
}

const HEADER: [&str; 8] = [
    "version", "landed", "status", "approved", "evidence", "authors", "commit", "change",
];

/// The header of `log --all`: one line a commit.
const HEADER_ALL: [&str; 8] = [
    "version", "landed", "event", "approved", "evidence", "authors", "commit", "summary",
];

/// Rows as a plain-text table, newest first; the last column is not padded.
pub fn table(
    id: &str,
    title: &str,
    path: &str,
    header: [&str; 8],
    rows: Vec<[String; 8]>,
) -> String {
    let empty = rows.is_empty();
    let rows: Vec<[String; 8]> = std::iter::once(header.map(String::from))
        .chain(rows.into_iter().rev())
        .collect();
    let last = header.len() - 1;
    let widths: Vec<usize> = (0..last)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("{id}  {title}\n{path}\n\n");
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i < last {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if empty {
        out.push_str("(no committed versions)\n");
    }
    out
}

/// `1a2b3c4 #12`: a commit and its pull request.
fn commit_cell(commit: &str, pull_request: Option<u64>) -> String {
    let short = git::short(commit);
    match pull_request {
        Some(n) => format!("{short} #{n}"),
        None => short.to_string(),
    }
}

/// One row a version: its landing commit, and its status and approval as they last
/// stood.
fn row(r: &Revision) -> [String; 8] {
    let approved = match (&r.approved_by, &r.approved_on) {
        (Some(by), Some(on)) => format!("{by} {on}"),
        (Some(by), None) => by.clone(),
        (None, Some(on)) => on.clone(),
        (None, None) => "-".to_string(),
    };
    let evidence = r
        .evidence
        .as_ref()
        .map_or("-".to_string(), |e| e.level.as_str().to_string());
    [
        r.version.clone(),
        r.date.map_or("unknown".to_string(), |d| d.to_string()),
        r.status.clone().unwrap_or_else(|| "-".to_string()),
        approved,
        evidence,
        r.authors.join(", "),
        commit_cell(&r.commit, r.pull_request),
        r.change.clone().unwrap_or_default(),
    ]
}

/// One row a commit: every commit of every version, each with its own date, authors
/// and pull request; the commit that landed the approval says so.
fn every_commit(revisions: &[Revision]) -> Vec<[String; 8]> {
    let mut rows = Vec::new();
    for r in revisions {
        for (i, landing) in r.commits.iter().enumerate() {
            let what = if i == 0 {
                "version landed".to_string()
            } else if r
                .approval
                .as_ref()
                .is_some_and(|a| a.commit == landing.commit)
            {
                "approval landed".to_string()
            } else {
                "changed, same version".to_string()
            };
            let evidence = match (&r.approval, &r.evidence) {
                (Some(a), Some(e)) if a.commit == landing.commit => e.level.as_str().to_string(),
                _ => "-".to_string(),
            };
            rows.push([
                r.version.clone(),
                landing
                    .date
                    .map_or("unknown".to_string(), |d| d.to_string()),
                what,
                "-".to_string(),
                evidence,
                landing.authors.join(", "),
                commit_cell(&landing.commit, landing.pull_request),
                landing.summary.to_string(),
            ]);
        }
    }
    rows
}
