//! What each page shows. Contexts are built field by field from the model (never by
//! serialising a whole record), after the audience filter: a restricted record or field that
//! is not put into a context cannot reach a page, a link or the search index.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::FixedOffset;
use rayon::prelude::*;
use serde_json::{Value, json};
use tera::{Context, Tera};

mod dashboard;
mod records;

use super::markdown::{self, Target};
use super::output::Sink;
use super::{Audience, BuildInfo, i18n, search, templates};
use crate::check::Ctx;
use crate::check::notifications::{self, DatedDuty, Due, DutyStatus, Regime};
use crate::config::{Lang, Project};
use crate::model::document::Document;
use crate::model::incident::{Incident, MeasureStatus, NotificationKind, Status};
use crate::model::tables::{Channel, ChannelKind, DeadlineFrom, OrgCategory};
use crate::model::{Corpus, DocKind, Ref, RefKind, Timestamp};
use crate::text::prose;

/// The five runbook phases, by anchor, in order.
pub const PHASES: [&str; 5] = [
    "detection",
    "initial-response",
    "containment",
    "reporting",
    "recovery",
];

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

pub struct Site<'a> {
    project: &'a Project,
    corpus: &'a Corpus,
    info: &'a BuildInfo,
    audience: Audience,
    lang: Lang,
    tz: FixedOffset,
    tera: Tera,
    /// Documents by id (links are resolved per link; a linear search is quadratic).
    doc_ids: HashMap<&'a str, &'a Document>,
    common: Value,
    /// What every page's template context starts with (`site`, `t`): converted once.
    base_context: Context,
    /// Where pages go as they are rendered (several threads render at once).
    sink: &'a dyn Sink,
    index: Mutex<Vec<search::Entry>>,
    errors: Mutex<Vec<String>>,
    /// The check's view of the corpus as of the evaluation date (deadlines, duties).
    check: Ctx<'a>,
}

/// The URL of a document's page.
pub fn doc_url(doc: &Document) -> String {
    match doc.kind() {
        DocKind::Runbook => format!("runbook-{}.html", doc.id()),
        _ => format!("doc-{}.html", doc.id()),
    }
}

pub fn incident_url(id: &str) -> String {
    format!("incident-{id}.html")
}

/// The URL of a drill, review or exception page.
pub fn record_url(kind: RefKind, id: &str) -> String {
    format!("{}-{id}.html", kind.prefix())
}

impl<'a> Site<'a> {
    pub fn new(
        project: &'a Project,
        corpus: &'a Corpus,
        info: &'a BuildInfo,
        sink: &'a dyn Sink,
    ) -> Result<Self, String> {
        let tera = templates::engine(&project.root.join("templates"))?;
        let mut site = Site {
            project,
            corpus,
            info,
            audience: info.audience,
            lang: project.config.lang,
            tz: project.tz,
            tera,
            doc_ids: corpus
                .documents
                .iter()
                .rev()
                .map(|d| (d.id(), &d.item))
                .collect(),
            common: Value::Null,
            base_context: Context::new(),
            sink,
            index: Mutex::new(Vec::new()),
            errors: Mutex::new(Vec::new()),
            check: Ctx::new(corpus, project, info.as_of),
        };
        site.common = site.common_context();
        site.base_context.insert("site", &site.common);
        site.base_context.insert("t", &i18n::strings(site.lang));
        Ok(site)
    }

    /// The compliance dashboard and the records list are for the company (employees and the
    /// security team), not for a public site.
    fn has_dashboard(&self) -> bool {
        self.audience >= Audience::Employees
    }

    fn doc(&self, id: &str) -> Option<&'a Document> {
        self.doc_ids.get(id).copied()
    }

    fn t(&self, key: &str) -> &'static str {
        i18n::get(self.lang, key)
    }

    // ---- visibility -------------------------------------------------------------------------

    fn docs(&self) -> impl Iterator<Item = &'a Document> + '_ {
        let audience = self.audience;
        self.corpus
            .documents
            .iter()
            .map(|d| &d.item)
            .filter(move |d| audience.sees(d.meta.visibility))
    }

    fn incidents(&self) -> Vec<&'a Incident> {
        let mut v: Vec<&Incident> = self
            .corpus
            .incidents
            .iter()
            .map(|i| &i.item)
            .filter(|i| self.audience.sees(i.visibility))
            .collect();
        v.sort_by(|a, b| {
            b.detected_at
                .value
                .cmp(&a.detected_at.value)
                .then_with(|| a.id.value.cmp(&b.id.value))
        });
        v
    }

    /// The main regulation shown on the home page and in the footer.
    fn regulation(&self) -> Option<&'a Document> {
        self.docs().find(|d| d.kind() == DocKind::Regulation)
    }

    // ---- links -----------------------------------------------------------------------------

    /// Where a typed reference goes for this audience (`current`: the document it appears in).
    pub fn resolve_ref(&self, r: &Ref, current: Option<&Document>) -> Target {
        let c = self.corpus;
        let a = self.audience;
        let page = |url: String, visible: bool| {
            if visible {
                Target::Page(url)
            } else {
                Target::Unlinked
            }
        };
        let missing = || Target::Broken(format!("no {} `{}`", r.kind.prefix(), r.id));
        match r.kind {
            RefKind::Role => match c.role(&r.id) {
                // People-holding roles are listed in the contact table, committees on the roles page.
                Some(role) if role.committee => {
                    page(format!("roles.html#role-{}", r.id), a.sees(role.visibility))
                }
                Some(role) => page(
                    format!("contacts.html#role-{}", r.id),
                    a.sees(role.visibility),
                ),
                None => missing(),
            },
            RefKind::Contact => {
                if let Some(p) = c.people.iter().find(|p| p.id.value == r.id) {
                    page(
                        format!("contacts.html#contact-{}", r.id),
                        a.sees(p.visibility),
                    )
                } else if let Some(o) = c.organisation(&r.id) {
                    page(
                        format!("contacts.html#contact-{}", r.id),
                        a.sees(o.visibility),
                    )
                } else {
                    missing()
                }
            }
            RefKind::System => match c.systems.iter().find(|s| s.id.value == r.id) {
                Some(s) => page(
                    format!("systems.html#system-{}", r.id),
                    a.sees(s.visibility),
                ),
                None => missing(),
            },
            RefKind::Runbook | RefKind::Doc => match self.doc(&r.id) {
                Some(d) => page(doc_url(d), a.sees(d.meta.visibility)),
                None => missing(),
            },
            RefKind::Clause => {
                let (doc, anchor) = match &r.fragment {
                    Some(f) => (self.doc(&r.id), f.as_str()),
                    None => (current, r.id.as_str()),
                };
                let Some(doc) = doc else { return missing() };
                if doc.anchor(anchor).is_none() {
                    return Target::Broken(format!("no clause `{anchor}` in `{}`", doc.id()));
                }
                let same = current.is_some_and(|cur| cur.id() == doc.id());
                let url = if same {
                    format!("#{anchor}")
                } else {
                    format!("{}#{anchor}", doc_url(doc))
                };
                page(url, a.sees(doc.meta.visibility))
            }
            RefKind::Incident => match c.incidents.iter().find(|i| i.id.value == r.id) {
                Some(i) => page(incident_url(&r.id), a.sees(i.visibility)),
                None => missing(),
            },
            RefKind::Drill | RefKind::Review | RefKind::Exception => {
                match self.record_visible(r.kind, &r.id) {
                    Some(visible) => page(record_url(r.kind, &r.id), visible),
                    None => missing(),
                }
            }
        }
    }

    /// True when `r` names an existing record this audience may not see.
    fn hidden(&self, r: &Ref) -> bool {
        match r.kind {
            RefKind::Drill | RefKind::Review | RefKind::Exception => {
                self.record_visible(r.kind, &r.id) == Some(false)
            }
            _ => self
                .own_visibility(r)
                .is_some_and(|v| !self.audience.sees(v)),
        }
    }

    /// Whether this audience may see the drill, review or exception `id` (`None`: no such
    /// record). Reviews and exceptions are about another record and their text talks about
    /// it: they are shown only when that record is visible too.
    fn record_visible(&self, kind: RefKind, id: &str) -> Option<bool> {
        let c = self.corpus;
        let a = self.audience;
        let target_hidden = |r: &Ref| self.own_visibility(r).is_some_and(|v| !a.sees(v));
        match kind {
            RefKind::Drill => c
                .drills
                .iter()
                .find(|d| d.id.value == id)
                .map(|d| a.sees(d.visibility)),
            RefKind::Review => c
                .reviews
                .iter()
                .find(|r| r.id.value == id)
                .map(|r| a.sees(r.visibility) && !target_hidden(&r.document.value)),
            RefKind::Exception => c
                .exceptions
                .iter()
                .find(|e| e.id.value == id)
                .map(|e| a.sees(e.visibility) && !target_hidden(&e.record.value)),
            _ => None,
        }
    }

    /// The record's own visibility (`None`: no such record).
    fn own_visibility(&self, r: &Ref) -> Option<crate::model::Visibility> {
        let c = self.corpus;
        match r.kind {
            RefKind::Role => c.role(&r.id).map(|x| x.visibility),
            RefKind::Contact => c
                .people
                .iter()
                .find(|p| p.id.value == r.id)
                .map(|p| p.visibility)
                .or_else(|| c.organisation(&r.id).map(|o| o.visibility)),
            RefKind::System => c
                .systems
                .iter()
                .find(|s| s.id.value == r.id)
                .map(|s| s.visibility),
            RefKind::Runbook | RefKind::Doc | RefKind::Clause => {
                self.doc(&r.id).map(|d| d.meta.visibility)
            }
            RefKind::Incident => c
                .incidents
                .iter()
                .find(|i| i.id.value == r.id)
                .map(|i| i.visibility),
            RefKind::Drill => c
                .drills
                .iter()
                .find(|d| d.id.value == r.id)
                .map(|d| d.visibility),
            RefKind::Review => c
                .reviews
                .iter()
                .find(|d| d.id.value == r.id)
                .map(|d| d.visibility),
            RefKind::Exception => c
                .exceptions
                .iter()
                .find(|d| d.id.value == r.id)
                .map(|d| d.visibility),
        }
    }

    fn resolve_dest(&self, dest: &str, current: &Document) -> Target {
        let Some((prefix, _)) = dest.split_once(':') else {
            return Target::External;
        };
        if RefKind::from_prefix(prefix).is_none() {
            return Target::External;
        }
        match dest.parse::<Ref>() {
            Ok(r) => self.resolve_ref(&r, Some(current)),
            Err(e) => Target::Broken(e),
        }
    }

    /// `{name, url}` for a role or contact reference (url null when not linkable).
    fn ref_json(&self, r: &Ref) -> Value {
        let c = self.corpus;
        let name = match r.kind {
            RefKind::Role => c.role(&r.id).map(|x| x.name.clone()),
            RefKind::Contact => c
                .people
                .iter()
                .find(|p| p.id.value == r.id)
                .map(|p| p.name.clone())
                .or_else(|| c.organisation(&r.id).map(|o| o.name.clone())),
            RefKind::System => c
                .systems
                .iter()
                .find(|s| s.id.value == r.id)
                .map(|s| s.name.clone()),
            RefKind::Runbook | RefKind::Doc => self.doc(&r.id).map(|d| d.meta.title.clone()),
            RefKind::Drill => c
                .drills
                .iter()
                .find(|d| d.id.value == r.id)
                .map(|d| d.title.clone()),
            RefKind::Incident | RefKind::Review | RefKind::Exception => Some(r.id.clone()),
            RefKind::Clause => None,
        };
        let url = match self.resolve_ref(r, None) {
            Target::Page(u) => Value::String(u),
            _ => Value::Null,
        };
        // A record the audience may not see is named by a placeholder, not even by its id.
        let name = if self.hidden(r) {
            self.t("not_shown").to_string()
        } else {
            name.unwrap_or_else(|| r.to_string())
        };
        json!({ "name": name, "url": url })
    }

    // ---- formatting ------------------------------------------------------------------------

    fn ts(&self, t: &Timestamp) -> String {
        t.0.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    fn due_text(&self, due: Due) -> String {
        match due {
            Due::Day(d) => d.to_string(),
            Due::Instant(t) => self.ts(&Timestamp(t)),
        }
    }

    /// One dated duty of an incident (from [`notifications::dated_duties`], the list the
    /// rules check): what, to whom, within what term, by when, and where it stands.
    fn duty_json(&self, d: &DatedDuty) -> Value {
        let to = match (d.to, d.sent.and_then(|n| n.to.as_ref())) {
            (Some(id), _) => self.ref_json(&Ref::new(RefKind::Contact, id)),
            (None, Some(to)) => self.ref_json(&to.value),
            (None, None) => json!({"name": self.t("ppc"), "url": null}),
        };
        let term = match (d.period, d.days) {
            (Some(p), _) => Some(p.to_string()),
            (None, Some(days)) => Some(format!("{days}{}", self.t("days_unit"))),
            (None, None) => None,
        };
        let law = match d.regime {
            Regime::Appi => "regime_appi",
            Regime::MyNumber => "regime_my_number",
            Regime::Notice => "regime_notice",
        };
        json!({
            "code": d.code,
            "kind": self.t(notification_key(d.kind)),
            "law": self.t(law),
            "to": to,
            "term": term,
            "due": self.due_text(d.due),
            "due_date": d.due.date(self.tz).to_string(),
            "sent_at": d.sent.map(|n| self.ts(&n.at.value)),
            "status_key": duty_status_key(d.status),
            "status": self.t(duty_status_key(d.status)),
            "days_left": d.days_left(self.info.as_of, self.tz),
        })
    }

    fn channel_json(&self, ch: &Channel) -> Value {
        let kind = match ch.kind {
            ChannelKind::Phone => "phone",
            ChannelKind::Mobile => "mobile",
            ChannelKind::Email => "email",
            ChannelKind::Web => "web",
            ChannelKind::Fax => "fax",
            ChannelKind::Chat => "chat",
            ChannelKind::Postal => "postal",
        };
        let href = match ch.kind {
            ChannelKind::Phone | ChannelKind::Mobile => Some(tel_href(&ch.value)),
            ChannelKind::Email => Some(format!("mailto:{}", ch.value.trim())),
            ChannelKind::Web
                if ch.value.starts_with("https://") || ch.value.starts_with("http://") =>
            {
                Some(ch.value.clone())
            }
            _ => None,
        };
        json!({
            "kind": kind,
            "label": self.t(&format!("channel_{kind}")),
            "value": ch.value,
            "href": href,
            "hours": ch.hours,
            "note": ch.note,
        })
    }

    // ---- context ---------------------------------------------------------------------------

    fn common_context(&self) -> Value {
        let version = self
            .regulation()
            .and_then(|d| d.meta.version.as_ref())
            .map(|v| v.value.clone());
        let first_regulation = self
            .regulation()
            .or_else(|| self.docs().find(|d| d.kind() != DocKind::Runbook))
            .map(doc_url);
        let mut nav =
            vec![json!({"key": "home", "url": "index.html", "label": self.t("nav_home")})];
        if let Some(url) = first_regulation {
            nav.push(json!({"key": "regulation", "url": url, "label": self.t("nav_regulation")}));
        }
        for (key, url) in [
            ("runbooks", "index.html#runbooks"),
            ("contacts", "contacts.html"),
            ("roles", "roles.html"),
            ("systems", "systems.html"),
            ("severity", "severity.html"),
            ("incidents", "incidents.html"),
            ("dashboard", "dashboard.html"),
        ] {
            if key == "dashboard" && !self.has_dashboard() {
                continue;
            }
            nav.push(json!({"key": key, "url": url, "label": self.t(&format!("nav_{key}"))}));
        }
        json!({
            "organisation": self.project.config.organisation,
            "lang": self.t("lang"),
            "audience": self.audience.as_str(),
            "audience_label": self.t(&format!("audience_{}", self.audience.as_str())),
            "version": version,
            "commit": self.info.commit,
            "build_date": self.info.build_date,
            "preview": self.info.preview,
            "nav": nav,
        })
    }

    fn error(&self, message: String) {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(message);
    }

    fn render(&self, template: &str, url: &str, title: &str, nav: &str, page: Value) {
        let mut ctx = self.base_context.clone();
        ctx.insert("title", title);
        ctx.insert("current", nav);
        ctx.insert("page", &page);
        ctx.insert("versions", &self.info.versions.page_context(url));
        match self.tera.render(template, &ctx) {
            Ok(html) => {
                let mut text = search::main_text(&html);
                text.shrink_to_fit(); // held until the index is written, for every page
                let entry = search::Entry {
                    url: url.to_string(),
                    title: title.to_string(),
                    text,
                };
                self.index
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(entry);
                self.sink.put(url, html.into_bytes());
            }
            Err(e) => self.error(format!(
                "template `{template}` for {url}: {}",
                templates::describe(&e)
            )),
        }
    }

    /// Renders every page and asset into the sink; returns every error (broken links,
    /// template errors), sorted. For previews built with `--allow-errors` a broken link is
    /// plain text and a page whose template failed is missing. Documents and incident pages
    /// render in parallel; the search index is written last, from entries sorted by URL.
    pub fn render_into_sink(self) -> Vec<String> {
        rayon::join(
            || {
                let docs: Vec<&Document> = self.docs().collect();
                docs.par_iter().for_each(|doc| self.document(doc));
            },
            || {
                self.home();
                self.contacts();
                self.roles();
                self.systems();
                self.severity();
                self.incident_pages();
                if self.has_dashboard() {
                    self.dashboard();
                }
                self.records();
                for extra in &self.info.versions.pages {
                    self.render(
                        extra.template,
                        &extra.url,
                        &extra.title,
                        "versions",
                        extra.page.clone(),
                    );
                }
            },
        );
        let templates_dir = self.project.root.join("templates");
        for (name, default) in templates::ASSETS {
            match templates::asset(&templates_dir, name, default) {
                Ok(bytes) => self.sink.put(name, bytes),
                Err(e) => self.error(e),
            }
        }
        let mut index = self.index.into_inner().unwrap_or_else(|e| e.into_inner());
        index.sort_by(|a, b| a.url.cmp(&b.url));
        search::write_index(&index, &|path, bytes| self.sink.put(&path, bytes));
        let mut errors = self.errors.into_inner().unwrap_or_else(|e| e.into_inner());
        errors.sort();
        errors
    }

    // ---- pages -----------------------------------------------------------------------------

    fn home(&self) {
        let reg = self.regulation();
        let latest = reg.and_then(|d| {
            d.meta.changes.iter().max_by_key(|c| {
                (
                    c.effective_on.as_ref().map(|e| e.value),
                    c.approved_on.as_ref().map(|a| a.value),
                )
            })
        });
        let mut regulations: Vec<&Document> = self
            .docs()
            .filter(|d| d.kind() != DocKind::Runbook)
            .collect();
        regulations.sort_by_key(|d| d.kind() != DocKind::Regulation);
        let card = |d: &Document| json!({"title": d.meta.title, "url": doc_url(d), "summary": d.meta.summary});
        let docs: Vec<Value> = regulations.into_iter().map(card).collect();
        let runbooks: Vec<Value> = self
            .docs()
            .filter(|d| d.kind() == DocKind::Runbook)
            .map(card)
            .collect();
        let (docs, documents_all) =
            self.home_list(docs, "documents.html", "documents", "regulation");
        let (runbooks, runbooks_all) =
            self.home_list(runbooks, "runbooks.html", "nav_runbooks", "runbooks");
        let page = json!({
            "regulation": reg.map(|d| json!({
                "title": d.meta.title,
                "url": doc_url(d),
                "version": d.meta.version.as_ref().map(|v| v.value.clone()),
                "effective_on": d.meta.effective_on.as_ref().map(|v| v.value.to_string()),
            })),
            "incident_now": self.incident_now(),
            "latest_change": latest.map(|c| json!({
                "version": c.version,
                "effective_on": c.effective_on.as_ref().map(|v| v.value.to_string()),
                "summary": c.summary,
            })),
            "documents": docs,
            "documents_all": documents_all,
            "runbooks": runbooks,
            "runbooks_all": runbooks_all,
        });
        let title = if self.project.config.organisation.is_empty() {
            self.t("nav_home").to_string()
        } else {
            self.project.config.organisation.clone()
        };
        self.render("index.html", "index.html", &title, "home", page);
    }

    /// The first [`HOME_LIST_LIMIT`] cards of a home-page list; a longer list also gets its
    /// own paginated pages (`first`, `first-2.html`, …), linked as `{url, count}`.
    fn home_list(
        &self,
        cards: Vec<Value>,
        first: &str,
        title_key: &str,
        nav: &str,
    ) -> (Vec<Value>, Value) {
        if cards.len() <= HOME_LIST_LIMIT {
            return (cards, Value::Null);
        }
        let count = cards.len();
        let shown = cards[..HOME_LIST_LIMIT].to_vec();
        for (url, items, pager) in paginate(first, cards) {
            self.render(
                "list.html",
                &url,
                self.t(title_key),
                nav,
                json!({"items": items, "count": count, "pager": pager}),
            );
        }
        (shown, json!({"url": first, "count": count}))
    }

    /// The "incident now?" box, from the regulation's `incident_now` (checked by K0212):
    /// `{call, steps}`, or null when the audience sees no regulation that has one.
    fn incident_now(&self) -> Value {
        let Some(now) = self.regulation().and_then(|d| d.meta.incident_now.as_ref()) else {
            return Value::Null;
        };
        let steps: Vec<String> = now
            .value
            .steps
            .value
            .iter()
            .map(|s| prose(&s.value))
            .filter(|s| !s.is_empty())
            .collect();
        json!({"call": self.first_call(&now.value.call.value), "steps": steps})
    }

    /// Whom to call first: `{name, url, person, channel}`. For a role, the first of its holders
    /// (then its deputy) this audience may see who has a phone; for a contact, its own phone.
    /// `channel` is null when no visible phone exists (the box then links the contact table).
    fn first_call(&self, call: &Ref) -> Value {
        let c = self.corpus;
        let target = self.ref_json(call);
        let phone = |id: &str| -> Option<(String, Value)> {
            let (name, channels, vis) = match c.people.iter().find(|p| p.id.value == id) {
                Some(p) => (p.name.clone(), &p.channels, p.visibility),
                None => c
                    .organisation(id)
                    .map(|o| (o.name.clone(), &o.channels, o.visibility))?,
            };
            if !self.audience.sees(vis) {
                return None;
            }
            let ch = channels
                .iter()
                .find(|ch| matches!(ch.kind, ChannelKind::Phone | ChannelKind::Mobile))?;
            Some((name, self.channel_json(ch)))
        };
        let found = match call.kind {
            _ if self.hidden(call) => None,
            RefKind::Role => c.role(&call.id).and_then(|role| {
                role.held_by
                    .iter()
                    .chain(role.deputy.iter())
                    .find_map(|h| phone(&h.value.id))
                    .map(|(n, ch)| (Some(n), ch))
            }),
            RefKind::Contact => phone(&call.id).map(|(_, ch)| (None, ch)),
            _ => None,
        };
        let (person, channel) = match found {
            Some((person, channel)) => (person, channel),
            None => (None, Value::Null),
        };
        json!({"name": target["name"], "url": target["url"], "person": person, "channel": channel})
    }

    fn document(&self, doc: &'a Document) {
        let mut errors = Vec::new();
        let rendered = markdown::render(doc, &|dest| self.resolve_dest(dest, doc), &mut errors);
        for e in errors {
            self.error(e);
        }
        let toc: Vec<Value> = doc
            .headings
            .iter()
            .filter(|h| h.level <= 3)
            .map(|h| json!({"level": h.level, "anchor": h.anchor, "text": h.text, "clause": h.clause_number}))
            .collect();
        let m = &doc.meta;
        let phases: Vec<Value> = PHASES
            .iter()
            .filter(|p| doc.anchor(p).is_some())
            .map(|p| json!({"anchor": p, "label": self.t(&format!("phase_{p}"))}))
            .collect();
        let page = json!({
            "id": doc.id(),
            "kind": match doc.kind() { DocKind::Regulation => "regulation", DocKind::Guideline => "guideline", DocKind::Runbook => "runbook" },
            "summary": m.summary,
            "version": m.version.as_ref().map(|v| v.value.clone()),
            "owner": m.owner.as_ref().map(|r| self.ref_json(&r.value)),
            "approved_by": m.approved_by.as_ref().map(|r| self.ref_json(&r.value)),
            "approved_on": m.approved_on.as_ref().map(|v| v.value.to_string()),
            "effective_on": m.effective_on.as_ref().map(|v| v.value.to_string()),
            "review_every": m.review_every.as_ref().map(|v| v.value.to_string()),
            "changes": m.changes.iter().map(|c| json!({
                "version": c.version,
                "approved_on": c.approved_on.as_ref().map(|v| v.value.to_string()),
                "effective_on": c.effective_on.as_ref().map(|v| v.value.to_string()),
                "summary": c.summary,
            })).collect::<Vec<_>>(),
            "revisions": self.revisions(doc),
            "incident_types": m.incident_types.iter().map(|t| t.value.clone()).collect::<Vec<_>>(),
            "severity_min": m.severity_min,
            "phases": phases,
            "toc": toc,
            "body": rendered.html,
        });
        let template = if doc.kind() == DocKind::Runbook {
            "runbook.html"
        } else {
            "document.html"
        };
        let nav = if doc.kind() == DocKind::Runbook {
            "runbooks"
        } else {
            "regulation"
        };
        self.render(template, &doc_url(doc), &m.title, nav, page);
    }

    /// The document's revision history (改訂履歴) from the releases and its front matter,
    /// with the approver resolved to a name and link.
    fn revisions(&self, doc: &Document) -> Vec<Value> {
        let Some(rows) = self.info.versions.revisions.get(doc.id()) else {
            return Vec::new();
        };
        rows.iter()
            .map(|r| {
                let approved_by = r
                    .approved_by
                    .as_deref()
                    .and_then(|a| a.parse::<Ref>().ok())
                    .map(|a| self.ref_json(&a));
                json!({
                    "version": r.version,
                    "release": r.release,
                    "approved_on": r.approved_on,
                    "effective_on": r.effective_on,
                    "approved_by": approved_by,
                    "summary": r.summary,
                    "compare_href": r.compare_href,
                    "notice_href": r.notice_href,
                    "draft": r.draft,
                })
            })
            .collect()
    }

    fn contacts(&self) {
        let c = self.corpus;
        let person = |id: &str| -> Option<Value> {
            let p = c.people.iter().find(|p| p.id.value == id)?;
            self.audience.sees(p.visibility).then(|| {
                json!({
                    "id": p.id.value,
                    "name": p.name,
                    "department": p.department,
                    "title": p.title,
                    "channels": p.channels.iter().map(|ch| self.channel_json(ch)).collect::<Vec<_>>(),
                    "last_verified": p.last_verified.as_ref().map(|d| d.value.to_string()),
                })
            })
        };
        // A person holding several roles is listed under each; only the first row carries the
        // `contact-ID` anchor (ids must be unique in a page).
        let mut anchored = std::collections::HashSet::new();
        let roles: Vec<Value> = c
            .roles
            .iter()
            .filter(|r| !r.committee && self.audience.sees(r.visibility))
            .map(|r| {
                let people: Vec<Value> = r
                    .held_by
                    .iter()
                    .filter_map(|h| person(&h.value.id))
                    .map(|mut p| {
                        let first =
                            anchored.insert(p["id"].as_str().unwrap_or_default().to_string());
                        p["anchor"] = Value::Bool(first);
                        p
                    })
                    .collect();
                json!({
                    "id": r.id.value,
                    "name": r.name,
                    "people": people,
                    "deputy": r.deputy.as_ref().and_then(|d| person(&d.value.id)),
                })
            })
            .collect();
        let orgs: Vec<Value> = c
            .organisations
            .iter()
            .filter(|o| self.audience.sees(o.visibility))
            .map(|o| {
                json!({
                    "id": o.id.value,
                    "name": o.name,
                    "category": self.t(&format!("category_{}", category_key(o.category))),
                    "channels": o.channels.iter().map(|ch| self.channel_json(ch)).collect::<Vec<_>>(),
                    "notice_deadline": o.notice_deadline.as_ref().map(|p| p.value.to_string()),
                    "deadline_from": self.t(match o.deadline_from { DeadlineFrom::Detected => "deadline_from_detected", DeadlineFrom::Known => "deadline_from_known" }),
                    "basis": o.basis,
                    "hours": o.hours,
                    "note": o.note,
                    "last_verified": o.last_verified.as_ref().map(|d| d.value.to_string()),
                })
            })
            .collect();
        let title = self.t("nav_contacts");
        self.render(
            "contacts.html",
            "contacts.html",
            title,
            "contacts",
            json!({"roles": roles, "organisations": orgs}),
        );
    }

    fn roles(&self) {
        let roles: Vec<Value> = self
            .corpus
            .roles
            .iter()
            .filter(|r| self.audience.sees(r.visibility))
            .map(|r| {
                json!({
                    "id": r.id.value,
                    "name": r.name,
                    "committee": r.committee,
                    "chair": r.chair.as_ref().map(|x| self.ref_json(&x.value)),
                    "members": r.members.iter().map(|x| self.ref_json(&x.value)).collect::<Vec<_>>(),
                    "held_by": r.held_by.iter().map(|x| self.ref_json(&x.value)).collect::<Vec<_>>(),
                    "deputy": r.deputy.as_ref().map(|x| self.ref_json(&x.value)),
                    "responsibilities": r.responsibilities,
                    "description": r.description.as_deref().map(prose),
                })
            })
            .collect();
        let title = self.t("nav_roles");
        self.render(
            "roles.html",
            "roles.html",
            title,
            "roles",
            json!({"roles": roles}),
        );
    }

    fn systems(&self) {
        let mut prios: Vec<_> = self.corpus.recovery_priorities.iter().collect();
        prios.sort_by_key(|p| std::cmp::Reverse(p.level.value));
        let priorities: Vec<Value> = prios
            .iter()
            .map(|p| json!({"level": p.level.value, "meaning": p.meaning, "max_downtime": p.max_downtime.map(|d| d.to_string())}))
            .collect();
        let mut systems: Vec<_> = self
            .corpus
            .systems
            .iter()
            .filter(|s| self.audience.sees(s.visibility))
            .collect();
        systems.sort_by(|a, b| {
            let pa = a.priority.as_ref().map(|p| p.value);
            let pb = b.priority.as_ref().map(|p| p.value);
            pb.cmp(&pa).then_with(|| a.id.value.cmp(&b.id.value))
        });
        let systems: Vec<Value> = systems
            .iter()
            .map(|s| {
                let prio = s.priority.as_ref().map(|p| p.value);
                let downtime = prio
                    .and_then(|l| {
                        self.corpus
                            .recovery_priorities
                            .iter()
                            .find(|r| r.level.value == l)
                    })
                    .and_then(|r| r.max_downtime.map(|d| d.to_string()));
                json!({
                    "id": s.id.value,
                    "name": s.name,
                    "owner": s.owner.as_ref().map(|o| self.ref_json(&o.value)),
                    "priority": prio,
                    "max_downtime": downtime,
                    "personal_data": s.personal_data,
                    "description": s.description.as_deref().map(prose),
                })
            })
            .collect();
        let title = self.t("nav_systems");
        self.render(
            "systems.html",
            "systems.html",
            title,
            "systems",
            json!({"priorities": priorities, "systems": systems}),
        );
    }

    fn severity(&self) {
        let mut levels: Vec<_> = self.corpus.severity_levels.iter().collect();
        levels.sort_by_key(|l| std::cmp::Reverse(l.level.value));
        let levels: Vec<Value> = levels
            .iter()
            .map(|l| {
                json!({
                    "level": l.level.value,
                    "name": l.name,
                    "scope": l.scope,
                    "responsible": self.ref_json(&l.responsible.value),
                    "examples": l.examples,
                })
            })
            .collect();
        let title = self.t("nav_severity");
        self.render(
            "severity.html",
            "severity.html",
            title,
            "severity",
            json!({"levels": levels}),
        );
    }

    fn incident_pages(&self) {
        let incidents = self.incidents();
        let rows: Vec<Value> = incidents
            .iter()
            .map(|i| {
                json!({
                    "id": i.id.value,
                    "url": incident_url(&i.id.value),
                    "title": i.title,
                    "type": i.kind.value,
                    "severity": i.severity.value,
                    "status": self.t(status_key(i.status.value)),
                    "status_key": status_key(i.status.value),
                    "detected_at": self.ts(&i.detected_at.value),
                })
            })
            .collect();
        let title = self.t("nav_incidents");
        let count = rows.len();
        for (url, rows, pager) in paginate("incidents.html", rows) {
            self.render(
                "incidents.html",
                &url,
                title,
                "incidents",
                json!({"incidents": rows, "count": count, "pager": pager}),
            );
        }
        incidents.par_iter().for_each(|inc| {
            let page = self.incident_context(inc);
            self.render(
                "incident.html",
                &incident_url(&inc.id.value),
                &format!("{} {}", inc.id.value, inc.title),
                "incidents",
                page,
            );
        });
    }

    fn incident_context(&self, i: &Incident) -> Value {
        let opt_ts =
            |t: &Option<crate::model::At<Timestamp>>| t.as_ref().map(|t| self.ts(&t.value));
        let duties = notifications::dated_duties(&self.check, i);
        // Each notification with the deadline of the duty it fulfils (the same list as the
        // rules K0401–K0405 use).
        let notifications: Vec<Value> = i
            .notifications
            .iter()
            .map(|n| {
                let duty = duties
                    .iter()
                    .find(|d| d.sent.is_some_and(|s| std::ptr::eq(s, n)));
                json!({
                    "to": n.to.as_ref().map(|r| self.ref_json(&r.value)),
                    "kind": self.t(notification_key(n.kind.value)),
                    "at": self.ts(&n.at.value),
                    "deadline": duty.map(|d| self.due_text(d.due)),
                    "on_time": duty.map(|d| d.status == DutyStatus::OnTime),
                    "reference": n.reference,
                    "note": n.note,
                })
            })
            .collect();
        let duties: Vec<Value> = duties.iter().map(|d| self.duty_json(d)).collect();
        let measures = |list: &[crate::model::incident::Measure]| -> Vec<Value> {
            list.iter()
                .map(|m| {
                    json!({
                        "measure": m.measure.value,
                        "owner": m.owner.as_ref().map(|o| self.ref_json(&o.value)),
                        "due": m.due.as_ref().map(|d| d.value.to_string()),
                        "status": self.t(match m.status { MeasureStatus::Planned => "measure_planned", MeasureStatus::InProgress => "measure_in_progress", MeasureStatus::Done => "measure_done" }),
                        "done": m.status == MeasureStatus::Done,
                        "done_on": m.done_on.as_ref().map(|d| d.value.to_string()),
                    })
                })
                .collect()
        };
        let plan = i.prevention_plan.as_ref().map(|p| {
            let all = p.value.technical.len() + p.value.organizational.len();
            let done = p.value.technical.iter().chain(&p.value.organizational).filter(|m| m.status == MeasureStatus::Done).count();
            json!({
                "groups": [
                    {"label": self.t("technical"), "measures": measures(&p.value.technical)},
                    {"label": self.t("organizational"), "measures": measures(&p.value.organizational)},
                ],
                "done": done,
                "total": all,
            })
        });
        // Personal data: counts and items for every audience that sees the incident; the
        // names and contacts of affected people only for the restricted audience.
        let personal = i.personal_data.as_ref().map(|p| {
            let individuals: Vec<Value> = if self.audience == Audience::Restricted {
                p.value.affected_individuals.iter().map(|x| json!({"name": x.name, "contact": x.contact, "note": x.note})).collect()
            } else {
                Vec::new()
            };
            json!({"affected_people": p.value.affected_people.value, "items": p.value.items, "individuals": individuals})
        });
        json!({
            "id": i.id.value,
            "title": i.title,
            "type": i.kind.value,
            "severity": i.severity.value,
            "status": self.t(status_key(i.status.value)),
            "status_key": status_key(i.status.value),
            "summary": i.summary.as_deref().map(prose),
            "times": [
                {"label": self.t("occurred_at"), "value": opt_ts(&i.occurred_at)},
                {"label": self.t("detected_at"), "value": Some(self.ts(&i.detected_at.value))},
                {"label": self.t("known_at"), "value": Some(self.ts(&i.known_at().value))},
                {"label": self.t("reported_at"), "value": opt_ts(&i.reported_at)},
                {"label": self.t("contained_at"), "value": opt_ts(&i.contained_at)},
                {"label": self.t("closed_at"), "value": opt_ts(&i.closed_at)},
            ],
            "systems": i.systems.iter().map(|s| self.ref_json(&s.value)).collect::<Vec<_>>(),
            "personal_data": personal,
            "timeline": i.timeline.iter().map(|e| json!({
                "at": self.ts(&e.at.value),
                "what": e.what,
                "by": e.by.as_ref().map(|b| self.ref_json(&b.value)),
            })).collect::<Vec<_>>(),
            "notifications": notifications,
            "duties": duties,
            "root_cause": i.root_cause.as_deref().map(prose),
            "actions": i.actions.iter().map(|a| json!({
                "what": a.what,
                "by": a.by.as_ref().map(|b| self.ref_json(&b.value)),
                "at": a.at.as_ref().map(|t| self.ts(&t.value)),
            })).collect::<Vec<_>>(),
            "prevention_plan": plan,
            "board_report": i.board_report.as_ref().map(|b| json!({"on": b.value.on.value.to_string(), "note": b.value.note})),
            "lessons": i.lessons.as_ref().map(|l| json!({
                "went_well": l.value.went_well,
                "to_improve": l.value.to_improve,
                "procedure_changes": l.value.procedure_changes,
            })),
        })
    }
}

/// `tel:` URL of a phone number as written (`03-0000-0001（内線 100）` → `tel:0300000001`).
pub fn tel_href(value: &str) -> String {
    let number: String = value
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '＋' => '+',
            _ => c,
        })
        .take_while(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{number}")
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Open => "status_open",
        Status::Contained => "status_contained",
        Status::Closed => "status_closed",
    }
}

fn duty_status_key(s: DutyStatus) -> &'static str {
    match s {
        DutyStatus::OnTime => "duty_on_time",
        DutyStatus::Late => "duty_late",
        DutyStatus::Pending => "duty_pending",
        DutyStatus::Missing => "duty_missing",
    }
}

fn notification_key(k: NotificationKind) -> &'static str {
    match k {
        NotificationKind::Preliminary => "notification_preliminary",
        NotificationKind::Final => "notification_final",
        NotificationKind::Individuals => "notification_individuals",
        NotificationKind::Notice => "notification_notice",
    }
}

fn category_key(c: OrgCategory) -> &'static str {
    match c {
        OrgCategory::Regulator => "regulator",
        OrgCategory::Police => "police",
        OrgCategory::Csirt => "csirt",
        OrgCategory::Partner => "partner",
        OrgCategory::Platform => "platform",
        OrgCategory::Vendor => "vendor",
        OrgCategory::Insurer => "insurer",
        OrgCategory::Other => "other",
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
        let pages = paginate("incidents.html", vec![json!(0); 1001]);
        assert_eq!(pages.len(), 11);
        assert_eq!(pages[10].1.len(), 1);
        let (url, items, pager) = &pages[5];
        assert_eq!((url.as_str(), items.len()), ("incidents-6.html", 100));
        let shown: Vec<Value> = pager["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["n"].clone())
            .collect();
        assert_eq!(
            shown,
            [1, 2, 4, 5, 6, 7, 8, 9, 11].map(|n| json!(n)),
            "1 … 4–8 … 11"
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
