//! Acknowledgements (周知): everyone a document binds confirms reading each revision within
//! `[acknowledgements] within` of its effective date (joiners within `joiners_within` of
//! joining); an acknowledgement names a person on the roster and a revision of the document.
//!
//! [`progress`] computes the state of every bound person for every revision in force so far;
//! the rules here, the progress pages and the evidence bundle all read it. It indexes the
//! acknowledgements by (document, version, person) in a hash map once, so a roster of 50,000
//! people with 500,000 acknowledgements is a few lookups per person and revision.

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Level};
use crate::model::{AckFile, Acknowledgement, Document, RefKind, RosterPerson, Sourced};

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[
    &UNKNOWN_PERSON,
    &UNKNOWN_RELEASE,
    &ACK_MISSING,
    &ACK_LATE,
    &ACK_SUPERSEDED,
    &ACK_RECORD,
    &ROSTER,
];

pub static UNKNOWN_PERSON: Rule = Rule {
    code: "K0901",
    name: "unknown-person",
    level: Level::Error,
    summary: "an acknowledgement names a person who is not on the roster",
    explanation: "Every acknowledgement names a person by the id the roster (`roster.yaml`) gives them \
         (社員番号). An id that is not there is a typo or a person missing from the roster: \
         correct the id, or add the person with `kitei roster import`.",
};

pub static UNKNOWN_RELEASE: Rule = Rule {
    code: "K0902",
    name: "unknown-release",
    level: Level::Error,
    summary: "an acknowledgement of a document or revision that does not exist",
    explanation: "An acknowledgements file names a document (`doc:<id>`) and one of its revisions: a \
         `version` in the document's front matter or its `changes` list (the release tag \
         `policy-v2026.1` is version `2026.1`). Anything else cannot have been read.",
};

pub static ACK_MISSING: Rule = Rule {
    code: "K0903",
    name: "ack-missing",
    level: Level::Error,
    summary: "a person bound by a document has not acknowledged its revision in time",
    explanation: "Every person a roster binding selects must acknowledge each revision of the document \
         within `[acknowledgements] within` (default 30 days) of its effective date; a person \
         who joins later, within `joiners_within` (default 14 days) of joining. Before the \
         deadline this is a warning (pending); after it, an error while the revision is in \
         force. A revision superseded without the person having acknowledged it is a warning: \
         it can no longer be made up, and acknowledging the superseded text does not count \
         for the new one. People who left before their deadline are not required.",
};

pub static ACK_LATE: Rule = Rule {
    code: "K0904",
    name: "ack-late",
    level: Level::Warning,
    summary: "an acknowledgement given after its deadline",
    explanation: "The person acknowledged the revision, but after the deadline: recorded for the \
         auditor, nothing left to do.",
};

pub static ACK_SUPERSEDED: Rule = Rule {
    code: "K0905",
    name: "ack-superseded",
    level: Level::Warning,
    summary: "an acknowledgement of a revision that was already superseded",
    explanation: "The acknowledgement is dated on or after the day the next revision took effect: the \
         person read text no longer in force. It counts for neither revision; they must \
         acknowledge the revision in force.",
};

pub static ACK_RECORD: Rule = Rule {
    code: "K0906",
    name: "ack-record",
    level: Level::Error,
    summary: "an acknowledgement dated in the future or before approval, without its evidence, or twice",
    explanation: "An acknowledgement cannot be dated after the evaluation date or before the revision \
         was approved. A `paper` or `meeting` acknowledgement names its evidence file (the \
         signed form, the minutes). The same person acknowledging the same revision twice is \
         a warning (the earliest counts).",
};

pub static ROSTER: Rule = Rule {
    code: "K0907",
    name: "roster",
    level: Level::Error,
    summary: "a roster with a duplicate person, impossible dates or a binding that binds nothing",
    explanation: "Person ids are unique; a person cannot leave before joining. A binding names a \
         versioned document (`doc:<id>` with a `version`) and selects `everyone: true`, \
         `departments` or `roles`; one that selects a department or role nobody on the roster \
         has is a warning (a typo, or a department renamed).",
};

/// One revision of a document: the version, when it took effect and when the next did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub version: String,
    pub approved_on: Option<NaiveDate>,
    pub effective_on: NaiveDate,
    /// The effective date of the next revision.
    pub superseded_on: Option<NaiveDate>,
}

/// The revisions of a document in effective-date order: its `changes` entries with an
/// effective date, and its current `version` if `changes` does not list it.
pub fn revisions(doc: &Document) -> Vec<Revision> {
    let mut out: Vec<Revision> = doc
        .meta
        .changes
        .iter()
        .filter_map(|c| {
            Some(Revision {
                version: c.version.clone(),
                approved_on: c.approved_on.as_ref().map(|d| d.value.0),
                effective_on: c.effective_on.as_ref()?.value.0,
                superseded_on: None,
            })
        })
        .collect();
    if let (Some(version), Some(effective)) = (&doc.meta.version, &doc.meta.effective_on)
        && !out.iter().any(|r| r.version == version.value)
    {
        out.push(Revision {
            version: version.value.clone(),
            approved_on: doc.meta.approved_on.as_ref().map(|d| d.value.0),
            effective_on: effective.value.0,
            superseded_on: None,
        });
    }
    out.sort_by_key(|r| r.effective_on);
    for i in 1..out.len() {
        let next = out[i].effective_on;
        out[i - 1].superseded_on = Some(next);
    }
    out
}

/// Where a bound person stands with one revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckState {
    /// Acknowledged by the deadline.
    OnTime { on: NaiveDate },
    /// Acknowledged after the deadline.
    Late { on: NaiveDate },
    /// Not yet, and the deadline has not passed.
    Pending,
    /// Not acknowledged, the deadline has passed and the revision is in force.
    Overdue,
    /// Superseded without having been acknowledged.
    Missed,
}

impl AckState {
    pub fn as_str(self) -> &'static str {
        match self {
            AckState::OnTime { .. } => "on-time",
            AckState::Late { .. } => "late",
            AckState::Pending => "pending",
            AckState::Overdue => "overdue",
            AckState::Missed => "missed",
        }
    }

    pub fn acknowledged_on(self) -> Option<NaiveDate> {
        match self {
            AckState::OnTime { on } | AckState::Late { on } => Some(on),
            _ => None,
        }
    }
}

/// One bound person's state for one revision.
#[derive(Debug, Clone)]
pub struct PersonState<'c> {
    pub person: &'c Sourced<RosterPerson>,
    pub due: NaiveDate,
    pub state: AckState,
    /// The acknowledgement that counts, with its file.
    pub ack: Option<(&'c Sourced<AckFile>, &'c Acknowledgement)>,
}

/// Every bound person's state for one revision of one document.
#[derive(Debug, Clone)]
pub struct RevisionProgress<'c> {
    pub document: &'c Sourced<Document>,
    pub revision: Revision,
    pub people: Vec<PersonState<'c>>,
}

impl RevisionProgress<'_> {
    pub fn count(&self, pred: impl Fn(AckState) -> bool) -> usize {
        self.people.iter().filter(|p| pred(p.state)).count()
    }
}

/// The acknowledgements that count, by (document, version, person): the earliest valid one.
/// Valid: dated no later than the evaluation date and before the revision was superseded.
type AckIndex<'c> =
    FxHashMap<(&'c str, &'c str, &'c str), (&'c Sourced<AckFile>, &'c Acknowledgement)>;

fn index_acks<'c>(ctx: &Ctx<'c>, revisions: &FxHashMap<&'c str, Vec<Revision>>) -> AckIndex<'c> {
    let mut index: AckIndex<'c> = FxHashMap::default();
    for file in &ctx.corpus.acknowledgements {
        let doc = file.document.value.id.as_str();
        let version = file.release.value.as_str();
        let Some(rev) = revisions
            .get(doc)
            .and_then(|r| r.iter().find(|r| r.version == version))
        else {
            continue;
        };
        for ack in &file.acknowledgements {
            let on = ack.on.value.0;
            if on > ctx.as_of || rev.superseded_on.is_some_and(|s| on >= s) {
                continue;
            }
            index
                .entry((doc, version, ack.person.value.as_str()))
                .and_modify(|e| {
                    if on < e.1.on.value.0 {
                        *e = (file, ack);
                    }
                })
                .or_insert((file, ack));
        }
    }
    index
}

/// The revisions of every document a binding names, by document id.
fn bound_revisions<'c>(ctx: &Ctx<'c>) -> FxHashMap<&'c str, Vec<Revision>> {
    let mut out = FxHashMap::default();
    for d in &ctx.corpus.documents {
        out.insert(d.id(), revisions(d));
    }
    out
}

/// The state of every bound person for every revision that has taken effect by the
/// evaluation date, documents in roster-binding order, revisions oldest first, people in
/// roster order.
pub fn progress<'c>(ctx: &Ctx<'c>) -> Vec<RevisionProgress<'c>> {
    if ctx.corpus.bindings.is_empty() {
        return Vec::new();
    }
    let revisions = bound_revisions(ctx);
    let acks = index_acks(ctx, &revisions);
    let mut documents: Vec<&str> = Vec::new();
    for b in &ctx.corpus.bindings {
        let id = b.document.value.id.as_str();
        if !documents.contains(&id) {
            documents.push(id);
        }
    }
    let within = ctx.project.ack_within;
    let joiners_within = ctx.project.ack_joiners_within;
    let mut out = Vec::new();
    for doc_id in documents {
        let Some(document) = ctx.corpus.document(doc_id) else {
            continue;
        };
        let bindings: Vec<_> = ctx
            .corpus
            .bindings
            .iter()
            .filter(|b| b.document.value.id == doc_id)
            .collect();
        let bound: Vec<&Sourced<RosterPerson>> = ctx
            .corpus
            .roster
            .iter()
            .filter(|p| bindings.iter().any(|b| b.binds(p)))
            .collect();
        // The earliest revision any binding asks for (a binding without `since`: all).
        let first = bindings
            .iter()
            .map(|b| {
                b.since.as_ref().and_then(|v| {
                    revisions
                        .get(doc_id)?
                        .iter()
                        .find(|r| r.version == v.value)
                        .map(|r| r.effective_on)
                })
            })
            .min()
            .flatten();
        for rev in revisions.get(doc_id).into_iter().flatten() {
            if rev.effective_on > ctx.as_of || first.is_some_and(|f| rev.effective_on < f) {
                continue;
            }
            let mut people = Vec::new();
            for &person in &bound {
                let joined = person.joined.value.0;
                if joined > ctx.as_of || rev.superseded_on.is_some_and(|s| joined >= s) {
                    continue;
                }
                let due = if joined > rev.effective_on {
                    joiners_within.after_date(joined)
                } else {
                    within.after_date(rev.effective_on)
                };
                let ack = acks
                    .get(&(doc_id, rev.version.as_str(), person.id.value.as_str()))
                    .copied();
                let left = person.left.as_ref().map(|l| l.value.0);
                let state = match ack {
                    Some((_, a)) if a.on.value.0 <= due => AckState::OnTime { on: a.on.value.0 },
                    Some((_, a)) => AckState::Late { on: a.on.value.0 },
                    // Gone before the deadline, or the revision was replaced before it: the
                    // duty moved on (to nobody, or to the next revision).
                    None if left.is_some_and(|l| l <= due.min(ctx.as_of))
                        || rev.superseded_on.is_some_and(|s| s <= due) =>
                    {
                        continue;
                    }
                    None if ctx.as_of <= due => AckState::Pending,
                    None if rev.superseded_on.is_some_and(|s| s <= ctx.as_of) => AckState::Missed,
                    None => AckState::Overdue,
                };
                people.push(PersonState {
                    person,
                    due,
                    state,
                    ack,
                });
            }
            out.push(RevisionProgress {
                document,
                revision: rev.clone(),
                people,
            });
        }
    }
    out
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if ctx.corpus.roster.is_empty()
        && ctx.corpus.bindings.is_empty()
        && ctx.corpus.acknowledgements.is_empty()
    {
        return;
    }
    roster(ctx, out);
    records(ctx, out);
    for rev in progress(ctx) {
        states(ctx, &rev, out);
    }
}

/// K0903 and K0904 from the computed states.
fn states(ctx: &Ctx, rev: &RevisionProgress, out: &mut Vec<Diagnostic>) {
    let doc = rev.document.id();
    let version = &rev.revision.version;
    let subject = format!("doc:{doc}");
    for p in &rev.people {
        if matches!(p.state, AckState::OnTime { .. }) {
            continue;
        }
        let who = format!("{} ({})", p.person.id.value, p.person.department.value);
        let person_loc = ctx.loc(p.person.file, &p.person.id);
        let d = match p.state {
            AckState::OnTime { .. } => continue,
            AckState::Late { on } => {
                let (file, ack) = p.ack.expect("a late state has its acknowledgement");
                ctx.diag(
                    "K0904",
                    format!(
                        "{who} acknowledged `{doc}` {version} on {on}, {} day(s) after the deadline {}",
                        crate::dates::days_between(p.due, on),
                        p.due
                    ),
                )
                .at(ctx.loc(file.file, &ack.on))
                .help("nothing to do: recorded for the auditor; remind the department of the deadline next time")
            }
            AckState::Pending => ctx
                .diag_at_level(
                    Level::Warning,
                    "K0903",
                    format!("{who} has not yet acknowledged `{doc}` {version}: due by {}", p.due),
                )
                .at(person_loc)
                .help("remind them; record the acknowledgement with `kitei ack import` or in acknowledgements/"),
            AckState::Missed => ctx
                .diag_at_level(
                    Level::Warning,
                    "K0903",
                    format!(
                        "{who} never acknowledged `{doc}` {version} (due by {}) before it was superseded on {}",
                        p.due,
                        rev.revision.superseded_on.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )
                .at(person_loc)
                .help("it can no longer be made up: make sure they acknowledge the revision in force"),
            AckState::Overdue => ctx
                .diag(
                    "K0903",
                    format!(
                        "{who} has not acknowledged `{doc}` {version}: the deadline was {} ({} day(s) ago)",
                        p.due,
                        crate::dates::days_between(p.due, ctx.as_of)
                    ),
                )
                .at(person_loc)
                .help("have them read and acknowledge it (site button, LMS, signed form) and record it in acknowledgements/"),
        };
        out.push(d.subject(subject.clone()));
    }
}

/// K0901, K0902, K0905, K0906: each acknowledgement on its own.
fn records(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let people: FxHashSet<&str> = ctx
        .corpus
        .roster
        .iter()
        .map(|p| p.id.value.as_str())
        .collect();
    let mut seen: FxHashMap<(&str, &str, &str), ()> = FxHashMap::default();
    let mut revs_cache: FxHashMap<&str, Vec<Revision>> = FxHashMap::default();
    for file in &ctx.corpus.acknowledgements {
        let doc_ref = &file.document;
        let doc_id = doc_ref.value.id.as_str();
        let document = ctx.corpus.document(doc_id);
        if !matches!(doc_ref.value.kind, RefKind::Doc | RefKind::Runbook) || document.is_none() {
            out.push(
                ctx.diag(
                    "K0902",
                    format!("`{}` is not a document of this policy", doc_ref.value),
                )
                .at(ctx.loc(file.file, doc_ref))
                .help("name the document acknowledged as `doc:<id>`, the id in its front matter"),
            );
            continue;
        }
        let revs = revs_cache
            .entry(doc_id)
            .or_insert_with(|| revisions(document.expect("checked above")));
        let version = file.release.value.as_str();
        let Some(rev) = revs.iter().find(|r| r.version == version) else {
            let known: Vec<&str> = revs.iter().map(|r| r.version.as_str()).collect();
            let help = if known.is_empty() {
                format!(
                    "`{doc_id}` has no version: give it `version` and `effective_on` before asking for acknowledgements"
                )
            } else {
                format!(
                    "its revisions are {}; a release tag `policy-vX` is version `X`",
                    known.join(", ")
                )
            };
            out.push(
                ctx.diag("K0902", format!("`{doc_id}` has no revision `{version}`"))
                    .at(ctx.loc(file.file, &file.release))
                    .help(help),
            );
            continue;
        };
        for ack in &file.acknowledgements {
            let person = ack.person.value.as_str();
            // Without a roster (missing, or unreadable: reported by the loader) every
            // acknowledgement would be "unknown": one finding says so instead.
            if !people.contains(person) && !people.is_empty() {
                out.push(
                    ctx.diag("K0901", format!("`{person}` is not on the roster"))
                        .at(ctx.loc(file.file, &ack.person))
                        .help("correct the id, or add the person to roster.yaml (`kitei roster import`)"),
                );
            }
            let on = ack.on.value.0;
            if on > ctx.as_of {
                out.push(
                    ctx.diag(
                        "K0906",
                        format!(
                            "acknowledgement dated {on}, after the evaluation date {}",
                            ctx.as_of
                        ),
                    )
                    .at(ctx.loc(file.file, &ack.on))
                    .help("correct the date (YYYY-MM-DD)"),
                );
            } else if let Some(approved) = rev.approved_on.filter(|a| on < *a) {
                out.push(
                    ctx.diag("K0906", format!("acknowledgement of {version} dated {on}, before the revision was approved on {approved}"))
                        .at(ctx.loc(file.file, &ack.on))
                        .help("a draft cannot be acknowledged: correct the date or the release"),
                );
            } else if let Some(superseded) = rev.superseded_on.filter(|s| on >= *s) {
                out.push(
                    ctx.diag("K0905", format!("`{person}` acknowledged `{doc_id}` {version} on {on}, after it was superseded on {superseded}: it counts for no revision"))
                        .at(ctx.loc(file.file, &ack.on))
                        .help("have them acknowledge the revision in force"),
                );
            }
            if ack.method.value.needs_evidence() && ack.evidence.is_none() {
                let help = if is_table(ctx, file.file) {
                    "fill in this row's `evidence` and `evidence_sha256` cells (the signed form or the minutes)"
                } else {
                    "add `evidence: { path: evidence/…, sha256: … }` (the signed form or the minutes)"
                };
                out.push(
                    ctx.diag(
                        "K0906",
                        format!(
                            "a `{}` acknowledgement without its evidence file",
                            ack.method.value.as_str()
                        ),
                    )
                    .at(ctx.loc(file.file, &ack.method))
                    .help(help),
                );
            }
            if seen.insert((doc_id, version, person), ()).is_some() {
                out.push(
                    ctx.diag_at_level(
                        Level::Warning,
                        "K0906",
                        format!("`{person}` acknowledged `{doc_id}` {version} more than once"),
                    )
                    .at(ctx.loc(file.file, &ack.person))
                    .help("keep one record; the earliest counts"),
                );
            }
        }
    }
}

/// Whether `file` is in the table form (CSV), whose help names cells rather than YAML.
fn is_table(ctx: &Ctx, file: crate::model::FileId) -> bool {
    ctx.corpus.files[file]
        .rel_path
        .extension()
        .is_some_and(|e| e == "csv")
}

/// K0907: the roster on its own.
fn roster(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if ctx.corpus.roster.is_empty()
        && let Some(first) = ctx.corpus.acknowledgements.first()
    {
        out.push(
            ctx.diag("K0907", "acknowledgements are recorded, but the roster has nobody (roster.yaml is missing, empty or unreadable)")
                .at(ctx.loc(first.file, &first.document))
                .help("write roster.yaml (`kitei roster import`), or fix the error reported in it"),
        );
    }
    let mut ids: FxHashMap<&str, ()> = FxHashMap::default();
    let mut departments: FxHashSet<&str> = FxHashSet::default();
    let mut roles: FxHashSet<&str> = FxHashSet::default();
    for p in &ctx.corpus.roster {
        if ids.insert(p.id.value.as_str(), ()).is_some() {
            out.push(
                ctx.diag(
                    "K0907",
                    format!("person `{}` is on the roster twice", p.id.value),
                )
                .at(ctx.loc(p.file, &p.id))
                .help("keep one entry per person id"),
            );
        }
        if let Some(left) = &p.left
            && left.value.0 < p.joined.value.0
        {
            out.push(
                ctx.diag(
                    "K0907",
                    format!(
                        "`{}` left on {} before joining on {}",
                        p.id.value, left.value.0, p.joined.value.0
                    ),
                )
                .at(ctx.loc(p.file, left))
                .help("correct `left` or `joined`"),
            );
        }
        departments.insert(p.department.value.as_str());
        roles.extend(p.roles.iter().map(String::as_str));
    }
    for b in &ctx.corpus.bindings {
        let doc = &b.document;
        match ctx.corpus.document(&doc.value.id) {
            Some(d) if matches!(doc.value.kind, RefKind::Doc | RefKind::Runbook) => {
                if revisions(d).is_empty() {
                    out.push(
                        ctx.diag(
                            "K0907",
                            format!("`{}` has no version to acknowledge", doc.value),
                        )
                        .at(ctx.loc(b.file, doc))
                        .help("give the document `version` and `effective_on` in its front matter"),
                    );
                }
            }
            _ => out.push(
                ctx.diag(
                    "K0907",
                    format!(
                        "the binding names `{}`, which is not a document of this policy",
                        doc.value
                    ),
                )
                .at(ctx.loc(b.file, doc))
                .help("name a document as `doc:<id>`"),
            ),
        }
        if let (Some(since), Some(d)) = (&b.since, ctx.corpus.document(&doc.value.id))
            && !revisions(d).iter().any(|r| r.version == since.value)
        {
            out.push(
                ctx.diag(
                    "K0907",
                    format!("`{}` has no revision `{}`", doc.value, since.value),
                )
                .at(ctx.loc(b.file, since))
                .help("`since` names one of the document's versions (its `changes`)"),
            );
        }
        if !b.everyone && b.departments.is_empty() && b.roles.is_empty() {
            out.push(
                ctx.diag(
                    "K0907",
                    format!("the binding of `{}` selects nobody", doc.value),
                )
                .at(ctx.loc(b.file, doc))
                .help("add `everyone: true`, `departments: [...]` or `roles: [...]`"),
            );
        }
        let unknown = b
            .departments
            .iter()
            .filter(|d| !departments.contains(d.value.as_str()))
            .map(|d| (d, "department"))
            .chain(
                b.roles
                    .iter()
                    .filter(|r| !roles.contains(r.value.as_str()))
                    .map(|r| (r, "role")),
            );
        for (name, what) in unknown {
            out.push(
                ctx.diag_at_level(
                    Level::Warning,
                    "K0907",
                    format!("no one on the roster has the {what} `{}`", name.value),
                )
                .at(ctx.loc(b.file, name))
                .help(format!("check the spelling against the roster's {what}s")),
            );
        }
    }
}
