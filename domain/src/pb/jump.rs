//! How far an Add1 loop can jump: the number of whole currency units per voter by which
//! the share can grow before the outcome of MES can change.
//!
//! # Why
//!
//! Add1 (SEMANTICS.md §7, §9) re-runs MES with the per-voter share raised by 1 until the
//! outcome is exhaustive or the next one overshoots the budget. The number of runs is the
//! distance in currency units, not the number of distinct outcomes: a 120-byte instance
//! (budget 10¹², two voters, projects costing 999,999,999,999 and 1) needs about 5·10¹¹
//! runs that all give the same outcome. From the run at share `s`, [`safe_steps`] computes
//! a number `K` of further steps `s + 1, …, s + K` that provably give the same outcome, so
//! the loop can go straight to `s + K + 1`.
//!
//! # How
//!
//! MES is followed again at `s`, round by round along the order the engine found, keeping
//! every amount as an affine function of the share `x` near `s`: each voter's money is
//! `v + d·(x − s)` (everyone starts with `x`: `v = s`, `d = 1`). The outcome at `x` is the
//! same as at `s` while, in every round, (a) the winner `w` is still affordable, (b) its
//! supporters who pay all they have are the same (then its cap `t`, its `ρ = t / cost` and
//! everyone's money after the round stay affine), and (c) no other candidate beats it; and
//! after the last round no candidate left is affordable. Each condition is a comparison of
//! affine functions, true at `s`, so it holds up to a computable step; `K` is the smallest
//! of those steps (a tie counts as a change unless the tie-break keeps the same winner).
//!
//! Condition (c) does not need every other candidate's exact `ρ`, only a lower bound:
//!
//! * for a candidate still affordable at `s`, its cap `t(x)` — the least `t` with
//!   `Σ min(bᵢ(x), t) ≥ cost` — is a **convex** function of `x` (the lower boundary of a
//!   convex set, since `Σ min(bᵢ(x), t)` is jointly concave), so the affine `t` of its walk
//!   at `s` is a tangent below it everywhere, whichever supporters would pay all they have
//!   at `x`; and a tangent from an earlier round stays below, since `ρ` only grows from round
//!   to round. So, as in pabutools' lazy evaluation, a candidate is re-evaluated only when its
//!   last tangent no longer keeps it above the winner for long enough;
//! * a candidate unaffordable at `s` may become affordable at `x`; it then cannot win while
//!   `ρ ≥ 1 / (its supporters)` (they pay at most `t` each) or
//!   `t ≥ b − (money − cost)` for any supporter's money `b` (the supporters richer than `t`
//!   keep `money − cost` in all) stays above the winner's `ρ`, and it must be unaffordable
//!   again when MES stops.
//!
//! The bound is conservative (it may stop a jump at a step where nothing changes; the loop
//! then simply runs MES there). Every comparison is also checked at `s` itself, so a run
//! that disagrees with the engine's order (a bug) gives no jump at all.

use crate::order::SortDyn;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use super::mes::{Engine, Sat};
use super::profile::Profile;

/// An affine function of the share near `s`: `v + d·(x − s)`.
#[derive(Debug, Clone)]
struct Affine {
    v: BigRational,
    d: BigRational,
}

impl Affine {
    fn zero() -> Self {
        Self {
            v: BigRational::zero(),
            d: BigRational::zero(),
        }
    }

    fn minus(&self, o: &Affine) -> Affine {
        Affine {
            v: &self.v - &o.v,
            d: &self.d - &o.d,
        }
    }

    fn div(&self, c: &BigRational) -> Affine {
        Affine {
            v: &self.v / c,
            d: &self.d / c,
        }
    }
}

/// The size of an affine function's numbers in 64-bit words.
fn words(a: &Affine) -> u64 {
    let bits = a.v.numer().bits() + a.v.denom().bits() + a.d.numer().bits() + a.d.denom().bits();
    bits / 64 + 1
}

/// For how many steps a comparison `h ≥ 0` (or `h > 0`) keeps holding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Steps {
    /// It does not hold at `s`.
    Fails,
    /// It holds for steps `1..=k` (and at `s`).
    Upto(BigInt),
    /// It holds for every step.
    Always,
}

fn steps(h: &Affine, strict: bool) -> Steps {
    let holds = if strict {
        h.v.is_positive()
    } else {
        !h.v.is_negative()
    };
    if !holds {
        return Steps::Fails;
    }
    if !h.d.is_negative() {
        return Steps::Always;
    }
    // h reaches 0 after δ = v / -d steps.
    let delta = &h.v / -&h.d;
    let k = if strict {
        delta.ceil().to_integer() - BigInt::one()
    } else {
        delta.floor().to_integer()
    };
    Steps::Upto(if k.is_negative() { BigInt::zero() } else { k })
}

/// What limits the jump so far.
struct Bound(Steps);

impl Bound {
    fn limit(&mut self, s: Steps) {
        if s < self.0 {
            self.0 = s;
        }
    }

    /// Whether `s` would not lower the bound.
    fn covers(&self, s: &Steps) -> bool {
        s >= &self.0
    }

    fn zero(&self) -> bool {
        matches!(&self.0, Steps::Upto(k) if k.is_zero())
    }
}

/// Why the analysis stopped without a bound.
enum Stop {
    /// A comparison that must hold at `s` does not: the affine run and the engine disagree.
    Mismatch,
    /// It needed more work than allowed.
    OverBudget,
}

/// What [`safe_steps`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Jump {
    /// The next `k` steps give the same outcome (`k` may be 0).
    Steps(BigInt),
    /// Every larger share gives the same outcome.
    Forever,
    /// No bound: the analysis does not apply, disagreed with the engine, or needed more
    /// work than allowed.
    Unknown,
}

/// Work units of one exact operation on rationals, against one unit per supporter group
/// read (a rough ratio of their costs).
pub(crate) const WORK_PER_NUMBER: u64 = 40;

struct Analysis<'a> {
    prof: &'a Profile,
    cost: Vec<BigRational>,
    /// Class 0: money `x` (the start); class 1: nothing left, for good.
    classes: Vec<Affine>,
    /// Size of each class's numbers, in 64-bit words (their operations cost about that).
    size: Vec<u64>,
    gclass: Vec<u32>,
    acc: Vec<u64>,
    bound: Bound,
    /// Work done so far: one unit per supporter group read, [`WORK_PER_NUMBER`] per
    /// operation on rationals (roughly).
    work: u64,
    max_work: u64,
}

/// A candidate's supporters by class, with its money (all of them, and per class).
struct Gathered {
    cells: Vec<(u32, u64)>,
    /// All its supporters, those without money included.
    voters: u64,
    money: Affine,
}

impl Analysis<'_> {
    fn gather(&mut self, p: usize) -> Result<Gathered, Stop> {
        self.work += self.prof.supporters[p].len() as u64;
        if self.work > self.max_work {
            return Err(Stop::OverBudget);
        }
        let mut touched: Vec<u32> = Vec::new();
        let mut voters = 0u64;
        for &g in &self.prof.supporters[p] {
            let c = self.gclass[g as usize];
            let w = self.prof.weights[g as usize];
            voters += w;
            if c == 1 {
                continue;
            }
            if self.acc[c as usize] == 0 {
                touched.push(c);
            }
            self.acc[c as usize] += w;
        }
        let mut money = Affine::zero();
        self.work += WORK_PER_NUMBER * touched.iter().map(|&c| self.size[c as usize]).sum::<u64>();
        let cells: Vec<(u32, u64)> = touched
            .into_iter()
            .map(|c| {
                let w = std::mem::take(&mut self.acc[c as usize]);
                let wr = BigRational::from_integer(BigInt::from(w));
                money.v += &self.classes[c as usize].v * &wr;
                money.d += &self.classes[c as usize].d * &wr;
                (c, w)
            })
            .collect();
        Ok(Gathered { cells, voters, money })
    }

    /// The walk at `s` (SEMANTICS.md §6) of an affordable candidate: its cap `t` as an
    /// affine function (exact while the same classes pay all they have, a tangent below
    /// it elsewhere) and, for each cell, whether it pays all it has.
    fn walk(&mut self, p: usize, g: &mut Gathered) -> Option<(Affine, Vec<bool>)> {
        self.work += 2 * WORK_PER_NUMBER * g.cells.iter().map(|&(c, _)| self.size[c as usize]).sum::<u64>();
        g.cells
            .sort_by_dyn(|a, b| self.classes[a.0 as usize].v.cmp(&self.classes[b.0 as usize].v));
        let mut rest = self.cost[p].clone();
        let mut m: u64 = g.cells.iter().map(|c| c.1).sum();
        let mut poor_d = BigRational::zero();
        let mut poor = vec![false; g.cells.len()];
        for (i, &(c, w)) in g.cells.iter().enumerate() {
            let cl = &self.classes[c as usize];
            if &rest / BigRational::from_integer(BigInt::from(m)) <= cl.v {
                break;
            }
            let wr = BigRational::from_integer(BigInt::from(w));
            rest -= &cl.v * &wr;
            poor_d += &cl.d * &wr;
            m -= w;
            poor[i] = true;
        }
        if m == 0 {
            return None;
        }
        let mr = BigRational::from_integer(BigInt::from(m));
        let t = Affine {
            v: &rest / &mr,
            d: -(&poor_d / &mr),
        };
        Some((t, poor))
    }

    /// A candidate unaffordable at `s` in this round cannot beat a winner of `rho_w` for
    /// as long as it stays unaffordable or one of its lower bounds on ρ stays above.
    fn unaffordable_round(&self, p: usize, g: &Gathered, rho_w: &Affine, strict: bool) -> Steps {
        let c = &self.cost[p];
        let unaff = steps(
            &Affine {
                v: c - &g.money.v,
                d: -g.money.d.clone(),
            },
            true,
        );
        // ρ ≥ 1 / supporters.
        let flat = Affine {
            v: BigRational::new(BigInt::one(), BigInt::from(g.voters.max(1))),
            d: BigRational::zero(),
        };
        let mut best = unaff.max(steps(&flat.minus(rho_w), strict));
        // t ≥ b − (money − cost) for the richest class at s.
        if let Some(&(rich, _)) = g
            .cells
            .iter()
            .max_by(|a, b| self.classes[a.0 as usize].v.cmp(&self.classes[b.0 as usize].v))
        {
            let b = &self.classes[rich as usize];
            let t_low = Affine {
                v: &b.v - &g.money.v + c,
                d: &b.d - &g.money.d,
            };
            best = best.max(steps(&t_low.div(c).minus(rho_w), strict));
        }
        best
    }

    /// Money at the end: an unselected candidate must stay unaffordable.
    fn end(&mut self, p: usize) -> Result<Steps, Stop> {
        let g = self.gather(p)?;
        Ok(steps(
            &Affine {
                v: &self.cost[p] - &g.money.v,
                d: -g.money.d,
            },
            true,
        ))
    }
}

/// The number `K` of whole steps `x = s + 1, …, s + K` for which MES with every voter
/// starting at `x` is guaranteed to select the same projects in the same order as at `s`,
/// given `order`, the engine's outcome at `s`, doing at most `max_work` units of work
/// (see [`WORK_PER_NUMBER`]). Also returns the work done.
pub(crate) fn safe_steps(
    engine: &Engine<'_>,
    share: &BigRational,
    order: &[usize],
    max_work: u64,
) -> (Jump, u64) {
    let (prof, sat, cq, q, pref, candidates) = engine.parts();
    if sat != Sat::Cost || prof.n == 0 {
        return (Jump::Unknown, 0);
    }
    let qr = BigRational::from_integer(BigInt::from(q.clone()));
    let cost: Vec<BigRational> = cq
        .iter()
        .map(|c| BigRational::from_integer(BigInt::from(c.clone())) / &qr)
        .collect();
    let mut a = Analysis {
        prof,
        cost,
        classes: vec![
            Affine {
                v: share.clone(),
                d: BigRational::one(),
            },
            Affine::zero(),
        ],
        size: vec![1, 1],
        gclass: vec![0; prof.weights.len()],
        acc: vec![0; 2],
        bound: Bound(Steps::Always),
        work: 0,
        max_work,
    };
    let jump = match follow(&mut a, pref, candidates, order) {
        Ok(()) => match a.bound.0 {
            Steps::Always => Jump::Forever,
            Steps::Upto(k) => Jump::Steps(k),
            Steps::Fails => Jump::Unknown,
        },
        Err(Stop::OverBudget) => Jump::Unknown,
        Err(Stop::Mismatch) => {
            debug_assert!(
                false,
                "the affine MES run disagrees with the engine's order {order:?}"
            );
            Jump::Unknown
        }
    };
    (jump, a.work)
}

fn follow(a: &mut Analysis<'_>, pref: &[u32], candidates: &[usize], order: &[usize]) -> Result<(), Stop> {
    let np = a.cost.len();
    // Candidates in play at s, with their last tangent ρ (a lower bound).
    let mut pool: Vec<usize> = candidates.to_vec();
    let mut tangent: Vec<Option<Affine>> = vec![None; np];
    // Candidates unaffordable at s, with the steps for which they stay unaffordable.
    let mut removed: Vec<(usize, Steps)> = Vec::new();
    for &w in order {
        let Some(wi) = pool.iter().position(|&p| p == w) else {
            return Err(Stop::Mismatch);
        };
        pool.swap_remove(wi);
        let c_w = a.cost[w].clone();
        let mut gw = a.gather(w)?;
        // (a) still affordable.
        let aff = steps(
            &gw.money.minus(&Affine {
                v: c_w.clone(),
                d: BigRational::zero(),
            }),
            false,
        );
        if aff == Steps::Fails {
            return Err(Stop::Mismatch);
        }
        a.bound.limit(aff);
        let Some((t_w, poor)) = a.walk(w, &mut gw) else {
            return Err(Stop::Mismatch);
        };
        // (b) the same supporters pay all they have.
        for (&(c, _), &is_poor) in gw.cells.iter().zip(&poor) {
            let cl = &a.classes[c as usize];
            let h = if is_poor { t_w.minus(cl) } else { cl.minus(&t_w) };
            a.bound.limit(steps(&h, false));
        }
        let rho_w = t_w.div(&c_w);
        // (c) nobody beats it.
        let mut i = 0;
        while i < pool.len() {
            let p = pool[i];
            let strict = pref[p] < pref[w];
            if let Some(t) = &tangent[p] {
                if a.bound.covers(&steps(&t.minus(&rho_w), strict)) {
                    i += 1;
                    continue;
                }
            }
            let mut g = a.gather(p)?;
            if g.money.v < a.cost[p] {
                // Unaffordable from this round on at s.
                let c = &a.cost[p];
                let unaff = steps(
                    &Affine {
                        v: c - &g.money.v,
                        d: -g.money.d.clone(),
                    },
                    true,
                );
                let round = a.unaffordable_round(p, &g, &rho_w, strict);
                a.bound.limit(round);
                removed.push((p, unaff));
                pool.swap_remove(i);
                continue;
            }
            let Some((t, _)) = a.walk(p, &mut g) else {
                return Err(Stop::Mismatch);
            };
            let t = t.div(&a.cost[p]);
            let s = steps(&t.minus(&rho_w), strict);
            if s == Steps::Fails {
                return Err(Stop::Mismatch);
            }
            a.bound.limit(s);
            tangent[p] = Some(t);
            i += 1;
        }
        // Candidates removed earlier, unless they stay unaffordable long enough anyway.
        for (p, unaff) in &removed {
            if a.bound.covers(unaff) {
                continue;
            }
            let strict = pref[*p] < pref[w];
            let g = a.gather(*p)?;
            let round = a.unaffordable_round(*p, &g, &rho_w, strict);
            a.bound.limit(round);
        }
        if a.bound.zero() {
            return Ok(());
        }
        // Pay: the poor classes give all they have, the others t each.
        let mut map: Vec<(u32, u32)> = Vec::with_capacity(gw.cells.len());
        for (&(c, _), &is_poor) in gw.cells.iter().zip(&poor) {
            let to = if is_poor {
                1
            } else {
                let next = a.classes[c as usize].minus(&t_w);
                a.size.push(words(&next));
                a.classes.push(next);
                a.acc.push(0);
                u32::try_from(a.classes.len() - 1).map_err(|_| Stop::Mismatch)?
            };
            map.push((c, to));
        }
        map.sort_unstable();
        for &g in &a.prof.supporters[w] {
            let c = a.gclass[g as usize];
            if let Ok(k) = map.binary_search_by_key(&c, |x| x.0) {
                a.gclass[g as usize] = map[k].1;
            }
        }
    }
    // After the last round, nobody left is affordable.
    for p in pool {
        let s = a.end(p)?;
        if s == Steps::Fails {
            return Err(Stop::Mismatch);
        }
        a.bound.limit(s);
    }
    for (p, unaff) in &removed {
        if !a.bound.covers(unaff) {
            let s = a.end(*p)?;
            a.bound.limit(s);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    fn h(v: BigRational, d: BigRational) -> Affine {
        Affine { v, d }
    }

    #[test]
    fn steps_of_one_comparison() {
        assert_eq!(steps(&h(r(5, 1), r(1, 1)), false), Steps::Always);
        // 5 − 2k ≥ 0 for k ≤ 2.
        assert_eq!(steps(&h(r(5, 1), r(-2, 1)), false), Steps::Upto(2.into()));
        // 6 − 2k > 0 for k ≤ 2; ≥ 0 for k ≤ 3.
        assert_eq!(steps(&h(r(6, 1), r(-2, 1)), true), Steps::Upto(2.into()));
        assert_eq!(steps(&h(r(6, 1), r(-2, 1)), false), Steps::Upto(3.into()));
        // A tie the tie-break keeps: fine while it widens, not once it narrows.
        assert_eq!(steps(&h(r(0, 1), r(1, 3)), false), Steps::Always);
        assert_eq!(steps(&h(r(0, 1), r(-1, 3)), false), Steps::Upto(0.into()));
        assert_eq!(steps(&h(r(0, 1), r(1, 3)), true), Steps::Fails);
        assert_eq!(steps(&h(r(-1, 2), r(1, 1)), false), Steps::Fails);
        let mut b = Bound(Steps::Always);
        b.limit(Steps::Upto(7.into()));
        b.limit(Steps::Always);
        assert!(b.covers(&Steps::Upto(7.into())) && !b.covers(&Steps::Upto(6.into())));
        b.limit(Steps::Upto(0.into()));
        assert!(b.zero());
    }
}
