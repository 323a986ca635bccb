//! `#/workshop` — workshop mode for a projector (SPEC §2.8). Placeholder.

use leptos::prelude::*;

use crate::i18n::*;

/// Workshop mode.
#[component]
pub fn WorkshopPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="page workshop" data-page="workshop">
            <h1>{t!(i18n, workshop_title)}</h1>
            <p class="lead">{t!(i18n, workshop_intro)}</p>
            <aside class="notice" role="note">
                <strong>{t!(i18n, placeholder_title)}</strong>" "
                {t!(i18n, workshop_placeholder)}
            </aside>
        </article>
    }
}
