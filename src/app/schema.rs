//! The JSON Schema of the front matter, for editors that complete and validate YAML.
//! With a book.toml, the project's roles and classifications become enumerations.

use super::{Context, Error};
use crate::diagnostic::Code;
use crate::model::catalog::Catalog;
use crate::model::config::{Config, DEFAULT_CLASSIFICATIONS, EVERYONE};
use crate::model::kinds::{DocType, Status};
use serde_json::{Value, json};
use std::io::Write;

/// `ismsbook schema`: the schema of the repository around the current folder (its
/// roles, classifications and project catalogs), or the generic one outside any.
pub fn run(ctx: &Context, out: &mut dyn Write) -> Result<(), Error> {
    let schema = match ctx.root() {
        Ok(root) => {
            let config = Config::load(&root).map_err(|e| Error::Config(root.clone(), e))?;
            let catalog = Catalog::load(&config).map_err(|e| Error::Config(root, e))?;
            front_matter(Some(&config), &catalog)
        }
        Err(_) => front_matter(None, &Catalog::iso27001_2022()),
    };
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    );
    Ok(())
}

/// The schema; with a configuration, its roles and classifications are enumerated and
/// the controls are those of `catalog` (the built-in one and the project's).
pub fn front_matter(config: Option<&Config>, catalog: &Catalog) -> Value {
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
    let audience = audience(config);
    let types: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
    let configurable: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| c.is_configurable())
        .map(|c| c.as_str())
        .collect();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();

    let mut schema = json!({
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
    });
    // Keys beyond the first ones, added apart (one json! of them all is too deep).
    let more = json!({
            "language": {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", "description": "The document's language (BCP 47) when not the handbook's"},
            "retention": {"type": "string", "pattern": "^([1-9][0-9]*[ymd]|until-superseded|permanent)$", "description": "How long a record is kept: 3y, 18m, 90d, until-superseded, permanent"},
            "origin": {"enum": ["internal", "external"], "default": "internal", "description": "external: a law, contract, standard or supplier's document"},
            "source": {"type": "string", "description": "Where an external document comes from"},
            "source_version": {"type": "string", "description": "The version or edition of an external document"},
            "source_date": date,
            "audience": {"type": "array", "description": "Who must read and acknowledge the document: roles and groups of book.toml", "items": audience},
            "waivers": {
                "type": "array",
                "description": "Accepted exceptions to checks of this document, each with a reason and an end",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["code", "reason", "until"],
                    "properties": {
                        "code": {"enum": configurable, "description": "The diagnostic code waived"},
                        "reason": {"type": "string", "minLength": 1},
                        "until": date
                    }
                }
            },
    });
    if let (Some(properties), Value::Object(more)) = (schema["properties"].as_object_mut(), more) {
        properties.extend(more);
    }
    schema
}

/// The names an `audience` may take: `everyone`, the roles and the groups.
fn audience(config: Option<&Config>) -> Value {
    match config {
        Some(config) => {
            let mut names: Vec<Value> = vec![json!(EVERYONE)];
            let mut titles: Vec<Value> = vec![json!("every person on the roster")];
            for (key, role) in &config.roles {
                names.push(json!(key));
                titles.push(json!(role.name));
            }
            for (key, group) in &config.groups {
                names.push(json!(key));
                titles.push(json!(group.name));
            }
            json!({"enum": names, "enumDescriptions": titles})
        }
        None => json!({"type": "string"}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::KEYS;

    #[test]
    fn the_schema_has_exactly_the_front_matter_keys() {
        let schema = front_matter(None, &Catalog::iso27001_2022());
        let mut properties: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = KEYS.to_vec();
        properties.sort_unstable();
        keys.sort_unstable();
        assert_eq!(properties, keys);
    }
}
