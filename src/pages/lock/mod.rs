//! The lock screen: shown instead of every view while a passphrase is set and
//! the data key is not in memory. It shows nothing personal: only the guides'
//! names (to choose who unlocks) and the forms.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::vault_text::fail_text;
use crate::i18n::*;
use crate::state::use_session;

/// The lock screen.
#[component]
pub fn LockPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let chosen = RwSignal::new(None::<u32>);
    let pass = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let recovering = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let new_pass = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());

    let guide_id = move || {
        chosen
            .get()
            .or_else(|| session.roster.with(|r| r.first().map(|g| g.id)))
    };

    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = guide_id() else { return };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let p = pass.get_untracked();
        spawn_local(async move {
            let r = session.unlock(id, p).await;
            busy.set(false);
            match r {
                Ok(()) => pass.set(String::new()),
                Err(e) => error.set(Some(fail_text(i18n, &e))),
            }
        });
    };

    let recover = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = guide_id() else { return };
        if busy.get_untracked() {
            return;
        }
        if new_pass.get_untracked() != confirm.get_untracked() {
            error.set(Some(t_string!(i18n, lock.err_mismatch).to_string()));
            return;
        }
        busy.set(true);
        error.set(None);
        let name = session
            .roster
            .with_untracked(|r| r.iter().find(|g| g.id == id).map(|g| g.name.clone()))
            .unwrap_or_default();
        let summary = t_string!(i18n, lock.audit_recover, name = name).to_string();
        let (c, p) = (code.get_untracked(), new_pass.get_untracked());
        spawn_local(async move {
            let r = session.recover(c, id, p, summary).await;
            busy.set(false);
            match r {
                Ok(()) => {
                    code.set(String::new());
                    new_pass.set(String::new());
                    confirm.set(String::new());
                }
                Err(e) => error.set(Some(fail_text(i18n, &e))),
            }
        });
    };

    let guide_select = move || {
        view! {
            <label for="lock-guide">{t!(i18n, lock.guide_label)}</label>
            <select id="lock-guide" data-testid="lock-guide"
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                {move || session.roster.get().into_iter().map(|g| {
                    let id = g.id;
                    view! { <option value=id.to_string() selected=move || guide_id() == Some(id)>{g.name}</option> }
                }).collect_view()}
            </select>
        }
    };

    let error_view = move || {
        error
            .get()
            .map(|e| view! { <p class="error" role="alert" id="lock-error" data-testid="lock-error">{e}</p> })
    };

    view! {
        <section class="lock" aria-labelledby="lock-h" data-testid="lock-screen">
            <h1 id="lock-h">{t!(i18n, lock.title)}</h1>
            <Show when=move || !recovering.get()
                fallback=move || view! {
                    <form class="lock-form" on:submit=recover data-testid="recover-form">
                        {guide_select}
                        <label for="lock-code">{t!(i18n, lock.recovery_label)}</label>
                        <input id="lock-code" data-testid="recover-code" autocomplete="off" spellcheck="false"
                            prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                        <label for="lock-new">{t!(i18n, lock.new_passphrase)}</label>
                        <input id="lock-new" type="password" autocomplete="new-password" data-testid="recover-pass"
                            prop:value=move || new_pass.get() on:input=move |ev| new_pass.set(event_target_value(&ev))/>
                        <label for="lock-confirm">{t!(i18n, lock.confirm_passphrase)}</label>
                        <input id="lock-confirm" type="password" autocomplete="new-password" data-testid="recover-confirm"
                            prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/>
                        {error_view}
                        <button type="submit" disabled=move || busy.get()>{t!(i18n, lock.recover)}</button>
                        <button type="button" class="link" on:click=move |_| { recovering.set(false); error.set(None); }>
                            {t!(i18n, lock.back_to_unlock)}
                        </button>
                    </form>
                }>
                <p>{t!(i18n, lock.intro)}</p>
                <form class="lock-form" on:submit=unlock data-testid="unlock-form">
                    {guide_select}
                    <label for="lock-pass">{t!(i18n, lock.passphrase_label)}</label>
                    <input id="lock-pass" type="password" autocomplete="current-password" data-testid="unlock-pass"
                        aria-describedby="lock-error" autofocus=true
                        aria-invalid=move || error.get().is_some().then_some("true")
                        prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev))/>
                    {error_view}
                    <button type="submit" data-testid="unlock" disabled=move || busy.get()>{t!(i18n, lock.unlock)}</button>
                    <button type="button" class="link" on:click=move |_| { recovering.set(true); error.set(None); }>
                        {t!(i18n, lock.forgot)}
                    </button>
                </form>
            </Show>
            <Show when=move || busy.get()>
                <p class="banner info" role="status" aria-live="polite" data-testid="unlocking">
                    <span class="spinner" aria-hidden="true"></span>{t!(i18n, lock.unlocking)}
                </p>
            </Show>
            <p class="hint">{t!(i18n, lock.loss_warning)}</p>
        </section>
    }
}
