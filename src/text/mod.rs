//! Text helpers every layer may use: decoding source bytes ([`encoding`]), Japanese prose
//! joined from folded YAML, and HTML escaping. A leaf: it uses nothing else of the crate.

pub mod encoding;
pub mod numerals;

/// Folded YAML text (`>-`) joins lines with a space, which is wrong between Japanese
/// characters: `開かれ、 マルウェア` → `開かれ、マルウェア`. Spaces next to ASCII stay.
pub fn prose(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' '
            && i > 0
            && i + 1 < chars.len()
            && !chars[i - 1].is_ascii()
            && !chars[i + 1].is_ascii()
        {
            continue;
        }
        out.push(c);
    }
    out
}

/// Escapes text for HTML (and SVG) element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_japanese_prose() {
        assert_eq!(
            prose("開かれ、 マルウェアが EDR で"),
            "開かれ、マルウェアが EDR で"
        );
    }

    #[test]
    fn escapes_markup_and_both_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
