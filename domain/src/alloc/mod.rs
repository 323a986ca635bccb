//! Resource pools and allocation (资源弹性调配池, SPEC §2.3), cost sharing (多方协同分配,
//! SPEC §2.4) and the allocation indicators (SPEC §2.3, §2.10).
//!
//! # One call
//!
//! ```
//! use linli_domain::alloc::{allocate, AllocConfig};
//! use linli_domain::model::ResourceKind;
//! let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
//!     households: 400,
//!     ..Default::default()
//! });
//! let config = AllocConfig::from_dataset(&d).unwrap(); // the `alloc_config` setting or defaults
//! let r = allocate(&d, &config, "2026-Q3").unwrap();
//! let money = r.kind(ResourceKind::Money).unwrap();
//! let sum: i64 = money.categories.iter().map(|c| c.total).sum();
//! assert_eq!(sum + money.pools.reserve, money.total); // exact to the fen
//! ```
//!
//! [`allocate`] = [`prepare`] (aggregate the dataset into [`AllocInputs`]) then
//! [`allocate_inputs`] (the pure engine on inputs and configuration). A run is stored with
//! [`run_record`] and checked with [`verify_run`]; [`compare`] and [`what_if`] set results
//! side by side.
//!
//! # How a period is allocated
//!
//! The period's resources (`YYYY-Qn`) are pooled **by kind**: money (fen), service slots and
//! room hours, each pool allocated separately among the categories that share it (money: all
//! categories; slots and room hours: the configuration's `kinds` list, else the categories
//! the resources were earmarked for). For each pool, all in integers:
//!
//! 1. **Reserve first** (应急池): `reserve = total × reserve_bp / 10000` (default 5 %), the
//!    rest split **base** 70 % / **flexible** 30 % (`base_bp + flexible_bp = 10000`); both
//!    splits by largest remainder, so `reserve + base + flexible = total` exactly. The
//!    reserve is not allocated: it is released by recorded decision only.
//! 2. **Base pool** (基础池), fixed rules: in proportion to `eligible × unit_weight`, where the
//!    eligible headcount is the sum over the register of the category's eligibility
//!    indicator (e.g. members aged 60+ for elderly care, see [`CategoryRule::default_for`]).
//! 3. **Flexible pool** (机动池), quarterly demand: the category's share (parts per billion,
//!    rounded down) of each demand input — needs scores of households with a need of the
//!    category (40 %), waiting list = households registering such a need (30 %), requests
//!    of the period (20 %), growth of the eligible population since the previous run, in whole
//!    bands of [`inputs::GROWTH_BAND`] people so that one household never moves it, its
//!    share taken over at least [`GROWTH_FLOOR_PER_MILLE`] ‰ of all eligible people so
//!    that one band never takes the whole component (10 %)
//!    — weighted into `demand`, then multiplied by the priority factors: urgency (mean factor
//!    of the category's registered needs: low ×1, medium ×1.5, high ×2) and reach (per
//!    category, default ×1). With no demand data at all the flexible pool follows the base
//!    weights.
//! 4. Base and flexible pools are each apportioned by **largest remainder**
//!    ([`apportion`]): exact, within quota, deterministic ties (larger remainder, then
//!    larger weight, then category code ascending).
//! 5. **Floors and caps** (hard): each category gets at least `floor_bp` of the allocated
//!    pools (rounded down) and, for money, at least `min_fen`; at most `cap_bp` (rounded
//!    up; a category alone in a pool gets all of it). The **change limit** (soft, optional
//!    `max_change_bp`): a category's share moves at most that many basis points from its
//!    previous share, loosened where floors and caps need the room ([`ChangeLimit`]).
//!    If any bound binds, the totals are re-apportioned with [`apportion::bounded`] (water
//!    filling on the unbounded totals, then largest remainder) and split back into base and
//!    flexible parts (each category keeps up to its base share; the base pool's rest goes by
//!    largest remainder over what the categories have room for), so each pool still adds up
//!    exactly.
//!
//! The **previous period** is the latest stored run of the quarter before, else that
//! quarter's resources by their own (earmarked) category. Each row shows the previous
//! amount and share and the change in basis points (e.g. childcare 2000 → 3500).
//!
//! **Indicators** ([`indicators`]): mismatch rate `½·Σ|allocation share − need share|`,
//! precise-targeting rate, utilisation (money), and the group-fairness table with the
//! elite-capture warning. **Cost sharing** ([`cost_share`]): the money by funder, class and
//! category, exact to the fen.
//!
//! # Reproducibility
//!
//! No clock, no randomness, no floats: the same inputs and configuration give the same
//! result, byte for byte, on every machine, whatever order records come in
//! ([`AllocInputs::normalize`]). A result carries the SHA-256 of its canonical inputs;
//! [`run_record`] stores inputs and outputs verbatim and [`verify_run`] re-runs them.
//!
//! # Bad input
//!
//! Every error names what to fix, and nothing is saved: ratios that do not add up
//! (`base_bp + flexible_bp`, `demand`, cost-sharing rules), a negative or absurd amount
//! (above [`MAX_AMOUNT`]), a category nobody is eligible for ([`AllocError::ZeroEligible`]),
//! floors above the pool ([`AllocError::FloorsExceedPool`]), caps below it.
//!
//! # The setting
//!
//! The configuration is the JSON of [`AllocConfig`] in the setting [`SETTING_KEY`]
//! (`alloc_config`); absent, [`AllocConfig::default_for`] the dataset applies:
//!
//! ```json
//! {
//!   "version": 1, "reserve_bp": 500, "base_bp": 7000, "flexible_bp": 3000,
//!   "demand": { "need_score_bp": 4000, "waiting_bp": 3000, "requests_bp": 2000,
//!               "population_change_bp": 1000 },
//!   "urgency": { "low_bp": 10000, "medium_bp": 15000, "high_bp": 20000 },
//!   "max_change_bp": 1000,
//!   "categories": [
//!     { "code": "elderly_care", "eligibility": { "kind": "members_aged", "min_age": 60 },
//!       "unit_weight": 60, "floor_bp": 1000, "cap_bp": 6000, "min_fen": 0, "reach_bp": 10000 }
//!   ],
//!   "kinds": [ { "kind": "room_hours", "categories": ["childcare", "culture"] } ],
//!   "cost_sharing": {
//!     "basic": [ { "funder": "government", "bp": 7000 }, { "funder": "market", "bp": 1500 },
//!                { "funder": "society", "bp": 1500 } ],
//!     "improvement": [ { "funder": "government", "bp": 3000 }, { "funder": "market", "bp": 3000 },
//!                      { "funder": "residents", "bp": 4000 } ],
//!     "special": [ { "funder": "government", "bp": 8000 }, { "funder": "society", "bp": 2000 } ],
//!     "reserve": [ { "funder": "government", "bp": 10000 } ]
//!   },
//!   "fairness": { "capture_ratio_bp": 20000, "capture_min_share_bp": 1000 },
//!   "targets": { "mismatch_max_bp": 1000, "utilisation_min_bp": 8500 }
//! }
//! ```

pub mod apportion;
mod config;
pub mod cost_share;
mod eligibility;
pub mod export;
pub mod fixture;
pub mod indicators;
mod inputs;
mod pools;
mod run;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use thiserror::Error;

use crate::dataset::Dataset;
use crate::needs::NeedsError;

pub use apportion::{ApportionError, Quota};
pub use config::{
    categories_of, kind_code, kind_unit, AllocConfig, CategoryRule, CostRules, DemandWeights, FairnessConfig,
    FunderShare, KindRule, Targets, UrgencyFactors, CONFIG_VERSION, KINDS, MAX_AMOUNT, MAX_CATEGORIES,
    MAX_FACTOR_BP, MAX_RESERVE_BP, MAX_UNIT_WEIGHT, SETTING_KEY,
};
pub use cost_share::{CategoryCost, ClassCost, CostSharing, FunderAmount};
pub use indicators::{Fairness, Indicators, Mismatch, SubgroupRow, Utilisation};
pub use inputs::{
    banded_growth, latest_period, prepare, AllocInputs, CategoryInput, KindAmount, Period, PoolInput,
    PreviousSource, SubgroupInput, UrgencyCounts, GROWTH_BAND, INPUTS_VERSION, MAX_COUNT,
};
pub use pools::{
    AllocationResult, Binding, CategoryAllocation, CategoryExplanation, ChangeLimit, DemandExplanation,
    KindResult, PoolSplit, GROWTH_FLOOR_PER_MILLE,
};
pub use run::{
    compare, run_record, verify_run, what_if, CategoryChange, Comparison, DemandScale, KindComparison,
    RunInputs, Scenario, ScenarioResult,
};

/// 100 % in basis points.
pub const BP: u32 = 10_000;
/// Demand shares are parts per billion.
pub const DEMAND_SCALE: u64 = 1_000_000_000;
/// The version of the result layout.
pub const RESULT_VERSION: u32 = 1;

/// Why an allocation cannot be made. Every message names the setting, record or input to fix;
/// when an error is returned nothing is computed, so nothing can be saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AllocError {
    /// The `alloc_config` setting is not JSON of the configuration's layout.
    #[error("setting `alloc_config` is not a valid allocation configuration: {reason}")]
    Parse { reason: String },
    /// A configuration field is invalid.
    #[error("setting `alloc_config`: {field}: {reason}")]
    Config { field: String, reason: String },
    /// Another setting the allocation reads is invalid (`need_categories`).
    #[error("setting `{key}`: {reason}")]
    Setting { key: String, reason: String },
    /// The needs matrix (setting `needs_matrix`) is invalid.
    #[error(transparent)]
    Needs(#[from] NeedsError),
    /// The period is not `YYYY-Qn`.
    #[error("period `{period}`: {reason}")]
    Period { period: String, reason: String },
    /// A record is invalid (a negative or absurd resource quantity, an unknown category).
    #[error("{what}: {reason}")]
    Data { what: String, reason: String },
    /// The period has no resources.
    #[error(
        "no resources for period {period}: record the period's money, service slots or room hours first"
    )]
    NoResources { period: String },
    /// An amount is out of range.
    #[error("{what} is {amount}, out of range (0 to 10000000000000)")]
    Amount { what: String, amount: i64 },
    /// A category sharing a pool has no eligible person.
    #[error(
        "setting `alloc_config`: categories.{code}.eligibility: no one in the register is eligible for \
         `{code}` ({rule}), so it cannot share the {kind} pool; change its eligibility rule or leave it \
         out of the pool (setting `alloc_config`, kinds)"
    )]
    ZeroEligible {
        code: String,
        kind: &'static str,
        rule: String,
    },
    /// The floors add up to more than the pool.
    #[error(
        "setting `alloc_config`: categories.*.floor_bp / min_fen: the floors of the {kind} pool add up to \
         {floors} {unit}, more than the {pool} {unit} to allocate"
    )]
    FloorsExceedPool {
        kind: &'static str,
        floors: u128,
        pool: u64,
        unit: &'static str,
    },
    /// The caps add up to less than the pool.
    #[error(
        "setting `alloc_config`: categories.*.cap_bp: the caps of the {kind} pool add up to {caps} {unit}, \
         less than the {pool} {unit} to allocate"
    )]
    CapsBelowPool {
        kind: &'static str,
        caps: u128,
        pool: u64,
        unit: &'static str,
    },
    /// Hand-made inputs are inconsistent.
    #[error("invalid allocation inputs: {reason}")]
    Inputs { reason: String },
    /// An apportionment failed (cannot happen with validated inputs).
    #[error("apportionment failed: {0}")]
    Apportion(#[from] ApportionError),
    /// A stored run does not reproduce.
    #[error("allocation run {id}: {reason}")]
    Run { id: u32, reason: String },
}

/// `part / whole` in basis points, rounded half up (saturating); 0 if `whole` is 0.
pub(crate) fn bp_of(part: u128, whole: u128) -> u32 {
    if whole == 0 {
        return 0;
    }
    let v = part
        .checked_mul(2 * u128::from(BP))
        .map_or(u128::MAX, |x| x.saturating_add(whole) / (2 * whole));
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// `1500` → `15.00%`.
pub(crate) fn percent(bp: u32) -> String {
    crate::needs::percent_of_bp(u64::from(bp))
}

/// Allocates `period` (`YYYY-Qn`) of a dataset: [`prepare`] then [`allocate_inputs`].
///
/// # Errors
///
/// Any error of [`prepare`] or [`allocate_inputs`]; see [`AllocError`].
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::{allocate, AllocConfig, AllocError};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 200,
///     ..Default::default()
/// });
/// let r = allocate(&d, &AllocConfig::default(), "2026-Q2").unwrap();
/// assert_eq!(r.period, "2026-Q2");
/// assert!(matches!(
///     allocate(&d, &AllocConfig::default(), "2030-Q1"),
///     Err(AllocError::NoResources { .. })
/// ));
/// ```
pub fn allocate(d: &Dataset, config: &AllocConfig, period: &str) -> Result<AllocationResult, AllocError> {
    config.validate()?;
    let inputs = prepare(d, config, period)?;
    allocate_inputs(&inputs, config)
}

/// The pure engine: allocates aggregated inputs with a configuration. The inputs and the
/// configuration's lists are normalised first, so their order does not matter (not even to
/// the result's `inputs_sha256`).
///
/// # Errors
///
/// [`AllocConfig::validate`] errors, [`AllocInputs::validate`] errors,
/// [`AllocError::ZeroEligible`], [`AllocError::FloorsExceedPool`],
/// [`AllocError::CapsBelowPool`], a money floor above its cap ([`AllocError::Config`]).
pub fn allocate_inputs(inputs: &AllocInputs, config: &AllocConfig) -> Result<AllocationResult, AllocError> {
    config.validate()?;
    // Normalise copies only when needed: the inputs of `prepare` are already in order.
    let inputs: Cow<'_, AllocInputs> = if inputs.is_normalized() {
        Cow::Borrowed(inputs)
    } else {
        let mut i = inputs.clone();
        i.normalize();
        Cow::Owned(i)
    };
    inputs.validate()?;
    let config: Cow<'_, AllocConfig> = if config.is_normalized() {
        Cow::Borrowed(config)
    } else {
        let mut c = config.clone();
        c.normalize();
        Cow::Owned(c)
    };
    let sha = run::canonical_sha256(&config, &inputs);
    pools::compute(&inputs, &config, sha)
}
