//! Final accounts (决算: budget against actual by funder, the remainder
//! returned to a named pool) and the residents' evaluation that closes the
//! plan. Both end a stage for good, so both ask for a confirmation first.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_domain::money::format_yuan;
use linli_domain::plans::{Command, Satisfaction};

use super::form::{count_of, date_field, date_of, text_field, today_text, Form, PlanCtx};
use super::{funder_name, Ctx};
use crate::components::WriteGuard;
use crate::i18n::*;

/// The confirmation of a pending irreversible command.
fn confirm_box(
    i18n: Ctx,
    ctx: PlanCtx,
    form: Form,
    pending: RwSignal<Option<Command>>,
    question: impl Fn() -> String + Send + Sync + 'static,
    testid: &'static str,
) -> impl IntoView {
    move || {
        pending.get().map(|cmd| {
            let q = question();
            let yes = move |_| {
                pending.set(None);
                ctx.run(form, cmd.clone(), || ());
            };
            view! {
                <div class="confirm" role="alertdialog" data-testid=testid>
                    <p>{q}</p>
                    <button type="button" class="primary" data-testid=format!("{testid}-yes") on:click=yes>{t!(i18n, plans.confirm)}</button>
                    <button type="button" data-testid=format!("{testid}-no") on:click=move |_| pending.set(None)>{t!(i18n, plans.cancel)}</button>
                </div>
            }
        })
    }
}

#[component]
pub(super) fn CloseAccountsForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "pool"]);
    let on = RwSignal::new(today_text());
    let pool = RwSignal::new(String::new());
    let pending = RwSignal::new(None::<Command>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse_fields(i18n);
            return;
        };
        pending.set(Some(Command::CloseAccounts {
            on,
            pool: pool.get_untracked(),
        }));
    };
    let question = move || {
        ctx.plan.with(|p| {
            p.as_ref()
                .map(|p| {
                    let left = p.content().budget.total() - p.spent_total();
                    t_string!(
                        i18n,
                        plans.accounts_question,
                        actual = format_yuan(p.spent_total()),
                        left = format_yuan(left),
                        pool = pool.get_untracked()
                    )
                })
                .unwrap_or_default()
        })
    };
    view! {
        <div class="plan-form" data-testid="plan-accounts-form">
            <h3>{t!(i18n, plans.accounts_heading)}</h3>
            <p class="muted">{t!(i18n, plans.accounts_help)}</p>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-accounts-on", on)}
                {text_field(form, t!(i18n, plans.f_pool_label), "plan-accounts-pool", "pool", pool, true)}
                <button type="submit" data-testid="plan-accounts-submit">{t!(i18n, plans.close_accounts)}</button>
            </form></WriteGuard>
            {confirm_box(i18n, ctx, form, pending, question, "plan-accounts-confirm")}
            {form.view("plan-accounts-msg")}
        </div>
    }
}

#[component]
pub(super) fn EvaluateForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "satisfaction", "summary"]);
    let on = RwSignal::new(today_text());
    let counts: [RwSignal<String>; 5] = std::array::from_fn(|_| RwSignal::new("0".to_owned()));
    let summary = RwSignal::new(String::new());
    let pending = RwSignal::new(None::<Command>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let date = date_of(i18n, &form, "on", &on.get_untracked());
        let mut c = [0u32; 5];
        let mut ok = true;
        for (i, s) in counts.iter().enumerate() {
            match count_of(i18n, &form, "satisfaction", &s.get_untracked()) {
                Some(n) => c[i] = n,
                None => ok = false,
            }
        }
        let Some(on) = date.filter(|_| ok) else {
            form.refuse_fields(i18n);
            return;
        };
        pending.set(Some(Command::Evaluate {
            on,
            satisfaction: Satisfaction::Counts(c),
            summary: summary.get_untracked(),
        }));
    };
    let question = move || t_string!(i18n, plans.evaluate_question).to_owned();
    view! {
        <div class="plan-form" data-testid="plan-evaluate">
            <h3>{t!(i18n, plans.evaluate_heading)}</h3>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-evaluate-on", on)}
                <fieldset class="wide">
                    <legend>{t!(i18n, plans.satisfaction_legend)}</legend>
                    {(0..5usize).rev().map(|i| {
                        let s = counts[i];
                        view! {
                            <label>{t_string!(i18n, plans.rating, n = i + 1)}
                                <input id=format!("plan-evaluate-r{}", i + 1) type="number" min="0" inputmode="numeric" prop:value=s on:input=move |ev| s.set(event_target_value(&ev))/></label>
                        }
                    }).collect_view()}
                    <p>{form.err("satisfaction")}</p>
                </fieldset>
                <label class="wide">{t!(i18n, plans.f_summary_label)}
                    <textarea id="plan-evaluate-summary" rows="2" prop:value=summary on:input=move |ev| summary.set(event_target_value(&ev))></textarea>
                    {form.err("summary")}</label>
                <button type="submit" class="primary" data-testid="plan-evaluate-submit">{t!(i18n, plans.evaluate)}</button>
            </form></WriteGuard>
            {confirm_box(i18n, ctx, form, pending, question, "plan-evaluate-confirm")}
            {form.view("plan-evaluate-msg")}
        </div>
    }
}

/// The final accounts, once drawn.
#[component]
pub(super) fn AccountsView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let a = ctx
            .plan
            .with(|p| p.as_ref().and_then(|p| p.accounts().cloned()))?;
        Some(view! {
            <section class="card" aria-labelledby="plan-accounts-h" data-testid="plan-accounts">
                <h2 id="plan-accounts-h">{t!(i18n, plans.accounts_view_heading)}</h2>
                <p>{t_string!(i18n, plans.accounts_on, on = a.on, pool = a.returned_to.clone())}</p>
                <div class="table-wrap"><table class="data">
                    <thead><tr>
                        <th scope="col">{t!(i18n, plans.funder)}</th>
                        <th scope="col" class="num">{t!(i18n, plans.col_budget)}</th>
                        <th scope="col" class="num">{t!(i18n, plans.actual)}</th>
                        <th scope="col" class="num">{t!(i18n, plans.remainder)}</th>
                    </tr></thead>
                    <tbody>
                        {a.lines.iter().map(|l| view! {
                            <tr data-funder=l.funder.code()>
                                <td>{funder_name(i18n, l.funder)}</td>
                                <td class="num">{format_yuan(l.budget)}</td>
                                <td class="num">{format_yuan(l.actual)}</td>
                                <td class="num">{format_yuan(l.remainder)}</td>
                            </tr>
                        }).collect_view()}
                        <tr data-funder="total">
                            <th scope="row">{t!(i18n, plans.total)}</th>
                            <td class="num">{format_yuan(a.budget)}</td>
                            <td class="num">{format_yuan(a.actual)}</td>
                            <td class="num" data-testid="plan-remainder">{format_yuan(a.remainder)}</td>
                        </tr>
                    </tbody>
                </table></div>
            </section>
        })
    }
}

/// The evaluation, once recorded.
#[component]
pub(super) fn EvaluationView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let e = ctx
            .plan
            .with(|p| p.as_ref().and_then(|p| p.evaluation().cloned()))?;
        let pct = e
            .satisfaction
            .satisfied_bp()
            .map(|bp| format!("{}.{:02}%", bp / 100, bp % 100))
            .unwrap_or_default();
        let counts = match e.satisfaction {
            Satisfaction::Counts(c) => (0..5usize)
                .rev()
                .map(|i| format!("{}: {}", t_string!(i18n, plans.rating, n = i + 1), c[i]))
                .collect::<Vec<_>>()
                .join(" · "),
            Satisfaction::Summary { .. } => String::new(),
        };
        Some(view! {
            <section class="card" aria-labelledby="plan-eval-h" data-testid="plan-evaluation">
                <h2 id="plan-eval-h">{t!(i18n, plans.evaluation_heading)}</h2>
                <p data-testid="plan-satisfaction">{t_string!(i18n, plans.satisfaction_line, on = e.on, respondents = e.satisfaction.respondents(), satisfied = e.satisfaction.satisfied(), pct = pct)}</p>
                <p class="muted">{counts}</p>
                <p>{e.summary.clone()}</p>
            </section>
        })
    }
}
