//! K0810: fragments that copying leaves in a document — navigation text of the web page it
//! came from, a paragraph broken off mid-word, a paragraph repeated word for word.

use std::collections::HashMap;

use super::{Doc, Kind, enumerations::starts_like_an_item, is_hiragana, is_kanji, is_katakana};
use crate::check::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};

pub static FRAGMENT: Rule = Rule {
    code: "K0810",
    name: "fragment",
    level: Level::Warning,
    summary: "stray text, a paragraph broken mid-word, a repeated paragraph",
    explanation: "A regulation copied from a web page or a PDF often keeps pieces that are not \
         part of it: a line of Latin capitals in a Japanese text (MENU, a banner), a paragraph \
         that ends in the middle of a word and continues as the next paragraph (a page or line \
         break became a paragraph break), the same paragraph twice (pasted under the wrong \
         heading).",
};

/// Paragraphs shorter than this are labels, not sentences.
const SENTENCE: usize = 30;
/// Repeated paragraphs shorter than this are boilerplate (「以上」).
const REPEATED: usize = 15;

pub fn check(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let lines = &doc.lines;
    for (i, line) in lines.iter().enumerate() {
        if line.kind != Kind::Paragraph {
            continue;
        }
        let text = line.text.trim();
        let mut push = |message: String, help: &str| {
            out.push(
                ctx.diag("K0810", message)
                    .at(doc.at(ctx, line, 0))
                    .help(help.to_string())
                    .subject(doc.subject()),
            );
        };
        let latin_caps = text.len() >= 2
            && text.chars().any(|c| c.is_ascii_uppercase())
            && text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || " &/-_".contains(c));
        if latin_caps {
            push(
                format!("stray text 「{text}」 in a Japanese document"),
                "delete it if it is navigation or a banner of the page the text was copied from",
            );
            continue;
        }
        let chars = text.chars().count();
        let japanese = text.chars().filter(|c| super::is_japanese(*c)).count();
        if chars >= REPEATED && japanese * 2 >= chars {
            if let Some(first) = seen.get(text) {
                push(
                    format!("this paragraph repeats the one on line {first} word for word"),
                    "delete the copy, or write what this section should say",
                );
            } else {
                seen.insert(text, line.number);
            }
        }
        let last = text.chars().last();
        let broken = chars >= SENTENCE
            && last.is_some_and(|c| is_kanji(c) || is_hiragana(c) || is_katakana(c))
            && lines.get(i + 1).is_some_and(|l| l.kind == Kind::Blank)
            && lines[i + 1..]
                .iter()
                .find(|l| l.kind != Kind::Blank)
                .is_some_and(|n| {
                    n.kind == Kind::Paragraph
                        && !starts_like_an_item(n.text)
                        && n.text
                            .chars()
                            .next()
                            .is_some_and(|c| is_kanji(c) || is_hiragana(c))
                });
        if broken {
            let tail: String = text
                .chars()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            push(
                format!(
                    "the paragraph breaks off mid-sentence (…{tail}) and continues in the next one"
                ),
                "join the two paragraphs (a line or page break of the original became a paragraph break)",
            );
        }
    }
}
