//! Entry points for the fuzz targets (`fuzz/`) and their regression tests
//! (`tests/hostile.rs`): each takes arbitrary bytes and runs one part of the pipeline.
//! None may panic, and what they report must point inside the input.

use crate::catalog::Catalog;
use crate::config::Config;
use crate::document::{self, Defaults, DocType, Snapshot};
use crate::handbook::Handbook;
use crate::history::History;
use crate::sources::{self, Source};
use crate::{CheckReport, checks, markdown, render};
use std::collections::HashSet;
use std::path::Path;

/// Any bytes as a document file: decoding, front matter, snapshot, outline.
pub fn document(data: &[u8]) {
    let Ok(text) = sources::decode(data) else {
        return;
    };
    let source = Source {
        path: "policies/fuzz.md".to_string(),
        text,
    };
    let defaults = Defaults {
        doc_type: DocType::Policy,
        classification: "internal",
    };
    let (parsed, diagnostics) = document::parse(&source, &defaults);
    let _ = Snapshot::of(&source.text);
    let _ = markdown::outline(&parsed.body);
    let lines = source.text.split('\n').count();
    for d in &diagnostics {
        assert!(
            d.line <= lines,
            "diagnostic at line {} of a {lines}-line file: {d:?}",
            d.line
        );
    }
}

/// Any text as a link (first line) and a Markdown body (the rest): outline, anchors,
/// link resolution and rewriting.
pub fn links(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (dest, body) = text.split_once('\n').unwrap_or((&text, ""));
    let published: HashSet<&str> = ["policies/a.md", "procedures/b.md"].into_iter().collect();
    let outline = markdown::outline(body);
    for dest in std::iter::once(dest).chain(outline.links.iter().map(|l| l.dest.as_str())) {
        if let Some(resolved) = checks::resolve("policies/a.md", dest) {
            assert!(
                !resolved.split('/').any(|part| part == ".."),
                "resolved outside: {resolved}"
            );
        }
        let _ = render::rewrite_link("policies/a.md", dest, &published);
    }
    let _ = markdown::slugify(body);
    let _ = markdown::control_mentions(body);
}

/// Any bytes as up to three documents and a SoA, separated by NUL bytes: the whole
/// pipeline in memory, through the checks to the rendered handbook.
pub fn pipeline(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let config = Config::parse(
        Path::new("/nonexistent/ismsbook-fuzz"),
        "[book]\ntitle = \"Fuzz\"\norganization = \"Fuzz\"\n[roles.CISO]\nname = \"CISO\"\n",
    )
    .expect("the fuzz configuration is valid");
    let sources: Vec<Source> = (0..3)
        .filter_map(|i| {
            parts.next().map(|t| Source {
                path: format!("policies/d{i}.md"),
                text: t.to_string(),
            })
        })
        .collect();
    let soa = parts.next().map(|t| Source {
        path: "soa.yaml".to_string(),
        text: t.to_string(),
    });
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date");
    let (handbook, mut diagnostics) =
        Handbook::from_parts(config, Catalog::iso27001_2022(), &sources, soa.as_ref());
    diagnostics.extend(checks::run(&handbook, today));
    let report = CheckReport {
        handbook,
        history: History::none(),
        diagnostics,
    };
    let _ = render::render(&report, today, &render::Options::default());
}
