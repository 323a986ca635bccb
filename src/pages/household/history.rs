//! The household's change history, from the audit log, newest first.

use leptos::prelude::*;
use linli_domain::model::AuditEntry;

use crate::components::history::HistoryTable;
use crate::i18n::*;
use crate::state::Route;

/// The history section.
pub(super) fn history_view(
    i18n: leptos_i18n::I18nContext<Locale>,
    history: Vec<AuditEntry>,
) -> impl IntoView {
    view! {
        <section aria-labelledby="hist-h">
            <h2 id="hist-h">{t!(i18n, common.hh_section_history)}</h2>
            {if history.is_empty() {
                view! { <p class="empty">{t!(i18n, common.history_empty)}</p> }.into_any()
            } else {
                view! { <HistoryTable entries=history/> }.into_any()
            }}
            <p><a href=Route::History.href()>{t!(i18n, common.history_link)}</a></p>
        </section>
    }
}
