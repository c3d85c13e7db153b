//! Versions of the policy: releases are git tags (`[versions] tag_pattern`, default
//! `policy-v*`), read straight from the repository's object database (no checkout, the working
//! tree is never touched). From them come
//!
//! - the documents of every release ([`Release`]) and each release's tree loaded on demand
//!   ([`open_release`]),
//! - a 新旧対照表 for every regulation document that changed between two consecutive
//!   releases, and between the last release and the working tree (a draft, 案), as data:
//!   [`compare`] aligns clauses and marks characters,
//! - a cache of whatever is derived from a release's tree ([`cache`], keyed by tree hash).
//!
//! This folder is data only: the pages (archives, switcher, feed, comparison HTML, the
//! terminal view of `kitei diff`) are drawn by the renderer (`render/versions/`).
//!
//! Outside git, or in a shallow clone without the tags, everything degrades to the current
//! version with a warning that says why and how to fetch the tags.

pub mod cache;
pub mod compare;
pub mod git;
mod release_tree;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::FixedOffset;

use crate::config::{Config, Project};
use crate::model::document::{DocKind, Document};
use crate::model::{Corpus, Visibility};
use compare::Comparison;
use git::{NoRepo, Repo, Tag};
pub use release_tree::{OpenRelease, open_release};

/// A regulation document as it stood in one version.
#[derive(Debug, Clone)]
pub struct DocVersion {
    pub doc: Document,
    /// Its path inside the source folder (`regulation/reg.md`).
    pub path: String,
}

/// One release: a tag and what it holds.
#[derive(Debug, Clone)]
pub struct Release {
    pub tag: Tag,
    /// The version name used in URLs (`2026.1` for `policy-v2026.1`).
    pub version: String,
    /// The git tree of the release's source folder: what the archived copy is built from.
    pub tree: String,
    /// The release's `kitei.toml` blob (None: it had none).
    pub config_blob: Option<String>,
    /// The source folder, relative to the project root, as the release's kitei.toml says.
    pub source: String,
    /// Its regulation documents (not runbooks), in path order.
    pub docs: Vec<DocVersion>,
}

impl Release {
    /// The short commit shown in footers.
    pub fn short_commit(&self) -> String {
        self.tag.commit.chars().take(12).collect()
    }

    /// The release's date in the project's time zone.
    pub fn date(&self, tz: FixedOffset) -> chrono::NaiveDate {
        self.tag.date.with_timezone(&tz).date_naive()
    }

    /// The main regulation of the release (kind `regulation` first).
    pub fn main_doc(&self) -> Option<&Document> {
        main_doc(&self.docs)
    }
}

fn main_doc(docs: &[DocVersion]) -> Option<&Document> {
    docs.iter()
        .map(|d| &d.doc)
        .find(|d| d.kind() == DocKind::Regulation)
        .or_else(|| docs.first().map(|d| &d.doc))
}

/// Where a version comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Release(usize),
    Worktree,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocStatus {
    /// New in this version (制定).
    Added,
    /// Gone in this version (廃止).
    Removed,
    /// The text changed: there is a comparison table.
    Changed,
    /// Only the front matter changed (version, dates).
    Amended,
    Unchanged,
}

/// What a document's front matter said in one version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocMeta {
    pub title: String,
    pub version: Option<String>,
    pub approved_on: Option<String>,
    pub effective_on: Option<String>,
    /// The approver as a reference (`role:security-committee`).
    pub approved_by: Option<String>,
    pub visibility: Visibility,
    /// The summary of the `changes` entry for this version, if one is written.
    pub summary: Option<String>,
}

impl DocMeta {
    pub fn of(doc: &Document) -> DocMeta {
        let m = &doc.meta;
        let version = m.version.as_ref().map(|v| v.value.clone());
        let summary = version.as_ref().and_then(|v| {
            m.changes
                .iter()
                .find(|c| &c.version == v)
                .map(|c| c.summary.clone())
        });
        DocMeta {
            title: m.title.clone(),
            version,
            approved_on: m.approved_on.as_ref().map(|d| d.value.to_string()),
            effective_on: m.effective_on.as_ref().map(|d| d.value.to_string()),
            approved_by: m.approved_by.as_ref().map(|r| r.value.to_string()),
            visibility: m.visibility,
            summary,
        }
    }

    fn same_dates(&self, other: &DocMeta) -> bool {
        self.version == other.version
            && self.approved_on == other.approved_on
            && self.effective_on == other.effective_on
    }
}

/// How one document changed from one version to the next.
#[derive(Debug, Clone)]
pub struct DocChange {
    pub id: String,
    pub status: DocStatus,
    pub old: Option<DocMeta>,
    pub new: Option<DocMeta>,
    pub comparison: Option<Comparison>,
}

impl DocChange {
    pub fn title(&self) -> &str {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .map(|m| m.title.as_str())
            .unwrap_or(&self.id)
    }

    /// Whether an audience that sees `sees` may read this change (it must see both sides).
    pub fn visible(&self, sees: impl Fn(Visibility) -> bool) -> bool {
        self.old.as_ref().is_none_or(|m| sees(m.visibility))
            && self.new.as_ref().is_none_or(|m| sees(m.visibility))
    }
}

/// The documents of two versions compared: changed, added and removed ones (unchanged ones
/// too, with their status).
pub fn changes_between(old: &[DocVersion], new: &[DocVersion]) -> Vec<DocChange> {
    let mut out = Vec::new();
    let mut old_by_id = std::collections::HashMap::new();
    for o in old {
        old_by_id.entry(o.doc.id()).or_insert(o);
    }
    for n in new {
        let id = n.doc.id();
        match old_by_id.get(id).copied() {
            Some(o) => {
                let comparison = compare::compare(&o.doc, &n.doc);
                let (om, nm) = (DocMeta::of(&o.doc), DocMeta::of(&n.doc));
                let status = if comparison.has_changes() || om.title != nm.title {
                    DocStatus::Changed
                } else if !om.same_dates(&nm) {
                    DocStatus::Amended
                } else {
                    DocStatus::Unchanged
                };
                out.push(DocChange {
                    id: id.to_string(),
                    status,
                    old: Some(om),
                    new: Some(nm),
                    comparison: (status == DocStatus::Changed).then_some(comparison),
                });
            }
            None => out.push(DocChange {
                id: id.to_string(),
                status: DocStatus::Added,
                old: None,
                new: Some(DocMeta::of(&n.doc)),
                comparison: None,
            }),
        }
    }
    let new_ids: std::collections::HashSet<&str> = new.iter().map(|n| n.doc.id()).collect();
    for o in old {
        if !new_ids.contains(o.doc.id()) {
            out.push(DocChange {
                id: o.doc.id().to_string(),
                status: DocStatus::Removed,
                old: Some(DocMeta::of(&o.doc)),
                new: None,
                comparison: None,
            });
        }
    }
    out
}

/// From one version to the next.
#[derive(Debug, Clone)]
pub struct Step {
    /// The release before (None: the first release).
    pub from: Option<usize>,
    pub to: Target,
    pub docs: Vec<DocChange>,
    /// Positions in `docs` by document id, built on first use: every document's revision
    /// list asks every step, which must not scan every document.
    by_id: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
}

impl Step {
    pub fn new(from: Option<usize>, to: Target, docs: Vec<DocChange>) -> Self {
        Step {
            from,
            to,
            docs,
            by_id: Default::default(),
        }
    }

    /// The change of document `id` in this step (the first, as a linear search would).
    pub fn doc(&self, id: &str) -> Option<&DocChange> {
        let by_id = self.by_id.get_or_init(|| {
            let mut map = std::collections::HashMap::new();
            for (i, d) in self.docs.iter().enumerate() {
                map.entry(d.id.clone()).or_insert(i);
            }
            map
        });
        by_id.get(id).map(|&i| &self.docs[i])
    }

    pub fn has_changes(&self) -> bool {
        self.docs.iter().any(|d| d.status != DocStatus::Unchanged)
    }
}

/// Why releases are missing from a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    NoGit(String),
    NotARepository,
    /// A shallow clone: `found` tags could be read, others may be missing.
    Shallow {
        found: usize,
    },
    /// A full clone without a matching tag (not a problem: nothing was released yet).
    NoTags,
    /// git failed in another way.
    Failed(String),
}

/// Everything known about the policy's versions.
#[derive(Debug, Clone)]
pub struct History {
    pub pattern: String,
    pub repo: Option<Repo>,
    /// Releases, oldest first.
    pub releases: Vec<Release>,
    /// The working tree's regulation documents.
    pub worktree: Vec<DocVersion>,
    /// `steps[i]`: from release i-1 to release i.
    pub steps: Vec<Step>,
    /// From the last release to the working tree, when the text differs (a draft, 案).
    pub draft: Option<Step>,
    pub missing: Option<Missing>,
    /// Problems with single releases (unreadable files), for the build's stderr.
    pub warnings: Vec<String>,
}

/// How to get the tags in CI, for every message about missing releases.
pub const FETCH_HINT: &str = "fetch them with `git fetch --tags --unshallow` (GitHub Actions: \
    `actions/checkout` with `fetch-depth: 0`; GitLab CI: `GIT_DEPTH: 0`)";

impl History {
    /// What to tell the user about missing releases: `(warning?, message)`; None when all
    /// is well.
    pub fn status_message(&self) -> Option<(bool, String)> {
        let pattern = &self.pattern;
        match self.missing.as_ref()? {
            Missing::NoGit(e) => Some((
                true,
                format!(
                    "releases: cannot run git ({e}); building the current version only, without archived versions, comparison tables or change notices. Install git and build from a clone with the `{pattern}` tags"
                ),
            )),
            Missing::NotARepository => Some((
                true,
                format!(
                    "releases: the project is not in a git repository; building the current version only, without archived versions, comparison tables or change notices. Releases are the git tags `{pattern}`: build from a clone that has them ({FETCH_HINT})"
                ),
            )),
            Missing::Shallow { found } => Some((
                true,
                format!(
                    "releases: this is a shallow clone and {found} release tag(s) matching `{pattern}` could be read; earlier releases, their archived versions and comparison tables are missing. To build every release, {FETCH_HINT}"
                ),
            )),
            Missing::NoTags => Some((
                false,
                format!(
                    "releases: no git tag matches `{pattern}` yet; the site has the current version only (cut a release with `git tag -a {} -m \"…\"`)",
                    pattern.replace('*', "2026.1")
                ),
            )),
            Missing::Failed(e) => Some((
                true,
                format!("releases: {e}; building the current version only"),
            )),
        }
    }

    /// Finds a version by tag, version name, or `WORKTREE`.
    pub fn resolve(&self, name: &str) -> Option<Target> {
        if ["WORKTREE", "worktree", "draft"].contains(&name) {
            return Some(Target::Worktree);
        }
        self.releases
            .iter()
            .position(|r| r.tag.name == name || r.version == name)
            .map(Target::Release)
    }

    pub fn docs(&self, t: Target) -> &[DocVersion] {
        match t {
            Target::Release(i) => &self.releases[i].docs,
            Target::Worktree => &self.worktree,
        }
    }

    /// The name of a version in URLs and messages (`2026.1`, `draft`).
    pub fn name(&self, t: Target) -> &str {
        match t {
            Target::Release(i) => &self.releases[i].version,
            Target::Worktree => "draft",
        }
    }

    /// The release that supersedes release `i`, and the day it did (the effective date of
    /// the next release's regulation, else the day it was tagged).
    pub fn superseded(&self, i: usize, tz: FixedOffset) -> Option<(usize, String)> {
        let next = self.releases.get(i + 1)?;
        let day = next
            .main_doc()
            .and_then(|d| d.meta.effective_on.as_ref())
            .map(|d| d.value.to_string())
            .unwrap_or_else(|| next.date(tz).to_string());
        Some((i + 1, day))
    }
}

/// The version name of a tag: the part the pattern's `*` matched (`policy-v*` +
/// `policy-v2026.1` → `2026.1`), with characters unsafe in a URL path replaced by `-`.
pub fn version_name(pattern: &str, tag: &str) -> String {
    let raw = match pattern.split_once('*') {
        Some((pre, post)) if !pattern[pre.len() + 1..].contains('*') => tag
            .strip_prefix(pre)
            .and_then(|t| t.strip_suffix(post))
            .filter(|t| !t.is_empty())
            .unwrap_or(tag),
        _ => tag,
    };
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('.').to_string();
    if name.is_empty() || name == "draft" {
        format!("v-{name}")
    } else {
        name
    }
}

/// Compares tag names with their digit runs as numbers (`v2` before `v10`).
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(s: &str) -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, text)) if *d == digit => text.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    }
    let (pa, pb) = (parts(a), parts(b));
    for (x, y) in pa.iter().zip(&pb) {
        let o = match (x.0, y.0) {
            (true, true) => {
                let (nx, ny) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
            }
            _ => x.1.cmp(&y.1),
        };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// The regulation documents of a corpus (everything but runbooks), in path order.
pub fn corpus_docs(corpus: &Corpus) -> Vec<DocVersion> {
    let mut docs: Vec<DocVersion> = corpus
        .documents
        .iter()
        .filter(|d| d.kind() != DocKind::Runbook)
        .map(|d| DocVersion {
            doc: d.item.clone(),
            path: slash(&corpus.files[d.file].rel_path),
        })
        .collect();
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    docs
}

fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads what every tag holds with a fixed number of git processes, however many releases
/// there are: which commits exist, their kitei.toml, their source and regulation trees, and
/// the regulation documents (each distinct file parsed once).
fn read_releases(
    repo: &Repo,
    pattern: &str,
    tags: Vec<Tag>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Release>, String> {
    let config_path = repo.repo_path(crate::config::FILE_NAME);
    let specs: Vec<String> = tags
        .iter()
        .flat_map(|t| {
            [
                format!("{}^{{commit}}", t.commit),
                format!("{}:{config_path}", t.commit),
            ]
        })
        .collect();
    let found = repo.check(&specs)?;
    let mut present: Vec<(Tag, Option<String>)> = Vec::new();
    for (t, pair) in tags_with(&found, 2, tags) {
        if pair[0].is_none() {
            warnings.push(format!(
                "release tag {} points at a commit this clone does not have; skipped ({FETCH_HINT})",
                t.name
            ));
            continue;
        }
        let blob = pair[1]
            .as_ref()
            .filter(|(_, kind)| kind == "blob")
            .map(|(oid, _)| oid.clone());
        present.push((t, blob));
    }
    let mut tags = present;
    tags.sort_by(|a, b| {
        a.0.date
            .cmp(&b.0.date)
            .then_with(|| natural_cmp(&a.0.name, &b.0.name))
    });

    // Their kitei.toml (for the source folder; the rest is read when a release is rendered).
    let blobs: Vec<String> = tags
        .iter()
        .filter_map(|(_, b)| b.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let texts: std::collections::BTreeMap<String, Option<Vec<u8>>> = blobs
        .iter()
        .cloned()
        .zip(
            repo.cat_file(&blobs)?
                .into_iter()
                .map(|o| o.map(|(_, b)| b)),
        )
        .collect();
    let mut sources: Vec<String> = Vec::new();
    let mut keep: Vec<(Tag, Option<String>)> = Vec::new();
    for (tag, blob) in tags {
        let config = match blob.as_ref().and_then(|b| texts.get(b).cloned().flatten()) {
            None => Config::default(),
            Some(bytes) => match toml::from_str::<Config>(&String::from_utf8_lossy(&bytes)) {
                Ok(c) => c,
                Err(e) => {
                    warnings.push(format!(
                        "release {}: its kitei.toml cannot be read ({}); using the defaults",
                        tag.name,
                        e.message()
                    ));
                    Config::default()
                }
            },
        };
        let source = slash(&config.source);
        if config.source.is_absolute() || source.split('/').any(|p| p == "..") {
            warnings.push(format!(
                "release {}: its source folder `{source}` is outside the project; skipped",
                tag.name
            ));
            continue;
        }
        sources.push(source);
        keep.push((tag, blob));
    }

    // The source tree (the cache key of an archived copy) and its regulation/ folder.
    let specs: Vec<String> = keep
        .iter()
        .zip(&sources)
        .flat_map(|((t, _), src)| {
            [
                format!("{}:{}", t.commit, repo.repo_path(src)),
                format!(
                    "{}:{}",
                    t.commit,
                    repo.repo_path(&format!("{src}/regulation"))
                ),
            ]
        })
        .collect();
    let found = repo.check(&specs)?;
    let oid_len = keep.first().map(|(t, _)| t.commit.len() / 2).unwrap_or(20);
    let mut releases = Vec::new();
    let mut regulation_trees: Vec<Option<String>> = Vec::new();
    let mut used = BTreeSet::new();
    for (((tag, config_blob), source), pair) in keep.into_iter().zip(sources).zip(found.chunks(2)) {
        let Some((tree, _)) = pair[0].clone().filter(|(_, kind)| kind == "tree") else {
            warnings.push(format!(
                "release {}: it has no source folder `{source}`; skipped",
                tag.name
            ));
            continue;
        };
        regulation_trees.push(
            pair[1]
                .clone()
                .filter(|(_, k)| k == "tree")
                .map(|(oid, _)| oid),
        );
        let base = version_name(pattern, &tag.name);
        let mut version = base.clone();
        let mut n = 2;
        while !used.insert(version.clone()) {
            version = format!("{base}-{n}");
            n += 1;
        }
        releases.push(Release {
            tag,
            version,
            tree,
            config_blob,
            source,
            docs: Vec::new(),
        });
    }

    // Every `regulation/**/*.md` of every release: trees level by level, then the files.
    let mut files: Vec<(usize, String, String)> = Vec::new();
    let mut pending: Vec<(usize, String, String)> = regulation_trees
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.clone().map(|t| (i, "regulation".to_string(), t)))
        .collect();
    while !pending.is_empty() {
        let oids: Vec<String> = pending.iter().map(|p| p.2.clone()).collect();
        let trees = repo.cat_file(&oids)?;
        let mut next = Vec::new();
        for ((i, dir, _), tree) in pending.into_iter().zip(trees) {
            let Some((_, bytes)) = tree else { continue };
            for (mode, name, oid) in git::parse_tree(&bytes, oid_len) {
                let path = format!("{dir}/{name}");
                if mode == "40000" {
                    next.push((i, path, oid));
                } else if name.ends_with(".md") && mode.starts_with("100") {
                    files.push((i, path, oid));
                }
            }
        }
        pending = next;
    }
    let unique: Vec<String> = files
        .iter()
        .map(|f| f.2.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let contents = repo.cat_file(&unique)?;
    let mut parsed: std::collections::BTreeMap<&str, Result<Document, String>> =
        std::collections::BTreeMap::new();
    for (oid, content) in unique.iter().zip(contents) {
        let first = files.iter().find(|f| &f.2 == oid).expect("listed");
        let r = &releases[first.0];
        let display = PathBuf::from(format!("{}:{}/{}", r.tag.name, r.source, first.1));
        let result = match content {
            None => Err("cannot be read from git".to_string()),
            Some((_, bytes)) => crate::text::encoding::decode_utf8(bytes).and_then(|text| {
                crate::source::parse_document(&text, &display).map_err(|d| d.message)
            }),
        };
        parsed.insert(oid.as_str(), result);
    }
    for (i, path, oid) in &files {
        match &parsed[oid.as_str()] {
            Ok(doc) if doc.kind() != DocKind::Runbook => releases[*i].docs.push(DocVersion {
                doc: doc.clone(),
                path: path.clone(),
            }),
            Ok(_) => {}
            Err(m) => warnings.push(format!(
                "{}:{}/{path}: {m}; left out of the history",
                releases[*i].tag.name, releases[*i].source
            )),
        }
    }
    for r in &mut releases {
        r.docs.sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok(releases)
}

/// Pairs each tag with its `n` answers of a batch.
fn tags_with<T: Clone>(found: &[T], n: usize, tags: Vec<Tag>) -> Vec<(Tag, Vec<T>)> {
    tags.into_iter()
        .zip(found.chunks(n))
        .map(|(t, c)| (t, c.to_vec()))
        .collect()
}

/// Reads the releases of the project's repository and compares consecutive versions.
/// Never fails: what cannot be read is reported in [`History::missing`] and
/// [`History::warnings`].
pub fn load(project: &Project, current: &Corpus) -> History {
    let pattern = project.config.versions.tag_pattern.clone();
    let mut history = History {
        pattern: pattern.clone(),
        repo: None,
        releases: Vec::new(),
        // Filled once releases are found: a copy of every regulation is only worth making
        // when there is something to compare it with.
        worktree: Vec::new(),
        steps: Vec::new(),
        draft: None,
        missing: None,
        warnings: Vec::new(),
    };
    if pattern.trim().is_empty() || pattern.contains(char::is_whitespace) {
        history.missing = Some(Missing::Failed(format!(
            "`[versions] tag_pattern = \"{pattern}\"` in kitei.toml is not a tag pattern (write e.g. \"policy-v*\")"
        )));
        return history;
    }
    let repo = match Repo::open(&project.root) {
        Ok(r) => r,
        Err(NoRepo::NoGit(e)) => {
            history.missing = Some(Missing::NoGit(e));
            return history;
        }
        Err(NoRepo::NotARepository) => {
            history.missing = Some(Missing::NotARepository);
            return history;
        }
    };
    let tags = match repo.tags(&pattern, &mut history.warnings) {
        Ok(t) => t,
        Err(e) => {
            history.missing = Some(Missing::Failed(e));
            history.repo = Some(repo);
            return history;
        }
    };
    history.releases = match read_releases(&repo, &pattern, tags, &mut history.warnings) {
        Ok(r) => r,
        Err(e) => {
            history.missing = Some(Missing::Failed(e));
            history.repo = Some(repo);
            return history;
        }
    };
    if repo.shallow {
        history.missing = Some(Missing::Shallow {
            found: history.releases.len(),
        });
    } else if history.releases.is_empty() {
        history.missing = Some(Missing::NoTags);
    }
    if !history.releases.is_empty() {
        history.worktree = corpus_docs(current);
    }
    for i in 0..history.releases.len() {
        let old: &[DocVersion] = match i {
            0 => &[],
            _ => &history.releases[i - 1].docs,
        };
        let docs = changes_between(old, &history.releases[i].docs);
        history
            .steps
            .push(Step::new(i.checked_sub(1), Target::Release(i), docs));
    }
    if let Some(last) = history.releases.len().checked_sub(1) {
        let step = Step::new(
            Some(last),
            Target::Worktree,
            changes_between(&history.releases[last].docs, &history.worktree),
        );
        if step.has_changes() {
            history.draft = Some(step);
        }
    }
    history.repo = Some(repo);
    history
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names() {
        assert_eq!(version_name("policy-v*", "policy-v2026.1"), "2026.1");
        assert_eq!(version_name("*", "2026.1"), "2026.1");
        assert_eq!(version_name("policy-v*", "policy-v2026 1/x"), "2026-1-x");
        assert_eq!(version_name("rel-*-final", "rel-3-final"), "3");
        assert_eq!(version_name("policy-v*", "policy-vdraft"), "v-draft");
    }

    #[test]
    fn natural_order() {
        use std::cmp::Ordering::*;
        assert_eq!(natural_cmp("policy-v2", "policy-v10"), Less);
        assert_eq!(natural_cmp("policy-v2026.10", "policy-v2026.9"), Greater);
        assert_eq!(natural_cmp("a", "a"), Equal);
    }
}
