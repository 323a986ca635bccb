//! Public tracking codes of resident requests: 80 random bits in Crockford
//! base 32 (16 symbols) plus Crockford's mod-37 check symbol, 17 symbols in all,
//! shown in groups as `XXXX-XXXX-XXXX-XXXX-C`.
//!
//! The random bits are passed in ([`TrackingCode::from_random`]); the app takes
//! them from the browser's `crypto.getRandomValues`.
//!
//! # Why the check symbol catches the common typing errors
//!
//! The code's value is `v = Σ dᵢ·32^(15−i)` and the check symbol is `v mod 37`
//! (symbols `0–9 A–Z` without `I L O U`, then `* ~ $ = U` for 32–36).
//! - One wrong data symbol changes `v` by `(a−b)·32ᵏ` with `0 < |a−b| < 32`; 37 is
//!   prime and divides neither factor, so the check no longer matches.
//! - Two adjacent data symbols swapped change `v` by `(a−b)·31·32ᵏ`: again not a
//!   multiple of 37.
//! - A wrong check symbol is caught by definition; the last data symbol swapped
//!   with the check symbol `c` would need `2c ≡ 2a (mod 37)`, i.e. `a = c`.
//!
//! The tests check all of this exhaustively on sample codes.
//!
//! Reading is lenient as Crockford prescribes: case, hyphens and spaces are
//! ignored and `I`/`L` read as `1`, `O` as `0`.
//!
//! # Check characters typeable on a phone (issue #17, item 11)
//!
//! Crockford's check values 32–35 are the symbols `* ~ $ =`, which a phone's default
//! keyboard hides behind a second layer. **New codes** ([`TrackingCode::from_random`])
//! never end in one: when the check of the 80 random bits would be 32–35, bit 4 of the
//! value (bit 4 of the last data symbol) is flipped, which moves the value by ±16 and
//! the check to 11–14 (`B C D E`) or 16–19 (`G H J K`). Every new code therefore ends
//! in a letter or digit (`0–9`, `A–Z` without `I L O`, or `U` for 36); the check is still
//! Crockford's mod 37, so every property above holds unchanged. The cost is
//! log₂(37/33) ≈ 0.17 bit: 11 % of the values share their code with their bit-4
//! neighbour (79.8 bits of entropy).
//!
//! **Old codes** ending in `* ~ $ =` (issued before) are read exactly as before:
//! [`TrackingCode::parse`] accepts the whole mod-37 check alphabet, so a resident's
//! printed slip keeps working and its lookup key is unchanged.

use std::fmt;

use thiserror::Error;

/// Crockford base-32 data symbols.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Check symbols: the 32 data symbols then `* ~ $ = U`.
pub const CHECK_ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
/// Random bytes per code (80 bits).
pub const RANDOM_BYTES: usize = 10;
/// Data symbols per code.
pub const DATA_LEN: usize = 16;

/// A valid tracking code (17 symbols, canonical upper case, no separators).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingCode(String);

/// Why a typed tracking code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    /// Wrong number of symbols (separators not counted).
    #[error("a tracking code has 17 characters, this has {0}")]
    Length(usize),
    /// A character outside the alphabet, at 1-based position `pos`.
    #[error("character {ch:?} at position {pos} cannot appear in a tracking code")]
    Character { ch: char, pos: usize },
    /// The check symbol does not match: a character is wrong or two are swapped.
    #[error("the check character does not match: a character is mistyped or two are swapped")]
    Check,
}

fn value_of(sym: u8) -> Option<u8> {
    ALPHABET.iter().position(|&c| c == sym).map(|p| p as u8)
}

fn check_of(digits: &[u8]) -> u8 {
    // v mod 37 by Horner's rule, never overflowing.
    let mut r: u32 = 0;
    for &d in digits {
        r = (r * 32 + u32::from(d)) % 37;
    }
    CHECK_ALPHABET[r as usize]
}

impl TrackingCode {
    /// The code of 80 random bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::requests::tracking::TrackingCode;
    /// let c = TrackingCode::from_random([0; 10]);
    /// assert_eq!(c.as_str(), "00000000000000000");
    /// let c = TrackingCode::from_random([0xff; 10]);
    /// assert_eq!(c.as_str().len(), 17);
    /// assert_eq!(TrackingCode::parse(&c.display()).unwrap(), c);
    /// // The check character is a letter or a digit, typeable on a phone's keyboard.
    /// assert!(c.as_str().chars().last().unwrap().is_ascii_alphanumeric());
    /// ```
    pub fn from_random(bytes: [u8; RANDOM_BYTES]) -> Self {
        let mut v: u128 = 0;
        for b in bytes {
            v = (v << 8) | u128::from(b);
        }
        // A check of 32–35 would be a symbol (`* ~ $ =`): flip bit 4 so that it is a
        // letter or a digit (see the module docs).
        if (32..36).contains(&(v % 37)) {
            v ^= 16;
        }
        let mut digits = [0u8; DATA_LEN];
        for i in (0..DATA_LEN).rev() {
            digits[i] = (v & 31) as u8;
            v >>= 5;
        }
        let mut s: String = digits.iter().map(|&d| char::from(ALPHABET[d as usize])).collect();
        s.push(char::from(check_of(&digits)));
        Self(s)
    }

    /// Reads a typed code: case, spaces and hyphens ignored, `I`/`L` read as `1`
    /// and `O` as `0`.
    ///
    /// # Errors
    ///
    /// [`CodeError::Length`], [`CodeError::Character`] or [`CodeError::Check`].
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::requests::tracking::{TrackingCode, CodeError};
    /// let c = TrackingCode::from_random([7, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    /// let typed = c.display().to_lowercase();
    /// assert_eq!(TrackingCode::parse(&typed).unwrap(), c);
    /// let mut wrong: Vec<char> = c.as_str().chars().collect();
    /// wrong.swap(3, 4);
    /// if wrong[3] != wrong[4] {
    ///     let s: String = wrong.into_iter().collect();
    ///     assert_eq!(TrackingCode::parse(&s), Err(CodeError::Check));
    /// }
    /// ```
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let mut syms: Vec<(usize, char)> = Vec::with_capacity(17);
        for ch in text.chars() {
            if ch == '-' || ch.is_whitespace() {
                continue;
            }
            syms.push((syms.len() + 1, ch));
        }
        if syms.len() != DATA_LEN + 1 {
            return Err(CodeError::Length(syms.len()));
        }
        let mut digits = [0u8; DATA_LEN];
        let mut canon = String::with_capacity(DATA_LEN + 1);
        for (i, &(pos, ch)) in syms.iter().enumerate() {
            let up = match ch.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            let is_check = i == DATA_LEN;
            let ok = up.is_ascii() && {
                let b = up as u8;
                if is_check {
                    CHECK_ALPHABET.contains(&b)
                } else if let Some(v) = value_of(b) {
                    digits[i] = v;
                    true
                } else {
                    false
                }
            };
            if !ok {
                return Err(CodeError::Character { ch, pos });
            }
            canon.push(up);
        }
        let check = canon.as_bytes()[DATA_LEN];
        if check_of(&digits) != check {
            return Err(CodeError::Check);
        }
        Ok(Self(canon))
    }

    /// The canonical 17 symbols, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for reading aloud: `XXXX-XXXX-XXXX-XXXX-C`.
    pub fn display(&self) -> String {
        let s = &self.0;
        format!(
            "{}-{}-{}-{}-{}",
            &s[0..4],
            &s[4..8],
            &s[8..12],
            &s[12..16],
            &s[16..]
        )
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{RngCore, SeedableRng};

    fn samples() -> Vec<TrackingCode> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(37);
        let mut out = vec![
            TrackingCode::from_random([0; 10]),
            TrackingCode::from_random([0xff; 10]),
        ];
        for _ in 0..300 {
            let mut b = [0u8; 10];
            rng.fill_bytes(&mut b);
            out.push(TrackingCode::from_random(b));
        }
        out
    }

    /// Every symbol a user could type in a position (aliases excluded: they are
    /// readings of the same symbol, not errors).
    fn typeable(i: usize) -> &'static [u8] {
        if i == DATA_LEN {
            CHECK_ALPHABET
        } else {
            ALPHABET
        }
    }

    #[test]
    fn every_single_substitution_is_caught() {
        let mut tried = 0u32;
        for code in samples() {
            let b = code.as_str().as_bytes();
            for i in 0..b.len() {
                for &s in typeable(i) {
                    if s == b[i] {
                        continue;
                    }
                    let mut w = b.to_vec();
                    w[i] = s;
                    let text = String::from_utf8(w).unwrap();
                    assert!(
                        TrackingCode::parse(&text).is_err(),
                        "{} → {text} accepted",
                        code.as_str()
                    );
                    tried += 1;
                }
            }
        }
        // 302 codes × (16 × 31 + 36) substitutions.
        assert_eq!(tried, 302 * (16 * 31 + 36));
    }

    #[test]
    fn every_adjacent_transposition_is_caught() {
        let mut tried = 0u32;
        for code in samples() {
            let b = code.as_str().as_bytes();
            for i in 0..b.len() - 1 {
                if b[i] == b[i + 1] {
                    continue;
                }
                let mut w = b.to_vec();
                w.swap(i, i + 1);
                let text = String::from_utf8(w).unwrap();
                assert!(
                    TrackingCode::parse(&text).is_err(),
                    "{} → {text} accepted",
                    code.as_str()
                );
                tried += 1;
            }
        }
        assert!(tried > 302 * 14, "{tried}");
    }

    #[test]
    fn errors_are_specific() {
        let c = TrackingCode::from_random([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(TrackingCode::parse("ABC"), Err(CodeError::Length(3)));
        let mut s = c.as_str().to_owned();
        s.replace_range(2..3, "U");
        assert_eq!(
            TrackingCode::parse(&s),
            Err(CodeError::Character { ch: 'U', pos: 3 })
        );
        let mut s = c.as_str().to_owned();
        s.replace_range(0..1, "中");
        assert_eq!(
            TrackingCode::parse(&s),
            Err(CodeError::Character { ch: '中', pos: 1 })
        );
        // Aliases and separators read as the canonical code.
        let aliased = c.display().to_lowercase().replace('1', "l").replace('0', "o");
        assert_eq!(TrackingCode::parse(&format!(" {aliased} ")).unwrap(), c);
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::array::uniform10(any::<u8>())) {
            let c = TrackingCode::from_random(bytes);
            prop_assert_eq!(c.as_str().len(), 17);
            prop_assert_eq!(TrackingCode::parse(c.as_str()).unwrap(), c.clone());
            prop_assert_eq!(TrackingCode::parse(&c.display()).unwrap(), c);
        }

        /// Different random bytes give different codes, except two values that differ
        /// only in bit 4 where one of them has a symbol check (the module docs).
        #[test]
        fn injective_but_for_the_bit_4_neighbour(a in proptest::array::uniform10(any::<u8>()), b in proptest::array::uniform10(any::<u8>())) {
            let value = |x: [u8; RANDOM_BYTES]| x.iter().fold(0u128, |v, &b| (v << 8) | u128::from(b));
            let same = TrackingCode::from_random(a) == TrackingCode::from_random(b);
            let mut n = a;
            n[RANDOM_BYTES - 1] ^= 16;
            prop_assert!(!same || a == b || b == n);
            // The neighbour shares the code exactly when one of the two has a symbol check.
            let symbolic = |x| (32..36).contains(&(value(x) % 37));
            prop_assert_eq!(
                TrackingCode::from_random(a) == TrackingCode::from_random(n),
                symbolic(a) || symbolic(n)
            );
        }

        /// New codes end in a letter or a digit (a phone's default keyboard), round-trip,
        /// and any single changed character, to any symbol of the check alphabet or the
        /// data alphabet, is refused.
        #[test]
        fn new_codes_are_typeable_and_catch_one_changed_character(
            bytes in proptest::array::uniform10(any::<u8>()),
            pos in 0usize..=DATA_LEN,
            sym in 0usize..37,
        ) {
            let c = TrackingCode::from_random(bytes);
            let last = c.as_str().chars().last().unwrap();
            prop_assert!(last.is_ascii_alphanumeric(), "{}", c.as_str());
            prop_assert_eq!(TrackingCode::parse(&c.display().to_lowercase()).unwrap(), c.clone());
            let b = c.as_str().as_bytes();
            let alphabet: &[u8] = typeable(pos);
            let s = alphabet[sym % alphabet.len()];
            if s != b[pos] {
                let mut w = b.to_vec();
                w[pos] = s;
                let text = String::from_utf8(w).unwrap();
                prop_assert!(TrackingCode::parse(&text).is_err(), "{} -> {} accepted", c.as_str(), text);
            }
        }

        /// Old-format codes (issued before this change: the plain mod-37 check, which may
        /// be `* ~ $ =`) still read, in every typed form, as themselves.
        #[test]
        fn old_codes_still_validate(bytes in proptest::array::uniform10(any::<u8>())) {
            let old = legacy_from_random(bytes);
            prop_assert_eq!(TrackingCode::parse(&old).unwrap().as_str().to_owned(), old.clone());
            let grouped = format!("{}-{}-{}-{}-{}", &old[0..4], &old[4..8], &old[8..12], &old[12..16], &old[16..]);
            prop_assert_eq!(TrackingCode::parse(&grouped.to_lowercase()).unwrap().as_str().to_owned(), old);
        }
    }

    /// The generator before issue #17: the plain mod-37 check.
    fn legacy_from_random(bytes: [u8; RANDOM_BYTES]) -> String {
        let mut v: u128 = 0;
        for b in bytes {
            v = (v << 8) | u128::from(b);
        }
        let mut digits = [0u8; DATA_LEN];
        for i in (0..DATA_LEN).rev() {
            digits[i] = (v & 31) as u8;
            v >>= 5;
        }
        let mut s: String = digits.iter().map(|&d| char::from(ALPHABET[d as usize])).collect();
        s.push(char::from(check_of(&digits)));
        s
    }

    #[test]
    fn old_codes_ending_in_each_symbol_still_validate() {
        // Search the legacy generator for a code ending in each of `* ~ $ =`.
        let mut found = std::collections::BTreeMap::new();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        while found.len() < 4 {
            let mut b = [0u8; 10];
            rng.fill_bytes(&mut b);
            let old = legacy_from_random(b);
            let last = old.chars().last().unwrap();
            if "*~$=".contains(last) {
                assert_eq!(TrackingCode::parse(&old).unwrap().as_str(), old);
                // The new generator gives the same bytes a letter or digit instead.
                let new = TrackingCode::from_random(b);
                assert!(new.as_str().chars().last().unwrap().is_ascii_alphanumeric());
                assert_eq!(new.as_str()[..15], old[..15]);
                found.insert(last, old);
            }
        }
        // A fixed old code: stays valid forever.
        assert_eq!(
            TrackingCode::parse("0000-0000-0000-0011-~").unwrap().as_str(),
            "0000000000000011~"
        );
    }
}
