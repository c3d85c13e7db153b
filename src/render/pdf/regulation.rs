//! A regulation document as submitted and filed: a cover block (title, version, approver and
//! dates, owner), the table of contents, the clauses with their numbers as written and
//! cross-references as internal links, and the revision history; every footer carries the
//! version and "n / N".

use super::Pdfs;
use super::body;
use super::markup::Markup;
use crate::model::Document;

/// The complete typst markup of `doc`'s PDF.
pub fn markup(pdfs: &Pdfs, doc: &Document) -> String {
    let m = &doc.meta;
    let mut out = Markup::new();
    let version = m.version.as_ref().map(|v| v.value.clone());
    let footer = match &version {
        Some(v) => format!("{}　{} {v}", m.title, pdfs.t("version")),
        None => m.title.clone(),
    };
    pdfs.preamble(&mut out, &m.title, &footer, false);
    cover(pdfs, doc, &mut out);
    out.raw("#outline(title: [")
        .text(pdfs.t("toc"))
        .raw("], depth: 2)\n#pagebreak(weak: true)\n");
    body::write(doc, &|dest| pdfs.link_dest(dest, doc), &mut out);
    history(pdfs, doc, &mut out);
    out.finish()
}

/// Title, organisation and the approval table.
fn cover(pdfs: &Pdfs, doc: &Document, out: &mut Markup) {
    let m = &doc.meta;
    let org = &pdfs.project.config.organisation;
    out.raw(&format!(
        "#align(center, block(above: 8mm, below: 4mm, text(font: {}, size: 20pt)[",
        pdfs.heading_fonts()
    ))
    .text(&m.title)
    .raw("]))\n");
    if !org.is_empty() {
        out.raw("#align(center)[").text(org).raw("]\n");
    }
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(v) = &m.version {
        rows.push(("version", v.value.clone()));
    }
    if let Some(r) = &m.approved_by {
        rows.push(("approved_by", pdfs.ref_name(&r.value)));
    }
    if let Some(d) = &m.approved_on {
        rows.push(("approved_on", d.value.to_string()));
    }
    if let Some(d) = &m.effective_on {
        rows.push(("effective_on", d.value.to_string()));
    }
    if let Some(r) = &m.owner {
        rows.push(("owner", pdfs.ref_name(&r.value)));
    }
    if let Some(p) = &m.review_every {
        rows.push((
            "review_every",
            crate::render::pages::period_text(pdfs.lang, p.value),
        ));
    }
    if !rows.is_empty() {
        out.raw("#align(center, table(columns: 2, align: left, inset: (x: 8pt, y: 5pt), stroke: 0.5pt, ");
        for (key, value) in &rows {
            out.raw("[")
                .text(pdfs.t(key))
                .raw("], [")
                .text(value)
                .raw("], ");
        }
        out.raw("))\n");
    }
    if let Some(s) = &m.summary {
        out.raw("#block(above: 6mm, inset: 6pt, width: 100%, stroke: (left: 1.5pt))[")
            .text(s)
            .raw("]\n");
    }
    out.raw("#v(4mm)\n");
}

/// 改訂履歴: the front matter's `changes`, oldest first as written.
fn history(pdfs: &Pdfs, doc: &Document, out: &mut Markup) {
    let changes = &doc.meta.changes;
    if changes.is_empty() {
        return;
    }
    out.raw("\n#heading(level: 1)[")
        .text(pdfs.t("changes"))
        .raw(
            "]\n#table(columns: (auto, auto, auto, 1fr), inset: 5pt, stroke: 0.5pt, table.header(",
        );
    for key in ["version", "approved_on", "effective_on", "summary"] {
        out.raw("[").text(pdfs.t(key)).raw("], ");
    }
    out.raw("), ");
    let date = |d: &Option<crate::model::At<crate::model::Date>>| {
        d.as_ref().map(|d| d.value.to_string()).unwrap_or_default()
    };
    for c in changes {
        for cell in [
            c.version.clone(),
            date(&c.approved_on),
            date(&c.effective_on),
            c.summary.clone(),
        ] {
            out.raw("[").text(&cell).raw("], ");
        }
    }
    out.raw(")\n");
}
