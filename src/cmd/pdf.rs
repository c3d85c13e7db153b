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
    let (count, bytes): (usize, usize) = match &opts.compare {
        Some((a, b)) => match comparison(&ws, &pdfs, a, b) {
            Ok(f) => {
                let path = out.join(&f.name);
                let written =
                    crate::files::write_atomically(&path, &f.bytes, crate::files::How::FILE);
                if let Err(e) = written {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    return super::UNUSABLE;
                }
                (1, f.bytes.len())
            }
            Err(e) => {
                eprintln!("{e}");
                return super::UNUSABLE;
            }
        },
        None => {
            // Each PDF is written beside its place as soon as it is typeset (together they can
            // be gigabytes), and all are renamed into place only once every one was made; what
            // a killed run left beside them goes first.
            if let Ok(removed) = crate::files::stale::clean_temp_files(&out)
                && !removed.is_empty()
            {
                eprintln!(
                    "note: removed {} partial file(s) of killed kitei runs from {}",
                    removed.len(),
                    out.display()
                );
            }
            let staged = std::sync::Mutex::new(Vec::new());
            let put = |f: crate::render::pdf::PdfFile| {
                let path = out.join(&f.name);
                let file = crate::files::staged(&path, &f.bytes, crate::files::How::FILE)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                let mut staged = staged.lock().unwrap_or_else(|e| e.into_inner());
                staged.push((file, f.bytes.len()));
                Ok(())
            };
            if let Err(errors) = pdfs.each(&put) {
                for e in errors {
                    eprintln!("error: {e}");
                }
                return super::UNUSABLE;
            }
            let staged = staged.into_inner().unwrap_or_else(|e| e.into_inner());
            let (count, bytes) = (staged.len(), staged.iter().map(|(_, n)| n).sum());
            for (file, _) in staged {
                if let Err(e) = file.put(crate::files::How::FILE) {
                    eprintln!("error: cannot write into {}: {e}", out.display());
                    return super::UNUSABLE;
                }
            }
            (count, bytes)
        }
    };
    eprintln!(
        "kitei pdf: wrote {count} PDF(s), {} KB, for audience {} into {}",
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
