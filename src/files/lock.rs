//! One writer per output folder. Before kitei replaces `site/` or extends `evidence/`, it takes
//! an exclusive `flock` on a lock file beside the folder (`.kitei-lock-site`,
//! `.kitei-lock-evidence`), so a `kitei serve` rebuilding and a `kitei build`, or two CI steps,
//! take turns instead of interleaving. The lock is the kernel's: it is released when the process
//! ends, however it ends, so a killed run never leaves a lock behind. The file holds the
//! holder's pid for the message another process prints while it waits; the file itself is never
//! deleted (deleting a lock file lets two processes lock two different files). On systems
//! without `flock` no lock is taken.

use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::swap::parent_of;

/// An exclusive lock on an output folder, held until dropped.
#[derive(Debug)]
pub struct OutputLock {
    _file: std::fs::File,
    path: PathBuf,
}

impl OutputLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock file of output folder `out`: `.kitei-lock-<name>` beside it.
pub fn lock_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    parent_of(out).join(format!(".kitei-lock-{name}"))
}

/// Locks `out` for `doing` (e.g. "building", "sealing into"). When another process holds it,
/// says so on stderr ("another kitei (pid N) is building site/; waiting…") and waits.
pub fn lock_output(out: &Path, doing: &str) -> io::Result<OutputLock> {
    let path = lock_path(out);
    std::fs::create_dir_all(parent_of(out))?;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    if !try_lock(&file)? {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        let holder = holder.trim();
        let who = if holder.is_empty() {
            "another kitei".to_string()
        } else {
            format!("another kitei (pid {holder})")
        };
        eprintln!(
            "{who} is {doing} {}; waiting… (the lock is {})",
            out.display(),
            path.display()
        );
        lock_blocking(&file)?;
    }
    file.set_len(0)?;
    file.seek(io::SeekFrom::Start(0))?;
    write!(file, "{}", std::process::id())?;
    Ok(OutputLock { _file: file, path })
}

/// Takes the lock if it is free; `false` when another process holds it.
#[cfg(unix)]
fn try_lock(file: &std::fs::File) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor this module owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(unix)]
fn lock_blocking(file: &std::fs::File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: as above.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(not(unix))]
fn try_lock(_: &std::fs::File) -> io::Result<bool> {
    Ok(true)
}

#[cfg(not(unix))]
fn lock_blocking(_: &std::fs::File) -> io::Result<()> {
    Ok(())
}

/// Whether process `pid` is alive (on systems without a way to ask: assumed alive, so that
/// nothing of a running process is ever removed).
pub fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if pid <= 0 {
            return false;
        }
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_in_the_same_process_waits_for_the_first() {
        // flock locks belong to open file descriptions: a second open of the same file in the
        // same process contends like another process would.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let first = lock_output(&out, "building").unwrap();
        assert_eq!(
            std::fs::read_to_string(first.path()).unwrap(),
            std::process::id().to_string()
        );
        let other = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(first.path())
            .unwrap();
        assert!(!try_lock(&other).unwrap());
        drop(first);
        assert!(try_lock(&other).unwrap());
        assert_eq!(lock_path(&out), dir.path().join(".kitei-lock-site"));
    }

    #[test]
    fn this_process_is_alive_and_an_unused_pid_is_not() {
        assert!(process_alive(std::process::id()));
        assert!(!process_alive(0));
        // Above the kernel's pid_max (at most 2^22).
        assert!(!process_alive(1 << 23));
    }
}
