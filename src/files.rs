//! Writing a file whole or not at all: the bytes go to a temporary file in the same folder,
//! which is then renamed over the target, so a reader sees the old file or the complete new
//! one, never half of it (a crash, a full disk, Ctrl-C). A leaf: it uses nothing of the crate.

use std::io::Write;
use std::path::Path;

/// How [`write_atomically`] writes.
#[derive(Debug, Clone, Copy)]
pub struct How {
    /// Unix permissions of the new file (less the umask).
    pub mode: u32,
    /// Replace an existing file; otherwise an existing file is an error (`AlreadyExists`).
    pub replace: bool,
    /// Flush to disk before the rename (records that must survive a power cut).
    pub sync: bool,
}

impl How {
    /// An ordinary file (0644), replaced if present, not flushed: caches, stamps, reports.
    pub const FILE: How = How {
        mode: 0o644,
        replace: true,
        sync: false,
    };
    /// A record worth a flush (bundles' ledger, signatures, public keys), replaced if present.
    pub const DURABLE: How = How {
        sync: true,
        ..How::FILE
    };
    /// A secret readable by its owner only (0600), flushed.
    pub const SECRET: How = How {
        mode: 0o600,
        ..How::DURABLE
    };

    /// The same, but never replacing an existing file.
    pub const fn new_only(self) -> How {
        How {
            replace: false,
            ..self
        }
    }
}

/// Writes `bytes` to `path` atomically; creates the parent folder.
pub fn write_atomically(path: &Path, bytes: &[u8], how: How) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kitei-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(how.mode));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if how.sync {
        tmp.as_file().sync_all()?;
    }
    if how.replace {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_or_refuses_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/a.txt");
        write_atomically(&path, b"one", How::FILE).unwrap();
        write_atomically(&path, b"two", How::FILE).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let e = write_atomically(&path, b"three", How::DURABLE.new_only()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let left: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(left.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let secret = dir.path().join("k.key");
            write_atomically(&secret, b"s", How::SECRET).unwrap();
            let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
    }
}
