//! `kitei import` on the seed regulations in tests/seeds/ (real-world documents as companies
//! keep them): nothing is lost (round trip), the structure is recognised, and the command
//! writes what it says.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kitei::import::{self, Options};
use pulldown_cmark::{Event, Parser};

fn seeds() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seeds");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .flat_map(|dir| {
            std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_stem().is_some_and(|s| s == "source")
                        && import::Format::of(&p.to_string_lossy()).is_some()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "the seeds are missing: {out:?}");
    out
}

/// The text a reader sees in Markdown, without whitespace.
fn markdown_text(md: &str) -> String {
    Parser::new_ext(md, kitei::source::markdown::options())
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.to_string()),
            _ => None,
        })
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The text of a plain-text source without whitespace; a bullet that starts a line is list
/// syntax (it becomes `- `), not text.
fn plain_text(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_matches(|c: char| c.is_whitespace());
            let t = t
                .strip_prefix(['・', '•', '·', '●', '◆', '◇', '■', '□'])
                .unwrap_or(t);
            t.chars().filter(|c| !c.is_whitespace()).collect::<String>()
        })
        .collect()
}

fn body_of(file_text: &str) -> &str {
    let rest = file_text.strip_prefix("---\n").unwrap();
    let end = rest.find("\n---\n").unwrap();
    &rest[end + 5..]
}

/// Where two strings first differ, with some context, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let around = |v: &[char]| {
        v[i.saturating_sub(30)..(i + 30).min(v.len())]
            .iter()
            .collect::<String>()
    };
    format!(
        "at character {i}:\n  source:   …{}…\n  imported: …{}…",
        around(&a),
        around(&b)
    )
}

#[test]
fn every_seed_round_trips_without_losing_text() {
    for path in seeds() {
        let name = path.to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let doc = import::import_document(&name, &bytes, &Options::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let file = doc.file_text();
        let imported = markdown_text(body_of(&file));
        let source = match doc.format {
            import::Format::Markdown => markdown_text(&doc.source_text),
            _ => plain_text(&doc.source_text),
        };
        assert!(
            imported == source,
            "{name} lost or changed text {}",
            first_difference(&source, &imported)
        );
        assert!(
            !doc.outline.clauses.is_empty(),
            "{name}: no clause recognised"
        );
        assert!(
            source.chars().count() > 2000,
            "{name}: the comparison saw too little text"
        );
    }
}

#[test]
fn every_imported_seed_loads_as_a_kitei_document() {
    for path in seeds() {
        let doc = import::import_document(
            &path.to_string_lossy(),
            &std::fs::read(&path).unwrap(),
            &Options::default(),
        )
        .unwrap();
        let text = doc.file_text();
        let split = kitei::source::frontmatter::split(&text)
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let (front, body, line) = (split.yaml, split.body, split.body_line);
        assert!(front.contains("kind: regulation"));
        // Every clause anchor the outline chose is a heading anchor of the written body.
        let scanned = kitei::source::markdown::scan(body, line);
        let anchors: Vec<&str> = scanned.headings.iter().map(|h| h.anchor.as_str()).collect();
        for c in &doc.outline.clauses {
            assert!(
                anchors.contains(&c.anchor.as_str()),
                "{}: anchor #{} of {} is not in the body ({anchors:?})",
                path.display(),
                c.anchor,
                c.number
            );
        }
    }
}

#[test]
fn the_seeds_structure_is_recognised() {
    let find = |stem: &str| {
        seeds()
            .into_iter()
            .find(|p| p.to_string_lossy().contains(stem))
            .unwrap()
    };
    let numbers = |stem: &str| -> Vec<(String, String)> {
        let p = find(stem);
        import::import_document(
            &p.to_string_lossy(),
            &std::fs::read(&p).unwrap(),
            &Options::default(),
        )
        .unwrap()
        .outline
        .clauses
        .iter()
        .map(|c| (c.number.clone(), c.anchor.clone()))
        .collect()
    };
    // 【N】 brackets, with 【4.3】 written twice: both kept, the second with its own anchor.
    let s0 = numbers("000_");
    assert_eq!(
        s0.first().unwrap(),
        &("【1】".to_string(), "c1".to_string())
    );
    assert!(s0.contains(&("【4.3】".to_string(), "c4-3".to_string())));
    assert!(s0.contains(&("【4.3】".to_string(), "c4-3-2".to_string())));
    assert_eq!(s0.last().unwrap().0, "【9】");
    // Full-width digits with a tab: １ 趣旨 … ４．４ … ９ 改訂.
    let s1 = numbers("001_");
    let n1: Vec<&str> = s1.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        n1,
        [
            "c1", "c2", "c3", "c4", "c4-1", "c4-2", "c4-3", "c4-4", "c5", "c6", "c7", "c8", "c9"
        ]
    );
    // Markdown: 1. … 7-1. … (1) under 7-6, and `## ・ 6.` with a stray bullet.
    let s2 = numbers("002_");
    assert!(s2.contains(&("6.".to_string(), "c6".to_string())), "{s2:?}");
    assert!(s2.contains(&("7-3.".to_string(), "c7-3".to_string())));
    assert!(s2.contains(&("(2)".to_string(), "c7-6-2".to_string())));
}

#[test]
fn the_command_writes_the_document_and_the_report_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seeds().into_iter().next().unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = Command::cargo_bin("kitei").unwrap();
        cmd.current_dir(dir.path())
            .args(["--as-of", "2026-12-01", "import"])
            .arg(&seed)
            .args(["--id", "incident-rules"])
            .args(extra);
        cmd.output().unwrap()
    };
    let out = run(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("policy-src/regulation/incident-rules.md"),
        "{stdout}"
    );
    let doc = dir.path().join("policy-src/regulation/incident-rules.md");
    let written = std::fs::read_to_string(&doc).unwrap();
    assert!(written.contains("id: incident-rules"));
    let report = std::fs::read_to_string(dir.path().join("import-report.md")).unwrap();
    assert!(report.contains("# Import report"));
    assert!(report.contains("### Check findings on `policy-src/regulation/incident-rules.md`"));

    // A second import of the same id is refused and changes nothing.
    std::fs::write(&doc, "edited by hand").unwrap();
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), "edited by hand");
    let out = run(&["--force"]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), written);
}

#[test]
fn bad_inputs_are_refused_with_help_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.pdf"), b"%PDF-1.4").unwrap();
    std::fs::write(dir.path().join("b.txt"), [0u8, 0xFF, 0xFE, 0x00, 0x81]).unwrap();
    for (file, want) in [
        ("a.pdf", ".docx"),
        ("b.txt", "text"),
        ("missing.txt", "cannot read"),
    ] {
        let out = Command::cargo_bin("kitei")
            .unwrap()
            .current_dir(dir.path())
            .args(["import", file])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{file}: {err}");
        assert!(!dir.path().join("policy-src").exists(), "{file}");
    }
}

#[test]
fn shift_jis_text_is_converted_and_noted() {
    let dir = tempfile::tempdir().unwrap();
    let text = "情報セキュリティ規程\r\n\r\n第1条（目的）\r\nこの規程は、情報資産を守ることを目的とする。\r\n第2条（定義）\r\n①　インシデントとは…\r\n";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    std::fs::write(dir.path().join("rules.txt"), &bytes).unwrap();
    let out = Command::cargo_bin("kitei")
        .unwrap()
        .current_dir(dir.path())
        .args(["--as-of", "2026-12-01", "import", "rules.txt"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("converted from Shift_JIS (CP932) to UTF-8"),
        "{stdout}"
    );
    let doc = std::fs::read_to_string(dir.path().join("policy-src/regulation/rules.md")).unwrap();
    assert!(doc.contains("## 第1条（目的） {#art1}"), "{doc}");
    assert!(
        doc.contains("- <span id=\"art2-i1\"></span>①　インシデントとは…"),
        "{doc}"
    );
}

fn import_path(p: &Path) -> import::ImportedDocument {
    import::import_document(
        &p.to_string_lossy(),
        &std::fs::read(p).unwrap(),
        &Options::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn word_automatic_numbers_are_drawn_back_into_the_text() {
    // source.docx is seed 001 with its clause numbers (１, ４．１), its （１） items and its
    // bullets as Word's automatic numbering (tests/seeds/make_docx.py): the numbers are not
    // in the document's text, only in numbering.xml.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seeds/001_c7091b0a300dafff");
    let from_word = import_path(&dir.join("source.docx"));
    let from_text = import_path(&dir.join("source.txt"));
    assert_eq!(from_word.encoding, "OOXML");
    assert_eq!(from_word.title, from_text.title);
    let anchors = |d: &import::ImportedDocument| -> Vec<(String, String)> {
        d.outline
            .clauses
            .iter()
            .map(|c| (c.anchor.clone(), c.title.clone()))
            .collect()
    };
    assert_eq!(anchors(&from_word), anchors(&from_text));
    // The Word document's text, numbers included, is the seed's text.
    let word_text = markdown_text(body_of(&from_word.file_text()));
    let seed_text = plain_text(&from_text.source_text);
    assert!(
        word_text == seed_text,
        "the Word import differs from the seed {}",
        first_difference(&seed_text, &word_text)
    );
    assert!(
        from_word
            .body
            .contains("- <span id=\"c1-i3\"></span>（３）情報資産への脅威"),
        "{}",
        from_word.body
    );
    assert!(
        from_word
            .body
            .contains("| 3 | 業務が停止することは許されない |")
    );
}

#[test]
fn law_style_word_document() {
    let doc = import_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/law-style.docx"),
    );
    assert_eq!(doc.title, "情報セキュリティインシデント対応規則");
    let clauses: Vec<(&str, &str, &str)> = doc
        .outline
        .clauses
        .iter()
        .map(|c| (c.number.as_str(), c.title.as_str(), c.anchor.as_str()))
        .collect();
    assert_eq!(
        clauses,
        [
            ("第1章", "総則", "ch1"),
            ("第1条", "目的", "art1"),
            ("第2条", "定義", "art2"),
            ("第2章", "体制", "ch2"),
            ("第3条", "体制", "art3"),
            ("第4条", "連絡先", "art4"),
            ("第5条", "事故レベル", "art5"),
        ]
    );
    // The caption above 第1条 stays in place; 号 (一, 二) and their ア, イ are Word's numbers.
    for line in [
        "### （目的）　第1条 {#art1}",
        "- <span id=\"art2-p1-i1\"></span>一 インシデント　情報資産の機密性、完全性又は可用性を損なう事象\n  - <span id=\"art2-p1-i1-1\"></span>ア 不正アクセス\n  - <span id=\"art2-p1-i1-2\"></span>イ マルウェア感染\n- <span id=\"art2-p1-i2\"></span>二 責任者",
        "\n<span id=\"art2-p2\"></span>2　前項の事象の疑いがあるものも",
        "| 情報システム部 | 03-0000-0101 | security@example.jp |",
    ] {
        assert!(doc.body.contains(line), "{line}\n---\n{}", doc.body);
    }
    assert_eq!(
        markdown_text(body_of(&doc.file_text())),
        plain_text(&doc.source_text)
    );
}

#[test]
fn the_word_fixtures_are_what_the_script_makes() {
    // The .docx inputs are committed; this regenerates them with python-docx (a real Word
    // writer) and compares their contents, so the script and the fixtures cannot drift apart.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let has_docx = std::process::Command::new("python3")
        .args(["-c", "import docx"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_docx
        && !common::tool_missing(
            "docx fixtures",
            "python-docx is not installed (pip install python-docx)",
        )
    {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new("python3")
        .arg(root.join("tests/seeds/make_docx.py"))
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Compared entry by entry, uncompressed: deflate's bytes depend on the zlib version.
    let entries = |path: &Path| -> Vec<(String, Vec<u8>)> {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut out: Vec<(String, Vec<u8>)> = (0..zip.len())
            .map(|i| {
                let mut entry = zip.by_index(i).unwrap();
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
                (entry.name().unwrap().to_string(), data)
            })
            .collect();
        out.sort();
        out
    };
    for rel in [
        "tests/seeds/001_c7091b0a300dafff/source.docx",
        "tests/fixtures/import/law-style.docx",
    ] {
        assert!(
            entries(&out.path().join(rel)) == entries(&root.join(rel)),
            "{rel} differs from what tests/seeds/make_docx.py makes; run it and commit the result"
        );
    }
}

/// The report of importing each seed (with its check findings) and the Markdown it gives,
/// compared with `tests/seeds/<seed>/expected/`. After an intended change (a new check rule
/// changes the findings), `KITEI_BLESS=1 cargo test --test import` rewrites them; review the
/// diff before committing.
#[test]
fn import_reports_match_their_snapshots() {
    let bless = std::env::var("KITEI_BLESS").as_deref() == Ok("1");
    let mut stale = Vec::new();
    for path in seeds() {
        let ext = path.extension().unwrap().to_string_lossy().to_string();
        let dir = tempfile::tempdir().unwrap();
        let input = format!("source.{ext}");
        std::fs::copy(&path, dir.path().join(&input)).unwrap();
        let out = Command::cargo_bin("kitei")
            .unwrap()
            .current_dir(dir.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .args([
                "--as-of",
                "2026-12-01",
                "import",
                &input,
                "--id",
                "imported",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut files = vec![
            (
                format!("import-report.{ext}.md"),
                dir.path().join("import-report.md"),
            ),
            (
                format!("imported.{ext}.md"),
                dir.path().join("policy-src/regulation/imported.md"),
            ),
        ];
        for draft in [
            "roles.yaml",
            "contacts.yaml",
            "severity.yaml",
            "systems.yaml",
        ] {
            let p = dir.path().join("import-drafts").join(draft);
            if p.exists() {
                files.push((format!("drafts.{ext}.{draft}"), p));
            }
        }
        let expected_dir = path.parent().unwrap().join("expected");
        for (name, actual) in files {
            let actual = std::fs::read_to_string(actual).unwrap();
            let expected_path = expected_dir.join(&name);
            if bless {
                std::fs::create_dir_all(&expected_dir).unwrap();
                std::fs::write(&expected_path, &actual).unwrap();
                continue;
            }
            match std::fs::read_to_string(&expected_path) {
                Ok(expected) if expected == actual => {}
                Ok(expected) => stale.push(format!(
                    "{}: differs {}",
                    expected_path.display(),
                    first_difference(&expected, &actual)
                )),
                Err(_) => stale.push(format!("{}: missing", expected_path.display())),
            }
        }
    }
    assert!(
        stale.is_empty(),
        "import snapshots are stale (KITEI_BLESS=1 cargo test --test import rewrites them; review the diff):\n{}",
        stale.join("\n")
    );
}

#[test]
fn imported_seeds_render_as_valid_pages_with_their_clause_anchors() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for (i, path) in seeds().iter().enumerate() {
        let id = format!("seed-{i}");
        let out = Command::cargo_bin("kitei")
            .unwrap()
            .current_dir(dir.path())
            .args(["--as-of", "2026-12-01", "import"])
            .arg(path)
            .args(["--id", &id, "--force"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc = import_path(path);
        let mut anchors: Vec<(String, String)> = doc
            .outline
            .clauses
            .iter()
            .map(|c| (c.anchor.clone(), c.number.clone()))
            .collect();
        anchors.extend(
            doc.outline
                .anchors
                .values()
                .map(|a| (a.clone(), "an item".into())),
        );
        expected.push((id, anchors));
    }
    let out = Command::cargo_bin("kitei")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "--as-of",
            "2026-12-01",
            "build",
            "--allow-errors",
            "--no-seal",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = dir.path().join("site");
    for (id, anchors) in expected {
        let page = std::fs::read_to_string(site.join(format!("doc-{id}.html"))).unwrap();
        for (anchor, what) in anchors {
            assert!(
                page.contains(&format!("id=\"{anchor}\"")),
                "doc-{id}.html has no anchor #{anchor} for {what}"
            );
        }
    }
    common::assert_valid_html(&site, "imported seeds");
}

#[test]
fn into_and_project_folders() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("proj");
    std::fs::create_dir(&project).unwrap();
    let seed = seeds().into_iter().next().unwrap();
    let out = Command::cargo_bin("kitei")
        .unwrap()
        .current_dir(dir.path())
        .args(["--as-of", "2026-12-01", "-C", "proj", "import"])
        .arg(&seed)
        .args(["--into", "rules-src", "--id", "r1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(project.join("rules-src/regulation/r1.md").is_file());
    assert!(project.join("import-report.md").is_file());
    assert!(project.join("import-drafts/roles.yaml").is_file());
    assert!(!dir.path().join("policy-src").exists());
    // Two files cannot share one --id.
    let out = Command::cargo_bin("kitei")
        .unwrap()
        .current_dir(dir.path())
        .args(["import"])
        .args([&seed, &seed])
        .args(["--id", "r2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--id names one document"));
}
