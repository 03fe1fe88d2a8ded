//! Files for people outside the repository: controlled PDF copies of the documents
//! (`copies`, their Typst source from `pdf`, typeset by `typeset` from the markup
//! `markup` writes) and the whole handbook (`book`, its parts joined by `merge`), the ISMS as a workbook (`workbook`), and the sealed audit pack (`pack`)
//! that holds them with the handbook and a manifest of checksums. Each honours the
//! build's classification filter and point in time: it is given the checked report
//! and the build's tables.
//!
//! Order inside the layer: `error`, `markup`, `typeset`, `pdf`, `files`, `merge`,
//! `book`, `copies`, `workbook`, then `pack`.

mod book;
mod copies;
mod error;
mod files;
mod markup;
#[cfg(feature = "pdf")]
mod merge;
mod pack;
mod pdf;
#[cfg(feature = "pdf")]
mod typeset;
mod workbook;

pub use copies::{pdfs, select};
pub use error::ExportError;
pub use files::write;
pub use pack::{Contents, audit_pack};
pub use pdf::Run;
pub use workbook::workbook;
