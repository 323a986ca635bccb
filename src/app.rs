//! The shell: translation context, header with navigation and language
//! switch, storage status banner, and the routed view.

use leptos::prelude::*;

use crate::components::status::StatusBanner;
use crate::components::update::UpdatePrompt;
use crate::components::vault_text::role_name;
use crate::i18n::*;
use crate::pages;
use crate::state::{provide_route, provide_session, provide_storage, LockState, Route};

/// Cookie in which leptos_i18n keeps the chosen language.
const LANG_COOKIE: &str = "i18n_pref_locale";

/// Chinese first: unless the user chose a language before, start in Chinese
/// whatever the browser's language list says (leptos_i18n would follow it).
fn default_to_chinese() {
    let doc: wasm_bindgen::JsValue = document().into();
    let key = wasm_bindgen::JsValue::from_str("cookie");
    let cookies = js_sys::Reflect::get(&doc, &key)
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default();
    let chosen = cookies
        .split(';')
        .any(|c| c.trim_start().starts_with(&format!("{LANG_COOKIE}=")));
    if !chosen {
        let value = format!("{LANG_COOKIE}=zh; max-age=31536000; SameSite=Lax");
        let _ = js_sys::Reflect::set(&doc, &key, &wasm_bindgen::JsValue::from_str(&value));
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    default_to_chinese();
    view! {
        <I18nContextProvider>
            <Shell/>
        </I18nContextProvider>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let route = provide_route();
    let storage = provide_storage();
    crate::state::provide_sync(storage);
    let session = provide_session();

    // The static "loading" line in index.html is no longer needed.
    if let Some(boot) = document().get_element_by_id("boot") {
        boot.remove();
    }

    // Keep <html lang> in step with the chosen language (screen readers, fonts).
    Effect::new(move |_| {
        let lang = match i18n.get_locale() {
            Locale::zh => "zh-CN",
            Locale::en => "en",
        };
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", lang);
        }
    });

    let toggle_lang = move |_| {
        let next = match i18n.get_locale() {
            Locale::zh => Locale::en,
            Locale::en => Locale::zh,
        };
        i18n.set_locale(next);
    };

    let nav_item = move |r: Route| {
        let label = move || match r {
            Route::Dashboard => t_string!(i18n, common.nav_dashboard).to_string(),
            Route::Workspace => t_string!(i18n, common.nav_workspace).to_string(),
            Route::Workshop => t_string!(i18n, common.nav_workshop).to_string(),
            Route::Register => t_string!(i18n, common.nav_register).to_string(),
            Route::Needs => t_string!(i18n, common.nav_needs).to_string(),
            Route::Pb => t_string!(i18n, common.nav_pb).to_string(),
            Route::Allocation => t_string!(i18n, common.nav_allocation).to_string(),
            Route::Plans => t_string!(i18n, common.nav_plans).to_string(),
            Route::Participation => t_string!(i18n, common.nav_participation).to_string(),
            Route::Requests => t_string!(i18n, common.nav_requests).to_string(),
            _ => t_string!(i18n, common.nav_settings).to_string(),
        };
        view! {
            <li>
                <a href=r.href() aria-current=move || (route.get().section() == r).then_some("page")>{label}</a>
            </li>
        }
    };

    view! {
        <a class="skip" href="#main" on:click=move |ev| {
            ev.prevent_default();
            if let Some(m) = document().get_element_by_id("main") {
                use wasm_bindgen::JsCast;
                if let Ok(m) = m.dyn_into::<web_sys::HtmlElement>() {
                    let _ = m.focus();
                }
            }
        }>{t!(i18n, common.skip_to_content)}</a>
        <div class="shell" class:workshop-shell=move || route.get() == Route::Workshop>
            <header class="top">
                <a class="brand" href=Route::Dashboard.href()>
                    <span class="brand-name">{t!(i18n, common.app_name)}</span>
                    <span class="brand-tag">{t!(i18n, common.app_tagline)}</span>
                </a>
                <nav aria-label=move || t_string!(i18n, common.nav_label).to_string()>
                    <ul>{Route::ALL.into_iter().map(nav_item).collect_view()}</ul>
                </nav>
                {move || match session.lock.get() {
                    LockState::Unlocked => session.guide.get().map(|g| view! {
                        <span class="acting" data-testid="acting-guide">
                            {t!(i18n, lock.acting)}<strong>{g.name}</strong>" · "{role_name(i18n, g.role)}
                        </span>
                        <button class="lock-now" data-testid="lock-now" on:click=move |_| session.lock_now()>
                            {t!(i18n, lock.lock_now)}
                        </button>
                    }.into_any()),
                    _ => None,
                }}
                <button class="lang" on:click=toggle_lang
                    aria-label=move || t_string!(i18n, common.lang_switch_label).to_string()>
                    {t!(i18n, common.lang_switch)}
                </button>
            </header>
            <StatusBanner/>
            <Show when=move || session.is_demo()>
                <p class="banner warn demo-banner" role="note" data-testid="demo-banner">
                    {t!(i18n, lock.demo_banner)}" "
                    <crate::components::SetupLink/>
                </p>
            </Show>
            <UpdatePrompt/>
            <main id="main" tabindex="-1">
                {move || if session.lock.get() == LockState::Locked {
                    pages::lock::LockPage().into_any()
                } else { match route.get() {
                    Route::Dashboard => pages::dashboard::DashboardPage().into_any(),
                    Route::Workspace => pages::workspace::WorkspacePage().into_any(),
                    Route::Workshop => pages::workshop::WorkshopPage().into_any(),
                    Route::Register => pages::register::RegisterPage().into_any(),
                    Route::Needs => pages::needs::NeedsPage().into_any(),
                    Route::Pb => pages::pb::PbPage().into_any(),
                    Route::Allocation => pages::allocation::AllocationPage().into_any(),
                    Route::Plans => pages::plans::PlansPage().into_any(),
                    Route::Plan(id) => view! { <pages::plans::PlanPage id=id/> }.into_any(),
                    Route::Participation => pages::participation::ParticipationPage().into_any(),
                    Route::Requests => pages::requests::RequestsPage().into_any(),
                    Route::HouseholdNew => view! { <pages::household::HouseholdPage id=None/> }.into_any(),
                    Route::Household(id) => view! { <pages::household::HouseholdPage id=Some(id)/> }.into_any(),
                    Route::Settings => pages::settings::SettingsPage().into_any(),
                    Route::History => pages::history::HistoryPage().into_any(),
                    Route::NotFound => pages::not_found::NotFoundPage().into_any(),
                }}}
            </main>
            <footer class="foot">{t!(i18n, common.footer_privacy)}</footer>
        </div>
    }
}
