//! `ismsbook log`: one document's revision history from git, as a table or JSON.

use super::{Context, Error};
use crate::history::{History, Revision, git};
use crate::model::config::SOA_TITLE;
use crate::model::handbook::Handbook;
use crate::text::did_you_mean;
use std::io::Write;

/// The output format of `log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

pub fn run(
    ctx: &Context,
    document: &str,
    format: LogFormat,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let handbook = ctx.handbook()?;
    let (id, title, path) = target(&handbook, document)?;
    let history = History::load(&handbook.config);
    for notice in &history.notices {
        eprintln!("{}: {}", notice.severity, notice.message);
    }
    let revisions = history.revisions(&path);
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
        LogFormat::Human => table(id.as_deref().unwrap_or(&path), &title, &path, &revisions),
    };
    let _ = out.write_all(text.as_bytes());
    Ok(())
}

/// The controlled file asked for, by id (in any case) or path: its id (none for the
/// SoA), title and path.
fn target(handbook: &Handbook, wanted: &str) -> Result<(Option<String>, String, String), Error> {
    let wanted = wanted.trim_start_matches("./");
    if wanted == handbook.config.soa {
        return Ok((None, SOA_TITLE.to_string(), wanted.to_string()));
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

/// The revision history as a plain-text table, newest first.
pub fn table(id: &str, title: &str, path: &str, revisions: &[Revision]) -> String {
    let mut rows = vec![
        [
            "version", "landed", "status", "approved", "authors", "commit", "change",
        ]
        .map(String::from),
    ];
    for r in revisions.iter().rev() {
        rows.push(row(r));
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("{id}  {title}\n{path}\n\n");
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i < 6 {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if revisions.is_empty() {
        out.push_str("(no committed versions)\n");
    }
    out
}

fn row(r: &Revision) -> [String; 7] {
    let approved = match (&r.approved_by, &r.approved_on) {
        (Some(by), Some(on)) => format!("{by} {on}"),
        (Some(by), None) => by.clone(),
        (None, Some(on)) => on.clone(),
        (None, None) => "-".to_string(),
    };
    let short = git::short(&r.commit);
    let commit = match r.pull_request {
        Some(n) => format!("{short} #{n}"),
        None => short.to_string(),
    };
    [
        r.version.clone(),
        r.date.map_or("unknown".to_string(), |d| d.to_string()),
        r.status.clone().unwrap_or_else(|| "-".to_string()),
        approved,
        r.authors.join(", "),
        commit,
        r.change.clone().unwrap_or_default(),
    ]
}
