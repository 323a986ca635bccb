//! A witness (e.g. the street office) keeps, for each community's log, the newest head it
//! has cosigned, and cosigns a new head only if it extends that one: the history it saw
//! cannot be rewritten, rolled back or forked without the witness refusing.
//!
//! The decision is pure ([`check_extension`]); `linli witness` reads the folder, verifies
//! the chain and the community's signature, asks this module, then writes the
//! cosignature and the new [`WitnessLog`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One head the witness cosigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeenHead {
    pub sequence: u64,
    /// The head snapshot's SHA-256, hex.
    pub sha256: String,
    /// When it was cosigned, POSIX seconds.
    pub cosigned_at: u64,
}

/// What a witness keeps for one community's log: its publishing key and every head it
/// cosigned, oldest first (the last is the newest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessLog {
    pub format: String,
    pub origin: String,
    /// The community's publishing key (vkey text), trusted on first use.
    pub vkey: String,
    pub heads: Vec<SeenHead>,
}

/// `format` of a [`WitnessLog`] file.
pub const LOG_FORMAT: &str = "linli-witness-log";

impl WitnessLog {
    /// A log that has seen nothing yet.
    pub fn new(origin: &str, vkey: &str) -> Self {
        Self {
            format: LOG_FORMAT.to_owned(),
            origin: origin.to_owned(),
            vkey: vkey.to_owned(),
            heads: Vec::new(),
        }
    }

    /// The newest head cosigned.
    pub fn newest(&self) -> Option<&SeenHead> {
        self.heads.last()
    }

    /// Records a cosigned head (the same head again only updates its time).
    pub fn record(&mut self, sequence: u64, sha256: &str, cosigned_at: u64) {
        match self.heads.last_mut() {
            Some(h) if h.sequence == sequence && h.sha256 == sha256 => h.cosigned_at = cosigned_at,
            _ => self.heads.push(SeenHead {
                sequence,
                sha256: sha256.to_owned(),
                cosigned_at,
            }),
        }
    }
}

/// The file name of an origin's log in the witness's state folder: the origin with
/// anything but ASCII letters, digits, `-` and `.` as `_`, then `-` and 8 hex digits of
/// its SHA-256 (two origins never share a file), then `.json`.
///
/// ```
/// use linli_domain::signing::witness::log_file_name;
/// let a = log_file_name("linli/a-b");
/// assert!(a.starts_with("linli_a-b-") && a.ends_with(".json"));
/// assert_ne!(a, log_file_name("linli_a-b"));
/// ```
pub fn log_file_name(origin: &str) -> String {
    let safe: String = origin
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let d = Sha256::digest(origin.as_bytes());
    format!("{safe}-{:02x}{:02x}{:02x}{:02x}.json", d[0], d[1], d[2], d[3])
}

/// Why a witness refuses to cosign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The folder is signed by another key than the one the witness knows.
    #[error("the publishing key changed: the witness knows {stored}, the folder is signed by {found}")]
    KeyChanged { stored: String, found: String },
    /// The head is older than the newest the witness cosigned.
    #[error("rollback: the witness has cosigned sequence {stored}, the folder's head is sequence {found}")]
    Rollback { stored: u64, found: u64 },
    /// Same sequence, other hash: the head was rewritten.
    #[error("rewritten history: sequence {sequence} was cosigned with hash {stored}, the folder's head has hash {found}")]
    Rewritten {
        sequence: u64,
        stored: String,
        found: String,
    },
    /// A newer head whose chain does not hold the head the witness cosigned.
    #[error(
        "fork: the folder's history has hash {found} at sequence {sequence}, the witness cosigned {stored}"
    )]
    Fork {
        sequence: u64,
        stored: String,
        found: String,
    },
    /// The history is empty or does not reach the stored head.
    #[error("the folder's history does not hold sequence {0}")]
    Missing(u64),
}

/// Whether a verified `chain` — `(sequence, sha256)` oldest first, sequences 1, 2, … —
/// signed by `vkey` may be cosigned after `log`.
///
/// # Errors
///
/// [`Refusal`]: another key, a rollback, a rewritten head, a fork.
///
/// ```
/// use linli_domain::signing::witness::{check_extension, Refusal, WitnessLog};
/// let mut log = WitnessLog::new("linli/x", "K");
/// let chain = vec![(1, "a".to_owned()), (2, "b".to_owned())];
/// assert!(check_extension(&log, "K", &chain).is_ok());
/// log.record(2, "b", 0);
/// assert!(check_extension(&log, "K", &[(1, "a".to_owned()), (2, "b".to_owned()), (3, "c".to_owned())]).is_ok());
/// assert!(matches!(check_extension(&log, "K", &chain[..1]), Err(Refusal::Rollback { .. })));
/// ```
pub fn check_extension(log: &WitnessLog, vkey: &str, chain: &[(u64, String)]) -> Result<(), Refusal> {
    if log.vkey != vkey {
        return Err(Refusal::KeyChanged {
            stored: log.vkey.clone(),
            found: vkey.to_owned(),
        });
    }
    let Some(stored) = log.newest() else {
        return Ok(());
    };
    let Some((head_seq, head_hash)) = chain.last() else {
        return Err(Refusal::Missing(stored.sequence));
    };
    if *head_seq < stored.sequence {
        return Err(Refusal::Rollback {
            stored: stored.sequence,
            found: *head_seq,
        });
    }
    if *head_seq == stored.sequence {
        return if *head_hash == stored.sha256 {
            Ok(())
        } else {
            Err(Refusal::Rewritten {
                sequence: stored.sequence,
                stored: stored.sha256.clone(),
                found: head_hash.clone(),
            })
        };
    }
    match chain.iter().find(|(s, _)| *s == stored.sequence) {
        Some((_, h)) if *h == stored.sha256 => Ok(()),
        Some((_, h)) => Err(Refusal::Fork {
            sequence: stored.sequence,
            stored: stored.sha256.clone(),
            found: h.clone(),
        }),
        None => Err(Refusal::Missing(stored.sequence)),
    }
}
