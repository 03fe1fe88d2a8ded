//! A document body as HTML: heading anchors as `check` computed them, relative `.md`
//! links to the pages they become (or plain text when the target is not published),
//! and Annex A mentions (`A.5.15`) linked to their control pages.

use super::html::page_of;
use crate::model::catalog::ControlRef;
use crate::model::document::Document;
use crate::model::handbook::Handbook;
use crate::model::links::resolve;
use crate::model::markdown::{self, HeadingBlock, Outline};
use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag, TagEnd};
use std::collections::HashSet;

/// The sanitizer for `[build] sanitize = true`: ammonia's defaults (no scripts, no
/// event handlers, no `javascript:` URLs, no styles), keeping what the Markdown
/// renderer produces (heading ids, code classes, task-list checkboxes, footnotes).
pub fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id", "class", "title"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .url_relative(ammonia::UrlRelative::PassThrough);
    builder
}

/// The body as HTML: heading anchors as `check` computed them, relative `.md` links
/// to the pages they become (or plain text when the target is not published), and
/// Annex A mentions (`A.5.15`) linked to their control pages.
pub fn render_body(
    doc: &Document,
    outline: &Outline,
    handbook: &Handbook,
    published: &HashSet<&str>,
    root: &str,
    sanitizer: Option<&ammonia::Builder<'_>>,
) -> String {
    let mut anchors = outline.headings.iter().map(|h| h.anchor.clone());
    let mut events: Vec<Event<'_>> = Vec::new();
    // Depth of links and code, where control mentions are not linked; and whether
    // the link being skipped (an unpublished target) is open.
    let mut in_link = 0usize;
    let mut in_heading = false;
    // A `{…}` of the heading being rendered that is text, not attributes.
    let mut literal: Option<String> = None;
    let mut dropped_links: Vec<bool> = Vec::new();
    for (event, range) in Parser::new_ext(&doc.body, markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                in_heading = true;
                let block = HeadingBlock::read(&doc.body[range], id.as_deref(), &attrs);
                let (classes, attrs) = match block.literal {
                    Some(_) => (Vec::new(), Vec::new()),
                    None => (classes, attrs),
                };
                literal = block.literal;
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: anchors.next().map(CowStr::from),
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                if let Some(literal) = literal.take() {
                    events.push(Event::Text(format!(" {literal}").into()));
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let rewritten = rewrite_link(&doc.path, &dest_url, published);
                match rewritten {
                    Some(Some(url)) => {
                        dropped_links.push(false);
                        in_link += 1;
                        events.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: url.into(),
                            title,
                            id,
                        }));
                    }
                    Some(None) => dropped_links.push(true),
                    None => {
                        dropped_links.push(false);
                        in_link += 1;
                        events.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }));
                    }
                }
            }
            Event::End(TagEnd::Link) => {
                if !dropped_links.pop().unwrap_or(false) {
                    in_link = in_link.saturating_sub(1);
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Text(text) if in_link == 0 && !in_heading && text.contains("A.") => {
                link_mentions(text, handbook, root, &mut events);
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(doc.body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if let Some(sanitizer) = sanitizer {
        html = sanitizer.clean(&html).to_string();
    }
    html
}

/// `Some(Some(url))`: a document link rewritten to its page; `Some(None)`: a link to
/// a document that is not published (rendered as plain text); `None`: left alone.
pub fn rewrite_link(from: &str, dest: &str, published: &HashSet<&str>) -> Option<Option<String>> {
    if dest.contains("://")
        || dest.starts_with('#')
        || dest.starts_with("mailto:")
        || dest.starts_with("//")
    {
        return None;
    }
    let (file, anchor) = match dest.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (dest, None),
    };
    if !(file.ends_with(".md") || file.ends_with(".markdown")) {
        return None;
    }
    let target = resolve(from, file)?;
    if !published.contains(target.as_str()) {
        return Some(None);
    }
    let page = page_of(file);
    Some(Some(match anchor {
        Some(anchor) => format!("{page}#{anchor}"),
        None => page,
    }))
}

/// Splits a text at its Annex A mentions, linking each known control.
fn link_mentions<'a>(
    text: CowStr<'a>,
    handbook: &Handbook,
    root: &str,
    events: &mut Vec<Event<'a>>,
) {
    let mentions = markdown::control_mentions(&text);
    let mut last = 0;
    for (offset, id) in mentions {
        let ControlRef::Known(control) = handbook.catalog.resolve(&id) else {
            continue;
        };
        if offset > last {
            events.push(Event::Text(text[last..offset].to_string().into()));
        }
        events.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: format!("{root}controls/{}.html", control.id).into(),
            title: control.title.clone().into(),
            id: "".into(),
        }));
        events.push(Event::Text(id.clone().into()));
        events.push(Event::End(TagEnd::Link));
        last = offset + id.len();
    }
    if last == 0 {
        events.push(Event::Text(text));
    } else if last < text.len() {
        events.push(Event::Text(text[last..].to_string().into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_rewritten_or_dropped() {
        let published: HashSet<&str> = ["policies/a.md"].into_iter().collect();
        assert_eq!(
            rewrite_link("procedures/p.md", "../policies/a.md#scope", &published),
            Some(Some("../policies/a.html#scope".to_string()))
        );
        assert_eq!(
            rewrite_link("procedures/p.md", "draft.md", &published),
            Some(None)
        );
        assert_eq!(
            rewrite_link("procedures/p.md", "https://example.com/x.md", &published),
            None
        );
        assert_eq!(rewrite_link("procedures/p.md", "#steps", &published), None);
    }
}
