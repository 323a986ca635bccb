//! Encrypted backups in the workspace: the standard [age](https://age-encryption.org/v1)
//! format, with the same `age` crate and parameters as the CLI (`cli/src/vault.rs`), so
//! `linli`, `age` and `rage` open a backup made here and this page restores theirs. The
//! file inside is exactly the plain backup `linli_domain::backup::encode` writes.
//!
//! # Parameters
//!
//! * file key: 16 random bytes per file (`crypto.getRandomValues` through getrandom);
//! * payload: ChaCha20-Poly1305 in 64 KiB chunks (age's STREAM), key from HKDF-SHA-256
//!   over the file key and a 16-byte random nonce; the header is authenticated by
//!   HMAC-SHA-256 under a key derived from the file key;
//! * passphrase: scrypt with N = 2^18 ([`SCRYPT_LOG_N`], the reference tool's value,
//!   above OWASP's minimum 2^17), r = 8, p = 1, 16-byte random salt; decryption accepts
//!   at most N = 2^22 ([`MAX_SCRYPT_LOG_N`]) so a crafted file cannot spin for minutes;
//!   passphrases shorter than [`MIN_PASSPHRASE_CHARS`] characters are refused;
//! * X25519 (the street office's `age1…` keys): ephemeral-static Diffie–Hellman,
//!   HKDF-SHA-256, ChaCha20-Poly1305 wrap.
//!
//! age forbids mixing a passphrase with other recipients in one file, so a backup is made
//! either with a passphrase or to the saved keys ([`Seal`]).
//!
//! The work runs in the backup worker (`src/bin/backup_worker.rs`, protocol [`Job`] and
//! [`Reply`]): scrypt takes about a second or more and the page stays responsive, and the
//! page's own wasm links only [`parse_recipients`] (the age code is in the worker's file,
//! loaded when a backup is made or restored).
//!
//! Secrets travel to the worker in the job message and are wiped (`zeroize`) after use;
//! no error names a secret or the input.

use std::io::{Read, Write};
use std::str::FromStr;

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// The scrypt work factor (log2 N) used to encrypt: the reference `age` tool's value.
pub const SCRYPT_LOG_N: u8 = 18;
/// Highest scrypt work factor (log2 N) accepted to decrypt: the reference tool's limit.
pub const MAX_SCRYPT_LOG_N: u8 = 22;
/// Shortest backup passphrase accepted, in characters (Chinese characters count one each).
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// The setting holding the street office's age public keys (a JSON array of `age1…`).
pub const RECIPIENTS_SETTING: &str = "backup_recipients";

/// First bytes of a binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";
/// First line of an armored age file.
const ARMOR_MAGIC: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
/// First characters of an age X25519 identity (secret key).
const IDENTITY_PREFIX: &str = "AGE-SECRET-KEY-1";

/// Whether `bytes` start like an age file (binary, or armor after blank lines).
pub fn is_age(bytes: &[u8]) -> bool {
    bytes.starts_with(AGE_MAGIC) || trim_leading_space(bytes).starts_with(ARMOR_MAGIC)
}

/// Whether `bytes` look like a plain (legacy, unencrypted) backup: a JSON object.
pub fn is_plain_json(bytes: &[u8]) -> bool {
    let b = trim_leading_space(bytes);
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    b.starts_with(b"{")
}

fn trim_leading_space(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[n..]
}

/// How strong a typed passphrase looks (a hint, not a rule beyond the minimum length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Shorter than [`MIN_PASSPHRASE_CHARS`]: refused.
    TooShort,
    Weak,
    Fair,
    Strong,
}

/// The strength hint of `p`: its length and how many kinds of characters it mixes
/// (lower case, upper case, digits, others such as spaces, punctuation or Chinese).
pub fn strength(p: &str) -> Strength {
    let chars = p.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Strength::TooShort;
    }
    let kinds = [
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .into_iter()
    .filter(|k| *k)
    .count();
    let distinct = {
        let mut v: Vec<char> = p.chars().collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    if distinct < 5 {
        Strength::Weak
    } else if chars >= 20 && kinds >= 2 || chars >= 16 && kinds >= 3 {
        Strength::Strong
    } else if kinds >= 2 || chars >= 16 {
        Strength::Fair
    } else {
        Strength::Weak
    }
}

/// A line of the recipients field that is not an age public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecipient {
    /// 1-based line number.
    pub line: usize,
    /// Whether the line is a secret key (`AGE-SECRET-KEY-1…`), pasted by mistake.
    pub is_secret: bool,
}

/// The age X25519 public keys of `text`, one a line (blank lines and `#` comments
/// skipped, repeats dropped).
///
/// # Errors
///
/// The first line that is not an `age1…` public key.
pub fn parse_recipients(text: &str) -> Result<Vec<String>, BadRecipient> {
    let mut out: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        match age::x25519::Recipient::from_str(l) {
            Ok(r) => {
                let r = r.to_string();
                if !out.contains(&r) {
                    out.push(r);
                }
            }
            Err(_) => {
                return Err(BadRecipient {
                    line: i + 1,
                    is_secret: l.to_ascii_uppercase().starts_with(IDENTITY_PREFIX),
                })
            }
        }
    }
    Ok(out)
}

/// How a backup is encrypted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Seal {
    /// To a passphrase (age's scrypt recipient).
    Passphrase(String),
    /// To these age X25519 public keys.
    Recipients(Vec<String>),
}

impl Drop for Seal {
    fn drop(&mut self) {
        if let Seal::Passphrase(p) = self {
            p.zeroize();
        }
    }
}

/// Why a backup could not be opened. Nothing was changed in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpenError {
    /// Encrypted with a passphrase and none (or a key) was given.
    NeedsPassphrase,
    /// Encrypted to age keys and no secret key was given.
    NeedsIdentity,
    /// The passphrase does not open it (or its passphrase line was changed).
    WrongPassphrase,
    /// The secret key is not one of its recipients.
    WrongIdentity,
    /// The text given as a secret key is not an `AGE-SECRET-KEY-1…` key.
    BadIdentity,
    /// It failed authentication: changed or cut after it was encrypted.
    Damaged,
    /// Its age header is invalid or of an unknown version.
    InvalidHeader,
    /// Its passphrase work factor is above 2^22.
    ExcessiveWork,
    /// It holds another age file inside.
    Nested,
}

/// Encrypts `plain` as `seal` says, as a binary age file.
///
/// # Errors
///
/// A recipient that is not an `age1…` key, a passphrase shorter than the minimum, or
/// age's own failure (its message).
pub fn seal(plain: &[u8], seal: &Seal) -> Result<Vec<u8>, String> {
    let encryptor = match seal {
        Seal::Passphrase(p) => {
            if p.chars().count() < MIN_PASSPHRASE_CHARS {
                return Err("passphrase too short".to_owned());
            }
            let mut r = age::scrypt::Recipient::new(SecretString::from(p.clone()));
            r.set_work_factor(SCRYPT_LOG_N);
            age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
                .map_err(|e| e.to_string())?
        }
        Seal::Recipients(list) => {
            let mut keys = Vec::new();
            for (i, r) in list.iter().enumerate() {
                keys.push(
                    age::x25519::Recipient::from_str(r.trim())
                        .map_err(|_| format!("recipient {} is not an age1… key", i + 1))?,
                );
            }
            if keys.is_empty() {
                return Err("no recipient".to_owned());
            }
            age::Encryptor::with_recipients(keys.iter().map(|k| k as &dyn age::Recipient))
                .map_err(|e| e.to_string())?
        }
    };
    let mut out = Vec::with_capacity(plain.len() + plain.len() / 64 + 1024);
    let mut w = encryptor.wrap_output(&mut out).map_err(|e| e.to_string())?;
    w.write_all(plain).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// Decrypts the age file `bytes` with `secret`: an `AGE-SECRET-KEY-1…` key (a line of
/// an identity file, or the whole file) or else a passphrase. Returns the plain backup.
///
/// # Errors
///
/// [`OpenError`]: what is wrong, never the secret.
pub fn open(bytes: &[u8], secret: &str) -> Result<Vec<u8>, OpenError> {
    let start = if bytes.starts_with(AGE_MAGIC) {
        bytes
    } else {
        trim_leading_space(bytes)
    };
    let input = age::armor::ArmoredReader::new(std::io::Cursor::new(start));
    let decryptor = age::Decryptor::new_buffered(std::io::BufReader::new(input)).map_err(|e| match e {
        age::DecryptError::ExcessiveWork { .. } => OpenError::ExcessiveWork,
        age::DecryptError::Io(_) => OpenError::Damaged,
        _ => OpenError::InvalidHeader,
    })?;
    let identities = identities(secret)?;
    let plain = if decryptor.is_scrypt() {
        if identities.is_some() || secret.is_empty() {
            return Err(OpenError::NeedsPassphrase);
        }
        let mut id = age::scrypt::Identity::new(SecretString::from(secret.to_owned()));
        id.set_max_work_factor(MAX_SCRYPT_LOG_N);
        read(decryptor, std::iter::once(&id as &dyn age::Identity), true)?
    } else {
        let Some(ids) = identities else {
            return Err(OpenError::NeedsIdentity);
        };
        read(decryptor, ids.iter().map(|i| i as &dyn age::Identity), false)?
    };
    if is_age(&plain) {
        return Err(OpenError::Nested);
    }
    Ok(plain)
}

/// The X25519 identities in `secret` when it holds any `AGE-SECRET-KEY-1…` line.
fn identities(secret: &str) -> Result<Option<Vec<age::x25519::Identity>>, OpenError> {
    let lines: Vec<&str> = secret
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if !lines
        .iter()
        .any(|l| l.to_ascii_uppercase().starts_with(IDENTITY_PREFIX))
    {
        return Ok(None);
    }
    let mut ids = Vec::new();
    for l in lines {
        ids.push(age::x25519::Identity::from_str(l).map_err(|_| OpenError::BadIdentity)?);
    }
    Ok(Some(ids))
}

fn read<'a, R: std::io::BufRead>(
    decryptor: age::Decryptor<R>,
    identities: impl Iterator<Item = &'a dyn age::Identity>,
    passphrase: bool,
) -> Result<Vec<u8>, OpenError> {
    let mut reader = decryptor.decrypt(identities).map_err(|e| match e {
        // The passphrase's stanza did not open: wrong passphrase (or that line edited).
        age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed if passphrase => {
            OpenError::WrongPassphrase
        }
        age::DecryptError::NoMatchingKeys if passphrase => OpenError::WrongPassphrase,
        age::DecryptError::NoMatchingKeys => OpenError::WrongIdentity,
        age::DecryptError::ExcessiveWork { .. } => OpenError::ExcessiveWork,
        age::DecryptError::InvalidHeader | age::DecryptError::UnknownFormat => OpenError::InvalidHeader,
        // The header's MAC (the file key opened, the header changed), a changed stanza,
        // a cut file.
        _ => OpenError::Damaged,
    })?;
    let mut plain = Vec::new();
    reader.read_to_end(&mut plain).map_err(|_| OpenError::Damaged)?;
    Ok(plain)
}

/// A job for the backup worker (sent as JSON text with the file's bytes beside it).
#[derive(Debug, Serialize, Deserialize)]
pub enum Job {
    /// Encrypt the bytes.
    Seal(Seal),
    /// Decrypt the bytes with this passphrase or secret key.
    Open(String),
    /// Encrypt the bytes as an armored (ASCII) age file: an enrolment, sent as text or a
    /// QR code ([`linli_domain::replication::enrol`]).
    SealArmored(Seal),
    /// Draw the bytes (text) as a QR code, error correction level L: the SVG's bytes.
    Qr,
}

impl Drop for Job {
    fn drop(&mut self) {
        if let Job::Open(s) = self {
            s.zeroize();
        }
    }
}

/// The backup worker's replies (JSON text, the result's bytes beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The worker listens: post the job.
    Ready,
    /// The job succeeded; its bytes are beside the message.
    Done,
    /// Decryption was refused.
    Refused(OpenError),
    /// Encryption failed (age's message, no secret in it).
    Failed(String),
}

/// Runs one job on `data` (in the worker).
pub fn run(job_text: &str, data: &[u8]) -> (Reply, Option<Vec<u8>>) {
    let job: Job = match serde_json::from_str(job_text) {
        Ok(j) => j,
        Err(_) => return (Reply::Failed("unreadable job".to_owned()), None),
    };
    match &job {
        Job::Seal(s) => match seal(data, s) {
            Ok(out) => (Reply::Done, Some(out)),
            Err(e) => (Reply::Failed(e), None),
        },
        Job::Open(secret) => match open(data, secret) {
            Ok(out) => (Reply::Done, Some(out)),
            Err(e) => (Reply::Refused(e), None),
        },
        Job::SealArmored(s) => match seal(data, s).and_then(|b| armor(&b)) {
            Ok(out) => (Reply::Done, Some(out)),
            Err(e) => (Reply::Failed(e), None),
        },
        Job::Qr => match qr_svg(data) {
            Some(svg) => (Reply::Done, Some(svg.into_bytes())),
            None => (Reply::Failed("too long for a QR code".to_owned()), None),
        },
    }
}

/// A binary age file in age's ASCII armor (the `age -a` format).
///
/// # Errors
///
/// age's message.
pub fn armor(binary: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(binary.len() * 4 / 3 + 128);
    let mut w = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|e| e.to_string())?;
    w.write_all(binary).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// The QR code of `text` (level L) as SVG, or `None` when it does not fit.
pub fn qr_svg(text: &[u8]) -> Option<String> {
    use qrcode::{render::svg, EcLevel, QrCode};
    QrCode::with_error_correction_level(text, EcLevel::L)
        .ok()
        .map(|c| {
            c.render::<svg::Color<'_>>()
                .min_dimensions(320, 320)
                .quiet_zone(true)
                .build()
        })
}

#[cfg(test)]
#[path = "backup_crypt_tests.rs"]
mod tests;
