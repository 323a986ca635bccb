//! The community's intake key pairs: the current one (its public half is published in
//! the snapshot) and the retired ones, kept so that payloads sealed before a rotation can
//! still be opened. Stored as JSON in the setting [`SETTING_KEY`], so they live in the
//! workspace (sealed at rest with every setting's value once a passphrase is set) and
//! travel in every backup; a workspace or backup without the setting has no key.
//!
//! Key generation needs randomness, which the domain does not have: the caller draws the
//! identity (the CLI: `age::x25519::Identity::generate()`; the workspace:
//! `crypto.getRandomValues` → [`super::age::Identity::from_bytes`]) and passes its
//! `AGE-SECRET-KEY-1…` string to [`IntakeKeys::rotate`].
//!
//! Deleting a retired key is final: a payload sealed to it can no longer be opened
//! ([`super::IntakeError::NoKey`]).

use serde::{Deserialize, Serialize};

use super::age::{Identity, KeyError};
use crate::model::Setting;
use crate::settings::SettingError;

/// The setting holding [`IntakeKeys`] as JSON.
pub const SETTING_KEY: &str = "intake_keys";

/// One key pair. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeKey {
    /// 1 for the community's first key, then +1 per rotation (never reused).
    pub id: u32,
    /// `age1…`: what residents' phones seal to.
    pub public: String,
    /// `AGE-SECRET-KEY-1…`. Never published, never shown.
    pub secret: String,
    /// The day the key was made (`YYYY-MM-DD`, community time).
    pub created: String,
}

impl std::fmt::Debug for IntakeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeKey")
            .field("id", &self.id)
            .field("public", &self.public)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

/// The current key and the retired ones, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeKeys {
    /// `None` until the first key is made.
    pub current: Option<IntakeKey>,
    /// Keys replaced by a rotation, newest first, kept to open late payloads.
    #[serde(default)]
    pub retired: Vec<IntakeKey>,
}

/// Why a key operation was refused. Nothing is changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    /// The new secret is not an age X25519 identity.
    #[error("{0}")]
    Key(#[from] KeyError),
    /// The secret is already one of the community's keys.
    #[error("this key is already one of the community's intake keys")]
    Reused,
    /// No retired key has this id (the current key cannot be deleted, only rotated).
    #[error("no retired intake key has id {0}")]
    NoSuchRetired(u32),
}

impl KeysError {
    /// A stable code: `bad_key`, `reused`, `no_such_key`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Key(_) => "bad_key",
            Self::Reused => "reused",
            Self::NoSuchRetired(_) => "no_such_key",
        }
    }
}

impl IntakeKeys {
    /// The keys in `settings` (none without the setting).
    ///
    /// # Errors
    ///
    /// [`SettingError`] naming [`SETTING_KEY`] when its value is not valid JSON of
    /// [`IntakeKeys`] or a stored secret does not read as an age identity matching its
    /// public key.
    pub fn from_settings(settings: &[Setting]) -> Result<Self, SettingError> {
        let Some(s) = settings.iter().find(|s| s.key == SETTING_KEY) else {
            return Ok(Self::default());
        };
        let err = |reason: String| SettingError {
            key: SETTING_KEY.to_owned(),
            reason,
        };
        let keys: Self = serde_json::from_str(&s.value).map_err(|e| err(e.to_string()))?;
        for k in keys.all() {
            match Identity::parse(&k.secret) {
                Ok(id) if id.recipient() == k.public => {}
                _ => return Err(err(format!("key {} is not a valid age key pair", k.id))),
            }
        }
        Ok(keys)
    }

    /// The setting to store (replacing any [`SETTING_KEY`] setting).
    pub fn to_setting(&self) -> Setting {
        Setting {
            key: SETTING_KEY.to_owned(),
            value: serde_json::to_string(self).unwrap_or_default(),
        }
    }

    /// The current public key (`age1…`) residents seal to, if any.
    pub fn public_key(&self) -> Option<&str> {
        self.current.as_ref().map(|k| k.public.as_str())
    }

    /// The current key, then the retired ones (newest first).
    pub fn all(&self) -> impl Iterator<Item = &IntakeKey> {
        self.current.iter().chain(&self.retired)
    }

    /// Every key's identity, current first (what [`super::open`] tries). A stored key that
    /// does not parse (checked by [`Self::from_settings`]) is skipped.
    pub fn identities(&self) -> Vec<Identity> {
        self.all()
            .filter_map(|k| Identity::parse(&k.secret).ok())
            .collect()
    }

    /// A new current key from `secret` (`AGE-SECRET-KEY-1…`, freshly generated by the
    /// caller), made on `day` (`YYYY-MM-DD`); the old current key becomes the newest
    /// retired one.
    ///
    /// # Errors
    ///
    /// [`KeysError::Key`] when `secret` is not an age identity, [`KeysError::Reused`]
    /// when it is already one of the keys.
    pub fn rotate(&self, secret: &str, day: &str) -> Result<Self, KeysError> {
        let id = Identity::parse(secret)?;
        let public = id.recipient();
        if self.all().any(|k| k.public == public) {
            return Err(KeysError::Reused);
        }
        let next_id = self.all().map(|k| k.id).max().unwrap_or(0) + 1;
        let mut out = self.clone();
        if let Some(old) = out.current.take() {
            out.retired.insert(0, old);
        }
        out.current = Some(IntakeKey {
            id: next_id,
            public,
            secret: id.secret_string(),
            created: day.to_owned(),
        });
        Ok(out)
    }

    /// Without the retired key `id`: payloads sealed to it can no longer be opened.
    ///
    /// # Errors
    ///
    /// [`KeysError::NoSuchRetired`] (the current key is never deleted, only rotated).
    pub fn delete_retired(&self, id: u32) -> Result<Self, KeysError> {
        let mut out = self.clone();
        let before = out.retired.len();
        out.retired.retain(|k| k.id != id);
        if out.retired.len() == before {
            return Err(KeysError::NoSuchRetired(id));
        }
        Ok(out)
    }
}
