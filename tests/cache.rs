//! The loader's cache (`.kitei-cache/source.bin`, README "The loader's cache")
//! seen from the command line: a check with the cache cold, with files re-read because they are
//! too recent to trust, and with nothing read at all reports exactly what a check without the
//! cache reports, on every failing fixture; a file changed in place with its length and mtime
//! kept is still noticed; `KITEI_CACHE=off` reads and writes nothing.

mod common;

use common::edits::{debug_numbers, seen, with_cache as kitei};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// How long a file must be unchanged before the cache trusts its stat (`cache::RACY`), plus a
/// margin.
const SETTLE: Duration = Duration::from_millis(2300);

/// The cache's line (`KITEI_CACHE=debug`): (unchanged, same digest, read), if the sources
/// were loaded at all.
fn cache_line(o: &Output) -> Option<(usize, usize, usize)> {
    let n = debug_numbers(o, "kitei: source cache")?;
    Some((n[0], n[1], n[2]))
}

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expect.toml").is_file())
        .collect();
    names.sort();
    names
}

/// A fixture's project: the base with its overlay and removals (as tests/check_fixtures.rs).
fn project(fixture: &Path) -> tempfile::TempDir {
    let dir = common::base_fixture();
    if fixture.join("overlay").is_dir() {
        common::copy_tree(&fixture.join("overlay"), dir.path());
    }
    let expect: toml::Value =
        toml::from_str(&std::fs::read_to_string(fixture.join("expect.toml")).unwrap()).unwrap();
    for r in expect
        .get("remove")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
    {
        std::fs::remove_file(dir.path().join(r.as_str().unwrap())).unwrap();
    }
    dir
}

/// Human output quotes the offending lines; JSON holds every field of every diagnostic.
const FORMATS: [&[&str]; 2] = [&["check"], &["check", "--format", "json"]];

#[test]
fn cached_checks_report_what_uncached_ones_do() {
    let projects: Vec<(String, tempfile::TempDir)> = fixtures()
        .iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                project(f),
            )
        })
        .collect();
    assert!(projects.len() >= 45, "fixtures went missing");
    let mut expected = Vec::new();
    let mut failures = Vec::new();
    for (name, dir) in &projects {
        let plain: Vec<_> = FORMATS
            .iter()
            .map(|args| seen(&kitei(dir.path(), "off", args)))
            .collect();
        assert!(
            !dir.path().join(".kitei-cache").exists(),
            "{name}: KITEI_CACHE=off wrote a cache"
        );
        // Cold, then at once again: the files are too recent to be trusted by their stat.
        for round in ["cold", "racy"] {
            for (args, want) in FORMATS.iter().zip(&plain) {
                let got = seen(&kitei(dir.path(), "on", args));
                if &got != want {
                    failures.push(format!(
                        "{name} {args:?} {round}:\n{}\n---\n{}",
                        want.2, got.2
                    ));
                }
            }
        }
        expected.push(plain);
    }
    std::thread::sleep(SETTLE);
    for ((name, dir), plain) in projects.iter().zip(&expected) {
        // The first run after the pause stores the now trustworthy stats; after it, only the
        // files that failed to parse are read.
        kitei(dir.path(), "on", &["check"]);
        let o = kitei(dir.path(), "debug", &["check"]);
        match cache_line(&o) {
            // kitei.toml is broken: the sources are never loaded.
            None if o.status.code() == Some(2) => {}
            Some((unchanged, _, _)) if unchanged > 0 => {}
            other => failures.push(format!("{name}: nothing taken from the cache: {other:?}")),
        }
        if String::from_utf8_lossy(&o.stderr).contains("; written") {
            failures.push(format!(
                "{name}: the cache is written although nothing changed"
            ));
        }
        for (args, want) in FORMATS.iter().zip(plain) {
            let got = seen(&kitei(dir.path(), "on", args));
            if &got != want {
                failures.push(format!("{name} {args:?} warm:\n{}\n---\n{}", want.2, got.2));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} difference(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Replaces `from` by `to` (same length) in a file and sets its mtime back.
fn change_in_place(path: &Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let meta = std::fs::metadata(path).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_times(std::fs::FileTimes::new().set_modified(meta.modified().unwrap()))
        .unwrap();
    let after = std::fs::metadata(path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap()),
        (meta.len(), meta.modified().unwrap())
    );
}

#[test]
fn files_changed_in_place_are_noticed() {
    let dir = common::base_fixture();
    let p = dir.path();
    let clean = kitei(p, "on", &["check", "--format", "json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", seen(&clean).2);
    std::thread::sleep(SETTLE);
    kitei(p, "on", &["check"]);
    let o = kitei(p, "debug", &["check"]);
    let files = common::tree(&p.join("policy-src")).len();
    assert_eq!(
        cache_line(&o),
        Some((files, 0, 0)),
        "everything from the cache"
    );

    // An incident's severity and an evidence file's bytes, each with length and mtime kept.
    change_in_place(
        &p.join("policy-src/incidents/INC-1.yaml"),
        "severity: 1",
        "severity: 7",
    );
    let log = p.join("policy-src/evidence/INC-1/host.log");
    let first = std::fs::read_to_string(&log).unwrap()[..1].to_string();
    let other = if first == "x" { "y" } else { "x" };
    change_in_place(&log, &first, other);

    let o = kitei(p, "debug", &["check"]);
    assert_eq!(
        cache_line(&o),
        Some((files - 2, 0, 2)),
        "the two changed files are read"
    );
    let cached = seen(&kitei(p, "on", &["check", "--format", "json"]));
    let plain = seen(&kitei(p, "off", &["check", "--format", "json"]));
    assert_eq!(cached, plain);
    assert_eq!(cached.0, Some(1));
    assert!(cached.1.contains("\"K0209\""), "{}", cached.1);
    assert!(cached.1.contains("\"K0702\""), "{}", cached.1);
}

#[test]
fn files_that_cannot_be_loaded_are_reported_every_time() {
    let dir = common::base_fixture();
    let p = dir.path();
    // "id: テスト" in Shift_JIS: refused (K0102) on every run, never stored as parsed.
    std::fs::write(
        p.join("policy-src/incidents/INC-9.yaml"),
        b"id: \x83\x65\x83\x58\x83\x67\n",
    )
    .unwrap();
    let plain = seen(&kitei(p, "off", &["check"]));
    assert!(plain.2.contains("K0102"), "{}", plain.2);
    assert_eq!(seen(&kitei(p, "on", &["check"])), plain);
    std::thread::sleep(SETTLE);
    kitei(p, "on", &["check"]);
    let o = kitei(p, "debug", &["check"]);
    let files = common::tree(&p.join("policy-src")).len();
    assert_eq!(cache_line(&o), Some((files - 1, 0, 1)));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("; not written"),
        "nothing changed"
    );
    assert_eq!(seen(&o), plain);
}

#[test]
fn a_fresh_file_is_read_even_when_its_stat_matches() {
    let dir = common::base_fixture();
    let p = dir.path();
    kitei(p, "on", &["check"]);
    // Nothing changed, but every file was written moments ago: within the racy window a file
    // could change again without its stat showing it, so each is read and hashed (and its
    // parsed value reused).
    let o = kitei(p, "debug", &["check"]);
    let (unchanged, same_digest, read) = cache_line(&o).unwrap();
    assert_eq!((unchanged, read), (0, 0));
    assert!(same_digest > 5, "{same_digest}");
}
