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
pub fn render(
    doc: &Document,
    resolve: &dyn Fn(&str) -> Target,
    errors: &mut Vec<String>,
) -> Rendered {
    let mut anchors = doc.headings.iter().map(|h| h.anchor.clone());
    let mut footnotes = Footnotes::default();
    let mut link_kept: Vec<bool> = Vec::new();
    let mut text = String::new();
    let mut events = Vec::new();
    // pulldown-cmark escapes text and attributes; only what the author wrote as HTML, heading
    // attributes and link schemes can carry script. Without them the sanitiser is skipped (it
    // re-parses the whole page: a sixth of a build's CPU).
    let mut needs_sanitizer = false;
    // A task item's checkbox and its text are one `<label>` (screen readers name the box, and
    // the whole line is a touch target): opened at the marker, closed at the next block edge.
    let mut task_label_open = false;
    for event in Parser::new_ext(&doc.body, options()) {
        if task_label_open && ends_task_label(&event) {
            events.push(Event::Html(CowStr::from("</label>")));
            task_label_open = false;
        }
        let event = match event {
            Event::Start(Tag::Heading {
                level,
                id: _,
                classes,
                attrs,
            }) => {
                needs_sanitizer |= !attrs.is_empty();
                let id = anchors.next().map(CowStr::from);
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                })
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match resolve(&dest_url) {
                Target::Page(url) => {
                    link_kept.push(true);
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(url),
                        title,
                        id,
                    })
                }
                Target::External => {
                    needs_sanitizer |= !safe_url(&dest_url);
                    link_kept.push(true);
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
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
            Event::FootnoteReference(name) => Event::Html(CowStr::from(footnotes.reference(&name))),
            Event::Start(Tag::FootnoteDefinition(name)) => {
                Event::Html(CowStr::from(footnotes.definition(&name)))
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                Event::Html(CowStr::from(footnotes.end_definition()))
            }
            Event::TaskListMarker(checked) => {
                // Clickable (not disabled) so that a printed or on-screen checklist can be ticked.
                task_label_open = true;
                Event::Html(CowStr::from(if checked {
                    "<label><input type=\"checkbox\" checked=\"\"> "
                } else {
                    "<label><input type=\"checkbox\"> "
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
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => {
                text.push(' ');
                event
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                needs_sanitizer = true;
                event
            }
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                needs_sanitizer |= !safe_url(dest_url);
                event
            }
            other => other,
        };
        events.push(event);
    }
    let headings: HashSet<&str> = doc.headings.iter().map(|h| h.anchor.as_str()).collect();
    for id in footnotes.ids() {
        if headings.contains(id.as_str()) {
            errors.push(format!(
                "{}: footnote id `{id}` is also a heading anchor; rename the heading's `{{#{id}}}`",
                doc.id()
            ));
        }
    }
    let mut raw = String::new();
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    Rendered {
        html: if needs_sanitizer { sanitize(&raw) } else { raw },
        text: collapse_spaces(&text),
    }
}

/// Whether `event` starts or ends a block (or is one): a task item's `<label>` holds only the
/// inline content that follows its checkbox.
fn ends_task_label(event: &Event) -> bool {
    match event {
        Event::Start(tag) => !matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(tag) => !matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        ),
        Event::Html(_) | Event::Rule => true,
        _ => false,
    }
}

/// A URL the sanitiser would keep as it is: relative (no scheme) or http, https, mailto, tel.
fn safe_url(url: &str) -> bool {
    let scheme_end = url.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if url.as_bytes()[i] == b':' => {
            let scheme = url[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
        _ => !url.chars().any(|c| c.is_control() || c.is_whitespace()),
    }
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
                .add_tags(["input", "label"])
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

/// Footnotes with ids of their own: `fn-LABEL` for the note and `fnref-LABEL` for the first
/// reference to it (pulldown-cmark uses the bare label, which can clash with a heading anchor:
/// `[^report]` beside `## 第8条 {#report}`). Numbered in order of first appearance, as
/// pulldown-cmark does; each note links back to its first reference.
#[derive(Default)]
struct Footnotes {
    /// Label → (number, referenced yet).
    numbers: std::collections::HashMap<String, (usize, bool)>,
    /// Labels of the notes being written (definitions can nest in theory).
    open: Vec<String>,
}

impl Footnotes {
    fn number(&mut self, label: &str) -> (usize, &mut bool) {
        let next = self.numbers.len() + 1;
        let (n, referenced) = self
            .numbers
            .entry(label.to_string())
            .or_insert((next, false));
        (*n, referenced)
    }

    fn reference(&mut self, label: &str) -> String {
        let slug = footnote_slug(label);
        let (n, referenced) = self.number(label);
        // Only the first reference carries the back-link target (ids are unique in a page).
        let id = if *referenced {
            String::new()
        } else {
            format!(" id=\"fnref-{slug}\"")
        };
        *referenced = true;
        format!("<sup class=\"footnote-reference\"{id}><a href=\"#fn-{slug}\">{n}</a></sup>")
    }

    fn definition(&mut self, label: &str) -> String {
        let slug = footnote_slug(label);
        let (n, _) = self.number(label);
        self.open.push(label.to_string());
        format!(
            "<div class=\"footnote-definition\" id=\"fn-{slug}\"><sup class=\"footnote-definition-label\">{n}</sup>"
        )
    }

    fn end_definition(&mut self) -> String {
        let back = self
            .open
            .pop()
            .filter(|label| {
                self.numbers
                    .get(label)
                    .is_some_and(|(_, referenced)| *referenced)
            })
            .map(|label| {
                format!(
                    " <a class=\"footnote-backref\" href=\"#fnref-{}\">↩</a>",
                    footnote_slug(&label)
                )
            })
            .unwrap_or_default();
        format!("{back}</div>\n")
    }

    /// Every id the footnotes of the page use.
    fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .numbers
            .keys()
            .flat_map(|l| {
                [
                    format!("fn-{}", footnote_slug(l)),
                    format!("fnref-{}", footnote_slug(l)),
                ]
            })
            .collect();
        ids.sort();
        ids
    }
}

/// A footnote label as an id fragment: whitespace becomes `-`, markup characters are dropped
/// (Japanese labels stay as they are, like heading anchors).
fn footnote_slug(label: &str) -> String {
    label
        .trim()
        .chars()
        .filter(|c| !matches!(c, '"' | '\'' | '<' | '>' | '&' | '#'))
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .collect()
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Document {
        let meta = serde_saphyr::from_str("id: d\nkind: guideline\ntitle: t\n").unwrap();
        let scanned = crate::source::markdown::scan(body, 1);
        Document {
            meta,
            body: body.to_string(),
            body_line: 1,
            headings: scanned.headings,
            links: scanned.links,
            text_runs: scanned.text_runs,
        }
    }

    #[test]
    fn footnotes_get_prefixed_ids_numbered_in_order() {
        let d = doc("## 注 {#note}\n\nA[^note] B[^2] C[^note]\n\n[^note]: first\n[^2]: second\n");
        let mut errors = Vec::new();
        let html = render(&d, &|_| Target::External, &mut errors).html;
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(html.matches("id=\"note\"").count(), 1, "{html}");
        assert!(html.contains("<sup class=\"footnote-reference\" id=\"fnref-note\"><a href=\"#fn-note\">1</a></sup>"), "{html}");
        assert!(
            html.contains("<sup class=\"footnote-reference\"><a href=\"#fn-note\">1</a></sup>"),
            "second reference, no id: {html}"
        );
        assert!(html.contains("<a href=\"#fn-2\">2</a>"), "{html}");
        assert!(
            html.contains("id=\"fn-note\"") && html.contains("href=\"#fnref-note\""),
            "{html}"
        );
    }

    #[test]
    fn hostile_markdown_is_sanitised_and_plain_markdown_is_not_changed() {
        let mut errors = Vec::new();
        for body in [
            "x <script>alert(1)</script> y\n",
            "<img src=x onerror=alert(1)>\n",
            "[j](javascript:alert(1))\n",
            "![i](javascript:alert(1))\n",
            "## h {#a onclick=alert(1)}\n",
        ] {
            let html = render(&doc(body), &|_| Target::External, &mut errors).html;
            for bad in ["<script", "onerror", "javascript", "onclick"] {
                assert!(!html.contains(bad), "{body:?} → {html}");
            }
        }
        let plain = "## 第1条 目的 {#purpose}\n\n本規程は[手順](https://example.jp/a?b=1&c=2)を定める。<>&\"\n\n- [x] 済\n";
        let html = render(&doc(plain), &|_| Target::External, &mut errors).html;
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            html,
            "<h2 id=\"purpose\">第1条 目的</h2>\n<p>本規程は<a href=\"https://example.jp/a?b=1&amp;c=2\">手順</a>を定める。&lt;&gt;&amp;\"</p>\n<ul>\n<li><label><input type=\"checkbox\" checked=\"\"> 済</label></li>\n</ul>\n"
        );
    }

    #[test]
    fn a_heading_named_like_a_footnote_is_an_error() {
        let d = doc("## x {#fn-a}\n\nA[^a]\n\n[^a]: n\n");
        let mut errors = Vec::new();
        render(&d, &|_| Target::External, &mut errors);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("fn-a"));
    }

    #[test]
    fn safe_urls_skip_the_sanitiser_and_others_do_not() {
        for ok in [
            "doc.html#a",
            "https://example.jp/x",
            "MAILTO:a@example.jp",
            "tel:0300",
            "#top",
            "a/b:c",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:x",
            "data:text/html,x",
            "vbscript:x",
            "java\tscript:x",
        ] {
            assert!(!safe_url(bad), "{bad}");
        }
    }

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
