//! The 新旧対照表: two versions of a document compared clause by clause.
//!
//! A document is cut into units at its headings (the loader's headings: level, text, clause
//! number, anchor). Units of the old and the new text are paired by their stable anchor
//! (`{#report}`), then by heading title (`（報告）`), then by clause number, then by how
//! alike their texts are; so a renumbered clause is a pair whose number changed (a move),
//! not a deletion and an addition. Within a pair the texts are compared by grapheme clusters
//! (Japanese has no spaces between words, and a character may be several code points), and
//! the changed characters are marked on both sides.

use std::time::Duration;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiff};

use crate::model::document::Document;

/// A part of a document: the text before the first heading, or a heading and what follows
/// it up to the next heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The explicit anchor (`{#report}`), the strongest identity.
    pub explicit: Option<String>,
    /// The anchor on the page (explicit or derived from the text).
    pub anchor: String,
    pub level: u8,
    /// The clause number (`第5条`), if the heading starts with one.
    pub number: Option<String>,
    /// The heading without its clause number (`（報告）`).
    pub title: String,
    /// The heading as shown (`第5条（報告）`); empty for the preamble.
    pub heading: String,
    /// The heading line and the body as plain text, one line per paragraph or item.
    pub text: String,
}

impl Unit {
    /// How the unit is named in a table or in the terminal.
    pub fn label(&self) -> &str {
        if self.heading.is_empty() {
            "（前文）"
        } else {
            &self.heading
        }
    }
}

/// Cuts a document into units.
pub fn units(doc: &Document) -> Vec<Unit> {
    let lines: Vec<&str> = doc.body.split_inclusive('\n').collect();
    let start = |line: u32| (line.saturating_sub(doc.body_line) as usize).min(lines.len());
    let mut out = Vec::new();
    let first = doc
        .headings
        .first()
        .map(|h| start(h.line))
        .unwrap_or(lines.len());
    let preamble = plain_text(&lines[..first].concat());
    if !preamble.is_empty() {
        out.push(Unit {
            explicit: None,
            anchor: String::new(),
            level: 0,
            number: None,
            title: String::new(),
            heading: String::new(),
            text: preamble,
        });
    }
    for (i, h) in doc.headings.iter().enumerate() {
        let from = start(h.line);
        let to = doc
            .headings
            .get(i + 1)
            .map(|n| start(n.line))
            .unwrap_or(lines.len())
            .max(from);
        // The heading itself is one or two lines (setext); skip what the heading consumed.
        let body_from = (from + 1).min(to);
        let skip_underline = lines.get(body_from).is_some_and(|l| {
            !l.trim().is_empty() && l.trim().chars().all(|c| c == '=' || c == '-')
        });
        let body_from = if skip_underline && body_from < to {
            body_from + 1
        } else {
            body_from
        };
        let body = plain_text(&lines[body_from..to].concat());
        let heading = crate::text::prose(&h.text);
        let title = match &h.clause_number {
            Some(n) => heading
                .strip_prefix(n.as_str())
                .unwrap_or(&heading)
                .trim()
                .to_string(),
            None => heading.clone(),
        };
        let text = if body.is_empty() {
            heading.clone()
        } else {
            format!("{heading}\n{body}")
        };
        out.push(Unit {
            explicit: h.explicit_id.clone(),
            anchor: h.anchor.clone(),
            level: h.level,
            number: h.clause_number.clone(),
            title,
            heading,
            text,
        });
    }
    out
}

/// Markdown as a reader sees it, as plain lines: link targets, emphasis markers and heading
/// attributes dropped; list items and table rows kept on their own lines.
pub fn plain_text(markdown: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut in_cell = false;
    let flush = |cur: &mut String, lines: &mut Vec<String>| {
        let line = crate::text::prose(cur);
        if !line.is_empty() {
            lines.push(line);
        }
        cur.clear();
    };
    for event in Parser::new_ext(markdown, crate::source::markdown::options()) {
        match event {
            Event::Start(Tag::Item) => {
                flush(&mut cur, &mut lines);
                let depth = lists.len().saturating_sub(1);
                cur.push_str(&"\u{3000}".repeat(depth));
                match lists.last_mut() {
                    Some(Some(n)) => {
                        cur.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => cur.push('・'),
                }
            }
            Event::Start(Tag::List(first)) => {
                flush(&mut cur, &mut lines);
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut cur, &mut lines);
                lists.pop();
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                flush(&mut cur, &mut lines);
                cur.push_str(&format!("※{label}: "));
            }
            Event::Start(Tag::TableCell) => {
                if in_cell {
                    cur.push_str(" | ");
                }
                in_cell = true;
            }
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                in_cell = false;
                flush(&mut cur, &mut lines);
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::FootnoteDefinition,
            ) => flush(&mut cur, &mut lines),
            Event::Text(t) | Event::Code(t) => cur.push_str(&t),
            Event::SoftBreak => cur.push(' '),
            Event::HardBreak => flush(&mut cur, &mut lines),
            Event::FootnoteReference(label) => cur.push_str(&format!("※{label}")),
            Event::TaskListMarker(done) => cur.push_str(if done { "[x] " } else { "[ ] " }),
            Event::Rule => {
                flush(&mut cur, &mut lines);
                lines.push("―――".into());
            }
            _ => {}
        }
    }
    flush(&mut cur, &mut lines);
    lines.join("\n")
}

/// A run of text, marked when it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seg {
    pub text: String,
    pub marked: bool,
}

/// One side of a row: the unit's label and its text in runs.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub label: String,
    pub anchor: String,
    pub number: Option<String>,
    pub segs: Vec<Seg>,
}

impl Side {
    /// The marked text, for tests and messages.
    pub fn marked(&self) -> Vec<&str> {
        self.segs
            .iter()
            .filter(|s| s.marked)
            .map(|s| s.text.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        self.segs.iter().map(|s| s.text.as_str()).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    Unchanged,
    Changed,
    Added,
    Deleted,
}

/// One aligned pair (or a unit on one side only).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub kind: RowKind,
    pub new: Option<Side>,
    pub old: Option<Side>,
    /// The clause number differs between the two sides.
    pub renumbered: bool,
    /// The unit changed its place among the other units.
    pub moved: bool,
}

/// The comparison of two versions of one document.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub rows: Vec<Row>,
}

impl Comparison {
    /// True when any unit was added, deleted, changed or moved.
    pub fn has_changes(&self) -> bool {
        self.rows
            .iter()
            .any(|r| r.kind != RowKind::Unchanged || r.moved)
    }

    pub fn count(&self, kind: RowKind) -> usize {
        self.rows.iter().filter(|r| r.kind == kind).count()
    }

    pub fn moved(&self) -> usize {
        self.rows.iter().filter(|r| r.moved).count()
    }

    /// The rows to print: runs of unchanged units become one elided entry.
    pub fn display_rows(&self) -> Vec<DisplayRow<'_>> {
        let mut out: Vec<DisplayRow> = Vec::new();
        for row in &self.rows {
            if row.kind == RowKind::Unchanged && !row.moved {
                let label = row
                    .new
                    .as_ref()
                    .map(|s| s.label.clone())
                    .unwrap_or_default();
                if let Some(DisplayRow::Elided { last, count, .. }) = out.last_mut() {
                    *last = label;
                    *count += 1;
                    continue;
                }
                out.push(DisplayRow::Elided {
                    first: label.clone(),
                    last: label,
                    count: 1,
                });
            } else {
                out.push(DisplayRow::Row(row));
            }
        }
        out
    }
}

/// What a table shows: a row, or an elided run of unchanged units.
#[derive(Debug)]
pub enum DisplayRow<'a> {
    Row(&'a Row),
    Elided {
        first: String,
        last: String,
        count: usize,
    },
}

/// Compares two versions of a document.
pub fn compare(old: &Document, new: &Document) -> Comparison {
    compare_units(&units(old), &units(new))
}

/// How alike two texts are, 0..=1, by graphemes.
fn similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(Duration::from_millis(200))
        .diff_graphemes(a, b)
        .ratio()
}

/// Pairs units of `old` and `new`: `pair[n] = Some(o)`.
pub fn align(old: &[Unit], new: &[Unit]) -> Vec<Option<usize>> {
    let mut pair: Vec<Option<usize>> = vec![None; new.len()];
    let mut taken = vec![false; old.len()];
    let body = |u: &Unit| {
        u.text
            .split_once('\n')
            .map(|x| x.1)
            .unwrap_or("")
            .to_string()
    };
    // 1. The same explicit anchor; 2. the preamble with the preamble.
    for (n, nu) in new.iter().enumerate() {
        let found = old.iter().enumerate().position(|(o, ou)| {
            !taken[o]
                && ((nu.explicit.is_some() && nu.explicit == ou.explicit)
                    || (nu.level == 0 && ou.level == 0))
        });
        if let Some(o) = found {
            pair[n] = Some(o);
            taken[o] = true;
        }
    }
    // 3. The same heading title, when it is unique on both sides (chapter headings like
    // 「総則」 or clause captions like 「（報告）」).
    let unique = |units: &[Unit], free: &dyn Fn(usize) -> bool, title: &str| {
        units
            .iter()
            .enumerate()
            .filter(|(i, u)| free(*i) && u.title == title)
            .count()
            == 1
    };
    for n in 0..new.len() {
        if pair[n].is_some() || new[n].title.is_empty() {
            continue;
        }
        let title = new[n].title.clone();
        let free_new = |i: usize| pair[i].is_none();
        let free_old = |i: usize| !taken[i];
        if !unique(new, &free_new, &title) || !unique(old, &free_old, &title) {
            continue;
        }
        if let Some(o) = (0..old.len()).find(|&o| !taken[o] && old[o].title == title) {
            pair[n] = Some(o);
            taken[o] = true;
        }
    }
    // 4. The same clause number, when the texts are still alike.
    for n in 0..new.len() {
        if pair[n].is_some() || new[n].number.is_none() {
            continue;
        }
        if let Some(o) = (0..old.len()).find(|&o| {
            !taken[o]
                && old[o].number == new[n].number
                && similarity(&body(&old[o]), &body(&new[n])) >= 0.4
        }) {
            pair[n] = Some(o);
            taken[o] = true;
        }
    }
    // 5. The most alike texts (a clause moved and retitled), best pairs first.
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for n in (0..new.len()).filter(|&n| pair[n].is_none()) {
        for o in (0..old.len()).filter(|&o| !taken[o]) {
            if new[n].level != old[o].level {
                continue;
            }
            let s = similarity(&body(&old[o]), &body(&new[n]));
            if s >= 0.6 && !body(&new[n]).is_empty() {
                candidates.push((s, n, o));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, n, o) in candidates {
        if pair[n].is_none() && !taken[o] {
            pair[n] = Some(o);
            taken[o] = true;
        }
    }
    pair
}

/// The indexes (into `pairs`, in new order) of the pairs that keep their relative order:
/// a longest increasing subsequence of the old indexes. The others moved.
fn in_order(pairs: &[(usize, usize)]) -> Vec<bool> {
    let n = pairs.len();
    let mut len = vec![1usize; n];
    let mut prev = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if pairs[j].1 < pairs[i].1 && len[j] + 1 > len[i] {
                len[i] = len[j] + 1;
                prev[i] = j;
            }
        }
    }
    let mut keep = vec![false; n];
    if let Some(mut i) = (0..n).max_by_key(|&i| (len[i], std::cmp::Reverse(i))) {
        loop {
            keep[i] = true;
            if prev[i] == usize::MAX {
                break;
            }
            i = prev[i];
        }
    }
    keep
}

pub fn compare_units(old: &[Unit], new: &[Unit]) -> Comparison {
    let pair = align(old, new);
    let matched: Vec<(usize, usize)> = pair
        .iter()
        .enumerate()
        .filter_map(|(n, o)| o.map(|o| (n, o)))
        .collect();
    let keep = in_order(&matched);
    let moved: std::collections::HashSet<usize> = matched
        .iter()
        .zip(&keep)
        .filter(|(_, k)| !**k)
        .map(|((n, _), _)| *n)
        .collect();
    let mut old_done = vec![false; old.len()];
    for &(_, o) in &matched {
        old_done[o] = true;
    }
    let mut emitted_old = vec![false; old.len()];
    let mut rows = Vec::new();
    let deleted = |o: usize| Row {
        kind: RowKind::Deleted,
        new: None,
        old: Some(side(
            &old[o],
            split_marks_at_newlines(vec![seg(&old[o].text, true)]),
        )),
        renumbered: false,
        moved: false,
    };
    for (n, nu) in new.iter().enumerate() {
        if let Some(o) = pair[n] {
            // Deleted units that stood before this one in the old text come first.
            if !moved.contains(&n) {
                for d in 0..o {
                    if !old_done[d] && !emitted_old[d] {
                        emitted_old[d] = true;
                        rows.push(deleted(d));
                    }
                }
            }
            let ou = &old[o];
            let (old_segs, new_segs) = diff_text(&ou.text, &nu.text);
            let kind = if ou.text == nu.text {
                RowKind::Unchanged
            } else {
                RowKind::Changed
            };
            rows.push(Row {
                kind,
                new: Some(side(nu, new_segs)),
                old: Some(side(ou, old_segs)),
                renumbered: ou.number != nu.number,
                moved: moved.contains(&n),
            });
        } else {
            rows.push(Row {
                kind: RowKind::Added,
                new: Some(side(nu, split_marks_at_newlines(vec![seg(&nu.text, true)]))),
                old: None,
                renumbered: false,
                moved: false,
            });
        }
    }
    for d in 0..old.len() {
        if !old_done[d] && !emitted_old[d] {
            rows.push(deleted(d));
        }
    }
    Comparison { rows }
}

fn seg(text: &str, marked: bool) -> Seg {
    Seg {
        text: text.to_string(),
        marked,
    }
}

fn side(u: &Unit, segs: Vec<Seg>) -> Side {
    Side {
        label: u.label().to_string(),
        anchor: u.anchor.clone(),
        number: u.number.clone(),
        segs,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal,
    Delete,
    Insert,
}

/// Compares two texts grapheme by grapheme: `(old runs, new runs)` with the changed
/// characters marked. Short common runs inside a change (a particle like 「の」 that happens
/// to survive a rewording) are folded into the change, so that the marks follow the
/// amendment rather than the characters the two wordings happen to share.
pub fn diff_text(old: &str, new: &str) -> (Vec<Seg>, Vec<Seg>) {
    if old == new {
        return (vec![seg(old, false)], vec![seg(new, false)]);
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(Duration::from_secs(2))
        .diff_graphemes(old, new);
    let mut runs: Vec<(Op, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => Op::Equal,
            ChangeTag::Delete => Op::Delete,
            ChangeTag::Insert => Op::Insert,
        };
        match runs.last_mut() {
            Some((last, text)) if *last == op => text.push_str(change.value()),
            _ => runs.push((op, change.value().to_string())),
        }
    }
    // Fold short equal runs that sit between changes.
    let graphemes = |s: &str| {
        use unicode_segmentation::UnicodeSegmentation;
        s.graphemes(true).count()
    };
    let mut folded: Vec<(Op, String)> = Vec::new();
    for i in 0..runs.len() {
        let (op, text) = &runs[i];
        let between = i > 0 && i + 1 < runs.len();
        if *op == Op::Equal && between && graphemes(text) <= 2 && !text.contains('\n') {
            let changed_before: usize = runs[..i]
                .iter()
                .rev()
                .take_while(|(o, _)| *o != Op::Equal)
                .map(|(_, t)| graphemes(t))
                .sum();
            let changed_after: usize = runs[i + 1..]
                .iter()
                .take_while(|(o, _)| *o != Op::Equal)
                .map(|(_, t)| graphemes(t))
                .sum();
            if changed_before.min(changed_after) >= graphemes(text) {
                folded.push((Op::Delete, text.clone()));
                folded.push((Op::Insert, text.clone()));
                continue;
            }
        }
        folded.push((*op, text.clone()));
    }
    let mut old_segs: Vec<Seg> = Vec::new();
    let mut new_segs: Vec<Seg> = Vec::new();
    let push = |segs: &mut Vec<Seg>, text: &str, marked: bool| {
        if text.is_empty() {
            return;
        }
        match segs.last_mut() {
            Some(last) if last.marked == marked => last.text.push_str(text),
            _ => segs.push(seg(text, marked)),
        }
    };
    for (op, text) in &folded {
        match op {
            Op::Equal => {
                push(&mut old_segs, text, false);
                push(&mut new_segs, text, false);
            }
            Op::Delete => push(&mut old_segs, text, true),
            Op::Insert => push(&mut new_segs, text, true),
        }
    }
    (
        split_marks_at_newlines(old_segs),
        split_marks_at_newlines(new_segs),
    )
}

/// A marked run that spans lines is cut at each line break, and the break itself is left
/// unmarked (an underline cannot be seen under a line break).
fn split_marks_at_newlines(segs: Vec<Seg>) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::new();
    for s in segs {
        if !s.marked || !s.text.contains('\n') {
            out.push(s);
            continue;
        }
        for (i, part) in s.text.split('\n').enumerate() {
            if i > 0 {
                match out.last_mut() {
                    Some(last) if !last.marked => last.text.push('\n'),
                    _ => out.push(seg("\n", false)),
                }
            }
            if !part.is_empty() {
                out.push(seg(part, true));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(anchor: Option<&str>, number: Option<&str>, title: &str, body: &str) -> Unit {
        let heading = format!("{}{title}", number.unwrap_or(""));
        Unit {
            explicit: anchor.map(str::to_string),
            anchor: anchor.unwrap_or(&heading).to_string(),
            level: 2,
            number: number.map(str::to_string),
            title: title.to_string(),
            text: format!("{heading}\n{body}"),
            heading,
        }
    }

    #[test]
    fn reworded_characters_are_marked_on_both_sides() {
        let (old, new) = diff_text("従業者は速やかに報告する。", "従業者は直ちに報告する。");
        assert_eq!(
            old.iter()
                .filter(|s| s.marked)
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>(),
            vec!["速やか"]
        );
        assert_eq!(
            new.iter()
                .filter(|s| s.marked)
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>(),
            vec!["直ち"]
        );
    }

    #[test]
    fn graphemes_are_not_split() {
        // A base letter with a combining mark is one character for the reader.
        let (old, new) = diff_text("か\u{3099}", "か");
        assert_eq!(old, vec![seg("か\u{3099}", true)]);
        assert_eq!(new, vec![seg("か", true)]);
    }

    #[test]
    fn renumbering_is_a_move_not_delete_and_add() {
        let old = vec![
            unit(Some("a"), Some("第1条"), "（目的）", "目的を定める。"),
            unit(Some("b"), Some("第2条"), "（定義）", "用語を定義する。"),
            unit(Some("c"), Some("第3条"), "（報告）", "報告する。"),
        ];
        let new = vec![
            unit(Some("a"), Some("第1条"), "（目的）", "目的を定める。"),
            unit(Some("c"), Some("第2条"), "（報告）", "報告する。"),
        ];
        let cmp = compare_units(&old, &new);
        let kinds: Vec<RowKind> = cmp.rows.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            vec![RowKind::Unchanged, RowKind::Deleted, RowKind::Changed]
        );
        let renumbered = &cmp.rows[2];
        assert!(renumbered.renumbered);
        assert_eq!(renumbered.new.as_ref().unwrap().marked(), vec!["2"]);
        assert_eq!(renumbered.old.as_ref().unwrap().marked(), vec!["3"]);
    }

    #[test]
    fn without_anchors_titles_align() {
        let old = vec![
            unit(None, Some("第1条"), "（目的）", "目的を定める。"),
            unit(None, Some("第2条"), "（報告）", "報告する。"),
        ];
        let new = vec![
            unit(None, Some("第1条"), "（定義）", "新しい定義。"),
            unit(None, Some("第2条"), "（目的）", "目的を定める。"),
            unit(None, Some("第3条"), "（報告）", "直ちに報告する。"),
        ];
        let pair = align(&old, &new);
        assert_eq!(pair, vec![None, Some(0), Some(1)]);
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("[責任者](role:ciso)の**指示**に従う。\n\n1. 一つ\n2. 二つ\n"),
            "責任者の指示に従う。\n1. 一つ\n2. 二つ"
        );
    }
}
