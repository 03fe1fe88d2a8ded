//! The handbook model: the configuration, the catalog, every document with its outline,
//! the SoA, the risk register and the acknowledgement ledger, linked together (ids,
//! paths, control → documents, control → risks). Loaded once; the checks, the
//! renderer and the exports all read this one model.

use crate::diagnostic::{ConfigError, Diagnostic};
use crate::model::catalog::{Catalog, ControlRef, MandatoryItem};
use crate::model::config::Config;
use crate::model::document::{
    self, ControlBlock, Defaults, Document, FrontMatter, Snapshot, Spans,
};
use crate::model::kinds::{DocType, Status};
use crate::model::ledger::Ledger;
use crate::model::markdown::{self, Outline};
use crate::model::risks::{Risk, RiskRegister};
use crate::model::soa::Soa;
use crate::model::source::{Origin, Source};
use chrono::{Months, NaiveDate};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A document as parsed: the document, what parsing found, its outline.
type ParsedDocument = (Document, Vec<Diagnostic>, Outline);

/// Documents as parsed before, by a hash of all that parsing reads (the path, the
/// text, the folder's type, the default classification): a long-running process
/// (`serve`, `lsp`) parses again only what changed. It keeps the documents of the
/// last load only.
#[derive(Default)]
pub struct Parsed {
    documents: std::sync::Mutex<HashMap<u128, std::sync::Arc<ParsedDocument>>>,
}

impl Parsed {
    fn parse(
        &self,
        config: &Config,
        sources: &[Source],
        parse: impl Fn(&Source) -> ParsedDocument + Sync,
    ) -> Vec<ParsedDocument> {
        let before = std::mem::take(&mut *self.documents.lock().unwrap_or_else(|e| e.into_inner()));
        let keyed: Vec<(u128, std::sync::Arc<ParsedDocument>)> = sources
            .par_iter()
            .map(|source| {
                let doc_type = config.folder_of(&source.path).map(|f| f.doc_type.label());
                let mut key = xxhash_rust::xxh3::Xxh3::new();
                for part in [
                    source.path.as_str(),
                    source.text.as_str(),
                    doc_type.unwrap_or_default(),
                    config.default_classification.as_str(),
                ] {
                    key.update(&(part.len() as u64).to_le_bytes());
                    key.update(part.as_bytes());
                }
                let key = key.digest128();
                let document = match before.get(&key) {
                    Some(known) => std::sync::Arc::clone(known),
                    None => std::sync::Arc::new(parse(source)),
                };
                (key, document)
            })
            .collect();
        let documents = keyed
            .par_iter()
            .map(|(_, document)| ParsedDocument::clone(document))
            .collect();
        *self.documents.lock().unwrap_or_else(|e| e.into_inner()) = keyed.into_iter().collect();
        documents
    }
}

pub struct Handbook {
    pub config: Config,
    pub catalog: Catalog,
    /// Every Markdown file of the document folders, in path order.
    pub documents: Vec<Document>,
    /// The outline of each document's body, by the same index.
    pub outlines: Vec<Outline>,
    /// `None` when the SoA file does not exist.
    pub soa: Option<Soa>,
    /// `None` when the risk register does not exist.
    pub risks: Option<RiskRegister>,
    /// `None` when book.toml keeps no `[acknowledgements]`. Read from the work tree
    /// for every origin, like book.toml: it is judged as of the day asked.
    pub ledger: Option<Ledger>,
    /// The single files (the SoA, the risk register) that exist but could not be
    /// read: their one error says so, and they are not reported missing.
    pub unreadable: Vec<String>,
    by_id: HashMap<String, Vec<usize>>,
    by_path: HashMap<String, usize>,
    /// Canonical control id → documents that declare it, whatever their status.
    declaring: BTreeMap<String, Vec<usize>>,
    /// Controls and clauses claimed by documents whose front matter has errors.
    unsure_controls: BTreeSet<String>,
    unsure_clauses: Vec<String>,
}

impl Handbook {
    /// The one assembly of the handbook, for every command: the configuration's
    /// catalogs, the documents and the SoA from `origin` (the work tree, a commit, or
    /// an overlay of unsaved text), parsed and linked. A configuration that cannot be
    /// used is an `Err` (exit code 2); every other problem is in the returned
    /// diagnostics.
    pub fn load(
        config: Config,
        origin: &dyn Origin,
    ) -> Result<(Handbook, Vec<Diagnostic>), ConfigError> {
        Handbook::load_reusing(config, origin, None)
    }

    /// `load`, taking from `parsed` the documents whose text is unchanged since it
    /// was last used (and leaving in it the documents of this load).
    pub fn load_reusing(
        config: Config,
        origin: &dyn Origin,
        parsed: Option<&Parsed>,
    ) -> Result<(Handbook, Vec<Diagnostic>), ConfigError> {
        let catalog = Catalog::load(&config)?;
        let (sources, mut problems) = origin.documents(&config)?;
        let mut unreadable = Vec::new();
        let mut file = |path: &str| {
            origin.file(&config, path).unwrap_or_else(|problem| {
                problems.push(problem);
                unreadable.push(path.to_string());
                None
            })
        };
        let soa = file(&config.soa);
        let risks = file(&config.risks.register);
        let (mut handbook, found) =
            Handbook::from_parts(config, catalog, &sources, soa.as_ref(), parsed);
        problems.extend(found);
        handbook.unreadable = unreadable;
        if let Some(source) = risks {
            let (register, found) = RiskRegister::parse(
                &source.path,
                &source.text,
                &handbook.catalog,
                &handbook.config.risks,
            );
            problems.extend(found);
            handbook.risks = Some(register);
        }
        if let Some(settings) = &handbook.config.acknowledgements {
            let (ledger, found) = Ledger::read(&handbook.config.root, settings);
            problems.extend(found);
            handbook.ledger = Some(ledger);
        }
        Ok((handbook, problems))
    }

    /// The handbook of sources already read.
    fn from_parts(
        config: Config,
        catalog: Catalog,
        sources: &[Source],
        soa: Option<&Source>,
        parsed: Option<&Parsed>,
    ) -> (Handbook, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        // Documents are independent until they are linked: parse them on all cores.
        let parse = |source: &Source| {
            let doc_type = config
                .folder_of(&source.path)
                .map_or(DocType::Policy, |f| f.doc_type);
            let defaults = Defaults {
                doc_type,
                classification: &config.default_classification,
            };
            let (document, found) = document::parse(source, &defaults);
            let outline = markdown::outline(&document.body);
            (document, found, outline)
        };
        let parsed: Vec<ParsedDocument> = match parsed {
            None => sources.par_iter().map(parse).collect(),
            Some(memo) => memo.parse(&config, sources, parse),
        };
        let mut documents = Vec::with_capacity(parsed.len());
        let mut outlines = Vec::with_capacity(parsed.len());
        for (document, found, outline) in parsed {
            problems.extend(found);
            documents.push(document);
            outlines.push(outline);
        }
        let soa = soa.map(|source| {
            let (soa, found) = Soa::parse(&source.path, &source.text, &catalog);
            problems.extend(found);
            soa
        });

        let mut handbook = Handbook {
            config,
            catalog,
            documents,
            outlines,
            soa,
            risks: None,
            ledger: None,
            unreadable: Vec::new(),
            by_id: HashMap::new(),
            by_path: HashMap::new(),
            declaring: BTreeMap::new(),
            unsure_controls: BTreeSet::new(),
            unsure_clauses: Vec::new(),
        };
        handbook.link();
        (handbook, problems)
    }

    /// Builds the indexes over the documents.
    fn link(&mut self) {
        for (i, doc) in self.documents.iter().enumerate() {
            self.by_path.insert(doc.path.clone(), i);
            if let Some(id) = &doc.id {
                self.by_id.entry(id.clone()).or_default().push(i);
            }
            for written in &doc.claims.controls {
                if let ControlRef::Known(control) = self.catalog.resolve(written) {
                    self.unsure_controls.insert(control.id.clone());
                }
            }
            self.unsure_clauses
                .extend(doc.claims.clauses.iter().map(|c| c.trim().to_string()));
            if let Some(meta) = doc.meta.as_ref().filter(|_| doc.complete) {
                for written in &meta.controls {
                    if let ControlRef::Known(control) = self.catalog.resolve(&written.value) {
                        let docs = self.declaring.entry(control.id.clone()).or_default();
                        if !docs.contains(&i) {
                            docs.push(i);
                        }
                    }
                }
            }
        }
    }

    /// The document with this id (the first, when the id is duplicated).
    pub fn by_id(&self, id: &str) -> Option<&Document> {
        self.by_id
            .get(id)
            .and_then(|v| v.first())
            .map(|&i| &self.documents[i])
    }

    /// All documents that carry this id (more than one is an error).
    pub fn all_with_id(&self, id: &str) -> impl Iterator<Item = &Document> {
        self.by_id
            .get(id)
            .into_iter()
            .flatten()
            .map(|&i| &self.documents[i])
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }

    /// The document at a repository path, and its outline.
    pub fn by_path(&self, path: &str) -> Option<(&Document, &Outline)> {
        self.by_path
            .get(path)
            .map(|&i| (&self.documents[i], &self.outlines[i]))
    }

    /// The documents with complete, valid front matter: the ones published and counted.
    pub fn valid(&self) -> impl Iterator<Item = (&Document, &FrontMatter)> {
        self.documents
            .iter()
            .filter(|d| d.complete)
            .filter_map(|d| d.meta.as_ref().map(|m| (d, m)))
    }

    /// Every document whose front matter could be read, even in part: the field
    /// checks run on these.
    pub fn readable(&self) -> impl Iterator<Item = (&Document, &FrontMatter)> {
        self.documents
            .iter()
            .filter_map(|d| d.meta.as_ref().map(|m| (d, m)))
    }

    /// Documents declaring a control, whatever their status, in path order: drafts
    /// that will implement it, retired ones that did. Only [`Handbook::implementing`]
    /// says what implements it.
    pub fn declaring(&self, control_id: &str) -> impl Iterator<Item = (&Document, &FrontMatter)> {
        self.declaring
            .get(control_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| {
                self.documents[i]
                    .meta
                    .as_ref()
                    .map(|m| (&self.documents[i], m))
            })
    }

    /// The date the next review of a document is due: its last approval or review
    /// plus its review interval (book.toml's when it has none of its own).
    pub fn next_review(&self, control: &ControlBlock) -> Option<NaiveDate> {
        let last = match (control.approved_on, control.reviewed_on) {
            (Some(a), Some(r)) => a.max(r),
            (a, r) => a.or(r)?,
        };
        let months = control.review_months.unwrap_or(self.config.review_months);
        last.checked_add_months(Months::new(months))
    }

    /// True when a document whose front matter has errors claims the control: whether
    /// it implements it is unknown until the document is fixed.
    pub fn is_claimed_unsurely(&self, control_id: &str) -> bool {
        self.unsure_controls.contains(control_id)
    }

    /// What of the ISMS itself (not a document) covers a mandatory item, named as the
    /// clause page says it: the SoA file, the document register, or an approved risk
    /// register. `None` when only documents can cover it.
    pub fn covered_by_itself(&self, item: &MandatoryItem) -> Option<&'static str> {
        use crate::model::catalog::CoveredBy;
        match item.covered_by? {
            CoveredBy::Soa => self
                .soa
                .is_some()
                .then_some("the Statement of Applicability"),
            CoveredBy::Register => Some("the document register"),
            CoveredBy::Risks => self
                .risks
                .as_ref()
                .and_then(|r| r.control.as_ref())
                .filter(|c| c.status == Status::Approved)
                .map(|_| "the risk register"),
        }
    }

    /// True when a document whose front matter has errors claims a clause covering
    /// the item.
    pub fn is_covered_unsurely(&self, item: &MandatoryItem) -> bool {
        self.unsure_clauses
            .iter()
            .any(|c| item.is_covered_by_clause(c))
    }

    /// The controlled files that are YAML of their own kind: the SoA and the risk
    /// register, when they have their document control.
    pub fn yaml_documents(&self) -> Vec<YamlDocument<'_>> {
        let soa = self.soa.as_ref().and_then(|soa| {
            Some(YamlDocument {
                path: &soa.path,
                title: crate::model::config::SOA_TITLE,
                control: soa.control.as_ref()?,
                spans: &soa.spans,
                snapshot: &soa.snapshot,
            })
        });
        let risks = self.risks.as_ref().and_then(|register| {
            Some(YamlDocument {
                path: &register.path,
                title: crate::model::config::RISKS_TITLE,
                control: register.control.as_ref()?,
                spans: &register.spans,
                snapshot: &register.snapshot,
            })
        });
        soa.into_iter().chain(risks).collect()
    }

    /// The risks linked to a control: those that list it, and those the control's
    /// SoA entry cites. In id order.
    pub fn risks_of(&self, control_id: &str) -> Vec<&Risk> {
        let Some(register) = &self.risks else {
            return Vec::new();
        };
        let cited = self
            .soa
            .as_ref()
            .and_then(|soa| soa.decisions.get(control_id))
            .map_or(&[][..], |d| d.risks.as_slice());
        register
            .risks
            .iter()
            .filter(|r| r.controls.iter().any(|c| c.value == control_id) || cited.contains(&r.id))
            .collect()
    }

    /// The controls linked to a risk: those it lists, and those whose SoA entry
    /// cites it. Canonical ids, in catalog order.
    pub fn controls_of(&self, risk: &Risk) -> Vec<String> {
        let mut ids: Vec<String> = risk.controls.iter().map(|c| c.value.clone()).collect();
        if let Some(soa) = &self.soa {
            for (id, decision) in &soa.decisions {
                if decision.risks.contains(&risk.id) && !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
        }
        ids.sort_by(|a, b| crate::text::compare_ids(a, b));
        ids
    }

    /// The documents that implement a control: the approved ones that declare it. The
    /// one place that decides it, for the checks, every page and the exports. A draft
    /// does not implement a control yet, and a retired document no longer does.
    pub fn implementing(
        &self,
        control_id: &str,
    ) -> impl Iterator<Item = (&Document, &FrontMatter)> {
        self.declaring(control_id)
            .filter(|(_, m)| m.control.status == Status::Approved)
    }

    /// Retired documents that declared a control: its history, never its
    /// implementation.
    pub fn formerly(&self, control_id: &str) -> impl Iterator<Item = (&Document, &FrontMatter)> {
        self.declaring(control_id)
            .filter(|(_, m)| m.control.status == Status::Retired)
    }
}

/// A controlled file of its own kind (YAML), as the version rules, the gate, `log`
/// and CODEOWNERS see it.
pub struct YamlDocument<'a> {
    pub path: &'a str,
    pub title: &'static str,
    pub control: &'a ControlBlock,
    pub spans: &'a Spans,
    pub snapshot: &'a Snapshot,
}
