//! The points bank (积分银行, SPEC §2.6): earning rules, a redemption catalogue
//! with stock, and an append-only ledger.
//!
//! # Ledger rules
//!
//! - Entries are never changed or deleted. A correction is a **reversal**: a new
//!   entry with `reason = "reversal"`, `reverses = Some(id)` and the opposite
//!   delta. An entry is reversed at most once; a reversal is never reversed.
//! - A household's balance is the sum of its entries' deltas and never goes
//!   negative, at any point of the ledger taken in `(at, id)` order.
//! - The catalogue's stock never goes negative: a redemption takes one unit, a
//!   reversed redemption puts it back.
//! - Every other change of stock (an item added, a restock, a correction after a
//!   count) is an append-only event of the catalogue's stock log ([`stock`]), with
//!   who and when; editing an item's name or cost never changes its stock.
//!
//! # Reasons
//!
//! `earn:<rule>` optionally followed by `@a<activity id>` (points for attending an
//! activity: at most once per household and activity), `redeem:<item code>`,
//! `reversal`.
//!
//! # Two tabs at once
//!
//! The `plan_*` functions are pure checks over what the caller read. The app reads
//! the household's entries, the catalogue and the ledger's largest id **inside the
//! read-write transaction that writes the result** (IndexedDB runs overlapping
//! read-write transactions on the same stores one after the other), so two tabs
//! redeeming at once cannot both pass the check on the same balance or stock.

use crate::order::SortDyn;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::{Activity, Channel, Millis, PointsEntry};

pub mod stock;

/// The setting that stores [`EarningRules`] as JSON.
pub const RULES_SETTING: &str = "points_rules";
/// The setting that stores the [`Catalogue`] as JSON.
pub const CATALOGUE_SETTING: &str = "points_catalogue";
/// The reason of a reversal entry.
pub const REVERSAL: &str = "reversal";
/// The prefix of an earning reason (`earn:<rule>[@a<activity id>]`).
pub const EARN_PREFIX: &str = "earn:";
/// The prefix of a redemption reason (`redeem:<item code>`).
pub const REDEEM_PREFIX: &str = "redeem:";
/// Largest points one entry may carry (a typing-error guard).
pub const MAX_POINTS: i64 = 100_000;

/// Points per kind of participation (SPEC §2.6 defaults: 10, 5, 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarningRules {
    /// Per deliberation meeting attended (online hall, building corner, tenant representatives).
    pub deliberation_per_meeting: i64,
    /// Per hour of volunteering (hours rounded down to tenths, points rounded down).
    pub volunteering_per_hour: i64,
    /// Per skill-sharing session.
    pub skill_sharing_per_session: i64,
}

impl Default for EarningRules {
    fn default() -> Self {
        Self {
            deliberation_per_meeting: 10,
            volunteering_per_hour: 5,
            skill_sharing_per_session: 15,
        }
    }
}

/// The earning rule an activity's channel falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EarnRule {
    Deliberation,
    Volunteering,
    SkillSharing,
}

impl EarnRule {
    /// Every rule.
    pub const ALL: [Self; 3] = [Self::Deliberation, Self::Volunteering, Self::SkillSharing];

    /// The rule of a channel.
    pub fn of(channel: Channel) -> Self {
        match channel {
            Channel::Volunteering => Self::Volunteering,
            Channel::SkillSharing => Self::SkillSharing,
            Channel::OnlineHall | Channel::BuildingCorner | Channel::TenantRepresentatives => {
                Self::Deliberation
            }
        }
    }

    /// The code used in reasons: `deliberation`, `volunteering`, `skill_sharing`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Deliberation => "deliberation",
            Self::Volunteering => "volunteering",
            Self::SkillSharing => "skill_sharing",
        }
    }

    /// The rule of a code (`None` for anything else).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A ledger entry's reason, read (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason<'a> {
    /// `redeem:<item code>`.
    Redeem(&'a str),
    /// [`REVERSAL`].
    Reversal,
    /// `earn:<rule>` optionally followed by `@a<activity>`; any other text is
    /// read as an earning whose rule is the text itself.
    Earn {
        rule: &'a str,
        activity: Option<&'a str>,
    },
}

impl<'a> Reason<'a> {
    /// Reads a reason.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::participation::points::Reason;
    /// assert_eq!(Reason::parse("redeem:canteen_voucher"), Reason::Redeem("canteen_voucher"));
    /// assert_eq!(Reason::parse("reversal"), Reason::Reversal);
    /// assert_eq!(
    ///     Reason::parse("earn:deliberation@a12"),
    ///     Reason::Earn { rule: "deliberation", activity: Some("12") }
    /// );
    /// ```
    pub fn parse(reason: &'a str) -> Self {
        if let Some(code) = reason.strip_prefix(REDEEM_PREFIX) {
            return Self::Redeem(code);
        }
        if reason == REVERSAL {
            return Self::Reversal;
        }
        let rule = reason.strip_prefix(EARN_PREFIX).unwrap_or(reason);
        match rule.split_once("@a") {
            Some((rule, a)) => Self::Earn {
                rule,
                activity: Some(a),
            },
            None => Self::Earn { rule, activity: None },
        }
    }
}

impl EarningRules {
    /// Points for one household attending an activity of `channel` lasting
    /// `hours_tenths` tenths of an hour.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::participation::points::EarningRules;
    /// use linli_domain::model::Channel;
    /// let r = EarningRules::default();
    /// assert_eq!(r.points_for(Channel::BuildingCorner, 15), 10);
    /// assert_eq!(r.points_for(Channel::Volunteering, 25), 12); // 2.5 h × 5, rounded down
    /// assert_eq!(r.points_for(Channel::SkillSharing, 10), 15);
    /// ```
    pub fn points_for(&self, channel: Channel, hours_tenths: u16) -> i64 {
        match EarnRule::of(channel) {
            EarnRule::Deliberation => self.deliberation_per_meeting,
            EarnRule::Volunteering => self.volunteering_per_hour * i64::from(hours_tenths) / 10,
            EarnRule::SkillSharing => self.skill_sharing_per_session,
        }
    }

    /// Checks every rule is within `0..=1000`.
    ///
    /// # Errors
    ///
    /// [`PointsError::BadRule`].
    pub fn validate(&self) -> Result<(), PointsError> {
        for v in [
            self.deliberation_per_meeting,
            self.volunteering_per_hour,
            self.skill_sharing_per_session,
        ] {
            if !(0..=1000).contains(&v) {
                return Err(PointsError::BadRule);
            }
        }
        Ok(())
    }
}

/// One thing residents can redeem points for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueItem {
    /// Stable code, e.g. `canteen_voucher`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Points per unit (> 0).
    pub cost: i64,
    /// Units left.
    pub stock: u32,
}

/// The redemption catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub items: Vec<CatalogueItem>,
    /// Every stock change other than a redemption, oldest first, append-only
    /// (see [`stock`]). Absent in catalogues stored before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stock_log: Vec<stock::StockEvent>,
}

impl Default for Catalogue {
    /// Canteen vouchers (20 points, 200 in stock), parking discounts (30, 100),
    /// summer childcare places (60, 30).
    fn default() -> Self {
        let item = |code: &str, zh: &str, en: &str, cost, stock| CatalogueItem {
            code: code.to_owned(),
            name_zh: zh.to_owned(),
            name_en: en.to_owned(),
            cost,
            stock,
        };
        Self {
            items: vec![
                item("canteen_voucher", "长者食堂餐券", "Canteen voucher", 20, 200),
                item("parking_discount", "停车费优惠", "Parking discount", 30, 100),
                item(
                    "summer_childcare",
                    "暑期托管名额",
                    "Summer childcare place",
                    60,
                    30,
                ),
            ],
            stock_log: Vec::new(),
        }
    }
}

impl Catalogue {
    /// The item with `code`.
    pub fn item(&self, code: &str) -> Option<&CatalogueItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// Checks codes are unique and non-empty, names non-empty and costs in `1..=MAX_POINTS`.
    ///
    /// # Errors
    ///
    /// [`PointsError::BadCatalogue`] naming the first bad item.
    pub fn validate(&self) -> Result<(), PointsError> {
        let mut seen = BTreeSet::new();
        for i in &self.items {
            let code_ok = !i.code.is_empty()
                && i.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !code_ok
                || i.name_zh.trim().is_empty()
                || !(1..=MAX_POINTS).contains(&i.cost)
                || !seen.insert(&i.code)
            {
                return Err(PointsError::BadCatalogue(i.code.clone()));
            }
        }
        Ok(())
    }
}

/// Why a points operation or a ledger was refused. Nothing is written when one
/// is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PointsError {
    /// Redeeming more than the balance.
    #[error("balance {balance} is less than the {cost} points needed")]
    InsufficientBalance { balance: i64, cost: i64 },
    /// The item is out of stock.
    #[error("{0} is out of stock")]
    OutOfStock(String),
    /// No such catalogue item.
    #[error("no catalogue item {0}")]
    UnknownItem(String),
    /// No such entry (for a reversal), or it belongs to another household.
    #[error("no ledger entry {0} for this household")]
    NoEntry(u32),
    /// The entry was already reversed.
    #[error("entry {0} was already reversed")]
    AlreadyReversed(u32),
    /// A reversal cannot itself be reversed.
    #[error("entry {0} is a reversal; reversals are not reversed")]
    ReverseReversal(u32),
    /// Reversing would make the balance negative.
    #[error("reversing entry {id} would leave a balance of {balance}")]
    ReversalOverdraws { id: u32, balance: i64 },
    /// Points outside `1..=MAX_POINTS`.
    #[error("points must be between 1 and {MAX_POINTS}")]
    BadPoints,
    /// An earning rule outside 0–1000.
    #[error("earning rules are 0 to 1000 points")]
    BadRule,
    /// A catalogue item with a bad code, name or cost, or a repeated code.
    #[error("catalogue item {0:?}: code (a–z, 0–9, _) unique, name and cost 1–100000 required")]
    BadCatalogue(String),
    /// Two ledger entries share an id.
    #[error("ledger: duplicate id {0}")]
    DuplicateId(u32),
    /// A reversal that does not mirror the entry it reverses.
    #[error("ledger: entry {0} is not a valid reversal")]
    BadReversal(u32),
    /// A balance went negative.
    #[error("ledger: household {household} goes negative at entry {id}")]
    Negative { household: u32, id: u32 },
}

/// The balance of `household`: the sum of its entries' deltas.
pub fn balance(entries: &[PointsEntry], household: u32) -> i64 {
    entries
        .iter()
        .filter(|e| e.household_id == household)
        .map(|e| e.delta)
        .sum()
}

/// Every household's balance, by household id.
pub fn balances(entries: &[PointsEntry]) -> BTreeMap<u32, i64> {
    let mut out = BTreeMap::new();
    for e in entries {
        *out.entry(e.household_id).or_insert(0) += e.delta;
    }
    out
}

/// The ledger in history order: `(at, id)`.
pub fn history(entries: &[PointsEntry], household: u32) -> Vec<PointsEntry> {
    let mut out: Vec<PointsEntry> = entries
        .iter()
        .filter(|e| e.household_id == household)
        .cloned()
        .collect();
    out.sort_by_key_dyn(|e| (e.at, e.id));
    out
}

/// Checks a whole ledger: unique ids; each reversal names an earlier, non-reversal
/// entry of the same household, mirrors its delta and is its only reversal; no
/// balance ever negative in `(at, id)` order.
///
/// # Errors
///
/// The first [`PointsError`] found.
pub fn check_ledger(entries: &[PointsEntry]) -> Result<(), PointsError> {
    let mut by_id: HashMap<u32, &PointsEntry> = HashMap::new();
    for e in entries {
        if by_id.insert(e.id, e).is_some() {
            return Err(PointsError::DuplicateId(e.id));
        }
    }
    let mut reversed = BTreeSet::new();
    for e in entries {
        if let Some(t) = e.reverses {
            let ok = by_id.get(&t).is_some_and(|o| {
                o.reverses.is_none()
                    && o.household_id == e.household_id
                    && o.delta == -e.delta
                    && (o.at, o.id) < (e.at, e.id)
            });
            if !ok || e.reason != REVERSAL || !reversed.insert(t) {
                return Err(PointsError::BadReversal(e.id));
            }
        }
    }
    let mut sorted: Vec<&PointsEntry> = entries.iter().collect();
    sorted.sort_by_key_dyn(|e| (e.at, e.id));
    let mut bal: HashMap<u32, i64> = HashMap::new();
    for e in sorted {
        let b = bal.entry(e.household_id).or_insert(0);
        *b += e.delta;
        if *b < 0 {
            return Err(PointsError::Negative {
                household: e.household_id,
                id: e.id,
            });
        }
    }
    Ok(())
}

/// The activity an `earn:…@a<id>` reason refers to.
pub fn activity_of(reason: &str) -> Option<u32> {
    reason.strip_prefix(EARN_PREFIX)?.split_once("@a")?.1.parse().ok()
}

/// The households credited for attending activity `activity` in `entries`
/// (an earning for it that was not reversed).
pub fn credited(entries: &[PointsEntry], activity: u32) -> BTreeSet<u32> {
    let reversed: BTreeSet<u32> = entries.iter().filter_map(|e| e.reverses).collect();
    entries
        .iter()
        .filter(|e| activity_of(&e.reason) == Some(activity) && !reversed.contains(&e.id))
        .map(|e| e.household_id)
        .collect()
}

/// Points for attending `activity`, for each household in `households` (a subset
/// of its attendance, e.g. the ticked boxes of the quick entry) that has not been
/// credited for it yet. `existing` must hold at least those households' entries;
/// ids start at `first_id`.
///
/// Returns the new entries and the households skipped because already credited.
///
/// # Errors
///
/// [`PointsError::BadPoints`] if the rules give no points for this activity.
pub fn plan_earn_attendance(
    existing: &[PointsEntry],
    rules: &EarningRules,
    activity: &Activity,
    households: &[u32],
    first_id: u32,
    at: Millis,
) -> Result<(Vec<PointsEntry>, Vec<u32>), PointsError> {
    let points = rules.points_for(activity.channel, activity.hours_tenths);
    if !(1..=MAX_POINTS).contains(&points) {
        return Err(PointsError::BadPoints);
    }
    let credited = credited(existing, activity.id);
    let mut todo: Vec<u32> = households.to_vec();
    todo.sort_unstable();
    todo.dedup();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let reason = format!(
        "{EARN_PREFIX}{}@a{}",
        EarnRule::of(activity.channel).code(),
        activity.id
    );
    for h in todo {
        if credited.contains(&h) {
            skipped.push(h);
            continue;
        }
        out.push(PointsEntry {
            id: first_id + out.len() as u32,
            household_id: h,
            at,
            delta: points,
            reason: reason.clone(),
            reverses: None,
        });
    }
    Ok((out, skipped))
}

/// A checked redemption: the ledger entry and the catalogue with one unit less.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub entry: PointsEntry,
    pub catalogue: Catalogue,
}

/// Redeems one unit of `item` for `household`. `household_entries` must be all of
/// that household's entries (read in the same transaction as the write).
///
/// # Errors
///
/// [`PointsError::UnknownItem`], [`PointsError::OutOfStock`],
/// [`PointsError::InsufficientBalance`].
///
/// # Examples
///
/// ```
/// use linli_domain::participation::points::{plan_redeem, Catalogue, PointsError};
/// use linli_domain::model::PointsEntry;
/// let earned = vec![PointsEntry { id: 1, household_id: 7, at: 0, delta: 25, reason: "earn:deliberation".into(), reverses: None }];
/// let cat = Catalogue::default();
/// let r = plan_redeem(&earned, &cat, 7, "canteen_voucher", 2, 10).unwrap();
/// assert_eq!(r.entry.delta, -20);
/// assert_eq!(r.catalogue.item("canteen_voucher").unwrap().stock, 199);
/// assert_eq!(plan_redeem(&earned, &cat, 7, "parking_discount", 2, 10),
///            Err(PointsError::InsufficientBalance { balance: 25, cost: 30 }));
/// ```
pub fn plan_redeem(
    household_entries: &[PointsEntry],
    catalogue: &Catalogue,
    household: u32,
    item: &str,
    id: u32,
    at: Millis,
) -> Result<Redemption, PointsError> {
    let it = catalogue
        .item(item)
        .ok_or_else(|| PointsError::UnknownItem(item.to_owned()))?;
    if it.stock == 0 {
        return Err(PointsError::OutOfStock(item.to_owned()));
    }
    let bal = balance(household_entries, household);
    if bal < it.cost {
        return Err(PointsError::InsufficientBalance {
            balance: bal,
            cost: it.cost,
        });
    }
    let mut catalogue = catalogue.clone();
    if let Some(i) = catalogue.items.iter_mut().find(|i| i.code == item) {
        i.stock -= 1;
    }
    Ok(Redemption {
        entry: PointsEntry {
            id,
            household_id: household,
            at,
            delta: -it.cost,
            reason: format!("{REDEEM_PREFIX}{item}"),
            reverses: None,
        },
        catalogue,
    })
}

/// A manual earning entry (e.g. a skill-sharing session not recorded as an activity).
///
/// # Errors
///
/// [`PointsError::BadPoints`] for points outside `1..=MAX_POINTS`.
pub fn plan_earn(
    household: u32,
    rule: EarnRule,
    points: i64,
    id: u32,
    at: Millis,
) -> Result<PointsEntry, PointsError> {
    if !(1..=MAX_POINTS).contains(&points) {
        return Err(PointsError::BadPoints);
    }
    Ok(PointsEntry {
        id,
        household_id: household,
        at,
        delta: points,
        reason: format!("{EARN_PREFIX}{}", rule.code()),
        reverses: None,
    })
}

/// Reverses entry `target` of `household`; a reversed redemption puts its unit
/// back into the catalogue (when the item still exists).
///
/// # Errors
///
/// [`PointsError::NoEntry`], [`PointsError::ReverseReversal`],
/// [`PointsError::AlreadyReversed`], [`PointsError::ReversalOverdraws`].
pub fn plan_reversal(
    household_entries: &[PointsEntry],
    catalogue: &Catalogue,
    household: u32,
    target: u32,
    id: u32,
    at: Millis,
) -> Result<(PointsEntry, Catalogue), PointsError> {
    let t = household_entries
        .iter()
        .find(|e| e.id == target && e.household_id == household)
        .ok_or(PointsError::NoEntry(target))?;
    if t.reverses.is_some() {
        return Err(PointsError::ReverseReversal(target));
    }
    if household_entries.iter().any(|e| e.reverses == Some(target)) {
        return Err(PointsError::AlreadyReversed(target));
    }
    let after = balance(household_entries, household) - t.delta;
    if after < 0 {
        return Err(PointsError::ReversalOverdraws {
            id: target,
            balance: after,
        });
    }
    let mut catalogue = catalogue.clone();
    if let Some(code) = t.reason.strip_prefix(REDEEM_PREFIX) {
        if let Some(i) = catalogue.items.iter_mut().find(|i| i.code == code) {
            i.stock = i.stock.saturating_add(1);
        }
    }
    Ok((
        PointsEntry {
            id,
            household_id: household,
            at: at.max(t.at),
            delta: -t.delta,
            reason: REVERSAL.to_owned(),
            reverses: Some(target),
        },
        catalogue,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn participation_earn_rule_codes_round_trip() {
        for r in EarnRule::ALL {
            assert_eq!(EarnRule::from_code(r.code()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
        assert_eq!(EarnRule::from_code("other"), None);
    }

    #[test]
    fn participation_reasons_read_back() {
        let a = Activity {
            id: 7,
            date: "2026-01-01".into(),
            title: String::new(),
            channel: Channel::Volunteering,
            building_id: None,
            attendance: vec![1],
            hours_tenths: 10,
        };
        let (earned, _) = plan_earn_attendance(&[], &EarningRules::default(), &a, &[1], 1, 0).unwrap();
        assert_eq!(
            Reason::parse(&earned[0].reason),
            Reason::Earn {
                rule: "volunteering",
                activity: Some("7")
            }
        );
        assert_eq!(credited(&earned, 7), BTreeSet::from([1]));
        assert!(credited(&earned, 8).is_empty());
        let manual = plan_earn(1, EarnRule::SkillSharing, 5, 2, 0).unwrap();
        assert_eq!(
            Reason::parse(&manual.reason),
            Reason::Earn {
                rule: "skill_sharing",
                activity: None
            }
        );
        let rich = [e(1, 1, 100)];
        let r = plan_redeem(&rich, &Catalogue::default(), 1, "canteen_voucher", 3, 0).unwrap();
        assert_eq!(Reason::parse(&r.entry.reason), Reason::Redeem("canteen_voucher"));
        let (rev, _) = plan_reversal(&rich, &Catalogue::default(), 1, 1, 4, 0).unwrap();
        assert_eq!(Reason::parse(&rev.reason), Reason::Reversal);
        assert_eq!(
            Reason::parse("legacy"),
            Reason::Earn {
                rule: "legacy",
                activity: None
            }
        );
    }

    fn e(id: u32, h: u32, delta: i64) -> PointsEntry {
        PointsEntry {
            id,
            household_id: h,
            at: i64::from(id),
            delta,
            reason: "earn:deliberation".into(),
            reverses: None,
        }
    }

    #[test]
    fn redeem_refuses_over_balance_and_stock() {
        let ledger = vec![e(1, 1, 10), e(2, 1, 15), e(3, 2, 100)];
        let mut cat = Catalogue::default();
        assert_eq!(
            plan_redeem(&ledger, &cat, 1, "parking_discount", 9, 9),
            Err(PointsError::InsufficientBalance {
                balance: 25,
                cost: 30
            })
        );
        assert_eq!(
            plan_redeem(&ledger, &cat, 1, "nope", 9, 9),
            Err(PointsError::UnknownItem("nope".into()))
        );
        cat.items[0].stock = 1;
        let r = plan_redeem(&ledger, &cat, 1, "canteen_voucher", 9, 9).unwrap();
        assert_eq!(r.catalogue.items[0].stock, 0);
        assert_eq!(
            plan_redeem(&ledger, &r.catalogue, 2, "canteen_voucher", 10, 10),
            Err(PointsError::OutOfStock("canteen_voucher".into()))
        );
        // After the redemption the balance is 5: a second voucher is refused.
        let mut after = ledger.clone();
        after.push(r.entry.clone());
        cat.items[0].stock = 5;
        assert_eq!(
            plan_redeem(&after, &cat, 1, "canteen_voucher", 10, 10),
            Err(PointsError::InsufficientBalance { balance: 5, cost: 20 })
        );
        check_ledger(&after).unwrap();
    }

    #[test]
    fn reversals() {
        let mut ledger = vec![e(1, 1, 30)];
        let cat = Catalogue::default();
        let r = plan_redeem(&ledger, &cat, 1, "canteen_voucher", 2, 5).unwrap();
        ledger.push(r.entry);
        // Reversing the earning would leave −20.
        assert_eq!(
            plan_reversal(&ledger, &r.catalogue, 1, 1, 3, 6),
            Err(PointsError::ReversalOverdraws { id: 1, balance: -20 })
        );
        let (rev, cat2) = plan_reversal(&ledger, &r.catalogue, 1, 2, 3, 6).unwrap();
        assert_eq!(rev.delta, 20);
        assert_eq!(cat2, cat, "the voucher is back in stock");
        ledger.push(rev);
        assert_eq!(
            plan_reversal(&ledger, &cat2, 1, 2, 4, 7),
            Err(PointsError::AlreadyReversed(2))
        );
        assert_eq!(
            plan_reversal(&ledger, &cat2, 1, 3, 4, 7),
            Err(PointsError::ReverseReversal(3))
        );
        assert_eq!(
            plan_reversal(&ledger, &cat2, 2, 1, 4, 7),
            Err(PointsError::NoEntry(1))
        );
        check_ledger(&ledger).unwrap();
        assert_eq!(balance(&ledger, 1), 30);
    }

    #[test]
    fn check_ledger_finds_problems() {
        assert_eq!(
            check_ledger(&[e(1, 1, 5), e(1, 2, 5)]),
            Err(PointsError::DuplicateId(1))
        );
        assert_eq!(
            check_ledger(&[e(1, 1, 5), e(2, 1, -6)]),
            Err(PointsError::Negative { household: 1, id: 2 })
        );
        let mut bad = e(2, 1, -4);
        bad.reverses = Some(1);
        bad.reason = REVERSAL.into();
        assert_eq!(check_ledger(&[e(1, 1, 5), bad]), Err(PointsError::BadReversal(2)));
        let demo = crate::demo::generate(&crate::demo::DemoConfig {
            households: 400,
            ..Default::default()
        });
        check_ledger(&demo.points_ledger).unwrap();
    }

    #[test]
    fn attendance_quick_entry_credits_once() {
        let act = Activity {
            id: 42,
            date: "2026-11-20".into(),
            title: "楼栋议事角".into(),
            channel: Channel::Volunteering,
            building_id: None,
            attendance: vec![1, 2, 3],
            hours_tenths: 30,
        };
        let rules = EarningRules::default();
        let (first, skipped) = plan_earn_attendance(&[], &rules, &act, &[3, 1, 1], 100, 7).unwrap();
        assert!(skipped.is_empty());
        assert_eq!(
            first
                .iter()
                .map(|x| (x.id, x.household_id, x.delta))
                .collect::<Vec<_>>(),
            vec![(100, 1, 15), (101, 3, 15)]
        );
        assert_eq!(activity_of(&first[0].reason), Some(42));
        let (second, skipped) = plan_earn_attendance(&first, &rules, &act, &[1, 2, 3], 102, 8).unwrap();
        assert_eq!(skipped, vec![1, 3]);
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].household_id, 2);
        let zero = EarningRules {
            volunteering_per_hour: 0,
            ..rules
        };
        assert_eq!(
            plan_earn_attendance(&[], &zero, &act, &[1], 1, 1),
            Err(PointsError::BadPoints)
        );
    }

    #[test]
    fn settings_validate() {
        assert!(Catalogue::default().validate().is_ok());
        let mut c = Catalogue::default();
        c.items[1].code = c.items[0].code.clone();
        assert!(matches!(c.validate(), Err(PointsError::BadCatalogue(_))));
        assert!(EarningRules::default().validate().is_ok());
        assert_eq!(
            EarningRules {
                volunteering_per_hour: -1,
                ..Default::default()
            }
            .validate(),
            Err(PointsError::BadRule)
        );
        assert_eq!(
            plan_earn(1, EarnRule::SkillSharing, 0, 1, 1),
            Err(PointsError::BadPoints)
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Earn(u32, i64),
        Redeem(u32, usize),
        Reverse(u32, u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u32..4, 1i64..40).prop_map(|(h, p)| Op::Earn(h, p)),
            (0u32..4, 0usize..3).prop_map(|(h, i)| Op::Redeem(h, i)),
            (0u32..4, 1u32..60).prop_map(|(h, t)| Op::Reverse(h, t)),
        ]
    }

    proptest! {
        /// Any sequence of earnings, redemptions and reversals, each checked by the
        /// `plan_*` functions: the balance is always the sum of the entries, never
        /// negative, the stock never negative, and the ledger passes `check_ledger`.
        #[test]
        fn ledger_invariants(ops in proptest::collection::vec(op(), 0..60), stock in 0u32..4) {
            let mut ledger: Vec<PointsEntry> = Vec::new();
            let mut cat = Catalogue::default();
            for i in &mut cat.items { i.stock = stock; }
            let start_stock: u32 = cat.items.iter().map(|i| i.stock).sum();
            let mut redeemed_units: i64 = 0;
            for (t, o) in ops.into_iter().enumerate() {
                let id = ledger.len() as u32 + 1;
                let at = t as i64;
                let mine: Vec<PointsEntry> = match &o {
                    Op::Earn(h, _) | Op::Redeem(h, _) | Op::Reverse(h, _) =>
                        ledger.iter().filter(|e| e.household_id == *h).cloned().collect(),
                };
                match o {
                    Op::Earn(h, p) => ledger.push(plan_earn(h, EarnRule::Deliberation, p, id, at).unwrap()),
                    Op::Redeem(h, i) => {
                        let code = cat.items[i].code.clone();
                        let before = balance(&ledger, h);
                        match plan_redeem(&mine, &cat, h, &code, id, at) {
                            Ok(r) => { ledger.push(r.entry); cat = r.catalogue; redeemed_units += 1; }
                            Err(PointsError::InsufficientBalance { balance, cost }) => {
                                prop_assert_eq!(balance, before);
                                prop_assert!(balance < cost);
                            }
                            Err(PointsError::OutOfStock(_)) => prop_assert_eq!(cat.items[i].stock, 0),
                            Err(other) => prop_assert!(false, "{other}"),
                        }
                    }
                    Op::Reverse(h, target) => {
                        if let Ok((rev, c)) = plan_reversal(&mine, &cat, h, target, id, at) {
                            if rev.delta > 0 { redeemed_units -= 1; }
                            ledger.push(rev);
                            cat = c;
                        }
                    }
                }
                for h in 0..4 {
                    let b = balance(&ledger, h);
                    prop_assert!(b >= 0);
                    prop_assert_eq!(b, ledger.iter().filter(|e| e.household_id == h).map(|e| e.delta).sum::<i64>());
                    prop_assert_eq!(balances(&ledger).get(&h).copied().unwrap_or(0), b);
                }
                let now_stock: u32 = cat.items.iter().map(|i| i.stock).sum();
                prop_assert_eq!(i64::from(start_stock) - redeemed_units, i64::from(now_stock));
                prop_assert!(check_ledger(&ledger).is_ok());
            }
        }
    }
}
