//! book.toml: the handbook's configuration. Strict: an unknown key is an error that
//! names the key and the keys allowed, and every error points into the file.

pub use crate::diagnostic::ConfigError;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::kinds::DocType;
use crate::text::{LineIndex, Position, decode, did_you_mean};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "book.toml";

/// The title of the Statement of Applicability, as a controlled document.
pub const SOA_TITLE: &str = "Statement of Applicability";

/// The configuration as written, before the checks that serde cannot express.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    book: Book,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    documents: RawDocuments,
    #[serde(default)]
    controls: RawControls,
    #[serde(default)]
    repository: RawRepository,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, Role>,
}

/// `[check]`: the level a team gives each diagnostic code, clippy-style.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCheck {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    warn: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
}

/// What book.toml's `[check]` makes of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Not reported at all.
    Allow,
    /// Reported as a warning, which fails a run only with `--deny-warnings`.
    Warn,
    /// Reported as an error, which fails the run.
    Deny,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Book {
    pub title: String,
    pub organization: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// One paragraph shown on the handbook's front page.
    #[serde(default)]
    pub description: Option<String>,
}

fn default_language() -> String {
    "en".to_string()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBuild {
    build_dir: Option<Spanned<String>>,
    folders: Option<Spanned<BTreeMap<String, Spanned<DocType>>>>,
    #[serde(default)]
    sanitize: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawDocuments {
    review_months: Option<Spanned<u32>>,
    classifications: Option<Spanned<Vec<String>>>,
    default_classification: Option<Spanned<String>>,
    approval_evidence: Option<Spanned<EvidenceLevel>>,
}

/// How an approval is shown to have been given, weakest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceLevel {
    /// The front matter says who approved, and nothing more.
    #[default]
    Declared,
    /// The commit that landed the approved version was made by a member of the
    /// approving role, or carries an `Approved-by:` trailer of one.
    Recorded,
    /// That commit is signed by a key the allowed-signers file lists for a member of
    /// the approving role.
    Signed,
}

impl EvidenceLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceLevel::Declared => "declared",
            EvidenceLevel::Recorded => "recorded",
            EvidenceLevel::Signed => "signed",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawControls {
    soa: Option<Spanned<String>>,
    soa_classification: Option<Spanned<String>>,
    #[serde(default)]
    catalogs: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRepository {
    url: Option<String>,
    forge: Option<Forge>,
    commit_url: Option<String>,
    pull_request_url: Option<String>,
    allowed_signers: Option<Spanned<String>>,
}

/// Where the repository is published, for links to commits and pull requests.
#[derive(Debug, Clone, Default)]
pub struct Repository {
    /// Web address of the repository, e.g. `https://github.com/acme/isms`.
    pub url: Option<String>,
    /// The forge it is on: decides the default shapes of the links.
    pub forge: Forge,
    /// Commit link; `{url}` and `{commit}` are replaced. Default depends on the forge.
    pub commit_url: Option<String>,
    /// Pull-request link; `{url}` and `{number}` are replaced.
    pub pull_request_url: Option<String>,
    /// git's allowed-signers file (`ssh-keygen` format), relative to the root: the
    /// keys that sign approvals, by member.
    pub allowed_signers: Option<String>,
}

/// The forges whose link shapes ismsbook knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    #[default]
    Github,
    Gitlab,
    /// Gitea and Forgejo (Codeberg).
    Gitea,
    Bitbucket,
}

impl Forge {
    /// The forge a repository address is on, by its host name (`gitlab.com`,
    /// `gitlab.example.org` → GitLab); GitHub's link shapes when the host says nothing.
    pub fn of_url(url: &str) -> Forge {
        let host = url
            .split_once("://")
            .map_or(url, |(_, rest)| rest)
            .split(['/', ':'])
            .next()
            .unwrap_or_default()
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let labels: Vec<&str> = host.split('.').collect();
        if labels.contains(&"gitlab") {
            Forge::Gitlab
        } else if labels.contains(&"bitbucket") {
            Forge::Bitbucket
        } else if labels.contains(&"codeberg") || labels.contains(&"gitea") {
            Forge::Gitea
        } else {
            Forge::Github
        }
    }

    /// The default commit and pull-request link templates.
    pub fn templates(self) -> (&'static str, &'static str) {
        match self {
            Forge::Github => ("{url}/commit/{commit}", "{url}/pull/{number}"),
            Forge::Gitlab => ("{url}/-/commit/{commit}", "{url}/-/merge_requests/{number}"),
            Forge::Gitea => ("{url}/commit/{commit}", "{url}/pulls/{number}"),
            Forge::Bitbucket => ("{url}/commits/{commit}", "{url}/pull-requests/{number}"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Role {
    /// The role's full name, e.g. "Chief Information Security Officer".
    pub name: String,
    /// Forge handle(s) for CODEOWNERS, e.g. `@acme/security` or `@jdoe`.
    #[serde(default)]
    pub handle: Option<String>,
    /// The people who hold the role, by e-mail address (as their commits and
    /// signing keys name them): approval evidence is checked against these.
    #[serde(default)]
    pub members: Vec<String>,
}

impl Role {
    /// True when `email` is one of the role's members (case does not matter).
    pub fn has_member(&self, email: &str) -> bool {
        self.members
            .iter()
            .any(|m| m.eq_ignore_ascii_case(email.trim()))
    }
}

/// A folder of controlled documents and the type its documents default to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub path: String,
    pub doc_type: DocType,
}

/// The checked configuration.
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
    /// The levels `[check]` sets; codes not listed keep their own.
    pub levels: BTreeMap<Code, Level>,
}

/// Folders of the built handbook that documents may not use.
const RESERVED_FOLDERS: [&str; 2] = ["assets", "controls"];

pub const DEFAULT_CLASSIFICATIONS: [&str; 4] = ["public", "internal", "confidential", "restricted"];

/// The folders scanned when book.toml does not list any.
pub fn default_folders() -> Vec<Folder> {
    DocType::ALL
        .iter()
        .map(|&t| Folder {
            path: t.default_folder().to_string(),
            doc_type: t,
        })
        .collect()
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
    /// titles: the SoA.
    pub fn yaml_documents(&self) -> Vec<(String, String)> {
        vec![(self.soa.clone(), SOA_TITLE.to_string())]
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

/// The checks of book.toml that serde cannot express, each problem at its place.
struct Checker<'t> {
    text: &'t str,
    index: &'t LineIndex,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, span: std::ops::Range<usize>, message: String, hint: &str) {
        let position = self.index.position(self.text, span.start);
        self.problems.push(
            Diagnostic::new(Code::ConfigInvalid, FILE_NAME, message)
                .at(position)
                .hint(hint.to_string()),
        );
    }

    fn roles(&mut self, raw: BTreeMap<Spanned<String>, Role>) -> BTreeMap<String, Role> {
        let mut roles = BTreeMap::new();
        for (name, role) in raw {
            if !is_role_name(name.get_ref()) {
                self.error(
                    name.span(),
                    format!("role name `{}` is not valid", name.get_ref()),
                    "use letters, digits, `-` and `_`, starting with a letter (e.g. CISO, HR-LEAD)",
                );
            }
            roles.insert(name.into_inner(), role);
        }
        roles
    }

    /// The document folders, and whether book.toml lists them.
    fn folders(
        &mut self,
        raw: Option<Spanned<BTreeMap<String, Spanned<DocType>>>>,
    ) -> (Vec<Folder>, bool) {
        let Some(folders) = raw else {
            return (default_folders(), false);
        };
        let span = folders.span();
        let mut list = Vec::new();
        for (path, doc_type) in folders.into_inner() {
            self.folder(&path, doc_type.span());
            list.push(Folder {
                path: normalize(&path),
                doc_type: doc_type.into_inner(),
            });
        }
        if list.is_empty() {
            self.error(
                span,
                "[build] folders is empty: there is nothing to publish".to_string(),
                "list at least one folder, e.g. folders = { policies = \"policy\" }",
            );
        }
        (list, true)
    }

    fn folder(&mut self, path: &str, span: std::ops::Range<usize>) {
        if let Err(why) = relative_inside(path) {
            self.error(
                span.clone(),
                format!("document folder `{path}` {why}"),
                "name a folder inside the repository, relative to book.toml",
            );
        }
        if normalize(path).is_empty() {
            self.error(
                span.clone(),
                format!("document folder `{path}` is the repository root"),
                "keep documents in folders of their own, e.g. policies = \"policy\"",
            );
        }
        let first = path
            .trim_start_matches("./")
            .split('/')
            .next()
            .unwrap_or_default();
        if RESERVED_FOLDERS.contains(&first) {
            self.error(
                span,
                format!(
                    "document folder `{path}` would collide with the handbook's own `{first}/` pages"
                ),
                "rename the folder; `assets` and `controls` are reserved for the handbook",
            );
        }
    }

    fn build_dir(&mut self, raw: Option<Spanned<String>>, folders: &[Folder]) -> String {
        let Some(dir) = raw else {
            return "book".to_string();
        };
        let value = normalize(dir.get_ref());
        let problem = if let Err(why) = relative_inside(dir.get_ref()) {
            Some(format!("build-dir `{}` {why}", dir.get_ref()))
        } else if value.is_empty() || value == "." {
            Some("build-dir is the repository root: a build would replace the sources".to_string())
        } else {
            folders.iter().find(|f| overlaps(&f.path, &value)).map(|f| {
                format!(
                    "build-dir `{value}` overlaps the document folder `{}`",
                    f.path
                )
            })
        };
        if let Some(message) = problem {
            let hint = if message.contains("leaves") || message.contains("absolute") {
                "use a folder inside the repository such as \"book\""
            } else {
                "use a folder of its own such as \"book\""
            };
            self.error(dir.span(), message, hint);
        }
        value
    }

    fn review_months(&mut self, raw: Option<Spanned<u32>>) -> u32 {
        match raw {
            None => 12,
            Some(months) if *months.get_ref() == 0 || *months.get_ref() > 120 => {
                self.error(
                    months.span(),
                    format!("review-months = {} is out of range", months.get_ref()),
                    "use a number of months from 1 to 120; 12 is usual",
                );
                12
            }
            Some(months) => months.into_inner(),
        }
    }

    fn classifications(&mut self, raw: Option<Spanned<Vec<String>>>) -> Vec<String> {
        let defaults = || DEFAULT_CLASSIFICATIONS.map(String::from).to_vec();
        match raw {
            None => defaults(),
            Some(list) if list.get_ref().is_empty() => {
                self.error(
                    list.span(),
                    "classifications is empty".to_string(),
                    "list the levels from least to most sensitive, e.g. [\"public\", \"internal\", \"confidential\"]",
                );
                defaults()
            }
            Some(list) => list.into_inner(),
        }
    }

    /// A setting that names a classification level must name one of the levels.
    fn level(&mut self, value: Spanned<String>, key: &str, levels: &[String]) -> String {
        if !levels.contains(value.get_ref()) {
            self.error(
                value.span(),
                format!(
                    "{key} `{}` is not one of the classifications",
                    value.get_ref()
                ),
                &format!("use one of: {}", levels.join(", ")),
            );
        }
        value.into_inner()
    }

    /// A path to a file inside the repository.
    fn file_setting(
        &mut self,
        value: Option<Spanned<String>>,
        default: &str,
        what: &str,
    ) -> String {
        let Some(value) = value else {
            return default.to_string();
        };
        if let Err(why) = relative_inside(value.get_ref()) {
            self.error(
                value.span(),
                format!("{what} `{}` {why}", value.get_ref()),
                "name a file inside the repository, relative to book.toml",
            );
        }
        normalize(value.get_ref())
    }

    /// `[check]` allow, warn and deny: codes of the registry that a team may set,
    /// each in one list.
    fn levels(&mut self, raw: RawCheck) -> BTreeMap<Code, Level> {
        let mut levels = BTreeMap::new();
        let lists = [
            ("allow", Level::Allow, raw.allow),
            ("warn", Level::Warn, raw.warn),
            ("deny", Level::Deny, raw.deny),
        ];
        for (list, level, names) in lists {
            for name in names {
                let span = name.span();
                let Some(code) = Code::parse(name.get_ref()) else {
                    let hint =
                        match did_you_mean(name.get_ref(), Code::ALL.iter().map(|c| c.as_str())) {
                            Some(close) => {
                                format!("did you mean `{close}`? docs/checks.md lists every code")
                            }
                            None => "docs/checks.md lists every code".to_string(),
                        };
                    self.error(
                        span,
                        format!(
                            "[check] {list}: `{}` is not a diagnostic code",
                            name.get_ref()
                        ),
                        &hint,
                    );
                    continue;
                };
                if !code.is_configurable() {
                    self.error(
                        span,
                        format!("[check] {list}: the level of `{code}` cannot be changed"),
                        "it reports input that cannot be read, so nothing can be checked until it is fixed",
                    );
                } else if levels.insert(code, level).is_some() {
                    self.error(
                        span,
                        format!("[check]: `{code}` is in more than one list"),
                        "give each code one level: allow, warn or deny",
                    );
                }
            }
        }
        levels
    }

    fn repository(&mut self, raw: RawRepository) -> Repository {
        let forge = match (raw.forge, raw.url.as_deref()) {
            (Some(forge), _) => forge,
            (None, Some(url)) => Forge::of_url(url),
            (None, None) => Forge::default(),
        };
        let allowed_signers = raw
            .allowed_signers
            .map(|path| self.file_setting(Some(path), "", "allowed-signers"));
        Repository {
            url: raw.url,
            forge,
            commit_url: raw.commit_url,
            pull_request_url: raw.pull_request_url,
            allowed_signers,
        }
    }
}

fn toml_diagnostic(error: &toml::de::Error, text: &str, index: &LineIndex) -> Diagnostic {
    let (position, width) = error.span().map_or((Position::FILE, 0), |span| {
        let width = text.get(span.clone()).map_or(1, |s| s.chars().count());
        (index.position(text, span.start), width)
    });
    let message = error.message().trim().to_string();
    let hint = if message.starts_with("unknown field") {
        "remove the key or correct its spelling; the keys allowed are listed above".to_string()
    } else if message.starts_with("missing field") {
        "add the key; see the book.toml reference in docs/configuration.md".to_string()
    } else if message.contains("unknown variant") {
        "use one of the values listed above".to_string()
    } else {
        "see the book.toml reference in docs/configuration.md".to_string()
    };
    Diagnostic::new(
        Code::ConfigInvalid,
        FILE_NAME,
        format!("book.toml: {message}"),
    )
    .span(position, width)
    .hint(hint)
}

fn is_role_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A configured path must stay inside the repository.
fn relative_inside(path: &str) -> Result<(), &'static str> {
    let p = Path::new(path);
    if p.is_absolute() || path.starts_with('/') || path.starts_with('\\') {
        return Err("is an absolute path");
    }
    if p.components()
        .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
    {
        return Err("leaves the repository");
    }
    Ok(())
}

/// `./policies/` → `policies`.
fn normalize(path: &str) -> String {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// True when one folder contains the other.
fn overlaps(a: &str, b: &str) -> bool {
    let inside =
        |inner: &str, outer: &str| inner == outer || inner.starts_with(&format!("{outer}/"));
    inside(a, b) || inside(b, a)
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
