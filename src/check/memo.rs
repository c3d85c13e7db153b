//! Per-record rule results: what a rule family found in one record last time, so that a check
//! after one file changed runs the family's per-record rules over that record only.
//!
//! A family that reads one record at a time (plus facts of the whole corpus it looks things up
//! in) keys each record's findings by a digest of everything they were made from: the
//! record's file (its path and SHA-256), and the family's *facts* — a digest of every
//! corpus-wide value its per-record rules consult (for the prose rules: the names the corpus
//! defines, every heading and title, the wording dictionaries, the project's settings) and of
//! the kitei executable. A changed record, or a change to any fact, changes the key; an entry
//! is only ever returned for an equal key, so a stale finding cannot come back. When unsure
//! whether a rule reads something, it goes into the facts.
//!
//! Sixteen files per family, `.kitei-cache/check/<family>.00.bin` to `.15.bin` in the project
//! root, the entries split by their key's first byte: magic, format, the executable's identity
//! ([`crate::source::cache::key`]), a CRC-32 of the body (it only finds damage), then the body
//! (postcard: key → findings). Anything unexpected reads as an empty part. The parts are read
//! in parallel, and each is written atomically (temporary file, then rename) with the entries
//! of this run that fall in it, only when they differ from what was read: after one changed
//! record, the few parts holding its old and new entries (the printed findings of 10,000
//! documents are ≈ 10 MB).
//! `KITEI_CACHE=off` turns it off, `KITEI_CACHE=debug` prints what it did.
//!
//! The same store keeps other per-finding values under a family of their own (the printed
//! text of findings, which `kitei check` and `kitei build` keep) through [`Memo::get_bytes`]
//! and [`Memo::put_bytes`].

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::diag::{Diagnostic, Level, Loc};
use crate::source::cache::Mode;

pub use crate::digest::{Hash, KeyBuilder};

const MAGIC: &[u8; 8] = b"KITEICHK";
/// Raised whenever the layout of the file, of an entry or of a key changes.
const FORMAT: u32 = 2;
/// The number of files a family's memo is split into.
const PARTS: usize = 16;

/// The folder of the memos inside `.kitei-cache/`.
const DIR: &str = "check";

/// A finding as stored: [`Diagnostic`] field by field (postcard needs every field present).
#[derive(Serialize, Deserialize)]
struct Finding {
    code: String,
    level: u8,
    message: String,
    location: Option<(PathBuf, u32, u32, u32)>,
    help: Option<String>,
    subject: Option<String>,
}

impl Finding {
    fn of(d: &Diagnostic) -> Finding {
        Finding {
            code: d.code.clone(),
            level: match d.level {
                Level::Allow => 0,
                Level::Warning => 1,
                Level::Error => 2,
            },
            message: d.message.clone(),
            location: d
                .location
                .as_ref()
                .map(|l| (l.path.clone(), l.line, l.column, l.length)),
            help: d.help.clone(),
            subject: d.subject.clone(),
        }
    }

    fn diagnostic(self) -> Option<Diagnostic> {
        let level = match self.level {
            0 => Level::Allow,
            1 => Level::Warning,
            2 => Level::Error,
            _ => return None,
        };
        Some(Diagnostic {
            code: self.code,
            level,
            message: self.message,
            location: self
                .location
                .map(|(p, l, c, length)| Loc::new(p, l, c).spanning(length)),
            help: self.help,
            subject: self.subject,
        })
    }
}

/// The stored findings of one family: key → postcard of the findings.
#[derive(Default, Serialize, Deserialize)]
struct Body {
    entries: FxHashMap<Hash, ByteBuf>,
}

/// The memo of one rule family for one run: the entries read, and the ones this run used or
/// made (which are what is saved).
pub struct Memo {
    family: &'static str,
    /// The family's files, without the part's number: `<family>.bin`.
    path: Option<PathBuf>,
    debug: bool,
    previous: FxHashMap<Hash, ByteBuf>,
    /// How many entries each part held as read (`None`: missing or unreadable).
    previous_parts: [Option<usize>; PARTS],
    next: Mutex<FxHashMap<Hash, ByteBuf>>,
    reused: std::sync::atomic::AtomicUsize,
    made: std::sync::atomic::AtomicUsize,
    /// Entries made by this run, by part.
    made_in: [std::sync::atomic::AtomicUsize; PARTS],
}

/// The part of the memo an entry is kept in.
fn part_of(key: &Hash) -> usize {
    usize::from(key[0]) % PARTS
}

/// The file of part `n` of the memo whose files are named after `path` (`<family>.bin`).
fn part_path(path: &Path, n: usize) -> PathBuf {
    path.with_extension(format!("{n:02}.bin"))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Memo {
    /// A memo that remembers nothing and saves nothing (`KITEI_CACHE=off`, unit tests).
    pub fn off(family: &'static str) -> Memo {
        Memo {
            family,
            path: None,
            debug: false,
            previous: FxHashMap::default(),
            previous_parts: [None; PARTS],
            next: Mutex::new(FxHashMap::default()),
            reused: Default::default(),
            made: Default::default(),
            made_in: Default::default(),
        }
    }

    /// The memo of `family` in the project at `root`, as `mode` says.
    pub fn open(root: &Path, family: &'static str, mode: Mode) -> Memo {
        if mode == Mode::Off {
            return Memo::off(family);
        }
        let Some(identity) = crate::source::cache::key() else {
            return Memo::off(family);
        };
        let path = root
            .join(crate::config::CACHE_DIR)
            .join(DIR)
            .join(format!("{family}.bin"));
        let parts: Vec<Option<Body>> = (0..PARTS)
            .into_par_iter()
            .map(|n| read(&part_path(&path, n), &identity))
            .collect();
        let mut previous_parts = [None; PARTS];
        let mut previous = FxHashMap::default();
        previous.reserve(parts.iter().flatten().map(|b| b.entries.len()).sum());
        for (n, part) in parts.into_iter().enumerate() {
            if let Some(body) = part {
                // An entry filed under the wrong part would be written twice: the part is
                // taken as damaged.
                if body.entries.keys().all(|k| part_of(k) == n) {
                    previous_parts[n] = Some(body.entries.len());
                    previous.extend(body.entries);
                }
            }
        }
        Memo {
            family,
            path: Some(path),
            debug: mode == Mode::Debug,
            previous,
            previous_parts,
            next: Mutex::new(FxHashMap::default()),
            reused: Default::default(),
            made: Default::default(),
            made_in: Default::default(),
        }
    }

    /// Whether findings are remembered at all (when not, callers need not compute keys).
    pub fn is_on(&self) -> bool {
        self.path.is_some()
    }

    /// The findings stored under `key`, if any (and they decode).
    pub fn get(&self, key: &Hash) -> Option<Vec<Diagnostic>> {
        let bytes = self.previous.get(key)?;
        let findings: Vec<Finding> = crate::source::cache::decode(bytes)?;
        let diagnostics = findings
            .into_iter()
            .map(Finding::diagnostic)
            .collect::<Option<Vec<_>>>()?;
        self.keep(key, bytes.clone());
        Some(diagnostics)
    }

    /// The bytes stored under `key`, kept for the next run as if they had been used.
    pub fn get_bytes(&self, key: &Hash) -> Option<Vec<u8>> {
        let bytes = self.previous.get(key)?.clone();
        self.keep(key, bytes.clone());
        Some(bytes.into_vec())
    }

    fn keep(&self, key: &Hash, bytes: ByteBuf) {
        lock(&self.next).insert(*key, bytes);
        self.reused
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Remembers the findings of `key`.
    pub fn put(&self, key: Hash, findings: &[Diagnostic]) {
        if !self.is_on() {
            return;
        }
        let stored: Vec<Finding> = findings.iter().map(Finding::of).collect();
        if let Some(bytes) = crate::source::cache::encode(&stored) {
            self.put_bytes(key, bytes);
        }
    }

    /// Remembers `bytes` under `key`.
    pub fn put_bytes(&self, key: Hash, bytes: Vec<u8>) {
        if !self.is_on() {
            return;
        }
        self.made_in[part_of(&key)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.next).insert(key, ByteBuf::from(bytes));
        self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The findings under `key`, or `compute`d and remembered.
    pub fn get_or(
        &self,
        key: Option<Hash>,
        compute: impl FnOnce() -> Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        let Some(key) = key else {
            return compute();
        };
        if let Some(found) = self.get(&key) {
            return found;
        }
        let found = compute();
        self.put(key, &found);
        found
    }

    /// (records reused, records computed) in this run.
    pub fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.reused.load(Relaxed), self.made.load(Relaxed))
    }

    /// Saves the entries this run used or made, if they differ from what was read (a failure
    /// only costs the next run its reuse, so it is not reported).
    pub fn save(self) {
        let (reused, made) = self.counts();
        let Some(path) = self.path else {
            return;
        };
        if self.debug {
            eprintln!(
                "kitei: check memo {}: {reused} record(s) reused, {made} checked",
                self.family
            );
        }
        let next = self.next.into_inner().unwrap_or_else(|e| e.into_inner());
        let Some(identity) = crate::source::cache::key() else {
            return;
        };
        let mut parts: Vec<FxHashMap<Hash, ByteBuf>> =
            (0..PARTS).map(|_| FxHashMap::default()).collect();
        for (key, bytes) in next {
            parts[part_of(&key)].insert(key, bytes);
        }
        // A part none of whose entries this run made, and which lost none, holds the same
        // entries already.
        parts
            .into_par_iter()
            .enumerate()
            .filter(|(n, entries)| {
                self.made_in[*n].load(std::sync::atomic::Ordering::Relaxed) > 0
                    || self.previous_parts[*n] != Some(entries.len())
            })
            .for_each(|(n, entries)| {
                let _ = write(&part_path(&path, n), &identity, &Body { entries });
            });
        // The single file of kitei before the parts.
        let _ = std::fs::remove_file(&path);
    }
}

const HEADER: usize = 8 + 4 + 32 + 4;

fn read(path: &Path, identity: &Hash) -> Option<Body> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() < HEADER
        || &bytes[..8] != MAGIC
        || bytes[8..12] != FORMAT.to_le_bytes()
        || &bytes[12..44] != identity
    {
        return None;
    }
    let body = &bytes[HEADER..];
    if bytes[44..HEADER] != crc32fast::hash(body).to_le_bytes() {
        return None;
    }
    crate::source::cache::decode(body)
}

fn write(path: &Path, identity: &Hash, body: &Body) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no folder"))?;
    std::fs::create_dir_all(dir)?;
    let encoded = postcard::to_allocvec(body).map_err(std::io::Error::other)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".check-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let file = tmp.as_file_mut();
        let mut out = std::io::BufWriter::new(file);
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT.to_le_bytes())?;
        out.write_all(identity)?;
        out.write_all(&crc32fast::hash(&encoded).to_le_bytes())?;
        out.write_all(&encoded)?;
        out.flush()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(message: &str) -> Diagnostic {
        Diagnostic::new("K0801", Level::Warning, message)
            .at(Loc::new("policy-src/a.md", 3, 7))
            .help("fix it")
            .subject("doc:a")
    }

    #[test]
    fn round_trip_single_key_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let memo = Memo::open(dir.path(), "prose", Mode::On);
        assert!(memo.is_on());
        let d = vec![finding("x"), Diagnostic::new("K0802", Level::Error, "y")];
        assert_eq!(memo.get_or(Some([1; 32]), || d.clone()), d);
        assert_eq!(memo.get_or(Some([2; 32]), Vec::new), vec![]);
        memo.save();

        let memo = Memo::open(dir.path(), "prose", Mode::On);
        assert_eq!(memo.get(&[1; 32]), Some(d.clone()));
        assert_eq!(memo.get(&[2; 32]), Some(vec![]));
        assert_eq!(memo.get(&[3; 32]), None, "another key");
        assert_eq!(memo.counts(), (2, 0));
        assert!(
            Memo::open(dir.path(), "text", Mode::On)
                .get(&[1; 32])
                .is_none(),
            "another family"
        );
        assert!(
            Memo::open(dir.path(), "prose", Mode::Off)
                .get(&[1; 32])
                .is_none(),
            "cache off"
        );

        let file = dir.path().join(format!(
            ".kitei-cache/check/prose.{:02}.bin",
            part_of(&[1; 32])
        ));
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert!(
            Memo::open(dir.path(), "prose", Mode::On)
                .get(&[1; 32])
                .is_none(),
            "a damaged file reads as empty"
        );
        assert_eq!(
            Memo::open(dir.path(), "prose", Mode::On).get(&[2; 32]),
            Some(vec![]),
            "the other parts are read"
        );
    }

    #[test]
    fn only_changed_parts_are_written() {
        use std::time::{Duration, SystemTime};
        let dir = tempfile::tempdir().unwrap();
        let keys: Vec<Hash> = (0..64u8).map(|i| [i; 32]).collect();
        let memo = Memo::open(dir.path(), "prose", Mode::On);
        for k in &keys {
            memo.put(*k, &[finding("a")]);
        }
        memo.save();
        let folder = dir.path().join(".kitei-cache/check");
        let marked = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mark = |n: usize| {
            std::fs::File::options()
                .write(true)
                .open(folder.join(format!("prose.{n:02}.bin")))
                .unwrap()
                .set_modified(marked)
                .unwrap()
        };
        (0..PARTS).for_each(mark);
        // Every entry used but one; one made anew, one made again with other findings.
        let memo = Memo::open(dir.path(), "prose", Mode::On);
        for k in keys[1..].iter().filter(|k| k[0] != 2) {
            assert!(memo.get(k).is_some());
        }
        let made: Hash = [0x45; 32];
        memo.put(made, &[finding("new")]);
        memo.put(keys[2], &[finding("changed")]);
        memo.save();
        let rewritten: Vec<usize> = (0..PARTS)
            .filter(|n| {
                std::fs::metadata(folder.join(format!("prose.{n:02}.bin")))
                    .unwrap()
                    .modified()
                    .unwrap()
                    != marked
            })
            .collect();
        assert_eq!(
            rewritten,
            [part_of(&keys[0]), part_of(&keys[2]), part_of(&made)]
        );
        let memo = Memo::open(dir.path(), "prose", Mode::On);
        assert!(
            memo.get(&keys[0]).is_none(),
            "the entry no run used is gone"
        );
        assert_eq!(memo.get(&keys[2]), Some(vec![finding("changed")]));
        assert!(memo.get(&made).is_some() && memo.get(&keys[1]).is_some());
        // Nothing changed: nothing is written.
        (0..PARTS).for_each(mark);
        let memo = Memo::open(dir.path(), "prose", Mode::On);
        for k in keys[1..].iter().chain([&made]) {
            assert!(memo.get(k).is_some());
        }
        memo.save();
        for n in 0..PARTS {
            let t = std::fs::metadata(folder.join(format!("prose.{n:02}.bin")))
                .unwrap()
                .modified()
                .unwrap();
            assert_eq!(t, marked, "part {n}");
        }
    }

    #[test]
    fn only_used_entries_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let memo = Memo::open(dir.path(), "prose", Mode::On);
        memo.put([1; 32], &[finding("a")]);
        memo.put([2; 32], &[finding("b")]);
        memo.save();
        let memo = Memo::open(dir.path(), "prose", Mode::On);
        assert!(memo.get(&[1; 32]).is_some());
        memo.save();
        let memo = Memo::open(dir.path(), "prose", Mode::On);
        assert!(
            memo.get(&[2; 32]).is_none(),
            "an entry no run used is dropped"
        );
        assert!(memo.get(&[1; 32]).is_some());
    }
}
