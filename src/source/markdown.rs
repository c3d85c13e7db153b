//! Reads the structure of a Markdown body that the rules need: headings (with clause
//! numbers and anchors), links, and text runs, each with its line in the file.

use std::collections::HashSet;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::model::document::{Heading, Link, TextRuns};

/// The Markdown options used everywhere (the site renders with the same ones, so that what
/// the checker sees is what readers see). The metadata-block option stays off on purpose.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

/// Headings, links and text of a body that starts on line `body_line` of its file.
pub struct Scanned {
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub text_runs: TextRuns,
}

pub fn scan(body: &str, body_line: u32) -> Scanned {
    let lines = LineIndex::new(body);
    let mut headings = Vec::new();
    let mut links = Vec::new();
    let mut text_runs = TextRuns::default();
    let mut used_anchors = HashSet::new();

    let mut heading: Option<(u8, Option<String>, u32, String)> = None;
    let mut link: Option<(String, u32, u32, String)> = None;
    let mut in_code_block = false;

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        // Columns are only reported for links: counting characters up to every event would
        // cost O(line length) per event on long Japanese paragraphs.
        let line = lines.line(range.start) + body_line - 1;
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    heading_level(level),
                    id.map(|s| s.to_string()),
                    line,
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit_id, line, text)) = heading.take() {
                    let text = text.trim().to_string();
                    let anchor = match &explicit_id {
                        Some(id) => id.clone(),
                        None => unique_anchor(&slugify(&text), &used_anchors),
                    };
                    used_anchors.insert(anchor.clone());
                    headings.push(Heading {
                        level,
                        clause_number: clause_number(&text),
                        text,
                        explicit_id,
                        anchor,
                        line,
                    });
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let (_, column) = lines.position(range.start);
                link = Some((dest_url.to_string(), line, column, String::new()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((dest, line, column, text)) = link.take() {
                    links.push(Link {
                        dest,
                        text,
                        line,
                        column,
                    });
                }
            }
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(text) | Event::Code(text) => {
                if let Some(h) = heading.as_mut() {
                    h.3.push_str(&text);
                }
                if let Some(l) = link.as_mut() {
                    l.3.push_str(&text);
                }
                if !in_code_block {
                    text_runs.push(&text, body, line);
                }
            }
            _ => {}
        }
    }
    // Kept as long as the corpus: without the room left by growing.
    headings.shrink_to_fit();
    links.shrink_to_fit();
    text_runs.shrink_to_fit();
    Scanned {
        headings,
        links,
        text_runs,
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// A GitHub-style anchor that keeps Unicode letters: `## 第5条（報告）` → `第5条報告`.
/// ASCII letters are lowercased, spaces become `-`, punctuation is dropped.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == ' ' || c == '-' || c == '_' || c == '\u{3000}' {
            out.push(if c == '_' { '_' } else { '-' });
        }
    }
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

fn unique_anchor(base: &str, used: &HashSet<String>) -> String {
    if !used.contains(base) {
        return base.to_string();
    }
    (1..)
        .map(|n| format!("{base}-{n}"))
        .find(|a| !used.contains(a))
        .unwrap_or_default()
}

/// The clause number a heading starts with, normalised to ASCII digits and kept in its
/// style: `第5条（報告）` → `第5条`, `第十二条` → `第12条`, `第3条の2` → `第3条の2`, `第2章` →
/// `第2章`, `【4.3】` → `4.3`, `4.3 対応` → `4.3`, `1. 趣旨` and `1.趣旨` → `1`, `7-1. 検知` →
/// `7-1`, `（１）定義` → `(1)`, `⑴` → `(1)`, `①` → `①`, `一、総則` → `一`.
pub fn clause_number(text: &str) -> Option<String> {
    let t: String = text.trim().chars().map(normalise_digit).collect();
    // Law style puts the caption above the article: `（目的）　第1条` (as `kitei import` keeps it).
    let t = match leading_caption(&t) {
        Some(rest) if rest.starts_with('第') => rest.to_string(),
        _ => t,
    };
    if let Some(rest) = t.strip_prefix('【') {
        let inner = rest.split('】').next()?;
        return dotted_number(inner)
            .filter(|n| n.len() == inner.trim().len())
            .map(|n| n.to_string());
    }
    if let Some(rest) = t.strip_prefix('第') {
        let end = rest.find(['条', '章', '節'])?;
        let number = kanji_or_digits(rest[..end].trim())?;
        let unit = rest[end..].chars().next()?;
        let mut out = format!("第{number}{unit}");
        let after = &rest[end + unit.len_utf8()..];
        if let Some(sub) = after.strip_prefix('の') {
            let digits: String = sub
                .chars()
                .take_while(|c| c.is_ascii_digit() || is_kanji_digit(*c))
                .collect();
            if let Some(n) = kanji_or_digits(&digits) {
                out.push_str(&format!("の{n}"));
            }
        }
        return Some(out);
    }
    if let Some(n) = parenthesised(&t) {
        return Some(n);
    }
    let kanji: String = t.chars().take_while(|c| is_kanji_digit(*c)).collect();
    if !kanji.is_empty() && t[kanji.len()..].starts_with(['、', '　']) {
        return kanji_or_digits(&kanji).map(|_| kanji);
    }
    let number = dotted_number(&t)?;
    let after = &t[number.len()..];
    let text_follows = |rest: &str| {
        rest.starts_with([' ', '\u{3000}', '\t'])
            || rest.is_empty()
            || rest.starts_with(|c: char| !c.is_ascii() && !c.is_whitespace())
    };
    if let Some(rest) = after.strip_prefix('.') {
        // `1. 趣旨`, `1.趣旨`: a trailing dot is part of the marker, not of the number.
        return text_follows(rest).then(|| number.to_string());
    }
    let separated = number.contains(['.', '-']);
    let short_alone = number.len() <= 2 && after.starts_with([' ', '\u{3000}', '\t']);
    if (separated && text_follows(after)) || short_alone {
        return Some(number.to_string());
    }
    None
}

/// The text after a leading `（…）` or `〔…〕` caption and the spaces after it.
fn leading_caption(t: &str) -> Option<&str> {
    let close = match t.chars().next()? {
        '（' => '）',
        '〔' => '〕',
        _ => return None,
    };
    let end = t.find(close)?;
    Some(t[end + close.len_utf8()..].trim_start_matches([' ', '\u{3000}', '\t']))
}

/// `(1)`, `（1）`, `⑴` → `(1)`; `①` → `①`.
fn parenthesised(t: &str) -> Option<String> {
    let first = t.chars().next()?;
    match first {
        '\u{2474}'..='\u{2487}' => return Some(format!("({})", first as u32 - 0x2474 + 1)),
        '\u{2460}'..='\u{2473}' => return Some(first.to_string()),
        '(' | '（' => {}
        _ => return None,
    }
    let rest = &t[first.len_utf8()..];
    let close = rest.find([')', '）'])?;
    let inner = rest[..close].trim();
    let n = kanji_or_digits(inner)?;
    Some(format!("({n})"))
}

/// The longest prefix made of digit groups joined by dots or hyphens (`4.3.1`, `7-1`).
fn dotted_number(t: &str) -> Option<&str> {
    let t = t.trim_start();
    let mut end = 0;
    let mut last_was_digit = false;
    for (i, c) in t.char_indices() {
        if c.is_ascii_digit() {
            end = i + 1;
            last_was_digit = true;
        } else if (c == '.' || c == '-')
            && last_was_digit
            && t[i + 1..].starts_with(|d: char| d.is_ascii_digit())
        {
            last_was_digit = false;
        } else {
            break;
        }
    }
    (end > 0).then(|| &t[..end])
}

fn normalise_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '－' | '‐' => '-',
        _ => c,
    }
}

fn is_kanji_digit(c: char) -> bool {
    "〇一二三四五六七八九十百".contains(c)
}

/// `12` or `十二` → 12 (up to 999).
fn kanji_or_digits(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    crate::text::numerals::kanji_number(s).filter(|&n| n < 1000)
}

/// Maps byte offsets to 1-based (line, column-in-characters).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|s| *s <= offset) as u32
    }

    fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line as u32, column as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_numbers() {
        let cases = [
            ("第5条（報告）", Some("第5条")),
            ("第十二条 罰則", Some("第12条")),
            ("第３条の２（定義）", Some("第3条の2")),
            ("（目的）　第1条", Some("第1条")),
            ("（目的）", None),
            ("【4.3】インシデントからの学習", Some("4.3")),
            ("4.3 学習", Some("4.3")),
            ("1. 趣旨", Some("1")),
            ("7-1. 事象の検知", Some("7-1")),
            ("1.雇用条件", Some("1")),
            ("１　趣旨", Some("1")),
            ("４．１ 平時の準備", Some("4.1")),
            ("（１）定義", Some("(1)")),
            ("(2) 範囲", Some("(2)")),
            ("⑶ 範囲", Some("(3)")),
            ("② 範囲", Some("②")),
            ("一、総則", Some("一")),
            ("第2章 体制", Some("第2章")),
            ("2025 年度", None),
            ("2025年の改訂", None),
            ("事象の検知", None),
        ];
        for (text, want) in cases {
            assert_eq!(clause_number(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn unicode_anchors() {
        assert_eq!(slugify("第5条（報告）"), "第5条報告");
        assert_eq!(slugify("Initial Response"), "initial-response");
    }

    #[test]
    fn scan_positions_headings_and_links() {
        let body = "intro\n\n## 第1条（趣旨） {#purpose}\n\n本文は[第2条](clause:scope)を参照。\n\n## 対象\n";
        let s = scan(body, 10);
        assert_eq!(s.headings.len(), 2);
        assert_eq!(s.headings[0].anchor, "purpose");
        assert_eq!(s.headings[0].line, 12);
        assert_eq!(s.headings[0].clause_number.as_deref(), Some("第1条"));
        assert_eq!(s.headings[1].anchor, "対象");
        assert_eq!(s.links[0].dest, "clause:scope");
        assert_eq!(s.links[0].line, 14);
        assert_eq!(s.links[0].column, 4);
    }

    #[test]
    fn code_blocks_are_not_text() {
        let s = scan("```\nTODO\n```\n本文\n", 1);
        let body = "```\nTODO\n```\n本文\n";
        let texts: Vec<&str> = s.text_runs.iter(body).map(|(t, _)| t).collect();
        assert_eq!(texts, ["本文"]);
    }

    #[test]
    fn text_runs_are_body_ranges_or_decoded_text() {
        let body = "前文 &amp; 後文 \\* 第3条\n";
        let s = scan(body, 1);
        let texts: Vec<&str> = s.text_runs.iter(body).map(|(t, _)| t).collect();
        assert_eq!(texts.concat(), "前文 & 後文 * 第3条");
        assert!(
            texts.contains(&"&"),
            "a decoded entity is kept as decoded: {texts:?}"
        );
    }
}
