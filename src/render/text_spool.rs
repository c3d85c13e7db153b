//! Every page's search text and bigrams, from the page's render to the search index and the
//! page memo. A site's texts are as large as its pages' prose (≈ 65 MB at 10,000 documents)
//! and are needed only at the end, in URL order: they wait in an anonymous temporary file,
//! each page remembered by its place in it, instead of in memory. Where no temporary file can
//! be made or written, a page's text is held in memory as before; nothing is dropped.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

use super::search::Grams;

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

    /// A page's text and bigrams as stored.
    pub fn get(&self, stored: &Stored) -> io::Result<(String, Option<Grams>)> {
        match stored {
            Stored::Held(text, grams) => Ok((text.clone(), grams.clone())),
            &Stored::Spooled {
                offset,
                text_len,
                grams_len,
            } => {
                let file = self
                    .file
                    .as_ref()
                    .ok_or_else(|| io::Error::other("the page text spool is gone"))?;
                let text_len = text_len as usize;
                let mut bytes = vec![0; text_len + grams_len.unwrap_or(0) as usize];
                file.read_exact_at(&mut bytes, offset)?;
                let grams = grams_len.map(|_| Grams::from_bytes(bytes[text_len..].to_vec()));
                bytes.truncate(text_len);
                let text = String::from_utf8(bytes).map_err(io::Error::other)?;
                Ok((text, grams))
            }
        }
    }
}

/// A page of the search index: its URL and title, its text and bigrams in the spool.
#[derive(Debug)]
pub struct IndexedPage {
    pub url: String,
    pub title: String,
    pub stored: Stored,
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
    fn with_body(&self, i: usize, f: &mut dyn FnMut(&str, Option<&Grams>)) {
        match self.spool.get(&self.pages[i].stored) {
            Ok((text, grams)) => f(&text, grams.as_ref()),
            Err(e) => {
                self.error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
                f("", None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
                let (t, g) = spool.get(s).unwrap();
                assert_eq!(t, *text);
                assert_eq!(g, known.then(|| Grams::of(&spelling, "題", text)));
            }
        }
    }
}
