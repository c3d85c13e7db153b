//! `kitei import`: the regulations companies already have (Word, Markdown, plain text) into
//! kitei's source format, losslessly, with an import report.
//!
//! This module is a library: bytes in, documents and a report out; it prints nothing and
//! writes nothing (the command in `main.rs` does). The flow:
//! `decode`/`docx` → [`Block`]s → `outline` (clauses, items, paragraphs, tables, anchors) →
//! `emit` (Markdown) → `extract` (data drafts, dates, decisions) → `report`.

pub mod decode;
pub mod docx;
pub mod drafts;
pub mod emit;
pub mod extract;
pub mod markdown_in;
pub mod numbering;
pub mod outline;
pub mod report;
pub mod text;

use outline::{Node, Outline};

/// A unit of the source before structure detection.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A line of text (a paragraph in Word) with its indentation and source line; `heading`
    /// is a heading level the source declared (a Word heading style).
    Line {
        text: String,
        indent: usize,
        line: u32,
        heading: Option<u8>,
    },
    Blank,
    Table {
        rows: Vec<Vec<String>>,
        line: u32,
    },
}

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The document id (default: from the file name).
    pub id: Option<String>,
}

/// The source formats `kitei import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Docx,
}

impl Format {
    /// The format of a file by its extension.
    pub fn of(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }
}

/// One imported document.
#[derive(Debug)]
pub struct ImportedDocument {
    /// The file it came from, as given.
    pub source_name: String,
    pub format: Format,
    /// `UTF-8`, `Shift_JIS (CP932)`, … (`OOXML` for Word).
    pub encoding: &'static str,
    pub converted: bool,
    pub id: String,
    pub title: String,
    /// The source's text as read (decoded; for Word, one paragraph per line; for Markdown,
    /// without its front matter), for the round-trip comparison.
    pub source_text: String,
    /// The Markdown body (without front matter).
    pub body: String,
    pub outline: Outline,
    /// What a person must decide (approver, effective date, review cycle, owner …): (what,
    /// what the text says about it).
    pub decisions: Vec<(String, String)>,
    /// Other things read out of the prose (dates, review cycle): (what, detail).
    pub recognised: Vec<(String, String)>,
    /// Data read out of the prose and tables.
    pub extracted: extract::Extracted,
    /// What of the source was not copied into the body as it stood, by source line (the front
    /// matter of a Markdown source; Word text boxes and footnotes, which are moved).
    pub skipped: Vec<(u32, String)>,
}

impl ImportedDocument {
    /// The source file's name without its folder.
    pub fn file_name(&self) -> String {
        std::path::Path::new(&self.source_name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Where the document goes in the source folder.
    pub fn path(&self) -> String {
        format!("regulation/{}.md", self.id)
    }

    /// The whole Markdown file: front matter and body. Fields only a person can decide are
    /// left as comments (the import report lists them); `kitei check` reports them missing.
    pub fn file_text(&self) -> String {
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut fm = String::from("---\n");
        fm.push_str(&format!(
            "# Imported by `kitei import` from {} ({}). Review the import report, fill in the\n# fields below, then remove these comments.\n",
            self.file_name(),
            self.encoding
        ));
        fm.push_str(&format!("id: {}\n", self.id));
        fm.push_str("kind: regulation\n");
        fm.push_str(&format!("title: {}\n", quote(&self.title)));
        fm.push_str("visibility: employees\n");
        let x = &self.extracted;
        let first = |kind: extract::DateKind| x.dates.iter().find(|d| d.kind == kind);
        let mut read = String::new();
        for (field, kind) in [
            ("approved_on", extract::DateKind::Approved),
            ("effective_on", extract::DateKind::Effective),
        ] {
            match first(kind) {
                Some(d) => match &d.found.date {
                    Ok(date) => read.push_str(&format!(
                        "{field}: {date}   # source line {}: {}\n",
                        d.line, d.found.written
                    )),
                    Err(why) => read.push_str(&format!(
                        "# {field}: YYYY-MM-DD   # source line {} says {}: {why}\n",
                        d.line, d.found.written
                    )),
                },
                None => read.push_str(&format!(
                    "# {field}: YYYY-MM-DD   # not stated in the text\n"
                )),
            }
        }
        match &x.review_cycle {
            Some((written, months, line)) => read.push_str(&format!(
                "review_every: {months} months   # source line {line}: {written}\n"
            )),
            None => read.push_str("# review_every: 12 months   # not stated in the text\n"),
        }
        let mut history: Vec<&extract::DatedLine> = x
            .dates
            .iter()
            .filter(|d| {
                matches!(
                    d.kind,
                    extract::DateKind::Enacted | extract::DateKind::Revised
                ) && d.found.date.is_ok()
            })
            .collect();
        history.sort_by_key(|d| d.found.date.clone().ok());
        history.dedup_by_key(|d| d.found.date.clone().ok());
        if !history.is_empty() {
            read.push_str("changes:   # the revision history stated in the text\n");
            for d in history {
                let date = d.found.date.clone().unwrap_or_default();
                read.push_str(&format!(
                    "  - {{ version: \"{date}\", effective_on: {date}, summary: {} }}   # source line {}\n",
                    quote(&format!("{}（{}）", d.kind.word(), d.found.written)),
                    d.line
                ));
            }
        }
        fm.push_str("# Read from the text: confirm each value.\n");
        fm.push_str(&read);
        fm.push_str("# To decide (see the import report):\n");
        let approver = x
            .approver
            .as_ref()
            .map(|m| format!("   # the text names {} (source line {})", m.name, m.line))
            .unwrap_or_default();
        let owner = x
            .owner
            .as_ref()
            .map(|m| {
                format!(
                    "   # changes are requested from {} (source line {})",
                    m.name, m.line
                )
            })
            .unwrap_or_default();
        let call = x
            .report_to
            .as_ref()
            .map(|m| {
                format!(
                    "   # the text says to report to {} (source line {})",
                    m.name, m.line
                )
            })
            .unwrap_or_default();
        for line in [
            "# version: \"1\"".to_string(),
            format!("# owner: role:…{owner}"),
            format!("# approved_by: role:…{approver}"),
            format!("# incident_now: {{ call: role:…, steps: [\"…\"] }}{call}"),
        ] {
            fm.push_str(&line);
            fm.push('\n');
        }
        fm.push_str("---\n\n");
        fm.push_str(self.body.trim_end());
        fm.push('\n');
        fm
    }
}

/// Why a file could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub file: String,
    pub message: String,
    pub help: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "error: {}: {}\nhelp: {}",
            self.file, self.message, self.help
        )
    }
}

/// An id from a file name: its ASCII letters, digits, `-`, `_` and `.` (`規程_v2.docx` →
/// `v2`), or `regulation` when none are left.
pub fn id_from_name(name: &str) -> String {
    let stem = std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut id = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches(|c| c == '-' || c == '.').to_string();
    if id.is_empty() {
        "regulation".into()
    } else {
        id
    }
}

/// Imports one file (`name` is used for the format, the default id and messages).
pub fn import_document(
    name: &str,
    bytes: &[u8],
    options: &Options,
) -> Result<ImportedDocument, ImportError> {
    let fail = |message: String, help: &str| ImportError {
        file: name.to_string(),
        message,
        help: help.to_string(),
    };
    let format = Format::of(name).ok_or_else(|| {
        fail(
            "unknown file type".into(),
            "kitei import reads .docx, .md and .txt files; save other formats (PDF, .doc, .rtf) as .docx or text first",
        )
    })?;
    let id = match &options.id {
        Some(id) => {
            if id.is_empty() || !id.chars().all(crate::model::values::is_id_char) {
                return Err(fail(
                    format!("`{id}` is not a valid document id"),
                    "ids use letters, digits, `-`, `_` and `.`",
                ));
            }
            id.clone()
        }
        None => id_from_name(name),
    };
    let mut skipped: Vec<(u32, String)> = Vec::new();
    let (encoding, converted, source_text, mut outline, body) = match format {
        Format::Text | Format::Markdown => {
            let decoded = decode::decode(bytes).map_err(|m| {
                fail(
                    format!("cannot read it as text: it {m}"),
                    "save it as UTF-8 (or Shift_JIS) text, or import the .docx",
                )
            })?;
            if format == Format::Markdown {
                // Front matter of the source (another tool's metadata) is not regulation text:
                // it is left out and listed in the report.
                let (text, first_line) = match crate::source::frontmatter::split(&decoded.text) {
                    Ok(split) => {
                        skipped.push((
                            1,
                            format!(
                                "source lines 1–{}: the file's own front matter was not copied (kitei writes its own)",
                                split.body_line - 1
                            ),
                        ));
                        (split.body.to_string(), split.body_line)
                    }
                    Err(_) => (decoded.text.clone(), 1),
                };
                let (outline, body) = markdown_in::read(&text, first_line);
                (decoded.encoding, decoded.converted, text, outline, body)
            } else {
                let blocks = text::blocks(&decoded.text);
                let outline = outline::build(&blocks);
                (
                    decoded.encoding,
                    decoded.converted,
                    decoded.text,
                    outline,
                    String::new(),
                )
            }
        }
        Format::Docx => {
            let (blocks, moved) = docx::blocks(bytes).map_err(|m| {
                fail(
                    format!("cannot read it: it {m}"),
                    "open it in Word or LibreOffice and save it again as .docx (Word 2007 or later)",
                )
            })?;
            skipped.extend(moved);
            let source_text = blocks_text(&blocks);
            let outline = outline::build(&blocks);
            ("OOXML", false, source_text, outline, String::new())
        }
    };
    let title = find_title(&mut outline, format).unwrap_or_else(|| id.clone());
    let body = if format == Format::Markdown {
        body
    } else {
        emit::markdown_with_anchors(&outline.nodes, &outline.anchors)
    };
    let extracted = extract::extract(&outline.nodes);
    let (decisions, recognised) = decisions(&extracted);
    Ok(ImportedDocument {
        source_name: name.to_string(),
        format,
        encoding,
        converted,
        id,
        title,
        source_text,
        body,
        outline,
        decisions,
        recognised,
        extracted,
        skipped,
    })
}

/// What a person must decide, and what else was read out of the text.
type Notes = Vec<(String, String)>;

fn decisions(x: &extract::Extracted) -> (Notes, Notes) {
    let mut decide = Vec::new();
    let mut seen = Vec::new();
    let at = |m: &Option<extract::Mention>| m.as_ref().map(|m| (m.name.clone(), m.line));
    decide.push((
        "approver (`approved_by`)".to_string(),
        match at(&x.approver) {
            Some((name, line)) => format!(
                "the text says {name} approves it (source line {line}); write `approved_by: role:…` with that body's role (a committee)"
            ),
            None => "the text names no approver; write `approved_by: role:…` (a committee)".into(),
        },
    ));
    for (field, kind) in [
        ("approval date (`approved_on`)", extract::DateKind::Approved),
        (
            "effective date (`effective_on`)",
            extract::DateKind::Effective,
        ),
    ] {
        let found = x.dates.iter().find(|d| d.kind == kind);
        let text = match found {
            Some(d) => match &d.found.date {
                Ok(date) => {
                    seen.push((
                        format!("{} date", kind.word()),
                        format!("{date} (source line {}: {})", d.line, d.found.written),
                    ));
                    continue;
                }
                Err(why) => format!("source line {} says {}: {why}", d.line, d.found.written),
            },
            None => "not stated in the text".to_string(),
        };
        decide.push((field.to_string(), text));
    }
    match &x.review_cycle {
        Some((written, months, line)) => seen.push((
            "review cycle".into(),
            format!("{written} (source line {line}) → `review_every: {months} months`"),
        )),
        None => decide.push((
            "review cycle (`review_every`)".into(),
            "not stated for this regulation; write how often it is reviewed (e.g. `12 months`)"
                .into(),
        )),
    }
    decide.push((
        "owner (`owner`)".into(),
        match at(&x.owner) {
            Some((name, line)) => format!(
                "not stated; changes are requested from {name} (source line {line}), a likely owner: write `owner: role:…`"
            ),
            None => "not stated; write `owner: role:…` (the role that maintains the regulation)".into(),
        },
    ));
    decide.push((
        "version (`version`)".into(),
        "not stated; choose a version string, e.g. the year of approval".into(),
    ));
    decide.push((
        "first call (`incident_now`)".into(),
        match at(&x.report_to) {
            Some((name, line)) => format!(
                "the text says to report to {name} (source line {line}); write `incident_now: {{ call: role:…, steps: [...] }}` with up to three first steps"
            ),
            None => "write `incident_now: { call: role:…, steps: [...] }`: whom to call first and up to three first steps".into(),
        },
    ));
    for d in &x.dates {
        if matches!(
            d.kind,
            extract::DateKind::Enacted | extract::DateKind::Revised
        ) {
            match &d.found.date {
                Ok(date) => seen.push((
                    format!("{} date", d.kind.word()),
                    format!(
                        "{date} (source line {}: {}) → `changes`",
                        d.line, d.found.written
                    ),
                )),
                Err(why) => decide.push((
                    format!("{} date", d.kind.word()),
                    format!("source line {} says {}: {why}", d.line, d.found.written),
                )),
            }
        }
    }
    (decide, seen)
}

/// The text of blocks, one line per paragraph and per table row (cells separated by tabs):
/// what a Word document says, for the report and the round-trip comparison.
pub fn blocks_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Line { text, .. } => out.push_str(text),
            Block::Blank => {}
            Block::Table { rows, .. } => {
                let rows: Vec<String> = rows.iter().map(|r| r.join("\t")).collect();
                out.push_str(&rows.join("\n"));
            }
        }
        out.push('\n');
    }
    out
}

/// Words that end the title of a regulation-like document.
const TITLE_WORDS: &[&str] = &[
    "規程",
    "規則",
    "規定",
    "要領",
    "要綱",
    "方針",
    "細則",
    "基準",
    "手順書",
    "マニュアル",
    "ガイドライン",
    "ポリシー",
];

/// The document's title: the first level-1 heading (Markdown), else the first short line
/// before the first clause that ends in a regulation word, else the first short line. In
/// plain text that line becomes the body's `#` heading.
fn find_title(outline: &mut Outline, format: Format) -> Option<String> {
    let declared = outline.nodes.iter().find_map(|n| match n {
        Node::Heading {
            level: 1,
            marker: None,
            text,
            ..
        } => Some(text.clone()),
        _ => None,
    });
    if format == Format::Markdown || declared.is_some() {
        return declared;
    }
    let before_first_clause = outline
        .nodes
        .iter()
        .position(|n| matches!(n, Node::Heading { .. }))
        .unwrap_or(outline.nodes.len());
    let short = |t: &str| t.chars().count() <= 60 && !t.ends_with('。');
    let candidates: Vec<(usize, &str)> = outline.nodes[..before_first_clause]
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match n {
            Node::Paragraph { text, .. } if short(text) => Some((i, text.as_str())),
            _ => None,
        })
        .collect();
    let (index, text) = candidates
        .iter()
        .find(|(_, t)| TITLE_WORDS.iter().any(|w| t.ends_with(w)))
        .or(candidates.first())
        .copied()?;
    let title = text.to_string();
    if let Node::Paragraph { line, .. } = outline.nodes[index] {
        outline.nodes[index] = Node::Heading {
            level: 1,
            text: title.clone(),
            marker: None,
            anchor: None,
            line,
        };
    }
    Some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_file_names() {
        assert_eq!(
            id_from_name("dir/Incident Rules v2.docx"),
            "incident-rules-v2"
        );
        assert_eq!(id_from_name("セキュリティ規程.txt"), "regulation");
        assert_eq!(id_from_name("000_4fe1.txt"), "000_4fe1");
    }

    #[test]
    fn unknown_format_is_an_error_with_help() {
        let e = import_document("a.pdf", b"%PDF", &Options::default()).unwrap_err();
        assert!(e.help.contains(".docx"), "{e}");
    }

    /// Text a reader sees in Markdown, without whitespace.
    fn seen(md: &str) -> String {
        pulldown_cmark::Parser::new_ext(md, crate::source::markdown::options())
            .filter_map(|e| match e {
                pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) => {
                    Some(t.to_string())
                }
                _ => None,
            })
            .collect::<String>()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    #[test]
    fn odd_inputs_import_without_panics_or_loss() {
        for text in [
            "",
            "\n\n \u{3000}\n",
            "第\n（\n【\n【1\n1.\n①\nア\n一\n・\n- \n#\n|\n",
            "第1条\n第1条\n第1条の\n第一条（\n（目的）\n",
            "1章2\n1章\n2章3 x\n\t\t\n\ta\n\n\tb\n",
            "<script>alert(1)</script>\n[x](javascript:alert(1))\n&amp; *a* `c`\n",
            "1. a\n  2. b\n    3. c\n      4. d\n        5. e\n",
        ] {
            let doc = import_document("x.txt", text.as_bytes(), &Options::default())
                .unwrap_or_else(|e| panic!("{text:?}: {e}"));
            let want: String = text
                .lines()
                .map(|l| {
                    let t = l.trim();
                    t.strip_prefix(['・', '•', '·', '●', '◆', '◇', '■', '□'])
                        .unwrap_or(t)
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect::<String>()
                })
                .collect();
            let got = seen(&doc.body);
            assert!(
                got == want,
                "{text:?}\n  want {want}\n  got  {got}\n{}",
                doc.body
            );
            let _ = doc.file_text();
            import_document("x.md", text.as_bytes(), &Options::default()).unwrap();
        }
    }
}
