//! The theme: the built-in templates and assets, compiled in, each replaced by the
//! repository's `templates/<name>` when it exists.

use super::html::escape_html;
use super::memo::Fingerprint;
use crate::diagnostic::{Code, ConfigError, Diagnostic};
use crate::text::decode;
use std::path::Path;

/// The default theme. A repository's `templates/` folder overrides any of these by
/// file name.
const TEMPLATES: [(&str, &str); 18] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "document.html",
        include_str!("../../templates/document.html"),
    ),
    ("control.html", include_str!("../../templates/control.html")),
    (
        "controls.html",
        include_str!("../../templates/controls.html"),
    ),
    ("soa.html", include_str!("../../templates/soa.html")),
    (
        "file-control.html",
        include_str!("../../templates/file-control.html"),
    ),
    ("risks.html", include_str!("../../templates/risks.html")),
    ("risk.html", include_str!("../../templates/risk.html")),
    (
        "treatment.html",
        include_str!("../../templates/treatment.html"),
    ),
    (
        "acknowledgements.html",
        include_str!("../../templates/acknowledgements.html"),
    ),
    ("clauses.html", include_str!("../../templates/clauses.html")),
    ("gaps.html", include_str!("../../templates/gaps.html")),
    ("archive.html", include_str!("../../templates/archive.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "revisions.html",
        include_str!("../../templates/revisions.html"),
    ),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
];

const ASSETS: [(&str, &str); 2] = [
    (
        "assets/style.css",
        include_str!("../../templates/assets/style.css"),
    ),
    (
        "assets/search.js",
        include_str!("../../templates/assets/search.js"),
    ),
];

/// Whether a template calls one of Tera's functions whose result the context does
/// not give: the time, the environment, a random number.
fn is_impure(source: &str) -> bool {
    ["now", "get_env", "get_random"].iter().any(|name| {
        source.match_indices(name).any(|(at, _)| {
            let before = source[..at].chars().next_back();
            let after = source[at + name.len()..].trim_start();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                && after.starts_with('(')
        })
    })
}

/// The loaded theme: the templates, and the static files with their output paths.
pub struct Theme {
    tera: tera::Tera,
    pub assets: Vec<(String, Vec<u8>)>,
    /// A hash of every template as loaded (built-in or overridden): part of each
    /// page's key, so a changed template renders every page again.
    pub fingerprint: u128,
}

impl Theme {
    /// The built-in theme with the repository's overrides. A broken override is a
    /// configuration error (exit code 2), reported at its file.
    pub fn load(root: &Path) -> Result<Theme, ConfigError> {
        let mut problems = Vec::new();
        let mut read = |name: &str, built_in: &str| -> String {
            match std::fs::read(root.join("templates").join(name)) {
                Ok(bytes) => decode(&bytes).unwrap_or_else(|position| {
                    problems.push(
                        Diagnostic::new(
                            Code::ThemeInvalid,
                            format!("templates/{name}"),
                            "the template is not UTF-8",
                        )
                        .at(position)
                        .hint("save it as UTF-8"),
                    );
                    built_in.to_string()
                }),
                Err(_) => built_in.to_string(),
            }
        };
        let sources: Vec<(String, String)> = TEMPLATES
            .iter()
            .map(|(name, built_in)| (name.to_string(), read(name, built_in)))
            .collect();
        let assets = ASSETS
            .iter()
            .map(|(name, built_in)| (name.to_string(), read(name, built_in).into_bytes()))
            .collect();
        let mut fingerprint = sources
            .iter()
            .fold(Fingerprint::new(), |f, (name, source)| {
                f.text(name).text(source)
            });
        if sources.iter().any(|(_, source)| is_impure(source)) {
            // A page of this theme may differ from one build to the next with no
            // change in what it is rendered from: it is never reused.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            fingerprint = fingerprint.number(now.as_nanos());
        }
        let fingerprint = fingerprint.key();
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        if let Err(e) = tera.add_raw_templates(sources) {
            problems.push(template_error("templates", &e));
        }
        if problems.is_empty() {
            Ok(Theme {
                tera,
                assets,
                fingerprint,
            })
        } else {
            Err(ConfigError {
                diagnostics: problems,
            })
        }
    }

    /// Renders one template.
    pub fn render(&self, template: &str, context: &tera::Context) -> Result<String, ConfigError> {
        self.tera
            .render(template, context)
            .map_err(|e| ConfigError::one(template_error(&format!("templates/{template}"), &e)))
    }
}

fn template_error(file: &str, error: &tera::Error) -> Diagnostic {
    // Tera nests the cause; the innermost message says what is wrong.
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message = format!("{message}: {inner}");
        source = inner.source();
    }
    Diagnostic::new(
        Code::ThemeInvalid,
        file,
        format!("template error: {message}"),
    )
    .hint("correct the template override in templates/, or remove it to use the built-in one")
}

#[cfg(test)]
mod tests {
    use super::is_impure;

    #[test]
    fn calls_to_the_time_the_environment_or_chance_are_impure() {
        assert!(is_impure("{{ now() | date(format=\"%Y\") }}"));
        assert!(is_impure("{{ get_env(name=\"CI\", default=\"\") }}"));
        assert!(is_impure("{% set n = get_random (end=10) %}"));
        assert!(!is_impure("{{ doc.title }} is known(ly) {{ known(x) }}"));
        assert!(!is_impure("{{ book.now }} {{ page.get_env }}"));
    }
}
