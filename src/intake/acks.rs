//! `kitei ack import`: acknowledgements from an LMS or form export (CSV), and the receipts
//! of the site's button (`kitei ack import-mail`), written to
//! `acknowledgements/<document>-<version>-<name>.csv` (the table form: one row per person). An acknowledgement already recorded
//! (same person, document and version, in any file) is skipped, so importing the same file
//! twice changes nothing; a person not on the roster, an unknown document or version, a bad
//! date and a row listed twice are reported with their line and not imported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use super::table;
use crate::check::acknowledgements::revisions;
use crate::model::incident::EvidenceFile;
use crate::model::{AckMethod, Acknowledgement, At, Corpus, Date};

/// The fields an acknowledgement column may map to.
pub const FIELDS: &[&str] = &["person", "on", "method", "document", "release", "receipt"];
const REQUIRED: &[&str] = &["person", "on"];
/// Headers LMS and form exports use, recognised without `--map`.
const ALIASES: &[(&str, &str)] = &[
    ("社員番号", "person"),
    ("従業員番号", "person"),
    ("受講者ID", "person"),
    ("ユーザーID", "person"),
    ("id", "person"),
    ("完了日", "on"),
    ("受講完了日", "on"),
    ("確認日", "on"),
    ("回答日時", "on"),
    ("date", "on"),
    ("方法", "method"),
    ("文書", "document"),
    ("版", "release"),
    ("version", "release"),
];

/// What applies to every row that does not say otherwise (the command's flags).
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// `doc:<id>` or `<id>`.
    pub document: Option<String>,
    pub release: Option<String>,
    pub method: Option<AckMethod>,
    /// An evidence file inside the source folder (the scanned forms, the minutes).
    pub evidence: Option<String>,
}

/// One acknowledgement to record, with where it came from (for messages).
#[derive(Debug, Clone)]
pub struct Incoming {
    /// `FILE:LINE` (a CSV row) or the mail file.
    pub origin: String,
    pub document: String,
    pub release: String,
    pub ack: Acknowledgement,
}

/// What an import found and would write.
#[derive(Debug, Default)]
pub struct Outcome {
    pub encoding: Option<&'static str>,
    pub unknown_columns: Vec<String>,
    /// New acknowledgements by target file (relative to the source folder).
    pub added: BTreeMap<PathBuf, usize>,
    /// Already recorded (same person, document and version).
    pub already: usize,
    /// Not imported: (origin, why).
    pub problems: Vec<(String, String)>,
    /// Files to write: (path relative to the source folder, full text).
    pub writes: Vec<(PathBuf, String)>,
    /// The origins of the acknowledgements that are written.
    pub recorded: Vec<String>,
}

/// Reads the CSV `file` into acknowledgements (problems per row into `problems`).
pub fn from_csv(
    file: &Path,
    map_arg: Option<&str>,
    defaults: &Defaults,
    problems: &mut Vec<(String, String)>,
) -> Result<(Vec<Incoming>, &'static str, Vec<String>), String> {
    let t = table::read(file)?;
    let m = table::map(&t.headers, FIELDS, REQUIRED, ALIASES, map_arg)?;
    if !m.has("document") && defaults.document.is_none() {
        return Err("which document? give --document doc:<id> (or a `document` column)".into());
    }
    if !m.has("release") && defaults.release.is_none() {
        return Err(
            "which version? give --release VERSION, e.g. 2026.1 (or a `release` column)".into(),
        );
    }
    if !m.has("method") && defaults.method.is_none() {
        return Err(format!(
            "how were they given? give --method {} (or a `method` column)",
            AckMethod::ALL.map(|m| m.as_str()).join("|")
        ));
    }
    let name = file.display().to_string();
    let mut out = Vec::new();
    for row in &t.rows {
        let origin = format!("{name}:{}", row.line);
        let field = |f: &str, default: &Option<String>| {
            m.get(row, f)
                .map(str::to_string)
                .or_else(|| default.clone())
        };
        let (Some(person), Some(on)) = (m.get(row, "person"), m.get(row, "on")) else {
            problems.push((origin, "no person or no date in this row".into()));
            continue;
        };
        let Some(date) = table::parse_date(on) else {
            problems.push((
                origin,
                format!("`{on}` is not a date (write 2026-04-03 or 2026/4/3)"),
            ));
            continue;
        };
        let method = match m.get(row, "method") {
            Some(cell) => match AckMethod::parse(cell) {
                Some(method) => method,
                None => {
                    problems.push((
                        origin,
                        format!(
                            "`{cell}` is not a method ({})",
                            AckMethod::ALL.map(|m| m.as_str()).join(", ")
                        ),
                    ));
                    continue;
                }
            },
            None => defaults.method.expect("checked above"),
        };
        let (Some(document), Some(release)) = (
            field("document", &defaults.document),
            field("release", &defaults.release),
        ) else {
            problems.push((origin, "no document or version for this row".into()));
            continue;
        };
        out.push(Incoming {
            origin,
            document: document.trim_start_matches("doc:").to_string(),
            release,
            ack: Acknowledgement {
                person: At::new(person.to_string(), 0, 0),
                on: At::new(Date(date), 0, 0),
                method: At::new(method, 0, 0),
                evidence: None,
                receipt: m.get(row, "receipt").map(str::to_string),
            },
        });
    }
    Ok((out, t.encoding, m.unknown))
}

/// Decides which of `incoming` to record against the corpus (roster, documents, what is
/// recorded already) and makes the files to write. `name` names the import's files
/// (`<document>-<version>-<name>.csv`).
pub fn plan(
    corpus: &Corpus,
    incoming: Vec<Incoming>,
    defaults: &Defaults,
    name: &str,
    out: &mut Outcome,
) -> Result<(), String> {
    let evidence = match &defaults.evidence {
        Some(path) => Some(evidence_file(&corpus.root, path)?),
        None => None,
    };
    let roster: FxHashSet<&str> = corpus.roster.iter().map(|p| p.id.value.as_str()).collect();
    let mut recorded: FxHashSet<(String, String, String)> = corpus
        .acknowledgements
        .iter()
        .flat_map(|f| {
            f.acknowledgements.iter().map(move |a| {
                (
                    f.document.value.id.clone(),
                    f.release.value.clone(),
                    a.person.value.clone(),
                )
            })
        })
        .collect();
    let mut first_seen: BTreeMap<(String, String, String), String> = BTreeMap::new();
    let mut groups: BTreeMap<(String, String), Vec<Acknowledgement>> = BTreeMap::new();
    for inc in incoming {
        let Some(doc) = corpus.document(&inc.document) else {
            out.problems.push((
                inc.origin,
                format!("`doc:{}` is not a document of this policy", inc.document),
            ));
            continue;
        };
        let revs = revisions(doc);
        if !revs.iter().any(|r| r.version == inc.release) {
            let known: Vec<&str> = revs.iter().map(|r| r.version.as_str()).collect();
            out.problems.push((
                inc.origin,
                format!(
                    "`{}` has no version `{}` (it has {})",
                    inc.document,
                    inc.release,
                    known.join(", ")
                ),
            ));
            continue;
        }
        let person = inc.ack.person.value.clone();
        if !roster.contains(person.as_str()) {
            out.problems.push((
                inc.origin,
                format!("`{person}` is not on the roster: add them (`kitei roster import`) and import again"),
            ));
            continue;
        }
        let key = (inc.document.clone(), inc.release.clone(), person.clone());
        if let Some(first) = first_seen.get(&key) {
            out.problems.push((
                inc.origin,
                format!(
                    "`{person}` is listed twice for {} {} (first at {first}); the first is kept",
                    inc.document, inc.release
                ),
            ));
            continue;
        }
        first_seen.insert(key.clone(), inc.origin.clone());
        if !recorded.insert(key) {
            out.already += 1;
            continue;
        }
        let mut ack = inc.ack;
        if ack.method.value.needs_evidence() && ack.evidence.is_none() {
            match &evidence {
                Some(e) => ack.evidence = Some(e.clone()),
                None => {
                    out.problems.push((
                        inc.origin,
                        format!(
                            "a `{}` acknowledgement needs its evidence file: give --evidence PATH",
                            ack.method.value.as_str()
                        ),
                    ));
                    recorded.remove(&(inc.document.clone(), inc.release.clone(), person));
                    continue;
                }
            }
        }
        out.recorded.push(inc.origin);
        groups
            .entry((inc.document, inc.release))
            .or_default()
            .push(ack);
    }
    for ((document, release), acks) in groups {
        let rel = PathBuf::from("acknowledgements")
            .join(format!("{document}-{release}-{}.csv", slug(name)));
        out.added.insert(rel.clone(), acks.len());
        let text = file_text(corpus, &rel, &document, &release, &acks);
        out.writes.push((rel, text));
    }
    Ok(())
}

/// The table's text: its rows so far (when kitei wrote it before) and the new ones.
fn file_text(
    corpus: &Corpus,
    rel: &Path,
    document: &str,
    release: &str,
    new: &[Acknowledgement],
) -> String {
    let new_document = format!("doc:{document}");
    let mut rows: Vec<(String, &str, &Acknowledgement)> = corpus
        .acknowledgements
        .iter()
        .filter(|f| corpus.files[f.file].rel_path == rel)
        .flat_map(|f| {
            let document = f.document.value.to_string();
            f.acknowledgements
                .iter()
                .map(move |a| (document.clone(), f.release.value.as_str(), a))
        })
        .collect();
    rows.extend(new.iter().map(|a| (new_document.clone(), release, a)));
    let rows: Vec<(&str, &str, &Acknowledgement)> =
        rows.iter().map(|(d, r, a)| (d.as_str(), *r, *a)).collect();
    crate::source::ack_table::write(&rows)
}

/// The evidence file at `path` (inside the source folder) with its SHA-256.
fn evidence_file(root: &Path, path: &str) -> Result<EvidenceFile, String> {
    let full = crate::source::resolve_evidence_path(root, path)?;
    let sha256 = crate::digest::sha256_file(&full).map_err(|e| {
        format!("cannot read the evidence file {path} inside the source folder: {e}")
    })?;
    Ok(EvidenceFile {
        path: At::new(path.to_string(), 0, 0),
        sha256: At::new(sha256, 0, 0),
        description: None,
        controls: Vec::new(),
    })
}

/// A file-name-safe form of the import's name (the CSV's stem).
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "import".into() } else { s }
}
