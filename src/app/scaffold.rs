//! Writing new files for authors: `ismsbook init` (a new ISMS repository) and
//! `ismsbook new` (a document with a complete front matter). Neither ever overwrites
//! an existing file.

use super::{Context, Error};
use crate::model::catalog::{Catalog, Theme};
use crate::model::handbook::Handbook;
use crate::model::kinds::{DocType, is_valid_id};
use crate::model::markdown::slugify;
use chrono::NaiveDate;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct NewDocument {
    pub doc_type: DocType,
    pub title: String,
    pub id: Option<String>,
    pub owner: Option<String>,
}

pub struct Created {
    pub path: String,
    pub id: String,
    /// The `[build.folders]` line added to book.toml for a type that had no folder.
    pub added_folder: Option<String>,
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
) -> Result<Created, Error> {
    let config = &handbook.config;
    let title = request.title.trim();
    if title.is_empty() {
        return Err(Error::usage("the title is empty"));
    }
    let (folder, added_folder) = match config.folder_for(request.doc_type) {
        Some(folder) => (folder.path.clone(), None),
        None => add_folder(&config.root, request.doc_type)?,
    };
    let owner = config
        .owner_role(request.owner.as_deref())
        .map_err(|e| Error::usage(e.to_string()))?;
    let id = new_id(handbook, request, title)?;
    let slug = slugify(title);
    let file_name = if slug.is_empty() {
        id.to_ascii_lowercase()
    } else {
        slug
    };
    let path = format!("{folder}/{file_name}.md");
    let full = config.root.join(&path);
    if full.exists() {
        return Err(Error::usage(format!(
            "{path} already exists; choose another title or edit that file"
        )));
    }
    let change = format!("First draft ({today})");
    let text = document_text(
        &NewFrontMatter {
            id: &id,
            title,
            doc_type: request.doc_type,
            version: "0.1",
            owner: &owner,
            approvers: &[owner.as_str()],
            classification: &config.default_classification,
            controls: &[],
            clauses: &[],
            change: &change,
            extra: None,
        },
        &body_of(request.doc_type),
    );
    write_new(&full, &text).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    Ok(Created {
        path,
        id,
        added_folder,
    })
}

/// Adds the folder of a document type to book.toml's `[build.folders]` (the line goes
/// right below the table's header, the rest of the file is kept as it is). Returns the
/// folder and the line added.
fn add_folder(root: &Path, doc_type: DocType) -> Result<(String, Option<String>), Error> {
    let folder = doc_type.default_folder();
    let line = format!("{folder} = \"{doc_type}\"");
    let path = root.join(crate::model::config::FILE_NAME);
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Write {
        path: path.display().to_string(),
        source,
    })?;
    let Some(header) = text.lines().position(|l| l.trim() == "[build.folders]") else {
        return Err(Error::usage(format!(
            "book.toml has no folder for {doc_type} documents; add `{line}` to its [build] folders"
        )));
    };
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(header + 1, &line);
    let updated = format!("{}\n", lines.join("\n"));
    // Only a file that still reads as a configuration replaces the old one.
    crate::model::config::Config::parse(root, &updated).map_err(|_| {
        Error::usage(format!(
            "book.toml has no folder for {doc_type} documents; add `{line}` to its [build] folders"
        ))
    })?;
    let tmp = path.with_extension("toml.ismsbook-new");
    std::fs::write(&tmp, updated)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|source| Error::Write {
            path: path.display().to_string(),
            source,
        })?;
    Ok((folder.to_string(), Some(line)))
}

/// The id asked for (valid and free), or the next free one for the title.
fn new_id(handbook: &Handbook, request: &NewDocument, title: &str) -> Result<String, Error> {
    let taken = |id: &str| handbook.by_id(id).is_some();
    match &request.id {
        Some(id) if !is_valid_id(id) => Err(Error::usage(format!(
            "`{id}` is not a valid id: use upper-case parts joined by `-`, e.g. POL-AC"
        ))),
        Some(id) if taken(id) => Err(Error::usage(format!(
            "the id {id} is already used by {}",
            handbook.by_id(id).map_or("", |d| &d.path)
        ))),
        Some(id) => Ok(id.clone()),
        None => Ok(propose_id(request.doc_type, title, &taken)),
    }
}

/// A new document's front matter, written the way the README teaches it: one key per
/// line, text in double quotes, lists in brackets. Values are written as JSON, which
/// is YAML's flow style, so any text (quotes, colons, line breaks) stays exactly what
/// it was; ids and role names, which are plain words by their rules, stay unquoted.
pub struct NewFrontMatter<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub doc_type: DocType,
    pub version: &'a str,
    pub owner: &'a str,
    pub approvers: &'a [&'a str],
    pub classification: &'a str,
    pub controls: &'a [String],
    pub clauses: &'a [String],
    pub change: &'a str,
    /// Free-form data kept under `extra:` (a JSON object).
    pub extra: Option<serde_json::Value>,
}

impl NewFrontMatter<'_> {
    pub fn to_yaml(&self) -> String {
        let text = |t: &str| serde_json::to_string(t).unwrap_or_default();
        let word = |w: &str| {
            if is_plain_word(w) {
                w.to_string()
            } else {
                text(w)
            }
        };
        let words = |items: &[&str]| {
            let items: Vec<String> = items.iter().map(|w| word(w)).collect();
            format!("[{}]", items.join(", "))
        };
        let texts = |items: &[String]| serde_json::to_string(items).unwrap_or_default();
        let mut out = String::from("---\n");
        out.push_str(&format!("id: {}\n", word(self.id)));
        out.push_str(&format!("title: {}\n", text(self.title)));
        out.push_str(&format!("type: {}\n", self.doc_type));
        out.push_str(&format!("version: {}\n", text(self.version)));
        out.push_str("status: draft\n");
        out.push_str(&format!("owner: {}\n", word(self.owner)));
        out.push_str(&format!("approvers: {}\n", words(self.approvers)));
        out.push_str(&format!("classification: {}\n", word(self.classification)));
        out.push_str(&format!("controls: {}\n", texts(self.controls)));
        out.push_str(&format!("clauses: {}\n", texts(self.clauses)));
        out.push_str("related: []\n");
        out.push_str(&format!("change: {}\n", text(self.change)));
        if let Some(serde_json::Value::Object(extra)) = &self.extra {
            out.push_str("extra:\n");
            for (key, value) in extra {
                out.push_str(&format!("  {}: {value}\n", word(key)));
            }
        }
        out.push_str("---\n");
        out
    }
}

/// A word YAML reads as the same text without quotes: letters, digits, `-`, `_`,
/// starting with a letter, and not one of YAML's words for true, false or nothing.
fn is_plain_word(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !matches!(
            word.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
}

/// A new document: its front matter, its title as a heading, and `body`.
pub fn document_text(front: &NewFrontMatter<'_>, body: &str) -> String {
    format!("{}\n# {}\n\n{body}", front.to_yaml(), front.title)
}

/// The outline a new document of a type starts with.
fn body_of(doc_type: DocType) -> String {
    match doc_type {
        DocType::Policy => POLICY_BODY,
        DocType::Procedure => PROCEDURE_BODY,
        _ => GENERIC_BODY,
    }
    .to_string()
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
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// The risk register of a new repository: its document control and an example risk
/// left in a comment, so nothing is rated before the assessment.
pub const RISKS_TEMPLATE: &str = "\
# Risk register (ISO/IEC 27001:2022, 6.1.2, 6.1.3, 8.2). Each risk: title, owner (a
# role), assets, threat, likelihood and impact (labels of book.toml [risks], or 1 to
# 5), treatment (mitigate, accept, transfer, avoid), controls, residual_likelihood and
# residual_impact; what remains above the appetite is accepted by the owner with
# accepted_by and accepted_on. The register is a controlled document itself.
version: \"0.1\"
status: draft
owner: CISO
approvers: [CEO]
change: \"First draft\"
risks:
  # R-01:
  #   title: Customer data disclosed
  #   owner: CISO
  #   assets: [customer database]
  #   threat: External attacker
  #   likelihood: possible
  #   impact: major
  #   treatment: mitigate
  #   controls: [\"5.15\", \"8.5\"]
  #   residual_likelihood: unlikely
  #   residual_impact: moderate
";

/// The SoA of a new repository: every Annex A control, undecided, grouped by theme.
pub fn soa_template(catalog: &Catalog) -> String {
    let mut out = String::from(
        "# Statement of Applicability (ISO/IEC 27001:2022, 6.1.3 d).\n\
         # For every Annex A control: applicable (true or false), status (implemented,\n\
         # partial, planned, not-implemented), justification (why it is included or\n\
         # excluded), owner (a role of book.toml), and what calls for it: risks (ids of\n\
         # risks.yaml) or a basis (legal, contract, business, best-practice). An empty\n\
         # `applicable` is undecided.\n\
         # The SoA is a controlled document itself: its version, owner and approval.\n\
         version: \"0.1\"\n\
         status: draft\n\
         owner: CISO\n\
         approvers: [CEO]\n\
         change: \"First draft\"\n\
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

/// What `init` made.
pub struct Initialized {
    /// The files written.
    pub files: Vec<String>,
    /// True when `init` created the git repository too (there was none).
    pub git: bool,
}

/// Creates a new ISMS repository in `dir`, and a git repository around it when it is
/// in none.
/// With `empty`, the folders of the documents are made empty: for a policy set that
/// is imported, so no starter document stands beside the real one.
pub fn init(
    dir: &Path,
    organization: Option<&str>,
    empty: bool,
    today: NaiveDate,
) -> Result<Initialized, Error> {
    let organization = organization
        .map(str::to_string)
        .or_else(|| {
            std::path::absolute(dir)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        })
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| "Example Ltd".to_string());
    let mut files = starter_files(&organization, today);
    if empty {
        files.retain(|(name, _)| !name.ends_with(".md"));
        for folder in ["policies", "procedures"] {
            let path = dir.join(folder);
            std::fs::create_dir_all(&path).map_err(|source| Error::Write {
                path: path.display().to_string(),
                source,
            })?;
        }
    }
    let existing: Vec<&str> = files
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| dir.join(name).exists() && *name != ".gitignore")
        .collect();
    if !existing.is_empty() {
        return Err(Error::usage(format!(
            "{} already holds {}; init writes new files only",
            dir.display(),
            existing.join(", ")
        )));
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        if path.exists() {
            continue; // an existing .gitignore is the user's
        }
        write_new(&path, &text).map_err(|source| Error::Write {
            path: path.display().to_string(),
            source,
        })?;
        written.push(name.to_string());
    }
    // History starts with the first commit: a repository for it, unless the folder
    // already is in one.
    let git = git2::Repository::discover(dir).is_err();
    if git {
        git2::Repository::init(dir).map_err(|e| {
            Error::usage(format!(
                "the files are written, but git could not be set up in {}: {}",
                dir.display(),
                e.message()
            ))
        })?;
    }
    Ok(Initialized {
        files: written,
        git,
    })
}

/// The files of a new repository: book.toml, the SoA, two starter documents.
fn starter_files(organization: &str, today: NaiveDate) -> Vec<(&'static str, String)> {
    let change = format!("First draft ({today})");
    let policy = document_text(
        &NewFrontMatter {
            id: "POL-ISP",
            title: "Information Security Policy",
            doc_type: DocType::Policy,
            version: "0.1",
            owner: "CISO",
            approvers: &["CEO"],
            classification: "internal",
            controls: &["5.1".to_string()],
            clauses: &["5.2".to_string()],
            change: &change,
            extra: None,
        },
        POLICY_BODY,
    );
    let procedure = document_text(
        &NewFrontMatter {
            id: "PRC-DC",
            title: "Document Control Procedure",
            doc_type: DocType::Procedure,
            version: "0.1",
            owner: "CISO",
            approvers: &["CISO"],
            classification: "internal",
            controls: &["5.37".to_string()],
            clauses: &["7.5.1", "7.5.2", "7.5.3"].map(String::from),
            change: &change,
            extra: None,
        },
        PROCEDURE_BODY,
    );
    vec![
        ("book.toml", book_toml(organization)),
        ("soa.yaml", soa_template(&Catalog::iso27001_2022())),
        ("risks.yaml", RISKS_TEMPLATE.to_string()),
        ("policies/information-security-policy.md", policy),
        ("procedures/document-control.md", procedure),
        (".gitignore", "/book/\n/exports/\n".to_string()),
    ]
}

/// `ismsbook new`.
pub fn run_new(ctx: &Context, request: &NewDocument, out: &mut dyn Write) -> Result<(), Error> {
    let handbook = ctx.handbook()?;
    let created = new_document(&handbook, request, ctx.today)?;
    if let Some(line) = &created.added_folder {
        let _ = writeln!(out, "added `{line}` to [build.folders] in book.toml");
    }
    let _ = writeln!(out, "created {} ({})", created.path, created.id);
    Ok(())
}

/// `ismsbook init [DIR]`.
pub fn run_init(
    ctx: &Context,
    dir: Option<&Path>,
    organization: Option<&str>,
    empty: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let base = ctx.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let dir = match dir {
        Some(dir) => base.join(dir),
        None => base,
    };
    let made = init(&dir, organization, empty, ctx.today)?;
    for path in &made.files {
        let _ = writeln!(out, "created {path}");
    }
    if made.git {
        let _ = writeln!(
            out,
            "initialised a git repository in {}: commit these files to start their history",
            dir.display()
        );
    }
    let next = if empty {
        "\nNext: `ismsbook import <files or folders>` brings in the policies you have; `ismsbook check` then lists what to decide and write."
    } else {
        "\nNext: `ismsbook check` lists what to decide and write; start with the SoA and the information security policy."
    };
    let _ = writeln!(out, "{next}");
    Ok(())
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
