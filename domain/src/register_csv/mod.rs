//! Household register CSV import and export (SPEC §2.1): the file a guide
//! opens in Excel, edits and imports back.
//!
//! # The file
//!
//! One row per household; the first row is the header. Export writes UTF-8
//! with a byte-order mark (so that Excel detects the encoding), CRLF line ends
//! and Chinese headers unless [`Headers::English`] is asked for. Import
//! accepts the Chinese or the English name of every column, in any order and
//! any mix, case-insensitively, ignoring spaces, `_` and `-` inside the name.
//!
//! | Chinese | English | content | required |
//! |---|---|---|---|
//! | 户编号 | household_id | whole number 1–4294967295, unique in the file | yes |
//! | 网格 | grid | grid name; a new grid is created for an unknown name | yes |
//! | 楼栋 | building | building name within the grid; created if unknown | yes |
//! | 单元 | unit | whole number 1–255; in an existing building at most its number of units | yes |
//! | 房号 | room | text, e.g. `1203` | yes |
//! | 产权 | tenure | 业主/租户/公租房 or owner/tenant/public_rental | yes |
//! | 收入档 | income_band | 低/中低/中/高 or low/lower_middle/middle/upper | yes |
//! | 低保状态 | subsistence | 无/低保/低边 or none/dibao/dibian | yes |
//! | 住房状况 | housing | 好/一般/差 or good/fair/poor | yes |
//! | 技能 | skills | list separated by `；` or `;` | no |
//! | 服务需求 | needs | `category:urgency` items separated by `；` or `;`, e.g. `elderly_care:高；health:low` | no |
//! | 参与意愿 | willingness | 无/低/中/高 or none/low/medium/high (empty: 无) | no |
//! | 群体 | group | resident group code, e.g. `young_tenants` | no |
//! | 联系人 | contact_name | text | no |
//! | 联系电话 | contact_phone | 7–20 digits with optional `+`, `-` and spaces | no |
//! | 独居 | lives_alone | 是/否, yes/no, true/false, 1/0 (empty: exactly one member); 是 only with one member | no |
//! | 备注 | notes | free text, kept exactly (not trimmed) | no |
//!
//! followed by one group of member columns per member, numbered from 1
//! (`成员1姓名` … or `member1_name` …):
//!
//! | Chinese | English | content | required in a filled group |
//! |---|---|---|---|
//! | 成员N姓名 | memberN_name | text | yes |
//! | 成员N出生年份 | memberN_birth_year | year, at most `year`, at least `year − 120` | yes |
//! | 成员N性别 | memberN_sex | 女/男 or female/male | yes |
//! | 成员N慢性病 | memberN_chronic | 是/否 (empty: 否) | no |
//! | 成员N残疾等级 | memberN_disability_grade | empty or 1–4 | no |
//! | 成员N失智 | memberN_dementia | 是/否 (empty: 否) | no |
//! | 成员N就业 | memberN_employment | 在业/失业/退休/学生/不适用 or employed/unemployed/retired/student/not_applicable (empty: 不适用) | no |
//! | 成员N学段 | memberN_school_stage | empty/托育/幼儿园/小学/中学 or infant/preschool/primary/secondary | no |
//!
//! A member group whose cells are all empty is no member; a group with some
//! data must have name, birth year and sex. Export writes as many groups as
//! the largest household has members (at least one, so an empty export is a
//! template). Need categories are written as codes and read as a code, a
//! Chinese name or an English name of [`ImportLimits::categories`]; enum
//! words are written in the language of the headers. All cells except notes
//! are trimmed of surrounding whitespace on import. Whole numbers may use
//! full-width digits (`１９５０`).
//!
//! # Formula escaping
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some
//! versions a cell starting with tab or CR) as a formula. Export therefore
//! prefixes such a cell with a single quote `'`: `=1+1` is written `'=1+1`.
//! Cells that already start with `'` get the prefix too, so the escape can be
//! undone exactly. Import removes exactly one leading `'` when the character
//! after it is one of `= + - @ tab CR '`; any other text is kept as it is.
//! Export followed by import therefore gives back the same text. This is the
//! rule of [`crate::csv_cell`], which every CSV file of Linli follows.
//!
//! # The household form's rules
//!
//! Every household read from a row is then checked with
//! [`crate::household::validate`], the rules of the household form, against its
//! building (existing or new), [`ImportLimits::categories`] and `year`: import
//! accepts no household that the form would refuse. Most of those rules are
//! already checked while reading a cell (and reported as such, e.g.
//! [`ErrorCode::BirthYearInFuture`]); the others are reported with the form's code
//! and English message ([`crate::household::message_en`]), on the row and in the
//! column of the field ([`ErrorCode::from_form_code`]): a household needs at least
//! one member (`no_members`), a unit from 1 to the building's units
//! (`unit_range`), a Chinese contact phone (`phone_format`, `phone_mobile_length`), 独居 only with
//! one member (`lives_alone_mismatch`) and texts of at most
//! [`crate::household::MAX_TEXT`] characters (`too_long`). A row is checked
//! against these rules only once all its cells could be read.
//!
//! # Importing
//!
//! [`import_households`] validates every row before it returns anything: the
//! result is either all households of the file or an [`ImportReport`] with
//! the first [`ImportLimits::max_errors`] errors (row as Excel numbers it,
//! header text of the column, a stable [`ErrorCode`] and an English
//! message) and the total count. Nothing is ever half imported. Large files
//! can be driven step by step with [`Importer`] to show progress and to
//! cancel (drop the importer).
//!
//! Imported households get `updated_at = 0`: the domain has no clock, the
//! caller stamps the time when it writes them. Household ids are kept as in
//! the file; whether they replace existing households is the caller's choice.

pub mod against;
mod columns;
mod export;
mod import;
mod tokenizer;
mod vocab;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Building, Grid, Household, NeedCategory};

pub use export::export_households;
pub use import::{import_households, Importer};

/// Which header names (and enum words) export writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Headers {
    /// `户编号`, `成员1姓名`, values such as `业主`. The default.
    #[default]
    Chinese,
    /// `household_id`, `member1_name`, values such as `owner`.
    English,
}

/// Limits and reference data of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLimits {
    /// Largest cell, in bytes of UTF-8. Default 1 MiB. A larger cell stops
    /// the import with [`ErrorCode::CellTooLarge`] as soon as the limit is
    /// passed, without reading the rest of the cell.
    pub max_cell_bytes: usize,
    /// Largest number of household rows. Default 200,000.
    pub max_rows: usize,
    /// Number of errors kept in the report (all are counted). Default 50.
    pub max_errors: usize,
    /// Need categories a row may name, by code, Chinese or English name.
    /// Default: [`crate::demo::default_categories`].
    pub categories: Vec<NeedCategory>,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            max_cell_bytes: 1 << 20,
            max_rows: 200_000,
            max_errors: 50,
            categories: crate::demo::default_categories(),
        }
    }
}

/// What a successful import produces. Nothing of it is stored yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    /// The households, in file order, with `updated_at = 0`.
    pub households: Vec<Household>,
    /// Grids named in the file that were not among the existing ones, with
    /// ids allocated after the largest existing id in order of first
    /// appearance. `guide` is empty.
    pub new_grids: Vec<Grid>,
    /// Buildings named in the file that were not among the existing ones
    /// (a building is identified by grid and name), ids allocated like grids.
    /// `units` is the largest unit number used; floors, year built and plan
    /// position are 0 for the guide to fill in.
    pub new_buildings: Vec<Building>,
}

/// Progress of an [`Importer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Data rows read so far (header excluded, blank rows included).
    pub rows_done: u64,
    /// Bytes of the file read so far.
    pub bytes_done: usize,
    /// Size of the file in bytes.
    pub total_bytes: usize,
    /// Whether the whole file has been read (or reading stopped at a
    /// whole-file error); [`Importer::finish`] then returns at once.
    pub done: bool,
}

/// Why an import was refused: a stable code for the app to translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The file has no header (it is empty or blank).
    EmptyFile,
    /// The file is not UTF-8 (often GBK from Excel's plain "CSV" format).
    NotUtf8,
    /// A quoted cell is not closed before the end of the file.
    UnterminatedQuote,
    /// A cell is larger than [`ImportLimits::max_cell_bytes`].
    CellTooLarge,
    /// More household rows than [`ImportLimits::max_rows`].
    TooManyRows,
    /// More columns than the format can have.
    TooManyColumns,
    /// A required column is not in the header.
    MissingColumn,
    /// A header names no known column.
    UnknownColumn,
    /// Two header cells name the same column.
    DuplicateColumn,
    /// The file has a header but no household rows.
    NoRows,
    /// A row has a value in a column without header.
    CellWithoutHeader,
    /// A required cell is empty.
    Required,
    /// A cell that must be a whole number is not one.
    BadNumber,
    /// A number is outside its allowed range.
    OutOfRange,
    /// A word is not one of the allowed values of its column.
    UnknownValue,
    /// A need names an unknown category.
    UnknownCategory,
    /// A need is not written `category:urgency`.
    BadNeed,
    /// A household lists the same need category twice.
    DuplicateNeed,
    /// A birth year is after the current year.
    BirthYearInFuture,
    /// A birth year is more than 120 years ago.
    BirthYearTooOld,
    /// Two rows have the same household id.
    DuplicateHouseholdId,
    /// A member group has some data but lacks name, birth year or sex.
    MemberIncomplete,
    /// No id is left for a new grid or building.
    NoFreeId,
    /// The household form's `unit_range`: unit 0, or a unit above an existing
    /// building's units.
    UnitRange,
    /// The household form's `no_members`: a household row without any member.
    NoMembers,
    /// The household form's `phone_format`: a contact phone that is not a
    /// Chinese mobile, fixed-line or service number ([`crate::phone::check`]).
    PhoneFormat,
    /// The household form's `phone_mobile_length`: starts with 1 like a mobile
    /// but is not 11 digits.
    PhoneMobileLength,
    /// The household form's `lives_alone_mismatch`: 独居 is yes but the row has
    /// more than one member.
    LivesAloneMismatch,
    /// The household form's `too_long`: a text over
    /// [`crate::household::MAX_TEXT`] characters.
    TooLong,
    /// The household form's `building_unknown` (cannot happen in an import,
    /// which creates unknown buildings; listed so that every form code maps).
    BuildingUnknown,
}

impl ErrorCode {
    /// The stable snake_case code, e.g. `birth_year_in_future`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmptyFile => "empty_file",
            Self::NotUtf8 => "not_utf8",
            Self::UnterminatedQuote => "unterminated_quote",
            Self::CellTooLarge => "cell_too_large",
            Self::TooManyRows => "too_many_rows",
            Self::TooManyColumns => "too_many_columns",
            Self::MissingColumn => "missing_column",
            Self::UnknownColumn => "unknown_column",
            Self::DuplicateColumn => "duplicate_column",
            Self::NoRows => "no_rows",
            Self::CellWithoutHeader => "cell_without_header",
            Self::Required => "required",
            Self::BadNumber => "bad_number",
            Self::OutOfRange => "out_of_range",
            Self::UnknownValue => "unknown_value",
            Self::UnknownCategory => "unknown_category",
            Self::BadNeed => "bad_need",
            Self::DuplicateNeed => "duplicate_need",
            Self::BirthYearInFuture => "birth_year_in_future",
            Self::BirthYearTooOld => "birth_year_too_old",
            Self::DuplicateHouseholdId => "duplicate_household_id",
            Self::MemberIncomplete => "member_incomplete",
            Self::NoFreeId => "no_free_id",
            Self::UnitRange => "unit_range",
            Self::NoMembers => "no_members",
            Self::PhoneFormat => "phone_format",
            Self::PhoneMobileLength => "phone_mobile_length",
            Self::LivesAloneMismatch => "lives_alone_mismatch",
            Self::TooLong => "too_long",
            Self::BuildingUnknown => "building_unknown",
        }
    }

    /// The import code for a code of [`crate::household::validate`] (the household
    /// form's rules, which import applies to every row it has read): the same code
    /// string where the import had none (`unit_range`, `no_members`,
    /// `phone_format`, `phone_mobile_length`, `lives_alone_mismatch`, `too_long`,
    /// `building_unknown`), and
    /// for rules the import already checks while reading a cell, the code it reports
    /// then (`required`, `birth_year_in_future`, `birth_year_too_old`,
    /// `out_of_range`, `unknown_category`, `duplicate_need`). `None` for a code not
    /// in [`crate::household::CODES`].
    ///
    /// ```
    /// use linli_domain::register_csv::ErrorCode;
    /// assert_eq!(ErrorCode::from_form_code("phone_format"), Some(ErrorCode::PhoneFormat));
    /// assert_eq!(ErrorCode::PhoneFormat.as_str(), "phone_format");
    /// assert_eq!(ErrorCode::from_form_code("birth_year_future"), Some(ErrorCode::BirthYearInFuture));
    /// ```
    pub fn from_form_code(code: &str) -> Option<Self> {
        Some(match code {
            "building_unknown" => Self::BuildingUnknown,
            "unit_range" => Self::UnitRange,
            "required" => Self::Required,
            "phone_format" => Self::PhoneFormat,
            "phone_mobile_length" => Self::PhoneMobileLength,
            "too_long" => Self::TooLong,
            "no_members" => Self::NoMembers,
            "lives_alone_mismatch" => Self::LivesAloneMismatch,
            "birth_year_future" => Self::BirthYearInFuture,
            "birth_year_too_old" => Self::BirthYearTooOld,
            "disability_grade_range" => Self::OutOfRange,
            "need_unknown" => Self::UnknownCategory,
            "need_duplicate" => Self::DuplicateNeed,
            _ => return None,
        })
    }

    /// Whether the error concerns the whole file (encoding, header, size)
    /// rather than one row's values.
    pub fn is_file_level(self) -> bool {
        matches!(
            self,
            Self::EmptyFile
                | Self::NotUtf8
                | Self::UnterminatedQuote
                | Self::CellTooLarge
                | Self::TooManyRows
                | Self::TooManyColumns
                | Self::MissingColumn
                | Self::UnknownColumn
                | Self::DuplicateColumn
                | Self::NoRows
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportError {
    /// Row as Excel numbers it: the header is row 1, the first household
    /// row 2. A cell spanning several lines is still one row. `None` for
    /// errors about the whole file.
    pub row: Option<u64>,
    /// The column's header text as written in the file (for a missing
    /// column, its canonical name). `None` when no column applies.
    pub column: Option<String>,
    /// Stable code, for translation.
    pub code: ErrorCode,
    /// English explanation naming the value and what is allowed.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "row {r}, column {c}: ")?,
            (Some(r), None) => write!(f, "row {r}: ")?,
            (None, Some(c)) => write!(f, "column {c}: ")?,
            (None, None) => {}
        }
        write!(f, "{} [{}]", self.message, self.code)
    }
}

/// Why an import was refused: the first errors and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The first [`ImportLimits::max_errors`] errors, in file order.
    pub errors: Vec<ImportError>,
    /// All errors found, including those not kept.
    pub total_errors: usize,
}

impl ImportReport {
    /// Errors counted but not kept in [`ImportReport::errors`].
    pub fn omitted(&self) -> usize {
        self.total_errors.saturating_sub(self.errors.len())
    }

    /// Whether some error has the given code.
    pub fn has(&self, code: ErrorCode) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "import refused, {} error(s)", self.total_errors)?;
        for e in &self.errors {
            write!(f, "\n{e}")?;
        }
        if self.omitted() > 0 {
            write!(f, "\n… and {} more", self.omitted())?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportReport {}
