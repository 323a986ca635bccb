//! Money as integer fen (1 yuan = 100 fen): exact parsing and display.

use crate::model::Fen;

/// The largest amount [`parse_yuan`] accepts: 10¹² yuan, far above any
/// community budget and far below `i64::MAX` fen, so sums of many amounts
/// cannot overflow.
pub const MAX_FEN: Fen = 100_000_000_000_000;

/// Why a yuan amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("the amount is empty")]
    Empty,
    #[error("the amount is not a number of yuan (digits, at most one decimal point)")]
    NotANumber,
    #[error("the amount has more than 2 decimals (the smallest unit is 1 fen = 0.01 yuan)")]
    TooPrecise,
    #[error("the amount is negative")]
    Negative,
    #[error("the amount is larger than 1,000,000,000,000 yuan")]
    TooLarge,
}

/// Parses a yuan amount typed by a person into fen, exactly.
///
/// Accepts `1234`, `1234.5`, `1,234.56`, `¥1234`, `１２３４` (full-width digits) and
/// surrounding spaces.
///
/// # Errors
///
/// [`MoneyError`]: empty, not a number, more than 2 decimals, negative, too large.
///
/// # Examples
///
/// ```
/// use linli_domain::money::{parse_yuan, MoneyError};
/// assert_eq!(parse_yuan("1,234.5"), Ok(123_450));
/// assert_eq!(parse_yuan("¥0.07"), Ok(7));
/// assert_eq!(parse_yuan("１２"), Ok(1_200));
/// assert_eq!(parse_yuan("1.234"), Err(MoneyError::TooPrecise));
/// assert_eq!(parse_yuan("-3"), Err(MoneyError::Negative));
/// ```
pub fn parse_yuan(text: &str) -> Result<Fen, MoneyError> {
    let normalised: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            '－' => '-',
            c => c,
        })
        .collect();
    if normalised.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (negative, digits) = match normalised.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, normalised.as_str()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(MoneyError::NotANumber);
    }
    if frac.len() > 2 {
        return Err(MoneyError::TooPrecise);
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 13 {
        return Err(MoneyError::TooLarge);
    }
    let yuan: Fen = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| MoneyError::NotANumber)?
    };
    let cents: Fen = format!("{frac:0<2}")
        .parse()
        .map_err(|_| MoneyError::NotANumber)?;
    let fen = yuan * 100 + cents;
    if negative && fen != 0 {
        return Err(MoneyError::Negative);
    }
    if fen > MAX_FEN {
        return Err(MoneyError::TooLarge);
    }
    Ok(fen)
}

/// Formats fen as yuan with thousands separators and 2 decimals: `¥1,234.50`.
///
/// # Examples
///
/// ```
/// use linli_domain::money::format_yuan;
/// assert_eq!(format_yuan(123_450), "¥1,234.50");
/// assert_eq!(format_yuan(-7), "-¥0.07");
/// assert_eq!(format_yuan(30_000_000), "¥300,000.00");
/// ```
pub fn format_yuan(fen: Fen) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}¥{grouped}.{:02}", abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_amount_back(fen in 0..=MAX_FEN) {
            prop_assert_eq!(parse_yuan(&format_yuan(fen)), Ok(fen));
        }
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for bad in ["abc", "1.2.3", ".", "1e5", "12元", "0x10"] {
            assert_eq!(parse_yuan(bad), Err(MoneyError::NotANumber), "{bad}");
        }
        assert_eq!(parse_yuan("  "), Err(MoneyError::Empty));
        assert_eq!(parse_yuan("99999999999999"), Err(MoneyError::TooLarge));
        assert_eq!(parse_yuan("-0"), Ok(0));
        assert_eq!(parse_yuan(".5"), Ok(50));
    }
}
