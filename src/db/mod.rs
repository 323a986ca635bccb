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

pub mod allocation;
pub mod cipher;
pub mod cockpit;
mod community;
pub mod couch;
pub mod dashboard;
mod dataset;
pub mod decisions;
pub mod device;
mod guarded;
mod history;
pub mod households;
mod idb;
pub mod needs;
pub mod participation;
pub mod pb;
pub mod plans;
pub mod register;
pub mod replica;
pub mod requests;
pub mod schema;
pub mod settings;
mod sync;
pub mod vault;
pub mod workshop;
mod write;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Array;
use linli_domain::dataset::STORE_NAMES;
use linli_domain::model::Household;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbDatabase;

pub use self::guarded::{Read, ReadResults};
pub use self::households::HouseholdQuery;
pub use self::idb::DbError;
pub use self::schema::{Migration, MIGRATIONS};
use self::write::AUDIT_STORE;
pub use self::write::{history_entry, Batch, Pending};

pub use self::community::{
    adopt_legacy, community_db_name, name_for_base, Adoption, CLAIM_KEY, LEGACY_DB_NAME,
};

/// An open database. Not `Send`: keep it in `StoredValue::new_local` or a
/// `LocalResource`.
#[derive(Clone, Debug)]
pub struct Db {
    inner: IdbDatabase,
    /// Set when another tab asked to upgrade the schema and this connection
    /// closed itself; every later call fails with `VersionChangedElsewhere`.
    closed: Rc<RefCell<bool>>,
    /// Set while the acting guide is a read-only auditor: every write is
    /// refused with [`DbError::ReadOnly`] before a transaction starts.
    read_only: Rc<std::cell::Cell<bool>>,
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
        Ok(Self {
            inner,
            closed,
            read_only: Rc::default(),
        })
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

    /// Refuses (or allows again) every write on this connection: the
    /// session sets it for a read-only auditor.
    pub fn set_read_only(&self, read_only: bool) {
        self.read_only.set(read_only);
    }

    /// Whether writes are refused ([`Db::set_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only.get()
    }

    fn check_writable(&self) -> Result<(), DbError> {
        self.check_open()?;
        if self.read_only.get() {
            Err(DbError::ReadOnly)
        } else {
            Ok(())
        }
    }

    fn check_open(&self) -> Result<(), DbError> {
        if *self.closed.borrow() {
            Err(DbError::VersionChangedElsewhere)
        } else {
            Ok(())
        }
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

    /// The largest numeric primary key of `store` in this device's id space, or the
    /// space's base when the device made none there ([`device::largest`]): one more is
    /// this device's next id.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn max_key(&self, store: &str) -> Result<u32, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(store).map_err(DbError::from_js)?;
        let range = device::key_range(0)?;
        let req = tx
            .object_store(store)
            .and_then(|s| {
                s.open_key_cursor_with_range_and_direction(&range, web_sys::IdbCursorDirection::Prev)
            })
            .map_err(DbError::from_js)?;
        let cursor = idb::request_done(&req).await?;
        Ok(device::largest(cursor_key(&cursor)))
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
        let range = device::key_range(households::PAGE_BITS)?;
        let req = tx
            .object_store(store)
            .and_then(|s| s.open_cursor_with_range_and_direction(&range, web_sys::IdbCursorDirection::Prev))
            .map_err(DbError::from_js)?;
        let cursor = idb::request_done(&req).await?;
        if cursor.is_null() || cursor.is_undefined() {
            return Ok(device::largest(None));
        }
        let cursor: web_sys::IdbCursorWithValue = cursor.unchecked_into();
        let value = cursor.value().map_err(DbError::from_js)?;
        let (lo, hi) = device::bounds();
        Ok(device::largest(
            households::page_households(&value)?
                .iter()
                .map(|h| h.id)
                .filter(|id| (lo..=hi).contains(id))
                .max(),
        ))
    }
}

/// The key of a cursor request's result (`None` at the end or for a key that is no number).
pub(crate) fn cursor_key(cursor: &JsValue) -> Option<u32> {
    if cursor.is_null() || cursor.is_undefined() {
        return None;
    }
    let c: &web_sys::IdbCursor = cursor.unchecked_ref();
    c.key().ok().and_then(|k| k.as_f64()).map(|k| k as u32)
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

fn numbers(value: &JsValue) -> Vec<u32> {
    let arr: &Array = value.unchecked_ref();
    arr.iter().filter_map(|k| k.as_f64()).map(|k| k as u32).collect()
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
