//! Numbering markers at the start of a line, in every style Japanese regulations use:
//! 第N章 / 第N節 / 第N条 / 第N項 / 第N号, 【1】【4.3】, 「1章2」, 1. 1.1 4.3.1 7-1 (with or
//! without a space; ASCII or full-width digits), 一、, （１）(1)⑴, ①, ア, a., and bullets.
//! A marker is recognised by its shape only; whether it is a clause heading or a list item is
//! decided by the outline (it depends on the lines around it).

use crate::text::numerals::{kanji_digit, kanji_number};

/// What kind of numeral a marker counts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Numeral {
    Arabic,
    Kanji,
    Katakana,
    Latin,
    /// ① … ⑳
    Circled,
    /// ⑴ … ⒇
    ParenDigit,
}

/// The shape of a marker. Two markers with the same `Style` are siblings in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// 第N章, or `N章` without 第.
    Chapter,
    /// 第N節
    Section,
    /// 第N条, 第N条のM
    Article,
    /// 第N項 (written out; the law style's bare `２　` is a `Number` the outline reads as 項)
    Paragraph,
    /// 第N号
    Item,
    /// 【1】【4.3】
    Bracketed,
    /// 「1章2」: clause 2 of chapter 1.
    ChapterClause,
    /// 1. 1.1 4.3.1 7-1 with a trailing dot (`dot`) or followed by a space.
    Number { dot: bool },
    /// 一、 二、 (or followed by a space)
    KanjiComma,
    /// (1) （１） (ア) （一） (a)
    Paren(Numeral),
    /// 1) ア) a)
    RightParen(Numeral),
    /// ① or ⑴
    Enclosed(Numeral),
    /// ア、 ア． ア followed by a space
    Kana,
    /// a. b.
    LatinDot,
    /// ・ • · ● ◆ ■ □ ◇ - * (not ○, which starts placeholders like ○○部長)
    Bullet,
}

impl Style {
    /// A short name for the import report.
    pub fn describe(self) -> &'static str {
        match self {
            Style::Chapter => "第N章 (chapter)",
            Style::Section => "第N節 (section)",
            Style::Article => "第N条 (article)",
            Style::Paragraph => "第N項 (paragraph)",
            Style::Item => "第N号 (item)",
            Style::Bracketed => "【N】 (bracketed number)",
            Style::ChapterClause => "N章M (chapter-scoped number)",
            Style::Number { dot: true } => "N. / N.M. (dotted number)",
            Style::Number { dot: false } => "N / N.M (number and space)",
            Style::KanjiComma => "一、 (kanji numeral)",
            Style::Paren(Numeral::Arabic) => "(1) （１）",
            Style::Paren(Numeral::Kanji) => "（一）",
            Style::Paren(Numeral::Katakana) => "（ア）",
            Style::Paren(_) => "(a)",
            Style::RightParen(_) => "1) ア)",
            Style::Enclosed(Numeral::Circled) => "① (circled number)",
            Style::Enclosed(_) => "⑴ (parenthesised number)",
            Style::Kana => "ア イ ウ (katakana)",
            Style::LatinDot => "a. b. (letters)",
            Style::Bullet => "・ (bullet)",
        }
    }
}

/// A marker found at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub style: Style,
    /// The marker as written (`第３条`, `【4.3】`, `（１）`, `4.3.1`).
    pub written: String,
    /// Its value: one number per level (`4.3.1` → [4, 3, 1]; `第3条の2` → [3, 2]; `1章2` → [1, 2]).
    pub value: Vec<u32>,
    /// A heading in 〔〕 or （） right after the number (`第5条（報告）` → `報告`).
    pub caption: Option<String>,
    /// Byte offset in the line where the text after the marker (and its caption) starts.
    pub rest: usize,
}

/// Digits: ASCII or full-width, to a value.
fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_kanji_numeral(c: char) -> bool {
    kanji_digit(c).is_some() || matches!(c, '十' | '百' | '千')
}

/// `十二` → 12, `百二十三` → 123, `二〇` → 20.
pub fn kanji_value(s: &str) -> Option<u32> {
    kanji_number(s)
}

/// Leading digits (ASCII, full-width or kanji) of `s`: (value, byte length). Leading zeros
/// (`03-…`, a phone number) are not a number.
fn number_at(s: &str) -> Option<(u32, usize)> {
    let mut value = 0u32;
    let mut len = 0;
    for c in s.chars() {
        match digit_value(c) {
            Some(d) => {
                if len > 0 && value == 0 {
                    return None;
                }
                value = value.checked_mul(10)?.checked_add(d)?;
                len += c.len_utf8();
            }
            None => break,
        }
    }
    if len > 0 {
        return Some((value, len));
    }
    let kanji: String = s.chars().take_while(|c| is_kanji_numeral(*c)).collect();
    kanji_value(&kanji).map(|v| (v, kanji.len()))
}

fn arabic_at(s: &str) -> Option<(u32, usize)> {
    if s.starts_with(|c: char| digit_value(c).is_some()) {
        number_at(s)
    } else {
        None
    }
}

/// `4.3.1`, `７－１`, `４．１`: the groups and their byte length. The separator must be
/// followed by a digit to count.
fn dotted_at(s: &str) -> Option<(Vec<u32>, usize)> {
    let (first, mut len) = arabic_at(s)?;
    let mut value = vec![first];
    loop {
        let rest = &s[len..];
        let Some(sep) = rest.chars().next() else {
            break;
        };
        if !matches!(sep, '.' | '．' | '-' | '－' | '‐') {
            break;
        }
        match arabic_at(&rest[sep.len_utf8()..]) {
            Some((v, l)) if value.len() < 6 => {
                value.push(v);
                len += sep.len_utf8() + l;
            }
            _ => break,
        }
    }
    Some((value, len))
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{3000}'
}

/// Byte length of the whitespace at the start of `s`.
fn spaces(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

/// A caption in （） or 〔〕 right after a number: (caption, byte length including brackets).
fn caption_at(s: &str) -> Option<(String, usize)> {
    let skip = spaces(s);
    let t = &s[skip..];
    let close = match t.chars().next()? {
        '（' => '）',
        '(' => ')',
        '〔' => '〕',
        '［' => '］',
        _ => return None,
    };
    let open_len = t.chars().next()?.len_utf8();
    let end = t.find(close)?;
    let inner = &t[open_len..end];
    // A caption is a short title, not a sentence in brackets.
    if inner.is_empty() || inner.chars().count() > 30 || inner.contains('。') {
        return None;
    }
    Some((inner.to_string(), skip + end + close.len_utf8()))
}

fn marker(style: Style, line: &str, len: usize, value: Vec<u32>) -> Marker {
    let written = line[..len].trim().to_string();
    let (caption, after) = match caption_at(&line[len..]) {
        Some((c, l)) if !matches!(style, Style::Paren(_) | Style::Bullet) => (Some(c), len + l),
        _ => (None, len),
    };
    let rest = after + spaces(&line[after..]);
    Marker {
        style,
        written,
        value,
        caption,
        rest,
    }
}

/// The marker `line` (already without its indentation) starts with, if any.
pub fn parse(line: &str) -> Option<Marker> {
    let first = line.chars().next()?;
    // 第N章 / 第N節 / 第N条(のM) / 第N項 / 第N号
    if let Some(after) = line.strip_prefix('第') {
        let (n, l) = number_at(after)?;
        let after_num = &after[l..];
        let unit = after_num.chars().next()?;
        let style = match unit {
            '章' => Style::Chapter,
            '節' => Style::Section,
            '条' => Style::Article,
            '項' => Style::Paragraph,
            '号' => Style::Item,
            _ => return None,
        };
        let mut len = '第'.len_utf8() + l + unit.len_utf8();
        let mut value = vec![n];
        if style == Style::Article
            && let Some(sub) = line[len..].strip_prefix('の')
            && let Some((m, ml)) = number_at(sub)
        {
            value.push(m);
            len += 'の'.len_utf8() + ml;
        }
        return Some(marker(style, line, len, value));
    }
    // 【1】【4.3】
    if let Some(inner) = line.strip_prefix('【') {
        let (value, l) = dotted_at(inner.trim_start())?;
        let lead = inner.len() - inner.trim_start().len();
        let close = inner[lead + l..].trim_start();
        if !close.starts_with('】') {
            return None;
        }
        let len = line.len() - close.len() + '】'.len_utf8();
        return Some(marker(Style::Bracketed, line, len, value));
    }
    // ① … ⑳, ⑴ … ⒇
    let code = first as u32;
    if (0x2460..=0x2473).contains(&code) || (0x2474..=0x2487).contains(&code) {
        let (numeral, base) = if code <= 0x2473 {
            (Numeral::Circled, 0x2460)
        } else {
            (Numeral::ParenDigit, 0x2474)
        };
        return Some(marker(
            Style::Enclosed(numeral),
            line,
            first.len_utf8(),
            vec![code - base + 1],
        ));
    }
    // (1) （１） (ア) （一） (a)
    if first == '(' || first == '（' {
        let inner = &line[first.len_utf8()..];
        let (numeral, value, l) = paren_numeral(inner)?;
        let close = inner[l..].chars().next()?;
        if close != ')' && close != '）' {
            return None;
        }
        let len = first.len_utf8() + l + close.len_utf8();
        return Some(marker(Style::Paren(numeral), line, len, vec![value]));
    }
    // Bullets (the list syntax of plain text).
    if "・•·●◆◇■□‐－-*＊".contains(first) {
        let after = &line[first.len_utf8()..];
        // `-` and `*` only as list syntax (followed by a space); `※` is a note mark.
        if matches!(first, '-' | '*' | '‐' | '－' | '＊') && !after.starts_with(is_space) {
            return None;
        }
        if after.trim().is_empty() && first != '・' {
            return None;
        }
        return Some(marker(Style::Bullet, line, first.len_utf8(), vec![]));
    }
    // 1. 1.1 4.3.1 7-1 １　 / N章 / N章M
    if let Some((value, l)) = dotted_at(line) {
        let after = &line[l..];
        if value.len() == 1
            && let Some(rest) = after.strip_prefix('章')
        {
            let len = l + '章'.len_utf8();
            if let Some((m, ml)) = arabic_at(rest) {
                return Some(marker(
                    Style::ChapterClause,
                    line,
                    len + ml,
                    vec![value[0], m],
                ));
            }
            return Some(marker(Style::Chapter, line, len, value));
        }
        let next = after.chars().next();
        return match next {
            Some('.' | '．') => {
                let after_dot = &after[next?.len_utf8()..];
                // `1.5倍` is a number, `1.雇用条件` is a marker: a dot followed by a digit
                // was taken by dotted_at already, so what follows here is text.
                if after_dot.trim().is_empty() {
                    return None;
                }
                Some(marker(
                    Style::Number { dot: true },
                    line,
                    l + next?.len_utf8(),
                    value,
                ))
            }
            Some(')' | '）') => Some(marker(
                Style::RightParen(Numeral::Arabic),
                line,
                l + next?.len_utf8(),
                value,
            )),
            Some(c) if is_space(c) && !after.trim().is_empty() => {
                Some(marker(Style::Number { dot: false }, line, l, value))
            }
            Some('（' | '〔') if caption_at(after).is_some() => {
                Some(marker(Style::Number { dot: false }, line, l, value))
            }
            _ => None,
        };
    }
    // 一、 二　 (kanji numerals as list markers)
    if is_kanji_numeral(first) {
        let kanji: String = line.chars().take_while(|c| is_kanji_numeral(*c)).collect();
        let after = &line[kanji.len()..];
        let value = kanji_value(&kanji)?;
        let sep = after.chars().next()?;
        if (sep == '、' || sep == '，' || is_space(sep))
            && !after[sep.len_utf8()..].trim().is_empty()
        {
            return Some(marker(
                Style::KanjiComma,
                line,
                kanji.len() + sep.len_utf8(),
                vec![value],
            ));
        }
        return None;
    }
    // ア、 イ． ウ　 / ア)
    if let Some(v) = kana_value(first) {
        let after = &line[first.len_utf8()..];
        let sep = after.chars().next()?;
        if after[sep.len_utf8()..].trim().is_empty() {
            return None;
        }
        if sep == '、' || sep == '．' || sep == '.' || is_space(sep) {
            return Some(marker(
                Style::Kana,
                line,
                first.len_utf8() + sep.len_utf8(),
                vec![v],
            ));
        }
        if sep == ')' || sep == '）' {
            return Some(marker(
                Style::RightParen(Numeral::Katakana),
                line,
                first.len_utf8() + sep.len_utf8(),
                vec![v],
            ));
        }
        return None;
    }
    // a. b) — a letter, then `.` or `)`, then not another letter (`e.g.` is not a marker).
    if first.is_ascii_alphabetic() {
        let after = &line[1..];
        let sep = after.chars().next()?;
        let then = after[sep.len_utf8()..].chars().next()?;
        if then.is_ascii_alphabetic() {
            return None;
        }
        let value = (first.to_ascii_lowercase() as u32) - ('a' as u32) + 1;
        return match sep {
            '.' | '．' if is_space(then) || !then.is_ascii() => Some(marker(
                Style::LatinDot,
                line,
                1 + sep.len_utf8(),
                vec![value],
            )),
            ')' | '）' => Some(marker(
                Style::RightParen(Numeral::Latin),
                line,
                1 + sep.len_utf8(),
                vec![value],
            )),
            _ => None,
        };
    }
    None
}

/// ア=1, イ=2 … in the gojūon order (ア行 to ワ), or イロハ order when it starts with イ… is
/// not distinguished: the value only orders siblings.
fn kana_value(c: char) -> Option<u32> {
    const GOJUON: &str =
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ";
    GOJUON.chars().position(|k| k == c).map(|p| p as u32 + 1)
}

/// The numeral inside a pair of brackets: arabic, kanji, one katakana or one latin letter.
fn paren_numeral(s: &str) -> Option<(Numeral, u32, usize)> {
    if let Some((v, l)) = arabic_at(s) {
        return Some((Numeral::Arabic, v, l));
    }
    let c = s.chars().next()?;
    if is_kanji_numeral(c) {
        let (v, l) = number_at(s)?;
        return Some((Numeral::Kanji, v, l));
    }
    if let Some(v) = kana_value(c) {
        return Some((Numeral::Katakana, v, c.len_utf8()));
    }
    if c.is_ascii_lowercase() {
        return Some((Numeral::Latin, c as u32 - 'a' as u32 + 1, 1));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(line: &str) -> Option<(Style, Vec<u32>, Option<String>, String)> {
        parse(line).map(|m| {
            let rest = line[m.rest..].to_string();
            (m.style, m.value, m.caption, rest)
        })
    }

    /// (line, style, value, caption, text after the marker)
    type Case = (
        &'static str,
        Style,
        &'static [u32],
        Option<&'static str>,
        &'static str,
    );

    #[test]
    fn every_style_of_the_issue() {
        use Style::*;
        let cases: &[Case] = &[
            ("第1章 総則", Chapter, &[1], None, "総則"),
            ("第二章　組織", Chapter, &[2], None, "組織"),
            ("第3節 報告", Section, &[3], None, "報告"),
            ("第5条（報告）", Article, &[5], Some("報告"), ""),
            (
                "第十二条〔罰則〕 違反した者は",
                Article,
                &[12],
                Some("罰則"),
                "違反した者は",
            ),
            ("第３条の２　定義", Article, &[3, 2], None, "定義"),
            ("第2項 前項の", Paragraph, &[2], None, "前項の"),
            ("第1号 不正アクセス", Item, &[1], None, "不正アクセス"),
            ("【1】趣旨", Bracketed, &[1], None, "趣旨"),
            ("【4.3】封じ込め", Bracketed, &[4, 3], None, "封じ込め"),
            ("1章 総則", Chapter, &[1], None, "総則"),
            ("2章3 報告", ChapterClause, &[2, 3], None, "報告"),
            ("1. 趣旨", Number { dot: true }, &[1], None, "趣旨"),
            ("1.雇用条件", Number { dot: true }, &[1], None, "雇用条件"),
            (
                "4.3.1 初動",
                Number { dot: false },
                &[4, 3, 1],
                None,
                "初動",
            ),
            (
                "４．１\t平時の準備",
                Number { dot: false },
                &[4, 1],
                None,
                "平時の準備",
            ),
            ("１\t趣旨", Number { dot: false }, &[1], None, "趣旨"),
            (
                "7-1. 事象の検知",
                Number { dot: true },
                &[7, 1],
                None,
                "事象の検知",
            ),
            (
                "2（対象）本規程は",
                Number { dot: false },
                &[2],
                Some("対象"),
                "本規程は",
            ),
            ("一、目的", KanjiComma, &[1], None, "目的"),
            ("十二　罰則", KanjiComma, &[12], None, "罰則"),
            ("（１）侵害", Paren(Numeral::Arabic), &[1], None, "侵害"),
            ("(2) 故障", Paren(Numeral::Arabic), &[2], None, "故障"),
            ("（ア）侵入", Paren(Numeral::Katakana), &[1], None, "侵入"),
            ("（三）脅威", Paren(Numeral::Kanji), &[3], None, "脅威"),
            ("⑴ 侵害", Enclosed(Numeral::ParenDigit), &[1], None, "侵害"),
            ("②故障", Enclosed(Numeral::Circled), &[2], None, "故障"),
            ("ア　侵害", Kana, &[1], None, "侵害"),
            ("ウ、脅威", Kana, &[3], None, "脅威"),
            ("a. 事象の検知: x", LatinDot, &[1], None, "事象の検知: x"),
            ("・ 連絡先", Bullet, &[], None, "連絡先"),
            ("• 暗号化", Bullet, &[], None, "暗号化"),
            ("- 項目", Bullet, &[], None, "項目"),
        ];
        for (line, want, value, caption, rest) in cases {
            let got = style(line).unwrap_or_else(|| panic!("no marker in {line}"));
            assert_eq!(got.0, *want, "{line}");
            assert_eq!(got.1, value.to_vec(), "{line}");
            assert_eq!(got.2.as_deref(), *caption, "{line}");
            assert_eq!(got.3, *rest, "{line}");
        }
    }

    #[test]
    fn prose_is_not_a_marker() {
        for line in [
            "2025年4月1日から施行する。",
            "1.5倍の時間",
            "03-6457-9685 に電話",
            "一部の従業員",
            "アクセス管理",
            "e.g. example",
            "例 電源異常",
            "本規程は、",
            "24時間以内",
            "※ 注記",
            "-5度",
        ] {
            assert_eq!(parse(line), None, "{line}");
        }
    }

    #[test]
    fn kanji_numbers() {
        assert_eq!(kanji_value("十二"), Some(12));
        assert_eq!(kanji_value("百二十三"), Some(123));
        assert_eq!(kanji_value("二〇"), Some(20));
        assert_eq!(kanji_value("九"), Some(9));
    }
}
