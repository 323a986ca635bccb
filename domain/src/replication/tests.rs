//! Replication across replicas: resumption without duplicates, ancestors fetched for the
//! merge, sync files, and the property test (three replicas, random edits and random
//! replication orders with cut-offs: convergence and no lost edit).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value;

use super::ids::next_id;
use super::merge::{
    ancestry, closed_leaves, flag_points, merge_fields, merge_household, merge_request, resolve, save_writes,
    stock_after, Bodies, Envelope, Flag, HOUSEHOLD_RULES,
};
use super::replicate::{replicate, FromTarget, MemDoc, MemReplica, Options, ReplicaError, Stats};
use super::rev::RevId;
use super::syncfile::{export, import, SyncError};
use super::wire::Seq;
use crate::model::{Household, PointsEntry, Request, RequestStatus, StatusChange};
use crate::requests::lifecycle::{next_statuses, rank};

fn seal(store: &str, key: &str, by: &str, device: u16, at: i64, record: Value) -> String {
    seal_merged(store, key, by, device, at, record, Vec::new())
}

fn seal_merged(
    store: &str,
    key: &str,
    by: &str,
    device: u16,
    at: i64,
    record: Value,
    merged: Vec<RevId>,
) -> String {
    serde_json::to_string(&Envelope {
        store: store.into(),
        key: key.into(),
        by: by.into(),
        device,
        at,
        record,
        merged,
    })
    .unwrap()
}

fn lookup(doc: &MemDoc) -> impl Bodies + '_ {
    move |r: &RevId| doc.bodies.get(r).and_then(|b| serde_json::from_str(b).ok())
}

fn pair(v: &mut [MemReplica], a: usize, b: usize) -> (&mut MemReplica, &mut MemReplica) {
    assert_ne!(a, b);
    if a < b {
        let (x, y) = v.split_at_mut(b);
        (&mut x[a], &mut y[0])
    } else {
        let (x, y) = v.split_at_mut(a);
        (&mut y[0], &mut x[b])
    }
}

fn opts(session: &str, batch: usize) -> Options {
    Options {
        batch_size: batch,
        ..Options::new(session)
    }
}

fn plain_doc(r: &mut MemReplica, i: u32) {
    r.put(&format!("doc{i:03}"), None, false, &format!("body {i}"))
        .unwrap();
}

#[test]
fn a_cut_off_replication_resumes_from_its_checkpoint_without_duplicates() {
    let mut src = MemReplica::new("src");
    for i in 0..30 {
        plain_doc(&mut src, i);
    }
    let mut dst = MemReplica::new("dst");
    dst.fail_after_writes = Some(15); // killed in the middle of the second batch
    let err = replicate(&mut src, &mut dst, &opts("s1", 10));
    assert!(matches!(err, Err(ReplicaError::Unavailable(_))));
    assert_eq!(dst.writes, 15);
    dst.fail_after_writes = None;
    let stats = replicate(&mut src, &mut dst, &opts("s2", 10)).unwrap();
    // Resumed after the first batch's checkpoint, not from the start.
    assert_eq!(stats.started_at, Seq::from(10));
    assert_eq!(stats.docs_read, 20);
    // The 5 revisions written before the cut-off were not missing any more.
    assert_eq!(stats.docs_written, 15);
    assert_eq!(dst.duplicate_writes, 0);
    assert_eq!(dst.writes, 30);
    for (id, d) in &src.docs {
        assert_eq!(d.tree, dst.docs[id].tree);
        assert_eq!(d.bodies, dst.docs[id].bodies);
    }
    // Nothing left to do: a third run reads nothing and writes nothing.
    let again = replicate(&mut src, &mut dst, &opts("s3", 10)).unwrap();
    assert_eq!((again.docs_read, again.docs_written), (0, 0));
}

/// A device's run: pull from `server`, then push to it, the push told what the pull
/// wrote (as the workspace and `linli sync` run). A pull cut off ends the run.
fn exchange(
    device: &mut MemReplica,
    server: &mut MemReplica,
    session: &str,
    batch: usize,
) -> Result<(Stats, Stats), ReplicaError> {
    let after = device.seq;
    let pull = replicate(server, device, &opts(session, batch))?;
    let push_opts = Options {
        from_target: Some(FromTarget {
            after,
            through: device.seq,
        }),
        ..opts(session, batch)
    };
    Ok((pull, replicate(device, server, &push_opts)?))
}

#[test]
fn a_push_after_a_pull_does_not_ask_the_server_about_what_the_pull_brought() {
    let mut server = MemReplica::new("server");
    for i in 0..40 {
        plain_doc(&mut server, i);
    }
    // A new device: the pull brings 40 documents, the push reads none of them.
    let mut dev = MemReplica::new("device");
    let (pull, push) = exchange(&mut dev, &mut server, "r1", 10).unwrap();
    assert_eq!(pull.docs_written, 40);
    assert_eq!((push.docs_read, push.skipped, push.docs_written), (0, 40, 0));
    // Its checkpoint moved past them: a plain push afterwards reads nothing either.
    let plain = replicate(&mut dev, &mut server, &opts("r2", 10)).unwrap();
    assert_eq!((plain.started_at.clone(), plain.docs_read), (Seq::from(40), 0));

    // The server gets 5 new documents; the device edits one document offline before
    // pulling. The pull's range is skipped, the edit (made before the pull, not yet
    // sent) is not: the checkpoint does not cover it, so the push reads from there.
    for i in 100..105 {
        plain_doc(&mut server, i);
    }
    let leaf = dev.doc("doc001").unwrap().tree.winner().unwrap();
    dev.put("doc001", Some(&leaf), false, "edited before the pull")
        .unwrap();
    let (pull, push) = exchange(&mut dev, &mut server, "r3", 10).unwrap();
    assert_eq!(pull.docs_written, 5);
    assert_eq!(push.skipped, 0, "an unsent change lies before the pulled range");
    assert_eq!(push.docs_read, 6, "the edit and the 5 pulled documents");
    assert_eq!(push.docs_written, 1);

    // A document pulled and edited on the device after the pull is sent; a new one too.
    plain_doc(&mut server, 200);
    let after = dev.seq;
    replicate(&mut server, &mut dev, &opts("r4", 10)).unwrap();
    let pulled = FromTarget {
        after,
        through: dev.seq,
    };
    let leaf = dev.doc("doc200").unwrap().tree.winner().unwrap();
    dev.put("doc200", Some(&leaf), false, "edited after the pull")
        .unwrap();
    plain_doc(&mut dev, 300);
    let push = replicate(
        &mut dev,
        &mut server,
        &Options {
            from_target: Some(pulled),
            ..opts("r4", 10)
        },
    )
    .unwrap();
    assert_eq!((push.skipped, push.docs_read, push.docs_written), (1, 2, 2));
    for (id, d) in &dev.docs {
        assert_eq!(d.tree, server.docs[id].tree, "{id}");
        assert_eq!(d.bodies, server.docs[id].bodies, "{id}");
    }
}

#[test]
fn replication_fetches_the_common_ancestor_the_merge_needs() {
    // a creates the doc and edits it; b edits the root concurrently; c learns both
    // branches from a only, and must receive the root's body to merge.
    let mut rs = vec![MemReplica::new("a"), MemReplica::new("b"), MemReplica::new("c")];
    let base = serde_json::json!({"room": "1", "notes": ""});
    let root = rs[0]
        .put("h", None, false, &seal("households", "1", "王", 1, 0, base))
        .unwrap();
    {
        let (a, b) = pair(&mut rs, 0, 1);
        replicate(a, b, &opts("x", 10)).unwrap();
    }
    rs[0]
        .put(
            "h",
            Some(&root),
            false,
            &seal(
                "households",
                "1",
                "王",
                1,
                1,
                serde_json::json!({"room": "2", "notes": ""}),
            ),
        )
        .unwrap();
    rs[1]
        .put(
            "h",
            Some(&root),
            false,
            &seal(
                "households",
                "1",
                "李",
                2,
                1,
                serde_json::json!({"room": "1", "notes": "n"}),
            ),
        )
        .unwrap();
    {
        let (b, a) = pair(&mut rs, 1, 0);
        replicate(b, a, &opts("x", 10)).unwrap();
    }
    {
        let (a, c) = pair(&mut rs, 0, 2);
        replicate(a, c, &opts("x", 10)).unwrap();
    }
    let c = rs[2].doc("h").unwrap();
    assert!(c.bodies.contains_key(&root));
    let m = super::merge::merge_fields(&c.tree, &lookup(c), Default::default())
        .unwrap()
        .unwrap();
    assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
    assert_eq!(m.record["room"], "2");
    assert_eq!(m.record["notes"], "n");
}

#[test]
fn sync_files_carry_changes_since_the_last_exchange_and_never_replace() {
    let mut a = MemReplica::new("a");
    let mut b = MemReplica::new("b");
    for i in 0..5 {
        plain_doc(&mut a, i);
    }
    let f1 = export(&a, "b").unwrap();
    assert_eq!(f1.docs.len(), 5);
    let s = import(&mut b, &f1).unwrap();
    assert_eq!((s.written, s.already_held), (5, 0));
    // Importing the same file again writes nothing.
    let s = import(&mut b, &f1).unwrap();
    assert_eq!((s.written, s.already_held), (0, 5));
    assert_eq!(b.duplicate_writes, 0);
    // b edits doc000; its file acknowledges a's changes.
    let leaf = b.doc("doc000").unwrap().tree.winner().unwrap();
    b.put("doc000", Some(&leaf), false, "edited on b").unwrap();
    let f2 = export(&b, "a").unwrap();
    assert_eq!(f2.ack, f1.seq);
    // Meanwhile a edits doc000 too: the import merges (two leaves), never replaces.
    a.put("doc000", Some(&leaf), false, "edited on a").unwrap();
    import(&mut a, &f2).unwrap();
    let t = &a.doc("doc000").unwrap().tree;
    assert_eq!(t.live_leaves().len(), 2);
    // a's next file to b starts after what b acknowledged: only doc000.
    let f3 = export(&a, "b").unwrap();
    assert_eq!(f3.since, f1.seq);
    let ids: BTreeSet<&str> = f3.docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["doc000"]));
    import(&mut b, &f3).unwrap();
    assert_eq!(a.doc("doc000").unwrap().tree, b.doc("doc000").unwrap().tree);
    assert_eq!(import(&mut a, &f3), Err(SyncError::OwnFile));
    let mut bad = f3.clone();
    bad.version = 99;
    assert_eq!(import(&mut b, &bad), Err(SyncError::Format));
}

#[test]
fn the_start_sequence_needs_both_checkpoints_to_agree() {
    use super::replicate::{checkpoint, start_seq, Stats};
    let st = Stats::default();
    let a = checkpoint("id", "s1", &Seq::from(7), None, &st);
    assert_eq!(start_seq(Some(&a), Some(&a)), Seq::from(7));
    // The target lost its checkpoint (restored from a backup): start over.
    assert_eq!(start_seq(Some(&a), None), Seq::from(0));
    // The source's newer session never reached the target: the common session counts.
    let b = checkpoint("id", "s2", &Seq::from(9), Some(&a), &st);
    assert_eq!(b.history.len(), 2);
    assert_eq!(start_seq(Some(&b), Some(&a)), Seq::from(7));
    // Cut between the two writes: the target has the session's next checkpoint, the
    // source not; both have the one before.
    let t = checkpoint("id", "s2", &Seq::from(12), Some(&b), &st);
    assert_eq!(start_seq(Some(&b), Some(&t)), Seq::from(9));
    let other = checkpoint("id", "s3", &Seq::from(4), None, &st);
    assert_eq!(start_seq(Some(&b), Some(&other)), Seq::from(0));
}

#[test]
fn a_deletion_replicates_and_the_document_reads_as_gone() {
    let mut src = MemReplica::new("a");
    let mut dst = MemReplica::new("b");
    let body = seal(
        "households",
        "0",
        "王",
        1,
        0,
        serde_json::to_value(household(0)).unwrap(),
    );
    let rev = src.put("h", None, false, &body).unwrap();
    replicate(&mut src, &mut dst, &opts("x", 10)).unwrap();
    let d = dst.doc("h").unwrap();
    assert!(merge_household(&d.tree, &lookup(d)).unwrap().is_some());
    src.put("h", Some(&rev), true, "").unwrap();
    let stats = replicate(&mut src, &mut dst, &opts("y", 10)).unwrap();
    assert_eq!(stats.docs_written, 1);
    let d = dst.doc("h").unwrap();
    assert!(d.tree.is_deleted());
    assert!(merge_household(&d.tree, &lookup(d)).unwrap().is_none());
}

// ---------------------------------------------------------------------------
// Property test: three replicas.

const REPLICAS: usize = 3;
const HOUSEHOLDS: u32 = 3;
const FIELDS: [&str; 3] = ["room", "notes", "contact_phone"];
const VOUCHERS: i64 = 1;
const VOUCHER: &str = "redeem:canteen_voucher";

#[derive(Debug, Clone)]
enum Op {
    Edit {
        r: usize,
        h: u32,
        f: usize,
    },
    Redeem {
        r: usize,
        h: u32,
    },
    Advance {
        r: usize,
        pick: usize,
    },
    Sync {
        from: usize,
        to: usize,
        cut: Option<u64>,
    },
    /// A device's run against another replica as its server: pull, then a push told
    /// what the pull wrote ([`FromTarget`]); `cut` kills the device's store mid-pull.
    Exchange {
        dev: usize,
        srv: usize,
        cut: Option<u64>,
    },
    /// A sync file from one replica imported by another.
    File {
        from: usize,
        to: usize,
    },
    /// A guide resolves every conflict of a household, keeping ours or theirs.
    Resolve {
        r: usize,
        h: u32,
        theirs: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0..REPLICAS;
    prop_oneof![
        4 => (r.clone(), 0..HOUSEHOLDS, 0..FIELDS.len()).prop_map(|(r, h, f)| Op::Edit { r, h, f }),
        2 => (r.clone(), 0..HOUSEHOLDS).prop_map(|(r, h)| Op::Redeem { r, h }),
        1 => (r.clone(), 0..3usize).prop_map(|(r, pick)| Op::Advance { r, pick }),
        3 => (r.clone(), r.clone(), proptest::option::of(0..4u64))
            .prop_map(|(from, to, cut)| Op::Sync { from, to, cut }),
        2 => (r.clone(), r.clone(), proptest::option::of(0..4u64))
            .prop_map(|(dev, srv, cut)| Op::Exchange { dev, srv, cut }),
        1 => (r.clone(), r.clone()).prop_map(|(from, to)| Op::File { from, to }),
        1 => (r, 0..HOUSEHOLDS, any::<bool>()).prop_map(|(r, h, theirs)| Op::Resolve { r, h, theirs }),
    ]
}

fn hh_doc(h: u32) -> String {
    format!("households/{h}")
}

fn device(r: usize) -> u16 {
    r as u16 + 1
}

fn household(h: u32) -> Household {
    static ONE: std::sync::OnceLock<Household> = std::sync::OnceLock::new();
    let mut x = ONE
        .get_or_init(|| {
            crate::demo::generate(&crate::demo::DemoConfig {
                households: 1,
                ..crate::demo::DemoConfig::default()
            })
            .households
            .remove(0)
        })
        .clone();
    x.id = h;
    x
}

fn ledger(r: &MemReplica) -> Vec<PointsEntry> {
    r.docs
        .iter()
        .filter(|(id, _)| id.starts_with("points/"))
        .filter_map(|(_, d)| {
            let w = d.tree.winner()?;
            let e: Envelope = serde_json::from_str(d.bodies.get(&w)?).ok()?;
            serde_json::from_value(e.record).ok()
        })
        .collect()
}

fn supplied() -> BTreeMap<String, i64> {
    BTreeMap::from([("canteen_voucher".to_owned(), VOUCHERS)])
}

/// A recorded household edit: the value is unique, the revision is the save's child.
/// A guide's resolution is recorded too (`resolution`): it sets no new value, but the
/// values it discarded are then accounted for.
#[derive(Debug, Clone)]
struct Edit {
    h: u32,
    field: &'static str,
    value: String,
    rev: RevId,
    resolution: bool,
}

struct World {
    rs: Vec<MemReplica>,
    edits: Vec<Edit>,
    redemptions: BTreeSet<u32>,
    statuses: Vec<StatusChange>,
}

impl World {
    fn new() -> Self {
        let mut rs: Vec<MemReplica> = (0..REPLICAS).map(|i| MemReplica::new(&format!("r{i}"))).collect();
        // Seeded identically everywhere: the same root revisions on every replica.
        for r in &mut rs {
            for h in 0..HOUSEHOLDS {
                let body = seal(
                    "households",
                    &h.to_string(),
                    "seed",
                    0,
                    0,
                    serde_json::to_value(household(h)).unwrap(),
                );
                r.put(&hh_doc(h), None, false, &body).unwrap();
                let earn = PointsEntry {
                    id: h + 1,
                    household_id: h,
                    at: 0,
                    delta: 30,
                    reason: "earn:deliberation".into(),
                    reverses: None,
                };
                let body = seal(
                    "points_ledger",
                    &earn.id.to_string(),
                    "seed",
                    0,
                    0,
                    serde_json::to_value(&earn).unwrap(),
                );
                r.put(&format!("points/{}", earn.id), None, false, &body).unwrap();
            }
            let req = Request {
                id: 1,
                tracking_code: "R-1".into(),
                household_id: Some(0),
                category: "repair".into(),
                description: "漏水".into(),
                colour: crate::model::RequestColour::Blue,
                status: RequestStatus::Received,
                history: vec![StatusChange {
                    status: RequestStatus::Received,
                    at: 0,
                    note: None,
                }],
                received_at: 0,
                due_at: 1,
                satisfaction: None,
                assignee: None,
                resident: None,
            };
            let body = seal("requests", "1", "seed", 0, 0, serde_json::to_value(&req).unwrap());
            r.put("requests/1", None, false, &body).unwrap();
        }
        Self {
            rs,
            edits: Vec::new(),
            redemptions: BTreeSet::new(),
            statuses: Vec::new(),
        }
    }

    fn apply(&mut self, step: usize, op: &Op) {
        let at = step as i64 + 1;
        match *op {
            Op::Edit { r, h, f } => {
                let rep = &mut self.rs[r];
                let doc = rep.doc(&hh_doc(h)).unwrap().clone();
                let m = merge_household(&doc.tree, &lookup(&doc)).unwrap().unwrap();
                let value = format!("r{r}-s{step}");
                let mut rec = m.record.clone();
                match FIELDS[f] {
                    "room" => rec.room = value.clone(),
                    "notes" => rec.notes = value.clone(),
                    _ => rec.contact_phone = value.clone(),
                }
                rec.updated_at = at;
                let clean = m.conflicts.is_empty();
                let merged = if clean {
                    closed_leaves(&doc.tree)
                } else {
                    Vec::new()
                };
                let body = seal_merged(
                    "households",
                    &h.to_string(),
                    &format!("guide{r}"),
                    device(r),
                    at,
                    serde_json::to_value(&rec).unwrap(),
                    merged,
                );
                let writes = save_writes(&doc.tree, &body, clean).unwrap();
                let mut first = None;
                for w in &writes {
                    let rev = rep.put(&hh_doc(h), Some(&w.parent), w.deleted, &w.body).unwrap();
                    first.get_or_insert(rev);
                }
                self.edits.push(Edit {
                    h,
                    field: FIELDS[f],
                    value,
                    rev: first.unwrap(),
                    resolution: false,
                });
            }
            Op::Redeem { r, h } => {
                let rep = &mut self.rs[r];
                let l = ledger(rep);
                // The app's own check on what this device knows (plan_redeem).
                let flagged: BTreeSet<u32> = flag_points(&l, &supplied()).iter().map(|f| f.entry).collect();
                let live: Vec<&PointsEntry> = l.iter().filter(|e| !flagged.contains(&e.id)).collect();
                let bal: i64 = live.iter().filter(|e| e.household_id == h).map(|e| e.delta).sum();
                let used = live.iter().filter(|e| e.reason == VOUCHER).count() as i64;
                if bal < 20 || used >= VOUCHERS {
                    return;
                }
                let id = next_id(device(r), l.iter().map(|e| e.id)).unwrap();
                let e = PointsEntry {
                    id,
                    household_id: h,
                    at,
                    delta: -20,
                    reason: VOUCHER.into(),
                    reverses: None,
                };
                let body = seal(
                    "points_ledger",
                    &id.to_string(),
                    &format!("guide{r}"),
                    device(r),
                    at,
                    serde_json::to_value(&e).unwrap(),
                );
                rep.put(&format!("points/{id}"), None, false, &body).unwrap();
                self.redemptions.insert(id);
            }
            Op::Advance { r, pick } => {
                let rep = &mut self.rs[r];
                let doc = rep.doc("requests/1").unwrap().clone();
                let m = merge_request(&doc.tree, &lookup(&doc)).unwrap().unwrap();
                let next = next_statuses(m.record.status);
                if next.is_empty() {
                    return;
                }
                let to = next[pick % next.len()];
                let mut rec = m.record.clone();
                rec.status = to;
                let change = StatusChange {
                    status: to,
                    at,
                    note: Some(format!("r{r}")),
                };
                rec.history.push(change.clone());
                let clean = m.conflicts.is_empty();
                let merged = if clean {
                    closed_leaves(&doc.tree)
                } else {
                    Vec::new()
                };
                let body = seal_merged(
                    "requests",
                    "1",
                    &format!("guide{r}"),
                    device(r),
                    at,
                    serde_json::to_value(&rec).unwrap(),
                    merged,
                );
                for w in save_writes(&doc.tree, &body, clean).unwrap() {
                    rep.put("requests/1", Some(&w.parent), w.deleted, &w.body)
                        .unwrap();
                }
                self.statuses.push(change);
            }
            Op::Sync { from, to, cut } => {
                if from == to {
                    return;
                }
                let (s, t) = pair(&mut self.rs, from, to);
                t.fail_after_writes = cut;
                let res = replicate(s, t, &opts(&format!("s{step}"), 4));
                t.fail_after_writes = None;
                match res {
                    Ok(_) | Err(ReplicaError::Unavailable(_)) => {}
                    Err(e) => panic!("replication failed: {e}"),
                }
            }
            Op::Exchange { dev, srv, cut } => {
                if dev == srv {
                    return;
                }
                let (d, s) = pair(&mut self.rs, dev, srv);
                d.fail_after_writes = cut;
                let res = exchange(d, s, &format!("x{step}"), 4);
                d.fail_after_writes = None;
                match res {
                    Ok(_) | Err(ReplicaError::Unavailable(_)) => {}
                    Err(e) => panic!("replication failed: {e}"),
                }
            }
            Op::File { from, to } => self.file(from, to),
            Op::Resolve { r, h, theirs } => self.resolve(at, r, h, theirs),
        }
    }

    fn file(&mut self, from: usize, to: usize) {
        if from == to {
            return;
        }
        let f = export(&self.rs[from], &format!("r{to}")).unwrap();
        import(&mut self.rs[to], &f).unwrap();
    }

    fn resolve(&mut self, at: i64, r: usize, h: u32, theirs: bool) {
        let rep = &mut self.rs[r];
        let doc = rep.doc(&hh_doc(h)).unwrap().clone();
        let m = merge_fields(&doc.tree, &lookup(&doc), HOUSEHOLD_RULES)
            .unwrap()
            .unwrap();
        if m.conflicts.is_empty() {
            return;
        }
        let mut choices = BTreeMap::new();
        for c in &m.conflicts {
            choices.entry(c.field.clone()).or_insert_with(|| {
                if theirs {
                    c.theirs.clone()
                } else {
                    c.ours.clone()
                }
            });
        }
        let mut rec = resolve(&m, &choices).unwrap();
        rec.insert("updated_at".into(), Value::from(at));
        let body = seal_merged(
            "households",
            &h.to_string(),
            &format!("guide{r}"),
            device(r),
            at,
            Value::Object(rec),
            closed_leaves(&doc.tree),
        );
        let mut first = None;
        for w in save_writes(&doc.tree, &body, true).unwrap() {
            let rev = rep.put(&hh_doc(h), Some(&w.parent), w.deleted, &w.body).unwrap();
            first.get_or_insert(rev);
        }
        let rev = first.unwrap();
        for (field, v) in choices {
            let field = FIELDS.iter().find(|f| **f == field).copied().unwrap();
            self.edits.push(Edit {
                h,
                field,
                value: v.as_str().unwrap().to_owned(),
                rev: rev.clone(),
                resolution: true,
            });
        }
        // Nothing is left to resolve on this device.
        let doc = self.rs[r].doc(&hh_doc(h)).unwrap();
        assert!(merge_household(&doc.tree, &lookup(doc))
            .unwrap()
            .unwrap()
            .conflicts
            .is_empty());
    }

    /// Full pairwise replication until nothing moves.
    fn settle(&mut self) {
        for round in 0.. {
            assert!(round < 6, "no convergence after 6 rounds");
            let mut written = 0;
            for from in 0..REPLICAS {
                for to in 0..REPLICAS {
                    if from != to {
                        let (s, t) = pair(&mut self.rs, from, to);
                        written += replicate(s, t, &opts(&format!("settle{round}"), 4))
                            .unwrap()
                            .docs_written;
                    }
                }
            }
            if written == 0 {
                return;
            }
        }
    }
}

fn check(world: &mut World) -> Result<(), TestCaseError> {
    world.settle();
    for r in &world.rs {
        prop_assert_eq!(r.duplicate_writes, 0, "replica {} wrote a revision twice", r.name);
    }
    let first = &world.rs[0];
    // Convergence: same documents, trees, winners, merged states, flags.
    for other in &world.rs[1..] {
        prop_assert_eq!(
            first.docs.keys().collect::<Vec<_>>(),
            other.docs.keys().collect::<Vec<_>>()
        );
        for (id, d) in &first.docs {
            let o = &other.docs[id];
            prop_assert_eq!(&d.tree, &o.tree, "tree of {}", id);
            prop_assert_eq!(d.tree.winner(), o.tree.winner());
        }
        for h in 0..HOUSEHOLDS {
            let (a, b) = (&first.docs[&hh_doc(h)], &other.docs[&hh_doc(h)]);
            prop_assert_eq!(
                merge_household(&a.tree, &lookup(a)).unwrap(),
                merge_household(&b.tree, &lookup(b)).unwrap()
            );
        }
        let (a, b) = (&first.docs["requests/1"], &other.docs["requests/1"]);
        prop_assert_eq!(
            merge_request(&a.tree, &lookup(a)).unwrap(),
            merge_request(&b.tree, &lookup(b)).unwrap()
        );
        prop_assert_eq!(
            flag_points(&ledger(first), &supplied()),
            flag_points(&ledger(other), &supplied())
        );
    }
    // No edit lost: each value is shown, or in a conflict, or a later edit (or a guide's
    // resolution) of the same field made on a device that had seen it replaced it.
    for e in world.edits.iter().filter(|e| !e.resolution) {
        let d = &first.docs[&hh_doc(e.h)];
        let m = merge_household(&d.tree, &lookup(d)).unwrap().unwrap();
        let rec = serde_json::to_value(&m.record).unwrap();
        let shown = rec[e.field] == e.value.as_str();
        let conflict = m
            .conflicts
            .iter()
            .any(|c| c.field == e.field && (c.ours == e.value.as_str() || c.theirs == e.value.as_str()));
        let superseded = world.edits.iter().any(|x| {
            x.h == e.h
                && x.field == e.field
                && x.rev != e.rev
                && ancestry(&d.tree, &lookup(d), &x.rev).contains(&e.rev)
        });
        prop_assert!(shown || conflict || superseded, "edit {:?} lost: {:?}", e, m);
    }
    // Ledger: every redemption everywhere; the flags restore the invariant, and only
    // over-redemptions are flagged.
    let l = ledger(first);
    let ids: BTreeSet<u32> = l.iter().map(|e| e.id).collect();
    prop_assert!(world.redemptions.is_subset(&ids));
    let flags: Vec<Flag> = flag_points(&l, &supplied());
    let flagged: BTreeSet<u32> = flags.iter().map(|f| f.entry).collect();
    let kept: Vec<PointsEntry> = l.iter().filter(|e| !flagged.contains(&e.id)).cloned().collect();
    prop_assert!(flag_points(&kept, &supplied()).is_empty());
    let redeemed = kept.iter().filter(|e| e.reason == VOUCHER).count() as i64;
    prop_assert_eq!(redeemed, VOUCHERS.min(world.redemptions.len() as i64));
    prop_assert_eq!(
        stock_after(&l, &supplied())["canteen_voucher"],
        VOUCHERS - redeemed
    );
    // Request: the furthest stage any device reached, with every step recorded.
    let d = &first.docs["requests/1"];
    let req = merge_request(&d.tree, &lookup(d)).unwrap().unwrap().record;
    let furthest = world.statuses.iter().map(|s| rank(s.status)).max().unwrap_or(0);
    prop_assert_eq!(rank(req.status), furthest);
    for s in &world.statuses {
        prop_assert!(req.history.contains(s), "step {:?} lost", s);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn three_replicas_converge_and_lose_no_edit(ops in proptest::collection::vec(op(), 1..40)) {
        let mut world = World::new();
        for (i, op) in ops.iter().enumerate() {
            world.apply(i, op);
        }
        check(&mut world)?;
    }
}

#[test]
fn same_field_conflict_and_double_redemption_across_three_replicas() {
    // The scenario, fixed: r0 and r1 edit the same field and redeem the last
    // voucher offline, r2 relays.
    let mut w = World::new();
    let ops = [
        Op::Edit { r: 0, h: 0, f: 0 },
        Op::Edit { r: 1, h: 0, f: 0 },
        Op::Edit { r: 1, h: 1, f: 1 },
        Op::Redeem { r: 0, h: 0 },
        Op::Redeem { r: 1, h: 1 },
        Op::Sync {
            from: 0,
            to: 2,
            cut: Some(1),
        },
        Op::Sync {
            from: 1,
            to: 2,
            cut: None,
        },
        Op::Sync {
            from: 2,
            to: 0,
            cut: None,
        },
    ];
    for (i, op) in ops.iter().enumerate() {
        w.apply(i, op);
    }
    check(&mut w).unwrap();
    let d = &w.rs[0].docs[&hh_doc(0)];
    let m = merge_household(&d.tree, &lookup(d)).unwrap().unwrap();
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.conflicts[0].field, "room");
    let mut by = [m.conflicts[0].by_ours.clone(), m.conflicts[0].by_theirs.clone()];
    by.sort();
    assert_eq!(by, ["guide0", "guide1"]);
    assert_eq!(w.redemptions.len(), 2);
    let flags = flag_points(&ledger(&w.rs[2]), &supplied());
    assert_eq!(flags.len(), 1);
    // The later redemption (r1's, device 2) is flagged.
    assert_eq!(super::ids::device_of(flags[0].entry), 2);
}
