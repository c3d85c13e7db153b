//! The rule registry. A rule is declared once, as a `static` [`Rule`] beside the code that
//! reports it (as a clippy lint is), and listed in its family's `RULES`; everything else —
//! `kitei rules`, `kitei explain`, the README's rule table, the "one failing fixture per rule"
//! test — is derived from [`RULES`]. Codes are stable: never reuse or renumber one.

use std::sync::LazyLock;

use crate::diag::Level;

/// A rule: stable code, name (usable in `kitei.toml` instead of the code), default level,
/// one-line summary and the explanation that `kitei explain` prints.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub summary: &'static str,
    pub explanation: &'static str,
}

/// Every rule family's list (loader K01, structure K02, …, prose K08 with K0606).
static FAMILIES: &[&[&Rule]] = &[
    super::loader::RULES,
    super::structure::RULES,
    super::incidents::RULES,
    super::notifications::RULES,
    super::duties::RULES,
    super::text::RULES,
    super::evidence::RULES,
    super::prose::RULES,
    super::acknowledgements::RULES,
];

static ALL: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut all: Vec<&'static Rule> = FAMILIES.iter().flat_map(|f| f.iter().copied()).collect();
    all.sort_by_key(|r| r.code);
    all
});

/// Every rule in code order: `for r in RULES { … }`.
pub const RULES: Rules = Rules;

/// The registry as an iterable value (see [`RULES`]).
#[derive(Debug, Clone, Copy)]
pub struct Rules;

impl Rules {
    pub fn iter(self) -> impl Iterator<Item = &'static Rule> {
        ALL.iter().copied()
    }

    pub fn len(self) -> usize {
        ALL.len()
    }

    pub fn is_empty(self) -> bool {
        ALL.is_empty()
    }
}

impl IntoIterator for Rules {
    type Item = &'static Rule;
    type IntoIter = std::iter::Copied<std::slice::Iter<'static, &'static Rule>>;

    fn into_iter(self) -> Self::IntoIter {
        ALL.iter().copied()
    }
}

/// Looks a rule up by code (`K0301`, in any case) or name (`lifecycle-order`). Through an
/// index: every finding of a check looks its rule up, thousands per run.
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    static INDEX: std::sync::OnceLock<rustc_hash::FxHashMap<String, &'static Rule>> =
        std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = rustc_hash::FxHashMap::default();
        // The first rule of a code or name wins, as a search in order finds it.
        for r in RULES {
            index.entry(r.code.to_ascii_uppercase()).or_insert(r);
        }
        for r in RULES {
            index.entry(r.name.to_string()).or_insert(r);
        }
        index
    });
    index
        .get(code_or_name)
        .or_else(|| index.get(&code_or_name.to_ascii_uppercase()))
        .copied()
}

/// The README's rule table (between `<!-- rules:begin -->` and `<!-- rules:end -->`), made
/// from the registry; a test keeps the README equal to it.
pub fn markdown_table() -> String {
    let mut t = String::from("| code | name | default | what it finds |\n|---|---|---|---|\n");
    for r in RULES {
        t.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.code,
            r.name,
            r.level.as_str(),
            r.summary
        ));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }

    /// The family files, as text: what the two tests below read.
    const SOURCES: &[(&str, &str)] = &[
        ("check/loader.rs", include_str!("loader.rs")),
        ("check/structure.rs", include_str!("structure.rs")),
        ("check/incidents.rs", include_str!("incidents.rs")),
        ("check/notifications.rs", include_str!("notifications.rs")),
        ("check/duties.rs", include_str!("duties.rs")),
        ("check/text.rs", include_str!("text.rs")),
        ("check/evidence.rs", include_str!("evidence.rs")),
        ("check/prose/mod.rs", include_str!("prose/mod.rs")),
        (
            "check/prose/dictionary.rs",
            include_str!("prose/dictionary.rs"),
        ),
        ("check/prose/names.rs", include_str!("prose/names.rs")),
        (
            "check/prose/enumerations.rs",
            include_str!("prose/enumerations.rs"),
        ),
        (
            "check/prose/numbering.rs",
            include_str!("prose/numbering.rs"),
        ),
        (
            "check/prose/references.rs",
            include_str!("prose/references.rs"),
        ),
        ("check/prose/dates.rs", include_str!("prose/dates.rs")),
        (
            "check/prose/typography.rs",
            include_str!("prose/typography.rs"),
        ),
        (
            "check/prose/fragments.rs",
            include_str!("prose/fragments.rs"),
        ),
        ("check/knock_on.rs", include_str!("knock_on.rs")),
        (
            "check/acknowledgements.rs",
            include_str!("acknowledgements.rs"),
        ),
        ("source/mod.rs", include_str!("../source/mod.rs")),
        ("source/yaml/mod.rs", include_str!("../source/yaml/mod.rs")),
        ("config.rs", include_str!("../config.rs")),
    ];

    #[test]
    fn every_code_used_in_the_source_is_registered() {
        for (file, src) in SOURCES {
            for (i, _) in src.match_indices("\"K0") {
                let code = &src[i + 1..i + 6];
                assert!(
                    rule(code).is_some(),
                    "{code} is used in {file} but not registered"
                );
            }
        }
    }

    #[test]
    fn every_declared_rule_is_in_its_familys_list() {
        // Every family's list, with module paths dropped (`dictionary::WORDING` → `WORDING`).
        let listed: Vec<&str> = SOURCES
            .iter()
            .filter_map(|(_, src)| src.split_once("static RULES: &[&Rule] = &["))
            .filter_map(|(_, rest)| rest.split_once("];"))
            .flat_map(|(list, _)| list.split(','))
            .map(|s| {
                s.trim()
                    .trim_start_matches('&')
                    .rsplit("::")
                    .next()
                    .unwrap_or("")
            })
            .collect();
        for (file, src) in SOURCES {
            for (i, _) in src.match_indices(": Rule = Rule {") {
                let name = src[..i].rsplit(' ').next().unwrap();
                assert!(
                    listed.contains(&name),
                    "{name} is declared in {file} but not listed in its family's RULES"
                );
            }
        }
    }
}
