//! The age v1 file format (<https://age-encryption.org/v1>), X25519 recipients only, for
//! payloads that fit in memory and in one STREAM chunk (64 KiB): opening with the
//! community's identities, and sealing with randomness passed in.
//!
//! Why not the `age` crate here: it draws file keys and nonces from the operating system
//! (`rand`'s `OsRng`, so `getrandom` would enter the domain's tree, which `scripts/test.sh`
//! forbids), and it brings scrypt, post-quantum and plugin code, an i18n runtime and
//! embedded assets that neither the residents' bundle nor the workspace's main thread
//! should carry. Opening a file is deterministic and needs only primitives the domain
//! already has (X25519 from `curve25519-dalek`, the Ed25519 dependency; HKDF-SHA256,
//! HMAC-SHA256, ChaCha20-Poly1305 from RustCrypto) plus `bech32` for the key strings. The
//! CLI's tests check both directions against the `age` crate and the reference tools
//! (`cli/tests/intake.rs`).
//!
//! The steps, as the specification gives them:
//! - header: `age-encryption.org/v1`, stanzas `-> X25519 <ephemeral share>` with the
//!   wrapped file key as body (base64 without padding, lines of 64 columns, the last one
//!   shorter), then `--- <MAC>`;
//! - per stanza: shared secret `X25519(identity, share)` (all-zero refused), wrap key
//!   `HKDF-SHA256(ikm = shared, salt = share ‖ recipient, info = "age-encryption.org/v1/X25519")`,
//!   file key = ChaCha20-Poly1305 open of the 32-byte body under a zero nonce;
//! - header MAC: `HMAC-SHA256(HKDF(ikm = file key, salt = "", info = "header"), header up to
//!   and including "---")`;
//! - payload: a 16-byte nonce, then chunks sealed with ChaCha20-Poly1305 under
//!   `HKDF(ikm = file key, salt = nonce, info = "payload")`, nonce = 11-byte big-endian
//!   counter ‖ last-chunk flag. Here only a single (last) chunk is accepted.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD, STANDARD_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::IntakeError;

/// The first line of a binary age v1 file.
pub const INTRO: &str = "age-encryption.org/v1";
/// The first line of an ASCII-armored age file.
pub const ARMOR_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
/// The last line of an ASCII-armored age file.
pub const ARMOR_END: &str = "-----END AGE ENCRYPTED FILE-----";
const X25519_TAG: &str = "X25519";
const X25519_LABEL: &[u8] = b"age-encryption.org/v1/X25519";
/// Plaintext bytes per STREAM chunk.
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const PUBLIC_HRP: &str = "age";
const SECRET_HRP: &str = "age-secret-key-";

/// Why an age key string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not `AGE-SECRET-KEY-1…` (Bech32, 32 bytes).
    #[error("not an age X25519 identity (AGE-SECRET-KEY-1…)")]
    Identity,
    /// Not `age1…` (Bech32, 32 bytes), or a point that gives no shared secret.
    #[error("not an age X25519 recipient (age1…)")]
    Recipient,
}

/// An age X25519 identity (the private key). Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Identity {
    secret: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Identity({})", self.recipient())
    }
}

fn bech32_bytes(s: &str, hrp: &str) -> Option<[u8; 32]> {
    let parsed = bech32::primitives::decode::CheckedHrpstring::new::<bech32::Bech32>(s).ok()?;
    if parsed.hrp().to_lowercase() != hrp {
        return None;
    }
    let bytes: Vec<u8> = parsed.byte_iter().collect();
    bytes.try_into().ok()
}

fn bech32_string(hrp: &str, bytes: &[u8; 32], upper: bool) -> String {
    // Both HRPs are valid and 32 bytes fit any Bech32 length limit.
    let hrp = bech32::Hrp::parse(hrp).expect("a valid human-readable part");
    let s = if upper {
        bech32::encode_upper::<bech32::Bech32>(hrp, bytes)
    } else {
        bech32::encode_lower::<bech32::Bech32>(hrp, bytes)
    };
    s.expect("32 bytes fit a Bech32 string")
}

impl Identity {
    /// Reads `AGE-SECRET-KEY-1…` (as `age-keygen` and `rage-keygen` write it; surrounding
    /// whitespace ignored).
    ///
    /// # Errors
    ///
    /// [`KeyError::Identity`].
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let secret = Zeroizing::new(bech32_bytes(text.trim(), SECRET_HRP).ok_or(KeyError::Identity)?);
        let public = MontgomeryPoint::mul_base_clamped(*secret).to_bytes();
        Ok(Self { secret, public })
    }

    /// The identity of 32 secret bytes (the CLI draws them from the operating system).
    pub fn from_bytes(secret: [u8; 32]) -> Self {
        let public = MontgomeryPoint::mul_base_clamped(secret).to_bytes();
        Self {
            secret: Zeroizing::new(secret),
            public,
        }
    }

    /// `AGE-SECRET-KEY-1…`, upper case as age writes it.
    pub fn secret_string(&self) -> String {
        bech32_string(SECRET_HRP, &self.secret, true)
    }

    /// The matching recipient, `age1…`.
    pub fn recipient(&self) -> String {
        bech32_string(PUBLIC_HRP, &self.public, false)
    }
}

/// Reads an `age1…` recipient into its 32 bytes.
///
/// # Errors
///
/// [`KeyError::Recipient`].
pub fn parse_recipient(text: &str) -> Result<[u8; 32], KeyError> {
    bech32_bytes(text.trim(), PUBLIC_HRP).ok_or(KeyError::Recipient)
}

fn hkdf32(salt: &[u8], info: &[u8], ikm: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, okm.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

fn header_mac(file_key: &[u8; 16], header: &[u8]) -> Hmac<Sha256> {
    let key = hkdf32(b"", b"header", file_key);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref()).expect("HMAC takes any key length");
    mac.update(header);
    mac
}

fn last_chunk_nonce() -> Nonce {
    let mut n = [0u8; 12];
    n[11] = 1;
    Nonce::from(n)
}

fn aead(key: &[u8; 32]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(Key::from_slice(key))
}

/// Whether `bytes` begin like a binary age file.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.starts_with(INTRO.as_bytes()) && bytes.get(INTRO.len()) == Some(&b'\n')
}

fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// The binary age file in `input`: a binary file as is, or the ASCII armor found in a
/// pasted text, tolerating what messaging apps do to it: text before and after the
/// armor, line breaks removed, added or changed (`\r\n`), spaces, tabs, full-width and
/// zero-width spaces anywhere inside, and missing `=` padding.
///
/// # Errors
///
/// [`IntakeError::TooLarge`] over `max` bytes, [`IntakeError::Malformed`] (no armor, not
/// UTF-8, a character outside base64), [`IntakeError::Truncated`] (no end line, or base64
/// cut inside a group).
pub fn dearmor(input: &[u8], max: usize) -> Result<Vec<u8>, IntakeError> {
    if input.len() > max {
        return Err(IntakeError::TooLarge);
    }
    if is_binary(input) {
        return Ok(input.to_vec());
    }
    let text = std::str::from_utf8(input).map_err(|_| IntakeError::Malformed("not text".into()))?;
    let Some(begin) = text.find(ARMOR_BEGIN) else {
        if text.chars().all(is_invisible) {
            return Err(IntakeError::Malformed("empty".into()));
        }
        return Err(IntakeError::Malformed(format!("no `{ARMOR_BEGIN}` line")));
    };
    let rest = &text[begin + ARMOR_BEGIN.len()..];
    let Some(end) = rest.find(ARMOR_END) else {
        return Err(IntakeError::Truncated);
    };
    let body: String = rest[..end].chars().filter(|c| !is_invisible(*c)).collect();
    if body.is_empty() {
        return Err(IntakeError::Truncated);
    }
    if let Some(bad) = body
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
    {
        return Err(IntakeError::Malformed(format!(
            "character {bad:?} inside the armor"
        )));
    }
    let lenient = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    lenient.decode(body.as_bytes()).map_err(|e| match e {
        base64::DecodeError::InvalidLength(_) => IntakeError::Truncated,
        _ => IntakeError::Malformed("invalid base64 inside the armor".into()),
    })
}

/// ASCII armor of a binary age file, as `age -a` writes it: lines of 64 columns of
/// padded base64 between the begin and end lines, each line ending in `\n`.
pub fn armor(binary: &[u8]) -> String {
    let b64 = STANDARD.encode(binary);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 80);
    out.push_str(ARMOR_BEGIN);
    out.push('\n');
    for line in b64.as_bytes().chunks(64) {
        // Base64 is ASCII.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(ARMOR_END);
    out.push('\n');
    out
}

struct Stanza {
    tag: String,
    args: Vec<String>,
    body: Vec<u8>,
}

struct Header {
    stanzas: Vec<Stanza>,
    /// Bytes from the start through `---` (what the MAC covers).
    mac_input_len: usize,
    mac: Vec<u8>,
    payload_start: usize,
}

fn malformed(why: &str) -> IntakeError {
    IntakeError::Malformed(format!("invalid age header: {why}"))
}

fn parse_header(file: &[u8]) -> Result<Header, IntakeError> {
    let mut pos = 0usize;
    // The next line without its `\n`, or Truncated when the header stops early.
    let line = |pos: &mut usize| -> Result<(usize, &[u8]), IntakeError> {
        let start = *pos;
        let len = file[start..]
            .iter()
            .position(|&b| b == b'\n')
            .ok_or(IntakeError::Truncated)?;
        *pos = start + len + 1;
        Ok((start, &file[start..start + len]))
    };
    let (_, intro) = line(&mut pos)?;
    if intro != INTRO.as_bytes() {
        return Err(if intro.starts_with(b"age-encryption.org/") {
            malformed("an age version other than v1")
        } else {
            malformed("not an age file")
        });
    }
    let mut stanzas = Vec::new();
    loop {
        let (start, l) = line(&mut pos)?;
        if let Some(mac) = l.strip_prefix(b"--- ") {
            let mac = STANDARD_NO_PAD
                .decode(mac)
                .map_err(|_| malformed("the MAC is not base64"))?;
            if mac.len() != 32 {
                return Err(malformed("the MAC is not 32 bytes"));
            }
            return Ok(Header {
                stanzas,
                mac_input_len: start + 3,
                mac,
                payload_start: pos,
            });
        }
        let Some(args) = l.strip_prefix(b"-> ") else {
            return Err(malformed("a line that is neither a stanza nor the MAC"));
        };
        let args = std::str::from_utf8(args).map_err(|_| malformed("a stanza line is not text"))?;
        let mut args: Vec<String> = args.split(' ').map(str::to_owned).collect();
        if args
            .iter()
            .any(|a| a.is_empty() || !a.chars().all(|c| c.is_ascii_graphic()))
        {
            return Err(malformed("an empty or invalid stanza argument"));
        }
        let tag = args.remove(0);
        let mut body = Vec::new();
        loop {
            let (_, b) = line(&mut pos)?;
            if b.len() > 64 {
                return Err(malformed("a stanza body line longer than 64 columns"));
            }
            body.extend(
                STANDARD_NO_PAD
                    .decode(b)
                    .map_err(|_| malformed("a stanza body is not base64"))?,
            );
            if b.len() < 64 {
                break;
            }
        }
        stanzas.push(Stanza { tag, args, body });
    }
}

fn unwrap_x25519(stanza: &Stanza, id: &Identity) -> Result<Option<Zeroizing<[u8; 16]>>, IntakeError> {
    let [share] = &stanza.args[..] else {
        return Err(malformed("an X25519 stanza without exactly one argument"));
    };
    let share: [u8; 32] = STANDARD_NO_PAD
        .decode(share)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| malformed("an X25519 share that is not 32 bytes"))?;
    if stanza.body.len() != 32 {
        return Err(malformed("an X25519 body that is not 32 bytes"));
    }
    let shared = Zeroizing::new(MontgomeryPoint(share).mul_clamped(*id.secret).to_bytes());
    if shared.iter().all(|&b| b == 0) {
        return Err(malformed("an X25519 share of low order"));
    }
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(&share);
    salt[32..].copy_from_slice(&id.public);
    let wrap = hkdf32(&salt, X25519_LABEL, shared.as_ref());
    let Ok(key) = aead(&wrap).decrypt(&Nonce::default(), stanza.body.as_slice()) else {
        return Ok(None);
    };
    let key = Zeroizing::new(key);
    let file_key: [u8; 16] = key
        .as_slice()
        .try_into()
        .map_err(|_| malformed("a file key of the wrong length"))?;
    Ok(Some(Zeroizing::new(file_key)))
}

/// Opens a binary age file with the first of `identities` that is one of its recipients,
/// refusing a plaintext longer than `max_plain` bytes before decrypting it.
///
/// # Errors
///
/// [`IntakeError::Malformed`] (not age v1, an invalid stanza), [`IntakeError::Truncated`]
/// (header or payload cut), [`IntakeError::NoKey`] (no identity opens it),
/// [`IntakeError::Damaged`] (header MAC or payload authentication failed),
/// [`IntakeError::TooLarge`].
pub fn open(file: &[u8], identities: &[Identity], max_plain: usize) -> Result<Vec<u8>, IntakeError> {
    let header = parse_header(file)?;
    let mut file_key = None;
    'ids: for id in identities {
        for s in header.stanzas.iter().filter(|s| s.tag == X25519_TAG) {
            if let Some(k) = unwrap_x25519(s, id)? {
                file_key = Some(k);
                break 'ids;
            }
        }
    }
    let Some(file_key) = file_key else {
        return Err(IntakeError::NoKey);
    };
    header_mac(&file_key, &file[..header.mac_input_len])
        .verify_slice(&header.mac)
        .map_err(|_| IntakeError::Damaged)?;
    let payload = &file[header.payload_start..];
    if payload.len() < 16 + TAG {
        return Err(IntakeError::Truncated);
    }
    let (nonce, sealed) = payload.split_at(16);
    if sealed.len() - TAG > max_plain.min(CHUNK) {
        return Err(IntakeError::TooLarge);
    }
    let key = hkdf32(nonce, b"payload", file_key.as_ref());
    aead(&key)
        .decrypt(&last_chunk_nonce(), sealed)
        .map_err(|_| IntakeError::Damaged)
}

/// The randomness one sealing needs, drawn by the caller from a secure source (the
/// browser's `crypto.getRandomValues`, the operating system), fresh for every payload:
/// reusing it would let a reader link or open payloads.
#[derive(Clone)]
pub struct SealEntropy {
    /// The ephemeral X25519 secret.
    pub ephemeral: [u8; 32],
    /// The age file key.
    pub file_key: [u8; 16],
    /// The payload nonce.
    pub nonce: [u8; 16],
}

impl std::fmt::Debug for SealEntropy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealEntropy(…)")
    }
}

impl SealEntropy {
    /// Bytes the caller draws: 32 + 16 + 16.
    pub const LEN: usize = 64;

    /// From 64 random bytes.
    pub fn from_bytes(b: &[u8; Self::LEN]) -> Self {
        let mut ephemeral = [0u8; 32];
        let mut file_key = [0u8; 16];
        let mut nonce = [0u8; 16];
        ephemeral.copy_from_slice(&b[..32]);
        file_key.copy_from_slice(&b[32..48]);
        nonce.copy_from_slice(&b[48..]);
        Self {
            ephemeral,
            file_key,
            nonce,
        }
    }
}

/// A binary age v1 file of `plain` for one X25519 recipient, with the randomness passed
/// in: byte for byte what age writes with the same random values.
///
/// # Errors
///
/// [`KeyError::Recipient`] when `recipient` gives an all-zero shared secret (a low-order
/// point), or `plain` is longer than one chunk (64 KiB; also [`KeyError::Recipient`]
/// never: the caller's limits are far below).
pub fn seal(plain: &[u8], recipient: &[u8; 32], entropy: &SealEntropy) -> Result<Vec<u8>, KeyError> {
    let share = MontgomeryPoint::mul_base_clamped(entropy.ephemeral).to_bytes();
    let shared = Zeroizing::new(
        MontgomeryPoint(*recipient)
            .mul_clamped(entropy.ephemeral)
            .to_bytes(),
    );
    if shared.iter().all(|&b| b == 0) || plain.len() > CHUNK {
        return Err(KeyError::Recipient);
    }
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(&share);
    salt[32..].copy_from_slice(recipient);
    let wrap = hkdf32(&salt, X25519_LABEL, shared.as_ref());
    let body = aead(&wrap)
        .encrypt(&Nonce::default(), entropy.file_key.as_slice())
        .map_err(|_| KeyError::Recipient)?;
    let mut out = format!(
        "{INTRO}\n-> {X25519_TAG} {}\n{}\n---",
        STANDARD_NO_PAD.encode(share),
        STANDARD_NO_PAD.encode(&body)
    )
    .into_bytes();
    let mac = header_mac(&entropy.file_key, &out).finalize().into_bytes();
    out.extend_from_slice(format!(" {}\n", STANDARD_NO_PAD.encode(mac)).as_bytes());
    out.extend_from_slice(&entropy.nonce);
    let key = hkdf32(&entropy.nonce, b"payload", &entropy.file_key);
    let sealed = aead(&key)
        .encrypt(&last_chunk_nonce(), plain)
        .map_err(|_| KeyError::Recipient)?;
    out.extend_from_slice(&sealed);
    Ok(out)
}
