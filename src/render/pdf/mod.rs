//! Print-ready PDFs (A4, Japanese, PDF/A-2b) typeset with typst as a library: no LaTeX and no
//! browser at build time. Each PDF is typst markup generated from the model ([`markup`] keeps
//! source text inside string literals, so no document text can become markup), compiled with
//! the Japanese font found by [`fonts`] and exported by [`typeset`].
//!
//! Audience rules are the site's: a document the audience may not see gets no PDF, and a role
//! or contact it may not see is named by the same placeholder as on the site.
//!
//! Determinism: the PDF's date is `SOURCE_DATE_EPOCH`, else the time of the source commit,
//! else the evaluation date (never the clock), and its file identifier is derived from the
//! document id and version; two builds of the same sources give the same bytes.

pub mod body;
pub mod cache;
pub mod compare;
pub mod contacts;
pub mod fonts;
pub mod markup;
pub mod regulation;
pub mod runbook;
pub mod typeset;

use chrono::{Datelike, TimeZone, Timelike};

use super::Audience;
use crate::config::{Lang, Project};
use crate::model::{Corpus, DocKind, Document, Ref, RefKind, Visibility};
use body::Dest;
use markup::Markup;
use typeset::{Moment, Typesetter};

/// The stack of each typesetting thread: typst's layout recurses deeply (2 MiB overflowed on
/// a generated corpus of 1,000 documents, 8 MiB was enough there). It reserves address space
/// only: a thread's memory is the pages it touches.
const TYPESET_STACK: usize = 32 << 20;

/// Runs `job` on every item, on threads of their own, as many as the worker pool has, each
/// with [`TYPESET_STACK`]; returns when all are done, with every error in the items' order.
///
/// Not on the worker pool: typst and krilla use it inside one PDF (`Engine::parallelize`,
/// `rayon::yield_now`), and a pool worker that waits there runs another queued job on top of
/// its stack, another whole PDF, which may wait in turn. With a PDF per document queued, the
/// stack grew with the corpus until it overflowed (at 10,000 documents, 24,000 frames) and
/// the build aborted. A thread of its own waits without taking on other work.
pub fn typeset_each<T: Sync>(
    items: &[T],
    job: impl Fn(&T) -> Result<(), String> + Sync,
) -> Result<(), Vec<String>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let errors = std::sync::Mutex::new(Vec::new());
    let work = || {
        loop {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(at) else { break };
            if let Err(e) = job(item) {
                errors
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((at, e));
            }
        }
    };
    let threads = rayon::current_num_threads().clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            // A thread that cannot be made leaves its share to the others, or to this one.
            let _ = std::thread::Builder::new()
                .name("kitei-typeset".into())
                .stack_size(TYPESET_STACK)
                .spawn_scoped(scope, work);
        }
    });
    work();
    let mut errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by_key(|(at, _)| *at);
    Err(errors.into_iter().map(|(_, e)| e).collect())
}

/// One PDF: its file name (`doc-ID.pdf`) and bytes.
#[derive(Debug, Clone)]
pub struct PdfFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Everything the PDFs of one build share: the corpus, the audience, the fonts and the date.
pub struct Pdfs<'a> {
    pub project: &'a Project,
    pub corpus: &'a Corpus,
    pub audience: Audience,
    pub lang: Lang,
    when: Moment,
    fonts: fonts::FontSet,
    typesetter: Typesetter,
}

impl<'a> Pdfs<'a> {
    /// Finds the fonts (an error names the package to install) and fixes the date.
    pub fn new(
        project: &'a Project,
        corpus: &'a Corpus,
        audience: Audience,
        as_of: chrono::NaiveDate,
    ) -> Result<Pdfs<'a>, String> {
        let fonts = fonts::load(&project.config.pdf.fonts, &project.root)?;
        let cache = cache::PdfCache::new(&project.root, audience.as_str(), &fonts.digest);
        let typesetter = Typesetter::new(&fonts, cache);
        Ok(Pdfs {
            project,
            corpus,
            audience,
            lang: project.config.lang,
            when: document_date(project, as_of)?,
            fonts,
            typesetter,
        })
    }

    /// Typesets every PDF this audience gets (each regulation document and runbook, and the
    /// contact sheet) on [`typeset_each`]'s threads, handing each to `put` as soon as it is
    /// made: at 10,000 documents the PDFs are gigabytes together. Returns every error (of
    /// typesetting, or `put`'s), in the documents' order.
    pub fn each(
        &self,
        put: &(dyn Fn(PdfFile) -> Result<(), String> + Sync),
    ) -> Result<(), Vec<String>> {
        let docs: Vec<Option<&Document>> = self.documents().map(Some).chain([None]).collect();
        typeset_each(&docs, |d| {
            match d {
                Some(d) => self.document(d),
                None => self.contact_sheet(),
            }
            .and_then(put)
        })
    }

    /// The documents (regulation, guidelines, runbooks) this audience may read.
    pub fn documents(&self) -> impl Iterator<Item = &'a Document> + '_ {
        self.corpus
            .documents
            .iter()
            .map(|d| &d.item)
            .filter(|d| self.audience.sees(d.meta.visibility))
    }

    /// The PDF of one document.
    pub fn document(&self, doc: &Document) -> Result<PdfFile, String> {
        let markup = match doc.kind() {
            DocKind::Runbook => runbook::markup(self, doc),
            DocKind::Regulation | DocKind::Guideline => regulation::markup(self, doc),
        };
        let version = doc.meta.version.as_ref().map(|v| v.value.as_str());
        let bytes = self
            .typesetter
            .pdf(
                markup,
                &format!("kitei/{}/{}", doc.id(), version.unwrap_or("-")),
                self.when,
            )
            .map_err(|e| match self.corpus.document(doc.id()) {
                // The file too, so that the author knows where to look.
                Some(d) => format!(
                    "{} ({}): PDF: {e}",
                    doc.id(),
                    self.corpus.files[d.file].display_path.display()
                ),
                None => format!("{}: PDF: {e}", doc.id()),
            })?;
        Ok(PdfFile {
            name: pdf_name(doc),
            bytes,
        })
    }

    /// 緊急連絡網 on one A4 page; the footer carries the regulation's version.
    pub fn contact_sheet(&self) -> Result<PdfFile, String> {
        let version = self
            .documents()
            .find(|d| d.kind() == DocKind::Regulation)
            .and_then(|d| d.meta.version.as_ref())
            .map(|v| v.value.as_str());
        let markup = contacts::markup(self, version);
        let bytes = self
            .typesetter
            .pdf(
                markup,
                &format!("kitei/contacts/{}", version.unwrap_or("-")),
                self.when,
            )
            .map_err(|e| format!("{}: PDF: {e}", contacts::FILE))?;
        Ok(PdfFile {
            name: contacts::FILE.to_string(),
            bytes,
        })
    }

    /// The 新旧対照表 of `old` → `new` (A4 landscape, labels as printed), for the documents
    /// of `changes` this audience may read, as the file `name`. `draft`: the new side is the
    /// working tree (改正案 | 現行).
    pub fn comparison(
        &self,
        changes: &[crate::history::DocChange],
        old: &str,
        new: &str,
        draft: bool,
        name: String,
    ) -> Result<PdfFile, String> {
        let visible: Vec<crate::history::DocChange> = changes
            .iter()
            .filter(|c| c.visible(|v| self.audience.sees(v)))
            .cloned()
            .collect();
        let markup = compare::markup(self, &visible, old, new, draft);
        let bytes = self
            .typesetter
            .pdf(markup, &format!("kitei/compare/{old}/{new}"), self.when)
            .map_err(|e| format!("{name}: PDF: {e}"))?;
        Ok(PdfFile { name, bytes })
    }

    /// A UI string in the project's language.
    pub fn t(&self, key: &str) -> &'static str {
        super::i18n::get(self.lang, key)
    }

    /// The display name of a role or contact reference; the site's placeholder when this
    /// audience may not see the record.
    pub fn ref_name(&self, r: &Ref) -> String {
        let c = self.corpus;
        let (name, visibility) = match r.kind {
            RefKind::Role => match c.role(&r.id) {
                Some(x) => (Some(x.name.clone()), x.visibility),
                None => (None, Visibility::Public),
            },
            RefKind::Contact => match (c.person(&r.id), c.organisation(&r.id)) {
                (Some(p), _) => (Some(p.name.clone()), p.visibility),
                (None, Some(o)) => (Some(o.name.clone()), o.visibility),
                _ => (None, Visibility::Public),
            },
            RefKind::Doc | RefKind::Runbook => match c.document(&r.id) {
                Some(d) => (Some(d.meta.title.clone()), d.meta.visibility),
                None => (None, Visibility::Public),
            },
            _ => (None, Visibility::Public),
        };
        if !self.audience.sees(visibility) {
            return self.t("not_shown").to_string();
        }
        name.unwrap_or_else(|| r.to_string())
    }

    /// Where a link of `doc`'s body goes in its PDF: clauses of the same document become
    /// internal links, web and mail links stay, everything else keeps only its text.
    pub fn link_dest(&self, dest: &str, doc: &Document) -> Dest {
        if let Some(anchor) = dest.strip_prefix('#') {
            return match doc.anchor(anchor) {
                Some(_) => Dest::Anchor(anchor.to_string()),
                None => Dest::None,
            };
        }
        if let Ok(r) = dest.parse::<Ref>()
            && r.kind == RefKind::Clause
        {
            let (target_doc, anchor) = match &r.fragment {
                Some(f) => (r.id.as_str(), f.as_str()),
                None => (doc.id(), r.id.as_str()),
            };
            if target_doc == doc.id() && doc.anchor(anchor).is_some() {
                return Dest::Anchor(anchor.to_string());
            }
            return Dest::None;
        }
        let typed = dest
            .split_once(':')
            .is_some_and(|(p, _)| RefKind::from_prefix(p).is_some());
        if !typed && body::linkable_url(dest) {
            Dest::Url(dest.to_string())
        } else {
            Dest::None
        }
    }

    /// The settings every PDF starts with: A4, the fonts, Japanese line breaking (kinsoku
    /// from typst's `lang: "ja"`), and a footer with `footer_left` and "n / N".
    pub fn preamble(&self, out: &mut Markup, title: &str, footer_left: &str, landscape: bool) {
        let body = families(&self.fonts.body);
        let heading = families(&self.fonts.heading);
        let lang = match self.lang {
            Lang::Ja => "\"ja\", region: \"JP\"",
            Lang::En => "\"en\"",
        };
        out.raw(&format!(
            "#set document(title: {}, author: ({},))\n",
            markup::string(title),
            markup::string(&self.project.config.organisation),
        ));
        out.raw(&format!(
            "#set text(font: {body}, lang: {lang}, size: 10.5pt)\n\
             #set par(justify: true, leading: 0.85em, spacing: 1.1em)\n\
             #set page(paper: \"a4\", flipped: {landscape}, margin: (x: 20mm, top: 20mm, bottom: 22mm), \
             footer: context {{ set text(size: 8pt, font: {heading}); [{} #h(1fr) #counter(page).display(\"1 / 1\", both: true)] }})\n\
             #show table: set par(justify: false)\n\
             #show heading: set text(font: {heading}, weight: \"regular\")\n\
             #show heading.where(level: 1): set text(size: 12.5pt)\n\
             #show heading.where(level: 2): set text(size: 11pt)\n\
             #show heading: set block(above: 1.5em, below: 0.8em)\n\
             #show strong: set text(font: {heading})\n\
             #show link: set text(fill: rgb(\"#1a4f8b\"))\n",
            markup::text(footer_left),
        ));
        // typst's own markers are • ‣ –; IPAex fonts have no ‣ (U+2023), and a glyph missing
        // from the PDF/A file is an error: any list nested two deep failed the build. ◦ (U+25E6)
        // is in them, as are • and –.
        out.raw("#set list(marker: ([•], [◦], [–]))\n");
    }

    /// The heading font families as a typst array.
    pub fn heading_fonts(&self) -> String {
        families(&self.fonts.heading)
    }
}

/// `doc-ID.pdf` / `runbook-ID.pdf`: the name of the document's page with `.pdf`.
pub fn pdf_name(doc: &Document) -> String {
    super::pages::pdf_file_name(doc)
}

fn families(names: &[String]) -> String {
    let list: Vec<String> = names.iter().map(|n| markup::string(n)).collect();
    format!("({},)", list.join(", "))
}

/// The date a PDF carries: `SOURCE_DATE_EPOCH`, else the commit time of the project's git
/// HEAD, else midnight of the evaluation date, in UTC. Never the clock: the same sources give
/// the same bytes.
pub fn document_date(project: &Project, as_of: chrono::NaiveDate) -> Result<Moment, String> {
    let instant = match crate::config::source_date_epoch()? {
        Some(t) => t,
        None => crate::history::git::query(&project.root, &["log", "-1", "--format=%ct"])
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| chrono::Utc.timestamp_opt(s, 0).single())
            .unwrap_or_else(|| {
                chrono::Utc.from_utc_datetime(&as_of.and_hms_opt(0, 0, 0).unwrap_or_default())
            }),
    };
    Ok(Moment {
        year: instant.year(),
        month: instant.month() as u8,
        day: instant.day() as u8,
        hour: instant.hour() as u8,
        minute: instant.minute() as u8,
        second: instant.second() as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::typeset_each;

    #[test]
    fn typesetting_runs_off_the_worker_pool_and_says_errors_in_order() {
        let items: Vec<usize> = (0..200).collect();
        let done = std::sync::Mutex::new(Vec::new());
        // Called from a pool worker, as the site's build calls it.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let result = pool.install(|| {
            typeset_each(&items, |&i| {
                assert_eq!(
                    rayon::current_thread_index(),
                    None,
                    "a PDF typeset on a pool worker can stack others on top of it"
                );
                done.lock().unwrap().push(i);
                match i % 7 {
                    3 => Err(format!("e{i}")),
                    _ => Ok(()),
                }
            })
        });
        let expected: Vec<String> = (0..200)
            .filter(|i| i % 7 == 3)
            .map(|i| format!("e{i}"))
            .collect();
        assert_eq!(result, Err(expected));
        let mut done = done.into_inner().unwrap();
        done.sort();
        assert_eq!(done, items, "every item once");
        assert_eq!(typeset_each(&[] as &[u8], |_| Ok(())), Ok(()));
    }
}
