//! A generated ISMS repository for benchmarks: `documents` documents in policies/ and
//! procedures/ with valid front matter, relative links and control references, and
//! `commits` commits that each edit 1 to 3 documents with a version bump and a
//! `change` text. Written with `git fast-import`, so even 20,000 commits take seconds.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// A small deterministic random generator (xorshift64*), so every run builds the same
/// corpus.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

const CONTROLS: [&str; 12] = [
    "5.1", "5.15", "5.17", "5.24", "6.3", "7.2", "8.2", "8.5", "8.8", "8.13", "8.15", "8.32",
];

pub struct Doc {
    pub path: String,
    pub id: String,
    pub minor: u32,
    pub major: u32,
}

fn folder(i: usize) -> (&'static str, &'static str) {
    if i.is_multiple_of(2) {
        ("policies", "POL")
    } else {
        ("procedures", "PRC")
    }
}

pub fn documents(count: usize) -> Vec<Doc> {
    (0..count)
        .map(|i| {
            let (folder, prefix) = folder(i);
            Doc {
                path: format!("{folder}/doc-{i:05}.md"),
                id: format!("{prefix}-D{i:05}"),
                major: 1,
                minor: 0,
            }
        })
        .collect()
}

pub fn text(docs: &[Doc], i: usize, change: &str, rng: &mut Rng) -> String {
    let doc = &docs[i];
    let controls: Vec<String> = (0..3)
        .map(|k| format!("\"{}\"", CONTROLS[(i + k * 5) % CONTROLS.len()]))
        .collect();
    let other = (i + 1 + rng.below(docs.len() - 1)) % docs.len();
    let (other_folder, _) = folder(other);
    let (own_folder, _) = folder(i);
    let link = if other_folder == own_folder {
        format!("doc-{other:05}.md")
    } else {
        format!("../{other_folder}/doc-{other:05}.md")
    };
    let mut out = format!(
        "---\nid: {}\ntitle: \"Document {i}\"\nversion: \"{}.{}\"\nstatus: approved\nowner: CISO\napprovers: [CISO]\napproved_by: CISO\napproved_on: 2026-01-01\ncontrols: [{}]\nchange: \"{change}\"\n---\n\n# Document {i}\n\n## Purpose\n\n",
        doc.id,
        doc.major,
        doc.minor,
        controls.join(", ")
    );
    for p in 0..4 {
        let _ = write!(
            out,
            "Paragraph {p} of document {i}, revision {}.{}: access to information is granted on need to know, reviewed quarterly, and logged (A.5.15). ",
            doc.major, doc.minor
        );
        out.push_str("Records are kept in the ticketing system for two years and reviewed at each management review.\n\n");
    }
    let _ = writeln!(
        out,
        "## Procedure\n\n1. Request access.\n2. Approve it.\n3. Review it.\n\nSee [the related document]({link})."
    );
    out
}

const BOOK_TOML: &str = "[book]\ntitle = \"Benchmark ISMS\"\norganization = \"Bench Ltd\"\n\n[build.folders]\npolicies = \"policy\"\nprocedures = \"procedure\"\n\n[roles.CISO]\nname = \"Chief Information Security Officer\"\nhandle = \"@bench/security\"\n";

/// A SoA with every Annex A control decided, applicable and implemented.
fn soa() -> String {
    ismsbook::app::scaffold::soa_template(&ismsbook::model::catalog::Catalog::iso27001_2022())
        .replace(
            "    applicable:\n    status:\n    justification:\n",
            "    applicable: true\n    status: implemented\n    justification: \"Risk R-01.\"\n",
        )
        .replace(
            "status: draft\nowner: CISO\napprovers: [CEO]\n",
            "status: approved\nowner: CISO\napprovers: [CISO]\napproved_by: CISO\napproved_on: 2025-01-01\n",
        )
}

/// Writes the corpus into `dir` (a new git repository with a checked-out work tree).
pub fn generate(dir: &Path, documents_count: usize, commits: usize) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    let mut docs = documents(documents_count);
    let mut rng = Rng::new(0x1502_7001);
    let mut stream = Vec::with_capacity(64 << 20);
    let mut time = 1_735_689_600u64; // 2025-01-01
    let inline = |stream: &mut Vec<u8>, path: &str, content: &str| {
        let _ = write!(
            stream,
            "M 100644 inline {path}\ndata {}\n{content}\n",
            content.len()
        );
    };
    // The first commit imports every document and the configuration.
    let _ = write!(
        stream,
        "commit refs/heads/main\nauthor Importer <import@bench> {time} +0000\ncommitter Importer <import@bench> {time} +0000\ndata 10\nImport all\n"
    );
    inline(&mut stream, "book.toml", BOOK_TOML);
    inline(&mut stream, "soa.yaml", &soa());
    for i in 0..docs.len() {
        let content = text(&docs, i, "Initial version", &mut rng);
        inline(&mut stream, &docs[i].path.clone(), &content);
    }
    stream.push(b'\n');
    let authors = ["Ann", "Bob", "Carol", "Dan", "Eve", "Fay"];
    for n in 1..commits {
        time += 3_600;
        let author = authors[rng.below(authors.len())];
        let message = format!("Update documents, batch {n} (#{n})");
        let _ = write!(
            stream,
            "commit refs/heads/main\nauthor {author} <{author}@bench> {time} +0000\ncommitter {author} <{author}@bench> {time} +0000\ndata {}\n{message}\n",
            message.len()
        );
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(docs.len());
            if rng.below(20) == 0 {
                docs[i].major += 1;
                docs[i].minor = 0;
            } else {
                docs[i].minor += 1;
            }
            let change = format!("Change {n}: clarified step {}", rng.below(9) + 1);
            let content = text(&docs, i, &change, &mut rng);
            inline(&mut stream, &docs[i].path.clone(), &content);
        }
        stream.push(b'\n');
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success(), "git fast-import failed");
    git(dir, &["reset", "-q", "--hard", "main"]);
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@bench")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@bench")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
