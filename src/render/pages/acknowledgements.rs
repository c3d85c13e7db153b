//! Acknowledgement progress (周知の状況), restricted: one page per revision of each bound
//! document — counts by department, then the people overdue, pending, missed and late — and
//! the dashboard's line. Names appear only here, in the restricted build.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Site;
use crate::check::acknowledgements::{AckState, RevisionProgress, progress};

/// At most this many people in each list of a page (the evidence bundle's CSV has them all).
const MAX_LISTED: usize = 500;

/// The URL of a revision's progress page.
pub fn progress_url(document: &str, version: &str) -> String {
    super::registry::get("acknowledgements").url_of(&format!("{document}-{version}"))
}

impl<'a> Site<'a> {
    pub(super) fn acknowledgement_pages(&self) {
        for rev in progress(&self.check) {
            let url = progress_url(rev.document.id(), &rev.revision.version);
            let title = format!(
                "{}{}{} {}",
                self.t("ack_title"),
                self.t("paren_open"),
                rev.document.meta.title,
                rev.revision.version
            ) + self.t("paren_close");
            let page = self.progress_json(&rev);
            self.render("acknowledgements.html", &url, &title, "dashboard", page);
        }
    }

    fn progress_json(&self, rev: &RevisionProgress) -> Value {
        let mut departments: BTreeMap<&str, [usize; 6]> = BTreeMap::new();
        for p in &rev.people {
            let row = departments
                .entry(p.person.department.value.as_str())
                .or_default();
            row[0] += 1;
            row[state_index(p.state)] += 1;
        }
        let departments: Vec<Value> = departments
            .into_iter()
            .map(|(name, [bound, on_time, late, pending, overdue, missed])| {
                json!({
                    "name": name, "bound": bound, "on_time": on_time, "late": late,
                    "pending": pending, "overdue": overdue, "missed": missed,
                    "percent": percent(on_time + late, bound),
                })
            })
            .collect();
        let list = |id: &str, pred: fn(AckState) -> bool| {
            let all: Vec<Value> = rev
                .people
                .iter()
                .filter(|p| pred(p.state))
                .map(|p| {
                    json!({
                        "id": p.person.id.value,
                        "name": p.person.name,
                        "department": p.person.department.value,
                        "due": p.due.to_string(),
                        "on": p.state.acknowledged_on().map(|d| d.to_string()),
                        "method": p.ack.map(|(_, a)| a.method.value.as_str()),
                    })
                })
                .collect();
            let total = all.len();
            json!({
                "id": id,
                "title": self.t(&format!("ack_list_{id}")),
                "total": total,
                "more": total.saturating_sub(MAX_LISTED),
                "rows": all.into_iter().take(MAX_LISTED).collect::<Vec<_>>(),
            })
        };
        let bound = rev.people.len();
        let acknowledged = rev.count(|s| s.acknowledged_on().is_some());
        json!({
            "document": { "id": rev.document.id(), "title": rev.document.meta.title, "url": super::registry::doc_url(rev.document) },
            "version": rev.revision.version,
            "effective_on": rev.revision.effective_on.to_string(),
            "superseded_on": rev.revision.superseded_on.map(|d| d.to_string()),
            "as_of": self.info.as_of.to_string(),
            "summary": {
                "bound": bound,
                "acknowledged": acknowledged,
                "percent": percent(acknowledged, bound),
                "on_time": rev.count(|s| matches!(s, AckState::OnTime { .. })),
                "late": rev.count(|s| matches!(s, AckState::Late { .. })),
                "pending": rev.count(|s| s == AckState::Pending),
                "overdue": rev.count(|s| s == AckState::Overdue),
                "missed": rev.count(|s| s == AckState::Missed),
            },
            "departments": departments,
            "lists": [
                list("overdue", |s| s == AckState::Overdue),
                list("missed", |s| s == AckState::Missed),
                list("pending", |s| s == AckState::Pending),
                list("late", |s| matches!(s, AckState::Late { .. })),
            ],
        })
    }

    /// The dashboard's line: one entry per revision with its progress page (restricted build
    /// only; the employees' dashboard shows nothing of the roster).
    pub(super) fn acknowledgement_summary(&self) -> Vec<Value> {
        if self.audience < super::registry::get("acknowledgements").audience {
            return Vec::new();
        }
        progress(&self.check)
            .iter()
            .map(|rev| {
                let bound = rev.people.len();
                let acknowledged = rev.count(|s| s.acknowledged_on().is_some());
                json!({
                    "title": rev.document.meta.title,
                    "version": rev.revision.version,
                    "url": progress_url(rev.document.id(), &rev.revision.version),
                    "bound": bound,
                    "acknowledged": acknowledged,
                    "percent": percent(acknowledged, bound),
                    "overdue": rev.count(|s| s == AckState::Overdue),
                    "pending": rev.count(|s| s == AckState::Pending),
                })
            })
            .collect()
    }
}

fn state_index(s: AckState) -> usize {
    match s {
        AckState::OnTime { .. } => 1,
        AckState::Late { .. } => 2,
        AckState::Pending => 3,
        AckState::Overdue => 4,
        AckState::Missed => 5,
    }
}

/// Whole percent, rounded down (100 only when all have).
fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(100)
}
