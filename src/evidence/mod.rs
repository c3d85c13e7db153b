//! Evidence bundles: `kitei seal` writes a hash-sealed BagIt 1.0 bag as a deterministic zip
//! in the project's `evidence/` folder, optionally signed with minisign and always chained to
//! the previous bundle; `kitei verify` proves a bundle (or the whole chain) from the archives
//! alone; `kitei keygen` makes the signing key.
//!
//! * [`names`]: portable payload names and media types.
//! * [`bag`]: the BagIt layout (manifests, bag-info, Merkle root, VERIFY.txt).
//! * [`archive`]: deterministic zip writing.
//! * [`minisign`]: the minisign key and signature formats (deterministic Ed25519).
//! * [`ledger`]: LEDGER.json and chain verification.
//! * [`provenance`]: the working tree's state (clean, modified) and the bagging time.
//! * [`seal`]: choosing what goes in, and writing a bundle.
//! * [`store`], [`publish`]: the chain kept in object storage (Object Lock) or a folder.
//! * [`verify`]: checking a bundle, treating it as hostile.

pub mod acknowledgements;
pub mod archive;
pub mod bag;
pub mod ledger;
pub mod minisign;
pub mod names;
pub mod provenance;
pub mod publish;
pub mod seal;
pub mod store;
pub mod verify;

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::files::{self, How};

pub use seal::{Scope, SealOutcome, SealRequest, SealResult, Sealed, seal};
pub use verify::{BundleReport, Limits, VerifyOptions, verify_bundle};

/// The environment variable that holds the signing key's password.
pub const PASSWORD_ENV: &str = "KITEI_SIGN_PASSWORD";

/// A failure, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub help: String,
}

impl Error {
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            help: help.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}\n  = help: {}", self.message, self.help)
    }
}

impl From<crate::diag::Diagnostic> for Error {
    fn from(d: crate::diag::Diagnostic) -> Self {
        let at = d
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        Error::new(
            format!("{at}{} [{}]", d.message, d.code),
            d.help
                .unwrap_or_else(|| "fix the problem above and run the command again".into()),
        )
    }
}

/// A byte-counting progress bar on stderr (callers decide whether stderr is a terminal).
pub(crate) fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// Writes `bytes` to `path` atomically ([`crate::files`]), flushed; `replace: false` refuses an
/// existing file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], replace: bool) -> Result<(), Error> {
    let how = if replace {
        How::DURABLE
    } else {
        How::DURABLE.new_only()
    };
    write_atomically_how(path, bytes, how)
}

/// [`write_atomically`] with the options spelled out.
pub(crate) fn write_atomically_how(path: &Path, bytes: &[u8], how: How) -> Result<(), Error> {
    files::write_atomically(path, bytes, how).map_err(|e| {
        Error::new(
            format!("cannot write {}: {e}", path.display()),
            "check the folder's permissions and free disk space",
        )
    })
}

/// The password for signing keys, from [`PASSWORD_ENV`].
pub fn password_from_env() -> Option<Vec<u8>> {
    std::env::var_os(PASSWORD_ENV)
        .filter(|p| !p.is_empty())
        .map(|p| p.into_encoded_bytes())
}

/// What `keygen` wrote.
pub struct KeyFiles {
    pub public: PathBuf,
    pub secret: PathBuf,
    pub key: minisign::PublicKey,
    pub encrypted: bool,
}

/// `kitei keygen --out PREFIX`: writes PREFIX.pub and PREFIX.key (mode 0600) in minisign
/// format. The secret key is encrypted with the password from `KITEI_SIGN_PASSWORD` unless
/// `unencrypted` is set; existing files are kept unless `force` is set.
pub fn keygen(prefix: &Path, unencrypted: bool, force: bool) -> Result<KeyFiles, Error> {
    let password = password_from_env();
    if password.is_none() && !unencrypted {
        return Err(Error::new(
            format!("no password to encrypt the secret key with: {PASSWORD_ENV} is not set"),
            format!(
                "set {PASSWORD_ENV} to a strong password (in CI: a secret variable) and run keygen again; \
                 --unencrypted writes an unprotected key, for throwaway tests only"
            ),
        ));
    }
    let public = PathBuf::from(format!("{}.pub", prefix.display()));
    let secret = PathBuf::from(format!("{}.key", prefix.display()));
    for p in [&public, &secret] {
        if p.exists() && !force {
            return Err(Error::new(
                format!("{} exists already", p.display()),
                "choose another --out PREFIX, or pass --force to replace the key pair (bundles signed with the old key then need the old public key)",
            ));
        }
    }
    if let Some(dir) = public.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::new(
                format!("cannot create {}: {e}", dir.display()),
                "check the folder's permissions",
            )
        })?;
    }
    let sk = minisign::SecretKey::generate().map_err(|m| Error::new(m, "try again"))?;
    let secret_text = sk
        .to_file_string(if unencrypted {
            None
        } else {
            password.as_deref()
        })
        .map_err(|m| Error::new(m, "try again"))?;
    write_secret(&secret, secret_text.as_bytes())?;
    write_atomically(&public, sk.public().to_file_string().as_bytes(), true)?;
    Ok(KeyFiles {
        public,
        secret,
        key: sk.public(),
        encrypted: !unencrypted,
    })
}

fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    files::write_atomically(path, bytes, How::SECRET).map_err(|e| {
        Error::new(
            format!("cannot write {}: {e}", path.display()),
            "check the folder's permissions",
        )
    })
}

/// Reads a public key from a `.pub` file, or takes a bare `RW…` string.
pub fn read_public_key(arg: &str) -> Result<minisign::PublicKey, Error> {
    let text = if Path::new(arg).exists() {
        std::fs::read_to_string(arg).map_err(|e| {
            Error::new(
                format!("cannot read the public key {arg}: {e}"),
                "check the path",
            )
        })?
    } else if arg.starts_with("RW") {
        arg.to_string()
    } else {
        return Err(Error::new(
            format!("public key {arg} does not exist"),
            "give the .pub file written by `kitei keygen` (or the one-line `RW…` key)",
        ));
    };
    minisign::PublicKey::parse(&text).map_err(|m| {
        Error::new(
            format!("{arg}: {m}"),
            "give the .pub file written by `kitei keygen` or `minisign -G`",
        )
    })
}

/// Where a signing key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A `.key` file.
    File(PathBuf),
    /// An environment variable holding the key file's text (a CI secret).
    Env(String),
}

impl KeySource {
    /// The key to sign with: `--sign FILE` when given; else, when `[evidence] sign = true`,
    /// the key in the environment variable `key_env` or the file `key` (relative to
    /// `root`); else none. Required signing without a key is an error.
    pub fn resolve(
        cli: Option<PathBuf>,
        config: &crate::config::EvidenceConfig,
        root: &Path,
    ) -> Result<Option<KeySource>, Error> {
        if let Some(path) = cli {
            return Ok(Some(KeySource::File(path)));
        }
        if !config.sign {
            return Ok(None);
        }
        let var = config.key_env.trim();
        if !var.is_empty() && std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            return Ok(Some(KeySource::Env(var.to_string())));
        }
        match &config.key {
            Some(key) => Ok(Some(KeySource::File(root.join(key)))),
            None => Err(Error::new(
                format!(
                    "kitei.toml says `[evidence] sign = true`, but there is no key: {var} is not set and `key` is not given"
                ),
                format!(
                    "set {var} to the text of the .key file written by `kitei keygen` (in CI: a secret variable), \
                     or set `key = \"keys/kitei-evidence.key\"` under [evidence], or pass --sign KEY"
                ),
            )),
        }
    }
}

/// Reads and opens a signing key with the password from the environment.
pub fn read_signing_key(source: &KeySource) -> Result<minisign::SecretKey, Error> {
    match source {
        KeySource::File(path) => read_secret_key(path),
        KeySource::Env(var) => {
            let text = std::env::var(var).map_err(|_| {
                Error::new(
                    format!("the environment variable {var} does not hold a signing key (unset or not UTF-8)"),
                    format!("set {var} to the text of the .key file written by `kitei keygen`"),
                )
            })?;
            open_secret_key(&text, &format!("the signing key in {var}"))
        }
    }
}

/// Reads and opens a secret key with the password from the environment.
pub fn read_secret_key(path: &Path) -> Result<minisign::SecretKey, Error> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            format!("cannot read the signing key {shown}: {e}"),
            "give the .key file written by `kitei keygen`",
        )
    })?;
    open_secret_key(&text, &format!("the signing key {shown}"))
}

fn open_secret_key(text: &str, shown: &str) -> Result<minisign::SecretKey, Error> {
    let password = password_from_env();
    minisign::SecretKey::parse(text, password.as_deref()).map_err(|e| match e {
        minisign::KeyError::NeedsPassword => Error::new(
            format!("{shown} is encrypted and {PASSWORD_ENV} is not set"),
            format!("set {PASSWORD_ENV} to the key's password (in CI: a secret variable)"),
        ),
        minisign::KeyError::WrongPassword => Error::new(
            format!("wrong password for {shown}"),
            format!("set {PASSWORD_ENV} to the password the key was created with"),
        ),
        minisign::KeyError::Malformed(m) => Error::new(
            format!("{shown}: {m}"),
            "give the .key file written by `kitei keygen` or `minisign -G`",
        ),
    })
}
