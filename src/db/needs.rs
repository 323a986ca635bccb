//! Typed reads of the needs view (the only IndexedDB code it uses; the matrix editor
//! saves through its own component).

use linli_domain::model::{Building, Grid, Household, NeedCategory, Setting};
use linli_domain::needs::SETTING_KEY;
use linli_domain::workshop::{WorkshopNeeds, NEEDS_SETTING};

use super::{Db, DbError};

/// What the needs page scores: the register, the places, and the stored matrix.
#[derive(Debug)]
pub struct NeedsRecords {
    pub households: Vec<Household>,
    pub buildings: Vec<Building>,
    pub grids: Vec<Grid>,
    /// The `needs_matrix` setting, if stored (else the default matrix is used).
    pub matrix: Option<Setting>,
    /// The saved workshop sessions' needs tallies (setting `workshop_needs`), or
    /// why the setting cannot be read.
    pub workshop: Result<WorkshopNeeds, String>,
    /// The need categories (their names), or why the setting cannot be read.
    pub categories: Result<Vec<NeedCategory>, String>,
}

impl Db {
    /// The records the needs page scores.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or a record that does not decode.
    pub async fn needs_records(&self) -> Result<NeedsRecords, DbError> {
        let households = self.households().await?;
        let buildings: Vec<Building> = self.get_all("buildings").await?;
        let grids: Vec<Grid> = self.get_all("grids").await?;
        let matrix = self.setting(SETTING_KEY).await?;
        let workshop = self.setting(NEEDS_SETTING).await?;
        let workshop =
            WorkshopNeeds::parse(workshop.as_ref().map(|s| s.value.as_str())).map_err(|e| e.to_string());
        let categories = match self.need_categories().await {
            Ok(c) => Ok(c),
            Err(DbError::Decode { store, reason }) => Err(format!("{store}: {reason}")),
            Err(e) => return Err(e),
        };
        Ok(NeedsRecords {
            households,
            buildings,
            grids,
            matrix,
            workshop,
            categories,
        })
    }
}
