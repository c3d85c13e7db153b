//! Typed links (`role:`, `clause:`, `incident:`, …) resolved to pages for this audience.

use super::*;

impl<'a> Site<'a> {
    /// Where a typed reference goes for this audience (`current`: the document it appears in).
    pub fn resolve_ref(&self, r: &Ref, current: Option<&Document>) -> Target {
        self.resolve_parts(r.kind, &r.id, r.fragment.as_deref(), current)
    }

    /// [`Site::resolve_ref`] for a reference read borrowed ([`Ref::parts`]): every link of
    /// every document is resolved for its page's key on every build, and need not be copied.
    fn resolve_parts(
        &self,
        kind: RefKind,
        id: &str,
        fragment: Option<&str>,
        current: Option<&Document>,
    ) -> Target {
        let c = self.corpus;
        let a = self.audience;
        let page = |url: String, visible: bool| {
            if visible {
                Target::Page(url)
            } else {
                Target::Unlinked
            }
        };
        let missing = || Target::Broken(format!("no {} `{id}`", kind.prefix()));
        match kind {
            RefKind::Role => match c.role(id) {
                // People-holding roles are listed in the contact table, committees on the roles page.
                Some(role) if role.committee => {
                    page(format!("roles.html#role-{id}"), a.sees(role.visibility))
                }
                Some(role) => page(format!("contacts.html#role-{id}"), a.sees(role.visibility)),
                None => missing(),
            },
            RefKind::Contact => {
                if let Some(p) = c.person(id) {
                    page(format!("contacts.html#contact-{id}"), a.sees(p.visibility))
                } else if let Some(o) = c.organisation(id) {
                    page(format!("contacts.html#contact-{id}"), a.sees(o.visibility))
                } else {
                    missing()
                }
            }
            RefKind::System => match c.system(id) {
                Some(s) => page(format!("systems.html#system-{id}"), a.sees(s.visibility)),
                None => missing(),
            },
            RefKind::Runbook | RefKind::Doc => match self.doc(id) {
                Some(d) => page(doc_url(d), a.sees(d.meta.visibility)),
                None => missing(),
            },
            RefKind::Clause => {
                let (doc, anchor) = match fragment {
                    Some(f) => (self.doc(id), f),
                    None => (current, id),
                };
                let Some(doc) = doc else { return missing() };
                if doc.anchor(anchor).is_none() {
                    return Target::Broken(format!("no clause `{anchor}` in `{}`", doc.id()));
                }
                let same = current.is_some_and(|cur| cur.id() == doc.id());
                let url = if same {
                    format!("#{anchor}")
                } else {
                    format!("{}#{anchor}", doc_url(doc))
                };
                page(url, a.sees(doc.meta.visibility))
            }
            RefKind::Incident => match c.incident(id) {
                Some(i) => page(incident_url(id), a.sees(i.visibility)),
                None => missing(),
            },
            RefKind::Drill | RefKind::Review | RefKind::Exception => {
                match self.record_visible(kind, id) {
                    Some(visible) => page(record_url(kind, id), visible),
                    None => missing(),
                }
            }
        }
    }

    pub(super) fn resolve_dest(&self, dest: &str, current: &Document) -> Target {
        // By bytes: the `char` searcher of `split_once` was a tenth of resolving a link (every
        // link of every document is resolved for the pages' keys).
        let Some(colon) = dest.bytes().position(|b| b == b':') else {
            return Target::External;
        };
        let prefix = &dest[..colon];
        if RefKind::from_prefix(prefix).is_none() {
            return Target::External;
        }
        match Ref::parts(dest) {
            Ok((kind, id, fragment)) => self.resolve_parts(kind, id, fragment, Some(current)),
            Err(e) => Target::Broken(e),
        }
    }

    /// `{name, url}` for a role or contact reference (url null when not linkable).
    pub(super) fn ref_json(&self, r: &Ref) -> Value {
        let (name, url) = self.ref_name_url(r);
        json!({ "name": name, "url": url })
    }

    /// What [`Site::ref_json`] shows of a reference: the record's name as this audience may
    /// see it, and its page (`None` when not linkable).
    pub(super) fn ref_name_url(&self, r: &Ref) -> (String, Option<String>) {
        let c = self.corpus;
        let name = match r.kind {
            RefKind::Role => c.role(&r.id).map(|x| x.name.clone()),
            RefKind::Contact => c
                .person(&r.id)
                .map(|p| p.name.clone())
                .or_else(|| c.organisation(&r.id).map(|o| o.name.clone())),
            RefKind::System => c.system(&r.id).map(|s| s.name.clone()),
            RefKind::Runbook | RefKind::Doc => self.doc(&r.id).map(|d| d.meta.title.clone()),
            RefKind::Drill => c.drill(&r.id).map(|d| d.title.clone()),
            RefKind::Incident | RefKind::Review | RefKind::Exception => Some(r.id.clone()),
            RefKind::Clause => None,
        };
        let url = match self.resolve_ref(r, None) {
            Target::Page(u) => Some(u),
            _ => None,
        };
        // A record the audience may not see is named by a placeholder, not even by its id.
        let name = if self.hidden(r) {
            self.t("not_shown").to_string()
        } else {
            name.unwrap_or_else(|| r.to_string())
        };
        (name, url)
    }
}
