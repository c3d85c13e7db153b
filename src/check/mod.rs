//! The rules. Each rule has a stable code, a name, a default level and an explanation
//! (`kitei explain CODE`), declared as a `static` [`Rule`] beside the code that reports it;
//! rule families live one per file, list their rules, and only return diagnostics.
//! [`run`] resolves levels from `kitei.toml`, applies approved exceptions (例外事項) and
//! returns a [`Report`].

pub mod acknowledgements;
pub mod agenda;
pub mod duties;
mod evidence;
mod hidden_text;
mod incidents;
mod knock_on;
mod loader;
#[cfg(test)]
mod loader_cache_tests;
pub mod memo;
pub mod notifications;
pub mod prose;
mod registry;
mod shapes;
pub mod structure;
mod text;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

pub use registry::{RULES, Rule, Rules, markdown_table, rule};

use crate::config::Project;
use crate::diag::{Diagnostic, Level, Loc};
use crate::model::{At, Corpus, FileId, RefKind};

/// Everything a rule may look at.
pub struct Ctx<'a> {
    pub corpus: &'a Corpus,
    pub project: &'a Project,
    pub as_of: NaiveDate,
    /// The exceptions in force by rule and record, built on first use (the dashboard asks
    /// once per duty row, which must not scan every exception).
    waivers: std::sync::OnceLock<Waivers<'a>>,
    /// Whether rule families remember per-record findings (`.kitei-cache/check/`, see
    /// [`memo`]); off unless [`Ctx::remembering`] turns it on.
    memo_mode: crate::source::cache::Mode,
}

impl<'a> Ctx<'a> {
    pub fn new(corpus: &'a Corpus, project: &'a Project, as_of: NaiveDate) -> Self {
        Ctx {
            corpus,
            project,
            as_of,
            waivers: std::sync::OnceLock::new(),
            memo_mode: crate::source::cache::Mode::Off,
        }
    }

    /// The same context, with per-record findings remembered in the project's `.kitei-cache`
    /// as `mode` says (commands pass `KITEI_CACHE`'s mode).
    pub fn remembering(mut self, mode: crate::source::cache::Mode) -> Self {
        self.memo_mode = mode;
        self
    }

    /// The memo of a rule family's per-record findings for this run.
    pub fn memo(&self, family: &'static str) -> memo::Memo {
        memo::Memo::open(&self.project.root, family, self.memo_mode)
    }

    fn waivers(&self) -> &Waivers<'a> {
        self.waivers.get_or_init(|| Waivers::new(self))
    }

    /// A diagnostic for `code` at its default level (levels are resolved later).
    pub fn diag(&self, code: &'static str, message: impl Into<String>) -> Diagnostic {
        let level = rule(code).map(|r| r.level).unwrap_or(Level::Error);
        debug_assert!(rule(code).is_some(), "rule {code} is not registered");
        Diagnostic::new(code, level, message)
    }

    /// A diagnostic for `code` at a softer level than its default (a finding the rule
    /// reports as a warning on purpose).
    pub fn diag_at_level(
        &self,
        level: Level,
        code: &'static str,
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut d = self.diag(code, message);
        d.level = d.level.min(level);
        d
    }

    pub fn loc<T>(&self, file: FileId, at: &At<T>) -> Loc {
        self.corpus.loc(file, at)
    }

    /// True when a record of `kind` with `id` exists.
    pub fn exists(&self, kind: RefKind, id: &str) -> bool {
        self.corpus
            .defined(id)
            .is_some_and(|d| d.kind == kind || (kind == RefKind::Doc && d.kind == RefKind::Runbook))
    }
}

/// A finding switched off by an exception record.
#[derive(Debug, Clone, Serialize)]
pub struct Waived {
    pub exception: String,
    pub expires_on: String,
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

/// How many times this process has run the rules over a corpus: `KITEI_TIMINGS=1` prints
/// it, and a test holds `kitei build` to one run.
pub fn run_count() -> usize {
    RUNS.load(std::sync::atomic::Ordering::Relaxed)
}

static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The outcome of a check run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub as_of: String,
    pub diagnostics: Vec<Diagnostic>,
    pub waived: Vec<Waived>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Warning)
            .count()
    }
}

/// Runs every rule family over the corpus.
/// The families run in parallel; their findings are concatenated in this fixed order.
pub fn rule_diagnostics(ctx: &Ctx) -> Vec<Diagnostic> {
    type Family = fn(&Ctx, &mut Vec<Diagnostic>);
    const FAMILIES: [Family; 8] = [
        structure::check,
        incidents::check,
        notifications::check,
        duties::check,
        text::check,
        evidence::check,
        prose::check,
        acknowledgements::check,
    ];
    const NAMES: [&str; 8] = [
        "structure",
        "incidents",
        "notifications",
        "duties",
        "text",
        "evidence",
        "prose",
        "acknowledgements",
    ];
    use rayon::prelude::*;
    // Per family on its own thread, hence the thread's CPU clock (a family that runs its own
    // parallel loop, like prose, spends more: its wall time is printed too).
    let timings = crate::timings::enabled();
    FAMILIES
        .par_iter()
        .zip(NAMES)
        .map(|(family, name)| {
            let mut out = Vec::new();
            let started = timings.then(|| {
                (
                    crate::timings::thread_cpu_seconds(),
                    std::time::Instant::now(),
                )
            });
            family(ctx, &mut out);
            if let Some((cpu, wall)) = started {
                eprintln!(
                    "timing:   rules {name:<16} cpu {:>8.1} ms  wall {:>8.1} ms",
                    (crate::timings::thread_cpu_seconds() - cpu) * 1e3,
                    wall.elapsed().as_secs_f64() * 1e3
                );
            }
            out
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// Runs the rules, then applies levels from kitei.toml (`deny_warnings` turns every
/// remaining warning into an error) and the exception records. Loader diagnostics are passed
/// in so that the report holds everything, in one order.
pub fn run(ctx: &Ctx, loader: Vec<Diagnostic>, deny_warnings: bool) -> Report {
    RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut all = loader;
    all.extend(rule_diagnostics(ctx));
    let waivers = ctx.waivers();
    let mut diagnostics = Vec::new();
    let mut waived = Vec::new();
    for mut d in all {
        d.level = resolve_level(ctx.project, &d.code, d.level);
        if d.level == Level::Allow {
            continue;
        }
        if deny_warnings && d.level == Level::Warning {
            d.level = Level::Error;
        }
        if let Some(exception) = waivers.waiver_for(&d) {
            waived.push(Waived {
                exception: exception.id.value.clone(),
                expires_on: exception.expires_on.value.to_string(),
                diagnostic: d,
            });
            continue;
        }
        diagnostics.push(d);
    }
    crate::diag::sort_by_location(&mut diagnostics, |d| d);
    diagnostics.dedup();
    knock_on::root_causes_first(&mut diagnostics);
    crate::diag::sort_by_location(&mut waived, |w| &w.diagnostic);
    Report {
        as_of: ctx.as_of.to_string(),
        diagnostics,
        waived,
    }
}

/// The level of a finding after `kitei.toml`. A configured level replaces the rule's default
/// for its ordinary findings; softer findings a rule emits on purpose (a deadline that has not
/// passed yet) stay warnings unless the rule is switched off.
fn resolve_level(project: &Project, code: &str, emitted: Level) -> Level {
    let levels = &project.rule_levels;
    let info = rule(code);
    let configured = levels
        .get(code)
        .or_else(|| info.and_then(|r| levels.get(r.name)))
        .copied();
    match (configured, info) {
        (None, _) => emitted,
        (Some(Level::Allow), _) => Level::Allow,
        (Some(level), Some(info)) if emitted < info.level => emitted.min(level),
        (Some(level), _) => level,
    }
}

/// The exceptions in force as of the evaluation date, by rule code and record, so that
/// looking up a waiver per finding does not scan every exception.
struct Waivers<'c> {
    by_rule_and_record: HashMap<(&'c str, String), &'c crate::model::Exception>,
}

impl<'c> Waivers<'c> {
    fn new(ctx: &Ctx<'c>) -> Self {
        let mut by_rule_and_record = HashMap::new();
        for e in ctx.corpus.exceptions.iter().map(|e| &e.item) {
            if in_force(ctx, e) {
                by_rule_and_record
                    .entry((e.rule.value.as_str(), e.record.value.to_string()))
                    .or_insert(e);
            }
        }
        Waivers { by_rule_and_record }
    }

    /// An approved, unexpired exception for this diagnostic's rule and record (the first in
    /// corpus order, as [`exception_for`] finds).
    fn waiver_for(&self, d: &Diagnostic) -> Option<&'c crate::model::Exception> {
        self.get(d.code.as_ref(), d.subject.as_deref()?)
    }

    fn get(&self, code: &str, subject: &str) -> Option<&'c crate::model::Exception> {
        if self.by_rule_and_record.is_empty() {
            return None;
        }
        let key: (&str, String) = (code, subject.to_string());
        self.by_rule_and_record.get(&key).copied()
    }
}

/// Approved by a committee, approved on or before the evaluation date, not yet expired.
fn in_force(ctx: &Ctx, e: &crate::model::Exception) -> bool {
    e.approved_on.value.0 <= ctx.as_of
        && ctx.as_of <= e.expires_on.value.0
        && structure::is_committee(ctx, &e.approved_by.value)
}

/// The exception that waives rule `code` for the record `subject` (`incident:INC-1`) as of
/// the evaluation date: approved by a committee, approved on or before it, not yet expired.
pub fn exception_for<'c>(
    ctx: &Ctx<'c>,
    code: &str,
    subject: &str,
) -> Option<&'c crate::model::Exception> {
    ctx.waivers().get(code, subject)
}
