//! The three approval levels, in order: residents' council (votes and quorum),
//! professional assessment (assessor, conclusion), street review (reference
//! number). A rejection needs a reason and returns the plan to draft.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_domain::plans::{ApprovalDetail, Command, CouncilVote};

use super::form::{count_of, date_field, date_of, today_text, Form, PlanCtx};
use super::{level_name, Ctx};
use crate::i18n::*;

/// Approve / reject radio buttons.
fn decision_field(i18n: Ctx, name: &'static str, approved: RwSignal<bool>) -> impl IntoView {
    view! {
        <fieldset class="decision">
            <legend>{t!(i18n, plans.decision)}</legend>
            <label class="tick"><input type="radio" name=name id=format!("{name}-approve") prop:checked=move || approved.get() on:change=move |_| approved.set(true)/>{t!(i18n, plans.approve)}</label>
            <label class="tick"><input type="radio" name=name id=format!("{name}-reject") prop:checked=move || !approved.get() on:change=move |_| approved.set(false)/>{t!(i18n, plans.reject)}</label>
        </fieldset>
    }
}

fn reason_field(i18n: Ctx, form: Form, id: &'static str, reason: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="wide">{t!(i18n, plans.f_reject_reason_label)}
            <input id=id type="text" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))/>
            {form.err("reason")}</label>
    }
}

#[component]
pub(super) fn CouncilForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "votes_for", "votes_against", "abstain", "reason"]);
    let on = RwSignal::new(today_text());
    let votes_for = RwSignal::new(String::new());
    let votes_against = RwSignal::new(String::new());
    let abstain = RwSignal::new("0".to_owned());
    let quorum = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let passes = move || {
        let n = |s: RwSignal<String>| s.get().trim().parse::<u32>().ok();
        match (n(votes_for), n(votes_against)) {
            (Some(f), Some(a)) => Some(quorum.get() && f > a),
            _ => None,
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let date = date_of(i18n, &form, "on", &on.get_untracked());
        let f = count_of(i18n, &form, "votes_for", &votes_for.get_untracked());
        let a = count_of(i18n, &form, "votes_against", &votes_against.get_untracked());
        let x = count_of(i18n, &form, "abstain", &abstain.get_untracked());
        let (Some(on), Some(votes_for), Some(votes_against), Some(abstain)) = (date, f, a, x) else {
            form.refuse(i18n, t_string!(i18n, plans.fix_fields).to_owned(), &[]);
            return;
        };
        let vote = CouncilVote {
            votes_for,
            votes_against,
            abstain,
            quorum_met: quorum.get_untracked(),
        };
        ctx.run(
            form,
            Command::Council {
                on,
                vote,
                reason: reason.get_untracked(),
            },
            move || reason.set(String::new()),
        );
    };
    view! {
        <div class="plan-form" data-testid="plan-council">
            <h3>{t!(i18n, plans.council_heading)}</h3>
            <p class="muted">{t!(i18n, plans.council_help)}</p>
            <form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-council-on", on)}
                <label>{t!(i18n, plans.votes_for)}
                    <input id="plan-council-for" type="number" min="0" inputmode="numeric" prop:value=votes_for on:input=move |ev| votes_for.set(event_target_value(&ev))/>
                    {form.err("votes_for")}</label>
                <label>{t!(i18n, plans.votes_against)}
                    <input id="plan-council-against" type="number" min="0" inputmode="numeric" prop:value=votes_against on:input=move |ev| votes_against.set(event_target_value(&ev))/>
                    {form.err("votes_against")}</label>
                <label>{t!(i18n, plans.abstain)}
                    <input id="plan-council-abstain" type="number" min="0" inputmode="numeric" prop:value=abstain on:input=move |ev| abstain.set(event_target_value(&ev))/>
                    {form.err("abstain")}</label>
                <label class="tick"><input id="plan-council-quorum" type="checkbox" prop:checked=quorum on:change=move |ev| quorum.set(event_target_checked(&ev))/>{t!(i18n, plans.quorum_met)}</label>
                <p class="wide" role="status" data-testid="plan-council-outcome">{move || match passes() {
                    Some(true) => t_string!(i18n, plans.council_passes).to_owned(),
                    Some(false) => t_string!(i18n, plans.council_fails).to_owned(),
                    None => String::new(),
                }}</p>
                {reason_field(i18n, form, "plan-council-reason", reason)}
                <button type="submit" class="primary" data-testid="plan-council-submit">{t!(i18n, plans.record_vote)}</button>
            </form>
            {form.view("plan-council-msg")}
        </div>
    }
}

#[component]
pub(super) fn AssessmentForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "assessor", "conclusion", "reason"]);
    let on = RwSignal::new(today_text());
    let assessor = RwSignal::new(String::new());
    let conclusion = RwSignal::new(String::new());
    let approved = RwSignal::new(true);
    let reason = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse(i18n, t_string!(i18n, plans.fix_fields).to_owned(), &[]);
            return;
        };
        let cmd = Command::Assessment {
            on,
            assessor: assessor.get_untracked(),
            conclusion: conclusion.get_untracked(),
            approved: approved.get_untracked(),
            reason: reason.get_untracked(),
        };
        ctx.run(form, cmd, move || reason.set(String::new()));
    };
    view! {
        <div class="plan-form" data-testid="plan-assessment">
            <h3>{t!(i18n, plans.assessment_heading)}</h3>
            <form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-assessment-on", on)}
                <label>{t!(i18n, plans.f_assessor_label)}<span class="badge warn">{t!(i18n, plans.internal_badge)}</span>
                    <input id="plan-assessment-assessor" type="text" prop:value=assessor on:input=move |ev| assessor.set(event_target_value(&ev))/>
                    {form.err("assessor")}</label>
                <label class="wide">{t!(i18n, plans.f_conclusion_label)}
                    <textarea id="plan-assessment-conclusion" rows="2" prop:value=conclusion on:input=move |ev| conclusion.set(event_target_value(&ev))></textarea>
                    {form.err("conclusion")}</label>
                {decision_field(i18n, "plan-assessment-decision", approved)}
                {reason_field(i18n, form, "plan-assessment-reason", reason)}
                <button type="submit" class="primary" data-testid="plan-assessment-submit">{t!(i18n, plans.record_decision)}</button>
            </form>
            {form.view("plan-assessment-msg")}
        </div>
    }
}

#[component]
pub(super) fn StreetForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "reference", "reason"]);
    let on = RwSignal::new(today_text());
    let reference = RwSignal::new(String::new());
    let approved = RwSignal::new(true);
    let reason = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse(i18n, t_string!(i18n, plans.fix_fields).to_owned(), &[]);
            return;
        };
        let cmd = Command::StreetReview {
            on,
            reference: reference.get_untracked(),
            approved: approved.get_untracked(),
            reason: reason.get_untracked(),
        };
        ctx.run(form, cmd, move || reason.set(String::new()));
    };
    view! {
        <div class="plan-form" data-testid="plan-street">
            <h3>{t!(i18n, plans.street_heading)}</h3>
            <form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-street-on", on)}
                <label>{t!(i18n, plans.f_reference_label)}
                    <input id="plan-street-reference" type="text" prop:value=reference on:input=move |ev| reference.set(event_target_value(&ev))/>
                    {form.err("reference")}</label>
                {decision_field(i18n, "plan-street-decision", approved)}
                {reason_field(i18n, form, "plan-street-reason", reason)}
                <button type="submit" class="primary" data-testid="plan-street-submit">{t!(i18n, plans.record_decision)}</button>
            </form>
            {form.view("plan-street-msg")}
        </div>
    }
}

#[component]
pub(super) fn ApprovalsView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let list = ctx
            .plan
            .with(|p| p.as_ref().map(|p| p.approvals().to_vec()).unwrap_or_default());
        view! {
            <section class="card" aria-labelledby="plan-approvals-h" data-testid="plan-approvals">
                <h2 id="plan-approvals-h">{t!(i18n, plans.approvals_heading)}</h2>
                {if list.is_empty() {
                    view! { <p class="muted">{t!(i18n, plans.no_approvals)}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap"><table class="data">
                            <thead><tr>
                                <th scope="col">{t!(i18n, plans.approval_round)}</th>
                                <th scope="col">{t!(i18n, plans.approval_level)}</th>
                                <th scope="col">{t!(i18n, plans.date)}</th>
                                <th scope="col">{t!(i18n, plans.decision)}</th>
                                <th scope="col">{t!(i18n, plans.approval_detail)}</th>
                                <th scope="col">{t!(i18n, plans.f_reject_reason_label)}</th>
                            </tr></thead>
                            <tbody>{list.into_iter().map(|a| {
                                let level = a.detail.level();
                                let detail = match &a.detail {
                                    ApprovalDetail::Council(v) => t_string!(
                                        i18n, plans.council_detail,
                                        votes_for = v.votes_for, votes_against = v.votes_against, abstain = v.abstain,
                                        quorum = if v.quorum_met { t_string!(i18n, plans.quorum_yes) } else { t_string!(i18n, plans.quorum_no) }
                                    ),
                                    ApprovalDetail::Assessment { assessor, conclusion } => t_string!(
                                        i18n, plans.assessment_detail, assessor = assessor.clone(), conclusion = conclusion.clone()
                                    ),
                                    ApprovalDetail::StreetReview { reference } => t_string!(
                                        i18n, plans.street_detail, reference = reference.clone()
                                    ),
                                };
                                view! {
                                    <tr data-level=format!("{level:?}") data-approved=a.approved.to_string()>
                                        <td>{t_string!(i18n, plans.approval_after_notice, notice = a.notice)}</td>
                                        <td>{level_name(i18n, level)}</td>
                                        <td>{a.on.to_string()}</td>
                                        <td>{if a.approved { t_string!(i18n, plans.approved) } else { t_string!(i18n, plans.rejected) }}</td>
                                        <td>{detail}</td>
                                        <td>{a.reason.clone()}</td>
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
