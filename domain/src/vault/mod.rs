//! The vault: guides and roles, key derivation, key wrapping, record encryption and blind
//! indexes for the workspace's data at rest (issue #16, items 1–3). Pure: every salt, nonce,
//! random key and recovery code is passed in by the caller (the app's CSPRNG); no clock.
//!
//! # Key hierarchy
//!
//! ```text
//! guide's passphrase ──Argon2id(m, t, p, salt)──► KEK_g ─┐
//!                                                          ├─ XChaCha20-Poly1305 wrap ─► data key (32 random bytes)
//! recovery code (160 bits) ──HKDF-SHA256──────────► KEK_r ─┘                                │
//!                                                     HKDF-SHA256 "…|subkey|record" ◄───────┤
//!                                                     HKDF-SHA256 "…|subkey|index"  ◄───────┘
//!                                  record key ─► XChaCha20-Poly1305 of each record
//!                                  index key  ─► HMAC-SHA256 blind indexes
//! ```
//!
//! Changing a passphrase or adding/removing a guide re-wraps the same data key (records are
//! untouched); removing a guide deletes their wrap, after which their passphrase opens nothing.
//! Losing every passphrase and the recovery code loses the data: there is no back door.
//!
//! # Parameters
//!
//! | what | value | where |
//! |---|---|---|
//! | Argon2id | version 0x13, output 32 bytes, salt 16 random bytes per wrap | [`KdfParams`] |
//! | Argon2id default | m = 19,456 KiB, t = 2, p = 1 (OWASP minimum); the app raises it toward ~1 s on the device with [`KdfParams::tuned`] (m up to 64 MiB first, then t) | [`KdfParams::owasp_minimum`] |
//! | Argon2id limits on unwrap | m ≤ 1 GiB, 1 ≤ t ≤ 64, 1 ≤ p ≤ 16 | [`kdf`] |
//! | test-only parameters | m = 64 KiB, t = 1, p = 1, for unit tests only | [`KdfParams::insecure_for_tests`] |
//! | recovery code | 20 random bytes, Crockford base32, 4 check symbols (20 bits of SHA-256), 9 groups of 4 | [`RecoveryCode`] |
//! | recovery KEK | HKDF-SHA256, no salt, info `linli-vault-v1\|kek\|recovery` | [`recovery`] |
//! | wrap AEAD | XChaCha20-Poly1305, 24-byte random nonce, 16-byte tag | [`wrap_for_guide`] |
//! | wrap AAD | `linli-vault-v1\|wrap\|guide:<id>` or `linli-vault-v1\|wrap\|recovery` | [`guide_wrap_aad`], [`RECOVERY_WRAP_AAD`] |
//! | subkeys | HKDF-SHA256(ikm = data key, no salt, info `linli-vault-v1\|subkey\|record` / `…\|index`) | [`DataKey::record_key`], [`DataKey::index_key`] |
//! | record AEAD | XChaCha20-Poly1305, 24-byte random nonce; AAD `linli-vault-v1\|record\|` ‖ store ‖ 0x00 ‖ key | [`seal`], [`record_aad`] |
//! | record form | 0x01 ‖ nonce ‖ ciphertext ‖ tag (41 bytes overhead), base64 as a string | [`Sealed`] |
//! | blind index | HMAC-SHA256 under the index key over tag ‖ len(field) ‖ field ‖ normalised value, first 16 bytes, hex | [`blind_index`] |
//! | name prefixes | 6 entries per name (fillers beyond its length) | [`name_prefix_indexes`] |
//!
//! Nonces are random 192-bit values: with XChaCha20 random nonces are safe for any realistic
//! number of records under one key. A nonce must still never be reused: take a fresh one for
//! every seal, including re-saves of the same record.
//!
//! # What a stolen IndexedDB reveals
//!
//! Reveals: the wrapped keys (guide ids, Argon2id parameters and salts, so an attacker can
//! run a guessing attack at about one second of a browser core per guess per guide — hence
//! the minimum passphrase length and the tuned parameters); store names and record keys
//! (ids); each record's length (plus 41 bytes); which records share a blind-indexed value in
//! the same field, and which names share their first 1–6 characters; whatever the app keeps
//! in clear (listed in ARCHITECTURE.md).
//!
//! Does not reveal: any record's content, any indexed value (names, buildings, flags), the
//! data key, the passphrases or the recovery code. A changed, swapped or moved record fails to
//! open ([`VaultError::RecordTampered`]) instead of being read as another.
//!
//! Not protected: a device while unlocked (the data key is in memory), a key logger, or a
//! guide who picks a guessable passphrase.

mod b64serde;
mod error;
pub mod index;
pub mod kdf;
mod keys;
pub mod record;
pub mod recovery;
pub mod roles;
pub mod wrap;

#[cfg(test)]
mod tests;

pub use error::VaultError;
pub use index::{
    blind_index, name_prefix_indexes, name_prefix_query, normalise, IndexMac, BLIND_INDEX_BYTES,
    NAME_PREFIX_CHARS,
};
pub use kdf::{KdfParams, SALT_BYTES};
pub use keys::{DataKey, IndexKey, RecordKey, INFO_INDEX_KEY, INFO_RECORD_KEY};
pub use record::{open, record_aad, seal, Sealed};
pub use recovery::RecoveryCode;
pub use roles::{check_roster_change, validate_guide_name, Guide, GuideError, Role, MAX_GUIDE_NAME_CHARS};
pub use wrap::{
    guide_wrap_aad, unwrap_for_guide, unwrap_with_recovery, wrap_for_guide, wrap_for_recovery, Keyring,
    WrapKind, WrappedKey, MIN_PASSPHRASE_CHARS, NONCE_BYTES, RECOVERY_WRAP_AAD,
};
