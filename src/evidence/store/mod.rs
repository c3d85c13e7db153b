//! Where published bundles are kept: S3-compatible object storage with Object Lock
//! ([`s3::S3Store`]), or a local folder ([`dir::DirStore`]) for users without one. Both hold
//! the same layout under their root:
//!
//! ```text
//! ledger/000001.json                         one ledger entry per bundle, created once
//! bundles/<name>.<zip-sha256-12>.zip         the bundle, as sealed
//! bundles/<name>.<zip-sha256-12>.zip.minisig its signature over the zip (when signed)
//! ```
//!
//! Every object is created once and never replaced: a write to a key that exists fails
//! ([`Created::Exists`]; S3 `If-None-Match: *`, a folder's create-new). That is the
//! compare-and-swap that keeps two publishers from claiming one sequence number: the one whose
//! `ledger/NNNNNN.json` lands first owns bundle NNNNNN, the other is told to publish again.
//! Bundle keys carry the zip's digest, so a publish that lost the race (or failed before its
//! ledger entry) leaves a bundle no ledger entry names, never a second bundle under a name.

pub mod dir;
pub mod ledger;
pub mod s3;
pub mod target;

use std::path::Path;

use chrono::{DateTime, Utc};

use super::Error;

/// What a create-only write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Yes,
    /// The key exists already; nothing was written.
    Exists,
}

/// The body of an object.
pub enum Body<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// A place that keeps a chain of bundles.
pub trait Store {
    /// How to name it to a person (`s3://bucket/prefix`, a folder path).
    fn location(&self) -> String;
    /// The object at `key`, or `None` when there is none.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error>;
    /// The keys under `prefix` (relative to the store's root), sorted.
    fn list(&self, prefix: &str) -> Result<Vec<String>, Error>;
    /// Whether the store keeps objects until their retain-until time whatever anyone asks
    /// (S3 Object Lock on the bucket); a folder does not.
    fn enforces_retention(&self) -> Result<bool, Error> {
        Ok(false)
    }
    /// Creates `key` unless it exists, retained (WORM) until `retain_until` when given.
    fn create(
        &self,
        key: &str,
        body: Body,
        retain_until: Option<DateTime<Utc>>,
    ) -> Result<Created, Error>;
}

pub use target::{Target, is_store};

/// Opens `target`: `s3://bucket/prefix` or a folder.
pub fn open(target: &Target) -> Result<Box<dyn Store>, Error> {
    match target {
        Target::S3 { bucket, prefix } => Ok(Box::new(s3::S3Store::open(bucket, prefix)?)),
        Target::Folder(dir) => Ok(Box::new(dir::DirStore::new(dir))),
    }
}

/// A store failure, with what to do.
pub(crate) fn unreachable(location: &str, what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(
        format!("{location}: {what} failed: {e}"),
        "check that the store is reachable and the credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) allow it, then run the command again",
    )
}
