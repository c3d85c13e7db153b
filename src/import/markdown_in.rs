//! Markdown sources: kept line for line. Headings that start with a clause number get a
//! stable `{#anchor}` (unless they have one); lists and pipe tables are read into the
//! outline too, so that the report and the data extraction see them.

use super::outline::{self, Node, Outline};
use super::{numbering, text::indent_width};

/// An ATX heading: (level, text without closing hashes or attributes, its explicit id).
fn atx_heading(line: &str) -> Option<(u8, String, Option<String>)> {
    let t = line
        .strip_prefix("   ")
        .or(line.strip_prefix("  "))
        .or(line.strip_prefix(' '))
        .unwrap_or(line);
    let hashes = t.bytes().take_while(|b| *b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &t[hashes..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let mut text = rest.trim().to_string();
    let mut id = None;
    if text.ends_with('}')
        && let Some(open) = text.rfind('{')
    {
        id = text[open + 1..text.len() - 1]
            .split_whitespace()
            .find_map(|a| a.strip_prefix('#'))
            .map(str::to_string);
        text = text[..open].trim_end().to_string();
    }
    let text = text.trim_end_matches('#').trim_end().to_string();
    Some((hashes as u8, text, id))
}

/// The clause number of a heading's text. A bullet before it (`## ・ 6. 平時の準備`, a
/// leftover of a converted list) is skipped; a heading that is only bulleted has no number.
fn heading_marker(text: &str) -> Option<numbering::Marker> {
    let m = numbering::parse(text)?;
    if m.style != numbering::Style::Bullet {
        return Some(m);
    }
    let mut inner = numbering::parse(&text[m.rest..])?;
    if inner.style == numbering::Style::Bullet {
        return None;
    }
    inner.rest += m.rest;
    Some(inner)
}

fn table_row(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if !t.starts_with('|') || t.len() < 2 {
        return None;
    }
    let inner = t.trim_start_matches('|').trim_end_matches('|');
    Some(inner.split('|').map(|c| c.trim().to_string()).collect())
}

fn is_delimiter_row(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// The outline of a Markdown source and the source with anchors added to clause headings.
/// `first_line` is the line of the file `text` starts on (after front matter).
pub fn read(text: &str, first_line: u32) -> (Outline, String) {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut nodes = Vec::new();
    let mut explicit = Vec::new();
    let mut in_fence = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let number = i as u32 + first_line;
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            i += 1;
            continue;
        }
        if in_fence || trimmed.is_empty() {
            i += 1;
            continue;
        }
        if let Some((level, heading, id)) = atx_heading(line) {
            explicit.push(id.is_some());
            let marker = heading_marker(&heading);
            nodes.push(Node::Heading {
                level,
                marker,
                text: heading,
                anchor: id,
                line: number,
            });
            i += 1;
            continue;
        }
        if let Some(first) = table_row(line) {
            let mut rows = vec![first];
            let mut j = i + 1;
            while j < lines.len()
                && let Some(row) = table_row(lines[j])
            {
                if !is_delimiter_row(&row) {
                    rows.push(row);
                }
                j += 1;
            }
            if rows.len() >= 2 {
                nodes.push(Node::Table { rows, line: number });
                i = j;
                continue;
            }
        }
        let list = ["- ", "* ", "+ "]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p))
            .or_else(|| {
                let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
                (digits > 0)
                    .then(|| trimmed[digits..].strip_prefix(". "))
                    .flatten()
            });
        match list {
            Some(item) => nodes.push(Node::Item {
                depth: indent_width(line) / 2,
                text: item.trim().to_string(),
                more: Vec::new(),
                line: number,
            }),
            None => nodes.push(Node::Paragraph {
                text: trimmed.to_string(),
                line: number,
            }),
        }
        i += 1;
    }
    let mut outline = Outline {
        nodes,
        ..Outline::default()
    };
    for n in &outline.nodes {
        if let Node::Item { text, .. } = n
            && let Some(m) = numbering::parse(text)
        {
            *outline.items.entry(m.style.describe()).or_default() += 1;
        }
    }
    outline::assign_levels_and_anchors(&mut outline);
    // Write the anchors into the heading lines that have none.
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let mut k = 0;
    for n in &outline.nodes {
        if let Node::Heading { line, anchor, .. } = n {
            let has_id = explicit.get(k).copied().unwrap_or(false);
            k += 1;
            if let (Some(a), false) = (anchor, has_id) {
                let l = &mut out[(*line - first_line) as usize];
                *l = format!("{} {{#{a}}}", l.trim_end());
            }
        }
    }
    (outline, out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_headings_get_anchors_and_the_rest_is_kept() {
        let src = "# 規程\n\n## 1. 趣旨\n\n本文 *強調*\n\n### 7-1. 検知 {#detect}\n\n## ・ 8. 学習\n\n### (1) 種類\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let (o, md) = read(src, 1);
        assert_eq!(
            md,
            "# 規程\n\n## 1. 趣旨 {#c1}\n\n本文 *強調*\n\n### 7-1. 検知 {#detect}\n\n## ・ 8. 学習 {#c8}\n\n### (1) 種類 {#c8-1}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        );
        assert_eq!(o.clauses.len(), 4);
        assert!(
            o.nodes
                .iter()
                .any(|n| matches!(n, Node::Table { rows, .. } if rows.len() == 2))
        );
    }
}
