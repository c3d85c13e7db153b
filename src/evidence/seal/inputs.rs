//! Phase 0 of a seal: what is sealed and when. The loaded workspace, or for `--release` the
//! release's own tree read from git and checked; and the time the bundle is stamped with.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use super::Scope;
use crate::check::{self, Ctx, Report};
use crate::config::Project;
use crate::evidence::{Error, archive};
use crate::history::git;
use crate::model::Corpus;
use crate::workspace::Workspace;

/// The time everything in the bundle is stamped with.
#[derive(Debug, Clone, Copy)]
pub struct SealTime {
    pub epoch: i64,
    pub source: &'static str,
}

/// `SOURCE_DATE_EPOCH`, else the git HEAD commit time, else the newest source file's time
/// (`newest_source`); 1980-01-01 only when there is no source file at all.
pub fn seal_time(
    root: &Path,
    newest_source: impl FnOnce() -> Option<i64>,
) -> Result<SealTime, Error> {
    let from_env = crate::config::source_date_epoch().map_err(|m| {
        Error::new(
            m,
            "set it to a Unix time, e.g. `export SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`, or unset it",
        )
    })?;
    if let Some(when) = from_env {
        return Ok(SealTime {
            epoch: when.timestamp().max(archive::ZIP_EPOCH_MIN),
            source: "SOURCE_DATE_EPOCH",
        });
    }
    if let Some(epoch) =
        git::query(root, &["log", "-1", "--format=%ct"]).and_then(|s| s.parse::<i64>().ok())
    {
        return Ok(SealTime {
            epoch: epoch.max(archive::ZIP_EPOCH_MIN),
            source: "the git HEAD commit time",
        });
    }
    if let Some(epoch) = newest_source() {
        return Ok(SealTime {
            epoch: epoch.max(archive::ZIP_EPOCH_MIN),
            source: "the newest source file's time (no SOURCE_DATE_EPOCH, no git)",
        });
    }
    Ok(SealTime {
        epoch: archive::ZIP_EPOCH_MIN,
        source: "1980-01-01 (no SOURCE_DATE_EPOCH, no git, no source file)",
    })
}

/// The versions known when sealing: every release and the draft, or (`release`) the one
/// release a `--release` bundle holds.
pub(crate) struct SealHistory<'a> {
    pub history: &'a crate::history::History,
    pub release: Option<usize>,
}

/// A release's own tree, loaded and checked, for a `--release` bundle.
pub(crate) struct ReleaseTree {
    /// Holds the release's files while they are read.
    _dir: tempfile::TempDir,
    project: Project,
    corpus: Corpus,
    report: Arc<Report>,
    as_of: NaiveDate,
    as_of_source: &'static str,
}

/// The sources a bundle is made of, checked, with the versions known and the seal's time.
pub(crate) struct Inputs<'a> {
    pub project: &'a Project,
    pub corpus: &'a Corpus,
    pub report: Arc<Report>,
    pub as_of: NaiveDate,
    pub as_of_source: &'static str,
    pub history: SealHistory<'a>,
    pub time: SealTime,
    /// The working tree: its roster and acknowledgements, which for `--release` come after
    /// the release's own tree and are read from here.
    pub current: &'a Workspace,
}

/// The inputs of a seal of `ws` in `scope`; `holder` keeps a `--release` tree alive.
pub(crate) fn resolve<'a>(
    ws: &'a Workspace,
    scope: &Scope,
    holder: &'a mut Option<ReleaseTree>,
) -> Result<Inputs<'a>, Error> {
    let mut time = seal_time(&ws.project.root, || {
        let paths: Vec<PathBuf> = ws
            .corpus
            .files
            .iter()
            .map(|f| ws.corpus.root.join(&f.rel_path))
            .collect();
        crate::evidence::provenance::newest_mtime(paths.iter().map(PathBuf::as_path))
    })?;
    let history = ws.history();
    // `--release V`: the release's own files, from git, replace the working tree's.
    let (project, corpus, report, as_of, as_of_source, seal_history) = match scope {
        Scope::Release(name) => {
            let Some(crate::history::Target::Release(i)) = history.resolve(name) else {
                let known: Vec<&str> = history
                    .releases
                    .iter()
                    .map(|r| r.version.as_str())
                    .collect();
                let why = history
                    .status_message()
                    .map(|(_, m)| format!("; {m}"))
                    .unwrap_or_default();
                return Err(Error::new(
                    format!("there is no release `{name}`{why}"),
                    if known.is_empty() {
                        "releases are git tags matching `[versions] tag_pattern` (default policy-v*)".to_string()
                    } else {
                        format!("use a release tag or version name ({})", known.join(", "))
                    },
                ));
            };
            let open = crate::history::open_release(history, i).map_err(|e| {
                Error::new(
                    format!("cannot read release `{name}` from git: {e}"),
                    "check the tag with `git show --stat TAG`",
                )
            })?;
            if crate::config::source_date_epoch().ok().flatten().is_none() {
                time = SealTime {
                    epoch: history.releases[i]
                        .tag
                        .date
                        .timestamp()
                        .max(archive::ZIP_EPOCH_MIN),
                    source: "the release's tag date",
                };
            }
            let mut release_project = open.project;
            let ctx = Ctx::new(&open.loaded.corpus, &release_project, open.as_of);
            let report = check::run(&ctx, open.loaded.diagnostics, false);
            // Templates and the bundle folder are the project's.
            release_project.root = ws.project.root.clone();
            let tree: &'a ReleaseTree = holder.insert(ReleaseTree {
                _dir: open.dir,
                project: release_project,
                corpus: open.loaded.corpus,
                report: Arc::new(report),
                as_of: open.as_of,
                as_of_source: open.as_of_source,
            });
            (
                &tree.project,
                &tree.corpus,
                Arc::clone(&tree.report),
                tree.as_of,
                tree.as_of_source,
                SealHistory {
                    history,
                    release: Some(i),
                },
            )
        }
        // Without releases (outside git, no tags) the bundle simply has no comparison
        // tables; `kitei build` says why.
        _ => (
            &ws.project,
            &ws.corpus,
            ws.shared_report(),
            ws.as_of,
            ws.as_of_source,
            SealHistory {
                history,
                release: None,
            },
        ),
    };

    Ok(Inputs {
        project,
        corpus,
        report,
        as_of,
        as_of_source,
        history: seal_history,
        time,
        current: ws,
    })
}
