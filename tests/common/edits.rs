//! What the tests of kitei's caches share: a seeded generator for random edit sequences, file
//! edits, the example's documents, and kitei run with a given `KITEI_CACHE` whose output is
//! compared without the caches' own lines.

use std::path::{Path, PathBuf};
use std::process::Output;

/// A small deterministic generator (xorshift64*), so that a failing sequence can be replayed
/// from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The seed of a random edit sequence: `KITEI_TEST_SEED` when set (to replay a failure), else
/// a fixed one; printed so that a failing run can be replayed.
pub fn seed() -> u64 {
    let seed = std::env::var("KITEI_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x006b_6974_6569_3138);
    eprintln!("seed {seed} (KITEI_TEST_SEED={seed} replays it)");
    seed
}

/// Rewrites the file at `path` with `f` of its text.
pub fn edit_file(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::fs::write(path, f(text)).unwrap();
}

/// Replaces the value of the first line that starts (after its indent) with `key` and `sep`
/// (`": "` for YAML, `" = "` for TOML), keeping the indent.
pub fn set_field(text: &str, key: &str, sep: &str, value: &str) -> String {
    let prefix = format!("{key}{sep}");
    let mut done = false;
    text.lines()
        .map(|l| {
            if !done && l.trim_start().starts_with(&prefix) {
                done = true;
                let indent = &l[..l.len() - l.trim_start().len()];
                format!("{indent}{prefix}{value}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The regulation documents and runbooks of `project`, sorted.
pub fn documents(project: &Path) -> Vec<PathBuf> {
    let src = project.join("policy-src");
    let mut docs: Vec<PathBuf> = ["regulation", "runbooks"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(src.join(d))
                .unwrap()
                .flatten()
                .map(|e| e.path())
        })
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    docs
}

/// `kitei ARGS` on `project` with `KITEI_CACHE=cache`.
pub fn with_cache(project: &Path, cache: &str, args: &[&str]) -> Output {
    super::kitei(project)
        .args(args)
        .env("KITEI_CACHE", cache)
        .output()
        .unwrap()
}

/// Exit code, stdout and stderr, without the caches' own lines (`KITEI_CACHE=debug`).
pub fn seen(o: &Output) -> (Option<i32>, String, String) {
    let stderr = String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.starts_with("kitei: source cache") && !l.starts_with("kitei: check memo"))
        .map(|l| format!("{l}\n"))
        .collect();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr,
    )
}

/// The numbers of the first stderr line starting with `prefix` (the caches' own lines under
/// `KITEI_CACHE=debug`), in order; `None` when no such line was printed.
pub fn debug_numbers(o: &Output, prefix: &str) -> Option<Vec<usize>> {
    let stderr = String::from_utf8_lossy(&o.stderr);
    let line = stderr.lines().find(|l| l.starts_with(prefix))?;
    Some(
        line.split([' ', ','])
            .filter_map(|w| w.parse().ok())
            .collect(),
    )
}
