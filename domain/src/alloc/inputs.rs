//! The inputs of an allocation run: what the register, the requests, the spending and the
//! previous run say about one period, aggregated per category, group and grid.

use crate::order::SortDyn;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::date::{day_start_millis, days_from_civil};
use crate::model::{NeedClass, RequestStatus, Resource, ResourceKind};
use crate::needs::{Indicator, NeedsMatrix, Scorer};

use super::config::{categories_of, kind_code, AllocConfig, KINDS, MAX_AMOUNT};
use super::eligibility::count;
use super::{AllocError, AllocationResult, RunInputs};

/// The version of the inputs layout.
pub const INPUTS_VERSION: u32 = 1;
/// Largest count (eligible people, needs scores, requests) an input may hold.
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// A quarter, `YYYY-Qn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i64,
    /// 1 to 4.
    pub quarter: u8,
}

impl Period {
    /// Parses `YYYY-Qn` (year 1900 to 9999, quarter 1 to 4).
    ///
    /// # Errors
    ///
    /// [`AllocError::Period`] if the text is not a quarter.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::alloc::Period;
    /// let p = Period::parse("2026-Q1").unwrap();
    /// assert_eq!(p.previous().to_string(), "2025-Q4");
    /// assert!(Period::parse("2026-Q5").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, AllocError> {
        let bad = || AllocError::Period {
            period: text.to_owned(),
            reason: "a period is a quarter written YYYY-Qn, e.g. 2026-Q3".to_owned(),
        };
        let (y, q) = text.split_once("-Q").ok_or_else(bad)?;
        if y.len() != 4 || q.len() != 1 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i64 = y.parse().map_err(|_| bad())?;
        let quarter: u8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&quarter) || year < 1900 {
            return Err(bad());
        }
        Ok(Self { year, quarter })
    }

    /// The quarter before.
    pub fn previous(self) -> Self {
        if self.quarter == 1 {
            Self {
                year: self.year - 1,
                quarter: 4,
            }
        } else {
            Self {
                year: self.year,
                quarter: self.quarter - 1,
            }
        }
    }

    /// Day number (since 1970-01-01) of the first day.
    pub fn start_days(self) -> i64 {
        days_from_civil(self.year, u32::from(self.quarter) * 3 - 2, 1)
    }

    /// Day number of the first day of the next quarter.
    pub fn end_days(self) -> i64 {
        if self.quarter == 4 {
            days_from_civil(self.year + 1, 1, 1)
        } else {
            days_from_civil(self.year, u32::from(self.quarter) * 3 + 1, 1)
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

/// The latest period (`YYYY-Qn`) that has resources, if any.
pub fn latest_period(d: &Dataset) -> Option<String> {
    d.resources
        .iter()
        .filter_map(|r| Period::parse(&r.period).ok())
        .max()
        .map(|p| p.to_string())
}

/// Where the previous period's figures come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum PreviousSource {
    /// No previous figures: no comparison, no change limit.
    None,
    /// The previous period's resources by their own category (the earmarked status quo).
    Resources,
    /// The stored allocation run with this id.
    Run { id: u32 },
}

/// One pool: a kind of resource of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolInput {
    pub kind: ResourceKind,
    /// Σ quantity of the period's resources of this kind (fen, slots or hours).
    pub total: i64,
    /// The resources it is made of.
    pub resources: Vec<u32>,
    /// The category codes that share it, sorted.
    pub categories: Vec<String>,
}

/// Registered needs of a category by urgency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrgencyCounts {
    pub low: u64,
    pub medium: u64,
    pub high: u64,
}

/// An amount of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindAmount {
    pub kind: ResourceKind,
    pub amount: i64,
}

/// Growth of the eligible population is counted in whole bands of this many
/// people: the sensitive minimum cell size of the disclosure rules
/// (`settings::disclosure`, never below 10). When no other category grew, the
/// growth component (10 % of the flexible pool by default) goes wholly to the
/// one that did; counted person by person, one newly disabled or newly 低保
/// resident would move that whole component, and the published amounts would
/// give that one person away. In bands, fewer than ten people never move it.
pub const GROWTH_BAND: u64 = 10;

/// The growth from `before` to `now` eligible people, in whole
/// [`GROWTH_BAND`]s (rounded down; 0 when the population shrank).
///
/// ```
/// use linli_domain::alloc::banded_growth;
/// assert_eq!(banded_growth(100, 109), 0);
/// assert_eq!(banded_growth(100, 110), 10);
/// assert_eq!(banded_growth(100, 127), 20);
/// assert_eq!(banded_growth(100, 90), 0);
/// ```
pub fn banded_growth(before: u64, now: u64) -> u64 {
    let grown = now.saturating_sub(before);
    grown - grown % GROWTH_BAND
}

/// What the data say about one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    pub code: String,
    pub class: NeedClass,
    /// Eligible headcount: Σ over households of the eligibility indicator's count.
    pub eligible: u64,
    /// `eligible` by group, in the order of [`AllocInputs::groups`]; adds up to `eligible`.
    pub eligible_by_group: Vec<u64>,
    /// `eligible` by grid, in the order of [`AllocInputs::grids`] (households in a building
    /// of no grid count in no grid).
    pub eligible_by_grid: Vec<u64>,
    /// Σ needs score (tenths) of the households with a need of the category.
    pub need_score: u64,
    /// `need_score` by group (adds up to `need_score`).
    pub need_score_by_group: Vec<u64>,
    /// `need_score` by grid.
    pub need_score_by_grid: Vec<u64>,
    /// Waiting list: households with a registered need of the category.
    pub waiting: u64,
    /// Requests of the category received in the period (not rejected, not duplicates).
    pub requests: u64,
    /// Growth of `eligible` since the previous run in whole bands of
    /// [`GROWTH_BAND`] people (0 if it shrank, grew by less than a band, or is
    /// unknown).
    pub population_change: u64,
    /// Registered needs by urgency.
    pub urgency: UrgencyCounts,
    /// Spending in the period on plans of the category, fen.
    pub spent_fen: i64,
    /// The previous period's amounts by kind (see [`AllocInputs::previous_source`]).
    pub previous: Vec<KindAmount>,
}

impl CategoryInput {
    /// The previous amount of a kind, if known.
    pub fn previous_of(&self, kind: ResourceKind) -> Option<i64> {
        self.previous.iter().find(|k| k.kind == kind).map(|k| k.amount)
    }
}

/// A resident group or a grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgroupInput {
    /// Group code or grid id.
    pub key: String,
    /// Display label (the grid's name; the group code).
    pub label: String,
    pub households: u64,
    pub residents: u64,
    /// Σ needs score (tenths) of its households.
    pub need_score: u64,
}

/// Everything an allocation run reads, aggregated: the stored, hashed input of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocInputs {
    /// [`INPUTS_VERSION`].
    pub version: u32,
    /// `YYYY-Qn`.
    pub period: String,
    pub previous_period: String,
    pub previous_source: PreviousSource,
    /// One per kind with resources in the period, in the order money, slots, room hours.
    pub pools: Vec<PoolInput>,
    /// Sorted by code.
    pub categories: Vec<CategoryInput>,
    /// Sorted by key.
    pub groups: Vec<SubgroupInput>,
    /// Sorted by key.
    pub grids: Vec<SubgroupInput>,
}

fn kind_rank(k: ResourceKind) -> usize {
    KINDS.iter().position(|x| *x == k).unwrap_or(KINDS.len())
}

fn invalid(reason: String) -> AllocError {
    AllocError::Inputs { reason }
}

/// Sorts `subgroups` by key and applies the same permutation to every category's vector.
fn sort_subgroups(
    subgroups: &mut Vec<SubgroupInput>,
    categories: &mut [CategoryInput],
    picks: &[fn(&mut CategoryInput) -> &mut Vec<u64>],
) {
    let mut order: Vec<usize> = (0..subgroups.len()).collect();
    order.sort_by_dyn(|&a, &b| subgroups[a].key.cmp(&subgroups[b].key));
    if order.iter().enumerate().all(|(i, &o)| i == o) {
        return;
    }
    let old = std::mem::take(subgroups);
    *subgroups = order.iter().map(|&i| old[i].clone()).collect();
    for c in categories {
        for pick in picks {
            let v = pick(c);
            if v.len() == order.len() {
                let old = std::mem::take(v);
                *v = order.iter().map(|&i| old[i]).collect();
            }
        }
    }
}

impl AllocInputs {
    /// Puts everything in canonical order: pools by kind, categories and each pool's
    /// categories by code, groups and grids by key (with the per-category vectors permuted
    /// alike). Two inputs with the same content compare and hash equal after `normalize`,
    /// whatever order they were built in.
    pub fn normalize(&mut self) {
        self.pools.sort_by_key_dyn(|p| kind_rank(p.kind));
        for p in &mut self.pools {
            p.categories.sort_dyn();
            p.resources.sort_unstable();
        }
        self.categories.sort_by_dyn(|a, b| a.code.cmp(&b.code));
        for c in &mut self.categories {
            c.previous.sort_by_key_dyn(|k| kind_rank(k.kind));
        }
        sort_subgroups(
            &mut self.groups,
            &mut self.categories,
            &[|c| &mut c.eligible_by_group, |c| &mut c.need_score_by_group],
        );
        sort_subgroups(
            &mut self.grids,
            &mut self.categories,
            &[|c| &mut c.eligible_by_grid, |c| &mut c.need_score_by_grid],
        );
    }

    /// Whether everything is in canonical order already (see [`AllocInputs::normalize`]).
    pub fn is_normalized(&self) -> bool {
        self.pools
            .windows(2)
            .all(|w| kind_rank(w[0].kind) <= kind_rank(w[1].kind))
            && self
                .pools
                .iter()
                .all(|p| p.categories.is_sorted() && p.resources.is_sorted())
            && self.categories.windows(2).all(|w| w[0].code <= w[1].code)
            && self.categories.iter().all(|c| {
                c.previous
                    .windows(2)
                    .all(|w| kind_rank(w[0].kind) <= kind_rank(w[1].kind))
            })
            && self.groups.windows(2).all(|w| w[0].key <= w[1].key)
            && self.grids.windows(2).all(|w| w[0].key <= w[1].key)
    }

    /// Checks a normalised input: version, period, unique codes and kinds, lengths, and
    /// every amount and count in range.
    ///
    /// # Errors
    ///
    /// [`AllocError::Inputs`] or [`AllocError::Period`] naming the first problem.
    pub fn validate(&self) -> Result<(), AllocError> {
        if self.version == 0 || self.version > INPUTS_VERSION {
            return Err(invalid(format!(
                "inputs version {} is not supported",
                self.version
            )));
        }
        let p = Period::parse(&self.period)?;
        if self.previous_period != p.previous().to_string() {
            return Err(invalid(format!(
                "previous_period `{}` is not the quarter before {}",
                self.previous_period, self.period
            )));
        }
        for w in self.categories.windows(2) {
            if w[0].code == w[1].code {
                return Err(invalid(format!("category `{}` appears twice", w[0].code)));
            }
        }
        for w in self.groups.windows(2) {
            if w[0].key == w[1].key {
                return Err(invalid(format!("group `{}` appears twice", w[0].key)));
            }
        }
        for w in self.grids.windows(2) {
            if w[0].key == w[1].key {
                return Err(invalid(format!("grid `{}` appears twice", w[0].key)));
            }
        }
        for w in self.pools.windows(2) {
            if w[0].kind == w[1].kind {
                return Err(invalid(format!("pool `{}` appears twice", kind_code(w[0].kind))));
            }
        }
        let count_ok = |what: String, v: u64| {
            if v > MAX_COUNT {
                Err(invalid(format!("{what} = {v} is above {MAX_COUNT}")))
            } else {
                Ok(())
            }
        };
        for s in self.groups.iter().chain(&self.grids) {
            count_ok(format!("subgroup `{}` households", s.key), s.households)?;
            count_ok(format!("subgroup `{}` residents", s.key), s.residents)?;
            count_ok(format!("subgroup `{}` need_score", s.key), s.need_score)?;
        }
        for pool in &self.pools {
            let k = kind_code(pool.kind);
            if !(0..=MAX_AMOUNT).contains(&pool.total) {
                return Err(AllocError::Amount {
                    what: format!("the {k} pool of {}", self.period),
                    amount: pool.total,
                });
            }
            for w in pool.categories.windows(2) {
                if w[0] == w[1] {
                    return Err(invalid(format!("pool `{k}` lists category `{}` twice", w[0])));
                }
            }
            for c in &pool.categories {
                if self.category(c).is_none() {
                    return Err(invalid(format!("pool `{k}` names unknown category `{c}`")));
                }
            }
            if pool.total > 0 && pool.categories.is_empty() {
                return Err(invalid(format!("pool `{k}` has resources but no category")));
            }
        }
        for c in &self.categories {
            let code = &c.code;
            for (what, v) in [
                ("eligible", c.eligible),
                ("need_score", c.need_score),
                ("waiting", c.waiting),
                ("requests", c.requests),
                ("population_change", c.population_change),
                ("urgency.low", c.urgency.low),
                ("urgency.medium", c.urgency.medium),
                ("urgency.high", c.urgency.high),
            ] {
                count_ok(format!("category `{code}` {what}"), v)?;
            }
            if c.eligible_by_group.len() != self.groups.len() {
                return Err(invalid(format!(
                    "category `{code}`: {} eligible_by_group values for {} groups",
                    c.eligible_by_group.len(),
                    self.groups.len()
                )));
            }
            if c.eligible_by_grid.len() != self.grids.len() {
                return Err(invalid(format!(
                    "category `{code}`: {} eligible_by_grid values for {} grids",
                    c.eligible_by_grid.len(),
                    self.grids.len()
                )));
            }
            if c.need_score_by_group.len() != self.groups.len()
                || c.need_score_by_grid.len() != self.grids.len()
            {
                return Err(invalid(format!(
                    "category `{code}`: need_score_by_group/by_grid do not match the groups and grids"
                )));
            }
            let need_by_group: u128 = c.need_score_by_group.iter().map(|&v| u128::from(v)).sum();
            let need_by_grid: u128 = c.need_score_by_grid.iter().map(|&v| u128::from(v)).sum();
            if need_by_group != u128::from(c.need_score) || need_by_grid > u128::from(c.need_score) {
                return Err(invalid(format!(
                    "category `{code}`: need_score_by_group adds up to {need_by_group} and by grid to {need_by_grid}; \
                     they must add up to (at most, for grids) need_score = {}",
                    c.need_score
                )));
            }
            let by_group: u128 = c.eligible_by_group.iter().map(|&v| u128::from(v)).sum();
            if by_group != u128::from(c.eligible) {
                return Err(invalid(format!(
                    "category `{code}`: eligible_by_group adds up to {by_group}, not eligible = {}",
                    c.eligible
                )));
            }
            let by_grid: u128 = c.eligible_by_grid.iter().map(|&v| u128::from(v)).sum();
            if by_grid > u128::from(c.eligible) {
                return Err(invalid(format!(
                    "category `{code}`: eligible_by_grid adds up to {by_grid}, more than eligible = {}",
                    c.eligible
                )));
            }
            if !(-MAX_AMOUNT..=MAX_AMOUNT).contains(&c.spent_fen) {
                return Err(AllocError::Amount {
                    what: format!("spending on `{code}`"),
                    amount: c.spent_fen,
                });
            }
            for k in &c.previous {
                if !(0..=MAX_AMOUNT).contains(&k.amount) {
                    return Err(AllocError::Amount {
                        what: format!("the previous {} amount of `{code}`", kind_code(k.kind)),
                        amount: k.amount,
                    });
                }
            }
            for w in c.previous.windows(2) {
                if w[0].kind == w[1].kind {
                    return Err(invalid(format!(
                        "category `{code}`: previous amount listed twice"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The category with this code (categories must be sorted, see [`AllocInputs::normalize`]).
    pub fn category(&self, code: &str) -> Option<&CategoryInput> {
        self.categories
            .binary_search_by(|c| c.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.categories[i])
    }
}

fn check_resource(r: &Resource) -> Result<(), AllocError> {
    if r.quantity < 0 {
        return Err(AllocError::Data {
            what: format!("resources {} (`{}`)", r.id, r.name),
            reason: format!("quantity {} is negative", r.quantity),
        });
    }
    if r.quantity > MAX_AMOUNT {
        return Err(AllocError::Data {
            what: format!("resources {} (`{}`)", r.id, r.name),
            reason: format!(
                "quantity {} is absurd (more than {MAX_AMOUNT}: 100 billion yuan in fen)",
                r.quantity
            ),
        });
    }
    Ok(())
}

/// Group interning: a short linear search, then a map.
struct Interner {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Interner {
    fn new() -> Self {
        Self {
            names: Vec::new(),
            index: HashMap::new(),
        }
    }
    fn get(&mut self, name: &str) -> usize {
        let found = if self.names.len() <= 16 {
            self.names.iter().position(|g| g == name)
        } else {
            self.index.get(name).copied()
        };
        found.unwrap_or_else(|| {
            self.names.push(name.to_owned());
            self.index.insert(name.to_owned(), self.names.len() - 1);
            self.names.len() - 1
        })
    }
}

/// How a category's eligibility is counted.
#[derive(Clone, Copy)]
enum Elig {
    /// Index into the household-level indicators.
    House(usize),
    /// Index into the need-count indicators.
    Need(usize),
}

/// Per-category entries of the need pass.
#[derive(Default)]
struct NeedEntry {
    category: Option<usize>,
    /// Need-count indicators on this category: (index, minimum urgency rank).
    indicators: Vec<(usize, u8)>,
}

/// Accumulated counts of one indicator: total, by group, by grid.
struct Acc {
    total: u64,
    by_group: Vec<u64>,
    by_grid: Vec<u64>,
}

impl Acc {
    fn new(groups: usize, grids: usize) -> Self {
        Self {
            total: 0,
            by_group: vec![0; groups],
            by_grid: vec![0; grids],
        }
    }
    #[inline]
    fn add(&mut self, n: u64, group: usize, grid: Option<usize>) {
        self.total += n;
        if group >= self.by_group.len() {
            self.by_group.resize(group + 1, 0);
        }
        self.by_group[group] += n;
        if let Some(g) = grid {
            self.by_grid[g] += n;
        }
    }
}

/// Aggregates a dataset into the inputs of a run for `period` (`YYYY-Qn`): the period's
/// pools, and per category the eligible headcount (by the configuration's eligibility
/// rules), needs scores (by the dataset's `needs_matrix`), waiting list, requests of the
/// period, spending of the period and the previous period's figures (the latest stored run
/// of the previous quarter, else the previous quarter's resources by their own category).
/// Ages count in the period's year.
///
/// # Errors
///
/// [`AllocError::Period`], [`AllocError::Setting`] (`need_categories`),
/// [`AllocError::Needs`] (`needs_matrix`), [`AllocError::Data`] (a negative or absurd
/// resource, a resource of an unknown category), [`AllocError::NoResources`],
/// [`AllocError::Amount`] (a pool above [`MAX_AMOUNT`]), [`AllocError::Config`] (a kind
/// rule naming an unknown category).
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::{prepare, AllocConfig};
/// use linli_domain::demo::{generate, DemoConfig};
/// let d = generate(&DemoConfig { households: 300, ..Default::default() });
/// let inputs = prepare(&d, &AllocConfig::default(), "2026-Q3").unwrap();
/// assert_eq!(inputs.categories.len(), 8);
/// assert_eq!(inputs.previous_period, "2026-Q2");
/// ```
pub fn prepare(d: &Dataset, config: &AllocConfig, period: &str) -> Result<AllocInputs, AllocError> {
    let p = Period::parse(period)?;
    let label = p.to_string();
    let prev = p.previous();
    let prev_label = prev.to_string();
    let cats = categories_of(d)?;
    let mut cat_index: HashMap<&str, usize> = HashMap::with_capacity(cats.len());
    for (i, c) in cats.iter().enumerate() {
        cat_index.insert(c.code.as_str(), i);
    }

    // Pools.
    let mut totals = [0i64; 3];
    let mut resource_ids: [Vec<u32>; 3] = Default::default();
    let mut earmarked: [Vec<String>; 3] = Default::default();
    let mut any = false;
    for r in d.resources.iter().filter(|r| r.period == label) {
        any = true;
        check_resource(r)?;
        if !cat_index.contains_key(r.category.as_str()) {
            return Err(AllocError::Data {
                what: format!("resources {} (`{}`)", r.id, r.name),
                reason: format!(
                    "category `{}` is not a need category (setting `need_categories`)",
                    r.category
                ),
            });
        }
        let k = kind_rank(r.kind);
        totals[k] = totals[k].saturating_add(r.quantity);
        if totals[k] > MAX_AMOUNT {
            return Err(AllocError::Amount {
                what: format!("the {} pool of {label}", kind_code(r.kind)),
                amount: totals[k],
            });
        }
        resource_ids[k].push(r.id);
        earmarked[k].push(r.category.clone());
    }
    if !any || totals.iter().all(|&t| t == 0) {
        return Err(AllocError::NoResources { period: label });
    }
    let mut pools = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        if totals[k] == 0 {
            continue;
        }
        let name = kind_code(*kind);
        let mut list: Vec<String> = match config.kinds.iter().find(|r| r.kind == *kind) {
            Some(rule) if !rule.categories.is_empty() => {
                for c in &rule.categories {
                    if !cat_index.contains_key(c.as_str()) {
                        return Err(AllocError::Config {
                            field: format!("kinds.{name}.categories"),
                            reason: format!("`{c}` is not a need category (setting `need_categories`)"),
                        });
                    }
                }
                rule.categories.clone()
            }
            Some(_) => cats.iter().map(|c| c.code.clone()).collect(),
            None if *kind == ResourceKind::Money => cats.iter().map(|c| c.code.clone()).collect(),
            None => earmarked[k].clone(),
        };
        list.sort_dyn();
        list.dedup();
        let mut ids = std::mem::take(&mut resource_ids[k]);
        ids.sort_unstable();
        pools.push(PoolInput {
            kind: *kind,
            total: totals[k],
            resources: ids,
            categories: list,
        });
    }

    // Eligibility rules, compiled.
    let mut house_inds: Vec<Indicator> = Vec::new();
    let mut need_inds: Vec<(String, u8)> = Vec::new();
    let mut need_map: HashMap<String, NeedEntry> = HashMap::with_capacity(cats.len());
    for (i, c) in cats.iter().enumerate() {
        need_map.entry(c.code.clone()).or_default().category = Some(i);
    }
    let mut elig = Vec::with_capacity(cats.len());
    for c in &cats {
        let rule = config.rule(&c.code);
        if let Err(reason) = rule.eligibility.check() {
            return Err(AllocError::Config {
                field: format!("categories.{}.eligibility", c.code),
                reason,
            });
        }
        let e = match &rule.eligibility {
            Indicator::Needs {
                min_urgency,
                category: Some(code),
            } => {
                let key = (code.clone(), min_urgency.rank());
                let j = match need_inds.iter().position(|k| *k == key) {
                    Some(j) => j,
                    None => {
                        need_inds.push(key.clone());
                        need_map
                            .entry(code.clone())
                            .or_default()
                            .indicators
                            .push((need_inds.len() - 1, key.1));
                        need_inds.len() - 1
                    }
                };
                Elig::Need(j)
            }
            ind => match house_inds.iter().position(|k| k == ind) {
                Some(i) => Elig::House(i),
                None => {
                    house_inds.push(ind.clone());
                    Elig::House(house_inds.len() - 1)
                }
            },
        };
        elig.push(e);
    }

    // Groups and grids.
    // Groups are found as they come; accumulators grow with them.
    let mut groups = Interner::new();
    let ng = 0;
    let mut grid_ids: Vec<u32> = d.grids.iter().map(|g| g.id).collect();
    grid_ids.sort_unstable();
    grid_ids.dedup();
    let grid_pos: HashMap<u32, usize> = grid_ids.iter().enumerate().map(|(i, g)| (*g, i)).collect();
    let building_grid: HashMap<u32, usize> = d
        .buildings
        .iter()
        .filter_map(|b| grid_pos.get(&b.grid_id).map(|g| (b.id, *g)))
        .collect();
    let nr = grid_ids.len();

    // The pass over the register.
    let matrix = NeedsMatrix::from_settings(&d.settings)?;
    let scorer = Scorer::new(&matrix)?;
    let n = cats.len();
    let mut house_acc: Vec<Acc> = (0..house_inds.len()).map(|_| Acc::new(ng, nr)).collect();
    let mut need_acc: Vec<Acc> = (0..need_inds.len()).map(|_| Acc::new(ng, nr)).collect();
    let mut need_score: Vec<Acc> = (0..n).map(|_| Acc::new(ng, nr)).collect();
    let mut waiting = vec![0u64; n];
    let mut urgency = vec![UrgencyCounts::default(); n];
    let mut sub_groups = vec![(0u64, 0u64, 0u64); ng];
    let mut sub_grids = vec![(0u64, 0u64, 0u64); nr];
    let mut last_building: Option<(u32, Option<usize>)> = None;
    let year = p.year;
    scorer.score_each::<true>(&d.households, year, |h, s| {
        let g = groups.get(&h.group);
        if g >= sub_groups.len() {
            sub_groups.resize(g + 1, (0, 0, 0));
        }
        let grid = match last_building {
            Some((b, grid)) if b == h.building_id => grid,
            _ => {
                let grid = building_grid.get(&h.building_id).copied();
                last_building = Some((h.building_id, grid));
                grid
            }
        };
        let score = u64::from(s.score);
        let members = h.members.len() as u64;
        let sg = &mut sub_groups[g];
        sg.0 += 1;
        sg.1 += members;
        sg.2 += score;
        if let Some(r) = grid {
            let sr = &mut sub_grids[r];
            sr.0 += 1;
            sr.1 += members;
            sr.2 += score;
        }
        for (ind, acc) in house_inds.iter().zip(house_acc.iter_mut()) {
            let c = count(ind, h, year);
            if c > 0 {
                acc.add(u64::from(c), g, grid);
            }
        }
        for (k, need) in h.needs.iter().enumerate() {
            let Some(entry) = need_map.get(need.category.as_str()) else {
                continue;
            };
            let rank = need.urgency.rank();
            if let Some(ci) = entry.category {
                if !h.needs[..k].iter().any(|m| m.category == need.category) {
                    waiting[ci] += 1;
                    need_score[ci].add(score, g, grid);
                }
                let u = &mut urgency[ci];
                match rank {
                    0 => u.low += 1,
                    1 => u.medium += 1,
                    _ => u.high += 1,
                }
            }
            for &(j, min) in &entry.indicators {
                if rank >= min {
                    need_acc[j].add(1, g, grid);
                }
            }
        }
    });

    // Requests and spending of the period.
    let start_ms = day_start_millis(p.start_days());
    let end_ms = day_start_millis(p.end_days());
    let mut requests = vec![0u64; n];
    for r in &d.requests {
        if (start_ms..end_ms).contains(&r.received_at)
            && !matches!(r.status, RequestStatus::Rejected | RequestStatus::Duplicate)
        {
            if let Some(&ci) = cat_index.get(r.category.as_str()) {
                requests[ci] += 1;
            }
        }
    }
    let period_days = p.start_days()..p.end_days();
    let mut spent = vec![0i64; n];
    for pl in &d.plans {
        if let Some(&ci) = cat_index.get(pl.content().category.as_str()) {
            for s in pl.spending() {
                if period_days.contains(&s.on.days()) {
                    spent[ci] = spent[ci].saturating_add(s.amount).clamp(-MAX_AMOUNT, MAX_AMOUNT);
                }
            }
        }
    }

    // The previous period.
    let mut previous: Vec<Vec<KindAmount>> = vec![Vec::new(); n];
    let mut previous_eligible: Option<HashMap<String, u64>> = None;
    let mut source = PreviousSource::None;
    let run = d
        .allocation_runs
        .iter()
        .filter(|r| r.period == prev_label)
        .max_by_key(|r| r.id);
    let parsed = run.and_then(|r| {
        let out: AllocationResult = serde_json::from_str(&r.outputs_json).ok()?;
        let inp: Option<RunInputs> = serde_json::from_str(&r.inputs_json).ok();
        Some((r.id, out, inp))
    });
    if let Some((id, out, inp)) = parsed {
        source = PreviousSource::Run { id };
        for k in &out.kinds {
            for c in &k.categories {
                if let Some(&ci) = cat_index.get(c.code.as_str()) {
                    previous[ci].push(KindAmount {
                        kind: k.kind,
                        amount: c.total.clamp(0, MAX_AMOUNT),
                    });
                }
            }
        }
        previous_eligible = inp.map(|i| {
            i.inputs
                .categories
                .into_iter()
                .map(|c| (c.code, c.eligible))
                .collect()
        });
    } else {
        for r in d.resources.iter().filter(|r| r.period == prev_label) {
            let Some(&ci) = cat_index.get(r.category.as_str()) else {
                continue;
            };
            source = PreviousSource::Resources;
            let q = r.quantity.clamp(0, MAX_AMOUNT);
            match previous[ci].iter_mut().find(|k| k.kind == r.kind) {
                Some(k) => k.amount = k.amount.saturating_add(q).min(MAX_AMOUNT),
                None => previous[ci].push(KindAmount {
                    kind: r.kind,
                    amount: q,
                }),
            }
        }
        if source == PreviousSource::Resources {
            // Every category of a pool with previous resources had, at least, nothing.
            for (k, kind) in KINDS.iter().enumerate() {
                let had = d
                    .resources
                    .iter()
                    .any(|r| r.period == prev_label && r.kind == *kind);
                if !had || totals[k] == 0 {
                    continue;
                }
                for pv in previous.iter_mut() {
                    if !pv.iter().any(|a| a.kind == *kind) {
                        pv.push(KindAmount {
                            kind: *kind,
                            amount: 0,
                        });
                    }
                }
            }
        }
    }

    let ng = groups.names.len();
    sub_groups.resize(ng, (0, 0, 0));
    let padded = |v: &[u64], n: usize| {
        let mut v = v.to_vec();
        v.resize(n, 0);
        v
    };
    let categories = cats
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let acc = match elig[i] {
                Elig::House(j) => &house_acc[j],
                Elig::Need(j) => &need_acc[j],
            };
            let population_change = previous_eligible
                .as_ref()
                .and_then(|m| m.get(&c.code))
                .map_or(0, |&before| banded_growth(before, acc.total));
            let mut prev = previous[i].clone();
            prev.sort_by_key_dyn(|k| kind_rank(k.kind));
            CategoryInput {
                code: c.code.clone(),
                class: c.class,
                eligible: acc.total,
                eligible_by_group: padded(&acc.by_group, ng),
                eligible_by_grid: acc.by_grid.clone(),
                need_score: need_score[i].total,
                need_score_by_group: padded(&need_score[i].by_group, ng),
                need_score_by_grid: need_score[i].by_grid.clone(),
                waiting: waiting[i],
                requests: requests[i],
                population_change,
                urgency: urgency[i],
                spent_fen: spent[i],
                previous: prev,
            }
        })
        .collect();
    let grid_name: HashMap<u32, &str> = d.grids.iter().map(|g| (g.id, g.name.as_str())).collect();
    let mut inputs = AllocInputs {
        version: INPUTS_VERSION,
        period: label,
        previous_period: prev_label,
        previous_source: source,
        pools,
        categories,
        groups: groups
            .names
            .iter()
            .zip(&sub_groups)
            .map(|(name, s)| SubgroupInput {
                key: name.clone(),
                label: name.clone(),
                households: s.0,
                residents: s.1,
                need_score: s.2,
            })
            .collect(),
        grids: grid_ids
            .iter()
            .zip(&sub_grids)
            .map(|(id, s)| SubgroupInput {
                key: id.to_string(),
                label: grid_name.get(id).copied().unwrap_or_default().to_owned(),
                households: s.0,
                residents: s.1,
                need_score: s.2,
            })
            .collect(),
    };
    inputs.normalize();
    Ok(inputs)
}
