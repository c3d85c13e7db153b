//! A release's tree as the loader sees it: its source folder and kitei.toml written from git
//! into a temporary folder (the working tree is not touched) and loaded.

use crate::config::Project;

use super::History;

/// A release's sources written into a temporary folder and loaded with the loader, as if
/// it were checked out (the working tree is not touched).
pub struct OpenRelease {
    /// Holds the files while they are used.
    pub dir: tempfile::TempDir,
    /// The release's settings; `root` is the temporary folder.
    pub project: Project,
    pub loaded: crate::source::Loaded,
    /// The evaluation date: the release's pinned `as_of`, else the day it was released.
    pub as_of: chrono::NaiveDate,
    pub as_of_source: &'static str,
}

/// Writes release `i`'s source folder and kitei.toml from git into a temporary folder and
/// loads it.
pub fn open_release(history: &History, i: usize) -> Result<OpenRelease, String> {
    let r = &history.releases[i];
    let repo = history.repo.as_ref().ok_or("no repository")?;
    let dir = tempfile::Builder::new()
        .prefix("kitei-release-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    repo.write_tree(&r.tree, &dir.path().join(&r.source))?;
    if let Some(blob) = &r.config_blob {
        let bytes = repo
            .read_blobs(std::slice::from_ref(blob))?
            .pop()
            .unwrap_or_default();
        std::fs::write(dir.path().join(crate::config::FILE_NAME), bytes)
            .map_err(|e| format!("cannot write kitei.toml: {e}"))?;
    }
    let project = Project::open(dir.path()).map_err(|d| {
        format!(
            "its kitei.toml cannot be used by this kitei ({})",
            d.message
        )
    })?;
    let loaded = crate::source::load_uncached(&project).map_err(|d| d.message)?;
    let pinned = project
        .config
        .as_of
        .as_deref()
        .and_then(|s| crate::config::parse_date(s).ok());
    let (as_of, as_of_source) = match pinned {
        Some(d) => (d, "pinned by as_of in the release's kitei.toml"),
        None => (r.date(project.tz), "the release date"),
    };
    Ok(OpenRelease {
        dir,
        project,
        loaded,
        as_of,
        as_of_source,
    })
}
