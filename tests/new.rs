//! `kitei new`: the next free id, the project's time, every required field with a comment, and
//! placeholders that `kitei check` reports as "fill this in" (K0608 in records, K0604 in a
//! runbook's text) and nothing else; filled in, the records check clean.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn kitei(project: &Path, args: &[&str]) -> Output {
    common::kitei(project)
        .args(args)
        .output()
        .expect("kitei runs")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\n{}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A starter project from `kitei init`.
fn starter() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(&kitei(dir.path(), &["init"]));
    dir
}

fn written(o: &Output) -> PathBuf {
    PathBuf::from(ok(o).trim())
}

#[test]
fn every_kind_fails_only_with_fill_in_findings_at_the_placeholders_then_checks_clean() {
    let dir = starter();
    let p = dir.path();
    let mut files = Vec::new();
    for kind in ["incident", "drill", "review", "exception", "runbook"] {
        // (A runbook's title placeholder is K0604's, reported at the front matter's id line.)
        let args: &[&str] = match kind {
            "runbook" => &["new", kind, "--title", "フィッシング"],
            _ => &["new", kind],
        };
        let path = written(&kitei(p, args));
        assert!(path.is_file(), "{kind}: {} not written", path.display());
        files.push(path);
    }
    let check = kitei(p, &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let findings = report["diagnostics"].as_array().unwrap();
    assert!(findings.len() >= 10, "{findings:#?}");
    for f in findings {
        let code = f["code"].as_str().unwrap();
        assert!(
            code == "K0608" || code == "K0604",
            "not a fill-in finding: {f:#}"
        );
        // Each points at a line that holds the placeholder (K0608: at its column too).
        let loc = &f["location"];
        let text = std::fs::read_to_string(p.join(loc["path"].as_str().unwrap())).unwrap();
        let line = text
            .lines()
            .nth(loc["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        if code == "K0608" {
            let column = loc["column"].as_u64().unwrap() as usize;
            let rest: String = line.chars().skip(column - 1).collect();
            assert!(
                rest.starts_with("【要記入】") || rest.starts_with("FILL-IN"),
                "{f:#}\n{line}"
            );
        } else {
            assert!(line.contains("【要記入】"), "{f:#}\n{line}");
        }
    }
    // Every K0608 placeholder of every record is reported (the runbook's body is K0604's).
    let k0607 = findings.iter().filter(|f| f["code"] == "K0608").count();
    assert_eq!(
        k0607,
        2 + 1 + 1 + 3 + 2,
        "incident 2, drill 1, review 1, exception 3, runbook front matter 2"
    );

    // Filled in, everything checks clean.
    let incident_id = files[0].file_stem().unwrap().to_str().unwrap().to_string();
    for path in &files {
        let text = std::fs::read_to_string(path)
            .unwrap()
            .replace("type: 【要記入】", "type: malware")
            .replace("rule: 【要記入】", "rule: K0502")
            .replace("incident_types: [【要記入】]", "incident_types: [phishing]")
            .replace("incident:FILL-IN", &format!("incident:{incident_id}"))
            .replace("【要記入】", "");
        std::fs::write(path, text).unwrap();
    }
    let check = kitei(p, &["check"]);
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        check.status.success() && err.contains("0 error(s), 0 warning(s)"),
        "{err}"
    );
}

#[test]
fn two_incidents_get_two_ids_and_a_title_is_written_as_given() {
    let dir = starter();
    let p = dir.path();
    let first = written(&kitei(
        p,
        &["new", "incident", "--title", "社用PCの紛失: \"#1\""],
    ));
    let second = written(&kitei(p, &["new", "incident"]));
    assert_ne!(first, second);
    let a = std::fs::read_to_string(&first).unwrap();
    let b = std::fs::read_to_string(&second).unwrap();
    let id = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("id: "))
            .unwrap()
            .to_string()
    };
    assert_ne!(id(&a), id(&b));
    assert!(id(&b).ends_with("-002"), "{}", id(&b));
    // A title with YAML syntax in it is quoted, so it reads back as typed.
    assert!(a.contains(r##"title: "社用PCの紛失: \"#1\"""##), "{a}");
    let check = kitei(p, &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let titles: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap().starts_with("`title`"))
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 1, "only the second has a title placeholder");
    // Every required field is there with a comment, the later ones listed as comments.
    for field in [
        "id:",
        "title:",
        "type:",
        "severity:",
        "status: open",
        "detected_at:",
    ] {
        assert!(b.lines().any(|l| l.starts_with(field)), "{field}\n{b}");
    }
    for later in [
        "# closed_at:",
        "# root_cause:",
        "# prevention_plan:",
        "# contained_at:",
    ] {
        assert!(b.contains(later), "{later}\n{b}");
    }
    assert!(
        b.starts_with("# yaml-language-server: $schema=../../../schemas/incident.schema.json\n")
    );
}

#[test]
fn the_time_is_the_evaluation_date_at_the_clock_time_in_the_project_zone() {
    // The example pins as_of = 2026-11-01 and has incidents up to INC-2026-…; the clock
    // (SOURCE_DATE_EPOCH 2027-01-15T01:02:03Z = 10:02 in Tokyo) gives the time of day.
    let dir = common::example();
    let o = common::kitei(dir.path())
        .args(["new", "incident"])
        .env("SOURCE_DATE_EPOCH", "1768438923")
        .output()
        .unwrap();
    let path = written(&o);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\ndetected_at: 2026-11-01T10:02:00+09:00 "),
        "{text}"
    );
    let highest = std::fs::read_dir(dir.path().join("policy-src/incidents/2026"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_prefix("INC-2026-")?
                .strip_suffix(".yaml")?
                .parse::<u32>()
                .ok()
        })
        .max()
        .unwrap();
    assert!(
        path.ends_with(format!("INC-2026-{highest:03}.yaml")),
        "{} is not the highest number",
        path.display()
    );
    // The example's check sees one more incident and only its placeholders.
    let check = kitei(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let errors: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["K0608", "K0608"], "{report:#}");
}
