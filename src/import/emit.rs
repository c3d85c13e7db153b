//! The outline as kitei Markdown: clause headings with `{#anchor}`, one paragraph per source
//! line, list items with their numbers as written, GFM tables. Text is escaped so that
//! Markdown reads back exactly the characters of the source (`*`, `_`, `[`, `<`, `1.` at the
//! start of a line …).

use std::collections::HashMap;

use super::outline::Node;

/// Escapes `text` so that pulldown-cmark reads it back as the same characters, inline.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '|'
                | '~'
                | '&'
                | '{'
                | '}'
                | '!'
                | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    escape_line_start(&out)
}

/// Escapes what would start a block at the beginning of a line: `#`, `-`, `+`, `=`, `1.`, `1)`.
fn escape_line_start(text: &str) -> String {
    let first = text.chars().next();
    if matches!(first, Some('#' | '-' | '+' | '=' | ':')) {
        return format!("\\{text}");
    }
    let digits = text.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && digits <= 9 && matches!(text.as_bytes().get(digits), Some(b'.' | b')')) {
        return format!("{}\\{}", &text[..digits], &text[digits..]);
    }
    text.to_string()
}

/// A table cell: escaped, on one line.
fn cell(text: &str) -> String {
    escape(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The Markdown body for `nodes`.
pub fn markdown(nodes: &[Node]) -> String {
    markdown_with_anchors(nodes, &HashMap::new())
}

/// An empty element carrying an anchor, before the text of a paragraph or item.
fn anchor_tag(anchors: &HashMap<usize, String>, index: usize) -> String {
    anchors
        .get(&index)
        .map(|a| format!("<span id=\"{a}\"></span>"))
        .unwrap_or_default()
}

/// The Markdown body for `nodes`, paragraphs and items with the given anchors (by index).
pub fn markdown_with_anchors(nodes: &[Node], anchors: &HashMap<usize, String>) -> String {
    let mut out = String::new();
    // The depth of the last item written (None after anything else): a nested item may go at
    // most one level deeper, or it would turn into an indented code block.
    let mut last_depth: Option<usize> = None;
    for (index, node) in nodes.iter().enumerate() {
        if !matches!(node, Node::Item { .. }) && last_depth.take().is_some() {
            out.push('\n');
        }
        match node {
            Node::Heading {
                level,
                text,
                anchor,
                ..
            } => {
                out.push_str(&"#".repeat((*level).clamp(1, 6) as usize));
                out.push(' ');
                out.push_str(&escape(text));
                if let Some(a) = anchor {
                    out.push_str(&format!(" {{#{a}}}"));
                }
                out.push_str("\n\n");
            }
            Node::Paragraph { text, .. } => {
                out.push_str(&anchor_tag(anchors, index));
                out.push_str(&escape(text));
                out.push_str("\n\n");
            }
            Node::Item {
                depth, text, more, ..
            } => {
                let depth = match last_depth {
                    Some(d) => (*depth).min(d + 1),
                    None => 0,
                };
                last_depth = Some(depth);
                let pad = "  ".repeat(depth);
                out.push_str(&format!(
                    "{pad}- {}{}",
                    anchor_tag(anchors, index),
                    escape(text)
                ));
                for line in more {
                    // A backslash at the end of a line is a hard line break.
                    out.push_str(&format!("\\\n{pad}  {}", escape(line)));
                }
                out.push('\n');
            }
            Node::Table { rows, .. } => {
                let width = rows.iter().map(|r| r.len()).max().unwrap_or(1).max(1);
                for (i, row) in rows.iter().enumerate() {
                    let cells: Vec<String> = (0..width)
                        .map(|c| row.get(c).map(|t| cell(t)).unwrap_or_default())
                        .collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                    if i == 0 {
                        out.push_str(&format!("|{}\n", "---|".repeat(width)));
                    }
                }
                out.push('\n');
            }
        }
    }
    if last_depth.is_some() {
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::markdown::options;
    use pulldown_cmark::{Event, Parser};

    fn read_back(md: &str) -> String {
        Parser::new_ext(md, options())
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn escaped_text_reads_back_as_written() {
        for text in [
            "1. 趣旨",
            "# 見出しではない",
            "- 箇条ではない",
            "*強調* _下線_ [リンク](x) <b>タグ</b> a|b ~~取消~~ &amp; {#id} ![img](y)",
            "C:\\path\\file",
            "2) 項目",
            "=== 区切り",
        ] {
            assert_eq!(read_back(&escape(text)), text, "{text}");
        }
    }

    #[test]
    fn a_deep_item_after_a_paragraph_is_not_code() {
        let nodes = vec![
            Node::Paragraph {
                text: "本文".into(),
                line: 1,
            },
            Node::Item {
                depth: 3,
                text: "（１）項目".into(),
                more: vec!["続き".into()],
                line: 2,
            },
        ];
        let md = markdown(&nodes);
        assert_eq!(md, "本文\n\n- （１）項目\\\n  続き\n");
        assert!(!md.contains("    "));
    }
}
