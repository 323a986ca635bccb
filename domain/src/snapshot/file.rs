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
//!
//! From layout 4 ([`COMMITTED_FROM`]) the text fields of the content are empty and its
//! `texts_sha256` seals the free texts, which follow the content with their salts,
//! outside the hash, in `texts` (see [`super::freetext`]):
//!
//! ```text
//! {"format":…,"version":4,"sha256":"<hex>","content":{…},"texts":{"plans/3/title":{"salt":…,"text":…}}}
//! ```
//!
//! so that a text can be redacted later (`{"commitment":…,"redacted_on":"YYYY-MM-DD"}`)
//! without changing the hash. [`decode`] checks the texts against `texts_sha256`.
//!
//! The requests section follows, also outside the hash, sealed by the content's
//! `requests_sha256` (see [`super::requests_public`]):
//!
//! ```text
//! {…,"content":{…},"texts":{…},"requests":{"salt":…,"entries":[…]}}
//! ```
//!
//! A file may leave it out ([`split_requests`]: the published `snapshot.json`, with the
//! section alone in `requests.json`, read by [`decode_requests`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Content, FORMAT, VERSION};
use crate::backup::sha256_hex;

/// The first layout version whose free texts are committed ([`super::freetext`]).
pub const COMMITTED_FROM: u32 = 4;

/// The first layout version read in full (older ones: for their seal only).
pub const FULL_FROM: u32 = 3;

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
    /// The published texts do not hash to the content's `texts_sha256`: a text, a salt
    /// or a redacted field's commitment was changed, added or dropped after publication.
    #[error("the published texts do not match the snapshot's texts_sha256 (changed after publication)")]
    TextMismatch,
    /// The requests section does not hash to the content's `requests_sha256`: it was
    /// changed after publication, or belongs to another snapshot.
    #[error(
        "the requests section does not match the snapshot's requests_sha256 (changed after publication)"
    )]
    RequestsMismatch,
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
            Self::HashMismatch { .. } | Self::TextMismatch | Self::RequestsMismatch => "tampered",
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
    /// Whether `content` was read in full (layout [`FULL_FROM`] or later), not for its
    /// seal only.
    pub full: bool,
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
            texts_sha256: String::new(),
            requests_sha256: String::new(),
            requests: super::RequestsPublic::default(),
            plan_rules: PlanRulesPublic {
                notice_days: 0,
                renotice_above_bp: 0,
            },
            intake: None,
            points: PointsRules {
                earning: Vec::new(),
                catalogue: Vec::new(),
            },
            texts: super::freetext::TextSeals::default(),
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
    encode_version(content, VERSION)
}

/// One entry of a file's `texts`: a text and its salt, or the day it was redacted (an
/// absent member reads as empty; plain strings rather than options keep the dashboard's
/// decoder small).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextEntry {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    salt: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    text: String,
    /// A redacted field's commitment (its text and salt are gone).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    commitment: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    redacted_on: String,
}

/// The root over a file's `texts` ([`texts_sha256`]); `None` when a salt is not 32 hex
/// digits.
fn root_of(texts: &BTreeMap<String, TextEntry>) -> Option<String> {
    use sha2::Digest;
    let mut root = sha2::Sha256::new();
    for (path, e) in texts {
        let commitment = if e.redacted_on.is_empty() {
            super::freetext::commitment(&salt_bytes(&e.salt)?, path, &e.text)
        } else {
            e.commitment.clone()
        };
        root.update(path.as_bytes());
        root.update([0u8]);
        root.update(commitment.as_bytes());
        root.update([b'\n']);
    }
    Some(super::salt::hex(&root.finalize()))
}

/// `content` with its text fields emptied and `texts_sha256` set, and the `texts` of its
/// file: each non-empty field's salt and text, each redacted field's commitment and day.
fn seal_texts(content: &Content) -> (Content, BTreeMap<String, TextEntry>) {
    let mut texts: BTreeMap<String, TextEntry> = BTreeMap::new();
    let mut c = content.clone();
    let seals = &content.texts;
    super::freetext::for_each_text(&mut c, |path, t| {
        if let Some(r) = seals.redacted.get(path) {
            t.clear();
            texts.insert(
                path.to_owned(),
                TextEntry {
                    commitment: r.commitment.clone(),
                    redacted_on: r.on.clone(),
                    ..TextEntry::default()
                },
            );
        } else if !t.is_empty() {
            let salt = seals.salts.get(path).copied().unwrap_or_default();
            texts.insert(
                path.to_owned(),
                TextEntry {
                    salt: super::salt::hex(&salt),
                    text: std::mem::take(t),
                    ..TextEntry::default()
                },
            );
        }
    });
    // Every salt was written from 16 bytes: the root exists.
    c.texts_sha256 = root_of(&texts).unwrap_or_default();
    (c, texts)
}

/// The root sealing the free texts of `content` (its `texts_sha256` from layout
/// [`COMMITTED_FROM`] on): SHA-256 over, for each text field that has a text or was
/// redacted, **in the order of the paths** (bytes), its path, a NUL byte, its commitment
/// ([`super::freetext::commitment`], lower-case hex) and a newline. What
/// [`super::build`] sets and [`encode`] writes.
pub fn texts_sha256(content: &Content) -> String {
    seal_texts(content).0.texts_sha256
}

/// [`encode`] as layout `version` (a redaction rewrites a file in its own layout). From
/// [`COMMITTED_FROM`] on, each non-empty text field is emptied in the hashed content,
/// sealed by its `texts_sha256`, and written with its salt in `texts` (a redacted one: its commitment
/// and `redacted_on`); the salts come from `content.texts` (filled by `build`; a field
/// without one, only in content not made by `build`, gets the all-zero salt).
pub fn encode_version(content: &Content, version: u32) -> (String, String) {
    let mut texts = BTreeMap::new();
    let mut requests = None;
    let sealed;
    let body_of = if version >= COMMITTED_FROM {
        let (mut c, t) = seal_texts(content);
        texts = t;
        // The requests section, when loaded, sealed by its digest in the content; a
        // content read without it (from `snapshot.json`) keeps the digest it was read with.
        if !content.requests.salt.is_empty() {
            let r = super::requests_public::encode(&content.requests);
            c.requests_sha256 = sha256_hex(r.as_bytes());
            requests = Some(r);
        }
        sealed = c;
        &sealed
    } else {
        content
    };
    // Serialising plain structs of strings and integers cannot fail.
    let body = serde_json::to_string(body_of).unwrap_or_default();
    let hash = sha256_hex(body.as_bytes());
    let mut text = format!(r#"{{"format":"{FORMAT}","version":{version},"sha256":"{hash}","content":{body}"#);
    if version >= COMMITTED_FROM {
        text.push_str(r#","texts":"#);
        text.push_str(&serde_json::to_string(&texts).unwrap_or_default());
    }
    if let Some(r) = requests {
        text.push_str(r#","requests":"#);
        text.push_str(&r);
    }
    text.push('}');
    (text, hash)
}

/// Puts the texts of `texts` back into the empty text fields of `content` (layout
/// [`COMMITTED_FROM`] or later), checks them against the content's `texts_sha256`, and
/// records the salts and redactions.
fn open_texts(content: &mut Content, texts: BTreeMap<String, TextEntry>) -> Result<(), DecodeError> {
    let mut seals = super::freetext::TextSeals::default();
    // The first problem: the field's path and why (formatted once, below).
    let mut error: Option<(String, &'static str)> = None;
    // Entries of `texts` used: every entry once exactly when this ends at `texts.len()`
    // with no entry left unused (two fields with one path use an entry twice).
    let mut used = 0usize;
    super::freetext::for_each_text(content, |path, t| {
        if error.is_some() {
            return;
        }
        let why = if !t.is_empty() {
            "a text inside the hashed content"
        } else if let Some(e) = texts.get(path) {
            used += 1;
            let hex64 = e.commitment.len() == 64
                && e.commitment
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if e.salt.is_empty() && e.text.is_empty() {
                if e.redacted_on.is_empty() || !super::privacy::is_date(&e.redacted_on) {
                    "needs salt and text, or a commitment and a YYYY-MM-DD redacted_on"
                } else if !hex64 {
                    "the commitment is not 64 hex digits"
                } else {
                    let r = super::freetext::Redaction {
                        commitment: e.commitment.clone(),
                        on: e.redacted_on.clone(),
                    };
                    seals.redacted.insert(path.to_owned(), r);
                    return;
                }
            } else if e.text.is_empty() || !e.commitment.is_empty() || !e.redacted_on.is_empty() {
                "needs salt and text, or a commitment and a YYYY-MM-DD redacted_on"
            } else if let Some(salt) = salt_bytes(&e.salt) {
                seals.salts.insert(path.to_owned(), salt);
                t.clone_from(&e.text);
                return;
            } else {
                "the salt is not 32 hex digits"
            }
        } else {
            return;
        };
        error = Some((path.to_owned(), why));
    });
    if error.is_none() && used != texts.len() {
        error = Some(
            match texts
                .keys()
                .find(|p| !seals.salts.contains_key(*p) && !seals.redacted.contains_key(*p))
            {
                Some(p) => (p.clone(), "no such text field in the content"),
                None => (String::new(), "two fields have one path"),
            },
        );
    }
    if let Some((path, why)) = error {
        return Err(DecodeError::Content(format!("texts: {path}: {why}")));
    }
    // Every salt was checked above.
    if root_of(&texts).as_deref() != Some(content.texts_sha256.as_str()) {
        return Err(DecodeError::TextMismatch);
    }
    content.texts = seals;
    Ok(())
}

/// 32 lower-case hex digits → 16 bytes.
fn salt_bytes(h: &str) -> Option<[u8; super::salt::SALT_LEN]> {
    let b = h.as_bytes();
    if b.len() != 2 * super::salt::SALT_LEN {
        return None;
    }
    let mut out = [0u8; super::salt::SALT_LEN];
    for (i, pair) in b.chunks(2).enumerate() {
        let d = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        out[i] = d(pair[0])? << 4 | d(pair[1])?;
    }
    Some(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    format: String,
    version: u32,
    sha256: String,
    #[serde(borrow)]
    content: &'a RawValue,
    #[serde(default)]
    texts: Option<BTreeMap<String, TextEntry>>,
    #[serde(default, borrow)]
    requests: Option<&'a RawValue>,
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
    let seal = |raw: &str| -> Result<Content, DecodeError> {
        Ok(serde_json::from_str::<Seal>(raw)
            .map_err(|e| DecodeError::Content(e.to_string()))?
            .into_content())
    };
    let (content, full) = if env.version < FULL_FROM {
        // An older layout: its hash verified above, read for its seal (see `Snapshot`).
        (seal(env.content.get())?, false)
    } else if env.version < COMMITTED_FROM {
        // Layout 3: texts in clear, no commitments. Read in full when it still parses as
        // the current layout, else for its seal.
        if env.texts.is_some() || env.requests.is_some() {
            return Err(DecodeError::Content(format!(
                "texts, requests: not part of layout {}",
                env.version
            )));
        }
        match serde_json::from_str::<Content>(env.content.get()) {
            Ok(c) => (c, true),
            Err(_) => (seal(env.content.get())?, false),
        }
    } else {
        // Committed texts. An older committed layout that no longer parses as the current
        // one is read for its seal; its texts are then not checked.
        match serde_json::from_str::<Content>(env.content.get()) {
            Ok(mut c) => {
                open_texts(&mut c, env.texts.unwrap_or_default())?;
                if let Some(raw) = env.requests {
                    c.requests = requests_of(raw.get().as_bytes(), &c.requests_sha256)?;
                }
                (c, true)
            }
            Err(e) if env.version == VERSION => return Err(DecodeError::Content(e.to_string())),
            Err(_) => (seal(env.content.get())?, false),
        }
    };
    // Numbers and texts within the published bounds (`super::bounds`).
    if let Some((path, reason)) = super::bounds::first_violation(&content) {
        return Err(DecodeError::Content(format!("{path}: {reason}")));
    }
    Ok(Snapshot {
        sha256: computed,
        version: env.version,
        full,
        content,
    })
}

/// The requests section `bytes` checked against the content's digest `sha256` and read.
fn requests_of(bytes: &[u8], sha256: &str) -> Result<super::RequestsPublic, DecodeError> {
    if sha256_hex(bytes) != sha256 {
        return Err(DecodeError::RequestsMismatch);
    }
    serde_json::from_slice(bytes).map_err(|e| DecodeError::Content(format!("requests: {e}")))
}

/// Reads `requests.json` (the requests section published beside `snapshot.json`, see
/// [`split_requests`]) for the snapshot whose content's `requests_sha256` is `sha256`: its
/// SHA-256 must be that (else [`DecodeError::RequestsMismatch`]: changed, or of
/// another snapshot), and every field of the shapes the section allows
/// ([`super::requests_public::violations`]).
///
/// # Errors
///
/// [`DecodeError`]: `TooLarge`, `RequestsMismatch`, or `Content` for a section that is not
/// of the published layout.
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::{build, file, BuildOptions};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 200,
///     ..Default::default()
/// });
/// let (text, _) = file::encode(&build(&d, &BuildOptions::at(0)).unwrap());
/// let (head, requests) = file::split_requests(text.as_bytes()).unwrap();
/// let s = file::decode(&head).unwrap();
/// assert!(s.content.requests.entries.is_empty(), "snapshot.json carries no request");
/// let r = file::decode_requests(&requests, &s.content.requests_sha256).unwrap();
/// assert_eq!(r, file::decode(text.as_bytes()).unwrap().content.requests);
/// // One changed byte and the section no longer matches.
/// let mut bad = requests.clone();
/// let i = bad.iter().position(|&b| b == b'"').unwrap() + 1;
/// bad[i] ^= 1;
/// assert_eq!(file::decode_requests(&bad, &s.content.requests_sha256).unwrap_err().code(), "tampered");
/// ```
pub fn decode_requests(bytes: &[u8], sha256: &str) -> Result<super::RequestsPublic, DecodeError> {
    if bytes.len() > MAX_BYTES {
        return Err(DecodeError::TooLarge);
    }
    requests_of(bytes, sha256)
}

/// The parts of a file, as written, for [`split_requests`].
#[derive(Deserialize)]
struct Parts<'a> {
    format: String,
    version: u32,
    sha256: String,
    #[serde(borrow)]
    content: &'a RawValue,
    #[serde(default, borrow)]
    texts: Option<&'a RawValue>,
    #[serde(default, borrow)]
    requests: Option<&'a RawValue>,
}

/// A snapshot file without its requests section, and the section's bytes: what is
/// published as `snapshot.json` and `requests.json`. The content's bytes are kept as they
/// are, so the file's hash and every text still verify. `None` when the file has no
/// requests section (or is not a snapshot file).
pub fn split_requests(bytes: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let p: Parts<'_> = serde_json::from_slice(bytes).ok()?;
    let requests = p.requests?;
    let mut out = format!(
        r#"{{"format":{},"version":{},"sha256":{},"content":{}"#,
        serde_json::to_string(&p.format).ok()?,
        p.version,
        serde_json::to_string(&p.sha256).ok()?,
        p.content.get()
    );
    if let Some(t) = p.texts {
        out.push_str(r#","texts":"#);
        out.push_str(t.get());
    }
    out.push('}');
    Some((out.into_bytes(), requests.get().as_bytes().to_vec()))
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
