//! Signed and witnessed history (issue #15, item 4): the community's publishing key signs
//! each published head as a C2SP checkpoint, and witnesses (the street office) cosign
//! heads that extend what they saw before.
//!
//! - [`key`]: Ed25519 keys made from **32 seed bytes passed in** (no randomness here: the
//!   workspace and `linli keygen` draw the seed), verifier keys (`vkey` text
//!   `<name>+<key ID hex>+<base64(type || public key)>`) and the key fingerprint printed
//!   on the notice.
//! - [`note`]: the signed-note format (<https://c2sp.org/signed-note>).
//! - [`checkpoint`]: the checkpoint body (<https://c2sp.org/tlog-checkpoint>) with the
//!   community's [`origin`], the head's sequence as tree size and its SHA-256 as root hash;
//!   witness cosignatures (<https://c2sp.org/tlog-cosignature>, Ed25519 `cosignature/v1`,
//!   timestamp passed in).
//! - [`witness`]: the witness's log and its decision (extension, rollback, rewrite, fork).
//!
//! Ed25519 signatures are deterministic, so the same key, history and snapshot give the
//! same files byte for byte wherever they are written.
//!
//! # Example
//!
//! ```
//! use linli_domain::signing::{checkpoint, Checkpoint, SigningKey};
//! let origin = checkpoint::origin("Linli Demo Community, Hangzhou", "");
//! let key = SigningKey::new(&origin, [42; 32]).unwrap();
//! let head = Checkpoint::of_snapshot(&origin, 3, &"ab".repeat(32)).unwrap();
//! let note = head.sign(&key).unwrap();
//! let text = note.encode();
//! // linli/linli-demo-community-hangzhou
//! // 3
//! // q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=
//! //
//! // — linli/linli-demo-community-hangzhou <base64(key ID || signature)>
//! let (read, _) = checkpoint::open(text.as_bytes(), &key.verifier()).unwrap();
//! assert_eq!(read, head);
//! // A witness cosigns it.
//! let witness = SigningKey::cosigner("street.example/witness", [5; 32]).unwrap();
//! let mut cosigned = note.clone();
//! cosigned.add_signature(checkpoint::cosign(&note, &witness, 1_795_492_800).unwrap());
//! assert_eq!(checkpoint::verify_cosignature(&cosigned, &witness.verifier()), Ok(1_795_492_800));
//! ```

pub mod b64;
pub mod checkpoint;
pub mod key;
pub mod note;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_publish;
pub mod witness;

pub use checkpoint::{origin, Checkpoint, CheckpointError, OpenError};
pub use key::{
    fingerprint, key_id, seed_from_hex, seed_to_hex, valid_key_name, KeyError, SigningKey, VerifierKey,
    COSIGNATURE_V1, ED25519,
};
pub use note::{Note, NoteError, NoteSignature};

use crate::dataset::Dataset;

/// The setting holding the community's publishing key: a JSON string of the 32-byte
/// seed in 64 hex digits. Without it a publication is not signed.
pub const PUBLISHING_KEY_SETTING: &str = "publishing_key";

/// The community's publishing key from `d`'s settings, named `origin`: `Ok(None)` when
/// the setting is absent.
///
/// # Errors
///
/// [`KeyError::Seed`] when the setting is not a JSON string of 64 hex digits,
/// [`KeyError::Name`] for an origin that cannot be a key name.
pub fn publishing_key(d: &Dataset, origin: &str) -> Result<Option<SigningKey>, KeyError> {
    let Some(s) = d.settings.iter().find(|s| s.key == PUBLISHING_KEY_SETTING) else {
        return Ok(None);
    };
    let hex: String = serde_json::from_str(&s.value).map_err(|_| KeyError::Seed)?;
    SigningKey::new(origin, seed_from_hex(&hex)?).map(Some)
}
