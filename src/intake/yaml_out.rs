//! Writing roster entries as one-line YAML flow mappings, quoting every
//! value that YAML would otherwise read as something else (a number, a date, a boolean, a
//! mapping) so that what is written loads back as the same strings.

use crate::model::RosterPerson;

/// `s` as a YAML scalar inside a flow mapping: plain when that is safe, else double-quoted.
pub fn scalar(s: &str) -> String {
    let special_start = s.starts_with([
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`', ' ',
    ]);
    let special_inside =
        s.contains([',', '[', ']', '{', '}', '#', ':', '"', '\\', '\n', '\t']) || s.ends_with(' ');
    let lower = s.to_ascii_lowercase();
    let looks_typed = s.is_empty()
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
        )
        || s.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | '_' | 'e' | 'E' | 'x' | 'o')
        }) && s.chars().any(|c| c.is_ascii_digit());
    if special_start || special_inside || looks_typed {
        serde_json::to_string(s).expect("a string serialises")
    } else {
        s.to_string()
    }
}

/// One roster entry: `  - { id: …, name: …, department: …, roles: […], joined: …, left: … }`.
pub fn person_line(p: &RosterPerson) -> String {
    let mut line = format!(
        "  - {{ id: {}, name: {}, department: {}",
        scalar(&p.id.value),
        scalar(&p.name),
        scalar(&p.department.value)
    );
    if !p.roles.is_empty() {
        let roles: Vec<String> = p.roles.iter().map(|r| scalar(r)).collect();
        line.push_str(&format!(", roles: [{}]", roles.join(", ")));
    }
    line.push_str(&format!(", joined: {}", p.joined.value.0));
    if let Some(left) = &p.left {
        line.push_str(&format!(", left: {}", left.value.0));
    }
    if let Some(email) = &p.email {
        line.push_str(&format!(", email: {}", scalar(email)));
    }
    line.push_str(" }");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risky_values_are_quoted_and_load_back_as_strings() {
        for s in [
            "001234",
            "1e3",
            "true",
            "No",
            "a: b",
            "a, b",
            "#1",
            "- x",
            "",
            "[x]",
            "営業部",
            "M1001",
            "山田 太郎",
            "2026-04-01",
            "a\"b",
        ] {
            let yaml = format!("v: {}\n", scalar(s));
            let back: std::collections::BTreeMap<String, String> =
                serde_saphyr::from_str(&yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
            assert_eq!(back["v"], s, "{yaml}");
        }
        assert_eq!(scalar("営業部"), "営業部");
        assert_eq!(scalar("001234"), "\"001234\"");
    }
}
