//! Wrapping the data key under a key-encryption key (XChaCha20-Poly1305), and the keyring
//! of wrapped keys stored on the device.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{DataKey, KdfParams, RecoveryCode, VaultError};

/// Nonce length of XChaCha20-Poly1305, bytes (random, passed in; 192 bits, so random nonces
/// never collide in practice).
pub const NONCE_BYTES: usize = 24;
/// Poly1305 tag length, bytes.
pub const TAG_BYTES: usize = 16;
/// Current wrapped-key format version.
pub const WRAP_VERSION: u8 = 1;
/// Shortest passphrase accepted when wrapping, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// What a wrapped key is opened with. Serialised as `guide`, `recovery`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WrapKind {
    /// A guide's passphrase through Argon2id.
    Guide,
    /// The printed recovery code through HKDF-SHA256.
    Recovery,
}

/// The data key encrypted under one key-encryption key, with what is needed to derive it again
/// (except the secret). Stored in clear on the device: it reveals the guide id and the
/// Argon2id parameters, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    /// Format version ([`WRAP_VERSION`]).
    pub v: u8,
    pub kind: WrapKind,
    /// The guide, for [`WrapKind::Guide`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide_id: Option<u32>,
    /// Argon2id parameters, for [`WrapKind::Guide`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdf: Option<KdfParams>,
    /// 24-byte nonce, base64 in JSON.
    #[serde(with = "super::b64serde")]
    pub nonce: [u8; NONCE_BYTES],
    /// 32-byte encrypted data key ‖ 16-byte tag, base64 in JSON.
    #[serde(with = "super::b64serde")]
    pub ciphertext: Vec<u8>,
}

/// Associated data of a guide's wrap: `linli-vault-v1|wrap|guide:<id>` (id in decimal).
#[must_use]
pub fn guide_wrap_aad(guide_id: u32) -> Vec<u8> {
    format!("linli-vault-v1|wrap|guide:{guide_id}").into_bytes()
}

/// Associated data of the recovery wrap.
pub const RECOVERY_WRAP_AAD: &[u8] = b"linli-vault-v1|wrap|recovery";

fn seal_key(kek: &[u8; 32], aad: &[u8], nonce: &[u8; NONCE_BYTES], data_key: &DataKey) -> Vec<u8> {
    XChaCha20Poly1305::new(Key::from_slice(kek))
        .encrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: data_key.as_bytes(),
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encrypts 32 bytes")
}

fn open_key(kek: &[u8; 32], aad: &[u8], wrapped: &WrappedKey) -> Option<DataKey> {
    if wrapped.ciphertext.len() != 32 + TAG_BYTES {
        return None;
    }
    let plain = Zeroizing::new(
        XChaCha20Poly1305::new(Key::from_slice(kek))
            .decrypt(
                XNonce::from_slice(&wrapped.nonce),
                Payload {
                    msg: &wrapped.ciphertext,
                    aad,
                },
            )
            .ok()?,
    );
    let bytes: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(DataKey::from_bytes(bytes))
}

fn check_version(wrapped: &WrappedKey) -> Result<(), VaultError> {
    if wrapped.v != WRAP_VERSION {
        return Err(VaultError::UnknownVersion(wrapped.v));
    }
    if wrapped.ciphertext.len() != 32 + TAG_BYTES {
        return Err(VaultError::Malformed {
            what: "wrapped key length",
        });
    }
    Ok(())
}

/// Wraps `data_key` for guide `guide_id` under Argon2id(`passphrase`, `params`) with `nonce`.
///
/// ```
/// use linli_domain::vault::*;
/// let dk = DataKey::from_bytes([1; 32]);
/// let params = KdfParams::insecure_for_tests([2; 16]); // real wraps: KdfParams::tuned(..)
/// let w = wrap_for_guide(&dk, 7, "correct horse", &params, [3; 24]).unwrap();
/// assert_eq!(unwrap_for_guide(&w, 7, "correct horse").unwrap(), dk);
/// assert_eq!(unwrap_for_guide(&w, 7, "wrong horse!"), Err(VaultError::WrongPassphrase));
/// ```
pub fn wrap_for_guide(
    data_key: &DataKey,
    guide_id: u32,
    passphrase: &str,
    params: &KdfParams,
    nonce: [u8; NONCE_BYTES],
) -> Result<WrappedKey, VaultError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::PassphraseTooShort {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    let kek = params.derive_kek(passphrase)?;
    let ciphertext = seal_key(&kek, &guide_wrap_aad(guide_id), &nonce, data_key);
    Ok(WrappedKey {
        v: WRAP_VERSION,
        kind: WrapKind::Guide,
        guide_id: Some(guide_id),
        kdf: Some(params.clone()),
        nonce,
        ciphertext,
    })
}

/// Opens guide `guide_id`'s wrap with `passphrase`. The associated data is built from
/// `guide_id` (not from the stored field), so a wrap copied to another guide does not open.
/// A wrong passphrase, or a changed nonce, ciphertext or parameters, gives
/// [`VaultError::WrongPassphrase`]. The stored Argon2id parameters need no associated data of
/// their own: changed parameters (or salt) derive another key-encryption key, which fails the same way.
pub fn unwrap_for_guide(
    wrapped: &WrappedKey,
    guide_id: u32,
    passphrase: &str,
) -> Result<DataKey, VaultError> {
    check_version(wrapped)?;
    if wrapped.kind != WrapKind::Guide {
        return Err(VaultError::WrongWrap {
            what: "not a guide's wrap",
        });
    }
    if wrapped.guide_id != Some(guide_id) {
        return Err(VaultError::WrongWrap {
            what: "another guide's wrap",
        });
    }
    let params = wrapped.kdf.as_ref().ok_or(VaultError::Malformed {
        what: "no key-derivation parameters",
    })?;
    let kek = params.derive_kek(passphrase)?;
    open_key(&kek, &guide_wrap_aad(guide_id), wrapped).ok_or(VaultError::WrongPassphrase)
}

/// Wraps `data_key` under the recovery code's key with `nonce`.
///
/// ```
/// use linli_domain::vault::*;
/// let dk = DataKey::from_bytes([1; 32]);
/// let code = RecoveryCode::from_random([9; 20]);
/// let w = wrap_for_recovery(&dk, &code, [4; 24]);
/// let typed = RecoveryCode::parse(&code.format()).unwrap();
/// assert_eq!(unwrap_with_recovery(&w, &typed).unwrap(), dk);
/// ```
#[must_use]
pub fn wrap_for_recovery(data_key: &DataKey, code: &RecoveryCode, nonce: [u8; NONCE_BYTES]) -> WrappedKey {
    let kek = code.kek();
    WrappedKey {
        v: WRAP_VERSION,
        kind: WrapKind::Recovery,
        guide_id: None,
        kdf: None,
        nonce,
        ciphertext: seal_key(&kek, RECOVERY_WRAP_AAD, &nonce, data_key),
    }
}

/// Opens the recovery wrap with a parsed code; [`VaultError::WrongRecoveryCode`] if it does not open.
pub fn unwrap_with_recovery(wrapped: &WrappedKey, code: &RecoveryCode) -> Result<DataKey, VaultError> {
    check_version(wrapped)?;
    if wrapped.kind != WrapKind::Recovery {
        return Err(VaultError::WrongWrap {
            what: "not the recovery wrap",
        });
    }
    open_key(&code.kek(), RECOVERY_WRAP_AAD, wrapped).ok_or(VaultError::WrongRecoveryCode)
}

/// The wrapped keys of a workspace: one per guide and (normally) one recovery wrap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyring {
    pub wraps: Vec<WrappedKey>,
}

impl Keyring {
    /// Adds `wrap`, replacing an earlier wrap of the same guide (a new passphrase or raised
    /// parameters) or the earlier recovery wrap (a new recovery code).
    pub fn put(&mut self, wrap: WrappedKey) {
        self.wraps
            .retain(|w| !(w.kind == wrap.kind && w.guide_id == wrap.guide_id));
        self.wraps.push(wrap);
    }

    /// Removes guide `guide_id`'s wrap; `true` if there was one. Their passphrase then opens
    /// nothing on this device.
    pub fn remove_guide(&mut self, guide_id: u32) -> bool {
        let before = self.wraps.len();
        self.wraps
            .retain(|w| !(w.kind == WrapKind::Guide && w.guide_id == Some(guide_id)));
        self.wraps.len() != before
    }

    /// Opens the data key as guide `guide_id`.
    pub fn unlock(&self, guide_id: u32, passphrase: &str) -> Result<DataKey, VaultError> {
        let wrap = self
            .wraps
            .iter()
            .find(|w| w.kind == WrapKind::Guide && w.guide_id == Some(guide_id))
            .ok_or(VaultError::NoSuchGuide)?;
        unwrap_for_guide(wrap, guide_id, passphrase)
    }

    /// Opens the data key with the recovery code.
    pub fn recover(&self, code: &RecoveryCode) -> Result<DataKey, VaultError> {
        let wrap = self
            .wraps
            .iter()
            .find(|w| w.kind == WrapKind::Recovery)
            .ok_or(VaultError::WrongWrap {
                what: "no recovery wrap on this device",
            })?;
        unwrap_with_recovery(wrap, code)
    }
}
