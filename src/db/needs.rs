//! Typed reads of the needs view (the only IndexedDB code it uses; the matrix editor
//! saves through its own component).

use linli_domain::model::{Building, Grid, Household, Setting};
use linli_domain::needs::SETTING_KEY;

use super::{Db, DbError};

/// What the needs page scores: the register, the places, and the stored matrix.
#[derive(Debug)]
pub struct NeedsRecords {
    pub households: Vec<Household>,
    pub buildings: Vec<Building>,
    pub grids: Vec<Grid>,
    /// The `needs_matrix` setting, if stored (else the default matrix is used).
    pub matrix: Option<Setting>,
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
        Ok(NeedsRecords {
            households,
            buildings,
            grids,
            matrix,
        })
    }
}
