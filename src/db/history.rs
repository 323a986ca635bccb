//! The change history (audit log) for `#/history`.

use linli_domain::model::AuditEntry;

use super::{Db, DbError, AUDIT_STORE};

impl Db {
    /// Every history entry, in key order (the view orders and filters them with
    /// [`linli_domain::audit::select`]).
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn audit_log(&self) -> Result<Vec<AuditEntry>, DbError> {
        self.get_all(AUDIT_STORE).await
    }
}
