//! The command line as a user meets it: help, version, rule listing, explanations, output
//! formats and exit codes, on the shipped example.

mod common;

use std::process::Output;

fn kitei(args: &[&str]) -> Output {
    common::kitei(&common::root()).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn example_checks_clean() {
    let o = kitei(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let last = stderr(&o).lines().last().unwrap_or("").to_string();
    assert!(last.starts_with("kitei check: 0 error(s)"), "{last}");
    assert!(
        last.contains("as of 2026-11-01 (pinned by as_of in kitei.toml)"),
        "{last}"
    );
}

#[test]
fn version_and_help_on_every_command() {
    let o = kitei(&["--version"]);
    assert!(stdout(&o).starts_with("kitei "), "{}", stdout(&o));
    for cmd in [
        &["--help"][..],
        &["check", "--help"],
        &["rules", "--help"],
        &["explain", "--help"],
    ] {
        let o = kitei(cmd);
        assert_eq!(o.status.code(), Some(0), "{cmd:?}");
        assert!(stdout(&o).contains("Usage:"), "{cmd:?}");
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(kitei(&["check", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(
        kitei(&["--as-of", "2026-13-01", "check"]).status.code(),
        Some(2)
    );
    let o = kitei(&["explain", "K9999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("kitei rules"));
}

#[test]
fn rules_and_explain() {
    let o = kitei(&["rules"]);
    let listing = stdout(&o);
    for code in ["K0101", "K0303", "K0401", "K0605", "K0702"] {
        assert!(listing.contains(code), "{code} missing from `kitei rules`");
    }
    let o = kitei(&["explain", "K0401"]);
    assert!(stdout(&o).contains("appi-preliminary"));
    assert!(stdout(&o).contains("施行規則"));
    let by_name = kitei(&["explain", "board-report"]);
    assert!(stdout(&by_name).starts_with("K0305"));
}

#[test]
fn json_report_has_the_documented_shape() {
    let o = kitei(&["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], "kitei-check/1");
    assert_eq!(v["as_of"], "2026-11-01");
    assert_eq!(v["summary"]["errors"], 0);
    assert!(v["summary"]["warnings"].as_u64().unwrap() >= 1);
    assert_eq!(v["waived"][0]["code"], "K0505");
    assert_eq!(v["waived"][0]["exception"], "EXC-2026-01");
    for d in v["diagnostics"].as_array().unwrap() {
        for key in ["code", "level", "message", "location", "help"] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
    }
}

#[test]
fn github_annotations_match_the_workflow_command_syntax() {
    // As of a later date the example has overdue duties: errors with files and lines.
    let o = kitei(&["--as-of", "2027-06-01", "check", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(!out.is_empty());
    for line in out.lines() {
        let (head, message) = line
            .split_once("::")
            .and_then(|(_, rest)| rest.split_once("::"))
            .expect(line);
        let (command, props) = head.split_once(' ').expect(line);
        assert!(command == "error" || command == "warning", "{line}");
        assert!(
            props.starts_with("file=policy-src/") || props.starts_with("title="),
            "{line}"
        );
        assert!(props.contains("title=K0"), "{line}");
        assert!(!message.contains('\n'));
    }
    assert!(
        out.contains("title=K0501"),
        "the regulation review is overdue by then: {out}"
    );
}

#[test]
fn deny_warnings_fails_the_example() {
    let o = kitei(&["check", "--deny", "warnings"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[K0403]"), "{}", stderr(&o));
}

#[test]
fn as_of_flag_overrides_the_pinned_date() {
    let o = kitei(&["--as-of", "2026-10-29", "check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["as_of"], "2026-10-29");
    assert_eq!(v["as_of_source"], "--as-of");
}

/// `kitei … | head -1`: a reader that goes away ends kitei quietly with the broken-pipe status
/// (SIGPIPE), for every output format and for the stream each one writes to — no panic message.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_every_format_quietly() {
    use std::os::unix::process::ExitStatusExt;

    let dir = common::example();
    // (arguments, whether the output goes to stderr)
    let runs: &[(&[&str], bool)] = &[
        (&["check"], true),
        (&["check", "--format", "json"], false),
        (&["check", "--format", "github"], false),
        (&["check", "--format", "sarif"], false),
        (&["check", "--format", "codequality"], false),
        (&["rules"], false),
        (&["explain", "K0303"], false),
    ];
    for (args, on_stderr) in runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // closed before kitei writes a byte
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kitei"));
        cmd.args(*args).current_dir(dir.path());
        if *on_stderr {
            cmd.stderr(writer).stdout(std::process::Stdio::null());
        } else {
            cmd.stdout(writer).stderr(log.reopen().unwrap());
        }
        let status = cmd.status().unwrap();
        assert_eq!(
            status.signal(),
            Some(libc_sigpipe()),
            "kitei {args:?}: {status:?}"
        );
        let stderr = std::fs::read_to_string(log.path()).unwrap();
        assert!(!stderr.contains("panicked"), "kitei {args:?}: {stderr}");
    }
}

#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13 // SIGPIPE on Linux and the BSDs
}
