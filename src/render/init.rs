//! `kitei init`: a policy repository that is safe and CI-ready on day one. It writes
//!
//! * a `.gitignore` for every generated output (sites, the local evidence chain, caches,
//!   secret keys), merged into an existing one line by line;
//! * CI definitions for GitHub Actions and GitLab CI (check with annotations, build, seal on the
//!   default branch, Pages), from `scaffold/repo/`;
//! * the JSON Schemas of every YAML kind into `schemas/`, which the scaffold's YAML files name in
//!   their first line, so editors validate while typing;
//! * a starter project (kitei.toml and a small `policy-src/` that passes `kitei check`) unless the
//!   folder has one already.
//!
//! The built-in templates are NOT copied: a project follows kitei's template fixes until it
//! ejects a template on purpose ([`eject`], `kitei templates eject NAME`).
//!
//! Nothing is written when any target already exists, unless the caller forces it: a
//! half-initialised folder would be worse than a refusal. The `.gitignore` is the exception: the
//! lines it lacks are appended, since replacing a project's own ignores would lose them.

use std::io;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::templates;

/// The scaffold of a new project: (path relative to the project root, text). `{{today}}` is
/// replaced by the scaffold's date so that approvals, contact checks and the first drill are
/// recent and the project checks clean — until the duties really fall due.
const SCAFFOLD: &[(&str, &str)] = &[
    ("kitei.toml", include_str!("scaffold/kitei.toml")),
    (
        "policy-src/README.md",
        include_str!("scaffold/policy-src/README.md"),
    ),
    (
        "policy-src/regulation/regulation.md",
        include_str!("scaffold/policy-src/regulation/regulation.md"),
    ),
    (
        "policy-src/runbooks/malware.md",
        include_str!("scaffold/policy-src/runbooks/malware.md"),
    ),
    (
        "policy-src/roles.yaml",
        include_str!("scaffold/policy-src/roles.yaml"),
    ),
    (
        "policy-src/contacts.yaml",
        include_str!("scaffold/policy-src/contacts.yaml"),
    ),
    (
        "policy-src/systems.yaml",
        include_str!("scaffold/policy-src/systems.yaml"),
    ),
    (
        "policy-src/severity.yaml",
        include_str!("scaffold/policy-src/severity.yaml"),
    ),
    (
        "policy-src/drills/DRL-1.yaml",
        include_str!("scaffold/policy-src/drills/DRL-1.yaml"),
    ),
];

/// The repository files every `kitei init` writes; `{{version}}` is this kitei's version and
/// `{{rust_version}}` the oldest Rust that builds it (`rust-version` of Cargo.toml).
const REPOSITORY: &[(&str, &str)] = &[
    (
        ".github/workflows/kitei.yml",
        include_str!("scaffold/repo/github-workflow.yml"),
    ),
    (
        ".gitlab-ci.yml",
        include_str!("scaffold/repo/gitlab-ci.yml"),
    ),
];

/// The `.gitignore` lines, merged into an existing file.
const GITIGNORE: &str = include_str!("scaffold/repo/gitignore");

/// Where the JSON Schemas go (what `kitei schema --out` writes by default).
pub const SCHEMA_DIR: &str = "schemas";

/// The scaffold's source folder (as named in its kitei.toml): an existing one is a conflict.
const SCAFFOLD_SOURCE: &str = "policy-src";

/// What `kitei init` does.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Also write kitei.toml and a minimal policy-src/.
    pub policy: bool,
    /// Also copy every built-in template into templates/ for editing.
    pub eject_templates: bool,
    /// Replace existing files.
    pub force: bool,
    /// The date written into the scaffold's records (`{{today}}`).
    pub today: NaiveDate,
}

/// Why nothing (or not everything) was written.
#[derive(Debug)]
pub enum InitError {
    /// These targets exist already (relative to the folder); nothing was written.
    Exists(Vec<String>),
    /// No built-in template has these names.
    Unknown(Vec<String>),
    Io(String),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::Exists(paths) => {
                write!(
                    f,
                    "refusing to overwrite {} existing file(s); nothing was written:",
                    paths.len()
                )?;
                for p in paths {
                    write!(f, "\n  {p}")?;
                }
                write!(
                    f,
                    "\nuse --force to replace them (your changes in them are lost)"
                )
            }
            InitError::Unknown(names) => write!(
                f,
                "no built-in template is called {}; nothing was written\n`kitei templates list` shows every name",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            InitError::Io(m) => f.write_str(m),
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Replaced,
    /// Lines were appended to an existing file (the `.gitignore`).
    Appended,
}

/// One file written: its path relative to the folder and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub action: Action,
}

/// Every file `init` would write, except the merged `.gitignore`: (relative path with `/`, bytes).
pub fn plan(opts: &InitOptions) -> Vec<(String, Vec<u8>)> {
    let version = env!("CARGO_PKG_VERSION");
    let mut files: Vec<(String, Vec<u8>)> = REPOSITORY
        .iter()
        .map(|(path, src)| {
            (
                path.to_string(),
                src.replace("{{version}}", version)
                    .replace("{{rust_version}}", env!("CARGO_PKG_RUST_VERSION"))
                    .into_bytes(),
            )
        })
        .collect();
    files.extend(
        crate::model::schema::all()
            .iter()
            .map(|f| (format!("{SCHEMA_DIR}/{}", f.name), f.to_json().into_bytes())),
    );
    if opts.eject_templates {
        files.extend(template_files(&template_names()));
    }
    if opts.policy {
        let today = opts.today.format("%Y-%m-%d").to_string();
        files.extend(SCAFFOLD.iter().map(|(path, src)| {
            (
                path.to_string(),
                src.replace("{{today}}", &today).into_bytes(),
            )
        }));
    }
    files
}

/// Writes the plan into `dir` (created if missing) and merges the `.gitignore`. Refuses,
/// writing nothing, when a target exists (or, with `policy`, when the source folder exists) and
/// `force` is off.
pub fn init(dir: &Path, opts: &InitOptions) -> Result<Vec<Written>, InitError> {
    let files = plan(opts);
    let mut existing = existing(dir, &files);
    if opts.policy
        && dir.join(SCAFFOLD_SOURCE).symlink_metadata().is_ok()
        && !existing.iter().any(|p| p.starts_with("policy-src/"))
    {
        // Mixing the scaffold into an existing source folder would make a policy of two halves.
        existing.push(format!("{SCAFFOLD_SOURCE}/ (the folder exists)"));
    }
    if !existing.is_empty() && !opts.force {
        return Err(InitError::Exists(existing));
    }
    let mut written = write_all(dir, &files)?;
    if let Some(w) = merge_gitignore(dir)? {
        written.insert(0, w);
    }
    Ok(written)
}

/// The names `kitei templates eject` accepts: every built-in template and asset
/// (`base.html`, `assets/kitei.css`, …).
pub fn template_names() -> Vec<&'static str> {
    templates::DEFAULTS
        .iter()
        .chain(templates::ASSETS)
        .map(|(name, _)| *name)
        .collect()
}

fn template_files(names: &[&str]) -> Vec<(String, Vec<u8>)> {
    templates::DEFAULTS
        .iter()
        .chain(templates::ASSETS)
        .filter(|(name, _)| names.contains(name))
        .map(|(name, src)| (format!("templates/{name}"), src.as_bytes().to_vec()))
        .collect()
}

/// Copies the named built-in templates into `dir/templates/` for editing. A copy overrides the
/// built-in template from then on, and stops following kitei's fixes to it. Unknown names or
/// existing copies (without `force`) write nothing.
pub fn eject(dir: &Path, names: &[String], force: bool) -> Result<Vec<Written>, InitError> {
    let known = template_names();
    let unknown: Vec<String> = names
        .iter()
        .filter(|n| !known.contains(&n.as_str()))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(InitError::Unknown(unknown));
    }
    let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
    let files = template_files(&wanted);
    let existing = existing(dir, &files);
    if !existing.is_empty() && !force {
        return Err(InitError::Exists(existing));
    }
    write_all(dir, &files)
}

fn existing(dir: &Path, files: &[(String, Vec<u8>)]) -> Vec<String> {
    files
        .iter()
        .filter(|(rel, _)| target(dir, rel).symlink_metadata().is_ok())
        .map(|(rel, _)| rel.clone())
        .collect()
}

fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<Written>, InitError> {
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let path = target(dir, rel);
        let replaced = write_file(&path, bytes)
            .map_err(|e| InitError::Io(format!("cannot write {}: {e}", path.display())))?;
        written.push(Written {
            path: rel.clone(),
            action: if replaced {
                Action::Replaced
            } else {
                Action::Created
            },
        });
    }
    Ok(written)
}

/// Writes kitei's `.gitignore`, or appends the rules an existing one lacks (`None`: it had all).
fn merge_gitignore(dir: &Path) -> Result<Option<Written>, InitError> {
    let path = dir.join(".gitignore");
    let io_err = |e: io::Error| InitError::Io(format!("cannot write {}: {e}", path.display()));
    let theirs = match path.symlink_metadata() {
        Ok(m) if m.is_file() => std::fs::read_to_string(&path).map_err(io_err)?,
        Ok(_) => {
            return Err(InitError::Io(format!(
                "{} is not a regular file; add kitei's ignores by hand:\n{GITIGNORE}",
                path.display()
            )));
        }
        Err(_) => {
            write_file(&path, GITIGNORE.as_bytes()).map_err(io_err)?;
            return Ok(Some(Written {
                path: ".gitignore".into(),
                action: Action::Created,
            }));
        }
    };
    let have: std::collections::HashSet<&str> = theirs.lines().map(str::trim).collect();
    let missing: Vec<&str> = GITIGNORE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !have.contains(l.trim()))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let mut text = theirs;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("\n# kitei: generated output, never committed (added by `kitei init`).\n");
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    write_file(&path, text.as_bytes()).map_err(io_err)?;
    Ok(Some(Written {
        path: ".gitignore".into(),
        action: Action::Appended,
    }))
}

fn target(dir: &Path, rel: &str) -> PathBuf {
    rel.split('/')
        .fold(dir.to_path_buf(), |p, part| p.join(part))
}

/// Writes one file; an existing file (or symbolic link) is removed first, so a forced write never
/// follows a link out of the project. Returns whether something was replaced.
fn write_file(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let replaced = match path.symlink_metadata() {
        Ok(m) if m.is_dir() => return Err(io::Error::other("a folder is in the way")),
        Ok(_) => {
            std::fs::remove_file(path)?;
            true
        }
        Err(_) => false,
    };
    std::fs::write(path, bytes)?;
    Ok(replaced)
}

/// The scaffold's date: `--as-of`, else `SOURCE_DATE_EPOCH`, else today, in Japan time (the
/// scaffold's time zone, so that `kitei check` on the same day agrees).
pub fn today(as_of: Option<NaiveDate>) -> Result<NaiveDate, String> {
    if let Some(d) = as_of {
        return Ok(d);
    }
    let now = crate::config::source_date_epoch()?.unwrap_or_else(chrono::Utc::now);
    let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    Ok(now.with_timezone(&jst).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(policy: bool, force: bool) -> InitOptions {
        InitOptions {
            policy,
            eject_templates: false,
            force,
            today: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        }
    }

    #[test]
    fn writes_the_repository_files_without_templates_and_refuses_a_second_time() {
        let dir = tempfile::tempdir().unwrap();
        let written = init(dir.path(), &opts(false, false)).unwrap();
        let paths: Vec<&str> = written.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths[0], ".gitignore");
        assert!(paths.contains(&".github/workflows/kitei.yml"));
        assert!(paths.contains(&".gitlab-ci.yml"));
        assert!(paths.contains(&"schemas/incident.schema.json"));
        assert!(
            !dir.path().join("templates").exists(),
            "no template copies by default"
        );
        let workflow =
            std::fs::read_to_string(dir.path().join(".github/workflows/kitei.yml")).unwrap();
        assert!(workflow.contains(&format!("KITEI_VERSION: \"{}\"", env!("CARGO_PKG_VERSION"))));
        assert!(!workflow.contains("{{version}}"));
        // CI can build this kitei (its minimum Rust) and typeset its PDFs (a Japanese font).
        let gitlab = std::fs::read_to_string(dir.path().join(".gitlab-ci.yml")).unwrap();
        let image = format!(
            "image: rust:{}-slim-bookworm",
            env!("CARGO_PKG_RUST_VERSION")
        );
        assert!(gitlab.contains(&image), "{gitlab}");
        for ci in [&workflow, &gitlab] {
            assert!(ci.contains("install -y -qq --no-install-recommends fonts-ipaexfont"));
        }
        std::fs::write(dir.path().join(".gitlab-ci.yml"), "mine").unwrap();
        match init(dir.path(), &opts(false, false)) {
            Err(InitError::Exists(paths)) => assert!(paths.contains(&".gitlab-ci.yml".into())),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitlab-ci.yml")).unwrap(),
            "mine"
        );
        let again = init(dir.path(), &opts(false, true)).unwrap();
        assert!(
            again
                .iter()
                .all(|w| w.action == Action::Replaced && w.path != ".gitignore"),
            "{again:?}"
        );
    }

    #[test]
    fn an_existing_gitignore_gets_only_the_missing_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "node_modules/\n/site/").unwrap();
        let written = init(dir.path(), &opts(false, false)).unwrap();
        assert_eq!(written[0].action, Action::Appended);
        let text = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
        assert!(
            text.starts_with("node_modules/\n/site/\n\n# kitei"),
            "{text}"
        );
        assert_eq!(text.matches("/site/").count(), 1);
        assert!(text.contains("\n/evidence/\n") && text.contains("\n*.key\n"));
        // All there: untouched.
        assert_eq!(merge_gitignore(dir.path()).unwrap(), None);
    }

    #[test]
    fn policy_scaffold_has_no_placeholder_left_and_refuses_an_existing_source() {
        let files = plan(&opts(true, false));
        for (path, bytes) in &files {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(!text.contains("{{today}}"), "{path}");
            assert!(!text.contains("{{version}}"), "{path}");
            assert!(!text.contains("{{rust_version}}"), "{path}");
        }
        assert!(files.iter().any(|(p, b)| p == "policy-src/contacts.yaml"
            && String::from_utf8_lossy(b).contains("2026-04-01")));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("policy-src")).unwrap();
        assert!(matches!(
            init(dir.path(), &opts(true, false)),
            Err(InitError::Exists(_))
        ));
        assert!(!dir.path().join(".gitlab-ci.yml").exists());
    }

    #[test]
    fn every_scaffold_modeline_names_a_schema_init_writes() {
        let files = plan(&opts(true, false));
        for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".yaml")) {
            let first = String::from_utf8_lossy(bytes)
                .lines()
                .next()
                .unwrap()
                .to_string();
            let rel = first
                .strip_prefix("# yaml-language-server: $schema=")
                .unwrap_or_else(|| panic!("{path}: no modeline"));
            let resolved = rel.split('/').fold(
                path.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap(),
                |at, part| match part {
                    ".." => at
                        .rsplit_once('/')
                        .map(|(d, _)| d.to_string())
                        .unwrap_or_default(),
                    p if at.is_empty() => p.to_string(),
                    p => format!("{at}/{p}"),
                },
            );
            assert!(
                files.iter().any(|(p, _)| *p == resolved),
                "{path}: {resolved} is not written"
            );
        }
    }

    #[test]
    fn eject_copies_only_the_named_templates_and_refuses_unknown_names() {
        let dir = tempfile::tempdir().unwrap();
        let written = eject(
            dir.path(),
            &["base.html".into(), "assets/kitei.css".into()],
            false,
        )
        .unwrap();
        assert_eq!(written.len(), 2);
        let (_, base) = templates::DEFAULTS
            .iter()
            .find(|(n, _)| *n == "base.html")
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("templates/base.html")).unwrap(),
            *base
        );
        assert!(dir.path().join("templates/assets/kitei.css").is_file());
        assert!(!dir.path().join("templates/index.html").exists());
        assert!(matches!(
            eject(dir.path(), &["base.html".into()], false),
            Err(InitError::Exists(_))
        ));
        match eject(
            dir.path(),
            &["nope.html".into(), "index.html".into()],
            false,
        ) {
            Err(e @ InitError::Unknown(_)) => {
                assert!(e.to_string().contains("`nope.html`"), "{e}")
            }
            other => panic!("{other:?}"),
        }
        assert!(!dir.path().join("templates/index.html").exists());
    }

    #[cfg(unix)]
    #[test]
    fn force_replaces_a_link_instead_of_writing_through_it() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.html");
        std::fs::write(&outside, "outside").unwrap();
        let project = dir.path().join("p");
        std::fs::create_dir_all(project.join("templates")).unwrap();
        std::os::unix::fs::symlink(&outside, project.join("templates/base.html")).unwrap();
        eject(&project, &["base.html".into()], true).unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "outside");
        assert!(
            !project
                .join("templates/base.html")
                .symlink_metadata()
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
