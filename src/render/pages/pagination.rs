//! Long lists split into pages of [`LIST_PAGE_SIZE`] with a pager: no page lists every record,
//! so a page's cost does not grow with the corpus.

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

/// Splits `items` into pages of [`LIST_PAGE_SIZE`]: (URL, items, pager context). The pager
/// is null for a single page; see [`page_ranges`].
pub fn paginate(first: &str, items: Vec<Value>) -> Vec<(String, Vec<Value>, Value)> {
    let mut items = items.into_iter();
    page_ranges(first, items.len())
        .into_iter()
        .map(|(url, range, pager)| (url, items.by_ref().take(range.len()).collect(), pager))
        .collect()
}

/// The pages of a list of `len` entries (at least one page, empty when `len` is 0): each
/// page's URL, the range of entries it shows and its pager context, so that a caller can
/// build each page's entries only when it renders that page. The pager is null for a single
/// page; it links the first, the last and two pages either side of the current one, with
/// gaps (`url: null`) between.
pub fn page_ranges(first: &str, len: usize) -> Vec<(String, Range<usize>, Value)> {
    let total = len.div_ceil(LIST_PAGE_SIZE).max(1);
    (1..=total)
        .map(|n| {
            let start = (n - 1) * LIST_PAGE_SIZE;
            let range = start..len.min(start + LIST_PAGE_SIZE);
            (list_page_url(first, n), range, pager(first, n, total))
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
