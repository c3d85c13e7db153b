//! `kitei serve`: starts the server on a copy of the example policy, talks HTTP to it over a
//! plain TcpStream and checks reload injection, rebuilds on change, the last good build being
//! kept on errors, path traversal and a clean stop. Every wait is bounded.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

const EPOCH: &str = "1762000000";

fn kitei(project: &Path) -> Command {
    let mut c = common::kitei(project);
    c.env("SOURCE_DATE_EPOCH", EPOCH)
        .env("KITEI_SOURCE_COMMIT", "0123456789ab");
    c
}

/// A running `kitei serve`; killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(project: &Path, extra: &[&str]) -> Server {
        Server::start_with(project, extra, &[])
    }

    fn start_with(project: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = kitei(project)
            .args(["serve", "--port", "0"])
            .args(extra)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kitei serve starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (log, mut err) = (stderr.clone(), child.stderr.take().unwrap());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                log.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stderr,
        };
        let line = rx
            .recv_timeout(Duration::from_secs(15))
            .unwrap_or_else(|_| panic!("no URL on stdout; stderr:\n{}", server.log()));
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in `{line}`"));
        let port = url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches('/');
        server.port = port
            .parse()
            .unwrap_or_else(|_| panic!("no port in `{url}`"));
        server
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, target: &str) -> Response {
        get(self.port, target)
    }

    /// Waits (at most `secs`) until `f` holds for the response to `target`.
    fn wait_for(&self, target: &str, secs: u64, f: impl Fn(&Response) -> bool) -> Response {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let r = self.get(target);
            if f(&r) {
                return r;
            }
            if Instant::now() > deadline {
                panic!(
                    "{target} did not change as expected within {secs} s (status {}); stderr:\n{}",
                    r.status,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (at most `secs`) until stderr contains `text` `n` times.
    fn wait_log(&self, text: &str, n: usize, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.log().matches(text).count() < n {
            assert!(
                Instant::now() < deadline,
                "`{text}` did not appear {n} time(s) within {secs} s; stderr:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.0 GET (no keep-alive, no chunking), `target` sent exactly as given.
fn get(port: u16, target: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reads the response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete header");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

#[test]
fn serves_the_site_with_a_reload_script_that_is_not_on_disk() {
    let project = common::example();
    let server = Server::start(project.path(), &[]);
    let site = project.path().join("site");

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        home.text().contains("/__kitei/reload.js?v="),
        "{}",
        home.text()
    );
    let on_disk = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(!on_disk.contains("__kitei"));
    // The served page is the file plus the one script tag.
    let tag_start = home
        .text()
        .find("<script src=\"/__kitei/reload.js")
        .unwrap();
    let tag_end =
        tag_start + home.text()[tag_start..].find("</script>").unwrap() + "</script>".len();
    assert_eq!(
        format!("{}{}", &home.text()[..tag_start], &home.text()[tag_end..]),
        on_disk
    );

    let runbook = server.get("/runbook-malware.html");
    assert_eq!(runbook.status, 200);
    assert!(runbook.text().contains("マルウェア感染対応手順"));
    assert!(runbook.text().contains("/__kitei/reload.js"));

    let css = server.get("/assets/kitei.css");
    assert_eq!(
        (css.status, css.header("Content-Type")),
        (200, Some("text/css; charset=utf-8"))
    );
    assert!(!css.text().contains("__kitei"));
    let js = server.get("/assets/search.js");
    assert_eq!(
        (js.status, js.header("Content-Type")),
        (200, Some("text/javascript; charset=utf-8"))
    );
    let script = server.get("/__kitei/reload.js?v=1");
    assert!(script.text().contains("/__kitei/version"));
    assert_eq!(server.get("/__kitei/version").text(), "1");

    // The same files as `kitei build` writes.
    let other = tempfile::tempdir().unwrap();
    let out = kitei(project.path())
        .args(["build", "--out"])
        .arg(other.path().join("site"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        common::tree(&site) == common::tree(&other.path().join("site")),
        "serve and build wrote different files"
    );

    let missing = server.get("/no-such-page.html");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("404"));

    // Nothing outside the output folder, however the path is spelt.
    std::fs::write(project.path().join("secret.txt"), "SECRET-OUTSIDE-THE-SITE").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(project.path().join("secret.txt"), site.join("leak.txt")).unwrap();
    for target in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2E%2E/%2E%2E/secret.txt",
        "/..%5csecret.txt",
        "/../kitei.toml",
        "/.%2e/kitei.toml",
        "/leak.txt",
    ] {
        let r = server.get(target);
        assert!(matches!(r.status, 400 | 404), "{target}: {}", r.status);
        assert!(
            !r.text().contains("SECRET-OUTSIDE") && !r.text().contains("organisation ="),
            "{target} leaked"
        );
    }
}

#[test]
fn rebuilds_on_change_and_keeps_the_last_good_build_on_errors() {
    let project = common::example();
    let server = Server::start(project.path(), &[]);
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    let original = std::fs::read_to_string(&runbook).unwrap();
    let before = server.get("/runbook-malware.html").text();
    let version = server.get("/__kitei/version").text();

    let edited = original.replacen(
        "端末名、利用者、症状",
        "KITEI-SERVE-EDIT 端末名、利用者、症状",
        1,
    );
    assert_ne!(
        edited, original,
        "the example runbook changed; update this test"
    );
    std::fs::write(&runbook, &edited).unwrap();
    let page = server.wait_for("/runbook-malware.html", 10, |r| {
        r.text().contains("KITEI-SERVE-EDIT")
    });
    assert!(page.text().contains("/__kitei/reload.js"));
    // The version is raised right after the new site is swapped in: wait for it, bounded.
    server.wait_for("/__kitei/version", 5, |r| r.text() != version);
    assert_ne!(page.text(), before);

    // An error: the build refuses to publish, the last good site stays and is still served.
    let version = server.get("/__kitei/version").text();
    std::fs::write(
        &runbook,
        edited.replacen("id: malware", "id: malware\nno_such_field: 1", 1),
    )
    .unwrap();
    server.wait_log("the build failed", 1, 10);
    assert!(
        server.log().contains("no_such_field"),
        "the errors are shown on the terminal"
    );
    let kept = server.get("/runbook-malware.html");
    assert_eq!(kept.status, 200);
    assert!(kept.text().contains("KITEI-SERVE-EDIT"));
    assert_eq!(
        server.get("/__kitei/version").text(),
        version,
        "no reload for a failed build"
    );

    // Fixed again: served once more.
    std::fs::write(
        &runbook,
        original.replacen(
            "端末名、利用者、症状",
            "KITEI-SERVE-FIXED 端末名、利用者、症状",
            1,
        ),
    )
    .unwrap();
    server.wait_for("/runbook-malware.html", 10, |r| {
        r.text().contains("KITEI-SERVE-FIXED")
    });

    // A template added to the project's templates/ is picked up too.
    std::fs::create_dir_all(project.path().join("templates")).unwrap();
    let base = kitei::render::templates::DEFAULTS
        .iter()
        .find(|(n, _)| *n == "base.html")
        .unwrap()
        .1;
    std::fs::write(
        project.path().join("templates/base.html"),
        base.replacen("</body>", "<p>KITEI-SERVE-TEMPLATE</p></body>", 1),
    )
    .unwrap();
    server.wait_for("/", 10, |r| r.text().contains("KITEI-SERVE-TEMPLATE"));
}

#[test]
fn a_failed_first_build_serves_a_404_that_explains_and_recovers() {
    let project = common::example();
    let regulation = project
        .path()
        .join("policy-src/regulation/incident-response-regulation.md");
    let original = std::fs::read_to_string(&regulation).unwrap();
    std::fs::write(
        &regulation,
        original.replacen("---\n", "---\nno_such_field: 1\n", 1),
    )
    .unwrap();
    let server = Server::start(project.path(), &[]);
    let r = server.get("/");
    assert_eq!(r.status, 404);
    assert!(
        r.text().contains("build failed") && r.text().contains("/__kitei/reload.js"),
        "{}",
        r.text()
    );
    std::fs::write(&regulation, &original).unwrap();
    server.wait_for("/", 10, |r| r.status == 200);
}

#[cfg(unix)]
#[test]
fn stops_cleanly_on_ctrl_c() {
    let project = common::example();
    let mut server = Server::start(project.path(), &[]);
    assert_eq!(server.get("/").status, 200);
    let killed = Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "kitei serve did not stop; stderr:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "exit status {status:?}; stderr:\n{}",
        server.log()
    );
    let leftovers: Vec<_> = std::fs::read_dir(project.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // Lock files stay by design (README: Crashes and concurrent runs).
        .filter(|n| {
            n.starts_with(".kitei-") && n != ".kitei-cache" && !n.starts_with(".kitei-lock-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(
        TcpStream::connect(("127.0.0.1", server.port)).is_err(),
        "the port is closed"
    );
}

#[test]
fn a_port_in_use_is_a_usage_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let project = common::example();
    let out = kitei(project.path())
        .args(["serve", "--port", &port.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port"));
}

#[test]
fn polling_notices_changes_too() {
    let project = common::example();
    let server = Server::start(project.path(), &["--poll"]);
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    let original = std::fs::read_to_string(&runbook).unwrap();
    std::fs::write(
        &runbook,
        original.replacen(
            "端末名、利用者、症状",
            "KITEI-SERVE-POLL 端末名、利用者、症状",
            1,
        ),
    )
    .unwrap();
    server.wait_for("/runbook-malware.html", 10, |r| {
        r.text().contains("KITEI-SERVE-POLL")
    });
}

/// A rebuild prints the errors and the warnings the session has not printed yet, and counts
/// the others; a warning that goes away is counted as gone.
#[test]
fn a_rebuild_prints_only_the_warnings_it_has_not_printed() {
    let project = common::example();
    let server = Server::start(project.path(), &[]);
    let late = "warning[K0904]";
    let first = server.log().matches(late).count();
    assert!(first > 0, "the first build prints every warning");
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    let original = std::fs::read_to_string(&runbook).unwrap();
    // A name of a document that is not in the corpus: a new warning (K0804).
    std::fs::write(
        &runbook,
        format!("{original}\n関係するガイドラインに基づき、担当者は端末を管理する。\n"),
    )
    .unwrap();
    server.wait_log("open pages reload", 1, 20);
    let log = server.log();
    assert_eq!(log.matches("warning[K0804]").count(), 1, "{log}");
    assert_eq!(log.matches(late).count(), first, "not repeated: {log}");
    // The build's own warnings too (the copy is not in a git repository).
    let no_git = "warning: releases: the project is not in a git repository";
    assert_eq!(log.matches(no_git).count(), 1, "{log}");
    assert!(
        log.contains("kitei serve: 1 new warning(s), 0 gone, "),
        "{log}"
    );

    std::fs::write(&runbook, &original).unwrap();
    server.wait_log("open pages reload", 2, 20);
    let log = server.log();
    assert!(
        log.contains("kitei serve: 0 new warning(s), 1 gone, "),
        "{log}"
    );
    assert_eq!(log.matches(late).count(), first, "{log}");
    assert_eq!(log.matches(no_git).count(), 1, "{log}");

    // An error is printed by every build that has it.
    let broken = original.replacen("id: malware", "id: malware\nno_such_field: 1", 1);
    std::fs::write(&runbook, &broken).unwrap();
    server.wait_log("the build failed", 1, 20);
    let once = server.log().matches("no_such_field").count();
    assert!(once > 0);
    std::fs::write(&runbook, format!("{broken}\n追記。\n")).unwrap();
    server.wait_log("the build failed", 2, 20);
    let log = server.log();
    assert_eq!(log.matches("no_such_field").count(), 2 * once, "{log}");
}

/// After a `kitei build` of the same inputs, the server still builds (never the no-op), so that
/// its first save already knows what it printed.
#[test]
fn a_session_after_a_build_starts_with_a_build_of_its_own() {
    let project = common::example();
    common::ok(
        kitei(project.path())
            .args(["build", "--no-seal"])
            .output()
            .unwrap(),
    );
    let server = Server::start(project.path(), &[]);
    assert!(!server.log().contains("up to date"), "{}", server.log());
    let late = "warning[K0904]";
    let first = server.log().matches(late).count();
    assert!(first > 0, "the first build prints every warning");
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    common::edits::edit_file(&runbook, |t| format!("{t}\n追記。\n"));
    server.wait_log("open pages reload", 1, 20);
    let log = server.log();
    assert_eq!(log.matches(late).count(), first, "{log}");
    assert!(
        log.contains("kitei serve: 0 new warning(s), 0 gone, "),
        "{log}"
    );
}

/// A rebuild takes the page memo the session's last build kept in memory: with the memo's
/// files gone from disk, its pages are still reused.
#[test]
fn a_rebuild_reuses_pages_from_the_memo_kept_in_memory() {
    let project = common::example();
    let server = Server::start_with(project.path(), &[], &[("KITEI_TIMINGS", "1")]);
    let build = project.path().join(".kitei-cache/build");
    let mut removed = 0;
    for entry in std::fs::read_dir(&build).unwrap().flatten() {
        if entry.file_name().to_string_lossy().contains(".pages") {
            std::fs::remove_file(entry.path()).unwrap();
            removed += 1;
        }
    }
    assert!(removed > 0, "the first build saved its page memo");
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    common::edits::edit_file(&runbook, |t| format!("{t}\n追記。\n"));
    server.wait_log("open pages reload", 1, 20);
    let log = server.log();
    let line = log
        .lines()
        .rfind(|l| l.starts_with("timing: pages"))
        .unwrap_or_else(|| panic!("no page counts: {log}"));
    let count_after = |marker: &str| -> usize {
        line.split(marker)
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count after `{marker}` in `{line}`"))
    };
    assert!(count_after(" recorded, ") > 10, "{line}");
    // The kept memo holds the digests of the document pages' inputs too.
    assert!(count_after(" reused (") > 1, "{line}");
    // The rebuild listed the source folder from the file events, without walking it.
    assert!(
        log.contains("timing:   load listing from file events"),
        "{log}"
    );
}

#[test]
fn a_full_width_incident_id_is_served_as_a_preview_without_a_panic() {
    let project = common::example();
    common::full_width_incident_id(project.path());
    let server = Server::start(
        project.path(),
        &["--allow-errors", "--audience", "restricted"],
    );
    let r = server.wait_for("/dashboard.html", 30, |r| r.status == 200);
    assert!(String::from_utf8_lossy(&r.body).contains("INC-１"));
    let log = server.log();
    assert!(log.contains("K0202"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

/// After each edit, what `kitei serve` published (its builds load only the files that changed,
/// the records of the rest kept from the build before) is byte for byte what a cold build
/// without any cache gives.
#[test]
fn each_rebuild_gives_the_bytes_of_a_cold_build() {
    use common::edits::{edit_file, set_field};
    let project = common::example();
    // A wording dictionary outside the source folder, as kitei.toml may name one.
    let style = project.path().join("style");
    let wording = |pattern: &str| {
        format!("rules:\n  - expected: 事案\n    pattern: /{pattern}/\n    prh: 社内用語\n")
    };
    std::fs::create_dir(&style).unwrap();
    std::fs::write(style.join("wording.yml"), wording("インシデント対応手順")).unwrap();
    edit_file(&project.path().join("kitei.toml"), |t| {
        t.replace(
            "[regulation]\n",
            "[regulation]\ndictionaries = [\"style/wording.yml\"]\n",
        )
    });
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("served");
    let server = Server::start(project.path(), &["--out", out.to_str().unwrap()]);
    let src = project.path().join("policy-src");
    let templates = project.path().join("templates");
    let base_template = |marker: &str| {
        let text = std::fs::read_to_string(common::root().join("templates/base.html")).unwrap();
        let edited = text.replace(
            "<footer class=\"site-footer\">",
            &format!("<footer class=\"site-footer\" data-edit=\"{marker}\">"),
        );
        assert_ne!(edited, text);
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(templates.join("base.html"), edited).unwrap();
    };
    let runbook = |id: &str| src.join(format!("runbooks/{id}.md"));
    let incident = std::fs::read_dir(src.join("incidents/2026"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .min()
        .unwrap();
    type Edit<'a> = (&'static str, Box<dyn Fn() + 'a>);
    let edits: Vec<Edit> = vec![
        (
            "retitle a linked document",
            Box::new(|| {
                edit_file(&src.join("regulation/emergency-organisation.md"), |t| {
                    set_field(&t, "title", ": ", "改題された体制")
                })
            }),
        ),
        (
            "append to a runbook",
            Box::new(|| {
                edit_file(&runbook("data-leak"), |t| {
                    format!("{t}\n追記。本手順は必要に応じて見直す。\n")
                })
            }),
        ),
        (
            "add a runbook",
            Box::new(|| {
                let text = std::fs::read_to_string(runbook("malware")).unwrap();
                let text = set_field(&text, "id", ": ", "extra-1");
                std::fs::write(
                    runbook("extra-1"),
                    set_field(&text, "title", ": ", "追加手順"),
                )
                .unwrap();
            }),
        ),
        (
            "rename it",
            Box::new(|| {
                let text = std::fs::read_to_string(runbook("extra-1")).unwrap();
                std::fs::remove_file(runbook("extra-1")).unwrap();
                std::fs::write(runbook("extra-2"), set_field(&text, "id", ": ", "extra-2"))
                    .unwrap();
            }),
        ),
        (
            "retitle an incident",
            Box::new(|| edit_file(&incident, |t| set_field(&t, "title", ": ", "件名変更"))),
        ),
        (
            "add a folder of incidents",
            Box::new(|| {
                let text = std::fs::read_to_string(&incident).unwrap();
                let folder = src.join("incidents/2027");
                std::fs::create_dir(&folder).unwrap();
                std::fs::write(
                    folder.join("INC-2027-001.yaml"),
                    set_field(&text, "id", ": ", "INC-2027-001"),
                )
                .unwrap();
            }),
        ),
        (
            "remove the folder",
            Box::new(|| std::fs::remove_dir_all(src.join("incidents/2027")).unwrap()),
        ),
        (
            "remove the added runbook",
            Box::new(|| std::fs::remove_file(runbook("extra-2")).unwrap()),
        ),
        (
            "change the wording dictionary",
            Box::new(|| {
                std::fs::write(style.join("wording.yml"), wording("インシデント")).unwrap()
            }),
        ),
        ("override a template", Box::new(|| base_template("one"))),
        ("change the override", Box::new(|| base_template("two"))),
    ];
    for (step, (what, edit)) in edits.iter().enumerate() {
        let version = server.get("/__kitei/version").text();
        edit();
        server.wait_for("/__kitei/version", 20, |r| r.text() != version);
        let cold_out = work.path().join(format!("cold-{step}"));
        let cold = kitei(project.path())
            .args(["build", "--no-seal", "--out"])
            .arg(&cold_out)
            .env("KITEI_CACHE", "off")
            .output()
            .unwrap();
        common::ok(cold);
        let (served, cold) = (common::tree(&out), common::tree(&cold_out));
        let differ: Vec<&String> = served
            .keys()
            .chain(cold.keys())
            .filter(|k| served.get(*k) != cold.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "after `{what}`: {differ:?}\n{}",
            server.log()
        );
    }
    // The last edits showed: the dictionary's findings on the dashboard, the override's mark.
    let served = |name: &str| String::from_utf8_lossy(&common::tree(&out)[name]).into_owned();
    assert!(
        served("dashboard.html").contains("「事案」"),
        "{}",
        server.log()
    );
    assert!(served("index.html").contains("data-edit=\"two\""));
}
