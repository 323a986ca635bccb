//! `#/workshop` — workshop mode for a projector (SPEC §2.8).
//!
//! One laptop, a projector, 20–60 residents. The view covers the whole window
//! (F: the browser's full screen), type is at least 28 px, contrast is high, and
//! everything is driven from the keyboard or a presenter clicker:
//!
//! | key | map | voting |
//! |---|---|---|
//! | 1–9 | choose a need category | choose a proposal |
//! | arrows | move the cursor over the plan | ↑ ↓ move between proposals |
//! | PageUp / PageDown (clicker) | previous / next category | previous / next proposal |
//! | Enter | place a dot | place the participant's dot |
//! | Z, Ctrl+Z, ⌘Z | undo (dots, votes, change of participant) | |
//! | N | | next participant |
//! | space | start / stop the timer (+ / − a minute, R reset) | |
//! | V, L, H, S, F | voting, layout, heat only, save, full screen | |
//!
//! The key map itself is `linli_domain::workshop::keys` (pure, tested); `keys`
//! here translates the DOM event and performs the action.
//!
//! The session lives in memory (`linli_domain::workshop::Session`) and, after each
//! change, in the setting `workshop_draft` (`draft`), so a reload resumes it; when
//! it is saved its needs dots become the setting `workshop_needs` (per building
//! and category) and its voting dots become approval ballots (source `workshop`),
//! in one transaction (`crate::db::workshop`). The plan is a `<canvas>` pair
//! (heat, dots) under HTML building tiles; see `crate::charts::workshop_plan`.
//! Nothing here uses the network: the workshop works offline.
//!
//! Saved sessions are kept whole and listed (`sessions`): one can be reopened and
//! continued; saving it again replaces its record, its tally and its ballots.
//!
//! Parts: `state` (the shared handle and the repaints), `actions`, `keys`,
//! `save`, `sessions` (saved sessions), `export` (CSV, PNG), `plan` (the plan
//! view), `panels` (the rest).

mod actions;
mod draft;
mod export;
mod keys;
mod panels;
mod plan;
mod save;
mod sessions;
mod state;

use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::workshop::keys::Mode;

use self::draft::DraftBar;
use self::panels::{Footer, Header, Side, VoteList};
use self::plan::PlanView;
use self::state::Ws;
use crate::components::loaded::{load, LoadGate, Phase, Shared};
use crate::db::workshop::WorkshopData;
use crate::i18n::*;
use crate::state::use_storage;

/// Workshop mode. The data is loaded once: saving (which reloads other views)
/// never resets a running session, and a later failed reload does not end it.
#[component]
pub fn WorkshopPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = load(use_storage(), |db| async move { db.workshop_data().await });
    // The first loaded data, kept.
    let frozen = Memo::new(move |prev: Option<&Option<Shared<WorkshopData>>>| match prev {
        Some(Some(d)) => Some(d.clone()),
        _ => loaded.current.get(),
    });
    let phase = Signal::derive(move || {
        if frozen.with(Option::is_some) {
            Phase::Loaded
        } else {
            loaded.phase.get()
        }
    });
    view! {
        <article class="page workshop ws" data-page="workshop" tabindex="-1">
            {move || frozen.with(Option::is_none).then(|| view! { <h1>{t!(i18n, workshop.title)}</h1> })}
            <LoadGate phase error=Signal::derive(move || loaded.error())>
                {move || frozen.get().map(|d| view! { <Workshop data=Arc::clone(&d.0)/> })}
            </LoadGate>
        </article>
    }
}

/// A running workshop over `data`.
#[component]
fn Workshop(data: Arc<WorkshopData>) -> impl IntoView {
    let ws = Ws::new(data);
    ws.listen();
    // A change made just before leaving or reloading is kept at once.
    let hide = window_event_listener(leptos::ev::pagehide, move |_| ws.keep_draft());
    on_cleanup(move || {
        hide.remove();
        ws.keep_draft();
    });
    view! {
        <Header ws/>
        <div class="ws-body">
            <div class="ws-main" node_ref=ws.main_ref data-testid="ws-main">
                {move || (ws.mode.get() == Mode::Vote).then(|| view! { <VoteList ws/> })}
                <PlanView ws/>
            </div>
            <Side ws/>
        </div>
        <Footer ws/>
        <DraftBar ws/>
    }
}
