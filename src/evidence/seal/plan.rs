//! Phase 1 of a seal, the plan: which incidents and files are in scope, every payload file
//! with its hash and portable name, and the payload manifest. Nothing is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::Scope;
use super::inputs::{Inputs, SealHistory, SealTime};
use super::slash;
use crate::check::{self, Report};
use crate::config::Project;
use crate::digest::sha256_hex;
use crate::evidence::Error;
use crate::evidence::archive::Content;
use crate::evidence::bag;
use crate::evidence::names::portable_paths;
use crate::model::{Corpus, DocKind, FileId};
use crate::source::resolve_evidence_path;

/// The payload of a bundle, planned.
pub(crate) struct Payload {
    pub sel: Selection,
    pub planned: Vec<Planned>,
    /// How each incident's attached evidence file was found: (incident, evidence) → outcome.
    pub found: BTreeMap<(usize, usize), Found>,
    /// Each incident's normalised record, by virtual path.
    pub record_paths: BTreeMap<usize, String>,
    /// Virtual path → portable path under `data/`.
    pub names: BTreeMap<String, String>,
    /// `manifest-sha256.txt`.
    pub manifest_text: String,
    pub manifest_sha: String,
    pub payload_bytes: u64,
    pub payload_files: u64,
}

impl Payload {
    /// The path inside the bag of a virtual payload path (`data/…`).
    pub fn payload_path(&self, virtual_path: &str) -> String {
        format!("data/{}", self.names[virtual_path])
    }
}

/// Plans the payload of a bundle of `x` in `scope`; what is missing or left out goes to
/// `warnings`.
pub(crate) fn plan(
    x: &Inputs,
    scope: &Scope,
    warnings: &mut Vec<String>,
) -> Result<Payload, Error> {
    let &Inputs {
        project,
        corpus,
        ref report,
        as_of,
        as_of_source,
        time,
        ref history,
        current,
    } = x;
    let root = project.root.as_path();
    let sel = select(corpus, project, scope)?;
    if sel.incidents.is_empty() && !matches!(scope, Scope::All | Scope::Release(_)) {
        warnings.push(format!(
            "no incident falls in the scope `{}`; the bundle holds the regulation only",
            scope.describe()
        ));
    }
    let display_root = project.config.source.clone();

    // Source files in scope, and evidence files the incidents attach.
    let Attachments {
        mut files,
        mut extra,
        found,
    } = attachments(corpus, &sel, warnings);

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

    let mut planned = source_files(corpus, &files, &extra, &display_root)?;
    // Each incident in normalised JSON.
    let record_paths = records(corpus, &sel, &spool_dir(project), &mut planned);
    // The pages as the security team reads them (restricted audience: the full records).
    match rendered_pages(project, corpus, &sel, scope, report, as_of, time, history) {
        Ok(pages) => planned.extend(pages),
        Err(problems) => warnings.push(format!(
            "the rendered pages are not included: {}",
            problems.join("; ")
        )),
    }
    // The acknowledgement state (周知): all of it, or a release's; none in incident bundles.
    let version = match scope {
        Scope::Release(_) => history
            .release
            .map(|i| history.history.releases[i].version.as_str()),
        _ => None,
    };
    let with_acks = match scope {
        Scope::All => true,
        Scope::Release(_) => version.is_some(),
        Scope::Incidents(_) | Scope::Period { .. } => false,
    };
    if with_acks {
        let ctx = check::Ctx::new(&current.corpus, &current.project, current.as_of);
        for f in crate::evidence::acknowledgements::state_files(&ctx, version) {
            planned.push(Planned {
                original: format!("kitei acknowledgement state ({})", f.virtual_path),
                virtual_path: f.virtual_path,
                role: "acknowledgements",
                sha256: sha256_hex(&f.bytes),
                content: Content::Bytes(f.bytes),
            });
        }
    }
    let report_json = check_report_json(report, as_of_source, corpus, &sel, scope, project);
    planned.push(Planned {
        virtual_path: "check-report.json".into(),
        original: "kitei check --format json".into(),
        role: "report",
        sha256: report_json.sha256(),
        content: report_json,
    });

    // Portable names and the manifest (which the idempotence check compares).
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

    Ok(Payload {
        sel,
        planned,
        found,
        record_paths,
        names,
        manifest_text,
        manifest_sha,
        payload_bytes,
        payload_files,
    })
}

/// The source files in scope plus the evidence files the incidents attach: those the loader
/// read (`files`), those it skipped (`extra`, by relative path), and how each was found.
struct Attachments {
    files: BTreeSet<FileId>,
    extra: BTreeMap<String, PathBuf>,
    found: BTreeMap<(usize, usize), Found>,
}

fn attachments(corpus: &Corpus, sel: &Selection, warnings: &mut Vec<String>) -> Attachments {
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
    Attachments {
        files,
        extra,
        found,
    }
}

/// Each incident in scope as normalised JSON (`incidents/<id>/record.json`, numbered when an
/// id repeats); returns the virtual path of each. The files are
/// spooled to a temporary file in `spool` like the rendered pages, not held in memory until
/// the bundle is written (at 10,000 incidents ≈ 35 MB); in memory if the spool cannot be made.
fn records(
    corpus: &Corpus,
    sel: &Selection,
    spool: &Path,
    planned: &mut Vec<Planned>,
) -> BTreeMap<usize, String> {
    let json = |i: usize| {
        let mut bytes = serde_json::to_vec_pretty(
            &serde_json::to_value(&corpus.incidents[i].item).unwrap_or(Value::Null),
        )
        .unwrap_or_default();
        bytes.push(b'\n');
        bytes
    };
    let mut seen_records = BTreeSet::new();
    let mut record_paths: BTreeMap<usize, String> = BTreeMap::new();
    let mut records: Vec<(usize, String)> = Vec::with_capacity(sel.incidents.len());
    for &i in &sel.incidents {
        let inc = &corpus.incidents[i];
        let mut vpath = format!("incidents/{}/record.json", inc.id.value);
        let mut n = 1;
        while !seen_records.insert(vpath.clone()) {
            n += 1;
            vpath = format!("incidents/{}/record-{n}.json", inc.id.value);
        }
        record_paths.insert(i, vpath.clone());
        records.push((i, vpath));
    }
    let spooled = crate::render::output::SpoolSink::new_in(spool).and_then(|sink| {
        for (i, vpath) in &records {
            crate::render::output::Sink::put(&sink, vpath, json(*i));
        }
        sink.into_parts()
    });
    let mut parts = spooled.unwrap_or_default();
    for (i, vpath) in records {
        let inc = &corpus.incidents[i];
        let (sha256, content) = match parts.remove(&vpath) {
            Some(part) => (part.sha256.clone(), Content::Part(part)),
            None => {
                let bytes = json(i);
                (sha256_hex(&bytes), Content::Bytes(bytes))
            }
        };
        planned.push(Planned {
            virtual_path: vpath,
            original: format!(
                "{} (normalised JSON)",
                slash(&corpus.files[inc.file].display_path)
            ),
            role: "record",
            sha256,
            content,
        });
    }
    record_paths
}

/// Plans the source files (hashed by the loader) and the attached files the loader skipped
/// (hashed here, in parallel, streamed) as `source/<relative path>`.
fn source_files(
    corpus: &Corpus,
    files: &BTreeSet<FileId>,
    extra: &BTreeMap<String, PathBuf>,
    display_root: &Path,
) -> Result<Vec<Planned>, Error> {
    let mut planned: Vec<Planned> = Vec::new();
    for &id in files {
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
    Ok(planned)
}

/// Which incidents and source files are in scope.
pub(crate) struct Selection {
    pub incidents: Vec<usize>,
    pub files: BTreeSet<FileId>,
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

/// One payload file before it gets its portable name.
pub(crate) struct Planned {
    /// Path inside `data/` before portable naming (`source/…`, `incidents/<id>/record.json`).
    pub virtual_path: String,
    /// The name a person knows it by (`policy-src/evidence/INC-1/報告書.txt`).
    pub original: String,
    pub role: &'static str,
    pub sha256: String,
    pub content: Content,
}

/// How an attached evidence file was found.
pub(crate) enum Found {
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
    report: &std::sync::Arc<check::Report>,
    as_of: chrono::NaiveDate,
    time: SealTime,
    history: &SealHistory,
) -> Result<Vec<Planned>, Vec<String>> {
    use crate::model::RefKind;
    use crate::render::pages::registry::{self, incident_url, record_url};
    use crate::render::{Audience, BuildInfo, render_site_spooled, source_commit};
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
        report: std::sync::Arc::clone(report),
        versions: crate::render::versions::for_bundle(
            history.history,
            project,
            corpus,
            Audience::Restricted,
            history.release,
        ),
        // The PDFs as filed (without a Japanese font the bundle holds none; `kitei build`
        // has warned about it).
        pdf: crate::render::pdf_enabled(project).unwrap_or(false),
    };
    // Spooled to a temporary file, not held in memory: at 10,000 documents the restricted
    // site is hundreds of MB, on top of the loaded workspace.
    let pages = render_site_spooled(project, corpus, &info, &spool_dir(project))?;
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
        .map(|(path, part)| Planned {
            virtual_path: format!("site/{path}"),
            original: format!("kitei build --audience restricted: {path}"),
            role: "page",
            sha256: part.sha256.clone(),
            content: Content::Part(part),
        })
        .collect())
}

/// Where the rendered pages are spooled: the project's cache folder (on the same disk as the
/// bundle, git-ignored), else the system's temporary folder.
pub(super) fn spool_dir(project: &Project) -> PathBuf {
    let cache = project.root.join(crate::config::CACHE_DIR);
    if std::fs::create_dir_all(&cache).is_ok() {
        cache
    } else {
        std::env::temp_dir()
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
    project: &Project,
) -> Content {
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
    super::json_file(
        &report_json(&report.as_of, as_of_source, &diagnostics, &waived),
        &spool_dir(project),
    )
}

/// `check-report.json` of these findings, to be serialised: the JSON of `json!({…})` with its
/// keys sorted, written without building the whole report as one `Value` first (at 10,000
/// documents, tens of MB): each finding becomes a value of its own while it is written (see
/// the test `check_report_streams_as_values`).
fn report_json<'a>(
    as_of: &'a str,
    as_of_source: &'a str,
    diagnostics: &'a [&'a crate::diag::Diagnostic],
    waived: &'a [&'a check::Waived],
) -> ReportJson<'a> {
    let level = |l: crate::diag::Level| diagnostics.iter().filter(|d| d.level == l).count();
    ReportJson {
        as_of,
        as_of_source,
        diagnostics: EachAsValue(diagnostics),
        schema: "kitei-check/1",
        summary: Summary {
            errors: level(crate::diag::Level::Error),
            waived: waived.len(),
            warnings: level(crate::diag::Level::Warning),
        },
        waived: EachAsValue(waived),
    }
}

#[derive(serde::Serialize)]
struct Summary {
    errors: usize,
    waived: usize,
    warnings: usize,
}

/// `check-report.json`, its fields in key order.
#[derive(serde::Serialize)]
struct ReportJson<'a> {
    as_of: &'a str,
    as_of_source: &'a str,
    diagnostics: EachAsValue<'a, &'a crate::diag::Diagnostic>,
    schema: &'a str,
    summary: Summary,
    waived: EachAsValue<'a, &'a check::Waived>,
}

/// A list written as `json!` writes it: each item converted to a [`Value`] (maps with sorted
/// keys) and written, one at a time.
struct EachAsValue<'a, T>(&'a [T]);

impl<T: serde::Serialize> serde::Serialize for EachAsValue<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq as _};
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&serde_json::to_value(item).map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostic, Level, Loc};
    use serde_json::json;

    #[test]
    fn check_report_streams_as_values() {
        let diagnostics = [
            Diagnostic::error("K0103", "unknown variant")
                .at(Loc::new("incidents/a.yaml", 2, 9))
                .help("did you mean `closed`?"),
            Diagnostic::new(
                "K0803",
                Level::Warning,
                "「実行責任者」 is named but no role defines it",
            )
            .at(Loc::new("regulation/a.md", 34, 13)),
            Diagnostic::new("K0601", Level::Warning, "no regulation").subject("doc:a"),
        ];
        let waived = [check::Waived {
            exception: "EX-1".into(),
            expires_on: "2027-01-01".into(),
            diagnostic: Diagnostic::error("K0505", "late").at(Loc::new("incidents/b.yaml", 1, 1)),
        }];
        let d: Vec<&Diagnostic> = diagnostics.iter().collect();
        let w: Vec<&check::Waived> = waived.iter().collect();
        let level = |l: Level| d.iter().filter(|x| x.level == l).count();
        // What the report was when it was made as one value.
        let mut expected = serde_json::to_vec_pretty(&json!({
            "schema": "kitei-check/1",
            "as_of": "2026-11-01",
            "as_of_source": "kitei.toml",
            "summary": {
                "errors": level(Level::Error),
                "warnings": level(Level::Warning),
                "waived": w.len(),
            },
            "diagnostics": d,
            "waived": w,
        }))
        .unwrap();
        expected.push(b'\n');
        let bytes = super::super::pretty_json(&report_json("2026-11-01", "kitei.toml", &d, &w));
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
