//! The C2SP signed-note format (<https://c2sp.org/signed-note>): a text ending in a
//! newline, a blank line, then one or more signature lines
//! `— <key name> <base64(4-byte key ID || signature)>`.

use super::b64;

use super::key::{valid_key_name, SigningKey, VerifierKey, ED25519};

/// The largest note read (a checkpoint with dozens of cosignatures is under 8 KiB).
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// The most signature lines read (the spec asks verifiers to accept at least 16).
pub const MAX_SIGNATURES: usize = 64;

const DASH: &str = "\u{2014} ";

/// Why a note was refused or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the note is larger than {MAX_NOTE_BYTES} bytes or has more than {MAX_SIGNATURES} signatures")]
    TooLarge,
    /// Not UTF-8, a control character, no final newline, no blank line before the
    /// signatures, or a signature line that is not `— <name> <base64>`.
    #[error("the note is malformed: {0}")]
    Malformed(&'static str),
    /// No signature line of this key (name and key ID).
    #[error("the note has no signature by {0}")]
    NotSigned(String),
    /// A signature line of this key does not verify: the text or the signature changed.
    #[error("the signature by {0} does not verify")]
    BadSignature(String),
    /// The key is of another type than this operation signs or verifies.
    #[error("the key {0} is of the wrong type for this signature")]
    WrongKeyType(String),
}

/// One signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: u32,
    /// The bytes after the key ID (for Ed25519, the 64-byte signature; for a
    /// cosignature, the 8-byte timestamp then the signature).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line, newline included.
    pub fn line(&self) -> String {
        let mut bytes = Vec::with_capacity(4 + self.signature.len());
        bytes.extend_from_slice(&self.key_id.to_be_bytes());
        bytes.extend_from_slice(&self.signature);
        format!("{DASH}{} {}\n", self.name, b64::encode(&bytes))
    }

    /// Whether this line claims to be by `key` (same name and key ID).
    pub fn is_by(&self, key: &VerifierKey) -> bool {
        self.name == key.name() && self.key_id == key.key_id()
    }
}

/// A signed note: its text (final newline included) and its signature lines in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

fn check_chars(s: &str) -> Result<(), NoteError> {
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed("a control character"));
    }
    Ok(())
}

impl Note {
    /// A note with `text` and no signature yet.
    ///
    /// # Errors
    ///
    /// [`NoteError::Malformed`]: empty, not ending in a newline, or with a control
    /// character other than newline.
    pub fn new(text: &str) -> Result<Self, NoteError> {
        if text.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge);
        }
        if text.is_empty() || !text.ends_with('\n') {
            return Err(NoteError::Malformed("the text does not end in a newline"));
        }
        check_chars(text)?;
        Ok(Self {
            text: text.to_owned(),
            signatures: Vec::new(),
        })
    }

    /// Reads a signed note: the text is everything up to the last blank line, and at
    /// least one signature line follows it.
    ///
    /// # Errors
    ///
    /// [`NoteError::TooLarge`] or [`NoteError::Malformed`].
    ///
    /// ```
    /// use linli_domain::signing::{Note, VerifierKey};
    /// // The example of c2sp.org/signed-note.
    /// let note = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    /// let key = VerifierKey::parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k").unwrap();
    /// let n = Note::parse(note.as_bytes()).unwrap();
    /// assert_eq!(n.text(), "This is an example message.\n");
    /// assert!(n.verify(&key).is_ok());
    /// let changed = note.replace("example message", "example messagE");
    /// assert!(Note::parse(changed.as_bytes()).unwrap().verify(&key).is_err());
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge);
        }
        let s = std::str::from_utf8(bytes).map_err(|_| NoteError::Malformed("not UTF-8"))?;
        check_chars(s)?;
        if !s.ends_with('\n') {
            return Err(NoteError::Malformed("it does not end in a newline"));
        }
        let split = s
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let text = &s[..=split];
        let sigs = &s[split + 2..];
        if sigs.is_empty() {
            return Err(NoteError::Malformed("no signature line"));
        }
        let mut signatures = Vec::new();
        for line in sigs.strip_suffix('\n').unwrap_or(sigs).split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooLarge);
            }
            signatures.push(parse_line(line)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note text, final newline included.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// The note as written: text, blank line, signature lines.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 1 + 100 * self.signatures.len());
        out.push_str(&self.text);
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.line());
        }
        out
    }

    /// Adds a signature line, replacing one with the same name and key ID.
    pub fn add_signature(&mut self, sig: NoteSignature) {
        match self
            .signatures
            .iter_mut()
            .find(|s| s.name == sig.name && s.key_id == sig.key_id)
        {
            Some(s) => *s = sig,
            None => self.signatures.push(sig),
        }
    }

    /// Signs the text with an Ed25519 note key (type [`ED25519`]).
    ///
    /// # Errors
    ///
    /// [`NoteError::WrongKeyType`] for a cosigning key.
    pub fn sign(&mut self, key: &SigningKey) -> Result<(), NoteError> {
        if key.kind() != ED25519 {
            return Err(NoteError::WrongKeyType(key.name().to_owned()));
        }
        let sig = key.sign_raw(self.text.as_bytes());
        self.add_signature(NoteSignature {
            name: key.name().to_owned(),
            key_id: key.key_id(),
            signature: sig.to_vec(),
        });
        Ok(())
    }

    /// Verifies the note's Ed25519 signature by `key`. Lines of other keys are ignored,
    /// as the spec requires; every line of this key must verify.
    ///
    /// # Errors
    ///
    /// [`NoteError::NotSigned`] (no line of this key), [`NoteError::BadSignature`],
    /// [`NoteError::WrongKeyType`] for a cosignature key.
    pub fn verify(&self, key: &VerifierKey) -> Result<(), NoteError> {
        if key.kind() != ED25519 {
            return Err(NoteError::WrongKeyType(key.name().to_owned()));
        }
        let mut found = false;
        for s in self.signatures.iter().filter(|s| s.is_by(key)) {
            found = true;
            if !key.verify_raw(self.text.as_bytes(), &s.signature) {
                return Err(NoteError::BadSignature(key.to_string()));
            }
        }
        if found {
            Ok(())
        } else {
            Err(NoteError::NotSigned(key.to_string()))
        }
    }
}

fn parse_line(line: &str) -> Result<NoteSignature, NoteError> {
    let bad = NoteError::Malformed("a signature line is not `\u{2014} <name> <base64>`");
    let rest = line.strip_prefix(DASH).ok_or(bad.clone())?;
    let (name, text) = rest.rsplit_once(' ').ok_or(bad.clone())?;
    if !valid_key_name(name) {
        return Err(bad);
    }
    let bytes = b64::decode(text).ok_or(bad.clone())?;
    if bytes.len() < 5 {
        return Err(bad);
    }
    Ok(NoteSignature {
        name: name.to_owned(),
        key_id: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        signature: bytes[4..].to_vec(),
    })
}
