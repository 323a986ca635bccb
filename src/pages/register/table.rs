//! The register's virtualised table: only the visible rows are rendered, so it stays
//! smooth with 100,000 households.

use std::sync::Arc;

use leptos::prelude::*;

use crate::components::labels;
use crate::db::households::flags;
use crate::db::register::RegisterData;
use crate::i18n::*;
use crate::state::Route;

/// Height of one table row in pixels (CSS `.vrow` keeps it).
const ROW_PX: f64 = 44.0;
/// Rows rendered above and below the visible window.
const OVERSCAN: usize = 8;
/// Height of the table's viewport (CSS `.vscroll`: at most 600 px).
const VIEWPORT_PX: f64 = 600.0;

/// The result count and the table of the households `ids` gives (every household
/// while it gives `None`).
pub(super) fn table(
    i18n: leptos_i18n::I18nContext<Locale>,
    d: Arc<RegisterData>,
    ids: LocalResource<Option<Vec<u32>>>,
    scroll_top: RwSignal<f64>,
) -> impl IntoView {
    let all: Vec<u32> = d.households.iter().map(|h| h.id).collect();
    let rows = Memo::new(move |_| match ids.get() {
        Some(Some(list)) => list,
        _ => all.clone(),
    });
    let d2 = d.clone();
    let total = Memo::new(move |_| rows.with(Vec::len));
    // A new result list starts at its top.
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        rows.track();
        scroll_top.set(0.0);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    let body = move || {
        let list = rows.get();
        let n = list.len();
        let first = ((scroll_top.get() / ROW_PX) as usize)
            .saturating_sub(OVERSCAN)
            .min(n);
        let last = (first + (VIEWPORT_PX / ROW_PX) as usize + 2 * OVERSCAN).min(n);
        let building_name = |id: u32| {
            d2.buildings
                .iter()
                .find(|b| b.id == id)
                .map(|b| b.name.clone())
                .unwrap_or_default()
        };
        let top = first as f64 * ROW_PX;
        let bottom = (n - last) as f64 * ROW_PX;
        view! {
            <tr class="spacer" aria-hidden="true" style:height=format!("{top}px")></tr>
            {list[first..last].iter().enumerate().filter_map(|(k, id)| {
                let h = &d2.households[*d2.by_id.get(id)?];
                let address = format!("{}-{}-{}", building_name(h.building_id), h.unit, h.room);
                let flags: Vec<&str> = flags(h).collect();
                let cats = d2.categories.clone();
                let needs: Vec<String> = h.needs.iter().map(|n| n.category.clone()).collect();
                let href = Route::Household(h.id).href();
                Some(view! {
                    <tr class="vrow" aria-rowindex=(first + k + 2).to_string()>
                        <td><a href=href>{h.id}</a></td>
                        <td>{address}</td>
                        <td>{h.contact_name.clone()}</td>
                        <td class="num">{h.members.len()}</td>
                        <td>{move || flags.iter().map(|f| labels::flag(i18n, f)).collect::<Vec<_>>().join(t_string!(i18n, common.sep_list))}</td>
                        <td>{move || needs.iter().map(|c| labels::category(i18n, &cats, c)).collect::<Vec<_>>().join(t_string!(i18n, common.sep_list))}</td>
                    </tr>
                })
            }).collect_view()}
            <tr class="spacer" aria-hidden="true" style:height=format!("{bottom}px")></tr>
        }
    };
    view! {
        <p class="muted" role="status" data-testid="result-count">{total}" "{t!(i18n, common.results)}</p>
        <Show when=move || { total.get() > 0 } fallback=move || view! { <p class="empty">{t!(i18n, common.no_results)}</p> }>
            <div class="vscroll" data-testid="register-scroll" node_ref=scroller
                on:scroll=move |ev| {
                    let el: web_sys::Element = event_target(&ev);
                    scroll_top.set(f64::from(el.scroll_top()));
                }>
                <table class="register" aria-rowcount=move || (total.get() + 1).to_string()>
                    <thead><tr aria-rowindex="1">
                        <th scope="col">{t!(i18n, common.col_id)}</th>
                        <th scope="col">{t!(i18n, common.col_address)}</th>
                        <th scope="col">{t!(i18n, common.col_contact)}</th>
                        <th scope="col">{t!(i18n, common.col_members)}</th>
                        <th scope="col">{t!(i18n, common.col_flags)}</th>
                        <th scope="col">{t!(i18n, common.col_needs)}</th>
                    </tr></thead>
                    <tbody>{body.clone()}</tbody>
                </table>
            </div>
        </Show>
    }
}
