//! The shape of the code, kept true: layers import only downward, no two modules of a
//! folder import each other (directly or round about), no source file is over 800
//! lines (its test module aside) and no function over 120. docs/design.md describes
//! the layers this test enforces.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules, bottom first: each may use only the ones before it.
const LAYERS: [&str; 11] = [
    "text",
    "diagnostic",
    "model",
    "history",
    "checks",
    "site",
    "exports",
    "app",
    "serve",
    "lsp",
    "fuzzing",
];

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 120;

/// One source file: its module path and its code without comments, strings and tests.
struct File {
    path: PathBuf,
    module: Vec<String>,
    code: String,
}

fn files() -> Vec<File> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&root).unwrap();
                let mut module: Vec<String> = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    module.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let code = strip(&text);
                let code = match code.find("#[cfg(test)]") {
                    Some(i) => code[..i].to_string(),
                    None => code,
                };
                found.push(File { path, module, code });
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// The text with comments, string and character literals blanked out (line breaks
/// kept), so braces and paths are read from code only.
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                blank(&mut out, chars[i]);
                i += 1;
            }
            out.push_str("  ");
            i += 2;
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &k in &chars[i..j.min(chars.len())] {
                blank(&mut out, k);
            }
            i = j;
        } else if c == '"' {
            blank(&mut out, c);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            while i < chars.len() && !(chars[i] == '\'' && i > 0 && chars[i - 1] != '\\') || i == 0
            {
                blank(&mut out, chars[i]);
                i += 1;
                if i < chars.len() && chars[i] == '\'' {
                    break;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("   ");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Every path a file names with `crate::` or `super::`, resolved to absolute module
/// paths (use groups `{a, b::c}` expanded), and `child::` paths to its own submodules.
fn references(file: &File, modules: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    let code = &file.code;
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let boundary = |at: usize| {
        at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b':')
    };
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(pos) = code[from..].find(start) {
            let at = from + pos;
            from = at + start.len();
            if !boundary(at) {
                continue;
            }
            // `super` is the parent of the file's module, in a mod.rs as elsewhere.
            let mut base: Vec<String> = if start == "crate::" {
                Vec::new()
            } else {
                file.module[..file.module.len().saturating_sub(1)].to_vec()
            };
            let mut rest = &code[at + start.len()..];
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            for path in expand(rest) {
                let mut full = base.clone();
                full.extend(path);
                found.push(full);
            }
        }
    }
    // `mod x; use x::Y;`: paths relative to the file's own module.
    for child in modules
        .iter()
        .filter(|m| m.len() == file.module.len() + 1 && m[..file.module.len()] == file.module[..])
    {
        let name = format!("{}::", child[child.len() - 1]);
        let mut from = 0;
        while let Some(pos) = code[from..].find(&name) {
            let at = from + pos;
            from = at + name.len();
            if boundary(at) {
                found.push(child.clone());
            }
        }
    }
    found
}

/// `a::b::{c, d::e}` → [a,b,c], [a,b,d,e]; reads one path at the start of `text`.
fn expand(text: &str) -> Vec<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = text;
    loop {
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let mut end = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let inner = &group[..end];
                let mut items = Vec::new();
                let mut depth = 0;
                let mut item_start = 0;
                for (i, c) in inner.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            items.push(&inner[item_start..i]);
                            item_start = i + 1;
                        }
                        _ => {}
                    }
                }
                items.push(&inner[item_start..]);
                let mut out = Vec::new();
                for item in items {
                    let item = item.trim();
                    if item.is_empty() || item == "self" {
                        out.push(segments.clone());
                        continue;
                    }
                    for path in expand(item) {
                        let mut full = segments.clone();
                        full.extend(path);
                        out.push(full);
                    }
                }
                return out;
            }
            return vec![segments];
        }
        segments.push(ident.clone());
        rest = &rest[ident.len()..];
        match rest.strip_prefix("::") {
            Some(after) => rest = after,
            None => return vec![segments],
        }
    }
}

/// The module a path names: its longest prefix that is a module of the crate.
fn target<'m>(path: &[String], modules: &'m BTreeSet<Vec<String>>) -> Option<&'m Vec<String>> {
    (1..=path.len())
        .rev()
        .find_map(|n| modules.get(&path[..n].to_vec()))
}

fn has_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, edges, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn layers_import_only_downward_and_folders_have_no_circles() {
    let files = files();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    let mut problems = Vec::new();
    // For each folder (module path), the import edges between its files: the nodes
    // are its submodules by name and "(mod)", the folder's own mod.rs. The crate's
    // top level is the folder `[]`.
    let mut folders: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut edge = |folder: &[String], from: String, to: String| {
        if from != to {
            folders
                .entry(folder.to_vec())
                .or_default()
                .entry(from)
                .or_default()
                .insert(to);
        }
    };
    for file in files.iter().filter(|f| !f.module.is_empty()) {
        let module = &file.module;
        let Some(layer) = LAYERS.iter().position(|l| *l == module[0]) else {
            problems.push(format!(
                "{}: top-level module `{}` is not in LAYERS",
                file.path.display(),
                module[0]
            ));
            continue;
        };
        let parent = &module[..module.len() - 1];
        let name = module[module.len() - 1].clone();
        for path in references(file, &modules) {
            let Some(target) = target(&path, &modules) else {
                continue;
            };
            if target.is_empty() {
                continue;
            }
            let target_layer = LAYERS.iter().position(|l| *l == target[0]).unwrap_or(0);
            if target_layer > layer {
                problems.push(format!(
                    "{}: `{}` imports `{}`, a layer above it",
                    file.path.display(),
                    module[0],
                    target.join("::")
                ));
            }
            edge(&[], module[0].clone(), target[0].clone());
            // Among the files of the folder this file is in.
            if target.len() > parent.len() && target[..parent.len()] == *parent {
                edge(parent, name.clone(), target[parent.len()].clone());
            } else if target[..] == *parent && !parent.is_empty() {
                edge(parent, name.clone(), "(mod)".to_string());
            }
            // A mod.rs among the files of its own folder.
            if target.len() > module.len() && target[..module.len()] == module[..] {
                edge(module, "(mod)".to_string(), target[module.len()].clone());
            }
        }
    }
    for (folder, edges) in &folders {
        if let Some(cycle) = has_cycle(edges) {
            let place = if folder.is_empty() {
                "the top-level modules".to_string()
            } else {
                format!("the files of src/{}", folder.join("/"))
            };
            problems.push(format!("{place} import in a circle: {}", cycle.join(" → ")));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn files_and_functions_stay_small() {
    let mut problems = Vec::new();
    for file in files() {
        let lines: Vec<&str> = file.code.lines().collect();
        if lines.len() > MAX_FILE_LINES {
            problems.push(format!(
                "{}: {} lines without its tests (at most {MAX_FILE_LINES})",
                file.path.display(),
                lines.len()
            ));
        }
        for (start, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_fn = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "pub(super) fn ",
                "const fn ",
            ]
            .iter()
            .any(|p| trimmed.starts_with(p));
            if !is_fn {
                continue;
            }
            let name: String = trimmed
                .split("fn ")
                .nth(1)
                .unwrap_or_default()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let mut depth = 0i32;
            let mut opened = false;
            let mut end = None;
            'scan: for (i, l) in lines.iter().enumerate().skip(start) {
                for c in l.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => {
                            depth -= 1;
                            if opened && depth == 0 {
                                end = Some(i);
                                break 'scan;
                            }
                        }
                        ';' if !opened => break 'scan,
                        _ => {}
                    }
                }
            }
            if let Some(end) = end {
                let length = end - start + 1;
                if length > MAX_FN_LINES {
                    problems.push(format!(
                        "{}:{}: fn {name} is {length} lines (at most {MAX_FN_LINES})",
                        file.path.display(),
                        start + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_checker_reads_paths_and_groups() {
    assert_eq!(
        expand("model::{catalog::Catalog, config}"),
        vec![
            vec!["model".to_string(), "catalog".into(), "Catalog".into()],
            vec!["model".to_string(), "config".into()],
        ]
    );
    assert_eq!(strip("let s = \"{\"; // }\nx"), "let s =    ;     \nx");
}
