//! From blocks to an outline: which numbered lines are clause headings, which are list items,
//! which are the law style's paragraphs (項), and the stable anchor of every clause.
//!
//! The same marker can be either: `1. 趣旨` at the left margin of a document numbered
//! 1, 2, 3 is a clause; `  1. セキュリティに対する侵害` indented under a clause, or a `1.` that
//! restarts the count inside clause 4, is a list item. The rules, in order:
//! - 第N章 / 第N節 / 第N条 / 【N】 / N章M are always headings (chapters, sections, clauses);
//! - in a document with articles (第N条), a bare `２　…` is a paragraph (項) of the article;
//! - `N.` / `N.M` / `N　` is a heading at the left margin when the text after it is a short
//!   title (no sentence) and the number continues the clause sequence; otherwise an item;
//! - every other marker is a list item, nested by the order its style first appeared;
//! - a line without a marker indented deeper than the open item continues that item.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Block;
use super::numbering::{self, Marker, Style};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A clause or chapter heading (`number` is None for a heading without a number).
    Heading {
        level: u8,
        text: String,
        marker: Option<Marker>,
        anchor: Option<String>,
        line: u32,
    },
    /// One line of running text.
    Paragraph {
        text: String,
        line: u32,
    },
    /// A list item: its text (with its number as written; bullets dropped) and the lines
    /// that continue it.
    Item {
        depth: usize,
        text: String,
        more: Vec<String>,
        line: u32,
    },
    Table {
        rows: Vec<Vec<String>>,
        line: u32,
    },
}

/// A clause heading as the import report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub number: String,
    pub title: String,
    pub anchor: String,
    pub level: u8,
    pub line: u32,
    pub style: Style,
}

/// Something about the numbering a person should look at (kept as written).
#[derive(Debug, Clone, PartialEq)]
pub struct NumberingNote {
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Outline {
    pub nodes: Vec<Node>,
    pub clauses: Vec<Clause>,
    /// How many list items of each marker style.
    pub items: BTreeMap<&'static str, usize>,
    pub notes: Vec<NumberingNote>,
    /// Anchors of paragraphs (項) and numbered items (号, （１）, ①) by node index:
    /// `art5-p2` (第5条第2項), `art5-p1-i3` (its 第3号), `c4-1-i2` (（２） in 4.1).
    pub anchors: HashMap<usize, String>,
}

fn heading_like(rest: &str, caption: &Option<String>) -> bool {
    let rest = rest.trim();
    if rest.is_empty() {
        return caption.is_some();
    }
    rest.chars().count() <= 40 && !rest.contains('。') && !rest.ends_with('．')
}

/// A line that is only a caption in brackets: `（目的）`, the law style's heading that stands
/// on the line above its article.
fn is_caption_line(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with('（') && t.ends_with('）') || t.starts_with('〔') && t.ends_with('〕'))
        && t.chars().count() <= 32
        && !t.contains('。')
}

/// Builds the outline of plain-text or Word blocks.
pub fn build(blocks: &[Block]) -> Outline {
    let has_articles = blocks.iter().any(|b| {
        matches!(b, Block::Line { text, .. }
            if numbering::parse(text).is_some_and(|m| m.style == Style::Article))
    });
    let mut b = Builder {
        has_articles,
        ..Builder::default()
    };
    for block in blocks {
        match block {
            Block::Blank => {}
            Block::Table { rows, line } => {
                b.open_item = None;
                b.nodes.push(Node::Table {
                    rows: rows.clone(),
                    line: *line,
                });
            }
            Block::Line {
                text,
                indent,
                line,
                heading,
            } => b.line(text, *indent, *line, *heading),
        }
    }
    let mut outline = Outline {
        nodes: b.nodes,
        items: b.items,
        notes: b.notes,
        ..Outline::default()
    };
    assign_levels_and_anchors(&mut outline);
    anchor_paragraphs_and_items(&mut outline);
    outline
}

/// Anchors for the parts of a clause that references name: the paragraphs (項) of an article
/// — the first one unnumbered, then `２`, `３` … or `第2項` — and numbered list items (号,
/// （１）, ①, ア), nested under the paragraph or clause they belong to. Bullets get none.
fn anchor_paragraphs_and_items(outline: &mut Outline) {
    let mut used: HashSet<String> = outline.clauses.iter().map(|c| c.anchor.clone()).collect();
    let mut clause: Option<String> = None;
    let mut article = false;
    let mut paragraph_no = 0u32;
    let mut paragraph: Option<String> = None;
    let mut items: Vec<String> = Vec::new();
    let mut anchors = HashMap::new();
    for (i, node) in outline.nodes.iter().enumerate() {
        match node {
            Node::Heading { anchor, marker, .. } => {
                clause = anchor.clone();
                article = marker.as_ref().is_some_and(|m| m.style == Style::Article);
                paragraph_no = 0;
                paragraph = None;
                items.clear();
            }
            Node::Paragraph { text, .. } if article => {
                let numbered = numbering::parse(text).and_then(|m| match m.style {
                    Style::Paragraph | Style::Number { dot: false } if m.value.len() == 1 => {
                        Some(m.value[0])
                    }
                    _ => None,
                });
                let next = match numbered {
                    Some(n) => n,
                    // The first paragraph of an article has no number.
                    None if paragraph_no == 0 => 1,
                    None => continue,
                };
                paragraph_no = next;
                items.clear();
                if let Some(c) = &clause {
                    let a = format!("{c}-p{next}");
                    if used.insert(a.clone()) {
                        anchors.insert(i, a.clone());
                        paragraph = Some(a);
                    }
                }
            }
            Node::Item { depth, text, .. } => {
                let Some(m) = numbering::parse(text).filter(|m| m.style != Style::Bullet) else {
                    continue;
                };
                let Some(v) = m.value.last() else {
                    continue;
                };
                items.truncate(*depth);
                let base = match items.last() {
                    Some(parent) if *depth > 0 => format!("{parent}-{v}"),
                    _ => match paragraph.as_ref().or(clause.as_ref()) {
                        Some(p) => format!("{p}-i{v}"),
                        None => continue,
                    },
                };
                if items.len() == *depth && used.insert(base.clone()) {
                    anchors.insert(i, base.clone());
                    items.push(base);
                }
            }
            _ => {}
        }
    }
    outline.anchors = anchors;
}

#[derive(Default)]
struct Builder {
    has_articles: bool,
    in_article: bool,
    nodes: Vec<Node>,
    /// Marker styles of the open list, outermost first, with the last value of each.
    item_styles: Vec<(Style, Vec<u32>)>,
    /// Indentation of the open item (continuation lines are deeper).
    open_item: Option<usize>,
    /// The last numbered clause (N / N.M / 【N】), for the sequence test; reset per chapter.
    last_clause: Option<Vec<u32>>,
    items: BTreeMap<&'static str, usize>,
    notes: Vec<NumberingNote>,
}

impl Builder {
    fn heading(&mut self, text: String, marker: Option<Marker>, line: u32, level_hint: u8) {
        self.item_styles.clear();
        self.open_item = None;
        self.nodes.push(Node::Heading {
            level: level_hint,
            text,
            marker,
            anchor: None,
            line,
        });
    }

    fn item(&mut self, marker: &Marker, text: String, indent: usize, line: u32) {
        let depth = match self.item_styles.iter().position(|s| s.0 == marker.style) {
            Some(p) => {
                self.item_styles.truncate(p + 1);
                self.item_styles[p].1 = marker.value.clone();
                p
            }
            None => {
                self.item_styles.push((marker.style, marker.value.clone()));
                self.item_styles.len() - 1
            }
        };
        *self.items.entry(marker.style.describe()).or_default() += 1;
        self.open_item = Some(indent);
        self.nodes.push(Node::Item {
            depth,
            text,
            more: Vec::new(),
            line,
        });
    }

    fn paragraph(&mut self, text: &str, line: u32) {
        self.open_item = None;
        self.nodes.push(Node::Paragraph {
            text: text.to_string(),
            line,
        });
    }

    /// Whether clause number `value` can follow the last one (else the line is a list item).
    fn continues_sequence(&self, value: &[u32]) -> bool {
        let Some(last) = &self.last_clause else {
            return true;
        };
        if value.len() == 1 {
            return value[0] > last[0];
        }
        value[0] >= last[0]
    }

    /// Whether `m` is the next item of a list of its style that is open (`2.` after the
    /// item `1.` inside a clause), which makes it an item rather than a clause.
    fn continues_open_list(&self, m: &Marker) -> bool {
        self.item_styles.iter().any(|(style, last)| {
            *style == m.style
                && !m.value.is_empty()
                && last.len() == m.value.len()
                && last[..last.len() - 1] == m.value[..m.value.len() - 1]
                && last.last().map(|v| v + 1) == m.value.last().copied()
        })
    }

    fn line(&mut self, text: &str, indent: usize, line: u32, heading_hint: Option<u8>) {
        let marker = numbering::parse(text);
        let Some(m) = marker else {
            if let Some(level) = heading_hint {
                return self.heading(text.to_string(), None, line, level);
            }
            if let Some(item_indent) = self.open_item
                && indent > item_indent
                && let Some(Node::Item { more, .. }) = self.nodes.last_mut()
            {
                more.push(text.to_string());
                return;
            }
            return self.paragraph(text, line);
        };
        let rest = text[m.rest..].trim();
        match m.style {
            Style::Chapter | Style::Section => {
                if m.style == Style::Chapter {
                    self.last_clause = None;
                    self.in_article = false;
                }
                if rest.chars().count() > 40 || rest.contains('。') {
                    self.notes.push(NumberingNote {
                        line,
                        message: format!(
                            "`{}` is followed by a sentence, not a title; kept as the heading's text",
                            m.written
                        ),
                    });
                }
                self.heading(text.to_string(), Some(m), line, 0)
            }
            Style::Article => {
                // A caption on the line above (`（目的）`) belongs to this article's heading.
                let caption = match self.nodes.last() {
                    Some(Node::Paragraph { text: c, .. }) if is_caption_line(c) => {
                        let c = c.clone();
                        self.nodes.pop();
                        Some(c)
                    }
                    _ => None,
                };
                self.in_article = true;
                let head_end = if heading_like(rest, &m.caption) && rest.chars().count() <= 20 {
                    text.len()
                } else {
                    m.rest
                };
                let mut head = text[..head_end].trim().to_string();
                let mut m = m;
                if let Some(c) = caption {
                    head = format!("{c}　{head}");
                    let inner: String = c.chars().skip(1).take(c.chars().count() - 2).collect();
                    m.caption = Some(inner);
                    m.rest = head.len();
                }
                let body = text[head_end..].trim().to_string();
                self.heading(head, Some(m), line, 0);
                if !body.is_empty() {
                    self.paragraph(&body, line);
                }
            }
            Style::Paragraph => self.paragraph(text, line),
            Style::Bracketed | Style::ChapterClause => {
                if m.style == Style::Bracketed {
                    self.last_clause = Some(m.value.clone());
                }
                self.heading(text.to_string(), Some(m), line, 0)
            }
            Style::Number { dot } => {
                let law_paragraph = self.in_article && m.value.len() == 1 && !dot;
                if law_paragraph {
                    self.paragraph(text, line);
                } else if heading_hint.is_some()
                    || (!self.has_articles
                        && indent == 0
                        && heading_like(rest, &m.caption)
                        && !self.continues_open_list(&m)
                        && self.continues_sequence(&m.value))
                {
                    self.last_clause = Some(m.value.clone());
                    self.heading(text.to_string(), Some(m), line, heading_hint.unwrap_or(0));
                } else {
                    self.item(&m, text.to_string(), indent, line);
                }
            }
            Style::Bullet => {
                let t = text[m.rest..].trim().to_string();
                self.item(&m, t, indent, line);
            }
            _ => {
                if let Some(level) = heading_hint {
                    return self.heading(text.to_string(), Some(m), line, level);
                }
                self.item(&m, text.to_string(), indent, line)
            }
        }
    }
}

/// Heading levels (chapters `##`, sections below, clauses by their depth) and anchors.
///
/// Anchors depend only on the numbers, so they stay put when text changes: `ch2`, `ch2-sec1`,
/// `art5`, `art5-2` (第5条の2), `c4-3` (4.3 or 【4.3】), `ch2-c3` (clause 3 of chapter 2 when
/// the document has chapters: clause identity is chapter-scoped). A number used twice gets
/// `-2`, and a note.
pub fn assign_levels_and_anchors(outline: &mut Outline) {
    let has_chapters = outline
        .nodes
        .iter()
        .any(|n| matches!(n, Node::Heading { marker: Some(m), .. } if m.style == Style::Chapter));
    let has_sections = outline
        .nodes
        .iter()
        .any(|n| matches!(n, Node::Heading { marker: Some(m), .. } if m.style == Style::Section));
    // Articles are numbered through the whole document in law style; scope them by chapter
    // only when a number repeats.
    let mut article_numbers = HashSet::new();
    let mut articles_repeat = false;
    for n in &outline.nodes {
        if let Node::Heading {
            marker: Some(m), ..
        } = n
            && m.style == Style::Article
            && !article_numbers.insert(m.value.clone())
        {
            articles_repeat = true;
        }
    }
    let clause_base = 2 + u8::from(has_chapters) + u8::from(has_sections);
    let mut used: HashMap<String, u32> = HashMap::new();
    let mut chapter: Option<u32> = None;
    let mut section: Option<u32> = None;
    let mut parent_anchor: Option<String> = None;
    let mut clauses = Vec::new();
    let mut notes = Vec::new();
    for node in &mut outline.nodes {
        let Node::Heading {
            level,
            text,
            marker,
            anchor,
            line,
        } = node
        else {
            continue;
        };
        let hinted = *level;
        let Some(m) = marker else {
            if hinted == 0 {
                *level = 2;
            }
            continue;
        };
        let join = |v: &[u32]| {
            v.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join("-")
        };
        let chapter_prefix = match (has_chapters, chapter) {
            (true, Some(c)) => format!("ch{c}-"),
            _ => String::new(),
        };
        let (base, lvl) = match m.style {
            Style::Chapter => {
                chapter = m.value.first().copied();
                section = None;
                (format!("ch{}", join(&m.value)), 2)
            }
            Style::Section => {
                section = m.value.first().copied();
                (
                    format!("{chapter_prefix}sec{}", join(&m.value)),
                    2 + u8::from(has_chapters),
                )
            }
            Style::Article => {
                let prefix = if articles_repeat {
                    &chapter_prefix[..]
                } else {
                    ""
                };
                (format!("{prefix}art{}", join(&m.value)), clause_base)
            }
            Style::ChapterClause => (
                format!("ch{}-c{}", m.value[0], join(&m.value[1..])),
                clause_base,
            ),
            Style::Bracketed | Style::Number { .. } => (
                format!("{chapter_prefix}c{}", join(&m.value)),
                clause_base + (m.value.len() as u8).saturating_sub(1),
            ),
            // A heading numbered like a list item (`### (1) データベースのハッキング`): a
            // sub-clause of the clause above it.
            _ => (
                match &parent_anchor {
                    Some(p) => format!("{p}-{}", join(&m.value)),
                    None => format!("{chapter_prefix}n{}", join(&m.value)),
                },
                if hinted > 0 { hinted } else { clause_base + 1 },
            ),
        };
        let _ = section;
        // An anchor the source already has (`{#report}` in Markdown) is kept.
        let base = anchor.clone().unwrap_or(base);
        let count = used.entry(base.clone()).or_insert(0);
        *count += 1;
        let unique = if *count == 1 {
            base.clone()
        } else {
            notes.push(NumberingNote {
                line: *line,
                message: format!(
                    "clause number `{}` is used again (first use keeps #{base}; this one is #{base}-{count})",
                    m.written
                ),
            });
            format!("{base}-{count}")
        };
        if !matches!(
            m.style,
            Style::Chapter | Style::Section | Style::Paren(_) | Style::Enclosed(_) | Style::Kana
        ) {
            parent_anchor = Some(unique.clone());
        }
        *level = if hinted > 0 { hinted } else { lvl.min(6) };
        *anchor = Some(unique.clone());
        let title = text[m.rest.min(text.len())..].trim();
        clauses.push(Clause {
            number: m.written.clone(),
            title: m.caption.clone().unwrap_or_else(|| title.to_string()),
            anchor: unique,
            level: *level,
            line: *line,
            style: m.style,
        });
    }
    outline.clauses = clauses;
    outline.notes.extend(notes);
    outline.notes.sort_by_key(|n| n.line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::text;

    fn outline(src: &str) -> Outline {
        build(&text::blocks(src))
    }

    /// (number as written, anchor) of each clause.
    fn clauses(src: &str) -> Vec<(String, String)> {
        outline(src)
            .clauses
            .into_iter()
            .map(|c| (c.number, c.anchor))
            .collect()
    }

    fn kinds(src: &str) -> Vec<&'static str> {
        outline(src)
            .nodes
            .iter()
            .map(|n| match n {
                Node::Heading { .. } => "heading",
                Node::Paragraph { .. } => "paragraph",
                Node::Item { .. } => "item",
                Node::Table { .. } => "table",
            })
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn numbering_that_restarts_in_each_chapter_stays_distinct() {
        let src = "1章 総則\n1.目的\n本文。\n2.適用範囲\n本文。\n2章 報告\n1.報告先\n本文。\n";
        assert_eq!(
            clauses(src),
            pairs(&[
                ("1章", "ch1"),
                ("1.", "ch1-c1"),
                ("2.", "ch1-c2"),
                ("2章", "ch2"),
                ("1.", "ch2-c1")
            ])
        );
    }

    #[test]
    fn a_number_without_a_space_is_a_clause() {
        assert_eq!(
            clauses("1.雇用条件\n本文。\n2.服務\n本文。\n"),
            pairs(&[("1.", "c1"), ("2.", "c2")])
        );
    }

    #[test]
    fn a_count_that_restarts_inside_a_clause_is_a_list() {
        let src = "1. 趣旨\n次のとおりとする。\n1. 侵害\n2. 故障\n2. 対象者\n本文。\n";
        assert_eq!(
            kinds(src),
            [
                "heading",
                "paragraph",
                "item",
                "item",
                "heading",
                "paragraph"
            ]
        );
        assert_eq!(clauses(src), pairs(&[("1.", "c1"), ("2.", "c2")]));
    }

    #[test]
    fn indented_numbers_and_sentences_are_items() {
        let src =
            "【1】趣旨\n  1. 侵害\n    例 不正アクセス\n3. 本規程は、すべての従業員に適用する。\n";
        let o = outline(src);
        assert_eq!(kinds(src), ["heading", "item", "item"]);
        assert!(matches!(&o.nodes[1], Node::Item { more, .. } if more == &["例 不正アクセス"]));
    }

    #[test]
    fn law_style_articles_paragraphs_and_items() {
        let src = "第1章　総則\n（目的）\n第1条　この規程は、報告の手順を定める。\n2　前項の規定は、委託先にも適用する。\n第2条（定義）\n一　インシデント\n二　報告\n第3条の2　例外\n";
        let o = outline(src);
        assert_eq!(
            clauses(src),
            pairs(&[
                ("第1章", "ch1"),
                ("第1条", "art1"),
                ("第2条", "art2"),
                ("第3条の2", "art3-2")
            ])
        );
        let texts: Vec<String> = o
            .nodes
            .iter()
            .map(|n| match n {
                Node::Heading { level, text, .. } => format!("h{level} {text}"),
                Node::Paragraph { text, .. } => format!("p {text}"),
                Node::Item { depth, text, .. } => format!("i{depth} {text}"),
                Node::Table { .. } => "table".into(),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "h2 第1章　総則",
                "h3 （目的）　第1条",
                "p この規程は、報告の手順を定める。",
                "p 2　前項の規定は、委託先にも適用する。",
                "h3 第2条（定義）",
                "i0 一　インシデント",
                "i0 二　報告",
                "h3 第3条の2　例外",
            ]
        );
        assert_eq!(o.clauses[1].title, "目的");
    }

    #[test]
    fn items_nest_by_the_order_their_styles_appear() {
        let src = "【1】趣旨\n（１）侵害\n①不正アクセス\n②漏えい\nア　顧客情報\n（２）故障\n";
        let depths: Vec<usize> = outline(src)
            .nodes
            .iter()
            .filter_map(|n| match n {
                Node::Item { depth, .. } => Some(*depth),
                _ => None,
            })
            .collect();
        assert_eq!(depths, [0, 1, 1, 2, 0]);
    }

    #[test]
    fn articles_repeated_in_chapters_are_scoped_and_duplicates_noted() {
        let src = "第1章 A\n第1条 目的\n第2章 B\n第1条 目的\n";
        assert_eq!(
            clauses(src),
            pairs(&[
                ("第1章", "ch1"),
                ("第1条", "ch1-art1"),
                ("第2章", "ch2"),
                ("第1条", "ch2-art1")
            ])
        );
        let o = outline("【4.3】封じ込め\n【4.3】学習\n");
        assert_eq!(o.clauses[1].anchor, "c4-3-2");
        assert_eq!(o.notes.len(), 1);
        assert!(o.notes[0].message.contains("used again"));
    }

    #[test]
    fn full_width_numbers_with_tabs() {
        assert_eq!(
            clauses("１\t趣旨\n本文\n４．１\t平時の準備\n本文\n"),
            pairs(&[("１", "c1"), ("４．１", "c4-1")])
        );
    }

    #[test]
    fn paragraphs_and_numbered_items_get_anchors() {
        let src = "第5条（報告）\n従業員は、次の事項を報告する。\n一　不正アクセス\n二　漏えい\nア　個人情報\n2　前項の報告は、直ちに行う。\n・ 補足\n第6条（記録）\n記録する。\n";
        let o = outline(src);
        let mut got: Vec<(String, String)> = o
            .anchors
            .iter()
            .map(|(i, a)| {
                let text = match &o.nodes[*i] {
                    Node::Paragraph { text, .. } | Node::Item { text, .. } => text.clone(),
                    _ => String::new(),
                };
                (a.clone(), text)
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            pairs(&[
                ("art5-p1", "従業員は、次の事項を報告する。"),
                ("art5-p1-i1", "一　不正アクセス"),
                ("art5-p1-i2", "二　漏えい"),
                ("art5-p1-i2-1", "ア　個人情報"),
                ("art5-p2", "2　前項の報告は、直ちに行う。"),
                ("art6-p1", "記録する。"),
            ])
        );
        let md = crate::import::emit::markdown_with_anchors(&o.nodes, &o.anchors);
        assert!(
            md.contains("- <span id=\"art5-p1-i1\"></span>一　不正アクセス"),
            "{md}"
        );
        assert!(md.contains("<span id=\"art5-p2\"></span>2　前項"), "{md}");
        // Items of a numbered clause hang under it: （２） in 4.1 is c4-1-i2.
        let o = outline("４．１\t平時の準備\n本文\n（１）訓練\n（２）是正\n");
        assert!(
            o.anchors.values().any(|a| a == "c4-1-i2"),
            "{:?}",
            o.anchors
        );
    }
}
