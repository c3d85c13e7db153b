//! Notification duties with deadlines: the APPI reports to the PPC (速報, 確報) and to the
//! individuals, the My Number Act variant, and contractual notice deadlines of outside bodies.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::Ctx;
use crate::dates::{days_between, within_days};
use crate::diag::{Diagnostic, Level, Loc};
use crate::model::incident::{Incident, Notification, NotificationKind, PersonalData};
use crate::model::tables::DeadlineFrom;
use crate::model::{FileId, RefKind};

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for i in &ctx.corpus.incidents {
        if let Some(pd) = &i.personal_data {
            if appi_reportable(ctx, pd) {
                statutory_reports(ctx, i.file, i, pd, Regime::Appi, out);
            }
            if my_number_reportable(ctx, pd) {
                statutory_reports(ctx, i.file, i, pd, Regime::MyNumber, out);
            }
        }
        notice_deadlines(ctx, i.file, i, out);
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Regime {
    Appi,
    MyNumber,
}

/// One dated duty of an incident: what must be sent, by when.
struct Duty<'a> {
    code: &'static str,
    what: String,
    sent: Option<&'a Notification>,
    due: NaiveDate,
    /// Pending duties are reported from this day on (`None`: always).
    warn_from: Option<NaiveDate>,
}

fn statutory_reports(
    ctx: &Ctx,
    file: FileId,
    i: &Incident,
    pd: &PersonalData,
    regime: Regime,
    out: &mut Vec<Diagnostic>,
) {
    let cfg = &ctx.project.config.appi;
    let tz = ctx.project.tz;
    let known = i.known_at().value.date_in(tz);
    let first = |kind| first_notification(i, kind);
    let (prelim_code, final_code, individuals_code, law) = match regime {
        Regime::Appi => ("K0401", "K0402", "K0403", "APPI"),
        Regime::MyNumber => ("K0404", "K0404", "K0404", "My Number Act"),
    };
    let final_days = if pd.malicious {
        cfg.final_days_malicious
    } else {
        cfg.final_days
    };
    let duties = [
        Duty {
            code: prelim_code,
            what: format!("{law} preliminary report (速報) to the PPC"),
            sent: first(NotificationKind::Preliminary),
            due: within_days(known, cfg.preliminary_days, cfg.count_knowledge_day),
            warn_from: Some(within_days(
                known,
                cfg.preliminary_warn_days,
                cfg.count_knowledge_day,
            )),
        },
        Duty {
            code: final_code,
            what: format!("{law} final report (確報) to the PPC ({final_days} days)"),
            sent: first(NotificationKind::Final),
            due: within_days(known, final_days, cfg.count_knowledge_day),
            warn_from: None,
        },
    ];
    for duty in duties {
        dated_duty(ctx, file, i, &duty, out);
    }
    // 本人通知 has no fixed number of days (速やかに): required, not dated.
    if first(NotificationKind::Individuals).is_none() {
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
            .diag(individuals_code, message)
            .at(ctx.loc(file, &pd.affected_people))
            .help("record a notification with `kind: individuals` (or a public announcement with an inquiry desk where individuals cannot be reached)")
            .subject(i.reference());
        if let Some(level) = level {
            d.level = d.level.min(level);
        }
        out.push(d);
    }
}

fn first_notification(i: &Incident, kind: NotificationKind) -> Option<&Notification> {
    i.notifications
        .iter()
        .filter(|n| n.kind.value == kind)
        .min_by_key(|n| n.at.value)
}

/// Late → error. Missing on a closed incident, or missing past the due date → error.
/// Missing on an open incident before the due date → warning with the days left.
fn dated_duty(ctx: &Ctx, file: FileId, i: &Incident, duty: &Duty, out: &mut Vec<Diagnostic>) {
    let tz = ctx.project.tz;
    let subject = i.reference();
    match duty.sent {
        Some(n) => {
            let sent_on = n.at.value.date_in(tz);
            if sent_on > duty.due {
                out.push(
                    ctx.diag(duty.code, format!("{} was sent on {sent_on}, {} day(s) after the deadline {}", duty.what, days_between(duty.due, sent_on), duty.due))
                        .at(ctx.loc(file, &n.at))
                        .help("a missed statutory deadline cannot be fixed in the record; explain the delay in the report and in the incident's timeline, and waive this finding with an approved exception if the committee accepts it")
                        .subject(subject),
                );
            }
        }
        None => {
            let loc = ctx.loc(file, i.known_at());
            let help = "record it under `notifications:` with the kind, recipient (`to: contact:…`) and time sent";
            if i.is_closed() || ctx.as_of > duty.due {
                out.push(
                    ctx.diag(
                        duty.code,
                        format!("{} was due by {} and is not recorded", duty.what, duty.due),
                    )
                    .at(loc)
                    .help(help)
                    .subject(subject),
                );
            } else if duty.warn_from.is_none_or(|w| ctx.as_of >= w) {
                let left = days_between(ctx.as_of, duty.due);
                let mut d = ctx
                    .diag(
                        duty.code,
                        format!("{} is due by {} ({left} day(s) left)", duty.what, duty.due),
                    )
                    .at(loc)
                    .help(help)
                    .subject(subject);
                d.level = d.level.min(Level::Warning);
                out.push(d);
            }
        }
    }
}

/// Contacts with a `notice_deadline` must be told in time by every incident that names them.
fn notice_deadlines(ctx: &Ctx, file: FileId, i: &Incident, out: &mut Vec<Diagnostic>) {
    let mut named: Vec<(&str, Loc)> = i
        .must_notify
        .iter()
        .filter(|r| r.kind == RefKind::Contact)
        .map(|r| (r.id.as_str(), ctx.loc(file, r)))
        .collect();
    for to in i.notifications.iter().filter_map(|n| n.to.as_ref()) {
        if to.kind == RefKind::Contact && !named.iter().any(|(id, _)| *id == to.id) {
            named.push((to.id.as_str(), ctx.loc(file, to)));
        }
    }
    for (org_id, loc) in named {
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
        let due = deadline.value.after(start);
        let sent = i
            .notifications
            .iter()
            .filter(|n| {
                n.to.as_ref()
                    .is_some_and(|to| to.kind == RefKind::Contact && to.id == org_id)
            })
            .min_by_key(|n| n.at.value);
        let what = format!(
            "{} ({}) must be notified within {}",
            org.name, org_id, deadline.value
        );
        match sent {
            Some(n) if n.at.value.0 > due => {
                let late = n.at.value.0 - due;
                out.push(
                    ctx.diag("K0405", format!("{what}; notified at {}, {} late", n.at.value, human_duration(late)))
                        .at(ctx.loc(file, &n.at))
                        .help(format!("the deadline ran until {}; record the reason for the delay in the timeline", due.to_rfc3339()))
                        .subject(i.reference()),
                );
            }
            Some(_) => {}
            None => {
                let due_date = due.with_timezone(&ctx.project.tz).date_naive();
                let mut d = ctx
                    .diag(
                        "K0405",
                        format!("{what} (by {}); no notification recorded", due.to_rfc3339()),
                    )
                    .at(loc)
                    .help(format!(
                        "record a notification with `to: contact:{org_id}` and the time it was sent"
                    ))
                    .subject(i.reference());
                if !i.is_closed() && ctx.as_of <= due_date {
                    d.level = d.level.min(Level::Warning);
                }
                out.push(d);
            }
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
