//! `kitei serve`: `kitei build` (without the seal) on every change, the output served on
//! 127.0.0.1 with live reload (the server and watcher: [`crate::serve`]).

use std::cell::RefCell;
use std::path::Path;
use std::thread::JoinHandle;

use chrono::NaiveDate;

use super::Timings;
use super::build::{self, Options};
use crate::source::Resident;

/// What `kitei serve` keeps of its last build for the next one.
enum Kept {
    Ready(Resident),
    /// The last build's workspace, being taken apart on this thread.
    Taking(JoinHandle<Resident>),
}

/// Returns the exit code (0 after Ctrl-C, 2 when it cannot start).
pub fn run(root: &Path, as_of: Option<NaiveDate>, port: u16, poll: bool, opts: &Options) -> u8 {
    let root = match root.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "error: cannot open the project folder {}: {e}",
                root.display()
            );
            return super::UNUSABLE;
        }
    };
    let out = match &opts.out {
        Some(o) if o.is_absolute() => o.clone(),
        Some(o) => match std::env::current_dir() {
            Ok(cwd) => cwd.join(o),
            Err(e) => {
                eprintln!("error: cannot read the current folder: {e}");
                return super::UNUSABLE;
            }
        },
        None => root.join(opts.audience.default_dir()),
    };
    let opts = Options {
        out: Some(out.clone()),
        ..opts.clone()
    };
    // The records of the last build's corpus: the next build reads only the files changed
    // since (source::resident). They are taken apart on another thread while the new site is
    // already being served, and handed over when the next change comes.
    let kept = RefCell::new(Kept::Ready(Resident::empty()));
    let session = RefCell::new(build::Session::default());
    let rebuild = |changes: Option<Vec<std::path::PathBuf>>| {
        let resident = match kept.replace(Kept::Ready(Resident::empty())) {
            Kept::Ready(resident) => resident,
            // A thread that panicked kept nothing: the build reads the cache on disk.
            Kept::Taking(thread) => thread.join().unwrap_or_else(|_| Resident::empty()),
        };
        // What file events named since the resident's load (added to those of a build that
        // loaded nothing): the load looks at those files only.
        let mut resident = Some(match changes {
            Some(changes) => resident.seeing(changes),
            None => resident.walk_next(),
        });
        let build::Built { code, loaded, .. } = build::site_from(
            &root,
            as_of,
            &opts,
            &Timings::from_env(),
            &mut resident,
            Some(&mut session.borrow_mut()),
        );
        match (loaded, resident) {
            (build::Loaded::Workspace(ws), _) => {
                *kept.borrow_mut() = Kept::Taking(std::thread::spawn(move || ws.keep()))
            }
            // Nothing was loaded (a no-op build): what was kept still holds.
            (_, Some(resident)) => *kept.borrow_mut() = Kept::Ready(resident),
            (_, None) => {}
        }
        code
    };
    crate::serve::run(&root, &out, port, poll, &rebuild)
}
