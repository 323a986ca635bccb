//! Releasing the emergency reserve (应急池) by a recorded decision: the period's
//! reserve in its adopted run, what earlier decisions released, and a form
//! (amount, reason, approver, date, the plan it funds) whose refusals appear
//! next to the field they concern. Nothing is written on a refusal.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::decisions::{releases, reserve_status, DecisionError, DecisionKind, Release};
use linli_domain::money::{format_yuan, parse_yuan};
use linli_domain::plans::{CivilDate, PlanError, Stage};

use super::adopt::{stamp, today, Ctx, Decided};
use super::{open_db, Current};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::loaded::{Phase, Shared};
use crate::components::money::money_error;
use crate::components::WriteGuard;
use crate::db::decisions as store;
use crate::i18n::*;
use crate::state::use_storage;

type Errors = RwSignal<Vec<(&'static str, String)>>;

fn stage_label(i18n: Ctx, s: Stage) -> String {
    match s {
        Stage::Draft => t_string!(i18n, allocation.stage_draft),
        Stage::Notice => t_string!(i18n, allocation.stage_notice),
        _ => t_string!(i18n, allocation.stage_execution),
    }
    .to_owned()
}

/// The field a refusal belongs to (`""`: the whole form) and its words.
fn refusal(i18n: Ctx, e: &DecisionError) -> (&'static str, String) {
    match e {
        DecisionError::AmountNotPositive { .. } => (
            "amount",
            t_string!(i18n, allocation.err_amount_not_positive).to_owned(),
        ),
        DecisionError::AmountTooLarge { .. } => (
            "amount",
            t_string!(i18n, allocation.err_amount_too_large).to_owned(),
        ),
        DecisionError::ReserveExceeded {
            period,
            amount,
            reserve,
            released,
            remaining,
        } => (
            "amount",
            t_string!(
                i18n,
                allocation.err_reserve_exceeded,
                period = period,
                amount = format_yuan(*amount),
                reserve = format_yuan(*reserve),
                released = format_yuan(*released),
                remaining = format_yuan(*remaining)
            ),
        ),
        DecisionError::Empty { field } => (
            field_of(field),
            t_string!(i18n, allocation.err_required).to_owned(),
        ),
        DecisionError::TooLong { field, max } => (
            field_of(field),
            t_string!(i18n, allocation.err_too_long, max = max),
        ),
        DecisionError::NotOneLine { field } => (
            field_of(field),
            t_string!(i18n, allocation.err_one_line).to_owned(),
        ),
        DecisionError::NoAdoptedRun { period } => {
            ("", t_string!(i18n, allocation.reserve_none, period = period))
        }
        DecisionError::UnknownPlan(plan) => {
            ("plan", t_string!(i18n, allocation.err_unknown_plan, plan = plan))
        }
        DecisionError::PlanOfOtherPeriod {
            plan,
            plan_period,
            period,
        } => (
            "plan",
            t_string!(
                i18n,
                allocation.err_plan_of_other_period,
                plan = plan,
                plan_period = plan_period,
                period = period
            ),
        ),
        DecisionError::PlanNotFundable { plan, .. } => (
            "plan",
            t_string!(i18n, allocation.err_plan_not_fundable, plan = plan),
        ),
        DecisionError::Plan {
            error: PlanError::DateTooEarly { earliest, .. },
            ..
        } => (
            "date",
            t_string!(i18n, allocation.err_plan_date, earliest = earliest.to_string()),
        ),
        DecisionError::Plan { plan, error } => (
            "plan",
            format!("{}{error}", t_string!(i18n, allocation.err_plan, plan = plan)),
        ),
        other => (
            "",
            format!("{}{other}", t_string!(i18n, allocation.err_not_recorded)),
        ),
    }
}

fn field_of(domain_field: &str) -> &'static str {
    match domain_field {
        "the reason" => "reason",
        "the approver" => "approver",
        _ => "",
    }
}

/// The reserve of the chosen period and the release form.
#[component]
pub fn ReserveRelease(current: Current, period: Memo<Option<String>>, decided: Decided) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let approver = RwSignal::new(String::new());
    let date = RwSignal::new(today().to_string());
    let plan = RwSignal::new(String::new());
    let errors: Errors = RwSignal::new(Vec::new());
    let msg: Msg = RwSignal::new(None);

    // (period, status or refusal) for the chosen period.
    let status = Memo::new(move |_| {
        let p = period.get()?;
        let d = current.get()?;
        let Shared(dec) = decided.current.get()?;
        Some((
            p.clone(),
            reserve_status(&dec.decisions, &d.ds.allocation_runs, &p),
        ))
    });
    // Plans of the period that can take money: (id, label).
    let fundable = Memo::new(move |_| {
        let (Some(p), Some(Shared(dec))) = (period.get(), decided.current.get()) else {
            return Vec::new();
        };
        dec.plans
            .iter()
            .filter(|c| {
                c.content().period == p
                    && matches!(c.stage(), Stage::Draft | Stage::Notice | Stage::Execution)
            })
            .map(|c| {
                let label = t_string!(
                    i18n,
                    allocation.reserve_plan_option,
                    id = c.id(),
                    title = c.content().title.clone(),
                    stage = stage_label(i18n, c.stage())
                );
                (c.id(), label)
            })
            .collect::<Vec<_>>()
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(p) = period.get_untracked() else { return };
        let mut errs = Vec::new();
        let fen = match parse_yuan(&amount.get_untracked()) {
            Ok(f) => Some(f),
            Err(e) => {
                errs.push(("amount", money_error(i18n, e)));
                None
            }
        };
        let on = CivilDate::parse(date.get_untracked().trim()).ok();
        if on.is_none() {
            errs.push(("date", t_string!(i18n, allocation.err_date).to_owned()));
        }
        let plan_id = plan
            .get_untracked()
            .parse::<u32>()
            .ok()
            .or_else(|| fundable.get_untracked().first().map(|(id, _)| *id));
        if plan_id.is_none() {
            errs.push(("plan", t_string!(i18n, allocation.err_choose_plan).to_owned()));
        }
        for (field, value) in [("reason", reason), ("approver", approver)] {
            if value.get_untracked().trim().is_empty() {
                errs.push((field, t_string!(i18n, allocation.err_required).to_owned()));
            }
        }
        let (Some(fen), Some(on), Some(plan_id), true) = (fen, on, plan_id, errs.is_empty()) else {
            errors.set(errs);
            msg.set(None);
            return;
        };
        errors.set(Vec::new());
        let release = Release {
            plan_id,
            amount_fen: fen,
            reason: reason.get_untracked().trim().to_owned(),
            approver: approver.get_untracked().trim().to_owned(),
        };
        let by = stamp(session);
        spawn_local(async move {
            let r = match open_db(storage) {
                Ok(db) => store::release_reserve(&db, p.clone(), release, on, by).await,
                Err(e) => Err(e),
            };
            match r {
                Ok(Ok((d, _))) => {
                    let text = t_string!(
                        i18n,
                        allocation.reserve_done,
                        period = p,
                        amount = format_yuan(fen),
                        plan = plan_id,
                        id = d.id
                    );
                    amount.set(String::new());
                    reason.set(String::new());
                    say(msg, Ok(text));
                    storage.changed();
                }
                Ok(Err(e)) => match refusal(i18n, &e) {
                    ("", text) => say(msg, Err(text)),
                    (field, text) => {
                        errors.set(vec![(field, text)]);
                        msg.set(None);
                    }
                },
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    let err = move |field: &'static str| {
        move || {
            errors
                .get()
                .into_iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| view! { <p class="field-error" role="alert" data-testid=format!("reserve-error-{field}")>{m}</p> })
        }
    };
    let invalid =
        move |field: &'static str| move || errors.with(|es| es.iter().any(|(f, _)| *f == field)).to_string();

    let status_line = move || {
        status.get().map(|(p, s)| match s {
            Ok(s) => view! {
                <p data-testid="reserve-status" data-remaining=s.remaining_fen.to_string()>{t_string!(
                    i18n,
                    allocation.reserve_status,
                    period = p,
                    reserve = format_yuan(s.reserve_fen),
                    run = s.run_id,
                    released = format_yuan(s.released_fen),
                    remaining = format_yuan(s.remaining_fen)
                )}</p>
            }
            .into_any(),
            Err(DecisionError::NoAdoptedRun { period }) => view! {
                <p class="muted" data-testid="reserve-none">{t_string!(i18n, allocation.reserve_none, period = period)}</p>
            }
            .into_any(),
            Err(e) => view! { <p class="error" role="alert">{refusal(i18n, &e).1}</p> }.into_any(),
        })
    };
    let history = move || {
        let (Some(p), Some(Shared(dec))) = (period.get(), decided.current.get()) else {
            return ().into_any();
        };
        let rows: Vec<_> = releases(&dec.decisions, &p)
            .filter_map(|d| match &d.kind {
                DecisionKind::ReserveReleased {
                    amount_fen,
                    reason,
                    approver,
                    plan_id,
                } => Some((
                    d.id,
                    d.on,
                    *amount_fen,
                    reason.clone(),
                    approver.clone(),
                    *plan_id,
                )),
                _ => None,
            })
            .collect();
        if rows.is_empty() {
            return ().into_any();
        }
        view! {
            <div class="table-scroll">
                <table class="agg" data-testid="reserve-releases">
                    <caption>{t!(i18n, allocation.reserve_releases)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, allocation.number)}</th>
                        <th scope="col">{t!(i18n, allocation.reserve_date)}</th>
                        <th scope="col" class="num">{t!(i18n, allocation.reserve_amount)}</th>
                        <th scope="col">{t!(i18n, allocation.reserve_plan)}</th>
                        <th scope="col">{t!(i18n, allocation.reserve_reason)}</th>
                        <th scope="col">{t!(i18n, allocation.reserve_approver)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(id, on, fen, why, who, plan_id)| view! {
                            <tr data-testid="reserve-release-row">
                                <td class="num">{format!("#{id}")}</td>
                                <td>{on.to_string()}</td>
                                <td class="num">{format_yuan(fen)}</td>
                                <td><a href=format!("#/plans/{plan_id}")>{format!("#{plan_id}")}</a></td>
                                <td>{why}</td>
                                <td>{who}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="card" aria-labelledby="alloc-reserve-h" data-testid="reserve">
            <h2 id="alloc-reserve-h">{t!(i18n, allocation.reserve_title)}</h2>
            <p class="muted small">{t!(i18n, allocation.reserve_help)}</p>
            {move || (decided.phase.get() == Phase::Failed).then(|| decided.error().map(|e| view! {
                <crate::components::db_error::DbErrorView error=e/>
            }))}
            {status_line}
            {history}
            <WriteGuard><form class="res-form" on:submit=on_submit novalidate data-testid="reserve-form">
                <div class="row-fields">
                    <div class="field"><label for="reserve-amount">{t!(i18n, allocation.reserve_amount)}</label>
                        <input id="reserve-amount" type="text" inputmode="decimal" data-testid="reserve-amount" aria-invalid=invalid("amount")
                            prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                        {err("amount")}</div>
                    <div class="field"><label for="reserve-plan">{t!(i18n, allocation.reserve_plan)}</label>
                        <select id="reserve-plan" data-testid="reserve-plan" aria-invalid=invalid("plan")
                            on:change=move |ev| plan.set(event_target_value(&ev))>
                            {move || fundable.get().into_iter().map(|(id, label)| {
                                view! { <option value=id.to_string() selected=move || plan.get() == id.to_string()>{label}</option> }
                            }).collect_view()}
                        </select>
                        {move || fundable.with(Vec::is_empty).then(|| view! { <p class="muted small" data-testid="reserve-no-plans">{t!(i18n, allocation.reserve_no_plans)}</p> })}
                        {err("plan")}</div>
                    <div class="field"><label for="reserve-date">{t!(i18n, allocation.reserve_date)}</label>
                        <input id="reserve-date" type="date" data-testid="reserve-date" aria-invalid=invalid("date")
                            prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
                        {err("date")}</div>
                    <div class="field"><label for="reserve-approver">{t!(i18n, allocation.reserve_approver)}</label>
                        <input id="reserve-approver" type="text" maxlength="200" data-testid="reserve-approver" aria-invalid=invalid("approver")
                            prop:value=move || approver.get() on:input=move |ev| approver.set(event_target_value(&ev))/>
                        {err("approver")}</div>
                </div>
                <div class="field"><label for="reserve-reason">{t!(i18n, allocation.reserve_reason)}</label>
                    <textarea id="reserve-reason" rows="2" data-testid="reserve-reason" aria-invalid=invalid("reason")
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    {err("reason")}</div>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="reserve-submit"
                        disabled=move || !matches!(status.get(), Some((_, Ok(_))))>{t!(i18n, allocation.reserve_submit)}</button>
                </div>
                {msg_view(msg, "reserve-msg")}
            </form></WriteGuard>
        </section>
    }
}
