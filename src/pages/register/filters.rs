//! The register's filters: each one an index query, and the filter bar.

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
        let name = self.name.trim();
        if !name.is_empty() {
            q.push(HouseholdQuery::NamePrefix(name.to_owned()));
        }
        q
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
                <select on:change=move |ev| filters.update(|f| f.building = select_value(&ev).and_then(|v| v.parse().ok()))>
                    <option value="">{t!(i18n, common.filter_any)}</option>
                    {buildings.iter().map(|b| view! { <option value=b.id.to_string()>{b.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.filter_tenure)}
                <select on:change=move |ev| filters.update(|f| f.tenure = select_value(&ev))>
                    <option value="">{t!(i18n, common.filter_any)}</option>
                    <option value="owner">{move || labels::tenure(i18n, Tenure::Owner)}</option>
                    <option value="tenant">{move || labels::tenure(i18n, Tenure::Tenant)}</option>
                    <option value="public_rental">{move || labels::tenure(i18n, Tenure::PublicRental)}</option>
                </select>
            </label>
            <label>{t!(i18n, common.filter_need)}
                <select on:change=move |ev| filters.update(|f| f.need = select_value(&ev))>
                    <option value="">{t!(i18n, common.filter_any)}</option>
                    {cats.iter().map(|c| {
                        let cats2 = cats.clone();
                        let code = c.code.clone();
                        let code2 = c.code.clone();
                        view! { <option value=code>{move || labels::category(i18n, &cats2, &code2)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.filter_flag)}
                <select on:change=move |ev| filters.update(|f| f.flag = select_value(&ev))>
                    <option value="">{t!(i18n, common.filter_any)}</option>
                    {FLAGS.iter().map(|fl| view! { <option value=*fl>{move || labels::flag(i18n, fl)}</option> }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.search_name)}
                <input type="search" on:input=on_name data-testid="name-search"
                    placeholder=move || t_string!(i18n, common.search_placeholder).to_string()/>
            </label>
        </div>
    }
}
