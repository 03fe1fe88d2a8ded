//! Links and control mentions in document bodies: every relative link resolves to a
//! file or a published document and its heading, and control ids in the text are
//! current ones.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::catalog::ControlRef;
use crate::model::handbook::Handbook;
use crate::model::links::{Target, classify, relative_link, unsafe_scheme};
use crate::model::markdown::Outline;
use crate::text::{LineIndex, did_you_mean};

pub fn links(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    for (doc, outline) in handbook.documents.iter().zip(&handbook.outlines) {
        let index = LineIndex::new(&doc.body);
        for link in &outline.links {
            let mut position = index.position(&doc.body, link.range.start);
            position.line += doc.body_line - 1;
            let width = doc.body[link.range.clone()]
                .lines()
                .next()
                .map_or(1, |l| l.chars().count());
            let at = |d: Diagnostic| d.span(position, width);
            match classify(&doc.path, &link.dest) {
                Target::External => {
                    if let Some(scheme) = unsafe_scheme(&link.dest) {
                        found.push(at(Diagnostic::new(
                            Code::UnsafeLink,
                            &doc.path,
                            format!("link with a `{scheme}` URL, which runs or carries content in the reader's browser"),
                        )
                        .hint("link to a page or a document instead; with [build] sanitize = true such links are removed")));
                    }
                }
                Target::SamePage(anchor) => {
                    // `#` alone is the top of the page.
                    if !anchor.is_empty() && !outline.headings.iter().any(|h| h.anchor == anchor) {
                        found.push(at(anchor_problem(
                            &doc.path,
                            anchor,
                            "this document",
                            outline,
                        )));
                    }
                }
                Target::Document { path, anchor } => match handbook.by_path(&path) {
                    Some((target, target_outline)) => {
                        if let Some(anchor) = anchor.filter(|a| !a.is_empty())
                            && !target_outline.headings.iter().any(|h| h.anchor == anchor)
                        {
                            found.push(at(anchor_problem(
                                &doc.path,
                                anchor,
                                &target.path,
                                target_outline,
                            )));
                        }
                    }
                    None => {
                        let exists = handbook.config.root.join(&path).is_file();
                        let (message, hint) = if exists {
                            (
                                format!("link to `{}`, which is not a document of the handbook", link.dest),
                                "the handbook publishes only the document folders; link to a document, or use a full URL".to_string(),
                            )
                        } else {
                            let near = did_you_mean(
                                &path,
                                handbook.documents.iter().map(|d| d.path.as_str()),
                            );
                            (
                                format!("broken link: `{}` does not exist", link.dest),
                                match near {
                                    Some(near) => format!("did you mean `{}`?", relative_link(&doc.path, near)),
                                    None => "link to another document with a path relative to this file, e.g. ../policies/access-control.md".to_string(),
                                },
                            )
                        };
                        found.push(at(
                            Diagnostic::new(Code::BrokenLink, &doc.path, message).hint(hint)
                        ));
                    }
                },
                Target::Other(path) => {
                    if path.is_empty() {
                        found.push(at(Diagnostic::new(
                            Code::BrokenLink,
                            &doc.path,
                            format!("link `{}` leaves the repository", link.dest),
                        )
                        .hint("link to documents inside the repository, or use a full URL")));
                    } else if !handbook.config.root.join(&path).exists() {
                        found.push(at(Diagnostic::new(
                            Code::BrokenLink,
                            &doc.path,
                            format!("broken link: `{}` does not exist", link.dest),
                        )
                        .hint("correct the path, relative to this file")));
                    }
                }
            }
        }
    }
}

fn anchor_problem(path: &str, anchor: &str, target: &str, outline: &Outline) -> Diagnostic {
    let hint = match did_you_mean(anchor, outline.headings.iter().map(|h| h.anchor.as_str())) {
        Some(close) => format!("did you mean `#{close}`?"),
        None if outline.headings.is_empty() => format!("{target} has no headings"),
        None => format!(
            "the headings of {target} are: {}",
            outline
                .headings
                .iter()
                .take(8)
                .map(|h| format!("#{}", h.anchor))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Diagnostic::new(
        Code::BrokenAnchor,
        path,
        format!("no heading `#{anchor}` in {target}"),
    )
    .hint(hint)
}

pub fn mentions(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    for (doc, outline) in handbook.documents.iter().zip(&handbook.outlines) {
        if outline.mentions.is_empty() {
            continue;
        }
        let index = LineIndex::new(&doc.body);
        for mention in &outline.mentions {
            let mut position = index.position(&doc.body, mention.range.start);
            position.line += doc.body_line - 1;
            let width = mention.id.len();
            match handbook.catalog.resolve(&mention.id) {
                ControlRef::Known(_) => {}
                ControlRef::Legacy(successors) => {
                    let names: Vec<_> = successors
                        .iter()
                        .map(|c| format!("A.{} ({})", c.id, c.title))
                        .collect();
                    found.push(
                        Diagnostic::new(
                            Code::LegacyControlMention,
                            &doc.path,
                            format!("{} is an ISO/IEC 27001:2013 control id", mention.id),
                        )
                        .span(position, width)
                        .hint(format!("refer to the 2022 control: {}", names.join(" or "))),
                    );
                }
                ControlRef::Unknown => {
                    found.push(
                        Diagnostic::new(Code::UnknownControlMention, &doc.path, format!("{} is not an Annex A control", mention.id))
                            .span(position, width)
                            .hint("Annex A controls are A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14 and A.8.1-A.8.34"),
                    );
                }
            }
        }
    }
}
