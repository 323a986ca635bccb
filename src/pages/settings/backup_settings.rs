//! The settings page's backup settings: after how many days the cockpit reminds of a
//! backup (`backup_reminder_days`, 1–365, default 7) and the street office's age public
//! keys a backup may be encrypted to (`backup_recipients`), each checked next to its field.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::backup::{acting, recipients_of};
use super::editors::{stored, Settings};
use crate::backup_crypt;
use crate::i18n::*;
use crate::state::use_storage;

/// The backup settings: after how many days the cockpit reminds, and the street
/// office's public keys a backup may be encrypted to.
#[component]
pub(super) fn BackupSettingsEditor(settings: Settings) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let days_stored = stored(settings, linli_domain::cockpit::BACKUP_REMINDER_SETTING);
    let keys_stored = stored(settings, backup_crypt::RECIPIENTS_SETTING);
    let days = RwSignal::new(String::new());
    let keys = RwSignal::new(String::new());
    let days_err = RwSignal::new(None::<String>);
    let keys_err = RwSignal::new(None::<String>);
    let msg = RwSignal::new(None::<Result<String, String>>);
    Effect::new(move |_| {
        let v = days_stored.get().flatten();
        days.set(linli_domain::cockpit::backup_reminder_days(v.as_deref()).to_string());
    });
    Effect::new(move |_| keys.set(recipients_of(keys_stored.get()).join("\n")));

    let on_save = move |_| {
        msg.set(None);
        let d = linli_domain::cockpit::check_backup_reminder_days(&days.get_untracked());
        days_err.set(
            d.is_err()
                .then(|| t_string!(i18n, common.backup_reminder_bad).to_owned()),
        );
        let k = backup_crypt::parse_recipients(&keys.get_untracked());
        keys_err.set(k.as_ref().err().map(|e| {
            if e.is_secret {
                t_string!(i18n, common.backup_recipients_secret, line = e.line)
            } else {
                t_string!(i18n, common.backup_recipients_bad, line = e.line)
            }
        }));
        let (Ok(d), Ok(k)) = (d, k) else {
            msg.set(Some(Err(t_string!(i18n, settings.not_saved_fix).to_owned())));
            return;
        };
        let Some(db) = storage.db() else { return };
        let who = acting(i18n, session);
        let days_changed = days_stored.get_untracked().flatten() != Some(d.to_string());
        let keys_changed = recipients_of(keys_stored.get_untracked()) != k;
        spawn_local(async move {
            let mut result = Ok(());
            if days_changed {
                result = db.save_backup_reminder_days(d, who.clone()).await;
            }
            if result.is_ok() && keys_changed {
                result = db.save_backup_recipients(&k, who).await;
            }
            match result {
                Ok(()) => {
                    msg.set(Some(Ok(t_string!(i18n, common.backup_settings_saved).to_owned())));
                    storage.changed();
                }
                Err(e) => msg.set(Some(Err(e.to_string()))),
            }
        });
    };

    view! {
        <section aria-labelledby="backup-settings-h" data-testid="backup-settings">
            <h2 id="backup-settings-h">{t!(i18n, common.backup_settings_title)}</h2>
            <div class="field">
                <label for="backup-reminder-days">{t!(i18n, common.backup_reminder_label)}</label>
                <span class="field-input">
                    <input id="backup-reminder-days" type="text" inputmode="numeric" data-testid="backup-reminder-days"
                        aria-describedby="backup-reminder-hint backup-reminder-days-error"
                        aria-invalid=move || days_err.with(Option::is_some).to_string()
                        prop:value=move || days.get()
                        on:input=move |ev| { days.set(event_target_value(&ev)); days_err.set(None); }/>
                    <span class="unit">{t!(i18n, common.backup_reminder_unit)}</span>
                </span>
                <span class="hint muted small" id="backup-reminder-hint">{t!(i18n, common.backup_reminder_hint)}</span>
                <span id="backup-reminder-days-error" data-testid="backup-reminder-days-error" aria-live="polite">
                    {move || days_err.get().map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
                </span>
            </div>
            <div class="field">
                <label for="backup-recipients">{t!(i18n, common.backup_recipients_label)}</label>
                <textarea id="backup-recipients" rows="3" spellcheck="false" data-testid="backup-recipients"
                    aria-describedby="backup-recipients-hint backup-recipients-error"
                    aria-invalid=move || keys_err.with(Option::is_some).to_string()
                    prop:value=move || keys.get()
                    on:input=move |ev| { keys.set(event_target_value(&ev)); keys_err.set(None); }></textarea>
                <span class="hint muted small" id="backup-recipients-hint">{t!(i18n, common.backup_recipients_hint)}</span>
                <span id="backup-recipients-error" data-testid="backup-recipients-error" aria-live="polite">
                    {move || keys_err.get().map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
                </span>
            </div>
            <div class="actions">
                <button on:click=on_save data-testid="backup-settings-save">{t!(i18n, common.backup_settings_save)}</button>
            </div>
            <div aria-live="polite" data-testid="backup-settings-msg">
                {move || msg.get().map(|m| match m {
                    Ok(t) => view! { <p class="ok" role="status">{t}</p> }.into_any(),
                    Err(t) => view! { <p class="error" role="alert">{t}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}
