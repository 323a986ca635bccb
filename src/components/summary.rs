//! Headline figures of the community and the per-store record counts.

use leptos::prelude::*;
use linli_domain::dataset::Summary;

use crate::browser::this_year;
use crate::i18n::*;
use crate::state::use_storage;

/// `22.5%` from tenths of a percent.
fn percent(permille: u32) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

/// Cards with households, residents, share aged 60+, renting households,
/// buildings and grids. Totals only.
#[component]
pub fn SummaryCards() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { db.headline(this_year()).await.ok() });
    move || match data.get() {
        None => view! { <p class="muted" role="status">{t!(i18n, common.loading)}</p> }.into_any(),
        Some(None) => view! { <p class="muted" role="status">{t!(i18n, common.loading)}</p> }.into_any(),
        Some(Some((s, _, _))) if s.households == 0 => {
            view! { <p class="empty">{t!(i18n, common.empty_register)}</p> }.into_any()
        }
        Some(Some((s, buildings, grids))) => {
            let aged = percent(Summary::permille(s.aged_60_plus, s.residents));
            let renting = percent(Summary::permille(s.renting, s.households));
            view! {
                <dl class="cards" data-testid="summary">
                    <div class="card"><dt>{t!(i18n, common.households)}</dt><dd>{s.households}</dd></div>
                    <div class="card"><dt>{t!(i18n, common.residents)}</dt><dd>{s.residents}</dd></div>
                    <div class="card"><dt>{t!(i18n, common.aged_60)}</dt><dd>{aged}</dd></div>
                    <div class="card"><dt>{t!(i18n, common.tenants)}</dt><dd>{renting}</dd></div>
                    <div class="card"><dt>{t!(i18n, common.buildings)}</dt><dd>{buildings}</dd></div>
                    <div class="card"><dt>{t!(i18n, common.grids)}</dt><dd>{grids}</dd></div>
                </dl>
            }
            .into_any()
        }
    }
}

/// A table of record counts per store.
#[component]
pub fn RecordCounts() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let counts = storage.resource(|db| async move { db.counts().await.ok() });
    let label = move |store: &str| super::history::store_label(i18n, store);
    view! {
        <section aria-labelledby="records-h">
            <h2 id="records-h">{t!(i18n, common.records_title)}</h2>
            {move || match counts.get() {
                Some(Some(list)) => view! {
                    <table class="counts" data-testid="counts">
                        <thead><tr><th scope="col">{t!(i18n, common.store)}</th><th scope="col">{t!(i18n, common.count)}</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|(name, n)| view! {
                                <tr data-store=name><th scope="row">{move || label(name)}</th><td>{n}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                _ => view! { <p class="muted" role="status">{t!(i18n, common.loading)}</p> }.into_any(),
            }}
        </section>
    }
}
