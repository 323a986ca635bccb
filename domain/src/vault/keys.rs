//! The data key and its two subkeys (HKDF-SHA256, RFC 5869).

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroize;

/// HKDF `info` of the record-encryption subkey.
pub const INFO_RECORD_KEY: &[u8] = b"linli-vault-v1|subkey|record";
/// HKDF `info` of the blind-index subkey.
pub const INFO_INDEX_KEY: &[u8] = b"linli-vault-v1|subkey|index";

macro_rules! secret_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name([u8; 32]);

        impl $name {
            /// The raw 32 bytes (to hand to a cipher; do not store or log them).
            #[must_use]
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "(redacted)"))
            }
        }
    };
}

secret_key!(
    /// The workspace's data key: 32 random bytes chosen once (by the app's CSPRNG) and
    /// wrapped for each guide and for the recovery code. Never used directly on data:
    /// records use [`RecordKey`], indexes [`IndexKey`]. Zeroised on drop; `Debug` is redacted.
    /// `PartialEq` is not constant-time: it is for tests, the app never compares keys.
    DataKey
);
secret_key!(
    /// Subkey for record encryption: HKDF-SHA256(ikm = data key, salt = none,
    /// info = [`INFO_RECORD_KEY`]), 32 bytes.
    RecordKey
);
secret_key!(
    /// Subkey for blind indexes: HKDF-SHA256(ikm = data key, salt = none,
    /// info = [`INFO_INDEX_KEY`]), 32 bytes.
    IndexKey
);

pub(crate) fn hkdf32(ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(None, ikm)
        .expand(info, &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

impl DataKey {
    /// A data key from 32 random bytes supplied by the caller (the app's CSPRNG).
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DataKey(bytes)
    }

    /// The record-encryption subkey.
    #[must_use]
    pub fn record_key(&self) -> RecordKey {
        RecordKey(hkdf32(&self.0, INFO_RECORD_KEY))
    }

    /// The blind-index subkey.
    #[must_use]
    pub fn index_key(&self) -> IndexKey {
        IndexKey(hkdf32(&self.0, INFO_INDEX_KEY))
    }
}
