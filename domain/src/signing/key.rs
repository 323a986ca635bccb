//! Ed25519 keys with their C2SP names: a signing key made from 32 seed bytes passed in,
//! and its verifier key (`vkey`) text `<name>+<hex key ID>+<base64(type || public key)>`.

use super::b64;
use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256};

/// Signature type of a signed-note Ed25519 signature (c2sp.org/signed-note).
pub const ED25519: u8 = 0x01;
/// Signature type of a timestamped Ed25519 checkpoint cosignature
/// (c2sp.org/tlog-cosignature).
pub const COSIGNATURE_V1: u8 = 0x04;

/// Why a key, its name, its seed or a vkey text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Empty, or with a space, a `+` or a control character.
    #[error("`{0}` is not a valid key name (non-empty, no spaces, no `+`)")]
    Name(String),
    /// The seed is not 64 hexadecimal digits.
    #[error("the key seed is not 64 hexadecimal digits")]
    Seed,
    /// The vkey text is not `<name>+<8 hex digits>+<base64>`.
    #[error("`{0}` is not a verifier key (`<name>+<key ID>+<base64 key>`)")]
    Vkey(String),
    /// Neither an Ed25519 note key nor an Ed25519 cosignature key.
    #[error("unsupported signature type {0:#04x}")]
    Type(u8),
    /// The 32 bytes are not a valid Ed25519 public key.
    #[error("the public key is not a valid Ed25519 point")]
    Point,
    /// The key ID written does not match the name and key.
    #[error("the key ID {written:08x} does not match the name and key ({computed:08x})")]
    KeyId { written: u32, computed: u32 },
}

/// Whether `name` can be a key name (and a checkpoint origin): non-empty, no Unicode
/// space, no `+`, no control character.
///
/// ```
/// use linli_domain::signing::valid_key_name;
/// assert!(valid_key_name("linli/example-community"));
/// assert!(!valid_key_name("a b") && !valid_key_name("a+b") && !valid_key_name(""));
/// ```
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// The key ID of signed-note: `SHA-256(name || 0x0A || type || public key)[:4]`, big-endian.
pub fn key_id(name: &str, kind: u8, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', kind]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A named Ed25519 signing key: the community's publishing key ([`ED25519`]) or a
/// witness's cosigning key ([`COSIGNATURE_V1`]). Its `Debug` does not print the seed.
#[derive(Clone)]
pub struct SigningKey {
    name: String,
    kind: u8,
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.verifier())
    }
}

impl SigningKey {
    /// A note-signing key (type [`ED25519`]) named `name`, from 32 seed bytes (RFC 8032's
    /// private key). The same seed always gives the same key and the same signatures.
    ///
    /// # Errors
    ///
    /// [`KeyError::Name`] for a name [`valid_key_name`] refuses.
    pub fn new(name: &str, seed: [u8; 32]) -> Result<Self, KeyError> {
        Self::with_type(name, ED25519, seed)
    }

    /// A witness's cosigning key (type [`COSIGNATURE_V1`]).
    ///
    /// # Errors
    ///
    /// [`KeyError::Name`].
    pub fn cosigner(name: &str, seed: [u8; 32]) -> Result<Self, KeyError> {
        Self::with_type(name, COSIGNATURE_V1, seed)
    }

    fn with_type(name: &str, kind: u8, seed: [u8; 32]) -> Result<Self, KeyError> {
        if !valid_key_name(name) {
            return Err(KeyError::Name(name.to_owned()));
        }
        Ok(Self {
            name: name.to_owned(),
            kind,
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The signature type: [`ED25519`] or [`COSIGNATURE_V1`].
    pub fn kind(&self) -> u8 {
        self.kind
    }

    /// The key ID its signature lines carry.
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, self.kind, self.key.verifying_key().as_bytes())
    }

    /// The public half.
    pub fn verifier(&self) -> VerifierKey {
        let public = self.key.verifying_key();
        VerifierKey {
            name: self.name.clone(),
            kind: self.kind,
            id: self.key_id(),
            public: public.to_bytes(),
            key: public,
        }
    }

    /// The key as the private-key text of Go's `golang.org/x/mod/sumdb/note`:
    /// `PRIVATE+KEY+<name>+<key ID hex>+<base64(type || seed)>`. Secret: whoever holds
    /// it signs as this key.
    pub fn to_private_text(&self) -> String {
        let mut material = Vec::with_capacity(33);
        material.push(self.kind);
        material.extend_from_slice(&self.key.to_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id(),
            b64::encode(&material)
        )
    }

    /// Reads [`SigningKey::to_private_text`] (surrounding white space ignored).
    ///
    /// # Errors
    ///
    /// [`KeyError`]: not that shape, a bad name or type, a key ID that does not match.
    ///
    /// ```
    /// use linli_domain::signing::SigningKey;
    /// let k = SigningKey::cosigner("street.example/w1", [3; 32]).unwrap();
    /// let back = SigningKey::from_private_text(&k.to_private_text()).unwrap();
    /// assert_eq!(back.verifier(), k.verifier());
    /// assert!(SigningKey::from_private_text("PRIVATE+KEY+x+00000000+AA==").is_err());
    /// ```
    pub fn from_private_text(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let bad = || KeyError::Vkey("PRIVATE+KEY+…".to_owned());
        let rest = text.strip_prefix("PRIVATE+KEY+").ok_or_else(bad)?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let material = b64::decode(material).ok_or_else(bad)?;
        let (&kind, seed) = material.split_first().ok_or_else(bad)?;
        if kind != ED25519 && kind != COSIGNATURE_V1 {
            return Err(KeyError::Type(kind));
        }
        let seed: [u8; 32] = seed.try_into().map_err(|_| bad())?;
        let key = Self::with_type(name, kind, seed)?;
        let written = u32::from_str_radix(id, 16).map_err(|_| bad())?;
        if id.len() != 8 || written != key.key_id() {
            return Err(KeyError::KeyId {
                written,
                computed: key.key_id(),
            });
        }
        Ok(key)
    }

    /// The 32-byte seed (secret).
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The raw Ed25519 signature of `msg` (deterministic).
    pub(crate) fn sign_raw(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }
}

/// A verifier key: name, type and Ed25519 public key. Its `Display` is the vkey text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    kind: u8,
    id: u32,
    public: [u8; 32],
    key: ed25519_dalek::VerifyingKey,
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut material = Vec::with_capacity(33);
        material.push(self.kind);
        material.extend_from_slice(&self.public);
        write!(f, "{}+{:08x}+{}", self.name, self.id, b64::encode(&material))
    }
}

impl VerifierKey {
    /// Reads a vkey text (surrounding white space ignored).
    ///
    /// # Errors
    ///
    /// [`KeyError`]: not three `+`-separated parts, a bad name, a key ID that is not 8
    /// lower-case hex digits or does not match, a type other than Ed25519 note or
    /// cosignature, a public key that is not 32 bytes or not a valid point.
    ///
    /// ```
    /// use linli_domain::signing::VerifierKey;
    /// // The example of c2sp.org/signed-note.
    /// let k = VerifierKey::parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k").unwrap();
    /// assert_eq!((k.name(), k.key_id()), ("example.com/foo", 0x530d_903a));
    /// assert!(VerifierKey::parse("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let bad = || KeyError::Vkey(text.chars().take(120).collect());
        // Names have no `+`; the base64 may.
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if !valid_key_name(name) {
            return Err(KeyError::Name(name.to_owned()));
        }
        if id.len() != 8
            || !id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(bad());
        }
        let written = u32::from_str_radix(id, 16).map_err(|_| bad())?;
        let material = b64::decode(material).ok_or_else(bad)?;
        let (&kind, public) = material.split_first().ok_or_else(bad)?;
        if kind != ED25519 && kind != COSIGNATURE_V1 {
            return Err(KeyError::Type(kind));
        }
        let public: [u8; 32] = public.try_into().map_err(|_| bad())?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public).map_err(|_| KeyError::Point)?;
        let computed = key_id(name, kind, &public);
        if computed != written {
            return Err(KeyError::KeyId { written, computed });
        }
        Ok(Self {
            name: name.to_owned(),
            kind,
            id: computed,
            public,
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> u8 {
        self.kind
    }

    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> &[u8; 32] {
        &self.public
    }

    /// The fingerprint printed on the notice and shown by `linli verify`:
    /// [`fingerprint`] of the public key.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public)
    }

    /// Whether `sig` is a valid Ed25519 signature of `msg` by this key (RFC 8032, strict:
    /// no small-order keys, no malleable signatures).
    pub(crate) fn verify_raw(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = <[u8; 64]>::try_from(sig) else {
            return false;
        };
        self.key
            .verify_strict(msg, &ed25519_dalek::Signature::from_bytes(&sig))
            .is_ok()
    }
}

/// A key's fingerprint: the first 16 bytes (128 bits) of SHA-256 of the 32-byte public
/// key, as 8 groups of 4 lower-case hex digits. It does not depend on the key's name, so
/// renaming the community keeps it; 128 bits are far beyond what a forger could match.
///
/// ```
/// use linli_domain::signing::SigningKey;
/// let k = SigningKey::new("linli/x", [7; 32]).unwrap();
/// let f = k.verifier().fingerprint();
/// assert_eq!(f.len(), 39);
/// assert_eq!(f, SigningKey::new("linli/renamed", [7; 32]).unwrap().verifier().fingerprint());
/// ```
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let d = Sha256::digest(public_key);
    d[..16]
        .chunks(2)
        .map(|c| format!("{:02x}{:02x}", c[0], c[1]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a 32-byte seed written as 64 hex digits (surrounding white space ignored).
///
/// # Errors
///
/// [`KeyError::Seed`].
pub fn seed_from_hex(hex: &str) -> Result<[u8; 32], KeyError> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 {
        return Err(KeyError::Seed);
    }
    let digit = |b: u8| -> Result<u8, KeyError> {
        match b {
            b'0'..=b'9' => Ok(b - b'0'),
            b'a'..=b'f' => Ok(b - b'a' + 10),
            b'A'..=b'F' => Ok(b - b'A' + 10),
            _ => Err(KeyError::Seed),
        }
    };
    let mut out = [0u8; 32];
    for (i, pair) in hex.chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Ok(out)
}

/// A seed as 64 lower-case hex digits (what the `publishing_key` setting holds).
pub fn seed_to_hex(seed: &[u8; 32]) -> String {
    seed.iter().map(|b| format!("{b:02x}")).collect()
}
