//! The catalogue's stock ledger: every change of an item's stock that is not a
//! redemption is an append-only [`StockEvent`] (who, when, how many, why).
//!
//! # Where stock changes are recorded
//!
//! An item's stock changes in exactly four ways, each leaving a record that is
//! never edited or deleted:
//!
//! | change | record |
//! |---|---|
//! | an item is added with its opening stock | [`StockKind::Added`] event |
//! | units are restocked | [`StockKind::Restock`] event (1 to [`MAX_RESTOCK`] units) |
//! | a count finds a different stock | [`StockKind::Correction`] event, reason required |
//! | a household redeems one unit, or that redemption is reversed | the points ledger entry (`redeem:<code>` or its reversal) |
//!
//! The events are kept in the catalogue setting itself ([`Catalogue::stock_log`]),
//! so the catalogue and its ledger are written together in one transaction. Each
//! event records the stock before and after it; [`check_update`] accepts a new
//! catalogue only if its log **starts with the old log unchanged** (append-only)
//! and every item's stock moved by exactly the deltas of the appended events.
//! Editing an item's name or cost never touches its stock.
//!
//! # Examples
//!
//! An exhausted item is restocked:
//!
//! ```
//! use linli_domain::participation::points::{Catalogue, stock};
//! let mut cat = Catalogue::default();
//! cat.items[0].stock = 0; // every canteen voucher redeemed
//! let by = stock::Who { actor: "王指导员".into(), at: 1_780_000_000_000 };
//! let after = stock::restock(&cat, "canteen_voucher", 50, &by, "").unwrap();
//! assert_eq!(after.item("canteen_voucher").unwrap().stock, 50);
//! assert_eq!(after.stock_log.len(), 1);
//! assert_eq!(after.stock_log[0].stock_before, 0);
//! stock::check_update(&cat, &after).unwrap();
//! ```

use serde::{Deserialize, Serialize};

use super::{Catalogue, CatalogueItem, PointsError, MAX_POINTS};
use crate::model::Millis;

/// Most units one restock adds.
pub const MAX_RESTOCK: u32 = 100_000;
/// Largest stock an item may hold.
pub const MAX_STOCK: u32 = 1_000_000;
/// Longest item name or reason, in characters.
pub const MAX_NAME: usize = 200;
/// Longest item code, in characters.
pub const MAX_CODE: usize = 40;

/// What a [`StockEvent`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockKind {
    /// The item was added with its opening stock (may be 0).
    Added,
    /// Units were added (a delivery of new vouchers, places, …).
    Restock,
    /// A count found another stock; the reason says why.
    Correction,
}

impl StockKind {
    /// The snake_case code, as in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Restock => "restock",
            Self::Correction => "correction",
        }
    }
}

/// One change of an item's stock other than a redemption. Never edited or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockEvent {
    /// 1, 2, … in the order recorded.
    pub id: u32,
    /// The item's code.
    pub item: String,
    pub kind: StockKind,
    /// Units added (negative only for a correction).
    pub delta: i64,
    pub stock_before: u32,
    pub stock_after: u32,
    /// Who recorded it.
    pub actor: String,
    /// When (ms since the Unix epoch).
    pub at: Millis,
    /// Why (required for a correction).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// Who makes a change, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub actor: String,
    pub at: Millis,
}

/// Why a catalogue change was refused. Nothing is written then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    /// The code is empty, too long or not `a–z`, `0–9`, `_`.
    #[error("the code must be 1 to {MAX_CODE} characters a–z, 0–9 or _")]
    BadCode,
    /// Another item has this code.
    #[error("an item with the code {0} already exists")]
    DuplicateCode(String),
    /// The Chinese name is empty, or a name is too long or has line breaks.
    #[error("the Chinese name is required; names are one line of at most {MAX_NAME} characters")]
    BadName,
    /// A cost outside `1..=MAX_POINTS`.
    #[error("the cost must be 1 to {MAX_POINTS} points")]
    BadCost,
    /// A restock of 0 units or more than [`MAX_RESTOCK`].
    #[error("a restock adds 1 to {MAX_RESTOCK} units")]
    BadUnits,
    /// A stock above [`MAX_STOCK`].
    #[error("the stock must be 0 to {MAX_STOCK}")]
    BadStock,
    /// A correction without a reason, a reason too long, or one that changes nothing.
    #[error("a correction needs a reason (at most {MAX_NAME} characters) and a different stock")]
    BadCorrection,
    /// No item with this code.
    #[error("no catalogue item {0}")]
    UnknownItem(String),
    /// No actor named.
    #[error("the change needs the name of who makes it")]
    NoActor,
    /// The new catalogue does not keep the old stock log as it was.
    #[error("the stock log is append-only: event {0} was changed or removed")]
    LogRewritten(u32),
    /// An item's stock changed without a matching stock event.
    #[error("the stock of {0} changed without a stock event")]
    UnrecordedChange(String),
    /// An event that does not add up (ids, before + delta = after, unknown item).
    #[error("stock event {0} is not consistent")]
    BadEvent(u32),
    /// The rest of the catalogue does not validate.
    #[error(transparent)]
    Catalogue(#[from] PointsError),
}

fn check_code(code: &str) -> Result<(), StockError> {
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StockError::BadCode)
    }
}

fn one_line(s: &str, required: bool) -> bool {
    (!required || !s.trim().is_empty()) && s.chars().count() <= MAX_NAME && !s.chars().any(char::is_control)
}

fn check_names(name_zh: &str, name_en: &str) -> Result<(), StockError> {
    if one_line(name_zh, true) && one_line(name_en, false) {
        Ok(())
    } else {
        Err(StockError::BadName)
    }
}

fn check_cost(cost: i64) -> Result<(), StockError> {
    if (1..=MAX_POINTS).contains(&cost) {
        Ok(())
    } else {
        Err(StockError::BadCost)
    }
}

fn check_who(by: &Who) -> Result<(), StockError> {
    if one_line(&by.actor, true) {
        Ok(())
    } else {
        Err(StockError::NoActor)
    }
}

fn next_event_id(cat: &Catalogue) -> u32 {
    u32::try_from(cat.stock_log.len())
        .unwrap_or(u32::MAX)
        .saturating_add(1)
}

/// Appends an event setting `code`'s stock to `after`.
fn push_event(
    cat: &mut Catalogue,
    code: &str,
    kind: StockKind,
    after: u32,
    by: &Who,
    reason: &str,
) -> Result<(), StockError> {
    let id = next_event_id(cat);
    let item = cat
        .items
        .iter_mut()
        .find(|i| i.code == code)
        .ok_or_else(|| StockError::UnknownItem(code.to_owned()))?;
    let before = item.stock;
    item.stock = after;
    cat.stock_log.push(StockEvent {
        id,
        item: code.to_owned(),
        kind,
        delta: i64::from(after) - i64::from(before),
        stock_before: before,
        stock_after: after,
        actor: by.actor.trim().to_owned(),
        at: by.at,
        reason: reason.trim().to_owned(),
    });
    Ok(())
}

/// The catalogue with a new item (its opening stock recorded as an
/// [`StockKind::Added`] event).
///
/// # Errors
///
/// [`StockError::BadCode`], [`StockError::DuplicateCode`], [`StockError::BadName`],
/// [`StockError::BadCost`], [`StockError::BadStock`], [`StockError::NoActor`].
pub fn add_item(cat: &Catalogue, item: CatalogueItem, by: &Who) -> Result<Catalogue, StockError> {
    check_who(by)?;
    check_code(&item.code)?;
    if cat.item(&item.code).is_some() {
        return Err(StockError::DuplicateCode(item.code));
    }
    check_names(&item.name_zh, &item.name_en)?;
    check_cost(item.cost)?;
    if item.stock > MAX_STOCK {
        return Err(StockError::BadStock);
    }
    let mut out = cat.clone();
    let opening = item.stock;
    let code = item.code.clone();
    out.items.push(CatalogueItem {
        name_zh: item.name_zh.trim().to_owned(),
        name_en: item.name_en.trim().to_owned(),
        stock: 0,
        ..item
    });
    push_event(&mut out, &code, StockKind::Added, opening, by, "")?;
    Ok(out)
}

/// The catalogue with item `code`'s names and cost changed; its stock is untouched.
///
/// # Errors
///
/// [`StockError::UnknownItem`], [`StockError::BadName`], [`StockError::BadCost`].
pub fn edit_item(
    cat: &Catalogue,
    code: &str,
    name_zh: &str,
    name_en: &str,
    cost: i64,
) -> Result<Catalogue, StockError> {
    check_names(name_zh, name_en)?;
    check_cost(cost)?;
    let mut out = cat.clone();
    let item = out
        .items
        .iter_mut()
        .find(|i| i.code == code)
        .ok_or_else(|| StockError::UnknownItem(code.to_owned()))?;
    item.name_zh = name_zh.trim().to_owned();
    item.name_en = name_en.trim().to_owned();
    item.cost = cost;
    Ok(out)
}

/// The catalogue with `units` more of item `code`, recorded as a
/// [`StockKind::Restock`] event (`reason` optional).
///
/// # Errors
///
/// [`StockError::BadUnits`] for 0 or more than [`MAX_RESTOCK`] units,
/// [`StockError::BadStock`] past [`MAX_STOCK`], [`StockError::UnknownItem`],
/// [`StockError::NoActor`], [`StockError::BadCorrection`] for a reason over
/// [`MAX_NAME`] characters.
pub fn restock(
    cat: &Catalogue,
    code: &str,
    units: u32,
    by: &Who,
    reason: &str,
) -> Result<Catalogue, StockError> {
    check_who(by)?;
    if !(1..=MAX_RESTOCK).contains(&units) {
        return Err(StockError::BadUnits);
    }
    if !one_line(reason, false) {
        return Err(StockError::BadCorrection);
    }
    let item = cat
        .item(code)
        .ok_or_else(|| StockError::UnknownItem(code.to_owned()))?;
    let after = item
        .stock
        .checked_add(units)
        .filter(|s| *s <= MAX_STOCK)
        .ok_or(StockError::BadStock)?;
    let mut out = cat.clone();
    push_event(&mut out, code, StockKind::Restock, after, by, reason)?;
    Ok(out)
}

/// The catalogue with item `code`'s stock set to `stock` after a count, recorded as
/// a [`StockKind::Correction`] event with its `reason`.
///
/// # Errors
///
/// [`StockError::BadCorrection`] without a reason or when the stock does not change,
/// [`StockError::BadStock`], [`StockError::UnknownItem`], [`StockError::NoActor`].
pub fn correct(
    cat: &Catalogue,
    code: &str,
    stock: u32,
    by: &Who,
    reason: &str,
) -> Result<Catalogue, StockError> {
    check_who(by)?;
    if stock > MAX_STOCK {
        return Err(StockError::BadStock);
    }
    let item = cat
        .item(code)
        .ok_or_else(|| StockError::UnknownItem(code.to_owned()))?;
    if !one_line(reason, true) || item.stock == stock {
        return Err(StockError::BadCorrection);
    }
    let mut out = cat.clone();
    push_event(&mut out, code, StockKind::Correction, stock, by, reason)?;
    Ok(out)
}

/// Checks the stock log on its own: ids `1, 2, …`, each event about an item of the
/// catalogue, `stock_before + delta = stock_after`, a reason on every correction.
///
/// # Errors
///
/// [`StockError::BadEvent`] naming the first bad event.
pub fn check_log(cat: &Catalogue) -> Result<(), StockError> {
    for (i, e) in cat.stock_log.iter().enumerate() {
        let ok = usize::try_from(e.id).ok() == Some(i + 1)
            && cat.item(&e.item).is_some()
            && i64::from(e.stock_before) + e.delta == i64::from(e.stock_after)
            && (e.kind != StockKind::Correction || !e.reason.trim().is_empty())
            && (e.kind != StockKind::Restock || e.delta > 0);
        if !ok {
            return Err(StockError::BadEvent(e.id));
        }
    }
    Ok(())
}

/// Checks that `new` may replace `old` as an edit of the catalogue (not a
/// redemption): the old stock log is kept unchanged at the start of the new one,
/// every item's stock changed by exactly the deltas of the appended events (an item
/// new in `new` starting from 0), no item was removed, and `new` validates.
///
/// # Errors
///
/// [`StockError::LogRewritten`], [`StockError::UnrecordedChange`],
/// [`StockError::BadEvent`], [`StockError::Catalogue`].
pub fn check_update(old: &Catalogue, new: &Catalogue) -> Result<(), StockError> {
    new.validate()?;
    check_log(new)?;
    for (i, e) in old.stock_log.iter().enumerate() {
        if new.stock_log.get(i) != Some(e) {
            return Err(StockError::LogRewritten(e.id));
        }
    }
    let appended = &new.stock_log[old.stock_log.len().min(new.stock_log.len())..];
    for o in &old.items {
        if new.item(&o.code).is_none() {
            return Err(StockError::UnrecordedChange(o.code.clone()));
        }
    }
    for n in &new.items {
        let before = old.item(&n.code).map_or(0, |o| i64::from(o.stock));
        let moved: i64 = appended
            .iter()
            .filter(|e| e.item == n.code)
            .map(|e| e.delta)
            .sum();
        if before + moved != i64::from(n.stock) {
            return Err(StockError::UnrecordedChange(n.code.clone()));
        }
    }
    Ok(())
}

/// The stock events of item `code`, newest first.
pub fn history<'a>(cat: &'a Catalogue, code: &'a str) -> impl Iterator<Item = &'a StockEvent> + 'a {
    cat.stock_log.iter().rev().filter(move |e| e.item == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PointsEntry;
    use crate::participation::points::{plan_redeem, plan_reversal};
    use proptest::prelude::*;

    fn by(at: Millis) -> Who {
        Who {
            actor: "王指导员".into(),
            at,
        }
    }

    fn item(code: &str, cost: i64, stock: u32) -> CatalogueItem {
        CatalogueItem {
            code: code.into(),
            name_zh: "社区理发券".into(),
            name_en: "Haircut voucher".into(),
            cost,
            stock,
        }
    }

    #[test]
    fn an_exhausted_item_is_restocked_and_redeemable_again() {
        let rich = vec![PointsEntry {
            id: 1,
            household_id: 7,
            at: 0,
            delta: 100,
            reason: "earn:deliberation".into(),
            reverses: None,
        }];
        let mut cat = Catalogue::default();
        cat.items[0].stock = 1;
        let r = plan_redeem(&rich, &cat, 7, "canteen_voucher", 2, 1).unwrap();
        let empty = r.catalogue;
        assert_eq!(
            plan_redeem(&rich, &empty, 7, "canteen_voucher", 3, 2),
            Err(PointsError::OutOfStock("canteen_voucher".into()))
        );
        let again = restock(&empty, "canteen_voucher", 20, &by(3), "第二批餐券").unwrap();
        check_update(&empty, &again).unwrap();
        let e = &again.stock_log[0];
        assert_eq!(
            (e.id, e.kind, e.delta, e.stock_before, e.stock_after),
            (1, StockKind::Restock, 20, 0, 20)
        );
        assert_eq!(e.actor, "王指导员");
        assert_eq!(e.reason, "第二批餐券");
        let r2 = plan_redeem(&rich, &again, 7, "canteen_voucher", 3, 4).unwrap();
        assert_eq!(r2.catalogue.item("canteen_voucher").unwrap().stock, 19);
        assert_eq!(
            r2.catalogue.stock_log, again.stock_log,
            "a redemption keeps the log"
        );
    }

    #[test]
    fn refusals_name_the_rule_and_change_nothing() {
        let cat = Catalogue::default();
        assert_eq!(
            restock(&cat, "canteen_voucher", 0, &by(1), ""),
            Err(StockError::BadUnits)
        );
        assert_eq!(
            restock(&cat, "canteen_voucher", MAX_RESTOCK + 1, &by(1), ""),
            Err(StockError::BadUnits)
        );
        assert_eq!(
            restock(&cat, "nope", 5, &by(1), ""),
            Err(StockError::UnknownItem("nope".into()))
        );
        let nobody = Who {
            actor: " ".into(),
            at: 1,
        };
        assert_eq!(
            restock(&cat, "canteen_voucher", 5, &nobody, ""),
            Err(StockError::NoActor)
        );
        let mut full = cat.clone();
        full.items[0].stock = MAX_STOCK;
        assert_eq!(
            restock(&full, "canteen_voucher", 1, &by(1), ""),
            Err(StockError::BadStock)
        );
        assert_eq!(
            correct(&cat, "canteen_voucher", 5, &by(1), ""),
            Err(StockError::BadCorrection)
        );
        assert_eq!(
            correct(&cat, "canteen_voucher", 200, &by(1), "盘点"),
            Err(StockError::BadCorrection),
            "a correction must change the stock"
        );
        assert_eq!(
            add_item(&cat, item("canteen_voucher", 5, 1), &by(1)),
            Err(StockError::DuplicateCode("canteen_voucher".into()))
        );
        assert_eq!(
            add_item(&cat, item("Bad Code", 5, 1), &by(1)),
            Err(StockError::BadCode)
        );
        assert_eq!(
            add_item(&cat, item("haircut", 0, 1), &by(1)),
            Err(StockError::BadCost)
        );
        assert_eq!(
            add_item(&cat, item("haircut", 5, MAX_STOCK + 1), &by(1)),
            Err(StockError::BadStock)
        );
        let mut nameless = item("haircut", 5, 1);
        nameless.name_zh = "  ".into();
        assert_eq!(add_item(&cat, nameless, &by(1)), Err(StockError::BadName));
        assert_eq!(
            edit_item(&cat, "canteen_voucher", "餐券\n", "", 20),
            Err(StockError::BadName)
        );
        assert_eq!(
            edit_item(&cat, "canteen_voucher", "餐券", "", MAX_POINTS + 1),
            Err(StockError::BadCost)
        );
    }

    #[test]
    fn add_edit_and_correct_are_logged() {
        let cat = Catalogue::default();
        let added = add_item(&cat, item("haircut", 15, 40), &by(1)).unwrap();
        check_update(&cat, &added).unwrap();
        assert_eq!(added.item("haircut").unwrap().stock, 40);
        assert_eq!(added.stock_log[0].kind, StockKind::Added);
        assert_eq!(added.stock_log[0].stock_after, 40);
        let edited = edit_item(&added, "haircut", "理发券", "Haircut", 12).unwrap();
        check_update(&added, &edited).unwrap();
        assert_eq!(
            edited.stock_log.len(),
            1,
            "an edit of name or cost logs no stock event"
        );
        assert_eq!(edited.item("haircut").unwrap().cost, 12);
        let counted = correct(&edited, "haircut", 38, &by(2), "盘点少两张").unwrap();
        check_update(&edited, &counted).unwrap();
        assert_eq!(counted.stock_log[1].delta, -2);
        assert_eq!(
            history(&counted, "haircut").map(|e| e.id).collect::<Vec<_>>(),
            vec![2, 1]
        );
        // Round trip through the setting's JSON.
        let json = serde_json::to_string(&counted).unwrap();
        let back: Catalogue = serde_json::from_str(&json).unwrap();
        assert_eq!(back, counted);
        // A catalogue stored before the log existed still reads, and writes no log.
        let old: Catalogue = serde_json::from_str(&serde_json::to_string(&cat).unwrap()).unwrap();
        assert!(old.stock_log.is_empty());
        assert!(!serde_json::to_string(&old).unwrap().contains("stock_log"));
    }

    #[test]
    fn check_update_refuses_rewritten_logs_and_silent_stock_changes() {
        let cat = Catalogue::default();
        let a = restock(&cat, "canteen_voucher", 10, &by(1), "").unwrap();
        let b = restock(&a, "parking_discount", 5, &by(2), "").unwrap();
        check_update(&a, &b).unwrap();
        // A stock changed by hand, without an event.
        let mut silent = b.clone();
        silent.items[2].stock += 1;
        assert_eq!(
            check_update(&b, &silent),
            Err(StockError::UnrecordedChange("summer_childcare".into()))
        );
        // An event removed.
        let mut removed = b.clone();
        removed.stock_log.pop();
        removed.items[1].stock -= 5;
        assert_eq!(check_update(&b, &removed), Err(StockError::LogRewritten(2)));
        // An event edited.
        let mut edited = b.clone();
        edited.stock_log[0].actor = "someone else".into();
        assert_eq!(check_update(&b, &edited), Err(StockError::LogRewritten(1)));
        // An item removed.
        let mut dropped = b.clone();
        dropped.items.remove(2);
        assert_eq!(
            check_update(&b, &dropped),
            Err(StockError::UnrecordedChange("summer_childcare".into()))
        );
        // An event that does not add up.
        let mut bad = b.clone();
        bad.stock_log[1].stock_after += 1;
        assert_eq!(check_log(&bad), Err(StockError::BadEvent(2)));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Restock(usize, u32),
        Correct(usize, u32),
        Edit(usize, i64),
        Redeem(usize),
        Reverse(u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..3, 0u32..30).prop_map(|(i, n)| Op::Restock(i, n)),
            (0usize..3, 0u32..30).prop_map(|(i, n)| Op::Correct(i, n)),
            (0usize..3, -5i64..50).prop_map(|(i, c)| Op::Edit(i, c)),
            (0usize..3).prop_map(Op::Redeem),
            (1u32..40).prop_map(Op::Reverse),
        ]
    }

    proptest! {
        /// Any sequence of restocks, corrections, edits, redemptions and reversals:
        /// the log only grows and never changes its past, every catalogue edit passes
        /// `check_update`, and each item's stock is its opening stock plus its events'
        /// deltas minus its redemptions not reversed.
        #[test]
        fn stock_is_explained_by_the_logs(ops in proptest::collection::vec(op(), 0..60), opening in 0u32..5) {
            let mut cat = Catalogue::default();
            for i in &mut cat.items { i.stock = opening; }
            let mut ledger = vec![PointsEntry { id: 1, household_id: 1, at: 0, delta: 1_000_000, reason: "earn:deliberation".into(), reverses: None }];
            for (t, o) in ops.into_iter().enumerate() {
                let at = t as Millis + 1;
                let before = cat.clone();
                let next_id = ledger.len() as u32 + 1;
                match o {
                    Op::Restock(i, n) => {
                        let code = cat.items[i].code.clone();
                        match restock(&cat, &code, n, &by(at), "") {
                            Ok(c) => { check_update(&before, &c).unwrap(); cat = c; }
                            Err(e) => prop_assert_eq!(e, StockError::BadUnits),
                        }
                    }
                    Op::Correct(i, n) => {
                        let code = cat.items[i].code.clone();
                        match correct(&cat, &code, n, &by(at), "盘点") {
                            Ok(c) => { check_update(&before, &c).unwrap(); cat = c; }
                            Err(e) => { prop_assert_eq!(e, StockError::BadCorrection); prop_assert_eq!(cat.items[i].stock, n); }
                        }
                    }
                    Op::Edit(i, cost) => {
                        let code = cat.items[i].code.clone();
                        match edit_item(&cat, &code, "改名", "", cost) {
                            Ok(c) => { check_update(&before, &c).unwrap(); cat = c; }
                            Err(e) => prop_assert_eq!(e, StockError::BadCost),
                        }
                    }
                    Op::Redeem(i) => {
                        let code = cat.items[i].code.clone();
                        if let Ok(r) = plan_redeem(&ledger, &cat, 1, &code, next_id, at) {
                            ledger.push(r.entry);
                            cat = r.catalogue;
                        }
                    }
                    Op::Reverse(target) => {
                        if let Ok((e, c)) = plan_reversal(&ledger, &cat, 1, target, next_id, at) {
                            ledger.push(e);
                            cat = c;
                        }
                    }
                }
                prop_assert!(cat.stock_log.starts_with(&before.stock_log));
                check_log(&cat).unwrap();
                let reversed: std::collections::BTreeSet<u32> = ledger.iter().filter_map(|e| e.reverses).collect();
                for it in &cat.items {
                    let events: i64 = cat.stock_log.iter().filter(|e| e.item == it.code).map(|e| e.delta).sum();
                    let redeemed = ledger
                        .iter()
                        .filter(|e| e.reason == format!("redeem:{}", it.code) && !reversed.contains(&e.id))
                        .count() as i64;
                    prop_assert_eq!(i64::from(opening) + events - redeemed, i64::from(it.stock));
                }
            }
        }
    }
}
