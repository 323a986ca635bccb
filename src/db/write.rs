//! Writes: a [`Batch`] built in memory, issued inside **one** read-write
//! transaction with no other `await` ([`Db::commit`], [`Db::begin`]); "saved"
//! only after the transaction's `complete` event. Household pages and audit
//! ids are read and written inside that same transaction.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::Array;
use linli_domain::dataset::{Dataset, STORE_NAMES};
use linli_domain::model::{AuditEntry, Household};
use linli_domain::replication::local::SYNC_SETTING;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbTransactionMode;

use super::households::{self, Change};
use super::{idb, schema, Db, DbError};

impl Db {
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
        batch.clear(super::replica::STORE);
        batch.put_dataset(dataset)?;
        self.commit(batch).await
    }

    /// [`Db::replace_all`] plus one history entry saying who replaced the data
    /// and how (restore, demo reload, clear), recorded in the same transaction
    /// after the replaced history, so a restore keeps the backup's history and
    /// adds itself to it.
    ///
    /// # Errors
    ///
    /// As [`Db::replace_all`]; nothing changed then.
    pub async fn replace_all_recorded(&self, dataset: &Dataset, entry: AuditEntry) -> Result<(), DbError> {
        let mut batch = Batch::default();
        for name in STORE_NAMES {
            batch.clear(name);
        }
        batch.clear(super::replica::STORE);
        batch.put_dataset(dataset)?;
        batch.audit(entry);
        self.commit(batch).await
    }

    /// Writes `changes` (puts of new and changed records, deletes) in one transaction,
    /// without a history entry: a sync run writes what the merge changed, not every
    /// record ([`linli_domain::dataset::Dataset::changes_to`]), and with them the replica's
    /// documents it changed and its meta (`super::replica`). Nothing is written for
    /// empty changes and no replica.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's name; nothing changed then.
    pub async fn write_changes(
        &self,
        changes: &linli_domain::dataset::Changes,
        replica: Option<&linli_domain::replication::local::Parts>,
    ) -> Result<(), DbError> {
        use linli_domain::dataset::StoreKey;
        if changes.is_empty() && replica.is_none() {
            return Ok(());
        }
        let mut batch = Batch::default();
        if let Some(parts) = replica {
            batch.put_replica(parts)?;
        }
        batch.put_dataset(&changes.puts)?;
        for (store, key) in &changes.deletes {
            match (*store, key) {
                (households::STORE, StoreKey::Id(id)) => {
                    batch.delete_household(*id);
                }
                (_, StoreKey::Id(id)) => {
                    batch.delete(store, JsValue::from(*id));
                }
                (_, StoreKey::Name(name)) => {
                    batch.delete(store, JsValue::from_str(name));
                }
            }
        }
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
        self.check_writable()?;
        let mut stores: Vec<&str> = batch.ops.iter().map(|(s, _)| *s).collect();
        if !batch.household_changes.is_empty() {
            stores.push(households::STORE);
        }
        if !batch.audits.is_empty() {
            stores.push(AUDIT_STORE);
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
            audits,
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
        if failed.is_none() && !audits.is_empty() {
            failed = issue_audits(&tx, audits, &deferred).err();
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

/// A history entry for [`Batch::audit`] (its id is chosen on commit).
pub fn history_entry(
    at: linli_domain::model::Millis,
    actor: String,
    entity: &str,
    entity_id: u32,
    action: &str,
    summary: String,
) -> AuditEntry {
    AuditEntry {
        id: 0,
        at,
        actor,
        entity: entity.into(),
        entity_id,
        action: action.into(),
        summary,
    }
}

/// The change-history store.
pub(crate) const AUDIT_STORE: &str = "audit_log";

/// Issues the audit entries of a batch inside `tx`: reads the largest audit
/// id with a key cursor and, in its success handler (still inside the
/// transaction, no other await), adds the entries with the ids after it.
/// A failure there is kept in `deferred` and aborts the transaction.
pub(super) fn issue_audits(
    tx: &web_sys::IdbTransaction,
    audits: Vec<AuditEntry>,
    deferred: &Rc<RefCell<Option<DbError>>>,
) -> Result<(), DbError> {
    let store = tx.object_store(AUDIT_STORE).map_err(DbError::from_js)?;
    let range = super::device::key_range(0)?;
    let req = store
        .open_key_cursor_with_range_and_direction(&range, web_sys::IdbCursorDirection::Prev)
        .map_err(DbError::from_js)?;
    let r = req.clone();
    let t = tx.clone();
    let d = deferred.clone();
    let on_read = wasm_bindgen::closure::Closure::once_into_js(move |_e: web_sys::Event| {
        let write = || -> Result<(), DbError> {
            let cursor = r.result().map_err(DbError::from_js)?;
            let max = super::device::largest(super::cursor_key(&cursor));
            for (i, mut entry) in audits.into_iter().enumerate() {
                entry.id = max + 1 + i as u32;
                store
                    .add(&schema::to_js(AUDIT_STORE, &entry)?)
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
    Ok(())
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

#[derive(Debug)]
pub(super) enum Op {
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
    pub(super) ops: Vec<(&'static str, Op)>,
    pub(super) household_changes: Vec<Change>,
    pub(super) households_cleared: bool,
    /// Audit entries whose ids are chosen inside the write transaction.
    pub(super) audits: Vec<AuditEntry>,
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

    /// Adds an entry to the change history. Its `id` is ignored: the next
    /// free audit id is read and assigned **inside** the write transaction
    /// (after the batch's other writes), so two tabs saving at once never
    /// choose the same id. Entries of one batch get consecutive ids in order.
    pub fn audit(&mut self, entry: AuditEntry) -> &mut Self {
        self.audits.push(entry);
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
        self.ops.len() + self.household_changes.len() + self.audits.len()
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
        // The replica goes to its own store, one entry per document (`super::replica`).
        for st in &d.settings {
            if st.key == SYNC_SETTING {
                self.replace_replica(&st.value)?;
                self.delete("settings", JsValue::from_str(SYNC_SETTING));
            } else {
                self.put("settings", st)?;
            }
        }
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
        all(self, "decisions", &d.decisions)?;
        all(self, "snapshots", &d.snapshots)?;
        all(self, "audit_log", &d.audit_log)?;
        Ok(self)
    }
}
