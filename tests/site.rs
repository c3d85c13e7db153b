//! `kitei build`: builds the example policy into temporary folders and asserts on the pages,
//! the audience filter, sanitising of raw HTML and byte-identical rebuilds.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EPOCH: &str = "1762000000";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs kitei on `project`. `build` never seals an evidence bundle here (`--no-seal`): the
/// tests build the repository's own example in parallel and must not write into its
/// `evidence/` folder.
fn kitei(project: &Path, args: &[&str]) -> Output {
    let mut args = args.to_vec();
    if args.first() == Some(&"build") {
        args.insert(1, "--no-seal");
    }
    common::kitei(project)
        .args(&args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("KITEI_SOURCE_COMMIT", "0123456789ab")
        .output()
        .expect("kitei runs")
}

/// Builds `project` into a fresh folder; panics with stderr when the build fails.
fn build(project: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let mut args = vec!["build", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = kitei(project, &args);
    assert!(
        o.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (dir, out)
}

fn page(out: &Path, name: &str) -> String {
    std::fs::read_to_string(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn example_builds_the_main_pages() {
    let (_dir, out) = build(&root(), &[]);
    for name in [
        "index.html",
        "contacts.html",
        "roles.html",
        "systems.html",
        "severity.html",
        "incidents.html",
        "assets/kitei.css",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }

    // Home: the incident-now box with the first number to call and three first steps.
    let index = page(&out, "index.html");
    let start = index
        .find("class=\"incident-now\"")
        .expect("incident-now box");
    let boxed = &index[start..index[start..].find("</section>").unwrap() + start];
    assert!(boxed.contains("href=\"tel:0300000100\""), "{boxed}");
    assert_eq!(boxed.matches("<li>").count(), 3, "{boxed}");
    // The steps are the regulation's `incident_now`, not UI text.
    assert!(
        boxed.contains("自ら判断して放置せず、直ちにヘルプデスク又はシステム管理者に報告する。"),
        "{boxed}"
    );
    assert!(
        boxed.contains("href=\"contacts.html#role-helpdesk\""),
        "{boxed}"
    );
    assert!(
        index.contains("速報・確報の期限"),
        "latest revision's changes"
    );

    // Footer: version, commit, build date (from SOURCE_DATE_EPOCH, in JST).
    for want in ["2026.1", "0123456789ab", "2025-11-01"] {
        assert!(index.contains(want), "footer lacks {want}");
    }

    // A runbook: the five phases, as anchored headings followed by checklists.
    let runbook = page(&out, "runbook-data-leak.html");
    for phase in [
        "detection",
        "initial-response",
        "containment",
        "reporting",
        "recovery",
    ] {
        let at = runbook
            .find(&format!("<h2 id=\"{phase}\">"))
            .unwrap_or_else(|| panic!("phase {phase}"));
        let next = &runbook[at..];
        let ul = next.find("<ul>").expect("checklist");
        assert!(
            next[ul..].starts_with("<ul>\n<li><label><input type=\"checkbox\">"),
            "phase {phase} is not a checklist (each box labelled by its step)"
        );
    }
    assert!(
        runbook.contains("href=\"contacts.html#role-helpdesk\""),
        "roles link to the contact table"
    );

    // Contacts: tel: and mailto: links, anchors for roles.
    let contacts = page(&out, "contacts.html");
    assert!(contacts.contains("<a href=\"tel:09000000002\">090-0000-0002</a>"));
    assert!(contacts.contains("href=\"mailto:helpdesk@example.jp\""));
    assert!(contacts.contains("id=\"role-helpdesk\""));

    // A clause anchor a cross-reference points to, within and across documents.
    let regulation = page(&out, "doc-incident-response-regulation.html");
    assert!(
        regulation.contains("<h2 id=\"detection\">第6条"),
        "clause anchor"
    );
    assert!(
        regulation.contains("<a href=\"#detection\">第6条</a>"),
        "same-document clause link"
    );
    let intrusion = page(&out, "runbook-database-intrusion.html");
    assert!(intrusion.contains("href=\"doc-incident-response-regulation.html#reporting\""));
    assert!(regulation.contains("<h2 id=\"reporting\">"));

    // Nothing loads from another origin.
    for (name, bytes) in common::tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for bad in [
            "src=\"http",
            "src=\"//",
            "@import",
            "url(http",
            "url(//",
            "rel=\"stylesheet\" href=\"http",
        ] {
            assert!(
                !text.contains(bad),
                "{name} loads from another origin: {bad}"
            );
        }
    }
}

/// Strings that occur in restricted incident records (and personal data of any incident)
/// but nowhere in a source file the employees may read.
fn restricted_only_strings() -> Vec<String> {
    let project = kitei::config::Project::open(&root()).unwrap();
    let loaded = kitei::source::load(&project).unwrap();
    let corpus = &loaded.corpus;
    let mut restricted_files = std::collections::BTreeSet::new();
    let mut strings = Vec::new();
    for inc in &corpus.incidents {
        if let Some(p) = &inc.personal_data {
            for x in &p.value.affected_individuals {
                strings.push(x.name.clone());
                strings.extend(x.contact.clone());
            }
        }
        if inc.visibility != kitei::model::Visibility::Restricted {
            continue;
        }
        restricted_files.insert(inc.file);
        strings.push(inc.id.value.clone());
        strings.push(inc.title.clone());
        strings.extend(inc.summary.clone());
        strings.extend(inc.root_cause.clone());
        strings.extend(inc.reported_by.as_ref().and_then(|r| r.name.clone()));
        strings.extend(inc.timeline.iter().map(|t| t.what.clone()));
        strings.extend(inc.actions.iter().map(|a| a.what.clone()));
        strings.extend(inc.notifications.iter().filter_map(|n| n.reference.clone()));
    }
    // The roster and the acknowledgements are restricted, always: every name and id.
    for p in &corpus.roster {
        restricted_files.insert(p.file);
        strings.push(p.name.clone());
        strings.push(p.id.value.clone());
    }
    restricted_files.extend(corpus.acknowledgements.iter().map(|a| a.file));
    let readable: String = corpus
        .files
        .iter()
        .enumerate()
        .filter(|(i, _)| !restricted_files.contains(i))
        .filter_map(|(_, f)| std::fs::read_to_string(corpus.root.join(&f.rel_path)).ok())
        .collect::<Vec<_>>()
        .join("\n");
    strings.sort();
    strings.dedup();
    strings.retain(|s| s.chars().count() >= 4 && !readable.contains(s.as_str()));
    strings
}

#[test]
fn employees_build_contains_nothing_restricted() {
    let secrets = restricted_only_strings();
    assert!(secrets.len() > 20, "too few probe strings: {secrets:?}");
    eprintln!("{} restricted-only probe strings", secrets.len());
    assert!(
        secrets.iter().any(|s| s == "山本 さやか"),
        "affected individuals are probed"
    );
    assert!(
        secrets.iter().any(|s| s == "篠原 悠斗") && secrets.iter().any(|s| s == "M1011"),
        "roster names and ids are probed"
    );
    let (_dir, out) = build(&root(), &["--audience", "employees"]);
    for (name, bytes) in common::tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "{name} contains restricted text {s:?}"
            );
        }
    }
    // The restricted build has them, including the names of affected people.
    let (_dir, restricted) = build(&root(), &["--audience", "restricted"]);
    let inc = page(&restricted, "incident-INC-2025-002.html");
    assert!(inc.contains("山本 さやか"));
    assert!(!out.join("incident-INC-2025-002.html").exists());
}

#[test]
fn public_build_shows_only_public_documents() {
    let (_dir, out) = build(&root(), &["--audience", "public"]);
    assert!(out.join("runbook-disaster.html").is_file());
    assert!(!out.join("runbook-malware.html").exists());
    assert!(!out.join("doc-incident-response-regulation.html").exists());
    let index = page(&out, "index.html");
    assert!(!index.contains("runbook-malware.html"));
}

#[test]
fn raw_html_from_sources_is_sanitised() {
    let project = common::example();
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    let mut text = std::fs::read_to_string(&runbook).unwrap();
    text.push_str(
        "\n<script>alert('xss-script')</script>\n\n<img src=\"x.png\" onerror=\"alert('xss-img')\">\n\n\
         [click](javascript:alert('xss-md'))\n\n<a href=\"javascript:alert('xss-a')\" onclick=\"alert('xss-click')\">a</a>\n\n\
         <p onmouseover=\"alert('xss-p')\" style=\"color:red\">hover</p>\n",
    );
    std::fs::write(&runbook, text).unwrap();
    let (_dir, out) = build(project.path(), &["--allow-errors"]);
    let page = page(&out, "runbook-malware.html");
    assert!(page.contains("hover"), "the harmless text stays");
    for (name, bytes) in common::tree(&out) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for bad in [
            "<script>alert",
            "xss-",
            "onerror",
            "onclick",
            "onmouseover",
            "javascript:",
        ] {
            assert!(!text.contains(bad), "{name} contains {bad}");
        }
    }
}

#[test]
fn builds_are_byte_identical() {
    let (_a, first) = build(&root(), &[]);
    let (_b, second) = build(&root(), &[]);
    let (a, b) = (common::tree(&first), common::tree(&second));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between two builds");
    }
}

#[test]
fn errors_refuse_to_publish_and_keep_the_old_site() {
    let project = common::example();
    let out = project.path().join("site");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("index.html"), "old site").unwrap();
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    let text = std::fs::read_to_string(&runbook).unwrap() + "\n[誰か](role:nobody)\n";
    std::fs::write(&runbook, text).unwrap();

    let o = kitei(project.path(), &["build"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "old site"
    );

    let o = kitei(project.path(), &["build", "--allow-errors"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("class=\"banner\""), "preview banner");
    let leftovers: Vec<_> = std::fs::read_dir(project.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // Lock files stay by design (README: Crashes and concurrent runs).
        .filter(|n| {
            n.starts_with(".kitei-") && n != ".kitei-cache" && !n.starts_with(".kitei-lock-")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left: {leftovers:?}"
    );
}

/// The data of a search index file: `KITEI_SEARCH_DATA("name", data);`.
fn search_data(out: &Path, name: &str) -> serde_json::Value {
    let js = page(out, &format!("assets/search/{name}.js"));
    let json = js
        .strip_prefix(&format!("KITEI_SEARCH_DATA(\"{name}\","))
        .and_then(|s| s.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("{name}.js: {}", js.chars().take(80).collect::<String>()));
    serde_json::from_str(json).unwrap()
}

#[test]
fn search_index_holds_japanese_bigrams() {
    use kitei::render::search;
    let (_dir, out) = build(&root(), &[]);
    let pages = search_data(&out, "pages");
    let shards = pages["shards"].as_u64().unwrap() as u32;
    let starts: Vec<usize> = serde_json::from_value(pages["chunks"].clone()).unwrap();
    let urls: Vec<String> = serde_json::from_value(pages["u"].clone()).unwrap();
    let titles: Vec<String> = serde_json::from_value(pages["t"].clone()).unwrap();
    assert!(shards.is_power_of_two());

    // pages.js, one file a shard and one a text chunk: nothing else.
    let tree = common::tree(&out);
    let files: Vec<&String> = tree.keys().filter(|k| k.starts_with(search::DIR)).collect();
    assert_eq!(files.len(), 1 + shards as usize + starts.len(), "{files:?}");

    // Only rendered pages are indexed, each once.
    let mut texts = Vec::new();
    for (c, &start) in starts.iter().enumerate() {
        let chunk = search_data(&out, &format!("t/{c}"));
        assert_eq!(start, texts.len(), "chunk {c} starts at its page");
        texts.extend(
            chunk
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string()),
        );
    }
    assert_eq!(texts.len(), urls.len());
    assert!(urls.iter().all(|u| tree.contains_key(u)), "{urls:?}");
    let html = tree.keys().filter(|k| k.ends_with(".html")).count();
    assert_eq!(urls.len(), html, "every page is indexed");

    // Every posting list, read back without a browser: exactly the pages (title or text)
    // that hold the bigram, in the shard the bigram hashes to.
    let mut expected: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
    let spelling = kitei::render::spelling::Spelling::new(&[]).unwrap();
    for (i, (title, text)) in titles.iter().zip(&texts).enumerate() {
        let grams: std::collections::BTreeSet<String> = search::bigrams(&spelling, title)
            .into_iter()
            .chain(search::bigrams(&spelling, text))
            .collect();
        for g in grams {
            expected.entry(g).or_default().push(i as u32);
        }
    }
    let mut found = std::collections::BTreeMap::new();
    for shard in 0..shards {
        let data = search_data(&out, &search::shard_name(shard));
        for (gram, code) in data.as_object().unwrap() {
            let mut c = gram.chars();
            let (a, b) = (c.next().unwrap(), c.next().unwrap());
            assert_eq!(search::shard_of(a, b, shards), shard, "{gram}");
            found.insert(
                gram.clone(),
                search::decode(code.as_str().unwrap().as_bytes()),
            );
        }
    }
    assert_eq!(found, expected);

    // 個人情報: in the regulation, whose text holds it.
    let reg = urls
        .iter()
        .position(|u| u == "doc-incident-response-regulation.html")
        .unwrap() as u32;
    assert!(texts[reg as usize].contains("個人情報"));
    for gram in ["個人", "人情", "情報"] {
        assert!(found[gram].contains(&reg), "{gram}");
    }

    for name in tree.keys().filter(|k| k.ends_with(".html")) {
        assert!(
            page(&out, name).contains("<script src=\"assets/search.js\"></script>"),
            "{name}"
        );
    }
}

#[test]
fn project_templates_override_defaults_and_errors_name_the_variable() {
    let project = common::example();
    let templates = project.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("severity.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n<p>OWN SEVERITY PAGE</p>\n{% endblock content %}\n",
    )
    .unwrap();
    let (_dir, out) = build(project.path(), &[]);
    let severity = page(&out, "severity.html");
    assert!(severity.contains("OWN SEVERITY PAGE"));
    assert!(
        severity.contains("class=\"site-footer\""),
        "the default base.html still wraps it"
    );

    std::fs::write(
        templates.join("severity.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ page.no_such_field }}</p>\n{% endblock content %}\n",
    )
    .unwrap();
    let o = kitei(project.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("severity.html:3") && err.contains("no_such_field"),
        "{err}"
    );
}

#[test]
fn english_ui() {
    let project = common::example();
    let toml = project.path().join("kitei.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("lang = \"ja\"", "lang = \"en\"");
    std::fs::write(&toml, text).unwrap();
    let (_dir, out) = build(project.path(), &[]);
    let index = page(&out, "index.html");
    assert!(index.contains("<html lang=\"en\">"));
    assert!(index.contains("Incident now?"));
}

#[test]
fn links_to_records_the_audience_cannot_see_are_removed() {
    let project = common::example();
    let roles = project.path().join("policy-src/roles.yaml");
    let text = std::fs::read_to_string(&roles).unwrap().replace(
        "  - id: legal\n    name: 法務担当\n",
        "  - id: legal\n    name: 法務担当\n    visibility: restricted\n",
    );
    assert!(text.contains("visibility: restricted"));
    std::fs::write(&roles, text).unwrap();
    let (_dir, out) = build(project.path(), &["--allow-errors"]);
    for (name, bytes) in common::tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("role-legal"),
            "{name} links to or anchors the restricted role"
        );
        assert!(
            !text.contains("role:legal"),
            "{name} names the restricted role's id"
        );
    }
    // The author's link text stays, as plain text.
    assert!(page(&out, "runbook-data-leak.html").contains("（法務担当）"));
}

/// Edits a file of a project copy, asserting the text to replace is there.
fn edit(project: &Path, file: &str, from: &str, to: &str) {
    let path = project.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

const REGULATION: &str = "policy-src/regulation/incident-response-regulation.md";

#[test]
fn incident_now_comes_from_the_regulation() {
    let project = common::example();
    let text = std::fs::read_to_string(project.path().join(REGULATION)).unwrap();
    let start = text.find("incident_now:").unwrap();
    // Up to `changes:` (kept: the roster's acknowledgements name its revisions).
    let end = start + text[start..].find("\nchanges:").unwrap();
    let own =
        "incident_now:\n  call: role:system-admin\n  steps: [端末をLANから抜く, 当番に電話する]\n";
    let text = format!("{}{own}{}", &text[..start], &text[end + 1..]);
    std::fs::write(project.path().join(REGULATION), text).unwrap();
    let (_dir, out) = build(project.path(), &[]);
    let index = page(&out, "index.html");
    let start = index.find("class=\"incident-now\"").unwrap();
    let boxed = &index[start..start + index[start..].find("</section>").unwrap()];
    assert!(
        boxed.contains("href=\"contacts.html#role-system-admin\""),
        "{boxed}"
    );
    assert!(
        boxed.contains("<li>端末をLANから抜く</li>") && boxed.contains("<li>当番に電話する</li>"),
        "{boxed}"
    );
    assert_eq!(boxed.matches("<li>").count(), 2, "{boxed}");

    // Without `incident_now` the regulation fails K0212 and nothing is published.
    let text = std::fs::read_to_string(project.path().join(REGULATION))
        .unwrap()
        .replace(own, "");
    std::fs::write(project.path().join(REGULATION), text).unwrap();
    let o = kitei(project.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("error[K0212]"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn dashboard_shows_report_deadlines_and_charts() {
    let (_dir, out) = build(&root(), &[]);
    let index = page(&out, "index.html");
    assert!(
        index.contains("<a href=\"dashboard.html\">"),
        "linked in the nav"
    );
    let dash = page(&out, "dashboard.html");
    // Evaluation date, the waived finding with its exception, the overdue (waived) measure.
    assert!(dash.contains("2026-11-01"));
    assert!(
        dash.contains("href=\"exception-EXC-2026-01.html\""),
        "waiver links its exception"
    );
    let overdue =
        &dash[dash.find("id=\"overdue\"").unwrap()..dash.find("id=\"upcoming\"").unwrap()];
    assert!(
        overdue.contains("2026-09-30") && overdue.contains("href=\"incident-INC-2025-004.html\""),
        "{overdue}"
    );
    // Upcoming: the review (approved 2026-03-20, every 12 months), the next drill (last
    // 2026-06-10), contact re-verification and the exception's expiry.
    let upcoming =
        &dash[dash.find("id=\"upcoming\"").unwrap()..dash.find("id=\"open-incidents\"").unwrap()];
    for want in [
        "2027-03-20",
        "2027-06-10",
        "href=\"drill-DRL-2026-01.html\"",
        "2027-03-31",
        "href=\"contacts.html#contact-ppc\"",
    ] {
        assert!(upcoming.contains(want), "upcoming lacks {want}");
    }
    // Inline SVG charts drawn at build time; no chart script.
    assert!(
        dash.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"")
            .count()
            >= 6
    );
    assert_eq!(
        dash.matches("<script").count(),
        2,
        "only the search and call-now scripts"
    );
    // Mean time to detect over the four incidents employees see: 1, 3, 2 and 4 minutes.
    assert!(
        dash.contains("<span class=\"tile-number\">3分</span>"),
        "mean time to detect"
    );

    // The security team's dashboard shows the open incidents and their APPI deadlines.
    let (_dir, restricted) = build(&root(), &["--audience", "restricted"]);
    let dash = page(&restricted, "dashboard.html");
    assert!(dash.contains("K0402") && dash.contains("href=\"incident-INC-2026-003.html\""));
    let upcoming =
        &dash[dash.find("id=\"upcoming\"").unwrap()..dash.find("id=\"open-incidents\"").unwrap()];
    assert!(
        upcoming.contains("2026-12-26"),
        "確報 of INC-2026-003 (60 days from 2026-10-28)"
    );
    // No dashboard on the public site.
    let (_dir, public) = build(&root(), &["--audience", "public"]);
    assert!(!public.join("dashboard.html").exists());
    assert!(!page(&public, "index.html").contains("dashboard.html"));
}

#[test]
fn employees_dashboard_names_no_restricted_record() {
    // A restricted drill as well: its page, list entry and dashboard link must go.
    let project = common::example();
    edit(
        project.path(),
        "policy-src/drills/DRL-2026-01.yaml",
        "held_on: 2026-06-10\n",
        "held_on: 2026-06-10\nvisibility: restricted\n",
    );
    let loaded = {
        let p = kitei::config::Project::open(project.path()).unwrap();
        kitei::source::load(&p).unwrap()
    };
    let mut secrets: Vec<String> = Vec::new();
    for i in loaded
        .corpus
        .incidents
        .iter()
        .filter(|i| i.visibility == kitei::model::Visibility::Restricted)
    {
        secrets.push(i.id.value.clone());
        secrets.push(i.title.clone());
    }
    secrets.push("DRL-2026-01".into());
    secrets.push("ランサムウェア感染を想定した机上訓練".into());
    assert!(secrets.contains(&"INC-2026-003".to_string()));
    let (_dir, out) = build(project.path(), &[]);
    for name in ["dashboard.html", "records.html", "index.html"] {
        let html = page(&out, name);
        for s in &secrets {
            assert!(!html.contains(s.as_str()), "{name} names restricted {s:?}");
        }
    }
    let dash = page(&out, "dashboard.html");
    // The two warnings about INC-2026-003 are left out, and counted, with the eight
    // acknowledgement findings located in the (restricted) roster and acknowledgements.
    assert!(!dash.contains("K0402") && !dash.contains("K0403"));
    assert!(!dash.contains("K0903") && !dash.contains("K0904"));
    assert!(
        dash.contains("<small>この公開範囲では表示しない記録に関する指摘: 10</small>"),
        "not-shown count"
    );
    // The next drill is still due (a company duty), without naming the restricted drill.
    assert!(dash.contains("2027-06-10"));
    assert!(!out.join("drill-DRL-2026-01.html").exists());
    assert!(out.join("drill-DRL-2025-01.html").is_file());

    // The restricted build shows them all.
    let (_dir, restricted) = build(project.path(), &["--audience", "restricted"]);
    let dash = page(&restricted, "dashboard.html");
    assert!(dash.contains("INC-2026-003") && dash.contains("href=\"drill-DRL-2026-01.html\""));
}

#[test]
fn drills_reviews_exceptions_and_incident_deadlines_have_pages() {
    let project = common::example();
    // A typed link to a drill in a runbook becomes a link to its page.
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    let text = std::fs::read_to_string(&runbook).unwrap()
        + "\n[前回の訓練](drill:DRL-2026-01)と[見直し](review:REV-2026-01)を参照。\n";
    std::fs::write(&runbook, text).unwrap();
    let (_dir, out) = build(project.path(), &[]);
    let malware = page(&out, "runbook-malware.html");
    assert!(malware.contains("<a href=\"drill-DRL-2026-01.html\">前回の訓練</a>"));
    assert!(malware.contains("<a href=\"review-REV-2026-01.html\">見直し</a>"));
    let records = page(&out, "records.html");
    for url in [
        "drill-DRL-2025-01.html",
        "drill-DRL-2026-01.html",
        "review-REV-2025-01.html",
        "review-REV-2026-01.html",
        "exception-EXC-2026-01.html",
    ] {
        assert!(
            records.contains(&format!("href=\"{url}\"")),
            "records.html lacks {url}"
        );
        assert!(out.join(url).is_file(), "{url}");
    }
    let drill = page(&out, "drill-DRL-2026-01.html");
    assert!(
        drill.contains("href=\"runbook-malware.html\"") && drill.contains("電源を切ってしまう誤り")
    );
    let review = page(&out, "review-REV-2026-01.html");
    assert!(review.contains("href=\"doc-incident-response-regulation.html\""));
    let exception = page(&out, "exception-EXC-2026-01.html");
    assert!(
        exception.contains("K0505") && exception.contains("href=\"incident-INC-2025-004.html\"")
    );
    assert!(
        exception.contains("上位回線でのDDoS緩和サービス"),
        "the finding it waives"
    );

    // Incident pages: the APPI deadlines beside the notifications (restricted INC-2025-002:
    // knew 2025-06-09, 速報 by 06-13, 確報 within 60 days by 08-07; the mall within 24 h).
    let (_dir, restricted) = build(&root(), &["--audience", "restricted"]);
    let inc = page(&restricted, "incident-INC-2025-002.html");
    let deadlines = &inc[inc.find("id=\"deadlines\"").expect("deadline table")
        ..inc.find("id=\"notifications\"").unwrap()];
    for want in [
        "2025-06-13",
        "2025-08-07",
        "2025-06-10 10:20",
        "個人情報保護法",
        "期限内に送付",
    ] {
        assert!(deadlines.contains(want), "deadlines lack {want}");
    }
    let open = page(&restricted, "incident-INC-2026-003.html");
    assert!(
        open.contains("未送付（期限前）"),
        "the pending 確報 of the open incident"
    );
}

#[test]
fn footnote_ids_do_not_clash_with_heading_ids() {
    let project = common::example();
    // `reporting` is also the anchor of 第8条.
    let text = std::fs::read_to_string(project.path().join(REGULATION)).unwrap()
        + "\n報告の期限は別表による[^reporting]。\n\n[^reporting]: 個人情報保護委員会への報告を含む。\n";
    std::fs::write(project.path().join(REGULATION), text).unwrap();
    let (_dir, out) = build(project.path(), &[]);
    let html = page(&out, "doc-incident-response-regulation.html");
    assert_eq!(
        html.matches("id=\"reporting\"").count(),
        1,
        "only the heading"
    );
    assert!(html.contains("<sup class=\"footnote-reference\" id=\"fnref-reporting\"><a href=\"#fn-reporting\">1</a></sup>"));
    assert!(html.contains("<div class=\"footnote-definition\" id=\"fn-reporting\">"));
    assert!(html.contains("href=\"#fnref-reporting\""), "back-link");
    // Every id of the page is unique.
    let mut ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids");
}

/// Every page of both audiences' sites passes Debian's `tidy` without errors (warnings, such
/// as tidy not knowing `aria-current`, are allowed). Skipped when tidy is missing, unless
/// KITEI_REQUIRE_TOOLS is set.
#[test]
fn pages_are_valid_html() {
    if Command::new("tidy").arg("-v").output().is_err() {
        assert!(
            std::env::var_os("KITEI_REQUIRE_TOOLS").is_none(),
            "tidy is required"
        );
        eprintln!("tidy not installed; skipped");
        return;
    }
    for audience in ["employees", "restricted"] {
        let (_dir, out) = build(&root(), &["--audience", audience]);
        for name in common::tree(&out).keys().filter(|k| k.ends_with(".html")) {
            let o = Command::new("tidy")
                .args(["-q", "-e", "--show-warnings", "no"])
                .arg(out.join(name))
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&o.stderr);
            assert!(
                o.status.code().is_some_and(|c| c < 2) && report.trim().is_empty(),
                "{audience}/{name}:\n{report}"
            );
        }
    }
}

#[test]
fn unchanged_inputs_make_a_no_op_build_and_any_change_rebuilds() {
    let project = common::example();
    let out = project.path().join("site");
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = kitei(project.path(), &args);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    // Files changed in the file-system clock tick of a build are not trusted by their
    // timestamps (racy); let the copies age by a tick.
    std::thread::sleep(std::time::Duration::from_millis(100));
    let first = build(&[]);
    assert!(!first.contains("up to date"), "{first}");
    let built = common::tree(&out);

    let again = build(&[]);
    assert!(again.contains("kitei build: up to date"), "{again}");
    assert!(
        again.contains("warning[K"),
        "a no-op repeats the build's warnings: {again}"
    );
    // Byte for byte what the build printed, up to and including its summary line.
    let summary = first.find("kitei build: ").expect("a summary line");
    let printed = &first[..summary + first[summary..].find('\n').unwrap() + 1];
    assert!(
        again.starts_with(printed),
        "a no-op repeats what the build printed:\n{printed}\n---\n{again}"
    );
    assert_eq!(common::tree(&out), built, "a no-op writes nothing");

    // Another audience into the same folder is another build.
    let public = build(&["--audience", "public"]);
    assert!(!public.contains("up to date"), "{public}");
    assert!(!build(&[]).contains("up to date"), "back to employees");

    // An edited source is rebuilt (and, being racy, again on the next build).
    let runbook = project.path().join("policy-src/runbooks/malware.md");
    let text = std::fs::read_to_string(&runbook).unwrap() + "\n追記：無停止で確認する。\n";
    std::fs::write(&runbook, text).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let edited = build(&[]);
    assert!(!edited.contains("up to date"), "{edited}");
    assert!(page(&out, "runbook-malware.html").contains("無停止で確認する"));

    // A site deleted by hand is rebuilt.
    assert!(
        build(&[]).contains("up to date"),
        "the edit is older than the last build"
    );
    std::fs::remove_dir_all(&out).unwrap();
    assert!(!build(&[]).contains("up to date"));
    assert!(out.join("index.html").is_file());
}

#[test]
fn a_changed_wording_dictionary_outside_the_source_folder_is_no_no_op() {
    let project = common::example();
    let out = project.path().join("site");
    let style = project.path().join("style");
    std::fs::create_dir(&style).unwrap();
    let wording = |pattern: &str| {
        let rule = format!("rules:\n  - expected: 事案\n    pattern: /{pattern}/\n");
        std::fs::write(style.join("wording.yml"), rule).unwrap();
        // Not changed in the tick of the next build (a racy file is never trusted).
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    wording("インシデント対応手順");
    common::edits::edit_file(&project.path().join("kitei.toml"), |t| {
        t.replace(
            "[regulation]\n",
            "[regulation]\ndictionaries = [\"style/wording.yml\"]\n",
        )
    });
    let build = || {
        let o = kitei(project.path(), &["build", "--out", out.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{err}");
        err
    };
    build();
    assert!(build().contains("kitei build: up to date"));
    wording("インシデント");
    let edited = build();
    assert!(!edited.contains("up to date"), "{edited}");
    assert!(edited.contains("→ 「事案」"), "{edited}");
    assert!(page(&out, "dashboard.html").contains("「事案」"));
    assert!(build().contains("kitei build: up to date"));
}

#[test]
fn no_op_build_is_found_whichever_way_the_project_path_is_typed() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("kitei");
    common::copy_tree(common::example().path(), &dir);
    std::os::unix::fs::symlink(&dir, parent.path().join("link")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    // The default output folder (`site/` under the project) and an explicit relative one.
    let build = |project_arg: &str, extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_kitei"))
            .current_dir(parent.path())
            .args(["-C", project_arg, "build", "--no-seal"])
            .args(extra)
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("KITEI_SOURCE_COMMIT", "0123456789ab")
            .env("KITEI_PDF", common::pdf_setting())
            .env_remove("KITEI_CACHE")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{err}");
        err.contains("kitei build: up to date")
    };
    let absolute = dir.to_str().unwrap();
    assert!(!build(absolute, &[]), "the first build");
    assert!(build("kitei", &[]), "-C kitei after the absolute path");
    assert!(build("./kitei/", &[]), "-C ./kitei/");
    assert!(build("link", &[]), "through a symbolic link");
    assert!(build(absolute, &[]), "the absolute path again");

    let out = parent.path().join("kitei/out");
    assert!(!build("kitei", &["--out", "kitei/out"]), "another folder");
    assert!(build(absolute, &["--out", out.to_str().unwrap()]));
    assert!(build("link", &["--out", "link/../kitei/out"]));
}

/// The incident-now box lists the regulation's numbers by time of day in order, each with its
/// hours and `data-open` spans for the highlight script; the page itself highlights none
/// (correct without scripts). Without a night number the check warns (K0214).
#[test]
fn incident_now_lists_numbers_by_time_of_day() {
    let (_dir, out) = build(&root(), &[]);
    let index = page(&out, "index.html");
    let start = index.find("<ol class=\"call-list\"").expect("call list");
    let list = &index[start..start + index[start..].find("</ol>").unwrap()];
    assert!(list.contains("data-utc-offset=\"540\""), "{list}");
    let tels: Vec<&str> = list
        .split("href=\"tel:")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(tels, ["0300000100", "09000000900", "05000002003"], "{list}");
    assert_eq!(list.matches("<li data-open=").count(), 3, "{list}");
    // Monday-Friday 08:30-19:00 as minutes of the week, and the hours in Japanese.
    assert!(list.contains("data-open=\"510-1140,1950-2580,"), "{list}");
    assert!(list.contains("平日 8:30〜19:00"), "{list}");
    assert!(list.contains("毎日 19:00〜翌8:30、土日終日"), "{list}");
    assert!(
        !index.contains("open-now"),
        "the static page highlights a channel"
    );
    assert!(index.contains("<script src=\"assets/call-now.js\"></script>"));
    assert!(out.join("assets/call-now.js").is_file());

    // Only the helpdesk's business hours left: the check names the hours nobody answers.
    let project = common::example();
    let text = std::fs::read_to_string(project.path().join(REGULATION)).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.contains("夜間・休日当番") && !l.contains("監視委託先SOC"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(project.path().join(REGULATION), kept).unwrap();
    let o = kitei(project.path(), &["check"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("warning[K0214]"), "{stderr}");
    assert!(stderr.contains("116 of the 168 hours"), "{stderr}");
    assert!(stderr.contains("Fri 19:00 – Mon 08:30"), "{stderr}");

    // Hours kitei cannot read are a load error at their line, saying what to write.
    edit(
        project.path(),
        "policy-src/contacts.yaml",
        "open: \"mon-fri 08:30-19:00\"",
        "open: \"mon-fri 8-19\"",
    );
    let o = kitei(project.path(), &["check"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[K0103]: `mon-fri 8-19` are not opening hours"),
        "{stderr}"
    );
    assert!(stderr.contains("--> policy-src/contacts.yaml:"), "{stderr}");
    assert!(stderr.contains("`mon-fri 08:30-19:00`"), "{stderr}");
}

/// Every runbook page carries the numbers of every role its steps name: each holder's and the
/// deputy's phone and mobile as `tel:` links, in the contact block (on screen and in print).
/// The expectation is worked out here from the loaded tables, not with the renderer's helper.
#[test]
fn runbooks_carry_the_numbers_of_the_roles_they_name() {
    use kitei::model::tables::ChannelKind;
    let project = kitei::config::Project::open(&root()).unwrap();
    let corpus = kitei::source::load(&project).unwrap().corpus;
    let (_dir, out) = build(&root(), &[]);
    let mut checked = 0;
    for doc in corpus
        .documents
        .iter()
        .filter(|d| d.kind() == kitei::model::DocKind::Runbook)
    {
        let html = page(&out, &format!("runbook-{}.html", doc.id()));
        let start = html
            .find("class=\"runbook-contacts\"")
            .unwrap_or_else(|| panic!("runbook {} has no contact block", doc.id()));
        let block = &html[start..start + html[start..].find("</section>").unwrap()];
        for link in doc.links.iter().filter(|l| l.dest.starts_with("role:")) {
            let role = corpus.role(&link.dest["role:".len()..]).unwrap();
            if role.committee {
                continue;
            }
            assert!(
                block.contains(&format!("id=\"call-{}\"", role.id.value)),
                "{block}"
            );
            for who in role.held_by.iter().chain(role.deputy.iter()) {
                let person = corpus.person(&who.value.id).unwrap();
                assert!(
                    block.contains(&person.name),
                    "{}: {}",
                    doc.id(),
                    person.name
                );
                for ch in person
                    .channels
                    .iter()
                    .filter(|c| matches!(c.kind, ChannelKind::Phone | ChannelKind::Mobile))
                {
                    let digits: String = ch.value.chars().filter(char::is_ascii_digit).collect();
                    assert!(
                        block.contains(&format!("href=\"tel:{digits}\"")),
                        "{}: no tel: link for {} ({}) of {}",
                        doc.id(),
                        person.name,
                        ch.value,
                        role.name
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} numbers checked");
}
