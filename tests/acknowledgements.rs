//! Acknowledgements (周知): the deadline rules at their boundaries through the library, and the
//! example's intended findings as of its pinned date, exactly.

mod common;

use std::path::Path;

use kitei::check::{self, Ctx, Report};
use kitei::config::{Project, parse_date};
use kitei::diag::Level;

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join("policy-src").join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn check_as_of(dir: &Path, as_of: &str) -> Report {
    let project = Project::open(dir).unwrap();
    let loaded = kitei::source::load(&project).unwrap();
    let ctx = Ctx::new(&loaded.corpus, &project, parse_date(as_of).unwrap());
    check::run(&ctx, loaded.diagnostics, false)
}

/// (code, level, message) of the K09xx findings.
fn acks(report: &Report) -> Vec<(String, Level, String)> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("K09"))
        .map(|d| (d.code.to_string(), d.level, d.message.clone()))
        .collect()
}

/// The base fixture (regulation `reg` 1.0, effective 2025-07-01) with a roster and one
/// acknowledgements file.
fn project(binding: &str, people: &[&str], entries: &[&str]) -> tempfile::TempDir {
    let dir = common::base_fixture();
    let mut roster = format!("binding:\n  - document: doc:reg\n{binding}\npeople:\n");
    for p in people {
        roster.push_str(&format!("  - {p}\n"));
    }
    write(dir.path(), "roster.yaml", &roster);
    let mut file = String::from("document: doc:reg\nrelease: \"1.0\"\nacknowledgements:\n");
    for e in entries {
        file.push_str(&format!("  - {e}\n"));
    }
    if entries.is_empty() {
        file = file.replace("acknowledgements:\n", "acknowledgements: []\n");
    }
    write(dir.path(), "acknowledgements/reg-1.0.yaml", &file);
    dir
}

const P1: &str = "{ id: P1, name: 試験 一郎, department: 総務部, joined: 2020-04-01 }";

#[test]
fn deadline_is_within_days_of_the_effective_date_warn_before_error_after() {
    // effective 2025-07-01 + 30 days = due 2025-07-31.
    let dir = project("    everyone: true", &[P1], &[]);
    let r = check_as_of(dir.path(), "2025-07-31");
    assert_eq!(acks(&r).len(), 1);
    assert_eq!(acks(&r)[0].1, Level::Warning, "{:?}", acks(&r));
    assert!(acks(&r)[0].2.contains("due by 2025-07-31"));
    let r = check_as_of(dir.path(), "2025-08-01");
    assert_eq!(acks(&r)[0].1, Level::Error, "{:?}", acks(&r));
    // Not yet effective: nothing to acknowledge.
    assert!(acks(&check_as_of(dir.path(), "2025-06-30")).is_empty());
}

#[test]
fn on_the_due_day_is_on_time_the_day_after_is_late() {
    let on_time = project(
        "    everyone: true",
        &[P1],
        &["{ person: P1, on: 2025-07-31, method: lms }"],
    );
    assert!(acks(&check_as_of(on_time.path(), "2026-01-15")).is_empty());
    let late = project(
        "    everyone: true",
        &[P1],
        &["{ person: P1, on: 2025-08-01, method: lms }"],
    );
    let found = acks(&check_as_of(late.path(), "2026-01-15"));
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].0.as_str(), found[0].1), ("K0904", Level::Warning));
}

#[test]
fn deadline_is_configurable() {
    let dir = project("    everyone: true", &[P1], &[]);
    let toml = dir.path().join("kitei.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{text}\n[acknowledgements]\nwithin = \"60 days\"\n"),
    )
    .unwrap();
    let r = check_as_of(dir.path(), "2025-08-30");
    assert_eq!(acks(&r)[0].1, Level::Warning, "{:?}", acks(&r));
    assert!(acks(&r)[0].2.contains("due by 2025-08-30"));
    let r = check_as_of(dir.path(), "2025-08-31");
    assert_eq!(acks(&r)[0].1, Level::Error);
}

#[test]
fn joiners_have_joiners_within_of_joining() {
    // Joined 2025-10-01, after the revision took effect: due 14 days later.
    let joiner = "{ id: P2, name: 試験 二郎, department: 総務部, joined: 2025-10-01 }";
    let dir = project("    everyone: true", &[joiner], &[]);
    assert!(acks(&check_as_of(dir.path(), "2025-09-30")).is_empty());
    let r = check_as_of(dir.path(), "2025-10-15");
    assert_eq!(acks(&r)[0].1, Level::Warning);
    assert!(
        acks(&r)[0].2.contains("due by 2025-10-15"),
        "{:?}",
        acks(&r)
    );
    assert_eq!(
        acks(&check_as_of(dir.path(), "2025-10-16"))[0].1,
        Level::Error
    );
}

#[test]
fn leavers_before_their_deadline_are_not_required() {
    let left =
        "{ id: P1, name: 試験 一郎, department: 総務部, joined: 2020-04-01, left: 2025-07-20 }";
    let dir = project("    everyone: true", &[left], &[]);
    assert!(acks(&check_as_of(dir.path(), "2026-01-15")).is_empty());
    let stayed =
        "{ id: P1, name: 試験 一郎, department: 総務部, joined: 2020-04-01, left: 2025-09-20 }";
    let dir = project("    everyone: true", &[stayed], &[]);
    assert_eq!(acks(&check_as_of(dir.path(), "2026-01-15")).len(), 1);
}

#[test]
fn bindings_select_by_department_and_role() {
    let people = [
        P1,
        "{ id: P2, name: 試験 二郎, department: 開発部, joined: 2020-04-01 }",
        "{ id: P3, name: 試験 三郎, department: 営業部, roles: [管理職], joined: 2020-04-01 }",
    ];
    let dir = project(
        "    departments: [開発部]\n    roles: [管理職]",
        &people,
        &[],
    );
    let found = acks(&check_as_of(dir.path(), "2026-01-15"));
    let who: Vec<&str> = found.iter().map(|f| &f.2[..2]).collect();
    assert_eq!(who, ["P2", "P3"], "{found:?}");
    // A department nobody has is a typo: a warning.
    let dir = project("    departments: [開発部, 開発本部]", &people, &[]);
    let found = acks(&check_as_of(dir.path(), "2026-01-15"));
    assert!(
        found
            .iter()
            .any(|f| f.0 == "K0907" && f.1 == Level::Warning && f.2.contains("開発本部")),
        "{found:?}"
    );
}

#[test]
fn a_superseded_revision_does_not_count_for_the_new_one() {
    let dir = project(
        "    everyone: true",
        &[P1],
        &["{ person: P1, on: 2025-07-10, method: lms }"],
    );
    let reg = dir.path().join("policy-src/regulation/reg.md");
    let text = std::fs::read_to_string(&reg).unwrap().replacen(
        "review_every: 12 months\n",
        "review_every: 12 months\nchanges:\n  - { version: \"1.0\", approved_on: 2025-06-01, effective_on: 2025-07-01, summary: 制定 }\n  - { version: \"1.1\", approved_on: 2025-11-01, effective_on: 2025-12-01, summary: 改正 }\n",
        1,
    );
    std::fs::write(&reg, text).unwrap();
    // An acknowledgement of 1.0 after 1.1 took effect: K0905, and 1.1 is still missing.
    let file = dir.path().join("policy-src/acknowledgements/reg-1.0.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        format!("{text}  - {{ person: P1, on: 2025-12-05, method: lms }}\n"),
    )
    .unwrap();
    let found = acks(&check_as_of(dir.path(), "2026-01-15"));
    let codes: Vec<(&str, Level)> = found.iter().map(|f| (f.0.as_str(), f.1)).collect();
    assert!(codes.contains(&("K0905", Level::Warning)), "{found:?}");
    assert!(
        codes.contains(&("K0906", Level::Warning)),
        "duplicate: {found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.0 == "K0903" && f.1 == Level::Error && f.2.contains("1.1")),
        "{found:?}"
    );
}

#[test]
fn acknowledgement_records_are_checked_with_file_and_line() {
    let dir = project(
        "    everyone: true",
        &[P1],
        &[
            "{ person: P1, on: 2025-07-10, method: lms }",
            "{ person: P7, on: 2025-07-10, method: lms }",
            "{ person: P1, on: 2026-02-01, method: lms }",
            "{ person: P1, on: 2025-05-01, method: meeting }",
        ],
    );
    let r = check_as_of(dir.path(), "2026-01-15");
    let at = |code: &str| {
        r.diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| (d.location.as_ref().unwrap().line, d.message.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(at("K0901")[0].0, 5, "{:?}", r.diagnostics);
    let record = at("K0906");
    assert!(
        record
            .iter()
            .any(|(l, m)| *l == 6 && m.contains("after the evaluation date"))
    );
    assert!(
        record
            .iter()
            .any(|(l, m)| *l == 7 && m.contains("before the revision was approved"))
    );
    assert!(
        record
            .iter()
            .any(|(l, m)| *l == 7 && m.contains("without its evidence"))
    );
}

/// The example's roster and acknowledgements: as of the pinned date, exactly the late,
/// missed, pending and superseded ones it was written with, all warnings (the example
/// builds); three weeks later the two pending joiners are errors.
#[test]
fn the_example_reports_exactly_its_missing_and_late_acknowledgements() {
    let dir = common::example();
    let r = check_as_of(dir.path(), "2026-11-01");
    let mut found: Vec<(String, Level, String)> = acks(&r);
    found.sort();
    let expected = [
        (
            "K0903",
            "M1011 (情報システム部) has not yet acknowledged `incident-response-regulation` 2026.1: due by 2026-11-03",
        ),
        (
            "K0903",
            "M1013 (EC事業部) never acknowledged `incident-response-regulation` 2025.1 (due by 2025-05-01) before it was superseded on 2026-04-01",
        ),
        (
            "K0903",
            "M1026 (カスタマーサポート部) has not yet acknowledged `incident-response-regulation` 2026.1: due by 2026-11-09",
        ),
        (
            "K0904",
            "M1006 (情報システム部) acknowledged `incident-response-regulation` 2025.1 on 2025-05-19, 18 day(s) after the deadline 2025-05-01",
        ),
        (
            "K0904",
            "M1009 (情報システム部) acknowledged `incident-response-regulation` 2026.1 on 2026-05-12, 11 day(s) after the deadline 2026-05-01",
        ),
        (
            "K0904",
            "M1021 (カスタマーサポート部) acknowledged `incident-response-regulation` 2025.1 on 2025-06-02, 32 day(s) after the deadline 2025-05-01",
        ),
        (
            "K0904",
            "M1028 (カスタマーサポート部) acknowledged `incident-response-regulation` 2026.1 on 2026-05-25, 24 day(s) after the deadline 2026-05-01",
        ),
        (
            "K0905",
            "`M1026` acknowledged `incident-response-regulation` 2025.1 on 2026-10-28, after it was superseded on 2026-04-01: it counts for no revision",
        ),
    ];
    let got: Vec<(&str, &str)> = found.iter().map(|f| (f.0.as_str(), f.2.as_str())).collect();
    assert_eq!(got, expected);
    assert!(found.iter().all(|f| f.1 == Level::Warning), "{found:?}");

    let later = check_as_of(dir.path(), "2026-11-20");
    let errors: Vec<String> = acks(&later)
        .into_iter()
        .filter(|f| f.1 == Level::Error)
        .map(|f| f.2)
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("M1011") && errors[1].starts_with("M1026"),
        "{errors:?}"
    );
}

/// The example's acknowledgements as one table (CSV) instead of its YAML files: the same
/// findings as of both dates, located at the table's rows.
#[test]
fn the_table_form_is_checked_like_the_yaml_form() {
    let dir = common::example();
    let before = check_as_of(dir.path(), "2026-11-01");
    let before_later = check_as_of(dir.path(), "2026-11-20");
    let project = Project::open(dir.path()).unwrap();
    let loaded = kitei::source::load(&project).unwrap();
    let rows: Vec<(String, &str, &kitei::model::Acknowledgement)> = loaded
        .corpus
        .acknowledgements
        .iter()
        .flat_map(|f| {
            f.acknowledgements
                .iter()
                .map(|a| (f.document.value.to_string(), f.release.value.as_str(), a))
        })
        .collect();
    assert!(rows.len() > 60, "{}", rows.len());
    let rows: Vec<(&str, &str, &kitei::model::Acknowledgement)> =
        rows.iter().map(|(d, r, a)| (d.as_str(), *r, *a)).collect();
    let table = kitei::source::ack_table::write(&rows);
    let acks_dir = dir.path().join("policy-src/acknowledgements");
    for e in std::fs::read_dir(&acks_dir).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    write(dir.path(), "acknowledgements/all.csv", &table);

    let after = check_as_of(dir.path(), "2026-11-01");
    let sorted = |r: &Report| {
        let mut v = acks(r);
        v.sort();
        v
    };
    assert_eq!(sorted(&after), sorted(&before));
    assert!(
        !after.diagnostics.iter().any(|d| d.code == "K0103"),
        "{:?}",
        after.diagnostics
    );
    let row_of = |needle: &str| {
        1 + table
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in {table}")) as u32
    };
    let at = |code: &str, who: &str| {
        let d = after
            .diagnostics
            .iter()
            .find(|d| d.code == code && d.message.contains(who))
            .unwrap_or_else(|| panic!("{code} {who}: {:?}", after.diagnostics));
        let loc = d.location.as_ref().unwrap();
        assert!(loc.path.ends_with("acknowledgements/all.csv"), "{loc:?}");
        (loc.line, loc.column)
    };
    // The date's cell: `doc:incident-response-regulation,2026.1,M1009,` is 46 characters.
    assert_eq!(at("K0904", "M1009 "), (row_of(",M1009,2026-05-12,"), 47));
    assert_eq!(at("K0905", "`M1026`"), (row_of(",M1026,2026-10-28,"), 47));
    let errors = |r: &Report| acks(r).into_iter().filter(|f| f.1 == Level::Error).count();
    assert_eq!(errors(&check_as_of(dir.path(), "2026-11-20")), 2);
    assert_eq!(errors(&before_later), 2);
}

#[test]
fn table_rows_are_checked_with_file_line_and_column() {
    let dir = project("    everyone: true", &[P1], &[]);
    std::fs::remove_file(dir.path().join("policy-src/acknowledgements/reg-1.0.yaml")).unwrap();
    write(
        dir.path(),
        "acknowledgements/reg.csv",
        "person,on,method,document,release\n\
         P1,2025-07-10,lms,doc:reg,1.0\n\
         P7,2025-07-10,lms,doc:reg,1.0\n\
         P1,2026-02-01,lms,doc:reg,1.0\n\
         P1,2025-05-01,meeting,doc:reg,1.0\n",
    );
    let r = check_as_of(dir.path(), "2026-01-15");
    let at = |code: &str, what: &str| {
        let d = r
            .diagnostics
            .iter()
            .find(|d| d.code == code && d.message.contains(what))
            .unwrap_or_else(|| panic!("{code} {what}: {:?}", r.diagnostics));
        let loc = d.location.as_ref().unwrap();
        assert!(loc.path.ends_with("acknowledgements/reg.csv"), "{loc:?}");
        (loc.line, loc.column, d.help.clone().unwrap_or_default())
    };
    assert_eq!(at("K0901", "P7").0, 3);
    let (line, column, _) = at("K0906", "after the evaluation date");
    assert_eq!((line, column), (4, 4));
    let (line, column, help) = at("K0906", "without its evidence");
    assert_eq!((line, column), (5, 15));
    assert!(help.contains("`evidence_sha256`"), "{help}");
    assert_eq!(at("K0906", "before the revision was approved").0, 5);
}

/// A table that is not one: `kitei check` names the file, line and column, and fails.
#[test]
fn a_malformed_table_fails_the_check_at_its_line() {
    let dir = common::example();
    write(
        dir.path(),
        "acknowledgements/lms.csv",
        "document,release,person,on,method\n\
         doc:incident-response-regulation,2026.1,M1011,2026-10-30,lms\n\
         doc:incident-response-regulation,2026.1,M1026,2026/10/31,lms\n",
    );
    let o = common::kitei(dir.path()).arg("check").output().unwrap();
    let out = common::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("error[K0103]"), "{out}");
    assert!(out.contains("acknowledgements/lms.csv:3:47"), "{out}");
    assert!(out.contains("YYYY-MM-DD"), "{out}");
}
