//! The compliance dashboard (`dashboard.html`): the check report, overdue duties, upcoming
//! deadlines, open incidents, counts and mean response times drawn as inline SVG; and, when
//! the report is longer than a page, every finding on pages of their own (`findings.html`,
//! `findings-2.html`, …).
//!
//! Audience: everything here is computed from what the audience may see. Findings whose
//! subject, file or text names a record the audience may not see are left out (and counted),
//! deadlines and statistics cover visible records only. The restricted build shows all.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use aho_corasick::AhoCorasick;
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use serde_json::{Value, json};

use super::pagination::{LIST_PAGE_SIZE, cut_ranges, fingerprint};
use super::{Site, incident_url, status_key};
use crate::check::notifications::{self, DutyStatus};
use crate::check::{duties, exception_for};
use crate::diag::{Diagnostic, Level};
use crate::model::incident::{Incident, MeasureStatus, Status};
use crate::model::{At, DocKind, Ref, RefKind, Timestamp};
use crate::render::charts::{self, Bar, Column, Marker};
use crate::render::{Audience, reuse};

/// The first page of the full list of findings (the dashboard shows the first page's worth).
const FINDINGS: &str = "findings.html";

/// The mean-time charts draw the latest this many incidents (the mean is of all of them): one
/// bar per incident of a long history was unreadable, and 3 MB of SVG per chart at 10,000.
const TIME_BARS: usize = 30;

/// At most this many months in the incidents-by-month chart (the most recent ones).
const MAX_MONTHS: usize = 36;

/// What a finding must not mention to be shown to a lower audience.
pub(super) struct Hidden {
    /// Files that hold a single record this audience may not see.
    files: HashSet<PathBuf>,
    /// Ids (matched as whole tokens) and titles and names (matched as substrings) of hidden
    /// records, searched for all at once: one pass over a finding's text whatever the
    /// number of hidden records (a loop over them made the dashboard findings × records).
    mentions: Mentions,
}

/// An Aho-Corasick automaton over the hidden ids and names.
struct Mentions {
    automaton: Option<AhoCorasick>,
    /// Per pattern: true for an id (a match must be a whole token), false for a name.
    is_id: Vec<bool>,
}

impl Mentions {
    fn new(ids: HashSet<String>, names: HashSet<String>) -> Mentions {
        let mut patterns: Vec<(String, bool)> = ids
            .into_iter()
            .filter(|id| !id.is_empty())
            .map(|id| (id, true))
            .chain(names.into_iter().map(|n| (n, false)))
            .collect();
        // Same automaton whatever the hash sets' order.
        patterns.sort();
        let automaton = (!patterns.is_empty())
            .then(|| AhoCorasick::new(patterns.iter().map(|(p, _)| p)).ok())
            .flatten();
        Mentions {
            automaton,
            is_id: patterns.into_iter().map(|(_, id)| id).collect(),
        }
    }

    /// True when `text` holds a hidden name anywhere or a hidden id as a whole token.
    fn found_in(&self, text: &str) -> bool {
        let Some(automaton) = &self.automaton else {
            return false;
        };
        automaton
            .find_overlapping_iter(text)
            .any(|m| !self.is_id[m.pattern().as_usize()] || is_token(text, m.start(), m.end()))
    }
}

/// What decides where the pages of findings are cut ([`cut_ranges`]): the finding's rule,
/// file and message, not its line, which an edit above it moves.
fn page_fingerprint(d: &Diagnostic) -> u64 {
    let path = d
        .location
        .as_ref()
        .map_or(&b""[..], |l| l.path.as_os_str().as_encoded_bytes());
    fingerprint(&[d.code.as_bytes(), path, d.message.as_bytes()])
}

/// A deadline row before sorting: (due day or `None` for "never done", tie-breaker, row).
type Row = (Option<NaiveDate>, String, Value);

impl<'a> Site<'a> {
    /// Records of every kind this audience may not see, as file paths, ids and names.
    pub(super) fn hidden_records(&self) -> &Hidden {
        self.hidden_records
            .get_or_init(|| self.find_hidden_records())
    }

    fn find_hidden_records(&self) -> Hidden {
        let c = self.corpus;
        let mut files = HashSet::new();
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        if self.audience == Audience::Restricted {
            return Hidden {
                files,
                mentions: Mentions::new(ids, names),
            };
        }
        let mut add = |kind: RefKind, id: &At<String>, name: Option<&str>, file: Option<usize>| {
            if self.hidden_id(kind, &id.value) {
                ids.insert(id.value.clone());
                names.extend(name.filter(|n| n.chars().count() >= 2).map(str::to_string));
                if let Some(f) = file {
                    files.insert(c.files[f].display_path.clone());
                }
            }
        };
        for d in &c.documents {
            let kind = if d.kind() == DocKind::Runbook {
                RefKind::Runbook
            } else {
                RefKind::Doc
            };
            add(kind, &d.meta.id, Some(&d.meta.title), Some(d.file));
        }
        for i in &c.incidents {
            add(RefKind::Incident, &i.id, Some(&i.title), Some(i.file));
        }
        for d in &c.drills {
            add(RefKind::Drill, &d.id, Some(&d.title), Some(d.file));
        }
        for r in &c.reviews {
            add(RefKind::Review, &r.id, None, Some(r.file));
        }
        for e in &c.exceptions {
            add(RefKind::Exception, &e.id, None, Some(e.file));
        }
        for r in &c.roles {
            add(RefKind::Role, &r.id, Some(&r.name), None);
        }
        for p in &c.people {
            add(RefKind::Contact, &p.id, Some(&p.name), None);
        }
        for o in &c.organisations {
            add(RefKind::Contact, &o.id, Some(&o.name), None);
        }
        for s in &c.systems {
            add(RefKind::System, &s.id, Some(&s.name), None);
        }
        // The roster and the acknowledgements are restricted, always: findings in them name
        // people. By place, so that a file that did not load (whose error may quote a cell)
        // is hidden too.
        for f in &c.files {
            let rel = &f.rel_path;
            if rel.starts_with("acknowledgements") || rel.as_os_str() == "roster.yaml" {
                files.insert(f.display_path.clone());
            }
        }
        Hidden {
            files,
            mentions: Mentions::new(ids, names),
        }
    }

    /// True when `d` may be shown: its subject is visible, it does not point into a hidden
    /// record's file, and its text names no hidden record.
    pub(super) fn finding_visible(&self, d: &Diagnostic, hidden: &Hidden) -> bool {
        if self.audience == Audience::Restricted {
            return true;
        }
        if let Some(subject) = &d.subject {
            match Ref::parts(subject) {
                Ok((kind, id, _)) if self.hidden_id(kind, id) => return false,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        if d.location
            .as_ref()
            .is_some_and(|l| hidden.files.contains(&l.path))
        {
            return false;
        }
        let texts = [
            Some(d.message.as_str()),
            d.help.as_deref(),
            d.subject.as_deref(),
        ];
        let location = d.location.as_ref().map(|l| l.path.to_string_lossy());
        let texts = texts.into_iter().flatten().chain(location.as_deref());
        !texts.into_iter().any(|t| hidden.mentions.found_in(t))
    }

    fn finding_json(&self, d: &Diagnostic) -> Value {
        let subject = d
            .subject
            .as_ref()
            .and_then(|s| s.parse::<Ref>().ok())
            .map(|r| self.ref_json(&r));
        json!({
            "level": d.level.as_str(),
            "level_label": self.t(if d.level == Level::Error { "level_error" } else { "level_warning" }),
            "code": d.code,
            "rule": self.rule_name(&d.code),
            "message": d.message,
            "message_lang": self.message_lang(),
            "help": d.help,
            "location": d.location.as_ref().map(|l| l.to_string()),
            "subject": subject,
        })
    }

    pub(super) fn dashboard(&self) {
        let report = &self.info.report;
        let hidden = self.hidden_records();
        // In parallel, in the report's order: at 10,000 documents 13,000 findings, each
        // searched for every hidden record's id and name.
        let visible: Vec<&Diagnostic> = report
            .diagnostics
            .par_iter()
            .filter(|d| self.finding_visible(d, hidden))
            .collect();
        let mut not_shown = report.diagnostics.len() - visible.len();
        let (findings, findings_all) = self.findings_pages(&visible);
        let mut waived = Vec::new();
        for w in &report.waived {
            if self.finding_visible(&w.diagnostic, hidden) {
                let mut row = self.finding_json(&w.diagnostic);
                row["exception"] =
                    self.ref_json(&Ref::new(RefKind::Exception, w.exception.clone()));
                row["expires_on"] = json!(w.expires_on);
                waived.push(row);
            } else {
                not_shown += 1;
            }
        }
        let (overdue, upcoming) = self.deadlines();
        let incidents = self.incidents();
        let open: Vec<Value> = incidents
            .iter()
            .filter(|i| i.status.value != Status::Closed)
            .map(|i| self.open_incident_json(i))
            .collect();
        let mut page = json!({
            "as_of": self.info.as_of.to_string(),
            "summary": {
                "errors": report.errors(),
                "warnings": report.warnings(),
                "waived": report.waived.len(),
                "not_shown": not_shown,
                "overdue": overdue.iter().filter(|r| r["waived"].is_null()).count(),
                "overdue_waived": overdue.iter().filter(|r| !r["waived"].is_null()).count(),
                "open": open.len(),
            },
            "deadlines": [
                {"id": "overdue", "title": self.t("overdue_duties"), "late": true, "empty": self.t("no_overdue")},
                {"id": "upcoming", "title": self.t("upcoming_deadlines"), "late": false, "empty": self.t("none")},
            ],
            "stats": self.statistics(&incidents),
            "records": self.record_counts(),
            "acknowledgements": self.acknowledgement_summary(),
        });
        // The long lists are moved in, not copied by `json!` (at 10,000 documents the findings
        // alone are tens of MB as JSON values).
        page["findings"] = Value::Array(findings);
        page["findings_all"] = findings_all;
        page["waived"] = Value::Array(waived);
        page["deadlines"][0]["rows"] = Value::Array(overdue);
        page["deadlines"][1]["rows"] = Value::Array(upcoming);
        page["open_incidents"] = Value::Array(open);
        let title = self.t("nav_dashboard");
        self.render("dashboard.html", "dashboard.html", title, "dashboard", page);
    }

    /// The findings the dashboard lists (the first [`LIST_PAGE_SIZE`]) and, for a longer
    /// report, `{url, count}` of the pages that list them all (`findings.html`,
    /// `findings-2.html`, …), rendered here. Each page's entries are made when it is rendered,
    /// so no page (and no moment of the build) holds every finding as page data: at 10,000
    /// documents one page of 13,000 findings was 10 MB of HTML and the build's peak of memory.
    /// The pages are cut by the findings themselves ([`cut_ranges`], [`page_fingerprint`])
    /// and say how many findings they list, not how many there are: a finding that comes or
    /// goes changes its own page, not every page after it (the dashboard gives the total).
    fn findings_pages(&self, visible: &[&Diagnostic]) -> (Vec<Value>, Value) {
        let json = |ds: &[&Diagnostic]| -> Vec<Value> {
            ds.iter().map(|d| self.finding_json(d)).collect()
        };
        let shown = json(&visible[..visible.len().min(LIST_PAGE_SIZE)]);
        if visible.len() <= LIST_PAGE_SIZE {
            return (shown, Value::Null);
        }
        let title = self.t("findings_title");
        let count = visible.len();
        let fingerprints: Vec<u64> = visible.iter().map(|d| page_fingerprint(d)).collect();
        // In parallel: the dashboard is one task among the kinds of pages, and its findings
        // pages (at 10,000 documents 130) were that task's alone; now a thread done with its
        // own kinds of pages takes some.
        cut_ranges(FINDINGS, &fingerprints)
            .into_par_iter()
            .for_each(|(url, range, pager)| {
                let findings = &visible[range];
                // Keyed by the findings themselves, not by the page made of them: only a
                // page that is not reused is made (at 10,000 documents 130 pages of 100,
                // which took ≈ 90 ms of CPU per `kitei serve` rebuild to make and hash).
                let mut inputs = reuse::KeyBuilder::new("findings-page");
                inputs.json(&pager);
                self.finding_inputs(&mut inputs, findings);
                let build = || {
                    let page = json!({"findings": json(findings), "count": findings.len(), "pager": &pager});
                    (page, true)
                };
                let inputs = inputs.finish();
                self.render_declared(
                    "findings.html",
                    &url,
                    title,
                    "dashboard",
                    &inputs,
                    true,
                    &build,
                );
            });
        (shown, json!({"url": FINDINGS, "count": count}))
    }

    /// Everything [`Site::finding_json`] reads of `findings`, for a key: each finding as it
    /// is, and the name and page of the record it is about. (What else it shows, the labels
    /// and rule names, is the page language's and the binary's: in every page's base key.)
    fn finding_inputs(&self, key: &mut reuse::KeyBuilder, findings: &[&Diagnostic]) {
        key.part(&(findings.len() as u64).to_le_bytes());
        for d in findings {
            key.json(d);
            match d.subject.as_ref().and_then(|s| s.parse::<Ref>().ok()) {
                Some(r) => {
                    let (name, url) = self.ref_name_url(&r);
                    key.part(b"subject").part(name.as_bytes());
                    match url {
                        Some(url) => key.part(b"url").part(url.as_bytes()),
                        None => key.part(b"no url"),
                    };
                }
                None => {
                    key.part(b"no subject");
                }
            }
        }
    }

    fn open_incident_json(&self, i: &Incident) -> Value {
        let as_of = self.info.as_of;
        let detected = i.detected_at.value.date_in(self.tz);
        let next = notifications::dated_duties(&self.check, i)
            .into_iter()
            .filter(|d| d.status == DutyStatus::Pending)
            .min_by_key(|d| d.due)
            .map(|d| self.duty_json(&d));
        json!({
            "id": i.id.value,
            "url": incident_url(&i.id.value),
            "title": i.title,
            "severity": i.severity.value,
            "status": self.t(status_key(i.status.value)),
            "status_key": status_key(i.status.value),
            "detected_at": self.ts(&i.detected_at.value),
            "days_open": (as_of - detected).num_days() + 1,
            "next_duty": next,
        })
    }

    /// Overdue duties and upcoming deadlines of what this audience may see, each sorted by
    /// due day: incidents' dated reports and notices (the same list the rules check),
    /// prevention measures, contact re-verification, the regulation's review, the next drill
    /// and the expiry of exceptions.
    fn deadlines(&self) -> (Vec<Value>, Vec<Value>) {
        let mut out = Deadlines {
            as_of: self.info.as_of,
            overdue: Vec::new(),
            upcoming: Vec::new(),
        };
        self.incident_deadlines(&mut out);
        self.contact_deadlines(&mut out);
        self.review_deadlines(&mut out);
        self.drill_deadline(&mut out);
        self.exception_deadlines(&mut out);
        out.sorted()
    }

    /// Each incident's notification duties not yet done, and its prevention measures not yet done.
    fn incident_deadlines(&self, out: &mut Deadlines) {
        let ctx = &self.check;
        for i in self.incidents() {
            let subject = self.ref_json(&Ref::new(RefKind::Incident, i.id.value.clone()));
            for d in notifications::dated_duties(ctx, i) {
                let late = match d.status {
                    DutyStatus::Missing => true,
                    DutyStatus::Pending => false,
                    DutyStatus::OnTime | DutyStatus::Late => continue,
                };
                let duty = self.duty_json(&d);
                let what = format!(
                    "{}{}{}{}",
                    duty["kind"].as_str().unwrap_or(""),
                    self.t("paren_open"),
                    duty["law"].as_str().unwrap_or(""),
                    self.t("paren_close")
                );
                let detail = format!(
                    "{}: {}",
                    self.t("to"),
                    duty["to"]["name"].as_str().unwrap_or("")
                );
                let due = d.due.date(self.tz);
                let mut r = out.row(
                    Some(due),
                    duty["due"].as_str().unwrap_or("").to_string(),
                    &what,
                    vec![subject.clone()],
                    Some(detail),
                );
                r["waived"] = self.waiver_json(d.code, &i.reference());
                out.push(Some(due), format!("1{}{}", i.id.value, d.code), late, r);
            }
            let Some(plan) = &i.prevention_plan else {
                continue;
            };
            for m in plan
                .value
                .technical
                .iter()
                .chain(&plan.value.organizational)
            {
                let (MeasureStatus::Planned | MeasureStatus::InProgress, Some(due)) =
                    (m.status, &m.due)
                else {
                    continue;
                };
                let due = due.value.0;
                let mut r = out.row(
                    Some(due),
                    due.to_string(),
                    self.t("deadline_measure"),
                    vec![subject.clone()],
                    Some(m.measure.value.clone()),
                );
                r["waived"] = self.waiver_json("K0505", &i.reference());
                out.push(
                    Some(due),
                    format!("2{}{}", i.id.value, m.measure.value),
                    due < out.as_of,
                    r,
                );
            }
        }
    }

    /// Contacts: one row per re-verification day, naming every contact due that day.
    fn contact_deadlines(&self, out: &mut Deadlines) {
        let ctx = &self.check;
        // Contacts: one row per re-verification day, naming every contact due that day.
        let mut contacts: BTreeMap<Option<NaiveDate>, Vec<Value>> = BTreeMap::new();
        let people = self
            .corpus
            .people
            .iter()
            .map(|p| (&p.id, &p.last_verified, p.visibility));
        let orgs = self
            .corpus
            .organisations
            .iter()
            .map(|o| (&o.id, &o.last_verified, o.visibility));
        for (id, verified, vis) in people.chain(orgs) {
            if !self.audience.sees(vis) {
                continue;
            }
            let due = verified
                .as_ref()
                .map(|v| duties::contact_due(ctx, v.value.0));
            contacts
                .entry(due)
                .or_default()
                .push(self.ref_json(&Ref::new(RefKind::Contact, id.value.clone())));
        }
        for (due, subjects) in contacts {
            let text = match due {
                Some(d) => d.to_string(),
                None => self.t("never_verified").to_string(),
            };
            let r = out.row(due, text, self.t("deadline_contact"), subjects, None);
            out.push(due, "3".into(), due.is_none_or(|d| out.as_of > d), r);
        }
    }

    /// The regulation's periodic review.
    fn review_deadlines(&self, out: &mut Deadlines) {
        let ctx = &self.check;
        // The regulation's periodic review.
        for d in self.docs().filter(|d| d.kind() == DocKind::Regulation) {
            let Some((last, due)) = duties::review_due(ctx, d) else {
                continue;
            };
            let subject = self.ref_json(&Ref::new(RefKind::Doc, d.id()));
            let detail = format!("{} {last}", self.t("last_time"));
            let r = out.row(
                Some(due),
                due.to_string(),
                self.t("deadline_review"),
                vec![subject],
                Some(detail),
            );
            out.push(Some(due), format!("4{}", d.id()), out.as_of > due, r);
        }
    }

    /// The next drill (a duty of the whole company: computed from every drill, linked only when
    /// the latest one is visible).
    fn drill_deadline(&self, out: &mut Deadlines) {
        let ctx = &self.check;
        // The next drill (a duty of the whole company: computed from every drill, linked
        // only when the latest one is visible).
        match duties::drill_due(ctx) {
            Some((drill, due)) => {
                let r_drill = Ref::new(RefKind::Drill, drill.id.value.clone());
                let (subjects, detail) = if self.hidden(&r_drill) {
                    (Vec::new(), None)
                } else {
                    (
                        vec![self.ref_json(&r_drill)],
                        Some(format!("{} {}", self.t("last_time"), drill.held_on.value)),
                    )
                };
                let r = out.row(
                    Some(due),
                    due.to_string(),
                    self.t("deadline_drill"),
                    subjects,
                    detail,
                );
                out.push(Some(due), "5".into(), out.as_of > due, r);
            }
            None => {
                let r = out.row(
                    None,
                    self.t("no_drill").to_string(),
                    self.t("deadline_drill"),
                    Vec::new(),
                    None,
                );
                out.push(None, "5".into(), true, r);
            }
        }
    }

    /// Exceptions in force run out: the waived duty is due again.
    fn exception_deadlines(&self, out: &mut Deadlines) {
        // Exceptions in force run out: the waived duty is due again.
        for e in &self.corpus.exceptions {
            let due = e.expires_on.value.0;
            if self.record_visible(RefKind::Exception, &e.id.value) != Some(true)
                || due < out.as_of
                || e.approved_on.value.0 > out.as_of
            {
                continue;
            }
            let subject = self.ref_json(&Ref::new(RefKind::Exception, e.id.value.clone()));
            let detail = format!(
                "{} {}",
                e.rule.value,
                self.ref_json(&e.record.value)["name"]
                    .as_str()
                    .unwrap_or("")
            );
            let r = out.row(
                Some(due),
                due.to_string(),
                self.t("deadline_exception"),
                vec![subject],
                Some(detail),
            );
            out.push(Some(due), format!("6{}", e.id.value), false, r);
        }
    }

    /// `{name, url, until}` of the exception that waives rule `code` for `subject`, or null.
    fn waiver_json(&self, code: &str, subject: &str) -> Value {
        match exception_for(&self.check, code, subject) {
            Some(e) => {
                let mut v = self.ref_json(&Ref::new(RefKind::Exception, e.id.value.clone()));
                v["until"] = json!(e.expires_on.value.to_string());
                v
            }
            None => Value::Null,
        }
    }

    /// Counts by month, type and severity, and mean times to detect, contain and close, over
    /// the incidents this audience may see; each chart as inline SVG.
    fn statistics(&self, incidents: &[&Incident]) -> Value {
        if incidents.is_empty() {
            return Value::Null;
        }
        let tz = self.tz;
        let severity_name = |level: u8| {
            self.corpus
                .severity_levels
                .iter()
                .find(|l| l.level.value == level)
                .map(|l| format!("{level} {}", l.name))
                .unwrap_or_else(|| level.to_string())
        };
        // By month of detection, stacked by severity.
        let month = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
        let last = month(self.info.as_of);
        let first = incidents
            .iter()
            .map(|i| month(i.detected_at.value.date_in(tz)))
            .min()
            .unwrap_or(last)
            .min(last);
        let first = first.max(last - MAX_MONTHS as i32 + 1);
        let n = (last - first + 1) as usize;
        let step = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|s| n.div_ceil(*s) <= 8)
            .unwrap_or(12);
        let mut cols: Vec<Column> = (0..n)
            .map(|k| {
                let m = first + k as i32;
                Column {
                    label: format!("{}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1),
                    values: vec![0; 4],
                    show_label: (m.rem_euclid(12) as usize).is_multiple_of(step),
                }
            })
            .collect();
        for i in incidents {
            let m = month(i.detected_at.value.date_in(tz));
            if (first..=last).contains(&m) {
                cols[(m - first) as usize].values[usize::from(i.severity.value.min(3))] += 1;
            }
        }
        let series: Vec<String> = (0..4).map(|l| severity_name(l as u8)).collect();
        let months_svg = charts::columns("chart-months", self.t("chart_by_month"), &series, &cols);

        // By type, most frequent first.
        let mut by_type: BTreeMap<&str, u32> = BTreeMap::new();
        for i in incidents {
            *by_type.entry(i.kind.value.as_str()).or_default() += 1;
        }
        let mut types: Vec<(&str, u32)> = by_type.into_iter().collect();
        types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let bars: Vec<Bar> = types
            .iter()
            .map(|(t, n)| Bar {
                label: self.type_names.name(t).to_string(),
                value: f64::from(*n),
                text: n.to_string(),
            })
            .collect();
        let types_svg = charts::bars("chart-types", self.t("chart_by_type"), &bars, None);

        // By severity, highest first, every defined level shown.
        let mut levels: Vec<u8> = self
            .corpus
            .severity_levels
            .iter()
            .map(|l| l.level.value)
            .collect();
        levels.extend(incidents.iter().map(|i| i.severity.value));
        levels.sort_unstable_by(|a, b| b.cmp(a));
        levels.dedup();
        let bars: Vec<Bar> = levels
            .iter()
            .map(|&l| {
                let n = incidents.iter().filter(|i| i.severity.value == l).count() as u32;
                Bar {
                    label: severity_name(l),
                    value: f64::from(n),
                    text: n.to_string(),
                }
            })
            .collect();
        let severity_svg = charts::bars("chart-severity", self.t("chart_by_severity"), &bars, None);

        // Mean times over every incident, each drawn with one bar per incident for the latest
        // [`TIME_BARS`] (oldest first) and the mean marked.
        type Span = fn(&Incident) -> Option<(&At<Timestamp>, &At<Timestamp>)>;
        let metrics: [(&str, &str, Span); 3] = [
            ("mttd", "mean_to_detect", |i| {
                i.occurred_at.as_ref().map(|o| (o, &i.detected_at))
            }),
            ("mttc", "mean_to_contain", |i| {
                i.contained_at.as_ref().map(|c| (&i.detected_at, c))
            }),
            ("mttclose", "mean_to_close", |i| {
                i.closed_at.as_ref().map(|c| (&i.detected_at, c))
            }),
        ];
        let mut chronological: Vec<&&Incident> = incidents.iter().collect();
        chronological.sort_by(|a, b| {
            a.detected_at
                .value
                .cmp(&b.detected_at.value)
                .then(a.id.value.cmp(&b.id.value))
        });
        let times: Vec<Value> = metrics
            .iter()
            .map(|(id, key, span)| {
                let rows: Vec<(String, i64)> = chronological
                    .iter()
                    .filter_map(|i| span(i).map(|(from, to)| (i.id.value.clone(), (to.value.0 - from.value.0).num_minutes().max(0))))
                    .collect();
                if rows.is_empty() {
                    return json!({"id": id, "label": self.t(key), "mean": null, "n": 0, "shown": 0, "svg": null});
                }
                let mean = rows.iter().map(|(_, m)| *m as f64).sum::<f64>() / rows.len() as f64;
                let mean_text = self.duration_text(mean.round() as i64);
                let bars: Vec<Bar> = rows[rows.len().saturating_sub(TIME_BARS)..]
                    .iter()
                    .map(|(label, m)| Bar { label: label.clone(), value: *m as f64, text: self.duration_text(*m) })
                    .collect();
                let marker = Marker { value: mean, text: format!("{} {mean_text}", self.t("mean")) };
                let svg = charts::bars(&format!("chart-{id}"), self.t(key), &bars, Some(&marker));
                json!({"id": id, "label": self.t(key), "mean": mean_text, "n": rows.len(), "shown": bars.len(), "svg": svg})
            })
            .collect();
        json!({
            "count": incidents.len(),
            "months": {"svg": months_svg, "from": cols.first().map(|c| c.label.clone()), "to": cols.last().map(|c| c.label.clone())},
            "types": types_svg,
            "severity": severity_svg,
            "times": times,
        })
    }

    /// A duration in minutes as people read it: `45分`, `3時間20分`, `12.5日`.
    fn duration_text(&self, minutes: i64) -> String {
        let text = if minutes < 60 {
            format!("{minutes}{}", self.t("unit_min"))
        } else if minutes < 48 * 60 {
            let m = minutes % 60;
            if m == 0 {
                format!("{}{}", minutes / 60, self.t("unit_hour"))
            } else {
                format!(
                    "{}{}{m}{}",
                    minutes / 60,
                    self.t("unit_hour"),
                    self.t("unit_min")
                )
            }
        } else {
            format!("{:.1}{}", minutes as f64 / 1440.0, self.t("days_unit"))
        };
        text.trim().to_string()
    }

    /// How many drills, reviews and exceptions this audience may see (the records page).
    fn record_counts(&self) -> Value {
        let count = |kind: RefKind, ids: Vec<&str>| {
            ids.into_iter()
                .filter(|id| self.record_visible(kind, id) == Some(true))
                .count()
        };
        let c = self.corpus;
        json!({
            "drills": count(RefKind::Drill, c.drills.iter().map(|d| d.id.value.as_str()).collect()),
            "reviews": count(RefKind::Review, c.reviews.iter().map(|d| d.id.value.as_str()).collect()),
            "exceptions": count(RefKind::Exception, c.exceptions.iter().map(|d| d.id.value.as_str()).collect()),
        })
    }
}

/// True when `text[start..end]` is not part of a longer id-like token (letters, digits, `-`,
/// `_` on neither side).
fn is_token(text: &str, start: usize, end: usize) -> bool {
    let part = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(part) && !after.is_some_and(part)
}

/// The rows of the deadline tables as they are collected: overdue and upcoming, each with its
/// date and a sort key, sorted at the end.
struct Deadlines {
    as_of: NaiveDate,
    overdue: Vec<Row>,
    upcoming: Vec<Row>,
}

impl Deadlines {
    fn row(
        &self,
        due: Option<NaiveDate>,
        due_text: String,
        what: &str,
        subjects: Vec<Value>,
        detail: Option<String>,
    ) -> Value {
        json!({
            "due": due_text,
            "date": due.map(|d| d.to_string()),
            "days": due.map(|d| (d - self.as_of).num_days().abs()),
            "what": what,
            "subjects": subjects,
            "detail": detail,
            "waived": Value::Null,
        })
    }

    fn push(&mut self, due: Option<NaiveDate>, key: String, late: bool, v: Value) {
        if late {
            self.overdue.push((due, key, v))
        } else {
            self.upcoming.push((due, key, v))
        }
    }

    /// (overdue, upcoming), each by date, then by key.
    fn sorted(self) -> (Vec<Value>, Vec<Value>) {
        let sorted = |mut v: Vec<Row>| -> Vec<Value> {
            v.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            v.into_iter().map(|(_, _, v)| v).collect()
        };
        (sorted(self.overdue), sorted(self.upcoming))
    }
}

#[cfg(test)]
mod tests {
    use super::Mentions;
    use crate::diag::{Diagnostic, Level};
    use crate::model::Visibility;
    use crate::render::output::MemorySink;
    use crate::render::{Audience, BuildInfo, pages::Site};

    /// CPU seconds of this thread, which other processes and other tests do not inflate:
    /// a wall-clock ratio failed on a machine with a load of 20 on 2 cores.
    fn thread_cpu_seconds() -> f64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant of libc.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
    }

    /// CPU seconds to render the employees' dashboard of the example project grown to `n`
    /// incidents (every other one hidden from employees): the fastest of three. The report
    /// gets `n / 4` extra findings that name visible incidents, so that each is matched
    /// against every hidden id and title before it is shown.
    fn dashboard_seconds(n: usize) -> f64 {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::config::Project::open(root).unwrap();
        let mut corpus = crate::source::load(&project).unwrap().corpus;
        let template = corpus.incidents[0].clone();
        corpus.incidents.clear();
        for k in 0..n {
            let mut i = template.clone();
            i.item.id.value = format!("INC-2020-{k:06}");
            i.item.visibility = if k % 2 == 0 {
                Visibility::Restricted
            } else {
                Visibility::Employees
            };
            corpus.incidents.push(i);
        }
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let mut report = {
            let ctx = crate::check::Ctx::new(&corpus, &project, as_of);
            crate::check::run(&ctx, Vec::new(), false)
        };
        let shown_before = report.diagnostics.len();
        report.diagnostics.extend((0..n / 4).map(|k| {
            let id = format!("INC-2020-{:06}", 2 * k + 1);
            Diagnostic::new("K9999", Level::Warning, format!("{id} の報告が遅れている"))
        }));
        let info = BuildInfo {
            audience: Audience::Employees,
            preview: true,
            build_date: "2026-01-15".into(),
            pdf: false,
            commit: None,
            as_of,
            report: report.into(),
            versions: Default::default(),
        };
        (0..3)
            .map(|_| {
                let sink = MemorySink::default();
                let site = Site::new(&project, &corpus, &info, &sink).unwrap();
                let start = thread_cpu_seconds();
                site.dashboard();
                let seconds = thread_cpu_seconds() - start;
                drop(site);
                // The dashboard and the pages listing every finding.
                let pages: String = sink
                    .into_files()
                    .into_iter()
                    .filter(|(url, _)| url == "dashboard.html" || url.starts_with("findings"))
                    .map(|(_, html)| String::from_utf8(html).unwrap())
                    .collect();
                assert!(
                    pages.contains(&format!("INC-2020-{:06}", 2 * (n / 4 - 1) + 1)),
                    "the findings about visible incidents are shown ({shown_before} before)"
                );
                seconds
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Ten times the incidents cost about ten times the time, not a hundred: every lookup of
    /// a record by id on the dashboard's path is a hash lookup. A ratio of the CPU time of
    /// two runs on this thread (the dashboard renders on the calling thread), so neither the
    /// machine's load nor parallel tests skew it; the bound is generous (linear is ~10×,
    /// quadratic ~100×).
    #[test]
    fn dashboard_time_grows_linearly_with_incidents() {
        let small = dashboard_seconds(2_000);
        let large = dashboard_seconds(20_000);
        let ratio = large / small;
        eprintln!("dashboard: {small:.3} s → {large:.3} s ({ratio:.1}×)");
        assert!(
            ratio < 30.0,
            "20,000 incidents took {ratio:.1}× the time of 2,000 ({large:.3} s ÷ {small:.3} s)"
        );
    }

    fn mentions(ids: &[&str], names: &[&str]) -> Mentions {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Mentions::new(set(ids), set(names))
    }

    #[test]
    fn ids_match_as_whole_tokens_and_names_anywhere() {
        let m = mentions(&["INC-2026-003", "INC-1", "web"], &["極秘案件"]);
        assert!(m.found_in("incident:INC-2026-003 is late"));
        assert!(m.found_in("see INC-1."));
        assert!(!m.found_in("see INC-12"));
        assert!(!m.found_in("website"));
        assert!(m.found_in("system:web."));
        assert!(m.found_in("「極秘案件の対応」"));
        assert!(!m.found_in("極秘"));
        // A longer id that is not hidden overlaps a hidden one at the same place.
        let m = mentions(&["INC-1", "INC-1-a"], &[]);
        assert!(m.found_in("INC-1-a"));
        let m = mentions(&["INC-1"], &[]);
        assert!(!m.found_in("INC-1-a, INC-10"));
        assert!(m.found_in("INC-1-a, INC-1"));
        assert!(!mentions(&[], &[]).found_in("anything"));
    }
}
