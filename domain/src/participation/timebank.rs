//! The time bank (时间银行, SPEC §2.6): hours of service given and received
//! between households (younger elders serving older elders), balances, and
//! transfers of earned time to family.
//!
//! Entries are append-only [`TimeBankEntry`]s. A **service** entry credits its
//! giver and debits its receiver; a receiver's balance may go negative (the time
//! bank exists so that older elders can be served). A **transfer** entry
//! (`service = "transfer:family"`) moves time from `giver_household_id` to
//! `receiver_household_id` (a family member's household): the giver's balance
//! goes down and may not go below zero.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::model::{Millis, TimeBankEntry};

/// The `service` of a transfer to family.
pub const TRANSFER: &str = "transfer:family";
/// Longest service entry: 24 hours.
pub const MAX_MINUTES: u32 = 24 * 60;

/// One household's time account, in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeAccount {
    pub given: u64,
    pub received: u64,
    pub transferred_in: u64,
    pub transferred_out: u64,
}

impl TimeAccount {
    /// Given − received + transferred in − transferred out.
    pub fn balance(&self) -> i64 {
        self.given as i64 - self.received as i64 + self.transferred_in as i64 - self.transferred_out as i64
    }
}

/// Why a time-bank entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeBankError {
    #[error("giver and receiver must be different households")]
    SameHousehold,
    #[error("minutes must be between 1 and {MAX_MINUTES}")]
    BadMinutes,
    #[error("name the service")]
    NoService,
    /// A transfer larger than the giver's balance.
    #[error("balance {balance} minutes is less than the {minutes} to transfer")]
    InsufficientBalance { balance: i64, minutes: u32 },
}

/// Every household's account.
pub fn accounts(entries: &[TimeBankEntry]) -> BTreeMap<u32, TimeAccount> {
    let mut out: BTreeMap<u32, TimeAccount> = BTreeMap::new();
    for e in entries {
        let m = u64::from(e.minutes);
        if e.service == TRANSFER {
            out.entry(e.giver_household_id).or_default().transferred_out += m;
            out.entry(e.receiver_household_id).or_default().transferred_in += m;
        } else {
            out.entry(e.giver_household_id).or_default().given += m;
            out.entry(e.receiver_household_id).or_default().received += m;
        }
    }
    out
}

/// A service entry: `giver` served `receiver` for `minutes`.
///
/// # Errors
///
/// [`TimeBankError::SameHousehold`], [`TimeBankError::BadMinutes`],
/// [`TimeBankError::NoService`].
pub fn plan_service(
    giver: u32,
    receiver: u32,
    minutes: u32,
    service: &str,
    id: u32,
    at: Millis,
) -> Result<TimeBankEntry, TimeBankError> {
    let service = service.trim();
    if giver == receiver {
        return Err(TimeBankError::SameHousehold);
    }
    if !(1..=MAX_MINUTES).contains(&minutes) {
        return Err(TimeBankError::BadMinutes);
    }
    if service.is_empty() || service == TRANSFER {
        return Err(TimeBankError::NoService);
    }
    Ok(TimeBankEntry {
        id,
        at,
        giver_household_id: giver,
        receiver_household_id: receiver,
        minutes,
        service: service.to_owned(),
    })
}

/// A transfer of `minutes` from `from` to family household `to`. `entries` must
/// hold every entry involving `from` (read in the write's transaction).
///
/// # Errors
///
/// [`TimeBankError::SameHousehold`], [`TimeBankError::BadMinutes`],
/// [`TimeBankError::InsufficientBalance`].
///
/// # Examples
///
/// ```
/// use linli_domain::participation::timebank::{plan_service, plan_transfer, TimeBankError};
/// let served = vec![plan_service(1, 2, 90, "陪同就医", 1, 0).unwrap()];
/// assert!(plan_transfer(&served, 1, 3, 60, 2, 1).is_ok());
/// assert_eq!(plan_transfer(&served, 1, 3, 120, 2, 1),
///            Err(TimeBankError::InsufficientBalance { balance: 90, minutes: 120 }));
/// ```
pub fn plan_transfer(
    entries: &[TimeBankEntry],
    from: u32,
    to: u32,
    minutes: u32,
    id: u32,
    at: Millis,
) -> Result<TimeBankEntry, TimeBankError> {
    if from == to {
        return Err(TimeBankError::SameHousehold);
    }
    if minutes == 0 {
        return Err(TimeBankError::BadMinutes);
    }
    let balance = accounts(entries).get(&from).map_or(0, TimeAccount::balance);
    if balance < i64::from(minutes) {
        return Err(TimeBankError::InsufficientBalance { balance, minutes });
    }
    Ok(TimeBankEntry {
        id,
        at,
        giver_household_id: from,
        receiver_household_id: to,
        minutes,
        service: TRANSFER.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accounts_and_transfers() {
        let mut l = vec![
            plan_service(1, 2, 120, "代购买菜", 1, 0).unwrap(),
            plan_service(3, 1, 30, "理发", 2, 0).unwrap(),
        ];
        l.push(plan_transfer(&l, 1, 4, 90, 3, 1).unwrap());
        let a = accounts(&l);
        assert_eq!(a[&1].balance(), 0);
        assert_eq!(a[&2].balance(), -120);
        assert_eq!(a[&4].balance(), 90);
        assert_eq!(a[&4].transferred_in, 90);
        assert_eq!(
            plan_transfer(&l, 1, 4, 1, 4, 2),
            Err(TimeBankError::InsufficientBalance {
                balance: 0,
                minutes: 1
            })
        );
        assert_eq!(
            plan_service(1, 1, 10, "x", 4, 2),
            Err(TimeBankError::SameHousehold)
        );
        assert_eq!(plan_service(1, 2, 0, "x", 4, 2), Err(TimeBankError::BadMinutes));
        assert_eq!(plan_service(1, 2, 10, " ", 4, 2), Err(TimeBankError::NoService));
        assert_eq!(
            plan_service(1, 2, 10, TRANSFER, 4, 2),
            Err(TimeBankError::NoService)
        );
    }

    proptest! {
        /// Time is conserved (balances sum to zero) and transfers never overdraw.
        #[test]
        fn conserved(ops in proptest::collection::vec((any::<bool>(), 0u32..4, 0u32..4, 1u32..200), 0..50)) {
            let mut l: Vec<TimeBankEntry> = Vec::new();
            for (transfer, a, b, m) in ops {
                let id = l.len() as u32 + 1;
                let r = if transfer { plan_transfer(&l, a, b, m, id, 0) } else { plan_service(a, b, m, "助老", id, 0) };
                let before = accounts(&l).get(&a).map_or(0, TimeAccount::balance);
                match r {
                    Ok(e) => {
                        if transfer { prop_assert!(before >= i64::from(m)); }
                        l.push(e);
                    }
                    Err(TimeBankError::InsufficientBalance { balance, .. }) => prop_assert_eq!(balance, before),
                    Err(_) => prop_assert_eq!(a, b),
                }
                let acc = accounts(&l);
                prop_assert_eq!(acc.values().map(TimeAccount::balance).sum::<i64>(), 0);
            }
        }
    }
}
