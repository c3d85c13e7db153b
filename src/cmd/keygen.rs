//! `kitei keygen`: a minisign key pair for signing bundles.

use std::path::Path;

/// Writes PREFIX.pub and PREFIX.key; returns the exit code (0 written, 2 refused).
pub fn run(prefix: &Path, unencrypted: bool, force: bool) -> u8 {
    match crate::evidence::keygen(prefix, unencrypted, force) {
        Ok(k) => {
            println!(
                "wrote {} and {} ({}); key id {}\npublic key: {}\nkeep the .key secret; give auditors the .pub through a separate channel",
                k.public.display(),
                k.secret.display(),
                if k.encrypted {
                    "secret key encrypted with the password from KITEI_SIGN_PASSWORD"
                } else {
                    "secret key NOT encrypted"
                },
                k.key.key_id_hex(),
                k.key.base64(),
            );
            0
        }
        Err(e) => {
            eprintln!("{e}");
            super::UNUSABLE
        }
    }
}
