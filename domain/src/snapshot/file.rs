//! The snapshot file and its hash chain.
//!
//! A snapshot file is one JSON object, written as
//!
//! ```text
//! {"format":"linli-public-snapshot","version":1,"sha256":"<hex>","content":{…}}
//! ```
//!
//! where `sha256` is the lower-case hex SHA-256 of the bytes of the `content` object
//! **exactly as they appear in the file** (from its `{` to its matching `}`). The content
//! carries `sequence` and `previous_sha256`, so each snapshot's hash seals the hash of the
//! one before it: changing any published snapshot changes its hash and breaks the link
//! from every later one. An auditor can check a file with any SHA-256 tool by cutting out
//! the `content` object.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Content, FORMAT, VERSION};
use crate::backup::sha256_hex;

/// Largest snapshot file accepted (a community with 100,000 requests stays far below).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Why a snapshot file was refused. Each says what is wrong in words a resident can
/// be shown (the dashboard translates the kind, see [`DecodeError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the snapshot is empty")]
    Empty,
    #[error("the snapshot is larger than {MAX_BYTES} bytes")]
    TooLarge,
    /// Not JSON, or cut off.
    #[error("the snapshot is not complete JSON (truncated or damaged): {0}")]
    Malformed(String),
    #[error("this is not a Linli public snapshot (format `{0}`)")]
    Foreign(String),
    /// Written by a newer version of Linli than this dashboard.
    #[error("the snapshot has layout version {found}; this dashboard reads up to {VERSION}")]
    Newer { found: u32 },
    /// The content does not hash to the recorded value: it was changed after publication.
    #[error("the snapshot's content does not match its hash (recorded {recorded}, computed {computed})")]
    HashMismatch { recorded: String, computed: String },
    /// The content is not of the published layout (a missing or unknown field).
    #[error("the snapshot's content is not valid: {0}")]
    Content(String),
}

impl DecodeError {
    /// A stable code for the kind of error: `empty`, `too_large`, `malformed`,
    /// `foreign`, `newer`, `tampered`, `invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge => "too_large",
            Self::Malformed(_) => "malformed",
            Self::Foreign(_) => "foreign",
            Self::Newer { .. } => "newer",
            Self::HashMismatch { .. } => "tampered",
            Self::Content(_) => "invalid",
        }
    }
}

/// A decoded, hash-checked snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The verified hash of `content`.
    pub sha256: String,
    /// The file's layout version. A snapshot of an older layout (published before this
    /// version of Linli) is read for its **seal only** ([`decode`]): `content` then holds
    /// its sequence, previous hash, time, day, community and period, and nothing else, so
    /// that a history keeps verifying across an upgrade.
    pub version: u32,
    pub content: Content,
}

/// What an older layout's content is read for: the seal of the chain.
#[derive(Deserialize)]
struct Seal {
    sequence: u32,
    previous_sha256: Option<String>,
    published_at: i64,
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    period: String,
    community: Option<super::Community>,
}

impl Seal {
    /// A content holding the seal and nothing else (no figure, no count).
    fn into_content(self) -> Content {
        use super::{CostSharing, Headline, PlanRulesPublic, PointsRules, Satisfaction, NONE_ADOPTED};
        Content {
            sequence: self.sequence,
            previous_sha256: self.previous_sha256,
            published_at: self.published_at,
            as_of: self.as_of,
            community: self.community.unwrap_or(super::Community {
                name_zh: String::new(),
                name_en: String::new(),
            }),
            period: self.period,
            min_cell: crate::suppress::MIN_CELL,
            min_cell_sensitive: crate::suppress::MIN_CELL_SENSITIVE,
            headline: Headline {
                households: None,
                residents: None,
                aged_60_plus_bp: None,
                budget_fen: 0,
                plans_budget_fen: 0,
                plans_spent_fen: 0,
                requests_total: 0,
                requests_closed: 0,
            },
            allocation_status: NONE_ADOPTED.to_owned(),
            adopted_allocation: None,
            pools: Vec::new(),
            allocation: Vec::new(),
            groups: Vec::new(),
            cost_sharing: CostSharing {
                total_fen: 0,
                by_funder: Vec::new(),
                by_class: Vec::new(),
            },
            reserve_releases: Vec::new(),
            pb: Vec::new(),
            plans: Vec::new(),
            coverage: Vec::new(),
            satisfaction: Satisfaction {
                ratings: None,
                distribution: Vec::new(),
                satisfied_bp: None,
                mean_centi: None,
            },
            indicators: Vec::new(),
            requests: Vec::new(),
            plan_rules: PlanRulesPublic {
                notice_days: 0,
                renotice_above_bp: 0,
            },
            points: PointsRules {
                earning: Vec::new(),
                catalogue: Vec::new(),
            },
        }
    }
}

/// Writes a snapshot file; returns the text and its hash.
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::{build, file, BuildOptions};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 200,
///     ..Default::default()
/// });
/// let (text, hash) = file::encode(&build(&d, &BuildOptions::at(0)).unwrap());
/// let back = file::decode(text.as_bytes()).unwrap();
/// assert_eq!(back.sha256, hash);
/// // One changed byte in the content and the file no longer verifies.
/// let bad = text.replacen("\"sequence\":1", "\"sequence\":2", 1);
/// assert_eq!(file::decode(bad.as_bytes()).unwrap_err().code(), "tampered");
/// ```
pub fn encode(content: &Content) -> (String, String) {
    // Serialising plain structs of strings and integers cannot fail.
    let body = serde_json::to_string(content).unwrap_or_default();
    let hash = sha256_hex(body.as_bytes());
    let text = format!(r#"{{"format":"{FORMAT}","version":{VERSION},"sha256":"{hash}","content":{body}}}"#);
    (text, hash)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    format: String,
    version: u32,
    sha256: String,
    #[serde(borrow)]
    content: &'a RawValue,
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

/// Reads and verifies a snapshot file: format, version, hash, then layout, then the
/// bounds on every number and text ([`super::bounds`]: a number beyond ±`money::MAX_FEN`
/// or a label over 200 characters is [`DecodeError::Content`] naming the field). A file
/// of an older layout version is hash-checked and read for its seal only (see
/// [`Snapshot::version`]), so histories published before an upgrade still verify.
///
/// # Errors
///
/// [`DecodeError`], checked in that order, so a newer snapshot is reported as newer
/// and not as invalid.
pub fn decode(bytes: &[u8]) -> Result<Snapshot, DecodeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(DecodeError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    // The header first, leniently, so that a newer layout is named as such.
    let header: Header = serde_json::from_str(text).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    match header.format.as_deref() {
        Some(FORMAT) => {}
        other => return Err(DecodeError::Foreign(other.unwrap_or("").to_owned())),
    }
    match header.version {
        Some(v) if v > VERSION => return Err(DecodeError::Newer { found: v }),
        Some(_) => {}
        None => return Err(DecodeError::Content("no version".to_owned())),
    }
    let env: Envelope<'_> = serde_json::from_str(text).map_err(|e| DecodeError::Content(e.to_string()))?;
    debug_assert_eq!(env.format, FORMAT);
    debug_assert!(env.version <= VERSION);
    let computed = sha256_hex(env.content.get().as_bytes());
    if computed != env.sha256 {
        return Err(DecodeError::HashMismatch {
            recorded: env.sha256,
            computed,
        });
    }
    let content: Content = if env.version < VERSION {
        // An older layout: its hash verified above, read for its seal (see `Snapshot`).
        serde_json::from_str::<Seal>(env.content.get())
            .map_err(|e| DecodeError::Content(e.to_string()))?
            .into_content()
    } else {
        serde_json::from_str(env.content.get()).map_err(|e| DecodeError::Content(e.to_string()))?
    };
    // Numbers and texts within the published bounds (`super::bounds`).
    if let Some((path, reason)) = super::bounds::first_violation(&content) {
        return Err(DecodeError::Content(format!("{path}: {reason}")));
    }
    Ok(Snapshot {
        sha256: computed,
        version: env.version,
        content,
    })
}

/// Why a chain of snapshots does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("snapshot {index}: {error}")]
    Decode { index: usize, error: DecodeError },
    /// The first snapshot of a chain must have sequence 1 and no predecessor.
    #[error("snapshot {index} (sequence {sequence}) claims a predecessor that is not in the chain")]
    MissingStart { index: usize, sequence: u32 },
    #[error("snapshot {index}: sequence {found}, expected {expected}")]
    Sequence { index: usize, expected: u32, found: u32 },
    #[error("snapshot {index} names {named:?} as its predecessor, but the one before it hashes to {actual}")]
    Link {
        index: usize,
        named: Option<String>,
        actual: String,
    },
    #[error("snapshot {index} was published before the one it follows")]
    Time { index: usize },
}

/// Verifies a whole history, oldest first: each file decodes, sequences run 1, 2, 3…,
/// each names the previous one's hash, times do not go backwards. Returns the decoded
/// snapshots.
///
/// # Errors
///
/// The first [`ChainError`] met.
pub fn verify_chain<B: AsRef<[u8]>>(files: &[B]) -> Result<Vec<Snapshot>, ChainError> {
    let mut out: Vec<Snapshot> = Vec::with_capacity(files.len());
    for (index, f) in files.iter().enumerate() {
        let s = decode(f.as_ref()).map_err(|error| ChainError::Decode { index, error })?;
        match out.last() {
            None => {
                if s.content.sequence != 1 || s.content.previous_sha256.is_some() {
                    return Err(ChainError::MissingStart {
                        index,
                        sequence: s.content.sequence,
                    });
                }
            }
            Some(prev) => {
                let expected = prev.content.sequence.saturating_add(1);
                if s.content.sequence != expected {
                    return Err(ChainError::Sequence {
                        index,
                        expected,
                        found: s.content.sequence,
                    });
                }
                if s.content.previous_sha256.as_deref() != Some(prev.sha256.as_str()) {
                    return Err(ChainError::Link {
                        index,
                        named: s.content.previous_sha256.clone(),
                        actual: prev.sha256.clone(),
                    });
                }
                if s.content.published_at < prev.content.published_at {
                    return Err(ChainError::Time { index });
                }
            }
        }
        out.push(s);
    }
    Ok(out)
}

/// The file name a snapshot gets in a published folder's `snapshots/` history:
/// `000001-<first 16 hex digits>.json`.
pub fn history_name(sequence: u32, sha256: &str) -> String {
    format!("{sequence:06}-{}.json", &sha256[..sha256.len().min(16)])
}
