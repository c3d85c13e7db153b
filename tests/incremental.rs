//! Incremental builds (render::reuse): after any sequence of edits, a build into the same folder
//! gives, byte for byte, what a cold build into a fresh folder gives; and unchanged pages are
//! linked from the previous site, not rendered and written again.

mod common;

use common::edits::{Rng, documents, edit_file, seed};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn build(project: &Path, out: &Path, audience: &str, cache: bool) -> std::process::Output {
    let mut c: Command = common::kitei(project);
    c.args(["build", "--no-seal", "--audience", audience, "--out"])
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("KITEI_SOURCE_COMMIT", "0123456789ab")
        .env("KITEI_TIMINGS", "1");
    if !cache {
        c.env("KITEI_CACHE", "off");
    }
    c.output().unwrap()
}

/// Replaces the value of the first `key: ` line.
fn set_field(text: &str, key: &str, value: &str) -> String {
    common::edits::set_field(text, key, ": ", value)
}

/// One random edit of the project (or of the build's audience); returns what it did.
fn random_edit(
    rng: &mut Rng,
    step: usize,
    project: &Path,
    audience: &mut &'static str,
    added: &mut Vec<PathBuf>,
    out: &Path,
) -> String {
    let src = project.join("policy-src");
    let docs = documents(project);
    match rng.below(10) {
        // A new runbook: a copy of one under a new id and title.
        0 | 1 => {
            let id = format!("extra-{step}");
            let path = src.join("runbooks").join(format!("{id}.md"));
            let text = std::fs::read_to_string(src.join("runbooks/malware.md")).unwrap();
            let text = set_field(&text, "id", &id);
            std::fs::write(&path, set_field(&text, "title", &format!("追加手順{step}"))).unwrap();
            added.push(path);
            format!("add runbook {id}")
        }
        // Remove or rename a runbook this test added (nothing links to those).
        2 if !added.is_empty() => {
            let path = added.remove(rng.below(added.len()));
            if rng.below(2) == 0 {
                std::fs::remove_file(&path).unwrap();
                format!("remove {}", path.display())
            } else {
                let id = format!("renamed-{step}");
                let to = path.with_file_name(format!("{id}.md"));
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::remove_file(&path).unwrap();
                std::fs::write(&to, set_field(&text, "id", &id)).unwrap();
                added.push(to.clone());
                format!("rename {} to {}", path.display(), to.display())
            }
        }
        // Retitle a document other pages link to.
        2 | 3 => {
            let linked = [
                "regulation/emergency-organisation.md",
                "runbooks/data-leak.md",
                "runbooks/disaster.md",
            ];
            let path = src.join(linked[rng.below(linked.len())]);
            edit_file(&path, |t| set_field(&t, "title", &format!("改題{step}")));
            format!("retitle {}", path.display())
        }
        // A paragraph appended to a document; and a published page tampered with in place.
        4 | 5 => {
            let path = &docs[rng.below(docs.len())];
            edit_file(path, |t| {
                format!("{t}\n追記{step}。本規程は必要に応じて見直す。\n")
            });
            let page = out.join("contacts.html");
            if page.exists() {
                let mut text = std::fs::read(&page).unwrap();
                text.extend_from_slice(b"<!-- tampered -->");
                // In place: the same inode, another length and time.
                std::fs::write(&page, text).unwrap();
            }
            format!("append to {} and tamper with contacts.html", path.display())
        }
        // A template override and an asset override, added or changed or removed.
        6 => {
            let dir = project.join("templates");
            std::fs::create_dir_all(dir.join("assets")).unwrap();
            let (name, default) = [
                ("document.html", "templates/document.html"),
                ("assets/kitei.css", "templates/assets/kitei.css"),
            ][rng.below(2)];
            let target = dir.join(name);
            if target.exists() && rng.below(2) == 0 {
                std::fs::remove_file(&target).unwrap();
                format!("remove template {name}")
            } else {
                let text = std::fs::read_to_string(common::root().join(default)).unwrap();
                let mark = if name.ends_with(".css") {
                    format!("/* edit {step} */\n")
                } else {
                    format!("{{# edit {step} #}}\n")
                };
                std::fs::write(&target, format!("{text}{mark}")).unwrap();
                format!("template {name}")
            }
        }
        // Another audience for the next builds.
        7 => {
            *audience = ["public", "employees", "restricted"][rng.below(3)];
            format!("audience {audience}")
        }
        // A runbook's visibility changed: its page and search text must follow.
        8 => {
            let path = src.join("runbooks/disaster.md");
            let to = ["public", "employees", "restricted"][rng.below(3)];
            edit_file(&path, |t| set_field(&t, "visibility", to));
            format!("visibility of disaster.md: {to}")
        }
        // An incident retitled (lists, dashboard, search).
        _ => {
            let dir = src.join("incidents/2026");
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect();
            files.sort();
            let path = &files[rng.below(files.len())];
            edit_file(path, |t| set_field(&t, "title", &format!("件名変更{step}")));
            format!("retitle incident {}", path.display())
        }
    }
}

fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut diff = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => diff.push(format!("only in the incremental site: {k}")),
            Some(w) if w != v => diff.push(format!("differs: {k}")),
            _ => {}
        }
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        diff.push(format!("only in the cold build: {k}"));
    }
    diff
}

#[test]
fn twenty_random_edits_build_the_same_bytes_as_cold_builds() {
    let seed = seed();
    let mut rng = Rng(seed | 1);
    let project = common::example();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("site");
    let mut audience: &'static str = "employees";
    let mut added = Vec::new();
    let mut done = Vec::new();
    common::ok(build(project.path(), &out, audience, true));
    for step in 1..=20 {
        done.push(random_edit(
            &mut rng,
            step,
            project.path(),
            &mut audience,
            &mut added,
            &out,
        ));
        let incremental = build(project.path(), &out, audience, true);
        let cold_out = work.path().join(format!("cold-{step}"));
        let cold = build(project.path(), &cold_out, audience, false);
        let context = || {
            format!(
                "seed {seed} (KITEI_TEST_SEED={seed} replays it), step {step}, edits so far:\n  {}",
                done.join("\n  ")
            )
        };
        assert_eq!(
            incremental.status.code(),
            cold.status.code(),
            "{}\nincremental:\n{}\ncold:\n{}",
            context(),
            common::text(&incremental),
            common::text(&cold)
        );
        assert_eq!(
            cold.status.code(),
            Some(0),
            "{}\n{}",
            context(),
            common::text(&cold)
        );
        let diff = differences(&common::tree(&out), &common::tree(&cold_out));
        assert!(diff.is_empty(), "{}\n{}", context(), diff.join("\n"));
        std::fs::remove_dir_all(&cold_out).unwrap();
    }
}

fn inodes(dir: &Path) -> BTreeMap<String, u64> {
    common::tree(dir)
        .into_keys()
        .map(|k| {
            let ino = std::fs::metadata(dir.join(&k)).unwrap().ino();
            (k, ino)
        })
        .collect()
}

#[test]
fn one_changed_document_renders_one_page_and_keeps_the_rest() {
    let project = common::example();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("site");
    common::ok(build(project.path(), &out, "employees", true));
    // The second build links the unchanged files into a new folder; the third stages into the
    // tree the second one swapped out and leaves them where they are.
    for (step, how) in [(1, "linked"), (2, "unchanged in place")] {
        let before = inodes(&out);
        let o = edit_and_build(project.path(), &out, step, &before);
        let files = o
            .lines()
            .find(|l| l.starts_with("timing: pages"))
            .and_then(|l| {
                l.split(&format!(" {how}"))
                    .next()?
                    .rsplit(' ')
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .unwrap_or_else(|| panic!("{o}"));
        assert!(
            files * 4 > before.len() * 3,
            "step {step}: {files} {how}\n{o}"
        );
    }
}

/// A heading added to one document changes what every document's links may point at: no page
/// is found by the digest of its inputs, each works its key out again, and the site is a cold
/// build's byte for byte.
#[test]
fn a_new_heading_makes_every_document_page_work_its_key_out_again() {
    let project = common::example();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("site");
    common::ok(build(project.path(), &out, "employees", true));
    edit_file(
        &project.path().join("policy-src/runbooks/malware.md"),
        |t| format!("{t}\n## 追加の節\n\n本手順は必要に応じて見直す。\n"),
    );
    let o = common::text(&common::ok(build(project.path(), &out, "employees", true)));
    let line = o
        .lines()
        .find(|l| l.starts_with("timing: pages"))
        .unwrap_or_else(|| panic!("{o}"));
    assert!(
        line.contains("(0 document pages by their inputs' digest)"),
        "{line}"
    );
    let cold = work.path().join("cold");
    common::ok(build(project.path(), &cold, "employees", false));
    let diff = differences(&common::tree(&out), &common::tree(&cold));
    assert!(diff.is_empty(), "{}", diff.join("\n"));
}

/// Appends a sentence to one runbook, builds, and checks that only its page and the search
/// files were written anew (every other file is the same inode as `before`); returns what the
/// build printed.
fn edit_and_build(
    project: &Path,
    out: &Path,
    step: usize,
    before: &BTreeMap<String, u64>,
) -> String {
    edit_file(&project.join("policy-src/runbooks/malware.md"), |t| {
        format!("{t}\n追記{step}。本手順は必要に応じて見直す。\n")
    });
    let o = common::ok(build(project, out, "employees", true));
    let after = inodes(out);
    let rewritten: Vec<&String> = after
        .iter()
        .filter(|(k, ino)| before.get(*k) != Some(ino))
        .map(|(k, _)| k)
        .collect();
    // The runbook's page and the search files holding its text changed; every other page is
    // the same file as before (hard-linked into the new site).
    assert!(
        rewritten.contains(&&"runbook-malware.html".to_string()),
        "{rewritten:?}"
    );
    let pages: Vec<_> = rewritten.iter().filter(|k| k.ends_with(".html")).collect();
    assert_eq!(
        pages,
        [&&"runbook-malware.html".to_string()],
        "only the edited page is rewritten"
    );
    assert!(
        rewritten.len() * 4 < after.len(),
        "most files are linked, not written: {rewritten:?}"
    );
    let text = common::text(&o);
    let line = text
        .lines()
        .find(|l| l.starts_with("timing: pages"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(&format!(
            "{} reused",
            before.keys().filter(|k| k.ends_with(".html")).count() - 1
        )),
        "{line}"
    );
    // Every other document's page was found by the digest of its inputs, without resolving
    // its links again.
    let documents = before
        .keys()
        .filter(|k| (k.starts_with("doc-") || k.starts_with("runbook-")) && k.ends_with(".html"))
        .count();
    assert!(
        line.contains(&format!(
            "({} document pages by their inputs' digest)",
            documents - 1
        )),
        "{line}"
    );
    text
}

#[test]
fn a_switch_of_audience_keeps_no_page_or_search_text_of_the_other() {
    let project = common::example();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("site");
    let cold = work.path().join("cold");
    common::ok(build(project.path(), &cold, "public", false));
    // A build stages into the tree the build before swapped out, which is the site of the build
    // before that: the second public build stages into the restricted site of the fourth build.
    let mut restricted = BTreeMap::new();
    for audience in [
        "restricted",
        "public",
        "employees",
        "restricted",
        "employees",
        "public",
    ] {
        common::ok(build(project.path(), &out, audience, true));
        let site = common::tree(&out);
        if audience == "restricted" {
            restricted = site;
        } else if audience == "public" {
            assert!(differences(&site, &common::tree(&cold)).is_empty());
            assert!(site.len() < restricted.len(), "restricted pages are gone");
            no_restricted_text(&restricted, &site);
        }
    }
}

fn no_restricted_text(restricted: &BTreeMap<String, Vec<u8>>, public: &BTreeMap<String, Vec<u8>>) {
    // A restricted incident's title is in no file of the public site.
    let title = "委託先のVPNアカウントへの総当たりログイン試行";
    assert!(
        restricted
            .values()
            .any(|b| String::from_utf8_lossy(b).contains(title))
    );
    for (k, v) in public {
        assert!(
            !String::from_utf8_lossy(v).contains(title),
            "{k} keeps restricted text"
        );
    }
}

/// Replaces `from` (which must occur) in the file at `path`.
fn replace_in(path: &Path, from: &str, to: &str) {
    edit_file(path, |t| {
        assert!(t.contains(from), "{}: no `{from}`", path.display());
        t.replacen(from, to, 1)
    });
}

/// Edits aimed at what a page's key is made of besides its own source: where a document's links
/// go (a linked runbook hidden from the audience), the findings the dashboard shows, the
/// organisation in every page's frame, the search spelling table, a role's name in a runbook's
/// contact block. Each is compared byte for byte with a cold build.
#[test]
fn edits_of_a_pages_other_inputs_build_the_same_bytes_as_cold_builds() {
    let project = common::example();
    let p = project.path();
    let src = p.join("policy-src");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("site");
    type Edit = (&'static str, &'static str, Box<dyn Fn()>);
    let edits: Vec<Edit> = vec![
        (
            "the regulation's link to a runbook the audience no longer sees",
            "employees",
            {
                let f = src.join("runbooks/disaster.md");
                Box::new(move || replace_in(&f, "visibility: public", "visibility: restricted"))
            },
        ),
        ("... and sees again", "employees", {
            let f = src.join("runbooks/disaster.md");
            Box::new(move || replace_in(&f, "visibility: restricted", "visibility: public"))
        }),
        (
            "a finding appears (a new joiner has not acknowledged)",
            "restricted",
            {
                let f = src.join("roster.yaml");
                Box::new(move || {
                    replace_in(
                        &f,
                        "department: カスタマーサポート部, joined: 2008-04-01",
                        "department: カスタマーサポート部, joined: 2026-10-28",
                    )
                })
            },
        ),
        ("the organisation renamed in kitei.toml", "employees", {
            let f = p.join("kitei.toml");
            Box::new(move || replace_in(&f, "株式会社みなと商会", "みなと商会株式会社"))
        }),
        (
            "a search spelling variant added in kitei.toml",
            "employees",
            {
                let f = p.join("kitei.toml");
                Box::new(move || {
                    edit_file(&f, |t| {
                        format!("{t}\n[search]\nvariants = [[\"非常時\", \"緊急時\"]]\n")
                    })
                })
            },
        ),
        (
            "a role renamed (runbook contact blocks, owners)",
            "employees",
            {
                let f = src.join("roles.yaml");
                Box::new(move || {
                    replace_in(
                        &f,
                        "name: 情報セキュリティ責任者",
                        "name: 最高情報セキュリティ責任者",
                    )
                })
            },
        ),
        (
            "a phone number changed (runbook contact blocks: a file that is not a document)",
            "employees",
            {
                let f = src.join("contacts.yaml");
                Box::new(move || replace_in(&f, "090-0000-0002", "090-0000-0992"))
            },
        ),
        (
            "the receipt mailbox changed in kitei.toml (the regulation's receipt button)",
            "employees",
            {
                let f = p.join("kitei.toml");
                Box::new(move || replace_in(&f, "kitei-ack@example.jp", "ack-desk@example.jp"))
            },
        ),
    ];
    common::ok(build(p, &out, "employees", true));
    for (step, (what, audience, edit)) in edits.iter().enumerate() {
        edit();
        let incremental = build(p, &out, audience, true);
        let cold_out = work.path().join(format!("cold-{step}"));
        let cold = build(p, &cold_out, audience, false);
        assert_eq!(
            (incremental.status.code(), cold.status.code()),
            (Some(0), Some(0)),
            "{what}\nincremental:\n{}\ncold:\n{}",
            common::text(&incremental),
            common::text(&cold)
        );
        let diff = differences(&common::tree(&out), &common::tree(&cold_out));
        assert!(diff.is_empty(), "after: {what}\n{}", diff.join("\n"));
        std::fs::remove_dir_all(&cold_out).unwrap();
    }
}

/// The pages of findings (a generated corpus has a few hundred findings: four pages) are keyed
/// by the findings they list and by what the records they are about are called, not by the
/// page made of them. A document that findings on a later page are about is retitled, then
/// hidden from the audience: each incremental build has, byte for byte, a cold build's site,
/// and the page shows the new title.
#[test]
fn findings_pages_follow_the_records_their_findings_are_about() {
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus");
    let generated = Command::new(env!("CARGO_BIN_EXE_kitei-gen"))
        .args(["--out", corpus.to_str().unwrap(), "--docs", "260"])
        .args(["--incidents", "250", "--evidence-files", "5"])
        .args(["--evidence-size", "1K", "--layouts", "kitei"])
        .output()
        .unwrap();
    assert!(generated.status.success(), "{}", common::text(&generated));
    let p = corpus.join("kitei");
    let out = work.path().join("site");
    common::ok(build(&p, &out, "employees", true));
    let page = "findings-3.html";
    let listed = std::fs::read_to_string(out.join(page)).unwrap();
    // The first of the generated guidelines that a finding on that page is about.
    let main = &listed[listed.find("<main").unwrap()..listed.find("</main>").unwrap()];
    let id = main
        .split("href=\"doc-gl-")
        .nth(1)
        .and_then(|rest| rest.split(".html\"").next())
        .map(|n| format!("gl-{n}"))
        .unwrap_or_else(|| panic!("{page} names no guideline"));
    let source = p.join("policy-src/regulation").join(format!("{id}.md"));
    type Edit = (&'static str, fn(&str) -> String);
    let edits: [Edit; 2] = [
        ("retitled", |t| set_field(t, "title", "改題された記録細則")),
        ("hidden from employees", |t| {
            t.replacen(
                "kind: guideline\n",
                "kind: guideline\nvisibility: restricted\n",
                1,
            )
        }),
    ];
    for (step, (what, edit)) in edits.iter().enumerate() {
        edit_file(&source, |t| edit(&t));
        common::ok(build(&p, &out, "employees", true));
        let cold_out = work.path().join(format!("cold-{step}"));
        common::ok(build(&p, &cold_out, "employees", false));
        let diff = differences(&common::tree(&out), &common::tree(&cold_out));
        assert!(diff.is_empty(), "{id} {what}:\n{}", diff.join("\n"));
        let listed = std::fs::read_to_string(out.join(page)).unwrap();
        assert_eq!(
            listed.contains("改題された記録細則"),
            step == 0,
            "{page} after {id} {what}"
        );
        std::fs::remove_dir_all(&cold_out).unwrap();
    }
}
