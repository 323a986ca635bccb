//! The columns of the register file and the reading of a header row.

use std::collections::BTreeMap;

use super::{ErrorCode, Headers};

/// A household column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HField {
    Id,
    Grid,
    Building,
    Unit,
    Room,
    Tenure,
    Income,
    Subsistence,
    Housing,
    Skills,
    Needs,
    Willingness,
    Group,
    ContactName,
    ContactPhone,
    LivesAlone,
    Notes,
}

/// Household columns in export order: field, Chinese, English, required.
pub(super) const HOUSEHOLD_COLUMNS: [(HField, &str, &str, bool); 17] = [
    (HField::Id, "户编号", "household_id", true),
    (HField::Grid, "网格", "grid", true),
    (HField::Building, "楼栋", "building", true),
    (HField::Unit, "单元", "unit", true),
    (HField::Room, "房号", "room", true),
    (HField::Tenure, "产权", "tenure", true),
    (HField::Income, "收入档", "income_band", true),
    (HField::Subsistence, "低保状态", "subsistence", true),
    (HField::Housing, "住房状况", "housing", true),
    (HField::Skills, "技能", "skills", false),
    (HField::Needs, "服务需求", "needs", false),
    (HField::Willingness, "参与意愿", "willingness", false),
    (HField::Group, "群体", "group", false),
    (HField::ContactName, "联系人", "contact_name", false),
    (HField::ContactPhone, "联系电话", "contact_phone", false),
    (HField::LivesAlone, "独居", "lives_alone", false),
    (HField::Notes, "备注", "notes", false),
];

/// A member column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MField {
    Name,
    BirthYear,
    Sex,
    Chronic,
    Disability,
    Dementia,
    Employment,
    SchoolStage,
}

/// Member columns in export order: field, Chinese suffix, English suffix,
/// required in a group that has data.
pub(super) const MEMBER_COLUMNS: [(MField, &str, &str, bool); 8] = [
    (MField::Name, "姓名", "name", true),
    (MField::BirthYear, "出生年份", "birth_year", true),
    (MField::Sex, "性别", "sex", true),
    (MField::Chronic, "慢性病", "chronic", false),
    (MField::Disability, "残疾等级", "disability_grade", false),
    (MField::Dementia, "失智", "dementia", false),
    (MField::Employment, "就业", "employment", false),
    (MField::SchoolStage, "学段", "school_stage", false),
];

/// Member groups are numbered 1 to this.
pub(super) const MAX_MEMBER_GROUPS: u32 = 100;
/// Most columns a header may have (trailing empty header cells aside).
pub(super) const MAX_COLUMNS: usize = 1024;

/// The header text of member column `field` of group `n`.
pub(super) fn member_header(n: u32, field: usize, headers: Headers) -> String {
    let (_, zh, en, _) = MEMBER_COLUMNS[field % MEMBER_COLUMNS.len()];
    match headers {
        Headers::Chinese => format!("成员{n}{zh}"),
        Headers::English => format!("member{n}_{en}"),
    }
}

/// What a column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Col {
    /// A household column (index into [`HOUSEHOLD_COLUMNS`]).
    Household(usize),
    /// A member column: group number, index into [`MEMBER_COLUMNS`].
    Member(u32, usize),
    /// No header: its cells must be empty.
    Blank,
}

/// A member group of the header: its number and the file column of each
/// member field.
#[derive(Debug, Clone)]
pub(super) struct Group {
    pub(super) number: u32,
    pub(super) cols: [Option<usize>; MEMBER_COLUMNS.len()],
}

/// The understood header.
#[derive(Debug, Clone)]
pub(super) struct Header {
    /// Header text of every column (trimmed).
    pub(super) names: Vec<String>,
    /// File column of each household field.
    pub(super) household: [Option<usize>; HOUSEHOLD_COLUMNS.len()],
    /// Member groups in number order.
    pub(super) groups: Vec<Group>,
    /// Whether each column has a header (non-blank).
    pub(super) kinds: Vec<Col>,
}

/// A problem with the header: code, column, message.
pub(super) type HeaderProblem = (ErrorCode, Option<String>, String);

/// Lower-cases and drops whitespace, `_` and `-`, so that `Member 1 Birth
/// Year`, `member1_birth_year` and `MEMBER1BIRTHYEAR` compare equal.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-' && *c != '\u{feff}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Recognises one header cell.
fn recognise(text: &str) -> Option<Col> {
    let n = normalize(text);
    if n.is_empty() {
        return Some(Col::Blank);
    }
    for (i, (_, zh, en, _)) in HOUSEHOLD_COLUMNS.iter().enumerate() {
        if n == normalize(zh) || n == normalize(en) {
            return Some(Col::Household(i));
        }
    }
    let (rest, chinese) = if let Some(r) = n.strip_prefix("成员") {
        (r, true)
    } else if let Some(r) = n.strip_prefix("member") {
        (r, false)
    } else {
        return None;
    };
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let (num, suffix) = rest.split_at(digits);
    let number: u32 = num.parse().ok()?;
    if number == 0 || number > MAX_MEMBER_GROUPS {
        return None;
    }
    MEMBER_COLUMNS
        .iter()
        .position(|(_, zh, en, _)| suffix == normalize(if chinese { zh } else { en }))
        .map(|f| Col::Member(number, f))
}

/// Reads the header row. Trailing empty header cells are dropped.
pub(super) fn read_header(cells: &[&str]) -> Result<Header, Vec<HeaderProblem>> {
    let mut names: Vec<String> = cells
        .iter()
        .map(|c| c.trim().trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    while names.last().is_some_and(String::is_empty) {
        names.pop();
    }
    if names.len() > MAX_COLUMNS {
        return Err(vec![(
            ErrorCode::TooManyColumns,
            None,
            format!(
                "the header has {} columns; at most {MAX_COLUMNS} are allowed",
                names.len()
            ),
        )]);
    }
    let mut problems = Vec::new();
    let mut household = [None; HOUSEHOLD_COLUMNS.len()];
    let mut groups: BTreeMap<u32, [Option<usize>; MEMBER_COLUMNS.len()]> = BTreeMap::new();
    let mut kinds = Vec::with_capacity(names.len());
    let (mut zh_seen, mut en_seen) = (0usize, 0usize);
    for (i, name) in names.iter().enumerate() {
        let kind = recognise(name);
        if name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            zh_seen += 1;
        } else if !name.is_empty() {
            en_seen += 1;
        }
        let slot = match kind {
            None => {
                problems.push((
                    ErrorCode::UnknownColumn,
                    Some(name.clone()),
                    format!("unknown column '{name}'; see the register CSV column list"),
                ));
                kinds.push(Col::Blank);
                continue;
            }
            Some(Col::Blank) => {
                kinds.push(Col::Blank);
                continue;
            }
            Some(Col::Household(f)) => &mut household[f],
            Some(Col::Member(g, f)) => &mut groups.entry(g).or_default()[f],
        };
        if slot.is_some() {
            problems.push((
                ErrorCode::DuplicateColumn,
                Some(name.clone()),
                format!("column '{name}' appears twice"),
            ));
            kinds.push(Col::Blank);
        } else {
            *slot = Some(i);
            kinds.extend(kind);
        }
    }
    let lang = if en_seen > zh_seen {
        Headers::English
    } else {
        Headers::Chinese
    };
    for (f, (_, zh, en, required)) in HOUSEHOLD_COLUMNS.iter().enumerate() {
        if *required && household[f].is_none() {
            let shown = if lang == Headers::English { en } else { zh };
            problems.push((
                ErrorCode::MissingColumn,
                Some((*shown).to_owned()),
                format!("required column {zh} ({en}) is missing"),
            ));
        }
    }
    for (number, cols) in &groups {
        for (f, (_, _, _, required)) in MEMBER_COLUMNS.iter().enumerate() {
            if *required && cols[f].is_none() {
                let shown = member_header(*number, f, lang);
                problems.push((
                    ErrorCode::MissingColumn,
                    Some(shown.clone()),
                    format!(
                        "member {number} has columns but not {} ({})",
                        member_header(*number, f, Headers::Chinese),
                        member_header(*number, f, Headers::English)
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Header {
        names,
        household,
        groups: groups
            .into_iter()
            .map(|(number, cols)| Group { number, cols })
            .collect(),
        kinds,
    })
}

/// Excel's letter name of a 0-based column: A, B, …, Z, AA, …
pub(super) fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'A' + (index % 26) as u8));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_both_languages() {
        assert_eq!(recognise(" 户编号 "), Some(Col::Household(0)));
        assert_eq!(recognise("Household ID"), Some(Col::Household(0)));
        assert_eq!(recognise("成员12出生年份"), Some(Col::Member(12, 1)));
        assert_eq!(recognise("Member 3 Birth-Year"), Some(Col::Member(3, 1)));
        assert_eq!(recognise("member0_name"), None);
        assert_eq!(recognise("member101_name"), None);
        assert_eq!(recognise("成员1年龄"), None);
        assert_eq!(recognise(""), Some(Col::Blank));
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
