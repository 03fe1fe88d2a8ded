//! The checks: every rule of document control that can be decided from the repository
//! as it stands, each returning all of its findings.
//!
//! Codes are stable: CI configurations and editors may match on them. The list, with
//! what each means and how to fix it, is in docs/checks.md.

use crate::catalog::ControlRef;
use crate::diagnostic::{Diagnostic, Position, did_you_mean};
use crate::document::{Document, FrontMatter, Located, Status};
use crate::handbook::Handbook;
use chrono::{Months, NaiveDate};
use std::collections::BTreeMap;

/// Runs every check.
pub fn run(handbook: &Handbook, today: NaiveDate) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (doc, meta) in handbook.readable() {
        roles(handbook, doc, meta, &mut found);
        approval(doc, meta, today, &mut found);
        review(handbook, doc, meta, today, &mut found);
        classification(handbook, doc, meta, &mut found);
        controls(handbook, doc, meta, &mut found);
        clauses(handbook, doc, meta, &mut found);
        related(handbook, doc, meta, &mut found);
    }
    duplicate_ids(handbook, &mut found);
    links(handbook, &mut found);
    mentions(handbook, &mut found);
    soa(handbook, &mut found);
    coverage(handbook, &mut found);
    found
}

/// The date the next review is due: the last approval or review plus the interval.
pub fn next_review(handbook: &Handbook, meta: &FrontMatter) -> Option<NaiveDate> {
    let last = match (meta.approved_on, meta.reviewed_on) {
        (Some(a), Some(r)) => a.max(r),
        (a, r) => a.or(r)?,
    };
    let months = meta.review_months.unwrap_or(handbook.config.review_months);
    last.checked_add_months(Months::new(months))
}

fn value_at(doc: &Document, key: &str) -> (Position, usize) {
    doc.spans.value(key)
}

fn roles(handbook: &Handbook, doc: &Document, meta: &FrontMatter, found: &mut Vec<Diagnostic>) {
    let known = &handbook.config.roles;
    let mut check = |role: &str, (position, width): (Position, usize), field: &str| {
        if known.contains_key(role) {
            return;
        }
        let hint = if known.is_empty() {
            format!("define the role in book.toml: [roles.{role}] name = \"…\"")
        } else if let Some(close) = did_you_mean(role, known.keys().map(String::as_str)) {
            format!("did you mean `{close}`? Roles are defined in book.toml [roles]")
        } else {
            format!(
                "use a role from book.toml ({}) or add [roles.{role}]",
                known.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        found.push(
            Diagnostic::error(
                "unknown-role",
                &doc.path,
                format!("`{role}` in `{field}` is not a role of book.toml"),
            )
            .span(position, width)
            .hint(hint),
        );
    };
    if !meta.owner.is_empty() {
        check(&meta.owner, value_at(doc, "owner"), "owner");
    }
    if doc.spans.has("approvers") {
        for approver in &meta.approvers {
            check(
                &approver.value,
                (approver.position, approver.width),
                "approvers",
            );
        }
    }
    if let Some(by) = &meta.approved_by {
        check(by, value_at(doc, "approved_by"), "approved_by");
    }
}

fn approval(doc: &Document, meta: &FrontMatter, today: NaiveDate, found: &mut Vec<Diagnostic>) {
    let path = doc.path.as_str();
    if meta.status == Status::Approved {
        let (position, width) = value_at(doc, "status");
        if meta.approved_by.is_none() {
            found.push(
                Diagnostic::error(
                    "approval-incomplete",
                    path,
                    "status is approved but `approved_by` is missing",
                )
                .span(position, width)
                .hint(format!(
                    "add approved_by: <role> (one of the approvers: {})",
                    role_list(&meta.approvers)
                )),
            );
        }
        if meta.approved_on.is_none() {
            found.push(
                Diagnostic::error(
                    "approval-incomplete",
                    path,
                    "status is approved but `approved_on` is missing",
                )
                .span(position, width)
                .hint("add approved_on: YYYY-MM-DD, the date of the approval"),
            );
        }
        if meta.change.is_none() {
            let (position, width) = doc.spans.key("version");
            found.push(
                Diagnostic::warning("change-missing", path, format!("approved version {} has no `change` text", meta.version))
                    .span(position, width)
                    .hint("say what this version changed, e.g. change: \"Initial version\"; it becomes the revision history"),
            );
        }
    }
    if let Some(by) = &meta.approved_by
        && !meta.approvers.iter().any(|a| &a.value == by)
    {
        let (position, width) = value_at(doc, "approved_by");
        found.push(
            Diagnostic::error(
                "approver-not-allowed",
                path,
                format!("`{by}` approved the document but is not one of its approvers"),
            )
            .span(position, width)
            .hint(format!(
                "approved_by must be one of: {}; or add `{by}` to approvers",
                role_list(&meta.approvers)
            )),
        );
    }
    if let Some(on) = meta.approved_on
        && on > today
    {
        let (position, width) = value_at(doc, "approved_on");
        found.push(
            Diagnostic::error(
                "approval-in-future",
                path,
                format!("approved_on {on} is in the future"),
            )
            .span(position, width)
            .hint("record the date the approval was given"),
        );
    }
    if let (Some(effective), Some(approved)) = (meta.effective, meta.approved_on)
        && effective < approved
    {
        let (position, width) = value_at(doc, "effective");
        found.push(
            Diagnostic::error("effective-before-approval", path, format!("effective date {effective} is before the approval on {approved}"))
                .span(position, width)
                .hint("a document takes effect on or after its approval; correct `effective` or `approved_on`"),
        );
    }
}

fn role_list(approvers: &[Located<String>]) -> String {
    approvers
        .iter()
        .map(|a| a.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn review(
    handbook: &Handbook,
    doc: &Document,
    meta: &FrontMatter,
    today: NaiveDate,
    found: &mut Vec<Diagnostic>,
) {
    if meta.status != Status::Approved {
        return;
    }
    let Some(due) = next_review(handbook, meta) else {
        return;
    };
    if due < today {
        let key = if meta.reviewed_on.is_some_and(|r| Some(r) > meta.approved_on) {
            "reviewed_on"
        } else {
            "approved_on"
        };
        let (position, width) = value_at(doc, key);
        let days = (today - due).num_days();
        found.push(
            Diagnostic::warning("review-overdue", &doc.path, format!("review was due on {due} ({days} days ago)"))
                .span(position, width)
                .hint("review the document: approve a new version, or record a review without changes with reviewed_on: YYYY-MM-DD"),
        );
    }
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
        Diagnostic::error(
            "invalid-value",
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
                    found.push(at(Diagnostic::warning(
                        "duplicate-control",
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
                if excluded && meta.status != Status::Retired {
                    found.push(at(Diagnostic::warning(
                        "excluded-control-implemented",
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
                found.push(at(Diagnostic::error(
                    "legacy-control",
                    &doc.path,
                    format!("`{}` is an ISO/IEC 27001:2013 control id", written.value),
                )
                .hint(format!(
                    "the 2022 control that replaces it: {}",
                    names.join(" or ")
                ))));
            }
            ControlRef::Unknown => {
                let bare = crate::catalog::canonical_id(&written.value);
                let hint = match did_you_mean(bare, handbook.catalog.ids()) {
                    Some(close) => format!("did you mean \"{close}\" ({})?", handbook.catalog.control(close).map_or("", |c| &c.title)),
                    None => "Annex A controls are 5.1-5.37, 6.1-6.8, 7.1-7.14 and 8.1-8.34; `ismsbook schema` lists them for editors".to_string(),
                };
                found.push(at(Diagnostic::error(
                    "unknown-control",
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
            Diagnostic::error(
                "unknown-clause",
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
                Diagnostic::warning(
                    "related-self",
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
                Diagnostic::error(
                    "unknown-related",
                    &doc.path,
                    format!("no document has the id `{}`", written.value),
                )
                .span(written.position, written.width)
                .hint(hint),
            );
        }
    }
}

fn duplicate_ids(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
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
                Diagnostic::error("duplicate-id", &doc.path, format!("id `{id}` is also used by {}", others.join(", ")))
                    .span(position, width)
                    .hint("every document needs its own id; give one of them a new id (ids are never reused)"),
            );
        }
    }
}

/// Where a link points once resolved against the linking document.
enum Target<'a> {
    External,
    Document {
        path: String,
        anchor: Option<&'a str>,
    },
    SamePage(&'a str),
    Other(String),
}

fn classify<'a>(from: &str, dest: &'a str) -> Target<'a> {
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if has_scheme || dest.starts_with("//") {
        return Target::External;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::SamePage(anchor);
    }
    let (file, anchor) = match dest.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (dest, None),
    };
    let file = file.split('?').next().unwrap_or(file);
    let resolved = resolve(from, &percent_decode(file));
    let is_markdown = file.ends_with(".md") || file.ends_with(".markdown");
    match resolved {
        Some(path) if is_markdown => Target::Document { path, anchor },
        Some(path) => Target::Other(path),
        None => Target::Other(String::new()),
    }
}

/// `javascript:`, `vbscript:` and `data:` (other than images) links, by their scheme.
fn unsafe_scheme(dest: &str) -> Option<&'static str> {
    let lower = dest.trim().to_ascii_lowercase();
    if lower.starts_with("javascript:") {
        Some("javascript:")
    } else if lower.starts_with("vbscript:") {
        Some("vbscript:")
    } else if lower.starts_with("data:") && !lower.starts_with("data:image/") {
        Some("data:")
    } else {
        None
    }
}

/// `policies/a.md` + `../procedures/b.md` → `procedures/b.md`; `None` when the link
/// leaves the repository.
pub fn resolve(from: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = if relative.starts_with('/') {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    if !relative.starts_with('/') {
        parts.pop();
    }
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// `a%20b` → `a b`; invalid escapes are kept as written.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn links(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    for (doc, outline) in handbook.documents.iter().zip(&handbook.outlines) {
        let index = crate::diagnostic::LineIndex::new(&doc.body);
        for link in &outline.links {
            let mut position = index.position(&doc.body, link.range.start);
            position.line += doc.body_line - 1;
            let width = doc.body[link.range.clone()]
                .lines()
                .next()
                .map_or(1, |l| l.chars().count());
            let at = |d: Diagnostic| d.span(position, width);
            match classify(&doc.path, &link.dest) {
                Target::External => {
                    if let Some(scheme) = unsafe_scheme(&link.dest) {
                        found.push(at(Diagnostic::warning(
                            "unsafe-link",
                            &doc.path,
                            format!("link with a `{scheme}` URL, which runs or carries content in the reader's browser"),
                        )
                        .hint("link to a page or a document instead; with [build] sanitize = true such links are removed")));
                    }
                }
                Target::SamePage(anchor) => {
                    if !outline.headings.iter().any(|h| h.anchor == anchor) {
                        found.push(at(anchor_problem(
                            &doc.path,
                            anchor,
                            "this document",
                            outline,
                        )));
                    }
                }
                Target::Document { path, anchor } => match handbook.by_path(&path) {
                    Some((target, target_outline)) => {
                        if let Some(anchor) = anchor.filter(|a| !a.is_empty())
                            && !target_outline.headings.iter().any(|h| h.anchor == anchor)
                        {
                            found.push(at(anchor_problem(
                                &doc.path,
                                anchor,
                                &target.path,
                                target_outline,
                            )));
                        }
                    }
                    None => {
                        let exists = handbook.config.root.join(&path).is_file();
                        let (message, hint) = if exists {
                            (
                                format!("link to `{}`, which is not a document of the handbook", link.dest),
                                "the handbook publishes only the document folders; link to a document, or use a full URL".to_string(),
                            )
                        } else {
                            let near = did_you_mean(
                                &path,
                                handbook.documents.iter().map(|d| d.path.as_str()),
                            );
                            (
                                format!("broken link: `{}` does not exist", link.dest),
                                match near {
                                    Some(near) => format!("did you mean `{}`?", relative_link(&doc.path, near)),
                                    None => "link to another document with a path relative to this file, e.g. ../policies/access-control.md".to_string(),
                                },
                            )
                        };
                        found.push(at(
                            Diagnostic::error("broken-link", &doc.path, message).hint(hint)
                        ));
                    }
                },
                Target::Other(path) => {
                    if path.is_empty() {
                        found.push(at(Diagnostic::error(
                            "broken-link",
                            &doc.path,
                            format!("link `{}` leaves the repository", link.dest),
                        )
                        .hint("link to documents inside the repository, or use a full URL")));
                    } else if !handbook.config.root.join(&path).exists() {
                        found.push(at(Diagnostic::error(
                            "broken-link",
                            &doc.path,
                            format!("broken link: `{}` does not exist", link.dest),
                        )
                        .hint("correct the path, relative to this file")));
                    }
                }
            }
        }
    }
}

fn anchor_problem(
    path: &str,
    anchor: &str,
    target: &str,
    outline: &crate::markdown::Outline,
) -> Diagnostic {
    let hint = match did_you_mean(anchor, outline.headings.iter().map(|h| h.anchor.as_str())) {
        Some(close) => format!("did you mean `#{close}`?"),
        None if outline.headings.is_empty() => format!("{target} has no headings"),
        None => format!(
            "the headings of {target} are: {}",
            outline
                .headings
                .iter()
                .take(8)
                .map(|h| format!("#{}", h.anchor))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Diagnostic::error(
        "broken-anchor",
        path,
        format!("no heading `#{anchor}` in {target}"),
    )
    .hint(hint)
}

/// The relative link from one document to another.
pub fn relative_link(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.matches('/').count()].to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

fn mentions(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    for (doc, outline) in handbook.documents.iter().zip(&handbook.outlines) {
        if outline.mentions.is_empty() {
            continue;
        }
        let index = crate::diagnostic::LineIndex::new(&doc.body);
        for mention in &outline.mentions {
            let mut position = index.position(&doc.body, mention.range.start);
            position.line += doc.body_line - 1;
            let width = mention.id.len();
            match handbook.catalog.resolve(&mention.id) {
                ControlRef::Known(_) => {}
                ControlRef::Legacy(successors) => {
                    let names: Vec<_> = successors
                        .iter()
                        .map(|c| format!("A.{} ({})", c.id, c.title))
                        .collect();
                    found.push(
                        Diagnostic::warning(
                            "legacy-control",
                            &doc.path,
                            format!("{} is an ISO/IEC 27001:2013 control id", mention.id),
                        )
                        .span(position, width)
                        .hint(format!("refer to the 2022 control: {}", names.join(" or "))),
                    );
                }
                ControlRef::Unknown => {
                    found.push(
                        Diagnostic::warning("unknown-control", &doc.path, format!("{} is not an Annex A control", mention.id))
                            .span(position, width)
                            .hint("Annex A controls are A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14 and A.8.1-A.8.34"),
                    );
                }
            }
        }
    }
}

/// Justifications that say nothing.
fn is_empty_justification(text: &str) -> bool {
    let t = text.trim().trim_end_matches('.').to_lowercase();
    matches!(
        t.as_str(),
        "n/a" | "na" | "none" | "not applicable" | "-" | "tbd" | "todo" | "excluded"
    )
}

fn soa(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    let path = handbook.config.soa.as_str();
    let Some(soa) = &handbook.soa else {
        found.push(
            Diagnostic::error("soa-missing", path, "the Statement of Applicability is missing")
                .hint("ISO/IEC 27001 6.1.3 d) requires it: create it with a decision for each Annex A control (`ismsbook init` writes one with every control undecided)"),
        );
        return;
    };
    for control in handbook.catalog.annex_a() {
        let Some(decision) = soa.decisions.get(&control.id) else {
            found.push(
                Diagnostic::error(
                    "soa-control-missing",
                    path,
                    format!("control {} ({}) has no decision", control.id, control.title),
                )
                .at(soa.position)
                .hint(format!(
                    "add A.{}: with applicable: true or false and a justification",
                    control.id
                )),
            );
            continue;
        };
        let at = |d: Diagnostic| d.span(decision.position, decision.width);
        if let Some(owner) = &decision.owner
            && !handbook.config.roles.contains_key(owner)
        {
            found.push(at(Diagnostic::error(
                "unknown-role",
                path,
                format!(
                    "the owner `{owner}` of control {} is not a role of book.toml",
                    control.id
                ),
            )
            .hint(
                match did_you_mean(owner, handbook.config.roles.keys().map(String::as_str)) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "use a role defined in book.toml [roles]".to_string(),
                },
            )));
        }
        match decision.applicable {
            None => found.push(at(Diagnostic::warning("soa-undecided", path, format!("control {} ({}) is undecided", control.id, control.title))
                .hint("decide it from the risk treatment: applicable: true or false, with a justification"))),
            Some(false) => match &decision.justification {
                Some(text) if !is_empty_justification(text) => {}
                _ => found.push(at(Diagnostic::error("soa-exclusion-unjustified", path, format!("control {} ({}) is excluded without a justification", control.id, control.title))
                    .hint("6.1.3 d) requires a specific reason for every exclusion, e.g. \"No premises of our own: staff work remotely\"; \"N/A\" is not one"))),
            },
            Some(true) => {
                if decision.status.is_none() {
                    found.push(at(Diagnostic::warning("soa-status-missing", path, format!("applicable control {} has no implementation status", control.id))
                        .hint("add status: implemented, partial, planned or not-implemented")));
                }
                if handbook.in_force(&control.id).next().is_none() {
                    let drafts: Vec<_> = handbook.implementing(&control.id).map(|(_, m)| m.id.as_str()).collect();
                    let hint = if drafts.is_empty() {
                        format!("add \"{}\" to the `controls` of the policy or procedure that implements it", control.id)
                    } else {
                        format!("{} implements it but is not approved yet", drafts.join(", "))
                    };
                    found.push(at(Diagnostic::warning(
                        "control-not-implemented",
                        path,
                        format!("applicable control {} ({}) is implemented by no approved document", control.id, control.title),
                    )
                    .hint(hint)));
                }
            }
        }
    }
}

fn coverage(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    for item in handbook.catalog.mandatory() {
        if item.covered_by.is_some() {
            continue;
        }
        let covering = |status: Option<Status>| {
            handbook.valid().any(|(_, meta)| {
                status.is_none_or(|s| meta.status == s)
                    && meta
                        .clauses
                        .iter()
                        .any(|c| item.is_covered_by_clause(c.value.trim()))
            })
        };
        if covering(Some(Status::Approved)) {
            continue;
        }
        let kind = match item.kind {
            crate::catalog::DocInfoKind::Document => "documented information to maintain",
            crate::catalog::DocInfoKind::Record => "records to retain",
        };
        let hint = if covering(None) {
            format!(
                "a document declares clause {} but none is approved yet",
                item.clause
            )
        } else {
            format!(
                "add \"{}\" to the `clauses` of the document that provides it",
                item.clause
            )
        };
        found.push(
            Diagnostic::warning(
                "clause-not-covered",
                crate::config::FILE_NAME,
                format!(
                    "clause {} ({kind}): {} — no approved document covers it",
                    item.reference(),
                    item.what
                ),
            )
            .hint(hint),
        );
    }
}

/// The version rules, which need the git history: uncommitted changes, versions that
/// decrease, content changed after approval, and approvals carried over from an
/// earlier version.
pub fn versions(handbook: &Handbook, history: &crate::history::History) -> Vec<Diagnostic> {
    use crate::history::{WorkingState, working_tree_state};
    let mut found = Vec::new();
    if history.repository().is_none() || history.head().is_none() {
        return found;
    }
    for (doc, meta) in handbook.readable() {
        let events = history.events(&doc.path);
        match working_tree_state(history, &doc.path, &doc.snapshot) {
            WorkingState::Untracked => found.push(
                Diagnostic::warning("uncommitted-change", &doc.path, "this document is not committed yet")
                    .at(Position::new(1, 1))
                    .hint("commit it on a branch and open a pull request; its history starts with that commit"),
            ),
            WorkingState::Modified(_) => found.push(
                Diagnostic::warning("uncommitted-change", &doc.path, "this document has uncommitted changes")
                    .at(Position::new(1, 1))
                    .hint("commit the change (with a new version if the content changed) so it is recorded"),
            ),
            WorkingState::Clean(_) => {}
        }
        if meta.id.is_empty() || meta.version.major == 0 && meta.version.minor == 0 && !doc.complete
        {
            continue;
        }
        let (version_at, version_width) = doc.spans.value("version");
        if let Some((highest, event)) = history.highest_version(&doc.path)
            && meta.version < highest
        {
            let commit = history.commit(event);
            found.push(
                Diagnostic::error(
                    "version-decreased",
                    &doc.path,
                    format!(
                        "version {} is lower than {highest}, which the document had in {}{}",
                        meta.version,
                        commit.short(),
                        commit.date.map(|d| format!(" ({d})")).unwrap_or_default()
                    ),
                )
                .span(version_at, version_width)
                .hint(format!(
                    "versions never decrease: use a version above {highest}"
                )),
            );
            continue;
        }
        if meta.status != Status::Approved {
            continue;
        }
        let version = meta.version.to_string();
        let same_version =
            |e: &&crate::history::Event| e.snapshot.version.as_deref() == Some(version.as_str());
        // The content approved is the content of the first commit that had this
        // version with status approved.
        let approval = events
            .iter()
            .filter(same_version)
            .find(|e| e.snapshot.status.as_deref() == Some("approved"));
        if let Some(approval) = approval
            && approval.snapshot.content != doc.snapshot.content
        {
            let commit = history.commit(approval);
            let (position, width) = doc.spans.key("version");
            found.push(
                Diagnostic::error(
                    "changed-after-approval",
                    &doc.path,
                    format!(
                        "the title or text changed after version {version} was approved in {}{}",
                        commit.short(),
                        commit.date.map(|d| format!(" ({d})")).unwrap_or_default()
                    ),
                )
                .span(position, width)
                .hint(format!(
                    "raise the version (e.g. \"{}.{}\"), say what changed in `change`, and have it approved again",
                    meta.version.major,
                    meta.version.minor + 1
                )),
            );
        }
        // An approval older than an earlier version's approval cannot be this
        // version's: it was carried over. (Two versions approved on one day are fine.)
        let first_of_version = events
            .iter()
            .position(|e| e.snapshot.version.as_deref() == Some(version.as_str()));
        let earlier = &events[..first_of_version.unwrap_or(events.len())];
        let previous_approval = earlier
            .iter()
            .rev()
            .filter(|e| e.snapshot.version.as_deref() != Some(version.as_str()))
            .find_map(|e| {
                e.snapshot
                    .approved_on
                    .as_deref()
                    .and_then(|d| crate::document::parse_date(d).ok())
                    .map(|d| (d, e))
            });
        if let (Some(approved_on), Some((previous, event))) = (meta.approved_on, previous_approval)
            && approved_on < previous
        {
            let old_version = event.snapshot.version.as_deref().unwrap_or("?");
            let (position, width) = doc.spans.value("approved_on");
            found.push(
                Diagnostic::warning(
                    "approval-not-renewed",
                    &doc.path,
                    format!("version {version} carries approved_on {approved_on}, earlier than the approval of version {old_version} ({previous})"),
                )
                .span(position, width)
                .hint("record this version's own approval: approved_by and approved_on of the review that approved it"),
            );
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_links() {
        assert_eq!(
            resolve("procedures/a.md", "../policies/b.md").as_deref(),
            Some("policies/b.md")
        );
        assert_eq!(
            resolve("procedures/a.md", "c.md").as_deref(),
            Some("procedures/c.md")
        );
        assert_eq!(resolve("procedures/a.md", "../../../etc/passwd"), None);
        assert_eq!(
            relative_link("procedures/a.md", "policies/b.md"),
            "../policies/b.md"
        );
        assert_eq!(
            relative_link("procedures/a.md", "procedures/x/b.md"),
            "x/b.md"
        );
    }

    #[test]
    fn vague_justifications_are_refused() {
        assert!(is_empty_justification("N/A"));
        assert!(is_empty_justification(" Not applicable. "));
        assert!(!is_empty_justification(
            "We have no premises: all staff work remotely."
        ));
    }
}
