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

mod guarded;
pub mod households;
mod idb;
pub mod schema;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::Array;
use linli_domain::dataset::{Dataset, STORE_NAMES};
use linli_domain::model::Household;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransactionMode};

pub use self::guarded::{Read, ReadResults};
use self::households::Change;
pub use self::households::HouseholdQuery;
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
        let mut batch = Batch::default();
        for name in STORE_NAMES {
            batch.clear(name);
        }
        batch.put_dataset(dataset)?;
        self.commit(batch).await
    }

    /// Puts (inserts or replaces) records into one store in one transaction.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; nothing is written on error.
    pub async fn put_all<T: Serialize>(&self, store: &'static str, records: &[T]) -> Result<(), DbError> {
        let mut batch = Batch::default();
        for r in records {
            batch.put(store, r)?;
        }
        self.commit(batch).await
    }

    /// Writes a [`Batch`] in one read-write transaction over the stores it
    /// touches, issuing every request synchronously, and returns when the
    /// transaction has completed.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; the transaction aborted and
    /// nothing in the batch was written.
    pub async fn commit(&self, batch: Batch) -> Result<(), DbError> {
        self.begin(batch)?.finish().await
    }

    /// Like [`Db::commit`], but hands back the running transaction so the
    /// user can cancel it ([`Pending::abort`]) before it completes; an
    /// aborted transaction writes nothing.
    ///
    /// # Errors
    ///
    /// [`DbError`] if the transaction cannot start or a request is refused at once.
    pub fn begin(&self, batch: Batch) -> Result<Pending, DbError> {
        self.check_open()?;
        let mut stores: Vec<&str> = batch.ops.iter().map(|(s, _)| *s).collect();
        if !batch.household_changes.is_empty() {
            stores.push(households::STORE);
        }
        stores.sort_unstable();
        stores.dedup();
        if stores.is_empty() {
            stores.push(STORE_NAMES[0]);
        }
        let list: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let tx = self
            .inner
            .transaction_with_str_sequence_and_mode(&list, IdbTransactionMode::Readwrite)
            .map_err(DbError::from_js)?;
        let done = Box::pin(idb::transaction_done(&tx));
        let deferred: Rc<RefCell<Option<DbError>>> = Rc::default();
        let Batch {
            ops,
            household_changes,
            households_cleared,
        } = batch;
        let issue = || -> Result<(), JsValue> {
            for (store, op) in &ops {
                let s = tx.object_store(store)?;
                match op {
                    Op::Clear => {
                        s.clear()?;
                    }
                    Op::Put(v) => {
                        s.put(v)?;
                    }
                    Op::Add(v) => {
                        s.add(v)?;
                    }
                    Op::Delete(k) => {
                        s.delete(k)?;
                    }
                }
            }
            Ok(())
        };
        let mut failed = issue().err().map(DbError::from_js);
        if failed.is_none() && !household_changes.is_empty() {
            failed = issue_household_changes(&tx, household_changes, households_cleared, &deferred).err();
        }
        if failed.is_some() {
            let _ = tx.abort();
        }
        Ok(Pending {
            tx,
            done,
            failed,
            deferred,
        })
    }

    /// Runs one read request on `store`'s `index` in a read-only transaction.
    async fn query_index(
        &self,
        store: &str,
        index: &str,
        request: impl FnOnce(&web_sys::IdbIndex) -> Result<web_sys::IdbRequest, JsValue>,
    ) -> Result<JsValue, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let req = tx
            .object_store(store)
            .and_then(|s| s.index(index))
            .and_then(|i| request(&i))
            .map_err(DbError::from_js)?;
        idb::request_done(&req).await
    }

    /// Primary keys of `store` whose `index` equals `key`, in key order.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn keys_by_index(&self, store: &str, index: &str, key: &JsValue) -> Result<Vec<u32>, DbError> {
        let value = self
            .query_index(store, index, |i| i.get_all_keys_with_key(key))
            .await?;
        Ok(numbers(&value))
    }

    /// Primary keys of `store` whose string `index` starts with `prefix`.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn keys_by_prefix(&self, store: &str, index: &str, prefix: &str) -> Result<Vec<u32>, DbError> {
        let range = web_sys::IdbKeyRange::bound(
            &JsValue::from_str(prefix),
            &JsValue::from_str(&format!("{prefix}\u{ffff}")),
        )
        .map_err(DbError::from_js)?;
        let value = self
            .query_index(store, index, |i| i.get_all_keys_with_key(&range))
            .await?;
        let mut keys = numbers(&value);
        keys.sort_unstable();
        keys.dedup();
        Ok(keys)
    }

    /// The largest numeric primary key of `store`, or 0 when it is empty.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn max_key(&self, store: &str) -> Result<u32, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let req = tx
            .object_store(store)
            .and_then(|s| {
                s.open_key_cursor_with_range_and_direction(&JsValue::NULL, web_sys::IdbCursorDirection::Prev)
            })
            .map_err(DbError::from_js)?;
        let cursor = idb::request_done(&req).await?;
        if cursor.is_null() {
            return Ok(0);
        }
        let cursor: web_sys::IdbCursor = cursor.unchecked_into();
        Ok(cursor.key().ok().and_then(|k| k.as_f64()).unwrap_or(0.0) as u32)
    }

    /// One record by primary key.
    ///
    /// # Errors
    ///
    /// As [`Db::get_all`].
    pub async fn get<T: DeserializeOwned>(&self, store: &str, key: &JsValue) -> Result<Option<T>, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let req = tx
            .object_store(store)
            .and_then(|s| s.get(key))
            .map_err(DbError::from_js)?;
        let value = idb::request_done(&req).await?;
        if value.is_undefined() {
            Ok(None)
        } else {
            schema::from_js(store, &value).map(Some)
        }
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
        let value = self
            .query_index(store, index, |i| i.get_all_with_key(key))
            .await?;
        from_array(store, &value)
    }

    /// Every household, in id order.
    ///
    /// # Errors
    ///
    /// As [`Db::get_all`].
    pub async fn households(&self) -> Result<Vec<Household>, DbError> {
        self.check_open()?;
        let store = households::STORE;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let req = tx
            .object_store(store)
            .and_then(|s| s.get_all())
            .map_err(DbError::from_js)?;
        let value = idb::request_done(&req).await?;
        pages_to_households(&value)
    }

    /// One household by id.
    ///
    /// # Errors
    ///
    /// As [`Db::get_all`].
    pub async fn household(&self, id: u32) -> Result<Option<Household>, DbError> {
        self.check_open()?;
        let store = households::STORE;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let req = tx
            .object_store(store)
            .and_then(|s| s.get(&JsValue::from(households::page_of(id))))
            .map_err(DbError::from_js)?;
        let value = idb::request_done(&req).await?;
        Ok(households::page_households(&value)?
            .into_iter()
            .find(|h| h.id == id))
    }

    /// Ids of the households matching `query`, ascending: one index query
    /// for the pages that hold a match, then the match within them.
    ///
    /// # Errors
    ///
    /// As [`Db::get_all`].
    pub async fn household_ids(&self, query: &HouseholdQuery) -> Result<Vec<u32>, DbError> {
        let key = query.key()?;
        let value = self
            .query_index(households::STORE, query.index(), |i| i.get_all_with_key(&key))
            .await?;
        let arr: &Array = value.unchecked_ref();
        let mut ids = Vec::new();
        for page in arr.iter() {
            ids.extend(
                households::page_households(&page)?
                    .iter()
                    .filter(|h| query.matches(h))
                    .map(|h| h.id),
            );
        }
        // A range over a multi-entry index returns a page once per matching entry.
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// The pages (ascending) holding at least one household matching
    /// `query`: one `getAllKeys` on the query's index. Callers that hold the
    /// households in memory check [`HouseholdQuery::matches`] on those pages.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn household_pages(&self, query: &HouseholdQuery) -> Result<Vec<u32>, DbError> {
        let key = query.key()?;
        let value = self
            .query_index(households::STORE, query.index(), |i| {
                i.get_all_keys_with_key(&key)
            })
            .await?;
        let mut pages = numbers(&value);
        pages.sort_unstable();
        pages.dedup();
        Ok(pages)
    }

    /// The largest household id, or 0 when there is none.
    ///
    /// # Errors
    ///
    /// As [`Db::get_all`].
    pub async fn max_household_id(&self) -> Result<u32, DbError> {
        self.check_open()?;
        let store = households::STORE;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let req = tx
            .object_store(store)
            .and_then(|s| {
                s.open_cursor_with_range_and_direction(&JsValue::NULL, web_sys::IdbCursorDirection::Prev)
            })
            .map_err(DbError::from_js)?;
        let cursor = idb::request_done(&req).await?;
        if cursor.is_null() {
            return Ok(0);
        }
        let cursor: web_sys::IdbCursorWithValue = cursor.unchecked_into();
        let value = cursor.value().map_err(DbError::from_js)?;
        Ok(households::page_households(&value)?
            .iter()
            .map(|h| h.id)
            .max()
            .unwrap_or(0))
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
}

/// Issues the household changes of a batch inside `tx`, page by page.
///
/// When the batch cleared the households, every touched page is new and is
/// written at once. Otherwise each page is read and, in the read's success
/// handler (still inside the transaction, no other await), the changes are
/// applied and the page is written back, or deleted when it became empty.
/// A failure there is kept in `deferred` and aborts the transaction.
fn issue_household_changes(
    tx: &web_sys::IdbTransaction,
    changes: Vec<Change>,
    cleared: bool,
    deferred: &Rc<RefCell<Option<DbError>>>,
) -> Result<(), DbError> {
    let store = tx.object_store(households::STORE).map_err(DbError::from_js)?;
    let pages: BTreeMap<u32, Vec<Change>> = households::by_page(changes);
    for (page, changes) in pages {
        if cleared {
            let mut list = Vec::new();
            households::apply(&mut list, changes)?;
            if !list.is_empty() {
                store
                    .put(&households::page_js(page, &list)?)
                    .map_err(DbError::from_js)?;
            }
            continue;
        }
        let req = store.get(&JsValue::from(page)).map_err(DbError::from_js)?;
        let r = req.clone();
        let s = store.clone();
        let t = tx.clone();
        let d = deferred.clone();
        let on_read = wasm_bindgen::closure::Closure::once_into_js(move |_e: web_sys::Event| {
            let write = || -> Result<(), DbError> {
                let current = r.result().map_err(DbError::from_js)?;
                let mut list = households::page_households(&current)?;
                households::apply(&mut list, changes)?;
                if list.is_empty() {
                    s.delete(&JsValue::from(page)).map_err(DbError::from_js)?;
                } else {
                    s.put(&households::page_js(page, &list)?)
                        .map_err(DbError::from_js)?;
                }
                Ok(())
            };
            if let Err(e) = write() {
                d.borrow_mut().get_or_insert(e);
                let _ = t.abort();
            }
        });
        req.set_onsuccess(Some(on_read.unchecked_ref()));
    }
    Ok(())
}

fn store_list() -> JsValue {
    STORE_NAMES
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

fn pages_to_households(value: &JsValue) -> Result<Vec<Household>, DbError> {
    let arr: &Array = value.unchecked_ref();
    let mut out = Vec::new();
    for page in arr.iter() {
        out.extend(households::page_households(&page)?);
    }
    Ok(out)
}

fn from_array<T: DeserializeOwned>(store: &str, value: &JsValue) -> Result<Vec<T>, DbError> {
    let arr: &Array = value.unchecked_ref();
    arr.iter().map(|v| schema::from_js(store, &v)).collect()
}

/// A write transaction in flight (see [`Db::begin`]).
pub struct Pending {
    tx: web_sys::IdbTransaction,
    done: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), DbError>>>>,
    failed: Option<DbError>,
    /// An error found inside the transaction (a household page that did not
    /// decode, an `add` of a taken id); the transaction was aborted for it.
    deferred: Rc<RefCell<Option<DbError>>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").finish_non_exhaustive()
    }
}

impl Pending {
    /// A handle that aborts the transaction (nothing is written).
    pub fn abort_handle(&self) -> web_sys::IdbTransaction {
        self.tx.clone()
    }

    /// Waits for the transaction to complete.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or `AbortError` if it was
    /// aborted; nothing was written in either case.
    pub async fn finish(self) -> Result<(), DbError> {
        let result = self.done.await;
        let deferred = self.deferred.borrow_mut().take();
        match self.failed.or(deferred) {
            Some(e) => Err(e),
            None => result,
        }
    }
}

fn numbers(value: &JsValue) -> Vec<u32> {
    let arr: &Array = value.unchecked_ref();
    arr.iter().filter_map(|k| k.as_f64()).map(|k| k as u32).collect()
}

#[derive(Debug)]
enum Op {
    Clear,
    Put(JsValue),
    Add(JsValue),
    Delete(JsValue),
}

/// Changes to write together in one transaction ([`Db::commit`]).
///
/// Records are converted to JS values when added, so the transaction itself
/// has nothing left to compute.
///
/// Household changes ([`Batch::put_household`] and friends) are applied after
/// the batch's other operations, each to its page: the page is read and
/// rewritten inside the same transaction (no other await), or written
/// directly when the batch cleared the households first.
#[derive(Debug, Default)]
pub struct Batch {
    ops: Vec<(&'static str, Op)>,
    household_changes: Vec<Change>,
    households_cleared: bool,
}

impl Batch {
    /// Adds a put (insert or replace) of `record` into `store`.
    ///
    /// # Errors
    ///
    /// [`DbError::Decode`] if the record cannot be represented.
    pub fn put<T: Serialize>(&mut self, store: &'static str, record: &T) -> Result<&mut Self, DbError> {
        self.ops.push((store, Op::Put(schema::to_js(store, record)?)));
        Ok(self)
    }

    /// Adds an insert of a new `record` into `store`; the whole batch fails
    /// with `ConstraintError` if its key is taken (never overwrites).
    ///
    /// # Errors
    ///
    /// [`DbError::Decode`] if the record cannot be represented.
    pub fn add<T: Serialize>(&mut self, store: &'static str, record: &T) -> Result<&mut Self, DbError> {
        self.ops.push((store, Op::Add(schema::to_js(store, record)?)));
        Ok(self)
    }

    /// Adds a delete of the record keyed `key` from `store`.
    pub fn delete(&mut self, store: &'static str, key: impl Into<JsValue>) -> &mut Self {
        self.ops.push((store, Op::Delete(key.into())));
        self
    }

    /// Adds a clear of `store`.
    pub fn clear(&mut self, store: &'static str) -> &mut Self {
        if store == households::STORE {
            debug_assert!(
                self.household_changes.is_empty(),
                "clear the households before changing them"
            );
            self.households_cleared = true;
        }
        self.ops.push((store, Op::Clear));
        self
    }

    /// Adds a put (insert or replace) of a household.
    pub fn put_household(&mut self, h: &Household) -> &mut Self {
        self.household_changes.push(Change::Put(h.clone()));
        self
    }

    /// Adds an insert of a new household; the whole batch fails with
    /// `ConstraintError` if its id is taken.
    pub fn add_household(&mut self, h: &Household) -> &mut Self {
        self.household_changes.push(Change::Add(h.clone()));
        self
    }

    /// Adds a delete of household `id`.
    pub fn delete_household(&mut self, id: u32) -> &mut Self {
        self.household_changes.push(Change::Delete(id));
        self
    }

    /// Adds a put of a raw stored object (tests of old layouts).
    #[doc(hidden)]
    pub fn put_raw(&mut self, store: &'static str, value: JsValue) -> &mut Self {
        self.ops.push((store, Op::Put(value)));
        self
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len() + self.household_changes.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds puts of every record of `d`.
    ///
    /// # Errors
    ///
    /// As [`Batch::put`].
    pub fn put_dataset(&mut self, d: &Dataset) -> Result<&mut Self, DbError> {
        fn all<T: Serialize>(b: &mut Batch, store: &'static str, v: &[T]) -> Result<(), DbError> {
            b.ops.reserve(v.len());
            for r in v {
                b.put(store, r)?;
            }
            Ok(())
        }
        all(self, "settings", &d.settings)?;
        all(self, "grids", &d.grids)?;
        all(self, "buildings", &d.buildings)?;
        self.household_changes.reserve(d.households.len());
        for h in &d.households {
            self.put_household(h);
        }
        all(self, "resources", &d.resources)?;
        all(self, "allocation_runs", &d.allocation_runs)?;
        all(self, "proposals", &d.proposals)?;
        all(self, "ballots", &d.ballots)?;
        all(self, "activities", &d.activities)?;
        all(self, "points_ledger", &d.points_ledger)?;
        all(self, "timebank_ledger", &d.timebank_ledger)?;
        all(self, "requests", &d.requests)?;
        all(self, "plans", &d.plans)?;
        all(self, "spending", &d.spending)?;
        all(self, "snapshots", &d.snapshots)?;
        all(self, "audit_log", &d.audit_log)?;
        Ok(self)
    }
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
