//! The directory pages: contacts, roles (committees), systems and severity levels.

use super::*;

impl<'a> Site<'a> {
    pub(super) fn contacts(&self) {
        let c = self.corpus;
        let person = |r: &Reachable| -> Value {
            let p = r.person;
            json!({
                "id": p.id.value,
                "name": p.name,
                "department": p.department,
                "title": p.title,
                "channels": p.channels.iter().map(|ch| self.channel_json(ch)).collect::<Vec<_>>(),
                "last_verified": p.last_verified.as_ref().map(|d| d.value.to_string()),
            })
        };
        // A person holding several roles is listed under each; only the first row carries the
        // `contact-ID` anchor (ids must be unique in a page). Holders and deputy come from
        // `contact_sheet`, the list the contact-sheet PDF prints too.
        let mut anchored = std::collections::HashSet::new();
        let roles: Vec<Value> = contact_sheet(c, |v| self.audience.sees(v))
            .iter()
            .map(|reach| {
                let people: Vec<Value> = reach
                    .holders
                    .iter()
                    .map(|h| {
                        let mut p = person(h);
                        let first =
                            anchored.insert(p["id"].as_str().unwrap_or_default().to_string());
                        p["anchor"] = Value::Bool(first);
                        p
                    })
                    .collect();
                json!({
                    "id": reach.role.id.value,
                    "name": reach.role.name,
                    "people": people,
                    "deputy": reach.deputy.as_ref().map(person),
                })
            })
            .collect();
        let orgs: Vec<Value> = c
            .organisations
            .iter()
            .filter(|o| self.audience.sees(o.visibility))
            .map(|o| {
                json!({
                    "id": o.id.value,
                    "name": o.name,
                    "category": self.t(&format!("category_{}", category_key(o.category))),
                    "channels": o.channels.iter().map(|ch| self.channel_json(ch)).collect::<Vec<_>>(),
                    "notice_deadline": o.notice_deadline.as_ref().map(|p| self.period(p.value)),
                    "deadline_from": self.t(match o.deadline_from { DeadlineFrom::Detected => "deadline_from_detected", DeadlineFrom::Known => "deadline_from_known" }),
                    "basis": o.basis,
                    "hours": o.hours,
                    "note": o.note,
                    "last_verified": o.last_verified.as_ref().map(|d| d.value.to_string()),
                })
            })
            .collect();
        let title = self.t("nav_contacts");
        self.render(
            "contacts.html",
            "contacts.html",
            title,
            "contacts",
            // The numbers by time of day again, for the wallet card at the top of the sheet.
            json!({"roles": roles, "organisations": orgs, "incident_now": self.incident_now(), "pdf": self.pdf_link("contacts.pdf")}),
        );
    }

    pub(super) fn roles(&self) {
        let roles: Vec<Value> = self
            .corpus
            .roles
            .iter()
            .filter(|r| self.audience.sees(r.visibility))
            .map(|r| {
                json!({
                    "id": r.id.value,
                    "name": r.name,
                    "committee": r.committee,
                    "chair": r.chair.as_ref().map(|x| self.ref_json(&x.value)),
                    "members": r.members.iter().map(|x| self.ref_json(&x.value)).collect::<Vec<_>>(),
                    "held_by": r.held_by.iter().map(|x| self.ref_json(&x.value)).collect::<Vec<_>>(),
                    "deputy": r.deputy.as_ref().map(|x| self.ref_json(&x.value)),
                    "responsibilities": r.responsibilities,
                    "description": r.description.as_deref().map(prose),
                })
            })
            .collect();
        let title = self.t("nav_roles");
        self.render(
            "roles.html",
            "roles.html",
            title,
            "roles",
            json!({"roles": roles}),
        );
    }

    pub(super) fn systems(&self) {
        let mut prios: Vec<_> = self.corpus.recovery_priorities.iter().collect();
        prios.sort_by_key(|p| std::cmp::Reverse(p.level.value));
        let priorities: Vec<Value> = prios
            .iter()
            .map(|p| json!({"level": p.level.value, "meaning": p.meaning, "max_downtime": p.max_downtime.map(|d| self.period(d))}))
            .collect();
        let mut systems: Vec<_> = self
            .corpus
            .systems
            .iter()
            .filter(|s| self.audience.sees(s.visibility))
            .collect();
        systems.sort_by(|a, b| {
            let pa = a.priority.as_ref().map(|p| p.value);
            let pb = b.priority.as_ref().map(|p| p.value);
            pb.cmp(&pa).then_with(|| a.id.value.cmp(&b.id.value))
        });
        let systems: Vec<Value> = systems
            .iter()
            .map(|s| {
                let prio = s.priority.as_ref().map(|p| p.value);
                let downtime = prio
                    .and_then(|l| {
                        self.corpus
                            .recovery_priorities
                            .iter()
                            .find(|r| r.level.value == l)
                    })
                    .and_then(|r| r.max_downtime.map(|d| self.period(d)));
                json!({
                    "id": s.id.value,
                    "name": s.name,
                    "owner": s.owner.as_ref().map(|o| self.ref_json(&o.value)),
                    "priority": prio,
                    "max_downtime": downtime,
                    "personal_data": s.personal_data,
                    "description": s.description.as_deref().map(prose),
                })
            })
            .collect();
        let title = self.t("nav_systems");
        self.render(
            "systems.html",
            "systems.html",
            title,
            "systems",
            json!({"priorities": priorities, "systems": systems}),
        );
    }

    pub(super) fn severity(&self) {
        let mut levels: Vec<_> = self.corpus.severity_levels.iter().collect();
        levels.sort_by_key(|l| std::cmp::Reverse(l.level.value));
        let levels: Vec<Value> = levels
            .iter()
            .map(|l| {
                json!({
                    "level": l.level.value,
                    "name": l.name,
                    "scope": l.scope,
                    "responsible": self.ref_json(&l.responsible.value),
                    "examples": l.examples,
                })
            })
            .collect();
        let title = self.t("nav_severity");
        self.render(
            "severity.html",
            "severity.html",
            title,
            "severity",
            json!({"levels": levels}),
        );
    }
}
