//! Writing the bundle zip deterministically with the `zip` crate: entries sorted by name
//! bytes, no directory entries, mode 0644, "made by" Unix, no extra fields or comments, every
//! timestamp from the seal time (UTC), Stored for formats that are compressed already and for
//! entries of [`STORE_FROM`] bytes or more, Deflate level 6 (zlib-rs, pinned by Cargo.lock)
//! for the rest. Files are copied in one
//! streaming pass that re-hashes them, so a file changed after it was hashed is caught.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::PathBuf;

use indicatif::ProgressBar;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::Error;
use super::names::is_compressed_format;
use crate::digest::hex;

/// 1980-01-01T00:00:00Z: the earliest time a zip entry can carry.
pub const ZIP_EPOCH_MIN: i64 = 315_532_800;
/// Entries at least this large get a zip64 header (a rule on size only, so it is
/// deterministic); smaller entries never do.
const ZIP64_FROM: u64 = 0xF000_0000;
/// Entries at least this large are Stored, not deflated (a rule on size only, so it is
/// deterministic). Deflate runs at ≈ 50–100 MB/s per core, SHA-256 at ≈ 1.7 GB/s with SHA-NI:
/// deflating a GiB of packet captures or disk images would make sealing 10× slower than
/// hashing it, and such large evidence (captures, images, archives) rarely shrinks much.
pub const STORE_FROM: u64 = 8 << 20;

/// Bytes read per step when copying a file into the zip.
const COPY_CHUNK: usize = 1 << 20;

/// Reads until `buf` is full or the file ends.
fn read_full(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match f.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// What goes into one entry.
pub enum Content {
    Bytes(Vec<u8>),
    /// A file spooled to a temporary file (the bundle's rendered pages), with its SHA-256.
    Part(crate::render::output::SpoolPart),
    /// A file on disk with the SHA-256 and length it had when it was hashed.
    File {
        path: PathBuf,
        display: String,
        sha256: String,
        len: u64,
    },
}

impl Content {
    pub fn len(&self) -> u64 {
        match self {
            Content::Bytes(b) => b.len() as u64,
            Content::Part(p) => p.len,
            Content::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The SHA-256 (hex) of the bytes: computed for bytes in memory, as recorded for the
    /// others (and checked again when they are copied into the zip).
    pub fn sha256(&self) -> String {
        match self {
            Content::Bytes(b) => crate::digest::sha256_hex(b),
            Content::Part(p) => p.sha256.clone(),
            Content::File { sha256, .. } => sha256.clone(),
        }
    }
}

pub struct Entry {
    /// The full name inside the zip (`<bag>/data/...`).
    pub name: String,
    pub content: Content,
}

/// The DOS date and time of a Unix time, in UTC, clamped to what zip can hold.
pub fn dos_time(epoch: i64) -> DateTime {
    let t = chrono::DateTime::from_timestamp(epoch.max(ZIP_EPOCH_MIN), 0)
        .unwrap_or_default()
        .naive_utc();
    use chrono::{Datelike, Timelike};
    let (y, mo, d, h, mi, s) = if t.year() > 2107 {
        (2107, 12, 31, 23, 59, 58)
    } else {
        (
            t.year() as u16,
            t.month() as u8,
            t.day() as u8,
            t.hour() as u8,
            t.minute() as u8,
            t.second() as u8,
        )
    };
    DateTime::from_date_and_time(y, mo, d, h, mi, s).unwrap_or_default()
}

/// Deflated entries are compressed in parallel in batches of about this many input bytes
/// (each batch held in memory once, compressed). 32 MiB batches added 6 MB to the peak of a
/// seal at 10,000 documents; smaller ones seal as fast and write the same bytes (each entry is
/// deflated on its own, whichever batch it is in).
const BATCH_BYTES: u64 = 8 << 20;

fn zip_err(e: zip::result::ZipError) -> Error {
    Error::new(
        format!("cannot write the zip: {e}"),
        "check the free disk space in evidence/ and try again",
    )
}

/// Whether an entry is deflated (level 6): not for formats compressed already, empty entries
/// or entries of [`STORE_FROM`] bytes or more, which are Stored.
fn deflated(entry: &Entry) -> bool {
    !(is_compressed_format(&entry.name)
        || entry.content.is_empty()
        || entry.content.len() >= STORE_FROM)
}

fn options(entry: &Entry, time: DateTime) -> SimpleFileOptions {
    let method = if deflated(entry) {
        CompressionMethod::Deflated
    } else {
        CompressionMethod::Stored
    };
    SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(if method == CompressionMethod::Deflated {
            Some(6)
        } else {
            None
        })
        .last_modified_time(time)
        .unix_permissions(0o644)
        .system(System::Unix)
        .large_file(entry.content.len() >= ZIP64_FROM)
}

/// Writes `entries` (sorted here) into `out`. Runs of deflated entries are compressed in
/// parallel, each into a small in-memory zip with the same options, and merged in order
/// (deterministic: chunks are cut by count and merged in name order); stored and large entries are
/// streamed.
pub fn write_zip<W: Write + Seek>(
    out: W,
    mut entries: Vec<Entry>,
    epoch: i64,
    progress: &ProgressBar,
) -> Result<W, Error> {
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let time = dos_time(epoch);
    let mut zip = ZipWriter::new(out);
    let mut batch: Vec<Entry> = Vec::new();
    let mut batch_bytes = 0u64;
    for entry in entries {
        if deflated(&entry) {
            batch_bytes += entry.content.len();
            batch.push(entry);
            if batch_bytes >= BATCH_BYTES {
                write_batch(&mut zip, std::mem::take(&mut batch), time, progress)?;
                batch_bytes = 0;
            }
            continue;
        }
        write_batch(&mut zip, std::mem::take(&mut batch), time, progress)?;
        batch_bytes = 0;
        zip.start_file(entry.name.as_str(), options(&entry, time))
            .map_err(zip_err)?;
        copy_content(&mut zip, &entry.name, entry.content, progress)?;
    }
    write_batch(&mut zip, batch, time, progress)?;
    zip.finish().map_err(zip_err)
}

/// Compresses `batch` on all cores into in-memory zips and appends them to `zip` in order.
fn write_batch<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    batch: Vec<Entry>,
    time: DateTime,
    progress: &ProgressBar,
) -> Result<(), Error> {
    use rayon::prelude::*;
    if batch.is_empty() {
        return Ok(());
    }
    let pieces = (rayon::current_num_threads() * 4).max(1);
    let per = batch.len().div_ceil(pieces);
    let mut chunks: Vec<Vec<Entry>> = Vec::new();
    let mut rest = batch.into_iter().peekable();
    while rest.peek().is_some() {
        chunks.push(rest.by_ref().take(per).collect());
    }
    let zipped: Vec<Result<Vec<u8>, Error>> = chunks
        .into_par_iter()
        .map(|chunk| {
            let mut mini = ZipWriter::new(std::io::Cursor::new(Vec::new()));
            for entry in chunk {
                mini.start_file(entry.name.as_str(), options(&entry, time))
                    .map_err(zip_err)?;
                copy_content(&mut mini, &entry.name, entry.content, progress)?;
            }
            Ok(mini.finish().map_err(zip_err)?.into_inner())
        })
        .collect();
    for bytes in zipped {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes?)).map_err(zip_err)?;
        zip.merge_archive(archive).map_err(zip_err)?;
    }
    Ok(())
}

/// Copies one entry's content into the open zip entry; a file or spooled page is re-hashed
/// as it is copied, and a changed one is an error.
fn copy_content<Z: Write>(
    zip: &mut Z,
    name: &str,
    content: Content,
    progress: &ProgressBar,
) -> Result<(), Error> {
    match content {
        Content::Bytes(bytes) => {
            zip.write_all(&bytes).map_err(|e| zip_err(e.into()))?;
        }
        Content::Part(part) => {
            use std::os::unix::fs::FileExt;
            let mut buf = vec![0u8; (part.len as usize).min(COPY_CHUNK)];
            let mut hasher = Sha256::new();
            let mut at = 0u64;
            while at < part.len {
                let n = ((part.len - at) as usize).min(buf.len());
                part.file
                    .read_exact_at(&mut buf[..n], part.offset + at)
                    .map_err(|e| {
                        Error::new(
                            format!("cannot read back a rendered page ({}): {e}", name),
                            "check the free disk space and seal again",
                        )
                    })?;
                hasher.update(&buf[..n]);
                zip.write_all(&buf[..n]).map_err(|e| zip_err(e.into()))?;
                at += n as u64;
            }
            if hex(&hasher.finalize()) != part.sha256 {
                return Err(Error::new(
                    format!(
                        "the rendered page {} changed while it was being sealed",
                        name
                    ),
                    "seal again",
                ));
            }
        }
        Content::File {
            path,
            display,
            sha256,
            len,
        } => {
            let file = crate::files::open_regular(&path).map_err(|e| {
                Error::new(
                    format!("cannot read {display}: {e}"),
                    "check that the file exists and is readable, then seal again",
                )
            })?;
            let read_err = |e: std::io::Error| {
                Error::new(
                    format!("cannot read {display}: {e}"),
                    "check the disk and seal again",
                )
            };
            let mut copied = 0u64;
            let mut write_result = Ok(());
            // A second thread reads and hashes while this one compresses and writes: the
            // SHA-256 of the copy (the guard against a file changed since it was hashed)
            // costs no extra time.
            let digest = std::thread::scope(|scope| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
                let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u8>>();
                let reader = scope.spawn(move || -> std::io::Result<String> {
                    let mut file = file;
                    let mut hasher = Sha256::new();
                    loop {
                        let mut buf = back_rx.try_recv().unwrap_or_else(|_| vec![0u8; COPY_CHUNK]);
                        buf.resize(COPY_CHUNK, 0);
                        let n = read_full(&mut file, &mut buf)?;
                        if n == 0 {
                            break;
                        }
                        buf.truncate(n);
                        hasher.update(&buf);
                        if tx.send(buf).is_err() {
                            break; // the writer failed; its error is reported
                        }
                    }
                    Ok(hex(&hasher.finalize()))
                });
                for buf in rx {
                    if write_result.is_ok() {
                        write_result = zip.write_all(&buf);
                        copied += buf.len() as u64;
                        progress.inc(buf.len() as u64);
                    }
                    if write_result.is_err() {
                        break;
                    }
                    let _ = back_tx.send(buf);
                }
                reader
                    .join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("reader thread panicked")))
            });
            write_result.map_err(|e| zip_err(e.into()))?;
            let digest = digest.map_err(read_err)?;
            if copied != len || digest != sha256 {
                return Err(Error::new(
                    format!("{display} changed while it was being sealed"),
                    "wait until nothing writes to the source folder, then seal again",
                ));
            }
        }
    }
    Ok(())
}
