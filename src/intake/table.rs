//! A CSV export as HR systems, LMSs and form tools write it: UTF-8 with or without a BOM (what
//! Excel writes with "CSV UTF-8"), or Shift_JIS/CP932 (Excel's plain "CSV" on Japanese
//! Windows), decoded by the importer's decoder; columns mapped to kitei's fields by header name.

use std::collections::BTreeMap;
use std::path::Path;

/// The rows of a CSV file under its header.
pub struct Table {
    /// What the bytes were (`UTF-8 with BOM`, `Shift_JIS (CP932)`, …).
    pub encoding: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row and the line it starts on (1-based, the header is line 1).
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Reads and decodes `path`. An error says what is wrong with the file as a whole.
pub fn read(path: &Path) -> Result<Table, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let decoded =
        crate::import::decode::decode(&bytes).map_err(|e| format!("{} {e}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(decoded.text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}: cannot read the header line: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(format!("{} has no header line", path.display()));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        rows.push(Row { line, cells });
    }
    Ok(Table {
        encoding: decoded.encoding,
        headers,
        rows,
    })
}

/// Which column holds each field, and the columns nobody asked for.
pub struct Mapping {
    by_field: BTreeMap<&'static str, usize>,
    /// Header names of the columns that map to no field (reported, not read).
    pub unknown: Vec<String>,
}

impl Mapping {
    /// The trimmed cell of `field` in `row`, when the column exists and the cell is not empty.
    pub fn get<'r>(&self, row: &'r Row, field: &str) -> Option<&'r str> {
        let i = *self.by_field.get(field)?;
        row.cells
            .get(i)
            .map(String::as_str)
            .filter(|c| !c.is_empty())
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.contains_key(field)
    }
}

/// Maps header columns to `fields`. A column maps to a field when `--map column=field` says
/// so, else when its header is the field's name or one of the usual headers in `aliases`
/// (`社員番号` → `id`). `required` fields must be mapped. Errors are usage errors.
pub fn map(
    headers: &[String],
    fields: &[&'static str],
    required: &[&'static str],
    aliases: &[(&str, &'static str)],
    map_arg: Option<&str>,
) -> Result<Mapping, String> {
    let mut explicit: BTreeMap<String, &'static str> = BTreeMap::new();
    for pair in map_arg
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.trim().is_empty())
    {
        let Some((column, field)) = pair.split_once('=') else {
            return Err(format!("`--map {pair}` is not COLUMN=FIELD"));
        };
        let field = field.trim();
        let Some(&known) = fields.iter().find(|f| **f == field) else {
            return Err(format!(
                "`{field}` in `--map {pair}` is not a field; the fields are {}",
                fields.join(", ")
            ));
        };
        let column = column.trim();
        if !headers.iter().any(|h| h == column) {
            return Err(format!(
                "`--map {pair}`: the file has no column `{column}`; its columns are {}",
                headers.join(", ")
            ));
        }
        explicit.insert(column.to_string(), known);
    }
    let mut by_field = BTreeMap::new();
    let mut unknown = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let field = explicit.get(header).copied().or_else(|| {
            fields
                .iter()
                .copied()
                .find(|f| f.eq_ignore_ascii_case(header))
                .or_else(|| aliases.iter().find(|(a, _)| a == header).map(|(_, f)| *f))
        });
        match field {
            Some(f) if by_field.contains_key(f) => {
                return Err(format!(
                    "two columns map to `{f}` (`{}` and `{header}`); choose one with --map",
                    headers[by_field[f]]
                ));
            }
            Some(f) => {
                by_field.insert(f, i);
            }
            None if header.is_empty() => {}
            None => unknown.push(header.clone()),
        }
    }
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|f| !by_field.contains_key(f))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "no column for {}; the file's columns are {}: map them with --map COLUMN=FIELD,…",
            missing.join(", "),
            headers.join(", ")
        ));
    }
    Ok(Mapping { by_field, unknown })
}

/// A date as exports write it: `2026-04-03`, `2026/4/3`, `2026.4.3`, `2026年4月3日`, with or
/// without a time after it (`2026/04/03 10:15:00`, `2026-04-03T10:15:00+09:00`).
pub fn parse_date(cell: &str) -> Option<chrono::NaiveDate> {
    let date_part = cell.trim().split([' ', 'T', '　']).next()?;
    let normal: String = date_part
        .replace(['/', '.'], "-")
        .replace(['年', '月'], "-")
        .replace('日', "");
    let mut parts = normal.split('-').map(|p| p.trim().parse::<u32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_exports_write_them() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 4, 3).unwrap();
        for cell in [
            "2026-04-03",
            "2026/4/3",
            "2026/04/03 10:15:00",
            "2026.4.3",
            "2026年4月3日",
            "2026-04-03T10:15:00+09:00",
        ] {
            assert_eq!(parse_date(cell), Some(d), "{cell}");
        }
        for bad in ["2026-02-30", "4/3", "", "昨日", "2026-04-03-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn columns_map_by_name_alias_or_flag() {
        let headers: Vec<String> = ["社員番号", "氏名", "内線", "Dept"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let m = map(
            &headers,
            &["id", "name", "department"],
            &["id", "department"],
            &[("社員番号", "id"), ("氏名", "name")],
            Some("Dept=department"),
        )
        .unwrap();
        assert_eq!(m.unknown, ["内線"]);
        assert!(m.has("department"));
        let err = map(&headers, &["id"], &["id"], &[], Some("氏名=nmae"))
            .err()
            .unwrap();
        assert!(err.contains("not a field"), "{err}");
        let err = map(&headers, &["id"], &["id"], &[], None).err().unwrap();
        assert!(err.contains("no column for id"), "{err}");
    }
}
