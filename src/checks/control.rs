//! The rules of a file's document control: roles that exist, complete and allowed
//! approvals, dates in order, reviews on time. They hold for every controlled file: a
//! document's front matter and the SoA's control block.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::document::{ControlBlock, Located, Spans};
use crate::model::handbook::Handbook;
use crate::model::kinds::Status;
use crate::text::{Position, did_you_mean};
use chrono::NaiveDate;

/// A controlled file: where it is, where its keys are, and its control block.
pub struct Controlled<'a> {
    pub path: &'a str,
    pub spans: &'a Spans,
    pub control: &'a ControlBlock,
}

/// Every rule of one file's document control.
pub fn check(
    handbook: &Handbook,
    file: &Controlled<'_>,
    today: NaiveDate,
    found: &mut Vec<Diagnostic>,
) {
    roles(handbook, file, found);
    approval(file, today, found);
    review(handbook, file, today, found);
}

fn roles(handbook: &Handbook, file: &Controlled<'_>, found: &mut Vec<Diagnostic>) {
    let mut check = |role: &str, at: (Position, usize), field: &str| {
        found.extend(unknown_role(handbook, file.path, role, at, field));
    };
    if !file.control.owner.is_empty() {
        check(&file.control.owner, file.spans.value("owner"), "owner");
    }
    if file.spans.has("approvers") {
        for approver in &file.control.approvers {
            check(
                &approver.value,
                (approver.position, approver.width),
                "approvers",
            );
        }
    }
    if let Some(by) = &file.control.approved_by {
        check(by, file.spans.value("approved_by"), "approved_by");
    }
}

/// `unknown-role` when `role` (written in `field` at `at`) is not a role of book.toml.
pub fn unknown_role(
    handbook: &Handbook,
    path: &str,
    role: &str,
    (position, width): (Position, usize),
    field: &str,
) -> Option<Diagnostic> {
    let known = &handbook.config.roles;
    if known.contains_key(role) {
        return None;
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
    Some(
        Diagnostic::new(
            Code::UnknownRole,
            path,
            format!("`{role}` in `{field}` is not a role of book.toml"),
        )
        .span(position, width)
        .hint(hint),
    )
}

fn approval(file: &Controlled<'_>, today: NaiveDate, found: &mut Vec<Diagnostic>) {
    let path = file.path;
    if file.control.status == Status::Approved {
        let (position, width) = file.spans.value("status");
        if file.control.approved_by.is_none() {
            found.push(
                Diagnostic::new(
                    Code::ApprovalIncomplete,
                    path,
                    "status is approved but `approved_by` is missing",
                )
                .span(position, width)
                .hint(format!(
                    "add approved_by: <role> (one of the approvers: {})",
                    role_list(&file.control.approvers)
                )),
            );
        }
        if file.control.approved_on.is_none() {
            found.push(
                Diagnostic::new(
                    Code::ApprovalIncomplete,
                    path,
                    "status is approved but `approved_on` is missing",
                )
                .span(position, width)
                .hint("add approved_on: YYYY-MM-DD, the date of the approval"),
            );
        }
        if file.control.change.is_none() {
            let (position, width) = file.spans.key("version");
            found.push(
                Diagnostic::new(Code::ChangeMissing, path, format!("approved version {} has no `change` text", file.control.version))
                    .span(position, width)
                    .hint("say what this version changed, e.g. change: \"Initial version\"; it becomes the revision history"),
            );
        }
    }
    if let Some(by) = &file.control.approved_by
        && !file.control.approvers.iter().any(|a| &a.value == by)
    {
        let (position, width) = file.spans.value("approved_by");
        found.push(
            Diagnostic::new(
                Code::ApproverNotAllowed,
                path,
                format!("`{by}` approved the document but is not one of its approvers"),
            )
            .span(position, width)
            .hint(format!(
                "approved_by must be one of: {}; or add `{by}` to approvers",
                role_list(&file.control.approvers)
            )),
        );
    }
    if let Some(on) = file.control.approved_on
        && on > today
    {
        let (position, width) = file.spans.value("approved_on");
        found.push(
            Diagnostic::new(
                Code::ApprovalInFuture,
                path,
                format!("approved_on {on} is in the future"),
            )
            .span(position, width)
            .hint("record the date the approval was given"),
        );
    }
    if let (Some(effective), Some(approved)) = (file.control.effective, file.control.approved_on)
        && effective < approved
    {
        let (position, width) = file.spans.value("effective");
        found.push(
            Diagnostic::new(Code::EffectiveBeforeApproval, path, format!("effective date {effective} is before the approval on {approved}"))
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
    file: &Controlled<'_>,
    today: NaiveDate,
    found: &mut Vec<Diagnostic>,
) {
    if file.control.status != Status::Approved {
        return;
    }
    let Some(due) = handbook.next_review(file.control) else {
        return;
    };
    if due < today {
        let key = if file
            .control
            .reviewed_on
            .is_some_and(|r| Some(r) > file.control.approved_on)
        {
            "reviewed_on"
        } else {
            "approved_on"
        };
        let (position, width) = file.spans.value(key);
        let days = (today - due).num_days();
        found.push(
            Diagnostic::new(Code::ReviewOverdue, file.path, format!("review was due on {due} ({days} days ago)"))
                .span(position, width)
                .hint("review the document: approve a new version, or record a review without changes with reviewed_on: YYYY-MM-DD"),
        );
    }
}
