//! Keyed blind indexes: HMAC-SHA256 under the index subkey over a normalised value.
//!
//! `blind_index(k, field, value)` = lower-case hex of the first [`BLIND_INDEX_BYTES`] bytes of
//! HMAC-SHA256(k, [`BLIND_INDEX_TAG`] ‖ len(field) as u32 big-endian ‖ field ‖ normalise(value)).
//! The length prefix separates fields (`name`/`building`/flags never collide).
//! 16 bytes (128 bits, 32 hex characters): accidental collisions need about 2⁶⁴ values.
//!
//! Normalisation ([`normalise`]): full-width ASCII forms (U+FF01–U+FF5E) to ASCII, the
//! ideographic space to a space, ASCII letters to lower case, runs of whitespace to one space,
//! leading and trailing whitespace removed. No Unicode NFKC (no table in this crate).
//!
//! Name prefixes ([`name_prefix_indexes`]): always [`NAME_PREFIX_CHARS`] entries, entry `n`
//! (1-based) being the blind index (field [`FIELD_NAME_PREFIX`]) of the first `n` characters, or
//! for `n` beyond the name's length a filler unique to the name that no search produces, so
//! the entry count does not reveal the length. A search for a longer text looks up its first
//! [`NAME_PREFIX_CHARS`] characters and filters the decrypted records.
//!
//! For bulk indexing, [`IndexMac`] keeps the HMAC state after the key block and clones it
//! per entry (same outputs, half the compression calls), and [`IndexMac::name_prefixes`]
//! gives a name's real prefixes only (no fillers): the workspace indexes a *page* of
//! households by the distinct prefixes of all its names, where the count of entries is
//! an aggregate over up to 64 names rather than one name's length.
//!
//! What leaks to someone holding the database but not the key: which records share a value
//! of the same field (equality), and for names which records share their first 1..=6
//! characters (so how many share a surname, and with frequency tables a guess at common
//! surnames). Not the values themselves, nor anything across fields or across workspaces.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::IndexKey;

/// Bytes of HMAC output kept.
pub const BLIND_INDEX_BYTES: usize = 16;
/// Prefix of every blind index's HMAC input.
pub const BLIND_INDEX_TAG: &[u8] = b"linli-vault-v1|bidx|";
/// Number of name prefixes indexed.
pub const NAME_PREFIX_CHARS: usize = 6;
/// Field of name-prefix indexes.
pub const FIELD_NAME_PREFIX: &str = "name_prefix";
const FIELD_NAME_PREFIX_FILLER: &str = "name_prefix_filler";

/// The normalised form that blind indexes (and guide-name uniqueness) compare.
///
/// ```
/// use linli_domain::vault::normalise;
/// assert_eq!(normalise("  Ｗａｎｇ　Fang \t3号楼 "), "wang fang 3号楼");
/// ```
#[must_use]
pub fn normalise(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut pending_space = false;
    for c in value.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            c => c,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn mac(key: &IndexKey, field: &str, normalised: &str) -> String {
    IndexMac::new(key).mac(field, normalised)
}

/// The index key's HMAC state, prepared once for many blind indexes.
///
/// ```
/// use linli_domain::vault::{blind_index, DataKey, IndexMac};
/// let k = DataKey::from_bytes([7; 32]).index_key();
/// let m = IndexMac::new(&k);
/// assert_eq!(m.blind_index("flag", "dibao"), blind_index(&k, "flag", "dibao"));
/// ```
#[derive(Clone)]
pub struct IndexMac(Hmac<Sha256>);

impl std::fmt::Debug for IndexMac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexMac(..)")
    }
}

impl IndexMac {
    /// Prepares the HMAC state of `key`.
    #[must_use]
    pub fn new(key: &IndexKey) -> Self {
        Self(<Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length"))
    }

    /// As [`blind_index`].
    #[must_use]
    pub fn blind_index(&self, field: &str, value: &str) -> String {
        self.mac(field, &normalise(value))
    }

    /// The blind indexes (field [`FIELD_NAME_PREFIX`]) of the first 1, 2, … up to
    /// [`NAME_PREFIX_CHARS`] characters of `name` (normalised), without fillers: the
    /// entries of [`name_prefix_indexes`] that a search can produce.
    #[must_use]
    pub fn name_prefixes(&self, name: &str) -> Vec<String> {
        let norm = normalise(name);
        let ends: Vec<usize> = norm
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(norm.len()))
            .take(NAME_PREFIX_CHARS)
            .collect();
        if norm.is_empty() {
            return Vec::new();
        }
        ends.into_iter()
            .map(|end| self.mac(FIELD_NAME_PREFIX, &norm[..end]))
            .collect()
    }

    /// As [`name_prefix_query`].
    #[must_use]
    pub fn name_prefix_query(&self, query: &str) -> Option<String> {
        let norm = normalise(query);
        if norm.is_empty() {
            return None;
        }
        let end = norm
            .char_indices()
            .nth(NAME_PREFIX_CHARS)
            .map_or(norm.len(), |(i, _)| i);
        Some(self.mac(FIELD_NAME_PREFIX, &norm[..end]))
    }

    fn mac(&self, field: &str, normalised: &str) -> String {
        let mut m = self.0.clone();
        m.update(BLIND_INDEX_TAG);
        m.update(&(field.len() as u32).to_be_bytes());
        m.update(field.as_bytes());
        m.update(normalised.as_bytes());
        let out = m.finalize().into_bytes();
        let mut hex = String::with_capacity(2 * BLIND_INDEX_BYTES);
        for b in &out[..BLIND_INDEX_BYTES] {
            hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        hex
    }
}

/// The blind index of `value` in `field` (see the module docs).
///
/// ```
/// use linli_domain::vault::*;
/// let k = DataKey::from_bytes([1; 32]).index_key();
/// assert_eq!(blind_index(&k, "building", " 3号楼"), blind_index(&k, "building", "3号楼"));
/// assert_ne!(blind_index(&k, "building", "3号楼"), blind_index(&k, "flag", "3号楼"));
/// assert_eq!(blind_index(&k, "flag", "x").len(), 32);
/// ```
#[must_use]
pub fn blind_index(key: &IndexKey, field: &str, value: &str) -> String {
    mac(key, field, &normalise(value))
}

/// The [`NAME_PREFIX_CHARS`] name-prefix indexes of `name` (see the module docs).
///
/// ```
/// use linli_domain::vault::*;
/// let k = DataKey::from_bytes([1; 32]).index_key();
/// let idx = name_prefix_indexes(&k, "张三丰");
/// assert_eq!(idx.len(), NAME_PREFIX_CHARS);
/// assert_eq!(name_prefix_query(&k, "张三").as_ref(), Some(&idx[1]));
/// ```
#[must_use]
pub fn name_prefix_indexes(key: &IndexKey, name: &str) -> Vec<String> {
    let norm = normalise(name);
    let chars: Vec<(usize, char)> = norm.char_indices().collect();
    (1..=NAME_PREFIX_CHARS)
        .map(|n| match chars.get(n) {
            Some(&(end, _)) => mac(key, FIELD_NAME_PREFIX, &norm[..end]),
            None if n == chars.len() => mac(key, FIELD_NAME_PREFIX, &norm),
            None => mac(key, FIELD_NAME_PREFIX_FILLER, &format!("{n}\u{0}{norm}")),
        })
        .collect()
}

/// The index to look up for a name search: the blind index of the query's first
/// [`NAME_PREFIX_CHARS`] characters; `None` for an empty query.
#[must_use]
pub fn name_prefix_query(key: &IndexKey, query: &str) -> Option<String> {
    IndexMac::new(key).name_prefix_query(query)
}
