//! What this audience sees: the documents and incidents it may read, and whether a referenced
//! record (or the page it lives on) is visible.

use super::*;

impl<'a> Site<'a> {
    /// The compliance dashboard and the records list are for the company (employees and the
    /// security team), not for a public site.
    pub(super) fn has_dashboard(&self) -> bool {
        self.audience >= registry::get("dashboard").audience
    }

    pub(super) fn docs(&self) -> impl Iterator<Item = &'a Document> + '_ {
        let audience = self.audience;
        self.corpus
            .documents
            .iter()
            .map(|d| &d.item)
            .filter(move |d| audience.sees(d.meta.visibility))
    }

    pub(super) fn incidents(&self) -> Vec<&'a Incident> {
        let mut v: Vec<&Incident> = self
            .corpus
            .incidents
            .iter()
            .map(|i| &*i.item)
            .filter(|i| self.audience.sees(i.visibility))
            .collect();
        v.sort_by(|a, b| {
            b.detected_at
                .value
                .cmp(&a.detected_at.value)
                .then_with(|| a.id.value.cmp(&b.id.value))
        });
        v
    }

    /// The main regulation shown on the home page and in the footer.
    pub(super) fn regulation(&self) -> Option<&'a Document> {
        self.docs().find(|d| d.kind() == DocKind::Regulation)
    }

    /// True when `r` names an existing record this audience may not see.
    pub(super) fn hidden(&self, r: &Ref) -> bool {
        self.hidden_id(r.kind, &r.id)
    }

    /// [`Site::hidden`] for a reference's kind and id, borrowed (every finding's subject, every
    /// record of the corpus: no copy of each).
    pub(super) fn hidden_id(&self, kind: RefKind, id: &str) -> bool {
        match kind {
            RefKind::Drill | RefKind::Review | RefKind::Exception => {
                self.record_visible(kind, id) == Some(false)
            }
            _ => self
                .visibility_of(kind, id)
                .is_some_and(|v| !self.audience.sees(v)),
        }
    }

    /// Whether this audience may see the drill, review or exception `id` (`None`: no such
    /// record). Reviews and exceptions are about another record and their text talks about
    /// it: they are shown only when that record is visible too.
    pub(super) fn record_visible(&self, kind: RefKind, id: &str) -> Option<bool> {
        let c = self.corpus;
        let a = self.audience;
        let target_hidden = |r: &Ref| self.own_visibility(r).is_some_and(|v| !a.sees(v));
        match kind {
            RefKind::Drill => c.drill(id).map(|d| a.sees(d.visibility)),
            RefKind::Review => c
                .review(id)
                .map(|r| a.sees(r.visibility) && !target_hidden(&r.document.value)),
            RefKind::Exception => c
                .exception(id)
                .map(|e| a.sees(e.visibility) && !target_hidden(&e.record.value)),
            _ => None,
        }
    }

    /// The record's own visibility (`None`: no such record).
    pub(super) fn own_visibility(&self, r: &Ref) -> Option<crate::model::Visibility> {
        self.visibility_of(r.kind, &r.id)
    }

    fn visibility_of(&self, kind: RefKind, id: &str) -> Option<crate::model::Visibility> {
        let c = self.corpus;
        match kind {
            RefKind::Role => c.role(id).map(|x| x.visibility),
            RefKind::Contact => c
                .person(id)
                .map(|p| p.visibility)
                .or_else(|| c.organisation(id).map(|o| o.visibility)),
            RefKind::System => c.system(id).map(|s| s.visibility),
            RefKind::Runbook | RefKind::Doc | RefKind::Clause => {
                self.doc(id).map(|d| d.meta.visibility)
            }
            RefKind::Incident => c.incident(id).map(|i| i.visibility),
            RefKind::Drill => c.drill(id).map(|d| d.visibility),
            RefKind::Review => c.review(id).map(|d| d.visibility),
            RefKind::Exception => c.exception(id).map(|d| d.visibility),
        }
    }
}
