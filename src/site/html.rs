//! HTML helpers shared by every page: escaping, the page a source becomes, the
//! relative way back to the site root.

/// Output paths the handbook writes itself; a document may not take one.
pub const RESERVED: [&str; 18] = [
    "index.html",
    "dashboard.html",
    "soa.html",
    "treatment.html",
    "acknowledgements.html",
    "risks.csv",
    "risks",
    "clauses.html",
    "gaps.html",
    "archive.html",
    "search.html",
    "404.html",
    "handbook.json",
    "register.csv",
    "soa.csv",
    "assets",
    "controls",
    ".ismsbook-build",
];

/// HTML escaping for every value a template prints: the five characters that can
/// end a text or an attribute. Written here rather than taken from a crate because
/// Tera's own escaper also escapes `/`, which makes every URL in the handbook
/// unreadable without making it safer, and the function is the whole of the rule.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The relative prefix from a page to the site root: `policies/x.html` → `../`.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// `policies/x.md` → `policies/x.html`.
pub fn page_of(source_path: &str) -> String {
    let stem = source_path
        .strip_suffix(".md")
        .or_else(|| source_path.strip_suffix(".markdown"))
        .unwrap_or(source_path);
    format!("{stem}.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_mirror_sources() {
        assert_eq!(
            page_of("policies/access-control.md"),
            "policies/access-control.html"
        );
        assert_eq!(root_of("policies/access-control.html"), "../");
        assert_eq!(root_of("index.html"), "");
    }

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
