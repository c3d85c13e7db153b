//! Evidence bundles end to end, on copies of the shipped example: `kitei seal`, `keygen` and
//! `verify`, checked against stock tools nobody on the team wrote (bagit.py, sha256sum,
//! minisign, unzip). Those interop checks are skipped with a note when a tool is missing,
//! and fail instead when `KITEI_REQUIRE_TOOLS=1` (CI sets it).
//!
//! Hostile archives are built byte by byte here (a tiny zip writer below), so that no binary
//! fixture lives in git.

mod common;
use common::{ok, text};

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const EPOCH: &str = "1767225600"; // 2026-01-01T00:00:00Z
const BUNDLE1: &str = "kitei-evidence-000001";

// ---------------------------------------------------------------------------------------------
// helpers

fn example_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![PathBuf::from("kitei.toml")];
    for e in walkdir::WalkDir::new(root.join("policy-src")).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            files.push(e.path().strip_prefix(root).unwrap().to_path_buf());
        }
    }
    files
}

/// A copy of the example project. `reverse` creates the files in the opposite order and
/// with mode 0600, so that nothing about the file system is the same.
fn example_in(dir: &Path, reverse: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = example_files();
    if reverse {
        files.reverse();
    }
    for rel in files {
        let to = dir.join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root.join(&rel), &to).unwrap();
        #[cfg(unix)]
        if reverse {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
}

fn example() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    example_in(dir.path(), false);
    dir
}

fn kitei_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = common::kitei(dir);
    c.current_dir(dir)
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH);
    c
}

fn kitei(dir: &Path, args: &[&str]) -> Output {
    kitei_cmd(dir, args).output().unwrap()
}

#[track_caller]
fn invalid(o: &Output, needles: &[&str]) {
    let t = text(o);
    assert_eq!(o.status.code(), Some(1), "expected exit 1 (invalid):\n{t}");
    assert!(t.contains("INVALID"), "{t}");
    for n in needles {
        assert!(t.contains(n), "expected `{n}` in:\n{t}");
    }
}

fn zip_of(dir: &Path, name: &str) -> PathBuf {
    dir.join("evidence").join(format!("{name}.zip"))
}

/// An unencrypted signing key pair in `dir/keys/`.
fn plain_key(dir: &Path) -> (PathBuf, PathBuf) {
    ok(kitei(dir, &["keygen", "--out", "keys/k", "--unencrypted"]));
    (dir.join("keys/k.pub"), dir.join("keys/k.key"))
}

/// Whether a stock tool is installed; with KITEI_REQUIRE_TOOLS=1 a missing tool fails the test.
fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name} >/dev/null 2>&1"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !found {
        if std::env::var("KITEI_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!(
                "{name} is not installed but KITEI_REQUIRE_TOOLS=1: install it \
                 (apt-get install -y minisign unzip; pip install bagit)"
            );
        }
        eprintln!(
            "note: {name} is not installed; skipping its interop checks (KITEI_REQUIRE_TOOLS=1 makes this a failure)"
        );
    }
    found
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Unzips `zip` into a fresh folder with the stock `unzip` and returns the bag folder.
fn unzip(zip: &Path, into: &Path) -> PathBuf {
    std::fs::create_dir_all(into).unwrap();
    let o = run(into, "unzip", &["-q", zip.to_str().unwrap()]);
    assert!(o.status.success(), "unzip: {}", text(&o));
    let top: Vec<_> = std::fs::read_dir(into)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        top.len(),
        1,
        "the zip must hold exactly one top-level entry: {top:?}"
    );
    into.join(&top[0])
}

/// All entries of a (trusted) zip, in order.
fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

/// Writes a zip with the given entries (what someone re-packing a bundle would do).
fn write_zip(to: &Path, items: &[(String, Vec<u8>)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in items {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

fn entry<'a>(items: &'a mut [(String, Vec<u8>)], suffix: &str) -> &'a mut Vec<u8> {
    &mut items
        .iter_mut()
        .find(|(n, _)| n.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix}"))
        .1
}

// ---------------------------------------------------------------------------------------------
// sealing

#[test]
fn seal_is_byte_identical_across_folders_order_umask_and_time_zone() {
    let a = example();
    let b = tempfile::tempdir().unwrap();
    example_in(b.path(), true);
    let (_, key) = plain_key(a.path());
    std::fs::create_dir_all(b.path().join("keys")).unwrap();
    std::fs::copy(&key, b.path().join("keys/k.key")).unwrap();
    for (dir, umask, tz) in [(a.path(), "022", "UTC"), (b.path(), "077", "Asia/Tokyo")] {
        let c = kitei_cmd(dir, &["seal", "--sign", "keys/k.key"]);
        // run through sh to set the umask for the child
        let line = format!("umask {umask}; exec \"$0\" \"$@\"");
        let program = c.get_program().to_owned();
        let args: Vec<_> = c.get_args().map(|a| a.to_owned()).collect();
        let mut sh = Command::new("sh");
        sh.arg("-c")
            .arg(line)
            .arg(program)
            .args(args)
            .current_dir(dir)
            .env("TZ", tz);
        for (k, v) in c.get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        let o = ok(sh.output().unwrap());
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("sealed"),
            "{}",
            text(&o)
        );
    }
    for file in [
        format!("{BUNDLE1}.zip"),
        format!("{BUNDLE1}.zip.minisig"),
        "LEDGER.json".into(),
    ] {
        let x = std::fs::read(a.path().join("evidence").join(&file)).unwrap();
        let y = std::fs::read(b.path().join("evidence").join(&file)).unwrap();
        assert!(x == y, "{file} differs between the two seals");
    }
    // entries are sorted bytewise, with no folder entries and fixed metadata
    let mut arch =
        zip::ZipArchive::new(std::fs::File::open(zip_of(a.path(), BUNDLE1)).unwrap()).unwrap();
    let names: Vec<String> = arch
        .file_names()
        .map(|n| n.unwrap().to_string())
        .collect::<Vec<_>>();
    let mut sorted = names.clone();
    sorted.sort_by(|x, y| x.as_bytes().cmp(y.as_bytes()));
    let in_order: Vec<String> = (0..arch.len())
        .map(|i| arch.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert_eq!(in_order, sorted);
    for i in 0..arch.len() {
        let f = arch.by_index(i).unwrap();
        assert!(!f.is_dir());
        assert_eq!(f.unix_mode(), Some(0o100644), "{}", f.name().unwrap());
        assert!(
            f.extra_data().is_none_or(|e| e.is_empty()),
            "{}",
            f.name().unwrap()
        );
        let t = f.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour()),
            (2026, 1, 1, 0),
            "zip time from SOURCE_DATE_EPOCH, in UTC"
        );
        let name = f.name().unwrap().to_string();
        let expected = if name.ends_with(".png") || name.ends_with(".pdf") || f.size() == 0 {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        assert_eq!(f.compression(), expected, "{name}");
    }
    // sealing again changes nothing
    let o = ok(kitei(a.path(), &["seal", "--sign", "keys/k.key"]));
    assert!(
        text(&o).contains(&format!("no change since {BUNDLE1}; no new bundle written")),
        "{}",
        text(&o)
    );
}

#[test]
fn bundle_layout_names_and_index() {
    let p = example();
    ok(kitei(p.path(), &["seal"]));
    let items = entries(&zip_of(p.path(), BUNDLE1));
    let names: Vec<&str> = items.iter().map(|(n, _)| n.as_str()).collect();
    for n in &names {
        assert!(n.starts_with(&format!("{BUNDLE1}/")), "{n}");
        for seg in n.split('/') {
            assert!(
                seg.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                    && !seg.starts_with('.'),
                "non-portable segment `{seg}` in {n}"
            );
        }
    }
    let get = |suffix: &str| {
        items
            .iter()
            .find(|(n, _)| n.ends_with(suffix))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    };
    assert_eq!(
        get("/bagit.txt").unwrap(),
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    );
    let info = get("/bag-info.txt").unwrap();
    for needle in [
        "Source-Organization: 株式会社みなと商会\n",
        "External-Identifier: kitei-evidence-000001\n",
        "Bagging-Date: 2026-01-01\n",
        "Bag-Group-Identifier: kitei-evidence\n",
        "Bag-Count: 1 of ?\n",
        "Kitei-Source-Commit: none\n",
        "Kitei-Policy-Version: 2026.1\n",
        "Evidence-Previous-Bag-Digest: none\n",
        "Evidence-Payload-Merkle-Root: sha256:",
    ] {
        assert!(
            info.contains(needle),
            "bag-info.txt lacks `{needle}`:\n{info}"
        );
    }
    assert!(names.iter().any(|n| n.ends_with("/data/check-report.json")));
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("/data/incidents/INC-2025-002/record.json"))
    );
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("/data/source/regulation/incident-response-regulation.md"))
    );
    let tagmanifest = get("/tagmanifest-sha256.txt").unwrap();
    for t in [
        "bag-info.txt",
        "bagit.txt",
        "manifest-sha256.txt",
        "metadata/VERIFY.txt",
        "metadata/bundle.json",
    ] {
        assert!(tagmanifest.contains(&format!("  {t}\n")), "{tagmanifest}");
    }
    let index: serde_json::Value =
        serde_json::from_str(&get("/metadata/bundle.json").unwrap()).unwrap();
    let inc = index["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "INC-2025-002")
        .unwrap();
    let report = inc["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["original_name"] == "報告書.txt")
        .unwrap();
    let path = report["path"].as_str().unwrap();
    assert!(
        path.starts_with("data/source/evidence/INC-2025-002/") && path.ends_with(".txt"),
        "{path}"
    );
    assert_ne!(path, "data/source/evidence/INC-2025-002/報告書.txt");
    assert_eq!(report["status"], "ok");
    assert_eq!(report["media_type"], "text/plain");
    assert!(
        report["controls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "A.5.26")
    );
    assert!(
        index["controls"]["A.5.26"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == path)
    );
    let png = inc["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["media_type"] == "image/png")
        .unwrap();
    assert_eq!(png["status"], "ok");
    let verify = get("/metadata/VERIFY.txt").unwrap();
    assert!(
        verify.contains("bagit.py --validate")
            && verify.contains("sha256sum -c --strict")
            && verify.contains("minisign -V")
    );
    let check: serde_json::Value =
        serde_json::from_str(&get("/data/check-report.json").unwrap()).unwrap();
    assert_eq!(check["schema"], "kitei-check/1");
    assert_eq!(check["as_of"], "2026-11-01");
    // the ledger lists it, with its digests
    let ledger: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path().join("evidence/LEDGER.json")).unwrap())
            .unwrap();
    assert_eq!(ledger["bundles"][0]["name"], BUNDLE1);
    assert!(
        ledger["bundles"][0]["bag_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    // no temporary files are left behind
    let left: Vec<_> = std::fs::read_dir(p.path().join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn scoped_bundles_share_the_ledger() {
    let p = example();
    let o = ok(kitei(p.path(), &["seal", "--incident", "INC-2025-002"]));
    assert!(text(&o).contains("bundle 1"), "{}", text(&o));
    let names: Vec<String> = entries(&zip_of(p.path(), BUNDLE1))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("data/incidents/INC-2025-002/record.json"))
    );
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("data/source/incidents/2025/INC-2025-002.yaml"))
    );
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("data/source/evidence/INC-2025-002/waf-2025-06-07.log"))
    );
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("data/source/regulation/incident-response-regulation.md"))
    );
    assert!(
        !names.iter().any(|n| n.contains("INC-2024-001")),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.ends_with("contacts.yaml")));

    ok(kitei(
        p.path(),
        &["seal", "--period", "2025-04-01..2026-03-31"],
    ));
    let names: Vec<String> = entries(&zip_of(p.path(), "kitei-evidence-000002"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let records: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with("/record.json"))
        .collect();
    assert!(
        records.iter().any(|n| n.contains("INC-2025-002")),
        "{records:?}"
    );
    assert!(
        !records.iter().any(|n| n.contains("INC-2024-001")),
        "{records:?}"
    );
    let info = String::from_utf8(
        entry(
            &mut entries(&zip_of(p.path(), "kitei-evidence-000002")),
            "/bag-info.txt",
        )
        .clone(),
    )
    .unwrap();
    assert!(
        info.contains("Bag-Count: 2 of ?")
            && info.contains("Kitei-Scope: period 2025-04-01..2026-03-31"),
        "{info}"
    );

    ok(kitei(p.path(), &["seal"]));
    let o = ok(kitei(p.path(), &["verify", "--chain", "evidence"]));
    assert!(
        text(&o).contains("VALID chain") && text(&o).contains("3 bundle(s)"),
        "{}",
        text(&o)
    );

    let o = kitei(p.path(), &["seal", "--incident", "INC-1999-999"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("no incident `INC-1999-999`"),
        "{}",
        text(&o)
    );
    let o = kitei(p.path(), &["seal", "--period", "2026-03-31..2025-04-01"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

// ---------------------------------------------------------------------------------------------
// keys and signatures

#[test]
fn keygen_needs_a_password_and_keeps_existing_keys() {
    let p = example();
    let o = kitei(p.path(), &["keygen", "--out", "keys/k"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("KITEI_SIGN_PASSWORD"), "{}", text(&o));
    assert!(!p.path().join("keys/k.key").exists());

    let o = ok(kitei_cmd(p.path(), &["keygen", "--out", "keys/k"])
        .env("KITEI_SIGN_PASSWORD", "correct horse")
        .output()
        .unwrap());
    assert!(text(&o).contains("encrypted"), "{}", text(&o));
    let key = std::fs::read_to_string(p.path().join("keys/k.key")).unwrap();
    assert!(key.starts_with("untrusted comment: "));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p.path().join("keys/k.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the secret key must not be readable by others"
        );
    }
    let again = kitei_cmd(p.path(), &["keygen", "--out", "keys/k"])
        .env("KITEI_SIGN_PASSWORD", "x")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("exists already"), "{}", text(&again));

    // sealing with the encrypted key: no password, then a wrong one → nothing written
    for pw in [None, Some("wrong")] {
        let mut c = kitei_cmd(p.path(), &["seal", "--sign", "keys/k.key"]);
        if let Some(pw) = pw {
            c.env("KITEI_SIGN_PASSWORD", pw);
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("KITEI_SIGN_PASSWORD"), "{}", text(&o));
        assert!(!zip_of(p.path(), BUNDLE1).exists());
    }
    let o = ok(kitei_cmd(p.path(), &["seal", "--sign", "keys/k.key"])
        .env("KITEI_SIGN_PASSWORD", "correct horse")
        .output()
        .unwrap());
    assert!(text(&o).contains("signed by key"), "{}", text(&o));
    let o = ok(kitei(
        p.path(),
        &[
            "verify",
            &format!("evidence/{BUNDLE1}.zip"),
            "--pubkey",
            "keys/k.pub",
        ],
    ));
    assert!(text(&o).contains("signature verified"), "{}", text(&o));
    assert!(
        text(&o).contains("signature over the zip verified"),
        "{}",
        text(&o)
    );
    // without the key: valid, but it says the signature was not checked
    let o = ok(kitei(
        p.path(),
        &["verify", &format!("evidence/{BUNDLE1}.zip")],
    ));
    assert!(text(&o).contains("NOT checked"), "{}", text(&o));
    // another key: invalid
    ok(kitei(
        p.path(),
        &["keygen", "--out", "keys/other", "--unencrypted"],
    ));
    let o = kitei(
        p.path(),
        &[
            "verify",
            &format!("evidence/{BUNDLE1}.zip"),
            "--pubkey",
            "keys/other.pub",
        ],
    );
    invalid(&o, &["tagmanifest-sha256.txt.minisig", "signed by key"]);
}

/// A fresh signed bundle passes bagit.py, sha256sum and minisign.
#[test]
fn stock_tools_accept_a_fresh_bundle() {
    let p = example();
    ok(kitei_cmd(p.path(), &["keygen", "--out", "keys/k"])
        .env("KITEI_SIGN_PASSWORD", "pw")
        .output()
        .unwrap());
    ok(kitei_cmd(p.path(), &["seal", "--sign", "keys/k.key"])
        .env("KITEI_SIGN_PASSWORD", "pw")
        .output()
        .unwrap());
    let zip = zip_of(p.path(), BUNDLE1);
    let pubkey = p.path().join("keys/k.pub");
    let pubkey = pubkey.to_str().unwrap();
    if tool("minisign") {
        let o = run(
            p.path(),
            "minisign",
            &["-V", "-p", pubkey, "-m", zip.to_str().unwrap()],
        );
        assert!(o.status.success(), "minisign on the zip: {}", text(&o));
        assert!(
            text(&o).contains(&format!("Trusted comment: {BUNDLE1}.zip seq=1 bag=sha256:")),
            "{}",
            text(&o)
        );
    }
    if !tool("unzip") {
        return;
    }
    let out = p.path().join("unzipped");
    let bag = unzip(&zip, &out);
    assert_eq!(bag.file_name().unwrap(), BUNDLE1);
    if tool("minisign") {
        let tm = bag.join("tagmanifest-sha256.txt");
        let o = run(
            &out,
            "minisign",
            &["-V", "-p", pubkey, "-m", tm.to_str().unwrap()],
        );
        assert!(
            o.status.success(),
            "minisign on the tag manifest: {}",
            text(&o)
        );
        assert!(
            text(&o).contains(&format!("Trusted comment: {BUNDLE1} seq=1 prev=none")),
            "{}",
            text(&o)
        );
    }
    if tool("bagit.py") {
        let o = run(&out, "bagit.py", &["--validate", BUNDLE1]);
        assert!(o.status.success(), "bagit.py: {}", text(&o));
        assert!(text(&o).contains("is valid"), "{}", text(&o));
    }
    if tool("sha256sum") {
        for m in ["tagmanifest-sha256.txt", "manifest-sha256.txt"] {
            let o = run(&bag, "sha256sum", &["-c", "--strict", "--quiet", m]);
            assert!(o.status.success(), "sha256sum -c {m}: {}", text(&o));
        }
        // the bag digest the chain uses is sha256sum of the tag manifest
        let o = run(&bag, "sha256sum", &["tagmanifest-sha256.txt"]);
        let digest = String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let ledger = std::fs::read_to_string(p.path().join("evidence/LEDGER.json")).unwrap();
        assert!(ledger.contains(&format!("sha256:{digest}")), "{ledger}");
    }
    // VERIFY.txt step 6, run as written: no file the manifests do not list
    let step6 = verify_step6(&bag);
    let o = Command::new("bash")
        .arg("-c")
        .arg(&step6)
        .current_dir(&out)
        .env("B", BUNDLE1)
        .output()
        .unwrap();
    assert!(
        o.status.success() && text(&o).contains("no unlisted files"),
        "{step6}\n{}",
        text(&o)
    );
    std::fs::write(bag.join("metadata/extra.txt"), "x\n").unwrap();
    let o = Command::new("bash")
        .arg("-c")
        .arg(&step6)
        .current_dir(&out)
        .env("B", BUNDLE1)
        .output()
        .unwrap();
    assert!(!o.status.success(), "step 6 missed an unlisted tag file");
    std::fs::remove_file(bag.join("metadata/extra.txt")).unwrap();
    if tool("python3") {
        // VERIFY.txt's Merkle snippet gives bag-info's root
        let verify = std::fs::read_to_string(bag.join("metadata/VERIFY.txt")).unwrap();
        let start = verify.find("python3 -c '").unwrap() + "python3 -c '".len();
        let script = &verify[start..start + verify[start..].find("' )").unwrap()];
        let o = run(&bag, "python3", &["-c", script]);
        let root = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
        assert!(
            info.contains(&format!("Evidence-Payload-Merkle-Root: {root}\n")),
            "{root}\n{info}"
        );
    }
}

/// The command of step 6 in the bag's VERIFY.txt (the lines after its heading).
fn verify_step6(bag: &Path) -> String {
    let verify = std::fs::read_to_string(bag.join("metadata/VERIFY.txt")).unwrap();
    let start = verify.find("6. Nothing present").unwrap();
    let block = &verify[start..];
    let body = &block[block.find('\n').unwrap() + 1..block.find("\n\n").unwrap()];
    body.lines().map(str::trim).collect::<Vec<_>>().join("\n")
}

// ---------------------------------------------------------------------------------------------
// tampering

struct Sealed {
    dir: TempDir,
    zip: PathBuf,
    pubkey: PathBuf,
}

fn sealed_signed() -> Sealed {
    let dir = example();
    let (pubkey, _) = plain_key(dir.path());
    ok(kitei(dir.path(), &["seal", "--sign", "keys/k.key"]));
    let zip = zip_of(dir.path(), BUNDLE1);
    Sealed { dir, zip, pubkey }
}

/// Re-packs the bundle after `edit` (as a tamperer would), keeping its file name.
fn tampered(s: &Sealed, tag: &str, edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> PathBuf {
    let mut items = entries(&s.zip);
    edit(&mut items);
    let dir = s.dir.path().join(tag);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{BUNDLE1}.zip"));
    write_zip(&out, &items);
    out
}

/// A second bundle in the same chain, signed with the same key.
fn second_bundle(s: &Sealed) -> PathBuf {
    std::fs::write(
        s.dir.path().join("policy-src/evidence/later.txt"),
        "later\n",
    )
    .unwrap();
    ok(kitei(s.dir.path(), &["seal", "--sign", "keys/k.key"]));
    zip_of(s.dir.path(), "kitei-evidence-000002")
}

fn verify(s: &Sealed, zip: &Path) -> Output {
    kitei(
        s.dir.path(),
        &[
            "verify",
            zip.to_str().unwrap(),
            "--pubkey",
            s.pubkey.to_str().unwrap(),
        ],
    )
}

const WAF: &str = "data/source/evidence/INC-2025-002/waf-2025-06-07.log";

#[test]
fn verify_names_every_kind_of_tampering() {
    let s = sealed_signed();
    ok(verify(&s, &s.zip));

    // one payload byte
    let z = tampered(&s, "byte", |items| entry(items, WAF)[10] ^= 1);
    invalid(&verify(&s, &z), &[WAF, "SHA-256 mismatch"]);
    // bag-info.txt
    let z = tampered(&s, "info", |items| {
        let info = entry(items, "/bag-info.txt");
        *info = String::from_utf8(info.clone())
            .unwrap()
            .replace("Bag-Count: 1 of ?", "Bag-Count: 7 of ?")
            .into_bytes();
    });
    invalid(&verify(&s, &z), &["bag-info.txt", "SHA-256 mismatch"]);
    // an added file
    let z = tampered(&s, "added", |items| {
        items.push((
            format!("{BUNDLE1}/data/source/evidence/forged.log"),
            b"forged\n".to_vec(),
        ))
    });
    invalid(
        &verify(&s, &z),
        &[
            "data/source/evidence/forged.log",
            "not listed in manifest-sha256.txt",
            "Payload-Oxum",
        ],
    );
    // an added tag file
    let z = tampered(&s, "added-tag", |items| {
        items.push((format!("{BUNDLE1}/metadata/note.txt"), b"x\n".to_vec()))
    });
    invalid(
        &verify(&s, &z),
        &["metadata/note.txt", "not listed in tagmanifest-sha256.txt"],
    );
    // a removed file
    let z = tampered(&s, "removed", |items| {
        items.retain(|(n, _)| !n.ends_with(WAF))
    });
    invalid(
        &verify(&s, &z),
        &[WAF, "missing from the bundle", "Payload-Oxum"],
    );
    // a consistent forgery: payload and manifests rewritten, but the signature does not match
    let z = tampered(&s, "forged", |items| {
        let old = entry(items, WAF).clone();
        let new = b"nothing happened\n".to_vec();
        let (oh, nh) = (sha256(&old), sha256(&new));
        *entry(items, WAF) = new;
        let m = entry(items, "/manifest-sha256.txt");
        *m = String::from_utf8(m.clone())
            .unwrap()
            .replace(&oh, &nh)
            .into_bytes();
        let mh = sha256(m);
        let tm = entry(items, "/tagmanifest-sha256.txt");
        let mut t = String::new();
        for line in String::from_utf8(tm.clone()).unwrap().lines() {
            if line.ends_with("  manifest-sha256.txt") {
                t.push_str(&format!("{mh}  manifest-sha256.txt\n"));
            } else {
                t.push_str(line);
                t.push('\n');
            }
        }
        *tm = t.into_bytes();
    });
    invalid(
        &verify(&s, &z),
        &["tagmanifest-sha256.txt.minisig", "does not match"],
    );
    // a swapped signature: the seal of another bundle made with the same key
    let other = second_bundle(&s);
    let other_sig = entry(&mut entries(&other), "/tagmanifest-sha256.txt.minisig").clone();
    let z = tampered(&s, "swapped", |items| {
        *entry(items, "/tagmanifest-sha256.txt.minisig") = other_sig
    });
    invalid(&verify(&s, &z), &["tagmanifest-sha256.txt.minisig"]);
    // a stripped signature, when a key is required
    let z = tampered(&s, "stripped", |items| {
        items.retain(|(n, _)| !n.ends_with(".minisig"))
    });
    invalid(&verify(&s, &z), &["not signed"]);
    // the detached signature over the zip belongs to the other bundle
    let copy = s.dir.path().join("sw").join(format!("{BUNDLE1}.zip"));
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(&s.zip, &copy).unwrap();
    std::fs::copy(
        other.with_extension("zip.minisig"),
        copy.with_extension("zip.minisig"),
    )
    .unwrap();
    invalid(
        &verify(&s, &copy),
        &[".zip.minisig", "does not match the file"],
    );
    // a byte flipped inside the zip file itself (stored PNG): the damaged entry is named
    let mut raw = std::fs::read(&s.zip).unwrap();
    let png = b"\x89PNG";
    let at = raw.windows(4).position(|w| w == png).unwrap();
    raw[at + 20] ^= 0xff;
    let flipped = s.dir.path().join("flip").join(format!("{BUNDLE1}.zip"));
    std::fs::create_dir_all(flipped.parent().unwrap()).unwrap();
    std::fs::write(&flipped, raw).unwrap();
    invalid(&verify(&s, &flipped), &["admin-console-screenshot.png"]);
    // a renamed bundle: the content decides (issue 13); the note names the bag's own name
    let renamed = s.dir.path().join("kitei-evidence-000009.zip");
    std::fs::copy(&s.zip, &renamed).unwrap();
    let o = ok(kitei(s.dir.path(), &["verify", renamed.to_str().unwrap()]));
    assert!(
        text(&o).contains("the bag inside is `kitei-evidence-000001`"),
        "{}",
        text(&o)
    );
    // usage and I/O failures exit 2
    assert_eq!(
        kitei(s.dir.path(), &["verify", "nope.zip"]).status.code(),
        Some(2)
    );
    assert_eq!(kitei(s.dir.path(), &["verify"]).status.code(), Some(2));
    assert_eq!(
        kitei(
            s.dir.path(),
            &["verify", s.zip.to_str().unwrap(), "--pubkey", "nope.pub"]
        )
        .status
        .code(),
        Some(2)
    );
}

fn sha256(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// The same tampering, on the unpacked bag, is caught by the stock tools.
#[test]
fn stock_tools_reject_tampering() {
    if !tool("unzip") {
        return;
    }
    let s = sealed_signed();
    let (bagit, sha, minisign) = (tool("bagit.py"), tool("sha256sum"), tool("minisign"));
    let fresh = |tag: &str| unzip(&s.zip, &s.dir.path().join(tag));
    let bagit_fails = |bag: &Path| {
        if bagit {
            let o = run(bag.parent().unwrap(), "bagit.py", &["--validate", BUNDLE1]);
            assert!(
                !o.status.success(),
                "bagit.py accepted a tampered bag:\n{}",
                text(&o)
            );
        }
    };
    let sha_fails = |bag: &Path, manifest: &str| {
        if sha {
            let o = run(bag, "sha256sum", &["-c", "--strict", "--quiet", manifest]);
            assert!(
                !o.status.success(),
                "sha256sum -c {manifest} accepted a tampered bag"
            );
        }
    };
    // one payload byte
    let bag = fresh("byte");
    let f = bag.join(WAF);
    let mut b = std::fs::read(&f).unwrap();
    b[10] ^= 1;
    std::fs::write(&f, b).unwrap();
    bagit_fails(&bag);
    sha_fails(&bag, "manifest-sha256.txt");
    // bag-info.txt
    let bag = fresh("info");
    let f = bag.join("bag-info.txt");
    let t = std::fs::read_to_string(&f)
        .unwrap()
        .replace("Bag-Count: 1 of ?", "Bag-Count: 7 of ?");
    std::fs::write(&f, t).unwrap();
    bagit_fails(&bag);
    sha_fails(&bag, "tagmanifest-sha256.txt");
    // an added payload file
    let bag = fresh("added");
    std::fs::write(bag.join("data/forged.log"), "forged\n").unwrap();
    bagit_fails(&bag);
    // a removed payload file
    let bag = fresh("removed");
    std::fs::remove_file(bag.join(WAF)).unwrap();
    bagit_fails(&bag);
    sha_fails(&bag, "manifest-sha256.txt");
    // a swapped signature
    if minisign {
        let bag = fresh("swapped");
        let other = second_bundle(&s);
        let other_bag = unzip(&other, &s.dir.path().join("u"));
        std::fs::copy(
            other_bag.join("tagmanifest-sha256.txt.minisig"),
            bag.join("tagmanifest-sha256.txt.minisig"),
        )
        .unwrap();
        let pubkey = s.pubkey.to_str().unwrap();
        let tm = bag.join("tagmanifest-sha256.txt");
        let o = run(
            &bag,
            "minisign",
            &["-V", "-p", pubkey, "-m", tm.to_str().unwrap()],
        );
        assert!(!o.status.success(), "minisign accepted a swapped signature");
        // and the zip's signature no longer matches a changed zip
        let z = s.dir.path().join("z").join(format!("{BUNDLE1}.zip"));
        std::fs::create_dir_all(z.parent().unwrap()).unwrap();
        let mut raw = std::fs::read(&s.zip).unwrap();
        let n = raw.len();
        raw[n / 2] ^= 1;
        std::fs::write(&z, raw).unwrap();
        let o = run(
            &bag,
            "minisign",
            &[
                "-V",
                "-p",
                pubkey,
                "-m",
                z.to_str().unwrap(),
                "-x",
                s.zip.with_extension("zip.minisig").to_str().unwrap(),
            ],
        );
        assert!(!o.status.success(), "minisign accepted a changed zip");
    }
}

// ---------------------------------------------------------------------------------------------
// the chain

fn seal_change(p: &Path, n: u32) {
    std::fs::write(
        p.join(format!("policy-src/evidence/note-{n}.txt")),
        format!("note {n}\n"),
    )
    .unwrap();
    ok(kitei(p, &["seal"]));
}

#[test]
fn chain_detects_missing_altered_reordered_and_stray_bundles() {
    let p = example();
    ok(kitei(p.path(), &["seal"]));
    seal_change(p.path(), 2);
    seal_change(p.path(), 3);
    let ev = p.path().join("evidence");
    let o = ok(kitei(p.path(), &["verify", "--chain", "evidence"]));
    assert!(text(&o).contains("3 bundle(s)"), "{}", text(&o));
    let b = |n: u32| format!("kitei-evidence-{n:06}.zip");
    let ledger = std::fs::read_to_string(ev.join("LEDGER.json")).unwrap();
    let backup = p.path().join("backup");
    std::fs::create_dir_all(&backup).unwrap();
    for n in 1..=3 {
        std::fs::copy(ev.join(b(n)), backup.join(b(n))).unwrap();
    }
    let restore = || {
        for n in 1..=3 {
            std::fs::copy(backup.join(b(n)), ev.join(b(n))).unwrap();
        }
        std::fs::write(ev.join("LEDGER.json"), &ledger).unwrap();
    };

    // a missing bundle
    std::fs::remove_file(ev.join(b(2))).unwrap();
    invalid(
        &kitei(p.path(), &["verify", "--chain", "evidence"]),
        &[&b(2), "missing"],
    );
    // a new seal refuses to extend a chain whose newest bundle was altered
    restore();
    std::fs::copy(backup.join(b(2)), ev.join(b(3))).unwrap();
    std::fs::write(p.path().join("policy-src/evidence/note-9.txt"), "x\n").unwrap();
    let o = kitei(p.path(), &["seal"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains(&b(3)) && text(&o).contains("altered"),
        "{}",
        text(&o)
    );
    assert!(!ev.join(b(4)).exists());
    // ... but chains to the ledger's digest when the newest bundle was archived away
    std::fs::remove_file(ev.join(b(3))).unwrap();
    let o = ok(kitei(p.path(), &["seal"]));
    assert!(
        text(&o).contains(&b(3)) && text(&o).contains("is not here"),
        "{}",
        text(&o)
    );
    std::fs::copy(backup.join(b(3)), ev.join(b(3))).unwrap();
    ok(kitei(p.path(), &["verify", "--chain", "evidence"]));
    std::fs::remove_file(ev.join(b(4))).unwrap();
    std::fs::remove_file(p.path().join("policy-src/evidence/note-9.txt")).unwrap();

    // a bundle removed together with its ledger entry: the next bundle's link breaks
    restore();
    std::fs::remove_file(ev.join(b(2))).unwrap();
    let mut l: serde_json::Value = serde_json::from_str(&ledger).unwrap();
    l["bundles"].as_array_mut().unwrap().remove(1);
    l["bundles"][1]["sequence"] = 2.into();
    std::fs::write(
        ev.join("LEDGER.json"),
        serde_json::to_string_pretty(&l).unwrap(),
    )
    .unwrap();
    invalid(
        &kitei(p.path(), &["verify", "--chain", "evidence"]),
        &[
            &b(3),
            "links to previous bag",
            "removed, replaced or reordered",
        ],
    );

    // reordered ledger entries
    restore();
    let mut l: serde_json::Value = serde_json::from_str(&ledger).unwrap();
    l["bundles"].as_array_mut().unwrap().swap(1, 2);
    std::fs::write(
        ev.join("LEDGER.json"),
        serde_json::to_string_pretty(&l).unwrap(),
    )
    .unwrap();
    invalid(
        &kitei(p.path(), &["verify", "--chain", "evidence"]),
        &["LEDGER.json", "reordered"],
    );

    // swapped bundle files
    restore();
    std::fs::copy(backup.join(b(1)), ev.join(b(2))).unwrap();
    std::fs::copy(backup.join(b(2)), ev.join(b(1))).unwrap();
    invalid(
        &kitei(p.path(), &["verify", "--chain", "evidence"]),
        &[&b(1), &b(2), "renamed or swapped"],
    );

    // a bundle replaced by another, internally valid one
    restore();
    let other = example();
    std::fs::write(
        other.path().join("policy-src/evidence/other.txt"),
        "other\n",
    )
    .unwrap();
    ok(kitei(other.path(), &["seal"]));
    std::fs::copy(zip_of(other.path(), BUNDLE1), ev.join(b(1))).unwrap();
    invalid(
        &kitei(p.path(), &["verify", "--chain", "evidence"]),
        &[
            &b(1),
            "differs from LEDGER.json",
            &b(2),
            "links to previous bag",
        ],
    );

    // a stray bundle the ledger does not list
    restore();
    std::fs::copy(
        zip_of(other.path(), BUNDLE1),
        ev.join("kitei-evidence-000004.zip"),
    )
    .unwrap();
    invalid(
        &kitei(p.path(), &["verify", "--chain", "evidence"]),
        &["kitei-evidence-000004.zip", "does not list"],
    );
    std::fs::remove_file(ev.join("kitei-evidence-000004.zip")).unwrap();
    ok(kitei(p.path(), &["verify", "--chain", "evidence"]));
    // no ledger: usage error
    assert_eq!(
        kitei(p.path(), &["verify", "--chain", "policy-src"])
            .status
            .code(),
        Some(2)
    );
}

// ---------------------------------------------------------------------------------------------
// hostile archives

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One entry of a hand-made zip: anything may be a lie.
struct Raw {
    name: Vec<u8>,
    data: Vec<u8>,
    method: u16,
    crc: u32,
    size: u64,
    flags: u16,
    mode: u32,
}

fn raw(name: &str, data: &[u8]) -> Raw {
    Raw {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        method: 0,
        crc: crc32(data),
        size: data.len() as u64,
        flags: 0,
        mode: 0o100644,
    }
}

/// A zip built byte by byte (local headers, central directory, end record), with a zip64
/// extra field when an entry claims 4 GiB or more.
fn raw_zip(entries: &[Raw]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let big = e.size >= 0xFFFF_FFFF;
        let size32 = if big { 0xFFFF_FFFF } else { e.size as u32 };
        let extra: Vec<u8> = if big {
            let mut x = vec![0x01, 0x00, 16, 0];
            x.extend_from_slice(&e.size.to_le_bytes());
            x.extend_from_slice(&(e.data.len() as u64).to_le_bytes());
            x
        } else {
            Vec::new()
        };
        let csize32 = if big {
            0xFFFF_FFFF
        } else {
            e.data.len() as u32
        };
        let version: u16 = if big { 45 } else { 20 };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // 1980-01-01
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&csize32.to_le_bytes());
        out.extend_from_slice(&size32.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&extra);
        out.extend_from_slice(&e.data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | version).to_le_bytes()); // made by Unix
        central.extend_from_slice(&version.to_le_bytes());
        central.extend_from_slice(&e.flags.to_le_bytes());
        central.extend_from_slice(&e.method.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x21u16.to_le_bytes());
        central.extend_from_slice(&e.crc.to_le_bytes());
        central.extend_from_slice(&csize32.to_le_bytes());
        central.extend_from_slice(&size32.to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&(e.mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
        central.extend_from_slice(&extra);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Real deflate data for 1 MiB of zeros, with its CRC.
fn deflated_zeros() -> (Vec<u8>, u32) {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("z", opts).unwrap();
    w.write_all(&vec![0u8; 1 << 20]).unwrap();
    let cursor = w.finish().unwrap();
    let mut a = zip::ZipArchive::new(Cursor::new(cursor.into_inner())).unwrap();
    let mut f = a.by_index_raw(0).unwrap();
    let crc = f.crc32();
    let mut data = Vec::new();
    f.read_to_end(&mut data).unwrap();
    (data, crc)
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().path().to_path_buf())
        .collect();
    v.sort();
    v
}

#[test]
fn hostile_archives_are_rejected_without_writing_anything() {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let (zeros, zeros_crc) = deflated_zeros();
    let ok_bagit = || {
        raw(
            "b/bagit.txt",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        )
    };
    let symlink = Raw {
        mode: 0o120777,
        ..raw("b/data/link", b"/etc/passwd")
    };
    let encrypted = Raw {
        flags: 1,
        ..raw("b/data/secret.txt", b"xxxxxxxxxxxx")
    };
    let bomb = Raw {
        method: 8,
        crc: zeros_crc,
        size: 1 << 30,
        ..raw("b/data/bomb.log", &zeros)
    };
    let liar = Raw {
        method: 8,
        crc: zeros_crc,
        size: 100,
        ..raw("b/data/liar.log", &zeros)
    };
    let huge = Raw {
        size: 5 << 30,
        ..raw("b/data/huge.bin", b"0123456789")
    };
    let cases: Vec<(&str, Vec<Raw>, &[&str])> = vec![
        (
            "zip-slip",
            vec![ok_bagit(), raw("b/../../evil.txt", b"evil")],
            &["b/../../evil.txt", "zip-slip"],
        ),
        (
            "absolute",
            vec![ok_bagit(), raw("/tmp/kitei-evil.txt", b"evil")],
            &["/tmp/kitei-evil.txt", "absolute path"],
        ),
        (
            "backslash",
            vec![ok_bagit(), raw("b\\..\\..\\evil.txt", b"evil")],
            &["backslash"],
        ),
        (
            "symlink",
            vec![ok_bagit(), symlink],
            &["b/data/link", "symbolic link"],
        ),
        (
            "duplicate",
            vec![
                ok_bagit(),
                raw("b/data/a.txt", b"1"),
                raw("b/data/a.txt", b"2"),
            ],
            &["same name"],
        ),
        (
            "case",
            vec![
                ok_bagit(),
                raw("b/data/a.txt", b"1"),
                raw("b/data/A.txt", b"2"),
            ],
            &["only in case"],
        ),
        (
            "encrypted",
            vec![ok_bagit(), encrypted],
            &["b/data/secret.txt", "encrypted"],
        ),
        (
            "bomb",
            vec![ok_bagit(), bomb],
            &["b/data/bomb.log", "zip bomb"],
        ),
        (
            "huge",
            vec![ok_bagit(), huge],
            &["b/data/huge.bin", "limit"],
        ),
        (
            "liar",
            vec![ok_bagit(), liar],
            &["b/data/liar.log", "declared"],
        ),
        (
            "two-roots",
            vec![ok_bagit(), raw("c/bagit.txt", b"x")],
            &["exactly one top-level folder"],
        ),
        ("not-a-zip", vec![], &["not a readable zip"]),
    ];
    for (tag, entries, needles) in cases {
        let dir = work.path().join(tag);
        std::fs::create_dir_all(&dir).unwrap();
        let zip = dir.join("b.zip");
        let bytes = if tag == "not-a-zip" {
            b"PK\x03\x04 this is not a zip".to_vec()
        } else {
            raw_zip(&entries)
        };
        std::fs::write(&zip, bytes).unwrap();
        let before = listing(work.path());
        let o = Command::new(env!("CARGO_BIN_EXE_kitei"))
            .current_dir(&cwd)
            .arg("verify")
            .arg(&zip)
            .output()
            .unwrap();
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "{tag}: expected exit 1:\n{t}");
        assert!(t.contains("INVALID"), "{tag}: {t}");
        for n in needles {
            assert!(t.contains(n), "{tag}: expected `{n}` in:\n{t}");
        }
        assert_eq!(listing(work.path()), before, "{tag}: verify wrote files");
    }
    assert!(!Path::new("/tmp/kitei-evil.txt").exists());
    assert!(!work.path().join("evil.txt").exists());
}

/// A zero-filled evidence file deflates at about 1028:1: the bundle must still verify (the
/// ratio limit sits at Deflate's own maximum, 1032:1, so only forged headers exceed it).
#[test]
fn zero_filled_evidence_is_not_mistaken_for_a_bomb() {
    let p = example();
    std::fs::write(
        p.path().join("policy-src/evidence/zeros.log"),
        vec![0u8; 4 << 20],
    )
    .unwrap();
    ok(kitei(p.path(), &["seal"]));
    let o = ok(kitei(
        p.path(),
        &["verify", &format!("evidence/{BUNDLE1}.zip")],
    ));
    assert!(text(&o).starts_with("VALID"), "{}", text(&o));
}

#[test]
fn bundles_hold_the_rendered_pages_for_the_auditor() {
    let p = example();
    ok(kitei(p.path(), &["seal"]));
    let all = entries(&zip_of(p.path(), BUNDLE1));
    let page = |items: &[(String, Vec<u8>)], suffix: &str| {
        items
            .iter()
            .find(|(n, _)| n.ends_with(suffix))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    };
    assert!(page(&all, "data/site/index.html").is_some());
    // The auditor's pages are the restricted audience's: full records, personal data included.
    let restricted =
        page(&all, "data/site/incident-INC-2025-002.html").expect("restricted incident page");
    let yaml =
        std::fs::read_to_string(p.path().join("policy-src/incidents/2025/INC-2025-002.yaml"))
            .unwrap();
    let after = &yaml[yaml
        .find("affected_individuals:")
        .expect("the example names affected people")..];
    let name_line = after.lines().nth(1).unwrap();
    let name = name_line
        .split("name:")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .trim();
    assert!(
        restricted.contains(name),
        "restricted page lacks affected individual {name}"
    );
    assert!(page(&all, "data/site/incidents.html").is_some());

    // A scoped bundle carries only the pages of what it holds.
    let q = example();
    ok(kitei(q.path(), &["seal", "--incident", "INC-2025-002"]));
    let scoped = entries(&zip_of(q.path(), BUNDLE1));
    assert!(page(&scoped, "data/site/incident-INC-2025-002.html").is_some());
    assert!(page(&scoped, "data/site/incident-INC-2024-001.html").is_none());
    assert!(page(&scoped, "data/site/incidents.html").is_none());
    assert!(
        !scoped
            .iter()
            .any(|(name, _)| name.starts_with("data/site/assets/search/")),
        "the search index lists every page"
    );
}

#[test]
fn build_seals_the_default_bundle_once() {
    let p = example();
    let o = kitei(p.path(), &["build"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(zip_of(p.path(), BUNDLE1).is_file());
    assert!(p.path().join("site/index.html").is_file());
    let again = kitei(p.path(), &["build"]);
    assert!(again.status.success());
    assert!(text(&again).contains("no change since"), "{}", text(&again));
    let no_seal = tempfile::tempdir().unwrap();
    example_in(no_seal.path(), false);
    assert!(
        kitei(no_seal.path(), &["build", "--no-seal"])
            .status
            .success()
    );
    assert!(
        !no_seal
            .path()
            .join("evidence")
            .join(format!("{BUNDLE1}.zip"))
            .exists()
    );
}

/// `kitei build` renders the site and seals the bundle from one workspace: the corpus is
/// loaded once and the rules run once (`KITEI_TIMINGS=1` prints the counts).
#[test]
fn build_loads_and_checks_the_corpus_once() {
    let p = example();
    let o = ok(kitei_cmd(p.path(), &["build"])
        .env("KITEI_TIMINGS", "1")
        .output()
        .unwrap());
    assert!(zip_of(p.path(), BUNDLE1).is_file(), "{}", text(&o));
    assert!(
        text(&o).contains("timing: loads 1 (source trees), checks 1 (rule runs)"),
        "{}",
        text(&o)
    );
}

/// After a no-op build, the seal is skipped while `evidence/` is as the last seal of the same
/// inputs left it; anything else there (a bundle file touched, another key) seals in full, and
/// a key that cannot be opened is an error even so.
#[test]
fn a_no_op_build_skips_the_seal_only_while_evidence_is_untouched() {
    let p = example();
    let mut toml = std::fs::read_to_string(p.path().join("kitei.toml")).unwrap();
    toml.push_str("\n[evidence]\nsign = true\n");
    std::fs::write(p.path().join("kitei.toml"), toml).unwrap();
    ok(kitei(
        p.path(),
        &["keygen", "--out", "keys/a", "--unencrypted"],
    ));
    ok(kitei(
        p.path(),
        &["keygen", "--out", "keys/b", "--unencrypted"],
    ));
    let key =
        |name: &str| std::fs::read_to_string(p.path().join(format!("keys/{name}.key"))).unwrap();
    // Files changed within a file-system clock tick of a build are not trusted (racy).
    std::thread::sleep(std::time::Duration::from_millis(100));
    let build = |key: Option<&str>| {
        let mut c = kitei_cmd(p.path(), &["build"]);
        c.env("KITEI_TIMINGS", "1").env_remove("KITEI_SIGN_KEY");
        if let Some(key) = key {
            c.env("KITEI_SIGN_KEY", key);
        }
        c.output().unwrap()
    };
    let loads = |o: &Output, n: usize| {
        assert!(
            text(o).contains(&format!("timing: loads {n} (source trees)")),
            "expected {n} load(s):\n{}",
            text(o)
        );
    };
    let first = ok(build(Some(&key("a"))));
    assert!(text(&first).contains("sealed "), "{}", text(&first));
    loads(&first, 1);

    // Nothing changed anywhere: nothing is loaded, and the answer is the seal's own.
    let again = ok(build(Some(&key("a"))));
    assert!(
        text(&again).contains("kitei build: up to date"),
        "{}",
        text(&again)
    );
    assert!(
        text(&again).contains(&format!("no change since {BUNDLE1}; no new bundle written")),
        "{}",
        text(&again)
    );
    loads(&again, 0);

    // The newest bundle's file touched: the seal runs (and finds the same payload).
    let zip = std::fs::File::options()
        .write(true)
        .open(zip_of(p.path(), BUNDLE1))
        .unwrap();
    zip.set_modified(std::time::SystemTime::now()).unwrap();
    drop(zip);
    let touched = ok(build(Some(&key("a"))));
    assert!(
        text(&touched).contains("no change since"),
        "{}",
        text(&touched)
    );
    loads(&touched, 1);
    loads(&ok(build(Some(&key("a")))), 0);

    // LEDGER.json edited in place (a line feed added: same entries, other bytes; the folder and
    // the bundle untouched): the seal runs.
    let ledger = p.path().join("evidence/LEDGER.json");
    let mut bytes = std::fs::read(&ledger).unwrap();
    bytes.push(b'\n');
    std::fs::write(&ledger, bytes).unwrap();
    loads(&ok(build(Some(&key("a")))), 1);
    loads(&ok(build(Some(&key("a")))), 0);

    // A seal record that cannot be read is no answer: the seal runs, and records anew.
    let records: Vec<PathBuf> = std::fs::read_dir(p.path().join(".kitei-cache/build"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|f| f.to_string_lossy().ends_with(".seal.json"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    std::fs::write(&records[0], "{ not json").unwrap();
    loads(&ok(build(Some(&key("a")))), 1);
    loads(&ok(build(Some(&key("a")))), 0);

    // Without the key the seal refuses, no-op or not; another key seals a new bundle.
    let keyless = build(None);
    assert_eq!(keyless.status.code(), Some(2), "{}", text(&keyless));
    assert!(
        text(&keyless).contains("KITEI_SIGN_KEY"),
        "{}",
        text(&keyless)
    );
    let other = ok(build(Some(&key("b"))));
    assert!(text(&other).contains("(bundle 2,"), "{}", text(&other));
    loads(&other, 1);
    loads(&ok(build(Some(&key("b")))), 0);

    // evidence/ removed: the chain starts again.
    std::fs::remove_dir_all(p.path().join("evidence")).unwrap();
    let anew = ok(build(Some(&key("b"))));
    assert!(text(&anew).contains("(bundle 1,"), "{}", text(&anew));
    assert!(zip_of(p.path(), BUNDLE1).is_file());
}

/// A bundle scoped to one incident, in a project with more than one page of incidents (the
/// register is paginated at 100): no page in it lists, names or links an incident out of scope
/// (the register's second page used to slip through).
#[test]
fn a_scoped_bundle_holds_no_page_of_an_incident_out_of_scope() {
    let p = example();
    let template =
        std::fs::read_to_string(p.path().join("policy-src/incidents/2024/INC-2024-001.yaml"))
            .unwrap();
    let extra = p.path().join("policy-src/incidents/2030");
    std::fs::create_dir_all(&extra).unwrap();
    let generated: Vec<String> = (1..=120).map(|n| format!("INC-2030-{n:04}")).collect();
    for id in &generated {
        std::fs::write(
            extra.join(format!("{id}.yaml")),
            template.replacen("id: INC-2024-001", &format!("id: {id}"), 1),
        )
        .unwrap();
    }
    // The whole bundle has the register's second page: the scoped one must leave it out.
    ok(kitei(p.path(), &["seal"]));
    // Entry names without the bag's top folder.
    let inside = |zip: PathBuf| -> Vec<(String, Vec<u8>)> {
        entries(&zip)
            .into_iter()
            .map(|(n, b)| {
                (
                    n.split_once('/').map_or(n.clone(), |(_, r)| r.to_string()),
                    b,
                )
            })
            .collect()
    };
    let all = inside(zip_of(p.path(), BUNDLE1));
    assert!(all.iter().any(|(n, _)| n == "data/site/incidents-2.html"));

    ok(kitei(p.path(), &["seal", "--incident", "INC-2025-002"]));
    let scoped = inside(zip_of(p.path(), "kitei-evidence-000002"));
    let pages: Vec<(&str, String)> = scoped
        .iter()
        .filter(|(n, _)| n.starts_with("data/site/"))
        .map(|(n, b)| (n.as_str(), String::from_utf8_lossy(b).into_owned()))
        .collect();
    assert!(
        pages
            .iter()
            .any(|(n, _)| *n == "data/site/incident-INC-2025-002.html")
    );
    let out_of_scope: Vec<String> = all
        .iter()
        .filter_map(|(n, _)| n.strip_prefix("data/source/incidents/"))
        .filter_map(|rest| rest.rsplit('/').next()?.strip_suffix(".yaml"))
        .filter(|id| *id != "INC-2025-002")
        .map(str::to_string)
        .collect();
    assert!(out_of_scope.len() > 100, "{}", out_of_scope.len());
    for (name, text) in &pages {
        for id in &out_of_scope {
            let link = format!("incident-{id}.html");
            assert!(!text.contains(&link), "{name} links {id}");
        }
        for id in &generated {
            assert!(!text.contains(id.as_str()), "{name} names {id}");
        }
    }
}

/// An incident id with a full-width digit (`INC-１`) is a finding (K0202) for `seal` and for
/// `build --allow-errors` (whose restricted dashboard lists the incident), never a panic.
#[test]
fn a_full_width_incident_id_is_a_finding_for_seal_and_preview_builds() {
    let p = example();
    common::full_width_incident_id(p.path());
    let o = kitei(p.path(), &["seal"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("panicked"), "{}", text(&o));
    let pages = entries(&zip_of(p.path(), BUNDLE1));
    assert!(
        pages
            .iter()
            .any(|(n, b)| n.ends_with("data/site/dashboard.html")
                && String::from_utf8_lossy(b).contains("INC-１"))
    );
    for audience in ["employees", "restricted"] {
        let o = kitei(
            p.path(),
            &["build", "--allow-errors", "--audience", audience],
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert!(text(&o).contains("K0202"), "{}", text(&o));
        assert!(!text(&o).contains("panicked"), "{}", text(&o));
    }
    let check = kitei(p.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(text(&check).contains("K0202"));
}

/// The evidence is the content, not the file name: an auditor's renamed copy verifies, and the
/// report shows the bag's own name.
#[test]
fn a_renamed_bundle_verifies_and_names_its_bag() {
    let p = example();
    ok(kitei(p.path(), &["seal"]));
    let sealed = zip_of(p.path(), "kitei-evidence-000001");
    let filed = p.path().join("監査資料-2026年度.zip");
    std::fs::copy(&sealed, &filed).unwrap();
    let o = ok(kitei(p.path(), &["verify", filed.to_str().unwrap()]));
    let t = text(&o);
    assert!(t.contains("kitei-evidence-000001"), "{t}");
    assert!(t.contains("the bag inside is"), "{t}");
    // Renamed and changed is still refused: the content decides.
    let mut bytes = std::fs::read(&filed).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xFF;
    std::fs::write(&filed, bytes).unwrap();
    assert_eq!(
        kitei(p.path(), &["verify", filed.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
}
