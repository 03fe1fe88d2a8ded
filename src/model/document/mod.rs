//! A controlled document: YAML front matter (the contract in `front_matter`) and a
//! Markdown body. Parsing reports every problem of a file at once, each at its line
//! and column in the .md file, and never panics on any input.

mod fields;
mod front_matter;
mod snapshot;
mod spans;
mod split;

pub use front_matter::{
    CONTROL_KEYS, ControlBlock, Defaults, FrontMatter, KEYS, Located, Provenance, Retention,
};
pub use snapshot::Snapshot;
pub use spans::{Spans, block_end, locate_keys_indented};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::kinds::is_valid_id;
use crate::model::source::Source;
use crate::model::yaml::{YamlText, loose_list, loose_scalar};
use crate::text::LineIndex;
use fields::Fields;
use serde_yaml::Value;

/// One Markdown file of the handbook. `meta` is `None` when the front matter could not
/// be read at all. When some fields are wrong, `meta` holds the others (with neutral
/// values in place of the wrong ones) and `complete` is false: the field checks still
/// run, so an author sees every problem at once, but the document takes no part in
/// what is published or counted (traceability, coverage), so one mistake never
/// cascades into others.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: String,
    pub meta: Option<FrontMatter>,
    pub complete: bool,
    /// The id, when it could be read even though other fields are wrong.
    pub id: Option<String>,
    pub body: String,
    /// 1-based line of the file at which the body starts.
    pub body_line: usize,
    pub spans: Spans,
    /// The file as history sees it, to compare with its committed versions.
    pub snapshot: Snapshot,
    /// For a document whose front matter has errors: the controls and clauses it
    /// declares as far as they can be read. Until it is fixed, what it claims is
    /// neither counted as implemented nor reported as missing (one fault, one error).
    pub claims: Claims,
}

/// Control and clause references as written.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    pub controls: Vec<String>,
    pub clauses: Vec<String>,
}

/// Parses one source file into a document and the problems found in it.
pub fn parse(source: &Source, defaults: &Defaults<'_>) -> (Document, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let path = source.path.as_str();
    let text = source.text.as_str();
    let empty = |body: &str, body_line| Document {
        path: path.to_string(),
        meta: None,
        complete: false,
        id: None,
        body: body.to_string(),
        body_line,
        spans: Spans::none(),
        snapshot: Snapshot::of(text),
        claims: Claims::default(),
    };

    let split = match split::split(text) {
        Ok(split) => split,
        Err(problem) => {
            problems.push(problem.into_diagnostic(path));
            return (empty(text, 1), problems);
        }
    };
    let mut document = empty(split.body, split.body_line);
    let index = LineIndex::new(text);
    document.spans = spans::locate_keys(text, &index, split.yaml_line, split.body_line - 1);

    let yaml = YamlText {
        path,
        file: text,
        yaml: split.yaml,
        index: &index,
        first_line: split.yaml_line,
    };
    let value = match yaml.parse(
        "the front matter",
        "the front matter must be valid YAML: one `key: value` per line",
    ) {
        Ok(value) => value,
        Err(problem) => {
            problems.push(problem);
            // What can still be read line by line: the id (so other documents'
            // references resolve) and what the document claims.
            document.id = loose_scalar(split.yaml, "id").filter(|id| is_valid_id(id));
            document.claims = Claims {
                controls: loose_list(split.yaml, "controls"),
                clauses: loose_list(split.yaml, "clauses"),
            };
            return (document, problems);
        }
    };
    let mapping = match value {
        Value::Mapping(mapping) => mapping,
        Value::Null => {
            problems.push(
                Diagnostic::new(Code::FrontMatterEmpty, path, "the front matter is empty")
                    .span(document.spans.start, 3)
                    .hint("add at least id, title, version, status and owner; `ismsbook new` writes a complete block"),
            );
            return (document, problems);
        }
        _ => {
            problems.push(
                Diagnostic::new(
                    Code::FrontMatterInvalid,
                    path,
                    "the front matter is not a list of `key: value` fields",
                )
                .span(document.spans.start, 3)
                .hint("write one `key: value` per line, e.g. `id: POL-AC`"),
            );
            return (document, problems);
        }
    };

    let mut fields = Fields::new(path, text, &index, &document.spans, &mut problems);
    let meta = fields.front_matter(&mapping, defaults);
    document.id = fields.id_if_valid(&mapping);
    document.complete = problems.is_empty();
    if !document.complete {
        document.claims = Claims {
            controls: meta.controls.iter().map(|c| c.value.clone()).collect(),
            clauses: meta.clauses.iter().map(|c| c.value.clone()).collect(),
        };
    }
    document.meta = Some(meta);
    (document, problems)
}

/// The control block at the top of a YAML file that is a controlled document of its
/// own kind (the SoA): its keys outside `own` must be control keys. Returns the block,
/// where its keys are, and the problems found.
pub fn control_block(
    path: &str,
    text: &str,
    index: &LineIndex,
    mapping: &serde_yaml::Mapping,
    own: &[&str],
) -> (ControlBlock, Spans, Vec<Diagnostic>) {
    let spans = spans::locate_keys(text, index, 1, index.line_count());
    let mut problems = Vec::new();
    let block = Fields::new(path, text, index, &spans, &mut problems).control_block(mapping, own);
    (block, spans, problems)
}
