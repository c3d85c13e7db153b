//! `kitei init`: copies the default templates embedded in the binary into a project's
//! `templates/` for editing and, with `--policy`, scaffolds a minimal project that passes
//! `kitei check` (kitei.toml and a small `policy-src/`).
//!
//! Nothing is written when any target already exists, unless the caller forces it: a
//! half-initialised folder would be worse than a refusal. The templates written are exactly
//! [`templates::DEFAULTS`] and [`templates::ASSETS`], so they always match this binary.

use std::io;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::templates;

/// The scaffold of `init --policy`: (path relative to the project root, text). `{{today}}` is
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

/// The scaffold's source folder (as named in its kitei.toml): an existing one is a conflict.
const SCAFFOLD_SOURCE: &str = "policy-src";

/// What `kitei init` does.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Also write kitei.toml and a minimal policy-src/.
    pub policy: bool,
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
            InitError::Io(m) => f.write_str(m),
        }
    }
}

/// One file written: its path relative to the folder and whether it replaced an existing one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub replaced: bool,
}

/// Every file `init` would write: (relative path with `/`, bytes).
pub fn plan(opts: &InitOptions) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = templates::DEFAULTS
        .iter()
        .chain(templates::ASSETS)
        .map(|(name, src)| (format!("templates/{name}"), src.as_bytes().to_vec()))
        .collect();
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

/// Writes the plan into `dir` (created if missing). Refuses, writing nothing, when a target
/// exists (or, with `policy`, when the source folder exists) and `force` is off.
pub fn init(dir: &Path, opts: &InitOptions) -> Result<Vec<Written>, InitError> {
    let files = plan(opts);
    let mut existing: Vec<String> = files
        .iter()
        .filter(|(rel, _)| target(dir, rel).symlink_metadata().is_ok())
        .map(|(rel, _)| rel.clone())
        .collect();
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
    let mut written = Vec::new();
    for (rel, bytes) in &files {
        let path = target(dir, rel);
        let replaced = write_file(&path, bytes)
            .map_err(|e| InitError::Io(format!("cannot write {}: {e}", path.display())))?;
        written.push(Written {
            path: rel.clone(),
            replaced,
        });
    }
    Ok(written)
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
            force,
            today: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        }
    }

    #[test]
    fn writes_every_default_and_refuses_a_second_time() {
        let dir = tempfile::tempdir().unwrap();
        let written = init(dir.path(), &opts(false, false)).unwrap();
        assert_eq!(
            written.len(),
            templates::DEFAULTS.len() + templates::ASSETS.len()
        );
        for (name, src) in templates::DEFAULTS {
            assert_eq!(
                std::fs::read_to_string(dir.path().join("templates").join(name)).unwrap(),
                *src
            );
        }
        assert!(dir.path().join("templates/assets/kitei.css").is_file());
        std::fs::write(dir.path().join("templates/base.html"), "mine").unwrap();
        match init(dir.path(), &opts(false, false)) {
            Err(InitError::Exists(paths)) => {
                assert!(paths.contains(&"templates/base.html".to_string()))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("templates/base.html")).unwrap(),
            "mine"
        );
        let again = init(dir.path(), &opts(false, true)).unwrap();
        assert!(again.iter().all(|w| w.replaced));
    }

    #[test]
    fn policy_scaffold_has_no_placeholder_left_and_refuses_an_existing_source() {
        let files = plan(&opts(true, false));
        for (path, bytes) in &files {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(!text.contains("{{today}}"), "{path}");
        }
        assert!(files.iter().any(|(p, b)| p == "policy-src/contacts.yaml"
            && String::from_utf8_lossy(b).contains("2026-04-01")));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("policy-src")).unwrap();
        assert!(matches!(
            init(dir.path(), &opts(true, false)),
            Err(InitError::Exists(_))
        ));
        assert!(!dir.path().join("templates").exists());
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
        init(&project, &opts(false, true)).unwrap();
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
