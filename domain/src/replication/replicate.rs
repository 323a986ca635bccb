//! The replication algorithm (CouchDB "Replication Protocol"), as pure steps and a
//! driver over the [`Replica`] trait.
//!
//! One batch:
//!
//! 1. read the source's `_changes` since the checkpoint (`style=all_docs`, `limit`);
//! 2. `_revs_diff` the leaves against the target ([`revs_diff_request`]);
//! 3. `_bulk_get?revs=true` the missing revisions ([`bulk_get_request`]);
//! 4. `_revs_diff` their ancestors ([`ancestor_request`]) and fetch those bodies the
//!    source still has: the household merge compares against the common ancestor,
//!    which must be kept locally (a compacted ancestor is simply not returned; the merge
//!    then treats every differing field as a conflict);
//! 5. write everything with `_bulk_docs` and `new_edits=false`, oldest generation first
//!    ([`bulk_docs_request`]);
//! 6. record the checkpoint `_local/<replication id>` on both sides ([`checkpoint`]).
//!
//! A replication cut off anywhere before step 6 starts again from the last checkpoint;
//! the revisions already written are no longer missing at step 2, so nothing is written
//! twice. The steps are plain functions so the browser's asynchronous transport runs the
//! same protocol; [`replicate`] drives them over a synchronous [`Replica`] (the CLI,
//! tests, [`MemReplica`]).

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::rev::{RevError, RevId, RevTree, DEFAULT_REVS_LIMIT};
use super::wire::{
    BulkDocsRequest, BulkGetDoc, BulkGetError, BulkGetItem, BulkGetRequest, BulkGetResponse, BulkGetResult,
    ChangeRev, ChangeRow, ChangesResponse, CheckpointDoc, CheckpointHistory, Doc, RevsDiffEntry,
    RevsDiffRequest, RevsDiffResponse, Seq,
};

/// Version of [`replication_id`]'s recipe.
pub const REPLICATION_ID_VERSION: u32 = 1;
/// Entries kept in a checkpoint's history.
pub const CHECKPOINT_HISTORY: usize = 5;

/// Why a replica refused or failed a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplicaError {
    /// The replica could not be reached or stopped answering (a cut-off).
    #[error("replica unavailable: {0}")]
    Unavailable(String),
    /// The server refused the credentials or this database (401, 403): retrying will
    /// not help until a guide changes them.
    #[error("{0}")]
    Refused(String),
    /// A revision id or `_revisions` path was malformed.
    #[error(transparent)]
    Rev(#[from] RevError),
    /// A local edit whose parent is not a leaf (CouchDB's 409).
    #[error("document update conflict on {0}")]
    Conflict(String),
}

/// A database the protocol talks to: a CouchDB server through a transport, the
/// device's own store, or a [`MemReplica`].
pub trait Replica {
    /// A stable id of the database (for the replication id), e.g. its URL without
    /// credentials or `device:<n>`.
    fn replica_id(&self) -> String;
    /// `_changes?style=all_docs&since=…&limit=…`.
    fn changes(&self, since: &Seq, limit: usize) -> Result<ChangesResponse, ReplicaError>;
    /// `_revs_diff`.
    fn revs_diff(&self, req: &RevsDiffRequest) -> Result<RevsDiffResponse, ReplicaError>;
    /// `_bulk_get?revs=true`.
    fn bulk_get(&self, req: &BulkGetRequest) -> Result<BulkGetResponse, ReplicaError>;
    /// `_bulk_docs` (`new_edits=false`).
    fn bulk_docs(&mut self, req: &BulkDocsRequest) -> Result<(), ReplicaError>;
    /// `GET _local/…` (`None` when absent).
    fn get_local(&self, id: &str) -> Result<Option<CheckpointDoc>, ReplicaError>;
    /// `PUT _local/…`.
    fn put_local(&mut self, doc: CheckpointDoc) -> Result<(), ReplicaError>;
}

/// The replication id: 32 hex digits of SHA-256 over the recipe version, source and
/// target ids. Deterministic, different for each direction.
pub fn replication_id(source: &str, target: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("linli-replication/{REPLICATION_ID_VERSION}\n{source}\n{target}").as_bytes());
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Where a replication starts: the checkpoint both sides agree on, else the newest
/// session found in both histories, else from the beginning (`0`).
pub fn start_seq(source: Option<&CheckpointDoc>, target: Option<&CheckpointDoc>) -> Seq {
    let (Some(s), Some(t)) = (source, target) else {
        return Seq::from(0);
    };
    if s.session_id == t.session_id && s.source_last_seq == t.source_last_seq {
        return s.source_last_seq.clone();
    }
    for th in &t.history {
        if s.history
            .iter()
            .any(|sh| sh.session_id == th.session_id && sh.recorded_seq == th.recorded_seq)
        {
            return th.recorded_seq.clone();
        }
    }
    Seq::from(0)
}

/// Step 2: every leaf revision of the change rows.
pub fn revs_diff_request(changes: &ChangesResponse) -> RevsDiffRequest {
    let mut out: RevsDiffRequest = BTreeMap::new();
    for row in &changes.results {
        let revs = out.entry(row.id.clone()).or_default();
        for c in &row.changes {
            if !revs.contains(&c.rev) {
                revs.push(c.rev.clone());
            }
        }
    }
    out
}

/// Step 3 (and 4's fetch): every missing revision, by id and rev.
pub fn bulk_get_request(diff: &RevsDiffResponse) -> BulkGetRequest {
    BulkGetRequest {
        docs: diff
            .iter()
            .flat_map(|(id, e)| {
                e.missing.iter().map(|r| BulkGetItem {
                    id: id.clone(),
                    rev: Some(r.clone()),
                })
            })
            .collect(),
    }
}

/// The documents of a `_bulk_get` response (errors left out: a revision the source
/// no longer has, e.g. compacted).
pub fn fetched_docs(got: &BulkGetResponse) -> Vec<Doc> {
    got.results
        .iter()
        .flat_map(|r| &r.docs)
        .filter_map(|d| match d {
            BulkGetDoc::Ok(doc) => Some(doc.clone()),
            BulkGetDoc::Error(_) => None,
        })
        .collect()
}

/// Step 4: the ancestors of the fetched revisions (from their `_revisions`), to ask
/// the target which bodies it lacks.
///
/// # Errors
///
/// [`RevError::BadPath`] for a malformed `_revisions`.
pub fn ancestor_request(docs: &[Doc]) -> Result<RevsDiffRequest, RevError> {
    let mut out: BTreeMap<String, BTreeSet<RevId>> = BTreeMap::new();
    for d in docs {
        if let Some(revs) = &d.revisions {
            let path = revs.revs()?;
            if path.first() != Some(&d.rev) {
                return Err(RevError::BadPath(d.rev.to_string()));
            }
            out.entry(d.id.clone())
                .or_default()
                .extend(path.into_iter().skip(1));
        }
    }
    Ok(out
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect())
}

/// Step 5: the documents to write, oldest generation first (ancestors before their
/// descendants), then by id and revision; duplicates removed.
pub fn bulk_docs_request(mut docs: Vec<Doc>) -> BulkDocsRequest {
    docs.sort_by(|a, b| (a.rev.gen, &a.id, &a.rev).cmp(&(b.rev.gen, &b.id, &b.rev)));
    docs.dedup_by(|a, b| a.id == b.id && a.rev == b.rev);
    BulkDocsRequest {
        docs,
        new_edits: false,
    }
}

/// What one replication did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Change rows read.
    pub docs_read: u64,
    /// Revisions sent to the target (leaves and ancestors).
    pub docs_written: u64,
    /// Leaf revisions the target lacked.
    pub missing_found: u64,
    /// Batches completed (each ends with a checkpoint).
    pub batches: u64,
    /// The sequence the run started from.
    pub started_at: Seq,
    /// The last sequence checkpointed.
    pub last_seq: Seq,
    /// Change rows not read because they came from the target ([`FromTarget`]): the
    /// sequences skipped.
    pub skipped: u64,
}

/// Step 6: the checkpoint after a batch: this batch first in the history, then the
/// previous entries (one per checkpoint, at most [`CHECKPOINT_HISTORY`]), so a run cut
/// between writing the target's and the source's checkpoints still finds the batch
/// before in both.
pub fn checkpoint(
    replication_id: &str,
    session_id: &str,
    seq: &Seq,
    previous: Option<&CheckpointDoc>,
    stats: &Stats,
) -> CheckpointDoc {
    let mut history = vec![CheckpointHistory {
        session_id: session_id.to_owned(),
        recorded_seq: seq.clone(),
        docs_read: stats.docs_read,
        docs_written: stats.docs_written,
    }];
    if let Some(p) = previous {
        history.extend(p.history.iter().cloned());
    }
    history.truncate(CHECKPOINT_HISTORY);
    CheckpointDoc {
        id: format!("_local/{replication_id}"),
        rev: previous.and_then(|p| p.rev.clone()),
        session_id: session_id.to_owned(),
        source_last_seq: seq.clone(),
        replication_id_version: REPLICATION_ID_VERSION,
        history,
    }
}

/// Options of a run. `session_id` is passed in (no randomness here): any string
/// unique per run, e.g. the device number and the start time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub session_id: String,
    /// Change rows per batch.
    pub batch_size: usize,
    /// Longest `_revisions` path sent.
    pub revs_limit: usize,
    /// Source changes that came from the target ([`FromTarget`]): set on the push that
    /// follows a pull from the same server, so the push does not ask the server about
    /// the documents it has just sent.
    pub from_target: Option<FromTarget>,
}

/// Every change of the source with a sequence in `(after, through]` was written by a
/// replication *from* this run's target: the pull just before a push, with the source's
/// update sequence before (`after`) and after (`through`) it. Sequences are the source's
/// own numbers ([`MemReplica::seq`]; the device's replica).
///
/// When the run's checkpoint covers `after` (every change before the pull was already
/// replicated to the target), the target holds every change up to `through`: the run
/// checkpoints `through` at once and reads only later changes. Without that, asking the
/// target is what tells, and the run reads from its checkpoint as usual. A document
/// pulled and then edited on the device has a sequence after `through` and is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FromTarget {
    pub after: u64,
    pub through: u64,
}

impl FromTarget {
    /// The sequence a run whose checkpoint is `since` may start from: `through` when
    /// `since` covers `after` and is before `through`; else `None` (start at `since`).
    ///
    /// ```
    /// use linli_domain::replication::replicate::FromTarget;
    /// let pulled = FromTarget { after: 10, through: 250 };
    /// assert_eq!(pulled.start(&serde_json::json!(10)), Some(250));
    /// assert_eq!(pulled.start(&serde_json::json!(9)), None); // an unsent change before the pull
    /// assert_eq!(pulled.start(&serde_json::json!(250)), None); // nothing to skip
    /// assert_eq!(pulled.start(&serde_json::json!("3-g1AAAA")), None); // not a number of ours
    /// ```
    pub fn start(&self, since: &Seq) -> Option<u64> {
        let s = since.as_u64()?;
        (s >= self.after && s < self.through).then_some(self.through)
    }
}

impl Options {
    /// Batches of 100 rows, CouchDB's default revs limit.
    pub fn new(session_id: &str) -> Self {
        Self {
            session_id: session_id.to_owned(),
            batch_size: 100,
            revs_limit: DEFAULT_REVS_LIMIT,
            from_target: None,
        }
    }
}

/// The operations of a [`Replica`], asynchronous: what the browser's `fetch` transport
/// implements. Every synchronous [`Replica`] is one (its futures are ready at once), so
/// [`replicate_async`] is the one driver for the CLI, the tests and the workspace.
#[allow(async_fn_in_trait)] // single-threaded callers (the browser, the CLI); no `Send` needed
pub trait AsyncReplica {
    /// As [`Replica::replica_id`].
    fn replica_id(&self) -> String;
    /// As [`Replica::changes`].
    async fn changes(&self, since: &Seq, limit: usize) -> Result<ChangesResponse, ReplicaError>;
    /// As [`Replica::revs_diff`].
    async fn revs_diff(&self, req: &RevsDiffRequest) -> Result<RevsDiffResponse, ReplicaError>;
    /// As [`Replica::bulk_get`].
    async fn bulk_get(&self, req: &BulkGetRequest) -> Result<BulkGetResponse, ReplicaError>;
    /// As [`Replica::bulk_docs`].
    async fn bulk_docs(&mut self, req: &BulkDocsRequest) -> Result<(), ReplicaError>;
    /// As [`Replica::get_local`].
    async fn get_local(&self, id: &str) -> Result<Option<CheckpointDoc>, ReplicaError>;
    /// As [`Replica::put_local`].
    async fn put_local(&mut self, doc: CheckpointDoc) -> Result<(), ReplicaError>;
}

impl<R: Replica> AsyncReplica for R {
    fn replica_id(&self) -> String {
        Replica::replica_id(self)
    }
    async fn changes(&self, since: &Seq, limit: usize) -> Result<ChangesResponse, ReplicaError> {
        Replica::changes(self, since, limit)
    }
    async fn revs_diff(&self, req: &RevsDiffRequest) -> Result<RevsDiffResponse, ReplicaError> {
        Replica::revs_diff(self, req)
    }
    async fn bulk_get(&self, req: &BulkGetRequest) -> Result<BulkGetResponse, ReplicaError> {
        Replica::bulk_get(self, req)
    }
    async fn bulk_docs(&mut self, req: &BulkDocsRequest) -> Result<(), ReplicaError> {
        Replica::bulk_docs(self, req)
    }
    async fn get_local(&self, id: &str) -> Result<Option<CheckpointDoc>, ReplicaError> {
        Replica::get_local(self, id)
    }
    async fn put_local(&mut self, doc: CheckpointDoc) -> Result<(), ReplicaError> {
        Replica::put_local(self, doc)
    }
}

/// Where a run is, after each batch: the stats so far and the source's `pending`
/// (change rows it still has after this batch, when it says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress<'a> {
    pub stats: &'a Stats,
    pub pending: Option<u64>,
}

/// Replicates `source` into `target` until the source has no more changes. Each batch
/// ends with a checkpoint on both sides; an error leaves the last checkpoint in place,
/// and the next run resumes from it.
///
/// # Errors
///
/// The first [`ReplicaError`] of either side.
pub fn replicate<S: Replica, T: Replica>(
    source: &mut S,
    target: &mut T,
    opts: &Options,
) -> Result<Stats, ReplicaError> {
    ready(replicate_async(source, target, opts, &mut |_| {}))
}

/// Runs a future whose awaits are all ready at once (synchronous replicas and
/// transports, e.g. the CLI's blocking HTTP).
///
/// # Panics
///
/// If the future waits (an asynchronous transport must be awaited instead).
pub fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        // A synchronous `Replica`'s futures never wait.
        std::task::Poll::Pending => unreachable!("a synchronous replica's future waited"),
    }
}

/// [`replicate`] over asynchronous replicas (the workspace's CouchDB transport);
/// `progress` is called after each batch's checkpoint.
///
/// # Errors
///
/// The first [`ReplicaError`] of either side.
pub async fn replicate_async<S: AsyncReplica, T: AsyncReplica>(
    source: &mut S,
    target: &mut T,
    opts: &Options,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Stats, ReplicaError> {
    let rep_id = replication_id(&source.replica_id(), &target.replica_id());
    let local = format!("_local/{rep_id}");
    let mut src_cp = source.get_local(&local).await?;
    let mut dst_cp = target.get_local(&local).await?;
    let mut since = start_seq(src_cp.as_ref(), dst_cp.as_ref());
    let mut stats = Stats {
        started_at: since.clone(),
        last_seq: since.clone(),
        ..Stats::default()
    };
    let mut ends = Ends {
        source,
        target,
        rep_id: &rep_id,
        session_id: &opts.session_id,
    };
    if let Some(through) = opts.from_target.and_then(|k| k.start(&since)) {
        stats.skipped = through - since.as_u64().unwrap_or(0);
        since = Seq::from(through);
        stats.last_seq = since.clone();
        ends.checkpoint(&since, &mut src_cp, &mut dst_cp, &stats).await?;
    }
    loop {
        let changes = ends.source.changes(&since, opts.batch_size.max(1)).await?;
        if changes.results.is_empty() {
            return Ok(stats);
        }
        stats.docs_read += changes.results.len() as u64;
        let diff = ends.target.revs_diff(&revs_diff_request(&changes)).await?;
        stats.missing_found += diff.values().map(|e| e.missing.len() as u64).sum::<u64>();
        let mut docs = if diff.is_empty() {
            Vec::new()
        } else {
            fetched_docs(&ends.source.bulk_get(&bulk_get_request(&diff)).await?)
        };
        let anc = ancestor_request(&docs)?;
        if !anc.is_empty() {
            let anc_diff = ends.target.revs_diff(&anc).await?;
            if !anc_diff.is_empty() {
                docs.extend(fetched_docs(
                    &ends.source.bulk_get(&bulk_get_request(&anc_diff)).await?,
                ));
            }
        }
        for d in &mut docs {
            if let Some(r) = d.revisions.as_mut() {
                r.ids.truncate(opts.revs_limit.max(1));
            }
        }
        if !docs.is_empty() {
            let req = bulk_docs_request(docs);
            ends.target.bulk_docs(&req).await?;
            stats.docs_written += req.docs.len() as u64;
        }
        since = changes.last_seq.clone();
        stats.batches += 1;
        stats.last_seq = since.clone();
        ends.checkpoint(&since, &mut src_cp, &mut dst_cp, &stats).await?;
        progress(Progress {
            stats: &stats,
            pending: changes.pending,
        });
    }
}

/// The two sides of a run and its ids, for writing checkpoints.
struct Ends<'a, S, T> {
    source: &'a mut S,
    target: &'a mut T,
    rep_id: &'a str,
    session_id: &'a str,
}

impl<S: AsyncReplica, T: AsyncReplica> Ends<'_, S, T> {
    /// Step 6 on both sides: the target's checkpoint first, then the source's.
    async fn checkpoint(
        &mut self,
        since: &Seq,
        src_cp: &mut Option<CheckpointDoc>,
        dst_cp: &mut Option<CheckpointDoc>,
        stats: &Stats,
    ) -> Result<(), ReplicaError> {
        let t = checkpoint(self.rep_id, self.session_id, since, dst_cp.as_ref(), stats);
        self.target.put_local(t.clone()).await?;
        let s = checkpoint(self.rep_id, self.session_id, since, src_cp.as_ref(), stats);
        self.source.put_local(s.clone()).await?;
        *dst_cp = Some(t);
        *src_cp = Some(s);
        Ok(())
    }
}

/// One document of a [`MemReplica`]: its tree, the bodies it holds, its last sequence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemDoc {
    pub tree: RevTree,
    /// Body of each revision held (`""` for a deletion). Ancestors are kept.
    pub bodies: BTreeMap<RevId, String>,
    pub seq: u64,
}

/// An in-memory database speaking the protocol: tests, the CLI's staging, the model
/// the browser store follows. Never compacts (every body is kept). `fail_after_writes`
/// simulates a server killed in the middle of a `_bulk_docs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemReplica {
    pub name: String,
    pub docs: BTreeMap<String, MemDoc>,
    pub seq: u64,
    pub local: BTreeMap<String, CheckpointDoc>,
    /// Revisions written through `_bulk_docs`.
    pub writes: u64,
    /// Writes of a revision already held with its body (must stay 0).
    pub duplicate_writes: u64,
    /// Fail `_bulk_docs` (and every later request) after this many more revisions.
    pub fail_after_writes: Option<u64>,
}

impl MemReplica {
    /// An empty database.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    fn check_up(&self) -> Result<(), ReplicaError> {
        match self.fail_after_writes {
            Some(0) => Err(ReplicaError::Unavailable(self.name.clone())),
            _ => Ok(()),
        }
    }

    /// A local edit (`new_edits=true`): a child of `parent`, which must be a leaf
    /// (`None` for a new document or one whose every leaf is deleted). Returns the new
    /// revision.
    ///
    /// # Errors
    ///
    /// [`ReplicaError::Conflict`] when `parent` is not a leaf.
    pub fn put(
        &mut self,
        id: &str,
        parent: Option<&RevId>,
        deleted: bool,
        body: &str,
    ) -> Result<RevId, ReplicaError> {
        let doc = self.docs.entry(id.to_owned()).or_default();
        let ok = match parent {
            Some(p) => doc.tree.leaves().contains(p),
            None => doc.tree.live_leaves().is_empty(),
        };
        if !ok {
            return Err(ReplicaError::Conflict(id.to_owned()));
        }
        let body = if deleted { "" } else { body };
        let rev = RevId::derive(parent, deleted, body);
        if doc.tree.insert(rev.clone(), parent.cloned(), deleted)? {
            doc.bodies.insert(rev.clone(), body.to_owned());
            self.seq += 1;
            doc.seq = self.seq;
        }
        Ok(rev)
    }

    /// A revision as another device's edit of `parent` arrives by replication: a child
    /// of any revision held (a new root when `None`), so it may start a branch. For
    /// tests and for writing what a peer made; a device's own edits use [`Self::put`].
    ///
    /// # Errors
    ///
    /// [`ReplicaError::Rev`] when `parent` is not in the tree.
    pub fn branch(
        &mut self,
        id: &str,
        parent: Option<&RevId>,
        deleted: bool,
        body: &str,
    ) -> Result<RevId, ReplicaError> {
        let doc = self.docs.entry(id.to_owned()).or_default();
        let body = if deleted { "" } else { body };
        let rev = RevId::derive(parent, deleted, body);
        if doc.tree.insert(rev.clone(), parent.cloned(), deleted)? {
            doc.bodies.insert(rev.clone(), body.to_owned());
            self.seq += 1;
            doc.seq = self.seq;
        }
        Ok(rev)
    }

    /// The document `id`.
    pub fn doc(&self, id: &str) -> Option<&MemDoc> {
        self.docs.get(id)
    }
}

impl Replica for MemReplica {
    fn replica_id(&self) -> String {
        self.name.clone()
    }

    fn changes(&self, since: &Seq, limit: usize) -> Result<ChangesResponse, ReplicaError> {
        self.check_up()?;
        let since = since.as_u64().unwrap_or(0);
        let mut rows: Vec<(&String, &MemDoc)> = self.docs.iter().filter(|(_, d)| d.seq > since).collect();
        rows.sort_by_key(|(_, d)| d.seq);
        rows.truncate(limit);
        let pending = self.docs.values().filter(|d| d.seq > since).count() - rows.len();
        let last = rows.last().map_or(since, |(_, d)| d.seq);
        Ok(ChangesResponse {
            results: rows
                .into_iter()
                .map(|(id, d)| ChangeRow {
                    seq: Seq::from(d.seq),
                    id: id.clone(),
                    changes: d.tree.leaves().into_iter().map(|rev| ChangeRev { rev }).collect(),
                    deleted: d.tree.is_deleted(),
                })
                .collect(),
            last_seq: Seq::from(last),
            pending: Some(pending as u64),
        })
    }

    fn revs_diff(&self, req: &RevsDiffRequest) -> Result<RevsDiffResponse, ReplicaError> {
        self.check_up()?;
        let mut out = RevsDiffResponse::new();
        for (id, revs) in req {
            let doc = self.docs.get(id);
            let missing: Vec<RevId> = revs
                .iter()
                .filter(|r| doc.is_none_or(|d| !d.bodies.contains_key(r)))
                .cloned()
                .collect();
            if !missing.is_empty() {
                out.insert(
                    id.clone(),
                    RevsDiffEntry {
                        missing,
                        possible_ancestors: Vec::new(),
                    },
                );
            }
        }
        Ok(out)
    }

    fn bulk_get(&self, req: &BulkGetRequest) -> Result<BulkGetResponse, ReplicaError> {
        self.check_up()?;
        let mut results: Vec<BulkGetResult> = Vec::new();
        for item in &req.docs {
            let doc = self.docs.get(&item.id);
            let rev = item.rev.clone().or_else(|| doc.and_then(|d| d.tree.winner()));
            let found = doc.zip(rev.as_ref()).and_then(|(d, r)| {
                let body = d.bodies.get(r)?;
                let deleted = d.tree.node(r)?.deleted;
                Some(Doc {
                    id: item.id.clone(),
                    rev: r.clone(),
                    deleted,
                    revisions: d.tree.revisions(r, DEFAULT_REVS_LIMIT),
                    body: body.clone(),
                })
            });
            let entry = match found {
                Some(d) => BulkGetDoc::Ok(d),
                None => BulkGetDoc::Error(BulkGetError {
                    id: item.id.clone(),
                    rev: rev.map(|r| r.to_string()).unwrap_or_default(),
                    error: "not_found".into(),
                    reason: "missing".into(),
                }),
            };
            match results.last_mut() {
                Some(last) if last.id == item.id => last.docs.push(entry),
                _ => results.push(BulkGetResult {
                    id: item.id.clone(),
                    docs: vec![entry],
                }),
            }
        }
        Ok(BulkGetResponse { results })
    }

    fn bulk_docs(&mut self, req: &BulkDocsRequest) -> Result<(), ReplicaError> {
        self.check_up()?;
        for d in &req.docs {
            if let Some(n) = self.fail_after_writes.as_mut() {
                if *n == 0 {
                    return Err(ReplicaError::Unavailable(self.name.clone()));
                }
                *n -= 1;
            }
            let path = match &d.revisions {
                Some(r) => r.revs()?,
                None => vec![d.rev.clone()],
            };
            if path.first() != Some(&d.rev) {
                return Err(RevError::BadPath(d.rev.to_string()).into());
            }
            let doc = self.docs.entry(d.id.clone()).or_default();
            self.writes += 1;
            if doc.bodies.contains_key(&d.rev) {
                self.duplicate_writes += 1;
                continue;
            }
            doc.tree.merge_path(&path, d.deleted)?;
            doc.bodies.insert(d.rev.clone(), d.body.clone());
            self.seq += 1;
            doc.seq = self.seq;
        }
        Ok(())
    }

    fn get_local(&self, id: &str) -> Result<Option<CheckpointDoc>, ReplicaError> {
        self.check_up()?;
        Ok(self.local.get(id).cloned())
    }

    fn put_local(&mut self, doc: CheckpointDoc) -> Result<(), ReplicaError> {
        self.check_up()?;
        self.local.insert(doc.id.clone(), doc);
        Ok(())
    }
}
