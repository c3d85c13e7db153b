//! The 新旧対照表 as HTML: the conventional layout, 改正後 (new) on the left and 改正前 (old)
//! on the right, one row per clause, changed characters underlined with `<u>` in both
//! columns (underline, not colour alone: it survives a black-and-white printer), unchanged
//! clauses elided as 「（略）」, added and deleted clauses against an empty cell, and a 備考
//! column that says what happened to the clause. Used by the site's comparison pages,
//! `kitei diff --format html` and evidence bundles.

use crate::config::Lang;
use crate::history::compare::{Comparison, DisplayRow, Row, RowKind, Seg, Side};
use crate::render::i18n;

pub use crate::text::escape_html as escape;

fn text_html(s: &str) -> String {
    escape(s).replace('\n', "<br>")
}

fn segs_html(segs: &[Seg]) -> String {
    segs.iter()
        .map(|s| {
            if s.marked {
                format!("<u>{}</u>", text_html(&s.text))
            } else {
                text_html(&s.text)
            }
        })
        .collect()
}

fn side_html(side: &Side) -> String {
    segs_html(&side.segs)
}

/// The units an elided run of a 新旧対照表 spans: `第3条` alone, or `第3条〜第7条` (`to` is the
/// page language's range word). Shared by the HTML, terminal and PDF views.
pub fn elided_range(first: &str, last: &str, count: usize, to: &str) -> String {
    match count {
        1 => first.to_string(),
        _ => format!("{first}{to}{last}"),
    }
}

/// What the 備考 column says about a row.
pub fn row_note(row: &Row, lang: Lang) -> String {
    let t = |k: &str| i18n::get(lang, k);
    let mut notes: Vec<&str> = Vec::new();
    match row.kind {
        RowKind::Added => notes.push(t("cmp_added")),
        RowKind::Deleted => notes.push(t("cmp_deleted")),
        RowKind::Changed => {
            let only_number = row.renumbered
                && row.new.iter().chain(row.old.iter()).all(|s| {
                    s.segs
                        .iter()
                        .filter(|g| g.marked)
                        .all(|g| is_in_number(s, g))
                });
            if !only_number {
                notes.push(t("cmp_changed"));
            }
        }
        RowKind::Unchanged => {}
    }
    if row.renumbered {
        notes.push(t("cmp_renumbered"));
    }
    if row.moved {
        notes.push(t("cmp_moved"));
    }
    notes.join(t("list_sep"))
}

/// True when a marked run lies inside the clause number of its side's heading.
fn is_in_number(side: &Side, seg: &Seg) -> bool {
    side.number
        .as_deref()
        .is_some_and(|n| n.contains(seg.text.as_str()))
}

/// The table (`<table class="shinkyu">…</table>`).
pub fn table(cmp: &Comparison, lang: Lang, draft: bool) -> String {
    let t = |k: &str| i18n::get(lang, k);
    let (new_head, old_head) = if draft {
        (t("cmp_col_draft"), t("cmp_col_current"))
    } else {
        (t("cmp_col_new"), t("cmp_col_old"))
    };
    let mut out = String::new();
    out.push_str("<table class=\"shinkyu\">\n<colgroup><col class=\"col-new\"><col class=\"col-old\"><col class=\"col-note\"></colgroup>\n");
    out.push_str(&format!(
        "<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        escape(new_head),
        escape(old_head),
        escape(t("cmp_col_note"))
    ));
    // Each cell names its column (`data-label`): a narrow screen stacks 改正後 over 改正前.
    let labels = [
        escape(new_head),
        escape(old_head),
        escape(t("cmp_col_note")),
    ];
    let [new_label, old_label, note_label] = &labels;
    for row in cmp.display_rows() {
        match row {
            DisplayRow::Elided { first, last, count } => {
                let range = escape(&elided_range(&first, &last, count, t("cmp_range")));
                let cell = format!(
                    "<span class=\"elided-range\">{range}</span> <span class=\"elided-mark\">{}</span>",
                    escape(t("cmp_elided"))
                );
                out.push_str(&format!(
                    "<tr class=\"row-elided\"><td data-label=\"{new_label}\">{cell}</td><td data-label=\"{old_label}\">{cell}</td><td class=\"note\"></td></tr>\n"
                ));
            }
            DisplayRow::Row(r) => {
                let cell = |s: &Option<Side>, label: &str| match s {
                    Some(side) => format!("<td data-label=\"{label}\">{}</td>", side_html(side)),
                    None => format!("<td class=\"empty\" data-label=\"{label}\"></td>"),
                };
                out.push_str(&format!(
                    "<tr class=\"row-{}\">{}{}<td class=\"note\" data-label=\"{note_label}\">{}</td></tr>\n",
                    match r.kind {
                        RowKind::Unchanged => "unchanged",
                        RowKind::Changed => "changed",
                        RowKind::Added => "added",
                        RowKind::Deleted => "deleted",
                    },
                    cell(&r.new, new_label),
                    cell(&r.old, old_label),
                    escape(&row_note(r, lang))
                ));
            }
        }
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The stylesheet of the tables, also inlined into standalone pages. Prints on A4 landscape.
pub const TABLE_CSS: &str = "\
table.shinkyu { display: table; table-layout: fixed; width: 100%; border-collapse: collapse; }
table.shinkyu col.col-new, table.shinkyu col.col-old { width: 44%; }
table.shinkyu col.col-note { width: 12%; }
table.shinkyu th, table.shinkyu td { border: 1px solid #57606a; padding: .35rem .5rem; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
table.shinkyu thead th { text-align: center; background: #f6f8fa; }
table.shinkyu u { text-decoration: underline; text-decoration-thickness: 2px; text-underline-offset: 3px; }
table.shinkyu tr.row-elided td { color: #57606a; }
table.shinkyu td.empty { background: repeating-linear-gradient(135deg, transparent 0 6px, #f0f0f0 6px 7px); }
table.shinkyu thead { display: table-header-group; }
table.shinkyu tr { break-inside: avoid; }
@media (max-width: 40rem) {
  table.shinkyu, table.shinkyu tbody, table.shinkyu tr, table.shinkyu td { display: block; width: auto; }
  table.shinkyu thead, table.shinkyu colgroup { display: none; }
  table.shinkyu tr { border: 1px solid #57606a; margin: .5rem 0; }
  table.shinkyu td { border: 0; border-top: 1px dashed #d0d7de; }
  table.shinkyu td:first-child { border-top: 0; }
  table.shinkyu td[data-label]::before { content: attr(data-label); display: block; font-size: .8rem; font-weight: bold; color: #57606a; }
  table.shinkyu td.note:empty { display: none; }
  table.shinkyu td.empty { min-height: 2.2rem; }
}
";

/// `@page` for printing a comparison: A4 landscape, as 新旧対照表 are filed.
pub const PRINT_CSS: &str = "@page { size: A4 landscape; margin: 12mm; }\n";

/// One document's table with its title lines, for a standalone page.
pub struct Section {
    /// 「○○規程 新旧対照表」.
    pub heading: String,
    /// `2026.1 → 2026.2` and dates.
    pub subtitle: String,
    pub table: String,
}

/// A self-contained HTML page (inline CSS, no script, no other file): for `kitei diff
/// --format html` and evidence bundles.
pub fn standalone(title: &str, lang: Lang, sections: &[Section], note: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"kitei\">\n<title>{}</title>\n<style>\nbody {{ font-family: system-ui, \"Hiragino Sans\", \"Yu Gothic UI\", Meiryo, \"Noto Sans CJK JP\", sans-serif; line-height: 1.6; margin: 1rem; }}\nh1 {{ font-size: 1.4rem; }} h2 {{ font-size: 1.2rem; margin-top: 2rem; }} .note {{ margin: .25rem 0; }}\n{}{}</style>\n</head>\n<body>\n",
        i18n::get(lang, "lang"),
        escape(title),
        TABLE_CSS,
        PRINT_CSS
    ));
    if sections.is_empty() {
        out.push_str(&format!(
            "<h1>{}</h1>\n<p>{}</p>\n",
            escape(title),
            escape(note)
        ));
    }
    for s in sections {
        out.push_str(&format!(
            "<section>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n<p class=\"note\">{}</p>\n{}</section>\n",
            escape(&s.heading),
            escape(&s.subtitle),
            escape(i18n::get(lang, "cmp_underlined")),
            s.table
        ));
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elided_runs_name_their_first_and_last_unit() {
        assert_eq!(elided_range("第3条", "第3条", 1, "〜"), "第3条");
        assert_eq!(elided_range("第3条", "第7条", 5, "〜"), "第3条〜第7条");
        assert_eq!(
            elided_range("Article 3", "Article 7", 5, " to "),
            "Article 3 to Article 7"
        );
    }
}
