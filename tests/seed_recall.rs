//! Recall of the check rules over the defects a careful reviewer finds in each seed
//! regulation (`tests/seeds/<seed>/defects.md`, written before the rules): each seed is
//! imported with `kitei import`, checked, and every listed defect must be reported by a rule
//! of its kind on its line; the "not a defect" lines must get no error. At least 90% of each
//! seed's defects must be found. `cargo test --test seed_recall -- --nocapture` prints the
//! table.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The rules that may report each kind of defect in defects.md.
const KINDS: &[(&str, &[&str])] = &[
    ("fragment", &["K0810"]),
    ("wording", &["K0801"]),
    ("typography", &["K0809", "K0801"]),
    ("undefined-role", &["K0803", "K0807"]),
    ("undefined-document", &["K0804"]),
    ("numbering", &["K0603", "K0806"]),
    ("date", &["K0605", "K0808"]),
    ("missing-section", &["K0601"]),
    ("approval", &["K0807", "K0210"]),
    ("placeholder", &["K0604"]),
    ("dangling-reference", &["K0606", "K0602"]),
];

struct Defect {
    number: String,
    /// The reviewer's note; "kitei import repairs it" marks a defect the import removes.
    why: String,
    line: Option<u32>,
    quote: String,
    kind: String,
}

/// The rows of the first table after `## {section}`.
fn table_rows(text: &str, section: &str) -> Vec<Vec<String>> {
    let Some(start) = text.find(&format!("## {section}")) else {
        return Vec::new();
    };
    text[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

fn seeds() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(common::root().join("tests/seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("defects.md").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The seed's source as plain text (.txt, else .md) and its file name.
fn source(seed: &Path) -> PathBuf {
    ["source.txt", "source.md"]
        .iter()
        .map(|n| seed.join(n))
        .find(|p| p.is_file())
        .expect("a seed has source.txt or source.md")
}

fn kitei(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kitei"))
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["--as-of", "2026-12-01"])
        .args(args)
        .output()
        .unwrap()
}

/// Markdown line (1-based) of the `nth` body line containing `quote` (escapes removed; the
/// front matter, whose comments quote the text, is skipped).
fn find_line(markdown: &str, quote: &str, nth: usize) -> Option<u32> {
    let body_start = markdown
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "---")
        .nth(1)
        .map_or(0, |(i, _)| i + 1);
    markdown
        .lines()
        .enumerate()
        .skip(body_start)
        .filter(|(_, l)| l.replace('\\', "").contains(quote))
        .nth(nth)
        .map(|(i, _)| i as u32 + 1)
}

#[test]
fn seeds_defects_are_found_and_fine_lines_get_no_error() {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    let mut spans_seen = 0;
    for seed in seeds() {
        let name = seed.file_name().unwrap().to_string_lossy().to_string();
        let defects_md = std::fs::read_to_string(seed.join("defects.md")).unwrap();
        let src = source(&seed);
        let source_text = std::fs::read_to_string(&src).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let input = src.file_name().unwrap().to_string_lossy().to_string();
        std::fs::copy(&src, dir.path().join(&input)).unwrap();
        let out = kitei(dir.path(), &["import", &input, "--id", "imported"]);
        assert!(
            out.status.success(),
            "{name}: import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let markdown =
            std::fs::read_to_string(dir.path().join("policy-src/regulation/imported.md")).unwrap();
        let out = kitei(dir.path(), &["check", "--format", "json"]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: check output is not JSON: {e}"));
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        // A finding that says how many characters it is about points at text of the line, and
        // (but for era dates, whose message says what is wrong with them) at what its message
        // quotes.
        for d in report["diagnostics"].as_array().unwrap() {
            let at = &d["location"];
            let Some(length) = at["length"].as_u64() else {
                continue;
            };
            if at["path"] != "policy-src/regulation/imported.md" {
                continue;
            }
            let line = markdown
                .lines()
                .nth(at["line"].as_u64().unwrap() as usize - 1)
                .unwrap();
            let chars: Vec<char> = line.chars().collect();
            let start = at["column"].as_u64().unwrap() as usize - 1;
            let end = start + length as usize;
            assert!(
                length > 0 && end <= chars.len(),
                "{name}: {d} reaches past its line {line:?}"
            );
            let spanned: String = chars[start..end].iter().collect();
            spans_seen += 1;
            let message = d["message"].as_str().unwrap();
            assert!(
                d["code"] == "K0605" || squash(message).contains(&squash(&spanned)),
                "{name}: {d} underlines {spanned:?} in {line:?}"
            );
        }
        // (line, code, level) of every finding in the imported document.
        let findings: Vec<(u32, String, String)> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["location"]["path"] == "policy-src/regulation/imported.md")
            .map(|d| {
                (
                    d["location"]["line"].as_u64().unwrap_or(0) as u32,
                    d["code"].as_str().unwrap().to_string(),
                    d["level"].as_str().unwrap().to_string(),
                )
            })
            .collect();

        let defects: Vec<Defect> = table_rows(&defects_md, "Defects")
            .into_iter()
            .map(|row| Defect {
                number: row[0].clone(),
                line: row[1].parse().ok(),
                quote: row[2].clone(),
                kind: row[3].clone(),
                why: row.get(4).cloned().unwrap_or_default(),
            })
            .collect();
        assert!(!defects.is_empty(), "{name}: defects.md lists no defects");
        let mut found = 0;
        let mut missed = Vec::new();
        for d in &defects {
            let codes = KINDS
                .iter()
                .find(|(k, _)| *k == d.kind)
                .unwrap_or_else(|| panic!("{name} #{}: unknown kind {}", d.number, d.kind))
                .1;
            let at = match d.line {
                None => None,
                Some(seed_line) => {
                    // Which occurrence of the quote in the seed this is (a repeated sentence).
                    let nth = source_text
                        .lines()
                        .take(seed_line as usize - 1)
                        .filter(|l| l.contains(&d.quote))
                        .count();
                    let line = find_line(&markdown, &d.quote, nth);
                    if line.is_none() && d.why.contains("kitei import repairs it") {
                        found += 1;
                        continue;
                    }
                    assert!(
                        line.is_some(),
                        "{name} #{}: 「{}」 is not in the imported Markdown",
                        d.number,
                        d.quote
                    );
                    line
                }
            };
            let hit = findings
                .iter()
                .any(|(l, code, _)| codes.contains(&code.as_str()) && at.is_none_or(|a| a == *l));
            if hit {
                found += 1;
            } else {
                missed.push(format!("#{} {} 「{}」", d.number, d.kind, d.quote));
            }
        }
        let recall = found as f64 / defects.len() as f64;
        summary.push(format!(
            "{name}: {found}/{} defects found ({:.0}%); missed: {}",
            defects.len(),
            recall * 100.0,
            if missed.is_empty() {
                "none".into()
            } else {
                missed.join(", ")
            }
        ));
        if recall < 0.9 {
            failures.push(format!(
                "{name}: recall {:.0}% < 90%; missed {missed:?}",
                recall * 100.0
            ));
        }

        for row in table_rows(&defects_md, "Not a defect") {
            let quote = &row[1];
            let seed_line: usize = row[0].parse().unwrap();
            let nth = source_text
                .lines()
                .take(seed_line - 1)
                .filter(|l| l.contains(quote.as_str()))
                .count();
            let Some(line) = find_line(&markdown, quote, nth) else {
                failures.push(format!(
                    "{name}: not-a-defect 「{quote}」 is not in the imported Markdown"
                ));
                continue;
            };
            let errors: Vec<_> = findings
                .iter()
                .filter(|(l, _, level)| *l == line && level == "error")
                .map(|(_, code, _)| code.clone())
                .collect();
            if !errors.is_empty() {
                failures.push(format!(
                    "{name}: error {errors:?} on fine line {line} 「{quote}」"
                ));
            }
        }
    }
    let by_seed: BTreeMap<_, _> = summary.iter().enumerate().collect();
    for s in by_seed.values() {
        eprintln!("{s}");
    }
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.join("\n"),
        summary.join("\n")
    );
    assert!(
        spans_seen > 0,
        "no finding in the seeds said how long its text is"
    );
}
