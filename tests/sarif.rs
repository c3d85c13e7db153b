//! `kitei check --format sarif` writes a SARIF 2.1.0 log that the stock validators accept:
//! the official JSON schema (through `check-jsonschema`) and Microsoft's SARIF multitool.

mod common;

use std::path::Path;
use std::process::Command;

fn sarif_of(project: &Path) -> (String, i32) {
    let out = common::kitei(project)
        .args(["check", "--format", "sarif"])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// Validates `log` with both tools; returns whether they ran.
fn assert_valid_sarif(log: &str, what: &str) -> bool {
    let Some(multitool) = common::node_tool("@microsoft/sarif-multitool-linux/Sarif.Multitool")
    else {
        return common::tool_missing(
            "the SARIF validation",
            "the SARIF multitool is missing (npm ci --prefix tests/tools)",
        );
    };
    let schema = common::node_tool("@microsoft/sarif-multitool-linux/sarif-2.1.0.json").unwrap();
    if !common::on_path("check-jsonschema") {
        return common::tool_missing(
            "the SARIF validation",
            "check-jsonschema is missing (pip install check-jsonschema)",
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kitei.sarif");
    std::fs::write(&file, log).unwrap();

    let o = Command::new("check-jsonschema")
        .arg("--schemafile")
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{what}: check-jsonschema rejects the log:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    let o = Command::new(&multitool)
        .arg("validate")
        .arg(&file)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{what}: the multitool failed:\n{report}"
    );
    let errors: Vec<&str> = report.lines().filter(|l| l.contains(": error ")).collect();
    assert!(
        errors.is_empty(),
        "{what}: SARIF errors:\n{}",
        errors.join("\n")
    );
    true
}

#[test]
fn the_example_gives_a_valid_log_with_its_warnings_and_waivers() {
    let dir = common::example();
    let (log, code) = sarif_of(dir.path());
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&log).unwrap();
    let run = &json["runs"][0];
    assert_eq!(json["version"], "2.1.0");
    let results = run["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["level"] == "warning"));
    assert!(
        results.iter().any(|r| !r["suppressions"].is_null()),
        "the example's waived finding is kept as a suppressed result"
    );
    assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() >= 40);
    assert_valid_sarif(&log, "the example");
}

#[test]
fn errors_point_at_file_line_and_rule() {
    let dir = common::example();
    let incident = dir
        .path()
        .join("policy-src/incidents/2024/INC-2024-001.yaml");
    let text = std::fs::read_to_string(&incident).unwrap();
    std::fs::write(&incident, text.replacen("severity: 1", "severity：1", 1)).unwrap();
    let (log, code) = sarif_of(dir.path());
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&log).unwrap();
    let error = json["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["level"] == "error")
        .expect("an error result");
    assert_eq!(error["ruleId"], "K0103");
    let phys = &error["locations"][0]["physicalLocation"];
    assert_eq!(
        phys["artifactLocation"]["uri"],
        "policy-src/incidents/2024/INC-2024-001.yaml"
    );
    assert_eq!(phys["region"]["startLine"], 5); // line 1 is the schema modeline
    assert_eq!(phys["region"]["startColumn"], 9);
    let index = error["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        json["runs"][0]["tool"]["driver"]["rules"][index]["id"],
        "K0103"
    );
    assert_valid_sarif(&log, "a failing policy");
}

#[test]
fn same_inputs_same_bytes() {
    let dir = common::example();
    assert_eq!(sarif_of(dir.path()).0, sarif_of(dir.path()).0);
}
