//! One request: its facts, history and the status change (closing takes a
//! satisfaction rating).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::model::RequestStatus;
use linli_domain::requests::assignee::AssignError;
use linli_domain::requests::calendar::local_datetime;
use linli_domain::requests::lifecycle::next_statuses;
use linli_domain::requests::tracking::TrackingCode;

use super::{colour_class, colour_name, request_error, status_name, Current};
use crate::browser::now_millis;
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
    let msg: Msg = RwSignal::new(None);
    let assign_to = RwSignal::new(String::new());
    let assign_msg: Msg = RwSignal::new(None);
    Effect::new(move |_| {
        selected.track();
        assign_msg.set(None);
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let now = current.with(|d| {
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
    Effect::new(move |_| {
        selected.track();
        to.set(String::new());
        rating.set(String::new());
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let Some(target) = RequestStatus::from_code(&to.get_untracked()) else {
            say(msg, Err(t_string!(i18n, requests.err_no_status).to_owned()));
            return;
        };
        let rating_v = match rating.get_untracked().as_str() {
            "" => None,
            r => r.parse::<u8>().ok(),
        };
        let Some(db) = storage.db() else { return };
        let now = now_millis();
        spawn_local(async move {
            match store::move_status(&db, id, target, rating_v, now, session.actor()).await {
                Ok(Ok(moved)) => {
                    let mut text = format!(
                        "{}{}",
                        t_string!(i18n, requests.status_now),
                        status_name(i18n, moved.status)
                    );
                    if moved.opened_item {
                        text.push_str(t_string!(i18n, requests.item_opened));
                    }
                    say(msg, Ok(text));
                    to.set(String::new());
                    rating.set(String::new());
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(request_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
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
        Some(view! {
            <section class="card req-detail" aria-labelledby="req-detail-h" data-testid="req-detail">
                <h2 id="req-detail-h">{format!("{} #{id}", t_string!(i18n, requests.request))}</h2>
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
                    <li>{local_datetime(h.at)}" "{status_name(i18n, h.status)}</li>
                }).collect_view()}</ol>
                {if allowed.is_empty() {
                    view! { <p class="muted">{t!(i18n, requests.final_note)}</p> }.into_any()
                } else { ().into_any() }}
                <WriteGuard><form class="req-form" on:submit=on_submit novalidate data-testid="req-move">
                    <label>{t!(i18n, requests.new_status)}
                        <select id="req-to" on:change=move |ev| to.set(event_target_value(&ev))>
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
                    <button type="submit" class="primary">{t!(i18n, requests.update_status)}</button>
                </form></WriteGuard>
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
