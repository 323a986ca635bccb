//! The list of plans by stage, with filters by stage and period, the notice
//! countdown (dates in Asia/Shanghai) and unanswered objections.

use leptos::prelude::*;
use linli_domain::money::format_yuan;
use linli_domain::order::SortDyn;
use linli_domain::plans::{CivilDate, Notice, PlanCase, Stage};

use super::{stage_name, today, Ctx};
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::db::plans::PlansData;
use crate::i18n::*;
use crate::state::Route;

/// The countdown of a notice on `today`: dates and days left.
pub(crate) fn countdown(i18n: Ctx, n: &Notice, today: CivilDate) -> String {
    let (start, last_day) = (n.start, n.last_day());
    if today < start {
        return t_string!(i18n, plans.countdown_future, start = start, last_day = last_day);
    }
    match n.days_left(today) {
        0 => t_string!(
            i18n,
            plans.countdown_over,
            start = start,
            last_day = last_day,
            closes_from = n.closes_from()
        ),
        left => t_string!(
            i18n,
            plans.countdown,
            start = start,
            last_day = last_day,
            left = left
        ),
    }
}

#[component]
pub(super) fn ListView(current: Memo<Option<Shared<PlansData>>>) -> impl IntoView {
    let i18n = use_i18n();
    let stage_f = RwSignal::new(String::new());
    let period_f = RwSignal::new(String::new());
    let periods = Memo::new(move |_| {
        current.with(|d| {
            let mut v: Vec<String> = d.as_ref().map_or_else(Vec::new, |Shared(d)| {
                d.plans.iter().map(|p| p.content().period.clone()).collect()
            });
            v.sort_dyn();
            v.dedup();
            v
        })
    });
    let rows = Memo::new(move |_| {
        let s = Stage::ALL.into_iter().find(|s| s.code() == stage_f.get());
        let per = period_f.get();
        current.with(|d| {
            let mut v: Vec<PlanCase> = d.as_ref().map_or_else(Vec::new, |Shared(d)| {
                d.plans
                    .iter()
                    .filter(|p| s.is_none_or(|s| p.stage() == s))
                    .filter(|p| per.is_empty() || p.content().period == per)
                    .cloned()
                    .collect()
            });
            v.sort_by_key_dyn(|p| (p.stage(), p.id()));
            v
        })
    });
    let counts = move || {
        current.with(|d| {
            let Some(Shared(d)) = d.as_ref() else {
                return Vec::new();
            };
            Stage::ALL
                .into_iter()
                .map(|s| (s, d.plans.iter().filter(|p| p.stage() == s).count()))
                .filter(|(_, n)| *n > 0)
                .collect::<Vec<_>>()
        })
    };
    let any = move || current.with(|d| d.as_ref().is_some_and(|Shared(d)| !d.plans.is_empty()));
    view! {
        <section class="card" aria-labelledby="plans-list-h" data-testid="plans-list">
            <h2 id="plans-list-h">{t!(i18n, plans.list_heading)}</h2>
            <Show when=any fallback=move || view! {
                <p class="empty" data-testid="plans-empty">{t!(i18n, plans.empty)}</p>
            }>
                <p class="muted" data-testid="plans-counts">{move || counts().into_iter().map(|(s, n)| {
                    format!("{} {n}", stage_name(i18n, s))
                }).collect::<Vec<_>>().join(" · ")}</p>
                <div class="filters">
                    <label>{t!(i18n, plans.filter_stage)}
                        <select id="plans-stage" on:change=move |ev| stage_f.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, plans.all)}</option>
                            {Stage::ALL.into_iter().map(|s| view! {
                                <option value=s.code() selected=move || stage_f.get() == s.code()>{move || stage_name(i18n, s)}</option>
                            }).collect_view()}
                        </select></label>
                    <label>{t!(i18n, plans.filter_period)}
                        <select id="plans-period" on:change=move |ev| period_f.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, plans.all)}</option>
                            {move || periods.get().into_iter().map(|p| {
                                let sel = period_f.get_untracked() == p;
                                view! { <option value=p.clone() selected=sel>{p.clone()}</option> }
                            }).collect_view()}
                        </select></label>
                </div>
                {move || {
                    let rows = rows.get();
                    if rows.is_empty() {
                        return view! { <p class="empty" data-testid="plans-none-match">{t!(i18n, plans.none_match)}</p> }.into_any();
                    }
                    let cats = current.with(|d| d.as_ref().map(|Shared(d)| d.categories.clone()).unwrap_or_default());
                    let today = today();
                    view! {
                        <div class="table-wrap">
                            <table class="data" data-testid="plans-table">
                                <thead><tr>
                                    <th scope="col">"#"</th>
                                    <th scope="col">{t!(i18n, plans.col_title)}</th>
                                    <th scope="col">{t!(i18n, plans.col_category)}</th>
                                    <th scope="col">{t!(i18n, plans.col_period)}</th>
                                    <th scope="col" class="num">{t!(i18n, plans.col_budget)}</th>
                                    <th scope="col">{t!(i18n, plans.col_stage)}</th>
                                    <th scope="col">{t!(i18n, plans.col_notice)}</th>
                                    <th scope="col" class="num">{t!(i18n, plans.col_unanswered)}</th>
                                </tr></thead>
                                <tbody>{rows.into_iter().map(|p| {
                                    let c = p.content();
                                    let notice = p.open_notice().map_or_else(|| "—".to_owned(), |n| countdown(i18n, n, today));
                                    let open = p.unanswered();
                                    view! {
                                        <tr data-id=p.id().to_string() data-stage=p.stage().code()>
                                            <td>{p.id()}</td>
                                            <td><a href=Route::Plan(p.id()).href()>{c.title.clone()}</a></td>
                                            <td>{labels::category(i18n, &cats, &c.category)}</td>
                                            <td>{c.period.clone()}</td>
                                            <td class="num">{format_yuan(c.budget.total())}</td>
                                            <td class="stage">{stage_name(i18n, p.stage())}</td>
                                            <td class="countdown">{notice}</td>
                                            <td class="num">{open}{(open > 0).then(|| view! { <span class="badge warn">{t!(i18n, plans.unanswered_badge)}</span> })}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </Show>
        </section>
    }
}
