//! One category's explanation (which rule, eligible headcount × unit weight, demand
//! components, urgency and reach, the bounds that limited it) and the note saying what
//! the previous period's figures are.

use leptos::prelude::*;
use linli_domain::alloc::export::percent_plain;
use linli_domain::alloc::{AllocationResult, Binding, CategoryAllocation, KindResult, PreviousSource};
use linli_domain::model::ResourceKind;
use linli_domain::money::format_yuan;

use super::format::{amount_text, binding_text, factor_text, pct, ppb, quota_text, Ctx};
use super::Computed;
use crate::components::labels::is_zh;
use crate::i18n::*;

/// `part` as a share of `sum`, in percent with two decimals (`0.00` when `sum` is 0).
fn share_of(part: u128, sum: u128) -> String {
    percent_plain(part.saturating_mul(10_000).checked_div(sum).unwrap_or(0) as i64)
}

/// One category's explanation.
pub fn explanation(i18n: Ctx, k: &KindResult, c: &CategoryAllocation, computed: &Computed) -> impl IntoView {
    let e = &c.explanation;
    let kind = k.kind;
    let amount = |v: i64| amount_text(i18n, kind, v);
    let rule = computed.config.rule(&c.code).into_owned();
    let elig = if is_zh(i18n) {
        rule.eligibility.label_zh()
    } else {
        rule.eligibility.label_en()
    };
    let sum_base: u128 = k.categories.iter().map(|x| x.explanation.base_weight).sum();
    let base_share = share_of(e.base_weight, sum_base);
    let sum_flex: u128 = k.categories.iter().map(|x| x.explanation.flexible_weight).sum();
    let flex_share = share_of(e.flexible_weight, sum_flex);
    let d = &e.demand;
    // Σ weight_bp × share_ppb: hundredths of a percent are that ÷ 10⁹.
    let demand_pct = percent_plain((d.demand / 1_000_000_000) as i64);
    let w = &computed.config.demand;
    let comps = [
        (
            t_string!(i18n, allocation.needs_scores),
            format!("{}.{}", d.need_score / 10, d.need_score % 10),
            d.need_score_ppb,
            w.need_score_bp,
        ),
        (
            t_string!(i18n, allocation.waiting_households),
            d.waiting.to_string(),
            d.waiting_ppb,
            w.waiting_bp,
        ),
        (
            t_string!(i18n, allocation.requests),
            d.requests.to_string(),
            d.requests_ppb,
            w.requests_bp,
        ),
        (
            t_string!(i18n, allocation.eligible_population_growth),
            d.population_change.to_string(),
            d.population_change_ppb,
            w.population_change_bp,
        ),
    ];
    let comp_items = comps
        .into_iter()
        .map(|(name, value, share, weight)| {
            let text = t_string!(
                i18n,
                allocation.explain_component,
                name = name,
                value = value,
                share = ppb(share),
                weight = pct(weight)
            )
            .to_string();
            view! { <li>{text}</li> }
        })
        .collect_view();
    let base_line = t_string!(
        i18n,
        allocation.explain_base,
        eligible = e.eligible,
        who = elig,
        unit = e.unit_weight,
        weight = e.base_weight,
        share = base_share,
        quota = quota_text(i18n, kind, &e.base_quota),
        amount = amount(c.base)
    )
    .to_string();
    let flex_line = t_string!(
        i18n,
        allocation.explain_flexible,
        demand = demand_pct,
        urgency = factor_text(u64::from(d.urgency_bp)),
        reach = factor_text(u64::from(d.reach_bp)),
        share = flex_share,
        quota = quota_text(i18n, kind, &e.flexible_quota),
        amount = amount(c.flexible)
    )
    .to_string();
    let follows = k
        .flexible_follows_base
        .then(|| t_string!(i18n, allocation.there_is_no_demand_data_this));
    let bound_line = match e.binding {
        Binding::None => t_string!(
            i18n,
            allocation.explain_bounds_free,
            lower = amount(e.lower),
            upper = amount(e.upper),
            total = amount(c.total)
        )
        .to_string(),
        b => t_string!(
            i18n,
            allocation.explain_bounds_bound,
            unconstrained = amount(e.unconstrained),
            lower = amount(e.lower),
            upper = amount(e.upper),
            binding = binding_text(i18n, b),
            total = amount(c.total)
        )
        .to_string(),
    };
    let min = if rule.min_fen > 0 && kind == ResourceKind::Money {
        t_string!(i18n, allocation.explain_rule_min, min = format_yuan(rule.min_fen)).to_string()
    } else {
        String::new()
    };
    let rule_line = t_string!(
        i18n,
        allocation.explain_rule,
        floor = pct(rule.floor_bp),
        cap = pct(rule.cap_bp),
        min = min
    )
    .to_string();
    view! {
        <div class="explain alloc-explain">
            <p data-testid="explain-base">{base_line}</p>
            <p data-testid="explain-flexible">{flex_line}</p>
            {follows.map(|t| view! { <p class="muted">{t}</p> })}
            <ul class="inds">{comp_items}</ul>
            <p data-testid="explain-bounds">{bound_line}</p>
            <p class="muted">{rule_line}</p>
        </div>
    }
}

/// What the previous period's figures are (or that there are none).
pub fn previous_text(i18n: Ctx, r: &AllocationResult) -> String {
    match &r.previous_source {
        PreviousSource::None => t_string!(i18n, allocation.no_figures_for_the_previous).to_owned(),
        PreviousSource::Resources => t_string!(
            i18n,
            allocation.previous_resources,
            period = r.previous_period.clone()
        )
        .to_string(),
        PreviousSource::Run { id } => t_string!(
            i18n,
            allocation.previous_run,
            period = r.previous_period.clone(),
            id = *id
        )
        .to_string(),
    }
}
