//! The employee website: `kitei build` renders the checked corpus into static HTML.
//!
//! One file per concern: [`markdown`] (bodies → sanitised HTML with clause anchors and typed
//! links), [`templates`] (tera with embedded defaults and per-file overrides), [`i18n`] (every
//! UI string), [`pages`] (what each page shows, filtered by audience, with the compliance
//! dashboard and the drill/review/exception pages in its submodules), [`charts`] (inline SVG
//! drawn at build time), [`search`] (a bigram index that works from `file://`), [`versions`]
//! (archived releases, the version switcher, change notices, the feed and the 新旧対照表 pages)
//! and [`output`] (temporary folder, atomic swap).
//!
//! Audience filtering happens while building the page contexts: restricted records never enter
//! a context of a lower audience, so no template can leak them by accident.

pub mod charts;
pub mod i18n;
pub mod incident_types;
pub mod init;
pub mod markdown;
pub mod new_record;
pub mod output;
pub mod pages;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod reuse;
pub mod rule_summaries;
pub mod search;
pub mod spelling;
pub mod stamp;
pub mod templates;
pub mod text_spool;
pub mod versions;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::check;
use crate::config::Project;
use crate::model::{Corpus, Visibility};

/// Who the site is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Audience {
    Public,
    #[default]
    Employees,
    Restricted,
}

impl Audience {
    pub fn parse(s: &str) -> Option<Audience> {
        match s {
            "public" => Some(Audience::Public),
            "employees" => Some(Audience::Employees),
            "restricted" => Some(Audience::Restricted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Employees => "employees",
            Audience::Restricted => "restricted",
        }
    }

    /// True when this audience may read content of visibility `v`.
    pub fn sees(self, v: Visibility) -> bool {
        match self {
            Audience::Public => v == Visibility::Public,
            Audience::Employees => v != Visibility::Restricted,
            Audience::Restricted => true,
        }
    }

    /// The default output folder (relative to the project root).
    pub fn default_dir(self) -> &'static str {
        match self {
            Audience::Public => "site-public",
            Audience::Employees => "site",
            Audience::Restricted => "site-restricted",
        }
    }
}

/// What the footer and banner say about this build.
#[derive(Debug, Clone)]
pub struct BuildInfo {
    pub audience: Audience,
    /// Built with `--allow-errors` while errors remain: every page carries a banner.
    pub preview: bool,
    /// `YYYY-MM-DD` in the project's time zone (from `SOURCE_DATE_EPOCH` when set).
    pub build_date: String,
    /// The source commit (`git rev-parse`), if the project is a git checkout.
    pub commit: Option<String>,
    /// The evaluation date of the check: deadlines on the dashboard count from it.
    pub as_of: NaiveDate,
    /// The check report the dashboard shows (filtered by audience there).
    /// Shared with the workspace it came from: at 10,000 documents it holds 13,000 findings.
    pub report: std::sync::Arc<check::Report>,
    /// Released versions: the switcher, banners, revision histories and the history pages
    /// (empty without releases).
    pub versions: versions::SiteVersions,
    /// Typeset the PDFs into `pdf/` and link them from their pages (see [`pdf_enabled`]).
    pub pdf: bool,
}

/// Renders every page and asset into memory: relative path → bytes. Errors (broken links,
/// template errors) are all collected.
pub fn render_site(
    project: &Project,
    corpus: &Corpus,
    info: &BuildInfo,
) -> Result<BTreeMap<String, Vec<u8>>, Vec<String>> {
    let sink = output::MemorySink::default();
    let errors = pages::Site::new(project, corpus, info, &sink)
        .map_err(|e| vec![e])?
        .render_into_sink();
    if errors.is_empty() {
        Ok(sink.into_files())
    } else {
        Err(errors)
    }
}

/// [`render_site`] into an anonymous spool file in `dir`: the pages' bytes are not held in
/// memory (the evidence bundle of a large corpus holds hundreds of MB of pages).
pub fn render_site_spooled(
    project: &Project,
    corpus: &Corpus,
    info: &BuildInfo,
    dir: &Path,
) -> Result<BTreeMap<String, output::SpoolPart>, Vec<String>> {
    let sink = output::SpoolSink::new_in(dir).map_err(|e| {
        vec![format!(
            "cannot create a temporary file in {}: {e}",
            dir.display()
        )]
    })?;
    let errors = pages::Site::new(project, corpus, info, &sink)
        .map_err(|e| vec![e])?
        .render_into_sink();
    if !errors.is_empty() {
        return Err(errors);
    }
    sink.into_parts().map_err(|e| {
        vec![format!(
            "cannot write a temporary file in {}: {e}",
            dir.display()
        )]
    })
}

/// Whether a site or bundle of `project` gets PDFs: `Ok(false)` when kitei was built without
/// the `pdf` feature or `KITEI_PDF=off` (see [`pdf_skipped`]), an error (naming the font
/// package to install) when no Japanese font is found.
pub fn pdf_enabled(project: &Project) -> Result<bool, String> {
    if pdf_skipped()? {
        return Ok(false);
    }
    #[cfg(feature = "pdf")]
    {
        pdf::fonts::load(&project.config.pdf.fonts, &project.root).map(|_| true)
    }
    #[cfg(not(feature = "pdf"))]
    {
        let _ = project;
        Ok(false)
    }
}

/// `KITEI_PDF=off` leaves the PDFs out of sites and bundles (`kitei build`, `seal`, `serve`):
/// a quicker preview, and what the test suite uses where it does not look at PDFs. Unset or
/// `on`: PDFs as usual. `kitei pdf` ignores it.
pub fn pdf_skipped() -> Result<bool, String> {
    match std::env::var("KITEI_PDF").as_deref().map(str::trim) {
        Err(_) | Ok("" | "on") => Ok(false),
        Ok("off") => Ok(true),
        Ok(other) => Err(format!(
            "KITEI_PDF is `{other}`: set it to `off` or `on`, or unset it"
        )),
    }
}

/// The build date: `SOURCE_DATE_EPOCH` when set (reproducible builds), otherwise today, in
/// the project's time zone.
pub fn build_date(project: &Project) -> Result<String, String> {
    let now = crate::config::source_date_epoch()?.unwrap_or_else(chrono::Utc::now);
    Ok(now
        .with_timezone(&project.tz)
        .format("%Y-%m-%d")
        .to_string())
}

/// The commit of the project's git checkout (12 hex digits), or `None` outside git.
/// `KITEI_SOURCE_COMMIT` overrides it (for builds from an exported tree).
pub fn source_commit(root: &Path) -> Option<String> {
    if let Ok(c) = std::env::var("KITEI_SOURCE_COMMIT") {
        return Some(c);
    }
    crate::history::git::query(root, &["rev-parse", "--short=12", "HEAD"])
}
