//! Typed links (`role:`, `clause:`, `incident:`, …) resolved to pages for this audience.

use super::*;

impl<'a> Site<'a> {
    /// Where a typed reference goes for this audience (`current`: the document it appears in).
    pub fn resolve_ref(&self, r: &Ref, current: Option<&Document>) -> Target {
        let c = self.corpus;
        let a = self.audience;
        let page = |url: String, visible: bool| {
            if visible {
                Target::Page(url)
            } else {
                Target::Unlinked
            }
        };
        let missing = || Target::Broken(format!("no {} `{}`", r.kind.prefix(), r.id));
        match r.kind {
            RefKind::Role => match c.role(&r.id) {
                // People-holding roles are listed in the contact table, committees on the roles page.
                Some(role) if role.committee => {
                    page(format!("roles.html#role-{}", r.id), a.sees(role.visibility))
                }
                Some(role) => page(
                    format!("contacts.html#role-{}", r.id),
                    a.sees(role.visibility),
                ),
                None => missing(),
            },
            RefKind::Contact => {
                if let Some(p) = c.person(&r.id) {
                    page(
                        format!("contacts.html#contact-{}", r.id),
                        a.sees(p.visibility),
                    )
                } else if let Some(o) = c.organisation(&r.id) {
                    page(
                        format!("contacts.html#contact-{}", r.id),
                        a.sees(o.visibility),
                    )
                } else {
                    missing()
                }
            }
            RefKind::System => match c.system(&r.id) {
                Some(s) => page(
                    format!("systems.html#system-{}", r.id),
                    a.sees(s.visibility),
                ),
                None => missing(),
            },
            RefKind::Runbook | RefKind::Doc => match self.doc(&r.id) {
                Some(d) => page(doc_url(d), a.sees(d.meta.visibility)),
                None => missing(),
            },
            RefKind::Clause => {
                let (doc, anchor) = match &r.fragment {
                    Some(f) => (self.doc(&r.id), f.as_str()),
                    None => (current, r.id.as_str()),
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
            RefKind::Incident => match c.incident(&r.id) {
                Some(i) => page(incident_url(&r.id), a.sees(i.visibility)),
                None => missing(),
            },
            RefKind::Drill | RefKind::Review | RefKind::Exception => {
                match self.record_visible(r.kind, &r.id) {
                    Some(visible) => page(record_url(r.kind, &r.id), visible),
                    None => missing(),
                }
            }
        }
    }

    pub(super) fn resolve_dest(&self, dest: &str, current: &Document) -> Target {
        let Some((prefix, _)) = dest.split_once(':') else {
            return Target::External;
        };
        if RefKind::from_prefix(prefix).is_none() {
            return Target::External;
        }
        match dest.parse::<Ref>() {
            Ok(r) => self.resolve_ref(&r, Some(current)),
            Err(e) => Target::Broken(e),
        }
    }

    /// `{name, url}` for a role or contact reference (url null when not linkable).
    pub(super) fn ref_json(&self, r: &Ref) -> Value {
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
            Target::Page(u) => Value::String(u),
            _ => Value::Null,
        };
        // A record the audience may not see is named by a placeholder, not even by its id.
        let name = if self.hidden(r) {
            self.t("not_shown").to_string()
        } else {
            name.unwrap_or_else(|| r.to_string())
        };
        json!({ "name": name, "url": url })
    }
}
