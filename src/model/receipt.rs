//! The receipt of the site's "I have read revision X" button: a `mailto:` link whose body
//! names the document, the version and the SHA-256 of the document's source the page was built
//! from, with a line for the reader's id. The site writes it (render), `kitei ack import-mail`
//! reads it back; this module is both halves of the format, so they cannot drift apart.

/// The first line of a receipt body that kitei reads (anything above it is ignored).
pub const MAGIC: &str = "kitei-receipt: 1";

/// A receipt as the button writes it and the import reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub document: String,
    pub release: String,
    /// SHA-256 (hex) of the document's source file the page was built from.
    pub page_sha256: String,
    /// The id the reader typed (社員番号); empty in the link the site writes.
    pub person: String,
}

impl Receipt {
    /// The mail body: an instruction line for the reader, then the fields.
    pub fn body(&self, instruction: &str) -> String {
        format!(
            "{instruction}\r\n\r\n{MAGIC}\r\ndocument: {}\r\nrelease: {}\r\npage-sha256: {}\r\nperson: {}",
            self.document, self.release, self.page_sha256, self.person
        )
    }

    /// The `mailto:` URL (RFC 6068) of the button.
    pub fn mailto(&self, to: &str, subject: &str, instruction: &str) -> String {
        format!(
            "mailto:{}?subject={}&body={}",
            encode(to),
            encode(subject),
            encode(&self.body(instruction))
        )
    }

    /// Reads a receipt out of a mail body (as received: quoted with `>`, re-wrapped lines
    /// joined back when a mailer broke the digest). `Err` says what is missing.
    pub fn parse(body: &str) -> Result<Receipt, String> {
        let lines: Vec<String> = body
            .lines()
            .map(|l| l.trim_start_matches(['>', ' ', '\t']).trim().to_string())
            .collect();
        let start = lines
            .iter()
            .position(|l| l == MAGIC)
            .ok_or_else(|| format!("no `{MAGIC}` line: not a receipt of the site's button"))?;
        let mut fields = std::collections::BTreeMap::new();
        let mut last: Option<String> = None;
        for line in &lines[start + 1..] {
            if let Some((k, v)) = line.split_once(':')
                && ["document", "release", "page-sha256", "person"].contains(&k.trim())
            {
                let k = k.trim().to_string();
                fields.insert(k.clone(), v.trim().to_string());
                last = Some(k);
            } else if line.is_empty() {
                last = None;
            } else if let Some(k) = &last
                && k == "page-sha256"
            {
                // A mailer wrapped the long digest.
                fields.get_mut(k).expect("inserted above").push_str(line);
            }
        }
        let get = |k: &str| {
            fields
                .get(k)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| format!("the receipt has no `{k}`"))
        };
        let person = get("person").map_err(|_| {
            "the receipt has no `person`: the sender did not fill in their id".to_string()
        })?;
        let page_sha256 = get("page-sha256")?.to_ascii_lowercase();
        if page_sha256.len() != 64 || !page_sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("`{page_sha256}` is not a SHA-256 digest"));
        }
        Ok(Receipt {
            document: get("document")?,
            release: get("release")?,
            page_sha256,
            person,
        })
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(person: &str) -> Receipt {
        Receipt {
            document: "incident-response-regulation".into(),
            release: "2026.1".into(),
            page_sha256: "ab".repeat(32),
            person: person.into(),
        }
    }

    #[test]
    fn the_body_reads_back_also_quoted_and_wrapped() {
        let filled = receipt("M1001").body("社員番号を記入して送信してください。");
        assert_eq!(Receipt::parse(&filled).unwrap(), receipt("M1001"));
        let quoted: String = filled.lines().map(|l| format!("> {l}\n")).collect();
        assert_eq!(Receipt::parse(&quoted).unwrap(), receipt("M1001"));
        let wrapped = filled.replace(
            &"ab".repeat(32),
            &format!("{}\r\n{}", "ab".repeat(20), "ab".repeat(12)),
        );
        assert_eq!(Receipt::parse(&wrapped).unwrap(), receipt("M1001"));
    }

    #[test]
    fn an_unfilled_or_foreign_body_is_refused() {
        let empty = receipt("").body("…");
        assert!(
            Receipt::parse(&empty)
                .unwrap_err()
                .contains("did not fill in")
        );
        assert!(
            Receipt::parse("hello")
                .unwrap_err()
                .contains("not a receipt")
        );
    }

    #[test]
    fn the_mailto_url_is_percent_encoded() {
        let url = receipt("").mailto("ack@example.jp", "周知 2026.1", "記入");
        assert!(
            url.starts_with("mailto:ack@example.jp?subject=%E5%91%A8"),
            "{url}"
        );
        assert!(url.contains("%0D%0Akitei-receipt%3A%201%0D%0A"), "{url}");
        assert!(!url.contains(' '));
    }
}
