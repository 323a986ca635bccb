//! `#/requests` — resident requests (诉求三色管理, SPEC §2.7) and the warnings of
//! SPEC §2.10 with their improvement items (PDCA).
//!
//! Intake computes the due time on the working-day calendar (setting
//! `work_calendar`, editable here; 2027 is provisional) and a tracking code from
//! 80 bits of `crypto.getRandomValues`. Status changes and closing are checked by
//! `linli_domain::requests::lifecycle` inside the read-write transaction that
//! writes them (`crate::db::requests`), so a request never moves backwards, even
//! from two tabs. Closing with a rating re-checks satisfaction in the same
//! transaction and opens an improvement item when it is below 85%.

mod calendar;
mod detail;
mod intake;
mod list;
mod resident;
mod warnings;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::model::{RequestColour, RequestStatus};
use linli_domain::requests::lifecycle::RequestError;

use self::calendar::CalendarView;
use self::detail::DetailView;
use self::intake::{IntakeView, LookupView};
use self::list::ListView;
use self::resident::{IntakeKeysView, ResidentIntakeView};
use self::warnings::WarningsView;
use crate::components::loaded::{load, LoadGate, Shared};
use crate::db::requests::{self as store, RequestsData};
use crate::i18n::*;
use crate::state::use_storage;

type Ctx = I18nContext<Locale>;

/// The loaded data, newest first (`None` until loaded).
type Current = Memo<Option<Shared<RequestsData>>>;

/// The name of a status.
pub fn status_name(i18n: Ctx, s: RequestStatus) -> String {
    match s {
        RequestStatus::Received => t_string!(i18n, requests.status_received),
        RequestStatus::Assigned => t_string!(i18n, requests.status_assigned),
        RequestStatus::InProgress => t_string!(i18n, requests.status_in_progress),
        RequestStatus::Resolved => t_string!(i18n, requests.status_resolved),
        RequestStatus::Closed => t_string!(i18n, requests.status_closed),
        RequestStatus::Rejected => t_string!(i18n, requests.status_rejected),
        RequestStatus::Duplicate => t_string!(i18n, requests.status_duplicate),
    }
    .to_owned()
}

/// The name of a colour with its time limit.
pub fn colour_name(i18n: Ctx, c: RequestColour) -> String {
    match c {
        RequestColour::Red => t_string!(i18n, requests.colour_red),
        RequestColour::Yellow => t_string!(i18n, requests.colour_yellow),
        RequestColour::Blue => t_string!(i18n, requests.colour_blue),
    }
    .to_owned()
}

/// The classes of a colour's dot (`req-dot <code>`).
fn colour_class(c: RequestColour) -> String {
    format!("req-dot {}", c.code())
}

/// A refusal of the life cycle in words.
fn request_error(i18n: Ctx, e: &RequestError) -> String {
    match e {
        RequestError::NoCategory => t_string!(i18n, requests.err_no_category).to_owned(),
        RequestError::NoDescription => t_string!(i18n, requests.err_no_description).to_owned(),
        RequestError::DescriptionTooLong => t_string!(i18n, requests.err_too_long).to_owned(),
        RequestError::Backwards { from, to } => t_string!(
            i18n,
            requests.err_backwards,
            from = status_name(i18n, *from),
            to = status_name(i18n, *to)
        ),
        RequestError::Same(s) => format!("{}{}", t_string!(i18n, requests.err_same), status_name(i18n, *s)),
        RequestError::TimeBackwards => t_string!(i18n, requests.err_time_backwards).to_owned(),
        RequestError::Rating => t_string!(i18n, requests.err_rating).to_owned(),
        RequestError::NoNote => t_string!(i18n, requests.err_note_required).to_owned(),
        RequestError::NoteTooLong => {
            t_string!(
                i18n,
                requests.err_note_too_long,
                max = linli_domain::requests::lifecycle::MAX_NOTE
            )
        }
        RequestError::NoAssignee => t_string!(i18n, requests.err_move_no_assignee).to_owned(),
        RequestError::AssigneeTooLong => t_string!(i18n, requests.err_assign_too_long).to_owned(),
    }
}

/// The requests page.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = load(use_storage(), |db| async move { store::load(&db).await });
    let current = loaded.current;
    let selected = RwSignal::new(None::<u32>);
    // The views stay mounted across reloads (their forms keep what was typed).
    view! {
        <article class="page reqs" data-page="requests">
            <h1>{t!(i18n, requests.title)}</h1>
            <p class="lead">{t!(i18n, requests.lead)}</p>
            <LoadGate phase=loaded.phase error=Signal::derive(move || loaded.error())>
                <ResidentIntakeView current=current selected=selected/>
                <IntakeView current=current selected=selected/>
                <LookupView current=current selected=selected/>
                <ListView current=current selected=selected/>
                <DetailView current=current selected=selected/>
                <WarningsView current=current/>
                <CalendarView current=current/>
                <IntakeKeysView current=current/>
            </LoadGate>
        </article>
    }
}
