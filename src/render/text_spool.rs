//! Every page's search text and bigrams, from the page's render to the search index and the
//! page memo. A site's texts are as large as its pages' prose (≈ 65 MB at 10,000 documents)
//! and are needed only at the end, in URL order: they wait in an anonymous temporary file,
//! each page remembered by its place in it, instead of in memory. Where no temporary file can
//! be made or written, a page's text is held in memory as before; nothing is dropped.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

use super::search::Grams;
use crate::digest::Hash;

/// The texts of one render (shared with the page memo, which saves them after the publish).
#[derive(Debug)]
pub struct TextSpool {
    /// `None`: texts are held in memory.
    file: Option<File>,
    end: Mutex<u64>,
}

/// Where one page's text and bigrams are.
#[derive(Debug)]
pub enum Stored {
    Spooled {
        offset: u64,
        text_len: u32,
        /// `None`: the page's bigrams are not known (found from the text when indexing).
        grams_len: Option<u32>,
    },
    /// In memory: no spool file, a failed write, or a text that was in memory already (a
    /// reused page's, from the page memo).
    Held(String, Option<Grams>),
}

impl Default for TextSpool {
    fn default() -> Self {
        TextSpool::new()
    }
}

impl TextSpool {
    /// A spool in the system's temporary folder (deleted by the system when the last handle
    /// closes), or texts in memory if none can be made there.
    pub fn new() -> TextSpool {
        TextSpool {
            file: tempfile::tempfile().ok(),
            end: Mutex::new(0),
        }
    }

    /// A spool that holds every text in memory.
    pub fn in_memory() -> TextSpool {
        TextSpool {
            file: None,
            end: Mutex::new(0),
        }
    }

    /// Stores a page's text and bigrams (several render threads store at once).
    pub fn put(&self, text: String, grams: Option<Grams>) -> Stored {
        let Some(file) = &self.file else {
            return Stored::Held(text, grams);
        };
        let grams_bytes = grams.as_ref().map_or(&[][..], Grams::as_bytes);
        let (Ok(text_len), Ok(grams_len)) =
            (u32::try_from(text.len()), u32::try_from(grams_bytes.len()))
        else {
            return Stored::Held(text, grams);
        };
        let mut bytes = Vec::with_capacity(text.len() + grams_bytes.len());
        bytes.extend_from_slice(text.as_bytes());
        bytes.extend_from_slice(grams_bytes);
        // Reserve the range, then write outside the lock.
        let offset = {
            let mut end = self.end.lock().unwrap_or_else(|e| e.into_inner());
            let offset = *end;
            *end += bytes.len() as u64;
            offset
        };
        match file.write_all_at(&bytes, offset) {
            Ok(()) => Stored::Spooled {
                offset,
                text_len,
                grams_len: grams.is_some().then_some(grams_len),
            },
            Err(_) => Stored::Held(text, grams),
        }
    }

    /// A page's text.
    pub fn text<'s>(&self, stored: &'s Stored) -> io::Result<Cow<'s, str>> {
        match stored {
            Stored::Held(text, _) => Ok(Cow::Borrowed(text)),
            &Stored::Spooled {
                offset, text_len, ..
            } => {
                let bytes = self.read(offset, text_len)?;
                Ok(Cow::Owned(
                    String::from_utf8(bytes).map_err(io::Error::other)?,
                ))
            }
        }
    }

    /// A page's bigrams, if they are known.
    pub fn grams<'s>(&self, stored: &'s Stored) -> io::Result<Option<Cow<'s, Grams>>> {
        match stored {
            Stored::Held(_, grams) => Ok(grams.as_ref().map(Cow::Borrowed)),
            &Stored::Spooled {
                offset,
                text_len,
                grams_len,
            } => grams_len
                .map(|len| {
                    let bytes = self.read(offset + u64::from(text_len), len)?;
                    Ok(Cow::Owned(Grams::from_bytes(bytes)))
                })
                .transpose(),
        }
    }

    fn read(&self, offset: u64, len: u32) -> io::Result<Vec<u8>> {
        let file = self
            .file
            .as_ref()
            .ok_or_else(|| io::Error::other("the page text spool is gone"))?;
        let mut bytes = vec![0; len as usize];
        file.read_exact_at(&mut bytes, offset)?;
        Ok(bytes)
    }
}

/// A page of the search index: its URL and title, its text and bigrams in the spool.
#[derive(Debug)]
pub struct IndexedPage {
    pub url: String,
    pub title: String,
    pub stored: Stored,
    /// The digest of the page's bytes (its text is taken from them), when the sink keeps one.
    pub digest: Option<Hash>,
}

/// Pages in URL order with their texts in `spool`, as [`super::search::write_index`] reads
/// them; a text that cannot be read back is indexed as empty and the first such error kept
/// (the build then fails with it: [`SpooledPages::error`]).
pub struct SpooledPages<'a> {
    pub pages: &'a [IndexedPage],
    pub spool: &'a TextSpool,
    error: Mutex<Option<io::Error>>,
}

impl<'a> SpooledPages<'a> {
    pub fn new(pages: &'a [IndexedPage], spool: &'a TextSpool) -> Self {
        SpooledPages {
            pages,
            spool,
            error: Mutex::new(None),
        }
    }

    /// The first read error, if any.
    pub fn error(self) -> Option<io::Error> {
        self.error.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// The value read, or `None` with the first error kept.
    fn kept<T>(&self, read: io::Result<T>) -> Option<T> {
        read.map_err(|e| {
            self.error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e);
        })
        .ok()
    }
}

impl super::search::Pages for SpooledPages<'_> {
    fn len(&self) -> usize {
        self.pages.len()
    }
    fn url(&self, i: usize) -> &str {
        &self.pages[i].url
    }
    fn title(&self, i: usize) -> &str {
        &self.pages[i].title
    }
    fn grams(&self, i: usize) -> Option<Cow<'_, Grams>> {
        self.kept(self.spool.grams(&self.pages[i].stored)).flatten()
    }
    fn with_text(&self, i: usize, f: &mut dyn FnMut(&str)) {
        let text = self.kept(self.spool.text(&self.pages[i].stored));
        f(text.as_deref().unwrap_or(""));
    }
    fn text_len(&self, i: usize) -> usize {
        match &self.pages[i].stored {
            Stored::Held(text, _) => text.len(),
            Stored::Spooled { text_len, .. } => *text_len as usize,
        }
    }
    fn text_key(&self, i: usize) -> Option<Hash> {
        self.pages[i].digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::search::Pages;

    #[test]
    fn a_text_that_cannot_be_read_back_is_an_error_not_a_smaller_index() {
        let spool = TextSpool::new();
        let page = IndexedPage {
            url: "a.html".into(),
            title: "題".into(),
            stored: spool.put("本文".into(), None),
            digest: None,
        };
        assert!(matches!(page.stored, Stored::Spooled { .. }));
        spool.file.as_ref().unwrap().set_len(0).unwrap();
        let pages = SpooledPages::new(std::slice::from_ref(&page), &spool);
        let mut seen = None;
        pages.with_text(0, &mut |t| seen = Some(t.to_string()));
        assert_eq!(seen.as_deref(), Some(""));
        assert!(pages.error().is_some(), "the failed read is reported");
    }
    use crate::render::spelling::Spelling;

    #[test]
    fn texts_and_bigrams_come_back_as_stored_from_either_kind_of_spool() {
        let spelling = Spelling::new(&[]).unwrap();
        let pages = [
            ("本文です。", true),
            ("", true),
            ("grams unknown", false),
            ("", false),
        ];
        for spool in [TextSpool::new(), TextSpool::in_memory()] {
            let stored: Vec<Stored> = pages
                .iter()
                .map(|&(text, known)| {
                    let grams = known.then(|| Grams::of(&spelling, "題", text));
                    spool.put(text.to_string(), grams)
                })
                .collect();
            assert_eq!(
                matches!(stored[0], Stored::Spooled { .. }),
                spool.file.is_some()
            );
            for ((text, known), s) in pages.iter().zip(&stored) {
                let (t, g) = (spool.text(s).unwrap(), spool.grams(s).unwrap());
                assert_eq!(t, *text);
                assert_eq!(
                    g.map(Cow::into_owned),
                    known.then(|| Grams::of(&spelling, "題", text))
                );
            }
        }
    }
}
