//! Killed at the worst moment, kitei leaves a usable site and evidence chain, and the next run
//! recovers by itself: the site swap has no gap (`KITEI_CRASH_AT` aborts the process at a
//! named point of the output phase, see src/crash_points.rs), one process at a time writes an
//! output folder, and leftovers of killed runs (only kitei's own) are removed.

mod common;
use common::text;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};

/// A built copy of the base fixture (site/ and evidence/ exist).
fn built() -> tempfile::TempDir {
    let dir = common::base_fixture();
    let o = build(dir.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

fn build(project: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = common::kitei(project);
    cmd.arg("build");
    cmd.env_remove("KITEI_CRASH_AT").env_remove("KITEI_SWAP");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Changes the regulation so that the next build writes a different site.
fn edit(project: &Path, n: usize) {
    let reg = project.join("policy-src/regulation/reg.md");
    let mut text = std::fs::read_to_string(&reg).unwrap();
    text.push_str(&format!("\n本規程は、第{n}回の改定の際にも見直す。\n"));
    std::fs::write(reg, text).unwrap();
}

fn aborted(o: &Output) -> bool {
    use std::os::unix::process::ExitStatusExt;
    o.status.signal() == Some(6) // SIGABRT
}

/// kitei's temporary names beside the outputs (the lock files stay by design).
fn temporaries(project: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(project)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kitei-build-") || n.starts_with(".kitei-old-"))
        .collect();
    v.sort();
    v
}

fn site(project: &Path) -> BTreeMap<String, Vec<u8>> {
    common::tree(&project.join("site"))
}

#[test]
fn a_build_killed_at_any_site_point_leaves_the_old_or_the_new_site() {
    let points = ["site-staged", "site-swap", "site-swapped"];
    // Killed while staging into a new folder (after one build), and while bringing the tree
    // the last swap moved out up to date (after two builds: see render::output).
    for (i, (point, recycled)) in points
        .iter()
        .flat_map(|p| [(*p, false), (*p, true)])
        .enumerate()
    {
        let dir = built();
        if recycled {
            edit(dir.path(), 100 + i);
            assert!(build(dir.path(), &[]).status.success());
        }
        let old = site(dir.path());
        edit(dir.path(), i);
        let o = build(dir.path(), &[("KITEI_CRASH_AT", point)]);
        assert!(aborted(&o), "{point}: {:?}", o.status);
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(&format!("aborting at `{point}`")),
            "{point}"
        );
        // site/ exists and is one whole tree, the old or the new.
        let after = site(dir.path());
        assert!(!after.is_empty(), "{point}: no site/");
        let new_page = after
            .values()
            .any(|b| String::from_utf8_lossy(b).contains(&format!("第{i}回の改定")));
        if new_page {
            assert_ne!(after, old, "{point}");
        } else {
            assert_eq!(after, old, "{point}: neither the old site nor the new one");
        }
        // The next build succeeds and cleans up after the killed one.
        let o = build(dir.path(), &[]);
        assert!(
            o.status.success(),
            "{point}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            temporaries(dir.path()).is_empty(),
            "{point}: {:?}",
            temporaries(dir.path())
        );
        let done = site(dir.path());
        assert!(
            done.values()
                .any(|b| String::from_utf8_lossy(b).contains(&format!("第{i}回の改定"))),
            "{point}"
        );
        // Byte for byte what a build without any reuse writes.
        assert!(
            build(dir.path(), &[("KITEI_CACHE", "off")])
                .status
                .success()
        );
        assert!(done == site(dir.path()), "{point}, recycled {recycled}");
    }
}

#[test]
fn the_swap_has_no_gap_and_the_fallback_gap_heals() {
    // With the exchange the fallback's gap point is never reached: the build completes.
    let dir = built();
    edit(dir.path(), 1);
    let o = build(dir.path(), &[("KITEI_CRASH_AT", "site-swap-gap")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.path().join("site/index.html").is_file());

    // Forced to two renames, a crash between them leaves no site/ (the documented window) and
    // the old tree aside; the next run puts it back before it builds. (The staging folder is
    // the tree the last swap moved out, recycled in `.kitei-cache`, so nothing else is beside.)
    edit(dir.path(), 2);
    let o = build(
        dir.path(),
        &[
            ("KITEI_CRASH_AT", "site-swap-gap"),
            ("KITEI_SWAP", "rename"),
        ],
    );
    assert!(aborted(&o), "{:?}", o.status);
    assert!(!dir.path().join("site").exists());
    let aside = temporaries(dir.path());
    assert!(
        aside.len() == 1 && aside[0].starts_with(".kitei-old-"),
        "{aside:?}"
    );
    let o = build(dir.path(), &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("note: put back"), "{err}");
    assert!(temporaries(dir.path()).is_empty());
    assert!(dir.path().join("site/index.html").is_file());
}

#[test]
fn two_processes_take_turns_on_the_site() {
    let dir = built();
    edit(dir.path(), 3);
    // This test process holds site/'s lock, as a running `kitei build` or `serve` would.
    let held = kitei::files::lock::lock_output(&dir.path().join("site"), "building").unwrap();
    let mut child = common::kitei(dir.path())
        .args(["build", "--no-seal"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert_ne!(
            stderr.read_line(&mut line).unwrap(),
            0,
            "no waiting message"
        );
        if line.contains("is building") {
            break;
        }
    }
    assert!(
        line.contains(&format!(
            "another kitei (pid {}) is building",
            std::process::id()
        )),
        "{line}"
    );
    assert!(line.contains("waiting"), "{line}");
    // It waits: nothing is published while the lock is held.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "did not wait");
    assert!(
        !site(dir.path())
            .values()
            .any(|b| String::from_utf8_lossy(b).contains("第3回の改定"))
    );
    drop(held);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(
        site(dir.path())
            .values()
            .any(|b| String::from_utf8_lossy(b).contains("第3回の改定"))
    );
}

#[test]
fn cleanup_removes_only_kiteis_own_leftovers_of_dead_runs() {
    let dir = built();
    let dead = 1u32 << 23; // above any pid_max: no such process
    let alive = std::process::id();
    let make = |name: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.join("sub")).unwrap();
        std::fs::write(p.join("sub/page.html"), "x").unwrap();
    };
    let own_dead = [
        format!(".kitei-build-{dead}-aaaaaa-site"),
        format!(".kitei-old-{dead}-bbbbbb-site"),
    ];
    let kept = [
        format!(".kitei-build-{alive}-cccccc-site"), // a live process's
        format!(".kitei-build-{dead}-dddddd-site-public"), // another output's
        ".kitei-build-notes".to_string(),            // not kitei's pattern
        "kitei-build-1-eeeeee-site".to_string(),     // not hidden: someone else's
    ];
    for n in own_dead.iter().chain(&kept) {
        make(n);
    }
    let partial = dir
        .path()
        .join(format!("evidence/.kitei-seal-{dead}-ffffff.zip.tmp"));
    std::fs::write(&partial, "partial zip").unwrap();
    let live_partial = dir
        .path()
        .join(format!("evidence/.kitei-seal-{alive}-gggggg.zip.tmp"));
    std::fs::write(&live_partial, "a live seal's").unwrap();
    edit(dir.path(), 4);
    let o = build(dir.path(), &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("removed 2 leftover folder(s)"), "{err}");
    for n in &own_dead {
        assert!(!dir.path().join(n).exists(), "{n} stayed");
    }
    for n in &kept {
        assert!(dir.path().join(n).exists(), "{n} was removed");
    }
    assert!(!partial.exists(), "the dead run's partial zip stayed");
    assert!(
        live_partial.exists(),
        "a live run's partial zip was removed"
    );
}

fn run(project: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::kitei(project);
    cmd.args(args).env_remove("KITEI_CRASH_AT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// The bundle files in evidence/, by name.
fn bundles(project: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(project.join("evidence"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zip"))
        .collect();
    v.sort();
    v
}

/// `kitei verify --chain PROJECT/evidence`.
fn verify_chain(project: &Path) -> Output {
    let evidence = project.join("evidence");
    run(
        project,
        &["verify", "--chain", evidence.to_str().unwrap()],
        &[],
    )
}

fn ledger_len(project: &Path) -> usize {
    let text = std::fs::read_to_string(project.join("evidence/LEDGER.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["bundles"].as_array().unwrap().len()
}

#[test]
fn a_bundle_written_before_a_crash_is_adopted() {
    let dir = built();
    edit(dir.path(), 5);
    let o = run(
        dir.path(),
        &["seal"],
        &[("KITEI_CRASH_AT", "seal-zip-renamed")],
    );
    assert!(aborted(&o), "{}", text(&o));
    assert_eq!(bundles(dir.path()).len(), 2);
    assert_eq!(ledger_len(dir.path()), 1);
    // The chain is visibly unfinished until the next run...
    assert!(!verify_chain(dir.path()).status.success());
    // ... which adopts the complete bundle and then has nothing new to seal.
    let o = run(dir.path(), &["build"], &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("note: adopted"), "{out}");
    assert!(out.contains("as bundle 2 of LEDGER.json"), "{out}");
    assert!(out.contains("no change since"), "{out}");
    assert_eq!(ledger_len(dir.path()), 2);
    let o = verify_chain(dir.path());
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn strays_that_do_not_extend_the_chain_are_quarantined() {
    let dir = built();
    // Another chain (different content from its first bundle on) with two bundles.
    let other = common::base_fixture();
    for n in [98, 99] {
        edit(other.path(), n);
        assert!(build(other.path(), &[]).status.success());
    }
    let theirs = bundles(other.path());
    assert_eq!(theirs.len(), 2);
    let ev = dir.path().join("evidence");
    // Bundle names without `.zip`.
    let name = |n: &str| theirs[0].trim_end_matches(".zip").replace("000001", n);
    // Their bundle 2 under our next name: the right number, but it links to their bundle 1.
    std::fs::copy(
        other.path().join("evidence").join(&theirs[1]),
        ev.join(name("000002") + ".zip"),
    )
    .unwrap();
    // Their bundle 1 under another name: the bag inside is named otherwise.
    std::fs::copy(
        other.path().join("evidence").join(&theirs[0]),
        ev.join(name("000003") + ".zip"),
    )
    .unwrap();
    std::fs::write(ev.join(name("000004") + ".zip"), "not a zip").unwrap();
    let orphan_sig = name("000009") + ".zip.minisig";
    std::fs::write(ev.join(&orphan_sig), "sig").unwrap();
    edit(dir.path(), 6);
    let o = run(dir.path(), &["build"], &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    for (n, why) in [
        ("000002", "it links to the previous bag"),
        ("000003", "it holds the bag"),
        ("000004", "it does not verify"),
    ] {
        let shown = format!("{}.zip to ", name(n));
        let line = out.lines().find(|l| l.contains(&shown));
        assert!(line.is_some_and(|l| l.contains(why)), "{n}: {out}");
    }
    assert!(
        out.contains("a signature whose bundle was never written"),
        "{out}"
    );
    let q = ev.join("quarantine");
    for n in ["000002", "000003", "000004"] {
        assert!(q.join(name(n) + ".zip").is_file(), "{n} not in quarantine");
    }
    assert!(q.join(&orphan_sig).is_file());
    // Our new bundle took number 2; the chain verifies.
    assert_eq!(ledger_len(dir.path()), 2);
    assert!(ev.join(name("000002") + ".zip").is_file());
    let o = verify_chain(dir.path());
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn the_crash_harness_recovers_from_every_point() {
    // tests/crash/harness.sh at its small size (the base fixture): every point of
    // `KITEI_CRASH_AT=list`, `kitei build` at each and `kitei seal` at each of the seal's.
    let o = std::process::Command::new("bash")
        .arg(common::root().join("tests/crash/harness.sh"))
        .env("KITEI", env!("CARGO_BIN_EXE_kitei"))
        .env("KITEI_PDF", common::pdf_setting())
        .output()
        .unwrap();
    let report = text(&o);
    println!("{report}");
    assert!(o.status.success(), "{report}");
    let points = kitei::crash_points::POINTS;
    let site = points
        .iter()
        .filter(|(p, _)| p.starts_with("site-"))
        .count();
    let expected = site + 2 * (points.len() - site);
    assert!(
        report.contains(&format!(
            "{expected} kill points tried, {expected} recovered (100%)"
        )),
        "{report}"
    );
    for (point, _) in points {
        assert!(report.contains(point), "{point} was not tried: {report}");
    }
    assert!(
        !report.contains("BROKEN") && !report.contains("Aborted"),
        "{report}"
    );
}
