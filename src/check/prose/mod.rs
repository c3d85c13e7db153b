//! The Japanese regulation-text linter: rules over the prose of Markdown documents that find
//! what a careful reviewer finds in a regulation written years ago and revised by hand —
//! wrong characters and wording (a prh-style dictionary), typography, outdated names of public
//! bodies, roles and documents the repository does not define, empty enumerations, broken
//! numbering, approval sentences without approver or date, mixed date formats, fragments left
//! by copying. Every finding points at the exact line and column of the Markdown source.
//!
//! The rules read the document line by line ([`Line`]): Markdown block markers are stripped
//! but columns stay those of the source file.

mod dates;
mod dictionary;
mod enumerations;
mod fragments;
mod names;
mod numbering;
mod references;
mod typography;

pub use dates::revision_dates;
pub use dictionary::{Dictionary, Entry};
pub use numbering::{SectionMatch, parents, section_mapping};

use super::memo::KeyBuilder;
use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Loc};
use crate::model::document::Document;
use crate::model::{FileId, Sourced};

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[
    &references::CLAUSE_MENTION,
    &dictionary::WORDING,
    &names::OUTDATED_NAME,
    &names::UNDEFINED_ROLE,
    &names::UNKNOWN_DOCUMENT,
    &enumerations::EMPTY_ENUMERATION,
    &numbering::NUMBERING,
    &dates::APPROVAL_STATEMENT,
    &dates::DATE_FORMAT,
    &typography::TYPOGRAPHY,
    &fragments::FRAGMENT,
];

/// What a line of Markdown is, as far as the prose rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blank,
    /// `#`…`######`, with its level.
    Heading(u8),
    /// A list item (`-`, `*`, `+`, `1.`, `1)`); `text` is the item's text after the marker.
    ListItem,
    Table,
    /// Fenced code, HTML: never read as prose.
    Code,
    Paragraph,
}

/// One line of a document body: its file line, what kind it is and its prose text with the
/// column (1-based, in characters) at which that text starts in the source line.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    pub number: u32,
    pub kind: Kind,
    pub text: &'a str,
    /// Characters before `text` on the source line.
    pub indent: u32,
}

impl Line<'_> {
    /// The 1-based column of byte offset `at` of `text`.
    pub fn column(&self, at: usize) -> u32 {
        self.indent + self.text[..at.min(self.text.len())].chars().count() as u32 + 1
    }

    pub fn is_prose(&self) -> bool {
        matches!(
            self.kind,
            Kind::Paragraph | Kind::ListItem | Kind::Heading(_)
        )
    }
}

/// Splits a Markdown body into [`Line`]s.
pub fn lines(d: &Document) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, raw) in d.body.split('\n').enumerate() {
        let number = d.body_line + i as u32;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = raw.trim_start_matches([' ', '\t']);
        let lead = (raw.len() - trimmed.len()) as u32;
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            out.push(line(number, Kind::Code, raw, 0));
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            out.push(line(number, Kind::Code, raw, 0));
            continue;
        }
        if trimmed.trim().is_empty() {
            out.push(line(number, Kind::Blank, "", 0));
            continue;
        }
        if trimmed.starts_with('<') {
            out.push(line(number, Kind::Code, raw, 0));
            continue;
        }
        if let Some((level, text, skipped)) = heading(trimmed) {
            out.push(Line {
                number,
                kind: Kind::Heading(level),
                text,
                indent: lead + skipped,
            });
            continue;
        }
        if trimmed.starts_with('|') {
            out.push(line(number, Kind::Table, trimmed, lead));
            continue;
        }
        if let Some(skipped) = list_marker(trimmed) {
            let text = &trimmed[skipped..];
            out.push(Line {
                number,
                kind: Kind::ListItem,
                text: text.trim_end(),
                indent: lead + trimmed[..skipped].chars().count() as u32,
            });
            continue;
        }
        let text = trimmed.trim_start_matches('>').trim_start();
        let quote = trimmed[..trimmed.len() - text.len()].chars().count() as u32;
        out.push(line(number, Kind::Paragraph, text.trim_end(), lead + quote));
    }
    out
}

fn line(number: u32, kind: Kind, text: &str, indent: u32) -> Line<'_> {
    Line {
        number,
        kind,
        text,
        indent,
    }
}

/// `## Title {#anchor}` → (2, "Title", characters before "Title").
fn heading(s: &str) -> Option<(u8, &str, u32)> {
    let hashes = s.chars().take_while(|c| *c == '#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &s[hashes..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    let text = rest.trim_start();
    let skipped = (s.len() - text.len()) as u32;
    let mut text = text.trim_end();
    if let Some(i) = text.rfind("{#")
        && text.ends_with('}')
    {
        text = text[..i].trim_end();
    }
    Some((hashes as u8, text.trim_end_matches('#').trim_end(), skipped))
}

/// The byte length of a list marker and the spaces after it (`- `, `1. `), if `s` starts with one.
fn list_marker(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let marker = if matches!(b.first(), Some(b'-' | b'*' | b'+')) {
        1
    } else {
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 || !matches!(b.get(digits), Some(b'.' | b')')) {
            return None;
        }
        digits + 1
    };
    match b.get(marker) {
        None => Some(marker),
        Some(b' ' | b'\t') => {
            let spaces = b[marker..]
                .iter()
                .take_while(|c| **c == b' ' || **c == b'\t')
                .count();
            Some(marker + spaces)
        }
        _ => None,
    }
}

/// A document with its lines, handed to every rule of the family.
pub struct Doc<'a> {
    pub doc: &'a Sourced<Document>,
    pub lines: Vec<Line<'a>>,
}

impl Doc<'_> {
    pub fn file(&self) -> FileId {
        self.doc.file
    }

    pub fn subject(&self) -> String {
        format!("doc:{}", self.doc.id())
    }

    pub fn at(&self, ctx: &Ctx, line: &Line, byte: usize) -> Loc {
        let mut loc = ctx.corpus.loc_line(self.doc.file, line.number);
        loc.column = line.column(byte);
        loc
    }

    /// [`Doc::at`] the start of `bytes` of the line, about the characters in them.
    pub fn span(&self, ctx: &Ctx, line: &Line, bytes: std::ops::Range<usize>) -> Loc {
        let length = line
            .text
            .get(bytes.clone())
            .map_or(0, |t| t.chars().count());
        self.at(ctx, line, bytes.start).spanning(length as u32)
    }

    /// True when most of the prose is Japanese (the rules about Japanese text apply).
    pub fn is_japanese(&self) -> bool {
        let (mut ja, mut all) = (0usize, 0usize);
        for l in self.lines.iter().filter(|l| l.is_prose()) {
            for c in l.text.chars().filter(|c| !c.is_whitespace()) {
                all += 1;
                if is_japanese(c) {
                    ja += 1;
                }
            }
        }
        all > 0 && ja * 3 >= all
    }
}

/// Runs the family. Each document's findings depend on its own file and on the facts below
/// only, so they are remembered per document ([`crate::check::memo`]): the key is the
/// document's path and SHA-256 plus the digest of every corpus-wide fact these rules consult.
/// For the same reason documents are checked in parallel (the family is most of a check's
/// time at 10,000 documents), their findings kept in document order.
pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use rayon::prelude::*;
    let (dictionary, dictionary_digest) = dictionary::load(ctx, out);
    let known = names::Known::new(ctx);
    let memo = ctx.memo("prose");
    let facts = memo.is_on().then(|| {
        let mut k = KeyBuilder::new("prose facts");
        // Everything in kitei.toml (required sections, synonyms, external documents,
        // dictionaries, numbering settings …): Config's Debug has no unordered maps.
        k.part(format!("{:?}", ctx.project.config).as_bytes());
        k.part(&dictionary_digest);
        known.digest(&mut k);
        // The role names, in order: approvals and the help of K0803 name them.
        k.parts(ctx.corpus.roles.iter().map(|r| r.name.as_str()));
        k
    });
    let found: Vec<Vec<Diagnostic>> = ctx
        .corpus
        .documents
        .par_iter()
        .map_init(
            || known.lookups(),
            |lookups, d| {
                let key = facts.as_ref().map(|facts| {
                    let file = &ctx.corpus.files[d.file];
                    let mut k = facts.clone();
                    k.part(file.display_path.as_os_str().as_encoded_bytes())
                        .part(file.sha256.as_bytes());
                    k.finish()
                });
                memo.get_or(key, || {
                    let mut found = Vec::new();
                    document(ctx, &dictionary, lookups, d, &mut found);
                    found
                })
            },
        )
        .collect();
    out.extend(found.into_iter().flatten());
    memo.save();
}

/// The rules of the family over one document.
fn document(
    ctx: &Ctx,
    dictionary: &Dictionary,
    known: &mut names::Lookups,
    d: &Sourced<Document>,
    out: &mut Vec<Diagnostic>,
) {
    let doc = Doc {
        doc: d,
        lines: lines(d),
    };
    if !doc.is_japanese() {
        return;
    }
    dictionary.check(ctx, &doc, out);
    names::check(ctx, known, &doc, out);
    enumerations::check(ctx, &doc, out);
    numbering::check(ctx, &doc, out);
    if doc.doc.kind() != crate::model::DocKind::Runbook {
        references::check(ctx, &doc, out);
    }
    dates::check(ctx, &doc, out);
    typography::check(ctx, &doc, out);
    fragments::check(ctx, &doc, out);
}

/// Kanji, kana, the iteration mark and the long-vowel mark.
pub fn is_japanese(c: char) -> bool {
    is_kanji(c) || is_hiragana(c) || is_katakana(c)
}

pub fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '々' | '〆' | '\u{F900}'..='\u{FAFF}')
}

pub fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}')
}

pub fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9D}')
}

/// Full-width digits and letters to ASCII (for numbers written either way).
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '．' => '.',
            '－' => '-',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_markers_and_headings() {
        assert_eq!(list_marker("- a"), Some(2));
        assert_eq!(list_marker("12. a"), Some(4));
        assert_eq!(list_marker("1.雇用"), None);
        assert_eq!(list_marker("-x"), None);
        assert_eq!(heading("## 第1条 {#a}"), Some((2, "第1条", 3)));
        assert_eq!(heading("#x"), None);
    }
}
