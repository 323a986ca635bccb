//! The household's change history, from the audit log, newest first.

use leptos::prelude::*;
use linli_domain::model::AuditEntry;

use crate::browser::local_minute;
use crate::i18n::*;

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
                view! {
                    <table class="counts history" data-testid="history">
                        <thead><tr><th scope="col">{t!(i18n, common.history_when)}</th><th scope="col">{t!(i18n, common.history_who)}</th><th scope="col">{t!(i18n, common.history_what)}</th></tr></thead>
                        <tbody>{history.iter().map(|e| view! {
                            <tr><td>{local_minute(e.at)}</td><td>{e.actor.clone()}</td><td>{format!("{} {}", e.action, e.summary)}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
