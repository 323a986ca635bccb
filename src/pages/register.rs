//! `#/register` — the household register: filters backed by IndexedDB
//! indexes, and a virtualised table that renders only the visible rows, so
//! it stays smooth with 100,000 households.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::demo::default_categories;
use linli_domain::model::{Building, Household, NeedCategory, Setting};
use wasm_bindgen::JsValue;

use crate::components::labels;
use crate::db::households::page_of;
use crate::db::schema::FLAGS;
use crate::db::{Db, DbError, HouseholdQuery};
use crate::i18n::*;
use crate::state::{use_storage, Route};

/// Height of one table row in pixels (CSS `.vrow` keeps it).
const ROW_PX: f64 = 44.0;
/// Rows rendered above and below the visible window.
const OVERSCAN: usize = 8;

/// What the register page loads once per data revision.
#[derive(Debug)]
pub struct RegisterData {
    pub households: Vec<Household>,
    pub by_id: HashMap<u32, usize>,
    pub buildings: Vec<Building>,
    pub categories: Vec<NeedCategory>,
}

/// Need categories from settings, or the defaults.
pub async fn load_categories(db: &Db) -> Result<Vec<NeedCategory>, DbError> {
    let setting: Option<Setting> = db.get("settings", &JsValue::from_str("need_categories")).await?;
    Ok(setting
        .and_then(|s| serde_json::from_str(&s.value).ok())
        .unwrap_or_else(default_categories))
}

async fn load(db: Db) -> Result<RegisterData, DbError> {
    let households: Vec<Household> = db.households().await?;
    let buildings: Vec<Building> = db.get_all("buildings").await?;
    let categories = load_categories(&db).await?;
    let by_id = households.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
    Ok(RegisterData {
        households,
        by_id,
        buildings,
        categories,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    building: Option<u32>,
    tenure: Option<String>,
    need: Option<String>,
    flag: Option<String>,
    name: String,
}

impl Filters {
    fn is_empty(&self) -> bool {
        self.building.is_none()
            && self.tenure.is_none()
            && self.need.is_none()
            && self.flag.is_none()
            && self.name.trim().is_empty()
    }
}

/// The filters as index queries.
fn queries(f: &Filters) -> Vec<HouseholdQuery> {
    let mut q = Vec::new();
    if let Some(b) = f.building {
        q.push(HouseholdQuery::Building(b));
    }
    if let Some(t) = &f.tenure {
        q.push(HouseholdQuery::Tenure(t.clone()));
    }
    if let Some(n) = &f.need {
        q.push(HouseholdQuery::Need(n.clone()));
    }
    if let Some(fl) = &f.flag {
        q.push(HouseholdQuery::Flag(fl.clone()));
    }
    let name = f.name.trim();
    if !name.is_empty() {
        q.push(HouseholdQuery::NamePrefix(name.to_owned()));
    }
    q
}

/// Ids (ascending) of the loaded households matching every active filter.
///
/// Each filter is one index query giving the pages that hold a match
/// (`db::households`); only the households on the pages every filter
/// returned are then checked against the filters, in memory.
async fn query(db: &Db, f: &Filters, data: &RegisterData) -> Result<Vec<u32>, DbError> {
    let queries = queries(f);
    let mut pages: Option<Vec<u32>> = None;
    for q in &queries {
        let p = db.household_pages(q).await?;
        pages = Some(match pages {
            None => p,
            Some(acc) => acc.into_iter().filter(|x| p.binary_search(x).is_ok()).collect(),
        });
    }
    let Some(pages) = pages else {
        return Ok(Vec::new());
    };
    let hs = &data.households;
    let mut ids = Vec::new();
    for page in pages {
        let start = hs.partition_point(|h| page_of(h.id) < page);
        ids.extend(
            hs[start..]
                .iter()
                .take_while(|h| page_of(h.id) == page)
                .filter(|h| queries.iter().all(|q| q.matches(h)))
                .map(|h| h.id),
        );
    }
    Ok(ids)
}

fn select_value(ev: &leptos::ev::Event) -> Option<String> {
    let v = event_target_value(ev);
    (!v.is_empty()).then_some(v)
}

/// The register list.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { Some(load(db).await.map(Arc::new)) });
    let filters = RwSignal::new(Filters::default());
    // Typing updates the name filter after a short pause, not on every key.
    let pending_name = StoredValue::new_local(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let on_name = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if let Some(h) = pending_name.get_value() {
            h.clear();
        }
        let h = leptos::leptos_dom::helpers::set_timeout_with_handle(
            move || filters.update(|f| f.name = v),
            std::time::Duration::from_millis(200),
        )
        .ok();
        pending_name.set_value(h);
    };
    let ids = LocalResource::new(move || {
        let f = filters.get();
        let _ = storage.revision.get();
        let loaded = data.get().flatten().and_then(Result::ok);
        async move {
            if f.is_empty() {
                return None; // all households
            }
            let db = storage.db()?;
            query(&db, &f, loaded.as_deref()?).await.ok()
        }
    });
    let scroll_top = RwSignal::new(0.0f64);
    let viewport_px = 600.0;

    let filter_bar = move |d: Arc<RegisterData>| {
        let buildings = d.buildings.clone();
        let cats = d.categories.clone();
        view! {
            <div class="filters" role="search">
                <label>{t!(i18n, filter_building)}
                    <select on:change=move |ev| filters.update(|f| f.building = select_value(&ev).and_then(|v| v.parse().ok()))>
                        <option value="">{t!(i18n, filter_any)}</option>
                        {buildings.iter().map(|b| view! { <option value=b.id.to_string()>{b.name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, filter_tenure)}
                    <select on:change=move |ev| filters.update(|f| f.tenure = select_value(&ev))>
                        <option value="">{t!(i18n, filter_any)}</option>
                        <option value="owner">{move || labels::tenure(i18n, linli_domain::model::Tenure::Owner)}</option>
                        <option value="tenant">{move || labels::tenure(i18n, linli_domain::model::Tenure::Tenant)}</option>
                        <option value="public_rental">{move || labels::tenure(i18n, linli_domain::model::Tenure::PublicRental)}</option>
                    </select>
                </label>
                <label>{t!(i18n, filter_need)}
                    <select on:change=move |ev| filters.update(|f| f.need = select_value(&ev))>
                        <option value="">{t!(i18n, filter_any)}</option>
                        {cats.iter().map(|c| {
                            let cats2 = cats.clone();
                            let code = c.code.clone();
                            let code2 = c.code.clone();
                            view! { <option value=code>{move || labels::category(i18n, &cats2, &code2)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, filter_flag)}
                    <select on:change=move |ev| filters.update(|f| f.flag = select_value(&ev))>
                        <option value="">{t!(i18n, filter_any)}</option>
                        {FLAGS.iter().map(|fl| view! { <option value=*fl>{move || labels::flag(i18n, fl)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, search_name)}
                    <input type="search" on:input=on_name data-testid="name-search"
                        placeholder=move || t_string!(i18n, search_placeholder).to_string()/>
                </label>
            </div>
        }
    };

    let table = move |d: Arc<RegisterData>| {
        let all: Vec<u32> = d.households.iter().map(|h| h.id).collect();
        let rows = Memo::new(move |_| match ids.get() {
            Some(Some(list)) => list,
            _ => all.clone(),
        });
        let d2 = d.clone();
        let total = Memo::new(move |_| rows.with(Vec::len));
        // A new result list starts at its top.
        let scroller = NodeRef::<leptos::html::Div>::new();
        Effect::new(move |_| {
            rows.track();
            scroll_top.set(0.0);
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
        });
        let body = move || {
            let list = rows.get();
            let n = list.len();
            let first = ((scroll_top.get() / ROW_PX) as usize)
                .saturating_sub(OVERSCAN)
                .min(n);
            let last = (first + (viewport_px / ROW_PX) as usize + 2 * OVERSCAN).min(n);
            let building_name = |id: u32| {
                d2.buildings
                    .iter()
                    .find(|b| b.id == id)
                    .map(|b| b.name.clone())
                    .unwrap_or_default()
            };
            let top = first as f64 * ROW_PX;
            let bottom = (n - last) as f64 * ROW_PX;
            view! {
                <tr class="spacer" aria-hidden="true" style:height=format!("{top}px")></tr>
                {list[first..last].iter().enumerate().filter_map(|(k, id)| {
                    let h = &d2.households[*d2.by_id.get(id)?];
                    let address = format!("{}-{}-{}", building_name(h.building_id), h.unit, h.room);
                    let flags: Vec<&str> = household_flags(h);
                    let cats = d2.categories.clone();
                    let needs: Vec<String> = h.needs.iter().map(|n| n.category.clone()).collect();
                    let href = Route::Household(h.id).href();
                    Some(view! {
                        <tr class="vrow" aria-rowindex=(first + k + 2).to_string()>
                            <td><a href=href>{h.id}</a></td>
                            <td>{address}</td>
                            <td>{h.contact_name.clone()}</td>
                            <td class="num">{h.members.len()}</td>
                            <td>{move || flags.iter().map(|f| labels::flag(i18n, f)).collect::<Vec<_>>().join("、")}</td>
                            <td>{move || needs.iter().map(|c| labels::category(i18n, &cats, c)).collect::<Vec<_>>().join("、")}</td>
                        </tr>
                    })
                }).collect_view()}
                <tr class="spacer" aria-hidden="true" style:height=format!("{bottom}px")></tr>
            }
        };
        view! {
            <p class="muted" role="status" data-testid="result-count">{total}" "{t!(i18n, results)}</p>
            <Show when=move || { total.get() > 0 } fallback=move || view! { <p class="empty">{t!(i18n, no_results)}</p> }>
                <div class="vscroll" data-testid="register-scroll" node_ref=scroller
                    on:scroll=move |ev| {
                        let el: web_sys::Element = event_target(&ev);
                        scroll_top.set(f64::from(el.scroll_top()));
                    }>
                    <table class="register" aria-rowcount=move || (total.get() + 1).to_string()>
                        <thead><tr aria-rowindex="1">
                            <th scope="col">{t!(i18n, col_id)}</th>
                            <th scope="col">{t!(i18n, col_address)}</th>
                            <th scope="col">{t!(i18n, col_contact)}</th>
                            <th scope="col">{t!(i18n, col_members)}</th>
                            <th scope="col">{t!(i18n, col_flags)}</th>
                            <th scope="col">{t!(i18n, col_needs)}</th>
                        </tr></thead>
                        <tbody>{body.clone()}</tbody>
                    </table>
                </div>
            </Show>
        }
    };

    view! {
        <article class="page" data-page="register">
            <h1>{t!(i18n, register_title)}</h1>
            <p class="lead">{t!(i18n, register_intro)}</p>
            <p><a class="button" href=Route::HouseholdNew.href() data-testid="new-household">{t!(i18n, register_new)}</a></p>
            <crate::components::register_io::RegisterIo/>
            {move || match data.get() {
                None | Some(None) => view! { <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, loading)}</p> }.into_any(),
                Some(Some(Err(e))) => view! { <p class="error" role="alert">{t!(i18n, status_error)}<code>{e.to_string()}</code></p> }.into_any(),
                Some(Some(Ok(d))) if d.households.is_empty() => view! { <p class="empty">{t!(i18n, empty_register)}</p> }.into_any(),
                Some(Some(Ok(d))) => view! { {filter_bar(d.clone())} {table(d)} }.into_any(),
            }}
        </article>
    }
}

/// The flag codes of a household, as the `by_flag` index stores them.
pub fn household_flags(h: &Household) -> Vec<&'static str> {
    use linli_domain::model::Subsistence;
    let mut out = Vec::new();
    if h.lives_alone {
        out.push("lives_alone");
    }
    if h.members.iter().any(|m| m.disability_grade.is_some()) {
        out.push("disability");
    }
    if h.members.iter().any(|m| m.dementia) {
        out.push("dementia");
    }
    if h.members.iter().any(|m| m.chronic_illness) {
        out.push("chronic");
    }
    match h.subsistence {
        Subsistence::Dibao => out.push("dibao"),
        Subsistence::Dibian => out.push("dibian"),
        Subsistence::None => {}
    }
    out
}
