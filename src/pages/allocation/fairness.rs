//! Group fairness of one kind (with the elite-capture warning, the bars and their
//! table) and the allocation by grid.

use leptos::prelude::*;
use linli_domain::alloc::{KindResult, SubgroupRow};

use super::format::{amount_text, factor_text, pct, Ctx};
use crate::charts::alloc::{Bars, GroupBars, BAR_COLOURS};
use crate::components::labels;
use crate::i18n::*;

pub fn fairness_view(i18n: Ctx, k: &KindResult) -> impl IntoView {
    let kind = k.kind;
    let groups = &k.fairness.groups;
    let warnings: Vec<&SubgroupRow> = groups.iter().filter(|g| g.capture_warning).collect();
    let warning = (!warnings.is_empty()).then(|| {
        let items = warnings
            .iter()
            .map(|g| {
                let ratio = g
                    .per_need_vs_others_bp
                    .map(|bp| factor_text(bp).trim_start_matches('×').to_owned())
                    .unwrap_or_else(|| "∞".into());
                let text = t_string!(
                    i18n,
                    allocation.capture_item,
                    group = labels::group(i18n, &g.label),
                    resources = pct(g.resource_share_bp),
                    population = pct(g.population_share_bp),
                    need = pct(g.need_share_bp),
                    ratio = ratio
                )
                .to_string();
                view! { <li>{text}</li> }
            })
            .collect_view();
        view! {
            <div class="capture-warning" role="alert" data-testid="capture-warning">
                <strong>{t_string!(i18n, allocation.capture_title)}</strong>
                <ul>{items}</ul>
                <p>{t_string!(i18n, allocation.check_the_rules_and_the_demand)}</p>
            </div>
        }
    });
    let bars: Vec<GroupBars> = groups
        .iter()
        .map(|g| GroupBars {
            label: labels::group(i18n, &g.label),
            shares: [g.resource_share_bp, g.population_share_bp, g.need_share_bp],
        })
        .collect();
    let rows = groups
        .iter()
        .map(|g| {
            let flag = g.capture_warning;
            view! {
                <tr data-testid="fair-row" data-key=g.key.clone() class:warn=flag>
                    <th scope="row">{labels::group(i18n, &g.label)}</th>
                    <td class="num">{g.households}</td>
                    <td class="num">{g.residents}</td>
                    <td class="num">{amount_text(i18n, kind, g.resources)}</td>
                    <td class="num">{pct(g.resource_share_bp)}</td>
                    <td class="num">{pct(g.population_share_bp)}</td>
                    <td class="num">{pct(g.need_share_bp)}</td>
                    <td class="num">{g.per_need_vs_others_bp.map(factor_text).unwrap_or_else(|| "–".into())}</td>
                    <td>{if flag { t_string!(i18n, allocation.warning_badge) } else { t_string!(i18n, allocation.dash) }}</td>
                </tr>
            }
        })
        .collect_view();
    let swatch = |i: usize, text: &'static str| view! { <li><span class="swatch" style:background=BAR_COLOURS[i] aria-hidden="true"></span>{text}</li> };
    view! {
        <h3>{t_string!(i18n, allocation.fairness_between_groups)}</h3>
        {warning}
        {(groups.is_empty()).then(|| view! { <p class="muted">{t_string!(i18n, allocation.no_group_data)}</p> })}
        <p class="muted small">{t_string!(i18n, allocation.each_group_s_share_of_the)}</p>
        <div class="chart-with-table">
            <div>
                <Bars groups=bars label=t_string!(i18n, allocation.bar_chart_of_each_group_s_share).to_owned()/>
                <div class="legend"><ul>
                    {swatch(0, t_string!(i18n, allocation.resource_share))}
                    {swatch(1, t_string!(i18n, allocation.population_share))}
                    {swatch(2, t_string!(i18n, allocation.need_share))}
                </ul></div>
            </div>
        </div>
        <div class="table-scroll">
            <table class="agg" data-testid="alloc-fairness">
                <caption class="sr-only">{t_string!(i18n, allocation.group_fairness_the_bar_chart_s)}</caption>
                <thead><tr>
                    <th scope="col">{t_string!(i18n, allocation.group)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.households)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.residents)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.resources)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.resource_share_head)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.population_share_head)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.need_share_head)}</th>
                    <th scope="col" class="num">{t_string!(i18n, allocation.vs_others)}</th>
                    <th scope="col">{t_string!(i18n, allocation.warning)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

pub fn grid_view(i18n: Ctx, k: &KindResult) -> impl IntoView {
    let kind = k.kind;
    (!k.by_grid.is_empty()).then(|| {
        let rows = k
            .by_grid
            .iter()
            .map(|g| {
                view! {
                    <tr>
                        <th scope="row">{g.label.clone()}</th>
                        <td class="num">{g.households}</td>
                        <td class="num">{amount_text(i18n, kind, g.resources)}</td>
                        <td class="num">{pct(g.resource_share_bp)}</td>
                        <td class="num">{pct(g.population_share_bp)}</td>
                        <td class="num">{pct(g.need_share_bp)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <details class="by-grid">
                <summary>{t_string!(i18n, allocation.by_grid)}</summary>
                <div class="table-scroll">
                    <table class="agg" data-testid="alloc-grids">
                        <thead><tr>
                            <th scope="col">{t_string!(i18n, allocation.grid)}</th>
                            <th scope="col" class="num">{t_string!(i18n, allocation.households)}</th>
                            <th scope="col" class="num">{t_string!(i18n, allocation.resources)}</th>
                            <th scope="col" class="num">{t_string!(i18n, allocation.resource_share_head)}</th>
                            <th scope="col" class="num">{t_string!(i18n, allocation.population_share_head)}</th>
                            <th scope="col" class="num">{t_string!(i18n, allocation.need_share_head)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        }
    })
}
