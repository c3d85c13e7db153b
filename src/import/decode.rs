//! Text files as companies keep them: UTF-8 (with or without a BOM), Shift_JIS/CP932 from
//! old Windows editors, EUC-JP, UTF-16 with a BOM (Notepad's "Unicode"). The source folder
//! itself stays UTF-8; converting here is the one place kitei transcodes, and it says so.

use encoding_rs::{EUC_JP, Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE};

/// A decoded text and what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text with `\r\n` and `\r` turned into `\n`.
    pub text: String,
    /// `UTF-8`, `UTF-8 with BOM`, `Shift_JIS (CP932)`, `EUC-JP`, `UTF-16LE`, `UTF-16BE`.
    pub encoding: &'static str,
    /// Set when the bytes were converted to UTF-8.
    pub converted: bool,
}

/// Decodes `bytes`; an error says why the file cannot be read as text.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let (text, encoding, converted) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = std::str::from_utf8(rest)
            .map_err(|e| format!("starts with a UTF-8 BOM but is not UTF-8 ({e})"))?;
        (text.to_string(), "UTF-8 with BOM", false)
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (enc, name) = if bytes[0] == 0xFF {
            (UTF_16LE, "UTF-16LE")
        } else {
            (UTF_16BE, "UTF-16BE")
        };
        (strict(enc, &bytes[2..], name)?, name, true)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_string(), "UTF-8", false)
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        let guess = detector.guess(Some(b"jp"), chardetng::Utf8Detection::Allow);
        let (enc, name) = if guess == EUC_JP {
            (EUC_JP, "EUC-JP")
        } else {
            // encoding_rs's Shift_JIS is the WHATWG one, i.e. CP932 with its NEC and IBM
            // extensions (①, ㈱, 髙), which is what Windows editors write.
            (SHIFT_JIS, "Shift_JIS (CP932)")
        };
        if guess != EUC_JP && guess != SHIFT_JIS {
            return Err(format!(
                "is neither UTF-8 nor Japanese Shift_JIS/EUC-JP text (it looks like {})",
                guess.name()
            ));
        }
        (strict(enc, bytes, name)?, name, true)
    };
    if text.contains('\0') {
        return Err("contains NUL bytes: it is not a text file".into());
    }
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    // Page breaks (form feeds) from text exported by Word or a PDF viewer end a line.
    let text = if text.contains('\u{c}') {
        text.replace('\u{c}', "\n")
    } else {
        text
    };
    Ok(Decoded {
        text,
        encoding,
        converted,
    })
}

fn strict(enc: &'static Encoding, bytes: &[u8], name: &str) -> Result<String, String> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(format!(
            "looks like {name} but has bytes that are not valid {name}; convert it to UTF-8 first (e.g. `iconv -f CP932 -t UTF-8`)"
        ));
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "第1条（目的）\r\n本規程は、情報セキュリティ委員会が定める。①髙\n";

    #[test]
    fn utf8_and_bom() {
        let d = decode(TEXT.as_bytes()).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(!d.converted);
        assert!(!d.text.contains('\r'));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(TEXT.as_bytes());
        let d = decode(&bom).unwrap();
        assert_eq!(d.encoding, "UTF-8 with BOM");
        assert!(d.text.starts_with("第1条"));
    }

    #[test]
    fn shift_jis_cp932_is_converted() {
        let (bytes, _, bad) = SHIFT_JIS.encode(TEXT);
        assert!(!bad);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "Shift_JIS (CP932)");
        assert!(d.converted);
        assert_eq!(d.text, TEXT.replace("\r\n", "\n"));
    }

    #[test]
    fn euc_jp_and_utf16() {
        let plain = TEXT.replace('①', "1").replace('髙', "高");
        let (bytes, _, _) = EUC_JP.encode(&plain);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "EUC-JP");
        assert!(d.text.contains("情報セキュリティ委員会"));
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in TEXT.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&utf16).unwrap();
        assert_eq!(d.encoding, "UTF-16LE");
        assert!(d.text.contains("髙"));
    }

    #[test]
    fn page_breaks_end_lines() {
        assert_eq!(
            decode("第1条\u{c}第2条".as_bytes()).unwrap().text,
            "第1条\n第2条"
        );
    }

    #[test]
    fn binary_is_refused() {
        assert!(decode(&[0x00, 0x01, 0xFF, 0xFE, 0x00]).is_err());
    }
}
