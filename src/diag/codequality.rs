//! GitLab Code Quality report (`kitei check --format codequality`): the subset of the Code
//! Climate issue format that GitLab reads from a job's `artifacts:reports:codequality`, so a
//! merge request shows kitei's findings in its Code Quality widget and the changed-file diff.
//!
//! Every issue needs a location and a fingerprint unique within the report: a finding about the
//! whole project is placed on `kitei.toml`, and the fingerprint is the SHA-256 of code, place
//! and message (with a counter for exact repeats), so the same finding keeps its fingerprint
//! from one pipeline to the next and GitLab can tell new findings from fixed ones.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Diagnostic, Level};
use crate::digest::sha256_hex;

/// Where a finding without a file is shown: the project's settings.
const PROJECT_FILE: &str = "kitei.toml";

/// The report for one check run, pretty-printed JSON (an array of issues).
pub fn render(findings: &[Diagnostic]) -> String {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let issues: Vec<Value> = findings
        .iter()
        .map(|d| {
            let (path, line) = match &d.location {
                Some(loc) => (
                    loc.path.display().to_string().replace('\\', "/"),
                    loc.line.max(1),
                ),
                None => (PROJECT_FILE.to_string(), 1),
            };
            let key = format!("{}\u{0}{path}\u{0}{line}\u{0}{}", d.code, d.message);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let fingerprint = sha256_hex(format!("{key}\u{0}{n}").as_bytes());
            let mut description = d.message.clone();
            if let Some(help) = &d.help {
                description.push_str(" (help: ");
                description.push_str(help);
                description.push(')');
            }
            json!({
                "type": "issue",
                "check_name": d.code,
                "description": description,
                "categories": ["Compatibility"],
                "severity": match d.level {
                    Level::Error => "major",
                    _ => "minor",
                },
                "fingerprint": fingerprint,
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).expect("a report serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Loc;

    #[test]
    fn every_issue_has_a_place_and_a_unique_fingerprint() {
        let twice = Diagnostic::error("K0303", "no prevention plan")
            .at(Loc::new("policy-src/incidents/INC-1.yaml", 4, 3))
            .help("add `prevention_plan:`");
        let findings = vec![
            twice.clone(),
            twice,
            Diagnostic::new("K0501", Level::Warning, "review due"),
        ];
        let report: Vec<Value> = serde_json::from_str(&render(&findings)).unwrap();
        assert_eq!(report.len(), 3);
        assert_eq!(report[0]["check_name"], "K0303");
        assert_eq!(report[0]["severity"], "major");
        assert_eq!(
            report[0]["location"]["path"],
            "policy-src/incidents/INC-1.yaml"
        );
        assert_eq!(report[0]["location"]["lines"]["begin"], 4);
        assert_eq!(
            report[0]["description"],
            "no prevention plan (help: add `prevention_plan:`)"
        );
        assert_ne!(report[0]["fingerprint"], report[1]["fingerprint"]);
        assert_eq!(report[2]["severity"], "minor");
        assert_eq!(report[2]["location"]["path"], "kitei.toml");
        assert_eq!(report[2]["location"]["lines"]["begin"], 1);
        // Same findings, same bytes (GitLab compares fingerprints across pipelines).
        assert_eq!(render(&findings), render(&findings));
    }
}
