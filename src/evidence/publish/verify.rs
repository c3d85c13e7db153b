//! `kitei verify --chain TARGET` for a store: what its ledger names, downloaded into a
//! temporary folder and checked exactly as `kitei verify --chain` checks a local chain.

use std::path::PathBuf;

use crate::evidence::ledger::{self, ChainReport, LEDGER_FILE, Ledger, LedgerEntry};
use crate::evidence::store::{self, Target, ledger::BUNDLES_DIR, ledger::LEDGER_DIR};
use crate::evidence::{Error, VerifyOptions};

/// Verifies the chain a store keeps: every bundle its ledger names, downloaded, checked as
/// `kitei verify --chain` checks a folder. Bundles no ledger entry names are listed as notes.
pub fn verify_store(target: &str, opts: &VerifyOptions) -> Result<ChainReport, String> {
    let fail = |e: Error| format!("{} ({})", e.message, e.help);
    let store = store::open(&Target::parse(target).map_err(fail)?).map_err(fail)?;
    let location = store.location();
    let staging =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let keys = store.list(&format!("{}/", LEDGER_DIR)).map_err(fail)?;
    if keys.is_empty() {
        return Err(format!(
            "{location} has no ledger entries ({}/…); give the target `kitei publish` writes to",
            LEDGER_DIR
        ));
    }
    let mut ledger = Ledger::default();
    let mut unreadable = Vec::new();
    let mut named = std::collections::BTreeSet::new();
    for key in &keys {
        let bytes = store
            .get(key)
            .map_err(fail)?
            .ok_or_else(|| format!("{location}/{key} was listed but cannot be read"))?;
        match serde_json::from_slice::<LedgerEntry>(&bytes) {
            Ok(mut entry) => {
                named.insert(entry.file.clone());
                // Staged under the bag's own name, which the chain check compares with the
                // bag inside; a name that is not a plain file name is left for it to report.
                let local = format!("{}.zip", entry.name);
                let plain = !entry.name.is_empty()
                    && !entry.name.contains(['/', '\\'])
                    && !entry.name.starts_with('.');
                if !plain {
                    entry.file = local;
                    ledger.bundles.push(entry);
                    continue;
                }
                if let Some(zip) = store.get(&entry.file).map_err(fail)? {
                    write_staged(&staging.path().join(&local), &zip)?;
                }
                if let Some(sig) = store
                    .get(&format!("{}.minisig", entry.file))
                    .map_err(fail)?
                {
                    write_staged(&staging.path().join(format!("{local}.minisig")), &sig)?;
                }
                entry.file = local;
                ledger.bundles.push(entry);
            }
            Err(e) => unreadable.push(format!("{location}/{key}: not a kitei ledger entry ({e})")),
        }
    }
    let mut text = serde_json::to_vec_pretty(&ledger).map_err(|e| e.to_string())?;
    text.push(b'\n');
    write_staged(&staging.path().join(LEDGER_FILE), &text)?;
    let mut report = ledger::verify_chain(staging.path(), opts)?;
    report.dir = PathBuf::from(&location);
    for message in unreadable {
        report.problems.push(crate::evidence::verify::Problem {
            file: location.clone(),
            message,
        });
    }
    for key in store.list(&format!("{}/", BUNDLES_DIR)).map_err(fail)? {
        if key.ends_with(".zip") && !named.contains(&key) {
            report.notes.push(format!(
                "{location}/{key}: uploaded by a publish that lost a race or failed before its ledger entry; not part of the chain"
            ));
        }
    }
    // Problems name the staging folder; name the store instead.
    let staged = staging.path().display().to_string();
    for p in &mut report.problems {
        p.file = p.file.replace(&staged, &location);
        p.message = p.message.replace(&staged, &location);
    }
    Ok(report)
}

fn write_staged(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
