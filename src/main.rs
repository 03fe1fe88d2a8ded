//! The command line: parses arguments and calls the library. Exit codes are part of the
//! contract: 0 success, 1 checks found errors, 2 usage or configuration error.

use chrono::NaiveDate;
use clap::{CommandFactory, Parser, Subcommand};
use ismsbook::config::{self, ConfigError};
use ismsbook::diagnostic::Diagnostic;
use ismsbook::document::DocType;
use ismsbook::handbook::Handbook;
use ismsbook::history::History;
use ismsbook::report::{self, Format};
use ismsbook::{changes, codeowners};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ismsbook",
    version,
    about = "An ISO/IEC 27001 ISMS as code: check, trace and publish controlled documents kept in git",
    after_help = "Examples:\n  ismsbook check                    check the repository around the current folder\n  ismsbook new procedure \"Access review\"\n  ismsbook init my-isms             start a new ISMS repository\n\nExit codes: 0 success, 1 checks found errors, 2 usage or configuration error."
)]
struct Cli {
    /// The ISMS repository (the folder holding book.toml). Default: the current folder
    /// or the nearest parent folder with a book.toml.
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,

    /// Evaluate review dates as of this date instead of today (YYYY-MM-DD).
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    today: Option<NaiveDate>,

    /// When to color output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Check every document, the SoA and their links; report all problems at once.
    #[command(
        after_help = "Examples:\n  ismsbook check\n  ismsbook check --format json > diagnostics.json\n  ismsbook check --format github      # annotations in a GitHub Actions job\n  ismsbook check --deny-warnings      # warnings fail the run too"
    )]
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Exit with 1 when there are warnings, not only errors.
        #[arg(long)]
        deny_warnings: bool,
        /// The pull-request gate: compare with the merge base of REV and HEAD
        /// (working tree included); every changed document needs a higher version and
        /// a new `change` text, and a removed one must have been retired first.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
    },
    /// A Markdown summary of the controlled changes between two revisions, for a
    /// pull-request description.
    #[command(
        after_help = "Examples:\n  ismsbook diff origin/main..HEAD\n  ismsbook diff v2026.1      # from a tag to the working tree\n  ismsbook diff origin/main >> \"$GITHUB_STEP_SUMMARY\""
    )]
    Diff {
        /// `BASE..HEAD`, or `BASE` alone to compare with the working tree.
        range: String,
    },
    /// CODEOWNERS lines that route reviews of each document to its owner and approvers.
    #[command(
        after_help = "Examples:\n  ismsbook codeowners            # print the generated block\n  ismsbook codeowners --write    # update it in CODEOWNERS (other lines are kept)"
    )]
    Codeowners {
        /// Write the block into CODEOWNERS (.github/CODEOWNERS when there is none),
        /// replacing only the lines ismsbook generated before.
        #[arg(long)]
        write: bool,
    },
    /// The revision history of one document, read from git.
    #[command(
        after_help = "Examples:\n  ismsbook log POL-AC\n  ismsbook log policies/access-control-policy.md --format json"
    )]
    Log {
        /// The document's id or path.
        document: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LogFormat::Human)]
        format: LogFormat,
    },
    /// Build the handbook: static HTML, search and exports, from a repository that
    /// passes `check` (warnings are listed on the gaps page).
    #[command(
        after_help = "Examples:\n  ismsbook build                  # into book/ (book.toml's build-dir)\n  ismsbook build --dest public    # for a static host\n  ismsbook build --drafts         # include drafts, watermarked"
    )]
    Build {
        /// Where to write the handbook (default: book.toml's build-dir).
        #[arg(long, value_name = "DIR")]
        dest: Option<PathBuf>,
        /// Publish drafts and documents in review too, with a DRAFT watermark.
        #[arg(long)]
        drafts: bool,
        /// Publish only documents classified at most LEVEL (e.g. `public`); links to
        /// the others become plain text.
        #[arg(long, value_name = "LEVEL")]
        max_classification: Option<String>,
        /// Build the handbook as it stood at a revision (a commit, tag or branch).
        #[arg(long, value_name = "REV", conflicts_with = "as_of")]
        rev: Option<String>,
        /// Build the handbook as it stood at the end of a day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// Serve the handbook on 127.0.0.1, rebuilt and reloaded in the browser whenever a
    /// document, the SoA, book.toml or a template changes.
    #[command(
        after_help = "Examples:\n  ismsbook serve\n  ismsbook serve --port 8080 --open\n  ismsbook serve --drafts         # see drafts while writing them"
    )]
    Serve {
        /// The port (0 for any free one).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Open the handbook in the default browser.
        #[arg(long)]
        open: bool,
        /// Show drafts and documents in review too.
        #[arg(long)]
        drafts: bool,
    },
    /// Import an existing policy set as new draft documents (never overwrites).
    #[command(
        after_help = "Examples:\n  ismsbook import ../comply/policies --from comply\n  ismsbook import ~/exported-policies --from plain --type procedure --owner IT-MANAGER"
    )]
    Import {
        /// The folder with the documents to import.
        dir: PathBuf,
        /// Their format.
        #[arg(long, value_enum, default_value_t = ismsbook::import::From::Plain)]
        from: ismsbook::import::From,
        /// The type of the imported documents (decides their folder).
        #[arg(long = "type", value_parser = parse_doc_type, default_value = "policy")]
        doc_type: DocType,
        /// The owning role (default: CISO, or the first role of book.toml).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Run the language server on stdin and stdout, for editors: diagnostics as you
    /// type, completion, hover and go-to-definition.
    #[command(
        after_help = "Examples:\n  ismsbook lsp                 # started by the editor (see README)"
    )]
    Lsp,
    /// Print shell completions.
    #[command(
        after_help = "Examples:\n  ismsbook completions bash > /etc/bash_completion.d/ismsbook\n  ismsbook completions zsh > \"${fpath[1]}/_ismsbook\"\n  ismsbook completions fish > ~/.config/fish/completions/ismsbook.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Examples:\n  ismsbook man > ismsbook.1 && man ./ismsbook.1")]
    Man,
    /// Print the JSON Schema of the front matter, for editor completion and validation.
    #[command(after_help = "Examples:\n  ismsbook schema > front-matter.schema.json")]
    Schema,
    /// Write a new document with the next free id and a complete front matter.
    #[command(
        after_help = "Examples:\n  ismsbook new policy \"Cryptography Policy\"\n  ismsbook new procedure \"Access review\" --owner IT-MANAGER --id PRC-AR"
    )]
    New {
        /// The document type.
        #[arg(value_parser = parse_doc_type)]
        doc_type: DocType,
        /// The document's title.
        title: String,
        /// Use this id instead of a generated one.
        #[arg(long)]
        id: Option<String>,
        /// The owning role (default: the first role of book.toml).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Start a new ISMS repository: book.toml, folders, a SoA and starter documents.
    #[command(
        after_help = "Examples:\n  ismsbook init\n  ismsbook init my-isms --organization \"Acme Ltd\""
    )]
    Init {
        /// The folder to create it in (default: the current folder).
        dir: Option<PathBuf>,
        /// The organisation's name.
        #[arg(long)]
        organization: Option<String>,
    },
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    ismsbook::document::parse_date(text)
        .map_err(|why| format!("`{text}` is not a YYYY-MM-DD date{why}"))
}

fn parse_doc_type(text: &str) -> Result<DocType, String> {
    text.parse().map_err(|()| {
        let all: Vec<_> = DocType::ALL.iter().map(|t| t.as_str()).collect();
        format!(
            "`{text}` is not a document type; use one of: {}",
            all.join(", ")
        )
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    };
    let today = cli
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    match run(&cli, today, color) {
        Ok(code) => code,
        Err(Failure::Config(root, error)) => {
            let text = report::render(
                &error.diagnostics,
                Format::Human,
                &root,
                color && std::io::stderr().is_terminal(),
            );
            eprint!("{text}");
            ExitCode::from(2)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

enum Failure {
    Config(PathBuf, ConfigError),
    Usage(String),
}

fn run(cli: &Cli, today: NaiveDate, color: bool) -> Result<ExitCode, Failure> {
    match &cli.command {
        Command::Check {
            format,
            deny_warnings,
            base,
        } => {
            let root = find_root(cli.root.as_deref())?;
            let mut report =
                ismsbook::check(&root, today).map_err(|e| Failure::Config(root.clone(), e))?;
            let mut stdout = std::io::stdout().lock();
            if let Some(rev) = base {
                let (label, verdicts) = report.gate(rev).map_err(Failure::Usage)?;
                if *format != Format::Json {
                    let _ = stdout.write_all(changes::verdict_lines(&verdicts, &label).as_bytes());
                }
            }
            let text = report::render(&report.diagnostics, *format, &root, color);
            let _ = stdout.write_all(text.as_bytes());
            let (errors, warnings) = (report.errors(), report.warnings());
            if *format == Format::Human {
                let documents = report.handbook.documents.len();
                let summary = format!(
                    "{} {}, {} {} in {documents} {}",
                    errors,
                    plural(errors, "error", "errors"),
                    warnings,
                    plural(warnings, "warning", "warnings"),
                    plural(documents, "document", "documents"),
                );
                let _ = writeln!(stdout, "check: {summary}");
            }
            let failed = errors > 0 || (*deny_warnings && warnings > 0);
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Build {
            dest,
            drafts,
            max_classification,
            rev,
            as_of,
        } => {
            let root = find_root(cli.root.as_deref())?;
            let started = std::time::Instant::now();
            let options = ismsbook::render::Options {
                drafts: *drafts,
                max_classification: max_classification.clone(),
            };
            // Progress on a terminal only; logs and pipes get the summary line alone.
            let terminal = std::io::stderr().is_terminal();
            // ISMSBOOK_TIMINGS=1 prints how long each phase took (for performance work).
            let timings = std::env::var_os("ISMSBOOK_TIMINGS").is_some();
            let phase_start = std::cell::Cell::new((std::time::Instant::now(), String::new()));
            let progress = |phase: &str| {
                let (since, previous) =
                    phase_start.replace((std::time::Instant::now(), phase.to_string()));
                if timings && !previous.is_empty() {
                    eprintln!(
                        "timing: {previous}: {:.0} ms",
                        since.elapsed().as_secs_f64() * 1e3
                    );
                }
                if terminal && !timings {
                    eprint!("\r\x1b[2Kbuild: {phase}…");
                }
            };
            let at = match (rev, as_of) {
                (Some(rev), _) => Some(ismsbook::At::Rev(rev.clone())),
                (None, Some(date)) => Some(ismsbook::At::AsOf(*date)),
                (None, None) => None,
            };
            let result = match &at {
                Some(at) => ismsbook::build_at(&root, at, &options, dest.as_deref()),
                None => ismsbook::build(&root, today, &options, dest.as_deref(), &progress),
            };
            progress("");
            if terminal {
                eprint!("\r\x1b[2K");
            }
            let built = match result {
                Ok(built) => built,
                Err(ismsbook::BuildError::Config(e)) => return Err(Failure::Config(root, e)),
                Err(ismsbook::BuildError::Theme(e)) => {
                    return Err(Failure::Config(
                        root,
                        ConfigError {
                            diagnostics: e.diagnostics,
                        },
                    ));
                }
                Err(ismsbook::BuildError::Output(e)) => return Err(Failure::Usage(e.to_string())),
                Err(ismsbook::BuildError::Usage(message)) => return Err(Failure::Usage(message)),
                Err(ismsbook::BuildError::Checks(report)) => {
                    print!(
                        "{}",
                        report::render(&report.diagnostics, Format::Human, &root, color)
                    );
                    eprintln!(
                        "build: {} {}; nothing was written (run `ismsbook check` for details)",
                        report.errors(),
                        plural(report.errors(), "error", "errors")
                    );
                    return Ok(ExitCode::from(1));
                }
            };
            let shown: Vec<_> = built
                .report
                .diagnostics
                .iter()
                .filter(|d| d.severity != ismsbook::diagnostic::Severity::Note)
                .cloned()
                .collect();
            print!("{}", report::render(&shown, Format::Human, &root, color));
            let warnings = built.report.warnings();
            let dest = built
                .dest
                .strip_prefix(&root)
                .unwrap_or(&built.dest)
                .display()
                .to_string();
            println!(
                "build: {} {}, {} controls, {} files into {}/ in {:.2}s ({} {})",
                built.documents,
                plural(built.documents, "document", "documents"),
                built.controls,
                built.files,
                dest,
                started.elapsed().as_secs_f64(),
                warnings,
                plural(warnings, "warning", "warnings"),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { port, open, drafts } => {
            let root = find_root(cli.root.as_deref())?;
            let options = ismsbook::render::Options {
                drafts: *drafts,
                max_classification: None,
            };
            let server =
                ismsbook::serve::Server::start(&root, *port, today, options).map_err(|e| {
                    Failure::Usage(format!(
                        "cannot listen on 127.0.0.1:{port}: {e} (choose another with --port)"
                    ))
                })?;
            let address = server
                .address()
                .map_err(|e| Failure::Usage(e.to_string()))?;
            let url = format!("http://{address}/");
            println!("serving the handbook at {url} (Ctrl-C to stop)");
            let _ = std::io::stdout().flush();
            if *open {
                let opener = if cfg!(target_os = "macos") {
                    "open"
                } else if cfg!(windows) {
                    "explorer"
                } else {
                    "xdg-open"
                };
                if std::process::Command::new(opener)
                    .arg(&url)
                    .spawn()
                    .is_err()
                {
                    eprintln!("serve: could not start a browser; open {url} yourself");
                }
            }
            server.run();
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { range } => {
            let handbook = load_handbook(cli)?;
            let history = History::load(&handbook.config);
            let repo = history.repository().ok_or_else(|| {
                Failure::Usage("diff needs a git repository, and there is none here".to_string())
            })?;
            let (from, to) = match range.split_once("..") {
                Some((from, to)) => (from, Some(to).filter(|t| !t.is_empty())),
                None => (range.as_str(), None),
            };
            let commit = |rev: &str| {
                repo.revparse_single(rev)
                    .and_then(|o| o.peel_to_commit())
                    .map_err(|e| Failure::Usage(format!("cannot resolve `{rev}`: {}", e.message())))
            };
            let state = |c: &git2::Commit<'_>| {
                changes::State::at_commit(
                    repo,
                    c,
                    history.prefix(),
                    &handbook.config,
                    &handbook.catalog,
                )
                .map_err(|e| Failure::Usage(format!("cannot read {}: {}", c.id(), e.message())))
            };
            let mut before = state(&commit(from)?)?;
            before.label = from.to_string();
            let after = match to {
                Some(to) => {
                    let mut after = state(&commit(to)?)?;
                    after.label = to.to_string();
                    after
                }
                None => changes::State::working(&handbook),
            };
            print!("{}", changes::summary(&before, &after, &handbook.catalog));
            Ok(ExitCode::SUCCESS)
        }
        Command::Codeowners { write } => {
            let handbook = load_handbook(cli)?;
            let history = History::load(&handbook.config);
            if *write {
                let workdir = history
                    .repository()
                    .and_then(|r| r.workdir())
                    .ok_or_else(|| {
                        Failure::Usage(
                            "--write needs a git work tree, and there is none here".to_string(),
                        )
                    })?;
                let path = codeowners::write(&handbook, workdir, history.prefix())
                    .map_err(|e| Failure::Usage(format!("cannot write CODEOWNERS: {e}")))?;
                println!("wrote {}", path.display());
            } else {
                print!("{}", codeowners::block(&handbook, history.prefix()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Log { document, format } => {
            let handbook = load_handbook(cli)?;
            let doc = handbook
                .by_id(document)
                .or_else(|| {
                    handbook
                        .by_path(document.trim_start_matches("./"))
                        .map(|(d, _)| d)
                })
                .ok_or_else(|| {
                    Failure::Usage(format!("no document has the id or path `{document}`"))
                })?;
            let history = History::load(&handbook.config);
            for notice in &history.notices {
                eprintln!("{}: {}", notice.severity, notice.message);
            }
            let revisions = history.revisions(&doc.path);
            let title = doc.meta.as_ref().map_or("", |m| m.title.as_str());
            match format {
                LogFormat::Json => {
                    let value = serde_json::json!({
                        "id": doc.id,
                        "title": title,
                        "path": doc.path,
                        "complete": history.is_complete(),
                        "revisions": revisions,
                    });
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&value).expect("serializes")
                    );
                }
                LogFormat::Human => print!(
                    "{}",
                    log_table(
                        doc.id.as_deref().unwrap_or(&doc.path),
                        title,
                        &doc.path,
                        &revisions
                    )
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            dir,
            from,
            doc_type,
            owner,
        } => {
            let handbook = load_handbook(cli)?;
            let request = ismsbook::import::Request {
                dir,
                from: *from,
                doc_type: *doc_type,
                owner: owner.as_deref(),
            };
            let results = ismsbook::import::import(&handbook, &request).map_err(Failure::Usage)?;
            for r in &results {
                match (&r.path, &r.id) {
                    (Some(path), Some(id)) => println!("imported {path} ({id}) from {}", r.source),
                    _ => println!("skipped {}", r.source),
                }
                for note in &r.notes {
                    println!("  - {note}");
                }
            }
            let imported = results.iter().filter(|r| r.path.is_some()).count();
            println!(
                "import: {imported} of {} files imported as drafts; review them, then approve them with a version and `change`",
                results.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Lsp => {
            let root = cli.root.clone().or_else(|| find_root(None).ok());
            ismsbook::lsp::run(root, today)
                .map_err(|e| Failure::Usage(format!("language server: {e}")))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "ismsbook",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command())
                .render(&mut std::io::stdout())
                .map_err(|e| Failure::Usage(format!("cannot write the man page: {e}")))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            // A project's roles and classifications make the schema sharper; without
            // a book.toml it is the generic one.
            let config = find_root(cli.root.as_deref())
                .ok()
                .and_then(|root| config::Config::load(&root).ok());
            let schema = ismsbook::schema::front_matter(config.as_ref());
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).expect("schema serializes")
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            doc_type,
            title,
            id,
            owner,
        } => {
            let handbook = load_handbook(cli)?;
            let request = ismsbook::scaffold::NewDocument {
                doc_type: *doc_type,
                title: title.clone(),
                id: id.clone(),
                owner: owner.clone(),
            };
            let created = ismsbook::scaffold::new_document(&handbook, &request, today)
                .map_err(Failure::Usage)?;
            println!("created {} ({})", created.path, created.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir, organization } => {
            let base = cli.root.clone().unwrap_or_else(|| PathBuf::from("."));
            let dir = match dir {
                Some(dir) => base.join(dir),
                None => base,
            };
            let written = ismsbook::scaffold::init(&dir, organization.as_deref(), today)
                .map_err(Failure::Usage)?;
            for path in &written {
                println!("created {}", path);
            }
            println!(
                "\nNext: `ismsbook check` lists what to decide and write; start with the SoA and the information security policy."
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The revision history as a plain-text table, newest first.
fn log_table(
    id: &str,
    title: &str,
    path: &str,
    revisions: &[ismsbook::history::Revision],
) -> String {
    let mut rows = vec![[
        "version".to_string(),
        "landed".to_string(),
        "status".to_string(),
        "approved".to_string(),
        "authors".to_string(),
        "commit".to_string(),
        "change".to_string(),
    ]];
    for r in revisions.iter().rev() {
        let approved = match (&r.approved_by, &r.approved_on) {
            (Some(by), Some(on)) => format!("{by} {on}"),
            (Some(by), None) => by.clone(),
            (None, Some(on)) => on.clone(),
            (None, None) => "-".to_string(),
        };
        let commit = match r.pull_request {
            Some(n) => format!("{} #{n}", &r.commit[..7]),
            None => r.commit[..7].to_string(),
        };
        rows.push([
            r.version.clone(),
            r.date.map_or("unknown".to_string(), |d| d.to_string()),
            r.status.clone().unwrap_or_else(|| "-".to_string()),
            approved,
            r.authors.join(", "),
            commit,
            r.change.clone().unwrap_or_default(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("{id}  {title}\n{path}\n\n");
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i < 6 {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if revisions.is_empty() {
        out.push_str("(no committed versions)\n");
    }
    out
}

/// The handbook of the repository the command runs in (its own diagnostics are for
/// `check` to report).
fn load_handbook(cli: &Cli) -> Result<Handbook, Failure> {
    let root = find_root(cli.root.as_deref())?;
    Handbook::load(&root)
        .map(|(handbook, _)| handbook)
        .map_err(|e| Failure::Config(root, e))
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The folder given, or the nearest folder upwards from the current one with a book.toml.
fn find_root(given: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(root) = given {
        if !root.is_dir() {
            return Err(Failure::Usage(format!(
                "--root {}: no such folder",
                root.display()
            )));
        }
        return Ok(root.to_path_buf());
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::Usage(format!("cannot read the current folder: {e}")))?;
    let found = cwd
        .ancestors()
        .find(|dir| dir.join(config::FILE_NAME).is_file());
    match found {
        Some(dir) => Ok(dir.to_path_buf()),
        None => Err(Failure::Config(
            cwd.clone(),
            ConfigError {
                diagnostics: vec![
                    Diagnostic::error(
                        "config-unreadable",
                        config::FILE_NAME,
                        "no book.toml in this folder or any parent folder",
                    )
                    .hint(
                        "run `ismsbook init` to start an ISMS repository here, or pass --root DIR",
                    ),
                ],
            },
        )),
    }
}
