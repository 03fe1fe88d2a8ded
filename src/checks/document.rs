//! The rules of one document's front matter that need the rest of the repository:
//! roles, approvals, reviews, classifications, controls, clauses, related documents,
//! and ids unique across the handbook.

use super::control::{self, Controlled};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::catalog::{ControlRef, canonical_id};
use crate::model::document::{Document, FrontMatter};
use crate::model::handbook::Handbook;
use crate::model::kinds::{DocType, Status};
use crate::text::{Position, did_you_mean};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Every rule of one document.
pub fn check(
    handbook: &Handbook,
    doc: &Document,
    meta: &FrontMatter,
    today: NaiveDate,
    found: &mut Vec<Diagnostic>,
) {
    let file = Controlled {
        path: &doc.path,
        spans: &doc.spans,
        control: &meta.control,
    };
    control::check(handbook, &file, today, found);
    traced(doc, meta, found);
    retention(doc, meta, found);
    classification(handbook, doc, meta, found);
    controls(handbook, doc, meta, found);
    clauses(handbook, doc, meta, found);
    related(handbook, doc, meta, found);
}

fn value_at(doc: &Document, key: &str) -> (Position, usize) {
    doc.spans.value(key)
}

/// An approved policy, procedure or standard serves a control or a clause (DC-02).
fn traced(doc: &Document, meta: &FrontMatter, found: &mut Vec<Diagnostic>) {
    let kinds = [DocType::Policy, DocType::Procedure, DocType::Standard];
    if meta.control.status != Status::Approved
        || !kinds.contains(&meta.doc_type)
        || !meta.controls.is_empty()
        || !meta.clauses.is_empty()
    {
        return;
    }
    let (position, width) = doc.spans.key("id");
    found.push(
        Diagnostic::new(
            Code::UntracedDocument,
            &doc.path,
            format!(
                "approved {} {} implements no control and addresses no clause",
                meta.doc_type, meta.id
            ),
        )
        .span(position, width)
        .hint("name the Annex A controls it implements in `controls`, or the clauses it addresses in `clauses`: every controlled document is there for a reason"),
    );
}

/// A record says how long it is kept (DC-28).
fn retention(doc: &Document, meta: &FrontMatter, found: &mut Vec<Diagnostic>) {
    if meta.doc_type != DocType::Record || meta.retention.is_some() {
        return;
    }
    let (position, width) = doc.spans.key("id");
    found.push(
        Diagnostic::new(
            Code::RetentionMissing,
            &doc.path,
            format!("record {} has no retention period", meta.id),
        )
        .span(position, width)
        .hint("add retention: 3y (a period: 3y, 18m, 90d), until-superseded or permanent, as the records schedule says"),
    );
}

fn classification(
    handbook: &Handbook,
    doc: &Document,
    meta: &FrontMatter,
    found: &mut Vec<Diagnostic>,
) {
    let levels = &handbook.config.classifications;
    if levels.contains(&meta.classification) {
        return;
    }
    let (position, width) = value_at(doc, "classification");
    let hint = match did_you_mean(&meta.classification, levels.iter().map(String::as_str)) {
        Some(close) => format!(
            "did you mean `{close}`? The levels are: {}",
            levels.join(", ")
        ),
        None => format!(
            "use one of book.toml's classifications: {}",
            levels.join(", ")
        ),
    };
    found.push(
        Diagnostic::new(
            Code::InvalidValue,
            &doc.path,
            format!("`{}` is not a classification level", meta.classification),
        )
        .span(position, width)
        .hint(hint),
    );
}

fn controls(handbook: &Handbook, doc: &Document, meta: &FrontMatter, found: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    for written in &meta.controls {
        let at = |d: Diagnostic| d.span(written.position, written.width);
        match handbook.catalog.resolve(&written.value) {
            ControlRef::Known(control) => {
                if seen.insert(control.id.clone(), ()).is_some() {
                    found.push(at(Diagnostic::new(
                        Code::DuplicateControl,
                        &doc.path,
                        format!("control {} is listed twice", control.id),
                    )
                    .hint("list each control once")));
                    continue;
                }
                let excluded = handbook
                    .soa
                    .as_ref()
                    .and_then(|soa| soa.decisions.get(&control.id))
                    .is_some_and(|d| d.applicable == Some(false));
                if excluded && meta.control.status != Status::Retired {
                    found.push(at(Diagnostic::new(
                        Code::ExcludedControlImplemented,
                        &doc.path,
                        format!("control {} ({}) is excluded in the SoA, but this document implements it", control.id, control.title),
                    )
                    .hint("either the SoA's exclusion or this document's claim is wrong: correct one of them")));
                }
            }
            ControlRef::Legacy(successors) => {
                let names: Vec<_> = successors
                    .iter()
                    .map(|c| format!("\"{}\" ({})", c.id, c.title))
                    .collect();
                found.push(at(Diagnostic::new(
                    Code::LegacyControl,
                    &doc.path,
                    format!("`{}` is an ISO/IEC 27001:2013 control id", written.value),
                )
                .hint(format!(
                    "the 2022 control that replaces it: {}",
                    names.join(" or ")
                ))));
            }
            ControlRef::Unknown => {
                let bare = canonical_id(&written.value);
                let hint = match did_you_mean(bare, handbook.catalog.ids()) {
                    Some(close) => format!("did you mean \"{close}\" ({})?", handbook.catalog.control(close).map_or("", |c| &c.title)),
                    None => "Annex A controls are 5.1-5.37, 6.1-6.8, 7.1-7.14 and 8.1-8.34; `ismsbook schema` lists them for editors".to_string(),
                };
                found.push(at(Diagnostic::new(
                    Code::UnknownControl,
                    &doc.path,
                    format!("`{}` is not a known control", written.value),
                )
                .hint(hint)));
            }
        }
    }
}

fn clauses(handbook: &Handbook, doc: &Document, meta: &FrontMatter, found: &mut Vec<Diagnostic>) {
    for written in &meta.clauses {
        let id = written.value.trim_start_matches("clause").trim();
        if handbook.catalog.clause(id).is_some() {
            continue;
        }
        let hint = if id.starts_with("A.") || id.starts_with("a.") {
            "Annex A controls go under `controls`; `clauses` holds clauses 4 to 10, e.g. \"7.5.3\""
                .to_string()
        } else {
            match did_you_mean(id, handbook.catalog.clauses().iter().map(|c| c.id.as_str())) {
                Some(close) => format!("did you mean \"{close}\"? Clauses are 4.1 to 10.2"),
                None => {
                    "clauses are the ISO/IEC 27001 clauses 4.1 to 10.2, e.g. \"6.1.2\"".to_string()
                }
            }
        };
        found.push(
            Diagnostic::new(
                Code::UnknownClause,
                &doc.path,
                format!("`{}` is not an ISO/IEC 27001 clause", written.value),
            )
            .span(written.position, written.width)
            .hint(hint),
        );
    }
}

fn related(handbook: &Handbook, doc: &Document, meta: &FrontMatter, found: &mut Vec<Diagnostic>) {
    for written in &meta.related {
        if !meta.id.is_empty() && written.value == meta.id {
            found.push(
                Diagnostic::new(
                    Code::RelatedSelf,
                    &doc.path,
                    "a document lists itself as related",
                )
                .span(written.position, written.width)
                .hint("remove its own id from `related`"),
            );
        } else if handbook.by_id(&written.value).is_none() {
            let hint = match did_you_mean(&written.value, handbook.ids()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "`related` lists the ids of other documents in the handbook".to_string(),
            };
            found.push(
                Diagnostic::new(
                    Code::UnknownRelated,
                    &doc.path,
                    format!("no document has the id `{}`", written.value),
                )
                .span(written.position, written.width)
                .hint(hint),
            );
        }
    }
}

pub fn duplicate_ids(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    let mut by_id: BTreeMap<&str, Vec<&Document>> = BTreeMap::new();
    for doc in &handbook.documents {
        if let Some(id) = &doc.id {
            by_id.entry(id.as_str()).or_default().push(doc);
        }
    }
    for (id, docs) in by_id.into_iter().filter(|(_, d)| d.len() > 1) {
        for (i, doc) in docs.iter().enumerate() {
            let others: Vec<_> = docs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, d)| d.path.as_str())
                .collect();
            let (position, width) = doc.spans.value("id");
            found.push(
                Diagnostic::new(Code::DuplicateId, &doc.path, format!("id `{id}` is also used by {}", others.join(", ")))
                    .span(position, width)
                    .hint("every document needs its own id; give one of them a new id (ids are never reused)"),
            );
        }
    }
}
