//! The names pages give incident types (`type: malware` → マルウェア感染): the shipped table
//! (`incident_types.toml`) in the site's language, overridden and extended by kitei.toml's
//! `[incident_types]`. Ids are for files and links; readers see names.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::Lang;

/// The shipped names of common types, per language.
pub const SHIPPED: &str = include_str!("incident_types.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    ja: BTreeMap<String, String>,
    en: BTreeMap<String, String>,
}

/// Type id → the name shown on the site.
#[derive(Debug, Default)]
pub struct TypeNames(BTreeMap<String, String>);

impl TypeNames {
    /// The shipped names in `lang`, then the project's own (which win).
    pub fn new(lang: Lang, project: &BTreeMap<String, String>) -> Self {
        let shipped: Shipped = toml::from_str(SHIPPED)
            .unwrap_or_else(|e| unreachable!("src/render/incident_types.toml is broken: {e}"));
        let mut names = match lang {
            Lang::Ja => shipped.ja,
            Lang::En => shipped.en,
        };
        names.extend(project.iter().map(|(k, v)| (k.clone(), v.clone())));
        TypeNames(names)
    }

    /// The name of type `id`, or the id itself when nobody named it.
    pub fn name<'s>(&'s self, id: &'s str) -> &'s str {
        self.0.get(id).map_or(id, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_names_cover_both_languages_alike() {
        let shipped: Shipped = toml::from_str(SHIPPED).expect("the shipped table parses");
        let ja: Vec<&String> = shipped.ja.keys().collect();
        let en: Vec<&String> = shipped.en.keys().collect();
        assert_eq!(
            ja, en,
            "every shipped type is named in Japanese and in English"
        );
    }

    #[test]
    fn project_names_win_and_unknown_ids_show_as_written() {
        let project = BTreeMap::from([
            ("malware".to_string(), "ウイルス・マルウェア".to_string()),
            ("card-skimming".to_string(), "カード情報の窃取".to_string()),
        ]);
        let names = TypeNames::new(Lang::Ja, &project);
        assert_eq!(names.name("malware"), "ウイルス・マルウェア");
        assert_eq!(names.name("card-skimming"), "カード情報の窃取");
        assert_eq!(names.name("ransomware"), "ランサムウェア");
        assert_eq!(names.name("made-up"), "made-up");
        assert_eq!(
            TypeNames::new(Lang::En, &BTreeMap::new()).name("dos"),
            "Denial of service"
        );
    }
}
