//! Exact apportionment of indivisible units by the largest-remainder (Hamilton) method,
//! with optional per-part lower and upper bounds.
//!
//! # The method
//!
//! `total` units are shared among parts with integer weights `w_i` (`W = Σ w_i`). Each part's
//! **quota** is the exact rational `q_i = total × w_i / W`. Every part first gets `⌊q_i⌋`; the
//! `total − Σ ⌊q_i⌋` units left over (fewer than the number of parts) go one each to the parts
//! with the largest remainders `q_i − ⌊q_i⌋`. All arithmetic is integer (`u128`): the
//! remainders are compared as the integers `total × w_i mod W`.
//!
//! **Tie-breaking** (deterministic, documented): among equal remainders the part with the
//! **larger weight** wins, and among equal weights the part that comes **first** (lower index).
//! The allocation engine passes categories sorted by code, so "first" means "category code
//! ascending".
//!
//! If every weight is zero, the units are shared as if every weight were 1 (equally).
//!
//! # Properties that hold (and are property-tested)
//!
//! - **Exactness**: the parts add up to `total`, always.
//! - **Non-negativity**: parts are whole numbers ≥ 0.
//! - **Quota rule**: every part is `⌊q_i⌋` or `⌈q_i⌉` (Hamilton's method satisfies quota).
//! - **Order preservation**: `w_i > w_j` implies `part_i ≥ part_j`.
//! - **Determinism**: the same input gives the same output on every machine.
//! - **Permutation equivariance**: permuting the parts permutes the result, except that two
//!   parts with equal weight may swap which of them gets a tied leftover unit (the tie goes
//!   to the earlier one).
//! - **Bounds** ([`bounded`]): `lo_i ≤ part_i ≤ hi_i`, and every part is within quota of its
//!   *constrained* quota.
//!
//! # Properties that cannot hold
//!
//! - **House monotonicity** (the **Alabama paradox**): raising `total` can lower a part. With
//!   weights `[6, 6, 2]`, 10 units give `[4, 4, 2]` but 11 units give `[5, 5, 1]` (tested in
//!   `alabama_paradox_happens`). Largest remainder is not house monotone; a larger pool of
//!   money can therefore cost a category one fen (or one slot) against a smaller pool.
//! - **Population monotonicity** (the population paradox): a part whose weight grows can lose a
//!   unit to a part whose weight shrank. By the Balinski–Young impossibility theorem no
//!   apportionment method satisfies the quota rule and avoids the population paradox.
//! - **New-states paradox**: adding a part (with its own units) can change the others' parts.
//!
//! # Examples
//!
//! ```
//! use linli_domain::alloc::apportion::largest_remainder;
//! // 10 units by weights 6 : 6 : 2 — quotas 4.29, 4.29, 1.43.
//! assert_eq!(largest_remainder(10, &[6, 6, 2]).unwrap(), vec![4, 4, 2]);
//! // A tie (remainders 1/3 each, equal weights): the first part wins.
//! assert_eq!(largest_remainder(1, &[1, 1, 1]).unwrap(), vec![1, 0, 0]);
//! ```

use std::cmp::Ordering;

use num_integer::Integer;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why an apportionment cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApportionError {
    /// Units to share but no part to give them to.
    #[error("{total} units to share but no parts")]
    NoParts { total: u64 },
    /// An intermediate product does not fit in 128 bits.
    #[error("the amounts or weights are too large to apportion exactly")]
    Overflow,
    /// The bounds and weights have different lengths.
    #[error("{weights} weights but {bounds} bounds")]
    Length { weights: usize, bounds: usize },
    /// A part's lower bound is above its upper bound.
    #[error("part {index}: lower bound {lo} is above upper bound {hi}")]
    Bounds { index: usize, lo: u64, hi: u64 },
    /// The lower bounds add up to more than the total.
    #[error("the lower bounds add up to {sum}, more than the {total} units to share")]
    LowerBounds { sum: u128, total: u64 },
    /// The upper bounds add up to less than the total.
    #[error("the upper bounds add up to {sum}, less than the {total} units to share")]
    UpperBounds { sum: u128, total: u64 },
}

/// An exact non-negative rational `num / den` (a quota), serialised as the text `"num/den"`
/// in lowest terms (an integer as `"num"`). It is kept as computed and reduced only when
/// shown, compared or hashed.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub num: u128,
    pub den: u128,
}

impl Quota {
    /// The quota `num / den` (a `den` of 0 is taken as 1).
    pub fn new(num: u128, den: u128) -> Self {
        Self { num, den: den.max(1) }
    }

    /// A whole number.
    pub fn whole(n: u64) -> Self {
        Self {
            num: u128::from(n),
            den: 1,
        }
    }

    /// The same quota in lowest terms.
    pub fn reduced(&self) -> Self {
        let g = self.num.gcd(&self.den).max(1);
        Self {
            num: self.num / g,
            den: self.den / g,
        }
    }

    /// `⌊num / den⌋`.
    pub fn floor(&self) -> u128 {
        self.num / self.den
    }

    /// `⌈num / den⌉`.
    pub fn ceil(&self) -> u128 {
        self.num.div_ceil(self.den)
    }
}

impl PartialEq for Quota {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.reduced(), other.reduced());
        a.num == b.num && a.den == b.den
    }
}

impl Eq for Quota {}

impl std::hash::Hash for Quota {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let r = self.reduced();
        r.num.hash(state);
        r.den.hash(state);
    }
}

impl std::fmt::Display for Quota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self.reduced();
        if r.den == 1 {
            write!(f, "{}", r.num)
        } else {
            write!(f, "{}/{}", r.num, r.den)
        }
    }
}

impl Serialize for Quota {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quota {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let bad = || serde::de::Error::custom(format!("`{text}` is not a fraction num/den"));
        let (n, den) = match text.split_once('/') {
            Some((n, den)) => (n, den),
            None => (text.as_str(), "1"),
        };
        let num: u128 = n.parse().map_err(|_| bad())?;
        let den: u128 = den.parse().map_err(|_| bad())?;
        if den == 0 {
            return Err(bad());
        }
        Ok(Self::new(num, den))
    }
}

/// Whether a bounded part ended at one of its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Proportional share, within its bounds.
    Free,
    /// Raised to its lower bound.
    Lower,
    /// Cut to its upper bound.
    Upper,
}

/// The result of [`bounded`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounded {
    /// The parts; they add up to the total.
    pub parts: Vec<u64>,
    /// Each part's constrained quota: its bound, or its proportional share of what the free
    /// parts share. Every part is the floor or the ceiling of its quota.
    pub quotas: Vec<Quota>,
    /// Which parts ended at a bound.
    pub bound: Vec<Bound>,
}

/// Splits `total` units by `weights` with the largest-remainder method (see the
/// [module documentation](self) for the tie-breaking and the properties).
///
/// # Errors
///
/// [`ApportionError::NoParts`] if `total > 0` and `weights` is empty;
/// [`ApportionError::Overflow`] if `total × weight` or `Σ weights` exceeds `u128`.
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::apportion::largest_remainder;
/// let parts = largest_remainder(100, &[1, 1, 1]).unwrap();
/// assert_eq!(parts, vec![34, 33, 33]);
/// assert_eq!(parts.iter().sum::<u64>(), 100);
/// ```
pub fn largest_remainder(total: u64, weights: &[u128]) -> Result<Vec<u64>, ApportionError> {
    lr_core(total, weights, |_, _| {})
}

/// [`largest_remainder`] and the exact quotas `total × w_i / W`.
///
/// # Errors
///
/// As [`largest_remainder`].
pub fn largest_remainder_with_quotas(
    total: u64,
    weights: &[u128],
) -> Result<(Vec<u64>, Vec<Quota>), ApportionError> {
    let mut quotas = Vec::with_capacity(weights.len());
    let parts = lr_core(total, weights, |num, den| quotas.push(Quota::new(num, den)))?;
    Ok((parts, quotas))
}

/// Largest remainder, reporting each part's quota `num / den` to `quota`.
fn lr_core(
    total: u64,
    weights: &[u128],
    mut quota: impl FnMut(u128, u128),
) -> Result<Vec<u64>, ApportionError> {
    if weights.is_empty() {
        return if total == 0 {
            Ok(Vec::new())
        } else {
            Err(ApportionError::NoParts { total })
        };
    }
    let mut sum: u128 = 0;
    for &w in weights {
        sum = sum.checked_add(w).ok_or(ApportionError::Overflow)?;
    }
    // All weights zero: share equally.
    let ones;
    let (weights, sum) = if sum == 0 {
        ones = vec![1u128; weights.len()];
        (ones.as_slice(), weights.len() as u128)
    } else {
        (weights, sum)
    };
    let t = u128::from(total);
    let mut parts = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    let small_sum = u64::try_from(sum).ok();
    for &w in weights {
        let p = t.checked_mul(w).ok_or(ApportionError::Overflow)?;
        // 64-bit division when the numbers fit: much faster than 128-bit.
        let (q, r) = match (small_sum, u64::try_from(p)) {
            (Some(s), Ok(p)) => (u128::from(p / s), u128::from(p % s)),
            _ => {
                let q = p / sum;
                (q, p - q * sum)
            }
        };
        given += q;
        // q ≤ total, so it fits in u64.
        parts.push(q as u64);
        rems.push(r);
        quota(p, sum);
    }
    let left = (t - given) as usize;
    if left > 0 {
        let key = |&a: &usize, &b: &usize| -> Ordering {
            rems[b]
                .cmp(&rems[a])
                .then(weights[b].cmp(&weights[a]))
                .then(a.cmp(&b))
        };
        let mut order: Vec<usize> = (0..weights.len()).collect();
        if left < order.len() {
            order.select_nth_unstable_by(left - 1, key);
        }
        for &i in &order[..left] {
            parts[i] += 1;
        }
    }
    Ok(parts)
}

/// Splits `total` units by `weights` within per-part bounds `lo[i] ≤ part ≤ hi[i]`.
///
/// The constrained quotas are those of the proportional rule with the bounds enforced
/// ("water filling"): there is a factor λ such that every quota is `clamp(λ × w_i, lo_i,
/// hi_i)` and the quotas add up to `total`. It is found exactly: parts that would fall below
/// their lower bound (or rise above their upper bound) are fixed there — whichever side has
/// the larger total violation first, as that side is certain to stay fixed — and the rest is
/// shared again among the others, until no part violates a bound. The parts are then the
/// largest-remainder rounding of the free parts' quotas (bounds are whole numbers, so the
/// rounding never leaves them). If every free part has weight zero, what is left is shared
/// as if each had weight 1.
///
/// # Errors
///
/// [`ApportionError::Length`], [`ApportionError::Bounds`] (`lo > hi`),
/// [`ApportionError::LowerBounds`] (`Σ lo > total`), [`ApportionError::UpperBounds`]
/// (`Σ hi < total`), [`ApportionError::Overflow`], [`ApportionError::NoParts`].
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::apportion::{bounded, Bound};
/// // 100 units by 8 : 1 : 1, but the first may get at most 50 and the others at least 10.
/// let b = bounded(100, &[8, 1, 1], &[0, 10, 10], &[50, 100, 100]).unwrap();
/// assert_eq!(b.parts, vec![50, 25, 25]);
/// assert_eq!(b.bound[0], Bound::Upper);
/// ```
pub fn bounded(total: u64, weights: &[u128], lo: &[u64], hi: &[u64]) -> Result<Bounded, ApportionError> {
    let n = weights.len();
    if lo.len() != n || hi.len() != n {
        return Err(ApportionError::Length {
            weights: n,
            bounds: lo.len().min(hi.len()),
        });
    }
    if n == 0 {
        return if total == 0 {
            Ok(Bounded {
                parts: Vec::new(),
                quotas: Vec::new(),
                bound: Vec::new(),
            })
        } else {
            Err(ApportionError::NoParts { total })
        };
    }
    let (mut sum_lo, mut sum_hi) = (0u128, 0u128);
    for i in 0..n {
        if lo[i] > hi[i] {
            return Err(ApportionError::Bounds {
                index: i,
                lo: lo[i],
                hi: hi[i],
            });
        }
        sum_lo += u128::from(lo[i]);
        sum_hi += u128::from(hi[i]);
    }
    if sum_lo > u128::from(total) {
        return Err(ApportionError::LowerBounds { sum: sum_lo, total });
    }
    if sum_hi < u128::from(total) {
        return Err(ApportionError::UpperBounds { sum: sum_hi, total });
    }
    let mut fixed: Vec<Option<(u64, Bound)>> = vec![None; n];
    let mut free: Vec<usize> = (0..n).collect();
    let mut rest = u128::from(total);
    loop {
        if free.is_empty() {
            break;
        }
        let mut u: u128 = 0;
        for &i in &free {
            u = u.checked_add(weights[i]).ok_or(ApportionError::Overflow)?;
        }
        let unit_weights = u == 0;
        let w = |i: usize| if unit_weights { 1 } else { weights[i] };
        let u = if unit_weights { free.len() as u128 } else { u };
        // Violations, scaled by `u`: quota_i × u = rest × w_i.
        let (mut under, mut over) = (0u128, 0u128);
        let mut unders = Vec::new();
        let mut overs = Vec::new();
        for &i in &free {
            let qu = rest.checked_mul(w(i)).ok_or(ApportionError::Overflow)?;
            let lou = u128::from(lo[i]).checked_mul(u).ok_or(ApportionError::Overflow)?;
            let hiu = u128::from(hi[i]).checked_mul(u).ok_or(ApportionError::Overflow)?;
            if qu < lou {
                under = under.checked_add(lou - qu).ok_or(ApportionError::Overflow)?;
                unders.push(i);
            } else if qu > hiu {
                over = over.checked_add(qu - hiu).ok_or(ApportionError::Overflow)?;
                overs.push(i);
            }
        }
        if unders.is_empty() && overs.is_empty() {
            break;
        }
        let (fix_under, fix_over) = match under.cmp(&over) {
            Ordering::Greater => (true, false),
            Ordering::Less => (false, true),
            Ordering::Equal => (true, true),
        };
        if fix_under {
            for &i in &unders {
                fixed[i] = Some((lo[i], Bound::Lower));
                rest -= u128::from(lo[i]);
            }
        }
        if fix_over {
            for &i in &overs {
                fixed[i] = Some((hi[i], Bound::Upper));
                rest -= u128::from(hi[i]);
            }
        }
        free.retain(|&i| fixed[i].is_none());
    }
    let mut parts = vec![0u64; n];
    let mut quotas = vec![Quota::whole(0); n];
    let mut bound = vec![Bound::Free; n];
    for i in 0..n {
        if let Some((v, b)) = fixed[i] {
            parts[i] = v;
            quotas[i] = Quota::whole(v);
            bound[i] = b;
        }
    }
    if !free.is_empty() {
        let fw: Vec<u128> = free.iter().map(|&i| weights[i]).collect();
        // `rest ≤ total`, which is a u64.
        let (p, q) = largest_remainder_with_quotas(rest as u64, &fw)?;
        for (k, &i) in free.iter().enumerate() {
            parts[i] = p[k];
            quotas[i] = q[k];
        }
    }
    Ok(Bounded { parts, quotas, bound })
}
