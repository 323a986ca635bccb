//! `#/workspace` — the guides' workspace. For now: overview and counts.

use leptos::prelude::*;

use crate::components::summary::{RecordCounts, SummaryCards};
use crate::i18n::*;
use crate::state::Route;

/// The workspace overview.
#[component]
pub fn WorkspacePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="page" data-page="workspace">
            <h1>{t!(i18n, workspace_title)}</h1>
            <p class="lead">{t!(i18n, workspace_intro)}</p>
            <aside class="notice" role="note">
                <strong>{t!(i18n, placeholder_title)}</strong>" "
                {t!(i18n, workspace_placeholder)}" "
                <a href=Route::Settings.href()>{t!(i18n, nav_settings)}</a>
            </aside>
            <SummaryCards/>
            <RecordCounts/>
        </article>
    }
}
