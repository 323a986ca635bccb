//! Activities and meetings: the form (title, date, channel, hours, attendance)
//! and the most recent activities.

use linli_domain::order::SortDyn;
use std::collections::BTreeSet;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::model::Activity;
use linli_domain::participation::rates::{
    self, parse_attendance, parse_hours_tenths, ActivityError, CHANNELS,
};

use super::{channel_name, Ctx, Current};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::participation as store;
use crate::i18n::*;
use crate::state::use_storage;

fn activity_error(i18n: Ctx, e: &ActivityError) -> String {
    match e {
        ActivityError::NoTitle => t_string!(i18n, participation.err_no_title).to_owned(),
        ActivityError::BadDate => t_string!(i18n, participation.err_bad_date).to_owned(),
        ActivityError::BadHours => t_string!(i18n, participation.err_bad_hours).to_owned(),
        ActivityError::UnknownHousehold(h) => {
            t_string!(i18n, participation.err_household_not_in_register, household = h)
        }
    }
}

#[component]
pub(super) fn ActivitiesView(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let title = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let channel = RwSignal::new(0usize);
    let hours = RwSignal::new("1.5".to_owned());
    let attendance = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let Some(hours_tenths) = parse_hours_tenths(&hours.get_untracked()) else {
            say(
                msg,
                Err(t_string!(i18n, participation.err_hours_format).to_owned()),
            );
            return;
        };
        let ids = match parse_attendance(&attendance.get_untracked()) {
            Ok(ids) => ids,
            Err(t) => {
                say(
                    msg,
                    Err(format!("{}{t}", t_string!(i18n, participation.err_not_household))),
                );
                return;
            }
        };
        let known: BTreeSet<u32> = d.households.iter().map(|h| h.id).collect();
        let a = Activity {
            id: 0,
            date: date.get_untracked().trim().to_owned(),
            title: title.get_untracked(),
            channel: CHANNELS[channel.get_untracked().min(CHANNELS.len() - 1)],
            building_id: None,
            attendance: ids,
            hours_tenths,
        };
        let a = match rates::validate_activity(a, &known) {
            Ok(a) => a,
            Err(e) => {
                say(msg, Err(activity_error(i18n, &e)));
                return;
            }
        };
        let Some(db) = storage.db() else { return };
        spawn_local(async move {
            match store::add_activity(&db, a, session.actor(), crate::browser::now_millis()).await {
                Ok(id) => {
                    say(
                        msg,
                        Ok(format!("{}{id}", t_string!(i18n, participation.activity_saved))),
                    );
                    title.set(String::new());
                    attendance.set(String::new());
                    storage.changed();
                }
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    let recent = move || {
        current.get().map(|Shared(d)| {
            let mut list: Vec<Activity> = d.activities.clone();
            list.sort_by_dyn(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
            list.truncate(12);
            list
        })
    };
    view! {
        <section class="card" aria-labelledby="part-act-h">
            <h2 id="part-act-h">{t!(i18n, participation.activities_heading)}</h2>
            <WriteGuard><form class="part-form" on:submit=on_submit novalidate data-testid="part-activity-form">
                <label>{t!(i18n, participation.activity_title)}
                    <input id="act-title" type="text" prop:value=title on:input=move |ev| title.set(event_target_value(&ev))/></label>
                <label>{t!(i18n, participation.activity_date)}
                    <input id="act-date" type="date" prop:value=date on:input=move |ev| date.set(event_target_value(&ev))/></label>
                <label>{t!(i18n, participation.activity_channel)}
                    <select id="act-channel" on:change=move |ev| channel.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {CHANNELS.iter().enumerate().map(|(k, c)| { let c = *c; view! { <option value=k.to_string()>{move || channel_name(i18n, c)}</option> } }).collect_view()}
                    </select></label>
                <label>{t!(i18n, participation.activity_hours)}
                    <input id="act-hours" type="text" inputmode="decimal" prop:value=hours on:input=move |ev| hours.set(event_target_value(&ev))/></label>
                <label class="wide">{t!(i18n, participation.activity_attendance)}
                    <input id="act-attendance" type="text" prop:value=attendance on:input=move |ev| attendance.set(event_target_value(&ev))/></label>
                <button type="submit" class="primary">{t!(i18n, participation.save_activity)}</button>
            </form></WriteGuard>
            {msg_view(msg, "part-activity-msg")}
            {move || recent().map(|list| if list.is_empty() {
                view! { <p class="empty">{t!(i18n, participation.no_activities)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="data" data-testid="part-activities">
                        <caption>{t!(i18n, participation.recent_activities)}</caption>
                        <thead><tr>
                            <th scope="col" class="num">{t!(i18n, participation.col_number)}</th>
                            <th scope="col">{t!(i18n, participation.activity_date)}</th>
                            <th scope="col">{t!(i18n, participation.activity_title)}</th>
                            <th scope="col">{t!(i18n, participation.activity_channel)}</th>
                            <th scope="col" class="num">{t!(i18n, participation.col_attended)}</th>
                            <th scope="col" class="num">{t!(i18n, participation.col_hours)}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|a| view! {
                            <tr>
                                <td class="num">{a.id}</td><td>{a.date.clone()}</td><td>{a.title.clone()}</td>
                                <td>{channel_name(i18n, a.channel)}</td>
                                <td class="num">{a.attendance.len()}</td>
                                <td class="num">{format!("{}.{}", a.hours_tenths / 10, a.hours_tenths % 10)}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            })}
        </section>
    }
}
