//! Notification duties with deadlines: the APPI reports to the PPC (速報, 確報) and to the
//! individuals, the My Number Act variant, and contractual notice deadlines of outside bodies.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::Ctx;
use super::shapes;
use crate::dates::{days_between, within_days};
use crate::diag::{Diagnostic, Level};
use crate::model::incident::{Incident, Notification, NotificationKind, PersonalData};
use crate::model::tables::DeadlineFrom;
use crate::model::{At, FileId, Period, Ref, RefKind};

use super::Rule;

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[
    &APPI_PRELIMINARY,
    &APPI_FINAL,
    &APPI_INDIVIDUALS,
    &MY_NUMBER_REPORT,
    &NOTICE_DEADLINE,
];

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for i in &ctx.corpus.incidents {
        for duty in dated_duties(ctx, i) {
            duty_diagnostic(ctx, i.file, i, &duty, out);
        }
        if let Some(pd) = &i.personal_data {
            if appi_reportable(ctx, pd) {
                individuals(ctx, i.file, i, pd, Regime::Appi, out);
            }
            if my_number_reportable(ctx, pd) {
                individuals(ctx, i.file, i, pd, Regime::MyNumber, out);
            }
        }
    }
}

/// 施行規則7条: sensitive data, risk of financial damage, malicious purpose, or more than the
/// threshold (1,000) people; data protected by strong encryption is exempt.
pub fn appi_reportable(ctx: &Ctx, pd: &PersonalData) -> bool {
    !pd.highly_encrypted
        && (pd.sensitive
            || pd.financial_risk
            || pd.malicious
            || pd.affected_people.value > ctx.project.config.appi.threshold)
}

/// 番号法29条の4 and its rules: more than 100 people, a malicious purpose, or exposure to an
/// unspecified number of people. (Encryption is not treated as exempting here.)
pub fn my_number_reportable(ctx: &Ctx, pd: &PersonalData) -> bool {
    pd.my_number
        && (pd.malicious
            || pd.publicly_exposed
            || pd.affected_people.value > ctx.project.config.appi.my_number_threshold)
}

/// Which law or contract a dated duty comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// 個人情報保護法: 速報 and 確報 to the PPC.
    Appi,
    /// 番号法: the same reports for 特定個人情報.
    MyNumber,
    /// A contact's `notice_deadline` (contract or platform rules).
    Notice,
}

/// When a dated duty falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    /// By the end of this day (in the project's time zone): the statutory reports.
    Day(NaiveDate),
    /// By this instant: contacts' notice deadlines, counted to the minute.
    Instant(DateTime<FixedOffset>),
}

impl Due {
    /// The last day on which the duty can still be met, in `tz`.
    pub fn date(self, tz: FixedOffset) -> NaiveDate {
        match self {
            Due::Day(d) => d,
            Due::Instant(t) => t.with_timezone(&tz).date_naive(),
        }
    }
}

/// Where a dated duty stands as of the evaluation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyStatus {
    /// Sent by the deadline.
    OnTime,
    /// Sent after the deadline.
    Late,
    /// Not sent yet; the incident is not closed and the deadline has not passed.
    Pending,
    /// Not sent, and the deadline has passed or the incident was closed without it.
    Missing,
}

impl DutyStatus {
    /// True when the duty is met or can still be met.
    pub fn is_ok(self) -> bool {
        matches!(self, DutyStatus::OnTime | DutyStatus::Pending)
    }
}

/// One dated duty of an incident: what must be sent to whom, by when, and whether it was.
#[derive(Debug, Clone)]
pub struct DatedDuty<'a> {
    /// The rule that checks it (K0401, K0402, K0404, K0405).
    pub code: &'static str,
    pub regime: Regime,
    /// `Preliminary` or `Final` for the statutory reports, `Notice` for notice deadlines.
    pub kind: NotificationKind,
    /// The body to be told, for notice deadlines (a contact id); the PPC reports name none.
    pub to: Option<&'a str>,
    /// Where the incident names the body (`must_notify` or the notification's `to`).
    pub named_at: Option<&'a At<Ref>>,
    /// The notice period, for notice deadlines (`24h`).
    pub period: Option<Period>,
    /// For the statutory reports: the number of days (速報 5; 確報 30, or 60 when malicious).
    pub days: Option<u32>,
    pub due: Due,
    /// Pending duties are reported (as warnings) from this day on; `None`: always.
    pub warn_from: Option<NaiveDate>,
    /// The first notification that fulfils it.
    pub sent: Option<&'a Notification>,
    pub status: DutyStatus,
    /// A sentence naming the duty (diagnostics).
    pub what: String,
}

impl DatedDuty<'_> {
    /// Whole days from `as_of` to the due day (negative once it has passed).
    pub fn days_left(&self, as_of: NaiveDate, tz: FixedOffset) -> i64 {
        days_between(as_of, self.due.date(tz))
    }
}

/// Every dated duty of `i` with its due date and status as of `ctx.as_of`: the APPI (and My
/// Number) preliminary and final reports when the incident meets their criteria, and the
/// notice deadline of every contact the incident must notify or notified. The rules K0401,
/// K0402, K0404 and K0405 report from this list; the site shows it on the incident pages and
/// the dashboard.
pub fn dated_duties<'a>(ctx: &Ctx, i: &'a Incident) -> Vec<DatedDuty<'a>> {
    let mut out = Vec::new();
    if let Some(pd) = &i.personal_data {
        if appi_reportable(ctx, pd) {
            statutory_reports(ctx, i, pd, Regime::Appi, &mut out);
        }
        if my_number_reportable(ctx, pd) {
            statutory_reports(ctx, i, pd, Regime::MyNumber, &mut out);
        }
    }
    notice_deadlines(ctx, i, &mut out);
    out
}

fn status(ctx: &Ctx, i: &Incident, due: Due, sent: Option<&Notification>) -> DutyStatus {
    let tz = ctx.project.tz;
    match sent {
        Some(n) => {
            let late = match due {
                Due::Day(d) => n.at.value.date_in(tz) > d,
                Due::Instant(t) => n.at.value.0 > t,
            };
            if late {
                DutyStatus::Late
            } else {
                DutyStatus::OnTime
            }
        }
        None if i.is_closed() || ctx.as_of > due.date(tz) => DutyStatus::Missing,
        None => DutyStatus::Pending,
    }
}

pub static APPI_PRELIMINARY: Rule = Rule {
    code: "K0401",
    name: "appi-preliminary",
    level: Level::Error,
    summary: "APPI preliminary report (速報) to the PPC late or missing",
    explanation: "Where personal data leaked (or may have) and the case meets the APPI criteria \
         (要配慮個人情報; risk of financial damage; malicious purpose; more than 1,000 people; \
         not if highly encrypted), a preliminary report goes to the Personal Information \
         Protection Commission 速やかに: kitei warns from day 3 and errs after day 5 (calendar \
         days; the day the company knew is day 1). Basis: 個人情報保護法26条1項, 施行規則7条・8条1項, \
         通則編ガイドライン 3-5-3-3 (概ね3〜5日). Late or missing is an error on closed incidents; open \
         ones get a warning with the remaining time until the deadline passes.",
};

pub static APPI_FINAL: Rule = Rule {
    code: "K0402",
    name: "appi-final",
    level: Level::Error,
    summary: "APPI final report (確報) to the PPC late or missing",
    explanation: "The final report is due within 30 days of the day the company knew, 60 days when the case \
         involves a malicious purpose (施行規則8条2項). Day counting: calendar days, the day of \
         knowledge is day 1 (configurable in [appi]; the official counting is to be confirmed).",
};

pub static MY_NUMBER_REPORT: Rule = Rule {
    code: "K0404",
    name: "my-number-report",
    level: Level::Warning,
    summary: "My Number (特定個人情報) report late or missing",
    explanation: "Leaks of 特定個人情報 are reportable under the My Number Act when more than 100 people are \
         affected, the purpose was malicious, or the data was exposed to an unspecified number of \
         people (番号法29条の4; 特定個人情報漏えい等報告規則2条). The deadlines mirror the APPI but \
         are not confirmed against the primary text, so this rule warns by default.",
};

fn statutory_reports<'a>(
    ctx: &Ctx,
    i: &'a Incident,
    pd: &PersonalData,
    regime: Regime,
    out: &mut Vec<DatedDuty<'a>>,
) {
    let cfg = &ctx.project.config.appi;
    let known = i.known_at().value.date_in(ctx.project.tz);
    let (prelim_code, final_code, law) = match regime {
        Regime::MyNumber => ("K0404", "K0404", "My Number Act"),
        _ => ("K0401", "K0402", "APPI"),
    };
    let final_days = if pd.malicious {
        cfg.final_days_malicious
    } else {
        cfg.final_days
    };
    let duties = [
        (
            prelim_code,
            NotificationKind::Preliminary,
            format!("{law} preliminary report (速報) to the PPC"),
            within_days(known, cfg.preliminary_days, cfg.count_knowledge_day),
            Some(within_days(
                known,
                cfg.preliminary_warn_days,
                cfg.count_knowledge_day,
            )),
            Some(cfg.preliminary_days),
        ),
        (
            final_code,
            NotificationKind::Final,
            format!("{law} final report (確報) to the PPC ({final_days} days)"),
            within_days(known, final_days, cfg.count_knowledge_day),
            None,
            Some(final_days),
        ),
    ];
    for (code, kind, what, due, warn_from, days) in duties {
        let sent = first_notification(i, kind);
        let due = Due::Day(due);
        out.push(DatedDuty {
            code,
            regime,
            kind,
            to: None,
            named_at: None,
            period: None,
            days,
            due,
            warn_from,
            sent,
            status: status(ctx, i, due, sent),
            what,
        });
    }
}

pub static APPI_INDIVIDUALS: Rule = Rule {
    code: "K0403",
    name: "appi-individuals",
    level: Level::Error,
    summary: "affected individuals not notified",
    explanation: "A reportable personal-data incident also requires notifying the individuals \
         (法26条2項; 施行規則10条), or a public announcement with an inquiry desk where that is \
         impossible. Record it as a notification of kind `individuals`.",
};

/// 本人通知 has no fixed number of days (速やかに): required, not dated.
fn individuals(
    ctx: &Ctx,
    file: FileId,
    i: &Incident,
    pd: &At<PersonalData>,
    regime: Regime,
    out: &mut Vec<Diagnostic>,
) {
    let (code, law) = match regime {
        Regime::MyNumber => ("K0404", "My Number Act"),
        _ => ("K0403", "APPI"),
    };
    if first_notification(i, NotificationKind::Individuals).is_some() {
        return;
    }
    let (level, message) = if i.is_closed() {
        (
            None,
            format!(
                "closed incident {} met the {law} reporting criteria but records no notification of the individuals",
                i.id.value
            ),
        )
    } else {
        (
            Some(Level::Warning),
            format!(
                "the individuals affected by {} must be notified promptly (速やかに); none recorded yet",
                i.id.value
            ),
        )
    };
    let mut d = ctx
        .diag(code, message)
        .at(ctx.loc(file, &pd.affected_people))
        .help(shapes::help(
            "record how the individuals were told (or a public announcement with an inquiry desk where they cannot be reached)",
            &shapes::notification(NotificationKind::Individuals, None, ctx.project.tz),
        ))
        .subject(i.reference());
    if let Some(level) = level {
        d.level = d.level.min(level);
    }
    out.push(d);
}

fn first_notification(i: &Incident, kind: NotificationKind) -> Option<&Notification> {
    i.notifications
        .iter()
        .filter(|n| n.kind.value == kind)
        .min_by_key(|n| n.at.value)
}

pub static NOTICE_DEADLINE: Rule = Rule {
    code: "K0405",
    name: "notice-deadline",
    level: Level::Error,
    summary: "a body with a notice deadline was told late or not at all",
    explanation: "A contact with `notice_deadline` (e.g. a marketplace operator's 24 hours) must be \
         notified within that time of detection (or of knowledge, with `deadline_from: known`) \
         for every incident that lists it in `must_notify` or notifies it.",
};

/// Contacts with a `notice_deadline` must be told in time by every incident that names them.
fn notice_deadlines<'a>(ctx: &Ctx, i: &'a Incident, out: &mut Vec<DatedDuty<'a>>) {
    let mut named: Vec<&'a At<Ref>> = i
        .must_notify
        .iter()
        .filter(|r| r.kind == RefKind::Contact)
        .collect();
    for to in i.notifications.iter().filter_map(|n| n.to.as_ref()) {
        if to.kind == RefKind::Contact && !named.iter().any(|r| r.id == to.id) {
            named.push(to);
        }
    }
    for r in named {
        let org_id = r.id.as_str();
        let Some(org) = ctx.corpus.organisation(org_id) else {
            continue;
        };
        let Some(deadline) = &org.notice_deadline else {
            continue;
        };
        let start: DateTime<FixedOffset> = match org.deadline_from {
            DeadlineFrom::Detected => i.detected_at.value.0,
            DeadlineFrom::Known => i.known_at().value.0,
        };
        let due = Due::Instant(deadline.value.after(start));
        let sent = i
            .notifications
            .iter()
            .filter(|n| {
                n.to.as_ref()
                    .is_some_and(|to| to.kind == RefKind::Contact && to.id == org_id)
            })
            .min_by_key(|n| n.at.value);
        out.push(DatedDuty {
            code: "K0405",
            regime: Regime::Notice,
            kind: NotificationKind::Notice,
            to: Some(org_id),
            named_at: Some(r),
            period: Some(deadline.value),
            days: None,
            due,
            warn_from: None,
            sent,
            status: status(ctx, i, due, sent),
            what: format!(
                "{} ({}) must be notified within {}",
                org.name, org_id, deadline.value
            ),
        });
    }
}

/// The finding for one dated duty: late → error; missing on a closed incident or past the due
/// date → error; missing on an open incident before the due date → warning with the time left
/// (statutory reports from their `warn_from` day on).
fn duty_diagnostic(
    ctx: &Ctx,
    file: FileId,
    i: &Incident,
    duty: &DatedDuty,
    out: &mut Vec<Diagnostic>,
) {
    let subject = i.reference();
    match (duty.due, duty.status, duty.sent) {
        (_, DutyStatus::OnTime, _) => {}
        (Due::Day(due), DutyStatus::Late, Some(n)) => {
            let sent_on = n.at.value.date_in(ctx.project.tz);
            out.push(
                ctx.diag(duty.code, format!("{} was sent on {sent_on}, {} day(s) after the deadline {due}", duty.what, days_between(due, sent_on)))
                    .at(ctx.loc(file, &n.at))
                    .help("a missed statutory deadline cannot be fixed in the record; explain the delay in the report and in the incident's timeline, and waive this finding with an approved exception if the committee accepts it")
                    .subject(subject),
            );
        }
        (Due::Instant(due), DutyStatus::Late, Some(n)) => {
            let late = n.at.value.0 - due;
            out.push(
                ctx.diag(
                    duty.code,
                    format!(
                        "{}; notified at {}, {} late",
                        duty.what,
                        n.at.value,
                        human_duration(late)
                    ),
                )
                .at(ctx.loc(file, &n.at))
                .help(format!(
                    "the deadline ran until {}; record the reason for the delay in the timeline",
                    due.to_rfc3339()
                ))
                .subject(subject),
            );
        }
        (Due::Day(due), status, _) => {
            let help = shapes::help(
                "record it with the recipient and the time it was sent",
                &shapes::notification(duty.kind, duty.to, ctx.project.tz),
            );
            let loc = ctx.loc(file, i.known_at());
            if status == DutyStatus::Missing {
                out.push(
                    ctx.diag(
                        duty.code,
                        format!("{} was due by {due} and is not recorded", duty.what),
                    )
                    .at(loc)
                    .help(help.clone())
                    .subject(subject),
                );
            } else if duty.warn_from.is_none_or(|w| ctx.as_of >= w) {
                let left = days_between(ctx.as_of, due);
                let mut d = ctx
                    .diag(
                        duty.code,
                        format!("{} is due by {due} ({left} day(s) left)", duty.what),
                    )
                    .at(loc)
                    .help(help)
                    .subject(subject);
                d.level = d.level.min(Level::Warning);
                out.push(d);
            }
        }
        (Due::Instant(due), status, _) => {
            let org_id = duty.to.unwrap_or_default();
            let mut d = ctx
                .diag(
                    duty.code,
                    format!(
                        "{} (by {}); no notification recorded",
                        duty.what,
                        due.to_rfc3339()
                    ),
                )
                .at_opt(duty.named_at.map(|r| ctx.loc(file, r)))
                .help(shapes::help(
                    "record the notice with the time it was sent",
                    &shapes::notification(NotificationKind::Notice, Some(org_id), ctx.project.tz),
                ))
                .subject(subject);
            if status == DutyStatus::Pending {
                d.level = d.level.min(Level::Warning);
            }
            out.push(d);
        }
    }
}

fn human_duration(d: chrono::TimeDelta) -> String {
    let minutes = d.num_minutes();
    if minutes < 120 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{} h {} min", minutes / 60, minutes % 60)
    } else {
        format!("{} days", minutes / (24 * 60))
    }
}
