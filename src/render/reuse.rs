//! Incremental builds: what the previous build into the same output folder wrote, so that the
//! next one renders only the pages whose inputs changed and writes only the files whose bytes
//! changed. Everything else is hard-linked from the previous site into the staging folder, which
//! is still swapped in whole ([`super::output::Staging`]): a reader sees the old site or the new
//! one, never a mix.
//!
//! Two files per output folder, beside the no-op stamp in `.kitei-cache/build/`:
//! - `<out>.files` ([`FileManifest`]): every published file with the SHA-256 of its bytes and its
//!   identity on disk (inode, length, modification time). A file is reused only while its
//!   identity is unchanged, so a hand-edited or replaced site file is never carried forward.
//! - `<out>.pages` ([`PageMemo`]): every page with the digest of its inputs (the key: the
//!   template context it was rendered from — its own record, the titles and anchors of what it
//!   links to, the navigation, the findings it shows, the build's global facts — plus the
//!   templates and the kitei binary; for a document's page, the digest of its declared inputs
//!   instead of the context: `Site::render_declared`), the digest of its bytes and its search
//!   text. A page whose
//!   key is unchanged is not rendered again; its file is linked if the files manifest still has
//!   those bytes at that path, and its search text is reused.
//!
//! The page memo (tens of MB at 10,000 documents: the search texts) is kept as 16 parts, pages
//! split by a hash of their URL, each encoded and decoded on a thread of its own.
//!
//! Either file may be missing, stale or damaged (a killed run, another kitei version): each
//! reuse is checked against the other file and the disk, and anything that does not match is
//! rendered and written afresh. `KITEI_CACHE=off` turns both off.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::search::Grams;
use super::text_spool::{Stored, TextSpool};

pub use crate::digest::{Hash, KeyBuilder};

const FILES_MAGIC: &[u8; 8] = b"KITEIFIL";
const PAGES_MAGIC: &[u8; 8] = b"KITEIPAG";
/// Raised whenever the layout of either file changes.
const FORMAT: u32 = 3;
/// The page memo is written as this many independent parts (pages by a hash of their URL), so
/// that it is decoded, and encoded, on all cores: it is tens of MB at 10,000 documents.
const PAGE_PARTS: usize = 16;

/// Whether reuse is on (`KITEI_CACHE` is not `off`).
pub fn enabled() -> bool {
    crate::source::cache::Mode::from_env() != crate::source::cache::Mode::Off
}

/// The files manifest and the page memo of builds into `out`.
pub fn paths(project_root: &Path, out: &Path) -> (PathBuf, PathBuf) {
    let stamp = super::stamp::path(project_root, out);
    (stamp.with_extension("files"), stamp.with_extension("pages"))
}

/// The SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// A file as it was published: what it held and which file on disk it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub digest: Hash,
    pub id: FileId,
}

/// The identity of a file on disk. Hard links share it; any write changes the modification
/// time, and a replaced file has another inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileId {
    pub inode: u64,
    pub len: u64,
    pub mtime_ns: i128,
}

impl FileId {
    pub fn of(meta: &std::fs::Metadata) -> FileId {
        FileId {
            inode: meta.ino(),
            len: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        }
    }
}

/// Every file of the site as published, by relative path.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FileManifest {
    pub files: HashMap<String, FileEntry>,
}

/// One page of the previous build: the digest of its inputs and of its bytes, its search text
/// and the bigrams the search index holds for it (the spelling table is in every page's key).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageEntry {
    pub key: Hash,
    pub digest: Hash,
    pub text: String,
    /// `None`: found again from the text when the page is indexed.
    pub grams: Option<Grams>,
}

/// A page of this build: its search text and bigrams stay in the render's spool until the
/// memo is saved.
#[derive(Debug)]
struct Recorded {
    key: Hash,
    digest: Hash,
    search: Option<(Arc<TextSpool>, Stored)>,
}

impl Recorded {
    /// The page as it is saved: its text borrowed when it is in memory (a reused page's),
    /// read back from the spool otherwise.
    fn entry(&self) -> io::Result<SavedEntry<'_>> {
        let (text, grams) = match &self.search {
            Some((spool, stored)) => (spool.text(stored)?, spool.grams(stored)?),
            None => (Cow::Borrowed(""), None),
        };
        Ok(SavedEntry {
            key: &self.key,
            digest: &self.digest,
            text,
            grams,
        })
    }
}

/// [`PageEntry`] as it is written: the same fields, in the same order, so the same bytes.
#[derive(Serialize)]
struct SavedEntry<'a> {
    key: &'a Hash,
    digest: &'a Hash,
    text: Cow<'a, str>,
    grams: Option<Cow<'a, Grams>>,
}

/// Some of this build's pages as a map of [`PageEntry`], read from the spool one page at a time.
struct Saved<'a>(Vec<(&'a String, &'a Recorded)>);

impl Serialize for Saved<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (url, page) in &self.0 {
            map.serialize_entry(url, &page.entry().map_err(S::Error::custom)?)?;
        }
        map.end()
    }
}

/// The pages of the previous build (taken out one by one as they are reused) and those of this
/// one (saved after it is published).
#[derive(Debug, Default)]
pub struct PageMemo {
    previous: Mutex<HashMap<String, PageEntry>>,
    next: Mutex<HashMap<String, Recorded>>,
    /// Pages of this build reused from the previous one.
    reused: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PageMemo {
    /// The memo of the last build saved at `path`, or an empty one.
    pub fn load(path: &Path) -> PageMemo {
        let previous = read_pages(path).unwrap_or_default();
        PageMemo {
            previous: Mutex::new(previous),
            next: Mutex::new(HashMap::new()),
            reused: AtomicUsize::new(0),
        }
    }

    /// Notes that a page taken with [`PageMemo::take`] was reused.
    pub fn reused(&self) {
        self.reused.fetch_add(1, Ordering::Relaxed);
    }

    /// (pages reused, pages recorded) in this build.
    pub fn counts(&self) -> (usize, usize) {
        (self.reused.load(Ordering::Relaxed), lock(&self.next).len())
    }

    /// The previous build's page at `url` if it was made from the same inputs: its digest and
    /// search text (taken out: a page is reused once).
    pub fn take(&self, url: &str, key: &Hash) -> Option<PageEntry> {
        let mut previous = lock(&self.previous);
        match previous.get(url) {
            Some(entry) if entry.key == *key => previous.remove(url),
            _ => None,
        }
    }

    /// Records a page of this build (its search text and bigrams are filled in by
    /// [`PageMemo::set_search`]).
    pub fn record(&self, url: &str, key: Hash, digest: Hash) {
        lock(&self.next).insert(
            url.to_string(),
            Recorded {
                key,
                digest,
                search: None,
            },
        );
    }

    /// Gives a recorded page its search text and bigrams, as stored in `spool`.
    pub fn set_search(&self, url: &str, spool: &Arc<TextSpool>, stored: Stored) {
        if let Some(entry) = lock(&self.next).get_mut(url) {
            entry.search = Some((spool.clone(), stored));
        }
    }

    /// Forgets this build's pages (a build that renders twice keeps the second render's).
    pub fn restart(&self) {
        lock(&self.next).clear();
        self.reused.store(0, Ordering::Relaxed);
    }

    /// Saves this build's pages at `path` (atomically; a failure only costs the next build its
    /// reuse, so it is not reported).
    pub fn save(&self, path: &Path) {
        let next = std::mem::take(&mut *lock(&self.next));
        let _ = write_pages(path, &next);
    }
}

/// Which of the memo's parts holds the page at `url`.
fn page_part(url: &str) -> usize {
    let hash = url
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    hash as usize % PAGE_PARTS
}

/// The page memo at `path`: its parts decoded in parallel and joined.
fn read_pages(path: &Path) -> Option<HashMap<String, PageEntry>> {
    use crate::source::cache::Blob;
    use rayon::prelude::*;
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(header(PAGES_MAGIC).as_slice())?;
    let parts: Vec<Blob<'_>> = postcard::from_bytes(body).ok()?;
    let parts: Vec<HashMap<String, PageEntry>> = parts
        .par_iter()
        .map(|part| postcard::from_bytes(&part.0).ok())
        .collect::<Option<_>>()?;
    let mut pages = HashMap::with_capacity(parts.iter().map(HashMap::len).sum());
    for part in parts {
        pages.extend(part);
    }
    Some(pages)
}

/// Writes this build's pages as [`PAGE_PARTS`] parts, each encoded on its own thread; two at a
/// time, so that no more than two parts wait in memory to be written.
fn write_pages(path: &Path, next: &HashMap<String, Recorded>) -> io::Result<()> {
    let mut parts: Vec<Vec<(&String, &Recorded)>> = vec![Vec::new(); PAGE_PARTS];
    for (url, page) in next {
        parts[page_part(url)].push((url, page));
    }
    let parts: Vec<Saved<'_>> = parts.into_iter().map(Saved).collect();
    write(path, PAGES_MAGIC, &EncodedParts(&parts))
}

/// The memo's parts as a sequence of byte strings, each encoded when it is written.
struct EncodedParts<'p, 'a>(&'p [Saved<'a>]);

impl Serialize for EncodedParts<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use rayon::prelude::*;
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for pair in self.0.chunks(2) {
            let encoded: Vec<_> = pair.par_iter().map(postcard::to_allocvec).collect();
            for part in encoded {
                let bytes = part.map_err(S::Error::custom)?;
                seq.serialize_element(&crate::source::cache::Blob(std::borrow::Cow::Owned(bytes)))?;
            }
        }
        seq.end()
    }
}

impl FileManifest {
    pub fn load(path: &Path) -> FileManifest {
        FileManifest {
            files: read(path, FILES_MAGIC).unwrap_or_default(),
        }
    }

    pub fn save(&self, path: &Path) -> io::Result<()> {
        write(path, FILES_MAGIC, &self.files)
    }
}

/// The header every file starts with: magic, format, kitei's version.
fn header(magic: &[u8; 8]) -> Vec<u8> {
    let mut h = magic.to_vec();
    h.extend_from_slice(&FORMAT.to_le_bytes());
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    h.push(version.len() as u8);
    h.extend_from_slice(version);
    h
}

fn read<T: serde::de::DeserializeOwned>(path: &Path, magic: &[u8; 8]) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(header(magic).as_slice())?;
    postcard::from_bytes(body).ok()
}

fn write<T: Serialize>(path: &Path, magic: &[u8; 8], value: &T) -> io::Result<()> {
    let dir = path.parent().ok_or_else(|| io::Error::other("no folder"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".kitei-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        // The page memo is tens of MB: written in large pieces.
        let mut out = io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        out.write_all(&header(magic))?;
        postcard::to_io(value, &mut out).map_err(io::Error::other)?;
        out.flush()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// What identifies the running kitei (its templates and code are part of every page's
/// inputs): version, and the executable's length and modification time.
pub fn binary_identity() -> String {
    let exe = std::env::current_exe().ok();
    let meta = exe.as_ref().and_then(|e| std::fs::metadata(e).ok());
    match meta {
        Some(m) => format!(
            "{} {} {}.{}",
            env!("CARGO_PKG_VERSION"),
            m.len(),
            m.mtime(),
            m.mtime_nsec()
        ),
        // Unknown: a key no other run shares, so nothing is reused.
        None => format!("unknown {:?}", std::time::SystemTime::now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_round_trip_and_single_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pages");
        let memo = PageMemo::default();
        memo.record("a.html", [1; 32], [2; 32]);
        let spool = Arc::new(TextSpool::new());
        memo.set_search("a.html", &spool, spool.put("本文".into(), None));
        memo.save(&path);
        let memo = PageMemo::load(&path);
        assert!(memo.take("a.html", &[9; 32]).is_none(), "another key");
        let e = memo.take("a.html", &[1; 32]).unwrap();
        assert_eq!((e.digest, e.text.as_str()), ([2; 32], "本文"));
        assert!(memo.take("a.html", &[1; 32]).is_none(), "taken once");
    }

    #[test]
    fn every_page_comes_back_from_the_memos_parts() {
        let spool = Arc::new(TextSpool::new());
        let memo = PageMemo::default();
        let urls: Vec<String> = (0..200).map(|n| format!("doc-{n}.html")).collect();
        for (n, url) in urls.iter().enumerate() {
            memo.record(url, [n as u8; 32], [2; 32]);
            memo.set_search(url, &spool, Stored::Held(format!("本文 {n}"), None));
        }
        let parts: std::collections::BTreeSet<usize> = urls.iter().map(|u| page_part(u)).collect();
        assert!(parts.len() > 1, "the pages are spread over parts");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pages");
        memo.save(&path);
        let memo = PageMemo::load(&path);
        for (n, url) in urls.iter().enumerate() {
            let page = memo.take(url, &[n as u8; 32]).expect(url);
            assert_eq!(page.text, format!("本文 {n}"));
        }
        assert!(lock(&memo.previous).is_empty(), "nothing more came back");
        // A damaged memo reads as an empty one.
        let mut bytes = std::fs::read(&path).unwrap();
        let end = bytes.len();
        bytes.truncate(end - 10);
        std::fs::write(&path, bytes).unwrap();
        assert!(lock(&PageMemo::load(&path).previous).is_empty());
    }

    /// A reused page's text is written from memory, a rendered page's read back from the
    /// spool; either way the saved entry has the bytes of a [`PageEntry`].
    #[test]
    fn saved_entries_are_page_entries() {
        let spelling = crate::render::spelling::Spelling::new(&[]).unwrap();
        let grams = Grams::of(&spelling, "題", "保持された本文");
        let spool = Arc::new(TextSpool::new());
        let pages = [
            (
                "held.html",
                Stored::Held("保持された本文".into(), Some(grams.clone())),
            ),
            ("spooled.html", spool.put("書き出した本文".into(), None)),
        ];
        let memo = PageMemo::default();
        for (url, stored) in pages {
            memo.record(url, [1; 32], [2; 32]);
            memo.set_search(url, &spool, stored);
        }
        for (url, recorded) in lock(&memo.next).iter() {
            let (text, grams) = match url.as_str() {
                "held.html" => ("保持された本文", Some(grams.clone())),
                _ => ("書き出した本文", None),
            };
            let entry = PageEntry {
                key: [1; 32],
                digest: [2; 32],
                text: text.into(),
                grams,
            };
            assert_eq!(
                postcard::to_allocvec(&recorded.entry().unwrap()).unwrap(),
                postcard::to_allocvec(&entry).unwrap(),
                "{url}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pages");
        memo.save(&path);
        let memo = PageMemo::load(&path);
        let held = memo.take("held.html", &[1; 32]).unwrap();
        assert_eq!(
            (held.text.as_str(), held.grams),
            ("保持された本文", Some(grams))
        );
    }

    #[test]
    fn damaged_or_foreign_files_read_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.files");
        std::fs::write(&path, b"KITEIFIL garbage").unwrap();
        assert!(FileManifest::load(&path).files.is_empty());
        let mut m = FileManifest::default();
        m.files.insert(
            "a".into(),
            FileEntry {
                digest: [3; 32],
                id: FileId {
                    inode: 1,
                    len: 2,
                    mtime_ns: 3,
                },
            },
        );
        m.save(&path).unwrap();
        assert_eq!(FileManifest::load(&path).files, m.files);
        // A page memo is not a files manifest.
        assert!(PageMemo::load(&path).previous.lock().unwrap().is_empty());
    }
}
