//! The needs page's data: the register scored with the stored matrix, ranked.

use std::collections::HashMap;

use linli_domain::model::{Building, Grid, Household, NeedCategory, Setting};
use linli_domain::needs::{
    af::AfScorer, assess, household_rows, Assessment, NeedsError, NeedsMatrix, Scorer, ScoresExport,
    SETTING_KEY,
};
use linli_domain::workshop::WorkshopNeeds;

use crate::db::needs::NeedsRecords;

/// Scores of the register with the stored matrix.
#[derive(Debug)]
pub struct Scored {
    pub scorer: Scorer,
    /// Year ages are counted in.
    pub year: i64,
    pub assessment: Assessment,
    /// Household indexes, highest score first, ties by household id ascending.
    pub ranking: Vec<u32>,
    /// 1-based rank of each household index.
    pub rank_of: Vec<u32>,
    /// How long `assess` took, in milliseconds.
    pub millis: f64,
}

/// What the needs page loads once per data revision.
#[derive(Debug)]
pub struct NeedsData {
    pub households: Vec<Household>,
    pub buildings: Vec<Building>,
    pub grids: Vec<Grid>,
    /// Building id → index in `buildings`.
    pub building_index: HashMap<u32, usize>,
    /// Whether the `needs_matrix` setting exists (else the default matrix is used).
    pub stored: bool,
    /// The matrix as the editor starts from it: the setting as parsed (even if it
    /// does not validate, so that it can be fixed), or the default.
    pub editable: NeedsMatrix,
    /// The scores, or why the stored matrix is invalid.
    pub scored: Result<Scored, NeedsError>,
    /// The saved workshop sessions' needs tallies, or why they cannot be read.
    pub workshop: Result<WorkshopNeeds, String>,
    /// The need categories (for names; codes are shown when unreadable).
    pub categories: Vec<NeedCategory>,
}

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl NeedsData {
    /// Scores the records read by `Db::needs_records`, ages in `year`.
    pub fn from_records(r: NeedsRecords, year: i64) -> Self {
        let mut d = Self::new(r.households, r.buildings, r.grids, r.matrix.as_slice(), year);
        d.workshop = r.workshop;
        d.categories = r.categories.unwrap_or_default();
        d
    }

    /// Scores `households` with the matrix stored in `settings`, ages in `year`.
    pub fn new(
        households: Vec<Household>,
        buildings: Vec<Building>,
        grids: Vec<Grid>,
        settings: &[Setting],
        year: i64,
    ) -> Self {
        let setting = settings.iter().find(|s| s.key == SETTING_KEY);
        let editable = setting
            .and_then(|s| serde_json::from_str::<NeedsMatrix>(&s.value).ok())
            .unwrap_or_default();
        let scored = NeedsMatrix::from_settings(settings).and_then(|m| {
            let scorer = Scorer::new(&m)?;
            let t0 = perf_now();
            let assessment = assess(&m, &households, &buildings, year)?;
            let millis = perf_now() - t0;
            let scores = &assessment.scores;
            let mut ranking: Vec<u32> = (0..households.len() as u32).collect();
            ranking.sort_unstable_by_key(|&i| {
                let s = &scores[i as usize];
                (std::cmp::Reverse(s.score), s.household_id)
            });
            let mut rank_of = vec![0u32; households.len()];
            for (r, &i) in ranking.iter().enumerate() {
                rank_of[i as usize] = r as u32 + 1;
            }
            Ok(Scored {
                scorer,
                year,
                assessment,
                ranking,
                rank_of,
                millis,
            })
        });
        let building_index = buildings.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
        Self {
            households,
            buildings,
            grids,
            building_index,
            stored: setting.is_some(),
            editable,
            scored,
            workshop: Ok(WorkshopNeeds::default()),
            categories: Vec::new(),
        }
    }

    /// The building of a household, if known.
    pub fn building(&self, id: u32) -> Option<&Building> {
        self.building_index.get(&id).map(|&i| &self.buildings[i])
    }

    /// The scores as `linli score` prints them (`year`, `matrix_source`, `tiers`,
    /// `households`), compact JSON.
    pub fn export_json(&self) -> Result<String, NeedsError> {
        let s = self.scored.as_ref().map_err(Clone::clone)?;
        let matrix = s.scorer.matrix();
        let af = AfScorer::new(&matrix.af)?.households(&self.households, s.year);
        let rows = household_rows(&self.households, &self.buildings, &s.assessment.scores, &af)?;
        let out = ScoresExport {
            year: s.year,
            matrix_source: if self.stored { "setting" } else { "default" },
            tiers: matrix.tiers,
            households: rows,
        };
        serde_json::to_string(&out).map_err(|e| NeedsError::Parse {
            reason: e.to_string(),
        })
    }
}
