//! The `kitei` command line: parses arguments, calls the library, maps results to exit codes
//! (0: clean, 1: the policy has errors, 2: usage or I/O failure).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use kitei::check::{self, Ctx, RULES};
use kitei::config::{Project, parse_date};
use kitei::diag::{Diagnostic, SourceMap, render_github, render_human, sarif};

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
    /// Verify a bundle (or, with --chain, every bundle in a folder) from the archives alone.
    Verify(VerifyArgs),
    /// Create a minisign key pair for signing bundles (PREFIX.pub, PREFIX.key).
    Keygen(KeygenArgs),
    /// Check, render the policy into a static website (refuses while errors remain), and seal
    /// the default evidence bundle.
    Build(BuildCommandArgs),
    /// Build, serve the site on 127.0.0.1, rebuild on every change and reload open pages.
    Serve(ServeArgs),
    /// Copy the built-in templates into DIR/templates/ for editing (--policy: a starter project too).
    Init(InitArgs),
    /// Print the 新旧対照表 of two versions: release tags, version names, or WORKTREE.
    Diff(DiffArgs),
    /// Import existing regulations (.docx, .md, .txt) into the source folder, with a report.
    Import(ImportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The files to import (.docx, .md, .txt; text in UTF-8, Shift_JIS/CP932, EUC-JP or UTF-16).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The source folder to write into (default: the project's, `policy-src`).
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
    /// Also write kitei.toml and a minimal policy-src/ that passes `kitei check`.
    #[arg(long)]
    policy: bool,
    /// Replace files that exist already.
    #[arg(long)]
    force: bool,
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
    #[arg(long, value_name = "FROM..TO", value_parser = kitei::evidence::Scope::parse_period)]
    period: Option<kitei::evidence::Scope>,
    /// Only this release (tag or version name): its regulation files as tagged, its
    /// comparison tables and its change notice.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["incident", "period"])]
    release: Option<String>,
    /// Sign with this minisign secret key (password from KITEI_SIGN_PASSWORD).
    #[arg(long, value_name = "KEY")]
    sign: Option<PathBuf>,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// The bundle to verify (a .zip written by `kitei seal`).
    #[arg(required_unless_present = "chain", conflicts_with = "chain")]
    bundle: Option<PathBuf>,
    /// Verify every bundle in this folder and the links between them (LEDGER.json).
    #[arg(long, value_name = "DIR")]
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

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    parse_date(s)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        quiet_broken_pipe();
    }
    match cli.command {
        Command::Rules => {
            for r in RULES {
                println!(
                    "{}  {:<24} {:<7}  {}",
                    r.code,
                    r.name,
                    r.level.as_str(),
                    r.summary
                );
            }
            ExitCode::SUCCESS
        }
        Command::Explain { code } => match check::rule(&code) {
            Some(r) => {
                println!(
                    "{} {} (default: {})\n\n{}\n\n{}",
                    r.code,
                    r.name,
                    r.level.as_str(),
                    r.summary,
                    r.explanation
                );
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no rule `{code}`; `kitei rules` lists them");
                ExitCode::from(2)
            }
        },
        Command::Check(args) => run_check(&cli.project, cli.as_of, &args),
        Command::Seal(args) => run_seal(&cli.project, cli.as_of, args),
        Command::Verify(args) => run_verify(&args),
        Command::Keygen(args) => run_keygen(&args),
        Command::Build(args) => {
            let built = kitei::render::build_command(
                &cli.project,
                cli.as_of,
                &kitei::render::BuildArgs {
                    audience: kitei::render::Audience::parse(&args.build.audience)
                        .unwrap_or_default(),
                    allow_errors: args.build.allow_errors,
                    out: args.build.out,
                },
            );
            // Evidence is sealed from a build that published without errors, never from a preview.
            if built != 0 || args.no_seal || args.build.allow_errors {
                return ExitCode::from(built);
            }
            let seal = SealArgs {
                incident: Vec::new(),
                period: None,
                release: None,
                sign: None,
            };
            run_seal(&cli.project, cli.as_of, seal)
        }
        Command::Serve(args) => ExitCode::from(kitei::serve::serve_command(
            &cli.project,
            cli.as_of,
            &kitei::serve::ServeOptions {
                port: args.port,
                poll: args.poll,
                build: kitei::render::BuildArgs {
                    audience: kitei::render::Audience::parse(&args.build.audience)
                        .unwrap_or_default(),
                    allow_errors: args.build.allow_errors,
                    out: args.build.out,
                },
            },
        )),
        Command::Diff(args) => {
            let format = if args.format == "html" {
                kitei::history::DiffFormat::Html
            } else {
                kitei::history::DiffFormat::Text
            };
            let ansi = format == kitei::history::DiffFormat::Text
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            ExitCode::from(kitei::history::diff_command(
                &cli.project,
                &args.old,
                &args.new,
                format,
                ansi,
            ))
        }
        Command::Import(args) => ExitCode::from(kitei::import_cmd::run(
            &cli.project,
            cli.as_of,
            &kitei::import_cmd::Request {
                files: args.files,
                into: args.into,
                id: args.id,
                report: args.report,
                force: args.force,
            },
        )),
        Command::Init(args) => ExitCode::from(kitei::render::init::init_command(
            args.dir.as_deref().unwrap_or(&cli.project),
            cli.as_of,
            args.policy,
            args.force,
        )),
    }
}

fn run_seal(root: &std::path::Path, as_of: Option<NaiveDate>, args: SealArgs) -> ExitCode {
    use kitei::evidence::{Scope, SealOutcome, SealRequest};
    let scope = match (args.period, args.incident.is_empty(), args.release) {
        (_, _, Some(release)) => Scope::Release(release),
        (Some(period), _, None) => period,
        (None, false, None) => Scope::Incidents(args.incident),
        (None, true, None) => Scope::All,
    };
    let progress = std::io::stderr().is_terminal();
    let request = SealRequest {
        scope,
        sign: args.sign,
        as_of,
        progress,
    };
    match kitei::evidence::seal(root, &request) {
        Ok(result) => {
            for w in &result.warnings {
                eprintln!("warning: {w}");
            }
            match result.outcome {
                SealOutcome::Unchanged { name } => {
                    println!("no change since {name}; no new bundle written");
                }
                SealOutcome::Written(s) => {
                    let signed = match (&s.key_id, &s.signature) {
                        (Some(id), Some(sig)) => format!("signed by key {id} ({})", sig.display()),
                        _ => "not signed".into(),
                    };
                    println!(
                        "sealed {} (bundle {}, {} files, {} bytes of payload; bag digest {}; {signed}; time from {})",
                        s.zip.display(),
                        s.sequence,
                        s.payload_files,
                        s.payload_bytes,
                        s.bag_digest,
                        s.time_source,
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn run_verify(args: &VerifyArgs) -> ExitCode {
    use kitei::evidence::{VerifyOptions, ledger, read_public_key, verify_bundle};
    let key = match args.pubkey.as_deref().map(read_public_key).transpose() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let opts = VerifyOptions {
        key: key.as_ref(),
        progress: std::io::stderr().is_terminal(),
        ..VerifyOptions::default()
    };
    let (text, valid) = match (&args.chain, &args.bundle) {
        (Some(dir), _) => match ledger::verify_chain(dir, &opts) {
            Ok(r) => (r.render(), r.is_valid()),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        (None, Some(bundle)) => match verify_bundle(bundle, &opts) {
            Ok(r) => (r.render(), r.is_valid()),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        (None, None) => {
            eprintln!("error: give a bundle .zip or --chain DIR");
            return ExitCode::from(2);
        }
    };
    print!("{text}");
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run_keygen(args: &KeygenArgs) -> ExitCode {
    match kitei::evidence::keygen(&args.out, args.unencrypted, args.force) {
        Ok(k) => {
            println!(
                "wrote {} and {} ({}); key id {}\npublic key: {}\nkeep the .key secret; give auditors the .pub through a separate channel",
                k.public.display(),
                k.secret.display(),
                if k.encrypted {
                    "secret key encrypted with the password from KITEI_SIGN_PASSWORD"
                } else {
                    "secret key NOT encrypted"
                },
                k.key.key_id_hex(),
                k.key.base64(),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn run_check(root: &std::path::Path, as_of: Option<NaiveDate>, args: &CheckArgs) -> ExitCode {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let fail = |d: Diagnostic| {
        eprintln!("{}", render_human(&d, &SourceMap::default(), color));
        ExitCode::from(2)
    };
    let project = match Project::open(root) {
        Ok(p) => p,
        Err(d) => return fail(d),
    };
    let (as_of, as_of_source) = match project.as_of(as_of) {
        Ok(v) => v,
        Err(d) => return fail(d),
    };
    let loaded = match kitei::source::load(&project) {
        Ok(l) => l,
        Err(d) => return fail(d),
    };
    let ctx = Ctx::new(&loaded.corpus, &project, as_of);
    let report = check::run(&ctx, loaded.diagnostics, args.deny.is_some());
    let c = &loaded.corpus;
    match args.format {
        Format::Human => {
            for d in &report.diagnostics {
                eprintln!("{}\n", render_human(d, &loaded.sources, color));
            }
            for w in &report.waived {
                eprintln!(
                    "note: {} waived by exception {} (until {}): {}",
                    w.diagnostic.code, w.exception, w.expires_on, w.diagnostic.message
                );
            }
        }
        Format::Json => {
            let json = serde_json::json!({
                "schema": "kitei-check/1",
                "as_of": report.as_of,
                "as_of_source": as_of_source,
                "summary": {
                    "errors": report.errors(),
                    "warnings": report.warnings(),
                    "waived": report.waived.len(),
                },
                "diagnostics": report.diagnostics,
                "waived": report.waived,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).expect("report serialises")
            );
        }
        Format::Github => {
            for d in &report.diagnostics {
                println!("{}", render_github(d));
            }
        }
        Format::Sarif => {
            let rules: Vec<sarif::RuleDescriptor> = RULES
                .iter()
                .map(|r| sarif::RuleDescriptor {
                    code: r.code,
                    name: r.name,
                    level: r.level,
                    summary: r.summary,
                    explanation: r.explanation,
                })
                .collect();
            let justifications: Vec<String> = report
                .waived
                .iter()
                .map(|w| format!("waived by exception {} until {}", w.exception, w.expires_on))
                .collect();
            let waived: Vec<sarif::Suppressed> = report
                .waived
                .iter()
                .zip(&justifications)
                .map(|(w, j)| sarif::Suppressed {
                    diagnostic: &w.diagnostic,
                    justification: j,
                })
                .collect();
            print!("{}", sarif::render(&rules, &report.diagnostics, &waived));
        }
    }
    eprintln!(
        "kitei check: {} error(s), {} warning(s), {} waived; as of {as_of} ({as_of_source}); {} documents, {} incidents, {} files",
        report.errors(),
        report.warnings(),
        report.waived.len(),
        c.documents.len(),
        c.incidents.len(),
        c.files.len(),
    );
    let code = if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing a large corpus piece by piece (≈ 9 KB and dozens of
    // allocations per incident record) would only add serial time before the exit.
    std::mem::forget(ctx);
    std::mem::forget(loaded.corpus);
    std::mem::forget(loaded.sources);
    code
}
