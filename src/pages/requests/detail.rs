//! One request: its facts, history and the status change (closing takes a
//! satisfaction rating).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::model::RequestStatus;
use linli_domain::requests::assignee::AssignError;
use linli_domain::requests::calendar::local_datetime;
use linli_domain::requests::lifecycle::{
    advance_with, needs_assignee, needs_note, next_statuses, RequestError, Step, MAX_NOTE,
};
use linli_domain::requests::tracking::TrackingCode;

use super::{colour_class, colour_name, request_error, status_name, Current};
use crate::browser::{focus_after_draw, now_millis};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::requests as store;
use crate::i18n::*;
use crate::state::use_storage;

#[component]
pub(super) fn DetailView(current: Current, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let to = RwSignal::new(String::new());
    let rating = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let move_assignee = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let note_msg: Msg = RwSignal::new(None);
    let move_assignee_msg: Msg = RwSignal::new(None);
    // The status change awaiting confirmation (closing, rejecting).
    let confirming = RwSignal::new(None::<RequestStatus>);
    let assign_to = RwSignal::new(String::new());
    let assign_msg: Msg = RwSignal::new(None);
    Effect::new(move |_| {
        selected.track();
        assign_msg.set(None);
        let Some(id) = selected.get_untracked() else {
            return;
        };
        // Untracked: a reload after a write must not clear the message just said.
        let now = current.with_untracked(|d| {
            d.as_ref()
                .and_then(|Shared(d)| d.requests.iter().find(|r| r.id == id).map(|r| r.assignee.clone()))
        });
        assign_to.set(now.flatten().unwrap_or_default());
    });
    let on_assign = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let to = Some(assign_to.get_untracked()).filter(|s| !s.is_empty());
        let Some(db) = storage.db() else { return };
        spawn_local(async move {
            match store::set_assignee(&db, id, to, now_millis(), session.actor()).await {
                Ok(Ok(r)) => {
                    let name = r
                        .assignee
                        .unwrap_or_else(|| t_string!(i18n, requests.unassigned).to_owned());
                    say(
                        assign_msg,
                        Ok(format!("{}{name}", t_string!(i18n, requests.assigned_to))),
                    );
                    storage.changed();
                }
                Ok(Err(e)) => say(assign_msg, Err(assign_error(i18n, e.as_ref()))),
                Err(e) => say(assign_msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    let clear_move = move || {
        to.set(String::new());
        rating.set(String::new());
        note.set(String::new());
        move_assignee.set(String::new());
        note_msg.set(None);
        move_assignee_msg.set(None);
        confirming.set(None);
    };
    Effect::new(move |_| {
        selected.track();
        clear_move();
    });
    // Writes the change in `to` (after confirmation when it needs one).
    let write = move |target: RequestStatus| {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let rating_v = match rating.get_untracked().as_str() {
            "" => None,
            r => r.parse::<u8>().ok(),
        };
        let note_v = Some(note.get_untracked()).filter(|s| !s.trim().is_empty());
        let assignee_v = Some(move_assignee.get_untracked()).filter(|s| !s.is_empty());
        let Some(db) = storage.db() else { return };
        let now = now_millis();
        spawn_local(async move {
            match store::move_status(
                &db,
                id,
                target,
                store::StatusExtras {
                    rating: rating_v,
                    note: note_v,
                    assignee: assignee_v,
                },
                now,
                session.actor(),
            )
            .await
            {
                Ok(Ok(moved)) => {
                    let mut text = format!(
                        "{}{}",
                        t_string!(i18n, requests.status_now),
                        status_name(i18n, moved.status)
                    );
                    if moved.opened_item {
                        text.push_str(t_string!(i18n, requests.item_opened));
                    }
                    clear_move();
                    say(msg, Ok(text));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(request_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        note_msg.set(None);
        move_assignee_msg.set(None);
        confirming.set(None);
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let Some(target) = RequestStatus::from_code(&to.get_untracked()) else {
            say(msg, Err(t_string!(i18n, requests.err_no_status).to_owned()));
            return;
        };
        // The domain checks the change first (nothing is written): a missing
        // note or assignee is said next to its field.
        let req = current.with_untracked(|d| {
            d.as_ref()
                .and_then(|Shared(d)| d.requests.iter().find(|r| r.id == id).cloned())
        });
        if let Some(req) = req {
            let (n, a) = (note.get_untracked(), move_assignee.get_untracked());
            let rating_v = rating.get_untracked().parse::<u8>().ok();
            let step = Step {
                satisfaction: rating_v,
                note: Some(n.as_str()),
                assignee: Some(a.as_str()),
            };
            match advance_with(
                &req,
                target,
                &step,
                now_millis().max(req.history.last().map_or(0, |h| h.at)),
            ) {
                Err(e @ (RequestError::NoNote | RequestError::NoteTooLong)) => {
                    msg.set(None);
                    say(note_msg, Err(request_error(i18n, &e)));
                    focus_after_draw("#req-note");
                    return;
                }
                Err(e @ (RequestError::NoAssignee | RequestError::AssigneeTooLong)) => {
                    msg.set(None);
                    say(move_assignee_msg, Err(request_error(i18n, &e)));
                    focus_after_draw("#req-move-assignee");
                    return;
                }
                _ => {}
            }
        }
        if needs_note(target) {
            msg.set(None);
            confirming.set(Some(target));
            focus_after_draw("[data-testid=req-confirm-no]");
            return;
        }
        write(target);
    };
    let on_confirm = move |_| {
        if let Some(target) = confirming.get_untracked() {
            confirming.set(None);
            write(target);
            focus_after_draw("#req-to");
        }
    };
    let on_cancel = move || {
        confirming.set(None);
        say(msg, Ok(t_string!(i18n, requests.confirm_cancelled).to_owned()));
        focus_after_draw("#req-to");
    };
    move || {
        let id = selected.get()?;
        let Shared(d) = current.get()?;
        let r = d.requests.iter().find(|r| r.id == id)?.clone();
        let code =
            TrackingCode::parse(&r.tracking_code).map_or_else(|_| r.tracking_code.clone(), |c| c.display());
        // Every status is offered (going back included): the domain refuses, with a message.
        let options = RequestStatus::ALL;
        let allowed = next_statuses(r.status);
        let names_for_move = assignee_names(session, r.assignee.as_deref());
        Some(view! {
            <section class="card req-detail" aria-labelledby="req-detail-h" data-testid="req-detail">
                <h2 id="req-detail-h" tabindex="-1">{format!("{} #{id}", t_string!(i18n, requests.request))}</h2>
                <dl class="req-facts">
                    <dt>{t!(i18n, requests.tracking_code)}</dt><dd><code data-testid="req-code">{code}</code></dd>
                    <dt>{t!(i18n, requests.category)}</dt><dd>{labels::category(i18n, &d.categories, &r.category)}</dd>
                    <dt>{t!(i18n, requests.col_colour)}</dt><dd><span class=colour_class(r.colour) aria-hidden="true"></span>{colour_name(i18n, r.colour)}</dd>
                    <dt>{t!(i18n, requests.col_received)}</dt><dd>{local_datetime(r.received_at)}</dd>
                    <dt>{t!(i18n, requests.col_due)}</dt><dd data-testid="req-due">{local_datetime(r.due_at - 60_000)}</dd>
                    <dt>{t!(i18n, requests.col_status)}</dt><dd data-testid="req-status">{status_name(i18n, r.status)}</dd>
                    <dt>{t!(i18n, requests.detail_description)}</dt><dd>{r.description.clone()}</dd>
                    <dt>{t!(i18n, requests.assignee)}</dt><dd data-testid="req-assignee">{r.assignee.clone().unwrap_or_else(|| t_string!(i18n, requests.unassigned).to_owned())}</dd>
                    {r.satisfaction.map(|s| view! { <dt>{t!(i18n, requests.satisfaction)}</dt><dd>{format!("{s} / 5")}</dd> })}
                </dl>
                <h3>{t!(i18n, requests.history)}</h3>
                <ol class="req-history" data-testid="req-history">{r.history.iter().map(|h| view! {
                    <li>{local_datetime(h.at)}" "{status_name(i18n, h.status)}
                        {h.note.clone().map(|n| view! { <span class="req-note">{t!(i18n, requests.history_note)}<span data-testid="req-history-note">{n}</span></span> })}</li>
                }).collect_view()}</ol>
                {if allowed.is_empty() {
                    view! { <p class="muted">{t!(i18n, requests.final_note)}</p> }.into_any()
                } else { ().into_any() }}
                <WriteGuard><form class="req-form" on:submit=on_submit novalidate data-testid="req-move">
                    <label>{t!(i18n, requests.new_status)}
                        <select id="req-to" on:change=move |ev| { confirming.set(None); to.set(event_target_value(&ev)); }>
                            <option value="">{t!(i18n, requests.choose)}</option>
                            {options.into_iter().map(|s| view! { <option value=s.code()>{status_name(i18n, s)}</option> }).collect_view()}
                        </select></label>
                    {move || (RequestStatus::from_code(&to.get()) == Some(RequestStatus::Closed)).then(|| view! {
                        <label>{t!(i18n, requests.rating_label)}
                            <select id="req-rating" on:change=move |ev| rating.set(event_target_value(&ev))>
                                <option value="">{t!(i18n, requests.not_rated)}</option>
                                {(1..=5).rev().map(|k| view! { <option value=k.to_string()>{k.to_string()}</option> }).collect_view()}
                            </select></label>
                    })}
                    {move || RequestStatus::from_code(&to.get()).is_some_and(needs_assignee).then(|| {
                        let names = names_for_move.clone();
                        view! {
                            <div class="field">
                                <label for="req-move-assignee">{t!(i18n, requests.move_assignee_label)}</label>
                                <select id="req-move-assignee" aria-describedby="req-move-assignee-msg-at" on:change=move |ev| move_assignee.set(event_target_value(&ev))>
                                    <option value="">{t!(i18n, requests.choose_guide)}</option>
                                    {names.into_iter().map(|n| {
                                        let (v, label) = (n.clone(), n.clone());
                                        view! { <option value=n selected=move || move_assignee.with(|a| *a == v)>{label}</option> }
                                    }).collect_view()}
                                </select>
                                <div id="req-move-assignee-msg-at">{msg_view(move_assignee_msg, "req-move-assignee-msg")}</div>
                            </div>
                        }
                    })}
                    {move || RequestStatus::from_code(&to.get()).map(|s| {
                        let label = if needs_note(s) {
                            t_string!(i18n, requests.note_required_label)
                        } else {
                            t_string!(i18n, requests.note_optional_label)
                        };
                        view! {
                            <div class="field">
                                <label for="req-note">{label}</label>
                                <textarea id="req-note" rows="3" maxlength=(MAX_NOTE + 100).to_string() aria-describedby="req-note-msg-at req-note-hint"
                                    aria-invalid=move || note_msg.with(|m| matches!(m, Some((_, Err(_))))).to_string()
                                    prop:value=move || note.get() on:input=move |ev| { confirming.set(None); note.set(event_target_value(&ev)); }></textarea>
                                <p class="muted small" id="req-note-hint">{t_string!(i18n, requests.note_hint, max = MAX_NOTE)}</p>
                                <div id="req-note-msg-at">{msg_view(note_msg, "req-note-msg")}</div>
                            </div>
                        }
                    })}
                    <button type="submit" class="primary">{t!(i18n, requests.update_status)}</button>
                </form></WriteGuard>
                {move || confirming.get().map(|target| {
                    let what = t_string!(i18n, requests.confirm_text, id = id, status = status_name(i18n, target));
                    let note_text = note.get_untracked().trim().to_owned();
                    view! {
                        <div class="confirm" role="alertdialog" aria-modal="false" aria-labelledby="req-confirm-h" aria-describedby="req-confirm-d"
                            data-testid="req-confirm"
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.prevent_default(); on_cancel(); }>
                            <h3 id="req-confirm-h">{t!(i18n, requests.confirm_heading)}</h3>
                            <div id="req-confirm-d">
                                <p>{what}</p>
                                <p>{t!(i18n, requests.confirm_note)}<q data-testid="req-confirm-note">{note_text}</q></p>
                                <p>{t!(i18n, requests.confirm_final)}</p>
                            </div>
                            <div class="actions">
                                <button type="button" class="primary" data-testid="req-confirm-yes" on:click=on_confirm>{t!(i18n, requests.confirm_yes)}</button>
                                <button type="button" data-testid="req-confirm-no" on:click=move |_| on_cancel()>{t!(i18n, requests.confirm_no)}</button>
                            </div>
                        </div>
                    }
                })}
                {msg_view(msg, "req-move-msg")}
                <WriteGuard><form class="req-form" on:submit=on_assign novalidate data-testid="req-assign">
                    <label>{t!(i18n, requests.assignee)}
                        <select id="req-assignee" on:change=move |ev| assign_to.set(event_target_value(&ev))>
                            <option value="" selected=move || assign_to.get().is_empty()>{t!(i18n, requests.unassigned)}</option>
                            {assignee_names(session, r.assignee.as_deref()).into_iter().map(|n| {
                                let (v, label) = (n.clone(), n.clone());
                                view! { <option value=n selected=move || assign_to.with(|a| *a == v)>{label}</option> }
                            }).collect_view()}
                        </select></label>
                    <button type="submit">{t!(i18n, requests.assign)}</button>
                </form></WriteGuard>
                {msg_view(assign_msg, "req-assign-msg")}
            </section>
        })
    }
}

/// The names offered as assignees: the roster's guides, and the request's
/// current assignee when they are no longer on it.
pub(super) fn assignee_names(session: crate::state::Session, current: Option<&str>) -> Vec<String> {
    let mut names: Vec<String> = session
        .roster
        .with(|r| r.iter().map(|g| g.name.clone()).collect());
    if let Some(c) = current {
        if !names.iter().any(|n| n == c) {
            names.push(c.to_owned());
        }
    }
    names
}

fn assign_error(i18n: leptos_i18n::I18nContext<Locale>, e: Option<&AssignError>) -> String {
    match e {
        None => t_string!(i18n, requests.err_no_request).to_owned(),
        Some(AssignError::Unchanged) => t_string!(i18n, requests.err_assign_unchanged).to_owned(),
        Some(AssignError::TooLong) => t_string!(i18n, requests.err_assign_too_long).to_owned(),
    }
}
