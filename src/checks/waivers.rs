//! Waivers and levels, applied to the findings of a run: an active waiver silences its
//! code for its document or control, an expired one is an error; then book.toml's
//! `[check]` levels allow, warn or deny each code.

use super::facts::Waived;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::config::Level;
use crate::model::handbook::Handbook;
use crate::model::waiver::Waiver;
use chrono::NaiveDate;

/// Applies the waivers of the documents and the SoA to `found`; returns the active
/// ones with what each silenced.
pub fn apply(handbook: &Handbook, today: NaiveDate, found: &mut Vec<Diagnostic>) -> Vec<Waived> {
    let mut active = Vec::new();
    let mut expired = Vec::new();
    let mut consider = |waiver: &Waiver, file: &str, subject: String, control: Option<&str>| {
        if waiver.until < today {
            expired.push(
                Diagnostic::new(
                    Code::WaiverExpired,
                    file,
                    format!(
                        "the waiver of `{}` for {subject} ended on {}",
                        waiver.code, waiver.until
                    ),
                )
                .span(waiver.position, waiver.width)
                .about(subject.clone())
                .hint("deal with the finding it waived, or renew the exception with a new reason and `until` date"),
            );
            return;
        }
        let before = found.len();
        found.retain(|d| {
            !(d.code == waiver.code
                && d.file == file
                && control.is_none_or(|c| d.subject.as_deref() == Some(c)))
        });
        active.push(Waived {
            subject,
            file: file.to_string(),
            code: waiver.code,
            reason: waiver.reason.clone(),
            until: waiver.until,
            silenced: before - found.len(),
        });
    };
    for (doc, meta) in handbook.readable() {
        for waiver in &meta.waivers {
            let subject = doc.id.clone().unwrap_or_else(|| doc.path.clone());
            consider(waiver, &doc.path, subject, None);
        }
    }
    if let Some(soa) = &handbook.soa {
        for (id, decision) in &soa.decisions {
            let label = handbook
                .catalog
                .control(id)
                .map_or_else(|| id.clone(), |c| c.label());
            for waiver in &decision.waivers {
                consider(waiver, &soa.path, label.clone(), Some(&label));
            }
        }
    }
    found.extend(expired);
    active
}

/// Applies book.toml's `[check]` levels: allowed codes are dropped, the others take
/// the severity their list gives.
pub fn levels(handbook: &Handbook, found: &mut Vec<Diagnostic>) {
    let levels = &handbook.config.levels;
    if levels.is_empty() {
        return;
    }
    found.retain_mut(|d| match levels.get(&d.code) {
        Some(Level::Allow) => false,
        Some(Level::Warn) => {
            d.severity = Severity::Warning;
            true
        }
        Some(Level::Deny) => {
            d.severity = Severity::Error;
            true
        }
        None => true,
    });
}
