//! Where imported files go and how their links follow them: a target file name from
//! the source's (`<slug>/index.md` → `<slug>.md`), and relative links between
//! imported files rebased onto the new places. A link to a file outside the import
//! becomes its text, so nothing imported is a broken link.

use crate::model::markdown;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// The file name a source gets: its stem, or its folder's name for an `index.md`,
/// in lower case with dashes.
pub fn target_name(source: &Path) -> String {
    let name = source
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let lower = name.to_ascii_lowercase();
    let stem_len = [".md.tmpl", ".md.j2", ".md.jinja", ".markdown", ".md"]
        .iter()
        .find(|e| lower.ends_with(*e))
        .map_or(name.len(), |e| name.len() - e.len());
    let mut stem = name[..stem_len].to_string();
    if ["index", "_index"].contains(&stem.to_ascii_lowercase().as_str())
        && let Some(folder) = source.parent().and_then(Path::file_name)
    {
        stem = folder.to_string_lossy().to_string();
    }
    let mut slug = String::new();
    for c in stem.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "document.md".to_string()
    } else {
        format!("{slug}.md")
    }
}

/// A path with `.` and `..` resolved lexically.
pub fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The imported files: each source (normalised) with its target, a repository path.
pub struct Moves {
    pub targets: HashMap<PathBuf, String>,
    /// Sources by their target name's slug, for site-absolute links (`/policies/x/`).
    pub by_slug: HashMap<String, PathBuf>,
    /// Sources whose name was taken, with the name they wanted.
    pub renamed: HashMap<PathBuf, String>,
}

impl Moves {
    /// Where a link of `source` to `dest` (no fragment) leads among the imported
    /// files: the file itself, a folder's `index.md`, or the same name with `.md`.
    fn find(&self, source: &Path, dest: &str) -> Option<&String> {
        let dest = percent_encoding::percent_decode_str(dest).decode_utf8_lossy();
        if let Some(absolute) = dest.strip_prefix('/') {
            let last = absolute.trim_end_matches('/').rsplit('/').next()?;
            let slug = target_name(Path::new(&format!("{last}.md")));
            return self.by_slug.get(&slug).and_then(|p| self.targets.get(p));
        }
        let base = normal(&source.parent()?.join(dest.as_ref()));
        let candidates = [
            base.clone(),
            base.join("index.md"),
            base.join("_index.md"),
            base.with_extension("md"),
        ];
        candidates
            .iter()
            .find_map(|c| self.targets.get(c))
            .or_else(|| {
                // A link to a file that is not there as written: the imported file of that
                // name (a template's rendered name, `ccm.md` for `ccm.md.tmpl`, or a site
                // that renders every folder into one).
                let source = self.by_slug.get(&target_name(&base))?;
                (!base.exists()).then(|| self.targets.get(source))?
            })
    }
}

/// The body with its relative links rebased from `source` to `target`, and a note
/// for each link made text.
/// A fragment that is not a heading of the body it leads to is dropped, so the link
/// leads to the document (`anchors`: each imported target's heading anchors).
pub fn rebase(
    body: &str,
    source: &Path,
    target: &str,
    moves: &Moves,
    anchors: &HashMap<String, HashSet<String>>,
) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for link in markdown::outline(body).links {
        let dest = link.dest.as_str();
        let external = dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with('#');
        if external || dest.is_empty() || link.range.start < at {
            continue;
        }
        let (file, fragment) = match dest.split_once('#') {
            Some((file, fragment)) => (file, Some(fragment)),
            None => (dest, None),
        };
        let source_text = &body[link.range.clone()];
        out.push_str(&body[at..link.range.start]);
        match moves.find(source, file) {
            Some(to) => {
                let mut new = relative(target, to);
                match fragment {
                    Some(f) if anchors.get(to).is_some_and(|a| a.contains(f)) => {
                        new.push('#');
                        new.push_str(f);
                    }
                    Some(f) => notes.push(format!(
                        "link to `{dest}`: `#{f}` is not a heading there, the link leads to the document"
                    )),
                    None => {}
                }
                let inline = format!("]({dest}");
                if source_text.contains(&inline) {
                    out.push_str(&source_text.replacen(&inline, &format!("]({new}"), 1));
                } else {
                    // A reference link: written inline, its definition left unused.
                    out.push_str(&format!("[{}]({new})", link_text(source_text)));
                }
            }
            None => {
                // The reader keeps where it led, unless it was a Markdown page that
                // was not imported (a README, another section).
                let text = link_text(source_text);
                let page = file.ends_with(".md") || file.ends_with('/') || !file.contains('.');
                if page {
                    notes.push(format!("link to `{dest}` (not imported) made text"));
                    out.push_str(&text);
                } else {
                    notes.push(format!(
                        "link to `{dest}` (not imported) made text with its address"
                    ));
                    out.push_str(&format!("{text} ({dest})"));
                }
            }
        }
        at = link.range.end;
    }
    out.push_str(&body[at..]);
    (out, notes)
}

/// The text of `[text](dest)` or `[text][ref]`, or the link as written when it has
/// another form (an autolink).
fn link_text(link: &str) -> String {
    let Some(inner) = link.strip_prefix('[') else {
        return link.to_string();
    };
    let end = inner
        .rfind("](")
        .or_else(|| inner.rfind("]["))
        .or_else(|| inner.rfind(']'));
    end.map_or_else(|| link.to_string(), |end| inner[..end].to_string())
}

/// The relative link from the file `from` to the file `to`, both repository paths.
pub fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').collect();
    let to: Vec<&str> = to.split('/').collect();
    let dir = &from[..from.len() - 1];
    let common = dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; dir.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_source() {
        assert_eq!(
            target_name(Path::new("a/access-control/index.md")),
            "access-control.md"
        );
        assert_eq!(target_name(Path::new("a/BCP DR.md.tmpl")), "bcp-dr.md");
        assert_eq!(target_name(Path::new("x/_index.md")), "x.md");
    }

    #[test]
    fn links_follow_the_files() {
        let root = Path::new("/in");
        let mut targets = HashMap::new();
        targets.insert(
            root.join("policies/access/index.md"),
            "policies/access.md".to_string(),
        );
        targets.insert(
            root.join("procedures/onboard.md"),
            "procedures/onboard.md".to_string(),
        );
        let by_slug = HashMap::from([(
            "access.md".to_string(),
            root.join("policies/access/index.md"),
        )]);
        let moves = Moves {
            targets,
            by_slug,
            renamed: HashMap::new(),
        };
        let body = "See [access](../policies/access/#scope), [home](/policies/access/), [web](https://x.y) and [gone](../../../elsewhere.md).\n";
        let anchors = HashMap::from([(
            "policies/access.md".to_string(),
            HashSet::from(["scope".to_string()]),
        )]);
        let (out, notes) = rebase(
            body,
            &root.join("procedures/onboard.md"),
            "procedures/onboard.md",
            &moves,
            &anchors,
        );
        assert_eq!(
            out,
            "See [access](../policies/access.md#scope), [home](../policies/access.md), [web](https://x.y) and gone.\n"
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(relative("policies/a.md", "policies/b.md"), "b.md");
    }
}
