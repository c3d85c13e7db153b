//! The home page (`index.html`): the regulation, the "incident now?" box, the document and
//! runbook lists (paginated on their own pages when long).

use super::*;

impl<'a> Site<'a> {
    pub(super) fn home(&self) {
        let reg = self.regulation();
        let latest = reg.and_then(|d| {
            d.meta.changes.iter().max_by_key(|c| {
                (
                    c.effective_on.as_ref().map(|e| e.value),
                    c.approved_on.as_ref().map(|a| a.value),
                )
            })
        });
        let mut regulations: Vec<&Document> = self
            .docs()
            .filter(|d| d.kind() != DocKind::Runbook)
            .collect();
        regulations.sort_by_key(|d| d.kind() != DocKind::Regulation);
        let card = |d: &Document| json!({"title": d.meta.title, "url": doc_url(d), "summary": d.meta.summary});
        let docs: Vec<Value> = regulations.into_iter().map(card).collect();
        let runbooks: Vec<Value> = self
            .docs()
            .filter(|d| d.kind() == DocKind::Runbook)
            .map(card)
            .collect();
        let (docs, documents_all) =
            self.home_list(docs, "documents.html", "documents", "regulation");
        let (runbooks, runbooks_all) =
            self.home_list(runbooks, "runbooks.html", "nav_runbooks", "runbooks");
        let page = json!({
            "regulation": reg.map(|d| json!({
                "title": d.meta.title,
                "url": doc_url(d),
                "version": d.meta.version.as_ref().map(|v| v.value.clone()),
                "effective_on": d.meta.effective_on.as_ref().map(|v| v.value.to_string()),
            })),
            "incident_now": self.incident_now(),
            "latest_change": latest.map(|c| json!({
                "version": c.version,
                "effective_on": c.effective_on.as_ref().map(|v| v.value.to_string()),
                "summary": c.summary,
            })),
            "documents": docs,
            "documents_all": documents_all,
            "runbooks": runbooks,
            "runbooks_all": runbooks_all,
        });
        let title = if self.project.config.organisation.is_empty() {
            self.t("nav_home").to_string()
        } else {
            self.project.config.organisation.clone()
        };
        self.render("index.html", "index.html", &title, "home", page);
    }

    /// The first [`HOME_LIST_LIMIT`] cards of a home-page list; a longer list also gets its
    /// own paginated pages (`first`, `first-2.html`, …), linked as `{url, count}`.
    pub(super) fn home_list(
        &self,
        cards: Vec<Value>,
        first: &str,
        title_key: &str,
        nav: &str,
    ) -> (Vec<Value>, Value) {
        if cards.len() <= HOME_LIST_LIMIT {
            return (cards, Value::Null);
        }
        let count = cards.len();
        let shown = cards[..HOME_LIST_LIMIT].to_vec();
        for (url, items, pager) in paginate(first, cards) {
            // The page's own count (see `pagination`): a new document changes one page.
            let on_page = items.len();
            self.render(
                "list.html",
                &url,
                self.t(title_key),
                nav,
                json!({"items": items, "count": on_page, "pager": pager}),
            );
        }
        (shown, json!({"url": first, "count": count}))
    }

    /// The "incident now?" box, from the regulation's `incident_now` (checked by K0212 and
    /// K0214): `{call, steps, channels, utc_offset}`, or null when the audience sees no
    /// regulation that has one. `channels` are the numbers by time of day, in order, each with
    /// `open` (spans of minutes of the week that `assets/call-now.js` compares with the clock
    /// in the regulation's zone, `utc_offset` minutes east of UTC).
    pub(super) fn incident_now(&self) -> Value {
        let Some(now) = self.regulation().and_then(|d| d.meta.incident_now.as_ref()) else {
            return Value::Null;
        };
        let steps: Vec<String> = now
            .value
            .steps
            .value
            .iter()
            .map(|s| prose(&s.value))
            .filter(|s| !s.is_empty())
            .collect();
        let channels: Vec<Value> = now
            .value
            .channels
            .iter()
            .map(|named| {
                let mut ch = self.channel_json(&named.channel());
                ch["name"] = json!(named.name);
                ch
            })
            .collect();
        json!({
            "call": self.first_call(&now.value.call.value),
            "steps": steps,
            "channels": channels,
            "utc_offset": self.tz.local_minus_utc() / 60,
        })
    }

    /// Whom to call first: `{name, url, person, channel}`. For a role, the first of its holders
    /// (then its deputy) this audience may see who has a phone; for a contact, its own phone.
    /// `channel` is null when no visible phone exists (the box then links the contact table).
    pub(super) fn first_call(&self, call: &Ref) -> Value {
        let c = self.corpus;
        let target = self.ref_json(call);
        let phone = |id: &str| -> Option<(String, Value)> {
            let (name, channels, vis) = match c.person(id) {
                Some(p) => (p.name.clone(), &p.channels, p.visibility),
                None => c
                    .organisation(id)
                    .map(|o| (o.name.clone(), &o.channels, o.visibility))?,
            };
            if !self.audience.sees(vis) {
                return None;
            }
            let ch = channels
                .iter()
                .find(|ch| matches!(ch.kind, ChannelKind::Phone | ChannelKind::Mobile))?;
            Some((name, self.channel_json(ch)))
        };
        let found = match call.kind {
            _ if self.hidden(call) => None,
            RefKind::Role => c.role(&call.id).and_then(|role| {
                role.held_by
                    .iter()
                    .chain(role.deputy.iter())
                    .find_map(|h| phone(&h.value.id))
                    .map(|(n, ch)| (Some(n), ch))
            }),
            RefKind::Contact => phone(&call.id).map(|(_, ch)| (None, ch)),
            _ => None,
        };
        let (person, channel) = match found {
            Some((person, channel)) => (person, channel),
            None => (None, Value::Null),
        };
        json!({"name": target["name"], "url": target["url"], "person": person, "channel": channel})
    }
}
