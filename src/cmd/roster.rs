//! `kitei roster import FILE.csv`: merges an HR export into `roster.yaml` (the logic is in
//! [`crate::intake::roster`]) and prints what changed.

use std::path::{Path, PathBuf};

use crate::config::Project;
use crate::files::{How, write_atomically};
use crate::intake::roster;

pub fn import(root: &Path, file: &Path, map: Option<&str>, dry_run: bool) -> u8 {
    let project = match Project::open(root) {
        Ok(p) => p,
        Err(d) => return super::fail(&d),
    };
    let path = project.source_dir().join("roster.yaml");
    let display = PathBuf::from(&project.config.source).join("roster.yaml");
    let existing = match std::fs::read(&path) {
        Ok(bytes) => match crate::text::encoding::decode_utf8(bytes) {
            Ok(text) => Some(text),
            Err(m) => return usage(&format!("{}: {m}", display.display())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return usage(&format!("cannot read {}: {e}", display.display())),
    };
    let out = match roster::import(existing.as_deref(), &display, file, map) {
        Ok(out) => out,
        Err(m) => return usage(&m),
    };
    println!("{}: {}", file.display(), out.encoding);
    if !out.unknown_columns.is_empty() {
        println!(
            "columns not read (no field; map them with --map COLUMN=FIELD if they are one of {}): {}",
            roster::FIELDS.join(", "),
            out.unknown_columns.join(", ")
        );
    }
    println!(
        "{} added, {} updated, {} unchanged; {} on the roster but not in this export (kept: give leavers a `left` date)",
        out.added.len(),
        out.updated.len(),
        out.unchanged,
        out.not_in_export
    );
    for (line, why) in &out.problems {
        eprintln!("error: {}:{line}: {why}", file.display());
    }
    match &out.text {
        Some(text) if !dry_run => {
            if let Err(e) = write_atomically(&path, text.as_bytes(), How::FILE) {
                return usage(&format!("cannot write {}: {e}", display.display()));
            }
            println!("wrote {}", display.display());
        }
        Some(_) => println!("--dry-run: {} not written", display.display()),
        None => println!("no change to {}", display.display()),
    }
    if out.problems.is_empty() {
        0
    } else {
        eprintln!(
            "{} row(s) not imported; correct them in the export and import it again",
            out.problems.len()
        );
        super::FAILED
    }
}

fn usage(message: &str) -> u8 {
    eprintln!("error: {message}\nhelp: nothing was written");
    super::UNUSABLE
}
