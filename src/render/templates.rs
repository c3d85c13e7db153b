//! The tera engine: default templates embedded in the binary under `default/`, and the
//! project's own `templates/*.html` added under their plain names, which tera tries first
//! (fallback prefixes) — so a project overrides the defaults file by file, like mdBook's
//! theme folder, and `{% extends "base.html" %}` in a default picks up an overriding base.

use std::path::Path;

use tera::Tera;

/// The default templates, as `(name, source)`.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "document.html",
        include_str!("../../templates/document.html"),
    ),
    ("runbook.html", include_str!("../../templates/runbook.html")),
    (
        "contacts.html",
        include_str!("../../templates/contacts.html"),
    ),
    ("roles.html", include_str!("../../templates/roles.html")),
    ("systems.html", include_str!("../../templates/systems.html")),
    (
        "severity.html",
        include_str!("../../templates/severity.html"),
    ),
    (
        "incidents.html",
        include_str!("../../templates/incidents.html"),
    ),
    (
        "incident.html",
        include_str!("../../templates/incident.html"),
    ),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    (
        "findings.html",
        include_str!("../../templates/findings.html"),
    ),
    (
        "findings-list.html",
        include_str!("../../templates/findings-list.html"),
    ),
    ("records.html", include_str!("../../templates/records.html")),
    (
        "acknowledgements.html",
        include_str!("../../templates/acknowledgements.html"),
    ),
    ("list.html", include_str!("../../templates/list.html")),
    ("pager.html", include_str!("../../templates/pager.html")),
    ("drill.html", include_str!("../../templates/drill.html")),
    ("review.html", include_str!("../../templates/review.html")),
    (
        "exception.html",
        include_str!("../../templates/exception.html"),
    ),
    ("compare.html", include_str!("../../templates/compare.html")),
    ("changes.html", include_str!("../../templates/changes.html")),
    (
        "versions.html",
        include_str!("../../templates/versions.html"),
    ),
];

/// Static assets copied into every site (no external origin is ever referenced).
pub const ASSETS: &[(&str, &str)] = &[
    (
        "assets/kitei.css",
        include_str!("../../templates/assets/kitei.css"),
    ),
    (
        "assets/search.js",
        include_str!("../../templates/assets/search.js"),
    ),
    (
        "assets/call-now.js",
        include_str!("../../templates/assets/call-now.js"),
    ),
];

/// The engine with the defaults and the overrides found in `project_templates` (if it exists).
/// Files that are not `.html` (a README) are ignored; `assets/` files override assets.
pub fn engine(project_templates: &Path) -> Result<Tera, String> {
    let mut tera = Tera::default();
    // Filters and functions would be registered here, before any template is added (tera 2
    // checks at add time that everything a template uses exists).
    tera.set_fallback_prefixes(["default/"])
        .map_err(|e| e.to_string())?;
    tera.add_raw_templates(
        DEFAULTS
            .iter()
            .map(|(name, src)| (format!("default/{name}"), *src)),
    )
    .map_err(|e| describe(&e))?;
    for (name, src) in overrides(project_templates)? {
        tera.add_raw_template(&name, &src)
            .map_err(|e| describe(&e))?;
    }
    Ok(tera)
}

/// The project's template overrides (name and text), as part of every page's key
/// ([`super::reuse`]); the embedded defaults are part of the binary's identity.
pub fn overrides_for_key(dir: &Path) -> Result<Vec<(String, String)>, String> {
    overrides(dir)
}

/// The project's template files, sorted by name (`.html` at the top level only).
fn overrides(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if !path.is_file() || !name.ends_with(".html") {
            continue;
        }
        let src = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read template {}: {e}", path.display()))?;
        out.push((name, src));
    }
    out.sort();
    Ok(out)
}

/// The project's override of an asset, or the embedded default.
pub fn asset(project_templates: &Path, name: &str, default: &str) -> Result<Vec<u8>, String> {
    let path = project_templates.join(name);
    if path.is_file() {
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    } else {
        Ok(default.as_bytes().to_vec())
    }
}

/// A page's JSON as the template engine's value, moved in part by part.
///
/// The engine keeps values of its own, so a page is copied into them; copying it whole
/// (`Context::insert`) would hold the page twice at once, which for the dashboard (every
/// finding) is tens of MB. Here each part is freed as soon as its copy is made.
pub fn into_value(value: serde_json::Value) -> tera::Value {
    match value {
        serde_json::Value::Array(items) => {
            items.into_iter().map(into_value).collect::<Vec<_>>().into()
        }
        serde_json::Value::Object(fields) => fields
            .into_iter()
            .map(|(key, value)| (key, into_value(value)))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into(),
        scalar => tera::Value::from_serializable(&scalar),
    }
}

/// A tera error with its causes (tera puts the template, line and variable in the chain).
pub fn describe(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_page_is_the_value_a_copy_would_be() {
        let page = serde_json::json!({
            "title": "規程", "count": 3, "ratio": 0.5, "late": true, "none": null,
            "rows": [{"id": "a", "n": -1, "tags": ["x", "y"]}, {"id": "b", "nested": {"deep": [[]]}}],
            "empty": {}, "list": [],
        });
        let copied = tera::Value::from_serializable(&page);
        assert_eq!(into_value(page), copied);
    }
}
