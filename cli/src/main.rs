//! `linli`: command-line tools over the domain crate, for auditors and pipelines.
//!
//! ```text
//! linli demo --seed 2026 [--households 4500] [--year 2026] [--created-at MS] --out demo.json
//!            [--passphrase-file FILE | --recipient age1…] [--armor]
//! linli score demo.json [--year 2026] [--matrix matrix.json] [--explain] [--pretty]
//! linli pb --rule mes_cost_add1_greedy FILE.pb
//! linli pb --export demo.json [--period 2026-Q4] [--budget-fen N] [--out FILE.pb]
//! linli allocate demo.json [--period 2026-Q3] [--config alloc.json] [--pretty]
//! linli publish demo.json --out public/ [--site dist/site | --data-only] [--at MS] [--url URL] [--key FILE]
//! linli verify public/ [--key VKEY] [--witness VKEY]…
//! linli keygen --out FILE [--name NAME] [--witness]
//! linli witness add STATE/ public/ --key FILE [--at SECONDS]
//! linli plans demo.json [--public [--today YYYY-MM-DD]] [--pretty]
//! linli intake demo.age PAYLOAD… --guide NAME [--at MS] [--recipient age1…]
//! linli intake-key demo.age [--rotate | --delete-retired ID] [--guide NAME] [--at MS] [--recipient age1…]
//! linli intake-seal --recipient age1… --json FILE [--binary]
//!   every command reading a backup (score, pb --export, allocate, publish, plans) also takes
//!   [--passphrase-file FILE] [--identity FILE]… [--allow-plain]
//! ```
//!
//! * `demo` writes the demo community as a backup file in exactly the app's format: the
//!   same dataset the app loads on first start (with the `initialized` setting, records in
//!   key order) encoded by `linli_domain::backup::encode`. The file's `created_at` is the
//!   system clock unless `--created-at` is given (then the output is reproducible byte for
//!   byte).
//! * `score` reads and fully validates a backup, takes the needs matrix from its
//!   `needs_matrix` setting (or the default, or `--matrix`), and prints JSON: every
//!   household's score (tenths of a point) and tier, the aggregates by building, grid and
//!   group, and the Alkire–Foster summary with H, A and M0 as exact fractions and decimals.
//!
//! * `pb` runs a participatory-budgeting rule on a pabulib `.pb` file and prints the
//!   selected project ids (as strings, sorted as pabutools sorts them) and the exact cost.
//!   With `--export`, FILE is a backup instead: the period's reviewed proposals and its
//!   ballots are written as a `.pb` file (costs and budget in fen; see
//!   `linli_domain::pb::community` for what is kept and what is left out).
//!
//! * `allocate` reads and fully validates a backup, takes the allocation configuration from
//!   its `alloc_config` setting (or the defaults, or `--config`), allocates the period's
//!   resources (default: the latest period with resources) and prints the result exactly as
//!   the app shows it (`linli_domain::alloc::AllocationResult` as JSON): per kind the pools
//!   (reserve, base, flexible), per category the base, flexible and total amounts (fen,
//!   slots or hours) with their explanation and the change against the previous period, the
//!   mismatch and utilisation indicators, the group-fairness table and the cost sharing per
//!   funder, class and category. An invalid configuration or bad data prints a message
//!   naming the setting or record and exits with code 1; nothing is written anywhere.
//!
//! * `publish` builds the public snapshot of a backup (`linli_domain::snapshot`) and writes
//!   the published folder: the dashboard's built files (`--site`, default `dist/site`),
//!   `snapshot.json`, the history `snapshots/` and the printable notice `notice.html`. If the
//!   folder already holds a publication, the new snapshot follows it in the hash chain;
//!   otherwise it follows the backup's own published snapshots (what the app published),
//!   so the app and the CLI write the same snapshot from the same data and time. A history
//!   that does not verify or a snapshot that breaks a privacy rule stops it before any file
//!   is written; so does a folder whose history disagrees with the backup's own published
//!   snapshots (the message names the first sequence that differs). With a publishing key
//!   (the backup's `publishing_key` setting, or `--key FILE` from `linli keygen`) the
//!   folder gets the signed checkpoints (`checkpoint`, `publishing-key.vkey`,
//!   `snapshots/*.checkpoint`); a witness's cosignature lines on an unchanged checkpoint are
//!   kept. It prints `{"sequence", "sha256", "fingerprint", …}`.
//! * `verify` checks a published folder: every listed snapshot's hash, the chain (sequence,
//!   previous hash, times), that `snapshot.json` is the latest, and the privacy rules
//!   (`linli_domain::snapshot::privacy`) on each snapshot. Exit code 1 with every problem
//!   found on standard error. It reads only regular files inside the folder (no symbolic
//!   link, device or FIFO), at most 64 MiB per file and 1 GiB in all (`verify.rs`). It checks
//!   the signed checkpoints when present and prints the key's fingerprint (compare it with
//!   the printed notice), or `"signature": "not signed"`; `--key VKEY` requires that key,
//!   `--witness VKEY` a valid cosignature of that witness on the head. A folder without its
//!   history index whose snapshot is not the first is "not verifiable".
//! * `keygen` and `witness`: see `signing.rs`.
//! * `intake`, `intake-key`, `intake-seal`: resident intake (payloads sealed on residents'
//!   phones, the community's intake keys); see `intake.rs`.
//!
//! * `plans` reads and fully validates a backup (a version-1 backup's plans are converted as
//!   the app converts them) and prints every plan, by id, with its whole life cycle as JSON:
//!   stage and history (every transition: who, when, what, why), notices with their dates,
//!   objections and responses, the three approval levels, every spending entry (reversals
//!   included) with the net spent by funder, budget changes, milestones, final accounts and
//!   evaluation, plus the number of plans per stage. `--public` prints only what a snapshot
//!   may publish of each plan (`PlanCase::public_view`, notice countdowns as of `--today`,
//!   default the backup's day). See `plans.rs` for the shape.
//!
//! * Encrypted backups (`vault.rs`): with `--passphrase-file FILE` (the passphrase is the
//!   file's first line; age's scrypt mode) or `--recipient age1…` (repeatable; X25519 keys
//!   from `age-keygen`, e.g. the community's and the street office's) `demo` writes a
//!   standard age file (binary, or ASCII armor with `--armor`) that `age -d`/`rage -d`
//!   open. Backup files are always created with mode 0600 (temporary file, then rename).
//!   Without either flag the demo is written as plain JSON with a note on standard error:
//!   acceptable only because the demo is synthetic; real backups must be encrypted.
//!   Reading, an age file is recognised by its header and decrypted with
//!   `--passphrase-file` or `--identity FILE` (age identity file); a missing secret names
//!   the flag to pass, and a wrong secret or a changed, cut or re-sealed file stops the
//!   command before anything is written or printed. A plain JSON backup (the legacy
//!   format) is still read, with a warning on standard error that it is unencrypted and
//!   unauthenticated; `--allow-plain` silences it. Secrets come from files only.
//!
//! `-` as a file name means standard output (`demo --out -`) or standard input (`score -`).
//! Errors go to standard error, with exit code 1 (2 for a wrong command line).

use std::fs;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use serde::Serialize;

use linli_domain::alloc;
use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::date::civil_from_days;
use linli_domain::demo::{self, DemoConfig};
use linli_domain::model::Setting;
use linli_domain::needs::{self, af, Aggregates, NeedsMatrix, Scorer};
use linli_domain::pb;

mod couch;
mod intake;
mod plans;
mod redact;
mod signing;
mod sync;
mod vault;
mod verify;

/// The setting key the app writes on first start.
const INITIALIZED_KEY: &str = "initialized";

#[derive(Debug, Parser)]
#[command(
    name = "linli",
    version,
    about = "Linli command-line tools: demo backups, needs scores, participatory budgeting, allocation, plans"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the demo community as a backup file, exactly as the app would export it.
    Demo {
        /// Seed of the demo generator (the app uses 2026).
        #[arg(long)]
        seed: u64,
        /// Number of households.
        #[arg(long, default_value_t = DemoConfig::default().households)]
        households: u32,
        /// Reference year of the demo (ages, activities).
        #[arg(long, default_value_t = DemoConfig::default().year)]
        year: i64,
        /// `created_at` of the backup, ms since the Unix epoch (default: now).
        #[arg(long, value_name = "MS")]
        created_at: Option<i64>,
        /// Where to write the backup (`-` for standard output); a file is created with mode
        /// 0600. Without --passphrase-file or --recipient it is plain JSON: allowed only
        /// because the demo is synthetic (no real resident); encrypt every real backup.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        secrets: vault::WriteSecrets,
    },
    /// Score every household of a backup with its needs matrix and print JSON.
    Score {
        /// The backup file (`-` for standard input).
        file: PathBuf,
        /// Year ages are counted in (default: the year of the backup's `created_at`, UTC).
        #[arg(long)]
        year: Option<i64>,
        /// Use this matrix JSON instead of the backup's `needs_matrix` setting.
        #[arg(long, value_name = "FILE")]
        matrix: Option<PathBuf>,
        /// Add every household's explanation (indicators and contributions).
        #[arg(long)]
        explain: bool,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
        #[command(flatten)]
        secrets: vault::ReadSecrets,
    },
    /// Run a participatory-budgeting rule on a pabulib `.pb` file and print
    /// `{"selected": [ids], "cost": "<exact total>"}`.
    Pb {
        /// greedy_cost, greedy_card, mes_cost, mes_card, mes_cost_add1,
        /// mes_cost_add1_greedy (or equalshares_add1).
        #[arg(long, required_unless_present = "export", conflicts_with = "export")]
        rule: Option<String>,
        /// Write a backup's proposals and ballots of one period as a `.pb` file.
        #[arg(long)]
        export: bool,
        /// With --export: the period (default: the latest period with proposals).
        #[arg(long, requires = "export")]
        period: Option<String>,
        /// With --export: the budget in fen (default: the backup's `pb_budgets` setting).
        #[arg(long, requires = "export", value_name = "FEN")]
        budget_fen: Option<i64>,
        /// With --export: where to write the `.pb` file (`-`, the default, is standard output).
        #[arg(long, requires = "export", default_value = "-")]
        out: PathBuf,
        /// The `.pb` file, or with --export the backup file (`-` for standard input).
        file: PathBuf,
        #[command(flatten)]
        secrets: vault::ReadSecrets,
    },
    /// Allocate a period's resources of a backup (pools, categories, funders) and print JSON.
    Allocate {
        /// The backup file (`-` for standard input).
        file: PathBuf,
        /// The quarter, `YYYY-Qn` (default: the latest period with resources).
        #[arg(long, value_name = "YYYY-Qn")]
        period: Option<String>,
        /// Use this configuration JSON instead of the backup's `alloc_config` setting.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
        #[command(flatten)]
        secrets: vault::ReadSecrets,
    },
    /// Build the public snapshot of a backup and write the published folder.
    Publish {
        /// The backup file (`-` for standard input).
        file: PathBuf,
        /// The folder to write (created if missing). If it holds an earlier publication, the
        /// new snapshot follows it; else it follows the backup's own published snapshots.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The dashboard's built files to copy into the folder (`trunk build` output of
        /// `dashboard/`).
        #[arg(long, value_name = "DIR", default_value = "dist/site")]
        site: PathBuf,
        /// Write only the snapshot, history and notice, not the dashboard's files.
        #[arg(long, conflicts_with = "site")]
        data_only: bool,
        /// Publication time, ms since the Unix epoch (default: now).
        #[arg(long, value_name = "MS")]
        at: Option<i64>,
        /// The dashboard's public address for the notice's QR code (default: the backup's
        /// `public_url` setting).
        #[arg(long)]
        url: Option<String>,
        /// The allocation period, `YYYY-Qn` (default: the latest with resources).
        #[arg(long, value_name = "YYYY-Qn")]
        period: Option<String>,
        /// Sign with this key file (`linli keygen`) instead of the backup's
        /// `publishing_key` setting.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        #[command(flatten)]
        secrets: vault::ReadSecrets,
    },
    /// Verify a published folder: every snapshot's hash, the chain, the privacy rules and
    /// the signed checkpoints.
    Verify {
        /// The published folder.
        dir: PathBuf,
        /// The community's publishing key (vkey text): the folder must be signed by it.
        #[arg(long, value_name = "VKEY")]
        key: Option<String>,
        /// A witness's key (vkey text): its cosignature on the head is required.
        #[arg(long, value_name = "VKEY")]
        witness: Vec<String>,
    },
    /// Redact one published free-text field (e.g. `plans/3/title`) from a published folder,
    /// in place: the text and its salt are removed, its commitment kept, so every hash and
    /// signature still verifies and the dashboard shows "redacted on DATE".
    Redact {
        /// The published folder.
        dir: PathBuf,
        /// The field's path, as the publish refusal or the workspace names it
        /// (`plans/3/title`, `plans/3/objections/0/summary`, `pb/5/projects/13/title`, …).
        #[arg(long, value_name = "PATH")]
        field: String,
        /// The snapshot's sequence number (default: every snapshot showing a text there).
        #[arg(long, value_name = "N")]
        sequence: Option<u32>,
        /// The day recorded, `YYYY-MM-DD` (default: today, China time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<String>,
    },
    /// Make a signing key from the system's randomness: write it to FILE (mode 0600, never
    /// over an existing file) and print its vkey and fingerprint.
    Keygen {
        /// Where to write the private key.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The key's name (a witness's: a schema-less URL such as `street.example/witness`;
        /// a publishing key is renamed after the community when it signs).
        #[arg(long, default_value = "linli/community")]
        name: String,
        /// A witness's cosigning key (tlog-cosignature) instead of a publishing key.
        #[arg(long)]
        witness: bool,
    },
    /// A witness (e.g. the street office): cosign new heads of a community's published
    /// history, refusing a rewritten, rolled back or forked one.
    Witness {
        #[command(subcommand)]
        command: WitnessCommand,
    },
    /// Take residents' sealed payloads (requests, ratings) into a backup, with the
    /// workspace's rules; one line per payload; exit code 1 if any is refused.
    Intake {
        #[command(flatten)]
        backup: intake::Backup,
        /// Payload files (ASCII armor as pasted, or binary age); `-` for standard input.
        #[arg(required = true, value_name = "PAYLOAD")]
        payloads: Vec<PathBuf>,
        /// The acting guide, recorded in the history of every change.
        #[arg(long, value_name = "NAME")]
        guide: String,
        /// The time of taking in, ms since the Unix epoch (default: now).
        #[arg(long, value_name = "MS")]
        at: Option<i64>,
    },
    /// Print the backup's current intake public key (age1…); rotate it or delete a
    /// retired one.
    IntakeKey {
        #[command(flatten)]
        backup: intake::Backup,
        /// Make a new key (the first one if there is none); the old one is kept, retired,
        /// to open late payloads.
        #[arg(long, conflicts_with = "delete_retired")]
        rotate: bool,
        /// Delete the retired key with this id: payloads sealed to it can no longer be
        /// opened.
        #[arg(long, value_name = "ID")]
        delete_retired: Option<u32>,
        /// The acting guide (required with --rotate and --delete-retired).
        #[arg(long, value_name = "NAME")]
        guide: Option<String>,
        /// The time of the change, ms since the Unix epoch (default: now).
        #[arg(long, value_name = "MS")]
        at: Option<i64>,
    },
    /// Seal a submission's JSON (format linli-intake, version 1) to an intake key and
    /// print the ASCII armor a resident's phone would send.
    IntakeSeal {
        /// The community's intake public key (age1…).
        #[arg(long, value_name = "AGE1…")]
        recipient: String,
        /// The submission JSON (`-` for standard input).
        #[arg(long, value_name = "FILE")]
        json: PathBuf,
        /// Write a binary age file instead of ASCII armor.
        #[arg(long)]
        binary: bool,
    },
    /// Print every plan of a backup with its life cycle as JSON.
    ///
    /// Output: {"file": {app_version, created_at, format_version, schema_version},
    /// "by_stage": {draft, notice, council, assessment, street_review, execution,
    /// change_notice, accounts, closed: counts}, "plans": [...]}, plans by id. Each plan:
    /// id, title, category, period, description, stage, stage_since, guide,
    /// internal_notes, budget (by funder), baseline, spent (net by funder and total),
    /// progress, history (every transition: seq, actor, at, on, from, to, event, reason),
    /// notices (start, days, last_day, closes_from, ended), objections (with internal
    /// text and response), unanswered_objections, approvals (council vote, assessment,
    /// street review, each with date and decision), spending (every entry, reversals
    /// included), budget_changes, milestones, accounts and evaluation (null until drawn).
    Plans {
        /// The backup file (`-` for standard input).
        file: PathBuf,
        /// Print only what a snapshot may publish of each plan (no guide, internal notes,
        /// objections' internal texts, actors, assessor or approver); plans never put on
        /// notice are left out.
        #[arg(long)]
        public: bool,
        /// With --public: the day notice countdowns are counted from (default: the day of
        /// the backup's `created_at`, China time).
        #[arg(long, value_name = "YYYY-MM-DD", requires = "public")]
        today: Option<String>,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
        #[command(flatten)]
        secrets: vault::ReadSecrets,
    },
    /// Replicate a backup with a CouchDB database both ways (pull, then push) and write the
    /// merged backup back (only if something changed); prints the stats as JSON.
    Sync(Box<sync::SyncArgs>),
    /// Exchange changes with a peer by file, without a server (import merges, never replaces).
    #[command(subcommand)]
    SyncFile(SyncFileCommand),
}

#[derive(Debug, Subcommand)]
enum SyncFileCommand {
    /// Write the changes PEER has not acknowledged yet to FILE (the backup's own edits are
    /// recorded first).
    Export {
        /// The backup file.
        file: PathBuf,
        /// The peer's sync id (`replica` in its `linli sync`/`sync-file` output); any name
        /// works, a name never acknowledged gets every change.
        #[arg(long)]
        peer: String,
        /// The sync file to write (mode 0600).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        keys: sync::KeyArgs,
        #[command(flatten)]
        secrets: vault::ReadSecrets,
    },
    /// Merge a peer's sync file into the backup (never replaces; importing twice writes nothing).
    Import {
        /// The backup file.
        file: PathBuf,
        /// The sync file.
        sync_file: PathBuf,
        #[command(flatten)]
        keys: sync::KeyArgs,
        #[command(flatten)]
        secrets: vault::ReadSecrets,
    },
}

#[derive(Debug, Subcommand)]
enum WitnessCommand {
    /// Verify FOLDER and cosign its head if it extends the head last cosigned for that
    /// community (kept in STATE).
    Add {
        /// The witness's state folder (one log per community).
        state: PathBuf,
        /// The published folder.
        folder: PathBuf,
        /// The witness's key file (`linli keygen --witness`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Cosignature time, seconds since the Unix epoch (default: now).
        #[arg(long, value_name = "SECONDS")]
        at: Option<u64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo {
            seed,
            households,
            year,
            created_at,
            out,
            secrets,
        } => run_demo(seed, households, year, created_at, &out, &secrets),
        Command::Score {
            file,
            year,
            matrix,
            explain,
            pretty,
            secrets,
        } => run_score(&file, year, matrix.as_deref(), explain, pretty, &secrets),
        Command::Pb {
            rule: Some(rule),
            file,
            ..
        } => run_pb(&rule, &file),
        Command::Pb {
            rule: None,
            file,
            period,
            budget_fen,
            out,
            secrets,
            ..
        } => run_pb_export(&file, period.as_deref(), budget_fen, &out, &secrets),
        Command::Allocate {
            file,
            period,
            config,
            pretty,
            secrets,
        } => run_allocate(&file, period.as_deref(), config.as_deref(), pretty, &secrets),
        Command::Publish {
            file,
            out,
            site,
            data_only,
            at,
            url,
            period,
            key,
            secrets,
        } => run_publish(
            &file,
            &out,
            (!data_only).then_some(site.as_path()),
            at,
            url,
            period,
            key.as_deref(),
            &secrets,
        ),
        Command::Verify { dir, key, witness } => verify::run(&dir, key.as_deref(), &witness),
        Command::Redact {
            dir,
            field,
            sequence,
            at,
        } => now_millis().and_then(|now| redact::run(&dir, &field, sequence, at, now)),
        Command::Keygen { out, name, witness } => signing::keygen(&out, &name, witness),
        Command::Witness {
            command:
                WitnessCommand::Add {
                    state,
                    folder,
                    key,
                    at,
                },
        } => signing::witness_add(&state, &folder, &key, at),
        Command::Plans {
            file,
            public,
            today,
            pretty,
            secrets,
        } => plans::run(&file, public, today.as_deref(), pretty, &secrets),
        Command::Sync(args) => now_millis().and_then(|now| sync::run_sync(&args, now)),
        Command::SyncFile(SyncFileCommand::Export {
            file,
            peer,
            out,
            keys,
            secrets,
        }) => now_millis().and_then(|now| sync::run_export(&file, &peer, &out, &keys, &secrets, now)),
        Command::SyncFile(SyncFileCommand::Import {
            file,
            sync_file,
            keys,
            secrets,
        }) => now_millis().and_then(|now| sync::run_import(&file, &sync_file, &keys, &secrets, now)),
        Command::Intake {
            backup,
            payloads,
            guide,
            at,
        } => at
            .map_or_else(now_millis, Ok)
            .and_then(|at| intake::run_intake(&backup, &payloads, &guide, at)),
        Command::IntakeKey {
            backup,
            rotate,
            delete_retired,
            guide,
            at,
        } => at
            .map_or_else(now_millis, Ok)
            .and_then(|at| intake::run_intake_key(&backup, rotate, delete_retired, guide.as_deref(), at)),
        Command::IntakeSeal {
            recipient,
            json,
            binary,
        } => intake::run_intake_seal(&recipient, &json, binary),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`linli score x | head`): nothing left to say.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("linli: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
    })
}

/// The demo dataset exactly as the app stores it on first start.
fn demo_dataset(seed: u64, households: u32, year: i64) -> Dataset {
    let mut d = demo::generate(&DemoConfig {
        seed,
        households,
        year,
    });
    d.settings.push(Setting {
        key: INITIALIZED_KEY.to_owned(),
        value: "true".to_owned(),
    });
    d.normalize();
    d
}

fn now_millis() -> Result<i64> {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    i64::try_from(d.as_millis()).context("the system clock is out of range")
}

fn is_stdio(p: &std::path::Path) -> bool {
    p.as_os_str() == "-"
}

fn run_demo(
    seed: u64,
    households: u32,
    year: i64,
    created_at: Option<i64>,
    out: &std::path::Path,
    secrets: &vault::WriteSecrets,
) -> Result<()> {
    if households == 0 {
        bail!("--households must be at least 1");
    }
    let created_at = match created_at {
        Some(ms) => ms,
        None => now_millis()?,
    };
    let d = demo_dataset(seed, households, year);
    let text = backup::encode(&d, env!("CARGO_PKG_VERSION"), created_at);
    let bytes = match vault::seal(text.as_bytes(), secrets)? {
        Some(sealed) => sealed,
        None => {
            eprintln!(
                "linli: note: the demo backup is written unencrypted (synthetic demo data, no real \
                 resident); encrypt real backups with --passphrase-file FILE or --recipient age1…"
            );
            text.into_bytes()
        }
    };
    if is_stdio(out) {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&bytes)
            .and_then(|()| stdout.flush())
            .context("cannot write to standard output")?;
    } else {
        vault::write_private(out, &bytes)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct PbOut {
    selected: Vec<String>,
    cost: String,
}

fn run_pb(rule: &str, file: &std::path::Path) -> Result<()> {
    let Some(rule) = pb::Rule::from_name(rule) else {
        bail!("unknown rule `{rule}`");
    };
    let bytes = read_input(file)?;
    let text = String::from_utf8(bytes).context("the .pb file is not UTF-8")?;
    let instance =
        pb::Instance::from_pb_str(&text).with_context(|| format!("cannot read `{}`", file.display()))?;
    // The instance holds its own copy: free the file before running the rule.
    drop(text);
    // `pb::run` is safe on any file that parses: bounded amounts, Add1 jumps, a run cap.
    let outcome = pb::run(&instance, rule).map_err(|e| anyhow::anyhow!("{e}"))?;
    let out = PbOut {
        selected: outcome.selected.iter().map(|p| p.as_str().to_owned()).collect(),
        cost: pb::format_rational(&outcome.total_cost),
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &out)?;
    writeln!(stdout)?;
    Ok(())
}

fn run_pb_export(
    file: &std::path::Path,
    period: Option<&str>,
    budget_fen: Option<i64>,
    out: &std::path::Path,
    secrets: &vault::ReadSecrets,
) -> Result<()> {
    let bytes = read_backup(file, secrets)?;
    let (_, d) = backup::decode(&bytes)
        .with_context(|| format!("`{}` is not a valid Linli backup", file.display()))?;
    let period = match period {
        Some(p) => p.to_owned(),
        None => d
            .proposals
            .iter()
            .map(|p| p.period.clone())
            .max()
            .context("the backup has no proposals")?,
    };
    let built = pb::community::instance_for_period(&d, &period, budget_fen)?;
    let text = built.instance.to_pb_string()?;
    if built.dropped_approvals > 0 {
        eprintln!(
            "note: {} approvals of proposals that did not pass review were left out",
            built.dropped_approvals
        );
    }
    if is_stdio(out) {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .context("cannot write to standard output")?;
    } else {
        fs::write(out, text.as_bytes()).with_context(|| format!("cannot write `{}`", out.display()))?;
    }
    Ok(())
}

fn read_input(file: &std::path::Path) -> Result<Vec<u8>> {
    if is_stdio(file) {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        Ok(buf)
    } else {
        fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))
    }
}

/// Reads a backup file (`-`: standard input): decrypted if it is an age file, a legacy
/// plain one with a warning (see `vault.rs`).
fn read_backup(file: &std::path::Path, secrets: &vault::ReadSecrets) -> Result<Vec<u8>> {
    let bytes = read_input(file)?;
    let name = if is_stdio(file) {
        "standard input".to_owned()
    } else {
        file.display().to_string()
    };
    vault::open_backup(bytes, &name, secrets)
}

#[derive(Serialize)]
struct FileInfo<'a> {
    app_version: &'a str,
    created_at: i64,
    households: usize,
}

#[derive(Serialize)]
struct ScoreOut<'a> {
    file: FileInfo<'a>,
    /// `year`, `matrix_source`, `tiers` and `households`: the shape the app exports too.
    #[serde(flatten)]
    scores: needs::ScoresExport<'a>,
    aggregates: Aggregates,
    af: af::AfResult,
}

fn year_of_millis(ms: i64) -> i64 {
    civil_from_days(ms.div_euclid(86_400_000)).0
}

fn run_score(
    file: &std::path::Path,
    year: Option<i64>,
    matrix_file: Option<&std::path::Path>,
    explain: bool,
    pretty: bool,
    secrets: &vault::ReadSecrets,
) -> Result<()> {
    let bytes = read_backup(file, secrets)?;
    let (header, d) = backup::decode(&bytes)
        .with_context(|| format!("`{}` is not a valid Linli backup", file.display()))?;
    let (matrix, matrix_source) = match matrix_file {
        Some(p) => {
            let text = fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()))?;
            let m =
                NeedsMatrix::from_json(&text).with_context(|| format!("matrix file `{}`", p.display()))?;
            (m, "file")
        }
        None => {
            let present = d.settings.iter().any(|s| s.key == needs::SETTING_KEY);
            let m = NeedsMatrix::from_settings(&d.settings)?;
            (m, if present { "setting" } else { "default" })
        }
    };
    let year = year.unwrap_or_else(|| year_of_millis(header.created_at));
    let scorer = Scorer::new(&matrix)?;
    let scores = scorer.score_all(&d.households, year);
    let aggregates = needs::aggregate(&d.households, &scores, &d.buildings)?;
    let af_scorer = af::AfScorer::new(&matrix.af)?;
    let af_households = af_scorer.households(&d.households, year);
    let af_result = af::summarise(&matrix.af, &d.households, &af_households, &d.buildings);
    let mut households = needs::household_rows(&d.households, &d.buildings, &scores, &af_households)?;
    if explain {
        for (row, h) in households.iter_mut().zip(&d.households) {
            row.explanation = Some(scorer.explain(h, year));
        }
    }
    let out = ScoreOut {
        file: FileInfo {
            app_version: &header.app_version,
            created_at: header.created_at,
            households: d.households.len(),
        },
        scores: needs::ScoresExport {
            year,
            matrix_source,
            tiers: matrix.tiers,
            households,
        },
        aggregates,
        af: af_result,
    };
    let mut stdout = std::io::stdout().lock();
    if pretty {
        serde_json::to_writer_pretty(&mut stdout, &out)
    } else {
        serde_json::to_writer(&mut stdout, &out)
    }
    .context("cannot write the result")?;
    writeln!(stdout)
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")?;
    Ok(())
}

fn run_allocate(
    file: &std::path::Path,
    period: Option<&str>,
    config_file: Option<&std::path::Path>,
    pretty: bool,
    secrets: &vault::ReadSecrets,
) -> Result<()> {
    let bytes = read_backup(file, secrets)?;
    let (_, d) = backup::decode(&bytes)
        .with_context(|| format!("`{}` is not a valid Linli backup", file.display()))?;
    let config = match config_file {
        Some(p) => {
            let text = fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()))?;
            alloc::AllocConfig::from_json(&text)
                .with_context(|| format!("configuration file `{}`", p.display()))?
        }
        None => alloc::AllocConfig::from_dataset(&d)?,
    };
    let period = match period {
        Some(p) => p.to_owned(),
        None => match alloc::latest_period(&d) {
            Some(p) => p,
            None => bail!("the backup has no resources with a period (YYYY-Qn) to allocate"),
        },
    };
    let result = alloc::allocate(&d, &config, &period)?;
    let mut stdout = std::io::stdout().lock();
    if pretty {
        serde_json::to_writer_pretty(&mut stdout, &result)
    } else {
        serde_json::to_writer(&mut stdout, &result)
    }
    .context("cannot write the result")?;
    writeln!(stdout)
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")?;
    Ok(())
}

/// Reads `rel` (a `/`-separated path from a history index) inside `dir`, refusing
/// anything that could leave it.
fn read_inside(dir: &std::path::Path, rel: &str) -> Option<Vec<u8>> {
    if rel.is_empty()
        || rel.starts_with('/')
        || rel.contains('\\')
        || rel.split('/').any(|c| c.is_empty() || c == "." || c == "..")
    {
        return None;
    }
    fs::read(dir.join(rel)).ok()
}

// The command's options, one by one: a struct would only rename them.
#[allow(clippy::too_many_arguments)]
fn run_publish(
    file: &std::path::Path,
    out: &std::path::Path,
    site: Option<&std::path::Path>,
    at: Option<i64>,
    url: Option<String>,
    period: Option<String>,
    key: Option<&std::path::Path>,
    secrets: &vault::ReadSecrets,
) -> Result<()> {
    use linli_domain::snapshot::prepare::{self, PrepareError, PrepareOptions};
    use linli_domain::snapshot::publish;
    let bytes = read_backup(file, secrets)?;
    let (_, mut d) = backup::decode(&bytes)
        .with_context(|| format!("`{}` is not a valid Linli backup", file.display()))?;
    if let Some(k) = key {
        // The key file's seed, as the setting would hold it: the same code signs.
        let seed = signing::read_key(k)?.seed();
        d.settings
            .retain(|s| s.key != linli_domain::signing::PUBLISHING_KEY_SETTING);
        d.settings.push(Setting {
            key: linli_domain::signing::PUBLISHING_KEY_SETTING.to_owned(),
            value: serde_json::to_string(&linli_domain::signing::seed_to_hex(&seed))?,
        });
    }
    if let Some(site) = site {
        if !site.join("index.html").is_file() {
            bail!(
                "the dashboard's files are not in `{}` (no index.html): build them with `bash scripts/build.sh`, \
                 pass --site DIR, or use --data-only",
                site.display()
            );
        }
    }
    // History: the folder's own and the backup's published snapshots, which must agree.
    let folder_history: Option<Vec<Vec<u8>>> = match read_inside(out, publish::INDEX_PATH) {
        Some(index) => {
            let index: publish::HistoryIndex = serde_json::from_slice(&index)
                .with_context(|| format!("`{}` has a damaged {}", out.display(), publish::INDEX_PATH))?;
            let mut files = Vec::new();
            for e in &index.snapshots {
                match read_inside(out, &e.file) {
                    Some(b) => files.push(b),
                    None => bail!(
                        "`{}`: {} is listed in the history but missing",
                        out.display(),
                        e.file
                    ),
                }
            }
            Some(files)
        }
        None => None,
    };
    let history = signing::agreed_history(out, folder_history, prepare::stored_history(&d))?;
    let at = match at {
        Some(a) => a,
        None => now_millis()?,
    };
    let opts = PrepareOptions {
        at,
        period,
        url: url.or_else(|| prepare::public_url(&d)),
    };
    let publication = match prepare::prepare(&d, &history, &opts) {
        Ok(p) => p,
        Err(PrepareError::History(e)) => {
            return Err(anyhow::Error::new(e)
                .context("the earlier snapshots do not verify; nothing was written".to_owned()))
        }
        Err(PrepareError::Privacy(violations)) => {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            bail!(
                "the snapshot breaks privacy rules; nothing was written:\n  {}",
                list.join("\n  ")
            );
        }
        Err(PrepareError::Url(u)) => {
            bail!("--url / setting `public_url`: `{u}` is not an absolute http(s) address")
        }
        Err(PrepareError::Build(e)) => return Err(e.into()),
        Err(PrepareError::Folder(e)) => return Err(e.into()),
        Err(PrepareError::Key(e)) => bail!("setting `publishing_key`: {e}; nothing was written"),
        Err(PrepareError::FreeText(hits)) => {
            let list: Vec<String> = hits.iter().map(ToString::to_string).collect();
            bail!(
                "free text holds personal data (reword these fields in the app); nothing was written:\n  {}",
                list.join("\n  ")
            );
        }
    };
    let prepare::Publication {
        content,
        sha256: hash,
        files,
        ..
    } = publication;
    fs::create_dir_all(out.join("snapshots"))
        .with_context(|| format!("cannot create `{}`", out.display()))?;
    if let Some(site) = site {
        copy_dir(site, out)?;
    }
    // The page's first view (title, lead, headline figures) written into index.html.
    let index_path = out.join("index.html");
    if let Ok(html) = fs::read_to_string(&index_path) {
        fs::write(&index_path, publish::prerender_index(&html, &content))
            .with_context(|| format!("cannot write `{}`", index_path.display()))?;
    }
    // The snapshot itself last, so a reader never sees a snapshot without its history.
    let (last, rest): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| f.path == publish::SNAPSHOT_PATH);
    let mut fingerprint = None;
    for f in rest.iter().chain(&last) {
        let path = out.join(&f.path);
        let tmp = path.with_extension("tmp");
        let bytes = if f.path.ends_with("checkpoint") {
            // A witness's cosignatures on an unchanged checkpoint are kept.
            signing::keep_cosignatures(&f.bytes, read_inside(out, &f.path).as_deref())
        } else {
            if f.path == publish::VKEY_PATH {
                fingerprint = linli_domain::signing::VerifierKey::parse(&String::from_utf8_lossy(&f.bytes))
                    .ok()
                    .map(|k| k.fingerprint());
            }
            f.bytes.clone()
        };
        fs::write(&tmp, &bytes).with_context(|| format!("cannot write `{}`", tmp.display()))?;
        fs::rename(&tmp, &path).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let summary = serde_json::json!({
        "out": out.display().to_string(),
        "sequence": content.sequence,
        "sha256": hash,
        "previous_sha256": content.previous_sha256,
        "period": content.period,
        "fingerprint": fingerprint,
    });
    println!("{summary}");
    Ok(())
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("cannot create `{}`", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("cannot read `{}`", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot write `{}`", target.display()))?;
        }
    }
    Ok(())
}
