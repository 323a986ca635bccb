use super::*;
use crate::demo::{generate, DemoConfig};
use crate::model::{RequestStatus, StatusChange};
use crate::replication::replicate::{MemDoc, MemReplica};
use serde_json::json;

const DOC: &str = "d";

fn env(by: &str, device: u16, record: &Value) -> String {
    serde_json::to_string(&Envelope {
        store: "households".into(),
        key: "1".into(),
        by: by.into(),
        device,
        at: 0,
        record: record.clone(),
        merged: Vec::new(),
    })
    .unwrap()
}

fn lookup(doc: &MemDoc) -> impl Fn(&RevId) -> Option<Envelope> + '_ {
    move |r: &RevId| doc.bodies.get(r).and_then(|b| serde_json::from_str(b).ok())
}

fn household() -> Household {
    generate(&DemoConfig {
        households: 3,
        ..DemoConfig::default()
    })
    .households
    .remove(0)
}

/// A base revision and two branches editing `a` and `b` on top of it.
fn fork(base: &Household, a: &Household, b: &Household) -> (MemReplica, RevId, RevId, RevId) {
    let mut r = MemReplica::new("t");
    let v = |h: &Household| serde_json::to_value(h).unwrap();
    let root = r.put(DOC, None, false, &env("王", 1, &v(base))).unwrap();
    let ra = r.branch(DOC, Some(&root), false, &env("王", 1, &v(a))).unwrap();
    let rb = r.branch(DOC, Some(&root), false, &env("李", 2, &v(b))).unwrap();
    (r, root, ra, rb)
}

#[test]
fn households_merge_different_fields_and_keep_the_latest_update_time() {
    let base = household();
    let mut a = base.clone();
    a.room = "1203".into();
    a.updated_at = base.updated_at + 10;
    let mut b = base.clone();
    b.notes = "独居，需要探访".into();
    b.updated_at = base.updated_at + 20;
    let (r, _, _, _) = fork(&base, &a, &b);
    let doc = r.doc(DOC).unwrap();
    assert_eq!(doc.tree.live_leaves().len(), 2);
    let m = merge_household(&doc.tree, &lookup(doc)).unwrap().unwrap();
    assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
    assert_eq!(m.record.room, "1203");
    assert_eq!(m.record.notes, "独居，需要探访");
    assert_eq!(m.record.updated_at, base.updated_at + 20);
}

#[test]
fn the_same_field_changed_twice_is_a_conflict_naming_both_guides() {
    let base = household();
    let mut a = base.clone();
    a.contact_phone = "13800000001".into();
    let mut b = base.clone();
    b.contact_phone = "13900000002".into();
    let (r, _, ra, rb) = fork(&base, &a, &b);
    let doc = r.doc(DOC).unwrap();
    let m = merge_household(&doc.tree, &lookup(doc)).unwrap().unwrap();
    assert_eq!(m.conflicts.len(), 1);
    let c = &m.conflicts[0];
    assert_eq!(c.field, "contact_phone");
    let winner = doc.tree.winner().unwrap();
    let (ours, by_ours, theirs, by_theirs) = if winner == ra {
        ("13800000001", "王", "13900000002", "李")
    } else {
        assert_eq!(winner, rb);
        ("13900000002", "李", "13800000001", "王")
    };
    assert_eq!((c.ours.as_str(), c.by_ours.as_str()), (Some(ours), by_ours));
    assert_eq!(
        (c.theirs.as_str(), c.by_theirs.as_str()),
        (Some(theirs), by_theirs)
    );
    assert_eq!(m.record.contact_phone, ours);
}

#[test]
fn the_same_value_on_both_sides_is_no_conflict() {
    let base = household();
    let mut a = base.clone();
    a.lives_alone = !base.lives_alone;
    let (r, _, _, _) = fork(&base, &a, &a.clone());
    // Same record from two guides: two leaves, nothing to resolve.
    let doc = r.doc(DOC).unwrap();
    assert_eq!(doc.tree.live_leaves().len(), 2);
    assert!(merge_household(&doc.tree, &lookup(doc))
        .unwrap()
        .unwrap()
        .conflicts
        .is_empty());
    let mut b = a.clone();
    b.updated_at += 1; // different body, same lives_alone
    let (r, _, _, _) = fork(&base, &a, &b);
    let doc = r.doc(DOC).unwrap();
    let m = merge_household(&doc.tree, &lookup(doc)).unwrap().unwrap();
    assert!(m.conflicts.is_empty());
    assert_eq!(m.record.lives_alone, a.lives_alone);
}

#[test]
fn a_missing_ancestor_turns_merges_into_conflicts_never_losses() {
    let base = household();
    let mut a = base.clone();
    a.room = "9901".into();
    let b = base.clone();
    let mut b = b;
    b.unit = base.unit.wrapping_add(1);
    let (mut r, root, _, _) = fork(&base, &a, &b);
    r.docs.get_mut(DOC).unwrap().bodies.remove(&root);
    let doc = r.doc(DOC).unwrap();
    let m = merge_household(&doc.tree, &lookup(doc)).unwrap().unwrap();
    let fields: Vec<&str> = m.conflicts.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["room", "unit"]);
}

#[test]
fn a_branch_that_saw_a_value_and_changed_it_supersedes_it_with_three_leaves() {
    let base = household();
    let v = |h: &Household| serde_json::to_value(h).unwrap();
    let mut r = MemReplica::new("t");
    let root = r.put(DOC, None, false, &env("王", 1, &v(&base))).unwrap();
    let mut a = base.clone();
    a.room = "A".into();
    let ra = r.branch(DOC, Some(&root), false, &env("王", 1, &v(&a))).unwrap();
    // Device 2 saw "A", changed it to "B" (a descendant of ra).
    let mut b = a.clone();
    b.room = "B".into();
    r.branch(DOC, Some(&ra), false, &env("李", 2, &v(&b))).unwrap();
    // Device 3 forked from ra too, edited notes only.
    let mut c = a.clone();
    c.notes = "C".into();
    r.branch(DOC, Some(&ra), false, &env("张", 3, &v(&c))).unwrap();
    // Device 1 forked from root and set room "Z": a true conflict with "B".
    let mut z = base.clone();
    z.room = "Z".into();
    z.updated_at += 1;
    r.branch(DOC, Some(&root), false, &env("赵", 4, &v(&z))).unwrap();
    let doc = r.doc(DOC).unwrap();
    assert_eq!(doc.tree.live_leaves().len(), 3);
    let m = merge_household(&doc.tree, &lookup(doc)).unwrap().unwrap();
    assert_eq!(m.record.notes, "C");
    let room: Vec<(String, String)> = m
        .conflicts
        .iter()
        .filter(|c| c.field == "room")
        .map(|c| (c.ours.to_string(), c.theirs.to_string()))
        .collect();
    assert_eq!(room.len(), 1, "{:?}", m.conflicts);
    let mut both = [room[0].0.clone(), room[0].1.clone()];
    both.sort();
    assert_eq!(both, ["\"B\"", "\"Z\""]);
    // "A" was superseded by "B" on a branch that saw it: not a conflict.
    assert!(m
        .conflicts
        .iter()
        .all(|c| c.ours != json!("A") && c.theirs != json!("A")));
}

#[test]
fn save_writes_close_the_other_leaves_deterministically() {
    let base = household();
    let mut a = base.clone();
    a.room = "1".into();
    let mut b = base.clone();
    b.notes = "2".into();
    let (mut r1, _, _, _) = fork(&base, &a, &b);
    let mut r2 = r1.clone();
    let doc = r1.doc(DOC).unwrap().clone();
    let m = merge_household(&doc.tree, &lookup(&doc)).unwrap().unwrap();
    let mut e: Envelope =
        serde_json::from_str(&env("王", 1, &serde_json::to_value(&m.record).unwrap())).unwrap();
    e.merged = closed_leaves(&doc.tree);
    assert_eq!(e.merged.len(), 1);
    let body = serde_json::to_string(&e).unwrap();
    let writes = save_writes(&doc.tree, &body, m.conflicts.is_empty()).unwrap();
    assert_eq!(writes.len(), 2);
    for r in [&mut r1, &mut r2] {
        for w in &writes {
            r.branch(DOC, Some(&w.parent), w.deleted, &w.body).unwrap();
        }
    }
    let t1 = &r1.doc(DOC).unwrap().tree;
    assert_eq!(t1, &r2.doc(DOC).unwrap().tree);
    assert_eq!(t1.live_leaves().len(), 1);
    assert!(t1.conflicts().is_empty());
    let m = merge_household(t1, &lookup(r1.doc(DOC).unwrap()))
        .unwrap()
        .unwrap();
    assert_eq!((m.record.room.as_str(), m.record.notes.as_str()), ("1", "2"));
}

fn request(status: RequestStatus, history: Vec<StatusChange>) -> Request {
    Request {
        id: 1,
        tracking_code: "R-1".into(),
        household_id: Some(3),
        category: "repair".into(),
        description: "漏水".into(),
        colour: crate::model::RequestColour::Yellow,
        status,
        history,
        received_at: 0,
        due_at: 10,
        satisfaction: None,
        assignee: None,
        resident: None,
    }
}

fn step(status: RequestStatus, at: Millis) -> StatusChange {
    StatusChange {
        status,
        at,
        note: None,
    }
}

#[test]
fn requests_take_the_furthest_stage_with_both_histories() {
    use RequestStatus::*;
    let base = request(Received, vec![step(Received, 0)]);
    let mut a = request(Assigned, vec![step(Received, 0), step(Assigned, 5)]);
    a.assignee = Some("王".into());
    let b = request(
        InProgress,
        vec![step(Received, 0), step(Assigned, 6), step(InProgress, 7)],
    );
    let v = |r: &Request| serde_json::to_value(r).unwrap();
    let mut r = MemReplica::new("t");
    let root = r.put(DOC, None, false, &env("王", 1, &v(&base))).unwrap();
    r.branch(DOC, Some(&root), false, &env("王", 1, &v(&a))).unwrap();
    r.branch(DOC, Some(&root), false, &env("李", 2, &v(&b))).unwrap();
    let doc = r.doc(DOC).unwrap();
    let m = merge_request(&doc.tree, &lookup(doc)).unwrap().unwrap();
    assert_eq!(m.record.status, InProgress);
    let h: Vec<(RequestStatus, Millis)> = m.record.history.iter().map(|s| (s.status, s.at)).collect();
    assert_eq!(h, [(Received, 0), (Assigned, 5), (Assigned, 6), (InProgress, 7)]);
    assert_eq!(m.record.assignee.as_deref(), Some("王"));
    assert!(m.conflicts.is_empty());

    // Closed on one device, rejected on the other: furthest kept, conflict shown.
    let c = request(Closed, vec![step(Received, 0), step(Closed, 9)]);
    let d = request(Rejected, vec![step(Received, 0), step(Rejected, 8)]);
    let mut r = MemReplica::new("t");
    let root = r.put(DOC, None, false, &env("王", 1, &v(&base))).unwrap();
    r.branch(DOC, Some(&root), false, &env("王", 1, &v(&c))).unwrap();
    r.branch(DOC, Some(&root), false, &env("李", 2, &v(&d))).unwrap();
    let doc = r.doc(DOC).unwrap();
    let m = merge_request(&doc.tree, &lookup(doc)).unwrap().unwrap();
    assert_eq!(m.record.status, Rejected);
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.conflicts[0].field, "status");
    assert_eq!(m.conflicts[0].theirs, json!("closed"));
}

fn entry(
    id: u32,
    household: u32,
    at: Millis,
    delta: i64,
    reason: &str,
    reverses: Option<u32>,
) -> PointsEntry {
    PointsEntry {
        id,
        household_id: household,
        at,
        delta,
        reason: reason.into(),
        reverses,
    }
}

#[test]
fn two_redemptions_of_the_last_voucher_flag_the_later_one() {
    let supplied = BTreeMap::from([("canteen_voucher".to_owned(), 1)]);
    let ledger = vec![
        entry(1, 10, 0, 50, "earn:deliberation", None),
        entry(2, 11, 0, 50, "earn:deliberation", None),
        // Device A and device B each redeemed the last voucher offline.
        entry(0x0100_0001, 10, 100, -20, "redeem:canteen_voucher", None),
        entry(0x0200_0001, 11, 100, -20, "redeem:canteen_voucher", None),
    ];
    let flags = flag_points(&ledger, &supplied);
    assert_eq!(
        flags,
        [Flag {
            entry: 0x0200_0001,
            household: 11,
            reason: FlagReason::OutOfStock {
                item: "canteen_voucher".into()
            }
        }]
    );
    assert_eq!(stock_after(&ledger, &supplied)["canteen_voucher"], 0);
    // The guide reverses the flagged entry: no flag left, the stock still 0.
    let mut fixed = ledger.clone();
    fixed.push(entry(0x0100_0002, 11, 200, 20, REVERSAL, Some(0x0200_0001)));
    assert!(flag_points(&fixed, &supplied).is_empty());
    assert_eq!(stock_after(&fixed, &supplied)["canteen_voucher"], 0);
    // Reversing the standing redemption puts its voucher back.
    fixed.push(entry(0x0100_0003, 10, 300, 20, REVERSAL, Some(0x0100_0001)));
    assert_eq!(stock_after(&fixed, &supplied)["canteen_voucher"], 1);
    // With two vouchers both redemptions stand.
    let two = BTreeMap::from([("canteen_voucher".to_owned(), 2)]);
    assert!(flag_points(&ledger, &two).is_empty());
}

#[test]
fn overdrawn_balances_and_double_reversals_are_flagged() {
    let ledger = vec![
        entry(1, 10, 0, 30, "earn:deliberation", None),
        entry(2, 10, 5, -20, "redeem:parking_discount", None),
        entry(3, 10, 5, -20, "redeem:parking_discount", None),
        entry(4, 10, 9, 20, REVERSAL, Some(2)),
        entry(5, 10, 9, 20, REVERSAL, Some(2)),
    ];
    let flags = flag_points(&ledger, &BTreeMap::new());
    assert_eq!(
        flags,
        [
            Flag {
                entry: 3,
                household: 10,
                reason: FlagReason::Overdrawn { balance: 10 }
            },
            Flag {
                entry: 5,
                household: 10,
                reason: FlagReason::DoubleReversal { reverses: 2 }
            }
        ]
    );
}

#[test]
fn supplied_sums_the_stock_log() {
    let mut cat = crate::participation::points::Catalogue::default();
    cat.items.clear();
    let by = crate::participation::points::stock::Who {
        actor: "王".into(),
        at: 1,
    };
    let item = crate::participation::points::CatalogueItem {
        code: "tea".into(),
        name_zh: "茶".into(),
        name_en: "Tea".into(),
        cost: 5,
        stock: 3,
    };
    let cat = crate::participation::points::stock::add_item(&cat, item, &by).unwrap();
    let cat = crate::participation::points::stock::restock(&cat, "tea", 4, &by, "").unwrap();
    assert_eq!(supplied(&cat.stock_log), BTreeMap::from([("tea".to_owned(), 7)]));
}

#[test]
fn time_transfers_beyond_the_balance_are_flagged() {
    let t = |id, at, g, r, minutes, service: &str| TimeBankEntry {
        id,
        at,
        giver_household_id: g,
        receiver_household_id: r,
        minutes,
        service: service.into(),
    };
    let ledger = vec![
        t(1, 0, 1, 2, 60, "陪同就医"),
        t(2, 5, 1, 3, 60, TRANSFER),
        t(3, 6, 1, 3, 30, TRANSFER),
        t(4, 7, 2, 1, 90, "理发"),
    ];
    let flags = flag_timebank(&ledger);
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].entry, 3);
    assert_eq!(flags[0].reason, FlagReason::TimeOverdrawn { balance: 0 });
}

#[test]
fn audit_union_keeps_every_entry_and_reports_clashes() {
    let a = |id, at, summary: &str| AuditEntry {
        id,
        at,
        actor: "王".into(),
        entity: "households".into(),
        entity_id: 1,
        action: "update".into(),
        summary: summary.into(),
    };
    let ours = vec![a(1, 0, "x"), a(3, 5, "y")];
    let theirs = vec![a(1, 0, "x"), a(2, 1, "z"), a(3, 5, "other")];
    let (log, clashes) = audit_union(&ours, &theirs);
    assert_eq!(log.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(clashes.len(), 1);
    assert_eq!(clashes[0].theirs.summary, "other");
}

#[test]
fn forked_snapshot_chains_are_detected() {
    let s = |id, sha: &str, prev: Option<&str>| SnapshotRecord {
        id,
        published_at: 0,
        sha256: sha.into(),
        previous_sha256: prev.map(str::to_owned),
        json: String::new(),
    };
    let linear = vec![s(1, "a", None), s(2, "b", Some("a"))];
    assert!(snapshot_forks(&linear).is_empty());
    let mut forked = linear.clone();
    forked.push(s(0x0200_0001, "c", Some("a")));
    assert_eq!(
        snapshot_forks(&forked),
        [Fork {
            previous: Some("a".into()),
            heads: vec!["b".into(), "c".into()]
        }]
    );
}

#[test]
fn only_an_uncontested_publisher_may_publish() {
    let mut r = MemReplica::new("t");
    let root = r
        .put(DOC, None, false, &env("王", 1, &json!({"device": 3})))
        .unwrap();
    let doc = r.doc(DOC).unwrap();
    let m = merge_fields(&doc.tree, &lookup(doc), FieldRules::default())
        .unwrap()
        .unwrap();
    assert!(may_publish(&m, 3) && !may_publish(&m, 1));
    // Device 2 takes over while device 3 edits something else: a clean handover.
    let mut r2 = r.clone();
    r2.branch(
        DOC,
        Some(&root),
        false,
        &env("王", 3, &json!({"device": 3, "n": 1})),
    )
    .unwrap();
    r2.branch(DOC, Some(&root), false, &env("李", 2, &json!({"device": 2})))
        .unwrap();
    let doc = r2.doc(DOC).unwrap();
    let m = merge_fields(&doc.tree, &lookup(doc), FieldRules::default())
        .unwrap()
        .unwrap();
    assert!(may_publish(&m, 2) && !may_publish(&m, 3));
    // Devices 1 and 2 both claim it offline: nobody publishes until a guide decides.
    r.branch(DOC, Some(&root), false, &env("王", 1, &json!({"device": 1})))
        .unwrap();
    r.branch(DOC, Some(&root), false, &env("李", 2, &json!({"device": 2})))
        .unwrap();
    let doc = r.doc(DOC).unwrap();
    let m = merge_fields(&doc.tree, &lookup(doc), FieldRules::default())
        .unwrap()
        .unwrap();
    assert!(!may_publish(&m, 1) && !may_publish(&m, 2));
}

#[test]
fn a_resolution_needs_a_choice_for_every_conflict_and_closes_the_leaves() {
    let base = household();
    let mut a = base.clone();
    a.room = "A".into();
    let mut b = base.clone();
    b.room = "B".into();
    let (mut r, _, _, _) = fork(&base, &a, &b);
    let doc = r.doc(DOC).unwrap().clone();
    let m = merge_fields(&doc.tree, &lookup(&doc), HOUSEHOLD_RULES)
        .unwrap()
        .unwrap();
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(
        resolve(&m, &BTreeMap::new()),
        Err(MergeError::Unresolved("room".into()))
    );
    let rec = resolve(&m, &BTreeMap::from([("room".to_owned(), json!("C"))])).unwrap();
    let mut e: Envelope = serde_json::from_str(&env("张", 3, &Value::Object(rec))).unwrap();
    e.merged = closed_leaves(&doc.tree);
    let body = serde_json::to_string(&e).unwrap();
    for w in save_writes(&doc.tree, &body, true).unwrap() {
        r.put(DOC, Some(&w.parent), w.deleted, &w.body).unwrap();
    }
    let doc = r.doc(DOC).unwrap();
    assert_eq!(doc.tree.live_leaves().len(), 1);
    let m = merge_household(&doc.tree, &lookup(doc)).unwrap().unwrap();
    assert!(m.conflicts.is_empty());
    assert_eq!(m.record.room, "C");
}

#[test]
fn resolved_on_one_device_and_rejected_on_another_is_a_conflict_but_a_progression_is_not() {
    use RequestStatus::*;
    let v = |r: &Request| serde_json::to_value(r).unwrap();
    let base = request(InProgress, vec![step(Received, 0), step(InProgress, 1)]);
    let merged = |x: &Request, y: &Request| {
        let mut r = MemReplica::new("t");
        let root = r.put(DOC, None, false, &env("王", 1, &v(&base))).unwrap();
        r.branch(DOC, Some(&root), false, &env("王", 1, &v(x))).unwrap();
        r.branch(DOC, Some(&root), false, &env("李", 2, &v(y))).unwrap();
        let doc = r.doc(DOC).unwrap().clone();
        let m = merge_request(&doc.tree, &lookup(&doc)).unwrap().unwrap();
        m
    };
    let mut h = base.history.clone();
    h.push(step(Resolved, 2));
    let resolved = request(Resolved, h.clone());
    h.push(step(Closed, 3));
    let closed = request(Closed, h);
    let mut h = base.history.clone();
    h.push(step(Duplicate, 2));
    let duplicate = request(Duplicate, h);
    let m = merged(&resolved, &duplicate);
    assert_eq!(m.record.status, Duplicate);
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.conflicts[0].theirs, json!("resolved"));
    let m = merged(&resolved, &closed);
    assert_eq!(m.record.status, Closed);
    assert!(m.conflicts.is_empty());
}
