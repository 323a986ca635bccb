//! A snapshot history's checkpoint (c2sp.org/tlog-checkpoint) and witness cosignatures
//! (c2sp.org/tlog-cosignature, Ed25519 `cosignature/v1`).
//!
//! The checkpoint body is three lines:
//!
//! ```text
//! linli/linli-demo-community-hangzhou      origin: the community's log (see origin)
//! 12                                      tree size: the head snapshot's sequence
//! 3q2+7w…=                                root hash: base64 of the head's SHA-256
//! ```
//!
//! Linli's history is a hash chain, not an RFC 6962 Merkle tree: the "root hash" is the
//! head snapshot's hash, which seals every earlier snapshot through `previous_sha256`.
//! A checkpoint at size *m* is consistent with one at size *n* ≥ *m* when the chain of
//! the *n*-th snapshot holds the *m*-th with that hash ([`super::witness`]).

use super::b64;
use sha2::{Digest, Sha256};

use super::key::{SigningKey, VerifierKey, COSIGNATURE_V1};
use super::note::{Note, NoteError, NoteSignature};

/// Why a checkpoint body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint is not three lines (origin, size, hash)")]
    Lines,
    #[error("the checkpoint's origin is empty or has a space or `+`")]
    Origin,
    #[error("the checkpoint's size is not a decimal number without leading zeros")]
    Size,
    #[error("the checkpoint's hash is not the base64 of 32 bytes")]
    Hash,
}

/// A checkpoint: the head of a community's published history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name ([`origin`]); also the publishing key's name.
    pub origin: String,
    /// The head snapshot's sequence (the number of snapshots published).
    pub size: u64,
    /// The head snapshot's SHA-256.
    pub hash: [u8; 32],
}

impl Checkpoint {
    /// The checkpoint of the snapshot with `sequence` and hex `sha256`; `None` if the hash
    /// is not 64 hex digits.
    pub fn of_snapshot(origin: &str, sequence: u32, sha256_hex: &str) -> Option<Self> {
        let hash = super::key::seed_from_hex(sha256_hex).ok()?;
        Some(Self {
            origin: origin.to_owned(),
            size: u64::from(sequence),
            hash,
        })
    }

    /// The head hash as lower-case hex (as snapshot files write it).
    pub fn hash_hex(&self) -> String {
        super::key::seed_to_hex(&self.hash)
    }

    /// The note text: origin, size, base64 hash, each ending in a newline.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, b64::encode(&self.hash))
    }

    /// Reads a checkpoint body. Extension lines are refused: Linli writes none.
    ///
    /// # Errors
    ///
    /// [`CheckpointError`].
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::Lines)?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, hash] = lines[..] else {
            return Err(CheckpointError::Lines);
        };
        if !super::valid_key_name(origin) {
            return Err(CheckpointError::Origin);
        }
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(CheckpointError::Size);
        }
        let size: u64 = size.parse().map_err(|_| CheckpointError::Size)?;
        let hash: [u8; 32] = b64::decode(hash)
            .and_then(|b| b.try_into().ok())
            .ok_or(CheckpointError::Hash)?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            hash,
        })
    }

    /// The checkpoint signed by the community's publishing key (a signed note). The key's
    /// name should be the origin; the signature is deterministic.
    ///
    /// # Errors
    ///
    /// [`NoteError::WrongKeyType`] for a cosigning key.
    ///
    /// ```
    /// use linli_domain::signing::{Checkpoint, Note, SigningKey};
    /// let key = SigningKey::new("linli/example", [1; 32]).unwrap();
    /// let cp = Checkpoint { origin: "linli/example".into(), size: 2, hash: [9; 32] };
    /// let note = cp.sign(&key).unwrap();
    /// assert!(note.encode().starts_with("linli/example\n2\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n\n\u{2014} linli/example "));
    /// assert!(note.verify(&key.verifier()).is_ok());
    /// ```
    pub fn sign(&self, key: &SigningKey) -> Result<Note, NoteError> {
        let mut note = Note::new(&self.body())?;
        note.sign(key)?;
        Ok(note)
    }
}

/// Why a signed checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Note(#[from] NoteError),
    #[error("{0}")]
    Checkpoint(#[from] CheckpointError),
    /// The origin line is not the publishing key's name.
    #[error("the checkpoint's origin `{origin}` is not the key's name `{key}`")]
    Origin { origin: String, key: String },
}

/// Reads a signed checkpoint and verifies the publishing key's signature on it.
///
/// # Errors
///
/// [`OpenError`]: a malformed note or body, no or a bad signature by `key`, an origin
/// other than the key's name.
pub fn open(bytes: &[u8], key: &VerifierKey) -> Result<(Checkpoint, Note), OpenError> {
    let note = Note::parse(bytes)?;
    note.verify(key)?;
    let cp = Checkpoint::parse(note.text())?;
    if cp.origin != key.name() {
        return Err(OpenError::Origin {
            origin: cp.origin,
            key: key.name().to_owned(),
        });
    }
    Ok((cp, note))
}

/// The origin (log name and publishing key name) of a community: `linli/` and its
/// English name in lower case, runs of anything but ASCII letters and digits as one `-`;
/// a community without an English name gets `linli/c-` and the first 8 bytes of the
/// SHA-256 of its Chinese name in hex.
///
/// ```
/// use linli_domain::signing::origin;
/// assert_eq!(origin("Linli Demo Community, Hangzhou", "邻里示范社区"), "linli/linli-demo-community-hangzhou");
/// assert!(origin("", "邻里示范社区").starts_with("linli/c-"));
/// ```
pub fn origin(name_en: &str, name_zh: &str) -> String {
    let mut slug = String::new();
    for c in name_en.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        let d = Sha256::digest(name_zh.as_bytes());
        format!("linli/c-{}", super::key::seed_to_hex(&d.into())[..16].to_owned())
    } else {
        format!("linli/{}", &slug[..slug.len().min(100)].trim_end_matches('-'))
    }
}

/// The message a `cosignature/v1` signs: header, time line, then the checkpoint body.
pub fn cosigned_message(body: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{body}")
}

/// A witness's cosignature line for `note` (a checkpoint) at `timestamp` (POSIX seconds,
/// passed in): 8-byte big-endian timestamp then the Ed25519 signature of
/// [`cosigned_message`].
///
/// # Errors
///
/// [`NoteError::WrongKeyType`] unless `key` is a [`SigningKey::cosigner`].
pub fn cosign(note: &Note, key: &SigningKey, timestamp: u64) -> Result<NoteSignature, NoteError> {
    if key.kind() != COSIGNATURE_V1 || timestamp > i64::MAX as u64 {
        return Err(NoteError::WrongKeyType(key.name().to_owned()));
    }
    let sig = key.sign_raw(cosigned_message(note.text(), timestamp).as_bytes());
    let mut bytes = Vec::with_capacity(72);
    bytes.extend_from_slice(&timestamp.to_be_bytes());
    bytes.extend_from_slice(&sig);
    Ok(NoteSignature {
        name: key.name().to_owned(),
        key_id: key.key_id(),
        signature: bytes,
    })
}

/// Verifies the cosignature of `key` on `note`; returns its timestamp.
///
/// # Errors
///
/// [`NoteError::NotSigned`], [`NoteError::BadSignature`] or
/// [`NoteError::WrongKeyType`].
pub fn verify_cosignature(note: &Note, key: &VerifierKey) -> Result<u64, NoteError> {
    if key.kind() != COSIGNATURE_V1 {
        return Err(NoteError::WrongKeyType(key.name().to_owned()));
    }
    let mut time = None;
    for s in note.signatures().iter().filter(|s| s.is_by(key)) {
        let (ts, sig) = s.signature.split_at(s.signature.len().min(8));
        let ts = <[u8; 8]>::try_from(ts).map(u64::from_be_bytes).ok();
        match ts {
            Some(t)
                if t <= i64::MAX as u64
                    && key.verify_raw(cosigned_message(note.text(), t).as_bytes(), sig) =>
            {
                time = Some(t);
            }
            _ => return Err(NoteError::BadSignature(key.to_string())),
        }
    }
    time.ok_or_else(|| NoteError::NotSigned(key.to_string()))
}

/// A signature line that looks like a cosignature (72 bytes: timestamp and signature),
/// not verified: who says it cosigned and when. For display where the witness's key is
/// not known; `linli verify --witness` checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedCosignature {
    pub name: String,
    pub key_id: u32,
    pub timestamp: u64,
}

/// The cosignature-shaped lines of `note` other than `publisher`'s.
pub fn claimed_cosignatures(note: &Note, publisher: &str) -> Vec<ClaimedCosignature> {
    note.signatures()
        .iter()
        .filter(|s| s.name != publisher && s.signature.len() == 72)
        .map(|s| ClaimedCosignature {
            name: s.name.clone(),
            key_id: s.key_id,
            timestamp: u64::from_be_bytes(s.signature[..8].try_into().unwrap_or([0; 8])),
        })
        .collect()
}
