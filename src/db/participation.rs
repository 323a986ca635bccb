//! Typed reads and writes of the participation view (the only IndexedDB code it uses).
//!
//! Every write that must keep a balance or a stock from going negative is a
//! checked write ([`Db::checked`]): the household's entries, the catalogue and
//! the next id are read in the same read-write transaction as the write, so two
//! tabs redeeming at once cannot overdraw. New ids (activities, ledger entries)
//! are read inside that transaction too.
//!
//! Every write records one history entry by the acting guide (`actor`) in the
//! same transaction (`Batch::audit`).

use std::convert::Infallible;

use linli_domain::audit::Detail;
use linli_domain::model::{
    Activity, AuditEntry, Building, Household, Millis, PointsEntry, Setting, TimeBankEntry,
};
use linli_domain::participation::points::stock::{self, StockError, Who};
use linli_domain::participation::points::{
    self, plan_earn_attendance, plan_redeem, plan_reversal, Catalogue, CatalogueItem, EarningRules,
    PointsError, CATALOGUE_SETTING, RULES_SETTING,
};
use linli_domain::participation::timebank::{plan_service, plan_transfer, TimeBankError};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

use super::settings::STORE as SETTINGS;
use super::{Batch, Db, DbError, Read, ReadResults};

const ACTIVITIES: &str = "activities";
const POINTS: &str = "points_ledger";
const TIMEBANK: &str = "timebank_ledger";
const BUILDINGS: &str = "buildings";

/// A history entry of the participation view by `actor` at `at` (id chosen on commit).
fn entry(at: Millis, actor: &str, entity: &str, id: u32, action: &str, summary: String) -> AuditEntry {
    super::history_entry(at, actor.to_owned(), entity, id, action, summary)
}

/// What the participation view loads once per data revision.
#[derive(Debug)]
pub struct ParticipationData {
    pub activities: Vec<Activity>,
    pub ledger: Vec<PointsEntry>,
    pub timebank: Vec<TimeBankEntry>,
    pub households: Vec<Household>,
    pub buildings: Vec<Building>,
    /// The earning rules (the defaults when the setting is absent or broken).
    pub rules: EarningRules,
    /// The catalogue (the default one when the setting is absent or broken).
    pub catalogue: Catalogue,
}

/// A setting's JSON, `Default` when absent or not decodable (what the view shows).
async fn setting_or_default<T: DeserializeOwned + Default>(db: &Db, key: &str) -> Result<T, DbError> {
    Ok(db
        .setting(key)
        .await?
        .and_then(|s| serde_json::from_str(&s.value).ok())
        .unwrap_or_default())
}

/// Everything the participation view shows.
///
/// # Errors
///
/// [`DbError`] with the browser's error name.
pub async fn load(db: &Db) -> Result<ParticipationData, DbError> {
    Ok(ParticipationData {
        activities: db.get_all(ACTIVITIES).await?,
        ledger: db.get_all(POINTS).await?,
        timebank: db.get_all(TIMEBANK).await?,
        households: db.households().await?,
        buildings: db.get_all(BUILDINGS).await?,
        rules: setting_or_default(db, RULES_SETTING).await?,
        catalogue: setting_or_default(db, CATALOGUE_SETTING).await?,
    })
}

/// A setting read inside a checked write: `Default` when absent, an error when broken.
fn setting_in<T: DeserializeOwned + Default>(res: &ReadResults, i: usize, key: &str) -> Result<T, DbError> {
    match res.record::<Setting>(i)? {
        None => Ok(T::default()),
        Some(s) => serde_json::from_str(&s.value).map_err(|e| DbError::Decode {
            store: format!("{SETTINGS}/{key}"),
            reason: e.to_string(),
        }),
    }
}

fn catalogue_setting(c: &Catalogue) -> Setting {
    Setting {
        key: CATALOGUE_SETTING.to_owned(),
        value: serde_json::to_string(c).unwrap_or_default(),
    }
}

fn setting_read(key: &str) -> Read {
    Read::Get {
        store: SETTINGS,
        key: JsValue::from_str(key),
    }
}

fn household_entries(store: &'static str, index: &'static str, household: u32) -> Read {
    Read::Index {
        store,
        index,
        key: JsValue::from(household),
    }
}

/// Saves a checked activity under the next free id (read in the write
/// transaction); returns that id. One history entry by `actor` at `at`.
///
/// # Errors
///
/// [`DbError`] with the browser's error name; nothing was written.
pub async fn add_activity(db: &Db, activity: Activity, actor: String, at: Millis) -> Result<u32, DbError> {
    let r = db
        .checked(
            &[ACTIVITIES],
            vec![Read::MaxKey { store: ACTIVITIES }],
            move |res| {
                let mut a = activity;
                a.id = res.max_key(0) + 1;
                let mut b = Batch::default();
                b.add(ACTIVITIES, &a)?;
                let summary = format!("{} {}", a.date, a.title);
                b.audit(entry(at, &actor, ACTIVITIES, a.id, "create", summary));
                Ok(Ok::<_, Infallible>((b, a.id)))
            },
        )
        .await?;
    Ok(r.unwrap_or_else(|never| match never {}))
}

/// What crediting an attendance list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credited {
    /// Households credited now.
    pub households: usize,
    /// Households skipped because already credited for the activity.
    pub skipped: usize,
    /// Points each credited household earned.
    pub points: i64,
}

/// Credits `households` (ticked among `activity`'s attendance) with the
/// activity's points, skipping those already credited; ledger, rules and ids
/// are read in the write transaction.
///
/// # Errors
///
/// `Ok(Err(_))`: the rules' refusal, nothing written; [`DbError`] otherwise.
pub async fn earn_attendance(
    db: &Db,
    activity: Activity,
    households: Vec<u32>,
    at: Millis,
    actor: String,
) -> Result<Result<Credited, PointsError>, DbError> {
    let reads = vec![
        Read::All { store: POINTS },
        Read::MaxKey { store: POINTS },
        setting_read(RULES_SETTING),
    ];
    db.checked(&[POINTS], reads, move |res| {
        let ledger: Vec<PointsEntry> = res.records(0)?;
        let rules: EarningRules = setting_in(res, 2, RULES_SETTING)?;
        Ok(
            match plan_earn_attendance(&ledger, &rules, &activity, &households, res.max_key(1) + 1, at) {
                Ok((entries, skipped)) => {
                    let mut b = Batch::default();
                    for e in &entries {
                        b.add(POINTS, e)?;
                    }
                    let done = Credited {
                        households: entries.len(),
                        skipped: skipped.len(),
                        points: entries.first().map_or(0, |e| e.delta),
                    };
                    if !entries.is_empty() {
                        let summary = linli_domain::audit::summary(&Detail::Earned {
                            households: u64::try_from(done.households).unwrap_or(0),
                            points: done.points,
                        });
                        b.audit(entry(at, &actor, POINTS, activity.id, "earn", summary));
                    }
                    Ok((b, done))
                }
                Err(e) => Err(e),
            },
        )
    })
    .await
}

/// Redeems one unit of catalogue item `item` for `household`: balance, stock and
/// id are checked in the write transaction. Returns the balance left.
///
/// # Errors
///
/// `Ok(Err(_))`: not enough points, out of stock or unknown item, nothing
/// written; [`DbError`] otherwise.
pub async fn redeem(
    db: &Db,
    household: u32,
    item: String,
    at: Millis,
    actor: String,
) -> Result<Result<i64, PointsError>, DbError> {
    let reads = vec![
        household_entries(POINTS, "by_household", household),
        setting_read(CATALOGUE_SETTING),
        Read::MaxKey { store: POINTS },
    ];
    db.checked(&[POINTS, SETTINGS], reads, move |res| {
        let entries: Vec<PointsEntry> = res.records(0)?;
        let cat: Catalogue = setting_in(res, 1, CATALOGUE_SETTING)?;
        Ok(
            match plan_redeem(&entries, &cat, household, &item, res.max_key(2) + 1, at) {
                Ok(r) => {
                    let mut b = Batch::default();
                    b.add(POINTS, &r.entry)?;
                    b.put(SETTINGS, &catalogue_setting(&r.catalogue))?;
                    let summary = linli_domain::audit::summary(&Detail::Redeemed {
                        household,
                        item: item.to_string(),
                        delta: r.entry.delta,
                    });
                    b.audit(entry(at, &actor, POINTS, r.entry.id, "redeem", summary));
                    let left = points::balance(&entries, household) + r.entry.delta;
                    Ok((b, left))
                }
                Err(e) => Err(e),
            },
        )
    })
    .await
}

/// Reverses ledger entry `target` of `household` (a reversed redemption puts its
/// unit back into the catalogue), checked in the write transaction.
///
/// # Errors
///
/// `Ok(Err(_))`: the ledger's refusal, nothing written; [`DbError`] otherwise.
pub async fn reverse(
    db: &Db,
    household: u32,
    target: u32,
    at: Millis,
    actor: String,
) -> Result<Result<(), PointsError>, DbError> {
    let reads = vec![
        household_entries(POINTS, "by_household", household),
        setting_read(CATALOGUE_SETTING),
        Read::MaxKey { store: POINTS },
    ];
    db.checked(&[POINTS, SETTINGS], reads, move |res| {
        let entries: Vec<PointsEntry> = res.records(0)?;
        let cat: Catalogue = setting_in(res, 1, CATALOGUE_SETTING)?;
        Ok(
            match plan_reversal(&entries, &cat, household, target, res.max_key(2) + 1, at) {
                Ok((e, c)) => {
                    let mut b = Batch::default();
                    b.add(POINTS, &e)?;
                    if c != cat {
                        b.put(SETTINGS, &catalogue_setting(&c))?;
                    }
                    let summary = linli_domain::audit::summary(&Detail::Reversed {
                        household,
                        entry: target,
                        delta: e.delta,
                    });
                    b.audit(entry(at, &actor, POINTS, e.id, "reverse", summary));
                    Ok((b, ()))
                }
                Err(e) => Err(e),
            },
        )
    })
    .await
}

/// What a time-bank entry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeGift {
    /// A service given by one household to another (its description).
    Service(String),
    /// Banked time transferred to family (never more than the balance).
    Transfer,
}

/// Records `minutes` from household `from` to `to`: the giver's entries (for a
/// transfer's balance) and the id are read in the write transaction.
///
/// # Errors
///
/// `Ok(Err(_))`: the time bank's refusal, nothing written; [`DbError`] otherwise.
pub async fn record_time(
    db: &Db,
    from: u32,
    to: u32,
    minutes: u32,
    gift: TimeGift,
    at: Millis,
    actor: String,
) -> Result<Result<(), TimeBankError>, DbError> {
    let reads = vec![
        household_entries(TIMEBANK, "by_giver", from),
        household_entries(TIMEBANK, "by_receiver", from),
        Read::MaxKey { store: TIMEBANK },
    ];
    db.checked(&[TIMEBANK], reads, move |res| {
        let mut mine: Vec<TimeBankEntry> = res.records(0)?;
        mine.extend(res.records::<TimeBankEntry>(1)?);
        let id = res.max_key(2) + 1;
        let planned = match &gift {
            TimeGift::Transfer => plan_transfer(&mine, from, to, minutes, id, at),
            TimeGift::Service(what) => plan_service(from, to, minutes, what, id, at),
        };
        Ok(match planned {
            Ok(e) => {
                let mut b = Batch::default();
                b.add(TIMEBANK, &e)?;
                let action = match gift {
                    TimeGift::Transfer => "transfer",
                    TimeGift::Service(_) => "create",
                };
                let summary = linli_domain::audit::summary(&Detail::Transfer {
                    from,
                    to,
                    minutes: i64::from(minutes),
                });
                b.audit(entry(at, &actor, TIMEBANK, e.id, action, summary));
                Ok((b, ()))
            }
            Err(e) => Err(e),
        })
    })
    .await
}

/// An edit of the redemption catalogue (`#/settings`); every stock change is a
/// stock-log event (`linli_domain::participation::points::stock`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueChange {
    /// A new item with its opening stock.
    Add(CatalogueItem),
    /// New names and cost of an item (its stock unchanged).
    Edit {
        code: String,
        name_zh: String,
        name_en: String,
        cost: i64,
    },
    /// Units added to an item.
    Restock {
        code: String,
        units: u32,
        reason: String,
    },
    /// An item's stock set after a count.
    Correct {
        code: String,
        stock: u32,
        reason: String,
    },
}

impl CatalogueChange {
    fn apply(&self, cat: &Catalogue, by: &Who) -> Result<Catalogue, StockError> {
        match self {
            Self::Add(item) => stock::add_item(cat, item.clone(), by),
            Self::Edit {
                code,
                name_zh,
                name_en,
                cost,
            } => stock::edit_item(cat, code, name_zh, name_en, *cost),
            Self::Restock { code, units, reason } => stock::restock(cat, code, *units, by, reason),
            Self::Correct { code, stock, reason } => stock::correct(cat, code, *stock, by, reason),
        }
    }

    /// The history entry's summary.
    fn summary(&self, new: &Catalogue) -> String {
        let stock_of = |code: &str| new.item(code).map_or(0, |i| i.stock);
        match self {
            Self::Add(i) => format!("catalogue: added {} (cost {}, stock {})", i.code, i.cost, i.stock),
            Self::Edit { code, cost, .. } => format!("catalogue: edited {code} (cost {cost})"),
            Self::Restock { code, units, .. } => {
                format!("catalogue: restocked {code} +{units} (stock {})", stock_of(code))
            }
            Self::Correct { code, stock, reason } => {
                format!("catalogue: stock of {code} corrected to {stock}: {reason}")
            }
        }
    }
}

/// Applies `change` to the catalogue read inside the write transaction (so a
/// redemption in another tab is never overwritten), checks that the stock log only
/// grew (`stock::check_update`), and writes the catalogue with one history entry by
/// `actor`. Returns the new catalogue.
///
/// # Errors
///
/// `Ok(Err(_))`: the rule refused it, nothing written; [`DbError`] otherwise (a
/// stored catalogue that does not decode included).
pub async fn change_catalogue(
    db: &Db,
    change: CatalogueChange,
    actor: String,
    at: Millis,
) -> Result<Result<Catalogue, StockError>, DbError> {
    db.checked(&[SETTINGS], vec![setting_read(CATALOGUE_SETTING)], move |res| {
        let old: Catalogue = setting_in(res, 0, CATALOGUE_SETTING)?;
        let by = Who {
            actor: actor.clone(),
            at,
        };
        let new = match change
            .apply(&old, &by)
            .and_then(|new| stock::check_update(&old, &new).map(|()| new))
        {
            Ok(n) => n,
            Err(e) => return Ok(Err(e)),
        };
        let mut b = Batch::default();
        b.put(SETTINGS, &catalogue_setting(&new))?;
        b.audit(super::history_entry(
            at,
            actor,
            SETTINGS,
            0,
            "update",
            change.summary(&new),
        ));
        Ok(Ok((b, new)))
    })
    .await
}
