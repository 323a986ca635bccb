//! Adopting a stored run for its period: one adopted run per period, never
//! undone, so a confirmation comes first; the adopted run is marked and the
//! other runs of its period cannot be adopted (the reason is shown).

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::decisions::{adopted_run, DecisionError, DecisionKind};
use linli_domain::plans::{CivilDate, Stamp};
use linli_domain::requests::calendar::local_day;

use super::open_db;
use crate::browser::now_millis;
use crate::components::form_message::{db_fail, say, Msg};
use crate::components::loaded::{Loaded, Shared};
use crate::components::WriteGuard;
use crate::db::decisions::{self as store, DecisionsData};
use crate::i18n::*;
use crate::state::use_storage;

pub(super) type Ctx = leptos_i18n::I18nContext<Locale>;

/// The decisions and plans the adoption parts read (loaded once by the page).
pub type Decided = Loaded<DecisionsData>;

/// Today in the community's time zone (Asia/Shanghai).
pub(super) fn today() -> CivilDate {
    CivilDate::from_days(local_day(now_millis()))
        .unwrap_or_else(|| CivilDate::from_days(0).expect("1970-01-01"))
}

/// Who records a decision now.
pub(super) fn stamp(session: crate::state::Session) -> Stamp {
    Stamp::new(session.actor(), now_millis())
}

/// A refused adoption in words, naming the rule.
fn adopt_error(i18n: Ctx, e: &DecisionError) -> String {
    match e {
        DecisionError::RunAlreadyAdopted {
            period,
            run_id,
            decision,
        } => t_string!(
            i18n,
            allocation.err_run_already_adopted,
            period = period,
            run = run_id,
            id = decision
        ),
        DecisionError::UnknownRun(id) => t_string!(i18n, allocation.err_unknown_run, run = id),
        DecisionError::RunOfOtherPeriod {
            run_id,
            run_period,
            period,
        } => t_string!(
            i18n,
            allocation.err_run_of_other_period,
            run = run_id,
            run_period = run_period,
            period = period
        ),
        DecisionError::BadRun { run_id, reason } => {
            format!(
                "{}{reason}",
                t_string!(i18n, allocation.err_bad_run, run = run_id)
            )
        }
        other => format!("{}{other}", t_string!(i18n, allocation.err_not_recorded)),
    }
}

/// The adoption cell of a stored run's row.
#[component]
pub fn AdoptCell(run_id: u32, period: String, decided: Decided, msg: Msg) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let p = period.clone();
    // None: not loaded; Some(None): nothing adopted; Some(Some((decision, run, on))).
    let state = Memo::new(move |_| {
        decided.current.get().map(|Shared(d)| {
            adopted_run(&d.decisions, &p).map(|x| {
                let run = match x.kind {
                    DecisionKind::AllocationAdopted { run_id, .. } => run_id,
                    _ => 0,
                };
                (x.id, run, x.on)
            })
        })
    });
    let p = period.clone();
    let on_yes = move |_| {
        asking.set(false);
        busy.set(true);
        let (period, by) = (p.clone(), stamp(session));
        spawn_local(async move {
            let r = match open_db(storage) {
                Ok(db) => store::adopt_run(&db, run_id, period.clone(), today(), by).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match r {
                Ok(Ok(d)) => {
                    let text = t_string!(
                        i18n,
                        allocation.adopt_done,
                        run = run_id,
                        period = period,
                        id = d.id
                    );
                    say(msg, Ok(text));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(adopt_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    move || {
        match state.get() {
        None => ().into_any(),
        Some(Some((_, run, on))) if run == run_id => view! {
            <span class="badge ok" data-testid="run-adopted">{t_string!(i18n, allocation.adopted_badge, on = on.to_string())}</span>
        }
        .into_any(),
        Some(Some((_, run, _))) => {
            let reason = t_string!(i18n, allocation.adopt_other, period = period.clone(), run = run);
            view! {
                <span class="row-actions">
                    <button type="button" disabled=true data-testid="adopt-run" title=reason.clone()>{t!(i18n, allocation.adopt_run)}</button>
                    " "<span class="muted small" data-testid="adopt-disabled-reason">{reason}</span>
                </span>
            }
            .into_any()
        }
        Some(None) => {
            let q = t_string!(i18n, allocation.adopt_run_q, id = run_id, period = period.clone());
            let on_yes = on_yes.clone();
            view! {
                <span class="row-actions">
                    <WriteGuard><button type="button" data-testid="adopt-run" disabled=move || busy.get()
                        on:click=move |_| asking.set(true)>{t!(i18n, allocation.adopt_run)}</button>
                    {move || asking.get().then(|| {
                        let on_yes = on_yes.clone();
                        view! {
                            <span class="confirm" role="alertdialog" aria-label=q.clone() data-testid="adopt-confirm">
                                <span>{q.clone()}</span>
                                <button type="button" class="primary" data-testid="adopt-yes" on:click=on_yes>{t!(i18n, allocation.adopt_yes)}</button>
                                <button type="button" data-testid="adopt-no" on:click=move |_| asking.set(false)>{t!(i18n, allocation.adopt_no)}</button>
                            </span>
                        }
                    })}
</WriteGuard>                </span>
            }
            .into_any()
        }
    }
    }
}
