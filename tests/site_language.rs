//! Pages speak the site's language all the way. A `lang = "ja"` build shows no English word
//! that kitei wrote (units such as `5 days`, statuses, raw ids such as `data-leak`, rule
//! messages outside their `lang="en"` details); an English build shows no Japanese that kitei
//! wrote: every Japanese phrase on its pages comes from the policy's own sources.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;

/// ASCII words a Japanese page may show besides ids, numbers, addresses and acronyms (which
/// [`allowed_ascii`] lets through by shape): product names and loanwords that Japanese writes
/// in Latin letters, as the example policy does (and the UI's 「検索にはJavaScriptが必要です」).
/// A word belongs here only if a Japanese text would write it so, never a unit, status or id.
const LATIN_NAMES: &[&str] = &[
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

/// Builds the example (with `lang` and `audience`) and returns its HTML pages, name → text.
fn build(lang: &str, audience: &str) -> (tempfile::TempDir, BTreeMap<String, String>) {
    let project = common::example();
    let toml = project.path().join("kitei.toml");
    let config = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("lang = \"ja\"", &format!("lang = \"{lang}\""));
    std::fs::write(&toml, config).unwrap();
    let out = project.path().join("site");
    common::ok(
        common::kitei(project.path())
            .args(["build", "--no-seal", "--audience", audience, "--out"])
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", "1762000000")
            .output()
            .unwrap(),
    );
    let mut pages = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let name = entry
                .path()
                .strip_prefix(&out)
                .unwrap()
                .display()
                .to_string();
            pages.insert(name, std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    assert!(
        pages.len() > 15,
        "the example builds its pages ({})",
        pages.len()
    );
    (project, pages)
}

/// What a reader sees or hears of a page: text outside scripts and styles (and outside
/// elements marked `lang="{skip_lang}"`), plus the attributes shown as text.
fn visible_text(html: &str, skip_lang: Option<&str>) -> String {
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

#[test]
fn japanese_pages_show_no_english_words() {
    let word = Regex::new(r"[A-Za-z][A-Za-z0-9_./@:+&-]*").unwrap();
    let mut leaks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for audience in ["employees", "restricted"] {
        let (_project, pages) = build("ja", audience);
        for (name, html) in &pages {
            let text = visible_text(html, Some("en"));
            for m in word.find_iter(&text) {
                let before = text[..m.start()].chars().next_back();
                let w = m.as_str().trim_end_matches(['.', ':', '-', '/']);
                if !w.is_empty() && !allowed_ascii(w, before) {
                    leaks
                        .entry(w.to_string())
                        .or_default()
                        .insert(format!("{audience}/{name}"));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "English words on Japanese pages (word → pages); give them a Japanese UI string, a \
         name instead of the id, or (for a name the policy itself writes in Latin letters) add \
         it to LATIN_NAMES:\n{leaks:#?}"
    );
}

/// Every file of the policy's sources, whitespace removed, as one string: Markdown joins
/// lines and wraps text, so a phrase is looked up without the source's line breaks.
fn source_text(project: &Path) -> String {
    let mut all = std::fs::read_to_string(project.join("kitei.toml")).unwrap();
    for entry in walkdir::WalkDir::new(project.join("policy-src")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                all.push_str(&text);
            }
        }
    }
    all.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn english_pages_show_no_japanese_that_kitei_wrote() {
    let japanese =
        Regex::new(r"[\p{Hiragana}\p{Katakana}\p{Han}ー々〆〇、。「」『』（）・：]+").unwrap();
    let mut invented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for audience in ["employees", "restricted"] {
        let (project, pages) = build("en", audience);
        let sources = source_text(project.path());
        for (name, html) in &pages {
            assert!(
                html.contains("<html lang=\"en\""),
                "{name} is an English page"
            );
            let text = visible_text(html, Some("ja"));
            for m in japanese.find_iter(&text) {
                let phrase = m
                    .as_str()
                    .trim_matches(['、', '。', '・', '：', '（', '）']);
                if !phrase.is_empty() && !sources.contains(phrase) {
                    invented
                        .entry(phrase.to_string())
                        .or_default()
                        .insert(format!("{audience}/{name}"));
                }
            }
        }
    }
    assert!(
        invented.is_empty(),
        "Japanese on English pages that is not in the policy's sources (phrase → pages): an \
         untranslated UI string or a generated Japanese text:\n{invented:#?}"
    );
}

#[test]
fn the_scanner_finds_what_it_is_meant_to_find() {
    let page = r#"<html lang="ja"><body><script>var x = "hidden";</script>
        <p title="Print">報告期限 5 days</p><p lang="en">Finding text</p>
        <p>種別 data-leak、INC-2025-004、#incident-response、JPCERT/CC、a@example.jp</p></body></html>"#;
    let text = visible_text(page, Some("en"));
    assert!(!text.contains("hidden") && !text.contains("Finding"));
    let word = Regex::new(r"[A-Za-z][A-Za-z0-9_./@:+&-]*").unwrap();
    let flagged: Vec<&str> = word
        .find_iter(&text)
        .filter(|m| !allowed_ascii(m.as_str(), text[..m.start()].chars().next_back()))
        .map(|m| m.as_str())
        .collect();
    assert_eq!(flagged, ["Print", "days", "data-leak"]);
}
