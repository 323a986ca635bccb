//! Typed reads of settings (the `settings` store holds key → JSON text).

use linli_domain::model::{NeedCategory, Setting};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

use super::{Db, DbError};

/// The settings store.
pub const STORE: &str = "settings";

impl Db {
    /// The setting `key`, if stored.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn setting(&self, key: &str) -> Result<Option<Setting>, DbError> {
        self.get(STORE, &JsValue::from_str(key)).await
    }

    /// The setting `key` decoded from its JSON text; `None` when not stored.
    ///
    /// # Errors
    ///
    /// [`DbError::Decode`] naming `settings/<key>` when the text does not decode.
    pub async fn setting_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, DbError> {
        match self.setting(key).await? {
            None => Ok(None),
            Some(s) => serde_json::from_str(&s.value)
                .map(Some)
                .map_err(|e| DbError::Decode {
                    store: format!("{STORE}/{key}"),
                    reason: e.to_string(),
                }),
        }
    }

    /// Every setting.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn settings(&self) -> Result<Vec<Setting>, DbError> {
        self.get_all(STORE).await
    }

    /// The community's need categories in their stored order: the one way every view
    /// reads them, through `linli_domain::settings::need_categories` (no setting: the
    /// demo's categories; nothing else falls back).
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or [`DbError::Decode`] naming
    /// `settings/need_categories` when the setting is not a valid list of categories
    /// (not JSON, an empty or a repeated code).
    pub async fn need_categories(&self) -> Result<Vec<NeedCategory>, DbError> {
        let setting = self.setting(linli_domain::settings::NEED_CATEGORIES).await?;
        let settings: Vec<Setting> = setting.into_iter().collect();
        linli_domain::settings::need_categories(&settings).map_err(|e| DbError::Decode {
            store: format!("{STORE}/{}", e.key),
            reason: e.reason,
        })
    }
}

/// The needs matrix editor's save (shared by the needs and allocation views).
impl Db {
    /// Stores the needs matrix (setting `needs_matrix`) with its history entry
    /// (`summary` says what changed), in one transaction; the entry's id is
    /// chosen inside it.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_needs_matrix(
        &self,
        matrix: &linli_domain::needs::NeedsMatrix,
        summary: String,
        actor: String,
    ) -> Result<(), DbError> {
        let mut batch = super::Batch::default();
        batch.put(STORE, &matrix.to_setting())?;
        batch.audit(linli_domain::model::AuditEntry {
            id: 0,
            at: crate::browser::now_millis(),
            actor,
            entity: STORE.into(),
            entity_id: 0,
            action: "update".into(),
            summary,
        });
        self.commit(batch).await
    }
}
