//! Pages for the records that accumulate beside incidents: drills (`drill-ID.html`), reviews
//! (`review-ID.html`) and exceptions (`exception-ID.html`), and their list (`records.html`).
//! Only records the audience may see get a page; a review or exception is shown only when the
//! record it is about is visible too (see `Site::record_visible`).

use serde_json::{Value, json};

use super::{Site, record_url};
use crate::check::structure::is_committee;
use crate::model::records::ReviewOutcome;
use crate::model::{Drill, Exception, RefKind, Review};
use crate::text::prose;

impl<'a> Site<'a> {
    fn visible<T>(
        &self,
        kind: RefKind,
        list: &'a [crate::model::Sourced<T>],
        id: impl Fn(&T) -> &str,
    ) -> Vec<&'a T> {
        list.iter()
            .map(|x| &x.item)
            .filter(|x| self.record_visible(kind, id(x)) == Some(true))
            .collect()
    }

    fn drills_visible(&self) -> Vec<&'a Drill> {
        let mut v = self.visible(RefKind::Drill, &self.corpus.drills, |d: &Drill| &d.id.value);
        v.sort_by(|a, b| {
            b.held_on
                .value
                .cmp(&a.held_on.value)
                .then(a.id.value.cmp(&b.id.value))
        });
        v
    }

    fn reviews_visible(&self) -> Vec<&'a Review> {
        let mut v = self.visible(RefKind::Review, &self.corpus.reviews, |r: &Review| {
            &r.id.value
        });
        v.sort_by(|a, b| {
            b.reviewed_on
                .value
                .cmp(&a.reviewed_on.value)
                .then(a.id.value.cmp(&b.id.value))
        });
        v
    }

    fn exceptions_visible(&self) -> Vec<&'a Exception> {
        let mut v = self.visible(
            RefKind::Exception,
            &self.corpus.exceptions,
            |e: &Exception| &e.id.value,
        );
        v.sort_by(|a, b| {
            b.approved_on
                .value
                .cmp(&a.approved_on.value)
                .then(a.id.value.cmp(&b.id.value))
        });
        v
    }

    fn drill_json(&self, d: &Drill) -> Value {
        json!({
            "id": d.id.value,
            "url": record_url(RefKind::Drill, &d.id.value),
            "title": d.title,
            "held_on": d.held_on.value.to_string(),
            "runbooks": d.runbooks.iter().map(|r| self.ref_json(&r.value)).collect::<Vec<_>>(),
            "participants": d.participants.iter().map(|r| self.ref_json(&r.value)).collect::<Vec<_>>(),
            "scenario": d.scenario.as_deref().map(prose),
            "findings": d.findings.iter().map(|x| prose(x)).collect::<Vec<_>>(),
            "follow_up": d.follow_up.iter().map(|x| prose(x)).collect::<Vec<_>>(),
        })
    }

    fn review_json(&self, r: &Review) -> Value {
        json!({
            "id": r.id.value,
            "url": record_url(RefKind::Review, &r.id.value),
            "document": self.ref_json(&r.document.value),
            "reviewed_on": r.reviewed_on.value.to_string(),
            "reviewer": self.ref_json(&r.reviewer.value),
            "outcome": self.t(match r.outcome { ReviewOutcome::NoChange => "outcome_no_change", ReviewOutcome::Amended => "outcome_amended" }),
            "notes": r.notes.as_deref().map(prose),
        })
    }

    fn exception_json(&self, e: &Exception) -> Value {
        let as_of = self.info.as_of;
        let state = if !is_committee(&self.check, &e.approved_by.value) {
            "exception_invalid"
        } else if e.approved_on.value.0 > as_of {
            "exception_not_yet"
        } else if e.expires_on.value.0 < as_of {
            "exception_expired"
        } else {
            "exception_active"
        };
        // The findings it waives now (the check report's `waived` list).
        let hidden = self.hidden_records();
        let waived: Vec<Value> = self
            .info
            .report
            .waived
            .iter()
            .filter(|w| w.exception == e.id.value && self.finding_visible(&w.diagnostic, hidden))
            .map(|w| {
                json!({
                    "code": w.diagnostic.code,
                    "rule": self.rule_json(&w.diagnostic.code)["name"],
                    "message": w.diagnostic.message,
                    "message_lang": self.message_lang(),
                })
            })
            .collect();
        json!({
            "id": e.id.value,
            "url": record_url(RefKind::Exception, &e.id.value),
            "rule": self.rule_json(&e.rule.value),
            "record": self.ref_json(&e.record.value),
            "reason": prose(&e.reason),
            "approved_by": self.ref_json(&e.approved_by.value),
            "approved_on": e.approved_on.value.to_string(),
            "expires_on": e.expires_on.value.to_string(),
            "state_key": state,
            "state": self.t(state),
            "waived": waived,
            "dashboard": self.has_dashboard(),
        })
    }

    /// One page per visible drill, review and exception, and their list `records.html`.
    pub(super) fn records(&self) {
        let drills: Vec<(&Drill, Value)> = self
            .drills_visible()
            .into_iter()
            .map(|d| (d, self.drill_json(d)))
            .collect();
        let reviews: Vec<(&Review, Value)> = self
            .reviews_visible()
            .into_iter()
            .map(|r| (r, self.review_json(r)))
            .collect();
        let exceptions: Vec<(&Exception, Value)> = self
            .exceptions_visible()
            .into_iter()
            .map(|e| (e, self.exception_json(e)))
            .collect();
        let in_parens = |key: &str, id: &str| {
            format!(
                "{}{}{id}{}",
                self.t(key),
                self.t("paren_open"),
                self.t("paren_close")
            )
        };
        for (d, page) in &drills {
            let url = record_url(RefKind::Drill, &d.id.value);
            let title = format!("{} {}", d.id.value, d.title);
            self.render("drill.html", &url, &title, "dashboard", page.clone());
        }
        for (r, page) in &reviews {
            let url = record_url(RefKind::Review, &r.id.value);
            let title = in_parens("review", &r.id.value);
            self.render("review.html", &url, &title, "dashboard", page.clone());
        }
        for (e, page) in &exceptions {
            let url = record_url(RefKind::Exception, &e.id.value);
            let title = in_parens("exception", &e.id.value);
            self.render("exception.html", &url, &title, "dashboard", page.clone());
        }
        self.render(
            "records.html",
            "records.html",
            self.t("nav_records"),
            "dashboard",
            json!({"drills": pages(&drills), "reviews": pages(&reviews), "exceptions": pages(&exceptions)}),
        );
    }
}

/// The page contexts of records made for their own pages, for the list.
fn pages<T>(records: &[(T, Value)]) -> Vec<Value> {
    records.iter().map(|(_, page)| page.clone()).collect()
}
