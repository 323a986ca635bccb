//! The count: rule choice, the run in the worker (progress, cancel) and,
//! once done, the results (`results`).

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::pb::community::instance_for_period;

use super::results::Results;
use super::{rule_name, BASELINE, RULES};
use crate::browser::now_millis;
use crate::db::pb::PbData;
use crate::i18n::*;
use crate::pb_job::{Job, Reply, RuleResult};
use crate::pb_worker::PbRun;

#[derive(Debug, Clone)]
pub(super) enum CountState {
    Idle,
    Running { step: String, started: f64 },
    Done(Arc<Vec<RuleResult>>),
    Failed(String),
}

/// The rules to run for a choice: the chosen one, then the baseline.
pub(super) fn rules_for(chosen: String) -> Vec<String> {
    let mut rules = vec![chosen.clone()];
    if chosen != BASELINE {
        rules.push(BASELINE.to_owned());
    }
    rules
}

/// Starts `job` in the worker and drives `state`; the run is kept in `slot`
/// so that leaving the page or pressing cancel terminates the worker.
pub(super) fn start_count(
    i18n: I18nContext<Locale>,
    job: Job,
    state: RwSignal<CountState>,
    slot: StoredValue<Option<Rc<PbRun>>, LocalStorage>,
) {
    let started = now_millis() as f64;
    state.set(CountState::Running {
        step: t_string!(i18n, pb.step_reading).to_owned(),
        started,
    });
    let run = PbRun::start(&job, move |reply| {
        let step = match reply {
            Reply::Parsed { projects, voters, .. } => {
                format!("{} {projects} / {voters}", t_string!(i18n, pb.step_parsed))
            }
            Reply::Progress { rule, index, total } => {
                let name = rule_name(i18n, rule);
                format!(
                    "{} {}/{total}{}{name}",
                    t_string!(i18n, pb.step_computing),
                    index + 1,
                    t_string!(i18n, common.sep_colon)
                )
            }
            _ => return,
        };
        state.set(CountState::Running { step, started });
    });
    let run = match run {
        Ok(r) => Rc::new(r),
        Err(e) => return state.set(CountState::Failed(e)),
    };
    slot.set_value(Some(run.clone()));
    spawn_local(async move {
        let r = run.finish().await;
        // A cancelled run was replaced in the slot: ignore its end.
        let current = slot.with_value(|s| s.as_ref().is_some_and(|x| Rc::ptr_eq(x, &run)));
        if !current {
            return;
        }
        slot.set_value(None);
        state.set(match r {
            Ok(results) => CountState::Done(Arc::new(results)),
            Err(e) => CountState::Failed(e),
        });
    });
}

/// Terminates the run in `slot` when the view goes away.
pub(super) fn cancel_on_cleanup(slot: StoredValue<Option<Rc<PbRun>>, LocalStorage>) {
    on_cleanup(move || {
        if let Some(r) = slot.try_get_value().flatten() {
            r.cancel();
        }
    });
}

/// Cancels the run in `slot` (the cancel button).
pub(super) fn cancel(slot: StoredValue<Option<Rc<PbRun>>, LocalStorage>, state: RwSignal<CountState>) {
    if let Some(r) = slot.get_value() {
        r.cancel();
    }
    slot.set_value(None);
    state.set(CountState::Idle);
}

/// Rule choice, the count in the worker, and the outcome with explanations
/// and the comparison with the usual greedy count.
#[component]
pub(super) fn Count(data: Arc<PbData>, period: String) -> impl IntoView {
    let i18n = use_i18n();
    let rule = RwSignal::new(RULES[0].to_owned());
    let state = RwSignal::new(CountState::Idle);
    let slot = StoredValue::new_local(None::<Rc<PbRun>>);
    cancel_on_cleanup(slot);
    let built = instance_for_period(&data.ds, &period, None);
    let instance = built.as_ref().ok().map(|p| Arc::new(p.instance.clone()));
    let dropped = built.as_ref().map(|p| p.dropped_approvals).unwrap_or(0);
    let build_error = built.err().map(|e| e.to_string());
    let inst2 = instance.clone();
    let on_run = move |_| {
        let Some(inst) = inst2.clone() else { return };
        let Ok(text) = inst.to_pb_string() else { return };
        let job = Job {
            instance_pb: text,
            rules: rules_for(rule.get_untracked()),
            max_add1_iterations: None,
        };
        start_count(i18n, job, state, slot);
    };
    let on_cancel = move |_| cancel(slot, state);
    view! {
        <section class="card" aria-labelledby="pb-count-h">
            <h2 id="pb-count-h">{t!(i18n, pb.count_title)}</h2>
            {build_error.map(|e| view! { <p class="error" role="alert">{t!(i18n, pb.cannot_count)}<code>{e}</code></p> })}
            {(dropped > 0).then(|| view! { <p class="muted">{move || format!("{} {dropped}", t_string!(i18n, pb.dropped))}</p> })}
            <RuleControls rule=rule state=state on_run=on_run on_cancel=on_cancel enabled=instance.is_some()/>
            {move || match state.get() {
                CountState::Done(results) => {
                    let inst = instance.clone();
                    inst.map(|inst| view! { <Results data=data.clone() period=period.clone() instance=inst results=results/> }.into_any())
                }
                _ => None,
            }}
        </section>
    }
}

#[component]
pub(super) fn RuleControls(
    rule: RwSignal<String>,
    state: RwSignal<CountState>,
    on_run: impl Fn(leptos::ev::MouseEvent) + 'static,
    on_cancel: impl Fn(leptos::ev::MouseEvent) + 'static,
    enabled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let running = move || matches!(state.get(), CountState::Running { .. });
    // A ticking clock while the worker computes: proof the page is alive.
    let now = RwSignal::new(now_millis() as f64);
    let handle = set_interval_with_handle(
        move || now.set(now_millis() as f64),
        std::time::Duration::from_millis(200),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    view! {
        <div class="inline-form">
            <label>{t!(i18n, pb.rule)}
                <select data-testid="pb-rule" on:change=move |ev| rule.set(event_target_value(&ev))>
                    {RULES.iter().map(|code| view! { <option value=*code selected=move || rule.get() == *code>{move || rule_name(i18n, code)}</option> }).collect_view()}
                </select>
            </label>
            <button type="button" class="primary" data-testid="pb-run" on:click=on_run disabled=move || !enabled || running()>
                {t!(i18n, pb.run)}</button>
            <button type="button" data-testid="pb-cancel" on:click=on_cancel disabled=move || !running()>{t!(i18n, pb.cancel)}</button>
        </div>
        {move || match state.get() {
            CountState::Running { step, started } => view! {
                <p role="status" class="progress-row" data-testid="pb-progress"><span class="spinner" aria-hidden="true"></span>{step}
                    <span class="muted">{move || format!(" {:.1} s", (now.get() - started).max(0.0) / 1000.0)}</span></p>
            }.into_any(),
            CountState::Failed(e) => view! { <p class="error" role="alert">{t!(i18n, pb.count_failed)}<code>{e}</code></p> }.into_any(),
            _ => ().into_any(),
        }}
    }
}
