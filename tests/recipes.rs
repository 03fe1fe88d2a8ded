//! The CI recipes in docs/recipes and the pre-commit hook: valid YAML of the right
//! shape, and every `ismsbook` command they run works on a real repository.

mod common;
use common::*;
use serde_yaml::Value;

fn recipe(path: &str) -> Value {
    let text = std::fs::read_to_string(project_root().join(path)).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid YAML: {e}"))
}

/// Every shell line of a recipe that runs ismsbook, with CI variables filled in and
/// redirections dropped, as arguments.
fn ismsbook_commands(lines: &[String]) -> Vec<Vec<String>> {
    lines
        .iter()
        .flat_map(|block| {
            block
                .lines()
                .map(str::trim)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|line| line.starts_with("ismsbook "))
        .map(|line| {
            let line = line
                .replace("${{ github.base_ref }}", "main")
                .replace("$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
                .replace('"', "");
            let line = line
                .split(" >")
                .next()
                .unwrap()
                .split(" ||")
                .next()
                .unwrap()
                .to_string();
            line.split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// A repository with history, `origin/main`, and a feature branch with a proper change.
fn repository() -> Repo {
    let repo = Repo::clean();
    repo.git_init();
    repo.commit("Import", "Carol", "2026-01-10T09:00:00+00:00");
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    repo.git(&["checkout", "-q", "-b", "change"]);
    let text = repo
        .read("procedures/access.md")
        .replace("version: \"1.0\"", "version: \"1.1\"")
        .replace("change: Initial version", "change: Clearer steps")
        .replace("Follow the", "Always follow the");
    repo.write("procedures/access.md", &text);
    repo.commit("Access procedure 1.1", "Ann", "2026-02-01T09:00:00+00:00");
    repo
}

fn run_all(commands: &[Vec<String>]) {
    assert!(!commands.is_empty());
    for args in commands {
        let repo = repository();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = repo.cmd(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "ismsbook {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn the_github_actions_recipe_runs() {
    let workflow = recipe("docs/recipes/github-actions.yml");
    let jobs = workflow["jobs"].as_mapping().expect("jobs");
    let mut lines = Vec::new();
    for (name, job) in jobs {
        assert!(job["runs-on"].is_string(), "{name:?} has runs-on");
        let steps = job["steps"].as_sequence().expect("steps");
        // The gate needs the whole history.
        let checkout = steps
            .iter()
            .find(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/checkout"))
            })
            .expect("a checkout");
        assert_eq!(
            checkout["with"]["fetch-depth"].as_u64(),
            Some(0),
            "{name:?}"
        );
        lines.extend(steps.iter().flat_map(|s| strings(&s["run"])));
    }
    let commands = ismsbook_commands(&lines);
    assert!(
        commands
            .iter()
            .any(|c| c.join(" ") == "check --base origin/main --format github"),
        "{commands:?}"
    );
    assert!(commands.iter().any(|c| c[0] == "codeowners"));
    run_all(&commands);
}

#[test]
fn the_gitlab_ci_recipe_runs() {
    let pipeline = recipe("docs/recipes/gitlab-ci.yml");
    let stages = strings(&pipeline["stages"]);
    assert_eq!(pipeline["variables"]["GIT_DEPTH"].as_u64(), Some(0));
    let mut lines = Vec::new();
    for (name, job) in pipeline.as_mapping().unwrap() {
        let Some(script) = job.get("script") else {
            continue;
        };
        assert!(
            stages.contains(&job["stage"].as_str().unwrap_or_default().to_string()),
            "{name:?} has a declared stage"
        );
        lines.extend(strings(script));
    }
    let commands = ismsbook_commands(&lines);
    assert!(
        commands.iter().any(|c| c.contains(&"gitlab".to_string())),
        "{commands:?}"
    );
    run_all(&commands);
}

#[test]
fn the_pre_commit_hook_runs() {
    let hooks = recipe(".pre-commit-hooks.yaml");
    let entry = hooks[0]["entry"].as_str().unwrap().to_string();
    assert_eq!(hooks[0]["pass_filenames"].as_bool(), Some(false));
    run_all(&ismsbook_commands(&[entry]));
}

#[test]
fn the_gitlab_format_is_a_code_quality_report() {
    let repo = Repo::clean();
    repo.write(
        "procedures/access.md",
        &repo
            .read("procedures/access.md")
            .replace("owner: IT", "owner: NOBODY"),
    );
    let output = repo.cmd(&["check", "--format", "gitlab"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let issues: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let issue = issues
        .iter()
        .find(|i| i["check_name"] == "unknown-role")
        .expect("the error");
    assert_eq!(issue["severity"], "major");
    assert_eq!(issue["location"]["path"], "procedures/access.md");
    assert_eq!(issue["location"]["lines"]["begin"], 6);
    assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 16);
}
