//! What the checks establish besides diagnostics, typed, for the pages and exports to
//! show: the renderer reads these and never re-derives a rule.

use crate::diagnostic::Code;
use crate::model::ledger::Coverage;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Paths of approved documents whose title or text changed after the approval of
    /// their current version.
    pub changed_after_approval: BTreeSet<String>,
    /// Every active waiver, with what it silenced.
    pub waivers: Vec<Waived>,
    /// How far each approved document's audience has acknowledged it, by path.
    pub acknowledgements: BTreeMap<String, Coverage>,
}

/// An active waiver: an exception the team accepted, shown to auditors.
#[derive(Debug, Clone, Serialize)]
pub struct Waived {
    /// The document id, or the control (`A.5.7`) for a waiver in the SoA.
    pub subject: String,
    /// The file that holds the waiver.
    pub file: String,
    pub code: Code,
    pub reason: String,
    pub until: NaiveDate,
    /// How many findings it silenced in this run.
    pub silenced: usize,
}
