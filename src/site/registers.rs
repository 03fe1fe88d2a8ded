//! The registers' pages: the risk register with its heat maps, a page per risk (risk
//! → controls → documents), the risk treatment plan (6.1.3 e), and the
//! acknowledgements page that names people (published only at the ledger's
//! classification).

use super::charts::{self, HeatCell};
use super::scope::Scope;
use super::views::{CoverageView, DocLink, RevisionRow};
use crate::diagnostic::ConfigError;
use crate::model::config::RiskSettings;
use crate::model::handbook::Handbook;
use crate::model::kinds::Status;
use crate::model::risks::{Rating, Risk, RiskRegister, Treatment};
use crate::model::soa::{Applicability, Implementation};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

/// A rating as the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct RatingView {
    pub score: usize,
    pub likelihood: String,
    pub impact: String,
    /// `low` (within the appetite), `medium` or `high`.
    pub band: &'static str,
}

/// One control of a risk, with its SoA decision and the documents that implement it.
#[derive(Debug, Clone, Serialize)]
pub struct RiskControl {
    pub id: String,
    pub label: String,
    pub title: String,
    pub applicable: Applicability,
    pub status: Option<Implementation>,
    pub documents: Vec<DocLink>,
    /// Applicable and not implemented yet.
    pub open: bool,
}

/// One risk as the pages and exports show it.
#[derive(Debug, Clone, Serialize)]
pub struct RiskRow {
    pub id: String,
    pub title: String,
    pub url: String,
    pub description: Option<String>,
    /// The owner's role key, and its full name.
    pub owner: String,
    pub owner_name: String,
    pub assets: Vec<String>,
    pub threat: Option<String>,
    pub inherent: Option<RatingView>,
    pub treatment: Option<Treatment>,
    pub residual: Option<RatingView>,
    /// Above the appetite after treatment (residual, else inherent).
    pub above_appetite: bool,
    pub accepted_by: Option<String>,
    pub accepted_on: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub due_passed: bool,
    pub next_review: Option<NaiveDate>,
    pub review_overdue: bool,
    pub controls: Vec<RiskControl>,
}

/// The band of a rating: within the appetite, high from 60% of the highest rating
/// (15 of 25 on 5×5 scales), medium between.
pub fn band(settings: &RiskSettings, score: usize) -> &'static str {
    if score <= settings.appetite {
        "low"
    } else if score * 5 >= settings.max_rating() * 3 {
        "high"
    } else {
        "medium"
    }
}

fn rating(settings: &RiskSettings, rating: Rating) -> RatingView {
    let label = |scale: &[String], rank: usize| scale.get(rank - 1).cloned().unwrap_or_default();
    RatingView {
        score: rating.score(),
        likelihood: label(&settings.likelihood, rating.likelihood),
        impact: label(&settings.impact, rating.impact),
        band: band(settings, rating.score()),
    }
}

/// Every risk of the register, as the pages show it.
pub fn rows(scope: &Scope<'_>, register: &RiskRegister) -> Vec<RiskRow> {
    register
        .risks
        .iter()
        .map(|risk| row(scope, register, risk))
        .collect()
}

fn row(scope: &Scope<'_>, register: &RiskRegister, risk: &Risk) -> RiskRow {
    let handbook = scope.handbook;
    let settings = &handbook.config.risks;
    let owner = risk.owner.clone().unwrap_or_default();
    let next_review = register
        .control
        .as_ref()
        .filter(|c| c.status == Status::Approved)
        .and_then(|c| risk.next_review(c, handbook.config.review_months));
    RiskRow {
        id: risk.id.clone(),
        title: risk.title.clone(),
        url: format!("risks/{}.html", risk.id),
        description: risk.description.clone(),
        owner_name: role_name(handbook, &owner),
        owner,
        assets: risk.assets.clone(),
        threat: risk.threat.clone(),
        inherent: risk.inherent.map(|r| rating(settings, r)),
        treatment: risk.treatment,
        residual: risk.residual.map(|r| rating(settings, r)),
        above_appetite: risk
            .remaining()
            .is_some_and(|r| r.score() > settings.appetite),
        accepted_by: risk.accepted_by.clone(),
        accepted_on: risk.accepted_on,
        due: risk.due,
        due_passed: risk.due.is_some_and(|d| d < scope.today),
        next_review,
        review_overdue: next_review.is_some_and(|d| d < scope.today),
        controls: controls(scope, risk),
    }
}

fn role_name(handbook: &Handbook, key: &str) -> String {
    handbook
        .config
        .roles
        .get(key)
        .map_or_else(|| key.to_string(), |r| format!("{} ({key})", r.name))
}

/// A risk's controls with their decisions and implementing documents.
fn controls(scope: &Scope<'_>, risk: &Risk) -> Vec<RiskControl> {
    let handbook = scope.handbook;
    handbook
        .controls_of(risk)
        .into_iter()
        .filter_map(|id| {
            let control = handbook.catalog.control(&id)?;
            let decision = handbook.soa.as_ref().and_then(|s| s.decisions.get(&id));
            let applicable = match decision {
                Some(d) => d.applicability(),
                None if control.is_annex_a() => Applicability::Undecided,
                None => Applicability::NotInSoa,
            };
            let status = decision.and_then(|d| d.status);
            let documents = handbook
                .implementing(&id)
                .filter(|(d, _)| scope.published_paths.contains(d.path.as_str()))
                .map(|(d, _)| scope.doc_link(d))
                .collect();
            Some(RiskControl {
                label: control.label(),
                title: control.title.clone(),
                open: applicable == Applicability::Applicable
                    && status != Some(Implementation::Implemented),
                id,
                applicable,
                status,
                documents,
            })
        })
        .collect()
}

/// The heat map of the risks' ratings, before (`residual` false) or after treatment.
pub fn heat_map(settings: &RiskSettings, risks: &[RiskRow], residual: bool) -> String {
    let mut cells = Vec::new();
    for likelihood in 1..=settings.likelihood.len() {
        for impact in 1..=settings.impact.len() {
            let in_cell = |view: Option<&RatingView>| {
                view.is_some_and(|v| {
                    v.likelihood == settings.likelihood[likelihood - 1]
                        && v.impact == settings.impact[impact - 1]
                })
            };
            let risks = risks
                .iter()
                .filter(|r| {
                    let view = if residual {
                        r.residual.as_ref().or(r.inherent.as_ref())
                    } else {
                        r.inherent.as_ref()
                    };
                    in_cell(view)
                })
                .map(|r| r.id.as_str())
                .collect();
            cells.push(HeatCell {
                likelihood,
                impact,
                band: band(settings, likelihood * impact),
                risks,
            });
        }
    }
    let title = if residual {
        "Risks after treatment, by likelihood and impact"
    } else {
        "Risks before treatment, by likelihood and impact"
    };
    charts::heat_map(title, &settings.likelihood, &settings.impact, &cells)
}

/// The register page, a page per risk and the treatment plan.
pub fn risk_pages(
    scope: &Scope<'_>,
    register: &RiskRegister,
    risks: &[RiskRow],
    control: Option<serde_json::Value>,
    revisions: &[RevisionRow],
) -> Result<Vec<(String, String)>, ConfigError> {
    let settings = &scope.handbook.config.risks;
    let mut pages: Vec<(String, String)> = risks
        .par_iter()
        .map(|risk| {
            let mut context = scope.context("../");
            context.insert("risk", risk);
            context.insert("appetite", &settings.appetite);
            Ok((risk.url.clone(), scope.page("risk.html", &context)?))
        })
        .collect::<Result<_, ConfigError>>()?;
    let mut context = scope.context("../");
    context.insert("risks", risks);
    context.insert("register", &control);
    context.insert("path", &register.path);
    context.insert("revisions", revisions);
    context.insert("appetite", &settings.appetite);
    context.insert("max_rating", &settings.max_rating());
    context.insert("likelihood", &settings.likelihood);
    context.insert("impact", &settings.impact);
    context.insert("inherent_map", &heat_map(settings, risks, false));
    context.insert("residual_map", &heat_map(settings, risks, true));
    pages.push((
        "risks/index.html".to_string(),
        scope.page("risks.html", &context)?,
    ));
    let plan: Vec<&RiskRow> = risks
        .iter()
        .filter(|r| r.treatment.is_some_and(|t| t != Treatment::Accept))
        .filter(|r| r.due.is_some() || r.controls.iter().any(|c| c.open))
        .collect();
    let accepted: Vec<&RiskRow> = risks
        .iter()
        .filter(|r| r.accepted_by.is_some() || r.treatment == Some(Treatment::Accept))
        .collect();
    let mut context = scope.context("");
    context.insert("plan", &plan);
    context.insert("accepted", &accepted);
    context.insert("appetite", &settings.appetite);
    pages.push((
        "treatment.html".to_string(),
        scope.page("treatment.html", &context)?,
    ));
    Ok(pages)
}

/// The acknowledgements page: per document, who has not acknowledged it yet. Only
/// when the build may publish personal data (`Scope::name_pages`).
pub fn acknowledgements_page(scope: &Scope<'_>) -> Result<Option<String>, ConfigError> {
    let (true, Some(ledger)) = (scope.name_pages, &scope.handbook.ledger) else {
        return Ok(None);
    };
    let documents: Vec<serde_json::Value> = scope
        .handbook
        .valid()
        .filter_map(|(doc, meta)| {
            let coverage = scope.facts.acknowledgements.get(&doc.path)?;
            let missing: Vec<serde_json::Value> = coverage
                .missing
                .iter()
                .map(|m| {
                    serde_json::json!({"name": ledger.name_of(&m.email), "email": m.email, "overdue": m.overdue, "due": m.due})
                })
                .collect();
            Some(serde_json::json!({
                "link": scope.doc_link(doc),
                "version": meta.control.version,
                "audience": meta.audience.iter().map(|a| a.value.as_str()).collect::<Vec<_>>(),
                "coverage": CoverageView::of(coverage),
                "missing": missing,
            }))
        })
        .collect();
    let mut context = scope.context("");
    context.insert("documents", &documents);
    context.insert("people", &ledger.people.len());
    context.insert("records", &ledger.records);
    if let Some(settings) = &scope.handbook.config.acknowledgements {
        context.insert("classification", &settings.classification);
        context.insert("due_days", &settings.due_days);
    }
    scope.page("acknowledgements.html", &context).map(Some)
}
