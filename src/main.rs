//! The `kitei` command line: parses arguments, calls the library, maps results to exit codes
//! (0: clean, 1: the policy has errors, 2: usage or I/O failure).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use kitei::check::{self, Ctx, RULES};
use kitei::config::{Project, parse_date};
use kitei::diag::{Diagnostic, SourceMap, render_github, render_human};

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
}

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    parse_date(s)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
