//! `#/workspace` — the guides' workspace home: the cockpit (what needs the guide
//! today and the key indicators, `cockpit`), where each task is done, the
//! community at a glance, and the record counts.

mod cockpit;

use leptos::prelude::*;

use self::cockpit::CockpitView;
use crate::components::summary::{RecordCounts, SummaryCards};
use crate::i18n::*;
use crate::state::Route;

/// The workspace home.
#[component]
pub fn WorkspacePage() -> impl IntoView {
    let i18n = use_i18n();
    // One entry per workspace view, in the order of the navigation.
    let tasks = move || {
        [
            (
                Route::Register,
                t_string!(i18n, common.nav_register),
                t_string!(i18n, workspace.task_register),
            ),
            (
                Route::Needs,
                t_string!(i18n, common.nav_needs),
                t_string!(i18n, workspace.task_needs),
            ),
            (
                Route::Pb,
                t_string!(i18n, common.nav_pb),
                t_string!(i18n, workspace.task_pb),
            ),
            (
                Route::Allocation,
                t_string!(i18n, common.nav_allocation),
                t_string!(i18n, workspace.task_allocation),
            ),
            (
                Route::Plans,
                t_string!(i18n, common.nav_plans),
                t_string!(i18n, workspace.task_plans),
            ),
            (
                Route::Participation,
                t_string!(i18n, common.nav_participation),
                t_string!(i18n, workspace.task_participation),
            ),
            (
                Route::Requests,
                t_string!(i18n, common.nav_requests),
                t_string!(i18n, workspace.task_requests),
            ),
            (
                Route::Workshop,
                t_string!(i18n, common.nav_workshop),
                t_string!(i18n, workspace.task_workshop),
            ),
            (
                Route::Dashboard,
                t_string!(i18n, common.nav_dashboard),
                t_string!(i18n, workspace.task_dashboard),
            ),
            (
                Route::Settings,
                t_string!(i18n, common.nav_settings),
                t_string!(i18n, workspace.task_settings),
            ),
        ]
        .into_iter()
        .map(|(r, name, what)| {
            view! {
                <li><a href=r.href()>{name.to_string()}</a>" — "{what.to_string()}</li>
            }
        })
        .collect_view()
    };
    view! {
        <article class="page" data-page="workspace">
            <h1>{t!(i18n, common.workspace_title)}</h1>
            <p class="lead">{t!(i18n, common.workspace_intro)}</p>
            <CockpitView/>
            <nav aria-labelledby="ws-tasks" data-testid="workspace-tasks">
                <h2 id="ws-tasks">{t!(i18n, workspace.tasks_title)}</h2>
                <ul class="task-list">{tasks}</ul>
            </nav>
            <SummaryCards/>
            <RecordCounts/>
        </article>
    }
}
