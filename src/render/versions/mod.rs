//! Versions on the site: the switcher and banners every page carries ([`SiteVersions`], put
//! into [`crate::render::BuildInfo`]), the revision history of each document, the pages the
//! current site gains (`versions.html`, `changes-<version>.html`, `compare-….html`),
//! `versions.json`, `feed.xml`, and the archived copies under `v/<version>/`.

pub mod feed;
pub mod html;
pub mod terminal;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use crate::check::{self, Ctx};
use crate::config::{Lang, Project};
use crate::history::cache::{self, Cache};
use crate::history::{DocChange, DocStatus, History, Release, Step, Target};
use crate::model::Corpus;
use crate::render::pages::registry::{self, archive_dir, compare_url, notice_url};
use crate::render::{Audience, BuildInfo, i18n, templates};

/// A page the history adds to a site, rendered by the site's own engine (same frame,
/// navigation and search index as every other page).
#[derive(Debug, Clone)]
pub struct ExtraPage {
    pub template: &'static str,
    pub url: String,
    pub title: String,
    pub page: Value,
    /// The PDF under `pdf/` this page links (`page.pdf`) when the build has PDFs.
    pub pdf: Option<String>,
}

/// A 新旧対照表 the site offers as a PDF (`pdf/compare-OLD-NEW.pdf`): one per release step
/// (and the draft) with a changed document this audience may read, linked from the step's
/// change notice and comparison pages.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// `compare-OLD-NEW.pdf`.
    pub file: String,
    /// The versions as printed (the draft in the page's language).
    pub old: String,
    pub new: String,
    pub draft: bool,
    /// The step's documents that changed (the PDF keeps the ones its audience may read).
    pub changes: Vec<DocChange>,
}

/// The comparison PDF of `step`, when it has one for this audience.
fn comparison(
    history: &History,
    project: &Project,
    audience: Audience,
    step: &Step,
) -> Option<Comparison> {
    let file = comparison_file(history, audience, step)?;
    let draft = step.to == Target::Worktree;
    Some(Comparison {
        file,
        new: match step.to {
            Target::Release(i) => history.releases[i].version.clone(),
            Target::Worktree => t(project.config.lang, "version_draft").to_string(),
        },
        old: history.releases[step.from?].version.clone(),
        draft,
        changes: visible_changes(step, audience)
            .into_iter()
            .cloned()
            .collect(),
    })
}

/// The file name of `step`'s comparison PDF, when this audience may read a compared document.
fn comparison_file(history: &History, audience: Audience, step: &Step) -> Option<String> {
    let from = step.from?;
    visible_changes(step, audience)
        .iter()
        .any(|c| c.comparison.is_some())
        .then(|| {
            crate::render::pages::registry::compare_pdf_file(
                &history.releases[from].version,
                history.name(step.to),
            )
        })
}

/// The change notice of release `i`, linking the release's comparison PDF.
fn notice_page(
    history: &History,
    project: &Project,
    corpus: &Corpus,
    audience: Audience,
    i: usize,
) -> ExtraPage {
    ExtraPage {
        template: "changes.html",
        url: notice_url(&history.releases[i].version),
        title: notice_title(history, project, i),
        page: notice_context(history, project, corpus, audience, i, ""),
        pdf: comparison_file(history, audience, &history.steps[i]),
    }
}

/// One entry of the version switcher.
#[derive(Debug, Clone, Serialize)]
pub struct VersionEntry {
    pub label: String,
    /// The version's root, relative to the top site root (`""`, `"v/2026.1/"`).
    pub root: String,
    /// Pages the version is known to have (others link to its home page).
    pub pages: BTreeSet<String>,
}

/// A banner at the top of every page of a site.
#[derive(Debug, Clone, Serialize)]
pub struct Banner {
    /// `superseded`, `archived` or `draft`.
    pub kind: String,
    pub text: String,
    pub link_label: String,
    /// The version the link goes to (index into the entries).
    pub link_to: usize,
}

/// One row of a document's revision history (改訂履歴).
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub version: String,
    /// The release it came with (`2026.1`), `案` for the draft, null for hand-written rows.
    pub release: Option<String>,
    pub approved_on: Option<String>,
    pub effective_on: Option<String>,
    /// A reference (`role:security-committee`); the page resolves it to a name and link.
    pub approved_by: Option<String>,
    pub summary: String,
    /// The comparison table, relative to the page.
    pub compare_href: Option<String>,
    /// The change notice, relative to the page.
    pub notice_href: Option<String>,
    pub draft: bool,
}

/// What one site (the current one, or an archived version) knows about versions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SiteVersions {
    /// Empty: no releases, no switcher.
    pub entries: Vec<VersionEntry>,
    /// This site's entry.
    pub this: usize,
    /// From this site's root to the top site root (`""` or `"../../"`).
    pub top: String,
    pub banner: Option<Banner>,
    /// Revision history per document id.
    pub revisions: BTreeMap<String, Vec<Revision>>,
    pub lang_ja: bool,
    /// Pages to render into this site besides the usual ones.
    #[serde(skip)]
    pub pages: Vec<ExtraPage>,
    /// The comparison PDFs of this site (typeset only when the build has PDFs).
    #[serde(skip)]
    pub comparisons: Vec<Comparison>,
}

impl SiteVersions {
    /// The `versions` variable of a page at `url`: the switcher and the banner (null when
    /// the site has no versions).
    pub fn page_context(&self, url: &str) -> Value {
        if self.entries.is_empty() {
            return Value::Null;
        }
        let href = |e: &VersionEntry| {
            let page = if e.pages.contains(url) {
                url
            } else {
                "index.html"
            };
            format!("{}{}{page}", self.top, e.root)
        };
        let items: Vec<Value> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| json!({"label": e.label, "href": href(e), "this": i == self.this}))
            .collect();
        let banner = self.banner.as_ref().map(|b| {
            json!({
                "kind": b.kind,
                "text": b.text,
                "link_label": b.link_label,
                "href": self.entries.get(b.link_to).map(href),
            })
        });
        json!({
            "items": items,
            "this_label": self.entries.get(self.this).map(|e| e.label.clone()),
            "all_href": format!("{}versions.html", self.top),
            "feed_href": format!("{}feed.xml", self.top),
            "banner": banner,
        })
    }
}

fn t(lang: Lang, key: &str) -> &'static str {
    i18n::get(lang, key)
}

fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (k, v) in pairs {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// A regulation document's page (the history compares regulation documents).
fn doc_page(id: &str) -> String {
    registry::get("document").url_of(id)
}

/// The effective date of a release (its main regulation's `effective_on`).
fn effective_on(r: &Release) -> Option<String> {
    r.main_doc()
        .and_then(|d| d.meta.effective_on.as_ref())
        .map(|d| d.value.to_string())
}

fn release_label(r: &Release, lang: Lang) -> String {
    match effective_on(r) {
        Some(day) => fill(
            t(lang, "version_label_effective"),
            &[("version", &r.version), ("date", &day)],
        ),
        None => r.version.clone(),
    }
}

/// The switcher entries: the current version first, then the releases, newest first.
fn entries(history: &History, project: &Project, audience: Audience) -> Vec<VersionEntry> {
    if history.releases.is_empty() {
        return Vec::new();
    }
    let lang = project.config.lang;
    let pages = |docs: &[crate::history::DocVersion]| -> BTreeSet<String> {
        registry::switcher_pages(audience)
            .map(str::to_string)
            .chain(
                docs.iter()
                    .filter(|d| audience.sees(d.doc.meta.visibility))
                    .map(|d| doc_page(d.doc.id())),
            )
            .collect()
    };
    let last = history.releases.last().expect("releases");
    let current_label = if history.draft.is_some() {
        fill(
            t(lang, "version_label_draft"),
            &[("version", &last.version)],
        )
    } else {
        fill(
            t(lang, "version_label_current"),
            &[("version", &last.version)],
        )
    };
    let mut out = vec![VersionEntry {
        label: current_label,
        root: String::new(),
        pages: pages(&history.worktree),
    }];
    for r in history.releases.iter().rev() {
        out.push(VersionEntry {
            label: release_label(r, lang),
            root: archive_dir(&r.version),
            pages: pages(&r.docs),
        });
    }
    out
}

/// The entry index of release `i` (entries: current, then releases newest first).
fn entry_of(history: &History, i: usize) -> usize {
    history.releases.len() - i
}

/// Revision history of document `id` as a site showing releases `..=upto` sees it.
fn revisions(
    history: &History,
    project: &Project,
    upto: Option<usize>,
    with_draft: bool,
    doc: &crate::model::document::Document,
    top: &str,
) -> Vec<Revision> {
    let lang = project.config.lang;
    let id = doc.id();
    let mut rows: Vec<Revision> = Vec::new();
    let steps: Vec<&Step> = match upto {
        Some(u) => history.steps.iter().take(u + 1).collect(),
        None => Vec::new(),
    };
    let draft = if with_draft {
        history.draft.as_ref()
    } else {
        None
    };
    for step in steps.into_iter().chain(draft) {
        let Some(change) = step.doc(id) else {
            continue;
        };
        let Some(new) = &change.new else { continue };
        let (release, is_draft) = match step.to {
            Target::Release(i) => (history.releases[i].version.clone(), false),
            Target::Worktree => (t(lang, "version_draft").to_string(), true),
        };
        let summary = match change.status {
            DocStatus::Added => new
                .summary
                .clone()
                .unwrap_or_else(|| t(lang, "rev_enacted").to_string()),
            DocStatus::Changed | DocStatus::Amended => {
                new.summary.clone().unwrap_or_else(|| match step.to {
                    Target::Release(i) => history.releases[i].tag.subject.clone(),
                    Target::Worktree => String::new(),
                })
            }
            _ => continue,
        };
        let compare_href = match (change.status, step.from) {
            (DocStatus::Changed, Some(from)) => Some(format!(
                "{top}{}",
                compare_url(id, &history.releases[from].version, history.name(step.to))
            )),
            _ => None,
        };
        let notice_href = match step.to {
            Target::Release(i) => {
                Some(format!("{top}{}", notice_url(&history.releases[i].version)))
            }
            Target::Worktree => None,
        };
        rows.push(Revision {
            version: new.version.clone().unwrap_or_else(|| release.clone()),
            release: Some(release),
            approved_on: new.approved_on.clone(),
            effective_on: new.effective_on.clone(),
            approved_by: new.approved_by.clone(),
            summary,
            compare_href,
            notice_href,
            draft: is_draft,
        });
    }
    // Hand-written entries (front matter `changes`) that no release accounts for: history
    // from before the repository, or amendments released without a tag.
    for c in &doc.meta.changes {
        if rows.iter().any(|r| r.version == c.version) {
            if let Some(r) = rows
                .iter_mut()
                .find(|r| r.version == c.version && r.summary.is_empty())
            {
                r.summary = c.summary.clone();
            }
            continue;
        }
        rows.push(Revision {
            version: c.version.clone(),
            release: None,
            approved_on: c.approved_on.as_ref().map(|d| d.value.to_string()),
            effective_on: c.effective_on.as_ref().map(|d| d.value.to_string()),
            approved_by: c.approved_by.as_ref().map(|r| r.value.to_string()),
            summary: c.summary.clone(),
            compare_href: None,
            notice_href: None,
            draft: false,
        });
    }
    rows.sort_by(|a, b| {
        let key = |r: &Revision| (r.draft, r.approved_on.clone().or(r.effective_on.clone()));
        key(a).cmp(&key(b))
    });
    rows
}

fn all_revisions(
    history: &History,
    project: &Project,
    audience: Audience,
    docs: &[crate::history::DocVersion],
    upto: Option<usize>,
    with_draft: bool,
    top: &str,
) -> BTreeMap<String, Vec<Revision>> {
    docs.iter()
        .filter(|d| audience.sees(d.doc.meta.visibility))
        .map(|d| {
            (
                d.doc.id().to_string(),
                revisions(history, project, upto, with_draft, &d.doc, top),
            )
        })
        .filter(|(_, rows)| !rows.is_empty())
        .collect()
}

/// The name of a role or contact for notices (`role:x` → its name).
fn ref_name(corpus: &Corpus, r: &str) -> String {
    let Ok(parsed) = r.parse::<crate::model::Ref>() else {
        return r.to_string();
    };
    match parsed.kind {
        crate::model::RefKind::Role => corpus.role(&parsed.id).map(|x| x.name.clone()),
        crate::model::RefKind::Contact => corpus
            .person(&parsed.id)
            .map(|p| p.name.clone())
            .or_else(|| corpus.organisation(&parsed.id).map(|o| o.name.clone())),
        _ => None,
    }
    .unwrap_or_else(|| r.to_string())
}

fn status_label(lang: Lang, s: DocStatus) -> &'static str {
    t(
        lang,
        match s {
            DocStatus::Added => "doc_status_added",
            DocStatus::Removed => "doc_status_removed",
            DocStatus::Changed => "doc_status_changed",
            DocStatus::Amended => "doc_status_amended",
            DocStatus::Unchanged => "doc_status_unchanged",
        },
    )
}

/// The documents of a step this audience may read, changed ones only.
fn visible_changes(step: &Step, audience: Audience) -> Vec<&DocChange> {
    step.docs
        .iter()
        .filter(|c| c.status != DocStatus::Unchanged && c.visible(|v| audience.sees(v)))
        .collect()
}

/// The heading of a comparison (「○○規程 新旧対照表」, 「…（案）」 for a draft).
pub fn compare_heading(lang: Lang, title: &str, draft: bool) -> String {
    format!(
        "{title}{}{}",
        t(lang, "cmp_title_suffix"),
        if draft {
            t(lang, "cmp_draft_suffix")
        } else {
            ""
        }
    )
}

/// The comparison pages of one step (changed documents this audience may read).
fn compare_pages(
    history: &History,
    project: &Project,
    audience: Audience,
    step: &Step,
) -> Vec<ExtraPage> {
    let lang = project.config.lang;
    let Some(from) = step.from else {
        return Vec::new();
    };
    let old_r = &history.releases[from];
    let draft = step.to == Target::Worktree;
    let new_name = history.name(step.to).to_string();
    let side = |target: Target, meta: &crate::history::DocMeta, id: &str| {
        let (label, href) = match target {
            Target::Release(i) => (
                history.releases[i].version.clone(),
                format!(
                    "{}{}",
                    archive_dir(&history.releases[i].version),
                    doc_page(id)
                ),
            ),
            Target::Worktree => (t(lang, "version_draft").to_string(), doc_page(id)),
        };
        json!({
            "label": label,
            "doc_version": meta.version,
            "approved_on": meta.approved_on,
            "effective_on": meta.effective_on,
            "href": href,
        })
    };
    let pdf = comparison_file(history, audience, step);
    let mut pages = Vec::new();
    for change in visible_changes(step, audience) {
        let (Some(cmp), Some(old), Some(new)) = (&change.comparison, &change.old, &change.new)
        else {
            continue;
        };
        let heading = compare_heading(lang, change.title(), draft);
        let url = compare_url(&change.id, &old_r.version, &new_name);
        pages.push(ExtraPage {
            template: "compare.html",
            url,
            title: heading.clone(),
            page: json!({
                "heading": heading,
                "draft": draft,
                "doc_id": change.id,
                "new": side(step.to, new, &change.id),
                "old": side(Target::Release(from), old, &change.id),
                "table": html::table(cmp, lang, draft),
                "counts": {
                    "changed": cmp.count(crate::history::compare::RowKind::Changed),
                    "added": cmp.count(crate::history::compare::RowKind::Added),
                    "deleted": cmp.count(crate::history::compare::RowKind::Deleted),
                    "moved": cmp.moved(),
                },
                "notice_href": match step.to {
                    Target::Release(i) => Some(notice_url(&history.releases[i].version)),
                    Target::Worktree => None,
                },
            }),
            pdf: pdf.clone(),
        });
    }
    pages
}

/// The change notice of release `i` as a page context.
pub fn notice_context(
    history: &History,
    project: &Project,
    corpus: &Corpus,
    audience: Audience,
    i: usize,
    top: &str,
) -> Value {
    let lang = project.config.lang;
    let r = &history.releases[i];
    let step = &history.steps[i];
    let main = r.main_doc();
    let documents: Vec<Value> = visible_changes(step, audience)
        .into_iter()
        .map(|c| {
            let compare_href = match (c.status, step.from) {
                (DocStatus::Changed, Some(from)) => Some(format!(
                    "{top}{}",
                    compare_url(&c.id, &history.releases[from].version, &r.version)
                )),
                _ => None,
            };
            let doc_href = c
                .new
                .as_ref()
                .map(|_| format!("{top}{}{}", archive_dir(&r.version), doc_page(&c.id)));
            json!({
                "id": c.id,
                "title": c.title(),
                "status": c.status,
                "status_label": status_label(lang, c.status),
                "old_version": c.old.as_ref().and_then(|m| m.version.clone()),
                "new_version": c.new.as_ref().and_then(|m| m.version.clone()),
                "effective_on": c.new.as_ref().and_then(|m| m.effective_on.clone()),
                "summary": c.new.as_ref().and_then(|m| m.summary.clone()),
                "compare_href": compare_href,
                "doc_href": doc_href,
                "counts": c.comparison.as_ref().map(|cmp| json!({
                    "changed": cmp.count(crate::history::compare::RowKind::Changed),
                    "added": cmp.count(crate::history::compare::RowKind::Added),
                    "deleted": cmp.count(crate::history::compare::RowKind::Deleted),
                    "moved": cmp.moved(),
                })),
            })
        })
        .collect();
    let superseded = history.superseded(i, project.tz).map(|(j, day)| {
        json!({
            "on": day,
            "by": history.releases[j].version,
            "href": format!("{top}{}", notice_url(&history.releases[j].version)),
        })
    });
    json!({
        "version": r.version,
        "tag": r.tag.name,
        "commit": r.short_commit(),
        "date": r.date(project.tz).to_string(),
        "subject": r.tag.subject,
        "body": r.tag.body.split("\n\n").map(|p| p.replace('\n', " ")).filter(|p| !p.trim().is_empty()).collect::<Vec<_>>(),
        "tagger": r.tag.tagger,
        "title": main.map(|d| d.meta.title.clone()),
        "approved_on": main.and_then(|d| d.meta.approved_on.as_ref()).map(|d| d.value.to_string()),
        "effective_on": effective_on(r),
        "approved_by": main.and_then(|d| d.meta.approved_by.as_ref()).map(|a| ref_name(corpus, &a.value.to_string())),
        "initial": step.from.is_none(),
        "previous": step.from.map(|f| json!({
            "version": history.releases[f].version,
            "href": format!("{top}{}", notice_url(&history.releases[f].version)),
        })),
        "documents": documents,
        "archived_href": format!("{top}{}index.html", archive_dir(&r.version)),
        "superseded": superseded,
        "feed_href": format!("{top}feed.xml"),
    })
}

fn notice_title(history: &History, project: &Project, i: usize) -> String {
    let r = &history.releases[i];
    let title = r
        .main_doc()
        .map(|d| d.meta.title.clone())
        .unwrap_or_default();
    fill(
        t(project.config.lang, "notice_title"),
        &[("title", &title), ("version", &r.version)],
    )
    .trim()
    .to_string()
}

/// The versions part of the current site's [`BuildInfo`]: switcher, draft banner,
/// revision histories and the pages the history adds.
pub fn current(
    history: &History,
    project: &Project,
    corpus: &Corpus,
    audience: Audience,
) -> SiteVersions {
    let lang = project.config.lang;
    let entries = entries(history, project, audience);
    if entries.is_empty() {
        // No release: the revision history is the hand-written one (front matter `changes`).
        return SiteVersions {
            revisions: all_revisions(
                history,
                project,
                audience,
                &history.worktree,
                None,
                false,
                "",
            ),
            lang_ja: lang == Lang::Ja,
            ..SiteVersions::default()
        };
    }
    let last = history.releases.len() - 1;
    let banner = history.draft.as_ref().map(|_| Banner {
        kind: "draft".into(),
        text: fill(
            t(lang, "banner_draft"),
            &[("version", &history.releases[last].version)],
        ),
        link_label: t(lang, "banner_draft_link").into(),
        link_to: entry_of(history, last),
    });
    let mut pages = Vec::new();
    for step in history.steps.iter().chain(history.draft.iter()) {
        pages.extend(compare_pages(history, project, audience, step));
    }
    for i in 0..history.releases.len() {
        pages.push(notice_page(history, project, corpus, audience, i));
    }
    pages.push(ExtraPage {
        template: "versions.html",
        url: "versions.html".into(),
        title: t(lang, "versions_title").into(),
        page: versions_page(history, project, audience),
        pdf: None,
    });
    SiteVersions {
        entries,
        this: 0,
        top: String::new(),
        banner,
        revisions: all_revisions(
            history,
            project,
            audience,
            &history.worktree,
            Some(last),
            true,
            "",
        ),
        lang_ja: lang == Lang::Ja,
        pages,
        comparisons: history
            .steps
            .iter()
            .chain(history.draft.iter())
            .filter_map(|step| comparison(history, project, audience, step))
            .collect(),
    }
}

fn versions_page(history: &History, project: &Project, audience: Audience) -> Value {
    let lang = project.config.lang;
    let changed = |step: &Step| -> Vec<Value> {
        let Some(from) = step.from else {
            return Vec::new();
        };
        visible_changes(step, audience)
            .into_iter()
            .map(|c| {
                json!({
                    "title": c.title(),
                    "status_label": status_label(lang, c.status),
                    "href": (c.status == DocStatus::Changed).then(|| compare_url(&c.id, &history.releases[from].version, history.name(step.to))),
                })
            })
            .collect()
    };
    let releases: Vec<Value> = (0..history.releases.len())
        .rev()
        .map(|i| {
            let r = &history.releases[i];
            let sup = history.superseded(i, project.tz);
            json!({
                "version": r.version,
                "tag": r.tag.name,
                "date": r.date(project.tz).to_string(),
                "effective_on": effective_on(r),
                "subject": r.tag.subject,
                "archived_href": format!("{}index.html", archive_dir(&r.version)),
                "notice_href": notice_url(&r.version),
                "superseded_on": sup.as_ref().map(|s| s.1.clone()),
                "superseded_by": sup.map(|s| history.releases[s.0].version.clone()),
                "in_force": i + 1 == history.releases.len(),
                "changes": changed(&history.steps[i]),
            })
        })
        .collect();
    json!({
        "draft": history.draft.as_ref().map(|d| json!({
            "based_on": history.releases.last().map(|r| r.version.clone()),
            "changes": changed(d),
        })),
        "releases": releases,
        "feed_href": "feed.xml",
    })
}

/// The versions part of release `i`'s archived site.
fn archived(history: &History, project: &Project, audience: Audience, i: usize) -> SiteVersions {
    let lang = project.config.lang;
    let r = &history.releases[i];
    let banner = match history.superseded(i, project.tz) {
        Some((j, day)) => Banner {
            kind: "superseded".into(),
            text: fill(
                t(lang, "banner_superseded"),
                &[
                    ("version", &r.version),
                    ("date", &day),
                    ("by", &history.releases[j].version),
                ],
            ),
            link_label: t(lang, "banner_current_link").into(),
            link_to: 0,
        },
        None => Banner {
            kind: "archived".into(),
            text: fill(
                t(lang, "banner_archived"),
                &[
                    ("version", &r.version),
                    ("date", &r.date(project.tz).to_string()),
                ],
            ),
            link_label: t(lang, "banner_current_link").into(),
            link_to: 0,
        },
    };
    SiteVersions {
        entries: entries(history, project, audience),
        this: entry_of(history, i),
        top: "../../".into(),
        banner: Some(banner),
        revisions: all_revisions(
            history,
            project,
            audience,
            &r.docs,
            Some(i),
            false,
            "../../",
        ),
        lang_ja: lang == Lang::Ja,
        pages: Vec::new(),
        // Archived copies get no PDFs (their release bundle has them).
        comparisons: Vec::new(),
    }
}

/// `versions.json`: the machine-readable list of versions.
pub fn versions_json(
    history: &History,
    project: &Project,
    audience: Audience,
    commit: Option<&str>,
) -> Vec<u8> {
    let releases: Vec<Value> = (0..history.releases.len())
        .map(|i| {
            let r = &history.releases[i];
            let main = r.main_doc();
            let sup = history.superseded(i, project.tz);
            let docs: Vec<Value> = history.steps[i]
                .docs
                .iter()
                .filter(|c| c.visible(|v| audience.sees(v)) && c.status != DocStatus::Removed)
                .map(|c| {
                    json!({
                        "id": c.id,
                        "title": c.title(),
                        "version": c.new.as_ref().and_then(|m| m.version.clone()),
                        "status": c.status,
                        "compare": match (c.status, history.steps[i].from) {
                            (DocStatus::Changed, Some(f)) => Some(compare_url(&c.id, &history.releases[f].version, &r.version)),
                            _ => None,
                        },
                    })
                })
                .collect();
            json!({
                "version": r.version,
                "tag": r.tag.name,
                "commit": r.tag.commit,
                "tree": r.tree,
                "date": r.tag.date.to_rfc3339(),
                "approved_on": main.and_then(|d| d.meta.approved_on.as_ref()).map(|d| d.value.to_string()),
                "effective_on": effective_on(r),
                "path": archive_dir(&r.version),
                "notice": notice_url(&r.version),
                "superseded_on": sup.as_ref().map(|s| s.1.clone()),
                "superseded_by": sup.map(|s| history.releases[s.0].version.clone()),
                "documents": docs,
            })
        })
        .collect();
    let draft_docs: Vec<Value> = history
        .draft
        .iter()
        .flat_map(|s| visible_changes(s, audience))
        .map(|c| {
            json!({
                "id": c.id,
                "title": c.title(),
                "status": c.status,
                "compare": (c.status == DocStatus::Changed).then(|| compare_url(&c.id, history.releases.last().map(|r| r.version.as_str()).unwrap_or(""), "draft")),
            })
        })
        .collect();
    let json = json!({
        "schema": "kitei-versions/1",
        "tag_pattern": history.pattern,
        "current": {
            "path": "",
            "commit": commit,
            "draft": history.draft.is_some(),
            "based_on": history.releases.last().map(|r| r.version.clone()),
            "changes": draft_docs,
        },
        "releases": releases,
        "releases_missing": history.status_message().filter(|(warn, _)| *warn).map(|(_, m)| m),
        "feed": (!history.releases.is_empty()).then_some("feed.xml"),
    });
    let mut bytes = serde_json::to_vec_pretty(&json).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// `feed.xml`: one Atom entry per release, newest first (None without releases).
pub fn feed_xml(
    history: &History,
    project: &Project,
    corpus: &Corpus,
    audience: Audience,
) -> Option<Vec<u8>> {
    let lang = project.config.lang;
    let last = history.releases.last()?;
    let org = project.config.organisation.trim();
    let base = project.config.versions.site_url.as_ref().map(|u| {
        if u.ends_with('/') {
            u.clone()
        } else {
            format!("{u}/")
        }
    });
    let mut entries = Vec::new();
    for i in (0..history.releases.len()).rev() {
        let r = &history.releases[i];
        let ctx = notice_context(history, project, corpus, audience, i, "");
        let mut content = String::new();
        if !r.tag.subject.is_empty() {
            content.push_str(&format!("<p>{}</p>", html::escape(&r.tag.subject)));
        }
        for p in ctx["body"].as_array().into_iter().flatten() {
            content.push_str(&format!(
                "<p>{}</p>",
                html::escape(p.as_str().unwrap_or(""))
            ));
        }
        if let Some(day) = ctx["effective_on"].as_str() {
            content.push_str(&format!(
                "<p>{}: {}</p>",
                html::escape(t(lang, "effective_on")),
                html::escape(day)
            ));
        }
        content.push_str("<ul>");
        let mut titles = Vec::new();
        for d in ctx["documents"].as_array().into_iter().flatten() {
            let title = d["title"].as_str().unwrap_or("");
            titles.push(format!(
                "{title}{}{}{}",
                t(lang, "paren_open"),
                d["status_label"].as_str().unwrap_or(""),
                t(lang, "paren_close")
            ));
            let link = d["compare_href"].as_str().or(d["doc_href"].as_str());
            let item = match link {
                Some(href) => format!(
                    "<a href=\"{}\">{}</a>",
                    html::escape(href),
                    html::escape(title)
                ),
                None => html::escape(title),
            };
            content.push_str(&format!(
                "<li>{item} {}{}{}</li>",
                html::escape(t(lang, "paren_open")),
                html::escape(d["status_label"].as_str().unwrap_or("")),
                html::escape(t(lang, "paren_close"))
            ));
        }
        content.push_str("</ul>");
        let summary = if r.tag.subject.is_empty() {
            titles.join(t(lang, "list_sep"))
        } else {
            r.tag.subject.clone()
        };
        entries.push(feed::Entry {
            id: feed::urn(&["kitei-release", org, &r.tag.name]),
            title: notice_title(history, project, i),
            updated: r.tag.date.to_rfc3339(),
            link: notice_url(&r.version),
            summary,
            content_html: content,
            author: r.tag.tagger.clone(),
        });
    }
    let author = if org.is_empty() {
        "kitei".to_string()
    } else {
        org.to_string()
    };
    let feed = feed::Feed {
        id: feed::urn(&["kitei-feed", org, &history.pattern]),
        title: fill(t(lang, "feed_title"), &[("org", org)])
            .trim()
            .to_string(),
        updated: last.tag.date.to_rfc3339(),
        author,
        base,
        lang: t(lang, "lang").into(),
        entries,
    };
    Some(feed.to_xml().into_bytes())
}

/// What the templates and kitei itself contribute to an archived page: a change of either
/// renders every release again.
fn renderer_fingerprint(project: &Project) -> String {
    let mut parts: Vec<Vec<u8>> = vec![env!("CARGO_PKG_VERSION").as_bytes().to_vec()];
    // The running binary (a rebuilt kitei may render differently under the same version).
    if let Ok(exe) = std::env::current_exe()
        && let Ok(meta) = std::fs::metadata(&exe)
    {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        parts.push(format!("{}:{mtime}", meta.len()).into_bytes());
    }
    for (name, src) in templates::DEFAULTS.iter().chain(templates::ASSETS) {
        parts.push(name.as_bytes().to_vec());
        parts.push(src.as_bytes().to_vec());
    }
    let dir = project.root.join("templates");
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if entry.file_type().is_file() {
            parts.push(entry.path().to_string_lossy().as_bytes().to_vec());
            parts.push(std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    cache::key(&refs)
}

/// A rendered site (relative path → bytes) and the problems met while rendering it.
type Rendered = (BTreeMap<String, Vec<u8>>, Vec<String>);

/// Renders release `i` as a complete site in memory (paths relative to its own root).
fn render_release(
    history: &History,
    project: &Project,
    audience: Audience,
    i: usize,
    versions: SiteVersions,
) -> Result<Rendered, String> {
    let r = &history.releases[i];
    let open = crate::history::open_release(history, i)?;
    let mut release_project = open.project;
    let ctx = Ctx::new(&open.loaded.corpus, &release_project, open.as_of);
    let report = check::run(&ctx, open.loaded.diagnostics.clone(), false);
    // Pages are drawn with the project's current templates (so the switcher and banner are
    // there), from the release's sources and settings.
    release_project.root = project.root.clone();
    let info = BuildInfo {
        audience,
        preview: false,
        build_date: r.date(release_project.tz).to_string(),
        // Archived versions are pages to read; their PDFs are in the release's bundle.
        pdf: false,
        commit: Some(r.short_commit()),
        as_of: open.as_of,
        report: report.into(),
        versions,
    };
    let sink = crate::render::output::MemorySink::default();
    let site =
        crate::render::pages::Site::new(&release_project, &open.loaded.corpus, &info, &sink)?;
    let errors = site.render_into_sink();
    let files = sink.into_files();
    drop(open.dir);
    Ok((files, errors))
}

/// The versions part of the site sealed into an evidence bundle: no switcher (the archived
/// copies are not in the bundle), the revision histories, and the comparison tables and
/// change notices: of release `release` only, or (None) of every release and the draft.
pub fn for_bundle(
    history: &History,
    project: &Project,
    corpus: &Corpus,
    audience: Audience,
    release: Option<usize>,
) -> SiteVersions {
    let lang = project.config.lang;
    let mut pages = Vec::new();
    let (docs, upto, with_draft) = match release {
        Some(i) => {
            pages.extend(compare_pages(history, project, audience, &history.steps[i]));
            pages.push(notice_page(history, project, corpus, audience, i));
            (&history.releases[i].docs, Some(i), false)
        }
        None => {
            for step in history.steps.iter().chain(history.draft.iter()) {
                pages.extend(compare_pages(history, project, audience, step));
            }
            for i in 0..history.releases.len() {
                pages.push(notice_page(history, project, corpus, audience, i));
            }
            (
                &history.worktree,
                history.releases.len().checked_sub(1),
                true,
            )
        }
    };
    let steps: Vec<&Step> = match release {
        Some(i) => vec![&history.steps[i]],
        None => history.steps.iter().chain(history.draft.iter()).collect(),
    };
    SiteVersions {
        revisions: all_revisions(history, project, audience, docs, upto, with_draft, ""),
        lang_ja: lang == Lang::Ja,
        pages,
        comparisons: steps
            .into_iter()
            .filter_map(|step| comparison(history, project, audience, step))
            .collect(),
        ..SiteVersions::default()
    }
}

/// The result of [`add_archives`].
pub struct Archives {
    pub rendered: usize,
    pub cached: usize,
    pub warnings: Vec<String>,
    pub seconds: f64,
}

/// Renders (or takes from the cache) every release into `files` under `v/<version>/`, and
/// adds `versions.json` and `feed.xml`.
pub fn add_archives(
    history: &History,
    project: &Project,
    corpus: &Corpus,
    audience: Audience,
    commit: Option<&str>,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Archives {
    let started = Instant::now();
    files.insert(
        "versions.json".into(),
        versions_json(history, project, audience, commit),
    );
    if let Some(xml) = feed_xml(history, project, corpus, audience) {
        files.insert("feed.xml".into(), xml);
    }
    let fingerprint = renderer_fingerprint(project);
    // (release, its files, problems, whether they came from the cache)
    type Outcome = Result<(BTreeMap<String, Vec<u8>>, Vec<String>, bool), String>;
    let results: Vec<(usize, Outcome)> = (0..history.releases.len())
        .into_par_iter()
        .map(|i| {
            let r = &history.releases[i];
            let versions = archived(history, project, audience, i);
            let nav = serde_json::to_vec(&versions).unwrap_or_default();
            let key = cache::key(&[
                b"kitei-archive/1",
                fingerprint.as_bytes(),
                r.tree.as_bytes(),
                r.config_blob.as_deref().unwrap_or("").as_bytes(),
                r.tag.commit.as_bytes(),
                r.tag.date.to_rfc3339().as_bytes(),
                audience.as_str().as_bytes(),
                &nav,
            ]);
            let store = Cache::new(&project.root, audience.as_str(), &r.version);
            if let Some(files) = store.get(&key) {
                return (i, Ok((files, Vec::new(), true)));
            }
            let out =
                render_release(history, project, audience, i, versions).map(|(files, errors)| {
                    let mut errors = errors;
                    if let Err(e) = store.put(&key, &files) {
                        errors.push(format!("cache: {e}"));
                    }
                    (files, errors, false)
                });
            (i, out)
        })
        .collect();
    let mut archives = Archives {
        rendered: 0,
        cached: 0,
        warnings: Vec::new(),
        seconds: 0.0,
    };
    for (i, result) in results {
        let r = &history.releases[i];
        match result {
            Ok((site, errors, cached)) => {
                if cached {
                    archives.cached += 1;
                } else {
                    archives.rendered += 1;
                }
                for e in errors {
                    archives
                        .warnings
                        .push(format!("release {}: {e}", r.tag.name));
                }
                let dir = archive_dir(&r.version);
                for (path, bytes) in site {
                    files.insert(format!("{dir}{path}"), bytes);
                }
            }
            Err(e) => archives.warnings.push(format!(
                "release {}: not archived on the site: {e}",
                r.tag.name
            )),
        }
    }
    archives.seconds = started.elapsed().as_secs_f64();
    archives
}

/// `2025.1 (施行 2025-04-01) → 2026.1 (施行 2026-04-01)`.
pub fn subtitle(c: &DocChange, old_name: &str, new_name: &str) -> String {
    let part = |name: &str, m: &Option<crate::history::DocMeta>| {
        let v = m.as_ref().and_then(|m| m.version.clone());
        let e = m.as_ref().and_then(|m| m.effective_on.clone());
        match (v, e) {
            (Some(v), Some(e)) if v != name => format!("{name} ({v}, {e})"),
            (_, Some(e)) => format!("{name} ({e})"),
            _ => name.to_string(),
        }
    };
    format!("{} → {}", part(old_name, &c.old), part(new_name, &c.new))
}
