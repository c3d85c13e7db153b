//! 緊急連絡網 for the wall: one A4 page with every role this audience may see (holders and
//! deputy with their phone numbers, the list of
//! [`crate::model::reach::contact_sheet`], as on the site's contacts page) and every external body
//! (phone, hours, notice deadline). Type is set small enough for a full policy to fit; the
//! tests check that the example stays on one page.

use super::Pdfs;
use super::markup::Markup;
use super::runbook::contact_table;
use crate::model::reach;
use crate::model::tables::ChannelKind;

/// The file name of the contact sheet.
pub const FILE: &str = "contacts.pdf";

/// The complete typst markup of the contact sheet.
pub fn markup(pdfs: &Pdfs, footer_version: Option<&str>) -> String {
    let title = pdfs.t("nav_contacts");
    let org = &pdfs.project.config.organisation;
    let mut out = Markup::new();
    let footer = match footer_version {
        Some(v) => format!("{org}　{title}　{} {v}", pdfs.t("version")),
        None => format!("{org}　{title}"),
    };
    pdfs.preamble(&mut out, title, &footer, false);
    out.raw(
        "#set page(margin: (x: 12mm, top: 10mm, bottom: 14mm))\n#set text(size: 8pt)\n\
         #set par(leading: 0.5em, spacing: 0.6em, justify: false)\n",
    );
    out.raw(&format!(
        "#block(below: 2mm, text(font: {}, size: 14pt)[",
        pdfs.heading_fonts()
    ))
    .text(&format!("{org}　{title}"))
    .raw("])\n");

    out.raw("#text(font: ")
        .raw(&pdfs.heading_fonts())
        .raw(", size: 10pt)[")
        .text(pdfs.t("internal_contacts"))
        .raw("]\n");
    let roles = reach::contact_sheet(pdfs.corpus, |v| pdfs.audience.sees(v));
    contact_table(
        pdfs,
        &roles,
        "inset: (x: 4pt, y: 2.5pt), stroke: 0.4pt",
        &mut out,
    );
    out.raw("#v(2mm)\n");

    out.raw("#text(font: ")
        .raw(&pdfs.heading_fonts())
        .raw(", size: 10pt)[")
        .text(pdfs.t("external_contacts"))
        .raw("]\n");
    out.raw("#table(columns: (1.4fr, 1fr, 1.6fr, auto), inset: (x: 4pt, y: 2.5pt), stroke: 0.4pt, table.header(");
    for key in ["organisation", "channel_phone", "hours", "notice_deadline"] {
        out.raw("[#strong[").text(pdfs.t(key)).raw("]], ");
    }
    out.raw("), ");
    for o in pdfs.corpus.organisations.iter() {
        if !pdfs.audience.sees(o.visibility) {
            continue;
        }
        let phone = o
            .channels
            .iter()
            .find(|c| matches!(c.kind, ChannelKind::Phone | ChannelKind::Mobile));
        let hours = phone
            .and_then(|c| c.hours.clone())
            .or_else(|| o.hours.clone())
            .unwrap_or_default();
        let deadline = o
            .notice_deadline
            .as_ref()
            .map(|d| crate::render::pages::period_text(pdfs.lang, d.value))
            .unwrap_or_default();
        for cell in [
            o.name.as_str(),
            phone.map(|c| c.value.as_str()).unwrap_or("—"),
            hours.as_str(),
            deadline.as_str(),
        ] {
            out.raw("[").text(cell).raw("], ");
        }
    }
    out.raw(")\n");
    out.finish()
}
