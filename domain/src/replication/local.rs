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
        let doc = mem_doc(&id, d)?;
        r.docs.insert(id, doc);
    }
    Ok(r)
}

fn mem_doc(id: &str, d: StoredDoc) -> Result<MemDoc, LocalError> {
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
    Ok(doc)
}

fn stored_doc(d: &MemDoc) -> StoredDoc {
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
    StoredDoc { seq: d.seq, revs }
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
    let docs = r.docs.iter().map(|(id, d)| (id.clone(), stored_doc(d))).collect();
    let st = StoredState {
        v: STATE_VERSION,
        replica: r.name.clone(),
        seq: r.seq,
        docs,
        local: r.local.clone(),
    };
    serde_json::to_string(&st).map_err(|e| LocalError::Decode(format!("cannot encode the sync state: {e}")))
}

/// The replica in parts, for a store that writes only what changed (the workspace's
/// `replica` store): the replica's own fields (name, sequence, checkpoints) and its
/// documents in buckets by the first two characters of their id (256 for the hexadecimal
/// ids of [`SyncKeys::doc_id`]): few enough entries that writing all of them is one
/// quick transaction, small enough that a run rewrites only the buckets of the documents
/// it changed. [`Parts::join`] of all of a replica's parts reads exactly as
/// [`load_state`] of its [`state_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The replica without its documents.
    pub meta: String,
    /// Bucket key ([`Parts::bucket`]) → the bucket's documents as JSON text.
    pub buckets: Vec<(String, String)>,
}

impl Parts {
    /// The key of the bucket that holds document `id`.
    pub fn bucket(id: &str) -> String {
        let mut b = String::from("b:");
        b.extend(id.chars().take(2));
        b
    }

    fn encode(docs: impl Iterator<Item = (String, StoredDoc)>) -> Result<Vec<(String, String)>, LocalError> {
        let mut groups: BTreeMap<String, BTreeMap<String, StoredDoc>> = BTreeMap::new();
        for (id, d) in docs {
            groups.entry(Self::bucket(&id)).or_default().insert(id, d);
        }
        groups
            .into_iter()
            .map(|(b, docs)| {
                let text = serde_json::to_string(&docs)
                    .map_err(|e| LocalError::Decode(format!("cannot encode the sync state: {e}")))?;
                Ok((b, text))
            })
            .collect()
    }

    fn meta_of(st: &StoredState) -> Result<String, LocalError> {
        serde_json::to_string(&StoredState {
            v: st.v,
            replica: st.replica.clone(),
            seq: st.seq,
            docs: BTreeMap::new(),
            local: st.local.clone(),
        })
        .map_err(|e| LocalError::Decode(format!("cannot encode the sync state: {e}")))
    }

    /// `r`'s meta and the buckets holding a document written after sequence `since`
    /// (every bucket when `None`).
    ///
    /// # Errors
    ///
    /// [`LocalError::Decode`] if it does not encode (never).
    pub fn of(r: &MemReplica, since: Option<u64>) -> Result<Self, LocalError> {
        let touched: Option<BTreeSet<String>> = since.map(|s| {
            r.docs
                .iter()
                .filter(|(_, d)| d.seq > s)
                .map(|(id, _)| Self::bucket(id))
                .collect()
        });
        let meta = Self::meta_of(&StoredState {
            v: STATE_VERSION,
            replica: r.name.clone(),
            seq: r.seq,
            docs: BTreeMap::new(),
            local: r.local.clone(),
        })?;
        let buckets = Self::encode(
            r.docs
                .iter()
                .filter(|(id, _)| touched.as_ref().is_none_or(|t| t.contains(&Self::bucket(id))))
                .map(|(id, d)| (id.clone(), stored_doc(d))),
        )?;
        Ok(Self { meta, buckets })
    }

    /// Every part of the replica a `_sync` setting's text holds.
    ///
    /// # Errors
    ///
    /// As [`load_state`].
    pub fn of_text(sync_text: &str) -> Result<Self, LocalError> {
        let st: StoredState =
            serde_json::from_str(sync_text).map_err(|e| LocalError::State(e.to_string()))?;
        if st.v != STATE_VERSION {
            return Err(LocalError::State(format!(
                "version {} (this linli reads {STATE_VERSION})",
                st.v
            )));
        }
        let meta = Self::meta_of(&st)?;
        let buckets = Self::encode(st.docs.into_iter())?;
        Ok(Self { meta, buckets })
    }

    /// The replica whose meta is `meta` and whose buckets' texts are `buckets` (every
    /// bucket of it).
    ///
    /// # Errors
    ///
    /// [`LocalError::State`] for a damaged part, or one of another version.
    pub fn join(meta: &str, buckets: impl IntoIterator<Item = String>) -> Result<MemReplica, LocalError> {
        let st: StoredState = serde_json::from_str(meta).map_err(|e| LocalError::State(e.to_string()))?;
        if st.v != STATE_VERSION {
            return Err(LocalError::State(format!(
                "version {} (this linli reads {STATE_VERSION})",
                st.v
            )));
        }
        let mut r = MemReplica::new(&st.replica);
        r.seq = st.seq;
        r.local = st.local;
        for text in buckets {
            let docs: BTreeMap<String, StoredDoc> =
                serde_json::from_str(&text).map_err(|e| LocalError::State(format!("a bucket: {e}")))?;
            for (id, d) in docs {
                let doc = mem_doc(&id, d)?;
                r.docs.insert(id, doc);
            }
        }
        Ok(r)
    }
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
/// continuous replication): the replica and its readings, valid while the store still
/// holds exactly the text this exchange wrote (the dataset's `_sync` setting, or the
/// [`Parts`]' meta). Saves parsing the replica and opening every document each run.
#[derive(Debug)]
pub struct Cache {
    text: String,
    state: MemReplica,
    base: Base,
    since: u64,
    written: Option<Dataset>,
    /// A session cut off before it staged ([`Session::into_resume`]): the next one
    /// continues it (same base, same start) instead of starting from what was written.
    resume: bool,
}

impl Cache {
    /// Whether the replica stored, said by `stored`, is the one this cache holds.
    pub fn holds(&self, stored: &str) -> bool {
        self.text == stored
    }
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
    stage_records(keys, state, recs, None, base, who, nonces)
}

/// [`stage`] of `recs`; the documents deleted are those of `base` that `recs` lacks, or
/// when `gone` is given, those (then `recs` need only hold the records that changed).
fn stage_records(
    keys: &SyncKeys,
    state: &mut MemReplica,
    recs: &[Record],
    gone: Option<&[String]>,
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
    let deleted: Vec<(&String, &Vec<RevId>)> = match gone {
        None => base
            .docs
            .iter()
            .filter(|(id, _)| !seen.contains(*id))
            .map(|(id, (_, leaves, _))| (id, leaves))
            .collect(),
        Some(ids) => ids
            .iter()
            .filter(|id| !seen.contains(*id))
            .filter_map(|id| {
                base.docs
                    .get_key_value(id)
                    .map(|(id, (_, leaves, _))| (id, leaves))
            })
            .collect(),
    };
    for (id, leaves) in deleted {
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

/// [`materialize`] of `state` for a dataset `old` that is the materialization of the
/// replica at sequence `since` with this device's edits staged since: only the documents
/// written after `since` are read again; every other record of `old` is its document's
/// reading already. Gives exactly what [`materialize`] gives (tested), reading a few
/// documents instead of the whole community: a sync run's finish.
///
/// # Errors
///
/// As [`materialize`].
pub fn materialize_since(
    keys: &SyncKeys,
    state: &MemReplica,
    old: &Dataset,
    since: u64,
) -> Result<(Dataset, Vec<Waiting>), LocalError> {
    let mut puts: BTreeMap<&str, Vec<Value>> = STORE_NAMES.iter().map(|s| (*s, Vec::new())).collect();
    let mut touched: BTreeSet<(String, String)> = BTreeSet::new();
    let mut fresh: Vec<(String, Waiting)> = Vec::new();
    let mut gone: BTreeSet<&str> = BTreeSet::new();
    for (id, d) in state.docs.iter().filter(|(_, d)| d.seq > since) {
        let Some(r) = reading(keys, id, d)? else {
            gone.insert(id);
            continue;
        };
        let Some(store) = STORE_NAMES.iter().find(|s| **s == r.store) else {
            return Err(LocalError::Decode(format!(
                "document {id} holds a record of an unknown store `{}`",
                r.store
            )));
        };
        for c in &r.merged.conflicts {
            fresh.push((
                id.clone(),
                Waiting {
                    store: r.store.clone(),
                    key: r.key.clone(),
                    field: c.field.clone(),
                    by_ours: c.by_ours.clone(),
                    by_theirs: c.by_theirs.clone(),
                },
            ));
        }
        touched.insert((r.store.clone(), r.key.clone()));
        puts.entry(store)
            .or_default()
            .push(Value::Object(r.merged.record));
    }
    let mut deletes = Vec::new();
    if !gone.is_empty() {
        for (store, key, _) in records(old)? {
            if gone.contains(keys.doc_id(&store, &key).as_str()) {
                let Some(name) = STORE_NAMES.iter().find(|s| **s == store) else {
                    continue;
                };
                let k = if store == "settings" {
                    crate::dataset::StoreKey::Name(key.clone())
                } else {
                    match key.parse() {
                        Ok(n) => crate::dataset::StoreKey::Id(n),
                        Err(_) => continue,
                    }
                };
                deletes.push((*name, k));
                touched.insert((store, key));
            }
        }
    }
    let obj: Map<String, Value> = puts
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::Array(v)))
        .collect();
    let puts: Dataset = serde_json::from_value(Value::Object(obj))
        .map_err(|e| LocalError::Decode(format!("the merged records do not decode as a dataset: {e}")))?;
    let mut ds = old.clone();
    ds.settings.retain(|s| s.key != SYNC_SETTING);
    ds.apply(&crate::dataset::Changes { puts, deletes });
    ds.check_integrity()
        .map_err(|e| LocalError::Inconsistent(e.to_string()))?;
    // The conflicts: those of the documents not read again, and those read, in document
    // order as `materialize` lists them.
    let mut waiting: Vec<(String, Waiting)> = status(old)
        .map(|st| st.waiting)
        .unwrap_or_default()
        .into_iter()
        .filter(|w| !touched.contains(&(w.store.clone(), w.key.clone())))
        .map(|w| (keys.doc_id(&w.store, &w.key), w))
        .chain(fresh)
        .collect();
    waiting.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((ds, waiting.into_iter().map(|(_, w)| w).collect()))
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

/// How an exchange finishes: the replica into the dataset's `_sync` setting, or beside
/// it ([`Parts`]), materializing only what was written after a sequence when given.
#[derive(Clone, Copy)]
enum Finish {
    Setting,
    Parts(Option<u64>),
}

fn finish(
    keys: &SyncKeys,
    state: &MemReplica,
    old: &Dataset,
    peer: Option<&str>,
    at: i64,
    local_edits: u64,
    mode: Finish,
) -> Result<Exchange, LocalError> {
    let (merged, waiting) = match mode {
        Finish::Parts(Some(since)) => materialize_since(keys, state, old, since)?,
        Finish::Setting | Finish::Parts(None) => materialize(keys, state, old)?,
    };
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
    let mut dataset = match mode {
        Finish::Setting => with_state(merged, state)?,
        Finish::Parts(_) => merged,
    };
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
    /// What the replica read as when the session opened, when known (a cached session):
    /// then only the records that differ from it are staged.
    prev: Option<Dataset>,
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
        match cache {
            Some(c) if stored.is_some_and(|t| c.holds(t)) => Self::from_cache(keys, ds, c),
            _ => {
                let state = load_state(&ds, fresh_name)?;
                Self::with_state(keys, ds, state)
            }
        }
    }

    /// A session over `ds` whose replica is `state` (kept beside the dataset, not in its
    /// `_sync` setting: the workspace's `replica` store, see [`Parts`]).
    ///
    /// # Errors
    ///
    /// A document that does not open with `keys`.
    pub fn with_state(keys: SyncKeys, ds: Dataset, state: MemReplica) -> Result<Self, LocalError> {
        let base = base(&keys, &state)?;
        Ok(Self {
            keys,
            opened_at: state.seq,
            state,
            base,
            ds,
            prev: None,
            renumbered: 0,
            edits: 0,
        })
    }

    /// A session over `ds` from the previous session's `cache`; the caller checked that
    /// the replica stored is still the one the cache holds ([`Cache::holds`]).
    ///
    /// # Errors
    ///
    /// A document written since the cache that does not open with `keys`.
    pub fn from_cache(keys: SyncKeys, ds: Dataset, mut c: Cache) -> Result<Self, LocalError> {
        let opened_at = if c.resume {
            // The cut session, continued: what its pull brought is neither staged against
            // nor written yet, so its base and start stay.
            c.since
        } else {
            c.base.refresh(&keys, &c.state, c.since)?;
            c.state.seq
        };
        Ok(Self {
            keys,
            opened_at,
            state: c.state,
            base: c.base,
            ds,
            prev: c.written,
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
        if self.prev.is_none() || self.may_collide()? {
            let (ds, renumbered) = renumber_collisions(&self.keys, &self.state, &self.base, &self.ds)?;
            self.ds = ds;
            self.renumbered += renumbered.values().map(BTreeMap::len).sum::<usize>();
        }
        let n = match &self.prev {
            // A cached session: the records that differ from what the replica read as
            // (this device's edits since), not every record.
            Some(prev) => {
                let ch = prev.changes_to(&self.ds);
                let gone: Vec<String> = ch
                    .deletes
                    .iter()
                    .filter_map(|(store, k)| match k {
                        crate::dataset::StoreKey::Name(n) if is_local_setting(n) => None,
                        crate::dataset::StoreKey::Name(n) => Some(self.keys.doc_id(store, n)),
                        crate::dataset::StoreKey::Id(n) => Some(self.keys.doc_id(store, &n.to_string())),
                    })
                    .collect();
                stage_records(
                    &self.keys,
                    &mut self.state,
                    &records(&ch.puts)?,
                    Some(&gone),
                    &self.base,
                    who,
                    nonces,
                )?
            }
            None => stage(
                &self.keys,
                &mut self.state,
                &records(&self.ds)?,
                &self.base,
                who,
                nonces,
            )?,
        };
        self.edits += n;
        Ok(n)
    }

    /// Whether a document written since the session opened (brought by the peer) can
    /// take the id of one of this device's records ([`renumber_collisions`] needed): a
    /// creation of this device's that lost a race, or a new record of a renumbered store.
    fn may_collide(&self) -> Result<bool, LocalError> {
        for (id, d) in self.state.docs.iter().filter(|(_, d)| d.seq > self.opened_at) {
            match self.base.docs.get(id) {
                Some((_, ours, _)) if lost_creation(&d.tree, ours) => return Ok(true),
                Some(_) => {}
                None => {
                    if let Some(r) = reading(&self.keys, id, d)? {
                        if RENUMBERED.contains(&r.store.as_str()) {
                            return Ok(true);
                        }
                    }
                }
            }
        }
        Ok(false)
    }

    /// The dataset to write back: merged, with the replica and the status (`peer` seen
    /// at `at`).
    ///
    /// # Errors
    ///
    /// As [`materialize`].
    pub fn finish(&self, peer: Option<&str>, at: i64) -> Result<Exchange, LocalError> {
        let mut ex = finish(
            &self.keys,
            &self.state,
            &self.ds,
            peer,
            at,
            self.edits,
            Finish::Setting,
        )?;
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
        Some(self.into_cache_for(text, None))
    }

    /// The replica and its readings for the next session, valid while `stored` (the
    /// text that says which replica is stored: the `_sync` setting, or the [`Parts`]'
    /// meta written by [`Session::finish_parts`]) is what the store holds.
    ///
    /// `written`, when given, is the dataset written with it (what the replica reads
    /// as): the next session stages only the records that differ from it.
    pub fn into_cache_for(self, stored: String, written: Option<Dataset>) -> Cache {
        Cache {
            text: stored,
            state: self.state,
            base: self.base,
            since: self.opened_at,
            written,
            resume: false,
        }
    }

    /// The cache of a session whose pull was cut off before it staged and wrote anything
    /// (the server or the network gone): the next session ([`Session::from_cache`], with
    /// the dataset read again) is this one continued. Its pull resumes from the checkpoint
    /// the cut one reached instead of from the start, and it stages against the same base:
    /// writing what a cut pull brought, or staging before the pull is complete, would
    /// take this device's records the peer has not sent yet for new ones of its own.
    /// `stored` is the replica's text in the store, which nothing changed (`""` for none).
    pub fn into_resume(self, stored: String) -> Cache {
        Cache {
            text: stored,
            since: self.opened_at,
            state: self.state,
            base: self.base,
            written: self.prev,
            resume: true,
        }
    }

    /// The replica's sequence when the session opened: what a pull writes comes after
    /// it (a continued session's first pull included), before anything is staged.
    pub fn opened_at(&self) -> u64 {
        self.opened_at
    }

    /// [`Session::finish`] for a replica kept beside the dataset: the dataset to write
    /// without a `_sync` setting, and the replica's parts to write with it: its meta and
    /// the buckets of the documents written in this session (every bucket when `all`).
    /// Unless `all`, the session's dataset must be what the replica read as when the
    /// session opened, with this device's edits since (the replica and the records are
    /// written together, as the workspace does): then only the documents written in this
    /// session are read again ([`materialize_since`]).
    ///
    /// # Errors
    ///
    /// As [`Session::finish`].
    pub fn finish_parts(
        &self,
        peer: Option<&str>,
        at: i64,
        all: bool,
    ) -> Result<(Exchange, Parts), LocalError> {
        let mut ex = finish(
            &self.keys,
            &self.state,
            &self.ds,
            peer,
            at,
            self.edits,
            Finish::Parts((!all).then_some(self.opened_at)),
        )?;
        ex.renumbered = self.renumbered;
        let parts = Parts::of(&self.state, (!all).then_some(self.opened_at))?;
        Ok((ex, parts))
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
    finish(keys, &state, ds, None, who.at, edits + 1, Finish::Setting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};
    use crate::replication::replicate::Options;

    fn counter() -> impl FnMut() -> Option<[u8; NONCE]> {
        counter_from(0)
    }

    fn counter_from(start: u64) -> impl FnMut() -> Option<[u8; NONCE]> {
        let mut n = start;
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
        let full = s.finish(Some("server"), who.at).unwrap();
        // Reading only the documents this session wrote gives the same dataset.
        let (since, _) = s.finish_parts(Some("server"), who.at, false).unwrap();
        let mut whole = full.dataset.clone();
        whole.settings.retain(|x| x.key != SYNC_SETTING);
        assert_eq!(since.dataset, whole, "materialize_since = materialize");
        assert_eq!(since.status, full.status);
        full
    }

    #[test]
    fn a_replica_in_parts_reads_as_its_sync_setting_and_a_session_writes_only_the_buckets_it_changed() {
        let k = SyncKeys::from_root(&[3; 32]);
        let mut n = counter();
        let ds = generate(&DemoConfig {
            households: 5,
            ..DemoConfig::default()
        });
        let mut s0 = Session::open(k.clone(), ds.clone(), "device:p").unwrap();
        s0.stage(&who("A", 1), &mut n).unwrap();
        let (ex0, all) = s0.finish_parts(None, 1, true).unwrap();
        assert!(
            ex0.dataset.settings.iter().all(|s| s.key != SYNC_SETTING),
            "no _sync"
        );
        assert!(
            all.buckets.len() > 100 && all.buckets.len() <= 256,
            "{}",
            all.buckets.len()
        );
        assert!(all
            .buckets
            .iter()
            .all(|(b, _)| b.len() == 4 && b.starts_with("b:")));
        let texts = |p: &Parts| p.buckets.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>();
        let joined = Parts::join(&all.meta, texts(&all)).unwrap();
        assert_eq!(state_text(&joined).unwrap(), state_text(&s0.state).unwrap());
        // The next session, opened on the joined replica, edits one household.
        let mut d1 = ex0.dataset.clone();
        d1.households[2].notes = "changed".into();
        let d1_id = d1.households[2].id;
        let mut s1 = Session::with_state(k.clone(), d1, joined).unwrap();
        assert_eq!(s1.stage(&who("A", 2), &mut n).unwrap(), 1);
        let (ex1, some) = s1.finish_parts(None, 2, false).unwrap();
        let id = k.doc_id("households", &d1_id.to_string());
        assert_eq!(some.buckets.len(), 1, "only the edited document's bucket");
        assert_eq!(some.buckets[0].0, Parts::bucket(&id));
        assert_ne!(some.meta, all.meta, "the meta says which replica is stored");
        // Writing those parts over the first gives the session's replica.
        let mut buckets: BTreeMap<String, String> = all.buckets.into_iter().collect();
        buckets.extend(some.buckets.clone());
        let after = Parts::join(&some.meta, buckets.into_values()).unwrap();
        assert_eq!(state_text(&after).unwrap(), state_text(&s1.state).unwrap());
        assert_eq!(ex1.dataset.households[2].notes, "changed");
        let cache = s1.into_cache_for(some.meta.clone(), None);
        assert!(cache.holds(&some.meta) && !cache.holds(&all.meta));
        assert!(Parts::join("{", Vec::new()).is_err(), "damaged meta");
        let text = state_text(&s0.state).unwrap();
        let from_text = Parts::of_text(&text).unwrap();
        assert_eq!(from_text.meta, Parts::of(&s0.state, None).unwrap().meta);
        assert_eq!(
            state_text(&Parts::join(&from_text.meta, texts(&from_text)).unwrap()).unwrap(),
            text
        );
    }

    /// A cached session (stages only what differs from the dataset it wrote, renumbers
    /// only when the peer brought something that can collide, reads only the documents
    /// it wrote) leaves exactly what a whole one leaves, run after run.
    #[test]
    fn a_first_sync_cut_in_its_pull_continues_from_its_checkpoint_and_ends_as_an_uncut_one() {
        // The server holds B's community (B's edit of one household included); A holds
        // the same community without any shared history (the demo on both) and edits
        // another household offline, before the cut and between the two runs.
        let k = SyncKeys::from_root(&[9; 32]);
        let mut nb = counter();
        let mut na = counter();
        let mut ds = generate(&DemoConfig {
            households: 40,
            ..DemoConfig::default()
        });
        ds.normalize();
        let mut server = MemReplica::new("server");
        let mut b_ds = ds.clone();
        b_ds.households[3].notes = "B's note".into();
        let mut b = Session::open(k.clone(), b_ds, "device:b").unwrap();
        b.stage(&who("B", 1), &mut nb).unwrap();
        crate::replication::replicate::replicate(&mut b.state, &mut server, &Options::new("b")).unwrap();
        let mut a_ds = ds.clone();
        a_ds.households[7].notes = "A before the cut".into();
        let opts = Options {
            batch_size: 10,
            ..Options::new("a-1")
        };
        // The uncut run, for comparison.
        let mut whole = Session::with_state(k.clone(), a_ds.clone(), MemReplica::new("device:a")).unwrap();
        crate::replication::replicate::replicate(&mut server.clone(), &mut whole.state, &opts).unwrap();
        // The cut run: this device's store takes 25 revisions, then the run stops.
        let mut cut = Session::with_state(k.clone(), a_ds.clone(), MemReplica::new("device:a")).unwrap();
        cut.state.fail_after_writes = Some(25);
        let err = crate::replication::replicate::replicate(&mut server, &mut cut.state, &opts);
        assert!(matches!(err, Err(ReplicaError::Unavailable(_))), "{err:?}");
        cut.state.fail_after_writes = None;
        assert!(cut.state.docs.len() >= 20, "some documents came");
        let cache = cut.into_resume(String::new());
        // Between the runs A edits again; the next run continues the cut session.
        a_ds.households[9].notes = "A between the runs".into();
        let mut next = Session::from_cache(k.clone(), a_ds.clone(), cache).unwrap();
        assert_eq!(
            next.opened_at(),
            0,
            "the continued session starts where the cut one did"
        );
        let stats = crate::replication::replicate::replicate(
            &mut server,
            &mut next.state,
            &Options {
                batch_size: 10,
                ..Options::new("a-2")
            },
        )
        .unwrap();
        assert_ne!(
            stats.started_at,
            serde_json::json!(0),
            "resumed from a checkpoint"
        );
        assert!(stats.docs_read < server.docs.len() as u64, "{stats:?}");
        whole.ds = a_ds.clone();
        // The same nonces for both: the same revisions.
        next.stage(&who("A", 2), &mut na).unwrap();
        whole.stage(&who("A", 2), &mut counter()).unwrap();
        // Exactly the revisions of the uncut run: no record of the community the cut pull
        // had not brought yet was taken for a new one of A's.
        assert_eq!(next.edits(), whole.edits(), "as the uncut run");
        assert_eq!(next.renumbered(), whole.renumbered());
        let (n, _) = next.finish_parts(None, 2, true).unwrap();
        let (w, _) = whole.finish_parts(None, 2, true).unwrap();
        assert_eq!(n.dataset, w.dataset);
        assert_eq!(n.status, w.status);
        for (id, d) in &next.state.docs {
            assert_eq!(d.tree, whole.state.docs[id].tree.clone(), "{id}");
        }
        let h = |i: usize| {
            let id = a_ds.households[i].id;
            n.dataset
                .households
                .iter()
                .find(|h| h.id == id)
                .map(|h| h.notes.clone())
        };
        assert_eq!(h(3).as_deref(), Some("B's note"));
        // A's edits are kept (A's records, held without history in common with the
        // server's, are A's own: the ones that differ take new ids, as in the uncut run).
        for v in ["A before the cut", "A between the runs"] {
            assert!(n.dataset.households.iter().any(|h| h.notes == v), "{v}");
        }
    }

    #[test]
    fn a_cached_session_stages_and_finishes_as_a_whole_one() {
        let k = SyncKeys::from_root(&[8; 32]);
        let mut nb = counter();
        let mut nw = counter();
        let ds = generate(&DemoConfig {
            households: 12,
            ..DemoConfig::default()
        });
        // B, the peer: its replica holds the community and later its edits.
        let mut b = Session::open(k.clone(), ds.clone(), "device:b").unwrap();
        b.stage(&who("B", 1), &mut nb).unwrap();
        let mut b_state = b.state.clone();
        let _ = &mut nw;
        let mut b_ds = b.finish(None, 1).unwrap().dataset;
        // A, twice: cached (fast) and whole, from the same first exchange.
        let mut a = Session::with_state(k.clone(), ds.clone(), MemReplica::new("device:a")).unwrap();
        crate::replication::replicate::replicate(&mut b_state, &mut a.state, &Options::new("b-a")).unwrap();
        a.stage(&who("A", 2), &mut nw).unwrap();
        let (ex, parts) = a.finish_parts(None, 2, true).unwrap();
        let mut whole_state = a.state.clone();
        let mut cache = Some(a.into_cache_for(parts.meta, Some(ex.dataset.clone())));
        let mut a_ds = ex.dataset;
        for round in 0..6u32 {
            let at = 10 + i64::from(round);
            // A's edits: a field, a new household, a deleted ledger entry, a setting.
            let mut edited = a_ds.clone();
            let i = round as usize % edited.households.len();
            edited.households[i].notes = format!("A round {round}");
            if round % 2 == 0 {
                let mut h = edited.households[0].clone();
                h.id = edited.households.iter().map(|h| h.id).max().unwrap() + 1;
                h.notes = format!("new on A {round}");
                edited.households.push(h);
            }
            if round == 3 {
                edited.points_ledger.pop();
                edited.settings.push(Setting {
                    key: "round".into(),
                    value: round.to_string(),
                });
            }
            // B's edits: the same field of another household, and on even rounds a new
            // household with the id A gives its own (renumbered on A).
            let j = (round as usize + 5) % b_ds.households.len();
            b_ds.households[j].notes = format!("B round {round}");
            if round % 2 == 0 {
                let mut h = b_ds.households[1].clone();
                h.id = a_ds.households.iter().map(|h| h.id).max().unwrap() + 1;
                h.notes = format!("new on B {round}");
                b_ds.households.push(h);
            }
            let mut bs = Session::with_state(k.clone(), b_ds.clone(), b_state.clone()).unwrap();
            bs.stage(&who("B", at), &mut nb).unwrap();
            b_state = bs.state.clone();
            b_ds = bs.finish(None, at).unwrap().dataset;
            // The cached run and the whole run of A, from the same replica and dataset.
            let mut fast = Session::from_cache(k.clone(), edited.clone(), cache.take().unwrap()).unwrap();
            let mut slow = Session::with_state(k.clone(), edited.clone(), whole_state.clone()).unwrap();
            for s in [&mut fast, &mut slow] {
                let o = Options::new(&format!("b-a-{round}"));
                crate::replication::replicate::replicate(&mut b_state.clone(), &mut s.state, &o).unwrap();
            }
            // The same nonces for both, so equal edits make equal revisions.
            let start = 1_000_000 * u64::from(round + 1);
            let (mut n1, mut n2) = (counter_from(start), counter_from(start));
            let ef = fast.stage(&who("A", at), &mut n1).unwrap();
            let es = slow.stage(&who("A", at), &mut n2).unwrap();
            assert_eq!((ef, fast.renumbered()), (es, slow.renumbered()), "round {round}");
            assert_eq!(state_text(&fast.state).unwrap(), state_text(&slow.state).unwrap());
            let (xf, pf) = fast.finish_parts(None, at, false).unwrap();
            let (xs, _) = slow.finish_parts(None, at, true).unwrap();
            assert_eq!(xf.dataset, xs.dataset, "round {round}");
            assert_eq!(xf.status, xs.status);
            if round % 2 == 0 {
                assert!(xf.renumbered > 0, "round {round}: B took A's new id");
            }
            whole_state = slow.state.clone();
            a_ds = xf.dataset.clone();
            cache = Some(fast.into_cache_for(pf.meta, Some(xf.dataset)));
            // B takes A's side back and reads it.
            let o = Options::new(&format!("a-b-{round}"));
            crate::replication::replicate::replicate(&mut whole_state.clone(), &mut b_state, &o).unwrap();
            let bs = Session::with_state(k.clone(), b_ds.clone(), b_state.clone()).unwrap();
            b_ds = bs.finish(None, at).unwrap().dataset;
        }
        assert!(
            a_ds.households.iter().any(|h| h.notes == "B round 5"),
            "B's edits reached A"
        );
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
        // Then the same field on both, and a deletion on A: one conflict waits on both,
        // the household is gone on both (each finish checked against the whole reading).
        let (mut da, mut db) = (a3.dataset.clone(), b3.dataset.clone());
        da.households[1].notes = "A says".into();
        db.households[1].notes = "B says".into();
        let dropped = da.households[3].id;
        da.households.remove(3);
        da.points_ledger.retain(|e| e.household_id != dropped);
        da.timebank_ledger
            .retain(|e| e.giver_household_id != dropped && e.receiver_household_id != dropped);
        da.requests.retain(|r| r.household_id != Some(dropped));
        let a4 = push(
            pull(&k, &da, "x", &mut server, 8),
            &who("A", 9),
            &mut server,
            &mut na,
            8,
        );
        let b4 = push(
            pull(&k, &db, "x", &mut server, 9),
            &who("B", 10),
            &mut server,
            &mut nb,
            9,
        );
        let a5 = push(
            pull(&k, &a4.dataset, "x", &mut server, 10),
            &who("A", 11),
            &mut server,
            &mut na,
            10,
        );
        assert_eq!(strip(&a5.dataset), strip(&b4.dataset), "converged");
        assert_eq!(a5.status.waiting.len(), 1, "{:?}", a5.status.waiting);
        assert_eq!(a5.status.waiting, b4.status.waiting);
        assert!(b4.dataset.households.iter().all(|h| h.id != dropped));
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
