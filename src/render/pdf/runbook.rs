//! A runbook for the day the systems are down: compact A4 (smaller type and margins, so it
//! fits on as few pages as it can), the contact block of every role it names first (holders,
//! deputy, phone numbers: [`crate::model::reach::roles_named`], the list the site's runbook
//! page shows), then the phases as checklists.

use super::Pdfs;
use super::body;
use super::markup::Markup;
use crate::model::Document;
use crate::model::reach::{self, Reachable, RoleReach};
use crate::model::tables::ChannelKind;

/// The complete typst markup of `doc`'s PDF.
pub fn markup(pdfs: &Pdfs, doc: &Document) -> String {
    let m = &doc.meta;
    let mut out = Markup::new();
    let footer = match &m.version {
        Some(v) => format!("{}　{} {}", m.title, pdfs.t("version"), v.value),
        None => m.title.clone(),
    };
    pdfs.preamble(&mut out, &m.title, &footer, false);
    out.raw(
        "#set page(margin: (x: 14mm, top: 12mm, bottom: 16mm))\n#set text(size: 9.5pt)\n\
         #set par(leading: 0.7em, spacing: 0.8em)\n",
    );
    out.raw(&format!(
        "#block(below: 3mm, text(font: {}, size: 15pt)[",
        pdfs.heading_fonts()
    ))
    .text(&m.title)
    .raw("])\n");
    let mut facts: Vec<String> = Vec::new();
    if let Some(o) = &m.owner {
        facts.push(format!("{}：{}", pdfs.t("owner"), pdfs.ref_name(&o.value)));
    }
    if let Some(v) = &m.version {
        facts.push(format!("{} {}", pdfs.t("version"), v.value));
    }
    if !m.incident_types.is_empty() {
        let names = crate::render::incident_types::TypeNames::new(
            pdfs.lang,
            &pdfs.project.config.incident_types,
        );
        let types: Vec<&str> = m
            .incident_types
            .iter()
            .map(|t| names.name(&t.value))
            .collect();
        facts.push(format!(
            "{}：{}",
            pdfs.t("incident_types"),
            types.join("、")
        ));
    }
    if !facts.is_empty() {
        out.raw("#text(size: 8.5pt)[")
            .text(&facts.join("　"))
            .raw("]\n\n");
    }
    if let Some(s) = &m.summary {
        out.text(s).parbreak();
    }
    contact_block(pdfs, doc, &mut out);
    body::write(doc, &|dest| pdfs.link_dest(dest, doc), &mut out);
    out.finish()
}

/// 役割 | 担当者 | 代理, with phone numbers, for every role the runbook names that this
/// audience may see.
pub fn contact_block(pdfs: &Pdfs, doc: &Document, out: &mut Markup) {
    let blocks = reach::roles_named(pdfs.corpus, doc, |v| pdfs.audience.sees(v));
    if blocks.is_empty() {
        return;
    }
    contact_table(pdfs, &blocks, "inset: (x: 5pt, y: 3pt), stroke: 0.5pt", out);
    out.raw("\n");
}

/// The 役割 | 担当者 | 代理 table of `blocks` (a runbook's roles, the contact sheet's);
/// `style` is the table's inset and stroke arguments.
pub fn contact_table(pdfs: &Pdfs, blocks: &[RoleReach], style: &str, out: &mut Markup) {
    out.raw("#table(columns: (auto, 1fr, 1fr), ")
        .raw(style)
        .raw(", table.header(");
    for key in ["role", "held_by", "deputy"] {
        out.raw("[#strong[").text(pdfs.t(key)).raw("]], ");
    }
    out.raw("), ");
    for b in blocks {
        out.raw("[").text(&b.role.name).raw("], [");
        for (i, p) in b.holders.iter().enumerate() {
            if i > 0 {
                out.raw("#linebreak();");
            }
            person(pdfs, p, out);
        }
        out.raw("], [");
        if let Some(d) = &b.deputy {
            person(pdfs, d, out);
        }
        out.raw("], ");
    }
    out.raw(")\n");
}

/// "Name　電話 03-…　携帯 090-…"; a number and its label never break apart.
fn person(pdfs: &Pdfs, p: &Reachable, out: &mut Markup) {
    out.text(&p.person.name);
    for phone in &p.phones {
        let ch = phone.channel;
        let label = match ch.kind {
            ChannelKind::Mobile => pdfs.t("channel_mobile"),
            _ => pdfs.t("channel_phone"),
        };
        out.raw("#h(0.8em, weak: true)#box[")
            .text(&format!("{label} {}", ch.value))
            .raw("]");
    }
}
