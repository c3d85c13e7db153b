//! `kitei roster import`: an HR export (CSV) merged into `roster.yaml`. People are matched by
//! id: a new id is added, a changed person is updated in place, an unchanged one is left
//! alone, and people missing from the export are kept (and counted: an export may be partial;
//! a leaver gets a `left` date, not a deletion). The `binding` section and everything above
//! `people:` is kept as written. Importing the same file twice changes nothing.

use std::path::Path;

use super::table::{self, Mapping, Table};
use super::yaml_out;
use crate::model::acknowledgement::RosterFile;
use crate::model::{At, Date, RosterPerson};

/// The fields a roster column may map to.
pub const FIELDS: &[&str] = &[
    "id",
    "name",
    "department",
    "roles",
    "joined",
    "left",
    "email",
];
const REQUIRED: &[&str] = &["id", "name", "department", "joined"];
/// Headers HR exports use, recognised without `--map`.
const ALIASES: &[(&str, &str)] = &[
    ("社員番号", "id"),
    ("従業員番号", "id"),
    ("社員ID", "id"),
    ("氏名", "name"),
    ("名前", "name"),
    ("所属", "department"),
    ("部署", "department"),
    ("所属部署", "department"),
    ("役職", "roles"),
    ("役割", "roles"),
    ("入社日", "joined"),
    ("着任日", "joined"),
    ("退職日", "left"),
    ("離任日", "left"),
    ("メールアドレス", "email"),
    ("メール", "email"),
];

/// What an import found and would write.
#[derive(Debug, Default)]
pub struct Outcome {
    pub encoding: &'static str,
    /// Columns of the file that map to no field (not read).
    pub unknown_columns: Vec<String>,
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    /// People in roster.yaml that the export does not list (kept).
    pub not_in_export: usize,
    /// Rows not imported: (line, why).
    pub problems: Vec<(u64, String)>,
    /// The new roster.yaml, when anything changed.
    pub text: Option<String>,
}

/// Merges `file` into the roster whose current text is `existing` (None: no roster yet).
/// `Err` is a usage problem (unreadable file, bad `--map`, unusable roster.yaml).
pub fn import(
    existing: Option<&str>,
    roster_display: &Path,
    file: &Path,
    map_arg: Option<&str>,
) -> Result<Outcome, String> {
    let table = table::read(file)?;
    let mapping = table::map(&table.headers, FIELDS, REQUIRED, ALIASES, map_arg)?;
    let current: RosterFile = match existing {
        Some(text) => crate::source::yaml::parse(text, roster_display, 1).map_err(|d| {
            format!(
                "{}: {}; fix it first (`kitei check`)",
                roster_display.display(),
                d.message
            )
        })?,
        None => RosterFile {
            binding: Vec::new(),
            people: Vec::new(),
        },
    };
    let mut out = Outcome {
        encoding: table.encoding,
        unknown_columns: mapping.unknown.clone(),
        ..Outcome::default()
    };
    let mut people = current.people;
    let mut seen = rustc_hash::FxHashMap::<String, u64>::default();
    let position: rustc_hash::FxHashMap<String, usize> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.value.clone(), i))
        .collect();
    let mut positions = position;
    for row in &table.rows {
        let person = match person(&mapping, &table, row) {
            Ok(p) => p,
            Err(why) => {
                out.problems.push((row.line, why));
                continue;
            }
        };
        let id = person.id.value.clone();
        if let Some(first) = seen.get(&id) {
            out.problems.push((
                row.line,
                format!("`{id}` is listed twice (first on line {first}); this row is not imported"),
            ));
            continue;
        }
        seen.insert(id.clone(), row.line);
        match positions.get(&id) {
            Some(&i) => {
                let old = &people[i];
                let merged = RosterPerson {
                    roles: if mapping.has("roles") {
                        person.roles
                    } else {
                        old.roles.clone()
                    },
                    left: if mapping.has("left") {
                        person.left
                    } else {
                        old.left.clone()
                    },
                    email: if mapping.has("email") {
                        person.email
                    } else {
                        old.email.clone()
                    },
                    ..person
                };
                if yaml_out::person_line(&merged) == yaml_out::person_line(old) {
                    out.unchanged += 1;
                } else {
                    out.updated.push(id);
                    people[i] = merged;
                }
            }
            None => {
                positions.insert(id.clone(), people.len());
                out.added.push(id);
                people.push(person);
            }
        }
    }
    out.not_in_export = people
        .iter()
        .filter(|p| !seen.contains_key(&p.id.value))
        .count();
    if !out.added.is_empty() || !out.updated.is_empty() || existing.is_none() {
        out.text = Some(render(existing, &people)?);
    }
    Ok(out)
}

fn person(m: &Mapping, _t: &Table, row: &table::Row) -> Result<RosterPerson, String> {
    let need = |field: &str| {
        m.get(row, field)
            .ok_or_else(|| format!("no `{field}` in this row"))
    };
    let date = |field: &str, cell: &str| {
        table::parse_date(cell)
            .map(|d| At::new(Date(d), 0, 0))
            .ok_or_else(|| {
                format!("`{field}` `{cell}` is not a date (write 2026-04-01 or 2026/4/1)")
            })
    };
    let joined = date("joined", need("joined")?)?;
    let left = match m.get(row, "left") {
        Some(cell) => Some(date("left", cell)?),
        None => None,
    };
    let roles = m
        .get(row, "roles")
        .map(|cell| {
            cell.split([';', '；', '、', '/', '／'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(RosterPerson {
        id: At::new(need("id")?.to_string(), 0, 0),
        name: need("name")?.to_string(),
        department: At::new(need("department")?.to_string(), 0, 0),
        roles,
        joined,
        left,
        email: m.get(row, "email").map(str::to_string),
    })
}

/// The new roster.yaml: what the file had above its `people:` line, then every person.
fn render(existing: Option<&str>, people: &[RosterPerson]) -> Result<String, String> {
    let head = match existing {
        Some(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let Some(at) = lines.iter().position(|l| l.starts_with("people:")) else {
                // No people yet: everything is head.
                let mut head = text.trim_end().to_string();
                head.push_str("\n\n");
                return Ok(with_people(head, people));
            };
            if lines[at + 1..]
                .iter()
                .any(|l| !l.is_empty() && !l.starts_with([' ', '#', '-']))
            {
                return Err(
                    "roster.yaml has sections after `people:`; move `people:` to the end so that the import can rewrite it".into(),
                );
            }
            let mut head = lines[..at].join("\n");
            head.push('\n');
            head
        }
        None => "# yaml-language-server: $schema=../docs/schemas/roster.schema.json\n\
                 # The roster: people bound by the policy's documents (written by `kitei roster import`).\n\
                 # Personal data: always restricted. Add bindings, e.g.\n\
                 #   - { document: doc:<id>, everyone: true }\n\
                 binding: []\n\n"
            .to_string(),
    };
    Ok(with_people(head, people))
}

fn with_people(mut text: String, people: &[RosterPerson]) -> String {
    if people.is_empty() {
        text.push_str("people: []\n");
        return text;
    }
    text.push_str("people:\n");
    for p in people {
        text.push_str(&yaml_out::person_line(p));
        text.push('\n');
    }
    text
}
