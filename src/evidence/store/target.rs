//! Reading a publish target: `s3://bucket/prefix` or a folder.

use std::path::{Path, PathBuf};

use crate::evidence::Error;
use crate::evidence::ledger::LEDGER_FILE;

/// Where a chain is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A bucket and the prefix inside it (no leading or trailing `/`; may be empty).
    S3 {
        bucket: String,
        prefix: String,
    },
    Folder(PathBuf),
}

impl Target {
    /// Reads `s3://bucket/prefix` (an object store) or anything else (a folder).
    pub fn parse(target: &str) -> Result<Target, Error> {
        let Some(rest) = target.strip_prefix("s3://") else {
            return Ok(Target::Folder(PathBuf::from(target)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::new(
                format!("`{target}` names no bucket"),
                "write s3://BUCKET/PREFIX, e.g. s3://acme-evidence/kitei",
            ));
        }
        Ok(Target::S3 {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    pub fn is_object_store(&self) -> bool {
        matches!(self, Target::S3 { .. })
    }
}

/// Whether `kitei verify --chain TARGET` means a store (an `s3://` URL, or a folder with a
/// `ledger/` folder and no LEDGER.json, as `kitei publish --to DIR` or a copy of a bucket
/// leaves it) rather than a local `evidence/` folder.
pub fn is_store(target: &Path) -> bool {
    target.to_string_lossy().starts_with("s3://")
        || (target.join(super::ledger::LEDGER_DIR).is_dir() && !target.join(LEDGER_FILE).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_and_folders() {
        assert_eq!(
            Target::parse("s3://acme/kitei/evidence/").unwrap(),
            Target::S3 {
                bucket: "acme".into(),
                prefix: "kitei/evidence".into()
            }
        );
        assert_eq!(
            Target::parse("s3://acme").unwrap(),
            Target::S3 {
                bucket: "acme".into(),
                prefix: String::new()
            }
        );
        assert!(Target::parse("s3:///x").is_err());
        assert_eq!(
            Target::parse("records/evidence").unwrap(),
            Target::Folder(PathBuf::from("records/evidence"))
        );
    }
}
