//! Acknowledgements as a table (`acknowledgements/**/*.csv`): one row per person, document and
//! revision, the form LMS exports already have and `kitei ack import` writes. It holds the
//! same records as the YAML form and goes through the same checks; it exists because a
//! table of half a million rows parses many times faster as CSV than as YAML.
//!
//! The first line names the columns ([`COLUMNS`], any order; `evidence`, `evidence_sha256`
//! and `receipt` may be left out). Every problem is reported at its file, line and column.

use std::path::Path;

use chrono::NaiveDate;

use crate::diag::{Diagnostic, Loc};
use crate::model::incident::EvidenceFile;
use crate::model::{AckFile, AckMethod, Acknowledgement, At, Date, Ref};

/// The columns of the table, in the order `kitei ack import` writes them.
pub const COLUMNS: [&str; 8] = [
    "document",
    "release",
    "person",
    "on",
    "method",
    "evidence",
    "evidence_sha256",
    "receipt",
];
/// Columns every table must have.
const REQUIRED: [Col; 5] = [
    Col::Document,
    Col::Release,
    Col::Person,
    Col::On,
    Col::Method,
];

/// The diagnostic code of a table that does not have the shape of the records (as K0103 for
/// YAML records).
pub const CODE: &str = crate::source::yaml::CODE;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Document,
    Release,
    Person,
    On,
    Method,
    Evidence,
    EvidenceSha256,
    Receipt,
}

const ALL: [Col; 8] = [
    Col::Document,
    Col::Release,
    Col::Person,
    Col::On,
    Col::Method,
    Col::Evidence,
    Col::EvidenceSha256,
    Col::Receipt,
];

impl Col {
    fn name(self) -> &'static str {
        COLUMNS[self as usize]
    }
}

/// Parses the table `text` of `display` into one [`AckFile`] per document and version, in the
/// order they first appear; every value carries the line and column of its cell.
pub fn parse(text: &str, display: &Path) -> Result<Vec<AckFile>, Diagnostic> {
    let err = |line: u64, column: u32, message: String, help: &str| {
        Diagnostic::error(CODE, message)
            .at(Loc::new(display, line as u32, column))
            .help(help.to_string())
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let header = loop {
        match reader.read_record(&mut record) {
            Ok(false) => {
                return Err(err(
                    1,
                    1,
                    "the acknowledgement table is empty".into(),
                    &format!(
                        "write the header line `{}` and one row per acknowledgement, or delete the file",
                        COLUMNS.join(",")
                    ),
                ));
            }
            Ok(true) if record.iter().all(|c| c.trim().is_empty()) => continue,
            Ok(true) => break record.clone(),
            Err(e) => return Err(csv_error(&e, display)),
        }
    };
    // The csv crate's line numbers skip blank lines; the byte offsets are right.
    let mut lines = Lines::default();
    let header_line = lines.of(text, &header);
    // Which field of a row each column is.
    let mut at: [Option<usize>; 8] = [None; 8];
    let mut columns = Vec::new();
    field_columns(text, &header, &mut columns);
    for (i, name) in header.iter().enumerate() {
        let column = columns[i];
        let Some(col) = ALL.iter().find(|c| c.name() == name.trim()) else {
            return Err(err(
                header_line,
                column,
                format!(
                    "`{}` is not a column of an acknowledgement table",
                    name.trim()
                ),
                &format!(
                    "the columns are {} (see docs/formats.md); rename or remove this one",
                    COLUMNS.join(", ")
                ),
            ));
        };
        if at[*col as usize].replace(i).is_some() {
            return Err(err(
                header_line,
                column,
                format!("the column `{}` is named twice", col.name()),
                "keep one of the two columns",
            ));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| at[**c as usize].is_none()) {
        return Err(err(
            header_line,
            1,
            format!("the table has no `{}` column", missing.name()),
            &format!(
                "the first line names the columns: at least {}",
                REQUIRED.map(|c| c.name()).join(", ")
            ),
        ));
    }
    if at[Col::Evidence as usize].is_some() != at[Col::EvidenceSha256 as usize].is_some() {
        return Err(err(
            header_line,
            1,
            "`evidence` and `evidence_sha256` come together".into(),
            "add the missing column (an evidence file is recorded with its SHA-256)",
        ));
    }

    let mut files: Vec<AckFile> = Vec::new();
    // The group of the previous row: rows of one document and version usually follow each other.
    let mut last: Option<(String, String, usize)> = None;
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(&e, display))?
    {
        let line = lines.of(text, &record);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        field_columns(text, &record, &mut columns);
        if record.len() != header.len() {
            return Err(err(
                line,
                1,
                format!(
                    "this row has {} cells, the header line {}",
                    record.len(),
                    header.len()
                ),
                "every row has one cell per column (leave a cell empty, but keep its comma); \
                 quote a cell that holds a comma: \"a, b\"",
            ));
        }
        let cell = |col: Col| -> Option<(&str, u32)> {
            let i = at[col as usize]?;
            let value = record.get(i)?.trim();
            (!value.is_empty()).then_some((value, columns[i]))
        };
        let required = |col: Col| -> Result<(&str, u32), Diagnostic> {
            cell(col).ok_or_else(|| {
                let i = at[col as usize].expect("required columns are present");
                err(
                    line,
                    columns[i],
                    format!("`{}` is empty", col.name()),
                    "every acknowledgement names its document, release, person, date and method",
                )
            })
        };
        let (document, document_col) = required(Col::Document)?;
        let (release, release_col) = required(Col::Release)?;
        let group = match &last {
            Some((d, r, g)) if d == document && r == release => *g,
            _ => {
                let found = files.iter().position(|f| {
                    f.release.value == release && document_matches(&f.document.value, document)
                });
                let g = match found {
                    Some(g) => g,
                    None => {
                        let reference: Ref = document
                            .parse()
                            .map_err(|m: String| err(line, document_col, m, DOC_HELP))?;
                        files.push(AckFile {
                            document: At::new(reference, line as u32, document_col),
                            release: At::new(release.to_string(), line as u32, release_col),
                            acknowledgements: Vec::new(),
                        });
                        files.len() - 1
                    }
                };
                last = Some((document.to_string(), release.to_string(), g));
                g
            }
        };
        let (person, person_col) = required(Col::Person)?;
        let (on, on_col) = required(Col::On)?;
        let on =
            parse_date(on).map_err(|m| err(line, on_col, m, "write the date as YYYY-MM-DD"))?;
        let (method, method_col) = required(Col::Method)?;
        let method = AckMethod::parse(method).ok_or_else(|| {
            err(
                line,
                method_col,
                format!("`{method}` is not a method"),
                &format!(
                    "write one of {}",
                    AckMethod::ALL.map(|m| m.as_str()).join(", ")
                ),
            )
        })?;
        let evidence = match (cell(Col::Evidence), cell(Col::EvidenceSha256)) {
            (None, None) => None,
            (Some((path, path_col)), Some((sha256, sha_col))) => Some(EvidenceFile {
                path: At::new(path.to_string(), line as u32, path_col),
                sha256: At::new(sha256.to_string(), line as u32, sha_col),
                description: None,
                controls: Vec::new(),
            }),
            (Some(_), None) | (None, Some(_)) => {
                let i = at[Col::EvidenceSha256 as usize].expect("checked with the header");
                return Err(err(
                    line,
                    columns[i],
                    "an evidence file needs both `evidence` and `evidence_sha256`".into(),
                    "fill in both cells (the path inside the source folder and its SHA-256), or neither",
                ));
            }
        };
        let line = line as u32;
        files[group].acknowledgements.push(Acknowledgement {
            person: At::new(person.to_string(), line, person_col),
            on: At::new(on, line, on_col),
            method: At::new(method, line, method_col),
            evidence,
            receipt: cell(Col::Receipt).map(|(r, _)| r.to_string()),
        });
    }
    Ok(files)
}

const DOC_HELP: &str = "write the document as `doc:<id>`, e.g. doc:incident-response-regulation";

/// Whether the cell `written` names `reference` (as `doc:<id>`).
fn document_matches(reference: &Ref, written: &str) -> bool {
    written
        .split_once(':')
        .is_some_and(|(prefix, id)| prefix == reference.kind.prefix() && id == reference.id)
}

/// `YYYY-MM-DD`, read without chrono's format machinery in the common case (half a million
/// dates), with the YAML form's message when it is not a date.
fn parse_date(s: &str) -> Result<Date, String> {
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10))
            && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
        {
            return Ok(Date(date));
        }
    }
    s.parse()
}

/// The 1-based character columns where the fields of `record` start in `text` (counting the
/// quotes and separators of the raw line), into `out`.
fn field_columns(text: &str, record: &csv::StringRecord, out: &mut Vec<u32>) {
    out.clear();
    out.push(1);
    let start = record_start(text, record);
    let raw = text.get(start..).unwrap_or("");
    let mut quoted = false;
    for (column, c) in raw.chars().enumerate() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(column as u32 + 2),
            '\n' if !quoted => break,
            _ => {}
        }
    }
    out.resize(record.len().max(out.len()), 1);
}

/// Where `record` starts in `text`: its byte offset, past the blank lines the reader skipped.
fn record_start(text: &str, record: &csv::StringRecord) -> usize {
    let at = record.position().map_or(0, |p| p.byte() as usize);
    let rest = text.as_bytes().get(at..).unwrap_or_default();
    at + rest
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .count()
}

/// Line numbers of records, counted from their byte offsets as the reader moves forward.
#[derive(Default)]
struct Lines {
    byte: usize,
    line: u64,
}

impl Lines {
    /// The 1-based line where `record` starts (records come in order).
    fn of(&mut self, text: &str, record: &csv::StringRecord) -> u64 {
        let start = record_start(text, record).max(self.byte);
        let passed = text.as_bytes()[self.byte..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.line += passed as u64;
        self.byte = start;
        self.line + 1
    }
}

/// A CSV syntax problem (a quote left open, invalid UTF-8) with its line.
fn csv_error(e: &csv::Error, display: &Path) -> Diagnostic {
    let line = e.position().map_or(0, |p| p.line() as u32);
    Diagnostic::error(
        CODE,
        format!("the acknowledgement table cannot be read: {e}"),
    )
    .at(Loc::new(display, line, 1))
    .help("close every quoted cell with `\"` and write a quote inside one as `\"\"`")
}

/// The table's text for `files` (the rows in order), as `kitei ack import` writes it.
pub fn write(files: &[(&str, &str, &Acknowledgement)]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(COLUMNS).expect("writing to memory");
    for (document, release, a) in files {
        let (path, sha256) = match &a.evidence {
            Some(e) => (e.path.value.as_str(), e.sha256.value.as_str()),
            None => ("", ""),
        };
        let on = a.on.value.to_string();
        w.write_record([
            *document,
            *release,
            a.person.value.as_str(),
            on.as_str(),
            a.method.value.as_str(),
            path,
            sha256,
            a.receipt.as_deref().unwrap_or(""),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 cells")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Result<Vec<AckFile>, Diagnostic> {
        parse(text, Path::new("acknowledgements/t.csv"))
    }

    /// The message and `line:column` of the table's problem.
    fn problem(text: &str) -> (String, u32, u32) {
        let d = table(text).expect_err("a problem");
        let loc = d.location.clone().expect("a location");
        assert_eq!(d.code, CODE);
        assert!(d.help.is_some(), "{d:?}");
        (d.message, loc.line, loc.column)
    }

    const HEAD: &str = "document,release,person,on,method\n";

    #[test]
    fn rows_group_by_document_and_version_with_their_positions() {
        let text = "\u{feff}person,on,method,document,release,receipt\n\
                    M1,2026-04-03,lms,doc:reg,2026.1,\n\
                    \n\
                    \"M2\",2026-4-5,site-receipt,doc:reg,2026.1,r-1\n\
                    M1,2025-04-03,paper,doc:reg,2025.1,\n\
                    M3,2026-04-06,lms,doc:reg,2026.1,\n";
        let files = table(text.trim_start_matches('\u{feff}')).unwrap();
        assert_eq!(files.len(), 2);
        let (a, b) = (&files[0], &files[1]);
        assert_eq!(a.document.value.to_string(), "doc:reg");
        assert_eq!((a.release.value.as_str(), a.release.line), ("2026.1", 2));
        assert_eq!(b.release.value, "2025.1");
        let people: Vec<(&str, u32)> = a
            .acknowledgements
            .iter()
            .map(|x| (x.person.value.as_str(), x.person.line))
            .collect();
        assert_eq!(people, [("M1", 2), ("M2", 4), ("M3", 6)]);
        let m2 = &a.acknowledgements[1];
        assert_eq!(m2.on.value.to_string(), "2026-04-05");
        assert_eq!((m2.on.line, m2.on.column), (4, 6));
        assert_eq!(m2.method.value, AckMethod::SiteReceipt);
        assert_eq!(m2.receipt.as_deref(), Some("r-1"));
        assert_eq!(b.acknowledgements[0].method.value, AckMethod::Paper);
    }

    #[test]
    fn written_tables_read_back_as_the_same_records() {
        let text = format!(
            "{HEAD}doc:reg,2026.1,\"山田, 太郎\",2026-04-03,lms\n\
             doc:reg,2026.1,M2,2026-04-04,paper\n"
        );
        let mut files = table(&text).unwrap();
        files[0].acknowledgements[1].evidence = Some(EvidenceFile {
            path: At::new("evidence/a \"b\".pdf".into(), 0, 0),
            sha256: At::new("ab".repeat(32), 0, 0),
            description: None,
            controls: Vec::new(),
        });
        let rows: Vec<(&str, &str, &Acknowledgement)> = files[0]
            .acknowledgements
            .iter()
            .map(|a| ("doc:reg", "2026.1", a))
            .collect();
        let written = write(&rows);
        assert!(written.starts_with(&COLUMNS.join(",")), "{written}");
        let back = table(&written).unwrap();
        assert_eq!(back.len(), 1);
        let a = &back[0].acknowledgements;
        assert_eq!(a[0].person.value, "山田, 太郎");
        let e = a[1].evidence.as_ref().unwrap();
        assert_eq!(e.path.value, "evidence/a \"b\".pdf");
        assert_eq!(e.sha256.value, "ab".repeat(32));
        assert_eq!(write(&rows), written, "deterministic");
    }

    #[test]
    fn every_problem_names_its_line_and_column() {
        let cases: &[(&str, &str, u32, u32)] = &[
            ("", "is empty", 1, 1),
            (
                "document,release,person,on,method,dept\n",
                "`dept` is not a column",
                1,
                35,
            ),
            (
                "document,release,person,on,on,method\n",
                "`on` is named twice",
                1,
                28,
            ),
            ("document,release,person,method\n", "no `on` column", 1, 1),
            (
                "document,release,person,on,method,evidence\n",
                "come together",
                1,
                1,
            ),
            (
                "document,release,person,on,method\ndoc:r,1,M1,2026-02-30,lms\n",
                "not a date",
                2,
                12,
            ),
            (
                "document,release,person,on,method\ndoc:r,1,M1,2026-02-03,email\n",
                "`email` is not a method",
                2,
                23,
            ),
            (
                "document,release,person,on,method\ndoc:r,1,,2026-02-03,lms\n",
                "`person` is empty",
                2,
                9,
            ),
            (
                "document,release,person,on,method\ndoc:r,1,M1,2026-02-03\n",
                "4 cells",
                2,
                1,
            ),
            (
                "document,release,person,on,method\nreg,1,M1,2026-02-03,lms\n",
                "not a typed reference",
                2,
                1,
            ),
            (
                "document,release,person,on,method\ndoc:r,1,M1,2026-02-03,lms\ndoc:r,1,\"M2,2026-02-03,lms\n",
                "3 cells",
                3,
                1,
            ),
        ];
        for (text, message, line, column) in cases {
            let (m, l, c) = problem(text);
            assert!(m.contains(message), "{text:?}: {m}");
            assert_eq!((l, c), (*line, *column), "{text:?}: {m}");
        }
        let half = "document,release,person,on,method,evidence,evidence_sha256\n\
                    doc:r,1,M1,2026-02-03,paper,evidence/x.pdf,\n";
        let (m, l, c) = problem(half);
        assert!(m.contains("both"), "{m}");
        assert_eq!((l, c), (2, 44));
    }

    #[test]
    fn a_header_alone_is_a_table_without_rows() {
        assert!(table(HEAD).unwrap().is_empty());
    }
}
