//! Search that works for Japanese (no spaces between words) and from `file://`: a character
//! bigram index written as a `.js` file that pages load with a `<script>` tag (`fetch` of a
//! JSON file is blocked on `file://`). `assets/search.js` intersects the posting lists of a
//! query's bigrams, then confirms the whole term in the page text.
//!
//! Only pages that were rendered for the audience are indexed, from their `<main>` element,
//! so the index can hold nothing a page does not show.

#[cfg(test)]
use std::collections::BTreeSet;
use std::collections::{BTreeMap, HashMap};

use serde_json::json;

/// One indexed page.
#[derive(Debug, Clone)]
pub struct Entry {
    pub url: String,
    pub title: String,
    pub text: String,
}

/// The text of a page's `<main>` element: tags removed, entities decoded, spaces collapsed.
pub fn main_text(html: &str) -> String {
    let start = html.find("<main").unwrap_or(0);
    let end = html[start..]
        .find("</main>")
        .map(|e| start + e)
        .unwrap_or(html.len());
    let mut out = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowercased characters without whitespace: the form both sides search in.
fn normalised(text: &str) -> Vec<char> {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
fn bigrams(text: &str) -> BTreeSet<String> {
    normalised(text)
        .windows(2)
        .map(|w| w.iter().collect())
        .collect()
}

/// `assets/search-index.js`: `window.KITEI_SEARCH = {pages: [{u, t, x}], grams: {bigram: [page…]}}`.
pub fn index_js(entries: &[Entry]) -> String {
    // Posting lists keyed by the character pair; a page is pushed once per bigram because
    // pages are visited in order and the last pushed page is checked.
    let mut grams: HashMap<(char, char), Vec<u32>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let i = i as u32;
        for text in [&e.text, &e.title] {
            for w in normalised(text).windows(2) {
                let list = grams.entry((w[0], w[1])).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
    }
    let grams: BTreeMap<String, Vec<u32>> = grams
        .into_iter()
        .map(|((a, b), v)| (format!("{a}{b}"), v))
        .collect();
    let pages: Vec<_> = entries
        .iter()
        .map(|e| json!({"u": e.url, "t": e.title, "x": e.text}))
        .collect();
    let data = json!({"pages": pages, "grams": grams});
    format!(
        "window.KITEI_SEARCH = {};\n",
        serde_json::to_string(&data).expect("index serialises")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_text_strips_tags() {
        let html = "<header>nav</header><main id=\"c\"><h1>規程</h1><p>A &amp; B</p></main><footer>f</footer>";
        assert_eq!(main_text(html), "規程 A & B");
    }

    #[test]
    fn japanese_bigrams() {
        let g = bigrams("個人情報 保護");
        assert!(g.contains("個人") && g.contains("情報") && g.contains("報保"));
    }
}
