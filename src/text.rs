//! Text as ismsbook reads it: decoding a file's bytes, lines and columns as an editor
//! counts them, "did you mean" suggestions, numeric order of dotted ids and plural
//! words. The bottom of the crate: it knows nothing of documents or diagnostics.

use serde::Serialize;
use std::cmp::Ordering;

/// A place in a source file: 1-based line and column (columns count characters).
/// Line 0 means "the file as a whole".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const FILE: Position = Position { line: 0, column: 0 };

    pub fn new(line: usize, column: usize) -> Position {
        Position { line, column }
    }
}

/// Decodes a file's bytes: accepts a UTF-8 BOM, CRLF and lone CR line ends. On invalid
/// UTF-8, returns the position of the first invalid byte.
pub fn decode(bytes: &[u8]) -> Result<String, Position> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        // CRLF and a lone CR (old Mac files) both end a line, for editors and YAML alike.
        Ok(text) if text.contains('\r') => Ok(text.replace("\r\n", "\n").replace('\r', "\n")),
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            Err(LineIndex::new(valid).position(valid, valid.len()))
        }
    }
}

/// `decode`, or for bytes that are not UTF-8 the text with U+FFFD for the bad bytes
/// (history and reports show what they can of a damaged file).
pub fn decode_lossy(bytes: &[u8]) -> String {
    decode(bytes).unwrap_or_else(|_| String::from_utf8_lossy(bytes).replace("\r\n", "\n"))
}

/// Line and column lookups over one text, computed once per file.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and character column of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Position::new(line + 1, column + 1)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line<'t>(&self, text: &'t str, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(text.len(), |&e| e - 1);
        text.get(start..end.max(start))
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// The known name closest to `given`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given_lower = given.to_lowercase();
    known
        .into_iter()
        .map(|k| (edit_distance(&given_lower, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= (k.chars().count().max(given.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Dotted ids in numeric order: `4.3` before `10.2`, `5.9` before `5.10`, `A.5.2`
/// before `A.5.10`. Parts that are not numbers compare as text, after numbers.
pub fn compare_ids(a: &str, b: &str) -> Ordering {
    let mut left = a.split(['.', '-']);
    let mut right = b.split(['.', '-']);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// A 64-bit hash of some bytes that is the same on every platform and in every
/// version of ismsbook with the same history cache format (XXH3).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// `1 error`, `2 errors`: the count and the right form of the noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_accepts_bom_and_crlf() {
        assert_eq!(
            decode(b"\xEF\xBB\xBF---\r\nid: X\r\n").unwrap(),
            "---\nid: X\n"
        );
    }

    #[test]
    fn decode_reports_the_first_invalid_byte() {
        assert_eq!(decode(b"ok\nab\xFFc").unwrap_err(), Position::new(2, 3));
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "ab\nçé: x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position::new(1, 1));
        assert_eq!(index.position(text, 3), Position::new(2, 1));
        // "x" is after "çé: " (6 bytes, 4 characters).
        assert_eq!(index.position(text, 9), Position::new(2, 5));
        assert_eq!(index.line(text, 2), Some("çé: x"));
        assert_eq!(index.line(text, 9), None);
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["owner", "approvers", "approved_by"];
        assert_eq!(did_you_mean("owners", keys), Some("owner"));
        assert_eq!(did_you_mean("aproved_by", keys), Some("approved_by"));
        assert_eq!(did_you_mean("colour", keys), None);
    }

    #[test]
    fn ids_sort_numerically() {
        let mut ids = vec![
            "10.2", "4.3", "5.10", "5.2", "A.8.1", "A.5.10", "A.5.9", "6.1.3",
        ];
        ids.sort_by(|a, b| compare_ids(a, b));
        assert_eq!(
            ids,
            [
                "4.3", "5.2", "5.10", "6.1.3", "10.2", "A.5.9", "A.5.10", "A.8.1"
            ]
        );
    }

    #[test]
    fn counts_have_the_right_plural() {
        assert_eq!(count(1, "error", "errors"), "1 error");
        assert_eq!(count(0, "error", "errors"), "0 errors");
    }
}
