//! `kitei diff A B` in the terminal: each changed document, clause by clause, the new text
//! above the old one. Changed characters are underlined (ANSI) on a terminal; otherwise,
//! and with `NO_COLOR`, they are written `[+new+]` and `[-old-]`, which survives a pipe, a
//! log file and a black-and-white printer.

use crate::config::Lang;
use crate::history::compare::{DisplayRow, Seg};
use crate::history::{DocChange, DocStatus};
use crate::render::i18n;

const UNDERLINE: &str = "\x1b[4m";
const NO_UNDERLINE: &str = "\x1b[24m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn segs(segs: &[Seg], ansi: bool, new: bool, indent: &str) -> String {
    let mut out = String::new();
    for s in segs {
        let text = s.text.replace('\n', &format!("\n{indent}"));
        if !s.marked {
            out.push_str(&text);
        } else if ansi {
            out.push_str(&format!("{UNDERLINE}{text}{NO_UNDERLINE}"));
        } else if new {
            out.push_str(&format!("[+{text}+]"));
        } else {
            out.push_str(&format!("[-{text}-]"));
        }
    }
    out
}

/// One document's comparison as text. `old_name`/`new_name` name the versions.
pub fn document(
    change: &DocChange,
    old_name: &str,
    new_name: &str,
    lang: Lang,
    ansi: bool,
) -> String {
    let t = |k: &str| i18n::get(lang, k);
    let bold = |s: &str| {
        if ansi {
            format!("{BOLD}{s}{RESET}")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let heading = format!("{}{}", change.title(), t("cmp_title_suffix"));
    out.push_str(&bold(&format!(
        "{heading} ({}): {old_name} → {new_name}",
        change.id
    )));
    out.push('\n');
    match change.status {
        DocStatus::Added => {
            out.push_str(&format!("  {}\n\n", t("cmp_doc_added")));
            return out;
        }
        DocStatus::Removed => {
            out.push_str(&format!("  {}\n\n", t("cmp_doc_removed")));
            return out;
        }
        DocStatus::Amended => {
            out.push_str(&format!("  {}\n\n", t("cmp_doc_amended")));
            return out;
        }
        DocStatus::Unchanged => {
            out.push_str(&format!("  {}\n\n", t("cmp_doc_unchanged")));
            return out;
        }
        DocStatus::Changed => {}
    }
    out.push_str(&format!("{}\n", t("cmp_underlined")));
    let Some(cmp) = &change.comparison else {
        return out;
    };
    let new_label = t("cmp_col_new");
    let old_label = t("cmp_col_old");
    let indent = " ".repeat(6);
    for row in cmp.display_rows() {
        match row {
            DisplayRow::Elided { first, last, count } => {
                let range = super::html::elided_range(&first, &last, count, t("cmp_range"));
                out.push_str(&format!("  {range} {}\n", t("cmp_elided")));
            }
            DisplayRow::Row(r) => {
                let label = r
                    .new
                    .as_ref()
                    .or(r.old.as_ref())
                    .map(|s| s.label.as_str())
                    .unwrap_or("");
                let note = super::html::row_note(r, lang);
                out.push_str(&format!("\n  {} [{note}]\n", bold(label)));
                let line = |name: &str, side: &Option<crate::history::compare::Side>, new: bool| {
                    match side {
                        Some(s) => format!("    {name}: {}\n", segs(&s.segs, ansi, new, &indent)),
                        None => format!("    {name}: {}\n", t("cmp_empty")),
                    }
                };
                out.push_str(&line(new_label, &r.new, true));
                out.push_str(&line(old_label, &r.old, false));
            }
        }
    }
    out.push('\n');
    out
}
