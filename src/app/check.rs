//! `ismsbook check`: every check, printed in the chosen format; with `--base`, the
//! pull-request gate, which compares the working tree with the merge base of a
//! revision and HEAD.

use super::report::{self, Format};
use super::{Context, Error, Outcome};
use crate::checks::gate::{self, Verdict};
use crate::checks::{self, Report};
use crate::diagnostic::Code;
use crate::history::changes::{self, State};
use crate::history::git;
use crate::text::count;
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::io::Write;

pub struct Request<'a> {
    pub format: Format,
    pub deny_warnings: bool,
    /// The revision whose merge base with HEAD the gate compares against.
    pub base: Option<&'a str>,
    /// Every finding one by one, none folded.
    pub verbose: bool,
    /// Only these codes (all when empty); they are listed one by one.
    pub codes: &'a [Code],
}

pub fn run(ctx: &Context, request: &Request<'_>, out: &mut dyn Write) -> Result<Outcome, Error> {
    let root = ctx.root()?;
    let mut report =
        checks::check(&root, ctx.today, None).map_err(|e| Error::Config(root.clone(), e))?;
    let gate = match request.base {
        Some(rev) => Some(gate(&mut report, rev, ctx.today)?),
        None => None,
    };
    if !request.codes.is_empty() {
        report
            .diagnostics
            .retain(|d| request.codes.contains(&d.code));
    }
    let shown = &report.diagnostics;
    let text = match request.format {
        Format::Human if !request.verbose && request.codes.is_empty() => {
            report::human_folded(shown, &root, ctx.color)
        }
        format => report::render(shown, format, &root, ctx.color),
    };
    let _ = out.write_all(text.as_bytes());
    let (errors, warnings) = (report.errors(), report.warnings());
    let failed = errors > 0 || (request.deny_warnings && warnings > 0);
    if request.format == Format::Human {
        let mut line = format!(
            "check: {} in {}",
            report::counts(shown),
            count(report.handbook.documents.len(), "document", "documents"),
        );
        if !shown.is_empty() {
            line.push_str(&format!(" ({})", report::by_code(shown)));
        }
        let _ = writeln!(out, "{line}");
    }
    // The gate's answer comes last, so a CI log ends with it.
    if let Some((label, verdicts)) = gate
        && request.format != Format::Json
    {
        let _ = out.write_all(verdict_lines(&verdicts, &label, failed).as_bytes());
    }
    report.end();
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// The pull-request gate: compares the working tree with the merge base of `rev` and
/// HEAD, adds the gate's diagnostics to the report, and returns the label of the base
/// and a verdict for each changed document.
pub fn gate(
    report: &mut Report,
    rev: &str,
    today: NaiveDate,
) -> Result<(String, Vec<Verdict>), Error> {
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
    // A version not raised on a changed approved document is one fault: the gate's
    // error says it, and `changed-after-approval` would say it again.
    let not_raised: Vec<String> = found
        .iter()
        .filter(|d| d.code == Code::VersionNotRaised)
        .map(|d| d.file.clone())
        .collect();
    report
        .diagnostics
        .retain(|d| !(d.code == Code::ChangedAfterApproval && not_raised.contains(&d.file)));
    report.diagnostics.extend(found);
    checks::finish(&report.handbook, today, &mut report.diagnostics);
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

/// The gate's one line per changed document, and the overall verdict: `FAIL` when
/// the run fails (a changed document breaks a rule, or the checks found errors).
pub fn verdict_lines(verdicts: &[Verdict], base_label: &str, failed: bool) -> String {
    let mut out = String::new();
    if verdicts.is_empty() {
        let _ = writeln!(
            out,
            "gate: no controlled document changed since {base_label}"
        );
    } else {
        let _ = writeln!(
            out,
            "gate: {} changed since {base_label}",
            count(
                verdicts.len(),
                "controlled document",
                "controlled documents"
            )
        );
    }
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
    let failing = verdicts.iter().filter(|v| !v.ok).count();
    let verdict = match (failed, failing) {
        (false, _) => "ok".to_string(),
        (true, 0) => "FAIL: the checks found errors (above)".to_string(),
        (true, n) => format!(
            "FAIL: {} of {} {} the rules (above)",
            n,
            count(verdicts.len(), "changed document", "changed documents"),
            if n == 1 { "breaks" } else { "break" }
        ),
    };
    let _ = writeln!(out, "gate: {verdict}");
    out
}
