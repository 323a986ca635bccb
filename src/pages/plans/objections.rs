//! Objections (异议) during a notice: recording one (date, channel, the
//! internal text as said, a public summary) and the guide's public response.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_domain::plans::{Command, Objection, ObjectionChannel, ObjectionInput, Stage};

use super::form::{date_field, date_of, today_text, Form, PlanCtx};
use super::{channel_code, channel_name, CHANNELS};
use crate::components::WriteGuard;
use crate::i18n::*;

#[component]
pub(super) fn RecordObjectionForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "internal_text", "public_summary"]);
    let on = RwSignal::new(today_text());
    let channel = RwSignal::new(ObjectionChannel::InPerson);
    let internal_text = RwSignal::new(String::new());
    let public_summary = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse_fields(i18n);
            return;
        };
        let objection = ObjectionInput {
            on,
            channel: channel.get_untracked(),
            internal_text: internal_text.get_untracked(),
            public_summary: public_summary.get_untracked(),
        };
        ctx.run(form, Command::RecordObjection { objection }, move || {
            internal_text.set(String::new());
            public_summary.set(String::new());
        });
    };
    view! {
        <details class="plan-form" data-testid="plan-objection">
            <summary>{t!(i18n, plans.objection_heading)}</summary>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-objection-on", on)}
                <label>{t!(i18n, plans.channel)}
                    <select id="plan-objection-channel" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(c) = CHANNELS.into_iter().find(|c| channel_code(*c) == v) { channel.set(c); }
                    }>
                        {CHANNELS.into_iter().map(|c| view! {
                            <option value=channel_code(c) selected=move || channel.get() == c>{move || channel_name(i18n, c)}</option>
                        }).collect_view()}
                    </select></label>
                <label class="wide">{t!(i18n, plans.f_internal_text_label)}<span class="badge warn">{t!(i18n, plans.internal_badge)}</span>
                    <textarea id="plan-objection-text" rows="2" prop:value=internal_text on:input=move |ev| internal_text.set(event_target_value(&ev))></textarea>
                    {form.err("internal_text")}</label>
                <label class="wide">{t!(i18n, plans.f_public_summary_label)}
                    <textarea id="plan-objection-summary" rows="2" prop:value=public_summary on:input=move |ev| public_summary.set(event_target_value(&ev))></textarea>
                    {form.err("public_summary")}</label>
                <button type="submit" class="primary" data-testid="plan-objection-submit">{t!(i18n, plans.record_objection)}</button>
            </form></WriteGuard>
            {form.view("plan-objection-msg")}
        </details>
    }
}

/// The response form of one unanswered objection.
#[component]
fn AnswerForm(ctx: PlanCtx, id: u32) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["on", "response"]);
    let on = RwSignal::new(today_text());
    let response = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Some(on) = date_of(i18n, &form, "on", &on.get_untracked()) else {
            form.refuse_fields(i18n);
            return;
        };
        let cmd = Command::AnswerObjection {
            id,
            on,
            response: response.get_untracked(),
        };
        ctx.run(form, cmd, || ());
    };
    view! {
        <WriteGuard><form class="req-form" on:submit=on_submit novalidate data-testid=format!("plan-answer-{id}")>
            {date_field(i18n, form, format!("plan-answer-{id}-on"), on)}
            <label class="wide">{t!(i18n, plans.f_response_label)}
                <textarea id=format!("plan-answer-{id}-text") rows="2" prop:value=response on:input=move |ev| response.set(event_target_value(&ev))></textarea>
                {form.err("response")}</label>
            <button type="submit" class="primary" data-testid=format!("plan-answer-{id}-submit")>{t!(i18n, plans.answer)}</button>
        </form></WriteGuard>
        {form.view("plan-answer-msg")}
    }
}

fn objection_row(ctx: PlanCtx, o: Objection, closed: bool) -> impl IntoView {
    let i18n = ctx.i18n;
    let id = o.id;
    view! {
        <li data-testid=format!("plan-objection-{id}") data-answered=o.response.is_some().to_string()>
            <p><strong>{format!("#{id} ")}</strong>{o.on.to_string()}" · "{channel_name(i18n, o.channel)}" · "{t_string!(i18n, plans.objection_notice, notice = o.notice)}</p>
            <p>{t!(i18n, plans.f_public_summary_label)}": "{o.public_summary.clone()}</p>
            <p class="muted">{t!(i18n, plans.f_internal_text_label)}<span class="badge warn">{t!(i18n, plans.internal_badge)}</span>": "{o.internal.text.clone()}</p>
            {match o.response.clone() {
                Some(r) => view! {
                    <p class="answered">{t_string!(i18n, plans.response_on, on = r.on)}" "{r.text}</p>
                }.into_any(),
                None if closed => view! { <p class="muted">{t!(i18n, plans.unanswered)}</p> }.into_any(),
                None => view! {
                    <p><span class="badge warn">{t!(i18n, plans.unanswered)}</span></p>
                    <AnswerForm ctx=ctx id=id/>
                }.into_any(),
            }}
        </li>
    }
}

#[component]
pub(super) fn ObjectionsView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let (list, closed, open) = ctx.plan.with(|p| {
            p.as_ref().map_or((Vec::new(), true, 0), |p| {
                (
                    p.objections().to_vec(),
                    p.stage() == Stage::Closed,
                    p.unanswered(),
                )
            })
        });
        view! {
            <section class="card" aria-labelledby="plan-objections-h" data-testid="plan-objections">
                <h2 id="plan-objections-h">{t!(i18n, plans.objections_heading)}</h2>
                <p class="muted" data-testid="plan-objections-count">{t_string!(i18n, plans.objections_count, count = list.len(), open = open)}</p>
                <ul class="plan-objections">{list.into_iter().map(|o| objection_row(ctx, o, closed)).collect_view()}</ul>
            </section>
        }
    }
}
