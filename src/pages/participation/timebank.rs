//! The time bank: services given and received, transfers to family, and the
//! accounts of the households that gave the most.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::order::SortDyn;
use linli_domain::participation::rates::parse_household;
use linli_domain::participation::timebank::{self, TimeBankError};

use super::{Ctx, Current};
use crate::browser::now_millis;
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::participation::{self as store, TimeGift};
use crate::i18n::*;
use crate::state::use_storage;

fn timebank_error(i18n: Ctx, e: &TimeBankError) -> String {
    match e {
        TimeBankError::SameHousehold => t_string!(i18n, participation.err_same_household).to_owned(),
        TimeBankError::BadMinutes => t_string!(i18n, participation.err_bad_minutes).to_owned(),
        TimeBankError::NoService => t_string!(i18n, participation.err_no_service).to_owned(),
        TimeBankError::InsufficientBalance { balance, minutes } => {
            t_string!(
                i18n,
                participation.err_insufficient_time,
                balance = balance,
                minutes = minutes
            )
        }
    }
}

#[component]
pub(super) fn TimeBankView(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let giver = RwSignal::new(String::new());
    let receiver = RwSignal::new(String::new());
    let minutes = RwSignal::new("60".to_owned());
    let service = RwSignal::new(String::new());
    let transfer = RwSignal::new(false);
    let msg: Msg = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let exists = |s: &str| parse_household(s).filter(|h| d.households.iter().any(|x| x.id == *h));
        let (Some(from), Some(to)) = (exists(&giver.get_untracked()), exists(&receiver.get_untracked()))
        else {
            say(
                msg,
                Err(t_string!(i18n, participation.err_two_households).to_owned()),
            );
            return;
        };
        let Ok(mins) = minutes.get_untracked().trim().parse::<u32>() else {
            say(msg, Err(timebank_error(i18n, &TimeBankError::BadMinutes)));
            return;
        };
        let gift = if transfer.get_untracked() {
            TimeGift::Transfer
        } else {
            TimeGift::Service(service.get_untracked())
        };
        let Some(db) = storage.db() else { return };
        let at = now_millis();
        spawn_local(async move {
            match store::record_time(&db, from, to, mins, gift, at, session.actor()).await {
                Ok(Ok(())) => {
                    say(msg, Ok(t_string!(i18n, participation.time_recorded).to_owned()));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(timebank_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="part-tb-h">
            <h2 id="part-tb-h">{t!(i18n, participation.timebank_heading)}</h2>
            <p class="muted small">{t!(i18n, participation.timebank_lead)}</p>
            <WriteGuard><form class="part-form" on:submit=on_submit novalidate data-testid="timebank-form">
                <label class="tick"><input type="checkbox" prop:checked=transfer on:change=move |ev| transfer.set(event_target_checked(&ev))/>{t!(i18n, participation.transfer_to_family)}</label>
                <label>{move || if transfer.get() { t_string!(i18n, participation.from_household) } else { t_string!(i18n, participation.giver_household) }}
                    <input id="tb-giver" type="text" inputmode="numeric" prop:value=giver on:input=move |ev| giver.set(event_target_value(&ev))/></label>
                <label>{move || if transfer.get() { t_string!(i18n, participation.family_household) } else { t_string!(i18n, participation.receiver_household) }}
                    <input id="tb-receiver" type="text" inputmode="numeric" prop:value=receiver on:input=move |ev| receiver.set(event_target_value(&ev))/></label>
                <label>{t!(i18n, participation.minutes)}
                    <input id="tb-minutes" type="text" inputmode="numeric" prop:value=minutes on:input=move |ev| minutes.set(event_target_value(&ev))/></label>
                {move || (!transfer.get()).then(|| view! {
                    <label>{t!(i18n, participation.service)}
                        <input id="tb-service" type="text" prop:value=service on:input=move |ev| service.set(event_target_value(&ev))/></label>
                })}
                <button type="submit" class="primary">{t!(i18n, participation.record)}</button>
            </form></WriteGuard>
            {msg_view(msg, "timebank-msg")}
            {move || current.get().map(|Shared(d)| {
                let acc = timebank::accounts(&d.timebank);
                if acc.is_empty() {
                    return view! { <p class="empty">{t!(i18n, participation.no_time_entries)}</p> }.into_any();
                }
                let mut rows: Vec<(u32, timebank::TimeAccount)> = acc.into_iter().collect();
                rows.sort_by_dyn(|a, b| b.1.given.cmp(&a.1.given).then(a.0.cmp(&b.0)));
                rows.truncate(12);
                let h = |m: u64| format!("{}.{}", m / 60, m % 60 * 10 / 60);
                view! {
                    <div class="table-wrap"><table class="data" data-testid="timebank-accounts">
                        <caption>{t!(i18n, participation.top_givers)}</caption>
                        <thead><tr>
                            <th scope="col" class="num">{t!(i18n, participation.col_household)}</th>
                            <th scope="col" class="num">{t!(i18n, participation.col_given)}</th>
                            <th scope="col" class="num">{t!(i18n, participation.col_received)}</th>
                            <th scope="col" class="num">{t!(i18n, participation.col_in)}</th>
                            <th scope="col" class="num">{t!(i18n, participation.col_out)}</th>
                            <th scope="col" class="num">{t!(i18n, participation.col_balance_min)}</th>
                        </tr></thead>
                        <tbody>{rows.into_iter().map(|(id, a)| view! {
                            <tr><td class="num">{id}</td><td class="num">{h(a.given)}</td><td class="num">{h(a.received)}</td>
                            <td class="num">{h(a.transferred_in)}</td><td class="num">{h(a.transferred_out)}</td><td class="num">{a.balance()}</td></tr>
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            })}
        </section>
    }
}
