//! History and build benchmark: a generated repository (default 2,000 documents and
//! 20,000 commits), timed for the first-parent walk cold (no cache), warm (cached
//! HEAD) and after one new commit (incremental), a warm `check`, and a warm build
//! (nothing changed, and every page rendered), against the floor of
//! `git log --raw --no-renames` over the same history.
//!
//! Run: `cargo bench --bench history` (sizes: `ISMSBOOK_BENCH_DOCS`,
//! `ISMSBOOK_BENCH_COMMITS`). Regressions: `-- --save-baseline NAME` keeps the
//! figures (as ratios to the floor, so a slower or busier machine does not count)
//! in `target/ismsbook-bench/NAME.txt`; `-- --baseline NAME` compares with them and
//! exits with status 1 when a measure is more than 20 % slower. Results go to
//! docs/performance.md by hand.

#[path = "support/corpus.rs"]
mod corpus;

use ismsbook::history::History;
use ismsbook::model::config::Config;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    let runs = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    median(runs)
}

/// `--save-baseline NAME` or `--baseline NAME` (`cargo bench` adds `--bench`).
fn baseline_argument() -> (Option<String>, Option<String>) {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    (value("--save-baseline"), value("--baseline"))
}

/// The baselines' folder, in the build's target directory.
fn baseline_path(name: &str) -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("ismsbook-bench").join(format!("{name}.txt"))
}

/// Saves the ratios, or compares them with a saved baseline; true when no measure
/// regressed by more than 20 %.
fn regressions(ratios: &[(&str, f64)]) -> bool {
    let (save, compare) = baseline_argument();
    if let Some(name) = save {
        let path = baseline_path(&name);
        let _ = std::fs::create_dir_all(path.parent().unwrap());
        let text: String = ratios
            .iter()
            .map(|(m, r)| format!("{r:.6} {m}\n"))
            .collect();
        std::fs::write(&path, text).expect("the baseline can be written");
        println!("baseline saved: {}", path.display());
    }
    let Some(name) = compare else { return true };
    let path = baseline_path(&name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("baseline {}: {e}", path.display()));
    let mut ok = true;
    println!("against baseline `{name}` (ratio to the floor, then and now):");
    for line in text.lines() {
        let Some((then, measure)) = line.split_once(' ') else {
            continue;
        };
        let Some(&(_, now)) = ratios.iter().find(|(m, _)| *m == measure) else {
            continue;
        };
        let then: f64 = then.parse().unwrap_or(f64::NAN);
        let change = now / then - 1.0;
        let verdict = if change > 0.20 { "REGRESSED" } else { "ok" };
        ok &= change <= 0.20;
        println!(
            "  {measure}: {then:.3} -> {now:.3} ({:+.0} %) {verdict}",
            change * 100.0
        );
    }
    ok
}

fn main() {
    let documents: usize = std::env::var("ISMSBOOK_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let commits: usize = std::env::var("ISMSBOOK_BENCH_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = std::env::temp_dir().join(format!("ismsbook-bench-{documents}-{commits}"));
    if !dir.join(".git").exists() {
        let start = Instant::now();
        let _ = std::fs::remove_dir_all(&dir);
        corpus::generate(&dir, documents, commits);
        println!(
            "generated {documents} documents, {commits} commits in {:.1?} at {}",
            start.elapsed(),
            dir.display()
        );
    }
    let config = Config::load(&dir).expect("the corpus has a book.toml");
    let cache = dir.join(".git/ismsbook/history.bin");

    let floor = time(|| {
        let status = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(["log", "--raw", "--no-renames", "--format=%H"])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    });
    let cold = time(|| {
        let _ = std::fs::remove_file(&cache);
        let history = History::load(&config);
        assert!(history.is_complete());
    });
    let warm = time(|| {
        let history = History::load(&config);
        assert!(history.is_complete());
    });
    let revisions = History::load(&config)
        .revisions("policies/doc-00000.md")
        .len();
    // One more commit on top of the cached history.
    let path = dir.join("policies/doc-00000.md");
    let mut after_commit = Vec::new();
    for _ in 0..RUNS {
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\nOne more line.\n")).unwrap();
        corpus::git(&dir, &["commit", "-q", "-am", "One more"]);
        let start = Instant::now();
        let history = History::load(&config);
        after_commit.push(start.elapsed());
        assert!(history.is_complete());
    }
    let incremental = median(after_commit);
    corpus::git(&dir, &["reset", "-q", "--hard", &format!("HEAD~{RUNS}")]);
    let cache_size = std::fs::metadata(&cache).map(|m| m.len()).unwrap_or(0);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let check = time(|| {
        let report = ismsbook::checks::check(&dir, today, None).unwrap();
        assert_eq!(report.errors(), 0);
    });
    let dest = dir.join("book");
    let options = ismsbook::site::Options::default();
    let build = || {
        ismsbook::app::build::build(&dir, today, &options, Some(&dest), &|_| {}).unwrap();
    };
    let build_warm = time(build);
    let build_all = time(|| {
        let _ = std::fs::remove_dir_all(&dest);
        build();
    });

    let ratio = |d: Duration| d.as_secs_f64() / floor.as_secs_f64();
    // Each measure: its row in the table, its name in a baseline, its time.
    let measures = [
        ("history cold (no cache)", "history-cold", cold),
        ("history warm (cached HEAD)", "history-warm", warm),
        (
            "history after one new commit (incremental)",
            "history-incremental",
            incremental,
        ),
        ("check (warm)", "check-warm", check),
        ("build, nothing changed", "build-unchanged", build_warm),
        ("build, every page rendered", "build-all-pages", build_all),
    ];
    println!("history of {documents} documents over {commits} commits (median of {RUNS} runs)");
    println!("| measure | time | vs git log |");
    println!("|---|---|---|");
    println!(
        "| `git log --raw --no-renames` (floor) | {:.0} ms | 1.00× |",
        floor.as_secs_f64() * 1e3
    );
    for (row, _, time) in &measures {
        println!(
            "| {row} | {:.1} ms | {:.3}× |",
            time.as_secs_f64() * 1e3,
            ratio(*time)
        );
    }
    println!(
        "cache: {:.1} MiB; doc-00000 has {revisions} revisions",
        cache_size as f64 / (1 << 20) as f64
    );
    let ratios: Vec<(&str, f64)> = measures
        .iter()
        .map(|(_, name, time)| (*name, ratio(*time)))
        .collect();
    if !regressions(&ratios) {
        eprintln!("a measure regressed by more than 20 % against the baseline");
        std::process::exit(1);
    }
}
