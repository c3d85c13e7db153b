//! Before a seal, recovery from a killed predecessor. A seal writes the bundle's zip, then
//! the LEDGER.json entry that lists it; killed between the two, it leaves a zip the ledger does
//! not list. Such a zip is **adopted** when it is a complete bundle that verifies and extends the
//! ledger's tip (its name, `Bag-Count` and previous-bag digest are the ones the next bundle must
//! have): its entry is appended, read from the bundle itself. Anything else named like a bundle
//! (a zip another chain made, a damaged one, one that does not extend the tip, a signature
//! whose zip never appeared) is **moved to `evidence/quarantine/`** with a message, so the chain
//! stays verifiable and the next seal proceeds. Nothing is deleted.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::super::ledger::{Ledger, LedgerEntry};
use super::super::verify::{SignatureStatus, VerifyOptions, verify_bundle};
use super::super::{Error, bag};
use crate::digest::sha256_hex;

/// Where strays go, inside the evidence folder.
pub const QUARANTINE: &str = "quarantine";

/// Adopts or quarantines every bundle-named file in `dir` that `ledger` does not list; returns
/// whether the ledger gained entries (the caller saves it). Each action is told in `notes`.
pub(crate) fn recover(
    dir: &Path,
    ledger: &mut Ledger,
    notes: &mut Vec<String>,
) -> Result<bool, Error> {
    let mut adopted = false;
    loop {
        let strays = unlisted(dir, ledger);
        let Some(next) = strays.iter().find_map(|f| adoptable(dir, f, ledger)) else {
            break;
        };
        notes.push(format!(
            "adopted {} as bundle {} of LEDGER.json: a complete bundle that extends the chain, written by a kitei run that was killed before it updated the ledger",
            dir.join(&next.file).display(),
            next.sequence
        ));
        ledger.bundles.push(next);
        adopted = true;
    }
    for file in unlisted(dir, ledger) {
        let why = why_not(dir, &file, ledger);
        let to = quarantine(dir, &file)?;
        notes.push(format!(
            "moved {} to {}: {why}; it is not part of the chain (inspect it with `kitei verify`, delete it when you are done)",
            dir.join(&file).display(),
            to.display()
        ));
        let sig = format!("{file}.minisig");
        if dir.join(&sig).is_file() {
            quarantine(dir, &sig)?;
        }
    }
    for sig in orphan_signatures(dir, ledger) {
        let to = quarantine(dir, &sig)?;
        notes.push(format!(
            "moved {} to {}: a signature whose bundle was never written (a killed seal)",
            dir.join(&sig).display(),
            to.display()
        ));
    }
    Ok(adopted)
}

/// `kitei-*.zip` files in `dir` that the ledger does not list, by name.
fn unlisted(dir: &Path, ledger: &Ledger) -> Vec<String> {
    let listed: BTreeSet<&str> = ledger.bundles.iter().map(|b| b.file.as_str()).collect();
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with("kitei-") && n.ends_with(".zip") && !listed.contains(n.as_str()))
        .collect()
}

/// `kitei-*.zip.minisig` files whose zip is neither here nor listed.
fn orphan_signatures(dir: &Path, ledger: &Ledger) -> Vec<String> {
    let listed: BTreeSet<&str> = ledger.bundles.iter().map(|b| b.file.as_str()).collect();
    names(dir)
        .into_iter()
        .filter(|n| {
            n.strip_suffix(".minisig").is_some_and(|zip| {
                zip.starts_with("kitei-")
                    && zip.ends_with(".zip")
                    && !listed.contains(zip)
                    && !dir.join(zip).exists()
            })
        })
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The ledger entry of `file` when it is a valid bundle extending `ledger`'s tip.
fn adoptable(dir: &Path, file: &str, ledger: &Ledger) -> Option<LedgerEntry> {
    check(dir, file, ledger).ok()
}

/// Why `file` cannot be adopted (for the quarantine message).
fn why_not(dir: &Path, file: &str, ledger: &Ledger) -> String {
    match check(dir, file, ledger) {
        Ok(_) => "not adopted".into(),
        Err(why) => why,
    }
}

/// Checks that `file` is a bundle that verifies and is the next one after `ledger`'s tip, and
/// returns its ledger entry.
fn check(dir: &Path, file: &str, ledger: &Ledger) -> Result<LedgerEntry, String> {
    let path = dir.join(file);
    let report = verify_bundle(
        &path,
        &VerifyOptions {
            zip_digest: true,
            ..VerifyOptions::default()
        },
    )?;
    if let Some(p) = report.problems.first() {
        return Err(format!("it does not verify ({p})"));
    }
    let name = report.name.clone().unwrap_or_default();
    if file.strip_suffix(".zip") != Some(name.as_str()) {
        return Err(format!(
            "it holds the bag `{name}`, not one named like the file"
        ));
    }
    let sequence = ledger.bundles.len() as u64 + 1;
    let previous = ledger
        .last()
        .map_or("none", |l| l.bag_digest.as_str())
        .to_string();
    if report.sequence() != Some(sequence) {
        return Err(format!(
            "it is bundle {} of its series; the chain's next bundle is {sequence}",
            report
                .sequence()
                .map_or_else(|| "?".to_string(), |s| s.to_string())
        ));
    }
    if report.previous() != Some(previous.as_str()) {
        return Err(format!(
            "it links to the previous bag {}, but the chain's tip is {previous}",
            report.previous().unwrap_or("?")
        ));
    }
    let info = |label: &str| report.bag_info.get(label).unwrap_or_default().to_string();
    Ok(LedgerEntry {
        sequence,
        name: name.clone(),
        file: file.to_string(),
        bag_digest: report.bag_digest.clone().ok_or("it has no tag manifest")?,
        previous_bag_digest: previous,
        manifest_sha256: manifest_sha256(&path, &name)?,
        zip_sha256: report
            .zip_sha256
            .clone()
            .ok_or("its zip could not be hashed")?,
        bagging_date: info("Bagging-Date"),
        scope: info("Kitei-Scope"),
        payload_files: report.payload_files,
        payload_bytes: report.payload_bytes,
        signed_by: match &report.signature {
            SignatureStatus::NotChecked { key_id } | SignatureStatus::Verified { key_id } => {
                Some(key_id.clone())
            }
            SignatureStatus::Unsigned | SignatureStatus::Failed => None,
        },
    })
}

/// SHA-256 of the bag's payload manifest, as the ledger records it.
fn manifest_sha256(zip: &Path, name: &str) -> Result<String, String> {
    let f = std::fs::File::open(zip).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(f).map_err(|e| e.to_string())?;
    let entry = archive
        .by_name(&format!("{name}/{}", bag::MANIFEST))
        .map_err(|_| "it has no payload manifest".to_string())?;
    let mut bytes = Vec::new();
    entry
        .take(64 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(sha256_hex(&bytes))
}

/// Moves `dir/file` into `dir/quarantine/` (never over another file); returns where it went.
fn quarantine(dir: &Path, file: &str) -> Result<PathBuf, Error> {
    let qdir = dir.join(QUARANTINE);
    let fail = |e: std::io::Error| {
        Error::new(
            format!(
                "cannot move {} to {}: {e}",
                dir.join(file).display(),
                qdir.display()
            ),
            "move it out of the evidence folder by hand; it is not part of the chain",
        )
    };
    std::fs::create_dir_all(&qdir).map_err(fail)?;
    let mut to = qdir.join(file);
    let mut n = 1;
    while to.symlink_metadata().is_ok() {
        to = qdir.join(format!("{file}.{n}"));
        n += 1;
    }
    std::fs::rename(dir.join(file), &to).map_err(fail)?;
    Ok(to)
}
