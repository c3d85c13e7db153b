//! One spelling for words Japanese writes several ways, applied alike to the search index and
//! to the query (`assets/search.js` runs the same steps with the table from `pages.js`):
//!
//! 1. NFKC: full- and half-width forms (`ｲﾝｼﾃﾞﾝﾄ` → `インシデント`, `ＡＢＣ` → `ABC`), then lowercase.
//! 2. Marks: a dash after katakana is the long-vowel mark; a long-vowel mark that ends a
//!    katakana word is dropped (`サーバー` = `サーバ`, JIS Z 8301 style); the iteration marks
//!    `々 ゝ ヽ` repeat the character before them (`各々` = `各各`).
//! 3. Variants: okurigana and kanji/kana spellings of one word become its first spelling
//!    (`漏えい` → `漏洩`, `取り扱い` → `取扱`), leftmost-longest, from the shipped table
//!    (`spelling_variants.toml`) and `[search] variants` in kitei.toml.

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

/// The shipped variant table.
pub const SHIPPED: &str = include_str!("spelling_variants.toml");

#[derive(Deserialize)]
struct Table {
    variants: Vec<Vec<String>>,
}

/// The normaliser: the variant table, each spelling already through steps 1 and 2.
pub struct Spelling {
    /// (variant, canonical) pairs, as `pages.js` ships them to the browser.
    pairs: Vec<(String, String)>,
    matcher: Option<AhoCorasick>,
}

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30a1}'..='\u{30fa}' | '\u{30fc}' | '\u{31f0}'..='\u{31ff}')
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30fc}' | '\u{ff70}'
    )
}

/// Steps 1 and 2 (no variants).
///
/// Written straight into the string it returns: a page's text can be megabytes (the
/// dashboard lists every finding), and a list of `char`s would hold four bytes a character
/// beside it.
pub fn normalise_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut push = |c: char| {
        let prev = out.chars().next_back();
        let c = match (c, prev) {
            ('々' | 'ゝ' | 'ヽ', Some(p)) if !p.is_whitespace() => p,
            (c, Some(p)) if is_dash(c) && is_katakana(p) => 'ー',
            (c, _) => c,
        };
        // A long-vowel mark is word-final when what follows is not katakana.
        if matches!(prev, Some('ー')) && !is_katakana(c) && ends_katakana_word(&out) {
            out.pop();
        }
        out.push(c);
    };
    nfkc_each(text, |c| {
        // The lowercase of a stable character needs no look-up in Unicode's tables.
        if is_stable(c) {
            push(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(&mut push);
        }
    });
    if ends_katakana_word(&out) {
        out.pop();
    }
    out
}

/// Feeds the characters of `text` in NFKC to `each`. Runs of [`is_stable`] characters (most
/// of a Japanese text) are passed as they are; only what lies between them goes through the
/// normaliser, which was a tenth of the CPU of a cold build at 10,000 documents (every page's
/// search text goes through it).
///
/// Correct because NFKC may be taken piecewise, split before any character that is unchanged
/// by it and never combines with what precedes it (NFKC_QC = Yes, canonical combining class
/// 0): a stable character is passed as it is only when the one after it is stable too (else
/// it might combine with that one: `か` + U+3099 is `が`), and otherwise starts the next piece
/// for the normaliser.
fn nfkc_each(text: &str, mut each: impl FnMut(char)) {
    let mut piece: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_stable = chars.peek().is_none_or(|&(_, next)| is_stable(next));
        if is_stable(c) && next_stable {
            if let Some(start) = piece.take() {
                text[start..at].nfkc().for_each(&mut each);
            }
            each(c);
        } else if piece.is_none() {
            piece = Some(at);
        }
    }
    if let Some(start) = piece {
        text[start..].nfkc().for_each(each);
    }
}

/// Characters NFKC leaves as they are and never combines with a character before them, whose
/// lowercase is themselves or (ASCII) their ASCII lowercase: ASCII, the common kanji,
/// hiragana, katakana and the long-vowel mark, the ideographic comma and full stop, and the
/// corner brackets (`tests::stable_characters_are_what_nfkc_leaves_alone` checks each).
fn is_stable(c: char) -> bool {
    c.is_ascii()
        || matches!(c,
            '\u{4e00}'..='\u{9fff}'
            | '\u{3041}'..='\u{3096}'
            | '\u{30a1}'..='\u{30fa}'
            | '\u{30fc}'
            | '\u{3001}'..='\u{3002}'
            | '\u{300c}'..='\u{300f}')
}

/// Whether `text` ends with a long-vowel mark after katakana.
fn ends_katakana_word(text: &str) -> bool {
    let mut last = text.chars().rev();
    matches!(
        (last.next(), last.next()),
        (Some('ー'), Some(p)) if is_katakana(p) && p != 'ー'
    )
}

impl Spelling {
    /// The shipped table and `extra` (from kitei.toml), whose entries win over shipped ones
    /// for the same spelling. Errors name the table.
    pub fn new(extra: &[Vec<String>]) -> Result<Spelling, String> {
        let shipped: Table = toml::from_str(SHIPPED)
            .map_err(|e| format!("the shipped search variant table: {e}"))?;
        let mut by_variant = std::collections::BTreeMap::new();
        for list in shipped.variants.iter().chain(extra) {
            let Some(first) = list.first() else { continue };
            let canonical = normalise_chars(first);
            for v in &list[1..] {
                let v = normalise_chars(v);
                if !v.is_empty() && v != canonical {
                    by_variant.insert(v, canonical.clone());
                }
            }
        }
        let mut pairs: Vec<(String, String)> = by_variant.into_iter().collect();
        // Longest first: the browser's regular expression then matches leftmost-longest too.
        pairs.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
        let matcher = if pairs.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(pairs.iter().map(|p| &p.0))
                    .map_err(|e| format!("search variant table: {e}"))?,
            )
        };
        Ok(Spelling { pairs, matcher })
    }

    /// The (variant, canonical) pairs, longest variant first.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// `text` in the form the index holds and queries are matched in (whitespace kept).
    pub fn normalise(&self, text: &str) -> String {
        let chars = normalise_chars(text);
        match &self.matcher {
            Some(m) => {
                let to: Vec<&str> = self.pairs.iter().map(|p| p.1.as_str()).collect();
                m.replace_all(&chars, &to)
            }
            None => chars,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        let s = Spelling::new(&[]).unwrap();
        assert_eq!(s.normalise(a), s.normalise(b), "{a} / {b}");
    }

    #[test]
    fn variants_of_one_word_meet() {
        same("個人データの漏洩", "個人データの漏えい");
        same("信用の毀損", "信用の棄損");
        same("ウイルス対策", "ウィルス対策");
        same("取扱い", "取り扱い");
        same("取扱規程", "取り扱い規程");
        same("ｲﾝｼﾃﾞﾝﾄ", "インシデント");
        same("ＰＣ", "pc");
        same("サーバー", "サーバ");
        same("サーバーの停止", "サーバの停止");
        same("各々", "各各");
        same("セキュリティー", "セキュリティ");
    }

    #[test]
    fn different_words_stay_apart() {
        let s = Spelling::new(&[]).unwrap();
        assert_ne!(s.normalise("個人情報"), s.normalise("個人データ"));
        assert_ne!(s.normalise("サーバ"), s.normalise("サービス"));
        // A long-vowel mark inside a word is kept.
        assert_eq!(s.normalise("ルールブック"), "ルールブック");
        // A hyphen after ASCII is not a long-vowel mark.
        assert_eq!(s.normalise("INC-2025-001"), "inc-2025-001");
    }

    /// Every character [`is_stable`] takes: NFKC leaves it as it is, it may not combine with a
    /// character before it (quick check Yes, combining class 0), and it is its own lowercase
    /// (ASCII: its ASCII lowercase).
    #[test]
    fn stable_characters_are_what_nfkc_leaves_alone() {
        use unicode_normalization::{IsNormalized, is_nfkc_quick};
        let stable: Vec<char> = (0..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|&c| is_stable(c))
            .collect();
        assert!(stable.len() > 20_000);
        for c in stable {
            let alone = c.to_string();
            assert_eq!(alone.nfkc().collect::<String>(), alone, "{c:?}");
            assert_eq!(is_nfkc_quick(alone.chars()), IsNormalized::Yes, "{c:?}");
            assert_eq!(
                unicode_normalization::char::canonical_combining_class(c),
                0,
                "{c:?}"
            );
            let lower: String = c.to_lowercase().collect();
            assert_eq!(lower, c.to_ascii_lowercase().to_string(), "{c:?}");
        }
    }

    /// Taking NFKC piecewise gives what the normaliser gives for the whole text, around
    /// combining marks, half-width kana with their voiced marks, full-width forms and
    /// compatibility ideographs.
    #[test]
    fn piecewise_nfkc_equals_nfkc() {
        let parts = [
            "か", "\u{3099}", "\u{309a}", "ｶ", "ﾞ", "ﾟ", "e", "\u{301}", "Ａ", "１", "（", "）",
            "漢", "\u{f900}", "\u{3000}", "ー", "ｰ", "〜", "。", "「", "\u{309b}", " ", "\n", "①",
            "㍻", "ﬁ", "\u{1100}", "\u{1161}", "\u{11a8}", "Å", "\u{30f4}", "ヽ", "ゝ",
        ];
        // Every sequence of three parts: each mark after each base, each base after each mark.
        for a in parts {
            for b in parts {
                for c in parts {
                    let text = format!("{a}{b}{c}");
                    let mut piecewise = String::new();
                    nfkc_each(&text, |ch| piecewise.push(ch));
                    assert_eq!(piecewise, text.nfkc().collect::<String>(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn kitei_toml_extends_the_table() {
        let s = Spelling::new(&[vec!["見做す".into(), "みなす".into()]]).unwrap();
        assert_eq!(s.normalise("みなす"), "見做す");
        assert_ne!(Spelling::new(&[]).unwrap().normalise("みなす"), "見做す");
    }
}
