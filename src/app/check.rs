//! `ismsbook check`: every check, printed in the chosen format; with `--base`, the
//! pull-request gate, which compares the working tree with the merge base of a
//! revision and HEAD.

use super::report::{self, Format};
use super::{Context, Error, Outcome};
use crate::checks::gate::{self, Verdict};
use crate::checks::{self, Report};
use crate::diagnostic;
use crate::history::changes::{self, State};
use crate::history::git;
use crate::text::count;
use std::fmt::Write as _;
use std::io::Write;

pub struct Request<'a> {
    pub format: Format,
    pub deny_warnings: bool,
    /// The revision whose merge base with HEAD the gate compares against.
    pub base: Option<&'a str>,
}

pub fn run(ctx: &Context, request: &Request<'_>, out: &mut dyn Write) -> Result<Outcome, Error> {
    let root = ctx.root()?;
    let mut report =
        checks::check(&root, ctx.today, None).map_err(|e| Error::Config(root.clone(), e))?;
    if let Some(rev) = request.base {
        let (label, verdicts) = gate(&mut report, rev)?;
        if request.format != Format::Json {
            let _ = out.write_all(verdict_lines(&verdicts, &label).as_bytes());
        }
    }
    let text = report::render(&report.diagnostics, request.format, &root, ctx.color);
    let _ = out.write_all(text.as_bytes());
    let (errors, warnings) = (report.errors(), report.warnings());
    if request.format == Format::Human {
        let _ = writeln!(
            out,
            "check: {}, {} in {}",
            count(errors, "error", "errors"),
            count(warnings, "warning", "warnings"),
            count(report.handbook.documents.len(), "document", "documents"),
        );
    }
    let failed = errors > 0 || (request.deny_warnings && warnings > 0);
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// The pull-request gate: compares the working tree with the merge base of `rev` and
/// HEAD, adds the gate's diagnostics to the report, and returns the label of the base
/// and a verdict for each changed document.
pub fn gate(report: &mut Report, rev: &str) -> Result<(String, Vec<Verdict>), Error> {
    let repo = report
        .history
        .repository()
        .ok_or_else(|| Error::usage("--base needs a git repository, and there is none here"))?;
    let base = git::resolve(repo, rev).map_err(|e| {
        Error::usage(format!(
            "cannot resolve `{rev}`: {}\nhint: fetch it first (e.g. `git fetch origin main`; in GitHub Actions use `fetch-depth: 0`)",
            e.message()
        ))
    })?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| Error::usage(format!("HEAD has no commit to compare: {}", e.message())))?;
    let merge_base = repo
        .merge_base(base.id(), head.id())
        .and_then(|id| repo.find_commit(id))
        .map_err(|e| {
            Error::usage(format!(
                "`{rev}` and HEAD have no common ancestor here: {}\nhint: a shallow clone lacks it; fetch the whole history (`fetch-depth: 0`)",
                e.message()
            ))
        })?;
    let config = &report.handbook.config;
    let before = State::at_commit(repo, &merge_base, report.history.prefix(), config)
        .map_err(|e| Error::Config(config.root.clone(), e))?;
    let now = State::of(&report.handbook, "working tree");
    let changed = changes::compare(&before, &now);
    let (verdicts, found) = gate::judge(&report.handbook, &changed);
    report.diagnostics.extend(found);
    diagnostic::normalize(&mut report.diagnostics);
    let id = merge_base.id().to_string();
    let short = git::short(&id);
    let label = if merge_base.id() == base.id() && id.starts_with(rev) {
        short.to_string()
    } else if merge_base.id() == base.id() {
        format!("{rev} ({short})")
    } else {
        format!("{short} (merge base of {rev} and HEAD)")
    };
    Ok((label, verdicts))
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
