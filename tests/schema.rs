//! The JSON Schemas that `kitei schema` writes agree with the loader: every file of the example
//! validates with a stock validator (`check-jsonschema`), the loader's failing fixtures that are
//! schema errors fail it, every example YAML file names its schema for editors, and the
//! committed schemas in `docs/schemas/` are current.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn schemas() -> PathBuf {
    common::root().join("docs/schemas")
}

/// Runs check-jsonschema; `None` when it is not installed (and that is allowed).
fn validate(schema: &Path, files: &[PathBuf]) -> Option<std::process::Output> {
    if !common::on_path("check-jsonschema") {
        common::tool_missing(
            "the JSON Schema validation",
            "check-jsonschema is missing (pip install check-jsonschema)",
        );
        return None;
    }
    Some(
        Command::new("check-jsonschema")
            .arg("--schemafile")
            .arg(schema)
            .args(files)
            .output()
            .unwrap(),
    )
}

/// The schema named in the file's first line (`# yaml-language-server: $schema=…`).
fn modeline_schema(file: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(file).unwrap();
    let target = text
        .lines()
        .next()?
        .strip_prefix("# yaml-language-server: $schema=")?;
    Some(file.parent().unwrap().join(target))
}

fn example_yaml() -> Vec<PathBuf> {
    walkdir::WalkDir::new(common::root().join("policy-src"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        // Attached evidence files are data, not kitei YAML (relative path: the checkout's own
        // path may contain a folder named `evidence`).
        .filter(|p| {
            !p.strip_prefix(common::root())
                .unwrap_or(p)
                .components()
                .any(|c| c.as_os_str() == "evidence")
        })
        .collect()
}

#[test]
fn committed_schemas_are_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_kitei"))
        .args(["schema", "--check", "--out"])
        .arg(schemas())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_example_yaml_names_its_schema_and_validates() {
    let files = example_yaml();
    assert!(files.len() >= 15, "{files:?}");
    let mut by_schema: std::collections::BTreeMap<PathBuf, Vec<PathBuf>> = Default::default();
    for file in &files {
        let schema = modeline_schema(file)
            .unwrap_or_else(|| panic!("{} has no schema modeline", file.display()));
        let schema = schema
            .canonicalize()
            .unwrap_or_else(|_| panic!("{}: {} missing", file.display(), schema.display()));
        assert!(schema.starts_with(schemas().canonicalize().unwrap()));
        by_schema.entry(schema).or_default().push(file.clone());
    }
    for (schema, files) in by_schema {
        let Some(out) = validate(&schema, &files) else {
            return;
        };
        assert!(
            out.status.success(),
            "{files:?} do not validate against {}:\n{}",
            schema.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn every_example_front_matter_validates_against_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mut by_kind: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
    for entry in walkdir::WalkDir::new(common::root().join("policy-src")).sort_by_file_name() {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "md") || path.ends_with("README.md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let yaml = text
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map(|(yaml, _)| yaml)
            .unwrap_or_else(|| panic!("{} has no front matter", path.display()));
        let kind = yaml
            .lines()
            .find_map(|l| l.strip_prefix("kind:"))
            .unwrap()
            .trim()
            .to_string();
        let out = dir.path().join(format!(
            "{}.yaml",
            path.file_stem().unwrap().to_string_lossy()
        ));
        std::fs::write(&out, yaml).unwrap();
        by_kind.entry(kind).or_default().push(out);
    }
    assert!(by_kind.contains_key("regulation") && by_kind.contains_key("runbook"));
    for (kind, files) in by_kind {
        let schema = schemas().join(format!("front-matter-{kind}.schema.json"));
        let Some(out) = validate(&schema, &files) else {
            return;
        };
        assert!(
            out.status.success(),
            "{kind} front matter does not validate:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// The loader's fixtures for schema errors (a missing field, an unknown field or value, a wrong
/// type, a timestamp without offset) are rejected by the schema too: an editor flags them
/// while typing.
#[test]
fn loader_schema_errors_fail_the_schema() {
    for fixture in [
        "loader-missing-field",
        "loader-unknown-field",
        "loader-unknown-value",
        "loader-wrong-type",
        "loader-timestamp-without-offset",
    ] {
        let file = common::root()
            .join("tests/fixtures")
            .join(fixture)
            .join("overlay/policy-src/incidents/INC-1.yaml");
        let Some(out) = validate(&schemas().join("incident.schema.json"), &[file]) else {
            return;
        };
        assert!(
            !out.status.success(),
            "{fixture}: the schema accepts what the loader refuses"
        );
    }
    // …while the base fixture's incident-free tables pass.
    let base = common::root().join("tests/fixtures/base/policy-src/roles.yaml");
    if let Some(out) = validate(&schemas().join("roles.schema.json"), &[base]) {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
