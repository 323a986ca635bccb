//! Secret salts of a publication: one place that turns the community's private secret into
//! the salts published text and request codes are hashed with.
//!
//! Free text in a snapshot is committed with a salted per-field hash (so a field can be
//! redacted later and the chain still verifies), and request statuses are keyed by a salted
//! hash of the tracking code. A salt that an outsider could predict would let them test
//! guesses against a redacted field (a name from the register, a room number), so salts are
//! derived from a secret the outsider never sees:
//!
//! * with a publishing key (setting [`crate::signing::PUBLISHING_KEY_SETTING`]), the salt
//!   key is HMAC-SHA256(seed, `"linli/salt-key/v1"`);
//! * without one (an unsigned publication), it is SHA-256 over `"linli/salt-key/unsigned/v1"`
//!   and the whole private dataset's JSON, which the outsider does not have.
//!
//! Each salt is then HMAC-SHA256(salt key, `purpose` NUL `sequence` NUL `path`), cut to
//! [`SALT_LEN`] bytes (128 bits). The derivation is deterministic, so the workspace and
//! the CLI publish identical files from the same backup (no randomness in `domain`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::dataset::Dataset;

/// Length of a salt in bytes (128 bits).
pub const SALT_LEN: usize = 16;

type HmacSha256 = Hmac<Sha256>;

/// Derives a publication's salts from the dataset's secret (see the module docs).
#[derive(Clone)]
pub struct Salter {
    key: [u8; 32],
}

impl core::fmt::Debug for Salter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Salter(..)")
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

impl Salter {
    /// The salter of `d`: keyed by its publishing key, or by the private dataset itself
    /// when it has none (or an invalid one, which publishing refuses anyway).
    #[must_use]
    pub fn for_dataset(d: &Dataset) -> Self {
        let seed = d
            .settings
            .iter()
            .find(|s| s.key == crate::signing::PUBLISHING_KEY_SETTING)
            .and_then(|s| serde_json::from_str::<String>(&s.value).ok())
            .and_then(|h| crate::signing::seed_from_hex(&h).ok());
        match seed {
            Some(seed) => Self::from_seed(&seed),
            None => {
                let mut h = Sha256::new();
                h.update(b"linli/salt-key/unsigned/v1");
                // In a canonical order, so that the same register stored in another order
                // (IndexedDB, a backup) gives the same salts.
                h.update(canonical_json(d));
                Self {
                    key: h.finalize().into(),
                }
            }
        }
    }

    /// The salter of a publishing key's 32-byte seed.
    #[must_use]
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            key: hmac(seed, &[b"linli/salt-key/v1"]),
        }
    }

    /// The salt for `purpose` (e.g. `"text"`, `"requests"`) of snapshot `sequence` at
    /// `path` (a field's place in the snapshot, or `""`).
    #[must_use]
    pub fn salt(&self, purpose: &str, sequence: u32, path: &str) -> [u8; SALT_LEN] {
        let seq = sequence.to_be_bytes();
        let full = hmac(
            &self.key,
            &[purpose.as_bytes(), b"\0", &seq, b"\0", path.as_bytes()],
        );
        let mut out = [0u8; SALT_LEN];
        out.copy_from_slice(&full[..SALT_LEN]);
        out
    }

    /// [`Self::salt`] as lower-case hex.
    #[must_use]
    pub fn salt_hex(&self, purpose: &str, sequence: u32, path: &str) -> String {
        hex(&self.salt(purpose, sequence, path))
    }
}

/// `value` as JSON with every array sorted (by each element's own canonical JSON) and every
/// object's keys sorted: the same bytes whatever order the records were stored in.
fn canonical_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    fn canon(v: serde_json::Value) -> String {
        match v {
            serde_json::Value::Array(a) => {
                let mut items: Vec<String> = a.into_iter().map(canon).collect();
                items.sort_unstable();
                format!("[{}]", items.join(","))
            }
            serde_json::Value::Object(m) => {
                let mut items: Vec<(String, String)> = m.into_iter().map(|(k, x)| (k, canon(x))).collect();
                items.sort_unstable();
                let parts: Vec<String> = items
                    .into_iter()
                    .map(|(k, x)| format!("{}:{x}", serde_json::Value::String(k)))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
            other => other.to_string(),
        }
    }
    serde_json::to_value(value)
        .map(canon)
        .unwrap_or_default()
        .into_bytes()
}

/// Lower-case hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use core::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Setting;

    fn with_key(seed_hex: &str) -> Dataset {
        let mut d = Dataset::default();
        d.settings.push(Setting {
            key: crate::signing::PUBLISHING_KEY_SETTING.into(),
            value: serde_json::to_string(seed_hex).unwrap(),
        });
        d
    }

    #[test]
    fn salts_depend_on_every_input_and_on_the_secret() {
        let a = Salter::for_dataset(&with_key(&"11".repeat(32)));
        let b = Salter::for_dataset(&with_key(&"12".repeat(32)));
        let base = a.salt("text", 3, "plans/1/title");
        assert_eq!(base, a.salt("text", 3, "plans/1/title"), "deterministic");
        assert_ne!(base, b.salt("text", 3, "plans/1/title"), "another key");
        assert_ne!(base, a.salt("text", 4, "plans/1/title"), "another sequence");
        assert_ne!(base, a.salt("text", 3, "plans/1/summary"), "another path");
        assert_ne!(base, a.salt("requests", 3, "plans/1/title"), "another purpose");
        assert_eq!(a.salt_hex("text", 3, "x").len(), SALT_LEN * 2);
    }

    #[test]
    fn without_a_key_the_private_data_keys_the_salts() {
        let mut d = Dataset::default();
        let s0 = Salter::for_dataset(&d).salt("text", 1, "p");
        d.settings.push(Setting {
            key: "community_name_zh".into(),
            value: "\"x\"".into(),
        });
        let s1 = Salter::for_dataset(&d).salt("text", 1, "p");
        assert_ne!(s0, s1);
        // The order records are stored in does not matter.
        let mut two = Dataset::default();
        two.settings.push(Setting {
            key: "a".into(),
            value: "1".into(),
        });
        two.settings.push(Setting {
            key: "b".into(),
            value: "2".into(),
        });
        let before = Salter::for_dataset(&two).salt("text", 1, "p");
        two.settings.reverse();
        assert_eq!(Salter::for_dataset(&two).salt("text", 1, "p"), before);
        two.settings[0].value = "3".into();
        assert_ne!(Salter::for_dataset(&two).salt("text", 1, "p"), before);
        // A key, when present, replaces the dataset as the secret.
        let k = with_key(&"11".repeat(32));
        assert_eq!(
            Salter::for_dataset(&k).salt("text", 1, "p"),
            Salter::from_seed(&[0x11; 32]).salt("text", 1, "p")
        );
    }
}
