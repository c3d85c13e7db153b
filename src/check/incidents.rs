//! Rules over single incident records: lifecycle order, what a closed incident must have
//! (declared as a table: adding a requirement is one row), the board report, leak severity.

use super::Ctx;
use super::shapes;
use crate::diag::Diagnostic;
use crate::model::incident::{Incident, Measure, Status};
use crate::model::{At, FileId, Timestamp};

use super::Rule;
use crate::diag::Level;

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[
    &LIFECYCLE_ORDER,
    &STATUS_TIMESTAMPS,
    &PREVENTION_PLAN,
    &LESSONS,
    &BOARD_REPORT,
    &LEAK_SEVERITY,
    &ROOT_CAUSE,
];

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for i in &ctx.corpus.incidents {
        lifecycle(ctx, i.file, i, out);
        status_timestamps(ctx, i.file, i, out);
        if i.is_closed() {
            closed_requirements(ctx, i.file, i, out);
            prevention_plan(ctx, i.file, i, out);
        }
        board_report(ctx, i.file, i, out);
        leak_severity(ctx, i.file, i, out);
    }
}

pub static LIFECYCLE_ORDER: Rule = Rule {
    code: "K0301",
    name: "lifecycle-order",
    level: Level::Error,
    summary: "incident timestamps out of order",
    explanation: "occurred_at ≤ detected_at ≤ reported_at ≤ contained_at ≤ closed_at. A record whose times \
         run backwards cannot prove any deadline.",
};

fn lifecycle(ctx: &Ctx, file: FileId, i: &Incident, out: &mut Vec<Diagnostic>) {
    let steps: [(&str, Option<&At<Timestamp>>); 5] = [
        ("occurred_at", i.occurred_at.as_ref()),
        ("detected_at", Some(&i.detected_at)),
        ("reported_at", i.reported_at.as_ref()),
        ("contained_at", i.contained_at.as_ref()),
        ("closed_at", i.closed_at.as_ref()),
    ];
    let mut previous: Option<(&str, &At<Timestamp>)> = None;
    for (name, value) in steps {
        let Some(value) = value else { continue };
        if let Some((prev_name, prev)) = previous
            && value.value < prev.value
        {
            out.push(
                    ctx.diag("K0301", format!("{name} ({}) is before {prev_name} ({})", value.value, prev.value))
                        .at(ctx.loc(file, value))
                        .help("occurred_at ≤ detected_at ≤ reported_at ≤ contained_at ≤ closed_at; fix whichever time is wrong")
                        .subject(i.reference()),
                );
        }
        previous = Some((name, value));
    }
    if let Some(known) = &i.known_at
        && known.value > i.detected_at.value
    {
        // 知った日時 can be earlier than detection by the security team, never later.
        out.push(
            ctx.diag(
                "K0301",
                format!(
                    "known_at ({}) is after detected_at ({})",
                    known.value, i.detected_at.value
                ),
            )
            .at(ctx.loc(file, known))
            .help("known_at is when anyone in the company first knew; it cannot be after detection")
            .subject(i.reference()),
        );
    }
}

pub static STATUS_TIMESTAMPS: Rule = Rule {
    code: "K0302",
    name: "status-timestamps",
    level: Level::Error,
    summary: "status and closing time disagree",
    explanation: "A closed incident has `closed_at`; an open or contained one has none. A contained incident \
         has `contained_at`.",
};

fn status_timestamps(ctx: &Ctx, file: FileId, i: &Incident, out: &mut Vec<Diagnostic>) {
    let at = shapes::timestamp(ctx.project.tz);
    let problem = match (i.status.value, &i.closed_at, &i.contained_at) {
        (Status::Closed, None, _) => Some((
            "a closed incident needs `closed_at`",
            shapes::help(
                "add the time the incident was closed",
                &format!("closed_at: {at}"),
            ),
        )),
        (Status::Open | Status::Contained, Some(_), _) => Some((
            "an incident that is not closed has `closed_at`",
            "set `status: closed`, or remove `closed_at` if the incident is still being handled"
                .to_string(),
        )),
        (Status::Contained, _, None) => Some((
            "a contained incident needs `contained_at`",
            shapes::help(
                "add the time it was contained",
                &format!("contained_at: {at}"),
            ),
        )),
        _ => None,
    };
    if let Some((message, help)) = problem {
        out.push(
            ctx.diag("K0302", message)
                .at(ctx.loc(file, &i.status))
                .help(help)
                .subject(i.reference()),
        );
    }
}

/// One declarative requirement: when an incident is closed, `present` must hold.
struct Required {
    code: &'static str,
    field: &'static str,
    present: fn(&Incident) -> bool,
    help: &'static str,
    /// The YAML to write.
    shape: &'static str,
}

pub static PREVENTION_PLAN: Rule = Rule {
    code: "K0303",
    name: "prevention-plan",
    level: Level::Error,
    summary: "closed incident without a complete prevention plan",
    explanation: "After the response ends a prevention plan (再発防止計画) covers both technical and \
         organisational aspects: at least one technical and one organisational measure, each with \
         an owner role and a due date (seed regulations §4.4 / §8; ISO/IEC 27001 A.5.27).",
};

pub static LESSONS: Rule = Rule {
    code: "K0304",
    name: "lessons",
    level: Level::Error,
    summary: "closed incident without lessons for the procedure",
    explanation: "Learning from incidents includes improvements to the procedure itself: record at least one \
         entry under `lessons.procedure_changes` (write that none is needed if so, and why).",
};

pub static ROOT_CAUSE: Rule = Rule {
    code: "K0307",
    name: "root-cause",
    level: Level::Error,
    summary: "closed incident without a root cause",
    explanation: "A closed incident records its root cause (ISO/IEC 27001 A.5.26: root-cause analysis).",
};

const CLOSED_REQUIRES: &[Required] = &[
    Required {
        code: "K0307",
        field: "root_cause",
        present: |i| {
            i.root_cause
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty())
        },
        help: "add the root cause",
        shape: shapes::ROOT_CAUSE,
    },
    Required {
        code: "K0304",
        field: "lessons.procedure_changes",
        present: |i| {
            i.lessons
                .as_ref()
                .is_some_and(|l| l.procedure_changes.iter().any(|s| !s.trim().is_empty()))
        },
        help: "add what changes in the procedure (or why nothing does)",
        shape: shapes::LESSONS,
    },
    Required {
        code: "K0303",
        field: "prevention_plan",
        present: |i| i.prevention_plan.is_some(),
        help: "add a prevention plan with at least one technical and one organizational measure, each with its owner and due date",
        shape: shapes::PREVENTION_PLAN,
    },
];

fn closed_requirements(ctx: &Ctx, file: FileId, i: &Incident, out: &mut Vec<Diagnostic>) {
    for req in CLOSED_REQUIRES {
        if !(req.present)(i) {
            out.push(
                ctx.diag(
                    req.code,
                    format!("closed incident {} has no {}", i.id.value, req.field),
                )
                .at(ctx.loc(file, &i.status))
                .help(shapes::help(req.help, req.shape))
                .subject(i.reference()),
            );
        }
    }
}

fn prevention_plan(ctx: &Ctx, file: FileId, i: &Incident, out: &mut Vec<Diagnostic>) {
    let Some(plan) = &i.prevention_plan else {
        return;
    };
    for (aspect, measures) in [
        ("technical", &plan.technical),
        ("organizational", &plan.organizational),
    ] {
        if measures.is_empty() {
            out.push(
                ctx.diag(
                    "K0303",
                    format!(
                        "the prevention plan of {} has no {aspect} measure",
                        i.id.value
                    ),
                )
                .at(ctx.loc(file, plan))
                .help(shapes::help(
                    &format!("add at least one {aspect} measure with its owner and due date"),
                    &shapes::measure(aspect, ""),
                ))
                .subject(i.reference()),
            );
        }
        for m in measures {
            incomplete_measure(ctx, file, i, aspect, m, out);
        }
    }
}

fn incomplete_measure(
    ctx: &Ctx,
    file: FileId,
    i: &Incident,
    aspect: &str,
    m: &Measure,
    out: &mut Vec<Diagnostic>,
) {
    let missing: Vec<&str> = [("owner", m.owner.is_none()), ("due", m.due.is_none())]
        .into_iter()
        .filter_map(|(f, missing)| missing.then_some(f))
        .collect();
    if !missing.is_empty() {
        out.push(
            ctx.diag(
                "K0303",
                format!(
                    "prevention measure \"{}\" has no {}",
                    m.measure.value,
                    missing.join(" or ")
                ),
            )
            .at(ctx.loc(file, &m.measure))
            .help(shapes::help(
                "every measure names its owner role and a due date",
                &shapes::measure(aspect, &m.measure.value),
            ))
            .subject(i.reference()),
        );
    }
}

pub static BOARD_REPORT: Rule = Rule {
    code: "K0305",
    name: "board-report",
    level: Level::Error,
    summary: "no board report for an incident involving outsiders",
    explanation: "When the company was the victim of an outside party, or harmed outsiders (customers, \
         partners), the incident is reported to the board (取締役会) with the prevention plan \
         before it is closed: `board_report.on` on or before the closing date.",
};

fn board_report(ctx: &Ctx, file: FileId, i: &Incident, out: &mut Vec<Diagnostic>) {
    if !i.outside_party.value.needs_board_report() || !i.is_closed() {
        return;
    }
    let closed_on = i
        .closed_at
        .as_ref()
        .map(|c| c.value.date_in(ctx.project.tz));
    match (&i.board_report, closed_on) {
        (None, _) => out.push(
            ctx.diag("K0305", format!("closed incident {} involved outsiders but has no board report", i.id.value))
                .at(ctx.loc(file, &i.status))
                .help(shapes::help(
                    "report to the board with the prevention plan before closing, and record it",
                    shapes::BOARD_REPORT,
                ))
                .subject(i.reference()),
        ),
        (Some(report), Some(closed)) if report.on.value.0 > closed => out.push(
            ctx.diag("K0305", format!("board report on {} is after the incident was closed ({closed})", report.on.value))
                .at(ctx.loc(file, &report.on))
                .help("the board hears the report before the incident is closed; reopen it or correct the dates")
                .subject(i.reference()),
        ),
        _ => {}
    }
}

pub static LEAK_SEVERITY: Rule = Rule {
    code: "K0306",
    name: "leak-severity",
    level: Level::Error,
    summary: "a personal-data incident below severity 2",
    explanation: "A leak of personal data is always severity 2 or above (severity scheme of the regulation).",
};

fn leak_severity(ctx: &Ctx, file: FileId, i: &Incident, out: &mut Vec<Diagnostic>) {
    if let Some(pd) = &i.personal_data
        && pd.affected_people.value > 0
        && i.severity.value < 2
    {
        out.push(
            ctx.diag(
                "K0306",
                format!(
                    "personal data of {} people leaked but severity is {}",
                    pd.affected_people.value, i.severity.value
                ),
            )
            .at(ctx.loc(file, &i.severity))
            .help("a leak of personal data is severity 2 or above")
            .subject(i.reference()),
        );
    }
}
