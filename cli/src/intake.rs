//! Resident intake (issue #18) for pipelines and auditors:
//!
//! ```text
//! linli intake BACKUP PAYLOAD… --guide NAME [--at MS] [--passphrase-file F | --identity F… --recipient age1…]
//! linli intake-key BACKUP [--rotate | --delete-retired ID] [--guide NAME] [--at MS] [secrets as above]
//! linli intake-seal --recipient age1… --json FILE [--binary]
//! ```
//!
//! * `intake` opens each payload (a file, or `-` for standard input: the pasted text, ASCII
//!   armor or a binary age file) with the backup's intake keys and takes it in with the
//!   workspace's rules (`linli_domain::intake`): one line per payload on standard output,
//!   `taken in …`, `already taken in …` or `refused: <reason> (<code>)`. The backup is
//!   written back (0600, temporary file then rename) only if something changed, encrypted as
//!   it was read: with the same passphrase, or, for a backup sealed to age keys, to the
//!   `--recipient` keys given (required then: age files do not name their recipients).
//!   Exit code 1 if any payload was refused (the others are still taken in).
//! * `intake-key` prints the current intake public key (`age1…`) on standard output and the
//!   retired keys on standard error. `--rotate` makes a new key from the operating
//!   system's randomness (`age::x25519::Identity::generate`; the first key when there is
//!   none) and keeps the old one as retired; `--delete-retired ID` deletes a retired key
//!   for good (payloads sealed to it can no longer be opened). Both write the backup back
//!   with a history entry by `--guide`.
//! * `intake-seal` seals a submission's JSON (the wire format of
//!   `linli_domain::intake::submission`, checked first) to a recipient with the `age`
//!   crate (rage's library) and prints the ASCII armor: what a resident's phone sends.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use anyhow::{bail, Context as _, Result};
use clap::Args;

use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::intake::{self, IntakeKeys, IntakeOutcome, Submission};
use linli_domain::model::{AuditEntry, Millis, RequestStatus};
use linli_domain::requests::calendar::{local_datetime, local_day, WorkCalendar, SETTING_KEY as CALENDAR};
use linli_domain::requests::tracking::TrackingCode;
use linli_domain::settings::need_categories;

use crate::vault;

/// How a backup that is read and written back is encrypted.
#[derive(Debug, Args)]
pub struct Backup {
    /// The backup file (read, and written back in place when something changes).
    pub backup: PathBuf,
    #[command(flatten)]
    pub secrets: vault::ReadSecrets,
    /// For a backup sealed to age keys: the recipients to write it back to (`age1…`,
    /// repeat for every holder; age files do not name their recipients).
    #[arg(long, value_name = "AGE1…")]
    pub recipient: Vec<String>,
}

/// A backup as read: its dataset and how to write it back.
struct Opened {
    dataset: Dataset,
    write: Option<vault::WriteSecrets>,
}

impl Backup {
    fn open(&self) -> Result<Opened> {
        if self.backup.as_os_str() == "-" {
            bail!("the backup must be a file (it is written back in place), not standard input");
        }
        let name = self.backup.display().to_string();
        let bytes = std::fs::read(&self.backup).with_context(|| format!("cannot read `{name}`"))?;
        let form = vault::age_form(&bytes);
        let plain = vault::open_backup(bytes, &name, &self.secrets)?;
        let (_, dataset) =
            backup::decode(&plain).with_context(|| format!("`{name}` is not a valid backup"))?;
        let write = match form {
            None => None,
            Some(f) if f.scrypt => Some(vault::WriteSecrets {
                passphrase_file: self.secrets.passphrase_file.clone(),
                recipient: Vec::new(),
                armor: f.armor,
            }),
            Some(f) => {
                if self.recipient.is_empty() {
                    bail!(
                        "`{name}` is sealed to age keys: pass --recipient age1… for every holder, \
                         to write it back to them; nothing was read or written"
                    );
                }
                Some(vault::WriteSecrets {
                    passphrase_file: None,
                    recipient: self.recipient.clone(),
                    armor: f.armor,
                })
            }
        };
        Ok(Opened { dataset, write })
    }

    fn write(&self, opened: &Opened, at: Millis) -> Result<()> {
        let mut d = opened.dataset.clone();
        d.normalize();
        let text = backup::encode(&d, env!("CARGO_PKG_VERSION"), at);
        let bytes = match &opened.write {
            Some(w) => vault::seal(text.as_bytes(), w)?.context("no secret to encrypt with")?,
            None => {
                eprintln!(
                    "linli: warning: `{}` was an unencrypted backup and is written back unencrypted",
                    self.backup.display()
                );
                text.into_bytes()
            }
        };
        vault::write_private(&self.backup, &bytes)
    }
}

fn read_payload(p: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let limit = (intake::MAX_TEXT_BYTES + 1) as u64;
    if p.as_os_str() == "-" {
        std::io::Read::read_to_end(&mut std::io::Read::take(std::io::stdin(), limit), &mut buf)
            .context("cannot read standard input")?;
    } else {
        let f = std::fs::File::open(p).with_context(|| format!("cannot read `{}`", p.display()))?;
        std::io::Read::read_to_end(&mut std::io::Read::take(f, limit), &mut buf)
            .with_context(|| format!("cannot read `{}`", p.display()))?;
    }
    Ok(buf)
}

fn describe(d: &Dataset, out: &IntakeOutcome) -> String {
    match out {
        IntakeOutcome::Created(r) => format!(
            "taken in: request {} {} ({}, {}, due {})",
            r.id,
            TrackingCode::parse(&r.tracking_code).map_or_else(|_| r.tracking_code.clone(), |c| c.display()),
            r.category,
            r.colour.code(),
            local_datetime(r.due_at - 60_000)
        ),
        IntakeOutcome::Rated { before, request } => format!(
            "taken in: rating {}/5 of request {} ({} → {})",
            request.satisfaction.unwrap_or(0),
            request.id,
            before.code(),
            request.status.code()
        ),
        IntakeOutcome::AlreadyTakenIn { id } => {
            let status = d
                .requests
                .iter()
                .find(|r| r.id == *id)
                .map_or(RequestStatus::Received, |r| r.status);
            format!(
                "already taken in: request {id} ({}), nothing changed",
                status.code()
            )
        }
    }
}

/// `linli intake`.
pub fn run_intake(b: &Backup, payloads: &[PathBuf], guide: &str, at: Millis) -> Result<()> {
    let guide = guide.trim();
    if guide.is_empty() {
        bail!("--guide: the acting guide's name (it is recorded in the history)");
    }
    let mut opened = b.open()?;
    let d = &mut opened.dataset;
    let keys = IntakeKeys::from_settings(&d.settings)?;
    let calendar = match d.settings.iter().find(|s| s.key == CALENDAR) {
        Some(s) => WorkCalendar::from_json(&s.value).with_context(|| format!("setting `{CALENDAR}`"))?,
        None => WorkCalendar::default(),
    };
    let categories: Vec<String> = need_categories(&d.settings)?
        .into_iter()
        .map(|c| c.code)
        .collect();
    let community = intake::community_id(&d.settings);
    let mut changed = false;
    let mut refused = 0usize;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for p in payloads {
        let name = if p.as_os_str() == "-" {
            "standard input".to_owned()
        } else {
            p.display().to_string()
        };
        let text = match read_payload(p) {
            Ok(t) => t,
            Err(e) => {
                refused += 1;
                writeln!(out, "{name}: refused: {e:#} (unreadable)")?;
                continue;
            }
        };
        let ctx = intake::Context {
            community: &community,
            calendar: &calendar,
            now: at,
            categories: &categories,
            colour: None,
            household_id: None,
            device: 0,
        };
        let result = intake::open(&text, &keys)
            .and_then(|o| intake::take_in(&d.requests, &o.submission, &o.digest, &ctx));
        match result {
            Ok(outcome) => {
                let line = describe(d, &outcome);
                if intake::apply(d, &outcome, guide, at)? {
                    changed = true;
                }
                writeln!(out, "{name}: {line}")?;
            }
            Err(e) => {
                refused += 1;
                writeln!(out, "{name}: refused: {e} ({})", e.code())?;
            }
        }
    }
    out.flush()?;
    if changed {
        b.write(&opened, at)?;
    }
    if refused > 0 {
        bail!(
            "{refused} of {} payload(s) refused{}",
            payloads.len(),
            if changed {
                "; the others were taken in"
            } else {
                "; the backup is unchanged"
            }
        );
    }
    Ok(())
}

fn day_of(at: Millis) -> String {
    let (y, m, d) = linli_domain::date::civil_from_days(local_day(at));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `linli intake-key`.
pub fn run_intake_key(
    b: &Backup,
    rotate: bool,
    delete: Option<u32>,
    guide: Option<&str>,
    at: Millis,
) -> Result<()> {
    let mut opened = b.open()?;
    let d = &mut opened.dataset;
    let keys = IntakeKeys::from_settings(&d.settings)?;
    let change = if rotate {
        let id = age::x25519::Identity::generate();
        let next = keys.rotate(id.to_string().expose_secret(), &day_of(at))?;
        let n = next.current.as_ref().map_or(0, |k| k.id);
        Some((
            next,
            format!(
                "{}: key {n} made, the previous one retired",
                intake::keys::SETTING_KEY
            ),
        ))
    } else if let Some(id) = delete {
        let next = keys.delete_retired(id)?;
        Some((
            next,
            format!("{}: retired key {id} deleted", intake::keys::SETTING_KEY),
        ))
    } else {
        None
    };
    let keys = match change {
        Some((next, summary)) => {
            let Some(guide) = guide.map(str::trim).filter(|g| !g.is_empty()) else {
                bail!("--guide: the acting guide's name (changing the keys is recorded in the history)");
            };
            d.settings.retain(|s| s.key != intake::keys::SETTING_KEY);
            d.settings.push(next.to_setting());
            let id = d.audit_log.iter().map(|e| e.id).max().unwrap_or(0) + 1;
            d.audit_log.push(AuditEntry {
                id,
                at,
                actor: guide.to_owned(),
                entity: "settings".to_owned(),
                entity_id: 0,
                action: "update".to_owned(),
                summary,
            });
            b.write(&opened, at)?;
            next
        }
        None => keys,
    };
    for k in &keys.retired {
        eprintln!("retired key {} ({}, made {})", k.id, k.public, k.created);
    }
    match keys.current {
        Some(k) => {
            println!("{}", k.public);
            Ok(())
        }
        None => bail!(
            "`{}` has no intake key yet: make one with --rotate",
            b.backup.display()
        ),
    }
}

/// `linli intake-seal`.
pub fn run_intake_seal(recipient: &str, json: &Path, binary: bool) -> Result<()> {
    let plain = if json.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context("cannot read standard input")?;
        buf
    } else {
        std::fs::read(json).with_context(|| format!("cannot read `{}`", json.display()))?
    };
    // Checked and written in the canonical form the workspace reads.
    let s = Submission::decode(&plain)
        .map_err(|e| anyhow::anyhow!("`{}`: {e} ({})", json.display(), e.code()))?;
    let plain = s.encode()?;
    let to = age::x25519::Recipient::from_str(recipient.trim())
        .map_err(|_| anyhow::anyhow!("--recipient: not an age X25519 public key (age1…)"))?;
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&to as &dyn age::Recipient))
        .context("cannot set up the encryption")?;
    let mut out = Vec::new();
    let format = if binary {
        age::armor::Format::Binary
    } else {
        age::armor::Format::AsciiArmor
    };
    let armored = age::armor::ArmoredWriter::wrap_output(&mut out, format)?;
    let mut w = encryptor.wrap_output(armored)?;
    w.write_all(&plain)?;
    w.finish()?.finish()?;
    std::io::stdout().write_all(&out)?;
    Ok(())
}
