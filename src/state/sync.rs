//! Continuous replication with a community's CouchDB server (issue #19), provided as
//! context so it keeps running while the guide moves between views.
//!
//! One run ([`run_once`]): read the dataset in one read-only transaction, open the
//! replica (kept in memory from the previous run while the `replica` store's meta is
//! the one it wrote, see `db::replica`; `replication::local::Session`, the code
//! `linli sync` runs), pull from the server, stage this device's edits (renumbering any
//! record another device took the id of), push, and when anything changed write what the
//! merge changed and the replica's changed documents in one read-write transaction (no
//! history entry of its own: see [`run_once`]). A run whose read is overtaken by a
//! write in this tab does not write (the guide's edit stays) and runs again at once.
//!
//! Between runs the service long-polls the server's `_changes` (1.5 s) while it watches
//! [`super::Storage::revision`] (every 100 ms): a change on the server starts a run when
//! the poll answers, an edit on this device at once (the poll is left to end).
//! Errors retry with exponential backoff (1 s doubling to 60 s); refused credentials
//! stop and say so; offline (`navigator.onLine`) waits without requests. A pull cut off
//! half-way (the server or the network gone) is continued by the next run from the
//! checkpoint it reached (kept in memory); a push cut off half-way first writes what the
//! run did; the push after a pull is told
//! what the pull brought and skips it (`replicate::FromTarget`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use linli_domain::replication::local::{self, Author, Session, SyncKeys};
use linli_domain::replication::replicate::{
    replicate_async, FromTarget, MemReplica, Options, Progress, ReplicaError, Stats,
};
use linli_domain::replication::wire::Seq;

use super::Storage;
use crate::browser::{now_millis, online, random_bytes, sleep};
use crate::db::couch::Remote;

/// Where the service is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Not connected.
    Off,
    /// Reading this device's data.
    Reading,
    /// Bringing the server's changes: rows read so far, rows the server still has.
    Pulling { read: u64, pending: Option<u64> },
    /// Sending this device's changes.
    Pushing { read: u64, pending: Option<u64> },
    /// Writing the merged data on this device.
    Saving,
    /// Up to date, waiting for a change on either side.
    Watching,
    /// The browser is offline; nothing is sent until it is back.
    Offline,
    /// The last run failed; the next try is in `wait_s` seconds.
    Retrying { why: Why, wait_s: u32 },
    /// The server refused the credentials or the database; stopped.
    Refused(String),
    /// A run cannot complete on this device (the merged records do not open, do not
    /// hold together, or the store refuses them): trying again gives the same answer,
    /// so it stopped; nothing was written.
    Stuck(Why),
}

/// Why a run failed, as the page words it (in the guide's language; `locales/`), with
/// the technical text kept for support (shown folded away).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The server could not be reached, stopped answering or refused a document.
    Unreachable(String),
    /// A revision id or path from the server that the protocol does not allow.
    Protocol(String),
    /// Documents that do not open with this community's key (a wrong sync key, or
    /// another community's database).
    Sealed(String),
    /// This device's replica (its sync record) does not read.
    Damaged(String),
    /// The merged records do not hold together or do not decode.
    Inconsistent(String),
    /// This device's store failed or refused a read or a write.
    Store(crate::db::DbError),
    /// Anything else (the technical text).
    Other(String),
}

impl Why {
    /// A stable name (`data-why`, tests).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable(_) => "unreachable",
            Self::Protocol(_) => "protocol",
            Self::Sealed(_) => "sealed",
            Self::Damaged(_) => "damaged",
            Self::Inconsistent(_) => "inconsistent",
            Self::Store(_) => "store",
            Self::Other(_) => "other",
        }
    }

    fn of_replica(e: &ReplicaError) -> Self {
        match e {
            ReplicaError::Rev(_) => Self::Protocol(e.to_string()),
            _ => Self::Unreachable(e.to_string()),
        }
    }

    fn of_local(e: &local::LocalError) -> Self {
        use local::LocalError as L;
        match e {
            L::Sealed(_) => Self::Sealed(e.to_string()),
            L::State(_) => Self::Damaged(e.to_string()),
            L::Replica(r) => Self::of_replica(r),
            L::NoRandom => Self::Other(e.to_string()),
            _ => Self::Inconsistent(e.to_string()),
        }
    }
}

/// What the last completed run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    pub at: i64,
    pub pulled: u64,
    pub pushed: u64,
    pub local_edits: u64,
    pub renumbered: usize,
    pub conflicts: usize,
    /// How long the run took, from the read to the write (ms).
    pub took_ms: i64,
    /// Milliseconds of each step of the run ([`STEPS`]).
    pub steps: [u32; 7],
}

/// The steps of a run, as [`Report::steps`] times them.
pub const STEPS: [&str; 7] = ["read", "open", "pull", "stage", "push", "finish", "write"];

/// The service, provided as context. `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct SyncService {
    pub phase: RwSignal<Phase>,
    /// The server's database URL while connected.
    pub url: RwSignal<Option<String>>,
    pub last: RwSignal<Option<Report>>,
    /// Whether this device has edits the server has not had yet (a write since the
    /// last run).
    pub unsent: Signal<bool>,
    /// The sync key typed in Settings → 同步 while the workspace has no passphrase: kept
    /// for this tab only (memory, never stored), so leaving the page and coming back
    /// (or making an enrolment while connected) does not ask for it again.
    pub typed_key: RwSignal<String>,
    seen: RwSignal<u64>,
    generation: StoredValue<u64>,
}

/// What a connection needs: the database, the community's key, who acts.
pub struct Connect {
    pub remote: Remote,
    pub keys: SyncKeys,
    pub actor: String,
}

enum RunError {
    /// A write in this tab overtook the run's read: run again.
    Overtaken,
    Replica(ReplicaError),
    /// Would fail the same way again ([`Phase::Stuck`]).
    Stuck(Why),
    /// May pass at the next try ([`Phase::Retrying`]).
    Other(Why),
}

impl RunError {
    /// A failed write: refused for what it holds (stop), or for the moment (retry).
    fn write(e: crate::db::DbError) -> Self {
        use crate::db::DbError;
        match &e {
            DbError::Browser { name, .. } if name == "ConstraintError" || name == "DataError" => {
                Self::Stuck(Why::Store(e))
            }
            DbError::Decode { .. } | DbError::Decrypt { .. } | DbError::ReadOnly => {
                Self::Stuck(Why::Store(e))
            }
            _ => Self::Other(Why::Store(e)),
        }
    }
}

impl From<ReplicaError> for RunError {
    fn from(e: ReplicaError) -> Self {
        Self::Replica(e)
    }
}

impl From<local::LocalError> for RunError {
    fn from(e: local::LocalError) -> Self {
        match e {
            local::LocalError::NoRandom => Self::Other(Why::of_local(&e)),
            local::LocalError::Replica(r) => Self::Replica(r),
            e => Self::Stuck(Why::of_local(&e)),
        }
    }
}

fn nonce() -> Option<[u8; local::NONCE]> {
    Some(random_bytes::<{ local::NONCE }>())
}

/// Resolves once this device has written since revision `seen` (checked every 100 ms).
async fn local_write(storage: Storage, seen: u64) {
    while storage.revision.get_untracked() == seen {
        sleep(100).await;
    }
}

/// The server's answer, or `None` when `here` finished first (the other is dropped:
/// a long poll left running ends at its own timeout).
async fn first<T>(
    server: std::pin::Pin<&mut impl std::future::Future<Output = T>>,
    here: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
) -> Option<T> {
    let (mut server, mut here) = (server, here);
    std::future::poll_fn(move |cx| {
        if let std::task::Poll::Ready(v) = server.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(v));
        }
        if here.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready(None);
        }
        std::task::Poll::Pending
    })
    .await
}

/// One run (module docs).
async fn run_once(
    storage: Storage,
    remote: &mut Remote,
    keys: &SyncKeys,
    actor: &str,
    phase: RwSignal<Phase>,
    cache: &mut Option<local::Cache>,
) -> Result<Report, RunError> {
    let db = storage
        .db()
        .ok_or(RunError::Other(Why::Store(crate::db::DbError::Unavailable)))?;
    let before = storage.revision.get_untracked();
    phase.set(Phase::Reading);
    crate::browser::paint().await;
    let t0 = now_millis();
    let mut steps = [0u32; 7];
    let mut mark = t0;
    let mut lap = |i: usize| {
        let now = now_millis();
        steps[i] = u32::try_from(now - mark).unwrap_or(u32::MAX);
        mark = now;
    };
    let ds = db.read_all().await.map_err(|e| RunError::Other(Why::Store(e)))?;
    lap(0);
    let read = ds.clone();
    // This device's record of when it last synced (rewritten once a day): the other
    // devices' cockpits name a device not seen for days.
    let mut ds = ds;
    linli_domain::replication::seen::note(&mut ds.settings, crate::db::device::number(), t0);
    let fresh = format!("device:{}", local::hex(&random_bytes::<8>()));
    let db_err = |e: crate::db::DbError| RunError::Other(Why::Store(e));
    // The replica: a `_sync` setting not yet moved into the `replica` store is read once
    // and moved (every document written); else the previous run's replica and readings
    // while the store's meta is what it wrote; else the store's.
    let legacy = ds.settings.iter().any(|st| st.key == local::SYNC_SETTING);
    let stored = if legacy {
        None
    } else {
        db.replica_meta().await.map_err(db_err)?
    };
    let (mut s, all) = match (cache.take(), &stored) {
        _ if legacy => (Session::open(keys.clone(), ds, &fresh)?, true),
        // (A session cut off in its pull before any replica was stored holds `""`.)
        (Some(c), m) if c.holds(m.as_deref().unwrap_or_default()) => {
            (Session::from_cache(keys.clone(), ds, c)?, false)
        }
        (_, Some(_)) => match db.replica().await.map_err(db_err)? {
            Some(state) => (Session::with_state(keys.clone(), ds, state)?, false),
            None => (
                Session::with_state(keys.clone(), ds, MemReplica::new(&fresh))?,
                true,
            ),
        },
        (_, None) => (
            Session::with_state(keys.clone(), ds, MemReplica::new(&fresh))?,
            true,
        ),
    };
    // A continued session of a first sync writes every bucket, as the uncut one would.
    let all = all || s.opened_at() == 0;
    lap(1);
    let at = now_millis();
    let opts = Options::new(&format!(
        "{}-{at}-{}",
        s.state.name,
        local::hex(&random_bytes::<4>())
    ));
    let pull = replicate_async(remote, &mut s.state, &opts, &mut |p: Progress<'_>| {
        phase.set(Phase::Pulling {
            read: p.stats.docs_read,
            pending: p.pending,
        });
    })
    .await;
    lap(2);
    // A pull cut off half-way (the server died, the network went) keeps what it brought
    // in memory: the next run continues this session (`Session::into_resume`), its pull
    // resuming from the checkpoint reached (a first sync of 100,000 households cut after
    // a minute does not start again). Nothing is staged or written before the pull is
    // whole: this device's records the server has not sent yet would read as new ones.
    let pull = match pull {
        Ok(p) => p,
        Err(e) => {
            if !legacy {
                *cache = Some(s.into_resume(stored.unwrap_or_default()));
            }
            return Err(e.into());
        }
    };
    // Everything since the session opened came from the server (a continued session's
    // first pull included): the push does not ask about it again.
    let pulled = FromTarget {
        after: s.opened_at(),
        through: s.state.seq,
    };
    let mut cut = None;
    let who = Author {
        by: actor.to_owned(),
        device: crate::db::device::number(),
        at,
    };
    // What the pull wrote is on the server: the push does not ask about it again.
    let push_opts = Options {
        from_target: Some(pulled),
        ..opts
    };
    let edits = s.stage(&who, &mut nonce)?;
    lap(3);
    let push = replicate_async(&mut s.state, remote, &push_opts, &mut |p: Progress<'_>| {
        phase.set(Phase::Pushing {
            read: p.stats.docs_read,
            pending: p.pending,
        });
    })
    .await;
    let push = match push {
        Ok(p) => p,
        // Nothing of this run to keep: the next run does it all again.
        Err(e) if edits == 0 && pulled.through == pulled.after => return Err(e.into()),
        // A push cut off half-way: what the pull brought and the staged edits (some of
        // their revisions may be on the server already) are written below like any
        // run's, with the checkpoint reached, then the error is reported.
        Err(e) => {
            cut = Some(e);
            Stats::default()
        }
    };
    lap(4);
    let mut report = Report {
        at,
        pulled: pull.docs_written,
        pushed: push.docs_written,
        local_edits: edits,
        renumbered: s.renumbered(),
        conflicts: 0,
        took_ms: 0,
        steps: [0; 7],
    };
    if cut.is_none() && pull.batches == 0 && push.batches == 0 && edits == 0 {
        report.conflicts = db
            .sync_status()
            .await
            .ok()
            .flatten()
            .map_or(0, |st| st.waiting.len());
        *cache = stored.map(|m| s.into_cache_for(m, Some(read)));
        report.steps = steps;
        return Ok(report);
    }
    phase.set(Phase::Saving);
    let (ex, parts) = s.finish_parts(Some(remote.url()), at, all)?;
    report.conflicts = ex.status.waiting.len();
    let changes = read.changes_to(&ex.dataset);
    lap(5);
    if storage.revision.get_untracked() != before {
        return Err(RunError::Overtaken);
    }
    // No history entry: it would be a record of its own, replicated, and the other
    // device's run writing one in turn would never end. Each revision carries its author,
    // and the edits' own history entries replicate.
    // Only what the merge changed is written (often only the status: this device sent
    // its edits), with the replica's documents this run wrote and its meta.
    let records = changes.records();
    db.write_changes(&changes, Some(&parts))
        .await
        .map_err(RunError::write)?;
    if records > 0 {
        // The views read again; a run that only advanced the replica leaves them.
        storage.changed();
    }
    *cache = Some(s.into_cache_for(parts.meta, Some(ex.dataset)));
    if let Some(e) = cut {
        return Err(e.into());
    }
    lap(6);
    report.took_ms = now_millis() - t0;
    report.steps = steps;
    Ok(report)
}

impl SyncService {
    /// Starts continuous replication (stopping any running one).
    pub fn connect(&self, storage: Storage, c: Connect) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let this = *self;
        this.url.set(Some(c.remote.url().to_owned()));
        let Connect {
            mut remote,
            keys,
            actor,
        } = c;
        spawn_local(async move {
            let live = move || this.generation.get_value() == generation;
            let mut backoff = 1u32;
            let mut remote_changed = true;
            let mut since: Option<Seq> = None;
            let mut cache: Option<local::Cache> = None;
            if let Err(e) = remote.ensure_db().await {
                if live() {
                    this.fail(&e, 0);
                }
                if matches!(e, ReplicaError::Refused(_)) {
                    return;
                }
            }
            while live() {
                if !online() {
                    this.phase.set(Phase::Offline);
                    sleep(2_000).await;
                    remote_changed = true;
                    continue;
                }
                let local_changed = storage.revision.get_untracked() != this.seen.get_untracked();
                if remote_changed || local_changed || since.is_none() {
                    match run_once(storage, &mut remote, &keys, &actor, this.phase, &mut cache).await {
                        Ok(report) => {
                            if !live() {
                                break;
                            }
                            this.seen.set(storage.revision.get_untracked());
                            this.last.set(Some(report));
                            backoff = 1;
                            remote_changed = false;
                            since = remote.update_seq().await.ok();
                        }
                        Err(RunError::Overtaken) => continue,
                        Err(RunError::Stuck(e)) => {
                            if live() {
                                this.phase.set(Phase::Stuck(e));
                            }
                            break;
                        }
                        Err(RunError::Replica(e)) => {
                            if !live() {
                                break;
                            }
                            if matches!(e, ReplicaError::Refused(_)) {
                                this.fail(&e, 0);
                                break;
                            }
                            this.fail(&e, backoff);
                            sleep(i32::try_from(backoff * 1000).unwrap_or(60_000)).await;
                            backoff = (backoff * 2).min(60);
                            continue;
                        }
                        Err(RunError::Other(why)) => {
                            if !live() {
                                break;
                            }
                            this.phase.set(Phase::Retrying { why, wait_s: backoff });
                            sleep(i32::try_from(backoff * 1000).unwrap_or(60_000)).await;
                            backoff = (backoff * 2).min(60);
                            continue;
                        }
                    }
                }
                if !live() {
                    break;
                }
                this.phase.set(Phase::Watching);
                let started = now_millis();
                let Some(seq) = since.clone() else { continue };
                let seen = this.seen.get_untracked();
                let waited = {
                    let server = std::pin::pin!(remote.wait_changes(&seq, 1_500));
                    let here = std::pin::pin!(local_write(storage, seen));
                    first(server, here).await
                };
                let Some(waited) = waited else {
                    // A write on this device: send it now, not after the long poll.
                    continue;
                };
                match waited {
                    Ok(c) if !c.results.is_empty() => remote_changed = true,
                    Ok(_) => {
                        // A server that answers a long poll at once: do not spin.
                        if now_millis() - started < 300 {
                            sleep(1_000).await;
                        }
                    }
                    // A long poll cut (the cap in `db::couch`, the browser going offline):
                    // a run says whether the server is really away.
                    Err(_) => remote_changed = true,
                }
            }
        });
    }

    fn fail(&self, e: &ReplicaError, wait_s: u32) {
        self.phase.set(match e {
            ReplicaError::Refused(m) => Phase::Refused(m.clone()),
            other => Phase::Retrying {
                why: Why::of_replica(other),
                wait_s,
            },
        });
    }

    /// Stops replication (a run under way finishes its current request and stops
    /// before writing anything more on this device).
    pub fn disconnect(&self) {
        self.generation.set_value(self.generation.get_value() + 1);
        self.url.set(None);
        self.phase.set(Phase::Off);
    }
}

/// Creates the service and provides it.
pub fn provide_sync(storage: Storage) -> SyncService {
    let seen = RwSignal::new(0u64);
    let url = RwSignal::new(None::<String>);
    let unsent = Signal::derive(move || url.with(Option::is_some) && storage.revision.get() != seen.get());
    let s = SyncService {
        phase: RwSignal::new(Phase::Off),
        url,
        last: RwSignal::new(None),
        unsent,
        typed_key: RwSignal::new(String::new()),
        seen,
        generation: StoredValue::new(0),
    };
    provide_context(s);
    s
}

/// The service from context.
///
/// # Panics
///
/// Outside the app's root (where it is provided).
pub fn use_sync() -> SyncService {
    expect_context()
}
