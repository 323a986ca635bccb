//! The printable recovery code: 160 random bits in Crockford base32 with 20 check bits.
//!
//! Layout: 20 random bytes (passed in) → 32 symbols of Crockford base32
//! (`0123456789ABCDEFGHJKMNPQRSTVWXYZ`, 5 bits each, big-endian), followed by 4 check symbols =
//! the first 20 bits of SHA-256(`linli-vault-v1|recovery-check` ‖ the 20 bytes). The 36 symbols
//! are printed in 9 groups of 4 joined by `-`.
//!
//! Parsing ignores spaces, hyphens and case and reads `I`/`L` as `1` and `O` as `0`
//! (Crockford's rule for hand-copied codes). A wrong symbol count, a symbol outside the alphabet
//! or check symbols that do not match are reported as typos ([`VaultError::RecoveryCodeLength`],
//! [`VaultError::RecoveryCodeSymbol`], [`VaultError::RecoveryCodeChecksum`]), so a typing error
//! is never mistaken for a wrong code: a random change escapes the check with probability 2⁻²⁰.
//!
//! The key-encryption key is HKDF-SHA256(ikm = the 20 bytes, salt = none,
//! info = [`INFO_RECOVERY_KEK`]). No Argon2 is needed: 160 random bits cannot be guessed.

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::keys::hkdf32;
use super::VaultError;

/// Random bytes of a recovery code (160 bits).
pub const RECOVERY_BYTES: usize = 20;
/// Symbols carrying the random bytes.
const DATA_SYMBOLS: usize = 32;
/// Check symbols.
const CHECK_SYMBOLS: usize = 4;
/// All symbols of a recovery code.
pub const RECOVERY_SYMBOLS: usize = DATA_SYMBOLS + CHECK_SYMBOLS;
/// Symbols per printed group.
pub const RECOVERY_GROUP: usize = 4;
/// HKDF `info` of the recovery key-encryption key.
pub const INFO_RECOVERY_KEK: &[u8] = b"linli-vault-v1|kek|recovery";
const CHECK_TAG: &[u8] = b"linli-vault-v1|recovery-check";
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A recovery code (zeroised on drop; `Debug` is redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode([u8; RECOVERY_BYTES]);

impl Drop for RecoveryCode {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl core::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RecoveryCode(redacted)")
    }
}

fn check_value(bytes: &[u8; RECOVERY_BYTES]) -> u32 {
    let h = Sha256::new()
        .chain_update(CHECK_TAG)
        .chain_update(bytes)
        .finalize();
    (u32::from(h[0]) << 12) | (u32::from(h[1]) << 4) | (u32::from(h[2]) >> 4)
}

fn symbol_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        c => c,
    };
    ALPHABET.iter().position(|&a| char::from(a) == c).map(|i| i as u8)
}

impl RecoveryCode {
    /// A recovery code from 20 random bytes supplied by the caller (the app's CSPRNG).
    #[must_use]
    pub fn from_random(bytes: [u8; RECOVERY_BYTES]) -> Self {
        RecoveryCode(bytes)
    }

    /// The code for printing: 36 symbols in 9 groups of 4, e.g. `0000-0000-…-XXXX`.
    ///
    /// ```
    /// use linli_domain::vault::RecoveryCode;
    /// let code = RecoveryCode::from_random([7; 20]);
    /// let text = code.format();
    /// assert_eq!(text.len(), 36 + 8);
    /// assert_eq!(RecoveryCode::parse(&text.to_lowercase().replace('-', " ")).unwrap(), code);
    /// ```
    #[must_use]
    pub fn format(&self) -> String {
        let mut symbols = Vec::with_capacity(RECOVERY_SYMBOLS);
        let mut acc: u32 = 0;
        let mut bits = 0;
        for &b in &self.0 {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                symbols.push(ALPHABET[((acc >> bits) & 31) as usize]);
            }
        }
        let check = check_value(&self.0);
        for i in (0..CHECK_SYMBOLS).rev() {
            symbols.push(ALPHABET[((check >> (5 * i)) & 31) as usize]);
        }
        let mut out = String::with_capacity(RECOVERY_SYMBOLS + RECOVERY_SYMBOLS / RECOVERY_GROUP);
        for (i, s) in symbols.iter().enumerate() {
            if i > 0 && i % RECOVERY_GROUP == 0 {
                out.push('-');
            }
            out.push(char::from(*s));
        }
        out
    }

    /// Reads a typed or scanned code; see the module docs for what is tolerated and what is a typo.
    ///
    /// ```
    /// use linli_domain::vault::{RecoveryCode, VaultError};
    /// let text = RecoveryCode::from_random([42; 20]).format();
    /// let mut typo: Vec<char> = text.chars().collect();
    /// typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    /// let typo: String = typo.into_iter().collect();
    /// assert_eq!(RecoveryCode::parse(&typo), Err(VaultError::RecoveryCodeChecksum));
    /// ```
    pub fn parse(text: &str) -> Result<Self, VaultError> {
        let mut values = Zeroizing::new(Vec::with_capacity(RECOVERY_SYMBOLS));
        for c in text.chars().filter(|&c| !(c.is_whitespace() || c == '-')) {
            match symbol_value(c) {
                Some(v) => values.push(v),
                None => {
                    return Err(VaultError::RecoveryCodeSymbol {
                        position: values.len() + 1,
                    })
                }
            }
        }
        if values.len() != RECOVERY_SYMBOLS {
            return Err(VaultError::RecoveryCodeLength {
                found: values.len(),
                expected: RECOVERY_SYMBOLS,
            });
        }
        let mut bytes = [0u8; RECOVERY_BYTES];
        let mut acc: u32 = 0;
        let mut bits = 0;
        let mut n = 0;
        for &v in &values[..DATA_SYMBOLS] {
            acc = (acc << 5) | u32::from(v);
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes[n] = (acc >> bits) as u8;
                n += 1;
            }
        }
        let check = values[DATA_SYMBOLS..]
            .iter()
            .fold(0u32, |a, &v| (a << 5) | u32::from(v));
        let code = RecoveryCode(bytes);
        bytes.zeroize();
        if check != check_value(&code.0) {
            return Err(VaultError::RecoveryCodeChecksum);
        }
        Ok(code)
    }

    /// The key-encryption key of this code (HKDF-SHA256, see the module docs).
    #[must_use]
    pub(crate) fn kek(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(hkdf32(&self.0, INFO_RECOVERY_KEK))
    }
}
