//! A document's Markdown body as typst markup. Parsed with the loader's options (what the
//! checker sees is what is printed); headings carry the anchors the loader computed as labels,
//! so a `clause:` reference becomes an internal link; block structure (lists, tables, quotes)
//! is written as typst function calls with content blocks, which nest without indentation
//! rules; every piece of text goes through [`markup::text`] (a string literal).
//!
//! Raw HTML in a body is left out of the PDF (the site sanitises it; here it would print as
//! tags). Images print their alternative text.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::markup::{self, Markup};
use crate::model::Document;
use crate::source::markdown::options;

/// Where a link of the body goes in the PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// A heading of this PDF (its anchor).
    Anchor(String),
    /// A URL a PDF viewer may open (http, https, mailto, tel).
    Url(String),
    /// No link: the text stays (another document, a record, a hidden target).
    None,
}

/// A URL scheme a printed document may link to.
pub fn linkable_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:"]
        .iter()
        .any(|s| lower.starts_with(s))
}

/// What is open while walking the events.
enum Open {
    Heading,
    List,
    Item,
    Table,
    Head,
    Cell,
    Quote,
    Emphasis,
    Strong,
    Strike,
    Link(bool),
    Code,
    Image,
    Other,
}

/// Writes `doc`'s body into `out`. Markdown heading levels are shifted so the highest level in
/// the body becomes typst level 1 (the document title is on the cover, not in the body).
pub fn write(doc: &Document, resolve: &dyn Fn(&str) -> Dest, out: &mut Markup) {
    let top = doc.headings.iter().map(|h| h.level).min().unwrap_or(1);
    let mut anchors = doc.headings.iter().map(|h| h.anchor.clone());
    let mut stack: Vec<Open> = Vec::new();
    let mut code = String::new();
    // A soft line break waits for the next text: no space is kept next to Japanese text.
    let mut pending_break = false;
    let mut last_char: Option<char> = None;
    let events: Vec<Event> = Parser::new_ext(&doc.body, options()).collect();
    for (i, event) in events.iter().cloned().enumerate() {
        if let Event::Text(t) | Event::Code(t) = &event
            && matches!(stack.last(), Some(Open::Code))
        {
            code.push_str(t);
            continue;
        }
        match event {
            Event::Start(tag) => {
                let open = match tag {
                    Tag::Paragraph => continue,
                    Tag::Heading { level, .. } => {
                        let level = (level as u8).saturating_sub(top) + 1;
                        out.raw(&format!("\n#heading(level: {level})["));
                        Open::Heading
                    }
                    Tag::BlockQuote(_) => {
                        out.raw("\n#quote(block: true)[");
                        Open::Quote
                    }
                    Tag::CodeBlock(_) => {
                        code.clear();
                        Open::Code
                    }
                    Tag::List(Some(start)) => {
                        out.raw(&format!("\n#enum(start: {start}, "));
                        Open::List
                    }
                    Tag::List(None) => {
                        // A checklist (`- [ ] …`) shows its boxes, not bullets beside them.
                        let checklist = matches!(
                            (events.get(i + 1), events.get(i + 2)),
                            (
                                Some(Event::Start(Tag::Item)),
                                Some(Event::TaskListMarker(_))
                            )
                        );
                        out.raw(if checklist {
                            "\n#list(marker: none, "
                        } else {
                            "\n#list("
                        });
                        Open::List
                    }
                    Tag::Item => {
                        out.raw("[");
                        Open::Item
                    }
                    Tag::Table(alignments) => {
                        let columns = alignments.len().max(1);
                        out.raw(&format!(
                            "\n#table(columns: {columns}, inset: 4pt, stroke: 0.5pt, "
                        ));
                        Open::Table
                    }
                    Tag::TableHead => {
                        out.raw("table.header(");
                        Open::Head
                    }
                    Tag::TableRow => Open::Other,
                    Tag::TableCell => {
                        out.raw("[");
                        Open::Cell
                    }
                    Tag::Emphasis => {
                        out.raw("#emph[");
                        Open::Emphasis
                    }
                    Tag::Strong => {
                        out.raw("#strong[");
                        Open::Strong
                    }
                    Tag::Strikethrough => {
                        out.raw("#strike[");
                        Open::Strike
                    }
                    Tag::Link { dest_url, .. } => match resolve(&dest_url) {
                        Dest::Anchor(a) => {
                            out.raw(&format!("#link({})[", markup::label_expr(&a)));
                            Open::Link(true)
                        }
                        Dest::Url(u) => {
                            out.raw(&format!("#link({})[", markup::string(&u)));
                            Open::Link(true)
                        }
                        Dest::None => Open::Link(false),
                    },
                    Tag::Image { .. } => Open::Image,
                    Tag::FootnoteDefinition(label) => {
                        out.raw("\n#block[");
                        out.raw(&format!("#super({});", markup::string(&label)));
                        Open::Quote
                    }
                    _ => Open::Other,
                };
                stack.push(open);
            }
            Event::End(end) => {
                if matches!(end, TagEnd::Paragraph) {
                    out.raw("\n\n");
                    last_char = None;
                    pending_break = false;
                    continue;
                }
                let Some(open) = stack.pop() else { continue };
                let close = match open {
                    Open::Heading => {
                        let label = anchors.next().map(|a| markup::label(&a));
                        format!("]{}\n", label.unwrap_or_default())
                    }
                    Open::Quote => "]\n".to_string(),
                    Open::Code => format!("\n#raw(block: true, {})\n", markup::string(&code)),
                    Open::List | Open::Table => ")\n".to_string(),
                    Open::Head => "),".to_string(),
                    Open::Item | Open::Cell => "],".to_string(),
                    Open::Emphasis | Open::Strong | Open::Strike | Open::Link(true) => {
                        "]".to_string()
                    }
                    Open::Link(false) | Open::Image | Open::Other => String::new(),
                };
                out.raw(&close);
                pending_break = false;
                if matches!(
                    open,
                    Open::Heading | Open::List | Open::Item | Open::Table | Open::Cell
                ) {
                    last_char = None;
                }
            }
            Event::Text(t) => {
                if pending_break
                    && let (Some(a), Some(b)) = (last_char, t.chars().next())
                    && !wide(a)
                    && !wide(b)
                {
                    out.text(" ");
                }
                pending_break = false;
                out.text(&t);
                last_char = t.chars().last().or(last_char);
            }
            Event::Code(t) => {
                out.raw(&format!("#raw({});", markup::string(&t)));
                last_char = t.chars().last().or(last_char);
            }
            Event::SoftBreak => pending_break = true,
            Event::HardBreak => {
                out.raw("#linebreak();");
                last_char = None;
            }
            Event::Rule => {
                out.raw("\n#line(length: 100%, stroke: 0.5pt)\n");
            }
            Event::FootnoteReference(label) => {
                out.raw(&format!("#super({});", markup::string(&label)));
            }
            Event::TaskListMarker(checked) => {
                out.raw(if checked {
                    "#box(baseline: 0.1em, rect(width: 0.8em, height: 0.8em, stroke: 0.6pt, fill: black))#h(0.4em)"
                } else {
                    "#box(baseline: 0.1em, rect(width: 0.8em, height: 0.8em, stroke: 0.6pt))#h(0.4em)"
                });
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                out.text(&t);
            }
            // Raw HTML is not printed (see the module comment).
            Event::Html(_) | Event::InlineHtml(_) => {}
        }
    }
}

/// A character of East Asian wide text: no space is put between it and its neighbour when a
/// Markdown line break is joined.
pub fn wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF
        | 0x3200..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFF)
}
