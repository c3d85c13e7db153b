//! Replacing an output folder by a complete new one without a moment in which neither exists.
//! On Linux the two folders trade places in one `renameat2(RENAME_EXCHANGE)`: a web server
//! reading `site/` sees the old tree or the new one, nothing else, and a crash at any moment
//! leaves one of them at `site/`. Where the kernel or the file system has no exchange (other
//! systems; `EINVAL` from some file systems, e.g. older NFS or overlay setups), the old folder
//! is renamed aside and the new one renamed in: between those two renames `site/` is missing
//! for a moment, and a crash there leaves the old tree in `.kitei-old-*`, which the next run
//! puts back ([`super::stale`]). `KITEI_SWAP=rename` forces that fallback (tests, diagnosis).

use std::io;
use std::path::{Path, PathBuf};

use crate::crash_points;

/// How a folder was put in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swap {
    /// There was no folder: one rename.
    Moved,
    /// One atomic exchange (no gap).
    Exchanged,
    /// Two renames (a short gap with no folder).
    Renamed,
}

/// The temporary name kitei gives a folder of its own beside `out`: `.kitei-<kind>-<pid>-`
/// then tempfile's random part then `-<out's name>`, so leftovers can be traced to an output
/// and a process ([`super::stale`]).
pub fn temp_dir_beside(out: &Path, kind: &str) -> io::Result<PathBuf> {
    let parent = parent_of(out);
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::other(format!("{} has no usable name", out.display())))?;
    Ok(tempfile::Builder::new()
        .prefix(&format!(".kitei-{kind}-{}-", std::process::id()))
        .suffix(&format!("-{name}"))
        .tempdir_in(&parent)?
        .keep())
}

/// The folder `out` is in (`.` for a bare name).
pub fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Puts the folder `new` at `out` (a folder or nothing) and removes the old tree.
pub fn replace_dir(new: &Path, out: &Path) -> io::Result<Swap> {
    replace_dir_keeping(new, out, None)
}

/// Like [`replace_dir`], but the old tree is moved to `keep_old_at` (on the same file system;
/// whatever was there is removed first) instead of being removed: an incremental build keeps
/// it as its next staging folder. When `new` is `keep_old_at`, the exchange alone leaves the
/// old tree there. The old tree is removed when it cannot be moved.
pub fn replace_dir_keeping(new: &Path, out: &Path, keep_old_at: Option<&Path>) -> io::Result<Swap> {
    crash_points::reached("site-swap");
    if out.symlink_metadata().is_err() {
        std::fs::rename(new, out)?;
        crash_points::reached("site-swapped");
        return Ok(Swap::Moved);
    }
    if !out.is_dir() || out.symlink_metadata()?.file_type().is_symlink() {
        return Err(io::Error::other(format!(
            "{} exists and is not a folder",
            out.display()
        )));
    }
    let forced_fallback = std::env::var("KITEI_SWAP").is_ok_and(|v| v == "rename");
    if !forced_fallback {
        match exchange(new, out) {
            Ok(()) => {
                crash_points::reached("site-swapped");
                // `new` now names the old tree.
                put_old_tree(new, keep_old_at)?;
                return Ok(Swap::Exchanged);
            }
            Err(e) if exchange_unsupported(&e) => {}
            Err(e) => return Err(e),
        }
    }
    replace_by_renames(new, out, keep_old_at)?;
    Ok(Swap::Renamed)
}

/// Moves the old tree at `old` to `keep_at`, or removes it.
fn put_old_tree(old: &Path, keep_at: Option<&Path>) -> io::Result<()> {
    match keep_at {
        Some(keep_at) if keep_at == old => Ok(()),
        Some(keep_at) => {
            if keep_at.symlink_metadata().is_ok() {
                let _ = std::fs::remove_dir_all(keep_at).or_else(|_| std::fs::remove_file(keep_at));
            }
            if std::fs::rename(old, keep_at).is_err() {
                std::fs::remove_dir_all(old)?;
            }
            Ok(())
        }
        None => std::fs::remove_dir_all(old),
    }
}

/// The fallback: `out` renamed aside, `new` renamed in, the old tree removed (or kept at
/// `keep_old_at`).
fn replace_by_renames(new: &Path, out: &Path, keep_old_at: Option<&Path>) -> io::Result<()> {
    let old = temp_dir_beside(out, "old")?;
    std::fs::remove_dir(&old)?;
    std::fs::rename(out, &old)?;
    crash_points::reached("site-swap-gap");
    if let Err(e) = std::fs::rename(new, out) {
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    crash_points::reached("site-swapped");
    put_old_tree(&old, keep_old_at)
}

/// Whether an exchange failed because this system or file system cannot do it (then the
/// two renames are used), rather than for a reason the renames would meet too.
fn exchange_unsupported(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
    }
    #[cfg(not(target_os = "linux"))]
    {
        e.kind() == io::ErrorKind::Unsupported
    }
}

/// Swaps two existing paths atomically (`renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::other(format!("{} contains a NUL byte", p.display())))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two valid NUL-terminated paths relative to the working directory.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange on this system",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path, file: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(file), text).unwrap();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_in_one_step_and_leaves_nothing_beside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        tree(&out, "index.html", "old");
        let new = temp_dir_beside(&out, "build").unwrap();
        tree(&new, "index.html", "new");
        let how = replace_dir(&new, &out).unwrap();
        #[cfg(target_os = "linux")]
        assert!(
            matches!(how, Swap::Exchanged | Swap::Renamed),
            "{how:?} (Renamed only where the file system refuses the exchange)"
        );
        let _ = how;
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
        assert_eq!(names(dir.path()), ["site"]);
        // Into nothing: one rename.
        let fresh = dir.path().join("fresh");
        let new = temp_dir_beside(&fresh, "build").unwrap();
        assert_eq!(replace_dir(&new, &fresh).unwrap(), Swap::Moved);
        assert_eq!(names(dir.path()), ["fresh", "site"]);
    }

    #[test]
    fn the_fallback_renames_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        tree(&out, "a.html", "old");
        let new = temp_dir_beside(&out, "build").unwrap();
        tree(&new, "b.html", "new");
        replace_by_renames(&new, &out, None).unwrap();
        assert_eq!(names(&out), ["b.html"]);
        assert_eq!(names(dir.path()), ["site"]);
    }

    #[test]
    fn the_old_tree_is_kept_where_asked() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let keep = dir.path().join("cache/site.tree");
        std::fs::create_dir(dir.path().join("cache")).unwrap();
        tree(&out, "a.html", "1");
        let new = temp_dir_beside(&out, "build").unwrap();
        tree(&new, "a.html", "2");
        replace_dir_keeping(&new, &out, Some(&keep)).unwrap();
        let read = |d: &Path| std::fs::read_to_string(d.join("a.html")).unwrap();
        assert_eq!((read(&out), read(&keep)), ("2".into(), "1".into()));
        assert_eq!(names(dir.path()), ["cache", "site"]);
        // The kept tree staged again: the exchange alone leaves the old one in its place.
        tree(&keep, "a.html", "3");
        replace_dir_keeping(&keep, &out, Some(&keep)).unwrap();
        assert_eq!((read(&out), read(&keep)), ("3".into(), "2".into()));
        // The fallback's two renames keep it too, replacing what was kept.
        let new = temp_dir_beside(&out, "build").unwrap();
        tree(&new, "a.html", "4");
        replace_by_renames(&new, &out, Some(&keep)).unwrap();
        assert_eq!((read(&out), read(&keep)), ("4".into(), "3".into()));
        assert_eq!(names(dir.path()), ["cache", "site"]);
    }

    #[test]
    fn temporary_names_carry_the_pid_and_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let t = temp_dir_beside(&dir.path().join("site-public"), "build").unwrap();
        let name = t.file_name().unwrap().to_str().unwrap().to_string();
        let prefix = format!(".kitei-build-{}-", std::process::id());
        assert!(
            name.starts_with(&prefix) && name.ends_with("-site-public"),
            "{name}"
        );
    }

    #[test]
    fn a_file_in_the_way_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::write(&out, "not a folder").unwrap();
        let new = temp_dir_beside(&out, "build").unwrap();
        let e = replace_dir(&new, &out).unwrap_err();
        assert!(e.to_string().contains("is not a folder"), "{e}");
    }
}
