//! Printing diagnostics: for people (with the offending source line), as JSON for
//! tools, and as GitHub Actions workflow commands for pull-request annotations.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::text::{LineIndex, count, decode_lossy, stable_hash};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text with the source line, colored on a terminal.
    Human,
    /// A JSON array of {code, severity, file, line, column, message, hint}.
    Json,
    /// GitHub Actions workflow commands (::error file=…,line=…::…).
    Github,
    /// A GitLab Code Quality report (Code Climate JSON), for merge-request widgets.
    Gitlab,
}

pub fn render(diagnostics: &[Diagnostic], format: Format, root: &Path, color: bool) -> String {
    match format {
        Format::Human => human(diagnostics, root, color),
        Format::Json => {
            let mut out = serde_json::to_string_pretty(diagnostics).expect("diagnostics serialize");
            out.push('\n');
            out
        }
        Format::Github => github(diagnostics),
        Format::Gitlab => gitlab(diagnostics),
    }
}

/// GitLab's Code Quality format: an array of Code Climate issues. The fingerprint is
/// stable for the same problem at the same place, so GitLab can tell new from fixed.
fn gitlab(diagnostics: &[Diagnostic]) -> String {
    let issues: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let description = match &d.hint {
                Some(hint) => format!("{} (hint: {hint})", d.message),
                None => d.message.clone(),
            };
            let fingerprint = format!(
                "{:016x}",
                stable_hash(format!("{}:{}:{}:{}", d.code, d.file, d.line, d.message).as_bytes())
            );
            serde_json::json!({
                "type": "issue",
                "check_name": d.code,
                "description": description,
                "severity": match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Note => "info",
                },
                "fingerprint": fingerprint,
                // Code Quality needs a path: a finding about the whole ISMS is shown
                // against its configuration.
                "location": {
                    "path": if d.is_whole() { crate::model::config::FILE_NAME } else { d.file.as_str() },
                    "lines": {"begin": d.line.max(1)}
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).expect("issues serialize");
    out.push('\n');
    out
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// How many findings of one code are shown one by one before they are folded.
pub const FOLD_AFTER: usize = 3;

/// The longest part of a source line shown (in characters).
const SHOWN_LINE: usize = 200;

fn label(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
        Severity::Note => ("note", "1;32"),
    }
}

/// The human form with folding: a code found more than `FOLD_AFTER` times is one
/// entry that counts them and names the first few, in place of its first finding.
pub fn human_folded(diagnostics: &[Diagnostic], root: &Path, color: bool) -> String {
    let mut by_code: BTreeMap<Code, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        by_code.entry(d.code).or_default().push(d);
    }
    let style = Style { on: color };
    let mut sources = Sources::new(root);
    let mut out = String::new();
    let mut folded = Vec::new();
    for d in diagnostics {
        let all = &by_code[&d.code];
        if all.len() <= FOLD_AFTER {
            one(d, &style, &mut sources, &mut out);
        } else if !folded.contains(&d.code) {
            folded.push(d.code);
            fold(all, &style, &mut out);
        }
    }
    out
}

fn human(diagnostics: &[Diagnostic], root: &Path, color: bool) -> String {
    let style = Style { on: color };
    let mut sources = Sources::new(root);
    let mut out = String::new();
    for d in diagnostics {
        one(d, &style, &mut sources, &mut out);
    }
    out
}

/// The source files the findings point into, read once each.
struct Sources<'r> {
    root: &'r Path,
    files: HashMap<String, Option<(String, LineIndex)>>,
}

impl<'r> Sources<'r> {
    fn new(root: &'r Path) -> Sources<'r> {
        Sources {
            root,
            files: HashMap::new(),
        }
    }

    fn line(&mut self, file: &str, line: usize) -> Option<&str> {
        let root = self.root;
        let source = self.files.entry(file.to_string()).or_insert_with(|| {
            let bytes = std::fs::read(root.join(file)).ok()?;
            // A file that is not UTF-8 is still shown, with U+FFFD for the bad bytes.
            let text = decode_lossy(&bytes);
            let index = LineIndex::new(&text);
            Some((text, index))
        });
        let (text, index) = source.as_ref()?;
        index.line(text, line)
    }
}

/// Where a finding is, as people read it.
fn location(d: &Diagnostic) -> String {
    match (d.is_whole(), d.line, d.column) {
        (true, _, _) => "the ISMS as a whole".to_string(),
        (false, 0, _) => d.file.clone(),
        (false, line, 0) => format!("{}:{line}", d.file),
        (false, line, column) => format!("{}:{line}:{column}", d.file),
    }
}

/// One finding: message, place, the source line with a caret, and the hint.
fn one(d: &Diagnostic, style: &Style, sources: &mut Sources<'_>, out: &mut String) {
    let (label, paint) = label(d.severity);
    let _ = writeln!(
        out,
        "{}{}",
        style.paint(paint, &format!("{label}[{}]", d.code)),
        style.paint("1", &format!(": {}", d.message))
    );
    let pad = " ".repeat(d.line.to_string().len());
    let _ = writeln!(out, "{pad}{} {}", style.paint("1;34", "-->"), location(d));
    // The rows of CSV files (the acknowledgement roster and records) hold personal
    // data: they are never echoed into logs, which CI may publish.
    if d.line > 0
        && !d.is_whole()
        && !d.file.ends_with(".csv")
        && let Some(line) = sources.line(&d.file, d.line)
    {
        let bar = style.paint("1;34", "|");
        let shown: Vec<char> = line.chars().take(SHOWN_LINE).collect();
        let text: String = shown.iter().collect::<String>().replace('\t', "    ");
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(
            out,
            "{} {bar} {text}",
            style.paint("1;34", &d.line.to_string())
        );
        if d.column > 0 && d.column <= shown.len() + 1 {
            // Carets start under the column (tabs shown as four spaces) and end
            // with the line shown.
            let before: usize = shown[..d.column - 1]
                .iter()
                .map(|c| if *c == '\t' { 4 } else { 1 })
                .sum();
            let available = (shown.len() + 1 - d.column).max(1);
            let carets = "^".repeat(d.width.clamp(1, available));
            let _ = writeln!(
                out,
                "{pad} {bar} {}{}",
                " ".repeat(before),
                style.paint(paint, &carets)
            );
        }
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "{pad} {} {hint}", style.paint("1;36", "= hint:"));
    }
    out.push('\n');
}

/// Many findings of one code: how many, the first few by what they are about or where
/// they are, and how to list them all.
fn fold(all: &[&Diagnostic], style: &Style, out: &mut String) {
    let first = all[0];
    let (label, paint) = label(first.severity);
    let code = first.code;
    let names: Vec<String> = all
        .iter()
        .take(FOLD_AFTER)
        .map(|d| match &d.subject {
            Some(subject) => subject.to_string(),
            None if d.is_whole() => "the ISMS".to_string(),
            None if d.line > 0 => format!("{}:{}", d.file, d.line),
            None => d.file.clone(),
        })
        .collect();
    let _ = writeln!(
        out,
        "{}{}",
        style.paint(paint, &format!("{label}[{code}]")),
        style.paint(
            "1",
            &format!(
                ": {} {}: {}, … and {} more",
                all.len(),
                code.many(),
                names.join(", "),
                all.len() - names.len()
            )
        )
    );
    let files: BTreeSet<&str> = all.iter().map(|d| d.file.as_str()).collect();
    let place = match files.iter().next() {
        Some(&"") if files.len() == 1 => "the ISMS as a whole".to_string(),
        Some(file) if files.len() == 1 => file.to_string(),
        _ => format!("{} files", files.len()),
    };
    let _ = writeln!(out, " {} {place}", style.paint("1;34", "-->"));
    let _ = writeln!(
        out,
        "  {} `ismsbook check --code {code}` lists them all (or --verbose, every finding)",
        style.paint("1;36", "= hint:")
    );
    out.push('\n');
}

/// `1 error, 111 warnings (93 soa-undecided, 17 clause-not-covered, 1 history-empty)`:
/// the counts, and the count of each code, most frequent first. Notes are counted
/// when there are any.
pub fn counts(diagnostics: &[Diagnostic]) -> String {
    let of = |severity: Severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let mut text = format!(
        "{}, {}",
        count(of(Severity::Error), "error", "errors"),
        count(of(Severity::Warning), "warning", "warnings")
    );
    let notes = of(Severity::Note);
    if notes > 0 {
        text.push_str(&format!(", {}", count(notes, "note", "notes")));
    }
    text
}

/// The count of each code, most frequent first: `93 soa-undecided, 1 history-empty`.
pub fn by_code(diagnostics: &[Diagnostic]) -> String {
    let mut counts: BTreeMap<Code, usize> = BTreeMap::new();
    for d in diagnostics {
        *counts.entry(d.code).or_default() += 1;
    }
    let mut counts: Vec<(Code, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
        .iter()
        .map(|(code, n)| format!("{n} {code}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes for workflow-command data (`%`, CR, LF) and properties (also `:` and `,`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = Vec::new();
        if !d.is_whole() {
            properties.push(format!("file={}", escape_property(&d.file)));
        }
        if d.line > 0 {
            properties.push(format!("line={}", d.line));
        }
        if d.column > 0 {
            properties.push(format!("col={}", d.column));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("ismsbook {}", d.code))
        ));
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push_str("\nhint: ");
            message.push_str(hint);
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, Position};

    #[test]
    fn carets_end_with_the_line_shown() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("title: {}\n", "x".repeat(300));
        std::fs::write(dir.path().join("a.md"), format!("id: A\n{long}")).unwrap();
        // A span running past the end of a short line stops at its end.
        let d = Diagnostic::new(Code::InvalidId, "a.md", "bad").span(Position::new(1, 5), 40);
        let text = human(&[d], dir.path(), false);
        assert!(text.contains("1 | id: A\n  |     ^\n"), "{text}");
        // On a line cut at 200 characters, the carets stop where it is cut.
        let d = Diagnostic::new(Code::InvalidValue, "a.md", "long").span(Position::new(2, 190), 50);
        let text = human(&[d], dir.path(), false);
        let caret_line = text.lines().find(|l| l.contains('^')).unwrap();
        assert_eq!(caret_line.matches('^').count(), 11, "{text}");
    }

    #[test]
    fn github_annotations_escape_their_parts() {
        let d = Diagnostic::new(Code::BrokenLink, "policies/a,b.md", "50% done:\nnext")
            .at(Position::new(3, 7))
            .hint("fix it");
        assert_eq!(
            github(&[d]),
            "::error file=policies/a%2Cb.md,line=3,col=7,title=ismsbook broken-link::50%25 done:%0Anext%0Ahint: fix it\n"
        );
    }
}
