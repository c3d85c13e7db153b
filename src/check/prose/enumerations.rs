//! K0805: an announced enumeration with nothing after it, a heading with no body, a list
//! item with no text.

use std::sync::LazyLock;

use regex::Regex;

use super::{Doc, Kind, Line};
use crate::check::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};

pub static EMPTY_ENUMERATION: Rule = Rule {
    code: "K0805",
    name: "empty-enumeration",
    level: Level::Warning,
    summary: "an announced list with nothing after it, an empty section or list item",
    explanation: "「次のとおり」「以下の…」「次に掲げる」 at the end of a sentence announce a list or \
         table; when the next thing is a heading, another paragraph or the end of the document, \
         the list was lost (often when the document was copied from Word or a web page). A \
         heading followed directly by a heading of the same or a higher level has no body; a \
         list item with no text is a leftover.",
};

/// A sentence that announces a list: the phrase near the end of its sentence.
static ANNOUNCES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:次|以下|下記)の(?:とおり|通り)|次に掲げる|次のよう|以下の|下記の|次の(?:事項|項目|各号|もの|場合|者)")
        .expect("regex")
});

/// How close to the end of its sentence the phrase must be (characters).
const NEAR_END: usize = 30;

pub fn check(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let lines = &doc.lines;
    for (i, line) in lines.iter().enumerate() {
        match line.kind {
            Kind::ListItem if line.text.trim().is_empty() => out.push(
                ctx.diag("K0805", "a list item with no text")
                    .at(doc.at(ctx, line, 0))
                    .help("write the item or delete it")
                    .subject(doc.subject()),
            ),
            Kind::Heading(level) => {
                let next = lines[i + 1..].iter().find(|l| l.kind != Kind::Blank);
                let empty = match next {
                    None => true,
                    Some(n) => matches!(n.kind, Kind::Heading(l) if l <= level),
                };
                if empty {
                    out.push(
                        ctx.diag("K0805", format!("section 「{}」 has no body", line.text))
                            .at(doc.at(ctx, line, 0))
                            .help("write the section's text, or remove the heading")
                            .subject(doc.subject()),
                    );
                }
            }
            Kind::Paragraph | Kind::ListItem => announced(ctx, doc, i, line, out),
            _ => {}
        }
    }
}

fn announced(ctx: &Ctx, doc: &Doc, i: usize, line: &Line, out: &mut Vec<Diagnostic>) {
    let text = line.text.trim_end();
    // The last sentence of the line (a sentence may end with 。, ：, :).
    let body = text.trim_end_matches(['。', '：', ':']);
    let start = body.rfind('。').map_or(0, |p| p + '。'.len_utf8());
    let last = &body[start..];
    let Some(m) = ANNOUNCES.find_iter(last).last() else {
        return;
    };
    if last[m.end()..].chars().count() > NEAR_END {
        return;
    }
    let following = doc.lines[i + 1..].iter().find(|l| l.kind != Kind::Blank);
    let listed = following.is_some_and(|n| match n.kind {
        Kind::ListItem | Kind::Table | Kind::Code => true,
        Kind::Paragraph => starts_like_an_item(n.text) || n.indent > line.indent,
        _ => false,
    });
    if !listed {
        out.push(
            ctx.diag(
                "K0805",
                format!("「{}」 announces a list, but none follows", m.as_str()),
            )
            .at(doc.span(ctx, line, start + m.start()..start + m.end()))
            .help("add the list or table that the sentence announces, or rewrite the sentence")
            .subject(doc.subject()),
        );
    }
}

/// Text that starts like an enumerated item written without Markdown list syntax:
/// ・ • ● ①, (1) （１） ⑴, 一、 ア, a., 1.
pub fn starts_like_an_item(text: &str) -> bool {
    static ITEM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[・•·●○◦■□◆◇※\-＊*]|[①-⑳⑴-⒇]|[\(（][0-9０-９一-十a-zア-ン][\)）]|[一二三四五六七八九十]+[、．.]|[ア-ン][\s　．.、]|[a-zａ-ｚ][.)．]|[0-9０-９]+[.．)）、]|例\s)")
            .expect("regex")
    });
    ITEM.is_match(text.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_without_markdown_syntax() {
        for t in [
            "・ 項目",
            "• 項目",
            "（１）項目",
            "(2) 項目",
            "① 項目",
            "一、項目",
            "a. 項目",
            "1. 項目",
        ] {
            assert!(starts_like_an_item(t), "{t}");
        }
        assert!(!starts_like_an_item("本規程は"));
    }
}
