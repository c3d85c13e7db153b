//! The store's ledger: one entry per bundle under `ledger/NNNNNN.json`, each created once.
//! Creating the entry for the next number is the compare-and-swap that orders publishers: of
//! two that read the same ledger, the one whose create lands first owns the number, the
//! other's create finds the key taken ([`Claim::Taken`]) and nothing of it joins the chain.

use super::{Body, Created, Store};
use crate::evidence::Error;
use crate::evidence::ledger::LedgerEntry;

pub const LEDGER_DIR: &str = "ledger";
pub const BUNDLES_DIR: &str = "bundles";

/// The key of bundle `sequence`'s ledger entry.
pub fn ledger_key(sequence: u64) -> String {
    format!("{LEDGER_DIR}/{sequence:06}.json")
}

/// The key of a bundle: its name and the first 12 hex digits of its zip's SHA-256.
pub fn bundle_key(name: &str, zip_sha256: &str) -> String {
    let short: String = zip_sha256
        .trim_start_matches("sha256:")
        .chars()
        .take(12)
        .collect();
    format!("{BUNDLES_DIR}/{name}.{short}.zip")
}

/// The chain as the store's ledger records it, in order. A gap, a duplicate or an entry that is
/// not a ledger entry is an error: a publisher must not extend a chain it cannot read.
pub fn read_ledger(store: &dyn Store) -> Result<Vec<LedgerEntry>, Error> {
    let keys = store.list(&format!("{LEDGER_DIR}/"))?;
    let mut entries = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let expected = ledger_key(i as u64 + 1);
        let shown = format!("{}/{key}", store.location());
        if *key != expected {
            return Err(Error::new(
                format!(
                    "the ledger in {} is not contiguous: `{key}` where `{expected}` was expected",
                    store.location()
                ),
                "`kitei verify --chain` on the store names what is missing; kitei will not extend a broken chain",
            ));
        }
        let bytes = store.get(key)?.ok_or_else(|| {
            Error::new(
                format!("{shown} was listed but cannot be read"),
                "try again; if it persists, check the store",
            )
        })?;
        let entry: LedgerEntry = serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(
                format!("{shown} is not a kitei ledger entry: {e}"),
                "kitei will not extend a chain it cannot read; `kitei verify --chain` shows the state of the store",
            )
        })?;
        if entry.sequence != i as u64 + 1 {
            return Err(Error::new(
                format!("{shown} records bundle {}", entry.sequence),
                "the store's ledger was altered; `kitei verify --chain` shows the details",
            ));
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// What claiming the next number found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The entry is written: the bundle is part of the chain.
    Won,
    /// Another publisher created this number's entry first; ours was not written.
    Taken,
}

/// Writes `entry` as the ledger entry of its sequence number, unless one exists. This is the
/// last write of a publish: everything it names is in the store already.
pub fn claim(
    store: &dyn Store,
    entry: &LedgerEntry,
    retain_until: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Claim, Error> {
    let mut text = serde_json::to_vec_pretty(entry).expect("a ledger entry serialises");
    text.push(b'\n');
    match store.create(
        &ledger_key(entry.sequence),
        Body::Bytes(&text),
        retain_until,
    )? {
        Created::Yes => Ok(Claim::Won),
        Created::Exists => Ok(Claim::Taken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::store::dir::DirStore;

    #[test]
    fn keys() {
        assert_eq!(ledger_key(12), "ledger/000012.json");
        assert_eq!(
            bundle_key("kitei-x-000002", "sha256:0123456789abcdef"),
            "bundles/kitei-x-000002.0123456789ab.zip"
        );
    }

    fn entry(sequence: u64, name: &str) -> LedgerEntry {
        LedgerEntry {
            sequence,
            name: name.into(),
            file: format!("bundles/{name}.zip"),
            bag_digest: "sha256:00".into(),
            previous_bag_digest: "none".into(),
            manifest_sha256: "sha256:00".into(),
            zip_sha256: "sha256:00".into(),
            bagging_date: "2026-12-05".into(),
            scope: "all".into(),
            payload_files: 1,
            payload_bytes: 1,
            signed_by: None,
        }
    }

    #[test]
    fn a_number_is_claimed_once_and_read_back_in_order() {
        let d = tempfile::tempdir().unwrap();
        let store = DirStore::new(d.path());
        assert!(read_ledger(&store).unwrap().is_empty());
        assert_eq!(claim(&store, &entry(1, "a"), None).unwrap(), Claim::Won);
        assert_eq!(claim(&store, &entry(1, "b"), None).unwrap(), Claim::Taken);
        assert_eq!(claim(&store, &entry(2, "c"), None).unwrap(), Claim::Won);
        let names: Vec<_> = read_ledger(&store)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["a", "c"]);
    }

    #[test]
    fn a_gap_or_a_foreign_entry_stops_a_publisher() {
        let d = tempfile::tempdir().unwrap();
        let store = DirStore::new(d.path());
        claim(&store, &entry(2, "b"), None).unwrap();
        let e = read_ledger(&store).unwrap_err();
        assert!(e.message.contains("not contiguous"), "{}", e.message);

        let d = tempfile::tempdir().unwrap();
        let store = DirStore::new(d.path());
        store
            .create("ledger/000001.json", Body::Bytes(b"{}"), None)
            .unwrap();
        let e = read_ledger(&store).unwrap_err();
        assert!(
            e.message.contains("not a kitei ledger entry"),
            "{}",
            e.message
        );
    }
}
