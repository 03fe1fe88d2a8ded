//! The documentation agrees with the code: every diagnostic code of the registry is in
//! docs/checks.md, under its group's heading, with its severity, and nothing else is.

use ismsbook::diagnostic::Code;
use std::collections::BTreeMap;

/// `code` → (section heading, severity) from the tables of docs/checks.md.
fn documented() -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/checks.md"))
        .expect("docs/checks.md");
    let mut heading = String::new();
    let mut found = BTreeMap::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            heading = h.trim().to_string();
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `code` | severity | ... |
        if let [_, code, severity, ..] = cells.as_slice()
            && let Some(code) = code.strip_prefix('`').and_then(|c| c.strip_suffix('`'))
            && ["error", "warning", "note"].contains(severity)
        {
            let previous = found.insert(code.to_string(), (heading.clone(), severity.to_string()));
            assert!(previous.is_none(), "`{code}` is documented twice");
        }
    }
    found
}

#[test]
fn every_code_is_documented_with_its_severity_under_its_heading() {
    let mut documented = documented();
    let mut problems = Vec::new();
    for code in Code::ALL {
        match documented.remove(code.as_str()) {
            None => problems.push(format!("`{code}` is not in docs/checks.md")),
            Some((heading, severity)) => {
                if heading != code.group().heading() {
                    problems.push(format!(
                        "`{code}` is under \"{heading}\", not \"{}\"",
                        code.group().heading()
                    ));
                }
                if severity != code.severity().to_string() {
                    problems.push(format!(
                        "`{code}` is documented as {severity}, but is {}",
                        code.severity()
                    ));
                }
            }
        }
    }
    for code in documented.keys() {
        problems.push(format!(
            "docs/checks.md documents `{code}`, which no check reports"
        ));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
