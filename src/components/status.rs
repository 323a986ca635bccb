//! The storage status banner: opening, first-start demo load, blocked by
//! another tab, reload needed, or a storage error in plain words
//! ([`super::db_error`]).

use leptos::prelude::*;

use super::db_error::{words, DbErrorView, Kind};
use crate::i18n::*;
use crate::state::{use_storage, StorageStatus};

/// Shows what the local database is doing, unless all is well.
#[component]
pub fn StatusBanner() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let reload = |_| {
        let _ = window().location().reload();
    };
    move || match storage.status.get() {
        StorageStatus::Ready | StorageStatus::Locked => ().into_any(),
        StorageStatus::Opening => view! {
            <p class="banner info" role="status" aria-live="polite">
                <span class="spinner" aria-hidden="true"></span>{t!(i18n, common.status_opening)}
            </p>
        }
        .into_any(),
        StorageStatus::LoadingDemo => view! {
            <p class="banner info" role="status" aria-live="polite">
                <span class="spinner" aria-hidden="true"></span>{t!(i18n, common.status_loading_demo)}
            </p>
        }
        .into_any(),
        StorageStatus::Blocked => {
            let (what, next) = words(i18n.get_locale(), Kind::Blocked);
            view! {
                <p class="banner warn" role="alert" data-testid="db-error" data-kind=Kind::Blocked.code()>
                    <strong>{what}</strong>" "{next}
                </p>
            }
            .into_any()
        }
        StorageStatus::ReloadNeeded => view! {
            <p class="banner warn" role="alert">
                {t!(i18n, common.status_reload_needed)}" "
                <button on:click=reload>{t!(i18n, common.reload)}</button>
            </p>
        }
        .into_any(),
        StorageStatus::Failed(e) => view! {
            <div class="banner error"><DbErrorView error=e/></div>
        }
        .into_any(),
    }
}
