//! What the handbook needs to know of a Markdown body before rendering it: heading
//! anchors, links with their places, and mentions of controls. The renderer uses the
//! same options and anchors, so what `check` accepts is what `build` produces.

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;

/// The Markdown dialect of documents: CommonMark with tables, footnotes, task lists,
/// strikethrough and `{#id}` heading attributes.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// A link in the body and the byte range of its Markdown source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub range: Range<usize>,
}

/// A control id written in the text, e.g. `A.5.15` or `A.9.2.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub id: String,
    pub range: Range<usize>,
}

/// Headings, links and control mentions of a body, in one pass over its events.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub mentions: Vec<Mention>,
    /// The words of the body (its text and code, a space between blocks): what the
    /// search index holds, read in the same pass, so a page that is not rendered
    /// again still has its search entry.
    pub words: Words,
}

/// The words of a body, kept as ranges of the body wherever its text is already
/// plain words between single spaces (most of it), and as text of their own only
/// where they had to be cleaned (entities, doubled spaces, other whitespace): a
/// copy of every body's words was as large as the bodies themselves.
#[derive(Debug, Clone, Default)]
pub struct Words {
    pieces: Vec<Piece>,
    /// The words that are not ranges of the body.
    own: String,
}

/// A run of words: a range of the body, or of `Words::own`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    in_body: bool,
    start: u32,
    end: u32,
}

impl Words {
    /// The words, one space between any two; `body` is the body they were read from.
    pub fn of<'a>(&'a self, body: &'a str) -> Joined<'a> {
        Joined { words: self, body }
    }

    /// Adds `text`, a piece of plain words, as a range of `body` when it is one.
    fn push_plain(&mut self, body: &str, text: &str) {
        // Where a borrowed piece of the body starts in it (an address comparison:
        // text the parser made, such as an entity, lies elsewhere).
        let start = (text.as_ptr() as usize).wrapping_sub(body.as_ptr() as usize);
        let range = (start.checked_add(text.len()))
            .filter(|&end| end <= body.len())
            .and_then(|end| Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?)));
        match range {
            Some((start, end)) => self.pieces.push(Piece {
                in_body: true,
                start,
                end,
            }),
            None => {
                let start = self.own.len();
                self.own.push_str(text);
                self.push_own(start);
            }
        }
    }

    /// Records what was added to `own` since `start` as a piece (nothing when empty).
    fn push_own(&mut self, start: usize) {
        let end = self.own.len();
        if let (Ok(from), Ok(to)) = (u32::try_from(start), u32::try_from(end))
            && from < to
        {
            self.pieces.push(Piece {
                in_body: false,
                start: from,
                end: to,
            });
        }
    }
}

/// The words of a body as text: [`Words::of`]. Written straight into a serializer
/// (`collect_str`), so the search index never holds a copy of them.
pub struct Joined<'a> {
    words: &'a Words,
    body: &'a str,
}

impl std::fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, piece) in self.words.pieces.iter().enumerate() {
            let from = if piece.in_body {
                self.body
            } else {
                &self.words.own
            };
            if n > 0 {
                f.write_str(" ")?;
            }
            f.write_str(
                from.get(piece.start as usize..piece.end as usize)
                    .unwrap_or_default(),
            )?;
        }
        Ok(())
    }
}

/// A heading's `{…}` block as ismsbook reads it: pulldown-cmark takes any braces at
/// the end of a heading as attributes, but only a block of `#id`, `.class` and
/// `key=value` is one; `{Security Team}` is text of the heading.
pub struct HeadingBlock {
    /// The heading's explicit id, when its block is a valid attribute block.
    pub id: Option<String>,
    /// The block as written, braces included, when it is text of the heading.
    pub literal: Option<String>,
}

impl HeadingBlock {
    /// `source` is the heading's Markdown; `id` and `attrs` what the parser read.
    pub fn read(
        source: &str,
        id: Option<&str>,
        attrs: &[(CowStr<'_>, Option<CowStr<'_>>)],
    ) -> HeadingBlock {
        let bare_word = attrs.iter().any(|(_, value)| value.is_none());
        if !bare_word {
            return HeadingBlock {
                id: id.map(str::to_string),
                literal: None,
            };
        }
        let line = source.lines().next().unwrap_or_default().trim_end();
        let line = line.trim_end_matches('#').trim_end();
        let literal = line.rfind('{').map(|open| line[open..].to_string());
        HeadingBlock { id: None, literal }
    }
}

pub fn outline(body: &str) -> Outline {
    let mut outline = Outline::default();
    let mut anchors = Anchors::default();
    let mut heading: Option<(HeadingLevel, HeadingBlock, String)> = None;
    let mut in_code = 0usize;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Event::Text(t) | Event::Code(t) = &event {
            push_words(&mut outline.words, body, t);
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, attrs, ..
            }) => {
                let block = HeadingBlock::read(&body[range.clone()], id.as_deref(), &attrs);
                heading = Some((level, block, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, block, mut text)) = heading.take() {
                    if let Some(literal) = &block.literal {
                        text.push(' ');
                        text.push_str(literal);
                        push_words(&mut outline.words, body, literal);
                    }
                    let anchor = anchors.claim(block.id.as_deref(), &text);
                    outline.headings.push(Heading {
                        level: level as u8,
                        text,
                        anchor,
                    });
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                // `<security@example.com>` is a mail address, not a file.
                let dest = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                outline.links.push(Link {
                    dest,
                    range: range.clone(),
                });
            }
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(text) => {
                if let Some((_, _, heading_text)) = heading.as_mut() {
                    heading_text.push_str(&text);
                }
                if in_code == 0 {
                    for (offset, id) in control_mentions(&text) {
                        // Text events of plain paragraphs map one to one onto the source.
                        let start = range.start + offset;
                        outline.mentions.push(Mention {
                            range: start..start + id.len(),
                            id,
                        });
                    }
                }
            }
            Event::Code(code) => {
                if let Some((_, _, heading_text)) = heading.as_mut() {
                    heading_text.push_str(&code);
                }
            }
            _ => {}
        }
    }
    outline
}

/// Appends the words of `text` (a piece of `body`, or text the parser made) to
/// `words`, one space between any two. Bytes are looked at one by one and only
/// non-ASCII characters decoded: this runs over every body of the handbook.
fn push_words(words: &mut Words, body: &str, text: &str) {
    let bytes = text.as_bytes();
    // Most text is printable ASCII words between single spaces: taken whole. (A
    // fold without early exits, which the compiler turns into vector code, and
    // memchr's vectorized search.)
    let unusual = bytes
        .iter()
        .fold(false, |u, &b| u | !(0x20..0x7f).contains(&b));
    let doubled = memchr::memmem::find(bytes, b"  ").is_some();
    if !unusual && !doubled && bytes.first() != Some(&b' ') && bytes.last() != Some(&b' ') {
        if !bytes.is_empty() {
            words.push_plain(body, text);
        }
        return;
    }
    let first = words.own.len();
    let mut start: Option<usize> = None;
    let mut i = 0;
    let flush = |own: &mut String, word: &str| {
        if own.len() > first {
            own.push(' ');
        }
        own.push_str(word);
    };
    while i < bytes.len() {
        let (space, width) = match bytes[i] {
            b if b.is_ascii() => (b.is_ascii_whitespace() || b == 0x0b, 1),
            _ => text[i..]
                .chars()
                .next()
                .map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
        };
        match (space, start) {
            (true, Some(from)) => {
                flush(&mut words.own, &text[from..i]);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
        i += width;
    }
    if let Some(from) = start {
        flush(&mut words.own, &text[from..]);
    }
    words.push_own(first);
}

/// Gives each heading a unique anchor: its `{#id}` when given, otherwise a slug of its
/// text, with `-1`, `-2` … added to repeats (the convention of GitHub and mdBook).
#[derive(Default)]
pub struct Anchors {
    seen: HashMap<String, usize>,
}

impl Anchors {
    pub fn claim(&mut self, explicit: Option<&str>, text: &str) -> String {
        if let Some(id) = explicit {
            self.seen.entry(id.to_string()).or_insert(0);
            return id.to_string();
        }
        let base = slugify(text);
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let count = self.seen.entry(base.clone()).or_insert(0);
        let anchor = if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        anchor
    }
}

/// GitHub-style slug: lower case, letters, digits, `-` and `_` kept, spaces to `-`.
pub fn slugify(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().next().unwrap_or(c))
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Offsets and ids of `A.n.n` and `A.n.n.n` in a text.
pub fn control_mentions(text: &str) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    // memchr's search is vectorized; `str::find` with a two-byte needle is not.
    while let Some(pos) = memchr::memmem::find(&bytes[i..], b"A.") {
        let start = i + pos;
        i = start + 2;
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'.') {
            continue;
        }
        let mut end = start + 2;
        let mut groups = 0;
        loop {
            let digits = bytes[end..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 0 || digits > 2 {
                break;
            }
            end += digits;
            groups += 1;
            if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
                end += 1;
            } else {
                break;
            }
        }
        if (2..=3).contains(&groups) && !bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            found.push((start, text[start..end].to_string()));
            i = end;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_text_is_the_words_of_the_body() {
        let body = "# Scope {Security Team}\n\nAll  staff\tuse *MFA*.\n\n- one\u{a0}item\n- `code`\n\n```\nlet x\n```\n";
        assert_eq!(
            outline(body).words.of(body).to_string(),
            "Scope {Security Team} All staff use MFA . one item code let x"
        );
    }

    #[test]
    fn anchors_are_unique_slugs() {
        let body =
            "# Purpose\n\n## Roles & responsibilities\n\n## Purpose\n\n### Custom {#my-id}\n";
        let anchors: Vec<_> = outline(body)
            .headings
            .into_iter()
            .map(|h| h.anchor)
            .collect();
        assert_eq!(
            anchors,
            ["purpose", "roles--responsibilities", "purpose-1", "my-id"]
        );
    }

    #[test]
    fn braces_that_are_not_attributes_stay_in_the_heading() {
        let body = "# Contacts {Security Team}\n\n## Scope {#scope .wide}\n\n## Keys {data=x}\n";
        let headings = outline(body).headings;
        assert_eq!(headings[0].text, "Contacts {Security Team}");
        assert_eq!(headings[0].anchor, "contacts-security-team");
        assert_eq!(headings[1].anchor, "scope");
        assert_eq!(headings[2].text, "Keys");
    }

    #[test]
    fn mail_autolinks_are_mail_links() {
        let links = outline("Write to <security@example.com>.").links;
        assert_eq!(links[0].dest, "mailto:security@example.com");
    }

    #[test]
    fn links_keep_their_source_range() {
        let body = "See [the policy](../policies/ac.md#scope) now.";
        let links = outline(body).links;
        assert_eq!(links[0].dest, "../policies/ac.md#scope");
        assert_eq!(
            &body[links[0].range.clone()],
            "[the policy](../policies/ac.md#scope)"
        );
    }

    #[test]
    fn finds_control_mentions_outside_code() {
        let body = "Implements A.5.15 and A.9.2.1 (old).\n\n```\nA.8.1\n```\nNot DATA.5.1 or A.5.";
        let ids: Vec<_> = outline(body).mentions.into_iter().map(|m| m.id).collect();
        assert_eq!(ids, ["A.5.15", "A.9.2.1"]);
    }
}
