//! Text decoding. Sources must be UTF-8 (a BOM is accepted); anything else is refused with
//! the encoding it most likely is and the command that converts it, never transcoded
//! silently.

/// Decodes `bytes` as UTF-8, dropping a leading BOM. On failure returns the message to show.
pub fn decode_utf8(bytes: Vec<u8>) -> Result<String, String> {
    if let Some(utf16) = utf16_kind(&bytes) {
        return Err(format!(
            "file is not UTF-8 (it is {name}); convert it, e.g. \
             `iconv -f {iconv} -t UTF-8 FILE > FILE.utf8 && mv FILE.utf8 FILE`",
            name = utf16.name,
            iconv = utf16.iconv
        ));
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    // Checked with SIMD: Japanese text is mostly three-byte sequences, where the standard
    // library's check goes a byte at a time (it was 3 % of a cold `check`).
    match simdutf8::compat::from_utf8(&bytes) {
        // SAFETY: the bytes were just checked to be UTF-8.
        Ok(_) => Ok(unsafe { String::from_utf8_unchecked(bytes) }),
        Err(err) => {
            let valid_up_to = err.valid_up_to();
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

/// Deserializes a `String` as bytes checked with SIMD (`#[serde(deserialize_with = ...)]`), for
/// the large texts of kitei's binary caches: serde's own `String` is checked a byte at a time
/// on Japanese text. Binary formats such as postcard write a string and a byte string alike, so
/// the cache files do not change; text formats still hand over a string, taken as it is.
pub fn deserialize_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Text;
    impl<'de> serde::de::Visitor<'de> for Text {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a UTF-8 string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<String, E> {
            simdutf8::basic::from_utf8(v)
                .map(str::to_owned)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Bytes(v), &self))
        }
        fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<String, E> {
            match simdutf8::basic::from_utf8(&v) {
                // SAFETY: the bytes were just checked to be UTF-8.
                Ok(_) => Ok(unsafe { String::from_utf8_unchecked(v) }),
                Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(&v), &self)),
            }
        }
    }
    d.deserialize_bytes(Text)
}

/// A UTF-16 file: its name for people and the iconv source encoding that converts it.
struct Utf16 {
    name: &'static str,
    iconv: &'static str,
}

/// Recognises UTF-16 by its byte-order mark or, without one, by where the zero bytes sit:
/// ASCII characters and line ends in UTF-16 carry a zero high byte, so a text whose zero
/// bytes all fall on odd offsets is little-endian and on even offsets big-endian. (UTF-8
/// text never contains zero bytes, and legacy Japanese encodings neither.)
fn utf16_kind(bytes: &[u8]) -> Option<Utf16> {
    // With a BOM, iconv's plain "UTF-16" reads the mark and drops it.
    if bytes.starts_with(b"\xFF\xFE") {
        return Some(Utf16 {
            name: "UTF-16LE with BOM",
            iconv: "UTF-16",
        });
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some(Utf16 {
            name: "UTF-16BE with BOM",
            iconv: "UTF-16",
        });
    }
    // UTF-16 text without a BOM has zero bytes; UTF-8 and legacy Japanese encodings never do
    // (a fast scan, then the count below only for files that have them).
    if bytes.len() < 2 || !bytes.len().is_multiple_of(2) || memchr::memchr(0, bytes).is_none() {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, b) in bytes.iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 { even += 1 } else { odd += 1 }
        }
    }
    // At least one line end or ASCII character per 64 code units, nearly all on one parity
    // (a few characters such as 一 U+4E00 have a zero low byte and land on the other).
    let enough = (bytes.len() / 2).div_ceil(64);
    if odd >= enough && odd >= 8 * even {
        Some(Utf16 {
            name: "UTF-16LE without BOM",
            iconv: "UTF-16LE",
        })
    } else if even >= enough && even >= 8 * odd {
        Some(Utf16 {
            name: "UTF-16BE without BOM",
            iconv: "UTF-16BE",
        })
    } else {
        None
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
        "UTF-16LE" => "UTF-16LE",
        "UTF-16BE" => "UTF-16BE",
        other => other,
    }
}

#[cfg(test)]
mod tests {

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Cached {
        #[serde(deserialize_with = "super::deserialize_string")]
        text: String,
        n: u32,
    }

    #[test]
    fn strings_checked_with_simd_read_what_serde_writes() {
        let value = Cached {
            text: "第1条（目的）本規程は、情報セキュリティインシデントの報告を定める。".repeat(40),
            n: 7,
        };
        let bytes = postcard::to_stdvec(&value).unwrap();
        assert_eq!(postcard::from_bytes::<Cached>(&bytes).unwrap(), value);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(serde_json::from_str::<Cached>(&json).unwrap(), value);
        // The same bytes with a broken sequence in the text are refused, not taken as text.
        #[derive(serde::Serialize)]
        struct Raw<'a> {
            #[serde(with = "serde_bytes")]
            text: &'a [u8],
            n: u32,
        }
        let broken = postcard::to_stdvec(&Raw {
            text: b"\xe7\xac\xac1\xe6",
            n: 7,
        })
        .unwrap();
        assert!(postcard::from_bytes::<Cached>(&broken).is_err());
        let fine = postcard::to_stdvec(&Raw {
            text: "第1条".as_bytes(),
            n: 7,
        })
        .unwrap();
        assert_eq!(postcard::from_bytes::<Cached>(&fine).unwrap().text, "第1条");
    }
    use super::*;

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFid: a".to_vec()).unwrap(), "id: a");
    }

    #[test]
    fn the_first_invalid_byte_is_found_on_its_line() {
        // Long enough for the vectorised check to see whole blocks before the bad byte.
        let good = "規程の本文です。".repeat(20);
        assert_eq!(decode_utf8(good.clone().into_bytes()).unwrap(), good);
        let mut bytes = format!("{good}\n{good}\n").into_bytes();
        bytes.extend(b"\x82\xa0 and more");
        let err = decode_utf8(bytes).unwrap_err();
        assert!(err.contains("invalid byte at line 3"), "{err}");
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

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if big_endian {
                [0xFE, 0xFF]
            } else {
                [0xFF, 0xFE]
            });
        }
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_is_named_with_the_right_command() {
        let text = "id: テスト\ntitle: 情報セキュリティ規程\n一 本文です。\n";
        for (big, bom, name, iconv) in [
            (false, true, "UTF-16LE with BOM", "iconv -f UTF-16 -t UTF-8"),
            (true, true, "UTF-16BE with BOM", "iconv -f UTF-16 -t UTF-8"),
            (
                false,
                false,
                "UTF-16LE without BOM",
                "iconv -f UTF-16LE -t UTF-8",
            ),
            (
                true,
                false,
                "UTF-16BE without BOM",
                "iconv -f UTF-16BE -t UTF-8",
            ),
        ] {
            let err = decode_utf8(utf16(text, big, bom)).unwrap_err();
            assert!(err.contains(name), "{name}: {err}");
            assert!(err.contains(iconv), "{name}: {err}");
            assert!(!err.contains("Shift_JIS"), "{name}: {err}");
        }
    }

    #[test]
    fn utf16_heuristic_leaves_utf8_and_shift_jis_alone() {
        assert!(utf16_kind("id: テスト\n".as_bytes()).is_none());
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("id: テスト\ntitle: 規程\n");
        assert!(utf16_kind(&sjis).is_none());
    }
}
