//! The working-day calendar: holidays and make-up working days, one date per
//! line (2026 official, later years provisional).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::requests::calendar::{CalendarError, WorkCalendar, PROVISIONAL_YEARS};

use super::Current;
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::requests as store;
use crate::i18n::*;
use crate::state::use_storage;

#[component]
pub(super) fn CalendarView(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let holidays = RwSignal::new(None::<String>);
    let workdays = RwSignal::new(None::<String>);
    let msg: Msg = RwSignal::new(None);
    let cal = move || {
        current.with(|d| {
            d.as_ref()
                .map(|Shared(d)| d.calendar.clone().unwrap_or_default())
                .unwrap_or_default()
        })
    };
    let text_of = move |sig: RwSignal<Option<String>>, hol: bool| {
        move || {
            sig.get().unwrap_or_else(|| {
                let c = cal();
                if hol {
                    c.holidays.join("\n")
                } else {
                    c.workdays.join("\n")
                }
            })
        }
    };
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let cal = match WorkCalendar::from_lines(&text_of(holidays, true)(), &text_of(workdays, false)()) {
            Ok(c) => c,
            Err(e) => {
                let text = match e {
                    CalendarError::BadDate(d) => format!("{}{d}", t_string!(i18n, requests.err_cal_date)),
                    CalendarError::Both(d) => format!("{}{d}", t_string!(i18n, requests.err_cal_both)),
                    other => other.to_string(),
                };
                say(msg, Err(text));
                return;
            }
        };
        let Some(db) = storage.db() else { return };
        spawn_local(async move {
            match store::save_calendar(&db, &cal, session.actor(), crate::browser::now_millis()).await {
                Ok(()) => {
                    holidays.set(None);
                    workdays.set(None);
                    say(msg, Ok(t_string!(i18n, requests.calendar_saved).to_owned()));
                    storage.changed();
                }
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="req-cal-h">
            <details>
                <summary><h2 id="req-cal-h" class="inline">{t!(i18n, requests.calendar_heading)}</h2></summary>
                <p class="muted small">{move || {
                    let years = PROVISIONAL_YEARS.iter().map(ToString::to_string).collect::<Vec<_>>().join(t_string!(i18n, common.sep_list));
                    t_string!(i18n, requests.calendar_note, years = years)
                }}</p>
                <WriteGuard><form class="req-form cal-form" on:submit=on_save novalidate data-testid="req-calendar">
                    <label>{t!(i18n, requests.holidays)}
                        <textarea id="cal-holidays" rows="8" prop:value=text_of(holidays, true) on:input=move |ev| holidays.set(Some(event_target_value(&ev)))></textarea></label>
                    <label>{t!(i18n, requests.workdays)}
                        <textarea id="cal-workdays" rows="8" prop:value=text_of(workdays, false) on:input=move |ev| workdays.set(Some(event_target_value(&ev)))></textarea></label>
                    <button type="submit">{t!(i18n, requests.save_calendar)}</button>
                </form></WriteGuard>
                {msg_view(msg, "req-calendar-msg")}
            </details>
        </section>
    }
}
