//! Writing new files for authors: `ismsbook init` (a new ISMS repository) and
//! `ismsbook new` (a document with a complete front matter). Neither ever overwrites
//! an existing file.

use crate::catalog::{Catalog, Theme};
use crate::document::{DocType, is_valid_id};
use crate::handbook::Handbook;
use crate::markdown::slugify;
use chrono::NaiveDate;
use std::path::Path;

pub struct NewDocument {
    pub doc_type: DocType,
    pub title: String,
    pub id: Option<String>,
    pub owner: Option<String>,
}

pub struct Created {
    pub path: String,
    pub id: String,
}

/// Words left out of generated ids.
const FILLER: [&str; 20] = [
    "a",
    "an",
    "and",
    "the",
    "of",
    "for",
    "to",
    "in",
    "on",
    "with",
    "at",
    "by",
    "policy",
    "procedure",
    "standard",
    "guideline",
    "plan",
    "record",
    "form",
    "&",
];

/// The id `ismsbook new` proposes: the type's prefix and the initials of the title's
/// significant words (`Access Control Policy` → `POL-AC`), numbered when taken.
pub fn propose_id(doc_type: DocType, title: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !FILLER.contains(&w.to_ascii_lowercase().as_str()))
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let abbreviation: String = match words.as_slice() {
        [] => String::new(),
        [only] => only.chars().take(4).collect(),
        many => many
            .iter()
            .filter_map(|w| w.chars().next())
            .take(5)
            .collect(),
    };
    let prefix = doc_type.id_prefix();
    let base = if abbreviation.is_empty() {
        format!("{prefix}-01")
    } else {
        format!("{prefix}-{abbreviation}")
    };
    if !taken(&base) && is_valid_id(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n:02}"))
        .find(|id| !taken(id) && is_valid_id(id))
        .expect("some number is free")
}

pub fn new_document(
    handbook: &Handbook,
    request: &NewDocument,
    today: NaiveDate,
) -> Result<Created, String> {
    let config = &handbook.config;
    let title = request.title.trim();
    if title.is_empty() {
        return Err("the title is empty".to_string());
    }
    let folder = config.folder_for(request.doc_type).ok_or_else(|| {
        format!(
            "book.toml has no folder for {} documents; add one to [build] folders, e.g. {} = \"{}\"",
            request.doc_type,
            request.doc_type.default_folder(),
            request.doc_type
        )
    })?;
    let owner = config.owner_role(request.owner.as_deref())?;
    let taken = |id: &str| handbook.by_id(id).is_some();
    let id = match &request.id {
        Some(id) if !is_valid_id(id) => {
            return Err(format!(
                "`{id}` is not a valid id: use upper-case parts joined by `-`, e.g. POL-AC"
            ));
        }
        Some(id) if taken(id) => {
            return Err(format!(
                "the id {id} is already used by {}",
                handbook.by_id(id).map_or("", |d| &d.path)
            ));
        }
        Some(id) => id.clone(),
        None => propose_id(request.doc_type, title, &taken),
    };
    let slug = slugify(title);
    let file_name = if slug.is_empty() {
        id.to_ascii_lowercase()
    } else {
        slug
    };
    let path = format!("{}/{file_name}.md", folder.path);
    let full = config.root.join(&path);
    if full.exists() {
        return Err(format!(
            "{path} already exists; choose another title or edit that file"
        ));
    }
    let text = document_text(&DocumentText {
        id: &id,
        title,
        doc_type: request.doc_type,
        owner: &owner,
        classification: &config.default_classification,
        controls: "[]",
        clauses: "[]",
        today,
    });
    write_new(&full, &text).map_err(|e| format!("cannot write {path}: {e}"))?;
    Ok(Created { path, id })
}

struct DocumentText<'a> {
    id: &'a str,
    title: &'a str,
    doc_type: DocType,
    owner: &'a str,
    classification: &'a str,
    controls: &'a str,
    clauses: &'a str,
    today: NaiveDate,
}

fn yaml_text(text: &str) -> String {
    // Quoted always: a title such as "Policy: Remote Work" or "2026" stays text.
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn document_text(d: &DocumentText<'_>) -> String {
    let front = format!(
        "---\n\
         id: {id}\n\
         title: {title}\n\
         type: {doc_type}\n\
         version: \"0.1\"\n\
         status: draft\n\
         owner: {owner}\n\
         approvers: [{owner}]\n\
         classification: {classification}\n\
         controls: {controls}\n\
         clauses: {clauses}\n\
         related: []\n\
         change: \"First draft ({today})\"\n\
         ---\n",
        id = d.id,
        title = yaml_text(d.title),
        doc_type = d.doc_type,
        owner = d.owner,
        classification = d.classification,
        controls = d.controls,
        clauses = d.clauses,
        today = d.today,
    );
    let body = match d.doc_type {
        DocType::Policy => POLICY_BODY,
        DocType::Procedure => PROCEDURE_BODY,
        _ => GENERIC_BODY,
    };
    format!("{front}\n# {}\n\n{body}", d.title)
}

const POLICY_BODY: &str = "## Purpose\n\nWhy this policy exists and which risks it addresses.\n\n\
## Scope\n\nThe people, information, systems and locations it covers.\n\n\
## Policy statements\n\n1. The first rule, written so that compliance can be checked.\n\n\
## Roles and responsibilities\n\n- **Owner**: keeps the policy current and reviews it at least once a year.\n\n\
## Compliance and exceptions\n\nHow compliance is monitored, how exceptions are requested and approved, and the consequences of a breach.\n\n\
## References\n\n- Related policies and procedures, as relative links.\n";

const PROCEDURE_BODY: &str = "## Purpose\n\nWhat this procedure achieves.\n\n\
## Scope\n\nWhen it applies and to whom.\n\n\
## Roles and responsibilities\n\n- **Owner**: keeps the procedure current.\n\n\
## Procedure\n\n1. The first step: who does what, with which tool.\n2. The next step.\n\n\
## Records\n\nThe records this procedure produces, where they are kept and for how long.\n\n\
## References\n\n- The policy this procedure implements, as a relative link.\n";

const GENERIC_BODY: &str = "## Purpose\n\nWhat this document is for.\n\n## Content\n\nThe content.\n\n## References\n\n- Related documents, as relative links.\n";

/// Creates a file that must not exist yet (never overwrites).
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// The SoA of a new repository: every Annex A control, undecided, grouped by theme.
pub fn soa_template(catalog: &Catalog) -> String {
    let mut out = String::from(
        "# Statement of Applicability (ISO/IEC 27001:2022, 6.1.3 d).\n\
         # For every Annex A control: applicable (true or false), status (implemented,\n\
         # partial, planned, not-implemented), justification (why it is included or\n\
         # excluded: name the risks, laws or contracts), owner (a role of book.toml) and\n\
         # risks (risk register references). An empty `applicable` is undecided.\n\
         controls:\n",
    );
    let mut theme: Option<Theme> = None;
    for control in catalog.annex_a() {
        if theme != Some(control.theme) {
            theme = Some(control.theme);
            out.push_str(&format!("\n  # {}\n", control.theme.label()));
        }
        out.push_str(&format!(
            "  A.{id}: # {title}\n    applicable:\n    status:\n    justification:\n",
            id = control.id,
            title = control.title
        ));
    }
    out
}

fn book_toml(organization: &str) -> String {
    format!(
        "# ismsbook configuration; every key is described in docs/configuration.md.\n\
         [book]\n\
         title = {title}\n\
         organization = {organization}\n\
         language = \"en\"\n\
         \n\
         [build]\n\
         build-dir = \"book\"\n\
         \n\
         [build.folders]\n\
         policies = \"policy\"\n\
         procedures = \"procedure\"\n\
         \n\
         [documents]\n\
         review-months = 12\n\
         classifications = [\"public\", \"internal\", \"confidential\", \"restricted\"]\n\
         default-classification = \"internal\"\n\
         \n\
         [controls]\n\
         soa = \"soa.yaml\"\n\
         \n\
         [roles.CEO]\n\
         name = \"Chief Executive Officer\"\n\
         \n\
         [roles.CISO]\n\
         name = \"Chief Information Security Officer\"\n",
        title = toml_string(&format!("{organization} ISMS Handbook")),
        organization = toml_string(organization),
    )
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Creates a new ISMS repository in `dir`. Returns the files written.
pub fn init(
    dir: &Path,
    organization: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<String>, String> {
    let organization = organization
        .map(str::to_string)
        .or_else(|| {
            std::path::absolute(dir)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        })
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| "Example Ltd".to_string());
    let catalog = Catalog::iso27001_2022();
    let policy = document_text(&DocumentText {
        id: "POL-ISP",
        title: "Information Security Policy",
        doc_type: DocType::Policy,
        owner: "CISO",
        classification: "internal",
        controls: "[\"5.1\"]",
        clauses: "[\"5.2\"]",
        today,
    })
    .replace("approvers: [CISO]", "approvers: [CEO]");
    let procedure = document_text(&DocumentText {
        id: "PRC-DC",
        title: "Document Control Procedure",
        doc_type: DocType::Procedure,
        owner: "CISO",
        classification: "internal",
        controls: "[\"5.37\"]",
        clauses: "[\"7.5.1\", \"7.5.2\", \"7.5.3\"]",
        today,
    });
    let files: Vec<(&str, String)> = vec![
        ("book.toml", book_toml(&organization)),
        ("soa.yaml", soa_template(&catalog)),
        ("policies/information-security-policy.md", policy),
        ("procedures/document-control.md", procedure),
        (".gitignore", "/book/\n".to_string()),
    ];
    let existing: Vec<&str> = files
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| dir.join(name).exists() && *name != ".gitignore")
        .collect();
    if !existing.is_empty() {
        return Err(format!(
            "{} already holds {}; init writes new files only",
            dir.display(),
            existing.join(", ")
        ));
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        if path.exists() {
            continue; // an existing .gitignore is the user's
        }
        write_new(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(name.to_string());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposes_ids_from_initials() {
        let free = |_: &str| false;
        assert_eq!(
            propose_id(DocType::Policy, "Access Control Policy", &free),
            "POL-AC"
        );
        assert_eq!(
            propose_id(DocType::Procedure, "Backup and restore testing", &free),
            "PRC-BRT"
        );
        assert_eq!(
            propose_id(DocType::Policy, "Cryptography", &free),
            "POL-CRYP"
        );
        assert_eq!(propose_id(DocType::Form, "Über", &free), "FRM-BER");
        let taken = |id: &str| id == "POL-AC";
        assert_eq!(
            propose_id(DocType::Policy, "Access Control Policy", &taken),
            "POL-AC-02"
        );
    }
}
