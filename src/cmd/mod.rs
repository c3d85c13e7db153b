//! The front door: one file per command, each thin. A command parses nothing (that is
//! `main.rs`) and computes nothing itself: it opens a [`Workspace`], calls the layer that does
//! the work (check, render, evidence, history), prints the outcome and returns the exit code
//! (0: done, 1: the policy or a bundle has errors, 2: usage or I/O failure).
//!
//! Layer: the top. Nothing below uses `cmd`.

pub mod ack;
pub mod build;
pub mod check;
pub mod diff;
mod findings;
pub mod import;
pub mod init;
pub mod keygen;
pub mod new;
pub mod pdf;
pub mod publish;
pub mod roster;
pub mod rules;
pub mod schema;
pub mod seal;
pub mod serve;
pub mod status;
pub mod verify;

use std::io::IsTerminal;
use std::path::Path;

use chrono::NaiveDate;

use crate::diag::{Diagnostic, SourceMap, render_human};
use crate::workspace::Workspace;
pub use findings::findings_text;

/// Exit code: the policy (or a bundle) has errors.
pub const FAILED: u8 = 1;
/// Exit code: usage or I/O failure, nothing was done.
pub const UNUSABLE: u8 = 2;

/// Colour on stderr: only on a terminal, and never with `NO_COLOR`.
pub fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The one way a command reports that the project could not be opened or loaded (no
/// kitei.toml, an unreadable source folder, a bad `--as-of`): the diagnostic on stderr, and
/// the exit code for a usage or I/O failure.
pub fn fail(d: &Diagnostic) -> u8 {
    eprintln!("{}", render_human(d, &SourceMap::default(), color()));
    UNUSABLE
}

/// Opens and loads the project at `root`, or reports why not (see [`fail`]).
pub fn open(root: &Path, as_of: Option<NaiveDate>) -> Result<Workspace, u8> {
    Workspace::open(root, as_of).map_err(|d| fail(&d))
}

/// One diagnostic of a check, as every command prints it (rustc style, with the source lines).
pub fn diagnostic(ws: &Workspace, d: &Diagnostic, color: bool) -> String {
    render_human(d, &ws.sources, color)
}

/// `KITEI_TIMINGS=1`: how long each phase of a command took, and how many times the corpus
/// was loaded and checked, on stderr (for profiling).
pub struct Timings {
    /// Wall clock and process CPU time (user + system, all threads) at the last lap.
    last: Option<std::cell::Cell<(std::time::Instant, f64)>>,
}

impl Timings {
    pub fn from_env() -> Timings {
        let on = crate::timings::enabled();
        Timings {
            last: on.then(|| {
                std::cell::Cell::new((
                    std::time::Instant::now(),
                    crate::timings::process_cpu_seconds(),
                ))
            }),
        }
    }

    /// Prints the time since the last lap: wall clock, and CPU time (user + system of every
    /// thread), which is what to compare on a shared machine.
    pub fn lap(&self, phase: &str) {
        if let Some(last) = &self.last {
            let (now, cpu) = (
                std::time::Instant::now(),
                crate::timings::process_cpu_seconds(),
            );
            let (then, then_cpu) = last.get();
            let (rss, peak) = crate::timings::resident_mib();
            eprintln!(
                "timing: {phase:<10} {:>8.1} ms  cpu {:>8.1} ms  rss {rss:>5} MiB, peak so far {peak:>5} MiB",
                (now - then).as_secs_f64() * 1e3,
                (cpu - then_cpu) * 1e3
            );
            last.set((now, cpu));
        }
    }

    /// Prints a line of counts when timings are on.
    pub fn note(&self, text: impl FnOnce() -> String) {
        if self.last.is_some() {
            eprintln!("timing: {}", text());
        }
    }

    /// Prints how many source trees were loaded and how many times the rules ran.
    pub fn counts(&self) {
        if self.last.is_some() {
            eprintln!(
                "timing: loads {} (source trees), checks {} (rule runs)",
                crate::source::load_count(),
                crate::check::run_count()
            );
        }
    }
}
