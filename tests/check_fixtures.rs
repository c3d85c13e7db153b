//! Runs the `kitei` binary on one small failing policy per rule and per loader error.
//!
//! `tests/fixtures/base` is a minimal policy that checks clean. Every other folder holds an
//! `overlay/` of files that replace or add to the base, and an `expect.toml` naming the code,
//! level, file and line that must be reported and the exit code. Errors other than the
//! expected code fail the test, so each fixture pins down exactly one rule.
//!
//! The rule registry drives the rest: every registered rule must have a fixture, and the
//! README's rule table must equal the one made from the registry (`KITEI_BLESS=1 cargo test
//! --test check_fixtures` rewrites it).

mod common;

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Deserialize)]
struct Expect {
    code: String,
    level: String,
    file: String,
    line: Option<u32>,
    exit: i32,
    #[serde(default)]
    remove: Vec<String>,
    /// Files made symbolic links to a file outside the project (git cannot hold such a link).
    #[serde(default)]
    link_outside: Vec<String>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn kitei(project: &Path, args: &[&str]) -> std::process::Output {
    common::kitei(project).args(args).output().unwrap()
}

fn json_report(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn base_fixture_checks_clean() {
    let dir = common::base_fixture();
    let out = kitei(dir.path(), &["check", "--format", "json"]);
    let report = json_report(&out);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn every_fixture_reports_its_code_file_and_line() {
    let mut names: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expect.toml").is_file())
        .collect();
    names.sort();
    assert!(names.len() >= 45, "fixtures went missing: {}", names.len());
    let mut failures = Vec::new();
    for fixture in &names {
        let name = fixture.file_name().unwrap().to_string_lossy().to_string();
        let expect: Expect =
            toml::from_str(&std::fs::read_to_string(fixture.join("expect.toml")).unwrap()).unwrap();
        let dir = common::base_fixture();
        if fixture.join("overlay").is_dir() {
            common::copy_tree(&fixture.join("overlay"), dir.path());
        }
        for r in &expect.remove {
            std::fs::remove_file(dir.path().join(r)).unwrap();
        }
        let outside = tempfile::tempdir().unwrap();
        for link in &expect.link_outside {
            let target = outside.path().join("outside.yaml");
            std::fs::write(&target, "id: OUTSIDE\n").unwrap();
            symlink(&target, &dir.path().join(link));
        }
        if let Err(problem) = run_fixture(dir.path(), &expect) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) {
    std::fs::copy(target, link).unwrap();
}

/// The code each fixture expects, by fixture folder.
fn fixture_codes() -> Vec<(String, String)> {
    let mut codes = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(path.join("expect.toml")) else {
            continue;
        };
        let expect: Expect = toml::from_str(&text).unwrap();
        codes.push((
            path.file_name().unwrap().to_string_lossy().into(),
            expect.code,
        ));
    }
    codes.sort();
    codes
}

#[test]
fn every_rule_has_a_failing_fixture() {
    let codes = fixture_codes();
    let missing: Vec<_> = kitei::check::RULES
        .iter()
        .filter(|r| !codes.iter().any(|(_, c)| c == r.code))
        .map(|r| format!("{} {}", r.code, r.name))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a fixture in tests/fixtures/ (add CODE-name/overlay + expect.toml): {missing:?}"
    );
    let unknown: Vec<_> = codes
        .iter()
        .filter(|(_, c)| kitei::check::rule(c).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "fixtures expecting unregistered codes: {unknown:?}"
    );
}

#[test]
fn readme_rule_table_is_made_from_the_registry() {
    const BEGIN: &str = "<!-- rules:begin (made from the rule registry; KITEI_BLESS=1 cargo test --test check_fixtures rewrites it) -->\n";
    const END: &str = "<!-- rules:end -->";
    let path = common::root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find(BEGIN)
        .expect("README.md lacks the rules:begin marker")
        + BEGIN.len();
    let end = start
        + readme[start..]
            .find(END)
            .expect("README.md lacks the rules:end marker");
    let table = kitei::check::markdown_table();
    if readme[start..end] != table {
        if std::env::var_os("KITEI_BLESS").is_some() {
            let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "the README's rule table is stale; run `KITEI_BLESS=1 cargo test --test check_fixtures`.\nexpected:\n{table}"
            );
        }
    }
}

fn run_fixture(project: &Path, expect: &Expect) -> Result<(), String> {
    let out = kitei(project, &["check", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(expect.exit) {
        return Err(format!(
            "exit {:?}, expected {}\n{stderr}",
            out.status.code(),
            expect.exit
        ));
    }
    if expect.exit == 2 {
        // Configuration and I/O failures stop before a report exists: the message is on stderr.
        let wanted = format!("[{}]", expect.code);
        let place = match expect.line {
            Some(line) => format!("{}:{line}", expect.file),
            None => expect.file.clone(),
        };
        return if stderr.contains(&wanted) && stderr.contains(&place) {
            Ok(())
        } else {
            Err(format!("stderr lacks {wanted} at {place}:\n{stderr}"))
        };
    }
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("not JSON: {e}"))?;
    let diags = report["diagnostics"]
        .as_array()
        .ok_or("no diagnostics array")?;
    let hit = diags.iter().any(|d| {
        d["code"] == expect.code.as_str()
            && d["level"] == expect.level.as_str()
            && d["location"]["path"] == expect.file.as_str()
            && expect.line.is_none_or(|line| d["location"]["line"] == line)
    });
    if !hit {
        return Err(format!(
            "no {} {} at {}:{:?}; got {:#}",
            expect.level, expect.code, expect.file, expect.line, report["diagnostics"]
        ));
    }
    let others: Vec<_> = diags
        .iter()
        .filter(|d| d["code"] != expect.code.as_str() && d["level"] == "error")
        .collect();
    if !others.is_empty() {
        return Err(format!("unexpected other errors: {others:#?}"));
    }
    Ok(())
}

#[test]
fn shift_jis_file_is_refused_with_the_conversion_command() {
    let dir = common::base_fixture();
    let (bytes, _, _) =
        encoding_rs::SHIFT_JIS.encode("id: DRL-2\ntitle: 机上訓練\nheld_on: 2025-11-02\n");
    std::fs::write(dir.path().join("policy-src/drills/DRL-2.yaml"), bytes).unwrap();
    let out = kitei(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_report(&out);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "K0102");
    assert_eq!(d["location"]["path"], "policy-src/drills/DRL-2.yaml");
    assert!(d["message"].as_str().unwrap().contains("Shift_JIS"), "{d}");
    assert!(d["message"].as_str().unwrap().contains("iconv"), "{d}");
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_tree_are_refused() {
    let dir = common::base_fixture();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "id: X\n").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        dir.path().join("policy-src/drills/DRL-9.yaml"),
    )
    .unwrap();
    // An evidence path through a link that leads outside.
    std::os::unix::fs::symlink(
        outside.path(),
        dir.path().join("policy-src/evidence/linked"),
    )
    .unwrap();
    let inc = dir.path().join("policy-src/incidents/INC-1.yaml");
    let text = std::fs::read_to_string(&inc)
        .unwrap()
        .replace("evidence/INC-1/host.log", "evidence/linked/secret.yaml");
    std::fs::write(&inc, text).unwrap();

    let out = kitei(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_report(&out);
    let codes: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"K0107".to_string()), "{codes:?}");
    assert!(codes.contains(&"K0106".to_string()), "{codes:?}");
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        !text.contains("id: X"),
        "content behind the link must not be read"
    );
}

#[test]
fn missing_source_folder_is_a_usage_failure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kitei.toml"), "source = \"nowhere\"\n").unwrap();
    let out = kitei(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("K0101") && stderr.contains("nowhere"),
        "{stderr}"
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let dir = common::base_fixture();
    let p = dir.path().join("policy-src");
    std::fs::write(
        p.join("drills/DRL-2.yaml"),
        "id: DRL-2\ntitel: x\nheld_on: 2025-11-02\n",
    )
    .unwrap();
    std::fs::write(p.join("reviews/REV-2.yaml"), "id: [\n").unwrap();
    let inc = std::fs::read_to_string(p.join("incidents/INC-1.yaml"))
        .unwrap()
        .replace("system:web", "system:nope");
    std::fs::write(p.join("incidents/INC-1.yaml"), inc).unwrap();
    let report = json_report(&kitei(dir.path(), &["check", "--format", "json"]));
    let codes: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == "K0103").count(),
        2,
        "{codes:?}"
    );
    assert!(codes.contains(&"K0202"), "{codes:?}");
    assert!(report["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["help"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `title`")
    }));
}
