//! Calendar arithmetic shared by the rules: "within N days" day counting, and which era
//! dates (和暦) exist.

use chrono::{Datelike, NaiveDate, TimeDelta};

/// The last day of a period of `days` calendar days that starts on `start`.
///
/// With `count_start_day` (the default, and the conservative reading of 施行規則8条) the day
/// the company knew is day 1, so "within 5 days" of 1 April ends on 5 April. Without it the
/// period starts the next day (民法140条's 初日不算入) and ends on 6 April.
pub fn within_days(start: NaiveDate, days: u32, count_start_day: bool) -> NaiveDate {
    let span = if count_start_day {
        days.saturating_sub(1)
    } else {
        days
    };
    start + TimeDelta::days(i64::from(span))
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// A Japanese era with its first and last day.
#[derive(Debug, Clone, Copy)]
pub struct Era {
    pub name: &'static str,
    pub first: (i32, u32, u32),
    pub last: Option<(i32, u32, u32)>,
}

pub const ERAS: [Era; 5] = [
    Era {
        name: "明治",
        first: (1868, 1, 25),
        last: Some((1912, 7, 30)),
    },
    Era {
        name: "大正",
        first: (1912, 7, 30),
        last: Some((1926, 12, 25)),
    },
    Era {
        name: "昭和",
        first: (1926, 12, 25),
        last: Some((1989, 1, 7)),
    },
    Era {
        name: "平成",
        first: (1989, 1, 8),
        last: Some((2019, 4, 30)),
    },
    Era {
        name: "令和",
        first: (2019, 5, 1),
        last: None,
    },
];

/// Why an era date cannot exist, or the Gregorian date it names.
/// `month`/`day` are optional because texts also write 「平成30年度」 or 「令和2年4月」.
pub fn era_date(
    era: &str,
    year: u32,
    month: Option<u32>,
    day: Option<u32>,
) -> Result<Option<NaiveDate>, String> {
    let e = ERAS
        .iter()
        .find(|e| e.name == era)
        .ok_or_else(|| format!("unknown era {era}"))?;
    if year == 0 {
        return Err(format!(
            "{era}0年 does not exist; the first year is {era}元年"
        ));
    }
    if year >= 1000 {
        return Err(format!(
            "{era}{year}年 mixes an era with a Western year; write {era}{}年 or {year}年",
            year as i32 - e.first.0 + 1
        ));
    }
    let gregorian_year = e.first.0 + year as i32 - 1;
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    let first = ymd(e.first.0, e.first.1, e.first.2).expect("era table is valid");
    let last = e.last.and_then(|(y, m, d)| ymd(y, m, d));
    if let Some(last) = last
        && gregorian_year > last.year()
    {
        return Err(format!(
            "{era}{year}年 does not exist; {era} ended in {era}{}年 ({})",
            last.year() - e.first.0 + 1,
            last
        ));
    }
    let Some(month) = month else { return Ok(None) };
    let day_or_first = day.unwrap_or(1);
    let date = ymd(gregorian_year, month, day_or_first)
        .ok_or_else(|| format!("{era}{year}年{month}月{day_or_first}日 does not exist ({gregorian_year}-{month:02} has no such day)"))?;
    let period_end = |d: NaiveDate| {
        if day.is_some() {
            d
        } else {
            d.with_day(1).unwrap_or(d)
        }
    };
    if date < first && (day.is_some() || month < first.month() || gregorian_year < first.year()) {
        return Err(format!(
            "{era}{year}年{month}月{} is before {era} began on {first}",
            day.map(|d| format!("{d}日")).unwrap_or_default()
        ));
    }
    if let Some(last) = last
        && period_end(date) > last
    {
        return Err(format!(
            "{era}{year}年{month}月{} is after {era} ended on {last}",
            day.map(|d| format!("{d}日")).unwrap_or_default()
        ));
    }
    Ok(day.map(|_| date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Hand-computed table: knowledge day, N, count the first day → last allowed day.
    #[test]
    fn within_days_table() {
        let table = [
            (d(2025, 5, 11), 5, true, d(2025, 5, 15)),
            (d(2025, 5, 11), 3, true, d(2025, 5, 13)),
            (d(2025, 5, 11), 30, true, d(2025, 6, 9)),
            (d(2025, 5, 11), 60, true, d(2025, 7, 9)),
            (d(2025, 5, 11), 5, false, d(2025, 5, 16)),
            (d(2025, 5, 11), 30, false, d(2025, 6, 10)),
            (d(2024, 2, 27), 5, true, d(2024, 3, 2)), // leap year
            (d(2025, 2, 27), 5, true, d(2025, 3, 3)),
            (d(2025, 12, 30), 5, true, d(2026, 1, 3)), // year end, holidays count
        ];
        for (start, n, first, want) in table {
            assert_eq!(
                within_days(start, n, first),
                want,
                "{start} +{n} first={first}"
            );
        }
    }

    #[test]
    fn era_dates() {
        assert_eq!(
            era_date("令和", 1, Some(5), Some(1)).unwrap(),
            Some(d(2019, 5, 1))
        );
        assert_eq!(
            era_date("令和", 8, Some(4), Some(1)).unwrap(),
            Some(d(2026, 4, 1))
        );
        assert!(
            era_date("令和", 1, Some(4), Some(1))
                .unwrap_err()
                .contains("before")
        );
        assert!(
            era_date("平成", 2020, None, None)
                .unwrap_err()
                .contains("Western year")
        );
        assert!(
            era_date("平成", 32, None, None)
                .unwrap_err()
                .contains("ended")
        );
        assert!(
            era_date("平成", 31, Some(5), Some(1))
                .unwrap_err()
                .contains("after")
        );
        assert!(era_date("平成", 31, Some(4), Some(30)).is_ok());
        assert!(
            era_date("令和", 7, Some(2), Some(29))
                .unwrap_err()
                .contains("does not exist")
        );
        assert!(era_date("令和", 0, None, None).is_err());
        assert!(era_date("昭和", 64, Some(1), Some(8)).is_err());
        assert!(era_date("令和", 1, Some(5), None).is_ok());
    }
}
