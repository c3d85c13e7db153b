//! `benches/run.sh --self-test`: the benchmark script at tiny sizes with the test build's
//! binaries, into a scratch folder, so that a broken script fails CI rather than the next
//! benchmark run. The numbers mean nothing here; the tables and ratios must all be there, the
//! tools must take turns run by run, and earlier output must be moved aside, not deleted,
//! before a timed run (the fairness rules of issue 19). Hugo is used when installed, never
//! required.

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
        .env("MEASURE_BIN", env!("CARGO_BIN_EXE_kitei-measure"))
        // The same binary as the baseline: its rows and ratios must be there too.
        .env("BASELINE", env!("CARGO_BIN_EXE_kitei"))
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
        "| 50 (baseline) |",
        "| kitei ÷ baseline, check cold, 50 incidents |",
        "| kitei ÷ baseline, check warm, 50 incidents |",
        "| kitei ÷ baseline, cold, N=20 |",
        "## `check` with a roster and acknowledgements",
        "| 200 | CSV |",
        "| 200 | YAML |",
        "acknowledgements as CSV (cold) ≤ 2 s",
        "## Sealing 2 MiB of evidence",
        "sha256sum, ",
        "floor: read + SHA-256 + write + fsync",
        "kitei seal ÷ floor seal, 2 MiB",
        "## Targets",
        "change rebuild N=20 ≤ 150 ms",
        "noop rebuild with seal (`kitei build`) N=20 ≤ 50 ms",
        "one file changed in `kitei serve` (save → published) N=20 ≤ 150 ms",
        "| kitei ÷ baseline, serve-change, N=20 |",
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
    let events = std::fs::read_to_string(work.path().join("events.log")).unwrap();
    tools_take_turns(&events);
    outputs_are_moved_aside_not_deleted(&events, &work.path().join("trash"));
}

/// One line of `$WORK/events.log`, split at tabs.
fn fields(line: &str) -> Vec<&str> {
    line.split('\t').collect()
}

/// The site part's cold runs go kitei, kitei with seal, floor, [hugo], kitei, …: every tool's
/// run 1 before any tool's run 2, not one tool's runs back to back.
fn tools_take_turns(events: &str) {
    let cold: Vec<(String, String)> = events
        .lines()
        .map(fields)
        .filter(|f| f[0] == "measure" && f[2] == "20" && (f[3] == "cold" || f[3] == "cold-seal"))
        .map(|f| (format!("{} {}", f[1], f[3]), f[4].to_string()))
        .collect();
    let round: Vec<&String> = cold
        .iter()
        .filter(|(_, r)| r == "1")
        .map(|(t, _)| t)
        .collect();
    assert!(
        round.len() >= 3,
        "kitei, kitei with seal and floor in run 1: {cold:?}"
    );
    let expected: Vec<(String, String)> = ["1", "2"]
        .iter()
        .flat_map(|run| round.iter().map(|t| (t.to_string(), run.to_string())))
        .collect();
    assert_eq!(cold, expected, "the tools did not take turns run by run");
}

/// Before a timed run, what an earlier run left is renamed into the trash; the trash is emptied
/// only after a part's last timed run, never between two (the self-test keeps it to show it).
fn outputs_are_moved_aside_not_deleted(events: &str, trash: &Path) {
    let lines: Vec<Vec<&str>> = events.lines().map(fields).collect();
    let asides: Vec<&Vec<&str>> = lines.iter().filter(|f| f[0] == "aside").collect();
    for f in &asides {
        assert!(
            Path::new(f[2]).starts_with(trash) && Path::new(f[2]).exists(),
            "{f:?}: not in the trash"
        );
    }
    // Run 1's output of each tool was moved, whole, before run 2 of that tool.
    for tool in ["kitei", "floor"] {
        let moved = asides
            .iter()
            .find(|f| f[1].ends_with(&format!("/site-20/out-{tool}-1")))
            .unwrap_or_else(|| panic!("out-{tool}-1 never moved aside:\n{events}"));
        assert!(
            Path::new(moved[2]).join("index.html").is_file()
                || std::fs::read_dir(moved[2]).unwrap().next().is_some(),
            "{moved:?}: the moved output is empty"
        );
        let at = |pred: &dyn Fn(&Vec<&str>) -> bool| lines.iter().position(pred).unwrap();
        let aside_at = at(&|f| f[0] == "aside" && f[1] == moved[1]);
        let run2_at = at(&|f| {
            f[0] == "measure" && f[1] == tool && f[3] == "cold" && f[4] == "2" && f[2] == "20"
        });
        assert!(aside_at < run2_at, "out-{tool}-1 moved after run 2 started");
    }
    // No deletion between two timed runs of the site part.
    let site: Vec<&Vec<&str>> = lines
        .iter()
        .skip_while(|f| !(f[0] == "section" && f[1].starts_with("site N=20")))
        .skip(1)
        .take_while(|f| f[0] != "section")
        .collect();
    let last_measure = site.iter().rposition(|f| f[0] == "measure").unwrap();
    assert!(
        !site[..last_measure].iter().any(|f| f[0] == "empty-trash"),
        "the trash was emptied between timed runs:\n{events}"
    );
    let kept = std::fs::read_dir(trash).unwrap().count();
    assert_eq!(kept, asides.len(), "every aside is in the (kept) trash");
}
