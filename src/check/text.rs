//! Rules over the text of regulation documents: the required-section skeleton, clause
//! numbers and cross-references, placeholders, and era dates that cannot exist.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Ctx;
use super::memo::{Hash, KeyBuilder};
use crate::dates::{ERAS, era_date};
use crate::diag::{Diagnostic, Loc};
use crate::model::document::Document;
use crate::model::{DocKind, FileId, Ref, RefKind};

use super::Rule;
use crate::diag::Level;

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[
    &REQUIRED_SECTIONS,
    &UNRESOLVED_CLAUSE,
    &DUPLICATE_CLAUSE_NUMBER,
    &PLACEHOLDER,
    &ERA_DATE,
    &super::hidden_text::HIDDEN_TEXT,
    &FILL_IN_RULE,
];

pub static REQUIRED_SECTIONS: Rule = Rule {
    code: "K0601",
    name: "required-sections",
    level: Level::Error,
    summary: "the regulation lacks a required section or has them out of order",
    explanation: "A `kind: regulation` document has every section of the configured skeleton \
         ([regulation] required_sections; default: the common skeleton 趣旨 … 改訂 of DOMAIN.md) as \
         headings, in that order.",
};

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if !ctx
        .corpus
        .documents
        .iter()
        .any(|d| d.kind() == DocKind::Regulation)
    {
        out.push(
            ctx.diag("K0601", "the source folder has no regulation document (`kind: regulation`)")
                .at(Loc::file(ctx.project.config.source.join("regulation")))
                .help("add the regulation as Markdown with front matter in regulation/ (see docs/formats.md)"),
        );
    }
    // Each document's findings depend on its own file, the settings and the documents its
    // clause links point at, so they are remembered per document (crate::check::memo).
    let memo = ctx.memo("text");
    let facts = memo.is_on().then(|| {
        let mut k = KeyBuilder::new("text facts");
        // Config's Debug has no unordered maps: required sections, synonyms, placeholders.
        k.part(format!("{:?}", ctx.project.config).as_bytes());
        k
    });
    // Each document's headings digested once, not once per clause link that points at it
    // (nearly every document links the regulation's clauses: at 10,000 documents that was
    // most of a `kitei serve` rebuild's time in this family). Under an id shared by two
    // documents, the first one's, as `Corpus::document` finds it.
    let mut headings: FxHashMap<&str, Hash> = FxHashMap::default();
    if facts.is_some() {
        let digests: Vec<Hash> = ctx
            .corpus
            .documents
            .par_iter()
            .map(|d| headings_digest(d))
            .collect();
        for (d, digest) in ctx.corpus.documents.iter().zip(digests) {
            headings.entry(d.id()).or_insert(digest);
        }
    }
    let found: Vec<Vec<Diagnostic>> = ctx
        .corpus
        .documents
        .par_iter()
        .map(|d| {
            let key = facts
                .as_ref()
                .map(|facts| document_key(ctx, facts.clone(), d, &headings));
            memo.get_or(key, || {
                let mut found = Vec::new();
                document(ctx, d, &mut found);
                found
            })
        })
        .collect();
    out.extend(found.into_iter().flatten());
    memo.save();
    fill_ins(ctx, out);
}

/// The rules of the family over one document.
fn document(ctx: &Ctx, d: &crate::model::Sourced<Document>, out: &mut Vec<Diagnostic>) {
    if d.kind() == DocKind::Regulation {
        required_sections(ctx, d.file, d, out);
    }
    clause_links(ctx, d.file, d, out);
    duplicate_clauses(ctx, d.file, d, out);
    super::hidden_text::check(ctx, d.file, d, out);
    for (text, line) in d.text_runs() {
        let loc = ctx.corpus.loc_line(d.file, line);
        placeholders(ctx, text, &loc, d, out);
        era_dates(ctx, text, &loc, d, out);
    }
    let title_loc = ctx.loc(d.file, &d.meta.id);
    placeholders(ctx, &d.meta.title, &title_loc, d, out);
}

/// What [`document`]'s findings are made from: the facts, the document's file, and for each
/// clause link the document it names (whether it exists, and its headings' anchors: their
/// digest in `headings`, by document id).
fn document_key(
    ctx: &Ctx,
    mut k: KeyBuilder,
    d: &crate::model::Sourced<Document>,
    headings: &FxHashMap<&str, Hash>,
) -> Hash {
    let file = &ctx.corpus.files[d.file];
    k.part(file.display_path.as_os_str().as_encoded_bytes())
        .part(file.sha256.as_bytes());
    for link in d.links.iter().filter(|l| l.dest.starts_with("clause:")) {
        k.part(link.dest.as_bytes());
        let Ok((_, id, fragment)) = Ref::parts(&link.dest) else {
            continue;
        };
        let target = fragment.map_or(d.id(), |_| id);
        match headings.get(target) {
            None => k.part(b"missing"),
            Some(digest) => k.part(b"found").part(digest),
        };
    }
    k.finish()
}

/// The anchors of a document's headings, and which of them are clauses.
fn headings_digest(d: &Document) -> Hash {
    let mut k = KeyBuilder::new("headings");
    for h in &d.headings {
        k.part(h.anchor.as_bytes())
            .part(if h.clause_number.is_some() {
                b"c"
            } else {
                b"-"
            });
    }
    k.finish()
}

fn subject(d: &Document) -> String {
    format!("doc:{}", d.id())
}

fn required_sections(ctx: &Ctx, file: FileId, d: &Document, out: &mut Vec<Diagnostic>) {
    let required = &ctx.project.config.regulation.required_sections;
    let mapping = super::prose::section_mapping(ctx, d);
    let synonyms_used: Vec<String> = mapping
        .iter()
        .filter_map(|m| {
            let (i, name) = m.found.as_ref()?;
            (name != &m.required).then(|| format!("{} = 「{}」", m.required, d.headings[*i].text))
        })
        .collect();
    let mapping_note = if synonyms_used.is_empty() {
        String::new()
    } else {
        format!("; matched by synonym: {}", synonyms_used.join(", "))
    };
    let mut last_found: Option<(usize, &str)> = None;
    for m in &mapping {
        let title = &m.required;
        match &m.found {
            Some((i, _)) if last_found.is_some_and(|(prev, _)| *i < prev) => out.push(
                // Another order is a matter of style, not a missing duty: a warning.
                ctx.diag_at_level(
                    crate::diag::Level::Warning,
                    "K0601",
                    format!(
                        "section 「{title}」 is out of order: it should come after 「{}」",
                        last_found.map_or("the start", |(_, t)| t)
                    ),
                )
                .at(ctx.corpus.loc_line(file, d.headings[*i].line))
                .help(format!(
                    "order the sections as in [regulation] required_sections: {}{mapping_note}",
                    required.join(" → ")
                ))
                .subject(subject(d)),
            ),
            Some((i, _)) => last_found = Some((*i, title)),
            None => out.push(
                ctx.diag(
                    "K0601",
                    format!("regulation `{}` has no section 「{title}」", d.id()),
                )
                .at(ctx.loc(file, &d.meta.id))
                .help(format!(
                    "add a heading containing 「{title}」 (or a synonym: [regulation.section_synonyms]) in its place: {}{mapping_note}",
                    required.join(" → ")
                ))
                .subject(subject(d)),
            ),
        }
    }
}

pub static UNRESOLVED_CLAUSE: Rule = Rule {
    code: "K0602",
    name: "unresolved-clause",
    level: Level::Error,
    summary: "a cross-reference to a clause that does not exist",
    explanation: "A `clause:` link must name an anchor of a heading: `clause:anchor` in the same document or \
         `clause:doc-id#anchor` in another one.",
};

/// `clause:anchor` (same document) or `clause:doc#anchor`.
fn clause_links(ctx: &Ctx, file: FileId, d: &Document, out: &mut Vec<Diagnostic>) {
    for link in d.links.iter().filter(|l| l.dest.starts_with("clause:")) {
        let loc = Loc::new(
            ctx.corpus.files[file].display_path.clone(),
            link.line,
            link.column,
        );
        let Ok(r) = link.dest.parse::<Ref>() else {
            out.push(
                ctx.diag(
                    "K0602",
                    format!("`{}` is not a clause reference", link.dest),
                )
                .at(loc)
                .help("write `clause:anchor` or `clause:document-id#anchor`")
                .subject(subject(d)),
            );
            continue;
        };
        debug_assert_eq!(r.kind, RefKind::Clause);
        let (doc_id, anchor) = match &r.fragment {
            Some(frag) => (r.id.as_str(), frag.as_str()),
            None => (d.id(), r.id.as_str()),
        };
        let problem = match ctx.corpus.document(doc_id) {
            None => Some(format!("document `{doc_id}` does not exist")),
            Some(target) if target.anchor(anchor).is_none() => {
                Some(format!("`{doc_id}` has no clause with anchor `{anchor}`"))
            }
            Some(_) => None,
        };
        if let Some(problem) = problem {
            let anchors = ctx
                .corpus
                .document(doc_id)
                .map(|t| t.clauses().map(|h| h.anchor.as_str()).collect::<Vec<_>>())
                .unwrap_or_default();
            let help = match super::structure::closest(anchor, anchors.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "give the target heading an anchor (`## 第5条（報告） {#report}`) and link to it".to_string(),
            };
            out.push(
                ctx.diag(
                    "K0602",
                    format!("cross-reference `{}`: {problem}", link.dest),
                )
                .at(loc)
                .help(help)
                .subject(subject(d)),
            );
        }
    }
}

pub static DUPLICATE_CLAUSE_NUMBER: Rule = Rule {
    code: "K0603",
    name: "duplicate-clause-number",
    level: Level::Error,
    summary: "a clause number used twice in one document",
    explanation: "Clause numbers (第5条, 4.3, 【4.3】) identify clauses in references and amendments; using one \
         twice makes every reference to it ambiguous (seed 000 uses 【4.3】 twice).",
};

fn duplicate_clauses(ctx: &Ctx, file: FileId, d: &Document, out: &mut Vec<Diagnostic>) {
    // Clause identity is (parent heading, number): numbering that restarts in each chapter
    // is not a duplicate.
    let parents = super::prose::parents(&d.headings);
    let mut seen: HashMap<(Option<usize>, &str), u32> = HashMap::new();
    for (i, h) in d.headings.iter().enumerate() {
        let Some(number) = h.clause_number.as_deref() else {
            continue;
        };
        match seen.get(&(parents[i], number)) {
            Some(first) => out.push(
                ctx.diag(
                    "K0603",
                    format!("clause number {number} is used twice (first on line {first})"),
                )
                .at(ctx.corpus.loc_line(file, h.line))
                .help("renumber the clauses so that each number is used once under its parent")
                .subject(subject(d)),
            ),
            None => {
                seen.insert((parents[i], number), h.line);
            }
        }
    }
}

pub static PLACEHOLDER: Rule = Rule {
    code: "K0604",
    name: "placeholder",
    level: Level::Error,
    summary: "placeholder text left in a document",
    explanation: "○○, 〇〇, ●●, ××, ■■, ＿＿, xx/ｘｘ in dates, XX as a word, TODO, TBD, FIXME, \
         [要確認] and （省略）/（氏名省略） in any bracket mark text that was never filled in (seed \
         001 was approved on 令和ｘｘ年ｘｘ月ｘｘ日; a contact list with TEL:（省略） reaches nobody).",
};

/// Placeholders: ○○ 〇〇 ●● ×× ■■ ＿＿ (two or more), xx/ｘｘ next to 年/月/日 or after 20,
/// XX as a word, TODO/TBD/FIXME, [要確認] and （省略） in any bracket.
static MARKERS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"[\[［【(（〔<＜]\s*(?:要確認|要記入|要検討|要修正|未定|確認中|TBD|TODO|[^\]］】)）〕>＞]{0,6}省略)\s*[\]］】)）〕>＞]|_{3,}")
        .expect("regex")
});

fn placeholders(ctx: &Ctx, text: &str, loc: &Loc, d: &Document, out: &mut Vec<Diagnostic>) {
    // Fast path: most text has none of the characters a placeholder is made of.
    if !text.contains([
        'T', 'F', '○', '〇', '◯', '×', '＊', 'x', 'X', 'ｘ', 'Ｘ', '●', '■', '△', '＿', '_', '要',
        '省',
    ]) {
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut found: Option<String> = None;
    for word in ["TODO", "TBD", "FIXME"] {
        // Whole words only, so that e.g. a URL path `todokede` or `TODOKEDE` is not flagged.
        let whole = text.match_indices(word).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + word.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        });
        if whole {
            found = Some(word.to_string());
        }
    }
    // Marked as to be confirmed or left out: [要確認], 【要確認】, （要確認）, （省略）, (氏名省略).
    if found.is_none() {
        found = MARKERS.find(text).map(|m| m.as_str().to_string());
    }
    let is_circle = |c: char| matches!(c, '○' | '〇' | '◯' | '×' | '＊' | '●' | '■' | '△' | '＿');
    let is_x = |c: char| matches!(c, 'x' | 'X' | 'ｘ' | 'Ｘ');
    let mut i = 0;
    while i < chars.len() && found.is_none() {
        if is_circle(chars[i]) && chars.get(i + 1).is_some_and(|c| is_circle(*c)) {
            found = Some(chars[i..i + 2].iter().collect());
        } else if is_x(chars[i]) && chars.get(i + 1).is_some_and(|c| is_x(*c)) {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 2).copied();
            // Only in dates: 令和xx年, 20xx年, xx月xx日, 2025-xx-xx (not "5xx errors").
            let datey = matches!(after, Some('年' | '月' | '日'))
                || (matches!(before, Some('-' | '/'))
                    && matches!(after, None | Some('-' | '/' | ' ')))
                || before.is_some_and(|b| ERAS.iter().any(|e| e.name.ends_with(b)));
            // XX as a word of its own (株式会社XX, XX部): upper case only, no letters around.
            let word = matches!(chars[i], 'X' | 'Ｘ')
                && chars[i + 1] == chars[i]
                && !before.is_some_and(|b| b.is_ascii_alphanumeric())
                && !after.is_some_and(|a| a.is_ascii_alphanumeric() || matches!(a, 'X' | 'Ｘ'));
            if datey || word {
                found = Some(chars[i..i + 2].iter().collect());
            }
        }
        i += 1;
    }
    if let Some(p) = found {
        out.push(
            ctx.diag("K0604", format!("placeholder 「{p}」 left in the text"))
                .at(located(d, loc, &p))
                .help("replace the placeholder with the real value before the document is approved")
                .subject(subject(d)),
        );
    }
}

pub static ERA_DATE: Rule = Rule {
    code: "K0605",
    name: "era-date",
    level: Level::Error,
    summary: "an impossible Japanese era date",
    explanation: "Dates written in 和暦 must exist: 平成 ended on 平成31年4月30日 and 令和 began on 令和元年5月1日; \
         an era year is never a four-digit Western year (平成2020年); months and days must exist.",
};

/// Finds era dates such as 令和元年4月1日, 平成2020年, 令和7年2月29日 and reports impossible ones.
fn era_dates(ctx: &Ctx, text: &str, loc: &Loc, d: &Document, out: &mut Vec<Diagnostic>) {
    // Fast path: era names are not digits, so the raw text shows whether one occurs at all.
    if !ERAS.iter().any(|era| text.contains(era.name)) {
        return;
    }
    let normalised: String = text.chars().map(half_width_digit).collect();
    for era in ERAS {
        for (pos, _) in normalised.match_indices(era.name) {
            let rest = &normalised[pos + era.name.len()..];
            let Some((year, rest)) = number_then(rest, '年', true) else {
                continue;
            };
            let (month, rest) =
                number_then(rest, '月', false).map_or((None, rest), |(m, r)| (Some(m), r));
            let day = month
                .and_then(|_| number_then(rest, '日', false))
                .map(|(dd, _)| dd);
            if let Err(why) = era_date(era.name, year, month, day) {
                // The same characters in the raw text (digits may be full-width there).
                let at = normalised[..pos].chars().count();
                let raw: String = text
                    .chars()
                    .skip(at)
                    .take(era.name.chars().count() + 2)
                    .collect();
                out.push(
                    ctx.diag("K0605", format!("impossible era date: {why}"))
                        .at(located(d, loc, &raw))
                        .help("correct the date (or write it as YYYY-MM-DD)")
                        .subject(subject(d)),
                );
            }
        }
    }
}

/// The line and column of `needle` in the Markdown source, searching from the first line of
/// the text run at `loc` (a run may continue on the next lines), about its characters; `loc`
/// when it is not found.
fn located(d: &Document, loc: &Loc, needle: &str) -> Loc {
    let Some(first) = loc.line.checked_sub(d.body_line) else {
        return loc.clone();
    };
    for (i, line) in d.body.split('\n').enumerate().skip(first as usize).take(50) {
        if let Some(byte) = line.find(needle) {
            let mut at = loc.clone();
            at.line = d.body_line + i as u32;
            at.column = line[..byte].chars().count() as u32 + 1;
            return at.spanning(needle.chars().count() as u32);
        }
    }
    loc.clone()
}

fn half_width_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        _ => c,
    }
}

/// Parses digits (or 元 when `allow_gan`) followed by `unit`, returning the rest.
fn number_then(s: &str, unit: char, allow_gan: bool) -> Option<(u32, &str)> {
    if allow_gan && let Some(rest) = s.strip_prefix('元').and_then(|r| r.strip_prefix(unit)) {
        return Some((1, rest));
    }
    let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let n = s[..digits].parse().ok()?;
    s[digits..].strip_prefix(unit).map(|rest| (n, rest))
}

pub static FILL_IN_RULE: Rule = Rule {
    code: "K0608",
    name: "fill-in",
    level: Level::Error,
    summary: "a record field that `kitei new` left to fill in",
    explanation: "`kitei new` writes 【要記入】 (and `FILL-IN` inside a reference) where only a person \
         can say what belongs: a title, an incident type, a reason, the record an exception is for. \
         The comment on the line says what to write. Each one left is reported at its line and \
         column; the other rules do not report the placeholder as a wrong value.",
};

/// 【要記入】 / `FILL-IN` left in a record (or in a runbook's front matter): each occurrence, at
/// its line and column. Only records whose values hold the marker are read again, so a
/// corpus without any costs one string search per field.
pub fn fill_ins(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use crate::model::values::{FILL_IN, FILL_IN_ID};
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    // Searchers built once: `str::contains` sets one up per call, a cost when every incident's
    // summary is searched twice.
    static MARKERS: LazyLock<[Finder<'static>; 2]> =
        LazyLock::new(|| [Finder::new(FILL_IN), Finder::new(FILL_IN_ID)]);
    let has = |s: &str| MARKERS.iter().any(|m| m.find(s.as_bytes()).is_some());
    let opt = |s: &Option<String>| s.as_deref().is_some_and(has);
    let c = ctx.corpus;
    let mut files: Vec<(FileId, String, bool)> = Vec::new();
    for i in &c.incidents {
        if has(&i.title) || has(&i.kind.value) || opt(&i.summary) || opt(&i.root_cause) {
            files.push((i.file, i.reference(), false));
        }
    }
    for d in &c.drills {
        if has(&d.title) || opt(&d.scenario) {
            files.push((d.file, format!("drill:{}", d.id.value), false));
        }
    }
    for r in &c.reviews {
        if opt(&r.notes) || has(&r.document.value.id) || has(&r.reviewer.value.id) {
            files.push((r.file, format!("review:{}", r.id.value), false));
        }
    }
    for e in &c.exceptions {
        if has(&e.rule.value)
            || has(&e.reason)
            || has(&e.record.value.id)
            || has(&e.approved_by.value.id)
        {
            files.push((e.file, format!("exception:{}", e.id.value), false));
        }
    }
    for d in &c.documents {
        // (A title is text: K0604 reports a placeholder in it.)
        if d.meta.incident_types.iter().any(|t| has(&t.value)) || opt(&d.meta.summary) {
            files.push((d.file, subject(d), true));
        }
    }
    files.dedup_by(|a, b| a.0 == b.0);
    for (file, subject, front_matter_only) in files {
        let source = &c.files[file];
        let text = std::fs::read_to_string(c.root.join(&source.rel_path)).unwrap_or_default();
        let mut found = 0;
        for (n, line, column, marker) in markers_in(&text, front_matter_only) {
            found += 1;
            let key = line
                .split_once(':')
                .map(|(k, _)| k.trim().trim_start_matches("- ").to_string())
                .filter(|k| !k.is_empty() && !k.contains(FILL_IN))
                .map(|k| format!("`{k}`"))
                .unwrap_or_else(|| "a value".into());
            out.push(
                ctx.diag("K0608", format!("{key} still says {marker}: fill this in"))
                    .at(Loc::new(source.display_path.clone(), n, column))
                    .help(format!(
                        "replace {marker} with the real value (the comment on the line says what to write)"
                    ))
                    .subject(subject.clone()),
            );
        }
        if found == 0 {
            // Read back differently than loaded (changed meanwhile): still a finding.
            out.push(
                ctx.diag("K0608", "a value still holds a placeholder: fill this in")
                    .at(ctx.corpus.file_loc(file))
                    .help("replace 【要記入】 / FILL-IN with the real values")
                    .subject(subject),
            );
        }
    }
}

/// (line number, the line, column in characters, the marker) of every marker outside YAML
/// comments; with `front_matter_only`, between the first two `---` lines only.
fn markers_in(text: &str, front_matter_only: bool) -> Vec<(u32, &str, u32, &'static str)> {
    use crate::model::values::{FILL_IN, FILL_IN_ID};
    let mut found = Vec::new();
    let mut fences = 0;
    for (i, line) in text.lines().enumerate() {
        if front_matter_only {
            if line.trim_end() == "---" {
                fences += 1;
                if fences == 2 {
                    break;
                }
                continue;
            }
            if fences == 0 || line.starts_with("title:") {
                continue;
            }
        }
        let code = match line.find('#') {
            Some(0) => "",
            Some(at) if line[..at].ends_with([' ', '\t']) => &line[..at],
            _ => line,
        };
        for marker in [FILL_IN, FILL_IN_ID] {
            for (at, _) in code.match_indices(marker) {
                let column = code[..at].chars().count() as u32 + 1;
                found.push((i as u32 + 1, line, column, marker));
            }
        }
    }
    found.sort_by_key(|f| (f.0, f.2));
    found
}
