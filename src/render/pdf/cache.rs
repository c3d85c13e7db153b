//! Typeset PDFs kept between runs, so that a build typesets only the PDFs whose inputs changed
//! (typst is the slowest part of a build that has PDFs: about a second per document in a
//! debug binary).
//!
//! A PDF is a pure function of its generated markup, its file identifier, its date, the fonts
//! and the running kitei (typst is compiled into it): the key is the SHA-256 of all five. One
//! entry per PDF and audience, `.kitei-cache/pdf/<audience>/<slot>.bin` in the project root
//! (ignored by git), where the slot is derived from the PDF's identifier: a new version of a
//! PDF replaces the old entry, so the cache never grows beyond one file per PDF.
//!
//! An entry is `KITEIPDF`, the key, the SHA-256 of the PDF and the PDF. An entry whose key
//! differs is typeset again; one whose digest does not match its bytes (a damaged disk, a
//! hand edit) is ignored and typeset again. Writes are atomic. `KITEI_CACHE=off` turns the
//! cache off.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::CACHE_DIR;
use crate::digest::hex;

const MAGIC: &[u8; 8] = b"KITEIPDF";

/// The PDF cache of one audience.
pub struct PdfCache {
    dir: PathBuf,
    /// The inputs every PDF shares: the running kitei and the fonts' bytes.
    shared: [u8; 32],
}

impl PdfCache {
    /// The cache of `audience` in `project_root`, or `None` when `KITEI_CACHE=off`.
    pub fn new(project_root: &Path, audience: &str, fonts_digest: &[u8; 32]) -> Option<PdfCache> {
        if !crate::render::reuse::enabled() {
            return None;
        }
        Some(PdfCache {
            dir: project_root.join(CACHE_DIR).join("pdf").join(audience),
            shared: key(&[
                crate::render::reuse::binary_identity().as_bytes(),
                fonts_digest,
            ]),
        })
    }

    /// The key of one PDF: the shared inputs and this PDF's own.
    pub fn key(&self, markup: &str, ident: &str, when: &str) -> [u8; 32] {
        key(&[
            &self.shared,
            markup.as_bytes(),
            ident.as_bytes(),
            when.as_bytes(),
        ])
    }

    fn path(&self, ident: &str) -> PathBuf {
        let slot = hex(&Sha256::digest(ident.as_bytes()));
        self.dir.join(format!("{}.bin", &slot[..32]))
    }

    /// The PDF stored for `ident` under `key`, when a sound entry exists.
    pub fn get(&self, ident: &str, key: &[u8; 32]) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path(ident)).ok()?;
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let (stored_key, rest) = rest.split_at_checked(32)?;
        let (digest, pdf) = rest.split_at_checked(32)?;
        (stored_key == key && Sha256::digest(pdf).as_slice() == digest).then(|| pdf.to_vec())
    }

    /// Stores `pdf` for `ident` under `key`, replacing the entry of an older version. A cache
    /// that cannot be written costs time, not correctness: the error is ignored.
    pub fn put(&self, ident: &str, key: &[u8; 32], pdf: &[u8]) {
        let mut entry = Vec::with_capacity(pdf.len() + 72);
        entry.extend_from_slice(MAGIC);
        entry.extend_from_slice(key);
        entry.extend_from_slice(&Sha256::digest(pdf));
        entry.extend_from_slice(pdf);
        let _ = crate::files::write_atomically(&self.path(ident), &entry, crate::files::How::FILE);
    }
}

/// The SHA-256 of the parts, each length-prefixed (no two part lists share a key).
use crate::digest::key;

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(dir: &Path) -> PdfCache {
        PdfCache {
            dir: dir.to_path_buf(),
            shared: [7; 32],
        }
    }

    #[test]
    fn returns_what_was_stored_under_the_same_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(dir.path());
        let k = c.key("#\"本文\";", "kitei/doc/1", "2026-01-01");
        assert_eq!(c.get("kitei/doc/1", &k), None);
        c.put("kitei/doc/1", &k, b"%PDF-1.7 one");
        assert_eq!(
            c.get("kitei/doc/1", &k).as_deref(),
            Some(&b"%PDF-1.7 one"[..])
        );
        // Any input changed: another key, nothing returned.
        for other in [
            c.key("#\"本文。\";", "kitei/doc/1", "2026-01-01"),
            c.key("#\"本文\";", "kitei/doc/2", "2026-01-01"),
            c.key("#\"本文\";", "kitei/doc/1", "2026-01-02"),
            cache(dir.path()).key("#\"本文\";", "kitei/doc/1", "2026-01-01 "),
        ] {
            assert_ne!(other, k);
            assert_eq!(c.get("kitei/doc/1", &other), None);
        }
        let other_fonts = PdfCache {
            shared: [8; 32],
            ..cache(dir.path())
        };
        assert_ne!(
            other_fonts.key("#\"本文\";", "kitei/doc/1", "2026-01-01"),
            k
        );
    }

    #[test]
    fn a_new_version_replaces_the_entry_and_damage_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(dir.path());
        let k1 = c.key("a", "kitei/doc/1", "d");
        let k2 = c.key("b", "kitei/doc/1", "d");
        c.put("kitei/doc/1", &k1, b"one");
        c.put("kitei/doc/1", &k2, b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(c.get("kitei/doc/1", &k1), None);
        let path = c.path("kitei/doc/1");
        let mut bytes = std::fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(c.get("kitei/doc/1", &k2), None);
        std::fs::write(&path, &bytes[..10]).unwrap();
        assert_eq!(c.get("kitei/doc/1", &k2), None);
    }
}
