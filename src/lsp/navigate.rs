//! Hover and go-to-definition: a control id shows its title, theme and SoA decision, a
//! document id its title and status; a `related` id or a relative `.md` link leads to
//! the document.

use super::cursor::{Context, link_at, word_at};
use crate::model::catalog::ControlRef;
use crate::model::handbook::Handbook;
use crate::model::links::resolve;
use crate::model::soa::Applicability;

/// The Markdown shown on hovering the word at `context`.
pub fn hover(handbook: &Handbook, context: &Context) -> Option<String> {
    let word = word_at(&context.line, context.before.chars().count())?;
    if let ControlRef::Known(control) = handbook.catalog.resolve(&word) {
        let decision = handbook
            .soa
            .as_ref()
            .and_then(|s| s.decisions.get(&control.id));
        let applicability = match decision.map(|d| d.applicability()) {
            Some(Applicability::Applicable) => format!(
                "applicable, {}",
                decision
                    .and_then(|d| d.status)
                    .map_or("no status", |s| s.as_str())
            ),
            Some(Applicability::Excluded) => "excluded".to_string(),
            _ => "undecided".to_string(),
        };
        let justification = decision
            .and_then(|d| d.justification.as_deref())
            .map(|j| format!("\n\n{j}"))
            .unwrap_or_default();
        return Some(format!(
            "**{} {}**\n\n{} · SoA: {applicability}{justification}",
            control.label(),
            control.title,
            control.theme.label()
        ));
    }
    let doc = handbook.by_id(&word)?;
    let meta = doc.meta.as_ref()?;
    Some(format!(
        "**{} {}**\n\n{} {}, version {} · `{}`",
        meta.id,
        meta.title,
        meta.doc_type.label(),
        meta.control.status,
        meta.control.version,
        doc.path
    ))
}

/// The repository path of the document a link around the cursor, or an id under it,
/// leads to; `from` is the path of the document the cursor is in.
pub fn definition(handbook: &Handbook, from: &str, context: &Context) -> Option<String> {
    let column = context.before.chars().count();
    link_at(&context.line, column)
        .and_then(|dest| resolve(from, dest.split('#').next().unwrap_or_default()))
        .filter(|p| handbook.by_path(p).is_some())
        .or_else(|| {
            word_at(&context.line, column).and_then(|w| handbook.by_id(&w).map(|d| d.path.clone()))
        })
}
