//! The only code that touches IndexedDB.
//!
//! Rules kept here (see ARCHITECTURE.md):
//! - every write is built in memory first, then issued inside **one**
//!   read-write transaction with no other `await` inside it; the caller hears
//!   "saved" only when the transaction's `complete` event has fired;
//! - errors carry the browser's own `DOMException` name (`QuotaExceededError`,
//!   `VersionError`, `InvalidStateError`, …) so the user sees the real cause;
//! - the schema is a list of [`Migration`]s; the database version is the
//!   number of migrations, and opening runs the missing ones in order inside
//!   the browser's `versionchange` transaction, so an upgrade keeps every record.
//!
//! Plain `web-sys` is used rather than a wrapper crate: rexie has no hook for
//! the `upgradeneeded`, `blocked` and `versionchange` events that migrations
//! and the other-tab case need.

mod idb;
pub mod schema;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Array;
use linli_domain::dataset::{Dataset, STORE_NAMES};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransactionMode};

pub use self::idb::DbError;
pub use self::schema::{Migration, MIGRATIONS};

/// Name of the app's database.
pub const DB_NAME: &str = "linli";

/// An open database. Not `Send`: keep it in `StoredValue::new_local` or a
/// `LocalResource`.
#[derive(Clone, Debug)]
pub struct Db {
    inner: IdbDatabase,
    /// Set when another tab asked to upgrade the schema and this connection
    /// closed itself; every later call fails with `VersionChangedElsewhere`.
    closed: Rc<RefCell<bool>>,
}

/// Per-store record counts, in [`STORE_NAMES`] order.
pub type Counts = Vec<(&'static str, u32)>;

impl Db {
    /// Opens (creating or upgrading) the app's database with the current schema.
    ///
    /// `on_version_change` runs when another tab opens a newer schema: this
    /// connection is closed first so the other tab can proceed, and the UI
    /// should ask the user to reload.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, e.g. `VersionError` when the
    /// database on disk is newer than this app. While another tab keeps an
    /// older connection open the open waits and `on_blocked` runs.
    pub async fn open(
        name: &str,
        on_blocked: impl Fn() + 'static,
        on_version_change: impl Fn() + 'static,
    ) -> Result<Self, DbError> {
        Self::open_with(name, MIGRATIONS, on_blocked, on_version_change).await
    }

    /// Opens `name` at version `migrations.len()`, running missing migrations.
    /// Tests use it to open older or newer schemas.
    ///
    /// # Errors
    ///
    /// As [`Db::open`].
    pub async fn open_with(
        name: &str,
        migrations: &'static [Migration],
        on_blocked: impl Fn() + 'static,
        on_version_change: impl Fn() + 'static,
    ) -> Result<Self, DbError> {
        let inner = idb::open(name, migrations, on_blocked).await?;
        let closed = Rc::new(RefCell::new(false));
        let flag = closed.clone();
        let db = inner.clone();
        let handler = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(move |_e| {
            db.close();
            *flag.borrow_mut() = true;
            on_version_change();
        });
        inner.set_onversionchange(Some(handler.as_ref().unchecked_ref()));
        // The handler lives as long as the page's connection.
        handler.forget();
        Ok(Self { inner, closed })
    }

    /// Deletes a database (tests and "clear everything").
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn delete(name: &str) -> Result<(), DbError> {
        idb::delete(name).await
    }

    /// The schema version on disk.
    pub fn version(&self) -> u32 {
        self.inner.version() as u32
    }

    /// Names of the object stores.
    pub fn store_names(&self) -> Vec<String> {
        let list = self.inner.object_store_names();
        (0..list.length()).filter_map(|i| list.item(i)).collect()
    }

    /// Closes the connection.
    pub fn close(&self) {
        self.inner.close();
    }

    fn check_open(&self) -> Result<(), DbError> {
        if *self.closed.borrow() {
            Err(DbError::VersionChangedElsewhere)
        } else {
            Ok(())
        }
    }

    /// Replaces everything with `dataset` in one transaction: all or nothing.
    ///
    /// The records are converted to JS values before the transaction starts;
    /// inside it the stores are cleared and every record is put without any
    /// other await. Returns only after the transaction completed.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name (e.g. `QuotaExceededError`);
    /// in that case the transaction aborted and nothing changed.
    pub async fn replace_all(&self, dataset: &Dataset) -> Result<(), DbError> {
        self.check_open()?;
        let rows = to_rows(dataset)?;
        let tx = self
            .inner
            .transaction_with_str_sequence_and_mode(&store_list(), IdbTransactionMode::Readwrite)
            .map_err(DbError::from_js)?;
        let done = idb::transaction_done(&tx);
        let issue = || -> Result<(), JsValue> {
            for (name, values) in &rows {
                let store = tx.object_store(name)?;
                store.clear()?;
                for v in values {
                    store.put(v)?;
                }
            }
            Ok(())
        };
        if let Err(e) = issue() {
            let _ = tx.abort();
            let _ = done.await;
            return Err(DbError::from_js(e));
        }
        done.await
    }

    /// Puts (inserts or replaces) records into one store in one transaction.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; nothing is written on error.
    pub async fn put_all<T: Serialize>(&self, store: &str, records: &[T]) -> Result<(), DbError> {
        self.check_open()?;
        let values = records
            .iter()
            .map(|r| schema::to_js(store, r))
            .collect::<Result<Vec<_>, _>>()?;
        let tx = self
            .inner
            .transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)
            .map_err(DbError::from_js)?;
        let done = idb::transaction_done(&tx);
        let issue = || -> Result<(), JsValue> {
            let s = tx.object_store(store)?;
            for v in &values {
                s.put(v)?;
            }
            Ok(())
        };
        if let Err(e) = issue() {
            let _ = tx.abort();
            let _ = done.await;
            return Err(DbError::from_js(e));
        }
        done.await
    }

    /// Reads every record of one store, in key order.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or [`DbError::Decode`] when a
    /// stored record does not match the expected layout.
    pub async fn get_all<T: DeserializeOwned>(&self, store: &str) -> Result<Vec<T>, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let req = tx
            .object_store(store)
            .and_then(|s| s.get_all())
            .map_err(DbError::from_js)?;
        let value = idb::request_done(&req).await?;
        from_array(store, &value)
    }

    /// Reads records of `store` whose index `index` equals `key`.
    ///
    /// # Errors
    ///
    /// As [`Db::get_all`].
    pub async fn get_by_index<T: DeserializeOwned>(
        &self,
        store: &str,
        index: &str,
        key: &JsValue,
    ) -> Result<Vec<T>, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let req = tx
            .object_store(store)
            .and_then(|s| s.index(index))
            .and_then(|i| i.get_all_with_key(key))
            .map_err(DbError::from_js)?;
        let value = idb::request_done(&req).await?;
        from_array(store, &value)
    }

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
            households: from_array("households", v(3))?,
            resources: from_array("resources", v(4))?,
            allocation_runs: from_array("allocation_runs", v(5))?,
            proposals: from_array("proposals", v(6))?,
            ballots: from_array("ballots", v(7))?,
            activities: from_array("activities", v(8))?,
            points_ledger: from_array("points_ledger", v(9))?,
            timebank_ledger: from_array("timebank_ledger", v(10))?,
            requests: from_array("requests", v(11))?,
            plans: from_array("plans", v(12))?,
            spending: from_array("spending", v(13))?,
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
            requests.push(
                tx.object_store(name)
                    .and_then(|s| s.count())
                    .map_err(DbError::from_js)?,
            );
        }
        let mut out = Vec::new();
        for (name, req) in STORE_NAMES.iter().zip(&requests) {
            let v = idb::request_done(req).await?;
            out.push((*name, v.as_f64().unwrap_or(0.0) as u32));
        }
        Ok(out)
    }
}

fn store_list() -> JsValue {
    STORE_NAMES
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

fn from_array<T: DeserializeOwned>(store: &str, value: &JsValue) -> Result<Vec<T>, DbError> {
    let arr: &Array = value.unchecked_ref();
    arr.iter().map(|v| schema::from_js(store, &v)).collect()
}

/// Converts every record to the JS value stored, grouped by store.
fn to_rows(d: &Dataset) -> Result<Vec<(&'static str, Vec<JsValue>)>, DbError> {
    fn conv<T: Serialize>(store: &'static str, v: &[T]) -> Result<(&'static str, Vec<JsValue>), DbError> {
        Ok((
            store,
            v.iter()
                .map(|r| schema::to_js(store, r))
                .collect::<Result<Vec<_>, _>>()?,
        ))
    }
    Ok(vec![
        conv("settings", &d.settings)?,
        conv("grids", &d.grids)?,
        conv("buildings", &d.buildings)?,
        conv("households", &d.households)?,
        conv("resources", &d.resources)?,
        conv("allocation_runs", &d.allocation_runs)?,
        conv("proposals", &d.proposals)?,
        conv("ballots", &d.ballots)?,
        conv("activities", &d.activities)?,
        conv("points_ledger", &d.points_ledger)?,
        conv("timebank_ledger", &d.timebank_ledger)?,
        conv("requests", &d.requests)?,
        conv("plans", &d.plans)?,
        conv("spending", &d.spending)?,
        conv("snapshots", &d.snapshots)?,
        conv("audit_log", &d.audit_log)?,
    ])
}

/// Asks the browser to keep this site's storage under storage pressure.
/// `Some(true)` granted, `Some(false)` refused, `None` API unavailable.
pub async fn request_persistence() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    let already = wasm_bindgen_futures::JsFuture::from(storage.persisted().ok()?)
        .await
        .ok()?;
    if already.as_bool() == Some(true) {
        return Some(true);
    }
    let granted = wasm_bindgen_futures::JsFuture::from(storage.persist().ok()?)
        .await
        .ok()?;
    granted.as_bool()
}
