//! `kitei pdf`, checked with stock tools from poppler-utils and qpdf: the text comes back out
//! in order (pdftotext), every font is embedded and subset (pdffonts), the file structure is
//! sound (`qpdf --check`; veraPDF is not packaged in Debian), the first page renders
//! (pdftoppm, PNGs kept in the test's output folder), lines obey kinsoku, two builds are
//! byte-identical, and an employees PDF holds no restricted text. Without the tools the tests
//! skip with a note, and fail when `KITEI_REQUIRE_TOOLS=1` (CI).
#![cfg(feature = "pdf")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{example, kitei, tool_missing};

/// A fixed date for reproducible PDFs (2026-04-01 00:00 UTC).
const EPOCH: &str = "1775001600";
/// When the commits of the versioned test project were made.
const COMMITTED: &str = "2026-04-01T09:00:00+09:00";

/// Whether poppler-utils and qpdf are installed (else skip, or fail under KITEI_REQUIRE_TOOLS).
fn tools() -> bool {
    for t in ["pdftotext", "pdffonts", "pdftoppm", "qpdf"] {
        if !common::on_path(t) && !has_version(t) {
            return tool_missing(
                "the PDF checks",
                &format!("{t} is not installed (apt-get install poppler-utils qpdf)"),
            );
        }
    }
    true
}

/// pdftotext and friends print their version on `-v` and exit 0 or 99.
fn has_version(program: &str) -> bool {
    Command::new(program).arg("-v").output().is_ok()
}

/// Runs `kitei pdf` on `project` with `args` into a new folder; returns the folder.
fn pdf(project: &Path, args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    pdf_with(project, args, &[])
}

/// [`pdf`] with extra environment variables.
fn pdf_with(project: &Path, args: &[&str], env: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pdf");
    let o = kitei(project)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .envs(env.iter().copied())
        .arg("pdf")
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "kitei pdf {args:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (dir, out)
}

/// The text as laid out (lines as on the page).
fn pdftotext(file: &Path) -> String {
    text_of(file, &[])
}

/// The text in content-stream order (`-raw`): table cells row by row, as typeset.
fn pdftotext_raw(file: &Path) -> String {
    text_of(file, &["-raw"])
}

fn text_of(file: &Path, args: &[&str]) -> String {
    let o = Command::new("pdftotext")
        .args(args)
        .args(["-enc", "UTF-8"])
        .arg(file)
        .arg("-")
        .output()
        .unwrap();
    assert!(o.status.success(), "pdftotext {}", file.display());
    String::from_utf8(o.stdout).unwrap()
}

/// All whitespace removed: line breaks in Japanese text are layout, not content.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text of a Markdown source line as printed: link targets, emphasis marks, list and
/// checkbox markers and `{#id}` attributes removed.
fn printed(line: &str) -> String {
    let mut s = line.trim().to_string();
    for prefix in ["- [ ] ", "- [x] ", "- ", "* "] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    if let Some((n, rest)) = s.split_once(". ")
        && n.chars().all(|c| c.is_ascii_digit())
    {
        s = rest.to_string();
    }
    let s = s.trim_start_matches('#').trim();
    let links = regex::Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap();
    let s = links.replace_all(s, "$1");
    let attr = regex::Regex::new(r"\s*\{#[^}]*\}\s*$").unwrap();
    let s = attr.replace_all(&s, "");
    s.replace("**", "")
}

/// The body lines of a Markdown document (front matter skipped), and the cells of its tables
/// (pdftotext may read a table column by column, so cells are only checked to be there).
fn body_lines(md: &str) -> (Vec<String>, Vec<String>) {
    let body = md.splitn(3, "---\n").nth(2).unwrap();
    let (tables, text): (Vec<&str>, Vec<&str>) =
        body.lines().partition(|l| l.trim_start().starts_with('|'));
    let cells = tables
        .iter()
        .flat_map(|row| row.split('|'))
        .map(printed)
        .filter(|c| !c.trim().is_empty() && !c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
        .collect();
    let lines = text
        .into_iter()
        .map(printed)
        .filter(|l| !l.trim().is_empty())
        .collect();
    (lines, cells)
}

/// Every line of `md`'s body in `flat` in order, and every table cell somewhere.
fn assert_body_in_order(flat: &str, md: &str, what: &str) {
    let (lines, cells) = body_lines(md);
    let mut at = 0;
    for line in lines {
        let want = squash(&line);
        match flat[at..].find(&want) {
            Some(i) => at += i + want.len(),
            None => panic!(
                "{what}: `{line}` is missing or out of order after byte {at}:\n{}",
                &flat[at..flat.len().min(at + 600)]
            ),
        }
    }
    for cell in cells {
        assert!(
            flat.contains(&squash(&cell)),
            "{what}: table cell `{cell}` is missing"
        );
    }
}

/// The extracted text with the footer lines (title, version, "n / N") removed.
fn without_footers(text: &str, title: &str) -> String {
    let page_number = regex::Regex::new(r"\d+ / \d+\s*$").unwrap();
    text.lines()
        .filter(|l| !(l.trim_start().starts_with(title) && page_number.is_match(l)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The example's PDFs, built once for the tests that only read them: (project, PDF folder).
/// They live in the test target's temporary folder (emptied at the start of each run), so a
/// run leaves no temporary folder behind and the PDFs can be looked at afterwards.
fn example_pdfs() -> &'static (PathBuf, PathBuf) {
    static BUILT: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pdf-example");
        let _ = std::fs::remove_dir_all(&root);
        let project = root.join("project");
        std::fs::create_dir_all(&project).unwrap();
        let example = example();
        common::copy_tree(example.path(), &project);
        let (dir, out) = pdf(&project, &[]);
        let kept = root.join("pdf");
        common::copy_tree(&out, &kept);
        drop(dir);
        (project, kept)
    })
}

/// Pages of a PDF as pdftotext splits them (form feeds).
fn page_count(text: &str) -> usize {
    text.split('\u{c}').filter(|p| !p.trim().is_empty()).count()
}

/// The checks every PDF passes: fonts embedded, subset and with a Unicode map (copy-paste
/// gives the text back), `qpdf --check` clean, PDF/A-2b declared.
fn assert_sound(file: &Path) {
    let name = file.file_name().unwrap().to_string_lossy();
    let o = Command::new("pdffonts").arg(file).output().unwrap();
    let fonts = String::from_utf8(o.stdout).unwrap();
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{name}: no fonts\n{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            ["yes", "yes", "yes"],
            "{name}: font not embedded+subset+unicode: {row}"
        );
    }
    let o = Command::new("qpdf")
        .arg("--check")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{name}: qpdf --check:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let xmp = decompressed(file);
    assert!(
        xmp.contains("<pdfaid:part>2</pdfaid:part>")
            && xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{name}: PDF/A-2b is not declared"
    );
}

#[test]
fn runbooks_carry_the_contact_block_of_every_role_they_name() {
    if !tools() {
        return;
    }
    let (project, out) = example_pdfs();
    let p = kitei::config::Project::open(project).unwrap();
    let corpus = kitei::source::load(&p).unwrap().corpus;
    let mut runbooks = 0;
    for doc in corpus
        .documents
        .iter()
        .filter(|d| d.kind() == kitei::model::DocKind::Runbook)
    {
        runbooks += 1;
        let file = out.join(format!("runbook-{}.pdf", doc.id()));
        assert_sound(&file);
        let text = pdftotext_raw(&file);
        assert!(
            page_count(&text) <= 2,
            "{}: {} pages",
            doc.id(),
            page_count(&text)
        );
        let flat = squash(&without_footers(&text, &doc.meta.title));
        // The site's runbook page prints the same list (model::reach::roles_named).
        let roles = kitei::model::reach::roles_named(&corpus, doc, |v| {
            kitei::render::Audience::Employees.sees(v)
        });
        assert!(roles.len() >= 2, "{}: {} roles", doc.id(), roles.len());
        for block in roles {
            let id = &block.role.id.value;
            assert!(
                flat.contains(&squash(&block.role.name)),
                "{}: no role {id}",
                doc.id()
            );
            for who in block.holders.iter().chain(block.deputy.iter()) {
                assert!(
                    flat.contains(&squash(&who.person.name)),
                    "{}: {id}: no {}",
                    doc.id(),
                    who.person.name
                );
                assert!(!who.phones.is_empty(), "{}: {id}: no phones", doc.id());
                for phone in &who.phones {
                    assert!(
                        flat.contains(&phone.channel.value),
                        "{}: {id}: no {}",
                        doc.id(),
                        phone.channel.value
                    );
                }
            }
        }
        // Incident types by their names in the page's language, as on the site.
        let names =
            kitei::render::incident_types::TypeNames::new(p.config.lang, &p.config.incident_types);
        for t in &doc.meta.incident_types {
            let name = names.name(&t.value);
            assert_ne!(name, t.value, "{}: type {} has no name", doc.id(), t.value);
            assert!(flat.contains(&squash(name)), "{}: no type {name}", doc.id());
        }
        // The body, in order, after the block.
        let md =
            std::fs::read_to_string(corpus.root.join(&corpus.files[doc.file].rel_path)).unwrap();
        assert_body_in_order(&flat, &md, doc.id());
    }
    assert_eq!(runbooks, 6);
    render_first_page(&out.join("runbook-malware.pdf"), "runbook");
}

#[test]
fn the_contact_sheet_is_one_page_with_every_role_and_body() {
    if !tools() {
        return;
    }
    let (project, out) = example_pdfs();
    let file = out.join("contacts.pdf");
    assert_sound(&file);
    let text = pdftotext(&file);
    assert_eq!(page_count(&text), 1, "{text}");
    let flat = squash(&text);
    let p = kitei::config::Project::open(project).unwrap();
    let corpus = kitei::source::load(&p).unwrap().corpus;
    for role in corpus.roles.iter().filter(|r| !r.committee) {
        assert!(flat.contains(&squash(&role.name)), "no role {}", role.name);
        for h in &role.held_by {
            let person = corpus.person(&h.value.id).unwrap();
            assert!(flat.contains(&squash(&person.name)), "no {}", person.name);
        }
    }
    for org in corpus.organisations.iter() {
        assert!(flat.contains(&squash(&org.name)), "no {}", org.name);
        for ch in org
            .channels
            .iter()
            .filter(|c| c.kind == kitei::model::tables::ChannelKind::Phone)
            .take(1)
        {
            assert!(flat.contains(&ch.value), "no {} of {}", ch.value, org.name);
        }
        // Deadlines in Japanese (24時間, 5日), as on the site; never the source form (24h).
        if let Some(deadline) = &org.notice_deadline {
            use kitei::model::values::Period;
            let shown = match deadline.value {
                Period::Hours(h) => format!("{h}時間"),
                Period::Days(d) => format!("{d}日"),
                Period::Months(m) => format!("{m}か月"),
            };
            assert!(flat.contains(&shown), "no deadline {shown} of {}", org.name);
        }
    }
    for source_form in ["24h", "days"] {
        assert!(!flat.contains(source_form), "{source_form} printed: {flat}");
    }
    render_first_page(&file, "contacts");
}

#[test]
fn regulation_pdfs_hold_every_clause_in_order_with_embedded_fonts() {
    if !tools() {
        return;
    }
    let (project, out) = example_pdfs();
    let mut names: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "contacts.pdf",
            "doc-emergency-organisation.pdf",
            "doc-incident-response-regulation.pdf",
            "runbook-data-leak.pdf",
            "runbook-database-intrusion.pdf",
            "runbook-disaster.pdf",
            "runbook-malware.pdf",
            "runbook-service-outage.pdf",
            "runbook-unauthorized-access.pdf",
        ]
    );
    for (pdf_name, source) in [
        (
            "doc-incident-response-regulation.pdf",
            "regulation/incident-response-regulation.md",
        ),
        (
            "doc-emergency-organisation.pdf",
            "regulation/emergency-organisation.md",
        ),
    ] {
        let file = out.join(pdf_name);
        let md = std::fs::read_to_string(project.join("policy-src").join(source)).unwrap();
        let title = md
            .lines()
            .find_map(|l| l.strip_prefix("title: "))
            .unwrap()
            .to_string();
        let text = pdftotext(&file);
        // The footer: title, version, "n / N" on every page.
        let pages = page_count(&text);
        assert!(pages >= 2, "{pdf_name}: {pages} pages");
        let squashed = squash(&text);
        assert!(
            squashed.contains(&format!("1/{pages}"))
                && squashed.contains(&format!("{pages}/{pages}")),
            "{pdf_name}: no page numbers n / {pages}"
        );
        let flat = squash(&without_footers(&pdftotext_raw(&file), &title));
        // Every line of the body, in order.
        assert_body_in_order(&flat, &md, pdf_name);
        // The cover block: version, approver (a role name, not its id), dates, the TOC.
        assert!(flat.contains("目次"), "{pdf_name}: no table of contents");
        let front = |key: &str| {
            md.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}: ")))
                .map(|v| v.trim_matches('"').to_string())
        };
        for (label, key) in [
            ("版", "version"),
            ("承認日", "approved_on"),
            ("施行日", "effective_on"),
        ] {
            if let Some(value) = front(key) {
                assert!(
                    flat.contains(&format!("{label}{value}")),
                    "{pdf_name}: no {label} {value}"
                );
            }
        }
        if front("approved_by") == Some("role:security-committee".into()) {
            assert!(
                flat.contains("承認情報セキュリティ委員会"),
                "{pdf_name}: approver by name"
            );
        }
        if md.contains("\nchanges:") {
            assert!(flat.contains("改訂履歴"), "{pdf_name}: no revision history");
        }
        // The review cycle in Japanese, as the site prints it (12 months → 1年).
        if let Some(every) = front("review_every") {
            let shown = match every.split_once(' ') {
                Some((n, "months")) => match n.parse::<u32>().unwrap() {
                    m if m % 12 == 0 => format!("{}年", m / 12),
                    m => format!("{m}か月"),
                },
                Some((n, "days")) => format!("{n}日"),
                _ => panic!("{pdf_name}: review_every {every}"),
            };
            assert!(
                flat.contains(&format!("見直し周期{shown}")),
                "{pdf_name}: no 見直し周期 {shown}"
            );
        }
        assert_sound(&file);
    }
    // The regulation's cross-reference to 第6条 is an internal link (a GoTo to a destination).
    let qdf = decompressed(&out.join("doc-incident-response-regulation.pdf"));
    assert!(
        qdf.contains("/Dest") || qdf.contains("/GoTo"),
        "no internal link in the regulation"
    );
    render_first_page(
        &out.join("doc-incident-response-regulation.pdf"),
        "regulation",
    );
}

/// The PDF with its streams uncompressed (`qpdf --qdf`), as text.
fn decompressed(file: &Path) -> String {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    let o = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(file)
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "qpdf --qdf {}", file.display());
    String::from_utf8_lossy(&std::fs::read(tmp.path()).unwrap()).into_owned()
}

/// pdftoppm renders page 1 to `target/tmp/pdf-pages/KIND.png` (kept for people to look at);
/// the image must not be blank.
fn render_first_page(file: &Path, kind: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pdf-pages");
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = dir.join(kind);
    let o = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(file)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(o.status.success(), "pdftoppm {}", file.display());
    let png = std::fs::read(prefix.with_extension("png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{kind}: not a PNG");
    assert!(
        png.len() > 5_000,
        "{kind}: page 1 looks blank ({} bytes)",
        png.len()
    );
    eprintln!(
        "page 1 of {kind}: {}",
        prefix.with_extension("png").display()
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let project = example();
    // Both typeset (no cache): typst itself must be deterministic.
    let cold = [("KITEI_CACHE", "off")];
    let (_a, one) = pdf_with(project.path(), &[], &cold);
    let (_b, two) = pdf_with(project.path(), &[], &cold);
    let (one, two) = (common::tree(&one), common::tree(&two));
    assert!(!one.is_empty());
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &one {
        assert!(two[name] == *bytes, "{name} differs between two builds");
    }
}

/// The inode of every entry of the PDF cache of `audience`.
fn cache_entries(project: &Path, audience: &str) -> std::collections::BTreeMap<String, u64> {
    common::file_inodes(&project.join(".kitei-cache/pdf").join(audience))
}

#[test]
fn after_an_edit_only_the_changed_pdf_is_typeset_again() {
    if !tools() {
        return;
    }
    let project = example();
    let (_a, before) = pdf(project.path(), &[]);
    let entries = cache_entries(project.path(), "employees");
    assert_eq!(
        entries.len(),
        common::tree(&before).len(),
        "one entry per PDF"
    );

    let runbook = project.path().join("policy-src/runbooks/malware.md");
    let mut text = std::fs::read_to_string(&runbook).unwrap();
    text.push_str("\n（追記）検証用の一文。\n");
    std::fs::write(&runbook, text).unwrap();
    let (_b, cached) = pdf(project.path(), &[]);
    let (_c, cold) = pdf_with(project.path(), &[], &[("KITEI_CACHE", "off")]);

    // What the cache gives is what typesetting gives.
    let (before, cached, cold) = (
        common::tree(&before),
        common::tree(&cached),
        common::tree(&cold),
    );
    assert_eq!(
        cached.keys().collect::<Vec<_>>(),
        cold.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &cold {
        assert!(
            cached[name] == *bytes,
            "{name}: cached PDF differs from a fresh one"
        );
        let changed = before[name] != *bytes;
        assert_eq!(
            changed,
            name == "runbook-malware.pdf",
            "{name} changed: {changed}"
        );
    }
    assert!(
        pdftotext(&_b.path().join("pdf/runbook-malware.pdf")).contains("検証用の一文"),
        "the edit is in the new PDF"
    );
    // Exactly one entry was written again (a new file has a new inode).
    let after = cache_entries(project.path(), "employees");
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        entries.keys().collect::<Vec<_>>()
    );
    let rewritten = entries.iter().filter(|(k, ino)| after[*k] != **ino).count();
    assert_eq!(
        rewritten, 1,
        "only the edited runbook's PDF is typeset again"
    );
}

/// A guideline of `n` paragraphs in which punctuation falls at every offset of the line: a
/// line breaker without kinsoku rules would start some line with 、 or 。.
fn punctuation_heavy(n: usize) -> String {
    let mut body = String::from("## 第1条（句読点） {#punct}\n\n");
    for i in 0..n {
        body.push_str(&"い".repeat(i % 37 + 1));
        for j in 0..12 {
            body.push_str(["あ、", "う。", "「え」", "（お）", "か！", "き？"][(i + j) % 6]);
            body.push_str(&"く".repeat((i * 7 + j) % 5));
        }
        body.push_str("\n\n");
    }
    format!(
        "---\nid: kinsoku\nkind: guideline\ntitle: 禁則の確認\nversion: \"1\"\nowner: role:ciso\nvisibility: employees\n---\n\n{body}"
    )
}

#[test]
fn no_line_starts_with_a_closing_mark() {
    if !tools() {
        return;
    }
    let project = example();
    std::fs::write(
        project.path().join("policy-src/regulation/kinsoku.md"),
        punctuation_heavy(80),
    )
    .unwrap();
    let (_dir, out) = pdf(project.path(), &[]);
    let text = pdftotext(&out.join("doc-kinsoku.pdf"));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 100, "{} lines", lines.len());
    let closing = [
        '、', '。', '，', '．', '）', '」', '』', '】', '〕', '！', '？', '・', '：', '；',
    ];
    let opening = ['（', '「', '『', '【', '〔'];
    for l in &lines {
        let first = l.trim_start().chars().next().unwrap();
        assert!(!closing.contains(&first), "line starts with {first}: {l}");
        let last = l.trim_end().chars().last().unwrap();
        assert!(!opening.contains(&last), "line ends with {last}: {l}");
    }
    // The Japanese text comes back without spaces between characters.
    assert!(
        text.contains("い、") || text.contains("あ、"),
        "{}",
        &text[..300]
    );
}

#[test]
fn document_text_cannot_inject_typst_markup() {
    if !tools() {
        return;
    }
    let project = example();
    let hostile = [
        "#set page(width: 2cm)",
        "#pagebreak()",
        "*太字でない* _斜体でない_",
        "$x^2$ と @ref と <label>",
        "バックスラッシュ\\n と \\u{41} と 〔#\"; #panic(\"x\") ]",
        "`#raw` [#text(red)[x]] {code}",
        "= 見出しでない",
    ];
    let mut body = String::from("## 第1条（注入） {#inject}\n\n");
    for h in hostile {
        body.push_str("本文：");
        body.push_str(
            &h.replace('`', "\\`")
                .replace('*', "\\*")
                .replace('_', "\\_")
                .replace('[', "\\[")
                .replace('<', "\\<"),
        );
        body.push_str("\n\n");
    }
    std::fs::write(
        project.path().join("policy-src/regulation/inject.md"),
        format!(
            "---\nid: inject\nkind: guideline\ntitle: \"注入 #set text(red) \\\"]\"\nversion: \"1\"\nowner: role:ciso\nvisibility: employees\n---\n\n{body}"
        ),
    )
    .unwrap();
    let (_dir, out) = pdf(project.path(), &[]);
    let text = squash(&pdftotext(&out.join("doc-inject.pdf")));
    for h in hostile {
        assert!(
            text.contains(&squash(h)),
            "`{h}` not printed verbatim:\n{text}"
        );
    }
    assert!(
        text.contains(&squash("注入 #set text(red) \"]")),
        "title: {text}"
    );
}

/// The example with a bullet list nested `depth` deep (items 段階0, 段階1, …) at the end of the
/// data-leak runbook.
fn with_nested_list(depth: usize) -> tempfile::TempDir {
    let project = example();
    let runbook = project.path().join("policy-src/runbooks/data-leak.md");
    let mut text = std::fs::read_to_string(&runbook).unwrap();
    text.push_str("\n## 付録 {#appendix}\n\n");
    for level in 0..depth {
        text.push_str(&"  ".repeat(level));
        text.push_str(&format!("- 段階{level}\n"));
    }
    std::fs::write(&runbook, text).unwrap();
    project
}

#[test]
fn nested_lists_print_with_markers_the_font_has() {
    // typst's second-level marker ‣ is not in the IPAex fonts: a list nested two deep made the
    // PDF/A export fail, and with it `kitei build`.
    let project = with_nested_list(4);
    let (_dir, out) = pdf(project.path(), &[]);
    if tools() {
        let file = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("data-leak"))
            .expect("the runbook's PDF");
        let flat = squash(&pdftotext_raw(&file));
        for line in ["•段階0", "◦段階1", "–段階2", "•段階3"] {
            assert!(flat.contains(line), "{line} not in:\n{flat}");
        }
    }
}

/// Runs `kitei pdf --out <project>/out`, which must exit 2; returns stderr and that folder.
fn pdf_refused(project: &Path) -> (String, PathBuf) {
    let out = project.join("out");
    let o = kitei(project)
        .args(["pdf", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    (err, out)
}

#[test]
fn nesting_deeper_than_typst_allows_is_a_short_error_saying_what_to_change() {
    // A list nested 300 deep: typst refuses it; the message once listed all 430 of its errors
    // on one line and called it a kitei bug.
    let project = with_nested_list(300);
    let (err, out) = pdf_refused(project.path());
    assert!(
        err.contains("data-leak (policy-src/runbooks/data-leak.md)") && err.contains("flatten"),
        "{err}"
    );
    assert!(err.contains("more"), "{err}");
    assert!(err.len() < 2_000, "{} bytes: {err}", err.len());
    // The other documents' PDFs were typeset, and written beside their place: none is put in
    // place, and nothing is left behind.
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_output_folder_that_cannot_be_made_is_an_error_naming_it() {
    let project = example();
    // `out` is a file: no PDF can be written under it.
    std::fs::write(project.path().join("out"), b"not a folder").unwrap();
    let (err, out) = pdf_refused(project.path());
    assert!(
        err.contains("cannot write")
            && err.contains(&out.join("contacts.pdf").display().to_string()),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"not a folder");
}

#[test]
fn partial_pdfs_of_a_killed_run_are_removed() {
    let project = example();
    let out = project.path().join("pdf");
    std::fs::create_dir_all(&out).unwrap();
    // A run that has ended: its pid names no live process.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let partial = out.join(format!(".kitei-{pid}-aB3xY9.tmp"));
    std::fs::write(&partial, b"%PDF-1.7 half").unwrap();
    let o = kitei(project.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .arg("pdf")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!partial.exists());
    assert!(
        err.contains("removed 1 partial file(s) of killed kitei runs"),
        "{err}"
    );
    assert!(out.join("contacts.pdf").exists());
}

#[test]
fn a_missing_japanese_font_is_an_error_naming_the_package() {
    let project = example();
    std::fs::create_dir(project.path().join("no-fonts")).unwrap();
    let toml = std::fs::read_to_string(project.path().join("kitei.toml")).unwrap();
    std::fs::write(
        project.path().join("kitei.toml"),
        format!("{toml}\n[pdf]\nfonts = [\"no-fonts\"]\n"),
    )
    .unwrap();
    let (err, out) = pdf_refused(project.path());
    assert!(
        err.contains("fonts-ipaexfont") && err.contains("no-fonts"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written without a font");
}

#[test]
fn employees_pdfs_hold_no_restricted_text() {
    if !tools() {
        return;
    }
    let project = example();
    let secret_doc = "極秘の復旧手順書式";
    let secret_text = "金庫の暗証番号は七七四二である";
    std::fs::write(
        project.path().join("policy-src/regulation/secret.md"),
        format!(
            "---\nid: secret-guideline\nkind: guideline\ntitle: {secret_doc}\nversion: \"1\"\nowner: role:ciso\nvisibility: restricted\n---\n\n## 第1条（金庫） {{#safe}}\n\n{secret_text}\n"
        ),
    )
    .unwrap();
    // The legal role becomes restricted under a name no document uses; the regulation's
    // cover names it as owner, the employees PDF must not.
    let secret_role = "内密法務対策室";
    let roles = project.path().join("policy-src/roles.yaml");
    let text = std::fs::read_to_string(&roles).unwrap();
    let text = text.replacen(
        "  - id: legal\n    name: 法務担当\n",
        &format!("  - id: legal\n    name: {secret_role}\n    visibility: restricted\n"),
        1,
    );
    assert!(text.contains("visibility: restricted"));
    std::fs::write(&roles, text).unwrap();
    let reg = project
        .path()
        .join("policy-src/regulation/incident-response-regulation.md");
    let md = std::fs::read_to_string(&reg).unwrap();
    std::fs::write(
        &reg,
        md.replacen("owner: role:security-committee", "owner: role:legal", 1),
    )
    .unwrap();

    let (_e, employees) = pdf(project.path(), &["--audience", "employees"]);
    assert!(!employees.join("doc-secret-guideline.pdf").exists());
    for (name, _) in common::tree(&employees) {
        let file = employees.join(&name);
        let text = pdftotext(&file);
        let raw = decompressed(&file);
        for s in [secret_doc, secret_text, secret_role] {
            assert!(!text.contains(s), "{name} shows restricted text {s}");
            let utf16: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
            assert!(!raw.contains(s), "{name} holds restricted text {s} (UTF-8)");
            assert!(
                !raw.as_bytes().windows(utf16.len()).any(|w| w == utf16),
                "{name} holds restricted text {s} (UTF-16)"
            );
        }
    }
    // The restricted PDFs have both (so the probe can fail).
    let (_r, restricted) = pdf(project.path(), &["--audience", "restricted"]);
    let text = pdftotext(&restricted.join("doc-secret-guideline.pdf"));
    assert!(squash(&text).contains(secret_text));
    let reg = pdftotext(&restricted.join("doc-incident-response-regulation.pdf"));
    assert!(reg.contains(secret_role));
}

#[test]
fn the_site_links_its_pdfs_and_the_bundle_holds_them() {
    let project = example();
    let o = common::kitei_with_pdfs(project.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .arg("build")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let site = project.path().join("site");
    for (page, pdf) in [
        (
            "doc-incident-response-regulation.html",
            "pdf/doc-incident-response-regulation.pdf",
        ),
        ("runbook-malware.html", "pdf/runbook-malware.pdf"),
        ("contacts.html", "pdf/contacts.pdf"),
    ] {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        assert!(
            html.contains(&format!("href=\"{pdf}\"")),
            "{page} does not link {pdf}"
        );
        let bytes = std::fs::read(site.join(pdf)).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{pdf}");
    }
    // The PDFs of `kitei pdf` and of the site are the same bytes.
    let (_dir, out) = pdf(project.path(), &[]);
    for (name, bytes) in common::tree(&out) {
        assert!(
            std::fs::read(site.join("pdf").join(&name)).unwrap() == bytes,
            "{name} differs"
        );
    }
    // The sealed bundle holds them in its payload (restricted audience: the auditor's copy).
    let zip = std::fs::read_dir(project.path().join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .expect("a bundle");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().to_string())
        .collect();
    for pdf in [
        "contacts.pdf",
        "doc-incident-response-regulation.pdf",
        "runbook-malware.pdf",
    ] {
        assert!(
            names
                .iter()
                .any(|n| n.ends_with(&format!("site/pdf/{pdf}"))),
            "bundle has no {pdf}: {names:?}"
        );
    }
    let manifest = names
        .iter()
        .find(|n| n.ends_with("manifest-sha256.txt"))
        .unwrap()
        .clone();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(&manifest).unwrap(), &mut text).unwrap();
    assert!(
        text.contains("site/pdf/contacts.pdf"),
        "the manifest lists the PDFs"
    );
}

#[test]
fn the_comparison_pdf_is_landscape_with_old_and_new_text_and_elisions() {
    if !tools() {
        return;
    }
    let project = example();
    let dir = project.path();
    common::git_at(dir, &["init", "-q", "-b", "main"], COMMITTED);
    common::git_at(dir, &["add", "-A"], COMMITTED);
    common::git_at(dir, &["commit", "-qm", "2026.1"], COMMITTED);
    common::git_at(
        dir,
        &["tag", "-a", "policy-v2026.1", "-m", "2026.1"],
        COMMITTED,
    );
    let reg = dir.join("policy-src/regulation/incident-response-regulation.md");
    let md = std::fs::read_to_string(&reg).unwrap();
    let old =
        "本規程は、当社の役員及び従業員（派遣社員を含む。以下「従業員等」という。）に適用する。";
    let new = "本規程は、当社の役員、従業員及び業務委託先の常駐者（派遣社員を含む。以下「従業員等」という。）に適用する。";
    assert!(md.contains(old));
    // Effective 2026-10-15: at the pinned date (2026-11-01) the acknowledgements of 2026.2 are
    // still pending (warnings), not overdue (errors that stop `kitei pdf`).
    let md = md
        .replacen(old, new, 1)
        .replacen("version: \"2026.1\"", "version: \"2026.2\"", 1)
        .replacen("effective_on: 2026-04-01", "effective_on: 2026-10-15", 1);
    std::fs::write(&reg, md).unwrap();
    common::git_at(dir, &["commit", "-qam", "2026.2"], COMMITTED);
    common::git_at(
        dir,
        &["tag", "-a", "policy-v2026.2", "-m", "2026.2"],
        COMMITTED,
    );
    let (_d, out) = pdf(dir, &["--compare", "2026.1", "2026.2"]);
    let file = out.join("compare-2026.1-2026.2.pdf");
    assert_sound(&file);
    let info = Command::new("pdfinfo").arg(&file).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains("841.89 x 595.276"),
        "not A4 landscape: {info}"
    );
    let flat = squash(&pdftotext_raw(&file));
    for want in ["改正後", "改正前", "備考", "（略）", "新旧対照表", "変更"] {
        assert!(flat.contains(want), "no {want}: {flat}");
    }
    assert!(
        flat.contains(&squash(new)) && flat.contains(&squash(old)),
        "{flat}"
    );
    // Only the changed clause is printed in full: 第1条 and 第3条 onwards are elided.
    assert!(
        !flat.contains("情報システムと事業を速やかに復旧する"),
        "an unchanged clause is printed"
    );
    render_first_page(&file, "compare");

    // The site offers the same PDF on the release's change notice and comparison page.
    let o = common::kitei_with_pdfs(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--no-seal"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let site = dir.join("site");
    let in_site = std::fs::read(site.join("pdf/compare-2026.1-2026.2.pdf")).unwrap();
    assert!(
        in_site == std::fs::read(&file).unwrap(),
        "the site's comparison PDF differs from kitei pdf --compare's"
    );
    let link = "href=\"pdf/compare-2026.1-2026.2.pdf\"";
    let notice = std::fs::read_to_string(site.join("changes-2026.2.html")).unwrap();
    assert!(
        notice.contains(link),
        "the change notice does not link the PDF"
    );
    let compare_page = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("compare-") && n.ends_with("-2026.1-2026.2.html"))
        .expect("a comparison page");
    let compare_page = std::fs::read_to_string(site.join(compare_page)).unwrap();
    assert!(
        compare_page.contains(link),
        "the comparison page does not link the PDF"
    );
    // The first release has nothing to compare with: no PDF, no link.
    let first = std::fs::read_to_string(site.join("changes-2026.1.html")).unwrap();
    assert!(!first.contains("pdf/compare-"));
}
