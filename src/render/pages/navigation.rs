//! What every page's frame shows: the organisation, the build, the navigation.

use super::*;

impl<'a> Site<'a> {
    pub(super) fn common_context(&self) -> Value {
        let version = self
            .regulation()
            .and_then(|d| d.meta.version.as_ref())
            .map(|v| v.value.clone());
        let first_regulation = self
            .regulation()
            .or_else(|| self.docs().find(|d| d.kind() != DocKind::Runbook))
            .map(doc_url);
        let mut nav =
            vec![json!({"key": "home", "url": "index.html", "label": self.t("nav_home")})];
        if let Some(url) = first_regulation {
            nav.push(json!({"key": "regulation", "url": url, "label": self.t("nav_regulation")}));
        }
        for (key, url) in [
            ("runbooks", "index.html#runbooks"),
            ("contacts", "contacts.html"),
            ("roles", "roles.html"),
            ("systems", "systems.html"),
            ("severity", "severity.html"),
            ("incidents", "incidents.html"),
            ("dashboard", "dashboard.html"),
        ] {
            if key == "dashboard" && !self.has_dashboard() {
                continue;
            }
            nav.push(json!({"key": key, "url": url, "label": self.t(&format!("nav_{key}"))}));
        }
        json!({
            "organisation": self.project.config.organisation,
            "lang": self.t("lang"),
            "audience": self.audience.as_str(),
            "audience_label": self.t(&format!("audience_{}", self.audience.as_str())),
            "version": version,
            "commit": self.info.commit,
            "build_date": self.info.build_date,
            "preview": self.info.preview,
            "nav": nav,
        })
    }
}
