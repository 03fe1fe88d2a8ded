//! The ISMS as a workbook (`isms.xlsx`): the Statement of Applicability, the document
//! register, the risks (when the register is published) and the gaps, one sheet
//! each, with a frozen header row, filters, column widths and wrapped text. Every
//! cell is text: nothing from the sources can become a formula.

use super::error::ExportError;
use super::pdf::Run;
use crate::diagnostic::Severity;
use chrono::Datelike;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

/// One sheet: its name, its columns (header and width) and its rows.
struct Sheet {
    name: &'static str,
    columns: Vec<(&'static str, f64)>,
    rows: Vec<Vec<String>>,
}

/// The workbook's bytes: the same handbook gives the same bytes (the date written
/// into its properties is the day it is judged as of).
pub fn workbook(run: &Run<'_>) -> Result<Vec<u8>, ExportError> {
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Workbook(e.to_string());
    let mut book = Workbook::new();
    let config = &run.report.handbook.config;
    let today = run.today;
    let created = ExcelDateTime::from_ymd(
        u16::try_from(today.year()).unwrap_or(2000),
        u8::try_from(today.month()).unwrap_or(1),
        u8::try_from(today.day()).unwrap_or(1),
    )
    .map_err(err)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(&config.book.title)
            .set_author(&config.book.organization)
            .set_company(&config.book.organization)
            .set_creation_datetime(&created),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color("F5F7FA")
        .set_text_wrap();
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for sheet in sheets(run) {
        let ws = book.add_worksheet();
        write_sheet(ws, &sheet, &header, &wrapped).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    header: &Format,
    wrapped: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.set_name(sheet.name)?;
    for (col, (name, width)) in sheet.columns.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, *name, header)?;
        ws.set_column_width(col, *width)?;
    }
    for (row, cells) in sheet.rows.iter().enumerate() {
        let row = u32::try_from(row + 1).unwrap_or(u32::MAX);
        for (col, value) in cells.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            ws.write_string_with_format(row, col, value, wrapped)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX);
    let last_col = u16::try_from(sheet.columns.len().saturating_sub(1)).unwrap_or(0);
    ws.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}

fn sheets(run: &Run<'_>) -> Vec<Sheet> {
    let mut sheets = vec![soa(run), register(run)];
    if !run.tables.risks.is_empty() {
        sheets.push(risks(run));
    }
    if run.tables.soa_details {
        sheets.push(gaps(run));
    }
    sheets
}

fn soa(run: &Run<'_>) -> Sheet {
    let details = run.tables.soa_details;
    let decisions = run.report.handbook.soa.as_ref().map(|s| &s.decisions);
    let rows = run
        .tables
        .controls
        .iter()
        .filter(|c| c.annex_a)
        .map(|c| {
            let basis: Vec<&str> = decisions
                .and_then(|d| d.get(&c.id))
                .map(|d| d.basis.iter().map(|b| b.as_str()).collect())
                .unwrap_or_default();
            let reasoning = |value: String| if details { value } else { String::new() };
            vec![
                c.label.clone(),
                c.title.clone(),
                c.theme_label.to_string(),
                c.applicable.as_str().to_string(),
                c.status.map_or(String::new(), |s| s.as_str().to_string()),
                reasoning(basis.join(", ")),
                reasoning(c.justification.clone().unwrap_or_default()),
                reasoning(c.owner.clone().unwrap_or_default()),
                c.documents
                    .iter()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                c.risks
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    Sheet {
        name: "SoA",
        columns: vec![
            ("Control", 9.0),
            ("Title", 36.0),
            ("Theme", 14.0),
            ("Applicable", 11.0),
            ("Status", 15.0),
            ("Basis", 16.0),
            ("Justification", 60.0),
            ("Owner", 14.0),
            ("Implementing documents", 24.0),
            ("Risks", 14.0),
        ],
        rows,
    }
}

fn register(run: &Run<'_>) -> Sheet {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows = run
        .tables
        .register
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.title.clone(),
                r.type_label.to_string(),
                r.version.to_string(),
                r.status.as_str().to_string(),
                r.owner.clone(),
                date(r.approved_on),
                date(r.next_review),
                r.acknowledged.as_ref().map_or(String::new(), |a| {
                    format!("{} of {}", a.acknowledged, a.audience)
                }),
            ]
        })
        .collect();
    Sheet {
        name: "Register",
        columns: vec![
            ("ID", 12.0),
            ("Title", 40.0),
            ("Type", 11.0),
            ("Version", 9.0),
            ("Status", 11.0),
            ("Owner", 16.0),
            ("Approved on", 12.0),
            ("Next review", 12.0),
            ("Acknowledged", 14.0),
        ],
        rows,
    }
}

fn risks(run: &Run<'_>) -> Sheet {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows = run
        .tables
        .risks
        .iter()
        .map(|r| {
            let rating = |v: Option<&crate::site::RatingView>| match v {
                Some(v) => [v.likelihood.clone(), v.impact.clone(), v.score.to_string()],
                None => Default::default(),
            };
            let [likelihood, impact, inherent] = rating(r.inherent.as_ref());
            let [residual_likelihood, residual_impact, residual] = rating(r.residual.as_ref());
            vec![
                r.id.clone(),
                r.title.clone(),
                r.owner.clone(),
                likelihood,
                impact,
                inherent,
                r.treatment
                    .map_or(String::new(), |t| t.as_str().to_string()),
                r.controls
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                residual_likelihood,
                residual_impact,
                residual,
                r.accepted_by.clone().unwrap_or_default(),
                date(r.accepted_on),
                date(r.due),
                date(r.next_review),
            ]
        })
        .collect();
    Sheet {
        name: "Risks",
        columns: vec![
            ("ID", 8.0),
            ("Risk", 36.0),
            ("Owner", 14.0),
            ("Likelihood", 12.0),
            ("Impact", 12.0),
            ("Before", 8.0),
            ("Treatment", 11.0),
            ("Controls", 30.0),
            ("Residual likelihood", 12.0),
            ("Residual impact", 12.0),
            ("After", 8.0),
            ("Accepted by", 14.0),
            ("Accepted on", 12.0),
            ("Due", 12.0),
            ("Next review", 12.0),
        ],
        rows,
    }
}

fn gaps(run: &Run<'_>) -> Sheet {
    let rows = run
        .report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| {
            vec![
                d.code.as_str().to_string(),
                if d.file.is_empty() {
                    "the ISMS as a whole".to_string()
                } else {
                    d.file.to_string()
                },
                if d.line > 0 {
                    d.line.to_string()
                } else {
                    String::new()
                },
                d.message.to_string(),
                d.hint.as_deref().unwrap_or_default().to_string(),
            ]
        })
        .collect();
    Sheet {
        name: "Gaps",
        columns: vec![
            ("Code", 24.0),
            ("File", 36.0),
            ("Line", 6.0),
            ("Finding", 60.0),
            ("Hint", 50.0),
        ],
        rows,
    }
}
