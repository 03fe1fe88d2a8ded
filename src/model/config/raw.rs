//! book.toml as written, before the checks that serde cannot express.

use super::settings::{Book, EvidenceLevel, Forge, Group, Role};
use crate::model::kinds::DocType;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The configuration as written, before the checks that serde cannot express.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub book: Book,
    #[serde(default)]
    pub build: RawBuild,
    #[serde(default)]
    pub documents: RawDocuments,
    #[serde(default)]
    pub controls: RawControls,
    #[serde(default)]
    pub repository: RawRepository,
    #[serde(default)]
    pub check: RawCheck,
    #[serde(default)]
    pub roles: BTreeMap<Spanned<String>, Role>,
    #[serde(default)]
    pub risks: RawRisks,
    #[serde(default)]
    pub groups: BTreeMap<Spanned<String>, Group>,
    pub acknowledgements: Option<RawAcknowledgements>,
}

/// `[risks]`: the risk register and its scales.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRisks {
    pub register: Option<Spanned<String>>,
    pub likelihood: Option<Spanned<Vec<String>>>,
    pub impact: Option<Spanned<Vec<String>>>,
    pub appetite: Option<Spanned<i64>>,
    pub classification: Option<Spanned<String>>,
}

/// `[acknowledgements]`: the roster and the acknowledgement records.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAcknowledgements {
    pub roster: Spanned<String>,
    pub records: Spanned<String>,
    pub due_days: Option<Spanned<i64>>,
    pub classification: Option<Spanned<String>>,
}

/// `[check]`: the level a team gives each diagnostic code, clippy-style.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawCheck {
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    #[serde(default)]
    pub warn: Vec<Spanned<String>>,
    #[serde(default)]
    pub deny: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBuild {
    pub build_dir: Option<Spanned<String>>,
    pub folders: Option<Spanned<BTreeMap<String, Spanned<DocType>>>>,
    #[serde(default)]
    pub sanitize: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDocuments {
    pub review_months: Option<Spanned<u32>>,
    pub classifications: Option<Spanned<Vec<String>>>,
    pub default_classification: Option<Spanned<String>>,
    pub approval_evidence: Option<Spanned<EvidenceLevel>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawControls {
    pub soa: Option<Spanned<String>>,
    pub soa_classification: Option<Spanned<String>>,
    #[serde(default)]
    pub catalogs: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRepository {
    pub url: Option<String>,
    pub forge: Option<Forge>,
    pub commit_url: Option<String>,
    pub pull_request_url: Option<String>,
    pub allowed_signers: Option<Spanned<String>>,
}
