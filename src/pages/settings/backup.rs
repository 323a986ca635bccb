//! The settings page's backup section: export the whole database as one encrypted `age`
//! file (a passphrase, or the street office's saved keys), restore one after decrypting
//! and checking it completely, and the backup settings (the cockpit's reminder, the keys).
//!
//! Encryption and decryption run in the backup worker (`crate::backup_worker`), so the
//! page stays responsive during scrypt and shows "正在加密…/正在解密…". The file inside
//! the age wrapper is exactly what `linli_domain::backup::encode` writes, as the CLI does.
//! A legacy plain JSON backup is read only after the guide confirms a warning.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::backup::{self, BackupHeader};
use linli_domain::dataset::Dataset;

use super::editors::{stored, Ctx, Settings};
use super::Job;
use crate::backup_crypt::{self, OpenError, Seal, Strength, MIN_PASSPHRASE_CHARS};
use crate::backup_worker::{self, Outcome};
use crate::browser::{download_bytes, now_millis};
use crate::components::backup_error::backup_error_text;
use crate::components::{PlainImportWarning, WriteGuard};
use crate::i18n::*;
use crate::state::storage::with_marker;
use crate::state::use_storage;
use crate::APP_VERSION;

#[derive(Debug, Clone)]
enum Restore {
    Idle,
    Checking,
    /// An age file: waiting for the passphrase or secret key.
    NeedSecret(Arc<Vec<u8>>),
    Decrypting,
    /// A plain JSON file: waiting for the guide to confirm the warning.
    Legacy(Arc<Vec<u8>>),
    Valid(Arc<(BackupHeader, Dataset)>),
    Restoring,
    Restored,
    Rejected(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Passphrase,
    Keys,
}

/// The name the history records for the acting guide.
pub(super) fn acting(i18n: Ctx, session: crate::state::Session) -> String {
    let a = session.actor();
    if a.is_empty() {
        t_string!(i18n, common.actor_default).to_string()
    } else {
        a
    }
}

/// The saved recipients (an empty list when none or unreadable).
pub(super) fn recipients_of(value: Option<Option<String>>) -> Vec<String> {
    value
        .flatten()
        .and_then(|v| serde_json::from_str::<Vec<String>>(&v).ok())
        .unwrap_or_default()
}

/// The plain sentence for a refused decryption.
fn open_error_text(i18n: Ctx, e: OpenError) -> String {
    match e {
        OpenError::NeedsPassphrase => t_string!(i18n, common.backup_err_needs_passphrase),
        OpenError::NeedsIdentity => t_string!(i18n, common.backup_err_needs_identity),
        OpenError::WrongPassphrase => t_string!(i18n, common.backup_err_wrong_passphrase),
        OpenError::WrongIdentity => t_string!(i18n, common.backup_err_wrong_identity),
        OpenError::BadIdentity => t_string!(i18n, common.backup_err_bad_identity),
        OpenError::Damaged => t_string!(i18n, common.backup_err_damaged),
        OpenError::InvalidHeader => t_string!(i18n, common.backup_err_header),
        OpenError::ExcessiveWork => t_string!(i18n, common.backup_err_excessive),
        OpenError::Nested => t_string!(i18n, common.backup_err_nested),
    }
    .to_owned()
}

fn strength_text(i18n: Ctx, s: Strength) -> String {
    match s {
        Strength::TooShort => t_string!(i18n, common.backup_strength_short, n = MIN_PASSPHRASE_CHARS),
        Strength::Weak => t_string!(i18n, common.backup_strength_weak).to_owned(),
        Strength::Fair => t_string!(i18n, common.backup_strength_fair).to_owned(),
        Strength::Strong => t_string!(i18n, common.backup_strength_strong).to_owned(),
    }
}

/// Export and restore.
#[component]
pub(super) fn BackupSection(settings: Settings) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let export = RwSignal::new(Job::Idle);
    let restore = RwSignal::new(Restore::Idle);
    let method = RwSignal::new(Method::Passphrase);
    let pass = RwSignal::new(String::new());
    let pass2 = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let legacy_ok = RwSignal::new(false);
    let restore_error = RwSignal::new(None::<String>);
    let keys = stored(settings, backup_crypt::RECIPIENTS_SETTING);
    let saved_keys = Memo::new(move |_| recipients_of(keys.get()));

    let strength = move || pass.with(|p| backup_crypt::strength(p));
    let mismatch = move || !pass2.with(String::is_empty) && pass.get() != pass2.get();
    let can_export = move || match method.get() {
        Method::Passphrase => strength() != Strength::TooShort && pass.get() == pass2.get(),
        Method::Keys => !saved_keys.with(Vec::is_empty),
    };

    let on_export = move |_| {
        if !can_export() {
            return;
        }
        let (seal, how) = match method.get_untracked() {
            Method::Passphrase => (
                Seal::Passphrase(pass.get_untracked()),
                "age, passphrase".to_owned(),
            ),
            Method::Keys => {
                let k = saved_keys.get_untracked();
                let how = format!("age, {} key(s)", k.len());
                (Seal::Recipients(k), how)
            }
        };
        let who = acting(i18n, session);
        export.set(Job::Working);
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let d = match db.read_all_with_replica().await {
                Ok(d) => d,
                Err(e) => return export.set(Job::Failed(crate::components::db_error::plain(i18n, &e))),
            };
            let now = now_millis();
            let text = backup::encode(&d, APP_VERSION, now);
            drop(d);
            let bytes = match backup_worker::run(&backup_crypt::Job::Seal(seal), text.as_bytes()).await {
                Outcome::Done(b) => b,
                Outcome::Refused(e) => return export.set(Job::Failed(open_error_text(i18n, e))),
                Outcome::Failed(m) => {
                    return export.set(Job::Failed(format!(
                        "{}{m}",
                        t_string!(i18n, common.backup_err_worker)
                    )))
                }
            };
            let stamp: String = linli_domain::requests::calendar::local_datetime(now)
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            let name = format!("linli-backup-{stamp}.age");
            match download_bytes(&bytes, &name, "application/octet-stream") {
                Ok(()) => {
                    pass.set(String::new());
                    pass2.set(String::new());
                    // The cockpit counts the days since this moment; a failure to record
                    // it (a read-only auditor) does not undo the download.
                    match db.record_backup(now, &how, who).await {
                        Ok(()) => storage.changed(),
                        Err(e) => leptos::logging::warn!("last backup not recorded: {e}"),
                    }
                    export.set(Job::Done(name));
                }
                Err(e) => export.set(Job::Failed(crate::components::db_error::plain(
                    i18n,
                    &crate::db::DbError::from_js(e),
                ))),
            }
        });
    };

    let check = move |bytes: &[u8]| match backup::decode(bytes) {
        Ok(pair) => restore.set(Restore::Valid(Arc::new(pair))),
        Err(e) => restore.set(Restore::Rejected(backup_error_text(i18n, &e))),
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        restore.set(Restore::Checking);
        legacy_ok.set(false);
        secret.set(String::new());
        spawn_local(async move {
            let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(b) => js_sys::Uint8Array::new(&b).to_vec(),
                Err(e) => {
                    let reason = crate::db::DbError::from_js(e).to_string();
                    restore.set(Restore::Rejected(
                        t_string!(i18n, common.err_read, reason = reason).to_string(),
                    ));
                    return;
                }
            };
            if backup_crypt::is_age(&bytes) {
                restore.set(Restore::NeedSecret(Arc::new(bytes)));
            } else if backup_crypt::is_plain_json(&bytes) {
                restore.set(Restore::Legacy(Arc::new(bytes)));
            } else {
                // Neither: the decoder says what is wrong.
                check(&bytes);
            }
        });
        input.set_value("");
    };

    let on_decrypt = move |_| {
        let Restore::NeedSecret(bytes) = restore.get_untracked() else {
            return;
        };
        let s = secret.get_untracked();
        if s.trim().is_empty() {
            return;
        }
        restore.set(Restore::Decrypting);
        spawn_local(async move {
            match backup_worker::run(&backup_crypt::Job::Open(s), &bytes).await {
                Outcome::Done(plain) => {
                    secret.set(String::new());
                    check(&plain);
                }
                Outcome::Refused(e) => {
                    // Let the guide try again on the same file.
                    restore.set(Restore::NeedSecret(bytes));
                    restore_error.set(Some(open_error_text(i18n, e)));
                }
                Outcome::Failed(m) => restore.set(Restore::Rejected(format!(
                    "{}{m}",
                    t_string!(i18n, common.backup_err_worker)
                ))),
            }
        });
    };
    Effect::new(move |_| {
        // A new state clears the refusal, except a retry of the same file.
        if !matches!(restore.get(), Restore::NeedSecret(_) | Restore::Decrypting) {
            restore_error.set(None);
        }
    });

    let on_legacy = move |_| {
        let Restore::Legacy(bytes) = restore.get_untracked() else {
            return;
        };
        if legacy_ok.get_untracked() {
            check(&bytes);
        }
    };

    let on_restore = move |_| {
        let Restore::Valid(pair) = restore.get_untracked() else {
            return;
        };
        restore.set(Restore::Restoring);
        spawn_local(async move {
            // Who restored, and which backup (its time and size): recorded after the
            // backup's own history, in the restore's transaction.
            let (header, data) = &*pair;
            let summary = format!(
                "{} · {} · {}",
                crate::browser::local_minute(header.created_at),
                data.households.len(),
                header.app_version
            );
            let entry =
                crate::db::history_entry(now_millis(), session.actor(), "dataset", 0, "restore", summary);
            match storage
                .replace_all_recorded(&with_marker(data.clone()), entry)
                .await
            {
                Ok(()) => restore.set(Restore::Restored),
                Err(e) => restore.set(Restore::Rejected(crate::components::db_error::plain(i18n, &e))),
            }
        });
    };

    let ready = move || storage.db().is_some() || storage.status.get() == crate::state::StorageStatus::Ready;

    let passphrase_fields = move || {
        (method.get() == Method::Passphrase).then(|| {
            view! {
                <div class="field">
                    <label for="backup-pass">{t!(i18n, common.backup_pass)}</label>
                    <input id="backup-pass" type="password" autocomplete="new-password" data-testid="backup-pass"
                        aria-describedby="backup-pass-hint backup-pass-strength"
                        prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev))/>
                    <span class="hint muted small" id="backup-pass-hint">{t!(i18n, common.backup_pass_hint)}</span>
                    <span id="backup-pass-strength" data-testid="backup-pass-strength" aria-live="polite"
                        data-strength=move || format!("{:?}", strength()).to_lowercase()>
                        {move || (!pass.with(String::is_empty)).then(|| strength_text(i18n, strength()))}
                    </span>
                </div>
                <div class="field">
                    <label for="backup-pass2">{t!(i18n, common.backup_pass_again)}</label>
                    <input id="backup-pass2" type="password" autocomplete="new-password" data-testid="backup-pass2"
                        aria-describedby="backup-pass2-error" aria-invalid=move || mismatch().to_string()
                        prop:value=move || pass2.get() on:input=move |ev| pass2.set(event_target_value(&ev))/>
                    <span id="backup-pass2-error" aria-live="polite">
                        {move || mismatch().then(|| view! {
                            <span class="field-error" role="alert">{t!(i18n, common.backup_pass_mismatch)}</span>
                        })}
                    </span>
                </div>
            }
        })
    };

    view! {
        <section aria-labelledby="backup-h" id="backup">
            <h2 id="backup-h">{t!(i18n, common.backup_title)}</h2>
            <p>{t!(i18n, common.backup_intro)}</p>
            <fieldset class="backup-method">
                <legend>{t!(i18n, common.backup_method)}</legend>
                <label>
                    <input type="radio" name="backup-method" data-testid="backup-method-passphrase"
                        prop:checked=move || method.get() == Method::Passphrase
                        on:change=move |_| method.set(Method::Passphrase)/>
                    {t!(i18n, common.backup_method_passphrase)}
                </label>
                <label>
                    <input type="radio" name="backup-method" data-testid="backup-method-keys"
                        disabled=move || saved_keys.with(Vec::is_empty)
                        prop:checked=move || method.get() == Method::Keys
                        on:change=move |_| method.set(Method::Keys)/>
                    {move || {
                        let n = saved_keys.with(Vec::len);
                        if n == 0 {
                            t_string!(i18n, common.backup_method_keys_none).to_owned()
                        } else {
                            t_string!(i18n, common.backup_method_keys, n = n)
                        }
                    }}
                </label>
            </fieldset>
            {passphrase_fields}
            <div class="actions">
                <button on:click=on_export data-testid="export"
                    disabled=move || !ready() || !can_export() || matches!(export.get(), Job::Working)>
                    {t!(i18n, common.backup_export)}
                </button>
                <WriteGuard><label class="button file">
                    {t!(i18n, common.backup_choose)}
                    <input type="file" accept=".age,.json,application/json,application/octet-stream" data-testid="restore-file"
                        on:change=on_file disabled=move || !ready()/>
                </label></WriteGuard>
            </div>
            <PlainImportWarning/>
            <div aria-live="polite">
                {move || match export.get() {
                    Job::Idle => ().into_any(),
                    Job::Working => view! { <p role="status" data-testid="export-working">{t!(i18n, common.backup_encrypting)}</p> }.into_any(),
                    Job::Done(name) => view! { <p class="ok" role="status" data-testid="export-done">{t!(i18n, common.backup_exported)}<code>{name}</code></p> }.into_any(),
                    Job::Failed(e) => view! { <p class="error" role="alert" data-testid="export-error">{t!(i18n, common.status_error)}<code>{e}</code></p> }.into_any(),
                }}
                {move || match restore.get() {
                    Restore::Idle => ().into_any(),
                    Restore::Checking => view! { <p role="status">{t!(i18n, common.backup_checking)}</p> }.into_any(),
                    Restore::NeedSecret(_) => view! {
                        <div class="confirm" data-testid="restore-secret">
                            <p>{t!(i18n, common.backup_age_detected)}</p>
                            <div class="field">
                                <label for="restore-secret">{t!(i18n, common.backup_secret)}</label>
                                <input id="restore-secret" type="password" autocomplete="off" data-testid="restore-secret-input"
                                    prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev))
                                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { on_decrypt(()) }/>
                            </div>
                            {move || restore_error.get().map(|m| view! {
                                <p class="error" role="alert" data-testid="restore-error">{t!(i18n, common.backup_rejected)}{m}</p>
                            })}
                            <button on:click=move |_| on_decrypt(()) data-testid="restore-decrypt"
                                disabled=move || secret.with(|s| s.trim().is_empty())>
                                {t!(i18n, common.backup_decrypt)}
                            </button>
                            <button on:click=move |_| restore.set(Restore::Idle)>{t!(i18n, common.backup_cancel)}</button>
                        </div>
                    }.into_any(),
                    Restore::Decrypting => view! {
                        <p role="status" data-testid="restore-decrypting"><span class="spinner" aria-hidden="true"></span>{t!(i18n, common.backup_decrypting)}</p>
                    }.into_any(),
                    Restore::Legacy(_) => view! {
                        <div class="confirm" role="alertdialog" aria-labelledby="legacy-q" data-testid="restore-legacy">
                            <p id="legacy-q" class="warning">{t!(i18n, common.backup_legacy_warning)}</p>
                            <label>
                                <input type="checkbox" data-testid="restore-legacy-ok"
                                    prop:checked=move || legacy_ok.get()
                                    on:change=move |ev| legacy_ok.set(event_target_checked(&ev))/>
                                {t!(i18n, common.backup_legacy_confirm)}
                            </label>
                            <button on:click=on_legacy data-testid="restore-legacy-continue" disabled=move || !legacy_ok.get()>
                                {t!(i18n, common.backup_legacy_continue)}
                            </button>
                            <button on:click=move |_| restore.set(Restore::Idle)>{t!(i18n, common.backup_cancel)}</button>
                        </div>
                    }.into_any(),
                    Restore::Valid(pair) => {
                        let h = &pair.0;
                        let made = linli_domain::requests::calendar::local_datetime(h.created_at);
                        let households = h.counts.get("households").copied().unwrap_or(0);
                        let version = h.app_version.clone();
                        view! {
                            <div class="confirm" data-testid="restore-valid">
                                <p>{t!(i18n, common.backup_valid)}
                                    {t!(i18n, common.backup_made)}" "{made}{t!(i18n, common.sep_clause)}
                                    {t!(i18n, common.households)}" "{households}{t!(i18n, common.sep_clause)}
                                    {t!(i18n, common.backup_app_version)}" "{version}
                                </p>
                                <button class="danger" on:click=on_restore data-testid="restore-confirm">
                                    {t!(i18n, common.backup_confirm_restore)}
                                </button>
                                <button on:click=move |_| restore.set(Restore::Idle)>{t!(i18n, common.backup_cancel)}</button>
                            </div>
                        }.into_any()
                    }
                    Restore::Restoring => view! { <p role="status">{t!(i18n, common.backup_restoring)}</p> }.into_any(),
                    Restore::Restored => view! { <p class="ok" role="status" data-testid="restore-done">{t!(i18n, common.backup_restored)}</p> }.into_any(),
                    Restore::Rejected(why) => view! {
                        <p class="error" role="alert" data-testid="restore-error">{t!(i18n, common.backup_rejected)}{why}</p>
                    }.into_any(),
                }}
            </div>
        </section>
    }
}
