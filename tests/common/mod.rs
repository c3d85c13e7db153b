//! Helpers shared by the integration tests: temporary copies of the example project and of
//! the base fixture. (Each test crate uses a subset, hence the `dead_code` allowance.)
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root (the example project: kitei.toml + policy-src/).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree, creating folders as needed.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of the example project (kitei.toml and policy-src/).
pub fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("kitei.toml"), dir.path().join("kitei.toml")).unwrap();
    copy_tree(&root().join("policy-src"), &dir.path().join("policy-src"));
    dir
}

/// A temporary copy of `tests/fixtures/base`, the minimal policy that checks clean.
pub fn base_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/fixtures/base"), dir.path());
    dir
}

/// Every file of a folder: relative path → bytes (to compare whole output trees).
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}
