//! The storage layer in a real browser (headless Chromium via
//! wasm-bindgen-test-runner): write/read, all-or-nothing writes, migration,
//! another tab's upgrade, backup round trip of 10,000 households.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use linli::db::{Db, DbError, Migration, MIGRATIONS};
use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::model::Household;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn demo(households: u32) -> Dataset {
    let mut d = generate(&DemoConfig {
        households,
        ..DemoConfig::default()
    });
    d.normalize();
    d
}

async fn fresh(name: &str) -> Db {
    Db::delete(name).await.unwrap();
    Db::open(name, || {}, || {}).await.unwrap()
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

#[wasm_bindgen_test]
async fn write_then_read_gives_the_same_records() {
    let db = fresh("t-roundtrip").await;
    assert_eq!(db.version() as usize, MIGRATIONS.len());
    let d = demo(300);
    db.replace_all(&d).await.unwrap();
    let back = db.read_all().await.unwrap();
    assert_eq!(back, d);
    let counts = db.counts().await.unwrap();
    assert_eq!(counts.iter().find(|(n, _)| *n == "households").unwrap().1, 300);
    // Indexes work: households by building, by need, by flag.
    let b1: Vec<Household> = db
        .get_by_index("households", "by_building", &JsValue::from(1))
        .await
        .unwrap();
    assert_eq!(
        b1.len(),
        d.households.iter().filter(|h| h.building_id == 1).count()
    );
    assert!(!b1.is_empty());
    let alone: Vec<Household> = db
        .get_by_index("households", "by_flag", &JsValue::from_str("lives_alone"))
        .await
        .unwrap();
    assert_eq!(alone.len(), d.households.iter().filter(|h| h.lives_alone).count());
    let care: Vec<Household> = db
        .get_by_index("households", "by_need", &JsValue::from_str("elderly_care"))
        .await
        .unwrap();
    let expected = d
        .households
        .iter()
        .filter(|h| h.needs.iter().any(|n| n.category == "elderly_care"))
        .count();
    assert_eq!(care.len(), expected);
    db.close();
}

#[wasm_bindgen_test]
async fn a_failing_write_changes_nothing_and_names_the_browser_error() {
    let db = fresh("t-atomic").await;
    let d = demo(120);
    db.replace_all(&d).await.unwrap();
    // Two requests with one tracking code violate the unique index: the
    // browser aborts the transaction with a ConstraintError.
    let mut bad = demo(150);
    let code = bad.requests[0].tracking_code.clone();
    bad.requests[1].tracking_code = code;
    let err = db.replace_all(&bad).await.unwrap_err();
    assert_eq!(err.name(), "ConstraintError", "{err}");
    assert_eq!(
        db.read_all().await.unwrap(),
        d,
        "the failed write must leave the old data intact"
    );
    db.close();
}

/// Copies `room` out of the record's JSON text into an indexable property.
fn expose_room(v: &JsValue) -> Result<(), JsValue> {
    let text = js_sys::Reflect::get(v, &JsValue::from_str("_json"))?;
    let parsed = js_sys::JSON::parse(&text.as_string().unwrap_or_default())?;
    let room = js_sys::Reflect::get(&parsed, &JsValue::from_str("room"))?;
    js_sys::Reflect::set(v, &JsValue::from_str("room"), &room)?;
    Ok(())
}

/// A test-only v2: a data migration over existing records, a new index on
/// the field it exposes, and a new store.
fn v2_test(db: &web_sys::IdbDatabase, tx: &web_sys::IdbTransaction) -> Result<(), JsValue> {
    let households = tx.object_store("households")?;
    linli::db::schema::rewrite_records(tx, "households", expose_room)?;
    linli::db::schema::create_index(&households, "by_room_test", &["room"], false, false)?;
    let params = web_sys::IdbObjectStoreParameters::new();
    params.set_key_path(&JsValue::from_str("id"));
    db.create_object_store_with_optional_parameters("added_in_v2_test", &params)?;
    Ok(())
}

static WITH_V2: &[Migration] = &[
    Migration {
        description: "v1",
        apply: MIGRATIONS[0].apply,
    },
    Migration {
        description: "v2 (test): an index on existing data and a new store",
        apply: v2_test,
    },
];

#[wasm_bindgen_test]
async fn upgrading_a_v1_database_keeps_every_record() {
    let db = fresh("t-migrate").await;
    assert_eq!(db.version(), 1);
    let d = demo(250);
    db.replace_all(&d).await.unwrap();
    db.close();

    let db2 = Db::open_with("t-migrate", WITH_V2, || {}, || {}).await.unwrap();
    assert_eq!(db2.version(), 2);
    assert!(db2.store_names().iter().any(|s| s == "added_in_v2_test"));
    assert_eq!(
        db2.read_all().await.unwrap(),
        d,
        "upgrade lost or changed records"
    );
    // The new index covers records written before the upgrade.
    let room = d.households[0].room.clone();
    let hits: Vec<Household> = db2
        .get_by_index("households", "by_room_test", &JsValue::from_str(&room))
        .await
        .unwrap();
    assert_eq!(hits.len(), d.households.iter().filter(|h| h.room == room).count());
    db2.close();

    // This app cannot open a database a newer app upgraded: the browser's
    // VersionError reaches the caller.
    let err = Db::open("t-migrate", || {}, || {}).await.unwrap_err();
    assert_eq!(err.name(), "VersionError", "{err}");
}

#[wasm_bindgen_test]
async fn another_tabs_upgrade_closes_this_connection_and_asks_for_reload() {
    Db::delete("t-tabs").await.unwrap();
    let asked = Rc::new(Cell::new(false));
    let flag = asked.clone();
    let old = Db::open("t-tabs", || {}, move || flag.set(true)).await.unwrap();
    old.replace_all(&demo(30)).await.unwrap();
    // "Another tab" opens the newer schema; it must not stay blocked.
    let newer = Db::open_with("t-tabs", WITH_V2, || {}, || {}).await.unwrap();
    assert!(asked.get(), "the old connection was not told");
    assert_eq!(newer.version(), 2);
    assert_eq!(old.counts().await.unwrap_err(), DbError::VersionChangedElsewhere);
    newer.close();
}

#[wasm_bindgen_test]
async fn backup_of_10000_households_restores_equal_and_reports_timings() {
    let d = demo(10_000);
    let text = backup::encode(&d, "test", 1_790_000_000_000);
    let (_, decoded) = backup::decode(text.as_bytes()).unwrap();
    assert_eq!(decoded, d);

    let db = fresh("t-10k").await;
    let t0 = now();
    db.replace_all(&decoded).await.unwrap();
    let t1 = now();
    let back = db.read_all().await.unwrap();
    let t2 = now();
    assert_eq!(back, d, "restored data differs from the original");
    let again = backup::encode(&back, "test", 1_790_000_000_000);
    assert_eq!(again, text, "a re-exported backup must be byte-identical");
    web_sys::console::log_1(&JsValue::from_str(&format!(
        "FIGURE storage_10k: write {:.0} ms, read {:.0} ms, backup {} bytes, {} households, {} residents",
        t1 - t0,
        t2 - t1,
        text.len(),
        d.households.len(),
        d.resident_count()
    )));
    db.close();
}

#[wasm_bindgen_test]
async fn a_bad_backup_is_rejected_and_nothing_changes() {
    let db = fresh("t-badbackup").await;
    let d = demo(100);
    db.replace_all(&d).await.unwrap();
    let good = backup::encode(&demo(200), "test", 0);
    let truncated = &good.as_bytes()[..good.len() / 2];
    let tampered = good.replacen("\"households\":[{\"id\":1", "\"households\":[{\"id\":9", 1);
    let newer = good.replacen("\"schema_version\":1", "\"schema_version\":2", 1);
    for bad in [
        truncated,
        tampered.as_bytes(),
        newer.as_bytes(),
        b"not a backup".as_slice(),
        b"{}".as_slice(),
    ] {
        // The app only writes what decode accepted; nothing here is accepted.
        assert!(backup::decode(bad).is_err());
    }
    assert_eq!(db.read_all().await.unwrap(), d);
    db.close();
}
