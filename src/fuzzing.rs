//! Entry points for the fuzz targets (`fuzz/`) and their regression tests
//! (`tests/hostile.rs`): each takes arbitrary bytes and runs one part of the pipeline.
//! None may panic, and what they report must point inside the input.

use crate::checks::{self, Report};
use crate::history::History;
use crate::model::config::Config;
use crate::model::document::{self, Defaults, Snapshot};
use crate::model::handbook::Handbook;
use crate::model::kinds::DocType;
use crate::model::links::resolve;
use crate::model::markdown;
use crate::model::source::{Empty, Overlay, Source};
use crate::site::{self, body::rewrite_link};
use crate::text::decode;
use std::collections::HashSet;
use std::path::Path;

/// Any bytes as a document file: decoding, front matter, snapshot, outline.
pub fn document(data: &[u8]) {
    let Ok(text) = decode(data) else {
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
        if let Some(resolved) = resolve("policies/a.md", dest) {
            assert!(
                !resolved.split('/').any(|part| part == ".."),
                "resolved outside: {resolved}"
            );
        }
        let _ = rewrite_link("policies/a.md", dest, &published);
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
    let mut origin = Overlay::new(&Empty);
    for i in 0..3 {
        if let Some(text) = parts.next() {
            origin = origin.with(format!("policies/d{i}.md"), text);
        }
    }
    if let Some(text) = parts.next() {
        origin = origin.with("soa.yaml", text);
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date");
    let Ok((handbook, mut diagnostics)) = Handbook::load(config, &origin) else {
        return;
    };
    diagnostics.extend(checks::run(&handbook, today));
    let facts = checks::finish(&handbook, today, &mut diagnostics);
    let report = Report {
        handbook,
        history: History::none(),
        signers: Default::default(),
        diagnostics,
        facts,
    };
    let _ = site::in_memory(
        &report,
        today,
        &site::Options::default(),
        &site::Memo::none(),
        site::DataFiles::WithPages,
    );
}
