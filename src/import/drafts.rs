//! The data drafts as YAML in kitei's table formats (docs/formats.md): roles.yaml,
//! contacts.yaml, severity.yaml and systems.yaml (recovery priorities). Every entry says
//! where it came from; what the text does not say is marked TODO; every phone number and
//! address is marked VERIFY (a number copied from an old regulation is often out of date).
//! They are written outside the source folder, for the owner to confirm and move in.

use std::fmt::Write as _;

use super::ImportedDocument;

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Ids for role names that are common enough to have a conventional one.
const ROLE_IDS: &[(&str, &str)] = &[
    ("情報セキュリティ委員会", "security-committee"),
    ("最高情報セキュリティ責任者", "ciso"),
    ("情報セキュリティ責任者", "ciso"),
    ("システム管理者", "system-admin"),
    ("取締役会", "board"),
    ("代表取締役社長", "ceo"),
    ("代表取締役", "ceo"),
    ("実行責任者", "incident-lead"),
    ("個人情報保護管理者", "privacy-officer"),
    ("CSIRT", "csirt"),
];

/// One draft file: its name, its YAML, and a one-line summary for the report.
pub struct Draft {
    pub file: &'static str,
    pub yaml: String,
    pub summary: String,
}

const HEADER: &str = "# DRAFT written by `kitei import` from the regulation text. Confirm every entry, complete\n# what is marked TODO, check what is marked VERIFY, then move this file into the source folder\n# (or merge it into the one there).\n";

/// The drafts for the documents of one import (none when nothing was found).
pub fn drafts(docs: &[ImportedDocument]) -> Vec<Draft> {
    let mut out = Vec::new();

    let mut roles = String::new();
    let mut used_ids: Vec<String> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for d in docs {
        for r in &d.extracted.roles {
            if names.contains(&r.name.as_str()) {
                continue;
            }
            names.push(&r.name);
            let id = ROLE_IDS
                .iter()
                .find(|(n, _)| *n == r.name)
                .map(|(_, id)| id.to_string())
                .filter(|id| !used_ids.contains(id))
                .unwrap_or_else(|| format!("role-{}", used_ids.len() + 1));
            used_ids.push(id.clone());
            let _ = writeln!(roles, "  - id: {id}");
            let _ = writeln!(
                roles,
                "    name: {}   # {} line {}: {}",
                q(&r.name),
                d.file_name(),
                r.line,
                r.source
            );
            if r.committee {
                let _ = writeln!(roles, "    committee: true");
                let _ = writeln!(
                    roles,
                    "    members: []   # TODO: role: references of the members"
                );
            } else {
                let holder = r
                    .holder
                    .as_ref()
                    .map(|h| format!(" (the table says: {h})"))
                    .unwrap_or_default();
                let _ = writeln!(
                    roles,
                    "    held_by: []   # TODO: contact: references of the people holding it{holder}"
                );
            }
            if !r.responsibilities.is_empty() {
                let list: Vec<String> = r.responsibilities.iter().map(|s| q(s)).collect();
                let _ = writeln!(roles, "    responsibilities: [{}]", list.join(", "));
            }
        }
    }
    if !names.is_empty() {
        out.push(Draft {
            file: "roles.yaml",
            yaml: format!("{HEADER}roles:\n{roles}"),
            summary: format!(
                "{} role(s) and committee(s) named in the text or its tables",
                names.len()
            ),
        });
    }

    let mut contacts = String::new();
    let mut count = 0;
    for d in docs {
        for c in &d.extracted.contacts {
            count += 1;
            let _ = writeln!(contacts, "  - id: contact-{count}");
            let _ = writeln!(
                contacts,
                "    name: {}   # {} line {}",
                q(&c.name),
                d.file_name(),
                c.line
            );
            let _ = writeln!(
                contacts,
                "    category: other   # TODO: regulator | police | csirt | partner | platform | vendor | insurer | other (a person goes under people:)"
            );
            if let Some(note) = &c.note {
                let _ = writeln!(contacts, "    note: {}", q(note));
            }
            let _ = writeln!(contacts, "    channels:");
            let channels = c
                .phones
                .iter()
                .map(|p| ("phone", p))
                .chain(c.emails.iter().map(|e| ("email", e)))
                .chain(c.urls.iter().map(|u| ("web", u)));
            for (kind, value) in channels {
                let _ = writeln!(
                    contacts,
                    "      - {{ kind: {kind}, value: {} }}   # VERIFY: copied from the regulation text; confirm it reaches them",
                    q(value)
                );
            }
            let _ = writeln!(
                contacts,
                "    # last_verified: YYYY-MM-DD   # TODO: the day someone confirmed the channels"
            );
        }
    }
    if count > 0 {
        out.push(Draft {
            file: "contacts.yaml",
            yaml: format!("{HEADER}organisations:\n{contacts}"),
            summary: format!("{count} contact(s) with a phone number, e-mail address or web form (every one marked VERIFY)"),
        });
    }

    let mut severity = String::new();
    let mut levels = 0;
    for d in docs {
        for l in &d.extracted.severity {
            levels += 1;
            let parts: Vec<&str> = l.meaning.split('／').collect();
            let (name, scope) = if parts.len() > 1 {
                (parts[0].to_string(), parts[1..].join("／"))
            } else {
                (format!("レベル{}", l.level), l.meaning.clone())
            };
            let _ = writeln!(
                severity,
                "  - level: {}   # {} line {}",
                l.level,
                d.file_name(),
                l.line
            );
            let _ = writeln!(severity, "    name: {}", q(&name));
            let _ = writeln!(severity, "    scope: {}", q(&scope));
            let _ = writeln!(
                severity,
                "    responsible: role:TODO   # TODO: the role that decides at this level"
            );
        }
    }
    if levels > 0 {
        out.push(Draft {
            file: "severity.yaml",
            yaml: format!("{HEADER}levels:\n{severity}"),
            summary: format!(
                "{levels} severity level(s) from a table (levels 0–3 must each be defined once)"
            ),
        });
    }

    let mut recovery = String::new();
    let mut rows = 0;
    for d in docs {
        for l in &d.extracted.recovery {
            rows += 1;
            let downtime = max_downtime(&l.meaning)
                .map(|p| format!(", max_downtime: {}", q(&p)))
                .unwrap_or_default();
            let _ = writeln!(
                recovery,
                "  - {{ level: {}, meaning: {}{downtime} }}   # {} line {}",
                l.level,
                q(&l.meaning),
                d.file_name(),
                l.line
            );
        }
    }
    if rows > 0 {
        out.push(Draft {
            file: "systems.yaml",
            yaml: format!("{HEADER}recovery_priorities:\n{recovery}systems: []   # TODO: the systems, each with owner and priority\n"),
            summary: format!("{rows} recovery priority level(s) from a table"),
        });
    }
    out
}

/// `24時間以内に復旧` → `24時間`, `3日以内` → `3日`.
fn max_downtime(meaning: &str) -> Option<String> {
    let s: String = meaning
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    for unit in ["時間以内", "日以内", "か月以内", "ヶ月以内"] {
        if let Some(p) = s.find(unit) {
            let digits: String = s[..p]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !digits.is_empty() {
                return Some(format!("{digits}{}", unit.trim_end_matches("以内")));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downtime_from_meaning() {
        assert_eq!(
            max_downtime("24時間以内に復旧しなければならない").as_deref(),
            Some("24時間")
        );
        assert_eq!(max_downtime("３日以内に復旧").as_deref(), Some("3日"));
        assert_eq!(max_downtime("業務が停止することは許されない"), None);
    }
}
