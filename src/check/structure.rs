//! Rules about the corpus as a whole: unique ids, references that resolve and have the right
//! kind, runbooks for every incident type, five phases per runbook, the system inventory, roles
//! held by someone, the tables, and the regulation's own metadata.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use super::Ctx;
use crate::diag::Diagnostic;
use crate::model::Defined;
use crate::model::{At, Corpus, DocKind, FileId, Incident, Ref, RefKind, Sourced};

use super::Rule;
use crate::diag::Level;

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[
    &DUPLICATE_ID,
    &UNRESOLVED_REFERENCE,
    &WRONG_REFERENCE_KIND,
    &TYPE_WITHOUT_RUNBOOK,
    &RUNBOOK_PHASES,
    &SYSTEM_INVENTORY,
    &ROLE_UNHELD,
    &MISSING_TABLE,
    &UNKNOWN_SEVERITY,
    &DOCUMENT_METADATA,
    &EXCEPTION_APPROVER,
    &INCIDENT_NOW,
    &NO_DEPUTY,
    &FIRST_CALL_HOURS,
];

/// The five response phases every runbook covers, by heading anchor.
pub const PHASES: [(&str, &str); 5] = [
    ("detection", "事象の検知"),
    ("initial-response", "初動対応・応急処置"),
    ("containment", "調査・封じ込め"),
    ("reporting", "報告・公表"),
    ("recovery", "抑制措置・復旧"),
];

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    type Part = fn(&Ctx, &mut Vec<Diagnostic>);
    // Independent of each other: run on the pool (the largest corpora spend a quarter of a
    // second here), their findings joined in this order.
    const PARTS: [Part; 14] = [
        duplicate_ids,
        references,
        markdown_links,
        notification_recipients,
        incident_types,
        runbook_phases,
        systems,
        roles,
        tables,
        document_metadata,
        incident_now,
        first_call_hours,
        deputies,
        exception_approvers,
    ];
    use rayon::prelude::*;
    let found: Vec<Vec<Diagnostic>> = PARTS
        .par_iter()
        .map(|part| {
            let mut found = Vec::new();
            part(ctx, &mut found);
            found
        })
        .collect();
    out.extend(found.into_iter().flatten());
}

pub static DUPLICATE_ID: Rule = Rule {
    code: "K0201",
    name: "duplicate-id",
    level: Level::Error,
    summary: "two records share an id",
    explanation: "Ids are unique across the whole corpus (documents, roles, contacts, systems, incidents, \
         drills, reviews, exceptions), so that a typed reference can never be ambiguous.",
};

pub static UNRESOLVED_REFERENCE: Rule = Rule {
    code: "K0202",
    name: "unresolved-reference",
    level: Level::Error,
    summary: "a typed reference that points at nothing",
    explanation: "A `role:`, `contact:`, `system:`, `runbook:`, `doc:`, `incident:`, `drill:`, `review:` or \
         `exception:` reference (in YAML or as a Markdown link) must name an existing record of \
         that kind. Dangling references are how a contact table drifts away from the regulation.",
};

fn duplicate_ids(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let ids = ctx.corpus.all_ids();
    let mut seen: FxHashMap<&str, &Defined> =
        FxHashMap::with_capacity_and_hasher(ids.len(), Default::default());
    for (id, def) in &ids {
        let id = *id;
        if id.is_empty() || id.chars().any(|c| !crate::model::values::is_id_char(c)) {
            out.push(
                ctx.diag("K0202", format!("`{id}` is not a valid id"))
                    .at(ctx.corpus.loc_line(def.file, def.line))
                    .help("ids use letters, digits, `-`, `_` and `.`"),
            );
        }
        if let Some(first) = seen.get(id) {
            let first_loc = ctx.corpus.loc_line(first.file, first.line);
            out.push(
                ctx.diag(
                    "K0201",
                    format!("id `{id}` is already used (first at {first_loc})"),
                )
                .at(crate::diag::Loc::new(
                    ctx.corpus.files[def.file].display_path.clone(),
                    def.line,
                    def.column,
                ))
                .help("give this record an id of its own; ids are unique across the whole corpus"),
            );
        } else {
            seen.insert(id, def);
        }
    }
}

/// A reference written in a record, with the kinds its field accepts.
struct RefUse<'a> {
    file: FileId,
    at: &'a At<Ref>,
    field: &'static str,
    allowed: &'static [RefKind],
    /// The record the reference is written in (`incident`, `INC-1`): formatted only when a
    /// finding needs it, so that listing a million references allocates no subjects.
    subject: Subject<'a>,
}

const ROLE: &[RefKind] = &[RefKind::Role];
const CONTACT: &[RefKind] = &[RefKind::Contact];
const ROLE_OR_CONTACT: &[RefKind] = &[RefKind::Role, RefKind::Contact];
const ANY: &[RefKind] = &RefKind::ALL;

/// The record a reference is written in, as [`RefUse::subject`] holds it.
type Subject<'a> = Option<(&'static str, &'a str)>;

/// `push` taking a reference use field by field, as the listings below write them.
fn pushing<'a, 'p>(
    push: &'p mut dyn FnMut(RefUse<'a>),
) -> impl FnMut(FileId, &'a At<Ref>, &'static str, &'static [RefKind], Subject<'a>) + 'p
where
    'a: 'p,
{
    move |file, at, field, allowed, subject| {
        push(RefUse {
            file,
            at,
            field,
            allowed,
            subject,
        })
    }
}

/// Every typed reference in the YAML of the corpus, handed to `push` one at a time (a million
/// at 100,000 incidents: never collected): the records other than incidents, in corpus order.
/// With [`incident_reference_uses`] for each incident, then [`reference_uses_after_incidents`],
/// this is every reference in the order the records are listed.
fn reference_uses_before_incidents<'a>(c: &'a Corpus, push: &mut dyn FnMut(RefUse<'a>)) {
    let mut push = pushing(push);
    for d in &c.documents {
        let m = &d.meta;
        let s = Some(("doc", m.id.value.as_str()));
        for (field, r) in [("owner", &m.owner), ("approved_by", &m.approved_by)] {
            if let Some(r) = r {
                push(d.file, r, field, ROLE, s);
            }
        }
        for ch in &m.changes {
            if let Some(r) = &ch.approved_by {
                push(d.file, r, "changes.approved_by", ROLE, s);
            }
        }
        if let Some(now) = &m.incident_now {
            push(
                d.file,
                &now.value.call,
                "incident_now.call",
                ROLE_OR_CONTACT,
                s,
            );
        }
    }
    for r in &c.roles {
        let s = Some(("role", r.id.value.as_str()));
        r.held_by
            .iter()
            .for_each(|h| push(r.file, h, "held_by", CONTACT, s));
        r.members
            .iter()
            .for_each(|m| push(r.file, m, "members", ROLE, s));
        if let Some(x) = &r.chair {
            push(r.file, x, "chair", ROLE, s);
        }
        if let Some(x) = &r.deputy {
            push(r.file, x, "deputy", CONTACT, s);
        }
    }
    for sys in &c.systems {
        if let Some(o) = &sys.owner {
            push(
                sys.file,
                o,
                "owner",
                ROLE,
                Some(("system", sys.id.value.as_str())),
            );
        }
    }
    for lvl in &c.severity_levels {
        push(lvl.file, &lvl.responsible, "responsible", ROLE, None);
    }
}

/// The typed references of one incident record.
fn incident_reference_uses<'a>(i: &'a Sourced<Box<Incident>>, push: &mut dyn FnMut(RefUse<'a>)) {
    let mut push = pushing(push);
    let s = Some(("incident", i.id.value.as_str()));
    i.systems
        .iter()
        .for_each(|r| push(i.file, r, "systems", &[RefKind::System], s));
    i.must_notify
        .iter()
        .for_each(|r| push(i.file, r, "must_notify", CONTACT, s));
    i.notifications
        .iter()
        .filter_map(|n| n.to.as_ref())
        .for_each(|to| push(i.file, to, "notifications.to", CONTACT, s));
    for t in &i.timeline {
        if let Some(by) = &t.by {
            push(i.file, by, "timeline.by", ROLE_OR_CONTACT, s);
        }
    }
    for a in &i.actions {
        if let Some(by) = &a.by {
            push(i.file, by, "actions.by", ROLE_OR_CONTACT, s);
        }
    }
    if let Some(plan) = &i.prevention_plan {
        for m in plan.technical.iter().chain(&plan.organizational) {
            if let Some(o) = &m.owner {
                push(i.file, o, "prevention_plan.owner", ROLE, s);
            }
        }
    }
}

/// The typed references of drills, reviews and exceptions.
fn reference_uses_after_incidents<'a>(c: &'a Corpus, push: &mut dyn FnMut(RefUse<'a>)) {
    let mut push = pushing(push);
    for d in &c.drills {
        let s = Some(("drill", d.id.value.as_str()));
        d.runbooks
            .iter()
            .for_each(|r| push(d.file, r, "runbooks", &[RefKind::Runbook], s));
        d.participants
            .iter()
            .for_each(|r| push(d.file, r, "participants", ROLE_OR_CONTACT, s));
    }
    for r in &c.reviews {
        let s = Some(("review", r.id.value.as_str()));
        push(r.file, &r.document, "document", &[RefKind::Doc], s);
        push(r.file, &r.reviewer, "reviewer", ROLE, s);
    }
    for e in &c.exceptions {
        let s = Some(("exception", e.id.value.as_str()));
        push(e.file, &e.record, "record", ANY, s);
        push(e.file, &e.approved_by, "approved_by", ROLE, s);
    }
}

pub static WRONG_REFERENCE_KIND: Rule = Rule {
    code: "K0203",
    name: "wrong-reference-kind",
    level: Level::Error,
    summary: "a reference of the wrong kind for its field",
    explanation: "Each field accepts only some kinds of reference: an owner is a `role:`, a role is held by \
         a `contact:` person, a notification goes to a `contact:`, and so on (docs/formats.md).",
};

fn references(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use rayon::prelude::*;
    let c = ctx.corpus;
    reference_uses_before_incidents(c, &mut |u| check_reference(ctx, &u, out));
    // Most references are the incidents': looked up in chunks on the pool, their findings
    // joined in the incidents' order.
    let found: Vec<Vec<Diagnostic>> = c
        .incidents
        .par_chunks(1024)
        .map(|chunk| {
            let mut found = Vec::new();
            for i in chunk {
                incident_reference_uses(i, &mut |u| check_reference(ctx, &u, &mut found));
            }
            found
        })
        .collect();
    out.extend(found.into_iter().flatten());
    reference_uses_after_incidents(c, &mut |u| check_reference(ctx, &u, out));
}

/// K0203 for a reference of a kind its field does not take, K0202 for one that names nothing.
fn check_reference(ctx: &Ctx, u: &RefUse<'_>, out: &mut Vec<Diagnostic>) {
    let r = &u.at.value;
    // Built only for a finding: most references resolve.
    let loc = || ctx.loc(u.file, u.at);
    let with_subject = |d: Diagnostic| match u.subject {
        Some((kind, id)) => d.subject(format!("{kind}:{id}")),
        None => d,
    };
    if !u.allowed.contains(&r.kind) {
        let allowed = u
            .allowed
            .iter()
            .map(|k| format!("`{}:`", k.prefix()))
            .collect::<Vec<_>>()
            .join(" or ");
        out.push(with_subject(
            ctx.diag(
                "K0203",
                format!("`{}` takes a {allowed} reference, not `{r}`", u.field),
            )
            .at(loc())
            .help(format!("write a {allowed} reference here")),
        ));
        return;
    }
    if r.kind == RefKind::Clause {
        return; // Clauses are anchors in documents: checked by the text rules.
    }
    // `kitei new`'s placeholder is reported once, as "fill this in" (K0608).
    if !ctx.exists(r.kind, &r.id) && r.id != crate::model::values::FILL_IN_ID {
        out.push(with_subject(unresolved(ctx, r).at(loc())));
    }
}

/// The diagnostic for a reference that names nothing, with the closest existing id.
fn unresolved(ctx: &Ctx, r: &Ref) -> Diagnostic {
    let candidates = ctx
        .corpus
        .ids()
        .filter(|(_, d)| d.kind == r.kind || (r.kind == RefKind::Doc && d.kind == RefKind::Runbook))
        .map(|(id, _)| id);
    let help = match closest(&r.id, candidates) {
        Some(best) => format!("did you mean `{}:{best}`?", r.kind.prefix()),
        None => format!(
            "add a {} record with id `{}`, or fix the reference",
            r.kind.prefix(),
            r.id
        ),
    };
    ctx.diag("K0202", format!("`{r}` does not exist"))
        .help(help)
}

/// The most similar candidate, when it is similar enough to be a likely typo.
pub fn closest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// Typed links in Markdown bodies (clause links are checked by the text rules).
fn markdown_links(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for d in &ctx.corpus.documents {
        for link in &d.links {
            let Some((prefix, _)) = link.dest.split_once(':') else {
                continue;
            };
            let Some(kind) = RefKind::from_prefix(prefix) else {
                continue;
            };
            if kind == RefKind::Clause {
                continue;
            }
            // Built only for a finding, and the reference read borrowed: most links resolve,
            // and copying each was a tenth of the family's time at 10,000 documents.
            let loc = || {
                let path = ctx.corpus.files[d.file].display_path.clone();
                crate::diag::Loc::new(path, link.line, link.column)
            };
            match Ref::parts(&link.dest) {
                Ok((kind, id, _)) if ctx.exists(kind, id) => {}
                Ok((kind, id, fragment)) => {
                    let r = Ref {
                        kind,
                        id: id.to_string(),
                        fragment: fragment.map(str::to_string),
                    };
                    out.push(
                        unresolved(ctx, &r)
                            .at(loc())
                            .subject(format!("doc:{}", d.id())),
                    );
                }
                Err(message) => out.push(
                    ctx.diag("K0202", message)
                        .at(loc())
                        .help("write the link target as a typed reference, e.g. (role:ciso)"),
                ),
            }
        }
    }
}

/// Every notification except one to the individuals names its recipient.
fn notification_recipients(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use crate::model::incident::NotificationKind;
    for i in &ctx.corpus.incidents {
        for n in i
            .notifications
            .iter()
            .filter(|n| n.to.is_none() && n.kind.value != NotificationKind::Individuals)
        {
            out.push(
                ctx.diag("K0203", "this notification names no recipient")
                    .at(ctx.loc(i.file, &n.kind))
                    .help("add `to: contact:<id>` (only notifications of kind `individuals` may leave it out)")
                    .subject(i.reference()),
            );
        }
    }
}

pub static TYPE_WITHOUT_RUNBOOK: Rule = Rule {
    code: "K0204",
    name: "type-without-runbook",
    level: Level::Error,
    summary: "an incident type that no runbook handles",
    explanation: "Every incident's `type` must be listed in some runbook's `incident_types`, so that each \
         incident can be traced to the procedure that governs it (ISO/IEC 27001 A.5.24, A.5.26).",
};

fn incident_types(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let handled: BTreeSet<&str> = ctx
        .corpus
        .runbooks()
        .flat_map(|r| r.meta.incident_types.iter().map(|t| t.value.as_str()))
        .collect();
    for i in &ctx.corpus.incidents {
        if !handled.contains(i.kind.value.as_str())
            && !i.kind.value.contains(crate::model::values::FILL_IN)
        {
            let help = match closest(&i.kind.value, handled.iter().copied()) {
                Some(best) => format!(
                    "did you mean `{best}`? otherwise add `{}` to a runbook's incident_types",
                    i.kind.value
                ),
                None => format!(
                    "add `{}` to the incident_types of the runbook that handles it",
                    i.kind.value
                ),
            };
            out.push(
                ctx.diag(
                    "K0204",
                    format!("no runbook handles incident type `{}`", i.kind.value),
                )
                .at(ctx.loc(i.file, &i.kind))
                .help(help)
                .subject(i.reference()),
            );
        }
    }
}

pub static RUNBOOK_PHASES: Rule = Rule {
    code: "K0205",
    name: "runbook-phases",
    level: Level::Error,
    summary: "a runbook that does not cover the five response phases",
    explanation: "A runbook must have a heading for each phase: detection {#detection}, initial response \
         {#initial-response}, investigation and containment {#containment}, reporting and \
         publication {#reporting}, recovery {#recovery} (the response flow of the regulation).",
};

fn runbook_phases(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for rb in ctx.corpus.runbooks() {
        let missing: Vec<String> = PHASES
            .iter()
            .filter(|(anchor, _)| rb.anchor(anchor).is_none())
            .map(|(anchor, title)| format!("{title} {{#{anchor}}}"))
            .collect();
        if !missing.is_empty() {
            out.push(
                ctx.diag("K0205", format!("runbook `{}` lacks the phase(s): {}", rb.id(), missing.join(", ")))
                    .at(ctx.loc(rb.file, &rb.meta.id))
                    .help("add a heading for each missing phase with that anchor, e.g. `## 事象の検知 {#detection}`")
                    .subject(format!("runbook:{}", rb.id())),
            );
        }
        if rb.meta.incident_types.is_empty() {
            out.push(
                ctx.diag("K0204", format!("runbook `{}` names no incident_types", rb.id()))
                    .at(ctx.loc(rb.file, &rb.meta.id))
                    .help("list the incident types this runbook handles, e.g. `incident_types: [malware]`"),
            );
        }
    }
}

pub static SYSTEM_INVENTORY: Rule = Rule {
    code: "K0206",
    name: "system-inventory",
    level: Level::Error,
    summary: "a system without owner or valid recovery priority",
    explanation: "Every system has an owner role and a recovery priority 0–3 that appears in the \
         recovery-priority table (3: must never stop, 2: within 24 h, 1: within 3 days, 0: may stop).",
};

fn systems(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let levels: BTreeSet<u8> = ctx
        .corpus
        .recovery_priorities
        .iter()
        .map(|p| p.level.value)
        .collect();
    for s in &ctx.corpus.systems {
        let subject = format!("system:{}", s.id.value);
        if s.owner.is_none() {
            out.push(
                ctx.diag("K0206", format!("system `{}` has no owner", s.id.value))
                    .at(ctx.loc(s.file, &s.id))
                    .help("add `owner: role:<id>` naming the role responsible for it")
                    .subject(subject.clone()),
            );
        }
        match &s.priority {
            None => out.push(
                ctx.diag(
                    "K0206",
                    format!("system `{}` has no recovery priority", s.id.value),
                )
                .at(ctx.loc(s.file, &s.id))
                .help("add `priority:` 0–3 (3: must never stop, 2: 24 h, 1: 3 days, 0: may stop)")
                .subject(subject),
            ),
            Some(p) if p.value > 3 || (!levels.is_empty() && !levels.contains(&p.value)) => out
                .push(
                    ctx.diag(
                        "K0206",
                        format!(
                            "recovery priority {} is not in the recovery-priority table",
                            p.value
                        ),
                    )
                    .at(ctx.loc(s.file, p))
                    .help("use a level defined under recovery_priorities (0–3)")
                    .subject(subject),
                ),
            Some(_) => {}
        }
    }
}

pub static ROLE_UNHELD: Rule = Rule {
    code: "K0207",
    name: "role-unheld",
    level: Level::Error,
    summary: "a role nobody holds, or a committee without members",
    explanation: "A role that nobody holds cannot act during an incident. Roles need `held_by`, committees \
         need `members`.",
};

fn roles(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for r in &ctx.corpus.roles {
        let subject = format!("role:{}", r.id.value);
        if r.committee && r.members.is_empty() {
            out.push(
                ctx.diag(
                    "K0207",
                    format!("committee `{}` has no members", r.id.value),
                )
                .at(ctx.loc(r.file, &r.id))
                .help("list its member roles under `members:`")
                .subject(subject),
            );
        } else if !r.committee && r.held_by.is_empty() {
            out.push(
                ctx.diag("K0207", format!("role `{}` is held by nobody", r.id.value))
                    .at(ctx.loc(r.file, &r.id))
                    .help("add `held_by: [contact:<person id>]`")
                    .subject(subject),
            );
        }
    }
}

pub static MISSING_TABLE: Rule = Rule {
    code: "K0208",
    name: "missing-table",
    level: Level::Error,
    summary: "a required table is missing or incomplete",
    explanation: "roles.yaml, contacts.yaml, systems.yaml and severity.yaml must exist; severity levels 0–3 \
         must each be defined exactly once.",
};

pub static UNKNOWN_SEVERITY: Rule = Rule {
    code: "K0209",
    name: "unknown-severity",
    level: Level::Error,
    summary: "an incident severity that the severity table does not define",
    explanation: "An incident's severity must be one of the levels in severity.yaml.",
};

fn tables(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let c = ctx.corpus;
    let root = ctx.project.config.source.clone();
    for name in ["roles", "contacts", "systems", "severity"] {
        if !c.tables_present.contains_key(name) {
            out.push(
                ctx.diag("K0208", format!("{name}.yaml is missing"))
                    .at(crate::diag::Loc::file(root.join(format!("{name}.yaml"))))
                    .help(format!(
                        "create {name}.yaml in the source folder (see docs/formats.md)"
                    )),
            );
        }
    }
    if let Some(&file) = c.tables_present.get("severity") {
        for level in 0..=3u8 {
            let defs: Vec<_> = c
                .severity_levels
                .iter()
                .filter(|l| l.level.value == level)
                .collect();
            if defs.len() != 1 {
                let (message, loc) = match defs.get(1) {
                    Some(second) => (
                        format!("severity level {level} is defined more than once"),
                        ctx.loc(second.file, &second.level),
                    ),
                    None => (
                        format!("severity level {level} is not defined"),
                        c.file_loc(file),
                    ),
                };
                out.push(
                    ctx.diag("K0208", message)
                        .at(loc)
                        .help("define each of the levels 0–3 exactly once"),
                );
            }
        }
        for l in c.severity_levels.iter().filter(|l| l.level.value > 3) {
            out.push(
                ctx.diag(
                    "K0208",
                    format!("severity level {} is outside 0–3", l.level.value),
                )
                .at(ctx.loc(l.file, &l.level))
                .help("use levels 0–3"),
            );
        }
    }
    let defined: BTreeSet<u8> = c.severity_levels.iter().map(|l| l.level.value).collect();
    for i in &c.incidents {
        if !defined.is_empty() && !defined.contains(&i.severity.value) {
            out.push(
                ctx.diag(
                    "K0209",
                    format!(
                        "severity {} is not defined in severity.yaml",
                        i.severity.value
                    ),
                )
                .at(ctx.loc(i.file, &i.severity))
                .help("use one of the levels 0–3 defined in severity.yaml")
                .subject(i.reference()),
            );
        }
    }
}

pub static DOCUMENT_METADATA: Rule = Rule {
    code: "K0210",
    name: "document-metadata",
    level: Level::Error,
    summary: "a regulation without approval, effective date, version or review cycle",
    explanation: "A regulation document needs `version`, `owner`, `approved_by`, `approved_on`, \
         `effective_on` (not before approval) and `review_every`: every change must be approved, \
         dated and communicated (clause 改訂 of the regulation).",
};

fn document_metadata(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for d in &ctx.corpus.documents {
        let m = &d.meta;
        let subject = format!("doc:{}", m.id.value);
        if d.kind() != DocKind::Regulation {
            if m.owner.is_none() {
                out.push(
                    ctx.diag("K0210", format!("document `{}` names no owner", m.id.value))
                        .at(ctx.loc(d.file, &m.id))
                        .help("add `owner: role:<id>` to the front matter")
                        .subject(subject),
                );
            }
            continue;
        }
        let missing: Vec<&str> = [
            ("version", m.version.is_none()),
            ("owner", m.owner.is_none()),
            ("approved_by", m.approved_by.is_none()),
            ("approved_on", m.approved_on.is_none()),
            ("effective_on", m.effective_on.is_none()),
            ("review_every", m.review_every.is_none()),
        ]
        .into_iter()
        .filter_map(|(f, missing)| missing.then_some(f))
        .collect();
        if !missing.is_empty() {
            out.push(
                ctx.diag(
                    "K0210",
                    format!("regulation `{}` lacks {}", m.id.value, missing.join(", ")),
                )
                .at(ctx.loc(d.file, &m.id))
                .help("add the missing fields to the front matter (see docs/formats.md)")
                .subject(subject.clone()),
            );
        }
        if let (Some(approved), Some(effective)) = (&m.approved_on, &m.effective_on)
            && effective.value < approved.value
        {
            out.push(
                ctx.diag(
                    "K0210",
                    format!(
                        "effective_on {} is before approved_on {}",
                        effective.value, approved.value
                    ),
                )
                .at(ctx.loc(d.file, effective))
                .help("a regulation takes effect on or after the day it is approved")
                .subject(subject),
            );
        }
    }
}

/// The most steps the home page's "incident now?" box shows.
pub const INCIDENT_NOW_MAX_STEPS: usize = 3;

pub static INCIDENT_NOW: Rule = Rule {
    code: "K0212",
    name: "incident-now",
    level: Level::Error,
    summary: "a regulation without a valid `incident_now` (first call and first steps)",
    explanation: "The home page of the site always shows what to do when something happens: the first number \
         to call and the first things to do. They come from the regulation's front matter, \
         `incident_now: { call: role:… or contact:…, steps: [...] }`, so that they are approved with \
         the regulation instead of guessed: `call` is whom the regulation says to report to first \
         and must reach someone with a `phone` or `mobile` channel; `steps` are one to three short, \
         non-empty texts (the reporting duties of the regulation, in order).",
};

/// Every regulation says whom to call first and what to do first (the home page's box).
fn incident_now(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for d in ctx
        .corpus
        .documents
        .iter()
        .filter(|d| d.kind() == DocKind::Regulation)
    {
        let m = &d.meta;
        let subject = format!("doc:{}", m.id.value);
        let Some(now) = &m.incident_now else {
            out.push(
                ctx.diag("K0212", format!("regulation `{}` has no `incident_now` (whom to call first and the first steps)", m.id.value))
                    .at(ctx.loc(d.file, &m.id))
                    .help("add `incident_now: { call: role:<id>, steps: [..] }` to the front matter: whom the regulation says to report to first, and one to three first steps")
                    .subject(subject),
            );
            continue;
        };
        let steps = &now.value.steps;
        if steps.value.is_empty() || steps.value.len() > INCIDENT_NOW_MAX_STEPS {
            let at = if steps.line > 0 {
                ctx.loc(d.file, steps)
            } else {
                ctx.loc(d.file, now)
            };
            out.push(
                ctx.diag("K0212", format!("`incident_now` of `{}` has {} step(s); give 1 to {INCIDENT_NOW_MAX_STEPS}", m.id.value, steps.value.len()))
                    .at(at)
                    .help("the home page shows the first steps at a glance: keep the most important one to three, the runbooks hold the rest")
                    .subject(subject.clone()),
            );
        }
        for (n, step) in steps.value.iter().enumerate() {
            if step.value.trim().is_empty() {
                out.push(
                    ctx.diag(
                        "K0212",
                        format!("step {} of `incident_now` is empty", n + 1),
                    )
                    .at(ctx.loc(d.file, step))
                    .help("write the step, or remove it")
                    .subject(subject.clone()),
                );
            }
        }
        let call = &now.value.call;
        // A role nobody holds is K0207's finding (or K0203's, held by a non-person): only a
        // call that reaches people without a phone number is reported here.
        let reaches_someone = match call.kind {
            RefKind::Role => ctx.corpus.role(&call.id).is_some_and(|role| {
                role.held_by
                    .iter()
                    .chain(role.deputy.iter())
                    .any(|h| ctx.exists(RefKind::Contact, &h.value.id))
            }),
            _ => ctx.exists(call.kind, &call.id),
        };
        if reaches_someone && call_phones(ctx, &call.value).is_empty() {
            out.push(
                ctx.diag("K0212", format!("`incident_now.call` `{}` reaches nobody with a phone number", call.value))
                    .at(ctx.loc(d.file, call))
                    .help("give the role's holder (or the contact) a `phone` or `mobile` channel in contacts.yaml, or name someone who has one")
                    .subject(subject),
            );
        }
    }
}

pub static FIRST_CALL_HOURS: Rule = Rule {
    code: "K0214",
    name: "first-call-hours",
    level: Level::Warning,
    summary: "hours of the week when no number of the first call answers",
    explanation: "Incidents happen at night and on weekends too. The numbers the home page gives for the \
         first call are the regulation's `incident_now.channels` and the phones of the first-call \
         role (`incident_now.call`: its holders, then its deputy); each says when it answers with \
         `open` (`mon-fri 08:30-19:00`, `daily 19:00-08:30, weekends`, `24h`, in the regulation's \
         time zone). This rule reports the hours of the week that none of them covers, such as a \
         helpdesk open on weekdays only. A phone without `open` counts for no hour: its hours are \
         not known. Public holidays are not modelled.",
};

/// The first call answers at every hour of the week (K0214).
fn first_call_hours(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use crate::model::hours::{WEEK, minute_name, uncovered};
    use crate::model::tables::ChannelKind;
    for d in ctx
        .corpus
        .documents
        .iter()
        .filter(|d| d.kind() == DocKind::Regulation)
    {
        let Some(now) = &d.meta.incident_now else {
            continue;
        };
        let now = &now.value;
        let named = now
            .channels
            .iter()
            .filter(|c| matches!(c.kind, ChannelKind::Phone | ChannelKind::Mobile))
            .filter_map(|c| c.open.as_ref());
        let role = call_phones(ctx, &now.call.value)
            .into_iter()
            .filter_map(|c| c.open.as_ref());
        let gaps = uncovered(named.chain(role).map(|o| &o.value));
        if gaps.is_empty() {
            continue;
        }
        let minutes: u32 = gaps.iter().map(|(s, e)| u32::from(e - s)).sum();
        // The week wraps: a gap at its end and one at its start are one gap (Fri 19:00 –
        // Mon 08:30). The longest are named first.
        let mut longest: Vec<(u16, u16, u16)> = gaps.iter().map(|&(s, e)| (s, e, e - s)).collect();
        if longest.len() > 1 && longest[0].0 == 0 && longest[longest.len() - 1].1 == WEEK {
            let first = longest.remove(0);
            if let Some(last) = longest.last_mut() {
                *last = (last.0, first.1, last.2 + first.2);
            }
        }
        longest.sort_by_key(|g| std::cmp::Reverse(g.2));
        let mut shown: Vec<String> = longest
            .iter()
            .take(3)
            .map(|&(s, e, _)| format!("{} – {}", minute_name(s), minute_name(e % WEEK)))
            .collect();
        if longest.len() > 3 {
            shown.push(format!("and {} more", longest.len() - 3));
        }
        out.push(
            ctx.diag(
                "K0214",
                format!(
                    "no number of the first call (`{}`) answers for {} of the 168 hours of the week: {}",
                    now.call.value,
                    minutes.div_ceil(60),
                    shown.join(", ")
                ),
            )
            .at(ctx.loc(d.file, &now.call))
            .help("add a number for those hours to `incident_now.channels` (e.g. `{ name: 夜間・休日当番, kind: mobile, value: \"…\", open: \"daily 19:00-08:30, weekends\" }`), or write `open:` on the phones that answer then")
            .subject(format!("doc:{}", d.meta.id.value)),
        );
    }
}

/// The phone and mobile channels that `incident_now.call` reaches, in order: a role's holders
/// (then its deputy), or the contact itself.
pub fn call_phones<'c>(ctx: &Ctx<'c>, call: &Ref) -> Vec<&'c crate::model::tables::Channel> {
    use crate::model::tables::ChannelKind;
    let c = ctx.corpus;
    let channels_of = |id: &str| -> Vec<&'c crate::model::tables::Channel> {
        let person = c.person(id).map(|p| &p.item.channels);
        let org = || c.organisation(id).map(|o| &o.item.channels);
        person
            .or_else(org)
            .into_iter()
            .flatten()
            .filter(|ch| matches!(ch.kind, ChannelKind::Phone | ChannelKind::Mobile))
            .collect()
    };
    match call.kind {
        RefKind::Role => c
            .role(&call.id)
            .map(|role| {
                role.held_by
                    .iter()
                    .chain(role.deputy.iter())
                    .flat_map(|h| channels_of(&h.value.id))
                    .collect()
            })
            .unwrap_or_default(),
        RefKind::Contact => channels_of(&call.id),
        _ => Vec::new(),
    }
}

/// True when `r` names a role marked as a committee.
pub fn is_committee(ctx: &Ctx, r: &Ref) -> bool {
    r.kind == RefKind::Role && ctx.corpus.role(&r.id).is_some_and(|role| role.committee)
}

pub static EXCEPTION_APPROVER: Rule = Rule {
    code: "K0211",
    name: "exception-approver",
    level: Level::Error,
    summary: "an exception not approved by a committee",
    explanation: "Exceptions (例外事項) need the security committee's approval: `approved_by` must name a role \
         with `committee: true`. Until then the exception waives nothing.",
};

fn exception_approvers(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for e in &ctx.corpus.exceptions {
        if e.approved_by.kind == RefKind::Role
            && ctx.exists(RefKind::Role, &e.approved_by.id)
            && !is_committee(ctx, &e.approved_by)
        {
            out.push(
                ctx.diag(
                    "K0211",
                    format!(
                        "exception `{}` is approved by `{}`, which is not a committee",
                        e.id.value, e.approved_by.value
                    ),
                )
                .at(ctx.loc(e.file, &e.approved_by))
                .help(
                    "exceptions need the committee's approval: name a role with `committee: true`",
                )
                .subject(format!("exception:{}", e.id.value)),
            );
        }
        if super::rule(&e.rule.value).is_none()
            && !e.rule.value.contains(crate::model::values::FILL_IN)
        {
            out.push(
                ctx.diag(
                    "K0202",
                    format!(
                        "exception `{}` waives unknown rule `{}`",
                        e.id.value, e.rule.value
                    ),
                )
                .at(ctx.loc(e.file, &e.rule))
                .help("name a rule code listed by `kitei rules`"),
            );
        }
    }
}

pub static NO_DEPUTY: Rule = Rule {
    code: "K0213",
    name: "no-deputy",
    level: Level::Warning,
    summary: "a first-call role or committee chair held by one person with no deputy",
    explanation: "The role the regulation says to call first (`incident_now.call`) and the chair of \
         each committee must be reachable when their holder is on leave or is the one affected: \
         a role held by a single person needs a `deputy` (代行者). Roles held by two or more \
         people cover each other.",
};

/// First-call roles and committee chairs held by one person, with no deputy.
fn deputies(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut wanted: Vec<(&str, &'static str)> = Vec::new();
    for d in ctx
        .corpus
        .documents
        .iter()
        .filter(|d| d.kind() == DocKind::Regulation)
    {
        if let Some(now) = &d.meta.incident_now
            && now.value.call.kind == RefKind::Role
        {
            wanted.push((
                now.value.call.id.as_str(),
                "the first call (incident_now.call)",
            ));
        }
    }
    for r in ctx.corpus.roles.iter().filter(|r| r.committee) {
        if let Some(chair) = &r.chair {
            wanted.push((chair.value.id.as_str(), "a committee chair"));
        }
    }
    let mut done = BTreeSet::new();
    for (id, why) in wanted {
        let Some(role) = ctx.corpus.role(id) else {
            continue;
        };
        if role.held_by.len() == 1 && role.deputy.is_none() && done.insert(id) {
            out.push(
                ctx.diag(
                    "K0213",
                    format!("role `{id}` ({}) is {why} but has no deputy", role.name),
                )
                .at(ctx.loc(role.file, &role.id))
                .help("add `deputy: contact:<id>`: who acts when the holder cannot be reached")
                .subject(format!("role:{id}")),
            );
        }
    }
}
