//! A run's result: the timing and inputs hash, the elite-capture banner, the kind picker,
//! the chosen kind's pools, allocation, explanations, indicators and fairness (`kind`),
//! the comparison (`compare`), the what-if scenario (`whatif`), cost sharing (`cost`),
//! and the exports and "save this run" (`export`).
//!
//! Texts are built as plain strings in the current language inside reactive closures that
//! follow the language; every table of figures is the text equivalent of its chart.

use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::alloc::kind_code;
use linli_domain::model::{AllocationRun, ResourceKind};

use super::compare::CompareSection;
use super::cost::cost_view;
use super::explain::previous_text;
use super::export::ExportSection;
use super::format::kind_label;
use super::kind::kind_view;
use super::whatif::WhatIf;
use super::Computed;
use crate::components::labels;
use crate::i18n::*;

/// A run's result.
#[component]
pub fn ResultView(computed: Arc<Computed>, runs: Memo<Vec<AllocationRun>>) -> impl IntoView {
    let i18n = use_i18n();
    let r = &computed.result;
    let kinds: Vec<ResourceKind> = r.kinds.iter().map(|k| k.kind).collect();
    let kind = RwSignal::new(kinds.first().copied().unwrap_or(ResourceKind::Money));
    let open = RwSignal::new(None::<String>);
    let ms = format!("{:.1}", computed.millis.max(0.0));
    let c1 = computed.clone();
    let body = move || {
        let _ = i18n.get_locale();
        let k = kind.get();
        c1.result
            .kinds
            .iter()
            .find(|x| x.kind == k)
            .map(|kr| kind_view(i18n, kr, &c1, open).into_any())
    };
    let any_warning: Vec<(ResourceKind, String)> = r
        .kinds
        .iter()
        .flat_map(|k| {
            k.fairness
                .groups
                .iter()
                .filter(|g| g.capture_warning)
                .map(move |g| (k.kind, g.label.clone()))
        })
        .collect();
    let warning_banner = (!any_warning.is_empty()).then(|| {
        view! {
            <p class="capture-warning banner" role="alert" data-testid="capture-banner">
                <strong>{t!(i18n, allocation.capture_banner)}</strong>
                {move || any_warning.iter().map(|(k, g)| t_string!(i18n, common.paren, a = labels::group(i18n, g), b = kind_label(i18n, *k)).to_string()).collect::<Vec<_>>().join(t_string!(i18n, common.sep_list))}
                {t!(i18n, allocation.see_the_group_fairness_table)}
            </p>
        }
    });

    let kind_picker = (kinds.len() > 1).then(|| {
        let items = kinds
            .iter()
            .map(|&k| {
                view! {
                    <label><input type="radio" name="alloc-kind" data-testid=format!("kind-{}", kind_code(k))
                        prop:checked=move || kind.get() == k on:change=move |_| kind.set(k)/>{move || kind_label(i18n, k)}</label>
                }
            })
            .collect_view();
        view! { <fieldset class="toggle"><legend>{t!(i18n, allocation.kind_of_resource)}</legend>{items}</fieldset> }
    });

    let c6 = computed.clone();
    let timing = move || {
        t_string!(
            i18n,
            allocation.timing,
            period = c6.period.clone(),
            ms = ms.clone()
        )
        .to_string()
    };
    let c9 = computed.clone();
    let previous_note = {
        let r2 = computed.clone();
        move || previous_text(i18n, &r2.result)
    };
    view! {
        <div class="alloc-result" data-testid="alloc-result" data-alloc-ms=format!("{:.1}", computed.millis.max(0.0))
            data-period=computed.period.clone() data-sha=computed.result.inputs_sha256.clone()>
            <p class="ok" role="status" data-testid="alloc-timing">{timing}</p>
            <p class="muted small">{previous_note}" "{t!(i18n, allocation.inputs_sha_256)}<code class="sha">{computed.result.inputs_sha256.clone()}</code></p>
            {warning_banner}
            {kind_picker}
            {body}
            <CompareSection computed=computed.clone() runs=runs kind=kind/>
            <WhatIf computed=computed.clone() kind=kind/>
            {move || { let _ = i18n.get_locale(); cost_view(i18n, &c9.result, &c9.categories) }}
            <ExportSection computed=computed.clone()/>
        </div>
    }
}
