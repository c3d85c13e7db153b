//! `kitei publish`: seals the workspace as the next bundle of the chain a store keeps
//! ([`super::store`]) and uploads it, its signature and its ledger entry, in that order. The
//! sequence number and the previous bag's digest come from the store's ledger, not from the
//! local folder, so fresh clones and other machines continue one chain. The ledger entry is
//! written last and only if its key does not exist yet: of two concurrent publishers one
//! wins, the other is told to publish again; a store that fails before the entry is written
//! leaves no ledger entry (at most a bundle no entry names).
//!
//! * [`retention`]: the retention period asked for.
//! * [`verify`]: `kitei verify --chain` on a store.

pub mod retention;
pub mod verify;

use chrono::{DateTime, Utc};

use super::seal::{self, ChainTip, Scope, describe, inputs, plan, write};
use super::store::ledger::{self as store_ledger, Claim};
use super::store::{self, Body, Created, Store, Target};
use super::{Error, KeySource, minisign};
use crate::workspace::Workspace;
pub use retention::Retention;
pub use verify::verify_store;

pub struct PublishRequest {
    pub target: Target,
    pub sign: Option<KeySource>,
    /// How long the store must keep every object (Object Lock); required for object storage.
    pub retention: Retention,
    pub progress: bool,
}

/// A bundle that was published.
#[derive(Debug, Clone)]
pub struct Published {
    pub location: String,
    pub name: String,
    pub sequence: u64,
    pub bag_digest: String,
    pub bundle_key: String,
    pub signature_key: Option<String>,
    pub ledger_key: String,
    pub retain_until: Option<DateTime<Utc>>,
    pub key_id: Option<String>,
}

pub enum PublishOutcome {
    Published(Published),
    /// The store's newest bundle holds this payload already (signed with the key, if given).
    Unchanged {
        location: String,
        name: String,
    },
}

/// Seals the workspace as the store's next bundle and publishes it.
pub fn publish(
    ws: &Workspace,
    req: &PublishRequest,
    warnings: &mut Vec<String>,
) -> Result<PublishOutcome, Error> {
    let store = store::open(&req.target)?;
    let location = store.location();
    let retain_until = match (req.target.is_object_store(), req.retention) {
        (_, Retention::For(period)) => Some(period.after(Utc::now().fixed_offset()).to_utc()),
        (true, Retention::Unset) => {
            return Err(Error::new(
                format!("no retention period for {location}"),
                "set `retention = \"7 years\"` (or your regulation's period) under [evidence] in kitei.toml, or pass --retention; `none` publishes without Object Lock",
            ));
        }
        (_, Retention::Unset | Retention::NoLock) => None,
    };

    if retain_until.is_some() && !store.enforces_retention()? {
        if req.target.is_object_store() {
            return Err(Error::new(
                format!(
                    "{location}: the bucket has no Object Lock, so nothing would stop a deletion before the retention ends"
                ),
                "publish to a bucket created with Object Lock enabled (e.g. `aws s3api create-bucket --object-lock-enabled-for-bucket`), or pass --retention none to publish without it",
            ));
        }
        warnings.push(format!(
            "{location} is a folder: it cannot enforce the retention period (files are made read-only, nothing more)"
        ));
    }

    // What is sealed, planned; the key opened before anything is uploaded.
    let scope = Scope::All;
    let mut release_tree = None;
    let inputs = inputs::resolve(ws, &scope, &mut release_tree)?;
    let payload = plan::plan(&inputs, &scope, warnings)?;
    let key = req.sign.as_ref().map(super::read_signing_key).transpose()?;
    let key_id = key.as_ref().map(|k| minisign::key_id_hex(&k.key_id));

    // Where it joins: after the store's newest bundle.
    let entries = store_ledger::read_ledger(store.as_ref())?;
    if let Some(last) = seal::unchanged(entries.last(), &payload.manifest_sha, key_id.as_deref()) {
        return Ok(PublishOutcome::Unchanged {
            location,
            name: last.name.clone(),
        });
    }
    let tip = ChainTip::after(inputs.project, entries.last());
    let bag = describe::describe(&inputs, &scope, payload, &tip, key.as_ref(), warnings);
    let staging = tempfile::tempdir().map_err(|e| {
        Error::new(
            format!("cannot create a temporary folder: {e}"),
            "check TMPDIR's free space",
        )
    })?;
    let (written, record) = write::write(bag, staging.path(), key.as_ref(), req.progress)?;

    // Upload: the bundle, its signature, then the ledger entry that makes it part of the chain.
    let bundle_key = store_ledger::bundle_key(&record.name, &written.zip_sha256);
    create_new(
        store.as_ref(),
        &bundle_key,
        Body::File(&written.zip),
        retain_until,
    )?;
    let signature_key = match &written.signature {
        Some(sig) => {
            let k = format!("{bundle_key}.minisig");
            create_new(store.as_ref(), &k, Body::File(sig), retain_until)?;
            Some(k)
        }
        None => None,
    };
    // Last, the entry that makes it part of the chain: created only if no one claimed the
    // number first.
    let mut entry = seal::ledger_entry(&record, &written.zip_sha256, &scope);
    entry.file = bundle_key.clone();
    let ledger_key = store_ledger::ledger_key(record.sequence);
    match store_ledger::claim(store.as_ref(), &entry, retain_until) {
        Ok(Claim::Won) => {}
        Ok(Claim::Taken) => {
            return Err(Error::new(
                format!(
                    "another publish claimed bundle {} in {location} first; this bundle is not part of the chain",
                    record.sequence
                ),
                format!(
                    "run `kitei publish` again: it chains after the newest bundle ({bundle_key} stays in the store, named by no ledger entry)"
                ),
            ));
        }
        Err(e) => {
            return Err(Error::new(
                format!(
                    "{}; the ledger entry {ledger_key} was not confirmed, so bundle {} may not be part of the chain",
                    e.message, record.sequence
                ),
                format!(
                    "when the store is back, `kitei verify --chain {location}` shows whether the entry exists; then run `kitei publish` again"
                ),
            ));
        }
    }
    Ok(PublishOutcome::Published(Published {
        location,
        name: record.name,
        sequence: record.sequence,
        bag_digest: record.bag_digest,
        bundle_key,
        signature_key,
        ledger_key,
        retain_until,
        key_id,
    }))
}

/// Creates an object that must not exist yet, or that exists with exactly these bytes (a
/// publish that failed before its ledger entry left it; sealing is deterministic, so the
/// next try uploads the same bundle and carries on).
fn create_new(
    store: &dyn Store,
    key: &str,
    body: Body,
    retain_until: Option<DateTime<Utc>>,
) -> Result<(), Error> {
    let ours = match &body {
        Body::Bytes(b) => crate::digest::sha256_hex(b),
        Body::File(p) => crate::digest::sha256_file(p).map_err(|e| {
            Error::new(
                format!("cannot read {}: {e}", p.display()),
                "check the temporary folder",
            )
        })?,
    };
    match store.create(key, body, retain_until)? {
        Created::Yes => Ok(()),
        Created::Exists => match store.get(key)? {
            Some(theirs) if crate::digest::sha256_hex(&theirs) == ours => Ok(()),
            _ => Err(Error::new(
                format!(
                    "{}/{key} exists already with other content",
                    store.location()
                ),
                "the store holds a different bundle under this name; `kitei verify --chain` shows the chain",
            )),
        },
    }
}
