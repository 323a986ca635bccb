//! The storage layer in a real browser (headless Chromium via
//! wasm-bindgen-test-runner): write/read, all-or-nothing writes, migrations
//! (v1 → v2 households into pages, v2 → v3 plans into plan cases), another
//! tab's upgrade, backup round trip of 10,000 households.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use linli::db::{Batch, Db, DbError, HouseholdQuery, Migration, MIGRATIONS};
use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::demo::{generate, DemoConfig};
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
    // Plans (cases with their spending) and adopted decisions round-trip too,
    // and the plans' stage index covers them.
    assert!(!back.plans.is_empty() && !back.decisions.is_empty());
    assert_eq!(
        counts.iter().find(|(n, _)| *n == "decisions").unwrap().1 as usize,
        d.decisions.len()
    );
    for stage in linli_domain::plans::Stage::ALL {
        let got: Vec<linli_domain::plans::PlanCase> = db
            .get_by_index("plans", "by_stage", &JsValue::from_str(stage.code()))
            .await
            .unwrap();
        let want: Vec<&linli_domain::plans::PlanCase> =
            d.plans.iter().filter(|p| p.stage() == stage).collect();
        assert_eq!(got.iter().collect::<Vec<_>>(), want, "{stage:?}");
    }
    // Index queries give exactly the households an in-memory filter gives.
    let queries = [
        HouseholdQuery::Building(1),
        HouseholdQuery::Flag("lives_alone".into()),
        HouseholdQuery::Flag("dibao".into()),
        HouseholdQuery::Need("elderly_care".into()),
        HouseholdQuery::Tenure("tenant".into()),
        HouseholdQuery::Group(d.households[0].group.clone()),
        HouseholdQuery::NamePrefix(d.households[7].contact_name.chars().take(1).collect()),
    ];
    for q in &queries {
        let got = db.household_ids(q).await.unwrap();
        let want: Vec<u32> = d
            .households
            .iter()
            .filter(|h| q.matches(h))
            .map(|h| h.id)
            .collect();
        assert!(!want.is_empty(), "{q:?} should match some demo households");
        assert_eq!(got, want, "{q:?}");
    }
    assert!(d
        .households
        .iter()
        .filter(|h| h.needs.iter().any(|n| n.category == "elderly_care"))
        .all(|h| HouseholdQuery::Need("elderly_care".into()).matches(h)));
    db.close();
}

#[wasm_bindgen_test]
async fn household_changes_rewrite_only_their_page_and_add_refuses_a_taken_id() {
    let db = fresh("t-pages").await;
    let d = demo(200);
    db.replace_all(&d).await.unwrap();
    assert_eq!(db.max_household_id().await.unwrap(), 200);
    // Edit one, delete one, add one past the end: one batch.
    let mut edited = d.households[70].clone();
    edited.notes = "改过 <b>&".into();
    let mut added = d.households[3].clone();
    added.id = 1_000;
    let mut batch = Batch::default();
    batch
        .put_household(&edited)
        .delete_household(5)
        .add_household(&added);
    db.commit(batch).await.unwrap();
    assert_eq!(db.household(71).await.unwrap(), Some(edited.clone()));
    assert_eq!(db.household(5).await.unwrap(), None);
    assert_eq!(db.household(1_000).await.unwrap(), Some(added.clone()));
    assert_eq!(db.max_household_id().await.unwrap(), 1_000);
    let mut want = d.households.clone();
    want[70] = edited;
    want.retain(|h| h.id != 5);
    want.push(added);
    let all = db.households().await.unwrap();
    assert_eq!(all, want);
    let counts = db.counts().await.unwrap();
    assert_eq!(counts.iter().find(|(n, _)| *n == "households").unwrap().1, 200);

    // Adding a taken id fails the whole batch with the browser's name for it.
    let mut batch = Batch::default();
    let mut fresh_one = d.households[9].clone();
    fresh_one.id = 2_000;
    batch.add_household(&fresh_one).add_household(&d.households[9]);
    let err = db.commit(batch).await.unwrap_err();
    assert_eq!(err.name(), "ConstraintError", "{err}");
    assert_eq!(
        db.households().await.unwrap(),
        want,
        "a failed batch changed households"
    );
    // Deleting every household of a page removes the page.
    let mut batch = Batch::default();
    batch.delete_household(1_000);
    db.commit(batch).await.unwrap();
    assert_eq!(db.max_household_id().await.unwrap(), 200);
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

/// Copies `name` out of the record's JSON text into an indexable property.
fn expose_name(v: &JsValue) -> Result<(), JsValue> {
    let text = js_sys::Reflect::get(v, &JsValue::from_str("_json"))?;
    let parsed = js_sys::JSON::parse(&text.as_string().unwrap_or_default())?;
    let name = js_sys::Reflect::get(&parsed, &JsValue::from_str("name"))?;
    js_sys::Reflect::set(v, &JsValue::from_str("name_test"), &name)?;
    Ok(())
}

/// A test-only migration after the app's last (v5 today): a data migration over existing records, a new index on
/// the field it exposes, and a new store.
fn v4_test(db: &web_sys::IdbDatabase, tx: &web_sys::IdbTransaction) -> Result<(), JsValue> {
    let buildings = tx.object_store("buildings")?;
    linli::db::schema::rewrite_records(tx, "buildings", expose_name)?;
    linli::db::schema::create_index(&buildings, "by_name_test", &["name_test"], false, false)?;
    let params = web_sys::IdbObjectStoreParameters::new();
    params.set_key_path(&JsValue::from_str("id"));
    db.create_object_store_with_optional_parameters("added_in_v4_test", &params)?;
    Ok(())
}

static V1_ONLY: &[Migration] = &[Migration {
    description: "v1",
    apply: MIGRATIONS[0].apply,
}];

static UP_TO_V2: &[Migration] = &[
    Migration {
        description: "v1",
        apply: MIGRATIONS[0].apply,
    },
    Migration {
        description: "v2",
        apply: MIGRATIONS[1].apply,
    },
];

static WITH_V4: &[Migration] = &[
    Migration {
        description: "v1",
        apply: MIGRATIONS[0].apply,
    },
    Migration {
        description: "v2",
        apply: MIGRATIONS[1].apply,
    },
    Migration {
        description: "v3",
        apply: MIGRATIONS[2].apply,
    },
    Migration {
        description: "v4",
        apply: MIGRATIONS[3].apply,
    },
    Migration {
        description: "v5",
        apply: MIGRATIONS[4].apply,
    },
    Migration {
        description: "v6 (test): an index on existing data and a new store",
        apply: v4_test,
    },
];

/// A backup written before issue #14 (schema 1: plans and spending apart).
const V1_BACKUP: &str = include_str!("../domain/tests/fixtures/backup-v1-demo.json");

/// The v1 backup's plans and spending records, as schema 1 stored them.
fn legacy_records() -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let file: serde_json::Value = serde_json::from_str(V1_BACKUP).unwrap();
    let list = |k: &str| file["payload"][k].as_array().unwrap().clone();
    (list("plans"), list("spending"))
}

/// `d` as it stands after an upgrade of a database holding `d` with the v1
/// backup's plans and spending: its plans are those records converted.
fn upgraded(d: &Dataset) -> Dataset {
    let (_, converted) = backup::decode(V1_BACKUP.as_bytes()).unwrap();
    let mut want = d.clone();
    want.plans = converted.plans;
    want.decisions.clear();
    want.normalize();
    want
}

/// Adds the v1 backup's plans and spending records in their schema-1 layout.
fn put_legacy_plans(batch: &mut Batch, spending_on_missing_plan: bool) {
    let (plans, mut spending) = legacy_records();
    if spending_on_missing_plan {
        spending[0]["plan_id"] = 999.into();
    }
    for p in &plans {
        batch.put_raw("plans", linli::db::schema::to_js("plans", p).unwrap());
    }
    for r in &spending {
        batch.put_raw("spending", linli::db::schema::to_js("spending", r).unwrap());
    }
}

/// Writes `d` in the v1 layout: one record per household, plans and spending
/// as schema 1 kept them (the v1 backup's, see [`upgraded`]).
async fn write_v1(db: &Db, d: &Dataset, bad_household_json: bool) {
    let mut rest = d.clone();
    rest.households.clear();
    rest.plans.clear();
    rest.decisions.clear();
    let mut batch = Batch::default();
    batch.put_dataset(&rest).unwrap();
    put_legacy_plans(&mut batch, false);
    for (i, h) in d.households.iter().enumerate() {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &"id".into(), &h.id.into()).unwrap();
        let json = if bad_household_json && i == 7 {
            "{not json".to_owned()
        } else {
            serde_json::to_string(h).unwrap()
        };
        js_sys::Reflect::set(&o, &"_json".into(), &json.into()).unwrap();
        batch.put_raw("households", o.into());
    }
    db.commit(batch).await.unwrap();
}

#[wasm_bindgen_test]
async fn upgrading_a_v1_database_keeps_every_record() {
    Db::delete("t-migrate").await.unwrap();
    let db = Db::open_with("t-migrate", V1_ONLY, || {}, || {}).await.unwrap();
    assert_eq!(db.version(), 1);
    let d = demo(250);
    write_v1(&db, &d, false).await;
    db.close();

    // v1 → v2 (households into pages) → v3 (plan cases) → v4 (vault) → v5 (replica) → v6 (test)
    // in one open.
    let db2 = Db::open_with("t-migrate", WITH_V4, || {}, || {}).await.unwrap();
    assert_eq!(db2.version() as usize, MIGRATIONS.len() + 1);
    assert!(db2.store_names().iter().any(|s| s == "added_in_v4_test"));
    assert_eq!(
        db2.read_all().await.unwrap(),
        upgraded(&d),
        "upgrade lost or changed records"
    );
    assert_eq!(
        db2.household_ids(&HouseholdQuery::Building(2)).await.unwrap(),
        d.households
            .iter()
            .filter(|h| h.building_id == 2)
            .map(|h| h.id)
            .collect::<Vec<_>>()
    );
    // The new index covers records written before the upgrade.
    let name = d.buildings[0].name.clone();
    let hits: Vec<linli_domain::model::Building> = db2
        .get_by_index("buildings", "by_name_test", &JsValue::from_str(&name))
        .await
        .unwrap();
    assert_eq!(hits.len(), d.buildings.iter().filter(|b| b.name == name).count());
    db2.close();

    // This app cannot open a database a newer app upgraded: the browser's
    // VersionError reaches the caller.
    let err = Db::open("t-migrate", || {}, || {}).await.unwrap_err();
    assert_eq!(err.name(), "VersionError", "{err}");
}

#[wasm_bindgen_test]
async fn a_v1_record_that_does_not_decode_aborts_the_upgrade_and_keeps_v1() {
    Db::delete("t-migrate-bad").await.unwrap();
    let db = Db::open_with("t-migrate-bad", V1_ONLY, || {}, || {})
        .await
        .unwrap();
    let d = demo(40);
    write_v1(&db, &d, true).await;
    db.close();
    let err = Db::open("t-migrate-bad", || {}, || {}).await.unwrap_err();
    assert_eq!(err.name(), "AbortError", "{err}");
    let db = Db::open_with("t-migrate-bad", V1_ONLY, || {}, || {})
        .await
        .unwrap();
    assert_eq!(db.version(), 1, "a failed upgrade must leave version 1");
    // Every v1 record is still there, in the v1 layout.
    assert_eq!(db.max_key("households").await.unwrap(), 40);
    assert_eq!(
        db.get_all::<linli_domain::model::Grid>("grids").await.unwrap(),
        d.grids
    );
    db.close();
}

/// Writes `d` in the v2 layout: households in pages, plans and spending as
/// schema 1 kept them (the v1 backup's), no `decisions` store.
async fn write_v2(db: &Db, d: &Dataset, spending_on_missing_plan: bool) {
    let mut rest = d.clone();
    rest.plans.clear();
    rest.decisions.clear();
    let mut batch = Batch::default();
    batch.put_dataset(&rest).unwrap();
    put_legacy_plans(&mut batch, spending_on_missing_plan);
    db.commit(batch).await.unwrap();
}

#[wasm_bindgen_test]
async fn upgrading_a_v2_database_turns_plans_and_spending_into_plan_cases() {
    Db::delete("t-migrate-v3").await.unwrap();
    let db = Db::open_with("t-migrate-v3", UP_TO_V2, || {}, || {})
        .await
        .unwrap();
    assert_eq!(db.version(), 2);
    assert!(db.store_names().iter().any(|s| s == "spending"));
    let d = demo(80);
    write_v2(&db, &d, false).await;
    db.close();

    let db = Db::open("t-migrate-v3", || {}, || {}).await.unwrap();
    assert_eq!(db.version() as usize, MIGRATIONS.len());
    let names = db.store_names();
    assert!(
        names.iter().any(|s| s == "decisions") && !names.iter().any(|s| s == "spending"),
        "{names:?}"
    );
    let back = db.read_all().await.unwrap();
    assert_eq!(back, upgraded(&d), "upgrade lost or changed records");
    // Every spending record is now an entry of its plan, amount for amount.
    let (plans, spending) = legacy_records();
    assert_eq!(back.plans.len(), plans.len());
    let entries: usize = back.plans.iter().map(|p| p.spending().len()).sum();
    assert_eq!(entries, spending.len());
    for p in &back.plans {
        let want: i64 = spending
            .iter()
            .filter(|s| s["plan_id"].as_u64() == Some(u64::from(p.id())))
            .map(|s| s["amount_fen"].as_i64().unwrap())
            .sum();
        assert_eq!(p.spent_total(), want, "plan {}", p.id());
    }
    // The stage index holds the new stages.
    let executing: Vec<linli_domain::plans::PlanCase> = db
        .get_by_index("plans", "by_stage", &JsValue::from_str("execution"))
        .await
        .unwrap();
    assert!(!executing.is_empty());
    assert!(executing
        .iter()
        .all(|p| p.stage() == linli_domain::plans::Stage::Execution));
    db.close();
}

#[wasm_bindgen_test]
async fn a_v2_plan_that_cannot_convert_aborts_the_upgrade_and_keeps_v2() {
    Db::delete("t-migrate-v3-bad").await.unwrap();
    let db = Db::open_with("t-migrate-v3-bad", UP_TO_V2, || {}, || {})
        .await
        .unwrap();
    let d = demo(30);
    write_v2(&db, &d, true).await;
    db.close();
    let err = Db::open("t-migrate-v3-bad", || {}, || {}).await.unwrap_err();
    assert_eq!(err.name(), "AbortError", "{err}");
    let db = Db::open_with("t-migrate-v3-bad", UP_TO_V2, || {}, || {})
        .await
        .unwrap();
    assert_eq!(db.version(), 2, "a failed upgrade must leave version 2");
    // Every record is still there, in the v2 layout.
    let (plans, spending) = legacy_records();
    let kept_plans: Vec<serde_json::Value> = db.get_all("plans").await.unwrap();
    let kept_spending: Vec<serde_json::Value> = db.get_all("spending").await.unwrap();
    assert_eq!(
        (kept_plans.len(), kept_spending.len()),
        (plans.len(), spending.len())
    );
    assert_eq!(db.households().await.unwrap(), d.households);
    db.close();
}

#[wasm_bindgen_test]
async fn another_tabs_upgrade_closes_this_connection_and_asks_for_reload() {
    Db::delete("t-tabs").await.unwrap();
    let asked = Rc::new(Cell::new(false));
    let flag = asked.clone();
    let old = Db::open("t-tabs", || {}, move || flag.set(true)).await.unwrap();
    old.replace_all(&demo(30)).await.unwrap();
    // "Another tab" opens the newer schema; it must not stay blocked.
    let newer = Db::open_with("t-tabs", WITH_V4, || {}, || {}).await.unwrap();
    assert!(asked.get(), "the old connection was not told");
    assert_eq!(newer.version() as usize, MIGRATIONS.len() + 1);
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
    let newer = good.replacen(
        &format!("\"schema_version\":{}", backup::SCHEMA_VERSION),
        &format!("\"schema_version\":{}", backup::SCHEMA_VERSION + 1),
        1,
    );
    assert_ne!(newer, good);
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

fn entry(summary: &str) -> linli_domain::model::AuditEntry {
    linli_domain::model::AuditEntry {
        id: 0,
        at: 1,
        actor: "指导员".into(),
        entity: "settings".into(),
        entity_id: 0,
        action: "update".into(),
        summary: summary.into(),
    }
}

#[wasm_bindgen_test]
async fn audit_ids_are_chosen_inside_the_write_transaction() {
    // Two connections (two tabs) save at the same moment, each with history
    // entries: every entry gets its own id, in order, and none is lost.
    let a = fresh("t-audit").await;
    let b = Db::open("t-audit", || {}, || {}).await.unwrap();
    let mut first = Batch::default();
    first.audit(entry("a1")).audit(entry("a2"));
    let mut second = Batch::default();
    second.audit(entry("b1"));
    let pa = a.begin(first).unwrap();
    let pb = b.begin(second).unwrap();
    pa.finish().await.unwrap();
    pb.finish().await.unwrap();
    // A checked write (read, decide, write in one transaction) too.
    let checked = a
        .checked(&["settings"], Vec::new(), |_| {
            let mut batch = Batch::default();
            batch.audit(entry("c1"));
            Ok(Ok::<_, ()>((batch, ())))
        })
        .await
        .unwrap();
    assert_eq!(checked, Ok(()));
    let log: Vec<linli_domain::model::AuditEntry> = a.get_all("audit_log").await.unwrap();
    let ids: Vec<u32> = log.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![1, 2, 3, 4]);
    let summaries: Vec<&str> = log.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(summaries, vec!["a1", "a2", "b1", "c1"]);
    // A batch that fails writes no history either.
    let mut bad = Batch::default();
    bad.add(
        "settings",
        &linli_domain::model::Setting {
            key: "k".into(),
            value: "1".into(),
        },
    )
    .unwrap();
    bad.add(
        "settings",
        &linli_domain::model::Setting {
            key: "k".into(),
            value: "2".into(),
        },
    )
    .unwrap();
    bad.audit(entry("lost"));
    assert!(a.commit(bad).await.is_err());
    let after: Vec<linli_domain::model::AuditEntry> = a.get_all("audit_log").await.unwrap();
    assert_eq!(after.len(), 4);
    b.close();
}

#[wasm_bindgen_test]
async fn a_read_only_connection_refuses_every_write_and_writes_nothing() {
    // An auditor's session sets the connection read-only: a batch, a begun
    // transaction, a checked write and a view's write are refused with
    // `DbError::ReadOnly`, and the database is unchanged; reads still work.
    let db = fresh("t-read-only").await;
    let d = demo(120);
    db.replace_all(&d).await.unwrap();
    let before = db.read_all().await.unwrap();
    db.set_read_only(true);
    assert!(db.is_read_only());

    let mut batch = Batch::default();
    batch
        .put(
            "settings",
            &linli_domain::model::Setting {
                key: "k".into(),
                value: "1".into(),
            },
        )
        .unwrap();
    batch.audit(entry("refused"));
    assert_eq!(db.commit(batch).await, Err(DbError::ReadOnly));
    let mut batch = Batch::default();
    batch.delete_household(d.households[0].id);
    assert!(matches!(db.begin(batch), Err(DbError::ReadOnly)));
    let checked = db
        .checked(&["settings"], Vec::new(), |_| {
            let mut batch = Batch::default();
            batch.audit(entry("refused too"));
            Ok(Ok::<_, ()>((batch, ())))
        })
        .await;
    assert_eq!(checked, Err(DbError::ReadOnly));
    let id = d.requests[0].id;
    let assigned = linli::db::requests::set_assignee(&db, id, Some("王芳".into()), 1, "审计员".into()).await;
    assert_eq!(assigned.unwrap_err(), DbError::ReadOnly);
    assert_eq!(db.replace_all(&demo(5)).await, Err(DbError::ReadOnly));

    assert_eq!(db.read_all().await.unwrap(), before);
    // Writable again (another guide unlocked): the same write goes through.
    db.set_read_only(false);
    let saved = linli::db::requests::set_assignee(&db, id, Some("王芳".into()), 1, "李明".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.assignee.as_deref(), Some("王芳"));
    db.close();
}

#[wasm_bindgen_test]
async fn a_write_records_the_acting_guide_in_its_history_entry() {
    let db = fresh("t-actor").await;
    let d = demo(120);
    db.replace_all(&d).await.unwrap();
    let start = d.audit_log.iter().map(|e| e.id).max().unwrap_or(0);
    let req = d
        .requests
        .iter()
        .find(|r| linli_domain::requests::lifecycle::is_open(r.status))
        .unwrap()
        .clone();
    let at = req.history.last().unwrap().at + 60_000;

    // An assignment, by 李明.
    let saved = linli::db::requests::set_assignee(&db, req.id, Some("王芳".into()), at, "李明".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.assignee.as_deref(), Some("王芳"));
    // The same assignment again is refused and writes no entry.
    let again = linli::db::requests::set_assignee(&db, req.id, Some("王芳".into()), at, "李明".into())
        .await
        .unwrap();
    assert!(again.is_err());
    // A status change, by 张伟.
    let target = linli_domain::requests::lifecycle::next_statuses(req.status)[0];
    linli::db::requests::move_status(
        &db,
        req.id,
        target,
        linli::db::requests::StatusExtras {
            rating: None,
            note: Some("已联系住户".into()),
            assignee: Some("王芳".into()),
        },
        at + 1,
        "张伟".into(),
    )
    .await
    .unwrap()
    .unwrap();
    // A time-bank entry, by 赵敏.
    let (from, to) = (d.households[0].id, d.households[1].id);
    linli::db::participation::record_time(
        &db,
        from,
        to,
        30,
        linli::db::participation::TimeGift::Service("陪同就医".into()),
        at + 2,
        "赵敏".into(),
    )
    .await
    .unwrap()
    .unwrap();

    let log: Vec<linli_domain::model::AuditEntry> = db.get_all("audit_log").await.unwrap();
    let new: Vec<(&str, &str, u32, &str)> = log
        .iter()
        .filter(|e| e.id > start)
        .map(|e| {
            (
                e.actor.as_str(),
                e.entity.as_str(),
                e.entity_id,
                e.action.as_str(),
            )
        })
        .collect();
    let tb = db
        .get_all::<linli_domain::model::TimeBankEntry>("timebank_ledger")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .max()
        .unwrap();
    assert_eq!(
        new,
        vec![
            ("李明", "requests", req.id, "assign"),
            ("张伟", "requests", req.id, "status"),
            ("赵敏", "timebank_ledger", tb, "create"),
        ]
    );
    let assign = log.iter().find(|e| e.id > start).unwrap();
    assert_eq!(assign.summary, "assignee: - → 王芳");
    assert_eq!(assign.at, at);
    db.close();
}
