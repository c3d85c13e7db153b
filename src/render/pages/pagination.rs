//! Long lists split into pages of about [`LIST_PAGE_SIZE`] with a pager: no page lists every
//! record, so a page's cost does not grow with the corpus. Pages are cut where their entries
//! say ([`cut_ranges`]), so that an entry that comes or goes changes its own page, not every
//! page after it, and each page says how many entries it lists (not the list's length, which
//! every such change moves).

use std::ops::Range;

use serde_json::{Value, json};

/// The longest list the home page shows per section; a longer one links to its own pages.
pub const HOME_LIST_LIMIT: usize = 30;
/// Entries per page of a paginated list (the incident register, the document lists): no page
/// lists every record, so a page's cost does not grow with the corpus.
pub const LIST_PAGE_SIZE: usize = 100;

/// Page `n` (1-based) of the list whose first page is `first` (`incidents.html`,
/// `incidents-2.html`, …).
pub fn list_page_url(first: &str, n: usize) -> String {
    if n <= 1 {
        return first.to_string();
    }
    match first.strip_suffix(".html") {
        Some(stem) => format!("{stem}-{n}.html"),
        None => format!("{first}-{n}"),
    }
}

/// Splits `items` into pages ([`cut_ranges`], each item known by its `url`, else its `id`,
/// else its JSON): (URL, items, pager context). The pager is null for a single page.
pub fn paginate(first: &str, items: Vec<Value>) -> Vec<(String, Vec<Value>, Value)> {
    let fingerprints: Vec<u64> = items
        .iter()
        .map(|item| match item.get("url").or_else(|| item.get("id")) {
            Some(Value::String(name)) => fingerprint(&[name.as_bytes()]),
            _ => fingerprint(&[item.to_string().as_bytes()]),
        })
        .collect();
    let mut items = items.into_iter();
    cut_ranges(first, &fingerprints)
        .into_iter()
        .map(|(url, range, pager)| (url, items.by_ref().take(range.len()).collect(), pager))
        .collect()
}

/// A number for [`cut_ranges`] from the parts that identify an entry (the first 8 bytes of
/// their SHA-256, each part preceded by its length).
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    let mut first = [0u8; 8];
    first.copy_from_slice(&h.finalize()[..8]);
    u64::from_le_bytes(first)
}

/// Entries on a page cut by [`cut_ranges`]: at least (but the last page), at most.
const CUT_MIN: usize = 50;
const CUT_MAX: usize = 200;
/// Once a page holds [`CUT_MIN`] entries, one entry in this many ends it (≈ 100 a page).
const CUT_ONE_IN: u64 = 50;

/// The pages of a list of entries known by `fingerprints` (at least one page, empty when
/// there are none): each page's URL, the range of entries it shows and its pager context, so
/// that a caller can build each page's entries only when it renders that page. A list of up
/// to [`LIST_PAGE_SIZE`] entries is one page, without a pager; a longer one is cut where its
/// entries say, not every 100 entries: after an entry whose `fingerprints` value is a
/// multiple of [`CUT_ONE_IN`] once the page holds [`CUT_MIN`] entries, or at [`CUT_MAX`]
/// (content-defined chunking, as rsync and backup tools cut files). An entry added or removed
/// changes the page it is on and, rarely, the pages up to the next cut that falls where it
/// fell before; with fixed pages of 100, every page after it changed (at 10,000 documents, one
/// new warning re-rendered 130 pages of findings). The page numbers after it move only when
/// the number of pages before them changes.
pub fn cut_ranges(first: &str, fingerprints: &[u64]) -> Vec<(String, Range<usize>, Value)> {
    if fingerprints.len() <= LIST_PAGE_SIZE {
        let whole: Range<usize> = 0..fingerprints.len();
        return pages_of(first, std::iter::once(whole).collect());
    }
    let mut ranges = Vec::new();
    let mut start = 0;
    for (i, fingerprint) in fingerprints.iter().enumerate() {
        let len = i + 1 - start;
        if len >= CUT_MAX || len >= CUT_MIN && fingerprint % CUT_ONE_IN == 0 {
            ranges.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < fingerprints.len() || ranges.is_empty() {
        ranges.push(start..fingerprints.len());
    }
    pages_of(first, ranges)
}

/// Numbers `ranges` as pages 1, 2, … of the list whose first page is `first`. The pager
/// links the first, the last and two pages either side of the current one, with gaps
/// (`url: null`) between.
fn pages_of(first: &str, ranges: Vec<Range<usize>>) -> Vec<(String, Range<usize>, Value)> {
    let total = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            (
                list_page_url(first, i + 1),
                range,
                pager(first, i + 1, total),
            )
        })
        .collect()
}

fn pager(first: &str, n: usize, total: usize) -> Value {
    if total == 1 {
        return Value::Null;
    }
    let mut links = Vec::new();
    for k in 1..=total {
        if k == 1 || k == total || k.abs_diff(n) <= 2 {
            links.push(json!({"n": k, "url": list_page_url(first, k), "current": k == n}));
        } else if links.last().is_some_and(|l: &Value| !l["url"].is_null()) {
            links.push(json!({"n": k, "url": null, "current": false}));
        }
    }
    json!({
        "current": n,
        "total": total,
        "prev": (n > 1).then(|| list_page_url(first, n - 1)),
        "next": (n < total).then(|| list_page_url(first, n + 1)),
        "links": links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of well-mixed numbers (splitmix64).
    fn fingerprints(n: usize, seed: u64) -> Vec<u64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = x;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            })
            .collect()
    }

    /// The pages as what they hold: (URL, entries, pager).
    fn contents(fs: &[u64]) -> Vec<(String, Vec<u64>, Value)> {
        cut_ranges("findings.html", fs)
            .into_iter()
            .map(|(url, range, pager)| (url, fs[range].to_vec(), pager))
            .collect()
    }

    #[test]
    fn cut_pages_hold_every_entry_once_within_their_bounds() {
        for n in [0, 1, 49, 50, 199, 200, 201, 13_000] {
            let fs = fingerprints(n, 7);
            let pages = cut_ranges("findings.html", &fs);
            let mut next = 0;
            for (i, (url, range, _)) in pages.iter().enumerate() {
                assert_eq!(range.start, next, "pages follow each other");
                next = range.end;
                assert_eq!(*url, list_page_url("findings.html", i + 1));
                assert!(
                    range.len() <= CUT_MAX,
                    "{n}: page {i} holds {}",
                    range.len()
                );
                if i + 1 < pages.len() {
                    assert!(
                        range.len() >= CUT_MIN,
                        "{n}: page {i} holds {}",
                        range.len()
                    );
                }
            }
            assert_eq!(next, n, "every entry is on a page");
        }
        // About 100 a page.
        let pages = cut_ranges("findings.html", &fingerprints(13_000, 7)).len();
        assert!((90..=170).contains(&pages), "{pages} pages");
    }

    #[test]
    fn an_entry_added_or_removed_changes_few_pages() {
        let before = fingerprints(13_000, 11);
        let old = contents(&before);
        let mut most = 0;
        for (at, added) in [(17, 3), (6_500, 5), (6_501, 50), (12_990, 1)] {
            let mut after = before.clone();
            after.insert(at, added);
            let mut removed = before.clone();
            removed.remove(at);
            for changed in [after, removed] {
                let new = contents(&changed);
                let differ = new.iter().filter(|p| !old.contains(p)).count();
                if new.len() == old.len() {
                    // Same number of pages: only the pages around the change differ.
                    assert!(differ <= 3, "{differ} pages changed after an edit at {at}");
                    most = most.max(differ);
                }
            }
        }
        assert!(most >= 1, "an edit changes its page");
        // With fixed pages of 100, the same edit near the start changes all of them.
        let fixed = |fs: &[u64]| -> Vec<Vec<u64>> {
            fs.chunks(LIST_PAGE_SIZE).map(<[u64]>::to_vec).collect()
        };
        let mut after = before.clone();
        after.insert(17, 3);
        let (a, b) = (fixed(&before), fixed(&after));
        assert!(b.iter().filter(|p| !a.contains(p)).count() > 100);
    }
}
