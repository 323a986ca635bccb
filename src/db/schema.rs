//! The IndexedDB schema as an ordered list of migrations.
//!
//! The database version equals `MIGRATIONS.len()`. A migration only ever adds
//! stores, indexes, or fields computed from existing records, or reshapes a
//! store keeping every record (v2: households into pages of 64, see
//! [`super::households`]; v3: plans and their spending into plan cases, see
//! [`linli_domain::plans::legacy`]). Each runs inside the browser's
//! `versionchange` transaction, so an upgrade either completes with every
//! record kept or does not happen at all.
//!
//! Derived index fields: IndexedDB can only index plain properties, so the
//! stored object of a household page carries extra fields starting with `_`
//! (for example `_needs`, the need category codes of its households). They
//! are added on write; reads use only the JSON text, so the domain types
//! never see them.

use js_sys::{Array, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbIndexParameters, IdbObjectStoreParameters, IdbTransaction};

use super::DbError;

/// One schema step: from version `n` to `n + 1`, where `n` is its index.
#[derive(Debug)]
pub struct Migration {
    /// What the step does, for the log and ARCHITECTURE.md.
    pub description: &'static str,
    /// Applies the step inside the `versionchange` transaction.
    pub apply: fn(&IdbDatabase, &IdbTransaction) -> Result<(), JsValue>,
}

/// The app's schema. Append only; never edit a published step.
pub static MIGRATIONS: &[Migration] = &[
    Migration {
        description: "v1: one store per record type with the indexes of SPEC §2",
        apply: v1,
    },
    Migration {
        description: "v2: households stored in pages of 64 (see db::households), multi-entry indexes",
        apply: v2,
    },
    Migration {
        description: "v3: plans become plan cases holding their spending (plans::legacy::convert), \
                      store `spending` removed, store `decisions` added",
        apply: v3,
    },
    Migration {
        description: "v4: store `vault` (guides, wrapped data keys, lock preferences; see db::vault)",
        apply: v4,
    },
    Migration {
        description: "v5: store `replica` (the sync replica, one entry per document; see db::replica)",
        apply: v5,
    },
];

/// `(store, key path, indexes as (name, key path(s), unique, multi-entry))`.
type IndexDef = (&'static str, &'static [&'static str], bool, bool);

const V1: &[(&str, &str, &[IndexDef])] = &[
    ("settings", "key", &[]),
    ("grids", "id", &[]),
    ("buildings", "id", &[("by_grid", &["grid_id"], false, false)]),
    (
        "households",
        "id",
        &[
            ("by_building", &["building_id"], false, false),
            ("by_tenure", &["tenure"], false, false),
            ("by_group", &["group"], false, false),
            ("by_need", &["_needs"], false, true),
            ("by_flag", &["_flags"], false, true),
            ("by_name", &["contact_name"], false, false),
        ],
    ),
    (
        "resources",
        "id",
        &[
            ("by_period", &["period"], false, false),
            ("by_category", &["category"], false, false),
        ],
    ),
    (
        "allocation_runs",
        "id",
        &[("by_period", &["period"], false, false)],
    ),
    (
        "proposals",
        "id",
        &[
            ("by_period", &["period"], false, false),
            ("by_status", &["status"], false, false),
        ],
    ),
    ("ballots", "id", &[("by_period", &["period"], false, false)]),
    (
        "activities",
        "id",
        &[
            ("by_date", &["date"], false, false),
            ("by_channel", &["channel"], false, false),
        ],
    ),
    (
        "points_ledger",
        "id",
        &[
            ("by_household", &["household_id"], false, false),
            ("by_at", &["at"], false, false),
        ],
    ),
    (
        "timebank_ledger",
        "id",
        &[
            ("by_giver", &["giver_household_id"], false, false),
            ("by_receiver", &["receiver_household_id"], false, false),
        ],
    ),
    (
        "requests",
        "id",
        &[
            ("by_code", &["tracking_code"], true, false),
            ("by_status", &["status"], false, false),
            ("by_received", &["received_at"], false, false),
        ],
    ),
    ("plans", "id", &[("by_stage", &["stage"], false, false)]),
    (
        "spending",
        "id",
        &[
            ("by_plan", &["plan_id"], false, false),
            ("by_date", &["date"], false, false),
        ],
    ),
    (
        "snapshots",
        "id",
        &[("by_published", &["published_at"], false, false)],
    ),
    (
        "audit_log",
        "id",
        &[
            ("by_entity", &["entity", "entity_id"], false, false),
            ("by_at", &["at"], false, false),
        ],
    ),
];

/// Stores added after v1 (same layout as [`V1`]).
const V3: &[(&str, &str, &[IndexDef])] = &[("decisions", "id", &[("by_period", &["period"], false, false)])];

/// Stores added in v4 (same layout as [`V1`]).
const V4: &[(&str, &str, &[IndexDef])] = &[(super::vault::STORE, "key", &[])];

/// v4: the `vault` store. Existing data stays as it is (in clear) until a
/// passphrase is set, which seals it in place ([`super::Db::encrypt_in_place`]).
fn v4(db: &IdbDatabase, _tx: &IdbTransaction) -> Result<(), JsValue> {
    for (name, key, _) in V4 {
        let params = IdbObjectStoreParameters::new();
        params.set_key_path(&JsValue::from_str(key));
        db.create_object_store_with_optional_parameters(name, &params)?;
    }
    Ok(())
}

/// v5: the `replica` store, keyed by `id`. A `_sync` setting already stored moves into
/// it at the next sync run (`state::sync`) or whole-dataset write.
fn v5(db: &IdbDatabase, _tx: &IdbTransaction) -> Result<(), JsValue> {
    let params = IdbObjectStoreParameters::new();
    params.set_key_path(&JsValue::from_str("id"));
    db.create_object_store_with_optional_parameters(super::replica::STORE, &params)?;
    Ok(())
}

fn v1(db: &IdbDatabase, _tx: &IdbTransaction) -> Result<(), JsValue> {
    for (name, key, indexes) in V1 {
        let params = IdbObjectStoreParameters::new();
        params.set_key_path(&JsValue::from_str(key));
        let store = db.create_object_store_with_optional_parameters(name, &params)?;
        for (index, paths, unique, multi) in *indexes {
            create_index(&store, index, paths, *unique, *multi)?;
        }
    }
    Ok(())
}

/// v2: moves every household from its own record into pages of 64
/// ([`super::households`]). The old store is read, dropped and recreated
/// keyed by page with multi-entry indexes, all inside the `versionchange`
/// transaction: a record that does not decode aborts the upgrade and the
/// database stays at v1 with every record.
fn v2(db: &IdbDatabase, tx: &IdbTransaction) -> Result<(), JsValue> {
    use super::households::{self as hh, Change};
    let req = tx.object_store(hh::STORE)?.get_all()?;
    let r = req.clone();
    let t = tx.clone();
    let db = db.clone();
    let on_read = wasm_bindgen::closure::Closure::once_into_js(move |_e: web_sys::Event| {
        let migrate = || -> Result<(), JsValue> {
            let old: Array = r.result()?.unchecked_into();
            let mut changes = Vec::with_capacity(old.length() as usize);
            for v in old.iter() {
                let h: linli_domain::model::Household =
                    from_js("households (v1 record)", &v).map_err(|e| JsValue::from_str(&e.to_string()))?;
                changes.push(Change::Put(h));
            }
            db.delete_object_store(hh::STORE)?;
            let params = IdbObjectStoreParameters::new();
            params.set_key_path(&JsValue::from_str("page"));
            let store = db.create_object_store_with_optional_parameters(hh::STORE, &params)?;
            for (name, path) in hh::INDEXES {
                create_index(&store, name, &[path], false, true)?;
            }
            for (page, changes) in hh::by_page(changes) {
                let mut list = Vec::new();
                hh::apply(&mut list, changes).map_err(|e| JsValue::from_str(&e.to_string()))?;
                store.put(&hh::page_js(page, &list).map_err(|e| JsValue::from_str(&e.to_string()))?)?;
            }
            Ok(())
        };
        if migrate().is_err() {
            let _ = t.abort();
        }
    });
    req.set_onsuccess(Some(on_read.unchecked_ref()));
    Ok(())
}

/// v3: version-1 plans and their spending become plan cases
/// ([`linli_domain::plans::legacy::convert`]: each plan replayed through the
/// real operations, nothing dropped), written back into `plans`; the
/// `spending` store is deleted and `decisions` created. Both old stores are
/// read inside the `versionchange` transaction; a record that does not decode
/// or a plan that cannot be converted aborts the upgrade, and the database
/// stays at v2 with every record.
fn v3(db: &IdbDatabase, tx: &IdbTransaction) -> Result<(), JsValue> {
    use linli_domain::plans::legacy::{self, LegacyPlan, LegacySpending};
    let (_, key, indexes) = V3[0];
    let params = IdbObjectStoreParameters::new();
    params.set_key_path(&JsValue::from_str(key));
    let store = db.create_object_store_with_optional_parameters(V3[0].0, &params)?;
    for (index, paths, unique, multi) in indexes {
        create_index(&store, index, paths, *unique, *multi)?;
    }
    // Requests of one transaction complete in order: when the spending's
    // request succeeds, the plans' has too.
    let plans_req = tx.object_store("plans")?.get_all()?;
    let spending_req = tx.object_store("spending")?.get_all()?;
    let s = spending_req.clone();
    let t = tx.clone();
    let db = db.clone();
    let on_read = wasm_bindgen::closure::Closure::once_into_js(move |_e: web_sys::Event| {
        let err = |e: &dyn std::fmt::Display| JsValue::from_str(&e.to_string());
        let migrate = || -> Result<(), JsValue> {
            let mut plans = Vec::new();
            for v in plans_req.result()?.unchecked_into::<Array>().iter() {
                let p: LegacyPlan = from_js("plans (v2 record)", &v).map_err(|e| err(&e))?;
                plans.push(p);
            }
            let mut spending = Vec::new();
            for v in s.result()?.unchecked_into::<Array>().iter() {
                let r: LegacySpending = from_js("spending (v2 record)", &v).map_err(|e| err(&e))?;
                spending.push(r);
            }
            let cases = legacy::convert(&plans, &spending, today()).map_err(|e| err(&e))?;
            let store = t.object_store("plans")?;
            store.clear()?;
            for c in &cases {
                store.put(&to_js("plans", c).map_err(|e| err(&e))?)?;
            }
            db.delete_object_store("spending")?;
            Ok(())
        };
        if migrate().is_err() {
            let _ = t.abort();
        }
    });
    spending_req.set_onsuccess(Some(on_read.unchecked_ref()));
    Ok(())
}

/// Today in the community's time zone (China Standard Time, UTC+8), for
/// dating a converted plan that carries no date at all.
fn today() -> linli_domain::plans::CivilDate {
    const DAY_MS: i64 = 86_400_000;
    let days = (crate::browser::now_millis() + 8 * 3_600_000).div_euclid(DAY_MS);
    linli_domain::plans::CivilDate::from_days(days)
        .or_else(|| linli_domain::plans::CivilDate::from_days(0))
        .unwrap_or_else(|| unreachable!("1970-01-01 is a valid date"))
}

/// Creates an index on one key path or a compound of several.
pub fn create_index(
    store: &web_sys::IdbObjectStore,
    name: &str,
    paths: &[&str],
    unique: bool,
    multi_entry: bool,
) -> Result<(), JsValue> {
    let p = IdbIndexParameters::new();
    p.set_unique(unique);
    p.set_multi_entry(multi_entry);
    if let [single] = paths {
        store.create_index_with_str_and_optional_parameters(name, single, &p)?;
    } else {
        let arr: Array = paths.iter().map(|s| JsValue::from_str(s)).collect();
        store.create_index_with_str_sequence_and_optional_parameters(name, &arr, &p)?;
    }
    Ok(())
}

/// Rewrites every record of `store` in place, inside a migration's
/// `versionchange` transaction (for migrations that add a field or expose one
/// for a new index). `f` edits the stored object; an error aborts the whole
/// upgrade, so the database stays at the old version with every record.
///
/// # Errors
///
/// The browser's exception if the store cannot be opened.
pub fn rewrite_records(
    tx: &IdbTransaction,
    store: &str,
    f: fn(&JsValue) -> Result<(), JsValue>,
) -> Result<(), JsValue> {
    let req = tx.object_store(store)?.open_cursor()?;
    let r = req.clone();
    let t = tx.clone();
    let step = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(move |_e| {
        let result = r.result().unwrap_or(JsValue::NULL);
        if result.is_null() {
            return; // done
        }
        let cursor: web_sys::IdbCursorWithValue = result.unchecked_into();
        let ok = cursor
            .value()
            .and_then(|v| f(&v).map(|()| v))
            .and_then(|v| cursor.update(&v).map(|_| ()))
            .and_then(|()| cursor.continue_());
        if ok.is_err() {
            let _ = t.abort();
        }
    });
    req.set_onsuccess(Some(step.as_ref().unchecked_ref()));
    // The request owns the handler from here; JS frees it with the request.
    let _ = step.into_js_value();
    Ok(())
}

/// Household flags indexed in `by_flag`.
pub const FLAGS: [&str; 6] = [
    "lives_alone",
    "disability",
    "dementia",
    "chronic",
    "dibao",
    "dibian",
];

/// Index fields that describe a person: stored as blind indexes once a
/// passphrase is set ([`super::cipher::index_entry`]). Households keep theirs
/// on the page ([`super::households::page_js`]).
const BLIND_FIELDS: &[(&str, &str)] = &[("requests", "tracking_code")];

/// The key path of `store`.
pub fn key_path(store: &str) -> &'static str {
    V1.iter()
        .chain(V3)
        .chain(V4)
        .find(|(name, _, _)| *name == store)
        .map_or("id", |(_, key, _)| key)
}

/// The plain properties a store's records expose to IndexedDB: the key path
/// and every index key path (derived `_…` fields are added separately).
fn exposed_fields(store: &str) -> impl Iterator<Item = &'static str> + '_ {
    V1.iter()
        .chain(V3)
        .filter(move |(name, _, _)| *name == store)
        .flat_map(|(_, key, indexes)| {
            std::iter::once(*key).chain(indexes.iter().flat_map(|(_, paths, _, _)| paths.iter().copied()))
        })
        .filter(|f| !f.starts_with('_'))
}

fn to_js_scalar(v: &serde_json::Value) -> JsValue {
    use serde_json::Value;
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(a) => a.iter().map(to_js_scalar).collect::<Array>().into(),
        Value::Object(_) => JsValue::UNDEFINED,
    }
}

/// Converts a record to the object stored.
///
/// The stored object is `{<key>, <index fields>, <derived fields>, body}`:
/// the few properties IndexedDB needs for keys and indexes, plus the whole
/// record as one body ([`super::cipher::put_body`]): its JSON text (`_json`)
/// while no passphrase is set, else the same text sealed (`_ct`), with the
/// index fields of [`BLIND_FIELDS`] as blind indexes. One value crosses into
/// JS instead of every nested field, which makes bulk writes and reads several
/// times faster; the record's layout is the serde layout of the domain type
/// either way.
///
/// # Errors
///
/// [`DbError::Decode`] if the record cannot be represented (never for the
/// domain's types).
pub fn to_js<T: Serialize>(store: &str, record: &T) -> Result<JsValue, DbError> {
    let err = |e: serde_json::Error| DbError::Decode {
        store: store.to_owned(),
        reason: e.to_string(),
    };
    if store == super::households::STORE {
        return Err(DbError::Decode {
            store: store.to_owned(),
            reason: "households are stored in pages: use Batch::put_household".to_owned(),
        });
    }
    let value = serde_json::to_value(record).map_err(err)?;
    let json = serde_json::to_string(&value).map_err(err)?;
    let obj = js_sys::Object::new();
    for field in exposed_fields(store) {
        if let Some(v) = value.get(field) {
            let blind = BLIND_FIELDS.contains(&(store, field)) && super::cipher::active();
            let js = match v {
                serde_json::Value::String(s) if blind => super::cipher::index_entry(field, s),
                _ => to_js_scalar(v),
            };
            let _ = Reflect::set(&obj, &JsValue::from_str(field), &js);
        }
    }
    let key = Reflect::get(&obj, &JsValue::from_str(key_path(store))).unwrap_or(JsValue::UNDEFINED);
    super::cipher::put_body(&obj, store, &key, &json)?;
    Ok(obj.into())
}

/// Reads a record back from the object stored by [`to_js`].
///
/// # Errors
///
/// [`DbError::Decode`] if the object has no body or it does not match `T`;
/// [`DbError::Locked`] / [`DbError::Decrypt`] as [`super::cipher::body`].
pub fn from_js<T: DeserializeOwned>(store: &str, v: &JsValue) -> Result<T, DbError> {
    if store == super::households::STORE {
        return Err(DbError::Decode {
            store: store.to_owned(),
            reason: "households are stored in pages: use Db::households() or Db::household(id)".to_owned(),
        });
    }
    let text = super::cipher::body(v, store, key_path(store))?;
    serde_json::from_str(&text).map_err(|e| DbError::Decode {
        store: store.to_owned(),
        reason: e.to_string(),
    })
}
