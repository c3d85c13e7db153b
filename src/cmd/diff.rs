//! `kitei diff A B`: the 新旧対照表 of two versions (release tags, version names or
//! `WORKTREE`) of every regulation document that differs, on stdout.

use std::path::Path;

use crate::history::{DocChange, DocStatus, History, Target, changes_between};
use crate::render::versions::{self as site, html, terminal};

/// Output of `kitei diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Clause by clause; changes underlined when `ansi`, else marked `[+…+]`/`[-…-]`.
    Text { ansi: bool },
    /// A standalone page with the two-column tables.
    Html,
}

/// Returns the exit code (0 shown, 2 usage or I/O failure).
pub fn run(root: &Path, a: &str, b: &str, format: Format) -> u8 {
    let ws = match super::open(root, None) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let lang = ws.project.config.lang;
    let history = ws.history();
    for w in &history.warnings {
        eprintln!("warning: {w}");
    }
    let (old, new) = match (resolve(history, a), resolve(history, b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return super::UNUSABLE;
        }
    };
    let label = |t: Target| match t {
        Target::Release(i) => history.releases[i].version.clone(),
        Target::Worktree => "WORKTREE".to_string(),
    };
    let (old_name, new_name) = (label(old), label(new));
    let changes: Vec<DocChange> = changes_between(history.docs(old), history.docs(new))
        .into_iter()
        .filter(|c| c.status != DocStatus::Unchanged)
        .collect();
    let draft = new == Target::Worktree;
    let nothing = crate::render::i18n::get(lang, "notice_no_documents");
    match format {
        Format::Text { ansi } => {
            if changes.is_empty() {
                println!("{old_name} → {new_name}: {nothing}");
            }
            for c in &changes {
                print!(
                    "{}",
                    terminal::document(c, &old_name, &new_name, lang, ansi)
                );
            }
        }
        Format::Html => {
            let sections: Vec<html::Section> = changes
                .iter()
                .filter_map(|c| {
                    let cmp = c.comparison.as_ref()?;
                    Some(html::Section {
                        heading: site::compare_heading(lang, c.title(), draft),
                        subtitle: site::subtitle(c, &old_name, &new_name),
                        table: html::table(cmp, lang, draft),
                    })
                })
                .collect();
            let title = format!("{old_name} → {new_name}");
            print!("{}", html::standalone(&title, lang, &sections, nothing));
        }
    }
    0
}

/// A version name as `kitei diff` and `kitei pdf --compare` take it: a release tag, a version
/// name or `WORKTREE`; the error lists the releases there are.
pub fn resolve(history: &History, name: &str) -> Result<Target, String> {
    history.resolve(name).ok_or_else(|| {
        let known: Vec<String> = history
            .releases
            .iter()
            .map(|r| format!("{} ({})", r.version, r.tag.name))
            .collect();
        let why = match history.status_message() {
            Some((true, m)) => format!("\n{m}"),
            _ => String::new(),
        };
        format!(
            "error: no version `{name}`; give a release tag, a version name{} or WORKTREE (the working tree){why}",
            if known.is_empty() {
                " (there are no releases)".to_string()
            } else {
                format!(" ({})", known.join(", "))
            }
        )
    })
}
