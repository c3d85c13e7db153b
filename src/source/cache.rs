//! The loader's cache: for every source file, what reading it produced last time, so that an
//! unchanged file is neither parsed again nor, usually, even read.
//!
//! One file, `.kitei-cache/source.bin` in the project root (ignored by git), holds an entry per
//! source file: its path inside the source folder, a stat fingerprint (length, mtime and ctime
//! in nanoseconds, inode), its SHA-256 and, for a file that parsed without any diagnostic, the
//! parsed value in postcard (a compact binary serde format). The loader uses an entry as git
//! uses its index:
//!
//! - the fingerprint is unchanged and the file's mtime and ctime are more than [`RACY`] older
//!   than the moment the cache was made (the start of the scan that wrote it, or the cache
//!   file's own mtime if earlier): the digest and the parsed value are used without opening
//!   the file. A file changed within that window could have changed again within the same
//!   timestamp tick, so it is read and hashed ("racy git");
//! - otherwise the file is read and hashed; if the digest is the stored one, the parsed value
//!   is used and only parsing is saved;
//! - otherwise it is parsed as if there were no cache.
//!
//! Files that failed to read, decode or parse are stored without a parsed value and parsed
//! again on every run, so their diagnostics are reported every time. Attachments are never
//! parsed; an unchanged attachment keeps its digest without being hashed again (`kitei seal`
//! still hashes every attachment as it copies it and compares).
//!
//! The file starts with [`MAGIC`] and a key: the SHA-256 of kitei's version, [`FORMAT`] and the
//! running executable's length and mtime, so that a rebuilt kitei (whose model may have
//! changed) never decodes an older cache. Then a checksum of the body ([`digest`]: it finds a
//! damaged file; a forged one carries its own checksum, as it would any digest), and the
//! body: postcard of the entries, each parsed value a separate byte string that is decoded on
//! its own (in parallel, by the loader). Anything unexpected is a miss: the cache is rebuilt
//! silently, it never fails a check. It is written atomically (temporary file, then rename) and
//! only when something changed; `KITEI_CACHE=off` turns it off, `KITEI_CACHE=debug` prints what
//! it did.
//!
//! A change to a few files does not rewrite the whole file (about 100 MB at 10,000 documents
//! and as many incidents): their entries go to a second, small file in the same format,
//! [`DELTA`], written by the scan that saw them, and an entry there is used before the main
//! file's entry for the same path. Each entry stands on its own (its stat fingerprint, digest
//! and parsed value, judged against the moment the file holding it was made), so a delta that
//! outlived its main file, or a main file newer than its delta, can only cost a read, never
//! give a wrong value. The main file is rewritten (and the delta removed) once more than an
//! eighth of its entries are out of date or the delta would be that long ([`plan`]).

use std::borrow::Cow;
use std::fs::Metadata;
use std::io::{Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The cache file inside the project's `.kitei-cache/`.
pub const FILE: &str = "source.bin";
/// The entries that changed since [`FILE`] was written, beside it.
pub const DELTA: &str = "source-delta.bin";
const MAGIC: &[u8; 8] = b"KITEISRC";
/// Raised whenever the layout of the file or of an entry changes.
const FORMAT: u32 = 2;
/// A file modified less than this before the cache was made is read again (see the module doc).
pub const RACY: Duration = Duration::from_secs(2);
/// The body is checksummed in chunks of this size, in parallel.
const CHUNK: usize = 4 << 20;

/// Whether the cache is used, from `KITEI_CACHE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Off,
    On,
    /// On, and a line on stderr about what it did.
    Debug,
}

impl Mode {
    pub fn from_env() -> Mode {
        match std::env::var("KITEI_CACHE").as_deref().map(str::trim) {
            Ok("off" | "0" | "false" | "no") => Mode::Off,
            Ok("debug") => Mode::Debug,
            _ => Mode::On,
        }
    }
}

/// A point in time as (seconds, nanoseconds) since the Unix epoch.
pub type Time = (i64, u32);

fn nanos(t: Time) -> i128 {
    i128::from(t.0) * 1_000_000_000 + i128::from(t.1)
}

fn time_of(t: SystemTime) -> Time {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let (s, n) = (d.as_secs() as i64, d.subsec_nanos());
            if n == 0 {
                (-s, 0)
            } else {
                (-s - 1, 1_000_000_000 - n)
            }
        }
    }
}

/// What `stat` says about a file: when any of it changes, the file is read again. ctime
/// catches a file whose content was replaced and whose mtime was set back; the inode a file
/// replaced by renaming another over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stat {
    pub len: u64,
    pub mtime: Time,
    pub ctime: Time,
    pub ino: u64,
}

impl Stat {
    /// The fingerprint of a file's metadata; `None` where stat cannot be trusted (not Unix).
    #[cfg(unix)]
    pub fn of(meta: &Metadata) -> Option<Stat> {
        use std::os::unix::fs::MetadataExt;
        Some(Stat {
            len: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec() as u32),
            ctime: (meta.ctime(), meta.ctime_nsec() as u32),
            ino: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &Metadata) -> Option<Stat> {
        None
    }
}

/// A byte string that postcard writes as such and reads without copying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob<'a>(pub Cow<'a, [u8]>);

impl Serialize for Blob<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Blob<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'a [u8]>::deserialize(d).map(|b| Blob(Cow::Borrowed(b)))
    }
}

/// What the cache knows about one source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry<'a> {
    /// The path inside the source folder, with `/` or the platform's separator as walked.
    #[serde(borrow)]
    pub path: Cow<'a, str>,
    pub stat: Option<Stat>,
    pub sha256: [u8; 32],
    /// The parsed value (postcard), for files that parsed without a diagnostic.
    #[serde(borrow)]
    pub parsed: Option<Blob<'a>>,
}

impl Entry<'_> {
    /// Whether `now` (the file's stat taken before reading it) lets the entry be used without
    /// reading the file: same fingerprint, and modified more than [`RACY`] before `made`.
    pub fn trusted(&self, now: Option<&Stat>, made: Time) -> bool {
        self.stat
            .as_ref()
            .is_some_and(|old| stat_trusted(old, now, made))
    }

    /// The parsed value, if one is stored and decodes.
    pub fn parsed<T: DeserializeOwned>(&self) -> Option<T> {
        decode(&self.parsed.as_ref()?.0)
    }

    /// The same entry, borrowing from this one (to store it again).
    pub fn reborrow(&self) -> Entry<'_> {
        Entry {
            path: Cow::Borrowed(&self.path),
            stat: self.stat,
            sha256: self.sha256,
            parsed: self
                .parsed
                .as_ref()
                .map(|b| Blob(Cow::Borrowed(b.0.as_ref()))),
        }
    }
}

/// Whether a file whose stat was `old` when a scan that started at `made` looked at it may be
/// taken as unchanged now: the same fingerprint, modified more than [`RACY`] before `made`.
pub fn stat_trusted(old: &Stat, now: Option<&Stat>, made: Time) -> bool {
    now.is_some_and(|now| old == now && !is_racy(now, made))
}

/// Whether a file with this stat was changed too close to `made` (or after it) to be trusted.
/// The later of mtime and ctime counts: a file whose content was replaced and whose mtime was
/// set back has a fresh ctime.
pub fn is_racy(stat: &Stat, made: Time) -> bool {
    let changed = nanos(stat.mtime).max(nanos(stat.ctime));
    changed + RACY.as_nanos() as i128 >= nanos(made)
}

/// Postcard of a value, for [`Entry::parsed`].
pub fn encode<T: Serialize>(value: &T) -> Option<Vec<u8>> {
    // Encoded into a buffer each thread keeps, then copied out at its exact size: growing a
    // new vector by doubling for each record cost a tenth of a cold `check`'s cache write.
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.clear();
        let filled = postcard::to_extend(value, std::mem::take(scratch)).ok()?;
        let bytes = filled.as_slice().to_vec();
        // A large document's buffer is not kept for the rest of the run.
        if filled.capacity() <= 1 << 20 {
            *scratch = filled;
        }
        Some(bytes)
    })
}

/// A value from [`encode`]'s bytes; `None` unless they decode completely.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// Where the cache of the project at `root` lives.
pub fn path(root: &Path) -> PathBuf {
    root.join(crate::config::CACHE_DIR).join(FILE)
}

/// Where the delta of the cache of the project at `root` lives.
pub fn delta_path(root: &Path) -> PathBuf {
    root.join(crate::config::CACHE_DIR).join(DELTA)
}

/// The key that ties a cache file to this kitei executable: `None` when the executable cannot
/// be identified (then no cache is read or written).
pub fn key() -> Option<[u8; 32]> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let mtime = time_of(meta.modified().ok()?);
    let mut h = Sha256::new();
    h.update(b"kitei source cache\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(b"\0");
    h.update(FORMAT.to_le_bytes());
    h.update(meta.len().to_le_bytes());
    h.update(mtime.0.to_le_bytes());
    h.update(mtime.1.to_le_bytes());
    Some(h.finalize().into())
}

/// The body of the file: when the scan that wrote it started, and the entries in walk order.
#[derive(Serialize, Deserialize)]
struct Body<'a> {
    started: Time,
    #[serde(borrow)]
    entries: Vec<Entry<'a>>,
}

/// A cache file as read and checked (magic, key, digest), not yet decoded.
pub struct Stored {
    bytes: Vec<u8>,
    /// The file's own mtime.
    written: Time,
}

const HEADER: usize = 8 + 32 + 32;

impl Stored {
    /// Reads the cache file at `path` if it is sound and was written by this kitei (`key`).
    pub fn read(path: &Path, key: &[u8; 32]) -> Option<Stored> {
        let file = crate::files::open_regular(path).ok()?;
        let meta = file.metadata().ok()?;
        let written = time_of(meta.modified().ok()?);
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).ok()?);
        std::io::Read::read_to_end(&mut &file, &mut bytes).ok()?;
        if bytes.len() < HEADER || &bytes[..8] != MAGIC || &bytes[8..40] != key {
            return None;
        }
        if bytes[40..HEADER] != digest(&bytes[HEADER..]) {
            return None;
        }
        Some(Stored { bytes, written })
    }

    /// The entries, in the order they were stored (the walk order of the run that wrote them).
    pub fn index(&self) -> Option<Index<'_>> {
        let body: Body<'_> = postcard::from_bytes(&self.bytes[HEADER..]).ok()?;
        // The earlier of the scan's start and the file's mtime: a file modified during the scan
        // that wrote the cache is racy even if the cache took long to write.
        let made = if nanos(body.started) < nanos(self.written) {
            body.started
        } else {
            self.written
        };
        Some(Index {
            entries: body.entries,
            made,
        })
    }
}

/// The entries of a cache file.
pub struct Index<'a> {
    entries: Vec<Entry<'a>>,
    /// When the cache was made, for the racy rule.
    pub made: Time,
}

impl<'a> Index<'a> {
    /// How many entries the file has.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry of each of `paths`, which come in walk order (folders depth first, names
    /// sorted: the order of [`Path`]'s `Ord`), as the entries were stored: one merge pass, no
    /// hashing. An entry is only ever returned for its exact path.
    pub fn matching<'p>(&self, paths: impl Iterator<Item = &'p Path>) -> Vec<Option<&Entry<'a>>> {
        let mut next = 0;
        paths
            .map(|path| {
                let bytes = path.as_os_str().as_encoded_bytes();
                while let Some(e) = self.entries.get(next) {
                    if e.path.as_bytes() == bytes {
                        next += 1;
                        return Some(e);
                    }
                    if Path::new(e.path.as_ref()) < path {
                        next += 1; // a file that is gone
                    } else {
                        break; // a new file
                    }
                }
                None
            })
            .collect()
    }
}

/// What the stored files know about one walked file.
#[derive(Clone, Copy)]
pub struct Prior<'a> {
    pub entry: &'a Entry<'a>,
    /// When the file holding the entry was made (see [`Index::made`]).
    pub made: Time,
    /// Whether the entry came from the delta.
    pub in_delta: bool,
}

/// The stored entry of each of `paths` (in walk order): the delta's if it has one, else the
/// main file's.
pub fn priors<'a>(
    main: Option<&'a Index<'a>>,
    delta: Option<&'a Index<'a>>,
    paths: &[&Path],
) -> Vec<Option<Prior<'a>>> {
    let found = |index: Option<&'a Index<'a>>, in_delta| -> Vec<Option<Prior<'a>>> {
        match index {
            Some(index) => index
                .matching(paths.iter().copied())
                .into_iter()
                .map(|entry| {
                    entry.map(|entry| Prior {
                        entry,
                        made: index.made,
                        in_delta,
                    })
                })
                .collect(),
            None => vec![None; paths.len()],
        }
    };
    found(delta, true)
        .into_iter()
        .zip(found(main, false))
        .map(|(delta, main)| delta.or(main))
        .collect()
}

/// How an entry of this load stands to the stored files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// It is the main file's entry, unchanged.
    Main,
    /// It is the delta's entry, unchanged.
    Delta,
    /// New or changed.
    Changed,
}

/// What a load stores, from how its entries stand to the stored files.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// The stored files already say it.
    Nothing,
    /// Write every entry to the main file and remove the delta.
    Whole,
    /// Write these entries (by their index in the load) as the delta.
    Delta(Vec<usize>),
}

/// The [`Plan`] for a load whose entries stand as `kept` to a main file of `main_len` entries
/// (`None`: there is none) and a delta of `delta_len`. Everything not kept from the main file
/// goes to the delta, unless that or the main file's out-of-date entries (changed, or of files
/// that are gone) would be more than an eighth of the main file: then it is rewritten whole.
pub fn plan(kept: &[Kept], main_len: Option<usize>, delta_len: usize) -> Plan {
    let Some(main_len) = main_len else {
        return if kept.is_empty() && delta_len == 0 {
            Plan::Nothing
        } else {
            Plan::Whole
        };
    };
    let delta: Vec<usize> = (0..kept.len()).filter(|&i| kept[i] != Kept::Main).collect();
    let stale = main_len - (kept.len() - delta.len()).min(main_len);
    if stale.max(delta.len()) * 8 > main_len {
        return Plan::Whole;
    }
    let delta_unchanged = delta.len() == delta_len && delta.iter().all(|&i| kept[i] == Kept::Delta);
    if delta_unchanged {
        Plan::Nothing
    } else {
        Plan::Delta(delta)
    }
}

/// The checksum of `body`: the SHA-256 of its length and of the CRC-32 of each [`CHUNK`],
/// computed in parallel. It guards against a damaged file, not a forged one (which would
/// carry its own checksum), so CRC-32 does: SHA-256 of every byte, as it was, took 2 % of a
/// cold `check` of 100,000 incidents on the one thread that writes the file.
fn digest(body: &[u8]) -> [u8; 32] {
    let parts: Vec<u32> = body.par_chunks(CHUNK).map(crc32fast::hash).collect();
    combine(body.len() as u64, &parts)
}

/// [`digest`] from the length and the chunks' CRC-32.
fn combine(len: u64, parts: &[u32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(len.to_le_bytes());
    for p in parts {
        h.update(p.to_le_bytes());
    }
    h.finalize().into()
}

/// Now, as [`Time`], to record when a scan started.
pub fn now() -> Time {
    time_of(SystemTime::now())
}

/// How many deferred parsed values [`write`] encodes at a time (in parallel).
const ENCODE_BATCH: usize = 256;

/// The parsed value of an entry that has none yet, by the entry's index (see [`write`]).
pub type Deferred<'f> = dyn Fn(usize) -> Option<Vec<u8>> + Sync + 'f;

/// Writes the cache file atomically. `started` is when the scan that saw these files began.
/// The body is streamed to the file (and hashed on the way), never held in memory whole.
/// `deferred(i)` is the parsed value of entry `i` when that entry has none: the loader encodes
/// the records it parsed in this run only now, [`ENCODE_BATCH`] at a time, so that their
/// encodings are never all in memory at once; `None` stores the entry without one.
pub fn write(
    path: &Path,
    key: &[u8; 32],
    started: Time,
    entries: &[Entry<'_>],
    deferred: &Deferred<'_>,
) -> Result<(), String> {
    #[derive(Serialize)]
    struct BodyOut<'s, 'a, 'f> {
        started: Time,
        entries: EntriesOut<'s, 'a, 'f>,
    }
    /// Serialised as `&[Entry]` is, with the deferred values filled in.
    struct EntriesOut<'s, 'a, 'f> {
        entries: &'s [Entry<'a>],
        deferred: &'s Deferred<'f>,
    }
    impl Serialize for EntriesOut<'_, '_, '_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeSeq as _;
            let mut seq = s.serialize_seq(Some(self.entries.len()))?;
            let encode = |n: usize| -> Vec<Option<Vec<u8>>> {
                let Some(batch) = self.entries.chunks(ENCODE_BATCH).nth(n) else {
                    return Vec::new();
                };
                batch
                    .par_iter()
                    .enumerate()
                    .map(|(k, e)| match e.parsed {
                        Some(_) => None,
                        None => (self.deferred)(n * ENCODE_BATCH + k),
                    })
                    .collect()
            };
            // Batch n is streamed out (serially: the stream is hashed as it goes) while
            // batch n + 1 is encoded on the other threads.
            let mut filled = encode(0);
            for (n, batch) in self.entries.chunks(ENCODE_BATCH).enumerate() {
                let mut next = Vec::new();
                rayon::in_place_scope(|scope| -> Result<(), S::Error> {
                    scope.spawn(|_| next = encode(n + 1));
                    for (e, blob) in batch.iter().zip(std::mem::take(&mut filled)) {
                        match blob {
                            None => seq.serialize_element(e)?,
                            Some(blob) => seq.serialize_element(&Entry {
                                parsed: Some(Blob(Cow::Owned(blob))),
                                ..e.reborrow()
                            })?,
                        }
                    }
                    Ok(())
                })?;
                filled = next;
            }
            seq.end()
        }
    }
    let entries = EntriesOut { entries, deferred };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".source-")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    let fail = |e: &dyn std::fmt::Display| format!("cannot write the cache: {e}");
    let file = tmp.as_file_mut();
    file.write_all(MAGIC)
        .and_then(|()| file.write_all(key))
        .and_then(|()| file.write_all(&[0; 32]))
        .map_err(|e| fail(&e))?;
    let out = Hashing::new(std::io::BufWriter::with_capacity(1 << 20, &*file));
    let mut out = postcard::to_io(&BodyOut { started, entries }, out).map_err(|e| fail(&e))?;
    out.inner.flush().map_err(|e| fail(&e))?;
    let digest = out.finish();
    file.seek(SeekFrom::Start(40))
        .and_then(|_| file.write_all(&digest))
        .map_err(|e| fail(&e))?;
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

/// A writer that computes [`digest`] of what passes through it.
struct Hashing<W> {
    inner: W,
    len: u64,
    chunk: crc32fast::Hasher,
    in_chunk: usize,
    parts: Vec<u32>,
}

impl<W: std::io::Write> Hashing<W> {
    fn new(inner: W) -> Self {
        Hashing {
            inner,
            len: 0,
            chunk: crc32fast::Hasher::new(),
            in_chunk: 0,
            parts: Vec::new(),
        }
    }

    fn finish(mut self) -> [u8; 32] {
        if self.in_chunk > 0 {
            self.parts.push(std::mem::take(&mut self.chunk).finalize());
        }
        combine(self.len, &self.parts)
    }
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            let take = rest.len().min(CHUNK - self.in_chunk);
            self.chunk.update(&rest[..take]);
            self.in_chunk += take;
            rest = &rest[take..];
            if self.in_chunk == CHUNK {
                self.parts.push(std::mem::take(&mut self.chunk).finalize());
                self.in_chunk = 0;
            }
        }
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, parsed: Option<&[u8]>) -> Entry<'static> {
        Entry {
            path: Cow::Owned(path.into()),
            stat: Some(Stat {
                len: 3,
                mtime: (1_700_000_000, 5),
                ctime: (1_700_000_000, 6),
                ino: 42,
            }),
            sha256: [7; 32],
            parsed: parsed.map(|p| Blob(Cow::Owned(p.to_vec()))),
        }
    }

    #[test]
    fn round_trip_key_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        let key = [1; 32];
        let entries = vec![entry("a.yaml", Some(b"xyz")), entry("b.png", None)];
        write(&file, &key, (1_800_000_000, 0), &entries, &|_| None).unwrap();
        let stored = Stored::read(&file, &key).unwrap();
        let index = stored.index().unwrap();
        assert_eq!(index.len(), 2);
        let paths = ["0.md", "a.yaml", "a/x", "b.png", "c"].map(Path::new);
        let found = index.matching(paths.into_iter());
        assert_eq!(
            found,
            [None, Some(&entries[0]), None, Some(&entries[1]), None]
        );
        let found = index.matching([Path::new("b.png")].into_iter());
        assert_eq!(found, [Some(&entries[1])], "a file that is gone is skipped");
        // The scan's start is earlier than the file's mtime: it is the reference.
        assert_eq!(index.made, (1_800_000_000, 0).min(index.made));

        assert!(
            Stored::read(&file, &[2; 32]).is_none(),
            "another kitei's cache"
        );
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert!(Stored::read(&file, &key).is_none(), "a damaged cache");
        std::fs::write(&file, b"KITEISRC").unwrap();
        assert!(Stored::read(&file, &key).is_none(), "a truncated cache");
    }

    #[test]
    fn deferred_values_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (eager, lazy) = (path(dir.path()), dir.path().join("lazy.bin"));
        let key = [1; 32];
        // More entries than one batch, every third one without a stored value and one that
        // stays without (a file that failed to parse).
        let value = |i: usize| format!("value {i}").into_bytes();
        let n = 2 * ENCODE_BATCH + 5;
        let expected: Vec<Entry> = (0..n)
            .map(|i| entry(&format!("f{i:04}"), (i != 7).then(|| value(i)).as_deref()))
            .collect();
        let stored: Vec<Entry> = (0..n)
            .map(|i| {
                entry(
                    &format!("f{i:04}"),
                    (i % 3 != 1).then(|| value(i)).as_deref(),
                )
            })
            .collect();
        write(&eager, &key, (1_800_000_000, 0), &expected, &|_| None).unwrap();
        let deferred = |i: usize| (i != 7).then(|| value(i));
        write(&lazy, &key, (1_800_000_000, 0), &stored, &deferred).unwrap();
        assert_eq!(
            std::fs::read(&eager).unwrap(),
            std::fs::read(&lazy).unwrap(),
            "the same file as with every value given up front"
        );
    }

    #[test]
    fn what_a_load_stores() {
        use Kept::{Changed, Delta, Main};
        assert_eq!(plan(&[], None, 0), Plan::Nothing, "an empty project");
        assert_eq!(plan(&[Changed], None, 0), Plan::Whole, "no main file");
        assert_eq!(plan(&[Changed], None, 3), Plan::Whole, "a delta alone");
        let mut kept = vec![Main; 100];
        assert_eq!(plan(&kept, Some(100), 0), Plan::Nothing);
        assert_eq!(
            plan(&kept, Some(103), 0),
            Plan::Nothing,
            "files that are gone"
        );
        kept[7] = Changed;
        kept.push(Changed);
        assert_eq!(plan(&kept, Some(100), 0), Plan::Delta(vec![7, 100]));
        kept[7] = Delta;
        kept[100] = Delta;
        assert_eq!(
            plan(&kept, Some(100), 2),
            Plan::Nothing,
            "the delta as it is"
        );
        assert_eq!(
            plan(&kept, Some(100), 3),
            Plan::Delta(vec![7, 100]),
            "a file of the delta is gone"
        );
        for k in &mut kept[10..20] {
            *k = Changed;
        }
        // 11 of the main file's 100 entries out of date, 12 to the delta: at most an eighth.
        assert!(matches!(plan(&kept, Some(100), 2), Plan::Delta(d) if d.len() == 12));
        assert_eq!(
            plan(&kept[..90], Some(100), 2),
            Plan::Whole,
            "21 of 100 out of date"
        );
        kept[30] = Changed;
        assert_eq!(
            plan(&kept, Some(100), 2),
            Plan::Whole,
            "13 of 100 to the delta"
        );
    }

    #[test]
    fn racy_entries_are_not_trusted() {
        let e = entry("a.yaml", None);
        let stat = e.stat.unwrap();
        let made = |secs| (stat.mtime.0 + secs, stat.mtime.1);
        assert!(e.trusted(Some(&stat), made(3)));
        assert!(!e.trusted(Some(&stat), made(2)), "within two seconds");
        assert!(
            !e.trusted(Some(&stat), made(-5)),
            "modified after the cache"
        );
        let mut other = stat;
        other.ctime.1 += 1;
        assert!(!e.trusted(Some(&other), made(10)), "ctime differs");
        let mut fresh_ctime = e.clone();
        fresh_ctime.stat.as_mut().unwrap().ctime.0 += 60;
        let fresh = fresh_ctime.stat.unwrap();
        assert!(
            !fresh_ctime.trusted(Some(&fresh), made(61)),
            "ctime counts too"
        );
        assert!(fresh_ctime.trusted(Some(&fresh), made(63)));
        assert!(!e.trusted(None, made(10)), "no stat, no trust");
    }

    #[test]
    fn streamed_digest_equals_parallel_digest() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let body: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut w = Hashing::new(Vec::new());
            for piece in body.chunks(1000 + len / 3) {
                w.write_all(piece).unwrap();
            }
            assert_eq!(w.inner, body);
            assert_eq!(w.finish(), digest(&body), "{len}");
        }
    }

    #[test]
    fn decode_refuses_trailing_bytes() {
        let bytes = encode(&(1u32, "x".to_string())).unwrap();
        assert_eq!(decode::<(u32, String)>(&bytes), Some((1, "x".into())));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode::<(u32, String)>(&longer), None);
        assert_eq!(decode::<(u32, String)>(&bytes[..1]), None);
    }

    #[test]
    fn negative_times() {
        assert_eq!(
            time_of(UNIX_EPOCH - Duration::from_millis(1500)),
            (-2, 500_000_000)
        );
        assert_eq!(time_of(UNIX_EPOCH - Duration::from_secs(2)), (-2, 0));
    }
}
