//! Writing the site: every file goes into a fresh temporary folder beside the output folder,
//! which replaces the old one only when complete. A failed build leaves the old site as it
//! was. The old tree is deleted after the swap (deleting first is the slow part on most disks).
//! Bytes depend only on the rendered map (sorted paths, no timestamps in content).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Files kept from the previous output folder because they are not generated (the folder's
/// README is committed to git).
const KEEP: &[&str] = &["README.md"];

/// Writes `files` (relative path with `/` → bytes) as the new content of `out`.
pub fn write_site(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let tmp = tempfile::Builder::new()
        .prefix(".kitei-build-")
        .tempdir_in(&parent)?;
    for (rel, bytes) in files {
        let path = safe_join(tmp.path(), rel)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, bytes)?;
    }
    for keep in KEEP {
        let old = out.join(keep);
        if old.is_file() && !files.contains_key(*keep) {
            std::fs::copy(&old, tmp.path().join(keep))?;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempdir creates 0700; a site is read by a web server or colleagues.
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))?;
    }
    let new = tmp.keep();
    swap_in(&new, out, &parent).inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&new);
    })
}

/// Moves `new` to `out`; an existing `out` is moved aside first and deleted afterwards.
fn swap_in(new: &Path, out: &Path, parent: &Path) -> io::Result<()> {
    if out.symlink_metadata().is_err() {
        return std::fs::rename(new, out);
    }
    if !out.is_dir() {
        return Err(io::Error::other(format!(
            "{} exists and is not a folder",
            out.display()
        )));
    }
    let old = tempfile::Builder::new()
        .prefix(".kitei-old-")
        .tempdir_in(parent)?
        .keep();
    std::fs::remove_dir(&old)?;
    std::fs::rename(out, &old)?;
    if let Err(e) = std::fs::rename(new, out) {
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    std::fs::remove_dir_all(&old)
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
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn refuses_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        let files = BTreeMap::from([("../x.html".to_string(), Vec::new())]);
        assert!(write_site(&dir.path().join("site"), &files).is_err());
        assert!(!dir.path().join("x.html").exists());
    }
}
