//! The file system, used safely: a file is written whole or not at all (the bytes go to a
//! temporary file in the same folder, which is then renamed over the target, so a reader sees
//! the old file or the complete new one, never half of it: a crash, a full disk, Ctrl-C), only
//! regular files are read (never an open that blocks), an output folder is replaced in one step
//! ([`swap`]) by one process at a time ([`lock`]), and kitei's own leftovers of killed runs are
//! removed ([`stale`]). Uses nothing of the crate but [`crate::crash_points`].

pub mod lock;
pub mod stale;
pub mod swap;

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
    /// The [`crate::crash_points`] point between writing the temporary file and the rename.
    pub crash_point: Option<&'static str>,
}

impl How {
    /// An ordinary file (0644), replaced if present, not flushed: caches, stamps, reports.
    pub const FILE: How = How {
        mode: 0o644,
        replace: true,
        sync: false,
        crash_point: None,
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

    /// The same, with a crash point before the rename (tests, [`crate::crash_points`]).
    pub const fn crash_point(self, point: &'static str) -> How {
        How {
            crash_point: Some(point),
            ..self
        }
    }

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
    staged(path, bytes, how)?.put(how)
}

/// A file written whole beside its place and not yet renamed into it ([`Staged::put`]); deleted
/// if dropped before. Several files staged first and put after are all-or-nothing as far as
/// their writing goes.
pub struct Staged {
    tmp: tempfile::TempPath,
    path: std::path::PathBuf,
}

impl Staged {
    /// Renames the file into its place (see [`How::replace`]).
    pub fn put(self, how: How) -> std::io::Result<()> {
        if how.replace {
            self.tmp.persist(&self.path).map_err(|e| e.error)
        } else {
            self.tmp.persist_noclobber(&self.path).map_err(|e| e.error)
        }
    }
}

/// The first half of [`write_atomically`]: `bytes` in a temporary file beside `path`
/// (flushed if `how` says so), up to `how`'s crash point.
pub fn staged(path: &Path, bytes: &[u8], how: How) -> std::io::Result<Staged> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    // The pid lets a later run tell a leftover of a killed run from a live one's (`stale`).
    let prefix = format!(".kitei-{}-", std::process::id());
    builder.prefix(&prefix).suffix(".tmp");
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
    if let Some(point) = how.crash_point {
        crate::crash_points::reached(point);
    }
    Ok(Staged {
        tmp: tmp.into_temp_path(),
        path: path.to_path_buf(),
    })
}

/// What kind of thing a non-regular file is, for a message ("a FIFO (named pipe)").
pub fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// The error for a path that is not a regular file, naming what it is.
pub fn not_regular(file_type: &std::fs::FileType) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "it is {}, not a regular file (kitei reads only regular files and folders; \
             remove it or move it out of the folder)",
            kind_of(file_type)
        ),
    )
}

/// Opens `path` for reading only if it is a regular file. The open itself never blocks: it is
/// non-blocking (a FIFO with no writer would otherwise hang the open forever), and the type is
/// checked on the open handle, so a file swapped for a FIFO between a stat and the open is
/// refused too. The flag stays on the handle: it has no effect on a regular file's reads.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    open_regular_sized(path).map(|(file, _)| file)
}

/// [`open_regular`] and the file's metadata as the open handle saw it.
fn open_regular_sized(path: &Path) -> std::io::Result<(std::fs::File, std::fs::Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    Ok((file, meta))
}

/// Reads a regular file whole (see [`open_regular`]).
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    read_regular_stat(path).map(|(bytes, _)| bytes)
}

/// [`read_regular`] and the file's metadata, taken on the open handle before the read (so a
/// change during the read shows in the next stat). One `open`, one `statx` and one `read`:
/// `File::read_to_end` would ask for the length and position again (a `statx` and an `lseek`
/// per file, a fifth of the syscalls of a cold `check`) and read once more to see the end.
///
/// The read stops at the length the stat gave: bytes a writer appends after it belong to a
/// change the next build sees (the stat recorded for the file is the one taken here).
pub fn read_regular_stat(path: &Path) -> std::io::Result<(Vec<u8>, std::fs::Metadata)> {
    use std::io::Read;
    /// A reader that gives `read_to_end` no size hint of its own.
    struct Plain(std::fs::File);
    impl Read for Plain {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0.read(buf)
        }
    }
    let (file, meta) = open_regular_sized(path)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    Plain(file).take(meta.len()).read_to_end(&mut bytes)?;
    Ok((bytes, meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let err = read_regular(&fifo).unwrap_err();
        assert!(err.to_string().contains("a FIFO (named pipe)"), "{err}");
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "text").unwrap();
        assert_eq!(read_regular(&plain).unwrap(), b"text");
        assert!(read_regular(dir.path()).is_err());
    }

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
