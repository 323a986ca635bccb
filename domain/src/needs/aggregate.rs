//! Aggregates of household scores by building, grid and resident group.

use serde::{Deserialize, Serialize};

use crate::model::{Building, Household};

use super::group::{Merge, Subgroups};
use super::{HouseholdScore, NeedsError, NeedsMatrix, Scorer, Tier};

/// Households per tier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierCounts {
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl TierCounts {
    fn add(&mut self, t: Tier) {
        match t {
            Tier::High => self.high += 1,
            Tier::Medium => self.medium += 1,
            Tier::Low => self.low += 1,
        }
    }
}

/// Statistics of a set of household scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierStats {
    /// Number of households.
    pub count: u32,
    /// Sum of their scores, in tenths (exact: the mean is `sum_score / count`).
    pub sum_score: u64,
    /// Mean score in tenths, rounded half up; 0 for no households.
    pub mean_score: u16,
    /// Households per tier.
    #[serde(flatten)]
    pub tiers: TierCounts,
}

impl Merge for TierStats {
    fn merge(&mut self, o: &Self) {
        self.count += o.count;
        self.sum_score += o.sum_score;
        self.tiers.high += o.tiers.high;
        self.tiers.medium += o.tiers.medium;
        self.tiers.low += o.tiers.low;
    }
}

impl TierStats {
    fn of(s: &HouseholdScore) -> Self {
        let mut t = Self {
            count: 1,
            sum_score: u64::from(s.score),
            ..Self::default()
        };
        t.tiers.add(s.tier);
        t
    }

    fn finish(mut self) -> Self {
        self.mean_score = if self.count == 0 {
            0
        } else {
            let c = u64::from(self.count);
            ((2 * self.sum_score + c) / (2 * c)) as u16
        };
        self
    }

    /// The mean score in points, for display only (e.g. `52.3`).
    pub fn mean_points(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum_score as f64 / self.count as f64 / 10.0
        }
    }
}

/// Statistics of one building, grid or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row<K> {
    /// Building id, grid id or group code.
    pub key: K,
    #[serde(flatten)]
    pub stats: TierStats,
}

/// Score statistics of the whole register and by building, grid and group, each list
/// sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregates {
    pub total: TierStats,
    pub by_building: Vec<Row<u32>>,
    /// Households whose building is not in the building list count in `total` and
    /// `by_building` but in no grid.
    pub by_grid: Vec<Row<u32>>,
    pub by_group: Vec<Row<String>>,
}

/// Scores and aggregates of a register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// One per household, in the households' order.
    pub scores: Vec<HouseholdScore>,
    pub aggregates: Aggregates,
}

/// Accumulates scores by building, grid and group.
pub(crate) struct Accumulator {
    total: TierStats,
    groups: Subgroups<TierStats>,
}

impl Accumulator {
    pub(crate) fn new() -> Self {
        Self {
            total: TierStats::default(),
            groups: Subgroups::new(),
        }
    }

    #[inline]
    pub(crate) fn add(&mut self, h: &Household, s: &HouseholdScore) {
        let t = TierStats::of(s);
        self.total.merge(&t);
        self.groups.add(h, &t);
    }

    pub(crate) fn finish(self, buildings: &[Building]) -> Aggregates {
        fn rows<K>(v: Vec<(K, TierStats)>) -> Vec<Row<K>> {
            v.into_iter()
                .map(|(key, s)| Row {
                    key,
                    stats: s.finish(),
                })
                .collect()
        }
        let g = self.groups.finish(buildings);
        Aggregates {
            total: self.total.finish(),
            by_building: rows(g.by_building),
            by_grid: rows(g.by_grid),
            by_group: rows(g.by_group),
        }
    }
}

/// Aggregates `scores` (those of `households`, index by index, as [`super::score_all`]
/// returns them) by building, by grid (through `buildings`) and by group.
///
/// # Errors
///
/// [`NeedsError::ScoresMismatch`] if the lengths differ or a score's household id is not
/// that of the household at its index.
///
/// # Examples
///
/// ```
/// use linli_domain::needs::{aggregate, score_all, NeedsMatrix};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let scores = score_all(&NeedsMatrix::default(), &d.households, 2026).unwrap();
/// let a = aggregate(&d.households, &scores, &d.buildings).unwrap();
/// let per_grid: u32 = a.by_grid.iter().map(|r| r.stats.count).sum();
/// assert_eq!(per_grid, 300);
/// assert_eq!(a.total.tiers.high + a.total.tiers.medium + a.total.tiers.low, 300);
/// ```
pub fn aggregate(
    households: &[Household],
    scores: &[HouseholdScore],
    buildings: &[Building],
) -> Result<Aggregates, NeedsError> {
    if households.len() != scores.len() {
        return Err(NeedsError::ScoresMismatch {
            reason: format!("{} households but {} scores", households.len(), scores.len()),
        });
    }
    let mut acc = Accumulator::new();
    for (i, (h, s)) in households.iter().zip(scores).enumerate() {
        if h.id != s.household_id {
            return Err(NeedsError::ScoresMismatch {
                reason: format!(
                    "score {i} is of household {} but household {i} is {}",
                    s.household_id, h.id
                ),
            });
        }
        acc.add(h, s);
    }
    Ok(acc.finish(buildings))
}

/// Scores every household and aggregates the scores: the same as [`super::score_all`]
/// then [`aggregate`], in one pass.
///
/// # Errors
///
/// The matrix is invalid (see [`Scorer::new`]).
///
/// # Examples
///
/// ```
/// use linli_domain::needs::{assess, NeedsMatrix};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 100,
///     ..Default::default()
/// });
/// let a = assess(&NeedsMatrix::default(), &d.households, &d.buildings, 2026).unwrap();
/// let per_group: u32 = a.aggregates.by_group.iter().map(|r| r.stats.count).sum();
/// assert_eq!(per_group, 100);
/// ```
pub fn assess(
    matrix: &NeedsMatrix,
    households: &[Household],
    buildings: &[Building],
    year: i64,
) -> Result<Assessment, NeedsError> {
    let scorer = Scorer::new(matrix)?;
    let mut acc = Accumulator::new();
    let mut scores = Vec::with_capacity(households.len());
    // One pass: each household is aggregated while it is still in cache.
    scorer.score_each::<true>(households, year, |h, s| {
        acc.add(h, &s);
        scores.push(s);
    });
    Ok(Assessment {
        scores,
        aggregates: acc.finish(buildings),
    })
}
