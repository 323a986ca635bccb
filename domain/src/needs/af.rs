//! The Alkire–Foster mode (SPEC §2.2): multidimensional deprivation by the dual-cutoff
//! counting method and the adjusted headcount ratio M0.
//!
//! # Definitions
//!
//! Following Alkire, S. and Foster, J. (2011), "Counting and multidimensional poverty
//! measurement", *Journal of Public Economics* 95(7–8), 476–487, and the OPHI handbook,
//! Alkire, S., Foster, J. E., Seth, S., Santos, M. E., Roche, J. M. and Ballon, P. (2015),
//! *Multidimensional Poverty Measurement and Analysis*, Oxford University Press, ch. 5
//! "The Alkire–Foster counting methodology" (OPHI Working Paper 86). The unit of
//! identification is the household; there are `n` households and `d` indicators.
//!
//! * **Deprivation cutoffs** `z_j`: household *i* is deprived in indicator *j*
//!   (`g_ij = 1`) when the indicator's count reaches [`AfIndicator::min_count`]
//!   (every [`Indicator`] counts deprivation, so "count ≥ cutoff" is the AF
//!   "achievement below `z_j`").
//! * **Weights** `w_j > 0` with `Σ w_j = 1`, kept as basis points adding up to exactly
//!   10000.
//! * **Deprivation score** `c_i = Σ_j w_j g_ij` (in basis points, `0..=10000`).
//! * **Poverty cutoff** `k` ([`AfConfig::k_bp`], `0 < k ≤ 1`): household *i* is
//!   multidimensionally poor (`ρ_k(i) = 1`) when `c_i ≥ k`. Censored score
//!   `c_i(k) = c_i` if poor, else 0; censored deprivations `g_ij(k) = g_ij ρ_k(i)`.
//! * **Headcount ratio** `H = q / n`, with `q` the number of poor households.
//! * **Intensity** `A = Σ_i c_i(k) / q` (0 when `q = 0`).
//! * **Adjusted headcount ratio** `M0 = H × A = Σ_i c_i(k) / n`.
//! * **Censored headcount ratio** of indicator *j*: `h_j(k) = Σ_i g_ij(k) / n`, so that
//!   `M0 = Σ_j w_j h_j(k)`; the **percentage contribution** of *j* is
//!   `w_j h_j(k) / M0`, and the contributions add up to 100 %.
//! * **Subgroup decomposition** (population subgroups ℓ: buildings, grids, resident
//!   groups): `M0 = Σ_ℓ (n_ℓ / n) M0_ℓ`; the contribution of ℓ is `(n_ℓ / n) M0_ℓ` and
//!   its share `(n_ℓ / n) M0_ℓ / M0`.
//!
//! Every one of these is an exact fraction ([`Fraction`], `Ratio<u64>`), computed from
//! integer counts, so `M0 = H × A` and the decompositions hold exactly, not approximately.
//! When `M0 = 0` the shares are 0 by convention.
//!
//! Willingness to take part is not a deprivation: the default configuration leaves it
//! out (SPEC §2.2). A community may still add a `willingness_at_most` indicator.
//!
//! # Example
//!
//! ```
//! use linli_domain::{demo, needs::af};
//! let d = demo::generate(&demo::DemoConfig { households: 300, ..Default::default() });
//! let r = af::analyse(&af::AfConfig::default(), &d.households, &d.buildings, 2026).unwrap();
//! assert_eq!(r.m0, r.h * r.a);
//! let total: af::Fraction = r.by_grid.iter().map(|g| g.contribution).sum();
//! assert_eq!(total, r.m0);
//! ```

use std::collections::HashSet;

use num_rational::Ratio;
use num_traits::Zero;
use serde::{Deserialize, Serialize, Serializer};

use crate::model::{Building, Household};

use super::group::{Merge, Subgroups};
use super::indicator::{Compiled, FactPlan, Facts};
use super::{percent_of_bp, Indicator, NeedsError, WEIGHT_TOTAL_BP};

/// An exact non-negative fraction.
pub type Fraction = Ratio<u64>;

/// Most indicators an AF configuration may have.
pub const MAX_AF_INDICATORS: usize = 64;

/// The AF configuration, stored in the `af` field of the `needs_matrix` setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfConfig {
    /// Poverty cutoff `k` in basis points, `1..=10000`: a household is poor when its
    /// weighted deprivation score reaches it. Default 3333 (one third, as the global MPI).
    pub k_bp: u32,
    /// The indicators; their weights add up to exactly 10000 basis points.
    pub indicators: Vec<AfIndicator>,
}

impl Default for AfConfig {
    /// Willingness left out; four dimensions at 25 % each, nested equal weights, k = 1/3.
    fn default() -> Self {
        super::defaults::af_config()
    }
}

fn one() -> u16 {
    1
}

/// One AF indicator: what is counted, from which count on a household is deprived, and
/// its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfIndicator {
    /// Stable code, e.g. `chronic`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub indicator: Indicator,
    /// Deprivation cutoff: deprived when the indicator's count is at least this (≥ 1).
    #[serde(default = "one")]
    pub min_count: u16,
    /// Weight in basis points (> 0).
    pub weight_bp: u32,
}

/// The AF view of one household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AfHousehold {
    pub household_id: u32,
    /// Bit *j* set: deprived in indicator *j* (`g_ij = 1`).
    pub deprived: u64,
    /// Deprivation score `c_i` in basis points, `0..=10000`.
    pub score_bp: u32,
    /// `c_i ≥ k`.
    pub poor: bool,
}

impl AfHousehold {
    /// Censored deprivation score `c_i(k)`: `score_bp` if poor, else 0.
    pub fn censored_bp(&self) -> u32 {
        if self.poor {
            self.score_bp
        } else {
            0
        }
    }
}

/// A validated, compiled AF configuration.
#[derive(Debug, Clone)]
pub struct AfScorer {
    plan: FactPlan,
    indicators: Vec<(Compiled, u16, u32)>,
    k_bp: u32,
}

impl AfScorer {
    /// Validates and compiles `config`.
    ///
    /// # Errors
    ///
    /// A [`NeedsError`] naming the setting: 0 or more than 64 indicators, weights not
    /// adding up to exactly 10000, a weight of 0, an empty or duplicate code, a
    /// `min_count` of 0, invalid indicator parameters, or `k_bp` outside `1..=10000`.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::needs::af::{AfConfig, AfScorer};
    /// let mut c = AfConfig::default();
    /// assert!(AfScorer::new(&c).is_ok());
    /// c.k_bp = 0;
    /// assert!(AfScorer::new(&c).unwrap_err().to_string().contains("needs_matrix"));
    /// ```
    pub fn new(config: &AfConfig) -> Result<Self, NeedsError> {
        let n = config.indicators.len();
        if n == 0 || n > MAX_AF_INDICATORS {
            return Err(NeedsError::AfIndicatorCount {
                found: n,
                max: MAX_AF_INDICATORS,
            });
        }
        let mut plan = FactPlan::default();
        let mut codes = HashSet::new();
        let mut indicators = Vec::with_capacity(n);
        for (index, ind) in config.indicators.iter().enumerate() {
            let bad = |reason: String| NeedsError::AfIndicator {
                index,
                code: ind.code.clone(),
                reason,
            };
            if ind.code.trim().is_empty() {
                return Err(bad("the code is empty".to_owned()));
            }
            if !codes.insert(ind.code.as_str()) {
                return Err(bad("the code is used twice".to_owned()));
            }
            if ind.weight_bp == 0 {
                return Err(bad("the weight must be above 0".to_owned()));
            }
            if ind.min_count == 0 {
                return Err(bad(
                    "min_count (the deprivation cutoff) must be at least 1".to_owned()
                ));
            }
            let c = plan.compile(&ind.indicator).map_err(bad)?;
            indicators.push((c, ind.min_count, ind.weight_bp));
        }
        let sum: u64 = config.indicators.iter().map(|i| u64::from(i.weight_bp)).sum();
        if sum != u64::from(WEIGHT_TOTAL_BP) {
            return Err(NeedsError::AfWeightSum {
                sum,
                percent: percent_of_bp(sum),
            });
        }
        if config.k_bp == 0 || config.k_bp > WEIGHT_TOTAL_BP {
            return Err(NeedsError::AfCutoff { k_bp: config.k_bp });
        }
        Ok(Self {
            plan,
            indicators,
            k_bp: config.k_bp,
        })
    }

    /// Deprivations, score and poverty status of one household, ages counted in `year`.
    pub fn household(&self, household: &Household, year: i64) -> AfHousehold {
        self.household_with(household, year, &mut Facts::new())
    }

    /// [`AfScorer::household`] with a reused fact buffer.
    #[inline(always)]
    fn household_with(&self, household: &Household, year: i64, f: &mut Facts) -> AfHousehold {
        self.plan.fill::<true>(household, year, f);
        let f = &*f;
        let mut deprived = 0u64;
        let mut score_bp = 0u32;
        for (j, &(c, min_count, w)) in self.indicators.iter().enumerate() {
            if c.count(f) >= min_count {
                deprived |= 1 << j;
                score_bp += w;
            }
        }
        AfHousehold {
            household_id: household.id,
            deprived,
            score_bp,
            poor: score_bp >= self.k_bp,
        }
    }
}

impl AfScorer {
    /// [`AfScorer::household`] of every household, in their order (batched like
    /// [`super::Scorer::score_all`]).
    pub fn households(&self, households: &[Household], year: i64) -> Vec<AfHousehold> {
        let mut out = Vec::with_capacity(households.len());
        self.each::<false>(households, year, |_, e| out.push(e));
        out
    }

    /// Calls `f` with every household and its AF view, in order, batched.
    #[inline(always)]
    fn each<const GROUP: bool>(
        &self,
        households: &[Household],
        year: i64,
        mut f: impl FnMut(&Household, AfHousehold),
    ) {
        super::score::each_batched::<GROUP>(households, |h, facts| f(h, self.household_with(h, year, facts)));
    }
}

/// Serialises a fraction as `{"exact": "3/8", "decimal": "0.375000"}`.
fn ser_fraction<S: Serializer>(r: &Fraction, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct F {
        exact: String,
        decimal: String,
    }
    F {
        exact: exact_string(r),
        decimal: decimal(r, 6),
    }
    .serialize(s)
}

/// `num/den` in lowest terms (`0/1` for zero, `1/1` for one).
///
/// # Examples
///
/// ```
/// use linli_domain::needs::af::{exact_string, Fraction};
/// assert_eq!(exact_string(&Fraction::new(6, 8)), "3/4");
/// assert_eq!(exact_string(&Fraction::new(0, 5)), "0/1");
/// ```
pub fn exact_string(r: &Fraction) -> String {
    format!("{}/{}", r.numer(), r.denom())
}

/// The fraction as a decimal with `places` digits, rounded half up, computed exactly
/// (no floats).
///
/// # Examples
///
/// ```
/// use linli_domain::needs::af::{decimal, Fraction};
/// assert_eq!(decimal(&Fraction::new(1, 3), 4), "0.3333");
/// assert_eq!(decimal(&Fraction::new(2, 3), 4), "0.6667");
/// assert_eq!(decimal(&Fraction::new(1, 8), 2), "0.13");
/// assert_eq!(decimal(&Fraction::new(5, 4), 0), "1");
/// ```
pub fn decimal(r: &Fraction, places: u32) -> String {
    let num = u128::from(*r.numer());
    let den = u128::from(*r.denom());
    let scale = 10u128.pow(places.min(18));
    let scaled = (2 * num * scale + den) / (2 * den);
    let int = scaled / scale;
    if places == 0 {
        return int.to_string();
    }
    let frac = scaled % scale;
    format!("{int}.{frac:0width$}", width = places.min(18) as usize)
}

/// `num / den`, or 0 when `den` is 0.
fn frac(num: u64, den: u64) -> Fraction {
    if den == 0 {
        Fraction::zero()
    } else {
        Fraction::new(num, den)
    }
}

/// H, A and M0 of a population (or subgroup) from its counts.
fn h_a_m0(n: u64, q: u64, sum_bp: u64) -> (Fraction, Fraction, Fraction) {
    let total = u64::from(WEIGHT_TOTAL_BP);
    (
        frac(q, n),
        frac(sum_bp, q.saturating_mul(total)),
        frac(sum_bp, n.saturating_mul(total)),
    )
}

/// AF results of one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfIndicatorResult {
    pub code: String,
    pub weight_bp: u32,
    /// Households deprived in it (uncensored).
    pub deprived: u64,
    /// Poor households deprived in it (censored).
    pub censored: u64,
    /// Uncensored headcount ratio `deprived / n`.
    #[serde(serialize_with = "ser_fraction")]
    pub headcount: Fraction,
    /// Censored headcount ratio `h_j(k) = censored / n`.
    #[serde(serialize_with = "ser_fraction")]
    pub censored_headcount: Fraction,
    /// `w_j h_j(k)`; these add up to M0.
    #[serde(serialize_with = "ser_fraction")]
    pub contribution: Fraction,
    /// `w_j h_j(k) / M0` (0 when M0 = 0); these add up to 1.
    #[serde(serialize_with = "ser_fraction")]
    pub share: Fraction,
}

/// AF results of one subgroup (building, grid or resident group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfSubgroup<K> {
    pub key: K,
    /// Households in the subgroup.
    pub n: u64,
    /// Poor households in the subgroup.
    pub q: u64,
    /// Σ `c_i(k)` over the subgroup, in basis points.
    pub censored_sum_bp: u64,
    #[serde(serialize_with = "ser_fraction")]
    pub h: Fraction,
    #[serde(serialize_with = "ser_fraction")]
    pub a: Fraction,
    #[serde(serialize_with = "ser_fraction")]
    pub m0: Fraction,
    /// `n_ℓ / n`.
    #[serde(serialize_with = "ser_fraction")]
    pub population_share: Fraction,
    /// `(n_ℓ / n) M0_ℓ`; these add up to M0.
    #[serde(serialize_with = "ser_fraction")]
    pub contribution: Fraction,
    /// `(n_ℓ / n) M0_ℓ / M0` (0 when M0 = 0); these add up to 1.
    #[serde(serialize_with = "ser_fraction")]
    pub share: Fraction,
}

/// The AF analysis of a register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfResult {
    pub k_bp: u32,
    /// Households.
    pub n: u64,
    /// Poor households.
    pub q: u64,
    /// Σ `c_i(k)` in basis points.
    pub censored_sum_bp: u64,
    /// Headcount ratio `q / n`.
    #[serde(serialize_with = "ser_fraction")]
    pub h: Fraction,
    /// Intensity: average deprivation score of the poor.
    #[serde(serialize_with = "ser_fraction")]
    pub a: Fraction,
    /// Adjusted headcount ratio `H × A`.
    #[serde(serialize_with = "ser_fraction")]
    pub m0: Fraction,
    /// By indicator, in configuration order.
    pub indicators: Vec<AfIndicatorResult>,
    /// By building, sorted by id.
    pub by_building: Vec<AfSubgroup<u32>>,
    /// By grid (through the buildings), sorted by id. Households whose building is not
    /// listed are in no grid, so these add up to M0 only when every building is listed.
    pub by_grid: Vec<AfSubgroup<u32>>,
    /// By resident group, sorted by code.
    pub by_group: Vec<AfSubgroup<String>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Acc {
    n: u64,
    q: u64,
    sum_bp: u64,
}

impl Merge for Acc {
    fn merge(&mut self, o: &Self) {
        self.n += o.n;
        self.q += o.q;
        self.sum_bp += o.sum_bp;
    }
}

impl Acc {
    fn of(h: &AfHousehold) -> Self {
        Self {
            n: 1,
            q: u64::from(h.poor),
            sum_bp: u64::from(h.censored_bp()),
        }
    }
}

fn subgroups<K>(v: Vec<(K, Acc)>, n: u64, total_sum_bp: u64) -> Vec<AfSubgroup<K>> {
    let total = u64::from(WEIGHT_TOTAL_BP);
    v.into_iter()
        .map(|(key, a)| {
            let (h, aa, m0) = h_a_m0(a.n, a.q, a.sum_bp);
            AfSubgroup {
                key,
                n: a.n,
                q: a.q,
                censored_sum_bp: a.sum_bp,
                h,
                a: aa,
                m0,
                population_share: frac(a.n, n),
                contribution: frac(a.sum_bp, n.saturating_mul(total)),
                share: frac(a.sum_bp, total_sum_bp),
            }
        })
        .collect()
}

/// Accumulates AF views by indicator, building, grid and group.
struct AfAcc {
    total: Acc,
    deprived: [u64; MAX_AF_INDICATORS],
    censored: [u64; MAX_AF_INDICATORS],
    groups: Subgroups<Acc>,
}

impl AfAcc {
    fn new() -> Self {
        Self {
            total: Acc::default(),
            deprived: [0; MAX_AF_INDICATORS],
            censored: [0; MAX_AF_INDICATORS],
            groups: Subgroups::new(),
        }
    }

    #[inline]
    fn add(&mut self, h: &Household, e: &AfHousehold) {
        let a = Acc::of(e);
        self.total.merge(&a);
        let mut bits = e.deprived;
        while bits != 0 {
            let j = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            self.deprived[j] += 1;
            self.censored[j] += u64::from(e.poor);
        }
        self.groups.add(h, &a);
    }

    fn finish(self, config: &AfConfig, buildings: &[Building]) -> AfResult {
        let total = self.total;
        let n = total.n;
        let (h, a, m0) = h_a_m0(n, total.q, total.sum_bp);
        let wt = u64::from(WEIGHT_TOTAL_BP);
        let indicators = config
            .indicators
            .iter()
            .take(MAX_AF_INDICATORS)
            .enumerate()
            .map(|(j, ind)| {
                let w = u64::from(ind.weight_bp);
                let (dep, cen) = (self.deprived[j], self.censored[j]);
                AfIndicatorResult {
                    code: ind.code.clone(),
                    weight_bp: ind.weight_bp,
                    deprived: dep,
                    censored: cen,
                    headcount: frac(dep, n),
                    censored_headcount: frac(cen, n),
                    contribution: frac(w * cen, n.saturating_mul(wt)),
                    share: frac(w * cen, total.sum_bp),
                }
            })
            .collect();
        let g = self.groups.finish(buildings);
        AfResult {
            k_bp: config.k_bp,
            n,
            q: total.q,
            censored_sum_bp: total.sum_bp,
            h,
            a,
            m0,
            indicators,
            by_building: subgroups(g.by_building, n, total.sum_bp),
            by_grid: subgroups(g.by_grid, n, total.sum_bp),
            by_group: subgroups(g.by_group, n, total.sum_bp),
        }
    }
}

/// The AF view of every household, in their order, ages counted in `year`.
///
/// # Errors
///
/// The configuration is invalid (see [`AfScorer::new`]).
///
/// # Examples
///
/// ```
/// use linli_domain::needs::af;
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 50,
///     ..Default::default()
/// });
/// let hs = af::evaluate(&af::AfConfig::default(), &d.households, 2026).unwrap();
/// assert!(hs.iter().all(|h| h.poor == (h.score_bp >= 3333)));
/// ```
pub fn evaluate(
    config: &AfConfig,
    households: &[Household],
    year: i64,
) -> Result<Vec<AfHousehold>, NeedsError> {
    let s = AfScorer::new(config)?;
    Ok(s.households(households, year))
}

/// Runs the AF analysis: H, A, M0 and their decomposition by indicator, building, grid
/// (through `buildings`) and resident group. See the [module documentation](self) for
/// the definitions.
///
/// # Errors
///
/// The configuration is invalid (see [`AfScorer::new`]).
///
/// # Examples
///
/// ```
/// use linli_domain::needs::af;
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 200,
///     ..Default::default()
/// });
/// let r = af::analyse(&af::AfConfig::default(), &d.households, &d.buildings, 2026).unwrap();
/// assert!(r.m0 <= r.h);
/// let by_indicator: af::Fraction = r.indicators.iter().map(|i| i.contribution).sum();
/// assert_eq!(by_indicator, r.m0);
/// ```
pub fn analyse(
    config: &AfConfig,
    households: &[Household],
    buildings: &[Building],
    year: i64,
) -> Result<AfResult, NeedsError> {
    let s = AfScorer::new(config)?;
    let mut acc = AfAcc::new();
    // One pass: each household is accumulated while it is still in cache.
    s.each::<true>(households, year, |h, e| acc.add(h, &e));
    Ok(acc.finish(config, buildings))
}

/// Builds the [`AfResult`] from per-household evaluations (`evals[i]` is of
/// `households[i]`, as [`evaluate`] returns them; a shorter list ignores the rest).
pub fn summarise(
    config: &AfConfig,
    households: &[Household],
    evals: &[AfHousehold],
    buildings: &[Building],
) -> AfResult {
    let mut acc = AfAcc::new();
    for (h, e) in households.iter().zip(evals) {
        acc.add(h, e);
    }
    acc.finish(config, buildings)
}
