//! Named points of the output phase where a crash is simulated for tests: every rename, fsync
//! and write that moves the site or the evidence chain from one state to the next calls
//! [`reached`] with its name. With `KITEI_CRASH_AT=<name>` (or `<name>:<n>` for the n-th time
//! the point is reached) the process aborts there, as a `kill -9` or a power cut would stop
//! it; `tests/crash/harness.sh` steps through [`POINTS`] and checks that the next run
//! recovers. Unset (always, outside tests), [`reached`] is one relaxed atomic load.
//! `KITEI_CRASH_AT=list` prints the table and exits. A leaf: it uses nothing of the crate.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Every point, in the order a `kitei build` reaches them, with what is on disk there.
pub const POINTS: &[(&str, &str)] = &[
    (
        "site-staged",
        "the new site is complete in .kitei-build-*, not yet swapped in",
    ),
    (
        "site-swap",
        "just before the swap of the staging folder and the output folder",
    ),
    (
        "site-swap-gap",
        "between the two renames of the fallback swap (no RENAME_EXCHANGE): the old site moved aside",
    ),
    (
        "site-swapped",
        "the new site is in place; the old one sits in .kitei-old-* until it is removed",
    ),
    (
        "site-manifest",
        "the new site is in place and the old one removed; the record of its files and pages for the next build is not yet saved",
    ),
    (
        "seal-zip-written",
        "the bundle's zip is written to .kitei-seal-*.zip.tmp, not yet flushed",
    ),
    (
        "seal-zip-synced",
        "the temporary zip is flushed, not yet renamed to its name",
    ),
    (
        "seal-signature-written",
        "the detached .minisig is in place, the zip not yet",
    ),
    (
        "seal-zip-renamed",
        "the zip is in evidence/ under its name; LEDGER.json does not list it yet",
    ),
    (
        "ledger-temp-written",
        "the new LEDGER.json is written to a temporary file, not yet renamed",
    ),
    (
        "ledger-written",
        "LEDGER.json lists the new bundle; the command has not reported yet",
    ),
];

/// The variable that arms a point.
pub const VAR: &str = "KITEI_CRASH_AT";

/// Where to crash: a point's name and on which of its visits (1 = the first).
struct Armed {
    name: String,
    visit: u64,
}

fn armed() -> Option<&'static Armed> {
    static ARMED: OnceLock<Option<Armed>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let value = std::env::var(VAR).ok()?;
            let (name, visit) = match value.rsplit_once(':') {
                Some((name, n)) => (name, n.trim().parse().ok()?),
                None => (value.as_str(), 1),
            };
            Some(Armed {
                name: name.trim().to_string(),
                visit,
            })
        })
        .as_ref()
}

static VISITS: AtomicU64 = AtomicU64::new(0);

/// Marks that the output phase reached `name` (one of [`POINTS`]); aborts the process when
/// `KITEI_CRASH_AT` names this point and visit.
pub fn reached(name: &'static str) {
    debug_assert!(
        POINTS.iter().any(|(p, _)| *p == name),
        "unknown crash point {name}"
    );
    let Some(armed) = armed() else {
        return;
    };
    if armed.name != name {
        return;
    }
    let visit = VISITS.fetch_add(1, Ordering::SeqCst) + 1;
    if visit == armed.visit {
        eprintln!("{VAR}: aborting at `{name}` (visit {visit})");
        std::process::abort();
    }
}

/// With `KITEI_CRASH_AT=list`: prints `name<TAB>what is on disk there` per point and returns
/// the exit code 0; an unknown point name returns 2 with a message (a harness must not test
/// nothing). `None`: run normally.
pub fn list_if_asked() -> Option<u8> {
    let value = std::env::var(VAR).ok()?;
    if value == "list" {
        for (name, what) in POINTS {
            println!("{name}\t{what}");
        }
        return Some(0);
    }
    let name = value.rsplit_once(':').map_or(value.as_str(), |(n, _)| n);
    if !POINTS.iter().any(|(p, _)| *p == name.trim()) || armed().is_none() {
        eprintln!(
            "error: {VAR}=`{value}` names no crash point; `{VAR}=list` prints them (format NAME or NAME:N)"
        );
        return Some(2);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_plain() {
        let mut names: Vec<&str> = POINTS.iter().map(|(n, _)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), POINTS.len());
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
    }

    #[test]
    fn unarmed_points_do_nothing() {
        // The test process has no KITEI_CRASH_AT: reaching every point returns.
        if std::env::var_os(VAR).is_none() {
            for (name, _) in POINTS {
                reached(name);
            }
        }
    }
}
