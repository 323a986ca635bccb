//! The words of enum columns, in both languages, and small value parsers.

use crate::model::{
    Employment, HousingCondition, IncomeBand, SchoolStage, Sex, Subsistence, Tenure, Urgency, Willingness,
};

use super::Headers;

/// A value and the words that mean it. Word 0 is what Chinese export
/// writes, word 1 what English export writes; the rest are accepted too.
pub(super) type Table<T> = [(T, &'static [&'static str])];

pub(super) const TENURE: &Table<Tenure> = &[
    (Tenure::Owner, &["业主", "owner"]),
    (Tenure::Tenant, &["租户", "tenant", "租客"]),
    (Tenure::PublicRental, &["公租房", "public_rental"]),
];

pub(super) const INCOME: &Table<IncomeBand> = &[
    (IncomeBand::Low, &["低", "low"]),
    (IncomeBand::LowerMiddle, &["中低", "lower_middle"]),
    (IncomeBand::Middle, &["中", "middle"]),
    (IncomeBand::Upper, &["高", "upper", "high"]),
];

pub(super) const SUBSISTENCE: &Table<Subsistence> = &[
    (Subsistence::None, &["无", "none"]),
    (Subsistence::Dibao, &["低保", "dibao"]),
    (Subsistence::Dibian, &["低边", "dibian"]),
];

pub(super) const HOUSING: &Table<HousingCondition> = &[
    (HousingCondition::Good, &["好", "good"]),
    (HousingCondition::Fair, &["一般", "fair"]),
    (HousingCondition::Poor, &["差", "poor"]),
];

pub(super) const WILLINGNESS: &Table<Willingness> = &[
    (Willingness::None, &["无", "none"]),
    (Willingness::Low, &["低", "low"]),
    (Willingness::Medium, &["中", "medium"]),
    (Willingness::High, &["高", "high"]),
];

pub(super) const URGENCY: &Table<Urgency> = &[
    (Urgency::High, &["高", "high"]),
    (Urgency::Medium, &["中", "medium"]),
    (Urgency::Low, &["低", "low"]),
];

pub(super) const SEX: &Table<Sex> = &[
    (Sex::Female, &["女", "female", "f"]),
    (Sex::Male, &["男", "male", "m"]),
];

pub(super) const EMPLOYMENT: &Table<Employment> = &[
    (Employment::Employed, &["在业", "employed", "就业", "在职"]),
    (Employment::Unemployed, &["失业", "unemployed"]),
    (Employment::Retired, &["退休", "retired"]),
    (Employment::Student, &["学生", "student", "在校"]),
    (Employment::NotApplicable, &["不适用", "not_applicable", "n/a"]),
];

pub(super) const SCHOOL_STAGE: &Table<SchoolStage> = &[
    (SchoolStage::Infant, &["托育", "infant"]),
    (SchoolStage::Preschool, &["幼儿园", "preschool"]),
    (SchoolStage::Primary, &["小学", "primary"]),
    (SchoolStage::Secondary, &["中学", "secondary", "初中", "高中"]),
];

pub(super) const BOOL: &Table<bool> = &[
    (true, &["是", "true", "yes", "y", "1"]),
    (false, &["否", "false", "no", "n", "0"]),
];

/// Whether `cell` is `word`, ignoring ASCII case and treating space, `-`
/// and `_` as the same character.
///
/// The folding maps ASCII bytes to ASCII bytes and leaves the bytes of
/// other characters alone, so comparing folded bytes compares folded text.
pub(super) fn same_word(cell: &str, word: &str) -> bool {
    fn fold(b: u8) -> u8 {
        match b {
            b' ' | b'-' => b'_',
            b => b.to_ascii_lowercase(),
        }
    }
    cell.len() == word.len() && cell.bytes().zip(word.bytes()).all(|(x, y)| fold(x) == fold(y))
}

/// The value `cell` (already trimmed) names, if any.
pub(super) fn lookup<T: Copy>(table: &Table<T>, cell: &str) -> Option<T> {
    table
        .iter()
        .find(|(_, words)| words.iter().any(|w| same_word(cell, w)))
        .map(|(v, _)| *v)
}

/// The word export writes for `value`.
pub(super) fn word<T: PartialEq>(table: &Table<T>, value: &T, headers: Headers) -> &'static str {
    let i = match headers {
        Headers::Chinese => 0,
        Headers::English => 1,
    };
    table
        .iter()
        .find(|(v, _)| v == value)
        .and_then(|(_, words)| words.get(i).copied())
        .unwrap_or("")
}

/// The accepted words of a table for an error message: `业主/租户/公租房 or owner/tenant/public_rental`.
pub(super) fn allowed<T>(table: &Table<T>) -> String {
    let zh: Vec<&str> = table.iter().filter_map(|(_, w)| w.first().copied()).collect();
    let en: Vec<&str> = table.iter().filter_map(|(_, w)| w.get(1).copied()).collect();
    format!("{} or {}", zh.join("/"), en.join("/"))
}

/// Why a whole number could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumberError {
    /// Not digits.
    NotANumber,
    /// Digits, but too large for `u64`.
    TooLarge,
}

/// Parses a non-negative whole number written with ASCII or full-width
/// digits, without sign, separators or decimals.
pub(super) fn parse_uint(s: &str) -> Result<u64, NumberError> {
    if s.is_empty() {
        return Err(NumberError::NotANumber);
    }
    let mut n: u64 = 0;
    let mut overflow = false;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => u64::from(c) - u64::from('0'),
            '０'..='９' => u64::from(c) - u64::from('０'),
            _ => return Err(NumberError::NotANumber),
        };
        match n.checked_mul(10).and_then(|x| x.checked_add(d)) {
            Some(x) => n = x,
            None => overflow = true,
        }
    }
    if overflow {
        Err(NumberError::TooLarge)
    } else {
        Ok(n)
    }
}

/// Splits a list cell on `;` and `；`, trimming items and dropping empty ones.
pub(super) fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', '；']).map(str::trim).filter(|x| !x.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_and_separators() {
        assert_eq!(lookup(TENURE, "Public Rental"), Some(Tenure::PublicRental));
        assert_eq!(lookup(TENURE, "PUBLIC-RENTAL"), Some(Tenure::PublicRental));
        assert_eq!(lookup(TENURE, "公租房"), Some(Tenure::PublicRental));
        assert_eq!(lookup(TENURE, "publicrental"), None);
        assert_eq!(
            word(INCOME, &IncomeBand::LowerMiddle, Headers::English),
            "lower_middle"
        );
        assert_eq!(word(INCOME, &IncomeBand::LowerMiddle, Headers::Chinese), "中低");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_uint("1950"), Ok(1950));
        assert_eq!(parse_uint("１９５０"), Ok(1950));
        assert_eq!(parse_uint("-1"), Err(NumberError::NotANumber));
        assert_eq!(parse_uint("1.0"), Err(NumberError::NotANumber));
        assert_eq!(parse_uint(""), Err(NumberError::NotANumber));
        assert_eq!(parse_uint("99999999999999999999999"), Err(NumberError::TooLarge));
    }
}
