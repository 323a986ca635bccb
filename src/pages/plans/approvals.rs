//! The three approval levels, in order: residents' council (votes and quorum),
//! professional assessment (assessor, conclusion), street review (reference
//! number). A rejection needs a reason and returns the plan to draft.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_domain::plans::{ApprovalDetail, Command, CouncilVote};

use super::form::{count_of, date_field, date_of, number_field, text_field, today_text, Form, PlanCtx};
use super::{level_name, Ctx};
use crate::components::WriteGuard;
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
            form.refuse_fields(i18n);
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
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-council-on", on)}
                {number_field(form, t!(i18n, plans.votes_for), "plan-council-for", "votes_for", votes_for, 0, None)}
                {number_field(form, t!(i18n, plans.votes_against), "plan-council-against", "votes_against", votes_against, 0, None)}
                {number_field(form, t!(i18n, plans.abstain), "plan-council-abstain", "abstain", abstain, 0, None)}
                <label class="tick"><input id="plan-council-quorum" type="checkbox" prop:checked=quorum on:change=move |ev| quorum.set(event_target_checked(&ev))/>{t!(i18n, plans.quorum_met)}</label>
                <p class="wide" role="status" data-testid="plan-council-outcome">{move || match passes() {
                    Some(true) => t_string!(i18n, plans.council_passes).to_owned(),
                    Some(false) => t_string!(i18n, plans.council_fails).to_owned(),
                    None => String::new(),
                }}</p>
                {reason_field(i18n, form, "plan-council-reason", reason)}
                <button type="submit" class="primary" data-testid="plan-council-submit">{t!(i18n, plans.record_vote)}</button>
            </form></WriteGuard>
            {form.view("plan-council-msg")}
        </div>
    }
}

/// Which of the two reviews after the council a [`ReviewForm`] records.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Review {
    /// Professional assessment: assessor (internal) and conclusion.
    Assessment,
    /// Street review: its reference number.
    Street,
}

/// The professional assessment or the street review: a date, the level's own
/// fields, approve or reject (a rejection needs a reason and returns the plan
/// to draft).
#[component]
pub(super) fn ReviewForm(ctx: PlanCtx, level: Review) -> impl IntoView {
    let i18n = ctx.i18n;
    let street = level == Review::Street;
    let form = Form::new(if street {
        &["on", "reference", "reason"]
    } else {
        &["on", "assessor", "conclusion", "reason"]
    });
    let on = RwSignal::new(today_text());
    // The assessor, or the street review's reference number.
    let who = RwSignal::new(String::new());
    let conclusion = RwSignal::new(String::new());
    let approved = RwSignal::new(true);
    let reason = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse_fields(i18n);
            return;
        };
        let (approved, reason_text) = (approved.get_untracked(), reason.get_untracked());
        let cmd = if street {
            Command::StreetReview {
                on,
                reference: who.get_untracked(),
                approved,
                reason: reason_text,
            }
        } else {
            Command::Assessment {
                on,
                assessor: who.get_untracked(),
                conclusion: conclusion.get_untracked(),
                approved,
                reason: reason_text,
            }
        };
        ctx.run(form, cmd, move || reason.set(String::new()));
    };
    let (name, on_id, decision_id, reason_id, submit_id, msg_id) = if street {
        (
            "plan-street",
            "plan-street-on",
            "plan-street-decision",
            "plan-street-reason",
            "plan-street-submit",
            "plan-street-msg",
        )
    } else {
        (
            "plan-assessment",
            "plan-assessment-on",
            "plan-assessment-decision",
            "plan-assessment-reason",
            "plan-assessment-submit",
            "plan-assessment-msg",
        )
    };
    let fields = if street {
        text_field(
            form,
            t!(i18n, plans.f_reference_label),
            "plan-street-reference",
            "reference",
            who,
            false,
        )
        .into_any()
    } else {
        view! {
            <label>{t!(i18n, plans.f_assessor_label)}<span class="badge warn">{t!(i18n, plans.internal_badge)}</span>
                <input id="plan-assessment-assessor" type="text" prop:value=who on:input=move |ev| who.set(event_target_value(&ev))/>
                {form.err("assessor")}</label>
            <label class="wide">{t!(i18n, plans.f_conclusion_label)}
                <textarea id="plan-assessment-conclusion" rows="2" prop:value=conclusion on:input=move |ev| conclusion.set(event_target_value(&ev))></textarea>
                {form.err("conclusion")}</label>
        }
        .into_any()
    };
    view! {
        <div class="plan-form" data-testid=name>
            <h3>{move || if street { t_string!(i18n, plans.street_heading) } else { t_string!(i18n, plans.assessment_heading) }}</h3>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, on_id, on)}
                {fields}
                {decision_field(i18n, decision_id, approved)}
                {reason_field(i18n, form, reason_id, reason)}
                <button type="submit" class="primary" data-testid=submit_id>{t!(i18n, plans.record_decision)}</button>
            </form></WriteGuard>
            {form.view(msg_id)}
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
