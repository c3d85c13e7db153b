//! `kitei build`: check, render the site, publish it, and seal the default evidence bundle
//! from the same workspace (the corpus is loaded and checked once).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::Timings;
use crate::config::Project;
use crate::diag::{Diagnostic, Level};
use crate::evidence::Scope;
use crate::evidence::seal::skip;
use crate::render::output::{self, Sink};
use crate::render::{self, Audience, BuildInfo, pages, reuse, stamp};
use crate::source::Resident;
use crate::workspace::Workspace;

/// Options of `kitei build` (and of the builds `kitei serve` runs).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub audience: Audience,
    /// Build a preview even when the check reports errors (every page shows a banner).
    pub allow_errors: bool,
    /// Output folder; default per audience, relative to the project root.
    pub out: Option<PathBuf>,
}

/// `kitei build`: the site, then (unless `no_seal`, and never for a preview) the default
/// evidence bundle. Returns the exit code (0 built, 1 policy errors or broken links, 2 usage
/// or I/O failure).
pub fn run(root: &Path, as_of: Option<NaiveDate>, opts: &Options, no_seal: bool) -> u8 {
    let timings = Timings::from_env();
    let Built {
        code,
        loaded,
        stamped,
    } = site(root, as_of, opts, &timings);
    // Evidence is sealed from a build that published without errors, never from a preview.
    let code = if code != 0 || no_seal || opts.allow_errors {
        // Nothing more needs the workspace, and the process is about to exit.
        if let Loaded::Workspace(ws) = loaded {
            ws.leak();
        }
        code
    } else {
        let code = seal_after(as_of, loaded, stamped.as_ref());
        timings.lap("seal");
        code
    };
    timings.counts();
    code
}

/// Seals the default bundle after a build that published. After a no-op build the newest
/// bundle holds the same payload when `evidence/` is as the last seal of the same inputs left
/// it: that is said without loading anything ([`skip`]); otherwise the seal loads the
/// workspace now, with the project as the build opened it.
fn seal_after(as_of: Option<NaiveDate>, loaded: Loaded, stamped: Option<&Stamped>) -> u8 {
    let ws = match loaded {
        Loaded::Workspace(ws) => ws,
        Loaded::Nothing => {
            eprintln!("error: the build published nothing to seal");
            return super::UNUSABLE;
        }
        Loaded::Unchanged(project) => {
            if let Some(stamped) = stamped {
                // The key is opened even so: a missing or wrong key is an error either way.
                let key_id = match super::seal::signing_key_id(&project) {
                    Ok(id) => id,
                    Err(code) => return code,
                };
                if let Some(bundle) = skip::fresh(
                    &project.root,
                    &stamped.out,
                    &stamped.inputs,
                    key_id.as_deref(),
                ) {
                    println!("no change since {bundle}; no new bundle written");
                    return 0;
                }
            }
            match Workspace::load(project, as_of) {
                Ok(ws) => ws,
                Err(d) => return super::fail(&d),
            }
        }
    };
    let project_root = ws.project.root.clone();
    let code = super::seal::seal(ws, Scope::All, None);
    if code == 0
        && let Some(stamped) = stamped
    {
        skip::record(&project_root, &stamped.out, &stamped.inputs);
    }
    code
}

/// What [`site`] did.
pub struct Built {
    /// The exit code.
    pub code: u8,
    pub loaded: Loaded,
    /// The build's output folder and fingerprint, when it could be taken.
    pub stamped: Option<Stamped>,
}

/// What a build loaded.
// One value per build, moved twice: boxing the workspace would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    /// The checked workspace.
    Workspace(Workspace),
    /// Nothing, since nothing changed since the last build into the same folder (see
    /// [`stamp`]): the project as the build opened it.
    Unchanged(Project),
    /// Nothing: the project could not be opened or loaded.
    Nothing,
}

impl Built {
    fn failed(code: u8) -> Built {
        Built {
            code,
            loaded: Loaded::Nothing,
            stamped: None,
        }
    }
}

/// A build's output folder and the fingerprint of its inputs ([`stamp::inputs`]).
pub struct Stamped {
    pub out: PathBuf,
    pub inputs: String,
}

/// What `kitei build` printed (without colour), kept so that a no-op build can say it again:
/// each message followed by a newline. At 10,000 documents the findings alone are ≈ 10 MB,
/// which the render has no use for: they wait in an unnamed temporary file (in memory when
/// none can be made).
struct Messages {
    /// Where the kept text waits (in `held` when no temporary file could be made).
    spool: Option<std::fs::File>,
    /// False: nothing is kept ([`Messages::printing_only`]).
    keeping: bool,
    held: String,
    /// A write to the spool failed: what was printed is not all kept, so no stamp is recorded
    /// (the next build runs instead of replaying part of this one's messages).
    lost: bool,
    /// In a `kitei serve` session, the warning and note lines it has printed
    /// ([`Session::lines`]): a rebuild does not print them again.
    printed: Option<Arc<Mutex<FxHashSet<String>>>>,
}

impl Messages {
    fn new() -> Messages {
        Messages::spooled_to(tempfile::tempfile().ok())
    }

    fn spooled_to(spool: Option<std::fs::File>) -> Messages {
        Messages {
            spool,
            keeping: true,
            held: String::new(),
            lost: false,
            printed: None,
        }
    }

    /// Messages that are printed and not kept: a build that records no stamp has no use for
    /// them (`kitei serve`'s rebuilds).
    fn printing_only() -> Messages {
        Messages {
            keeping: false,
            lost: true,
            ..Messages::spooled_to(None)
        }
    }

    fn keep(&mut self, text: &str) {
        use std::io::Write as _;
        if !self.keeping {
            return;
        }
        match &mut self.spool {
            Some(file) => self.lost |= file.write_all(text.as_bytes()).is_err(),
            None => self.held.push_str(text),
        }
    }

    /// Prints a line and keeps it. In a session, a warning or note it has printed before (the
    /// project is not in git, the site gets no PDFs) is kept but not printed again.
    fn line(&mut self, text: String) {
        let repeated = self.printed.as_ref().is_some_and(|printed| {
            (text.starts_with("warning: ") || text.starts_with("note: "))
                && !printed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(text.clone())
        });
        if !repeated {
            eprintln!("{text}");
        }
        self.keep(&text);
        self.keep("\n");
    }

    /// Keeps every finding of the report and prints them in one write (thousands of small
    /// writes to a terminal or CI log cost more than formatting them). In a `kitei serve`
    /// `session`, only the errors and the warnings it has not printed yet are printed (and
    /// formatted), with a line that counts the others.
    fn findings(&mut self, ws: &Workspace, color: bool, session: Option<&mut Session>) {
        use std::io::Write as _;
        let diagnostics = &ws.report().diagnostics;
        if let Some(session) = session {
            let Some(new) = session.update(diagnostics) else {
                // Nothing printed in this session yet: everything, as `kitei build` prints it.
                return self.findings(ws, color, None);
            };
            let text: String = new
                .diagnostics
                .par_iter()
                .map(|d| format!("{}\n\n", super::diagnostic(ws, d, color)))
                .collect();
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            if new.repeated > 0 || new.gone > 0 {
                let _ = writeln!(
                    err,
                    "kitei serve: {} new warning(s), {} gone, {} as before (not repeated)",
                    new.warnings, new.gone, new.repeated
                );
            }
            return;
        }
        let plain = super::findings_text(ws, diagnostics, false);
        self.keep(&plain);
        // Without colour (CI, a pipe) the text shown is the text kept.
        let shown = color.then(|| super::findings_text(ws, diagnostics, true));
        let printed = shown.as_deref().unwrap_or(&plain);
        let _ = std::io::stderr().lock().write_all(printed.as_bytes());
    }

    /// Everything kept, or `None` if some of it was lost.
    fn text(self) -> Option<String> {
        use std::io::{Read as _, Seek as _};
        if self.lost {
            return None;
        }
        let Some(mut file) = self.spool else {
            return Some(self.held);
        };
        let mut text = String::new();
        file.rewind().ok()?;
        file.read_to_string(&mut text).ok()?;
        Some(text)
    }
}

/// What a `kitei serve` session carries from one build to the next (besides the records of
/// its corpus, [`Resident`]).
#[derive(Default)]
pub struct Session {
    builds: usize,
    /// The warnings printed so far (by [`fingerprint`]), so that a rebuild prints only the
    /// others: a policy can hold thousands of warnings, and a save that printed them all again
    /// would bury what the edit changed. Errors are printed by every build (they keep the site
    /// from being published). `None` until a build of the session has printed its findings.
    warnings: Option<FxHashSet<u64>>,
    /// The page memo of the last build that published, as it saved it
    /// ([`reuse::PageMemo::into_next`]): the next build takes it instead of reading it back.
    pages: Option<reuse::PageMemo>,
    /// The build's own warning and note lines printed so far (not the check's findings):
    /// printed once per session, like the warnings.
    lines: Arc<Mutex<FxHashSet<String>>>,
}

/// What a rebuild prints of its findings ([`Session::update`]).
struct NewFindings<'d> {
    /// The errors and the new warnings, in the report's order.
    diagnostics: Vec<&'d Diagnostic>,
    warnings: usize,
    /// Warnings printed before and found again.
    repeated: usize,
    /// Warnings printed before and not found again.
    gone: usize,
}

impl Session {
    /// Whether the session has built before: its builds after the first take no fingerprint
    /// and record no stamp (the watcher says what changed, and the next `kitei build` into
    /// the folder finds its pages in the page memo). The first is never a no-op, but records
    /// its stamp.
    fn rebuilding(&self) -> bool {
        self.builds > 0
    }

    /// Remembers this build's warnings; returns what to print, or `None` when nothing was
    /// printed before (then everything is).
    fn update<'d>(&mut self, diagnostics: &'d [Diagnostic]) -> Option<NewFindings<'d>> {
        let prints: Vec<u64> = diagnostics.par_iter().map(fingerprint).collect();
        let warnings: FxHashSet<u64> = diagnostics
            .iter()
            .zip(&prints)
            .filter(|(d, _)| d.level != Level::Error)
            .map(|(_, &p)| p)
            .collect();
        let previous = self.warnings.take();
        let new = previous.map(|previous| {
            let mut new = NewFindings {
                diagnostics: Vec::new(),
                warnings: 0,
                repeated: 0,
                gone: previous.iter().filter(|d| !warnings.contains(*d)).count(),
            };
            for (d, p) in diagnostics.iter().zip(&prints) {
                if d.level == Level::Error {
                    new.diagnostics.push(d);
                } else if previous.contains(p) {
                    new.repeated += 1;
                } else {
                    new.warnings += 1;
                    new.diagnostics.push(d);
                }
            }
            new
        });
        self.warnings = Some(warnings);
        new
    }
}

/// A finding as a session remembers it: 13,000 warnings kept as themselves were copied and
/// freed on every save. Two findings that differ share a fingerprint with odds of 2⁻⁶⁴ a
/// pair; the cost of that would be one warning not printed again (the site still shows it).
fn fingerprint(d: &Diagnostic) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::hash::DefaultHasher::new();
    d.hash(&mut h);
    h.finish()
}

/// Checks, renders and publishes the site; returns the exit code, the workspace it loaded
/// and the build's fingerprint ([`Built`]).
pub fn site(root: &Path, as_of: Option<NaiveDate>, opts: &Options, timings: &Timings) -> Built {
    site_from(root, as_of, opts, timings, &mut None, None)
}

/// [`site`] in a process that builds again and again (`kitei serve`): a load takes the records
/// of unchanged files from `resident` (it is left in place when nothing is loaded), and the
/// rest of what the last build left is in `session`.
pub fn site_from(
    root: &Path,
    as_of: Option<NaiveDate>,
    opts: &Options,
    timings: &Timings,
    resident: &mut Option<Resident>,
    mut session: Option<&mut Session>,
) -> Built {
    let rebuilding = session.as_ref().is_some_and(|s| s.rebuilding());
    if let Some(session) = session.as_deref_mut() {
        session.builds += 1;
    }
    let project = match Project::open(root) {
        Ok(p) => p,
        Err(d) => return Built::failed(super::fail(&d)),
    };
    let as_of_date = match project.as_of(as_of) {
        Ok((date, _)) => date,
        Err(d) => return Built::failed(super::fail(&d)),
    };
    let build_date = match render::build_date(&project) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Built::failed(super::UNUSABLE);
        }
    };
    let out = match &opts.out {
        Some(o) if o.is_absolute() => o.clone(),
        Some(o) => std::env::current_dir()
            .map(|d| d.join(o))
            .unwrap_or_else(|_| o.clone()),
        None => project.root.join(opts.audience.default_dir()),
    };
    let inputs = if rebuilding {
        None
    } else {
        stamp::inputs(
            &project.root,
            &project.source_dir(),
            &project.named_inputs(),
            &stamp::Settings {
                audience: opts.audience.as_str(),
                allow_errors: opts.allow_errors,
                out: &out,
                as_of: as_of_date.to_string(),
                build_date: &build_date,
            },
        )
    };
    // A session always builds: it needs the corpus, the findings and the page memo of the site
    // it serves for its rebuilds (a no-op start left the first save to load, format and
    // print all of them).
    if let Some(last) = inputs
        .as_deref()
        .filter(|_| session.is_none())
        .and_then(|inputs| stamp::fresh(&project.root, &out, inputs))
    {
        let _ = last.replay(&mut std::io::stderr().lock());
        eprintln!(
            "kitei build: up to date: nothing changed since the last build into {}",
            out.display()
        );
        timings.lap("no-op");
        return Built {
            code: 0,
            loaded: Loaded::Unchanged(project),
            stamped: inputs.map(|inputs| Stamped { out, inputs }),
        };
    }
    timings.lap("fingerprint");
    let ws = match Workspace::load_checked_from(project, as_of, false, resident.take()) {
        Ok(ws) => ws,
        Err(d) => return Built::failed(super::fail(&d)),
    };
    timings.lap("load");
    let stamped = inputs.clone().map(|inputs| Stamped {
        out: out.clone(),
        inputs,
    });
    let code = publish(&ws, opts, &out, build_date, inputs, timings, session);
    Built {
        code,
        loaded: Loaded::Workspace(ws),
        stamped,
    }
}

/// Renders the loaded workspace into a staging folder and swaps it in for `out`.
fn publish(
    ws: &Workspace,
    opts: &Options,
    out: &Path,
    build_date: String,
    inputs: Option<String>,
    timings: &Timings,
    mut session: Option<&mut Session>,
) -> u8 {
    // Kept for the stamp, which needs the fingerprint.
    let mut messages = if inputs.is_some() {
        Messages::new()
    } else {
        Messages::printing_only()
    };
    messages.printed = session.as_deref().map(|s| s.lines.clone());
    let (project, corpus) = (&ws.project, &ws.corpus);
    let report = ws.report();
    timings.lap("check");
    let errors = report.errors();
    let publishing = errors == 0 || opts.allow_errors;
    // The previous build's page memo is read while the findings are formatted (each is one
    // thread's work, and neither needs the other).
    let reuse_paths = (publishing && reuse::enabled()).then(|| reuse::paths(&project.root, out));
    let kept_memo = session.as_deref_mut().and_then(|s| s.pages.take());
    let ((), memo) = rayon::join(
        || messages.findings(ws, super::color(), session.as_deref_mut()),
        || {
            reuse_paths
                .as_ref()
                .map(|(_, pages)| kept_memo.unwrap_or_else(|| reuse::PageMemo::load(pages)))
        },
    );
    timings.lap("findings and memo");
    if !publishing {
        eprintln!(
            "kitei build: {errors} error(s), {} warning(s); not publishing (fix them, or build a preview with --allow-errors)",
            report.warnings()
        );
        return super::FAILED;
    }
    let versions = versions(ws, opts.audience, &mut messages);
    timings.lap("history");
    // Without a Japanese font the site is still built, without PDFs, and says why.
    let pdf = match render::pdf_enabled(project) {
        Ok(on) => on,
        Err(e) => {
            messages.line(format!("warning: the site gets no PDFs: {e}"));
            false
        }
    };
    let info = BuildInfo {
        audience: opts.audience,
        preview: errors > 0,
        build_date,
        commit: render::source_commit(&project.root),
        as_of: ws.as_of,
        report: ws.shared_report(),
        versions,
        pdf,
    };
    // Pages are written into a staging folder as they render; it replaces `out` only at the
    // end, and is deleted if the build fails. Pages and files the previous build into `out`
    // already made are linked from it instead (render::reuse).
    let staging = match &reuse_paths {
        Some((files, _)) => output::Staging::incremental(out, files.clone()),
        None => output::Staging::new(out),
    };
    let staging = match staging {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot write the site next to {}: {e}",
                out.display()
            );
            return super::UNUSABLE;
        }
    };
    report_leftovers(out, staging.leftovers());
    let render = |info: &BuildInfo| match pages::Site::new(project, corpus, info, &staging) {
        Ok(site) => match &memo {
            Some(memo) => site.incremental(memo).render_into_sink(),
            None => site.render_into_sink(),
        },
        Err(e) => vec![e],
    };
    timings.lap("staging");
    let build_errors = render(&info);
    timings.lap("render");
    for e in &build_errors {
        messages.line(format!(
            "{}: {e}",
            if opts.allow_errors {
                "warning"
            } else {
                "error"
            }
        ));
    }
    if staging.written_counts().0 == 0 || (!build_errors.is_empty() && !opts.allow_errors) {
        eprintln!(
            "kitei build: {} build error(s); the previous site is left untouched",
            build_errors.len()
        );
        return super::FAILED;
    }
    let mut info = info;
    if !build_errors.is_empty() && !info.preview {
        // A preview with broken links: render again so that every page carries the banner.
        info.preview = true;
        render(&info);
    }
    archives(
        ws,
        opts.audience,
        info.commit.as_deref(),
        &staging,
        &mut messages,
    );
    let (staged, pages) = staging.written_counts();
    timings.lap("archives");
    timings.note(|| {
        let (reused, recorded) = memo.as_ref().map_or((0, 0), |m| m.counts());
        let (kept, made) = memo.as_ref().map_or((0, 0), |m| m.file_counts());
        let quick = memo.as_ref().map_or(0, |m| m.quick_count());
        format!(
            "pages {recorded} recorded, {reused} reused ({quick} document pages by their inputs' digest); search text chunks {made} recorded, {kept} kept; files {} staged, {} linked, {} unchanged in place",
            staged,
            staging.linked(),
            staging.unchanged()
        )
    });
    // The page memo is saved while the site is swapped in. Saved for a site that then fails
    // to publish, it costs nothing: a page is reused only if the published files still hold
    // the bytes it records. A session keeps it for its next build.
    let keep_memo = session.is_some();
    let (published, kept_memo) = rayon::join(
        || staging.publish(),
        || {
            let memo = memo;
            if let (Some(memo), Some((_, pages))) = (&memo, &reuse_paths) {
                memo.save(pages);
            }
            memo.filter(|_| keep_memo).map(reuse::PageMemo::into_next)
        },
    );
    timings.lap("publish and memo");
    if let Err(e) = published {
        eprintln!("error: cannot write the site to {}: {e}", out.display());
        return super::UNUSABLE;
    }
    if let Some(session) = session {
        session.pages = kept_memo;
    }
    messages.line(format!(
        "kitei build: {pages} pages for audience `{}` in {}{}",
        opts.audience.as_str(),
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
    if let Some(inputs) = inputs
        && let Some(printed) = messages.text()
    {
        stamp::record(&project.root, out, inputs, &printed);
    }
    timings.lap("stamp");
    0
}

/// Says what the start of the build cleaned up after killed runs beside `out`.
fn report_leftovers(out: &Path, cleaned: &crate::files::stale::Cleaned) {
    if let Some(old) = &cleaned.restored {
        eprintln!(
            "note: put back {} from {} (a kitei run was killed while swapping it in)",
            out.display(),
            old.display()
        );
    }
    if !cleaned.removed.is_empty() {
        eprintln!(
            "note: removed {} leftover folder(s) of killed kitei runs beside {}",
            cleaned.removed.len(),
            out.display()
        );
    }
}

/// The versions part of the site (switcher, banners, history pages), with what the history
/// has to say (no git, no tags, unreadable releases).
fn versions(
    ws: &Workspace,
    audience: Audience,
    messages: &mut Messages,
) -> crate::render::versions::SiteVersions {
    let history = ws.history();
    if let Some((warning, message)) = history.status_message() {
        messages.line(format!(
            "{}: {message}",
            if warning { "warning" } else { "note" }
        ));
    }
    for w in &history.warnings {
        messages.line(format!("warning: {w}"));
    }
    crate::render::versions::current(history, &ws.project, &ws.corpus, audience)
}

/// The archived releases under `v/` (rendered, or from the cache), `versions.json` and the
/// feed, into the staging folder.
fn archives(
    ws: &Workspace,
    audience: Audience,
    commit: Option<&str>,
    staging: &output::Staging,
    messages: &mut Messages,
) {
    let history = ws.history();
    let mut files = std::collections::BTreeMap::new();
    let archives = crate::render::versions::add_archives(
        history,
        &ws.project,
        &ws.corpus,
        audience,
        commit,
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
}

#[cfg(test)]
mod tests {
    use super::Messages;

    #[test]
    fn messages_are_kept_in_order_spooled_or_held() {
        for spool in [tempfile::tempfile().ok(), None] {
            let on_disk = spool.is_some();
            let mut m = Messages::spooled_to(spool);
            m.keep("warning: a\n\n");
            m.line("kitei build: done".into());
            assert_eq!(
                m.text().as_deref(),
                Some("warning: a\n\nkitei build: done\n"),
                "spooled: {on_disk}"
            );
        }
    }

    #[test]
    fn a_spool_that_cannot_be_written_keeps_no_messages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spool");
        std::fs::write(&path, "").unwrap();
        let read_only = std::fs::File::open(&path).unwrap();
        let mut m = Messages::spooled_to(Some(read_only));
        m.line("warning: w".into());
        assert_eq!(m.text(), None, "a partial replay must not be recorded");
    }
}
