//! The dashboard: the state of the ISMS at a glance, as inline SVG charts drawn at
//! build time (no script, no chart library, nothing fetched), each with the same
//! figures as a table for screen readers and for printing.

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
