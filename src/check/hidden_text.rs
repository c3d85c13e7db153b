//! K0607: raw HTML in a document that would hide part of its text from readers. The text is in
//! the source (reviewed, approved, sealed) but a reader of the site would not see it: an
//! unclosed `<details>` folds everything after it away, a `<details>` without a `<summary>`
//! shows only the browser's unlabelled "Details" triangle, and a `hidden` attribute, an
//! `aria-hidden` or an inline style such as `display:none` hide an element. A regulation binds
//! its readers only with text they can read, so each of these is an error at its line.
//! Markdown code (spans and blocks) is not HTML and is never reported; HTML comments are the
//! author's notes and are removed from pages, so they are not reported either.

use pulldown_cmark::{Event, Options, Parser};
use regex::Regex;
use std::sync::LazyLock;

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};
use crate::model::FileId;
use crate::model::document::Document;

pub static HIDDEN_TEXT: Rule = Rule {
    code: "K0607",
    name: "hidden-text",
    level: Level::Error,
    summary: "raw HTML hides part of a document's text from readers",
    explanation: "Raw HTML in a document must not hide text that is in the source: an unclosed `<details>` \
         (everything after it is folded away), a `<details>` without a `<summary>` (an unlabelled \
         fold), a `hidden` or `aria-hidden=\"true\"` attribute, or an inline `style` that hides \
         (`display:none`, `visibility:hidden`, `font-size:0`, `opacity:0`, `color:transparent`, \
         a zero height or width). Write the text as ordinary Markdown; a fold that readers can \
         open needs a `<summary>` that says what it holds.",
};

/// A finding: the line in the document and what hides the text.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Hiding {
    pub line: u32,
    pub message: String,
    pub help: &'static str,
}

pub(super) fn check(ctx: &Ctx, file: FileId, d: &Document, out: &mut Vec<Diagnostic>) {
    for h in hidings(&d.body, d.body_line) {
        out.push(
            ctx.diag("K0607", h.message)
                .at(ctx.corpus.loc_line(file, h.line))
                .help(h.help)
                .subject(format!("doc:{}", d.id())),
        );
    }
}

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>"#).unwrap()
});
static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"#)
        .unwrap()
});
/// Declarations that make an element or its text invisible.
static HIDING_STYLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)(?:^|;)\s*(?:
            display\s*:\s*none
          | visibility\s*:\s*(?:hidden|collapse)
          | font-size\s*:\s*0*(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:!important\s*)?(?:;|$)
          | opacity\s*:\s*0*(?:\.0*)?\s*(?:!important\s*)?(?:;|$)
          | color\s*:\s*transparent
          | (?:max-)?(?:height|width)\s*:\s*0*(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:!important\s*)?(?:;|$)
          | clip(?:-path)?\s*:
          | text-indent\s*:\s*-
        )",
    )
    .unwrap()
});

const HELP_DETAILS: &str = "close every `<details>` with `</details>` and give it a `<summary>` that says what it holds, or write the text as ordinary Markdown";
const HELP_HIDDEN: &str =
    "remove the attribute or the style: a regulation's text must be visible to its readers";

/// An open `<details>`: its line and whether a `<summary>` was seen in it.
struct OpenDetails {
    line: u32,
    summary: bool,
}

/// The hidings in a Markdown `body` whose first line is line `first_line` of the file.
pub(super) fn hidings(body: &str, first_line: u32) -> Vec<Hiding> {
    let mut found = Vec::new();
    if !body.contains('<') {
        return found;
    }
    let line_at = |offset: usize| first_line + body[..offset].matches('\n').count() as u32;
    let mut open: Vec<OpenDetails> = Vec::new();
    let mut in_comment = false;
    let parser = Parser::new_ext(body, Options::all()).into_offset_iter();
    for (event, range) in parser {
        let html = match event {
            Event::Html(h) | Event::InlineHtml(h) => h,
            _ => continue,
        };
        // The event's text sits at `range` in the body (block HTML: one line per event).
        let base = range.start;
        let outside = outside_comments(&html, &mut in_comment);
        for tag in outside.iter().flat_map(|part| TAG.captures_iter(part)) {
            let whole = tag.get(0).unwrap();
            let offset = base + body[base..].find(whole.as_str()).unwrap_or(0);
            let line = line_at(offset.min(body.len()));
            let closing = !tag[1].is_empty();
            let name = tag[2].to_ascii_lowercase();
            match (closing, name.as_str()) {
                (false, "details") => open.push(OpenDetails {
                    line,
                    summary: false,
                }),
                (false, "summary") => {
                    if let Some(d) = open.last_mut() {
                        d.summary = true;
                    }
                }
                (true, "details") => {
                    if let Some(d) = open.pop()
                        && !d.summary
                    {
                        found.push(Hiding {
                            line: d.line,
                            message: "`<details>` without a `<summary>`: its text is folded away behind an unlabelled triangle".into(),
                            help: HELP_DETAILS,
                        });
                    }
                }
                _ => {}
            }
            if !closing {
                attributes(&tag[3], line, &name, &mut found);
            }
        }
    }
    for d in open {
        found.push(Hiding {
            line: d.line,
            message: "`<details>` is never closed: everything after it is folded out of sight"
                .into(),
            help: HELP_DETAILS,
        });
    }
    found.sort_by_key(|h| h.line);
    found
}

/// The parts of `html` outside `<!-- … -->` comments; `in_comment` carries an open comment
/// over to the next piece of HTML (a comment may span lines of an HTML block).
fn outside_comments<'a>(html: &'a str, in_comment: &mut bool) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut rest = html;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(end) => {
                    rest = &rest[end + 3..];
                    *in_comment = false;
                }
                None => return parts,
            }
        }
        match rest.find("<!--") {
            Some(start) => {
                parts.push(&rest[..start]);
                rest = &rest[start + 4..];
                *in_comment = true;
            }
            None => {
                parts.push(rest);
                return parts;
            }
        }
    }
}

/// `hidden`, `aria-hidden="true"` and hiding inline styles on one tag.
fn attributes(attrs: &str, line: u32, tag: &str, found: &mut Vec<Hiding>) {
    for a in ATTR.captures_iter(attrs) {
        let name = a[1].to_ascii_lowercase();
        let value = a
            .get(2)
            .or(a.get(3))
            .or(a.get(4))
            .map_or("", |m| m.as_str());
        let why = match name.as_str() {
            "hidden" => Some("the `hidden` attribute".to_string()),
            "aria-hidden" if value.trim().eq_ignore_ascii_case("true") => {
                Some("`aria-hidden=\"true\"` (screen readers skip it)".to_string())
            }
            "style" => HIDING_STYLE
                .find(value)
                .map(|m| format!("the style `{}`", m.as_str().trim_matches([';', ' ']))),
            _ => None,
        };
        if let Some(why) = why {
            found.push(Hiding {
                line,
                message: format!("`<{tag}>` hides its text with {why}"),
                help: HELP_HIDDEN,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(body: &str) -> Vec<(u32, String)> {
        hidings(body, 1)
            .into_iter()
            .map(|h| (h.line, h.message))
            .collect()
    }

    #[test]
    fn an_unclosed_details_is_found_at_its_line() {
        let found = lines("第1条\n\n<details>\n<summary>詳細</summary>\n\n本文。\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 3);
        assert!(found[0].1.contains("never closed"), "{found:?}");
    }

    #[test]
    fn a_details_needs_a_summary_and_a_closed_labelled_one_is_fine() {
        let found = lines("a\n\n<details>\n\n本文。\n\n</details>\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("without a `<summary>`"), "{found:?}");
        assert!(lines("<details>\n<summary>別表</summary>\n\n本文。\n\n</details>\n").is_empty());
    }

    #[test]
    fn hidden_attributes_and_hiding_styles_are_found() {
        for html in [
            "<span hidden>秘密</span>",
            "<div hidden=\"hidden\">秘密</div>",
            "<p aria-hidden=\"true\">秘密</p>",
            "<span style=\"display:none\">秘密</span>",
            "<span style='color: red; display : none'>秘密</span>",
            "<span style=\"visibility:hidden\">秘密</span>",
            "<span style=\"font-size:0\">秘密</span>",
            "<span style=\"font-size: 0px !important\">秘密</span>",
            "<span style=\"opacity:0\">秘密</span>",
            "<span style=\"color:transparent\">秘密</span>",
            "<div style=\"height:0;overflow:hidden\">秘密</div>",
        ] {
            let found = lines(&format!("本文。\n\n{html}\n"));
            assert_eq!(found.len(), 1, "{html}: {found:?}");
            assert_eq!(found[0].0, 3, "{html}");
        }
    }

    #[test]
    fn visible_html_code_and_comments_are_not_reported() {
        for body in [
            "<span style=\"font-size:0.9em\">注</span>\n",
            "<span style=\"opacity:0.5\">注</span>\n",
            "<td style=\"text-align:right\">1</td>\n",
            "<p aria-hidden=\"false\">x</p>\n",
            "`<details>` を使わない。\n",
            "```\n<details>\n<span hidden>x</span>\n```\n",
            "<!-- 作成者メモ: <details> -->\n",
            "本文に <b>強調</b> がある。\n",
        ] {
            assert!(lines(body).is_empty(), "{body}: {:?}", lines(body));
        }
    }

    #[test]
    fn inline_html_reports_its_own_line() {
        let found = lines("一行目\n二行目に <span hidden>隠し</span> がある。\n");
        assert_eq!(
            found,
            [(
                2,
                "`<span>` hides its text with the `hidden` attribute".to_string()
            )]
        );
    }
}
