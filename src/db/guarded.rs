//! Checked writes: read, decide and write in **one** read-write transaction.
//!
//! Used where a rule must hold even with two tabs open (points balance and
//! catalogue stock, time-bank balance, request life cycle): IndexedDB runs
//! read-write transactions whose scopes overlap one after the other, so what
//! the decision reads cannot change before its writes land.
//!
//! The reads are issued together when the transaction starts; the success
//! handler of the last one (requests complete in order) hands every result to
//! the decision, which returns either the writes (a [`Batch`] of puts/adds) or a
//! refusal; a refusal aborts the transaction, so nothing is written. No other
//! `await` happens inside the transaction.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Array;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbTransactionMode;

use super::write::Op;
use super::{from_array, idb, schema, Batch, Db, DbError};

/// One read inside a checked write.
#[derive(Debug, Clone)]
pub enum Read {
    /// One record by primary key (`None` when absent).
    Get { store: &'static str, key: JsValue },
    /// Every record whose index equals `key`.
    Index {
        store: &'static str,
        index: &'static str,
        key: JsValue,
    },
    /// Every record of the store.
    All { store: &'static str },
    /// The largest numeric primary key in this device's id space (its base when none).
    MaxKey { store: &'static str },
}

impl Read {
    fn store(&self) -> &'static str {
        match self {
            Self::Get { store, .. }
            | Self::Index { store, .. }
            | Self::All { store }
            | Self::MaxKey { store } => store,
        }
    }
}

/// The results of the reads, in the order they were asked for.
#[derive(Debug)]
pub struct ReadResults {
    reads: Vec<Read>,
    values: Vec<JsValue>,
}

impl ReadResults {
    /// The records of read `i` (an `Index` or `All` read).
    ///
    /// # Errors
    ///
    /// [`DbError::Decode`] for a record that does not decode.
    pub fn records<T: DeserializeOwned>(&self, i: usize) -> Result<Vec<T>, DbError> {
        from_array(self.reads[i].store(), &self.values[i])
    }

    /// The record of read `i` (a `Get` read).
    ///
    /// # Errors
    ///
    /// [`DbError::Decode`] for a record that does not decode.
    pub fn record<T: DeserializeOwned>(&self, i: usize) -> Result<Option<T>, DbError> {
        let v = &self.values[i];
        if v.is_undefined() || v.is_null() {
            Ok(None)
        } else {
            schema::from_js(self.reads[i].store(), v).map(Some)
        }
    }

    /// The largest key of read `i` (a `MaxKey` read).
    /// In this device's id space: one more is this device's next id ([`super::device`]).
    pub fn max_key(&self, i: usize) -> u32 {
        super::device::largest(super::cursor_key(&self.values[i]))
    }
}

impl Db {
    /// Runs `reads`, then `decide` on their results, then its writes, all in one
    /// read-write transaction over the read stores and `write_stores`. Returns
    /// `Ok(Err(refusal))` when `decide` refused (nothing written), `Ok(Ok(v))` once
    /// the writes have completed.
    ///
    /// `decide` must only compute: it runs inside the transaction. Its batch may
    /// hold puts, adds and deletes of records (no household changes).
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or a decode error from `decide`;
    /// nothing was written in either case.
    pub async fn checked<T: 'static, E: 'static>(
        &self,
        write_stores: &[&'static str],
        reads: Vec<Read>,
        decide: impl FnOnce(&ReadResults) -> Result<Result<(Batch, T), E>, DbError> + 'static,
    ) -> Result<Result<T, E>, DbError> {
        self.check_writable()?;
        let mut stores: Vec<&str> = reads
            .iter()
            .map(Read::store)
            .chain(write_stores.iter().copied())
            .chain(std::iter::once(super::AUDIT_STORE))
            .collect();
        stores.sort_unstable();
        stores.dedup();
        let list: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let tx = self
            .inner
            .transaction_with_str_sequence_and_mode(&list, IdbTransactionMode::Readwrite)
            .map_err(DbError::from_js)?;
        let done = idb::transaction_done(&tx);
        let mut requests = Vec::with_capacity(reads.len());
        let issued = (|| -> Result<(), JsValue> {
            for r in &reads {
                let s = tx.object_store(r.store())?;
                let req = match r {
                    Read::Get { key, .. } => s.get(key)?,
                    Read::Index { index, key, .. } => s.index(index)?.get_all_with_key(key)?,
                    Read::All { .. } => s.get_all()?,
                    Read::MaxKey { .. } => s.open_key_cursor_with_range_and_direction(
                        &super::device::key_range(0).map_err(|e| JsValue::from_str(&format!("{e:?}")))?,
                        web_sys::IdbCursorDirection::Prev,
                    )?,
                };
                requests.push(req);
            }
            Ok(())
        })();
        if let Err(e) = issued {
            let _ = tx.abort();
            return Err(DbError::from_js(e));
        }
        type Outcome<T, E> = Rc<RefCell<Option<Result<Result<T, E>, DbError>>>>;
        let outcome: Outcome<T, E> = Rc::default();
        let out = outcome.clone();
        let t = tx.clone();
        let reqs = requests.clone();
        let deferred: Rc<RefCell<Option<DbError>>> = Rc::default();
        let def = deferred.clone();
        let on_read = move || {
            let results = ReadResults {
                values: reqs
                    .iter()
                    .map(|r| r.result().unwrap_or(JsValue::UNDEFINED))
                    .collect(),
                reads,
            };
            let result = match decide(&results) {
                Ok(Ok((batch, value))) => match issue(&t, batch, &def) {
                    Ok(()) => Ok(Ok(value)),
                    Err(e) => Err(e),
                },
                Ok(Err(refusal)) => Ok(Err(refusal)),
                Err(e) => Err(e),
            };
            if !matches!(result, Ok(Ok(_))) {
                let _ = t.abort();
            }
            *out.borrow_mut() = Some(result);
        };
        match requests.last() {
            Some(last) => {
                let cb = wasm_bindgen::closure::Closure::once_into_js(move |_e: web_sys::Event| on_read());
                last.set_onsuccess(Some(cb.unchecked_ref()));
            }
            None => on_read(),
        }
        let finished = done.await;
        if let Some(e) = deferred.borrow_mut().take() {
            return Err(e);
        }
        let decided = outcome.borrow_mut().take();
        match (decided, finished) {
            (Some(Ok(Ok(v))), Ok(())) => Ok(Ok(v)),
            (Some(Ok(Err(refusal))), _) => Ok(Err(refusal)),
            (Some(Err(e)), _) => Err(e),
            (_, Err(e)) => Err(e),
            (None, Ok(())) => Err(DbError::Aborted),
        }
    }
}

fn issue(
    tx: &web_sys::IdbTransaction,
    batch: Batch,
    deferred: &Rc<RefCell<Option<DbError>>>,
) -> Result<(), DbError> {
    if !batch.household_changes.is_empty() {
        return Err(DbError::Decode {
            store: super::households::STORE.to_owned(),
            reason: "checked writes do not change households".to_owned(),
        });
    }
    let Batch { ops, audits, .. } = batch;
    for (store, op) in ops {
        let s = tx.object_store(store).map_err(DbError::from_js)?;
        match op {
            Op::Put(v) => s.put(&v).map(drop),
            Op::Add(v) => s.add(&v).map(drop),
            Op::Delete(k) => s.delete(&k).map(drop),
            Op::Clear => s.clear().map(drop),
        }
        .map_err(DbError::from_js)?;
    }
    if !audits.is_empty() {
        super::write::issue_audits(tx, audits, deferred)?;
    }
    Ok(())
}
