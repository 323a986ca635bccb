//! `#/` — the residents' public disclosure dashboard (SPEC §2.9).
//!
//! A placeholder until the disclosure issue: it says so, and shows totals only.

use leptos::prelude::*;

use crate::components::summary::SummaryCards;
use crate::i18n::*;

/// The public dashboard.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="page dashboard" data-page="dashboard">
            <h1>{t!(i18n, dashboard_title)}</h1>
            <p class="lead">{t!(i18n, dashboard_intro)}</p>
            <aside class="notice" role="note">
                <strong>{t!(i18n, placeholder_title)}</strong>" "
                {t!(i18n, dashboard_placeholder)}
            </aside>
            <p>{t!(i18n, dashboard_demo_note)}</p>
            <SummaryCards/>
        </article>
    }
}
