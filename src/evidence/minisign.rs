//! The minisign file formats (https://jedisct1.github.io/minisign/), written with
//! ed25519-dalek so that signatures are deterministic (RFC 8032). The `minisign` crate mixes
//! random noise into every signature, which would make a signature inside the bundle — and so
//! the bundle's bytes — differ on every run.
//!
//! * public key: `"Ed" || key_id[8] || pk[32]`, base64, below an untrusted comment line.
//! * secret key: `"Ed" || kdf_alg[2] || "B2" || salt[32] || opslimit[8 LE] || memlimit[8 LE]
//!   || (key_id[8] || sk[64] || checksum[32]) XOR scrypt(password)`, checksum =
//!   BLAKE2b-256("Ed" || key_id || sk); `kdf_alg` is `Sc` (scrypt) or two zero bytes.
//! * signature (4 lines): untrusted comment; base64(`"ED" || key_id || Ed25519(BLAKE2b-512(file))`);
//!   `trusted comment: …`; base64(Ed25519(signature || trusted comment)).
//!
//! Signatures use the prehashed `ED` form, the default of minisign ≥ 0.8 (Debian ships 0.11).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use blake2::{Blake2b256, Blake2b512, Digest};
use ed25519_dalek::{Signature as EdSignature, Signer, SigningKey, VerifyingKey};

const KEY_ALG: [u8; 2] = *b"Ed";
const SIG_ALG_PREHASHED: [u8; 2] = *b"ED";
const KDF_SCRYPT: [u8; 2] = *b"Sc";
const KDF_NONE: [u8; 2] = [0, 0];
const CHK_ALG: [u8; 2] = *b"B2";
/// scrypt cost written into new keys: libsodium opslimit 2^20, memlimit 2^25 (N = 2^15,
/// r = 8, p = 1; 32 MiB). Readers take the cost from the key file, so minisign accepts it.
const OPSLIMIT: u64 = 1 << 20;
const MEMLIMIT: u64 = 1 << 25;
/// The most memory a key file may ask scrypt for (minisign's own "sensitive" limit, 1 GiB).
const MAX_LOG_N: u32 = 20;
const KEYNUM_SK_LEN: usize = 8 + 64 + 32;

/// The 64-byte BLAKE2b-512 digest minisign signs (its "prehash").
pub type Prehash = [u8; 64];

pub fn prehash(bytes: &[u8]) -> Prehash {
    Blake2b512::digest(bytes).into()
}

/// Key ids are shown the way minisign shows them: the 8 bytes as a little-endian number, in
/// uppercase hex.
pub fn key_id_hex(id: &[u8; 8]) -> String {
    format!("{:016X}", u64::from_le_bytes(*id))
}

fn random(buf: &mut [u8]) -> Result<(), String> {
    getrandom::fill(buf).map_err(|e| format!("the operating system gave no random bytes: {e}"))
}

/// The non-empty base64 line of a minisign file (after an optional untrusted comment).
fn payload_line<'t>(text: &'t str, what: &str) -> Result<&'t str, String> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().ok_or_else(|| format!("the {what} is empty"))?;
    if first.starts_with("untrusted comment:") {
        lines
            .next()
            .ok_or_else(|| format!("the {what} has a comment line but no key line"))
    } else {
        Ok(first)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub key_id: [u8; 8],
    pub key: VerifyingKey,
}

impl PublicKey {
    /// Parses a `.pub` file's text, or the bare `RW…` base64 line.
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let line = payload_line(text, "public key")?;
        let bytes = B64
            .decode(line)
            .map_err(|_| "the public key is not valid base64".to_string())?;
        if bytes.len() != 42 || bytes[..2] != KEY_ALG {
            return Err(
                "this is not a minisign Ed25519 public key (expected 42 bytes starting with `Ed`)"
                    .into(),
            );
        }
        let key_id: [u8; 8] = bytes[2..10].try_into().expect("8 bytes");
        let pk: [u8; 32] = bytes[10..42].try_into().expect("32 bytes");
        let key = VerifyingKey::from_bytes(&pk)
            .map_err(|_| "the public key is not a valid Ed25519 point".to_string())?;
        Ok(PublicKey { key_id, key })
    }

    pub fn key_id_hex(&self) -> String {
        key_id_hex(&self.key_id)
    }

    /// The one-line form (`minisign -P RW…`).
    pub fn base64(&self) -> String {
        let mut bytes = KEY_ALG.to_vec();
        bytes.extend_from_slice(&self.key_id);
        bytes.extend_from_slice(self.key.as_bytes());
        B64.encode(bytes)
    }

    pub fn to_file_string(&self) -> String {
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            self.key_id_hex(),
            self.base64()
        )
    }
}

/// Why a secret key could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The key is encrypted and no password was given.
    NeedsPassword,
    WrongPassword,
    Malformed(String),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::NeedsPassword => {
                f.write_str("the secret key is encrypted and no password was given")
            }
            KeyError::WrongPassword => f.write_str("wrong password for the secret key"),
            KeyError::Malformed(m) => f.write_str(m),
        }
    }
}

pub struct SecretKey {
    pub key_id: [u8; 8],
    signing: SigningKey,
}

impl SecretKey {
    /// A new random key pair.
    pub fn generate() -> Result<SecretKey, String> {
        let mut seed = [0u8; 32];
        let mut key_id = [0u8; 8];
        random(&mut seed)?;
        random(&mut key_id)?;
        Ok(SecretKey {
            key_id,
            signing: SigningKey::from_bytes(&seed),
        })
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            key_id: self.key_id,
            key: self.signing.verifying_key(),
        }
    }

    fn checksum(&self) -> [u8; 32] {
        let mut h = Blake2b256::new();
        h.update(KEY_ALG);
        h.update(self.key_id);
        h.update(self.signing.to_keypair_bytes());
        h.finalize().into()
    }

    /// The secret key file, encrypted with scrypt when a password is given.
    pub fn to_file_string(&self, password: Option<&[u8]>) -> Result<String, String> {
        let mut salt = [0u8; 32];
        random(&mut salt)?;
        let mut keynum = Vec::with_capacity(KEYNUM_SK_LEN);
        keynum.extend_from_slice(&self.key_id);
        keynum.extend_from_slice(&self.signing.to_keypair_bytes());
        keynum.extend_from_slice(&self.checksum());
        let kdf = match password {
            Some(pw) => {
                let stream =
                    kdf_stream(pw, &salt, OPSLIMIT, MEMLIMIT).map_err(|e| e.to_string())?;
                keynum
                    .iter_mut()
                    .zip(stream.iter())
                    .for_each(|(b, k)| *b ^= k);
                KDF_SCRYPT
            }
            None => KDF_NONE,
        };
        let mut bytes = Vec::with_capacity(158);
        bytes.extend_from_slice(&KEY_ALG);
        bytes.extend_from_slice(&kdf);
        bytes.extend_from_slice(&CHK_ALG);
        bytes.extend_from_slice(&salt);
        bytes.extend_from_slice(&OPSLIMIT.to_le_bytes());
        bytes.extend_from_slice(&MEMLIMIT.to_le_bytes());
        bytes.extend_from_slice(&keynum);
        keynum.iter_mut().for_each(|b| *b = 0);
        let comment = if password.is_some() {
            "minisign encrypted secret key"
        } else {
            "minisign secret key (unencrypted)"
        };
        Ok(format!(
            "untrusted comment: {comment}\n{}\n",
            B64.encode(bytes)
        ))
    }

    /// Opens a secret key file written by kitei or by `minisign -G`.
    pub fn parse(text: &str, password: Option<&[u8]>) -> Result<SecretKey, KeyError> {
        let line = payload_line(text, "secret key").map_err(KeyError::Malformed)?;
        let bytes = B64
            .decode(line)
            .map_err(|_| KeyError::Malformed("the secret key is not valid base64".into()))?;
        if bytes.len() != 158 || bytes[..2] != KEY_ALG || bytes[4..6] != CHK_ALG {
            return Err(KeyError::Malformed(
                "this is not a minisign Ed25519 secret key".into(),
            ));
        }
        let kdf: [u8; 2] = bytes[2..4].try_into().expect("2 bytes");
        let salt = &bytes[6..38];
        let opslimit = u64::from_le_bytes(bytes[38..46].try_into().expect("8 bytes"));
        let memlimit = u64::from_le_bytes(bytes[46..54].try_into().expect("8 bytes"));
        let mut keynum = bytes[54..158].to_vec();
        let encrypted = match kdf {
            KDF_SCRYPT => true,
            KDF_NONE => false,
            _ => {
                return Err(KeyError::Malformed(
                    "the secret key uses an unknown key derivation".into(),
                ));
            }
        };
        if encrypted {
            let pw = password.ok_or(KeyError::NeedsPassword)?;
            let stream = kdf_stream(pw, salt, opslimit, memlimit).map_err(KeyError::Malformed)?;
            keynum
                .iter_mut()
                .zip(stream.iter())
                .for_each(|(b, k)| *b ^= k);
        }
        let key_id: [u8; 8] = keynum[..8].try_into().expect("8 bytes");
        let pair: [u8; 64] = keynum[8..72].try_into().expect("64 bytes");
        let checksum: [u8; 32] = keynum[72..104].try_into().expect("32 bytes");
        keynum.iter_mut().for_each(|b| *b = 0);
        let bad = if encrypted {
            KeyError::WrongPassword
        } else {
            KeyError::Malformed("the secret key is damaged".into())
        };
        let signing = SigningKey::from_keypair_bytes(&pair).map_err(|_| bad.clone())?;
        let key = SecretKey { key_id, signing };
        // minisign 0.11 writes an all-zero checksum for unencrypted keys (`-G -W`).
        if key.checksum() != checksum && (encrypted || checksum != [0u8; 32]) {
            return Err(bad);
        }
        Ok(key)
    }

    /// A prehashed (`ED`) minisign signature over data whose BLAKE2b-512 is `hash`.
    /// Deterministic: the same key, data and comments give the same bytes.
    pub fn sign(&self, hash: &Prehash, trusted_comment: &str) -> String {
        let trusted_comment = trusted_comment.replace(['\r', '\n'], " ");
        let sig = self.signing.sign(hash).to_bytes();
        let mut global = sig.to_vec();
        global.extend_from_slice(trusted_comment.as_bytes());
        let global_sig = self.signing.sign(&global).to_bytes();
        let mut line = SIG_ALG_PREHASHED.to_vec();
        line.extend_from_slice(&self.key_id);
        line.extend_from_slice(&sig);
        format!(
            "untrusted comment: signature from kitei secret key {}\n{}\ntrusted comment: {}\n{}\n",
            key_id_hex(&self.key_id),
            B64.encode(line),
            trusted_comment,
            B64.encode(global_sig)
        )
    }
}

/// libsodium's `crypto_pwhash_scryptsalsa208sha256` turns (opslimit, memlimit) into scrypt's
/// (log N, r, p) this way; minisign stores the two limits in the key file.
fn scrypt_params(opslimit: u64, memlimit: u64) -> Result<scrypt::Params, String> {
    let opslimit = opslimit.max(32768);
    let r: u64 = 8;
    let (log_n, p) = if opslimit < memlimit / 32 {
        let max_n = opslimit / (r * 4);
        let mut log_n = 1u32;
        while log_n < 63 && (1u64 << log_n) <= max_n / 2 {
            log_n += 1;
        }
        (log_n, 1u64)
    } else {
        let max_n = memlimit / (r * 128);
        let mut log_n = 1u32;
        while log_n < 63 && (1u64 << log_n) <= max_n / 2 {
            log_n += 1;
        }
        let max_rp = ((opslimit / 4) / (1u64 << log_n)).min(0x3fff_ffff);
        (log_n, (max_rp / r).max(1))
    };
    if log_n > MAX_LOG_N || p > 16 {
        return Err(format!(
            "the secret key asks for an unreasonable scrypt cost (N = 2^{log_n}, p = {p}); it was not written by kitei or minisign"
        ));
    }
    scrypt::Params::new(log_n as u8, r as u32, p as u32)
        .map_err(|_| "invalid scrypt parameters in the secret key".into())
}

fn kdf_stream(
    password: &[u8],
    salt: &[u8],
    opslimit: u64,
    memlimit: u64,
) -> Result<[u8; KEYNUM_SK_LEN], String> {
    let params = scrypt_params(opslimit, memlimit)?;
    let mut out = [0u8; KEYNUM_SK_LEN];
    scrypt::scrypt(password, salt, &params, &mut out).map_err(|_| "scrypt failed".to_string())?;
    Ok(out)
}

/// A parsed `.minisig` file.
#[derive(Debug, Clone)]
pub struct Signature {
    pub prehashed: bool,
    pub key_id: [u8; 8],
    signature: [u8; 64],
    pub trusted_comment: String,
    global: [u8; 64],
}

impl Signature {
    pub fn parse(text: &str) -> Result<Signature, String> {
        let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
        if lines.len() < 4 || !lines[0].starts_with("untrusted comment:") {
            return Err(
                "not a minisign signature (expected 4 lines starting with `untrusted comment:`)"
                    .into(),
            );
        }
        let sig = B64
            .decode(lines[1].trim())
            .map_err(|_| "the signature line is not valid base64".to_string())?;
        if sig.len() != 74 {
            return Err("the signature line has the wrong length".into());
        }
        let prehashed = match [sig[0], sig[1]] {
            SIG_ALG_PREHASHED => true,
            KEY_ALG => false,
            _ => return Err("unknown signature algorithm".into()),
        };
        let trusted_comment = lines[2]
            .strip_prefix("trusted comment: ")
            .ok_or("the third line does not start with `trusted comment: `")?
            .to_string();
        let global = B64
            .decode(lines[3].trim())
            .map_err(|_| "the comment signature is not valid base64".to_string())?;
        let global: [u8; 64] = global
            .try_into()
            .map_err(|_| "the comment signature has the wrong length".to_string())?;
        Ok(Signature {
            prehashed,
            key_id: sig[2..10].try_into().expect("8 bytes"),
            signature: sig[10..74].try_into().expect("64 bytes"),
            trusted_comment,
            global,
        })
    }

    fn check_key(&self, key: &PublicKey) -> Result<(), String> {
        if self.key_id != key.key_id {
            return Err(format!(
                "signed by key {}, not by the given public key {}",
                key_id_hex(&self.key_id),
                key.key_id_hex()
            ));
        }
        Ok(())
    }

    fn check_comment(&self, key: &PublicKey) -> Result<(), String> {
        let mut global = self.signature.to_vec();
        global.extend_from_slice(self.trusted_comment.as_bytes());
        key.key
            .verify_strict(&global, &EdSignature::from_bytes(&self.global))
            .map_err(|_| {
                "the trusted comment's signature does not verify (the comment was changed)"
                    .to_string()
            })
    }

    /// Verifies against data given by its BLAKE2b-512 digest (prehashed signatures only).
    pub fn verify_prehashed(&self, key: &PublicKey, hash: &Prehash) -> Result<(), String> {
        if !self.prehashed {
            return Err(
                "legacy (non-prehashed) signature over a large file; check it with `minisign -V`"
                    .into(),
            );
        }
        self.check_key(key)?;
        key.key
            .verify_strict(hash, &EdSignature::from_bytes(&self.signature))
            .map_err(|_| "the signature does not match the file (the file was changed or the signature belongs to another file)".to_string())?;
        self.check_comment(key)
    }

    /// Verifies against data held in memory (either form).
    pub fn verify_bytes(&self, key: &PublicKey, data: &[u8]) -> Result<(), String> {
        if self.prehashed {
            return self.verify_prehashed(key, &prehash(data));
        }
        self.check_key(key)?;
        key.key
            .verify_strict(data, &EdSignature::from_bytes(&self.signature))
            .map_err(|_| "the signature does not match the file (the file was changed or the signature belongs to another file)".to_string())?;
        self.check_comment(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_roundtrip_and_determinism() {
        let sk = SecretKey::generate().unwrap();
        let pk = PublicKey::parse(&sk.public().to_file_string()).unwrap();
        assert_eq!(pk, sk.public());
        let a = sk.sign(&prehash(b"hello"), "bundle seq=1");
        let b = sk.sign(&prehash(b"hello"), "bundle seq=1");
        assert_eq!(a, b, "signatures must be deterministic");
        let sig = Signature::parse(&a).unwrap();
        assert_eq!(sig.trusted_comment, "bundle seq=1");
        sig.verify_bytes(&pk, b"hello").unwrap();
        assert!(sig.verify_bytes(&pk, b"hellO").is_err());
        let other = SecretKey::generate().unwrap().public();
        assert!(
            sig.verify_bytes(&other, b"hello")
                .unwrap_err()
                .contains("signed by key")
        );
        let tampered = a.replace("bundle seq=1", "bundle seq=2");
        assert!(
            Signature::parse(&tampered)
                .unwrap()
                .verify_bytes(&pk, b"hello")
                .unwrap_err()
                .contains("comment")
        );
    }

    #[test]
    fn secret_key_files_roundtrip() {
        let sk = SecretKey::generate().unwrap();
        let plain = sk.to_file_string(None).unwrap();
        assert_eq!(
            SecretKey::parse(&plain, None).unwrap().public(),
            sk.public()
        );
        let enc = sk.to_file_string(Some(b"pw")).unwrap();
        assert_eq!(
            SecretKey::parse(&enc, None).err(),
            Some(KeyError::NeedsPassword)
        );
        assert_eq!(
            SecretKey::parse(&enc, Some(b"nope")).err(),
            Some(KeyError::WrongPassword)
        );
        assert_eq!(
            SecretKey::parse(&enc, Some(b"pw")).unwrap().public(),
            sk.public()
        );
    }

    #[test]
    fn libsodium_parameter_choice() {
        // minisign's own "sensitive" limits give N = 2^20, r = 8, p = 1
        let p = scrypt_params(33_554_432, 1_073_741_824).unwrap();
        assert_eq!((p.log_n(), p.r(), p.p()), (20, 8, 1));
        let p = scrypt_params(OPSLIMIT, MEMLIMIT).unwrap();
        assert_eq!((p.log_n(), p.r(), p.p()), (15, 8, 1));
    }
}
