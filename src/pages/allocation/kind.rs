//! One kind of resource in a run's result: the pools, the allocation by category with
//! each category's explanation, the donut with its table, the indicators, and the group
//! fairness and grid tables.

use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::alloc::export::class_name;
use linli_domain::alloc::{kind_code, ChangeLimit, KindResult};
use linli_domain::money::format_yuan;

use super::explain::explanation;
use super::fairness::{fairness_view, grid_view};
use super::format::{amount_text, binding_text, category_name, change_view, kind_label, lang, pct, Ctx};
use super::Computed;
use crate::charts::alloc::{colour, Donut};
use crate::i18n::*;

/// The pools, the category table with explanations, the donut, the indicators and the
/// group fairness of one kind.
pub fn kind_view(
    i18n: Ctx,
    k: &KindResult,
    computed: &Arc<Computed>,
    open: RwSignal<Option<String>>,
) -> impl IntoView {
    let cats = &computed.categories;
    let kind = k.kind;
    let amount = move |v: i64| amount_text(i18n, kind, v);
    let p = k.pools;
    let reserve_bp = computed.config.reserve_bp;
    let pools = view! {
        <div class="table-scroll">
            <table class="agg alloc-pools" data-testid="alloc-pools" data-kind=kind_code(kind)>
                <tbody>
                    <tr><th scope="row">{t_string!(i18n, allocation.period_total)}</th><td class="num" data-testid="pool-total">{amount(k.total)}</td><td></td></tr>
                    <tr><th scope="row">{t_string!(i18n, allocation.emergency_reserve_released_by)}</th><td class="num" data-testid="pool-reserve">{amount(p.reserve)}</td><td class="muted">{pct(reserve_bp)}</td></tr>
                    <tr><th scope="row">{t_string!(i18n, allocation.base_pool_fixed_rules)}</th><td class="num" data-testid="pool-base">{amount(p.base)}</td><td class="muted">{pct(computed.config.base_bp)}</td></tr>
                    <tr><th scope="row">{t_string!(i18n, allocation.flexible_pool_quarterly_demand)}</th><td class="num" data-testid="pool-flexible">{amount(p.flexible)}</td><td class="muted">{pct(computed.config.flexible_bp)}</td></tr>
                    <tr><th scope="row">{t_string!(i18n, allocation.allocated)}</th><td class="num" data-testid="pool-allocated">{amount(p.allocated)}</td><td></td></tr>
                </tbody>
            </table>
        </div>
    };
    let mut notes = Vec::new();
    if k.flexible_follows_base {
        notes.push(t_string!(i18n, allocation.no_demand_data_the_flexible_pool));
    }
    if k.constrained {
        notes.push(t_string!(i18n, allocation.floors_caps_or_the_change_limit));
    }
    match k.change_limit {
        ChangeLimit::Applied => notes.push(t_string!(i18n, allocation.the_change_limit_per_quarter_was)),
        ChangeLimit::Relaxed => notes.push(t_string!(i18n, allocation.the_change_limit_was_loosened)),
        ChangeLimit::NoPrevious => notes.push(t_string!(i18n, allocation.no_previous_figures_the_change)),
        ChangeLimit::NotSet => {}
    }

    let rows = k
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let code = c.code.clone();
            let detail_id = format!("explain-{}-{}", kind_code(kind), c.code);
            let is_open = {
                let key = format!("{}:{}", kind_code(kind), c.code);
                let k2 = key.clone();
                (Memo::new(move |_| open.get().as_deref() == Some(k2.as_str())), key)
            };
            let (open_memo, key) = is_open;
            let name = category_name(i18n, cats, &code);
            let toggle = move |_| {
                let key = key.clone();
                open.update(|o| *o = if o.as_deref() == Some(key.as_str()) { None } else { Some(key) });
            };
            let change = c.change_bp.map(|ch| {
                let before = c.previous_share_bp.unwrap_or(0);
                view! { <span class="muted">{pct(before)}" → "{pct(c.share_bp)}</span><br/>{change_view(i18n, ch)} }
            });
            let detail = explanation(i18n, k, c, computed);
            let did = detail_id.clone();
            view! {
                <tr data-testid="alloc-row" data-code=code.clone() data-base=c.base data-flexible=c.flexible data-total=c.total>
                    <th scope="row"><span class="swatch" style:background=colour(i) aria-hidden="true"></span>{name.clone()}</th>
                    <td>{class_name(c.class, lang(i18n))}</td>
                    <td class="num" data-testid="cell-base">{amount(c.base)}</td>
                    <td class="num" data-testid="cell-flexible">{amount(c.flexible)}</td>
                    <td class="num" data-testid="cell-total">{amount(c.total)}</td>
                    <td class="num" data-testid="cell-share">{pct(c.share_bp)}</td>
                    <td>{change}</td>
                    <td>{binding_text(i18n, c.explanation.binding)}</td>
                    <td>
                        <button type="button" class="expand" data-testid="explain-toggle"
                            aria-expanded=move || open_memo.get().to_string() aria-controls=did.clone()
                            aria-label=format!("{} {name}", t_string!(i18n, allocation.explain))
                            on:click=toggle>{move || if open_memo.get() { t_string!(i18n, allocation.hide) } else { t_string!(i18n, allocation.explain) }}</button>
                    </td>
                </tr>
                <tr class="detail" id=detail_id hidden=move || !open_memo.get() data-testid="alloc-explain">
                    <td colspan="9">{detail}</td>
                </tr>
            }
        })
        .collect_view();

    let shares: Vec<u32> = k.categories.iter().map(|c| c.share_bp).collect();
    let donut_label = t_string!(i18n, allocation.donut_chart_of_the_allocation_by).to_owned();
    let legend_rows = k
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            view! {
                <tr>
                    <th scope="row"><span class="swatch" style:background=colour(i) aria-hidden="true"></span>{category_name(i18n, cats, &c.code)}</th>
                    <td class="num">{pct(c.share_bp)}</td>
                    <td class="num">{amount(c.total)}</td>
                </tr>
            }
        })
        .collect_view();

    let ind = &k.indicators;
    let mismatch = ind.mismatch.as_ref().map(|m| {
        let ok = m.meets_target;
        view! {
            <li data-testid="ind-mismatch">
                {t_string!(i18n, allocation.mismatch_rate)}<strong>{pct(m.mismatch_bp)}</strong>
                {format!(" ({}{})", t_string!(i18n, allocation.target_below), pct(m.target_max_bp))}" "
                <span class=if ok { "badge ok" } else { "badge bad" }>{if ok { t_string!(i18n, allocation.met) } else { t_string!(i18n, allocation.not_met) }}</span>
            </li>
            <li data-testid="ind-precise">{t_string!(i18n, allocation.precise_targeting_rate)}<strong>{pct(m.precise_targeting_bp)}</strong></li>
        }
    });
    let utilisation = ind.utilisation.as_ref().map(|u| {
        let text = u.utilisation_bp.map(pct).unwrap_or_else(|| "–".into());
        let badge = u.meets_target.map(|ok| view! {
            <span class=if ok { "badge ok" } else { "badge bad" }>{if ok { t_string!(i18n, allocation.met) } else { t_string!(i18n, allocation.not_met) }}</span>
        });
        view! {
            <li data-testid="ind-utilisation">
                {t_string!(i18n, allocation.utilisation)}<strong>{text}</strong>
                {format!(" ({} {} / {}; {}{})", t_string!(i18n, allocation.spent), format_yuan(u.spent_fen), format_yuan(u.allocated_fen), t_string!(i18n, allocation.target_above), pct(u.target_min_bp))}" "
                {badge}
            </li>
        }
    });
    let no_mismatch = ind.mismatch.is_none().then(|| {
        view! {
            <li class="muted">{t_string!(i18n, allocation.no_registered_need_no_mismatch)}</li>
        }
    });

    let fairness = fairness_view(i18n, k);
    let grids = grid_view(i18n, k);
    let kind_name = kind_label(i18n, kind);
    view! {
        <h3>{format!("{kind_name}{}", t_string!(i18n, allocation.pools_suffix))}</h3>
        {pools}
        {(!notes.is_empty()).then(|| view! { <ul class="notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> })}
        <h3>{format!("{kind_name}{}", t_string!(i18n, allocation.by_category_suffix))}</h3>
        <div class="table-scroll">
            <table class="agg alloc-table" data-testid="alloc-table" data-kind=kind_code(kind)>
                <thead><tr>
                    <th scope="col">{t_string!(i18n, allocation.category_short)}</th>
                    <th scope="col">{t_string!(i18n, allocation.class)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.base)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.flexible)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.total)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.share)}</th>
                    <th scope="col">{t_string!(i18n, allocation.against_the_previous_period)}</th>
                    <th scope="col">{t_string!(i18n, allocation.bound)}</th>
                    <th scope="col"><span class="sr-only">{t_string!(i18n, allocation.explanation_head)}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
                <tfoot><tr data-testid="alloc-foot" data-base=p.base data-flexible=p.flexible data-total=p.allocated>
                    <th scope="row">{t_string!(i18n, allocation.total)}</th>
                    <td></td>
                    <td class="num" data-testid="foot-base">{amount(p.base)}</td>
                    <td class="num" data-testid="foot-flexible">{amount(p.flexible)}</td>
                    <td class="num" data-testid="foot-total">{amount(p.allocated)}</td>
                    <td class="num">"100.00%"</td>
                    <td colspan="3"></td>
                </tr></tfoot>
            </table>
        </div>
        <div class="chart-with-table">
            <Donut shares=shares centre=amount(p.allocated) label=donut_label/>
            <div class="table-scroll"><table class="agg chart-table" data-testid="donut-table">
                <caption>{t_string!(i18n, allocation.donut_chart_data)}</caption>
                <thead><tr>
                    <th scope="col">{t_string!(i18n, allocation.category_short)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.share)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.total)}</th>
                </tr></thead>
                <tbody>{legend_rows}</tbody>
            </table></div>
        </div>
        <h3>{t_string!(i18n, allocation.indicators)}</h3>
        <ul class="indicators" data-testid="alloc-indicators">{mismatch}{no_mismatch}{utilisation}</ul>
        {fairness}
        {grids}
    }
}
