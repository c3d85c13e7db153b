//! `kitei seal`: an evidence bundle of the loaded and checked workspace.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::evidence::{KeySource, Scope, SealOutcome, SealRequest};
use crate::workspace::Workspace;

/// Opens the project and seals one bundle; returns the exit code (0 sealed or unchanged,
/// 2 refused).
pub fn run(root: &Path, as_of: Option<NaiveDate>, scope: Scope, sign: Option<PathBuf>) -> u8 {
    let ws = match super::open(root, as_of) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    seal(ws, scope, sign)
}

/// Seals a bundle of `ws` (`kitei build` calls this with the workspace it rendered) and
/// prints what was written. The workspace is freed once the bag is described, before the
/// zip is written ([`crate::evidence::seal`]).
pub fn seal(ws: Workspace, scope: Scope, sign: Option<PathBuf>) -> u8 {
    let sign = match KeySource::resolve(sign, &ws.project.config.evidence, &ws.project.root) {
        Ok(sign) => sign,
        Err(e) => {
            eprintln!("{e}");
            return super::UNUSABLE;
        }
    };
    let request = SealRequest {
        scope,
        sign,
        progress: std::io::stderr().is_terminal(),
    };
    match crate::evidence::seal(ws, &request) {
        Ok(result) => {
            for n in &result.notes {
                eprintln!("note: {n}");
            }
            for w in &result.warnings {
                eprintln!("warning: {w}");
            }
            match result.outcome {
                SealOutcome::Unchanged { name } => {
                    println!("no change since {name}; no new bundle written");
                }
                SealOutcome::Written(s) => {
                    let signed = match (&s.key_id, &s.signature) {
                        (Some(id), Some(sig)) => format!("signed by key {id} ({})", sig.display()),
                        _ => "not signed".into(),
                    };
                    println!(
                        "sealed {} (bundle {}, {} files, {} bytes of payload; bag digest {}; {signed}; time from {})",
                        s.zip.display(),
                        s.sequence,
                        s.payload_files,
                        s.payload_bytes,
                        s.bag_digest,
                        s.time_source,
                    );
                }
            }
            0
        }
        Err(e) => {
            eprintln!("{e}");
            super::UNUSABLE
        }
    }
}

/// The id of the key a seal of `project` signs with, opened as [`seal`] opens it (none when
/// it does not sign): a missing or wrong key is an error even when nothing is sealed.
pub fn signing_key_id(project: &crate::config::Project) -> Result<Option<String>, u8> {
    let refused = |e: crate::evidence::Error| {
        eprintln!("{e}");
        super::UNUSABLE
    };
    let sign =
        KeySource::resolve(None, &project.config.evidence, &project.root).map_err(refused)?;
    let key = sign
        .as_ref()
        .map(crate::evidence::read_signing_key)
        .transpose()
        .map_err(refused)?;
    Ok(key.map(|k| crate::evidence::minisign::key_id_hex(&k.key_id)))
}
