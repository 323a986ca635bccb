//! Typed read of the sync status (issue #19): the summary the last exchange left in the
//! local setting `_sync_status` (conflicts waiting, flagged ledger entries, peers seen;
//! no personal values). An exchange itself reads everything ([`Db::read_all`]) and writes
//! the merged dataset back in one transaction ([`Db::replace_all_recorded`]); see
//! `src/pages/settings/sync.rs`.

use linli_domain::replication::local::{Status, STATUS_SETTING};

use super::{Db, DbError};

impl Db {
    /// The last exchange's summary (`None` before the first).
    ///
    /// # Errors
    ///
    /// As [`Db::setting`].
    pub async fn sync_status(&self) -> Result<Option<Status>, DbError> {
        Ok(self
            .setting(STATUS_SETTING)
            .await?
            .and_then(|s| serde_json::from_str(&s.value).ok()))
    }
}
