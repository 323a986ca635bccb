//! Typed reads of settings (the `settings` store holds key → JSON text).

use linli_domain::model::{NeedCategory, Setting};
use linli_domain::replication::local::SYNC_SETTING;
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

    /// Every setting but the replica state ([`SYNC_SETTING`]: every record again as
    /// a sealed document, megabytes for a whole community, read only by sync and
    /// by whole-dataset reads such as backups), in key order. Two key ranges around
    /// it, so it is never read and never decrypted here.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn settings(&self) -> Result<Vec<Setting>, DbError> {
        self.check_open()?;
        let key = JsValue::from_str(SYNC_SETTING);
        let below = web_sys::IdbKeyRange::upper_bound_with_open(&key, true).map_err(DbError::from_js)?;
        let above = web_sys::IdbKeyRange::lower_bound_with_open(&key, true).map_err(DbError::from_js)?;
        let tx = self.inner.transaction_with_str(STORE).map_err(DbError::from_js)?;
        let store = tx.object_store(STORE).map_err(DbError::from_js)?;
        let lo = store.get_all_with_key(&below).map_err(DbError::from_js)?;
        let hi = store.get_all_with_key(&above).map_err(DbError::from_js)?;
        let mut out: Vec<Setting> = super::from_array(STORE, &super::idb::request_done(&lo).await?)?;
        out.extend(super::from_array::<Setting>(
            STORE,
            &super::idb::request_done(&hi).await?,
        )?);
        Ok(out)
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

/// The settings editors' writes (`#/settings`): each stores one setting and its
/// history entry in one transaction, after the page validated the value with the
/// domain's rule; "saved" is said only after it completed.
impl Db {
    /// Stores setting `key` with the JSON text `value`, and one history entry by
    /// `actor` (`summary` says what changed), in one transaction.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    async fn put_setting_audited(
        &self,
        key: &str,
        value: String,
        summary: String,
        actor: String,
    ) -> Result<(), DbError> {
        let mut batch = super::Batch::default();
        batch.put(
            STORE,
            &Setting {
                key: key.to_owned(),
                value,
            },
        )?;
        batch.audit(super::history_entry(
            crate::browser::now_millis(),
            actor,
            STORE,
            0,
            "update",
            format!("{key}: {summary}"),
        ));
        self.commit(batch).await
    }

    /// Stores the points earning rules (setting `points_rules`), checked by
    /// `EarningRules::validate` by the caller.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_points_rules(
        &self,
        rules: &linli_domain::participation::points::EarningRules,
        actor: String,
    ) -> Result<(), DbError> {
        let value = serde_json::to_string(rules).unwrap_or_default();
        self.put_setting_audited(
            linli_domain::participation::points::RULES_SETTING,
            value.clone(),
            value,
            actor,
        )
        .await
    }

    /// Stores the plan rules (setting `plan_rules`), checked by `PlanRules::check`.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_plan_rules(
        &self,
        rules: &linli_domain::plans::PlanRules,
        actor: String,
    ) -> Result<(), DbError> {
        let value = serde_json::to_string(rules).unwrap_or_default();
        self.put_setting_audited(linli_domain::settings::PLAN_RULES, value.clone(), value, actor)
            .await
    }

    /// Stores the minimum cell sizes (setting `disclosure`), checked by
    /// `settings::disclosure`.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_disclosure(
        &self,
        d: &linli_domain::settings::Disclosure,
        actor: String,
    ) -> Result<(), DbError> {
        let value = serde_json::to_string(d).unwrap_or_default();
        self.put_setting_audited(linli_domain::settings::DISCLOSURE, value.clone(), value, actor)
            .await
    }

    /// Stores every indicator's target (setting `indicator_targets`: code → target
    /// or `null` for none), checked by `settings::indicator_targets`.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_indicator_targets(
        &self,
        targets: &std::collections::BTreeMap<String, Option<i64>>,
        actor: String,
    ) -> Result<(), DbError> {
        let value = serde_json::to_string(targets).unwrap_or_default();
        self.put_setting_audited(
            linli_domain::settings::INDICATOR_TARGETS,
            value.clone(),
            value,
            actor,
        )
        .await
    }

    /// Records the device numbers given in the community (setting
    /// [`linli_domain::replication::enrol::DEVICES_SETTING`]) with a history entry by
    /// `actor` naming the number and label just given.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_devices(
        &self,
        registry: &linli_domain::replication::enrol::Registry,
        summary: String,
        actor: String,
    ) -> Result<(), DbError> {
        self.put_setting_audited(
            linli_domain::replication::enrol::DEVICES_SETTING,
            registry.to_json(),
            summary,
            actor,
        )
        .await
    }

    /// Records that a backup file was handed to the browser's download at `at`
    /// (setting `last_backup_at`, read by the cockpit) and a history entry by `actor`
    /// saying how it was encrypted (`how`): an export of everyone's data is accountable.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn record_backup(
        &self,
        at: linli_domain::model::Millis,
        how: &str,
        actor: String,
    ) -> Result<(), DbError> {
        let mut batch = super::Batch::default();
        batch.put(
            STORE,
            &Setting {
                key: linli_domain::cockpit::LAST_BACKUP_SETTING.to_owned(),
                value: at.to_string(),
            },
        )?;
        batch.audit(super::history_entry(
            at,
            actor,
            STORE,
            0,
            "export",
            format!("backup: {how}"),
        ));
        self.commit(batch).await
    }

    /// Stores after how many days the cockpit reminds of a backup (setting
    /// `backup_reminder_days`), checked by `cockpit::check_backup_reminder_days`.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_backup_reminder_days(&self, days: i64, actor: String) -> Result<(), DbError> {
        self.put_setting_audited(
            linli_domain::cockpit::BACKUP_REMINDER_SETTING,
            days.to_string(),
            days.to_string(),
            actor,
        )
        .await
    }

    /// Stores the age public keys backups may be encrypted to (setting
    /// `backup_recipients`, a JSON array), checked by `backup_crypt::parse_recipients`.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_backup_recipients(&self, keys: &[String], actor: String) -> Result<(), DbError> {
        let value = serde_json::to_string(keys).unwrap_or_default();
        self.put_setting_audited(
            crate::backup_crypt::RECIPIENTS_SETTING,
            value.clone(),
            value,
            actor,
        )
        .await
    }
}
