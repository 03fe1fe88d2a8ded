//! The command line: parses arguments and calls the library's commands (`app`, `serve`,
//! `lsp`). Exit codes are part of the contract: 0 success, 1 checks found errors,
//! 2 usage or configuration error.

use chrono::NaiveDate;
use clap::{CommandFactory, Parser, Subcommand};
use ismsbook::app::report::{self, Format};
use ismsbook::app::{self, Context, Error, Outcome};
use ismsbook::diagnostic::Code;
use ismsbook::model::kinds::{DocType, parse_date as parse_iso_date};
use ismsbook::site::Options;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system's allocator: see its entry in Cargo.toml and
/// docs/performance.md. libgit2 keeps allocating with the system's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// What `ismsbook export` writes.
#[derive(Subcommand)]
enum ExportWhat {
    /// One PDF per published document (or the ids given), and handbook.pdf with every
    /// document when no id is given: controlled copies, typeset in-process.
    Pdf {
        /// Document ids (default: every published document).
        ids: Vec<String>,
    },
    /// isms.xlsx: the SoA, the register, the risks and the gaps, one sheet each.
    Xlsx,
    /// One zip with the handbook, the PDFs, the workbook and a manifest of SHA-256
    /// checksums; the same commit gives the same bytes.
    AuditPack {
        /// The zip to write (default: exports/audit-pack-DATE-COMMIT.zip).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// What an export publishes, as `build` would.
#[derive(clap::Args)]
struct ExportScope {
    /// Where to write (default: exports/, and exports/pdf/ for PDFs).
    #[arg(long, value_name = "DIR", global = true)]
    dest: Option<PathBuf>,
    /// Include drafts and documents in review, with a DRAFT watermark.
    #[arg(long, global = true)]
    drafts: bool,
    /// Only documents classified at most LEVEL (e.g. `public`).
    #[arg(long, value_name = "LEVEL", global = true)]
    max_classification: Option<String>,
    /// As the repository stood at a revision (a commit, tag or branch).
    #[arg(long, value_name = "REV", conflicts_with = "as_of", global = true)]
    rev: Option<String>,
    /// As the repository stood at the end of a day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date, global = true)]
    as_of: Option<NaiveDate>,
}

#[derive(Subcommand)]
enum Command {
    /// Check every document, the SoA and their links; report all problems at once.
    #[command(
        after_help = "Examples:\n  ismsbook check\n  ismsbook check --format json > diagnostics.json\n  ismsbook check --format github      # annotations in a GitHub Actions job\n  ismsbook check --deny-warnings      # warnings fail the run too\n  ismsbook check --code soa-undecided # every finding of one code"
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
        /// Show every finding; without it, a code found more than three times is
        /// folded into one entry.
        #[arg(long, visible_alias = "all")]
        verbose: bool,
        /// Only findings with this code, each shown (repeat for several codes).
        #[arg(long = "code", value_name = "CODE", value_parser = parse_code)]
        codes: Vec<Code>,
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
        /// The document's id or path (or the SoA's path, e.g. soa.yaml).
        document: String,
        /// Every commit of every version, each on its own line.
        #[arg(long)]
        all: bool,
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
    /// Export controlled PDF copies, the ISMS as a workbook, or a sealed audit pack,
    /// published as `build` publishes the handbook.
    #[command(
        after_help = "Examples:\n  ismsbook export pdf                       # every published document, and handbook.pdf\n  ismsbook export pdf POL-AC PRC-IR --dest out\n  ismsbook export xlsx --max-classification internal\n  ismsbook export audit-pack --as-of 2026-03-31"
    )]
    Export {
        #[command(subcommand)]
        what: ExportWhat,
        #[command(flatten)]
        scope: ExportScope,
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
    /// Import existing policies (comply, Hugo/Jekyll, templates, Markdown) as new drafts.
    #[command(
        after_help = "Each file's format is detected (comply header, YAML or TOML front matter, plain Markdown, .md.tmpl/.md.j2 templates); folders are searched recursively. Nothing is overwritten; the report says per file what was mapped, kept in `extra` and dropped, and exits 1 when a file was skipped.\n\nExamples:\n  ismsbook import ../comply/policies\n  ismsbook import ../site/content/policies ../consultant/ --type policy\n  ismsbook import ~/exported/procedures --type procedure --owner IT-MANAGER --controls-from-body"
    )]
    Import {
        /// Files and folders to import (folders recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Their format, when detection should not decide.
        #[arg(long, value_enum, default_value_t = app::import::Format::Auto)]
        from: app::import::Format,
        /// The type of the imported documents (decides their folder and id prefix);
        /// default: from the folders' names (policies/, procedures/ …), else policy.
        #[arg(long = "type", value_parser = parse_doc_type)]
        doc_type: Option<DocType>,
        /// The owning role (default: CISO, or the first role of book.toml).
        #[arg(long)]
        owner: Option<String>,
        /// Add the Annex A controls the body mentions to `controls` (else they are proposed).
        #[arg(long)]
        controls_from_body: bool,
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
        /// No starter documents: for a policy set to be imported.
        #[arg(long)]
        empty: bool,
    },
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    parse_iso_date(text).map_err(|why| why.message(text))
}

fn parse_code(text: &str) -> Result<Code, String> {
    Code::parse(text).ok_or_else(|| {
        match ismsbook::text::did_you_mean(text, Code::ALL.iter().map(|c| c.as_str())) {
            Some(close) => format!("`{text}` is not a diagnostic code; did you mean `{close}`?"),
            None => format!("`{text}` is not a diagnostic code; docs/checks.md lists them"),
        }
    })
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

/// libgit2 maps a pack file in windows of 1 GiB on 64-bit systems and keeps up to
/// 8 GiB of them mapped. Reading every version of every document touches the whole
/// pack, which then counts in the process's memory: 156 MiB of a 171 MiB pack on the
/// large benchmark corpus. Windows of 4 MiB, at most 16 MiB mapped, keep it bounded
/// with no measured cost in time (docs/performance.md: 64 MiB mapped cost 26 MiB
/// more at the peak of a cold build, in the same time).
fn bound_pack_maps() {
    const WINDOW: usize = 4 << 20;
    const MAPPED: usize = 16 << 20;
    // SAFETY: libgit2's global options are set once, on the main thread, before any
    // other thread starts and before any repository is opened.
    unsafe {
        let _ = git2::opts::set_mwindow_size(WINDOW);
        let _ = git2::opts::set_mwindow_mapped_limit(MAPPED);
    }
}

fn main() -> ExitCode {
    bound_pack_maps();
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    };
    let ctx = Context {
        root: cli.root.clone(),
        today: cli
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        color,
    };
    match run(&cli, &ctx) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(Error::Config(root, error)) => {
            let color = color && std::io::stderr().is_terminal();
            eprint!(
                "{}",
                report::render(&error.diagnostics, Format::Human, &root, color)
            );
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// Calls the command asked for.
fn run(cli: &Cli, ctx: &Context) -> Result<Outcome, Error> {
    // Not locked for the whole run: the language server writes from its own thread.
    let out = &mut std::io::stdout();
    let done = |()| Outcome::Success;
    match &cli.command {
        Command::Check {
            format,
            deny_warnings,
            base,
            verbose,
            codes,
        } => {
            let request = app::check::Request {
                format: *format,
                deny_warnings: *deny_warnings,
                base: base.as_deref(),
                verbose: *verbose,
                codes,
            };
            app::check::run(ctx, &request, out)
        }
        Command::Build {
            dest,
            drafts,
            max_classification,
            rev,
            as_of,
        } => {
            let at = point_in_time(rev.as_ref(), as_of.as_ref());
            let request = app::build::Request {
                dest: dest.as_deref(),
                options: Options {
                    drafts: *drafts,
                    max_classification: max_classification.clone(),
                },
                at,
            };
            app::build::run(ctx, &request, out)
        }
        Command::Export { what, scope } => export(ctx, what, scope, out),
        Command::Serve { port, open, drafts } => {
            let options = Options {
                drafts: *drafts,
                max_classification: None,
            };
            ismsbook::serve::run(ctx, *port, *open, options, out).map(done)
        }
        Command::Diff { range } => app::diff::run(ctx, range, out).map(done),
        Command::Codeowners { write } => app::codeowners::run(ctx, *write, out).map(done),
        Command::Log {
            document,
            format,
            all,
        } => {
            let format = match format {
                LogFormat::Human => app::log::LogFormat::Human,
                LogFormat::Json => app::log::LogFormat::Json,
            };
            app::log::run(ctx, document, format, *all, out).map(done)
        }
        Command::Import {
            paths,
            from,
            doc_type,
            owner,
            controls_from_body,
        } => {
            let request = app::import::Request {
                paths,
                from: *from,
                doc_type: *doc_type,
                owner: owner.as_deref(),
                controls_from_body: *controls_from_body,
            };
            app::import::run(ctx, &request, out)
        }
        Command::Lsp => {
            let root = ctx.root.clone().or_else(|| app::find_root(None).ok());
            ismsbook::lsp::run(root, ctx.today)
                .map_err(|e| Error::usage(format!("language server: {e}")))
                .map(done)
        }
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "ismsbook", out);
            Ok(Outcome::Success)
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(out)
            .map_err(|e| Error::usage(format!("cannot write the man page: {e}")))
            .map(done),
        Command::Schema => app::schema::run(ctx, out).map(done),
        Command::New {
            doc_type,
            title,
            id,
            owner,
        } => {
            let request = app::scaffold::NewDocument {
                doc_type: *doc_type,
                title: title.clone(),
                id: id.clone(),
                owner: owner.clone(),
            };
            app::scaffold::run_new(ctx, &request, out).map(done)
        }
        Command::Init {
            dir,
            organization,
            empty,
        } => app::scaffold::run_init(ctx, dir.as_deref(), organization.as_deref(), *empty, out)
            .map(done),
    }
}

/// `--rev` or `--as-of`, when given.
fn point_in_time(rev: Option<&String>, as_of: Option<&NaiveDate>) -> Option<app::build::At> {
    match (rev, as_of) {
        (Some(rev), _) => Some(app::build::At::Rev(rev.clone())),
        (None, Some(date)) => Some(app::build::At::AsOf(*date)),
        (None, None) => None,
    }
}

fn export(
    ctx: &Context,
    what: &ExportWhat,
    scope: &ExportScope,
    out: &mut dyn std::io::Write,
) -> Result<Outcome, Error> {
    let kind = match what {
        ExportWhat::Pdf { ids } => app::export::Kind::Pdf { ids: ids.clone() },
        ExportWhat::Xlsx => app::export::Kind::Xlsx,
        ExportWhat::AuditPack { out } => app::export::Kind::AuditPack { out: out.clone() },
    };
    let request = app::export::Request {
        kind,
        dest: scope.dest.as_deref(),
        options: Options {
            drafts: scope.drafts,
            max_classification: scope.max_classification.clone(),
        },
        at: point_in_time(scope.rev.as_ref(), scope.as_of.as_ref()),
    };
    app::export::run(ctx, &request, out)
}
