//! The `kitei` command line: argument parsing only. Each command is a function in
//! [`kitei::cmd`], which returns the exit code (0: clean, 1: the policy has errors, 2: usage or
//! I/O failure).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use kitei::cmd;
use kitei::config::parse_date;
use kitei::evidence::Scope;
use kitei::render::Audience;

#[derive(Parser)]
#[command(
    name = "kitei",
    version,
    about = "Build, check and seal a security-incident regulation kept as Markdown and YAML"
)]
struct Cli {
    /// Project root: the folder with kitei.toml (default: the current folder).
    #[arg(
        short = 'C',
        long = "project",
        global = true,
        value_name = "DIR",
        default_value = "."
    )]
    project: PathBuf,
    /// Evaluate deadlines as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_as_of)]
    as_of: Option<NaiveDate>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the policy and run every rule; print diagnostics and a summary.
    Check(CheckArgs),
    /// List every rule with its code, name and default level.
    Rules,
    /// Print the explanation of a rule.
    Explain {
        /// A rule code (K0303) or name (prevention-plan).
        code: String,
    },
    /// Seal an evidence bundle: evidence/<name>.zip, a BagIt bag chained to the previous one.
    Seal(SealArgs),
    /// Seal the next bundle of the chain a store keeps and upload it (S3 Object Lock or a folder).
    Publish(PublishArgs),
    /// Verify a bundle (or, with --chain, every bundle in a folder or store) from the archives alone.
    Verify(VerifyArgs),
    /// Create a minisign key pair for signing bundles (PREFIX.pub, PREFIX.key).
    Keygen(KeygenArgs),
    /// Check, render the policy into a static website (refuses while errors remain), and seal
    /// the default evidence bundle.
    Build(BuildCommandArgs),
    /// Build, serve the site on 127.0.0.1, rebuild on every change and reload open pages.
    Serve(ServeArgs),
    /// Make DIR a CI-ready policy repository: .gitignore, GitHub and GitLab CI, JSON Schemas,
    /// and a starter project unless DIR has a kitei.toml.
    Init(InitArgs),
    /// Write the next incident, drill, review, exception or runbook with its required fields
    /// and 【要記入】 placeholders; prints the path written.
    New(NewArgs),
    /// Open incidents with their next deadline, duties due soon, and overdue ones.
    Status(StatusArgs),
    /// List the built-in templates, or copy chosen ones into templates/ to override them.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Print the 新旧対照表 of two versions: release tags, version names, or WORKTREE.
    Diff(DiffArgs),
    /// Import existing regulations (.docx, .md, .txt) into the source folder, with a report.
    Import(ImportArgs),
    /// Write the JSON Schemas of every YAML kind and front matter (for editors and CI).
    Schema(SchemaArgs),
    /// The roster of people bound by the documents (roster.yaml).
    Roster {
        #[command(subcommand)]
        command: RosterCommand,
    },
    /// Acknowledgements (周知) of document revisions.
    Ack {
        #[command(subcommand)]
        command: AckCommand,
    },
    /// Typeset the print-ready PDFs (A4, PDF/A-2b): regulation documents, runbooks, the contact
    /// sheet, or (--compare) a 新旧対照表.
    Pdf(PdfArgs),
}

#[derive(Subcommand)]
enum RosterCommand {
    /// Merge an HR export (CSV: UTF-8, UTF-8 with BOM or Shift_JIS) into roster.yaml.
    Import {
        /// The CSV file; its header names the columns.
        file: PathBuf,
        /// Which column is which field: COLUMN=FIELD,… (fields: id, name, department, roles, joined, left, email).
        #[arg(long, value_name = "COLUMN=FIELD,…")]
        map: Option<String>,
        /// Report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum AckCommand {
    /// Record acknowledgements from an LMS or form export (CSV: UTF-8, UTF-8 with BOM or Shift_JIS).
    Import {
        /// The CSV file; its header names the columns.
        file: PathBuf,
        /// Which column is which field: COLUMN=FIELD,… (fields: person, on, method, document, release, receipt).
        #[arg(long, value_name = "COLUMN=FIELD,…")]
        map: Option<String>,
        /// The document acknowledged (doc:<id>), unless a column says.
        #[arg(long, value_name = "doc:ID")]
        document: Option<String>,
        /// The version acknowledged (2026.1), unless a column says.
        #[arg(long, value_name = "VERSION")]
        release: Option<String>,
        /// How they were given (site-receipt, lms, paper, meeting), unless a column says.
        #[arg(long, value_name = "METHOD")]
        method: Option<String>,
        /// The evidence file of paper or meeting acknowledgements (a path inside the source folder).
        #[arg(long, value_name = "PATH")]
        evidence: Option<String>,
        /// Report what would be added; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Record the receipts of the site's "I have read this revision" button (.eml files or folders of them).
    ImportMail {
        #[arg(required = true, value_name = "MAIL")]
        mails: Vec<PathBuf>,
        /// Report what would be added; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(clap::Args)]
struct PdfArgs {
    /// Who the PDFs are for: restricted content is left out below `restricted`.
    #[arg(long, value_name = "AUDIENCE", default_value = "employees", value_parser = ["public", "employees", "restricted"])]
    audience: String,
    /// Output folder (default: pdf/, pdf-restricted/ or pdf-public/ in the project).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Only the 新旧対照表 (A4 landscape) of two versions: release tags, version names or WORKTREE.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
    compare: Option<Vec<String>>,
}

#[derive(clap::Args)]
struct SchemaArgs {
    /// The folder to write `*.schema.json` into.
    #[arg(long, value_name = "DIR", default_value = "schemas")]
    out: PathBuf,
    /// Write nothing; exit 1 when a file in DIR is missing or differs (for CI).
    #[arg(long)]
    check: bool,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The files to import (.docx, .md, .txt; text in UTF-8, Shift_JIS/CP932, EUC-JP or UTF-16).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The source folder to write into, relative to the project root (default: the project's, `policy-src`).
    #[arg(long, value_name = "DIR")]
    into: Option<PathBuf>,
    /// The document id (only with one FILE; default: from the file name).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Where to write the Markdown import report (default: import-report.md in the project).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Replace documents that exist already.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The old version (a tag like policy-v2026.1, its version name 2026.1, or WORKTREE).
    old: String,
    /// The new version (default: WORKTREE, the working tree).
    #[arg(default_value = "WORKTREE")]
    new: String,
    /// text: clause by clause, changes underlined on a terminal and [+…+]/[-…-] otherwise;
    /// html: a standalone page with the two-column tables.
    #[arg(long, value_parser = ["text", "html"], default_value = "text")]
    format: String,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Watch by polling modification times every second (for mounts without file events).
    #[arg(long)]
    poll: bool,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(clap::Args)]
struct InitArgs {
    /// The project folder to write into (default: the project root, -C).
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Write the starter project (kitei.toml, policy-src/) even where a kitei.toml exists
    /// (refused then, unless --force). Without a kitei.toml it is written anyway.
    #[arg(long, hide = true)]
    policy: bool,
    /// Also copy every built-in template into templates/ (they then stop following kitei's fixes).
    #[arg(long)]
    eject_templates: bool,
    /// Replace files that exist already.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct StatusArgs {
    /// List the duties due within this period from the evaluation date (14d, 4 weeks as 28d, 3 months).
    #[arg(long, default_value = "14d", value_parser = parse_period)]
    within: kitei::model::values::Period,
    /// text: for the terminal; json: one document on stdout (schema `kitei-status/1`).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    format: String,
}

fn parse_period(s: &str) -> Result<kitei::model::values::Period, String> {
    s.parse()
}

#[derive(clap::Args)]
struct NewArgs {
    /// What to write.
    #[arg(value_parser = ["incident", "drill", "review", "exception", "runbook"])]
    kind: String,
    /// The title (default: a 【要記入】 placeholder).
    #[arg(long)]
    title: Option<String>,
}

#[derive(Subcommand)]
enum TemplatesCommand {
    /// Every built-in template and asset, marked when the project overrides it.
    List,
    /// Copy the named templates (base.html, assets/kitei.css, …) into templates/ for editing.
    Eject {
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        /// Replace copies that exist already.
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args)]
struct BuildCommandArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Only build the site; do not seal the default evidence bundle.
    #[arg(long)]
    no_seal: bool,
}

#[derive(clap::Args)]
struct BuildArgs {
    /// Who the site is for: restricted records are left out below `restricted`.
    #[arg(long, value_name = "AUDIENCE", default_value = "employees", value_parser = ["public", "employees", "restricted"])]
    audience: String,
    /// Build a preview even when the check reports errors (every page shows a banner).
    #[arg(long)]
    allow_errors: bool,
    /// Output folder (default: site/, site-restricted/ or site-public/ in the project).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
struct SealArgs {
    /// Only these incidents (with their evidence, the regulation and their runbooks).
    #[arg(long, value_name = "ID", num_args = 1.., conflicts_with = "period")]
    incident: Vec<String>,
    /// Only incidents open at any time in FROM..TO (e.g. 2025-04-01..2026-03-31).
    #[arg(long, value_name = "FROM..TO", value_parser = Scope::parse_period)]
    period: Option<Scope>,
    /// Only this release (tag or version name): its regulation files as tagged, its
    /// comparison tables and its change notice.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["incident", "period"])]
    release: Option<String>,
    /// Sign with this minisign secret key (password from KITEI_SIGN_PASSWORD).
    #[arg(long, value_name = "KEY")]
    sign: Option<PathBuf>,
}

#[derive(clap::Args)]
struct PublishArgs {
    /// Where the chain is kept: s3://BUCKET/PREFIX or a folder (default: [evidence] store).
    #[arg(long, value_name = "TARGET")]
    to: Option<String>,
    /// Sign with this minisign secret key (default: [evidence] key / KITEI_SIGN_KEY).
    #[arg(long, value_name = "KEY")]
    sign: Option<PathBuf>,
    /// How long the store keeps the objects, e.g. "7 years" (default: [evidence] retention).
    #[arg(long, value_name = "PERIOD")]
    retention: Option<String>,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// The bundle to verify (a .zip written by `kitei seal`).
    #[arg(required_unless_present = "chain", conflicts_with = "chain")]
    bundle: Option<PathBuf>,
    /// Verify every bundle in this folder (LEDGER.json) or store (s3://BUCKET/PREFIX, or a
    /// folder `kitei publish --to` wrote) and the links between them.
    #[arg(long, value_name = "DIR|s3://…")]
    chain: Option<PathBuf>,
    /// The minisign public key (.pub file or `RW…` string) the bundles must be signed with.
    #[arg(long, value_name = "KEY")]
    pubkey: Option<String>,
}

#[derive(clap::Args)]
struct KeygenArgs {
    /// Write PREFIX.pub and PREFIX.key.
    #[arg(long, value_name = "PREFIX")]
    out: PathBuf,
    /// Write the secret key without a password (throwaway keys only).
    #[arg(long)]
    unencrypted: bool,
    /// Replace existing key files.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Turn warnings into errors (`--deny warnings`).
    #[arg(long, value_name = "WHAT", value_parser = ["warnings"])]
    deny: Option<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// rustc-style messages on stderr.
    Human,
    /// One JSON document on stdout (schema: README, "Check report JSON").
    Json,
    /// GitHub Actions workflow commands (::error file=…) on stdout.
    Github,
    /// A SARIF 2.1.0 log on stdout, for code-scanning UIs.
    Sarif,
    /// A GitLab Code Quality report on stdout (artifacts:reports:codequality).
    Codequality,
}

/// A closed stdout or stderr (`kitei check --format github | head -1`) ends the program quietly
/// with the broken-pipe status, as `cat` or `grep` do, instead of a panic in `println!`. Rust
/// ignores SIGPIPE by default; this restores the default action. `serve` keeps ignoring it: a
/// browser that drops a connection must not stop the server.
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// glibc gives each thread that allocates its own heap (up to 8 per core). Pages freed in one
/// heap are not reused by another, so a build that renders on rayon's threads and then seals
/// (which renders the restricted site again) keeps both phases' peaks: at 10,000 documents on
/// 2 cores `kitei build` peaked at 812–848 MiB with the default, 691 MiB with two heaps and
/// 590 MiB with one (README, "Benchmarks"); since the seal's memory was cut, 306 MiB with two
/// and 285 with one, over the 300 MB target with two. One heap has a price: every allocation
/// takes one lock, and two threads that render pages (small JSON values made and dropped by
/// the thousand) wait on each other: the same build used 1.2x the CPU with one heap. So a
/// command that seals keeps one heap, and one that renders without sealing (`build
/// --no-seal`, `serve`) gets one per worker thread (cold `build --no-seal` at 10,000 documents
/// 0.86x the wall time, peak 243 -> 255 MiB; one changed file 0.72x). Called before any thread
/// exists (`Cli::parse` starts none). `GLIBC_TUNABLES=glibc.malloc.arena_max=N` still decides
/// when it is set.
fn few_malloc_arenas(arenas: MallocArenas) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if !std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("arena_max")) {
        let max = match arenas {
            MallocArenas::One => 1,
            // rayon's workers (one per core) and the main thread, which waits while they work.
            MallocArenas::PerWorker => std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .try_into()
                .unwrap_or(libc::c_int::MAX),
        };
        // SAFETY: called once at start-up, before any thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, max);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arenas;
}

/// How many glibc heaps a command that renders gets ([`few_malloc_arenas`]).
#[derive(Clone, Copy)]
enum MallocArenas {
    /// The commands that seal: one heap, whose freed pages every phase reuses.
    One,
    /// The commands that render and never seal: one heap per worker thread.
    PerWorker,
}

/// A thread's own glibc heap grows by what each allocation needs, one `mprotect` call per
/// step: a cold `check` of 100,000 incidents made 89,500 of them (strace), about 4 % of its
/// samples with the page faults they lead to. Asking glibc to pad each growth (`M_TOP_PAD`)
/// makes that 17 calls; paired runs, 8 each: wall 0.96x, CPU 0.96x, peak +21 MiB (the padding
/// kept at the top of each heap). Only `check` asks for it: the commands that render keep
/// their peak low with fewer heaps instead ([`few_malloc_arenas`]), whose growth glibc pads by
/// 128 KiB. Called before any thread exists. `GLIBC_TUNABLES=glibc.malloc.top_pad=N` still
/// decides when it is set.
fn roomy_malloc_heaps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if !std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("top_pad")) {
        // SAFETY: called once at start-up, before any thread exists.
        unsafe {
            libc::mallopt(libc::M_TOP_PAD, MALLOC_TOP_PAD);
        }
    }
}

/// Padding for [`roomy_malloc_heaps`]: a thread heap's full size (glibc's `HEAP_MAX_SIZE` on
/// 64-bit), so each heap is made accessible once. It is address space until touched.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MALLOC_TOP_PAD: libc::c_int = 64 << 20;

/// The stack of each worker thread. typst lays out a PDF's pages on the pool, and its layout
/// recurses deeply: 2 MiB (the default) overflowed on a generated corpus of 1,000 documents
/// and the build aborted; 8 MiB was enough there, this is four times that. (Each PDF itself
/// is typeset on a thread of its own with as much, see `render::pdf::typeset_each`.) It
/// reserves address space only: a thread's memory is the pages it touches. `RUST_MIN_STACK`
/// still decides when set.
const WORKER_STACK: usize = 32 << 20;

/// Builds the worker pool with [`WORKER_STACK`] before anything uses it.
fn roomy_worker_stacks() {
    if std::env::var_os("RUST_MIN_STACK").is_none() {
        // An error means a pool exists already, with its own stacks: nothing to do.
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK)
            .build_global();
    }
}

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    parse_date(s)
}

fn main() -> ExitCode {
    if let Some(code) = kitei::crash_points::list_if_asked() {
        return ExitCode::from(code);
    }
    let cli = Cli::parse();
    // `check` loads and checks, one phase: glibc's heap per thread lets its two loader threads
    // allocate without waiting on each other (cold check of 100,000 incidents 4.7-5.2 -> 2.7-2.8
    // s, peak +2 %). The commands that render get one heap per worker, or one heap when they
    // also seal (see `few_malloc_arenas`).
    match &cli.command {
        Command::Check(_) => roomy_malloc_heaps(),
        Command::Build(args) if args.no_seal => few_malloc_arenas(MallocArenas::PerWorker),
        Command::Serve(_) => few_malloc_arenas(MallocArenas::PerWorker),
        _ => few_malloc_arenas(MallocArenas::One),
    }
    if !matches!(cli.command, Command::Serve(_)) {
        quiet_broken_pipe();
    }
    roomy_worker_stacks();
    let (root, as_of) = (cli.project.as_path(), cli.as_of);
    ExitCode::from(match cli.command {
        Command::Rules => cmd::rules::list(),
        Command::Explain { code } => cmd::rules::explain(&code),
        Command::Check(args) => cmd::check::run(
            root,
            as_of,
            match args.format {
                Format::Human => cmd::check::Format::Human,
                Format::Json => cmd::check::Format::Json,
                Format::Github => cmd::check::Format::Github,
                Format::Sarif => cmd::check::Format::Sarif,
                Format::Codequality => cmd::check::Format::Codequality,
            },
            args.deny.is_some(),
        ),
        Command::Seal(args) => {
            let scope = match (args.period, args.incident.is_empty(), args.release) {
                (_, _, Some(release)) => Scope::Release(release),
                (Some(period), _, None) => period,
                (None, false, None) => Scope::Incidents(args.incident),
                (None, true, None) => Scope::All,
            };
            cmd::seal::run(root, as_of, scope, args.sign)
        }
        Command::Publish(args) => cmd::publish::run(
            root,
            as_of,
            cmd::publish::Options {
                to: args.to,
                sign: args.sign,
                retention: args.retention,
            },
        ),
        Command::Verify(args) => {
            let target = match (&args.chain, &args.bundle) {
                (Some(dir), _) => cmd::verify::Target::Chain(dir),
                (None, Some(zip)) => cmd::verify::Target::Bundle(zip),
                (None, None) => {
                    eprintln!("error: give a bundle .zip or --chain DIR");
                    return ExitCode::from(cmd::UNUSABLE);
                }
            };
            cmd::verify::run(target, args.pubkey.as_deref())
        }
        Command::Keygen(args) => cmd::keygen::run(&args.out, args.unencrypted, args.force),
        Command::Build(args) => cmd::build::run(root, as_of, &args.build.options(), args.no_seal),
        Command::Serve(args) => {
            cmd::serve::run(root, as_of, args.port, args.poll, &args.build.options())
        }
        Command::Diff(args) => {
            let format = if args.format == "html" {
                cmd::diff::Format::Html
            } else {
                cmd::diff::Format::Text {
                    ansi: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                }
            };
            cmd::diff::run(root, &args.old, &args.new, format)
        }
        Command::Import(args) => cmd::import::run(
            root,
            as_of,
            &cmd::import::Request {
                files: args.files,
                into: args.into,
                id: args.id,
                report: args.report,
                force: args.force,
            },
        ),
        Command::Schema(args) => cmd::schema::run(&args.out, args.check),
        Command::Roster {
            command: RosterCommand::Import { file, map, dry_run },
        } => cmd::roster::import(root, &file, map.as_deref(), dry_run),
        Command::Ack {
            command:
                AckCommand::Import {
                    file,
                    map,
                    document,
                    release,
                    method,
                    evidence,
                    dry_run,
                },
        } => {
            let method = match method
                .as_deref()
                .map(|m| (m, kitei::model::AckMethod::parse(m)))
            {
                Some((m, None)) => {
                    eprintln!(
                        "error: `{m}` is not a method\nhelp: use site-receipt, lms, paper or meeting"
                    );
                    return ExitCode::from(2);
                }
                Some((_, Some(m))) => Some(m),
                None => None,
            };
            cmd::ack::import(
                root,
                as_of,
                &cmd::ack::CsvRequest {
                    file: &file,
                    map: map.as_deref(),
                    defaults: kitei::intake::acks::Defaults {
                        document,
                        release,
                        method,
                        evidence,
                    },
                    dry_run,
                },
            )
        }
        Command::Ack {
            command: AckCommand::ImportMail { mails, dry_run },
        } => cmd::ack::import_mail(root, as_of, &mails, dry_run),
        Command::Pdf(args) => cmd::pdf::run(
            root,
            as_of,
            &cmd::pdf::Options {
                audience: Audience::parse(&args.audience).unwrap_or_default(),
                out: args.out,
                compare: args.compare.map(|v| (v[0].clone(), v[1].clone())),
            },
        ),
        Command::Init(args) => cmd::init::run(
            &cmd::init::Request {
                dir: args.dir.as_deref().unwrap_or(root),
                policy: args.policy,
                eject_templates: args.eject_templates,
                force: args.force,
            },
            as_of,
        ),
        Command::Status(args) => cmd::status::run(
            root,
            as_of,
            args.within,
            if args.format == "json" {
                cmd::status::Format::Json
            } else {
                cmd::status::Format::Text
            },
        ),
        Command::New(args) => cmd::new::run(
            root,
            as_of,
            kitei::render::new_record::Kind::parse(&args.kind).expect("clap checked the kind"),
            args.title.as_deref(),
        ),
        Command::Templates(TemplatesCommand::List) => cmd::init::list_templates(root),
        Command::Templates(TemplatesCommand::Eject { names, force }) => {
            cmd::init::eject_templates(root, &names, force)
        }
    })
}

impl BuildArgs {
    fn options(&self) -> cmd::build::Options {
        cmd::build::Options {
            audience: Audience::parse(&self.audience).unwrap_or_default(),
            allow_errors: self.allow_errors,
            out: self.out.clone(),
        }
    }
}
