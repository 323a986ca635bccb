//! Encryption at rest: the data key's subkeys while the workspace is unlocked,
//! and the sealing of stored records and their blind indexes.
//!
//! While no key is set (demo data, no passphrase) records are stored as JSON
//! text (`_json`). Once a passphrase is set every record of every data store is
//! stored sealed (`_ct`: the bytes of [`linli_domain::vault::Sealed`], a
//! `Uint8Array`), with the store and the record's key bound as associated data,
//! so a record changed, swapped or moved outside the app fails to open. Index
//! fields that describe a person (household buildings, tenure, groups, needs,
//! flags, names; request tracking codes) become keyed blind indexes; ids, dates,
//! periods, statuses and categories stay in clear (ARCHITECTURE.md lists them).
//!
//! The keys live in one thread-local slot (wasm has one thread): set on unlock,
//! dropped on lock ([`set_keys`]). Sealing reads it synchronously, so writes
//! still seal inside their one transaction without any foreign await.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use linli_domain::vault::{self, DataKey, IndexMac, RecordKey, Sealed};
use wasm_bindgen::{JsCast, JsValue};

use super::DbError;

/// Property holding a record's sealed bytes.
pub const SEALED_FIELD: &str = "_ct";
/// Property holding a record's JSON text when no passphrase is set.
pub const JSON_FIELD: &str = "_json";
/// First byte of a sealed body's plaintext that is the JSON text compressed with
/// LZ4 (block format, size prepended) rather than the text itself: household
/// pages ([`put_body_packed`]). JSON text never starts with NUL, and the marker is
/// inside the authenticated plaintext, so nobody can switch it. Why: ciphertext does
/// not compress, so a sealed page cost IndexedDB (whose LevelDB compresses its
/// blocks) several times the bytes of the same page in clear, and reading 10,000
/// sealed households back took about 1.6 times as long as in clear.
const PACKED_MARK: u8 = 0;
/// The largest text a packed body may unpack to (a page of 64 households is
/// about 60 KB); checked before allocating.
const PACKED_MAX: usize = 16 << 20;

/// The keys in memory while unlocked: the data key (to wrap it for a new
/// guide or passphrase) and its two subkeys.
pub struct Keys {
    data: DataKey,
    record: RecordKey,
    index: IndexMac,
}

thread_local! {
    static KEYS: RefCell<Option<Rc<Keys>>> = const { RefCell::new(None) };
    /// Random bytes drawn ahead for nonces: one `getRandomValues` call per
    /// 512 nonces instead of one per record (bulk writes seal thousands).
    static NONCES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

const NONCE_BATCH: usize = 512;

/// A fresh random nonce (never reused: bytes leave the pool once).
fn nonce() -> [u8; vault::NONCE_BYTES] {
    NONCES.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < vault::NONCE_BYTES {
            let fresh = crate::browser::random_bytes::<{ vault::NONCE_BYTES * NONCE_BATCH }>();
            *pool = fresh.to_vec();
        }
        let at = pool.len() - vault::NONCE_BYTES;
        let mut out = [0u8; vault::NONCE_BYTES];
        out.copy_from_slice(&pool[at..]);
        pool.truncate(at);
        out
    })
}

/// Keeps `key`'s subkeys in memory (unlock), or drops them (`None`: lock).
pub fn set_keys(key: Option<&DataKey>) {
    let keys = key.map(|k| {
        Rc::new(Keys {
            data: k.clone(),
            record: k.record_key(),
            index: IndexMac::new(&k.index_key()),
        })
    });
    KEYS.with(|slot| *slot.borrow_mut() = keys);
}

/// Whether records are sealed now (a data key is in memory).
pub fn active() -> bool {
    KEYS.with(|slot| slot.borrow().is_some())
}

/// The data key while unlocked (to wrap it for another guide).
pub fn data_key() -> Option<DataKey> {
    keys().map(|k| k.data.clone())
}

fn keys() -> Option<Rc<Keys>> {
    KEYS.with(|slot| slot.borrow().clone())
}

/// The record key as bound in the associated data: an integer key as its
/// decimal digits, a string key as itself.
pub fn key_text(key: &JsValue) -> Option<String> {
    if let Some(s) = key.as_string() {
        return Some(s);
    }
    let n = key.as_f64()?;
    (n.fract() == 0.0 && n.abs() < 9.0e15).then(|| format!("{}", n as i64))
}

/// Puts the record's body on `obj`: sealed under the record key when a key is
/// in memory, else as JSON text.
///
/// # Errors
///
/// [`DbError::Decode`] if the key cannot be bound (never for the app's stores).
pub fn put_body(obj: &js_sys::Object, store: &str, key: &JsValue, json: &str) -> Result<(), DbError> {
    match keys() {
        Some(k) => seal_into(obj, &k, store, key, json.as_bytes()),
        None => {
            let _ = Reflect::set(obj, &JsValue::from_str(JSON_FIELD), &JsValue::from_str(json));
            Ok(())
        }
    }
}

/// As [`put_body`], but a sealed body holds the JSON text compressed with LZ4
/// behind [`PACKED_MARK`]; for large records of repetitive JSON (household
/// pages). In clear (no passphrase) the text is stored as is.
///
/// # Errors
///
/// As [`put_body`].
pub fn put_body_packed(obj: &js_sys::Object, store: &str, key: &JsValue, json: &str) -> Result<(), DbError> {
    match keys() {
        Some(k) => {
            let mut packed = vec![PACKED_MARK];
            packed.extend(lz4_flex::block::compress_prepend_size(json.as_bytes()));
            seal_into(obj, &k, store, key, &packed)
        }
        None => put_body(obj, store, key, json),
    }
}

fn seal_into(
    obj: &js_sys::Object,
    k: &Keys,
    store: &str,
    key: &JsValue,
    plain: &[u8],
) -> Result<(), DbError> {
    let key = key_text(key).ok_or_else(|| decode(store, "record key is neither text nor an integer"))?;
    let sealed = k
        .record
        .seal(store, &key, nonce(), plain)
        .map_err(|e| decode(store, &e.to_string()))?;
    let bytes = Uint8Array::from(sealed.as_bytes());
    let _ = Reflect::set(obj, &JsValue::from_str(SEALED_FIELD), &bytes);
    Ok(())
}

/// The text of a packed body: the size LZ4 prepended, checked against
/// [`PACKED_MAX`] before anything is allocated, then the block.
fn unpack(plain: &[u8]) -> Option<Vec<u8>> {
    let (size, _) = lz4_flex::block::uncompressed_size(plain).ok()?;
    if size > PACKED_MAX {
        return None;
    }
    lz4_flex::block::decompress_size_prepended(plain).ok()
}

/// The JSON text of a stored record whose key is at property `key_path`.
///
/// # Errors
///
/// [`DbError::Locked`] for a sealed record while no key is in memory;
/// [`DbError::Decrypt`] when it fails authentication, or for a record in clear
/// while a key is in memory (a sealed workspace holds no plain record, so one
/// was put there outside the app); [`DbError::Decode`] for a record with no body.
pub fn body(v: &JsValue, store: &str, key_path: &str) -> Result<String, DbError> {
    let sealed = Reflect::get(v, &JsValue::from_str(SEALED_FIELD)).unwrap_or(JsValue::UNDEFINED);
    let keys = keys();
    if sealed.is_undefined() {
        if keys.is_some() {
            return Err(DbError::Decrypt {
                store: store.to_owned(),
            });
        }
        return Reflect::get(v, &JsValue::from_str(JSON_FIELD))
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| decode(store, "record without JSON text"));
    }
    let k = keys.ok_or(DbError::Locked)?;
    let bad = || DbError::Decrypt {
        store: store.to_owned(),
    };
    let bytes: Uint8Array = sealed.dyn_into().map_err(|_| bad())?;
    let key = Reflect::get(v, &JsValue::from_str(key_path))
        .ok()
        .and_then(|k| key_text(&k))
        .ok_or_else(bad)?;
    let sealed = Sealed::from_bytes(bytes.to_vec()).map_err(|_| bad())?;
    let mut plain = k.record.open(store, &key, &sealed).map_err(|_| bad())?;
    if plain.first() == Some(&PACKED_MARK) {
        plain = unpack(&plain[1..]).ok_or_else(bad)?;
    }
    String::from_utf8(plain).map_err(|_| bad())
}

/// The index entry of `value` in `field`: the blind index while a key is in
/// memory, else the value itself.
pub fn index_entry(field: &str, value: &str) -> JsValue {
    match keys() {
        Some(k) => JsValue::from_str(&k.index.blind_index(field, value)),
        None => JsValue::from_str(value),
    }
}

/// The index entries of a page's names for prefix search: while a key is in
/// memory the distinct blind prefixes (1 to 6 characters) of all of them,
/// else the names themselves.
pub fn name_entries<'a>(names: impl Iterator<Item = &'a str>) -> js_sys::Array {
    match keys() {
        Some(k) => {
            let mut tokens: Vec<String> = names.flat_map(|n| k.index.name_prefixes(n)).collect();
            tokens.sort_unstable();
            tokens.dedup();
            tokens.into_iter().map(|s| JsValue::from_str(&s)).collect()
        }
        None => {
            let mut list: Vec<&str> = names.collect();
            list.sort_unstable();
            list.dedup();
            list.into_iter().map(JsValue::from_str).collect()
        }
    }
}

/// The key to look up names starting with `prefix` in an index made by
/// [`name_entries`]: one blind prefix (its first six characters; callers then
/// check the whole prefix in memory), or a key range over clear names.
///
/// # Errors
///
/// [`DbError`] if the browser refuses the key range.
pub fn name_query(prefix: &str) -> Result<JsValue, DbError> {
    match keys() {
        Some(k) => Ok(k
            .index
            .name_prefix_query(prefix)
            .map_or_else(|| JsValue::from_str(""), |s| JsValue::from_str(&s))),
        None => Ok(web_sys::IdbKeyRange::bound(
            &JsValue::from_str(prefix),
            &JsValue::from_str(&format!("{prefix}\u{ffff}")),
        )
        .map_err(DbError::from_js)?
        .into()),
    }
}

fn decode(store: &str, reason: &str) -> DbError {
    DbError::Decode {
        store: store.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_body_unpacks_to_its_text_and_a_lying_size_is_refused_before_allocating() {
        let text = "[{\"id\":1,\"contact_name\":\"\u{5f20}\u{4e09}\"}]".repeat(200);
        let packed = lz4_flex::block::compress_prepend_size(text.as_bytes());
        assert!(packed.len() < text.len() / 4, "repetitive JSON compresses");
        assert_eq!(unpack(&packed).as_deref(), Some(text.as_bytes()));
        // A size above the cap (here 4 GiB - 1) is refused without decoding.
        let mut lying = packed.clone();
        lying[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(unpack(&lying), None);
        // A truncated block is refused.
        assert_eq!(unpack(&packed[..packed.len() / 2]), None);
        assert_eq!(unpack(&[]), None);
    }
}
