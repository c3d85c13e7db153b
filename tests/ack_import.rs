//! `kitei roster import`, `kitei ack import` and `kitei ack import-mail` from the command
//! line, on a copy of the example: Excel's encodings (Shift_JIS/CP932 and UTF-8 with a BOM),
//! unknown columns, people not on the roster, duplicates, re-imports that change nothing, and
//! the site button's mailed receipts (accepted, and refused for a stale page or a foreign
//! sender). The progress page, the dashboard line and the bundle's state files too.

mod common;

use std::path::Path;
use std::process::Output;

use common::text;

fn run(dir: &Path, args: &[&str]) -> Output {
    common::kitei(dir)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn shift_jis(s: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(s);
    assert!(!bad);
    bytes.into_owned()
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join("policy-src").join(rel)).unwrap()
}

#[test]
fn roster_import_from_a_shift_jis_hr_export() {
    let dir = common::example();
    let csv = dir.path().join("hr.csv");
    std::fs::write(
        &csv,
        shift_jis(
            "社員番号,氏名,所属,役職,入社日,内線番号\r\n\
             M1041,中島 はるか,物流部,,2026/10/25,1234\r\n\
             M1001,相沢 健,経営企画本部,部長,2008/4/1,1000\r\n\
             M1042,\"大野, 洋平\",EC事業部,主任;開発者,2026/10/26,1001\r\n\
             M1042,大野 洋平,EC事業部,,2026/10/26,1001\r\n\
             M1043,鈴木 太一,管理部,,2026/13/01,1\r\n",
        ),
    )
    .unwrap();
    let before = read(dir.path(), "roster.yaml");
    let o = run(dir.path(), &["roster", "import", "hr.csv"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("Shift_JIS (CP932)"), "{out}");
    assert!(
        out.contains("columns not read") && out.contains("内線番号"),
        "{out}"
    );
    assert!(out.contains("2 added, 1 updated, 0 unchanged"), "{out}");
    assert!(out.contains("hr.csv:5: `M1042` is listed twice"), "{out}");
    assert!(
        out.contains("hr.csv:6: `joined` `2026/13/01` is not a date"),
        "{out}"
    );
    let after = read(dir.path(), "roster.yaml");
    // Everything above `people:` (comments, bindings) is kept as written.
    let head = |t: &str| t.split("\npeople:").next().unwrap().to_string();
    assert_eq!(head(&before), head(&after));
    assert!(after.contains(
        "  - { id: M1042, name: \"大野, 洋平\", department: EC事業部, roles: [主任, 開発者], joined: 2026-10-26 }"
    ), "{after}");
    assert!(
        after.contains("id: M1001, name: 相沢 健, department: 経営企画本部"),
        "{after}"
    );
    assert!(!after.contains("M1043"));
    // The result loads and checks: the new joiners are pending.
    let check = run(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    assert!(text(&check).contains("M1041 (物流部) has not yet acknowledged"));

    // The same file again changes nothing.
    let o = run(dir.path(), &["roster", "import", "hr.csv"]);
    assert!(
        text(&o).contains("0 added, 0 updated, 3 unchanged"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("no change to"));
    assert_eq!(read(dir.path(), "roster.yaml"), after);
}

#[test]
fn roster_import_usage_errors_write_nothing() {
    let dir = common::example();
    std::fs::write(dir.path().join("hr.csv"), "番号,名前\nM1,a\n").unwrap();
    let before = read(dir.path(), "roster.yaml");
    let o = run(dir.path(), &["roster", "import", "hr.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("no column for id, department, joined"),
        "{}",
        text(&o)
    );
    let o = run(
        dir.path(),
        &["roster", "import", "hr.csv", "--map", "番号=idd"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("`idd` in `--map 番号=idd` is not a field"),
        "{}",
        text(&o)
    );
    assert_eq!(read(dir.path(), "roster.yaml"), before);
}

const DOC: &str = "doc:incident-response-regulation";

#[test]
fn ack_import_from_an_lms_export_with_a_bom() {
    let dir = common::example();
    std::fs::write(
        dir.path().join("lms.csv"),
        "\u{feff}受講者ID,氏名,受講完了日,コース\r\n\
         M1011,篠原 悠斗,2026/10/30 09:12:00,情報セキュリティ\r\n\
         M1099,誰か,2026/10/30,x\r\n\
         M1001,相沢 健,2026/04/03,x\r\n\
         M1026,星野 由香,2026/10/31,x\r\n\
         M1026,星野 由香,2026/10/31,x\r\n",
    )
    .unwrap();
    let args = [
        "ack",
        "import",
        "lms.csv",
        "--document",
        DOC,
        "--release",
        "2026.1",
        "--method",
        "lms",
    ];
    let o = run(dir.path(), &args);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("UTF-8 with BOM"), "{out}");
    assert!(out.contains("氏名, コース"), "unknown columns: {out}");
    assert!(
        out.contains("2 added, 1 already recorded, 2 not imported"),
        "{out}"
    );
    assert!(
        out.contains("lms.csv:3: `M1099` is not on the roster"),
        "{out}"
    );
    assert!(out.contains("lms.csv:6: `M1026` is listed twice"), "{out}");
    let file = "acknowledgements/incident-response-regulation-2026.1-lms.csv";
    let written = read(dir.path(), file);
    assert_eq!(
        written,
        "document,release,person,on,method,evidence,evidence_sha256,receipt\n\
         doc:incident-response-regulation,2026.1,M1011,2026-10-30,lms,,,\n\
         doc:incident-response-regulation,2026.1,M1026,2026-10-31,lms,,,\n"
    );
    // The two pending joiners are now on time; the check is as before otherwise.
    let check = run(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let pending = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("not yet acknowledged")
        })
        .count();
    assert_eq!(pending, 0, "{report:#}");

    // Importing the same file again changes nothing.
    let o = run(dir.path(), &args);
    assert!(
        text(&o).contains("0 added, 3 already recorded"),
        "{}",
        text(&o)
    );
    assert_eq!(read(dir.path(), file), written);
}

#[test]
fn ack_import_from_shift_jis_with_a_map_and_unknown_release() {
    let dir = common::example();
    std::fs::write(
        dir.path().join("form.csv"),
        shift_jis(
            "回答者,回答日時,版\r\nM1011,2026年10月30日,2026.1\r\nM1026,2026/10/30,2027.1\r\n",
        ),
    )
    .unwrap();
    let o = run(
        dir.path(),
        &[
            "ack",
            "import",
            "form.csv",
            "--map",
            "回答者=person,回答日時=on",
            "--document",
            DOC,
            "--method",
            "site-receipt",
        ],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("Shift_JIS (CP932)"), "{out}");
    assert!(
        out.contains("form.csv:3: `incident-response-regulation` has no version `2027.1`"),
        "{out}"
    );
    assert!(out.contains("1 added"), "{out}");
    // Without a method there is nothing to guess: a usage error, nothing written.
    let o = run(
        dir.path(),
        &[
            "ack",
            "import",
            "form.csv",
            "--map",
            "回答者=person,回答日時=on",
            "--document",
            DOC,
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // Paper needs its evidence file; with it, the file's digest is recorded.
    std::fs::write(
        dir.path().join("paper.csv"),
        "person,on\nM1026,2026-10-30\n",
    )
    .unwrap();
    let paper = [
        "ack",
        "import",
        "paper.csv",
        "--document",
        DOC,
        "--release",
        "2026.1",
        "--method",
        "paper",
    ];
    let o = run(dir.path(), &paper);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("paper.csv:2: a `paper` acknowledgement needs its evidence file"),
        "{}",
        text(&o)
    );
    let scan = "evidence/acknowledgements/2026.1-support-meeting-minutes.txt";
    let o = run(dir.path(), &[&paper[..], &["--evidence", scan]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let written = read(
        dir.path(),
        "acknowledgements/incident-response-regulation-2026.1-paper.csv",
    );
    assert!(
        written.contains(&format!(",paper,{scan},6bacf7")),
        "{written}"
    );
    assert_eq!(run(dir.path(), &["check"]).status.code(), Some(0));
}

/// A receipt mail as a mailer sends the button's `mailto:` (quoted-printable, the digest
/// wrapped by a soft line break).
fn receipt_mail(from: &str, person: &str, digest: &str, id: &str) -> String {
    format!(
        "From: {from}\r\nTo: kitei-ack@example.jp\r\nSubject: =?UTF-8?B?6KaP56iL56K66KqN?=\r\n\
         Date: Thu, 29 Oct 2026 18:05:00 +0900\r\nMessage-ID: <{id}@mail.example.jp>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n\
         person: =E3=81=AE=E5=BE=8C=E3=81=AB\r\n\r\nkitei-receipt: 1\r\n\
         document: incident-response-regulation\r\nrelease: 2026.1\r\n\
         page-sha256: {}=\r\n{}\r\nperson: {person}\r\n",
        &digest[..40],
        &digest[40..]
    )
}

#[test]
fn site_receipts_by_mail() {
    let dir = common::example();
    let reg = dir
        .path()
        .join("policy-src/regulation/incident-response-regulation.md");
    let digest = kitei::digest::sha256_file(&reg).unwrap();
    // The button on the built page carries this digest.
    let o = run(dir.path(), &["build", "--no-seal"]);
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(
        dir.path()
            .join("site/doc-incident-response-regulation.html"),
    )
    .unwrap();
    assert!(
        page.contains("mailto:kitei-ack@example.jp?subject="),
        "the button"
    );
    assert!(
        page.contains(&format!("page-sha256%3A%20{digest}")),
        "the digest"
    );

    let roster = dir.path().join("policy-src/roster.yaml");
    let text_r = std::fs::read_to_string(&roster).unwrap().replace(
        "department: カスタマーサポート部, joined: 2026-10-26 }",
        "department: カスタマーサポート部, joined: 2026-10-26, email: hoshino@example.jp }",
    );
    std::fs::write(&roster, text_r).unwrap();
    let mails = dir.path().join("mails");
    std::fs::create_dir(&mails).unwrap();
    std::fs::write(
        mails.join("1.eml"),
        receipt_mail("a@example.jp", "M1011", &digest, "a1"),
    )
    .unwrap();
    let stale = format!("{}{}", "0".repeat(10), &digest[10..]);
    std::fs::write(
        mails.join("2.eml"),
        receipt_mail("b@example.jp", "M1013", &stale, "b2"),
    )
    .unwrap();
    std::fs::write(
        mails.join("3.eml"),
        receipt_mail("Someone <other@example.jp>", "M1026", &digest, "c3"),
    )
    .unwrap();
    let o = run(dir.path(), &["ack", "import-mail", "mails"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("1 added, 0 already recorded, 2 not imported"),
        "{out}"
    );
    assert!(
        out.contains("2.eml: the page was built from another text"),
        "{out}"
    );
    assert!(out.contains("3.eml: sent from `Someone <other@example.jp>`, but the roster's address of `M1026` is hoshino@example.jp"), "{out}");
    let written = read(
        dir.path(),
        "acknowledgements/incident-response-regulation-2026.1-receipts.csv",
    );
    assert!(
        written.contains(
            ",M1011,2026-10-29,site-receipt,evidence/acknowledgements/receipts/2026.1/M1011-"
        ),
        "{written}"
    );
    assert!(written.contains(",a1@mail.example.jp\n"), "{written}");
    // The mail is kept as evidence and checks (K0701/K0702).
    let check = run(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    assert!(!text(&check).contains("M1011 (情報システム部) has not yet"));
    let o = run(dir.path(), &["ack", "import-mail", "mails/1.eml"]);
    assert!(
        text(&o).contains("0 added, 1 already recorded"),
        "{}",
        text(&o)
    );
}

#[test]
fn progress_page_dashboard_line_and_bundle_state() {
    let dir = common::example();
    let o = run(dir.path(), &["build", "--audience", "restricted"]);
    assert!(o.status.success(), "{}", text(&o));
    let site = dir.path().join("site-restricted");
    let page = std::fs::read_to_string(
        site.join("acknowledgements-incident-response-regulation-2026.1.html"),
    )
    .unwrap();
    assert!(page.contains("37 / 39"), "acknowledged of bound");
    assert!(
        page.contains("篠原 悠斗") && page.contains("2026-11-03"),
        "the pending joiner with the due date"
    );
    assert!(
        page.contains(
            "<th scope=\"row\">情報システム部</th><td data-label=\"対象者\">7</td><td data-label=\"期限内に確認\">5</td><td data-label=\"期限後に確認\">1</td><td data-label=\"未確認（期限前）\">1</td>"
        ),
        "by department"
    );
    let dashboard = std::fs::read_to_string(site.join("dashboard.html")).unwrap();
    assert!(dashboard.contains("acknowledgements-incident-response-regulation-2025.1.html"));
    // The employees' build has neither.
    let o = run(dir.path(), &["build", "--no-seal"]);
    assert!(o.status.success());
    assert!(
        !dir.path()
            .join("site/acknowledgements-incident-response-regulation-2026.1.html")
            .exists()
    );
    let dashboard = std::fs::read_to_string(dir.path().join("site/dashboard.html")).unwrap();
    assert!(!dashboard.contains("acknowledgements-"));
    // The bundle holds the state as JSON and CSV.
    let zip = std::fs::read_dir(dir.path().join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let name = |suffix: &str| {
        archive
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.to_string()))
            .find(|n| n.ends_with(suffix))
            .unwrap_or_else(|| panic!("no {suffix}"))
    };
    let json_name = name("data/acknowledgements/incident-response-regulation-2026.1.json");
    let csv_name = name("data/acknowledgements/incident-response-regulation-2025.1.csv");
    let mut json = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(&json_name).unwrap(), &mut json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"], "kitei-acknowledgements/1");
    assert_eq!(v["summary"]["bound"], 39);
    assert_eq!(v["summary"]["pending"], 2);
    assert_eq!(v["summary"]["late"], 2);
    let m1022 = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "M1022")
        .unwrap();
    assert_eq!(m1022["method"], "meeting");
    assert!(
        m1022["evidence"]["path"]
            .as_str()
            .unwrap()
            .ends_with("support-meeting-minutes.txt")
    );
    let mut csv = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(&csv_name).unwrap(), &mut csv).unwrap();
    assert!(csv.starts_with(
        "\u{feff}id,name,department,document,version,due,state,acknowledged_on,method\n"
    ));
    assert!(
        csv.contains(
            "M1013,関口 浩二,EC事業部,incident-response-regulation,2025.1,2025-05-01,missed,,\n"
        ),
        "{csv}"
    );
}
