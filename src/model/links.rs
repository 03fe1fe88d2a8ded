//! Links between documents: where a link in a body points once resolved against its
//! document, the relative link from one document to another, and link schemes that
//! run code in a reader's browser. `check` and the renderer read links the same way.

use percent_encoding::percent_decode_str;

/// Where a link points once resolved against the linking document.
pub enum Target<'a> {
    External,
    Document {
        path: String,
        anchor: Option<&'a str>,
    },
    SamePage(&'a str),
    Other(String),
}

pub fn classify<'a>(from: &str, dest: &'a str) -> Target<'a> {
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if has_scheme || dest.starts_with("//") {
        return Target::External;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::SamePage(anchor);
    }
    let (file, anchor) = match dest.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (dest, None),
    };
    let file = file.split('?').next().unwrap_or(file);
    let resolved = resolve(from, &percent_decode(file));
    let is_markdown = file.ends_with(".md") || file.ends_with(".markdown");
    match resolved {
        Some(path) if is_markdown => Target::Document { path, anchor },
        Some(path) => Target::Other(path),
        None => Target::Other(String::new()),
    }
}

/// `javascript:`, `vbscript:` and `data:` (other than images) links, by their scheme.
pub fn unsafe_scheme(dest: &str) -> Option<&'static str> {
    let lower = dest.trim().to_ascii_lowercase();
    if lower.starts_with("javascript:") {
        Some("javascript:")
    } else if lower.starts_with("vbscript:") {
        Some("vbscript:")
    } else if lower.starts_with("data:") && !lower.starts_with("data:image/") {
        Some("data:")
    } else {
        None
    }
}

/// `policies/a.md` + `../procedures/b.md` → `procedures/b.md`; `None` when the link
/// leaves the repository.
pub fn resolve(from: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = if relative.starts_with('/') {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    if !relative.starts_with('/') {
        parts.pop();
    }
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// The relative link from one document to another.
pub fn relative_link(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.matches('/').count()].to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// `a%20b` → `a b`; escapes that do not decode to UTF-8 are kept as written.
pub fn percent_decode(text: &str) -> String {
    percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_string(), |s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_links() {
        assert_eq!(
            resolve("procedures/a.md", "../policies/b.md").as_deref(),
            Some("policies/b.md")
        );
        assert_eq!(
            resolve("procedures/a.md", "c.md").as_deref(),
            Some("procedures/c.md")
        );
        assert_eq!(resolve("procedures/a.md", "../../../etc/passwd"), None);
        assert_eq!(
            relative_link("procedures/a.md", "policies/b.md"),
            "../policies/b.md"
        );
        assert_eq!(
            relative_link("procedures/a.md", "procedures/x/b.md"),
            "x/b.md"
        );
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("a%20b.md"), "a b.md");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
