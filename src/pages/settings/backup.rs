//! The settings page's backup section: export the whole database as one file, and
//! restore one after checking it completely.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::backup::{self, BackupHeader};
use linli_domain::dataset::Dataset;

use super::Job;
use crate::browser::{download, local_minute, now_millis};
use crate::components::backup_error::backup_error_text;
use crate::components::WriteGuard;
use crate::i18n::*;
use crate::state::storage::with_marker;
use crate::state::use_storage;
use crate::APP_VERSION;

#[derive(Debug, Clone)]
enum Restore {
    Idle,
    Checking,
    Valid(Arc<(BackupHeader, Dataset)>),
    Restoring,
    Restored,
    Rejected(String),
}

/// Export and restore.
#[component]
pub(super) fn BackupSection() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let export = RwSignal::new(Job::Idle);
    let restore = RwSignal::new(Restore::Idle);

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
                        Ok(()) => {
                            // The cockpit counts the days since this moment; a failure
                            // to record it does not undo the download.
                            match db.record_backup(now).await {
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
                }
                Err(e) => export.set(Job::Failed(crate::components::db_error::plain(i18n, &e))),
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
                        t_string!(i18n, common.err_read, reason = reason).to_string(),
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
                Err(e) => restore.set(Restore::Rejected(crate::components::db_error::plain(i18n, &e))),
            }
        });
    };

    let ready = move || storage.db().is_some() || storage.status.get() == crate::state::StorageStatus::Ready;

    view! {
        <section aria-labelledby="backup-h">
            <h2 id="backup-h">{t!(i18n, common.backup_title)}</h2>
            <p>{t!(i18n, common.backup_intro)}</p>
            <div class="actions">
                <button on:click=on_export data-testid="export"
                    disabled=move || !ready() || matches!(export.get(), Job::Working)>
                    {t!(i18n, common.backup_export)}
                </button>
                <WriteGuard><label class="button file">
                    {t!(i18n, common.backup_choose)}
                    <input type="file" accept=".json,application/json" data-testid="restore-file"
                        on:change=on_file disabled=move || !ready()/>
                </label></WriteGuard>
            </div>
            <div aria-live="polite">
                {move || match export.get() {
                    Job::Idle => ().into_any(),
                    Job::Working => view! { <p role="status">{t!(i18n, common.backup_exporting)}</p> }.into_any(),
                    Job::Done(name) => view! { <p class="ok" role="status">{t!(i18n, common.backup_exported)}<code>{name}</code></p> }.into_any(),
                    Job::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                }}
                {move || match restore.get() {
                    Restore::Idle => ().into_any(),
                    Restore::Checking => view! { <p role="status">{t!(i18n, common.backup_checking)}</p> }.into_any(),
                    Restore::Valid(pair) => {
                        let h = &pair.0;
                        let made = local_minute(h.created_at);
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
