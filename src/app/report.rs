//! Printing diagnostics: for people (with the offending source line), as JSON for
//! tools, and as GitHub Actions workflow commands for pull-request annotations.

use crate::diagnostic::{Diagnostic, Severity};
use crate::text::{LineIndex, decode_lossy, stable_hash};
use std::collections::HashMap;
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
                "location": {"path": d.file, "lines": {"begin": d.line.max(1)}},
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

fn human(diagnostics: &[Diagnostic], root: &Path, color: bool) -> String {
    let style = Style { on: color };
    let mut files: HashMap<&str, Option<(String, LineIndex)>> = HashMap::new();
    let mut out = String::new();
    for d in diagnostics {
        let (label, paint) = match d.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
            Severity::Note => ("note", "1;32"),
        };
        let _ = writeln!(
            out,
            "{}{}",
            style.paint(paint, &format!("{label}[{}]", d.code)),
            style.paint("1", &format!(": {}", d.message))
        );
        let location = match (d.line, d.column) {
            (0, _) => d.file.clone(),
            (line, 0) => format!("{}:{line}", d.file),
            (line, column) => format!("{}:{line}:{column}", d.file),
        };
        let gutter_width = d.line.to_string().len();
        let pad = " ".repeat(gutter_width);
        let _ = writeln!(out, "{pad}{} {location}", style.paint("1;34", "-->"));
        let source = files.entry(d.file.as_str()).or_insert_with(|| {
            let bytes = std::fs::read(root.join(&d.file)).ok()?;
            // A file that is not UTF-8 is still shown, with U+FFFD for the bad bytes.
            let text = decode_lossy(&bytes);
            let index = LineIndex::new(&text);
            Some((text, index))
        });
        if d.line > 0
            && let Some((text, index)) = source
            && let Some(line) = index.line(text, d.line)
        {
            let bar = style.paint("1;34", "|");
            let shown: String = line
                .chars()
                .take(200)
                .collect::<String>()
                .replace('\t', "    ");
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(
                out,
                "{} {bar} {shown}",
                style.paint("1;34", &d.line.to_string())
            );
            if d.column > 0 {
                let spaces = " ".repeat(d.column - 1);
                let carets = "^".repeat(d.width.max(1));
                let _ = writeln!(out, "{pad} {bar} {spaces}{}", style.paint(paint, &carets));
            }
        }
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "{pad} {} {hint}", style.paint("1;36", "= hint:"));
        }
        out.push('\n');
    }
    out
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
        let mut properties = vec![format!("file={}", escape_property(&d.file))];
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
