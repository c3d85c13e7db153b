//! Findings as `kitei check` and `kitei build` print them, with the printed text of each
//! remembered between runs.
//!
//! Formatting a finding quotes its source line, so it reads the quoted file again and lays the
//! excerpt out; at 10,000 documents that is tens of thousands of findings and ≈ 10 MB of text
//! on every run, most of it the same as the last run's. So each finding's text is kept in a
//! memo ([`crate::check::memo`], families `findings-plain` and `findings-color`) under a key
//! made of everything the text is made from: the finding's fields and the SHA-256 of the
//! quoted file as the loader read it (the memo's file also carries the executable's
//! identity, which covers the layout code). A finding that quotes a file the corpus has no
//! digest for is formatted every time. A text is remembered only when the file it quoted
//! still had the loader's digest (an edit during the run must not be remembered under the
//! digest of the text before it).

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use sha2::{Digest as _, Sha256};

use crate::check::memo::{Hash, KeyBuilder, Memo};
use crate::diag::{Diagnostic, Level};
use crate::workspace::Workspace;

/// Findings formatted by one task of [`findings_text`], at most: thousands of findings are a
/// few dozen tasks, and a hundred (whose formatting, with nothing remembered, takes as long
/// as thousands remembered) still a dozen.
const FINDINGS_CHUNK: usize = 256;

/// Every diagnostic of `diagnostics` as [`super::diagnostic`] prints it, each followed by an
/// empty line, in order: one text, printed in one write (a write per finding costs more than
/// the finding on a terminal or a CI log, and a build keeps the text for its no-op replay).
pub fn findings_text(ws: &Workspace, diagnostics: &[Diagnostic], color: bool) -> String {
    let family = if color {
        "findings-color"
    } else {
        "findings-plain"
    };
    let memo = Memo::open(
        &ws.project.root,
        family,
        crate::source::cache::Mode::from_env(),
    );
    let digests = if memo.is_on() {
        quoted_digests(ws, diagnostics)
    } else {
        FxHashMap::default()
    };
    let quoted = Quoted { ws, digests };
    // In chunks that any idle worker takes (`kitei build` reads its page memo meanwhile), in
    // the report's order.
    let chunks: Vec<String> = diagnostics
        .par_chunks((diagnostics.len() / 12).clamp(1, FINDINGS_CHUNK))
        .map(|chunk| {
            let mut text = String::new();
            // Findings come sorted by file: a file is checked against its digest once a run.
            let mut checked = None;
            for d in chunk {
                let _ = writeln!(text, "{}\n", quoted.text(&memo, d, color, &mut checked));
            }
            text
        })
        .collect();
    memo.save();
    chunks.concat()
}

/// The SHA-256 (hex) of each file a finding quotes, by the path findings name it by. Only
/// those: a check of 100,000 records with a hundred findings must not hash 100,000 paths.
fn quoted_digests<'a>(
    ws: &'a Workspace,
    diagnostics: &[Diagnostic],
) -> FxHashMap<&'a Path, &'a str> {
    let quoted: FxHashSet<&OsStr> = diagnostics
        .iter()
        .filter_map(|d| d.location.as_ref())
        .filter(|loc| loc.line > 0)
        .map(|loc| loc.path.as_os_str())
        .collect();
    if quoted.is_empty() {
        return FxHashMap::default();
    }
    ws.corpus
        .files
        .iter()
        .filter(|f| quoted.contains(f.display_path.as_os_str()))
        .map(|f| (f.display_path.as_path(), f.sha256.as_str()))
        .collect()
}

/// What a finding's text is made from besides the finding: the quoted files.
struct Quoted<'a> {
    ws: &'a Workspace,
    /// The SHA-256 (hex) of each quoted file, by the path findings name it by.
    digests: FxHashMap<&'a Path, &'a str>,
}

impl<'a> Quoted<'a> {
    /// The finding's text, from the memo or formatted (and then remembered if its key held).
    /// `checked`: the last file [`Quoted::quoted_as_loaded`] looked at, and its answer.
    fn text(
        &self,
        memo: &Memo,
        d: &'a Diagnostic,
        color: bool,
        checked: &mut Option<(&'a Path, bool)>,
    ) -> String {
        let key = memo.is_on().then(|| self.key(d, color)).flatten();
        if let Some(text) = key
            .and_then(|key| memo.get_bytes(&key))
            .and_then(|bytes| String::from_utf8(bytes).ok())
        {
            return text;
        }
        let text = super::diagnostic(self.ws, d, color);
        if let Some(key) = key
            && self.quoted_as_loaded(d, checked)
        {
            memo.put_bytes(key, text.clone().into_bytes());
        }
        text
    }

    /// The key of a finding's text, or `None` when it quotes a file of unknown digest.
    fn key(&self, d: &Diagnostic, color: bool) -> Option<Hash> {
        let mut key = KeyBuilder::new("finding-text/1");
        key.part(&[u8::from(color)])
            .part(d.code.as_bytes())
            .part(match d.level {
                Level::Allow => b"allow",
                Level::Warning => b"warning",
                Level::Error => b"error",
            })
            .part(d.message.as_bytes());
        for text in [&d.help, &d.subject] {
            match text {
                Some(t) => key.part(b"some").part(t.as_bytes()),
                None => key.part(b"none"),
            };
        }
        match &d.location {
            None => key.part(b"nowhere"),
            Some(loc) => {
                key.part(loc.path.as_os_str().as_encoded_bytes())
                    .part(&loc.line.to_le_bytes())
                    .part(&loc.column.to_le_bytes());
                if loc.line > 0 {
                    key.part(self.digests.get(loc.path.as_path())?.as_bytes());
                }
                &mut key
            }
        };
        Some(key.finish())
    }

    /// Whether the file the finding quotes (if any) reads now as the loader read it.
    fn quoted_as_loaded(&self, d: &'a Diagnostic, checked: &mut Option<(&'a Path, bool)>) -> bool {
        let Some(loc) = d.location.as_ref().filter(|l| l.line > 0) else {
            return true;
        };
        let path = loc.path.as_path();
        if let Some((last, same)) = *checked
            && last == path
        {
            return same;
        }
        let same = match (self.ws.sources.get(path), self.digests.get(path)) {
            (Some(text), Some(digest)) => {
                crate::digest::hex(&Sha256::digest(text.as_bytes())) == *digest
            }
            _ => false,
        };
        *checked = Some((path, same));
        same
    }
}
