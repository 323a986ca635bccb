//! The replica of continuous replication (issue #19), one entry per document in the
//! `replica` store (schema v5), beside the records the views query.
//!
//! Each entry is `{id, t}`: a bucket of documents ([`Parts::bucket`], by the first two
//! characters of the document ids, keyed hashes: 256 buckets) and their text as the
//! `_sync` setting holds them; the entry [`META`] holds the replica's name, sequence and
//! checkpoints. Buckets, not one entry per document: the first sync of the demo writes
//! 256 entries instead of 9,000 (measured in Chromium here: 67 ms against 1,064 ms),
//! and a run rewrites only the buckets of the documents it changed. Nothing here is personal: bodies are sealed with the
//! community's key before they reach the replica, ids are keyed hashes, so the store is
//! written as is, also in a protected workspace.
//!
//! A sync run reads the meta (a few hundred bytes) and, while it is the text the previous
//! run wrote, keeps the replica in memory; it writes only the documents the run changed
//! and the meta, in the transaction that writes the records ([`Db::write_changes`]).
//! Whole-dataset reads for backups and sync files add the replica back as the `_sync`
//! setting ([`Db::read_all_with_replica`]); whole-dataset writes that carry a `_sync`
//! setting replace the store with it ([`Batch::put_dataset`]), and replacing
//! everything clears it.

use js_sys::{Array, Object, Reflect};
use linli_domain::replication::local::{self, Parts, SYNC_SETTING};
use wasm_bindgen::{JsCast, JsValue};

use super::{idb, Batch, Db, DbError};

/// The store.
pub const STORE: &str = "replica";
/// The key of the replica's own fields (bucket keys start with `b:`).
pub const META: &str = "meta";

fn entry(id: &str, text: &str) -> Result<JsValue, DbError> {
    let o = Object::new();
    Reflect::set(&o, &"id".into(), &id.into()).map_err(DbError::from_js)?;
    Reflect::set(&o, &"t".into(), &text.into()).map_err(DbError::from_js)?;
    Ok(o.into())
}

fn field(v: &JsValue, name: &str) -> Result<String, DbError> {
    Reflect::get(v, &name.into())
        .ok()
        .and_then(|x| x.as_string())
        .ok_or_else(|| DbError::Decode {
            store: STORE.to_owned(),
            reason: format!("an entry without `{name}`"),
        })
}

fn state_error(e: local::LocalError) -> DbError {
    DbError::Decode {
        store: STORE.to_owned(),
        reason: e.to_string(),
    }
}

impl Batch {
    /// Adds puts of `parts` (the buckets, then the meta).
    ///
    /// # Errors
    ///
    /// [`DbError`] if an entry cannot be built.
    pub fn put_replica(&mut self, parts: &Parts) -> Result<&mut Self, DbError> {
        for (bucket, text) in &parts.buckets {
            self.put_raw(STORE, entry(bucket, text)?);
        }
        self.put_raw(STORE, entry(META, &parts.meta)?);
        Ok(self)
    }

    /// Adds a replacement of the replica by the one a `_sync` setting's text holds.
    ///
    /// # Errors
    ///
    /// [`DbError::Decode`] for a damaged text.
    pub fn replace_replica(&mut self, sync_text: &str) -> Result<&mut Self, DbError> {
        let parts = Parts::of_text(sync_text).map_err(state_error)?;
        self.clear(STORE);
        self.put_replica(&parts)
    }
}

impl Db {
    /// The replica's meta (`None` when this device has none in the store).
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn replica_meta(&self) -> Result<Option<String>, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(STORE).map_err(DbError::from_js)?;
        let req = tx
            .object_store(STORE)
            .and_then(|s| s.get(&META.into()))
            .map_err(DbError::from_js)?;
        let v = idb::request_done(&req).await?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        field(&v, "t").map(Some)
    }

    /// The whole replica (`None` when the store holds none).
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; [`DbError::Decode`] for a damaged entry.
    pub async fn replica(&self) -> Result<Option<linli_domain::replication::replicate::MemReplica>, DbError> {
        self.check_open()?;
        let tx = self.inner.transaction_with_str(STORE).map_err(DbError::from_js)?;
        let req = tx
            .object_store(STORE)
            .and_then(|s| s.get_all())
            .map_err(DbError::from_js)?;
        let all = idb::request_done(&req).await?;
        let arr: &Array = all.unchecked_ref();
        let mut meta = None;
        let mut buckets = Vec::with_capacity(arr.length() as usize);
        for v in arr.iter() {
            let t = field(&v, "t")?;
            if field(&v, "id")? == META {
                meta = Some(t);
            } else {
                buckets.push(t);
            }
        }
        match meta {
            None => Ok(None),
            Some(m) => Parts::join(&m, buckets).map(Some).map_err(state_error),
        }
    }

    /// [`Db::read_all`] with the replica as the `_sync` setting, the way backups and sync
    /// files carry it (and the CLI reads it).
    ///
    /// # Errors
    ///
    /// As [`Db::read_all`] and [`Db::replica`].
    pub async fn read_all_with_replica(&self) -> Result<linli_domain::dataset::Dataset, DbError> {
        let ds = self.read_all().await?;
        if ds.settings.iter().any(|s| s.key == SYNC_SETTING) {
            // Not moved into the store yet (a workspace from before v5's first sync run).
            return Ok(ds);
        }
        match self.replica().await? {
            None => Ok(ds),
            Some(state) => local::with_state(ds, &state).map_err(state_error),
        }
    }
}
