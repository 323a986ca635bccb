//! `#/register` — the household register: filters backed by IndexedDB
//! indexes, and a virtualised table that renders only the visible rows, so
//! it stays smooth with 100,000 households.

mod filters;
mod io;
mod table;

use leptos::prelude::*;

use self::filters::{filter_bar, Filters, PendingName};
use self::io::RegisterIo;
use self::table::table;
use crate::components::loaded::{load, LoadGate};
use crate::i18n::*;
use crate::state::{use_storage, Route};

/// `history.replaceState(null, "", url)`: the address changes with no new
/// history entry and no `hashchange` (the page is not drawn again). Called
/// through `Reflect`, which spares web-sys's `History` feature.
fn replace_url(url: &str) {
    use wasm_bindgen::{JsCast, JsValue};
    let history =
        js_sys::Reflect::get(&window(), &JsValue::from_str("history")).unwrap_or(JsValue::UNDEFINED);
    let replace =
        js_sys::Reflect::get(&history, &JsValue::from_str("replaceState")).unwrap_or(JsValue::UNDEFINED);
    if let Some(f) = replace.dyn_ref::<js_sys::Function>() {
        let _ = f.call3(
            &history,
            &JsValue::NULL,
            &JsValue::from_str(""),
            &JsValue::from_str(url),
        );
    }
}

/// The register list.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    // A read-only auditor is not offered a new household.
    let writable = crate::components::write_guard::can_write();
    let data = load(storage, |db| async move { db.register_data().await });
    let filters = RwSignal::new(Filters::from_hash(
        &window().location().hash().unwrap_or_default(),
    ));
    // The filters in the URL (replacing, not adding, a history entry), so that
    // going back to the list finds them again.
    Effect::new(move |_| {
        let hash = filters.with(Filters::to_hash);
        if window().location().hash().unwrap_or_default() != hash {
            replace_url(&hash);
        }
    });
    let pending_name: PendingName = StoredValue::new_local(None);
    // The ids matching the filters; `None` while no filter is set (every household).
    let ids = LocalResource::new(move || {
        let f = filters.get();
        let _ = storage.revision.get();
        let loaded = data.current.get();
        async move {
            if f.is_empty() {
                return None; // all households
            }
            let loaded = loaded?;
            let queries = f.queries();
            let candidates: Vec<u32> = if queries.is_empty() {
                loaded.households.iter().map(|h| h.id).collect()
            } else {
                storage
                    .db()?
                    .matching_households(&queries, &loaded.households)
                    .await
                    .ok()?
            };
            let text = linli_domain::register_search::Query::new(&f.name);
            if text.is_empty() {
                return Some(candidates);
            }
            let building = |id: u32| {
                loaded
                    .buildings
                    .iter()
                    .find(|b| b.id == id)
                    .map_or("", |b| b.name.as_str())
            };
            Some(
                candidates
                    .into_iter()
                    .filter(|id| {
                        loaded.by_id.get(id).is_some_and(|&i| {
                            let h = &loaded.households[i];
                            linli_domain::register_search::matches(&text, h, building(h.building_id))
                        })
                    })
                    .collect(),
            )
        }
    });
    let scroll_top = RwSignal::new(0.0f64);

    view! {
        <article class="page" data-page="register">
            <h1>{t!(i18n, common.register_title)}</h1>
            <p class="lead">{t!(i18n, common.register_intro)}</p>
            <Show when=move || writable.get()>
                <p><a class="button" href=Route::HouseholdNew.href() data-testid="new-household">{t!(i18n, common.register_new)}</a></p>
            </Show>
            <RegisterIo/>
            <LoadGate phase=data.phase error=Signal::derive(move || data.error())>
                {move || data.current.get().map(|d| if d.households.is_empty() {
                    view! { <p class="empty">{t!(i18n, common.empty_register)}</p> }.into_any()
                } else {
                    view! {
                        {filter_bar(i18n, filters, pending_name, d.buildings.clone(), d.categories.clone())}
                        {table(i18n, d.0.clone(), ids, scroll_top)}
                    }
                    .into_any()
                })}
            </LoadGate>
        </article>
    }
}
