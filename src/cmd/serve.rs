//! `kitei serve`: `kitei build` (without the seal) on every change, the output served on
//! 127.0.0.1 with live reload (the server and watcher: [`crate::serve`]).

use std::path::Path;

use chrono::NaiveDate;

use super::Timings;
use super::build::{self, Options};

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
    // since (source::resident).
    let resident = std::cell::RefCell::new(None);
    let rebuild = || {
        let timings = Timings::from_env();
        let (code, ws) =
            build::site_from(&root, as_of, &opts, &timings, &mut resident.borrow_mut());
        if let Some(ws) = ws {
            *resident.borrow_mut() = Some(ws.keep());
            timings.lap("kept for the next build");
        }
        code
    };
    crate::serve::run(&root, &out, port, poll, &rebuild)
}
