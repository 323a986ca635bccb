//! Taking a request in (household, category, urgency, description, duplicate
//! suggestions) and finding one by its tracking code.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::model::RequestColour;
use linli_domain::requests::calendar::local_datetime;
use linli_domain::requests::duplicates::{suggest, DuplicateRule};
use linli_domain::requests::lifecycle::{intake, RequestError};
use linli_domain::requests::tracking::{CodeError, TrackingCode, RANDOM_BYTES};
use wasm_bindgen::{JsCast, JsValue};

use super::{colour_class, colour_name, request_error, status_name, Ctx, Current};
use crate::browser::now_millis;
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::requests::{self as store, NewRequest};
use crate::i18n::*;
use crate::state::use_storage;

fn code_error(i18n: Ctx, e: &CodeError) -> String {
    match e {
        CodeError::Length(n) => t_string!(i18n, requests.err_code_length, n = n),
        CodeError::Character { ch, pos } => t_string!(i18n, requests.err_code_char, ch = ch, pos = pos),
        CodeError::Check => t_string!(i18n, requests.err_code_check).to_owned(),
    }
}

/// 80 random bits from the browser's `crypto.getRandomValues`.
fn random_bytes() -> Result<[u8; RANDOM_BYTES], JsValue> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    let f: js_sys::Function =
        js_sys::Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))?.dyn_into()?;
    let arr = js_sys::Uint8Array::new_with_length(RANDOM_BYTES as u32);
    f.call1(&crypto, &arr)?;
    let mut out = [0u8; RANDOM_BYTES];
    arr.copy_to(&mut out);
    Ok(out)
}

#[component]
pub(super) fn IntakeView(current: Current, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let household = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let colour = RwSignal::new(RequestColour::Yellow);
    let description = RwSignal::new(String::new());
    let field_err = RwSignal::new(None::<(&'static str, String)>);
    let msg: Msg = RwSignal::new(None);
    let err_for = move |f: &'static str| {
        move || {
            field_err
                .get()
                .filter(|(k, _)| *k == f)
                .map(|(_, m)| view! { <span class="field-error" role="alert">{m}</span> })
        }
    };
    let cat_value = move || {
        let c = category.get();
        if c.is_empty() {
            current
                .with(|d| {
                    d.as_ref()
                        .and_then(|Shared(d)| d.categories.first().map(|c| c.code.clone()))
                })
                .unwrap_or_default()
        } else {
            c
        }
    };
    let suggestions = Memo::new(move |_| {
        let text = description.get();
        if text.trim().chars().count() < 2 {
            return Vec::new();
        }
        let cat = cat_value();
        current.with(|d| {
            d.as_ref().map_or_else(Vec::new, |Shared(d)| {
                suggest(
                    &d.requests,
                    &cat,
                    &text,
                    now_millis(),
                    None,
                    &DuplicateRule::default(),
                )
                .into_iter()
                .filter_map(|s| {
                    d.requests
                        .iter()
                        .find(|r| r.id == s.id)
                        .map(|r| (r.clone(), s.similarity_pct))
                })
                .collect()
            })
        })
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        field_err.set(None);
        msg.set(None);
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let hh_text = household.get_untracked();
        let household_id = if hh_text.trim().is_empty() {
            None
        } else {
            match hh_text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|h| d.household_ids.contains(h))
            {
                Some(h) => Some(h),
                None => {
                    field_err.set(Some((
                        "household",
                        t_string!(i18n, requests.err_no_household).to_owned(),
                    )));
                    return;
                }
            }
        };
        let new = NewRequest {
            household_id,
            category: cat_value(),
            description: description.get_untracked(),
            colour: colour.get_untracked(),
        };
        let Ok(bytes) = random_bytes() else {
            say(msg, Err(t_string!(i18n, requests.err_no_random).to_owned()));
            return;
        };
        let code = TrackingCode::from_random(bytes);
        let now = now_millis();
        // Check the fields first (same rules as inside the transaction): messages go next to them.
        let cal = d.calendar.clone().unwrap_or_default();
        if let Err(e) = intake(&cal, 0, &code, &new.intake(), now) {
            let field = if matches!(e, RequestError::NoCategory) {
                "category"
            } else {
                "description"
            };
            field_err.set(Some((field, request_error(i18n, &e))));
            return;
        }
        let Some(db) = storage.db() else { return };
        spawn_local(async move {
            match store::take_in(&db, new, code, now, session.actor()).await {
                Ok(Ok(req)) => {
                    let code = TrackingCode::parse(&req.tracking_code)
                        .map(|c| c.display())
                        .unwrap_or_default();
                    let due = local_datetime(req.due_at - 60_000);
                    let text = format!(
                        "{} {}",
                        t_string!(i18n, requests.taken_in, code = code, due = due),
                        t_string!(i18n, requests.taken_in_lookup)
                    );
                    say(msg, Ok(text));
                    description.set(String::new());
                    selected.set(Some(req.id));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(request_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="req-intake-h">
            <h2 id="req-intake-h">{t!(i18n, requests.intake_heading)}</h2>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate data-testid="req-intake">
                <label>{t!(i18n, requests.household_optional)}
                    <input id="req-household" type="text" inputmode="numeric" prop:value=household on:input=move |ev| household.set(event_target_value(&ev))/>
                    {err_for("household")}</label>
                <label>{t!(i18n, requests.category)}
                    <select id="req-category" on:change=move |ev| category.set(event_target_value(&ev))>
                        {move || current.get().map(|Shared(d)| d.categories.iter().map(|c| view! {
                            <option value=c.code.clone() selected=category.get_untracked() == c.code>{labels::category(i18n, &d.categories, &c.code)}</option>
                        }).collect_view())}
                    </select>
                    {err_for("category")}</label>
                <fieldset class="colours">
                    <legend>{t!(i18n, requests.urgency)}</legend>
                    {RequestColour::ALL.into_iter().map(|c| view! {
                        <label class="tick"><input type="radio" name="req-colour" value=c.code() prop:checked=move || colour.get() == c on:change=move |_| colour.set(c)/>
                            <span class=colour_class(c) aria-hidden="true"></span>{move || colour_name(i18n, c)}</label>
                    }).collect_view()}
                </fieldset>
                <label class="wide">{t!(i18n, requests.description)}
                    <textarea id="req-description" rows="3" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    {err_for("description")}</label>
                {move || {
                    let s = suggestions.get();
                    (!s.is_empty()).then(|| view! {
                        <div class="dup-suggest" role="status" data-testid="req-duplicates">
                            <strong>{t!(i18n, requests.possible_duplicates)}</strong>
                            <ul>{s.into_iter().map(|(r, pct)| {
                                let id = r.id;
                                view! { <li><button type="button" class="link" on:click=move |_| selected.set(Some(id))>{format!("#{} ", r.id)}</button>{r.description.clone()}{t_string!(i18n, requests.dup_similarity, pct = pct, status = status_name(i18n, r.status)).to_string()}</li> }
                            }).collect_view()}</ul>
                        </div>
                    })
                }}
                <button type="submit" class="primary">{t!(i18n, requests.take_in)}</button>
            </form></WriteGuard>
            {msg_view(msg, "req-intake-msg")}
        </section>
    }
}

#[component]
pub(super) fn LookupView(current: Current, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match TrackingCode::parse(&text.get_untracked()) {
            Err(e) => say(msg, Err(code_error(i18n, &e))),
            Ok(code) => {
                let found = current.with_untracked(|d| {
                    d.as_ref().and_then(|Shared(d)| {
                        d.requests
                            .iter()
                            .find(|r| r.tracking_code == code.as_str())
                            .map(|r| r.id)
                    })
                });
                match found {
                    Some(id) => {
                        selected.set(Some(id));
                        say(
                            msg,
                            Ok(format!("{}{id}", t_string!(i18n, requests.found_request))),
                        );
                    }
                    None => say(msg, Err(t_string!(i18n, requests.err_code_unknown).to_owned())),
                }
            }
        }
    };
    view! {
        <section class="card" aria-labelledby="req-lookup-h">
            <h2 id="req-lookup-h">{t!(i18n, requests.lookup_heading)}</h2>
            <form class="req-form" on:submit=on_submit novalidate data-testid="req-lookup">
                <label>{t!(i18n, requests.tracking_code)}
                    <input id="req-code" type="text" autocomplete="off" spellcheck="false" prop:value=text on:input=move |ev| text.set(event_target_value(&ev))/></label>
                <button type="submit">{t!(i18n, requests.find)}</button>
            </form>
            {msg_view(msg, "req-lookup-msg")}
        </section>
    }
}
