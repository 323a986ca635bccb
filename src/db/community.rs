//! One database per community, and the one-time adoption of the legacy
//! origin-wide database (issue #15, item 6).
//!
//! **Naming rule.** The community is not known before its database is open,
//! so the name comes from where the workspace is deployed: `linli:` followed
//! by the path of the document's base URL up to its last `/`
//! (`https://host/community-a/#/settings` → `linli:/community-a/`). Routes are
//! in the fragment, so every page of one deployment shares one name; two
//! deployments on one origin (`/community-a/`, `/community-b/`) never do.
//! IndexedDB is already separated per origin, so the origin is not repeated.
//!
//! **Legacy adoption.** Before #15 every deployment on an origin used the one
//! database `linli`. When a community's own database is opened and holds no
//! record at all, and a `linli` database with the app's stores exists:
//! 1. `linli` is opened with the current [`super::MIGRATIONS`] (an older
//!    layout is upgraded in place, exactly as the old app would have);
//! 2. it is *claimed*: the setting [`CLAIM_KEY`] naming the new database is
//!    `add`ed to its `settings` store (an `add` fails when the key exists, so
//!    of two deployments opening at the same moment only one claims it; a
//!    claim by another name means the register is someone else's and it is
//!    left alone; a claim by this name resumes an interrupted adoption);
//! 3. every record of every store is read in one read-only transaction and
//!    written into the new database in **one** read-write transaction;
//! 4. the new database's per-store counts are compared with the copied ones
//!    (a mismatch empties the new database again and fails the open, so the
//!    next start retries and nothing is half-adopted);
//! 5. only then is `linli` deleted. The deletion is not awaited (a tab of an
//!    old build holding `linli` open delays it); until it completes the claim
//!    keeps every other deployment from taking the register.

use std::rc::Rc;

use js_sys::{Array, Reflect};
use linli_domain::model::Setting;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbTransactionMode, IdbVersionChangeEvent};

use super::{idb, schema, Db, DbError, MIGRATIONS};

/// The legacy, origin-wide database name (before #15).
pub const LEGACY_DB_NAME: &str = "linli";

/// Setting written into the legacy database: the name of the database that
/// adopted it.
pub const CLAIM_KEY: &str = "linli.migrated_to";

/// The database name for a document whose base URL is `base`:
/// `linli:` + the URL's path up to and including its last `/`.
///
/// ```text
/// https://h/community-a/#/x        → linli:/community-a/
/// https://h/community-a/index.html → linli:/community-a/
/// https://h/                       → linli:/
/// ```
pub fn name_for_base(base: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let rest = rest.split(['#', '?']).next().unwrap_or_default();
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    format!("linli:{dir}")
}

/// The name of this deployment's database (see the module docs).
pub fn community_db_name() -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .or_else(|| web_sys::window().and_then(|w| w.location().href().ok()))
        .unwrap_or_default();
    name_for_base(&base)
}

/// What [`adopt_legacy`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adoption {
    /// No legacy database (or not one of ours).
    NoLegacy,
    /// The legacy database was adopted by another deployment (its name).
    ClaimedBy(String),
    /// Every record was copied: `(store, records)`.
    Copied(Vec<(String, u32)>),
}

fn legacy_err(e: DbError) -> DbError {
    match e {
        DbError::Browser { name, message } => DbError::Browser {
            name,
            message: format!("legacy database \"{LEGACY_DB_NAME}\": {message}"),
        },
        other => other,
    }
}

/// Opens `name` without a version and without creating it: `None` when it
/// does not exist (the creating upgrade is aborted, which removes it again).
async fn open_existing(name: &str) -> Result<Option<IdbDatabase>, DbError> {
    let factory = web_sys::window()
        .ok_or(DbError::Unavailable)?
        .indexed_db()
        .map_err(DbError::from_js)?
        .ok_or(DbError::Unavailable)?;
    let req: IdbOpenDbRequest = factory.open(name).map_err(DbError::from_js)?;
    let r = req.clone();
    let on_upgrade = Closure::once_into_js(move |e: IdbVersionChangeEvent| {
        if e.old_version() == 0.0 {
            if let Some(tx) = r.transaction() {
                let _ = tx.abort();
            }
        }
    });
    req.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    match idb::request_done(req.unchecked_ref()).await {
        Ok(v) => Ok(Some(v.unchecked_into())),
        Err(e) if e.name() == "AbortError" => Ok(None),
        Err(e) => Err(e),
    }
}

fn store_names(db: &IdbDatabase) -> Vec<String> {
    let list = db.object_store_names();
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

fn names_js(names: &[String]) -> JsValue {
    names
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

/// Record counts of `stores` in one read-only transaction.
pub(super) async fn raw_counts(db: &IdbDatabase, stores: &[String]) -> Result<Vec<u32>, DbError> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let tx = db
        .transaction_with_str_sequence(&names_js(stores))
        .map_err(DbError::from_js)?;
    let mut reqs = Vec::with_capacity(stores.len());
    for s in stores {
        reqs.push(
            tx.object_store(s)
                .and_then(|o| o.count())
                .map_err(DbError::from_js)?,
        );
    }
    let mut out = Vec::with_capacity(reqs.len());
    for r in &reqs {
        out.push(idb::request_done(r).await?.as_f64().unwrap_or(0.0) as u32);
    }
    Ok(out)
}

/// Claims the legacy database for `name`: `Ok(None)` when claimed now or
/// earlier by `name`, `Ok(Some(other))` when another deployment has it.
async fn claim(legacy: &IdbDatabase, name: &str) -> Result<Option<String>, DbError> {
    let marker = schema::to_js(
        "settings",
        &Setting {
            key: CLAIM_KEY.to_owned(),
            value: name.to_owned(),
        },
    )?;
    let tx = legacy
        .transaction_with_str_and_mode("settings", IdbTransactionMode::Readwrite)
        .map_err(DbError::from_js)?;
    let done = idb::transaction_done(&tx);
    let req = tx
        .object_store("settings")
        .and_then(|s| s.add(&marker))
        .map_err(DbError::from_js)?;
    // A failed `add` (the key exists) aborts the transaction: nothing written.
    let added = idb::request_done(&req).await;
    let _ = done.await;
    match added {
        Ok(_) => Ok(None),
        Err(e) if e.name() == "ConstraintError" => {
            let tx = legacy
                .transaction_with_str("settings")
                .map_err(DbError::from_js)?;
            let req = tx
                .object_store("settings")
                .and_then(|s| s.get(&JsValue::from_str(CLAIM_KEY)))
                .map_err(DbError::from_js)?;
            let v = idb::request_done(&req).await?;
            let owner: Setting = schema::from_js("settings", &v)?;
            Ok((owner.value != name).then_some(owner.value))
        }
        Err(e) => Err(e),
    }
}

fn is_claim(store: &str, record: &JsValue) -> bool {
    store == "settings"
        && Reflect::get(record, &JsValue::from_str("key"))
            .ok()
            .and_then(|k| k.as_string())
            .is_some_and(|k| k == CLAIM_KEY)
}

/// Adopts the legacy `linli` database into `new` (named `name`), which must
/// hold no record. See the module docs for the steps and guarantees.
///
/// # Errors
///
/// [`DbError`] naming the legacy database when it cannot be opened (for
/// example `VersionError`: it was written by a newer app), read, copied, or
/// when the copied counts differ (the new database is emptied again then).
pub async fn adopt_legacy(
    new: &Db,
    name: &str,
    on_blocked: impl Fn() + 'static,
) -> Result<Adoption, DbError> {
    let Some(probe) = open_existing(LEGACY_DB_NAME).await.map_err(legacy_err)? else {
        return Ok(Adoption::NoLegacy);
    };
    let ours = store_names(&probe).iter().any(|s| s == "settings");
    probe.close();
    if !ours {
        return Ok(Adoption::NoLegacy);
    }
    let legacy = idb::open(LEGACY_DB_NAME, MIGRATIONS, on_blocked)
        .await
        .map_err(legacy_err)?;
    let result = copy(&legacy, new, name).await;
    legacy.close();
    if matches!(result, Ok(Adoption::Copied(_))) {
        // Not awaited: a tab of an old build holding `linli` open delays the
        // deletion until it closes; the claim guards the register meanwhile.
        wasm_bindgen_futures::spawn_local(async {
            let _ = idb::delete(LEGACY_DB_NAME).await;
        });
    }
    result.map_err(legacy_err)
}

async fn copy(legacy: &IdbDatabase, new: &Db, name: &str) -> Result<Adoption, DbError> {
    if let Some(other) = claim(legacy, name).await? {
        return Ok(Adoption::ClaimedBy(other));
    }
    let stores = store_names(legacy);
    let target = store_names(&new.inner);
    if let Some(missing) = stores.iter().find(|s| !target.contains(s)) {
        return Err(DbError::Decode {
            store: missing.clone(),
            reason: format!(
                "the legacy database \"{LEGACY_DB_NAME}\" has a store this version does not know"
            ),
        });
    }
    // Read everything in one read-only transaction.
    let tx = legacy
        .transaction_with_str_sequence(&names_js(&stores))
        .map_err(DbError::from_js)?;
    let mut reqs = Vec::with_capacity(stores.len());
    for s in &stores {
        reqs.push(
            tx.object_store(s)
                .and_then(|o| o.get_all())
                .map_err(DbError::from_js)?,
        );
    }
    let mut records: Vec<Vec<JsValue>> = Vec::with_capacity(reqs.len());
    for (s, r) in stores.iter().zip(&reqs) {
        let arr: Array = idb::request_done(r).await?.unchecked_into();
        records.push(arr.iter().filter(|v| !is_claim(s, v)).collect());
    }
    // Write everything in one read-write transaction of the new database.
    new.check_open()?;
    let tx = new
        .inner
        .transaction_with_str_sequence_and_mode(&names_js(&stores), IdbTransactionMode::Readwrite)
        .map_err(DbError::from_js)?;
    let done = idb::transaction_done(&tx);
    let issued = (|| -> Result<(), JsValue> {
        for (s, rs) in stores.iter().zip(&records) {
            let store = tx.object_store(s)?;
            for v in rs {
                store.put(v)?;
            }
        }
        Ok(())
    })();
    if let Err(e) = issued {
        let _ = tx.abort();
        let _ = done.await;
        return Err(DbError::from_js(e));
    }
    done.await?;
    // Verify: every store holds exactly what was copied.
    let counts = raw_counts(&new.inner, &stores).await?;
    let expected: Vec<u32> = records.iter().map(|r| r.len() as u32).collect();
    if let Some(i) = (0..stores.len()).find(|&i| counts[i] != expected[i]) {
        clear(&new.inner, &stores).await?;
        return Err(DbError::Decode {
            store: stores[i].clone(),
            reason: format!(
                "copied {} records from the legacy database \"{LEGACY_DB_NAME}\" but {} are stored; nothing adopted",
                expected[i], counts[i]
            ),
        });
    }
    Ok(Adoption::Copied(stores.into_iter().zip(expected).collect()))
}

async fn clear(db: &IdbDatabase, stores: &[String]) -> Result<(), DbError> {
    let tx = db
        .transaction_with_str_sequence_and_mode(&names_js(stores), IdbTransactionMode::Readwrite)
        .map_err(DbError::from_js)?;
    let done = idb::transaction_done(&tx);
    for s in stores {
        tx.object_store(s)
            .and_then(|o| o.clear())
            .map_err(DbError::from_js)?;
    }
    done.await
}

impl Db {
    /// Opens this deployment's database ([`community_db_name`]), adopting the
    /// legacy `linli` database on its first open (see the module docs).
    ///
    /// # Errors
    ///
    /// As [`Db::open`], and [`adopt_legacy`]'s errors.
    pub async fn open_community(
        on_blocked: impl Fn() + 'static,
        on_version_change: impl Fn() + 'static,
    ) -> Result<Self, DbError> {
        let name = community_db_name();
        let on_blocked = Rc::new(on_blocked);
        let b = on_blocked.clone();
        let db = Self::open(&name, move || b(), on_version_change).await?;
        let stores = db.store_names();
        let empty = raw_counts(&db.inner, &stores).await?.iter().all(|n| *n == 0);
        if empty {
            adopt_legacy(&db, &name, move || on_blocked()).await?;
        }
        Ok(db)
    }
}

#[cfg(test)]
mod tests {
    use super::name_for_base;

    #[test]
    fn names_follow_the_deployment_path() {
        assert_eq!(
            name_for_base("https://h.example/community-a/#/settings"),
            "linli:/community-a/"
        );
        assert_eq!(
            name_for_base("https://h.example/community-a/index.html?x=1"),
            "linli:/community-a/"
        );
        assert_eq!(
            name_for_base("http://127.0.0.1:8080/community-b/"),
            "linli:/community-b/"
        );
        assert_eq!(name_for_base("https://h.example"), "linli:/");
        assert_eq!(name_for_base("https://h.example/"), "linli:/");
        assert_ne!(
            name_for_base("https://h.example/community-a/"),
            name_for_base("https://h.example/community-b/")
        );
    }
}
