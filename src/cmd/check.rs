//! `kitei check`: load the policy, run every rule, print the diagnostics and a summary.

use std::path::Path;

use chrono::NaiveDate;

use crate::check::RULES;
use crate::diag::{codequality, render_github, sarif};
use crate::workspace::Workspace;

/// How `kitei check` prints the diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rustc-style messages on stderr.
    Human,
    /// One JSON document on stdout (schema: README, "Check report JSON").
    Json,
    /// GitHub Actions workflow commands (`::error file=…`) on stdout.
    Github,
    /// A SARIF 2.1.0 log on stdout, for code-scanning UIs.
    Sarif,
    /// A GitLab Code Quality report (JSON) on stdout, for merge requests.
    Codequality,
}

/// Returns the exit code: 0 clean, 1 errors remain, 2 the project cannot be loaded.
pub fn run(root: &Path, as_of: Option<NaiveDate>, format: Format, deny_warnings: bool) -> u8 {
    let timings = super::Timings::from_env();
    // The rules run while the loader writes its cache: the load's lap holds most of them.
    let opened = crate::config::Project::open(root)
        .and_then(|project| Workspace::load_checked(project, as_of, deny_warnings));
    let ws = match opened {
        Ok(ws) => ws,
        Err(d) => return super::fail(&d),
    };
    timings.lap("load");
    let report = ws.report();
    timings.lap("check");
    let color = super::color();
    match format {
        Format::Human => {
            use std::io::Write as _;
            let text = super::findings_text(&ws, &report.diagnostics, color);
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
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
                "as_of_source": ws.as_of_source,
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
        Format::Codequality => print!("{}", codequality::render(&report.diagnostics)),
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
    let c = &ws.corpus;
    eprintln!(
        "kitei check: {} error(s), {} warning(s), {} waived; as of {} ({}); {} documents, {} incidents, {} files",
        report.errors(),
        report.warnings(),
        report.waived.len(),
        ws.as_of,
        ws.as_of_source,
        c.documents.len(),
        c.incidents.len(),
        c.files.len(),
    );
    let code = if report.errors() > 0 {
        super::FAILED
    } else {
        0
    };
    timings.lap("print");
    ws.leak();
    code
}
