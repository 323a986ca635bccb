//! `#/allocation` — resource pools and allocation (资源弹性调配池, SPEC §2.3) and cost
//! sharing (多方协同分配, §2.4): the period's resources, the allocation configuration
//! (setting `alloc_config`), a run with its explanations, indicators, group fairness,
//! charts, comparison with the previous period, a what-if scenario, cost sharing, CSV
//! exports, and stored runs that can be verified.
//!
//! Every figure comes from `linli_domain::alloc` — the same engine `linli allocate` runs
//! — so what the page shows and exports is what the CLI prints for a backup of the same
//! data. The run is fast (tens of milliseconds on the demo), so it runs on the main thread
//! after the "running" state has been painted.
//!
//! Private parts: `resources` (resource editor), `config*` (configuration editor),
//! `results` with `kind`, `explain`, `fairness`, `cost`, `compare`, `whatif`, `export`
//! (a run's result), `runs` (stored runs), `format` (figures as text). Reads and writes
//! go through `crate::db::allocation`.

mod adopt;
mod compare;
mod config;
mod config_errors;
mod config_fields;
mod cost;
mod explain;
mod export;
mod fairness;
mod format;
mod kind;
mod reserve;
mod resources;
mod results;
mod runs;
mod whatif;

use linli_domain::order::SortDyn;
use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::alloc::{
    allocate_inputs, categories_of, latest_period, prepare, AllocConfig, AllocError, AllocInputs,
    AllocationResult, Period, SETTING_KEY,
};
use linli_domain::dataset::Dataset;
use linli_domain::model::{NeedCategory, Resource};

use self::config::ConfigEditor;
use self::reserve::ReserveRelease;
use self::resources::ResourcesEditor;
use self::results::ResultView;
use self::runs::RunsList;
use crate::components::loaded::{load, LoadGate, Shared};
use crate::db::{Db, DbError};
use crate::i18n::*;
use crate::state::{use_storage, Storage};

/// What the page loads once per data revision: the stores allocation reads.
#[derive(Debug)]
pub struct AllocData {
    pub ds: Dataset,
    /// The categories for labels: the need categories (sorted by code), or the demo's
    /// when the setting does not make a valid category list for allocation.
    pub categories: Vec<NeedCategory>,
    /// The configuration runs use: the setting, validated, or the defaults.
    pub config: Result<AllocConfig, AllocError>,
    /// The configuration as the editor starts from it: the setting as parsed even if it
    /// does not validate (so that it can be fixed), else the defaults.
    pub editable: AllocConfig,
    /// The defaults for the dataset's categories.
    pub defaults: AllocConfig,
    /// Whether the `alloc_config` setting exists.
    pub stored: bool,
    /// Periods with resources, newest first.
    pub periods: Vec<String>,
}

/// The loaded data as the page's parts receive it.
type Current = Memo<Option<Shared<AllocData>>>;

impl AllocData {
    /// `categories` are the need categories as `Db::need_categories` reads them.
    pub fn new(ds: Dataset, mut categories: Vec<NeedCategory>) -> Self {
        // The engine's own check of the categories (codes unique and not empty).
        let categories = if categories_of(&ds).is_ok() {
            categories.sort_by_dyn(|a, b| a.code.cmp(&b.code));
            categories
        } else {
            linli_domain::demo::default_categories()
        };
        let config = AllocConfig::from_dataset(&ds);
        let defaults = AllocConfig::default_for(&ds).unwrap_or_default();
        let setting = ds.settings.iter().find(|s| s.key == SETTING_KEY);
        let editable = setting
            .and_then(|s| serde_json::from_str::<AllocConfig>(&s.value).ok())
            .unwrap_or_else(|| defaults.clone());
        let set: BTreeSet<Period> = ds
            .resources
            .iter()
            .filter_map(|r| Period::parse(&r.period).ok())
            .collect();
        let periods = set.into_iter().rev().map(|p| p.to_string()).collect();
        Self {
            stored: setting.is_some(),
            ds,
            categories,
            config,
            editable,
            defaults,
            periods,
        }
    }

    /// The categories for labels.
    pub fn category_list(&self) -> Vec<NeedCategory> {
        self.categories.clone()
    }

    /// The period's resources, by kind then id.
    pub fn resources_of(&self, period: &str) -> Vec<Resource> {
        let mut list: Vec<Resource> = self
            .ds
            .resources
            .iter()
            .filter(|r| r.period == period)
            .cloned()
            .collect();
        list.sort_by_key_dyn(|r| (linli_domain::alloc::KINDS.iter().position(|k| *k == r.kind), r.id));
        list
    }

    /// What a run of `period` depends on that this page can change: the configuration, the
    /// period's and the previous period's resources, and the previous period's stored runs.
    /// A shown result whose key differs is out of date.
    pub fn run_key(&self, period: &str) -> String {
        let config = self.config.as_ref().map(AllocConfig::to_json).unwrap_or_default();
        let previous = Period::parse(period)
            .map(|p| p.previous().to_string())
            .unwrap_or_default();
        let resources = serde_json::to_string(&(self.resources_of(period), self.resources_of(&previous)))
            .unwrap_or_default();
        let runs: Vec<u32> = self
            .ds
            .allocation_runs
            .iter()
            .filter(|r| r.period == previous)
            .map(|r| r.id)
            .collect();
        format!("{config}|{resources}|{runs:?}|{}", self.ds.households.len())
    }
}

async fn load_data(db: Db) -> Result<AllocData, DbError> {
    let ds = db.allocation_dataset().await?;
    let categories = db.need_categories().await?;
    Ok(AllocData::new(ds, categories))
}

/// The open database, for a write.
fn open_db(storage: Storage) -> Result<Db, DbError> {
    storage.db().ok_or(DbError::Unavailable)
}

/// Tells every view after a committed write; passes the result on.
fn written<T>(storage: Storage, result: Result<T, DbError>) -> Result<T, DbError> {
    if result.is_ok() {
        storage.changed();
    }
    result
}

/// A finished run: what it read and what it gave.
#[derive(Debug)]
pub struct Computed {
    pub period: String,
    pub key: String,
    pub inputs: AllocInputs,
    pub config: AllocConfig,
    pub result: AllocationResult,
    pub categories: Vec<NeedCategory>,
    /// `prepare` + `allocate_inputs` in the browser, milliseconds.
    pub millis: f64,
}

/// The run's state.
#[derive(Debug, Clone)]
pub enum RunState {
    Idle,
    Running,
    Done(Arc<Computed>),
    /// The domain's message (it names what to fix).
    Failed(String),
    /// The data changed since the shown result.
    Stale,
}

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs the allocation of `period` on loaded data.
pub fn compute(d: &AllocData, period: &str) -> Result<Computed, AllocError> {
    let config = d.config.clone()?;
    let t0 = perf_now();
    let inputs = prepare(&d.ds, &config, period)?;
    let result = allocate_inputs(&inputs, &config)?;
    let millis = perf_now() - t0;
    Ok(Computed {
        period: period.to_owned(),
        key: d.run_key(period),
        inputs,
        config,
        result,
        categories: d.category_list(),
        millis,
    })
}

/// The allocation page.
#[component]
pub fn AllocationPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = load(storage, load_data);
    let decided = load(storage, |db| async move { crate::db::decisions::load(&db).await });
    let current: Current = data.current;
    let chosen = RwSignal::new(None::<String>);
    let periods = Memo::new(move |_| current.get().map(|s| s.periods.clone()).unwrap_or_default());
    let period = Memo::new(move |_| {
        let ps = periods.get();
        chosen
            .get()
            .filter(|p| ps.contains(p))
            .or_else(|| current.with(|c| c.as_ref().and_then(|s| latest_period(&s.ds))))
    });
    let run = RwSignal::new(RunState::Idle);
    // Stored runs, newest first.
    let runs = Memo::new(move |_| {
        current
            .get()
            .map(|d| {
                let mut v = d.ds.allocation_runs.clone();
                v.sort_by_key_dyn(|r| std::cmp::Reverse(r.id));
                v
            })
            .unwrap_or_default()
    });

    // A result is for one period and one state of the data.
    Effect::new(move |prev: Option<Option<String>>| {
        let p = period.get();
        if prev.is_some_and(|old| old != p) {
            run.set(RunState::Idle);
        }
        p
    });
    Effect::new(move |_| {
        let Some(d) = current.get() else { return };
        let stale = run.with_untracked(|r| match r {
            RunState::Done(c) => c.key != d.run_key(&c.period),
            _ => false,
        });
        if stale {
            run.set(RunState::Stale);
        }
    });

    let on_run = move |_| {
        let (Some(d), Some(p)) = (current.get_untracked(), period.get_untracked()) else {
            return;
        };
        run.set(RunState::Running);
        // Let the "running" state paint, then compute on the main thread.
        request_animation_frame(move || {
            set_timeout(
                move || {
                    run.set(match compute(&d, &p) {
                        Ok(c) => RunState::Done(Arc::new(c)),
                        Err(e) => RunState::Failed(e.to_string()),
                    });
                },
                std::time::Duration::from_millis(0),
            );
        });
    };
    let config_error = move || {
        current.with(|c| {
            c.as_ref()
                .and_then(|s| s.config.as_ref().err().map(ToString::to_string))
        })
    };

    view! {
        <article class="page alloc" data-page="allocation">
            <h1>{t!(i18n, allocation.resource_allocation)}</h1>
            <p class="lead">{t!(i18n, allocation.lead)}</p>
            <LoadGate phase=data.phase error=Signal::derive(move || data.error())>
                {move || {
                    let ps = periods.get();
                    let p = period.get();
                    if ps.is_empty() {
                        view! { <p class="empty" data-testid="alloc-no-resources">{t!(i18n, allocation.no_resources_yet)}</p> }.into_any()
                    } else {
                        view! {
                            <div class="period-pick">
                                <label>{t!(i18n, allocation.period)}" "
                                    <select data-testid="alloc-period" on:change=move |ev| chosen.set(Some(event_target_value(&ev)))>
                                        {ps.iter().map(|x| view! { <option value=x.clone() selected=Some(x) == p.as_ref()>{x.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                            </div>
                        }.into_any()
                    }
                }}
                <ResourcesEditor current=current period=period chosen=chosen/>
                <ConfigEditor current=current/>
                <section class="card" aria-labelledby="alloc-run-h">
                    <h2 id="alloc-run-h">{t!(i18n, allocation.run_the_allocation)}</h2>
                    <p class="muted small">{t!(i18n, allocation.run_help)}</p>
                    {move || config_error().map(|e| view! {
                        <p class="error" role="alert" data-testid="alloc-config-invalid">{t!(i18n, allocation.config_invalid_saved)}<br/><code>{e}</code></p>
                    })}
                    <div class="actions">
                        <button type="button" class="primary" data-testid="alloc-run" on:click=on_run
                            disabled=move || {
                                matches!(run.get(), RunState::Running)
                                    || period.get().is_none()
                                    || current.with(|c| c.as_ref().is_none_or(|s| s.config.is_err()))
                            }>
                            {t!(i18n, allocation.run_allocation)}
                        </button>
                        {move || period.get().map(|p| view! { <span class="muted">{t!(i18n, allocation.period_label)}{p}</span> })}
                    </div>
                    {move || match run.get() {
                        RunState::Idle => ().into_any(),
                        RunState::Running => view! { <p class="muted" role="status" data-testid="alloc-running"><span class="spinner" aria-hidden="true"></span>{t!(i18n, allocation.computing)}</p> }.into_any(),
                        RunState::Failed(e) => view! { <p class="error" role="alert" data-testid="alloc-run-error">{t!(i18n, allocation.cannot_allocate)}<br/><code>{e}</code></p> }.into_any(),
                        RunState::Stale => view! { <p class="muted" role="status" data-testid="alloc-stale">{t!(i18n, allocation.stale)}</p> }.into_any(),
                        RunState::Done(c) => view! { <ResultView computed=c runs=runs/> }.into_any(),
                    }}
                </section>
                <RunsList runs=runs decided=decided/>
                <ReserveRelease current=current period=period decided=decided/>
            </LoadGate>
        </article>
    }
}
