//! The typed model of an ISMS repository, and its parsing: book.toml (`config`), the
//! control catalogs (`catalog`), the documents (`document`, `markdown`, `links`), the
//! Statement of Applicability (`soa`), and the linked whole every command reads
//! (`handbook`). Nothing here knows git, the checks or the site.
//!
//! Order inside the layer (each module imports only the ones before it): `kinds`,
//! `yaml`, `config`, `source`, `catalog`, `links`, `markdown`, `waiver`, `document`,
//! `soa`, `handbook`.

pub mod catalog;
pub mod config;
pub mod document;
pub mod handbook;
pub mod kinds;
pub mod ledger;
pub mod links;
pub mod markdown;
pub mod risks;
pub mod soa;
pub mod source;
pub mod waiver;
pub mod yaml;

pub use catalog::Catalog;
pub use config::Config;
pub use document::{Document, FrontMatter};
pub use handbook::Handbook;
pub use kinds::{DocType, Status, Version};
pub use soa::Soa;
