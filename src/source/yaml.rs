//! YAML into typed records through serde-saphyr, with errors turned into diagnostics that
//! name the file, line and column and suggest the field or value the author probably meant.
//! This is the only module that knows which YAML crate is in use.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Loc};
use crate::model::values::with_line_offset;

/// Code of every YAML syntax or schema error.
pub const CODE: &str = "K0103";

/// Parses `yaml` (which starts on line `first_line` of `display_path`) into `T`.
pub fn parse<T: DeserializeOwned>(
    yaml: &str,
    display_path: &Path,
    first_line: u32,
) -> Result<T, Diagnostic> {
    let offset = first_line.saturating_sub(1);
    with_line_offset(offset, || {
        serde_saphyr::from_str_with_options::<T>(yaml, options())
    })
    .map_err(|err| {
        let (line, column) = err
            .location()
            .map(|l| (l.line() as u32 + offset, l.column() as u32))
            .unwrap_or((first_line, 0));
        let message = plain_message(&err);
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

/// Parser options: serde-saphyr's defaults (duplicate keys are errors, the resource budget
/// and alias limits stay on), but comments are not captured: nothing reads them.
fn options() -> serde_saphyr::Options {
    let mut o = serde_saphyr::Options::default();
    o.emit_comments = false;
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
    fn broken_yaml_is_located() {
        let d = parse::<Probe>("title: [a\nstatus: open\n", Path::new("p.yaml"), 1).unwrap_err();
        assert!(d.location.unwrap().line >= 1);
    }
}
