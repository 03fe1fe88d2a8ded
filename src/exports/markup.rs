//! Markdown bodies as Typst markup, for the PDF copies. Structure becomes Typst
//! function calls and every piece of text a Typst string (`#"…";`), so nothing an
//! author writes (`#`, `*`, `$`, `<`, `@`) can be read as Typst: the markup is built,
//! never spliced. Relative links point into the handbook; the caller says which
//! targets the same PDF holds.

use crate::model::markdown;
use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use std::collections::HashMap;

/// A Typst string literal holding `text`.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("    "),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text in markup: a string expression, closed by `;` so that nothing after it can
/// continue the expression.
pub fn text(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("#{};", string(text))
    }
}

/// What the body may refer to outside itself.
pub struct Context<'a> {
    /// The body's document path (relative links resolve from it).
    pub path: &'a str,
    /// Resolves a relative link target (a repository path, without fragment) to
    /// where the link leads in this PDF, when the PDF holds that document.
    pub target_of: &'a dyn Fn(&str) -> Option<String>,
    /// Resolves an image source to a repository path the typesetter may read.
    pub image: &'a dyn Fn(&str) -> Option<String>,
}

/// The Typst markup of a Markdown body.
pub fn body(markdown: &str, context: &Context<'_>) -> String {
    let mut writer = Writer {
        context,
        out: vec![String::new()],
        footnotes: HashMap::new(),
        defining: Vec::new(),
        code: None,
        image: None,
        links: Vec::new(),
        table_columns: 0,
    };
    for event in Parser::new_ext(markdown, markdown::options()) {
        writer.event(event);
    }
    let mut out = writer.out.swap_remove(0);
    // Footnote references were left as placeholders: their definitions may come later.
    for (label, content) in &writer.footnotes {
        out = out.replace(&placeholder(label), &format!("#footnote[{content}]"));
    }
    while let Some(start) = out.find("\u{1}FN:") {
        let end = out[start + 4..]
            .find('\u{1}')
            .map_or(out.len(), |e| start + 5 + e);
        out.replace_range(start..end, "");
    }
    out
}

fn placeholder(label: &str) -> String {
    format!("\u{1}FN:{label}\u{1}")
}

struct Writer<'c, 'a> {
    context: &'c Context<'a>,
    /// A stack of buffers: footnote definitions are written apart.
    out: Vec<String>,
    footnotes: HashMap<String, String>,
    /// The labels of the footnote definitions being read (the end tag has none).
    defining: Vec<String>,
    /// The text of a code block being read, with its language.
    code: Option<(String, String)>,
    /// The alt text of an image being read, with its path.
    image: Option<(String, Option<String>)>,
    /// Whether each open link is a real link (else its text stands alone).
    links: Vec<bool>,
    table_columns: usize,
}

impl Writer<'_, '_> {
    fn push(&mut self, text: &str) {
        if let Some(out) = self.out.last_mut() {
            out.push_str(text);
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some((_, code)) = self.code.as_mut() {
            match event {
                Event::Text(t) => return code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {}
                _ => return,
            }
        }
        if let Some((alt, _)) = self.image.as_mut() {
            match event {
                Event::Text(t) | Event::Code(t) => return alt.push_str(&t),
                Event::End(TagEnd::Image) => {}
                _ => return,
            }
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.push(&text(&t)),
            Event::Code(t) => self.push(&format!("#raw({});", string(&t))),
            Event::SoftBreak => self.push(" "),
            Event::HardBreak => self.push("#linebreak();"),
            Event::Rule => self.push("\n#line(length: 100%, stroke: 0.5pt + luma(160))\n\n"),
            Event::FootnoteReference(label) => self.push(&placeholder(&label)),
            Event::TaskListMarker(done) => self.push(if done { "☑ " } else { "☐ " }),
            // Raw HTML and math are not typeset: their text is the author's markup.
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                // One level down: the document's title is above the body.
                let level = heading_level(level) + 1;
                self.push(&format!("\n#heading(level: {level}, outlined: false)["));
            }
            Tag::BlockQuote(_) => self.push("\n#quote(block: true)["),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) => {
                        lang.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Tag::List(Some(first)) => self.push(&format!("\n#enum(start: {first}, ")),
            Tag::List(None) => self.push("\n#list("),
            Tag::Item => self.push("["),
            Tag::FootnoteDefinition(label) => {
                self.defining.push(label.to_string());
                self.out.push(String::new());
            }
            Tag::Table(alignments) => {
                self.table_columns = alignments.len();
                let align: Vec<&str> = alignments
                    .iter()
                    .map(|a| match a {
                        Alignment::Center => "center",
                        Alignment::Right => "right",
                        Alignment::Left | Alignment::None => "left",
                    })
                    .collect();
                self.push(&format!(
                    "\n#table(columns: {}, align: ({},), ",
                    alignments.len().max(1),
                    align.join(", ")
                ));
            }
            Tag::TableHead => self.push("table.header("),
            Tag::TableRow => {}
            Tag::TableCell => self.push("["),
            Tag::Emphasis => self.push("#emph["),
            Tag::Strong => self.push("#strong["),
            Tag::Strikethrough => self.push("#strike["),
            Tag::Link { dest_url, .. } => self.link(&dest_url),
            Tag::Image { dest_url, .. } => {
                let path = (self.context.image)(&dest_url);
                self.image = Some((String::new(), path));
            }
            Tag::HtmlBlock
            | Tag::MetadataBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.push("\n\n"),
            TagEnd::Heading(_) => self.push("]\n\n"),
            TagEnd::BlockQuote(_) => self.push("]\n\n"),
            TagEnd::CodeBlock => {
                if let Some((lang, code)) = self.code.take() {
                    let lang = if lang.is_empty() {
                        String::new()
                    } else {
                        format!("lang: {}, ", string(&lang))
                    };
                    self.push(&format!(
                        "\n#raw(block: true, {lang}{})\n\n",
                        string(code.trim_end())
                    ));
                }
            }
            TagEnd::List(_) => self.push(")\n\n"),
            TagEnd::Item => self.push("], "),
            TagEnd::FootnoteDefinition => {
                if let (Some(label), true) = (self.defining.pop(), self.out.len() > 1) {
                    let content = self.out.pop().unwrap_or_default();
                    self.footnotes.insert(label, content.trim().to_string());
                }
            }
            TagEnd::Table => self.push(")\n\n"),
            TagEnd::TableHead => self.push("), "),
            TagEnd::TableRow => {}
            TagEnd::TableCell => self.push("], "),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.push("]"),
            TagEnd::Link => {
                if self.links.pop() == Some(true) {
                    self.push("]");
                }
            }
            TagEnd::Image => {
                if let Some((alt, path)) = self.image.take() {
                    match path {
                        Some(path) => self.push(&format!(
                            "\n#figure(image({}, alt: {}, width: 80%))\n",
                            string(&path),
                            string(&alt)
                        )),
                        None => self.push(&text(&format!("[{alt}]"))),
                    }
                }
            }
            TagEnd::HtmlBlock
            | TagEnd::MetadataBlock(_)
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Superscript
            | TagEnd::Subscript => {}
        }
    }

    /// A link: to a document this PDF holds, to the web or a mail address, or (a relative
    /// link to something this PDF does not hold) its text alone.
    fn link(&mut self, dest: &str) {
        let external = dest.starts_with("http://")
            || dest.starts_with("https://")
            || dest.starts_with("mailto:");
        if external {
            self.links.push(true);
            return self.push(&format!("#link({})[", string(dest)));
        }
        let file = dest.split('#').next().unwrap_or_default();
        let target = if file.is_empty() {
            None
        } else {
            crate::model::links::resolve(self.context.path, file)
                .and_then(|p| (self.context.target_of)(&p))
        };
        match target {
            Some(target) => {
                self.links.push(true);
                self.push(&format!("#link({})[", string(&target)));
            }
            None => self.links.push(false),
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typst(markdown: &str) -> String {
        let none = |_: &str| None;
        body(
            markdown,
            &Context {
                path: "policies/a.md",
                target_of: &none,
                image: &none,
            },
        )
    }

    #[test]
    fn text_is_always_a_string() {
        let out = typst("A #tag, **bold** $5 @ref \"q\" \\\\ [a](b.md)");
        assert_eq!(
            out,
            "#\"A #tag, \";#strong[#\"bold\";]#\" $5 @ref \\\"q\\\" \";#\"\\\\ \";#\"a\";\n\n"
        );
    }

    #[test]
    fn structure_becomes_calls() {
        let out = typst(
            "## Steps\n\n1. One\n2. Two\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n```sh\necho hi\n```\n",
        );
        assert!(
            out.contains("#heading(level: 3, outlined: false)[#\"Steps\";]"),
            "{out}"
        );
        assert!(
            out.contains("#enum(start: 1, [#\"One\";], [#\"Two\";], )"),
            "{out}"
        );
        assert!(out.contains("#table(columns: 2, align: (left, right,), table.header([#\"a\";], [#\"b\";], ), [#\"1\";], [#\"2\";], )"), "{out}");
        assert!(
            out.contains("#raw(block: true, lang: \"sh\", \"echo hi\")"),
            "{out}"
        );
    }

    #[test]
    fn footnotes_are_placed_at_their_reference() {
        let out = typst("Text.[^1]\n\n[^1]: The note.\n");
        assert!(
            out.contains("#\"Text.\";#footnote[#\"The note.\";]"),
            "{out}"
        );
    }
}
