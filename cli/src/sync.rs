//! `linli sync` and `linli sync-file`: a backup replicated with a CouchDB server, or with a
//! peer by sync files, through the domain's replication core
//! (`linli_domain::replication`).
//!
//! # The backup as a replica
//!
//! Each record of the backup's dataset is one document: `_id` =
//! [`ids::doc_id`]`(doc-id key, store, record key)`, body `c` = the record's
//! [`Envelope`] (store, key, author, device, time, record) as JSON, sealed (see
//! *Crypto*). The documents, their revision trees and every revision body held (ancestors
//! too: the household merge compares against the common ancestor) are a
//! [`MemReplica`] kept **in the backup itself**, as the JSON text of the setting
//! [`local::SYNC_SETTING`] (`_sync`), together with the replica's id and its `_local`
//! checkpoints, so the next run is incremental. A setting is the least invasive place:
//! the backup format, its `deny_unknown_fields` dataset and the app's restore are
//! unchanged (the app keeps a setting it does not know as it is), and an encrypted backup
//! protects it like every other record. The `_sync` and `vault` settings are local to the
//! backup and never replicated.
//!
//! A run: (1) read the merged reading of every document (the *base*, what the backup held
//! after its last exchange); (2) pull from the server (or import a file); (3) *stage* the
//! backup's own edits: a record that differs from its base reading becomes a child of the
//! base's winning revision, a record no longer in the backup deletes the base's leaves,
//! a record new here is compared with what the exchange brought (equal: nothing to write,
//! so two devices starting from the same data share revisions; different: a new root,
//! merged as a conflict); (4) push; (5) *materialize*: every document's merged reading
//! (the domain's rule per store: households and other stores field by field against the
//! common ancestor, requests by furthest stage) becomes the dataset written back. A field
//! changed differently on two sides is a [`linli_domain::replication::merge::Conflict`]:
//! the shown value is the winner's, the other leaf stays in the tree (in the backup and
//! on the server) until a guide resolves it; the stats list every conflict waiting.
//!
//! # Crypto
//!
//! | what | value |
//! |---|---|
//! | root key | the community data key (from the backup's `vault` setting, opened with a guide's passphrase or the recovery code), or the 32 bytes of `--sync-key-file` (64 hex digits) |
//! | seal key | HKDF-SHA256(ikm = root key, no salt, info [`local::INFO_SEAL_KEY`] = `linli-sync-v1\|subkey\|seal`) |
//! | doc-id key | HKDF-SHA256(ikm = root key, no salt, info [`local::INFO_DOC_ID_KEY`] = `linli-sync-v1\|subkey\|doc-id`) |
//! | AEAD | XChaCha20-Poly1305, 24-byte random nonce from the operating system per seal, AAD = the document id (UTF-8) |
//! | body | standard base64 of `0x01` ‖ nonce ‖ ciphertext ‖ tag |
//!
//! The server holds only document ids (keyed hashes), revision ids and ciphertext: no
//! store name, record key, name or phone. A document moved to another id fails to open.
//!
//! # Limits
//!
//! - Conflicts are listed and kept (both leaves, in the backup and on the server); this
//!   command does not resolve them: that is the workspace's conflict view. Editing a
//!   conflicted record in the backup writes a child of the winner and keeps the conflict.
//! - Two backups that never exchanged anything have no common ancestor: a record they
//!   both hold with different contents becomes a conflict on every differing field (equal
//!   records are shared). A second device should join (first sync) before editing.
//! - The `_sync` state keeps every revision's sealed body: the 4,500-household demo
//!   (9,071 documents) grows from 4.6 MB to 13.5 MB as a plain backup.
//! - A backup encrypted to age keys (`--identity`) is written back to the `--recipient`s
//!   given (required: the recipients of an age file cannot be read from it).
//! - Ledger flags are reported for overdrawn balances and double reversals; out-of-stock
//!   flags need the stock log (not read here).
//! - Two runs on one backup at the same time: the later write wins (no file lock).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use age::secrecy::ExposeSecret;
use anyhow::{bail, Context, Result};
use clap::Args;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::replication::local;
use linli_domain::replication::merge;
#[cfg(test)]
use linli_domain::replication::merge::Envelope;
#[cfg(test)]
use linli_domain::replication::replicate::MemReplica;
use linli_domain::replication::replicate::{self, ready, Options, ReplicaError, Stats};
use linli_domain::replication::syncfile::{self, SyncFile};
use linli_domain::vault::{Guide, Keyring, RecoveryCode};

use crate::vault::{self as agevault, ReadSecrets};

use linli_domain::replication::local::VAULT_SETTING;

/// Why a sync could not start or a document could not be read. Network and server
/// failures are [`ReplicaError`]s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// A plain (demo) workspace has no data key to derive the sync key from.
    #[error(
        "the backup holds no vault (a workspace without a passphrase, like the demo): there is no \
         community data key to seal documents with. Pass --sync-key-file FILE (64 hex digits, e.g. \
         `head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'`; the same file on every device of the community)"
    )]
    NoVault,
    /// The vault is there but no way to open it was given.
    #[error("the backup's vault is locked: pass --guide NAME --guide-passphrase-file FILE, or --recovery-file FILE")]
    Locked,
    /// `--guide` names nobody in the vault.
    #[error("no guide named `{0}` in the backup's vault")]
    NoSuchGuide(String),
    /// Wrong passphrase or recovery code, or a damaged vault.
    #[error("cannot open the community data key: {0}")]
    Unlock(String),
    /// The sync key file is not 64 hex digits.
    #[error("the sync key file `{0}` must hold 64 hex digits (32 bytes) on its first line")]
    BadKeyFile(String),
    /// A document's body does not open under this community's key.
    #[error("document {0} does not open with this community's sync key (another community's database, or a changed document)")]
    Sealed(String),
}

/// How the CLI gets the community's data key.
#[derive(Debug, Args, Clone)]
pub struct KeyArgs {
    /// Open the backup's vault as this guide (with --guide-passphrase-file).
    #[arg(long, value_name = "NAME", requires = "guide_passphrase_file")]
    pub guide: Option<String>,
    /// The guide's workspace passphrase (first line of FILE); not the backup's age passphrase.
    #[arg(long, value_name = "FILE", requires = "guide")]
    pub guide_passphrase_file: Option<PathBuf>,
    /// Open the backup's vault with the printed recovery code (first line of FILE).
    #[arg(long, value_name = "FILE", conflicts_with = "guide")]
    pub recovery_file: Option<PathBuf>,
    /// For a backup without a vault (a demo workspace): the community's sync key, 64 hex
    /// digits; every device of the community uses the same file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["guide", "recovery_file"])]
    pub sync_key_file: Option<PathBuf>,
    /// The author written into this run's revisions (shown with conflicts).
    #[arg(long, value_name = "NAME", default_value = "linli-cli")]
    pub actor: String,
    /// For a backup encrypted to age keys: a recipient (`age1…`) to encrypt it to again
    /// when it is written back; repeat for every holder (e.g. the community and the street
    /// office). Required for such a backup, so no holder is dropped silently.
    #[arg(long, value_name = "AGE1…")]
    pub recipient: Vec<String>,
    /// The device number written into this run's revisions (0–255).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=255))]
    pub device: u16,
}

/// The two subkeys of a community's sync (the domain's, with the operating system's nonces).
pub struct SyncKeys(local::SyncKeys);

impl std::fmt::Debug for SyncKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncKeys(redacted)")
    }
}

impl SyncKeys {
    /// The subkeys of `root` (the community data key or a sync key file's bytes).
    pub fn from_root(root: &[u8; 32]) -> Self {
        Self(local::SyncKeys::from_root(root))
    }

    /// The document id of `store`/`key`.
    #[cfg(test)]
    pub fn doc_id(&self, store: &str, key: &str) -> String {
        self.0.doc_id(store, key)
    }

    /// Seals `plain` as the body of document `id` with a fresh random nonce.
    ///
    /// # Errors
    ///
    /// When the operating system gives no randomness.
    #[cfg(test)]
    pub fn seal(&self, id: &str, plain: &[u8]) -> Result<String> {
        let nonce = os_nonce().context("the operating system gave no random bytes")?;
        Ok(self.0.seal(id, plain, nonce)?)
    }

    /// Opens the body of document `id` as an [`Envelope`].
    ///
    /// # Errors
    ///
    /// [`SyncError::Sealed`] for anything that does not open and decode.
    #[cfg(test)]
    pub fn open(&self, id: &str, body: &str) -> Result<Envelope, SyncError> {
        self.0
            .open(id, body)
            .map_err(|_| SyncError::Sealed(id.to_owned()))
    }
}

#[derive(Deserialize)]
struct VaultLite {
    guides: Vec<Guide>,
    keyring: Keyring,
}

fn read_sync_key_file(path: &Path) -> Result<[u8; 32]> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the sync key file `{}`", path.display()))?,
    );
    let line = text.lines().next().unwrap_or("").trim();
    let bad = || SyncError::BadKeyFile(path.display().to_string());
    if line.len() != 64 {
        return Err(bad().into());
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(line.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// The sync keys of the backup `ds` as `args` says (see [`SyncError`] for the refusals).
///
/// # Errors
///
/// [`SyncError`] and unreadable files.
pub fn keys(ds: &Dataset, args: &KeyArgs) -> Result<SyncKeys> {
    if let Some(f) = &args.sync_key_file {
        let root = Zeroizing::new(read_sync_key_file(f)?);
        return Ok(SyncKeys::from_root(&root));
    }
    let Some(v) = ds.settings.iter().find(|s| s.key == VAULT_SETTING) else {
        return Err(SyncError::NoVault.into());
    };
    let vault: VaultLite = serde_json::from_str(&v.value)
        .map_err(|e| SyncError::Unlock(format!("the vault setting does not decode ({e})")))?;
    let dk = if let (Some(name), Some(pf)) = (&args.guide, &args.guide_passphrase_file) {
        let g = vault
            .guides
            .iter()
            .find(|g| g.name == *name)
            .ok_or_else(|| SyncError::NoSuchGuide(name.clone()))?;
        let pass = agevault::read_passphrase(pf)?;
        vault
            .keyring
            .unlock(g.id, pass.expose_secret())
            .map_err(|e| SyncError::Unlock(e.to_string()))?
    } else if let Some(rf) = &args.recovery_file {
        let pass = agevault::read_passphrase(rf)?;
        let code = RecoveryCode::parse(pass.expose_secret()).map_err(|e| SyncError::Unlock(e.to_string()))?;
        vault
            .keyring
            .recover(&code)
            .map_err(|e| SyncError::Unlock(e.to_string()))?
    } else {
        return Err(SyncError::Locked.into());
    };
    Ok(SyncKeys::from_root(dk.as_bytes()))
}

// ---------------------------------------------------------------------------------------
// The replica kept in the backup, records, readings, staging, materializing: the domain's
// `replication::local` (shared with the workspace); here with the operating system's
// randomness for nonces and replica ids.

pub use linli_domain::replication::local::{Author, Waiting};
#[cfg(test)]
use linli_domain::replication::local::{Base, Record};

fn random_hex(bytes: usize) -> Result<String> {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b).context("the operating system gave no random bytes")?;
    Ok(local::hex(&b))
}

fn os_nonce() -> Option<[u8; local::NONCE]> {
    let mut n = [0u8; local::NONCE];
    getrandom::getrandom(&mut n).ok().map(|()| n)
}

/// The backup's replica (a new, empty one with a fresh id on the first run).
///
/// # Errors
///
/// [`local::LocalError::State`] for a damaged `_sync` setting.
#[cfg(test)]
pub fn load_state(ds: &Dataset) -> Result<MemReplica> {
    Ok(local::load_state(ds, &format!("backup:{}", random_hex(16)?))?)
}

/// The replicated records of `ds` (every store; the `_sync` and `vault` settings stay local).
///
/// # Errors
///
/// A record without its key.
#[cfg(test)]
pub fn records(ds: &Dataset) -> Result<Vec<Record>> {
    Ok(local::records(ds)?)
}

/// The base readings of `state`.
///
/// # Errors
///
/// As [`reading`].
#[cfg(test)]
pub fn base(keys: &SyncKeys, state: &MemReplica) -> Result<Base> {
    Ok(local::base(&keys.0, state)?)
}

/// Writes the backup's own edits since `base` into `state`; the number of revisions written.
///
/// # Errors
///
/// Sealing or a revision-tree error.
#[cfg(test)]
pub fn stage(
    keys: &SyncKeys,
    state: &mut MemReplica,
    recs: &[Record],
    base: &Base,
    who: &Author,
) -> Result<u64> {
    Ok(local::stage(&keys.0, state, recs, base, who, &mut os_nonce)?)
}

/// The dataset `state` reads as, with the vault setting of `old` kept; and the conflicts.
///
/// # Errors
///
/// A document that does not open, merged records that do not decode or are inconsistent.
#[cfg(test)]
pub fn materialize(keys: &SyncKeys, state: &MemReplica, old: &Dataset) -> Result<(Dataset, Vec<Waiting>)> {
    Ok(local::materialize(&keys.0, state, old)?)
}

#[cfg(test)]
fn with_state(ds: Dataset, state: &MemReplica) -> Result<Dataset> {
    Ok(local::with_state(ds, state)?)
}

// ---------------------------------------------------------------------------------------
// Commands.

/// A backup read for syncing.
struct Opened {
    ds: Dataset,
    age: bool,
}

fn open(file: &Path, secrets: &ReadSecrets, keys: &KeyArgs) -> Result<Opened> {
    let raw = std::fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))?;
    let age = agevault::is_age(&raw);
    if age && secrets.passphrase_file.is_none() && !secrets.identity.is_empty() {
        if keys.recipient.is_empty() {
            bail!(
                "`{}` is encrypted to age keys and is written back after the sync: pass --recipient \
                 age1… for every holder it must stay readable by",
                file.display()
            );
        }
        // Checked before any request, not only when writing back.
        agevault::seal(b"", &recipients(keys))?;
    }
    let plain = agevault::open_backup(raw, &file.display().to_string(), secrets)?;
    let (_, ds) =
        backup::decode(&plain).with_context(|| format!("`{}` is not a valid backup", file.display()))?;
    Ok(Opened { ds, age })
}

fn recipients(keys: &KeyArgs) -> agevault::WriteSecrets {
    agevault::WriteSecrets {
        passphrase_file: None,
        recipient: keys.recipient.clone(),
        armor: false,
    }
}

/// Writes `ds` back to `file` (atomically, mode 0600) when it differs from `old`, sealed
/// with the same passphrase (or to `--recipient`s) when the backup was an age file.
/// Returns whether it wrote.
fn write_back(
    file: &Path,
    opened: &Opened,
    ds: &Dataset,
    secrets: &ReadSecrets,
    keys: &KeyArgs,
    now: i64,
) -> Result<bool> {
    if ds == &opened.ds {
        return Ok(false);
    }
    let text = backup::encode(ds, env!("CARGO_PKG_VERSION"), now);
    let bytes = if opened.age {
        let w = if secrets.passphrase_file.is_some() {
            agevault::WriteSecrets {
                passphrase_file: secrets.passphrase_file.clone(),
                recipient: Vec::new(),
                armor: false,
            }
        } else {
            recipients(keys)
        };
        agevault::seal(text.as_bytes(), &w)?.context("no passphrase to re-encrypt the backup with")?
    } else {
        text.into_bytes()
    };
    agevault::write_private(file, &bytes)?;
    Ok(true)
}

/// A run's statistics for the JSON output.
#[derive(Debug, Serialize)]
struct StatsOut {
    docs_read: u64,
    docs_written: u64,
    batches: u64,
    skipped: u64,
    started_at: Value,
    last_seq: Value,
}

impl From<&Stats> for StatsOut {
    fn from(s: &Stats) -> Self {
        Self {
            docs_read: s.docs_read,
            docs_written: s.docs_written,
            batches: s.batches,
            skipped: s.skipped,
            started_at: s.started_at.clone(),
            last_seq: s.last_seq.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
struct SyncOut {
    replica: String,
    remote: String,
    pull: Option<StatsOut>,
    local_edits: u64,
    push: Option<StatsOut>,
    conflicts_waiting: usize,
    conflicts: Vec<Waiting>,
    points_flagged: usize,
    timebank_flagged: usize,
    backup_written: bool,
}

/// Options of `linli sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The backup file (read and written back).
    pub file: PathBuf,
    /// The community's database, e.g. `http://127.0.0.1:5984/community-a` (created if missing).
    #[arg(long, value_name = "URL")]
    pub remote: String,
    /// CouchDB user name (HTTP basic auth, with --password-file).
    #[arg(long, value_name = "USER", requires = "password_file")]
    pub user: Option<String>,
    /// The CouchDB user's password (first line of FILE).
    #[arg(long, value_name = "FILE", requires = "user")]
    pub password_file: Option<PathBuf>,
    /// Change rows per batch (each batch ends with a checkpoint on both sides).
    #[arg(long, default_value_t = 100)]
    pub batch_size: usize,
    /// Test hook: the connection fails after N `_bulk_docs` requests of the push.
    #[arg(long, hide = true, value_name = "N")]
    pub fail_after_writes: Option<u64>,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub secrets: ReadSecrets,
}

fn flags(ds: &Dataset) -> (usize, usize) {
    (
        merge::flag_points(&ds.points_ledger, &BTreeMap::new()).len(),
        merge::flag_timebank(&ds.timebank_ledger).len(),
    )
}

/// A backup opened for syncing: the file as read and the domain's exchange session
/// (`replication::local::Session`, the one the workspace runs).
struct Session {
    opened: Opened,
    ex: local::Session,
    who: Author,
}

/// What a sync run wrote back.
struct Finished {
    waiting: Vec<Waiting>,
    flagged: (usize, usize),
    written: bool,
}

impl Session {
    fn open(file: &Path, secrets: &ReadSecrets, key_args: &KeyArgs, now: i64) -> Result<Self> {
        let opened = open(file, secrets, key_args)?;
        let keys = keys(&opened.ds, key_args)?;
        let ex = local::Session::open(keys.0, opened.ds.clone(), &format!("backup:{}", random_hex(16)?))?;
        let who = Author {
            by: key_args.actor.clone(),
            device: key_args.device,
            at: now,
        };
        Ok(Self { opened, ex, who })
    }

    /// Renumbers colliding records and stages the backup's edits since the last run;
    /// the revisions written.
    fn stage_local(&mut self) -> Result<u64> {
        Ok(self.ex.stage(&self.who, &mut os_nonce)?)
    }

    /// Materializes the merged state and writes the backup back if it changed.
    fn finish(&self, file: &Path, secrets: &ReadSecrets, key_args: &KeyArgs, now: i64) -> Result<Finished> {
        let (ds, waiting) = self.ex.merged()?;
        let flagged = flags(&ds);
        let written = write_back(file, &self.opened, &ds, secrets, key_args, now)?;
        Ok(Finished {
            waiting,
            flagged,
            written,
        })
    }
}

fn print_json(o: &impl Serialize) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(o).context("cannot encode the stats")?
    );
    Ok(())
}

/// `linli sync`: pull, stage the backup's edits, push, write back; prints the stats.
///
/// # Errors
///
/// Anything that stops the run; a replication cut off half-way still writes what it
/// completed (checkpoints included) before reporting the error, so a rerun resumes.
pub fn run_sync(args: &SyncArgs, now: i64) -> Result<()> {
    let mut session = Session::open(&args.file, &args.secrets, &args.keys, now)?;
    let password = match &args.password_file {
        Some(p) => Some(agevault::read_passphrase(p)?),
        None => None,
    };
    let mut remote = crate::couch::connect(
        &args.remote,
        args.user.as_deref(),
        password.as_ref().map(|p| p.expose_secret()),
        args.fail_after_writes,
    )
    .map_err(|e| anyhow::anyhow!("--remote: {e}"))?;
    ready(remote.ensure_db())?;
    let mut opts = Options::new(&format!("{}-{now}-{}", session.ex.state.name, random_hex(4)?));
    opts.batch_size = args.batch_size.max(1);

    let mut failure: Option<ReplicaError> = None;
    let before_pull = session.ex.state.seq;
    let pull = match ready(replicate::replicate_async(
        &mut remote,
        &mut session.ex.state,
        &opts,
        &mut |_| {},
    )) {
        Ok(s) => Some(s),
        Err(e) => {
            failure = Some(e);
            None
        }
    };
    // What the pull wrote is on the server: the push does not ask about it again (as
    // the workspace's runs).
    let push_opts = Options {
        from_target: Some(replicate::FromTarget {
            after: before_pull,
            through: session.ex.state.seq,
        }),
        ..opts
    };
    let local_edits = session.stage_local()?;
    let push = if failure.is_none() {
        match ready(replicate::replicate_async(
            &mut session.ex.state,
            &mut remote,
            &push_opts,
            &mut |_| {},
        )) {
            Ok(s) => Some(s),
            Err(e) => {
                failure = Some(e);
                None
            }
        }
    } else {
        None
    };
    let Finished {
        waiting,
        flagged: (points_flagged, timebank_flagged),
        written,
    } = session.finish(&args.file, &args.secrets, &args.keys, now)?;
    let out = SyncOut {
        replica: session.ex.state.name.clone(),
        remote: remote.url().to_owned(),
        pull: pull.as_ref().map(StatsOut::from),
        local_edits,
        push: push.as_ref().map(StatsOut::from),
        conflicts_waiting: waiting.len(),
        conflicts: waiting,
        points_flagged,
        timebank_flagged,
        backup_written: written,
    };
    if let Some(e) = failure {
        eprintln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        bail!(
            "replication stopped: {e}. What completed is kept (backup written: {written}); run the same \
             command again to resume from the last checkpoint"
        );
    }
    print_json(&out)
}

/// `linli sync-file export`.
///
/// # Errors
///
/// Reading, keys, staging, writing.
pub fn run_export(
    file: &Path,
    peer: &str,
    out: &Path,
    key_args: &KeyArgs,
    secrets: &ReadSecrets,
    now: i64,
) -> Result<()> {
    let mut session = Session::open(file, secrets, key_args, now)?;
    let local_edits = session.stage_local()?;
    let sf = syncfile::export(&session.ex.state, peer)?;
    let text = serde_json::to_string(&sf).context("cannot encode the sync file")?;
    agevault::write_private(out, text.as_bytes())?;
    let done = session.finish(file, secrets, key_args, now)?;
    print_json(&serde_json::json!({
        "replica": session.ex.state.name, "peer": peer, "docs": sf.docs.len(), "since": sf.since, "seq": sf.seq,
        "local_edits": local_edits, "backup_written": done.written,
    }))
}

/// `linli sync-file import`: merges, never replaces.
///
/// # Errors
///
/// Reading, a file that is not a sync file or is this backup's own, keys, writing.
pub fn run_import(
    file: &Path,
    sync_file: &Path,
    key_args: &KeyArgs,
    secrets: &ReadSecrets,
    now: i64,
) -> Result<()> {
    let mut session = Session::open(file, secrets, key_args, now)?;
    let text = std::fs::read(sync_file).with_context(|| format!("cannot read `{}`", sync_file.display()))?;
    let sf: SyncFile = serde_json::from_slice(&text)
        .map_err(|e| anyhow::anyhow!("`{}` is not a linli sync file ({e})", sync_file.display()))?;
    // Every body must open before anything is written (another community's file is refused).
    for d in sf.docs.iter().filter(|d| !d.deleted) {
        session
            .ex
            .keys
            .open(&d.id, &d.body)
            .map_err(|_| SyncError::Sealed(d.id.clone()))?;
    }
    let stats = syncfile::import(&mut session.ex.state, &sf)?;
    let local_edits = session.stage_local()?;
    let done = session.finish(file, secrets, key_args, now)?;
    print_json(&serde_json::json!({
        "replica": session.ex.state.name, "from": sf.from, "written": stats.written, "already_held": stats.already_held,
        "local_edits": local_edits, "conflicts_waiting": done.waiting.len(), "conflicts": done.waiting,
        "backup_written": done.written,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_domain::demo::{generate, DemoConfig};
    use linli_domain::model::Setting;
    use linli_domain::signing::b64;

    fn keys() -> SyncKeys {
        SyncKeys::from_root(&[7; 32])
    }

    #[test]
    fn sealed_bodies_open_only_under_their_id_and_key() {
        let k = keys();
        let env = Envelope {
            store: "households".into(),
            key: "3".into(),
            by: "王".into(),
            device: 1,
            at: 5,
            record: serde_json::json!({"contact_name": "张三"}),
            merged: vec![],
        };
        let plain = serde_json::to_vec(&env).unwrap();
        let a = k.seal("doc-a", &plain).unwrap();
        let b = k.seal("doc-a", &plain).unwrap();
        assert_ne!(a, b, "a fresh nonce per seal");
        assert_eq!(k.open("doc-a", &a).unwrap(), env);
        assert_eq!(k.open("doc-b", &a), Err(SyncError::Sealed("doc-b".into())));
        assert!(SyncKeys::from_root(&[8; 32]).open("doc-a", &a).is_err());
        assert!(k.open("doc-a", "not base64!").is_err());
        assert!(
            !a.contains("张三")
                && !b64::decode(&a)
                    .unwrap()
                    .windows(6)
                    .any(|w| w == "张三".as_bytes())
        );
    }

    #[test]
    fn state_round_trips_through_the_setting_and_materializes_the_same_dataset() {
        let k = keys();
        let ds = generate(&DemoConfig {
            households: 12,
            ..DemoConfig::default()
        });
        let mut state = MemReplica::new("backup:t");
        let b = base(&k, &state).unwrap();
        let who = Author {
            by: "t".into(),
            device: 0,
            at: 1,
        };
        let n = stage(&k, &mut state, &records(&ds).unwrap(), &b, &who).unwrap();
        assert_eq!(n as usize, records(&ds).unwrap().len());
        let with = with_state(ds.clone(), &state).unwrap();
        let back = load_state(&with).unwrap();
        assert_eq!(back.docs, state.docs);
        let (m, waiting) = materialize(&k, &back, &ds).unwrap();
        let mut want = ds.clone();
        want.normalize();
        assert_eq!(m, want);
        assert!(waiting.is_empty());
        // Nothing changed: nothing staged.
        let b2 = base(&k, &back).unwrap();
        let mut again = back.clone();
        assert_eq!(
            stage(&k, &mut again, &records(&m).unwrap(), &b2, &who).unwrap(),
            0
        );
    }

    #[test]
    fn a_conflict_is_kept_through_later_edits_and_both_values_stay_in_the_tree() {
        let k = keys();
        let ds = generate(&DemoConfig {
            households: 6,
            ..DemoConfig::default()
        });
        let who = |by: &str| Author {
            by: by.into(),
            device: 0,
            at: 1,
        };
        // A founds the community; B joins by replication.
        let mut a = MemReplica::new("backup:a");
        let b0 = base(&k, &a).unwrap();
        stage(&k, &mut a, &records(&ds).unwrap(), &b0, &who("A")).unwrap();
        let mut b = MemReplica::new("backup:b");
        replicate::replicate(&mut a, &mut b, &Options::new("s1")).unwrap();
        // Both change the notes of household 0 offline.
        let edit = |r: &mut MemReplica, d: &Dataset, by: &str, notes: &str| {
            let mut d = d.clone();
            d.households[0].notes = notes.into();
            let bs = base(&k, r).unwrap();
            assert_eq!(stage(&k, r, &records(&d).unwrap(), &bs, &who(by)).unwrap(), 1);
            d
        };
        edit(&mut a, &ds, "A", "from A");
        edit(&mut b, &ds, "B", "from B");
        replicate::replicate(&mut a, &mut b, &Options::new("s2")).unwrap();
        replicate::replicate(&mut b, &mut a, &Options::new("s3")).unwrap();
        let (ma, wa) = materialize(&k, &a, &ds).unwrap();
        let (mb, wb) = materialize(&k, &b, &ds).unwrap();
        assert_eq!(ma, mb);
        assert_eq!(wa.len(), 1);
        assert_eq!(wb.len(), 1, "the conflict waits on both");
        assert_eq!(
            (wa[0].store.as_str(), wa[0].field.as_str()),
            ("households", "notes")
        );
        let mut authors = [wa[0].by_ours.clone(), wa[0].by_theirs.clone()];
        authors.sort();
        assert_eq!(authors, ["A".to_owned(), "B".to_owned()]);
        // A later edit of another field on A keeps the conflict (nothing dropped).
        let mut d = ma.clone();
        d.households[0].room = "7777".into();
        let bs = base(&k, &a).unwrap();
        assert_eq!(
            stage(&k, &mut a, &records(&d).unwrap(), &bs, &who("A")).unwrap(),
            1
        );
        let (m2, w2) = materialize(&k, &a, &ds).unwrap();
        assert_eq!(w2.len(), 1, "still waiting for a guide");
        assert_eq!(m2.households[0].room, "7777");
        let id = k.doc_id("households", &ds.households[0].id.to_string());
        let doc = a.doc(&id).unwrap();
        let live: Vec<String> = doc
            .tree
            .live_leaves()
            .iter()
            .map(|l| {
                k.open(&id, &doc.bodies[l]).unwrap().record["notes"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(live.len(), 2);
        assert!(live.contains(&"from A".to_owned()) && live.contains(&"from B".to_owned()));
    }

    #[test]
    fn a_backup_without_a_vault_needs_a_sync_key_file() {
        let ds = generate(&DemoConfig {
            households: 3,
            ..DemoConfig::default()
        });
        let args = KeyArgs {
            guide: None,
            guide_passphrase_file: None,
            recovery_file: None,
            sync_key_file: None,
            recipient: Vec::new(),
            actor: "t".into(),
            device: 0,
        };
        let e = super::keys(&ds, &args).unwrap_err();
        assert_eq!(e.downcast_ref::<SyncError>(), Some(&SyncError::NoVault));
    }

    #[test]
    fn the_vault_opens_with_a_guides_passphrase_and_not_with_a_wrong_one() {
        use linli_domain::vault::{wrap_for_guide, DataKey, KdfParams, Role};
        let dk = DataKey::from_bytes([3; 32]);
        let mut ring = Keyring::default();
        ring.put(
            wrap_for_guide(
                &dk,
                1,
                "correct horse",
                &KdfParams::insecure_for_tests([2; 16]),
                [4; 24],
            )
            .unwrap(),
        );
        let vault = serde_json::json!({
            "guides": [Guide { id: 1, name: "王芳".into(), role: Role::Guide }],
            "next_guide_id": 2, "keyring": ring, "idle_minutes": 15
        });
        let mut ds = Dataset::default();
        ds.settings.push(Setting {
            key: VAULT_SETTING.into(),
            value: vault.to_string(),
        });
        let dir = std::env::temp_dir().join(format!("linli-sync-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good");
        let bad = dir.join("bad");
        std::fs::write(&good, "correct horse\n").unwrap();
        std::fs::write(&bad, "wrong horse!\n").unwrap();
        let mut args = KeyArgs {
            guide: Some("王芳".into()),
            guide_passphrase_file: Some(good),
            recovery_file: None,
            sync_key_file: None,
            recipient: Vec::new(),
            actor: "t".into(),
            device: 0,
        };
        let k = super::keys(&ds, &args).unwrap();
        assert_eq!(
            k.doc_id("households", "1"),
            SyncKeys::from_root(&[3; 32]).doc_id("households", "1")
        );
        args.guide_passphrase_file = Some(bad);
        assert!(matches!(
            super::keys(&ds, &args).unwrap_err().downcast_ref::<SyncError>(),
            Some(SyncError::Unlock(_))
        ));
        args.guide = Some("nobody".into());
        assert!(matches!(
            super::keys(&ds, &args).unwrap_err().downcast_ref::<SyncError>(),
            Some(SyncError::NoSuchGuide(_))
        ));
    }
}
