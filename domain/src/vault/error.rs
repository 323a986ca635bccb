//! Why a vault operation was refused. No message contains a secret or a whole input.

use thiserror::Error;

/// Why a key derivation, wrap, unwrap, seal or open was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VaultError {
    /// The passphrase does not open this guide's wrapped key (or the wrapped key, its
    /// parameters or its guide id were changed, which an AEAD cannot tell apart).
    #[error("wrong passphrase: check the passphrase (keyboard layout, caps lock) and try again")]
    WrongPassphrase,
    /// A well-formed recovery code that does not open this workspace's recovery wrap.
    #[error("this recovery code does not open this workspace: use the code printed for this workspace")]
    WrongRecoveryCode,
    /// A recovery code with a symbol that is not Crockford base32 (position counts symbols from 1).
    #[error("recovery code typo: symbol {position} is not a valid symbol; check that group")]
    RecoveryCodeSymbol { position: usize },
    /// A recovery code with too few or too many symbols.
    #[error("recovery code typo: it has {found} symbols, a recovery code has {expected}")]
    RecoveryCodeLength { found: usize, expected: usize },
    /// A recovery code whose check symbols do not match: a typo, not a wrong code.
    #[error("recovery code typo: the check symbols do not match; compare each group with the printout")]
    RecoveryCodeChecksum,
    /// A passphrase shorter than the minimum when wrapping.
    #[error("the passphrase is too short: use at least {min} characters")]
    PassphraseTooShort { min: usize },
    /// Argon2id parameters outside what this module accepts.
    #[error("unusable key-derivation parameters ({what}); keep the stored parameters or restore a backup")]
    BadKdfParams { what: &'static str },
    /// The wrapped key is not of the kind asked for (guide vs recovery) or belongs to another guide.
    #[error("this wrapped key is not the one asked for ({what})")]
    WrongWrap { what: &'static str },
    /// The stored wrapped key or sealed record is not in the expected layout.
    #[error("damaged encrypted data ({what}): restore from a backup")]
    Malformed { what: &'static str },
    /// A format version this build does not know.
    #[error("encrypted data of unknown version {0}: update the app")]
    UnknownVersion(u8),
    /// A store name containing NUL, which would make the associated data ambiguous.
    #[error("a store name cannot contain NUL")]
    BadStoreName,
    /// A record that fails authentication: changed, moved to another store or key, or encrypted
    /// under another data key.
    #[error("a record failed to decrypt (changed, moved or from another workspace): restore from a backup")]
    RecordTampered,
    /// No wrapped key for this guide in the keyring (removed or never added).
    #[error("no key for this guide on this device: ask a supervisor to add you")]
    NoSuchGuide,
}
