//! ismsbook keeps an ISO/IEC 27001 information security management system as code:
//! Markdown policies and procedures with YAML front matter, kept in git, checked,
//! traced to Annex A controls and published as a controlled static handbook.
//!
//! The crate is layered; each layer imports only the ones below it (docs/design.md
//! draws the picture, and `tests/architecture.rs` keeps it true):
//!
//! 1. [`text`] and [`diagnostic`]: decoding, positions, the registry of codes.
//! 2. [`model`]: the typed data of a repository (book.toml, catalogs, documents,
//!    the SoA) and the one assembly of the handbook from an origin (the work tree,
//!    a commit, an editor's overlay).
//! 3. [`history`]: every version of every document, from one walk of git.
//! 4. [`checks`]: every rule, into a report of diagnostics and facts.
//! 5. [`site`]: the handbook rendered into pages and exports, and written safely.
//! 6. [`app`]: the commands.
//! 7. [`serve`] and [`lsp`]: the long-running front-ends.

// Unsafe code is denied; the one exception is glibc's malloc_trim in
// `history::reading::release_freed_memory`.
#![deny(unsafe_code)]

pub mod app;
pub mod checks;
pub mod diagnostic;
pub mod exports;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod history;
pub mod lsp;
pub mod model;
pub mod serve;
pub mod site;
pub mod text;
