//! `kitei verify`: one bundle, or a folder of chained bundles, checked from the archives alone.

use std::io::IsTerminal;
use std::path::Path;

use crate::evidence::publish::verify_store;
use crate::evidence::{VerifyOptions, ledger, read_public_key, store, verify_bundle};

/// What to verify.
pub enum Target<'a> {
    Bundle(&'a Path),
    /// Every bundle in this folder (LEDGER.json) or store (`s3://…`, a `kitei publish`
    /// folder) and the links between them.
    Chain(&'a Path),
}

/// Returns the exit code: 0 valid, 1 invalid, 2 cannot be read.
pub fn run(target: Target, pubkey: Option<&str>) -> u8 {
    let key = match pubkey.map(read_public_key).transpose() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            return super::UNUSABLE;
        }
    };
    let opts = VerifyOptions {
        key: key.as_ref(),
        progress: std::io::stderr().is_terminal(),
        ..VerifyOptions::default()
    };
    let verified = match target {
        Target::Chain(dir) if store::is_store(dir) => {
            verify_store(&dir.to_string_lossy(), &opts).map(|r| (r.render(), r.is_valid()))
        }
        Target::Chain(dir) => ledger::verify_chain(dir, &opts).map(|r| (r.render(), r.is_valid())),
        Target::Bundle(zip) => verify_bundle(zip, &opts).map(|r| (r.render(), r.is_valid())),
    };
    match verified {
        Ok((text, valid)) => {
            print!("{text}");
            if valid { 0 } else { super::FAILED }
        }
        Err(e) => {
            eprintln!("error: {e}");
            super::UNUSABLE
        }
    }
}
