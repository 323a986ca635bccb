//! `#/settings` — storage, backup and restore, demo community, language, and the
//! editors of the settings that reach the public: points earning rules, the
//! redemption catalogue (with its stock log), indicator targets, plan rules and
//! minimum cell sizes (`editors`, `points_rules`, `catalogue`, `targets`,
//! `plan_rules`), and sync files with another device (`sync`).

mod backup;
mod backup_settings;
mod catalogue;
mod conflict_text;
mod editors;
mod enrol;
mod guides;
mod plan_rules;
mod points_rules;
mod sync;
mod sync_server;
mod targets;

pub(crate) use self::targets::{direction_name, indicator_name, unit_name};

use leptos::prelude::*;
use leptos::task::spawn_local;

use self::backup::BackupSection;
use self::backup_settings::BackupSettingsEditor;
use self::catalogue::CatalogueEditor;
use self::guides::GuidesSection;
use self::plan_rules::{DisclosureEditor, PlanRulesEditor};
use self::points_rules::PointsRulesEditor;
use self::sync::SyncSection;
use self::targets::TargetsEditor;
use crate::browser::now_millis;
use crate::components::loaded::{load, LoadGate};
use crate::components::summary::RecordCounts;
use crate::components::WriteGuard;
use crate::db::history_entry;
use crate::i18n::*;
use crate::state::storage::{demo_dataset, empty_dataset};
use crate::state::use_storage;

/// Where a long action stands.
#[derive(Debug, Clone)]
enum Job {
    Idle,
    Working,
    Done(String),
    Failed(String),
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
    let session = crate::state::use_session();
    let loaded = load(storage, |db| async move { db.settings().await });
    let settings = loaded.current;
    let danger = RwSignal::new(None::<Danger>);
    let danger_job = RwSignal::new(Job::Idle);

    let on_danger_confirm = move |_| {
        let Some(which) = danger.get_untracked() else {
            return;
        };
        danger_job.set(Job::Working);
        spawn_local(async move {
            let (data, action) = match which {
                Danger::ReloadDemo => (demo_dataset(), "reset_demo"),
                Danger::ClearAll => (empty_dataset(), "clear_all"),
            };
            let summary = match which {
                Danger::ReloadDemo => data.households.len().to_string(),
                Danger::ClearAll => String::new(),
            };
            let entry = history_entry(now_millis(), session.actor(), "dataset", 0, action, summary);
            match storage.replace_all_recorded(&data, entry).await {
                Ok(()) => {
                    danger.set(None);
                    danger_job.set(Job::Done(t_string!(i18n, common.saved).to_string()));
                }
                Err(e) => danger_job.set(Job::Failed(e.to_string())),
            }
        });
    };

    let ready = move || storage.db().is_some() || storage.status.get() == crate::state::StorageStatus::Ready;

    view! {
            <article class="page" data-page="settings">
                <h1>{t!(i18n, common.settings_title)}</h1>

                <section aria-labelledby="lang-h">
                    <h2 id="lang-h">{t!(i18n, common.language_title)}</h2>
                    <p>{t!(i18n, common.language_current)}</p>
                </section>

                <section aria-labelledby="storage-h">
                    <h2 id="storage-h">{t!(i18n, common.storage_title)}</h2>
                    <p data-testid="persist">{move || match storage.persisted.get() {
                        None => t_string!(i18n, common.persist_pending).to_string(),
                        Some(Some(true)) => t_string!(i18n, common.persist_granted).to_string(),
                        Some(Some(false)) => t_string!(i18n, common.persist_denied).to_string(),
                        Some(None) => t_string!(i18n, common.persist_unknown).to_string(),
                    }}</p>
                    <p>{t!(i18n, common.schema_version)}": "{move || {
                        let _ = storage.revision.get();
                        storage.db().map(|d| d.version().to_string()).unwrap_or_else(|| "…".into())
                    }}</p>
                </section>

                <GuidesSection/>

            <BackupSection settings/>

            <SyncSection/>

            <LoadGate phase=loaded.phase error=Signal::derive(move || loaded.error())>
                <BackupSettingsEditor settings/>
                <PointsRulesEditor settings/>
                <CatalogueEditor settings/>
                <TargetsEditor settings/>
                <PlanRulesEditor settings/>
                <DisclosureEditor settings/>
            </LoadGate>

                <section aria-labelledby="demo-h">
                    <h2 id="demo-h">{t!(i18n, common.demo_title)}</h2>
                    <p>{t!(i18n, common.demo_intro)}</p>
                    <WriteGuard><div class="actions">
                        <button on:click=move |_| danger.set(Some(Danger::ReloadDemo)) disabled=move || !ready()
                            data-testid="demo-reload">{t!(i18n, common.demo_reload)}</button>
                        <button class="danger" on:click=move |_| danger.set(Some(Danger::ClearAll)) disabled=move || !ready()
                            data-testid="demo-clear">{t!(i18n, common.demo_clear)}</button>
                    </div>
                    {move || danger.get().map(|which| view! {
                        <div class="confirm" role="alertdialog" aria-labelledby="danger-q">
                            <p id="danger-q">{match which {
                                Danger::ReloadDemo => t_string!(i18n, common.demo_confirm_reload).to_string(),
                                Danger::ClearAll => t_string!(i18n, common.demo_confirm_clear).to_string(),
                            }}</p>
                            <button class="danger" on:click=on_danger_confirm data-testid="danger-confirm"
                                disabled=move || matches!(danger_job.get(), Job::Working)>{t!(i18n, common.confirm)}</button>
                            <button on:click=move |_| danger.set(None)>{t!(i18n, common.backup_cancel)}</button>
                        </div>
                    })}
    </WriteGuard>                <div aria-live="polite">{move || match danger_job.get() {
                        Job::Idle => ().into_any(),
                        Job::Working => view! { <p role="status">{t!(i18n, common.working)}</p> }.into_any(),
                        Job::Done(m) => view! { <p class="ok" role="status">{m}</p> }.into_any(),
                        Job::Failed(e) => view! { <p class="error" role="alert">{t!(i18n, common.status_error)}<code>{e}</code></p> }.into_any(),
                    }}</div>
                </section>

                <RecordCounts/>
                <p><a href=crate::state::Route::History.href() data-testid="history-link">{t!(i18n, common.history_link)}</a></p>
            </article>
        }
}
