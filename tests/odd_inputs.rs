//! Inputs a real file system holds: FIFOs, sockets and devices in the source folder are
//! findings that name the path, never an open that hangs; UTF-16 sources are named as such.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd`, killing it (and failing the test) if it takes longer than a minute: a hang is
/// the bug these tests guard against.
fn bounded(mut cmd: Command, what: &str) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{what}: kitei still running after 60 s (blocked on a special file?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_anywhere_is_a_finding_not_a_hang() {
    // Each place a FIFO can sit: a record, a document, an unreferenced evidence file and a
    // referenced one (the file an incident lists, replaced by a FIFO).
    let places = [
        "policy-src/incidents/2026/INC-2026-999.yaml",
        "policy-src/regulation/fifo.md",
        "policy-src/evidence/INC-2024-002/unlisted.bin",
        "policy-src/evidence/INC-2024-002/storage-controller-2024-09-10.log",
    ];
    for place in places {
        let dir = common::example();
        let path = dir.path().join(place);
        let _ = std::fs::remove_file(&path);
        mkfifo(&path);
        for args in [&["check"][..], &["build"], &["seal"]] {
            let mut cmd = common::kitei(dir.path());
            cmd.args(args);
            let o = bounded(cmd, &format!("{args:?} with a FIFO at {place}"));
            let err = String::from_utf8_lossy(&o.stderr);
            // `seal` seals a corpus with errors too, recording them in the bundle's report.
            if args == ["seal"] && o.status.code() == Some(0) {
                assert!(err.contains("the check found"), "{place}: {err}");
                continue;
            }
            assert_ne!(o.status.code(), Some(0), "{args:?} {place}: {err}");
            let shown = place.trim_start_matches("policy-src/");
            assert!(err.contains(shown), "{args:?} {place}: {err}");
            assert!(err.contains("FIFO"), "{args:?} {place}: {err}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_socket_in_the_source_folder_is_named() {
    let dir = common::example();
    let path = dir.path().join("policy-src/regulation/socket.md");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let mut cmd = common::kitei(dir.path());
    cmd.arg("check");
    let o = bounded(cmd, "check with a socket");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("regulation/socket.md"), "{err}");
    assert!(err.contains("a socket"), "{err}");
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend(if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        });
    }
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_sources_are_named_with_their_conversion() {
    let source = std::fs::read_to_string(
        common::root().join("policy-src/regulation/emergency-organisation.md"),
    )
    .unwrap();
    for (big, bom, name, iconv) in [
        (false, true, "UTF-16LE with BOM", "iconv -f UTF-16 -t UTF-8"),
        (true, true, "UTF-16BE with BOM", "iconv -f UTF-16 -t UTF-8"),
        (
            false,
            false,
            "UTF-16LE without BOM",
            "iconv -f UTF-16LE -t UTF-8",
        ),
        (
            true,
            false,
            "UTF-16BE without BOM",
            "iconv -f UTF-16BE -t UTF-8",
        ),
    ] {
        let dir = common::example();
        std::fs::write(
            dir.path()
                .join("policy-src/regulation/emergency-organisation.md"),
            utf16(&source, big, bom),
        )
        .unwrap();
        let o = common::kitei(dir.path()).arg("check").output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains("K0102"), "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
        assert!(err.contains(iconv), "{name}: {err}");
        assert!(!err.contains("Shift_JIS"), "{name}: {err}");
    }
}
