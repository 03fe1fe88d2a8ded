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
    ($( $variant:ident = $name:literal, $severity:ident, $group:ident, $summary:literal; )*) => {
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
        }
    };
}

codes! {
    Unreadable = "unreadable", Error, Reading, "a file cannot be read (permissions)";
    NotUtf8 = "not-utf8", Error, Reading, "a file is not UTF-8; the position is the first bad byte";
    SymlinkSkipped = "symlink-skipped", Warning, Reading, "a document is a symbolic link, which is never followed";
    EmptyFile = "empty-file", Error, Reading, "the file is empty";

    FrontMatterMissing = "front-matter-missing", Error, FrontMatter, "the file does not start with `---`";
    FrontMatterUnclosed = "front-matter-unclosed", Error, FrontMatter, "the opening `---` has no closing `---`";
    FrontMatterEmpty = "front-matter-empty", Error, FrontMatter, "nothing between the two `---` lines";
    FrontMatterInvalid = "front-matter-invalid", Error, FrontMatter, "the front matter is YAML but not a map of fields";
    YamlSyntax = "yaml-syntax", Error, FrontMatter, "invalid YAML, including a key given twice (reported where it is repeated)";
    UnknownKey = "unknown-key", Error, FrontMatter, "a key the contract does not have";
    MissingField = "missing-field", Error, FrontMatter, "`id`, `title`, `version` or `owner` is missing";
    InvalidId = "invalid-id", Error, FrontMatter, "the id does not match `[A-Z][A-Z0-9]*(-[A-Z0-9]+)+`";
    InvalidVersion = "invalid-version", Error, FrontMatter, "`version` is not a quoted `MAJOR.MINOR` string";
    InvalidValue = "invalid-value", Error, FrontMatter, "a value of the wrong type, or not one of the values allowed";
    InvalidDate = "invalid-date", Error, FrontMatter, "a date that is not `YYYY-MM-DD` or does not exist";
    UnquotedNumber = "unquoted-number", Error, FrontMatter, "an item or key that YAML reads as a number (`5.10` would be 5.1)";

    DuplicateId = "duplicate-id", Error, Document, "two documents share an id";
    UnknownRole = "unknown-role", Error, Document, "a role that book.toml does not define";
    ApprovalIncomplete = "approval-incomplete", Error, Document, "`status: approved` without `approved_by` or `approved_on`";
    ApproverNotAllowed = "approver-not-allowed", Error, Document, "`approved_by` is not one of `approvers`";
    ApprovalInFuture = "approval-in-future", Error, Document, "`approved_on` is after today";
    EffectiveBeforeApproval = "effective-before-approval", Error, Document, "`effective` is before `approved_on`";
    ChangeMissing = "change-missing", Warning, Document, "an approved version has no `change` text";
    ReviewOverdue = "review-overdue", Warning, Document, "an approved document's next review is past";
    UnknownControl = "unknown-control", Error, Document, "a `controls` entry that no catalog knows";
    LegacyControl = "legacy-control", Error, Document, "a 2013 control id in `controls` or the SoA";
    UnknownControlMention = "unknown-control-mention", Warning, Document, "a control id in the text that no catalog knows";
    LegacyControlMention = "legacy-control-mention", Warning, Document, "a 2013 control id in the text";
    DuplicateControl = "duplicate-control", Warning, Document, "a control listed twice in one document";
    UnknownClause = "unknown-clause", Error, Document, "a `clauses` entry that is not an ISO/IEC 27001 clause";
    UnknownRelated = "unknown-related", Error, Document, "a `related` id that no document has";
    RelatedSelf = "related-self", Warning, Document, "a document lists itself in `related`";

    BrokenLink = "broken-link", Error, Links, "a relative link to a file that does not exist or is not a document";
    BrokenAnchor = "broken-anchor", Error, Links, "a `#anchor` that no heading of the target has";
    UnsafeLink = "unsafe-link", Warning, Links, "a `javascript:`, `vbscript:` or non-image `data:` link";

    SoaMissing = "soa-missing", Error, Soa, "the SoA file does not exist";
    SoaInvalid = "soa-invalid", Error, Soa, "an SoA entry is not a map, or a value has the wrong type";
    SoaControlMissing = "soa-control-missing", Error, Soa, "an Annex A control has no entry in the SoA";
    SoaDuplicate = "soa-duplicate", Error, Soa, "a control has two entries (`A.5.1` and `\"5.1\"`)";
    SoaUndecided = "soa-undecided", Warning, Soa, "`applicable` is empty";
    SoaExclusionUnjustified = "soa-exclusion-unjustified", Error, Soa, "an excluded control has no specific justification";
    SoaStatusMissing = "soa-status-missing", Warning, Soa, "an applicable control has no implementation status";
    ControlNotImplemented = "control-not-implemented", Warning, Soa, "an applicable control that no approved document implements";
    ExcludedControlImplemented = "excluded-control-implemented", Warning, Soa, "a document implements a control the SoA excludes";

    ClauseNotCovered = "clause-not-covered", Warning, Coverage, "mandatory documented information that no approved document covers";

    UncommittedChange = "uncommitted-change", Warning, History, "the document differs from HEAD, or is not committed yet";
    VersionDecreased = "version-decreased", Error, History, "the version is lower than one the document had before";
    ChangedAfterApproval = "changed-after-approval", Error, History, "the title or text changed after the current version was approved";
    ApprovalNotRenewed = "approval-not-renewed", Warning, History, "`approved_on` is earlier than the previous version's approval";
    VersionNotRaised = "version-not-raised", Error, History, "`check --base`: the content changed since the base, the version did not";
    ChangeNotDescribed = "change-not-described", Error, History, "`check --base`: the content changed, `change` did not";
    RemovedWithoutRetirement = "removed-without-retirement", Error, History, "`check --base`: a document was removed without being retired first";
    CodeownersOutdated = "codeowners-outdated", Warning, History, "the committed CODEOWNERS block differs from owners and approvers";
    HistoryUnavailable = "history-unavailable", Warning, History, "no git repository, or it cannot be read";
    HistoryEmpty = "history-empty", Warning, History, "the repository has no commits yet";
    HistoryShallow = "history-shallow", Warning, History, "a shallow clone: history before the boundary is missing";
    DetachedHead = "detached-head", Note, History, "HEAD is detached (normal in CI)";

    ConfigUnreadable = "config-unreadable", Error, Configuration, "no book.toml here or in a parent folder, or it cannot be read";
    ConfigInvalid = "config-invalid", Error, Configuration, "book.toml has an unknown key, a wrong type or an unusable value";
    CatalogInvalid = "catalog-invalid", Error, Configuration, "a project catalog cannot be read, or its ids clash with Annex A";
    ThemeInvalid = "theme-invalid", Error, Configuration, "a template override is not UTF-8 or has a template error";
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
