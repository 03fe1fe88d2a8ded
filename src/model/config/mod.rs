//! book.toml: the handbook's configuration. Strict: an unknown key is an error that
//! names the key and the keys allowed, and every error points into the file.

pub use crate::diagnostic::ConfigError;

mod checker;
mod raw;
mod registers;
mod settings;

pub use settings::{
    AckSettings, Book, DEFAULT_CLASSIFICATIONS, EVERYONE, EvidenceLevel, FILE_NAME, Folder, Forge,
    Group, Level, RISKS_TITLE, Repository, RiskSettings, Role, SOA_TITLE, default_folders,
};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::kinds::DocType;
use crate::text::{LineIndex, decode};
use checker::{Checker, toml_diagnostic};
use raw::RawConfig;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub book: Book,
    pub build_dir: String,
    pub folders: Vec<Folder>,
    /// True when book.toml lists the folders; then a missing folder is an error.
    pub folders_configured: bool,
    pub review_months: u32,
    /// The approval evidence every approved version must have, from the commit that
    /// set it onward.
    pub approval_evidence: EvidenceLevel,
    pub classifications: Vec<String>,
    pub default_classification: String,
    pub soa: String,
    /// How sensitive the SoA's reasoning (justifications, owners, risks) is.
    pub soa_classification: String,
    pub catalogs: Vec<String>,
    /// Strip scripts, event handlers and `javascript:` URLs from Markdown bodies.
    pub sanitize: bool,
    pub repository: Repository,
    pub roles: BTreeMap<String, Role>,
    /// The risk register and its scales.
    pub risks: RiskSettings,
    /// Groups of people (from the roster), for documents' `audience`.
    pub groups: BTreeMap<String, Group>,
    /// The acknowledgement ledger, when kept.
    pub acknowledgements: Option<AckSettings>,
    /// The levels `[check]` sets; codes not listed keep their own.
    pub levels: BTreeMap<Code, Level>,
}

impl Config {
    /// Reads `root/book.toml`.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(FILE_NAME);
        let bytes = std::fs::read(&path).map_err(|e| unreadable(root, &path, &e))?;
        let text = decode(&bytes).map_err(|position| {
            ConfigError::one(
                Diagnostic::new(Code::NotUtf8, FILE_NAME, "book.toml is not valid UTF-8")
                    .at(position)
                    .hint("save the file as UTF-8"),
            )
        })?;
        Config::parse(root, &text)
    }

    /// Parses book.toml text; `root` is the repository root it belongs to.
    pub fn parse(root: &Path, text: &str) -> Result<Config, ConfigError> {
        let index = LineIndex::new(text);
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| ConfigError::one(toml_diagnostic(&e, text, &index)))?;
        let mut checker = Checker {
            text,
            index: &index,
            problems: Vec::new(),
        };
        let roles = checker.roles(raw.roles);
        let (folders, folders_configured) = checker.folders(raw.build.folders);
        let build_dir = checker.build_dir(raw.build.build_dir, &folders);
        let review_months = checker.review_months(raw.documents.review_months);
        let approval_evidence = match raw.documents.approval_evidence {
            Some(level)
                if *level.get_ref() == EvidenceLevel::Signed
                    && raw.repository.allowed_signers.is_none() =>
            {
                checker.error(
                    level.span(),
                    "approval-evidence = \"signed\" needs the keys that sign: [repository] allowed-signers is not set".to_string(),
                    "add allowed-signers = \".ismsbook/allowed_signers\" (git's format: `email key-type key`) under [repository]",
                );
                EvidenceLevel::Signed
            }
            Some(level) => level.into_inner(),
            None => EvidenceLevel::Declared,
        };
        let classifications = checker.classifications(raw.documents.classifications);
        let default_classification = match raw.documents.default_classification {
            None if classifications.iter().any(|c| c == "internal") => "internal".to_string(),
            None => classifications[0].clone(),
            Some(value) => checker.level(value, "default-classification", &classifications),
        };
        let soa_classification = match raw.controls.soa_classification {
            None => default_classification.clone(),
            Some(value) => checker.level(value, "soa-classification", &classifications),
        };
        let soa = checker.file_setting(raw.controls.soa, "soa.yaml", "soa");
        let catalogs = raw
            .controls
            .catalogs
            .into_iter()
            .map(|c| checker.file_setting(Some(c), "", "catalog"))
            .collect();
        let repository = checker.repository(raw.repository);
        let levels = checker.levels(raw.check);
        let risks = checker.risks(raw.risks, &classifications, &soa_classification);
        let groups = checker.groups(raw.groups, &roles);
        let acknowledgements = checker.acknowledgements(raw.acknowledgements, &classifications);
        if !checker.problems.is_empty() {
            return Err(ConfigError {
                diagnostics: checker.problems,
            });
        }
        Ok(Config {
            root: root.to_path_buf(),
            book: raw.book,
            build_dir,
            folders,
            folders_configured,
            review_months,
            approval_evidence,
            classifications,
            default_classification,
            soa,
            soa_classification,
            catalogs,
            sanitize: raw.build.sanitize,
            repository,
            roles,
            risks,
            groups,
            acknowledgements,
            levels,
        })
    }

    /// The folder a document path belongs to.
    pub fn folder_of(&self, path: &str) -> Option<&Folder> {
        self.folders
            .iter()
            .filter(|f| path.starts_with(&format!("{}/", f.path)))
            .max_by_key(|f| f.path.len())
    }

    /// The role that owns new documents: the one asked for (which must exist), else
    /// CISO, else the first role of book.toml.
    pub fn owner_role(&self, requested: Option<&str>) -> Result<String, OwnerError> {
        match requested {
            Some(owner) if self.roles.contains_key(owner) => Ok(owner.to_string()),
            Some(owner) => Err(OwnerError::Unknown {
                owner: owner.to_string(),
                roles: self.roles.keys().cloned().collect::<Vec<_>>().join(", "),
            }),
            None if self.roles.contains_key("CISO") => Ok("CISO".to_string()),
            None => self.roles.keys().next().cloned().ok_or(OwnerError::NoRoles),
        }
    }

    /// Where a classification level stands, least sensitive first (`None` if unknown).
    pub fn classification_rank(&self, level: &str) -> Option<usize> {
        self.classifications.iter().position(|c| c == level)
    }

    /// The controlled documents that are YAML files of their own kind, with their
    /// titles: the SoA and the risk register.
    pub fn yaml_documents(&self) -> Vec<(String, String)> {
        vec![
            (self.soa.clone(), SOA_TITLE.to_string()),
            (self.risks.register.clone(), RISKS_TITLE.to_string()),
        ]
    }

    /// The folder new documents of a type go into.
    pub fn folder_for(&self, doc_type: DocType) -> Option<&Folder> {
        self.folders.iter().find(|f| f.doc_type == doc_type)
    }
}

/// Why no owner can be given to a new document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OwnerError {
    #[error("`{owner}` is not a role of book.toml; the roles are: {roles}")]
    Unknown { owner: String, roles: String },
    #[error(
        "book.toml defines no roles; add one first, e.g. [roles.CISO] name = \"Chief Information Security Officer\""
    )]
    NoRoles,
}

/// book.toml cannot be read at all.
fn unreadable(root: &Path, path: &Path, error: &std::io::Error) -> ConfigError {
    let bare =
        root.join("HEAD").is_file() && root.join("objects").is_dir() && root.join("refs").is_dir();
    let hint = if bare {
        "this is a bare git repository, which has no working files: run ismsbook in a clone of it (`git clone` it first)"
    } else if error.kind() == std::io::ErrorKind::NotFound {
        "run `ismsbook init` to start a new ISMS repository, or pass --root DIR"
    } else {
        "check the file's permissions"
    };
    ConfigError::one(
        Diagnostic::new(
            Code::ConfigUnreadable,
            FILE_NAME,
            format!("cannot read {}: {error}", path.display()),
        )
        .hint(hint),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/repo"), text)
    }

    const MINIMAL: &str = "[book]\ntitle = \"T\"\norganization = \"O\"\n";

    #[test]
    fn minimal_config_gets_defaults() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.build_dir, "book");
        assert_eq!(config.review_months, 12);
        assert_eq!(config.default_classification, "internal");
        assert_eq!(config.soa, "soa.yaml");
        assert_eq!(
            config.folder_of("policies/a.md").unwrap().doc_type,
            DocType::Policy
        );
    }

    #[test]
    fn unknown_key_names_the_allowed_keys_and_its_line() {
        let err = parse(&format!("{MINIMAL}[build]\nbuild-directory = \"out\"\n")).unwrap_err();
        let d = &err.diagnostics[0];
        assert!(
            d.message.contains("unknown field `build-directory`"),
            "{}",
            d.message
        );
        assert!(d.message.contains("build-dir"), "{}", d.message);
        assert_eq!((d.line, d.column), (5, 1));
    }

    #[test]
    fn document_folders_may_not_take_the_handbooks_own_names() {
        let err = parse(&format!(
            "{MINIMAL}[build.folders]\ncontrols = \"standard\"\n"
        ))
        .unwrap_err();
        assert!(
            err.diagnostics[0].message.contains("collide"),
            "{:?}",
            err.diagnostics
        );
    }

    #[test]
    fn build_dir_may_not_be_the_root_or_outside() {
        for dir in [".", "./", "../out", "/tmp/out", "policies"] {
            let err = parse(&format!("{MINIMAL}[build]\nbuild-dir = \"{dir}\"\n")).unwrap_err();
            assert_eq!(err.diagnostics[0].line, 5, "{dir}");
        }
    }
}
