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

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::alloc::{
    allocate_inputs, categories_of, latest_period, prepare, AllocConfig, AllocError, AllocInputs,
    AllocationResult, Period, SETTING_KEY,
};
use linli_domain::dataset::Dataset;
use linli_domain::model::{AllocationRun, AuditEntry, Building, Grid, NeedCategory, Resource, Setting};

use crate::browser::now_millis;
use crate::components::alloc_config::ConfigEditor;
use crate::components::alloc_resources::ResourcesEditor;
use crate::components::alloc_results::{ResultView, RunsList};
use crate::components::labels::is_zh;
use crate::db::{Batch, Db, DbError};
use crate::i18n::*;
use crate::state::{use_storage, Storage};

/// A text in the current language.
pub fn tr(i18n: I18nContext<Locale>, zh: &str, en: &str) -> String {
    if is_zh(i18n) { zh } else { en }.to_owned()
}

/// What the page loads once per data revision: the stores allocation reads.
#[derive(Debug)]
pub struct AllocData {
    pub ds: Dataset,
    /// The need categories (setting `need_categories` or the demo's), or why not.
    pub categories: Result<Vec<NeedCategory>, AllocError>,
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

impl AllocData {
    pub fn new(ds: Dataset) -> Self {
        let categories = categories_of(&ds);
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

    /// The categories for labels (the demo's if the setting is broken).
    pub fn category_list(&self) -> Vec<NeedCategory> {
        self.categories
            .clone()
            .unwrap_or_else(|_| linli_domain::demo::default_categories())
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
        list.sort_by_key(|r| (linli_domain::alloc::KINDS.iter().position(|k| *k == r.kind), r.id));
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

async fn load(db: Db) -> Result<AllocData, DbError> {
    let ds = Dataset {
        settings: db.get_all::<Setting>("settings").await?,
        grids: db.get_all::<Grid>("grids").await?,
        buildings: db.get_all::<Building>("buildings").await?,
        households: db.households().await?,
        resources: db.get_all("resources").await?,
        allocation_runs: db.get_all::<AllocationRun>("allocation_runs").await?,
        requests: db.get_all("requests").await?,
        plans: db.get_all("plans").await?,
        spending: db.get_all("spending").await?,
        ..Dataset::default()
    };
    Ok(AllocData::new(ds))
}

/// Loaded data compared by identity, so views re-render only on a new load.
#[derive(Debug, Clone)]
pub struct Shared(pub Arc<AllocData>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
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

/// An audit entry of this page.
pub fn audit(
    id: u32,
    entity: &str,
    entity_id: u32,
    action: &str,
    summary: String,
    actor: String,
) -> AuditEntry {
    AuditEntry {
        id,
        at: now_millis(),
        actor,
        entity: entity.into(),
        entity_id,
        action: action.into(),
        summary,
    }
}

/// Writes what `build` adds to a batch (given the next audit id) in one transaction, then
/// tells every view. Returns only after the transaction completed.
pub async fn save(
    storage: Storage,
    build: impl FnOnce(&mut Batch, u32) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let db = storage.db().ok_or(DbError::Unavailable)?;
    let audit_id = db.max_key("audit_log").await? + 1;
    let mut batch = Batch::default();
    build(&mut batch, audit_id)?;
    db.commit(batch).await?;
    storage.changed();
    Ok(())
}

/// The allocation page.
#[component]
pub fn AllocationPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { Some(load(db).await.map(Arc::new)) });
    let current = Memo::new(move |_| match data.get() {
        Some(Some(Ok(d))) => Some(Shared(d)),
        _ => None,
    });
    let phase = Memo::new(move |_| match data.get() {
        None | Some(None) => 0u8,
        Some(Some(Err(_))) => 1,
        Some(Some(Ok(_))) => 2,
    });
    let chosen = RwSignal::new(None::<String>);
    let periods = Memo::new(move |_| current.get().map(|s| s.0.periods.clone()).unwrap_or_default());
    let period = Memo::new(move |_| {
        let ps = periods.get();
        chosen
            .get()
            .filter(|p| ps.contains(p))
            .or_else(|| current.with(|c| c.as_ref().and_then(|s| latest_period(&s.0.ds))))
    });
    let run = RwSignal::new(RunState::Idle);
    // Stored runs, newest first.
    let runs = Memo::new(move |_| {
        current
            .get()
            .map(|Shared(d)| {
                let mut v = d.ds.allocation_runs.clone();
                v.sort_by_key(|r| std::cmp::Reverse(r.id));
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
        let Some(Shared(d)) = current.get() else { return };
        let stale = run.with_untracked(|r| match r {
            RunState::Done(c) => c.key != d.run_key(&c.period),
            _ => false,
        });
        if stale {
            run.set(RunState::Stale);
        }
    });

    let on_run = move |_| {
        let (Some(Shared(d)), Some(p)) = (current.get_untracked(), period.get_untracked()) else {
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

    let body = move || {
        match phase.get() {
        0 => view! { <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, loading)}</p> }.into_any(),
        1 => {
            let msg = match data.get_untracked() {
                Some(Some(Err(e))) => e.to_string(),
                _ => String::new(),
            };
            view! { <p class="error" role="alert">{t!(i18n, status_error)}<code>{msg}</code></p> }.into_any()
        }
        _ => view! {
            {move || {
                let ps = periods.get();
                let p = period.get();
                if ps.is_empty() {
                    view! { <p class="empty" data-testid="alloc-no-resources">{move || tr(i18n,
                        "还没有任何资源。先在下面登记本期的资金、服务名额或场地时段。",
                        "No resources yet. Record the period's money, service slots or room hours below.")}</p> }.into_any()
                } else {
                    view! {
                        <div class="period-pick">
                            <label>{move || tr(i18n, "期次", "Period")}" "
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
                <h2 id="alloc-run-h">{move || tr(i18n, "运行调配", "Run the allocation")}</h2>
                <p class="muted small">{move || tr(i18n,
                    "按已保存的配置运行：应急储备金先提留，其余按基础池（固定规则）与机动池（季度需求）分配；每个池按最大余额法精确分到每一分钱。",
                    "Runs with the saved configuration: the emergency reserve is set aside first, the rest is split into the base pool (fixed rules) and the flexible pool (quarterly demand); each pool is apportioned exactly by largest remainder, to the fen.")}</p>
                {move || current.with(|c| c.as_ref().and_then(|s| s.0.config.as_ref().err().map(ToString::to_string))).map(|e| view! {
                    <p class="error" role="alert" data-testid="alloc-config-invalid">{move || tr(i18n, "已保存的调配配置无效，请在上面改正后保存：", "The saved allocation configuration is invalid; fix it above and save: ")}<br/><code>{e}</code></p>
                })}
                <div class="actions">
                    <button type="button" class="primary" data-testid="alloc-run" on:click=on_run
                        disabled=move || {
                            matches!(run.get(), RunState::Running)
                                || period.get().is_none()
                                || current.with(|c| c.as_ref().is_none_or(|s| s.0.config.is_err()))
                        }>
                        {move || tr(i18n, "运行调配", "Run allocation")}
                    </button>
                    {move || period.get().map(|p| view! { <span class="muted">{move || tr(i18n, "期次：", "Period: ")}{p.clone()}</span> })}
                </div>
                {move || match run.get() {
                    RunState::Idle => ().into_any(),
                    RunState::Running => view! { <p class="muted" role="status" data-testid="alloc-running"><span class="spinner" aria-hidden="true"></span>{move || tr(i18n, "正在计算…", "Computing…")}</p> }.into_any(),
                    RunState::Failed(e) => view! { <p class="error" role="alert" data-testid="alloc-run-error">{move || tr(i18n, "无法调配：", "Cannot allocate: ")}<br/><code>{e}</code></p> }.into_any(),
                    RunState::Stale => view! { <p class="muted" role="status" data-testid="alloc-stale">{move || tr(i18n, "数据或配置已更改，请重新运行。", "The data or configuration changed; run again.")}</p> }.into_any(),
                    RunState::Done(c) => view! { <ResultView computed=c runs=runs/> }.into_any(),
                }}
            </section>
            <RunsList runs=runs/>
        }
        .into_any(),
    }
    };

    view! {
        <article class="page alloc" data-page="allocation">
            <h1>{move || tr(i18n, "资源调配", "Resource allocation")}</h1>
            <p class="lead">{move || tr(i18n,
                "每季度的资金、服务名额和场地时段：应急储备金（默认 5%）先提留，其余 70% 按固定规则（符合条件的人数）进入基础池、30% 按季度需求进入机动池；每一笔都能说明依据，并检查各群体是否公平。",
                "Each quarter's money, service slots and room hours: the emergency reserve (5% by default) is set aside first; of the rest, 70% follows fixed rules (eligible headcount) in the base pool and 30% follows quarterly demand in the flexible pool. Every amount is explained and checked for fairness between groups.")}</p>
            {body}
        </article>
    }
}
