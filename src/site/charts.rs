//! The charts of the handbook: stacked bars for the dashboard and heat maps for the
//! risk register, as inline SVG drawn at build time (no script, no chart library,
//! nothing fetched), each followed in its page by a table with the same figures for
//! screen readers and for printing.

use super::html::escape_html;
use serde::Serialize;
use std::fmt::Write;

/// One labelled bar made of coloured segments.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub segments: Vec<Segment>,
    /// The sum of the segments (for the table).
    pub total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub name: &'static str,
    pub count: usize,
    /// A CSS colour; the legend and the table say what it means.
    pub colour: &'static str,
}

impl Bar {
    pub fn new(label: impl Into<String>, segments: Vec<Segment>) -> Bar {
        let total = segments.iter().map(|s| s.count).sum();
        Bar {
            label: label.into(),
            segments,
            total,
        }
    }
}

/// A horizontal stacked bar chart. `title` is read out by screen readers; the table
/// that follows the chart in the page carries the same numbers.
pub fn stacked_bars(title: &str, bars: &[Bar]) -> String {
    const LABEL: usize = 190;
    const WIDTH: usize = 420;
    const ROW: usize = 30;
    let max = bars.iter().map(|b| b.total).max().unwrap_or(0).max(1);
    let legend: Vec<(&'static str, &'static str)> = {
        let mut seen = Vec::new();
        for segment in bars.iter().flat_map(|b| &b.segments) {
            if !seen.iter().any(|(n, _)| *n == segment.name) {
                seen.push((segment.name, segment.colour));
            }
        }
        seen
    };
    // The legend wraps when it is wider than the bars.
    let mut legend_rows: Vec<Vec<(usize, &'static str, &'static str)>> = vec![Vec::new()];
    let mut x = LABEL;
    for (name, colour) in legend {
        let width = 26 + name.chars().count() * 8;
        if x + width > LABEL + WIDTH + 40 && x > LABEL {
            legend_rows.push(Vec::new());
            x = LABEL;
        }
        legend_rows
            .last_mut()
            .expect("a row")
            .push((x, name, colour));
        x += width;
    }
    let height = bars.len() * ROW + 22 * legend_rows.len() + 16;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        LABEL + WIDTH + 60,
        escape_html(title),
        escape_html(title)
    );
    for (row, bar) in bars.iter().enumerate() {
        let y = row * ROW;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">{}</text>",
            LABEL - 8,
            y + 18,
            escape_html(&bar.label)
        );
        let mut x = LABEL as f64;
        for segment in bar.segments.iter().filter(|s| s.count > 0) {
            let w = segment.count as f64 * WIDTH as f64 / max as f64;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"20\" fill=\"{}\"><title>{}: {} {}</title></rect>",
                y + 4,
                segment.colour,
                escape_html(&bar.label),
                segment.count,
                segment.name
            );
            x += w;
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" class=\"value\">{}</text>",
            x + 6.0,
            y + 18,
            bar.total
        );
    }
    for (row, entries) in legend_rows.iter().enumerate() {
        let y = bars.len() * ROW + 18 + row * 22;
        for (x, name, colour) in entries {
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{y}\" class=\"legend\">{name}</text>",
                y - 10,
                x + 16
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One cell of a risk heat map: where it is on the scales, its band and the risks in
/// it.
pub struct HeatCell<'a> {
    pub likelihood: usize,
    pub impact: usize,
    /// `low` (within the appetite), `medium` or `high`: the cell's colour.
    pub band: &'static str,
    pub risks: Vec<&'a str>,
}

/// A risk heat map: likelihood up (most likely at the top), impact across, each cell
/// coloured by its band and showing how many risks are in it (their ids on hover).
/// The scales' labels name the rows and columns; `cells` holds every cell.
pub fn heat_map(
    title: &str,
    likelihood: &[String],
    impact: &[String],
    cells: &[HeatCell<'_>],
) -> String {
    const LABEL: usize = 120;
    const TOP: usize = 24;
    const CELL_W: usize = 76;
    const CELL_H: usize = 44;
    let (rows, columns) = (likelihood.len(), impact.len());
    let width = LABEL + columns * CELL_W + 10;
    let height = TOP + rows * CELL_H + 56;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart heat-map\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape_html(title),
        escape_html(title)
    );
    for cell in cells {
        let x = LABEL + (cell.impact - 1) * CELL_W;
        let y = TOP + (rows - cell.likelihood) * CELL_H;
        let count = cell.risks.len();
        let names = format!(
            "{} × {} ({}): {}",
            likelihood
                .get(cell.likelihood - 1)
                .map_or("", String::as_str),
            impact.get(cell.impact - 1).map_or("", String::as_str),
            cell.likelihood * cell.impact,
            if count == 0 {
                "no risk".to_string()
            } else {
                cell.risks.join(", ")
            }
        );
        let _ = write!(
            svg,
            "<g class=\"cell {}\" data-likelihood=\"{}\" data-impact=\"{}\" data-count=\"{count}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"2\"/>",
            cell.band,
            cell.likelihood,
            cell.impact,
            escape_html(&names),
            CELL_W,
            CELL_H,
            band_colour(cell.band)
        );
        if count > 0 {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"count\">{count}</text>",
                x + CELL_W / 2,
                y + CELL_H / 2 + 5
            );
        }
        svg.push_str("</g>");
    }
    for (rank, label) in likelihood.iter().enumerate() {
        let y = TOP + (rows - rank - 1) * CELL_H + CELL_H / 2 + 5;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{y}\" text-anchor=\"end\" class=\"label\">{}</text>",
            LABEL - 8,
            escape_html(label)
        );
    }
    for (rank, label) in impact.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"label\">{}</text>",
            LABEL + rank * CELL_W + CELL_W / 2,
            TOP + rows * CELL_H + 18,
            escape_html(label)
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"legend\">impact →</text><text x=\"{}\" y=\"16\" text-anchor=\"end\" class=\"legend\">likelihood ↑</text></svg>",
        LABEL + columns * CELL_W / 2,
        TOP + rows * CELL_H + 44,
        LABEL - 8
    );
    svg
}

/// The fill of a heat-map band: light enough for dark text on it.
fn band_colour(band: &str) -> &'static str {
    match band {
        "low" => "#b7dfc2",
        "medium" => "#f3d27a",
        _ => "#eba59e",
    }
}

/// Colours with enough contrast against white and against each other.
pub const IMPLEMENTED: &str = "#1e7b46";
pub const PARTIAL: &str = "#7fb069";
pub const PLANNED: &str = "#e0a100";
pub const NOT_IMPLEMENTED: &str = "#b3261e";
pub const EXCLUDED: &str = "#8a94a6";
pub const UNDECIDED: &str = "#d0d5dd";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional_and_labelled() {
        let bars = vec![
            Bar::new(
                "People",
                vec![
                    Segment {
                        name: "implemented",
                        count: 4,
                        colour: IMPLEMENTED,
                    },
                    Segment {
                        name: "planned",
                        count: 4,
                        colour: PLANNED,
                    },
                ],
            ),
            Bar::new(
                "<Physical>",
                vec![Segment {
                    name: "implemented",
                    count: 2,
                    colour: IMPLEMENTED,
                }],
            ),
        ];
        let svg = stacked_bars("Controls by theme", &bars);
        assert!(svg.contains("<title>Controls by theme</title>"));
        assert!(
            svg.contains("width=\"210.0\""),
            "4 of 8 is half of 420: {svg}"
        );
        assert!(svg.contains("&lt;Physical&gt;"));
        assert!(svg.contains("<title>People: 4 planned</title>"));
    }
}
