//! Phase 2 of a seal, the description: the bag around a planned payload at its place in the
//! chain: bag-info.txt (provenance, the link to the previous bag), metadata/bundle.json,
//! VERIFY.txt, the tag manifest, its digest and seal. Nothing is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use super::inputs::Inputs;
use super::plan::{Found, Payload, Planned, Selection};
use super::{Scope, slash};
use crate::check::Report;
use crate::config::Project;
use crate::digest::{hex, sha256_hex};
use crate::evidence::archive::{Content, Entry};
use crate::evidence::bag::{self, BagInfo};
use crate::evidence::ledger::LedgerEntry;
use crate::evidence::minisign;
use crate::evidence::names::{media_type, org_slug};
use crate::evidence::provenance::SourceTree;
use crate::history::git;
use crate::model::{Corpus, DocKind, FileId};

/// Where a new bundle joins its chain: its number, name, and the previous bag's digest.
#[derive(Debug, Clone)]
pub struct ChainTip {
    pub sequence: u64,
    pub group: String,
    pub name: String,
    /// `sha256:…` of the previous bag, or `none` for the first bundle.
    pub previous: String,
}

impl ChainTip {
    /// The place after `last` (the newest ledger entry, if any).
    pub fn after(project: &Project, last: Option<&LedgerEntry>) -> ChainTip {
        let sequence = last.map_or(1, |l| l.sequence + 1);
        let group = format!("kitei-{}", org_slug(&project.config.organisation));
        ChainTip {
            sequence,
            name: format!("{group}-{sequence:06}"),
            group,
            previous: last
                .map(|l| l.bag_digest.clone())
                .unwrap_or_else(|| "none".into()),
        }
    }
}

/// A bag ready to be written: its zip entries and what the ledger records about it.
pub(crate) struct Bag {
    pub name: String,
    pub sequence: u64,
    pub previous: String,
    pub bag_digest: String,
    pub manifest_sha256: String,
    pub bagging_date: String,
    pub payload_files: u64,
    pub payload_bytes: u64,
    pub key_id: Option<String>,
    pub epoch: i64,
    pub time_source: &'static str,
    pub entries: Vec<Entry>,
}

/// Describes the bag of `payload` at `tip`, sealed with `key` when given.
pub(crate) fn describe(
    x: &Inputs,
    scope: &Scope,
    mut payload: Payload,
    tip: &ChainTip,
    key: Option<&minisign::SecretKey>,
    warnings: &mut Vec<String>,
) -> Bag {
    let &Inputs {
        project,
        corpus,
        ref report,
        as_of,
        as_of_source,
        time,
        ref history,
        current: _,
    } = x;
    let root = project.root.as_path();
    let ChainTip {
        sequence,
        group,
        name,
        previous,
    } = tip.clone();
    let key_id = key.map(|k| minisign::key_id_hex(&k.key_id));
    let sealed_at = chrono::DateTime::from_timestamp(time.epoch, 0).unwrap_or_default();
    let bagging_date = sealed_at.format("%Y-%m-%d").to_string();
    let commit = match history.release {
        Some(i) => history.history.releases[i].tag.commit.clone(),
        None => git::query(root, &["rev-parse", "HEAD"]).unwrap_or_else(|| "none".into()),
    };
    // A release bundle is read from the tag itself: its tree is the commit's.
    let tree = match history.release {
        Some(_) => SourceTree::Clean,
        None => crate::evidence::provenance::source_tree(root),
    };
    if let SourceTree::Modified { paths, .. } = &tree {
        warnings.push(format!(
            "the working tree has {paths} uncommitted change(s); bag-info.txt records `Kitei-Source-Tree: modified` and their digest"
        ));
    }
    let policy_version = policy_version(corpus, &payload.sel);
    let merkle = format!("sha256:{}", hex(&bag::merkle_root(&payload.manifest_text)));
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
        format!("kitei evidence bundle ({})", scope.describe()),
    );
    info.push("Bagging-Date", bagging_date.as_str());
    info.push(
        "Bag-Software-Agent",
        format!("kitei {}", env!("CARGO_PKG_VERSION")),
    );
    info.push(
        "Payload-Oxum",
        format!("{}.{}", payload.payload_bytes, payload.payload_files),
    );
    info.push("Bag-Group-Identifier", group.as_str());
    info.push("Bag-Count", format!("{sequence} of ?"));
    info.push("Kitei-Source-Commit", commit.as_str());
    info.push("Kitei-Source-Tree", tree.label());
    if let SourceTree::Modified { digest, .. } = &tree {
        info.push("Kitei-Uncommitted-Changes-Digest", digest.as_str());
    }
    info.push("Kitei-Policy-Version", policy_version.as_str());
    info.push("Kitei-Scope", scope.describe());
    if let Some(i) = history.release {
        info.push(
            "Kitei-Release",
            history.history.releases[i].tag.name.as_str(),
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
        sel: &payload.sel,
        planned: &payload.planned,
        found: &payload.found,
        record_paths: &payload.record_paths,
        payload_path: &|v| payload.payload_path(v),
        name: &name,
        sequence,
        group: &group,
        scope,
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
    let tag_files: Vec<(&str, Content)> = vec![
        (bag::BAG_INFO, Content::Bytes(bag_info.into_bytes())),
        (
            bag::BAGIT,
            Content::Bytes(bag::BAGIT_TXT.as_bytes().to_vec()),
        ),
        // Moved, not copied (52,000 lines at 10,000 documents); nothing reads it after this.
        (
            bag::MANIFEST,
            Content::Bytes(std::mem::take(&mut payload.manifest_text).into_bytes()),
        ),
        (bag::VERIFY_TXT, Content::Bytes(verify_txt.into_bytes())),
        (bag::BUNDLE_JSON, index),
    ];
    let tag_hashes: Vec<(String, String)> = tag_files
        .iter()
        .map(|(p, c)| (p.to_string(), c.sha256()))
        .collect();
    let tag_manifest = bag::manifest(tag_hashes.iter().map(|(p, h)| (p.as_str(), h.as_str())));
    let bag_digest = format!("sha256:{}", sha256_hex(tag_manifest.as_bytes()));

    let mut entries: Vec<Entry> = Vec::new();
    let planned = std::mem::take(&mut payload.planned);
    for p in planned {
        entries.push(Entry {
            name: format!("{name}/{}", payload.payload_path(&p.virtual_path)),
            content: p.content,
        });
    }
    for (path, content) in tag_files {
        entries.push(Entry {
            name: format!("{name}/{path}"),
            content,
        });
    }
    if let Some(k) = key {
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

    Bag {
        name,
        sequence,
        previous,
        bag_digest,
        manifest_sha256: payload.manifest_sha,
        bagging_date,
        payload_files: payload.payload_files,
        payload_bytes: payload.payload_bytes,
        key_id,
        epoch: time.epoch,
        time_source: time.source,
        entries,
    }
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

/// One payload file in `bundle.json`, its fields in the order `json!` sorts them (see the test
/// `bundle_rows_are_written_as_values_were`): a typed row instead of a `Value` map per file.
#[derive(serde::Serialize)]
struct FileRow<'a> {
    media_type: &'static str,
    original: &'a str,
    path: String,
    renamed: bool,
    role: &'static str,
    sha256: &'a str,
    size: u64,
}

/// `bundle.json`: the object `rest` with the file list as its `files` and the incidents as its
/// `incidents`, written in key order (as `json!` sorts them) without making either list a
/// `Value` first: at 10,000 documents each is tens of MB as values.
struct BundleJson<'a, I> {
    rest: Value,
    files: &'a [FileRow<'a>],
    incidents: I,
}

impl<I: serde::Serialize> serde::Serialize for BundleJson<'_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let rest = self.rest.as_object();
        let mut map = s.serialize_map(Some(rest.map_or(0, |m| m.len()) + 2))?;
        let mut lists = ["files", "incidents"].into_iter().peekable();
        for (key, value) in rest.into_iter().flatten() {
            while let Some(list) = lists.next_if(|list| *list < key.as_str()) {
                self.list(&mut map, list)?;
            }
            map.serialize_entry(key, value)?;
        }
        for list in lists {
            self.list(&mut map, list)?;
        }
        map.end()
    }
}

impl<I: serde::Serialize> BundleJson<'_, I> {
    fn list<M: serde::ser::SerializeMap>(&self, map: &mut M, key: &str) -> Result<(), M::Error> {
        match key {
            "files" => map.serialize_entry(key, self.files),
            _ => map.serialize_entry(key, &self.incidents),
        }
    }
}

/// A list whose entries are made one at a time as it is written, each dropped once written.
struct EachMade<'a, T, F>(&'a [T], F);

impl<T, F: Fn(&T) -> Value> serde::Serialize for EachMade<'_, T, F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item))?;
        }
        seq.end()
    }
}

/// `metadata/bundle.json`: incidents → files, original names, media types, controls.
fn bundle_json(x: &BundleIndex) -> Content {
    let c = x.corpus;
    let by_virtual: BTreeMap<&str, &Planned> = x
        .planned
        .iter()
        .map(|p| (p.virtual_path.as_str(), p))
        .collect();
    let file_of =
        |id: FileId| (x.payload_path)(&format!("source/{}", slash(&c.files[id].rel_path)));
    // Which controls each payload file serves (the evidence each incident lists).
    let mut controls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for &i in &x.sel.incidents {
        for (j, ev) in c.incidents[i].evidence.iter().enumerate() {
            if let (Some(Found::Payload(v)), false) = (x.found.get(&(i, j)), ev.controls.is_empty())
            {
                let path = (x.payload_path)(v);
                for ctl in &ev.controls {
                    controls
                        .entry(ctl.clone())
                        .or_default()
                        .insert(path.clone());
                }
            }
        }
    }
    // Each incident's entry is made as it is written (see [`EachMade`]).
    let incident_json = |&i: &usize| -> Value {
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
    };
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
    let mut files: Vec<FileRow> = x
        .planned
        .iter()
        .map(|p| {
            let path = (x.payload_path)(&p.virtual_path);
            FileRow {
                renamed: path != format!("data/{}", p.virtual_path),
                path,
                media_type: media_type(&p.virtual_path),
                original: &p.original,
                role: p.role,
                sha256: &p.sha256,
                size: p.content.len(),
            }
        })
        .collect();
    files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let mut json = json!({
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
    });
    // Moved in, not copied by `json!`: at 10,000 documents the file list alone is tens of MB
    // as values.
    json["documents"] = Value::Array(documents);
    super::json_file(
        &BundleJson {
            rest: json,
            files: &files,
            incidents: EachMade(&x.sel.incidents, incident_json),
        },
        &super::plan::spool_dir(x.project),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_lists_are_written_as_values_were() {
        let rows = [
            FileRow {
                media_type: "application/json",
                original: "policy-src/incidents/2025/INC-1.yaml (normalised JSON)",
                path: "data/incidents/INC-1/record.json".into(),
                renamed: false,
                role: "record",
                sha256: "ab",
                size: 12,
            },
            FileRow {
                media_type: "text/plain",
                original: "policy-src/evidence/INC-1/報告書.txt",
                path: "data/source/evidence/INC-1/_e5_a0_b1.txt".into(),
                renamed: true,
                role: "evidence",
                sha256: "cd",
                size: 3,
            },
        ];
        let as_values: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "path": r.path,
                    "original": r.original,
                    "renamed": r.renamed,
                    "media_type": r.media_type,
                    "sha256": r.sha256,
                    "size": r.size,
                    "role": r.role,
                })
            })
            .collect();
        let rest = json!({
            "schema": "kitei-bundle/1",
            "bundle": "b",
            "documents": [{"id": "d"}],
            "group": "g",
        });
        let incident = |n: &u32| json!({"id": format!("INC-{n}"), "evidence": [{"size": n}]});
        let mut whole = rest.clone();
        whole["files"] = Value::Array(as_values);
        whole["incidents"] = json!([incident(&1), incident(&2)]);
        let bundle = BundleJson {
            rest,
            files: &rows,
            incidents: EachMade(&[1, 2], incident),
        };
        assert_eq!(
            String::from_utf8(serde_json::to_vec_pretty(&bundle).unwrap()).unwrap(),
            String::from_utf8(serde_json::to_vec_pretty(&whole).unwrap()).unwrap()
        );
        // The lists last, first, and around another key.
        for rest in [json!({"a": 1}), json!({"z": 1}), json!({"h": 1, "j": 2})] {
            let mut whole = rest.clone();
            whole["files"] = json!([]);
            whole["incidents"] = json!([]);
            let bundle = BundleJson {
                rest,
                files: &[],
                incidents: EachMade(&[] as &[u32], incident),
            };
            assert_eq!(
                serde_json::to_string(&bundle).unwrap(),
                serde_json::to_string(&whole).unwrap()
            );
        }
    }
}
