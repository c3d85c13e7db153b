//! `kitei rules` and `kitei explain`: the rule list and one rule's explanation.

use crate::check::{self, RULES};

/// `kitei rules`: one line per rule (code, name, default level, summary).
pub fn list() -> u8 {
    for r in RULES {
        println!(
            "{}  {:<24} {:<7}  {}",
            r.code,
            r.name,
            r.level.as_str(),
            r.summary
        );
    }
    0
}

/// `kitei explain CODE`: a rule by code (K0303) or name (prevention-plan).
pub fn explain(code: &str) -> u8 {
    match check::rule(code) {
        Some(r) => {
            println!(
                "{} {} (default: {})\n\n{}\n\n{}",
                r.code,
                r.name,
                r.level.as_str(),
                r.summary,
                r.explanation
            );
            0
        }
        None => {
            eprintln!("error: no rule `{code}`; `kitei rules` lists them");
            super::UNUSABLE
        }
    }
}
