//! Sites of generated corpora (`kitei-gen`): no page lists every record (nor every finding),
//! every document and incident page is reachable through the paginated lists, and the pager
//! links resolve.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn run(cmd: &mut Command) {
    let o = cmd.output().expect("runs");
    assert!(
        o.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The `href`s of a page that point at other pages of the site (no fragment-only links).
fn page_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| !h.starts_with('#') && !h.contains(':'))
        .map(|h| h.split('#').next().unwrap_or(h).to_string())
        .collect()
}

fn read(out: &Path, name: &str) -> String {
    std::fs::read_to_string(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A generated corpus of 260 documents and 250 incidents (355 warnings) in `dir`/corpus; returns
/// its project folder.
fn generated(dir: &Path) -> std::path::PathBuf {
    let corpus = dir.join("corpus");
    run(Command::new(env!("CARGO_BIN_EXE_kitei-gen")).args([
        "--out",
        corpus.to_str().unwrap(),
        "--docs",
        "260",
        "--incidents",
        "250",
        "--evidence-files",
        "5",
        "--evidence-size",
        "1K",
        "--layouts",
        "kitei",
    ]));
    corpus.join("kitei")
}

#[test]
fn long_lists_are_paginated_and_reach_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let project = generated(dir.path());
    let out = dir.path().join("site");
    run(common::kitei(&project)
        .args(["build", "--no-seal", "--audience", "restricted", "--out"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "1762000000")
        .env("KITEI_SOURCE_COMMIT", "0123456789ab"));

    let files: BTreeSet<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let records: BTreeSet<&String> = files
        .iter()
        .filter(|f| {
            f.starts_with("doc-") || f.starts_with("runbook-") || f.starts_with("incident-")
        })
        .collect();
    assert!(records.len() > 500, "{} record pages", records.len());

    // The home page shows a bounded excerpt and links to the full lists.
    let home = read(&out, "index.html");
    assert!(
        home.matches("<li><a href=\"runbook-").count() <= 30,
        "home lists too many runbooks"
    );
    assert!(
        home.contains("href=\"runbooks.html\""),
        "home links the runbook list"
    );
    assert!(
        home.contains("href=\"documents.html\""),
        "home links the document list"
    );

    let lists: Vec<&String> = files
        .iter()
        .filter(|f| {
            ["runbooks", "documents", "incidents"]
                .iter()
                .any(|l| *f == &format!("{l}.html") || f.starts_with(&format!("{l}-")))
        })
        .collect();
    // 250 incidents: pages of 50 to 200, cut by the incidents themselves.
    let register = files
        .iter()
        .filter(|f| *f == "incidents.html" || f.starts_with("incidents-"))
        .count();
    assert!((2..=5).contains(&register), "{register} register pages");
    let mut reached = BTreeSet::new();
    for list in &lists {
        let html = read(&out, list);
        let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
        let items = [
            "<li><a href=\"doc-",
            "<li><a href=\"runbook-",
            // The register's first cell (`<td data-label="…">`: a card on phones).
            "\"><a href=\"incident-",
        ]
        .iter()
        .map(|m| main.matches(m).count())
        .sum::<usize>();
        assert!(items <= 200, "{list} lists {items} records");
        for link in page_links(&html) {
            assert!(
                files.contains(&link) || link.starts_with("assets/"),
                "{list} links to missing {link}"
            );
            reached.insert(link);
        }
    }
    for page in records {
        assert!(reached.contains(page.as_str()), "{page} is on no list page");
    }
    // The pager of a middle page links both ways.
    let middle = read(&out, "incidents-2.html");
    assert!(
        middle.contains("rel=\"prev\" href=\"incidents.html\""),
        "{middle}"
    );
    if register >= 3 {
        assert!(middle.contains("rel=\"next\" href=\"incidents-3.html\""));
    } else {
        assert!(
            !middle.contains("rel=\"next\""),
            "the last page has no next"
        );
    }

    // The dashboard lists the first 100 findings and links the pages that list them all;
    // each finding is on exactly one of those pages.
    let dashboard = read(&out, "dashboard.html");
    let finding = "<li class=\"finding ";
    assert_eq!(dashboard.matches(finding).count(), 100);
    let count: usize = dashboard
        .split("<a href=\"findings.html\">")
        .nth(1)
        .expect("the dashboard links every finding")
        .split(|c: char| !c.is_ascii_digit())
        .find(|n| !n.is_empty())
        .and_then(|n| n.parse().ok())
        .expect("the link says how many");
    assert!(count > 100, "{count} findings");
    let pages: Vec<&String> = files
        .iter()
        .filter(|f| *f == "findings.html" || f.starts_with("findings-"))
        .collect();
    // Pages are cut by their findings: 50 to 200 each (the last may hold fewer).
    assert!(
        (count.div_ceil(200)..=count.div_ceil(50)).contains(&pages.len()),
        "{} pages for {count} findings",
        pages.len()
    );
    let mut listed = 0;
    for name in &pages {
        let html = read(&out, name);
        let here = html.matches(finding).count();
        assert!(here <= 200, "{name} lists {here} findings");
        // Each page says how many it lists.
        assert!(
            html.contains(&format!("<p class=\"count\">このページに{here}件")),
            "{name}"
        );
        listed += here;
        for link in page_links(&html) {
            assert!(
                files.contains(&link) || link.starts_with("assets/"),
                "{name} links to missing {link}"
            );
        }
    }
    assert_eq!(listed, count, "every finding once on the findings pages");
    assert!(read(&out, "findings-2.html").contains("rel=\"prev\" href=\"findings.html\""));

    // The mean-time charts draw the latest 30 of 250 incidents, and say so.
    let stats = &dashboard[dashboard.find("id=\"statistics\"").unwrap()..];
    let times: Vec<&str> = stats
        .split("<figure")
        .filter(|f| f.contains("直近30件"))
        .collect();
    assert_eq!(
        times.len(),
        3,
        "three mean-time charts say they show the latest 30"
    );
    for chart in times {
        assert_eq!(chart.matches("class=\"chart-bar\"").count(), 30);
    }

    // The list and pager templates are valid HTML (the example is too small to use them).
    let sample = dir.path().join("sample");
    std::fs::create_dir_all(&sample).unwrap();
    for name in [
        "index.html",
        "documents-2.html",
        "runbooks.html",
        "incidents-2.html",
        "dashboard.html",
        "findings-2.html",
    ] {
        std::fs::copy(out.join(name), sample.join(name)).unwrap();
    }
    common::assert_valid_html(&sample, "list pages");
}

/// An incident that goes changes the register page it was on, not every page after it: the
/// pages are cut by their entries and say how many they list, not how many there are.
#[test]
fn an_incident_that_goes_rewrites_its_register_page_only() {
    let dir = tempfile::tempdir().unwrap();
    let project = generated(dir.path());
    let out = dir.path().join("site");
    let build = || {
        run(common::kitei(&project)
            .args(["build", "--no-seal", "--audience", "restricted", "--out"])
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", "1762000000")
            .env("KITEI_SOURCE_COMMIT", "0123456789ab"))
    };
    build();
    let before = common::file_inodes(&out);
    let register: Vec<&String> = before
        .keys()
        .filter(|f| *f == "incidents.html" || f.starts_with("incidents-"))
        .collect();
    assert!(register.len() >= 2, "{register:?}");
    // The first incident of the first page that no other file names (so nothing dangles).
    let sources: Vec<String> = walkdir::WalkDir::new(project.join("policy-src"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let id = page_links(&read(&out, "incidents.html"))
        .iter()
        .filter_map(|l| l.strip_prefix("incident-")?.strip_suffix(".html"))
        .find(|id| sources.iter().filter(|t| t.contains(id)).count() == 1)
        .expect("an incident no other file names")
        .to_string();
    let file = project.join(format!("policy-src/incidents/{}/{id}.yaml", &id[4..8]));
    std::fs::remove_file(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    build();
    let after = common::file_inodes(&out);
    assert!(!after.contains_key(&format!("incident-{id}.html")));
    let rewritten: Vec<&&String> = register
        .iter()
        .filter(|f| after.get(**f) != before.get(**f))
        .collect();
    assert_eq!(
        rewritten,
        [&&"incidents.html".to_string()],
        "only the page the incident was on is rewritten"
    );
}

/// The findings are formatted in chunks on several threads: printed, they still come in the
/// report's order, each once.
#[test]
fn printed_findings_keep_the_reports_order() {
    let dir = tempfile::tempdir().unwrap();
    let project = generated(dir.path());
    let human = common::kitei(&project).arg("check").output().unwrap();
    let json = common::kitei(&project)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let expected: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let at = &d["location"];
            let at = match at["path"].as_str() {
                Some(path) => format!("{path}:{}:{}", at["line"], at["column"]),
                None => String::new(),
            };
            let (level, code) = (d["level"].as_str().unwrap(), d["code"].as_str().unwrap());
            format!("{level}[{code}] {at}")
        })
        .collect();
    assert!(
        expected.len() > 300,
        "{} findings: too few to need several chunks",
        expected.len()
    );
    // `warning[K0803]: message` then `  --> path:line:col`.
    let stderr = String::from_utf8(human.stderr).unwrap();
    let mut printed = Vec::new();
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some((head, _)) = line.split_once("]: ")
            && (head.starts_with("warning[") || head.starts_with("error["))
        {
            let at = lines
                .peek()
                .and_then(|l| l.trim_start().strip_prefix("--> "))
                .unwrap_or("")
                .to_string();
            printed.push(format!("{head}] {at}"));
        }
    }
    assert_eq!(printed, expected);
}
