//! `ismsbook import`: an existing policy set turned into ismsbook documents, as new
//! files only. Imported documents start as drafts: they enter document control when
//! they are reviewed and approved here.
//!
//! - `comply` (strongdm/comply): a YAML header (`name`, `acronym`, `satisfies`,
//!   `majorRevisions`), a `---` line, then the body.
//! - `plain`: Markdown without front matter; the title is the first heading.

use super::scaffold::{NewFrontMatter, propose_id};
use super::{Context, Error};
use crate::model::catalog::{Catalog, ControlRef};
use crate::model::handbook::Handbook;
use crate::model::kinds::{DocType, is_valid_id};
use crate::model::source::is_document_file;
use crate::text::decode;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum From {
    /// strongdm/comply policies and procedures.
    Comply,
    /// Markdown without front matter.
    Plain,
}

/// What happened to one source file.
#[derive(Debug)]
pub struct Imported {
    pub source: String,
    /// The new document, or `None` when nothing was written.
    pub path: Option<String>,
    pub id: Option<String>,
    /// What could not be mapped, or why the file was skipped.
    pub notes: Vec<String>,
}

pub struct Request<'a> {
    pub dir: &'a Path,
    pub from: From,
    pub doc_type: DocType,
    pub owner: Option<&'a str>,
}

/// Imports every Markdown file of `request.dir` (not recursively; README files are
/// skipped) into the folder of `request.doc_type`.
pub fn import(handbook: &Handbook, request: &Request<'_>) -> Result<Vec<Imported>, Error> {
    let config = &handbook.config;
    let folder = config.folder_for(request.doc_type).ok_or_else(|| {
        Error::usage(format!(
            "book.toml has no folder for {} documents; add one to [build] folders",
            request.doc_type
        ))
    })?;
    let owner = config
        .owner_role(request.owner)
        .map_err(|e| Error::usage(e.to_string()))?;
    let mut entries: Vec<_> = std::fs::read_dir(request.dir)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", request.dir.display())))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && is_document_file(&p.file_name().unwrap_or_default().to_string_lossy())
        })
        .collect();
    entries.sort();
    let mut taken: BTreeSet<String> = handbook.ids().map(str::to_string).collect();
    let mut results = Vec::new();
    for path in entries {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let source = path.display().to_string();
        let text = match std::fs::read(&path).map(|b| decode(&b)) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                results.push(Imported {
                    source,
                    path: None,
                    id: None,
                    notes: vec!["not UTF-8: skipped".to_string()],
                });
                continue;
            }
            Err(e) => {
                results.push(Imported {
                    source,
                    path: None,
                    id: None,
                    notes: vec![format!("cannot read: {e}")],
                });
                continue;
            }
        };
        let mut converted = match request.from {
            From::Comply => comply(&text, &handbook.catalog),
            From::Plain => plain(&text, &name),
        };
        let id = match converted
            .id
            .take()
            .filter(|id| is_valid_id(id) && !taken.contains(id))
        {
            Some(id) => id,
            None => propose_id(request.doc_type, &converted.title, &|id| taken.contains(id)),
        };
        taken.insert(id.clone());
        let target = format!(
            "{}/{}",
            folder.path,
            name.to_ascii_lowercase().replace(' ', "-")
        );
        let document = render(
            &id,
            &converted,
            request.doc_type,
            &owner,
            &config.default_classification,
        );
        let full = config.root.join(&target);
        let written =
            std::fs::create_dir_all(full.parent().unwrap_or(&config.root)).and_then(|()| {
                use std::io::Write;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&full)?
                    .write_all(document.as_bytes())
            });
        match written {
            Ok(()) => results.push(Imported {
                source,
                path: Some(target),
                id: Some(id),
                notes: converted.notes,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => results.push(Imported {
                source,
                path: None,
                id: None,
                notes: vec![format!("{target} exists: not overwritten")],
            }),
            Err(e) => results.push(Imported {
                source,
                path: None,
                id: None,
                notes: vec![format!("cannot write {target}: {e}")],
            }),
        }
    }
    Ok(results)
}

/// A document as read from another format.
struct Converted {
    id: Option<String>,
    title: String,
    version: String,
    controls: Vec<String>,
    change: String,
    extra: Option<serde_json::Value>,
    body: String,
    notes: Vec<String>,
}

fn comply(text: &str, catalog: &Catalog) -> Converted {
    let (header, body) = match text.split_once("\n---\n") {
        Some((header, body)) => (header.trim_start_matches("---\n"), body),
        None => ("", text),
    };
    let mut notes = Vec::new();
    let yaml: Value = serde_yaml::from_str(header).unwrap_or_else(|e| {
        notes.push(format!("header is not YAML ({e}): imported as plain text"));
        Value::Null
    });
    let text_field = |key: &str| {
        yaml.get(key)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string())
    };
    let title = text_field("name").unwrap_or_else(|| {
        notes.push("no `name`: the title is the first heading".to_string());
        first_heading(body).unwrap_or_else(|| "Imported document".to_string())
    });
    let id = text_field("acronym").map(|a| {
        let clean: String = a
            .to_ascii_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        format!("POL-{clean}")
    });
    // satisfies: {FRAMEWORK: [ids]}: ISO/IEC 27001 ids become controls; the rest is kept.
    let mut controls = Vec::new();
    let mut kept = Vec::new();
    if let Some(Value::Mapping(satisfies)) = yaml.get("satisfies") {
        for (framework, ids) in satisfies {
            let framework = framework.as_str().unwrap_or("?").to_string();
            for id in ids
                .as_sequence()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                match catalog.resolve(id) {
                    ControlRef::Known(control) => controls.push(control.id.clone()),
                    ControlRef::Legacy(new) => {
                        notes.push(format!(
                            "satisfies {framework} {id}: a 2013 id, mapped to {}",
                            new.iter()
                                .map(|c| c.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        controls.extend(new.iter().map(|c| c.id.clone()));
                    }
                    ControlRef::Unknown => kept.push(format!("{framework} {id}")),
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    controls.retain(|c| seen.insert(c.clone()));
    if !kept.is_empty() {
        notes.push(format!("not mapped to a control: {} (kept under extra.satisfies; add a catalog to reference them in controls)", kept.join(", ")));
    }
    // majorRevisions: the history before ismsbook, kept as a section of the body.
    let revisions: Vec<(String, String)> = yaml
        .get("majorRevisions")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|r| {
            let field = |k: &str| {
                r.get(k).map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                })
            };
            (
                field("date").unwrap_or_default(),
                field("comment").unwrap_or_default(),
            )
        })
        .collect();
    let mut body = body.trim_start_matches('\n').to_string();
    if !revisions.is_empty() {
        body.push_str("\n\n## Revision history before ismsbook\n\n| Date | Change |\n|---|---|\n");
        for (date, comment) in &revisions {
            body.push_str(&format!(
                "| {} | {} |\n",
                date.replace('|', "\\|"),
                comment.replace('|', "\\|")
            ));
        }
    }
    for key in yaml
        .as_mapping()
        .into_iter()
        .flat_map(|m| m.keys())
        .filter_map(Value::as_str)
    {
        if !["name", "acronym", "satisfies", "majorRevisions"].contains(&key) {
            notes.push(format!("field `{key}` not mapped"));
        }
    }
    let change = revisions
        .last()
        .map(|(_, c)| c.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "Imported".to_string());
    Converted {
        id,
        title,
        version: format!("{}.0", revisions.len().max(1)),
        controls,
        change: format!("Imported from comply: {change}"),
        extra: (!kept.is_empty()).then(|| serde_json::json!({ "satisfies": kept })),
        body,
        notes,
    }
}

fn plain(text: &str, file_name: &str) -> Converted {
    let mut notes = Vec::new();
    let title = first_heading(text).unwrap_or_else(|| {
        notes.push("no heading: the title is the file name".to_string());
        file_name
            .trim_end_matches(".md")
            .trim_end_matches(".markdown")
            .replace(['-', '_'], " ")
    });
    Converted {
        id: None,
        title,
        version: "0.1".to_string(),
        controls: Vec::new(),
        change: "Imported".to_string(),
        extra: None,
        body: text.to_string(),
        notes,
    }
}

fn first_heading(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn render(id: &str, c: &Converted, doc_type: DocType, owner: &str, classification: &str) -> String {
    let front = NewFrontMatter {
        id,
        title: &c.title,
        doc_type,
        version: &c.version,
        owner,
        approvers: &[owner],
        classification,
        controls: &c.controls,
        clauses: &[],
        change: &c.change,
        extra: c.extra.clone(),
    };
    format!("{}\n{}", front.to_yaml(), c.body.trim_start_matches('\n'))
}

/// `ismsbook import`: prints what was imported, and what could not be mapped.
pub fn run(ctx: &Context, request: &Request<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let handbook = ctx.handbook()?;
    let results = import(&handbook, request)?;
    for r in &results {
        match (&r.path, &r.id) {
            (Some(path), Some(id)) => {
                let _ = writeln!(out, "imported {path} ({id}) from {}", r.source);
            }
            _ => {
                let _ = writeln!(out, "skipped {}", r.source);
            }
        }
        for note in &r.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    let imported = results.iter().filter(|r| r.path.is_some()).count();
    let _ = writeln!(
        out,
        "import: {imported} of {} files imported as drafts; review them, then approve them with a version and `change`",
        results.len()
    );
    Ok(())
}
