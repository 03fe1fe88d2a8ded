//! Files for people outside the repository: controlled PDF copies of the documents
//! and the whole handbook (`pdf`, typeset by `typeset` from the markup `markup`
//! writes), the ISMS as a workbook (`workbook`), and the sealed audit pack (`pack`)
//! that holds them with the handbook and a manifest of checksums. Each honours the
//! build's classification filter and point in time: it is given the checked report
//! and the build's tables.
//!
//! Order inside the layer: `error`, `markup`, `typeset`, `pdf`, `files`, `workbook`,
//! then `pack`.

mod error;
mod files;
mod markup;
mod pack;
mod pdf;
#[cfg(feature = "pdf")]
mod typeset;
mod workbook;

pub use error::ExportError;
pub use files::{pdfs, select, write};
pub use pack::{Contents, audit_pack};
pub use pdf::Run;
pub use workbook::workbook;
