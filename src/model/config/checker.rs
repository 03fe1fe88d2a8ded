//! The checks of book.toml that serde cannot express: paths inside the repository,
//! ranges, levels that exist, codes that exist. Each problem points into the file.

use super::raw::{RawCheck, RawRepository};
use super::settings::{
    DEFAULT_CLASSIFICATIONS, FILE_NAME, Folder, Forge, Level, Repository, Role, default_folders,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::kinds::DocType;
use crate::text::{LineIndex, Position, did_you_mean};
use std::collections::BTreeMap;
use std::path::{Component, Path};
use toml::Spanned;

/// Folders of the built handbook that documents may not use.
const RESERVED_FOLDERS: [&str; 2] = ["assets", "controls"];

pub struct Checker<'t> {
    pub text: &'t str,
    pub index: &'t LineIndex,
    pub problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    pub fn error(&mut self, span: std::ops::Range<usize>, message: String, hint: &str) {
        let position = self.index.position(self.text, span.start);
        self.problems.push(
            Diagnostic::new(Code::ConfigInvalid, FILE_NAME, message)
                .at(position)
                .hint(hint.to_string()),
        );
    }

    pub fn roles(&mut self, raw: BTreeMap<Spanned<String>, Role>) -> BTreeMap<String, Role> {
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
    pub fn folders(
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

    pub fn folder(&mut self, path: &str, span: std::ops::Range<usize>) {
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

    pub fn build_dir(&mut self, raw: Option<Spanned<String>>, folders: &[Folder]) -> String {
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

    pub fn review_months(&mut self, raw: Option<Spanned<u32>>) -> u32 {
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

    pub fn classifications(&mut self, raw: Option<Spanned<Vec<String>>>) -> Vec<String> {
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
    pub fn level(&mut self, value: Spanned<String>, key: &str, levels: &[String]) -> String {
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
    pub fn file_setting(
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
    pub fn levels(&mut self, raw: RawCheck) -> BTreeMap<Code, Level> {
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

    pub fn repository(&mut self, raw: RawRepository) -> Repository {
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

pub fn toml_diagnostic(error: &toml::de::Error, text: &str, index: &LineIndex) -> Diagnostic {
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

pub fn is_role_name(name: &str) -> bool {
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
