//! Typed reads and writes of the allocation view (the only IndexedDB code it uses).
//!
//! Every write is one transaction holding the change and its history entry
//! (`Batch::audit`: the entry's id is chosen inside the transaction).

use linli_domain::alloc::{kind_code, AllocConfig};
use linli_domain::dataset::Dataset;
use linli_domain::model::{AllocationRun, AuditEntry, Building, Grid, Resource};

use super::{Batch, Db, DbError};
use crate::browser::now_millis;

const RESOURCES: &str = "resources";
const RUNS: &str = "allocation_runs";

/// A history entry of the allocation view, stamped now; its id is chosen on commit.
fn entry(entity: &str, entity_id: u32, action: &str, summary: String, actor: String) -> AuditEntry {
    super::history_entry(now_millis(), actor, entity, entity_id, action, summary)
}

impl Db {
    /// The stores an allocation reads (settings, grids, buildings, households,
    /// resources, stored runs, requests, plans with their spending) as a partial [`Dataset`],
    /// which `linli_domain::alloc` takes as it is.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or a record that does not decode.
    pub async fn allocation_dataset(&self) -> Result<Dataset, DbError> {
        Ok(Dataset {
            settings: self.settings().await?,
            grids: self.get_all::<Grid>("grids").await?,
            buildings: self.get_all::<Building>("buildings").await?,
            households: self.households().await?,
            resources: self.get_all(RESOURCES).await?,
            allocation_runs: self.get_all::<AllocationRun>(RUNS).await?,
            requests: self.get_all("requests").await?,
            plans: self.get_all("plans").await?,
            ..Dataset::default()
        })
    }

    /// Stores a resource with its history entry. With `new`, the resource gets the
    /// next free id (its `id` is ignored) and the entry says `create`; otherwise it
    /// replaces the resource of its id (`update`). Returns the resource as stored.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_resource(
        &self,
        mut r: Resource,
        new: bool,
        actor: String,
    ) -> Result<Resource, DbError> {
        if new {
            r.id = self.max_key(RESOURCES).await? + 1;
        }
        let summary = format!(
            "resource {}: {} {} {} {} {}",
            r.id,
            r.name,
            kind_code(r.kind),
            r.quantity,
            r.category,
            r.period
        );
        let action = if new { "create" } else { "update" };
        let mut b = Batch::default();
        b.put(RESOURCES, &r)?;
        b.audit(entry(RESOURCES, r.id, action, summary, actor));
        self.commit(b).await?;
        Ok(r)
    }

    /// Deletes a resource, with its history entry.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn delete_resource(&self, r: &Resource, actor: String) -> Result<(), DbError> {
        let summary = format!("resource {}: {} deleted", r.id, r.name);
        let mut b = Batch::default();
        b.delete(RESOURCES, r.id);
        b.audit(entry(RESOURCES, r.id, "delete", summary, actor));
        self.commit(b).await
    }

    /// Stores the allocation configuration (setting `alloc_config`) with its history
    /// entry (`summary` says what changed).
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_alloc_config(
        &self,
        config: &AllocConfig,
        summary: String,
        actor: String,
    ) -> Result<(), DbError> {
        let mut b = Batch::default();
        b.put(super::settings::STORE, &config.to_setting())?;
        b.audit(entry(super::settings::STORE, 0, "update", summary, actor));
        self.commit(b).await
    }

    /// Stores a new allocation run, built by `make` from the next free run id, with
    /// its history entry. Fails with `ConstraintError` (nothing written) if another
    /// tab took that id meanwhile. Returns the run's id.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was written.
    pub async fn save_allocation_run(
        &self,
        make: impl FnOnce(u32) -> AllocationRun,
        actor: String,
    ) -> Result<u32, DbError> {
        let id = self.max_key(RUNS).await? + 1;
        let run = make(id);
        let summary = format!(
            "allocation run {} of {}: inputs {}",
            id, run.period, run.inputs_sha256
        );
        let mut b = Batch::default();
        b.add(RUNS, &run)?;
        b.audit(entry(RUNS, id, "create", summary, actor));
        self.commit(b).await?;
        Ok(id)
    }
}
