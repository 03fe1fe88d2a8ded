//! Completion: front-matter keys and values (types, statuses, classifications, roles,
//! control ids with their titles and SoA decisions, clauses, document ids), and
//! relative links to documents after `](`.

use super::cursor::Context;
use crate::model::document::KEYS;
use crate::model::handbook::Handbook;
use crate::model::kinds::{DocType, Status};
use crate::model::links::relative_link;
use crate::model::soa::Applicability;
use lsp_types::{CompletionItem, CompletionItemKind};

fn item(label: &str, detail: &str, kind: CompletionItemKind) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        kind: Some(kind),
        ..CompletionItem::default()
    }
}

/// The completions at `context` in the document `text` at repository path `from`.
pub fn complete(
    handbook: &Handbook,
    text: &str,
    from: &str,
    context: &Context,
) -> Vec<CompletionItem> {
    if context.in_front_matter {
        let on_key = !context.before.contains(':') && !context.before.starts_with([' ', '-']);
        if on_key {
            keys(text)
        } else {
            values(handbook, context.key.as_deref().unwrap_or_default())
        }
    } else if in_link(&context.before) {
        links(handbook, from)
    } else {
        Vec::new()
    }
}

/// The keys the front matter does not have yet.
fn keys(text: &str) -> Vec<CompletionItem> {
    let present: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().to_string()))
        .collect();
    KEYS.iter()
        .filter(|k| !present.iter().any(|p| p == *k))
        .map(|key| CompletionItem {
            insert_text: Some(format!("{key}: ")),
            ..item(key, "front-matter key", CompletionItemKind::PROPERTY)
        })
        .collect()
}

/// The values a key takes.
fn values(handbook: &Handbook, key: &str) -> Vec<CompletionItem> {
    let config = &handbook.config;
    match key {
        "type" => DocType::ALL
            .iter()
            .map(|t| item(t.as_str(), t.label(), CompletionItemKind::ENUM_MEMBER))
            .collect(),
        "status" => Status::ALL
            .iter()
            .map(|s| item(s.as_str(), "", CompletionItemKind::ENUM_MEMBER))
            .collect(),
        "classification" => config
            .classifications
            .iter()
            .map(|c| item(c, "", CompletionItemKind::ENUM_MEMBER))
            .collect(),
        "owner" | "approvers" | "approved_by" => config
            .roles
            .iter()
            .map(|(k, r)| item(k, &r.name, CompletionItemKind::VALUE))
            .collect(),
        "audience" => std::iter::once(item(
            crate::model::config::EVERYONE,
            "every person on the roster",
            CompletionItemKind::VALUE,
        ))
        .chain(
            config
                .roles
                .iter()
                .map(|(k, r)| item(k, &r.name, CompletionItemKind::VALUE)),
        )
        .chain(
            config
                .groups
                .iter()
                .map(|(k, g)| item(k, &g.name, CompletionItemKind::VALUE)),
        )
        .collect(),
        "controls" => controls(handbook),
        "clauses" => handbook
            .catalog
            .clauses()
            .iter()
            .map(|c| item(&c.id, &c.title, CompletionItemKind::REFERENCE))
            .collect(),
        "related" => handbook
            .valid()
            .map(|(_, m)| item(&m.id, &m.title, CompletionItemKind::REFERENCE))
            .collect(),
        _ => Vec::new(),
    }
}

/// Every control of the catalogs, with its title and its SoA decision.
fn controls(handbook: &Handbook) -> Vec<CompletionItem> {
    handbook
        .catalog
        .controls()
        .iter()
        .map(|c| {
            let decision = handbook
                .soa
                .as_ref()
                .and_then(|s| s.decisions.get(&c.id))
                .map_or("", |d| match d.applicability() {
                    Applicability::Applicable => " (applicable)",
                    Applicability::Excluded => " (excluded)",
                    Applicability::Undecided | Applicability::NotInSoa => " (undecided)",
                });
            CompletionItem {
                filter_text: Some(format!("{} {}", c.id, c.title)),
                ..item(
                    &c.id,
                    &format!("{}{decision}", c.title),
                    CompletionItemKind::REFERENCE,
                )
            }
        })
        .collect()
}

/// True when the text left of the cursor is inside a link's destination.
fn in_link(before: &str) -> bool {
    before.ends_with("](")
        || before
            .rsplit("](")
            .next()
            .is_some_and(|rest| !rest.contains(')') && before.contains("]("))
}

/// Relative links from `from` to every other valid document.
fn links(handbook: &Handbook, from: &str) -> Vec<CompletionItem> {
    handbook
        .valid()
        .filter(|(doc, _)| doc.path != from)
        .map(|(doc, meta)| {
            let link = relative_link(from, &doc.path);
            CompletionItem {
                filter_text: Some(format!("{link} {}", meta.title)),
                ..item(
                    &link,
                    &format!("{} {}", meta.id, meta.title),
                    CompletionItemKind::FILE,
                )
            }
        })
        .collect()
}
