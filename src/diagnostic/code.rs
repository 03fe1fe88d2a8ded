//! The registry of diagnostic codes: every code ismsbook reports, with its default
//! severity, the part of docs/checks.md that documents it, whether a team may change
//! its level in book.toml, and a one-line summary. Codes are stable names: CI
//! configurations, `[check]` levels and editors match on them. A test keeps
//! docs/checks.md and this table in step.

use serde::Serialize;
use std::fmt;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Information that never fails a run (e.g. a detached HEAD in CI).
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// Where a code is documented in docs/checks.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Reading,
    FrontMatter,
    Document,
    Links,
    Soa,
    Risks,
    Acknowledgements,
    Coverage,
    History,
    Configuration,
}

impl Group {
    /// The heading of the group's section in docs/checks.md.
    pub fn heading(self) -> &'static str {
        match self {
            Group::Reading => "Reading files",
            Group::FrontMatter => "Front matter",
            Group::Document => "Document rules",
            Group::Links => "Links",
            Group::Soa => "Statement of Applicability",
            Group::Risks => "Risk register",
            Group::Acknowledgements => "Acknowledgements",
            Group::Coverage => "Clause coverage",
            Group::History => "History and the pull-request gate",
            Group::Configuration => "Configuration (exit code 2)",
        }
    }

    /// Codes of these groups describe input that cannot be read at all; a team cannot
    /// silence or lower them (there is nothing to check until they are fixed).
    pub fn is_fixed(self) -> bool {
        matches!(
            self,
            Group::Reading | Group::FrontMatter | Group::Configuration
        )
    }
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $severity:ident, $group:ident, $many:literal, $summary:literal; )*) => {
        /// A diagnostic code. Its text form (`broken-link`) is the stable name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $variant, )*
        }

        impl Code {
            /// Every code, in the order of docs/checks.md.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable name, e.g. `broken-link`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The severity a finding with this code has unless book.toml says otherwise.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            pub fn group(self) -> Group {
                match self { $( Code::$variant => Group::$group, )* }
            }

            /// What the code means, in one line.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            /// What many findings of the code are, after their number: "93 controls
            /// undecided" (folded output).
            pub fn many(self) -> &'static str {
                match self { $( Code::$variant => $many, )* }
            }
        }
    };
}

codes! {
    Unreadable = "unreadable", Error, Reading, "files cannot be read", "a file cannot be read (permissions)";
    NotUtf8 = "not-utf8", Error, Reading, "files are not UTF-8", "a file is not UTF-8; the position is the first bad byte";
    FolderMissing = "folder-missing", Note, Reading, "document folders missing", "a configured document folder does not exist (git keeps no empty folders)";
    SymlinkSkipped = "symlink-skipped", Warning, Reading, "symbolic links skipped", "a document is a symbolic link, which is never followed";
    EmptyFile = "empty-file", Error, Reading, "files are empty", "the file is empty";

    FrontMatterMissing = "front-matter-missing", Error, FrontMatter, "files have no front matter", "the file does not start with `---`";
    FrontMatterUnclosed = "front-matter-unclosed", Error, FrontMatter, "front matters are not closed", "the opening `---` has no closing `---`";
    FrontMatterEmpty = "front-matter-empty", Error, FrontMatter, "front matters are empty", "nothing between the two `---` lines";
    FrontMatterInvalid = "front-matter-invalid", Error, FrontMatter, "front matters are not maps of fields", "the front matter is YAML but not a map of fields";
    YamlSyntax = "yaml-syntax", Error, FrontMatter, "YAML errors", "invalid YAML, including a key given twice (reported where it is repeated)";
    UnknownKey = "unknown-key", Error, FrontMatter, "unknown keys", "a key the contract does not have";
    MissingField = "missing-field", Error, FrontMatter, "required fields missing", "`id`, `title`, `version` or `owner` is missing";
    InvalidId = "invalid-id", Error, FrontMatter, "invalid ids", "the id does not match `[A-Z][A-Z0-9]*(-[A-Z0-9]+)+`";
    InvalidVersion = "invalid-version", Error, FrontMatter, "invalid versions", "`version` is not a quoted `MAJOR.MINOR` string";
    InvalidValue = "invalid-value", Error, FrontMatter, "invalid values", "a value of the wrong type, or not one of the values allowed";
    InvalidDate = "invalid-date", Error, FrontMatter, "invalid dates", "a date that is not `YYYY-MM-DD` or does not exist";
    UnquotedNumber = "unquoted-number", Error, FrontMatter, "numbers where text is meant", "an item or key that YAML reads as a number (`5.10` would be 5.1)";

    DuplicateId = "duplicate-id", Error, Document, "ids used twice", "two documents share an id";
    UnknownRole = "unknown-role", Error, Document, "unknown roles", "a role that book.toml does not define";
    ApprovalIncomplete = "approval-incomplete", Error, Document, "approvals incomplete", "`status: approved` without `approved_by` or `approved_on`";
    ApproverNotAllowed = "approver-not-allowed", Error, Document, "approvals by a role not among the approvers", "`approved_by` is not one of `approvers`";
    ApprovalInFuture = "approval-in-future", Error, Document, "approvals dated in the future", "`approved_on` is after today";
    EffectiveBeforeApproval = "effective-before-approval", Error, Document, "effective dates before approval", "`effective` is before `approved_on`";
    ChangeMissing = "change-missing", Warning, Document, "approved versions without a change text", "an approved version has no `change` text";
    ReviewOverdue = "review-overdue", Warning, Document, "reviews overdue", "an approved document's next review is past";
    UnknownControl = "unknown-control", Error, Document, "unknown controls", "a `controls` entry that no catalog knows";
    LegacyControl = "legacy-control", Error, Document, "2013 control ids", "a 2013 control id in `controls` or the SoA";
    UnknownControlMention = "unknown-control-mention", Warning, Document, "unknown control ids in the text", "a control id in the text that no catalog knows";
    LegacyControlMention = "legacy-control-mention", Warning, Document, "2013 control ids in the text", "a 2013 control id in the text";
    DuplicateControl = "duplicate-control", Warning, Document, "controls listed twice", "a control listed twice in one document";
    UnknownClause = "unknown-clause", Error, Document, "unknown clauses", "a `clauses` entry that is not an ISO/IEC 27001 clause";
    UnknownRelated = "unknown-related", Error, Document, "unknown related ids", "a `related` id that no document has";
    UntracedDocument = "untraced-document", Warning, Document, "approved documents traced to nothing", "an approved policy, procedure or standard names no control and no clause";
    RetentionMissing = "retention-missing", Warning, Document, "records without a retention period", "a record has no `retention`";
    WaiverExpired = "waiver-expired", Error, Document, "waivers expired", "a waiver's `until` date has passed: the finding it waived is back";
    RelatedSelf = "related-self", Warning, Document, "documents related to themselves", "a document lists itself in `related`";

    BrokenLink = "broken-link", Error, Links, "broken links", "a relative link to a file that does not exist or is not a document";
    BrokenAnchor = "broken-anchor", Error, Links, "broken anchors", "a `#anchor` that no heading of the target has";
    UnsafeLink = "unsafe-link", Warning, Links, "unsafe links", "a `javascript:`, `vbscript:` or non-image `data:` link";

    SoaMissing = "soa-missing", Error, Soa, "SoA files missing", "the SoA file does not exist";
    SoaInvalid = "soa-invalid", Error, Soa, "invalid SoA entries", "an SoA entry is not a map, or a value has the wrong type";
    SoaControlMissing = "soa-control-missing", Error, Soa, "controls without an SoA entry", "an Annex A control has no entry in the SoA";
    SoaDuplicate = "soa-duplicate", Error, Soa, "controls decided twice", "a control has two entries (`A.5.1` and `\"5.1\"`)";
    SoaUndecided = "soa-undecided", Warning, Soa, "controls undecided", "`applicable` is empty";
    SoaExclusionUnjustified = "soa-exclusion-unjustified", Error, Soa, "exclusions without a justification", "an excluded control has no specific justification";
    SoaStatusMissing = "soa-status-missing", Warning, Soa, "applicable controls without a status", "an applicable control has no implementation status";
    ControlNotImplemented = "control-not-implemented", Warning, Soa, "applicable controls implemented by no approved document", "an applicable control that no approved document implements";
    ExcludedControlImplemented = "excluded-control-implemented", Warning, Soa, "excluded controls that documents implement", "a document implements a control the SoA excludes";

    RiskRegisterMissing = "risk-register-missing", Warning, Risks, "risk registers missing", "the SoA cites risks, or book.toml names a register, but the register file does not exist";
    RiskInvalid = "risk-invalid", Error, Risks, "invalid risk entries", "a risk entry is not a map, lacks a required field, or a value is not on its scale";
    UnknownRisk = "unknown-risk", Error, Risks, "unknown risks", "an SoA entry cites a risk the register does not have";
    ControlWithoutBasis = "control-without-basis", Warning, Risks, "applicable controls without a basis", "an applicable control that no risk lists and the SoA gives no `basis`";
    RiskControlExcluded = "risk-control-excluded", Error, Risks, "risks mitigated by excluded controls", "a risk to mitigate lists a control the SoA excludes";
    ResidualNotAccepted = "residual-not-accepted", Error, Risks, "residual risks above appetite not accepted", "a risk remains above the appetite and its owner has not accepted it";
    TreatmentOverdue = "treatment-overdue", Warning, Risks, "treatments overdue", "a risk's treatment was due and one of its controls is not implemented yet";

    LedgerUnreadable = "ledger-unreadable", Error, Acknowledgements, "acknowledgement files unreadable", "the roster or a records file cannot be read, or lacks its header";
    LedgerRowInvalid = "ledger-row-invalid", Warning, Acknowledgements, "invalid acknowledgement rows", "a row of the roster or the records is malformed; the other rows are read";
    UnknownAudience = "unknown-audience", Error, Acknowledgements, "unknown audiences", "an `audience` entry that is neither a role nor a group";
    AudienceEmpty = "audience-empty", Warning, Acknowledgements, "audiences of nobody", "an `audience` entry names a role without members or a group nobody on the roster is in";
    AcknowledgementOverdue = "acknowledgement-overdue", Warning, Acknowledgements, "documents not acknowledged in time", "people in a document's audience have not acknowledged its version within `due-days`";

    ClauseNotCovered = "clause-not-covered", Warning, Coverage, "mandatory items not covered", "mandatory documented information that no approved document covers";

    UncommittedChange = "uncommitted-change", Warning, History, "documents with uncommitted changes", "the document differs from HEAD, or is not committed yet";
    VersionDecreased = "version-decreased", Error, History, "versions lowered", "the version is lower than one the document had before";
    ChangedAfterApproval = "changed-after-approval", Error, History, "documents changed after approval", "the title or text changed after the current version was approved";
    ApprovalNotRenewed = "approval-not-renewed", Warning, History, "approvals carried over", "`approved_on` is earlier than the previous version's approval";
    ApprovalPredatesChange = "approval-predates-change", Error, History, "approvals dated before their text", "`approved_on` is earlier than the day the approved content first landed";
    ApprovalUnproven = "approval-unproven", Error, History, "approvals without the evidence book.toml requires", "an approval landed after `approval-evidence` was set has weaker evidence";
    SelfApproved = "self-approved", Warning, History, "versions approved by their sole author", "a version approved only by the one person who wrote it";
    IdReused = "id-reused", Error, History, "ids reused", "an id that belonged to a removed document is given to another";
    RecordChanged = "record-changed", Error, History, "approved records changed", "the content of a record changed after it was approved";
    ApprovalRewritten = "approval-rewritten", Error, History, "approvals rewritten", "`check --base`: `approved_by` or `approved_on` of an approved version changed without a new version";
    VersionNotRaised = "version-not-raised", Error, History, "changes without a higher version", "`check --base`: the content changed since the base, the version did not";
    ChangeNotDescribed = "change-not-described", Error, History, "changes without a change text", "`check --base`: the content changed, `change` did not";
    RemovedWithoutRetirement = "removed-without-retirement", Error, History, "documents removed without retirement", "`check --base`: a document was removed without being retired first";
    CodeownersOutdated = "codeowners-outdated", Warning, History, "CODEOWNERS files out of date", "the committed CODEOWNERS block differs from owners and approvers";
    HistoryUnavailable = "history-unavailable", Warning, History, "history problems", "no git repository, or it cannot be read";
    HistoryEmpty = "history-empty", Warning, History, "empty histories", "the repository has no commits yet";
    HistoryShallow = "history-shallow", Warning, History, "shallow clones", "a shallow clone: history before the boundary is missing";
    DetachedHead = "detached-head", Note, History, "detached HEADs", "HEAD is detached (normal in CI)";

    ConfigUnreadable = "config-unreadable", Error, Configuration, "configuration files unreadable", "no book.toml here or in a parent folder, or it cannot be read";
    ConfigInvalid = "config-invalid", Error, Configuration, "configuration errors", "book.toml has an unknown key, a wrong type or an unusable value";
    CatalogInvalid = "catalog-invalid", Error, Configuration, "catalog errors", "a project catalog cannot be read, or its ids clash with Annex A";
    ThemeInvalid = "theme-invalid", Error, Configuration, "template errors", "a template override is not UTF-8 or has a template error";
}

impl Code {
    /// The code with this name, if there is one.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }

    /// True when book.toml's `[check]` levels may change it.
    pub fn is_configurable(self) -> bool {
        !self.group().is_fixed() && self != Code::DuplicateId
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name}"
            );
            assert_eq!(Code::parse(name), Some(*code));
        }
    }
}
