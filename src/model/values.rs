//! Value types shared by every record: positioned values, typed references, dates,
//! timestamps, periods and visibility. Each parses from the YAML text with a message that
//! says what to write instead.

use std::cell::Cell;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, TimeDelta};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

thread_local! {
    /// Lines that precede the YAML being parsed in its file (front matter starts on line 2).
    static LINE_OFFSET: Cell<u32> = const { Cell::new(0) };
    /// Whether the YAML being parsed comes from `source::yaml`'s subset reader, which gives
    /// positions through [`AT_MARKER`] rather than serde-saphyr's `Spanned`.
    static SUBSET_POSITIONS: Cell<bool> = const { Cell::new(false) };
}

/// The newtype name under which the subset reader hands [`At`] a `(line, column, value)`
/// sequence.
pub(crate) const AT_MARKER: &str = "__kitei_at";

/// Runs `f` (a deserialisation by the subset reader) with [`At`] asking for positions the
/// subset reader's way.
pub(crate) fn with_subset_positions<R>(f: impl FnOnce() -> R) -> R {
    let before = SUBSET_POSITIONS.with(|c| c.replace(true));
    let result = f();
    SUBSET_POSITIONS.with(|c| c.set(before));
    result
}

/// Runs `f` with positions shifted by `offset` lines, so that values parsed out of a
/// Markdown file's front matter carry their line in the whole file.
pub(crate) fn with_line_offset<R>(offset: u32, f: impl FnOnce() -> R) -> R {
    let before = LINE_OFFSET.with(|c| c.replace(offset));
    let result = f();
    LINE_OFFSET.with(|c| c.set(before));
    result
}

/// What `kitei new` writes where only a person can say what belongs (a title, an incident type,
/// a reason): rule K0608 reports each one left in a record, K0604 in a document's text.
pub const FILL_IN: &str = "【要記入】";

/// The same for an id inside a typed reference, where only id characters are allowed
/// (`record: incident:FILL-IN`).
pub const FILL_IN_ID: &str = "FILL-IN";

/// A value with the line and column (1-based, in characters) where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub line: u32,
    pub column: u32,
}

impl<T> At<T> {
    pub fn new(value: T, line: u32, column: u32) -> Self {
        At {
            value,
            line,
            column,
        }
    }
}

impl<T: Default> Default for At<T> {
    /// A value that was not written (line 0): used for field defaults.
    fn default() -> Self {
        At::new(T::default(), 0, 0)
    }
}

impl<T> std::ops::Deref for At<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// From YAML (human-readable formats), the value with its position from serde-saphyr, shifted
/// by [`with_line_offset`]. From a binary format (the loader's cache, see
/// `source::cache`), the stored `(value, line, column)` as it is: the offset was applied when
/// the value was first parsed and must not be applied again.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            let (value, line, column) = <(T, u32, u32)>::deserialize(d)?;
            return Ok(At {
                value,
                line,
                column,
            });
        }
        let offset = LINE_OFFSET.with(Cell::get);
        if SUBSET_POSITIONS.with(Cell::get) {
            let (line, column, value) =
                d.deserialize_newtype_struct(AT_MARKER, SubsetAt(std::marker::PhantomData))?;
            return Ok(At {
                value,
                line: line + offset,
                column,
            });
        }
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let line = spanned.referenced.line() as u32;
        Ok(At {
            value: spanned.value,
            line: if line == 0 { 0 } else { line + offset },
            column: spanned.referenced.column() as u32,
        })
    }
}

/// Reads the subset reader's `(line, column, value)`.
struct SubsetAt<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> de::Visitor<'de> for SubsetAt<T> {
    type Value = (u32, u32, T);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a positioned value")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let missing = || de::Error::custom("incomplete position");
        let line = seq.next_element()?.ok_or_else(missing)?;
        let column = seq.next_element()?.ok_or_else(missing)?;
        let value = seq.next_element()?.ok_or_else(missing)?;
        Ok((line, column, value))
    }
}

/// Human-readable formats (the JSON of `check --format json` and of evidence bundles) get the
/// value alone; binary formats (the loader's cache) get `(value, line, column)`.
impl<T: Serialize> Serialize for At<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            self.value.serialize(s)
        } else {
            (&self.value, self.line, self.column).serialize(s)
        }
    }
}

/// What a typed reference points at.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    Role,
    Contact,
    System,
    Runbook,
    Doc,
    Clause,
    Incident,
    Drill,
    Review,
    Exception,
}

impl RefKind {
    pub const ALL: [RefKind; 10] = [
        RefKind::Role,
        RefKind::Contact,
        RefKind::System,
        RefKind::Runbook,
        RefKind::Doc,
        RefKind::Clause,
        RefKind::Incident,
        RefKind::Drill,
        RefKind::Review,
        RefKind::Exception,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            RefKind::Role => "role",
            RefKind::Contact => "contact",
            RefKind::System => "system",
            RefKind::Runbook => "runbook",
            RefKind::Doc => "doc",
            RefKind::Clause => "clause",
            RefKind::Incident => "incident",
            RefKind::Drill => "drill",
            RefKind::Review => "review",
            RefKind::Exception => "exception",
        }
    }

    pub fn from_prefix(p: &str) -> Option<RefKind> {
        RefKind::ALL.into_iter().find(|k| k.prefix() == p)
    }
}

/// A typed reference such as `role:ciso` or `clause:regulation-id#report`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    pub kind: RefKind,
    pub id: String,
    /// The part after `#` (only clause references use it: `clause:doc#clause`).
    pub fragment: Option<String>,
}

impl Ref {
    pub fn new(kind: RefKind, id: impl Into<String>) -> Self {
        Ref {
            kind,
            id: id.into(),
            fragment: None,
        }
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.prefix(), self.id)?;
        if let Some(frag) = &self.fragment {
            write!(f, "#{frag}")?;
        }
        Ok(())
    }
}

impl FromStr for Ref {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, id, fragment) = Ref::parts(s)?;
        Ok(Ref {
            kind,
            id: id.to_string(),
            fragment: fragment.map(str::to_string),
        })
    }
}

impl Ref {
    /// What [`Ref::from_str`] reads from `s` (kind, id, fragment), borrowed: a rule that only
    /// looks a reference up (every link of every document) need not copy it.
    pub fn parts(s: &str) -> Result<(RefKind, &str, Option<&str>), String> {
        // Only built for a message: references are parsed once per YAML value.
        let known = || {
            RefKind::ALL
                .map(|k| format!("`{}:`", k.prefix()))
                .join(", ")
        };
        // Split by bytes: the `char` searcher of `split_once` showed in profiles (one
        // reference per YAML value, 100,000s in a large corpus).
        fn split(s: &str, at: u8) -> Option<(&str, &str)> {
            let i = s.bytes().position(|b| b == at)?;
            Some((&s[..i], &s[i + 1..]))
        }
        let Some((prefix, rest)) = split(s, b':') else {
            return Err(format!(
                "`{s}` is not a typed reference; write it with a prefix such as `role:{s}` (known prefixes: {})",
                known()
            ));
        };
        let kind = RefKind::from_prefix(prefix).ok_or_else(|| {
            format!(
                "unknown reference prefix `{prefix}:` in `{s}`; known prefixes: {}",
                known()
            )
        })?;
        let (id, fragment) = match split(rest, b'#') {
            Some((id, frag)) => (id, Some(frag)),
            None => (rest, None),
        };
        if id.is_empty() && fragment.is_none() {
            return Err(format!("reference `{s}` names no id"));
        }
        if !id.bytes().all(|b| is_id_char(char::from(b)))
            && let Some(bad) = id.chars().find(|c| !is_id_char(*c))
        {
            return Err(format!(
                "reference `{s}` contains `{bad}`; ids use letters, digits, `-`, `_` and `.`"
            ));
        }
        Ok((kind, id, fragment))
    }
}

/// Characters allowed in record ids.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// How a value parsed from text is stored in a binary format (the loader's cache): exactly,
/// without going through its text form and the parser's checks again.
trait BinaryForm: Sized {
    type Form: Serialize + de::DeserializeOwned;
    fn to_form(&self) -> Self::Form;
    fn from_form(form: Self::Form) -> Option<Self>;
}

/// `Deserialize` from the text form (with its helpful message) in human-readable formats and
/// from [`BinaryForm`] in binary ones; `Serialize` the same way round.
macro_rules! from_str_deserialize {
    ($ty:ty, $expecting:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl de::Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$ty, E> {
                        v.to_string().parse().map_err(E::custom)
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$ty, E> {
                        v.to_string().parse().map_err(E::custom)
                    }
                }
                if d.is_human_readable() {
                    d.deserialize_str(V)
                } else {
                    let form = <$ty as BinaryForm>::Form::deserialize(d)?;
                    <$ty as BinaryForm>::from_form(form)
                        .ok_or_else(|| de::Error::custom(concat!("invalid ", $expecting)))
                }
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.collect_str(self)
                } else {
                    self.to_form().serialize(s)
                }
            }
        }
    };
}

impl BinaryForm for Ref {
    type Form = (RefKind, String, Option<String>);
    fn to_form(&self) -> Self::Form {
        (self.kind, self.id.clone(), self.fragment.clone())
    }
    fn from_form((kind, id, fragment): Self::Form) -> Option<Self> {
        Some(Ref { kind, id, fragment })
    }
}

impl BinaryForm for Date {
    /// Days from 0001-01-01 (day 1).
    type Form = i32;
    fn to_form(&self) -> i32 {
        self.0.num_days_from_ce()
    }
    fn from_form(days: i32) -> Option<Self> {
        NaiveDate::from_num_days_from_ce_opt(days).map(Date)
    }
}

impl BinaryForm for Timestamp {
    /// Seconds and nanoseconds since the Unix epoch, and the UTC offset in seconds.
    type Form = (i64, u32, i32);
    fn to_form(&self) -> Self::Form {
        (
            self.0.timestamp(),
            self.0.timestamp_subsec_nanos(),
            self.0.offset().local_minus_utc(),
        )
    }
    fn from_form((secs, nanos, offset): Self::Form) -> Option<Self> {
        let offset = FixedOffset::east_opt(offset)?;
        DateTime::from_timestamp(secs, nanos).map(|t| Timestamp(t.with_timezone(&offset)))
    }
}

impl BinaryForm for Period {
    /// 0 = hours, 1 = days, 2 = months; and the count.
    type Form = (u8, u32);
    fn to_form(&self) -> Self::Form {
        match *self {
            Period::Hours(n) => (0, n),
            Period::Days(n) => (1, n),
            Period::Months(n) => (2, n),
        }
    }
    fn from_form((unit, n): Self::Form) -> Option<Self> {
        match unit {
            0 => Some(Period::Hours(n)),
            1 => Some(Period::Days(n)),
            2 => Some(Period::Months(n)),
            _ => None,
        }
    }
}

from_str_deserialize!(Ref, "a typed reference such as `role:ciso`");

/// A calendar date (`2025-04-01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        // The form records are written in, read without chrono's format machinery (which
        // interprets "%Y-%m-%d" anew on each call: 2 % of a cold `check` of 100,000
        // incidents); any other text, and a date that does not exist, go the general way.
        if let Some(date) = canonical_date(t) {
            return Ok(Date(date));
        }
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Date)
            .map_err(|e| {
                format!("`{s}` is not a date ({e}); write it as YYYY-MM-DD, e.g. 2025-04-01")
            })
    }
}

/// `YYYY-MM-DD` exactly (eight ASCII digits, two dashes), naming a day that exists.
fn canonical_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..])?)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

from_str_deserialize!(Date, "a date written as YYYY-MM-DD");

/// A point in time with its UTC offset (`2025-05-11T09:15:00+09:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<FixedOffset>);

impl Timestamp {
    /// The calendar date of this instant in the given zone.
    pub fn date_in(&self, tz: FixedOffset) -> NaiveDate {
        self.0.with_timezone(&tz).date_naive()
    }
}

impl FromStr for Timestamp {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Ok(Timestamp(dt));
        }
        if let Ok(dt) = DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M%:z") {
            return Ok(Timestamp(dt));
        }
        if chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").is_ok()
            || chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").is_ok()
            || chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").is_ok()
        {
            return Err(format!(
                "timestamp `{s}` has no UTC offset; add one, e.g. `{}+09:00`",
                t.replace(' ', "T")
            ));
        }
        Err(format!(
            "`{s}` is not a timestamp; write it as YYYY-MM-DDThh:mm:ss+09:00, e.g. 2025-05-11T09:15:00+09:00"
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.to_rfc3339())
    }
}

from_str_deserialize!(Timestamp, "a timestamp such as 2025-05-11T09:15:00+09:00");

/// A length of time used for deadlines and cycles: hours, days, months or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Hours(u32),
    Days(u32),
    Months(u32),
}

impl Period {
    /// The instant this period after `start`.
    pub fn after(self, start: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        match self {
            Period::Hours(h) => start + TimeDelta::hours(i64::from(h)),
            Period::Days(d) => start + TimeDelta::days(i64::from(d)),
            Period::Months(m) => start.checked_add_months(Months::new(m)).unwrap_or(start),
        }
    }

    /// The date this period after `start` (hours round up to whole days).
    pub fn after_date(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Hours(h) => start + TimeDelta::days(i64::from(h.div_ceil(24))),
            Period::Days(d) => start + TimeDelta::days(i64::from(d)),
            Period::Months(m) => add_months_clamped(start, m),
        }
    }
}

/// Adds months, clamping to the last day of a shorter month (2025-01-31 + 1 month = 2025-02-28).
fn add_months_clamped(start: NaiveDate, months: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(months))
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(start.year() + 1000, 1, 1).unwrap_or(start))
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: u32 = num.parse().map_err(|_| {
            format!("`{s}` is not a period; write a number and a unit, e.g. `24h`, `5 days`, `12 months`")
        })?;
        match unit.trim() {
            "h" | "hour" | "hours" | "時間" => Ok(Period::Hours(n)),
            "d" | "day" | "days" | "日" | "日間" => Ok(Period::Days(n)),
            "month" | "months" | "か月" | "ヶ月" | "カ月" | "ケ月" => Ok(Period::Months(n)),
            "y" | "year" | "years" | "年" => n
                .checked_mul(12)
                .map(Period::Months)
                .ok_or_else(|| format!("`{s}` is too long a period")),
            other => Err(format!(
                "unknown unit `{other}` in `{s}`; use h/hours, days, months or years (or 時間, 日, か月, 年)"
            )),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Hours(h) => write!(f, "{h}h"),
            Period::Days(d) => write!(f, "{d} days"),
            Period::Months(m) if m % 12 == 0 => {
                write!(f, "{} year{}", m / 12, if *m == 12 { "" } else { "s" })
            }
            Period::Months(m) => write!(f, "{m} months"),
        }
    }
}

from_str_deserialize!(Period, "a period such as `24h`, `5 days` or `12 months`");

/// Who may read a document or record on the site. Ordered from widest to narrowest.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    #[default]
    Employees,
    Restricted,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_chrono_reads_them() {
        // The fast path and chrono agree on what is a date and which; what the fast path
        // leaves to chrono still parses (or fails) as before.
        let chrono = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok();
        let mut texts = vec![
            "2025-04-01",
            " 2025-04-01 ",
            "2024-02-29",
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-04-31",
            "0000-01-01",
            "9999-12-31",
            "2025-4-01",
            "2025-04-1",
            "+2025-04-01",
            "2025/04/01",
            "2025-04-01T00:00",
            "２０２５-04-01",
            "2025-0a-01",
            "",
            "-025-04-01",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        for y in [1999, 2000, 2024, 2100] {
            for m in 0..=13 {
                for d in 0..=32 {
                    texts.push(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        for t in &texts {
            assert_eq!(t.parse::<Date>().ok().map(|d| d.0), chrono(t), "{t:?}");
        }
        assert!(
            "2025-02-30"
                .parse::<Date>()
                .unwrap_err()
                .contains("write it as YYYY-MM-DD")
        );
    }

    #[test]
    fn references_parse_and_reject() {
        let r: Ref = "clause:reg#report".parse().unwrap();
        assert_eq!(
            Ref::parts("clause:reg#report"),
            Ok((RefKind::Clause, "reg", Some("report")))
        );
        assert_eq!(r.kind, RefKind::Clause);
        assert_eq!(r.id, "reg");
        assert_eq!(r.fragment.as_deref(), Some("report"));
        assert!("ciso".parse::<Ref>().unwrap_err().contains("role:ciso"));
        assert!(
            "person:x"
                .parse::<Ref>()
                .unwrap_err()
                .contains("unknown reference prefix")
        );
        assert!("role:a b".parse::<Ref>().is_err());
        // The first character that is not allowed is named, ASCII or not.
        let bad = |s: &str| s.parse::<Ref>().unwrap_err();
        assert!(
            bad("role:a b").contains("contains ` `"),
            "{}",
            bad("role:a b")
        );
        assert!(
            bad("role:管理者").contains("contains `管`"),
            "{}",
            bad("role:管理者")
        );
        assert!(bad("system:db/1").contains("contains `/`"));
        assert!(bad("role:").contains("names no id"));
        // The first colon and the first `#` split; later ones belong to the id or fragment.
        let r: Ref = "doc:#a#b".parse().unwrap();
        assert_eq!((r.id.as_str(), r.fragment.as_deref()), ("", Some("a#b")));
        assert!(bad("doc:a:b").contains("contains `:`"));
        let r: Ref = "incident:INC-2025.001_x".parse().unwrap();
        assert_eq!(
            (r.kind, r.id.as_str()),
            (RefKind::Incident, "INC-2025.001_x")
        );
    }

    #[test]
    fn periods_in_english_and_japanese() {
        assert_eq!("24h".parse::<Period>().unwrap(), Period::Hours(24));
        assert_eq!("24 hours".parse::<Period>().unwrap(), Period::Hours(24));
        assert_eq!("5日".parse::<Period>().unwrap(), Period::Days(5));
        assert_eq!("6か月".parse::<Period>().unwrap(), Period::Months(6));
        assert_eq!("1 year".parse::<Period>().unwrap(), Period::Months(12));
        assert!("soon".parse::<Period>().is_err());
        assert!(
            "3 weeks"
                .parse::<Period>()
                .unwrap_err()
                .contains("unknown unit")
        );
    }

    #[test]
    fn months_clamp_to_month_end() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
        assert_eq!(
            Period::Months(1).after_date(d),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
    }

    /// Binary formats (the loader's cache) carry positions and exact values; JSON stays as it
    /// was: the value alone, in its text form.
    #[test]
    fn binary_and_json_forms() {
        fn round_trip<T: Serialize + de::DeserializeOwned>(value: &T) -> T {
            let bytes = postcard::to_allocvec(value).unwrap();
            postcard::from_bytes(&bytes).unwrap()
        }
        let ts: Timestamp = "2025-05-11T09:15:00.123456789-03:30".parse().unwrap();
        let at = At::new(ts, 12, 7);
        let back = round_trip(&at);
        assert_eq!((back.line, back.column), (12, 7));
        assert_eq!(back.value.0.offset(), ts.0.offset());
        assert_eq!(back.value.to_string(), ts.to_string());
        assert_eq!(
            serde_json::to_string(&at).unwrap(),
            "\"2025-05-11T09:15:00.123456789-03:30\""
        );
        let r: Ref = "clause:reg#report".parse().unwrap();
        assert_eq!(
            round_trip(&At::new(r.clone(), 3, 1)),
            At::new(r.clone(), 3, 1)
        );
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"clause:reg#report\"");
        for p in [Period::Hours(24), Period::Days(5), Period::Months(12)] {
            assert_eq!(round_trip(&p), p);
        }
        for d in ["0001-01-01", "2025-02-28", "9999-12-31"] {
            let d: Date = d.parse().unwrap();
            assert_eq!(round_trip(&d), d);
        }
        assert_eq!(
            round_trip(&At::new(Visibility::Restricted, 0, 0)),
            At::new(Visibility::Restricted, 0, 0)
        );
        // Values not written (line 0) keep line 0.
        assert_eq!(round_trip(&At::<String>::default()), At::default());
        // An invalid binary form is an error, not a panic.
        let bad = postcard::to_allocvec(&(9u8, 1u32)).unwrap();
        assert!(postcard::from_bytes::<Period>(&bad).is_err());
    }

    #[test]
    fn timestamps_need_an_offset() {
        assert!("2025-05-11T09:15:00+09:00".parse::<Timestamp>().is_ok());
        assert!("2025-05-11T09:15+09:00".parse::<Timestamp>().is_ok());
        let e = "2025-05-11T09:15:00".parse::<Timestamp>().unwrap_err();
        assert!(e.contains("no UTC offset"), "{e}");
        assert!("2025-13-01".parse::<Date>().is_err());
    }
}
