//! The `vault` store: the guides on this device, the data key wrapped for each
//! of them and for the recovery code, and the lock preferences. It is the only
//! store kept in clear once a passphrase is set (it must be read before
//! unlocking); it holds no resident's data. One record, so every change to
//! guides and wraps is one atomic put.

use js_sys::Reflect;
use linli_domain::dataset::Dataset;
use linli_domain::model::AuditEntry;
use linli_domain::vault::{DataKey, Guide, Keyring};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{cipher, idb, Batch, Db, DbError};

/// The store's name.
pub const STORE: &str = "vault";
/// The key of its one record.
const KEY: &str = "vault";

/// Idle minutes before the workspace locks itself, unless changed.
pub const DEFAULT_IDLE_MINUTES: u32 = 15;

/// What the vault holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultState {
    /// The guides on this device.
    pub guides: Vec<Guide>,
    /// The id the next guide gets (ids are never reused, so an old wrap can
    /// never open for a new guide).
    pub next_guide_id: u32,
    /// The data key wrapped for each guide and for the recovery code.
    pub keyring: Keyring,
    /// Idle minutes before auto-lock.
    #[serde(default = "default_idle")]
    pub idle_minutes: u32,
}

fn default_idle() -> u32 {
    DEFAULT_IDLE_MINUTES
}

impl VaultState {
    /// The guide with `id`.
    pub fn guide(&self, id: u32) -> Option<&Guide> {
        self.guides.iter().find(|g| g.id == id)
    }
}

fn to_js(state: &VaultState) -> Result<JsValue, DbError> {
    let json = serde_json::to_string(state).map_err(|e| DbError::Decode {
        store: STORE.to_owned(),
        reason: e.to_string(),
    })?;
    let obj = js_sys::Object::new();
    let _ = Reflect::set(&obj, &JsValue::from_str("key"), &JsValue::from_str(KEY));
    let _ = Reflect::set(
        &obj,
        &JsValue::from_str(cipher::JSON_FIELD),
        &JsValue::from_str(&json),
    );
    Ok(obj.into())
}

impl Db {
    /// The vault, or `None` while no passphrase was ever set.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or [`DbError::Decode`].
    pub async fn vault(&self) -> Result<Option<VaultState>, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(STORE).map_err(DbError::from_js)?;
        let req = tx
            .object_store(STORE)
            .and_then(|s| s.get(&JsValue::from_str(KEY)))
            .map_err(DbError::from_js)?;
        let value = idb::request_done(&req).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        let text = Reflect::get(&value, &JsValue::from_str(cipher::JSON_FIELD))
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| DbError::Decode {
                store: STORE.to_owned(),
                reason: "vault without JSON text".to_owned(),
            })?;
        let state: VaultState = serde_json::from_str(&text).map_err(|e| DbError::Decode {
            store: STORE.to_owned(),
            reason: e.to_string(),
        })?;
        Ok((!state.guides.is_empty()).then_some(state))
    }

    /// Sets the first passphrase: seals every record of every store in place
    /// under `key` and stores `state`, in **one** transaction: all or nothing.
    /// On success the key stays in memory (the workspace is unlocked); on
    /// failure it is dropped and the data stays as it was, in clear.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name (e.g. `QuotaExceededError`:
    /// sealing adds 41 bytes per record); nothing changed in that case.
    pub async fn encrypt_in_place(
        &self,
        state: &VaultState,
        key: &DataKey,
        audit: AuditEntry,
    ) -> Result<(), DbError> {
        self.seal_replacing(state, key, audit, None).await
    }

    /// [`Db::encrypt_in_place`], replacing the data with `dataset` when given (a device
    /// joining a community: its own data gives way to the community's, which comes by
    /// sync), all in one transaction.
    ///
    /// # Errors
    ///
    /// As [`Db::encrypt_in_place`].
    pub async fn seal_replacing(
        &self,
        state: &VaultState,
        key: &DataKey,
        audit: AuditEntry,
        dataset: Option<Dataset>,
    ) -> Result<(), DbError> {
        if cipher::active() || self.vault().await?.is_some() {
            return Err(DbError::Decode {
                store: STORE.to_owned(),
                reason: "a passphrase is already set".to_owned(),
            });
        }
        // Sealing in place keeps the replica (it holds the same records); a new dataset
        // (joining a community) starts without one.
        let fresh = dataset.is_some();
        let dataset = match dataset {
            Some(d) => d,
            None => self.read_all().await?,
        };
        cipher::set_keys(Some(key));
        let result = async {
            let mut batch = Batch::default();
            for name in linli_domain::dataset::STORE_NAMES {
                batch.clear(name);
            }
            if fresh {
                batch.clear(super::replica::STORE);
            }
            batch.put_dataset(&dataset)?;
            batch.put_raw(STORE, to_js(state)?);
            batch.audit(audit);
            self.commit(batch).await
        }
        .await;
        if result.is_err() {
            cipher::set_keys(None);
        }
        result
    }

    /// Replaces the vault (guides, wraps, preferences) with `state`, with one
    /// history entry, in one transaction.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; nothing changed then.
    pub async fn save_vault(&self, state: &VaultState, audit: Option<AuditEntry>) -> Result<(), DbError> {
        let mut batch = Batch::default();
        batch.put_raw(STORE, to_js(state)?);
        if let Some(a) = audit {
            batch.audit(a);
        }
        self.commit(batch).await
    }
}
