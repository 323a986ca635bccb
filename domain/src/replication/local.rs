//! A whole dataset as a replica: the documents of a community's records, sealed with
//! the community's key, their revision trees and bodies kept **in the dataset itself**
//! (setting [`SYNC_SETTING`]). Shared by the CLI (`linli sync`, `linli sync-file`, on a
//! backup file) and the workspace (Settings → 同步, on IndexedDB), so both write and read
//! the same documents and sync files byte for byte.
//!
//! An exchange: (1) [`base`]: the merged reading of every document (what the dataset
//! held after its last exchange); (2) pull from the server or [`super::syncfile::import`];
//! (3) [`stage`] the dataset's own edits (a record that differs from its base reading
//! becomes a child of the base's winning revision; a record no longer there deletes the
//! base's leaves; a record new here is compared with what the exchange brought: equal,
//! nothing to write; different, a new root merged as a conflict); (4) push or
//! [`super::syncfile::export`]; (5) [`materialize`]: every document's merged reading
//! (the rule per store: households and other stores field by field against the common
//! ancestor, requests by furthest stage) is the dataset written back, with the conflicts
//! waiting for a guide ([`Waiting`]).
//!
//! # Crypto
//!
//! | what | value |
//! |---|---|
//! | root key | the community data key, or a 32-byte sync key for a workspace without a passphrase |
//! | seal key | HKDF-SHA256(ikm = root, no salt, info [`INFO_SEAL_KEY`]) |
//! | doc-id key | HKDF-SHA256(ikm = root, no salt, info [`INFO_DOC_ID_KEY`]) |
//! | AEAD | XChaCha20-Poly1305, 24-byte random nonce passed in per seal, AAD = the document id |
//! | body | standard base64 of `0x01` ‖ nonce ‖ ciphertext ‖ tag |
//!
//! Pure: nonces and the replica's fresh id are passed in.

use std::collections::{BTreeMap, BTreeSet};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::ids;
use super::merge::{
    self, merge_fields, merge_request, Envelope, FieldRules, MergeError, Merged, HOUSEHOLD_RULES,
};
use super::replicate::{MemDoc, MemReplica, ReplicaError};
use super::rev::{RevError, RevId, RevTree};
use super::syncfile::{self, ImportStats, SyncError, SyncFile};
use super::wire::CheckpointDoc;
use crate::dataset::{Dataset, STORE_NAMES};
use crate::model::Setting;
use crate::signing::b64;

/// The setting holding the dataset's replica (documents, revision trees, bodies, checkpoints).
pub const SYNC_SETTING: &str = "_sync";
/// The setting holding the community's vault (local, never replicated).
pub const VAULT_SETTING: &str = "vault";
/// HKDF info of the sealing subkey.
pub const INFO_SEAL_KEY: &[u8] = b"linli-sync-v1|subkey|seal";
/// HKDF info of the document-id subkey.
pub const INFO_DOC_ID_KEY: &[u8] = b"linli-sync-v1|subkey|doc-id";
/// Version byte of a sealed body.
const SEAL_VERSION: u8 = 1;
/// Bytes of a body's nonce.
pub const NONCE: usize = 24;
/// Version of the `_sync` setting's layout.
const STATE_VERSION: u32 = 1;

/// Why a document could not be read, written or materialized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalError {
    /// A document's body does not open under this community's key.
    #[error("document {0} does not open with this community's sync key (another community's database, or a changed document)")]
    Sealed(String),
    /// The `_sync` setting does not decode.
    #[error("the sync state (setting `_sync`) is damaged: {0}")]
    State(String),
    /// A record without its key field.
    #[error("a record of `{0}` has no key")]
    NoKey(String),
    /// No random bytes for a nonce.
    #[error("no random bytes for a nonce")]
    NoRandom,
    /// A record that does not encode, or a merged dataset that does not decode.
    #[error("{0}")]
    Decode(String),
    /// The merged records break the dataset's integrity.
    #[error("the merged records are inconsistent: {0}")]
    Inconsistent(String),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error(transparent)]
    File(#[from] SyncError),
    #[error(transparent)]
    Replica(#[from] ReplicaError),
}

impl From<RevError> for LocalError {
    fn from(e: RevError) -> Self {
        Self::Replica(e.into())
    }
}

/// The two subkeys of a community's sync.
#[derive(Clone)] // zeroized on drop, each copy
pub struct SyncKeys {
    seal: Zeroizing<[u8; 32]>,
    doc_id: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for SyncKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncKeys(redacted)")
    }
}

fn hkdf32(ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is always a valid HKDF-SHA256 output length.
    let _ = Hkdf::<Sha256>::new(None, ikm).expand(info, &mut out[..]);
    out
}

impl SyncKeys {
    /// The subkeys of `root` (the community data key or a sync key).
    pub fn from_root(root: &[u8; 32]) -> Self {
        Self {
            seal: hkdf32(root, INFO_SEAL_KEY),
            doc_id: hkdf32(root, INFO_DOC_ID_KEY),
        }
    }

    /// The document id of `store`/`key`.
    pub fn doc_id(&self, store: &str, key: &str) -> String {
        ids::doc_id(&self.doc_id[..], store, key)
    }

    /// Seals `plain` as the body of document `id` with `nonce` (fresh and random, never reused).
    ///
    /// # Errors
    ///
    /// [`LocalError::Sealed`] if the AEAD refuses (never for these sizes).
    pub fn seal(&self, id: &str, plain: &[u8], nonce: [u8; NONCE]) -> Result<String, LocalError> {
        let ct = XChaCha20Poly1305::new(Key::from_slice(&self.seal[..]))
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| LocalError::Sealed(id.to_owned()))?;
        let mut out = Vec::with_capacity(1 + NONCE + ct.len());
        out.push(SEAL_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(b64::encode(&out))
    }

    /// Opens the body of document `id` as an [`Envelope`].
    ///
    /// # Errors
    ///
    /// [`LocalError::Sealed`] for anything that does not open and decode.
    pub fn open(&self, id: &str, body: &str) -> Result<Envelope, LocalError> {
        let bad = || LocalError::Sealed(id.to_owned());
        let bytes = b64::decode(body).ok_or_else(bad)?;
        if bytes.len() < 1 + NONCE + 16 || bytes[0] != SEAL_VERSION {
            return Err(bad());
        }
        let plain = Zeroizing::new(
            XChaCha20Poly1305::new(Key::from_slice(&self.seal[..]))
                .decrypt(
                    XNonce::from_slice(&bytes[1..=NONCE]),
                    Payload {
                        msg: &bytes[1 + NONCE..],
                        aad: id.as_bytes(),
                    },
                )
                .map_err(|_| bad())?,
        );
        serde_json::from_slice(&plain).map_err(|_| bad())
    }
}

/// Parses a sync key written as 64 hex digits (surrounding blanks ignored).
pub fn parse_hex_key(text: &str) -> Option<[u8; 32]> {
    let t = text.trim();
    if t.len() != 64 || !t.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}

// ---------------------------------------------------------------------------------------
// The replica kept in the dataset.

#[derive(Serialize, Deserialize)]
struct StoredRev {
    rev: RevId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<RevId>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredDoc {
    seq: u64,
    revs: Vec<StoredRev>,
}

#[derive(Serialize, Deserialize)]
struct StoredState {
    v: u32,
    replica: String,
    seq: u64,
    docs: BTreeMap<String, StoredDoc>,
    #[serde(default)]
    local: BTreeMap<String, CheckpointDoc>,
}

/// The dataset's replica; a new, empty one named `fresh_name` when it has none yet.
///
/// # Errors
///
/// [`LocalError::State`] for a damaged `_sync` setting.
pub fn load_state(ds: &Dataset, fresh_name: &str) -> Result<MemReplica, LocalError> {
    let Some(s) = ds.settings.iter().find(|s| s.key == SYNC_SETTING) else {
        return Ok(MemReplica::new(fresh_name));
    };
    let st: StoredState = serde_json::from_str(&s.value).map_err(|e| LocalError::State(e.to_string()))?;
    if st.v != STATE_VERSION {
        return Err(LocalError::State(format!(
            "version {} (this linli reads {STATE_VERSION})",
            st.v
        )));
    }
    let mut r = MemReplica::new(&st.replica);
    r.seq = st.seq;
    r.local = st.local;
    for (id, d) in st.docs {
        let mut revs = d.revs;
        revs.sort_by(|a, b| a.rev.cmp(&b.rev));
        let mut doc = MemDoc {
            tree: RevTree::new(),
            bodies: BTreeMap::new(),
            seq: d.seq,
        };
        for x in revs {
            let path: Vec<RevId> = std::iter::once(x.rev.clone()).chain(x.parent.clone()).collect();
            doc.tree
                .merge_path(&path, x.deleted)
                .map_err(|e| LocalError::State(format!("{id}: {e}")))?;
            if let Some(b) = x.body {
                doc.bodies.insert(x.rev, b);
            }
        }
        r.docs.insert(id, doc);
    }
    Ok(r)
}

/// The replica's id stored in `ds` (`None` before its first exchange).
pub fn replica_name(ds: &Dataset) -> Option<String> {
    #[derive(Deserialize)]
    struct Name {
        replica: String,
    }
    let s = ds.settings.iter().find(|s| s.key == SYNC_SETTING)?;
    serde_json::from_str::<Name>(&s.value).ok().map(|n| n.replica)
}

/// The `_sync` setting's text for `r`.
///
/// # Errors
///
/// [`LocalError::Decode`] if it does not encode (never).
pub fn state_text(r: &MemReplica) -> Result<String, LocalError> {
    let docs = r
        .docs
        .iter()
        .map(|(id, d)| {
            let revs = d
                .tree
                .revs()
                .map(|rev| {
                    let node = d.tree.node(rev);
                    StoredRev {
                        rev: rev.clone(),
                        parent: node.and_then(|n| n.parent.clone()),
                        deleted: node.is_some_and(|n| n.deleted),
                        body: d.bodies.get(rev).cloned(),
                    }
                })
                .collect();
            (id.clone(), StoredDoc { seq: d.seq, revs })
        })
        .collect();
    let st = StoredState {
        v: STATE_VERSION,
        replica: r.name.clone(),
        seq: r.seq,
        docs,
        local: r.local.clone(),
    };
    serde_json::to_string(&st).map_err(|e| LocalError::Decode(format!("cannot encode the sync state: {e}")))
}

// ---------------------------------------------------------------------------------------
// Records, readings, staging, materializing.

/// One record of the dataset: store, key, JSON.
pub type Record = (String, String, Value);

/// Whether a setting stays on this device (never replicated): the vault and every key
/// starting with `_` (`_sync`, [`STATUS_SETTING`]).
pub fn is_local_setting(key: &str) -> bool {
    key == VAULT_SETTING || key.starts_with('_')
}

/// The replicated records of `ds` (every store; the local settings stay local, see
/// [`is_local_setting`]).
///
/// # Errors
///
/// [`LocalError::NoKey`].
pub fn records(ds: &Dataset) -> Result<Vec<Record>, LocalError> {
    let v = serde_json::to_value(ds)
        .map_err(|e| LocalError::Decode(format!("cannot encode the dataset: {e}")))?;
    let mut out = Vec::new();
    for store in STORE_NAMES {
        for r in v.get(store).and_then(Value::as_array).into_iter().flatten() {
            let key = if store == "settings" {
                r.get("key").and_then(Value::as_str).map(str::to_owned)
            } else {
                r.get("id").and_then(Value::as_u64).map(|n| n.to_string())
            }
            .ok_or_else(|| LocalError::NoKey(store.to_owned()))?;
            if store == "settings" && is_local_setting(&key) {
                continue;
            }
            out.push((store.to_owned(), key, r.clone()));
        }
    }
    Ok(out)
}

/// A document's merged reading.
#[derive(Debug, Clone)]
pub struct Reading {
    pub store: String,
    pub key: String,
    pub merged: Merged<Map<String, Value>>,
}

/// The merged reading of document `id` (`None` when deleted or empty).
///
/// # Errors
///
/// [`LocalError::Sealed`] when a live leaf does not open; a merge error.
pub fn reading(keys: &SyncKeys, id: &str, doc: &MemDoc) -> Result<Option<Reading>, LocalError> {
    let Some(winner) = doc.tree.live_leaves().into_iter().next() else {
        return Ok(None);
    };
    // Each body is opened once per reading (the merge walks ask for ancestors per field).
    let opened: std::cell::RefCell<BTreeMap<RevId, Option<Envelope>>> = Default::default();
    let bodies = |r: &RevId| {
        if let Some(e) = opened.borrow().get(r) {
            return e.clone();
        }
        let e = doc
            .bodies
            .get(r)
            .filter(|b| !b.is_empty())
            .and_then(|b| keys.open(id, b).ok());
        opened.borrow_mut().insert(r.clone(), e.clone());
        e
    };
    // Every live leaf must open: a leaf that does not is never skipped silently.
    if doc.tree.live_leaves().iter().any(|l| bodies(l).is_none()) {
        return Err(LocalError::Sealed(id.to_owned()));
    }
    let env = bodies(&winner).ok_or_else(|| LocalError::Sealed(id.to_owned()))?;
    let merged = match env.store.as_str() {
        "households" => merge_fields(&doc.tree, &bodies, HOUSEHOLD_RULES)?,
        "requests" => merge_request(&doc.tree, &bodies)?.map(|m| Merged {
            record: match serde_json::to_value(&m.record) {
                Ok(Value::Object(o)) => o,
                _ => Map::new(),
            },
            conflicts: m.conflicts,
            leaves: m.leaves,
        }),
        _ => merge_fields(&doc.tree, &bodies, FieldRules::default())?,
    };
    Ok(merged.map(|merged| Reading {
        store: env.store,
        key: env.key,
        merged,
    }))
}

/// What the dataset held after its last exchange, by document id.
#[derive(Debug, PartialEq)]
pub struct Base {
    docs: BTreeMap<String, (Value, Vec<RevId>, RevId)>,
}

/// The base readings of `state`.
///
/// # Errors
///
/// As [`reading`].
pub fn base(keys: &SyncKeys, state: &MemReplica) -> Result<Base, LocalError> {
    let mut docs = BTreeMap::new();
    for (id, d) in &state.docs {
        if let Some(r) = reading(keys, id, d)? {
            let leaves = d.tree.live_leaves();
            let winner = leaves[0].clone();
            docs.insert(id.clone(), (Value::Object(r.merged.record), leaves, winner));
        }
    }
    Ok(Base { docs })
}

impl Base {
    /// Brings the readings up to `state` for the documents written after `since` (their
    /// `seq` above it): read again, or dropped when deleted.
    ///
    /// # Errors
    ///
    /// As [`reading`].
    fn refresh(&mut self, keys: &SyncKeys, state: &MemReplica, since: u64) -> Result<(), LocalError> {
        for (id, d) in state.docs.iter().filter(|(_, d)| d.seq > since) {
            match reading(keys, id, d)? {
                Some(r) => {
                    let leaves = d.tree.live_leaves();
                    let winner = leaves[0].clone();
                    self.docs
                        .insert(id.clone(), (Value::Object(r.merged.record), leaves, winner));
                }
                None => {
                    self.docs.remove(id);
                }
            }
        }
        Ok(())
    }
}

/// What a [`Session`] leaves for the next one on the same device (the workspace's
/// continuous replication): the replica and its readings, valid while the dataset's
/// `_sync` setting still holds exactly the text this exchange wrote. Saves parsing the
/// replica and opening every document each run.
#[derive(Debug)]
pub struct Cache {
    text: String,
    state: MemReplica,
    base: Base,
    since: u64,
}

/// Who writes this exchange's revisions.
#[derive(Debug, Clone)]
pub struct Author {
    pub by: String,
    pub device: u16,
    pub at: i64,
}

/// A source of fresh random nonces (`None`: no randomness available).
pub type Nonces<'a> = &'a mut dyn FnMut() -> Option<[u8; NONCE]>;

fn envelope_body(
    keys: &SyncKeys,
    id: &str,
    (store, key, record): (&str, &str, &Value),
    who: &Author,
    nonces: Nonces<'_>,
) -> Result<String, LocalError> {
    let env = Envelope {
        store: store.to_owned(),
        key: key.to_owned(),
        by: who.by.clone(),
        device: who.device,
        at: who.at,
        record: record.clone(),
        merged: Vec::new(),
    };
    let plain = Zeroizing::new(
        serde_json::to_vec(&env).map_err(|e| LocalError::Decode(format!("cannot encode a record: {e}")))?,
    );
    keys.seal(id, &plain, nonces().ok_or(LocalError::NoRandom)?)
}

/// Writes the dataset's own edits since `base` into `state` (module docs, step 3).
/// Returns the number of revisions written.
///
/// # Errors
///
/// Sealing, no randomness, or a revision-tree error.
pub fn stage(
    keys: &SyncKeys,
    state: &mut MemReplica,
    recs: &[Record],
    base: &Base,
    who: &Author,
    nonces: Nonces<'_>,
) -> Result<u64, LocalError> {
    let mut written = 0u64;
    let mut seen = BTreeSet::new();
    for (store, key, rec) in recs {
        let id = keys.doc_id(store, key);
        seen.insert(id.clone());
        let parent = match base.docs.get(&id) {
            Some((b, _, _)) if b == rec => continue,
            Some((_, _, winner)) => Some(winner.clone()),
            None => {
                if let Some(d) = state.docs.get(&id) {
                    if let Some(now) = reading(keys, &id, d)? {
                        if Value::Object(now.merged.record) == *rec {
                            continue;
                        }
                    }
                }
                None
            }
        };
        let body = envelope_body(keys, &id, (store, key, rec), who, nonces)?;
        state.branch(&id, parent.as_ref(), false, &body)?;
        written += 1;
    }
    for (id, (_, leaves, _)) in &base.docs {
        if seen.contains(id) {
            continue;
        }
        let current: Vec<RevId> = state.docs.get(id).map(|d| d.tree.leaves()).unwrap_or_default();
        for l in leaves.iter().filter(|l| current.contains(l)) {
            state.branch(id, Some(l), true, "")?;
            written += 1;
        }
    }
    Ok(written)
}

/// A conflict waiting for a guide (no values: they may be personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub store: String,
    pub key: String,
    pub field: String,
    pub by_ours: String,
    pub by_theirs: String,
}

/// The dataset `state` reads as, with the local settings of `old` kept (but `_sync`); and the
/// conflicts waiting.
///
/// # Errors
///
/// A document that does not open, merged records that do not decode or are inconsistent.
pub fn materialize(
    keys: &SyncKeys,
    state: &MemReplica,
    old: &Dataset,
) -> Result<(Dataset, Vec<Waiting>), LocalError> {
    let mut stores: BTreeMap<&str, Vec<Value>> = STORE_NAMES.iter().map(|s| (*s, Vec::new())).collect();
    let mut waiting = Vec::new();
    for (id, d) in &state.docs {
        let Some(r) = reading(keys, id, d)? else {
            continue;
        };
        let Some(list) = stores.get_mut(r.store.as_str()) else {
            return Err(LocalError::Decode(format!(
                "document {id} holds a record of an unknown store `{}`",
                r.store
            )));
        };
        for c in &r.merged.conflicts {
            waiting.push(Waiting {
                store: r.store.clone(),
                key: r.key.clone(),
                field: c.field.clone(),
                by_ours: c.by_ours.clone(),
                by_theirs: c.by_theirs.clone(),
            });
        }
        list.push(Value::Object(r.merged.record));
    }
    for s in &old.settings {
        if is_local_setting(&s.key) && s.key != SYNC_SETTING {
            if let Some(list) = stores.get_mut("settings") {
                list.push(serde_json::to_value(s).map_err(|e| LocalError::Decode(e.to_string()))?);
            }
        }
    }
    let obj: Map<String, Value> = stores
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::Array(v)))
        .collect();
    let mut ds: Dataset = serde_json::from_value(Value::Object(obj))
        .map_err(|e| LocalError::Decode(format!("the merged records do not decode as a dataset: {e}")))?;
    ds.normalize();
    ds.check_integrity()
        .map_err(|e| LocalError::Inconsistent(e.to_string()))?;
    Ok((ds, waiting))
}

/// `ds` with `state` as its `_sync` setting.
///
/// # Errors
///
/// As [`state_text`].
pub fn with_state(mut ds: Dataset, state: &MemReplica) -> Result<Dataset, LocalError> {
    ds.settings.retain(|s| s.key != SYNC_SETTING);
    ds.settings.push(Setting {
        key: SYNC_SETTING.to_owned(),
        value: state_text(state)?,
    });
    ds.normalize();
    Ok(ds)
}

/// Ledger entries flagged after a union (points, time bank): overdrawn balances and
/// double reversals. Out-of-stock flags need the stock log (not read here).
pub fn flags(ds: &Dataset) -> (Vec<merge::Flag>, Vec<merge::Flag>) {
    (
        merge::flag_points(&ds.points_ledger, &BTreeMap::new()),
        merge::flag_timebank(&ds.timebank_ledger),
    )
}

/// Stores whose new records are renumbered when their id was taken on another device
/// ([`renumber_collisions`]).
pub const RENUMBERED: [&str; 5] = [
    "households",
    "points_ledger",
    "timebank_ledger",
    "requests",
    "audit_log",
];

/// Old id → new id of the records renumbered in one store.
pub type Renumbered = BTreeMap<&'static str, BTreeMap<u32, u32>>;

/// Whether this device's creation of a document lost a race: the winning live leaf
/// (CouchDB's order, the same on every device) descends from a creation (generation 1)
/// that none of this device's last-exchange leaves `ours` descends from, and each of
/// `ours` descends from a creation of its own. Two devices that created the same id and
/// sent it before seeing each other's agree on which one renumbers.
fn lost_creation(tree: &RevTree, ours: &[RevId]) -> bool {
    let Some(winner) = tree.live_leaves().into_iter().next() else {
        return false;
    };
    let root = |r: &RevId| tree.path(r).last().filter(|x| x.gen == 1).cloned();
    let Some(theirs) = root(&winner) else {
        return false;
    };
    !ours.is_empty() && ours.iter().all(|o| root(o).is_some_and(|mine| mine != theirs))
}

/// Records created here since the last exchange whose id another device used for a
/// different record get the next free id, and so do records this device created and
/// sent at the same time as another device created the same id, when the other's
/// creation wins ([`lost_creation`]: the other device keeps its record, this one moves
/// and deletes its own revision) (a safety net: enrolled devices create ids in
/// their own space, [`super::ids`] and [`super::enrol`], so this happens only between
/// devices never enrolled, which all share the legacy space, or two given one number),
/// so both are kept instead of merging as one conflicted document: households, ledger
/// entries, requests and audit entries. References to a renumbered household in this
/// device's records (ledger entries, time transfers, requests, audit entries about it)
/// follow. Call after the exchange brought the peer's documents and before [`stage`].
///
/// # Errors
///
/// A document that does not open; a dataset that does not encode.
pub fn renumber_collisions(
    keys: &SyncKeys,
    state: &MemReplica,
    base: &Base,
    ds: &Dataset,
) -> Result<(Dataset, Renumbered), LocalError> {
    let enc = |e: serde_json::Error| LocalError::Decode(e.to_string());
    let mut v = serde_json::to_value(ds).map_err(enc)?;
    let mut maps: Renumbered = BTreeMap::new();
    for store in RENUMBERED {
        let Some(list) = v.get_mut(store).and_then(Value::as_array_mut) else {
            continue;
        };
        let mut used: BTreeSet<u64> = list.iter().filter_map(|r| r.get("id")?.as_u64()).collect();
        let mut next = used.iter().next_back().copied().unwrap_or(0) + 1;
        for r in list.iter_mut() {
            let Some(old) = r.get("id").and_then(Value::as_u64) else {
                continue;
            };
            let id = keys.doc_id(store, &old.to_string());
            let Some(doc) = state.docs.get(&id) else {
                continue;
            };
            if let Some((_, ours, _)) = base.docs.get(&id) {
                // Sent already: taken only when another device created the same id at
                // the same time and its creation wins (both were sent before either
                // saw the other's).
                if !lost_creation(&doc.tree, ours) {
                    continue;
                }
            } else {
                match reading(keys, &id, doc)? {
                    Some(now) if Value::Object(now.merged.record.clone()) != *r => {}
                    _ => continue,
                }
            }
            while used.contains(&next) || state.docs.contains_key(&keys.doc_id(store, &next.to_string())) {
                next += 1;
            }
            let (Ok(o), Ok(n)) = (u32::try_from(old), u32::try_from(next)) else {
                continue;
            };
            used.insert(next);
            r["id"] = Value::from(next);
            maps.entry(store).or_default().insert(o, n);
        }
    }
    if let Some(hh) = maps.get("households").cloned() {
        let follow = |r: &mut Value, field: &str| {
            if let Some(n) = r
                .get(field)
                .and_then(Value::as_u64)
                .and_then(|o| hh.get(&(o as u32)))
            {
                r[field] = Value::from(*n);
            }
        };
        for (store, fields) in [
            ("points_ledger", &["household_id"][..]),
            (
                "timebank_ledger",
                &["giver_household_id", "receiver_household_id"][..],
            ),
            ("requests", &["household_id"][..]),
        ] {
            for r in v
                .get_mut(store)
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                for f in fields {
                    follow(r, f);
                }
            }
        }
        for r in v
            .get_mut("audit_log")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if r.get("entity").and_then(Value::as_str) == Some("household") {
                follow(r, "entity_id");
            }
        }
    }
    if maps.is_empty() {
        return Ok((ds.clone(), maps));
    }
    let mut out: Dataset = serde_json::from_value(v).map_err(|e| LocalError::Decode(e.to_string()))?;
    out.normalize();
    Ok((out, maps))
}

// ---------------------------------------------------------------------------------------
// Exchanges by file, as the workspace runs them (the CLI's `sync-file` runs the same steps).

/// The setting where an exchange leaves its summary for the cockpit and the conflict
/// view (local, never replicated; readable without the key: no personal values).
pub const STATUS_SETTING: &str = "_sync_status";

/// What an exchange left: for the cockpit, Settings → 同步 and the conflict view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// This device's replica id (peers name it when they export for us).
    pub replica: String,
    /// When the last exchange ran (ms since the epoch).
    pub at: i64,
    /// Conflicts waiting for a guide.
    pub waiting: Vec<Waiting>,
    /// Ledger entries flagged after the union (points, then time bank).
    pub flags: Vec<merge::Flag>,
    /// Peers and servers seen, with the time of the last exchange with each.
    #[serde(default)]
    pub peers: BTreeMap<String, i64>,
}

/// The status stored in `ds` (`None` before the first exchange).
pub fn status(ds: &Dataset) -> Option<Status> {
    let s = ds.settings.iter().find(|s| s.key == STATUS_SETTING)?;
    serde_json::from_str(&s.value).ok()
}

/// What an exchange gives back to write.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The dataset to write in place of the old one (merged, with `_sync` and the status).
    pub dataset: Dataset,
    pub status: Status,
    /// Revisions written for this device's own edits since the last exchange.
    pub local_edits: u64,
    /// Records of this device renumbered because another device used their id.
    pub renumbered: usize,
}

fn finish(
    keys: &SyncKeys,
    state: &MemReplica,
    old: &Dataset,
    peer: Option<&str>,
    at: i64,
    local_edits: u64,
) -> Result<Exchange, LocalError> {
    let (merged, waiting) = materialize(keys, state, old)?;
    let (points, time) = flags(&merged);
    let mut peers = status(old).map(|s| s.peers).unwrap_or_default();
    if let Some(p) = peer {
        peers.insert(p.to_owned(), at);
    }
    let status = Status {
        replica: state.name.clone(),
        at,
        waiting,
        flags: points.into_iter().chain(time).collect(),
        peers,
    };
    let mut dataset = with_state(merged, state)?;
    dataset.settings.retain(|s| s.key != STATUS_SETTING);
    dataset.settings.push(Setting {
        key: STATUS_SETTING.to_owned(),
        value: serde_json::to_string(&status).map_err(|e| LocalError::Decode(e.to_string()))?,
    });
    dataset.normalize();
    Ok(Exchange {
        dataset,
        status,
        local_edits,
        renumbered: 0,
    })
}

/// One exchange of a dataset with a peer (a sync file or a server), in the order every
/// exchange takes: [`Session::open`] (the replica kept in the dataset and what it held
/// after the last exchange), bring the peer's documents into [`Session::state`] (a file's
/// import, or replication from a server), [`Session::stage`] (renumber this device's
/// records another device took the id of, then write this device's own edits), send
/// (a file's export, or replication to a server), [`Session::finish`].
#[derive(Debug)]
pub struct Session {
    pub keys: SyncKeys,
    /// The replica: replicate into and out of it.
    pub state: MemReplica,
    base: Base,
    /// The replica's `seq` when the session opened (its base reads the replica then).
    opened_at: u64,
    ds: Dataset,
    renumbered: usize,
    edits: u64,
}

impl Session {
    /// Opens `ds`'s replica (a fresh one named `fresh_name` before its first exchange).
    ///
    /// # Errors
    ///
    /// A damaged `_sync` setting; a document that does not open with `keys`.
    pub fn open(keys: SyncKeys, ds: Dataset, fresh_name: &str) -> Result<Self, LocalError> {
        Self::open_cached(keys, ds, fresh_name, None)
    }

    /// [`Session::open`], taking the replica and its readings from `cache` when the
    /// dataset's `_sync` setting is the text the cached exchange wrote (else as `open`).
    ///
    /// # Errors
    ///
    /// As [`Session::open`].
    pub fn open_cached(
        keys: SyncKeys,
        ds: Dataset,
        fresh_name: &str,
        cache: Option<Cache>,
    ) -> Result<Self, LocalError> {
        let stored = ds
            .settings
            .iter()
            .find(|s| s.key == SYNC_SETTING)
            .map(|s| s.value.as_str());
        let (state, base) = match cache {
            Some(mut c) if stored == Some(c.text.as_str()) => {
                c.base.refresh(&keys, &c.state, c.since)?;
                (c.state, c.base)
            }
            _ => {
                let state = load_state(&ds, fresh_name)?;
                let base = base(&keys, &state)?;
                (state, base)
            }
        };
        Ok(Self {
            keys,
            opened_at: state.seq,
            state,
            base,
            ds,
            renumbered: 0,
            edits: 0,
        })
    }

    /// After the peer's documents came in: renumbers this device's records whose id
    /// another device took, then stages this device's own edits; the revisions written.
    ///
    /// # Errors
    ///
    /// Sealing, no randomness, a document that does not open.
    pub fn stage(&mut self, who: &Author, nonces: Nonces<'_>) -> Result<u64, LocalError> {
        let (ds, renumbered) = renumber_collisions(&self.keys, &self.state, &self.base, &self.ds)?;
        self.ds = ds;
        self.renumbered += renumbered.values().map(BTreeMap::len).sum::<usize>();
        let n = stage(
            &self.keys,
            &mut self.state,
            &records(&self.ds)?,
            &self.base,
            who,
            nonces,
        )?;
        self.edits += n;
        Ok(n)
    }

    /// The dataset to write back: merged, with the replica and the status (`peer` seen
    /// at `at`).
    ///
    /// # Errors
    ///
    /// As [`materialize`].
    pub fn finish(&self, peer: Option<&str>, at: i64) -> Result<Exchange, LocalError> {
        let mut ex = finish(&self.keys, &self.state, &self.ds, peer, at, self.edits)?;
        ex.renumbered = self.renumbered;
        Ok(ex)
    }

    /// The merged dataset with the replica kept in it, without a new status (the CLI
    /// writes a backup back only when it changed); the conflicts waiting.
    ///
    /// # Errors
    ///
    /// As [`materialize`].
    pub fn merged(&self) -> Result<(Dataset, Vec<Waiting>), LocalError> {
        let (merged, waiting) = materialize(&self.keys, &self.state, &self.ds)?;
        Ok((with_state(merged, &self.state)?, waiting))
    }

    /// What the next session may start from once `written` (this session's
    /// [`Session::finish`]) is what the dataset holds.
    pub fn into_cache(self, written: &Dataset) -> Option<Cache> {
        let text = written
            .settings
            .iter()
            .find(|s| s.key == SYNC_SETTING)?
            .value
            .clone();
        Some(Cache {
            text,
            state: self.state,
            base: self.base,
            since: self.opened_at,
        })
    }

    /// Revisions written for this device's own edits so far.
    pub fn edits(&self) -> u64 {
        self.edits
    }

    /// Records of this device renumbered so far.
    pub fn renumbered(&self) -> usize {
        self.renumbered
    }
}

/// Export for `peer`: stages `ds`'s own edits, then the file of every change since the
/// peer's acknowledgement; the dataset to write back (its replica advanced).
///
/// # Errors
///
/// [`LocalError`].
pub fn export_file(
    keys: &SyncKeys,
    ds: &Dataset,
    fresh_name: &str,
    peer: &str,
    who: &Author,
    nonces: Nonces<'_>,
) -> Result<(SyncFile, Exchange), LocalError> {
    let mut s = Session::open(keys.clone(), ds.clone(), fresh_name)?;
    s.stage(who, nonces)?;
    let file = syncfile::export(&s.state, peer)?;
    Ok((file, s.finish(Some(peer), who.at)?))
}

/// Import `file` into `ds`: every body must open first (another community's file is
/// refused, nothing written); merges, never replaces; then stages `ds`'s own edits.
///
/// # Errors
///
/// [`LocalError`] ([`LocalError::Sealed`] for another community's file,
/// [`LocalError::File`] for a file that is not one or is this device's own).
pub fn import_file(
    keys: &SyncKeys,
    ds: &Dataset,
    fresh_name: &str,
    file: &SyncFile,
    who: &Author,
    nonces: Nonces<'_>,
) -> Result<(ImportStats, Exchange), LocalError> {
    for d in file.docs.iter().filter(|d| !d.deleted) {
        keys.open(&d.id, &d.body)?;
    }
    let mut s = Session::open(keys.clone(), ds.clone(), fresh_name)?;
    let stats = syncfile::import(&mut s.state, file)?;
    s.stage(who, nonces)?;
    Ok((stats, s.finish(Some(&file.from), who.at)?))
}

// ---------------------------------------------------------------------------------------
// The conflict view: both values, and a guide's resolution.

/// A record with conflicts, both values of each (for the conflict view; never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open {
    pub store: String,
    pub key: String,
    pub conflicts: Vec<merge::Conflict>,
}

/// Every record of `ds` with a conflict waiting, with both values and who set them.
///
/// # Errors
///
/// A damaged `_sync` setting; a document that does not open.
pub fn open_conflicts(keys: &SyncKeys, ds: &Dataset) -> Result<Vec<Open>, LocalError> {
    let state = load_state(ds, "")?;
    let mut out = Vec::new();
    for (id, d) in &state.docs {
        if d.tree.live_leaves().len() < 2 {
            continue;
        }
        if let Some(r) = reading(keys, id, d)? {
            if !r.merged.conflicts.is_empty() {
                out.push(Open {
                    store: r.store,
                    key: r.key,
                    conflicts: r.merged.conflicts,
                });
            }
        }
    }
    Ok(out)
}

/// A guide's resolution of every conflicted field of one record (`choices`: field →
/// value, one of those offered or another): this device's edits are staged first, then
/// the resolved record is saved as a child of the winning revision and the other leaves
/// are closed (listed in the envelope), so every device that receives it reads the
/// same record without the conflict. Nothing is lost before: a record with a field
/// left without a choice is refused.
///
/// # Errors
///
/// [`LocalError::Merge`] ([`MergeError::Unresolved`]) for a field without a choice;
/// [`LocalError::State`] when the record has no document here.
pub fn resolve_record(
    keys: &SyncKeys,
    ds: &Dataset,
    (store, key): (&str, &str),
    choices: &BTreeMap<String, Value>,
    who: &Author,
    nonces: Nonces<'_>,
) -> Result<Exchange, LocalError> {
    let mut state = load_state(ds, "")?;
    let b = base(keys, &state)?;
    let edits = stage(keys, &mut state, &records(ds)?, &b, who, nonces)?;
    let id = keys.doc_id(store, key);
    let missing = || LocalError::State(format!("no document for {store} {key}"));
    let doc = state.docs.get(&id).ok_or_else(missing)?;
    let r = reading(keys, &id, doc)?.ok_or_else(missing)?;
    let record = merge::resolve(&r.merged, choices)?;
    let env = Envelope {
        store: store.to_owned(),
        key: key.to_owned(),
        by: who.by.clone(),
        device: who.device,
        at: who.at,
        record: Value::Object(record),
        merged: merge::closed_leaves(&doc.tree),
    };
    let plain = Zeroizing::new(serde_json::to_vec(&env).map_err(|e| LocalError::Decode(e.to_string()))?);
    let body = keys.seal(&id, &plain, nonces().ok_or(LocalError::NoRandom)?)?;
    let writes = merge::save_writes(&doc.tree, &body, true).ok_or_else(missing)?;
    for w in writes {
        state.branch(&id, Some(&w.parent), w.deleted, &w.body)?;
    }
    finish(keys, &state, ds, None, who.at, edits + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};

    fn counter() -> impl FnMut() -> Option<[u8; NONCE]> {
        let mut n = 0u64;
        move || {
            n += 1;
            let mut out = [0u8; NONCE];
            out[..8].copy_from_slice(&n.to_le_bytes());
            Some(out)
        }
    }

    /// A session opened from the previous one's cache reads exactly what one opened
    /// from the stored text reads, after records were edited, added and deleted; a
    /// dataset whose `_sync` is not the cached text is opened from its text.
    #[test]
    fn a_cached_session_reads_as_a_fresh_one() {
        let k = SyncKeys::from_root(&[3; 32]);
        let mut n = counter();
        let ds = generate(&DemoConfig {
            households: 12,
            ..DemoConfig::default()
        });
        let mut s1 = Session::open(k.clone(), ds, "device:a").unwrap();
        s1.stage(&who("A", 1), &mut n).unwrap();
        let ex1 = s1.finish(None, 1).unwrap();
        let cache = s1.into_cache(&ex1.dataset).unwrap();
        // Edits after the first exchange, then a second exchange from the cache.
        let mut d2 = ex1.dataset.clone();
        d2.households[0].notes = "changed".into();
        d2.households.remove(3);
        let mut h = d2.households[1].clone();
        h.id = 900;
        d2.households.push(h);
        let mut s2 = Session::open_cached(k.clone(), d2.clone(), "unused", Some(cache)).unwrap();
        assert_eq!(
            s2.base,
            Session::open(k.clone(), d2.clone(), "unused").unwrap().base
        );
        assert_eq!(s2.stage(&who("A", 2), &mut n).unwrap(), 3);
        let ex2 = s2.finish(None, 2).unwrap();
        let cache = s2.into_cache(&ex2.dataset).unwrap();
        let fresh = Session::open(k.clone(), ex2.dataset.clone(), "unused").unwrap();
        let cached = Session::open_cached(k.clone(), ex2.dataset.clone(), "unused", Some(cache)).unwrap();
        assert_eq!(cached.base, fresh.base, "the readings after the second exchange");
        assert_eq!(cached.state.docs, fresh.state.docs);
        // Another text: the cache is not used.
        let mut s3 = Session::open(k.clone(), ex2.dataset.clone(), "x").unwrap();
        s3.stage(&who("A", 3), &mut n).unwrap();
        let stale = s3.into_cache(&ex1.dataset).unwrap();
        let other = Session::open_cached(k.clone(), ex2.dataset.clone(), "unused", Some(stale)).unwrap();
        assert_eq!(other.base, fresh.base);
    }

    fn who(by: &str, at: i64) -> Author {
        Author {
            by: by.into(),
            device: 0,
            at,
        }
    }

    /// One device's run against a shared server, split where the race happens: pull,
    /// then (later) stage and push.
    fn pull(k: &SyncKeys, ds: &Dataset, name: &str, server: &mut MemReplica, n: u64) -> Session {
        let mut s = Session::open(k.clone(), ds.clone(), name).unwrap();
        let o = crate::replication::replicate::Options::new(&format!("{name}-pull-{n}"));
        crate::replication::replicate::replicate(server, &mut s.state, &o).unwrap();
        s
    }

    fn push(mut s: Session, who: &Author, server: &mut MemReplica, nonces: Nonces<'_>, n: u64) -> Exchange {
        s.stage(who, nonces).unwrap();
        let o = crate::replication::replicate::Options::new(&format!("push-{n}"));
        crate::replication::replicate::replicate(&mut s.state, server, &o).unwrap();
        s.finish(Some("server"), who.at).unwrap()
    }

    #[test]
    fn two_devices_that_send_the_same_new_id_at_once_keep_both_records() {
        let k = SyncKeys::from_root(&[5; 32]);
        let (mut na, mut nb) = (counter(), counter());
        let mut server = MemReplica::new("server");
        let ds = generate(&DemoConfig {
            households: 6,
            ..DemoConfig::default()
        });
        let a0 = push(
            pull(&k, &ds, "device:a", &mut server, 0),
            &who("A", 1),
            &mut server,
            &mut na,
            0,
        );
        let b0 = push(
            pull(&k, &ds, "device:b", &mut server, 1),
            &who("B", 2),
            &mut server,
            &mut nb,
            1,
        );
        // Both add a household with the same next id and a points entry for it.
        let next = ds.households.iter().map(|h| h.id).max().unwrap() + 1;
        let pid = ds.points_ledger.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        let add = |d: &Dataset, notes: &str, at: i64| {
            let mut d = d.clone();
            let mut h = d.households[0].clone();
            h.id = next;
            h.notes = notes.into();
            d.households.push(h);
            let mut e = d.points_ledger[0].clone();
            e.id = pid;
            e.household_id = next;
            e.at = at;
            d.points_ledger.push(e);
            d
        };
        let (da, db) = (
            add(&a0.dataset, "new on A", 100),
            add(&b0.dataset, "new on B", 200),
        );
        // Both pull (nothing new), then both send: the server holds both creations.
        let sa = pull(&k, &da, "x", &mut server, 2);
        let sb = pull(&k, &db, "x", &mut server, 3);
        let a1 = push(sa, &who("A", 3), &mut server, &mut na, 2);
        let b1 = push(sb, &who("B", 4), &mut server, &mut nb, 3);
        assert_eq!((a1.renumbered, b1.renumbered), (0, 0), "neither saw the other's");
        // Each runs again: exactly one (the one whose creation lost) moves its records.
        let a2 = push(
            pull(&k, &a1.dataset, "x", &mut server, 4),
            &who("A", 5),
            &mut server,
            &mut na,
            4,
        );
        let b2 = push(
            pull(&k, &b1.dataset, "x", &mut server, 5),
            &who("B", 6),
            &mut server,
            &mut nb,
            5,
        );
        assert_eq!(
            a2.renumbered + b2.renumbered,
            2,
            "one household and one entry moved"
        );
        assert!(a2.renumbered == 0 || b2.renumbered == 0, "only one device moves");
        let a3 = push(
            pull(&k, &a2.dataset, "x", &mut server, 6),
            &who("A", 7),
            &mut server,
            &mut na,
            6,
        );
        let b3 = push(
            pull(&k, &b2.dataset, "x", &mut server, 7),
            &who("B", 8),
            &mut server,
            &mut nb,
            7,
        );
        let strip = |d: &Dataset| {
            let mut d = d.clone();
            d.settings.retain(|s| !is_local_setting(&s.key));
            d
        };
        assert_eq!(strip(&a3.dataset), strip(&b3.dataset), "converged");
        assert!(a3.status.waiting.is_empty(), "{:?}", a3.status.waiting);
        assert!(b3.status.waiting.is_empty(), "{:?}", b3.status.waiting);
        let new: BTreeMap<&str, u32> = a3
            .dataset
            .households
            .iter()
            .filter(|h| h.notes.starts_with("new on"))
            .map(|h| (h.notes.as_str(), h.id))
            .collect();
        assert_eq!(new.len(), 2, "both households kept: {new:?}");
        let mut ids: Vec<u32> = new.values().copied().collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![next, next + 1]);
        // Each points entry still names its own household.
        for (notes, at) in [("new on A", 100), ("new on B", 200)] {
            let e = a3.dataset.points_ledger.iter().find(|e| e.at == at).unwrap();
            assert_eq!(e.household_id, new[notes], "{notes}");
        }
    }

    #[test]
    fn two_devices_exchange_files_converge_and_keep_a_conflict() {
        let k = SyncKeys::from_root(&[9; 32]);
        let mut na = counter();
        let mut nb = counter();
        let ds = generate(&DemoConfig {
            households: 8,
            ..DemoConfig::default()
        });
        // A exports everything for B; B (same records, never exchanged) imports it.
        let (f0, a0) = export_file(&k, &ds, "device:a", "device:b", &who("A", 1), &mut na).unwrap();
        assert_eq!(a0.status.replica, "device:a");
        assert!(f0.docs.len() > 8);
        let (s0, b0) = import_file(&k, &ds, "device:b", &f0, &who("B", 2), &mut nb).unwrap();
        assert_eq!(s0.written as usize, f0.docs.len());
        assert_eq!(b0.local_edits, 0, "equal records share revisions");
        assert!(b0.status.waiting.is_empty());
        // Offline edits: different fields of household 0, the same field of household 1.
        let mut da = a0.dataset.clone();
        let mut db = b0.dataset.clone();
        da.households[0].notes = "A notes".into();
        db.households[0].room = "B room".into();
        da.households[1].notes = "from A".into();
        db.households[1].notes = "from B".into();
        // Both add a household and a points entry with the same next ids.
        let mut ha = da.households[2].clone();
        let next = da.households.iter().map(|h| h.id).max().unwrap() + 1;
        ha.id = next;
        ha.notes = "new on A".into();
        let mut hb = ha.clone();
        hb.notes = "new on B".into();
        da.households.push(ha);
        db.households.push(hb);
        let pid = da.points_ledger.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        let mut pe = da.points_ledger[0].clone();
        pe.id = pid;
        pe.household_id = next;
        pe.at = 100;
        let mut pb = pe.clone();
        pb.at = 200;
        da.points_ledger.push(pe);
        db.points_ledger.push(pb);
        // A hands its file to B; B imports it (its own new records, never sent, are
        // renumbered where A used their ids), then hands its file back.
        let (fa, a1) = export_file(&k, &da, "x", "device:b", &who("A", 3), &mut na).unwrap();
        assert_eq!(a1.local_edits, 4);
        // Sending changes no record here: only the replica and status are written.
        let written = da.changes_to(&a1.dataset);
        assert!(written.deletes.is_empty());
        assert!(written.puts.settings.iter().all(|s| is_local_setting(&s.key)));
        assert!(written.puts.settings.iter().any(|s| s.key == SYNC_SETTING));
        assert_eq!(
            written.len(),
            written.puts.settings.len(),
            "no record but local settings"
        );
        assert_eq!(fa.since, 0, "B has acknowledged nothing yet");
        let (_, b1) = import_file(&k, &db, "x", &fa, &who("B", 4), &mut nb).unwrap();
        assert_eq!(b1.renumbered, 2);
        assert!(
            db.changes_to(&b1.dataset).puts.households.len() >= 2,
            "A's edits change B's records"
        );
        let (fb, b2) = export_file(&k, &b1.dataset, "x", "device:a", &who("B", 5), &mut nb).unwrap();
        let (_, a2) = import_file(&k, &a1.dataset, "x", &fb, &who("A", 6), &mut na).unwrap();
        assert_eq!(a2.renumbered, 0);
        let strip = |d: &Dataset| {
            let mut d = d.clone();
            d.settings.retain(|s| !is_local_setting(&s.key));
            d
        };
        assert_eq!(strip(&a2.dataset), strip(&b2.dataset), "converged");
        let h0 = &a2.dataset.households[0];
        assert_eq!((h0.notes.as_str(), h0.room.as_str()), ("A notes", "B room"));
        assert_eq!(a2.status.waiting, b2.status.waiting);
        assert_eq!(a2.status.waiting.len(), 1, "{:?}", a2.status.waiting);
        assert_eq!(a2.status.waiting[0].field, "notes");
        let new: Vec<&str> = a2
            .dataset
            .households
            .iter()
            .filter(|h| h.notes.starts_with("new on"))
            .map(|h| h.notes.as_str())
            .collect();
        assert_eq!(new.len(), 2, "both new households kept");
        let both: Vec<_> = a2
            .dataset
            .points_ledger
            .iter()
            .filter(|e| e.at == 100 || e.at == 200)
            .collect();
        assert_eq!(both.len(), 2, "both ledger entries kept");
        assert_ne!(
            both[0].household_id, both[1].household_id,
            "each follows its household"
        );
        assert_eq!(status(&a2.dataset).unwrap(), a2.status);
        assert!(a2.status.peers.contains_key("device:b"));
        // A guide on A looks at both values and keeps B's; after one more exchange the
        // conflict is gone on both, with B's value.
        let open = open_conflicts(&k, &a2.dataset).unwrap();
        assert_eq!(open.len(), 1);
        let c = &open[0].conflicts[0];
        let mut offered = [c.ours.clone(), c.theirs.clone()];
        offered.sort_by_key(|v| v.to_string());
        assert_eq!(offered, [Value::from("from A"), Value::from("from B")]);
        assert!(matches!(
            resolve_record(
                &k,
                &a2.dataset,
                ("households", &open[0].key),
                &BTreeMap::new(),
                &who("A", 7),
                &mut na
            ),
            Err(LocalError::Merge(MergeError::Unresolved(_)))
        ));
        let pick = BTreeMap::from([("notes".to_owned(), Value::from("from B"))]);
        let a3 = resolve_record(
            &k,
            &a2.dataset,
            ("households", &open[0].key),
            &pick,
            &who("A", 7),
            &mut na,
        )
        .unwrap();
        assert!(a3.status.waiting.is_empty());
        assert_eq!(a3.dataset.households[1].notes, "from B");
        let (fa3, _) = export_file(&k, &a3.dataset, "x", "device:b", &who("A", 8), &mut na).unwrap();
        let (_, b3) = import_file(&k, &b2.dataset, "x", &fa3, &who("B", 8), &mut nb).unwrap();
        assert!(b3.status.waiting.is_empty(), "resolved on B too");
        assert_eq!(b3.dataset.households[1].notes, "from B");
        assert!(open_conflicts(&k, &b3.dataset).unwrap().is_empty());
        // B's file acknowledged A's: A's next file carries only what changed since.
        let (fa2, _) = export_file(&k, &a2.dataset, "x", "device:b", &who("A", 7), &mut na).unwrap();
        assert!(fa2.since > 0 && fa2.docs.len() < fa.docs.len());
        // Importing the same file again writes nothing; one's own file is refused.
        let (again, _) = import_file(&k, &a2.dataset, "x", &fb, &who("A", 7), &mut na).unwrap();
        assert_eq!(again.written, 0);
        assert!(matches!(
            import_file(&k, &a2.dataset, "x", &fa, &who("A", 8), &mut na),
            Err(LocalError::File(SyncError::OwnFile))
        ));
        // Another community's key cannot read the file: refused before anything is written.
        let other = SyncKeys::from_root(&[1; 32]);
        assert!(matches!(
            import_file(&other, &ds, "device:c", &fa, &who("C", 9), &mut na),
            Err(LocalError::Sealed(_))
        ));
    }

    #[test]
    fn hex_keys_parse() {
        let h = hex(&[0xab; 32]);
        assert_eq!(parse_hex_key(&format!(" {h}\n")), Some([0xab; 32]));
        assert_eq!(parse_hex_key(&h[..62]), None);
        assert_eq!(parse_hex_key(&h.replace('a', "g")), None);
    }
}
