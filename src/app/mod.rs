//! The commands: what `ismsbook <command>` does, from the parsed arguments to the
//! printed result and the outcome. `main.rs` parses the command line and calls these;
//! tests and other front-ends (serve) call them too.
//!
//! Order inside the layer: `report` (printing diagnostics), then the commands, which
//! use it and the layers below: `check` (and the pull-request gate), `build`, `log`,
//! `diff`, `codeowners`, `scaffold` (`init`, `new`), `import`, `schema`.

pub mod build;
pub mod check;
pub mod codeowners;
pub mod diff;
pub mod export;
pub mod import;
pub mod log;
pub mod report;
pub mod scaffold;
pub mod schema;

use crate::diagnostic::{Code, ConfigError, Diagnostic};
use crate::model::config::{self, Config};
use crate::model::handbook::Handbook;
use crate::model::source::WorkTree;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// What every command gets from the global options.
#[derive(Debug, Clone)]
pub struct Context {
    /// `--root`, when given.
    pub root: Option<PathBuf>,
    /// `--today`, or today.
    pub today: NaiveDate,
    /// Whether standard output is colored.
    pub color: bool,
}

impl Context {
    /// The repository root: `--root`, or the nearest folder upwards from the current
    /// one with a book.toml.
    pub fn root(&self) -> Result<PathBuf, Error> {
        find_root(self.root.as_deref())
    }

    /// The handbook of the repository the command runs in (its own diagnostics are
    /// for `check` to report).
    pub fn handbook(&self) -> Result<Handbook, Error> {
        let root = self.root()?;
        let config = Config::load(&root).map_err(|e| Error::Config(root.clone(), e))?;
        Handbook::load(config, &WorkTree)
            .map(|(handbook, _)| handbook)
            .map_err(|e| Error::Config(root, e))
    }
}

/// How a command ended when it ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The checks found errors (or warnings, with `--deny-warnings`): exit code 1.
    Failed,
}

/// Why a command could not do its work: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// book.toml, a catalog, a folder or a template cannot be used; the root the
    /// diagnostics' paths are relative to.
    #[error("{1}")]
    Config(PathBuf, ConfigError),
    /// The request cannot be met: a bad argument, an unknown revision, a file in
    /// the way.
    #[error("{0}")]
    Usage(String),
    /// A file the command writes could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage(message.into())
    }
}

/// The folder given, or the nearest folder upwards from the current one with a
/// book.toml.
pub fn find_root(given: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(root) = given {
        if !root.is_dir() {
            return Err(Error::usage(format!(
                "--root {}: no such folder",
                root.display()
            )));
        }
        return Ok(root.to_path_buf());
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Error::usage(format!("cannot read the current folder: {e}")))?;
    match cwd
        .ancestors()
        .find(|dir| dir.join(config::FILE_NAME).is_file())
    {
        Some(dir) => Ok(dir.to_path_buf()),
        None => Err(Error::Config(
            cwd.clone(),
            ConfigError::one(
                Diagnostic::new(
                    Code::ConfigUnreadable,
                    config::FILE_NAME,
                    "no book.toml in this folder or any parent folder",
                )
                .hint("run `ismsbook init` to start an ISMS repository here, or pass --root DIR"),
            ),
        )),
    }
}
