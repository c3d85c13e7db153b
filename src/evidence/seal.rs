//! `kitei seal`: loads and checks the policy like `kitei check`, chooses what is in scope,
//! and writes `evidence/<name>.zip` (plus `<name>.zip.minisig` when signing) and the ledger.
//!
//! Payload (`data/`): `source/…` mirrors the source folder (policy files and the evidence files
//! incidents attach), `incidents/<id>/record.json` holds each incident in normalised JSON, and
//! `check-report.json` the check report (the schema of `kitei check --format json`).
//!
//! Nothing depends on the clock: times come from `SOURCE_DATE_EPOCH` (else the git HEAD
//! commit time, else the newest source file's time), names and order from the sources only.
//! bag-info.txt says whether the git working tree was clean ([`super::provenance`]). Files are hashed once
//! by the loader (in parallel) and copied in one streaming pass that checks that hash again.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde_json::{Value, json};

use super::archive::{self, Content, Entry};
use super::bag::{self, BagInfo};
use super::ledger::{Ledger, LedgerEntry};
use super::names::{media_type, org_slug, portable_paths};
use super::provenance::SourceTree;
use super::{Error, minisign};
use crate::check::{self, Ctx, Report};
use crate::config::{Project, parse_date};
use crate::digest::{hex, sha256_hex};
use crate::history::git;
use crate::model::{Corpus, DocKind, FileId};
use crate::source::resolve_evidence_path;
use crate::workspace::Workspace;

/// What goes into a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything kitei loaded from the source folder.
    All,
    /// These incidents, their evidence, the regulation and the runbooks for their types.
    Incidents(Vec<String>),
    /// Incidents open at any time in the period (both ends inclusive), their evidence, the
    /// regulation and the runbooks for their types.
    Period { from: NaiveDate, to: NaiveDate },
    /// A release (tag or version name): its regulation documents as tagged, read from git,
    /// with its comparison tables and change notice.
    Release(String),
}

impl Scope {
    /// Parses `2025-04-01..2026-03-31`.
    pub fn parse_period(s: &str) -> Result<Scope, String> {
        let (a, b) = s.split_once("..").ok_or_else(|| {
            format!("`{s}` is not a period; write FROM..TO, e.g. 2025-04-01..2026-03-31")
        })?;
        let (from, to) = (parse_date(a)?, parse_date(b)?);
        if from > to {
            return Err(format!("the period `{s}` ends before it starts"));
        }
        Ok(Scope::Period { from, to })
    }

    pub fn describe(&self) -> String {
        match self {
            Scope::All => "all".into(),
            Scope::Incidents(ids) => {
                let ids: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
                format!(
                    "incidents {}",
                    ids.into_iter().collect::<Vec<_>>().join(" ")
                )
            }
            Scope::Period { from, to } => format!("period {from}..{to}"),
            Scope::Release(v) => format!("release {v}"),
        }
    }
}

pub struct SealRequest {
    pub scope: Scope,
    /// A minisign secret key to sign with (password from `KITEI_SIGN_PASSWORD`).
    pub sign: Option<super::KeySource>,
    /// Show progress bars (only when stderr is a terminal).
    pub progress: bool,
}

/// A bundle that was written.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub name: String,
    pub zip: PathBuf,
    pub signature: Option<PathBuf>,
    pub sequence: u64,
    pub bag_digest: String,
    pub zip_sha256: String,
    pub payload_files: u64,
    pub payload_bytes: u64,
    pub key_id: Option<String>,
    pub time_source: &'static str,
}

#[derive(Debug, Clone)]
pub enum SealOutcome {
    Written(Sealed),
    /// The payload equals the newest bundle's: nothing was written.
    Unchanged {
        name: String,
    },
}

/// The result of [`seal`]: the outcome and things worth telling the user.
pub struct SealResult {
    pub outcome: SealOutcome,
    pub warnings: Vec<String>,
}

/// The time everything in the bundle is stamped with.
#[derive(Debug, Clone, Copy)]
pub struct SealTime {
    pub epoch: i64,
    pub source: &'static str,
}

/// `SOURCE_DATE_EPOCH`, else the git HEAD commit time, else the newest source file's time
/// (`newest_source`); 1980-01-01 only when there is no source file at all.
pub fn seal_time(
    root: &Path,
    newest_source: impl FnOnce() -> Option<i64>,
) -> Result<SealTime, Error> {
    let from_env = crate::config::source_date_epoch().map_err(|m| {
        Error::new(
            m,
            "set it to a Unix time, e.g. `export SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`, or unset it",
        )
    })?;
    if let Some(when) = from_env {
        return Ok(SealTime {
            epoch: when.timestamp().max(archive::ZIP_EPOCH_MIN),
            source: "SOURCE_DATE_EPOCH",
        });
    }
    if let Some(epoch) =
        git::query(root, &["log", "-1", "--format=%ct"]).and_then(|s| s.parse::<i64>().ok())
    {
        return Ok(SealTime {
            epoch: epoch.max(archive::ZIP_EPOCH_MIN),
            source: "the git HEAD commit time",
        });
    }
    if let Some(epoch) = newest_source() {
        return Ok(SealTime {
            epoch: epoch.max(archive::ZIP_EPOCH_MIN),
            source: "the newest source file's time (no SOURCE_DATE_EPOCH, no git)",
        });
    }
    Ok(SealTime {
        epoch: archive::ZIP_EPOCH_MIN,
        source: "1980-01-01 (no SOURCE_DATE_EPOCH, no git, no source file)",
    })
}

/// Which incidents and source files are in scope.
struct Selection {
    incidents: Vec<usize>,
    files: BTreeSet<FileId>,
}

fn select(corpus: &Corpus, project: &Project, scope: &Scope) -> Result<Selection, Error> {
    let incidents: Vec<usize> = match scope {
        Scope::All => {
            return Ok(Selection {
                incidents: (0..corpus.incidents.len()).collect(),
                files: (0..corpus.files.len()).collect(),
            });
        }
        Scope::Incidents(ids) => {
            let mut out = Vec::new();
            for id in ids {
                let found: Vec<usize> = (0..corpus.incidents.len())
                    .filter(|&i| corpus.incidents[i].id.value == *id)
                    .collect();
                if found.is_empty() {
                    let known: Vec<&str> = corpus
                        .incidents
                        .iter()
                        .map(|i| i.id.value.as_str())
                        .collect();
                    return Err(Error::new(
                        format!(
                            "there is no incident `{id}` in {}",
                            project.config.source.display()
                        ),
                        format!("use an id from the incident records ({})", known.join(", ")),
                    ));
                }
                out.extend(found);
            }
            out.sort_unstable();
            out.dedup();
            out
        }
        Scope::Release(_) => {
            return Ok(Selection {
                incidents: Vec::new(),
                files: corpus
                    .documents
                    .iter()
                    .filter(|d| d.kind() != DocKind::Runbook)
                    .map(|d| d.file)
                    .collect(),
            });
        }
        Scope::Period { from, to } => (0..corpus.incidents.len())
            .filter(|&i| {
                let inc = &corpus.incidents[i];
                let start = inc
                    .occurred_at
                    .as_ref()
                    .unwrap_or(&inc.detected_at)
                    .value
                    .date_in(project.tz);
                let start = start.min(inc.detected_at.value.date_in(project.tz));
                let end = inc.closed_at.as_ref().map(|c| c.value.date_in(project.tz));
                start <= *to && end.is_none_or(|end| end >= *from)
            })
            .collect(),
    };
    let mut files: BTreeSet<FileId> = incidents
        .iter()
        .map(|&i| corpus.incidents[i].file)
        .collect();
    let types: BTreeSet<&str> = incidents
        .iter()
        .map(|&i| corpus.incidents[i].kind.value.as_str())
        .collect();
    for d in &corpus.documents {
        let covers = d
            .meta
            .incident_types
            .iter()
            .any(|t| types.contains(t.value.as_str()));
        if d.kind() == DocKind::Regulation || (d.kind() == DocKind::Runbook && covers) {
            files.insert(d.file);
        }
    }
    Ok(Selection { incidents, files })
}

fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// One payload file before it gets its portable name.
struct Planned {
    /// Path inside `data/` before portable naming (`source/…`, `incidents/<id>/record.json`).
    virtual_path: String,
    /// The name a person knows it by (`policy-src/evidence/INC-1/報告書.txt`).
    original: String,
    role: &'static str,
    sha256: String,
    content: Content,
}

/// How an attached evidence file was found.
enum Found {
    /// In the payload under this virtual path.
    Payload(String),
    Missing,
    Refused(String),
}

/// The restricted-audience site, rendered in memory with the seal's time as its build date.
/// A scoped bundle keeps only the pages of what it holds, by the page registry's allow-list
/// ([`crate::render::pages::registry`]): incident pages of other incidents, and pages that
/// list every incident (register, dashboard, records list, search index), are left out.
/// With `history`, the pages include the comparison tables and change notices.
#[allow(clippy::too_many_arguments)]
fn rendered_pages(
    project: &Project,
    corpus: &Corpus,
    sel: &Selection,
    scope: &Scope,
    report: &check::Report,
    as_of: chrono::NaiveDate,
    time: SealTime,
    history: &SealHistory,
) -> Result<Vec<Planned>, Vec<String>> {
    use crate::model::RefKind;
    use crate::render::pages::registry::{self, incident_url, record_url};
    use crate::render::{Audience, BuildInfo, render_site, source_commit};
    let build_date = chrono::DateTime::from_timestamp(time.epoch, 0)
        .unwrap_or_default()
        .with_timezone(&project.tz)
        .format("%Y-%m-%d")
        .to_string();
    let info = BuildInfo {
        audience: Audience::Restricted,
        preview: report.errors() > 0,
        build_date,
        commit: match history.release {
            Some(i) => Some(history.history.releases[i].short_commit()),
            None => source_commit(&project.root),
        },
        as_of,
        report: report.clone(),
        versions: crate::render::versions::for_bundle(
            history.history,
            project,
            corpus,
            Audience::Restricted,
            history.release,
        ),
    };
    let pages = render_site(project, corpus, &info)?;
    // Per-record pages in scope: the incidents', and the exceptions that waive a rule for
    // something other than an incident out of scope.
    let incidents: BTreeSet<&str> = sel
        .incidents
        .iter()
        .map(|&i| corpus.incidents[i].id.value.as_str())
        .collect();
    let in_scope: BTreeSet<String> = incidents
        .iter()
        .map(|id| incident_url(id))
        .chain(
            corpus
                .exceptions
                .iter()
                .filter(|e| {
                    let r = &e.record.value;
                    r.kind != RefKind::Incident || incidents.contains(r.id.as_str())
                })
                .map(|e| record_url(RefKind::Exception, &e.id.value)),
        )
        .collect();
    let keep = |path: &str| match scope {
        Scope::All => true,
        Scope::Release(_) => registry::in_release_bundle(path),
        _ => registry::in_scoped_bundle(path, |page| in_scope.contains(page)),
    };
    Ok(pages
        .into_iter()
        .filter(|(path, _)| keep(path))
        .map(|(path, bytes)| Planned {
            virtual_path: format!("site/{path}"),
            original: format!("kitei build --audience restricted: {path}"),
            role: "page",
            sha256: sha256_hex(&bytes),
            content: Content::Bytes(bytes),
        })
        .collect())
}

/// The versions known when sealing: every release and the draft, or (`release`) the one
/// release a `--release` bundle holds.
struct SealHistory<'a> {
    history: &'a crate::history::History,
    release: Option<usize>,
}

/// A release's own tree, loaded and checked, for a `--release` bundle.
struct ReleaseTree {
    /// Holds the release's files while they are read.
    _dir: tempfile::TempDir,
    project: Project,
    corpus: Corpus,
    report: Report,
    as_of: NaiveDate,
    as_of_source: &'static str,
}

/// Seals a bundle of the loaded workspace (the release's own files, read from git, for
/// `--release`).
pub fn seal(ws: &Workspace, req: &SealRequest) -> Result<SealResult, Error> {
    let root = ws.project.root.as_path();
    let mut time = seal_time(root, || {
        let paths: Vec<PathBuf> = ws
            .corpus
            .files
            .iter()
            .map(|f| ws.corpus.root.join(&f.rel_path))
            .collect();
        super::provenance::newest_mtime(paths.iter().map(PathBuf::as_path))
    })?;
    let mut warnings = Vec::new();
    let history = ws.history();
    // `--release V`: the release's own files, from git, replace the working tree's.
    let release_tree: ReleaseTree;
    let (project, corpus, report, as_of, as_of_source, seal_history) = match &req.scope {
        Scope::Release(name) => {
            let Some(crate::history::Target::Release(i)) = history.resolve(name) else {
                let known: Vec<&str> = history
                    .releases
                    .iter()
                    .map(|r| r.version.as_str())
                    .collect();
                let why = history
                    .status_message()
                    .map(|(_, m)| format!("; {m}"))
                    .unwrap_or_default();
                return Err(Error::new(
                    format!("there is no release `{name}`{why}"),
                    if known.is_empty() {
                        "releases are git tags matching `[versions] tag_pattern` (default policy-v*)".to_string()
                    } else {
                        format!("use a release tag or version name ({})", known.join(", "))
                    },
                ));
            };
            let open = crate::history::open_release(history, i).map_err(|e| {
                Error::new(
                    format!("cannot read release `{name}` from git: {e}"),
                    "check the tag with `git show --stat TAG`",
                )
            })?;
            if crate::config::source_date_epoch().ok().flatten().is_none() {
                time = SealTime {
                    epoch: history.releases[i]
                        .tag
                        .date
                        .timestamp()
                        .max(archive::ZIP_EPOCH_MIN),
                    source: "the release's tag date",
                };
            }
            let mut release_project = open.project;
            let ctx = Ctx::new(&open.loaded.corpus, &release_project, open.as_of);
            let report = check::run(&ctx, open.loaded.diagnostics, false);
            // Templates and the bundle folder are the project's.
            release_project.root = ws.project.root.clone();
            release_tree = ReleaseTree {
                _dir: open.dir,
                project: release_project,
                corpus: open.loaded.corpus,
                report,
                as_of: open.as_of,
                as_of_source: open.as_of_source,
            };
            (
                &release_tree.project,
                &release_tree.corpus,
                &release_tree.report,
                release_tree.as_of,
                release_tree.as_of_source,
                SealHistory {
                    history,
                    release: Some(i),
                },
            )
        }
        // Without releases (outside git, no tags) the bundle simply has no comparison
        // tables; `kitei build` says why.
        _ => (
            &ws.project,
            &ws.corpus,
            ws.report(),
            ws.as_of,
            ws.as_of_source,
            SealHistory {
                history,
                release: None,
            },
        ),
    };

    let sel = select(corpus, project, &req.scope)?;
    if sel.incidents.is_empty() && !matches!(req.scope, Scope::All | Scope::Release(_)) {
        warnings.push(format!(
            "no incident falls in the scope `{}`; the bundle holds the regulation only",
            req.scope.describe()
        ));
    }
    let display_root = project.config.source.clone();

    // Source files in scope, and evidence files the incidents attach.
    let by_rel: BTreeMap<String, FileId> = corpus
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (slash(&f.rel_path), i))
        .collect();
    let mut files = sel.files.clone();
    let mut extra: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut found: BTreeMap<(usize, usize), Found> = BTreeMap::new();
    for &i in &sel.incidents {
        for (j, ev) in corpus.incidents[i].evidence.iter().enumerate() {
            let outcome = match resolve_evidence_path(&corpus.root, &ev.path.value) {
                Err(m) => Found::Refused(m),
                Ok(full) => {
                    let rel: String = Path::new(&ev.path.value)
                        .components()
                        .filter_map(|c| match c {
                            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join("/");
                    if let Some(&id) = by_rel.get(&rel) {
                        files.insert(id);
                        Found::Payload(format!("source/{rel}"))
                    } else if full.is_file() {
                        extra.insert(rel.clone(), full);
                        Found::Payload(format!("source/{rel}"))
                    } else {
                        Found::Missing
                    }
                }
            };
            match &outcome {
                Found::Missing => warnings.push(format!(
                    "{}: evidence file `{}` does not exist; it is listed as missing in metadata/bundle.json",
                    corpus.incidents[i].id.value, ev.path.value
                )),
                Found::Refused(m) => warnings.push(format!("{}: {m}; not included", corpus.incidents[i].id.value)),
                Found::Payload(_) => {}
            }
            found.insert((i, j), outcome);
        }
    }

    // When the source folder contains the bundle folder itself (`source = "."`), never seal
    // earlier bundles or the ledger into the next one.
    if let (Ok(out), Ok(src)) = (
        root.join("evidence").canonicalize(),
        corpus.root.canonicalize(),
    ) && let Ok(inside) = out.strip_prefix(&src)
    {
        files.retain(|&id| !corpus.files[id].rel_path.starts_with(inside));
        extra.retain(|rel, _| !Path::new(rel).starts_with(inside));
    }

    let mut planned: Vec<Planned> = Vec::new();
    for &id in &files {
        let f = &corpus.files[id];
        let rel = slash(&f.rel_path);
        planned.push(Planned {
            virtual_path: format!("source/{rel}"),
            original: slash(&f.display_path),
            role: "source",
            sha256: f.sha256.clone(),
            content: Content::File {
                path: corpus.root.join(&f.rel_path),
                display: f.display_path.display().to_string(),
                sha256: f.sha256.clone(),
                len: f.len,
            },
        });
    }
    // Files the loader skipped but an incident attaches: hashed here, in parallel, streamed.
    let hashed: Vec<Result<Planned, Error>> = extra
        .par_iter()
        .map(|(rel, full)| {
            let display = display_root.join(rel);
            let shown = display.display().to_string();
            let fail = |e: std::io::Error| {
                Error::new(
                    format!("cannot read {shown}: {e}"),
                    "check the file's permissions",
                )
            };
            let len = std::fs::metadata(full).map_err(fail)?.len();
            let sha256 = crate::digest::sha256_file(full).map_err(fail)?;
            Ok(Planned {
                virtual_path: format!("source/{rel}"),
                original: slash(&display),
                role: "source",
                sha256: sha256.clone(),
                content: Content::File {
                    path: full.clone(),
                    display: shown,
                    sha256,
                    len,
                },
            })
        })
        .collect();
    for h in hashed {
        planned.push(h?);
    }
    let mut seen_records = BTreeSet::new();
    let mut record_paths: BTreeMap<usize, String> = BTreeMap::new();
    for &i in &sel.incidents {
        let inc = &corpus.incidents[i];
        let mut vpath = format!("incidents/{}/record.json", inc.id.value);
        let mut n = 1;
        while !seen_records.insert(vpath.clone()) {
            n += 1;
            vpath = format!("incidents/{}/record-{n}.json", inc.id.value);
        }
        let mut bytes =
            serde_json::to_vec_pretty(&serde_json::to_value(&inc.item).unwrap_or(Value::Null))
                .unwrap_or_default();
        bytes.push(b'\n');
        record_paths.insert(i, vpath.clone());
        planned.push(Planned {
            virtual_path: vpath,
            original: format!(
                "{} (normalised JSON)",
                slash(&corpus.files[inc.file].display_path)
            ),
            role: "record",
            sha256: sha256_hex(&bytes),
            content: Content::Bytes(bytes),
        });
    }
    // The pages as the security team reads them (restricted audience: the full records).
    match rendered_pages(
        project,
        corpus,
        &sel,
        &req.scope,
        report,
        as_of,
        time,
        &seal_history,
    ) {
        Ok(pages) => planned.extend(pages),
        Err(problems) => warnings.push(format!(
            "the rendered pages are not included: {}",
            problems.join("; ")
        )),
    }
    let report_json = check_report_json(report, as_of_source, corpus, &sel, &req.scope);
    planned.push(Planned {
        virtual_path: "check-report.json".into(),
        original: "kitei check --format json".into(),
        role: "report",
        sha256: sha256_hex(&report_json),
        content: Content::Bytes(report_json),
    });

    // Portable names, manifest, and the idempotence check.
    let names = portable_paths(planned.iter().map(|p| p.virtual_path.as_str()));
    let payload_path = |v: &str| format!("data/{}", names[v]);
    let full_paths: Vec<(String, &str)> = planned
        .iter()
        .map(|p| (payload_path(&p.virtual_path), p.sha256.as_str()))
        .collect();
    let manifest_text = bag::manifest(full_paths.iter().map(|(p, h)| (p.as_str(), *h)));
    let manifest_sha = sha256_hex(manifest_text.as_bytes());
    let payload_bytes: u64 = planned.iter().map(|p| p.content.len()).sum();
    let payload_files = planned.len() as u64;

    let evidence_dir = root.join("evidence");
    std::fs::create_dir_all(&evidence_dir).map_err(|e| {
        Error::new(
            format!("cannot create {}: {e}", evidence_dir.display()),
            "check the project folder's permissions",
        )
    })?;
    // The key first: a missing or wrong key is an error even when nothing changed.
    let key = match &req.sign {
        Some(source) => Some(super::read_signing_key(source)?),
        None => None,
    };
    let key_id = key.as_ref().map(|k| minisign::key_id_hex(&k.key_id));
    let ledger = Ledger::load(&evidence_dir)?;
    check_chain_tip(&evidence_dir, &ledger, &mut warnings)?;
    // Unchanged only when the newest bundle holds this payload and, if a key was given, was
    // signed with it: an unsigned (or otherwise signed) bundle is sealed again, signed.
    if let Some(last) = ledger.last()
        && last.manifest_sha256 == manifest_sha
        && (key_id.is_none() || last.signed_by == key_id)
    {
        return Ok(SealResult {
            outcome: SealOutcome::Unchanged {
                name: last.name.clone(),
            },
            warnings,
        });
    }
    let sequence = ledger.bundles.len() as u64 + 1;
    let slug = org_slug(&project.config.organisation);
    let group = format!("kitei-{slug}");
    let name = format!("{group}-{sequence:06}");
    let zip_path = evidence_dir.join(format!("{name}.zip"));
    if zip_path.exists() {
        return Err(Error::new(
            format!(
                "{} exists but LEDGER.json does not list it (an interrupted seal?)",
                zip_path.display()
            ),
            "check it with `kitei verify`, then move it away or restore LEDGER.json from your backup",
        ));
    }
    let previous = ledger
        .last()
        .map(|l| l.bag_digest.clone())
        .unwrap_or_else(|| "none".into());
    let sealed_at = chrono::DateTime::from_timestamp(time.epoch, 0).unwrap_or_default();
    let bagging_date = sealed_at.format("%Y-%m-%d").to_string();
    let commit = match seal_history.release {
        Some(i) => seal_history.history.releases[i].tag.commit.clone(),
        None => git::query(root, &["rev-parse", "HEAD"]).unwrap_or_else(|| "none".into()),
    };
    // A release bundle is read from the tag itself: its tree is the commit's.
    let tree = match seal_history.release {
        Some(_) => SourceTree::Clean,
        None => super::provenance::source_tree(root),
    };
    if let SourceTree::Modified { paths, .. } = &tree {
        warnings.push(format!(
            "the working tree has {paths} uncommitted change(s); bag-info.txt records `Kitei-Source-Tree: modified` and their digest"
        ));
    }
    let policy_version = policy_version(corpus, &sel);
    let merkle = format!("sha256:{}", hex(&bag::merkle_root(&manifest_text)));
    if project.config.organisation.trim().is_empty() {
        warnings.push(
            "kitei.toml has no `organisation`; bag-info.txt has no Source-Organization".into(),
        );
    }

    let mut info = BagInfo::default();
    if !project.config.organisation.trim().is_empty() {
        info.push("Source-Organization", project.config.organisation.trim());
    }
    info.push("External-Identifier", name.as_str());
    info.push(
        "External-Description",
        format!("kitei evidence bundle ({})", req.scope.describe()),
    );
    info.push("Bagging-Date", bagging_date.as_str());
    info.push(
        "Bag-Software-Agent",
        format!("kitei {}", env!("CARGO_PKG_VERSION")),
    );
    info.push("Payload-Oxum", format!("{payload_bytes}.{payload_files}"));
    info.push("Bag-Group-Identifier", group.as_str());
    info.push("Bag-Count", format!("{sequence} of ?"));
    info.push("Kitei-Source-Commit", commit.as_str());
    info.push("Kitei-Source-Tree", tree.label());
    if let SourceTree::Modified { digest, .. } = &tree {
        info.push("Kitei-Uncommitted-Changes-Digest", digest.as_str());
    }
    info.push("Kitei-Policy-Version", policy_version.as_str());
    info.push("Kitei-Scope", req.scope.describe());
    if let Some(i) = seal_history.release {
        info.push(
            "Kitei-Release",
            seal_history.history.releases[i].tag.name.as_str(),
        );
    }
    info.push("Kitei-Check-As-Of", as_of.to_string());
    info.push(
        "Evidence-Sealed-At",
        sealed_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    info.push("Evidence-Previous-Bag-Digest", previous.as_str());
    info.push("Evidence-Payload-Merkle-Root", merkle.as_str());
    let bag_info = info.to_text();

    let index = bundle_json(&BundleIndex {
        corpus,
        project,
        report,
        sel: &sel,
        planned: &planned,
        found: &found,
        record_paths: &record_paths,
        payload_path: &payload_path,
        name: &name,
        sequence,
        group: &group,
        scope: &req.scope,
        sealed_at: &sealed_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        commit: &commit,
        policy_version: &policy_version,
        previous: &previous,
        as_of: &as_of.to_string(),
        as_of_source,
    });
    let verify_txt = bag::verify_txt(&bag::VerifyText {
        name: &name,
        sequence,
        previous: &previous,
        key_id: key_id.as_deref(),
    });
    let tag_files: Vec<(&str, Vec<u8>)> = vec![
        (bag::BAG_INFO, bag_info.into_bytes()),
        (bag::BAGIT, bag::BAGIT_TXT.as_bytes().to_vec()),
        (bag::MANIFEST, manifest_text.into_bytes()),
        (bag::VERIFY_TXT, verify_txt.into_bytes()),
        (bag::BUNDLE_JSON, index),
    ];
    let tag_hashes: Vec<(String, String)> = tag_files
        .iter()
        .map(|(p, b)| (p.to_string(), sha256_hex(b)))
        .collect();
    let tag_manifest = bag::manifest(tag_hashes.iter().map(|(p, h)| (p.as_str(), h.as_str())));
    let bag_digest = format!("sha256:{}", sha256_hex(tag_manifest.as_bytes()));

    let mut entries: Vec<Entry> = Vec::new();
    for p in planned {
        entries.push(Entry {
            name: format!("{name}/{}", payload_path(&p.virtual_path)),
            content: p.content,
        });
    }
    for (path, bytes) in tag_files {
        entries.push(Entry {
            name: format!("{name}/{path}"),
            content: Content::Bytes(bytes),
        });
    }
    if let Some(k) = &key {
        let sig = k.sign(
            &minisign::prehash(tag_manifest.as_bytes()),
            &format!("{name} seq={sequence} prev={previous}"),
        );
        entries.push(Entry {
            name: format!("{name}/{}", bag::TAG_SIGNATURE),
            content: Content::Bytes(sig.into_bytes()),
        });
    }
    entries.push(Entry {
        name: format!("{name}/{}", bag::TAG_MANIFEST),
        content: Content::Bytes(tag_manifest.into_bytes()),
    });

    // Write to a temporary file in evidence/, then rename: never a half-written zip.
    let fail = |e: std::io::Error| {
        Error::new(
            format!("cannot write the bundle in {}: {e}", evidence_dir.display()),
            "check the free disk space and permissions",
        )
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kitei-seal-").suffix(".zip.tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let tmp = builder.tempfile_in(&evidence_dir).map_err(fail)?;
    let bar = if req.progress {
        super::progress_bar(payload_bytes, "sealing")
    } else {
        ProgressBar::hidden()
    };
    let writer = BufWriter::with_capacity(1 << 20, tmp.reopen().map_err(fail)?);
    let mut writer = archive::write_zip(writer, entries, time.epoch, &bar)?;
    bar.finish_and_clear();
    writer.flush().map_err(fail)?;
    // Hash the finished zip (from the page cache) while the disk catches up with sync_all.
    // The BLAKE2b prehash is only needed for the signature (it costs more than the SHA-256).
    let (synced, digests) = rayon::join(
        || writer.get_ref().sync_all(),
        || super::verify::digest_file_with(tmp.path(), key.is_some()),
    );
    synced.map_err(fail)?;
    drop(writer);
    let (zip_sha256, zip_prehash) = digests.map_err(fail)?;
    let signature = key.as_ref().zip(zip_prehash.as_ref()).map(|(k, prehash)| {
        k.sign(
            prehash,
            &format!("{name}.zip seq={sequence} bag={bag_digest}"),
        )
    });
    tmp.persist_noclobber(&zip_path)
        .map_err(|e| fail(e.error))?;
    let sig_path = match signature {
        Some(sig) => {
            let p = evidence_dir.join(format!("{name}.zip.minisig"));
            super::write_atomically(&p, sig.as_bytes(), true)?;
            Some(p)
        }
        None => None,
    };
    let mut ledger = ledger;
    ledger.bundles.push(LedgerEntry {
        sequence,
        name: name.clone(),
        file: format!("{name}.zip"),
        bag_digest: bag_digest.clone(),
        previous_bag_digest: previous,
        manifest_sha256: manifest_sha,
        zip_sha256: zip_sha256.clone(),
        bagging_date,
        scope: req.scope.describe(),
        payload_files,
        payload_bytes,
        signed_by: key_id.clone(),
    });
    ledger.save(&evidence_dir)?;
    if report.errors() > 0 {
        warnings.push(format!(
            "the check found {} error(s); they are sealed in data/check-report.json (run `kitei check` to see them)",
            report.errors()
        ));
    }
    Ok(SealResult {
        outcome: SealOutcome::Written(Sealed {
            name,
            zip: zip_path,
            signature: sig_path,
            sequence,
            bag_digest,
            zip_sha256,
            payload_files,
            payload_bytes,
            key_id,
            time_source: time.source,
        }),
        warnings,
    })
}

/// Before extending the chain: the newest bundle must be unchanged (or archived away: a
/// warning), and no bundle may sit in evidence/ without a ledger entry.
fn check_chain_tip(dir: &Path, ledger: &Ledger, warnings: &mut Vec<String>) -> Result<(), Error> {
    let listed: BTreeSet<&str> = ledger.bundles.iter().map(|b| b.file.as_str()).collect();
    if let Ok(read) = std::fs::read_dir(dir) {
        let mut unlisted: Vec<String> = read
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| {
                n.starts_with("kitei-") && n.ends_with(".zip") && !listed.contains(n.as_str())
            })
            .collect();
        unlisted.sort();
        if let Some(first) = unlisted.first() {
            return Err(Error::new(
                format!(
                    "{} holds {first}, which LEDGER.json does not list",
                    dir.display()
                ),
                "restore LEDGER.json from your backup, or move the stray bundle out of evidence/; \
                 `kitei verify --chain evidence/` shows the state of the chain",
            ));
        }
    }
    for (i, b) in ledger.bundles.iter().enumerate() {
        if b.sequence != i as u64 + 1 {
            return Err(Error::new(
                format!(
                    "LEDGER.json is out of order at entry {} ({})",
                    i + 1,
                    b.file
                ),
                "restore LEDGER.json from your backup; `kitei verify --chain evidence/` shows what changed",
            ));
        }
    }
    let Some(last) = ledger.last() else {
        return Ok(());
    };
    let path = dir.join(&last.file);
    let shown = path.display();
    if !path.exists() {
        // Archived elsewhere (evidence/ is usually not in version control): the ledger still
        // holds the digest to chain to, and `verify --chain` will report the gap here.
        warnings.push(format!(
            "{shown}, the newest bundle in LEDGER.json, is not here; chaining to the digest the ledger records"
        ));
        return Ok(());
    }
    let digest = tip_digest(&path, &last.name);
    match digest {
        Ok(d) if d == last.bag_digest => Ok(()),
        Ok(d) => Err(Error::new(
            format!(
                "{shown} (the newest bundle in LEDGER.json) was altered: its bag digest is {d}, the ledger says {}",
                last.bag_digest
            ),
            "restore the bundle from a trusted copy before sealing a new one; `kitei verify --chain evidence/` shows the details",
        )),
        Err(e) => Err(Error::new(
            format!("{shown} (the newest bundle in LEDGER.json) was altered or replaced: {e}"),
            "restore the bundle from a trusted copy before sealing a new one; `kitei verify --chain evidence/` shows the details",
        )),
    }
}

fn tip_digest(path: &Path, name: &str) -> Result<String, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| format!("not a readable zip ({e})"))?;
    let entry = zip
        .by_name(&format!("{name}/{}", bag::TAG_MANIFEST))
        .map_err(|_| "it has no tag manifest".to_string())?;
    let mut bytes = Vec::new();
    entry
        .take(64 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(format!("sha256:{}", sha256_hex(&bytes)))
}

/// The regulation's version: `version` of the `kind: regulation` document(s) in scope.
fn policy_version(corpus: &Corpus, sel: &Selection) -> String {
    let mut regs: Vec<(String, String)> = corpus
        .documents
        .iter()
        .filter(|d| d.kind() == DocKind::Regulation && sel.files.contains(&d.file))
        .map(|d| {
            (
                d.id().to_string(),
                d.meta
                    .version
                    .as_ref()
                    .map(|v| v.value.clone())
                    .unwrap_or_else(|| "unversioned".into()),
            )
        })
        .collect();
    regs.sort();
    match regs.len() {
        0 => "none".into(),
        1 => regs.remove(0).1,
        _ => regs
            .iter()
            .map(|(id, v)| format!("{id}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The check report in the schema of `kitei check --format json`. A scoped bundle keeps only
/// the findings about what it holds (and those about nothing in particular).
fn check_report_json(
    report: &Report,
    as_of_source: &str,
    corpus: &Corpus,
    sel: &Selection,
    scope: &Scope,
) -> Vec<u8> {
    let subjects: BTreeSet<String> = sel
        .incidents
        .iter()
        .map(|&i| corpus.incidents[i].reference())
        .collect();
    let paths: BTreeSet<&Path> = sel
        .files
        .iter()
        .map(|&f| corpus.files[f].display_path.as_path())
        .collect();
    let keep = |d: &crate::diag::Diagnostic| {
        *scope == Scope::All
            || match (&d.subject, &d.location) {
                (Some(s), _) => subjects.contains(s),
                (None, Some(l)) => paths.contains(l.path.as_path()),
                (None, None) => true,
            }
    };
    let diagnostics: Vec<_> = report.diagnostics.iter().filter(|d| keep(d)).collect();
    let waived: Vec<_> = report
        .waived
        .iter()
        .filter(|w| keep(&w.diagnostic))
        .collect();
    let level = |l: crate::diag::Level| diagnostics.iter().filter(|d| d.level == l).count();
    let json = json!({
        "schema": "kitei-check/1",
        "as_of": report.as_of,
        "as_of_source": as_of_source,
        "summary": {
            "errors": level(crate::diag::Level::Error),
            "warnings": level(crate::diag::Level::Warning),
            "waived": waived.len(),
        },
        "diagnostics": diagnostics,
        "waived": waived,
    });
    let mut bytes = serde_json::to_vec_pretty(&json).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

struct BundleIndex<'a> {
    corpus: &'a Corpus,
    project: &'a Project,
    report: &'a Report,
    sel: &'a Selection,
    planned: &'a [Planned],
    found: &'a BTreeMap<(usize, usize), Found>,
    record_paths: &'a BTreeMap<usize, String>,
    payload_path: &'a dyn Fn(&str) -> String,
    name: &'a str,
    sequence: u64,
    group: &'a str,
    scope: &'a Scope,
    sealed_at: &'a str,
    commit: &'a str,
    policy_version: &'a str,
    previous: &'a str,
    as_of: &'a str,
    as_of_source: &'a str,
}

/// `metadata/bundle.json`: incidents → files, original names, media types, controls.
fn bundle_json(x: &BundleIndex) -> Vec<u8> {
    let c = x.corpus;
    let by_virtual: BTreeMap<&str, &Planned> = x
        .planned
        .iter()
        .map(|p| (p.virtual_path.as_str(), p))
        .collect();
    let file_of =
        |id: FileId| (x.payload_path)(&format!("source/{}", slash(&c.files[id].rel_path)));
    let mut controls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let incidents: Vec<Value> = x
        .sel
        .incidents
        .iter()
        .map(|&i| {
            let inc = &c.incidents[i];
            let evidence: Vec<Value> = inc
                .evidence
                .iter()
                .enumerate()
                .map(|(j, ev)| {
                    let (path, sha, size, status) = match x.found.get(&(i, j)) {
                        Some(Found::Payload(v)) => {
                            let p = by_virtual.get(v.as_str());
                            let sha = p.map(|p| p.sha256.clone()).unwrap_or_default();
                            let recorded = ev.sha256.value.trim().to_ascii_lowercase();
                            let status = if sha == recorded {
                                "ok"
                            } else {
                                "digest-mismatch"
                            };
                            (
                                json!((x.payload_path)(v)),
                                json!(sha),
                                json!(p.map(|p| p.content.len())),
                                status,
                            )
                        }
                        Some(Found::Refused(_)) => (
                            Value::Null,
                            Value::Null,
                            Value::Null,
                            "outside-source-folder",
                        ),
                        _ => (Value::Null, Value::Null, Value::Null, "missing"),
                    };
                    if let Some(p) = path.as_str() {
                        for ctl in &ev.controls {
                            controls
                                .entry(ctl.clone())
                                .or_default()
                                .insert(p.to_string());
                        }
                    }
                    let original_name = Path::new(&ev.path.value)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned());
                    json!({
                        "path": path,
                        "original": ev.path.value,
                        "original_name": original_name,
                        "media_type": media_type(&ev.path.value),
                        "description": ev.description,
                        "controls": ev.controls,
                        "recorded_sha256": ev.sha256.value,
                        "sha256": sha,
                        "size": size,
                        "status": status,
                    })
                })
                .collect();
            json!({
                "id": inc.id.value,
                "title": inc.title,
                "type": inc.kind.value,
                "severity": inc.severity.value,
                "status": inc.status.value,
                "source": file_of(inc.file),
                "record": x.record_paths.get(&i).map(|v| (x.payload_path)(v)),
                "evidence": evidence,
            })
        })
        .collect();
    let documents: Vec<Value> = c
        .documents
        .iter()
        .filter(|d| x.sel.files.contains(&d.file))
        .map(|d| {
            json!({
                "id": d.id(),
                "kind": d.meta.kind.value,
                "title": d.meta.title,
                "version": d.meta.version.as_ref().map(|v| v.value.clone()),
                "path": file_of(d.file),
            })
        })
        .collect();
    let mut files: Vec<Value> = x
        .planned
        .iter()
        .map(|p| {
            let path = (x.payload_path)(&p.virtual_path);
            json!({
                "path": path,
                "original": p.original,
                "renamed": path != format!("data/{}", p.virtual_path),
                "media_type": media_type(&p.virtual_path),
                "sha256": p.sha256,
                "size": p.content.len(),
                "role": p.role,
            })
        })
        .collect();
    files.sort_by(|a, b| {
        a["path"]
            .as_str()
            .unwrap_or("")
            .as_bytes()
            .cmp(b["path"].as_str().unwrap_or("").as_bytes())
    });
    let json = json!({
        "schema": "kitei-bundle/1",
        "bundle": x.name,
        "sequence": x.sequence,
        "group": x.group,
        "organisation": x.project.config.organisation,
        "scope": x.scope.describe(),
        "sealed_at": x.sealed_at,
        "source_commit": x.commit,
        "source_folder": slash(&x.project.config.source),
        "policy_version": x.policy_version,
        "previous_bag_digest": x.previous,
        "check": {
            "as_of": x.as_of,
            "as_of_source": x.as_of_source,
            "errors": x.report.errors(),
            "warnings": x.report.warnings(),
            "waived": x.report.waived.len(),
            "report": (x.payload_path)("check-report.json"),
        },
        "controls": controls,
        "documents": documents,
        "incidents": incidents,
        "files": files,
    });
    let mut bytes = serde_json::to_vec_pretty(&json).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
