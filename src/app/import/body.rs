//! Bodies that render as their authors meant. Other tools' Markdown is read by
//! other parsers (pandoc, Hugo's Goldmark with its own extensions); CommonMark reads
//! some of it differently. Each repair is reported:
//!
//! - `#Heading` without the space becomes a heading;
//! - pandoc grid tables (`+----+`) become pipe tables;
//! - lettered or bulleted items indented four spaces, which CommonMark reads as a
//!   code block, are un-indented;
//! - template placeholders (`{{companyName}}`) become the organisation's name when
//!   they name it and book.toml gives it, else stay visible as code.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

/// A repaired body and what was done to it.
pub struct Repaired {
    pub body: String,
    pub notes: Vec<String>,
    /// The placeholders met, each once, in order.
    pub placeholders: Vec<String>,
}

pub fn repair(body: &str, organization: Option<&str>) -> Repaired {
    let mut notes = Vec::new();
    let (body, headings) = headings(body);
    if headings > 0 {
        notes.push(format!(
            "{headings} `#Heading` without a space made headings"
        ));
    }
    let (body, tables) = grid_tables(&body);
    if tables > 0 {
        notes.push(format!("{tables} grid tables made pipe tables"));
    }
    let (body, blocks) = indented_items(&body);
    if blocks > 0 {
        notes.push(format!(
            "{blocks} indented lists that would show as code un-indented"
        ));
    }
    let (body, admonitions) = admonitions(&body);
    if admonitions > 0 {
        notes.push(format!("{admonitions} `:::` admonitions made block quotes"));
    }
    let (body, placeholders, replaced) = placeholders(&body, organization);
    if !placeholders.is_empty() {
        let shown: Vec<String> = placeholders
            .iter()
            .map(|p| {
                if p.chars()
                    .all(|c| c.is_ascii_uppercase() || c == ' ' || c == '_' || c == '/')
                {
                    format!("[{p}]")
                } else {
                    format!("{{{{{p}}}}}")
                }
            })
            .collect();
        let how = match (replaced, organization) {
            (true, Some(org)) => {
                format!("; those naming the organisation became \"{org}\", the others show as code")
            }
            _ => "; they show as code: fill them in".to_string(),
        };
        notes.push(format!("template placeholders: {}{how}", shown.join(", ")));
    }
    Repaired {
        body,
        notes,
        placeholders,
    }
}

/// The first line of the body when it is a heading of any level: its level and
/// text (an imported page's title when its header has none).
pub fn first_heading(body: &str) -> Option<(usize, String)> {
    let line = body.lines().find(|l| !l.trim().is_empty())?;
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
        return None;
    }
    let text = line[hashes..].trim().trim_end_matches('#').trim();
    (!text.is_empty()).then(|| (hashes, text.to_string()))
}

/// Each line outside fenced code, with whether it is inside one.
fn lines_outside_fences(body: &str) -> Vec<(bool, &str)> {
    let mut fence: Option<&str> = None;
    body.split_inclusive('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
            match (fence, marker) {
                (None, Some(m)) => {
                    fence = Some(m);
                    (true, line)
                }
                (Some(open), Some(m)) if open == m => {
                    fence = None;
                    (true, line)
                }
                (Some(_), _) => (true, line),
                (None, None) => (false, line),
            }
        })
        .collect()
}

/// `#Heading` → `# Heading` (a `#` then a letter, a whole line, outside code).
fn headings(body: &str) -> (String, usize) {
    let mut count = 0;
    let out = lines_outside_fences(body)
        .into_iter()
        .map(|(in_code, line)| {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            let next = line[hashes..].chars().next();
            if !in_code && (1..=6).contains(&hashes) && next.is_some_and(char::is_alphabetic) {
                count += 1;
                format!("{} {}", &line[..hashes], &line[hashes..])
            } else {
                line.to_string()
            }
        })
        .collect();
    (out, count)
}

/// pandoc grid tables as pipe tables: the columns from the `+` of the top border,
/// the header above a `+===+` line (else the first row), each cell's lines joined.
fn grid_tables(body: &str) -> (String, usize) {
    let lines: Vec<(bool, &str)> = lines_outside_fences(body);
    let mut out = String::with_capacity(body.len());
    let mut count = 0;
    let mut i = 0;
    while i < lines.len() {
        let (in_code, line) = lines[i];
        if in_code || !is_border(line) {
            out.push_str(line);
            i += 1;
            continue;
        }
        let end = (i + 1..lines.len())
            .find(|&j| {
                let l = lines[j].1.trim_end();
                !(l.starts_with('|') || l.starts_with('+'))
            })
            .unwrap_or(lines.len());
        let block: Vec<&str> = lines[i..end].iter().map(|(_, l)| l.trim_end()).collect();
        match grid_to_pipe(&block) {
            Some(table) => {
                out.push_str(&table);
                count += 1;
            }
            None => block.iter().for_each(|l| {
                out.push_str(l);
                out.push('\n');
            }),
        }
        i = end;
    }
    (out, count)
}

fn is_border(line: &str) -> bool {
    let l = line.trim_end();
    l.len() > 2
        && l.starts_with('+')
        && l.ends_with('+')
        && l.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
}

fn grid_to_pipe(block: &[&str]) -> Option<String> {
    let top: Vec<char> = block.first()?.chars().collect();
    let columns: Vec<usize> = top
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == '+')
        .map(|(i, _)| i)
        .collect();
    if columns.len() < 2 {
        return None;
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header_rows = None;
    let mut current: Vec<Vec<String>> = vec![Vec::new(); columns.len() - 1];
    for line in &block[1..] {
        if is_border(line) {
            if current.iter().any(|c| !c.is_empty()) {
                rows.push(current.iter().map(|c| c.join(" ")).collect());
            }
            current = vec![Vec::new(); columns.len() - 1];
            if line.contains('=') && header_rows.is_none() {
                header_rows = Some(rows.len());
            }
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        for (k, pair) in columns.windows(2).enumerate() {
            let (from, to) = (pair[0] + 1, pair[1].min(chars.len()));
            if from >= to {
                continue;
            }
            let text: String = chars[from..to].iter().collect();
            let text = text.trim().trim_end_matches('|').trim();
            if !text.is_empty() {
                current[k].push(text.to_string());
            }
        }
    }
    if current.iter().any(|c| !c.is_empty()) {
        rows.push(current.iter().map(|c| c.join(" ")).collect());
    }
    if rows.is_empty() {
        return None;
    }
    let header = header_rows.unwrap_or(1).clamp(1, rows.len());
    let cell = |c: &String| c.replace('|', "\\|");
    let row = |r: &Vec<String>| {
        format!(
            "| {} |\n",
            r.iter().map(cell).collect::<Vec<_>>().join(" | ")
        )
    };
    let head: Vec<String> = (0..columns.len() - 1)
        .map(|k| {
            rows[..header]
                .iter()
                .map(|r| r[k].clone())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut out = String::from("\n");
    out.push_str(&row(&head));
    out.push_str(&format!("|{}\n", "---|".repeat(columns.len() - 1)));
    for r in &rows[header..] {
        out.push_str(&row(r));
    }
    out.push('\n');
    Some(out)
}

/// Items indented four spaces after a paragraph, which CommonMark reads as code:
/// un-indented, each item its own paragraph. Only blocks whose first line is an item
/// (`a.`, `(ii)`, `1)`, `-`) are touched; real code stays code.
fn indented_items(body: &str) -> (String, usize) {
    let mut ranges = Vec::new();
    for (event, range) in Parser::new(body).into_offset_iter() {
        if let Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) = event {
            ranges.push(range);
        }
    }
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    let mut count = 0;
    for range in ranges {
        // The range starts at the code's text; the block's lines start before it.
        let start = body[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let block = &body[start..range.end];
        let first = block
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        if !is_item(first.trim()) || start < at {
            continue;
        }
        out.push_str(&body[at..start]);
        let mut previous_blank = true;
        let mut markers = Markers::default();
        for line in block.lines() {
            let text = line.trim();
            if is_item(text) && !previous_blank {
                out.push('\n');
            }
            out.push_str(&markers.number(text));
            out.push('\n');
            previous_blank = text.is_empty();
        }
        at = range.end.max(start + block.len());
        count += 1;
    }
    out.push_str(&body[at.min(body.len())..]);
    (out, count)
}

/// Lettered and roman items numbered as pandoc numbers them: the first marker of a
/// list sets its style, the next ones count on (`a. a. a.` reads a, b, c). A letter
/// restarts the roman items under it.
#[derive(Default)]
struct Markers {
    letter: Option<u8>,
    roman: usize,
}

impl Markers {
    fn number(&mut self, text: &str) -> String {
        let open = text.starts_with('(');
        let inner = text.strip_prefix('(').unwrap_or(text);
        let marker: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let rest = &inner[marker.len()..];
        if marker.is_empty()
            || !(rest.starts_with(". ") || rest.starts_with(") "))
            || marker.len() > 4
        {
            return text.to_string();
        }
        let lower = marker.to_ascii_lowercase();
        let upper = marker.chars().all(|c| c.is_ascii_uppercase());
        let is_roman = lower.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
            && !(lower == "i" && self.letter == Some(b'h'))
            && !(lower == "v" && self.letter == Some(b'u'))
            && !(lower == "x" && self.letter == Some(b'w'));
        let numbered = if is_roman && (lower != "i" || self.letter.is_some() || self.roman > 0) {
            self.roman += 1;
            roman(self.roman)
        } else if marker.len() == 1 {
            let next = self
                .letter
                .map_or(lower.as_bytes()[0], |l| (l + 1).min(b'z'));
            self.letter = Some(next);
            self.roman = 0;
            (next as char).to_string()
        } else {
            return text.to_string();
        };
        let numbered = if upper {
            numbered.to_ascii_uppercase()
        } else {
            numbered
        };
        format!("{}{numbered}{rest}", if open { "(" } else { "" })
    }
}

fn roman(n: usize) -> String {
    const NUMERALS: [(usize, &str); 7] = [
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
        (0, ""),
        (0, ""),
    ];
    let mut n = n;
    let mut out = String::new();
    for (value, numeral) in NUMERALS.iter().filter(|(v, _)| *v > 0) {
        while n >= *value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

/// Headings one level down, outside code (`# Scope` → `## Scope`), for a body whose
/// sections are first-level headings under a title it does not repeat.
pub fn demote_headings(body: &str) -> String {
    lines_outside_fences(body)
        .into_iter()
        .map(|(in_code, line)| {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            if !in_code && (1..=5).contains(&hashes) && line[hashes..].starts_with([' ', '\n']) {
                format!("#{line}")
            } else {
                line.to_string()
            }
        })
        .collect()
}

/// A list item's marker: `a.`, `b)`, `(c)`, `iv.`, `1.`, `2)`, `-`, `*`, `+`, `•`.
fn is_item(text: &str) -> bool {
    if ["- ", "* ", "+ ", "• "].iter().any(|m| text.starts_with(m)) {
        return true;
    }
    let text = text.strip_prefix('(').unwrap_or(text);
    let marker: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let rest = &text[marker.len()..];
    !marker.is_empty()
        && marker.len() <= 4
        && (rest.starts_with(". ") || rest.starts_with(") "))
        && (marker.chars().all(|c| c.is_ascii_digit())
            || marker.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Docusaurus and MkDocs admonitions (`:::tip Title` … `:::`) as block quotes with
/// their kind and title in bold: CommonMark would show the colons.
fn admonitions(body: &str) -> (String, usize) {
    let mut out = String::with_capacity(body.len());
    let mut inside = false;
    let mut count = 0;
    for (in_code, line) in lines_outside_fences(body) {
        let trimmed = line.trim();
        if in_code && !inside {
            out.push_str(line);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix(":::") {
            let rest = rest.trim();
            if rest.is_empty() && inside {
                inside = false;
                out.push('\n');
                continue;
            }
            if !rest.is_empty() && !inside {
                let (kind, title) = rest.split_once(' ').unwrap_or((rest, ""));
                let mut heading: String =
                    kind.chars().take(1).flat_map(char::to_uppercase).collect();
                heading.push_str(&kind.chars().skip(1).collect::<String>());
                if !title.trim().is_empty() {
                    heading.push_str(": ");
                    heading.push_str(title.trim());
                }
                out.push_str(&format!("> **{heading}**\n>\n"));
                inside = true;
                count += 1;
                continue;
            }
        }
        if inside {
            out.push_str(if trimmed.is_empty() { ">" } else { "> " });
            out.push_str(line.trim_end_matches('\n'));
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    (out, count)
}

/// `[ORGANIZATION NAME]`, `[DATE]`: placeholders in brackets, written in capitals,
/// that are not links.
fn bracket_placeholders(line: &str) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = line[from..].find('[').map(|i| from + i) {
        let Some(close) = line[open..].find(']').map(|i| open + i) else {
            break;
        };
        let inner = &line[open + 1..close];
        let after = line[close + 1..].chars().next();
        let capitals = inner.len() >= 3
            && inner.chars().any(|c| c.is_ascii_uppercase())
            && inner
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == ' ' || c == '_' || c == '/');
        if capitals && !matches!(after, Some('(' | '[' | ':')) {
            found.push((open, close + 1, inner.to_string()));
        }
        from = close + 1;
    }
    found
}

/// The highest level of the body's headings (outside code), when it has any.
pub fn top_level(body: &str) -> Option<usize> {
    lines_outside_fences(body)
        .into_iter()
        .filter(|(in_code, _)| !in_code)
        .filter_map(|(_, line)| {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            ((1..=6).contains(&hashes) && line[hashes..].starts_with(' ')).then_some(hashes)
        })
        .min()
}

/// Headings `by` levels up, outside code (`### Scope` → `## Scope` by 1).
pub fn raise_headings(body: &str, by: usize) -> String {
    lines_outside_fences(body)
        .into_iter()
        .map(|(in_code, line)| {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            if !in_code && hashes > by && hashes <= 6 && line[hashes..].starts_with(' ') {
                line[by..].to_string()
            } else {
                line.to_string()
            }
        })
        .collect()
}

/// `{{ name }}` placeholders outside code: the organisation's name for those that
/// name it (when known), a code span for the others. Returns the body, the names
/// met, and whether any was replaced.
fn placeholders(body: &str, organization: Option<&str>) -> (String, Vec<String>, bool) {
    let mut names: Vec<String> = Vec::new();
    let mut replaced = false;
    let mut out = String::with_capacity(body.len());
    for (in_code, line) in lines_outside_fences(body) {
        let bracketed = if in_code {
            Vec::new()
        } else {
            bracket_placeholders(line)
        };
        let line: std::borrow::Cow<'_, str> = if bracketed.is_empty() {
            line.into()
        } else {
            let mut changed = String::with_capacity(line.len());
            let mut at = 0;
            for (start, end, name) in bracketed {
                changed.push_str(&line[at..start]);
                let lower = name.to_ascii_lowercase();
                let names_organisation = ["company", "organi", "business"]
                    .iter()
                    .any(|w| lower.contains(w));
                match organization {
                    Some(org) if names_organisation => {
                        changed.push_str(org);
                        replaced = true;
                    }
                    _ => changed.push_str(&format!("`{}`", &line[start..end])),
                }
                if !names.contains(&name) {
                    names.push(name);
                }
                at = end;
            }
            changed.push_str(&line[at..]);
            changed.into()
        };
        let line = line.as_ref();
        if in_code || !line.contains("{{") {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open..].find("}}").map(|c| open + c) else {
                break;
            };
            let inner = rest[open + 2..close].trim();
            let name = inner
                .trim_start_matches(['.', '%', '<', '>', ' '])
                .trim_end_matches(['%', '<', '>', ' '])
                .to_string();
            // Inside a code span already: leave it.
            let ticks = rest[..open].matches('`').count();
            out.push_str(&rest[..open]);
            if !names.contains(&name) && !name.is_empty() {
                names.push(name.clone());
            }
            let lower = name.to_ascii_lowercase();
            let names_organisation = ["company", "organi", "orgname", "org_name", "business"]
                .iter()
                .any(|w| lower.contains(w));
            match organization {
                Some(org) if names_organisation && ticks % 2 == 0 => {
                    out.push_str(org);
                    replaced = true;
                }
                // Inside a code span, or a link's destination (`[x]({{url}})`).
                _ if ticks % 2 == 1 || rest[..open].ends_with("](") => {
                    out.push_str(&rest[open..close + 2]);
                }
                _ => {
                    out.push('`');
                    out.push_str(&rest[open..close + 2]);
                    out.push('`');
                }
            }
            rest = &rest[close + 2..];
        }
        out.push_str(rest);
    }
    (out, names, replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comply_bodies_are_repaired() {
        let body = "#Policy\n\n1. Access shall be reviewed:\n\nThe CTO shall:\n\n    a. keep a list;\n        i. of systems;\n        i. of people;\n    a. review it\n    quarterly.\n\n```\n#not a heading {{x}}\n```\n\n+------+-------+\n| Role | Duty  |\n+======+=======+\n| CTO  | Owns  |\n|      | it    |\n+------+-------+\n| IT   | Runs  |\n+------+-------+\n\nFor {{companyShortName}} and {{ .Version }}.\n";
        let repaired = repair(body, Some("Acme Ltd"));
        let out = &repaired.body;
        assert!(out.starts_with("# Policy\n"), "{out}");
        assert!(
            out.contains(
                "\na. keep a list;\n\ni. of systems;\n\nii. of people;\n\nb. review it\nquarterly.\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("#not a heading {{x}}"),
            "code stays as written: {out}"
        );
        assert!(
            out.contains("| Role | Duty |\n|---|---|\n| CTO | Owns it |\n| IT | Runs |\n"),
            "{out}"
        );
        assert!(out.contains("For Acme Ltd and `{{ .Version }}`."), "{out}");
        assert_eq!(repaired.placeholders, ["companyShortName", "Version"]);
        assert_eq!(repaired.notes.len(), 4, "{:?}", repaired.notes);
        let code = "Run:\n\n    cargo build\n";
        assert_eq!(repair(code, None).body, code, "real code stays code");
    }

    #[test]
    fn the_first_heading_of_any_level() {
        assert_eq!(
            first_heading("\n### CP Access AWS\ntext"),
            Some((3, "CP Access AWS".to_string()))
        );
        assert_eq!(first_heading("text\n# Later"), None);
    }
}
