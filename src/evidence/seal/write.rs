//! Phase 3 of a seal, writing: the described bag as a zip in a folder, through a temporary
//! file and a rename (never a half-written zip), and its detached signature beside it.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;

use super::describe::Bag;
use crate::crash_points;
use crate::evidence::{Error, archive, minisign};

/// The files a bag was written to.
pub(crate) struct Written {
    pub zip: PathBuf,
    pub signature: Option<PathBuf>,
    pub zip_sha256: String,
}

/// Writes `bag` as `dir/<name>.zip` (refusing to replace one), signed with `key` when given.
pub(crate) fn write(
    bag: Bag,
    dir: &Path,
    key: Option<&minisign::SecretKey>,
    progress: bool,
) -> Result<(Written, BagRecord), Error> {
    let name = bag.name.clone();
    let zip_path = dir.join(format!("{name}.zip"));
    let record = BagRecord::of(&bag);
    // Write to a temporary file in evidence/, then rename: never a half-written zip.
    let fail = |e: std::io::Error| {
        Error::new(
            format!("cannot write the bundle in {}: {e}", dir.display()),
            "check the free disk space and permissions",
        )
    };
    let mut builder = tempfile::Builder::new();
    // The pid tells a later run's cleanup a killed run's partial zip from a live one's.
    let prefix = format!(".kitei-seal-{}-", std::process::id());
    builder.prefix(&prefix).suffix(".zip.tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let tmp = builder.tempfile_in(dir).map_err(fail)?;
    let bar = if progress {
        crate::evidence::progress_bar(bag.payload_bytes, "sealing")
    } else {
        ProgressBar::hidden()
    };
    let writer = BufWriter::with_capacity(1 << 20, tmp.reopen().map_err(fail)?);
    let mut writer = archive::write_zip(writer, bag.entries, bag.epoch, &bar)?;
    bar.finish_and_clear();
    writer.flush().map_err(fail)?;
    crash_points::reached("seal-zip-written");
    // Hash the finished zip (from the page cache) while the disk catches up with sync_all.
    // The BLAKE2b prehash is only needed for the signature (it costs more than the SHA-256).
    let (synced, digests) = rayon::join(
        || writer.get_ref().sync_all(),
        || crate::evidence::verify::digest_file_with(tmp.path(), key.is_some()),
    );
    synced.map_err(fail)?;
    drop(writer);
    crash_points::reached("seal-zip-synced");
    let (zip_sha256, zip_prehash) = digests.map_err(fail)?;
    let signature = key.zip(zip_prehash.as_ref()).map(|(k, prehash)| {
        k.sign(
            prehash,
            &format!(
                "{}.zip seq={} bag={}",
                bag.name, bag.sequence, bag.bag_digest
            ),
        )
    });
    // The signature first: a zip that appears (and that a later run may adopt, see
    // `recover`) always has its signature beside it. A signature left without its zip by a
    // crash is replaced when the bundle of that name is written.
    if zip_path.exists() {
        return Err(fail(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} exists", zip_path.display()),
        )));
    }
    let sig_path = match signature {
        Some(sig) => {
            let p = dir.join(format!("{name}.zip.minisig"));
            crate::evidence::write_atomically(&p, sig.as_bytes(), true)?;
            crash_points::reached("seal-signature-written");
            Some(p)
        }
        None => None,
    };
    tmp.persist_noclobber(&zip_path)
        .map_err(|e| fail(e.error))?;
    crash_points::reached("seal-zip-renamed");
    Ok((
        Written {
            zip: zip_path,
            signature: sig_path,
            zip_sha256,
        },
        record,
    ))
}

/// What remains of a bag once its entries are written: what the ledger records.
pub(crate) struct BagRecord {
    pub name: String,
    pub sequence: u64,
    pub previous: String,
    pub bag_digest: String,
    pub manifest_sha256: String,
    pub bagging_date: String,
    pub payload_files: u64,
    pub payload_bytes: u64,
    pub key_id: Option<String>,
    pub time_source: &'static str,
}

impl BagRecord {
    fn of(bag: &Bag) -> BagRecord {
        BagRecord {
            name: bag.name.clone(),
            sequence: bag.sequence,
            previous: bag.previous.clone(),
            bag_digest: bag.bag_digest.clone(),
            manifest_sha256: bag.manifest_sha256.clone(),
            bagging_date: bag.bagging_date.clone(),
            payload_files: bag.payload_files,
            payload_bytes: bag.payload_bytes,
            key_id: bag.key_id.clone(),
            time_source: bag.time_source,
        }
    }
}
