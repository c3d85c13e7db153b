//! Evidence that cannot mislead quietly: signing that is never skipped without an error,
//! and provenance that says whether the sources matched the recorded commit and when they
//! were bagged (issue 12, parts 4 and 5).

mod common;
use common::{ok, text};

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kitei(dir: &Path, args: &[&str]) -> Output {
    common::kitei(dir)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn bundle(dir: &Path, n: u32) -> PathBuf {
    dir.join(format!("evidence/kitei-evidence-{n:06}.zip"))
}

/// bag-info.txt of a bundle.
fn bag_info(zip: &Path) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let name = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
        .find(|n| n.ends_with("/bag-info.txt"))
        .unwrap();
    let mut s = String::new();
    z.by_name(&name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_AUTHOR_DATE", "2026-04-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-04-01T00:00:00Z")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn an_unsigned_bundle_is_signed_on_request_not_reported_unchanged() {
    let p = common::example();
    ok(kitei(
        p.path(),
        &["keygen", "--out", "keys/k", "--unencrypted"],
    ));
    ok(kitei(p.path(), &["seal"]));
    assert!(bundle(p.path(), 1).is_file());
    let o = ok(kitei(p.path(), &["seal", "--sign", "keys/k.key"]));
    assert!(!text(&o).contains("no change"), "{}", text(&o));
    assert!(bundle(p.path(), 2).is_file(), "{}", text(&o));
    assert!(
        p.path()
            .join("evidence/kitei-evidence-000002.zip.minisig")
            .is_file()
    );
    // Signed with this key now: a second request is truly unchanged.
    let o = ok(kitei(p.path(), &["seal", "--sign", "keys/k.key"]));
    assert!(text(&o).contains("no change"), "{}", text(&o));
    // A different key seals again, signed by it.
    ok(kitei(
        p.path(),
        &["keygen", "--out", "keys/other", "--unencrypted"],
    ));
    ok(kitei(p.path(), &["seal", "--sign", "keys/other.key"]));
    assert!(bundle(p.path(), 3).is_file());
}

#[test]
fn a_missing_or_wrong_key_is_an_error_even_when_nothing_changed() {
    let p = common::example();
    ok(kitei(p.path(), &["seal"]));
    let o = kitei(p.path(), &["seal", "--sign", "keys/none.key"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("keys/none.key"), "{}", text(&o));
    // An encrypted key with the wrong password.
    let o = common::kitei(p.path())
        .current_dir(p.path())
        .args(["keygen", "--out", "keys/enc"])
        .env("KITEI_SIGN_PASSWORD", "right")
        .output()
        .unwrap();
    ok(o);
    let o = common::kitei(p.path())
        .current_dir(p.path())
        .args(["seal", "--sign", "keys/enc.key"])
        .env("KITEI_SIGN_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("wrong password"), "{}", text(&o));
    assert!(!bundle(p.path(), 2).exists());
}

#[test]
fn chain_verification_with_a_key_rejects_an_unsigned_bundle() {
    let p = common::example();
    ok(kitei(
        p.path(),
        &["keygen", "--out", "keys/k", "--unencrypted"],
    ));
    ok(kitei(p.path(), &["seal"]));
    ok(kitei(p.path(), &["seal", "--sign", "keys/k.key"]));
    // Without a key the chain holds together.
    ok(kitei(p.path(), &["verify", "--chain", "evidence"]));
    // With the key, bundle 1 (unsigned) is named, as `verify --pubkey` of that bundle does.
    let o = kitei(
        p.path(),
        &["verify", "--chain", "evidence", "--pubkey", "keys/k.pub"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("INVALID")
            && t.contains("kitei-evidence-000001.zip")
            && t.contains("not signed"),
        "{t}"
    );
    let single = kitei(
        p.path(),
        &[
            "verify",
            "evidence/kitei-evidence-000001.zip",
            "--pubkey",
            "keys/k.pub",
        ],
    );
    assert_eq!(single.status.code(), Some(1), "{}", text(&single));
}

#[test]
fn outside_git_the_bagging_date_is_the_newest_source_file_not_1980() {
    let p = common::example();
    // Every source file from 2023, one from 2026-05-28.
    let set = |path: &Path, secs: u64| {
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    };
    for e in walkdir::WalkDir::new(p.path().join("policy-src")) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            set(e.path(), 1_700_000_000);
        }
    }
    set(
        &p.path()
            .join("policy-src/regulation/incident-response-regulation.md"),
        1_780_000_000,
    );
    let o = ok(kitei(p.path(), &["seal"]));
    assert!(text(&o).contains("newest source file"), "{}", text(&o));
    let info = bag_info(&bundle(p.path(), 1));
    assert!(!info.contains("1980"), "{info}");
    assert!(info.contains("Bagging-Date: 2026-05-28"), "{info}");
    assert!(info.contains("Kitei-Source-Tree: not-in-git"), "{info}");
}

#[test]
fn bag_info_says_whether_the_working_tree_matched_the_commit() {
    let p = common::example();
    git(p.path(), &["init", "-q"]);
    std::fs::write(
        p.path().join(".gitignore"),
        "/evidence/\n/site/\n/.kitei-cache/\n/keys/\n",
    )
    .unwrap();
    git(p.path(), &["add", "."]);
    git(p.path(), &["commit", "-q", "-m", "policy"]);
    let o = ok(kitei(p.path(), &["seal"]));
    assert!(!text(&o).contains("uncommitted"), "{}", text(&o));
    let clean = bag_info(&bundle(p.path(), 1));
    assert!(clean.contains("Kitei-Source-Tree: clean"), "{clean}");
    assert!(
        !clean.contains("Kitei-Uncommitted-Changes-Digest"),
        "{clean}"
    );

    std::fs::write(p.path().join("policy-src/evidence/edit.txt"), "draft\n").unwrap();
    let o = ok(kitei(p.path(), &["seal"]));
    assert!(text(&o).contains("uncommitted change"), "{}", text(&o));
    let dirty = bag_info(&bundle(p.path(), 2));
    assert!(dirty.contains("Kitei-Source-Tree: modified"), "{dirty}");
    let digest = dirty
        .lines()
        .find_map(|l| l.strip_prefix("Kitei-Uncommitted-Changes-Digest: "))
        .unwrap_or_else(|| panic!("no digest in {dirty}"));
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
}

fn require_signing(dir: &Path, key_line: &str) {
    let toml = dir.join("kitei.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(&format!("\n[evidence]\nsign = true\n{key_line}\n"));
    std::fs::write(&toml, text).unwrap();
}

#[test]
fn required_signing_without_a_key_is_an_error_not_an_unsigned_bundle() {
    let p = common::example();
    require_signing(p.path(), "");
    for args in [&["build"][..], &["seal"][..]] {
        let o = kitei(p.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let t = text(&o);
        assert!(
            t.contains("sign = true") && t.contains("KITEI_SIGN_KEY"),
            "{t}"
        );
        assert!(!bundle(p.path(), 1).exists(), "{args:?} wrote a bundle");
    }
}

#[test]
fn build_signs_with_the_configured_key_file_or_the_key_in_the_environment() {
    // The key file named in kitei.toml.
    let p = common::example();
    ok(kitei(
        p.path(),
        &["keygen", "--out", "keys/k", "--unencrypted"],
    ));
    require_signing(p.path(), "key = \"keys/k.key\"");
    let o = ok(kitei(p.path(), &["build"]));
    assert!(text(&o).contains("signed by key"), "{}", text(&o));
    ok(kitei(
        p.path(),
        &["verify", "--chain", "evidence", "--pubkey", "keys/k.pub"],
    ));

    // CI: the key's text in KITEI_SIGN_KEY, encrypted, its password in KITEI_SIGN_PASSWORD.
    let q = common::example();
    ok(common::kitei(q.path())
        .current_dir(q.path())
        .args(["keygen", "--out", "keys/ci"])
        .env("KITEI_SIGN_PASSWORD", "pw")
        .output()
        .unwrap());
    let secret = std::fs::read_to_string(q.path().join("keys/ci.key")).unwrap();
    std::fs::remove_file(q.path().join("keys/ci.key")).unwrap();
    require_signing(q.path(), "");
    let run = |password: &str| {
        common::kitei(q.path())
            .current_dir(q.path())
            .args(["build"])
            .env("KITEI_SIGN_KEY", &secret)
            .env("KITEI_SIGN_PASSWORD", password)
            .output()
            .unwrap()
    };
    let o = run("wrong");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("wrong password for the signing key in KITEI_SIGN_KEY"),
        "{}",
        text(&o)
    );
    assert!(!bundle(q.path(), 1).exists());
    let o = ok(run("pw"));
    assert!(text(&o).contains("signed by key"), "{}", text(&o));
    ok(kitei(
        q.path(),
        &["verify", "--chain", "evidence", "--pubkey", "keys/ci.pub"],
    ));
}
