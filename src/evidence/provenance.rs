//! Where a bundle's sources came from, told honestly: whether the git working tree matched the
//! recorded commit, a digest of what differed when it did not, and a bagging time that is never
//! a placeholder (outside git: `SOURCE_DATE_EPOCH` or the newest source file's time).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::history::git;

/// The state of the working tree the sources were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceTree {
    /// Not inside a git work tree (or git is not installed).
    NotInGit,
    /// Every tracked file equals the HEAD commit and there is no untracked file.
    Clean,
    /// Uncommitted changes: `sha256:` of the changes (tracked diff against HEAD, then each
    /// untracked file's name and content), and how many paths differ.
    Modified { digest: String, paths: usize },
}

impl SourceTree {
    /// The `Kitei-Source-Tree` value of bag-info.txt.
    pub fn label(&self) -> &'static str {
        match self {
            SourceTree::NotInGit => "not-in-git",
            SourceTree::Clean => "clean",
            SourceTree::Modified { .. } => "modified",
        }
    }
}

/// A git pathspec that leaves out kitei's own files (lock files, temporaries) at any depth.
const NOT_KITEI: &str = ":(exclude,glob)**/.kitei-*";

/// Reads the state of the working tree under `root` (the project folder). Paths git ignores
/// (`evidence/`, `site/`) do not count, nor kitei's own lock files and temporaries
/// (`.kitei-*`, e.g. `.kitei-lock-evidence` beside the evidence folder), whether or not the
/// project's .gitignore lists them.
pub fn source_tree(root: &Path) -> SourceTree {
    if git::query(root, &["rev-parse", "--verify", "HEAD"]).is_none() {
        return SourceTree::NotInGit;
    }
    let Ok(status) = git::run(
        root,
        &["status", "--porcelain=v1", "-z", "--", ".", NOT_KITEI],
    ) else {
        return SourceTree::NotInGit;
    };
    let paths = status.split(|&b| b == 0).filter(|p| !p.is_empty()).count();
    if paths == 0 {
        return SourceTree::Clean;
    }
    let mut hash = Sha256::new();
    hash.update(b"kitei-uncommitted/1\ndiff\n");
    if let Ok(diff) = git::run(
        root,
        &[
            "diff",
            "HEAD",
            "--binary",
            "--no-color",
            "--",
            ".",
            NOT_KITEI,
        ],
    ) {
        hash.update(&diff);
    }
    hash.update(b"\nuntracked\n");
    if let Ok(list) = git::run(
        root,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            ".",
            NOT_KITEI,
        ],
    ) {
        let mut names: Vec<&[u8]> = list.split(|&b| b == 0).filter(|p| !p.is_empty()).collect();
        names.sort_unstable();
        for name in names {
            let path = root.join(String::from_utf8_lossy(name).as_ref());
            let content = crate::digest::sha256_file(&path).unwrap_or_else(|_| "unreadable".into());
            hash.update(name);
            hash.update(b"\0");
            hash.update(content.as_bytes());
            hash.update(b"\n");
        }
    }
    SourceTree::Modified {
        digest: format!("sha256:{}", hex(&hash.finalize())),
        paths,
    }
}

/// The newest modification time (Unix seconds) of `files`, for bundles sealed outside git
/// without `SOURCE_DATE_EPOCH`.
pub fn newest_mtime<'a>(files: impl IntoIterator<Item = &'a Path>) -> Option<i64> {
    files
        .into_iter()
        .filter_map(|p| std::fs::metadata(p).ok()?.modified().ok())
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn clean_modified_and_outside_git() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(source_tree(d.path()), SourceTree::NotInGit);
        std::fs::write(d.path().join("a.md"), "one\n").unwrap();
        git(d.path(), &["init", "-q"]);
        git(d.path(), &["add", "."]);
        git(d.path(), &["commit", "-q", "-m", "a"]);
        assert_eq!(source_tree(d.path()), SourceTree::Clean);
        std::fs::write(d.path().join("a.md"), "two\n").unwrap();
        let edited = source_tree(d.path());
        assert!(
            matches!(edited, SourceTree::Modified { paths: 1, .. }),
            "{edited:?}"
        );
        std::fs::write(d.path().join("a.md"), "three\n").unwrap();
        let other = source_tree(d.path());
        assert_ne!(edited, other, "a different edit gives a different digest");
        std::fs::write(d.path().join("a.md"), "one\n").unwrap();
        std::fs::write(d.path().join("new.md"), "new\n").unwrap();
        assert!(matches!(
            source_tree(d.path()),
            SourceTree::Modified { paths: 1, .. }
        ));
    }

    #[test]
    fn newest_mtime_is_the_latest_file() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        std::fs::write(&a, "a").unwrap();
        let t = newest_mtime([a.as_path()]).unwrap();
        assert!(t > 1_600_000_000, "{t}");
        assert_eq!(newest_mtime([d.path().join("none").as_path()]), None);
    }
}
