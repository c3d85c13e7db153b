//! When a channel answers: weekly opening hours in the regulation's time zone
//! (`mon-fri 08:30-19:00, sat-sun`, `24h`, or the Japanese `平日 8:30-19:00`). Parsed into
//! spans of minutes of the week, so the check can find hours nobody answers and the site can
//! tell which number to call now.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Minutes in a week; minute 0 is Monday 00:00.
pub const WEEK: u16 = 7 * 24 * 60;

const DAY: u16 = 24 * 60;

/// Day names in order, Monday first: `mon`…`sun` and 月…日.
const DAY_NAMES: [(&str, &str); 7] = [
    ("mon", "月"),
    ("tue", "火"),
    ("wed", "水"),
    ("thu", "木"),
    ("fri", "金"),
    ("sat", "土"),
    ("sun", "日"),
];

/// One comma-separated part: a set of days (bit 0 = Monday) and a time range in minutes of the
/// day (`None` = all day). An end at or before the start runs into the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoursTerm {
    pub days: u8,
    pub time: Option<(u16, u16)>,
}

/// Weekly opening hours as written and as spans `[start, end)` of minutes of the week,
/// sorted and merged.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct WeeklyHours {
    text: String,
    terms: Vec<HoursTerm>,
    spans: Vec<(u16, u16)>,
}

impl WeeklyHours {
    /// All hours of the week.
    pub fn always() -> WeeklyHours {
        "24h".parse().expect("24h parses")
    }

    /// The parts as written, for describing them in the page's language.
    pub fn terms(&self) -> &[HoursTerm] {
        &self.terms
    }

    /// Sorted, merged spans of minutes of the week.
    pub fn spans(&self) -> &[(u16, u16)] {
        &self.spans
    }

    /// True when the channel answers at `minute` of the week.
    pub fn covers(&self, minute: u16) -> bool {
        self.spans.iter().any(|&(s, e)| s <= minute && minute < e)
    }
}

/// The spans of the week that none of `hours` covers, in order.
pub fn uncovered<'a>(hours: impl IntoIterator<Item = &'a WeeklyHours>) -> Vec<(u16, u16)> {
    let all: Vec<(u16, u16)> = hours
        .into_iter()
        .flat_map(|h| h.spans.iter().copied())
        .collect();
    let merged = merge(all);
    let mut gaps = Vec::new();
    let mut at = 0;
    for (s, e) in merged {
        if s > at {
            gaps.push((at, s));
        }
        at = at.max(e);
    }
    if at < WEEK {
        gaps.push((at, WEEK));
    }
    gaps
}

/// `Sat 19:00` for a minute of the week (`WEEK` is the next Monday 00:00).
pub fn minute_name(minute: u16) -> String {
    let day = usize::from(minute / DAY) % 7;
    let m = minute % DAY;
    format!("{} {:02}:{:02}", title(DAY_NAMES[day].0), m / 60, m % 60)
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn merge(mut spans: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    spans.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

const HELP: &str = "write days and hours such as `mon-fri 08:30-19:00`, `mon-fri 19:00-08:30, sat-sun`, \
    `daily 08:00-22:00` or `24h` (days: mon…sun, weekdays, weekends, daily, or 平日, 土日, 毎日, 月…日)";

fn day_index(s: &str) -> Option<u8> {
    DAY_NAMES
        .iter()
        .position(|(en, ja)| s.eq_ignore_ascii_case(en) || s == *ja)
        .map(|i| i as u8)
}

/// `mon-fri`, `sat`, `weekdays`, `平日`, `土日`, `mon-fri+sun` → a bit set of days.
fn parse_days(s: &str) -> Result<u8, String> {
    let mut set = 0u8;
    for part in s.split('+') {
        let part = part.trim();
        let bits = match part.to_ascii_lowercase().as_str() {
            "daily" | "毎日" | "全日" => 0b111_1111,
            "weekdays" | "平日" => 0b001_1111,
            "weekends" | "土日" | "週末" => 0b110_0000,
            _ => match part.split_once(['-', '〜', '～']) {
                Some((a, b)) => {
                    let (a, b) = (day_index(a.trim()), day_index(b.trim()));
                    let (Some(a), Some(b)) = (a, b) else {
                        return Err(format!("`{part}` is not a range of days"));
                    };
                    let mut bits = 0u8;
                    let mut d = a;
                    loop {
                        bits |= 1 << d;
                        if d == b {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                    bits
                }
                None => 1 << day_index(part).ok_or_else(|| format!("`{part}` is not a day"))?,
            },
        };
        set |= bits;
    }
    Ok(set)
}

/// `8:30` or `08:30` (or `24:00` as an end) → minutes of the day.
fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn parse_time(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("`{s}` is not a time range such as 08:30-19:00");
    let (a, b) = s.split_once(['-', '〜', '～', '–']).ok_or_else(bad)?;
    let (a, b) = (
        parse_clock(a).ok_or_else(bad)?,
        parse_clock(b).ok_or_else(bad)?,
    );
    if a == DAY {
        return Err(bad());
    }
    Ok((a, b))
}

fn parse_term(part: &str) -> Result<HoursTerm, String> {
    let part = part.trim();
    if matches!(part, "24h" | "24時間" | "24/7" | "always") {
        return Ok(HoursTerm {
            days: 0b111_1111,
            time: None,
        });
    }
    let mut words = part.split_whitespace();
    let first = words.next().ok_or("an empty part")?;
    let second = words.next();
    if let Some(extra) = words.next() {
        return Err(format!("unexpected `{extra}` in `{part}`"));
    }
    match second {
        Some(time) => Ok(HoursTerm {
            days: parse_days(first)?,
            time: Some(parse_time(time)?),
        }),
        None if first.contains(':') => Ok(HoursTerm {
            days: 0b111_1111,
            time: Some(parse_time(first)?),
        }),
        None => Ok(HoursTerm {
            days: parse_days(first)?,
            time: None,
        }),
    }
}

fn spans_of(terms: &[HoursTerm]) -> Vec<(u16, u16)> {
    let mut spans = Vec::new();
    for t in terms {
        for d in 0..7u16 {
            if t.days & (1 << d) == 0 {
                continue;
            }
            let (s, e) = match t.time {
                None => (0, DAY),
                Some((s, e)) if e <= s => (s, e + DAY),
                Some(se) => se,
            };
            let (s, e) = (d * DAY + s, d * DAY + e);
            if e > WEEK {
                spans.push((s, WEEK));
                spans.push((0, e - WEEK));
            } else {
                spans.push((s, e));
            }
        }
    }
    merge(spans)
}

impl FromStr for WeeklyHours {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let terms = s
            .split([',', '、'])
            .map(parse_term)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("`{s}` are not opening hours: {e}; {HELP}"))?;
        let spans = spans_of(&terms);
        Ok(WeeklyHours {
            text: s.trim().to_string(),
            terms,
            spans,
        })
    }
}

impl TryFrom<String> for WeeklyHours {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<WeeklyHours> for String {
    fn from(h: WeeklyHours) -> String {
        h.text
    }
}

impl fmt::Display for WeeklyHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> WeeklyHours {
        s.parse().unwrap()
    }

    #[test]
    fn business_hours_are_weekday_daytime() {
        let b = h("mon-fri 08:30-19:00");
        assert!(b.covers(8 * 60 + 30)); // Monday 08:30
        assert!(!b.covers(19 * 60)); // Monday 19:00
        assert!(!b.covers(5 * DAY + 10 * 60)); // Saturday 10:00
        assert_eq!(b, h("平日 8:30〜19:00").with_text("mon-fri 08:30-19:00"));
    }

    #[test]
    fn nights_run_into_the_next_day_and_the_week_wraps() {
        let n = h("mon-fri 19:00-08:30, weekends");
        assert!(n.covers(19 * 60)); // Monday 19:00
        assert!(n.covers(DAY + 8 * 60)); // Tuesday 08:00
        assert!(!n.covers(DAY + 9 * 60)); // Tuesday 09:00
        assert!(n.covers(6 * DAY + 23 * 60)); // Sunday 23:00
        // Monday 00:00-08:30 belongs to no weekday's night: a real gap, written `daily 19:00-08:30`.
        assert!(!n.covers(60));
        assert!(h("daily 19:00-08:30, weekends").covers(60));
        let sun = h("sun 22:00-02:00");
        assert!(sun.covers(10)); // wraps into Monday
    }

    #[test]
    fn together_business_hours_and_nights_cover_the_week() {
        let (b, n) = (h("mon-fri 08:30-19:00"), h("daily 19:00-08:30, sat-sun"));
        assert_eq!(
            uncovered([&b, &h("mon-fri 19:00-08:30, sat-sun")]),
            vec![(0, 8 * 60 + 30)]
        );
        assert_eq!(uncovered([&b, &n]), vec![]);
        assert_eq!(uncovered([&b]).first(), Some(&(0, 8 * 60 + 30)));
        assert_eq!(uncovered([&h("24h")]), vec![]);
        assert_eq!(minute_name(5 * DAY + 19 * 60), "Sat 19:00");
    }

    #[test]
    fn bad_hours_say_what_to_write() {
        for bad in [
            "mon-fri 8-19",
            "someday",
            "mon-fri 08:00-25:00",
            "mon 08:00-09:00 x",
        ] {
            let e = bad.parse::<WeeklyHours>().unwrap_err();
            assert!(e.contains("mon-fri 08:30-19:00"), "{bad}: {e}");
        }
    }

    impl WeeklyHours {
        fn with_text(mut self, t: &str) -> Self {
            self.text = t.into();
            self
        }
    }
}
