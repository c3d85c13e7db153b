//! `kitei init`: copies the built-in templates out for editing (and, with `--policy`, a starter
//! project), refuses to overwrite without `--force`, and the copies drive `kitei build`.

mod common;

use std::path::Path;
use std::process::Output;

fn kitei(args: &[&str], project: &Path) -> Output {
    // No SOURCE_DATE_EPOCH: the scaffold is dated today and checked as of today.
    common::kitei(project)
        .args(args)
        .env("KITEI_SOURCE_COMMIT", "0123456789ab")
        .output()
        .expect("kitei runs")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn policy_scaffold_checks_clean_and_builds_with_the_copied_templates() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("new-policy");
    let listed = ok(&kitei(
        &["init", "--policy", project.to_str().unwrap()],
        dir.path(),
    ));
    for name in [
        "templates/base.html",
        "templates/runbook.html",
        "templates/assets/kitei.css",
        "kitei.toml",
        "policy-src/regulation/regulation.md",
    ] {
        assert!(project.join(name).is_file(), "{name} missing");
        assert!(listed.contains(name), "{name} not listed:\n{listed}");
    }
    for (name, src) in kitei::render::templates::DEFAULTS {
        assert_eq!(
            std::fs::read_to_string(project.join("templates").join(name)).unwrap(),
            *src,
            "{name}"
        );
    }

    let check = kitei(&["check"], &project);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("0 error(s), 0 warning(s)"),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let out = dir.path().join("site");
    ok(&kitei(&["build", "--out", out.to_str().unwrap()], &project));
    let before = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(before.contains("株式会社サンプル"));

    // Editing a copied template changes the output.
    let base = project.join("templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replacen("</body>", "<p id=\"edited\">EDITED-TEMPLATE</p></body>", 1),
    )
    .unwrap();
    let css = project.join("templates/assets/kitei.css");
    std::fs::write(&css, "/* EDITED-CSS */").unwrap();
    ok(&kitei(&["build", "--out", out.to_str().unwrap()], &project));
    assert!(
        std::fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("EDITED-TEMPLATE")
    );
    assert!(
        std::fs::read_to_string(out.join("runbook-malware.html"))
            .unwrap()
            .contains("EDITED-TEMPLATE")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("assets/kitei.css")).unwrap(),
        "/* EDITED-CSS */"
    );
}

#[test]
fn templates_only_into_the_project_root_then_refuses_then_forces() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    std::fs::write(project.join("kitei.toml"), "organisation = \"x\"\n").unwrap();
    // DIR defaults to the project root (-C).
    ok(&kitei(&["init"], project));
    assert!(project.join("templates/index.html").is_file());
    assert!(
        !project.join("policy-src").exists(),
        "--policy was not given"
    );
    assert_eq!(
        std::fs::read_to_string(project.join("kitei.toml")).unwrap(),
        "organisation = \"x\"\n"
    );

    std::fs::write(project.join("templates/index.html"), "MINE").unwrap();
    std::fs::remove_file(project.join("templates/roles.html")).unwrap();
    let again = kitei(&["init"], project);
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("templates/index.html") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(project.join("templates/index.html")).unwrap(),
        "MINE"
    );
    assert!(
        !project.join("templates/roles.html").exists(),
        "a refused init writes nothing"
    );

    let forced = ok(&kitei(&["init", "--force"], project));
    assert!(
        forced.contains("replaced") && forced.contains("created"),
        "{forced}"
    );
    assert_ne!(
        std::fs::read_to_string(project.join("templates/index.html")).unwrap(),
        "MINE"
    );
    assert!(project.join("templates/roles.html").is_file());
}

#[test]
fn policy_refuses_an_existing_project() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kitei.toml"), "organisation = \"x\"\n").unwrap();
    let o = kitei(&["init", "--policy"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("kitei.toml"));
    assert!(!dir.path().join("templates").exists());
}
