//! Rule behaviour at its boundaries, through the library: thresholds, day counting, warning
//! windows, exceptions and configured levels. Each test starts from the clean base fixture.

mod common;

use std::path::Path;

use kitei::check::{self, Ctx, Report};
use kitei::config::{Project, parse_date};
use kitei::diag::Level;

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join("policy-src").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn check_as_of(dir: &Path, as_of: &str, deny_warnings: bool) -> Report {
    let project = Project::open(dir).unwrap();
    let loaded = kitei::source::load(&project).unwrap();
    let ctx = Ctx::new(&loaded.corpus, &project, parse_date(as_of).unwrap());
    check::run(&ctx, loaded.diagnostics, deny_warnings)
}

fn findings(report: &Report, code: &str) -> Vec<(Level, String)> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| (d.level, d.message.clone()))
        .collect()
}

/// Turns INC-1 into a personal-data incident with the given facts and notifications.
fn leak(dir: &Path, facts: &str, notifications: &str) {
    edit(dir, "incidents/INC-1.yaml", "severity: 1", "severity: 3");
    edit(
        dir,
        "incidents/INC-1.yaml",
        "systems: [system:web]",
        &format!(
            "systems: [system:web]\npersonal_data: {{ {facts} }}\nnotifications:\n{notifications}"
        ),
    );
}

const NONE: &str = "  []\n";

#[test]
fn appi_threshold_is_more_than_1000_people() {
    let dir = common::base_fixture();
    leak(dir.path(), "affected_people: 1000", NONE);
    let r = check_as_of(dir.path(), "2026-01-15", false);
    assert!(
        findings(&r, "K0401").is_empty()
            && findings(&r, "K0402").is_empty()
            && findings(&r, "K0403").is_empty()
    );

    let dir = common::base_fixture();
    leak(dir.path(), "affected_people: 1001", NONE);
    let r = check_as_of(dir.path(), "2026-01-15", false);
    for code in ["K0401", "K0402", "K0403"] {
        assert_eq!(findings(&r, code).len(), 1, "{code}: {:?}", r.diagnostics);
        assert_eq!(findings(&r, code)[0].0, Level::Error);
    }
}

#[test]
fn high_encryption_exempts_and_each_criterion_triggers() {
    let dir = common::base_fixture();
    leak(
        dir.path(),
        "affected_people: 50000, highly_encrypted: true, malicious: true",
        NONE,
    );
    assert!(findings(&check_as_of(dir.path(), "2026-01-15", false), "K0401").is_empty());
    for flag in ["sensitive: true", "financial_risk: true", "malicious: true"] {
        let dir = common::base_fixture();
        leak(dir.path(), &format!("affected_people: 1, {flag}"), NONE);
        assert_eq!(
            findings(&check_as_of(dir.path(), "2026-01-15", false), "K0401").len(),
            1,
            "{flag}"
        );
    }
}

#[test]
fn my_number_threshold_is_more_than_100_and_warns_by_default() {
    let dir = common::base_fixture();
    leak(dir.path(), "affected_people: 100, my_number: true", NONE);
    assert!(findings(&check_as_of(dir.path(), "2026-01-15", false), "K0404").is_empty());
    let dir = common::base_fixture();
    leak(dir.path(), "affected_people: 101, my_number: true", NONE);
    let f = findings(&check_as_of(dir.path(), "2026-01-15", false), "K0404");
    assert!(!f.is_empty());
    assert!(f.iter().all(|(level, _)| *level == Level::Warning), "{f:?}");
}

/// Known on 2025-09-01 (day 1): preliminary due by 09-05 (day 5), reported from 09-03 (day 3).
#[test]
fn preliminary_report_window_on_an_open_incident() {
    let open = |dir: &Path| {
        edit(
            dir,
            "incidents/INC-1.yaml",
            "status: closed",
            "status: open",
        );
        edit(
            dir,
            "incidents/INC-1.yaml",
            "closed_at: 2025-09-20T17:00:00+09:00\n",
            "",
        );
    };
    let dir = common::base_fixture();
    leak(dir.path(), "affected_people: 5, financial_risk: true", NONE);
    open(dir.path());
    assert!(
        findings(&check_as_of(dir.path(), "2025-09-02", false), "K0401").is_empty(),
        "day 2: too early to warn"
    );
    let day3 = findings(&check_as_of(dir.path(), "2025-09-03", false), "K0401");
    assert_eq!(day3.len(), 1);
    assert_eq!(day3[0].0, Level::Warning);
    assert!(
        day3[0].1.contains("2025-09-05") && day3[0].1.contains("2 day(s) left"),
        "{day3:?}"
    );
    let day6 = findings(&check_as_of(dir.path(), "2025-09-06", false), "K0401");
    assert_eq!(
        day6[0].0,
        Level::Error,
        "past the deadline an open incident errs too"
    );
}

#[test]
fn preliminary_sent_on_day_5_is_in_time_and_day_6_is_late() {
    for (sent, late) in [
        ("2025-09-05T23:59:00+09:00", false),
        ("2025-09-06T00:01:00+09:00", true),
    ] {
        let dir = common::base_fixture();
        let notes = format!(
            "  - {{ to: contact:ppc, kind: preliminary, at: {sent} }}\n  - {{ to: contact:ppc, kind: final, at: 2025-09-20T10:00:00+09:00 }}\n  - {{ kind: individuals, at: 2025-09-04T10:00:00+09:00 }}\n"
        );
        leak(
            dir.path(),
            "affected_people: 5, financial_risk: true",
            &notes,
        );
        let f = findings(&check_as_of(dir.path(), "2026-01-15", false), "K0401");
        assert_eq!(!f.is_empty(), late, "{sent}: {f:?}");
    }
}

#[test]
fn final_report_has_60_days_when_malicious() {
    // Day 45 after knowledge (2025-10-15): late for 30 days, in time for 60.
    for (facts, late) in [
        ("affected_people: 5, financial_risk: true", true),
        ("affected_people: 5, malicious: true", false),
    ] {
        let dir = common::base_fixture();
        let notes = "  - { to: contact:ppc, kind: preliminary, at: 2025-09-02T10:00:00+09:00 }\n  - { to: contact:ppc, kind: final, at: 2025-10-15T10:00:00+09:00 }\n  - { kind: individuals, at: 2025-09-04T10:00:00+09:00 }\n";
        leak(dir.path(), facts, notes);
        let f = findings(&check_as_of(dir.path(), "2026-01-15", false), "K0402");
        assert_eq!(!f.is_empty(), late, "{facts}: {f:?}");
    }
}

#[test]
fn notice_deadline_runs_from_detection_by_default() {
    // detected 2025-09-01T10:00+09:00; the mall's 24 hours end 2025-09-02T10:00.
    for (at, late) in [
        ("2025-09-02T09:59:00+09:00", false),
        ("2025-09-02T10:01:00+09:00", true),
    ] {
        let dir = common::base_fixture();
        edit(
            dir.path(),
            "incidents/INC-1.yaml",
            "systems: [system:web]",
            &format!(
                "systems: [system:web]\nnotifications:\n  - {{ to: contact:mall, kind: notice, at: {at} }}"
            ),
        );
        let f = findings(&check_as_of(dir.path(), "2026-01-15", false), "K0405");
        assert_eq!(!f.is_empty(), late, "{at}: {f:?}");
    }
    // Named in must_notify but never notified: an error on a closed incident.
    let dir = common::base_fixture();
    edit(
        dir.path(),
        "incidents/INC-1.yaml",
        "systems: [system:web]",
        "systems: [system:web]\nmust_notify: [contact:mall]",
    );
    assert_eq!(
        findings(&check_as_of(dir.path(), "2026-01-15", false), "K0405")[0].0,
        Level::Error
    );
}

fn overdue_measure(dir: &Path) {
    edit(
        dir,
        "incidents/INC-1.yaml",
        "due: 2025-10-31, status: done, done_on: 2025-10-20",
        "due: 2025-10-31, status: in_progress",
    );
}

fn exception(dir: &Path, approver: &str, record: &str, expires: &str) {
    let text = format!(
        "id: EXC-1\nrule: K0505\nrecord: {record}\nreason: 委託先の都合で延期\napproved_by: {approver}\napproved_on: 2025-11-01\nexpires_on: {expires}\n"
    );
    std::fs::create_dir_all(dir.join("policy-src/exceptions")).unwrap();
    std::fs::write(dir.join("policy-src/exceptions/EXC-1.yaml"), text).unwrap();
}

#[test]
fn an_approved_exception_waives_one_rule_for_one_record_until_expiry() {
    let dir = common::base_fixture();
    overdue_measure(dir.path());
    exception(dir.path(), "role:committee", "incident:INC-1", "2026-03-31");
    let r = check_as_of(dir.path(), "2026-01-15", false);
    assert!(findings(&r, "K0505").is_empty());
    assert_eq!(r.waived.len(), 1);
    assert_eq!(r.waived[0].exception, "EXC-1");

    // After expiry the rule fires again and the exception itself is flagged.
    let r = check_as_of(dir.path(), "2026-04-01", false);
    assert_eq!(findings(&r, "K0505").len(), 1);
    assert_eq!(findings(&r, "K0504")[0].0, Level::Warning);

    // A different record, or an approver that is not a committee, waives nothing.
    let dir = common::base_fixture();
    overdue_measure(dir.path());
    exception(dir.path(), "role:committee", "incident:INC-2", "2026-03-31");
    assert_eq!(
        findings(&check_as_of(dir.path(), "2026-01-15", false), "K0505").len(),
        1
    );
    let dir = common::base_fixture();
    overdue_measure(dir.path());
    exception(dir.path(), "role:ciso", "incident:INC-1", "2026-03-31");
    let r = check_as_of(dir.path(), "2026-01-15", false);
    assert_eq!(findings(&r, "K0505").len(), 1);
    assert_eq!(findings(&r, "K0211").len(), 1);
}

#[test]
fn rule_levels_from_config_and_deny_warnings() {
    let dir = common::base_fixture();
    overdue_measure(dir.path());
    let toml = dir.path().join("kitei.toml");
    let original = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{original}\n[rules]\nmeasure-overdue = \"warn\"\n"),
    )
    .unwrap();
    let r = check_as_of(dir.path(), "2026-01-15", false);
    assert_eq!(findings(&r, "K0505")[0].0, Level::Warning);
    let r = check_as_of(dir.path(), "2026-01-15", true);
    assert_eq!(findings(&r, "K0505")[0].0, Level::Error);
    std::fs::write(&toml, format!("{original}\n[rules]\nK0505 = \"allow\"\n")).unwrap();
    assert!(findings(&check_as_of(dir.path(), "2026-01-15", true), "K0505").is_empty());
}

#[test]
fn duties_fall_due_with_the_evaluation_date() {
    let dir = common::base_fixture();
    // Drill 2025-11-01 + 12 months; review 2025-12-01 + 12 months; contacts 2025-12-01 + 6 months.
    let r = check_as_of(dir.path(), "2026-06-01", false);
    assert!(findings(&r, "K0503").is_empty());
    let r = check_as_of(dir.path(), "2026-06-02", false);
    assert_eq!(findings(&r, "K0503").len(), 3, "{:?}", r.diagnostics);
    let r = check_as_of(dir.path(), "2026-11-02", false);
    assert_eq!(findings(&r, "K0502").len(), 1);
    assert!(findings(&r, "K0501").is_empty());
    let r = check_as_of(dir.path(), "2026-12-02", false);
    assert_eq!(findings(&r, "K0501").len(), 1);
}

#[test]
fn placeholders_only_in_dates_and_whole_words() {
    let dir = common::base_fixture();
    edit(
        dir.path(),
        "regulation/reg.md",
        "全従業員。",
        "全従業員。HTTP 5xx応答、todokede、TODOKEDE.",
    );
    assert!(findings(&check_as_of(dir.path(), "2026-01-15", false), "K0604").is_empty());
    for text in ["20xx年に見直す。", "○○部長", "TODO: 記入"] {
        let dir = common::base_fixture();
        edit(dir.path(), "regulation/reg.md", "全従業員。", text);
        assert_eq!(
            findings(&check_as_of(dir.path(), "2026-01-15", false), "K0604").len(),
            1,
            "{text}"
        );
    }
}

#[test]
fn the_shipped_example_checks_without_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = Project::open(root).unwrap();
    let (as_of, source) = project.as_of(None).unwrap();
    assert_eq!(source, "pinned by as_of in kitei.toml");
    let loaded = kitei::source::load(&project).unwrap();
    let report = check::run(
        &Ctx::new(&loaded.corpus, &project, as_of),
        loaded.diagnostics,
        false,
    );
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    assert!(loaded.corpus.incidents.len() >= 8);
    assert!(loaded.corpus.runbooks().count() >= 6);
}

/// The public list of dated duties (what the site shows) agrees with the rules: due days,
/// statuses and codes for the APPI reports and a contact's 24-hour notice.
#[test]
fn dated_duties_are_the_rules_deadlines() {
    use kitei::check::notifications::{DutyStatus, dated_duties};
    use kitei::model::incident::NotificationKind;
    let dir = common::base_fixture();
    leak(
        dir.path(),
        "affected_people: 1001",
        "  - { to: contact:ppc, kind: preliminary, at: 2025-09-06T10:00:00+09:00 }\n  - { to: contact:mall, kind: notice, at: 2025-09-02T09:00:00+09:00 }\n",
    );
    let project = Project::open(dir.path()).unwrap();
    let loaded = kitei::source::load(&project).unwrap();
    let ctx = Ctx::new(&loaded.corpus, &project, parse_date("2026-01-15").unwrap());
    let inc = &loaded.corpus.incidents[0];
    let duties = dated_duties(&ctx, inc);
    let summary: Vec<_> = duties
        .iter()
        .map(|d| (d.code, d.kind, d.due.date(project.tz).to_string(), d.status))
        .collect();
    assert_eq!(
        summary,
        [
            // Known 2025-09-01 (day 1): 速報 by day 5, sent on day 6.
            (
                "K0401",
                NotificationKind::Preliminary,
                "2025-09-05".to_string(),
                DutyStatus::Late
            ),
            // 確報 within 30 days, never sent on a closed incident.
            (
                "K0402",
                NotificationKind::Final,
                "2025-09-30".to_string(),
                DutyStatus::Missing
            ),
            // The mall: 24 hours from detection (10:00), told at 09:00 the next day.
            (
                "K0405",
                NotificationKind::Notice,
                "2025-09-02".to_string(),
                DutyStatus::OnTime
            ),
        ]
    );
    let r = check::run(&ctx, loaded.diagnostics.clone(), false);
    for (code, status) in [("K0401", DutyStatus::Late), ("K0402", DutyStatus::Missing)] {
        assert_eq!(
            findings(&r, code).len(),
            1,
            "{code} {status:?}: {:?}",
            r.diagnostics
        );
    }
    assert!(findings(&r, "K0405").is_empty());
}

#[test]
fn review_without_approval_date_uses_the_last_revision_date_in_the_text() {
    let dir = common::base_fixture();
    edit(
        dir.path(),
        "regulation/reg.md",
        "approved_on: 2025-06-01\n",
        "",
    );
    edit(
        dir.path(),
        "regulation/reg.md",
        "effective_on: 2025-07-01\n",
        "",
    );
    edit(
        dir.path(),
        "regulation/reg.md",
        "review_every: 12 months\n",
        "",
    );
    edit(
        dir.path(),
        "regulation/reg.md",
        "令和7年6月1日承認。",
        "制定日 2017.4.1\n\n改訂日 2019.4.1",
    );
    let r = check_as_of(dir.path(), "2026-01-15", false);
    let review = findings(&r, "K0501");
    assert_eq!(review.len(), 1, "{review:?}");
    let (level, message) = &review[0];
    assert_eq!(*level, Level::Error);
    assert!(message.contains("2020-04-01"), "{message}");
    assert!(message.contains("2019-04-01"), "{message}");
    assert!(message.contains("default duties.review_every"), "{message}");
    // Within the default cycle of the last revision: no finding.
    let r = check_as_of(dir.path(), "2020-03-01", false);
    assert!(findings(&r, "K0501").is_empty());
}

#[test]
fn numbering_restarting_in_each_chapter_is_not_a_duplicate() {
    let dir = common::base_fixture();
    edit(
        dir.path(),
        "regulation/reg.md",
        "## 第1条（趣旨） {#purpose}",
        "# 第1章 総則\n### 1.雇用条件 {#terms}\n採用時に定める。\n### 2.服務 {#service}\n誠実に勤務する。\n# 第2章 体制\n### 1.雇用条件の変更 {#change}\n書面で通知する。\n## 第1条（趣旨） {#purpose}",
    );
    let r = check_as_of(dir.path(), "2026-01-15", false);
    assert!(
        findings(&r, "K0603").is_empty(),
        "{:?}",
        findings(&r, "K0603")
    );
    // `1.雇用条件` without a space is a clause: a second 1 in the same chapter is a duplicate.
    edit(dir.path(), "regulation/reg.md", "### 2.服務", "### 1.服務");
    let r = check_as_of(dir.path(), "2026-01-15", false);
    assert_eq!(
        findings(&r, "K0603").len(),
        1,
        "{:?}",
        findings(&r, "K0603")
    );
}

#[test]
fn required_sections_match_by_synonym_and_report_the_mapping() {
    let dir = common::base_fixture();
    edit(
        dir.path(),
        "regulation/reg.md",
        "第1条（趣旨）",
        "第1条（目的）",
    );
    edit(
        dir.path(),
        "regulation/reg.md",
        "第2条（対象者）",
        "第2条（適用範囲）",
    );
    edit(
        dir.path(),
        "regulation/reg.md",
        "第9条（インシデントからの学習）",
        "第9条（事後対処）",
    );
    let r = check_as_of(dir.path(), "2026-01-15", false);
    assert!(
        findings(&r, "K0601").is_empty(),
        "{:?}",
        findings(&r, "K0601")
    );
    // When a section is missing, the help says which headings were taken for which section.
    edit(
        dir.path(),
        "regulation/reg.md",
        "第13条（公開事項）",
        "第13条（その他）",
    );
    let r = check_as_of(dir.path(), "2026-01-15", false);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "K0601")
        .expect("a K0601");
    assert!(d.message.contains("公開事項"), "{}", d.message);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("趣旨 = 「第1条（目的）」"), "{help}");
    assert!(
        help.contains("インシデントからの学習 = 「第9条（事後対処）」"),
        "{help}"
    );
}
