//! The per-household score rows, in the one JSON shape that `linli score` prints and the
//! app's needs page exports, so that both always agree field for field.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Building, Household};

use super::af::AfHousehold;
use super::{Explanation, HouseholdScore, NeedsError, Tier, TierThresholds};

/// One household's scores: the elements of `households` in `linli score`'s output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdRow<'a> {
    /// [`Household::id`].
    pub id: u32,
    pub building_id: u32,
    /// The grid of the building; `None` if the building is not in the building list.
    pub grid_id: Option<u32>,
    /// [`Household::group`].
    pub group: &'a str,
    /// Tenths of a point, `0..=1000`.
    pub score: u16,
    pub tier: Tier,
    /// Alkire–Foster deprivation score `c_i` in basis points.
    pub af_score_bp: u32,
    /// `c_i ≥ k`.
    pub af_poor: bool,
    /// Every indicator that counted (only on request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// The scores of a register: the `year`, `matrix_source`, `tiers` and `households` of
/// `linli score`'s output, in that order (the CLI adds the file information before and
/// the aggregates and AF summary after). The app's "export scores" file is exactly this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoresExport<'a> {
    /// Year ages were counted in.
    pub year: i64,
    /// Where the matrix came from: `setting`, `default` or `file`.
    pub matrix_source: &'static str,
    pub tiers: TierThresholds,
    pub households: Vec<HouseholdRow<'a>>,
}

/// One [`HouseholdRow`] per household, in the households' order, without explanations.
/// `scores` and `af` are those of `households`, index by index (as
/// [`super::score_all`] and [`super::af::AfScorer::households`] return them).
///
/// # Errors
///
/// [`NeedsError::ScoresMismatch`] if the lengths differ or an index holds another
/// household's score.
///
/// # Examples
///
/// ```
/// use linli_domain::needs::{af::AfScorer, household_rows, score_all, NeedsMatrix};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 50,
///     ..Default::default()
/// });
/// let m = NeedsMatrix::default();
/// let scores = score_all(&m, &d.households, 2026).unwrap();
/// let af = AfScorer::new(&m.af).unwrap().households(&d.households, 2026);
/// let rows = household_rows(&d.households, &d.buildings, &scores, &af).unwrap();
/// assert_eq!(rows.len(), 50);
/// assert_eq!(rows[3].score, scores[3].score);
/// let json = serde_json::to_value(&rows[0]).unwrap();
/// assert!(json.get("explanation").is_none());
/// ```
pub fn household_rows<'a>(
    households: &'a [Household],
    buildings: &[Building],
    scores: &[HouseholdScore],
    af: &[AfHousehold],
) -> Result<Vec<HouseholdRow<'a>>, NeedsError> {
    if households.len() != scores.len() || households.len() != af.len() {
        return Err(NeedsError::ScoresMismatch {
            reason: format!(
                "{} households but {} scores and {} AF results",
                households.len(),
                scores.len(),
                af.len()
            ),
        });
    }
    let grid_of: HashMap<u32, u32> = buildings.iter().map(|b| (b.id, b.grid_id)).collect();
    households
        .iter()
        .zip(scores)
        .zip(af)
        .enumerate()
        .map(|(i, ((h, s), a))| {
            if s.household_id != h.id || a.household_id != h.id {
                return Err(NeedsError::ScoresMismatch {
                    reason: format!("index {i} holds the scores of another household than {}", h.id),
                });
            }
            Ok(HouseholdRow {
                id: h.id,
                building_id: h.building_id,
                grid_id: grid_of.get(&h.building_id).copied(),
                group: &h.group,
                score: s.score,
                tier: s.tier,
                af_score_bp: a.score_bp,
                af_poor: a.poor,
                explanation: None,
            })
        })
        .collect()
}
