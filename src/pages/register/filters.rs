//! The register's filters: each select an index query, the search box an
//! in-memory match ([`linli_domain::register_search`]), and the filter bar.
//! The filters live in the URL (`#/register?q=12幢&b=3…`), so going back to
//! the list finds them again.

use leptos::prelude::*;
use linli_domain::model::{Building, NeedCategory, Tenure};

use crate::components::labels;
use crate::db::schema::FLAGS;
use crate::db::HouseholdQuery;
use crate::i18n::*;

/// The active filters (all empty: every household).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Filters {
    pub building: Option<u32>,
    pub tenure: Option<String>,
    pub need: Option<String>,
    pub flag: Option<String>,
    /// The search box's text (buildings, rooms, names, phone endings).
    pub name: String,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.building.is_none()
            && self.tenure.is_none()
            && self.need.is_none()
            && self.flag.is_none()
            && self.name.trim().is_empty()
    }

    /// The filters as index queries.
    pub fn queries(&self) -> Vec<HouseholdQuery> {
        let mut q = Vec::new();
        if let Some(b) = self.building {
            q.push(HouseholdQuery::Building(b));
        }
        if let Some(t) = &self.tenure {
            q.push(HouseholdQuery::Tenure(t.clone()));
        }
        if let Some(n) = &self.need {
            q.push(HouseholdQuery::Need(n.clone()));
        }
        if let Some(fl) = &self.flag {
            q.push(HouseholdQuery::Flag(fl.clone()));
        }
        q
    }

    /// The filters read from a location hash's query (`#/register?q=…&b=…`).
    pub fn from_hash(hash: &str) -> Self {
        let mut f = Self::default();
        let Some((_, query)) = hash.split_once('?') else {
            return f;
        };
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = js_sys::decode_uri_component(v)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            if v.is_empty() {
                continue;
            }
            match k {
                "q" => f.name = v,
                "b" => f.building = v.parse().ok(),
                "t" => f.tenure = Some(v),
                "n" => f.need = Some(v),
                "f" => f.flag = Some(v),
                _ => {}
            }
        }
        f
    }

    /// The location hash that keeps these filters.
    pub fn to_hash(&self) -> String {
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        let mut parts = Vec::new();
        if !self.name.trim().is_empty() {
            parts.push(format!("q={}", enc(self.name.trim())));
        }
        if let Some(b) = self.building {
            parts.push(format!("b={b}"));
        }
        for (k, v) in [("t", &self.tenure), ("n", &self.need), ("f", &self.flag)] {
            if let Some(v) = v {
                parts.push(format!("{k}={}", enc(v)));
            }
        }
        if parts.is_empty() {
            "#/register".to_owned()
        } else {
            format!("#/register?{}", parts.join("&"))
        }
    }
}

fn select_value(ev: &leptos::ev::Event) -> Option<String> {
    let v = event_target_value(ev);
    (!v.is_empty()).then_some(v)
}

/// A name typed but not yet applied to the filters.
pub(super) type PendingName = StoredValue<Option<leptos::leptos_dom::helpers::TimeoutHandle>, LocalStorage>;

/// The filter bar. Typing a name updates the filter after a short pause, not on
/// every key.
pub(super) fn filter_bar(
    i18n: leptos_i18n::I18nContext<Locale>,
    filters: RwSignal<Filters>,
    pending_name: PendingName,
    buildings: Vec<Building>,
    cats: Vec<NeedCategory>,
) -> impl IntoView {
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
    view! {
        <div class="filters" role="search">
            <label>{t!(i18n, common.filter_building)}
                <select data-testid="filter-building" on:change=move |ev| filters.update(|f| f.building = select_value(&ev).and_then(|v| v.parse().ok()))>
                    <option value="">{t!(i18n, common.filter_any)}</option>
                    {buildings.iter().map(|b| {
                        let id = b.id;
                        view! { <option value=b.id.to_string() selected=move || filters.with(|f| f.building == Some(id))>{b.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.filter_tenure)}
                <select data-testid="filter-tenure" on:change=move |ev| filters.update(|f| f.tenure = select_value(&ev))>
                    <option value="">{t!(i18n, common.filter_any)}</option>
                    {[("owner", Tenure::Owner), ("tenant", Tenure::Tenant), ("public_rental", Tenure::PublicRental)].map(|(code, t)| view! {
                        <option value=code selected=move || filters.with(|f| f.tenure.as_deref() == Some(code))>{move || labels::tenure(i18n, t)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.filter_need)}
                <select on:change=move |ev| filters.update(|f| f.need = select_value(&ev))>
                    <option value="">{t!(i18n, common.filter_any)}</option>
                    {cats.iter().map(|c| {
                        let cats2 = cats.clone();
                        let code = c.code.clone();
                        let code2 = c.code.clone();
                        let code3 = c.code.clone();
                        view! { <option value=code selected=move || filters.with(|f| f.need.as_deref() == Some(code3.as_str()))>{move || labels::category(i18n, &cats2, &code2)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.filter_flag)}
                <select on:change=move |ev| filters.update(|f| f.flag = select_value(&ev))>
                    <option value="">{t!(i18n, common.filter_any)}</option>
                    {FLAGS.iter().map(|fl| view! { <option value=*fl selected=move || filters.with(|f| f.flag.as_deref() == Some(*fl))>{move || labels::flag(i18n, fl)}</option> }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.search_name)}
                <input type="search" on:input=on_name data-testid="name-search"
                    prop:value=filters.get_untracked().name
                    placeholder=move || t_string!(i18n, common.search_placeholder).to_string()/>
            </label>
        </div>
    }
}
