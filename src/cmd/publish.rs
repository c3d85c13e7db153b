//! `kitei publish`: the workspace sealed as the next bundle of the chain a store keeps, and
//! uploaded with its signature and ledger entry (Object Lock retention on object storage).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::evidence::KeySource;
use crate::evidence::publish::{PublishOutcome, PublishRequest, Retention, publish};
use crate::evidence::store::Target;

/// Options of `kitei publish`.
pub struct Options {
    /// `--to`: `s3://bucket/prefix` or a folder (default: `[evidence] store`).
    pub to: Option<String>,
    /// `--sign KEY`.
    pub sign: Option<PathBuf>,
    /// `--retention PERIOD` (default: `[evidence] retention`).
    pub retention: Option<String>,
}

/// Returns the exit code (0 published or unchanged, 2 refused or failed).
pub fn run(root: &Path, as_of: Option<NaiveDate>, opts: Options) -> u8 {
    let ws = match super::open(root, as_of) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let config = &ws.project.config.evidence;
    // `--to` is read like any path argument; `[evidence] store` relative to the project.
    let configured = config.store.as_ref().map(|s| {
        if s.starts_with("s3://") {
            s.clone()
        } else {
            ws.project.root.join(s).display().to_string()
        }
    });
    let Some(target) = opts.to.or(configured) else {
        eprintln!(
            "error: no store to publish to\n  = help: pass --to s3://BUCKET/PREFIX (or --to DIR), or set `store = \"s3://…\"` under [evidence] in kitei.toml"
        );
        return super::UNUSABLE;
    };
    let (retention, from) = match (&opts.retention, &config.retention) {
        (Some(r), _) => (Some(r.as_str()), "--retention".to_string()),
        (None, Some(r)) => (
            Some(r.as_str()),
            format!(
                "{}: [evidence] retention",
                ws.project.root.join("kitei.toml").display()
            ),
        ),
        (None, None) => (None, String::new()),
    };
    let retention = match retention.map(str::parse::<Retention>).transpose() {
        Ok(r) => r.unwrap_or(Retention::Unset),
        Err(m) => {
            eprintln!(
                "error: {from}: {m}\n  = help: write a period such as `7 years` or `10 years`, or `none` to publish without Object Lock"
            );
            return super::UNUSABLE;
        }
    };
    let sign = match KeySource::resolve(opts.sign, config, &ws.project.root) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return super::UNUSABLE;
        }
    };
    let target = match Target::parse(&target) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return super::UNUSABLE;
        }
    };
    let request = PublishRequest {
        target,
        sign,
        retention,
        progress: std::io::stderr().is_terminal(),
    };
    let mut warnings = Vec::new();
    let outcome = publish(&ws, &request, &mut warnings);
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let code = match outcome {
        Ok(PublishOutcome::Unchanged { location, name }) => {
            println!("no change since {name} in {location}; nothing published");
            0
        }
        Ok(PublishOutcome::Published(p)) => {
            let signed = match (&p.key_id, &p.signature_key) {
                (Some(id), Some(sig)) => format!("signed by key {id} ({sig})"),
                _ => "not signed".into(),
            };
            let kept = match p.retain_until {
                Some(t) => format!(
                    "retained (Object Lock, compliance) until {}",
                    t.format("%Y-%m-%dT%H:%M:%SZ")
                ),
                None => "no retention (a folder)".into(),
            };
            println!(
                "published {} as bundle {} to {}: {} ({signed}), ledger {}; {kept}; bag digest {}",
                p.name, p.sequence, p.location, p.bundle_key, p.ledger_key, p.bag_digest
            );
            0
        }
        Err(e) => {
            eprintln!("{e}");
            super::UNUSABLE
        }
    };
    ws.leak();
    code
}
