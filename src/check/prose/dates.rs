//! Dates in prose: approval and effective-date sentences that lack their approver or date
//! (K0807), and dates written in more than one format, or malformed, in one document (K0808).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::Doc;
use crate::check::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};

pub static APPROVAL_STATEMENT: Rule = Rule {
    code: "K0807",
    name: "approval-statement",
    level: Level::Warning,
    summary: "an approval or effective-date sentence without its approver or date",
    explanation: "「本規程は、…に…によって承認され、…より施行する」 records who approved the \
         regulation and from when it applies. A sentence that says it was approved but names \
         nobody (「承認を得て」), names an approver that is not a role or committee of the \
         repository, or says it takes effect without a date, leaves the regulation's authority \
         unprovable. Record the approval in the front matter (approved_by, approved_on, \
         effective_on) and make the sentence agree.",
};

pub static DATE_FORMAT: Rule = Rule {
    code: "K0808",
    name: "date-format",
    level: Level::Warning,
    summary: "dates written in more than one format, or malformed, in one document",
    explanation: "A document that writes 2019.4.1 in one place, 2019.4. 1 in another and \
         平成31年4月1日 in a third invites misreading (and search misses). kitei finds the formats \
         used — YYYY年M月D日, 和暦, YYYY-MM-DD, YYYY/M/D, YYYY.M.D — and reports dates that are \
         not in the document's most common format, and dates with spaces inside or with a month \
         or day that cannot exist.",
};

const DIGIT: &str = "[0-9０-９]";

/// Any date: its format is found from which group matched.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let d = DIGIT;
    Regex::new(&format!(
        concat!(
            r"(?P<era>(?:明治|大正|昭和|平成|令和)\s*(?:元|{d}{{1,2}})\s*年\s*{d}{{1,2}}\s*月\s*{d}{{1,2}}\s*日)",
            r"|(?P<kanji>{d}{{4}}\s*年\s*{d}{{1,2}}\s*月\s*{d}{{1,2}}\s*日)",
            r"|(?P<iso>{d}{{4}}-{d}{{2}}-{d}{{2}})",
            r"|(?P<slash>{d}{{4}}\s*/\s*{d}{{1,2}}\s*/\s*{d}{{1,2}})",
            r"|(?P<dot>{d}{{4}}\s*[.．]\s*{d}{{1,2}}\s*[.．]\s*{d}{{1,2}})(?:[^0-9０-９.．]|$)",
        ),
        d = d
    ))
    .expect("regex")
});

const FORMATS: &[(&str, &str)] = &[
    ("era", "和暦 (令和7年4月1日)"),
    ("kanji", "YYYY年M月D日"),
    ("iso", "YYYY-MM-DD"),
    ("slash", "YYYY/M/D"),
    ("dot", "YYYY.M.D"),
];

/// A sentence that records an approval or a start of effect.
static APPROVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"承認(?:され|を得て|を受けて|した|済)|より施行|から施行|をもって施行|施行する|効力を(?:有|生)")
        .expect("regex")
});

/// Who approved: the words before によって/により/の/が 承認.
static APPROVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<who>[一-龥々ァ-ヶーA-Za-zＡ-Ｚ・]+)\s*(?:によって|により|の|が|にて|で)\s*(?:審議の上|決議により)?\s*承認")
        .expect("regex")
});

pub fn check(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    approvals(ctx, doc, out);
    formats(ctx, doc, out);
}

fn approvals(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let roles: Vec<String> = ctx
        .corpus
        .roles
        .iter()
        .map(|r| r.name.clone())
        .chain(["取締役会", "代表取締役", "株主総会", "理事会", "社長"].map(String::from))
        .collect();
    for line in doc.lines.iter().filter(|l| l.is_prose()) {
        let mut start = 0;
        for sentence in line.text.split_inclusive('。') {
            let at = start;
            start += sentence.len();
            let Some(m) = APPROVED.find(sentence) else {
                continue;
            };
            // Only records of this document's own approval: 本規程 or a date in the sentence.
            let has_date = DATE.is_match(sentence)
                || sentence.contains("年") && sentence.contains("月") && sentence.contains("日");
            let about_itself = sentence.contains("本規程")
                || sentence.contains("本規則")
                || sentence.contains("本方針")
                || sentence.contains("この規程");
            // Duties and conditions (…しなければならない, …場合) are not records of approval.
            let duty = sentence.contains("なければならない") || sentence.contains("場合");
            if (!about_itself && !has_date) || duty {
                continue;
            }
            let mut push = |byte: usize, message: String, help: &str| {
                out.push(
                    ctx.diag("K0807", message)
                        .at(doc.at(ctx, line, at + byte))
                        .help(help.to_string())
                        .subject(doc.subject()),
                );
            };
            if sentence.contains("承認") {
                match APPROVER.captures(sentence) {
                    None => push(
                        m.start(),
                        "the approval sentence names no approver".into(),
                        "name who approved it (a committee or role of roles.yaml), as in the front matter's approved_by",
                    ),
                    Some(c) => {
                        let who = &c["who"];
                        let known = roles
                            .iter()
                            .any(|r| r.contains(who) || who.ends_with(r.as_str()));
                        if !known {
                            push(
                                c.name("who").map_or(0, |w| w.start()),
                                format!(
                                    "the approver 「{who}」 is not a role or committee of the repository"
                                ),
                                "approvals come from a role or committee defined in roles.yaml (e.g. the security committee or the board)",
                            );
                        }
                    }
                }
            }
            if !has_date {
                push(
                    m.start(),
                    "the approval or effective-date sentence has no date".into(),
                    "write the date (and record approved_on / effective_on in the front matter)",
                );
            }
        }
    }
}

fn formats(ctx: &Ctx, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    for line in doc.lines.iter().filter(|l| l.is_prose()) {
        for caps in DATE.captures_iter(line.text) {
            let Some((name, m)) = FORMATS
                .iter()
                .find_map(|(name, _)| caps.name(name).map(|m| (*name, m)))
            else {
                continue;
            };
            // 平成2020年…: an impossible era date is K0605's, not a Western date.
            if after_era(&line.text[..m.start()]) {
                continue;
            }
            found.push((line, name, m.start(), m.as_str()));
        }
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, name, _, _) in &found {
        *counts.entry(name).or_default() += 1;
    }
    let usual = counts
        .iter()
        .max_by_key(|(name, n)| {
            (
                **n,
                std::cmp::Reverse(FORMATS.iter().position(|(f, _)| f == *name)),
            )
        })
        .map(|(name, _)| *name);
    let label = |name: &str| {
        FORMATS
            .iter()
            .find(|(f, _)| *f == name)
            .map_or("", |(_, l)| *l)
    };
    for (line, name, byte, text) in found {
        let mut push = |message: String, help: String| {
            out.push(
                ctx.diag("K0808", message)
                    .at(doc.at(ctx, line, byte))
                    .help(help)
                    .subject(doc.subject()),
            );
        };
        if let Some(problem) = malformed(text) {
            push(
                format!("malformed date 「{text}」: {problem}"),
                "write the date without spaces, in the document's format".into(),
            );
            continue;
        }
        if let Some(usual) = usual
            && name != usual
        {
            push(
                format!(
                    "「{text}」 is written as {}, the document's dates are {}",
                    label(name),
                    label(usual)
                ),
                format!(
                    "write every date in one format ({} of the document's dates are {})",
                    counts[usual],
                    label(usual)
                ),
            );
        }
    }
}

/// Spaces inside the date, digits of both widths, a month or day that cannot exist.
fn malformed(text: &str) -> Option<String> {
    if text.chars().any(char::is_whitespace) {
        return Some("spaces inside the date".into());
    }
    let ascii = text.chars().any(|c| c.is_ascii_digit());
    let wide = text.chars().any(|c| ('０'..='９').contains(&c));
    if ascii && wide {
        return Some("half-width and full-width digits mixed".into());
    }
    let numbers: Vec<u32> = super::ascii_digits(text)
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect();
    let (month, day) = match numbers.as_slice() {
        [_, m, d] => (*m, *d),
        [m, d] if text.contains('元') => (*m, *d),
        _ => return None,
    };
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month}"));
    }
    if !(1..=31).contains(&day) {
        return Some(format!("there is no day {day}"));
    }
    None
}

/// A line that records a revision: 改訂, 改定, 制定, 改正, 見直し, 承認, 施行.
static REVISION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"改訂|改定|制定|改正|見直し|承認|施行").expect("regex"));

/// Dates that the text gives for its own revisions (「改訂日 2019.4.1」, 「令和3年4月1日改訂」),
/// with their lines, in text order. Placeholders and impossible dates are left out.
pub fn revision_dates(d: &crate::model::document::Document) -> Vec<(chrono::NaiveDate, u32)> {
    let mut out = Vec::new();
    for (i, line) in d.body.split('\n').enumerate() {
        if !REVISION.is_match(line) {
            continue;
        }
        for caps in DATE.captures_iter(line) {
            let Some(m) = caps.get(0) else { continue };
            if after_era(&line[..m.start()]) {
                continue;
            }
            if let Some(date) = parse_date(m.as_str()) {
                out.push((date, d.body_line + i as u32));
            }
        }
    }
    out
}

/// True when `before` ends with an era name (the date after it is written with the era).
fn after_era(before: &str) -> bool {
    let before = before.trim_end();
    crate::dates::ERAS.iter().any(|e| before.ends_with(e.name))
}

/// A date in any of the formats [`DATE`] finds.
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    let ascii = super::ascii_digits(text);
    let era = crate::dates::ERAS.iter().find(|e| ascii.contains(e.name));
    let ascii = ascii.replace('元', "1");
    let numbers: Vec<u32> = ascii
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect();
    let [y, m, d] = numbers[..] else {
        return None;
    };
    match era {
        Some(e) => crate::dates::era_date(e.name, y, Some(m), Some(d))
            .ok()
            .flatten(),
        None => chrono::NaiveDate::from_ymd_opt(y as i32, m, d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_malformed_dates() {
        let kinds: Vec<_> = DATE
            .captures_iter("改訂日 2019.4.1、2019.4. 1、平成31年4月1日、2020-01-05")
            .map(|c| FORMATS.iter().find(|(n, _)| c.name(n).is_some()).unwrap().0)
            .collect();
        assert_eq!(kinds, ["dot", "dot", "era", "iso"]);
        assert!(malformed("2019.4. 1").is_some());
        assert!(malformed("2019.13.1").is_some());
        assert!(malformed("令和元年5月1日").is_none());
        assert!(malformed("2019.4.1").is_none());
        assert_eq!(
            parse_date("2019.4. 1"),
            chrono::NaiveDate::from_ymd_opt(2019, 4, 1)
        );
        assert_eq!(
            parse_date("令和元年5月1日"),
            chrono::NaiveDate::from_ymd_opt(2019, 5, 1)
        );
        assert_eq!(
            parse_date("平成31年4月１日"),
            chrono::NaiveDate::from_ymd_opt(2019, 4, 1)
        );
    }
}
