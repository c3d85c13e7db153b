//! Markdown bodies to sanitised HTML. Parsed with the loader's options (what the checker
//! sees is what readers see); headings get the anchors the loader computed, so a clause
//! reference and the page agree; typed links become relative page URLs; and the result goes
//! through ammonia, so no script, event handler or `javascript:` URL from a source survives.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};

use crate::model::Document;
use crate::source::markdown::options;

/// Where a link in a body goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A page of this site (relative URL).
    Page(String),
    /// Not a typed reference: kept as written (ammonia still filters its scheme).
    External,
    /// A record the audience may not see, or one without a page: the text stays, the link goes.
    Unlinked,
    /// A typed reference that resolves to nothing: a build error.
    Broken(String),
}

/// The rendered body of one document.
pub struct Rendered {
    pub html: String,
    /// The body as plain text, for the search index.
    pub text: String,
}

/// Renders `doc`'s body. `resolve` maps a link destination to its target; broken links are
/// appended to `errors` (with their line) and rendered as text.
pub fn render(doc: &Document, resolve: &dyn Fn(&str) -> Target, errors: &mut Vec<String>) -> Rendered {
    let mut anchors = doc.headings.iter().map(|h| h.anchor.clone());
    let mut link_kept: Vec<bool> = Vec::new();
    let mut text = String::new();
    let mut events = Vec::new();
    for event in Parser::new_ext(&doc.body, options()) {
        let event = match event {
            Event::Start(Tag::Heading { level, id: _, classes, attrs }) => {
                let id = anchors.next().map(CowStr::from);
                Event::Start(Tag::Heading { level, id, classes, attrs })
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => match resolve(&dest_url) {
                Target::Page(url) => {
                    link_kept.push(true);
                    Event::Start(Tag::Link { link_type, dest_url: CowStr::from(url), title, id })
                }
                Target::External => {
                    link_kept.push(true);
                    Event::Start(Tag::Link { link_type, dest_url, title, id })
                }
                Target::Unlinked => {
                    link_kept.push(false);
                    continue;
                }
                Target::Broken(why) => {
                    errors.push(format!("{}: link `{}`: {why}", doc.id(), dest_url));
                    link_kept.push(false);
                    continue;
                }
            },
            Event::End(TagEnd::Link) => {
                if link_kept.pop().unwrap_or(true) {
                    Event::End(TagEnd::Link)
                } else {
                    continue;
                }
            }
            Event::TaskListMarker(checked) => {
                // Clickable (not disabled) so that a printed or on-screen checklist can be ticked.
                Event::Html(CowStr::from(if checked {
                    "<input type=\"checkbox\" checked=\"\"> "
                } else {
                    "<input type=\"checkbox\"> "
                }))
            }
            Event::Text(t) => {
                text.push_str(&t);
                Event::Text(t)
            }
            Event::Code(t) => {
                text.push_str(&t);
                Event::Code(t)
            }
            Event::SoftBreak | Event::HardBreak => {
                text.push(' ');
                event
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => {
                text.push(' ');
                event
            }
            other => other,
        };
        events.push(event);
    }
    let mut raw = String::new();
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    Rendered { html: sanitize(&raw), text: collapse_spaces(&text) }
}

/// Cleans HTML with the site's allow-list: ids and classes stay (anchors, footnotes, alerts),
/// checkboxes stay, only `text-align` survives in `style`, URLs may be relative or use
/// http, https, mailto or tel. Scripts, styles, event handlers and other schemes go.
pub fn sanitize(html: &str) -> String {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.add_generic_attributes(["id", "class"])
                .add_tags(["input"])
                .add_tag_attributes("input", ["type", "checked", "disabled"])
                .add_tag_attributes("td", ["style"])
                .add_tag_attributes("th", ["style"])
                .filter_style_properties(HashSet::from(["text-align"]))
                .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
                .link_rel(None);
            b
        })
        .clean(html)
        .to_string()
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_ids_and_drops_scripts() {
        let out = sanitize(
            "<h2 id=\"report\" class=\"c\">x</h2><script>alert(1)</script><img src=x onerror=alert(1)>\
             <a href=\"javascript:alert(1)\">j</a><a href=\"tel:0300000001\">t</a><input type=\"checkbox\" onclick=\"x()\">",
        );
        assert!(out.contains("id=\"report\""), "{out}");
        assert!(out.contains("class=\"c\""), "{out}");
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("javascript"), "{out}");
        assert!(out.contains("href=\"tel:0300000001\""), "{out}");
        assert!(out.contains("type=\"checkbox\""), "{out}");
    }
}
