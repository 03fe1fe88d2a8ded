//! The control catalog: ISO/IEC 27001:2022 Annex A controls, the management-system
//! clauses and the mandatory documented information, built into the binary, plus any
//! further catalogs a project adds through book.toml.
//!
//! Only identifiers and short titles are held here; the standard's requirement text is
//! ISO copyright and never shipped.

use crate::diagnostic::{Code, ConfigError, Diagnostic};
use crate::model::config::Config;
use crate::model::source;
use crate::text::Position;
use serde::Deserialize;
use std::collections::BTreeMap;

const ISO27001_2022: &str = include_str!("../../catalog/iso27001-2022.yaml");

/// The four themes of ISO/IEC 27001:2022 Annex A, plus `other` for controls that come
/// from a project's own catalogs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Organizational,
    People,
    Physical,
    Technological,
    Other,
}

impl Theme {
    pub fn label(self) -> &'static str {
        match self {
            Theme::Organizational => "Organizational controls",
            Theme::People => "People controls",
            Theme::Physical => "Physical controls",
            Theme::Technological => "Technological controls",
            Theme::Other => "Other controls",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    #[serde(default = "other_theme")]
    pub theme: Theme,
    /// ISO/IEC 27001:2013 control ids this control takes over (empty for new controls
    /// and for controls of other catalogs).
    #[serde(default)]
    pub from_2013: Vec<String>,
    /// Which catalog the control comes from ("ISO/IEC 27001:2022 Annex A" or the name of
    /// a project catalog).
    #[serde(skip)]
    pub catalog: String,
}

fn other_theme() -> Theme {
    Theme::Other
}

impl Control {
    /// How people write the control: `A.5.15` for Annex A, the id for others.
    pub fn label(&self) -> String {
        if self.is_annex_a() {
            format!("A.{}", self.id)
        } else {
            self.id.clone()
        }
    }

    /// True for the 93 Annex A controls; the SoA must decide exactly these.
    pub fn is_annex_a(&self) -> bool {
        self.catalog == ANNEX_A
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocInfoKind {
    /// Maintained documented information: a controlled document.
    Document,
    /// Retained documented information: records, evidence.
    Record,
}

/// What ismsbook itself provides for a mandatory item, so it never needs a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CoveredBy {
    /// The Statement of Applicability file.
    Soa,
    /// The document register of the handbook.
    Register,
    /// The risk register (`risks.yaml`), when it is approved.
    Risks,
}

/// One item of the documented information that clauses 4 to 10 make mandatory.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MandatoryItem {
    pub clause: String,
    /// The sub-item of the clause, e.g. `d)`.
    #[serde(default)]
    pub item: Option<String>,
    pub kind: DocInfoKind,
    pub what: String,
    #[serde(default)]
    pub covered_by: Option<CoveredBy>,
}

impl MandatoryItem {
    /// "6.1.3 d)" or "4.3".
    pub fn reference(&self) -> String {
        match &self.item {
            Some(item) => format!("{} {item}", self.clause),
            None => self.clause.clone(),
        }
    }

    /// A document that declares `clause` covers this item when it names the item's
    /// clause, a sub-clause of it, or the sub-clause it belongs to (an internal audit
    /// procedure declaring 9.2 covers the 9.2.2 audit programme). A whole top-level
    /// clause such as `9` is too broad to cover anything by itself.
    pub fn is_covered_by_clause(&self, clause: &str) -> bool {
        let within = |inner: &str, outer: &str| {
            inner == outer
                || inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        clause.contains('.') && (within(clause, &self.clause) || within(&self.clause, clause))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    controls: Vec<Control>,
    #[serde(default)]
    clauses: Vec<Clause>,
    #[serde(default)]
    mandatory: Vec<MandatoryItem>,
}

/// A project's further catalog (book.toml `[controls] catalogs`), e.g. SOC 2 criteria
/// or the organisation's own controls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraCatalogFile {
    pub name: String,
    pub controls: Vec<Control>,
}

pub const ANNEX_A: &str = "ISO/IEC 27001:2022 Annex A";

/// What a control reference written in a document resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlRef<'a> {
    /// A known control (Annex A or a project catalog).
    Known(&'a Control),
    /// An ISO/IEC 27001:2013 Annex A id, with the 2022 controls that took it over.
    Legacy(Vec<&'a Control>),
    Unknown,
}

impl PartialEq for Control {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.catalog == other.catalog
    }
}
impl Eq for Control {}

#[derive(Debug, Clone)]
pub struct Catalog {
    controls: Vec<Control>,
    by_id: BTreeMap<String, usize>,
    /// 2013 id (with the `A.` prefix) → indices of the 2022 controls that replace it.
    legacy: BTreeMap<String, Vec<usize>>,
    clauses: Vec<Clause>,
    mandatory: Vec<MandatoryItem>,
}

impl Catalog {
    /// The built-in ISO/IEC 27001:2022 catalog.
    pub fn iso27001_2022() -> Catalog {
        let file: CatalogFile =
            serde_yaml::from_str(ISO27001_2022).expect("the built-in catalog is valid YAML");
        let mut catalog = Catalog {
            controls: Vec::new(),
            by_id: BTreeMap::new(),
            legacy: BTreeMap::new(),
            clauses: file.clauses,
            mandatory: file.mandatory,
        };
        for mut control in file.controls {
            control.catalog = ANNEX_A.to_string();
            catalog.push(control);
        }
        catalog
    }

    /// The built-in catalog plus the project's catalogs from book.toml.
    pub fn load(config: &Config) -> Result<Catalog, ConfigError> {
        let mut catalog = Catalog::iso27001_2022();
        let mut problems = Vec::new();
        for path in &config.catalogs {
            let source = match source::read(&config.root.join(path), path) {
                Ok(source) => source,
                Err(problem) => {
                    problems.push(problem.hint("check [controls] catalogs in book.toml"));
                    continue;
                }
            };
            match serde_yaml::from_str::<ExtraCatalogFile>(&source.text) {
                Ok(extra) => {
                    for id in catalog.extend(extra) {
                        problems.push(
                            Diagnostic::new(
                                Code::CatalogInvalid,
                                path.as_str(),
                                format!("control id `{id}` clashes with an Annex A id"),
                            )
                            .hint(
                                "give the project's controls ids of their own, e.g. CC6.1 or ACME-01",
                            ),
                        );
                    }
                }
                Err(e) => {
                    let position = e
                        .location()
                        .map_or(Position::FILE, |l| Position::new(l.line(), l.column()));
                    problems.push(
                        Diagnostic::new(
                            Code::CatalogInvalid,
                            path.as_str(),
                            format!("invalid catalog: {e}"),
                        )
                        .at(position)
                        .hint("a catalog has `name:` and `controls:`, a list of {id, title}"),
                    );
                }
            }
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(ConfigError {
                diagnostics: problems,
            })
        }
    }

    fn push(&mut self, control: Control) {
        let index = self.controls.len();
        for old in &control.from_2013 {
            self.legacy.entry(old.clone()).or_default().push(index);
        }
        self.by_id.insert(control.id.clone(), index);
        self.controls.push(control);
    }

    /// Adds a project catalog. Returns the ids that clash with controls already known.
    pub fn extend(&mut self, extra: ExtraCatalogFile) -> Vec<String> {
        let mut clashes = Vec::new();
        for mut control in extra.controls {
            if self.by_id.contains_key(&control.id) || looks_like_annex_a(&control.id) {
                clashes.push(control.id);
                continue;
            }
            control.catalog = extra.name.clone();
            control.from_2013.clear();
            self.push(control);
        }
        clashes
    }

    pub fn controls(&self) -> &[Control] {
        &self.controls
    }

    pub fn annex_a(&self) -> impl Iterator<Item = &Control> {
        self.controls.iter().filter(|c| c.is_annex_a())
    }

    pub fn control(&self, id: &str) -> Option<&Control> {
        self.by_id.get(id).map(|&i| &self.controls[i])
    }

    /// Resolves a control reference as written by an author: `5.15`, `A.5.15`, a 2013
    /// id such as `A.9.2.1`, or an id of a project catalog.
    pub fn resolve(&self, written: &str) -> ControlRef<'_> {
        let written = written.trim();
        if let Some(control) = self.control(written) {
            return ControlRef::Known(control);
        }
        if let Some(bare) = strip_annex_prefix(written)
            && let Some(control) = self.control(bare)
            && control.is_annex_a()
        {
            return ControlRef::Known(control);
        }
        let legacy_key = if written.starts_with("A.") {
            written.to_string()
        } else {
            format!("A.{written}")
        };
        if let Some(indices) = self.legacy.get(&legacy_key) {
            return ControlRef::Legacy(indices.iter().map(|&i| &self.controls[i]).collect());
        }
        ControlRef::Unknown
    }

    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }

    pub fn mandatory(&self) -> &[MandatoryItem] {
        &self.mandatory
    }

    /// Known control ids close to `written`, for "did you mean" hints.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.controls.iter().map(|c| c.id.as_str())
    }
}

/// `A.5.15` → `5.15`; `a.5.15` too, since authors type it either way.
pub fn strip_annex_prefix(written: &str) -> Option<&str> {
    written
        .strip_prefix("A.")
        .or_else(|| written.strip_prefix("a."))
}

/// The canonical form of an Annex A reference: `A.5.15` and `5.15` both give `5.15`.
pub fn canonical_id(written: &str) -> &str {
    strip_annex_prefix(written.trim()).unwrap_or(written.trim())
}

fn looks_like_annex_a(id: &str) -> bool {
    let bare = strip_annex_prefix(id).unwrap_or(id);
    let mut parts = bare.split('.');
    matches!(parts.next(), Some("5" | "6" | "7" | "8"))
        && parts.next().is_some_and(|p| p.parse::<u32>().is_ok())
        && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_the_93_controls_by_theme() {
        let catalog = Catalog::iso27001_2022();
        assert_eq!(catalog.annex_a().count(), 93);
        let count = |t| catalog.annex_a().filter(|c| c.theme == t).count();
        assert_eq!(count(Theme::Organizational), 37);
        assert_eq!(count(Theme::People), 8);
        assert_eq!(count(Theme::Physical), 14);
        assert_eq!(count(Theme::Technological), 34);
    }

    #[test]
    fn resolves_current_prefixed_and_legacy_ids() {
        let catalog = Catalog::iso27001_2022();
        assert!(matches!(catalog.resolve("5.15"), ControlRef::Known(c) if c.id == "5.15"));
        assert!(matches!(catalog.resolve("A.5.15"), ControlRef::Known(c) if c.id == "5.15"));
        match catalog.resolve("A.9.2.1") {
            ControlRef::Legacy(new) => assert_eq!(new[0].id, "5.16"),
            other => panic!("expected legacy, got {other:?}"),
        }
        match catalog.resolve("A.18.2.3") {
            ControlRef::Legacy(new) => {
                let ids: Vec<_> = new.iter().map(|c| c.id.as_str()).collect();
                assert_eq!(ids, ["5.36", "8.8"]);
            }
            other => panic!("expected legacy, got {other:?}"),
        }
        assert_eq!(catalog.resolve("5.99"), ControlRef::Unknown);
    }

    #[test]
    fn mandatory_items_are_covered_by_sub_clauses() {
        let catalog = Catalog::iso27001_2022();
        let audit = catalog
            .mandatory()
            .iter()
            .find(|m| m.clause == "9.2.2")
            .unwrap();
        assert!(audit.is_covered_by_clause("9.2.2"));
        assert!(audit.is_covered_by_clause("9.2"));
        assert!(!audit.is_covered_by_clause("9"));
        assert!(!audit.is_covered_by_clause("9.2.20"));
        assert!(!audit.is_covered_by_clause("9.3"));
    }
}
