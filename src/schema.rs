//! The JSON Schema of the front matter, for editors that complete and validate YAML.
//! With a book.toml, the project's roles and classifications become enumerations.

use crate::catalog::Catalog;
use crate::config::{Config, DEFAULT_CLASSIFICATIONS};
use crate::document::{DocType, Status};
use serde_json::{Value, json};

pub fn front_matter(config: Option<&Config>) -> Value {
    let catalog = Catalog::iso27001_2022();
    let mut control_ids = Vec::new();
    let mut control_titles = Vec::new();
    for control in catalog.controls() {
        control_ids.push(json!(control.id));
        control_titles.push(json!(format!(
            "{} ({})",
            control.title,
            control.theme.label()
        )));
    }
    let clause_ids: Vec<Value> = catalog.clauses().iter().map(|c| json!(c.id)).collect();
    let clause_titles: Vec<Value> = catalog.clauses().iter().map(|c| json!(c.title)).collect();

    let role = match config {
        Some(config) if !config.roles.is_empty() => {
            let names: Vec<Value> = config.roles.keys().map(|k| json!(k)).collect();
            let titles: Vec<Value> = config.roles.values().map(|r| json!(r.name)).collect();
            json!({"type": "string", "enum": names, "enumDescriptions": titles})
        }
        _ => json!({"type": "string", "description": "a role defined in book.toml [roles]"}),
    };
    let classifications: Vec<Value> = match config {
        Some(config) => config.classifications.iter().map(|c| json!(c)).collect(),
        None => DEFAULT_CLASSIFICATIONS.iter().map(|c| json!(c)).collect(),
    };
    let date = json!({"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "format": "date"});
    let types: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();

    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://ismsbook.invalid/front-matter.schema.json",
        "title": "ismsbook document front matter",
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "title", "version", "owner"],
        "properties": {
            "id": {"type": "string", "pattern": "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$", "description": "Unique document id, e.g. POL-AC"},
            "title": {"type": "string", "minLength": 1},
            "type": {"enum": types, "description": "Default: from the document's folder"},
            "version": {"type": "string", "pattern": "^\\d+\\.\\d+$", "description": "MAJOR.MINOR, quoted: \"1.10\""},
            "status": {"enum": statuses, "default": "draft"},
            "owner": role,
            "approvers": {"type": "array", "items": role, "description": "Roles that may approve; default: the owner"},
            "approved_by": role,
            "approved_on": date,
            "effective": date,
            "reviewed_on": {"allOf": [date], "description": "Last review that confirmed the document without changes"},
            "review_months": {"type": "integer", "minimum": 1, "maximum": 120},
            "classification": {"enum": classifications},
            "controls": {
                "type": "array",
                "description": "Annex A controls implemented (\"5.15\" or \"A.5.15\")",
                "items": {"anyOf": [
                    {"enum": control_ids, "enumDescriptions": control_titles},
                    {"type": "string", "pattern": "^A\\.[5-8]\\.\\d{1,2}$"}
                ]}
            },
            "clauses": {
                "type": "array",
                "description": "ISO/IEC 27001 clauses addressed",
                "items": {"enum": clause_ids, "enumDescriptions": clause_titles}
            },
            "related": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"}},
            "change": {"type": "string", "description": "What this version changed"},
            "extra": {"type": "object", "description": "Free-form data for custom templates"}
        },
        "if": {"properties": {"status": {"const": "approved"}}, "required": ["status"]},
        "then": {"required": ["approved_by", "approved_on"]}
    })
}
