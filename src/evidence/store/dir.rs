//! A local folder as a store (`kitei publish --to DIR`): the same layout and the same
//! create-once rule as object storage (files are created with create-new and made read-only).
//! A folder cannot enforce retention: anyone with write access to it can delete. Keep it in a
//! repository (git) or on a WORM volume when that matters.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{Body, Created, Store};
use crate::evidence::Error;

pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: &Path) -> DirStore {
        DirStore {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    fn fail(&self, what: &str, path: &Path, e: std::io::Error) -> Error {
        Error::new(
            format!("cannot {what} {}: {e}", path.display()),
            "check the folder's permissions and free disk space",
        )
    }
}

impl Store for DirStore {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let path = self.path(key);
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.fail("read", &path, e)),
        }
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let (folder, start) = prefix.rsplit_once('/').unwrap_or(("", prefix));
        let dir = self.path(folder);
        let read = match std::fs::read_dir(&dir) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.fail("list", &dir, e)),
        };
        let mut keys: Vec<String> = read
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.starts_with(start) && !n.starts_with('.'))
            .map(|n| {
                if folder.is_empty() {
                    n
                } else {
                    format!("{folder}/{n}")
                }
            })
            .collect();
        keys.sort();
        Ok(keys)
    }

    fn create(
        &self,
        key: &str,
        body: Body,
        _retain_until: Option<DateTime<Utc>>,
    ) -> Result<Created, Error> {
        let path = self.path(key);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| self.fail("create", parent, e))?;
        }
        if path.exists() {
            return Ok(Created::Exists);
        }
        // Written beside, flushed, then moved into place without replacing: two writers
        // cannot both create the name, and nobody sees a half-written file.
        let parent = path.parent().unwrap_or(&self.root);
        let mut tmp = tempfile::Builder::new()
            .prefix(".kitei-publish-")
            .tempfile_in(parent)
            .map_err(|e| self.fail("write in", parent, e))?;
        match body {
            Body::Bytes(b) => tmp.write_all(b),
            Body::File(from) => std::fs::File::open(from)
                .and_then(|mut f| std::io::copy(&mut f, &mut tmp).map(|_| ())),
        }
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| self.fail("write", &path, e))?;
        match tmp.persist_noclobber(&path) {
            Ok(_) => {}
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Ok(Created::Exists);
            }
            Err(e) => return Err(self.fail("create", &path, e.error)),
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444));
        }
        std::fs::File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| self.fail("sync", parent, e))?;
        Ok(Created::Yes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_and_lists_in_order() {
        let d = tempfile::tempdir().unwrap();
        let s = DirStore::new(d.path());
        assert_eq!(s.list("ledger/").unwrap(), Vec::<String>::new());
        assert_eq!(
            s.create("ledger/000002.json", Body::Bytes(b"2"), None)
                .unwrap(),
            Created::Yes
        );
        assert_eq!(
            s.create("ledger/000001.json", Body::Bytes(b"1"), None)
                .unwrap(),
            Created::Yes
        );
        assert_eq!(
            s.create("ledger/000001.json", Body::Bytes(b"other"), None)
                .unwrap(),
            Created::Exists
        );
        assert_eq!(s.get("ledger/000001.json").unwrap().unwrap(), b"1");
        assert_eq!(s.get("ledger/000009.json").unwrap(), None);
        assert_eq!(
            s.list("ledger/").unwrap(),
            ["ledger/000001.json", "ledger/000002.json"]
        );
    }

    #[test]
    fn of_many_concurrent_creates_exactly_one_wins() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().to_path_buf();
        let results: Vec<Created> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let root = root.clone();
                    scope.spawn(move || {
                        let body = format!("writer {i}");
                        DirStore::new(&root)
                            .create("ledger/000001.json", Body::Bytes(body.as_bytes()), None)
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|r| **r == Created::Yes).count(), 1);
        let kept = DirStore::new(&root)
            .get("ledger/000001.json")
            .unwrap()
            .unwrap();
        assert!(kept.starts_with(b"writer "));
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(root.join("ledger")).unwrap().count(), 1);
    }
}
