//! Where the cursor is in a document: its line, what stands left of it, and whether it
//! is in the front matter (and under which key); the id-like word and the link
//! around it.

use lsp_types::Position;

pub struct Context {
    pub line: String,
    /// The line's text left of the cursor.
    pub before: String,
    /// The front-matter key the cursor's line belongs to.
    pub key: Option<String>,
    pub in_front_matter: bool,
}

impl Context {
    /// The line and what stands left of the cursor, and whether it is in the front
    /// matter (and under which key).
    pub fn at(text: &str, position: Position) -> Context {
        let lines: Vec<&str> = text.lines().collect();
        let line = *lines.get(position.line as usize).unwrap_or(&"");
        let mut units = 0u32;
        let before: String = line
            .chars()
            .take_while(|c| {
                units += c.len_utf16() as u32;
                units <= position.character
            })
            .collect();
        let closing = lines
            .iter()
            .skip(1)
            .position(|l| l.trim_end() == "---")
            .map(|i| i + 1);
        let in_front_matter = lines.first().is_some_and(|l| l.trim_end() == "---")
            && (position.line as usize) > 0
            && closing.is_none_or(|c| (position.line as usize) < c);
        let key = in_front_matter.then(|| {
            // The key of this line, or of the list it continues.
            let upto = (position.line as usize).min(lines.len() - 1);
            lines[..=upto].iter().rev().find_map(|l| {
                (!l.starts_with([' ', '-', '#']))
                    .then(|| l.split(':').next().unwrap_or_default().trim().to_string())
            })
        });
        Context {
            line: line.to_string(),
            before,
            key: key.flatten(),
            in_front_matter,
        }
    }
}

/// The id-like word around a character column: letters, digits, `.` and `-`.
pub fn word_at(line: &str, column: usize) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let mut start = column.min(chars.len());
    while start > 0 && is_word(chars[start - 1]) {
        start -= 1;
    }
    let mut end = column.min(chars.len());
    while end < chars.len() && is_word(chars[end]) {
        end += 1;
    }
    let word: String = chars[start..end].iter().collect();
    let word = word.trim_matches('.').to_string();
    (!word.is_empty()).then_some(word)
}

/// The destination of a Markdown link `](dest)` that contains the column.
pub fn link_at(line: &str, column: usize) -> Option<&str> {
    let mut search = 0;
    while let Some(open) = line[search..].find("](").map(|i| i + search) {
        let start = open + 2;
        let end = line[start..].find(')').map_or(line.len(), |i| start + i);
        let (from, to) = (line[..open].chars().count(), line[..end].chars().count());
        if (from..=to).contains(&column) {
            return Some(&line[start..end]);
        }
        search = end;
    }
    None
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn words_and_links_under_the_cursor() {
        assert_eq!(
            word_at("controls: [\"5.15\", \"8.5\"]", 13).as_deref(),
            Some("5.15")
        );
        assert_eq!(word_at("related: [PRC-AC]", 12).as_deref(), Some("PRC-AC"));
        assert_eq!(
            link_at("See [the policy](../policies/a.md#x) now", 20),
            Some("../policies/a.md#x")
        );
        assert_eq!(link_at("no link here", 3), None);
    }
}
