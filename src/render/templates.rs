//! The tera engine: default templates embedded in the binary under `default/`, and the
//! project's own `templates/*.html` added under their plain names, which tera tries first
//! (fallback prefixes) — so a project overrides the defaults file by file, like mdBook's
//! theme folder, and `{% extends "base.html" %}` in a default picks up an overriding base.

use std::path::Path;
use std::sync::{Arc, Mutex};

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

/// The engine with the defaults and the overrides found in `project_templates` (if it exists),
/// and those overrides (name and text: part of every page's key, see [`super::reuse`]; the
/// embedded defaults are part of the binary's identity). Files that are not `.html` (a README)
/// are ignored; `assets/` files override assets.
///
/// The last engine this process compiled is kept with its overrides and shared while they
/// read the same: `kitei serve` renders after every save, and compiling the templates was a
/// few milliseconds of each rebuild.
pub fn engine(project_templates: &Path) -> Result<(Arc<Tera>, Overrides), String> {
    static LAST: Mutex<Option<(Overrides, Arc<Tera>)>> = Mutex::new(None);
    let overrides = overrides(project_templates)?;
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((seen, tera)) = last.as_ref()
        && *seen == overrides
    {
        return Ok((tera.clone(), overrides));
    }
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
    for (name, src) in &overrides {
        tera.add_raw_template(name, src).map_err(|e| describe(&e))?;
    }
    let tera = Arc::new(tera);
    *last = Some((overrides.clone(), tera.clone()));
    Ok((tera, overrides))
}

/// A project's template files: (name, text), sorted by name.
pub type Overrides = Vec<(String, String)>;

/// The project's template files, sorted by name (`.html` at the top level only).
fn overrides(dir: &Path) -> Result<Overrides, String> {
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
    fn the_engine_kept_from_an_earlier_build_follows_the_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let render = |expected: &str| {
            let (tera, overrides) = engine(dir.path()).unwrap();
            let page = tera.render("extra.html", &tera::Context::new());
            assert_eq!(page.ok().as_deref(), Some(expected), "{overrides:?}");
        };
        let missing = || {
            let (tera, _) = engine(dir.path()).unwrap();
            tera.render("extra.html", &tera::Context::new()).is_err()
        };
        assert!(missing());
        std::fs::write(dir.path().join("extra.html"), "<p>{{ 1 + 1 }}</p>").unwrap();
        render("<p>2</p>");
        render("<p>2</p>");
        std::fs::write(dir.path().join("extra.html"), "<p>{{ 2 + 2 }}</p>").unwrap();
        render("<p>4</p>");
        std::fs::remove_file(dir.path().join("extra.html")).unwrap();
        assert!(missing());
    }

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
