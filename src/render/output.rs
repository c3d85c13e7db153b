//! Writing the site: every file goes into a fresh temporary folder beside the output folder
//! as soon as it is rendered (pages are not held in memory), and that folder replaces the old
//! one only when complete, in one atomic exchange on Linux ([`files::swap`]). A failed build
//! leaves the old site as it was. The old tree is deleted after the swap (deleting first is
//! the slow part on most disks). Bytes depend only
//! on what was rendered (no timestamps in content); the order in which parallel renderers
//! write does not matter. An incremental staging folder ([`Staging::incremental`]) hard-links
//! every file whose bytes the previous build already published, instead of writing it
//! ([`super::reuse`]), and is the old tree the previous swap moved out, brought up to date in
//! place, whenever that tree is still there.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::reuse::{self, FileEntry, FileId, FileManifest};
use crate::files;

/// Files kept from the previous output folder because they are not generated (the folder's
/// README is committed to git).
const KEEP: &[&str] = &["README.md"];

/// Where rendered files go: a folder being staged, or memory (evidence bundles, archived
/// versions). Shared by the renderer's threads.
pub trait Sink: Sync {
    /// Stores one file under its relative path (`/`-separated); a later file with the same
    /// path replaces it.
    fn put(&self, rel: &str, bytes: Vec<u8>);

    /// Stores a page and returns the digest of its bytes when the sink keeps a record of them
    /// for the next build ([`Staging::incremental`]).
    fn put_page(&self, rel: &str, bytes: Vec<u8>) -> Option<reuse::Hash> {
        self.put(rel, bytes);
        None
    }

    /// Puts the previous build's file at `rel` into this one, if it is still on disk as
    /// published and held the bytes with `digest`. False when it cannot (then the caller
    /// renders and puts the file).
    fn keep(&self, _rel: &str, _digest: &reuse::Hash) -> bool {
        false
    }
}

/// Rendered files kept in memory, by relative path.
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<BTreeMap<String, Vec<u8>>>);

impl MemorySink {
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn put(&self, rel: &str, bytes: Vec<u8>) {
        lock(&self.0).insert(rel.to_string(), bytes);
    }
}

/// Rendered files appended to one anonymous temporary file as they arrive, each remembered by
/// its place in it: a whole site kept for a later copy (the evidence bundle's pages) without
/// holding its bytes in memory, and without creating a file per page.
#[derive(Debug)]
pub struct SpoolSink {
    file: std::sync::Arc<std::fs::File>,
    state: Mutex<Spooled>,
}

#[derive(Debug, Default)]
struct Spooled {
    end: u64,
    /// Relative path → (offset, length, SHA-256 in hex).
    parts: BTreeMap<String, (u64, u64, String)>,
    error: Option<io::Error>,
}

/// One file of a [`SpoolSink`], to be read back with `read_at`.
#[derive(Debug, Clone)]
pub struct SpoolPart {
    pub file: std::sync::Arc<std::fs::File>,
    pub offset: u64,
    pub len: u64,
    pub sha256: String,
}

impl SpoolSink {
    /// A spool in `dir` (deleted by the system when the last handle closes).
    pub fn new_in(dir: &Path) -> io::Result<SpoolSink> {
        Ok(SpoolSink {
            file: std::sync::Arc::new(tempfile::tempfile_in(dir)?),
            state: Mutex::default(),
        })
    }

    /// The files by relative path, or the first write error.
    pub fn into_parts(self) -> io::Result<BTreeMap<String, SpoolPart>> {
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = state.error {
            return Err(e);
        }
        Ok(state
            .parts
            .into_iter()
            .map(|(rel, (offset, len, sha256))| {
                let part = SpoolPart {
                    file: self.file.clone(),
                    offset,
                    len,
                    sha256,
                };
                (rel, part)
            })
            .collect())
    }
}

impl Sink for SpoolSink {
    fn put(&self, rel: &str, bytes: Vec<u8>) {
        use std::os::unix::fs::FileExt;
        let sha256 = crate::digest::sha256_hex(&bytes);
        let len = bytes.len() as u64;
        // Reserve the range, then write outside the lock: renderers append in parallel.
        let offset = {
            let mut state = lock(&self.state);
            let offset = state.end;
            state.end += len;
            offset
        };
        let written = self.file.write_all_at(&bytes, offset);
        let mut state = lock(&self.state);
        match written {
            Ok(()) => {
                state.parts.insert(rel.to_string(), (offset, len, sha256));
            }
            Err(e) => {
                state.error.get_or_insert(e);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A new site being written into a temporary folder beside `out`. [`Staging::publish`] swaps
/// it in; dropping it unpublished deletes it. While it exists it holds `out`'s lock
/// ([`files::lock`]): another kitei building into the same folder waits for it.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    published: bool,
    made_dirs: Mutex<HashSet<PathBuf>>,
    written: Mutex<BTreeSet<String>>,
    failure: Mutex<Option<io::Error>>,
    leftovers: files::stale::Cleaned,
    /// What the previous build published (empty unless incremental).
    previous: FileManifest,
    /// What this build put, for the next one, and where to save it (incremental only).
    next: Mutex<FileManifest>,
    manifest: Option<PathBuf>,
    /// Where the old tree goes after the swap, to be the next build's staging folder (see
    /// [`Staging::incremental`]); `None`: it is removed.
    recycle_at: Option<PathBuf>,
    /// The staging folder is a recycled old tree, brought up to date in place.
    recycled: bool,
    /// The recycled folder, open: its files are checked relative to it ([`lstat_in`]), one
    /// name looked up instead of every folder of the path (11,000 files at 10,000 documents).
    recycled_handle: Option<std::fs::File>,
    linked: std::sync::atomic::AtomicUsize,
    unchanged: std::sync::atomic::AtomicUsize,
    _lock: files::lock::OutputLock,
}

impl Staging {
    /// Locks `out`, removes the leftovers of killed runs beside it (putting back an old site a
    /// run killed mid-swap left aside) and makes the staging folder.
    pub fn new(out: &Path) -> io::Result<Staging> {
        Staging::open(out, None)
    }

    /// Locks `out` and cleans up beside it; stages into the folder `recycle` (which must be on
    /// `out`'s file system) if it exists, or else into a new temporary folder beside `out`.
    fn open(out: &Path, recycle: Option<PathBuf>) -> io::Result<Staging> {
        let lock = files::lock::lock_output(out, "building")?;
        let leftovers = files::stale::clean_output_leftovers(out)?;
        let recycled = recycle.as_deref().is_some_and(|dir| {
            dir.symlink_metadata()
                .is_ok_and(|m| m.is_dir() && !m.file_type().is_symlink())
        });
        let dir = match &recycle {
            Some(dir) if recycled => dir.clone(),
            _ => files::swap::temp_dir_beside(out, "build")?,
        };
        // Without the handle, files are checked by their whole path.
        let recycled_handle = recycled.then(|| std::fs::File::open(&dir).ok()).flatten();
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            published: false,
            made_dirs: Mutex::new(HashSet::new()),
            written: Mutex::new(BTreeSet::new()),
            failure: Mutex::new(None),
            leftovers,
            previous: FileManifest::default(),
            next: Mutex::new(FileManifest::default()),
            manifest: None,
            recycle_at: recycle,
            recycled,
            recycled_handle,
            linked: Default::default(),
            unchanged: Default::default(),
            _lock: lock,
        })
    }

    /// Like [`Staging::new`], reusing the files of the previous build into `out` that the
    /// manifest at `manifest` lists and that are unchanged on disk; the manifest of this build
    /// replaces it once published.
    ///
    /// The tree the swap moves out is not removed but kept in the cache beside the manifest
    /// (`<manifest>.tree`, when that is on `out`'s file system), and the next incremental
    /// build stages into it: a file that is the published file (the same inode, hard-linked by
    /// the build before) with the bytes this build wants is left as it is, every other file is
    /// linked or written afresh, and what this build does not put is removed before the swap.
    /// After one changed file, a build touches a handful of files instead of linking every
    /// file of the site into a new folder and removing the old one. The recycled tree is
    /// trusted for nothing: each file left in place is checked against the manifest and the
    /// disk (inode, length, modification time), no file in it is ever written through (a
    /// changed file is removed and created anew), and symbolic links in it are removed, never
    /// followed.
    pub fn incremental(out: &Path, manifest: PathBuf) -> io::Result<Staging> {
        let tree = manifest.with_extension("tree");
        let recycle = same_file_system(&tree, out).then_some(tree);
        let mut staging = Staging::open(out, recycle)?;
        staging.previous = FileManifest::load(&manifest);
        staging.manifest = Some(manifest);
        Ok(staging)
    }

    /// What the start of this build cleaned up after killed runs.
    pub fn leftovers(&self) -> &files::stale::Cleaned {
        &self.leftovers
    }

    /// The relative paths written so far.
    pub fn written(&self) -> BTreeSet<String> {
        lock(&self.written).clone()
    }

    /// `rel` in the staging folder, its parent folder made, and any file an earlier put of
    /// the same path left there removed (it may be a hard link to the published site, which
    /// must never be written through).
    fn prepare(&self, rel: &str) -> io::Result<PathBuf> {
        let path = safe_join(&self.dir, rel)?;
        // A file at the top (most pages) is in the staging folder itself, which exists.
        if rel.contains('/')
            && let Some(dir) = path.parent()
            && !lock(&self.made_dirs).contains(dir)
        {
            if self.recycled {
                self.make_real_dir(dir)?;
            } else {
                std::fs::create_dir_all(dir)?;
            }
            lock(&self.made_dirs).insert(dir.to_path_buf());
        }
        if lock(&self.written).contains(rel) {
            std::fs::remove_file(&path)?;
        }
        Ok(path)
    }

    /// Makes `dir` (inside a recycled staging folder) and its parents real folders: a file or
    /// a symbolic link in the way is removed, so that nothing is written outside the folder.
    fn make_real_dir(&self, dir: &Path) -> io::Result<()> {
        if dir == self.dir || lock(&self.made_dirs).contains(dir) {
            return Ok(());
        }
        if let Some(parent) = dir.parent() {
            self.make_real_dir(parent)?;
        }
        match dir.symlink_metadata() {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                std::fs::remove_file(dir)?;
                std::fs::create_dir_all(dir)?;
            }
            // create_dir_all: another renderer thread may make it at the same moment.
            Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(dir)?,
            Err(e) => return Err(e),
        }
        lock(&self.made_dirs).insert(dir.to_path_buf());
        Ok(())
    }

    /// Whether the recycled staging folder's file at `path` is the published file at `rel`
    /// with `digest` (the same inode, unchanged since it was published): then it stays.
    fn unchanged_in_place(&self, rel: &str, digest: &reuse::Hash, path: &Path) -> bool {
        if !self.recycled {
            return false;
        }
        let Some(entry) = self.previous.files.get(rel) else {
            return false;
        };
        let same = entry.digest == *digest
            && match &self.recycled_handle {
                Some(dir) => lstat_in(dir, rel).is_some_and(|(file, id)| file && id == entry.id),
                None => std::fs::symlink_metadata(path)
                    .is_ok_and(|meta| meta.is_file() && FileId::of(&meta) == entry.id),
            };
        if same {
            self.record(rel, entry.clone());
            self.unchanged
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        same
    }

    /// Removes whatever a recycled staging folder holds at `path` (a file, a symbolic link or
    /// a folder), so that the file is created anew rather than written through a hard link.
    fn clear(&self, path: &Path) -> io::Result<()> {
        if !self.recycled {
            return Ok(());
        }
        match path.symlink_metadata() {
            Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
            Ok(_) => std::fs::remove_file(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Puts the previous build's file at `rel` (bytes `digest`) at `path` without writing it:
    /// left in place in a recycled folder, or else linked from the published site. When it
    /// cannot, `path` is free for the caller to create the file.
    fn reuse(&self, rel: &str, digest: &reuse::Hash, path: &Path) -> io::Result<bool> {
        if self.unchanged_in_place(rel, digest, path) {
            return Ok(true);
        }
        self.clear(path)?;
        self.link_previous(rel, digest, path)
    }

    fn record(&self, rel: &str, entry: FileEntry) {
        lock(&self.next).files.insert(rel.to_string(), entry);
        lock(&self.written).insert(rel.to_string());
    }

    fn write(&self, rel: &str, bytes: &[u8], digest: Option<reuse::Hash>) -> io::Result<()> {
        let path = self.prepare(rel)?;
        if let Some(digest) = digest {
            if self.reuse(rel, &digest, &path)? {
                return Ok(());
            }
            let mut file = std::fs::File::create(&path)?;
            io::Write::write_all(&mut file, bytes)?;
            let id = FileId::of(&file.metadata()?);
            lock(&self.next)
                .files
                .insert(rel.to_string(), FileEntry { digest, id });
        } else {
            std::fs::write(&path, bytes)?;
        }
        lock(&self.written).insert(rel.to_string());
        Ok(())
    }

    /// Hard-links the published file at `rel` to `path` if the previous build published it
    /// with `digest` and it is unchanged since (same inode, length and modification time).
    fn link_previous(&self, rel: &str, digest: &reuse::Hash, path: &Path) -> io::Result<bool> {
        let Some(entry) = self.previous.files.get(rel) else {
            return Ok(false);
        };
        if entry.digest != *digest {
            return Ok(false);
        }
        let Ok(old) = safe_join(&self.out, rel) else {
            return Ok(false);
        };
        match std::fs::symlink_metadata(&old) {
            Ok(meta) if meta.is_file() && FileId::of(&meta) == entry.id => {}
            _ => return Ok(false),
        }
        if std::fs::hard_link(&old, path).is_err() {
            return Ok(false);
        }
        self.record(rel, entry.clone());
        self.linked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(true)
    }

    /// How many files were written so far, and how many of them are pages (`.html`).
    pub fn written_counts(&self) -> (usize, usize) {
        let written = lock(&self.written);
        let pages = written.iter().filter(|k| k.ends_with(".html")).count();
        (written.len(), pages)
    }

    /// How many files were hard-linked from the previous build rather than written.
    pub fn linked(&self) -> usize {
        self.linked.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many files a recycled staging folder already held as this build wants them.
    pub fn unchanged(&self) -> usize {
        self.unchanged.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether this staging folder keeps a manifest for the next build.
    fn incremental_on(&self) -> bool {
        self.manifest.is_some()
    }

    fn fail(&self, rel: &str, e: io::Error) {
        lock(&self.failure).get_or_insert(io::Error::new(e.kind(), format!("{rel}: {e}")));
    }

    /// Replaces the output folder with the staged one (keeping its README), or reports the
    /// first write that failed (the old site is then untouched).
    pub fn publish(mut self) -> io::Result<()> {
        if let Some(e) = lock(&self.failure).take() {
            return Err(e);
        }
        let written = self.written();
        if self.recycled {
            remove_all_but(&self.dir, "", &written)?;
        }
        for keep in KEEP {
            let old = self.out.join(keep);
            if old.is_file() && !written.contains(*keep) {
                std::fs::copy(&old, self.dir.join(keep))?;
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // tempdir creates 0700; a site is read by a web server or colleagues.
            std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755))?;
        }
        crate::crash_points::reached("site-staged");
        files::swap::replace_dir_keeping(&self.dir, &self.out, self.recycle_at.as_deref())?;
        self.published = true;
        if let Some(path) = &self.manifest {
            crate::crash_points::reached("site-manifest");
            // Files kept from the old folder (its README) are not listed: they are copied.
            // A manifest that cannot be saved only costs the next build its reuse.
            let next = std::mem::take(&mut *lock(&self.next));
            let _ = next.save(path);
        }
        Ok(())
    }
}

impl Sink for Staging {
    fn put(&self, rel: &str, bytes: Vec<u8>) {
        self.put_page(rel, bytes);
    }

    fn put_page(&self, rel: &str, bytes: Vec<u8>) -> Option<reuse::Hash> {
        let digest = self.incremental_on().then(|| reuse::digest(&bytes));
        if let Err(e) = self.write(rel, &bytes, digest) {
            self.fail(rel, e);
        }
        digest
    }

    fn keep(&self, rel: &str, digest: &reuse::Hash) -> bool {
        let kept = self
            .prepare(rel)
            .and_then(|path| self.reuse(rel, digest, &path));
        match kept {
            Ok(kept) => kept,
            Err(e) => {
                self.fail(rel, e);
                false
            }
        }
    }
}

impl Drop for Staging {
    /// An unpublished staging folder is removed, unless it is a recycled tree: that stays for
    /// the next build, which trusts none of it.
    fn drop(&mut self) {
        if !self.published && !self.recycled {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Whether `path` (or, while it does not exist, its folder) is on the file system of `out`'s
/// folder: a folder can only be swapped with one on the same file system.
fn same_file_system(path: &Path, out: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let device = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    let here = device(path).or_else(|| path.parent().and_then(device));
    here.is_some() && here == device(&files::swap::parent_of(out))
}

/// Removes from the folder `dir` (at `prefix` in the site) every file, link and folder that is
/// not in `keep` or on the way to something in it (a recycled staging folder, before the swap).
fn remove_all_but(dir: &Path, prefix: &str, keep: &BTreeSet<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            std::fs::remove_file(entry.path())
                .or_else(|_| std::fs::remove_dir_all(entry.path()))?;
            continue;
        };
        let rel = format!("{prefix}{name}");
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            let inside = format!("{rel}/");
            if keep
                .range(inside.clone()..)
                .next()
                .is_some_and(|k| k.starts_with(&inside))
            {
                remove_all_but(&path, &inside, keep)?;
            } else {
                std::fs::remove_dir_all(&path)?;
            }
        } else if !keep.contains(&rel) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Writes `files` (relative path with `/` → bytes) as the new content of `out`.
pub fn write_site(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
    let staging = Staging::new(out)?;
    for (rel, bytes) in files {
        staging.put(rel, bytes.clone());
    }
    staging.publish()
}

/// Whether `rel` inside the open folder `dir` is a regular file (a symbolic link is not
/// followed), and its identity; `None` when it cannot be stat'ed. `rel` is a path
/// [`safe_join`] accepted.
fn lstat_in(dir: &std::fs::File, rel: &str) -> Option<(bool, FileId)> {
    use std::os::fd::AsRawFd;
    let name = std::ffi::CString::new(rel).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `name` is NUL-terminated and `st` is written by the call before it is read.
    let st = unsafe {
        if libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            st.as_mut_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        ) != 0
        {
            return None;
        }
        st.assume_init()
    };
    let id = FileId {
        inode: st.st_ino as u64,
        len: st.st_size as u64,
        mtime_ns: i128::from(st.st_mtime) * 1_000_000_000 + i128::from(st.st_mtime_nsec),
    };
    Some((st.st_mode & libc::S_IFMT == libc::S_IFREG, id))
}

/// `root/rel` for a generated relative path; refuses absolute paths and `..`.
fn safe_join(root: &Path, rel: &str) -> io::Result<PathBuf> {
    let mut path = root.to_path_buf();
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return Err(io::Error::other(format!(
                "refusing to write output path `{rel}`"
            )));
        }
        path.push(part);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn swaps_and_keeps_readme() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("README.md"), "keep").unwrap();
        std::fs::write(out.join("stale.html"), "old").unwrap();
        let files = BTreeMap::from([
            ("index.html".to_string(), b"new".to_vec()),
            ("a/b.css".to_string(), b"x".to_vec()),
        ]);
        write_site(&out, &files).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("README.md")).unwrap(),
            "keep"
        );
        assert!(!out.join("stale.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n != ".kitei-lock-site")
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn an_unpublished_staging_folder_disappears_and_the_old_site_stays() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("index.html"), "old").unwrap();
        {
            let staging = Staging::new(&out).unwrap();
            staging.put("index.html", b"new".to_vec());
            staging.put("a/b/c.html", b"deep".to_vec());
            assert_eq!(
                staging.written().into_iter().collect::<Vec<_>>(),
                ["a/b/c.html", "index.html"]
            );
        } // a failed build drops it
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n != ".kitei-lock-site")
            .collect();
        assert_eq!(names, ["site"], "{names:?}");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "old"
        );
    }

    /// One incremental build of `files` into `out`: (linked, unchanged in place).
    fn stage(out: &Path, manifest: &Path, files: &[(&str, &str)]) -> (usize, usize) {
        let staging = Staging::incremental(out, manifest.to_path_buf()).unwrap();
        for (rel, text) in files {
            staging.put_page(rel, text.as_bytes().to_vec());
        }
        let counts = (staging.linked(), staging.unchanged());
        staging.publish().unwrap();
        counts
    }

    fn tree_of(dir: &Path) -> BTreeMap<String, String> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (rel, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect()
    }

    fn expect(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(r, t)| (r.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn the_tree_a_swap_moved_out_is_the_next_staging_folder_and_trusted_for_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir(dir.path().join("cache")).unwrap();
        let manifest = dir.path().join("cache/site.files");
        let recycled = manifest.with_extension("tree");
        let first = [("a.html", "A"), ("b.html", "B"), ("sub/c.html", "C")];
        stage(&out, &manifest, &first);
        assert!(!recycled.exists(), "nothing was swapped out");
        assert_eq!(
            stage(&out, &manifest, &first),
            (3, 0),
            "linked into a new folder"
        );
        assert_eq!(tree_of(&recycled), expect(&first), "the old tree is kept");

        // Brought up to date in place: one file stays, one is rewritten, one goes with its
        // folder, one is new; the tree swapped out still holds the old bytes (nothing was
        // written through a hard link into the published site).
        let third = [("a.html", "A"), ("b.html", "B2"), ("d/e.html", "E")];
        assert_eq!(stage(&out, &manifest, &third), (0, 1));
        assert_eq!(tree_of(&out), expect(&third));
        assert_eq!(tree_of(&recycled), expect(&first));

        // A published file edited by hand (in place, so its recycled twin changes too) is not
        // carried forward.
        std::fs::OpenOptions::new()
            .append(true)
            .open(out.join("a.html"))
            .unwrap()
            .write_all(b" edited")
            .unwrap();
        stage(&out, &manifest, &third);
        assert_eq!(tree_of(&out), expect(&third));

        // A symbolic link in the recycled tree is removed, never followed.
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::remove_dir_all(recycled.join("d")).unwrap();
        std::os::unix::fs::symlink(&outside, recycled.join("d")).unwrap();
        std::fs::write(recycled.join("b.html"), "stray bytes").unwrap();
        let fifth = [("a.html", "A"), ("b.html", "B2"), ("d/e.html", "E5")];
        stage(&out, &manifest, &fifth);
        assert_eq!(tree_of(&out), expect(&fifth));
        assert!(!out.join("d").symlink_metadata().unwrap().is_symlink());
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    }

    #[test]
    fn a_file_is_stat_ed_in_its_open_folder_as_by_its_whole_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/c.html"), "C").unwrap();
        std::os::unix::fs::symlink("sub/c.html", dir.path().join("link.html")).unwrap();
        let handle = std::fs::File::open(dir.path()).unwrap();
        let meta = std::fs::symlink_metadata(dir.path().join("sub/c.html")).unwrap();
        assert_eq!(
            lstat_in(&handle, "sub/c.html"),
            Some((true, FileId::of(&meta)))
        );
        // A symbolic link is itself, not what it points to; a missing file is nothing.
        let (regular, id) = lstat_in(&handle, "link.html").unwrap();
        assert!(!regular);
        assert_ne!(id, FileId::of(&meta));
        assert_eq!(lstat_in(&handle, "missing.html"), None);
        assert_eq!(lstat_in(&handle, "nul\0byte"), None);
    }

    #[test]
    fn refuses_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        let files = BTreeMap::from([("../x.html".to_string(), Vec::new())]);
        assert!(write_site(&dir.path().join("site"), &files).is_err());
        assert!(!dir.path().join("x.html").exists());
    }
}
