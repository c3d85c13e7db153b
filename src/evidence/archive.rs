//! Writing the bundle zip deterministically with the `zip` crate: entries sorted by name
//! bytes, no directory entries, mode 0644, "made by" Unix, no extra fields or comments, every
//! timestamp from the seal time (UTC), Stored for formats that are compressed already and
//! Deflate level 6 (zlib-rs, pinned by Cargo.lock) for the rest. Files are copied in one
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

/// What goes into one entry.
pub enum Content {
    Bytes(Vec<u8>),
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
            Content::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

/// Writes `entries` (sorted here) into `out`.
pub fn write_zip<W: Write + Seek>(
    out: W,
    mut entries: Vec<Entry>,
    epoch: i64,
    progress: &ProgressBar,
) -> Result<W, Error> {
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let time = dos_time(epoch);
    let mut zip = ZipWriter::new(out);
    let zip_err = |e: zip::result::ZipError| {
        Error::new(
            format!("cannot write the zip: {e}"),
            "check the free disk space in evidence/ and try again",
        )
    };
    for entry in entries {
        let method = if is_compressed_format(&entry.name) || entry.content.is_empty() {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let opts = SimpleFileOptions::default()
            .compression_method(method)
            .compression_level(if method == CompressionMethod::Deflated {
                Some(6)
            } else {
                None
            })
            .last_modified_time(time)
            .unix_permissions(0o644)
            .system(System::Unix)
            .large_file(entry.content.len() >= ZIP64_FROM);
        zip.start_file(entry.name.as_str(), opts).map_err(zip_err)?;
        match entry.content {
            Content::Bytes(bytes) => {
                zip.write_all(&bytes).map_err(|e| zip_err(e.into()))?;
            }
            Content::File {
                path,
                display,
                sha256,
                len,
            } => {
                let mut file = File::open(&path).map_err(|e| {
                    Error::new(
                        format!("cannot read {display}: {e}"),
                        "check that the file exists and is readable, then seal again",
                    )
                })?;
                let mut hasher = Sha256::new();
                let mut buf = vec![0u8; 256 * 1024];
                let mut copied = 0u64;
                loop {
                    let n = file.read(&mut buf).map_err(|e| {
                        Error::new(
                            format!("cannot read {display}: {e}"),
                            "check the disk and seal again",
                        )
                    })?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                    zip.write_all(&buf[..n]).map_err(|e| zip_err(e.into()))?;
                    copied += n as u64;
                    progress.inc(n as u64);
                }
                if copied != len || hex(&hasher.finalize()) != sha256 {
                    return Err(Error::new(
                        format!("{display} changed while it was being sealed"),
                        "wait until nothing writes to the source folder, then seal again",
                    ));
                }
            }
        }
    }
    zip.finish().map_err(zip_err)
}
