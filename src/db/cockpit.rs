//! Typed read of the cockpit (数据驾驶舱) on the workspace home (`#/workspace`).
//!
//! The cockpit counts from nearly every store and computes the key indicators the
//! way the public snapshot does, so it reads the whole dataset in one read-only
//! transaction (the same read a backup or a publication makes).

use linli_domain::dataset::Dataset;

use super::{Db, DbError};

impl Db {
    /// Everything the cockpit counts from.
    ///
    /// # Errors
    ///
    /// As [`Db::read_all`].
    pub async fn cockpit_data(&self) -> Result<Dataset, DbError> {
        self.read_all().await
    }
}
