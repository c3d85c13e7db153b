//! Versions: releases from git tags, archived copies under `site/v/<version>/`, the
//! 新旧対照表, revision histories, change notices, the Atom feed, `kitei diff`, sealing a
//! release, and builds without the tags (shallow clone, no git at all).
//!
//! Each test builds a temporary git repository from `tests/fixtures/base` with three tagged
//! releases of the regulation (fixed author and committer dates):
//!
//! | tag | what changed in `regulation/reg.md` |
//! |---|---|
//! | `policy-v2025.1` | the base fixture |
//! | `policy-v2025.2` | 第2条 reworded; 第6条（教育） added, so 第6条–第14条 become 第7条–第15条 |
//! | `policy-v2026.1` | 第6条（教育） deleted (the others renumbered back); 第8条 reworded |

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

const REG: &str = "policy-src/regulation/reg.md";

fn edit(dir: &Path, f: impl Fn(String) -> String) {
    let path = dir.join(REG);
    let before = std::fs::read_to_string(&path).unwrap();
    let after = f(before.clone());
    assert_ne!(before, after, "the edit changed nothing");
    std::fs::write(&path, after).unwrap();
}

/// Sets the front matter's version and dates and adds a `changes` entry.
fn front(s: String, version: &str, approved: &str, effective: &str, summary: &str) -> String {
    let (fm, body) = s[4..].split_once("\n---\n").unwrap();
    let mut lines: Vec<String> = Vec::new();
    for line in fm.lines() {
        let line = if line.starts_with("version:") {
            format!("version: \"{version}\"")
        } else if line.starts_with("approved_on:") {
            format!("approved_on: {approved}")
        } else if line.starts_with("effective_on:") {
            format!("effective_on: {effective}")
        } else {
            line.to_string()
        };
        lines.push(line);
    }
    if !lines.iter().any(|l| l == "changes:") {
        lines.push("changes:".into());
    }
    let at = lines
        .iter()
        .rposition(|l| l == "changes:" || l.starts_with("  - {"))
        .unwrap();
    lines.insert(
        at + 1,
        format!("  - {{ version: \"{version}\", approved_on: {approved}, effective_on: {effective}, summary: {summary} }}"),
    );
    format!("---\n{}\n---\n{body}", lines.join("\n"))
}

/// Renumbers `第N条` headings from `from` on by `delta`.
fn renumber(s: &str, from: u32, delta: i32) -> String {
    let mut out = String::new();
    for line in s.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("## 第")
            && let Some((n, tail)) = rest.split_once('条')
            && let Ok(n) = n.parse::<u32>()
            && n >= from
        {
            out.push_str(&format!("## 第{}条{tail}", (n as i32 + delta) as u32));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The base fixture (a Japanese site) in a git repository with three releases. Returns the
/// folder.
fn repo() -> tempfile::TempDir {
    repo_in("ja")
}

/// [`repo`] with the site language `lang` from the first commit on.
fn repo_in(lang: &str) -> tempfile::TempDir {
    let dir = common::base_fixture();
    let p = dir.path();
    let toml = p.join("kitei.toml");
    std::fs::write(&toml, format!("lang = \"{lang}\"\n{}", read(&toml))).unwrap();
    std::fs::write(p.join(".gitignore"), "/site/\n/evidence/\n/.kitei-cache/\n").unwrap();
    common::git_at(
        p,
        &["init", "-q", "-b", "main"],
        "2025-05-01T10:00:00+09:00",
    );
    common::git_at(p, &["add", "-A"], "2025-05-01T10:00:00+09:00");
    let d1 = "2025-06-01T10:00:00+09:00";
    common::git_at(p, &["commit", "-q", "-m", "規程を制定"], d1);
    common::git_at(
        p,
        &[
            "tag",
            "-a",
            "policy-v2025.1",
            "-m",
            "インシデント対応規程を制定",
        ],
        d1,
    );

    edit(p, |s| {
        let s = front(
            s,
            "2025.2",
            "2025-09-15",
            "2025-10-01",
            "派遣社員を対象に加え、教育の条を新設",
        );
        let s = s.replace("全従業員。", "全従業員及び派遣社員。");
        let s = renumber(&s, 6, 1);
        s.replace(
            "## 第7条（事象の検知・報告・分析）",
            "## 第6条（教育） {#training}\n年1回、全従業員に教育を行う。\n## 第7条（事象の検知・報告・分析）",
        )
    });
    let d2 = "2025-09-15T10:00:00+09:00";
    common::git_at(p, &["commit", "-q", "-am", "派遣社員と教育"], d2);
    common::git_at(
        p,
        &[
            "tag",
            "-a",
            "policy-v2025.2",
            "-m",
            "派遣社員を対象に追加\n\n教育の条を新設しました。",
        ],
        d2,
    );

    edit(p, |s| {
        let s = front(
            s,
            "2026.1",
            "2026-03-10",
            "2026-04-01",
            "教育の条を削除し、報告を速やかに",
        );
        let s = s.replace(
            "## 第6条（教育） {#training}\n年1回、全従業員に教育を行う。\n",
            "",
        );
        let s = renumber(&s, 7, -1);
        s.replace(
            "[個人情報保護委員会](contact:ppc)へ報告する。",
            "[個人情報保護委員会](contact:ppc)へ速やかに報告する。",
        )
    });
    let d3 = "2026-03-10T10:00:00+09:00";
    common::git_at(p, &["commit", "-q", "-am", "報告を速やかに"], d3);
    common::git_at(
        p,
        &["tag", "-a", "policy-v2026.1", "-m", "報告の時期を明確化"],
        d3,
    );
    dir
}

fn kitei(project: &Path, args: &[&str]) -> Output {
    common::kitei(project)
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1775000000")
        .output()
        .expect("kitei runs")
}

fn build(project: &Path, out: &Path) -> Output {
    let o = kitei(
        project,
        &["build", "--no-seal", "--out", out.to_str().unwrap()],
    );
    assert!(
        o.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The rows of a 新旧対照表: `(class, new cell, old cell, note)` as HTML.
fn table_rows(html: &str) -> Vec<(String, String, String, String)> {
    let start = html
        .find("<table class=\"shinkyu\">")
        .expect("a comparison table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let cell = |tr: &str, n: usize| -> String {
        let mut rest = tr;
        for _ in 0..n {
            rest = &rest[rest.find("</td>").unwrap() + 5..];
        }
        let open = rest.find("<td").unwrap();
        let body = &rest[open..];
        let gt = body.find('>').unwrap();
        body[gt + 1..body.find("</td>").unwrap()].to_string()
    };
    table
        .split("<tr class=\"")
        .skip(1)
        .map(|tr| {
            let class = tr[..tr.find('"').unwrap()].to_string();
            (class, cell(tr, 0), cell(tr, 1), cell(tr, 2))
        })
        .collect()
}

/// A cell's text without the underline marks.
fn plain(cell: &str) -> String {
    cell.replace("<u>", "").replace("</u>", "")
}

fn underlined(cell: &str) -> Vec<String> {
    cell.split("<u>")
        .skip(1)
        .map(|s| s[..s.find("</u>").unwrap()].to_string())
        .collect()
}

#[test]
fn releases_become_archived_versions_with_switcher_and_banners() {
    let repo = repo();
    let p = repo.path();
    let status_before = common::git_at(p, &["status", "--porcelain"], "2026-03-10T10:00:00+09:00");
    let head_before = common::git_at(p, &["rev-parse", "HEAD"], "2026-03-10T10:00:00+09:00");
    let out_dir = tempfile::tempdir().unwrap();
    let site = out_dir.path().join("site");
    let o = build(p, &site);
    assert!(
        stderr(&o).contains("3 archived version(s) under v/ (3 rendered, 0 from the cache)"),
        "{}",
        stderr(&o)
    );
    // The working tree and HEAD are untouched (files came from the object database).
    assert_eq!(
        common::git_at(p, &["status", "--porcelain"], "2026-03-10T10:00:00+09:00"),
        status_before
    );
    assert_eq!(
        common::git_at(p, &["rev-parse", "HEAD"], "2026-03-10T10:00:00+09:00"),
        head_before
    );

    // versions.json
    let v: serde_json::Value = serde_json::from_str(&read(&site.join("versions.json"))).unwrap();
    assert_eq!(v["schema"], "kitei-versions/1");
    let releases = v["releases"].as_array().unwrap();
    let names: Vec<&str> = releases
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2025.1", "2025.2", "2026.1"]);
    assert_eq!(releases[0]["tag"], "policy-v2025.1");
    assert_eq!(releases[0]["path"], "v/2025.1/");
    assert_eq!(releases[0]["superseded_on"], "2025-10-01");
    assert_eq!(releases[0]["superseded_by"], "2025.2");
    assert_eq!(releases[1]["superseded_on"], "2026-04-01");
    assert!(releases[2]["superseded_on"].is_null());
    assert_eq!(releases[0]["documents"][0]["status"], "added");
    assert_eq!(
        releases[1]["documents"][0]["compare"],
        "compare-reg-2025.1-2025.2.html"
    );
    assert_eq!(releases[2]["effective_on"], "2026-04-01");
    assert_eq!(v["current"]["draft"], false);
    assert_eq!(v["current"]["based_on"], "2026.1");

    // Archived pages hold the text as released, with a banner that links to the current text.
    let old = read(&site.join("v/2025.1/doc-reg.html"));
    assert!(old.contains("全従業員。"), "the 2025.1 text");
    assert!(!old.contains("派遣社員"));
    assert!(old.contains("class=\"banner banner-superseded\""));
    assert!(
        old.contains("2025-10-01 に 2025.2 へ改正され"),
        "superseded on …"
    );
    assert!(old.contains("<a href=\"../../doc-reg.html\">現行の本文を読む</a>"));
    let mid = read(&site.join("v/2025.2/doc-reg.html"));
    assert!(mid.contains("第6条（教育）") && mid.contains("派遣社員"));
    let last = read(&site.join("v/2026.1/doc-reg.html"));
    assert!(
        last.contains("class=\"banner banner-archived\""),
        "the release in force is an archived copy, not superseded"
    );
    assert!(!last.contains("banner-superseded"));
    // Every archived version is a whole site (its own assets, pages, search index).
    for ver in ["2025.1", "2025.2", "2026.1"] {
        for page in [
            "index.html",
            "contacts.html",
            "assets/kitei.css",
            "assets/search/pages.js",
        ] {
            assert!(
                site.join("v").join(ver).join(page).is_file(),
                "v/{ver}/{page}"
            );
        }
    }

    // A version switcher on every page, current and archived, linking the same page.
    for page in [
        "index.html",
        "contacts.html",
        "doc-reg.html",
        "versions.html",
        "v/2025.2/roles.html",
    ] {
        let html = read(&site.join(page));
        assert!(
            html.contains("<details class=\"version-switcher\">"),
            "{page}"
        );
    }
    let current = read(&site.join("doc-reg.html"));
    assert!(current.contains("href=\"v/2025.1/doc-reg.html\""));
    assert!(current.contains("現行（2026.1）"));
    assert!(
        !current.contains("banner-draft"),
        "the working tree equals the last release"
    );
    assert!(old.contains("href=\"../../v/2025.2/doc-reg.html\""));
    assert!(
        old.contains(
            "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"../../feed.xml\""
        )
    );

    // Revision history of the document: every release, approver, links to the tables.
    let history = &current[current
        .find("id=\"revisions\"")
        .expect("a revision history")..];
    let history = &history[..history.find("</section>").unwrap()];
    for needle in [
        ">1.0（2025.1）</td>",
        ">2025.2</td>",
        ">2026.1</td>",
        "2025-09-15",
        "2026-04-01",
        "派遣社員を対象に加え、教育の条を新設",
        "href=\"compare-reg-2025.1-2025.2.html\"",
        "href=\"compare-reg-2025.2-2026.1.html\"",
        "href=\"changes-2026.1.html\"",
    ] {
        assert!(history.contains(needle), "{needle} in\n{history}");
    }
    assert!(
        history.contains("roles.html#role-committee"),
        "the approver, linked"
    );
    let archived_history = &old[old.find("id=\"revisions\"").unwrap()..];
    assert!(
        !archived_history.contains("2026.1"),
        "an archived version shows the history up to itself"
    );

    // A second build renders nothing again and writes the same bytes.
    let second = tempfile::tempdir().unwrap();
    let o = build(p, &second.path().join("site"));
    assert!(
        stderr(&o).contains("(0 rendered, 3 from the cache)"),
        "{}",
        stderr(&o)
    );
    assert!(
        common::tree(&site) == common::tree(&second.path().join("site")),
        "cached output differs"
    );
    assert!(p.join(".kitei-cache/archive/employees/2025.1").is_dir());
    assert_eq!(
        common::git_at(p, &["status", "--porcelain"], "2026-03-10T10:00:00+09:00"),
        status_before
    );
}

#[test]
fn comparison_tables_align_clauses_and_mark_characters() {
    let repo = repo();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(repo.path(), &site);

    let html = read(&site.join("compare-reg-2025.1-2025.2.html"));
    assert!(html.contains("<h1>インシデント対応規程 新旧対照表</h1>"));
    assert!(html.contains("（傍線部分は改正部分）"));
    assert!(html.contains("@page { size: A4 landscape"));
    assert!(html.contains("<th scope=\"col\">改正後</th><th scope=\"col\">改正前</th>"));
    let rows = table_rows(&html);
    // 第1条 is unchanged: elided.
    assert_eq!(rows[0].0, "row-elided");
    assert!(rows[0].1.contains("第1条（趣旨）") && rows[0].1.contains("（略）"));
    // 第2条: reworded, the added words underlined on the new side only.
    let r2 = rows
        .iter()
        .find(|r| r.1.contains("第2条（対象者）"))
        .unwrap();
    assert_eq!(r2.0, "row-changed");
    assert_eq!(underlined(&r2.1), ["及び派遣社員"]);
    assert!(underlined(&r2.2).is_empty());
    assert!(r2.2.contains("全従業員。"));
    assert_eq!(r2.3, "変更");
    // 第6条（教育）: new, against an empty cell.
    let added = rows
        .iter()
        .find(|r| plain(&r.1).contains("第6条（教育）"))
        .unwrap();
    assert_eq!(added.0, "row-added");
    assert_eq!(added.2, "", "the old side is empty");
    assert_eq!(
        underlined(&added.1),
        ["第6条（教育）", "年1回、全従業員に教育を行う。"]
    );
    assert_eq!(added.3, "新設");
    // 第6条（事象の検知…） became 第7条: aligned by its anchor (a move), only the number marked.
    let moved = rows
        .iter()
        .find(|r| plain(&r.1).contains("第7条（事象の検知・報告・分析）"))
        .unwrap();
    assert_eq!(moved.0, "row-changed");
    assert!(
        plain(&moved.2).contains("第6条（事象の検知・報告・分析）"),
        "paired with the old 第6条: {moved:?}"
    );
    assert_eq!(underlined(&moved.1), ["7"]);
    assert_eq!(underlined(&moved.2), ["6"]);
    assert_eq!(moved.3, "条番号変更");
    assert!(
        !rows.iter().any(|r| r.0 == "row-deleted"),
        "renumbering deletes nothing"
    );
    // Clauses 7–14 were renumbered too; 15 rows in all: 1 elided, 第2条, 2 elided (第3–第5条), …
    assert_eq!(rows.iter().filter(|r| r.3 == "条番号変更").count(), 9);

    let html = read(&site.join("compare-reg-2025.2-2026.1.html"));
    let rows = table_rows(&html);
    let deleted = rows
        .iter()
        .find(|r| plain(&r.2).contains("第6条（教育）"))
        .unwrap();
    assert_eq!(deleted.0, "row-deleted");
    assert_eq!(deleted.1, "", "the new side is empty");
    assert_eq!(deleted.3, "削除");
    let r8 = rows
        .iter()
        .find(|r| plain(&r.1).contains("第8条（報告・公表）"))
        .unwrap();
    assert!(
        plain(&r8.2).contains("第9条（報告・公表）"),
        "aligned with the old 第9条"
    );
    assert_eq!(underlined(&r8.1), ["8", "速やかに"]);
    assert_eq!(underlined(&r8.2), ["9"]);
    assert_eq!(r8.3, "変更、条番号変更");

    // The change notice of a release links its tables and says when it takes effect.
    let notice = read(&site.join("changes-2025.2.html"));
    assert!(notice.contains("派遣社員を対象に追加"), "the tag message");
    assert!(notice.contains("教育の条を新設しました。"));
    assert!(notice.contains("href=\"compare-reg-2025.1-2025.2.html\""));
    assert!(notice.contains("<dt>施行日</dt><dd>2025-10-01</dd>"));
    assert!(notice.contains("href=\"v/2025.2/doc-reg.html\""));
    let versions = read(&site.join("versions.html"));
    for v in [
        "changes-2025.1.html",
        "changes-2025.2.html",
        "changes-2026.1.html",
        "v/2025.1/index.html",
    ] {
        assert!(versions.contains(v), "{v}");
    }
}

#[test]
fn atom_feed_parses_and_keeps_its_ids() {
    let repo = repo();
    let out = tempfile::tempdir().unwrap();
    build(repo.path(), &out.path().join("a"));
    let xml = std::fs::read(out.path().join("a/feed.xml")).unwrap();
    let feed = feed_rs::parser::parse(xml.as_slice()).expect("a valid feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert!(feed.id.starts_with("urn:uuid:"), "{}", feed.id);
    assert_eq!(
        feed.title.as_ref().unwrap().content,
        "テスト株式会社 規程の改正のお知らせ"
    );
    assert!(!feed.authors.is_empty(), "a feed author (RFC 4287 4.1.1)");
    assert_eq!(
        feed.updated.unwrap().to_rfc3339(),
        "2026-03-10T01:00:00+00:00"
    );
    assert_eq!(feed.entries.len(), 3);
    let titles: Vec<&str> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "インシデント対応規程 2026.1 改正のお知らせ",
            "インシデント対応規程 2025.2 改正のお知らせ",
            "インシデント対応規程 2025.1 改正のお知らせ",
        ]
    );
    let e = &feed.entries[1];
    assert!(e.id.starts_with("urn:uuid:"));
    assert_eq!(e.links[0].href, "changes-2025.2.html");
    assert_eq!(e.updated.unwrap().to_rfc3339(), "2025-09-15T01:00:00+00:00");
    assert_eq!(e.summary.as_ref().unwrap().content, "派遣社員を対象に追加");
    let body = e.content.as_ref().unwrap().body.as_deref().unwrap();
    assert!(body.contains("compare-reg-2025.1-2025.2.html"), "{body}");
    // Entry ids depend on the release, not on the build: a later build (with one more
    // release) keeps them.
    let ids: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), 3);
    let p = repo.path();
    edit(p, |s| {
        s.replace("懲戒とする。", "就業規則に基づき懲戒とする。")
    });
    let d4 = "2026-09-01T10:00:00+09:00";
    common::git_at(p, &["commit", "-q", "-am", "罰則"], d4);
    common::git_at(p, &["tag", "-a", "policy-v2026.2", "-m", "罰則の根拠"], d4);
    build(p, &out.path().join("b"));
    let again = feed_rs::parser::parse(
        std::fs::read(out.path().join("b/feed.xml"))
            .unwrap()
            .as_slice(),
    )
    .unwrap();
    assert_eq!(again.entries.len(), 4);
    assert_eq!(again.id, feed.id);
    let again_ids: Vec<String> = again.entries[1..].iter().map(|e| e.id.clone()).collect();
    assert_eq!(again_ids, ids);
}

#[test]
fn draft_changes_in_the_working_tree() {
    let repo = repo();
    let p = repo.path();
    edit(p, |s| {
        s.replace(
            "再発防止計画を作る。",
            "再発防止計画を作り、委員会に報告する。",
        )
    });
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(p, &site);
    let html = read(&site.join("compare-reg-2026.1-draft.html"));
    assert!(html.contains("<h1>インシデント対応規程 新旧対照表（案）</h1>"));
    assert!(html.contains("<th scope=\"col\">改正案</th><th scope=\"col\">現行</th>"));
    let rows = table_rows(&html);
    let changed: Vec<_> = rows.iter().filter(|r| r.0 != "row-elided").collect();
    assert_eq!(changed.len(), 1, "{rows:?}");
    assert_eq!(underlined(&changed[0].1), ["り、委員会に報告す"]);
    assert!(
        underlined(&changed[0].2).is_empty(),
        "an insertion marks nothing on the old side"
    );
    let index = read(&site.join("index.html"));
    assert!(index.contains("class=\"banner banner-draft\""));
    assert!(index.contains("施行中の版は 2026.1 です"));
    assert!(index.contains("href=\"v/2026.1/index.html\""));
    let v: serde_json::Value = serde_json::from_str(&read(&site.join("versions.json"))).unwrap();
    assert_eq!(v["current"]["draft"], true);
    assert_eq!(
        v["current"]["changes"][0]["compare"],
        "compare-reg-2026.1-draft.html"
    );
    let doc = read(&site.join("doc-reg.html"));
    assert!(
        doc.contains("href=\"compare-reg-2026.1-draft.html\""),
        "the draft row of the history"
    );

    // kitei diff: releases by tag or version name, and the working tree.
    let o = kitei(p, &["diff", "policy-v2025.1", "2025.2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("インシデント対応規程 新旧対照表 (reg): 2025.1 → 2025.2"),
        "{text}"
    );
    assert!(text.contains("全従業員[+及び派遣社員+]。"), "{text}");
    assert!(
        text.contains("第[+7+]条（事象の検知・報告・分析）"),
        "{text}"
    );
    assert!(
        text.contains("第[-6-]条（事象の検知・報告・分析）"),
        "{text}"
    );
    assert!(
        text.contains("[新設]") && text.contains("第1条（趣旨） （略）"),
        "{text}"
    );
    let o = kitei(p, &["diff", "2026.1"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("2026.1 → WORKTREE"), "{text}");
    assert!(text.contains("委員会に報告す"), "{text}");
    let o = kitei(p, &["diff", "2025.2", "2026.1", "--format", "html"]);
    let html = String::from_utf8_lossy(&o.stdout);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<table class=\"shinkyu\">"));
    assert!(html.contains("<u>速やかに</u>"));
    assert!(html.contains("size: A4 landscape"));
    let o = kitei(p, &["diff", "policy-v9", "2026.1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no version `policy-v9`")
            && stderr(&o).contains("2025.1 (policy-v2025.1)")
    );
}

#[test]
fn a_shallow_clone_builds_with_a_warning() {
    let repo = repo();
    let clones = tempfile::tempdir().unwrap();
    let clone = clones.path().join("clone");
    let url = format!("file://{}", repo.path().display());
    common::git_at(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
        "2026-03-10T10:00:00+09:00",
    );
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let o = build(&clone, &site);
    let err = stderr(&o);
    assert!(
        err.contains("warning: releases: this is a shallow clone"),
        "{err}"
    );
    assert!(err.contains("git fetch --tags --unshallow"), "{err}");
    assert!(err.contains("fetch-depth: 0"), "{err}");
    assert!(site.join("index.html").is_file());
    assert!(!site.join("v/2025.1").exists());
    let v: serde_json::Value = serde_json::from_str(&read(&site.join("versions.json"))).unwrap();
    assert!(
        v["releases_missing"]
            .as_str()
            .unwrap()
            .contains("shallow clone")
    );
}

#[test]
fn release_tags_that_cannot_be_releases_are_skipped_with_a_warning() {
    let repo = repo();
    let p = repo.path();
    let date = "2026-03-11T10:00:00+09:00";
    // Markup in the name (the `/` of `</b>` hid it from git's own pattern), and a tag of a tree.
    common::git_at(p, &["tag", "policy-v<b>2026.2</b>"], date);
    common::git_at(p, &["tag", "policy-v<i>9"], date);
    common::git_at(p, &["tag", "policy-vtree", "HEAD^{tree}"], date);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let err = stderr(&build(p, &site));
    for (tag, why) in [
        ("policy-v<b>2026.2</b>", "markup or a path separator"),
        ("policy-v<i>9", "markup or a path separator"),
        ("policy-vtree", "it tags a tree, not a commit"),
    ] {
        let line = err.lines().find(|l| {
            l.contains(&format!(
                "release tag `{tag}` matches `policy-v*` but is skipped"
            ))
        });
        assert!(
            line.is_some_and(|l| l.starts_with("warning:") && l.contains(why)),
            "{tag}: {err}"
        );
    }
    // The good releases are still there, the skipped ones are not.
    let v: serde_json::Value = serde_json::from_str(&read(&site.join("versions.json"))).unwrap();
    let text = v.to_string();
    assert!(text.contains("2026.1"), "{text}");
    assert!(!text.contains("<b>") && !text.contains("-i-9"), "{text}");
}

#[test]
fn outside_git_builds_the_current_version_with_a_warning() {
    let dir = common::base_fixture();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let o = build(dir.path(), &site);
    let err = stderr(&o);
    assert!(
        err.contains("warning: releases: the project is not in a git repository"),
        "{err}"
    );
    assert!(err.contains("git fetch --tags --unshallow"), "{err}");
    assert!(site.join("doc-reg.html").is_file());
    assert!(!site.join("v").exists() && !site.join("feed.xml").exists());
    assert!(!read(&site.join("index.html")).contains("version-switcher"));
}

#[test]
fn sealing_a_release_holds_its_files_tables_and_notice() {
    let repo = repo();
    let p = repo.path();
    // With PDFs: a release bundle holds its documents' PDFs, not the runbooks'.
    let o = common::kitei_with_pdfs(p)
        .args(["seal", "--release", "2025.2"])
        .env("SOURCE_DATE_EPOCH", "1775000000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let zip_path = p.join("evidence/kitei-evidence-000001.zip");
    let mut zip = zip_read(&zip_path);
    let names: Vec<String> = zip.keys().cloned().collect();
    let b = "kitei-evidence-000001/";
    for name in [
        "data/site/compare-reg-2025.1-2025.2.html",
        "data/site/changes-2025.2.html",
        "data/site/doc-reg.html",
        "data/source/regulation/reg.md",
    ] {
        assert!(names.contains(&format!("{b}{name}")), "{name} in {names:?}");
    }
    if cfg!(feature = "pdf") {
        let pdf = format!("{b}data/site/pdf/doc-reg.pdf");
        assert!(names.contains(&pdf), "{pdf} in {names:?}");
    }
    assert!(
        !names
            .iter()
            .any(|n| n.contains("incidents/") || n.contains("runbook-")),
        "{names:?}"
    );
    let tagged = common::git_at(
        p,
        &["show", &format!("policy-v2025.2:{REG}")],
        "2026-03-10T10:00:00+09:00",
    );
    let sealed = String::from_utf8(
        zip.remove(&format!("{b}data/source/regulation/reg.md"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sealed, tagged, "the release's file, not the working tree's");
    let info = String::from_utf8(zip.remove(&format!("{b}bag-info.txt")).unwrap()).unwrap();
    assert!(info.contains("Kitei-Release: policy-v2025.2"), "{info}");
    assert!(info.contains("Kitei-Scope: release 2025.2"), "{info}");
    assert!(info.contains("Kitei-Policy-Version: 2025.2"), "{info}");
    let o = kitei(p, &["verify", zip_path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));

    // The default bundle carries every table and notice.
    let o = kitei(p, &["seal"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zip = zip_read(&p.join("evidence/kitei-evidence-000002.zip"));
    for name in [
        "compare-reg-2025.2-2026.1.html",
        "changes-2026.1.html",
        "changes-2025.1.html",
    ] {
        assert!(
            zip.contains_key(&format!("kitei-evidence-000002/data/site/{name}")),
            "{name}"
        );
    }
    let o = kitei(p, &["seal", "--release", "9.9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no release `9.9`"), "{}", stderr(&o));
}

fn zip_read(path: &Path) -> BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .filter(|(name, _)| !name.ends_with('/'))
        .collect()
}

/// Every page (current, archived, tables, notices) is valid HTML5 and every relative link
/// inside the site resolves.
#[test]
fn history_pages_are_valid_and_links_resolve() {
    let repo = repo();
    let p = repo.path();
    edit(p, |s| {
        s.replace(
            "再発防止計画を作る。",
            "再発防止計画を作り、委員会に報告する。",
        )
    });
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(p, &site);
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(&site)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    let mut broken = Vec::new();
    for page in &pages {
        let html = read(page);
        for (i, _) in html.match_indices(" href=\"") {
            let rest = &html[i + 7..];
            let href = &rest[..rest.find('"').unwrap()];
            if href.contains(':') || href.starts_with('#') {
                continue;
            }
            let target = href.split('#').next().unwrap();
            let resolved = page.parent().unwrap().join(target);
            if !resolved.exists() {
                broken.push(format!(
                    "{} -> {href}",
                    page.strip_prefix(&site).unwrap().display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));

    common::assert_valid_html(&site, "the site with archived versions");
}

/// Release pages (versions, change notices, 新旧対照表, archived pages) speak the site's
/// language like every other page (tests/site_language.rs scans the rest): no English word
/// kitei wrote on the Japanese site; on the English site no Japanese that is not in the
/// releases' files or tag messages.
#[test]
fn release_pages_speak_the_sites_language() {
    use common::language::{
        english_words, html_pages, japanese_not_in, visible_text, without_whitespace,
    };
    let dir = repo();
    let out = dir.path().join("site");
    build(dir.path(), &out);
    let pages = html_pages(&out);
    assert!(pages.keys().any(|p| p.contains("compare-")) && pages.contains_key("versions.html"));
    let leaks: Vec<(String, String)> = pages
        .iter()
        .flat_map(|(name, html)| {
            english_words(&visible_text(html, Some("en")))
                .into_iter()
                .map(move |w| (name.clone(), w))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "English words on Japanese release pages: {leaks:?}"
    );

    let dir = repo_in("en");
    let out = dir.path().join("site");
    build(dir.path(), &out);
    let mut sources = read(&dir.path().join("kitei.toml"));
    sources += &common::git_at(dir.path(), &["tag", "-n99"], "2026-03-10T10:00:00+09:00");
    let date = "2026-03-10T10:00:00+09:00";
    for tag in ["policy-v2025.1", "policy-v2025.2", "policy-v2026.1"] {
        for file in common::git_at(dir.path(), &["ls-tree", "-r", "--name-only", tag], date).lines()
        {
            sources += &common::git_at(dir.path(), &["show", &format!("{tag}:{file}")], date);
        }
    }
    let sources = without_whitespace(&sources);
    let invented: Vec<(String, String)> = html_pages(&out)
        .iter()
        .flat_map(|(name, html)| {
            japanese_not_in(&visible_text(html, Some("ja")), &sources)
                .into_iter()
                .map(move |p| (name.clone(), p))
        })
        .collect();
    assert!(
        invented.is_empty(),
        "Japanese kitei wrote on English release pages: {invented:?}"
    );
}
