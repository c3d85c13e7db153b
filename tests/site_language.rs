//! Pages speak the site's language all the way. A `lang = "ja"` build shows no English word
//! that kitei wrote (units such as `5 days`, statuses, raw ids such as `data-leak`, rule
//! messages outside their `lang="en"` details); an English build shows no Japanese that kitei
//! wrote: every Japanese phrase on its pages comes from the policy's own sources. (Release
//! pages — change notices, 新旧対照表, versions — are scanned by tests/history.rs.)

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::language::{
    english_words, html_pages, japanese_not_in, visible_text, without_whitespace,
};

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
    let pages = html_pages(&out);
    assert!(
        pages.len() > 15,
        "the example builds its pages ({})",
        pages.len()
    );
    (project, pages)
}

#[test]
fn japanese_pages_show_no_english_words() {
    let mut leaks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for audience in ["employees", "restricted"] {
        let (_project, pages) = build("ja", audience);
        for (name, html) in &pages {
            for w in english_words(&visible_text(html, Some("en"))) {
                leaks
                    .entry(w)
                    .or_default()
                    .insert(format!("{audience}/{name}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "English words on Japanese pages (word → pages); give them a Japanese UI string, a \
         name instead of the id, or (for a name Japanese writes in Latin letters) add it to \
         LATIN_NAMES in tests/common/language.rs:\n{leaks:#?}"
    );
}

/// Every file of the policy's sources as one string without whitespace.
fn source_text(project: &Path) -> String {
    let mut all = std::fs::read_to_string(project.join("kitei.toml")).unwrap();
    for entry in walkdir::WalkDir::new(project.join("policy-src")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file()
            && let Ok(text) = std::fs::read_to_string(entry.path())
        {
            all.push_str(&text);
        }
    }
    without_whitespace(&all)
}

#[test]
fn english_pages_show_no_japanese_that_kitei_wrote() {
    let mut invented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for audience in ["employees", "restricted"] {
        let (project, pages) = build("en", audience);
        let sources = source_text(project.path());
        for (name, html) in &pages {
            assert!(
                html.contains("<html lang=\"en\""),
                "{name} is an English page"
            );
            for phrase in japanese_not_in(&visible_text(html, Some("ja")), &sources) {
                invented
                    .entry(phrase)
                    .or_default()
                    .insert(format!("{audience}/{name}"));
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
    assert_eq!(english_words(&text), ["Print", "days", "data-leak"]);
    let en = visible_text(r#"<p>Deadline 5日 (報告する)</p>"#, None);
    assert_eq!(
        japanese_not_in(&en, &without_whitespace("第5条 報告 する")),
        ["日"]
    );
}
