//! Leftovers of interrupted runs. A run killed mid-build leaves its staging folder
//! (`.kitei-build-<pid>-<random>-<output>`), one killed mid-swap an old tree
//! (`.kitei-old-<pid>-<random>-<output>`), one killed mid-seal a partial zip
//! (`.kitei-seal-<pid>-<random>.zip.tmp`) or a temporary ledger (`.kitei-<pid>-<random>.tmp`).
//! Called with the output's lock held ([`super::lock`]), these remove what matches kitei's own
//! names exactly and belongs to a process that is no longer alive (or to this one, which has
//! made none yet); nothing else is touched. Names from kitei versions before the pid was in
//! them (`.kitei-build-<random>`) are removed when older than an hour.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::lock::process_alive;
use super::swap::parent_of;

/// How old a leftover without a pid must be before it is removed.
const LEGACY_AGE: Duration = Duration::from_secs(3600);

/// What a cleanup did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Leftovers removed.
    pub removed: Vec<PathBuf>,
    /// The old tree put back at the output folder (a crash between the fallback's renames).
    pub restored: Option<PathBuf>,
}

/// Whose a name is, when it is one of kitei's temporary names.
#[derive(Debug, PartialEq, Eq)]
enum Owner {
    Process(u32),
    /// An older kitei's name, without a pid.
    Unknown,
}

/// `<prefix><pid>-<random><suffix>` or (older) `<prefix><random><legacy_suffix>`.
fn owner(name: &str, prefix: &str, suffix: &str, legacy_suffix: &str) -> Option<Owner> {
    let random = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    let middle = name.strip_prefix(prefix)?;
    if let Some(middle) = middle.strip_suffix(suffix)
        && let Some((pid, rest)) = middle.split_once('-')
        && random(rest)
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
    {
        return pid.parse().ok().map(Owner::Process);
    }
    let legacy = middle.strip_suffix(legacy_suffix)?;
    random(legacy).then_some(Owner::Unknown)
}

/// Whether a leftover may go: its process is gone (or is this one), or it has no pid and is old.
fn stale(owner: &Owner, path: &Path) -> bool {
    match owner {
        Owner::Process(pid) => *pid == std::process::id() || !process_alive(*pid),
        Owner::Unknown => std::fs::symlink_metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > LEGACY_AGE),
    }
}

fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<(String, PathBuf)> = read
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.to_string(), e.path())))
        .collect();
    v.sort();
    v
}

fn remove(path: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// Removes the stale staging folders and old trees of output folder `out`; when `out` is
/// missing and an old tree of a dead run exists, puts that back first.
pub fn clean_output_leftovers(out: &Path) -> io::Result<Cleaned> {
    let Some(name) = out.file_name().and_then(|n| n.to_str()) else {
        return Ok(Cleaned::default());
    };
    let suffix = format!("-{name}");
    let mut cleaned = Cleaned::default();
    let mut found: Vec<(bool, PathBuf)> = Vec::new(); // (is an old tree, path)
    for (file, path) in entries(&parent_of(out)) {
        for (kind, is_old) in [(".kitei-build-", false), (".kitei-old-", true)] {
            if let Some(o) = owner(&file, kind, &suffix, "")
                && stale(&o, &path)
            {
                found.push((is_old, path.clone()));
            }
        }
    }
    if out.symlink_metadata().is_err() {
        // The newest old tree (a crash between "old aside" and "new in").
        let newest = found
            .iter()
            .filter(|(is_old, _)| *is_old)
            .max_by_key(|(_, p)| std::fs::symlink_metadata(p).and_then(|m| m.modified()).ok())
            .map(|(_, p)| p.clone());
        if let Some(old) = newest {
            std::fs::rename(&old, out)?;
            found.retain(|(_, p)| p != &old);
            cleaned.restored = Some(old);
        }
    }
    for (_, path) in found {
        remove(&path)?;
        cleaned.removed.push(path);
    }
    Ok(cleaned)
}

/// Removes the stale temporary files kitei writes inside `dir` (partial bundle zips, ledger and
/// signature temporaries).
pub fn clean_temp_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for (file, path) in entries(dir) {
        let o = owner(&file, ".kitei-seal-", ".zip.tmp", ".zip.tmp")
            .or_else(|| owner(&file, ".kitei-", ".tmp", ".tmp"));
        if let Some(o) = o
            && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
            && stale(&o, &path)
        {
            std::fs::remove_file(&path)?;
            removed.push(path);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kitei_names_only() {
        let pid = |n| owner(n, ".kitei-build-", "-site", "");
        assert_eq!(pid(".kitei-build-42-aB3xY9-site"), Some(Owner::Process(42)));
        assert_eq!(pid(".kitei-build-aB3xY9"), Some(Owner::Unknown));
        assert_eq!(pid(".kitei-build-42-aB3xY9-site-public"), None);
        assert_eq!(pid(".kitei-build-42-aB3xY9x-site"), None);
        assert_eq!(pid(".kitei-build-x2-aB3xY9-site"), None);
        assert_eq!(pid("kitei-build-42-aB3xY9-site"), None);
        assert_eq!(pid(".kitei-build-notes"), None);
        let tmp = |n| owner(n, ".kitei-", ".tmp", ".tmp");
        assert_eq!(tmp(".kitei-7-abcdef.tmp"), Some(Owner::Process(7)));
        assert_eq!(tmp(".kitei-abcdef.tmp"), Some(Owner::Unknown));
        assert_eq!(tmp(".kitei-lock-site"), None);
        assert_eq!(tmp(".kitei-cache"), None);
    }

    #[test]
    fn removes_only_its_own_leftovers_of_dead_runs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir(&out).unwrap();
        let dead = 1 << 23; // above any pid_max
        let live = std::process::id();
        let make = |n: &str| {
            std::fs::create_dir(dir.path().join(n)).unwrap();
            std::fs::write(dir.path().join(n).join("f"), "x").unwrap();
        };
        make(&format!(".kitei-build-{dead}-abc123-site"));
        make(&format!(".kitei-old-{dead}-abc124-site"));
        make(&format!(".kitei-build-{dead}-abc125-site-public")); // another output
        make(".kitei-build-abc126"); // a new legacy name: too young
        make(".kitei-cache");
        make("kitei-build-1-abc127-site"); // not hidden: not kitei's
        std::fs::write(dir.path().join(".kitei-lock-site"), "1").unwrap();
        let cleaned = clean_output_leftovers(&out).unwrap();
        assert_eq!(cleaned.removed.len(), 2, "{cleaned:?}");
        assert_eq!(cleaned.restored, None);
        let mut left: Vec<String> = entries(dir.path()).into_iter().map(|(n, _)| n).collect();
        left.sort();
        assert_eq!(
            left,
            [
                format!(".kitei-build-{dead}-abc125-site-public"),
                ".kitei-build-abc126".into(),
                ".kitei-cache".into(),
                ".kitei-lock-site".into(),
                "kitei-build-1-abc127-site".into(),
                "site".into(),
            ]
        );
        // A live process's folder stays (the parent of this test is alive).
        let parent = std::os::unix::process::parent_id();
        assert_ne!(parent, live);
        make(&format!(".kitei-build-{parent}-abc128-site"));
        assert!(clean_output_leftovers(&out).unwrap().removed.is_empty());
    }

    #[test]
    fn puts_back_the_old_tree_of_a_run_killed_between_the_renames() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let old = dir
            .path()
            .join(format!(".kitei-old-{}-abc123-site", 1 << 23));
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("index.html"), "old").unwrap();
        let cleaned = clean_output_leftovers(&out).unwrap();
        assert_eq!(cleaned.restored, Some(old));
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "old"
        );
    }

    #[test]
    fn temp_files_of_dead_runs_go() {
        let dir = tempfile::tempdir().unwrap();
        let dead = 1 << 23;
        for n in [
            format!(".kitei-seal-{dead}-abc123.zip.tmp"),
            format!(".kitei-{dead}-abc124.tmp"),
            format!(".kitei-{}-abc125.tmp", std::os::unix::process::parent_id()),
            "kitei-evidence-000001.zip".into(),
            "LEDGER.json".into(),
        ] {
            std::fs::write(dir.path().join(n), "x").unwrap();
        }
        let removed = clean_temp_files(dir.path()).unwrap();
        assert_eq!(removed.len(), 2, "{removed:?}");
        assert_eq!(entries(dir.path()).len(), 3);
    }
}
