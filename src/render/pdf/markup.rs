//! Typst markup written from the model, with every piece of source text inside a typst string
//! literal (`#"…";`). Inside a string literal only `\` and `"` mean anything, so no text from a
//! document can become markup, code, a label or a reference, whatever characters it holds
//! (`#`, `*`, `_`, `<`, `@`, `$`, `[`, backticks…). The trailing `;` ends the embedded
//! expression, so a following `.`, `(` or `[` cannot turn the string into a method call.

use std::fmt::Write;

/// A typst string literal holding `s` exactly.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` as text in markup mode.
pub fn text(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("#{};", string(s))
    }
}

/// A markup document under construction.
#[derive(Default)]
pub struct Markup {
    out: String,
}

impl Markup {
    pub fn new() -> Markup {
        Markup::default()
    }

    /// Source text, shown as it is.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.out.push_str(&text(s));
        self
    }

    /// Markup or code written by kitei itself (never text from a source file).
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.out.push_str(s);
        self
    }

    /// A paragraph break.
    pub fn parbreak(&mut self) -> &mut Self {
        self.out.push_str("\n\n");
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// The label of an anchor: `#label("…")` takes any string, so anchors need no mangling.
pub fn label(anchor: &str) -> String {
    format!("#label({});", string(&format!("k-{anchor}")))
}

/// A reference to the label of `anchor`, as a typst expression.
pub fn label_expr(anchor: &str) -> String {
    format!("label({})", string(&format!("k-{anchor}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_quotes_backslashes_and_controls() {
        assert_eq!(string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(string("\u{7}"), "\"\\u{7}\"");
        assert_eq!(text(""), "");
        assert_eq!(text("第1条"), "#\"第1条\";");
    }
}
