//! `kitei init`: the built-in templates (and with `--policy` a starter project) written out.

use std::path::Path;

use chrono::NaiveDate;

use crate::render::init::{InitOptions, init, today};

/// Returns the exit code (0 written, 2 refused or I/O failure).
pub fn run(dir: &Path, as_of: Option<NaiveDate>, policy: bool, force: bool) -> u8 {
    let today = match today(as_of) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return super::UNUSABLE;
        }
    };
    let opts = InitOptions {
        policy,
        force,
        today,
    };
    match init(dir, &opts) {
        Ok(written) => {
            for w in &written {
                println!(
                    "{} {}",
                    if w.replaced { "replaced" } else { "created " },
                    dir.join(&w.path).display()
                );
            }
            let replaced = written.iter().filter(|w| w.replaced).count();
            eprintln!(
                "kitei init: wrote {} file(s) in {}{}",
                written.len(),
                dir.display(),
                if replaced > 0 {
                    format!(" ({replaced} replaced)")
                } else {
                    String::new()
                }
            );
            eprintln!(
                "templates/ now overrides kitei's built-in templates file by file; delete the ones you do not change, so that they follow kitei's updates"
            );
            if policy {
                eprintln!(
                    "next: replace the placeholders in kitei.toml and policy-src/, then `kitei -C {0} check` and `kitei -C {0} build`",
                    dir.display()
                );
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            super::UNUSABLE
        }
    }
}
