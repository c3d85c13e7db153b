//! `kitei ack import FILE.csv` and `kitei ack import-mail MAIL…`: acknowledgements from an LMS
//! or form export and from the site button's receipts (the logic is in [`crate::intake`]),
//! written into the source folder; prints what was added, skipped and refused.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::files::{How, write_atomically};
use crate::intake::acks::{self, Defaults, Outcome};
use crate::intake::mail;

pub struct CsvRequest<'a> {
    pub file: &'a Path,
    pub map: Option<&'a str>,
    pub defaults: Defaults,
    pub dry_run: bool,
}

pub fn import(root: &Path, as_of: Option<NaiveDate>, req: &CsvRequest) -> u8 {
    let ws = match super::open(root, as_of) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let mut out = Outcome::default();
    let (incoming, encoding, unknown) =
        match acks::from_csv(req.file, req.map, &req.defaults, &mut out.problems) {
            Ok(x) => x,
            Err(m) => return usage(&m),
        };
    out.encoding = Some(encoding);
    out.unknown_columns = unknown;
    let name = req
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Err(m) = acks::plan(&ws.corpus, incoming, &req.defaults, &name, &mut out) {
        return usage(&m);
    }
    finish(
        &ws.corpus.root,
        &ws.project.config.source,
        req.file,
        &out,
        &[],
        req.dry_run,
    )
}

pub fn import_mail(root: &Path, as_of: Option<NaiveDate>, paths: &[PathBuf], dry_run: bool) -> u8 {
    let ws = match super::open(root, as_of) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inner: Vec<PathBuf> = match std::fs::read_dir(p) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| f.extension().is_some_and(|e| e == "eml"))
                    .collect(),
                Err(e) => return usage(&format!("cannot read {}: {e}", p.display())),
            };
            inner.sort();
            files.extend(inner);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return usage(&format!(
                "{} is not a mail file or a folder of them",
                p.display()
            ));
        }
    }
    let mut out = Outcome::default();
    let mut incoming = Vec::new();
    let mut keep = Vec::new();
    for f in &files {
        match mail::read(&ws.corpus, ws.project.tz, f) {
            Ok(accepted) => {
                keep.push((accepted.incoming.origin.clone(), accepted.keep));
                incoming.push(accepted.incoming);
            }
            Err(why) => out.problems.push((f.display().to_string(), why)),
        }
    }
    let defaults = Defaults::default();
    if let Err(m) = acks::plan(&ws.corpus, incoming, &defaults, "receipts", &mut out) {
        return usage(&m);
    }
    // Keep the mails of the acknowledgements that are written (not of skipped ones).
    let keep: Vec<(PathBuf, Vec<u8>)> = keep
        .into_iter()
        .filter(|(origin, _)| out.recorded.contains(origin))
        .map(|(_, k)| k)
        .collect();
    let label = PathBuf::from(format!("{} mail(s)", files.len()));
    finish(
        &ws.corpus.root,
        &ws.project.config.source,
        &label,
        &out,
        &keep,
        dry_run,
    )
}

fn finish(
    source_root: &Path,
    source_display: &Path,
    from: &Path,
    out: &Outcome,
    keep: &[(PathBuf, Vec<u8>)],
    dry_run: bool,
) -> u8 {
    if let Some(enc) = out.encoding {
        println!("{}: {enc}", from.display());
    }
    if !out.unknown_columns.is_empty() {
        println!(
            "columns not read (no field; map them with --map COLUMN=FIELD if they are one of {}): {}",
            acks::FIELDS.join(", "),
            out.unknown_columns.join(", ")
        );
    }
    let added: usize = out.added.values().sum();
    println!(
        "{added} added, {} already recorded, {} not imported",
        out.already,
        out.problems.len()
    );
    for (origin, why) in &out.problems {
        eprintln!("error: {origin}: {why}");
    }
    if dry_run {
        for (rel, n) in &out.added {
            println!(
                "--dry-run: would add {n} to {}",
                source_display.join(rel).display()
            );
        }
    } else {
        for (rel, bytes) in keep {
            let path = source_root.join(rel);
            let written = path
                .parent()
                .map(std::fs::create_dir_all)
                .transpose()
                .and_then(|_| write_atomically(&path, bytes, How::FILE));
            if let Err(e) = written {
                return usage(&format!("cannot write {}: {e}", path.display()));
            }
        }
        for (rel, text) in &out.writes {
            let path = source_root.join(rel);
            let written = path
                .parent()
                .map(std::fs::create_dir_all)
                .transpose()
                .and_then(|_| write_atomically(&path, text.as_bytes(), How::FILE));
            if let Err(e) = written {
                return usage(&format!("cannot write {}: {e}", path.display()));
            }
            println!(
                "wrote {} (+{})",
                source_display.join(rel).display(),
                out.added.get(rel).copied().unwrap_or(0)
            );
        }
        if out.writes.is_empty() {
            println!("nothing to write");
        }
    }
    if out.problems.is_empty() {
        0
    } else {
        eprintln!(
            "{} not imported; correct them and import again (what was recorded is skipped)",
            out.problems.len()
        );
        super::FAILED
    }
}

fn usage(message: &str) -> u8 {
    eprintln!("error: {message}\nhelp: nothing was written");
    super::UNUSABLE
}
