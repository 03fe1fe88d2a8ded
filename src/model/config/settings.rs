//! The settings of book.toml as the rest of ismsbook uses them: the book, roles and
//! their members, document folders, the repository's forge, approval evidence and the
//! levels of diagnostic codes.

use crate::model::kinds::DocType;
use serde::Deserialize;

pub const FILE_NAME: &str = "book.toml";

/// The title of the Statement of Applicability, as a controlled document.
pub const SOA_TITLE: &str = "Statement of Applicability";

/// The title of the risk register, as a controlled document.
pub const RISKS_TITLE: &str = "Risk Register";

/// The audience that means every person on the roster.
pub const EVERYONE: &str = "everyone";

pub const DEFAULT_CLASSIFICATIONS: [&str; 4] = ["public", "internal", "confidential", "restricted"];

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

/// `[risks]`: where the risk register is, how risks are rated and how much risk the
/// organisation accepts without an explicit acceptance.
#[derive(Debug, Clone)]
pub struct RiskSettings {
    pub register: String,
    /// True when book.toml names the register: then it must exist.
    pub configured: bool,
    /// Likelihood labels, least likely first; a rank is the 1-based position.
    pub likelihood: Vec<String>,
    /// Impact labels, least severe first.
    pub impact: Vec<String>,
    /// The highest rating (likelihood rank × impact rank) accepted without an
    /// explicit acceptance by the risk's owner.
    pub appetite: usize,
    /// How sensitive the register is: `build --max-classification` publishes its
    /// pages only at or above this level.
    pub classification: String,
}

pub const DEFAULT_LIKELIHOOD: [&str; 5] =
    ["rare", "unlikely", "possible", "likely", "almost-certain"];
pub const DEFAULT_IMPACT: [&str; 5] = ["negligible", "minor", "moderate", "major", "severe"];

impl RiskSettings {
    /// The highest rating the scales allow.
    pub fn max_rating(&self) -> usize {
        self.likelihood.len() * self.impact.len()
    }
}

/// A group of people, as the roster's `groups` column names them: an audience for
/// documents beside the roles.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Group {
    /// The group's full name, e.g. "Engineering".
    pub name: String,
}

/// `[acknowledgements]`: who must read which documents, and who did.
#[derive(Debug, Clone)]
pub struct AckSettings {
    /// The roster: a CSV file with `email,name,groups` (read, never written).
    pub roster: String,
    /// A folder of CSV files with `email,document,version,date`.
    pub records: String,
    /// Days after a version takes effect by which its audience must acknowledge it.
    pub due_days: u32,
    /// The classification of the page that names people (personal data).
    pub classification: String,
}
