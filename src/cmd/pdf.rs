//! `kitei pdf`: the print-ready PDFs of the checked policy for one audience, written into a
//! folder (each file whole or not at all).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::render::Audience;

/// Options of `kitei pdf`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub audience: Audience,
    /// Output folder; default `pdf/` (`pdf-restricted/`, `pdf-public/`) in the project.
    pub out: Option<PathBuf>,
    /// Only the 新旧対照表 of these two versions (release tags, version names or WORKTREE).
    pub compare: Option<(String, String)>,
}

/// The default output folder of an audience (relative to the project root).
pub fn default_dir(audience: Audience) -> &'static str {
    match audience {
        Audience::Public => "pdf-public",
        Audience::Employees => "pdf",
        Audience::Restricted => "pdf-restricted",
    }
}

/// Checks the policy and writes its PDFs. Exit 0 written, 1 the policy has errors (nothing
/// written), 2 no Japanese font, or an I/O failure.
#[cfg(feature = "pdf")]
pub fn run(root: &Path, as_of: Option<NaiveDate>, opts: &Options) -> u8 {
    let ws = match super::open(root, as_of) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let report = ws.report();
    if report.errors() > 0 {
        let color = super::color();
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.level == crate::diag::Level::Error)
        {
            eprintln!("{}", super::diagnostic(&ws, d, color));
        }
        eprintln!(
            "kitei pdf: the policy has {} error(s); fix them (see `kitei check`) before printing it",
            report.errors()
        );
        return super::FAILED;
    }
    let out = match &opts.out {
        Some(o) => o.clone(),
        None => ws.project.root.join(default_dir(opts.audience)),
    };
    let pdfs = match crate::render::pdf::Pdfs::new(&ws.project, &ws.corpus, opts.audience, ws.as_of)
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return super::UNUSABLE;
        }
    };
    let files = match &opts.compare {
        Some((a, b)) => match comparison(&ws, &pdfs, a, b) {
            Ok(f) => vec![f],
            Err(e) => {
                eprintln!("{e}");
                return super::UNUSABLE;
            }
        },
        None => match pdfs.all() {
            Ok(files) => files,
            Err(errors) => {
                for e in errors {
                    eprintln!("error: {e}");
                }
                return super::UNUSABLE;
            }
        },
    };
    for f in &files {
        let path = out.join(&f.name);
        if let Err(e) = crate::files::write_atomically(&path, &f.bytes, crate::files::How::FILE) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return super::UNUSABLE;
        }
    }
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    eprintln!(
        "kitei pdf: wrote {} PDF(s), {} KB, for audience {} into {}",
        files.len(),
        bytes.div_ceil(1024),
        opts.audience.as_str(),
        out.display()
    );
    0
}

/// The 新旧対照表 PDF of versions `a` → `b`.
#[cfg(feature = "pdf")]
fn comparison(
    ws: &crate::workspace::Workspace,
    pdfs: &crate::render::pdf::Pdfs,
    a: &str,
    b: &str,
) -> Result<crate::render::pdf::PdfFile, String> {
    use crate::history::{DocStatus, Target, changes_between};
    let history = ws.history();
    for w in &history.warnings {
        eprintln!("warning: {w}");
    }
    let old = super::diff::resolve(history, a)?;
    let new = super::diff::resolve(history, b)?;
    let label = |t: Target| match t {
        Target::Release(i) => history.releases[i].version.clone(),
        Target::Worktree => "WORKTREE".to_string(),
    };
    let changes: Vec<_> = changes_between(history.docs(old), history.docs(new))
        .into_iter()
        .filter(|c| c.status != DocStatus::Unchanged)
        .collect();
    let (old, new, draft) = (label(old), label(new), new == Target::Worktree);
    let name = crate::render::pdf::compare::file_name(&old, &new);
    pdfs.comparison(&changes, &old, &new, draft, name)
        .map_err(|e| format!("error: {e}"))
}

/// Without the `pdf` feature the command exists but says how to get it.
#[cfg(not(feature = "pdf"))]
pub fn run(_root: &Path, _as_of: Option<NaiveDate>, _opts: &Options) -> u8 {
    eprintln!(
        "error: this kitei was built without the `pdf` feature; rebuild with default features \
         (cargo build --release) to print PDFs"
    );
    super::UNUSABLE
}
