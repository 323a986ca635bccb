//! Resident intake (issue #18): the community's intake keys (create, rotate, delete
//! a retired one) and taking in a payload a resident sealed on the phone (paste or
//! text file → open and show for confirmation → take in, one transaction).
//!
//! What residents wrote (description, contact, comment) is shown as text only.

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::intake::{self, Body, Identity, IntakeError, IntakeKeys, IntakeOutcome, KeysError, Opened};
use linli_domain::requests::calendar::local_datetime;

use super::{request_error, status_name, Ctx, Current};
use crate::browser::{now_millis, random_bytes};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::requests::{self as store, PayloadTaken};
use crate::i18n::*;
use crate::state::{use_session, use_storage};

/// A refused payload in plain words, one message per [`IntakeError::code`].
fn intake_error(i18n: Ctx, e: &IntakeError) -> String {
    match e {
        IntakeError::TooLarge => t_string!(i18n, requests.intake_err_too_large).to_owned(),
        IntakeError::Malformed(_) => t_string!(i18n, requests.intake_err_malformed).to_owned(),
        IntakeError::Truncated => t_string!(i18n, requests.intake_err_truncated).to_owned(),
        IntakeError::Damaged => t_string!(i18n, requests.intake_err_damaged).to_owned(),
        IntakeError::NoKeys => t_string!(i18n, requests.intake_err_no_keys).to_owned(),
        IntakeError::NoKey => t_string!(i18n, requests.intake_err_no_key).to_owned(),
        IntakeError::Format(_) => t_string!(i18n, requests.intake_err_format).to_owned(),
        IntakeError::Newer { found } => t_string!(i18n, requests.intake_err_newer, found = *found),
        IntakeError::Invalid { field, .. } => t_string!(i18n, requests.intake_err_invalid, field = *field),
        IntakeError::WrongCommunity { found } => {
            t_string!(i18n, requests.intake_err_wrong_community, found = found.clone())
        }
        IntakeError::CodeTaken => t_string!(i18n, requests.intake_err_code_taken).to_owned(),
        IntakeError::UnknownCode => t_string!(i18n, requests.intake_err_unknown_code).to_owned(),
        IntakeError::NotRateable { status } => {
            t_string!(
                i18n,
                requests.intake_err_not_rateable,
                status = status_name(i18n, *status)
            )
        }
        IntakeError::Refused(e) => format!(
            "{}{}",
            t_string!(i18n, requests.intake_err_refused),
            request_error(i18n, e)
        ),
    }
}

fn keys_error(i18n: Ctx, e: &KeysError) -> String {
    match e {
        KeysError::Key(_) => t_string!(i18n, requests.intake_keys_err_bad).to_owned(),
        KeysError::Reused => t_string!(i18n, requests.intake_keys_err_reused).to_owned(),
        KeysError::NoSuchRetired(id) => t_string!(i18n, requests.intake_keys_err_no_such, id = *id),
    }
}

/// The community's intake keys: the current public key (copyable), creating or
/// rotating (with confirmation), the retired keys and deleting one (confirmed).
#[component]
pub(super) fn IntakeKeysView(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let storage = use_storage();
    let msg: Msg = RwSignal::new(None);
    let confirm_rotate = RwSignal::new(false);
    let confirm_delete = RwSignal::new(None::<u32>);
    let keys = move || {
        current.with(|d| {
            d.as_ref()
                .map(|Shared(d)| (d.intake_keys.clone(), d.community.clone()))
        })
    };
    let rotate = move || {
        confirm_rotate.set(false);
        let Some(db) = storage.db() else { return };
        let secret = Identity::from_bytes(random_bytes::<32>()).secret_string();
        let day: String = local_datetime(now_millis()).chars().take(10).collect();
        spawn_local(async move {
            let change = move |k: &IntakeKeys| {
                let next = k.rotate(&secret, &day)?;
                let id = next.current.as_ref().map_or(0, |c| c.id);
                let public = next.public_key().unwrap_or_default().to_owned();
                Ok((next, format!("key {id} created ({public})")))
            };
            match store::change_intake_keys(&db, change, now_millis(), session.actor()).await {
                Ok(Ok(_)) => {
                    say(msg, Ok(t_string!(i18n, requests.intake_keys_made).to_owned()));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(keys_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    let delete = move |id: u32| {
        confirm_delete.set(None);
        let Some(db) = storage.db() else { return };
        spawn_local(async move {
            let change =
                move |k: &IntakeKeys| Ok((k.delete_retired(id)?, format!("retired key {id} deleted")));
            match store::change_intake_keys(&db, change, now_millis(), session.actor()).await {
                Ok(Ok(_)) => {
                    say(msg, Ok(t_string!(i18n, requests.intake_keys_deleted, id = id)));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(keys_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="intake-keys-h" data-testid="intake-keys">
            <h2 id="intake-keys-h">{t!(i18n, requests.intake_keys_heading)}</h2>
            <p class="muted">{t!(i18n, requests.intake_keys_lead)}</p>
            {move || keys().map(|(k, community)| match k {
                Err(e) => view! { <p class="field-error" role="alert">{t!(i18n, requests.intake_keys_broken)}" "{e}</p> }.into_any(),
                Ok(k) => {
                    let has_current = k.current.is_some();
                    let retired = k.retired.clone();
                    view! {
                        <dl class="req-facts">
                            <dt>{t!(i18n, requests.intake_community)}</dt>
                            <dd><code data-testid="intake-community">{community}</code></dd>
                            <dt>{t!(i18n, requests.intake_public_key)}</dt>
                            <dd>{match k.current.clone() {
                                Some(c) => {
                                    let public = c.public.clone();
                                    view! {
                                        <code class="key" data-testid="intake-public-key">{c.public.clone()}</code>" "
                                        <button type="button" class="small" on:click=move |_| {
                                            if crate::browser::copy_text(&public) {
                                                say(msg, Ok(t_string!(i18n, requests.intake_copied).to_owned()));
                                            }
                                        }>{t!(i18n, requests.intake_copy)}</button>
                                        <span class="muted">" "{t_string!(i18n, requests.intake_key_made_on, id = c.id, day = c.created.clone())}</span>
                                    }.into_any()
                                }
                                None => view! { <span data-testid="intake-no-key">{t!(i18n, requests.intake_no_key)}</span> }.into_any(),
                            }}</dd>
                        </dl>
                        <WriteGuard>
                            <button type="button" data-testid="intake-rotate" on:click=move |_| {
                                if has_current { confirm_rotate.set(true) } else { rotate() }
                            }>{if has_current { t_string!(i18n, requests.intake_rotate) } else { t_string!(i18n, requests.intake_create) }}</button>
                            {move || confirm_rotate.get().then(|| view! {
                                <div class="confirm" role="alertdialog" aria-modal="false" aria-labelledby="intake-rotate-q" data-testid="intake-rotate-confirm">
                                    <p id="intake-rotate-q">{t!(i18n, requests.intake_rotate_confirm)}</p>
                                    <button type="button" class="primary" data-testid="intake-rotate-yes" on:click=move |_| rotate()>{t!(i18n, requests.intake_rotate_yes)}</button>
                                    <button type="button" on:click=move |_| confirm_rotate.set(false)>{t!(i18n, requests.confirm_no)}</button>
                                </div>
                            })}
                            {(!retired.is_empty()).then(|| view! {
                                <h3>{t!(i18n, requests.intake_retired)}</h3>
                                <ul class="intake-retired" data-testid="intake-retired">{retired.into_iter().map(|r| {
                                    let id = r.id;
                                    view! {
                                        <li data-id=id.to_string()>
                                            {t_string!(i18n, requests.intake_key_made_on, id = id, day = r.created.clone())}" "
                                            <code class="key">{r.public.clone()}</code>" "
                                            <button type="button" class="small" on:click=move |_| confirm_delete.set(Some(id))>{t!(i18n, requests.intake_delete)}</button>
                                            {move || (confirm_delete.get() == Some(id)).then(|| view! {
                                                <div class="confirm" role="alertdialog" aria-modal="false" data-testid="intake-delete-confirm">
                                                    <p>{t!(i18n, requests.intake_delete_confirm)}</p>
                                                    <button type="button" class="primary" on:click=move |_| delete(id)>{t!(i18n, requests.intake_delete_yes)}</button>
                                                    <button type="button" on:click=move |_| confirm_delete.set(None)>{t!(i18n, requests.confirm_no)}</button>
                                                </div>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}</ul>
                            })}
                        </WriteGuard>
                    }.into_any()
                }
            })}
            {msg_view(msg, "intake-keys-msg")}
        </section>
    }
}

/// The opened submission, shown for confirmation (texts as text).
fn submission_view(i18n: Ctx, current: Current, o: &Opened) -> impl IntoView {
    let s = &o.submission;
    let code = s.code.display();
    let rows = match &s.body {
        Body::Request {
            category,
            description,
            urgency,
            contact,
        } => {
            let cat = current.with_untracked(|d| {
                d.as_ref()
                    .map_or_else(|| category.clone(), |Shared(d)| labels::category(i18n, &d.categories, category))
            });
            view! {
                <dt>{t!(i18n, requests.intake_kind)}</dt><dd data-testid="intake-kind">{t!(i18n, requests.intake_kind_request)}</dd>
                <dt>{t!(i18n, requests.category)}</dt><dd data-testid="intake-category">{cat}</dd>
                <dt>{t!(i18n, requests.description)}</dt><dd data-testid="intake-description" class="pre">{description.clone()}</dd>
                <dt>{t!(i18n, requests.intake_resident_urgency)}</dt><dd data-testid="intake-urgency">{labels::urgency(i18n, *urgency)}</dd>
                <dt>{t!(i18n, requests.intake_contact)}</dt><dd data-testid="intake-contact">{contact.clone().unwrap_or_else(|| t_string!(i18n, requests.intake_no_contact).to_owned())}</dd>
            }
            .into_any()
        }
        Body::Rating { rating, comment } => view! {
            <dt>{t!(i18n, requests.intake_kind)}</dt><dd data-testid="intake-kind">{t!(i18n, requests.intake_kind_rating)}</dd>
            <dt>{t!(i18n, requests.satisfaction)}</dt><dd data-testid="intake-rating">{format!("{rating} / 5")}</dd>
            <dt>{t!(i18n, requests.intake_comment)}</dt><dd data-testid="intake-comment" class="pre">{comment.clone().unwrap_or_default()}</dd>
        }
        .into_any(),
    };
    view! {
        <dl class="req-facts">
            {rows}
            <dt>{t!(i18n, requests.tracking_code)}</dt><dd><code data-testid="intake-code">{code}</code></dd>
        </dl>
    }
}

/// Taking in a resident's payload: paste or a text file → 解读 (open, show) → 确认接收.
#[component]
pub(super) fn ResidentIntakeView(current: Current, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let storage = use_storage();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let opened = RwSignal::new(None::<Opened>);
    let msg: Msg = RwSignal::new(None);
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        opened.set(None);
        error.set(None);
        if file.size() > intake::MAX_TEXT_BYTES as f64 {
            error.set(Some(intake_error(i18n, &IntakeError::TooLarge)));
            return;
        }
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(t) => text.set(t.as_string().unwrap_or_default()),
                Err(_) => error.set(Some(t_string!(i18n, requests.intake_err_file).to_owned())),
            }
        });
    };
    // A picture of the resident's QR code: read in the browser, then the same as pasted text.
    let on_image = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        opened.set(None);
        error.set(None);
        spawn_local(async move {
            match crate::qr_scan::read_file(&file).await {
                Ok(t) => text.set(t),
                Err(crate::qr_scan::ScanError::NotAnImage) => {
                    error.set(Some(t_string!(i18n, requests.intake_err_image).to_owned()));
                }
                Err(crate::qr_scan::ScanError::NoCode) => {
                    error.set(Some(t_string!(i18n, requests.intake_err_no_qr).to_owned()));
                }
            }
        });
    };
    let on_open = move |_| {
        msg.set(None);
        opened.set(None);
        error.set(None);
        let keys = current.with_untracked(|d| d.as_ref().map(|Shared(d)| d.intake_keys.clone()));
        let Some(keys) = keys else { return };
        let keys = match keys {
            Ok(k) => k,
            Err(e) => {
                error.set(Some(format!(
                    "{} {e}",
                    t_string!(i18n, requests.intake_keys_broken)
                )));
                return;
            }
        };
        match intake::open(text.get_untracked().as_bytes(), &keys) {
            Ok(o) => opened.set(Some(o)),
            Err(e) => error.set(Some(intake_error(i18n, &e))),
        }
    };
    let on_confirm = move |_| {
        let Some(o) = opened.get_untracked() else { return };
        let Some(db) = storage.db() else { return };
        let code = o.submission.code.display();
        spawn_local(async move {
            match store::take_in_payload(&db, o, now_millis(), session.actor()).await {
                Ok(Ok(PayloadTaken { outcome, opened_item })) => {
                    let said = match &outcome {
                        IntakeOutcome::Created(r) => t_string!(
                            i18n,
                            requests.intake_taken_in,
                            id = r.id,
                            code = code.clone(),
                            due = local_datetime(r.due_at - 60_000)
                        ),
                        IntakeOutcome::Rated { request, .. } => {
                            let mut s = t_string!(
                                i18n,
                                requests.intake_rated,
                                id = request.id,
                                rating = request.satisfaction.unwrap_or(0)
                            );
                            if opened_item {
                                s.push_str(t_string!(i18n, requests.item_opened));
                            }
                            s
                        }
                        IntakeOutcome::AlreadyTakenIn { id } => {
                            t_string!(i18n, requests.intake_already, id = *id)
                        }
                    };
                    let id = match &outcome {
                        IntakeOutcome::Created(r) | IntakeOutcome::Rated { request: r, .. } => r.id,
                        IntakeOutcome::AlreadyTakenIn { id } => *id,
                    };
                    say(msg, Ok(said));
                    opened.set(None);
                    text.set(String::new());
                    selected.set(Some(id));
                    if !outcome.is_replay() {
                        storage.changed();
                    }
                }
                Ok(Err(e)) => error.set(Some(intake_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="intake-resident-h" data-testid="intake-resident">
            <h2 id="intake-resident-h">{t!(i18n, requests.intake_resident_heading)}</h2>
            <p class="muted">{t!(i18n, requests.intake_resident_lead)}</p>
            <WriteGuard><div class="req-form">
                <label class="wide">{t!(i18n, requests.intake_paste)}
                    <textarea id="intake-text" rows="6" spellcheck="false" autocomplete="off"
                        aria-describedby="intake-error"
                        prop:value=text on:input=move |ev| { opened.set(None); error.set(None); text.set(event_target_value(&ev)); }></textarea>
                    {move || error.get().map(|m| view! { <span id="intake-error" class="field-error" role="alert" data-testid="intake-error">{m}</span> })}
                </label>
                <label>{t!(i18n, requests.intake_file)}
                    <input id="intake-file" type="file" accept=".txt,.age,text/plain" on:change=on_file/></label>
                <label>{t!(i18n, requests.intake_qr)}
                    <input id="intake-qr" type="file" accept="image/png,image/jpeg" on:change=on_image/></label>
                <button type="button" data-testid="intake-open" on:click=on_open>{t!(i18n, requests.intake_open)}</button>
                {move || opened.get().map(|o| view! {
                    <div class="confirm" role="region" aria-labelledby="intake-preview-h" data-testid="intake-preview">
                        <h3 id="intake-preview-h">{t!(i18n, requests.intake_preview_heading)}</h3>
                        {submission_view(i18n, current, &o)}
                        <button type="button" class="primary" data-testid="intake-confirm" on:click=on_confirm>{t!(i18n, requests.intake_confirm)}</button>
                        <button type="button" on:click=move |_| opened.set(None)>{t!(i18n, requests.confirm_no)}</button>
                    </div>
                })}
            </div></WriteGuard>
            {msg_view(msg, "intake-resident-msg")}
        </section>
    }
}
