//! Names in prose: outdated names of public bodies and laws (K0802), roles and committees
//! that no role defines (K0803), documents that are neither in the corpus nor declared
//! external (K0804).

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use rustc_hash::FxHashSet;
use serde::Deserialize;

use super::Doc;
use crate::check::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};

pub static OUTDATED_NAME: Rule = Rule {
    code: "K0802",
    name: "outdated-name",
    level: Level::Warning,
    summary: "an outdated name of a public body or law",
    explanation: "Agencies are renamed and merged and laws replaced; a regulation that still \
         tells staff to report to 内閣官房情報セキュリティセンター or cites the 行政機関個人情報保護法 \
         sends them to a body or law that no longer exists. kitei ships a dated table \
         (src/check/prose/names.yml: old name, current name, since, source); the help names \
         the current body or law.",
};

pub static UNDEFINED_ROLE: Rule = Rule {
    code: "K0803",
    name: "undefined-role",
    level: Level::Warning,
    summary: "a role, committee or department named in prose that no role defines",
    explanation: "A regulation assigns duties to roles (…責任者, …管理者, …担当者), committees \
         (…委員会) and departments (…事業部, …システム部). A name that roles.yaml does not \
         define has nobody recorded as holding it: during an incident nobody knows who that is. \
         Define the role (name, held_by, deputy) or use the name of a defined one. Public bodies \
         (個人情報保護委員会) and the names of organisations in contacts.yaml are not roles.",
};

pub static UNKNOWN_DOCUMENT: Rule = Rule {
    code: "K0804",
    name: "unknown-document",
    level: Level::Warning,
    summary: "a document named in prose that is not in the corpus",
    explanation: "A regulation that defers to another document (『人的管理規程』, 就業規則, \
         「…ガイドライン」) depends on it: the reader must be able to find it. Add it to the \
         corpus, or list it in kitei.toml as `[regulation] external_documents = [\"就業規則\"]`. \
         References that name no document at all (当社規定に従う) are reported too.",
};

#[derive(Debug, Deserialize)]
struct Table {
    current: Vec<String>,
    renamed: Vec<Renamed>,
}

#[derive(Debug, Deserialize)]
struct Renamed {
    old: String,
    new: String,
    since: String,
    source: String,
}

static TABLE: LazyLock<Table> =
    LazyLock::new(|| serde_saphyr::from_str(include_str!("names.yml")).expect("names.yml parses"));

/// Every old name of the table in one automaton: most prose lines hold none, and one pass
/// tells (searching each old name in each line was 7% of a 10,000-document build).
static OLD_NAMES: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::new(TABLE.renamed.iter().map(|r| r.old.as_str()))
        .expect("the old names make an automaton")
});

/// Nouns that name a role, committee or department.
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[一-龥々ァ-ヶーＡ-Ｚａ-ｚA-Za-z]*(?:責任者|管理者|担当者|統括者|委員会|委員長|事務局|事業部|[ァ-ヶー]部)")
        .expect("regex")
});

/// Names of documents: 『…』, or a noun ending in 規程, 規則 ….
static DOCUMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"『([^』]{2,40})』|([一-龥々ァ-ヶー・]*(?:規程|規則|細則|要領|要綱|ガイドライン|マニュアル))")
        .expect("regex")
});

/// A reference to "the company's rules" that names no document.
static VAGUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:当社|社内|会社|当法人|弊社)の?(?:規定|規程|規則|ルール)(?:に従|による|に基づ|の定め)",
    )
    .expect("regex")
});

/// Words that make a name refer to this or an unnamed document or role.
const DETERMINERS: &[&str] = &[
    "当社",
    "当法人",
    "弊社",
    "社内",
    "各",
    "当該",
    "同",
    "本",
    "前記",
    "上記",
    "下記",
    "この",
    "その",
    "全",
    "関係",
    "関連",
    "別途",
    "所定",
    "以後",
    "以下",
    "・",
];

fn strip_determiners(mut s: &str) -> &str {
    loop {
        let before = s;
        for d in DETERMINERS {
            if let Some(rest) = s.strip_prefix(d) {
                s = rest;
            }
        }
        if s == before {
            return s;
        }
    }
}

/// What the corpus names, gathered once per check run: the rules below look up every name
/// they meet in prose, and scanning every document's headings and titles for each of them made
/// the family quadratic in the number of documents (minutes at 10,000). Shared by the threads
/// that check documents; each remembers its own lookups ([`Lookups`]).
pub struct Known {
    /// Roles, organisations and public bodies (see [`defined_names`]).
    defined: Vec<String>,
    /// Every heading of the corpus, trailing blanks trimmed, reversed (by characters) and
    /// sorted: the headings that end with a name are the ones that start with it reversed.
    headings_reversed: Vec<String>,
    /// Document titles and ids, and the declared external documents, without blanks.
    documents: Vec<String>,
}

/// One thread's lookups in [`Known`], remembered per name: the same role and document names
/// recur in every document.
pub struct Lookups<'k> {
    known: &'k Known,
    role_known: HashMap<String, bool>,
    document_known: HashMap<String, bool>,
}

impl Known {
    pub fn new(ctx: &Ctx) -> Known {
        // Distinct headings first: many documents share headings (第1条（目的）), and each
        // reversed copy and its place in the sort were a third of this at 10,000 documents.
        let distinct: FxHashSet<&str> = ctx
            .corpus
            .documents
            .iter()
            .flat_map(|d| d.headings.iter())
            .map(|h| h.text.trim_end())
            .collect();
        let mut headings_reversed: Vec<String> = distinct.into_iter().map(reversed).collect();
        headings_reversed.sort_unstable();
        let documents = ctx
            .corpus
            .documents
            .iter()
            .flat_map(|d| [squash(&d.meta.title), d.id().to_string()])
            .chain(
                ctx.project
                    .config
                    .regulation
                    .external_documents
                    .iter()
                    .map(|s| squash(s)),
            )
            .collect();
        Known {
            defined: defined_names(ctx),
            headings_reversed,
            documents,
        }
    }

    pub fn lookups(&self) -> Lookups<'_> {
        Lookups {
            known: self,
            role_known: HashMap::new(),
            document_known: HashMap::new(),
        }
    }

    /// Feeds everything the lookups answer from to a key (the memo of the family's findings
    /// depends on it).
    pub fn digest(&self, k: &mut crate::check::memo::KeyBuilder) {
        k.parts(self.defined.iter().map(String::as_str))
            .parts(self.headings_reversed.iter().map(String::as_str))
            .parts(self.documents.iter().map(String::as_str));
    }

    /// Whether some heading of the corpus ends with `name`.
    fn titles_a_section(&self, name: &str) -> bool {
        let reversed = reversed(name);
        let at = self
            .headings_reversed
            .partition_point(|h| h.as_str() < reversed.as_str());
        self.headings_reversed
            .get(at)
            .is_some_and(|h| h.starts_with(&reversed))
    }
}

impl Lookups<'_> {
    /// A role name is known when a section is titled with it (## 実行責任者 in the emergency
    /// plan) or a defined name equals it, ends with it or is its ending.
    fn role(&mut self, name: &str) -> bool {
        if let Some(&known) = self.role_known.get(name) {
            return known;
        }
        let known = self.known.titles_a_section(name)
            || self
                .known
                .defined
                .iter()
                .any(|d| d == name || d.ends_with(name) || name.ends_with(d.as_str()));
        self.role_known.insert(name.to_string(), known);
        known
    }

    /// A document name is known when a title, id or external document equals it, contains
    /// it or is contained in it.
    fn document(&mut self, name: &str) -> bool {
        if let Some(&known) = self.document_known.get(name) {
            return known;
        }
        let known = self
            .known
            .documents
            .iter()
            .any(|k| k == name || k.contains(name) || name.contains(k.as_str()));
        self.document_known.insert(name.to_string(), known);
        known
    }
}

/// `s` without any whitespace.
fn squash(s: &str) -> String {
    let mut squashed = String::with_capacity(s.len());
    squashed.extend(s.chars().filter(|c| !c.is_whitespace()));
    squashed
}

/// `text` with its characters in reverse order, in one allocation (collecting the characters
/// grew the string step by step: a third of [`Known::new`] at 10,000 documents).
fn reversed(text: &str) -> String {
    let mut reversed = String::with_capacity(text.len());
    reversed.extend(text.chars().rev());
    reversed
}

pub fn check(ctx: &Ctx, known: &mut Lookups, doc: &Doc, out: &mut Vec<Diagnostic>) {
    outdated(ctx, doc, out);
    roles(ctx, known, doc, out);
    documents(ctx, known, doc, out);
}

fn outdated(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    for line in doc.lines.iter().filter(|l| l.is_prose()) {
        if !OLD_NAMES.is_match(line.text) {
            continue;
        }
        for r in &TABLE.renamed {
            for (at, _) in line.text.match_indices(r.old.as_str()) {
                // 労働省 inside 厚生労働省: part of a current name.
                let part_of_current = TABLE.current.iter().chain([&r.new]).any(|cur| {
                    line.text
                        .match_indices(cur.as_str())
                        .any(|(c, _)| c <= at && at + r.old.len() <= c + cur.len())
                });
                if part_of_current {
                    continue;
                }
                out.push(
                    ctx.diag("K0802", format!("「{}」 is an outdated name", r.old))
                        .at(doc.span(ctx, line, at..at + r.old.len()))
                        .help(format!("since {}: 「{}」 ({})", r.since, r.new, r.source))
                        .subject(doc.subject()),
                );
            }
        }
    }
}

/// The names the repository defines: roles, organisations in contacts.yaml, public bodies.
fn defined_names(ctx: &Ctx) -> Vec<String> {
    let c = ctx.corpus;
    c.roles
        .iter()
        .map(|r| r.name.clone())
        .chain(c.roles.iter().map(|r| r.id.value.clone()))
        .chain(c.organisations.iter().map(|o| o.name.clone()))
        .chain(TABLE.current.iter().cloned())
        .map(|n| n.split_whitespace().collect())
        .collect()
}

fn roles(ctx: &Ctx, known: &mut Lookups, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let mut reported = BTreeSet::new();
    for line in doc.lines.iter().filter(|l| l.is_prose()) {
        for m in ROLE.find_iter(line.text) {
            let name = strip_determiners(m.as_str());
            let offset = m.as_str().len() - name.len();
            if ROLE.find(name).is_none_or(|n| n.start() != 0) || is_generic(name) {
                continue;
            }
            if known.role(name) || !reported.insert(name.to_string()) {
                continue;
            }
            let roles: Vec<&str> = ctx
                .corpus
                .roles
                .iter()
                .map(|r| r.name.as_str())
                .take(6)
                .collect();
            let help = if roles.is_empty() {
                format!(
                    "define 「{name}」 in roles.yaml (name, held_by, deputy), or name a role that is defined"
                )
            } else {
                format!(
                    "define 「{name}」 in roles.yaml (name, held_by, deputy), or use a defined role: {}",
                    roles.join("、")
                )
            };
            out.push(
                ctx.diag(
                    "K0803",
                    format!("「{name}」 is named but no role defines it"),
                )
                .at(doc.span(ctx, line, m.start() + offset..m.end()))
                .help(help)
                .subject(doc.subject()),
            );
        }
    }
}

/// A bare suffix (責任者, 委員会) or a word that is not a role (内部, 外部).
fn is_generic(name: &str) -> bool {
    const BARE: &[&str] = &[
        "責任者",
        "管理者",
        "担当者",
        "統括者",
        "委員会",
        "委員長",
        "事務局",
        "事業部",
    ];
    BARE.contains(&name) || name.chars().count() < 3
}

fn documents(ctx: &Ctx, known: &mut Lookups, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let mut reported = BTreeSet::new();
    for line in doc.lines.iter().filter(|l| l.is_prose()) {
        for m in VAGUE.find_iter(line.text) {
            out.push(
                ctx.diag("K0804", format!("「{}」 names no document", m.as_str()))
                    .at(doc.span(ctx, line, m.range()))
                    .help("name the regulation that applies (e.g. 『就業規則』) and add it to the corpus or to [regulation] external_documents")
                    .subject(doc.subject()),
            );
        }
        for caps in DOCUMENT.captures_iter(line.text) {
            let (m, quoted) = match (caps.get(1), caps.get(2)) {
                (Some(q), _) => (q, true),
                (None, Some(b)) => (b, false),
                _ => continue,
            };
            let name = squash(strip_determiners(m.as_str()));
            let offset = m.as_str().len() - strip_determiners(m.as_str()).len();
            let bare = !quoted
                && (name.chars().count() <= 3
                    || name.contains('法')
                    || name.contains('令')
                    || name.ends_with("施行規則"));
            if bare || name.is_empty() {
                continue;
            }
            if known.document(&name) || !reported.insert(name.clone()) {
                continue;
            }
            out.push(
                ctx.diag("K0804", format!("「{name}」 is not a document of the corpus"))
                    .at(doc.span(ctx, line, m.start() + offset..m.end()))
                    .help(format!("add 「{name}」 to the corpus, or list it in kitei.toml: [regulation] external_documents = [\"{name}\"]"))
                    .subject(doc.subject()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_old_names_differ_from_new() {
        assert!(TABLE.renamed.len() >= 10);
        for r in &TABLE.renamed {
            assert_ne!(r.old, r.new);
            assert!(crate::config::parse_date(&r.since).is_ok(), "{}", r.since);
        }
    }

    #[test]
    fn role_nouns() {
        let found: Vec<_> = ROLE
            .find_iter("緊急対応の実行責任者は情報セキュリティ委員会と情報システム部に報告する")
            .map(|m| m.as_str())
            .collect();
        assert_eq!(
            found,
            ["実行責任者", "情報セキュリティ委員会", "情報システム部"]
        );
        assert_eq!(
            strip_determiners("当社システム開発事業部"),
            "システム開発事業部"
        );
        assert!(is_generic("責任者"));
    }
}
