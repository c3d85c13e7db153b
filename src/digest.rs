//! SHA-256 helpers: hex encoding (sha2 0.11's digest type has no `LowerHex`), file digests,
//! and [`KeyBuilder`], the one way caches (check results, pages, history, PDFs) make their keys.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// Length-prefixed parts fed to one SHA-256: no two different part lists share a key (`"ab",
/// "c"` and `"a", "bc"` differ). Every cache key in kitei is made with it.
#[derive(Clone, Default)]
pub struct KeyBuilder(Sha256);

impl KeyBuilder {
    /// A builder whose first part names what the key is for, so that keys of different caches
    /// never coincide.
    pub fn new(domain: &str) -> KeyBuilder {
        let mut k = KeyBuilder::default();
        k.part(domain.as_bytes());
        k
    }

    pub fn part(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Parts of a list, with its length first (so that `[a, b]` and `[ab]` differ).
    pub fn parts<'s>(&mut self, items: impl ExactSizeIterator<Item = &'s str>) -> &mut Self {
        self.0.update((items.len() as u64).to_le_bytes());
        for s in items {
            self.part(s.as_bytes());
        }
        self
    }

    /// A value serialised as JSON (deterministic: the same value gives the same bytes), ended
    /// by a byte JSON never contains.
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> &mut Self {
        let _ = serde_json::to_writer(HashWriter(&mut self.0), value);
        self.0.update([0xff]);
        self
    }

    pub fn finish(&self) -> Hash {
        self.0.clone().finalize().into()
    }
}

/// The key of `parts` alone (no domain part).
pub fn key(parts: &[&[u8]]) -> Hash {
    let mut k = KeyBuilder::default();
    for p in parts {
        k.part(p);
    }
    k.finish()
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of any byte slice.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

/// Streams a file through SHA-256 without holding it in memory.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    sha256_file_raw(path).map(|d| hex(&d))
}

/// [`sha256_file`] as bytes.
pub fn sha256_file_raw(path: &std::path::Path) -> std::io::Result<[u8; 32]> {
    use std::io::Read;
    let mut file = crate::files::open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_parts() {
        let key = |a: &[&str]| {
            let mut k = KeyBuilder::new("t");
            k.parts(a.iter().copied());
            k.finish()
        };
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_ne!(key(&["a", "b"]), key(&["a"]));
        assert_eq!(key(&["a", "b"]), key(&["a", "b"]));
        let mut one = KeyBuilder::new("t");
        one.part(b"ab").part(b"c");
        let mut two = KeyBuilder::new("t");
        two.part(b"a").part(b"bc");
        assert_ne!(one.finish(), two.finish());
        assert_ne!(super::key(&[b"t"]), KeyBuilder::new("u").finish());
        assert_eq!(super::key(&[b"t"]), KeyBuilder::new("t").finish());
    }

    #[test]
    fn json_values_are_ended() {
        let mut a = KeyBuilder::new("t");
        a.json("x").json("y");
        let mut b = KeyBuilder::new("t");
        b.json("x").json("y");
        assert_eq!(a.finish(), b.finish());
        let mut c = KeyBuilder::new("t");
        c.json(&1).json(&23);
        let mut d = KeyBuilder::new("t");
        d.json(&12).json(&3);
        assert_ne!(c.finish(), d.finish());
    }

    #[test]
    fn known_vector() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
