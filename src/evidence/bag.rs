//! The BagIt 1.0 layout (RFC 8493) as kitei writes and reads it: `bagit.txt`, manifests in
//! the `sha256sum` format, `bag-info.txt`, the RFC 6962 Merkle root over the manifest lines,
//! and the auditor's `metadata/VERIFY.txt`. Text is UTF-8 without BOM, LF line ends, sorted
//! bytewise, so that the same inputs always give the same bytes.

use sha2::{Digest, Sha256};

/// `bagit.txt`, byte for byte (54 bytes).
pub const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
pub const BAGIT: &str = "bagit.txt";
pub const BAG_INFO: &str = "bag-info.txt";
pub const MANIFEST: &str = "manifest-sha256.txt";
pub const TAG_MANIFEST: &str = "tagmanifest-sha256.txt";
pub const TAG_SIGNATURE: &str = "tagmanifest-sha256.txt.minisig";
pub const BUNDLE_JSON: &str = "metadata/bundle.json";
pub const VERIFY_TXT: &str = "metadata/VERIFY.txt";

/// A manifest: one `<sha256 hex>␠␠<path>` line per file, sorted by path bytes.
pub fn manifest<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut lines: Vec<(&str, &str)> = entries.into_iter().collect();
    lines.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    // Sized up front: a payload manifest is 52,000 lines at 10,000 documents.
    let len = lines.iter().map(|(p, h)| h.len() + p.len() + 3).sum();
    let mut text = String::with_capacity(len);
    for (path, hex) in lines {
        text.push_str(hex);
        text.push_str("  ");
        text.push_str(path);
        text.push('\n');
    }
    text
}

/// One line of a manifest as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestLine {
    pub sha256: String,
    pub path: String,
}

/// Reads a manifest strictly: lowercase 64-digit hex, two spaces, a relative path; LF ends.
pub fn parse_manifest(text: &str) -> Result<Vec<ManifestLine>, String> {
    let mut out = Vec::new();
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the last line does not end with a line feed".into());
    }
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let (hex, path) = line
            .split_once("  ")
            .ok_or_else(|| format!("line {n} is not `<sha256>  <path>`"))?;
        if hex.len() != 64
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(format!(
                "line {n} does not start with a lowercase SHA-256 digest"
            ));
        }
        if path.is_empty() || path.contains('\r') {
            return Err(format!("line {n} has an empty or malformed path"));
        }
        out.push(ManifestLine {
            sha256: hex.to_string(),
            path: path.to_string(),
        });
    }
    Ok(out)
}

/// RFC 6962 §2.1 Merkle tree hash over the manifest's lines (without their LF), in order.
pub fn merkle_root(manifest_text: &str) -> [u8; 32] {
    let leaves: Vec<&[u8]> = manifest_text.lines().map(str::as_bytes).collect();
    mth(&leaves)
}

fn mth(leaves: &[&[u8]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest(b"").into(),
        1 => {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(leaves[0]);
            h.finalize().into()
        }
        n => {
            let mut k = 1;
            while 2 * k < n {
                k *= 2;
            }
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(mth(&leaves[..k]));
            h.update(mth(&leaves[k..]));
            h.finalize().into()
        }
    }
}

/// `bag-info.txt`: labelled values in a fixed order (RFC 8493 §2.2.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BagInfo(pub Vec<(String, String)>);

impl BagInfo {
    pub fn push(&mut self, label: &str, value: impl Into<String>) {
        let value: String = value.into();
        self.0
            .push((label.to_string(), value.replace(['\r', '\n'], " ")));
    }

    pub fn to_text(&self) -> String {
        self.0.iter().map(|(l, v)| format!("{l}: {v}\n")).collect()
    }

    /// Reads `Label: value` lines; an indented line continues the previous value.
    pub fn parse(text: &str) -> Result<BagInfo, String> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.starts_with([' ', '\t']) {
                let last = out
                    .last_mut()
                    .ok_or_else(|| format!("line {} continues nothing", i + 1))?;
                last.1.push(' ');
                last.1.push_str(line.trim());
                continue;
            }
            let (label, value) = line
                .split_once(':')
                .ok_or_else(|| format!("line {} has no `Label: value`", i + 1))?;
            out.push((label.trim().to_string(), value.trim().to_string()));
        }
        Ok(BagInfo(out))
    }

    /// The first value of a label (labels compare case-insensitively, as the RFC says).
    pub fn get(&self, label: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(label))
            .map(|(_, v)| v.as_str())
    }
}

/// What `metadata/VERIFY.txt` needs to know.
pub struct VerifyText<'a> {
    pub name: &'a str,
    pub sequence: u64,
    pub previous: &'a str,
    pub key_id: Option<&'a str>,
}

/// Plain-text instructions for an auditor, using only tools kitei did not write.
pub fn verify_txt(v: &VerifyText) -> String {
    let name = v.name;
    let signed = match v.key_id {
        Some(id) => format!(
            "This bundle is signed with the minisign key whose key id is {id}. Get the public\n\
             key (a file such as kitei-evidence.pub, or its one-line `RW...` form) from the\n\
             organisation through a separate channel, never from the same delivery as the zip.\n"
        ),
        None => {
            "This bundle is NOT signed: steps 1 and 3 do not apply. Its integrity rests on the\n\
                 manifests and on comparing its bag digest with one you received separately.\n"
                .to_string()
        }
    };
    format!(
        "How to verify the evidence bundle {name}
{rule}

The bundle is a BagIt 1.0 bag (RFC 8493) packed as a zip whose only top-level entry is
the folder {name}/. Every check below uses standard tools that kitei's authors did
not write: unzip, sha256sum (GNU coreutils), bagit.py (bagit-python, Library of Congress),
minisign, and bash for step 6.

  Debian/Ubuntu:  apt-get install unzip minisign   and   pip install bagit

{signed}
Set once:  B={name}   PUB=kitei-evidence.pub   (the public key file you were given)

1. The zip exactly as delivered (signed bundles):
     minisign -V -p \"$PUB\" -m \"$B.zip\"
   expect: \"Signature and comment signature verified\" and the trusted comment
     {name}.zip seq={seq} bag=sha256:<bag digest>

2. Unpack (creates the folder {name}/ and nothing else):
     unzip -q \"$B.zip\"

3. The seal inside the bag (still valid after re-packing):
     minisign -V -p \"$PUB\" -m \"$B/tagmanifest-sha256.txt\"
   expect the trusted comment:  {name} seq={seq} prev={prev}

4. Full BagIt validation: structure, completeness, every checksum, Payload-Oxum:
     bagit.py --validate \"$B\"          (exit status 0 and \"... is valid\")

5. The same hashes with coreutils only (macOS: shasum -a 256 -c):
     ( cd \"$B\" && sha256sum -c --strict tagmanifest-sha256.txt && sha256sum -c --strict manifest-sha256.txt )

6. Nothing present that the manifests do not list:
     ( cd \"$B\" && diff <(find . -type f ! -path ./tagmanifest-sha256.txt ! -path ./tagmanifest-sha256.txt.minisig -printf '%P\\n' | LC_ALL=C sort) \\
                       <(cut -d' ' -f3- manifest-sha256.txt tagmanifest-sha256.txt | LC_ALL=C sort) && echo \"no unlisted files\" )

7. The chain: bag-info.txt names the previous bundle's bag digest (sha256 of its
   tagmanifest-sha256.txt); \"none\" for the first bundle of a series.
     grep '^Evidence-Previous-Bag-Digest:' \"$B/bag-info.txt\"
     sha256sum <previous bundle>/tagmanifest-sha256.txt        (must match)
   The digest of this bundle is:  sha256sum \"$B/tagmanifest-sha256.txt\"

8. Optional: the Merkle root over the manifest lines (RFC 6962), to compare with
   Evidence-Payload-Merkle-Root in bag-info.txt:
     ( cd \"$B\" && python3 -c '
import hashlib
L=[l.rstrip(b\"\\n\") for l in open(\"manifest-sha256.txt\",\"rb\")]
def mth(d):
    if not d: return hashlib.sha256(b\"\").digest()
    if len(d)==1: return hashlib.sha256(b\"\\x00\"+d[0]).digest()
    k=1
    while 2*k<len(d): k*=2
    return hashlib.sha256(b\"\\x01\"+mth(d[:k])+mth(d[k:])).digest()
print(\"sha256:\"+mth(L).hex())' )

Without minisign (OpenSSL 3 and coreutils), for a signature FILE.minisig over FILE:
     {{ printf '302a300506032b6570032100' | xxd -r -p; tail -1 \"$PUB\" | base64 -d | tail -c 32; }} > ed.der
     openssl pkey -pubin -inform DER -in ed.der -out ed.pem
     sed -n 2p FILE.minisig | base64 -d | tail -c 64 > file.sig
     b2sum -l 512 FILE | cut -d' ' -f1 | xxd -r -p > file.b2
     openssl pkeyutl -verify -pubin -inkey ed.pem -rawin -in file.b2 -sigfile file.sig
     {{ cat file.sig; sed -n 3p FILE.minisig | sed 's/^trusted comment: //' | tr -d '\\n'; }} > global.msg
     sed -n 4p FILE.minisig | base64 -d > global.sig
     openssl pkeyutl -verify -pubin -inkey ed.pem -rawin -in global.msg -sigfile global.sig

With kitei itself (convenient, but never the only check):
     kitei verify \"$B.zip\" --pubkey \"$PUB\"
     kitei verify --chain evidence/ --pubkey \"$PUB\"

What is where:
  data/check-report.json            kitei's check of the policy as sealed
  data/source/...                   the policy sources and attached evidence files
  data/incidents/<id>/record.json   each incident record in normalised JSON
  metadata/bundle.json              index: incidents -> files, original file names,
                                    media types, ISO/IEC 27001 controls
",
        rule = "=".repeat(40 + name.len()),
        seq = v.sequence,
        prev = v.previous,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::hex;

    #[test]
    fn manifest_is_sorted_bytewise_and_parses_back() {
        let m = manifest([
            ("data/b", "bb".repeat(32).as_str()),
            ("data/B", "aa".repeat(32).as_str()),
        ]);
        assert!(m.starts_with(&format!("{}  data/B\n", "aa".repeat(32))));
        let parsed = parse_manifest(&m).unwrap();
        assert_eq!(parsed[1].path, "data/b");
        assert!(parse_manifest("xyz  data/a\n").is_err());
        assert!(parse_manifest(&format!("{} data/a\n", "a".repeat(64))).is_err());
    }

    #[test]
    fn merkle_matches_rfc6962_shape() {
        assert_eq!(hex(&merkle_root("")), crate::digest::sha256_hex(b""));
        let one = merkle_root("a\n");
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(b"a");
        assert_eq!(one, <[u8; 32]>::from(h.finalize()));
        // three leaves: k = 2 → node(node(a,b), c)
        let leaf = |s: &[u8]| mth(&[s]);
        let node = |l: [u8; 32], r: [u8; 32]| {
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(l);
            h.update(r);
            <[u8; 32]>::from(h.finalize())
        };
        assert_eq!(
            merkle_root("a\nb\nc\n"),
            node(node(leaf(b"a"), leaf(b"b")), leaf(b"c"))
        );
    }

    #[test]
    fn bag_info_roundtrip() {
        let mut b = BagInfo::default();
        b.push("Source-Organization", "株式会社みなと商会");
        b.push("Payload-Oxum", "10.2");
        let parsed = BagInfo::parse(&b.to_text()).unwrap();
        assert_eq!(parsed, b);
        assert_eq!(parsed.get("payload-oxum"), Some("10.2"));
    }
}
