//! Text decoding. Sources must be UTF-8 (a BOM is accepted); anything else is refused with
//! the encoding it most likely is and the command that converts it, never transcoded
//! silently.

/// Decodes `bytes` as UTF-8, dropping a leading BOM. On failure returns the message to show.
pub fn decode_utf8(bytes: Vec<u8>) -> Result<String, String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let valid_up_to = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let line = 1 + bytes[..valid_up_to].iter().filter(|b| **b == b'\n').count();
            let guess = guess_encoding(&bytes);
            Err(format!(
                "file is not UTF-8 (invalid byte at line {line}; it looks like {guess}); \
                 convert it, e.g. `iconv -f {iconv} -t UTF-8 FILE > FILE.utf8 && mv FILE.utf8 FILE`",
                iconv = iconv_name(guess)
            ))
        }
    }
}

/// The most likely legacy encoding, by chardetng's detector tuned for Japanese.
fn guess_encoding(bytes: &[u8]) -> &'static str {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    detector
        .guess(Some(b"jp"), chardetng::Utf8Detection::Allow)
        .name()
}

fn iconv_name(encoding: &str) -> &str {
    match encoding {
        "Shift_JIS" => "CP932",
        "EUC-JP" => "EUC-JP",
        "ISO-2022-JP" => "ISO-2022-JP",
        "UTF-16LE" | "UTF-16BE" => "UTF-16",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFid: a".to_vec()).unwrap(), "id: a");
    }

    #[test]
    fn shift_jis_is_named() {
        // "id: テスト\ntitle: 情報セキュリティ規程\n" in Shift_JIS.
        let (sjis, _, _) =
            encoding_rs::SHIFT_JIS.encode("id: テスト\ntitle: 情報セキュリティ規程\n");
        let err = decode_utf8(sjis.into_owned()).unwrap_err();
        assert!(err.contains("Shift_JIS"), "{err}");
        assert!(err.contains("iconv -f CP932"), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }
}
