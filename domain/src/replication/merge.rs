//! Merge rules: what a document with several live leaves (or a store after a union)
//! reads as. Every function is deterministic in the tree and the bodies, so every
//! device computes the same merged state; nothing is dropped (see the table in the
//! module documentation of [`super`]).
//!
//! # Field-by-field merge against the common ancestor
//!
//! For each field and each live leaf, the **origin** of the leaf's value is the oldest
//! revision on the leaf's path from which the value is unchanged down to the leaf (the
//! revision that last set it). A leaf's value is **superseded** when its origin lies on
//! another leaf's path and that leaf's origin is a different, later revision (that branch
//! saw the value and changed it). The surviving distinct values are the merge: one value
//! → taken; several → the first (winner order) is shown and each other is a
//! [`Conflict`] with both values and who set them. For two leaves this is exactly the
//! three-way merge against their common ancestor (a field changed on one side only takes
//! that side; on both sides to different values is a conflict); it extends to any number
//! of leaves. A missing ancestor body (compacted on a server) stops the walk there, which
//! can only turn a merge into a conflict, never lose a value.
//!
//! # Saves that close leaves
//!
//! CouchDB revisions have one parent. When a guide saves a cleanly merged document,
//! [`save_writes`] writes the merged record as a child of the winner and deletes the
//! other leaves; the saved [`Envelope::merged`] lists those leaves ([`closed_leaves`]).
//! The merge treats them as further parents ([`ancestry`]; the origin walk follows them
//! when they hold the same value), so a device that later edits on top of a closed
//! branch is merged as if the merge revision had that branch in its history: the value
//! it replaced is superseded, not a false conflict.
//!
//! # Examples
//!
//! Two guides change different fields of one household offline; a third device that
//! received both branches reads one household with both changes:
//!
//! ```
//! use linli_domain::replication::merge::{merge_fields, Envelope, FieldRules};
//! use linli_domain::replication::replicate::MemReplica;
//! use serde_json::json;
//! let seal = |by: &str, record| serde_json::to_string(&Envelope {
//!     store: "households".into(), key: "7".into(), by: by.into(), device: 1, at: 0,
//!     record, merged: vec![],
//! }).unwrap();
//! let mut db = MemReplica::new("device 3");
//! let root = db.put("h7", None, false, &seal("王", json!({"room": "1203", "notes": ""}))).unwrap();
//! db.branch("h7", Some(&root), false, &seal("王", json!({"room": "1204", "notes": ""}))).unwrap();
//! db.branch("h7", Some(&root), false, &seal("李", json!({"room": "1203", "notes": "独居"}))).unwrap();
//! let doc = db.doc("h7").unwrap();
//! let bodies = |r: &_| doc.bodies.get(r).and_then(|b| serde_json::from_str(b).ok());
//! let m = merge_fields(&doc.tree, &bodies, FieldRules::default()).unwrap().unwrap();
//! assert!(m.conflicts.is_empty());
//! assert_eq!(m.record["room"], "1204");
//! assert_eq!(m.record["notes"], "独居");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::rev::{RevId, RevTree};
use crate::model::{AuditEntry, Household, Millis, PointsEntry, Request, SnapshotRecord, TimeBankEntry};
use crate::participation::points::{stock::StockEvent, Reason, REVERSAL};
use crate::participation::timebank::TRANSFER;
use crate::requests::lifecycle::{is_open, rank};

/// The plaintext of a document body (the app seals it with the community data key
/// before it leaves the device; the merge sees it after opening).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Store name ([`crate::dataset::STORE_NAMES`]).
    pub store: String,
    /// The record's key in its store, as text.
    pub key: String,
    /// Who wrote this revision (a guide's name).
    pub by: String,
    /// The device that wrote it ([`super::ids`]).
    pub device: u16,
    /// When (ms since the Unix epoch, passed in).
    pub at: Millis,
    /// The record, as its serde JSON.
    pub record: Value,
    /// For a save that closed other leaves ([`save_writes`] with `close_others`): those
    /// leaves ([`closed_leaves`]). They are this revision's other parents: the merge
    /// treats what they carried as seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<RevId>,
}

/// Why a document could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// A live leaf's body is not held (it always is after a replication).
    #[error("no body for leaf {0}")]
    MissingLeaf(String),
    /// A record is not a JSON object.
    #[error("revision {0}: the record is not an object")]
    NotAnObject(String),
    /// A resolution left a conflicted field without a choice.
    #[error("no value chosen for {0}")]
    Unresolved(String),
    /// The merged record does not decode as its store's type.
    #[error("merged record does not decode: {0}")]
    Decode(String),
}

/// One field two devices changed differently since their common ancestor. Kept (the
/// losing leaf stays in the tree) until a guide resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: String,
    /// The value shown (first in winner order).
    pub ours: Value,
    pub theirs: Value,
    /// Who set `ours` and `theirs` (the authors of the revisions that set them).
    pub by_ours: String,
    pub by_theirs: String,
    /// The revisions that set them.
    pub rev_ours: RevId,
    pub rev_theirs: RevId,
}

/// A document's merged reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged<T> {
    pub record: T,
    /// Empty when the merge is clean.
    pub conflicts: Vec<Conflict>,
    /// The live leaves merged, winner first.
    pub leaves: Vec<RevId>,
}

/// A body lookup: the opened envelope of a revision, `None` when not held.
pub trait Bodies {
    fn envelope(&self, rev: &RevId) -> Option<Envelope>;
}

impl<F: Fn(&RevId) -> Option<Envelope>> Bodies for F {
    fn envelope(&self, rev: &RevId) -> Option<Envelope> {
        self(rev)
    }
}

/// Opens each body once per merge (the walks ask for the same ancestors per field).
struct Cached<'a, B: Bodies> {
    inner: &'a B,
    cache: std::cell::RefCell<BTreeMap<RevId, Option<Envelope>>>,
}

impl<B: Bodies> Bodies for Cached<'_, B> {
    fn envelope(&self, rev: &RevId) -> Option<Envelope> {
        if let Some(e) = self.cache.borrow().get(rev) {
            return e.clone();
        }
        let e = self.inner.envelope(rev);
        self.cache.borrow_mut().insert(rev.clone(), e.clone());
        e
    }
}

fn field_of(e: &Envelope, f: &str) -> Value {
    e.record.get(f).cloned().unwrap_or(Value::Null)
}

fn object(e: &Envelope, rev: &RevId) -> Result<Map<String, Value>, MergeError> {
    e.record
        .as_object()
        .cloned()
        .ok_or_else(|| MergeError::NotAnObject(rev.to_string()))
}

/// `rev` and every revision it descends from: its tree ancestors and, through the
/// [`Envelope::merged`] of held bodies, the leaves a save merged and their ancestors.
pub fn ancestry(tree: &RevTree, bodies: &impl Bodies, rev: &RevId) -> BTreeSet<RevId> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![rev.clone()];
    while let Some(r) = todo.pop() {
        if !tree.contains(&r) || !seen.insert(r.clone()) {
            continue;
        }
        if let Some(p) = tree.node(&r).and_then(|n| n.parent.clone()) {
            todo.push(p);
        }
        if let Some(e) = bodies.envelope(&r) {
            todo.extend(e.merged);
        }
    }
    seen
}

/// The revision that set a leaf's value of `f`: walk back while a parent (the tree's,
/// then the merged leaves) holds the same value. Returns the origin and its author.
fn origin(
    tree: &RevTree,
    bodies: &impl Bodies,
    leaf: &RevId,
    leaf_env: &Envelope,
    f: &str,
) -> (RevId, String) {
    let v = field_of(leaf_env, f);
    let mut cur = (leaf.clone(), leaf_env.clone());
    let mut steps = 0usize;
    loop {
        let mut parents: Vec<RevId> = tree
            .node(&cur.0)
            .and_then(|n| n.parent.clone())
            .into_iter()
            .collect();
        parents.extend(cur.1.merged.iter().cloned());
        let next = parents.into_iter().find_map(|p| {
            let e = bodies.envelope(&p)?;
            (field_of(&e, f) == v).then_some((p, e))
        });
        steps += 1;
        match next {
            Some(n) if steps <= tree.len() => cur = n,
            _ => return (cur.0, cur.1.by),
        }
    }
}

/// Fields merged by maximum instead of by origin (e.g. `updated_at`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldRules<'a> {
    /// Merged as the largest value among the leaves (numbers).
    pub max: &'a [&'a str],
    /// Left out of the field merge (the caller merges them).
    pub skip: &'a [&'a str],
}

/// The generic field-by-field merge over a document's live leaves (module docs).
/// `None` when the document is deleted (no live leaf).
///
/// # Errors
///
/// [`MergeError::MissingLeaf`], [`MergeError::NotAnObject`].
pub fn merge_fields(
    tree: &RevTree,
    bodies: &impl Bodies,
    rules: FieldRules<'_>,
) -> Result<Option<Merged<Map<String, Value>>>, MergeError> {
    let leaves = tree.live_leaves();
    if leaves.is_empty() {
        return Ok(None);
    }
    let bodies = &Cached {
        inner: bodies,
        cache: Default::default(),
    };
    let mut leaf_env = Vec::with_capacity(leaves.len());
    for l in &leaves {
        let e = bodies
            .envelope(l)
            .ok_or_else(|| MergeError::MissingLeaf(l.to_string()))?;
        object(&e, l)?;
        leaf_env.push(e);
    }
    if let [only] = leaf_env.as_slice() {
        // One live leaf: it is the merge (the common case; no walk).
        let mut record = object(only, &leaves[0])?;
        record.retain(|k, _| !rules.skip.contains(&k.as_str()));
        return Ok(Some(Merged {
            record,
            conflicts: Vec::new(),
            leaves,
        }));
    }
    let path_sets: Vec<BTreeSet<RevId>> = leaves.iter().map(|l| ancestry(tree, bodies, l)).collect();
    let mut fields: BTreeSet<String> = BTreeSet::new();
    for e in &leaf_env {
        fields.extend(object(e, &leaves[0])?.keys().cloned());
    }
    let mut record = Map::new();
    let mut conflicts = Vec::new();
    for f in fields {
        if rules.skip.contains(&f.as_str()) {
            continue;
        }
        if rules.max.contains(&f.as_str()) {
            let best = leaf_env
                .iter()
                .map(|e| field_of(e, &f))
                .max_by(|a, b| {
                    let (x, y) = (a.as_f64().unwrap_or(f64::MIN), b.as_f64().unwrap_or(f64::MIN));
                    x.total_cmp(&y)
                })
                .unwrap_or(Value::Null);
            record.insert(f, best);
            continue;
        }
        // Origin of each leaf's value: (value, origin rev, author of origin).
        let origins: Vec<(Value, RevId, String)> = leaves
            .iter()
            .zip(&leaf_env)
            .map(|(l, e)| {
                let (o, by) = origin(tree, bodies, l, e, &f);
                (field_of(e, &f), o, by)
            })
            .collect();
        let mut survivors: Vec<&(Value, RevId, String)> = Vec::new();
        for (i, o) in origins.iter().enumerate() {
            let superseded = origins
                .iter()
                .enumerate()
                .any(|(j, p)| j != i && path_sets[j].contains(&o.1) && p.1 != o.1);
            if !superseded && !survivors.iter().any(|s| s.0 == o.0) {
                survivors.push(o);
            }
        }
        let Some(shown) = survivors.first() else {
            // Cannot happen (the newest origin is never superseded); keep the winner's.
            record.insert(f.clone(), field_of(&leaf_env[0], &f));
            continue;
        };
        for other in survivors.iter().skip(1) {
            conflicts.push(Conflict {
                field: f.clone(),
                ours: shown.0.clone(),
                theirs: other.0.clone(),
                by_ours: shown.2.clone(),
                by_theirs: other.2.clone(),
                rev_ours: shown.1.clone(),
                rev_theirs: other.1.clone(),
            });
        }
        record.insert(f, shown.0.clone());
    }
    Ok(Some(Merged {
        record,
        conflicts,
        leaves,
    }))
}

/// Households: field by field against the common ancestor; `updated_at` is the latest.
///
/// # Errors
///
/// [`MergeError`]; [`MergeError::Decode`] when the merge is not a household.
pub fn merge_household(
    tree: &RevTree,
    bodies: &impl Bodies,
) -> Result<Option<Merged<Household>>, MergeError> {
    typed(merge_fields(tree, bodies, HOUSEHOLD_RULES)?)
}

/// The household rules for [`merge_fields`] (the untyped merge a resolution starts from).
/// `members` and `needs` are one field each (the form edits them as lists).
pub const HOUSEHOLD_RULES: FieldRules<'static> = FieldRules {
    max: &["updated_at"],
    skip: &[],
};

fn typed<T: serde::de::DeserializeOwned>(
    m: Option<Merged<Map<String, Value>>>,
) -> Result<Option<Merged<T>>, MergeError> {
    m.map(|m| {
        let record =
            serde_json::from_value(Value::Object(m.record)).map_err(|e| MergeError::Decode(e.to_string()))?;
        Ok(Merged {
            record,
            conflicts: m.conflicts,
            leaves: m.leaves,
        })
    })
    .transpose()
}

/// Requests: the furthest stage of the life cycle ([`rank`]) with the union of both
/// histories (by time, then stage); the other fields field by field. A leaf that reached
/// another outcome the furthest one never went through (closed on one device, rejected on
/// the other; resolved and duplicate) keeps the furthest and adds a conflict on `status`
/// for a guide.
///
/// # Errors
///
/// [`MergeError`]; [`MergeError::Decode`] when a leaf or the merge is not a request.
pub fn merge_request(tree: &RevTree, bodies: &impl Bodies) -> Result<Option<Merged<Request>>, MergeError> {
    let rules = FieldRules {
        max: &[],
        skip: &["status", "history"],
    };
    let Some(mut m) = merge_fields(tree, bodies, rules)? else {
        return Ok(None);
    };
    let mut reqs: Vec<(Request, String, RevId)> = Vec::new();
    for l in &m.leaves {
        let e = bodies
            .envelope(l)
            .ok_or_else(|| MergeError::MissingLeaf(l.to_string()))?;
        let r: Request = serde_json::from_value(e.record).map_err(|x| MergeError::Decode(x.to_string()))?;
        reqs.push((r, e.by, l.clone()));
    }
    // Furthest stage; ties keep winner order.
    let mut best = 0;
    for (i, (r, _, _)) in reqs.iter().enumerate() {
        if rank(r.status) > rank(reqs[best].0.status) {
            best = i;
        }
    }
    let (top, top_by, top_rev) = &reqs[best];
    for (r, by, rev) in &reqs {
        // Another outcome the top leaf never went through (closed vs rejected, resolved
        // vs duplicate): a guide confirms. Resolved then closed is a progression, not a
        // conflict.
        let other_outcome =
            !is_open(r.status) && r.status != top.status && !top.history.iter().any(|h| h.status == r.status);
        if other_outcome {
            let c = Conflict {
                field: "status".into(),
                ours: serde_json::to_value(top.status).unwrap_or(Value::Null),
                theirs: serde_json::to_value(r.status).unwrap_or(Value::Null),
                by_ours: top_by.clone(),
                by_theirs: by.clone(),
                rev_ours: top_rev.clone(),
                rev_theirs: rev.clone(),
            };
            if !m.conflicts.contains(&c) {
                m.conflicts.push(c);
            }
        }
    }
    let mut history: Vec<_> = reqs
        .iter()
        .flat_map(|(r, _, _)| r.history.iter().cloned())
        .collect();
    history.sort_by(|a, b| {
        (a.at, rank(a.status), &a.note)
            .cmp(&(b.at, rank(b.status), &b.note))
            .then_with(|| format!("{:?}", a.status).cmp(&format!("{:?}", b.status)))
    });
    history.dedup();
    m.record.insert(
        "status".into(),
        serde_json::to_value(top.status).unwrap_or(Value::Null),
    );
    m.record.insert(
        "history".into(),
        serde_json::to_value(history).unwrap_or(Value::Null),
    );
    typed(Some(m))
}

/// Why a ledger entry of a union is flagged for a guide to reverse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FlagReason {
    /// The household's points balance would go negative (it stands at `balance` before).
    Overdrawn { balance: i64 },
    /// The item's stock would go below zero (two devices redeemed the last unit).
    OutOfStock { item: String },
    /// The entry it reverses was already reversed by another entry.
    DoubleReversal { reverses: u32 },
    /// A time transfer larger than the giver's balance.
    TimeOverdrawn { balance: i64 },
}

/// An entry of a merged ledger that breaks an invariant. It stays in the ledger; it is
/// shown to a guide, who reverses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub entry: u32,
    pub household: u32,
    pub reason: FlagReason,
}

/// One entry per id (the first), as a union by document holds them.
fn unique<T>(entries: &[T], id: impl Fn(&T) -> u32) -> Vec<&T> {
    let mut seen = BTreeSet::new();
    entries.iter().filter(|e| seen.insert(id(e))).collect()
}

/// Units of each catalogue item ever supplied: the sum of its stock log's deltas
/// (opening stock, restocks, corrections). The stock after redemptions is this minus
/// redemptions plus reversed redemptions.
pub fn supplied(log: &[StockEvent]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for e in log {
        *out.entry(e.item.clone()).or_insert(0) += e.delta;
    }
    out
}

/// The points ledger after a union: replayed in `(at, id)` order (the later entry is
/// the one with the greater `(at, id)`), each entry that would overdraw a balance, take
/// stock below zero (items in `supplied` only) or reverse an already reversed entry is
/// flagged and its effect left out of the replay (so entries after it are judged on the
/// balance without it). A flagged entry that a later reversal undoes is no longer
/// flagged (the guide has reversed it); the reversal then counts for nothing either.
pub fn flag_points(entries: &[PointsEntry], supplied: &BTreeMap<String, i64>) -> Vec<Flag> {
    replay_points(entries, supplied).flags.into_values().collect()
}

/// Each item's stock after a union: `supplied` minus the redemptions plus their
/// reversals, as [`flag_points`] replays them (flagged entries left out). The
/// catalogue's own `stock` counter is a per-device figure: two devices decrementing it
/// offline disagree; this does not.
pub fn stock_after(entries: &[PointsEntry], supplied: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    replay_points(entries, supplied).stock
}

struct PointsReplay {
    flags: BTreeMap<u32, Flag>,
    stock: BTreeMap<String, i64>,
}

fn replay_points(entries: &[PointsEntry], supplied: &BTreeMap<String, i64>) -> PointsReplay {
    let mut sorted: Vec<&PointsEntry> = unique(entries, |e| e.id);
    sorted.sort_by_key(|e| (e.at, e.id));
    let by_id: BTreeMap<u32, &PointsEntry> = sorted.iter().map(|e| (e.id, *e)).collect();
    let mut balance: BTreeMap<u32, i64> = BTreeMap::new();
    let mut stock = supplied.clone();
    let mut reversed: BTreeSet<u32> = BTreeSet::new();
    let mut flags: BTreeMap<u32, Flag> = BTreeMap::new();
    let item = |x: &PointsEntry| match Reason::parse(&x.reason) {
        Reason::Redeem(code) if supplied.contains_key(code) => Some(code.to_owned()),
        _ => None,
    };
    let flag = |e: &PointsEntry, reason| Flag {
        entry: e.id,
        household: e.household_id,
        reason,
    };
    for e in sorted {
        if let Some(t) = e.reverses.filter(|_| e.reason == REVERSAL) {
            if flags.remove(&t).is_some() {
                // A guide reversed a flagged entry: neither counts.
                reversed.insert(t);
                continue;
            }
            if !reversed.insert(t) {
                flags.insert(e.id, flag(e, FlagReason::DoubleReversal { reverses: t }));
                continue;
            }
        }
        let b = balance.get(&e.household_id).copied().unwrap_or(0);
        if b + e.delta < 0 {
            flags.insert(e.id, flag(e, FlagReason::Overdrawn { balance: b }));
            continue;
        }
        // A redemption takes a unit; its reversal puts it back.
        let unit = match (item(e), e.reverses.and_then(|t| by_id.get(&t))) {
            (Some(code), _) => Some((code, -1)),
            (None, Some(orig)) => item(orig).map(|c| (c, 1)),
            _ => None,
        };
        if let Some((code, d)) = unit {
            let s = stock.get(&code).copied().unwrap_or(0);
            if s + d < 0 {
                flags.insert(e.id, flag(e, FlagReason::OutOfStock { item: code }));
                continue;
            }
            stock.insert(code, s + d);
        }
        balance.insert(e.household_id, b + e.delta);
    }
    PointsReplay { flags, stock }
}

/// The time bank after a union: replayed in `(at, id)` order, a transfer that would take
/// its giver's balance below zero is flagged and left out of the replay. Services are
/// never flagged (a receiver may go negative, see [`crate::participation::timebank`]).
pub fn flag_timebank(entries: &[TimeBankEntry]) -> Vec<Flag> {
    let mut sorted: Vec<&TimeBankEntry> = unique(entries, |e| e.id);
    sorted.sort_by_key(|e| (e.at, e.id));
    let mut bal: BTreeMap<u32, i64> = BTreeMap::new();
    let mut out = Vec::new();
    for e in sorted {
        let m = i64::from(e.minutes);
        if e.service == TRANSFER {
            let b = bal.get(&e.giver_household_id).copied().unwrap_or(0);
            if b < m {
                out.push(Flag {
                    entry: e.id,
                    household: e.giver_household_id,
                    reason: FlagReason::TimeOverdrawn { balance: b },
                });
                continue;
            }
        }
        // A service credits its giver; a transfer moves time from giver to receiver.
        let d = if e.service == TRANSFER { -m } else { m };
        *bal.entry(e.giver_household_id).or_insert(0) += d;
        *bal.entry(e.receiver_household_id).or_insert(0) -= d;
    }
    out
}

/// Entries of a union by id that share an id but differ (only possible with legacy ids
/// from before [`super::ids`]): both are kept for a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash<T> {
    pub ours: T,
    pub theirs: T,
}

/// The audit log's union by id, sorted by `(at, id)`. Identical entries collapse; two
/// different entries with one id keep ours in the log and return theirs as a clash.
pub fn audit_union(ours: &[AuditEntry], theirs: &[AuditEntry]) -> (Vec<AuditEntry>, Vec<Clash<AuditEntry>>) {
    let mut by_id: BTreeMap<u32, AuditEntry> = BTreeMap::new();
    let mut clashes = Vec::new();
    for e in ours.iter().chain(theirs) {
        match by_id.get(&e.id) {
            None => {
                by_id.insert(e.id, e.clone());
            }
            Some(o) if o == e => {}
            Some(o) => clashes.push(Clash {
                ours: o.clone(),
                theirs: e.clone(),
            }),
        }
    }
    let mut log: Vec<AuditEntry> = by_id.into_values().collect();
    log.sort_by_key(|e| (e.at, e.id));
    (log, clashes)
}

/// A fork in the published chain: several snapshots name the same predecessor (or
/// several start a chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fork {
    pub previous: Option<String>,
    /// The competing snapshots' hashes, sorted.
    pub heads: Vec<String>,
}

/// Forks of the snapshot chain in a union of snapshot records (only one device should
/// publish at a time; when two did offline, this shows it).
pub fn snapshot_forks(records: &[SnapshotRecord]) -> Vec<Fork> {
    let mut next: BTreeMap<Option<String>, BTreeSet<String>> = BTreeMap::new();
    for r in records {
        next.entry(r.previous_sha256.clone())
            .or_default()
            .insert(r.sha256.clone());
    }
    next.into_iter()
        .filter(|(_, s)| s.len() > 1)
        .map(|(previous, s)| Fork {
            previous,
            heads: s.into_iter().collect(),
        })
        .collect()
}

/// The publisher document (`settings`, key `publisher`): the device that publishes for
/// the community. A device may publish only when the merged document names it with no
/// conflict; two devices claiming it offline is a conflict on `device` a guide settles.
pub fn may_publish(publisher: &Merged<Map<String, Value>>, device: u16) -> bool {
    publisher.conflicts.is_empty()
        && publisher.record.get("device").and_then(Value::as_u64) == Some(u64::from(device))
}

/// A revision a guide's save writes (apply in order with the store's local edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub parent: RevId,
    pub deleted: bool,
    pub body: String,
}

/// The record a guide's resolution saves: the merged record with `choices` (field →
/// value: one of the values offered, or a new one typed in) for the conflicted fields.
/// Save it with [`save_writes`] and `close_others`, listing [`closed_leaves`] in the
/// envelope.
///
/// # Errors
///
/// [`MergeError::Unresolved`] naming the first conflicted field without a choice.
pub fn resolve(
    merged: &Merged<Map<String, Value>>,
    choices: &BTreeMap<String, Value>,
) -> Result<Map<String, Value>, MergeError> {
    let mut out = merged.record.clone();
    for c in &merged.conflicts {
        let v = choices
            .get(&c.field)
            .ok_or_else(|| MergeError::Unresolved(c.field.clone()))?;
        out.insert(c.field.clone(), v.clone());
    }
    Ok(out)
}

/// The leaves a save with `close_others` closes (every live leaf but the winner): put
/// them in the saved envelope's [`Envelope::merged`].
pub fn closed_leaves(tree: &RevTree) -> Vec<RevId> {
    tree.live_leaves().into_iter().skip(1).collect()
}

/// The revisions of a save of `body` (the merged record, edited): a child of the
/// winning revision, and, when `close_others` (the merge had no conflict, or the guide
/// resolved them all), a deletion of every other live leaf. `None` for a deleted or
/// empty document (a save then creates it anew).
pub fn save_writes(tree: &RevTree, body: &str, close_others: bool) -> Option<Vec<Write>> {
    let leaves = tree.live_leaves();
    let winner = leaves.first()?.clone();
    let mut out = vec![Write {
        parent: winner,
        deleted: false,
        body: body.to_owned(),
    }];
    if close_others {
        out.extend(leaves.into_iter().skip(1).map(|l| Write {
            parent: l,
            deleted: true,
            body: String::new(),
        }));
    }
    Some(out)
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
