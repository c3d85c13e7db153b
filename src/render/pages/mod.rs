//! What each page shows. Contexts are built field by field from the model (never by
//! serialising a whole record), after the audience filter: a restricted record or field that
//! is not put into a context cannot reach a page, a link or the search index.

use std::sync::{Arc, Mutex};

use chrono::FixedOffset;
use rayon::prelude::*;
use serde_json::{Value, json};
use tera::{Context, Tera};

pub mod acknowledgements;
mod dashboard;
mod directory;
mod documents;
mod format;
/// Periods (5日, 24時間) as the pages print them; the PDFs print them alike.
pub(crate) use format::period_text;
mod home;
mod incidents;
mod links;
mod navigation;
pub mod pagination;
mod pdfs;
mod records;
pub mod registry;
mod visibility;

pub use format::tel_href;
use format::{category_key, notification_key, status_key};
pub use pagination::{HOME_LIST_LIMIT, LIST_PAGE_SIZE, list_page_url, paginate};
pub use pdfs::pdf_file_name;
use registry::Body;
pub use registry::{doc_url, incident_url, record_url};

use super::incident_types::TypeNames;
use super::markdown::{self, Target};
use super::output::Sink;
use super::reuse::{self, PageMemo};
use super::spelling::Spelling;
use super::text_spool::{IndexedPage, SpooledPages, Stored, TextSpool};
use super::{Audience, BuildInfo, i18n, search, templates};
use crate::check::Ctx;
use crate::check::notifications::{self, DatedDuty, Due, DutyStatus, Regime};
use crate::config::{Lang, Project};
use crate::model::document::Document;
use crate::model::hours::WeeklyHours;
use crate::model::incident::{Incident, MeasureStatus, NotificationKind, Status};
use crate::model::reach::{Reachable, contact_sheet, roles_named};
use crate::model::tables::{Channel, ChannelKind, DeadlineFrom, OrgCategory};
use crate::model::{Corpus, DocKind, Period, Ref, RefKind, Timestamp};
use crate::text::prose;

/// The five runbook phases, by anchor, in order.
pub const PHASES: [&str; 5] = [
    "detection",
    "initial-response",
    "containment",
    "reporting",
    "recovery",
];

pub struct Site<'a> {
    project: &'a Project,
    corpus: &'a Corpus,
    info: &'a BuildInfo,
    audience: Audience,
    lang: Lang,
    tz: FixedOffset,
    tera: Arc<Tera>,
    common: Value,
    /// What every page's template context starts with (`site`, `t`): converted once.
    base_context: Context,
    /// Where pages go as they are rendered (several threads render at once).
    sink: &'a dyn Sink,
    /// The search index's pages as they are rendered; their texts wait in `texts`.
    index: Mutex<Vec<IndexedPage>>,
    texts: Arc<TextSpool>,
    errors: Mutex<Vec<String>>,
    /// The digest every page's key starts from: the templates, the kitei binary and the
    /// context every page shares ([`super::reuse`]).
    base_key: reuse::Hash,
    /// The previous build's pages, and this build's (incremental builds only).
    memo: Option<&'a PageMemo>,
    /// The digest of every input that is not a document (incremental builds only): part of
    /// each document page's declared inputs (see [`Site::document`]).
    non_document_inputs: reuse::Hash,
    /// What every document page may read of the other documents, and the versions (incremental
    /// builds only): with its own sources, the inputs of its key ([`Site::document_quick`]).
    document_facts: reuse::Hash,
    /// The check's view of the corpus as of the evaluation date (deadlines, duties).
    check: Ctx<'a>,
    /// What readers see for an incident type's id.
    type_names: TypeNames,
    /// How the search index spells words (shipped table and `[search] variants`).
    spelling: Spelling,
    /// What this audience may not see ([`Site::hidden_records`]): made once per site, for the
    /// dashboard and for every exception's page.
    hidden_records: std::sync::OnceLock<dashboard::Hidden>,
}

impl<'a> Site<'a> {
    pub fn new(
        project: &'a Project,
        corpus: &'a Corpus,
        info: &'a BuildInfo,
        sink: &'a dyn Sink,
    ) -> Result<Self, String> {
        let (tera, overrides) = templates::engine(&project.root.join("templates"))?;
        let mut site = Site {
            project,
            corpus,
            info,
            audience: info.audience,
            lang: project.config.lang,
            tz: project.tz,
            tera,
            common: Value::Null,
            base_context: Context::new(),
            sink,
            index: Mutex::new(Vec::new()),
            texts: Arc::new(TextSpool::new()),
            errors: Mutex::new(Vec::new()),
            base_key: [0; 32],
            memo: None,
            non_document_inputs: [0; 32],
            document_facts: [0; 32],
            check: Ctx::new(corpus, project, info.as_of),
            type_names: TypeNames::new(project.config.lang, &project.config.incident_types),
            spelling: Spelling::new(&project.config.search.variants)?,
            hidden_records: std::sync::OnceLock::new(),
        };
        site.common = site.common_context();
        let strings = i18n::strings(site.lang);
        site.base_context.insert("site", &site.common);
        site.base_context.insert("t", &strings);
        let mut key = reuse::KeyBuilder::new("kitei-page/1");
        key.part(reuse::binary_identity().as_bytes())
            .json(&overrides)
            .json(&site.common)
            .json(&strings)
            // The bigrams a page's search text is indexed under (kept with the page).
            .json(&project.config.search.variants);
        site.base_key = key.finish();
        Ok(site)
    }

    /// Renders only the pages whose inputs differ from the previous build's (as recorded in
    /// `memo`), linking the others from the previous site; records this build's pages in
    /// `memo`. Only useful with a sink that keeps files ([`super::output::Staging`]).
    pub fn incremental(mut self, memo: &'a PageMemo) -> Self {
        memo.restart();
        self.memo = Some(memo);
        self.non_document_inputs = self.non_document_inputs();
        self.document_facts = self.document_facts();
        self
    }

    /// The digest of every source file that is not a document (path, length and SHA-256),
    /// of the settings and of the build's facts the pages read (the evaluation date, whether
    /// PDFs are linked): what a page may read besides its own document and its links.
    fn non_document_inputs(&self) -> reuse::Hash {
        let mut is_document = vec![false; self.corpus.files.len()];
        for d in &self.corpus.documents {
            if let Some(slot) = is_document.get_mut(d.file) {
                *slot = true;
            }
        }
        let mut key = reuse::KeyBuilder::new("non-document-inputs");
        key.part(&self.project.config_digest)
            .part(self.info.as_of.to_string().as_bytes())
            .part(&[u8::from(self.info.pdf)]);
        for (file, _) in self
            .corpus
            .files
            .iter()
            .zip(&is_document)
            .filter(|(_, is_document)| !**is_document)
        {
            key.part(file.rel_path.as_os_str().as_encoded_bytes())
                .part(&file.len.to_le_bytes())
                .part(file.sha256.as_bytes());
        }
        key.finish()
    }

    fn doc(&self, id: &str) -> Option<&'a Document> {
        self.corpus.document(id).map(|d| &d.item)
    }

    fn t(&self, key: &str) -> &'static str {
        i18n::get(self.lang, key)
    }

    fn error(&self, message: String) {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(message);
    }

    fn render(&self, template: &str, url: &str, title: &str, nav: &str, page: Value) {
        let versions = self.info.versions.page_context(url);
        let key = self.memo.map(|memo| {
            let mut key = reuse::KeyBuilder::new("page");
            key.part(&self.base_key)
                .part(template.as_bytes())
                .part(url.as_bytes())
                .part(title.as_bytes())
                .part(nav.as_bytes())
                .json(&page)
                .json(&versions);
            (memo, key.finish())
        });
        if !self.reused(url, title, key) {
            self.render_page(template, url, title, nav, page, &versions, key, true);
        }
    }

    /// [`Site::render`] for a page whose context is costly to build (a document's, a page of
    /// findings): keyed by the digest of its declared `inputs` instead of the context, which
    /// `build` makes only when the page is not reused (false with it when building it
    /// reported errors). Beside the base key (templates, language, the site's common context)
    /// and the page's versions, `inputs` must cover everything the context reads — for a
    /// document page its own source file, where its links go and
    /// [`Site::non_document_inputs`]. `reusable` false (an input not known beforehand, e.g. a
    /// broken link): the page is rendered and not recorded.
    #[allow(clippy::too_many_arguments)]
    fn render_declared(
        &self,
        template: &str,
        url: &str,
        title: &str,
        nav: &str,
        inputs: &reuse::Hash,
        reusable: bool,
        build: &dyn Fn() -> (Value, bool),
    ) {
        let versions = self.info.versions.page_context(url);
        let key = self.memo.map(|memo| {
            let mut key = reuse::KeyBuilder::new("page-from-inputs/2");
            key.part(&self.base_key)
                .part(template.as_bytes())
                .part(url.as_bytes())
                .part(title.as_bytes())
                .part(nav.as_bytes())
                .part(inputs)
                .json(&versions);
            (memo, key.finish())
        });
        if reusable && self.reused(url, title, key) {
            return;
        }
        let (page, clean) = build();
        self.render_page(
            template,
            url,
            title,
            nav,
            page,
            &versions,
            key,
            clean && reusable,
        );
    }

    /// Whether the previous build's page under this key is still published as it was: then
    /// it is linked into this build, recorded again and indexed from its kept text.
    fn reused(&self, url: &str, title: &str, key: Option<(&PageMemo, reuse::Hash)>) -> bool {
        let Some((memo, key)) = key else {
            return false;
        };
        let Some(previous) = memo.take(url, &key) else {
            return false;
        };
        if !self.sink.keep(url, &previous.digest) {
            return false;
        }
        memo.record_reused(url, &previous);
        // The previous build's text is in memory already (the memo was read whole): spooling
        // it would only write it out and read it back.
        self.index_page(
            url,
            title,
            Stored::Held(previous.text, previous.grams),
            Some(previous.digest),
        );
        true
    }

    /// Renders a page from its context, writes it and indexes it; records it under `key` when
    /// `record` (only a page that rendered cleanly is recorded: one with errors — a preview
    /// built with `--allow-errors` — is rendered again, so its errors are reported again).
    #[allow(clippy::too_many_arguments)]
    fn render_page(
        &self,
        template: &str,
        url: &str,
        title: &str,
        nav: &str,
        page: Value,
        versions: &Value,
        key: Option<(&PageMemo, reuse::Hash)>,
        record: bool,
    ) {
        let mut ctx = self.base_context.clone();
        ctx.insert("title", title);
        ctx.insert("current", nav);
        ctx.insert_value("page", templates::into_value(page));
        ctx.insert("versions", versions);
        let rendered = self.tera.render(template, &ctx);
        // What a large page holds is let go of as soon as it is used: the context once the
        // page is rendered, the page once its text is taken out and it is written.
        drop(ctx);
        match rendered {
            Ok(html) => {
                let text = search::main_text(&html);
                let digest = self.sink.put_page(url, html.into_bytes());
                // Found here (on this page's thread) when they are recorded for the next build.
                let grams = (record && key.is_some())
                    .then(|| search::Grams::of(&self.spelling, title, &text));
                self.index_page(url, title, self.texts.put(text, grams), digest);
                if let (Some((memo, key)), Some(digest), true) = (key, digest, record) {
                    memo.record(url, key, digest);
                }
            }
            Err(e) => self.error(format!(
                "template `{template}` for {url}: {}",
                templates::describe(&e)
            )),
        }
    }

    fn index_page(&self, url: &str, title: &str, stored: Stored, digest: Option<reuse::Hash>) {
        let entry = IndexedPage {
            url: url.to_string(),
            title: title.to_string(),
            stored,
            digest,
        };
        self.index
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
    }

    /// Renders every page and asset into the sink; returns every error (broken links,
    /// template errors), sorted. For previews built with `--allow-errors` a broken link is
    /// plain text and a page whose template failed is missing. Documents and incident pages
    /// render in parallel; the search index is written last, from entries sorted by URL.
    pub fn render_into_sink(self) -> Vec<String> {
        let mut parts = crate::timings::Parts::start("render");
        registry::PAGES.par_iter().for_each(|kind| match kind.body {
            Body::Draw(draw) if self.audience >= kind.audience => draw(&self),
            _ => {}
        });
        for extra in &self.info.versions.pages {
            let mut page = extra.page.clone();
            if let (Some(pdf), Value::Object(fields)) = (&extra.pdf, &mut page) {
                fields.insert("pdf".into(), json!(self.pdf_link(pdf)));
            }
            self.render(extra.template, &extra.url, &extra.title, "versions", page);
        }
        let templates_dir = self.project.root.join("templates");
        for (name, default) in templates::ASSETS {
            match templates::asset(&templates_dir, name, default) {
                Ok(bytes) => self.sink.put(name, bytes),
                Err(e) => self.error(e),
            }
        }
        parts.lap("pages");
        let mut index = std::mem::take(&mut *self.index.lock().unwrap_or_else(|e| e.into_inner()));
        index.sort_by(|a, b| a.url.cmp(&b.url));
        let pages = SpooledPages::new(&index, &self.texts);
        search::write_index(&pages, &self.spelling, &IndexOutput(&self));
        let mut errors = self.errors.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = pages.error() {
            errors.push(format!(
                "cannot read back the pages' search texts from a temporary file: {e}; check the \
                 space left in the temporary folder (TMPDIR)"
            ));
        }
        parts.lap("search index");
        if let Some(memo) = self.memo {
            for page in index {
                memo.set_search(&page.url, &self.texts, page.stored);
            }
        }
        errors.sort();
        errors
    }
}

/// The search index's files as a site writes them: into its sink, and those made from a known
/// key recorded in the page memo, so that the next build can link them instead of making them
/// again (the same checks as a reused page: [`Site::reused`]).
struct IndexOutput<'s, 'a>(&'s Site<'a>);

impl IndexOutput<'_, '_> {
    /// The memo's key of an index file: its own key and everything every page's key holds
    /// (the kitei binary among it: the file's format is the binary's).
    fn memo_key(&self, key: &reuse::Hash) -> reuse::Hash {
        let mut k = reuse::KeyBuilder::new("search-index-file");
        k.part(&self.0.base_key).part(key);
        k.finish()
    }
}

impl search::IndexFiles for IndexOutput<'_, '_> {
    fn put(&self, path: String, bytes: Vec<u8>, key: Option<reuse::Hash>) {
        let site = self.0;
        match (site.memo, key) {
            (Some(memo), Some(key)) => {
                if let Some(digest) = site.sink.put_page(&path, bytes) {
                    memo.record_file(&path, self.memo_key(&key), digest, false);
                }
            }
            _ => site.sink.put(&path, bytes),
        }
    }

    fn keep(&self, path: &str, key: &reuse::Hash) -> bool {
        let site = self.0;
        let Some(memo) = site.memo else {
            return false;
        };
        let key = self.memo_key(key);
        let Some(previous) = memo.take(path, &key) else {
            return false;
        };
        if !site.sink.keep(path, &previous.digest) {
            return false;
        }
        memo.record_file(path, key, previous.digest, true);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_splits_lists_and_windows_the_pager() {
        assert_eq!(list_page_url("incidents.html", 1), "incidents.html");
        assert_eq!(list_page_url("incidents.html", 7), "incidents-7.html");
        let one = paginate("runbooks.html", vec![json!(1); 100]);
        assert_eq!(one.len(), 1);
        assert!(one[0].2.is_null(), "a single page has no pager");
        assert_eq!(
            paginate("x.html", Vec::new()).len(),
            1,
            "an empty list still has its page"
        );
        let items: Vec<Value> = (0..2001)
            .map(|n| json!({"url": format!("incident-{n}.html")}))
            .collect();
        let pages = paginate("incidents.html", items);
        assert!(pages.len() >= 11, "{} pages", pages.len());
        let total = pages.len();
        assert_eq!(
            pages.iter().map(|p| p.1.len()).sum::<usize>(),
            2001,
            "every item once"
        );
        let (url, _, pager) = &pages[5];
        assert_eq!(url, "incidents-6.html");
        let shown: Vec<Value> = pager["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["n"].clone())
            .collect();
        assert_eq!(
            shown,
            [1, 2, 4, 5, 6, 7, 8, 9, total].map(|n| json!(n)),
            "1 … 4–8 … last"
        );
        assert!(pager["links"][1]["url"].is_null(), "a gap");
        assert_eq!(pager["prev"], "incidents-5.html");
        assert_eq!(pager["next"], "incidents-7.html");
    }

    #[test]
    fn tel_links() {
        assert_eq!(tel_href("03-0000-0001"), "tel:0300000001");
        assert_eq!(tel_href("+81 3-0000-0001（内線 100）"), "tel:+81300000001");
        assert_eq!(tel_href("０３-００００"), "tel:030000");
    }
}
