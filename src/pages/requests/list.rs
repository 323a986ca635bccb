//! The list of requests (open only or all, latest 50), overdue alerts and the
//! Open311 export.

use leptos::prelude::*;
use linli_domain::model::Request;
use linli_domain::order::SortDyn;
use linli_domain::requests::assignee::AssigneeFilter;
use linli_domain::requests::calendar::local_datetime;
use linli_domain::requests::lifecycle::{is_open, overdue};
use linli_domain::requests::open311;

use super::{colour_class, colour_name, status_name, Current};
use crate::browser::{download, now_millis};
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::i18n::*;

/// The assignee filter's option values: `""` every request, `"n:"` the
/// unassigned ones, `"g:<name>"` a guide's.
const UNASSIGNED: &str = "n:";

#[component]
pub(super) fn ListView(current: Current, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let only_open = RwSignal::new(true);
    let by_assignee = RwSignal::new(String::new());
    let filter = move || {
        by_assignee.with(|v| match v.as_str() {
            UNASSIGNED => AssigneeFilter::Unassigned,
            v => v
                .strip_prefix("g:")
                .map_or(AssigneeFilter::Any, |name| AssigneeFilter::Guide(name.to_owned())),
        })
    };
    let on_export = move |_| {
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let text = open311::to_json(&d.requests, &d.categories, open311::AGENCY, false);
        let _ = download(&text, "requests-open311.json", "application/json");
    };
    view! {
        <section class="card" aria-labelledby="req-list-h">
            <h2 id="req-list-h">{t!(i18n, requests.list_heading)}</h2>
            {move || current.get().map(|Shared(d)| {
                let late = overdue(&d.requests, now_millis());
                (!late.is_empty()).then(|| view! {
                    <div class="warning" role="alert" data-testid="req-overdue">
                        <strong>{t_string!(i18n, requests.overdue_heading, n = late.len())}</strong>
                        <ul>{late.into_iter().take(8).map(|o| {
                            let id = o.id;
                            let hours = o.late_ms / 3_600_000;
                            view! { <li><span class=colour_class(o.colour) aria-hidden="true"></span>
                                <button type="button" class="link" on:click=move |_| selected.set(Some(id))>{format!("#{id}")}</button>
                                {t_string!(i18n, requests.late_by, days = hours / 24, hours = hours % 24)}</li> }
                        }).collect_view()}</ul>
                    </div>
                })
            })}
            <div class="actions">
                <label class="tick"><input type="checkbox" prop:checked=only_open on:change=move |ev| only_open.set(event_target_checked(&ev))/>{t!(i18n, requests.open_only)}</label>
                <label>{t!(i18n, requests.assignee_filter)}
                    <select id="req-assignee-filter" data-testid="req-assignee-filter" on:change=move |ev| by_assignee.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, requests.assignee_any)}</option>
                        <option value=UNASSIGNED>{t!(i18n, requests.unassigned)}</option>
                        {move || {
                            let mut names = super::detail::assignee_names(session, None);
                            if let Some(Shared(d)) = current.get() {
                                for n in d.requests.iter().filter_map(|r| r.assignee.as_ref()) {
                                    if !names.contains(n) {
                                        names.push(n.clone());
                                    }
                                }
                            }
                            names.into_iter().map(|n| {
                                let value = format!("g:{n}");
                                let v = value.clone();
                                view! { <option value=value selected=move || by_assignee.with(|a| *a == v)>{n}</option> }
                            }).collect_view()
                        }}
                    </select></label>
                <button type="button" data-testid="req-export" on:click=on_export>{t!(i18n, requests.export_open311)}</button>
            </div>
            {move || current.get().map(|Shared(d)| {
                let now = now_millis();
                let f = filter();
                let mut list: Vec<&Request> = d
                    .requests
                    .iter()
                    .filter(|r| (!only_open.get() || is_open(r.status)) && f.matches(r))
                    .collect();
                list.sort_by_dyn(|a, b| b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)));
                let total = list.len();
                if total == 0 {
                    return view! { <p class="empty">{t!(i18n, requests.no_requests)}</p> }.into_any();
                }
                view! {
                    <p class="muted small">{t_string!(i18n, requests.list_total, total = total)}</p>
                    <div class="table-wrap"><table class="data" data-testid="req-list">
                        <thead><tr>
                            <th scope="col" class="num">"#"</th>
                            <th scope="col">{t!(i18n, requests.col_colour)}</th>
                            <th scope="col">{t!(i18n, requests.category)}</th>
                            <th scope="col">{t!(i18n, requests.col_received)}</th>
                            <th scope="col">{t!(i18n, requests.col_due)}</th>
                            <th scope="col">{t!(i18n, requests.col_status)}</th>
                            <th scope="col">{t!(i18n, requests.assignee)}</th>
                            <th scope="col">{t!(i18n, requests.col_action)}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().take(50).map(|r| {
                            let id = r.id;
                            let late = is_open(r.status) && now >= r.due_at;
                            view! {
                                <tr class:late=late data-id=id.to_string()>
                                    <td class="num">{id}</td>
                                    <td><span class=colour_class(r.colour) aria-hidden="true"></span>{colour_name(i18n, r.colour)}</td>
                                    <td>{labels::category(i18n, &d.categories, &r.category)}</td>
                                    <td>{local_datetime(r.received_at)}</td>
                                    <td class="due">{local_datetime(r.due_at - 60_000)}{late.then(|| view! { <span class="badge warn">{t!(i18n, requests.overdue_badge)}</span> })}</td>
                                    <td class="status">{status_name(i18n, r.status)}</td>
                                    <td class="assignee">{r.assignee.clone().unwrap_or_else(|| t_string!(i18n, requests.unassigned).to_owned())}</td>
                                    <td><button type="button" class="small" on:click=move |_| {
                                        selected.set(Some(id));
                                        crate::browser::focus_after_draw("#req-detail-h");
                                    }>{t!(i18n, requests.open_request)}</button></td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            })}
        </section>
    }
}
