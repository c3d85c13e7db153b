//! `kitei init`: a CI-ready policy repository (a starter project unless the folder has a
//! kitei.toml already), and `kitei templates`: the built-in templates listed or ejected.

use std::path::Path;

use chrono::NaiveDate;

use crate::render::init::{Action, InitOptions, Written, eject, init, template_names, today};

/// What `kitei init` was asked for.
pub struct Request<'a> {
    pub dir: &'a Path,
    /// `--policy`: write the starter project although the folder has a kitei.toml (refused then).
    pub policy: bool,
    pub eject_templates: bool,
    pub force: bool,
}

/// Returns the exit code (0 written, 2 refused or I/O failure).
pub fn run(req: &Request<'_>, as_of: Option<NaiveDate>) -> u8 {
    let today = match today(as_of) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return super::UNUSABLE;
        }
    };
    let dir = req.dir;
    // A folder with a kitei.toml is a project already: it gets the repository files only.
    let has_project = dir.join("kitei.toml").symlink_metadata().is_ok();
    let policy = req.policy || !has_project;
    let opts = InitOptions {
        policy,
        eject_templates: req.eject_templates,
        force: req.force,
        today,
    };
    match init(dir, &opts) {
        Ok(written) => {
            list(dir, &written);
            if has_project && !req.policy {
                eprintln!(
                    "kitei.toml exists: the project was left as it is (CI files, .gitignore and schemas only)"
                );
            }
            if req.eject_templates {
                eprintln!(
                    "templates/ now overrides kitei's built-in templates file by file, and those files no longer follow kitei's fixes: delete the ones you do not change"
                );
            }
            eprintln!(
                "next: `git init` (if this is not a repository yet), `kitei -C {0} check`, `kitei -C {0} build`, then commit: .gitignore keeps the generated output out",
                dir.display()
            );
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            super::UNUSABLE
        }
    }
}

/// `kitei templates list`: every built-in template name, and whether the project overrides it.
pub fn list_templates(root: &Path) -> u8 {
    for name in template_names() {
        let local = root.join("templates").join(name);
        if local.is_file() {
            println!("{name}\t(ejected: templates/{name})");
        } else {
            println!("{name}");
        }
    }
    0
}

/// `kitei templates eject NAME…`: copies the named templates into the project's templates/.
pub fn eject_templates(root: &Path, names: &[String], force: bool) -> u8 {
    match eject(root, names, force) {
        Ok(written) => {
            list(root, &written);
            eprintln!(
                "these copies now override kitei's built-in templates and no longer follow kitei's fixes to them; delete a copy to follow kitei again"
            );
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            super::UNUSABLE
        }
    }
}

/// One line per file on stdout, and a count on stderr.
fn list(dir: &Path, written: &[Written]) {
    for w in written {
        let what = match w.action {
            Action::Created => "created ",
            Action::Replaced => "replaced",
            Action::Appended => "appended",
        };
        println!("{what} {}", dir.join(&w.path).display());
    }
    let replaced = written
        .iter()
        .filter(|w| w.action == Action::Replaced)
        .count();
    eprintln!(
        "kitei: wrote {} file(s) in {}{}",
        written.len(),
        dir.display(),
        if replaced > 0 {
            format!(" ({replaced} replaced)")
        } else {
            String::new()
        }
    );
}
