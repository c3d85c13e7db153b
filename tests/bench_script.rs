//! `benches/run.sh --self-test`: the benchmark script at tiny sizes with the test build's
//! binaries, into a scratch folder, so that a broken script fails CI rather than the next
//! benchmark run. The numbers mean nothing here; the tables and ratios must all be there.

use std::path::Path;
use std::process::Command;

#[test]
fn benchmark_script_runs_every_part_and_writes_its_tables() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let results_before = std::fs::read(root.join("benches/results/RESULTS.md")).ok();
    let out = Command::new("bash")
        .arg(root.join("benches/run.sh"))
        .arg("--self-test")
        .env("WORK", work.path())
        .env("KITEI_BIN", env!("CARGO_BIN_EXE_kitei"))
        .env("GEN_BIN", env!("CARGO_BIN_EXE_kitei-gen"))
        .env("FLOOR_BIN", env!("CARGO_BIN_EXE_kitei-floor"))
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "benches/run.sh --self-test failed:\n{stderr}"
    );
    assert!(
        !stderr.contains(" exit-") && !stderr.contains("timeout"),
        "a measured command failed:\n{stderr}"
    );
    let md = std::fs::read_to_string(work.path().join("results/RESULTS.md")).unwrap();
    for expected in [
        "## Site (same Markdown)",
        "| 20 | kitei |",
        "| 20 | floor |",
        "kitei `build` (with seal)",
        "kitei `seal` alone",
        "| kitei ÷ floor, cold, N=20 |",
        "build (with seal) ÷ (build --no-seal + seal alone), N=20",
        "check cold ÷ warm, N=20",
        "## Build time as incidents grow",
        "| 200 |",
        "## `check` of many incident records",
        "## Sealing 2 MiB of evidence",
        "sha256sum, ",
        "floor: read + SHA-256 + write + fsync",
        "kitei seal ÷ floor seal, 2 MiB",
        "## Targets",
        "build time grows linearly with incidents",
    ] {
        assert!(
            md.contains(expected),
            "RESULTS.md lacks {expected:?}:\n{md}"
        );
    }
    // Tools that are not installed are named, and the rest is still reported.
    for tool in ["hugo", "mdbook"] {
        let installed = md.contains(&format!("| 20 | {tool} |"));
        let named_missing = md.contains("Not installed, left out of this run") && md.contains(tool);
        assert!(
            installed || named_missing,
            "{tool}: neither measured nor named missing:\n{md}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("results/latest.json")).unwrap())
            .unwrap();
    assert_eq!(json["mode"], "self-test");
    assert!(
        json["raw"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "ok"),
        "{json}"
    );
    assert_eq!(
        std::fs::read(root.join("benches/results/RESULTS.md")).ok(),
        results_before,
        "the self-test must not replace the committed results"
    );
}
