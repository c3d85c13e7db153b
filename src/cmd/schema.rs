//! `kitei schema`: the model's JSON Schemas into a folder, or `--check` that the committed ones
//! are current (for CI, so editors never validate against a stale schema).

use std::path::Path;

use crate::files::{How, write_atomically};
use crate::model::schema;

pub fn run(out: &Path, check: bool) -> u8 {
    let files = schema::all();
    let mut stale = Vec::new();
    for f in &files {
        let path = out.join(&f.name);
        let text = f.to_json();
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path);
            }
            continue;
        }
        if let Err(e) = write_atomically(&path, text.as_bytes(), How::FILE) {
            eprintln!(
                "error: cannot write {}: {e}\nhelp: choose a writable folder with --out DIR",
                path.display()
            );
            return super::UNUSABLE;
        }
        println!("wrote {} ({})", path.display(), f.describes);
    }
    if stale.is_empty() {
        if check {
            println!("{} schemas in {} are current", files.len(), out.display());
        }
        return 0;
    }
    for path in &stale {
        eprintln!("error: {} is missing or out of date", path.display());
    }
    eprintln!(
        "help: run `kitei schema --out {}` and commit the result",
        out.display()
    );
    super::FAILED
}
