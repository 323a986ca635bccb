//! Needs assessment (需求评估矩阵, SPEC §2.2).
//!
//! Two modes over the household register:
//!
//! 1. **The weighted matrix** ([`NeedsMatrix`]), after the source document's "社区需求评估矩阵":
//!    five dimensions with weights population structure 25 %, health 20 %, economic 20 %,
//!    participation willingness 15 %, special needs 20 %. Every dimension is built from
//!    household [`Indicator`]s by editable [`Rule`]s. A household gets a score from 0 to 100
//!    (kept as integer tenths, `0..=1000`), a priority [`Tier`] and, on demand, an
//!    [`Explanation`] listing every indicator that counted and what it contributed.
//!    [`score_all`], [`aggregate`] and [`assess`] give the scores of a whole register and
//!    the aggregates by building, grid and resident group.
//! 2. **The Alkire–Foster mode** ([`af`]): per-indicator deprivation cutoffs and weights, a
//!    poverty cutoff *k*, and the headcount ratio H, intensity A and adjusted headcount
//!    ratio M0 = H × A as exact fractions, decomposed by subgroup and by indicator.
//!
//! # How a score is computed
//!
//! For each dimension *d* with weight `w_d` (basis points, the weights add up to exactly
//! 10000) and each of its rules *r* (indicator, `points`, `max_count`):
//!
//! ```text
//! points_d = min(100, Σ_r points_r × min(count_r, max_count_r))      // 0..=100
//! exact    = Σ_d w_d × points_d                                       // 0..=1_000_000
//! score    = ⌊(exact + 500) / 1000⌋                                   // tenths, 0..=1000
//! ```
//!
//! i.e. the score is the weighted mean of the dimension points, on a 0–100 scale, rounded
//! half up to one decimal. Everything is integer arithmetic: the same input gives the same
//! score on every machine. Counts and points are never negative, so a household that gains
//! a deprivation never scores lower (see [`indicator`](Indicator) for the order of each
//! indicator).
//!
//! Tiers ([`TierThresholds`], defaults): 高 `high` from 40.0, 中 `medium` from 25.0, else
//! 低 `low`. On the demo community that is about 10 % high, 30 % medium, 60 % low.
//!
//! # Willingness
//!
//! The source weighs participation willingness (参与意愿) at 15 % without saying in which
//! direction. Linli reads it as an **outreach need**: a household that does not take part is
//! the one whose needs go unseen ("沉默需求", the source's silent needs) and that a guide
//! should visit first. So the default rules give more points the lower the willingness
//! (none 100, low 60, medium 30, high 0). A community that wants the opposite edits the
//! rules. Willingness is not a deprivation, so the Alkire–Foster mode leaves it out.
//!
//! # Performance
//!
//! [`Scorer`] compiles a matrix once; scoring then summarises each household in one pass
//! over its members and needs into a flat vector of counts, reads the rules on
//! household-level fields (subsistence, income, housing, willingness, tenure) from a
//! lookup table, and allocates nothing per household. [`Scorer::score_all`] of the
//! 100,000-household demo takes about 10 ms natively at `opt-level = 3` (criterion bench
//! `domain/benches/needs.rs`); explanations are produced only on request by
//! [`Scorer::explain`], which evaluates every rule one by one and always agrees with the
//! score.
//!
//! # Stored as a setting
//!
//! The matrix (with its AF configuration) is stored as JSON in the setting
//! [`SETTING_KEY`] (`needs_matrix`); [`NeedsMatrix::from_settings`] reads it (or the default
//! when it is absent) and validates it. The JSON shape:
//!
//! ```json
//! {
//!   "version": 1,
//!   "dimensions": [
//!     { "code": "population", "name_zh": "人口结构", "name_en": "Population structure",
//!       "weight_bp": 2500,
//!       "rules": [
//!         { "indicator": { "kind": "members_aged", "min_age": 60 },
//!           "points": 15, "max_count": 2, "note": "每位60岁及以上成员" }
//!       ] }
//!   ],
//!   "tiers": { "high_min": 400, "medium_min": 250 },
//!   "af": {
//!     "k_bp": 3333,
//!     "indicators": [
//!       { "code": "elder_alone", "name_zh": "独居老人", "name_en": "Older person living alone",
//!         "indicator": { "kind": "elder_living_alone", "min_age": 60 },
//!         "min_count": 1, "weight_bp": 1250 }
//!     ]
//!   }
//! }
//! ```
//!
//! # Example
//!
//! ```
//! use linli_domain::{demo, needs};
//! let d = demo::generate(&demo::DemoConfig { households: 200, ..Default::default() });
//! let matrix = needs::NeedsMatrix::from_settings(&d.settings).unwrap(); // the default
//! let a = needs::assess(&matrix, &d.households, &d.buildings, 2026).unwrap();
//! assert_eq!(a.scores.len(), 200);
//! assert!(a.scores.iter().all(|s| s.score <= 1000));
//! assert_eq!(a.aggregates.total.count, 200);
//! ```

pub mod af;
mod aggregate;
mod defaults;
mod export;
mod group;
mod indicator;
mod score;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::Setting;

pub use aggregate::{aggregate, assess, Aggregates, Assessment, Row, TierCounts, TierStats};
pub use export::{household_rows, HouseholdRow, ScoresExport};
pub use indicator::{Indicator, MAX_AGE, MAX_AGE_THRESHOLDS, MAX_CATEGORIES};
pub use score::{
    explain, score_all, DimensionExplanation, Explanation, HouseholdScore, IndicatorContribution, Scorer,
};

/// The key of the setting that stores the matrix as JSON.
pub const SETTING_KEY: &str = "needs_matrix";
/// The version of the matrix JSON this build reads and writes.
pub const MATRIX_VERSION: u32 = 1;
/// Weights are in basis points and must add up to exactly this (100 %).
pub const WEIGHT_TOTAL_BP: u32 = 10_000;
/// Most dimensions a matrix may have.
pub const MAX_DIMENSIONS: usize = 16;
/// Most rules one dimension may have.
pub const MAX_RULES: usize = 32;
/// Most points one rule may give per counted unit (a dimension is capped at 100).
pub const MAX_POINTS: u16 = 100;
/// Highest score, in tenths of a point (100.0).
pub const MAX_SCORE: u16 = 1000;

/// The needs assessment matrix: weighted dimensions, tier thresholds and the
/// Alkire–Foster configuration. See the [module documentation](self) for the JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedsMatrix {
    /// Version of this layout; [`MATRIX_VERSION`].
    #[serde(default = "matrix_version")]
    pub version: u32,
    /// The dimensions; their weights add up to exactly 10000 basis points.
    pub dimensions: Vec<Dimension>,
    /// Where the priority tiers start.
    #[serde(default)]
    pub tiers: TierThresholds,
    /// The Alkire–Foster mode's configuration.
    #[serde(default)]
    pub af: af::AfConfig,
}

fn matrix_version() -> u32 {
    MATRIX_VERSION
}

fn one() -> u8 {
    1
}

fn is_one(n: &u8) -> bool {
    *n == 1
}

/// One dimension of the matrix (评估维度).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Stable code, e.g. `health`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Weight in basis points (2500 = 25 %).
    pub weight_bp: u32,
    /// The rules that build the dimension's points (0–100, capped).
    pub rules: Vec<Rule>,
}

/// A rule: `points` for every counted unit of an indicator, at most `max_count` units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub indicator: Indicator,
    /// Points (of the dimension's 100) per counted unit, `0..=100`.
    pub points: u16,
    /// At most this many units count (≥ 1; 1 for yes/no indicators). Default 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub max_count: u8,
    /// Why the rule is there (documentation shown to guides).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Where the priority tiers start, in tenths of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierThresholds {
    /// A score at or above this is [`Tier::High`]. Default 400 (40.0).
    pub high_min: u16,
    /// A score at or above this (and below `high_min`) is [`Tier::Medium`]. Default 250 (25.0).
    pub medium_min: u16,
}

impl Default for TierThresholds {
    fn default() -> Self {
        Self {
            high_min: 400,
            medium_min: 250,
        }
    }
}

impl TierThresholds {
    /// The tier of a score in tenths.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::needs::{Tier, TierThresholds};
    /// let t = TierThresholds::default();
    /// assert_eq!(t.tier(400), Tier::High);
    /// assert_eq!(t.tier(399), Tier::Medium);
    /// assert_eq!(t.tier(249), Tier::Low);
    /// ```
    pub fn tier(&self, score: u16) -> Tier {
        if score >= self.high_min {
            Tier::High
        } else if score >= self.medium_min {
            Tier::Medium
        } else {
            Tier::Low
        }
    }
}

/// Priority tier of a household. Codes (`serde`): `high`, `medium`, `low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 高: visit and serve first.
    High,
    /// 中
    Medium,
    /// 低
    Low,
}

impl Tier {
    /// All tiers, highest first.
    pub const ALL: [Tier; 3] = [Tier::High, Tier::Medium, Tier::Low];

    /// Stable code: `high`, `medium` or `low`.
    pub fn code(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    /// 高 / 中 / 低.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::High => "高",
            Self::Medium => "中",
            Self::Low => "低",
        }
    }

    /// High / Medium / Low.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::High => "High",
            Self::Medium => "Medium",
            Self::Low => "Low",
        }
    }
}

/// Why a matrix (setting `needs_matrix`) or its use is invalid. Every message names the
/// setting and the place in it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NeedsError {
    /// Not JSON, or not the matrix layout.
    #[error("setting `needs_matrix` is not a valid needs matrix: {reason}")]
    Parse { reason: String },
    /// Made by a newer version.
    #[error("setting `needs_matrix`: version {found} is not supported (this build reads up to version {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    /// Too few or too many dimensions.
    #[error("setting `needs_matrix`: there must be 1 to {max} dimensions, found {found}")]
    DimensionCount { found: usize, max: usize },
    /// A dimension without a code.
    #[error("setting `needs_matrix`: dimension {index} has an empty code")]
    EmptyCode { index: usize },
    /// Two dimensions with one code.
    #[error("setting `needs_matrix`: dimension code `{code}` is used twice")]
    DuplicateCode { code: String },
    /// The dimension weights do not add up to 100 %.
    #[error("setting `needs_matrix`: the dimension weights add up to {sum} basis points ({percent}); they must add up to exactly 10000 (100%)")]
    WeightSum { sum: u64, percent: String },
    /// A dimension has too many rules.
    #[error("setting `needs_matrix`: dimension `{dimension}` has {found} rules, at most {max} are allowed")]
    RuleCount {
        dimension: String,
        found: usize,
        max: usize,
    },
    /// A rule is invalid.
    #[error("setting `needs_matrix`: dimension `{dimension}`, rule {rule}: {reason}")]
    Rule {
        dimension: String,
        rule: usize,
        reason: String,
    },
    /// The matrix uses too many distinct age thresholds or need categories.
    #[error("setting `needs_matrix`: {reason}")]
    TooComplex { reason: String },
    /// Tier thresholds out of order or range.
    #[error("setting `needs_matrix`: tier thresholds must satisfy 0 < medium_min < high_min ≤ 1000 (tenths of a point); found medium_min {medium_min}, high_min {high_min}")]
    Tiers { medium_min: u16, high_min: u16 },
    /// Too few or too many AF indicators.
    #[error("setting `needs_matrix`: af: there must be 1 to {max} indicators, found {found}")]
    AfIndicatorCount { found: usize, max: usize },
    /// The AF indicator weights do not add up to 100 %.
    #[error("setting `needs_matrix`: af: the indicator weights add up to {sum} basis points ({percent}); they must add up to exactly 10000 (100%)")]
    AfWeightSum { sum: u64, percent: String },
    /// An AF indicator is invalid.
    #[error("setting `needs_matrix`: af: indicator {index} (`{code}`): {reason}")]
    AfIndicator {
        index: usize,
        code: String,
        reason: String,
    },
    /// The poverty cutoff is out of range.
    #[error(
        "setting `needs_matrix`: af: the poverty cutoff k_bp must be 1 to 10000 basis points, found {k_bp}"
    )]
    AfCutoff { k_bp: u32 },
    /// Scores passed to [`aggregate`] are not those of the households passed with them.
    #[error("needs scores do not match the households: {reason}")]
    ScoresMismatch { reason: String },
}

/// `9500` → `95.00%`.
pub(crate) fn percent_of_bp(sum: u64) -> String {
    format!("{}.{:02}%", sum / 100, sum % 100)
}

impl Default for NeedsMatrix {
    /// The source document's matrix with Linli's default rules (see `defaults.rs`).
    fn default() -> Self {
        defaults::matrix()
    }
}

impl NeedsMatrix {
    /// Checks the whole matrix: version, dimensions, weights (exactly 10000 bp), rules,
    /// tiers, and the AF configuration.
    ///
    /// # Errors
    ///
    /// The first [`NeedsError`] found, naming the setting and the place.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::needs::{NeedsError, NeedsMatrix};
    /// let mut m = NeedsMatrix::default();
    /// assert!(m.validate().is_ok());
    /// m.dimensions[0].weight_bp = 2000; // 25 % → 20 %: the weights add up to 95 %
    /// let err = m.validate().unwrap_err();
    /// assert_eq!(err, NeedsError::WeightSum { sum: 9500, percent: "95.00%".into() });
    /// assert!(err.to_string().contains("needs_matrix"));
    /// ```
    pub fn validate(&self) -> Result<(), NeedsError> {
        Scorer::new(self).map(|_| ())?;
        af::AfScorer::new(&self.af).map(|_| ())
    }

    /// Parses and validates the matrix JSON (the value of the `needs_matrix` setting).
    ///
    /// # Errors
    ///
    /// [`NeedsError::Parse`] if the text is not the matrix layout, else any validation error.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::needs::NeedsMatrix;
    /// let m = NeedsMatrix::default();
    /// assert_eq!(NeedsMatrix::from_json(&m.to_json()).unwrap(), m);
    /// assert!(NeedsMatrix::from_json("{").is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<Self, NeedsError> {
        let m: Self = serde_json::from_str(text).map_err(|e| NeedsError::Parse {
            reason: e.to_string(),
        })?;
        m.validate()?;
        Ok(m)
    }

    /// The matrix as compact JSON (the value stored in the `needs_matrix` setting).
    pub fn to_json(&self) -> String {
        // Plain structs with string keys always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The matrix as the `needs_matrix` setting.
    pub fn to_setting(&self) -> Setting {
        Setting {
            key: SETTING_KEY.to_owned(),
            value: self.to_json(),
        }
    }

    /// The matrix stored in `settings` under [`SETTING_KEY`], validated, or
    /// [`NeedsMatrix::default`] if there is no such setting.
    ///
    /// # Errors
    ///
    /// The setting is present but invalid: [`NeedsError::Parse`] or a validation error.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::model::Setting;
    /// use linli_domain::needs::NeedsMatrix;
    /// assert_eq!(NeedsMatrix::from_settings(&[]).unwrap(), NeedsMatrix::default());
    /// let bad = Setting { key: "needs_matrix".into(), value: "[]".into() };
    /// let err = NeedsMatrix::from_settings(&[bad]).unwrap_err();
    /// assert!(err.to_string().starts_with("setting `needs_matrix`"));
    /// ```
    pub fn from_settings(settings: &[Setting]) -> Result<Self, NeedsError> {
        match settings.iter().find(|s| s.key == SETTING_KEY) {
            Some(s) => Self::from_json(&s.value),
            None => Ok(Self::default()),
        }
    }
}
