//! The seal a no-op `kitei build` can skip. A build seals the default bundle after publishing;
//! when nothing changed since the last build (its fingerprint, [`crate::render::stamp`]), the
//! seal would load and render everything again only to find the newest bundle holding the
//! same payload (≈ 10 s at 10,000 documents). So after each seal `kitei build` records which
//! inputs it sealed and how `evidence/` stood afterwards; a build with the same inputs, whose
//! `evidence/` is untouched since (the folder, LEDGER.json byte for byte, the newest bundle's
//! file) and whose signing key (if any) signed that bundle, says "no change" without sealing.
//! Anything else, including a stamp that cannot be read, runs the seal in full.
//!
//! What the answer rests on is the fingerprint and LEDGER.json's bytes: the newest entry is
//! the one the recorded seal found (or wrote) with the payload these inputs make. The
//! folder's and the bundle file's times are stricter still: a stray bundle, or a newest
//! bundle touched, makes the seal run in full so that its checks of the chain's tip report
//! them. (A change to those files within the clock tick of the seal itself could keep their
//! times; it is reported when a seal next extends the chain, and by `kitei verify --chain`.)

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::evidence::ledger::{LEDGER_FILE, Ledger, plain_file_name};
use crate::source::cache::Stat;

/// What a seal from `kitei build` left behind.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealStamp {
    /// The build's fingerprint the sealed workspace was loaded under.
    inputs: String,
    /// `evidence/` afterwards (an entry added, removed or renamed changes its times).
    folder: Stat,
    /// SHA-256 of LEDGER.json afterwards.
    ledger_sha256: String,
    /// The newest bundle: its name, its zip's identity (rewritten or replaced, it differs)
    /// and the key that signed it.
    bundle: String,
    zip: Stat,
    signed_by: Option<String>,
}

/// Where the seal stamp of builds into `out` lives: beside their build stamp.
fn path(project_root: &Path, out: &Path) -> PathBuf {
    crate::render::stamp::path(project_root, out).with_extension("seal.json")
}

/// How `evidence/` stands now, as a stamp for `inputs`; `None` without a ledger and a
/// newest bundle.
fn now(evidence: &Path, inputs: &str) -> Option<SealStamp> {
    let folder = std::fs::symlink_metadata(evidence).ok()?;
    let zip_of = |file: &str| {
        let meta = std::fs::symlink_metadata(evidence.join(file)).ok()?;
        meta.is_file().then(|| Stat::of(&meta)).flatten()
    };
    let ledger_bytes = std::fs::read(evidence.join(LEDGER_FILE)).ok()?;
    let ledger: Ledger = serde_json::from_slice(&ledger_bytes).ok()?;
    let last = ledger.last().filter(|l| plain_file_name(&l.file))?;
    Some(SealStamp {
        inputs: inputs.to_string(),
        folder: Stat::of(&folder)?,
        ledger_sha256: crate::digest::sha256_hex(&ledger_bytes),
        bundle: last.name.clone(),
        zip: zip_of(&last.file)?,
        signed_by: last.signed_by.clone(),
    })
}

/// Records, after a seal by a build with fingerprint `inputs`, how `evidence/` stands (best
/// effort, like the build stamp: without it the next build seals in full).
pub fn record(project_root: &Path, out: &Path, inputs: &str) {
    let path = path(project_root, out);
    match now(&project_root.join("evidence"), inputs)
        .and_then(|stamp| serde_json::to_vec(&stamp).ok())
    {
        Some(bytes) => {
            let _ = crate::files::write_atomically(&path, &bytes, crate::files::How::FILE);
        }
        None => {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// The newest bundle's name when a build with fingerprint `inputs` need not seal: the last
/// seal recorded for these inputs left `evidence/` exactly as it is now, and the newest bundle
/// was signed by `key_id` if a key is to sign (an unsigned bundle is sealed again, signed, as
/// [`super::unchanged`] decides).
pub fn fresh(
    project_root: &Path,
    out: &Path,
    inputs: &str,
    key_id: Option<&str>,
) -> Option<String> {
    let recorded: SealStamp =
        serde_json::from_slice(&std::fs::read(path(project_root, out)).ok()?).ok()?;
    let current = now(&project_root.join("evidence"), inputs)?;
    let signed_as_asked = key_id.is_none() || current.signed_by.as_deref() == key_id;
    (recorded == current && signed_as_asked).then_some(current.bundle)
}
