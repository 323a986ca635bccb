//! Household indicators: what a rule looks at, and how it is counted.
//!
//! Every [`Indicator`] turns a household into a **count** (a whole number ≥ 0):
//! member indicators count the members that match (e.g. members aged 80+),
//! household indicators are 0 or 1 (e.g. the household lives on 低保). All
//! indicators are *monotone in deprivation*: a member falling ill, becoming
//! disabled or developing dementia, a household dropping to 低边 or 低保, to a
//! lower income band, to worse housing or to lower willingness never lowers any
//! count. That is what makes scores monotone (see the property tests).
//!
//! Ages are `year − birth_year`, with `year` passed in by the caller (the domain
//! has no clock).
//!
//! For speed, a household is first summarised once into [`Facts`] (one pass over
//! its members and needs); each rule is then an O(1) look-up in those facts. The
//! same code path serves scoring and explanation, so both always agree.

use serde::{Deserialize, Serialize};

use crate::model::{
    Employment, Household, HousingCondition, IncomeBand, Subsistence, Tenure, Urgency, Willingness,
};

/// Most distinct age thresholds one matrix (or one AF configuration) may use.
pub const MAX_AGE_THRESHOLDS: usize = 8;
/// Most distinct need categories one matrix (or one AF configuration) may name.
pub const MAX_CATEGORIES: usize = 8;
/// Highest age an indicator may name.
pub const MAX_AGE: u8 = 130;

/// What a rule looks at in a household. Serialised with a `kind` tag in
/// `snake_case`, e.g. `{"kind":"members_aged","min_age":80}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Indicator {
    /// Count of members aged `min_age` or over.
    MembersAged { min_age: u8 },
    /// Count of members younger than `age` (e.g. `age: 6` = children under 6).
    ChildrenUnder { age: u8 },
    /// 1 if the household has members and all are aged `min_age` or over.
    ElderlyOnly { min_age: u8 },
    /// 1 if the household is one person living alone (`Household::lives_alone`).
    LivesAlone,
    /// 1 if the household lives alone and a member is aged `min_age` or over (空巢独居).
    ElderLivingAlone { min_age: u8 },
    /// 1 if the household has `min_members` members or more.
    HouseholdSize { min_members: u8 },
    /// Count of members with a chronic illness.
    ChronicIllness,
    /// Count of members with a disability of grade 1 (most severe) to `max_grade`
    /// (`4` = any disability). A recorded grade above 4 counts as 4, grade 0 as 1.
    Disability { max_grade: u8 },
    /// Count of members with dementia.
    Dementia,
    /// 1 if the subsistence status is at least `at_least`, in the order
    /// none < 低边 (`dibian`) < 低保 (`dibao`): `dibian` matches 低边 and 低保.
    Subsistence { at_least: Subsistence },
    /// 1 if the income band is `band` or lower (low < lower_middle < middle < upper).
    IncomeAtMost { band: IncomeBand },
    /// Count of unemployed members.
    Unemployed,
    /// 1 if housing is `condition` or worse (poor < fair < good).
    HousingAtMost { condition: HousingCondition },
    /// 1 if the household's tenure is `tenure`.
    Tenure { tenure: Tenure },
    /// 1 if willingness to take part is `level` or lower (none < low < medium < high).
    WillingnessAtMost { level: Willingness },
    /// Count of service needs with urgency `min_urgency` or higher, of `category`
    /// if given (a need category code such as `disability`), else of any category.
    Needs {
        min_urgency: Urgency,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
    },
    /// 1 if the household lives alone and a member has dementia, a disability of
    /// grade 1–2, or is aged `min_age` or over (独居且需照护).
    AloneWithCareNeed { min_age: u8 },
}

fn income_zh(b: IncomeBand) -> &'static str {
    match b {
        IncomeBand::Low => "低收入",
        IncomeBand::LowerMiddle => "中低收入",
        IncomeBand::Middle => "中等收入",
        IncomeBand::Upper => "较高收入",
    }
}

fn housing_zh(c: HousingCondition) -> &'static str {
    match c {
        HousingCondition::Poor => "差",
        HousingCondition::Fair => "一般",
        HousingCondition::Good => "良好",
    }
}

fn willingness_zh(w: Willingness) -> &'static str {
    match w {
        Willingness::None => "无",
        Willingness::Low => "低",
        Willingness::Medium => "中",
        Willingness::High => "高",
    }
}

fn urgency_zh(u: Urgency) -> &'static str {
    match u {
        Urgency::Low => "低",
        Urgency::Medium => "中",
        Urgency::High => "高",
    }
}

fn tenure_zh(t: Tenure) -> &'static str {
    match t {
        Tenure::Owner => "业主",
        Tenure::Tenant => "租户",
        Tenure::PublicRental => "公租房",
    }
}

/// The serde `snake_case` code of a unit-like enum value, for English labels.
fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Indicator {
    /// A short Chinese description, e.g. `80岁及以上成员（人数）`.
    pub fn label_zh(&self) -> String {
        match self {
            Self::MembersAged { min_age } => format!("{min_age}岁及以上成员（人数）"),
            Self::ChildrenUnder { age } => format!("{age}岁以下儿童（人数）"),
            Self::ElderlyOnly { min_age } => format!("全部成员{min_age}岁及以上"),
            Self::LivesAlone => "独居".to_owned(),
            Self::ElderLivingAlone { min_age } => format!("{min_age}岁及以上独居"),
            Self::HouseholdSize { min_members } => format!("家庭人口{min_members}人及以上"),
            Self::ChronicIllness => "慢性病成员（人数）".to_owned(),
            Self::Disability { max_grade } => {
                if *max_grade >= 4 {
                    "残疾成员（人数）".to_owned()
                } else {
                    format!("{max_grade}级及以上重度残疾成员（人数）")
                }
            }
            Self::Dementia => "失智成员（人数）".to_owned(),
            Self::Subsistence { at_least } => match at_least {
                Subsistence::Dibao => "低保户".to_owned(),
                Subsistence::Dibian => "低保或低边户".to_owned(),
                Subsistence::None => "任何救助状态".to_owned(),
            },
            Self::IncomeAtMost { band } => format!("收入{}及以下", income_zh(*band)),
            Self::Unemployed => "失业成员（人数）".to_owned(),
            Self::HousingAtMost { condition } => format!("住房条件{}或更差", housing_zh(*condition)),
            Self::Tenure { tenure } => format!("居住方式：{}", tenure_zh(*tenure)),
            Self::WillingnessAtMost { level } => format!("参与意愿{}或更低", willingness_zh(*level)),
            Self::Needs {
                min_urgency,
                category,
            } => match category {
                Some(c) => format!(
                    "{}类需求，紧急程度{}及以上（项数）",
                    category_name(c, true),
                    urgency_zh(*min_urgency)
                ),
                None => format!("服务需求，紧急程度{}及以上（项数）", urgency_zh(*min_urgency)),
            },
            Self::AloneWithCareNeed { min_age } => {
                format!("独居且需照护（失智、1–2级残疾或{min_age}岁及以上）")
            }
        }
    }

    /// A short English description, e.g. `members aged 80+ (count)`.
    pub fn label_en(&self) -> String {
        match self {
            Self::MembersAged { min_age } => format!("members aged {min_age}+ (count)"),
            Self::ChildrenUnder { age } => format!("children under {age} (count)"),
            Self::ElderlyOnly { min_age } => format!("all members aged {min_age}+"),
            Self::LivesAlone => "lives alone".to_owned(),
            Self::ElderLivingAlone { min_age } => format!("aged {min_age}+ living alone"),
            Self::HouseholdSize { min_members } => format!("{min_members} or more members"),
            Self::ChronicIllness => "members with a chronic illness (count)".to_owned(),
            Self::Disability { max_grade } => {
                if *max_grade >= 4 {
                    "members with a disability (count)".to_owned()
                } else {
                    format!("members with a disability of grade 1–{max_grade} (count)")
                }
            }
            Self::Dementia => "members with dementia (count)".to_owned(),
            Self::Subsistence { at_least } => match at_least {
                Subsistence::Dibao => "minimum living allowance (dibao)".to_owned(),
                Subsistence::Dibian => "dibao or marginal low income (dibian)".to_owned(),
                Subsistence::None => "any subsistence status".to_owned(),
            },
            Self::IncomeAtMost { band } => format!("income band {} or lower", code(band)),
            Self::Unemployed => "unemployed members (count)".to_owned(),
            Self::HousingAtMost { condition } => format!("housing {} or worse", code(condition)),
            Self::Tenure { tenure } => format!("tenure: {}", code(tenure)),
            Self::WillingnessAtMost { level } => format!("willingness {} or lower", code(level)),
            Self::Needs {
                min_urgency,
                category,
            } => match category {
                Some(c) => format!(
                    "{} needs of urgency {}+ (count)",
                    category_name(c, false),
                    code(min_urgency)
                ),
                None => format!("service needs of urgency {}+ (count)", code(min_urgency)),
            },
            Self::AloneWithCareNeed { min_age } => {
                format!("living alone with a care need (dementia, disability grade 1–2 or aged {min_age}+)")
            }
        }
    }

    /// Why the indicator's parameters are invalid, if they are.
    pub(crate) fn check(&self) -> Result<(), String> {
        let age = |a: u8| {
            if a > MAX_AGE {
                Err(format!("age {a} is above {MAX_AGE}"))
            } else {
                Ok(())
            }
        };
        match self {
            Self::MembersAged { min_age }
            | Self::ElderlyOnly { min_age }
            | Self::ElderLivingAlone { min_age }
            | Self::AloneWithCareNeed { min_age } => age(*min_age),
            Self::ChildrenUnder { age: a } => age(*a),
            Self::Disability { max_grade } if !(1..=4).contains(max_grade) => {
                Err(format!("disability max_grade must be 1 to 4, found {max_grade}"))
            }
            Self::HouseholdSize { min_members: 0 } => {
                Err("household_size min_members must be at least 1".to_owned())
            }
            Self::Needs {
                category: Some(c), ..
            } if c.trim().is_empty() => Err("needs category must not be empty".to_owned()),
            _ => Ok(()),
        }
    }

    /// The count of this indicator for `household` in `year`, computed directly
    /// (slowly) without a compiled plan.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::needs::Indicator;
    /// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
    ///     households: 10,
    ///     ..Default::default()
    /// });
    /// let h = &d.households[0];
    /// let n = Indicator::MembersAged { min_age: 0 }.count(h, 2026);
    /// assert_eq!(usize::from(n), h.members.len());
    /// ```
    pub fn count(&self, household: &Household, year: i64) -> u16 {
        let mut plan = FactPlan::default();
        match plan.compile(self) {
            Ok(c) => c.count(&plan.facts(household, year)),
            Err(_) => 0,
        }
    }
}

// Layout of the flat fact vector: every indicator a plan can compile is one slot.
const S_MEMBERS: usize = 0;
const S_ALONE: usize = 1;
const S_CHRONIC: usize = 2;
/// `S_DISABILITY + g − 1`: members with a disability of grade 1..=g, g = 1..=4.
const S_DISABILITY: usize = 3;
const S_DEMENTIA: usize = 7;
const S_UNEMPLOYED: usize = 8;
/// `S_NEEDS + u`: needs of urgency rank ≥ u.
const S_NEEDS: usize = 9;
/// `S_SUBSISTENCE + r`: subsistence rank ≥ r.
const S_SUBSISTENCE: usize = 12;
/// `S_INCOME + r`: income rank ≤ r.
const S_INCOME: usize = 15;
/// `S_HOUSING + r`: housing rank ≤ r.
const S_HOUSING: usize = 19;
/// `S_WILLINGNESS + r`: willingness rank ≤ r.
const S_WILLINGNESS: usize = 22;
/// `S_TENURE + t`: tenure is t.
const S_TENURE: usize = 26;
/// `S_AGE + AGE_SLOTS·i + k`, age threshold i: k = 0 members aged ≥ t, 1 members
/// younger than t, 2 all members aged ≥ t, 3 lives alone and a member aged ≥ t,
/// 4 lives alone with a care need (dementia, grade 1–2 disability or aged ≥ t).
const S_AGE: usize = 29;
const AGE_SLOTS: usize = 5;
/// `S_SIZE + i`: at least `sizes[i]` members.
const S_SIZE: usize = S_AGE + AGE_SLOTS * MAX_AGE_THRESHOLDS;
const MAX_SIZES: usize = 8;
/// `S_CATEGORY + 3·c + u`: needs of category c with urgency rank ≥ u.
const S_CATEGORY: usize = S_SIZE + MAX_SIZES;
const SLOTS_USED: usize = S_CATEGORY + 3 * MAX_CATEGORIES;
/// Slots allocated: a power of two, so that a `u8 & MASK` index needs no bounds check.
const SLOTS: usize = 128;
const MASK: usize = SLOTS - 1;
const _: () = assert!(SLOTS_USED <= SLOTS);

/// Which age thresholds, household sizes and need categories a set of indicators
/// looks at.
#[derive(Debug, Clone, Default)]
pub(crate) struct FactPlan {
    ages: Vec<u8>,
    sizes: Vec<u8>,
    categories: Vec<String>,
}

/// The compiled form of an [`Indicator`]: its slot in the [`Facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compiled(u8);

/// A household summarised for rule evaluation: one count per slot.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    v: [u16; SLOTS],
    /// The year `born_by` was computed for.
    year: Option<i64>,
    /// [`FactPlan::born_by`] of `year`, kept across households.
    born_by: [i32; MAX_AGE_THRESHOLDS],
}

fn index_of<T: PartialEq + ?Sized, U: std::borrow::Borrow<T>>(
    list: &mut Vec<U>,
    item: &T,
    make: impl FnOnce() -> U,
    max: usize,
    what: &str,
) -> Result<usize, String> {
    if let Some(i) = list.iter().position(|x| x.borrow() == item) {
        return Ok(i);
    }
    if list.len() >= max {
        return Err(format!("more than {max} different {what} are used"));
    }
    list.push(make());
    Ok(list.len() - 1)
}

impl FactPlan {
    fn age(&mut self, age: u8, k: usize) -> Result<usize, String> {
        let i = index_of(&mut self.ages, &age, || age, MAX_AGE_THRESHOLDS, "age thresholds")?;
        Ok(S_AGE + AGE_SLOTS * i + k)
    }

    /// Checks `indicator` and compiles it, registering the thresholds it needs.
    pub(crate) fn compile(&mut self, indicator: &Indicator) -> Result<Compiled, String> {
        indicator.check()?;
        let slot = match indicator {
            Indicator::MembersAged { min_age } => self.age(*min_age, 0)?,
            Indicator::ChildrenUnder { age } => self.age(*age, 1)?,
            Indicator::ElderlyOnly { min_age } => self.age(*min_age, 2)?,
            Indicator::ElderLivingAlone { min_age } => self.age(*min_age, 3)?,
            Indicator::AloneWithCareNeed { min_age } => self.age(*min_age, 4)?,
            Indicator::LivesAlone => S_ALONE,
            Indicator::HouseholdSize { min_members } => {
                let n = *min_members;
                S_SIZE + index_of(&mut self.sizes, &n, || n, MAX_SIZES, "household sizes")?
            }
            Indicator::ChronicIllness => S_CHRONIC,
            Indicator::Disability { max_grade } => S_DISABILITY + usize::from(*max_grade) - 1,
            Indicator::Dementia => S_DEMENTIA,
            Indicator::Subsistence { at_least } => S_SUBSISTENCE + usize::from(at_least.rank()),
            Indicator::IncomeAtMost { band } => S_INCOME + usize::from(band.rank()),
            Indicator::Unemployed => S_UNEMPLOYED,
            Indicator::HousingAtMost { condition } => S_HOUSING + usize::from(condition.rank()),
            Indicator::Tenure { tenure } => S_TENURE + usize::from(tenure.rank()),
            Indicator::WillingnessAtMost { level } => S_WILLINGNESS + usize::from(level.rank()),
            Indicator::Needs {
                min_urgency,
                category: None,
            } => S_NEEDS + usize::from(min_urgency.rank()),
            Indicator::Needs {
                min_urgency,
                category: Some(c),
            } => {
                let i = index_of(
                    &mut self.categories,
                    c.as_str(),
                    || c.clone(),
                    MAX_CATEGORIES,
                    "need categories",
                )?;
                S_CATEGORY + 3 * i + usize::from(min_urgency.rank())
            }
        };
        debug_assert!(slot < SLOTS_USED);
        Ok(Compiled(slot as u8))
    }

    /// Summarises `h` in one pass over its members and needs.
    pub(crate) fn facts(&self, h: &Household, year: i64) -> Facts {
        let mut f = Facts::new();
        self.fill::<true>(h, year, &mut f);
        f
    }

    /// Summarises `h` into `f`, reusing its storage: every slot that a compiled indicator
    /// of this plan can read is written (slots of other plans may hold stale values). A
    /// buffer must only be reused with one plan.
    #[inline(always)]
    ///
    /// Without `SCALARS`, the slots of household-level fields (subsistence, income,
    /// housing, willingness, tenure) are left alone: [`super::Scorer`] reads those through
    /// its lookup table instead.
    pub(crate) fn fill<const SCALARS: bool>(&self, h: &Household, year: i64, f: &mut Facts) {
        let members = u16::try_from(h.members.len()).unwrap_or(u16::MAX);
        let mut age_ge = [0u16; MAX_AGE_THRESHOLDS];
        let mut disability = [0u16; 5];
        let (mut chronic, mut dementia, mut unemployed) = (0u16, 0u16, 0u16);
        let ages = &self.ages[..self.ages.len().min(MAX_AGE_THRESHOLDS)];
        // Birth years instead of ages: aged ≥ t ⇔ born in or before year − t. Unused
        // thresholds are i32::MIN (nobody), so the loop has a fixed length.
        if f.year != Some(year) {
            f.born_by = self.born_by(year);
            f.year = Some(year);
        }
        let born_by = f.born_by;
        let v = &mut f.v;
        for m in &h.members {
            let born = i32::from(m.birth_year);
            for (slot, &b) in age_ge.iter_mut().zip(&born_by) {
                *slot = slot.saturating_add(u16::from(born <= b));
            }
            chronic = chronic.saturating_add(u16::from(m.chronic_illness));
            if let Some(g) = m.disability_grade {
                let g = usize::from(g.clamp(1, 4));
                disability[g] = disability[g].saturating_add(1);
            }
            dementia = dementia.saturating_add(u16::from(m.dementia));
            unemployed = unemployed.saturating_add(u16::from(m.employment == Employment::Unemployed));
        }
        let alone = h.lives_alone;
        v[S_MEMBERS] = members;
        v[S_ALONE] = u16::from(alone);
        v[S_CHRONIC] = chronic;
        let mut cum = 0u16;
        for g in 1..5 {
            cum = cum.saturating_add(disability[g]);
            v[S_DISABILITY + g - 1] = cum;
        }
        v[S_DEMENTIA] = dementia;
        v[S_UNEMPLOYED] = unemployed;
        let care = dementia > 0 || v[S_DISABILITY + 1] > 0;
        for (i, &ge) in age_ge.iter().enumerate().take(ages.len()) {
            let b = S_AGE + AGE_SLOTS * i;
            v[b] = ge;
            v[b + 1] = members.saturating_sub(ge);
            v[b + 2] = u16::from(members > 0 && ge >= members);
            v[b + 3] = u16::from(alone && ge > 0);
            v[b + 4] = u16::from(alone && (care || ge > 0));
        }
        for (i, &n) in self.sizes.iter().enumerate().take(MAX_SIZES) {
            v[S_SIZE + i] = u16::from(members >= u16::from(n));
        }
        if SCALARS {
            let s = h.subsistence.rank();
            for r in 0..3u8 {
                v[S_SUBSISTENCE + usize::from(r)] = u16::from(s >= r);
            }
            let inc = h.income_band.rank();
            for r in 0..4u8 {
                v[S_INCOME + usize::from(r)] = u16::from(inc <= r);
            }
            let hs = h.housing.rank();
            for r in 0..3u8 {
                v[S_HOUSING + usize::from(r)] = u16::from(hs <= r);
            }
            let w = h.willingness.rank();
            for r in 0..4u8 {
                v[S_WILLINGNESS + usize::from(r)] = u16::from(w <= r);
            }
            let t = usize::from(h.tenure.rank());
            for r in 0..3 {
                v[S_TENURE + r] = u16::from(t == r);
            }
        }
        let cats = &self.categories[..self.categories.len().min(MAX_CATEGORIES)];
        v[S_NEEDS..S_NEEDS + 3].fill(0);
        v[S_CATEGORY..S_CATEGORY + 3 * cats.len()].fill(0);
        for n in &h.needs {
            let u = n.urgency.rank();
            let add = [1, u16::from(u >= 1), u16::from(u >= 2)];
            for (k, a) in add.iter().enumerate() {
                v[S_NEEDS + k] = v[S_NEEDS + k].saturating_add(*a);
            }
            if let Some(c) = cats.iter().position(|c| *c == n.category) {
                for (k, a) in add.iter().enumerate() {
                    let i = S_CATEGORY + 3 * c + k;
                    v[i] = v[i].saturating_add(*a);
                }
            }
        }
    }
}

impl FactPlan {
    /// For each age threshold slot, the latest birth year of a member of that age in
    /// `year` (`i32::MIN`, nobody, for unused slots). Birth years are `u16`, so clamping
    /// to `i32` changes no comparison.
    #[inline(always)]
    fn born_by(&self, year: i64) -> [i32; MAX_AGE_THRESHOLDS] {
        let mut b = [i32::MIN; MAX_AGE_THRESHOLDS];
        for (slot, &t) in b.iter_mut().zip(&self.ages) {
            let y = year.saturating_sub(i64::from(t));
            *slot = y.clamp(i64::from(i32::MIN) + 1, i64::from(i32::MAX)) as i32;
        }
        b
    }
}

impl Facts {
    /// All slots zero.
    pub(crate) fn new() -> Self {
        Self {
            v: [0; SLOTS],
            year: None,
            born_by: [i32::MIN; MAX_AGE_THRESHOLDS],
        }
    }
}

/// Rows of a lookup table over the household-level fields: subsistence (3 values),
/// income (4), housing (3), willingness (4), tenure (3), lives alone (2).
pub(crate) const SCALAR_ROWS: usize = 19;
const R_SUBSISTENCE: usize = 0;
const R_INCOME: usize = 3;
const R_HOUSING: usize = 7;
const R_WILLINGNESS: usize = 10;
const R_TENURE: usize = 14;
const R_ALONE: usize = 17;

/// The table rows of `h`'s household-level fields, one per field.
#[inline(always)]
pub(crate) fn scalar_rows(h: &Household) -> [usize; 6] {
    [
        R_SUBSISTENCE + usize::from(h.subsistence.rank()),
        R_INCOME + usize::from(h.income_band.rank()),
        R_HOUSING + usize::from(h.housing.rank()),
        R_WILLINGNESS + usize::from(h.willingness.rank()),
        R_TENURE + usize::from(h.tenure.rank()),
        R_ALONE + usize::from(h.lives_alone),
    ]
}

impl Compiled {
    /// For an indicator of household-level fields only (its count is 0 or 1 and depends
    /// on one field), the table rows where it counts 1; `None` for any other indicator.
    pub(crate) fn scalar_rows(self) -> Option<[bool; SCALAR_ROWS]> {
        let s = usize::from(self.0);
        let mut m = [false; SCALAR_ROWS];
        let mut set = |base: usize, values: usize, hit: &dyn Fn(usize) -> bool| {
            for x in 0..values {
                m[base + x] = hit(x);
            }
        };
        match s {
            S_ALONE => set(R_ALONE, 2, &|x| x == 1),
            _ if (S_SUBSISTENCE..S_SUBSISTENCE + 3).contains(&s) => {
                set(R_SUBSISTENCE, 3, &|x| x >= s - S_SUBSISTENCE)
            }
            _ if (S_INCOME..S_INCOME + 4).contains(&s) => set(R_INCOME, 4, &|x| x <= s - S_INCOME),
            _ if (S_HOUSING..S_HOUSING + 3).contains(&s) => set(R_HOUSING, 3, &|x| x <= s - S_HOUSING),
            _ if (S_WILLINGNESS..S_WILLINGNESS + 4).contains(&s) => {
                set(R_WILLINGNESS, 4, &|x| x <= s - S_WILLINGNESS)
            }
            _ if (S_TENURE..S_TENURE + 3).contains(&s) => set(R_TENURE, 3, &|x| x == s - S_TENURE),
            _ => return None,
        }
        Some(m)
    }

    /// The indicator's count in `f`.
    #[inline(always)]
    pub(crate) fn count(self, f: &Facts) -> u16 {
        f.v[usize::from(self.0) & MASK]
    }
}

/// Households per batch in `score_all` and `af::evaluate`.
pub(crate) const BATCH: usize = 32;

/// Loads the members and needs (and with `GROUP` the group name) of every household of
/// `chunk`, so that their cache lines are on the way before they are scored (a safe
/// stand-in for a prefetch instruction: the crate forbids `unsafe`).
#[inline(always)]
pub(crate) fn touch<const GROUP: bool>(chunk: &[Household]) {
    let mut acc = 0u32;
    for h in chunk {
        if GROUP {
            acc ^= u32::from(h.group.as_bytes().first().copied().unwrap_or(0));
        }
        // First, middle and last: no loop (and no mispredicted loop exit); a household's
        // members rarely span more than three cache lines.
        let m = &h.members;
        if let (Some(a), Some(b), Some(c)) = (m.first(), m.get(m.len() / 2), m.last()) {
            acc ^= u32::from(a.birth_year) ^ u32::from(b.birth_year) ^ u32::from(c.birth_year);
        }
        if let (Some(a), Some(b)) = (h.needs.first(), h.needs.last()) {
            acc ^= a.urgency as u32 ^ b.urgency as u32;
        }
    }
    std::hint::black_box(acc);
}

/// The name of a need category code among the standard categories
/// ([`crate::demo::default_categories`]), the code itself for another one:
/// a label reads "养老服务类需求", not "elderly_care类需求".
fn category_name(code: &str, zh: bool) -> String {
    crate::demo::default_categories()
        .into_iter()
        .find(|c| c.code == code)
        .map_or_else(|| code.to_owned(), |c| if zh { c.name_zh } else { c.name_en })
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn a_standard_category_is_named_not_coded() {
        for c in crate::demo::default_categories() {
            let ind = Indicator::Needs {
                min_urgency: crate::model::Urgency::High,
                category: Some(c.code.clone()),
            };
            assert!(
                ind.label_zh().starts_with(&format!("{}类需求", c.name_zh)),
                "{}",
                ind.label_zh()
            );
            assert!(!ind.label_zh().contains(&c.code), "{}", ind.label_zh());
            assert!(ind.label_en().starts_with(&c.name_en), "{}", ind.label_en());
        }
    }
}
