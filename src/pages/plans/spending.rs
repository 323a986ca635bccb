//! Execution: spending entries (每笔支出; a correction is a reversal, never an
//! edit), budget against actual by funder, budget changes (an increase above
//! the configured share goes on notice; it may be withdrawn), milestones.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_domain::money::format_yuan;
use linli_domain::plans::{
    BudgetChangeInput, ChangeStatus, Command, Funder, PlanRules, SpendingInput, Stage,
};

use super::form::{
    budget_fields, count_of, date_field, date_of, number_field, text_field, today_text, yuan_of, BudgetInput,
    Form, PlanCtx,
};
use super::funder_name;
use crate::components::WriteGuard;
use crate::i18n::*;

fn funder_select(i18n: super::Ctx, id: &'static str, funder: RwSignal<Funder>) -> impl IntoView {
    view! {
        <select id=id on:change=move |ev| {
            if let Some(f) = Funder::from_code(&event_target_value(&ev)) { funder.set(f); }
        }>
            {Funder::ALL.into_iter().map(|f| view! {
                <option value=f.code() selected=move || funder.get() == f>{move || funder_name(i18n, f)}</option>
            }).collect_view()}
        </select>
    }
}

#[component]
pub(super) fn SpendForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "amount", "purpose", "voucher"]);
    let on = RwSignal::new(today_text());
    let amount = RwSignal::new(String::new());
    let funder = RwSignal::new(Funder::Government);
    let purpose = RwSignal::new(String::new());
    let voucher = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let date = date_of(i18n, &form, "on", &on.get_untracked());
        let fen = yuan_of(i18n, &form, "amount", &amount.get_untracked());
        let (Some(on), Some(amount_fen)) = (date, fen) else {
            form.refuse_fields(i18n);
            return;
        };
        let spending = SpendingInput {
            on,
            amount: amount_fen,
            funder: funder.get_untracked(),
            purpose: purpose.get_untracked(),
            voucher: voucher.get_untracked(),
        };
        ctx.run(form, Command::Spend { spending }, move || {
            amount.set(String::new());
            purpose.set(String::new());
            voucher.set(String::new());
        });
    };
    view! {
        <div class="plan-form" data-testid="plan-spend">
            <h3>{t!(i18n, plans.spend_heading)}</h3>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-spend-on", on)}
                <label>{t!(i18n, plans.amount_yuan)}
                    <input id="plan-spend-amount" type="text" inputmode="decimal" autocomplete="off" prop:value=amount on:input=move |ev| amount.set(event_target_value(&ev))/>
                    {form.err("amount")}</label>
                <label>{t!(i18n, plans.funder)}{funder_select(i18n, "plan-spend-funder", funder)}</label>
                {text_field(form, t!(i18n, plans.f_purpose_label), "plan-spend-purpose", "purpose", purpose, true)}
                {text_field(form, t!(i18n, plans.f_voucher_label), "plan-spend-voucher", "voucher", voucher, false)}
                <button type="submit" class="primary" data-testid="plan-spend-submit">{t!(i18n, plans.record_spending)}</button>
            </form></WriteGuard>
            {form.view("plan-spend-msg")}
        </div>
    }
}

#[component]
pub(super) fn BudgetChangeForm(
    ctx: PlanCtx,
    rules: Memo<Option<Result<PlanRules, String>>>,
) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&[
        "on",
        "budget",
        "budget_government",
        "budget_market",
        "budget_society",
        "budget_residents",
        "reason",
        "approver",
    ]);
    let on = RwSignal::new(today_text());
    let budget = BudgetInput::new();
    let reason = RwSignal::new(String::new());
    let approver = RwSignal::new(String::new());
    Effect::new(move |_| {
        ctx.plan.with(|p| {
            if let Some(p) = p {
                budget.set(&p.content().budget);
            }
        });
    });
    let share = move || {
        let bp = match rules.get() {
            Some(Ok(r)) => r.renotice_above_bp,
            _ => PlanRules::default().renotice_above_bp,
        };
        if bp % 100 == 0 {
            format!("{}%", bp / 100)
        } else {
            format!("{}.{:02}%", bp / 100, bp % 100)
        }
    };
    let baseline = move || {
        ctx.plan.with(|p| {
            p.as_ref()
                .and_then(|p| p.baseline().map(|b| format_yuan(b.total())))
                .unwrap_or_default()
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let date = date_of(i18n, &form, "on", &on.get_untracked());
        let b = budget.parse(i18n, &form, false);
        let (Some(on), Some(to)) = (date, b) else {
            form.refuse_fields(i18n);
            return;
        };
        let change = BudgetChangeInput {
            on,
            to,
            reason: reason.get_untracked(),
            approver: approver.get_untracked(),
        };
        ctx.run(form, Command::ChangeBudget { change }, move || {
            reason.set(String::new());
            approver.set(String::new());
        });
    };
    view! {
        <details class="plan-form" data-testid="plan-budget-change">
            <summary>{t!(i18n, plans.change_heading)}</summary>
            <p class="muted">{move || t_string!(i18n, plans.change_help, share = share(), baseline = baseline())}</p>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-change-on", on)}
                {budget_fields(i18n, form, budget, "plan-change", false, || ())}
                {text_field(form, t!(i18n, plans.f_change_reason_label), "plan-change-reason", "reason", reason, true)}
                <label>{t!(i18n, plans.f_approver_label)}<span class="badge warn">{t!(i18n, plans.internal_badge)}</span>
                    <input id="plan-change-approver" type="text" prop:value=approver on:input=move |ev| approver.set(event_target_value(&ev))/>
                    {form.err("approver")}</label>
                <button type="submit" data-testid="plan-change-submit">{t!(i18n, plans.record_change)}</button>
            </form></WriteGuard>
            {form.view("plan-change-msg")}
        </details>
    }
}

#[component]
pub(super) fn WithdrawForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "reason"]);
    let on = RwSignal::new(today_text());
    let reason = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse_fields(i18n);
            return;
        };
        ctx.run(
            form,
            Command::WithdrawBudgetChange {
                on,
                reason: reason.get_untracked(),
            },
            move || reason.set(String::new()),
        );
    };
    view! {
        <details class="plan-form" data-testid="plan-withdraw">
            <summary>{t!(i18n, plans.withdraw_heading)}</summary>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-withdraw-on", on)}
                {text_field(form, t!(i18n, plans.f_withdraw_reason_label), "plan-withdraw-reason", "reason", reason, true)}
                <button type="submit" data-testid="plan-withdraw-submit">{t!(i18n, plans.withdraw)}</button>
            </form></WriteGuard>
            {form.view("plan-withdraw-msg")}
        </details>
    }
}

#[component]
pub(super) fn MilestoneForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "percent", "note"]);
    let on = RwSignal::new(today_text());
    let percent = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let date = date_of(i18n, &form, "on", &on.get_untracked());
        let pct = count_of(i18n, &form, "percent", &percent.get_untracked());
        let (Some(on), Some(pct)) = (date, pct) else {
            form.refuse_fields(i18n);
            return;
        };
        let cmd = Command::Milestone {
            on,
            percent: u8::try_from(pct).unwrap_or(u8::MAX),
            note: note.get_untracked(),
        };
        ctx.run(form, cmd, move || {
            percent.set(String::new());
            note.set(String::new());
        });
    };
    view! {
        <details class="plan-form" data-testid="plan-milestone">
            <summary>{t!(i18n, plans.milestone_heading)}</summary>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-milestone-on", on)}
                {number_field(form, t!(i18n, plans.percent), "plan-milestone-percent", "percent", percent, 0, Some(100))}
                {text_field(form, t!(i18n, plans.f_note_label), "plan-milestone-note", "note", note, true)}
                <button type="submit" data-testid="plan-milestone-submit">{t!(i18n, plans.record_milestone)}</button>
            </form></WriteGuard>
            {form.view("plan-milestone-msg")}
        </details>
    }
}

/// The spending table, reversals marked, with the reversal of an entry (after
/// a confirmation).
#[component]
pub(super) fn SpendingView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let reversing = RwSignal::new(None::<u32>);
    let form = Form::new(&["on", "voucher", "reason"]);
    let on = RwSignal::new(today_text());
    let voucher = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let on_confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(id) = reversing.get_untracked() else {
            return;
        };
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse_fields(i18n);
            return;
        };
        let cmd = Command::Reverse {
            id,
            on,
            voucher: voucher.get_untracked(),
            reason: reason.get_untracked(),
        };
        ctx.run(form, cmd, move || {
            reversing.set(None);
            voucher.set(String::new());
            reason.set(String::new());
        });
    };
    let table = move || {
        let Some(p) = ctx.plan.get() else {
            return ().into_any();
        };
        let entries = p.spending().to_vec();
        if entries.is_empty() {
            return view! { <p class="muted">{t!(i18n, plans.no_spending)}</p> }.into_any();
        }
        let can_reverse = p.stage() == Stage::Execution;
        view! {
            <div class="table-wrap"><table class="data" data-testid="plan-spending-table">
                <thead><tr>
                    <th scope="col">"#"</th>
                    <th scope="col">{t!(i18n, plans.date)}</th>
                    <th scope="col">{t!(i18n, plans.funder)}</th>
                    <th scope="col" class="num">{t!(i18n, plans.amount)}</th>
                    <th scope="col">{t!(i18n, plans.f_purpose_label)}</th>
                    <th scope="col">{t!(i18n, plans.f_voucher_label)}</th>
                    <th scope="col">{t!(i18n, plans.entry_status)}</th>
                </tr></thead>
                <tbody>{entries.into_iter().map(|e| {
                    let id = e.id;
                    let by = p.reversed_by(id);
                    let status = match (e.reverses, by) {
                        (Some(of), _) => t_string!(i18n, plans.is_reversal, id = of),
                        (None, Some(by)) => t_string!(i18n, plans.reversed_by, id = by),
                        (None, None) => String::new(),
                    };
                    let offer = can_reverse && e.reverses.is_none() && by.is_none();
                    view! {
                        <tr data-id=id.to_string() class:reversal=e.reverses.is_some() class:reversed=by.is_some()
                            data-state=if e.reverses.is_some() { "reversal" } else if by.is_some() { "reversed" } else { "entry" }>
                            <td>{id}</td>
                            <td>{e.on.to_string()}</td>
                            <td>{funder_name(i18n, e.funder)}</td>
                            <td class="num">{format_yuan(e.amount)}</td>
                            <td>{e.purpose.clone()}</td>
                            <td>{e.voucher.clone()}</td>
                            <td>{status}{offer.then(|| view! {
                                " "<button type="button" data-testid=format!("plan-reverse-{id}") on:click=move |_| { form.clear(); reversing.set(Some(id)); }>{t!(i18n, plans.reverse)}</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table></div>
        }.into_any()
    };
    let confirm = move || {
        let id = reversing.get()?;
        let e = ctx.plan.with(|p| {
            p.as_ref()
                .and_then(|p| p.spending().iter().find(|e| e.id == id).cloned())
        })?;
        Some(view! {
            <WriteGuard><form class="confirm req-form" role="alertdialog" aria-labelledby="plan-reverse-q" on:submit=on_confirm novalidate data-testid="plan-reverse-confirm">
                <p id="plan-reverse-q">{t_string!(i18n, plans.reverse_question, id = id, amount = format_yuan(e.amount), funder = funder_name(i18n, e.funder), purpose = e.purpose.clone())}</p>
                {date_field(i18n, form, "plan-reverse-on", on)}
                {text_field(form, t!(i18n, plans.f_voucher_label), "plan-reverse-voucher", "voucher", voucher, false)}
                {text_field(form, t!(i18n, plans.f_reversal_reason_label), "plan-reverse-reason", "reason", reason, true)}
                <button type="submit" class="primary" data-testid="plan-reverse-yes">{t!(i18n, plans.reverse_confirm)}</button>
                <button type="button" data-testid="plan-reverse-no" on:click=move |_| { reversing.set(None); form.clear(); }>{t!(i18n, plans.cancel)}</button>
            </form></WriteGuard>
        })
    };
    view! {
        <section class="card" aria-labelledby="plan-spending-h" data-testid="plan-spending">
            <h2 id="plan-spending-h">{t!(i18n, plans.spending_heading)}</h2>
            {table}
            {confirm}
            {form.view("plan-reverse-msg")}
        </section>
    }
}

/// Budget against actual by funder.
#[component]
pub(super) fn BudgetView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let p = ctx.plan.get()?;
        if p.stage() < Stage::Execution && p.spending().is_empty() {
            return None;
        }
        let b = p.content().budget;
        Some(view! {
            <section class="card" aria-labelledby="plan-bva-h" data-testid="plan-budget-actual">
                <h2 id="plan-bva-h">{t!(i18n, plans.bva_heading)}</h2>
                {p.baseline().map(|base| view! { <p class="muted">{t_string!(i18n, plans.baseline, amount = format_yuan(base.total()))}</p> })}
                <div class="table-wrap"><table class="data">
                    <thead><tr>
                        <th scope="col">{t!(i18n, plans.funder)}</th>
                        <th scope="col" class="num">{t!(i18n, plans.col_budget)}</th>
                        <th scope="col" class="num">{t!(i18n, plans.actual)}</th>
                        <th scope="col" class="num">{t!(i18n, plans.left)}</th>
                    </tr></thead>
                    <tbody>
                        {Funder::ALL.into_iter().map(|f| {
                            let (bud, spent) = (b.get(f), p.spent(f));
                            view! {
                                <tr data-funder=f.code()>
                                    <td>{funder_name(i18n, f)}</td>
                                    <td class="num">{format_yuan(bud)}</td>
                                    <td class="num actual">{format_yuan(spent)}</td>
                                    <td class="num">{format_yuan(bud - spent)}</td>
                                </tr>
                            }
                        }).collect_view()}
                        <tr data-funder="total">
                            <th scope="row">{t!(i18n, plans.total)}</th>
                            <td class="num">{format_yuan(b.total())}</td>
                            <td class="num actual">{format_yuan(p.spent_total())}</td>
                            <td class="num">{format_yuan(b.total() - p.spent_total())}</td>
                        </tr>
                    </tbody>
                </table></div>
            </section>
        })
    }
}

/// Every budget change.
#[component]
pub(super) fn ChangesView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let list = ctx.plan.with(|p| {
            p.as_ref()
                .map(|p| p.budget_changes().to_vec())
                .unwrap_or_default()
        });
        (!list.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="plan-changes-h" data-testid="plan-changes">
                <h2 id="plan-changes-h">{t!(i18n, plans.changes_heading)}</h2>
                <ul>{list.into_iter().map(|c| {
                    let status = match c.status {
                        ChangeStatus::Effective(d) => t_string!(i18n, plans.change_effective, on = d),
                        ChangeStatus::OnNotice => t_string!(i18n, plans.change_on_notice).to_owned(),
                        ChangeStatus::Withdrawn(d) => t_string!(i18n, plans.change_withdrawn, on = d),
                    };
                    view! {
                        <li>{format!("#{} ", c.id)}{c.on.to_string()}" · "{format_yuan(c.from.total())}" → "{format_yuan(c.to.total())}
                            " · "{c.reason.clone()}" · "{status}
                            " · "<span class="muted">{t!(i18n, plans.f_approver_label)}": "{c.approver.clone()}</span></li>
                    }
                }).collect_view()}</ul>
            </section>
        })
    }
}

/// Every milestone.
#[component]
pub(super) fn MilestonesView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let list = ctx
            .plan
            .with(|p| p.as_ref().map(|p| p.milestones().to_vec()).unwrap_or_default());
        (!list.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="plan-milestones-h" data-testid="plan-milestones">
                <h2 id="plan-milestones-h">{t!(i18n, plans.milestones_heading)}</h2>
                <ol>{list.into_iter().map(|m| view! {
                    <li>{m.on.to_string()}" · "<strong>{format!("{}%", m.percent)}</strong>" · "{m.note.clone()}</li>
                }).collect_view()}</ol>
            </section>
        })
    }
}
