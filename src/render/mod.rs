//! The employee website: `kitei build` renders the checked corpus into static HTML.
//!
//! One file per concern: [`markdown`] (bodies → sanitised HTML with clause anchors and typed
//! links), [`templates`] (tera with embedded defaults and per-file overrides), [`i18n`] (every
//! UI string), [`pages`] (what each page shows, filtered by audience, with the compliance
//! dashboard and the drill/review/exception pages in its submodules), [`charts`] (inline SVG
//! drawn at build time), [`search`] (a bigram index that works from `file://`) and [`output`]
//! (temporary folder, atomic swap).
//!
//! Audience filtering happens while building the page contexts: restricted records never enter
//! a context of a lower audience, so no template can leak them by accident.

pub mod charts;
pub mod i18n;
pub mod init;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod search;
pub mod stamp;
pub mod templates;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::check::{self, Ctx};
use crate::config::Project;
use crate::diag::{Diagnostic, SourceMap, render_human};
use crate::model::{Corpus, Visibility};
use output::Sink;

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
    pub report: check::Report,
    /// Released versions: the switcher, banners, revision histories and the history pages
    /// (empty without releases).
    pub versions: crate::history::site::SiteVersions,
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
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--short=12", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

/// `KITEI_TIMINGS=1`: how long each phase of a build took, on stderr (for profiling).
struct Timings {
    last: Option<std::cell::Cell<std::time::Instant>>,
}

impl Timings {
    fn from_env() -> Timings {
        let on = std::env::var_os("KITEI_TIMINGS").is_some_and(|v| v != "0" && !v.is_empty());
        Timings {
            last: on.then(|| std::cell::Cell::new(std::time::Instant::now())),
        }
    }

    fn lap(&self, phase: &str) {
        if let Some(last) = &self.last {
            let now = std::time::Instant::now();
            eprintln!(
                "timing: {phase:<10} {:>8.1} ms",
                (now - last.get()).as_secs_f64() * 1e3
            );
            last.set(now);
        }
    }
}

/// Options of `kitei build`.
#[derive(Debug, Clone, Default)]
pub struct BuildArgs {
    pub audience: Audience,
    pub allow_errors: bool,
    /// Output folder; default per audience, relative to the project root.
    pub out: Option<PathBuf>,
}

/// What `kitei build` printed, kept so that a no-op build can say it again.
#[derive(Default)]
struct Messages(Vec<String>);

impl Messages {
    /// Prints `shown` and keeps `plain` (the same without colour).
    fn say(&mut self, shown: String, plain: String) {
        eprintln!("{shown}");
        self.0.push(plain);
    }

    fn line(&mut self, text: String) {
        self.say(text.clone(), text);
    }
}

/// `kitei build`: check, then render and publish. Returns the exit code (0 built, 1 policy
/// errors or broken links, 2 usage/I/O failure). When nothing the build reads has changed
/// since the last build into the same folder (see [`stamp`]), it says so and stops.
pub fn build_command(root: &Path, as_of: Option<NaiveDate>, args: &BuildArgs) -> u8 {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let fail = |d: Diagnostic| {
        eprintln!("{}", render_human(&d, &SourceMap::default(), color));
        2
    };
    let project = match Project::open(root) {
        Ok(p) => p,
        Err(d) => return fail(d),
    };
    let (as_of, _) = match project.as_of(as_of) {
        Ok(v) => v,
        Err(d) => return fail(d),
    };
    let build_date = match build_date(&project) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let out = match &args.out {
        Some(o) if o.is_absolute() => o.clone(),
        Some(o) => std::env::current_dir()
            .map(|d| d.join(o))
            .unwrap_or_else(|_| o.clone()),
        None => project.root.join(args.audience.default_dir()),
    };
    let timings = Timings::from_env();
    let inputs = stamp::inputs(
        &project.root,
        &project.source_dir(),
        &stamp::Settings {
            audience: args.audience.as_str(),
            allow_errors: args.allow_errors,
            out: &out,
            as_of: as_of.to_string(),
            build_date: &build_date,
        },
    );
    if let Some(last) = inputs
        .as_deref()
        .and_then(|inputs| stamp::fresh(&project.root, &out, inputs))
    {
        for m in &last.messages {
            eprintln!("{m}");
        }
        eprintln!(
            "kitei build: up to date: nothing changed since the last build into {}",
            out.display()
        );
        timings.lap("no-op");
        return 0;
    }
    timings.lap("fingerprint");
    let mut messages = Messages::default();
    let loaded = match crate::source::load(&project) {
        Ok(l) => l,
        Err(d) => return fail(d),
    };
    let ctx = Ctx::new(&loaded.corpus, &project, as_of);
    timings.lap("load");
    let report = check::run(&ctx, loaded.diagnostics, false);
    timings.lap("check");
    for d in &report.diagnostics {
        messages.say(
            format!("{}\n", render_human(d, &loaded.sources, color)),
            format!("{}\n", render_human(d, &loaded.sources, false)),
        );
    }
    let errors = report.errors();
    if errors > 0 && !args.allow_errors {
        eprintln!(
            "kitei build: {errors} error(s), {} warning(s); not publishing (fix them, or build a preview with --allow-errors)",
            report.warnings()
        );
        return 1;
    }
    let history = crate::history::load(&project, &loaded.corpus);
    if let Some((warning, message)) = history.status_message() {
        messages.line(format!(
            "{}: {message}",
            if warning { "warning" } else { "note" }
        ));
    }
    for w in &history.warnings {
        messages.line(format!("warning: {w}"));
    }
    let versions = crate::history::site::current(&history, &project, &loaded.corpus, args.audience);
    let info = BuildInfo {
        audience: args.audience,
        preview: errors > 0,
        build_date,
        commit: source_commit(&project.root),
        as_of,
        report,
        versions,
    };
    // Pages are written into a staging folder as they render; it replaces `out` only at the
    // end, and is deleted if the build fails.
    let staging = match output::Staging::new(&out) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot write the site next to {}: {e}",
                out.display()
            );
            return 2;
        }
    };
    let render = |info: &BuildInfo| match pages::Site::new(&project, &loaded.corpus, info, &staging)
    {
        Ok(site) => site.render_into_sink(),
        Err(e) => vec![e],
    };
    timings.lap("history");
    let build_errors = render(&info);
    timings.lap("render");
    for e in &build_errors {
        messages.line(format!(
            "{}: {e}",
            if args.allow_errors {
                "warning"
            } else {
                "error"
            }
        ));
    }
    if staging.written().is_empty() || (!build_errors.is_empty() && !args.allow_errors) {
        eprintln!(
            "kitei build: {} build error(s); the previous site is left untouched",
            build_errors.len()
        );
        return 1;
    }
    let mut info = info;
    if !build_errors.is_empty() && !info.preview {
        // A preview with broken links: render again so that every page carries the banner.
        info.preview = true;
        render(&info);
    }
    let mut files = BTreeMap::new();
    let archives = crate::history::site::add_archives(
        &history,
        &project,
        &loaded.corpus,
        args.audience,
        info.commit.as_deref(),
        &mut files,
    );
    for (rel, bytes) in files {
        staging.put(&rel, bytes);
    }
    for w in &archives.warnings {
        messages.line(format!("warning: {w}"));
    }
    if !history.releases.is_empty() {
        eprintln!(
            "kitei build: {} archived version(s) under v/ ({} rendered, {} from the cache) in {:.2} s",
            history.releases.len(),
            archives.rendered,
            archives.cached,
            archives.seconds
        );
    }
    let pages = staging
        .written()
        .iter()
        .filter(|k| k.ends_with(".html"))
        .count();
    timings.lap("archives");
    let published = staging.publish();
    timings.lap("publish");
    if let Err(e) = published {
        eprintln!("error: cannot write the site to {}: {e}", out.display());
        return 2;
    }
    messages.line(format!(
        "kitei build: {pages} pages for audience `{}` in {}{}",
        args.audience.as_str(),
        out.display(),
        if info.preview {
            format!(
                " (preview: {} error(s) remain)",
                errors + build_errors.len()
            )
        } else {
            String::new()
        }
    ));
    if let Some(inputs) = inputs {
        stamp::record(&project.root, &out, inputs, messages.0);
    }
    0
}
