//! Record encryption: XChaCha20-Poly1305 under the record subkey, store and key bound as
//! associated data.
//!
//! Associated data: [`RECORD_AAD_TAG`] ‖ store (UTF-8) ‖ `0x00` ‖ key (UTF-8). Store names are
//! the app's constants and may not contain NUL, so the split is unambiguous.
//!
//! Compact form ([`Sealed`]): version byte `0x01` ‖ 24-byte nonce ‖ ciphertext ‖ 16-byte tag
//! (41 bytes of overhead); as a string, standard base64 of those bytes.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use super::wrap::{NONCE_BYTES, TAG_BYTES};
use super::{DataKey, RecordKey, VaultError};
use crate::signing::b64;

/// Version byte of the compact form.
pub const SEALED_VERSION: u8 = 1;
/// Prefix of every record's associated data.
pub const RECORD_AAD_TAG: &[u8] = b"linli-vault-v1|record|";
/// Bytes a sealed record adds to its plaintext.
pub const SEALED_OVERHEAD: usize = 1 + NONCE_BYTES + TAG_BYTES;

/// An encrypted record in its compact form; serialised as a base64 string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed(#[serde(with = "super::b64serde")] Vec<u8>);

impl Sealed {
    /// The compact bytes (for a `Uint8Array` in IndexedDB).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Reads compact bytes; checks only the layout (authentication happens in [`open`]).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, VaultError> {
        match bytes.first() {
            None => Err(VaultError::Malformed { what: "empty record" }),
            Some(&v) if v != SEALED_VERSION => Err(VaultError::UnknownVersion(v)),
            Some(_) if bytes.len() < SEALED_OVERHEAD => Err(VaultError::Malformed {
                what: "record too short",
            }),
            Some(_) => Ok(Sealed(bytes)),
        }
    }

    /// Standard base64 of the compact bytes.
    #[must_use]
    pub fn to_b64(&self) -> String {
        b64::encode(&self.0)
    }

    /// Reads [`Sealed::to_b64`]'s output.
    pub fn from_b64(s: &str) -> Result<Self, VaultError> {
        Sealed::from_bytes(b64::decode(s).ok_or(VaultError::Malformed { what: "not base64" })?)
    }
}

/// The associated data of record `key` in `store`.
pub fn record_aad(store: &str, key: &str) -> Result<Vec<u8>, VaultError> {
    if store.contains('\0') {
        return Err(VaultError::BadStoreName);
    }
    let mut aad = Vec::with_capacity(RECORD_AAD_TAG.len() + store.len() + 1 + key.len());
    aad.extend_from_slice(RECORD_AAD_TAG);
    aad.extend_from_slice(store.as_bytes());
    aad.push(0);
    aad.extend_from_slice(key.as_bytes());
    Ok(aad)
}

impl RecordKey {
    /// Encrypts `plaintext` as record `key` of `store` with `nonce` (24 random bytes, passed in;
    /// never reuse one under the same data key).
    pub fn seal(
        &self,
        store: &str,
        key: &str,
        nonce: [u8; NONCE_BYTES],
        plaintext: &[u8],
    ) -> Result<Sealed, VaultError> {
        let aad = record_aad(store, key)?;
        let ct = XChaCha20Poly1305::new(Key::from_slice(self.as_bytes()))
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| VaultError::Malformed {
                what: "record too large",
            })?;
        let mut out = Vec::with_capacity(1 + NONCE_BYTES + ct.len());
        out.push(SEALED_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(Sealed(out))
    }

    /// Decrypts record `key` of `store`; [`VaultError::RecordTampered`] if it was changed,
    /// moved to another store or key, or sealed under another data key.
    pub fn open(&self, store: &str, key: &str, sealed: &Sealed) -> Result<Vec<u8>, VaultError> {
        let bytes = &sealed.0;
        if bytes.first() != Some(&SEALED_VERSION) {
            return Err(VaultError::UnknownVersion(bytes.first().copied().unwrap_or(0)));
        }
        if bytes.len() < SEALED_OVERHEAD {
            return Err(VaultError::Malformed {
                what: "record too short",
            });
        }
        let aad = record_aad(store, key)?;
        XChaCha20Poly1305::new(Key::from_slice(self.as_bytes()))
            .decrypt(
                XNonce::from_slice(&bytes[1..=NONCE_BYTES]),
                Payload {
                    msg: &bytes[1 + NONCE_BYTES..],
                    aad: &aad,
                },
            )
            .map_err(|_| VaultError::RecordTampered)
    }
}

/// Encrypts a record under `data_key`'s record subkey. For many records derive
/// [`DataKey::record_key`] once and call [`RecordKey::seal`].
///
/// ```
/// use linli_domain::vault::*;
/// let dk = DataKey::from_bytes([5; 32]);
/// let s = seal(&dk, "households", "42", [6; 24], "张三".as_bytes()).unwrap();
/// assert_eq!(open(&dk, "households", "42", &s).unwrap(), "张三".as_bytes());
/// assert_eq!(open(&dk, "households", "43", &s), Err(VaultError::RecordTampered));
/// assert_eq!(open(&dk, "members", "42", &s), Err(VaultError::RecordTampered));
/// assert_eq!(Sealed::from_b64(&s.to_b64()).unwrap(), s);
/// ```
pub fn seal(
    data_key: &DataKey,
    store: &str,
    key: &str,
    nonce: [u8; NONCE_BYTES],
    plaintext: &[u8],
) -> Result<Sealed, VaultError> {
    data_key.record_key().seal(store, key, nonce, plaintext)
}

/// Decrypts a record sealed by [`seal`].
pub fn open(data_key: &DataKey, store: &str, key: &str, sealed: &Sealed) -> Result<Vec<u8>, VaultError> {
    data_key.record_key().open(store, key, sealed)
}
