//! Links to commits and pull requests on the forge, from book.toml's `[repository]`.

use crate::model::config::Repository;

/// Renders links to commits and pull requests from book.toml's `[repository]`. The
/// templates are split once at their placeholder, so each link is one concatenation.
#[derive(Debug, Clone, Default)]
pub struct Links {
    commit: Option<(String, String)>,
    pull_request: Option<(String, String)>,
}

impl Links {
    pub fn new(repository: &Repository) -> Links {
        let Some(url) = repository.url.as_deref().map(|u| u.trim_end_matches('/')) else {
            return Links::default();
        };
        let (commit, pull_request) = repository.forge.templates();
        let commit = repository.commit_url.as_deref().unwrap_or(commit);
        let pull_request = repository
            .pull_request_url
            .as_deref()
            .unwrap_or(pull_request);
        let split = |template: &str, placeholder: &str| {
            let filled = template.replace("{url}", url);
            match filled.split_once(placeholder) {
                Some((before, after)) => (before.to_string(), after.to_string()),
                None => (filled, String::new()),
            }
        };
        Links {
            commit: Some(split(commit, "{commit}")),
            pull_request: Some(split(pull_request, "{number}")),
        }
    }

    pub fn commit(&self, id: &str) -> Option<String> {
        self.commit
            .as_ref()
            .map(|(before, after)| format!("{before}{id}{after}"))
    }

    pub fn pull_request(&self, number: u64) -> Option<String> {
        self.pull_request
            .as_ref()
            .map(|(before, after)| format!("{before}{number}{after}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Forge;

    #[test]
    fn the_forge_is_read_from_the_host_name() {
        assert_eq!(
            Forge::of_url("https://gitlab.example.org/isms"),
            Forge::Gitlab
        );
        assert_eq!(Forge::of_url("git@gitlab.com:acme/isms.git"), Forge::Gitlab);
        assert_eq!(
            Forge::of_url("https://github.com/gitlab-fans/isms"),
            Forge::Github
        );
        assert_eq!(
            Forge::of_url("https://codeberg.org/acme/isms"),
            Forge::Gitea
        );
        assert_eq!(
            Forge::of_url("https://bitbucket.org/acme/isms"),
            Forge::Bitbucket
        );
    }

    #[test]
    fn links_follow_the_forge() {
        let github = Links::new(&Repository {
            url: Some("https://github.com/acme/isms/".into()),
            ..Default::default()
        });
        assert_eq!(
            github.commit("abc").as_deref(),
            Some("https://github.com/acme/isms/commit/abc")
        );
        assert_eq!(
            github.pull_request(7).as_deref(),
            Some("https://github.com/acme/isms/pull/7")
        );
        let gitlab = Links::new(&Repository {
            url: Some("https://gitlab.com/acme/isms".into()),
            forge: Forge::of_url("https://gitlab.com/acme/isms"),
            ..Default::default()
        });
        assert_eq!(
            gitlab.pull_request(7).as_deref(),
            Some("https://gitlab.com/acme/isms/-/merge_requests/7")
        );
    }
}
