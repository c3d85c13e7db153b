//! The built site in a real browser: headless Chromium driven by Selenium (tests/browser/e2e.py)
//! opens the home page over HTTP, follows a link to a runbook, searches in Japanese and takes
//! screenshots at desktop and phone width (kept in target/browser-screenshots/);
//! tests/browser/layout.py loads every page at 360, 390 and 1280 px (phone-first layout) and runs
//! axe-core in the light and the dark colour scheme.
//!
//! Needs Debian's chromium and chromium-driver, `pip install selenium` and axe-core from
//! tests/tools (`npm ci --prefix tests/tools`), all installed by .ci/run.
//! Without them the test is skipped with a note, unless KITEI_REQUIRE_TOOLS=1 (CI), where a
//! missing tool fails it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn tools_present() -> Result<(), String> {
    for bin in [
        "/usr/bin/chromium",
        "/usr/bin/chromedriver",
        "/usr/bin/pdftotext",
    ] {
        if !Path::new(bin).exists() {
            return Err(format!(
                "{bin} is missing (apt-get install chromium chromium-driver poppler-utils)"
            ));
        }
    }
    if common::node_tool("axe-core/axe.min.js").is_none() {
        return Err(
            "tests/tools/node_modules/axe-core is missing (npm ci --prefix tests/tools)".into(),
        );
    }
    let selenium = Command::new("python3")
        .args(["-c", "import selenium"])
        .output();
    match selenium {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err("python3 cannot import selenium (pip install selenium)".into()),
    }
}

/// False (after a note) when a tool is missing and CI does not require it.
fn tools_or_skip() -> bool {
    match tools_present() {
        Ok(()) => true,
        Err(missing) => {
            assert!(
                std::env::var("KITEI_REQUIRE_TOOLS").as_deref() != Ok("1"),
                "{missing}"
            );
            eprintln!("skipped: {missing}");
            false
        }
    }
}

/// Builds the example (no evidence bundle) into `out/site`.
fn build_example(out: &Path) -> PathBuf {
    let site = out.join("site");
    let build = common::kitei(&common::root())
        .args(["build", "--no-seal", "--out"])
        .arg(&site)
        .env("SOURCE_DATE_EPOCH", "1793232000")
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    site
}

#[test]
fn home_runbook_and_japanese_search_in_chromium() {
    if !tools_or_skip() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let site = build_example(out.path());

    let shots = root.join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let run = Command::new("python3")
        .arg(root.join("tests/browser/e2e.py"))
        .arg(&site)
        .arg(&shots)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "browser test failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for shot in [
        "home-desktop.png",
        "runbook-desktop.png",
        "search-desktop.png",
        "home-phone.png",
    ] {
        let len = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 1000, "{shot} was not saved");
    }
}

/// The example's runbooks are printable on one A4 sheet each (Chromium's print to PDF with
/// the print stylesheet; pages counted in the PDF).
#[test]
fn runbooks_print_on_one_a4_sheet() {
    if !tools_or_skip() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let site = build_example(out.path());
    let mut runbooks: Vec<_> = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("runbook-")
        })
        .collect();
    runbooks.sort();
    assert!(runbooks.len() >= 6);
    for page in runbooks {
        let pdf = out.path().join("page.pdf");
        let pages = print_to_pdf(&page, &pdf);
        assert_eq!(pages, 1, "{} prints on {pages} A4 pages", page.display());
        // The printed sheet carries the numbers of the contact block (what people use when
        // systems are down).
        let html = std::fs::read_to_string(&page).unwrap();
        let start = html
            .find("class=\"runbook-contacts\"")
            .unwrap_or_else(|| panic!("{} has no contact block", page.display()));
        let block = &html[start..start + html[start..].find("</section>").unwrap()];
        let numbers: Vec<&str> = block
            .split("<a href=\"tel:")
            .skip(1)
            .map(|s| {
                let text = &s[s.find('>').unwrap() + 1..s.find("</a>").unwrap()];
                text.rsplit(['>', ' ']).next().unwrap()
            })
            .collect();
        assert!(numbers.len() >= 4, "{block}");
        let text = pdf_text(&pdf, None);
        for n in numbers {
            assert!(
                text.contains(n),
                "{} prints without {n}:\n{text}",
                page.display()
            );
        }
    }
}

/// Prints `page` with Chromium's print to PDF (the print stylesheet, A4) into `pdf`; returns
/// the number of pages.
fn print_to_pdf(page: &Path, pdf: &Path) -> usize {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "chromium failed on {}", page.display());
    let bytes = std::fs::read(pdf).unwrap();
    // Page objects are `/Type /Page` (the page tree is `/Type /Pages`).
    let text = String::from_utf8_lossy(&bytes);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

/// The text of a PDF (`pdftotext`), of one page when `page` is given.
fn pdf_text(pdf: &Path, page: Option<usize>) -> String {
    let mut cmd = Command::new("pdftotext");
    if let Some(n) = page {
        cmd.args(["-f", &n.to_string(), "-l", &n.to_string()]);
    }
    let o = cmd.arg(pdf).arg("-").output().unwrap();
    assert!(o.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The contact sheet prints with its wallet/desk card first: every number of the card (the
/// numbers by time of day) is on the first printed page, above the contact tables. Its size
/// (business card, 91 × 55 mm) is measured in the print layout by tests/browser/e2e.py.
#[test]
fn contact_sheet_prints_a_wallet_card_first() {
    if !tools_or_skip() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let site = build_example(out.path());
    let page = site.join("contacts.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let start = html
        .find("class=\"wallet-card\"")
        .expect("the contact sheet has a wallet card");
    let card = &html[start..start + html[start..].find("</section>").unwrap()];
    let numbers: Vec<&str> = card
        .split("class=\"call\" href=\"tel:")
        .skip(1)
        .map(|s| &s[s.find('>').unwrap() + 1..s.find("</a>").unwrap()])
        .collect();
    assert_eq!(
        numbers,
        ["03-0000-0100", "090-0000-0900", "050-0000-2003"],
        "the card lists the example's numbers by time of day, in order"
    );
    let pdf = out.path().join("contacts.pdf");
    let pages = print_to_pdf(&page, &pdf);
    assert!(pages >= 1);
    let first = pdf_text(&pdf, Some(1));
    let card_at = first
        .find("緊急連絡カード")
        .unwrap_or_else(|| panic!("no card title on page 1:\n{first}"));
    let tables_at = first.find("社内の役割と担当者").unwrap_or(first.len());
    assert!(
        card_at < tables_at,
        "the card comes before the tables:\n{first}"
    );
    for n in numbers {
        let at = first[card_at..].find(n).map(|i| i + card_at);
        assert!(
            at.is_some_and(|at| at < tables_at),
            "the printed card lacks {n}:\n{first}"
        );
    }
}

/// Replaces `from` by `to` in the example's regulation (the text must be there).
fn edit_regulation(project: &Path, from: &str, to: &str) {
    let path = project.join("policy-src/regulation/incident-response-regulation.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The example in a git repository with two releases and a draft change, built into
/// `out/versioned`: its site has every page kind of the example plus the versions list,
/// change notices, 新旧対照表 (release to release, and release to draft) and archived copies.
fn build_versioned_example(out: &Path) -> PathBuf {
    let project = common::example();
    let p = project.path();
    std::fs::write(p.join(".gitignore"), "/site/\n/evidence/\n/.kitei-cache/\n").unwrap();
    let d1 = "2026-03-20T10:00:00+09:00";
    common::git_at(p, &["init", "-q", "-b", "main"], d1);
    common::git_at(p, &["add", "-A"], d1);
    common::git_at(p, &["commit", "-q", "-m", "規程を改訂"], d1);
    common::git_at(
        p,
        &[
            "tag",
            "-a",
            "policy-v2026.1",
            "-m",
            "速報・確報の期限を明記",
        ],
        d1,
    );
    edit_regulation(p, "version: \"2026.1\"", "version: \"2026.2\"");
    edit_regulation(
        p,
        "summary: 速報・確報の期限、取締役会への報告、例外の期限を明記 }",
        // Effective 2026-10-15: at the pinned date (2026-11-01) its acknowledgements are
        // still pending (warnings), not overdue (errors that would stop the build).
        "summary: 速報・確報の期限、取締役会への報告、例外の期限を明記 }\n  - { version: \"2026.2\", approved_on: 2026-09-15, effective_on: 2026-10-15, summary: 報告を直ちに行うことを明記 }",
    );
    edit_regulation(p, "速やかに報告し、", "直ちに報告し、");
    let d2 = "2026-09-15T10:00:00+09:00";
    common::git_at(p, &["commit", "-q", "-am", "報告を直ちに"], d2);
    common::git_at(
        p,
        &["tag", "-a", "policy-v2026.2", "-m", "報告の時期を明確化"],
        d2,
    );
    // The draft: a clause reworded in the working tree.
    edit_regulation(
        p,
        "高いシステムから対応する。",
        "高いシステムから順に対応する。",
    );
    let site = out.join("versioned");
    let build = common::kitei(p)
        .args(["build", "--no-seal", "--out"])
        .arg(&site)
        .env("SOURCE_DATE_EPOCH", "1793232000")
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", common::text(&build));
    for page in [
        "versions.html",
        "compare-incident-response-regulation-2026.1-2026.2.html",
        "compare-incident-response-regulation-2026.2-draft.html",
    ] {
        assert!(
            site.join(page).exists(),
            "the versioned example has no {page}"
        );
    }
    site
}

/// Every page of the example (and of a copy with releases, for the version pages) fits a
/// 360 px and a 390 px phone and a 1280 px desktop without horizontal scrolling, with the
/// navigation collapsed on the phone, the "incident now?" box first, tables as cards and the
/// 新旧対照表 stacked; one page of each kind has no serious or critical axe-core violation in
/// the light and the dark colour scheme, keyboard focus is visible and paper stays light
/// (tests/browser/layout.py).
#[test]
fn every_page_fits_phone_and_desktop() {
    if !tools_or_skip() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let site = build_example(out.path());
    let versioned = build_versioned_example(out.path());
    let shots = root.join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let run = Command::new("python3")
        .arg(root.join("tests/browser/layout.py"))
        .arg(&shots)
        .arg("--axe")
        .arg(common::node_tool("axe-core/axe.min.js").unwrap())
        .arg(&site)
        .arg(&versioned)
        .output()
        .unwrap();
    let report = common::text(&run);
    assert!(run.status.success(), "layout test failed:\n{report}");
    eprintln!("{report}");
    // Both sites were walked, and the version pages were among them.
    assert_eq!(report.matches(" pages x 3 widths").count(), 2, "{report}");
    assert!(report.contains("compare"), "{report}");
    assert_eq!(
        report.matches("axe-core on ").count(),
        2,
        "axe-core ran on both sites: {report}"
    );
}
