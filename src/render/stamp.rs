//! The no-op build: a fingerprint of everything a build reads, kept beside the cache after
//! each successful build. When the next `kitei build` into the same folder computes the same
//! fingerprint, the site on disk is already what it would write, so nothing is loaded,
//! checked or rendered (cargo does the same with its fingerprints).
//!
//! The fingerprint covers: the kitei binary (version, length, modification time), kitei.toml,
//! the path, length, modification and change times and inode of every file under the source
//! folder and `templates/`, the build options, the evaluation date and build date, the
//! environment variables that change output, and git's HEAD and tags. File contents are not
//! read (that is what makes it fast). A file modified in the same file-system clock tick as the
//! listing could be modified again without its times changing, so a listing that holds one is
//! not used (git's "racy clean" rule): the tick is read off a probe file written in
//! `.kitei-cache` just before listing, which works whatever the file system's timestamp
//! granularity (nanoseconds on ext4, 2 s on FAT). The stamp also records the output folder's inode and
//! modification time: replacing, deleting or adding to the top of the folder by hand forces a
//! build.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the last successful build into one folder left behind.
#[derive(Debug)]
pub struct Stamp {
    /// The fingerprint of the build's inputs.
    pub inputs: String,
    /// The output folder as it was published: (device, inode, mtime in ns).
    pub output: (u64, u64, i128),
    /// The stamp file, read up to what the build printed (see [`Stamp::replay`]).
    messages: std::io::BufReader<std::fs::File>,
}

impl Stamp {
    /// Writes what the build printed (diagnostics, warnings, the summary line: each message
    /// followed by a newline) to `to`, as a no-op build says it again. Copied by the kernel
    /// where it can (≈ 10 MB at 10,000 documents, into a CI log).
    pub fn replay(mut self, to: &mut impl std::io::Write) -> std::io::Result<u64> {
        std::io::copy(&mut self.messages, to)
    }
}

/// The stamp file's first line (JSON); the messages follow it as they are printed, so that a
/// no-op reads them without parsing (at 10,000 documents they are ≈ 10 MB).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    inputs: String,
    output: (u64, u64, i128),
}

/// The build's inputs that are not files.
#[derive(Debug, Serialize)]
pub struct Settings<'a> {
    pub audience: &'a str,
    pub allow_errors: bool,
    pub out: &'a Path,
    pub as_of: String,
    pub build_date: &'a str,
}

/// Where the stamp of builds into `out` lives (keyed on the folder's canonical path, so that
/// `-C kitei`, `-C ./kitei/` and the absolute path find the same stamp).
pub fn path(project_root: &Path, out: &Path) -> PathBuf {
    let digest = Sha256::digest(canonical(out).as_os_str().as_encoded_bytes());
    project_root
        .join(crate::config::CACHE_DIR)
        .join("build")
        .join(format!("{}.json", &hex(&digest)[..16]))
}

/// The fingerprint of a build of `project_root` with `settings`, or `None` when it cannot be
/// trusted (a racy file, an unreadable folder).
/// Paths enter the fingerprint in canonical form: the same project reached by a relative
/// path, an absolute one or a symbolic link has one fingerprint.
pub fn inputs(
    project_root: &Path,
    source_dir: &Path,
    named: &[PathBuf],
    settings: &Settings,
) -> Option<String> {
    let project_root = &canonical(project_root);
    let source_dir = &canonical(source_dir);
    let out = canonical(settings.out);
    let settings = &Settings {
        out: &out,
        as_of: settings.as_of.clone(),
        ..*settings
    };
    let now = probe_time(project_root)?;
    // git answers while the folders are listed.
    let refs = GitRefs::start(project_root);
    let mut hasher = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(b"kitei-build-stamp/3");
    part(env!("CARGO_PKG_VERSION").as_bytes());
    let exe = std::env::current_exe().ok()?;
    part(stat_line(&exe, &std::fs::metadata(&exe).ok()?).as_bytes());
    part(&serde_json::to_vec(settings).ok()?);
    for var in [
        "SOURCE_DATE_EPOCH",
        "KITEI_SOURCE_COMMIT",
        "KITEI_CACHE",
        "KITEI_PDF",
    ] {
        part(var.as_bytes());
        part(std::env::var_os(var).unwrap_or_default().as_encoded_bytes());
    }
    part(&std::fs::read(project_root.join("kitei.toml")).ok()?);
    for dir in [source_dir.to_path_buf(), project_root.join("templates")] {
        part(dir.as_os_str().as_encoded_bytes());
        part(&tree_listing(&dir, now)?);
    }
    // What kitei.toml names elsewhere (dictionaries, fonts): a file by its stat, a folder by
    // its listing, a missing one as missing (the build reports it).
    for path in named {
        let path = &canonical(path);
        part(path.as_os_str().as_encoded_bytes());
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => part(&tree_listing(path, now)?),
            Ok(meta) if racy(&meta, now) => return None,
            Ok(meta) => part(stat_line(path, &meta).as_bytes()),
            Err(_) => part(b"missing"),
        }
    }
    part(refs.finish().as_bytes());
    Some(hex(&hasher.finalize()))
}

/// `path` with its longest existing ancestor resolved by the file system (symbolic links,
/// `.` and `..`, relative to the working folder) and the rest, not yet created, appended.
pub fn canonical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// The file system's clock now (ns), read off a file written for the purpose.
fn probe_time(project_root: &Path) -> Option<i128> {
    let dir = project_root.join(crate::config::CACHE_DIR).join("build");
    std::fs::create_dir_all(&dir).ok()?;
    let probe = dir.join("clock-probe");
    std::fs::write(&probe, b"kitei").ok()?;
    let meta = std::fs::metadata(&probe).ok()?;
    Some(mtime_ns(&meta))
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128
}

/// `name len mtime ctime inode` of every entry under `dir` (in name order, a folder's
/// entries between `/` and `..`; empty when it does not exist), or `None` if an entry changed
/// in the clock tick of `now` or later. Entries are stat'ed relative to their open folder
/// (`DirEntry::metadata`), which is several times cheaper than stat'ing full paths, and the
/// entries of every folder are stat'ed in parallel: the stat calls are the whole cost of a
/// no-op build, and a corpus keeps thousands of files in one folder.
fn tree_listing(dir: &Path, now: i128) -> Option<Vec<u8>> {
    if !dir.exists() {
        return Some(Vec::new());
    }
    listing(&sorted_entries(dir)?, now)
}

fn listing(entries: &[(std::ffi::OsString, std::fs::DirEntry)], now: i128) -> Option<Vec<u8>> {
    // Runs of entries on the pool, each run's lines written into one buffer: a buffer per
    // entry was an allocation per file, and under `kitei build`'s one malloc heap the two
    // threads waited on its lock (a no-op at 10,000 documents: 60 ms with the seal's one heap,
    // 37 ms with a heap per thread).
    let runs: Vec<Option<Vec<u8>>> = entries
        .par_chunks(LISTING_RUN)
        .map(|run| {
            let mut lines = Vec::with_capacity(run.len() * 80);
            for (name, entry) in run {
                entry_line(&mut lines, name, entry, now)?;
            }
            Some(lines)
        })
        .collect();
    runs.into_iter()
        .collect::<Option<Vec<_>>>()
        .map(|v| v.concat())
}

/// Entries of one folder listed by one task of [`listing`].
const LISTING_RUN: usize = 512;

fn sorted_entries(dir: &Path) -> Option<Vec<(std::ffi::OsString, std::fs::DirEntry)>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .map(|e| e.map(|e| (e.file_name(), e)))
        .collect::<Result<_, _>>()
        .ok()?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Some(entries)
}

/// Appends one entry's part of [`tree_listing`] to `line`, a folder's with its entries.
fn entry_line(
    line: &mut Vec<u8>,
    name: &std::ffi::OsStr,
    entry: &std::fs::DirEntry,
    now: i128,
) -> Option<()> {
    let meta = entry.metadata().ok()?;
    if racy(&meta, now) {
        return None;
    }
    let name = name.as_encoded_bytes();
    line.extend_from_slice(&(name.len() as u64).to_le_bytes());
    line.extend_from_slice(name);
    for n in [
        meta.len() as i64,
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
        meta.ino() as i64,
    ] {
        line.extend_from_slice(&n.to_le_bytes());
    }
    if meta.is_dir() {
        line.push(b'/');
        line.extend(listing(&sorted_entries(&entry.path())?, now)?);
        line.extend_from_slice(b"..");
    }
    Some(())
}

/// Changed in the tick of `now` (or in the future): a later change may not move its times.
fn racy(meta: &std::fs::Metadata, now: i128) -> bool {
    let ctime = meta.ctime() as i128 * 1_000_000_000 + meta.ctime_nsec() as i128;
    mtime_ns(meta) >= now || ctime >= now
}

/// A file's path and stat (size, modification and change times, inode), as a listing has them.
fn stat_line(path: &Path, meta: &std::fs::Metadata) -> String {
    format!(
        "{} {} {}.{} {}.{} {}",
        path.display(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
        meta.ino()
    )
}

/// HEAD and the tags (releases, the footer's commit), or nothing outside git: `git
/// show-ref` started by [`GitRefs::start`] and read by [`GitRefs::finish`].
struct GitRefs(Option<std::process::Child>);

impl GitRefs {
    fn start(root: &Path) -> GitRefs {
        use std::process::{Command, Stdio};
        let child = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["show-ref", "--head", "--tags"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        GitRefs(child.ok())
    }

    fn finish(mut self) -> String {
        self.0
            .take()
            .and_then(|child| child.wait_with_output().ok())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }
}

impl Drop for GitRefs {
    /// A fingerprint given up halfway (a racy file) leaves no git behind (`kitei serve` runs
    /// for hours).
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The identity of the published output folder.
pub fn output_identity(out: &Path) -> Option<(u64, u64, i128)> {
    let meta = std::fs::metadata(out).ok()?;
    Some((meta.dev(), meta.ino(), mtime_ns(&meta)))
}

/// The stamp of the last build into `out`, if it is still valid for `inputs`.
/// Only the header is read unless it matches: after an edit the ≈ 10 MB of messages stay on
/// disk.
pub fn fresh(project_root: &Path, out: &Path, inputs: &str) -> Option<Stamp> {
    use std::io::BufRead as _;
    let mut file = std::io::BufReader::new(std::fs::File::open(path(project_root, out)).ok()?);
    let mut line = Vec::new();
    file.read_until(b'\n', &mut line).ok()?;
    line.pop_if(|b| *b == b'\n')?;
    let header: Header = serde_json::from_slice(&line).ok()?;
    if header.inputs != inputs || Some(header.output) != output_identity(out) {
        return None;
    }
    Some(Stamp {
        inputs: header.inputs,
        output: header.output,
        messages: file,
    })
}

/// Records a successful build (best effort: a read-only project just never skips a build).
/// `printed` is what it printed, each message followed by a newline.
pub fn record(project_root: &Path, out: &Path, inputs: String, printed: &str) {
    let Some(output) = output_identity(out) else {
        return;
    };
    let Ok(mut bytes) = serde_json::to_vec(&Header { inputs, output }) else {
        return;
    };
    bytes.push(b'\n');
    bytes.extend_from_slice(printed.as_bytes());
    let path = path(project_root, out);
    let _ = crate::files::write_atomically(&path, &bytes, crate::files::How::FILE);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(out: &Path) -> Settings<'_> {
        Settings {
            audience: "employees",
            allow_errors: false,
            out,
            as_of: "2026-11-01".into(),
            build_date: "2026-11-01",
        }
    }

    fn set_mtime(path: &Path, t: std::time::SystemTime) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }

    #[test]
    fn the_listing_of_a_large_folder_follows_every_entry() {
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("kitei.toml"), "organisation = \"x\"\n").unwrap();
        let src = root.join("policy-src");
        std::fs::create_dir_all(src.join("incidents/sub")).unwrap();
        // Several runs of LISTING_RUN entries, and a folder among them.
        let names: Vec<String> = (0..LISTING_RUN * 2 + 7)
            .map(|n| format!("{n:05}.yaml"))
            .collect();
        for name in &names {
            std::fs::write(src.join("incidents").join(name), "id: a\n").unwrap();
        }
        std::fs::write(src.join("incidents/sub/x.yaml"), "id: x\n").unwrap();
        let out = root.join("site");
        std::thread::sleep(Duration::from_millis(50));
        let first = inputs(root, &src, &[], &settings(&out)).unwrap();
        for (path, text) in [
            (
                src.join("incidents").join(&names[names.len() - 2]),
                "id: bb\n",
            ),
            (src.join("incidents/sub/x.yaml"), "id: xx\n"),
        ] {
            let before = inputs(root, &src, &[], &settings(&out)).unwrap();
            std::fs::write(&path, text).unwrap();
            std::thread::sleep(Duration::from_millis(50));
            assert_ne!(
                inputs(root, &src, &[], &settings(&out)).unwrap(),
                before,
                "{path:?}"
            );
        }
        assert_ne!(inputs(root, &src, &[], &settings(&out)).unwrap(), first);
    }

    #[test]
    fn fingerprint_follows_the_files_kitei_toml_names_elsewhere() {
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("kitei.toml"), "organisation = \"x\"\n").unwrap();
        let src = root.join("policy-src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::create_dir_all(root.join("style/fonts")).unwrap();
        let wording = root.join("style/wording.yml");
        std::fs::write(&wording, "rules: []\n").unwrap();
        let named = [wording.clone(), root.join("style/fonts")];
        let out = root.join("site");
        std::thread::sleep(Duration::from_millis(50));
        let fingerprint = || inputs(root, &src, &named, &settings(&out)).unwrap();
        let first = fingerprint();
        assert_ne!(inputs(root, &src, &[], &settings(&out)).unwrap(), first);
        let changes: [&dyn Fn(); 3] = [
            &|| std::fs::write(&wording, "rules: [ ]\n").unwrap(),
            &|| std::fs::write(root.join("style/fonts/a.ttf"), "font").unwrap(),
            &|| std::fs::remove_file(&wording).unwrap(),
        ];
        for change in changes {
            let before = fingerprint();
            change();
            std::thread::sleep(Duration::from_millis(50));
            assert_ne!(fingerprint(), before);
        }
    }

    #[test]
    fn fingerprint_follows_files_and_is_withheld_when_racy() {
        use std::time::{Duration, SystemTime};
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("kitei.toml"), "organisation = \"x\"\n").unwrap();
        let src = root.join("policy-src");
        std::fs::create_dir_all(src.join("incidents")).unwrap();
        let file = src.join("incidents/a.yaml");
        std::fs::write(&file, "id: a\n").unwrap();
        let out = root.join("site");
        std::thread::sleep(Duration::from_millis(50));
        let first = inputs(root, &src, &[], &settings(&out)).expect("files older than the probe");
        assert_eq!(
            inputs(root, &src, &[], &settings(&out)).as_ref(),
            Some(&first)
        );
        let mut other = settings(&out);
        other.audience = "restricted";
        assert_ne!(
            inputs(root, &src, &[], &other).unwrap(),
            first,
            "another audience"
        );

        // Same length, mtime put back: the change time still differs.
        let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::fs::write(&file, "id: b\n").unwrap();
        set_mtime(&file, mtime);
        std::thread::sleep(Duration::from_millis(50));
        assert_ne!(inputs(root, &src, &[], &settings(&out)).unwrap(), first);

        // A file stamped in the probe's tick or later is not trusted.
        set_mtime(&file, SystemTime::now() + Duration::from_secs(60));
        assert_eq!(inputs(root, &src, &[], &settings(&out)), None);
    }

    #[test]
    fn stamp_is_fresh_only_for_the_same_inputs_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let out = root.join("site");
        std::fs::create_dir_all(&out).unwrap();
        let printed = "error[K1]: e\n  --> a.md:1:1\n\nwarning: w\n";
        record(root, &out, "abc".into(), printed);
        let mut replayed = Vec::new();
        fresh(root, &out, "abc")
            .unwrap()
            .replay(&mut replayed)
            .unwrap();
        assert_eq!(replayed, b"error[K1]: e\n  --> a.md:1:1\n\nwarning: w\n");
        assert!(fresh(root, &out, "abd").is_none(), "other inputs");
        // A stamp in the layout before this one (one JSON object holding the messages) is not
        // read as a stamp without messages.
        let old = serde_json::json!({
            "inputs": "abc",
            "output": output_identity(&out).unwrap(),
            "messages": ["warning: w"],
        });
        let at = path(root, &out);
        std::fs::write(&at, format!("{old}\n")).unwrap();
        assert!(fresh(root, &out, "abc").is_none(), "older layout");
        let header = format!("{old}");
        std::fs::write(&at, &header[..header.len() / 2]).unwrap();
        assert!(fresh(root, &out, "abc").is_none(), "cut off in its header");
        record(root, &out, "abc".into(), printed);
        std::fs::remove_dir(&out).unwrap();
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("x"), "").unwrap();
        assert!(
            fresh(root, &out, "abc").is_none(),
            "the folder was replaced"
        );
    }
}
