//! `#/needs` — needs assessment (SPEC §2.2): every household scored with the
//! stored matrix, a ranked priority list (virtualised, filterable, each row
//! expanding to its explanation), the per-building heat map on the community
//! plan with aggregate tables, the saved workshop tallies beside the register's
//! needs per building (`workshop`), the matrix editor, and an export of the scores
//! in exactly the shape `linli score` prints.

/// A text in the current language, as a plain string (inside a reactive closure it
/// follows a language switch).
macro_rules! tr {
    ($i18n:expr, $key:ident) => {
        t_string!($i18n, common.$key).to_string()
    };
}

mod data;
mod ranked;
mod tables;
mod workshop;

use leptos::prelude::*;

use self::data::NeedsData;
use self::ranked::{ranked_list, Filters};
use self::tables::needs_overview;
use self::workshop::workshop_tally;
use crate::browser::{download, local_minute, now_millis, this_year};
use crate::charts::heatmap::HeatMode;
use crate::components::loaded::{load, Phase};
use crate::components::matrix_editor::MatrixEditor;
use crate::db::DbError;
use crate::i18n::*;
use crate::state::{use_storage, Route};

#[derive(Debug, Clone)]
enum Job {
    Idle,
    Done(String),
    Failed(String),
}

/// The needs page.
#[component]
pub fn NeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = load(storage, |db| async move {
        db.needs_records()
            .await
            .map(|r| NeedsData::from_records(r, this_year()))
    });
    let current = data.current;
    let filters = RwSignal::new(Filters::default());
    let heat_mode = RwSignal::new(HeatMode::HighShare);
    let export = RwSignal::new(Job::Idle);
    let tally_session = RwSignal::new(None::<i64>);

    let on_export = move |_| {
        let Some(d) = current.get_untracked() else {
            return;
        };
        match d.export_json() {
            Ok(text) => {
                let stamp: String = local_minute(now_millis())
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                let name = format!("linli-scores-{stamp}.json");
                match download(&text, &name, "application/json") {
                    Ok(()) => export.set(Job::Done(name)),
                    Err(e) => export.set(Job::Failed(crate::components::db_error::plain(
                        i18n,
                        &DbError::from_js(e),
                    ))),
                }
            }
            Err(e) => export.set(Job::Failed(e.to_string())),
        }
    };

    let status = move || {
        match (data.phase.get(), current.get()) {
        (Phase::Loading, _) | (Phase::Loaded, None) => view! {
            <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{tr!(i18n, needs_loading)}</p>
        }
        .into_any(),
        (Phase::Failed, _) => match data.error() {
            Some(e) => view! { <crate::components::db_error::DbErrorView error=e/> }.into_any(),
            None => view! { <p class="error" role="alert">{tr!(i18n, status_error)}</p> }.into_any(),
        },
        (Phase::Loaded, Some(d)) if d.households.is_empty() => view! {
            <p class="empty" data-testid="needs-empty">{tr!(i18n, needs_empty)}" "
                <a href=Route::Register.href()>{tr!(i18n, nav_register)}</a>" · "
                <a href=Route::Settings.href()>{tr!(i18n, nav_settings)}</a>
            </p>
        }
        .into_any(),
        (Phase::Loaded, Some(d)) => match &d.scored {
            Err(e) => view! {
                <p class="error" role="alert" data-testid="matrix-invalid">
                    {tr!(i18n, needs_matrix_invalid)}<br/><code>{e.to_string()}</code>
                </p>
            }
            .into_any(),
            Ok(s) => {
                let n = d.households.len();
                let ms = format!("{:.0}", s.millis.max(0.0));
                let text = t_string!(i18n, common.needs_timing, n = n, ms = ms).to_string();
                view! { <p class="ok" role="status" data-testid="needs-timing">{text}</p> }
                .into_any()
            }
        },
    }
    };

    let export_bar = move || {
        current.get().and_then(|d| {
            (d.scored.is_ok() && !d.households.is_empty()).then(|| {
                view! {
                    <div class="actions">
                        <button on:click=on_export data-testid="export-scores">{tr!(i18n, needs_export)}</button>
                    </div>
                    <div aria-live="polite">{move || match export.get() {
                        Job::Idle => ().into_any(),
                        Job::Done(name) => view! { <p class="ok" role="status">{tr!(i18n, needs_exported)}<code>{name}</code></p> }.into_any(),
                        Job::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                    }}</div>
                }
            })
        })
    };

    let overview = move || {
        current.get().and_then(|d| {
            (d.scored.is_ok() && !d.households.is_empty()).then(|| needs_overview(i18n, &d, heat_mode))
        })
    };

    let list = move || {
        current.get().and_then(|d| {
            (d.scored.is_ok() && !d.households.is_empty()).then(|| ranked_list(i18n, d.0.clone(), filters))
        })
    };

    // The editor re-renders only when the matrix's structure changes; new values of the
    // same structure (after a save) are filled into the existing form.
    let stored = Memo::new(move |_| current.get().map(|d| d.editable.clone()));

    // Texts are plain strings in closures that follow the language; the editor stays
    // outside them so that a language switch keeps what the user typed.
    view! {
        <article class="page" data-page="needs">
            {move || view! {
                <h1>{tr!(i18n, needs_title)}</h1>
                <p class="lead">{tr!(i18n, needs_intro)}</p>
                {status}
                {export_bar}
                <section aria-labelledby="ranked-h">
                    <h2 id="ranked-h">{tr!(i18n, needs_ranked_title)}</h2>
                    <p class="muted">{tr!(i18n, needs_ranked_help)}</p>
                    {list}
                </section>
                <section aria-labelledby="heat-h">
                    <h2 id="heat-h">{tr!(i18n, needs_heat_title)}</h2>
                    {overview}
                </section>
            }}
            <section aria-labelledby="tally-h" data-testid="ws-tally-section">
                <h2 id="tally-h">{t!(i18n, needs.tally_title)}</h2>
                {workshop_tally(i18n, current, tally_session)}
            </section>
            <section aria-labelledby="matrix-h">
                {move || view! {
                    <h2 id="matrix-h">{tr!(i18n, needs_matrix_title)}</h2>
                    <p class="muted">{tr!(i18n, needs_matrix_intro)}</p>
                }}
                <MatrixEditor stored=stored/>
            </section>
        </article>
    }
}
