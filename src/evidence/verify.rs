//! `kitei verify`: proves a bundle from the archive alone (and a public key). The archive is
//! treated as hostile. Entries are read by iterating the central directory, never extracted:
//! nothing is written to disk at all. Before any data is read, every entry is checked: no
//! absolute paths, `..`, backslashes or control characters, no symlinks or devices, no
//! duplicate or case-colliding names, no encryption, sizes and compression ratios within
//! [`Limits`]. Then every tag file and payload file is hashed (payload in parallel, streamed,
//! each read capped at its declared size) and the bag is checked against its manifests,
//! Payload-Oxum, bag-info fields, Merkle root and signatures.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zip::{CompressionMethod, ZipArchive};

use super::bag::{self, BagInfo};
use super::minisign::{self, PublicKey, Signature};
use crate::digest::hex;

const GIB: u64 = 1 << 30;

/// How much a bundle may claim before it is refused as a zip bomb or a trap.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest entry (declared or actual), bytes.
    pub max_entry: u64,
    /// Largest sum of all entries, bytes.
    pub max_total: u64,
    /// Largest uncompressed:compressed ratio, for entries above `ratio_floor` bytes.
    pub max_ratio: u64,
    pub ratio_floor: u64,
    pub max_entries: usize,
    /// Tag files are read into memory: at most this large.
    pub max_tag_file: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry: 4 * GIB,
            max_total: 64 * GIB,
            // Deflate cannot exceed 1032:1 (a 258-byte match costs at least 2 bits), and a
            // zero-filled file honestly reaches about 1028:1: a larger claim is a forged header.
            max_ratio: 1032,
            ratio_floor: 1 << 20,
            max_entries: 100_000,
            max_tag_file: 64 << 20,
        }
    }
}

/// One thing wrong with a bundle, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    /// No signature inside the bag.
    Unsigned,
    /// Signed, but no public key was given.
    NotChecked {
        key_id: String,
    },
    Verified {
        key_id: String,
    },
    /// Checked and failed (the problems say why).
    Failed,
}

/// What `verify` found about one bundle.
#[derive(Debug, Clone)]
pub struct BundleReport {
    pub path: PathBuf,
    /// The bag's folder name inside the zip.
    pub name: Option<String>,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    pub payload_files: u64,
    pub payload_bytes: u64,
    /// `sha256:<hex>` of the bag's tagmanifest-sha256.txt as found.
    pub bag_digest: Option<String>,
    pub bag_info: BagInfo,
    pub signature: SignatureStatus,
    /// SHA-256 of the zip file's bytes (only when asked for).
    pub zip_sha256: Option<String>,
    /// True when the archive was refused before its contents were read.
    pub hostile: bool,
}

impl BundleReport {
    fn new(path: &Path) -> Self {
        BundleReport {
            path: path.to_path_buf(),
            name: None,
            problems: Vec::new(),
            notes: Vec::new(),
            payload_files: 0,
            payload_bytes: 0,
            bag_digest: None,
            bag_info: BagInfo::default(),
            signature: SignatureStatus::Unsigned,
            zip_sha256: None,
            hostile: false,
        }
    }

    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, file: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: file.into(),
            message: message.into(),
        });
    }

    pub fn sequence(&self) -> Option<u64> {
        let count = self.bag_info.get("Bag-Count")?;
        count.split(" of ").next()?.trim().parse().ok()
    }

    pub fn previous(&self) -> Option<&str> {
        self.bag_info.get("Evidence-Previous-Bag-Digest")
    }

    /// The verdict line and one line per problem and note, for people.
    pub fn render(&self) -> String {
        let shown = self.path.display();
        let mut out = String::new();
        if self.is_valid() {
            let sig = match &self.signature {
                SignatureStatus::Verified { key_id } => {
                    format!("signature verified (key {key_id})")
                }
                SignatureStatus::NotChecked { key_id } => {
                    format!("signed by key {key_id} but NOT checked: pass --pubkey KEY.pub")
                }
                SignatureStatus::Unsigned => "not signed".into(),
                SignatureStatus::Failed => "signature failed".into(),
            };
            out.push_str(&format!(
                "VALID {shown}: bag {} ({} payload files, {} bytes), bag digest {}; {sig}\n",
                self.name.as_deref().unwrap_or("?"),
                self.payload_files,
                self.payload_bytes,
                self.bag_digest.as_deref().unwrap_or("?"),
            ));
        } else {
            out.push_str(&format!(
                "INVALID {shown}: {} problem(s){}; do not rely on this bundle: ask its sender for an intact copy\n",
                self.problems.len(),
                if self.hostile { " (unsafe archive: its contents were not read)" } else { "" },
            ));
            for p in &self.problems {
                out.push_str(&format!("  problem: {p}\n"));
            }
        }
        for n in &self.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        out
    }
}

/// Options for [`verify_bundle`].
#[derive(Default)]
pub struct VerifyOptions<'a> {
    pub key: Option<&'a PublicKey>,
    pub limits: Limits,
    /// Also compute the SHA-256 of the zip file (the ledger records it).
    pub zip_digest: bool,
    pub progress: bool,
}

const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
const S_IFLNK: u32 = 0o120000;

/// Why an entry name is unsafe, if it is.
pub fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if name.chars().any(|c| c.is_control()) {
        return Some("control character in the name");
    }
    if name.contains('\\') {
        return Some("backslash in the name (a Windows path separator)");
    }
    if name.starts_with('/') {
        return Some("absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Some("absolute path with a drive letter");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for seg in trimmed.split('/') {
        match seg {
            ".." => return Some("`..` climbs out of the folder (zip-slip)"),
            "." => return Some("`.` segment in the path"),
            "" => return Some("empty segment (`//`) in the path"),
            _ => {}
        }
    }
    None
}

struct Item {
    index: usize,
    /// Name inside the bag (after `<root>/`).
    rel: String,
    size: u64,
}

/// Checks one bundle. `Err` only when the file cannot be opened at all (exit 2); every
/// finding about the contents is a [`Problem`] in the report.
pub fn verify_bundle(path: &Path, opts: &VerifyOptions) -> Result<BundleReport, String> {
    let mut report = BundleReport::new(path);
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(format!(
            "{shown} is a folder; give a bundle .zip (or use --chain for a folder of bundles)"
        ));
    }
    let mut archive = match ZipArchive::new(file) {
        Ok(a) => a,
        Err(e) => {
            report.problem(&shown, format!("not a readable zip archive ({e})"));
            return Ok(report);
        }
    };
    let limits = opts.limits;

    // 1. The central directory, before reading any data.
    if archive.has_duplicate_names() {
        report.problem(
            &shown,
            "two entries have the same name (a later one could shadow the checked one)",
        );
    }
    if archive.len() > limits.max_entries {
        report.problem(
            &shown,
            format!("{} entries (limit {})", archive.len(), limits.max_entries),
        );
        report.hostile = true;
        return Ok(report);
    }
    let mut items = Vec::new();
    let mut lower_files: BTreeMap<String, String> = BTreeMap::new();
    let mut lower_dirs: BTreeMap<String, String> = BTreeMap::new();
    let mut total: u64 = 0;
    let mut roots: BTreeSet<String> = BTreeSet::new();
    for index in 0..archive.len() {
        let entry = match archive.by_index_data(index) {
            Ok(e) => e,
            Err(e) => {
                report.problem(&shown, format!("entry {index} is unreadable ({e})"));
                continue;
            }
        };
        let Ok(name) = std::str::from_utf8(entry.name_raw()).map(str::to_string) else {
            report.problem(
                &shown,
                format!("entry {index} has a name that is not UTF-8"),
            );
            continue;
        };
        if let Some(why) = unsafe_name(&name) {
            report.problem(&name, format!("unsafe entry name: {why}"));
            continue;
        }
        let mode = entry.unix_mode().unwrap_or(0);
        let kind = mode & S_IFMT;
        if entry.is_symlink() || kind == S_IFLNK {
            report.problem(&name, "is a symbolic link; bundles hold regular files only");
            continue;
        }
        if kind != 0 && kind != S_IFREG && kind != S_IFDIR {
            report.problem(
                &name,
                format!("is a special file (mode {mode:o}); bundles hold regular files only"),
            );
            continue;
        }
        if entry.encrypted() {
            report.problem(&name, "is encrypted; bundles are never encrypted");
            continue;
        }
        let size = entry.size();
        let compressed = entry.compressed_size();
        if entry.is_dir() {
            if size != 0 {
                report.problem(&name, "a folder entry that carries data");
            }
            let key = name.trim_end_matches('/').to_lowercase();
            if let Some(other) = lower_files.get(&key) {
                report.problem(
                    &name,
                    format!("names a folder and a file at once (`{other}`)"),
                );
            }
            lower_dirs.entry(key).or_insert(name.clone());
            roots.insert(name.split('/').next().unwrap_or("").to_string());
            continue;
        }
        if size > limits.max_entry {
            report.problem(
                &name,
                format!(
                    "declares {size} bytes (limit {} bytes per entry)",
                    limits.max_entry
                ),
            );
            continue;
        }
        if size > limits.ratio_floor && size / compressed.max(1) > limits.max_ratio {
            report.problem(
                &name,
                format!(
                    "compression ratio {}:1 ({size} bytes from {compressed}; limit {}:1): a zip bomb",
                    size / compressed.max(1),
                    limits.max_ratio
                ),
            );
            continue;
        }
        if !matches!(
            entry.compression(),
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            report.problem(
                &name,
                format!(
                    "uses compression {:?}; kitei bundles use Stored or Deflate",
                    entry.compression()
                ),
            );
            continue;
        }
        total = total.saturating_add(size);
        let key = name.to_lowercase();
        if let Some(other) = lower_files.get(&key) {
            if other == &name {
                report.problem(&name, "appears twice in the archive");
            } else {
                report.problem(
                    &name,
                    format!(
                        "differs from `{other}` only in case (they collide on Windows and macOS)"
                    ),
                );
            }
            continue;
        }
        if let Some(other) = lower_dirs.get(&key) {
            report.problem(
                &name,
                format!("names a file and a folder at once (`{other}`)"),
            );
            continue;
        }
        // every parent folder of a file must not be a file itself
        let mut prefix = String::new();
        for seg in key.split('/').take(key.split('/').count() - 1) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(seg);
            if let Some(other) = lower_files.get(&prefix) {
                report.problem(&name, format!("lies inside `{other}`, which is a file"));
            }
            lower_dirs.entry(prefix.clone()).or_insert(prefix.clone());
        }
        lower_files.insert(key, name.clone());
        roots.insert(name.split('/').next().unwrap_or("").to_string());
        let top_level_file = !name.contains('/');
        items.push((index, name, size, top_level_file));
    }
    if total > limits.max_total {
        report.problem(
            &shown,
            format!(
                "entries add up to {total} bytes (limit {})",
                limits.max_total
            ),
        );
    }
    if report.problems.is_empty()
        && let Err(e) = archive.validate_header_consistency()
    {
        report.problem(
            &shown,
            format!("inconsistent zip structure ({e}); it was not written by kitei as delivered"),
        );
    }
    if !report.problems.is_empty() {
        report.hostile = true;
        return Ok(report);
    }

    // 2. One top-level folder, named like the zip.
    let stem = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .trim_end_matches(".zip")
        .to_string();
    if roots.len() != 1 || items.iter().any(|i| i.3) {
        let listed: Vec<&str> = roots.iter().map(String::as_str).collect();
        report.problem(
            &shown,
            format!(
                "must hold exactly one top-level folder; found: {}",
                listed.join(", ")
            ),
        );
        return Ok(report);
    }
    let root = roots.into_iter().next().unwrap_or_default();
    // The evidence is the content: auditors rename files when they file them. The bag's own
    // name is shown; inside a chain the ledger binds names to digests (see `ledger`).
    if root != stem {
        report.notes.push(format!(
            "the file is named `{stem}.zip`; the bag inside is `{root}` (its own name, as sealed)"
        ));
    }
    report.name = Some(root.clone());
    let items: Vec<Item> = items
        .into_iter()
        .map(|(index, name, size, _)| Item {
            index,
            rel: name[root.len() + 1..].to_string(),
            size,
        })
        .collect();

    // 3. Read the tag files; hash the payload in parallel.
    let (payload, tags): (Vec<&Item>, Vec<&Item>) =
        items.iter().partition(|i| i.rel.starts_with("data/"));
    let mut tag_bytes: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for item in &tags {
        let shown_name = format!("{root}/{}", item.rel);
        if item.size > limits.max_tag_file {
            report.problem(
                &shown_name,
                format!(
                    "tag file of {} bytes (limit {})",
                    item.size, limits.max_tag_file
                ),
            );
            continue;
        }
        match read_entry(&mut archive, item.index, item.size, None, &mut |_| {}) {
            Ok((bytes, _)) => {
                tag_bytes.insert(item.rel.clone(), bytes.unwrap_or_default());
            }
            Err(e) => report.problem(&shown_name, e),
        }
    }
    let bar = if opts.progress {
        let total: u64 = payload.iter().map(|i| i.size).sum();
        super::progress_bar(total, "verifying")
    } else {
        ProgressBar::hidden()
    };
    let hashed: Vec<(String, Result<String, String>)> = payload
        .par_iter()
        .map_init(
            || File::open(path).ok().and_then(|f| ZipArchive::new(f).ok()),
            |arch, item| {
                let result = match arch {
                    Some(a) => read_entry(a, item.index, item.size, Some(()), &mut |n| bar.inc(n))
                        .map(|(_, h)| h),
                    None => Err("cannot reopen the archive".to_string()),
                };
                (item.rel.clone(), result)
            },
        )
        .collect();
    bar.finish_and_clear();
    let mut actual: BTreeMap<String, String> = BTreeMap::new();
    for (rel, result) in hashed {
        match result {
            Ok(h) => {
                actual.insert(rel, h);
            }
            Err(e) => report.problem(format!("{root}/{rel}"), e),
        }
    }
    for (rel, bytes) in &tag_bytes {
        actual.insert(rel.clone(), crate::digest::sha256_hex(bytes));
    }
    let sizes: BTreeMap<&str, u64> = items.iter().map(|i| (i.rel.as_str(), i.size)).collect();

    check_bag(&mut report, &root, &tag_bytes, &actual, &sizes);
    check_signatures(&mut report, path, &root, &tag_bytes, opts);
    Ok(report)
}

/// Reads one entry, capped at its declared size (+1 byte to notice a lie). Returns the bytes
/// (tag files) or nothing (payload), and the SHA-256.
fn read_entry(
    archive: &mut ZipArchive<File>,
    index: usize,
    declared: u64,
    stream_only: Option<()>,
    progress: &mut dyn FnMut(u64),
) -> Result<(Option<Vec<u8>>, String), String> {
    let entry = archive
        .by_index(index)
        .map_err(|e| format!("cannot be read ({e})"))?;
    let mut limited = entry.take(declared.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut keep = if stream_only.is_none() {
        Some(Vec::with_capacity(declared as usize))
    } else {
        None
    };
    let mut buf = vec![0u8; 256 * 1024];
    let mut got: u64 = 0;
    loop {
        let n = limited
            .read(&mut buf)
            .map_err(|e| format!("cannot be read: {e} (the archive is damaged or was altered)"))?;
        if n == 0 {
            break;
        }
        got += n as u64;
        if got > declared {
            return Err(format!(
                "holds more data than the {declared} bytes it declares (a zip bomb or a forged header)"
            ));
        }
        hasher.update(&buf[..n]);
        if let Some(k) = keep.as_mut() {
            k.extend_from_slice(&buf[..n]);
        }
        progress(n as u64);
    }
    if got != declared {
        return Err(format!("holds {got} bytes but declares {declared}"));
    }
    Ok((keep, hex(&hasher.finalize())))
}

fn check_bag(
    report: &mut BundleReport,
    root: &str,
    tags: &BTreeMap<String, Vec<u8>>,
    actual: &BTreeMap<String, String>,
    sizes: &BTreeMap<&str, u64>,
) {
    let at = |rel: &str| format!("{root}/{rel}");
    let text = |rel: &str| {
        tags.get(rel)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };

    match tags.get(bag::BAGIT) {
        None => report.problem(at(bag::BAGIT), "missing (every bag must have it)"),
        Some(b) if b.as_slice() != bag::BAGIT_TXT.as_bytes() => report.problem(
            at(bag::BAGIT),
            "is not `BagIt-Version: 1.0` / `Tag-File-Character-Encoding: UTF-8`",
        ),
        Some(_) => {}
    }
    for rel in sizes.keys() {
        if rel.starts_with("manifest-") && *rel != bag::MANIFEST
            || rel.starts_with("tagmanifest-")
                && *rel != bag::TAG_MANIFEST
                && *rel != bag::TAG_SIGNATURE
        {
            report.problem(
                at(rel),
                "an extra manifest kitei does not write (bagit.py would also check it)",
            );
        }
    }

    // payload manifest
    let mut listed_payload: BTreeSet<String> = BTreeSet::new();
    let mut listed_count = 0;
    let mut merkle = None;
    match text(bag::MANIFEST).map(|t| (bag::parse_manifest(&t), t)) {
        None => report.problem(
            at(bag::MANIFEST),
            "missing: the payload is not listed anywhere",
        ),
        Some((Err(e), _)) => report.problem(at(bag::MANIFEST), format!("malformed: {e}")),
        Some((Ok(lines), manifest_text)) => {
            for line in &lines {
                if !line.path.starts_with("data/") || unsafe_name(&line.path).is_some() {
                    report.problem(
                        at(bag::MANIFEST),
                        format!("lists `{}`, which is not a payload path", line.path),
                    );
                    continue;
                }
                if !listed_payload.insert(line.path.clone()) {
                    report.problem(at(bag::MANIFEST), format!("lists `{}` twice", line.path));
                    continue;
                }
                match actual.get(&line.path) {
                    None if sizes.contains_key(line.path.as_str()) => {} // unreadable: reported already
                    None => report.problem(at(&line.path), "listed in manifest-sha256.txt but missing from the bundle"),
                    Some(h) if h != &line.sha256 => report.problem(
                        at(&line.path),
                        format!("SHA-256 mismatch: manifest says {}, the file has {h} (changed after sealing)", line.sha256),
                    ),
                    Some(_) => {}
                }
            }
            listed_count = lines.len();
            merkle = Some(hex(&bag::merkle_root(&manifest_text)));
        }
    }
    for rel in sizes.keys().filter(|r| r.starts_with("data/")) {
        if !listed_payload.contains(*rel) {
            report.problem(
                at(rel),
                "in the payload but not listed in manifest-sha256.txt (added after sealing)",
            );
        }
    }
    // Payload-Oxum counts what is actually in data/, listed or not
    let oxum_bytes: u64 = sizes
        .iter()
        .filter(|(r, _)| r.starts_with("data/"))
        .map(|(_, s)| s)
        .sum();
    let oxum_count = sizes.keys().filter(|r| r.starts_with("data/")).count() as u64;
    report.payload_files = oxum_count;
    report.payload_bytes = oxum_bytes;
    if listed_count == 0 && oxum_count == 0 {
        report.problem(at("data/"), "missing: a bag must have a payload folder");
    }

    // tag manifest
    let mut listed_tags: BTreeSet<String> = BTreeSet::new();
    match text(bag::TAG_MANIFEST).map(|t| bag::parse_manifest(&t)) {
        None => report.problem(
            at(bag::TAG_MANIFEST),
            "missing: the tag files are not protected",
        ),
        Some(Err(e)) => report.problem(at(bag::TAG_MANIFEST), format!("malformed: {e}")),
        Some(Ok(lines)) => {
            for line in lines {
                if line.path.starts_with("data/")
                    || line.path.starts_with("tagmanifest-")
                    || unsafe_name(&line.path).is_some()
                {
                    report.problem(
                        at(bag::TAG_MANIFEST),
                        format!("must not list `{}`", line.path),
                    );
                    continue;
                }
                if !listed_tags.insert(line.path.clone()) {
                    report.problem(
                        at(bag::TAG_MANIFEST),
                        format!("lists `{}` twice", line.path),
                    );
                    continue;
                }
                match actual.get(&line.path) {
                    None if sizes.contains_key(line.path.as_str()) => {}
                    None => report.problem(at(&line.path), "listed in tagmanifest-sha256.txt but missing from the bundle"),
                    Some(h) if h != &line.sha256 => report.problem(
                        at(&line.path),
                        format!("SHA-256 mismatch: tagmanifest says {}, the file has {h} (changed after sealing)", line.sha256),
                    ),
                    Some(_) => {}
                }
            }
            for required in [bag::BAGIT, bag::BAG_INFO, bag::MANIFEST] {
                if !listed_tags.contains(required) {
                    report.problem(
                        at(bag::TAG_MANIFEST),
                        format!("does not list {required}, so it is not sealed"),
                    );
                }
            }
        }
    }
    for rel in sizes.keys().filter(|r| !r.starts_with("data/")) {
        if *rel != bag::TAG_MANIFEST && *rel != bag::TAG_SIGNATURE && !listed_tags.contains(*rel) {
            report.problem(
                at(rel),
                "not listed in tagmanifest-sha256.txt (added after sealing)",
            );
        }
    }
    if let Some(t) = tags.get(bag::TAG_MANIFEST) {
        report.bag_digest = Some(format!("sha256:{}", crate::digest::sha256_hex(t)));
    }

    // bag-info
    match text(bag::BAG_INFO).map(|t| BagInfo::parse(&t)) {
        None => report.problem(at(bag::BAG_INFO), "missing"),
        Some(Err(e)) => report.problem(at(bag::BAG_INFO), format!("malformed: {e}")),
        Some(Ok(info)) => {
            let expected = format!("{oxum_bytes}.{oxum_count}");
            match info.get("Payload-Oxum") {
                None => report.problem(at(bag::BAG_INFO), "has no Payload-Oxum"),
                Some(o) if o != expected => report.problem(
                    at(bag::BAG_INFO),
                    format!("Payload-Oxum is {o} but the payload is {expected} (bytes.files): files were added, removed or changed"),
                ),
                Some(_) => {}
            }
            for label in [
                "External-Identifier",
                "Bagging-Date",
                "Bag-Count",
                "Bag-Group-Identifier",
                "Evidence-Previous-Bag-Digest",
                "Evidence-Payload-Merkle-Root",
            ] {
                if info.get(label).is_none() {
                    report.problem(at(bag::BAG_INFO), format!("has no {label}"));
                }
            }
            if let Some(id) = info.get("External-Identifier")
                && id != root
            {
                report.problem(
                    at(bag::BAG_INFO),
                    format!("External-Identifier is `{id}` but the bag is `{root}`"),
                );
            }
            if let (Some(recorded), Some(root_hex)) =
                (info.get("Evidence-Payload-Merkle-Root"), &merkle)
            {
                let expected = format!("sha256:{root_hex}");
                if recorded != expected {
                    report.problem(
                        at(bag::BAG_INFO),
                        format!("Evidence-Payload-Merkle-Root is {recorded} but manifest-sha256.txt gives {expected}"),
                    );
                }
            }
            report.bag_info = info;
        }
    }
}

fn check_signatures(
    report: &mut BundleReport,
    path: &Path,
    root: &str,
    tags: &BTreeMap<String, Vec<u8>>,
    opts: &VerifyOptions,
) {
    let seq = report
        .sequence()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "?".into());
    let prev = report.previous().unwrap_or("?").to_string();
    let at = |rel: &str| format!("{root}/{rel}");
    let detached_path = PathBuf::from(format!("{}.minisig", path.display()));
    let detached = std::fs::read_to_string(&detached_path).ok();

    // The zip's own digests, in one pass, when the ledger or the detached signature needs them.
    let need_prehash = detached.is_some() && opts.key.is_some();
    let mut zip_prehash = None;
    if opts.zip_digest || need_prehash {
        match digest_file(path) {
            Ok((sha, b2)) => {
                report.zip_sha256 = Some(sha);
                zip_prehash = Some(b2);
            }
            Err(e) => report.problem(
                path.display().to_string(),
                format!("cannot be read again: {e}"),
            ),
        }
    }

    match (tags.get(bag::TAG_SIGNATURE), opts.key) {
        (None, None) => report.signature = SignatureStatus::Unsigned,
        (None, Some(_)) => {
            report.problem(
                at(bag::TAG_SIGNATURE),
                "missing: the bundle is not signed, but a public key was given",
            );
            report.signature = SignatureStatus::Failed;
        }
        (Some(sig), key) => match Signature::parse(&String::from_utf8_lossy(sig)) {
            Err(e) => {
                report.problem(at(bag::TAG_SIGNATURE), format!("malformed signature: {e}"));
                report.signature = SignatureStatus::Failed;
            }
            Ok(sig) => {
                let key_id = minisign::key_id_hex(&sig.key_id);
                match key {
                    None => report.signature = SignatureStatus::NotChecked { key_id },
                    Some(key) => {
                        let data = tags
                            .get(bag::TAG_MANIFEST)
                            .map(Vec::as_slice)
                            .unwrap_or_default();
                        let expected = format!("{root} seq={seq} prev={prev}");
                        match sig.verify_bytes(key, data) {
                            Err(e) => {
                                report.problem(at(bag::TAG_SIGNATURE), e);
                                report.signature = SignatureStatus::Failed;
                            }
                            Ok(()) if sig.trusted_comment != expected => {
                                report.problem(
                                    at(bag::TAG_SIGNATURE),
                                    format!("trusted comment `{}` does not match the bag (`{expected}`)", sig.trusted_comment),
                                );
                                report.signature = SignatureStatus::Failed;
                            }
                            Ok(()) => report.signature = SignatureStatus::Verified { key_id },
                        }
                    }
                }
            }
        },
    }

    let detached_shown = detached_path.display().to_string();
    match (detached, opts.key) {
        (None, Some(_)) if report.signature != SignatureStatus::Unsigned => report.notes.push(
            format!("no {detached_shown} beside the zip; the seal inside the bag was checked"),
        ),
        (None, _) => {}
        (Some(_), None) => report.notes.push(format!(
            "{detached_shown} not checked: pass --pubkey KEY.pub"
        )),
        (Some(text), Some(key)) => match (Signature::parse(&text), zip_prehash) {
            (Err(e), _) => report.problem(&detached_shown, format!("malformed signature: {e}")),
            (Ok(_), None) => {}
            (Ok(sig), Some(hash)) => {
                let digest = report.bag_digest.clone().unwrap_or_default();
                let expected = format!("{root}.zip seq={seq} bag={digest}");
                match sig.verify_prehashed(key, &hash) {
                    Err(e) => report.problem(&detached_shown, e),
                    Ok(()) if sig.trusted_comment != expected => report.problem(
                        &detached_shown,
                        format!(
                            "trusted comment `{}` does not match the bag (`{expected}`)",
                            sig.trusted_comment
                        ),
                    ),
                    Ok(()) => report
                        .notes
                        .push(format!("{detached_shown}: signature over the zip verified")),
                }
            }
        },
    }
}

/// SHA-256 (hex) and BLAKE2b-512 of a file, in one streaming pass.
pub fn digest_file(path: &Path) -> std::io::Result<(String, minisign::Prehash)> {
    let (sha, prehash) = digest_file_with(path, true)?;
    Ok((sha, prehash.unwrap_or([0; 64])))
}

/// SHA-256 (hex) of a file and, when `prehash` (only signing needs it), its BLAKE2b-512, in one
/// streaming pass: each 1 MiB chunk is hashed by both functions on two threads.
pub fn digest_file_with(
    path: &Path,
    prehash: bool,
) -> std::io::Result<(String, Option<minisign::Prehash>)> {
    use blake2::Blake2b512;
    let mut f = File::open(path)?;
    let mut sha = Sha256::new();
    let mut b2 = prehash.then(Blake2b512::new);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = read_full(&mut f, &mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        match b2.as_mut() {
            Some(b2) => {
                rayon::join(|| sha.update(chunk), || b2.update(chunk));
            }
            None => sha.update(chunk),
        }
    }
    Ok((hex(&sha.finalize()), b2.map(|b| b.finalize().into())))
}

/// Reads until `buf` is full or the file ends.
fn read_full(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match f.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        assert!(unsafe_name("b/data/x.txt").is_none());
        assert!(unsafe_name("b/").is_none());
        assert!(unsafe_name("../x").unwrap().contains("zip-slip"));
        assert!(unsafe_name("b/../../x").is_some());
        assert!(unsafe_name("/etc/passwd").unwrap().contains("absolute"));
        assert!(unsafe_name("C:/x").is_some());
        assert!(unsafe_name("b\\..\\x").is_some());
        assert!(unsafe_name("b//x").is_some());
        assert!(unsafe_name("b/x\n").is_some());
    }
}
