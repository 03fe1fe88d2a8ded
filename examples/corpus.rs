//! Generates a benchmark ISMS repository (see benches/support/corpus.rs):
//! `cargo run --release --example corpus -- DIR [DOCUMENTS] [COMMITS]`.

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: corpus DIR [DOCUMENTS] [COMMITS]");
        std::process::exit(2);
    };
    let documents = args.next().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let commits = args.next().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let dir = std::path::PathBuf::from(dir);
    if dir.exists() {
        eprintln!("{} exists; remove it first", dir.display());
        std::process::exit(2);
    }
    let started = std::time::Instant::now();
    corpus::generate(&dir, documents, commits);
    println!(
        "generated {documents} documents and {commits} commits in {:.1?} at {}",
        started.elapsed(),
        dir.display()
    );
}
