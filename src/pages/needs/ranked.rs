//! The ranked priority list: a filter bar and a virtualised table whose rows expand
//! to their explanation.

use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::needs::Tier;

use super::data::NeedsData;
use crate::components::needs_explain::{explanation_view, score_text, tier_badge};
use crate::i18n::*;
use crate::state::Route;

/// Height of one list row in pixels (CSS `.ranked .vrow td` keeps it).
const ROW_PX: f64 = 44.0;
/// Rows rendered above and below the visible window.
const OVERSCAN: usize = 8;
/// Height of the list's viewport (CSS `.vscroll`: at most 600 px).
const VIEWPORT_PX: f64 = 600.0;
/// First guess of an open explanation's height, until it is measured.
const DETAIL_GUESS_PX: f64 = 420.0;

/// The ranked list's filters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Filters {
    tier: Option<Tier>,
    grid: Option<u32>,
    building: Option<u32>,
}

fn select_value(ev: &leptos::ev::Event) -> Option<String> {
    let v = event_target_value(ev);
    (!v.is_empty()).then_some(v)
}

/// The filter bar and the virtualised, ranked table.
pub(super) fn ranked_list(
    i18n: leptos_i18n::I18nContext<Locale>,
    d: Arc<NeedsData>,
    filters: RwSignal<Filters>,
) -> impl IntoView {
    if d.scored.is_err() {
        return ().into_any();
    }
    let scroll_top = RwSignal::new(0.0f64);
    // The open explanation: a household index, and its measured height.
    let expanded = RwSignal::new(None::<u32>);
    let detail_px = RwSignal::new(DETAIL_GUESS_PX);

    let d_rows = d.clone();
    let rows = Memo::new(move |_| {
        let f = filters.get();
        let Ok(s) = &d_rows.scored else {
            return Vec::new();
        };
        let scores = &s.assessment.scores;
        s.ranking
            .iter()
            .copied()
            .filter(|&i| {
                let h = &d_rows.households[i as usize];
                f.tier.is_none_or(|t| scores[i as usize].tier == t)
                    && f.building.is_none_or(|b| h.building_id == b)
                    && f.grid
                        .is_none_or(|g| d_rows.building(h.building_id).is_some_and(|b| b.grid_id == g))
            })
            .collect::<Vec<u32>>()
    });
    let total = Memo::new(move |_| rows.with(Vec::len));
    let open_pos = Memo::new(move |_| {
        let e = expanded.get()?;
        rows.with(|r| r.iter().position(|&i| i == e))
    });
    // A new result list starts at its top.
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        rows.track();
        scroll_top.set(0.0);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    // Which rows to draw: (first, last, top spacer px, bottom spacer px).
    let window = Memo::new(move |_| {
        let n = total.get();
        let st = scroll_top.get();
        let open = open_pos.get();
        let dp = detail_px.get();
        // The first visible row: rows are ROW_PX high, and the open row has its
        // explanation (dp high) below it.
        let k0 = match open {
            Some(e) if st >= (e as f64 + 1.0) * ROW_PX + dp => ((st - dp) / ROW_PX) as usize,
            Some(e) if st >= (e as f64 + 1.0) * ROW_PX => e,
            _ => (st / ROW_PX) as usize,
        };
        let first = k0.saturating_sub(OVERSCAN).min(n);
        let last = (k0 + (VIEWPORT_PX / ROW_PX) as usize + 2 * OVERSCAN).min(n);
        let mut top = first as f64 * ROW_PX;
        let mut bottom = (n - last) as f64 * ROW_PX;
        match open {
            Some(e) if e < first => top += dp,
            Some(e) if e >= last => bottom += dp,
            _ => {}
        }
        (first, last, top, bottom)
    });
    let visible = move || {
        let (first, last, _, _) = window.get();
        rows.with(|r| r[first..last].to_vec())
    };

    let measure = move || {
        if expanded.get_untracked().is_none() {
            return;
        }
        if let Some(el) = document()
            .query_selector("[data-testid=needs-detail]")
            .ok()
            .flatten()
        {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let h = f64::from(el.offset_height());
                if h > 0.0 && (h - detail_px.get_untracked()).abs() > 0.5 {
                    detail_px.set(h);
                }
            }
        }
    };

    let d_row = d.clone();
    let row = move |idx: u32| {
        let d = &d_row;
        let Ok(s) = &d.scored else {
            return ().into_any();
        };
        let h = &d.households[idx as usize];
        let sc = s.assessment.scores[idx as usize];
        let id = h.id;
        let rank = s.rank_of[idx as usize];
        let address = format!(
            "{}-{}-{}",
            d.building(h.building_id).map(|b| b.name.as_str()).unwrap_or("?"),
            h.unit,
            h.room
        );
        let is_open = move || expanded.get() == Some(idx);
        let detail_id = format!("needs-detail-{id}");
        let detail_id2 = detail_id.clone();
        let toggle = move |_| {
            expanded.update(|e| *e = if *e == Some(idx) { None } else { Some(idx) });
        };
        let d2 = d.clone();
        let detail = move || {
            is_open().then(|| {
                let Ok(s) = &d2.scored else {
                    return ().into_any();
                };
                let e = s.scorer.explain(&d2.households[idx as usize], s.year);
                let node = NodeRef::<leptos::html::Tr>::new();
                Effect::new(move |_| {
                    if let Some(el) = node.get() {
                        let h = f64::from(el.offset_height());
                        if h > 0.0 && (h - detail_px.get_untracked()).abs() > 0.5 {
                            detail_px.set(h);
                        }
                    }
                });
                view! {
                    <tr class="detail" id=detail_id2.clone() data-testid="needs-detail" node_ref=node>
                        <td colspan="6">{explanation_view(i18n, &e, s.scorer.matrix())}</td>
                    </tr>
                }
                .into_any()
            })
        };
        view! {
            <tr class="vrow" data-testid="ranked-row" data-id=id.to_string()>
                <td class="num">{rank}</td>
                <td><a href=Route::Household(id).href()>{id}</a></td>
                <td>{address}</td>
                <td class="num" data-testid="score">{score_text(sc.score)}</td>
                <td>{tier_badge(i18n, sc.tier)}</td>
                <td>
                    <button class="expand" data-testid="expand"
                        aria-expanded=move || is_open().to_string()
                        aria-controls=move || is_open().then(|| detail_id.clone())
                        on:click=toggle>
                        {move || if is_open() { t_string!(i18n, common.needs_collapse).to_string() } else { t_string!(i18n, common.needs_expand).to_string() }}
                        <span class="sr-only">" "{id}</span>
                    </button>
                </td>
            </tr>
            {detail}
        }
        .into_any()
    };

    let grids = d.grids.clone();
    let buildings = d.buildings.clone();
    let filter_bar = view! {
        <div class="filters" role="search" aria-label=tr!(i18n, needs_filters)>
            <label>{tr!(i18n, needs_filter_tier)}
                <select data-testid="filter-tier" on:change=move |ev| filters.update(|f| f.tier = match select_value(&ev).as_deref() {
                    Some("high") => Some(Tier::High),
                    Some("medium") => Some(Tier::Medium),
                    Some("low") => Some(Tier::Low),
                    _ => None,
                })>
                    <option value="" selected=move || filters.get().tier.is_none()>{tr!(i18n, filter_any)}</option>
                    {Tier::ALL.into_iter().map(|t| view! {
                        <option value=t.code() selected=move || filters.get().tier == Some(t)>
                            {crate::components::labels::tier(i18n, t)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label>{tr!(i18n, needs_filter_grid)}
                <select data-testid="filter-grid" on:change=move |ev| filters.update(|f| f.grid = select_value(&ev).and_then(|v| v.parse().ok()))>
                    <option value="" selected=move || filters.get().grid.is_none()>{tr!(i18n, filter_any)}</option>
                    {grids.iter().map(|g| {
                        let gid = g.id;
                        view! { <option value=gid.to_string() selected=move || filters.get().grid == Some(gid)>{g.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{tr!(i18n, filter_building)}
                <select data-testid="filter-building" on:change=move |ev| filters.update(|f| f.building = select_value(&ev).and_then(|v| v.parse().ok()))>
                    <option value="" selected=move || filters.get().building.is_none()>{tr!(i18n, filter_any)}</option>
                    {buildings.iter().map(|b| {
                        let bid = b.id;
                        view! { <option value=bid.to_string() selected=move || filters.get().building == Some(bid)>{b.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        </div>
    };

    view! {
        {filter_bar}
        <p class="muted" role="status" data-testid="ranked-count">
            {move || t_string!(i18n, common.needs_ranked_count, n = total.get()).to_string()}
        </p>
        <Show when=move || { total.get() > 0 } fallback=move || view! { <p class="empty">{t_string!(i18n, common.no_results).to_string()}</p> }>
            <div class="vscroll ranked-scroll" data-testid="ranked-scroll" node_ref=scroller
                on:scroll=move |ev| {
                    let el: web_sys::Element = event_target(&ev);
                    scroll_top.set(f64::from(el.scroll_top()));
                    measure();
                }>
                <table class="register ranked">
                    <caption class="sr-only">{tr!(i18n, needs_ranked_title)}</caption>
                    <thead><tr>
                        <th scope="col">{tr!(i18n, needs_col_rank)}</th>
                        <th scope="col">{tr!(i18n, col_id)}</th>
                        <th scope="col">{tr!(i18n, col_address)}</th>
                        <th scope="col">{tr!(i18n, needs_col_score)}</th>
                        <th scope="col">{tr!(i18n, needs_col_tier)}</th>
                        <th scope="col">{tr!(i18n, needs_col_detail)}</th>
                    </tr></thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.get().2)></tr>
                        <For each=visible key=|i| *i children=row.clone()/>
                        <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.get().3)></tr>
                    </tbody>
                </table>
            </div>
        </Show>
    }
    .into_any()
}
