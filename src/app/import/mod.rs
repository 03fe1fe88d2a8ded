//! `ismsbook import`: the policy sets people already have (a Hugo or Jekyll site, a
//! strongdm/comply repository, templates with placeholders, plain Markdown) turned
//! into ismsbook documents, as new files only. Each file's format is detected on its
//! own (`formats`), its body repaired where CommonMark would read it otherwise
//! (`body`), its name taken from the source and its links rebased (`links`).
//! Imported documents start as drafts: they enter document control when they are
//! reviewed and approved here.

mod body;
mod formats;
mod links;

pub use formats::Format;

use super::scaffold::{NewFrontMatter, propose_id};
use super::{Context, Error, Outcome};
use crate::model::catalog::{Catalog, ControlRef};
use crate::model::handbook::Handbook;
use crate::model::kinds::{DocType, is_valid_id};
use crate::model::markdown;
use crate::text::decode;
use formats::Written;
use links::{Moves, normal, target_name};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What to import, and how.
pub struct Request<'a> {
    /// Files and folders (searched recursively).
    pub paths: &'a [PathBuf],
    pub from: Format,
    /// The type of every document; without it, each one's from its folders'
    /// names (`policies/`, `procedures/`, `standards/` …), else policy.
    pub doc_type: Option<DocType>,
    pub owner: Option<&'a str>,
    /// Add the controls the body mentions to `controls` (else they are proposed).
    pub controls_from_body: bool,
}

/// What happened to one source file.
#[derive(Debug, Default)]
pub struct Imported {
    pub source: String,
    /// The new document, or `None` when nothing was written.
    pub path: Option<String>,
    pub id: Option<String>,
    pub format: Option<String>,
    pub mapped: Vec<String>,
    pub kept: Vec<String>,
    pub dropped: Vec<String>,
    /// What was repaired, proposed or could not be mapped, or why it was skipped.
    pub notes: Vec<String>,
}

/// A file to import: where it is, how it is shown in the report, its type.
struct Source {
    path: PathBuf,
    shown: String,
    doc_type: DocType,
}

/// The type a source's folders name: the last folder that names one.
fn infer_type(shown: &str) -> Option<DocType> {
    shown.rsplit('/').skip(1).find_map(|folder| {
        // `30-procedures`, `02_policies`: a numbering before the name.
        let folder = folder
            .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '-' | '_' | '.' | ' '))
            .to_ascii_lowercase();
        let singular = match folder.as_str() {
            "policies" => "policy",
            other => other.strip_suffix('s').unwrap_or(other),
        };
        DocType::ALL.into_iter().find(|t| t.as_str() == singular)
    })
}

/// Imports every importable file of `request.paths` into the folder of its type.
pub fn import(handbook: &Handbook, request: &Request<'_>) -> Result<Vec<Imported>, Error> {
    let config = &handbook.config;
    let mut sources = collect(request.paths)?;
    for source in &mut sources {
        source.doc_type = request.doc_type.unwrap_or_else(|| {
            infer_type(&source.shown)
                .filter(|t| config.folder_for(*t).is_some())
                .unwrap_or(DocType::Policy)
        });
        if config.folder_for(source.doc_type).is_none() {
            return Err(Error::usage(format!(
                "book.toml has no folder for {} documents; add one to [build] folders",
                source.doc_type
            )));
        }
    }
    let owner = config
        .owner_role(request.owner)
        .map_err(|e| Error::usage(e.to_string()))?;
    let moves = plan(&sources, &config.root, &|t| {
        config
            .folder_for(t)
            .map(|f| f.path.clone())
            .unwrap_or_default()
    });
    let mut taken: BTreeSet<String> = handbook.ids().map(str::to_string).collect();
    let shared = Shared {
        handbook,
        request,
        owner,
        titles: handbook
            .documents
            .iter()
            .filter_map(|d| Some((d.meta.as_ref()?.title.to_lowercase(), d.path.as_str())))
            .collect(),
    };
    // Every body first: a link's anchor is checked against the body it leads to.
    let mut converted = Vec::new();
    for source in &sources {
        let Some(target) = moves.targets.get(&source.path).cloned() else {
            continue;
        };
        let mut imported = Imported {
            source: source.shown.clone(),
            ..Imported::default()
        };
        if let Some(wanted) = moves.renamed.get(&source.path) {
            let name = target.rsplit('/').next().unwrap_or_default();
            imported
                .notes
                .push(format!("{wanted} is taken: named {name}"));
        }
        let document = match std::fs::read(&source.path).map(|b| decode(&b)) {
            Ok(Ok(text)) => Some(convert(&shared, source, &text, &mut taken, &mut imported)),
            Ok(Err(at)) => {
                imported.notes.push(format!(
                    "not UTF-8 (line {}, column {}): skipped",
                    at.line, at.column
                ));
                None
            }
            Err(e) => {
                imported.notes.push(format!("cannot read: {e}: skipped"));
                None
            }
        };
        converted.push((source, target, imported, document));
    }
    let anchors: HashMap<String, HashSet<String>> = converted
        .iter()
        .filter_map(|(_, target, _, document)| {
            let (_, body) = document.as_ref()?;
            let outline = markdown::outline(body);
            Some((
                target.clone(),
                outline.headings.into_iter().map(|h| h.anchor).collect(),
            ))
        })
        .collect();
    let mut results = Vec::new();
    for (source, target, mut imported, document) in converted {
        if let Some((front, body)) = document {
            let (body, notes) = links::rebase(&body, &source.path, &target, &moves, &anchors);
            imported.notes.extend(notes);
            write(
                &config.root,
                &target,
                &format!("{front}\n{body}"),
                &mut imported,
            );
        }
        results.push(imported);
    }
    Ok(results)
}

/// The importable files of `paths`, recursively, in path order: Markdown and
/// Markdown templates, without READMEs and hidden folders.
fn collect(paths: &[PathBuf]) -> Result<Vec<Source>, Error> {
    let mut sources = Vec::new();
    for given in paths {
        if !given.exists() {
            return Err(Error::usage(format!(
                "{}: no such file or folder",
                given.display()
            )));
        }
        let base = std::path::absolute(given)
            .map_err(|e| Error::usage(format!("{}: {e}", given.display())))?;
        let walk = walkdir::WalkDir::new(&base)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk.flatten() {
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            // READMEs, and partials of site generators (`_template.md`; a Hugo
            // section's `_index.md` is a page).
            let importable = [".md", ".markdown", ".md.tmpl", ".md.j2", ".md.jinja"]
                .iter()
                .any(|e| name.ends_with(e))
                && !name.starts_with("readme.")
                && (!name.starts_with('_') || name.starts_with("_index."));
            if entry.file_type().is_file() && (importable || entry.depth() == 0) {
                let shown = given.join(entry.path().strip_prefix(&base).unwrap_or(entry.path()));
                sources.push(Source {
                    path: normal(entry.path()),
                    shown: shown.display().to_string().replace("/./", "/"),
                    doc_type: DocType::Policy,
                });
            }
        }
    }
    Ok(sources)
}

/// Where each source goes: `<folder of its type>/<name>.md`, a numbered name when
/// the name is taken by a file there or by another source.
fn plan(sources: &[Source], root: &Path, folder_of: &dyn Fn(DocType) -> String) -> Moves {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut listed: BTreeSet<String> = BTreeSet::new();
    let mut targets = HashMap::new();
    let mut by_slug = HashMap::new();
    let mut renamed = HashMap::new();
    for source in sources {
        let folder = folder_of(source.doc_type);
        if listed.insert(folder.clone()) {
            let present = std::fs::read_dir(root.join(&folder))
                .into_iter()
                .flatten()
                .flatten();
            used.extend(present.map(|e| {
                format!(
                    "{folder}/{}",
                    e.file_name().to_string_lossy().to_ascii_lowercase()
                )
            }));
        }
        let name = target_name(&source.path);
        by_slug
            .entry(name.clone())
            .or_insert_with(|| source.path.clone());
        let stem = name.trim_end_matches(".md").to_string();
        let free = std::iter::once(name.clone())
            .chain((2..).map(|n| format!("{stem}-{n}.md")))
            .find(|n| !used.contains(&format!("{folder}/{n}")))
            .unwrap_or_default();
        if free != name {
            renamed.insert(source.path.clone(), name);
        }
        used.insert(format!("{folder}/{free}"));
        targets.insert(source.path.clone(), format!("{folder}/{free}"));
    }
    Moves {
        targets,
        by_slug,
        renamed,
    }
}

/// What every conversion of one import shares.
struct Shared<'a> {
    handbook: &'a Handbook,
    request: &'a Request<'a>,
    /// The owner of a document whose source names none that book.toml knows.
    owner: String,
    /// The existing documents' paths by their title, in lower case.
    titles: HashMap<String, &'a str>,
}

/// One source converted into an ismsbook document (its front matter and its body,
/// whose links are rebased once every body is known), the report filled in.
fn convert(
    shared: &Shared<'_>,
    source: &Source,
    text: &str,
    taken: &mut BTreeSet<String>,
    imported: &mut Imported,
) -> (String, String) {
    let Shared {
        handbook, request, ..
    } = *shared;
    let config = &handbook.config;
    let (format, read) = formats::read(text, request.from, &handbook.catalog);
    let template = is_template(&source.path);
    imported.format = Some(if template {
        format!("{} template", format.name())
    } else {
        format.name().to_string()
    });
    let formats::Read {
        id,
        title,
        mut controls,
        extra,
        history,
        body,
        mapped,
        kept,
        dropped,
        notes,
        revisions,
        owner: written_owner,
        classification: written_classification,
        version: written_version,
        status: written_status,
    } = read;
    let mut extra = extra;
    imported.mapped = mapped;
    imported.kept = kept;
    imported.dropped = dropped;
    imported.notes.extend(notes);
    let organization = Some(config.book.organization.as_str()).filter(|o| !o.is_empty());
    let repaired = body::repair(&body, organization);
    imported.notes.extend(repaired.notes);
    if template && repaired.placeholders.is_empty() {
        imported
            .notes
            .push("a template without placeholders".to_string());
    }
    let (title, body) = title_and_body(title, repaired.body, &source.path, &mut imported.notes);
    let body = with_revisions(body, &revisions);
    mentioned(
        &body,
        &handbook.catalog,
        &mut controls,
        request.controls_from_body,
        &mut imported.notes,
    );
    let id = choose_id(id, source.doc_type, &title, taken, &mut imported.notes);
    if let Some(twin) = shared.titles.get(&title.to_lowercase()) {
        imported.notes.push(format!(
            "{twin} already has the title \"{title}\"; if it is a starter document of `init`, remove it"
        ));
    }
    let mut change = format!("Imported from {}", format.name());
    if let Some((_, comment)) = revisions.last().filter(|(_, c)| !c.is_empty()) {
        change.push_str(&format!(": {comment}"));
    }
    if !history.is_empty() {
        change.push_str(&format!(" ({})", history.join("; ")));
    }
    imported.id = Some(id.clone());
    let fields = Fields {
        owner: written_owner,
        classification: written_classification,
        version: written_version,
        status: written_status,
    };
    let own = fields.map(config, &shared.owner, revisions.len(), &mut extra, imported);
    let extra = (!extra.is_empty()).then_some(serde_json::Value::Object(extra));
    let front = NewFrontMatter {
        id: &id,
        title: &title,
        doc_type: source.doc_type,
        version: &own.version,
        owner: &own.owner,
        approvers: &[own.owner.as_str()],
        classification: &own.classification,
        controls: &controls,
        clauses: &[],
        change: &change,
        extra,
    };
    (front.to_yaml(), body.trim_start_matches('\n').to_string())
}

/// The source's own owner, classification, version and status, as written.
struct Fields {
    owner: Option<Written>,
    classification: Option<Written>,
    version: Option<Written>,
    status: Option<Written>,
}

/// What they become here.
struct Own {
    owner: String,
    classification: String,
    version: String,
}

impl Fields {
    /// A role of book.toml (by key or name), a classification level of book.toml,
    /// a version `X.Y`: mapped; anything else is kept under `extra`, with a note. The
    /// status is always draft here.
    fn map(
        self,
        config: &crate::model::config::Config,
        default_owner: &str,
        major_revisions: usize,
        extra: &mut serde_json::Map<String, serde_json::Value>,
        imported: &mut Imported,
    ) -> Own {
        let mut settle =
            |field: Option<Written>, accept: &dyn Fn(&str) -> Result<String, String>| {
                let Written { key, text, value } = field?;
                match accept(&text) {
                    Ok(mapped) => {
                        imported.mapped.push(key);
                        Some(mapped)
                    }
                    Err(why) => {
                        imported
                            .notes
                            .push(format!("{key} `{text}` {why}: kept under extra"));
                        imported.kept.push(key.clone());
                        extra.insert(key, value);
                        None
                    }
                }
            };
        let owner = settle(self.owner, &|written| {
            config
                .roles
                .iter()
                .find(|(key, role)| {
                    key.eq_ignore_ascii_case(written) || role.name.eq_ignore_ascii_case(written)
                })
                .map(|(key, _)| key.clone())
                .ok_or_else(|| format!("is not a role of book.toml (the owner is {default_owner})"))
        });
        let classification = settle(self.classification, &|written| {
            config
                .classifications
                .iter()
                .find(|c| c.eq_ignore_ascii_case(written))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "is not a level of book.toml ({}; the document is {})",
                        config.classifications.join(", "),
                        config.default_classification
                    )
                })
        });
        let version = settle(self.version, &|written| {
            // A version as check reads it (`v2.3` written as 2.3).
            let plain = written.trim_start_matches(['v', 'V']);
            plain
                .parse::<crate::model::kinds::Version>()
                .map(|_| plain.to_string())
                .map_err(|()| "is not a version X.Y".to_string())
        });
        if let Some(status) = self.status {
            imported.mapped.push(status.key);
            if !status.text.eq_ignore_ascii_case("draft") {
                imported.notes.push(format!(
                    "status `{}` in the source: imported as a draft, to be approved here",
                    status.text
                ));
            }
        }
        Own {
            owner: owner.unwrap_or_else(|| default_owner.to_string()),
            classification: classification.unwrap_or_else(|| config.default_classification.clone()),
            // comply counts major revisions: its documents keep their major version.
            version: version.unwrap_or_else(|| match major_revisions {
                0 => "0.1".to_string(),
                n => format!("{n}.0"),
            }),
        }
    }
}

fn is_template(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    [".tmpl", ".j2", ".jinja"].iter().any(|e| name.ends_with(e))
}

/// The title: the header's, else the body's first heading (of any level, made the
/// first-level heading), else the file name.
fn title_and_body(
    title: Option<String>,
    body: String,
    path: &Path,
    notes: &mut Vec<String>,
) -> (String, String) {
    if let Some(title) = title {
        // comply and others use first-level headings for sections under a title kept
        // in the header: the title becomes the heading and the sections move down.
        return match body::first_heading(&body) {
            Some((1, heading)) if heading != title => {
                notes.push("headings moved down a level under the title".to_string());
                let body = format!("# {title}\n\n{}", body::demote_headings(&body).trim_start());
                (title, body)
            }
            // Sections that start at `###` under a title shown as the first level:
            // raised, so the page's outline has no gap.
            _ => match body::top_level(&body) {
                Some(level) if level > 2 => {
                    notes.push(format!(
                        "headings raised {} levels (the body's sections started at level {level})",
                        level - 2
                    ));
                    (title, body::raise_headings(&body, level - 2))
                }
                _ => (title, body),
            },
        };
    }
    if let Some((level, heading)) = body::first_heading(&body) {
        if level == 1 {
            return (heading, body);
        }
        let line = body
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        let body = body.replacen(line, &format!("# {heading}"), 1);
        notes.push(format!(
            "the title is the first heading (level {level}, made level 1)"
        ));
        return (heading, body);
    }
    let stem = target_name(path);
    let words = stem.trim_end_matches(".md").replace('-', " ");
    let mut title: String = words.chars().take(1).flat_map(char::to_uppercase).collect();
    title.push_str(&words.chars().skip(1).collect::<String>());
    notes.push("no title and no heading: the title is the file name".to_string());
    (title, body)
}

/// comply's revisions before ismsbook, kept as a section of the body.
fn with_revisions(mut body: String, revisions: &[(String, String)]) -> String {
    if revisions.is_empty() {
        return body;
    }
    body.push_str("\n\n## Revision history before ismsbook\n\n| Date | Change |\n|---|---|\n");
    for (date, comment) in revisions {
        body.push_str(&format!(
            "| {} | {} |\n",
            date.replace('|', "\\|"),
            comment.replace('|', "\\|")
        ));
    }
    body
}

/// Controls the body names (`A.5.10`, `Annex A 8.15`) and `controls` does not:
/// added when asked, else proposed in a note.
fn mentioned(
    body: &str,
    catalog: &Catalog,
    controls: &mut Vec<String>,
    apply: bool,
    notes: &mut Vec<String>,
) {
    let mut found: Vec<String> = Vec::new();
    let mut written: Vec<String> = markdown::outline(body)
        .mentions
        .into_iter()
        .map(|m| m.id)
        .collect();
    for (at, _) in body.match_indices("Annex A ") {
        let id: String = body[at + 8..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        written.push(format!("A.{}", id.trim_end_matches('.')));
    }
    for id in written {
        if let ControlRef::Known(control) = catalog.resolve(&id)
            && !controls.contains(&control.id)
            && !found.contains(&control.id)
        {
            found.push(control.id.clone());
        }
    }
    if found.is_empty() {
        return;
    }
    if apply {
        notes.push(format!("controls from the body: {}", found.join(", ")));
        controls.extend(found);
    } else {
        let mut named: Vec<String> = found.iter().take(8).map(|c| format!("A.{c}")).collect();
        if found.len() > 8 {
            named.push(format!("and {} more", found.len() - 8));
        }
        notes.push(format!(
            "the body mentions {}: add them to `controls` if it implements them (or import with --controls-from-body)",
            named.join(", ")
        ));
    }
}

/// The id: the source's (an acronym gets the type's prefix), else one proposed from
/// the title; never one that is taken.
fn choose_id(
    written: Option<String>,
    doc_type: DocType,
    title: &str,
    taken: &mut BTreeSet<String>,
    notes: &mut Vec<String>,
) -> String {
    let prefix = doc_type.id_prefix();
    let from_source = written.map(|w| {
        let clean: String = w
            .to_ascii_uppercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let clean = clean.trim_matches('-').to_string();
        let prefixed = DocType::ALL
            .iter()
            .any(|t| clean.starts_with(&format!("{}-", t.id_prefix())));
        if prefixed {
            clean
        } else {
            format!("{prefix}-{clean}")
        }
    });
    let id = match from_source {
        Some(id) if is_valid_id(&id) && !taken.contains(&id) => id,
        Some(id) => {
            let proposed = propose_id(doc_type, title, &|id| taken.contains(id));
            notes.push(format!(
                "the id {id} is taken or not valid: {proposed} instead"
            ));
            proposed
        }
        None => {
            // A title that starts with its own reference (`ISMS.05.01 - Access
            // Control`, `P 02 4 30 - Risk Assessment`) gives the id.
            let reference = title
                .split_once(" - ")
                .map(|(code, _)| code.trim())
                .filter(|code| code.bytes().any(|b| b.is_ascii_digit()) && code.len() <= 20)
                .map(|code| {
                    let clean: String = code
                        .to_ascii_uppercase()
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                        .collect();
                    let parts: Vec<&str> = clean.split('-').filter(|p| !p.is_empty()).collect();
                    format!("{prefix}-{}", parts.join("-"))
                })
                .filter(|id| is_valid_id(id) && !taken.contains(id));
            match reference {
                Some(id) => id,
                None => {
                    let alone = propose_id(doc_type, title, &|_| false);
                    let id = propose_id(doc_type, title, &|id| taken.contains(id));
                    if id != alone {
                        notes.push(format!("{alone} is taken: {id} instead"));
                    }
                    id
                }
            }
        }
    };
    taken.insert(id.clone());
    id
}

/// Writes a new document; never overwrites.
fn write(root: &Path, target: &str, document: &str, imported: &mut Imported) {
    let full = root.join(target);
    let written = std::fs::create_dir_all(full.parent().unwrap_or(root)).and_then(|()| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&full)?
            .write_all(document.as_bytes())
    });
    match written {
        Ok(()) => imported.path = Some(target.to_string()),
        Err(e) => {
            imported.id = None;
            imported
                .notes
                .push(format!("cannot write {target}: {e}: skipped"));
        }
    }
}

/// `ismsbook import`: prints per file what was imported, mapped, kept and dropped,
/// and what needs a look. Fails when a file was skipped.
pub fn run(ctx: &Context, request: &Request<'_>, out: &mut dyn Write) -> Result<Outcome, Error> {
    let handbook = ctx.handbook()?;
    let results = import(&handbook, request)?;
    for r in &results {
        match (&r.path, &r.id) {
            (Some(path), Some(id)) => {
                let format = r.format.as_deref().unwrap_or_default();
                let _ = writeln!(out, "imported {path} ({id}) from {} [{format}]", r.source);
            }
            _ => {
                let _ = writeln!(out, "skipped {}", r.source);
            }
        }
        for (what, keys) in [
            ("mapped", &r.mapped),
            ("kept in extra", &r.kept),
            ("dropped", &r.dropped),
        ] {
            if !keys.is_empty() {
                let _ = writeln!(out, "  {what}: {}", keys.join(", "));
            }
        }
        // The same note twice (two links to one missing file) is said once, counted.
        let mut said: Vec<(&String, usize)> = Vec::new();
        for note in &r.notes {
            match said.iter_mut().find(|(n, _)| *n == note) {
                Some((_, count)) => *count += 1,
                None => said.push((note, 1)),
            }
        }
        for (note, count) in said {
            let times = if count > 1 {
                format!(" ({count} times)")
            } else {
                String::new()
            };
            let _ = writeln!(out, "  - {note}{times}");
        }
    }
    let imported = results.iter().filter(|r| r.path.is_some()).count();
    let skipped = results.len() - imported;
    let _ = write!(
        out,
        "import: {imported} of {} files imported as drafts",
        results.len()
    );
    if skipped > 0 {
        let _ = writeln!(out, "; {skipped} skipped");
        return Ok(Outcome::Failed);
    }
    let _ = writeln!(
        out,
        "; review them (`ismsbook build --drafts` shows them), then approve them with a version and `change`"
    );
    Ok(Outcome::Success)
}
