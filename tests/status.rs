//! `kitei status`: open incidents with their next deadline, duties due within a period, and
//! overdue ones — agreeing with `kitei check` about every missed dated duty.

mod common;

use serde_json::Value;

fn status(project: &std::path::Path, args: &[&str]) -> Value {
    let o = common::kitei(project)
        .args(args)
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_example_as_pinned_lists_its_open_incidents_and_what_falls_due() {
    let dir = common::example();
    let s = status(dir.path(), &[]);
    assert_eq!(s["schema"], "kitei-status/1");
    assert_eq!(s["as_of"], "2026-11-01");
    assert_eq!(s["until"], "2026-11-15");
    let open: Vec<&str> = s["open_incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["INC-2026-002", "INC-2026-003"]);
    let next = &s["open_incidents"][1]["next"];
    assert_eq!(next["due"], "2026-11-13");
    assert_eq!(next["code"], "K0505");
    // The one overdue duty is waived by the example's exception (so check stays clean).
    let overdue = s["overdue"].as_array().unwrap();
    assert_eq!(overdue.len(), 1, "{overdue:#?}");
    assert_eq!(overdue[0]["subject"], "incident:INC-2025-004");
    assert_eq!(overdue[0]["waived_by"], "EXC-2026-01");
    let upcoming = s["upcoming"].as_array().unwrap();
    assert_eq!(upcoming.len(), 1);
    assert_eq!(upcoming[0]["due"], "2026-11-13");
    // A longer horizon includes the APPI final report of INC-2026-003 (60 days, malicious).
    let o = common::kitei(dir.path())
        .args(["status", "--within", "3 months", "--format", "json"])
        .output()
        .unwrap();
    let longer: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        longer["upcoming"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "K0402"
                && i["subject"] == "incident:INC-2026-003"
                && i["due"] == "2026-12-26"),
        "{longer:#}"
    );
}

#[test]
fn every_missed_dated_duty_check_reports_is_overdue_in_status() {
    let dir = common::example();
    let later = ["--as-of", "2027-06-01"];
    let o = common::kitei(dir.path())
        .args(later)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let dated = [
        "K0401", "K0402", "K0404", "K0405", "K0501", "K0502", "K0503", "K0505",
    ];
    let mut missed: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| dated.contains(&d["code"].as_str().unwrap()) && d["level"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["subject"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(missed.len() > 10, "{report:#}");
    let s = status(dir.path(), &later);
    let mut overdue: Vec<(String, String)> = s["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["waived_by"].is_null())
        .map(|i| {
            (
                i["code"].as_str().unwrap().to_string(),
                i["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    missed.sort();
    overdue.sort();
    assert_eq!(missed, overdue);
}

#[test]
fn the_text_summary_names_each_section_and_a_bad_period_is_a_usage_error() {
    let dir = common::example();
    let o = common::kitei(dir.path()).args(["status"]).output().unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("kitei status as of 2026-11-01 (pinned by as_of in kitei.toml)\n"));
    for part in [
        "Open incidents: 2\n  INC-2026-002  contained",
        "next: 2026-11-13 (in 12 days)  K0505  prevention measure: ",
        "Overdue: 1\n  2026-09-30 (32 days ago)  K0505",
        "(waived by EXC-2026-01)",
        "Due within 14 days: 1\n",
    ] {
        assert!(text.contains(part), "{part}\n---\n{text}");
    }
    let bad = common::kitei(dir.path())
        .args(["status", "--within", "soon"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a period"));
}
