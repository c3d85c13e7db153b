//! Root causes first. A file that cannot be read (no front matter, broken YAML, wrong encoding)
//! leaves its records out of the corpus, and rules then report what is "missing": a reference
//! to the runbook that did not load, an incident type no runbook handles, a table that is
//! incomplete. Those findings are knock-ons. They stay in the report (they may be real), but
//! they come after every root cause, and their help says which unreadable file they may
//! follow from, so one round of fixes starts at the right place.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// Loader findings that leave a file's records out of the corpus.
const ROOT_CAUSES: &[&str] = &["K0101", "K0102", "K0103", "K0104"];

/// Rules that report something absent, which a file that did not load can cause.
const KNOCK_ONS: &[&str] = &[
    "K0202", "K0203", "K0204", "K0207", "K0208", "K0209", "K0212", "K0502", "K0602", "K0606",
];

/// Reorders `diagnostics` (already in file order) into root causes, ordinary findings, then
/// possible knock-ons, and adds to each knock-on's help the unreadable file it may follow from.
pub fn root_causes_first(diagnostics: &mut [Diagnostic]) {
    let unreadable: Vec<PathBuf> = diagnostics
        .iter()
        .filter(|d| ROOT_CAUSES.contains(&d.code.as_str()))
        .filter_map(|d| d.location.as_ref().map(|l| l.path.clone()))
        .collect();
    if unreadable.is_empty() {
        return;
    }
    let rank = |d: &Diagnostic| {
        if ROOT_CAUSES.contains(&d.code.as_str()) {
            0
        } else if KNOCK_ONS.contains(&d.code.as_str()) {
            2
        } else {
            1
        }
    };
    // A stable sort keeps file order within each group.
    diagnostics.sort_by_key(rank);
    for d in diagnostics.iter_mut().filter(|d| rank(d) == 2) {
        let cause = likely_cause(&d.message, &unreadable).unwrap_or(&unreadable[0]);
        let more = if unreadable.len() > 1 {
            format!(
                " (or one of the {} unreadable files above)",
                unreadable.len()
            )
        } else {
            String::new()
        };
        let note = format!(
            "this may follow from {} not being readable{more}: fix that first",
            cause.display()
        );
        d.help = Some(match d.help.take() {
            Some(help) => format!("{help}\n{note}"),
            None => note,
        });
    }
}

/// The unreadable file whose name appears in the finding (`runbook:data-leak` and
/// `runbooks/data-leak.md`): records are usually named after their id.
fn likely_cause<'p>(message: &str, unreadable: &'p [PathBuf]) -> Option<&'p PathBuf> {
    unreadable.iter().find(|p| {
        stem(p).is_some_and(|s| {
            message
                .match_indices(s)
                .any(|(i, _)| !continues_id(message, i, s.len()))
        })
    })
}

fn stem(p: &Path) -> Option<&str> {
    p.file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| s.len() > 1)
}

/// Whether the match at `i..i+len` is part of a longer id (`data-leak-2` is not `data-leak`).
fn continues_id(text: &str, i: usize, len: usize) -> bool {
    let is_id = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text[..i].chars().next_back().is_some_and(is_id)
        || text[i + len..].chars().next().is_some_and(is_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Loc;

    fn d(code: &str, message: &str, path: &str, line: u32) -> Diagnostic {
        Diagnostic::error(code, message).at(Loc::new(path, line, 1))
    }

    #[test]
    fn the_unreadable_file_comes_first_and_knock_ons_last_with_a_pointer() {
        let mut all = vec![
            d(
                "K0202",
                "`runbook:data-leak` does not exist",
                "a/incidents/INC-1.yaml",
                3,
            ),
            d("K0303", "no prevention plan", "a/incidents/INC-1.yaml", 5),
            d(
                "K0104",
                "document has no front matter",
                "a/runbooks/data-leak.md",
                1,
            ),
            d(
                "K0204",
                "no runbook handles incident type `media-loss`",
                "a/x.yaml",
                1,
            ),
        ];
        root_causes_first(&mut all);
        let codes: Vec<&str> = all.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["K0104", "K0303", "K0202", "K0204"]);
        assert_eq!(
            all[2].help.as_deref(),
            Some("this may follow from a/runbooks/data-leak.md not being readable: fix that first")
        );
        assert!(all[1].help.is_none(), "ordinary findings are left alone");
        assert!(all[3].help.as_deref().unwrap().contains("data-leak.md"));
    }

    #[test]
    fn nothing_moves_when_every_file_was_read() {
        let mut all = vec![
            d("K0303", "b", "b.yaml", 1),
            d("K0202", "`runbook:x` does not exist", "a.yaml", 1),
        ];
        let before = all.clone();
        root_causes_first(&mut all);
        assert_eq!(all, before);
    }

    #[test]
    fn a_longer_id_is_not_taken_for_the_file() {
        let files = [PathBuf::from("runbooks/leak.md")];
        assert!(likely_cause("`runbook:data-leak` does not exist", &files).is_none());
        assert!(likely_cause("`runbook:leak` does not exist", &files).is_some());
    }
}
