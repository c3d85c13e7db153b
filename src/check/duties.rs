//! Duties that fall due with the calendar, evaluated as of `--as-of`: the regulation's
//! review, drills, contact verification, exception expiry, prevention measures.

use chrono::NaiveDate;

use super::Ctx;
use crate::diag::Diagnostic;
use crate::model::incident::MeasureStatus;
use crate::model::{DocKind, Document, Drill, RefKind, Sourced};

use super::Rule;
use crate::diag::Level;

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[
    &REVIEW_OVERDUE,
    &DRILL_OVERDUE,
    &CONTACT_STALE,
    &EXCEPTION_EXPIRED,
    &MEASURE_OVERDUE,
];

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    reviews(ctx, out);
    drills(ctx, out);
    contacts(ctx, out);
    exceptions(ctx, out);
    measures(ctx, out);
}

pub static REVIEW_OVERDUE: Rule = Rule {
    code: "K0501",
    name: "review-overdue",
    level: Level::Error,
    summary: "the regulation's periodic review is overdue",
    explanation: "A regulation is reviewed every `review_every` (the seeds: once or twice a year). The last \
         approval or review record must fall within that period of the evaluation date. A \
         regulation without `approved_on` (as imported) is measured from the last revision date \
         its text states (改訂日 2019.4.1, 令和3年4月1日改訂), with its `review_every` or, if it \
         states none, the configured default `[duties] review_every` (12 months); the message \
         says which date and cycle it used.",
};

fn reviews(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for d in ctx
        .corpus
        .documents
        .iter()
        .filter(|d| d.kind() == DocKind::Regulation)
    {
        if let (Some(every), Some((last, due))) = (&d.meta.review_every, review_due(ctx, d)) {
            if ctx.as_of > due {
                out.push(
                    ctx.diag("K0501", format!("the review of `{}` was due on {due} (last approval or review: {last}, cycle {})", d.id(), every.value))
                        .at(ctx.loc(d.file, every))
                        .help("review the regulation and record it in reviews/ (outcome no_change or amended)")
                        .subject(format!("doc:{}", d.id())),
                );
            }
            continue;
        }
        // No approval date in the front matter: the last revision date the text states, with
        // the document's cycle or the configured default, and the message says so.
        if d.meta.approved_on.is_some() {
            continue;
        }
        let Some((last, line)) = super::prose::revision_dates(d)
            .into_iter()
            .filter(|(date, _)| *date <= ctx.as_of)
            .max_by_key(|(date, _)| *date)
        else {
            continue;
        };
        let (cycle, whose) = match &d.meta.review_every {
            Some(every) => (every.value, "its review_every".to_string()),
            None => (
                ctx.project.review_every,
                format!(
                    "no review_every: the default duties.review_every = {}",
                    ctx.project.review_every
                ),
            ),
        };
        let due = cycle.after_date(last);
        if ctx.as_of > due {
            out.push(
                ctx.diag(
                    "K0501",
                    format!(
                        "the review of `{}` was due on {due}: the last revision date the text states is {last} (line {line}); cycle {cycle} ({whose})",
                        d.id()
                    ),
                )
                .at(ctx.corpus.loc_line(d.file, line))
                .help("review the regulation, record approved_on (and review_every) in the front matter and the review in reviews/")
                .subject(format!("doc:{}", d.id())),
            );
        }
    }
}

/// When the review of regulation `d` falls due: the last approval or review record (up to the
/// evaluation date) and that date plus `review_every`. `None` without both fields.
pub fn review_due(ctx: &Ctx, d: &Document) -> Option<(NaiveDate, NaiveDate)> {
    let (Some(every), Some(approved)) = (&d.meta.review_every, &d.meta.approved_on) else {
        return None;
    };
    let last_review = ctx
        .corpus
        .reviews
        .iter()
        .filter(|r| {
            r.document.kind == RefKind::Doc
                && r.document.id == d.id()
                && r.reviewed_on.value.0 <= ctx.as_of
        })
        .map(|r| r.reviewed_on.value.0)
        .max();
    let last = last_review.map_or(approved.value.0, |r| r.max(approved.value.0));
    Some((last, every.value.after_date(last)))
}

/// The latest drill held by the evaluation date and the day by which the next is due
/// (`duties.drill_every` later); `None` when no drill is recorded.
pub fn drill_due<'c>(ctx: &Ctx<'c>) -> Option<(&'c Sourced<Drill>, NaiveDate)> {
    let latest = ctx
        .corpus
        .drills
        .iter()
        .filter(|d| d.held_on.value.0 <= ctx.as_of)
        .max_by_key(|d| d.held_on.value)?;
    Some((
        latest,
        ctx.project.drill_every.after_date(latest.held_on.value.0),
    ))
}

/// The day by which a contact last verified on `verified` must be verified again.
pub fn contact_due(ctx: &Ctx, verified: NaiveDate) -> NaiveDate {
    ctx.project.contact_verify_every.after_date(verified)
}

pub static DRILL_OVERDUE: Rule = Rule {
    code: "K0502",
    name: "drill-overdue",
    level: Level::Error,
    summary: "no drill within the configured period",
    explanation: "Response procedures are drilled regularly (平時の準備): the latest drill record must fall \
         within `duties.drill_every` (default 12 months) of the evaluation date.",
};

fn drills(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let every = ctx.project.drill_every;
    let (message, loc) = match drill_due(ctx) {
        None => ("no drill (訓練) is recorded".to_string(), None),
        Some((d, due)) => {
            if ctx.as_of <= due {
                return;
            }
            (
                format!(
                    "the last drill was on {} and the next was due by {due} (every {every})",
                    d.held_on.value
                ),
                Some(ctx.loc(d.file, &d.held_on)),
            )
        }
    };
    out.push(
        ctx.diag("K0502", message)
            .at_opt(loc)
            .help("hold a drill of the response procedures and record it in drills/; the cycle is duties.drill_every in kitei.toml"),
    );
}

pub static CONTACT_STALE: Rule = Rule {
    code: "K0503",
    name: "contact-stale",
    level: Level::Error,
    summary: "a contact not verified recently",
    explanation: "Every person and body in the contact table has `last_verified` within \
         `duties.contact_verify_every` (default 6 months): an outdated number is found during an \
         incident otherwise (ISO/IEC 27001 A.5.5).",
};

fn contacts(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let every = ctx.project.contact_verify_every;
    let people = ctx
        .corpus
        .people
        .iter()
        .map(|p| (p.file, &p.id, &p.name, &p.last_verified));
    let orgs = ctx
        .corpus
        .organisations
        .iter()
        .map(|o| (o.file, &o.id, &o.name, &o.last_verified));
    for (file, id, name, verified) in people.chain(orgs) {
        let subject = format!("contact:{}", id.value);
        match verified {
            None => out.push(
                ctx.diag(
                    "K0503",
                    format!("contact {name} ({}) has never been verified", id.value),
                )
                .at(ctx.loc(file, id))
                .help("call or mail the contact, then record `last_verified: YYYY-MM-DD`")
                .subject(subject),
            ),
            Some(v) => {
                let due = contact_due(ctx, v.value.0);
                if ctx.as_of > due {
                    out.push(
                        ctx.diag("K0503", format!("contact {name} ({}) was last verified on {}; re-verification was due by {due}", id.value, v.value))
                            .at(ctx.loc(file, v))
                            .help(format!("verify the contact's numbers and addresses and update last_verified (cycle {every})"))
                            .subject(subject),
                    );
                }
            }
        }
    }
}

pub static EXCEPTION_EXPIRED: Rule = Rule {
    code: "K0504",
    name: "exception-expired",
    level: Level::Warning,
    summary: "an exception past its expiry date",
    explanation: "An expired exception no longer waives its rule (the rule fires again); renew it with a new \
         approval or remove it.",
};

fn exceptions(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for e in &ctx.corpus.exceptions {
        if e.expires_on.value.0 < ctx.as_of {
            out.push(
                ctx.diag("K0504", format!("exception {} for {} on {} expired on {}", e.id.value, e.rule.value, e.record.value, e.expires_on.value))
                    .at(ctx.loc(e.file, &e.expires_on))
                    .help("renew it with a new committee approval and expiry, or remove it once the waived duty is met")
                    .subject(format!("exception:{}", e.id.value)),
            );
        }
        if e.expires_on.value < e.approved_on.value {
            out.push(
                ctx.diag(
                    "K0504",
                    format!(
                        "exception {} expires ({}) before it was approved ({})",
                        e.id.value, e.expires_on.value, e.approved_on.value
                    ),
                )
                .at(ctx.loc(e.file, &e.expires_on))
                .help("correct the dates")
                .subject(format!("exception:{}", e.id.value)),
            );
        }
    }
}

pub static MEASURE_OVERDUE: Rule = Rule {
    code: "K0505",
    name: "measure-overdue",
    level: Level::Error,
    summary: "a prevention measure past its due date",
    explanation: "A prevention measure that is not `done` by its due date is an overdue duty. Finish it, or \
         record an approved exception with a new expiry.",
};

fn measures(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for i in &ctx.corpus.incidents {
        let Some(plan) = &i.prevention_plan else {
            continue;
        };
        for m in plan.technical.iter().chain(&plan.organizational) {
            if m.status == MeasureStatus::Done {
                if m.done_on.is_none() {
                    out.push(
                        ctx.diag("K0505", format!("measure \"{}\" is done but has no done_on date", m.measure.value))
                            .at(ctx.loc(i.file, &m.measure))
                            .help("add `done_on: YYYY-MM-DD`: the date is evidence that the measure was carried out")
                            .subject(i.reference()),
                    );
                }
                continue;
            }
            let Some(due) = &m.due else { continue };
            if due.value.0 < ctx.as_of {
                out.push(
                    ctx.diag("K0505", format!("prevention measure \"{}\" of {} was due on {} and is not done", m.measure.value, i.id.value, due.value))
                        .at(ctx.loc(i.file, due))
                        .help("finish it and set `status: done` with `done_on`, or record an approved exception (例外事項) with a new expiry")
                        .subject(i.reference()),
                );
            }
        }
    }
}
