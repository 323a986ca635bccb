//! `#/settings` — storage, backup and restore, demo community, language.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::backup::{self, BackupHeader};
use linli_domain::dataset::Dataset;

use crate::browser::{download, local_minute, now_millis};
use crate::components::backup_error::backup_error_text;
use crate::components::summary::RecordCounts;
use crate::i18n::*;
use crate::state::storage::{demo_dataset, empty_dataset, with_marker};
use crate::state::use_storage;
use crate::APP_VERSION;

#[derive(Debug, Clone)]
enum Job {
    Idle,
    Working,
    Done(String),
    Failed(String),
}

#[derive(Debug, Clone)]
enum Restore {
    Idle,
    Checking,
    Valid(Arc<(BackupHeader, Dataset)>),
    Restoring,
    Restored,
    Rejected(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Danger {
    ReloadDemo,
    ClearAll,
}

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let export = RwSignal::new(Job::Idle);
    let restore = RwSignal::new(Restore::Idle);
    let danger = RwSignal::new(None::<Danger>);
    let danger_job = RwSignal::new(Job::Idle);

    let on_export = move |_| {
        export.set(Job::Working);
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            match db.read_all().await {
                Ok(d) => {
                    let now = now_millis();
                    let text = backup::encode(&d, APP_VERSION, now);
                    let stamp: String = local_minute(now).chars().filter(char::is_ascii_digit).collect();
                    let name = format!("linli-backup-{stamp}.json");
                    match download(&text, &name, "application/json") {
                        Ok(()) => export.set(Job::Done(name)),
                        Err(e) => export.set(Job::Failed(crate::db::DbError::from_js(e).to_string())),
                    }
                }
                Err(e) => export.set(Job::Failed(e.to_string())),
            }
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        restore.set(Restore::Checking);
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(t) => t.as_string().unwrap_or_default(),
                Err(e) => {
                    let reason = crate::db::DbError::from_js(e).to_string();
                    restore.set(Restore::Rejected(
                        t_string!(i18n, err_read, reason = reason).to_string(),
                    ));
                    return;
                }
            };
            match backup::decode(text.as_bytes()) {
                Ok(pair) => restore.set(Restore::Valid(Arc::new(pair))),
                Err(e) => restore.set(Restore::Rejected(backup_error_text(i18n, &e))),
            }
        });
        input.set_value("");
    };

    let on_restore = move |_| {
        let Restore::Valid(pair) = restore.get_untracked() else {
            return;
        };
        restore.set(Restore::Restoring);
        spawn_local(async move {
            match storage.replace_all(&with_marker(pair.1.clone())).await {
                Ok(()) => restore.set(Restore::Restored),
                Err(e) => restore.set(Restore::Rejected(e.to_string())),
            }
        });
    };

    let on_danger_confirm = move |_| {
        let Some(which) = danger.get_untracked() else {
            return;
        };
        danger_job.set(Job::Working);
        spawn_local(async move {
            let data = match which {
                Danger::ReloadDemo => demo_dataset(),
                Danger::ClearAll => empty_dataset(),
            };
            match storage.replace_all(&data).await {
                Ok(()) => {
                    danger.set(None);
                    danger_job.set(Job::Done(t_string!(i18n, saved).to_string()));
                }
                Err(e) => danger_job.set(Job::Failed(e.to_string())),
            }
        });
    };

    let ready = move || storage.db().is_some() || storage.status.get() == crate::state::StorageStatus::Ready;

    view! {
        <article class="page" data-page="settings">
            <h1>{t!(i18n, settings_title)}</h1>

            <section aria-labelledby="lang-h">
                <h2 id="lang-h">{t!(i18n, language_title)}</h2>
                <p>{t!(i18n, language_current)}</p>
            </section>

            <section aria-labelledby="storage-h">
                <h2 id="storage-h">{t!(i18n, storage_title)}</h2>
                <p data-testid="persist">{move || match storage.persisted.get() {
                    None => t_string!(i18n, persist_pending).to_string(),
                    Some(Some(true)) => t_string!(i18n, persist_granted).to_string(),
                    Some(Some(false)) => t_string!(i18n, persist_denied).to_string(),
                    Some(None) => t_string!(i18n, persist_unknown).to_string(),
                }}</p>
                <p>{t!(i18n, schema_version)}": "{move || {
                    let _ = storage.revision.get();
                    storage.db().map(|d| d.version().to_string()).unwrap_or_else(|| "…".into())
                }}</p>
            </section>

            <section aria-labelledby="backup-h">
                <h2 id="backup-h">{t!(i18n, backup_title)}</h2>
                <p>{t!(i18n, backup_intro)}</p>
                <div class="actions">
                    <button on:click=on_export data-testid="export"
                        disabled=move || !ready() || matches!(export.get(), Job::Working)>
                        {t!(i18n, backup_export)}
                    </button>
                    <label class="button file">
                        {t!(i18n, backup_choose)}
                        <input type="file" accept=".json,application/json" data-testid="restore-file"
                            on:change=on_file disabled=move || !ready()/>
                    </label>
                </div>
                <div aria-live="polite">
                    {move || match export.get() {
                        Job::Idle => ().into_any(),
                        Job::Working => view! { <p role="status">{t!(i18n, backup_exporting)}</p> }.into_any(),
                        Job::Done(name) => view! { <p class="ok" role="status">{t!(i18n, backup_exported)}<code>{name}</code></p> }.into_any(),
                        Job::Failed(e) => view! { <p class="error" role="alert">{t!(i18n, status_error)}<code>{e}</code></p> }.into_any(),
                    }}
                    {move || match restore.get() {
                        Restore::Idle => ().into_any(),
                        Restore::Checking => view! { <p role="status">{t!(i18n, backup_checking)}</p> }.into_any(),
                        Restore::Valid(pair) => {
                            let h = &pair.0;
                            let made = local_minute(h.created_at);
                            let households = h.counts.get("households").copied().unwrap_or(0);
                            let version = h.app_version.clone();
                            view! {
                                <div class="confirm" data-testid="restore-valid">
                                    <p>{t!(i18n, backup_valid)}
                                        {t!(i18n, backup_made)}" "{made}"，"
                                        {t!(i18n, households)}" "{households}"，"
                                        {t!(i18n, backup_app_version)}" "{version}
                                    </p>
                                    <button class="danger" on:click=on_restore data-testid="restore-confirm">
                                        {t!(i18n, backup_confirm_restore)}
                                    </button>
                                    <button on:click=move |_| restore.set(Restore::Idle)>{t!(i18n, backup_cancel)}</button>
                                </div>
                            }.into_any()
                        }
                        Restore::Restoring => view! { <p role="status">{t!(i18n, backup_restoring)}</p> }.into_any(),
                        Restore::Restored => view! { <p class="ok" role="status" data-testid="restore-done">{t!(i18n, backup_restored)}</p> }.into_any(),
                        Restore::Rejected(why) => view! {
                            <p class="error" role="alert" data-testid="restore-error">{t!(i18n, backup_rejected)}{why}</p>
                        }.into_any(),
                    }}
                </div>
            </section>

            <section aria-labelledby="demo-h">
                <h2 id="demo-h">{t!(i18n, demo_title)}</h2>
                <p>{t!(i18n, demo_intro)}</p>
                <div class="actions">
                    <button on:click=move |_| danger.set(Some(Danger::ReloadDemo)) disabled=move || !ready()
                        data-testid="demo-reload">{t!(i18n, demo_reload)}</button>
                    <button class="danger" on:click=move |_| danger.set(Some(Danger::ClearAll)) disabled=move || !ready()
                        data-testid="demo-clear">{t!(i18n, demo_clear)}</button>
                </div>
                {move || danger.get().map(|which| view! {
                    <div class="confirm" role="alertdialog" aria-labelledby="danger-q">
                        <p id="danger-q">{match which {
                            Danger::ReloadDemo => t_string!(i18n, demo_confirm_reload).to_string(),
                            Danger::ClearAll => t_string!(i18n, demo_confirm_clear).to_string(),
                        }}</p>
                        <button class="danger" on:click=on_danger_confirm data-testid="danger-confirm"
                            disabled=move || matches!(danger_job.get(), Job::Working)>{t!(i18n, confirm)}</button>
                        <button on:click=move |_| danger.set(None)>{t!(i18n, backup_cancel)}</button>
                    </div>
                })}
                <div aria-live="polite">{move || match danger_job.get() {
                    Job::Idle => ().into_any(),
                    Job::Working => view! { <p role="status">{t!(i18n, working)}</p> }.into_any(),
                    Job::Done(m) => view! { <p class="ok" role="status">{m}</p> }.into_any(),
                    Job::Failed(e) => view! { <p class="error" role="alert">{t!(i18n, status_error)}<code>{e}</code></p> }.into_any(),
                }}</div>
            </section>

            <RecordCounts/>
        </article>
    }
}
