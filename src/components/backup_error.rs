//! A backup error in the user's language.

use linli_domain::backup::BackupError;

use crate::i18n::*;

/// The translated reason a backup file was refused.
pub fn backup_error_text(i18n: leptos_i18n::I18nContext<Locale>, e: &BackupError) -> String {
    match e.clone() {
        BackupError::Truncated { at } => t_string!(i18n, common.err_truncated, at = at).to_string(),
        BackupError::NotJson { .. } => t_string!(i18n, common.err_not_json).to_string(),
        BackupError::Foreign { field } => t_string!(i18n, common.err_foreign, field = field).to_string(),
        BackupError::TooNew {
            what,
            found,
            supported,
        } => t_string!(
            i18n,
            common.err_too_new,
            what = what,
            found = found,
            supported = supported
        )
        .to_string(),
        BackupError::HashMismatch { .. } => t_string!(i18n, common.err_hash).to_string(),
        BackupError::BadRecords { reason } => {
            t_string!(i18n, common.err_records, reason = reason).to_string()
        }
        BackupError::CountMismatch {
            store,
            expected,
            found,
        } => t_string!(
            i18n,
            common.err_counts,
            store = store,
            expected = expected,
            found = found
        )
        .to_string(),
        BackupError::Integrity(inner) => {
            let reason = inner.to_string();
            t_string!(i18n, common.err_integrity, reason = reason).to_string()
        }
    }
}
