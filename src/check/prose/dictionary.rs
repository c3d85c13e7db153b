//! K0801: wording from a prh-style dictionary (shipped in `dictionary.yml`, extended by the
//! policy repository), plus the character confusions a pattern cannot express: a lone katakana
//! between hiragana (ヘ for へ), a dash or kanji 一 where the long-vowel mark belongs, 〇 written
//! as ○ or Ｏ inside numbers, half-width katakana.

use std::sync::{Arc, Mutex};

use regex::Regex;
use serde::Deserialize;

use super::{Doc, is_hiragana, is_kanji, is_katakana};
use crate::check::{Ctx, Rule};
use crate::diag::{Diagnostic, Level, Loc};

pub static WORDING: Rule = Rule {
    code: "K0801",
    name: "wording",
    level: Level::Warning,
    summary: "a wrong character or wording the dictionary knows (prh-style)",
    explanation: "kitei ships a prh-style dictionary (src/check/prose/dictionary.yml: pattern → \
         expected, with the reason) of wrong and similar-looking kanji (承認の元 → 承認の下, 收 → 収), \
         characters outside the 常用漢字表 (漏洩 → 漏えい), words 公用文 writes in kana (致します, \
         の為, 以下の通り) and variants mixed in one document (及び / および). It also finds a lone \
         katakana between hiragana (ヘ/ベ/ペ/ロ/カ/エ for the hiragana), a dash or 一 where the \
         long-vowel mark ー belongs, ○ or Ｏ inside a number written in kanji, half-width \
         katakana, Kangxi radicals that look like kanji (⽇ for 日, from PDFs), decomposed \
         (NFD) kana and invisible zero-width or control characters. Add rules in your own prh file: `[regulation] dictionaries = [\"prh.yml\"]`.",
};

/// A prh-style dictionary file.
#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<u32>,
    #[serde(default)]
    rules: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    expected: String,
    #[serde(default)]
    pattern: Option<Patterns>,
    #[serde(default)]
    prh: Option<String>,
    #[serde(default)]
    when_also: Option<String>,
    #[serde(default)]
    specs: Vec<Spec>,
    #[serde(default)]
    #[allow(dead_code)]
    options: Option<serde_json::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    regexp_must_empty: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Patterns {
    One(String),
    Many(Vec<String>),
}

/// A spec: the dictionary applied to `from` gives `to`.
#[derive(Debug, Clone, Deserialize)]
pub struct Spec {
    pub from: String,
    pub to: String,
}

/// One rule of a dictionary.
#[derive(Debug)]
pub struct Entry {
    pub patterns: Vec<Regex>,
    pub expected: String,
    pub reason: String,
    pub when_also: Option<Regex>,
    pub specs: Vec<Spec>,
    /// Where the rule was written (the shipped dictionary or a policy file).
    pub source: String,
}

/// The wording dictionary: kitei's rules, then the policy repository's.
#[derive(Debug, Default)]
pub struct Dictionary {
    pub entries: Vec<Entry>,
    /// Every pattern of every entry in one automaton ([`Dictionary::screen`]): most lines match
    /// none, and one pass over a line tells so instead of one search per pattern.
    screen: Option<regex::RegexSet>,
}

pub const SHIPPED: &str = include_str!("dictionary.yml");

/// A prh pattern: `/regex/` or a literal string.
fn pattern(p: &str) -> Result<Regex, regex::Error> {
    match p.strip_prefix('/').and_then(|r| r.rsplit_once('/')) {
        Some((re, flags)) => {
            let prefix = if flags.contains('i') { "(?i)" } else { "" };
            Regex::new(&format!("{prefix}{re}"))
        }
        None => Regex::new(&regex::escape(p)),
    }
}

impl Dictionary {
    /// Parses a dictionary file; `source` names it in messages.
    pub fn parse(text: &str, source: &str) -> Result<Dictionary, String> {
        let file: File = serde_saphyr::from_str(text).map_err(|e| format!("{source}: {e}"))?;
        let mut entries = Vec::new();
        for (n, raw) in file.rules.into_iter().enumerate() {
            let texts = match raw.pattern {
                Some(Patterns::One(p)) => vec![p],
                Some(Patterns::Many(ps)) => ps,
                None => vec![raw.expected.clone()],
            };
            let compile = |p: &str| {
                pattern(p).map_err(|e| format!("{source}: rule {} pattern {p}: {e}", n + 1))
            };
            entries.push(Entry {
                patterns: texts.iter().map(|p| compile(p)).collect::<Result<_, _>>()?,
                when_also: raw.when_also.as_deref().map(compile).transpose()?,
                reason: raw.prh.unwrap_or_default(),
                expected: raw.expected,
                specs: raw.specs,
                source: source.to_string(),
            });
        }
        let mut dictionary = Dictionary {
            entries,
            screen: None,
        };
        dictionary.screen();
        Ok(dictionary)
    }

    /// `more`'s entries after these (a policy's dictionary after kitei's).
    pub fn add(&mut self, more: Dictionary) {
        self.entries.extend(more.entries);
        self.screen();
    }

    /// Builds the screen over the entries as they are now. Without one (a set too large to
    /// compile) every line is searched pattern by pattern.
    fn screen(&mut self) {
        let patterns = self
            .entries
            .iter()
            .flat_map(|e| e.patterns.iter().map(Regex::as_str));
        self.screen = regex::RegexSet::new(patterns).ok();
    }

    /// Whether some pattern may match `text` (true without a screen).
    fn may_match(&self, text: &str) -> bool {
        self.screen.as_ref().is_none_or(|s| s.is_match(text))
    }

    /// Every replacement the dictionary makes in `text` (of a document whose whole text is
    /// `document`): byte range, the text found, what is expected, the entry.
    pub fn matches<'e>(
        &'e self,
        text: &str,
        document: &str,
    ) -> Vec<(std::ops::Range<usize>, String, &'e Entry)> {
        matches_of(&self.active(document), text)
    }

    /// The entries that apply to a document (a `when_also` entry only where the other form
    /// occurs): decided once per document, not per line.
    fn active(&self, document: &str) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.when_also.as_ref().is_none_or(|w| w.is_match(document)))
            .collect()
    }

    /// Applies every rule to `text` (what the specs test).
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for e in &self.entries {
            for p in &e.patterns {
                out = p.replace_all(&out, e.expected.as_str()).into_owned();
            }
        }
        out
    }

    pub fn check(&self, ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let active = self.active(&doc.doc.body);
        let screened = doc
            .lines
            .iter()
            .filter(|l| l.is_prose() && self.may_match(l.text));
        for line in screened {
            for (range, expected, e) in matches_of(&active, line.text) {
                out.push(
                    ctx.diag(
                        "K0801",
                        format!("「{}」 → 「{expected}」", &line.text[range.clone()]),
                    )
                    .at(doc.span(ctx, line, range.clone()))
                    .help(format!("write 「{expected}」: {} ({})", e.reason, e.source))
                    .subject(doc.subject()),
                );
            }
            confusions(ctx, doc, line, out);
        }
    }
}

/// Every replacement `entries` make in `text`: byte range, the text found, what is expected.
fn matches_of<'e>(
    entries: &[&'e Entry],
    text: &str,
) -> Vec<(std::ops::Range<usize>, String, &'e Entry)> {
    let mut found = Vec::new();
    for e in entries {
        for p in &e.patterns {
            for caps in p.captures_iter(text) {
                let m = caps.get(0).expect("group 0");
                let mut expected = String::new();
                caps.expand(&e.expected, &mut expected);
                if expected != m.as_str() {
                    found.push((m.range(), expected, *e));
                }
            }
        }
    }
    found.sort_by_key(|(r, _, _)| r.start);
    found
}

/// Reads the shipped dictionary and the policy's (problems with a policy file are findings),
/// with a digest of the policy's files as read (the shipped one is part of the executable).
///
/// The last dictionary this process compiled is kept with that digest and used again while
/// the policy's files read the same (and had no problems): `kitei serve` checks after every
/// save, and compiling the patterns was a few milliseconds of each rebuild.
pub fn load(ctx: &Ctx, out: &mut Vec<Diagnostic>) -> (Arc<Dictionary>, crate::check::memo::Hash) {
    static LAST: Mutex<Option<(crate::check::memo::Hash, Arc<Dictionary>)>> = Mutex::new(None);
    let mut digest = crate::check::memo::KeyBuilder::new("dictionaries");
    let texts: Vec<(&std::path::PathBuf, Result<String, String>)> = ctx
        .project
        .config
        .regulation
        .dictionaries
        .iter()
        .map(|path| {
            let text = crate::files::read_regular(&ctx.project.root.join(path))
                .and_then(|b| String::from_utf8(b).map_err(std::io::Error::other))
                .map_err(|e| format!("cannot read {}: {e}", path.display()));
            match &text {
                Ok(text) => digest.part(b"ok").part(text.as_bytes()),
                Err(problem) => digest.part(b"error").part(problem.as_bytes()),
            };
            (path, text)
        })
        .collect();
    let digest = digest.finish();
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((seen, dictionary)) = last.as_ref()
        && *seen == digest
    {
        return (dictionary.clone(), digest);
    }
    let mut dictionary =
        Dictionary::parse(SHIPPED, "kitei's dictionary").expect("the shipped dictionary parses");
    let mut clean = true;
    for (path, text) in texts {
        let result = text.and_then(|text| Dictionary::parse(&text, &path.display().to_string()));
        match result {
            Ok(more) => dictionary.add(more),
            Err(problem) => {
                clean = false;
                out.push(
                    ctx.diag("K0801", format!("wording dictionary: {problem}"))
                        .at(Loc::file(path.clone()))
                        .help("fix the prh-style file named in [regulation] dictionaries (rules: [{ expected, pattern, prh }])"),
                );
            }
        }
    }
    let dictionary = Arc::new(dictionary);
    // Kept only without problems: their findings are made again by the next load.
    *last = clean.then(|| (digest, dictionary.clone()));
    (dictionary, digest)
}

/// Character confusions that no fixed pattern expresses.
fn confusions(ctx: &Ctx, doc: &Doc, line: &super::Line, out: &mut Vec<Diagnostic>) {
    for (byte, message, help) in confusion_findings(line.text) {
        out.push(
            ctx.diag("K0801", message)
                .at(doc.at(ctx, line, byte))
                .help(help)
                .subject(doc.subject()),
        );
    }
}

#[cfg(test)]
fn confusion_messages(text: &str) -> Vec<String> {
    confusion_findings(text)
        .into_iter()
        .map(|(_, m, _)| m)
        .collect()
}

/// (byte offset, message, help) of each confusion in `text`.
fn confusion_findings(text: &str) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    for (i, &(byte, c)) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(at);
        let after = at(i + 1);
        let finding = if matches!(
            c,
            'ヘ' | 'ベ' | 'ペ' | 'ロ' | 'カ' | 'エ' | 'ニ' | 'ト' | 'リ'
        ) && before.is_some_and(is_hiragana)
            && after.is_some_and(is_hiragana)
        {
            let hira = char::from_u32(c as u32 - 0x60).unwrap_or(c);
            Some((
                format!("katakana 「{c}」 between hiragana"),
                format!(
                    "write the hiragana 「{hira}」 (or the kanji 口/力/工/二/卜 that was meant)"
                ),
            ))
        } else if matches!(c, '−' | '‐' | '―' | '－' | '─' | '一')
            && before.is_some_and(|b| is_katakana(b) && b != 'ー')
            && (after.is_none_or(|a| is_katakana(a) || !is_kanji(a)))
            && !(c == '一' && after.is_some_and(is_kanji))
        {
            Some((
                format!("「{c}」 after katakana where the long-vowel mark belongs"),
                "write the long-vowel mark 「ー」".to_string(),
            ))
        } else if c == 'ー' && before.is_some_and(is_kanji) && after.is_some_and(is_kanji) {
            Some((
                "long-vowel mark 「ー」 between kanji".to_string(),
                "write the kanji 「一」 (one)".to_string(),
            ))
        } else if matches!(c, '○' | 'Ｏ' | 'O' | 'o')
            && before.is_some_and(is_kanji_digit)
            && after.is_some_and(|a| is_kanji_digit(a) || a == '年')
        {
            Some((
                format!("「{c}」 inside a number written in kanji"),
                "write the kanji zero 「〇」".to_string(),
            ))
        } else if matches!(c, '\u{2F00}'..='\u{2FDF}' | '\u{2E80}'..='\u{2EFF}') {
            Some((
                format!("「{c}」 (U+{:04X}) is a Kangxi radical that looks like a kanji", c as u32),
                "retype the kanji (text copied from PDF often carries radicals: search and the dictionary miss them)".to_string(),
            ))
        } else if matches!(c, '\u{3099}' | '\u{309A}') {
            Some((
                "a combining (semi-)voiced sound mark: the kana is decomposed (NFD)".to_string(),
                "retype the kana as one character (NFC), e.g. が instead of か + ゛".to_string(),
            ))
        } else if matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
            || (c.is_control() && c != '\t')
        {
            Some((
                format!("an invisible character U+{:04X} in the text", c as u32),
                "delete it (zero-width and control characters break search and comparison)"
                    .to_string(),
            ))
        } else if matches!(c, '\u{FF66}'..='\u{FF9F}') {
            Some((
                format!("half-width katakana 「{c}」"),
                "write full-width katakana (公用文 and most fonts expect it)".to_string(),
            ))
        } else {
            None
        };
        if let Some((message, help)) = finding {
            found.push((byte, message, help));
        }
    }
    found
}

fn is_kanji_digit(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '〇'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screen_lets_through_every_line_an_entry_matches() {
        let mut d = Dictionary::parse(SHIPPED, "shipped").unwrap();
        let line = "ＢＣＰ計画書を毎年見直す。";
        let policy = "rules:\n  - expected: 事業継続計画書\n    pattern: /ＢＣＰ計画書/\n";
        assert!(d.matches(line, line).is_empty());
        assert!(!d.may_match(line), "no shipped pattern matches this line");
        d.add(Dictionary::parse(policy, "policy").unwrap());
        assert!(d.may_match(line));
        assert_eq!(d.matches(line, line).len(), 1);
        // Every spec's input that a rule changes gets through the screen.
        for e in &d.entries {
            for spec in e.specs.iter().filter(|s| s.from != s.to) {
                assert!(d.may_match(&spec.from), "{}", spec.from);
            }
        }
    }

    #[test]
    fn every_spec_of_the_shipped_dictionary_holds() {
        let d = Dictionary::parse(SHIPPED, "shipped").unwrap();
        assert!(d.entries.len() >= 20);
        for e in &d.entries {
            for spec in &e.specs {
                let single = Dictionary {
                    entries: vec![Entry {
                        patterns: e.patterns.clone(),
                        expected: e.expected.clone(),
                        reason: String::new(),
                        when_also: None,
                        specs: vec![],
                        source: String::new(),
                    }],
                    ..Dictionary::default()
                };
                assert_eq!(single.apply(&spec.from), spec.to, "{}", e.expected);
            }
        }
    }

    #[test]
    fn variants_are_reported_only_when_mixed() {
        let d = Dictionary::parse(SHIPPED, "shipped").unwrap();
        assert!(d.matches("AおよびB", "AおよびB").is_empty());
        let found = d.matches("AおよびB", "AおよびB。C及びD");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "及び");
    }

    #[test]
    fn look_alike_characters() {
        let text = "ことカら申請する。サ−バ。統ー計。二○二○年。\u{2F47}本。か\u{3099}。a\u{200B}b";
        let messages = confusion_messages(text);
        assert_eq!(messages.len(), 8, "{messages:?}");
        assert!(confusion_messages("サーバの一覧。データ一式。二〇二〇年").is_empty());
    }

    #[test]
    fn bad_pattern_is_an_error_naming_the_file() {
        let e = Dictionary::parse("rules:\n  - expected: a\n    pattern: /(/\n", "prh.yml")
            .unwrap_err();
        assert!(e.contains("prh.yml"), "{e}");
    }

    /// The dictionary kept from an earlier load (a `kitei serve` rebuild) is never one made
    /// from other files, and a file with problems is reported by every load.
    #[test]
    fn a_kept_dictionary_follows_the_policy_file_and_its_problems_come_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kitei.toml"),
            "organisation = \"x\"\n[regulation]\ndictionaries = [\"wording.yml\"]\n",
        )
        .unwrap();
        let project = crate::config::Project::open(dir.path()).unwrap();
        let corpus = crate::model::Corpus::default();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let ctx = Ctx::new(&corpus, &project, as_of);
        let load_with = |text: &str| {
            std::fs::write(dir.path().join("wording.yml"), text).unwrap();
            let mut out = Vec::new();
            let (dictionary, _) = load(&ctx, &mut out);
            let messages: Vec<String> = out.into_iter().map(|d| d.message).collect();
            let expected: Vec<String> = dictionary
                .entries
                .iter()
                .map(|e| e.expected.clone())
                .collect();
            (expected, messages)
        };
        let broken = "rules:\n  - expected: a\n    pattern: /(/\n";
        for _ in 0..2 {
            let (_, messages) = load_with(broken);
            assert_eq!(messages.len(), 1, "{messages:?}");
            assert!(
                messages[0].starts_with("wording dictionary: "),
                "{messages:?}"
            );
        }
        for expected in ["事案", "事象", "事案"] {
            let (entries, messages) = load_with(&format!(
                "rules:\n  - expected: {expected}\n    pattern: /X/\n"
            ));
            assert!(messages.is_empty(), "{messages:?}");
            assert_eq!(entries.last().map(String::as_str), Some(expected));
        }
    }
}
