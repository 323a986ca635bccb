//! One request: its facts, history and the status change (closing takes a
//! satisfaction rating).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::model::RequestStatus;
use linli_domain::requests::calendar::local_datetime;
use linli_domain::requests::lifecycle::next_statuses;
use linli_domain::requests::tracking::TrackingCode;

use super::{colour_class, colour_name, request_error, status_name, Current};
use crate::browser::now_millis;
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels;
use crate::components::loaded::Shared;
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
                    {r.satisfaction.map(|s| view! { <dt>{t!(i18n, requests.satisfaction)}</dt><dd>{format!("{s} / 5")}</dd> })}
                </dl>
                <h3>{t!(i18n, requests.history)}</h3>
                <ol class="req-history" data-testid="req-history">{r.history.iter().map(|h| view! {
                    <li>{local_datetime(h.at)}" "{status_name(i18n, h.status)}</li>
                }).collect_view()}</ol>
                {if allowed.is_empty() {
                    view! { <p class="muted">{t!(i18n, requests.final_note)}</p> }.into_any()
                } else { ().into_any() }}
                <form class="req-form" on:submit=on_submit novalidate data-testid="req-move">
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
                </form>
                {msg_view(msg, "req-move-msg")}
            </section>
        })
    }
}
