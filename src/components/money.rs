//! Money input messages shared by the forms that take amounts in yuan
//! (participatory budgeting, allocation resources).

use leptos_i18n::I18nContext;
use linli_domain::money::MoneyError;

use crate::i18n::*;

/// What is wrong with a typed amount, in the current language.
pub fn money_error(i18n: I18nContext<Locale>, e: MoneyError) -> String {
    match e {
        MoneyError::Empty => t_string!(i18n, common.money_empty),
        MoneyError::NotANumber => t_string!(i18n, common.money_not_a_number),
        MoneyError::TooPrecise => t_string!(i18n, common.money_too_precise),
        MoneyError::Negative => t_string!(i18n, common.money_negative),
        MoneyError::TooLarge => t_string!(i18n, common.money_too_large),
    }
    .to_string()
}
