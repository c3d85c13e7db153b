//! Evidence files named by incidents exist and still match the SHA-256 recorded when they
//! were collected. The loader hashed every file of the source folder already (in parallel,
//! streaming); only files it did not read are hashed here, in parallel and streamed.

use rustc_hash::FxHashMap;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use super::Ctx;
use crate::diag::Diagnostic;
use crate::model::FileId;
use crate::model::incident::EvidenceFile;
use crate::source::{loaded_key, resolve_evidence_path_in};

use super::Rule;
use crate::diag::Level;

/// The rules of this family, in code order.
pub(super) static RULES: &[&Rule] = &[&EVIDENCE_MISSING, &EVIDENCE_HASH];

/// A written evidence path as a path relative to the source folder (`./a/b` → `a/b`).
fn normalised(written: &str) -> PathBuf {
    Path::new(written)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect()
}

pub static EVIDENCE_MISSING: Rule = Rule {
    code: "K0701",
    name: "evidence-missing",
    level: Level::Error,
    summary: "an evidence file named by a record does not exist",
    explanation: "Every file listed under an incident's `evidence` must exist at its path inside the source \
         folder.",
};

pub static EVIDENCE_HASH: Rule = Rule {
    code: "K0702",
    name: "evidence-hash",
    level: Level::Error,
    summary: "an evidence file does not match its recorded SHA-256",
    explanation: "The recorded `sha256` is the file's fingerprint at collection time; a mismatch means the \
         file changed since (or the digest was mistyped). Restore the original file.",
};

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    // (file, subject, evidence): incidents' evidence, and the signed forms and minutes of
    // manual acknowledgements.
    let items: Vec<(FileId, Option<String>, &EvidenceFile)> = ctx
        .corpus
        .incidents
        .iter()
        .flat_map(|i| {
            i.evidence
                .iter()
                .map(move |e| (i.file, Some(i.reference()), e))
        })
        .chain(ctx.corpus.acknowledgements.iter().flat_map(|f| {
            f.acknowledgements
                .iter()
                .filter_map(move |a| Some((f.file, None, a.evidence.as_ref()?)))
        }))
        .collect();
    if items.is_empty() {
        return;
    }
    let canonical_root = ctx.corpus.root.canonicalize().ok();
    // Keyed by the path's bytes: hashing a `Path` goes component by component. Sized up front
    // and with FxHash: at 110,000 files, growing a SipHash map was 0.7 % of a cold `check`.
    let mut hashed: FxHashMap<&OsStr, &str> =
        FxHashMap::with_capacity_and_hasher(ctx.corpus.files.len(), Default::default());
    hashed.extend(
        ctx.corpus
            .files
            .iter()
            .filter(|f| !f.sha256.is_empty())
            .map(|f| (f.rel_path.as_os_str(), f.sha256.as_str())),
    );
    let found: Vec<Option<Diagnostic>> = items
        .par_iter()
        .map(|(file, subject, e)| {
            // A file the loader read, named exactly by its path, exists inside the folder.
            let known = loaded_key(&e.path.value).and_then(|k| hashed.get(k).copied());
            let mut path = None;
            if known.is_none() {
                // Paths that leave the source folder are reported by the loader (K0106).
                let resolved = resolve_evidence_path_in(
                    &ctx.corpus.root,
                    canonical_root.as_deref(),
                    &e.path.value,
                )
                .ok()?;
                if !resolved.is_file() {
                    return Some(
                        ctx.diag("K0701", format!("evidence file `{}` does not exist", e.path.value))
                            .at(ctx.loc(*file, &e.path))
                            .help("add the file at this path inside the source folder, or correct the path")
                            .subject_opt(subject.clone()),
                    );
                }
                path = Some(resolved);
            }
            let recorded = e.sha256.value.trim().to_ascii_lowercase();
            if recorded.len() != 64 || !recorded.chars().all(|c| c.is_ascii_hexdigit()) {
                return Some(
                    ctx.diag("K0702", format!("`{}` is not a SHA-256 digest", e.sha256.value))
                        .at(ctx.loc(*file, &e.sha256))
                        .help(format!("write the 64 hex digits printed by `sha256sum {}`", e.path.value))
                        .subject_opt(subject.clone()),
                );
            }
            let known = known.or_else(|| hashed.get(normalised(&e.path.value).as_os_str()).copied());
            let digest = match (known, &path) {
                (Some(known), _) => Ok(known.to_string()),
                (None, Some(path)) => crate::digest::sha256_file(path),
                (None, None) => unreachable!("a file the loader read has a digest"),
            };
            match digest {
                Ok(actual) if actual == recorded => None,
                Ok(actual) => Some(
                    ctx.diag("K0702", format!("evidence file `{}` does not match its recorded SHA-256 (file has {actual})", e.path.value))
                        .at(ctx.loc(*file, &e.sha256))
                        .help("the file changed after it was recorded: restore the original file; only correct the digest if it was mistyped")
                        .subject_opt(subject.clone()),
                ),
                Err(err) => Some(
                    ctx.diag("K0701", format!("cannot read evidence file `{}`: {err}", e.path.value))
                        .at(ctx.loc(*file, &e.path))
                        .help("check the file's permissions")
                        .subject_opt(subject.clone()),
                ),
            }
        })
        .collect();
    out.extend(found.into_iter().flatten());
}
