//! Words for the vault: role names and why unlocking or a roster change
//! failed (the lock screen and the guides' settings share them).

use leptos_i18n::I18nContext;
use linli_domain::vault::{GuideError, Role, VaultError};

use crate::i18n::*;
use crate::state::session::VaultFail;

/// A role's name.
pub fn role_name(i18n: I18nContext<Locale>, r: Role) -> String {
    match r {
        Role::Guide => t_string!(i18n, lock.role_guide),
        Role::Supervisor => t_string!(i18n, lock.role_supervisor),
        Role::Auditor => t_string!(i18n, lock.role_auditor),
    }
    .to_string()
}

/// What went wrong and what to do, in the user's language.
pub fn fail_text(i18n: I18nContext<Locale>, f: &VaultFail) -> String {
    match f {
        VaultFail::Mismatch => t_string!(i18n, lock.err_mismatch).to_string(),
        VaultFail::Vault(e) => match e {
            VaultError::WrongPassphrase => t_string!(i18n, lock.err_wrong_passphrase).to_string(),
            VaultError::WrongRecoveryCode => t_string!(i18n, lock.err_wrong_code).to_string(),
            VaultError::RecoveryCodeSymbol { position } => {
                t_string!(i18n, lock.err_code_symbol, position = *position).to_string()
            }
            VaultError::RecoveryCodeLength { found, expected } => {
                t_string!(i18n, lock.err_code_length, found = *found, expected = *expected).to_string()
            }
            VaultError::RecoveryCodeChecksum => t_string!(i18n, lock.err_code_checksum).to_string(),
            VaultError::PassphraseTooShort { min } => {
                t_string!(i18n, lock.err_too_short, min = *min).to_string()
            }
            VaultError::NoSuchGuide => t_string!(i18n, lock.err_no_guide).to_string(),
            _ => t_string!(i18n, lock.err_damaged).to_string(),
        },
        VaultFail::Guide(g) => match g {
            GuideError::EmptyName => t_string!(i18n, lock.err_name_empty).to_string(),
            GuideError::NameTooLong { max } => t_string!(i18n, lock.err_name_long, max = *max).to_string(),
            GuideError::NameNotOneLine => t_string!(i18n, lock.err_name_line).to_string(),
            GuideError::DuplicateName => t_string!(i18n, lock.err_name_dup).to_string(),
            GuideError::LastSupervisor => t_string!(i18n, lock.err_last_supervisor).to_string(),
        },
        VaultFail::Db(e) => super::form_message::db_fail(i18n, e),
    }
}
