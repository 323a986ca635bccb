//! Public notices (公示): start, extend (never shorten), close; the list of
//! every notice with its dates and how it ended.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_domain::plans::{Command, NoticeEnd, NoticeKind, PlanRules};

use super::form::{count_of, date_field, date_of, number_field, text_field, today_text, Form, PlanCtx};
use super::list::countdown;
use super::today;
use crate::components::WriteGuard;
use crate::i18n::*;

#[component]
pub(super) fn StartNoticeForm(ctx: PlanCtx, rules: Memo<Option<Result<PlanRules, String>>>) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on"]);
    let on = RwSignal::new(today_text());
    let days = move || match rules.get() {
        Some(Ok(r)) => r.notice_days,
        _ => PlanRules::default().notice_days,
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse_fields(i18n);
            return;
        };
        ctx.run(form, Command::StartNotice { on }, || ());
    };
    view! {
        <div class="plan-form" data-testid="plan-start-notice">
            <h3>{t!(i18n, plans.start_notice_heading)}</h3>
            <p class="muted">{move || t_string!(i18n, plans.start_notice_help, days = days())}</p>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-notice-on", on)}
                <button type="submit" class="primary" data-testid="plan-start-notice-submit">{t!(i18n, plans.start_notice)}</button>
            </form></WriteGuard>
            {form.view("plan-start-notice-msg")}
        </div>
    }
}

#[component]
pub(super) fn ExtendNoticeForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "days", "reason"]);
    let on = RwSignal::new(today_text());
    let days = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let current_days = move || {
        ctx.plan
            .with(|p| p.as_ref().and_then(|p| p.open_notice().map(|n| n.days)))
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let date = date_of(i18n, &form, "on", &on.get_untracked());
        let n = count_of(i18n, &form, "days", &days.get_untracked());
        let (Some(on), Some(n)) = (date, n) else {
            form.refuse_fields(i18n);
            return;
        };
        let days_n = u16::try_from(n).unwrap_or(u16::MAX);
        let cmd = Command::ExtendNotice {
            on,
            days: days_n,
            reason: reason.get_untracked(),
        };
        ctx.run(form, cmd, move || {
            days.set(String::new());
            reason.set(String::new());
        });
    };
    view! {
        <details class="plan-form" data-testid="plan-extend-notice">
            <summary>{t!(i18n, plans.extend_heading)}</summary>
            <p class="muted">{move || current_days().map(|d| t_string!(i18n, plans.extend_help, days = d))}</p>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-extend-on", on)}
                {number_field(form, t!(i18n, plans.extend_days), "plan-extend-days", "days", days, 1, Some(366))}
                {text_field(form, t!(i18n, plans.f_reason_optional), "plan-extend-reason", "reason", reason, true)}
                <button type="submit" data-testid="plan-extend-submit">{t!(i18n, plans.extend)}</button>
            </form></WriteGuard>
            {form.view("plan-extend-msg")}
        </details>
    }
}

#[component]
pub(super) fn CloseNoticeForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on"]);
    let on = RwSignal::new(today_text());
    let help = move || {
        ctx.plan.with(|p| {
            p.as_ref().and_then(|p| {
                p.open_notice().map(|n| {
                    t_string!(
                        i18n,
                        plans.close_notice_help,
                        closes_from = n.closes_from(),
                        open = p.unanswered()
                    )
                })
            })
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse_fields(i18n);
            return;
        };
        ctx.run(form, Command::CloseNotice { on }, || ());
    };
    view! {
        <div class="plan-form" data-testid="plan-close-notice">
            <h3>{t!(i18n, plans.close_notice_heading)}</h3>
            <p class="muted">{help}</p>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-close-notice-on", on)}
                <button type="submit" class="primary" data-testid="plan-close-notice-submit">{t!(i18n, plans.close_notice)}</button>
            </form></WriteGuard>
            {form.view("plan-close-notice-msg")}
        </div>
    }
}

#[component]
pub(super) fn NoticesView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let notices = ctx
            .plan
            .with(|p| p.as_ref().map(|p| p.notices().to_vec()).unwrap_or_default());
        let today = today();
        view! {
            <section class="card" aria-labelledby="plan-notices-h" data-testid="plan-notices">
                <h2 id="plan-notices-h">{t!(i18n, plans.notices_heading)}</h2>
                {if notices.is_empty() {
                    view! { <p class="muted">{t!(i18n, plans.no_notices)}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap"><table class="data">
                            <thead><tr>
                                <th scope="col">"#"</th>
                                <th scope="col">{t!(i18n, plans.notice_kind)}</th>
                                <th scope="col">{t!(i18n, plans.notice_start)}</th>
                                <th scope="col">{t!(i18n, plans.notice_last_day)}</th>
                                <th scope="col" class="num">{t!(i18n, plans.notice_days)}</th>
                                <th scope="col">{t!(i18n, plans.notice_status)}</th>
                            </tr></thead>
                            <tbody>{notices.into_iter().map(|n| {
                                let kind = match n.kind {
                                    NoticeKind::Plan => t_string!(i18n, plans.notice_kind_plan).to_owned(),
                                    NoticeKind::BudgetChange { change } => t_string!(i18n, plans.notice_kind_change, change = change),
                                };
                                let status = match n.ended {
                                    None => countdown(i18n, &n, today),
                                    Some(NoticeEnd::Closed(d)) => t_string!(i18n, plans.notice_closed, on = d),
                                    Some(NoticeEnd::Restarted(d)) => t_string!(i18n, plans.notice_restarted, on = d),
                                    Some(NoticeEnd::Withdrawn(d)) => t_string!(i18n, plans.notice_withdrawn, on = d),
                                };
                                view! {
                                    <tr data-number=n.number.to_string()>
                                        <td>{n.number}</td>
                                        <td>{kind}</td>
                                        <td>{n.start.to_string()}</td>
                                        <td>{n.last_day().to_string()}</td>
                                        <td class="num">{n.days}</td>
                                        <td>{status}</td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any()
                }}
            </section>
        }
    }
}
