//! Reading a file of another tool: which format it is, and what of its header maps
//! onto ismsbook's front matter. Each file is detected on its own:
//!
//! - **comply** (strongdm/comply): a YAML header with `name`, `acronym`, `satisfies`
//!   or `majorRevisions`, then a `---` line, then the body;
//! - **front matter** of static-site generators (Hugo, Jekyll, MkDocs): a YAML block
//!   between `---` lines, or TOML between `+++` lines;
//! - **plain** Markdown, where the title is the first heading (of any level) or the
//!   file name;
//! - **templates** (`.md.tmpl`, `.md.j2`): any of the above, with `{{placeholders}}`.

use crate::model::catalog::{Catalog, ControlRef};
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;

/// The format a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Detect each file's format.
    Auto,
    /// strongdm/comply policies and procedures.
    Comply,
    /// Markdown with YAML or TOML front matter (Hugo, Jekyll, MkDocs).
    FrontMatter,
    /// Markdown without front matter.
    Plain,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Comply => "comply",
            Format::FrontMatter => "front matter",
            Format::Plain => "plain Markdown",
        }
    }
}

/// A document as read from another format, before its body is repaired.
#[derive(Debug, Default)]
pub struct Read {
    pub id: Option<String>,
    pub title: Option<String>,
    pub controls: Vec<String>,
    /// Fields kept under `extra`.
    pub extra: Map<String, Json>,
    /// What the revision note says of the past: dates, authors, comply's revisions.
    pub history: Vec<String>,
    pub body: String,
    /// Front-matter keys mapped, kept and dropped.
    pub mapped: Vec<String>,
    pub kept: Vec<String>,
    pub dropped: Vec<String>,
    pub notes: Vec<String>,
    /// comply's `majorRevisions`: (date, comment).
    pub revisions: Vec<(String, String)>,
    /// Fields ismsbook has its own place for, as the source wrote them; the caller
    /// maps them against book.toml (roles, classification levels), or keeps them.
    pub owner: Option<Written>,
    pub classification: Option<Written>,
    pub version: Option<Written>,
    pub status: Option<Written>,
}

/// A header field as written: its key, its value as text, and the value itself (kept
/// under `extra` when it cannot be mapped).
#[derive(Debug)]
pub struct Written {
    pub key: String,
    pub text: String,
    pub value: Json,
}

/// Reads `text` as `wanted`, or as the format it looks like.
pub fn read(text: &str, wanted: Format, catalog: &Catalog) -> (Format, Read) {
    let (header, body) = split(text);
    let format = match wanted {
        Format::Auto => match &header {
            Some(Header::Yaml(yaml)) if is_comply(yaml) => Format::Comply,
            Some(_) => Format::FrontMatter,
            None => Format::Plain,
        },
        other => other,
    };
    let mut read = Read {
        body: body.to_string(),
        ..Read::default()
    };
    let fields = match header {
        Some(Header::Yaml(yaml)) => match serde_yaml::from_str::<Json>(yaml) {
            Ok(Json::Object(map)) => map,
            Ok(_) => Map::new(),
            Err(e) => {
                read.notes
                    .push(format!("the header is not YAML ({e}): it was left out"));
                Map::new()
            }
        },
        Some(Header::Toml(toml_text)) => match toml::from_str::<Json>(toml_text) {
            Ok(Json::Object(map)) => map,
            Ok(_) => Map::new(),
            Err(e) => {
                read.notes.push(format!(
                    "the TOML header cannot be read ({e}): it was left out"
                ));
                Map::new()
            }
        },
        None => Map::new(),
    };
    map_fields(&mut read, fields, catalog);
    (format, read)
}

enum Header<'a> {
    Yaml(&'a str),
    Toml(&'a str),
}

/// The header and the body: `---` YAML `---`, `+++` TOML `+++`, or comply's YAML
/// that opens the file and ends at a `---` line.
fn split(text: &str) -> (Option<Header<'_>>, &str) {
    let fenced = |fence: &str| -> Option<(&str, &str)> {
        let rest = text.strip_prefix(fence)?.strip_prefix('\n')?;
        let close = format!("\n{fence}");
        if let Some(end) = rest.find(&format!("{close}\n")) {
            return Some((&rest[..end], &rest[end + close.len() + 1..]));
        }
        rest.strip_suffix(&close)
            .map(|header| (header, ""))
            .or_else(|| rest.strip_prefix(fence).map(|body| ("", body)))
    };
    if let Some((header, body)) = fenced("---") {
        return (Some(Header::Yaml(header)), body);
    }
    if let Some((header, body)) = fenced("+++") {
        return (Some(Header::Toml(header)), body);
    }
    // comply: `key: value` lines up to a `---` line.
    if let Some((header, body)) = text.split_once("\n---\n") {
        let first = header.lines().next().unwrap_or_default();
        let keyed = first.split_once(':').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if keyed && looks_like_comply(header) {
            return (Some(Header::Yaml(header)), body);
        }
    }
    (None, text)
}

/// comply's own keys: `acronym` or `majorRevisions` (others share `satisfies`).
fn is_comply(yaml: &str) -> bool {
    yaml.lines()
        .any(|l| l.starts_with("acronym:") || l.starts_with("majorRevisions:"))
}

/// A header before a `---` line that is comply's rather than text of the body.
fn looks_like_comply(yaml: &str) -> bool {
    yaml.lines().any(|l| {
        ["acronym:", "satisfies:", "majorRevisions:"]
            .iter()
            .any(|k| l.starts_with(k))
    })
}

/// Keys a static-site generator (or pandoc) uses for its own layout: nothing to keep.
const LAYOUT: &[&str] = &[
    "weight",
    "layout",
    "slug",
    "url",
    "aliases",
    "menu",
    "draft",
    "type",
    "toc",
    "sidebar",
    "nav_order",
    "permalink",
    "linkTitle",
    "hidden",
    "parent",
    "grand_parent",
    "has_children",
    "sitemap",
    "redirect_from",
    "header-includes",
    "geometry",
    "documentclass",
    "fontsize",
    "mainfont",
    "output",
    "pdf-engine",
    "template",
];

/// Maps the header's fields: what has a place in the front matter goes there, dates
/// and authors into the revision note, controls that name ISO/IEC 27001 into
/// `controls`, other frameworks' ids and everything else into `extra`.
fn map_fields(read: &mut Read, fields: Map<String, Json>, catalog: &Catalog) {
    for (key, value) in fields {
        let lower = key.to_ascii_lowercase();
        match lower.as_str() {
            "title" | "name" => {
                read.title = text_of(&value);
                read.mapped.push(key);
            }
            "id" | "acronym" | "doc_id" | "document_id" => {
                read.id = text_of(&value);
                read.mapped.push(key);
            }
            "description" | "summary" | "subtitle" => {
                read.extra.insert("description".to_string(), value);
                read.kept.push(key);
            }
            "date" | "last_updated" | "lastmod" | "updated" | "modified" | "last_modified"
            | "last_modified_at" => {
                if let Some(day) = text_of(&value) {
                    read.history.push(format!("{key} {day}"));
                }
                read.mapped.push(key);
            }
            "author" | "authors" => {
                let names = texts_of(&value);
                if !names.is_empty() {
                    read.history.push(format!("by {}", names.join(", ")));
                }
                read.mapped.push(key);
            }
            "owner" | "document_owner" => read.owner = written(key, value),
            "classification" | "confidentiality" => read.classification = written(key, value),
            "version" | "revision" => read.version = written(key, value),
            "status" => read.status = written(key, value),
            "satisfies" | "controls" | "tags" | "categories" | "iso27001" | "annex_a" => {
                controls(read, &key, &value, catalog);
            }
            "majorrevisions" => {
                read.revisions = revisions(&value);
                read.mapped.push(key);
            }
            _ if LAYOUT.iter().any(|l| l.eq_ignore_ascii_case(&key)) => read.dropped.push(key),
            _ => {
                read.extra.insert(key.clone(), value);
                read.kept.push(key);
            }
        }
    }
}

/// `satisfies: {FRAMEWORK: [ids]}`, or a list of ids or tags: ISO/IEC 27001 ids
/// (2013 or 2022) become controls; other frameworks' ids are kept.
fn controls(read: &mut Read, key: &str, value: &Json, catalog: &Catalog) {
    let mut named: Vec<(Option<String>, String)> = Vec::new();
    match value {
        Json::Object(frameworks) => {
            for (framework, ids) in frameworks {
                named.extend(
                    texts_of(ids)
                        .into_iter()
                        .map(|id| (Some(framework.clone()), id)),
                );
            }
        }
        other => named.extend(texts_of(other).into_iter().map(|id| (None, id))),
    }
    let mut found = Vec::new();
    let mut others = Vec::new();
    for (framework, id) in named {
        // `iso27001:A.5.15`: the framework written before the id.
        let (framework, id) = match (framework, id.rsplit_once(':')) {
            (None, Some((f, i))) if !f.trim().is_empty() => {
                (Some(f.trim().to_string()), i.trim().to_string())
            }
            (framework, _) => (framework, id),
        };
        let iso = framework.as_deref().is_none_or(|f| {
            let f = f.to_ascii_uppercase();
            f.contains("27001") || f.contains("27002") || f == "ISO" || f.starts_with("ISO")
        });
        let resolved = if iso {
            catalog.resolve(&id)
        } else {
            ControlRef::Unknown
        };
        match resolved {
            ControlRef::Known(control) => found.push(control.id.clone()),
            ControlRef::Legacy(new) => {
                let ids: Vec<&str> = new.iter().map(|c| c.id.as_str()).collect();
                read.notes
                    .push(format!("{id} is a 2013 id: mapped to {}", ids.join(", ")));
                found.extend(ids.iter().map(|s| s.to_string()));
            }
            ControlRef::Unknown => others.push(match framework {
                Some(f) => format!("{f} {id}"),
                None => id,
            }),
        }
    }
    let mut seen: BTreeSet<String> = read.controls.iter().cloned().collect();
    for control in found {
        if seen.insert(control.clone()) {
            read.controls.push(control);
        }
    }
    if !read.controls.is_empty() {
        read.mapped.push(format!("{key} → controls"));
    }
    if !others.is_empty() {
        let lower = key.to_ascii_lowercase();
        if lower == "tags" || lower == "categories" {
            read.extra.insert(key.to_string(), value.clone());
        } else {
            read.notes.push(format!(
                "not ISO/IEC 27001 controls, kept under extra.{key}: {}",
                others.join(", ")
            ));
            read.extra.insert(
                key.to_string(),
                Json::Array(others.into_iter().map(Json::String).collect()),
            );
        }
        read.kept.push(key.to_string());
    }
}

fn written(key: String, value: Json) -> Option<Written> {
    let text = text_of(&value).unwrap_or_default();
    Some(Written { key, text, value })
}

fn revisions(value: &Json) -> Vec<(String, String)> {
    let Json::Array(items) = value else {
        return Vec::new();
    };
    items
        .iter()
        .map(|r| {
            let field = |k: &str| r.get(k).and_then(text_of).unwrap_or_default();
            (field("date"), field("comment"))
        })
        .collect()
}

fn text_of(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn texts_of(value: &Json) -> Vec<String> {
    match value {
        Json::Array(items) => items.iter().filter_map(text_of).collect(),
        Json::Object(map) => map.values().flat_map(texts_of).collect(),
        other => text_of(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_told_apart() {
        let catalog = Catalog::iso27001_2022();
        let (format, read) = super::read(
            "---\ntitle: Access Policy\nweight: 3\nlast_updated: 2024-01-02\nsatisfies:\n  ISO27001: [A.9.1.1, A.5.15]\n  SOC2: [CC6.1]\n---\nBody\n",
            Format::Auto,
            &catalog,
        );
        assert_eq!(format, Format::FrontMatter);
        assert_eq!(read.title.as_deref(), Some("Access Policy"));
        assert_eq!(read.body, "Body\n");
        assert!(
            read.controls.contains(&"5.15".to_string()),
            "{:?}",
            read.controls
        );
        assert_eq!(read.dropped, ["weight"]);
        assert!(read.extra.contains_key("satisfies"));

        let (format, read) = read_comply();
        assert_eq!(format, Format::Comply);
        assert_eq!(read.id.as_deref(), Some("AOTP"));
        assert_eq!(read.revisions.len(), 1);

        let (format, read) =
            super::read("+++\ntitle = \"BCP\"\n+++\n# x\n", Format::Auto, &catalog);
        assert_eq!(format, Format::FrontMatter);
        assert_eq!(read.title.as_deref(), Some("BCP"));

        let (format, _) = super::read("# Title\n\n---\n\nText\n", Format::Auto, &catalog);
        assert_eq!(format, Format::Plain);
    }

    fn read_comply() -> (Format, Read) {
        super::read(
            "name: Access Onboarding and Termination Policy\nacronym: AOTP\nsatisfies:\n  TSC:\n    - CC6.1\nmajorRevisions:\n  - date: Jun 1 2018\n    comment: Initial document\n---\n\n# Purpose\n",
            Format::Auto,
            &Catalog::iso27001_2022(),
        )
    }
}
