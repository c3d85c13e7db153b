//! The import report: what was recognised, what was kept verbatim without a place, what a
//! person must decide, the data drafts, and the check findings on the imported files. One
//! model, two renderings: Markdown (written to a file) and plain text (the terminal).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::ImportedDocument;
use super::outline::Node;
use crate::diag::{Diagnostic, Level};

/// A check finding on an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: String,
    pub error: bool,
    pub line: u32,
    pub message: String,
    pub help: Option<String>,
}

impl Finding {
    pub fn from_diagnostic(d: &Diagnostic) -> Finding {
        Finding {
            code: d.code.clone(),
            error: d.level == Level::Error,
            line: d.location.as_ref().map(|l| l.line).unwrap_or(0),
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

/// The report of one imported document.
#[derive(Debug, Clone)]
pub struct DocumentReport {
    pub source: String,
    /// Where the Markdown was written, relative to the project.
    pub written_to: String,
    pub id: String,
    pub title: String,
    pub encoding: String,
    pub converted: bool,
    /// (number as written, title, anchor, line) of each clause.
    pub clauses: Vec<(String, String, String, u32)>,
    /// Clause headings by numbering style.
    pub clause_styles: BTreeMap<&'static str, usize>,
    /// List items by numbering style.
    pub items: BTreeMap<&'static str, usize>,
    pub paragraphs: usize,
    pub tables: usize,
    /// Paragraphs (項) and numbered items (号, （１）…) given an anchor of their own.
    pub anchored: usize,
    /// Notes on the numbering (duplicates, sentences after a chapter number …), by line.
    pub numbering: Vec<(u32, String)>,
    /// Text kept as written that has no place in the outline, by line.
    pub unplaced: Vec<(u32, String)>,
    /// What a person must decide: (what, why / what the text says).
    pub decisions: Vec<(String, String)>,
    /// Other things recognised in the text: (what, detail).
    pub recognised: Vec<(String, String)>,
    pub findings: Vec<Finding>,
}

impl DocumentReport {
    pub fn new(doc: &ImportedDocument, written_to: &str, findings: Vec<Finding>) -> Self {
        let mut clause_styles = BTreeMap::new();
        for c in &doc.outline.clauses {
            *clause_styles.entry(c.style.describe()).or_default() += 1;
        }
        let first_clause = doc
            .outline
            .nodes
            .iter()
            .position(|n| {
                matches!(
                    n,
                    Node::Heading {
                        marker: Some(_),
                        ..
                    }
                )
            })
            .unwrap_or(0);
        let mut unplaced = doc.skipped.clone();
        let mut paragraphs = 0;
        let mut tables = 0;
        for (i, n) in doc.outline.nodes.iter().enumerate() {
            match n {
                Node::Paragraph { text, line } => {
                    paragraphs += 1;
                    if i < first_clause {
                        unplaced.push((*line, format!("before the first clause: {text}")));
                    }
                }
                Node::Table { .. } => tables += 1,
                Node::Heading {
                    marker: None,
                    level,
                    text,
                    line,
                    ..
                } if *level > 1 => {
                    unplaced.push((*line, format!("heading without a clause number: {text}")));
                }
                _ => {}
            }
        }
        unplaced.sort_by_key(|u| u.0);
        DocumentReport {
            source: doc.source_name.clone(),
            written_to: written_to.to_string(),
            id: doc.id.clone(),
            title: doc.title.clone(),
            encoding: doc.encoding.to_string(),
            converted: doc.converted,
            clauses: doc
                .outline
                .clauses
                .iter()
                .map(|c| (c.number.clone(), c.title.clone(), c.anchor.clone(), c.line))
                .collect(),
            clause_styles,
            items: doc.outline.items.clone(),
            paragraphs,
            tables,
            anchored: doc.outline.anchors.len(),
            numbering: doc
                .outline
                .notes
                .iter()
                .map(|n| (n.line, n.message.clone()))
                .collect(),
            unplaced,
            decisions: doc.decisions.clone(),
            recognised: doc.recognised.clone(),
            findings,
        }
    }
}

/// The whole report: every document, the data drafts written, and the check's summary.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub documents: Vec<DocumentReport>,
    /// (file written, what it holds) for each data draft.
    pub drafts: Vec<(String, String)>,
    /// The check's totals over the whole source folder: (errors, warnings), and its date.
    pub check_totals: (usize, usize),
    pub as_of: String,
}

fn counts(map: &BTreeMap<&'static str, usize>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    map.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl Report {
    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "# Import report\n");
        for d in &self.documents {
            let _ = writeln!(o, "## {} → `{}`\n", d.source, d.written_to);
            let _ = writeln!(o, "- id: `{}`; title: {}", d.id, d.title);
            let enc = if d.converted {
                format!("{} (converted to UTF-8)", d.encoding)
            } else {
                d.encoding.clone()
            };
            let _ = writeln!(o, "- encoding: {enc}");
            let _ = writeln!(
                o,
                "- recognised: {} clause headings ({}); list items ({}); {} paragraphs; {} tables; {} paragraphs (項) and numbered items with an anchor of their own\n",
                d.clauses.len(),
                counts(&d.clause_styles),
                counts(&d.items),
                d.paragraphs,
                d.tables,
                d.anchored
            );
            let _ = writeln!(o, "### Clauses\n");
            if d.clauses.is_empty() {
                let _ = writeln!(o, "No numbered clause was recognised.\n");
            } else {
                let _ = writeln!(
                    o,
                    "| source line | number | title | anchor |\n|---:|---|---|---|"
                );
                for (number, title, anchor, line) in &d.clauses {
                    let _ = writeln!(
                        o,
                        "| {line} | {} | {} | `#{anchor}` |",
                        cell(number),
                        cell(title)
                    );
                }
                o.push('\n');
            }
            let sections: [(&str, &Vec<(u32, String)>); 2] = [
                ("Numbering to look at", &d.numbering),
                ("Kept verbatim without a place in the outline", &d.unplaced),
            ];
            for (heading, lines) in sections {
                if lines.is_empty() {
                    continue;
                }
                let _ = writeln!(o, "### {heading}\n");
                for (line, text) in lines {
                    let _ = writeln!(o, "- source line {line}: {text}");
                }
                o.push('\n');
            }
            if !d.recognised.is_empty() {
                let _ = writeln!(o, "### Recognised in the text\n");
                for (what, detail) in &d.recognised {
                    let _ = writeln!(o, "- {what}: {detail}");
                }
                o.push('\n');
            }
            let _ = writeln!(o, "### Needs a human decision\n");
            if d.decisions.is_empty() {
                let _ = writeln!(o, "Nothing.\n");
            } else {
                for (what, why) in &d.decisions {
                    let _ = writeln!(o, "- [ ] **{what}**: {why}");
                }
                o.push('\n');
            }
            let errors = d.findings.iter().filter(|f| f.error).count();
            let _ = writeln!(
                o,
                "### Check findings on `{}`\n\n{} error(s), {} warning(s).\n",
                d.written_to,
                errors,
                d.findings.len() - errors
            );
            if !d.findings.is_empty() {
                let _ = writeln!(
                    o,
                    "| line in the .md | code | level | finding | help |\n|---:|---|---|---|---|"
                );
                for f in &d.findings {
                    let _ = writeln!(
                        o,
                        "| {} | {} | {} | {} | {} |",
                        f.line,
                        f.code,
                        if f.error { "error" } else { "warning" },
                        cell(&f.message),
                        cell(f.help.as_deref().unwrap_or(""))
                    );
                }
                o.push('\n');
            }
        }
        if !self.drafts.is_empty() {
            let _ = writeln!(
                o,
                "## Data drafts (confirm each entry, then move it into the source folder)\n"
            );
            for (file, what) in &self.drafts {
                let _ = writeln!(o, "- `{file}`: {what}");
            }
            o.push('\n');
        }
        let _ = writeln!(
            o,
            "## Check of the source folder\n\n`kitei check` as of {}: {} error(s), {} warning(s) in the whole source folder after the import.",
            self.as_of, self.check_totals.0, self.check_totals.1
        );
        o
    }

    /// A short summary for the terminal.
    pub fn terminal(&self) -> String {
        let mut o = String::new();
        for d in &self.documents {
            let errors = d.findings.iter().filter(|f| f.error).count();
            let _ = writeln!(
                o,
                "imported {} → {} ({})",
                d.source, d.written_to, d.encoding
            );
            if d.converted {
                let _ = writeln!(o, "  note: converted from {} to UTF-8", d.encoding);
            }
            let _ = writeln!(
                o,
                "  {} clauses ({}), {} list items, {} paragraphs, {} tables",
                d.clauses.len(),
                counts(&d.clause_styles),
                d.items.values().sum::<usize>(),
                d.paragraphs,
                d.tables
            );
            for (line, text) in &d.numbering {
                let _ = writeln!(o, "  numbering, source line {line}: {text}");
            }
            if !d.unplaced.is_empty() {
                let _ = writeln!(
                    o,
                    "  {} line(s) kept verbatim without a place (see the report)",
                    d.unplaced.len()
                );
            }
            for (what, why) in &d.decisions {
                let _ = writeln!(o, "  to decide: {what}: {why}");
            }
            let _ = writeln!(
                o,
                "  check: {} error(s), {} warning(s) in {}",
                errors,
                d.findings.len() - errors,
                d.written_to
            );
        }
        for (file, what) in &self.drafts {
            let _ = writeln!(o, "draft {file}: {what}");
        }
        o
    }
}
