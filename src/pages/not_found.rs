//! Any unknown `#/…` route.

use leptos::prelude::*;

use crate::i18n::*;
use crate::state::Route;

/// Not found.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="page" data-page="not-found">
            <h1>{t!(i18n, common.not_found_title)}</h1>
            <p>{t!(i18n, common.not_found_body)}</p>
            <p><a href=Route::Dashboard.href()>{t!(i18n, common.go_home)}</a></p>
        </article>
    }
}
