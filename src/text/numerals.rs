//! Kanji numerals as regulations write them in clause numbers (第十二条, 一、): read once here
//! for the loader and the importer alike.

/// The value of one kanji digit (`〇`…`九`).
pub fn kanji_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|v| v as u32)
}

/// `十二` → 12, `百二十三` → 123, `千二百` → 1200, positional `二〇` → 20. `None` for anything
/// else, and for numbers past `u32` (a long run of digits is not a clause number).
pub fn kanji_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let (mut total, mut current) = (0u32, 0u32);
    for c in s.chars() {
        let unit = match c {
            '千' => 1000,
            '百' => 100,
            '十' => 10,
            _ => {
                current = current.checked_mul(10)?.checked_add(kanji_digit(c)?)?;
                continue;
            }
        };
        total = total.checked_add(current.max(1).checked_mul(unit)?)?;
        current = 0;
    }
    total.checked_add(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(kanji_number("十二"), Some(12));
        assert_eq!(kanji_number("百二十三"), Some(123));
        assert_eq!(kanji_number("千二百"), Some(1200));
        assert_eq!(kanji_number("二〇"), Some(20));
        assert_eq!(kanji_number("十"), Some(10));
        assert_eq!(kanji_number("九"), Some(9));
        assert_eq!(kanji_number(""), None);
        assert_eq!(kanji_number("十a"), None);
        assert_eq!(kanji_number(&"九".repeat(30)), None, "no overflow panic");
    }
}
