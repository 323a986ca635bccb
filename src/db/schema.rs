//! The IndexedDB schema as an ordered list of migrations.
//!
//! The database version equals `MIGRATIONS.len()`. A migration only ever adds:
//! stores, indexes, or fields computed from existing records. Each runs inside
//! the browser's `versionchange` transaction, so an upgrade either completes
//! with every record kept or does not happen at all.
//!
//! Derived index fields: IndexedDB can only index plain properties, so the
//! stored object of some records carries extra fields starting with `_`
//! (for example `_needs`, the household's need category codes). They are
//! added by [`to_js`] on write and removed by [`strip_derived`] on read; the
//! domain types never see them.

use js_sys::{Array, Reflect};
use linli_domain::dataset::STORE_NAMES;
use serde::Serialize;
use wasm_bindgen::JsValue;
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
pub static MIGRATIONS: &[Migration] = &[Migration {
    description: "v1: one store per record type with the indexes of SPEC §2",
    apply: v1,
}];

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

fn v1(db: &IdbDatabase, _tx: &IdbTransaction) -> Result<(), JsValue> {
    debug_assert_eq!(V1.len(), STORE_NAMES.len());
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

/// Household flags indexed in `by_flag`.
pub const FLAGS: [&str; 6] = [
    "lives_alone",
    "disability",
    "dementia",
    "chronic",
    "dibao",
    "dibian",
];

/// Converts a record to the object stored, adding derived index fields.
///
/// # Errors
///
/// [`DbError::Decode`] if the record cannot be represented (never for the
/// domain's types).
pub fn to_js<T: Serialize>(store: &str, record: &T) -> Result<JsValue, DbError> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let v = record.serialize(&ser).map_err(|e| DbError::Decode {
        store: store.to_owned(),
        reason: e.to_string(),
    })?;
    if store == "households" {
        add_household_fields(&v);
    }
    Ok(v)
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn add_household_fields(v: &JsValue) {
    let needs = Array::new();
    if let Some(list) = get(v, "needs").dyn_ref::<Array>() {
        for n in list.iter() {
            let c = get(&n, "category");
            if !needs.includes(&c, 0) {
                needs.push(&c);
            }
        }
    }
    let flags = Array::new();
    if get(v, "lives_alone").as_bool() == Some(true) {
        flags.push(&JsValue::from_str("lives_alone"));
    }
    let members = get(v, "members");
    let any = |f: &dyn Fn(&JsValue) -> bool| {
        members
            .dyn_ref::<Array>()
            .is_some_and(|m| m.iter().any(|x| f(&x)))
    };
    if any(&|m| !get(m, "disability_grade").is_null() && !get(m, "disability_grade").is_undefined()) {
        flags.push(&JsValue::from_str("disability"));
    }
    if any(&|m| get(m, "dementia").as_bool() == Some(true)) {
        flags.push(&JsValue::from_str("dementia"));
    }
    if any(&|m| get(m, "chronic_illness").as_bool() == Some(true)) {
        flags.push(&JsValue::from_str("chronic"));
    }
    match get(v, "subsistence").as_string().as_deref() {
        Some("dibao") => {
            flags.push(&JsValue::from_str("dibao"));
        }
        Some("dibian") => {
            flags.push(&JsValue::from_str("dibian"));
        }
        _ => {}
    }
    let _ = Reflect::set(v, &JsValue::from_str("_needs"), &needs);
    let _ = Reflect::set(v, &JsValue::from_str("_flags"), &flags);
}

/// Removes the derived fields [`to_js`] added.
pub fn strip_derived(store: &str, v: &JsValue) {
    if store == "households" {
        if let Some(o) = v.dyn_ref::<js_sys::Object>() {
            let _ = Reflect::delete_property(o, &JsValue::from_str("_needs"));
            let _ = Reflect::delete_property(o, &JsValue::from_str("_flags"));
        }
    }
}

use wasm_bindgen::JsCast;
