//! Plain text into blocks: one block per line with its indentation, blank lines, and tables.
//!
//! Two table shapes are recognised, both what Word leaves behind when a table is copied as
//! text: rows of tab-separated cells (the same number of cells on two or more consecutive
//! lines), and one cell per line, each line starting with a tab, rows separated by blank
//! lines (two or more rows with the same number of cells).

use super::Block;
use super::numbering;

/// Indentation width: a space counts 1, a full-width space 2, a tab 4.
pub fn indent_width(line: &str) -> usize {
    line.chars()
        .take_while(|c| matches!(c, ' ' | '\t' | '\u{3000}'))
        .map(|c| match c {
            '\t' => 4,
            '\u{3000}' => 2,
            _ => 1,
        })
        .sum()
}

/// The blocks of a plain-text document.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some((rows, used)) = tab_cell_table(&lines[i..]) {
            out.push(Block::Table {
                rows,
                line: i as u32 + 1,
            });
            i += used;
            continue;
        }
        if let Some((rows, used)) = tab_separated_table(&lines[i..]) {
            out.push(Block::Table {
                rows,
                line: i as u32 + 1,
            });
            i += used;
            continue;
        }
        let line = lines[i];
        if line.trim().is_empty() {
            out.push(Block::Blank);
        } else {
            out.push(Block::Line {
                text: line.trim().to_string(),
                indent: indent_width(line),
                line: i as u32 + 1,
                heading: None,
            });
        }
        i += 1;
    }
    // A file ending in a newline has an empty last "line": not a blank of the document.
    if text.ends_with('\n') && matches!(out.last(), Some(Block::Blank)) {
        out.pop();
    }
    out
}

/// Cells of a tab-separated line (a line with a marker is a numbered line, not a row).
fn tab_cells(line: &str) -> Option<Vec<String>> {
    let t = line.trim_matches(|c| c == ' ' || c == '\u{3000}');
    let t = t.trim_start_matches('\t');
    if !t.contains('\t') || numbering::parse(t.trim()).is_some() {
        return None;
    }
    let cells: Vec<String> = t
        .split('\t')
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_string())
        .collect();
    (cells.len() >= 2).then_some(cells)
}

fn tab_separated_table(lines: &[&str]) -> Option<(Vec<Vec<String>>, usize)> {
    let first = tab_cells(lines.first()?)?;
    let mut rows = vec![first];
    for line in &lines[1..] {
        match tab_cells(line) {
            Some(cells) if cells.len() == rows[0].len() => rows.push(cells),
            _ => break,
        }
    }
    let used = rows.len();
    (rows.len() >= 2).then_some((rows, used))
}

/// One cell per line, each starting with a tab; a blank line ends a row.
fn tab_cell_table(lines: &[&str]) -> Option<(Vec<Vec<String>>, usize)> {
    let is_cell = |l: &str| l.starts_with('\t') && !l.trim().is_empty() && !l.trim().contains('\t');
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    let mut used = 0;
    loop {
        let mut row = Vec::new();
        while i < lines.len() && is_cell(lines[i]) {
            row.push(lines[i].trim().to_string());
            i += 1;
        }
        if row.is_empty() {
            break;
        }
        if !rows.is_empty() && row.len() != rows[0].len() {
            break;
        }
        rows.push(row);
        used = i;
        // Blank lines between rows (and after the last one, which belong to the text).
        let mut j = i;
        while j < lines.len() && lines[j].trim().is_empty() {
            j += 1;
        }
        if j == i || j >= lines.len() || !is_cell(lines[j]) {
            break;
        }
        i = j;
    }
    (rows.len() >= 2 && rows[0].len() >= 2).then_some((rows, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_table_copied_as_text() {
        let text =
            "表1\n\n\t優先度\n\t許容時間\n\n\t3\n\t停止不可\n\n\t2\n\t24時間\n\n\n次の段落\n";
        let b = blocks(text);
        let tables: Vec<_> = b
            .iter()
            .filter_map(|b| match b {
                Block::Table { rows, line } => Some((rows.clone(), *line)),
                _ => None,
            })
            .collect();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].1, 3);
        assert_eq!(
            tables[0].0,
            vec![
                vec!["優先度", "許容時間"],
                vec!["3", "停止不可"],
                vec!["2", "24時間"]
            ]
        );
        assert!(
            b.iter()
                .any(|b| matches!(b, Block::Line { text, line: 13, .. } if text == "次の段落"))
        );
    }

    #[test]
    fn tab_separated_rows() {
        let b = blocks("役割\t氏名\t電話\n委員長\t山田\t03-0000-0000\n本文");
        assert!(
            matches!(&b[0], Block::Table { rows, .. } if rows.len() == 2 && rows[1][2] == "03-0000-0000")
        );
        assert!(matches!(&b[1], Block::Line { text, .. } if text == "本文"));
    }

    #[test]
    fn indented_lines_keep_their_width() {
        let b = blocks("  1. 侵害\n    例 不正アクセス\n\u{3000}本文");
        let widths: Vec<usize> = b
            .iter()
            .filter_map(|b| match b {
                Block::Line { indent, .. } => Some(*indent),
                _ => None,
            })
            .collect();
        assert_eq!(widths, [2, 4, 2]);
    }
}
