//! Every kind of page the site has, declared once ([`PAGES`]): its URL scheme, the template
//! that draws it, who gets it, whether a scoped evidence bundle holds it, and whether the
//! version switcher maps it across versions. The render loop, the switcher and the evidence
//! bundles all read this table; a page that is not declared here is rendered by nobody and
//! left out of every scoped bundle.
//!
//! Adding a page: one entry here (with its body, a `Site` method), plus its template
//! (docs/architecture.md, "Add a page").

use super::Site;
use crate::model::document::Document;
use crate::model::{DocKind, RefKind};
use crate::render::Audience;

/// How the URLs of a kind of page are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Url {
    /// One page at this URL.
    Fixed(&'static str),
    /// A paginated list: the first page at this URL, then `stem-2.html`, `stem-3.html`, …
    List(&'static str),
    /// One page per record: this prefix, the record's id, `.html`.
    PerRecord(&'static str),
    /// Files under this folder (assets, the search index).
    Under(&'static str),
}

impl Url {
    /// True when `path` (relative to the site root) is a page of this scheme.
    pub fn matches(self, path: &str) -> bool {
        match self {
            Url::Fixed(url) => path == url,
            Url::List(first) => {
                path == first
                    || first.strip_suffix(".html").is_some_and(|stem| {
                        path.strip_prefix(stem)
                            .and_then(|rest| rest.strip_prefix('-'))
                            .and_then(|rest| rest.strip_suffix(".html"))
                            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    })
            }
            Url::PerRecord(prefix) => path
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(".html"))
                .is_some_and(|id| !id.is_empty() && !id.contains('/')),
            Url::Under(dir) => path.starts_with(dir),
        }
    }
}

/// What an evidence bundle scoped to some incidents (`kitei seal --incident`, `--period`)
/// does with a kind of page. A scoped bundle holds exactly its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoped {
    /// Always in: the page shows nothing of any incident.
    Keep,
    /// Only the pages of records in scope (the seal says which).
    InScope,
    /// Never in: the page lists records of every incident (register, dashboard, search).
    Drop,
}

/// What draws the pages of a kind.
#[derive(Clone, Copy)]
pub enum Body {
    /// This `Site` method renders every page of the kind.
    Draw(fn(&Site<'_>)),
    /// Drawn by the body of the kind named here (a list and its records are made together).
    With(&'static str),
    /// Supplied by the version history (`render::versions`), drawn by the render loop.
    Versions,
    /// Copied files and the search index, written by the render loop.
    Files,
}

/// One kind of page.
pub struct PageKind {
    pub name: &'static str,
    /// The template in `templates/` (empty for files that are not drawn by a template).
    pub template: &'static str,
    pub url: Url,
    /// The lowest audience whose site has the page.
    pub audience: Audience,
    pub scoped_bundle: Scoped,
    /// Part of a `--release` bundle (the release's documents, tables and notice).
    pub release_bundle: bool,
    /// The version switcher maps this page to the same page in other versions.
    pub switcher: bool,
    pub body: Body,
}

/// A page for every audience, outside `--release` bundles and the switcher unless said so.
/// Whether scoped bundles hold it is always said (there is no default: a page that lists
/// incidents must not slip into a bundle of other incidents).
const fn page(
    name: &'static str,
    template: &'static str,
    url: Url,
    scoped_bundle: Scoped,
    body: Body,
) -> PageKind {
    PageKind {
        name,
        template,
        url,
        audience: Audience::Public,
        scoped_bundle,
        release_bundle: false,
        switcher: false,
        body,
    }
}

impl PageKind {
    const fn for_audience(mut self, audience: Audience) -> PageKind {
        self.audience = audience;
        self
    }

    const fn in_release_bundle(mut self) -> PageKind {
        self.release_bundle = true;
        self
    }

    const fn switched(mut self) -> PageKind {
        self.switcher = true;
        self
    }

    /// The URL of record `id`'s page (for [`Url::PerRecord`] kinds).
    pub fn url_of(&self, id: &str) -> String {
        match self.url {
            Url::PerRecord(prefix) => format!("{prefix}{id}.html"),
            Url::Fixed(url) | Url::List(url) | Url::Under(url) => url.to_string(),
        }
    }
}

/// Every kind of page, in no particular order: each URL matches exactly one kind.
pub const PAGES: &[PageKind] = &[
    page(
        "home",
        "index.html",
        Url::Fixed("index.html"),
        Scoped::Keep,
        Body::Draw(|s| s.home()),
    )
    .switched(),
    page(
        "documents",
        "list.html",
        Url::List("documents.html"),
        Scoped::Keep,
        Body::With("home"),
    ),
    page(
        "runbooks",
        "list.html",
        Url::List("runbooks.html"),
        Scoped::Keep,
        Body::With("home"),
    ),
    page(
        "document",
        "document.html",
        Url::PerRecord("doc-"),
        Scoped::Keep,
        Body::Draw(|s| s.documents()),
    )
    .in_release_bundle()
    .switched(),
    page(
        "runbook",
        "runbook.html",
        Url::PerRecord("runbook-"),
        Scoped::Keep,
        Body::With("document"),
    ),
    page(
        "contacts",
        "contacts.html",
        Url::Fixed("contacts.html"),
        Scoped::Keep,
        Body::Draw(|s| s.contacts()),
    )
    .switched(),
    page(
        "roles",
        "roles.html",
        Url::Fixed("roles.html"),
        Scoped::Keep,
        Body::Draw(|s| s.roles()),
    )
    .switched(),
    page(
        "systems",
        "systems.html",
        Url::Fixed("systems.html"),
        Scoped::Keep,
        Body::Draw(|s| s.systems()),
    )
    .switched(),
    page(
        "severity",
        "severity.html",
        Url::Fixed("severity.html"),
        Scoped::Keep,
        Body::Draw(|s| s.severity()),
    )
    .switched(),
    page(
        "incidents",
        "incidents.html",
        Url::List("incidents.html"),
        Scoped::Drop,
        Body::Draw(|s| s.incident_pages()),
    )
    .switched(),
    page(
        "incident",
        "incident.html",
        Url::PerRecord("incident-"),
        Scoped::InScope,
        Body::With("incidents"),
    ),
    page(
        "dashboard",
        "dashboard.html",
        Url::Fixed("dashboard.html"),
        Scoped::Drop,
        Body::Draw(|s| s.dashboard()),
    )
    .for_audience(Audience::Employees)
    .switched(),
    page(
        "findings",
        "findings.html",
        Url::List("findings.html"),
        Scoped::Drop,
        Body::With("dashboard"),
    )
    .for_audience(Audience::Employees),
    page(
        "acknowledgements",
        "acknowledgements.html",
        Url::PerRecord("acknowledgements-"),
        Scoped::Drop,
        Body::Draw(|s| s.acknowledgement_pages()),
    )
    .for_audience(Audience::Restricted),
    page(
        "records",
        "records.html",
        Url::Fixed("records.html"),
        Scoped::Drop,
        Body::Draw(|s| s.records()),
    )
    .switched(),
    page(
        "drill",
        "drill.html",
        Url::PerRecord("drill-"),
        Scoped::Keep,
        Body::With("records"),
    ),
    page(
        "review",
        "review.html",
        Url::PerRecord("review-"),
        Scoped::Keep,
        Body::With("records"),
    ),
    page(
        "exception",
        "exception.html",
        Url::PerRecord("exception-"),
        Scoped::InScope,
        Body::With("records"),
    ),
    page(
        "versions",
        "versions.html",
        Url::Fixed("versions.html"),
        Scoped::Keep,
        Body::Versions,
    ),
    page(
        "changes",
        "changes.html",
        Url::PerRecord("changes-"),
        Scoped::Keep,
        Body::Versions,
    )
    .in_release_bundle(),
    page(
        "compare",
        "compare.html",
        Url::PerRecord("compare-"),
        Scoped::Keep,
        Body::Versions,
    )
    .in_release_bundle(),
    // The regulation documents' PDFs belong to a release; runbooks' and the contact sheet's
    // do not (as their pages). Declared before `pdf`, which matches them too.
    page(
        "document pdf",
        "",
        Url::Under("pdf/doc-"),
        Scoped::Keep,
        Body::With("pdf"),
    )
    .in_release_bundle(),
    page(
        "pdf",
        "",
        Url::Under("pdf/"),
        Scoped::Keep,
        Body::Draw(|s| s.pdfs()),
    ),
    page(
        "search index",
        "",
        Url::Under(crate::render::search::DIR),
        Scoped::Drop,
        Body::Files,
    ),
    page(
        "stylesheet",
        "",
        Url::Fixed("assets/kitei.css"),
        Scoped::Keep,
        Body::Files,
    )
    .in_release_bundle(),
    page(
        "assets",
        "",
        Url::Under("assets/"),
        Scoped::Keep,
        Body::Files,
    ),
];

/// The kind named `name` (a name from [`PAGES`]).
pub fn get(name: &str) -> &'static PageKind {
    PAGES
        .iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no page kind `{name}` in PAGES"))
}

/// The kind of the page at `path` (relative to the site root), if it is a declared page.
/// Specific schemes win over folders (`assets/kitei.css` over `assets/`).
pub fn kind_of(path: &str) -> Option<&'static PageKind> {
    let mut found = PAGES.iter().filter(|k| k.url.matches(path));
    let first = found.next()?;
    Some(match first.url {
        Url::Under(_) => found
            .find(|k| !matches!(k.url, Url::Under(_)))
            .unwrap_or(first),
        _ => first,
    })
}

/// Whether a bundle scoped to some incidents holds the page at `path`: an allow-list, so an
/// undeclared page stays out. `in_scope` answers for per-record pages ([`Scoped::InScope`]).
pub fn in_scoped_bundle(path: &str, in_scope: impl Fn(&str) -> bool) -> bool {
    match kind_of(path).map(|k| k.scoped_bundle) {
        Some(Scoped::Keep) => true,
        Some(Scoped::InScope) => in_scope(path),
        Some(Scoped::Drop) | None => false,
    }
}

/// Whether a `--release` bundle holds the page at `path`.
pub fn in_release_bundle(path: &str) -> bool {
    kind_of(path).is_some_and(|k| k.release_bundle)
}

/// The single pages (fixed URLs) the version switcher maps, for this audience.
pub fn switcher_pages(audience: Audience) -> impl Iterator<Item = &'static str> {
    PAGES.iter().filter_map(move |k| match k.url {
        Url::Fixed(url) | Url::List(url) if k.switcher && audience >= k.audience => Some(url),
        _ => None,
    })
}

/// The URL of a document's page.
pub fn doc_url(doc: &Document) -> String {
    match doc.kind() {
        DocKind::Runbook => get("runbook").url_of(doc.id()),
        _ => get("document").url_of(doc.id()),
    }
}

pub fn incident_url(id: &str) -> String {
    get("incident").url_of(id)
}

/// The URL of a drill, review or exception page.
pub fn record_url(kind: RefKind, id: &str) -> String {
    format!("{}-{id}.html", kind.prefix())
}

/// The file name of a comparison table.
pub fn compare_url(doc: &str, old: &str, new: &str) -> String {
    get("compare").url_of(&format!("{doc}-{old}-{new}"))
}

/// The file name of the comparison PDF of `old` → `new` under `pdf/`.
pub fn compare_pdf_file(old: &str, new: &str) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("compare-{}-{}.pdf", safe(old), safe(new))
}

/// The file name of a release's change notice.
pub fn notice_url(version: &str) -> String {
    get("changes").url_of(version)
}

/// The folder of an archived release's copy of the site.
pub fn archive_dir(version: &str) -> String {
    format!("v/{version}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_has_one_kind() {
        let k = |p: &str| kind_of(p).map(|k| k.name);
        assert_eq!(k("index.html"), Some("home"));
        assert_eq!(k("incidents.html"), Some("incidents"));
        assert_eq!(k("incidents-2.html"), Some("incidents"));
        assert_eq!(k("incident-INC-2.html"), Some("incident"));
        assert_eq!(k("runbooks-3.html"), Some("runbooks"));
        assert_eq!(k("runbook-ransomware.html"), Some("runbook"));
        assert_eq!(k("doc-main.html"), Some("document"));
        assert_eq!(
            k("acknowledgements-main-2026.1.html"),
            Some("acknowledgements")
        );
        assert_eq!(k("assets/kitei.css"), Some("stylesheet"));
        assert_eq!(k("assets/search.js"), Some("assets"));
        assert_eq!(k("assets/search/0.js"), Some("search index"));
        assert_eq!(k("pdf/doc-main.pdf"), Some("document pdf"));
        assert_eq!(k("pdf/runbook-x.pdf"), Some("pdf"));
        assert!(in_release_bundle("pdf/doc-main.pdf") && !in_release_bundle("pdf/contacts.pdf"));
        assert_eq!(k("unknown.html"), None);
        for kind in PAGES {
            if let Url::PerRecord(_) = kind.url {
                assert_eq!(
                    kind_of(&kind.url_of("X-1")).map(|k| k.name),
                    Some(kind.name)
                );
            }
            if let Body::With(other) = kind.body {
                assert!(matches!(get(other).body, Body::Draw(_)), "{}", kind.name);
            }
        }
    }

    #[test]
    fn every_drawn_page_has_an_embedded_template() {
        for kind in PAGES {
            if !kind.template.is_empty() {
                assert!(
                    crate::render::templates::DEFAULTS
                        .iter()
                        .any(|(name, _)| *name == kind.template),
                    "{}: add templates/{} to render::templates::DEFAULTS",
                    kind.name,
                    kind.template
                );
            }
        }
    }

    #[test]
    fn scoped_bundles_leave_out_every_page_of_the_register() {
        let none = |_: &str| false;
        assert!(!in_scoped_bundle("incidents.html", none));
        assert!(!in_scoped_bundle("incidents-2.html", none));
        assert!(!in_scoped_bundle("dashboard.html", none));
        assert!(!in_scoped_bundle("assets/search/0.js", none));
        assert!(!in_scoped_bundle("incident-INC-9.html", none));
        assert!(in_scoped_bundle("incident-INC-9.html", |p| p == "incident-INC-9.html"));
        assert!(in_scoped_bundle("doc-main.html", none));
        assert!(!in_scoped_bundle("new-page-nobody-declared.html", |_| true));
    }
}
