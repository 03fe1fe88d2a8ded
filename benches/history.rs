//! History benchmark: a generated repository (default 2,000 documents and 20,000
//! commits), timed for the first-parent walk cold (no cache), warm (cached HEAD), and
//! after one new commit (incremental), against the floor of
//! `git log --raw --no-renames` over the same history.
//!
//! Run: `cargo bench --bench history` (sizes: `ISMSBOOK_BENCH_DOCS`,
//! `ISMSBOOK_BENCH_COMMITS`). Results go to docs/performance.md by hand.

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

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters benchmarks by name,
    // and this file has one.
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

    let ratio = |d: Duration| d.as_secs_f64() / floor.as_secs_f64();
    println!("history of {documents} documents over {commits} commits (median of {RUNS} runs)");
    println!("| measure | time | vs git log |");
    println!("|---|---|---|");
    println!(
        "| `git log --raw --no-renames` (floor) | {:.0} ms | 1.00× |",
        floor.as_secs_f64() * 1e3
    );
    println!(
        "| history cold (no cache) | {:.0} ms | {:.2}× |",
        cold.as_secs_f64() * 1e3,
        ratio(cold)
    );
    println!(
        "| history warm (cached HEAD) | {:.1} ms | {:.3}× |",
        warm.as_secs_f64() * 1e3,
        ratio(warm)
    );
    println!(
        "| history after one new commit (incremental) | {:.1} ms | {:.3}× |",
        incremental.as_secs_f64() * 1e3,
        ratio(incremental)
    );
    println!(
        "cache: {:.1} MiB; doc-00000 has {revisions} revisions",
        cache_size as f64 / (1 << 20) as f64
    );
}
