//! Document ids, and record ids that never collide across devices.
//!
//! # Document ids
//!
//! A document's `_id` is [`doc_id`]: 32 hex digits of HMAC-SHA256, keyed with a subkey
//! of the community data key, over the store name and the record's key. The server sees
//! neither the store nor the key, and every device of the community computes the same
//! id for the same record.
//!
//! # Record ids: the device number in the high bits
//!
//! Records keep their numeric `u32` ids (IndexedDB keys, references between stores,
//! household pages `id >> 6`). An id is `device << 24 | local`: 8 bits of device number
//! (each guide's device of a community gets one when enrolled, 1–255) and 24 bits
//! counted by that device (16,777,215 records per store per device). Device 0 is the
//! *legacy space*: the ids every record had before replication. [`next_id`] allocates
//! the next id of a device in a store from the ids present, so two devices never
//! produce the same id, even offline.
//!
//! # Migration
//!
//! The device whose data founds the community's database keeps every id (its records
//! are the legacy space). A device that brings records of its own (an island made
//! before it joined) moves them into its device space with [`migration_map`], applied
//! by [`migrate_dataset`] to the ids and to every reference to them. The map is
//! injective, keeps the order of ids and covers every id: nothing is lost.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::dataset::Dataset;

/// Bits of the device number.
pub const DEVICE_BITS: u32 = 8;
/// Bits counted by a device.
pub const LOCAL_BITS: u32 = 32 - DEVICE_BITS;
/// Largest device-local number.
pub const MAX_LOCAL: u32 = (1 << LOCAL_BITS) - 1;
/// Largest device number.
pub const MAX_DEVICE: u16 = (1 << DEVICE_BITS) - 1;

/// Why an id could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Device numbers are 1–255 (0 is the legacy space).
    #[error("device number {0} outside 1–{MAX_DEVICE}")]
    BadDevice(u16),
    /// The device has used every local number of this store.
    #[error("device {0} has no id left in this store")]
    Exhausted(u16),
}

/// The document id of `store`/`key`, keyed with `key_bytes` (a subkey of the data key).
///
/// ```
/// use linli_domain::replication::ids::doc_id;
/// let a = doc_id(b"k", "households", "12");
/// assert_eq!(a.len(), 32);
/// assert_eq!(a, doc_id(b"k", "households", "12"));
/// assert_ne!(a, doc_id(b"k", "requests", "12"));
/// assert_ne!(a, doc_id(b"other key", "households", "12"));
/// ```
pub fn doc_id(key_bytes: &[u8], store: &str, key: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key_bytes) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(b"linli-doc/1\0");
    mac.update(store.as_bytes());
    mac.update(b"\0");
    mac.update(key.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The device number of an id (0 for a legacy id).
pub const fn device_of(id: u32) -> u16 {
    (id >> LOCAL_BITS) as u16
}

/// The device-local part of an id.
pub const fn local_of(id: u32) -> u32 {
    id & MAX_LOCAL
}

/// The id `local` of `device`.
///
/// # Errors
///
/// [`IdError::BadDevice`] for device 0 or above 255; [`IdError::Exhausted`] when
/// `local` is 0 or needs more than 24 bits.
pub fn compose(device: u16, local: u32) -> Result<u32, IdError> {
    if device == 0 || device > MAX_DEVICE {
        return Err(IdError::BadDevice(device));
    }
    if local == 0 || local > MAX_LOCAL {
        return Err(IdError::Exhausted(device));
    }
    Ok((u32::from(device) << LOCAL_BITS) | local)
}

/// The next id `device` gives in a store holding `existing` ids: one more than the
/// largest local number it used there (1 for its first).
///
/// # Errors
///
/// [`IdError::BadDevice`], [`IdError::Exhausted`].
///
/// ```
/// use linli_domain::replication::ids::{compose, next_id};
/// let a = next_id(1, [5, 6]).unwrap(); // legacy ids do not matter
/// assert_eq!(a, compose(1, 1).unwrap());
/// let b = next_id(2, [5, a]).unwrap();
/// assert_eq!(b, compose(2, 1).unwrap());
/// assert_eq!(next_id(1, [5, a, b]).unwrap(), compose(1, 2).unwrap());
/// ```
pub fn next_id(device: u16, existing: impl IntoIterator<Item = u32>) -> Result<u32, IdError> {
    let last = existing
        .into_iter()
        .filter(|id| device_of(*id) == device)
        .map(local_of)
        .max()
        .unwrap_or(0);
    compose(device, last.checked_add(1).ok_or(IdError::Exhausted(device))?)
}

/// The next id of `device` in a store holding `existing` ids, device 0 (the legacy
/// space, a device never enrolled) included: one more than the largest id of that
/// space. Ids of other spaces never matter, so an id made on another device is never
/// the base of this one's next.
///
/// # Errors
///
/// [`IdError::BadDevice`] above 255; [`IdError::Exhausted`] when the space is full.
///
/// ```
/// use linli_domain::replication::ids::{compose, next_in};
/// let theirs = compose(3, 7).unwrap();
/// assert_eq!(next_in(0, [4, theirs]).unwrap(), 5);
/// assert_eq!(next_in(0, [theirs]).unwrap(), 1);
/// assert_eq!(next_in(3, [4, theirs]).unwrap(), compose(3, 8).unwrap());
/// assert!(next_in(0, [0xFF_FFFF]).is_err());
/// ```
pub fn next_in(device: u16, existing: impl IntoIterator<Item = u32>) -> Result<u32, IdError> {
    if device != 0 {
        return next_id(device, existing);
    }
    let last = existing
        .into_iter()
        .filter(|id| device_of(*id) == 0)
        .max()
        .unwrap_or(0);
    match last.checked_add(1) {
        Some(n) if n <= MAX_LOCAL => Ok(n),
        _ => Err(IdError::Exhausted(0)),
    }
}

/// Moves legacy ids into `device`'s space: an id that fits in 24 bits keeps its number
/// (`device << 24 | id`); a larger one (or one already in some device's space) gets the
/// next free local numbers, in ascending order. Injective and order-keeping.
///
/// # Errors
///
/// [`IdError::BadDevice`]; [`IdError::Exhausted`] when the device space is full.
pub fn migration_map(ids: impl IntoIterator<Item = u32>, device: u16) -> Result<BTreeMap<u32, u32>, IdError> {
    let mut sorted: Vec<u32> = ids.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = BTreeMap::new();
    let mut last = 0u32;
    for id in sorted {
        let local = if id <= MAX_LOCAL && id > last {
            id
        } else {
            last.checked_add(1).ok_or(IdError::Exhausted(device))?
        };
        out.insert(id, compose(device, local)?);
        last = local;
    }
    Ok(out)
}

/// The maps [`migrate_dataset`] applied, one per store it migrated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdMaps {
    pub households: BTreeMap<u32, u32>,
    pub points_ledger: BTreeMap<u32, u32>,
    pub timebank_ledger: BTreeMap<u32, u32>,
    pub requests: BTreeMap<u32, u32>,
    pub activities: BTreeMap<u32, u32>,
    pub audit_log: BTreeMap<u32, u32>,
}

fn map(m: &BTreeMap<u32, u32>, id: u32) -> u32 {
    m.get(&id).copied().unwrap_or(id)
}

/// Moves the records a device brings into its space: households, points and time-bank
/// ledgers, requests, activities and the audit log, with every reference to a household
/// (ledgers, requests, attendance), to a reversed entry and to an audited record of
/// those stores. The other stores (grids, buildings, resources, proposals, ballots,
/// plans, decisions, snapshots, runs, settings) are community-wide records made once;
/// they are not moved.
///
/// # Errors
///
/// [`IdError`] from [`migration_map`].
pub fn migrate_dataset(ds: &Dataset, device: u16) -> Result<(Dataset, IdMaps), IdError> {
    let maps = IdMaps {
        households: migration_map(ds.households.iter().map(|h| h.id), device)?,
        points_ledger: migration_map(ds.points_ledger.iter().map(|e| e.id), device)?,
        timebank_ledger: migration_map(ds.timebank_ledger.iter().map(|e| e.id), device)?,
        requests: migration_map(ds.requests.iter().map(|r| r.id), device)?,
        activities: migration_map(ds.activities.iter().map(|a| a.id), device)?,
        audit_log: migration_map(ds.audit_log.iter().map(|a| a.id), device)?,
    };
    let h = &maps.households;
    let mut out = ds.clone();
    for x in &mut out.households {
        x.id = map(h, x.id);
    }
    for e in &mut out.points_ledger {
        e.id = map(&maps.points_ledger, e.id);
        e.household_id = map(h, e.household_id);
        e.reverses = e.reverses.map(|r| map(&maps.points_ledger, r));
    }
    for e in &mut out.timebank_ledger {
        e.id = map(&maps.timebank_ledger, e.id);
        e.giver_household_id = map(h, e.giver_household_id);
        e.receiver_household_id = map(h, e.receiver_household_id);
    }
    for r in &mut out.requests {
        r.id = map(&maps.requests, r.id);
        r.household_id = r.household_id.map(|x| map(h, x));
    }
    for a in &mut out.activities {
        a.id = map(&maps.activities, a.id);
        for x in &mut a.attendance {
            *x = map(h, *x);
        }
    }
    for a in &mut out.audit_log {
        a.id = map(&maps.audit_log, a.id);
        let m = match a.entity.as_str() {
            "households" => Some(h),
            "points_ledger" => Some(&maps.points_ledger),
            "timebank_ledger" => Some(&maps.timebank_ledger),
            "requests" => Some(&maps.requests),
            "activities" => Some(&maps.activities),
            _ => None,
        };
        if let Some(m) = m {
            a.entity_id = map(m, a.entity_id);
        }
    }
    Ok((out, maps))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};
    use proptest::prelude::*;

    #[test]
    fn compose_and_split_round_trip_and_bounds_are_refused() {
        let id = compose(3, 77).unwrap();
        assert_eq!((device_of(id), local_of(id)), (3, 77));
        assert_eq!(compose(0, 1), Err(IdError::BadDevice(0)));
        assert_eq!(compose(256, 1), Err(IdError::BadDevice(256)));
        assert_eq!(compose(1, MAX_LOCAL + 1), Err(IdError::Exhausted(1)));
        assert_eq!(
            next_id(4, [compose(4, MAX_LOCAL).unwrap()]),
            Err(IdError::Exhausted(4))
        );
    }

    #[test]
    fn migration_keeps_every_record_and_reference() {
        let ds = generate(&DemoConfig {
            households: 60,
            ..DemoConfig::default()
        });
        let (m, maps) = migrate_dataset(&ds, 7).unwrap();
        assert_eq!(m.households.len(), ds.households.len());
        assert!(m.households.iter().all(|h| device_of(h.id) == 7));
        // Same records apart from ids: map back and compare.
        let back: BTreeMap<u32, u32> = maps.households.iter().map(|(a, b)| (*b, *a)).collect();
        for (old, new) in ds.households.iter().zip(&m.households) {
            assert_eq!(back[&new.id], old.id);
            assert_eq!(old.room, new.room);
        }
        for (old, new) in ds.points_ledger.iter().zip(&m.points_ledger) {
            assert_eq!(maps.households[&old.household_id], new.household_id);
        }
        m.check_integrity().unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn migration_map_is_injective_and_ordered(ids in proptest::collection::vec(any::<u32>(), 0..50), dev in 1u16..=255) {
            let m = migration_map(ids.iter().copied(), dev).unwrap();
            let mut distinct = ids.clone();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert_eq!(m.len(), distinct.len());
            let vals: Vec<u32> = m.values().copied().collect();
            prop_assert!(vals.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(vals.iter().all(|v| device_of(*v) == dev));
        }
    }
}
