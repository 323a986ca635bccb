//! Scoring households with a validated, compiled matrix.

use std::collections::HashSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::model::Household;

use super::indicator::{scalar_rows, touch, Compiled, FactPlan, Facts, BATCH, SCALAR_ROWS};
use super::{
    percent_of_bp, Indicator, NeedsError, NeedsMatrix, Tier, TierThresholds, MATRIX_VERSION, MAX_DIMENSIONS,
    MAX_POINTS, MAX_RULES, MAX_SCORE, WEIGHT_TOTAL_BP,
};

/// The score of one household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HouseholdScore {
    /// [`Household::id`].
    pub household_id: u32,
    /// Score in tenths of a point, `0..=1000` (523 = 52.3).
    pub score: u16,
    pub tier: Tier,
}

/// Why a household scored what it did.
///
/// Accounting is exact, in units of 1/10000 of a point (`1_000_000` = 100 points):
/// `exact = Σ dimensions.contribution`, and for every dimension
/// `contribution = Σ indicators.contribution − capped_off`. The score is
/// `⌊(exact + 500) / 1000⌋` tenths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub household_id: u32,
    /// Score in tenths of a point, identical to [`Scorer::score`].
    pub score: u16,
    pub tier: Tier,
    /// Σ weight_bp × dimension points, `0..=1_000_000`.
    pub exact: u32,
    /// Every dimension, in matrix order.
    pub dimensions: Vec<DimensionExplanation>,
}

/// One dimension of an [`Explanation`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionExplanation {
    /// [`super::Dimension::code`].
    pub code: String,
    pub weight_bp: u32,
    /// Points before the cap (sum of the indicators' points).
    pub points_raw: u32,
    /// Points after the cap, `0..=100`.
    pub points: u32,
    /// `weight_bp × points`.
    pub contribution: u32,
    /// `weight_bp × (points_raw − points)`: what the cap took off.
    pub capped_off: u32,
    /// The indicators that counted (count > 0), in rule order.
    pub indicators: Vec<IndicatorContribution>,
}

/// One indicator that counted for a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorContribution {
    /// Index of the rule in its dimension.
    pub rule: usize,
    pub indicator: Indicator,
    /// The rule's note.
    pub note: String,
    /// The indicator's count (e.g. 3 members aged 60+).
    pub count: u16,
    /// The units that counted: `min(count, max_count)`.
    pub counted: u16,
    /// Dimension points: `counted × rule points`.
    pub points: u32,
    /// `weight_bp × points`, in 1/10000 of a point.
    pub contribution: u32,
}

#[derive(Debug, Clone, Copy)]
struct CRule {
    ind: Compiled,
    points: u32,
    max_count: u16,
}

#[derive(Debug, Clone)]
struct CDim {
    weight_bp: u32,
    rules: Range<usize>,
}

/// A validated matrix compiled for fast scoring. Build it once with [`Scorer::new`] and
/// score any number of households; [`score_all`] and [`explain`] do that for you.
#[derive(Debug, Clone)]
pub struct Scorer {
    matrix: NeedsMatrix,
    plan: FactPlan,
    /// Every rule, by dimension: the explanation path.
    rules: Vec<CRule>,
    dims: Vec<CDim>,
    /// The rules on members and needs only, by dimension: the scoring path.
    fast_rules: Vec<CRule>,
    fast_dims: Vec<CDim>,
    /// The scoring path's lookup table of the rules on household-level fields:
    /// `scalar[row][dim]` = points those rules give dimension `dim` when a field has the
    /// value of `row`. A sum of the same integers in another order, so the score is the
    /// same as the explanation path's.
    scalar: Box<[[u32; MAX_DIMENSIONS]; SCALAR_ROWS]>,
    tiers: TierThresholds,
}

/// Receives what the explanation loop sees.
trait Sink {
    fn hit(&mut self, dim: usize, rule: usize, count: u16, counted: u16, points: u32);
    fn dim(&mut self, dim: usize, points_raw: u32, points: u32);
}

struct Recorder<'a> {
    matrix: &'a NeedsMatrix,
    dims: Vec<DimensionExplanation>,
}

impl Sink for Recorder<'_> {
    fn hit(&mut self, dim: usize, rule: usize, count: u16, counted: u16, points: u32) {
        let d = &self.matrix.dimensions[dim];
        let r = &d.rules[rule];
        self.dims[dim].indicators.push(IndicatorContribution {
            rule,
            indicator: r.indicator.clone(),
            note: r.note.clone(),
            count,
            counted,
            points,
            contribution: d.weight_bp * points,
        });
    }
    fn dim(&mut self, dim: usize, points_raw: u32, points: u32) {
        let e = &mut self.dims[dim];
        e.points_raw = points_raw;
        e.points = points;
        e.contribution = e.weight_bp * points;
        e.capped_off = e.weight_bp * (points_raw - points);
    }
}

impl Scorer {
    /// Validates `matrix` and compiles its dimensions and rules. The AF part is validated
    /// separately, by [`NeedsMatrix::validate`] or [`super::af::analyse`].
    ///
    /// # Errors
    ///
    /// A [`NeedsError`] naming the setting and the place: unsupported version, no or too
    /// many dimensions, empty or duplicate codes, weights not adding up to exactly 10000
    /// basis points, too many rules, a rule with more than 100 points, `max_count` 0 or
    /// invalid indicator parameters, too many thresholds, tier thresholds out of order.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::needs::{NeedsMatrix, Scorer};
    /// let scorer = Scorer::new(&NeedsMatrix::default()).unwrap();
    /// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
    ///     households: 5,
    ///     ..Default::default()
    /// });
    /// let s = scorer.score(&d.households[0], 2026);
    /// assert!(s.score <= 1000);
    /// assert_eq!(scorer.explain(&d.households[0], 2026).score, s.score);
    /// ```
    pub fn new(matrix: &NeedsMatrix) -> Result<Self, NeedsError> {
        if matrix.version == 0 || matrix.version > MATRIX_VERSION {
            return Err(NeedsError::UnsupportedVersion {
                found: matrix.version,
                supported: MATRIX_VERSION,
            });
        }
        let n = matrix.dimensions.len();
        if n == 0 || n > MAX_DIMENSIONS {
            return Err(NeedsError::DimensionCount {
                found: n,
                max: MAX_DIMENSIONS,
            });
        }
        let mut codes = HashSet::new();
        for (index, d) in matrix.dimensions.iter().enumerate() {
            if d.code.trim().is_empty() {
                return Err(NeedsError::EmptyCode { index });
            }
            if !codes.insert(d.code.as_str()) {
                return Err(NeedsError::DuplicateCode { code: d.code.clone() });
            }
        }
        let sum: u64 = matrix.dimensions.iter().map(|d| u64::from(d.weight_bp)).sum();
        if sum != u64::from(WEIGHT_TOTAL_BP) {
            return Err(NeedsError::WeightSum {
                sum,
                percent: percent_of_bp(sum),
            });
        }
        let mut plan = FactPlan::default();
        let mut rules = Vec::new();
        let mut dims = Vec::with_capacity(n);
        for d in &matrix.dimensions {
            if d.rules.len() > MAX_RULES {
                return Err(NeedsError::RuleCount {
                    dimension: d.code.clone(),
                    found: d.rules.len(),
                    max: MAX_RULES,
                });
            }
            let start = rules.len();
            for (i, r) in d.rules.iter().enumerate() {
                let bad = |reason: String| NeedsError::Rule {
                    dimension: d.code.clone(),
                    rule: i,
                    reason,
                };
                if r.points > MAX_POINTS {
                    return Err(bad(format!(
                        "points must be 0 to {MAX_POINTS}, found {}",
                        r.points
                    )));
                }
                if r.max_count == 0 {
                    return Err(bad("max_count must be at least 1".to_owned()));
                }
                let ind = plan.compile(&r.indicator).map_err(|reason| {
                    if reason.starts_with("more than") {
                        NeedsError::TooComplex { reason }
                    } else {
                        bad(reason)
                    }
                })?;
                rules.push(CRule {
                    ind,
                    points: u32::from(r.points),
                    max_count: u16::from(r.max_count),
                });
            }
            dims.push(CDim {
                weight_bp: d.weight_bp,
                rules: start..rules.len(),
            });
        }
        let t = matrix.tiers;
        if !(0 < t.medium_min && t.medium_min < t.high_min && t.high_min <= MAX_SCORE) {
            return Err(NeedsError::Tiers {
                medium_min: t.medium_min,
                high_min: t.high_min,
            });
        }
        let mut fast_rules = Vec::with_capacity(rules.len());
        let mut fast_dims = Vec::with_capacity(dims.len());
        let mut scalar = Box::new([[0u32; MAX_DIMENSIONS]; SCALAR_ROWS]);
        for (d, dim) in dims.iter().enumerate() {
            let start = fast_rules.len();
            for rule in &rules[dim.rules.clone()] {
                match rule.ind.scalar_rows() {
                    // A yes/no indicator: `max_count ≥ 1` never limits it.
                    Some(hits) => {
                        for (row, hit) in scalar.iter_mut().zip(hits) {
                            if hit {
                                row[d] += rule.points;
                            }
                        }
                    }
                    None => fast_rules.push(*rule),
                }
            }
            fast_dims.push(CDim {
                weight_bp: dim.weight_bp,
                rules: start..fast_rules.len(),
            });
        }
        Ok(Self {
            matrix: matrix.clone(),
            plan,
            rules,
            dims,
            fast_rules,
            fast_dims,
            scalar,
            tiers: t,
        })
    }

    /// The matrix this scorer was built from.
    pub fn matrix(&self) -> &NeedsMatrix {
        &self.matrix
    }

    /// Every rule on `f` (with household-level slots filled), reporting to `sink`: the
    /// explanation path. Returns Σ weight_bp × capped dimension points.
    fn exact<S: Sink>(&self, f: &Facts, sink: &mut S) -> u32 {
        let mut total = 0u32;
        for (d, dim) in self.dims.iter().enumerate() {
            let mut raw = 0u32;
            for (r, rule) in self.rules[dim.rules.clone()].iter().enumerate() {
                let count = rule.ind.count(f);
                let counted = count.min(rule.max_count);
                let points = u32::from(counted) * rule.points;
                raw += points;
                if count > 0 {
                    sink.hit(d, r, count, counted, points);
                }
            }
            let points = raw.min(100);
            sink.dim(d, raw, points);
            total += dim.weight_bp * points;
        }
        total
    }

    /// [`Scorer::exact`] without a sink, with the household-level rules read from the
    /// lookup table.
    #[inline(always)]
    fn exact_fast(&self, h: &Household, f: &Facts) -> u32 {
        let rows = scalar_rows(h);
        let mut total = 0u32;
        for (d, dim) in self.fast_dims.iter().enumerate() {
            let mut raw = 0u32;
            for &row in &rows {
                raw += self.scalar[row][d];
            }
            for rule in &self.fast_rules[dim.rules.clone()] {
                raw += u32::from(rule.ind.count(f).min(rule.max_count)) * rule.points;
            }
            total += dim.weight_bp * raw.min(100);
        }
        total
    }

    #[inline(always)]
    fn finish(&self, household_id: u32, exact: u32) -> HouseholdScore {
        let score = ((exact + 500) / 1000) as u16;
        HouseholdScore {
            household_id,
            score,
            tier: self.tiers.tier(score),
        }
    }

    /// The score of one household, with ages counted in `year`.
    #[inline]
    pub fn score(&self, household: &Household, year: i64) -> HouseholdScore {
        let mut f = Facts::new();
        self.score_with(household, year, &mut f)
    }

    /// [`Scorer::score`] with a reused fact buffer.
    #[inline(always)]
    fn score_with(&self, household: &Household, year: i64, f: &mut Facts) -> HouseholdScore {
        self.plan.fill::<false>(household, year, f);
        self.finish(household.id, self.exact_fast(household, f))
    }

    /// The score of one household with every indicator that counted. Its `score` and
    /// `tier` are always those of [`Scorer::score`].
    pub fn explain(&self, household: &Household, year: i64) -> Explanation {
        let f = self.plan.facts(household, year);
        let mut rec = Recorder {
            matrix: &self.matrix,
            dims: self
                .matrix
                .dimensions
                .iter()
                .map(|d| DimensionExplanation {
                    code: d.code.clone(),
                    weight_bp: d.weight_bp,
                    points_raw: 0,
                    points: 0,
                    contribution: 0,
                    capped_off: 0,
                    indicators: Vec::new(),
                })
                .collect(),
        };
        let exact = self.exact(&f, &mut rec);
        let s = self.finish(household.id, exact);
        Explanation {
            household_id: household.id,
            score: s.score,
            tier: s.tier,
            exact,
            dimensions: rec.dims,
        }
    }

    /// The scores of `households` in their order, with ages counted in `year`.
    ///
    /// Identical to calling [`Scorer::score`] on each household. Scoring is bound by
    /// memory latency (members and needs live in separate heap blocks), so households are
    /// taken in small batches whose members and needs are touched together one batch
    /// ahead: the loads then overlap instead of stalling one after another.
    ///
    /// Natively, a large register is split into contiguous parts scored on the
    /// machine's cores (scoped threads, no shared state) and the parts are joined in
    /// order, so the result is the same as scoring one by one; in the browser (wasm)
    /// it is scored on the calling thread.
    pub fn score_all(&self, households: &[Household], year: i64) -> Vec<HouseholdScore> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let threads = std::thread::available_parallelism().map_or(1, usize::from).min(8);
            if threads > 1 && households.len() >= PARALLEL_MIN {
                let part = households.len().div_ceil(threads);
                let mut parts: Vec<Vec<HouseholdScore>> = std::thread::scope(|scope| {
                    let handles: Vec<_> = households
                        .chunks(part)
                        .skip(1)
                        .map(|c| scope.spawn(move || self.score_serial(c, year)))
                        .collect();
                    let first = self.score_serial(&households[..part.min(households.len())], year);
                    std::iter::once(first)
                        .chain(
                            handles
                                .into_iter()
                                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
                        )
                        .collect()
                });
                let mut out = Vec::with_capacity(households.len());
                for p in &mut parts {
                    out.append(p);
                }
                return out;
            }
        }
        self.score_serial(households, year)
    }

    fn score_serial(&self, households: &[Household], year: i64) -> Vec<HouseholdScore> {
        let mut out = Vec::with_capacity(households.len());
        self.score_each::<false>(households, year, |_, s| out.push(s));
        out
    }

    /// Calls `f` with every household and its score, in order, batched as
    /// [`Scorer::score_all`] describes; `GROUP` also touches the group names ahead.
    #[inline(always)]
    pub(crate) fn score_each<const GROUP: bool>(
        &self,
        households: &[Household],
        year: i64,
        mut f: impl FnMut(&Household, HouseholdScore),
    ) {
        each_batched::<GROUP>(households, |h, facts| f(h, self.score_with(h, year, facts)));
    }
}

/// Scores every household with `matrix`, ages counted in `year`. The result is in the
/// order of `households` (one score per household); a household's score depends only on
/// the household, never on the others or on their order.
///
/// # Errors
///
/// The matrix is invalid (see [`Scorer::new`]).
///
/// # Examples
///
/// ```
/// use linli_domain::needs::{score_all, NeedsMatrix};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 100,
///     ..Default::default()
/// });
/// let scores = score_all(&NeedsMatrix::default(), &d.households, 2026).unwrap();
/// assert_eq!(scores.len(), 100);
/// assert_eq!(scores[7].household_id, d.households[7].id);
/// ```
pub fn score_all(
    matrix: &NeedsMatrix,
    households: &[Household],
    year: i64,
) -> Result<Vec<HouseholdScore>, NeedsError> {
    Ok(Scorer::new(matrix)?.score_all(households, year))
}

/// Explains the score of one household (see [`Explanation`]).
///
/// # Errors
///
/// The matrix is invalid (see [`Scorer::new`]).
///
/// # Examples
///
/// ```
/// use linli_domain::needs::{explain, score_all, NeedsMatrix};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 20,
///     ..Default::default()
/// });
/// let m = NeedsMatrix::default();
/// let e = explain(&m, &d.households[3], 2026).unwrap();
/// assert_eq!(e.score, score_all(&m, &d.households, 2026).unwrap()[3].score);
/// let from_dims: u32 = e.dimensions.iter().map(|d| d.contribution).sum();
/// assert_eq!(from_dims, e.exact);
/// ```
pub fn explain(matrix: &NeedsMatrix, household: &Household, year: i64) -> Result<Explanation, NeedsError> {
    Ok(Scorer::new(matrix)?.explain(household, year))
}

/// Registers at least this large are scored on several cores natively.
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_MIN: usize = 8_192;

/// Calls `f` with every household and a reused [`Facts`] buffer, in batches of
/// `BATCH`, touching the next batch's members and needs (and, with `GROUP`, group
/// names) ahead so their memory loads overlap. Shared by scoring and AF.
#[inline(always)]
pub(crate) fn each_batched<const GROUP: bool>(
    households: &[Household],
    mut f: impl FnMut(&Household, &mut Facts),
) {
    let mut facts = Facts::new();
    let mut chunks = households.chunks(BATCH).peekable();
    if let Some(first) = chunks.peek() {
        touch::<GROUP>(first);
    }
    while let Some(chunk) = chunks.next() {
        if let Some(next) = chunks.peek() {
            touch::<GROUP>(next);
        }
        for h in chunk {
            f(h, &mut facts);
        }
    }
}
