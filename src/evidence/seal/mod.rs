//! `kitei seal`: a bundle of the loaded and checked workspace, in phases a reader can follow
//! and test one by one:
//!
//! First, under `evidence/`'s lock, [`recover`] adopts or quarantines a bundle a killed seal
//! left without its ledger entry, so a crash never wedges the chain. Then:
//!
//! 0. [`inputs`]: what is sealed (the workspace, or a release's own tree) and when;
//! 1. [`plan`]: what is in scope, every payload file with its hash and portable name, and the
//!    payload manifest (the idempotence check compares it with the newest bundle's);
//! 2. [`describe`]: the bag at its place in the chain ([`ChainTip`]): bag-info.txt,
//!    metadata/bundle.json, the tag manifest and its seal;
//! 3. [`write`]: the zip in a folder (never half written) and its detached signature.
//!
//! [`seal`] runs them for `evidence/` and its LEDGER.json; `kitei publish` runs the same
//! phases for a chain kept in a store.
//!
//! Payload (`data/`): `source/…` mirrors the source folder (policy files and the evidence files
//! incidents attach), `incidents/<id>/record.json` holds each incident in normalised JSON, and
//! `check-report.json` the check report (the schema of `kitei check --format json`).
//!
//! Nothing depends on the clock: times come from `SOURCE_DATE_EPOCH` (else the git HEAD
//! commit time, else the newest source file's time), names and order from the sources only.
//! bag-info.txt says whether the git working tree was clean ([`super::provenance`]). Files
//! are hashed once by the loader (in parallel) and copied in one streaming pass that checks
//! that hash again.

pub(crate) mod describe;
pub(crate) mod inputs;
pub(crate) mod plan;
pub(crate) mod recover;
pub mod skip;
pub(crate) mod write;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::archive::Content;
use super::bag;
use super::ledger::{Ledger, LedgerEntry};
use super::{Error, minisign};
use crate::config::parse_date;
use crate::digest::sha256_hex;
use crate::workspace::Workspace;

pub use describe::ChainTip;

/// `value` as a pretty JSON file (and a line feed) of the bundle, spooled to an anonymous
/// temporary file in `spool` and hashed as it is written, as the rendered pages are: the
/// large metadata files (`metadata/bundle.json`, `check-report.json`: tens of MB at 10,000
/// documents) were the seal's peak of memory, a buffer that doubled as it grew (32 MiB for
/// 23 MB of JSON, the old one beside it while copied). Without a spool the bytes stay in
/// memory, in a buffer of their exact size.
pub(crate) fn json_file<T: serde::Serialize + ?Sized>(value: &T, spool: &Path) -> Content {
    match spool_json(value, spool) {
        Ok(part) => Content::Part(part),
        Err(_) => Content::Bytes(pretty_json(value)),
    }
}

fn spool_json<T: serde::Serialize + ?Sized>(
    value: &T,
    spool: &Path,
) -> std::io::Result<crate::render::output::SpoolPart> {
    use sha2::Digest as _;
    use std::io::Write as _;
    struct Hashing<W> {
        out: W,
        sha: sha2::Sha256,
        len: u64,
    }
    impl<W: std::io::Write> std::io::Write for Hashing<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.out.write(buf)?;
            self.sha.update(&buf[..n]);
            self.len += n as u64;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.out.flush()
        }
    }
    let file = tempfile::tempfile_in(spool)?;
    let (sha, len) = {
        let mut w = Hashing {
            out: std::io::BufWriter::with_capacity(256 << 10, &file),
            sha: sha2::Sha256::new(),
            len: 0,
        };
        serde_json::to_writer_pretty(&mut w, value)?;
        w.write_all(b"\n")?;
        w.flush()?;
        (w.sha, w.len)
    };
    Ok(crate::render::output::SpoolPart {
        file: std::sync::Arc::new(file),
        offset: 0,
        len,
        sha256: crate::digest::hex(&sha.finalize()),
    })
}

/// `value` as pretty JSON and a line feed, in a buffer of exactly its size (counting first
/// costs one more pass of the serialiser over data already in memory).
pub(crate) fn pretty_json<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    if serde_json::to_writer_pretty(&mut count, value).is_err() {
        return b"\n".to_vec();
    }
    let mut bytes = Vec::with_capacity(count.0 + 1);
    if serde_json::to_writer_pretty(&mut bytes, value).is_err() {
        bytes.clear();
    }
    bytes.push(b'\n');
    bytes
}
pub use inputs::{SealTime, seal_time};

/// What goes into a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything kitei loaded from the source folder.
    All,
    /// These incidents, their evidence, the regulation and the runbooks for their types.
    Incidents(Vec<String>),
    /// Incidents open at any time in the period (both ends inclusive), their evidence, the
    /// regulation and the runbooks for their types.
    Period { from: NaiveDate, to: NaiveDate },
    /// A release (tag or version name): its regulation documents as tagged, read from git,
    /// with its comparison tables and change notice.
    Release(String),
}

impl Scope {
    /// Parses `2025-04-01..2026-03-31`.
    pub fn parse_period(s: &str) -> Result<Scope, String> {
        let (a, b) = s.split_once("..").ok_or_else(|| {
            format!("`{s}` is not a period; write FROM..TO, e.g. 2025-04-01..2026-03-31")
        })?;
        let (from, to) = (parse_date(a)?, parse_date(b)?);
        if from > to {
            return Err(format!("the period `{s}` ends before it starts"));
        }
        Ok(Scope::Period { from, to })
    }

    pub fn describe(&self) -> String {
        match self {
            Scope::All => "all".into(),
            Scope::Incidents(ids) => {
                let ids: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
                format!(
                    "incidents {}",
                    ids.into_iter().collect::<Vec<_>>().join(" ")
                )
            }
            Scope::Period { from, to } => format!("period {from}..{to}"),
            Scope::Release(v) => format!("release {v}"),
        }
    }
}

pub struct SealRequest {
    pub scope: Scope,
    /// A minisign secret key to sign with (password from `KITEI_SIGN_PASSWORD`).
    pub sign: Option<super::KeySource>,
    /// Show progress bars (only when stderr is a terminal).
    pub progress: bool,
}

/// A bundle that was written.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub name: String,
    pub zip: PathBuf,
    pub signature: Option<PathBuf>,
    pub sequence: u64,
    pub bag_digest: String,
    pub zip_sha256: String,
    pub payload_files: u64,
    pub payload_bytes: u64,
    pub key_id: Option<String>,
    pub time_source: &'static str,
}

#[derive(Debug, Clone)]
pub enum SealOutcome {
    Written(Sealed),
    /// The payload equals the newest bundle's: nothing was written.
    Unchanged {
        name: String,
    },
}

/// The result of [`seal`]: the outcome and things worth telling the user.
pub struct SealResult {
    pub outcome: SealOutcome,
    pub warnings: Vec<String>,
    /// What kitei did on its own before sealing (cleaned up or recovered after a killed run).
    pub notes: Vec<String>,
}

/// Seals a bundle of the loaded workspace (the release's own files, read from git, for
/// `--release`) into `evidence/`, after the newest bundle in its LEDGER.json. The workspace
/// is the caller's last use of it: it is freed once the bag is described, before the zip is
/// written (the loaded corpus is most of the memory a seal holds, and the zip writer's own
/// records come on top of it).
pub fn seal(ws: Workspace, req: &SealRequest) -> Result<SealResult, Error> {
    let mut warnings = Vec::new();
    // 0-1. What is sealed, planned.
    let mut release_tree = None;
    let mut parts = crate::timings::Parts::start("seal");
    let inputs = inputs::resolve(&ws, &req.scope, &mut release_tree)?;
    parts.lap("inputs");
    let payload = plan::plan(&inputs, &req.scope, &mut warnings)?;
    parts.lap("plan");
    // The key first: a missing or wrong key is an error even when nothing changed.
    let key = signing_key(req)?;
    let key_id = key.as_ref().map(|k| minisign::key_id_hex(&k.key_id));

    // Where it joins the chain: after the newest bundle of evidence/LEDGER.json, unless that
    // bundle holds the same payload already.
    let evidence_dir = ws.project.root.join("evidence");
    std::fs::create_dir_all(&evidence_dir).map_err(|e| {
        Error::new(
            format!("cannot create {}: {e}", evidence_dir.display()),
            "check the project folder's permissions",
        )
    })?;
    // One process at a time extends the chain; a killed one's partial files go first.
    let _lock = crate::files::lock::lock_output(&evidence_dir, "sealing into").map_err(|e| {
        Error::new(
            format!("cannot lock {}: {e}", evidence_dir.display()),
            "check the project folder's permissions",
        )
    })?;
    let mut notes = Vec::new();
    match crate::files::stale::clean_temp_files(&evidence_dir) {
        Ok(removed) if !removed.is_empty() => notes.push(format!(
            "removed {} partial file(s) of killed kitei runs from {}",
            removed.len(),
            evidence_dir.display()
        )),
        Ok(_) => {}
        Err(e) => warnings.push(format!(
            "cannot remove the partial files of killed kitei runs from {}: {e}",
            evidence_dir.display()
        )),
    }
    let mut ledger = Ledger::load(&evidence_dir)?;
    // A bundle a killed seal left unlisted: adopted, or moved to evidence/quarantine/.
    if recover::recover(&evidence_dir, &mut ledger, &mut notes)? {
        ledger.save(&evidence_dir)?;
    }
    check_chain_tip(&evidence_dir, &ledger, &mut warnings)?;
    if let Some(last) = unchanged(ledger.last(), &payload.manifest_sha, key_id.as_deref()) {
        return Ok(SealResult {
            outcome: SealOutcome::Unchanged {
                name: last.name.clone(),
            },
            warnings,
            notes,
        });
    }
    let tip = ChainTip::after(inputs.project, ledger.last());
    let zip_path = evidence_dir.join(format!("{}.zip", tip.name));
    if zip_path.exists() {
        return Err(Error::new(
            format!(
                "{} exists but LEDGER.json does not list it (an interrupted seal?)",
                zip_path.display()
            ),
            "check it with `kitei verify`, then move it away or restore LEDGER.json from your backup",
        ));
    }

    // 2-3. The bag, written; then the ledger entry.
    let bag = describe::describe(
        &inputs,
        &req.scope,
        payload,
        &tip,
        key.as_ref(),
        &mut warnings,
    );
    // The workspace goes; a release's tree stays until the zip is written: the payload's
    // files are read from it.
    let errors = inputs.report.errors();
    parts.lap("describe");
    drop(ws);
    let (written, record) = write::write(bag, &evidence_dir, key.as_ref(), req.progress)?;
    parts.lap("write");
    ledger
        .bundles
        .push(ledger_entry(&record, &written.zip_sha256, &req.scope));
    ledger.save(&evidence_dir)?;
    if errors > 0 {
        warnings.push(format!(
            "the check found {errors} error(s); they are sealed in data/check-report.json (run `kitei check` to see them)"
        ));
    }
    Ok(SealResult {
        outcome: SealOutcome::Written(Sealed {
            name: record.name,
            zip: written.zip,
            signature: written.signature,
            sequence: record.sequence,
            bag_digest: record.bag_digest,
            zip_sha256: written.zip_sha256,
            payload_files: record.payload_files,
            payload_bytes: record.payload_bytes,
            key_id: record.key_id,
            time_source: record.time_source,
        }),
        warnings,
        notes,
    })
}

/// The signing key of a request, opened (password from the environment).
pub(crate) fn signing_key(req: &SealRequest) -> Result<Option<minisign::SecretKey>, Error> {
    req.sign.as_ref().map(super::read_signing_key).transpose()
}

/// The newest bundle when it holds this payload already (equal manifests) and, if a key is
/// given, was signed with it: an unsigned (or otherwise signed) bundle is sealed again, signed.
pub(crate) fn unchanged<'a>(
    last: Option<&'a LedgerEntry>,
    manifest_sha: &str,
    key_id: Option<&str>,
) -> Option<&'a LedgerEntry> {
    last.filter(|l| {
        l.manifest_sha256 == manifest_sha && (key_id.is_none() || l.signed_by.as_deref() == key_id)
    })
}

/// The ledger entry of a written bag.
pub(crate) fn ledger_entry(
    record: &write::BagRecord,
    zip_sha256: &str,
    scope: &Scope,
) -> LedgerEntry {
    LedgerEntry {
        sequence: record.sequence,
        name: record.name.clone(),
        file: format!("{}.zip", record.name),
        bag_digest: record.bag_digest.clone(),
        previous_bag_digest: record.previous.clone(),
        manifest_sha256: record.manifest_sha256.clone(),
        zip_sha256: zip_sha256.to_string(),
        bagging_date: record.bagging_date.clone(),
        scope: scope.describe(),
        payload_files: record.payload_files,
        payload_bytes: record.payload_bytes,
        signed_by: record.key_id.clone(),
    }
}

/// Before extending the chain: the newest bundle must be unchanged (or archived away: a
/// warning), and no bundle may sit in evidence/ without a ledger entry.
fn check_chain_tip(dir: &Path, ledger: &Ledger, warnings: &mut Vec<String>) -> Result<(), Error> {
    let listed: BTreeSet<&str> = ledger.bundles.iter().map(|b| b.file.as_str()).collect();
    if let Ok(read) = std::fs::read_dir(dir) {
        let mut unlisted: Vec<String> = read
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| {
                n.starts_with("kitei-") && n.ends_with(".zip") && !listed.contains(n.as_str())
            })
            .collect();
        unlisted.sort();
        if let Some(first) = unlisted.first() {
            return Err(Error::new(
                format!(
                    "{} holds {first}, which LEDGER.json does not list",
                    dir.display()
                ),
                "restore LEDGER.json from your backup, or move the stray bundle out of evidence/; \
                 `kitei verify --chain evidence/` shows the state of the chain",
            ));
        }
    }
    for (i, b) in ledger.bundles.iter().enumerate() {
        if b.sequence != i as u64 + 1 {
            return Err(Error::new(
                format!(
                    "LEDGER.json is out of order at entry {} ({})",
                    i + 1,
                    b.file
                ),
                "restore LEDGER.json from your backup; `kitei verify --chain evidence/` shows what changed",
            ));
        }
    }
    let Some(last) = ledger.last() else {
        return Ok(());
    };
    let path = dir.join(&last.file);
    let shown = path.display();
    if !path.exists() {
        // Archived elsewhere (evidence/ is usually not in version control): the ledger still
        // holds the digest to chain to, and `verify --chain` will report the gap here.
        warnings.push(format!(
            "{shown}, the newest bundle in LEDGER.json, is not here; chaining to the digest the ledger records"
        ));
        return Ok(());
    }
    let digest = tip_digest(&path, &last.name);
    match digest {
        Ok(d) if d == last.bag_digest => Ok(()),
        Ok(d) => Err(Error::new(
            format!(
                "{shown} (the newest bundle in LEDGER.json) was altered: its bag digest is {d}, the ledger says {}",
                last.bag_digest
            ),
            "restore the bundle from a trusted copy before sealing a new one; `kitei verify --chain evidence/` shows the details",
        )),
        Err(e) => Err(Error::new(
            format!("{shown} (the newest bundle in LEDGER.json) was altered or replaced: {e}"),
            "restore the bundle from a trusted copy before sealing a new one; `kitei verify --chain evidence/` shows the details",
        )),
    }
}

fn tip_digest(path: &Path, name: &str) -> Result<String, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| format!("not a readable zip ({e})"))?;
    let entry = zip
        .by_name(&format!("{name}/{}", bag::TAG_MANIFEST))
        .map_err(|_| "it has no tag manifest".to_string())?;
    let mut bytes = Vec::new();
    entry
        .take(64 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(format!("sha256:{}", sha256_hex(&bytes)))
}

pub(crate) fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    //! The phases one by one, on a copy of the example project.
    use super::*;

    #[test]
    fn metadata_files_are_spooled_or_held_with_the_same_bytes() {
        use std::os::unix::fs::FileExt;
        let value = serde_json::json!({"b": [1, 2], "a": "報告書"});
        let mut expected = serde_json::to_vec_pretty(&value).unwrap();
        expected.push(b'\n');
        let dir = tempfile::tempdir().unwrap();
        let spooled = json_file(&value, dir.path());
        let Content::Part(part) = &spooled else {
            panic!("a spool folder exists: the file goes to it");
        };
        let mut bytes = vec![0; part.len as usize];
        part.file.read_exact_at(&mut bytes, part.offset).unwrap();
        assert_eq!(bytes, expected);
        assert_eq!(spooled.sha256(), sha256_hex(&expected));
        // No spool folder: the same bytes, in memory.
        let held = json_file(&value, &dir.path().join("missing"));
        let Content::Bytes(bytes) = &held else {
            panic!("without a spool folder the file is held in memory");
        };
        assert_eq!(bytes, &expected);
        assert_eq!(held.sha256(), spooled.sha256());
    }

    fn example() -> (tempfile::TempDir, Workspace) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(root.join("kitei.toml"), dir.path().join("kitei.toml")).unwrap();
        for e in walkdir::WalkDir::new(root.join("policy-src")) {
            let e = e.unwrap();
            let to = dir.path().join(e.path().strip_prefix(root).unwrap());
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
        let ws = Workspace::open(dir.path(), None).unwrap();
        (dir, ws)
    }

    fn zip_entry(zip: &Path, suffix: &str) -> Vec<u8> {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
        let name = (0..z.len())
            .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
            .find(|n| n.ends_with(suffix))
            .unwrap();
        let mut out = Vec::new();
        z.by_name(&name).unwrap().read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn plan_describe_write_one_by_one() {
        let (dir, ws) = example();
        let scope = Scope::Incidents(vec!["INC-2026-001".into()]);
        let mut holder = None;
        let inputs = inputs::resolve(&ws, &scope, &mut holder).unwrap();
        let mut warnings = Vec::new();

        // The plan: the incident's record and the regulation, nothing written.
        let payload = plan::plan(&inputs, &scope, &mut warnings).unwrap();
        assert!(!dir.path().join("evidence").exists());
        let paths: Vec<&str> = payload
            .planned
            .iter()
            .map(|p| p.virtual_path.as_str())
            .collect();
        assert!(
            paths.contains(&"incidents/INC-2026-001/record.json"),
            "{paths:?}"
        );
        assert!(paths.contains(&"check-report.json"), "{paths:?}");
        assert!(
            !paths
                .iter()
                .any(|p| p.starts_with("incidents/INC-2026-002"))
        );
        assert_eq!(payload.payload_files, payload.planned.len() as u64);
        let manifest = payload.manifest_text.clone();

        // The description: the same payload at two places in a chain differs only in the
        // tags, and links to the previous bag.
        let first = ChainTip::after(inputs.project, None);
        assert_eq!((first.sequence, first.previous.as_str()), (1, "none"));
        let previous = LedgerEntry {
            sequence: 7,
            name: "kitei-x-000007".into(),
            file: "kitei-x-000007.zip".into(),
            bag_digest: format!("sha256:{}", "ab".repeat(32)),
            previous_bag_digest: "none".into(),
            manifest_sha256: String::new(),
            zip_sha256: String::new(),
            bagging_date: String::new(),
            scope: "all".into(),
            payload_files: 0,
            payload_bytes: 0,
            signed_by: None,
        };
        let eighth = ChainTip::after(inputs.project, Some(&previous));
        assert_eq!(eighth.sequence, 8);
        assert!(eighth.name.ends_with("-000008"), "{}", eighth.name);
        let again = plan::plan(&inputs, &scope, &mut warnings).unwrap();
        let a = describe::describe(&inputs, &scope, payload, &first, None, &mut warnings);
        let b = describe::describe(&inputs, &scope, again, &eighth, None, &mut warnings);
        assert_eq!(a.manifest_sha256, b.manifest_sha256);
        assert_ne!(a.bag_digest, b.bag_digest);
        assert_eq!(b.previous, previous.bag_digest);

        // Writing: the zip holds the planned manifest and the described tag manifest.
        let out = tempfile::tempdir().unwrap();
        let (written, record) = write::write(b, out.path(), None, false).unwrap();
        assert_eq!(written.zip, out.path().join(format!("{}.zip", eighth.name)));
        assert!(written.signature.is_none());
        assert_eq!(
            zip_entry(&written.zip, "/manifest-sha256.txt"),
            manifest.as_bytes()
        );
        let tags = zip_entry(&written.zip, "/tagmanifest-sha256.txt");
        assert_eq!(record.bag_digest, format!("sha256:{}", sha256_hex(&tags)));
        let info = String::from_utf8(zip_entry(&written.zip, "/bag-info.txt")).unwrap();
        assert!(info.contains(&format!(
            "Evidence-Previous-Bag-Digest: {}",
            previous.bag_digest
        )));
        assert!(info.contains("Bag-Count: 8 of ?"), "{info}");
        // ... and never replaces a bundle.
        let c = describe::describe(
            &inputs,
            &scope,
            plan::plan(&inputs, &scope, &mut warnings).unwrap(),
            &eighth,
            None,
            &mut warnings,
        );
        assert!(write::write(c, out.path(), None, false).is_err());
    }

    #[test]
    fn unchanged_needs_the_same_payload_and_the_requested_key() {
        let entry = |signed_by: Option<&str>| LedgerEntry {
            sequence: 1,
            name: "n".into(),
            file: "n.zip".into(),
            bag_digest: String::new(),
            previous_bag_digest: "none".into(),
            manifest_sha256: "m".into(),
            zip_sha256: String::new(),
            bagging_date: String::new(),
            scope: "all".into(),
            payload_files: 0,
            payload_bytes: 0,
            signed_by: signed_by.map(str::to_string),
        };
        let unsigned = entry(None);
        let signed = entry(Some("K1"));
        assert!(unchanged(Some(&unsigned), "m", None).is_some());
        assert!(unchanged(Some(&unsigned), "other", None).is_none());
        assert!(unchanged(Some(&unsigned), "m", Some("K1")).is_none());
        assert!(unchanged(Some(&signed), "m", Some("K1")).is_some());
        assert!(unchanged(Some(&signed), "m", Some("K2")).is_none());
        assert!(unchanged(None, "m", None).is_none());
    }
}
