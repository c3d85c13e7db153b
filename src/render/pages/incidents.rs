//! The incident register (`incidents.html`, paginated) and one page per incident.

use super::*;

impl<'a> Site<'a> {
    pub(super) fn incident_pages(&self) {
        let incidents = self.incidents();
        let rows: Vec<Value> = incidents
            .iter()
            .map(|i| {
                json!({
                    "id": i.id.value,
                    "url": incident_url(&i.id.value),
                    "title": i.title,
                    "type": i.kind.value,
                    "type_name": self.type_names.name(&i.kind.value),
                    "severity": i.severity.value,
                    "status": self.t(status_key(i.status.value)),
                    "status_key": status_key(i.status.value),
                    "detected_at": self.ts(&i.detected_at.value),
                })
            })
            .collect();
        let title = self.t("nav_incidents");
        for (url, rows, pager) in paginate("incidents.html", rows) {
            // The page's own count (see `pagination`): a new incident changes one page.
            let count = rows.len();
            self.render(
                "incidents.html",
                &url,
                title,
                "incidents",
                json!({"incidents": rows, "count": count, "pager": pager}),
            );
        }
        incidents.par_iter().for_each(|inc| {
            let page = self.incident_context(inc);
            self.render(
                "incident.html",
                &incident_url(&inc.id.value),
                &format!("{} {}", inc.id.value, inc.title),
                "incidents",
                page,
            );
        });
    }

    pub(super) fn incident_context(&self, i: &Incident) -> Value {
        let opt_ts =
            |t: &Option<crate::model::At<Timestamp>>| t.as_ref().map(|t| self.ts(&t.value));
        let duties = notifications::dated_duties(&self.check, i);
        // Each notification with the deadline of the duty it fulfils (the same list as the
        // rules K0401–K0405 use).
        let notifications: Vec<Value> = i
            .notifications
            .iter()
            .map(|n| {
                let duty = duties
                    .iter()
                    .find(|d| d.sent.is_some_and(|s| std::ptr::eq(s, n)));
                json!({
                    "to": n.to.as_ref().map(|r| self.ref_json(&r.value)),
                    "kind": self.t(notification_key(n.kind.value)),
                    "at": self.ts(&n.at.value),
                    "deadline": duty.map(|d| self.due_text(d.due)),
                    "on_time": duty.map(|d| d.status == DutyStatus::OnTime),
                    "reference": n.reference,
                    "note": n.note,
                })
            })
            .collect();
        let duties: Vec<Value> = duties.iter().map(|d| self.duty_json(d)).collect();
        let measures = |list: &[crate::model::incident::Measure]| -> Vec<Value> {
            list.iter()
                .map(|m| {
                    json!({
                        "measure": m.measure.value,
                        "owner": m.owner.as_ref().map(|o| self.ref_json(&o.value)),
                        "due": m.due.as_ref().map(|d| d.value.to_string()),
                        "status": self.t(match m.status { MeasureStatus::Planned => "measure_planned", MeasureStatus::InProgress => "measure_in_progress", MeasureStatus::Done => "measure_done" }),
                        "done": m.status == MeasureStatus::Done,
                        "done_on": m.done_on.as_ref().map(|d| d.value.to_string()),
                    })
                })
                .collect()
        };
        let plan = i.prevention_plan.as_ref().map(|p| {
            let all = p.value.technical.len() + p.value.organizational.len();
            let done = p.value.technical.iter().chain(&p.value.organizational).filter(|m| m.status == MeasureStatus::Done).count();
            json!({
                "groups": [
                    {"label": self.t("technical"), "measures": measures(&p.value.technical)},
                    {"label": self.t("organizational"), "measures": measures(&p.value.organizational)},
                ],
                "done": done,
                "total": all,
            })
        });
        // Personal data: counts and items for every audience that sees the incident; the
        // names and contacts of affected people only for the restricted audience.
        let personal = i.personal_data.as_ref().map(|p| {
            let individuals: Vec<Value> = if self.audience == Audience::Restricted {
                p.value.affected_individuals.iter().map(|x| json!({"name": x.name, "contact": x.contact, "note": x.note})).collect()
            } else {
                Vec::new()
            };
            json!({"affected_people": p.value.affected_people.value, "items": p.value.items, "individuals": individuals})
        });
        json!({
            "id": i.id.value,
            "title": i.title,
            "type": i.kind.value,
            "type_name": self.type_names.name(&i.kind.value),
            "severity": i.severity.value,
            "status": self.t(status_key(i.status.value)),
            "status_key": status_key(i.status.value),
            "summary": i.summary.as_deref().map(prose),
            "times": [
                {"label": self.t("occurred_at"), "value": opt_ts(&i.occurred_at)},
                {"label": self.t("detected_at"), "value": Some(self.ts(&i.detected_at.value))},
                {"label": self.t("known_at"), "value": Some(self.ts(&i.known_at().value))},
                {"label": self.t("reported_at"), "value": opt_ts(&i.reported_at)},
                {"label": self.t("contained_at"), "value": opt_ts(&i.contained_at)},
                {"label": self.t("closed_at"), "value": opt_ts(&i.closed_at)},
            ],
            "systems": i.systems.iter().map(|s| self.ref_json(&s.value)).collect::<Vec<_>>(),
            "personal_data": personal,
            "timeline": i.timeline.iter().map(|e| json!({
                "at": self.ts(&e.at.value),
                "what": e.what,
                "by": e.by.as_ref().map(|b| self.ref_json(&b.value)),
            })).collect::<Vec<_>>(),
            "notifications": notifications,
            "duties": duties,
            "root_cause": i.root_cause.as_deref().map(prose),
            "actions": i.actions.iter().map(|a| json!({
                "what": a.what,
                "by": a.by.as_ref().map(|b| self.ref_json(&b.value)),
                "at": a.at.as_ref().map(|t| self.ts(&t.value)),
            })).collect::<Vec<_>>(),
            "prevention_plan": plan,
            "board_report": i.board_report.as_ref().map(|b| json!({"on": b.value.on.value.to_string(), "note": b.value.note})),
            "lessons": i.lessons.as_ref().map(|l| json!({
                "went_well": l.value.went_well,
                "to_improve": l.value.to_improve,
                "procedure_changes": l.value.procedure_changes,
            })),
        })
    }
}
