//! A generated ISMS repository for benchmarks: `documents` documents in policies/ and
//! procedures/ of the size real policies have (8 to 20 KB: sections, role tables,
//! numbered statements with sub-items, a records table, links to other documents and
//! their headings), with valid front matter, and `commits` commits over 500 days
//! that each edit 1 to 3 documents with a version bump, a `change` text and a renewed
//! approval (approved by the CTO on the day of the commit). Streamed into
//! `git fast-import`, so even 100,000 commits take a minute.
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

/// Words of policy prose, drawn at random into sentences.
const WORDS: [&str; 48] = [
    "access",
    "information",
    "assets",
    "owner",
    "review",
    "quarterly",
    "approved",
    "records",
    "systems",
    "staff",
    "contractors",
    "suppliers",
    "incidents",
    "risk",
    "controls",
    "encryption",
    "keys",
    "backups",
    "logging",
    "monitoring",
    "changes",
    "production",
    "customer",
    "data",
    "retention",
    "classification",
    "confidential",
    "internal",
    "training",
    "awareness",
    "exceptions",
    "management",
    "evidence",
    "tickets",
    "approval",
    "segregation",
    "duties",
    "privileged",
    "accounts",
    "devices",
    "network",
    "vulnerabilities",
    "patches",
    "within",
    "days",
    "shall",
    "must",
    "ensure",
];

fn sentence(rng: &mut Rng, out: &mut String) {
    let n = 12 + rng.below(14);
    for k in 0..n {
        let word = WORDS[rng.below(WORDS.len())];
        if k == 0 {
            let mut c = word.chars();
            out.extend(c.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(c.as_str());
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push_str(". ");
}

fn paragraph(rng: &mut Rng, out: &mut String) {
    for _ in 0..3 + rng.below(4) {
        sentence(rng, out);
    }
    out.push_str("\n\n");
}

/// The link from document `i` to document `other`.
fn link_to(i: usize, other: usize) -> String {
    let (other_folder, _) = folder(other);
    let (own_folder, _) = folder(i);
    if other_folder == own_folder {
        format!("doc-{other:05}.md")
    } else {
        format!("../{other_folder}/doc-{other:05}.md")
    }
}

/// A document: front matter with its version and approval (on `day`), then a body
/// of 8 to 20 KB whose text changes with each revision.
pub fn text(docs: &[Doc], i: usize, change: &str, day: &str, rng: &mut Rng) -> String {
    let doc = &docs[i];
    let controls: Vec<String> = (0..3)
        .map(|k| format!("\"{}\"", CONTROLS[(i + k * 5) % CONTROLS.len()]))
        .collect();
    let mut out = format!(
        "---\nid: {}\ntitle: \"Document {i}\"\nversion: \"{}.{}\"\nstatus: approved\nowner: CISO\napprovers: [CTO]\napproved_by: CTO\napproved_on: {day}\ncontrols: [{}]\nchange: \"{change}\"\n---\n\n# Document {i}\n\n## Purpose\n\n",
        doc.id,
        doc.major,
        doc.minor,
        controls.join(", ")
    );
    // The size is the document's own (8 to 20 KB), its text the revision's.
    let target = 8_000 + (i * 7_919) % 12_000;
    paragraph(rng, &mut out);
    out.push_str("## Scope\n\n");
    paragraph(rng, &mut out);
    out.push_str("## Roles and responsibilities\n\n| Role | Responsibility |\n|---|---|\n");
    for role in ["CISO", "CTO", "System owner", "Line manager", "Staff"] {
        let _ = write!(out, "| {role} | ");
        sentence(rng, &mut out);
        out.push_str("|\n");
    }
    out.push_str("\n## Policy statements\n\n");
    let mut section = 1;
    while out.len() < target.saturating_sub(1_000) {
        let _ = write!(out, "### Statement {section}\n\n");
        paragraph(rng, &mut out);
        for n in 1..=4 {
            let _ = write!(out, "{n}. ");
            sentence(rng, &mut out);
            out.push('\n');
            if n == 2 {
                for _ in 0..2 {
                    out.push_str("   - ");
                    sentence(rng, &mut out);
                    out.push('\n');
                }
            }
        }
        out.push('\n');
        section += 1;
    }
    out.push_str("## Records\n\n| Record | Kept in | Retention |\n|---|---|---|\n");
    for (record, place) in [
        ("Access requests", "the ticketing system"),
        ("Reviews", "the GRC tool"),
        ("Exceptions", "the risk register"),
    ] {
        let _ = writeln!(out, "| {record} | {place} | {} years |", 1 + rng.below(6));
    }
    let others: Vec<usize> = (0..3)
        .map(|_| (i + 1 + rng.below(docs.len() - 1)) % docs.len())
        .collect();
    let _ = write!(
        out,
        "\n## Related documents\n\nSee [the related document]({}), its [scope]({}#scope), and [the third]({}) (A.5.15).\n",
        link_to(i, others[0]),
        link_to(i, others[1]),
        link_to(i, others[2])
    );
    out
}

const BOOK_TOML: &str = "[book]\ntitle = \"Benchmark ISMS\"\norganization = \"Bench Ltd\"\n\n[build.folders]\npolicies = \"policy\"\nprocedures = \"procedure\"\n\n[roles.CISO]\nname = \"Chief Information Security Officer\"\nhandle = \"@bench/security\"\n\n[roles.CTO]\nname = \"Chief Technology Officer\"\nhandle = \"@bench/cto\"\n";

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
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    // Streamed: the XL corpus is gigabytes of fast-import input.
    let mut stream = std::io::BufWriter::with_capacity(1 << 20, child.stdin.take().unwrap());
    let start = 1_735_689_600u64; // 2025-01-01
    // Every commit within 500 days, so approvals are never in the future.
    let step = (500 * 86_400 / commits.max(1) as u64).max(1);
    let mut time = start;
    let inline = |stream: &mut dyn std::io::Write, path: &str, content: &str| {
        write!(
            stream,
            "M 100644 inline {path}\ndata {}\n{content}\n",
            content.len()
        )
        .unwrap();
    };
    let day = |time: u64| {
        let days = (time / 86_400) as i64;
        let date =
            chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(days as u64);
        date.to_string()
    };
    // The first commit imports every document and the configuration.
    write!(
        stream,
        "commit refs/heads/main\nauthor Importer <import@bench> {time} +0000\ncommitter Importer <import@bench> {time} +0000\ndata 10\nImport all\n"
    )
    .unwrap();
    inline(&mut stream, "book.toml", BOOK_TOML);
    inline(&mut stream, "soa.yaml", &soa());
    for i in 0..docs.len() {
        let content = text(&docs, i, "Initial version", &day(time), &mut rng);
        inline(&mut stream, &docs[i].path.clone(), &content);
    }
    stream.write_all(b"\n").unwrap();
    let authors = ["Ann", "Bob", "Carol", "Dan", "Eve", "Fay"];
    for n in 1..commits {
        time += step;
        let author = authors[rng.below(authors.len())];
        let message = format!("Update documents, batch {n} (#{n})");
        write!(
            stream,
            "commit refs/heads/main\nauthor {author} <{author}@bench> {time} +0000\ncommitter {author} <{author}@bench> {time} +0000\ndata {}\n{message}\n",
            message.len()
        )
        .unwrap();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(docs.len());
            if rng.below(20) == 0 {
                docs[i].major += 1;
                docs[i].minor = 0;
            } else {
                docs[i].minor += 1;
            }
            let change = format!("Change {n}: clarified step {}", rng.below(9) + 1);
            let content = text(&docs, i, &change, &day(time), &mut rng);
            inline(&mut stream, &docs[i].path.clone(), &content);
        }
        stream.write_all(b"\n").unwrap();
    }
    drop(stream);
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
