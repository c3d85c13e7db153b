//! Data out of prose, where it is safe: role and committee names, contact tables and contact
//! lines (numbers marked for verification), severity and recovery-priority tables, dates in
//! 制定/改訂/承認/施行 lines, the review cycle, the approver and the body reports go to. Each is
//! a draft the owner confirms: nothing here is written as fact without its source line.

use chrono::NaiveDate;

use super::outline::Node;
use crate::dates::{ERAS, era_date};

/// A line of text with its source line.
struct Line<'a> {
    text: &'a str,
    line: u32,
}

fn lines(nodes: &[Node]) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    for n in nodes {
        match n {
            Node::Heading { text, line, .. } | Node::Paragraph { text, line } => {
                out.push(Line { text, line: *line })
            }
            Node::Item {
                text, more, line, ..
            } => {
                out.push(Line { text, line: *line });
                for m in more {
                    out.push(Line {
                        text: m,
                        line: *line,
                    });
                }
            }
            Node::Table { .. } => {}
        }
    }
    out
}

/// Full-width digits and punctuation to ASCII, so that dates and numbers read alike.
fn narrow(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '／' => '/',
            '－' | '‐' | '−' => '-',
            '（' => '(',
            '）' => ')',
            '：' => ':',
            '　' => ' ',
            _ => c,
        })
        .collect()
}

/// A date found in text: where (char offsets in the narrowed text), as written, and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDate {
    pub start: usize,
    pub end: usize,
    pub written: String,
    pub date: Result<NaiveDate, String>,
}

/// Dates in a line: 2019年4月1日, 2019.4.1, 2019/4/1, 2019-04-01, 令和3年4月1日, 平成元年…; and
/// placeholders such as 令和xx年xx月xx日 (an `Err` saying it was not filled in).
pub fn find_dates(text: &str) -> Vec<FoundDate> {
    let t: Vec<char> = narrow(text).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let number = |i: usize| -> (Option<u32>, usize) {
        let mut j = i;
        while j < t.len() && t[j].is_ascii_digit() {
            j += 1;
        }
        let s: String = t[i..j].iter().collect();
        (s.parse().ok(), j)
    };
    let placeholder = |i: usize| -> usize {
        let mut j = i;
        while j < t.len() && "xXｘＸ×〇○●△".contains(t[j]) {
            j += 1;
        }
        j
    };
    while i < t.len() {
        // Era dates.
        if let Some(era) = ERAS.iter().find(|e| {
            let name: Vec<char> = e.name.chars().collect();
            t[i..].starts_with(&name)
        }) {
            let mut j = i + era.name.chars().count();
            let (year, after_year) = if t.get(j) == Some(&'元') {
                (Some(1), j + 1)
            } else {
                number(j)
            };
            let filler = placeholder(j);
            if year.is_none() && filler > j {
                // 令和xx年xx月xx日: skip to the end of the date-shaped text.
                let mut k = filler;
                while k < t.len()
                    && (t[k].is_ascii_digit()
                        || "年月日".contains(t[k])
                        || "xXｘＸ×〇○●△".contains(t[k]))
                {
                    k += 1;
                }
                out.push(FoundDate {
                    start: i,
                    end: k,
                    written: t[i..k].iter().collect(),
                    date: Err("the date is a placeholder, not filled in".into()),
                });
                i = k;
                continue;
            }
            if let Some(year) = year
                && t.get(after_year) == Some(&'年')
            {
                j = after_year + 1;
                let (month, after_month) = number(j);
                let (month, j2) = if month.is_some() && t.get(after_month) == Some(&'月') {
                    (month, after_month + 1)
                } else {
                    (None, j)
                };
                let (day, after_day) = number(j2);
                let (day, end) =
                    if month.is_some() && day.is_some() && t.get(after_day) == Some(&'日') {
                        (day, after_day + 1)
                    } else {
                        (None, j2)
                    };
                if month.is_some() {
                    let date = era_date(era.name, year, month, day)
                        .and_then(|d| d.ok_or_else(|| "no day given".to_string()));
                    out.push(FoundDate {
                        start: i,
                        end,
                        written: t[i..end].iter().collect(),
                        date,
                    });
                    i = end;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        // Western dates: 2019年4月1日 or 2019.4.1 / 2019/4/1 / 2019-04-01.
        if t[i].is_ascii_digit() && (i == 0 || !t[i - 1].is_ascii_digit()) {
            let (year, j) = number(i);
            if let Some(year) = year.filter(|y| (1900..=2200).contains(y)) {
                let sep = t.get(j).copied();
                let parts = match sep {
                    Some('年') => {
                        let (m, k) = number(j + 1);
                        if m.is_some() && t.get(k) == Some(&'月') {
                            let (d, l) = number(k + 1);
                            if d.is_some() && t.get(l) == Some(&'日') {
                                Some((m, d, l + 1))
                            } else {
                                None
                            }
                        } else {
                            None
                        }
                    }
                    Some('.' | '/' | '-') => {
                        let skip = |k: usize| {
                            let mut k = k;
                            while t.get(k) == Some(&' ') {
                                k += 1;
                            }
                            k
                        };
                        let (m, k) = number(skip(j + 1));
                        if m.is_some() && t.get(k) == sep.as_ref() {
                            let (d, l) = number(skip(k + 1));
                            d.map(|_| (m, d, l))
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                if let Some((Some(m), Some(d), end)) = parts {
                    let date = NaiveDate::from_ymd_opt(year as i32, m, d)
                        .ok_or_else(|| format!("{year}-{m:02}-{d:02} does not exist"));
                    out.push(FoundDate {
                        start: i,
                        end,
                        written: t[i..end].iter().collect(),
                        date,
                    });
                    i = end;
                    continue;
                }
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

/// What a dated line says happened on the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    /// 制定
    Enacted,
    /// 改訂 / 改定 / 改正
    Revised,
    /// 承認
    Approved,
    /// 施行
    Effective,
}

impl DateKind {
    pub fn word(self) -> &'static str {
        match self {
            DateKind::Enacted => "制定",
            DateKind::Revised => "改訂",
            DateKind::Approved => "承認",
            DateKind::Effective => "施行",
        }
    }
}

const DATE_WORDS: &[(&str, DateKind)] = &[
    ("制定", DateKind::Enacted),
    ("改訂", DateKind::Revised),
    ("改定", DateKind::Revised),
    ("改正", DateKind::Revised),
    ("承認", DateKind::Approved),
    ("施行", DateKind::Effective),
];

/// The kind word nearest to a date: after it in the same clause of the sentence (`…日に承認`,
/// `…日より施行`, `…日改訂`), else just before it (`改訂日 2019.4.1`, `制定：…`).
fn kind_near(t: &[char], start: usize, end: usize, next_start: usize) -> Option<DateKind> {
    let after: String = t[end..next_start.min(t.len())]
        .iter()
        .take_while(|c| **c != '。')
        .collect();
    let first_after = DATE_WORDS
        .iter()
        .filter_map(|(w, k)| after.find(w).map(|p| (p, *k)))
        .min_by_key(|(p, _)| *p);
    if let Some((_, k)) = first_after {
        return Some(k);
    }
    let before: String = t[start.saturating_sub(8)..start].iter().collect();
    DATE_WORDS
        .iter()
        .filter_map(|(w, k)| before.rfind(w).map(|p| (p, *k)))
        .max_by_key(|(p, _)| *p)
        .map(|(_, k)| k)
}

/// A dated event found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedLine {
    pub kind: DateKind,
    pub found: FoundDate,
    pub line: u32,
    pub text: String,
}

/// A name in the text with where it first appears and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub name: String,
    pub line: u32,
    pub count: usize,
}

/// A role or committee for roles.yaml.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleDraft {
    pub name: String,
    pub committee: bool,
    pub line: u32,
    /// How it was found: `table` or `mentioned N times`.
    pub source: String,
    pub responsibilities: Vec<String>,
    /// Who holds it, as the table says (a person's name or a post).
    pub holder: Option<String>,
}

/// A contact for contacts.yaml.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactDraft {
    pub name: String,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub urls: Vec<String>,
    pub line: u32,
    pub note: Option<String>,
}

/// A row of a severity or recovery-priority table.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelDraft {
    pub level: u8,
    pub meaning: String,
    pub line: u32,
}

/// Everything read out of one document's prose.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub dates: Vec<DatedLine>,
    /// (as written, months, line) of the regulation's review cycle.
    pub review_cycle: Option<(String, u32, u32)>,
    /// The body the text says approves the regulation.
    pub approver: Option<Mention>,
    /// The body the text says changes are requested from (a likely owner).
    pub owner: Option<Mention>,
    /// The body the text says incidents are reported to first.
    pub report_to: Option<Mention>,
    pub roles: Vec<RoleDraft>,
    pub contacts: Vec<ContactDraft>,
    pub severity: Vec<LevelDraft>,
    pub recovery: Vec<LevelDraft>,
}

/// Words that end the name of a role, a body or a committee.
const ROLE_ENDINGS: &[&str] = &[
    "委員会",
    "取締役会",
    "責任者",
    "管理者",
    "担当者",
    "事業部",
    "本部",
    "代表取締役社長",
    "代表取締役",
    "CSIRT",
    "窓口",
    "担当",
    "部長",
];

/// Endings that alone name no particular body (`管理者に報告` says whose?).
const GENERIC_ENDINGS: &[&str] = &[
    "委員会",
    "責任者",
    "管理者",
    "担当者",
    "事業部",
    "本部",
    "窓口",
    "担当",
    "部長",
];

/// Words that are not part of a name before it.
const NAME_PREFIXES: &[&str] = &["当社", "当法人", "弊社", "各", "全", "同", "以後", "以下"];

fn is_name_char(c: char) -> bool {
    c != '・'
        && matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{30A0}'..='\u{30FF}' | 'A'..='Z' | 'a'..='z' | '々')
}

/// The name that ends at char offset `end` of `t` (a run of kanji, katakana and letters; one
/// space between letters and kana is kept: `EC 管理者`).
fn name_ending_at(t: &[char], end: usize) -> Option<String> {
    let mut start = end;
    while start > 0 {
        let c = t[start - 1];
        let letter_space =
            c == ' ' && start >= 2 && t[start - 2].is_ascii_alphabetic() && start < end;
        if is_name_char(c) || letter_space {
            start -= 1;
        } else {
            break;
        }
    }
    let mut name: String = t[start..end].iter().collect();
    for p in NAME_PREFIXES {
        if let Some(rest) = name.strip_prefix(p)
            && rest.chars().count() >= 2
        {
            name = rest.to_string();
        }
    }
    let name = name.trim().to_string();
    (name.chars().count() >= 2).then_some(name)
}

/// The names of roles and bodies mentioned in `text` (`…委員会`, `…責任者`, `EC 管理者`).
fn role_names(text: &str) -> Vec<String> {
    let t: Vec<char> = narrow(text).chars().collect();
    let s: String = t.iter().collect();
    let mut found: Vec<(usize, String)> = Vec::new();
    for ending in ROLE_ENDINGS {
        for (byte, _) in s.match_indices(ending) {
            let end = s[..byte].chars().count() + ending.chars().count();
            // Not a name that goes on into a bigger one (`責任者会議`, `委員会室`).
            if t.get(end).is_some_and(|c| "会室部課局班長".contains(*c)) {
                continue;
            }
            if let Some(name) = name_ending_at(&t, end) {
                found.push((end - name.chars().count(), name));
            }
        }
    }
    // By position; of two names starting at the same place (`代表取締役社長`, `代表取締役`)
    // only the longer.
    found.sort_by_key(|(start, name)| (*start, std::cmp::Reverse(name.len())));
    found.dedup_by_key(|(start, _)| *start);
    let mut out: Vec<String> = Vec::new();
    for (_, name) in found {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The name just before one of `markers` (`Xによって承認`, `Xに申請`): the first match.
fn name_before(text: &str, markers: &[&str]) -> Option<String> {
    let s = narrow(text);
    let t: Vec<char> = s.chars().collect();
    markers
        .iter()
        .filter_map(|m| s.find(m).map(|b| (b, m)))
        .min_by_key(|(b, _)| *b)
        .and_then(|(b, _)| name_ending_at(&t, s[..b].chars().count()))
}

/// Phone numbers in text: digit groups joined by `-` with 9 to 11 digits in all, starting
/// with 0 (Japanese numbers), or `+81`.
pub fn phones(text: &str) -> Vec<String> {
    let t: Vec<char> = narrow(text).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if (t[i] == '0' || t[i] == '+') && (i == 0 || !t[i - 1].is_ascii_digit()) {
            let mut j = i + 1;
            while j < t.len()
                && (t[j].is_ascii_digit()
                    || t[j] == '-'
                    || (t[j] == ' '
                        && t.get(j + 1).is_some_and(|c| c.is_ascii_digit())
                        && t[j - 1] != ' '))
            {
                j += 1;
            }
            let candidate: String = t[i..j].iter().collect::<String>().trim().to_string();
            let digits = candidate.chars().filter(|c| c.is_ascii_digit()).count();
            if (9..=12).contains(&digits) && candidate.contains('-') {
                out.push(candidate);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn emails(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || "()（）<>[]「」、，,:：".contains(c))
    {
        let w = word
            .trim_start_matches("mailto:")
            .trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if let Some((user, domain)) = w.split_once('@')
            && !user.is_empty()
            && domain.contains('.')
            && w.is_ascii()
            && !out.contains(&w.to_string())
        {
            out.push(w.to_string());
        }
    }
    out
}

fn urls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("http") {
        let rest = &text[i..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || "<>)）」、\"'".contains(c) || !c.is_ascii())
            .unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(['.', ',']);
        if !out.contains(&url.to_string()) {
            out.push(url.to_string());
        }
    }
    out
}

/// A contact name from a line like `・ 個人情報保護委員会 TEL : 03-…` or
/// `Amazon (24 時間以内) : (Mail)…`: the text before the first channel label or number.
fn contact_name(text: &str) -> (String, Option<String>) {
    let s = narrow(text);
    let cut = [
        "TEL",
        "Tel",
        "tel",
        "電話",
        "FAX",
        "Fax",
        "Mail",
        "mail",
        "メール",
        "E-mail",
        "http",
        ":",
    ]
    .iter()
    .filter_map(|m| s.find(m))
    .chain(phones(&s).first().and_then(|p| s.find(p.as_str())))
    .min()
    .unwrap_or(s.len());
    let head = s[..cut].trim();
    // A note in brackets after the name: `Amazon (24 時間以内)`.
    let (name, note) = match head.find('(') {
        Some(p) if head.ends_with(')') => (
            head[..p].trim(),
            Some(head[p + 1..head.len() - 1].trim().to_string()),
        ),
        _ => (head, None),
    };
    let name = name
        .trim_start_matches(|c: char| "・•·-*● ".contains(c))
        .trim_end_matches([':', ' '])
        .trim();
    (name.to_string(), note)
}

/// The review cycle in a sentence about reviewing this regulation: 年2回 → 6 months,
/// 年1回 / 毎年 → 12, 半年 → 6, N年ごと → 12N.
fn review_cycle(text: &str) -> Option<(String, u32)> {
    let s: String = narrow(text).chars().filter(|c| *c != ' ').collect();
    let about_review = ["見直", "審議", "レビュー", "適切性", "評価"]
        .iter()
        .any(|w| s.contains(w));
    let about_this = [
        "本規程",
        "この規程",
        "本規則",
        "この規則",
        "本規定",
        "本方針",
    ]
    .iter()
    .any(|w| s.contains(w));
    if !about_review || !about_this {
        return None;
    }
    if let Some(p) = s.find("年") {
        let after = &s[p + '年'.len_utf8()..];
        let n: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        if let Ok(times) = n.parse::<u32>()
            && after[n.len()..].starts_with('回')
            && (1..=12).contains(&times)
            && 12 % times == 0
        {
            return Some((format!("年{times}回"), 12 / times));
        }
    }
    if s.contains("半年") {
        return Some(("半年".into(), 6));
    }
    if s.contains("毎年") || s.contains("年次") {
        return Some(("毎年".into(), 12));
    }
    for (i, _) in s.match_indices("年ごと").chain(s.match_indices("年毎")) {
        let n: String = s[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Ok(years) = n.parse::<u32>()
            && (1..=5).contains(&years)
        {
            return Some((format!("{years}年ごと"), 12 * years));
        }
    }
    None
}

fn header_has(row: &[String], words: &[&str]) -> bool {
    row.iter().any(|c| words.iter().any(|w| c.contains(w)))
}

/// A level number (0–9) in a cell: `3`, `レベル3`, `Lv.2`, `高` is not one.
fn level_of(cell: &str) -> Option<u8> {
    let digits: String = narrow(cell)
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    (digits.len() == 1).then(|| digits.parse().ok()).flatten()
}

fn read_table(rows: &[Vec<String>], line: u32, out: &mut Extracted) {
    let Some(header) = rows.first() else {
        return;
    };
    let body = &rows[1..];
    if header_has(
        header,
        &[
            "電話",
            "TEL",
            "Tel",
            "携帯",
            "メール",
            "Mail",
            "mail",
            "FAX",
            "連絡先",
        ],
    ) {
        for row in body {
            let joined = row.join(" ");
            let (phones, emails, urls) = (phones(&joined), emails(&joined), urls(&joined));
            if phones.is_empty() && emails.is_empty() && urls.is_empty() {
                continue;
            }
            let name = row
                .iter()
                .find(|c| phones_or_mail(c).is_none() && !c.trim().is_empty())
                .cloned()
                .unwrap_or_default();
            out.contacts.push(ContactDraft {
                name: name.split_whitespace().collect::<Vec<_>>().join(" "),
                phones,
                emails,
                urls,
                line,
                note: None,
            });
        }
        return;
    }
    let severity = header_has(
        header,
        &[
            "事故レベル",
            "深刻度",
            "重大度",
            "重要度",
            "緊急度",
            "影響度",
            "レベル",
        ],
    );
    let recovery = header_has(header, &["復旧優先度", "優先度"]) && !severity;
    if severity || recovery {
        let mut levels = Vec::new();
        for row in body {
            let Some(level) = row.first().and_then(|c| level_of(c)) else {
                continue;
            };
            let meaning = row[1..]
                .iter()
                .filter(|c| !c.trim().is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join("／");
            levels.push(LevelDraft {
                level,
                meaning,
                line,
            });
        }
        if severity {
            out.severity.extend(levels);
        } else {
            out.recovery.extend(levels);
        }
        return;
    }
    if header_has(header, &["役割", "役職", "担当", "体制", "責任者", "委員"]) {
        for row in body {
            let Some(name) = row.first().filter(|c| !c.trim().is_empty()) else {
                continue;
            };
            let committee = name.contains("委員会") || name.ends_with("会");
            let holder = row.get(1).filter(|c| !c.trim().is_empty()).cloned();
            let responsibilities = row
                .iter()
                .skip(2)
                .filter(|c| !c.trim().is_empty())
                .cloned()
                .collect();
            out.roles.push(RoleDraft {
                name: name.clone(),
                committee,
                line,
                source: "table".into(),
                responsibilities,
                holder,
            });
        }
    }
}

fn phones_or_mail(cell: &str) -> Option<()> {
    (!phones(cell).is_empty() || !emails(cell).is_empty() || !urls(cell).is_empty()).then_some(())
}

/// Reads the data drafts out of an outline.
pub fn extract(nodes: &[Node]) -> Extracted {
    let mut out = Extracted::default();
    for n in nodes {
        if let Node::Table { rows, line } = n {
            read_table(rows, *line, &mut out);
        }
    }
    let all = lines(nodes);
    let mut mentions: Vec<Mention> = Vec::new();
    for l in &all {
        // Dates in 制定/改訂/承認/施行 lines.
        if DATE_WORDS.iter().any(|(w, _)| l.text.contains(w)) {
            let t: Vec<char> = narrow(l.text).chars().collect();
            let found = find_dates(l.text);
            for (i, f) in found.iter().enumerate() {
                let next = found.get(i + 1).map(|n| n.start).unwrap_or(t.len());
                if let Some(kind) = kind_near(&t, f.start, f.end, next) {
                    out.dates.push(DatedLine {
                        kind,
                        found: f.clone(),
                        line: l.line,
                        text: l.text.to_string(),
                    });
                }
            }
        }
        if out.review_cycle.is_none()
            && let Some((written, months)) = review_cycle(l.text)
        {
            out.review_cycle = Some((written, months, l.line));
        }
        if out.approver.is_none()
            && let Some(name) = name_before(
                l.text,
                &["によって承認", "により承認", "の承認を得", "が承認"],
            )
        {
            out.approver = Some(Mention {
                name,
                line: l.line,
                count: 1,
            });
        }
        if out.owner.is_none()
            && l.text.contains("変更")
            && let Some(name) = name_before(l.text, &["に申請", "に申し出", "へ申請"])
        {
            out.owner = Some(Mention {
                name,
                line: l.line,
                count: 1,
            });
        }
        if out.report_to.is_none()
            && let Some(name) = name_before(
                l.text,
                &["に遅滞なく報告", "に直ちに報告", "に速やかに報告", "に報告"],
            )
        {
            out.report_to = Some(Mention {
                name,
                line: l.line,
                count: 1,
            });
        }
        for name in role_names(l.text) {
            match mentions.iter_mut().find(|m| m.name == name) {
                Some(m) => m.count += 1,
                None => mentions.push(Mention {
                    name,
                    line: l.line,
                    count: 1,
                }),
            }
        }
        // Contact lines: a name and a phone number, e-mail address or web form.
        let (p, e, u) = (phones(l.text), emails(l.text), urls(l.text));
        if !p.is_empty() || !e.is_empty() || (!u.is_empty() && l.text.contains(['：', ':'])) {
            let (name, note) = contact_name(l.text);
            if !name.is_empty() && name.chars().count() <= 40 {
                out.contacts.push(ContactDraft {
                    name,
                    phones: p,
                    emails: e,
                    urls: u,
                    line: l.line,
                    note,
                });
            }
        }
    }
    for m in mentions {
        // A bare ending (`管理者`, `委員会`) names nothing in particular; a body that is also a
        // contact (`個人情報保護委員会` with its number) is an outside organisation.
        let bare = GENERIC_ENDINGS.contains(&m.name.as_str());
        if bare
            || out.roles.iter().any(|r| r.name == m.name)
            || out.contacts.iter().any(|c| c.name == m.name)
        {
            continue;
        }
        out.roles.push(RoleDraft {
            committee: m.name.ends_with('会'),
            source: format!("mentioned {} time(s)", m.count),
            line: m.line,
            name: m.name,
            responsibilities: Vec::new(),
            holder: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(s: &str) -> Vec<(String, Result<String, String>)> {
        find_dates(s)
            .into_iter()
            .map(|d| (d.written, d.date.map(|d| d.to_string())))
            .collect()
    }

    #[test]
    fn dates_in_every_form() {
        assert_eq!(
            dates("2019年4月1日制定"),
            [("2019年4月1日".into(), Ok("2019-04-01".into()))]
        );
        assert_eq!(
            dates("改訂日 2019.4.1"),
            [("2019.4.1".into(), Ok("2019-04-01".into()))]
        );
        assert_eq!(
            dates("２０２６／４／１改訂"),
            [("2026/4/1".into(), Ok("2026-04-01".into()))]
        );
        assert_eq!(
            dates("令和3年4月1日から"),
            [("令和3年4月1日".into(), Ok("2021-04-01".into()))]
        );
        assert_eq!(
            dates("平成元年1月8日"),
            [("平成元年1月8日".into(), Ok("1989-01-08".into()))]
        );
        let bad = dates("平成2020年2月1日に承認");
        assert!(
            bad[0].1.as_ref().unwrap_err().contains("Western year"),
            "{bad:?}"
        );
        let ph = dates("令和ｘｘ年ｘｘ月ｘｘ日に承認され");
        assert_eq!(ph.len(), 1);
        assert!(ph[0].1.as_ref().unwrap_err().contains("placeholder"));
        assert_eq!(
            dates("2019.4. 1"),
            [("2019.4. 1".into(), Ok("2019-04-01".into()))]
        );
        assert!(dates("03-0000-0101 に電話").is_empty());
    }

    #[test]
    fn approval_and_effective_dates_are_told_apart() {
        let nodes = vec![Node::Paragraph {
            text: "本規程は、2020年2月1日に情報セキュリティ委員会によって承認され、2020年3月1日より施行する。".into(),
            line: 7,
        }];
        let x = extract(&nodes);
        let kinds: Vec<(DateKind, String)> = x
            .dates
            .iter()
            .map(|d| (d.kind, d.found.date.clone().unwrap().to_string()))
            .collect();
        assert_eq!(
            kinds,
            [
                (DateKind::Approved, "2020-02-01".into()),
                (DateKind::Effective, "2020-03-01".into())
            ]
        );
        assert_eq!(x.approver.unwrap().name, "情報セキュリティ委員会");
    }

    #[test]
    fn review_cycles() {
        assert_eq!(
            review_cycle("本規程は、定期的（年２回）に内容の適切性を審議し"),
            Some(("年2回".into(), 6))
        );
        assert_eq!(
            review_cycle("本規程は、定期的(年 1 回)に見直す"),
            Some(("年1回".into(), 12))
        );
        assert_eq!(
            review_cycle("この規程は2年ごとに見直す"),
            Some(("2年ごと".into(), 24))
        );
        assert_eq!(
            review_cycle("定期的（年 1 回）にリスクの評価と管理プロセス内容を審議し"),
            None
        );
    }

    #[test]
    fn role_names_in_prose() {
        assert_eq!(
            role_names(
                "当社システム開発事業部は、実行責任者を任命し、システム管理者又は EC 管理者に報告する。"
            ),
            [
                "システム開発事業部",
                "実行責任者",
                "システム管理者",
                "EC 管理者"
            ]
        );
    }

    #[test]
    fn contact_lines_and_tables() {
        let nodes = vec![
            Node::Item {
                depth: 0,
                text: "個人情報保護委員会 TEL : 03-0000-9685".into(),
                more: vec![],
                line: 3,
            },
            Node::Item {
                depth: 0,
                text: "Amazon (24 時間以内) : (Mail)[x@example.jp](mailto:x@example.jp)".into(),
                more: vec![],
                line: 4,
            },
            Node::Item {
                depth: 0,
                text: "代表取締役社長 （氏名省略） TEL:（省略）".into(),
                more: vec![],
                line: 5,
            },
            Node::Table {
                rows: vec![
                    vec!["連絡先".into(), "電話".into(), "メール".into()],
                    vec![
                        "情報システム部".into(),
                        "03-0000-0101".into(),
                        "security@example.jp".into(),
                    ],
                ],
                line: 9,
            },
            Node::Table {
                rows: vec![
                    vec!["レベル".into(), "内容".into()],
                    vec!["3".into(), "重大".into()],
                    vec!["1".into(), "軽微".into()],
                ],
                line: 12,
            },
            Node::Table {
                rows: vec![
                    vec!["復旧優先度".into(), "許容時間".into()],
                    vec!["３".into(), "停止不可".into()],
                ],
                line: 15,
            },
        ];
        let x = extract(&nodes);
        type Row<'a> = (&'a str, Vec<String>, Vec<String>, Option<&'a str>);
        let contacts: Vec<Row> = x
            .contacts
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.phones.clone(),
                    c.emails.clone(),
                    c.note.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            contacts,
            [
                (
                    "情報システム部",
                    vec!["03-0000-0101".to_string()],
                    vec!["security@example.jp".to_string()],
                    None
                ),
                (
                    "個人情報保護委員会",
                    vec!["03-0000-9685".to_string()],
                    vec![],
                    None
                ),
                (
                    "Amazon",
                    vec![],
                    vec!["x@example.jp".to_string()],
                    Some("24 時間以内")
                ),
            ]
        );
        assert_eq!(
            x.severity.iter().map(|l| l.level).collect::<Vec<_>>(),
            [3, 1]
        );
        assert_eq!(x.recovery[0].level, 3);
    }
}
