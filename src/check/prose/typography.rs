//! K0809: typography that copying from Word, PDF or a web page leaves behind — stray spaces
//! inside Japanese words, commas of another style among 、, brackets closed by a different
//! kind, a bullet typed after a list marker, the Latin middle dot used as 中黒.

use super::{Doc, Kind, is_japanese};
use crate::check::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};

pub static TYPOGRAPHY: Rule = Rule {
    code: "K0809",
    name: "typography",
    level: Level::Warning,
    summary: "stray spaces, mixed commas, mismatched brackets, doubled bullets",
    explanation: "Text converted from Word, PDF or a web page keeps artefacts a reader trips over: \
         a space inside a Japanese word (「再発防止計 画」, 「マル  ウエア」); a comma ， or , among \
         the document's 、; a bracket closed by another kind (「(表1参照）」); a bullet typed after \
         a list marker (「- ・項目」); the Latin middle dot · (U+00B7) used for the Japanese 中黒 ・. \
         Ideographic spaces (第1条　目的), a space after a short label at the start of a line \
         (「例 不正アクセス」) and a space before 等 are not reported.",
};

pub fn check(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let mut push = |line: &super::Line, byte: usize, message: String, help: &str| {
        out.push(
            ctx.diag("K0809", message)
                .at(doc.at(ctx, line, byte))
                .help(help.to_string())
                .subject(doc.subject()),
        );
    };
    let (touten, commas) = comma_counts(doc);
    for line in doc.lines.iter().filter(|l| l.is_prose()) {
        let text = line.text;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        // Stray spaces: a run of spaces between two Japanese words of two or more characters.
        let mut i = 0;
        while i < chars.len() {
            let (byte, c) = chars[i];
            // Ideographic spaces are deliberate (第1条　目的, 附則　…); ASCII ones are artefacts.
            if c == ' ' || c == '\t' {
                let end = (i..chars.len())
                    .find(|&j| !matches!(chars[j].1, ' ' | '\t'))
                    .unwrap_or(chars.len());
                let left = chars[..i]
                    .iter()
                    .rev()
                    .take_while(|(_, c)| is_japanese(*c))
                    .count();
                let right = chars[end..]
                    .iter()
                    .take_while(|(_, c)| is_japanese(*c))
                    .count();
                // A short label at the start of the text (「例 不正アクセス」, 「附則 本規程」).
                let label = left == i && left <= 3;
                if i > 0 && left >= 2 && right >= 2 && !label && chars[end].1 != '等' {
                    push(
                        line,
                        byte,
                        "a space inside Japanese text".to_string(),
                        "delete the space (left over from a line break or justified text)",
                    );
                }
                i = end;
                continue;
            }
            i += 1;
        }
        for (i, &(byte, c)) in chars.iter().enumerate() {
            let before = i.checked_sub(1).map(|j| chars[j].1);
            let after = chars.get(i + 1).map(|(_, c)| *c);
            if matches!(c, '，' | ',')
                && touten > commas
                && before.is_some_and(is_japanese)
                && after.is_some_and(|a| is_japanese(a) || a == ' ')
            {
                push(
                    line,
                    byte,
                    format!("「{c}」 among the document's 、"),
                    "write 、 like the rest of the document",
                );
            }
            if c == '·' {
                push(
                    line,
                    byte,
                    "the Latin middle dot 「·」 (U+00B7)".to_string(),
                    "write the Japanese 中黒 「・」, or make the line a Markdown list item (`- `)",
                );
            }
        }
        if line.kind == Kind::ListItem
            && let Some(b) = text
                .chars()
                .next()
                .filter(|c| matches!(c, '・' | '•' | '●' | '·' | '○'))
        {
            push(
                line,
                0,
                format!("a bullet 「{b}」 after the list marker"),
                "delete the bullet: the list marker already makes the item",
            );
        }
        if let Some((byte, message)) = brackets(text) {
            push(
                line,
                byte,
                message,
                "close each bracket with its own kind: （ ）, ( ), 「 」, 『 』, 【 】",
            );
        }
    }
}

/// 、 between Japanese characters, and ，/, between Japanese characters, in the document.
fn comma_counts(doc: &Doc) -> (usize, usize) {
    let (mut touten, mut commas) = (0, 0);
    for line in doc.lines.iter().filter(|l| l.is_prose()) {
        let chars: Vec<char> = line.text.chars().collect();
        for w in chars.windows(3) {
            if is_japanese(w[0]) && is_japanese(w[2]) {
                match w[1] {
                    '、' => touten += 1,
                    '，' | ',' => commas += 1,
                    _ => {}
                }
            }
        }
    }
    (touten, commas)
}

/// The first bracket closed by another kind, or a closer with no opener.
fn brackets(text: &str) -> Option<(usize, String)> {
    const PAIRS: &[(char, char)] = &[
        ('(', ')'),
        ('（', '）'),
        ('「', '」'),
        ('『', '』'),
        ('【', '】'),
        ('［', '］'),
        ('〔', '〕'),
    ];
    let mut stack: Vec<(usize, char)> = Vec::new();
    for (byte, c) in text.char_indices() {
        if PAIRS.iter().any(|(o, _)| *o == c) {
            stack.push((byte, c));
        } else if let Some((open, _)) = PAIRS.iter().find(|(_, cl)| *cl == c) {
            match stack.pop() {
                Some((_, o)) if o == *open => {}
                Some((at, o)) => {
                    return Some((at, format!("「{o}」 is closed by 「{c}」")));
                }
                None => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatched_brackets() {
        assert!(brackets("復旧優先度(表１参照）").is_some());
        assert!(brackets("（表１参照）と「A」").is_none());
        assert!(brackets("a) 項目").is_none());
    }
}
