//! Exact numbers of the pabulib format: parsing and canonical formatting of rationals.
//!
//! pabutools reads every cost and the budget with `gmpy2.mpq(cell.replace(",", "."))`
//! (SEMANTICS.md §1), so `75000.0` is the integer 75000 and `757327.73` is 75732773/100.
//! [`parse_rational`] accepts the same notations (integer, decimal, decimal with exponent,
//! and `p/q`), and [`format_rational`] writes the shortest exact notation back.

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Largest absolute decimal exponent accepted by [`parse_rational`] (`1e64`).
///
/// Bounding it keeps a hostile file such as `cost;1e999999999` from allocating gigabytes.
pub const MAX_EXPONENT: i64 = 64;

/// Largest number of digits accepted in one number (keeps parsing linear and bounded).
pub const MAX_DIGITS: usize = 200;

/// Parses an exact rational the way pabutools does (`mpq(s.replace(",", "."))`, SEMANTICS.md §1).
///
/// Accepted: optional sign, then either `digits[.digits][e[+-]digits]` (at least one digit,
/// `,` accepted as the decimal mark) or `integer/integer` with a non-zero denominator.
/// Surrounding whitespace is ignored. Returns `None` for anything else, for more than
/// [`MAX_DIGITS`] digits, or for an exponent beyond ±[`MAX_EXPONENT`].
#[must_use]
pub fn parse_rational(s: &str) -> Option<BigRational> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some((num, den)) = s.split_once('/') {
        let n = parse_integer(num.trim())?;
        let d = parse_integer(den.trim())?;
        if d.is_zero() {
            return None;
        }
        return Some(BigRational::new(n, d));
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => {
            let e = &body[i + 1..];
            let e_digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if e_digits.is_empty() || e_digits.len() > 6 || !e_digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let v: i64 = e.parse().ok()?;
            if v.abs() > MAX_EXPONENT {
                return None;
            }
            (&body[..i], v)
        }
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.find(['.', ',']) {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if int_part.len() + frac_part.len() > MAX_DIGITS
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut digits = String::with_capacity(int_part.len() + frac_part.len());
    digits.push_str(int_part);
    digits.push_str(frac_part);
    let mut numer: BigInt = digits.parse().ok()?;
    if negative {
        numer = -numer;
    }
    let scale = exponent - i64::try_from(frac_part.len()).ok()?;
    let ten = BigInt::from(10u32);
    let p = u32::try_from(scale.unsigned_abs()).ok()?;
    let value = if scale >= 0 {
        BigRational::from_integer(numer * num_traits::pow(ten, p as usize))
    } else {
        BigRational::new(numer, num_traits::pow(ten, p as usize))
    };
    Some(value)
}

fn parse_integer(s: &str) -> Option<BigInt> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || digits.len() > MAX_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: BigInt = digits.parse().ok()?;
    Some(if s.starts_with('-') { -v } else { v })
}

/// Formats a rational exactly and as shortly as the pabulib format allows.
///
/// Integers are written plainly (`75000`); a value with a terminating decimal expansion is
/// written as a decimal (`757327.73`); any other value as `p/q` (`1/3`), which
/// [`parse_rational`] and pabutools' `mpq` both read back exactly.
#[must_use]
pub fn format_rational(v: &BigRational) -> String {
    if v.is_integer() {
        return v.numer().to_string();
    }
    let den = v.denom().magnitude().clone();
    let two = BigUint::from(2u32);
    let five = BigUint::from(5u32);
    let (mut rest, mut twos, mut fives) = (den.clone(), 0u32, 0u32);
    while rest.is_even() {
        rest /= &two;
        twos += 1;
    }
    while (&rest % &five).is_zero() {
        rest /= &five;
        fives += 1;
    }
    if !rest.is_one() {
        return format!("{}/{}", v.numer(), v.denom());
    }
    let k = twos.max(fives) as usize;
    let scaled = v.numer().magnitude() * (num_traits::pow(BigUint::from(10u32), k) / &den);
    let mut digits = scaled.to_string();
    if digits.len() <= k {
        digits = format!("{}{}", "0".repeat(k + 1 - digits.len()), digits);
    }
    let split = digits.len() - k;
    let sign = if v.numer().sign() == Sign::Minus { "-" } else { "" };
    format!("{sign}{}.{}", &digits[..split], &digits[split..])
}

/// An approximate `f64` of an exact rational, for display only (never used in a decision).
#[must_use]
pub fn to_f64_lossy(v: &BigRational) -> f64 {
    // Scale to keep precision for huge numerators and denominators.
    let n = v.numer();
    let d = v.denom();
    let nb = n.bits();
    let db = d.bits();
    let shift = nb.max(db).saturating_sub(60);
    let n2 = (n.abs() >> shift).to_f64().unwrap_or(f64::NAN);
    let d2 = (d >> shift).to_f64().unwrap_or(f64::NAN);
    let r = if d2 == 0.0 { f64::INFINITY } else { n2 / d2 };
    if n.is_negative() {
        -r
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn parses_pabulib_numbers() {
        assert_eq!(parse_rational("75000.0"), Some(q(75000, 1)));
        assert_eq!(parse_rational("757327.73"), Some(q(75_732_773, 100)));
        assert_eq!(parse_rational("757327,73"), Some(q(75_732_773, 100)));
        assert_eq!(parse_rational(" 12 "), Some(q(12, 1)));
        assert_eq!(parse_rational("1/3"), Some(q(1, 3)));
        assert_eq!(parse_rational("-2.5"), Some(q(-5, 2)));
        assert_eq!(parse_rational("1e3"), Some(q(1000, 1)));
        assert_eq!(parse_rational("1.5E-1"), Some(q(3, 20)));
        assert_eq!(parse_rational(".5"), Some(q(1, 2)));
        assert_eq!(parse_rational("5."), Some(q(5, 1)));
        for bad in [
            "",
            "abc",
            "1.2.3",
            "1/0",
            "1e",
            "1e99999",
            "--1",
            ".",
            "1 000",
            "1,000,000",
            "NaN",
            "inf",
        ] {
            assert_eq!(parse_rational(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_exactly() {
        assert_eq!(format_rational(&q(75000, 1)), "75000");
        assert_eq!(format_rational(&q(75_732_773, 100)), "757327.73");
        assert_eq!(format_rational(&q(1, 3)), "1/3");
        assert_eq!(format_rational(&q(1, 40)), "0.025");
        assert_eq!(format_rational(&q(-5, 2)), "-2.5");
        for v in [q(1, 3), q(7, 8), q(123_456, 1000), q(-1, 20)] {
            assert_eq!(parse_rational(&format_rational(&v)), Some(v));
        }
    }
}
