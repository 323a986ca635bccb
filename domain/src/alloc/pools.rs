//! The engine: pools per kind, base and flexible shares, floors, caps, change limit, and the
//! result with its explanations.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::model::{NeedClass, ResourceKind};

use super::apportion::{bounded, largest_remainder, largest_remainder_with_quotas, Bound, Quota};
use super::config::{kind_code, kind_unit, AllocConfig, CategoryRule};
use super::cost_share::{share_costs, CostSharing};
use super::indicators::{fairness, mismatch, utilisation, Fairness, Indicators, SubgroupRow};
use super::inputs::{AllocInputs, CategoryInput, PreviousSource};
use super::{bp_of, AllocError, BP, DEMAND_SCALE, RESULT_VERSION};

/// The growth component's denominator is at least this many per mille of all eligible
/// people (Σ `eligible` over the categories) and at least one [`super::GROWTH_BAND`]:
/// a category's growth share is `growth / max(Σ growth, floor)`. Without it, one band of
/// growth in the only category that grew would take the whole component (10 % of the
/// flexible pool), and the published amounts would move by that much for a handful of
/// newly eligible people; with it, one band moves at most `band / floor` of the
/// component. The unallocated rest of the component goes to the other demand inputs'
/// shares as every remainder does (largest remainder over the flexible weights).
pub const GROWTH_FLOOR_PER_MILLE: u32 = 20;

/// What made a category's amount differ from its proportional share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// Nothing: base share plus flexible share.
    None,
    /// Raised to its floor (`floor_bp`).
    Floor,
    /// Raised to its money floor (`min_fen`).
    MinFen,
    /// Cut to its cap (`cap_bp`).
    Cap,
    /// Held within the change limit (`max_change_bp`) of the previous period's share.
    ChangeLimit,
    /// Moved (by up to its quota's rounding) because other categories were bound.
    Rebalanced,
}

/// Whether the change limit was applied to a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeLimit {
    /// `max_change_bp` is not set.
    NotSet,
    /// Applied.
    Applied,
    /// Not applied: there are no previous figures for this pool.
    NoPrevious,
    /// Applied, but loosened for some categories: floors and caps come first, so where the
    /// limits left too little room for them, the change-limit bounds were moved towards the
    /// floors (or caps), in proportion to how far they were from them (largest remainder).
    Relaxed,
}

/// The demand side of a category's flexible-pool weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandExplanation {
    /// The inputs (see [`CategoryInput`]).
    pub need_score: u64,
    pub waiting: u64,
    pub requests: u64,
    pub population_change: u64,
    /// The category's share of each input among the pool's categories, parts per billion
    /// (rounded down).
    pub need_score_ppb: u64,
    pub waiting_ppb: u64,
    pub requests_ppb: u64,
    pub population_change_ppb: u64,
    /// `Σ component weight_bp × share_ppb`.
    pub demand: u64,
    /// Mean urgency factor of the category's registered needs, basis points.
    pub urgency_bp: u32,
    /// The category's reach factor, basis points.
    pub reach_bp: u32,
}

/// Which rule and which inputs produced a category's amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryExplanation {
    /// Base pool: weight `eligible × unit_weight`, quota `base × weight / Σ weights`.
    pub eligible: u64,
    pub unit_weight: u32,
    #[serde(with = "u128_text")]
    pub base_weight: u128,
    pub base_quota: Quota,
    /// Flexible pool: weight `demand × urgency_bp × reach_bp`, quota `flexible × weight / Σ`.
    pub demand: DemandExplanation,
    #[serde(with = "u128_text")]
    pub flexible_weight: u128,
    pub flexible_quota: Quota,
    /// Base share + flexible share, before floors, caps and the change limit.
    pub unconstrained: i64,
    /// The bounds in units: max(floor, money floor, change-limit low) …
    pub lower: i64,
    /// … min(cap, change-limit high).
    pub upper: i64,
    pub binding: Binding,
    /// The constrained quota (equal to `unconstrained` when nothing binds); `total` is its
    /// floor or ceiling.
    pub quota: Quota,
}

/// One category's allocation from one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryAllocation {
    pub code: String,
    pub class: NeedClass,
    /// From the base pool.
    pub base: i64,
    /// From the flexible pool.
    pub flexible: i64,
    /// `base + flexible`.
    pub total: i64,
    /// Share of the allocated pools (base + flexible), basis points rounded half up.
    pub share_bp: u32,
    /// The previous period's amount and share, and the change of share in basis points
    /// (e.g. childcare 2000 → 3500 is +1500).
    pub previous: Option<i64>,
    pub previous_share_bp: Option<u32>,
    pub change_bp: Option<i64>,
    /// Money only: spending of the period on the category's plans, and `spent / total`.
    pub spent_fen: Option<i64>,
    pub utilisation_bp: Option<u32>,
    pub explanation: CategoryExplanation,
}

/// The pools of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSplit {
    /// Emergency reserve: `total × reserve_bp / 10000`, by largest remainder.
    pub reserve: i64,
    /// Base pool: `(total − reserve) × base_bp / 10000`, by largest remainder.
    pub base: i64,
    /// Flexible pool: the rest.
    pub flexible: i64,
    /// `base + flexible`: what is shared among the categories now.
    pub allocated: i64,
}

/// The allocation of one kind of resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindResult {
    pub kind: ResourceKind,
    /// `fen`, `slots` or `hours`.
    pub unit: String,
    /// The period's total of this kind.
    pub total: i64,
    pub pools: PoolSplit,
    /// One row per category sharing the pool, by code. `Σ base = pools.base`,
    /// `Σ flexible = pools.flexible`, `Σ total = pools.allocated`, exactly.
    pub categories: Vec<CategoryAllocation>,
    /// Whether a floor, cap or the change limit moved any amount.
    pub constrained: bool,
    pub change_limit: ChangeLimit,
    /// The flexible pool follows the base rule because there is no demand data.
    pub flexible_follows_base: bool,
    pub indicators: Indicators,
    pub fairness: Fairness,
    /// The allocation attributed to grids (as to groups, see [`Fairness`]).
    pub by_grid: Vec<SubgroupRow>,
}

/// The result of an allocation run: what the app shows and `linli allocate` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationResult {
    /// Layout version.
    pub version: u32,
    pub period: String,
    pub previous_period: String,
    pub previous_source: PreviousSource,
    /// SHA-256 (hex) of the canonical JSON of the configuration and the inputs
    /// ([`super::RunInputs`]).
    pub inputs_sha256: String,
    /// One per kind with resources, money first.
    pub kinds: Vec<KindResult>,
    /// Cost sharing of the money pool (SPEC §2.4); absent without money.
    pub cost_sharing: Option<CostSharing>,
}

impl AllocationResult {
    /// The result of one kind.
    pub fn kind(&self, kind: ResourceKind) -> Option<&KindResult> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

/// `⌊a × b / c⌋` for non-negative values; `c > 0`.
fn mul_div_floor(a: u128, b: u128, c: u128) -> u128 {
    a * b / c
}

/// Computes the allocation of normalised, validated inputs.
pub(crate) fn compute(
    inputs: &AllocInputs,
    config: &AllocConfig,
    inputs_sha256: String,
) -> Result<AllocationResult, AllocError> {
    let mut kinds = Vec::with_capacity(inputs.pools.len());
    for pool in &inputs.pools {
        kinds.push(compute_kind(inputs, config, pool)?);
    }
    let cost_sharing = match kinds.iter().find(|k| k.kind == ResourceKind::Money) {
        Some(money) => Some(share_costs(money, config)?),
        None => None,
    };
    Ok(AllocationResult {
        version: RESULT_VERSION,
        period: inputs.period.clone(),
        previous_period: inputs.previous_period.clone(),
        previous_source: inputs.previous_source.clone(),
        inputs_sha256,
        kinds,
        cost_sharing,
    })
}

fn compute_kind(
    inputs: &AllocInputs,
    config: &AllocConfig,
    pool: &super::inputs::PoolInput,
) -> Result<KindResult, AllocError> {
    let kind = pool.kind;
    let kname = kind_code(kind);
    let unit = kind_unit(kind);
    let total = pool.total as u64;
    // Pools: the reserve first, then base and flexible; each split by largest remainder.
    let split = largest_remainder(
        total,
        &[u128::from(config.reserve_bp), u128::from(BP - config.reserve_bp)],
    )?;
    let (reserve, rest) = (split[0], split[1]);
    let split = largest_remainder(
        rest,
        &[u128::from(config.base_bp), u128::from(config.flexible_bp)],
    )?;
    let (base_pool, flex_pool) = (split[0], split[1]);
    let allocated = rest;

    // Both lists are sorted by code: one merge instead of a search per category.
    let mut cats: Vec<&CategoryInput> = Vec::with_capacity(pool.categories.len());
    let mut all = inputs.categories.iter().peekable();
    for code in &pool.categories {
        while all.next_if(|c| c.code < *code).is_some() {}
        if let Some(c) = all.next_if(|c| c.code == *code) {
            cats.push(c);
        }
    }
    let mut configured = config.categories.iter().peekable();
    let rules: Vec<Cow<'_, CategoryRule>> = cats
        .iter()
        .map(|c| {
            while configured.next_if(|r| r.code < c.code).is_some() {}
            match configured.peek() {
                Some(r) if r.code == c.code => Cow::Borrowed(*r),
                _ => config.rule(&c.code),
            }
        })
        .collect();
    let n = cats.len();
    if allocated > 0 {
        for (c, r) in cats.iter().zip(&rules) {
            if c.eligible == 0 {
                return Err(AllocError::ZeroEligible {
                    code: c.code.clone(),
                    kind: kname,
                    rule: r.eligibility.label_en(),
                });
            }
        }
    }

    // Base pool: eligible headcount × unit weight.
    let base_w: Vec<u128> = cats
        .iter()
        .zip(&rules)
        .map(|(c, r)| u128::from(c.eligible) * u128::from(r.unit_weight))
        .collect();
    let (base_parts, base_quotas) = largest_remainder_with_quotas(base_pool, &base_w)?;

    // Flexible pool: demand shares × urgency × reach.
    let sums = |f: fn(&CategoryInput) -> u64| -> u128 { cats.iter().map(|c| u128::from(f(c))).sum() };
    let totals = [
        sums(|c| c.need_score),
        sums(|c| c.waiting),
        sums(|c| c.requests),
        sums(|c| c.population_change),
    ];
    // The growth share's denominator is never below GROWTH_FLOOR_PER_MILLE ‰ of all
    // eligible people (nor below one band): when almost nothing grew, one band in one
    // category takes only its proportion of that floor, not the whole component.
    let growth_floor = (sums(|c| c.eligible) * u128::from(GROWTH_FLOOR_PER_MILLE) / 1000)
        .max(u128::from(super::inputs::GROWTH_BAND));
    let weights = [
        config.demand.need_score_bp,
        config.demand.waiting_bp,
        config.demand.requests_bp,
        config.demand.population_change_bp,
    ];
    let ppb = |x: u64, t: u128| -> u64 {
        if t == 0 {
            0
        } else {
            mul_div_floor(u128::from(x), u128::from(DEMAND_SCALE), t) as u64
        }
    };
    let mut demands = Vec::with_capacity(n);
    let mut flex_w = Vec::with_capacity(n);
    for (c, r) in cats.iter().zip(&rules) {
        let shares = [
            ppb(c.need_score, totals[0]),
            ppb(c.waiting, totals[1]),
            ppb(c.requests, totals[2]),
            ppb(c.population_change, totals[3].max(growth_floor)),
        ];
        let demand: u64 = shares.iter().zip(weights).map(|(s, w)| s * u64::from(w)).sum();
        let u = &c.urgency;
        let needs = u128::from(u.low) + u128::from(u.medium) + u128::from(u.high);
        let urgency_bp = (u128::from(u.low) * u128::from(config.urgency.low_bp)
            + u128::from(u.medium) * u128::from(config.urgency.medium_bp)
            + u128::from(u.high) * u128::from(config.urgency.high_bp))
        .checked_div(needs)
        .map_or(BP, |v| v as u32);
        flex_w.push(u128::from(demand) * u128::from(urgency_bp) * u128::from(r.reach_bp));
        demands.push(DemandExplanation {
            need_score: c.need_score,
            waiting: c.waiting,
            requests: c.requests,
            population_change: c.population_change,
            need_score_ppb: shares[0],
            waiting_ppb: shares[1],
            requests_ppb: shares[2],
            population_change_ppb: shares[3],
            demand,
            urgency_bp,
            reach_bp: r.reach_bp,
        });
    }
    let flexible_follows_base = flex_w.iter().all(|&w| w == 0) && base_w.iter().any(|&w| w > 0);
    if flexible_follows_base {
        flex_w.clone_from(&base_w);
    }
    let (flex_parts, flex_quotas) = largest_remainder_with_quotas(flex_pool, &flex_w)?;
    let uncon: Vec<u64> = base_parts.iter().zip(&flex_parts).map(|(b, f)| b + f).collect();

    // Bounds: floors and caps (hard), then the change limit (soft).
    let a = u128::from(allocated);
    let bpu = u128::from(BP);
    let mut floor = Vec::with_capacity(n);
    let mut cap = Vec::with_capacity(n);
    let mut floor_src = Vec::with_capacity(n);
    for (c, r) in cats.iter().zip(&rules) {
        let by_bp = (a * u128::from(r.floor_bp) / bpu) as u64;
        let min = if kind == ResourceKind::Money {
            r.min_fen as u64
        } else {
            0
        };
        // A category alone in a pool gets the whole pool, whatever its cap.
        let hi = if n == 1 {
            allocated
        } else {
            (a * u128::from(r.cap_bp)).div_ceil(bpu) as u64
        };
        if min > hi && n > 1 {
            return Err(AllocError::Config {
                field: format!("categories.{}.min_fen", c.code),
                reason: format!(
                    "the money floor of {min} fen is above the category's cap of {hi} fen ({} of the {allocated} fen pool)",
                    super::percent(r.cap_bp)
                ),
            });
        }
        floor_src.push(if min > by_bp {
            Binding::MinFen
        } else {
            Binding::Floor
        });
        floor.push(by_bp.max(min));
        cap.push(hi);
    }
    let sum_floor: u128 = floor.iter().map(|&v| u128::from(v)).sum();
    if sum_floor > a {
        return Err(AllocError::FloorsExceedPool {
            kind: kname,
            floors: sum_floor,
            pool: allocated,
            unit,
        });
    }
    let sum_cap: u128 = cap.iter().map(|&v| u128::from(v)).sum();
    if sum_cap < a {
        return Err(AllocError::CapsBelowPool {
            kind: kname,
            caps: sum_cap,
            pool: allocated,
            unit,
        });
    }
    let mut lo = floor.clone();
    let mut hi = cap.clone();
    let has_previous = cats.iter().any(|c| c.previous_of(kind).is_some());
    let prev: Vec<u64> = cats
        .iter()
        .map(|c| c.previous_of(kind).unwrap_or(0) as u64)
        .collect();
    let prev_total: u128 = prev.iter().map(|&v| u128::from(v)).sum();
    let mut change_limit = ChangeLimit::NotSet;
    if let Some(m) = config.max_change_bp {
        if !has_previous || prev_total == 0 {
            change_limit = ChangeLimit::NoPrevious;
        } else {
            let m = u128::from(m);
            let den = bpu * prev_total;
            let mut clo = Vec::with_capacity(n);
            let mut chi = Vec::with_capacity(n);
            for (i, &p) in prev.iter().enumerate() {
                let p = u128::from(p) * bpu;
                let low = p.saturating_sub(m * prev_total);
                let high = p + m * prev_total;
                let l = (a * low / den) as u64;
                let h = ((a * high).div_ceil(den)).min(a) as u64;
                clo.push(floor[i].max(l.min(cap[i])));
                chi.push(cap[i].min(h.max(floor[i])));
            }
            // Floors and caps come first: loosen the limit where it leaves them no room.
            let slo: u128 = clo.iter().map(|&v| u128::from(v)).sum();
            let shi: u128 = chi.iter().map(|&v| u128::from(v)).sum();
            if slo > a {
                let room: Vec<u128> = clo.iter().zip(&floor).map(|(l, f)| u128::from(l - f)).collect();
                let cut = largest_remainder((slo - a) as u64, &room)?;
                for (l, c) in clo.iter_mut().zip(cut) {
                    *l -= c;
                }
            } else if shi < a {
                let room: Vec<u128> = chi.iter().zip(&cap).map(|(h, c)| u128::from(c - h)).collect();
                let add = largest_remainder((a - shi) as u64, &room)?;
                for (h, x) in chi.iter_mut().zip(add) {
                    *h += x;
                }
            }
            change_limit = if slo > a || shi < a {
                ChangeLimit::Relaxed
            } else {
                ChangeLimit::Applied
            };
            lo = clo;
            hi = chi;
        }
    }
    let uncon_w: Vec<u128> = uncon.iter().map(|&v| u128::from(v)).collect();
    let b = bounded(allocated, &uncon_w, &lo, &hi)?;
    let constrained = b.parts != uncon;

    // Split each total back into base and flexible parts.
    let (base_final, flex_final) = if constrained {
        let mut base: Vec<u64> = base_parts
            .iter()
            .zip(&b.parts)
            .map(|(p, x)| (*p).min(*x))
            .collect();
        let given: u64 = base.iter().sum();
        let short = base_pool - given;
        if short > 0 {
            let room: Vec<u128> = base
                .iter()
                .zip(&b.parts)
                .map(|(p, x)| u128::from(x - p))
                .collect();
            let extra = largest_remainder(short, &room)?;
            for (p, e) in base.iter_mut().zip(extra) {
                *p += e;
            }
        }
        let flex = base.iter().zip(&b.parts).map(|(p, x)| x - p).collect();
        (base, flex)
    } else {
        (base_parts.clone(), flex_parts.clone())
    };

    let allocated_i = allocated as i64;
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let c = cats[i];
        let binding = match b.bound[i] {
            Bound::Free if b.parts[i] != uncon[i] => Binding::Rebalanced,
            Bound::Free => Binding::None,
            Bound::Lower if b.parts[i] == floor[i] => floor_src[i],
            Bound::Upper if b.parts[i] == cap[i] => Binding::Cap,
            Bound::Lower | Bound::Upper => Binding::ChangeLimit,
        };
        let previous = has_previous.then_some(prev[i] as i64);
        let previous_share_bp =
            previous.and_then(|p| (prev_total > 0).then(|| bp_of(u128::from(p as u64), prev_total)));
        let share_bp = bp_of(u128::from(b.parts[i]), a);
        let total_i = b.parts[i] as i64;
        let (spent_fen, utilisation_bp) = if kind == ResourceKind::Money {
            let spent = c.spent_fen.max(0);
            (
                Some(c.spent_fen),
                (total_i > 0).then(|| bp_of(spent as u128, total_i as u128)),
            )
        } else {
            (None, None)
        };
        rows.push(CategoryAllocation {
            code: c.code.clone(),
            class: c.class,
            base: base_final[i] as i64,
            flexible: flex_final[i] as i64,
            total: total_i,
            share_bp,
            previous,
            previous_share_bp,
            change_bp: previous_share_bp.map(|p| i64::from(share_bp) - i64::from(p)),
            spent_fen,
            utilisation_bp,
            explanation: CategoryExplanation {
                eligible: c.eligible,
                unit_weight: rules[i].unit_weight,
                base_weight: base_w[i],
                base_quota: base_quotas[i],
                demand: demands[i].clone(),
                flexible_weight: flex_w[i],
                flexible_quota: flex_quotas[i],
                unconstrained: uncon[i] as i64,
                lower: lo[i] as i64,
                upper: hi[i] as i64,
                binding,
                quota: b.quotas[i],
            },
        });
    }
    let indicators = Indicators {
        mismatch: mismatch(&rows, &cats, config),
        utilisation: (kind == ResourceKind::Money).then(|| utilisation(&rows, allocated_i, config)),
    };
    let (fair, by_grid) = fairness(&rows, &cats, inputs, config)?;
    Ok(KindResult {
        kind,
        unit: unit.to_owned(),
        total: pool.total,
        pools: PoolSplit {
            reserve: reserve as i64,
            base: base_pool as i64,
            flexible: flex_pool as i64,
            allocated: allocated_i,
        },
        categories: rows,
        constrained,
        change_limit,
        flexible_follows_base,
        indicators,
        fairness: fair,
        by_grid,
    })
}

/// A `u128` serialised as decimal text (JSON numbers above 2⁵³ lose precision in browsers).
mod u128_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
