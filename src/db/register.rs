//! Typed reads and writes of the register view, the household form and the register's
//! CSV export and import (the only IndexedDB code they use).

use linli_domain::order::SortDyn;
use std::collections::HashMap;

use linli_domain::model::{AuditEntry, Building, Grid, Household, NeedCategory};
use linli_domain::register_csv::{export_households, Headers, ImportResult};
use wasm_bindgen::JsValue;

use super::{Batch, Db, DbError, Pending, AUDIT_STORE};

/// What the register page loads once per data revision.
#[derive(Debug)]
pub struct RegisterData {
    /// Every household, in id order.
    pub households: Vec<Household>,
    /// Household id → index in `households`.
    pub by_id: HashMap<u32, usize>,
    pub buildings: Vec<Building>,
    pub categories: Vec<NeedCategory>,
}

/// What the household form loads: the household (`None` for a new one or one that
/// does not exist), the choices, and its change history, newest first.
#[derive(Debug)]
pub struct HouseholdForm {
    pub household: Option<Household>,
    pub buildings: Vec<Building>,
    pub categories: Vec<NeedCategory>,
    pub history: Vec<AuditEntry>,
}

/// What a CSV import checks rows against.
#[derive(Debug)]
pub struct ImportContext {
    pub buildings: Vec<Building>,
    pub grids: Vec<Grid>,
    pub categories: Vec<NeedCategory>,
}

/// The entity name of households in the change history.
const ENTITY: &str = "households";

impl Db {
    /// The register page's data.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or a record that does not decode.
    pub async fn register_data(&self) -> Result<RegisterData, DbError> {
        let households = self.households().await?;
        let buildings: Vec<Building> = self.get_all("buildings").await?;
        let categories = self.need_categories().await?;
        let by_id = households.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
        Ok(RegisterData {
            households,
            by_id,
            buildings,
            categories,
        })
    }

    /// The household form's data for household `id` (`None`: a new household).
    ///
    /// # Errors
    ///
    /// As [`Db::register_data`].
    pub async fn household_form(&self, id: Option<u32>) -> Result<HouseholdForm, DbError> {
        let buildings: Vec<Building> = self.get_all("buildings").await?;
        let categories = self.need_categories().await?;
        let (household, history) = match id {
            Some(id) => {
                let h = self.household(id).await?;
                let key: js_sys::Array = [JsValue::from_str(ENTITY), JsValue::from(id)]
                    .into_iter()
                    .collect();
                let mut history: Vec<AuditEntry> = self.get_by_index(AUDIT_STORE, "by_entity", &key).await?;
                history.sort_by_key_dyn(|e| std::cmp::Reverse((e.at, e.id)));
                (h, history)
            }
            None => (None, Vec::new()),
        };
        Ok(HouseholdForm {
            household,
            buildings,
            categories,
            history,
        })
    }

    /// Saves a household from the form with one history entry, in one transaction, and
    /// returns its id. `original` is the household as loaded (`None`: a new one, which
    /// gets the id after the largest; two tabs adding at once cannot both take it).
    /// `h.updated_at` is set to `now`.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; nothing was written then.
    pub async fn save_household(
        &self,
        mut h: Household,
        original: Option<&Household>,
        actor: String,
        now: i64,
    ) -> Result<u32, DbError> {
        let mut batch = Batch::default();
        let (action, summary) = match original {
            Some(old) => (
                "update",
                linli_domain::household::changed_fields(old, &h).join(", "),
            ),
            None => {
                h.id = self.max_household_id().await? + 1;
                ("create", String::new())
            }
        };
        h.updated_at = now;
        if original.is_some() {
            batch.put_household(&h);
        } else {
            batch.add_household(&h);
        }
        batch.audit(AuditEntry {
            id: 0,
            at: now,
            actor,
            entity: ENTITY.into(),
            entity_id: h.id,
            action: action.into(),
            summary,
        });
        self.commit(batch).await?;
        Ok(h.id)
    }

    /// Deletes household `id` with one history entry, in one transaction.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; nothing was written then.
    pub async fn remove_household(&self, id: u32, actor: String, at: i64) -> Result<(), DbError> {
        let mut batch = Batch::default();
        batch.delete_household(id);
        batch.audit(AuditEntry {
            id: 0,
            at,
            actor,
            entity: ENTITY.into(),
            entity_id: id,
            action: "delete".into(),
            summary: String::new(),
        });
        self.commit(batch).await
    }

    /// The register as CSV (`linli_domain::register_csv::export_households`).
    ///
    /// # Errors
    ///
    /// As [`Db::register_data`].
    pub async fn register_csv(&self, headers: Headers) -> Result<String, DbError> {
        let households = self.households().await?;
        let buildings: Vec<Building> = self.get_all("buildings").await?;
        let grids: Vec<Grid> = self.get_all("grids").await?;
        Ok(export_households(&households, &buildings, &grids, headers))
    }

    /// What an import checks its rows against.
    ///
    /// # Errors
    ///
    /// As [`Db::register_data`].
    pub async fn import_context(&self) -> Result<ImportContext, DbError> {
        let buildings: Vec<Building> = self.get_all("buildings").await?;
        let grids: Vec<Grid> = self.get_all("grids").await?;
        let categories = self.need_categories().await?;
        Ok(ImportContext {
            buildings,
            grids,
            categories,
        })
    }

    /// Starts writing a validated import in one transaction: the new grids and
    /// buildings, every household (its `updated_at` already set), a history entry
    /// per updated household (`updates`: its number and changed fields) and one for
    /// the import.
    /// The returned transaction can be aborted until it completes.
    ///
    /// # Errors
    ///
    /// [`DbError`] if a record cannot be represented or the transaction cannot start.
    pub fn begin_import(
        &self,
        result: &ImportResult,
        updates: &[(u32, Vec<&'static str>)],
        actor: String,
        now: i64,
    ) -> Result<Pending, DbError> {
        let mut batch = Batch::default();
        for g in &result.new_grids {
            batch.add("grids", g)?;
        }
        for b in &result.new_buildings {
            batch.add("buildings", b)?;
        }
        for h in &result.households {
            batch.put_household(h);
        }
        // Each existing household the guide chose to update gets its own history
        // entry naming the changed fields, as an edit in the form does.
        for (id, fields) in updates {
            batch.audit(AuditEntry {
                id: 0,
                at: now,
                actor: actor.clone(),
                entity: ENTITY.into(),
                entity_id: *id,
                action: "update".into(),
                summary: fields.join(", "),
            });
        }
        batch.audit(AuditEntry {
            id: 0,
            at: now,
            actor,
            entity: ENTITY.into(),
            entity_id: 0,
            action: "import".into(),
            summary: format!("{} households", result.households.len()),
        });
        self.begin(batch)
    }
}
