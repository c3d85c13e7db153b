//! The chain of bundles. Each bag records the previous bag's digest (SHA-256 of its
//! `tagmanifest-sha256.txt`) in `bag-info.txt`, which its tag manifest and signature cover;
//! `evidence/LEDGER.json` lists every bundle in order with its digests. `verify --chain`
//! checks every bundle, every link and the ledger against each other, so that a missing,
//! altered, replaced or reordered bundle is named.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Error;
use super::verify::{BundleReport, Problem, SignatureStatus, VerifyOptions, verify_bundle};

pub const LEDGER_FILE: &str = "LEDGER.json";
pub const SCHEMA: &str = "kitei-ledger/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub sequence: u64,
    pub name: String,
    pub file: String,
    /// `sha256:<hex>` of the bag's tagmanifest-sha256.txt.
    pub bag_digest: String,
    /// The previous bag's digest as recorded in this bag, or `none`.
    pub previous_bag_digest: String,
    /// SHA-256 of manifest-sha256.txt: equal manifests mean an unchanged payload.
    pub manifest_sha256: String,
    /// SHA-256 of the zip file as written.
    pub zip_sha256: String,
    pub bagging_date: String,
    pub scope: String,
    pub payload_files: u64,
    pub payload_bytes: u64,
    /// Key id of the minisign key that signed it.
    #[serde(default)]
    pub signed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub schema: String,
    pub bundles: Vec<LedgerEntry>,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            schema: SCHEMA.into(),
            bundles: Vec::new(),
        }
    }
}

impl Ledger {
    /// Reads `dir/LEDGER.json`; an empty ledger when there is none.
    pub fn load(dir: &Path) -> Result<Ledger, Error> {
        let path = dir.join(LEDGER_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str::<Ledger>(&text).map_err(|e| {
                Error::new(
                    format!("{} is not a kitei ledger: {e}", path.display()),
                    "restore it from your backup or version control; kitei will not extend a chain it cannot read",
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(Error::new(format!("cannot read {}: {e}", path.display()), "check the folder's permissions")),
        }
    }

    /// Writes the ledger through a temporary file and a rename, so it is never half written.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).expect("ledger serialises");
        text.push('\n');
        let path = dir.join(LEDGER_FILE);
        let how = crate::files::How::DURABLE.crash_point("ledger-temp-written");
        super::write_atomically_how(&path, text.as_bytes(), how)?;
        crate::crash_points::reached("ledger-written");
        Ok(())
    }

    pub fn last(&self) -> Option<&LedgerEntry> {
        self.bundles.last()
    }
}

/// Whether `file` is a plain file name (a hostile ledger must not point elsewhere).
pub(crate) fn plain_file_name(file: &str) -> bool {
    !file.is_empty()
        && !file.contains(['/', '\\'])
        && file != "."
        && file != ".."
        && !file.starts_with('.')
}

/// The outcome of `verify --chain`.
pub struct ChainReport {
    pub dir: PathBuf,
    pub bundles: Vec<(String, Option<BundleReport>)>,
    pub problems: Vec<Problem>,
    /// Things worth knowing that do not break the chain.
    pub notes: Vec<String>,
}

impl ChainReport {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for (file, report) in &self.bundles {
            match report {
                Some(r) if r.is_valid() => out.push_str(&format!(
                    "  ok      {file}  {}  seq={}  {}\n",
                    r.bag_digest.as_deref().unwrap_or("?"),
                    r.sequence()
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "?".into()),
                    match &r.signature {
                        SignatureStatus::Verified { key_id } =>
                            format!("signed, verified (key {key_id})"),
                        SignatureStatus::NotChecked { key_id } =>
                            format!("signed by key {key_id}, not checked"),
                        SignatureStatus::Unsigned => "unsigned".into(),
                        SignatureStatus::Failed => "signature failed".into(),
                    }
                )),
                Some(_) => out.push_str(&format!("  BROKEN  {file}\n")),
                None => out.push_str(&format!("  MISSING {file}\n")),
            }
        }
        for n in &self.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        let dir = self.dir.display();
        if self.is_valid() {
            out.push_str(&format!(
                "VALID chain {dir}: {} bundle(s), every link checked\n",
                self.bundles.len()
            ));
        } else {
            out.push_str(&format!(
                "INVALID chain {dir}: {} problem(s); the series was altered: restore the named bundles from a trusted copy\n",
                self.problems.len()
            ));
            for p in &self.problems {
                out.push_str(&format!("  problem: {p}\n"));
            }
        }
        out
    }
}

/// Checks every bundle listed in `dir/LEDGER.json`, the links between them, and that no
/// bundle in `dir` is missing from the ledger. `Err` when there is no ledger to check.
pub fn verify_chain(dir: &Path, opts: &VerifyOptions) -> Result<ChainReport, String> {
    let ledger_path = dir.join(LEDGER_FILE);
    let shown_ledger = ledger_path.display().to_string();
    let text = std::fs::read_to_string(&ledger_path).map_err(|e| {
        format!(
            "cannot read {shown_ledger}: {e}; give the evidence folder that `kitei seal` writes to"
        )
    })?;
    let mut report = ChainReport {
        dir: dir.to_path_buf(),
        bundles: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
    };
    let problem = |file: &str, message: String| Problem {
        file: file.to_string(),
        message,
    };
    let ledger: Ledger = match serde_json::from_str(&text) {
        Ok(l) => l,
        Err(e) => {
            report
                .problems
                .push(problem(&shown_ledger, format!("not a kitei ledger ({e})")));
            return Ok(report);
        }
    };
    let mut listed = BTreeSet::new();
    let mut previous: Option<(String, String)> = None; // (file, actual bag digest)
    for (i, entry) in ledger.bundles.iter().enumerate() {
        let expected_seq = i as u64 + 1;
        if entry.sequence != expected_seq {
            report.problems.push(problem(
                &shown_ledger,
                format!(
                    "entry {} is bundle {} (`{}`): bundles were removed or reordered",
                    expected_seq, entry.sequence, entry.file
                ),
            ));
        }
        if !plain_file_name(&entry.file) {
            report.problems.push(problem(
                &shown_ledger,
                format!(
                    "entry {expected_seq} names `{}`, which is not a file in this folder",
                    entry.file
                ),
            ));
            report.bundles.push((entry.file.clone(), None));
            continue;
        }
        listed.insert(entry.file.clone());
        let path = dir.join(&entry.file);
        let shown = path.display().to_string();
        if !path.is_file() {
            report.problems.push(problem(
                &shown,
                format!(
                    "missing (LEDGER.json lists it as bundle {})",
                    entry.sequence
                ),
            ));
            report.bundles.push((entry.file.clone(), None));
            previous = Some((entry.file.clone(), entry.bag_digest.clone()));
            continue;
        }
        // With a public key, every bundle must carry a good signature by it: an unsigned
        // bundle in a signed series is a problem, never silently accepted.
        let key = opts.key;
        let bundle = match verify_bundle(
            &path,
            &VerifyOptions {
                zip_digest: true,
                key,
                ..*opts
            },
        ) {
            Ok(b) => b,
            Err(e) => {
                report.problems.push(problem(&shown, e));
                report.bundles.push((entry.file.clone(), None));
                continue;
            }
        };
        for p in &bundle.problems {
            report.problems.push(p.clone());
        }
        if let Some(name) = &bundle.name
            && entry.file.strip_suffix(".zip") != Some(name.as_str())
        {
            report.problems.push(problem(
                &shown,
                format!("holds the bag `{name}`, not the one LEDGER.json lists under this name (renamed or swapped)"),
            ));
        }
        let digest = bundle.bag_digest.clone().unwrap_or_default();
        if bundle.bag_digest.is_some() && digest != entry.bag_digest {
            report.problems.push(problem(
                &shown,
                format!(
                    "bag digest {digest} differs from LEDGER.json's {} (altered or replaced)",
                    entry.bag_digest
                ),
            ));
        }
        if let Some(zip_sha) = &bundle.zip_sha256
            && zip_sha != &entry.zip_sha256
        {
            report.problems.push(problem(
                &shown,
                format!(
                    "zip SHA-256 {zip_sha} differs from LEDGER.json's {} (re-packed or replaced)",
                    entry.zip_sha256
                ),
            ));
        }
        if let Some(seq) = bundle.sequence()
            && seq != expected_seq
        {
            report.problems.push(problem(
                &shown,
                format!("is bundle {seq} of its series (Bag-Count) but stands at position {expected_seq} in the ledger"),
            ));
        }
        let prev_recorded = bundle.previous().unwrap_or("?").to_string();
        match &previous {
            None if prev_recorded != "none" => report.problems.push(problem(
                &shown,
                format!("is the first bundle in the ledger but links to a previous bag {prev_recorded}: earlier bundles are missing"),
            )),
            Some((prev_file, prev_digest)) if &prev_recorded != prev_digest => report.problems.push(problem(
                &shown,
                format!(
                    "links to previous bag {prev_recorded}, but the bundle before it ({prev_file}) has {prev_digest}: a bundle was removed, replaced or reordered"
                ),
            )),
            _ => {}
        }
        if bundle.previous().is_some() && prev_recorded != entry.previous_bag_digest {
            report.problems.push(problem(
                &shown,
                format!(
                    "links to {prev_recorded} but LEDGER.json says {}",
                    entry.previous_bag_digest
                ),
            ));
        }
        previous = Some((
            entry.file.clone(),
            if digest.is_empty() {
                entry.bag_digest.clone()
            } else {
                digest
            },
        ));
        report.bundles.push((entry.file.clone(), Some(bundle)));
    }
    if let Ok(read) = std::fs::read_dir(dir) {
        let mut unlisted: Vec<String> = read
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.ends_with(".zip") && !n.starts_with('.') && !listed.contains(n))
            .collect();
        unlisted.sort();
        for n in unlisted {
            report.problems.push(problem(
                &dir.join(&n).display().to_string(),
                "a bundle that LEDGER.json does not list (removed from the ledger, or not made by this chain)".into(),
            ));
        }
    }
    if ledger.bundles.is_empty() {
        report
            .problems
            .push(problem(&shown_ledger, "lists no bundles".into()));
    }
    Ok(report)
}
