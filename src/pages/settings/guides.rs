//! Guides and passphrases: set the first passphrase (sealing the data in
//! place), show the recovery code once, manage the roster (supervisors),
//! change one's own passphrase, and the auto-lock minutes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::vault::{Role, MIN_PASSPHRASE_CHARS};

use crate::components::vault_text::{fail_text, role_name};
use crate::i18n::*;
use crate::state::session::VaultFail;
use crate::state::{use_session, LockState};

/// A form's outcome line.
type Outcome = RwSignal<Option<Result<String, String>>>;

fn outcome_view(o: Outcome, testid: &'static str) -> impl IntoView {
    move || {
        o.get().map(|r| match r {
            Ok(t) => view! { <p class="ok" role="status" data-testid=testid>{t}</p> }.into_any(),
            Err(t) => view! { <p class="error" role="alert" data-testid=testid>{t}</p> }.into_any(),
        })
    }
}

/// An input whose id is also its test id, bound to `value` (passwords get the minimum
/// length).
pub(super) fn text_input(
    id: &'static str,
    kind: &'static str,
    value: RwSignal<String>,
    auto: &'static str,
) -> impl IntoView {
    view! {
        <input id=id type=kind data-testid=id autocomplete=auto minlength=if kind == "password" { MIN_PASSPHRASE_CHARS } else { 0 }
            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

/// The section (id `guides`).
#[component]
pub fn GuidesSection() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <section aria-labelledby="guides-h" id="guides" data-testid="guides">
            <h2 id="guides-h">{t!(i18n, lock.guides_title)}</h2>
            {move || match session.lock.get() {
                LockState::Demo => view! { <SetupForm/> }.into_any(),
                LockState::Unlocked => view! {
                    <RecoveryCodeBox/>
                    <Roster/>
                    <ChangePassphrase/>
                    <IdleMinutes/>
                }
                .into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
}

#[component]
fn SetupForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let name = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let out: Outcome = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        out.set(None);
        let summary = t_string!(i18n, lock.audit_setup).to_string();
        let (n, p, c) = (
            name.get_untracked(),
            pass.get_untracked(),
            confirm.get_untracked(),
        );
        spawn_local(async move {
            let r = session.set_first_passphrase(n, p, c, summary).await;
            busy.set(false);
            if let Err(e) = r {
                out.set(Some(Err(fail_text(i18n, &e))));
            }
        });
    };
    view! {
        <p>{t!(i18n, lock.setup_intro)}</p>
        <form class="form" on:submit=submit data-testid="setup-form">
            <label for="setup-name">{t!(i18n, lock.your_name)}</label>
            {text_input("setup-name", "text", name, "name")}
            <label for="setup-pass">{t!(i18n, lock.new_passphrase)}</label>
            {text_input("setup-pass", "password", pass, "new-password")}
            <label for="setup-confirm">{t!(i18n, lock.confirm_passphrase)}</label>
            {text_input("setup-confirm", "password", confirm, "new-password")}
            {outcome_view(out, "setup-msg")}
            <button type="submit" data-testid="setup-submit" disabled=move || busy.get()>{t!(i18n, lock.set_passphrase)}</button>
            <Show when=move || busy.get()>
                <p role="status" data-testid="setup-working"><span class="spinner" aria-hidden="true"></span>{t!(i18n, lock.setting_up)}</p>
            </Show>
        </form>
        <p class="hint">{t!(i18n, lock.loss_warning)}</p>
    }
}

#[component]
fn RecoveryCodeBox() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    move || {
        session.fresh_recovery.get().map(|code| {
            view! {
                <div class="recovery" role="region" aria-labelledby="recovery-h" data-testid="recovery-box">
                    <h3 id="recovery-h">{t!(i18n, lock.recovery_title)}</h3>
                    <p>{t!(i18n, lock.recovery_intro)}</p>
                    <p class="recovery-code" data-testid="recovery-code"><code>{code}</code></p>
                    <div class="actions">
                        <button type="button" on:click=move |_| { let _ = window().print(); }>{t!(i18n, lock.print)}</button>
                        <button type="button" data-testid="recovery-kept"
                            on:click=move |_| session.fresh_recovery.set(None)>{t!(i18n, lock.recovery_kept)}</button>
                    </div>
                </div>
            }
        })
    }
}

fn role_options(i18n: leptos_i18n::I18nContext<Locale>, current: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.code() selected=r == current>{role_name(i18n, r)}</option> })
        .collect_view()
}

#[component]
fn Roster() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let out: Outcome = RwSignal::new(None);
    let removing = RwSignal::new(None::<(u32, String)>);
    let busy = RwSignal::new(false);
    let run = move |f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), VaultFail>>>>,
                    ok: String| {
        busy.set(true);
        out.set(None);
        spawn_local(async move {
            let r = f.await;
            busy.set(false);
            out.set(Some(r.map(|()| ok).map_err(|e| fail_text(i18n, &e))));
        });
    };
    let me = move || session.guide.with(|g| g.as_ref().map(|g| g.id));
    let rows = move || {
        session
            .roster
            .get()
            .into_iter()
            .map(|g| {
                let (id, name) = (g.id, g.name.clone());
                let name_for_role = name.clone();
                let on_role = move |ev: leptos::ev::Event| {
                    let Some(role) = Role::from_code(&event_target_value(&ev)) else { return };
                    let summary =
                        t_string!(i18n, lock.audit_role, name = name_for_role.clone(), role = role_name(i18n, role))
                            .to_string();
                    run(
                        Box::pin(session.set_role(id, role, summary)),
                        t_string!(i18n, lock.role_changed).to_string(),
                    );
                };
                let name_for_remove = name.clone();
                view! {
                    <tr data-testid="guide-row">
                        <td>{name.clone()}{move || (me() == Some(id)).then(|| t_string!(i18n, lock.you).to_string())}</td>
                        <td>
                            <select aria-label=move || t_string!(i18n, lock.role_label).to_string()
                                data-testid="guide-role"
                                disabled=move || !session.can_manage_guides() || busy.get()
                                on:change=on_role>
                                {role_options(i18n, g.role)}
                            </select>
                        </td>
                        <td>
                            <button type="button" class="danger" data-testid="guide-remove"
                                disabled=move || !session.can_manage_guides() || busy.get()
                                on:click=move |_| removing.set(Some((id, name_for_remove.clone())))>
                                {t!(i18n, lock.remove)}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let confirm_remove = move |_| {
        let Some((id, name)) = removing.get_untracked() else {
            return;
        };
        removing.set(None);
        let summary = t_string!(i18n, lock.audit_remove, name = name).to_string();
        run(
            Box::pin(session.remove_guide(id, summary)),
            t_string!(i18n, lock.removed).to_string(),
        );
    };
    view! {
        <h3>{t!(i18n, lock.roster_title)}</h3>
        <Show when=move || !session.can_manage_guides()>
            <p class="hint">{t!(i18n, lock.manage_only_supervisor)}</p>
        </Show>
        <table class="table" data-testid="roster">
            <thead><tr>
                <th scope="col">{t!(i18n, lock.col_name)}</th>
                <th scope="col">{t!(i18n, lock.col_role)}</th>
                <th scope="col">{t!(i18n, lock.col_actions)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {move || removing.get().map(|(_, name)| view! {
            <div class="confirm" role="alertdialog" aria-labelledby="remove-q">
                <p id="remove-q">{t_string!(i18n, lock.remove_confirm, name = name).to_string()}</p>
                <button class="danger" data-testid="guide-remove-confirm" on:click=confirm_remove>{t!(i18n, lock.confirm)}</button>
                <button on:click=move |_| removing.set(None)>{t!(i18n, lock.cancel)}</button>
            </div>
        })}
        {outcome_view(out, "roster-msg")}
        <Show when=move || session.can_manage_guides()>
            <AddGuide/>
        </Show>
    }
}

#[component]
fn AddGuide() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Guide);
    let pass = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let out: Outcome = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        out.set(None);
        let r = role.get_untracked();
        let n = name.get_untracked();
        let summary = t_string!(
            i18n,
            lock.audit_add,
            name = n.trim().to_owned(),
            role = role_name(i18n, r)
        )
        .to_string();
        let (p, c) = (pass.get_untracked(), confirm.get_untracked());
        spawn_local(async move {
            let res = session.add_guide(n, r, p, c, summary).await;
            busy.set(false);
            match res {
                Ok(()) => {
                    name.set(String::new());
                    pass.set(String::new());
                    confirm.set(String::new());
                    out.set(Some(Ok(t_string!(i18n, lock.added).to_string())));
                }
                Err(e) => out.set(Some(Err(fail_text(i18n, &e)))),
            }
        });
    };
    view! {
        <h3>{t!(i18n, lock.add_title)}</h3>
        <p class="hint">{t!(i18n, lock.add_hint)}</p>
        <form class="form" on:submit=submit data-testid="add-guide">
            <label for="add-name">{t!(i18n, lock.col_name)}</label>
            {text_input("add-name", "text", name, "off")}
            <label for="add-role">{t!(i18n, lock.role_label)}</label>
            <select id="add-role" data-testid="add-role"
                on:change=move |ev| { if let Some(r) = Role::from_code(&event_target_value(&ev)) { role.set(r) } }>
                {role_options(i18n, Role::Guide)}
            </select>
            <label for="add-pass">{t!(i18n, lock.new_passphrase)}</label>
            {text_input("add-pass", "password", pass, "new-password")}
            <label for="add-confirm">{t!(i18n, lock.confirm_passphrase)}</label>
            {text_input("add-confirm", "password", confirm, "new-password")}
            {outcome_view(out, "add-guide-msg")}
            <button type="submit" data-testid="add-guide-submit" disabled=move || busy.get()>{t!(i18n, lock.add)}</button>
            <Show when=move || busy.get()><p role="status">{t!(i18n, lock.working)}</p></Show>
        </form>
    }
}

#[component]
fn ChangePassphrase() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let pass = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let out: Outcome = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        out.set(None);
        let summary = t_string!(i18n, lock.audit_pass).to_string();
        let (p, c) = (pass.get_untracked(), confirm.get_untracked());
        spawn_local(async move {
            let res = session.change_passphrase(p, c, summary).await;
            busy.set(false);
            match res {
                Ok(()) => {
                    pass.set(String::new());
                    confirm.set(String::new());
                    out.set(Some(Ok(t_string!(i18n, lock.changed).to_string())));
                }
                Err(e) => out.set(Some(Err(fail_text(i18n, &e)))),
            }
        });
    };
    view! {
        <h3>{t!(i18n, lock.change_pass_title)}</h3>
        <form class="form" on:submit=submit data-testid="change-pass">
            <label for="change-pass-1">{t!(i18n, lock.new_passphrase)}</label>
            {text_input("change-pass-1", "password", pass, "new-password")}
            <label for="change-pass-2">{t!(i18n, lock.confirm_passphrase)}</label>
            {text_input("change-pass-2", "password", confirm, "new-password")}
            {outcome_view(out, "change-pass-msg")}
            <button type="submit" disabled=move || busy.get()>{t!(i18n, lock.change)}</button>
        </form>
    }
}

#[component]
fn IdleMinutes() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let current = session.vault.with_untracked(|v| {
        v.as_ref()
            .map_or(crate::db::vault::DEFAULT_IDLE_MINUTES, |v| v.idle_minutes)
    });
    let value = RwSignal::new(current.to_string());
    let out: Outcome = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(m) = value
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=240).contains(m))
        else {
            out.set(Some(Err(t_string!(i18n, lock.idle_invalid).to_string())));
            return;
        };
        let summary = t_string!(i18n, lock.audit_idle, minutes = m).to_string();
        spawn_local(async move {
            let r = session.set_idle_minutes(m, summary).await;
            out.set(Some(
                r.map(|()| t_string!(i18n, lock.idle_saved).to_string())
                    .map_err(|e| fail_text(i18n, &e)),
            ));
        });
    };
    view! {
        <form class="form inline" on:submit=submit data-testid="idle-form">
            <label for="idle-minutes">{t!(i18n, lock.idle_label)}</label>
            <input id="idle-minutes" data-testid="idle-minutes" type="number" min="1" max="240" inputmode="numeric"
                aria-invalid=move || matches!(out.get(), Some(Err(_))).then_some("true")
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <button type="submit" disabled=move || !session.can_write()>{t!(i18n, lock.idle_save)}</button>
            {outcome_view(out, "idle-msg")}
        </form>
    }
}
