//! K0606: references in prose to clauses that do not exist, in every numbering style —
//! 第12条(第3項), 第 7-1 項, 4.2項, 「5.2 パスワード管理」を参照, 【4.3】, 前条 in the first
//! clause, 同項 with nothing before it — and table-of-contents entries with no section.

use std::sync::LazyLock;

use regex::Regex;

use super::{Doc, Kind, Line, ascii_digits};
use crate::check::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};

pub static CLAUSE_MENTION: Rule = Rule {
    code: "K0606",
    name: "clause-mention",
    level: Level::Warning,
    summary: "a plain-text mention of a clause that does not exist",
    explanation: "Text that refers to a clause of the same document must name one that exists, in \
         whatever style the document numbers its clauses: 「第15条に定める」, 「第12条第3項」, \
         「第 7-1 項」, 「4.2項以降」, 「「5.2 パスワード管理」を参照」, 「【4.3】」; 「前条」 in the first \
         article and 「同項」「同条」 with no clause named before it point at nothing. Mentions \
         directly after a law's name (個人情報保護法第26条) are skipped. A table of contents whose \
         entry has no section is reported too. Prefer a typed link `[第15条](clause:anchor)`, \
         which is checked exactly.",
};

/// A mention of a numbered clause. Group `n`: the number; `unit`: 条/項/章/節/参照.
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"第\s*(?P<dai>[0-9０-９一二三四五六七八九十百]+)\s*(?P<unit>条|章|節|項)(?:\s*の\s*(?P<sub>[0-9０-９]+))?",
        r"|(?P<dotted>[0-9０-９]+(?:[.．\-－][0-9０-９]+)+)\s*(?:項|節|章|条)",
        r"|「(?P<quoted>[0-9０-９]+(?:[.．\-－][0-9０-９]+)*)[.．]?\s*[^」]{0,30}」\s*(?:を参照|参照|に定め|に従|のとおり|による)",
        r"|【(?P<bracket>[0-9０-９]+(?:[.．][0-9０-９]+)*)】",
        r"|(?P<relative>前条|同条|同項|前項|同号)",
    ))
    .expect("regex")
});

/// Characters before a mention that make it a mention of a law's article.
const LAW: &[char] = &['法', '令', '則', '約', '律', '準', '号', '』', '規', '程'];

pub fn check(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let d = doc.doc;
    let numbers: Vec<String> = d
        .clauses()
        .filter_map(|h| h.clause_number.clone())
        .collect();
    if numbers.is_empty() {
        return;
    }
    let uses_articles = numbers
        .iter()
        .any(|n| n.starts_with('第') && n.contains('条'));
    let known: std::collections::HashSet<String> = numbers
        .iter()
        .flat_map(|n| [n.clone(), n.replace('-', ".")])
        .collect();
    let exists = |n: &str| known.contains(n) || known.contains(&n.replace('-', "."));
    let mut previous_named = false;
    for line in doc
        .lines
        .iter()
        .filter(|l| matches!(l.kind, Kind::Paragraph | Kind::ListItem))
    {
        let mut named_here = false;
        for caps in MENTION.captures_iter(line.text) {
            let m = caps.get(0).expect("group 0");
            let before: String = line.text[..m.start()].chars().rev().take(6).collect();
            let missing: Option<String> = if let Some(n) = caps.name("dai") {
                named_here = true;
                if before.contains(LAW) {
                    continue;
                }
                let unit = &caps["unit"];
                let number =
                    crate::source::markdown::clause_number(&format!("第{}{unit}", n.as_str()))
                        .unwrap_or_else(|| format!("第{}{unit}", ascii_digits(n.as_str())));
                match unit {
                    "条" => {
                        let full = match caps.name("sub") {
                            Some(s) => format!("{number}の{}", ascii_digits(s.as_str())),
                            None => number,
                        };
                        (uses_articles && !exists(&full)).then_some(full)
                    }
                    "章" | "節" => {
                        let plain = ascii_digits(n.as_str());
                        (numbers.iter().any(|c| c.ends_with(unit))
                            && !exists(&number)
                            && !exists(&plain))
                        .then_some(number)
                    }
                    // 第N項 is a paragraph of an article where the document has articles.
                    _ => {
                        let plain = ascii_digits(n.as_str());
                        (!uses_articles
                            && plain.chars().all(|c| c.is_ascii_digit())
                            && !exists(&plain))
                        .then(|| format!("第{plain}項"))
                    }
                }
            } else if let Some(n) = caps
                .name("dotted")
                .or(caps.name("quoted"))
                .or(caps.name("bracket"))
            {
                named_here = true;
                if before.contains(LAW) {
                    continue;
                }
                let number = ascii_digits(n.as_str());
                (!exists(&number)).then_some(number)
            } else if let Some(r) = caps.name("relative") {
                relative(doc, line, r.as_str(), previous_named || named_here)
            } else {
                None
            };
            if let Some(missing) = missing {
                out.push(
                    ctx.diag(
                        "K0606",
                        format!(
                            "「{}」 is mentioned but `{}` has no such clause ({missing})",
                            m.as_str(),
                            d.id()
                        ),
                    )
                    .at(doc.span(ctx, line, m.range()))
                    .help("fix the number, or link the clause with `[第N条](clause:anchor)`")
                    .subject(doc.subject()),
                );
            }
        }
        previous_named = named_here;
    }
    table_of_contents(ctx, doc, out);
}

/// 前条 in the first article (or before any), 同条/同項/前項 with no clause named before.
fn relative(doc: &Doc, line: &Line, word: &str, named_before: bool) -> Option<String> {
    match word {
        "前条" => {
            let current = doc
                .doc
                .clauses()
                .filter(|h| h.line < line.number)
                .filter_map(|h| h.clause_number.as_deref())
                .filter(|n| n.starts_with('第') && n.contains('条'))
                .last();
            match current {
                None => Some("no article before this text".into()),
                Some("第1条") => Some("this is the first article".into()),
                Some(_) => None,
            }
        }
        "同条" | "同項" | "同号" if !named_before => {
            Some(format!("no clause is named before 「{word}」"))
        }
        _ => None,
    }
}

/// A list of three or more items most of which are the titles of headings is a table of
/// contents; an entry that matches no heading points at a section that is not there.
fn table_of_contents(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '．'))
            .collect()
    };
    // Every suffix of every heading (headings are short): an entry matches a heading that
    // ends with it, looked up in a set instead of scanning all headings per entry.
    let suffixes: std::collections::HashSet<String> = doc
        .doc
        .headings
        .iter()
        .flat_map(|h| {
            let text = squash(&h.text);
            text.char_indices()
                .map(|(i, _)| text[i..].to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let matches = |item: &str| {
        let item = squash(item);
        !item.is_empty() && suffixes.contains(&item)
    };
    let mut i = 0;
    let lines = &doc.lines;
    while i < lines.len() {
        if lines[i].kind != Kind::ListItem {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].kind == Kind::ListItem {
            i += 1;
        }
        let items = &lines[start..i];
        let matched = items.iter().filter(|l| matches(l.text)).count();
        if items.len() >= 3 && matched * 10 >= items.len() * 6 && matched < items.len() {
            for item in items.iter().filter(|l| !matches(l.text)) {
                out.push(
                    ctx.diag(
                        "K0606",
                        format!(
                            "the table of contents lists 「{}」 but no section has that title",
                            item.text
                        ),
                    )
                    .at(doc.at(ctx, item, 0))
                    .help("add the section, or remove the entry from the table of contents")
                    .subject(doc.subject()),
                );
            }
        }
    }
}
