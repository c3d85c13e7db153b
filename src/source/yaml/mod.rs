//! YAML into typed records, with errors turned into diagnostics that name the file, line and
//! column and suggest the field or value the author probably meant. Records are first offered
//! to [`subset`], a reader of the plain block YAML they are written in (several times faster);
//! what it declines, and every text with an error, goes through serde-saphyr. This is the only
//! module that knows which YAML crate is in use.

mod subset;
mod subset_de;

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Loc};
use crate::model::values::with_line_offset;

/// Code of every YAML syntax or schema error.
pub const CODE: &str = "K0103";

#[cfg(test)]
thread_local! {
    static SUBSET_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn subset_enabled() -> bool {
    #[cfg(test)]
    if SUBSET_OFF.with(std::cell::Cell::get) {
        return false;
    }
    true
}

/// Runs `f` with every YAML text parsed by serde-saphyr alone: the reference the subset reader
/// is tested against.
#[cfg(test)]
pub(crate) fn without_subset<R>(f: impl FnOnce() -> R) -> R {
    let before = SUBSET_OFF.with(|c| c.replace(true));
    let result = f();
    SUBSET_OFF.with(|c| c.set(before));
    result
}

/// Whether the subset reader takes `yaml` (ignoring what the record type asks of it).
#[cfg(test)]
pub(crate) fn subset_takes(yaml: &str) -> bool {
    subset::read(yaml).is_ok()
}

/// Parses `yaml` (which starts on line `first_line` of `display_path`) into `T`.
pub fn parse<T: DeserializeOwned>(
    yaml: &str,
    display_path: &Path,
    first_line: u32,
) -> Result<T, Diagnostic> {
    let offset = first_line.saturating_sub(1);
    if let Some(value) = subset_enabled()
        .then(|| with_line_offset(offset, || subset_de::from_str::<T>(yaml)).ok())
        .flatten()
    {
        return Ok(value);
    }
    with_line_offset(offset, || {
        serde_saphyr::from_str_with_options::<T>(yaml, options(yaml.len()))
    })
    .map_err(|err| {
        let (line, column) = err
            .location()
            .map(|l| (l.line() as u32 + offset, l.column() as u32))
            .unwrap_or((first_line, 0));
        let message = plain_message(&err);
        if let Some(trap) = typing_trap(yaml, line.saturating_sub(offset), offset, &message) {
            return Diagnostic::error(CODE, trap.message)
                .at(Loc::new(display_path, trap.line, trap.column))
                .help(trap.help);
        }
        let mut diag =
            Diagnostic::error(CODE, message.clone()).at(Loc::new(display_path, line, column));
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            diag = diag.help(format!(
                "add the required field `{field}:` to this record (see docs/formats.md)"
            ));
        } else if let Some(help) = suggestion(&message) {
            diag = diag.help(help);
        } else {
            diag = diag.help(
                "fix the YAML at this position; the formats are described in docs/formats.md",
            );
        }
        diag
    })
}

/// A mistake that Japanese input methods make easy and the parser words poorly: what it is, where
/// (line relative to the YAML text, 1-based character column) and what to type instead.
#[derive(Debug, PartialEq)]
struct Trap {
    line: u32,
    column: u32,
    message: String,
    help: String,
}

/// Names the root cause of a parse error when it is one of the usual typing traps: a full-width
/// space (U+3000) in an indentation, a full-width colon (`：`) after a key, or a key given twice.
/// `error_line` is the parser's line (relative to `yaml`); traps on or before it are preferred.
/// Lines in the result are the file's (`yaml` starts after `offset` lines).
fn typing_trap(yaml: &str, error_line: u32, offset: u32, message: &str) -> Option<Trap> {
    if let Some(key) = message
        .strip_prefix("duplicate mapping key: ")
        .map(|rest| rest.split(',').next().unwrap_or(rest).trim())
    {
        return duplicate_key(yaml, error_line, offset, key);
    }
    let mut traps = yaml.lines().enumerate().filter_map(|(i, text)| {
        let line = i as u32 + 1 + offset;
        indent_trap(text, line).or_else(|| colon_trap(text, line))
    });
    let before: Vec<Trap> = traps
        .by_ref()
        .take_while(|t| t.line <= error_line.max(1) + offset)
        .collect();
    before.into_iter().last().or_else(|| traps.next())
}

/// A full-width space among the leading blanks of a line.
fn indent_trap(text: &str, line: u32) -> Option<Trap> {
    let indent: Vec<char> = text
        .chars()
        .take_while(|c| matches!(c, ' ' | '\t' | '\u{3000}'))
        .collect();
    let at = indent.iter().position(|&c| c == '\u{3000}')?;
    Some(Trap {
        line,
        column: at as u32 + 1,
        message: format!(
            "full-width space (U+3000) used for indentation at line {line}, column {}",
            at + 1
        ),
        help: "indent YAML with ASCII spaces only; a Japanese input method often types the \
               full-width space: switch it off or replace the character"
            .into(),
    })
}

/// A full-width colon right after something shaped like a key, on a line with no ASCII colon
/// before it (`severity：1`). A `：` inside a value (`title: 件名：詳細`) is fine.
fn colon_trap(text: &str, line: u32) -> Option<Trap> {
    let body = text.trim_start_matches([' ', '\t', '\u{3000}']);
    let body = body.strip_prefix("- ").unwrap_or(body);
    let (key, _) = body.split_once('：')?;
    let key_like = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !key_like {
        return None;
    }
    let column = text.chars().position(|c| c == '：')? as u32 + 1;
    Some(Trap {
        line,
        column,
        message: format!(
            "full-width colon `：` after the key `{key}` at line {line}, column {column}; YAML \
             needs an ASCII colon"
        ),
        help: format!("write `{key}: ` (ASCII colon and a space) instead of `{key}：`"),
    })
}

/// The parser reports the second occurrence of a duplicate key; find the first one (same
/// indentation, same mapping: no less-indented line between them).
fn duplicate_key(yaml: &str, error_line: u32, offset: u32, key: &str) -> Option<Trap> {
    let lines: Vec<&str> = yaml.lines().collect();
    let second = error_line.checked_sub(1)? as usize;
    let text = lines.get(second)?;
    let indent = leading_width(text);
    let is_key = |t: &str| {
        let body = t[t.len() - t.trim_start().len()..].trim_start_matches("- ");
        body.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    };
    let mut first = None;
    for i in (0..second).rev() {
        let t = lines[i];
        if t.trim().is_empty() || t.trim_start().starts_with('#') {
            continue;
        }
        let w = leading_width(t);
        if w == indent && is_key(t) {
            first = Some(i as u32 + 1 + offset);
        }
        if w < indent {
            break;
        }
    }
    let column = indent as u32 + 1;
    let error_line = error_line + offset;
    let message = match first {
        Some(f) => format!("duplicate key `{key}`: set on line {f} and again on line {error_line}"),
        None => {
            format!("duplicate key `{key}` on line {error_line}: it is set twice in this mapping")
        }
    };
    Some(Trap {
        line: error_line,
        column,
        message,
        help: format!("keep one `{key}:` line and delete the other; YAML allows each key once"),
    })
}

fn leading_width(text: &str) -> usize {
    text.len() - text.trim_start_matches([' ', '\t']).len()
}

/// Parser options: serde-saphyr's defaults (duplicate keys are errors, the resource budget
/// and alias limits stay on), but comments are not captured: nothing reads them. The node and
/// event caps grow with the text (a node takes at least a few bytes of it): a roster of 50,000
/// people is one large, honest file, while alias expansion stays capped by the alias limits.
fn options(len: usize) -> serde_saphyr::Options {
    let mut o = serde_saphyr::Options::default();
    o.emit_comments = false;
    let mut budget = o.budget.clone().unwrap_or_default();
    budget.max_nodes = budget.max_nodes.max(len / 2);
    budget.max_events = budget.max_events.max(len);
    o.budget = Some(budget);
    o
}

/// The error text without serde-saphyr's own position suffix and snippet (we print those).
fn plain_message(err: &serde_saphyr::Error) -> String {
    let opts = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
    let text = err.render_with_options(opts);
    let first = text.lines().next().unwrap_or("").trim();
    let cut = first
        .rfind(" at line ")
        .map(|i| &first[..i])
        .unwrap_or(first);
    let cut = cut.strip_prefix("error: ").unwrap_or(cut);
    cut.trim_end_matches(':').to_string()
}

/// For "unknown field `x`, expected one of `a`, `b`" (and the same for enum variants),
/// suggests the closest expected name.
fn suggestion(message: &str) -> Option<String> {
    let (what, rest) = if let Some(rest) = message.strip_prefix("unknown field `") {
        ("field", rest)
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        ("value", rest)
    } else {
        return None;
    };
    let (given, rest) = rest.split_once('`')?;
    // serde-saphyr writes "expected one of a, b, c"; serde's own wording quotes each name.
    let list = rest.trim_start_matches(',').trim();
    let list = list
        .strip_prefix("expected one of")
        .or_else(|| list.strip_prefix("expected"))
        .unwrap_or("");
    let expected: Vec<&str> = list
        .split([',', ' '])
        .map(|w| w.trim().trim_matches('`'))
        .filter(|w| !w.is_empty() && *w != "or")
        .collect();
    if expected.is_empty() {
        return Some(format!("this {what} is not allowed here; remove it"));
    }
    let best = expected
        .iter()
        .map(|cand| (strsim::jaro_winkler(given, cand), *cand))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let list = expected
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if best.0 >= 0.8 {
        Some(format!("did you mean `{}`? allowed: {list}", best.1))
    } else {
        Some(format!("allowed {what}s here: {list}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        title: String,
        status: Status,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Status {
        Open,
        Closed,
    }

    #[test]
    fn unknown_field_gets_a_suggestion_and_position() {
        let d = parse::<Probe>("title: a\nstauts: open\n", Path::new("p.yaml"), 1).unwrap_err();
        assert_eq!(d.code, CODE);
        assert!(
            d.message.contains("unknown field `stauts`"),
            "{}",
            d.message
        );
        assert_eq!(d.location.as_ref().unwrap().line, 2);
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("did you mean `status`?"),
            "{:?}",
            d.help
        );
    }

    #[test]
    fn unknown_variant_gets_a_suggestion_with_line_offset() {
        let d = parse::<Probe>("title: a\nstatus: clsoed\n", Path::new("p.md"), 2).unwrap_err();
        assert_eq!(d.location.as_ref().unwrap().line, 3);
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("did you mean `closed`?"),
            "{:?}",
            d.help
        );
    }

    #[test]
    fn full_width_colon_is_named_with_its_column() {
        let d = parse::<Probe>("title: 件名：詳細\nstatus：open\n", Path::new("p.yaml"), 1)
            .unwrap_err();
        assert_eq!(
            d.message,
            "full-width colon `：` after the key `status` at line 2, column 7; YAML needs an ASCII colon"
        );
        let loc = d.location.unwrap();
        assert_eq!((loc.line, loc.column), (2, 7));
        assert_eq!(
            d.help.as_deref(),
            Some("write `status: ` (ASCII colon and a space) instead of `status：`")
        );
    }

    #[test]
    fn full_width_space_indent_is_named() {
        let d =
            parse::<Probe>("title: a\n\u{3000}status: open\n", Path::new("p.yaml"), 3).unwrap_err();
        assert_eq!(
            d.message,
            "full-width space (U+3000) used for indentation at line 4, column 1"
        );
        assert_eq!(d.location.unwrap().line, 4);
    }

    #[test]
    fn duplicate_key_names_both_lines() {
        let d = parse::<Probe>("title: a\nstatus: open\ntitle: b\n", Path::new("p.yaml"), 1)
            .unwrap_err();
        assert_eq!(
            d.message,
            "duplicate key `title`: set on line 1 and again on line 3"
        );
        assert!(!d.message.contains("DuplicateKeyPolicy"));
        assert_eq!(d.location.unwrap().line, 3);
    }

    #[test]
    fn a_full_width_colon_inside_a_value_is_not_a_trap() {
        assert_eq!(colon_trap("title: 件名：詳細", 1), None);
        assert_eq!(colon_trap("  - 件名：詳細", 1), None);
        assert!(colon_trap("  - kind：x", 1).is_some());
    }

    #[test]
    fn hostile_nesting_is_an_error_not_a_crash() {
        let deep = format!("title: a\nstatus: {}\n", "[".repeat(100_000));
        let d = parse::<Probe>(&deep, Path::new("p.yaml"), 1).unwrap_err();
        assert_eq!(d.code, CODE);
    }

    #[test]
    fn broken_yaml_is_located() {
        let d = parse::<Probe>("title: [a\nstatus: open\n", Path::new("p.yaml"), 1).unwrap_err();
        assert!(d.location.unwrap().line >= 1);
    }
}
