//! What falls due, as of the evaluation date: every dated duty of the policy with its day, from
//! the same computations the rules judge by ([`notifications::dated_duties`],
//! [`duties::review_due`], [`duties::drill_due`], [`duties::contact_due`]), so `kitei status`
//! and `kitei check` can never disagree about a deadline.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::notifications::{self, Due, DutyStatus};
use super::{Ctx, duties, exception_for};
use crate::model::DocKind;
use crate::model::incident::{MeasureStatus, Status};

/// One duty with its day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The last day on which it can be met; `None`: it was never done at all (no drill, a
    /// contact never verified), which is overdue.
    pub due: Option<NaiveDate>,
    /// The instant, for deadlines counted to the minute (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    /// Past its day (or never done) and not done.
    pub overdue: bool,
    /// The rule that reports it when it is missed.
    pub code: &'static str,
    pub what: String,
    /// The record it is about (`incident:INC-2026-003`, `contact:ppc`, `doc:…`).
    pub subject: String,
    /// The exception that waives it, if any (its rule does not fire while it is in force).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived_by: Option<String>,
}

/// Every duty not yet met, by day (never-done first), then by subject.
pub fn agenda(ctx: &Ctx) -> Vec<Item> {
    let mut out = Vec::new();
    let tz = ctx.project.tz;
    let as_of = ctx.as_of;
    let waiver =
        |code: &str, subject: &str| exception_for(ctx, code, subject).map(|e| e.id.value.clone());
    for i in &ctx.corpus.incidents {
        let subject = i.reference();
        for d in notifications::dated_duties(ctx, i) {
            let overdue = match d.status {
                DutyStatus::Missing => true,
                DutyStatus::Pending => false,
                DutyStatus::OnTime | DutyStatus::Late => continue,
            };
            out.push(Item {
                due: Some(d.due.date(tz)),
                due_at: match d.due {
                    Due::Instant(t) => Some(t.with_timezone(&tz).to_rfc3339()),
                    Due::Day(_) => None,
                },
                overdue,
                code: d.code,
                what: d.what.clone(),
                waived_by: waiver(d.code, &subject),
                subject: subject.clone(),
            });
        }
        for m in i
            .prevention_plan
            .iter()
            .flat_map(|p| p.value.technical.iter().chain(&p.value.organizational))
        {
            let (MeasureStatus::Planned | MeasureStatus::InProgress, Some(due)) =
                (m.status, &m.due)
            else {
                continue;
            };
            out.push(Item {
                due: Some(due.value.0),
                due_at: None,
                overdue: due.value.0 < as_of,
                code: "K0505",
                what: format!("prevention measure: {}", m.measure.value),
                waived_by: waiver("K0505", &subject),
                subject: subject.clone(),
            });
        }
    }
    let people = ctx.corpus.people.iter().map(|p| (&p.id, &p.last_verified));
    let orgs = ctx
        .corpus
        .organisations
        .iter()
        .map(|o| (&o.id, &o.last_verified));
    for (id, verified) in people.chain(orgs) {
        let due = verified
            .as_ref()
            .map(|v| duties::contact_due(ctx, v.value.0));
        let subject = format!("contact:{}", id.value);
        out.push(Item {
            due,
            due_at: None,
            overdue: due.is_none_or(|d| as_of > d),
            code: "K0503",
            what: match verified {
                Some(v) => format!("verify the contact again (last verified {})", v.value),
                None => "verify the contact (never verified)".into(),
            },
            waived_by: waiver("K0503", &subject),
            subject,
        });
    }
    for d in ctx
        .corpus
        .documents
        .iter()
        .filter(|d| d.kind() == DocKind::Regulation)
    {
        let Some((last, due)) = duties::review_due(ctx, d) else {
            continue;
        };
        let subject = format!("doc:{}", d.id());
        out.push(Item {
            due: Some(due),
            due_at: None,
            overdue: as_of > due,
            code: "K0501",
            what: format!("periodic review of the regulation (last {last})"),
            waived_by: waiver("K0501", &subject),
            subject,
        });
    }
    match duties::drill_due(ctx) {
        Some((drill, due)) => out.push(Item {
            due: Some(due),
            due_at: None,
            overdue: as_of > due,
            code: "K0502",
            what: format!("next drill (last held {})", drill.held_on.value),
            waived_by: None,
            subject: format!("drill:{}", drill.id.value),
        }),
        None => out.push(Item {
            due: None,
            due_at: None,
            overdue: true,
            code: "K0502",
            what: "a first drill (none is recorded)".into(),
            waived_by: None,
            subject: String::new(),
        }),
    }
    for e in &ctx.corpus.exceptions {
        let due = e.expires_on.value.0;
        if due < as_of || e.approved_on.value.0 > as_of {
            continue;
        }
        out.push(Item {
            due: Some(due),
            due_at: None,
            overdue: false,
            code: "K0504",
            what: format!(
                "exception runs out: {} for {} is due again",
                e.rule.value, e.record.value
            ),
            waived_by: None,
            subject: format!("exception:{}", e.id.value),
        });
    }
    out.sort_by(|a, b| (a.due, &a.subject, &a.what).cmp(&(b.due, &b.subject, &b.what)));
    out
}

/// An incident that is not closed, with the first duty it still owes.
#[derive(Debug, Clone, Serialize)]
pub struct OpenIncident {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub severity: u8,
    pub detected_at: String,
    /// The earliest item of [`agenda`] about this incident (overdue ones first).
    pub next: Option<Item>,
}

/// Every open or contained incident, by detection time, with its next deadline from `agenda`.
pub fn open_incidents(ctx: &Ctx, agenda: &[Item]) -> Vec<OpenIncident> {
    // The first item per subject, looked up by hash: one pass over the agenda, not one per
    // open incident (100,000 open incidents would otherwise compare 10^10 subjects).
    let mut first: FxHashMap<&str, &Item> = FxHashMap::default();
    for item in agenda {
        first.entry(item.subject.as_str()).or_insert(item);
    }
    let mut open: Vec<OpenIncident> = ctx
        .corpus
        .incidents
        .iter()
        .filter(|i| !i.is_closed())
        .map(|i| {
            let subject = i.reference();
            OpenIncident {
                id: i.id.value.clone(),
                title: i.title.clone(),
                status: i.status.value,
                severity: i.severity.value,
                detected_at: i.detected_at.value.to_string(),
                next: first.get(subject.as_str()).map(|&a| a.clone()),
            }
        })
        .collect();
    open.sort_by(|a, b| (&a.detected_at, &a.id).cmp(&(&b.detected_at, &b.id)));
    open
}
