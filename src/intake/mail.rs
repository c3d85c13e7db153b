//! `kitei ack import-mail`: the mails the site's "I have read revision X" button produced
//! (saved from the receipts mailbox as `.eml`), turned into `site-receipt` acknowledgements.
//!
//! A receipt is accepted when its body carries a receipt ([`Receipt`]), its page digest equals
//! the SHA-256 of the document's current source and the version is the document's current
//! one (the page was built from exactly the text of that version), and, when the roster gives
//! the person's `email`, the mail's `From` is that address. The acknowledgement is dated by
//! the mail's `Date` header in the project's time zone; the mail itself is copied into the
//! source folder as the acknowledgement's evidence (hashed, sealed with the bundle).

use std::path::{Path, PathBuf};

use chrono::FixedOffset;

use super::acks::Incoming;
use crate::model::incident::EvidenceFile;
use crate::model::receipt::Receipt;
use crate::model::{AckMethod, Acknowledgement, At, Corpus, Date};

/// Where the receipts are kept, inside the source folder.
pub const KEEP_DIR: &str = "evidence/acknowledgements/receipts";

/// A mail read and accepted, and the copy to keep of it.
pub struct Accepted {
    pub incoming: Incoming,
    /// (path inside the source folder, bytes) of the mail's copy.
    pub keep: (PathBuf, Vec<u8>),
}

/// Reads one mail file. `Err` says why it is not a usable receipt.
pub fn read(corpus: &Corpus, tz: FixedOffset, path: &Path) -> Result<Accepted, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let mail = mailparse::parse_mail(&bytes).map_err(|e| format!("not a mail: {e}"))?;
    let header = |name: &str| {
        mail.headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
    };
    let body = text_body(&mail)?;
    let receipt = Receipt::parse(&body)?;
    let doc = corpus.document(&receipt.document).ok_or_else(|| {
        format!(
            "`doc:{}` is not a document of this policy",
            receipt.document
        )
    })?;
    let current = doc.meta.version.as_ref().map(|v| v.value.as_str());
    if current != Some(receipt.release.as_str()) {
        return Err(format!(
            "the receipt is for version {} of `{}`, but the current version is {}: only the version the site shows can be acknowledged by its button",
            receipt.release,
            receipt.document,
            current.unwrap_or("(none)")
        ));
    }
    let source_sha = &corpus.files[doc.file].sha256;
    if *source_sha != receipt.page_sha256 {
        return Err(format!(
            "the page was built from another text of `{}` (page digest {}, current source {source_sha}): the reader had an outdated page",
            receipt.document, receipt.page_sha256
        ));
    }
    let person = corpus
        .roster
        .iter()
        .find(|p| p.id.value == receipt.person)
        .ok_or_else(|| {
            format!(
                "`{}` is not on the roster (the id the sender typed): correct it in the mail or add the person",
                receipt.person
            )
        })?;
    let from = header("From").unwrap_or_default();
    if let Some(expected) = &person.email {
        let addrs =
            mailparse::addrparse(&from).map_err(|e| format!("unreadable From `{from}`: {e}"))?;
        let matches = addrs.iter().any(|a| match a {
            mailparse::MailAddr::Single(s) => s.addr.eq_ignore_ascii_case(expected),
            mailparse::MailAddr::Group(g) => g
                .addrs
                .iter()
                .any(|s| s.addr.eq_ignore_ascii_case(expected)),
        });
        if !matches {
            return Err(format!(
                "sent from `{from}`, but the roster's address of `{}` is {expected}: someone else's id?",
                receipt.person
            ));
        }
    }
    let date = header("Date").ok_or("the mail has no Date header")?;
    let sent = mailparse::dateparse(&date).map_err(|e| format!("unreadable Date `{date}`: {e}"))?;
    let on = chrono::DateTime::from_timestamp(sent, 0)
        .ok_or_else(|| format!("Date `{date}` is out of range"))?
        .with_timezone(&tz)
        .date_naive();
    let id = header("Message-ID")
        .map(|m| {
            m.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
        .filter(|m| !m.is_empty());
    let digest = crate::digest::sha256_hex(&bytes);
    let keep = PathBuf::from(KEEP_DIR).join(&receipt.release).join(format!(
        "{}-{}.eml",
        receipt.person,
        &digest[..12]
    ));
    let evidence = EvidenceFile {
        path: At::new(keep.to_string_lossy().replace('\\', "/"), 0, 0),
        sha256: At::new(digest, 0, 0),
        description: None,
        controls: Vec::new(),
    };
    Ok(Accepted {
        incoming: Incoming {
            origin: path.display().to_string(),
            document: receipt.document,
            release: receipt.release,
            ack: Acknowledgement {
                person: At::new(receipt.person, 0, 0),
                on: At::new(Date(on), 0, 0),
                method: At::new(AckMethod::SiteReceipt, 0, 0),
                evidence: Some(evidence),
                receipt: id,
            },
        },
        keep: (keep, bytes),
    })
}

/// The first text/plain part's decoded text (transfer encoding and charset undone).
fn text_body(mail: &mailparse::ParsedMail) -> Result<String, String> {
    if mail.subparts.is_empty() {
        return mail.get_body().map_err(|e| format!("unreadable body: {e}"));
    }
    for part in &mail.subparts {
        if (part.ctype.mimetype.eq_ignore_ascii_case("text/plain") || !part.subparts.is_empty())
            && let Ok(text) = text_body(part)
            && text.contains(crate::model::receipt::MAGIC)
        {
            return Ok(text);
        }
    }
    Err("no text part with a receipt".into())
}
