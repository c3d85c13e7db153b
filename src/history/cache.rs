//! The cache of archived versions: a release is rendered again only when something that
//! goes into its pages changed (its git tree, its kitei.toml, the templates, kitei itself,
//! the list of versions its switcher shows, the audience). Entries live in
//! `.kitei-cache/archive/<audience>/<version>/<key>.bin` in the project root (ignored by
//! git); writing one removes the older entries of the same version and audience.
//!
//! An entry is a plain list of files: for each, the path length (u32 LE), the path, the
//! content length (u64 LE) and the content, then the SHA-256 of all that before it. A
//! damaged entry is ignored and rendered again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::digest::hex;

use crate::config::CACHE_DIR;

pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(project_root: &Path, audience: &str, version: &str) -> Cache {
        Cache {
            dir: project_root
                .join(CACHE_DIR)
                .join("archive")
                .join(audience)
                .join(version),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.bin"))
    }

    /// The files stored under `key`, if a sound entry exists.
    pub fn get(&self, key: &str) -> Option<BTreeMap<String, Vec<u8>>> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        decode(&bytes)
    }

    /// Stores `files` under `key` and drops the other entries of this version. Failing to
    /// write the cache is not an error of the build.
    pub fn put(&self, key: &str, files: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
        crate::files::write_atomically(&self.path(key), &encode(files), crate::files::How::FILE)
            .map_err(|e| format!("cannot write the cache in {}: {e}", self.dir.display()))?;
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            let keep = format!("{key}.bin");
            for e in entries.flatten() {
                if e.file_name()
                    .to_str()
                    .is_some_and(|n| n.ends_with(".bin") && n != keep)
                {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }
}

/// A cache key: the SHA-256 of the parts, each length-prefixed.
pub fn key(parts: &[&[u8]]) -> String {
    hex(&crate::digest::key(parts))
}

fn encode(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, bytes) in files {
        out.extend_from_slice(&(path.len() as u32).to_le_bytes());
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

fn decode(bytes: &[u8]) -> Option<BTreeMap<String, Vec<u8>>> {
    let body_len = bytes.len().checked_sub(32)?;
    let (body, digest) = bytes.split_at(body_len);
    if Sha256::digest(body).as_slice() != digest {
        return None;
    }
    let mut files = BTreeMap::new();
    let mut pos = 0usize;
    let take = |pos: &mut usize, n: usize| -> Option<&[u8]> {
        let s = body.get(*pos..pos.checked_add(n)?)?;
        *pos += n;
        Some(s)
    };
    while pos < body.len() {
        let n = u32::from_le_bytes(take(&mut pos, 4)?.try_into().ok()?) as usize;
        let path = String::from_utf8(take(&mut pos, n)?.to_vec()).ok()?;
        let len = u64::from_le_bytes(take(&mut pos, 8)?.try_into().ok()?) as usize;
        let content = take(&mut pos, len)?.to_vec();
        files.insert(path, content);
    }
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), "employees", "1.0");
        let files = BTreeMap::from([
            ("index.html".to_string(), b"<p>x</p>".to_vec()),
            ("assets/a.css".to_string(), Vec::new()),
        ]);
        cache.put("k1", &files).unwrap();
        assert_eq!(cache.get("k1").unwrap(), files);
        cache.put("k2", &files).unwrap();
        assert!(cache.get("k1").is_none(), "older entries are dropped");
        let path = cache.path("k2");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[3] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(cache.get("k2").is_none());
    }
}
