//! The Atom feed of releases (RFC 4287): one entry per release, newest first, so that
//! employees can subscribe to amendments. Ids are `urn:uuid:` values derived from the
//! organisation and the tag name, so an entry keeps its id across rebuilds and machines.

use crate::digest::sha256_hex;

use super::html::escape;

/// One entry of the feed.
pub struct Entry {
    pub id: String,
    pub title: String,
    /// RFC 3339 date-time.
    pub updated: String,
    /// The change notice page (relative to the feed, or absolute with `site_url`).
    pub link: String,
    pub summary: String,
    /// The notice as HTML (escaped into the feed as `type="html"`).
    pub content_html: String,
    pub author: Option<String>,
}

/// The feed's own fields.
pub struct Feed {
    pub id: String,
    pub title: String,
    pub updated: String,
    pub author: String,
    /// `xml:base` (the published site's URL), when known.
    pub base: Option<String>,
    pub lang: String,
    pub entries: Vec<Entry>,
}

/// A stable `urn:uuid:` made from `parts` (a name-based UUID from SHA-256, version 8).
pub fn urn(parts: &[&str]) -> String {
    let h = sha256_hex(parts.join("\u{0}").as_bytes());
    let mut b: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&h[i * 2..i * 2 + 2], 16).unwrap_or(0))
        .collect();
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Text that XML 1.0 allows (control characters other than tab and newlines dropped).
fn xml_text(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape(&clean)
}

impl Feed {
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        out.push_str(&format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\"{}>\n",
            xml_text(&self.lang),
            self.base
                .as_ref()
                .map(|b| format!(" xml:base=\"{}\"", xml_text(b)))
                .unwrap_or_default()
        ));
        out.push_str(&format!("  <id>{}</id>\n", xml_text(&self.id)));
        out.push_str(&format!("  <title>{}</title>\n", xml_text(&self.title)));
        out.push_str(&format!(
            "  <updated>{}</updated>\n",
            xml_text(&self.updated)
        ));
        out.push_str(&format!(
            "  <author><name>{}</name></author>\n",
            xml_text(&self.author)
        ));
        out.push_str(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"feed.xml\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"versions.html\"/>\n",
        );
        out.push_str(&format!(
            "  <generator version=\"{}\">kitei</generator>\n",
            env!("CARGO_PKG_VERSION")
        ));
        for e in &self.entries {
            out.push_str("  <entry>\n");
            out.push_str(&format!("    <id>{}</id>\n", xml_text(&e.id)));
            out.push_str(&format!("    <title>{}</title>\n", xml_text(&e.title)));
            out.push_str(&format!(
                "    <updated>{}</updated>\n",
                xml_text(&e.updated)
            ));
            out.push_str(&format!(
                "    <published>{}</published>\n",
                xml_text(&e.updated)
            ));
            if let Some(a) = &e.author {
                out.push_str(&format!(
                    "    <author><name>{}</name></author>\n",
                    xml_text(a)
                ));
            }
            out.push_str(&format!(
                "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                xml_text(&e.link)
            ));
            out.push_str(&format!(
                "    <summary>{}</summary>\n",
                xml_text(&e.summary)
            ));
            out.push_str(&format!(
                "    <content type=\"html\">{}</content>\n",
                xml_text(&e.content_html)
            ));
            out.push_str("  </entry>\n");
        }
        out.push_str("</feed>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urns_are_stable_uuids() {
        let a = urn(&["org", "policy-v1"]);
        assert_eq!(a, urn(&["org", "policy-v1"]));
        assert_ne!(a, urn(&["org", "policy-v2"]));
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a[9 + 14..9 + 15], "8");
    }
}
