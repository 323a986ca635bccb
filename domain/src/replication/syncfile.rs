//! Sync files: replication without a server (USB stick, messaging).
//!
//! A file carries, from one device to a peer, every revision of the documents changed
//! since the peer last acknowledged an exchange, with their `_revisions` paths and the
//! ancestor bodies the merge needs. Importing writes the revisions the importer lacks
//! with `new_edits=false` semantics: it merges with the same rules as replication and
//! never replaces anything; importing a file twice, or an older one, changes nothing.
//!
//! # Watermarks (per peer, in `_local` documents)
//!
//! - `_local/sync-recv-<peer>`: the peer's sequence up to which its changes were
//!   imported here (advanced only when a file starts at or before it, so no gap).
//! - `_local/sync-sent-<peer>`: the sequence of ours the peer has acknowledged (the
//!   `ack` of the last file imported from it). An export starts there, so a lost file
//!   is simply covered again by the next one.
//!
//! # Format (version 1)
//!
//! `{"format": "linli-sync", "version": 1, "from": …, "to": …, "since": n, "seq": n,
//! "ack": n, "docs": [CouchDB documents with _revisions]}`; bodies are opaque (sealed
//! with the community data key by the app).

use serde::{Deserialize, Serialize};

use super::replicate::{
    ancestor_request, bulk_docs_request, bulk_get_request, fetched_docs, revs_diff_request, Replica,
    ReplicaError,
};
use super::wire::{CheckpointDoc, Doc, RevsDiffResponse, Seq};

/// The `format` field.
pub const FORMAT: &str = "linli-sync";
/// The version written and read.
pub const VERSION: u32 = 1;

/// A sync file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncFile {
    pub format: String,
    pub version: u32,
    /// The exporting replica's id.
    pub from: String,
    /// The peer it was made for.
    pub to: String,
    /// The exporter's sequence the file starts after.
    pub since: u64,
    /// The exporter's sequence the file reaches.
    pub seq: u64,
    /// The peer's sequence the exporter has imported (acknowledgement).
    pub ack: u64,
    pub docs: Vec<Doc>,
}

/// Why a sync file was refused (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// Not a sync file, or a version this build does not read.
    #[error("not a linli sync file of version {VERSION}")]
    Format,
    /// The file is the importer's own.
    #[error("this sync file was made by this device")]
    OwnFile,
    #[error(transparent)]
    Replica(#[from] ReplicaError),
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportStats {
    /// Revisions written (new here).
    pub written: u64,
    /// Revisions already held.
    pub already_held: u64,
}

fn recv_id(peer: &str) -> String {
    format!("_local/sync-recv-{peer}")
}

fn sent_id(peer: &str) -> String {
    format!("_local/sync-sent-{peer}")
}

fn watermark(r: &impl Replica, id: &str) -> Result<u64, ReplicaError> {
    Ok(r.get_local(id)?
        .and_then(|d| d.source_last_seq.as_u64())
        .unwrap_or(0))
}

fn put_watermark(r: &mut impl Replica, id: &str, seq: u64) -> Result<(), ReplicaError> {
    r.put_local(CheckpointDoc {
        id: id.to_owned(),
        rev: None,
        session_id: "sync-file".into(),
        source_last_seq: Seq::from(seq),
        replication_id_version: super::replicate::REPLICATION_ID_VERSION,
        history: Vec::new(),
    })
}

/// The file for `peer`: every revision of the documents changed since the peer's
/// acknowledgement, with the ancestor bodies held here.
///
/// # Errors
///
/// [`SyncError::Replica`].
pub fn export(local: &impl Replica, peer: &str) -> Result<SyncFile, SyncError> {
    let since = watermark(local, &sent_id(peer))?;
    let changes = local.changes(&Seq::from(since), usize::MAX)?;
    let seq = changes.last_seq.as_u64().unwrap_or(since);
    // Everything asked is "missing": the peer's state is unknown.
    let leaves: RevsDiffResponse = revs_diff_request(&changes)
        .into_iter()
        .map(|(id, missing)| {
            (
                id,
                super::wire::RevsDiffEntry {
                    missing,
                    possible_ancestors: Vec::new(),
                },
            )
        })
        .collect();
    let mut docs = fetched_docs(&local.bulk_get(&bulk_get_request(&leaves))?);
    let anc: RevsDiffResponse = ancestor_request(&docs)
        .map_err(ReplicaError::from)?
        .into_iter()
        .map(|(id, missing)| {
            (
                id,
                super::wire::RevsDiffEntry {
                    missing,
                    possible_ancestors: Vec::new(),
                },
            )
        })
        .collect();
    docs.extend(fetched_docs(&local.bulk_get(&bulk_get_request(&anc))?));
    Ok(SyncFile {
        format: FORMAT.into(),
        version: VERSION,
        from: local.replica_id(),
        to: peer.to_owned(),
        since,
        seq,
        ack: watermark(local, &recv_id(peer))?,
        docs: bulk_docs_request(docs).docs,
    })
}

/// Imports a file: writes the revisions not held here (merge, never replace), then
/// advances the watermarks of the file's sender.
///
/// # Errors
///
/// [`SyncError::Format`], [`SyncError::OwnFile`], [`SyncError::Replica`] (then the
/// watermarks are not advanced and importing again is safe).
pub fn import(local: &mut impl Replica, file: &SyncFile) -> Result<ImportStats, SyncError> {
    if file.format != FORMAT || file.version != VERSION {
        return Err(SyncError::Format);
    }
    if file.from == local.replica_id() {
        return Err(SyncError::OwnFile);
    }
    let mut req = super::wire::RevsDiffRequest::new();
    for d in &file.docs {
        req.entry(d.id.clone()).or_default().push(d.rev.clone());
    }
    let diff = local.revs_diff(&req)?;
    let new: Vec<Doc> = file
        .docs
        .iter()
        .filter(|d| diff.get(&d.id).is_some_and(|e| e.missing.contains(&d.rev)))
        .cloned()
        .collect();
    let stats = ImportStats {
        written: new.len() as u64,
        already_held: (file.docs.len() - new.len()) as u64,
    };
    if !new.is_empty() {
        local.bulk_docs(&bulk_docs_request(new))?;
    }
    let recv = watermark(local, &recv_id(&file.from))?;
    if file.since <= recv && file.seq > recv {
        put_watermark(local, &recv_id(&file.from), file.seq)?;
    }
    let sent = watermark(local, &sent_id(&file.from))?;
    if file.ack > sent {
        put_watermark(local, &sent_id(&file.from), file.ack)?;
    }
    Ok(stats)
}
