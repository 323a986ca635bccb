//! The needs overview: the per-building heat map on the community plan and the
//! aggregate tables by building, grid and resident group (the heat map's text
//! equivalent).

use leptos::prelude::*;
use linli_domain::needs::TierStats;
use std::collections::HashMap;

use super::data::NeedsData;
use crate::charts::heatmap::{format_value, HeatCell, HeatMap, HeatMode};
use crate::components::labels;
use crate::components::needs_explain::score_text;
use crate::i18n::*;

/// Share of high-tier households as text, e.g. `12.5%`.
fn high_share(s: &TierStats) -> String {
    if s.count == 0 {
        return "–".to_owned();
    }
    let bp = (u64::from(s.tiers.high) * 10_000 / u64::from(s.count)) as u32;
    format_value(HeatMode::HighShare, bp)
}

fn stat_cells(s: &TierStats) -> impl IntoView {
    let mean = if s.count == 0 {
        "–".to_owned()
    } else {
        score_text(s.mean_score)
    };
    view! {
        <td class="num">{s.count}</td>
        <td class="num">{s.tiers.high}</td>
        <td class="num">{s.tiers.medium}</td>
        <td class="num">{s.tiers.low}</td>
        <td class="num">{high_share(s)}</td>
        <td class="num">{mean}</td>
    }
}

fn stat_heads(i18n: leptos_i18n::I18nContext<Locale>) -> impl IntoView {
    view! {
        <th scope="col">{t_string!(i18n, common.households).to_string()}</th>
        <th scope="col">{t_string!(i18n, common.tier_high).to_string()}</th>
        <th scope="col">{t_string!(i18n, common.tier_medium).to_string()}</th>
        <th scope="col">{t_string!(i18n, common.tier_low).to_string()}</th>
        <th scope="col">{t_string!(i18n, common.needs_high_share).to_string()}</th>
        <th scope="col">{t_string!(i18n, common.needs_mean_score).to_string()}</th>
    }
}

/// Heat map and aggregate tables of the scored register. Texts are plain strings in
/// the current language: call it inside a reactive closure.
pub(super) fn needs_overview(
    i18n: leptos_i18n::I18nContext<Locale>,
    data: &NeedsData,
    mode: RwSignal<HeatMode>,
) -> impl IntoView {
    let Ok(scored) = &data.scored else {
        return ().into_any();
    };
    let agg = &scored.assessment.aggregates;
    let by_building: HashMap<u32, TierStats> = agg.by_building.iter().map(|r| (r.key, r.stats)).collect();
    let grid_names: HashMap<u32, String> = data.grids.iter().map(|g| (g.id, g.name.clone())).collect();
    let cells: Vec<HeatCell> = data
        .buildings
        .iter()
        .map(|b| {
            let s = by_building.get(&b.id).copied().unwrap_or_default();
            HeatCell {
                building_id: b.id,
                name: b.name.clone(),
                plan_x: b.plan_x,
                plan_y: b.plan_y,
                households: s.count,
                high: s.tiers.high,
                mean_tenths: s.mean_score,
            }
        })
        .collect();

    let building_rows = data
        .buildings
        .iter()
        .map(|b| {
            let s = by_building.get(&b.id).copied().unwrap_or_default();
            let grid = grid_names
                .get(&b.grid_id)
                .cloned()
                .unwrap_or_else(|| b.grid_id.to_string());
            view! {
                <tr data-building=b.id.to_string()>
                    <th scope="row">{b.name.clone()}</th>
                    <td>{grid}</td>
                    {stat_cells(&s)}
                </tr>
            }
        })
        .collect_view();
    let grid_rows = agg
        .by_grid
        .iter()
        .map(|r| {
            let name = grid_names
                .get(&r.key)
                .cloned()
                .unwrap_or_else(|| r.key.to_string());
            view! { <tr><th scope="row">{name}</th>{stat_cells(&r.stats)}</tr> }
        })
        .collect_view();
    let group_rows = agg
        .by_group
        .iter()
        .map(|r| {
            let code = r.key.clone();
            let stats = r.stats;
            let name = if code.is_empty() {
                t_string!(i18n, common.needs_no_group).to_string()
            } else {
                labels::group(i18n, &code)
            };
            view! { <tr><th scope="row">{name}</th>{stat_cells(&stats)}</tr> }
        })
        .collect_view();
    let total = agg.total;

    let radio = move |m: HeatMode, value: &'static str| {
        view! {
            <label class="check">
                <input type="radio" name="heat-mode" value=value data-testid=format!("heat-mode-{value}")
                    prop:checked=move || mode.get() == m
                    on:change=move |_| mode.set(m)/>
                {match m {
                    HeatMode::HighShare => t_string!(i18n, common.needs_high_share).to_string(),
                    HeatMode::MeanScore => t_string!(i18n, common.needs_mean_score).to_string(),
                }}
            </label>
        }
    };

    view! {
        <p class="muted">{t_string!(i18n, common.needs_heat_intro).to_string()}</p>
        <fieldset class="toggle">
            <legend>{t_string!(i18n, common.needs_heat_colour_by).to_string()}</legend>
            {radio(HeatMode::HighShare, "high")}
            {radio(HeatMode::MeanScore, "mean")}
        </fieldset>
        <HeatMap cells=cells mode=mode
            label=t_string!(i18n, common.needs_heat_label).to_string()
            legend_titles=[t_string!(i18n, common.needs_high_share).to_string(), t_string!(i18n, common.needs_mean_score).to_string()]
            empty_label=t_string!(i18n, common.needs_no_households).to_string()/>

        <h3>{t_string!(i18n, common.needs_by_grid).to_string()}</h3>
        <div class="table-scroll">
            <table class="counts agg" data-testid="agg-grid">
                <thead><tr><th scope="col">{t_string!(i18n, common.grids).to_string()}</th>{stat_heads(i18n)}</tr></thead>
                <tbody>{grid_rows}</tbody>
                <tfoot><tr><th scope="row">{t_string!(i18n, common.needs_all).to_string()}</th>{stat_cells(&total)}</tr></tfoot>
            </table>
        </div>
        <h3>{t_string!(i18n, common.needs_by_group).to_string()}</h3>
        <div class="table-scroll">
            <table class="counts agg" data-testid="agg-group">
                <thead><tr><th scope="col">{t_string!(i18n, common.needs_group).to_string()}</th>{stat_heads(i18n)}</tr></thead>
                <tbody>{group_rows}</tbody>
            </table>
        </div>
        <h3>{t_string!(i18n, common.needs_by_building).to_string()}</h3>
        <div class="table-scroll tall" tabindex="0" role="region"
            aria-label=t_string!(i18n, common.needs_by_building).to_string()>
            <table class="counts agg" data-testid="agg-building">
                <thead><tr><th scope="col">{t_string!(i18n, common.buildings).to_string()}</th><th scope="col">{t_string!(i18n, common.grids).to_string()}</th>{stat_heads(i18n)}</tr></thead>
                <tbody>{building_rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
