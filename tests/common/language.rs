//! What a reader sees of a page, and which words in it are in the wrong language: shared by
//! tests/site_language.rs (every page kind of the example) and tests/history.rs (release pages).

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;

/// ASCII words a Japanese page may show besides ids, numbers, addresses and acronyms (which
/// [`allowed_ascii`] lets through by shape): product names and loanwords that Japanese writes
/// in Latin letters, as the example policy does (and the UI: 検索にはJavaScriptが必要です,
/// Atomフィード).
/// A word belongs here only if a Japanese text would write it so, never a unit, status or id.
pub const LATIN_NAMES: &[&str] = &[
    "Atom",
    "Bot",
    "DDoS",
    "DoS",
    "Excel",
    "JavaScript",
    "Office",
    "Web",
    "Wi-Fi",
    "Wiki",
];

/// The HTML pages under `out`, name → text.
pub fn html_pages(out: &Path) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let name = entry
                .path()
                .strip_prefix(out)
                .unwrap()
                .display()
                .to_string();
            pages.insert(name, std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    pages
}

/// What a reader sees or hears of a page: text outside scripts and styles (and outside
/// elements marked `lang="{skip_lang}"`), plus the attributes shown as text.
pub fn visible_text(html: &str, skip_lang: Option<&str>) -> String {
    let mut html = Regex::new(r"(?is)<(script|style)\b.*?</(script|style)>")
        .unwrap()
        .replace_all(html, " ")
        .into_owned();
    if let Some(lang) = skip_lang {
        for tag in ["p", "small", "span", "div", "details"] {
            let marked = Regex::new(&format!(
                r#"(?is)<{tag}\b[^>]*\blang="{lang}"[^>]*>.*?</{tag}>"#
            ))
            .unwrap();
            html = marked.replace_all(&html, " ").into_owned();
        }
    }
    let attributes = Regex::new(r#"(?i)\b(?:title|aria-label|placeholder|alt)="([^"]*)""#).unwrap();
    let mut text: String = attributes
        .captures_iter(&html)
        .map(|c| format!(" {} ", &c[1]))
        .collect();
    text.push_str(&Regex::new(r"(?s)<[^>]*>").unwrap().replace_all(&html, " "));
    unescape(&text)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Ids, numbers, versions, hashes, addresses, chat channels and acronyms: Latin letters a
/// Japanese text legitimately carries.
fn allowed_ascii(word: &str, before: Option<char>) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
        || word.contains('@')
        || word.starts_with("http://")
        || word.starts_with("https://")
        || before == Some('#')
        || word
            .chars()
            .all(|c| c.is_ascii_uppercase() || matches!(c, '/' | '&' | '-' | '.'))
        || LATIN_NAMES.contains(&word.trim_end_matches([':', '.', '/']))
}

/// The English words in a Japanese page's visible `text` that are not allowed by shape or name.
pub fn english_words(text: &str) -> Vec<String> {
    let word = Regex::new(r"[A-Za-z][A-Za-z0-9_./@:+&-]*").unwrap();
    word.find_iter(text)
        .filter_map(|m| {
            let before = text[..m.start()].chars().next_back();
            let w = m.as_str().trim_end_matches(['.', ':', '-', '/']);
            (!w.is_empty() && !allowed_ascii(w, before)).then(|| w.to_string())
        })
        .collect()
}

/// The Japanese phrases of an English page's visible `text` that are not in `sources`
/// (the policy's text with whitespace removed, see [`without_whitespace`]).
pub fn japanese_not_in(text: &str, sources: &str) -> Vec<String> {
    let japanese =
        Regex::new(r"[\p{Hiragana}\p{Katakana}\p{Han}ー々〆〇、。「」『』（）・：]+").unwrap();
    japanese
        .find_iter(text)
        .map(|m| {
            m.as_str()
                .trim_matches(['、', '。', '・', '：', '（', '）'])
        })
        .filter(|p| !p.is_empty() && !sources.contains(p))
        .map(str::to_string)
        .collect()
}

/// Policy sources as [`japanese_not_in`] looks phrases up in them: without whitespace
/// (Markdown joins lines, so a phrase may span the source's line breaks), once as written and
/// once with Markdown links reduced to their text (`[手順書](runbook:x)に従う` reads 手順書に従う).
pub fn without_whitespace(text: &str) -> String {
    let links = Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap();
    let plain = links.replace_all(text, "$1");
    text.chars()
        .chain(plain.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}
