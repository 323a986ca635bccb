//! Chinese telephone numbers as a household's contact: an 11-digit mobile, a
//! fixed line with or without its area code, or a national service number.
//!
//! Accepted (spaces, `-` and `(` `)` are ignored; a leading `+86` or `0086`
//! country code is allowed, after which an area code loses its trunk `0`):
//!
//! | kind | digits | rule |
//! |---|---|---|
//! | mobile | 11 | `1`, then `3`–`9`, then nine digits |
//! | fixed line, area code | 11–12 | `010` or `02x` and an 8-digit number; `0xxx` (third digit 3–9) and a 7–8-digit number; the number starts with 2–9 |
//! | fixed line, local | 7–8 | starts with 2–9 |
//! | service | 10 | `400` or `800` |
//! | hotline | 5 | `95xxx`, `96xxx` or `12xxx` (e.g. 12345) |
//!
//! A number starting with `1` that is not 11 digits is refused as a mobile
//! with the wrong length (the common slip: `1381234567`).
//!
//! ```
//! use linli_domain::phone::{check, PhoneError, PhoneKind};
//! assert_eq!(check("138 1234 5678"), Ok(PhoneKind::Mobile));
//! assert_eq!(check("+86 138-1234-5678"), Ok(PhoneKind::Mobile));
//! assert_eq!(check("010-62345678"), Ok(PhoneKind::FixedLine));
//! assert_eq!(check("(0571) 8765 4321"), Ok(PhoneKind::FixedLine));
//! assert_eq!(check("1381234567"), Err(PhoneError::MobileLength));
//! assert_eq!(check("12345"), Ok(PhoneKind::Service));
//! assert_eq!(check("abc"), Err(PhoneError::Format));
//! ```

/// What kind of number a valid one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneKind {
    /// An 11-digit mobile number.
    Mobile,
    /// A fixed line, with or without its area code.
    FixedLine,
    /// A national service number (400/800) or a 5-digit hotline.
    Service,
}

/// Why a number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Starts with `1` like a mobile, but is not 11 digits.
    MobileLength,
    /// Anything else that is not one of the accepted forms.
    Format,
}

/// Checks a typed number (see the module documentation for the rules).
///
/// # Errors
///
/// [`PhoneError::MobileLength`] or [`PhoneError::Format`].
pub fn check(text: &str) -> Result<PhoneKind, PhoneError> {
    let t = text.trim();
    let (international, rest) = if let Some(r) = t.strip_prefix('+') {
        let r = r.trim_start();
        match r.strip_prefix("86") {
            Some(r) => (true, r),
            None => return Err(PhoneError::Format),
        }
    } else {
        (false, t)
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' => {}
            _ => return Err(PhoneError::Format),
        }
    }
    let mut d = digits.as_str();
    let international = international || {
        let stripped = d.strip_prefix("0086");
        if let Some(r) = stripped {
            d = r;
        }
        stripped.is_some()
    };
    let owned;
    if international && !(d.starts_with('1') && d.len() == 11) {
        // +86 10 1234 5678: the area code without its trunk 0.
        owned = format!("0{d}");
        d = &owned;
    }
    classify(d.as_bytes())
}

fn classify(d: &[u8]) -> Result<PhoneKind, PhoneError> {
    let n = d.len();
    let starts_local = |s: &[u8]| s.first().is_some_and(|c| (b'2'..=b'9').contains(c));
    match d.first() {
        None => Err(PhoneError::Format),
        Some(b'1') if n == 11 && (b'3'..=b'9').contains(&d[1]) => Ok(PhoneKind::Mobile),
        Some(b'1') if n == 5 && d[1] == b'2' => Ok(PhoneKind::Service),
        Some(b'1') if n == 11 => Err(PhoneError::Format),
        Some(b'1') => Err(PhoneError::MobileLength),
        Some(b'0') => {
            let area = match d.get(1) {
                Some(b'1' | b'2') => 3,
                Some(_) => 4,
                None => return Err(PhoneError::Format),
            };
            let local = &d[area.min(n)..];
            let ok_len = if area == 3 {
                local.len() == 8
            } else {
                (7..=8).contains(&local.len())
            };
            if area == 3 && d[1] == b'1' && d[2] != b'0' {
                return Err(PhoneError::Format);
            }
            if ok_len && starts_local(local) {
                Ok(PhoneKind::FixedLine)
            } else {
                Err(PhoneError::Format)
            }
        }
        Some(b'4' | b'8') if n == 10 && (d.starts_with(b"400") || d.starts_with(b"800")) => {
            Ok(PhoneKind::Service)
        }
        Some(b'9') if n == 5 && matches!(d[1], b'5' | b'6') => Ok(PhoneKind::Service),
        Some(_) if (7..=8).contains(&n) => Ok(PhoneKind::FixedLine),
        Some(_) => Err(PhoneError::Format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_forms_guides_type() {
        for ok in [
            "13812345678",
            "199 0000 1111",
            "+8613812345678",
            "0086 138 1234 5678",
            "010-87654321",
            "021 5555 6666",
            "0755-2345678",
            "0571-87654321",
            "+86 10 8765 4321",
            "87654321",
            "6543210",
            "400-800-1234",
            "95588",
            "12345",
        ] {
            assert!(check(ok).is_ok(), "{ok} refused");
        }
        for (bad, why) in [
            ("1381234567", PhoneError::MobileLength),
            ("138123456789", PhoneError::MobileLength),
            ("12812345678", PhoneError::Format),
            ("010-1234567", PhoneError::Format),
            ("011-12345678", PhoneError::Format),
            ("0755-0345678", PhoneError::Format),
            ("123456", PhoneError::MobileLength),
            ("0123", PhoneError::Format),
            ("+1 212 555 0100", PhoneError::Format),
            ("138-1234-567a", PhoneError::Format),
            ("", PhoneError::Format),
            ("--", PhoneError::Format),
        ] {
            assert_eq!(check(bad), Err(why), "{bad}");
        }
    }

    proptest! {
        /// Every well-formed mobile is accepted however it is spaced, and any
        /// mobile with one digit more or less is refused for its length.
        #[test]
        fn mobiles(second in 3u8..=9, rest in "[0-9]{9}", cut in 0usize..11) {
            let m = format!("1{second}{rest}");
            prop_assert_eq!(check(&m), Ok(PhoneKind::Mobile));
            let spaced = format!("{} {}", &m[..cut.max(1)], &m[cut.max(1)..]);
            prop_assert_eq!(check(&spaced), Ok(PhoneKind::Mobile));
            prop_assert_eq!(check(&format!("+86{m}")), Ok(PhoneKind::Mobile));
            prop_assert_eq!(check(&m[..10]), Err(PhoneError::MobileLength));
            prop_assert_eq!(check(&format!("{m}0")), Err(PhoneError::MobileLength));
        }

        /// Whatever is typed, the check never panics, and a letter is refused.
        #[test]
        fn anything(s in ".{0,24}") {
            let r = check(&s);
            if s.chars().any(|c| c.is_alphabetic()) {
                prop_assert_eq!(r, Err(PhoneError::Format));
            }
        }
    }
}
