//! Encryption at rest in a real browser (headless Chromium via
//! wasm-bindgen-test-runner): after a passphrase is set, IndexedDB read
//! directly holds none of the personal strings planted in every personal
//! field; the wrong passphrase is refused; two guides each unlock; a locked
//! workspace reads nothing; a moved record fails to open; blind-indexed
//! register filters still answer; a 10,000-household plain database is sealed
//! in place losing nothing. Prints `FIGURE` lines for the README.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect};
use linli::db::cipher::set_keys;
use linli::db::vault::VaultState;
use linli::db::{Db, DbError, HouseholdQuery};
use linli_domain::dataset::Dataset;
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::model::AuditEntry;
use linli_domain::vault::{self, DataKey, Guide, KdfParams, Keyring, RecoveryCode, Role};
use wasm_bindgen::{JsCast, JsValue};
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
    set_keys(None);
    Db::delete(name).await.unwrap();
    Db::open(name, || {}, || {}).await.unwrap()
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn rand<const N: usize>(seed: u8) -> [u8; N] {
    // Deterministic test bytes; the app takes them from crypto.getRandomValues.
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = seed.wrapping_mul(31).wrapping_add(i as u8);
    }
    out
}

const PASS_A: &str = "correct horse battery";
const PASS_B: &str = "another guide's passphrase";

/// A vault with two guides (a supervisor and an auditor) and a recovery wrap,
/// with fast test-only Argon2 parameters.
fn vault_state(key: &DataKey) -> (VaultState, RecoveryCode) {
    let mut keyring = Keyring::default();
    let params = KdfParams::insecure_for_tests(rand(1));
    keyring.put(vault::wrap_for_guide(key, 1, PASS_A, &params, rand(2)).unwrap());
    keyring.put(vault::wrap_for_guide(key, 2, PASS_B, &params, rand(3)).unwrap());
    let code = RecoveryCode::from_random(rand(4));
    keyring.put(vault::wrap_for_recovery(key, &code, rand(5)));
    let guides = vec![
        Guide {
            id: 1,
            name: "王主管".into(),
            role: Role::Supervisor,
        },
        Guide {
            id: 2,
            name: "李审计".into(),
            role: Role::Auditor,
        },
    ];
    (
        VaultState {
            guides,
            next_guide_id: 3,
            keyring,
            idle_minutes: 15,
        },
        code,
    )
}

fn entry() -> AuditEntry {
    AuditEntry {
        id: 0,
        at: 1_790_000_000_000,
        actor: "王主管".into(),
        entity: "guides".into(),
        entity_id: 1,
        action: "create".into(),
        summary: "set passphrase".into(),
    }
}

/// Plants a unique marker in every personal text field of `d`; returns them.
fn plant(d: &mut Dataset) -> Vec<String> {
    let mut markers = Vec::new();
    let mut mark = |what: &str, n: usize| {
        let m = format!("PLANT{what}{n}X");
        markers.push(m.clone());
        m
    };
    for (i, h) in d.households.iter_mut().enumerate() {
        h.contact_name = mark("name", i);
        h.contact_phone = mark("phone", i);
        h.notes = mark("notes", i);
        h.room = mark("room", i);
        h.group = mark("group", i);
        h.skills = vec![mark("skill", i)];
        for (j, m) in h.members.iter_mut().enumerate() {
            m.name = mark("member", i * 100 + j);
        }
    }
    for (i, r) in d.requests.iter_mut().enumerate() {
        r.description = mark("request", i);
        r.tracking_code = mark("code", i);
    }
    for (i, p) in d.points_ledger.iter_mut().enumerate() {
        p.reason = mark("points", i);
    }
    for (i, t) in d.timebank_ledger.iter_mut().enumerate() {
        t.service = mark("service", i);
    }
    for (i, a) in d.audit_log.iter_mut().enumerate() {
        a.summary = mark("audit", i);
    }
    markers
}

/// Every stored object of every store, as JSON text (what a thief copying
/// the browser profile would read). Sealed bodies (`_ct`) are checked to be
/// bytes of the sealed form and left out of the text; the count of records
/// found in clear (with `_json`) outside the vault store is returned too.
async fn raw_dump(name: &str) -> (String, usize) {
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let req = factory.open(name).unwrap();
    let db_js = wait(req.unchecked_ref()).await;
    let raw: web_sys::IdbDatabase = db_js.unchecked_into();
    let names = raw.object_store_names();
    let mut out = String::new();
    let mut plain = 0;
    let needle = b"PLANT";
    for i in 0..names.length() {
        let store = names.item(i).unwrap();
        let tx = raw.transaction_with_str(&store).unwrap();
        let all = wait(&tx.object_store(&store).unwrap().get_all().unwrap()).await;
        let arr: Array = all.unchecked_into();
        for v in arr.iter() {
            let ct = Reflect::get(&v, &"_ct".into()).unwrap();
            if !ct.is_undefined() {
                let bytes = ct
                    .dyn_into::<js_sys::Uint8Array>()
                    .expect("sealed body is bytes")
                    .to_vec();
                assert_eq!(bytes[0], 1, "sealed form version");
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "plaintext inside a sealed body"
                );
                Reflect::delete_property(v.unchecked_ref::<js_sys::Object>(), &"_ct".into()).unwrap();
            }
            if store != "vault" && !Reflect::get(&v, &"_json".into()).unwrap().is_undefined() {
                plain += 1;
            }
            out.push_str(&store);
            out.push('\t');
            out.push_str(&js_sys::JSON::stringify(&v).unwrap().as_string().unwrap());
            out.push('\n');
        }
    }
    raw.close();
    (out, plain)
}

async fn wait(req: &web_sys::IdbRequest) -> JsValue {
    let r = req.clone();
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let r2 = r.clone();
        let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &r2.result().unwrap());
        });
        r.set_onsuccess(Some(cb.unchecked_ref()));
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap()
}

#[wasm_bindgen_test]
async fn a_sealed_workspace_holds_no_planted_personal_string() {
    let name = "t-vault-planted";
    let db = fresh(name).await;
    let mut d = demo(300);
    let _ = &db;
    let markers = plant(&mut d);
    assert!(markers.len() > 1_000, "planted {}", markers.len());
    db.replace_all(&d).await.unwrap();
    // In clear before: the check can fail.
    let (before, plain_before) = raw_dump(name).await;
    assert!(plain_before > 100);
    assert!(
        before.matches("PLANT").count() >= markers.len(),
        "markers stored in clear before sealing"
    );
    assert!(
        before
            .lines()
            .any(|l| l.starts_with("households\t") && l.contains("\"disability\"")),
        "flags are in clear before sealing"
    );

    let key = DataKey::from_bytes(rand(9));
    let (state, _) = vault_state(&key);
    db.encrypt_in_place(&state, &key, entry()).await.unwrap();
    let (after, plain_after) = raw_dump(name).await;
    assert_eq!(plain_after, 0, "records left in clear");
    let leaked = after.matches("PLANT").count();
    let at = after
        .find("PLANT")
        .map(|i| &after[i.saturating_sub(60)..(i + 40).min(after.len())]);
    assert_eq!(leaked, 0, "planted strings readable in IndexedDB, e.g. {at:?}");
    // Flags, tenure and need codes of households are blind indexes (a
    // resource's category "disability" is not about a person and stays).
    let pages: Vec<&str> = after.lines().filter(|l| l.starts_with("households\t")).collect();
    assert!(!pages.is_empty());
    for code in linli::db::schema::FLAGS
        .iter()
        .chain(&["tenant", "owner", "public_rental"])
    {
        let f = format!("\"{code}\"");
        assert!(
            !pages.iter().any(|l| l.contains(&f)),
            "{code} readable in a household page"
        );
    }
    // Still every record, readable with the key.
    let back = db.read_all().await.unwrap();
    assert_eq!(back.households, d.households);
    assert_eq!(back.requests, d.requests);
    assert_eq!(back.audit_log.len(), d.audit_log.len() + 1);
    set_keys(None);
    db.close();
}

#[wasm_bindgen_test]
async fn guides_unlock_with_their_own_passphrase_and_a_wrong_one_is_refused() {
    let db = fresh("t-vault-guides").await;
    let d = demo(120);
    db.replace_all(&d).await.unwrap();
    let key = DataKey::from_bytes(rand(11));
    let (state, code) = vault_state(&key);
    db.encrypt_in_place(&state, &key, entry()).await.unwrap();

    // Locked: the vault is readable, the data is not.
    set_keys(None);
    let stored = db.vault().await.unwrap().expect("vault stored");
    assert_eq!(stored.guides.len(), 2);
    assert_eq!(db.read_all().await, Err(DbError::Locked));
    assert_eq!(db.households().await, Err(DbError::Locked));

    assert_eq!(
        stored.keyring.unlock(1, "wrong passphrase"),
        Err(vault::VaultError::WrongPassphrase)
    );
    assert_eq!(
        stored.keyring.unlock(2, PASS_A),
        Err(vault::VaultError::WrongPassphrase)
    );
    for (id, pass) in [(1, PASS_A), (2, PASS_B)] {
        set_keys(None);
        let k = stored.keyring.unlock(id, pass).unwrap();
        set_keys(Some(&k));
        assert_eq!(db.households().await.unwrap(), d.households, "guide {id}");
    }
    set_keys(None);
    let k = stored.keyring.recover(&code).unwrap();
    set_keys(Some(&k));
    assert_eq!(db.read_all().await.unwrap().households, d.households);

    // Another key opens nothing.
    set_keys(Some(&DataKey::from_bytes(rand(12))));
    assert!(matches!(db.households().await, Err(DbError::Decrypt { .. })));

    // Removing a guide removes their wrap.
    let mut ring = stored.keyring.clone();
    assert!(ring.remove_guide(2));
    assert_eq!(ring.unlock(2, PASS_B), Err(vault::VaultError::NoSuchGuide));
    set_keys(None);
    db.close();
}

#[wasm_bindgen_test]
async fn a_moved_record_fails_to_open() {
    let name = "t-vault-moved";
    let db = fresh(name).await;
    let d = demo(200);
    let d0 = d.households[0].id;
    assert_eq!(d0 >> 6, 0);
    db.replace_all(&d).await.unwrap();
    let key = DataKey::from_bytes(rand(13));
    let (state, _) = vault_state(&key);
    db.encrypt_in_place(&state, &key, entry()).await.unwrap();
    // Swap the bodies of pages 0 and 1 behind the app's back.
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let raw: web_sys::IdbDatabase = wait(factory.open(name).unwrap().unchecked_ref())
        .await
        .unchecked_into();
    let tx = raw
        .transaction_with_str_and_mode("households", web_sys::IdbTransactionMode::Readwrite)
        .unwrap();
    let store = tx.object_store("households").unwrap();
    let p0 = wait(&store.get(&JsValue::from(0)).unwrap()).await;
    let p1 = wait(&store.get(&JsValue::from(1)).unwrap()).await;
    let b0 = Reflect::get(&p0, &"_ct".into()).unwrap();
    Reflect::set(&p1, &"_ct".into(), &b0).unwrap();
    wait(&store.put(&p1).unwrap()).await;
    raw.close();
    let decrypt = DbError::Decrypt {
        store: "households".into(),
    };
    assert_eq!(db.households().await, Err(decrypt.clone()));
    assert_eq!(db.household(64).await, Err(decrypt));
    // Page 0 is untouched and still opens.
    assert!(db.household(d0).await.unwrap().is_some());
    set_keys(None);
    db.close();
}

#[wasm_bindgen_test]
async fn register_filters_answer_through_blind_indexes() {
    let d = demo(400);
    let queries = [
        HouseholdQuery::Flag("disability".into()),
        HouseholdQuery::Flag("dibao".into()),
        HouseholdQuery::Tenure("tenant".into()),
        HouseholdQuery::Building(d.households[7].building_id),
        HouseholdQuery::Need(
            d.households
                .iter()
                .flat_map(|h| h.needs.iter())
                .next()
                .unwrap()
                .category
                .clone(),
        ),
        HouseholdQuery::NamePrefix(d.households[3].contact_name.chars().take(1).collect()),
        HouseholdQuery::NamePrefix(d.households[5].contact_name.clone()),
    ];
    let db = fresh("t-vault-index").await;
    db.replace_all(&d).await.unwrap();
    let mut plain = Vec::new();
    for q in &queries {
        plain.push(
            db.matching_households(std::slice::from_ref(q), &d.households)
                .await
                .unwrap(),
        );
    }
    let key = DataKey::from_bytes(rand(14));
    let (state, _) = vault_state(&key);
    db.encrypt_in_place(&state, &key, entry()).await.unwrap();
    for (q, want) in queries.iter().zip(&plain) {
        assert!(!want.is_empty(), "{q:?} matches something");
        let got = db
            .matching_households(std::slice::from_ref(q), &d.households)
            .await
            .unwrap();
        assert_eq!(&got, want, "{q:?}");
    }
    set_keys(None);
    db.close();
}

/// Writes `d` into a fresh database `name` with `key` in memory (or none) and
/// reads it back; the times in ms. The database stays open and filled.
async fn fresh_write_read(name: &str, d: &Dataset, key: Option<&DataKey>) -> (Db, f64, f64) {
    let db = fresh(name).await;
    set_keys(key);
    let t0 = now();
    db.replace_all(d).await.unwrap();
    let t1 = now();
    let back = db.read_all().await.unwrap();
    let t2 = now();
    assert_eq!(back.households, d.households);
    (db, t1 - t0, t2 - t1)
}

#[wasm_bindgen_test]
async fn sealing_10000_plain_households_in_place_loses_nothing_and_reports_timings() {
    let d = demo(10_000);
    let key = DataKey::from_bytes(rand(15));
    // Like for like with `FIGURE storage_10k`: write into a fresh database and
    // read back, plain and sealed, three times each in turn (the best of three, since
    // the browser's own work varies run to run).
    let mut plain = (f64::MAX, f64::MAX);
    let mut sealed = (f64::MAX, f64::MAX);
    for round in 0..3 {
        let (db, w, r) = fresh_write_read(&format!("t-vault-10k-plain-{round}"), &d, None).await;
        plain = (plain.0.min(w), plain.1.min(r));
        db.close();
        let (db, w, r) = fresh_write_read(&format!("t-vault-10k-sealed-{round}"), &d, Some(&key)).await;
        sealed = (sealed.0.min(w), sealed.1.min(r));
        // Sealed: a locked reader gets nothing.
        set_keys(None);
        assert_eq!(db.read_all().await, Err(DbError::Locked));
        db.close();
    }
    // Sealing the plain database in place loses nothing.
    let db = fresh("t-vault-10k").await;
    db.replace_all(&d).await.unwrap();
    let t1 = now();
    let (state, _) = vault_state(&key);
    db.encrypt_in_place(&state, &key, entry()).await.unwrap();
    let t2 = now();
    set_keys(None);
    assert_eq!(db.read_all().await, Err(DbError::Locked));
    set_keys(Some(&key));
    let back = db.read_all().await.unwrap();
    let mut want = d.clone();
    want.audit_log.push(AuditEntry {
        id: back.audit_log.last().unwrap().id,
        ..entry()
    });
    assert_eq!(back, want, "sealing in place changed the data");
    // Replacing a full sealed database (a restore over existing data).
    let t5 = now();
    db.replace_all(&d).await.unwrap();
    let t6 = now();
    web_sys::console::log_1(&JsValue::from_str(&format!(
        "FIGURE vault_10k: fresh database, best of 3: plain write {:.0} ms, read {:.0} ms; sealed write {:.0} ms ({:.2}x), read {:.0} ms ({:.2}x); seal in place {:.0} ms; sealed replace of a full database {:.0} ms",
        plain.0,
        plain.1,
        sealed.0,
        sealed.0 / plain.0,
        sealed.1,
        sealed.1 / plain.1,
        t2 - t1,
        t6 - t5
    )));
    set_keys(None);
    db.close();
    for round in 0..3 {
        Db::delete(&format!("t-vault-10k-plain-{round}")).await.unwrap();
        Db::delete(&format!("t-vault-10k-sealed-{round}")).await.unwrap();
    }
}

#[wasm_bindgen_test]
fn sealing_cost_of_10000_households_in_memory() {
    let d = demo(10_000);
    let pages = linli::db::households::paginate(&d.households);
    // Builds every page's stored object, then decodes them all again: the CPU part
    // of a write and of a read, without IndexedDB.
    let run = || {
        let t = now();
        let stored: Vec<JsValue> = pages
            .iter()
            .map(|(p, list)| linli::db::households::page_js(*p, list).unwrap())
            .collect();
        let t1 = now();
        let back: usize = stored
            .iter()
            .map(|v| linli::db::households::page_households(v).unwrap().len())
            .sum();
        assert_eq!(back, d.households.len());
        (t1 - t, now() - t1)
    };
    let plain = run();
    set_keys(Some(&DataKey::from_bytes(rand(21))));
    let sealed = run();
    let t = now();
    for e in &d.points_ledger {
        linli::db::schema::to_js("points_ledger", e).unwrap();
    }
    let ledger = now() - t;
    set_keys(None);
    web_sys::console::log_1(&JsValue::from_str(&format!(
        "FIGURE vault_pages_cpu: 10,000 households into {} pages: build plain {:.0} ms, sealed {:.0} ms; decode plain {:.0} ms, sealed {:.0} ms; {} points entries sealed {ledger:.0} ms",
        pages.len(),
        plain.0,
        sealed.0,
        plain.1,
        sealed.1,
        d.points_ledger.len()
    )));
    assert!(sealed.0 > 0.0 && plain.0 > 0.0);
}

#[wasm_bindgen_test]
async fn key_derivation_at_the_owasp_minimum_and_tuned_reports_its_time() {
    let key = DataKey::from_bytes(rand(16));
    let min = KdfParams::owasp_minimum(rand(17));
    let t0 = now();
    let wrap = vault::wrap_for_guide(&key, 1, PASS_A, &min, rand(18)).unwrap();
    let t1 = now();
    let tuned = KdfParams::tuned(
        rand(19),
        linli::state::session::KDF_TARGET_MS,
        (t1 - t0).max(1.0) as u32,
    );
    assert!(tuned.meets_owasp_minimum());
    let wrap2 = vault::wrap_for_guide(&key, 1, PASS_A, &tuned, rand(20)).unwrap();
    let t2 = now();
    let k = vault::unwrap_for_guide(&wrap2, 1, PASS_A).unwrap();
    let t3 = now();
    assert_eq!(k.as_bytes(), key.as_bytes());
    assert!(vault::unwrap_for_guide(&wrap, 1, PASS_B).is_err());
    web_sys::console::log_1(&JsValue::from_str(&format!(
        "FIGURE vault_kdf: OWASP minimum (19 MiB, t=2) {:.0} ms; tuned m={} KiB t={} wrap {:.0} ms, unlock {:.0} ms",
        t1 - t0,
        tuned.m_kib,
        tuned.t,
        t2 - t1,
        t3 - t2
    )));
}
