//! Whole-community reads: every record (for backups and publication) and the
//! per-store counts.

use js_sys::Array;
use linli_domain::dataset::{Dataset, Summary, STORE_NAMES};
use linli_domain::model::{Building, Grid};
use wasm_bindgen::JsCast;

use super::{from_array, households, idb, pages_to_households, store_list, Counts, Db, DbError};

impl Db {
    /// Reads the whole dataset in one read-only transaction.
    ///
    /// # Errors
    ///
    /// As [`Db::get_all`].
    pub async fn read_all(&self) -> Result<Dataset, DbError> {
        self.check_open()?;
        let tx = self
            .inner
            .transaction_with_str_sequence(&store_list())
            .map_err(DbError::from_js)?;
        let mut requests = Vec::with_capacity(STORE_NAMES.len());
        for name in STORE_NAMES {
            let req = tx
                .object_store(name)
                .and_then(|s| s.get_all())
                .map_err(DbError::from_js)?;
            requests.push(req);
        }
        let mut values = Vec::with_capacity(requests.len());
        for req in &requests {
            values.push(idb::request_done(req).await?);
        }
        let v = |i: usize| &values[i];
        Ok(Dataset {
            settings: from_array("settings", v(0))?,
            grids: from_array("grids", v(1))?,
            buildings: from_array("buildings", v(2))?,
            households: pages_to_households(v(3))?,
            resources: from_array("resources", v(4))?,
            allocation_runs: from_array("allocation_runs", v(5))?,
            proposals: from_array("proposals", v(6))?,
            ballots: from_array("ballots", v(7))?,
            activities: from_array("activities", v(8))?,
            points_ledger: from_array("points_ledger", v(9))?,
            timebank_ledger: from_array("timebank_ledger", v(10))?,
            requests: from_array("requests", v(11))?,
            plans: from_array("plans", v(12))?,
            decisions: from_array("decisions", v(13))?,
            snapshots: from_array("snapshots", v(14))?,
            audit_log: from_array("audit_log", v(15))?,
        })
    }

    /// Number of records in every store, in one read-only transaction.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn counts(&self) -> Result<Counts, DbError> {
        self.check_open()?;
        let tx = self
            .inner
            .transaction_with_str_sequence(&store_list())
            .map_err(DbError::from_js)?;
        let mut requests = Vec::new();
        for name in STORE_NAMES {
            // Households: the sum of the pages' sizes.
            let paged = name == households::STORE;
            requests.push(
                tx.object_store(name)
                    .and_then(|s| if paged { s.get_all() } else { s.count() })
                    .map_err(DbError::from_js)?,
            );
        }
        let mut out = Vec::new();
        for (name, req) in STORE_NAMES.iter().zip(&requests) {
            let v = idb::request_done(req).await?;
            let n = if *name == households::STORE {
                let pages: &Array = v.unchecked_ref();
                pages.iter().map(|p| households::page_len(&p)).sum()
            } else {
                v.as_f64().unwrap_or(0.0) as u32
            };
            out.push((*name, n));
        }
        Ok(out)
    }

    /// The community's headline figures (ages in `year`) with the numbers of
    /// buildings and grids.
    ///
    /// # Errors
    ///
    /// As [`Db::get_all`].
    pub async fn headline(&self, year: i64) -> Result<(Summary, usize, usize), DbError> {
        let households = self.households().await?;
        let buildings = self.get_all::<Building>("buildings").await?.len();
        let grids = self.get_all::<Grid>("grids").await?.len();
        Ok((Summary::of(&households, year), buildings, grids))
    }
}
