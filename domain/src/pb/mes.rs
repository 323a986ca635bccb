//! One run of the Method of Equal Shares (SEMANTICS.md §6), exact, on integers.
//!
//! # What is computed
//!
//! Approval ballots give every supporter of a project the same utility (its cost under
//! `Cost_Sat`, 1 under `Cardinality_Sat`), so the payment rule "each supporter i pays
//! `min(b_i, ρ·u_i(p))`" is "each supporter pays `min(b_i, t)`" with one cap `t` per project,
//! and the affordability of p is the smallest `t` with `Σ_{i∈S_p} min(b_i, t) = cost(p)`
//! (ρ = t/cost under `Cost_Sat`, ρ = t under `Cardinality_Sat`). That `t` is unique, so any
//! exact computation gives pabutools' value; the winner of a round is the exact minimum of ρ,
//! exact ties going to the tie-breaking preference (smallest id string by default, §3).
//!
//! # How (all integer arithmetic; no float anywhere)
//!
//! * **Groups.** Voters with identical ballots always have identical budgets: the
//!   multiprofile groups them ([`Profile`]).
//! * **Budget classes.** Groups with the same budget share a class. Class budgets are
//!   integers over one common denominator `D = e·q` (`q` = common denominator of the costs;
//!   `e` starts at the denominator of the share and is multiplied by the reduced denominator
//!   `m₁` of each payment cap), stored as fixed-stride `u64` limbs ([`limbs`]): sums and
//!   comparisons are plain big-integer operations, without gcd or allocation. The rescaling by
//!   `m₁` is applied lazily, class by class, when a budget is next read.
//! * **Order.** Live classes are kept sorted by budget; a payment subtracts the same `t` from
//!   every paying class (or empties it), so paying classes stay in order and one (galloping)
//!   merge restores the order. A bitmap over class ranks lists a project's classes in order.
//! * **Affordability walk** (SEMANTICS.md §6, "ρ_k"): walk the project's classes from the
//!   poorest; the first class whose budget is at least
//!   `t_k = (cost − Σ_{poorer} budgets) / (supporters not poorer)` gives `t = t_k`; if none
//!   does, the project is unaffordable for good.
//! * **Brackets.** Besides the exact value, every class budget has a `u128` bracket
//!   `lo ≤ budget·2^K ≤ hi`. The walk, the comparison of ρ values and the class merge are done
//!   on brackets first; only a comparison the brackets cannot decide (near-ties, exact ties) is
//!   redone on the exact integers. The exact value is read only to pay (the winner's `t`).
//! * **Laziness** as in pabutools: candidates are re-evaluated in ascending order of a lower
//!   bound of their ρ (their ρ of an earlier round; ρ only grows), stopping once that bound
//!   exceeds the best current ρ.
//! * **Pruning.** A class none of whose voters approves a remaining candidate is dropped
//!   from the order (it will never be read again).
//!
//! `Engine::run_mode(.., use_keys = false)` turns brackets and laziness off (every
//! comparison exact, every candidate re-evaluated each round); the tests check that both modes
//! agree, and that both agree with a literal per-voter transcription of §6.

use crate::order::SortDyn;
use std::cell::RefCell;
use std::cmp::Ordering;

use num_bigint::BigUint;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

use super::limbs;
use super::profile::Profile;

/// Which satisfaction function MES maximises (SEMANTICS.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sat {
    /// `Cost_Sat`: u_i(p) = cost(p).
    Cost,
    /// `Cardinality_Sat`: u_i(p) = 1.
    Card,
}

/// `a·b` as a 256-bit number `(high, low)`.
#[inline]
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    let (a1, a0) = (a >> 64, a & u128::from(u64::MAX));
    let (b1, b0) = (b >> 64, b & u128::from(u64::MAX));
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & u128::from(u64::MAX)) + (p10 & u128::from(u64::MAX));
    let low = (p00 & u128::from(u64::MAX)) | (mid << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (high, low)
}

/// Compares the fractions `x₁/d₁` and `x₂/d₂` exactly (`d` > 0).
#[inline]
fn cmp_frac(x1: u128, d1: u128, x2: u128, d2: u128) -> Ordering {
    mul_wide(x1, d2).cmp(&mul_wide(x2, d1))
}

/// A lower bound `x / den` on a candidate's ρ, in key units (see [`Keys`]).
#[derive(Debug, Clone, Copy)]
struct Bound {
    x: u128,
    den: u128,
}

/// Fixed-point bounds: a budget `b` is bracketed by integers `lo <= b·2^K <= hi`
/// (`u128`). Sums and comparisons on these brackets decide almost every comparison of the
/// walk, of ρ values and of the class order without touching the exact numerators; any
/// comparison the brackets do not decide is redone exactly. Only integers are involved.
#[derive(Debug, Clone)]
struct Keys {
    /// Number of fractional bits K.
    k: u32,
    /// Bracket of the initial share.
    share: (u128, u128),
    /// Bracket of each project's cost (candidates only; others (0, 0)).
    cost: Vec<(u128, u128)>,
}

/// `floor(num·2^k / den)` and `ceil(..)`, or `None` if they do not fit in a `u128`.
fn bracket(num: &BigUint, den: &BigUint, k: u32) -> Option<(u128, u128)> {
    let (q, r) = (num << k).div_rem(den);
    let lo = q.to_u128()?;
    let hi = if r.is_zero() { lo } else { lo.checked_add(1)? };
    Some((lo, hi))
}

/// One evaluated candidate in a round: bracket `[xl, xh]` of X·2^K/D (X = cost·D − money
/// of the poor supporters), the number m of supporters not poorer than t, and X itself once
/// it has been computed exactly.
#[derive(Debug, Clone)]
struct Ev {
    p: usize,
    /// Its supporters by budget class ([`State::gather`]).
    cells: Vec<(u32, u64)>,
    xl: u128,
    xh: u128,
    m: u64,
    exact: Option<BigUint>,
}

/// What MES did with one selected project.
#[derive(Debug, Clone)]
pub(crate) struct MesPayment {
    /// The payment cap t: every supporter paid `min(budget, t)`.
    pub max_payment: BigRational,
    /// Number of supporters who had less than t and paid all they had left.
    pub paid_all_they_had: u64,
    /// 0-based round of MES in which the project was selected.
    pub round: usize,
}

/// The result of one MES run.
#[derive(Debug, Clone)]
pub(crate) struct MesRun {
    /// Projects in selection order.
    pub order: Vec<usize>,
    /// For selected projects: the payment data (only with `details`). Index = project.
    pub payments: Vec<Option<MesPayment>>,
    /// For candidates not selected: their supporters' money left at the end (less than the
    /// cost, which is why MES stopped without them). Index = project. Only with `details`.
    pub leftover: Vec<Option<BigRational>>,
}

/// The fixed part of MES for one instance and one rule: profile, costs, candidates, ties.
pub(crate) struct Engine<'a> {
    prof: &'a Profile,
    sat: Sat,
    /// Costs scaled to integers: `cost(p) = cq[p] / q`.
    cq: Vec<BigUint>,
    q: BigUint,
    /// Bits of the largest scaled cost.
    max_cq_bits: u64,
    /// Per group: number of candidates it approves.
    gact0: Vec<u32>,
    /// The state of the previous run, kept to reuse its allocations.
    pool: RefCell<Option<State>>,
    /// Tie-breaking preference (smaller wins).
    pref: Vec<u32>,
    /// Candidates (approved, cost > 0).
    candidates: Vec<usize>,
    /// `Cardinality_Sat` only: approved projects of cost 0, selected before the rounds.
    zero_cost: Vec<usize>,
}

/// Mutable state of one run.
///
/// Budgets are numerators over `D = e·q`. Rescaling (multiplying `e` by the reduced
/// denominator `m₁` of a payment cap) is applied **lazily**: payment j records `m₁` in
/// `mult[j]`, and a class stores how many of those multipliers it has absorbed (`epoch`);
/// [`State::refresh`] brings a class up to date (several multipliers per pass while their
/// product fits in a `u64`) just before its budget is read. Classes that are never read again
/// are never rescaled.
struct State {
    /// D = e·q.
    e: BigUint,
    /// Limbs per class budget (all budgets share one stride, see [`State::ensure_width`]).
    w: usize,
    /// Significant limbs: every up-to-date budget and every scaled cost is below
    /// `2^(64·len)`, and `len < w`.
    len: usize,
    /// Class budgets, class k at `nums[k·w .. (k+1)·w]`. Class 0 is the zero-budget class.
    nums: Vec<u64>,
    /// Multipliers absorbed by each class.
    epoch: Vec<u32>,
    /// The multiplier of each payment so far.
    mult: Vec<u64>,
    /// Consecutive payments grouped into chunks whose product of multipliers fits in a
    /// `u64`: first payment and product of each chunk, and the chunk of each payment.
    chunk_start: Vec<u32>,
    chunk_prod: Vec<u64>,
    chunk_of: Vec<u32>,
    /// Every number handled fits in `e.bits() + extra_bits` bits (budgets never exceed
    /// the initial share, scaled costs are `cq·e`).
    extra_bits: u64,
    /// Voters per class.
    cw: Vec<u64>,
    /// Live non-zero classes in ascending order of budget.
    order: Vec<u32>,
    /// Position of each class: 0 for class 0, `i + 1` for `order[i]`.
    rank: Vec<u32>,
    free: Vec<u32>,
    /// Per group: `class << 32 | weight`.
    gstate: Vec<u64>,
    /// Per group: number of remaining candidates it approves. A group at 0 will never be
    /// read again; a class all of whose groups are at 0 (`cact` = 0) is dropped from `order`
    /// (never compared nor rescaled again).
    gact: Vec<u32>,
    /// Per class: number of its groups with `gact > 0`.
    cact: Vec<u32>,
    acc: Vec<u64>,
    touched: Vec<u32>,
    /// Bitmap over ranks of the classes touched by the current project.
    mark: Vec<u64>,
    map: Vec<u32>,
    changed: Vec<bool>,
    /// Scratch numbers (w + 1 limbs each).
    x: Vec<u64>,
    scratch: Vec<u64>,
    /// Fixed-point brackets of the class budgets (see [`Keys`]), if enabled: K, lows, highs.
    key_bits: Option<u32>,
    klo: Vec<u128>,
    khi: Vec<u128>,
    /// Reused buffers of [`State::pay`].
    buf_new: Vec<u32>,
    buf_free: Vec<u32>,
    buf_order: Vec<u32>,
}

/// Result of a walk on brackets.
enum Walk {
    Unaffordable,
    Affordable {
        xl: u128,
        xh: u128,
        m: u64,
    },
    /// Some comparison was not decided by the brackets: redo it exactly.
    Undecided,
}

impl State {
    fn new(prof: &Profile, share: &BigRational, q: &BigUint, max_cq_bits: u64, gact: &[u32]) -> Self {
        let mut st = Self {
            e: BigUint::zero(),
            w: 0,
            len: 0,
            nums: Vec::new(),
            epoch: Vec::new(),
            mult: Vec::new(),
            chunk_start: Vec::new(),
            chunk_prod: Vec::new(),
            chunk_of: Vec::new(),
            extra_bits: 0,
            cw: Vec::new(),
            order: Vec::new(),
            rank: Vec::new(),
            free: Vec::new(),
            gstate: Vec::new(),
            gact: Vec::new(),
            cact: Vec::new(),
            acc: Vec::new(),
            touched: Vec::new(),
            mark: Vec::new(),
            map: Vec::new(),
            changed: Vec::new(),
            x: Vec::new(),
            scratch: Vec::new(),
            key_bits: None,
            klo: Vec::new(),
            khi: Vec::new(),
            buf_new: Vec::new(),
            buf_free: Vec::new(),
            buf_order: Vec::new(),
        };
        st.reset(prof, share, q, max_cq_bits, gact);
        st
    }

    /// Re-initialises for a new run, keeping the allocations: every voter has `share`.
    fn reset(&mut self, prof: &Profile, share: &BigRational, q: &BigUint, max_cq_bits: u64, gact: &[u32]) {
        // share = s_num / s_den; D0 = s_den·q; class-1 numerator = s_num·q. Budgets only
        // decrease, so every numerator stays below s_num·q·(e / s_den) <= s_num·q·e.
        let s_num = share.numer().to_biguint().unwrap_or_default();
        let s_den = share.denom().to_biguint().unwrap_or_else(|| BigUint::from(1u32));
        let n0 = s_num * q;
        self.extra_bits = n0.bits().max(max_cq_bits) + 1;
        self.len = limbs::limbs_for_bits(s_den.bits() + self.extra_bits);
        self.w = self.len + 3;
        self.e = s_den;
        let w = self.w;
        fn refill<T: Clone>(v: &mut Vec<T>, items: &[T]) {
            v.clear();
            v.extend_from_slice(items);
        }
        self.nums.clear();
        self.nums.resize(2 * w, 0);
        limbs::from_biguint(&n0, &mut self.nums[w..2 * w]);
        refill(&mut self.epoch, &[0, 0]);
        self.mult.clear();
        self.chunk_start.clear();
        self.chunk_prod.clear();
        self.chunk_of.clear();
        refill(&mut self.cw, &[0, prof.n]);
        refill(&mut self.order, &[1]);
        refill(&mut self.rank, &[0, 1]);
        self.free.clear();
        self.gstate.clear();
        self.gstate.extend(prof.weights.iter().map(|&w| (1u64 << 32) | w));
        refill(&mut self.gact, gact);
        let active = u32::try_from(gact.iter().filter(|&&a| a > 0).count()).unwrap_or(u32::MAX);
        refill(&mut self.cact, &[0, active]);
        refill(&mut self.acc, &[0, 0]);
        self.touched.clear();
        refill(&mut self.mark, &[0]);
        refill(&mut self.map, &[0, 1]);
        refill(&mut self.changed, &[false, false]);
        self.x.clear();
        self.x.resize(w + 1, 0);
        self.scratch.clear();
        self.scratch.resize(w + 1, 0);
        self.key_bits = None;
        refill(&mut self.klo, &[0, 0]);
        refill(&mut self.khi, &[0, 0]);
        if n0.is_zero() {
            self.cw[0] = prof.n;
            self.cw[1] = 0;
            self.order.clear();
            self.gstate.iter_mut().for_each(|c| *c &= u64::from(u32::MAX));
            self.cact.swap(0, 1);
        }
    }

    /// The budget numerator of class k (call [`State::refresh`] first).
    #[inline]
    fn num(&self, k: u32) -> &[u64] {
        let k = k as usize;
        &self.nums[k * self.w..k * self.w + self.len]
    }

    /// Applies the pending multipliers to class k.
    #[inline]
    fn refresh(&mut self, k: u32) {
        let ku = k as usize;
        let now = self.mult.len() as u32;
        let epoch: &mut [u32] = &mut self.epoch;
        let i = epoch[ku];
        if i == now {
            return;
        }
        epoch[ku] = now;
        let (w, len) = (self.w, self.len);
        let nums: &mut [u64] = &mut self.nums;
        let v = &mut nums[ku * w..ku * w + len];
        let (chunk_of, chunk_start, chunk_prod, mult): (&[u32], &[u32], &[u64], &[u64]) =
            (&self.chunk_of, &self.chunk_start, &self.chunk_prod, &self.mult);
        // The rest of the chunk containing payment i, then whole chunks.
        let mut c = chunk_of[i as usize] as usize;
        if chunk_start[c] != i {
            let end = chunk_start.get(c + 1).copied().unwrap_or(now);
            let prod = mult[i as usize..end as usize].iter().product::<u64>();
            if prod > 1 {
                limbs::mul_small_in_place(v, prod);
            }
            c += 1;
        }
        for &prod in &chunk_prod[c..] {
            if prod > 1 {
                limbs::mul_small_in_place(v, prod);
            }
        }
    }

    /// Records the multiplier of a new payment.
    fn push_mult(&mut self, m: u64) {
        let j = self.mult.len() as u32;
        self.mult.push(m);
        match self.chunk_prod.last_mut().map(|p| p.checked_mul(m)) {
            Some(Some(p)) => {
                if let Some(last) = self.chunk_prod.last_mut() {
                    *last = p;
                }
            }
            _ => {
                self.chunk_start.push(j);
                self.chunk_prod.push(m);
            }
        }
        self.chunk_of.push((self.chunk_start.len() - 1) as u32);
    }

    /// Makes the stride large enough for numbers of `e.bits() + extra_bits + extra` bits.
    fn ensure_width(&mut self, extra: u64) {
        let need = limbs::limbs_for_bits(self.e.bits() + self.extra_bits + extra) + 1;
        if need <= self.w {
            return;
        }
        let new_w = need + 3;
        let classes = self.nums.len() / self.w;
        let mut nums = vec![0u64; classes * new_w];
        for k in 0..classes {
            nums[k * new_w..k * new_w + self.w].copy_from_slice(&self.nums[k * self.w..(k + 1) * self.w]);
        }
        self.nums = nums;
        self.w = new_w;
        self.x = vec![0; new_w + 1];
        self.scratch = vec![0; new_w + 1];
    }

    /// The supporters of p grouped by budget class, in ascending order of budget:
    /// `(class, number of supporters in it)`, class 0 (no money left) left out.
    ///
    /// Adds the group weights per class (`acc`), marks the ranks of the classes met in the
    /// bitmap `mark`, then reads the bitmap in order (and clears it).
    fn gather(&mut self, prof: &Profile, p: usize) -> Vec<(u32, u64)> {
        // Local slices: built-in slice indexing is inlined even at opt-level "z"
        // (`Vec` indexing goes through a trait call there).
        let mut touched = std::mem::take(&mut self.touched);
        if touched.len() < self.acc.len() {
            touched.resize(self.acc.len(), 0);
        }
        let mut nt = 0usize;
        let Self {
            gstate,
            acc,
            rank,
            mark,
            order,
            ..
        } = self;
        let (gstate, rank, order): (&[u64], &[u32], &[u32]) = (gstate, rank, order);
        let (acc, mark, tslice): (&mut [u64], &mut [u64], &mut [u32]) = (acc, mark, &mut touched);
        for &g in prof.supporters[p].iter() {
            let gs = gstate[g as usize];
            let k = (gs >> 32) as u32;
            let a = &mut acc[k as usize];
            if *a == 0 && k != 0 {
                // Each class enters at most once, so nt < number of classes.
                tslice[nt] = k;
                nt += 1;
                let r = rank[k as usize] as usize;
                mark[r >> 6] |= 1u64 << (r & 63);
            }
            *a += gs & u64::from(u32::MAX);
        }
        acc[0] = 0;
        let touched_all = touched;
        let touched_slice = &touched_all[..nt];
        let mut cells = vec![(0u32, 0u64); nt];
        let out: &mut [(u32, u64)] = &mut cells;
        let mut n = 0usize;
        if nt * 8 < mark.len() {
            // Few classes: sort them by rank instead of scanning the whole bitmap.
            let mut few = touched_slice.to_vec();
            few.sort_unstable_by_key(|&k| rank[k as usize]);
            for &k in &few {
                mark[rank[k as usize] as usize >> 6] = 0;
                out[n] = (k, std::mem::take(&mut acc[k as usize]));
                n += 1;
            }
        } else {
            for (wi, slot) in mark.iter_mut().enumerate() {
                let mut word = std::mem::take(slot);
                while word != 0 {
                    let r = wi * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    let k = order[r - 1];
                    out[n] = (k, std::mem::take(&mut acc[k as usize]));
                    n += 1;
                }
            }
        }
        self.touched = touched_all;
        cells
    }

    /// Turns the brackets on, with the bracket of the initial share.
    fn enable_keys(&mut self, share: (u128, u128), k: u32) {
        self.key_bits = Some(k);
        if self.cw[1] > 0 {
            self.klo[1] = share.0;
            self.khi[1] = share.1;
        }
    }

    /// The walk of [`State::affordability`] on brackets: `[cl, ch]` brackets cost·2^K.
    fn affordability_keys(&self, cells: &[(u32, u64)], cl: u128, ch: u128) -> Walk {
        let (klo, khi): (&[u128], &[u128]) = (&self.klo, &self.khi);
        let mut m: u64 = cells.iter().map(|c| c.1).sum();
        let (mut xl, mut xh) = (cl, ch);
        for &(k, a) in cells {
            let (vl, vh) = (klo[k as usize], khi[k as usize]);
            // x <= v·m ? (all products stay below 2^126, see Engine::keys)
            if xh <= u128::from(m) * vl {
                return Walk::Affordable { xl, xh, m };
            }
            if xl > u128::from(m) * vh {
                // Poorer than t: pays all it has.
                xl = xl.saturating_sub(u128::from(a) * vh);
                xh = xh.saturating_sub(u128::from(a) * vl);
                m -= a;
                continue;
            }
            return Walk::Undecided;
        }
        Walk::Unaffordable
    }

    /// The payment cap of a project with supporters `cells` (from [`State::gather`]) as
    /// `(X, m)`, meaning `t = X / (m·D)`, or `None` if its supporters cannot afford it.
    /// `cn` = cost·D.
    fn affordability(&mut self, cells: &[(u32, u64)], cn: &BigUint) -> Option<(BigUint, u64)> {
        let mut m: u64 = cells.iter().map(|c| c.1).sum();
        let len = self.len;
        if !limbs::from_biguint(cn, &mut self.x[..=len]) {
            return None;
        }
        for &(k, a) in cells {
            self.refresh(k);
            let (w, ku) = (self.w, k as usize);
            let v = &self.nums[ku * w..ku * w + len];
            let x = &mut self.x[..=len];
            if limbs::cmp_with_mul_small(x, v, m, &mut self.scratch) != Ordering::Greater {
                return Some((limbs::to_biguint(x), m));
            }
            // x > v·m >= v·a, so this cannot underflow (see the module docs).
            if limbs::sub_mul_small_in_place(x, v, a) {
                return None;
            }
            m -= a;
        }
        None
    }

    fn alloc_class(&mut self, w: u64) -> u32 {
        let now = self.mult.len() as u32;
        if let Some(k) = self.free.pop() {
            self.cw[k as usize] = w;
            self.cact[k as usize] = 0;
            self.epoch[k as usize] = now;
            return k;
        }
        let k = u32::try_from(self.cw.len()).unwrap_or(u32::MAX);
        self.nums.resize(self.nums.len() + self.w, 0);
        self.cw.push(w);
        self.cact.push(0);
        self.epoch.push(now);
        self.rank.push(0);
        self.acc.push(0);
        self.map.push(0);
        self.changed.push(false);
        self.klo.push(0);
        self.khi.push(0);
        k
    }

    /// `num(a) < num(b)`, refreshing both.
    #[inline]
    fn less(&mut self, a: u32, b: u32) -> bool {
        if self.key_bits.is_some() {
            let (klo, khi): (&[u128], &[u128]) = (&self.klo, &self.khi);
            let (a_, b_) = (a as usize, b as usize);
            if khi[a_] < klo[b_] {
                return true;
            }
            if klo[a_] >= khi[b_] {
                return false;
            }
        }
        self.refresh(a);
        self.refresh(b);
        limbs::cmp(self.num(a), self.num(b)) == Ordering::Less
    }

    /// Every supporter of p (grouped as `cells`, from [`State::gather`]) pays
    /// `min(budget, t)` with `t = x / (m·D)`. Returns (t as a rational if `details`, number
    /// of supporters who paid all they had).
    #[allow(clippy::too_many_arguments)]
    fn pay(
        &mut self,
        prof: &Profile,
        p: usize,
        cells: &[(u32, u64)],
        x: BigUint,
        m: u64,
        q: &BigUint,
        details: bool,
    ) -> (Option<BigRational>, u64) {
        let g = x.mod_floor(&BigUint::from(m)).to_u64().unwrap_or(0).gcd(&m);
        let g = if g == 0 { m } else { g };
        let m1 = m / g;
        let x1 = x / g;
        if m1 > 1 {
            self.ensure_width(u64::from(64 - m1.leading_zeros()));
            self.e *= m1;
            self.len = limbs::limbs_for_bits(self.e.bits() + self.extra_bits);
        }
        self.push_mult(m1);
        let t = details.then(|| BigRational::new(x1.clone().into(), (&self.e * q).into()));
        // Bracket of t·2^K (t = x1 / D after the rescale).
        let tk = self
            .key_bits
            .map(|k| bracket(&x1, &(&self.e * q), k).unwrap_or((0, u128::MAX)));
        let (w, len) = (self.w, self.len);
        let mut x1l = vec![0u64; len];
        limbs::from_biguint(&x1, &mut x1l);
        let mut new_b = std::mem::take(&mut self.buf_new);
        new_b.clear();
        let mut pending_free = std::mem::take(&mut self.buf_free);
        pending_free.clear();
        let mut paid_all = 0u64;
        for &(k, a) in cells {
            let ku = k as usize;
            let emptied = match tk {
                Some((tl, _)) if self.khi[ku] <= tl => true,
                _ => {
                    self.refresh(k);
                    limbs::cmp(self.num(k), &x1l) != Ordering::Greater
                }
            };
            let new_keys =
                tk.map(|(tl, th)| (self.klo[ku].saturating_sub(th), self.khi[ku].saturating_sub(tl)));
            if emptied {
                paid_all += a;
            }
            if a == self.cw[ku] {
                if emptied {
                    self.cw[0] += a;
                    self.cw[ku] = 0;
                    self.map[ku] = 0;
                    pending_free.push(k);
                } else {
                    limbs::sub_in_place(&mut self.nums[ku * w..ku * w + len], &x1l);
                    if let Some((lo, hi)) = new_keys {
                        self.klo[ku] = lo;
                        self.khi[ku] = hi;
                    }
                    self.map[ku] = k;
                    self.changed[ku] = true;
                    new_b.push(k);
                }
            } else {
                self.cw[ku] -= a;
                if emptied {
                    self.cw[0] += a;
                    self.map[ku] = 0;
                } else {
                    let k2 = self.alloc_class(a) as usize;
                    self.nums.copy_within(ku * w..(ku + 1) * w, k2 * w);
                    limbs::sub_in_place(&mut self.nums[k2 * w..k2 * w + len], &x1l);
                    if let Some((lo, hi)) = new_keys {
                        self.klo[k2] = lo;
                        self.khi[k2] = hi;
                    }
                    self.map[ku] = k2 as u32;
                    new_b.push(k2 as u32);
                }
            }
        }
        // Move the supporters' groups to their new classes; p leaves the candidates.
        {
            let Self {
                gstate,
                map,
                gact,
                cact,
                ..
            } = self;
            let (gstate, map, gact, cact): (&mut [u64], &[u32], &mut [u32], &mut [u32]) =
                (gstate, map, gact, cact);
            for &g in prof.supporters[p].iter() {
                let gu = g as usize;
                let gs = &mut gstate[gu];
                let k = (*gs >> 32) as usize;
                let nk = if k == 0 { 0 } else { map[k] as usize };
                if k != 0 {
                    *gs = ((nk as u64) << 32) | (*gs & u64::from(u32::MAX));
                }
                let act = &mut gact[gu];
                if *act > 0 {
                    cact[k] -= 1;
                    *act -= 1;
                    if *act > 0 {
                        cact[nk] += 1;
                    }
                }
            }
        }
        // Rebuild the order: the unchanged live classes (still sorted) merged with the new
        // budgets (sorted too: the same t was subtracted from increasing budgets). Galloping
        // search, so that few unchanged classes are compared (and refreshed).
        let mut old = std::mem::take(&mut self.order);
        {
            let (cw, changed, cact): (&[u64], &[bool], &[u32]) = (&self.cw, &self.changed, &self.cact);
            old.retain(|&k| cw[k as usize] != 0 && !changed[k as usize] && cact[k as usize] > 0);
        }
        for &k in &new_b {
            self.changed[k as usize] = false;
        }
        new_b.retain(|&k| self.cact[k as usize] > 0);
        let mut merged = std::mem::take(&mut self.buf_order);
        merged.clear();
        let mut i = 0usize;
        let n = old.len();
        for &b in &new_b {
            // Smallest j >= i with !(old[j] < b).
            let mut lo = i;
            let mut step = 1usize;
            let mut hi = n;
            loop {
                let probe = lo + step - 1;
                if probe >= n {
                    break;
                }
                if self.less(old[probe], b) {
                    lo = probe + 1;
                    step *= 2;
                } else {
                    hi = probe;
                    break;
                }
            }
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.less(old[mid], b) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            merged.extend_from_slice(&old[i..lo]);
            merged.push(b);
            i = lo;
        }
        merged.extend_from_slice(&old[i..]);
        {
            let rank: &mut [u32] = &mut self.rank;
            for (i, &k) in merged.iter().enumerate() {
                rank[k as usize] = u32::try_from(i + 1).unwrap_or(u32::MAX);
            }
        }
        self.order = merged;
        self.buf_order = old;
        self.free.extend_from_slice(&pending_free);
        self.buf_free = pending_free;
        self.buf_new = new_b;
        let words = (self.order.len() + 1).div_ceil(64);
        if self.mark.len() < words {
            self.mark.resize(words, 0);
        }
        (t, paid_all)
    }

    /// Candidate p leaves without being funded (unaffordable): its supporters' groups
    /// approve one remaining candidate less.
    fn retire(&mut self, prof: &Profile, p: usize) {
        let Self {
            gact, gstate, cact, ..
        } = self;
        let (gact, gstate, cact): (&mut [u32], &[u64], &mut [u32]) = (gact, gstate, cact);
        for &g in prof.supporters[p].iter() {
            let gu = g as usize;
            let act = &mut gact[gu];
            if *act > 0 {
                *act -= 1;
                if *act == 0 {
                    let k = (gstate[gu] >> 32) as usize;
                    cact[k] -= 1;
                }
            }
        }
    }

    /// Money left with the supporters of p, exactly. (Reads the groups directly: their
    /// classes may have left `order`.)
    fn supporters_money(&mut self, prof: &Profile, p: usize, q: &BigUint) -> BigRational {
        let mut per_class: Vec<(u32, u64)> = prof.supporters[p]
            .iter()
            .map(|&g| {
                let gs = self.gstate[g as usize];
                ((gs >> 32) as u32, gs & u64::from(u32::MAX))
            })
            .filter(|&(k, _)| k != 0)
            .collect();
        per_class.sort_unstable();
        let mut sum = BigUint::zero();
        let mut i = 0;
        while i < per_class.len() {
            let k = per_class[i].0;
            let mut a = 0u64;
            while i < per_class.len() && per_class[i].0 == k {
                a += per_class[i].1;
                i += 1;
            }
            self.refresh(k);
            sum += limbs::to_biguint(self.num(k)) * a;
        }
        BigRational::new(sum.into(), (&self.e * q).into())
    }
}

struct Cand {
    p: usize,
    /// Lower bound on its ρ (its ρ of an earlier round, or the initial cost/total_sat).
    bound: Bound,
}

impl<'a> Engine<'a> {
    /// Prepares MES. `costs` are the costs the rule uses (exact, non-negative); `pref[p]` is
    /// the tie-breaking preference of p (smaller wins exact ties).
    pub fn new(prof: &'a Profile, sat: Sat, costs: &[BigRational], pref: Vec<u32>) -> Self {
        let mut q = BigUint::from(1u32);
        for c in costs {
            let d = c.denom().to_biguint().unwrap_or_else(|| BigUint::from(1u32));
            q = q.lcm(&d);
        }
        let cq: Vec<BigUint> = costs
            .iter()
            .map(|c| {
                let d = c.denom().to_biguint().unwrap_or_else(|| BigUint::from(1u32));
                c.numer().to_biguint().unwrap_or_default() * (&q / d)
            })
            .collect();
        let mut candidates = Vec::new();
        let mut zero_cost = Vec::new();
        for (p, c) in cq.iter().enumerate() {
            if prof.approvals[p] == 0 {
                continue;
            }
            if c.is_zero() {
                // total_sat = approvals·cost = 0 under Cost_Sat: never a candidate.
                if sat == Sat::Card {
                    zero_cost.push(p);
                }
            } else {
                candidates.push(p);
            }
        }
        zero_cost.sort_by_key_dyn(|&p| pref[p]);
        let max_cq_bits = cq.iter().map(BigUint::bits).max().unwrap_or(0);
        let mut gact0 = vec![0u32; prof.num_groups()];
        for &p in &candidates {
            for &g in &prof.supporters[p] {
                gact0[g as usize] += 1;
            }
        }
        Self {
            prof,
            sat,
            cq,
            q,
            max_cq_bits,
            gact0,
            pool: RefCell::new(None),
            pref,
            candidates,
            zero_cost,
        }
    }

    /// The engine's data, for the Add1 jump analysis (`jump`): profile, satisfaction,
    /// scaled costs and their denominator, tie-breaking preference, candidates.
    pub(crate) fn parts(&self) -> (&Profile, Sat, &[BigUint], &BigUint, &[u32], &[usize]) {
        (
            self.prof,
            self.sat,
            &self.cq,
            &self.q,
            &self.pref,
            &self.candidates,
        )
    }

    /// The MES candidates (approved by someone, cost > 0).
    pub fn candidates(&self) -> &[usize] {
        &self.candidates
    }

    /// Projects selected before the rounds (approved, cost 0, `Cardinality_Sat` only).
    pub fn zero_cost(&self) -> &[usize] {
        &self.zero_cost
    }

    /// Chooses K and brackets the share and the costs, or `None` if the magnitudes do not
    /// leave at least 32 fractional bits (then every comparison is made exactly).
    fn keys(&self, share: &BigRational) -> Option<Keys> {
        let s_num = share.numer().to_biguint()?;
        let s_den = share.denom().to_biguint()?;
        let s_bits = (&s_num / &s_den + 1u32).bits();
        let n_bits = u64::from(64 - self.prof.n.leading_zeros());
        // Every weighted sum of budgets is at most n·share·2^K < 2^126.
        let k = 126u64.checked_sub(n_bits + s_bits)?;
        if k < 32 {
            return None;
        }
        let k = u32::try_from(k).ok()?;
        let share_b = bracket(&s_num, &s_den, k)?;
        let mut cost = vec![(0u128, 0u128); self.cq.len()];
        for &p in &self.candidates {
            // ρ denominators m·cq must fit in a u128.
            let a_bits = u64::from(64 - self.prof.approvals[p].leading_zeros());
            if self.sat == Sat::Cost && a_bits + self.cq[p].bits() > 127 {
                return None;
            }
            // Candidates costing more than n·share are dropped before the rounds.
            if &self.cq[p] * &s_den <= &s_num * &self.q * self.prof.n {
                cost[p] = bracket(&self.cq[p], &self.q, k)?;
            }
        }
        Some(Keys {
            k,
            share: share_b,
            cost,
        })
    }

    /// The ρ denominator of p with m supporters not poorer than t, as a `u128`
    /// (checked to fit by [`Engine::keys`]).
    #[inline]
    fn den_small(&self, p: usize, m: u64) -> u128 {
        match self.sat {
            Sat::Cost => u128::from(m).saturating_mul(self.cq[p].to_u128().unwrap_or(u128::MAX)),
            Sat::Card => u128::from(m),
        }
    }

    /// The exact ρ denominator (ρ = X / (den·D) up to a common constant).
    fn den_big(&self, p: usize, m: u64) -> BigUint {
        match self.sat {
            Sat::Cost => &self.cq[p] * m,
            Sat::Card => BigUint::from(m),
        }
    }

    /// Evaluates p: `None` if its supporters cannot afford it.
    fn evaluate(&self, st: &mut State, keys: Option<&Keys>, p: usize) -> Option<Ev> {
        let cells = st.gather(self.prof, p);
        if let Some(keys) = keys {
            let (cl, ch) = keys.cost[p];
            match st.affordability_keys(&cells, cl, ch) {
                Walk::Unaffordable => return None,
                Walk::Affordable { xl, xh, m } => {
                    return Some(Ev {
                        p,
                        cells,
                        xl,
                        xh,
                        m,
                        exact: None,
                    })
                }
                Walk::Undecided => {}
            }
        }
        let cn = &self.cq[p] * &st.e;
        let (x, m) = st.affordability(&cells, &cn)?;
        let (xl, xh) = match keys {
            Some(keys) => bracket(&x, &(&st.e * &self.q), keys.k).unwrap_or((0, u128::MAX)),
            None => (0, u128::MAX),
        };
        Some(Ev {
            p,
            cells,
            xl,
            xh,
            m,
            exact: Some(x),
        })
    }

    /// Makes sure `ev.exact` is known.
    fn ensure_exact(&self, st: &mut State, ev: &mut Ev) {
        if ev.exact.is_none() {
            let cn = &self.cq[ev.p] * &st.e;
            let r = st.affordability(&ev.cells, &cn);
            debug_assert!(
                r.as_ref().is_some_and(|(_, m)| *m == ev.m),
                "brackets and exact walk disagree"
            );
            ev.exact = Some(r.map(|(x, _)| x).unwrap_or_default());
        }
    }

    /// Compares the ρ of two candidates evaluated in the same round (exactly).
    fn cmp_ev(&self, st: &mut State, a: &mut Ev, b: &mut Ev) -> Ordering {
        let (da, db) = (self.den_small(a.p, a.m), self.den_small(b.p, b.m));
        if a.xh != u128::MAX && b.xh != u128::MAX {
            if cmp_frac(a.xh, da, b.xl, db) == Ordering::Less {
                return Ordering::Less;
            }
            if cmp_frac(a.xl, da, b.xh, db) == Ordering::Greater {
                return Ordering::Greater;
            }
        }
        self.ensure_exact(st, a);
        self.ensure_exact(st, b);
        let (xa, xb) = (
            a.exact.as_ref().cloned().unwrap_or_default(),
            b.exact.as_ref().cloned().unwrap_or_default(),
        );
        (xa * self.den_big(b.p, b.m)).cmp(&(xb * self.den_big(a.p, a.m)))
    }

    /// Runs MES with every voter starting with `share` (SEMANTICS.md §6). With `details`, the
    /// payment caps and the money left to the supporters of every unselected candidate are
    /// computed too.
    pub fn run(&self, share: &BigRational, details: bool) -> MesRun {
        self.run_mode(share, details, true)
    }

    /// [`Engine::run`]; with `use_keys == false`, every comparison is made exactly and every
    /// candidate is re-evaluated in every round (slow; for tests).
    pub fn run_mode(&self, share: &BigRational, details: bool, use_keys: bool) -> MesRun {
        let np = self.cq.len();
        let mut out = MesRun {
            order: self.zero_cost.clone(),
            payments: vec![None; np],
            leftover: vec![None; np],
        };
        if self.prof.n == 0 {
            return out;
        }
        let keys = if use_keys { self.keys(share) } else { None };
        let mut st = match self.pool.borrow_mut().take() {
            Some(mut st) => {
                st.reset(self.prof, share, &self.q, self.max_cq_bits, &self.gact0);
                st
            }
            None => State::new(self.prof, share, &self.q, self.max_cq_bits, &self.gact0),
        };
        if let Some(keys) = &keys {
            st.enable_keys(keys.share, keys.k);
        }
        let mut dropped: Vec<usize> = Vec::new();
        let mut queue: Vec<Cand> = Vec::with_capacity(self.candidates.len());
        for &p in &self.candidates {
            let bound = match &keys {
                // pabutools' initial affordability cost/total_sat: everyone pays cost/approvals.
                Some(keys) if keys.cost[p].1 == 0 => {
                    dropped.push(p); // costs more than all the voters' money together
                    st.retire(self.prof, p);
                    continue;
                }
                Some(keys) => Bound {
                    x: keys.cost[p].0,
                    den: self.den_small(p, self.prof.approvals[p]),
                },
                None => Bound { x: 0, den: 1 },
            };
            queue.push(Cand { p, bound });
        }
        queue.sort_by_dyn(|a, b| cmp_frac(a.bound.x, a.bound.den, b.bound.x, b.bound.den));
        let mut round = 0usize;
        while !queue.is_empty() {
            let mut evs: Vec<(usize, Ev)> = Vec::new();
            let mut best: Option<usize> = None;
            let mut visited = 0usize;
            let mut unaffordable: Vec<usize> = Vec::new();
            while visited < queue.len() {
                if let Some(b) = best {
                    let be = &evs[b].1;
                    let c = &queue[visited].bound;
                    // Stop once the lower bound exceeds the best ρ: ρ only grows, and the
                    // queue is sorted by lower bound.
                    if be.xh != u128::MAX
                        && cmp_frac(c.x, c.den, be.xh, self.den_small(be.p, be.m)) == Ordering::Greater
                    {
                        break;
                    }
                }
                let p = queue[visited].p;
                match self.evaluate(&mut st, keys.as_ref(), p) {
                    None => unaffordable.push(visited),
                    Some(mut ev) => {
                        if keys.is_some() {
                            queue[visited].bound = Bound {
                                x: ev.xl,
                                den: self.den_small(p, ev.m),
                            };
                        }
                        best = match best {
                            None => Some(evs.len()),
                            Some(b) => {
                                let mut bev = std::mem::replace(
                                    &mut evs[b].1,
                                    Ev {
                                        p: 0,
                                        cells: Vec::new(),
                                        xl: 0,
                                        xh: 0,
                                        m: 0,
                                        exact: None,
                                    },
                                );
                                let ord = self.cmp_ev(&mut st, &mut ev, &mut bev);
                                evs[b].1 = bev;
                                match ord {
                                    Ordering::Less => Some(evs.len()),
                                    Ordering::Equal if self.pref[p] < self.pref[evs[b].1.p] => {
                                        Some(evs.len())
                                    }
                                    _ => Some(b),
                                }
                            }
                        };
                        evs.push((visited, ev));
                    }
                }
                visited += 1;
            }
            let Some(b) = best else {
                dropped.extend(queue.iter().map(|c| c.p));
                break;
            };
            let (wpos, mut wev) = evs.swap_remove(b);
            self.ensure_exact(&mut st, &mut wev);
            let winner = wev.p;
            let x = wev.exact.take().unwrap_or_default();
            let (t, paid_all) = st.pay(self.prof, winner, &wev.cells, x, wev.m, &self.q, details);
            out.order.push(winner);
            if let Some(max_payment) = t {
                out.payments[winner] = Some(MesPayment {
                    max_payment,
                    paid_all_they_had: paid_all,
                    round,
                });
            }
            round += 1;
            // Re-sort the visited prefix (new bounds), drop the winner and the unaffordable
            // ones, and merge it back into the untouched, still sorted suffix.
            let suffix = queue.split_off(visited);
            let mut prefix: Vec<Cand> = Vec::with_capacity(queue.len());
            for (i, c) in queue.into_iter().enumerate() {
                if i == wpos {
                    continue;
                }
                if unaffordable.contains(&i) {
                    st.retire(self.prof, c.p);
                    dropped.push(c.p);
                    continue;
                }
                prefix.push(c);
            }
            prefix.sort_by_dyn(|a, b| cmp_frac(a.bound.x, a.bound.den, b.bound.x, b.bound.den));
            queue = merge_sorted(prefix, suffix);
        }
        if details {
            for p in dropped {
                out.leftover[p] = Some(st.supporters_money(self.prof, p, &self.q));
            }
        }
        *self.pool.borrow_mut() = Some(st);
        out
    }
}

fn merge_sorted(a: Vec<Cand>, b: Vec<Cand>) -> Vec<Cand> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut bi = b.into_iter().peekable();
    for x in a {
        while let Some(y) = bi.peek() {
            if cmp_frac(y.bound.x, y.bound.den, x.bound.x, x.bound.den) == Ordering::Less {
                out.extend(bi.next());
            } else {
                break;
            }
        }
        out.push(x);
    }
    out.extend(bi);
    out
}
