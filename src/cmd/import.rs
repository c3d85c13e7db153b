//! `kitei import`: reads the files, writes the documents into the source folder,
//! runs the check over the result, prints the summary and writes the Markdown report.
//! (The logic lives in [`crate::import`]; this is the part that touches files and the terminal.)

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::Project;
use crate::import::report::{DocumentReport, Finding, Report};
use crate::import::{self, ImportedDocument, Options};
use crate::workspace::Workspace;

pub struct Request {
    pub files: Vec<PathBuf>,
    pub into: Option<PathBuf>,
    pub id: Option<String>,
    pub report: Option<PathBuf>,
    pub force: bool,
}

fn usage(message: &str, help: &str) -> u8 {
    eprintln!("error: {message}\nhelp: {help}");
    2
}

/// Runs the command; returns the exit code (0 imported, 2 nothing written).
pub fn run(root: &Path, as_of: Option<NaiveDate>, req: &Request) -> u8 {
    let mut project = match Project::open(root) {
        Ok(p) => p,
        Err(d) => return super::fail(&d),
    };
    if req.id.is_some() && req.files.len() > 1 {
        return usage(
            "--id names one document, but several files were given",
            "import the files one by one with --id, or leave --id out to take ids from the file names",
        );
    }
    if let Some(into) = &req.into {
        project.config.source = into.clone();
    }
    let source_dir = project.source_dir();
    let display_source = project.config.source.display().to_string();

    let mut docs: Vec<ImportedDocument> = Vec::new();
    for file in &req.files {
        let name = file.display().to_string();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                return usage(
                    &format!("cannot read {name}: {e}"),
                    "check the path and the file's permissions; nothing was written",
                );
            }
        };
        let options = Options { id: req.id.clone() };
        match import::import_document(&name, &bytes, &options) {
            Ok(doc) => docs.push(doc),
            Err(e) => {
                eprintln!("{e}\nnote: nothing was written");
                return 2;
            }
        }
    }
    for (i, d) in docs.iter().enumerate() {
        if let Some(other) = docs[..i].iter().find(|o| o.id == d.id) {
            return usage(
                &format!(
                    "{} and {} would both become document `{}`",
                    other.source_name, d.source_name, d.id
                ),
                "rename one of the files, or import them one by one with --id",
            );
        }
        let target = source_dir.join(d.path());
        if target.exists() && !req.force {
            return usage(
                &format!("{display_source}/{} exists already", d.path()),
                "give another --id, or --force to replace it; nothing was written",
            );
        }
    }
    // Data drafts go beside the source folder, never into it: the owner confirms them first.
    let drafts = import::drafts::drafts(&docs);
    let drafts_dir = root.join("import-drafts");
    for draft in &drafts {
        if drafts_dir.join(draft.file).exists() && !req.force {
            return usage(
                &format!("import-drafts/{} exists already", draft.file),
                "move the drafts of the last import into the source folder (or delete them), or give --force to replace them; nothing was written",
            );
        }
    }
    for draft in &drafts {
        let target = drafts_dir.join(draft.file);
        if let Err(e) = write_atomically(&target, draft.yaml.as_bytes()) {
            return usage(
                &format!("cannot write {}: {e}", target.display()),
                "check that the project folder is writable",
            );
        }
    }
    for d in &docs {
        let target = source_dir.join(d.path());
        if let Err(e) = write_atomically(&target, d.file_text().as_bytes()) {
            return usage(
                &format!("cannot write {}: {e}", target.display()),
                "check that the source folder is writable",
            );
        }
    }

    // The check over the source folder as it is now, findings sorted to their documents.
    let mut report = Report {
        drafts: drafts
            .iter()
            .map(|d| (format!("import-drafts/{}", d.file), d.summary.clone()))
            .collect(),
        ..Report::default()
    };
    match project.as_of(as_of) {
        Ok((date, _)) => report.as_of = date.to_string(),
        Err(d) => return super::fail(&d),
    }
    let diagnostics = match Workspace::load(project, as_of) {
        Ok(ws) => ws.report().diagnostics.clone(),
        Err(d) => vec![d],
    };
    report.check_totals = (
        diagnostics
            .iter()
            .filter(|d| d.level == crate::diag::Level::Error)
            .count(),
        diagnostics
            .iter()
            .filter(|d| d.level != crate::diag::Level::Error)
            .count(),
    );
    for d in &docs {
        let path = d.path();
        let findings = diagnostics
            .iter()
            .filter(|g| g.location.as_ref().is_some_and(|l| l.path.ends_with(&path)))
            .map(Finding::from_diagnostic)
            .collect();
        report.documents.push(DocumentReport::new(
            d,
            &format!("{display_source}/{path}"),
            findings,
        ));
    }
    let report_path = req
        .report
        .clone()
        .unwrap_or_else(|| root.join("import-report.md"));
    print!("{}", report.terminal());
    if let Err(e) = write_atomically(&report_path, report.markdown().as_bytes()) {
        return usage(
            &format!("cannot write the report {}: {e}", report_path.display()),
            "give a writable path with --report",
        );
    }
    println!(
        "report: {} (kitei check: {} error(s), {} warning(s) in the source folder)",
        report_path.display(),
        report.check_totals.0,
        report.check_totals.1
    );
    0
}

/// Writes the file whole or not at all.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::files::write_atomically(path, bytes, crate::files::How::FILE)
}
