//! Splits YAML front matter from a Markdown body. Done by hand on purpose: pulldown-cmark's
//! metadata-block option also swallows `---` blocks in the middle of a page (upstream issue
//! pulldown-cmark#1000), which would silently delete regulation text.

/// The pieces of a Markdown file with front matter.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Line of the file on which the YAML starts (always 2).
    pub yaml_line: u32,
    pub body: &'a str,
    /// Line of the file on which the body starts.
    pub body_line: u32,
}

/// Why a file has no usable front matter.
#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    Missing,
    Unclosed,
}

/// Front matter must start at byte 0 with a `---` line and end with a `---` or `...` line.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let first_end = text.find('\n').ok_or(SplitError::Missing)?;
    if text[..first_end].trim_end_matches('\r') != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_start = first_end + 1;
    let mut pos = yaml_start;
    let mut line = 2u32;
    while pos <= text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        let content = text[pos..end].trim_end_matches('\r');
        if content == "---" || content == "..." {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                yaml: &text[yaml_start..pos],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        if end == text.len() {
            break;
        }
        pos = end + 1;
        line += 1;
    }
    Err(SplitError::Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_counts_lines() {
        let s = split("---\nid: a\ntitle: b\n---\n# 本文\n\n---\n### 節\n---\n").unwrap();
        assert_eq!(s.yaml, "id: a\ntitle: b\n");
        assert_eq!(s.body_line, 5);
        // A later `---` block stays part of the body.
        assert_eq!(s.body, "# 本文\n\n---\n### 節\n---\n");
    }

    #[test]
    fn crlf_and_dots_close() {
        let s = split("---\r\nid: a\r\n...\r\nbody").unwrap();
        assert_eq!(s.yaml, "id: a\r\n");
        assert_eq!(s.body, "body");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn missing_and_unclosed() {
        assert_eq!(split("# title\n"), Err(SplitError::Missing));
        assert_eq!(split(" ---\nid: a\n---\n"), Err(SplitError::Missing));
        assert_eq!(split("---\nid: a\n"), Err(SplitError::Unclosed));
        assert_eq!(split("---"), Err(SplitError::Missing));
    }
}
