//! The project every command works on, opened once: its settings, the loaded corpus, the
//! check report and the git history.
//!
//! `kitei build` renders from a workspace and hands the same workspace to the seal, so the
//! corpus is loaded once and checked once per command. The report and the history are made
//! on first use: `kitei diff` needs the history but no report, a no-op build needs neither.
//! `kitei check` and `kitei build` need the report anyway and have it made during the load,
//! while the loader writes its cache ([`Workspace::load_checked`]).
//!
//! Layer: above `check` and `history`, below `render`, `evidence` and `cmd`
//! (docs/architecture.md).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

use crate::check::{self, Ctx, Report};
use crate::config::Project;
use crate::diag::{Diagnostic, SourceMap};
use crate::history::History;
use crate::model::Corpus;
use crate::source::Resident;

pub struct Workspace {
    pub project: Project,
    /// The evaluation date of the check, and where it came from (`--as-of`, kitei.toml, …).
    pub as_of: NaiveDate,
    pub as_of_source: &'static str,
    pub corpus: Corpus,
    /// The loaded files' text, for diagnostics with source excerpts.
    pub sources: SourceMap,
    /// What the loader found; the report starts with them.
    loader_diagnostics: Vec<Diagnostic>,
    /// What the load saw of each file, to keep the corpus for a next load ([`Workspace::keep`]).
    seen: crate::source::Seen,
    deny_warnings: bool,
    /// Shared with the site it is rendered into ([`Workspace::shared_report`]).
    report: OnceLock<Arc<Report>>,
    history: OnceLock<History>,
}

impl Workspace {
    /// Opens the project at `root` and loads its source folder.
    pub fn open(root: &Path, as_of: Option<NaiveDate>) -> Result<Workspace, Diagnostic> {
        Workspace::load(Project::open(root)?, as_of)
    }

    /// Loads the source folder of a project already opened. `as_of` is the `--as-of` flag.
    pub fn load(project: Project, as_of: Option<NaiveDate>) -> Result<Workspace, Diagnostic> {
        let dated = project.as_of(as_of)?;
        let loaded = crate::source::load(&project)?;
        Ok(Workspace::of(
            project,
            dated,
            loaded,
            false,
            OnceLock::new(),
        ))
    }

    /// [`Workspace::load`] with the check report made during the load, beside the writing of
    /// the loader's cache (see [`crate::source::load_then`]): for commands that need the report
    /// anyway. `deny_warnings` is `kitei check --deny warnings`.
    pub fn load_checked(
        project: Project,
        as_of: Option<NaiveDate>,
        deny_warnings: bool,
    ) -> Result<Workspace, Diagnostic> {
        Workspace::load_checked_from(project, as_of, deny_warnings, None)
    }

    /// [`Workspace::load_checked`] in a process that built before (`kitei serve`): the records
    /// of the files unchanged since `resident` was kept ([`Workspace::keep`]) are not read again.
    pub fn load_checked_from(
        project: Project,
        as_of: Option<NaiveDate>,
        deny_warnings: bool,
        resident: Option<Resident>,
    ) -> Result<Workspace, Diagnostic> {
        let (as_of, as_of_source) = project.as_of(as_of)?;
        let mode = crate::source::cache::Mode::from_env();
        let check = |loaded: &crate::source::Loaded| {
            let ctx = Ctx::new(&loaded.corpus, &project, as_of).remembering(mode);
            check::run(&ctx, loaded.diagnostics.clone(), deny_warnings)
        };
        let (loaded, report) = match resident {
            Some(resident) => crate::source::load_resident_then(&project, mode, resident, check),
            None => crate::source::load_then(&project, mode, check),
        }?;
        let dated = (as_of, as_of_source);
        Ok(Workspace::of(
            project,
            dated,
            loaded,
            deny_warnings,
            OnceLock::from(Arc::new(report)),
        ))
    }

    fn of(
        project: Project,
        (as_of, as_of_source): (NaiveDate, &'static str),
        loaded: crate::source::Loaded,
        deny_warnings: bool,
        report: OnceLock<Arc<Report>>,
    ) -> Workspace {
        Workspace {
            project,
            as_of,
            as_of_source,
            corpus: loaded.corpus,
            sources: loaded.sources,
            loader_diagnostics: loaded.diagnostics,
            seen: loaded.seen,
            deny_warnings,
            report,
            history: OnceLock::new(),
        }
    }

    /// The check report: the loader's diagnostics and every rule's, levels and waivers applied.
    /// The rules run on the first call only.
    pub fn report(&self) -> &Report {
        self.made_report()
    }

    /// [`Workspace::report`], for a holder that outlives this borrow (the site's build info):
    /// thousands of findings are not copied for it.
    pub fn shared_report(&self) -> Arc<Report> {
        self.made_report().clone()
    }

    fn made_report(&self) -> &Arc<Report> {
        self.report.get_or_init(|| {
            let ctx = Ctx::new(&self.corpus, &self.project, self.as_of)
                .remembering(crate::source::cache::Mode::from_env());
            Arc::new(check::run(
                &ctx,
                self.loader_diagnostics.clone(),
                self.deny_warnings,
            ))
        })
    }

    /// The releases in git and the comparisons between them, read on the first call only.
    pub fn history(&self) -> &History {
        self.history
            .get_or_init(|| crate::history::load(&self.project, &self.corpus))
    }

    /// Ends the workspace without freeing it: the process is about to exit, and freeing a
    /// large corpus piece by piece (≈ 9 KB and dozens of allocations per incident record)
    /// would only add serial time before the exit.
    pub fn leak(self) {
        std::mem::forget(self);
    }

    /// Keeps the corpus's records for the next load of the same project in this process
    /// ([`Workspace::load_checked_from`]). The rest (the report, the texts) is freed on
    /// another thread: the caller is waiting for its next build, not for that.
    pub fn keep(self) -> Resident {
        let Workspace {
            corpus,
            seen,
            sources,
            loader_diagnostics,
            report,
            history,
            ..
        } = self;
        std::thread::spawn(move || drop((sources, loader_diagnostics, report, history)));
        Resident::keep(corpus, seen)
    }
}
