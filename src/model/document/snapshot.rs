//! What the history keeps of one version of a document: the identifying and approval
//! fields as written, and hashes that tell which kind of content changed.

use super::front_matter::CONTROL_KEYS;
use super::split::split;
use crate::model::yaml::strip_comment;
use crate::text::stable_hash as hash;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

/// What the history needs of one version of a file: the identifying and approval
/// fields as written, and hashes that tell which kind of content changed. Reading a
/// snapshot never fails: a file that cannot be parsed gives empty fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub id: Option<String>,
    pub title: Option<String>,
    pub version: Option<String>,
    pub status: Option<String>,
    pub change: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<String>,
    /// Hash of the title and the body: what an approval approves.
    pub content: u64,
    /// Hash of everything but the approval and review fields (status, approved_by,
    /// approved_on, effective, reviewed_on) and the audience: a change here needs a
    /// new version.
    pub controlled: u64,
    /// Hash of the whole (decoded) text.
    pub file: u64,
}

/// Fields whose change records an approval, a review or who must read the document
/// (its distribution), not a new content: none of them needs a new version.
const APPROVAL_KEYS: [&str; 6] = [
    "status",
    "approved_by",
    "approved_on",
    "effective",
    "reviewed_on",
    "audience",
];

impl Snapshot {
    /// The snapshot of a Markdown document with front matter.
    pub fn of(text: &str) -> Snapshot {
        let mut snapshot = Snapshot {
            file: hash(text.as_bytes()),
            ..Snapshot::default()
        };
        let Ok(split) = split(text) else {
            snapshot.content = hash(text.as_bytes());
            snapshot.controlled = snapshot.content;
            return snapshot;
        };
        snapshot.set_fields(split.yaml);
        let mut content = ContentHash::default();
        content.write(snapshot.title.as_deref().unwrap_or_default().as_bytes());
        content.write(split.body.trim_end().as_bytes());
        snapshot.content = content.finish();
        // Front-matter lines of the approval keys, and the lines that continue them,
        // are left out of the controlled hash.
        let mut controlled = lines_without(split.yaml, &APPROVAL_KEYS);
        controlled.write(split.body.trim_end().as_bytes());
        snapshot.controlled = controlled.finish();
        snapshot
    }

    /// The snapshot of a YAML file that is a controlled document of its own kind (the
    /// SoA): its control keys at the top, the rest its content.
    pub fn of_yaml(text: &str, title: &str) -> Snapshot {
        let mut snapshot = Snapshot {
            file: hash(text.as_bytes()),
            title: Some(title.to_string()),
            ..Snapshot::default()
        };
        snapshot.set_fields(text);
        snapshot.id = None;
        // Comments and blank lines are not decisions: editing them changes nothing.
        // Nor is the review of one entry (a risk's `reviewed_on`): it records a
        // reassessment that changed nothing, as a document's `reviewed_on` does.
        let data: String = text
            .lines()
            .map(|l| strip_comment(l).trim_end())
            .filter(|l| !l.trim().is_empty())
            .filter(|l| !(l.starts_with(' ') && l.trim_start().starts_with("reviewed_on:")))
            .flat_map(|l| [l, "\n"])
            .collect();
        snapshot.content = lines_without(&data, &CONTROL_KEYS).finish();
        snapshot.controlled = lines_without(&data, &APPROVAL_KEYS).finish();
        snapshot
    }

    fn set_fields(&mut self, yaml: &str) {
        let fields = scan_fields(yaml).unwrap_or_else(|| parsed_fields(yaml));
        let title = fields.title.or(self.title.take());
        self.id = fields.id;
        self.title = title;
        self.version = fields.version;
        self.status = fields.status;
        self.change = fields.change;
        self.approved_by = fields.approved_by;
        self.approved_on = fields.approved_on;
    }
}

/// The fields as the YAML parser reads them (when the line scanner cannot).
fn parsed_fields(yaml: &str) -> SnapshotFields {
    let Ok(Value::Mapping(map)) = serde_yaml::from_str::<Value>(yaml) else {
        return SnapshotFields::default();
    };
    let field = |key: &str| match map.get(key) {
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    SnapshotFields {
        id: field("id"),
        title: field("title"),
        version: field("version"),
        status: field("status"),
        change: field("change"),
        approved_by: field("approved_by"),
        approved_on: field("approved_on"),
    }
}

/// A hash of the YAML's lines, without the top-level `keys` and the lines that
/// continue them.
fn lines_without(yaml: &str, keys: &[&str]) -> ContentHash {
    let mut hash = ContentHash::default();
    let mut skipping = false;
    for line in yaml.lines() {
        let top_level = line.chars().next().is_some_and(|c| !c.is_whitespace());
        if top_level {
            skipping = keys.iter().any(|k| {
                line.strip_prefix(k)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            });
        }
        if !skipping {
            hash.write(line.trim_end().as_bytes());
        }
    }
    hash
}

/// The snapshot's fields, as read from the front matter.
#[derive(Default)]
struct SnapshotFields {
    id: Option<String>,
    title: Option<String>,
    version: Option<String>,
    status: Option<String>,
    change: Option<String>,
    approved_by: Option<String>,
    approved_on: Option<String>,
}

/// Reads the snapshot's fields from front matter written the usual way (each field a
/// one-line plain, single- or double-quoted scalar), without a YAML parser: history
/// reads thousands of versions. `None` when a field is written any other way (a
/// block scalar, a continuation line, an escape, a tag…), so the caller uses the YAML
/// parser and the result is always the parser's.
fn scan_fields(yaml: &str) -> Option<SnapshotFields> {
    const KEYS: [&str; 7] = [
        "id",
        "title",
        "version",
        "status",
        "change",
        "approved_by",
        "approved_on",
    ];
    let mut fields = SnapshotFields::default();
    let mut current: Option<&str> = None;
    for line in yaml.lines() {
        let indented = line.starts_with([' ', '\t']);
        if indented || line.starts_with('-') {
            // Belongs to the key above: a continuation of one of ours is not simple.
            if current.is_some() && !line.trim().is_empty() && !line.trim_start().starts_with('#') {
                return None;
            }
            continue;
        }
        current = None;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(':')?;
        let Some(&key) = KEYS.iter().find(|k| **k == key) else {
            continue;
        };
        let value = scalar(rest)?;
        current = Some(key);
        let slot = match key {
            "id" => &mut fields.id,
            "title" => &mut fields.title,
            "version" => &mut fields.version,
            "status" => &mut fields.status,
            "change" => &mut fields.change,
            "approved_by" => &mut fields.approved_by,
            _ => &mut fields.approved_on,
        };
        if slot.is_some() {
            return None; // a repeated key: the parser decides
        }
        *slot = value;
    }
    Some(fields)
}

/// A one-line scalar after `key:`. `Some(None)` for an empty value, `None` when the
/// value is not a simple scalar.
fn scalar(rest: &str) -> Option<Option<String>> {
    let value = rest.trim();
    if value.is_empty() || value == "~" || value == "null" {
        return Some(None);
    }
    let first = value.as_bytes()[0];
    if first == b'"' {
        let inner = value[1..].split_once('"')?;
        if inner.0.contains('\\') || !is_comment_or_empty(inner.1) {
            return None;
        }
        return Some(Some(inner.0.trim().to_string()));
    }
    if first == b'\'' {
        let inner = value[1..].split_once('\'')?;
        if inner.1.starts_with('\'') || !is_comment_or_empty(inner.1) {
            return None;
        }
        return Some(Some(inner.0.trim().to_string()));
    }
    if b"|>[{&*!%@`".contains(&first) || value.contains(": ") {
        return None;
    }
    let plain = match value.find(" #") {
        Some(i) => &value[..i],
        None => value,
    };
    Some(Some(plain.trim().to_string()))
}

fn is_comment_or_empty(text: &str) -> bool {
    let text = text.trim();
    text.is_empty() || text.starts_with('#')
}

/// A 64-bit hash that is stable across builds and platforms, so it can be kept in the
/// history cache on disk: XXH3, with each part's length written before it so that
/// "ab" + "c" and "a" + "bc" differ. The history cache stores these hashes: changing
/// this function requires bumping `history::cache::FORMAT`.
pub struct ContentHash(xxhash_rust::xxh3::Xxh3);

impl Default for ContentHash {
    fn default() -> Self {
        ContentHash(xxhash_rust::xxh3::Xxh3::new())
    }
}

impl ContentHash {
    pub fn write(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub fn finish(&self) -> u64 {
        self.0.digest()
    }
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;

    #[test]
    fn the_field_scanner_agrees_with_the_yaml_parser() {
        let cases = [
            "id: POL-A\ntitle: \"A: the policy\"\nversion: \"1.0\"\nstatus: approved # ok\nchange: 'It''s new'\n",
            "id: POL-A\ntitle: Plain title # comment\nversion: '2.1'\napproved_on: 2026-01-01\n",
            "id: POL-A\nchange: >\n  folded\n  text\nversion: \"1.0\"\n",
            "id: POL-A\nchange: first line\n  continued\n",
            "title: \"Esc \\\"q\\\"\"\nid: X-Y\n",
            "controls:\n  - \"5.1\"\nid: POL-B\nrelated: [A-B]\n",
        ];
        for yaml in cases {
            let text = format!("---\n{yaml}---\nbody\n");
            let fast = Snapshot::of(&text);
            let map: serde_yaml::Mapping = serde_yaml::from_str(yaml).unwrap();
            let field = |k: &str| {
                map.get(k)
                    .and_then(|v| v.as_str())
                    .map(|s| s.trim().to_string())
            };
            assert_eq!(fast.id, field("id"), "{yaml}");
            assert_eq!(fast.title, field("title"), "{yaml}");
            assert_eq!(fast.version, field("version"), "{yaml}");
            assert_eq!(fast.status, field("status"), "{yaml}");
            assert_eq!(fast.change, field("change"), "{yaml}");
            assert_eq!(fast.approved_on, field("approved_on"), "{yaml}");
        }
    }

    #[test]
    fn a_yaml_document_s_content_is_what_its_control_keys_leave() {
        let soa = "version: \"1.0\"\nstatus: approved\nowner: CISO\nchange: First\ncontrols:\n  A.5.1:\n    applicable: true\n";
        let a = Snapshot::of_yaml(soa, "Statement of Applicability");
        assert_eq!(a.version.as_deref(), Some("1.0"));
        assert_eq!(a.title.as_deref(), Some("Statement of Applicability"));
        let reapproved = Snapshot::of_yaml(
            &soa.replace(
                "status: approved",
                "status: approved\napproved_on: 2026-01-01",
            ),
            "Statement of Applicability",
        );
        assert_eq!(a.controlled, reapproved.controlled);
        let bumped = Snapshot::of_yaml(&soa.replace("1.0", "1.1"), "Statement of Applicability");
        assert_eq!(a.content, bumped.content);
        assert_ne!(a.controlled, bumped.controlled);
        let decided =
            Snapshot::of_yaml(&soa.replace("true", "false"), "Statement of Applicability");
        assert_ne!(a.content, decided.content);
        let commented = Snapshot::of_yaml(
            &format!(
                "# The SoA\n\n{}",
                soa.replace("controls:", "controls: # all 93")
            ),
            "Statement of Applicability",
        );
        assert_eq!(a.controlled, commented.controlled);
        assert_eq!(a.content, commented.content);
    }

    #[test]
    fn approval_fields_do_not_change_the_controlled_hash() {
        let draft =
            Snapshot::of("---\nid: POL-A\ntitle: A\nversion: \"1.0\"\nstatus: draft\n---\n# A\n");
        let approved = Snapshot::of(
            "---\nid: POL-A\ntitle: A\nversion: \"1.0\"\nstatus: approved\napproved_by: CISO\napproved_on: 2026-01-01\n---\n# A\n",
        );
        assert_eq!(draft.controlled, approved.controlled);
        assert_eq!(draft.content, approved.content);
        assert_ne!(draft.file, approved.file);
        let edited = Snapshot::of(
            "---\nid: POL-A\ntitle: A\nversion: \"1.0\"\nstatus: draft\n---\n# A\n\nMore.\n",
        );
        assert_ne!(draft.content, edited.content);
        let more_controls = Snapshot::of(
            "---\nid: POL-A\ntitle: A\nversion: \"1.0\"\nstatus: draft\ncontrols: [\"5.1\"]\n---\n# A\n",
        );
        assert_ne!(draft.controlled, more_controls.controlled);
        assert_eq!(draft.content, more_controls.content);
        assert_eq!(approved.version.as_deref(), Some("1.0"));
        assert_eq!(approved.approved_on.as_deref(), Some("2026-01-01"));
    }
}
