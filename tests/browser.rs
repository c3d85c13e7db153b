//! The built site in a real browser: headless Chromium driven by Selenium (tests/browser/e2e.py)
//! opens the home page over HTTP, follows a link to a runbook, searches in Japanese and takes
//! screenshots at desktop and phone width (kept in target/browser-screenshots/).
//!
//! Needs Debian's chromium and chromium-driver and `pip install selenium` (installed by .ci/run).
//! Without them the test is skipped with a note, unless KITEI_REQUIRE_TOOLS=1 (CI), where a
//! missing tool fails it.

use std::path::Path;
use std::process::Command;

fn tools_present() -> Result<(), String> {
    for bin in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        if !Path::new(bin).exists() {
            return Err(format!(
                "{bin} is missing (apt-get install chromium chromium-driver)"
            ));
        }
    }
    let selenium = Command::new("python3")
        .args(["-c", "import selenium"])
        .output();
    match selenium {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err("python3 cannot import selenium (pip install selenium)".into()),
    }
}

#[test]
fn home_runbook_and_japanese_search_in_chromium() {
    if let Err(missing) = tools_present() {
        assert!(
            std::env::var("KITEI_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{missing}"
        );
        eprintln!("skipped: {missing}");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let build = Command::new(env!("CARGO_BIN_EXE_kitei"))
        .current_dir(root)
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
