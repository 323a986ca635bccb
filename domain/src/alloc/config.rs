//! The allocation configuration, stored as JSON in the setting [`SETTING_KEY`].

use crate::order::SortDyn;
use std::borrow::Cow;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::model::{NeedCategory, NeedClass, ResourceKind, Setting};
use crate::needs::Indicator;

use super::{AllocError, BP};

/// The key of the setting that stores the configuration as JSON.
pub const SETTING_KEY: &str = "alloc_config";
/// The version of the configuration JSON this build reads and writes.
pub const CONFIG_VERSION: u32 = 1;
/// Largest amount one resource, one pool or one floor may hold: 10¹³ fen (100 billion yuan),
/// or 10¹³ slots or hours. Anything above is taken for a typing error.
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;
/// Largest reserve: half of the period's resources.
pub const MAX_RESERVE_BP: u32 = 5_000;
/// Largest unit weight of a category.
pub const MAX_UNIT_WEIGHT: u32 = 1_000_000;
/// Largest priority factor (urgency, reach): ×10.
pub const MAX_FACTOR_BP: u32 = 100_000;
/// Most categories a configuration may hold.
pub const MAX_CATEGORIES: usize = 10_000;

fn config_version() -> u32 {
    CONFIG_VERSION
}
fn full() -> u32 {
    BP
}
fn is_full(n: &u32) -> bool {
    *n == BP
}
fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}
fn is_zero_i64(n: &i64) -> bool {
    *n == 0
}

/// How the period's resources are split and shared (SPEC §2.3, §2.4). See the
/// [module documentation](super) for the JSON shape and how each field is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocConfig {
    /// Version of this layout; [`CONFIG_VERSION`].
    #[serde(default = "config_version")]
    pub version: u32,
    /// Emergency reserve (应急池), set aside first, basis points of the period's total.
    /// Default 500 (5 %, SPEC §2.3); at most [`MAX_RESERVE_BP`].
    pub reserve_bp: u32,
    /// Base pool (基础池), basis points of what is left after the reserve. Default 7000.
    pub base_bp: u32,
    /// Flexible pool (机动池), basis points of what is left after the reserve. Default 3000.
    /// `base_bp + flexible_bp` must be exactly 10000.
    pub flexible_bp: u32,
    /// How the flexible pool's demand weight is made of the quarterly demand data.
    pub demand: DemandWeights,
    /// Urgency factor of each need urgency, basis points (10000 = ×1).
    pub urgency: UrgencyFactors,
    /// Optional limit on change per quarter: a category's share of a pool moves at most this
    /// many basis points (percentage points × 100) from the previous period's share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_change_bp: Option<u32>,
    /// One rule per need category. A category of the register without a rule gets
    /// [`CategoryRule::default_for`].
    pub categories: Vec<CategoryRule>,
    /// Which categories share each non-money kind of resource. A kind not listed: money is
    /// shared by all categories, slots and room hours by the categories of the period's
    /// resources of that kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<KindRule>,
    /// Cost sharing by need class (SPEC §2.4).
    pub cost_sharing: CostRules,
    /// The elite-capture warning.
    pub fairness: FairnessConfig,
    /// Targets from the source (SPEC §2.10).
    pub targets: Targets,
}

/// The parts of the flexible pool's demand weight, basis points adding up to 10000. Each
/// component is first turned into the category's share of it (parts per billion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandWeights {
    /// Needs scores of the households with a need of the category. Default 4000.
    pub need_score_bp: u32,
    /// Waiting list: households registering a need of the category. Default 3000.
    pub waiting_bp: u32,
    /// Requests (诉求) of the category received in the period. Default 2000.
    pub requests_bp: u32,
    /// Growth of the eligible population since the previous run. Default 1000.
    pub population_change_bp: u32,
}

impl Default for DemandWeights {
    fn default() -> Self {
        Self {
            need_score_bp: 4000,
            waiting_bp: 3000,
            requests_bp: 2000,
            population_change_bp: 1000,
        }
    }
}

/// Urgency factors, basis points (10000 = ×1). A category's urgency factor is the mean
/// factor of its registered needs (10000 if it has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrgencyFactors {
    /// Default 10000 (×1).
    pub low_bp: u32,
    /// Default 15000 (×1.5).
    pub medium_bp: u32,
    /// Default 20000 (×2).
    pub high_bp: u32,
}

impl Default for UrgencyFactors {
    fn default() -> Self {
        Self {
            low_bp: 10_000,
            medium_bp: 15_000,
            high_bp: 20_000,
        }
    }
}

/// How one need category takes part in allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    /// A [`NeedCategory::code`].
    pub code: String,
    /// Who is eligible: the category's eligible headcount is the sum of this indicator's
    /// count over the register (e.g. members aged 60+ for elderly care).
    pub eligibility: Indicator,
    /// Base-pool weight of one eligible person (the base pool is shared in proportion to
    /// `eligible × unit_weight`). `0..=`[`MAX_UNIT_WEIGHT`].
    pub unit_weight: u32,
    /// Floor: at least this share of each pool the category takes part in, basis points
    /// (rounded down to whole units). Default 0.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub floor_bp: u32,
    /// Cap: at most this share, basis points (rounded up to whole units). Default 10000. A
    /// category alone in a pool gets the whole pool whatever its cap.
    #[serde(default = "full", skip_serializing_if = "is_full")]
    pub cap_bp: u32,
    /// Money floor: at least this many fen of the money pool. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub min_fen: i64,
    /// Reach factor (影响范围), basis points (10000 = ×1): multiplies the flexible-pool
    /// demand weight. Default 10000.
    #[serde(default = "full", skip_serializing_if = "is_full")]
    pub reach_bp: u32,
}

/// The categories that share one kind of resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub kind: ResourceKind,
    /// Category codes; empty means all categories.
    pub categories: Vec<String>,
}

/// One funder's share of a cost-sharing rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunderShare {
    /// Funder code: `government`, `market`, `society` (foundations, volunteers), `residents`.
    pub funder: String,
    /// Share in basis points; a rule's shares add up to 10000.
    pub bp: u32,
}

/// Cost-sharing rules by need class (SPEC §2.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRules {
    /// 基本民生. Default government 70 % (source), market 15 % and society 15 % (Linli's
    /// default for the configurable rest).
    pub basic: Vec<FunderShare>,
    /// 提升类. Default government : market : residents = 3 : 3 : 4 (source).
    pub improvement: Vec<FunderShare>,
    /// 特殊类. Default government : foundation (society) = 8 : 2 (source).
    pub special: Vec<FunderShare>,
    /// The emergency reserve. Default government 100 % (Linli).
    pub reserve: Vec<FunderShare>,
}

fn shares(list: &[(&str, u32)]) -> Vec<FunderShare> {
    list.iter()
        .map(|(f, bp)| FunderShare {
            funder: (*f).to_owned(),
            bp: *bp,
        })
        .collect()
}

impl Default for CostRules {
    fn default() -> Self {
        Self {
            basic: shares(&[("government", 7000), ("market", 1500), ("society", 1500)]),
            improvement: shares(&[("government", 3000), ("market", 3000), ("residents", 4000)]),
            special: shares(&[("government", 8000), ("society", 2000)]),
            reserve: shares(&[("government", 10_000)]),
        }
    }
}

impl CostRules {
    /// The rule of a need class.
    pub fn of(&self, class: NeedClass) -> &[FunderShare] {
        match class {
            NeedClass::Basic => &self.basic,
            NeedClass::Improvement => &self.improvement,
            NeedClass::Special => &self.special,
        }
    }
}

/// When the group-fairness table warns of elite capture (精英俘获).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairnessConfig {
    /// Warn when a group's resources per unit of need are at least this many times everyone
    /// else's, basis points. Default 20000 (×2).
    pub capture_ratio_bp: u32,
    /// …and the group holds at least this share of the resources, basis points. Default 1000.
    pub capture_min_share_bp: u32,
}

impl Default for FairnessConfig {
    fn default() -> Self {
        Self {
            capture_ratio_bp: 20_000,
            capture_min_share_bp: 1_000,
        }
    }
}

/// Indicator targets (SPEC §2.10, defaults from the source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Mismatch rate below this, basis points. Default 1000 (< 10 %).
    pub mismatch_max_bp: u32,
    /// Utilisation above this, basis points. Default 8500 (> 85 %).
    pub utilisation_min_bp: u32,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            mismatch_max_bp: 1000,
            utilisation_min_bp: 8500,
        }
    }
}

impl CategoryRule {
    /// Linli's default rule for a category code. Known codes (the demo's categories) get an
    /// eligibility indicator and a unit weight calibrated to a quarter's service cost per
    /// eligible person (the demo's quarterly budget per eligible person in yuan, so that the
    /// base pool starts near the earmarked status quo); any other code counts the households registering a need of it.
    ///
    /// | code | eligible | unit weight | floor |
    /// |---|---|---|---|
    /// | `elderly_care` | members aged 60+ | 60 | 10 % |
    /// | `childcare` | children under 6 | 80 | 5 % |
    /// | `health` | members with a chronic illness | 30 | 5 % |
    /// | `employment` | unemployed members | 60 | 0 |
    /// | `disability` | members with a disability | 110 | 5 % |
    /// | `housing_repair` | households in poor housing | 140 | 0 |
    /// | `culture`, `sport` | all residents | 2 | 0 |
    /// | other | needs of that category | 50 | 0 |
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::alloc::CategoryRule;
    /// use linli_domain::needs::Indicator;
    /// let r = CategoryRule::default_for("elderly_care");
    /// assert_eq!(r.eligibility, Indicator::MembersAged { min_age: 60 });
    /// assert_eq!(r.cap_bp, 10_000);
    /// ```
    pub fn default_for(code: &str) -> Self {
        use crate::model::{HousingCondition, Urgency};
        let (eligibility, unit_weight, floor_bp) = match code {
            "elderly_care" => (Indicator::MembersAged { min_age: 60 }, 60, 1000),
            "childcare" => (Indicator::ChildrenUnder { age: 6 }, 80, 500),
            "health" => (Indicator::ChronicIllness, 30, 500),
            "employment" => (Indicator::Unemployed, 60, 0),
            "disability" => (Indicator::Disability { max_grade: 4 }, 110, 500),
            "housing_repair" => (
                Indicator::HousingAtMost {
                    condition: HousingCondition::Poor,
                },
                140,
                0,
            ),
            "culture" | "sport" => (Indicator::MembersAged { min_age: 0 }, 2, 0),
            _ => (
                Indicator::Needs {
                    min_urgency: Urgency::Low,
                    category: Some(code.to_owned()),
                },
                50,
                0,
            ),
        };
        Self {
            code: code.to_owned(),
            eligibility,
            unit_weight,
            floor_bp,
            cap_bp: BP,
            min_fen: 0,
            reach_bp: BP,
        }
    }
}

/// The need categories of a dataset sorted by code: [`crate::settings::need_categories`]
/// (the `need_categories` setting, or the demo's categories when there is none).
///
/// # Errors
///
/// [`AllocError::Setting`] if the setting is not a list of categories, has an empty code
/// or repeats a code.
pub fn categories_of(d: &Dataset) -> Result<Vec<NeedCategory>, AllocError> {
    let mut cats = crate::settings::need_categories(&d.settings).map_err(|e| AllocError::Setting {
        key: e.key,
        reason: e.reason,
    })?;
    cats.sort_by_dyn(|a, b| a.code.cmp(&b.code));
    Ok(cats)
}

impl Default for AllocConfig {
    /// The default configuration for the demo's categories ([`AllocConfig::default_for`] of
    /// [`crate::demo::default_categories`]).
    fn default() -> Self {
        Self::for_categories(&crate::demo::default_categories())
    }
}

impl AllocConfig {
    /// The default configuration for `categories`: SPEC §2.3 and §2.4's defaults, one
    /// [`CategoryRule::default_for`] per category, and room hours shared by culture, sport,
    /// elderly care and childcare (those present).
    pub fn for_categories(categories: &[NeedCategory]) -> Self {
        let mut rules: Vec<CategoryRule> = categories
            .iter()
            .map(|c| CategoryRule::default_for(&c.code))
            .collect();
        rules.sort_by_dyn(|a, b| a.code.cmp(&b.code));
        let room: Vec<String> = ["childcare", "culture", "elderly_care", "sport"]
            .into_iter()
            .filter(|c| categories.iter().any(|x| x.code == *c))
            .map(str::to_owned)
            .collect();
        let kinds = if room.is_empty() {
            Vec::new()
        } else {
            vec![KindRule {
                kind: ResourceKind::RoomHours,
                categories: room,
            }]
        };
        Self {
            version: CONFIG_VERSION,
            reserve_bp: 500,
            base_bp: 7000,
            flexible_bp: 3000,
            demand: DemandWeights::default(),
            urgency: UrgencyFactors::default(),
            max_change_bp: None,
            categories: rules,
            kinds,
            cost_sharing: CostRules::default(),
            fairness: FairnessConfig::default(),
            targets: Targets::default(),
        }
    }

    /// The default configuration for a dataset's categories (see [`categories_of`]).
    ///
    /// # Errors
    ///
    /// The `need_categories` setting is invalid.
    pub fn default_for(d: &Dataset) -> Result<Self, AllocError> {
        Ok(Self::for_categories(&categories_of(d)?))
    }

    /// The configuration stored in the dataset's `alloc_config` setting, validated, or
    /// [`AllocConfig::default_for`] the dataset if there is none.
    ///
    /// # Errors
    ///
    /// The setting is present but invalid ([`AllocError::Parse`], [`AllocError::Config`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::alloc::AllocConfig;
    /// use linli_domain::demo::{generate, DemoConfig};
    /// let mut d = generate(&DemoConfig { households: 30, ..Default::default() });
    /// assert_eq!(AllocConfig::from_dataset(&d).unwrap(), AllocConfig::default());
    /// let mut c = AllocConfig::default();
    /// c.base_bp = 6000; // 60 % + 30 % ≠ 100 %
    /// d.settings.push(linli_domain::model::Setting { key: "alloc_config".into(), value: c.to_json() });
    /// let err = AllocConfig::from_dataset(&d).unwrap_err().to_string();
    /// assert!(err.contains("alloc_config") && err.contains("base_bp"), "{err}");
    /// ```
    pub fn from_dataset(d: &Dataset) -> Result<Self, AllocError> {
        match d.settings.iter().find(|s| s.key == SETTING_KEY) {
            Some(s) => Self::from_json(&s.value),
            None => Self::default_for(d),
        }
    }

    /// Parses and validates the configuration JSON.
    ///
    /// # Errors
    ///
    /// [`AllocError::Parse`] if the text is not the layout, else any [`AllocConfig::validate`]
    /// error.
    pub fn from_json(text: &str) -> Result<Self, AllocError> {
        let c: Self = serde_json::from_str(text).map_err(|e| AllocError::Parse {
            reason: e.to_string(),
        })?;
        c.validate()?;
        Ok(c)
    }

    /// The configuration as compact JSON (the value of the `alloc_config` setting).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The configuration as the `alloc_config` setting.
    pub fn to_setting(&self) -> Setting {
        Setting {
            key: SETTING_KEY.to_owned(),
            value: self.to_json(),
        }
    }

    /// Puts the lists in canonical order: category rules by code, kind rules by kind and
    /// their categories by code. Allocation does not depend on this order.
    pub fn normalize(&mut self) {
        self.categories.sort_by_dyn(|a, b| a.code.cmp(&b.code));
        self.kinds
            .sort_by_key_dyn(|k| KINDS.iter().position(|x| *x == k.kind).unwrap_or(KINDS.len()));
        for k in &mut self.kinds {
            k.categories.sort_dyn();
        }
    }

    /// Whether the lists are in canonical order already (see [`AllocConfig::normalize`]).
    pub fn is_normalized(&self) -> bool {
        let rank = |k: &KindRule| KINDS.iter().position(|x| *x == k.kind).unwrap_or(KINDS.len());
        self.categories.windows(2).all(|w| w[0].code <= w[1].code)
            && self.kinds.windows(2).all(|w| rank(&w[0]) <= rank(&w[1]))
            && self.kinds.iter().all(|k| k.categories.is_sorted())
    }

    /// The rule of a category: its configured rule, else [`CategoryRule::default_for`].
    pub fn rule(&self, code: &str) -> Cow<'_, CategoryRule> {
        match self.categories.binary_search_by(|r| r.code.as_str().cmp(code)) {
            Ok(i) => Cow::Borrowed(&self.categories[i]),
            Err(_) => match self.categories.iter().find(|r| r.code == code) {
                Some(r) => Cow::Borrowed(r),
                None => Cow::Owned(CategoryRule::default_for(code)),
            },
        }
    }

    /// Checks every field. Errors name the setting and the field, e.g.
    /// `setting ``alloc_config``: base_bp + flexible_bp: …`.
    ///
    /// # Errors
    ///
    /// [`AllocError::Config`] for the first invalid field: an unsupported version, a reserve
    /// above 50 %, base and flexible shares or demand weights not adding up to exactly 10000,
    /// factors out of range, an invalid or duplicate category rule, floors adding up to more
    /// than 100 %, a floor above its cap, amounts out of range, a cost-sharing rule not adding
    /// up to 10000.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::alloc::AllocConfig;
    /// let mut c = AllocConfig::default();
    /// assert!(c.validate().is_ok());
    /// c.demand.waiting_bp = 2000;
    /// let err = c.validate().unwrap_err().to_string();
    /// assert_eq!(
    ///     err,
    ///     "setting `alloc_config`: demand: the weights add up to 9000 basis points (90.00%); \
    ///      they must add up to exactly 10000 (100%)"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), AllocError> {
        let bad = |field: &str, reason: String| {
            Err(AllocError::Config {
                field: field.to_owned(),
                reason,
            })
        };
        let sum_reason = |sum: u64| {
            format!(
                "the weights add up to {sum} basis points ({}); they must add up to exactly 10000 (100%)",
                crate::needs::percent_of_bp(sum)
            )
        };
        if self.version == 0 || self.version > CONFIG_VERSION {
            return bad(
                "version",
                format!(
                    "version {} is not supported (this build reads up to version {CONFIG_VERSION})",
                    self.version
                ),
            );
        }
        if self.reserve_bp > MAX_RESERVE_BP {
            return bad(
                "reserve_bp",
                format!(
                    "the reserve must be 0 to {MAX_RESERVE_BP} basis points (50%), found {}",
                    self.reserve_bp
                ),
            );
        }
        let split = u64::from(self.base_bp) + u64::from(self.flexible_bp);
        if split != u64::from(BP) {
            return bad(
                "base_bp + flexible_bp",
                format!(
                    "the base and flexible pools add up to {split} basis points ({}); they must add up to exactly 10000 (100%)",
                    crate::needs::percent_of_bp(split)
                ),
            );
        }
        let d = &self.demand;
        let dsum = u64::from(d.need_score_bp)
            + u64::from(d.waiting_bp)
            + u64::from(d.requests_bp)
            + u64::from(d.population_change_bp);
        if dsum != u64::from(BP) {
            return bad("demand", sum_reason(dsum));
        }
        for (field, v) in [
            ("urgency.low_bp", self.urgency.low_bp),
            ("urgency.medium_bp", self.urgency.medium_bp),
            ("urgency.high_bp", self.urgency.high_bp),
        ] {
            if v == 0 || v > MAX_FACTOR_BP {
                return bad(
                    field,
                    format!("a factor must be 1 to {MAX_FACTOR_BP} basis points (×10), found {v}"),
                );
            }
        }
        if let Some(m) = self.max_change_bp {
            if m == 0 || m > BP {
                return bad(
                    "max_change_bp",
                    format!("the change limit must be 1 to 10000 basis points, found {m}"),
                );
            }
        }
        if self.categories.len() > MAX_CATEGORIES {
            return bad(
                "categories",
                format!(
                    "at most {MAX_CATEGORIES} categories, found {}",
                    self.categories.len()
                ),
            );
        }
        let mut codes = HashSet::new();
        let mut floors = 0u64;
        for (i, r) in self.categories.iter().enumerate() {
            let field = |f: &str| {
                if r.code.is_empty() {
                    format!("categories[{i}].{f}")
                } else {
                    format!("categories.{}.{f}", r.code)
                }
            };
            if r.code.trim().is_empty() {
                return bad(&format!("categories[{i}].code"), "the code is empty".to_owned());
            }
            if !codes.insert(r.code.as_str()) {
                return bad(&field("code"), format!("category `{}` has two rules", r.code));
            }
            if let Err(reason) = r.eligibility.check() {
                return bad(&field("eligibility"), reason);
            }
            if r.unit_weight > MAX_UNIT_WEIGHT {
                return bad(
                    &field("unit_weight"),
                    format!("must be 0 to {MAX_UNIT_WEIGHT}, found {}", r.unit_weight),
                );
            }
            if r.cap_bp > BP {
                return bad(
                    &field("cap_bp"),
                    format!("must be 0 to 10000 basis points, found {}", r.cap_bp),
                );
            }
            if r.floor_bp > r.cap_bp {
                return bad(
                    &field("floor_bp"),
                    format!("the floor {} is above the cap {}", r.floor_bp, r.cap_bp),
                );
            }
            if !(0..=MAX_AMOUNT).contains(&r.min_fen) {
                return bad(
                    &field("min_fen"),
                    format!("must be 0 to {MAX_AMOUNT} fen, found {}", r.min_fen),
                );
            }
            if r.reach_bp == 0 || r.reach_bp > MAX_FACTOR_BP {
                return bad(
                    &field("reach_bp"),
                    format!(
                        "a factor must be 1 to {MAX_FACTOR_BP} basis points (×10), found {}",
                        r.reach_bp
                    ),
                );
            }
            floors += u64::from(r.floor_bp);
        }
        if floors > u64::from(BP) {
            return bad(
                "categories.*.floor_bp",
                format!(
                    "the floors add up to {floors} basis points ({}), more than 10000 (100%)",
                    crate::needs::percent_of_bp(floors)
                ),
            );
        }
        let mut kinds = HashSet::new();
        for k in &self.kinds {
            let name = kind_code(k.kind);
            if !kinds.insert(name) {
                return bad(&format!("kinds.{name}"), "the kind is listed twice".to_owned());
            }
            let mut seen = HashSet::new();
            for c in &k.categories {
                if c.trim().is_empty() || !seen.insert(c.as_str()) {
                    return bad(
                        &format!("kinds.{name}.categories"),
                        format!("category `{c}` is empty or listed twice"),
                    );
                }
            }
        }
        for (name, rule) in [
            ("basic", &self.cost_sharing.basic),
            ("improvement", &self.cost_sharing.improvement),
            ("special", &self.cost_sharing.special),
            ("reserve", &self.cost_sharing.reserve),
        ] {
            let field = format!("cost_sharing.{name}");
            if rule.is_empty() {
                return bad(&field, "at least one funder is needed".to_owned());
            }
            let mut seen = HashSet::new();
            let mut sum = 0u64;
            for s in rule {
                if s.funder.trim().is_empty() || !seen.insert(s.funder.as_str()) {
                    return bad(&field, format!("funder `{}` is empty or listed twice", s.funder));
                }
                sum += u64::from(s.bp);
            }
            if sum != u64::from(BP) {
                return bad(&field, sum_reason(sum));
            }
        }
        let f = &self.fairness;
        if f.capture_ratio_bp < BP || f.capture_ratio_bp > 1_000_000 {
            return bad(
                "fairness.capture_ratio_bp",
                format!(
                    "must be 10000 (×1) to 1000000 (×100), found {}",
                    f.capture_ratio_bp
                ),
            );
        }
        if f.capture_min_share_bp > BP {
            return bad(
                "fairness.capture_min_share_bp",
                format!("must be 0 to 10000, found {}", f.capture_min_share_bp),
            );
        }
        for (field, v) in [
            ("targets.mismatch_max_bp", self.targets.mismatch_max_bp),
            ("targets.utilisation_min_bp", self.targets.utilisation_min_bp),
        ] {
            if v > BP {
                return bad(field, format!("must be 0 to 10000, found {v}"));
            }
        }
        Ok(())
    }
}

/// The serde code of a resource kind: `money`, `slots`, `room_hours`.
pub fn kind_code(k: ResourceKind) -> &'static str {
    match k {
        ResourceKind::Money => "money",
        ResourceKind::Slots => "slots",
        ResourceKind::RoomHours => "room_hours",
    }
}

/// The unit of a resource kind: `fen`, `slots`, `hours`.
pub fn kind_unit(k: ResourceKind) -> &'static str {
    match k {
        ResourceKind::Money => "fen",
        ResourceKind::Slots => "slots",
        ResourceKind::RoomHours => "hours",
    }
}

/// Kinds in their fixed order.
pub const KINDS: [ResourceKind; 3] = [ResourceKind::Money, ResourceKind::Slots, ResourceKind::RoomHours];
