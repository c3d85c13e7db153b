//! typst as a library: one generated markup file and the fonts in, PDF/A-2b bytes out. The
//! only module that talks to typst's compiler; nothing here reads the disk or the clock.

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::cache::PdfCache;
use super::fonts::FontSet;

/// The typst world of one document: its markup is the only file; no package, image or
/// system font can be reached.
struct Single<'a> {
    library: &'a LazyHash<Library>,
    book: &'a LazyHash<FontBook>,
    fonts: &'a [Font],
    main: Source,
    today: Datetime,
}

impl World for Single<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// Compiles documents with one font set (shared by every PDF of a build), or takes them from
/// the cache when nothing that goes into them changed.
pub struct Typesetter {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    cache: Option<PdfCache>,
}

/// The moment a PDF says it was made (never the clock: see `super::document_date`).
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Typesetter {
    pub fn new(fonts: &FontSet, cache: Option<PdfCache>) -> Typesetter {
        Typesetter {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts.fonts)),
            fonts: fonts.fonts.clone(),
            cache,
        }
    }

    /// Typesets `markup` into a PDF/A-2b file. `ident` names the document stably (its id
    /// and version): the PDF's file identifier is derived from it, so two builds agree.
    pub fn pdf(&self, markup: String, ident: &str, when: Moment) -> Result<Vec<u8>, String> {
        let Some(cache) = &self.cache else {
            return self.typeset(markup, ident, when);
        };
        let key = cache.key(&markup, ident, &format!("{when:?}"));
        if let Some(pdf) = cache.get(ident, &key) {
            return Ok(pdf);
        }
        let pdf = self.typeset(markup, ident, when)?;
        cache.put(ident, &key, &pdf);
        Ok(pdf)
    }

    fn typeset(&self, markup: String, ident: &str, when: Moment) -> Result<Vec<u8>, String> {
        let id = RootedPath::new(
            VirtualRoot::Project,
            VirtualPath::new("main.typ").map_err(|e| format!("{e:?}"))?,
        )
        .intern();
        let source = Source::new(id, markup);

        let datetime = Datetime::from_ymd_hms(
            when.year,
            when.month,
            when.day,
            when.hour,
            when.minute,
            when.second,
        )
        .ok_or_else(|| format!("the document date {when:?} is out of range"))?;
        let world = Single {
            library: &self.library,
            book: &self.book,
            fonts: &self.fonts,
            main: source,
            today: Datetime::from_ymd(when.year, when.month, when.day).unwrap_or(datetime),
        };
        let document: PagedDocument = typst::compile(&world)
            .output
            .map_err(|errors| explain(&errors, &world))?;
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some(format!("kitei {}", env!("CARGO_PKG_VERSION")))),
            timestamp: Some(Timestamp::new_utc(datetime)),
            standards: PdfStandards::new(&[PdfStandard::A_2b])
                .map_err(|e| e.message().to_string())?,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| explain(&errors, &world));
        // typst memoises across compiles in one global cache that nothing else empties: at
        // 10,000 documents it grew past 20 GB. What the last few PDFs did not use goes.
        typst::comemo::evict(CACHE_AGE);
        pdf
    }
}

/// How many PDFs typst's memoised results may go unused before they are let go: the fonts
/// and the shared preamble stay, one document's layout does not.
const CACHE_AGE: usize = 10;

/// typst's diagnostics as one message, with the generated markup line each points at (the
/// markup is kitei's own: an error here is a kitei bug or a construct typst cannot lay out,
/// and the line says which). Repeated messages are said once and at most [`SHOWN_ERRORS`] are
/// listed: a list nested 300 deep gave 430 errors, one line of 60,000 characters.
fn explain(errors: &[SourceDiagnostic], world: &Single) -> String {
    let source = &world.main;
    let mut said: Vec<String> = errors
        .iter()
        .map(|e| {
            let at = world
                .range(e.span)
                .and_then(|r| {
                    let line = source.lines().byte_to_line(r.start)?;
                    let text = source.text().lines().nth(line)?;
                    Some(format!(
                        " (generated markup line {}: {})",
                        line + 1,
                        text.chars().take(120).collect::<String>()
                    ))
                })
                .unwrap_or_default();
            format!("typst: {}{at}", e.message)
        })
        .collect();
    said.dedup();
    let more = said.len().saturating_sub(SHOWN_ERRORS);
    said.truncate(SHOWN_ERRORS);
    let mut message = said.join("; ");
    if more > 0 {
        message.push_str(&format!("; and {more} more"));
    }
    // typst's limits on nesting ("maximum show rule depth exceeded", "maximum parsing depth
    // exceeded") are met by what the author wrote, not by a kitei bug: say what to change.
    if errors.iter().any(|e| e.message.contains("depth exceeded")) {
        message.push_str(
            " (the document nests lists or quotes more deeply than typst can lay out: \
             flatten the deepest ones)",
        );
    }
    message
}

/// How many of typst's errors [`explain`] lists.
const SHOWN_ERRORS: usize = 3;
