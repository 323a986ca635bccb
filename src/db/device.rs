//! This device's number in its community, and the id range it creates records in.
//!
//! Record ids are `device << 24 | local` ([`linli_domain::replication::ids`]): a device
//! given number `n` when it was enrolled creates ids only between `n << 24 | 1` and
//! `n << 24 | 0xFF_FFFF`, so two guides' devices never make the same id, even offline.
//! A device never enrolled is device 0, the legacy space (the ids records had before
//! replication, and the founding device's).
//!
//! Every "next id" of the workspace goes through here: the largest-key reads of
//! [`super::Db::max_key`], checked writes ([`super::guarded::Read::MaxKey`]), the
//! household pages ([`super::Db::max_household_id`]) and the change history's ids are
//! all taken over [`key_range`] only, so an id another device made is never the base of
//! this device's next one.
//!
//! The number belongs to the device, not to the data: it is kept in `localStorage`
//! (`linli.device`), so restoring a backup made on another device, or replacing the data
//! with the community's, keeps it.

use std::cell::Cell;

use linli_domain::replication::ids::{LOCAL_BITS, MAX_DEVICE, MAX_LOCAL};
use wasm_bindgen::JsValue;

use super::DbError;

/// The `localStorage` key of the device number.
pub const STORAGE_KEY: &str = "linli.device";

thread_local! {
    static DEVICE: Cell<Option<u16>> = const { Cell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// This device's number (0 when never enrolled).
pub fn number() -> u16 {
    DEVICE.with(|d| {
        if let Some(n) = d.get() {
            return n;
        }
        let n = storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|v| v.trim().parse::<u16>().ok())
            .filter(|n| *n <= MAX_DEVICE)
            .unwrap_or(0);
        d.set(Some(n));
        n
    })
}

/// Sets this device's number (enrolment).
///
/// # Errors
///
/// [`DbError::Decode`] for a number above 255, or when the browser refuses to keep it.
pub fn set_number(n: u16) -> Result<(), DbError> {
    let refuse = |reason: String| DbError::Decode {
        store: STORAGE_KEY.to_owned(),
        reason,
    };
    if n > MAX_DEVICE {
        return Err(refuse(format!("device number {n} above {MAX_DEVICE}")));
    }
    let s = storage().ok_or_else(|| refuse("no localStorage".into()))?;
    s.set_item(STORAGE_KEY, &n.to_string())
        .map_err(|e| refuse(format!("{e:?}")))?;
    DEVICE.with(|d| d.set(Some(n)));
    Ok(())
}

/// The lowest and highest id of this device's space (the lowest, `n << 24`, is never
/// given: it is the base "largest id" of an empty space).
pub fn bounds() -> (u32, u32) {
    let lo = u32::from(number()) << LOCAL_BITS;
    (lo, lo | MAX_LOCAL)
}

/// The key range of this device's ids, shifted right by `shift` bits (0 for stores keyed
/// by id, [`super::households::PAGE_BITS`] for the household pages).
///
/// # Errors
///
/// [`DbError`] if the browser refuses the range.
pub fn key_range(shift: u32) -> Result<JsValue, DbError> {
    let (lo, hi) = bounds();
    Ok(
        web_sys::IdbKeyRange::bound(&JsValue::from(lo >> shift), &JsValue::from(hi >> shift))
            .map_err(DbError::from_js)?
            .into(),
    )
}

/// The largest id found by a reverse cursor over [`key_range`], or the space's base
/// (`n << 24`, 0 for the legacy space) when the device has made none: "largest + 1" is
/// then always this device's next id.
pub fn largest(found: Option<u32>) -> u32 {
    let (lo, hi) = bounds();
    found.filter(|k| (lo..=hi).contains(k)).unwrap_or(lo)
}

/// The next id of this device among `existing` ids (records kept in memory: proposals,
/// ballots, snapshots).
pub fn next_among(existing: impl IntoIterator<Item = u32>) -> u32 {
    let (lo, hi) = bounds();
    largest(existing.into_iter().filter(|k| (lo..=hi).contains(k)).max()).saturating_add(1)
}
