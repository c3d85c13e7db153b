//! Numbering: K0806 (gaps, numbers out of order, a sub-clause at its parent's heading level,
//! a number hidden behind a bullet), the clause scopes that K0603 uses (numbering restarts in
//! each chapter), and the synonym table that K0601 matches required sections with.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::{Doc, Kind};
use crate::check::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};
use crate::model::document::{Document, Heading};

pub static NUMBERING: Rule = Rule {
    code: "K0806",
    name: "numbering",
    level: Level::Warning,
    summary: "clause numbers with a gap, out of order, or at the wrong heading level",
    explanation: "Within one parent (numbering restarts in each chapter, so 1, 2, 3 under 第1章 and \
         1, 2 under 第2章 are fine), sibling clauses in the same style count up by one: a gap \
         (5 → 7) means a clause was lost or renumbered, a smaller number means two clauses were \
         swapped. A sub-clause number (7-2, 4.3) on a heading of the same level as its parent's \
         siblings is a heading level mistake, and a bullet in front of a number (## ・ 6. 準備) \
         hides the number from every reference. Duplicates are K0603.",
};

/// How a number is written, so that only numbers of one style are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    /// 第N条, 第N章, 第N節 (the unit is part of the style).
    Dai(char),
    /// 1, 4.3, 7-1 (components).
    Arabic,
    /// (1)
    Paren,
    /// ①
    Circled,
    /// 一
    Kanji,
}

/// A clause number split into its style and components: `4.3` → (Arabic, [4, 3]).
pub fn parse(number: &str) -> Option<(Style, Vec<u32>)> {
    if let Some(rest) = number.strip_prefix('第') {
        let unit = rest.chars().find(|c| matches!(c, '条' | '章' | '節'))?;
        let (n, sub) = rest.split_once(unit)?;
        let mut parts = vec![n.parse().ok()?];
        if let Some(s) = sub.strip_prefix('の') {
            parts.push(s.parse().ok()?);
        }
        return Some((Style::Dai(unit), parts));
    }
    if let Some(inner) = number.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        return Some((Style::Paren, vec![inner.parse().ok()?]));
    }
    if let Some(c) = number.chars().next().filter(|c| ('①'..='⑳').contains(c)) {
        return Some((Style::Circled, vec![c as u32 - '①' as u32 + 1]));
    }
    if number
        .chars()
        .all(|c| "〇一二三四五六七八九十百".contains(c))
    {
        let n = "〇一二三四五六七八九十"
            .chars()
            .position(|d| number.chars().count() == 1 && number.starts_with(d))?;
        return Some((Style::Kanji, vec![n as u32]));
    }
    let parts: Option<Vec<u32>> = number.split(['.', '-']).map(|p| p.parse().ok()).collect();
    Some((Style::Arabic, parts?))
}

/// For each heading, the index of its parent heading (the nearest earlier heading of a
/// lower level), if any. Clause identity is (parent, number): numbering restarts per parent.
pub fn parents(headings: &[Heading]) -> Vec<Option<usize>> {
    let mut stack: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(headings.len());
    for (i, h) in headings.iter().enumerate() {
        while stack.last().is_some_and(|&p| headings[p].level >= h.level) {
            stack.pop();
        }
        out.push(stack.last().copied());
        stack.push(i);
    }
    out
}

/// A clause heading's index and its number's components.
type Numbered = (usize, Vec<u32>);

pub fn check(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let d: &Document = doc.doc;
    let parents = parents(&d.headings);
    // Siblings: clause headings with the same parent, grouped by style.
    let mut groups: BTreeMap<(Option<usize>, Style), Vec<Numbered>> = BTreeMap::new();
    for (i, h) in d.headings.iter().enumerate() {
        if let Some((style, parts)) = h.clause_number.as_deref().and_then(parse) {
            groups
                .entry((parents[i], style))
                .or_default()
                .push((i, parts));
        }
    }
    for ((_, style), members) in &groups {
        // The usual depth among siblings; the others are at the wrong heading level.
        let mut depths: BTreeMap<usize, usize> = BTreeMap::new();
        for (_, parts) in members {
            *depths.entry(parts.len()).or_default() += 1;
        }
        let usual = depths
            .iter()
            .max_by_key(|(depth, count)| (**count, std::cmp::Reverse(**depth)))
            .map(|(d, _)| *d)
            .unwrap_or(1);
        let mut previous: Option<&Vec<u32>> = None;
        for (i, parts) in members {
            let h = &d.headings[*i];
            let number = h.clause_number.as_deref().unwrap_or_default();
            if parts.len() != usual && *style == Style::Arabic {
                let deeper = parts.len() > usual;
                out.push(
                    ctx.diag(
                        "K0806",
                        format!(
                            "「{number}」 is numbered as a {} but its heading has the level of its siblings",
                            if deeper { "sub-clause" } else { "parent clause" }
                        ),
                    )
                    .at(heading_loc(ctx, doc, h))
                    .help(format!(
                        "make it a heading one level {} (`{}`), like the other clauses numbered that way",
                        if deeper { "deeper" } else { "higher" },
                        "#".repeat(if deeper { h.level as usize + 1 } else { (h.level as usize).saturating_sub(1).max(1) })
                    ))
                    .subject(doc.subject()),
                );
                continue;
            }
            if let Some(prev) = previous
                && prev.len() == parts.len()
                && prev[..prev.len() - 1] == parts[..parts.len() - 1]
            {
                let (p, n) = (prev[prev.len() - 1], parts[parts.len() - 1]);
                let problem = if n < p {
                    Some(format!(
                        "「{number}」 comes after a higher number: out of order"
                    ))
                } else if n > p + 1 {
                    Some(format!(
                        "「{number}」 follows {}: {} missing",
                        join(&prev[..]),
                        if n == p + 2 {
                            format!("{} is", p + 1)
                        } else {
                            format!("{}–{} are", p + 1, n - 1)
                        }
                    ))
                } else {
                    None
                };
                if let Some(problem) = problem {
                    out.push(
                        ctx.diag("K0806", problem)
                            .at(heading_loc(ctx, doc, h))
                            .help("renumber the clauses so that siblings count up by one (and update references to them)")
                            .subject(doc.subject()),
                    );
                }
            }
            previous = Some(parts);
        }
    }
    hidden_numbers(ctx, doc, out);
}

fn join(parts: &[u32]) -> String {
    parts
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn heading_loc(ctx: &Ctx, doc: &Doc, h: &Heading) -> crate::diag::Loc {
    match doc
        .lines
        .iter()
        .find(|l| l.number == h.line && matches!(l.kind, Kind::Heading(_)))
    {
        Some(line) => doc.at(ctx, line, 0),
        None => ctx.corpus.loc_line(doc.file(), h.line),
    }
}

/// `## ・ 6. 平時の準備`: a bullet in front of the number.
fn hidden_numbers(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    for line in doc
        .lines
        .iter()
        .filter(|l| matches!(l.kind, Kind::Heading(_)))
    {
        let rest = line
            .text
            .trim_start_matches(['・', '•', '·', '●', '-', '*', ' ', '\u{3000}']);
        if rest.len() != line.text.len() && crate::source::markdown::clause_number(rest).is_some() {
            out.push(
                ctx.diag(
                    "K0806",
                    format!("the number of 「{rest}」 is hidden behind a bullet"),
                )
                .at(doc.at(ctx, line, 0))
                .help("delete the bullet so that the heading starts with its number")
                .subject(doc.subject()),
            );
        }
    }
}

/// The shipped synonyms of the required sections.
static SYNONYMS: LazyLock<BTreeMap<String, Vec<String>>> = LazyLock::new(|| {
    serde_saphyr::from_str(include_str!("synonyms.yml")).expect("synonyms.yml parses")
});

/// Heading text for matching: no spaces, no list punctuation.
fn normalise(s: &str) -> String {
    s.replace("及び", "")
        .replace("および", "")
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '、' | '・' | '，' | ',' | 'と' | '･'))
        .collect()
}

/// How a required section was found in a document.
#[derive(Debug, Clone)]
pub struct SectionMatch {
    pub required: String,
    /// The heading's index in `Document::headings` and the name that matched (the required
    /// title itself or a synonym).
    pub found: Option<(usize, String)>,
}

/// Matches each required section to a heading: first by its title, then by a synonym
/// (shipped table plus `[regulation.section_synonyms]`), scanning forward from the previous
/// match so that the order of the skeleton is respected where possible.
pub fn section_mapping(ctx: &Ctx, d: &Document) -> Vec<SectionMatch> {
    let config = &ctx.project.config.regulation;
    let headings: Vec<String> = d.headings.iter().map(|h| normalise(&h.text)).collect();
    let mut used = vec![false; headings.len()];
    let mut out = Vec::new();
    for title in &config.required_sections {
        let mut names = vec![title.clone()];
        names.extend(SYNONYMS.get(title).into_iter().flatten().cloned());
        names.extend(
            config
                .section_synonyms
                .get(title)
                .into_iter()
                .flatten()
                .cloned(),
        );
        let found = names.iter().find_map(|name| {
            let want = normalise(name);
            (0..headings.len())
                .find(|&i| !used[i] && headings[i].contains(&want))
                .map(|i| (i, name.clone()))
        });
        if let Some((i, _)) = &found {
            used[*i] = true;
        }
        out.push(SectionMatch {
            required: title.clone(),
            found,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_by_style() {
        assert_eq!(parse("第12条"), Some((Style::Dai('条'), vec![12])));
        assert_eq!(parse("4.3"), Some((Style::Arabic, vec![4, 3])));
        assert_eq!(parse("7-1"), Some((Style::Arabic, vec![7, 1])));
        assert_eq!(parse("(2)"), Some((Style::Paren, vec![2])));
        assert_eq!(parse("③"), Some((Style::Circled, vec![3])));
        assert_eq!(parse("三"), Some((Style::Kanji, vec![3])));
    }

    #[test]
    fn normalised_headings_match_across_punctuation() {
        assert_eq!(
            normalise("事象の検知、報告と分析"),
            normalise("事象の検知・報告・分析")
        );
        assert!(SYNONYMS.contains_key("趣旨"));
    }
}
