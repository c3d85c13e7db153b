//! SARIF 2.1.0 output (`kitei check --format sarif`), the log format that code-scanning UIs
//! (GitHub, GitLab, Azure DevOps, IDE viewers) read. One run, the rule catalogue as the tool's
//! rules, each finding a result; waived findings are kept as results with an external
//! suppression so a reviewer sees what an exception hides.
//!
//! Locations are relative to the project root through the base id `%SRCROOT%` (no absolute
//! path: the same inputs give the same bytes on every machine).

use serde_json::{Value, json};

use super::{Diagnostic, Level};

/// What SARIF needs to know about one rule; filled from the check's rule catalogue.
#[derive(Debug, Clone, Copy)]
pub struct RuleDescriptor<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub level: Level,
    pub summary: &'a str,
    pub explanation: &'a str,
}

/// A finding that an exception record waives, with the exception's id.
#[derive(Debug, Clone, Copy)]
pub struct Suppressed<'a> {
    pub diagnostic: &'a Diagnostic,
    pub justification: &'a str,
}

/// The SARIF log for one check run, pretty-printed JSON.
pub fn render(
    rules: &[RuleDescriptor<'_>],
    findings: &[Diagnostic],
    waived: &[Suppressed<'_>],
) -> String {
    let rule_index = |code: &str| rules.iter().position(|r| r.code == code);
    let mut results: Vec<Value> = findings
        .iter()
        .map(|d| result(d, rule_index(&d.code)))
        .collect();
    results.extend(waived.iter().map(|w| {
        let mut r = result(w.diagnostic, rule_index(&w.diagnostic.code));
        r["suppressions"] = json!([{ "kind": "external", "justification": w.justification }]);
        r
    }));
    let rules: Vec<Value> = rules.iter().map(rule).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kitei",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a JSON value serialises");
    text.push('\n');
    text
}

fn rule(r: &RuleDescriptor<'_>) -> Value {
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": r.explanation },
        "help": { "text": format!("{}\n\nkitei explain {}", r.explanation, r.code) },
        "defaultConfiguration": { "level": level(r.level) },
    })
}

fn result(d: &Diagnostic, rule_index: Option<usize>) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut r = json!({
        "ruleId": d.code,
        "level": level(d.level),
        "message": { "text": text },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(loc) = &d.location {
        let mut physical = json!({
            "artifactLocation": {
                "uri": uri_reference(&loc.path.to_string_lossy()),
                "uriBaseId": "%SRCROOT%",
            },
        });
        if loc.line > 0 {
            let mut region = json!({ "startLine": loc.line });
            if loc.column > 0 {
                region["startColumn"] = json!(loc.column);
                if loc.length > 0 {
                    // SARIF's end column is exclusive.
                    region["endColumn"] = json!(loc.column + loc.length);
                }
            }
            physical["region"] = region;
        }
        r["locations"] = json!([{ "physicalLocation": physical }]);
    }
    if let Some(subject) = &d.subject {
        r["properties"] = json!({ "subject": subject });
    }
    r
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Allow => "none",
    }
}

/// A relative path as a URI reference: `/` separators, every byte outside RFC 3986's
/// unreserved set percent-encoded (Japanese file names included).
fn uri_reference(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Loc;

    const RULES: &[RuleDescriptor<'static>] = &[RuleDescriptor {
        code: "K0303",
        name: "prevention-plan",
        level: Level::Error,
        summary: "a closed incident without a prevention plan",
        explanation: "Closed incidents need a plan.",
    }];

    #[test]
    fn a_finding_becomes_a_located_result_pointing_at_its_rule() {
        let d = Diagnostic::error("K0303", "no plan")
            .at(Loc::new("policy-src/incidents/事案.yaml", 4, 2))
            .help("add prevention_plan:");
        let log: Value = serde_json::from_str(&render(RULES, &[d], &[])).unwrap();
        let r = &log["runs"][0]["results"][0];
        assert_eq!(r["ruleId"], "K0303");
        assert_eq!(r["ruleIndex"], 0);
        assert_eq!(r["level"], "error");
        assert_eq!(r["message"]["text"], "no plan\nhelp: add prevention_plan:");
        let phys = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            phys["artifactLocation"]["uri"],
            "policy-src/incidents/%E4%BA%8B%E6%A1%88.yaml"
        );
        assert_eq!(phys["region"]["startLine"], 4);
        assert_eq!(phys["region"]["startColumn"], 2);
        assert!(phys["region"].get("endColumn").is_none(), "no length known");
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"][0]["id"], "K0303");

        // A finding about six characters ends (exclusively) six columns on.
        let d =
            Diagnostic::error("K0804", "「ガイドライン」").at(Loc::new("a.md", 3, 5).spanning(6));
        let log: Value = serde_json::from_str(&render(RULES, &[d], &[])).unwrap();
        let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (&region["startColumn"], &region["endColumn"]),
            (&5.into(), &11.into())
        );
    }

    #[test]
    fn whole_file_findings_have_no_region_and_waived_ones_are_suppressed() {
        let d = Diagnostic::error("K0303", "no plan").at(Loc::file("a.yaml"));
        let w = Diagnostic::error("K0999", "unknown rule");
        let log: Value = serde_json::from_str(&render(
            RULES,
            &[d],
            &[Suppressed {
                diagnostic: &w,
                justification: "exception EXC-1",
            }],
        ))
        .unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(results[0]["locations"][0]["physicalLocation"]["region"].is_null());
        assert!(results[1]["ruleIndex"].is_null());
        assert_eq!(results[1]["suppressions"][0]["kind"], "external");
    }
}
