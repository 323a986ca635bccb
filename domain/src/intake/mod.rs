//! Resident intake without a server (issue #18): a resident's phone seals a request or a
//! rating to the community's intake key; a guide pastes the text (or scans its QR code)
//! into the workspace, which opens, validates, shows and takes it in.
//!
//! # The payload, for auditors
//!
//! A payload is a standard **age v1 file** (<https://age-encryption.org/v1>) sealed to the
//! community's X25519 intake recipient (`age1…`, published in the signed snapshot as
//! `content.intake.recipient`), normally in **ASCII armor**:
//!
//! ```text
//! -----BEGIN AGE ENCRYPTED FILE-----
//! YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSAuLi4K…
//! -----END AGE ENCRYPTED FILE-----
//! ```
//!
//! Its plaintext is one JSON object ([`submission`]):
//!
//! ```text
//! {"format":"linli-intake","version":1,"community":"linli/demo","code":"0F3K…",
//!  "kind":"request","category":"housing_repair","description":"楼道灯坏了","urgency":"medium"}
//! ```
//!
//! An auditor makes one with the standard tools,
//! `age -a -r age1… -o payload.txt request.json` (or `rage -a -r …`), and opens one with
//! the community's identity, `age -d -i key.txt payload.txt`; `linli intake-seal` and
//! `linli intake-key` do the same with the backup's keys. A binary age file is accepted as
//! well.
//!
//! **Pasted text is forgiving** ([`age::dearmor`]): text before the begin line and after
//! the end line (a greeting, a forwarded-message header), line breaks dropped, added or
//! turned into `\r\n`, spaces, tabs, full-width (U+3000) and zero-width spaces anywhere in
//! the armor, and missing `=` padding are all ignored. Nothing else is: one changed
//! character fails age's authentication.
//!
//! # Limits
//!
//! | what | limit |
//! |---|---|
//! | pasted text or file | [`MAX_TEXT_BYTES`] = 4,096 bytes |
//! | plaintext JSON | [`submission::MAX_PLAINTEXT_BYTES`] = 1,800 bytes (armored ≤ 2,800 bytes: one QR code, version 40-L) |
//! | description | [`submission::MAX_DESCRIPTION_CHARS`] = 400 characters |
//! | rating comment | [`submission::MAX_COMMENT_CHARS`] = 200 characters |
//! | contact | [`submission::MAX_CONTACT_CHARS`] = 40 characters |
//! | rating | 1–5 |
//!
//! # Taking in
//!
//! [`open`] (decrypt with the current key, then each retired one; validate) gives an
//! [`Opened`]: the [`Submission`] and the SHA-256 of the binary age file. [`take_in`]
//! decides on the community's requests (see its rules: new request under the resident's
//! code, replay, code of another request, rating, wrong community) and [`apply`] writes
//! the outcome into a dataset (`linli intake`); the workspace writes the same records in
//! one transaction. Every error is an [`IntakeError`] with a stable [`IntakeError::code`],
//! and nothing is changed when one is returned.
//!
//! What residents write (description, contact, comment) is kept on the request
//! ([`crate::model::ResidentInput`]), encrypted at rest and in backups like every request,
//! and never published: the snapshot has no field that could carry it (tested in
//! `snapshot::tests`).
//!
//! # Using it
//!
//! - **Residents' phone** (dashboard): read `content.intake` of the verified snapshot
//!   (`None`: the community takes no payloads yet); draw 10 random bytes for
//!   [`TrackingCode::from_random`](crate::requests::tracking::TrackingCode::from_random)
//!   and 64 for [`SealEntropy::from_bytes`]; build [`Submission::request`] (category,
//!   description, [`Urgency`](crate::model::Urgency), contact) or [`Submission::rating`]
//!   with `content.intake.community`; [`seal`] it to `content.intake.recipient`; show the
//!   armored text and its QR code (it fits one, see the limits).
//! - **Workspace**: [`IntakeKeys::from_settings`] → [`open`] (shows
//!   [`Opened::submission`] for confirmation; [`take_in`] may be called first to say
//!   "already taken in" / "code taken" before the guide confirms) → in one checked
//!   transaction reading every request, the calendar and the improvement items:
//!   [`take_in`] with a [`Context`] (`community` = [`community_id`] of the settings, `now`,
//!   the calendar, the categories, the guide's colour and household if changed), then
//!   write [`IntakeOutcome::request`] (add for `Created`, put for `Rated`),
//!   [`IntakeOutcome::audit_entry`] by the acting guide, and for a rating the item of
//!   [`crate::requests::satisfaction::item_after_rating`] — exactly what [`apply`] does
//!   to a dataset. Keys: `Identity::from_bytes(32 random bytes)` →
//!   [`IntakeKeys::rotate`] → store [`IntakeKeys::to_setting`] with a history entry.
//!
//! # Keys
//!
//! [`IntakeKeys`] (setting [`keys::SETTING_KEY`]): the current key pair and the retired
//! ones; [`IntakeKeys::rotate`] with a fresh identity drawn by the caller,
//! [`IntakeKeys::delete_retired`]. Pure: no clock and no randomness here; sealing
//! ([`seal`]) takes its 64 random bytes as [`SealEntropy`].

pub mod age;
pub mod keys;
pub mod submission;
mod take;
#[cfg(test)]
mod tests;

pub use age::{Identity, KeyError, SealEntropy};
pub use keys::{IntakeKey, IntakeKeys, KeysError};
pub use submission::{Body, Submission};
pub use take::{apply, colour_of, take_in, Context, IntakeOutcome, RATING_NOTE};

use crate::backup::sha256_hex;
use crate::model::{RequestStatus, Setting};

/// Largest pasted text or payload file accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 4_096;

/// Why a payload was refused. Nothing is changed when one is returned. The workspace
/// translates [`IntakeError::code`]; the English text is the CLI's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// Over [`MAX_TEXT_BYTES`], or a plaintext over the limit.
    #[error("the payload is larger than the limit ({MAX_TEXT_BYTES} bytes of text)")]
    TooLarge,
    /// Not an age payload at all, or an invalid one.
    #[error("not a sealed payload: {0}")]
    Malformed(String),
    /// Cut off: the end line or part of the file is missing.
    #[error("the payload is incomplete (cut off): ask the resident to send it again in full")]
    Truncated,
    /// Authentication failed: the text was changed (or cut) after sealing.
    #[error("the payload was changed after it was sealed (a character is wrong or missing)")]
    Damaged,
    /// The community has no intake key yet.
    #[error("this community has no intake key yet")]
    NoKeys,
    /// None of the community's keys (current or retired) opens it: sealed to another
    /// community's key, or to a retired key that was deleted.
    #[error("none of this community's intake keys opens it: it is for another community, or sealed to a retired key that was deleted")]
    NoKey,
    /// Opened, but the plaintext is not a Linli intake payload.
    #[error("the sealed content is not a Linli intake payload: {0}")]
    Format(String),
    /// Written by a newer version of Linli.
    #[error("the payload has version {found}; this workspace reads up to version 1: update Linli")]
    Newer { found: u32 },
    /// A field's value is not acceptable.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// Addressed to another community.
    #[error("the payload is for another community ({found})")]
    WrongCommunity { found: String },
    /// Its tracking code already belongs to another request.
    #[error("its tracking code already belongs to another request")]
    CodeTaken,
    /// A rating for a code no request has.
    #[error("no request has this tracking code")]
    UnknownCode,
    /// A rating for a request that is not resolved or closed.
    #[error("only a resolved or closed request can be rated (this one is {})", status.code())]
    NotRateable { status: RequestStatus },
    /// The request life cycle refused the change.
    #[error("{0}")]
    Refused(crate::requests::lifecycle::RequestError),
}

impl IntakeError {
    /// A stable code: `too_large`, `malformed`, `truncated`, `damaged`, `no_keys`,
    /// `no_key`, `format`, `newer`, `invalid`, `wrong_community`, `code_taken`,
    /// `unknown_code`, `not_rateable`, `refused`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::Malformed(_) => "malformed",
            Self::Truncated => "truncated",
            Self::Damaged => "damaged",
            Self::NoKeys => "no_keys",
            Self::NoKey => "no_key",
            Self::Format(_) => "format",
            Self::Newer { .. } => "newer",
            Self::Invalid { .. } => "invalid",
            Self::WrongCommunity { .. } => "wrong_community",
            Self::CodeTaken => "code_taken",
            Self::UnknownCode => "unknown_code",
            Self::NotRateable { .. } => "not_rateable",
            Self::Refused(_) => "refused",
        }
    }
}

/// An opened, validated payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub submission: Submission,
    /// Lower-case hex SHA-256 of the binary age file (the armor decoded): the same
    /// payload pasted twice, however mangled its whitespace, has the same digest.
    pub digest: String,
}

/// Opens a pasted text or payload file with the community's keys (current first, then
/// the retired ones) and validates the submission. Deterministic; changes nothing.
///
/// # Errors
///
/// [`IntakeError::NoKeys`], then those of [`age::dearmor`], [`age::open`] and
/// [`Submission::decode`].
///
/// # Examples
///
/// ```
/// use linli_domain::intake::{self, Identity, IntakeKeys, SealEntropy, Submission};
/// use linli_domain::model::Urgency;
/// use linli_domain::requests::tracking::TrackingCode;
/// let id = Identity::from_bytes([7; 32]);
/// let keys = IntakeKeys::default().rotate(&id.secret_string(), "2026-12-07").unwrap();
/// let code = TrackingCode::from_random([1; 10]);
/// let s = Submission::request("linli/demo", code, "housing_repair", "楼道灯坏了", Urgency::Medium, None).unwrap();
/// let text = intake::seal(&s, keys.public_key().unwrap(), &SealEntropy::from_bytes(&[9; 64])).unwrap();
/// assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
/// // Pasted through a chat app that joined the lines and added a greeting:
/// let pasted = format!("您好，我的诉求：{}", text.replace('\n', " "));
/// let opened = intake::open(pasted.as_bytes(), &keys).unwrap();
/// assert_eq!(opened.submission, s);
/// assert_eq!(intake::open(text.as_bytes(), &IntakeKeys::default()).unwrap_err().code(), "no_keys");
/// ```
pub fn open(input: &[u8], keys: &IntakeKeys) -> Result<Opened, IntakeError> {
    let identities = keys.identities();
    if identities.is_empty() {
        return Err(IntakeError::NoKeys);
    }
    let file = age::dearmor(input, MAX_TEXT_BYTES)?;
    let plain = age::open(&file, &identities, submission::MAX_PLAINTEXT_BYTES)?;
    Ok(Opened {
        submission: Submission::decode(&plain)?,
        digest: sha256_hex(&file),
    })
}

/// Seals `submission` to `recipient` (`age1…`) as ASCII armor, with the caller's fresh
/// randomness (see [`SealEntropy`]): what the residents' phone does. The text opens
/// with `age -d` and [`open`].
///
/// # Errors
///
/// [`IntakeError::TooLarge`] ([`Submission::encode`]), [`IntakeError::Invalid`] (field
/// `recipient`) when `recipient` is not an age X25519 recipient.
pub fn seal(submission: &Submission, recipient: &str, entropy: &SealEntropy) -> Result<String, IntakeError> {
    let bad = |e: KeyError| IntakeError::Invalid {
        field: "recipient",
        reason: e.to_string(),
    };
    let to = age::parse_recipient(recipient).map_err(bad)?;
    let plain = submission.encode()?;
    Ok(age::armor(&age::seal(&plain, &to, entropy).map_err(bad)?))
}

/// The community's id in payloads and in the snapshot (`content.intake.community`): the
/// signed history's origin of its names in the `community` setting
/// ([`crate::signing::origin`], e.g. `linli/linli-demo-community`). Renaming the
/// community changes it: payloads sealed before are then refused as for another
/// community.
pub fn community_id(settings: &[Setting]) -> String {
    let c = crate::snapshot::community_of(settings);
    crate::signing::origin(&c.name_en, &c.name_zh)
}
