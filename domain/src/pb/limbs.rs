//! Minimal fixed-width unsigned big-integer arithmetic on little-endian `u64` limb slices,
//! without allocation, for the hot loops of MES (see the `mes` module). Every function is
//! exact; callers size the slices so that results fit (checked by `debug_assert`s and by
//! the returned carries/borrows).

use std::cmp::Ordering;

use num_bigint::BigUint;

/// `a *= m`; returns the carry out of the top limb.
#[inline(always)]
pub(crate) fn mul_small_in_place(a: &mut [u64], m: u64) -> u64 {
    let mut carry: u128 = 0;
    for x in a.iter_mut() {
        let t = u128::from(*x) * u128::from(m) + carry;
        *x = t as u64;
        carry = t >> 64;
    }
    carry as u64
}

/// Compares two numbers of possibly different lengths.
#[inline(always)]
pub(crate) fn cmp(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    for i in (0..n).rev() {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        if x != y {
            return x.cmp(&y);
        }
    }
    Ordering::Equal
}

/// Compares `x` with `v·m` without materialising the product in memory beyond one pass.
/// `x.len()` must be at least `v.len() + 1`.
#[inline(always)]
pub(crate) fn cmp_with_mul_small(x: &[u64], v: &[u64], m: u64, scratch: &mut [u64]) -> Ordering {
    let n = v.len();
    let mut carry: u128 = 0;
    for i in 0..n {
        let t = u128::from(v[i]) * u128::from(m) + carry;
        scratch[i] = t as u64;
        carry = t >> 64;
    }
    scratch[n] = carry as u64;
    for s in scratch.iter_mut().take(x.len()).skip(n + 1) {
        *s = 0;
    }
    cmp(x, &scratch[..x.len().max(n + 1)])
}

/// `x -= v·a`; returns `true` on underflow (then `x` is garbage). `x.len() >= v.len()`.
#[inline(always)]
pub(crate) fn sub_mul_small_in_place(x: &mut [u64], v: &[u64], a: u64) -> bool {
    let mut carry: u128 = 0;
    let mut borrow = false;
    for (i, xi) in x.iter_mut().enumerate() {
        let prod = u128::from(v.get(i).copied().unwrap_or(0)) * u128::from(a) + carry;
        carry = prod >> 64;
        let p = prod as u64;
        let (d1, b1) = xi.overflowing_sub(p);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *xi = d2;
        borrow = b1 || b2;
    }
    borrow || carry != 0
}

/// `a -= b`; returns `true` on underflow. `a.len() >= b.len()`.
#[inline(always)]
pub(crate) fn sub_in_place(a: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (i, ai) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (d1, b1) = ai.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *ai = d2;
        borrow = b1 || b2;
    }
    borrow || b.iter().skip(a.len()).any(|&l| l != 0)
}

/// Writes `v` into `out` (zero-padded); returns `false` if it does not fit.
pub(crate) fn from_biguint(v: &BigUint, out: &mut [u64]) -> bool {
    out.iter_mut().for_each(|l| *l = 0);
    for (i, d) in v.iter_u64_digits().enumerate() {
        match out.get_mut(i) {
            Some(l) => *l = d,
            None => return false,
        }
    }
    true
}

/// The number as a `BigUint`.
pub(crate) fn to_biguint(a: &[u64]) -> BigUint {
    let mut digits: Vec<u32> = Vec::with_capacity(a.len() * 2);
    for &l in a {
        digits.push(l as u32);
        digits.push((l >> 32) as u32);
    }
    BigUint::new(digits)
}

/// Number of limbs needed for `bits` bits.
pub(crate) fn limbs_for_bits(bits: u64) -> usize {
    usize::try_from(bits.div_ceil(64)).unwrap_or(usize::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn big(v: &[u64]) -> BigUint {
        to_biguint(v)
    }

    proptest! {
        #[test]
        fn limb_ops_match_biguint(a in proptest::collection::vec(any::<u64>(), 1..5),
                                  b in proptest::collection::vec(any::<u64>(), 1..5),
                                  m in any::<u64>()) {
            let n = a.len().max(b.len()) + 2;
            let mut x = a.clone(); x.resize(n, 0);
            let mut y = b.clone(); y.resize(n - 1, 0);
            prop_assert_eq!(cmp(&x, &y), big(&a).cmp(&big(&b)));
            let mut scratch = vec![0u64; n + 1];
            prop_assert_eq!(cmp_with_mul_small(&x, &y, m, &mut scratch), big(&a).cmp(&(big(&b) * m)));
            let mut z = x.clone(); z.push(0);
            let under = sub_mul_small_in_place(&mut z, &y, m);
            let want = big(&b) * m;
            prop_assert_eq!(under, big(&a) < want);
            if !under { prop_assert_eq!(big(&z), big(&a) - want); }
            let mut w = x.clone(); w.push(0); w.push(0);
            let c = mul_small_in_place(&mut w, m);
            prop_assert_eq!(c, 0);
            prop_assert_eq!(big(&w), big(&a) * m);
            let mut s = x.clone();
            let under = sub_in_place(&mut s, &y);
            prop_assert_eq!(under, big(&a) < big(&b));
            if !under { prop_assert_eq!(big(&s), big(&a) - big(&b)); }
            let mut r = vec![0u64; n];
            prop_assert!(from_biguint(&big(&a), &mut r));
            prop_assert_eq!(big(&r), big(&a));
        }
    }
}
