//! The 新旧対照表 as submitted for approval: A4 landscape, 改正後 | 改正前 | 備考, one row per
//! clause, amended text underlined in both columns (underline survives a black-and-white
//! printer), runs of unchanged clauses as 「第n条〜第m条（略）」. The rows and notes are the
//! site's (`history::compare`, `versions::html::row_note`): the PDF only lays them out.

use super::Pdfs;
use super::markup::Markup;
use crate::history::DocChange;
use crate::history::compare::{DisplayRow, Seg, Side};
use crate::render::versions::{self, html};

/// The file name of the comparison of `old` → `new` (the site's name for it).
pub fn file_name(old: &str, new: &str) -> String {
    crate::render::pages::registry::compare_pdf_file(old, new)
}

/// The complete typst markup of the comparison of the changed documents `changes`
/// (already filtered to what the audience may read).
pub fn markup(pdfs: &Pdfs, changes: &[DocChange], old: &str, new: &str, draft: bool) -> String {
    let lang = pdfs.lang;
    let title = format!("{old} → {new}");
    let mut out = Markup::new();
    let footer = format!("{}　{title}", pdfs.t("cmp_title_suffix").trim());
    pdfs.preamble(&mut out, &title, &footer, true);
    out.raw(
        "#set page(margin: (x: 12mm, top: 12mm, bottom: 15mm))\n#set text(size: 9.5pt)\n\
         #set par(justify: false, leading: 0.65em)\n",
    );
    if changes.is_empty() {
        out.raw("#heading(level: 1)[")
            .text(&title)
            .raw("]\n")
            .text(pdfs.t("notice_no_documents"))
            .parbreak();
    }
    let (new_head, old_head) = if draft {
        (pdfs.t("cmp_col_draft"), pdfs.t("cmp_col_current"))
    } else {
        (pdfs.t("cmp_col_new"), pdfs.t("cmp_col_old"))
    };
    for (i, c) in changes.iter().enumerate() {
        if i > 0 {
            out.raw("#pagebreak()\n");
        }
        out.raw("#heading(level: 1)[")
            .text(&versions::compare_heading(lang, c.title(), draft))
            .raw("]\n");
        out.text(&versions::subtitle(c, old, new)).parbreak();
        let Some(cmp) = &c.comparison else {
            let key = if c.new.is_none() {
                "cmp_doc_removed"
            } else {
                "cmp_doc_added"
            };
            out.text(&pdfs.t(key).replace("{title}", c.title()))
                .parbreak();
            continue;
        };
        out.raw("#text(size: 8.5pt)[")
            .text(pdfs.t("cmp_underlined"))
            .raw("]\n");
        out.raw(
            "#table(columns: (44%, 44%, 12%), inset: 5pt, stroke: 0.5pt, \
             table.header(",
        );
        for head in [new_head, old_head, pdfs.t("cmp_col_note")] {
            out.raw("table.cell(align: center)[").text(head).raw("], ");
        }
        out.raw("), ");
        for row in cmp.display_rows() {
            match row {
                DisplayRow::Elided { first, last, count } => {
                    let range = html::elided_range(&first, &last, count, pdfs.t("cmp_range"));
                    let cell = format!("{range}{}", pdfs.t("cmp_elided"));
                    out.raw("[")
                        .text(&cell)
                        .raw("], [")
                        .text(&cell)
                        .raw("], [], ");
                }
                DisplayRow::Row(r) => {
                    side(&r.new, &mut out);
                    side(&r.old, &mut out);
                    out.raw("[").text(&html::row_note(r, lang)).raw("], ");
                }
            }
        }
        out.raw(")\n");
    }
    out.finish()
}

/// One cell: the side's text with its changed runs underlined; an empty cell when the clause
/// is on the other side only.
fn side(side: &Option<Side>, out: &mut Markup) {
    out.raw("[");
    if let Some(s) = side {
        segs(&s.segs, out);
    }
    out.raw("], ");
}

fn segs(segs: &[Seg], out: &mut Markup) {
    for s in segs {
        if s.marked {
            out.raw("#underline(offset: 2pt, stroke: 0.8pt)[")
                .text(&s.text)
                .raw("]");
        } else {
            out.text(&s.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_runs_are_underlined_and_everything_else_is_plain_text() {
        let mut out = Markup::new();
        segs(
            &[
                Seg {
                    text: "役員".into(),
                    marked: false,
                },
                Seg {
                    text: "、従業員#及び".into(),
                    marked: true,
                },
                Seg {
                    text: "に適用".into(),
                    marked: false,
                },
            ],
            &mut out,
        );
        assert_eq!(
            out.finish(),
            "#\"役員\";#underline(offset: 2pt, stroke: 0.8pt)[#\"、従業員#及び\";]#\"に適用\";"
        );
        assert_eq!(
            file_name("2025.1", "WORKTREE"),
            "compare-2025.1-WORKTREE.pdf"
        );
        assert_eq!(file_name("v/1 2", "x"), "compare-v_1_2-x.pdf");
    }
}
