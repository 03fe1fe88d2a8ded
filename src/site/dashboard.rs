//! The dashboard page: controls by theme and implementation, published documents by
//! type and status, reviews by when they are due, risks by level before and after
//! treatment, and how far documents are acknowledged, each as a chart and a table.

use super::charts::{self, Bar, Segment};
use super::registers::{RatingView, RiskRow};
use super::scope::Scope;
use super::views::{ControlRow, RegisterRow};
use crate::diagnostic::ConfigError;
use crate::model::catalog::Theme;
use crate::model::document::FrontMatter;
use crate::model::kinds::{DocType, Status};
use crate::model::soa::ControlState;
use chrono::NaiveDate;

/// The colour each control state is drawn in.
fn colour(state: ControlState) -> &'static str {
    match state {
        ControlState::Implemented => charts::IMPLEMENTED,
        ControlState::Partial => charts::PARTIAL,
        ControlState::Planned => charts::PLANNED,
        ControlState::NotImplemented => charts::NOT_IMPLEMENTED,
        ControlState::Excluded => charts::EXCLUDED,
        ControlState::Undecided => charts::UNDECIDED,
    }
}

/// The document states shown, each with its colour.
const DOCUMENT_STATES: [(Status, &str); 4] = [
    (Status::Approved, charts::IMPLEMENTED),
    (Status::InReview, charts::PLANNED),
    (Status::Draft, charts::UNDECIDED),
    (Status::Retired, charts::EXCLUDED),
];

pub fn page(
    scope: &Scope<'_>,
    register: &[RegisterRow],
    controls: &[ControlRow],
    risks: &[RiskRow],
) -> Result<String, ConfigError> {
    let published: Vec<&FrontMatter> = scope
        .published
        .iter()
        .filter_map(|&i| scope.handbook.documents[i].meta.as_ref())
        .collect();
    let control_bars = control_bars(controls);
    let document_bars = document_bars(&published);
    let (review_bar, due) = reviews(register, scope.today);

    let mut context = scope.context("");
    context.insert("today", &scope.today.to_string());
    context.insert(
        "controls_chart",
        &charts::stacked_bars(
            "Annex A controls by theme and implementation",
            &control_bars,
        ),
    );
    context.insert("controls", &control_bars);
    context.insert(
        "control_states",
        &ControlState::ALL.map(ControlState::label),
    );
    context.insert(
        "documents_chart",
        &charts::stacked_bars("Published documents by type and status", &document_bars),
    );
    context.insert("documents", &document_bars);
    context.insert("document_states", &DOCUMENT_STATES.map(|(s, _)| s.as_str()));
    context.insert(
        "reviews_chart",
        &charts::stacked_bars(
            "Reviews of approved documents by when they are due",
            std::slice::from_ref(&review_bar),
        ),
    );
    context.insert("due", &due);
    if !risks.is_empty() {
        let bars = risk_bars(risks);
        let title = "Risks by level, before and after treatment";
        context.insert("risks_chart", &charts::stacked_bars(title, &bars));
        context.insert("risks", &bars);
        context.insert(
            "risks_unaccepted",
            &risks
                .iter()
                .filter(|r| r.above_appetite && r.accepted_by.is_none())
                .count(),
        );
    }
    let acknowledged = acknowledgement_bars(register);
    if !acknowledged.is_empty() {
        let title = "Acknowledgements of approved documents by their audiences";
        context.insert("ack_chart", &charts::stacked_bars(title, &acknowledged));
        context.insert("acknowledged", &acknowledged);
    }
    scope.page("dashboard.html", &context)
}

/// Annex A controls by theme, split by where they stand.
fn control_bars(controls: &[ControlRow]) -> Vec<Bar> {
    [
        Theme::Organizational,
        Theme::People,
        Theme::Physical,
        Theme::Technological,
    ]
    .iter()
    .map(|&theme| {
        let in_theme: Vec<&ControlRow> = controls
            .iter()
            .filter(|c| c.annex_a && c.theme == theme)
            .collect();
        Bar::new(
            theme.label().replace(" controls", ""),
            ControlState::ALL
                .iter()
                .map(|&state| Segment {
                    name: state.label(),
                    count: in_theme.iter().filter(|c| c.state == state).count(),
                    colour: colour(state),
                })
                .collect(),
        )
    })
    .collect()
}

/// Published documents by type, split by status.
fn document_bars(published: &[&FrontMatter]) -> Vec<Bar> {
    DocType::ALL
        .iter()
        .filter(|t| published.iter().any(|m| m.doc_type == **t))
        .map(|&t| {
            Bar::new(
                t.plural_label(),
                DOCUMENT_STATES
                    .iter()
                    .map(|&(status, colour)| Segment {
                        name: status.as_str(),
                        count: published
                            .iter()
                            .filter(|m| m.doc_type == t && m.control.status == status)
                            .count(),
                        colour,
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Approved documents by when their review is due, and the ones due within 90 days.
fn reviews(register: &[RegisterRow], today: NaiveDate) -> (Bar, Vec<serde_json::Value>) {
    let mut due: Vec<serde_json::Value> = Vec::new();
    let mut buckets = [0usize; 4];
    for row in register.iter().filter(|r| r.status == Status::Approved) {
        let Some(next) = row.next_review else {
            continue;
        };
        let days = (next - today).num_days();
        let bucket = match days {
            d if d < 0 => 0,
            0..=30 => 1,
            31..=90 => 2,
            _ => 3,
        };
        buckets[bucket] += 1;
        if bucket < 3 {
            due.push(serde_json::json!({"id": row.id, "title": row.title, "url": row.url, "owner": row.owner, "next_review": row.next_review, "overdue": days < 0, "days": days}));
        }
    }
    due.sort_by(|a, b| a["next_review"].as_str().cmp(&b["next_review"].as_str()));
    let segments = [
        ("overdue", charts::NOT_IMPLEMENTED),
        ("due within 30 days", charts::PLANNED),
        ("due in 31 to 90 days", charts::PARTIAL),
        ("later", charts::IMPLEMENTED),
    ]
    .iter()
    .zip(buckets)
    .map(|(&(name, colour), count)| Segment {
        name,
        count,
        colour,
    })
    .collect();
    (Bar::new("Approved documents", segments), due)
}

/// The risks by level (within the appetite, above it, high), before and after
/// treatment.
fn risk_bars(risks: &[RiskRow]) -> Vec<Bar> {
    let bar = |label: &str, rating: &dyn Fn(&RiskRow) -> Option<&RatingView>| {
        let count = |band: &str| {
            risks
                .iter()
                .filter(|r| rating(r).is_some_and(|v| v.band == band))
                .count()
        };
        Bar::new(
            label,
            vec![
                Segment {
                    name: "within the appetite",
                    count: count("low"),
                    colour: charts::IMPLEMENTED,
                },
                Segment {
                    name: "above the appetite",
                    count: count("medium"),
                    colour: charts::PLANNED,
                },
                Segment {
                    name: "high",
                    count: count("high"),
                    colour: charts::NOT_IMPLEMENTED,
                },
            ],
        )
    };
    vec![
        bar("Before treatment", &|r| r.inherent.as_ref()),
        bar("After treatment", &|r| {
            r.residual.as_ref().or(r.inherent.as_ref())
        }),
    ]
}

/// Each document with an audience: acknowledged, not yet due, overdue.
fn acknowledgement_bars(register: &[RegisterRow]) -> Vec<Bar> {
    register
        .iter()
        .filter_map(|row| {
            let coverage = row.acknowledged.as_ref()?;
            Some(Bar::new(
                row.id.clone(),
                vec![
                    Segment {
                        name: "acknowledged",
                        count: coverage.acknowledged,
                        colour: charts::IMPLEMENTED,
                    },
                    Segment {
                        name: "not yet due",
                        count: coverage.pending,
                        colour: charts::UNDECIDED,
                    },
                    Segment {
                        name: "overdue",
                        count: coverage.overdue,
                        colour: charts::NOT_IMPLEMENTED,
                    },
                ],
            ))
        })
        .collect()
}
