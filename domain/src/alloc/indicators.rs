//! Allocation indicators (SPEC §2.3, §2.10): mismatch rate and precise-targeting rate,
//! utilisation, and the group-fairness table with the elite-capture warning.
//!
//! # Mismatch rate (资源错配率)
//!
//! Over the categories sharing a pool, with `a_c` the allocation, `A = Σ a_c`, `n_c` the
//! category's need (Σ needs score of the households with a need of it) and `N = Σ n_c`:
//!
//! ```text
//! mismatch = ½ · Σ_c | a_c / A − n_c / N |  =  Σ_c | a_c·N − n_c·A | / (2·A·N)
//! ```
//!
//! computed exactly (the `exact` fraction) and shown in basis points rounded half up; the
//! precise-targeting rate (精准投放率) is `10000 − mismatch_bp`. 0 means resources follow
//! need exactly, 10000 means they go entirely where there is no need.
//!
//! # Utilisation
//!
//! Money only: spending of the period on plans of the pool's categories (negative totals
//! count as 0) divided by the money allocated. Slots and room hours have no usage records
//! yet, so they have no utilisation.
//!
//! # Fairness by group (and grid)
//!
//! A category's allocation is attributed to resident groups in proportion to the group's
//! eligible headcount for that category (the people the category's rule serves), by largest
//! remainder, so the groups' resources add up exactly to the pool. Each group's share of the
//! resources is set against its share of residents and of the pool's need (Σ needs scores of
//! its households with a need of a category sharing the pool). The
//! **elite-capture warning** (精英俘获) is raised for a group whose resources per unit of
//! need are at least `capture_ratio_bp` (default ×2) times everyone else's,
//! `r_g·(N − n_g) ≥ ratio × (R − r_g)·n_g`, and which holds at least `capture_min_share_bp`
//! (default 10 %) of the resources — the source's example is a retired-cadre group with 60 %
//! of the resources against young tenants' 5 %. A group with resources but no need at all is
//! always flagged (if it holds the minimum share).

use serde::{Deserialize, Serialize};

use super::apportion::{largest_remainder, Quota};
use super::config::AllocConfig;
use super::inputs::{AllocInputs, CategoryInput, SubgroupInput};
use super::pools::CategoryAllocation;
use super::{bp_of, AllocError, BP};

/// The mismatch rate of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// `Σ |a_c·N − n_c·A| / (2·A·N)`, exact.
    pub exact: Quota,
    /// Basis points, rounded half up.
    pub mismatch_bp: u32,
    /// `10000 − mismatch_bp`.
    pub precise_targeting_bp: u32,
    /// The target: mismatch below this (default 1000, SPEC §2.10).
    pub target_max_bp: u32,
    /// `exact < target`, compared exactly.
    pub meets_target: bool,
}

/// Money utilisation of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utilisation {
    /// Σ spending of the period on the pool's categories (each category's total at least 0).
    pub spent_fen: i64,
    pub allocated_fen: i64,
    /// `spent / allocated`, basis points rounded half up (may exceed 10000).
    pub utilisation_bp: Option<u32>,
    /// The target: above this (default 8500, SPEC §2.10).
    pub target_min_bp: u32,
    pub meets_target: Option<bool>,
}

/// The indicators of one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicators {
    /// Absent when nothing is allocated or no category has registered need.
    pub mismatch: Option<Mismatch>,
    /// Money pools only.
    pub utilisation: Option<Utilisation>,
}

/// One resident group (or grid) in the fairness table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubgroupRow {
    pub key: String,
    pub label: String,
    pub households: u64,
    pub residents: u64,
    /// Its need for this pool: Σ needs scores of its households with a need of a category
    /// sharing the pool (a household counts once per such category).
    pub need_score: u64,
    /// Resources attributed to it, in the pool's unit.
    pub resources: i64,
    pub resource_share_bp: u32,
    pub population_share_bp: u32,
    pub need_share_bp: u32,
    /// Resource share ÷ population share, basis points (10000 = in proportion).
    pub per_population_bp: Option<u64>,
    /// Resource share ÷ need share, basis points.
    pub per_need_bp: Option<u64>,
    /// Its resources per unit of need ÷ everyone else's, basis points.
    pub per_need_vs_others_bp: Option<u64>,
    pub capture_warning: bool,
}

/// The group-fairness table of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fairness {
    /// One row per resident group, by key.
    pub groups: Vec<SubgroupRow>,
    /// The keys of the groups with the elite-capture warning.
    pub capture_warnings: Vec<String>,
}

/// `num / den` in basis points rounded half up, saturating; `None` if `den` is 0.
fn ratio_bp(num: u128, den: u128) -> Option<u64> {
    if den == 0 {
        return None;
    }
    let v = num
        .checked_mul(2 * u128::from(BP))
        .map_or(u128::MAX, |x| (x + den) / (2 * den));
    Some(u64::try_from(v).unwrap_or(u64::MAX))
}

pub(crate) fn mismatch(
    rows: &[CategoryAllocation],
    cats: &[&CategoryInput],
    config: &AllocConfig,
) -> Option<Mismatch> {
    let a: u128 = rows.iter().map(|r| r.total as u128).sum();
    let n: u128 = cats.iter().map(|c| u128::from(c.need_score)).sum();
    if a == 0 || n == 0 {
        return None;
    }
    let num: u128 = rows
        .iter()
        .zip(cats)
        .map(|(r, c)| (r.total as u128 * n).abs_diff(u128::from(c.need_score) * a))
        .sum();
    let den = 2 * a * n;
    let mismatch_bp = bp_of(num, den);
    let target = config.targets.mismatch_max_bp;
    Some(Mismatch {
        exact: Quota::new(num, den),
        mismatch_bp,
        precise_targeting_bp: BP - mismatch_bp,
        target_max_bp: target,
        meets_target: num * u128::from(BP) < u128::from(target) * den,
    })
}

pub(crate) fn utilisation(rows: &[CategoryAllocation], allocated: i64, config: &AllocConfig) -> Utilisation {
    let spent: i64 = rows.iter().map(|r| r.spent_fen.unwrap_or(0).max(0)).sum();
    let target = config.targets.utilisation_min_bp;
    let (bp, meets) = if allocated > 0 {
        (
            ratio_bp(spent as u128, allocated as u128).map(|v| v.min(u64::from(u32::MAX)) as u32),
            Some(spent as u128 * u128::from(BP) > u128::from(target) * allocated as u128),
        )
    } else {
        (None, None)
    };
    Utilisation {
        spent_fen: spent,
        allocated_fen: allocated,
        utilisation_bp: bp,
        target_min_bp: target,
        meets_target: meets,
    }
}

/// Attributes the pool's rows to subgroups by the categories' eligible counts `pick(c)`;
/// people outside every subgroup (grids only) form a last, unlabelled row.
fn table(
    rows: &[CategoryAllocation],
    cats: &[&CategoryInput],
    subgroups: &[SubgroupInput],
    pick: fn(&CategoryInput) -> &[u64],
    pick_need: fn(&CategoryInput) -> &[u64],
    config: &AllocConfig,
    warn: bool,
) -> Result<Vec<SubgroupRow>, AllocError> {
    let k = subgroups.len();
    let mut res = vec![0u64; k + 1];
    let mut need = vec![0u64; k + 1];
    let mut w: Vec<u128> = Vec::with_capacity(k + 1);
    for (r, c) in rows.iter().zip(cats) {
        let nv = pick_need(c);
        for (acc, &x) in need.iter_mut().zip(nv) {
            *acc += x;
        }
        need[k] += c.need_score - nv.iter().sum::<u64>();
        let v = pick(c);
        let inside: u64 = v.iter().sum();
        w.clear();
        w.extend(v.iter().map(|&x| u128::from(x)));
        w.push(u128::from(c.eligible - inside));
        let parts = largest_remainder(r.total as u64, &w)?;
        for (acc, p) in res.iter_mut().zip(parts) {
            *acc += p;
        }
    }
    let big_r: u128 = res.iter().map(|&x| u128::from(x)).sum();
    let big_p: u128 = subgroups.iter().map(|s| u128::from(s.residents)).sum();
    let big_n: u128 = need.iter().map(|&x| u128::from(x)).sum();
    let f = config.fairness;
    let mut out = Vec::with_capacity(k + 1);
    let mut row = |key: String, label: String, hh: u64, residents: u64, need: u64, r: u64| {
        let (r128, p128, n128) = (u128::from(r), u128::from(residents), u128::from(need));
        let share = |x: u128, t: u128| if t == 0 { 0 } else { bp_of(x, t) };
        let others_r = big_r - r128;
        let others_n = big_n.saturating_sub(n128);
        let capture = warn
            && big_r > 0
            && r128 * u128::from(BP) >= u128::from(f.capture_min_share_bp) * big_r
            && others_n > 0
            && r128 * others_n * u128::from(BP) >= u128::from(f.capture_ratio_bp) * others_r * n128;
        out.push(SubgroupRow {
            key,
            label,
            households: hh,
            residents,
            need_score: need,
            resources: r as i64,
            resource_share_bp: share(r128, big_r),
            population_share_bp: share(p128, big_p),
            need_share_bp: share(n128, big_n),
            per_population_bp: ratio_bp(r128 * big_p, big_r * p128),
            per_need_bp: ratio_bp(r128 * big_n, big_r * n128),
            per_need_vs_others_bp: ratio_bp(r128 * others_n, n128 * others_r),
            capture_warning: capture,
        });
    };
    for ((s, &r), &nd) in subgroups.iter().zip(&res).zip(&need) {
        row(s.key.clone(), s.label.clone(), s.households, s.residents, nd, r);
    }
    if res[k] > 0 || need[k] > 0 {
        row(String::new(), String::new(), 0, 0, need[k], res[k]);
    }
    Ok(out)
}

pub(crate) fn fairness(
    rows: &[CategoryAllocation],
    cats: &[&CategoryInput],
    inputs: &AllocInputs,
    config: &AllocConfig,
) -> Result<(Fairness, Vec<SubgroupRow>), AllocError> {
    let groups = table(
        rows,
        cats,
        &inputs.groups,
        |c| &c.eligible_by_group,
        |c| &c.need_score_by_group,
        config,
        true,
    )?;
    let by_grid = table(
        rows,
        cats,
        &inputs.grids,
        |c| &c.eligible_by_grid,
        |c| &c.need_score_by_grid,
        config,
        false,
    )?;
    let capture_warnings = groups
        .iter()
        .filter(|g| g.capture_warning)
        .map(|g| g.key.clone())
        .collect();
    Ok((
        Fairness {
            groups,
            capture_warnings,
        },
        by_grid,
    ))
}
