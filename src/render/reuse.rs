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
//! The page memo (tens of MB at 10,000 documents: the search texts) is kept as 16 files,
//! `<out>.pages.00` to `.15`, pages split by a hash of their URL: they are read and decoded in
//! parallel, and a build writes only the parts whose pages it did not all reuse (after one
//! changed file, one part of 16).
//!
//! Either file may be missing, stale or damaged (a killed run, another kitei version): each
//! reuse is checked against the other file and the disk, and anything that does not match is
//! rendered and written afresh. `KITEI_CACHE=off` turns both off.

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
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
const FORMAT: u32 = 4;
/// The page memo is written as this many independent files (pages by a hash of their URL), so
/// that it is decoded on all cores and a build rewrites only the parts it changed.
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
    #[serde(deserialize_with = "crate::text::encoding::deserialize_string")]
    pub text: String,
    /// `None`: found again from the text when the page is indexed.
    pub grams: Option<Grams>,
    /// For a document's page, the digest of what its key is made from ([`PageMemo::key_for`]).
    pub quick: Option<Hash>,
}

/// A page of this build: its search text and bigrams stay in the render's spool until the
/// memo is saved.
#[derive(Debug)]
struct Recorded {
    key: Hash,
    digest: Hash,
    search: Option<(Arc<TextSpool>, Stored)>,
    /// The previous build's entry, reused as it was (so saved as the same bytes).
    reused: bool,
    quick: Option<Hash>,
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
            quick: &self.quick,
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
    quick: &'a Option<Hash>,
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
    /// How many pages each part held as read (`None`: missing or unreadable).
    previous_parts: [Option<usize>; PAGE_PARTS],
    next: Mutex<HashMap<String, Recorded>>,
    /// Pages of this build reused from the previous one.
    reused: AtomicUsize,
    /// Other files recorded ([`PageMemo::record_file`]), and those of them kept.
    files: AtomicUsize,
    files_kept: AtomicUsize,
    /// Pages reused by their key found with [`PageMemo::key_for`].
    found_by_quick: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PageMemo {
    /// The memo of the last build saved at `path`, or an empty one.
    pub fn load(path: &Path) -> PageMemo {
        let (previous, previous_parts) = read_pages(path);
        PageMemo {
            previous: Mutex::new(previous),
            previous_parts,
            next: Mutex::new(HashMap::default()),
            reused: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
            files_kept: AtomicUsize::new(0),
            found_by_quick: AtomicUsize::new(0),
        }
    }

    /// Records a page taken with [`PageMemo::take`] as reused: its entry is saved as it was.
    pub fn record_reused(&self, url: &str, previous: &PageEntry) {
        self.insert(url, previous.key, previous.digest, true, previous.quick);
        self.reused.fetch_add(1, Ordering::Relaxed);
    }

    /// The key of the previous build's page at `url` when it was recorded with this `quick`
    /// digest: the digest of everything that page's key is made from, cheaper to find than
    /// the key itself (a document page's key resolves every link of the document). Equal
    /// digests mean equal keys; the page is then taken with [`PageMemo::take`] as any other.
    pub fn key_for(&self, url: &str, quick: &Hash) -> Option<Hash> {
        lock(&self.previous)
            .get(url)
            .filter(|entry| entry.quick.as_ref() == Some(quick))
            .map(|entry| entry.key)
    }

    /// Counts a page reused under the key [`PageMemo::key_for`] found.
    pub fn found_by_quick(&self) {
        self.found_by_quick.fetch_add(1, Ordering::Relaxed);
    }

    /// How many pages of this build were reused under a key found by its quick digest.
    pub fn quick_count(&self) -> usize {
        self.found_by_quick.load(Ordering::Relaxed)
    }

    /// Gives this build's page at `url`, once recorded, the `quick` digest of its key's inputs
    /// (see [`PageMemo::key_for`]).
    pub fn set_quick(&self, url: &str, quick: Hash) {
        if let Some(entry) = lock(&self.next).get_mut(url)
            && entry.quick != Some(quick)
        {
            entry.quick = Some(quick);
            // Not as it was read any more: its part is written.
            entry.reused = false;
        }
    }

    /// (pages reused, pages recorded) in this build.
    pub fn counts(&self) -> (usize, usize) {
        let files = self.files.load(Ordering::Relaxed);
        (
            self.reused.load(Ordering::Relaxed),
            lock(&self.next).len().saturating_sub(files),
        )
    }

    /// (files kept, files recorded) of those that are not pages ([`PageMemo::record_file`]).
    pub fn file_counts(&self) -> (usize, usize) {
        (
            self.files_kept.load(Ordering::Relaxed),
            self.files.load(Ordering::Relaxed),
        )
    }

    /// Records a file of this build that is not a page (a search index file made from a key):
    /// `kept` when it was taken with [`PageMemo::take`] and linked, so saved as it was.
    pub fn record_file(&self, url: &str, key: Hash, digest: Hash, kept: bool) {
        self.insert(url, key, digest, kept, None);
        self.files.fetch_add(1, Ordering::Relaxed);
        if kept {
            self.files_kept.fetch_add(1, Ordering::Relaxed);
        }
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
        self.insert(url, key, digest, false, None);
    }

    fn insert(&self, url: &str, key: Hash, digest: Hash, reused: bool, quick: Option<Hash>) {
        let page = Recorded {
            key,
            digest,
            search: None,
            reused,
            quick,
        };
        lock(&self.next).insert(url.to_string(), page);
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
        self.files.store(0, Ordering::Relaxed);
        self.files_kept.store(0, Ordering::Relaxed);
        self.found_by_quick.store(0, Ordering::Relaxed);
    }

    /// Saves this build's pages at `path` (atomically; a failure only costs the next build its
    /// reuse, so it is not reported). They stay recorded for [`PageMemo::into_next`].
    pub fn save(&self, path: &Path) {
        write_pages(path, &lock(&self.next), &self.previous_parts);
    }

    /// This build's pages as the memo the next build would read back from what
    /// [`PageMemo::save`] wrote, without writing and reading them (a process that builds again,
    /// `kitei serve`: 10,000 pages are tens of MB to decode). The texts of reused pages are
    /// moved, not copied; a page whose text cannot be read back from the spool is left out
    /// (it is rendered again).
    pub fn into_next(self) -> PageMemo {
        let next = self.next.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut counts = [0; PAGE_PARTS];
        let mut previous = HashMap::with_capacity_and_hasher(next.len(), Default::default());
        for (url, page) in next {
            let (text, grams) = match page.search {
                Some((_, Stored::Held(text, grams))) => (text, grams),
                Some((spool, stored)) => {
                    let (Ok(text), Ok(grams)) = (spool.text(&stored), spool.grams(&stored)) else {
                        continue;
                    };
                    (text.into_owned(), grams.map(Cow::into_owned))
                }
                None => (String::new(), None),
            };
            counts[page_part(&url)] += 1;
            let entry = PageEntry {
                key: page.key,
                digest: page.digest,
                text,
                grams,
                quick: page.quick,
            };
            previous.insert(url, entry);
        }
        PageMemo {
            previous: Mutex::new(previous),
            previous_parts: counts.map(Some),
            ..PageMemo::default()
        }
    }
}

/// The file of part `n` of the page memo at `path`.
fn part_path(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n:02}"));
    PathBuf::from(name)
}

/// Which of the memo's parts holds the page at `url`.
fn page_part(url: &str) -> usize {
    let hash = url
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    hash as usize % PAGE_PARTS
}

/// The page memo at `path`: its parts read and decoded in parallel, joined; and how many pages
/// each part held (`None` for a part that is missing or does not decode).
fn read_pages(path: &Path) -> (HashMap<String, PageEntry>, [Option<usize>; PAGE_PARTS]) {
    use rayon::prelude::*;
    let parts: Vec<Option<HashMap<String, PageEntry>>> = (0..PAGE_PARTS)
        .into_par_iter()
        .map(|n| read(&part_path(path, n), PAGES_MAGIC))
        .collect();
    let counts = std::array::from_fn(|n| parts[n].as_ref().map(HashMap::len));
    let mut pages = HashMap::with_capacity_and_hasher(
        parts.iter().flatten().map(HashMap::len).sum(),
        Default::default(),
    );
    for part in parts.into_iter().flatten() {
        pages.extend(part);
    }
    (pages, counts)
}

/// Writes the parts of this build's pages that differ from the parts as read (`previous`: how
/// many pages each held), in parallel, each atomically. A part whose every page was reused and
/// that lost none holds the same bytes already. A part that cannot be written only costs the
/// next build its reuse.
fn write_pages(path: &Path, next: &HashMap<String, Recorded>, previous: &[Option<usize>]) {
    use rayon::prelude::*;
    let mut parts: Vec<Vec<(&String, &Recorded)>> = vec![Vec::new(); PAGE_PARTS];
    for (url, page) in next {
        parts[page_part(url)].push((url, page));
    }
    parts.into_par_iter().enumerate().for_each(|(n, pages)| {
        let same = previous[n] == Some(pages.len()) && pages.iter().all(|(_, p)| p.reused);
        if !same {
            let _ = write(&part_path(path, n), PAGES_MAGIC, &Saved(pages));
        }
    });
    // The memo as one file (before its parts were files of their own).
    let _ = std::fs::remove_file(path);
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

    /// What a process that builds again keeps in memory is what the next build would have read
    /// back from disk: spooled and held texts, bigrams, files without text, reused pages.
    #[test]
    fn the_memo_kept_in_memory_is_the_memo_read_back() {
        let spelling = crate::render::spelling::Spelling::new(&[]).unwrap();
        let spool = Arc::new(TextSpool::new());
        let memo = PageMemo::default();
        for n in 0..40u8 {
            let url = format!("p-{n}.html");
            match n % 4 {
                0 => memo.record(&url, [n; 32], [2; 32]),
                1 => memo.record_reused(
                    &url,
                    &PageEntry {
                        key: [n; 32],
                        digest: [3; 32],
                        text: String::new(),
                        grams: None,
                        quick: (n % 8 == 1).then_some([9; 32]),
                    },
                ),
                2 => memo.record_file(&format!("t/{n}.js"), [n; 32], [4; 32], n % 8 == 2),
                _ => memo.record(&url, [n; 32], [5; 32]),
            }
            let grams = (n % 3 == 0).then(|| Grams::of(&spelling, "題", &format!("本文{n}")));
            let stored = match n % 4 {
                0 => spool.put(format!("本文{n}"), grams),
                1 => Stored::Held(format!("本文{n}"), grams),
                _ => continue,
            };
            memo.set_search(&url, &spool, stored);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pages");
        memo.save(&path);
        let read = PageMemo::load(&path);
        let kept = memo.into_next();
        let entries = |m: &PageMemo| {
            type Row = (String, Hash, Hash, String, Option<Grams>, Option<Hash>);
            let mut v: Vec<Row> = lock(&m.previous)
                .iter()
                .map(|(u, e)| {
                    let (text, grams) = (e.text.clone(), e.grams.clone());
                    (u.clone(), e.key, e.digest, text, grams, e.quick)
                })
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        assert_eq!(entries(&kept), entries(&read));
        assert_eq!(entries(&kept).len(), 40);
        assert_eq!(kept.previous_parts, read.previous_parts);
        assert!(entries(&kept).iter().any(|e| e.4.is_some()), "bigrams kept");
        assert!(
            entries(&kept).iter().any(|e| e.5.is_some()),
            "quick digests kept"
        );
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
        // A damaged part reads as empty; the others come back.
        let damaged = part_path(&path, page_part(&urls[0]));
        let mut bytes = std::fs::read(&damaged).unwrap();
        let end = bytes.len();
        bytes.truncate(end - 10);
        std::fs::write(&damaged, bytes).unwrap();
        let memo = PageMemo::load(&path);
        let back = lock(&memo.previous).len();
        let lost = urls
            .iter()
            .filter(|u| page_part(u) == page_part(&urls[0]))
            .count();
        assert_eq!(back, urls.len() - lost);
    }

    /// A build writes only the parts it did not reuse whole: one with a page rendered again,
    /// one that lost a page; parts whose every page was reused keep their files.
    #[test]
    fn only_changed_parts_are_written() {
        let spool = Arc::new(TextSpool::new());
        let urls: Vec<String> = (0..64).map(|n| format!("doc-{n}.html")).collect();
        let memo = PageMemo::default();
        for (n, url) in urls.iter().enumerate() {
            memo.record(url, [n as u8; 32], [2; 32]);
            memo.set_search(url, &spool, Stored::Held(format!("本文 {n}"), None));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pages");
        memo.save(&path);
        let (rendered, removed) = (&urls[0], &urls[1]);
        assert_ne!(page_part(rendered), page_part(removed));
        // A page reused as it was but given a new quick digest: its part is written too.
        let requick = urls
            .iter()
            .find(|u| ![page_part(rendered), page_part(removed)].contains(&page_part(u)))
            .unwrap();
        let memo = PageMemo::load(&path);
        // Marks every part file: a part written again loses the mark.
        for n in 0..PAGE_PARTS {
            std::fs::write(part_path(&path, n), b"mark").unwrap();
        }
        for (n, url) in urls.iter().enumerate() {
            let key = [n as u8; 32];
            let page = memo.take(url, &key).unwrap();
            if url == rendered {
                memo.record(url, key, [3; 32]);
            } else if url != removed {
                memo.record_reused(url, &page);
            }
            if url == requick {
                memo.set_quick(url, [7; 32]);
            }
            memo.set_search(url, &spool, Stored::Held(page.text, page.grams));
        }
        memo.save(&path);
        for n in 0..PAGE_PARTS {
            let marked = std::fs::read(part_path(&path, n)).unwrap() == b"mark";
            let changed = [rendered, removed, requick]
                .iter()
                .any(|u| n == page_part(u));
            assert_eq!(marked, !changed, "part {n}");
        }
        let memo = PageMemo::load(&path);
        let key = lock(&memo.previous)[requick.as_str()].key;
        assert_eq!(memo.key_for(requick, &[7; 32]), Some(key));
        assert_eq!(memo.key_for(requick, &[8; 32]), None);
        assert_eq!(memo.key_for(rendered, &[7; 32]), None);
        assert!(memo.take(removed, &[1; 32]).is_none());
        assert_eq!(memo.take(rendered, &[0; 32]).unwrap().digest, [3; 32]);
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
                quick: None,
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
