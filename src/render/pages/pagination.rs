//! Long lists split into pages of [`LIST_PAGE_SIZE`] with a pager: no page lists every record,
//! so a page's cost does not grow with the corpus.

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
/// is null for a single page; it links the first, the last and two pages either side of the
/// current one, with gaps (`url: null`) between.
pub fn paginate(first: &str, items: Vec<Value>) -> Vec<(String, Vec<Value>, Value)> {
    let total = items.len().div_ceil(LIST_PAGE_SIZE).max(1);
    let mut chunks: Vec<Vec<Value>> = Vec::with_capacity(total);
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() || chunks.is_empty() {
        chunks.push(items.by_ref().take(LIST_PAGE_SIZE).collect());
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let n = i + 1;
            let pager = if total == 1 {
                Value::Null
            } else {
                let mut links = Vec::new();
                for k in 1..=total {
                    if k == 1 || k == total || k.abs_diff(n) <= 2 {
                        links.push(
                            json!({"n": k, "url": list_page_url(first, k), "current": k == n}),
                        );
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
            };
            (list_page_url(first, n), chunk, pager)
        })
        .collect()
}
