//! What if (nothing is saved): the same inputs with another flexible share and/or one
//! category's demand scaled, compared with the current result.

use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::alloc::{what_if, DemandScale, Scenario, ScenarioResult};
use linli_domain::model::ResourceKind;

use super::compare::comparison_table;
use super::format::category_name;
use super::Computed;
use crate::components::matrix_editor::parse_fixed;
use crate::i18n::*;

/// The what-if form and its comparison table.
#[component]
pub fn WhatIf(computed: Arc<Computed>, kind: RwSignal<ResourceKind>) -> impl IntoView {
    let i18n = use_i18n();
    let wi_flex = RwSignal::new(format!(
        "{}.{:02}",
        computed.config.flexible_bp / 100,
        computed.config.flexible_bp % 100
    ));
    let wi_cat = RwSignal::new(
        computed
            .inputs
            .categories
            .first()
            .map(|c| c.code.clone())
            .unwrap_or_default(),
    );
    let wi_scale = RwSignal::new("100".to_owned());
    let wi_error = RwSignal::new(None::<String>);
    let wi_result = RwSignal::new(None::<Arc<ScenarioResult>>);
    let c4 = computed.clone();
    let on_what_if = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        wi_error.set(None);
        let Some(flex) = parse_fixed(&wi_flex.get_untracked(), 2).filter(|v| *v <= 10_000) else {
            wi_error.set(Some(
                t_string!(i18n, allocation.enter_a_flexible_share_from_0_to).to_owned(),
            ));
            return;
        };
        let Some(scale) = parse_fixed(&wi_scale.get_untracked(), 2).filter(|v| *v <= 100_000) else {
            wi_error.set(Some(
                t_string!(i18n, allocation.enter_a_demand_scale_from_0_to).to_owned(),
            ));
            return;
        };
        let mut config = c4.config.clone();
        config.flexible_bp = flex;
        config.base_bp = 10_000 - flex;
        let code = wi_cat.get_untracked();
        let scenario = Scenario {
            name: format!("flexible {flex} bp, {code} demand ×{scale}%"),
            config: Some(config),
            totals: Vec::new(),
            demand: if scale == 100 * 100 || code.is_empty() {
                Vec::new()
            } else {
                vec![DemandScale { code, bp: scale }]
            },
        };
        match what_if(&c4.inputs, &c4.config, &scenario) {
            Ok(s) => wi_result.set(Some(Arc::new(s))),
            Err(e) => {
                wi_result.set(None);
                wi_error.set(Some(e.to_string()));
            }
        }
    };
    let c5 = computed.clone();
    let what_if_table = move || {
        let _ = i18n.get_locale();
        let k = kind.get();
        wi_result.get().map(|s| {
            let before = t_string!(i18n, allocation.current_plan).to_owned();
            let after = t_string!(i18n, allocation.scenario).to_owned();
            comparison_table(
                i18n,
                &s.comparison,
                k,
                &c5.categories,
                before,
                after,
                "whatif-table",
            )
        })
    };
    let wi_cats: Vec<String> = computed
        .inputs
        .categories
        .iter()
        .map(|c| c.code.clone())
        .collect();
    view! {
        <section class="sub" aria-labelledby="alloc-wi-h">
            <h3 id="alloc-wi-h">{t!(i18n, allocation.what_if_nothing_is_saved)}</h3>
            <form class="inline-form whatif" on:submit=on_what_if novalidate data-testid="whatif-form">
                <label>{t!(i18n, allocation.flexible_pool_pct)}
                    <input type="text" inputmode="decimal" class="pct" data-testid="whatif-flexible" prop:value=move || wi_flex.get()
                        on:input=move |ev| wi_flex.set(event_target_value(&ev))/></label>
                <label>{t!(i18n, allocation.scale_the_demand_of)}
                    <select data-testid="whatif-category" on:change=move |ev| wi_cat.set(event_target_value(&ev))>
                        {move || {
                            let cats = &computed.categories;
                            wi_cats.iter().map(|code| {
                                let name = category_name(i18n, cats, code);
                                view! { <option value=code.clone() selected=*code == wi_cat.get_untracked()>{name}</option> }
                            }).collect_view()
                        }}
                    </select></label>
                <label>{t!(i18n, allocation.demand_scale)}
                    <input type="text" inputmode="decimal" class="pct" data-testid="whatif-demand" prop:value=move || wi_scale.get()
                        on:input=move |ev| wi_scale.set(event_target_value(&ev))/></label>
                <button type="submit" data-testid="whatif-run">{t!(i18n, allocation.compute_scenario)}</button>
            </form>
            {move || wi_error.get().map(|e| view! { <p class="error" role="alert" data-testid="whatif-error">{e}</p> })}
            {what_if_table}
        </section>
    }
}
