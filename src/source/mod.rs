//! Loading: walk the source folder, decode each file, split front matter, parse YAML into the
//! typed model. Every problem becomes a diagnostic and loading goes on, so that one run
//! reports all of them. Files are read and parsed in parallel; the corpus is assembled in
//! sorted path order so that results never depend on the file system.

pub mod encoding;
pub mod frontmatter;
pub mod markdown;
pub mod yaml;

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::config::Project;
use crate::diag::{Diagnostic, Loc, SourceMap};
use crate::model::document::{Document, FrontMatter};
use crate::model::tables::{ContactsFile, RolesFile, SeverityFile, SystemsFile};
use crate::model::{Corpus, Drill, Exception, FileId, Incident, Review, SourceFile, Sourced};

/// What a file is, decided by where it lives (docs/formats.md, "Where files go").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileClass {
    Document,
    Roles,
    Contacts,
    Systems,
    Severity,
    Incident,
    Drill,
    Review,
    Exception,
    /// Attachments and assets: hashed, never parsed.
    Attachment,
    /// A `.md`/`.yaml` file in a place kitei does not read: reported, not dropped silently.
    Unknown,
    /// Files kitei has no use for (editor droppings, the folder's own README).
    Ignored,
}

fn classify(rel: &Path) -> FileClass {
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
    {
        return FileClass::Ignored;
    }
    let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or("");
    let is_yaml = ext == "yaml" || ext == "yml";
    let first = rel
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or("");
    let top_level = rel.components().count() == 1;
    match (first, top_level) {
        ("evidence" | "assets", false) => FileClass::Attachment,
        ("regulation" | "runbooks", false) if ext == "md" => FileClass::Document,
        ("incidents", false) if is_yaml => FileClass::Incident,
        ("drills", false) if is_yaml => FileClass::Drill,
        ("reviews", false) if is_yaml => FileClass::Review,
        ("exceptions", false) if is_yaml => FileClass::Exception,
        (_, true) if is_yaml => match rel.file_stem().and_then(|s| s.to_str()) {
            Some("roles") => FileClass::Roles,
            Some("contacts") => FileClass::Contacts,
            Some("systems") => FileClass::Systems,
            Some("severity") => FileClass::Severity,
            _ => FileClass::Unknown,
        },
        ("README.md", true) => FileClass::Ignored,
        _ if is_yaml || ext == "md" => FileClass::Unknown,
        _ => FileClass::Ignored,
    }
}

/// The result of reading and parsing one file.
enum Parsed {
    Document(Box<Document>),
    Roles(RolesFile),
    Contacts(ContactsFile),
    Systems(SystemsFile),
    Severity(SeverityFile),
    Incident(Box<Incident>),
    Drill(Drill),
    Review(Review),
    Exception(Exception),
    Nothing,
}

/// A file as read: its record, its text (kept even when parsing fails, for quoting) and the
/// parse outcome; the outer error means the file could not be read or decoded at all.
type ReadResult = Result<(SourceFile, Option<String>, Result<Parsed, Diagnostic>), Diagnostic>;

/// A loaded corpus, the source texts (for quoting in messages) and what went wrong.
pub struct Loaded {
    pub corpus: Corpus,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the project's source folder.
pub fn load(project: &Project) -> Result<Loaded, Diagnostic> {
    let root = project.source_dir();
    let display_root = project.config.source.clone();
    let canonical_root = root.canonicalize().map_err(|e| {
        Diagnostic::error(
            "K0101",
            format!("cannot open the source folder {}: {e}", root.display()),
        )
        .help("create it, or set `source` in kitei.toml to the folder that holds the policy")
    })?;

    let mut diagnostics = Vec::new();
    let mut entries = Vec::new();
    for entry in walkdir::WalkDir::new(&root)
        .follow_links(false)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => {
                let rel = e
                    .path()
                    .strip_prefix(&root)
                    .unwrap_or(e.path())
                    .to_path_buf();
                if e.path_is_symlink()
                    && let Err(d) =
                        check_symlink(e.path(), &canonical_root, &display_root.join(&rel))
                {
                    diagnostics.push(d);
                    continue;
                }
                entries.push(rel);
            }
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                diagnostics.push(
                    Diagnostic::error("K0101", format!("cannot read {path}: {err}"))
                        .help("check the file's permissions"),
                );
            }
        }
    }

    let results: Vec<(FileClass, ReadResult)> = entries
        .into_par_iter()
        .map(|rel| {
            let class = classify(&rel);
            let display = display_root.join(&rel);
            (class, read_one(&root.join(&rel), &rel, &display, class))
        })
        .collect();

    let mut corpus = Corpus {
        root: root.clone(),
        ..Corpus::default()
    };
    let mut sources = SourceMap::default();
    for (class, result) in results {
        let (file, text, parsed) = match result {
            Ok(ok) => ok,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        if class == FileClass::Ignored {
            continue;
        }
        let id: FileId = corpus.files.len();
        if class == FileClass::Unknown {
            diagnostics.push(
                Diagnostic::error("K0105", format!("kitei does not know what {} is", file.display_path.display()))
                    .at(Loc::file(&file.display_path))
                    .help(
                        "move it to regulation/ or runbooks/ (Markdown), incidents/, drills/, reviews/, exceptions/ \
                         (YAML records), or name it roles/contacts/systems/severity.yaml; see docs/formats.md",
                    ),
            );
        }
        if let Some(text) = text {
            sources.insert(file.display_path.clone(), text);
        }
        corpus.files.push(file);
        match parsed {
            Ok(parsed) => add_parsed(&mut corpus, id, parsed),
            Err(d) => diagnostics.push(d),
        }
    }

    check_evidence_paths(&corpus, &canonical_root, &mut diagnostics);
    Ok(Loaded {
        corpus,
        sources,
        diagnostics,
    })
}

fn check_symlink(path: &Path, canonical_root: &Path, display: &Path) -> Result<(), Diagnostic> {
    match path.canonicalize() {
        Ok(target) if target.starts_with(canonical_root) => Ok(()),
        Ok(target) => Err(Diagnostic::error(
            "K0107",
            format!(
                "symbolic link points outside the source folder (to {})",
                target.display()
            ),
        )
        .at(Loc::file(display))
        .help("copy the file into the source folder instead of linking to it")),
        Err(e) => Err(
            Diagnostic::error("K0107", format!("broken symbolic link: {e}"))
                .at(Loc::file(display))
                .help("remove the link or point it at a file inside the source folder"),
        ),
    }
}

/// Reads and parses one file. The text is returned even when parsing fails, so that the
/// diagnostic can quote the offending line.
fn read_one(path: &Path, rel: &Path, display: &Path, class: FileClass) -> ReadResult {
    if class == FileClass::Ignored {
        let file = SourceFile {
            display_path: display.into(),
            rel_path: rel.into(),
            sha256: String::new(),
            len: 0,
        };
        return Ok((file, None, Ok(Parsed::Nothing)));
    }
    // Attachments can be GiBs (disk images, packet captures): hash them streaming, never
    // holding them in memory (`kitei seal` re-checks length and digest as it copies them).
    if class == FileClass::Attachment {
        let fail = |e: std::io::Error| {
            Diagnostic::error("K0101", format!("cannot read file: {e}"))
                .at(Loc::file(display))
                .help("check the file's permissions")
        };
        let len = std::fs::metadata(path).map_err(fail)?.len();
        let sha256 = crate::digest::sha256_file(path).map_err(fail)?;
        let file = SourceFile {
            display_path: display.into(),
            rel_path: rel.into(),
            sha256,
            len,
        };
        return Ok((file, None, Ok(Parsed::Nothing)));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error("K0101", format!("cannot read file: {e}"))
            .at(Loc::file(display))
            .help("check the file's permissions")
    })?;
    let file = SourceFile {
        display_path: display.into(),
        rel_path: rel.into(),
        sha256: crate::digest::sha256_hex(&bytes),
        len: bytes.len() as u64,
    };
    if matches!(class, FileClass::Attachment | FileClass::Unknown) {
        return Ok((file, None, Ok(Parsed::Nothing)));
    }
    let text = encoding::decode_utf8(bytes).map_err(|m| {
        Diagnostic::error("K0102", m).at(Loc::file(display)).help(
            "kitei reads UTF-8 only (with or without BOM); convert the file and commit it again",
        )
    })?;
    let parsed = parse_text(&text, display, class);
    Ok((file, Some(text), parsed))
}

fn parse_text(text: &str, display: &Path, class: FileClass) -> Result<Parsed, Diagnostic> {
    fn record<T: DeserializeOwned>(text: &str, display: &Path) -> Result<T, Diagnostic> {
        yaml::parse(text, display, 1)
    }
    Ok(match class {
        FileClass::Document => Parsed::Document(Box::new(parse_document(text, display)?)),
        FileClass::Roles => Parsed::Roles(record(text, display)?),
        FileClass::Contacts => Parsed::Contacts(record(text, display)?),
        FileClass::Systems => Parsed::Systems(record(text, display)?),
        FileClass::Severity => Parsed::Severity(record(text, display)?),
        FileClass::Incident => Parsed::Incident(Box::new(record(text, display)?)),
        FileClass::Drill => Parsed::Drill(record(text, display)?),
        FileClass::Review => Parsed::Review(record(text, display)?),
        FileClass::Exception => Parsed::Exception(record(text, display)?),
        FileClass::Attachment | FileClass::Unknown | FileClass::Ignored => Parsed::Nothing,
    })
}

fn parse_document(text: &str, display: &Path) -> Result<Document, Diagnostic> {
    let split = frontmatter::split(text).map_err(|e| {
        let (message, help) = match e {
            frontmatter::SplitError::Missing => (
                "document has no front matter",
                "start the file with a `---` line, the YAML fields (id, kind, title, …), and another `---` line",
            ),
            frontmatter::SplitError::Unclosed => {
                ("front matter is not closed", "end the front matter with a line that is exactly `---`")
            }
        };
        Diagnostic::error("K0104", message).at(Loc::new(display, 1, 1)).help(help)
    })?;
    let meta: FrontMatter = yaml::parse(split.yaml, display, split.yaml_line)?;
    let scanned = markdown::scan(split.body, split.body_line);
    Ok(Document {
        meta,
        body: split.body.to_string(),
        body_line: split.body_line,
        headings: scanned.headings,
        links: scanned.links,
        text_runs: scanned.text_runs,
    })
}

fn add_parsed(corpus: &mut Corpus, file: FileId, parsed: Parsed) {
    let mut table = |name: &'static str| {
        corpus.tables_present.insert(name, file);
    };
    match parsed {
        Parsed::Roles(_) => table("roles"),
        Parsed::Contacts(_) => table("contacts"),
        Parsed::Systems(_) => table("systems"),
        Parsed::Severity(_) => table("severity"),
        _ => {}
    }
    let wrap = |item| Sourced { file, item };
    match parsed {
        Parsed::Document(d) => corpus.documents.push(Sourced { file, item: *d }),
        Parsed::Roles(r) => corpus.roles.extend(r.roles.into_iter().map(wrap)),
        Parsed::Contacts(c) => {
            corpus
                .people
                .extend(c.people.into_iter().map(|item| Sourced { file, item }));
            corpus.organisations.extend(
                c.organisations
                    .into_iter()
                    .map(|item| Sourced { file, item }),
            );
        }
        Parsed::Systems(s) => {
            corpus
                .systems
                .extend(s.systems.into_iter().map(|item| Sourced { file, item }));
            corpus.recovery_priorities.extend(
                s.recovery_priorities
                    .into_iter()
                    .map(|item| Sourced { file, item }),
            );
        }
        Parsed::Severity(s) => corpus
            .severity_levels
            .extend(s.levels.into_iter().map(|item| Sourced { file, item })),
        Parsed::Incident(i) => corpus.incidents.push(Sourced { file, item: *i }),
        Parsed::Drill(d) => corpus.drills.push(Sourced { file, item: d }),
        Parsed::Review(r) => corpus.reviews.push(Sourced { file, item: r }),
        Parsed::Exception(e) => corpus.exceptions.push(Sourced { file, item: e }),
        Parsed::Nothing => {}
    }
}

/// Resolves an evidence path written in a record to a file inside the source folder.
/// Refuses absolute paths, `..` and links that lead outside.
pub fn resolve_evidence_path(root: &Path, written: &str) -> Result<PathBuf, String> {
    resolve_evidence_path_in(root, None, written)
}

/// [`resolve_evidence_path`] with the source folder's canonical path already known, for
/// callers that resolve many paths (canonicalising the root once instead of per path).
pub fn resolve_evidence_path_in(
    root: &Path,
    canonical_root: Option<&Path>,
    written: &str,
) -> Result<PathBuf, String> {
    let rel = Path::new(written);
    if written.is_empty() {
        return Err("evidence path is empty".into());
    }
    for c in rel.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!("evidence path `{written}` climbs out with `..`"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("evidence path `{written}` is absolute"));
            }
        }
    }
    let full = root.join(rel);
    match full.canonicalize() {
        Ok(real) => {
            let owned;
            let canonical_root = match canonical_root {
                Some(c) => c,
                None => {
                    owned = root.canonicalize().map_err(|e| e.to_string())?;
                    owned.as_path()
                }
            };
            if real.starts_with(canonical_root) {
                Ok(full)
            } else {
                Err(format!(
                    "evidence path `{written}` is a link to {} outside the source folder",
                    real.display()
                ))
            }
        }
        // A missing file is reported by the evidence rule, with its own code.
        Err(_) => Ok(full),
    }
}

fn check_evidence_paths(corpus: &Corpus, canonical_root: &Path, diagnostics: &mut Vec<Diagnostic>) {
    for incident in &corpus.incidents {
        for ev in &incident.evidence {
            if let Err(message) =
                resolve_evidence_path_in(&corpus.root, Some(canonical_root), &ev.path.value)
            {
                diagnostics.push(
                    Diagnostic::error("K0106", message)
                        .at(corpus.loc(incident.file, &ev.path))
                        .help("keep evidence files inside the source folder (e.g. evidence/<incident id>/) and name them by a relative path")
                        .subject(incident.reference()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_by_location() {
        let c = |p: &str| classify(Path::new(p));
        assert_eq!(c("regulation/main.md"), FileClass::Document);
        assert_eq!(c("runbooks/a/b.md"), FileClass::Document);
        assert_eq!(c("contacts.yaml"), FileClass::Contacts);
        assert_eq!(c("roles.yml"), FileClass::Roles);
        assert_eq!(c("incidents/2025/INC-1.yaml"), FileClass::Incident);
        assert_eq!(c("evidence/INC-1/a.yaml"), FileClass::Attachment);
        assert_eq!(c("misc/notes.md"), FileClass::Unknown);
        assert_eq!(c("people.yaml"), FileClass::Unknown);
        assert_eq!(c("incidents/.INC-1.yaml.swp"), FileClass::Ignored);
        assert_eq!(c("README.md"), FileClass::Ignored);
    }

    #[test]
    fn evidence_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("evidence")).unwrap();
        std::fs::write(dir.path().join("evidence/a.log"), "x").unwrap();
        assert!(resolve_evidence_path(dir.path(), "evidence/a.log").is_ok());
        assert!(
            resolve_evidence_path(dir.path(), "../secret")
                .unwrap_err()
                .contains("..")
        );
        assert!(
            resolve_evidence_path(dir.path(), "/etc/passwd")
                .unwrap_err()
                .contains("absolute")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", dir.path().join("evidence/link")).unwrap();
            assert!(
                resolve_evidence_path(dir.path(), "evidence/link")
                    .unwrap_err()
                    .contains("outside")
            );
        }
    }
}
