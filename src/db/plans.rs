//! Typed reads and writes of the plans view (`#/plans`, `#/plans/<id>`): the
//! only IndexedDB code it uses.
//!
//! The `plans` store holds one serialised [`PlanCase`] per record (key `id`,
//! index `by_stage` on `stage`). Every change is a checked write
//! ([`Db::checked`]): the case is read inside the read-write transaction,
//! [`PlanCase::apply`] decides under the plan rules read in that same
//! transaction, and the new case is written with one history entry
//! (`Batch::audit`). A refusal writes nothing. A new plan's id is chosen inside
//! its transaction.

use linli_domain::alloc::{AllocConfig, AllocationResult, CategoryCost, CostRules};
use linli_domain::decisions::{Decision, DecisionKind};
use linli_domain::model::{AllocationRun, Millis, NeedCategory, Resource, Setting};
use linli_domain::order::SortDyn;
use linli_domain::plans::{
    CivilDate, Command, Internal, PlanCase, PlanContent, PlanError, PlanRules, Stage, Stamp,
};
use linli_domain::requests::calendar::local_day;
use wasm_bindgen::JsValue;

use super::settings::STORE as SETTINGS;
use super::{Batch, Db, DbError, Read};

/// The plans store.
pub const STORE: &str = "plans";
/// The adopted decisions store (present from the schema that adds it).
const DECISIONS: &str = "decisions";
const RUNS: &str = "allocation_runs";
const RESOURCES: &str = "resources";

/// Today in the community's time zone (Asia/Shanghai, UTC+8, no daylight
/// saving): the default business date of every form.
pub fn today(now: Millis) -> CivilDate {
    CivilDate::from_days(local_day(now)).unwrap_or_else(|| CivilDate::from_days(0).expect("1970-01-01"))
}

/// The period's adopted allocation run, as the plan form uses it.
#[derive(Debug, Clone)]
pub struct AdoptedRun {
    pub period: String,
    pub run_id: u32,
    pub on: CivilDate,
    /// Who pays for each category (the run's cost sharing), or why it cannot be read.
    pub categories: Result<Vec<CategoryCost>, String>,
}

/// What the plans list and the new-plan form load once per data revision.
#[derive(Debug)]
pub struct PlansData {
    /// Every plan, by id.
    pub plans: Vec<PlanCase>,
    pub categories: Vec<NeedCategory>,
    /// The plan rules (setting `plan_rules`), or why they cannot be read.
    pub rules: Result<PlanRules, String>,
    /// The cost-sharing rules of the allocation configuration (setting
    /// `alloc_config`, or the default for the categories), or why not.
    pub cost_rules: Result<CostRules, String>,
    /// The adopted allocation run of each period that has one.
    pub adopted: Vec<AdoptedRun>,
    /// Whether this database has the `decisions` store at all.
    pub decisions_store: bool,
    /// Periods known from resources, decisions and plans, sorted.
    pub periods: Vec<String>,
}

/// What a plan's page loads once per data revision.
#[derive(Debug)]
pub struct PlanData {
    /// `None` when there is no plan of that id.
    pub plan: Option<PlanCase>,
    pub categories: Vec<NeedCategory>,
    pub rules: Result<PlanRules, String>,
    pub cost_rules: Result<CostRules, String>,
    /// The recorded decisions that fund the plan (a funded PB proposal,
    /// reserve releases), in decision order.
    pub origins: Vec<linli_domain::decisions::PlanOrigin>,
}

fn rules_of(settings: &[Setting]) -> Result<PlanRules, String> {
    linli_domain::settings::plan_rules(settings).map_err(|e| e.to_string())
}

fn cost_rules_of(settings: &[Setting], categories: &[NeedCategory]) -> Result<CostRules, String> {
    match settings
        .iter()
        .find(|s| s.key == linli_domain::alloc::SETTING_KEY)
    {
        Some(s) => AllocConfig::from_json(&s.value)
            .map(|c| c.cost_sharing)
            .map_err(|e| e.to_string()),
        None => Ok(AllocConfig::for_categories(categories).cost_sharing),
    }
}

/// Every plan, by id.
///
/// # Errors
///
/// [`DbError`] with the browser's error name, or [`DbError::Decode`] naming
/// `plans` for a stored case that is not a valid [`PlanCase`].
pub async fn list(db: &Db) -> Result<Vec<PlanCase>, DbError> {
    let mut plans: Vec<PlanCase> = db.get_all(STORE).await?;
    plans.sort_by_key_dyn(PlanCase::id);
    Ok(plans)
}

/// The plans in one stage (index `by_stage`).
///
/// # Errors
///
/// As [`list`].
pub async fn list_in(db: &Db, stage: Stage) -> Result<Vec<PlanCase>, DbError> {
    let mut plans: Vec<PlanCase> = db
        .get_by_index(STORE, "by_stage", &JsValue::from_str(stage.code()))
        .await?;
    plans.sort_by_key_dyn(PlanCase::id);
    Ok(plans)
}

/// One plan.
///
/// # Errors
///
/// As [`list`].
pub async fn get(db: &Db, id: u32) -> Result<Option<PlanCase>, DbError> {
    db.get(STORE, &JsValue::from(id)).await
}

/// The adopted allocation runs: one per period (the first adoption counts; the
/// adoption rules keep it the only one).
async fn adopted_runs(db: &Db, decisions: &[Decision]) -> Result<Vec<AdoptedRun>, DbError> {
    let mut out: Vec<AdoptedRun> = Vec::new();
    for d in decisions {
        let DecisionKind::AllocationAdopted { run_id, .. } = &d.kind else {
            continue;
        };
        if out.iter().any(|a| a.period == d.period) {
            continue;
        }
        let run: Option<AllocationRun> = db.get(RUNS, &JsValue::from(*run_id)).await?;
        let categories = match run {
            None => Err(format!("allocation run {run_id} is not stored")),
            Some(r) => serde_json::from_str::<AllocationResult>(&r.outputs_json)
                .map_err(|e| format!("allocation run {run_id}: {e}"))
                .and_then(|res| {
                    res.cost_sharing
                        .map(|c| c.by_category)
                        .ok_or_else(|| format!("allocation run {run_id} has no money"))
                }),
        };
        out.push(AdoptedRun {
            period: d.period.clone(),
            run_id: *run_id,
            on: d.on,
            categories,
        });
    }
    out.sort_by_dyn(|a, b| a.period.cmp(&b.period));
    Ok(out)
}

/// Everything the plans list and the new-plan form show.
///
/// # Errors
///
/// As [`list`]; a decision or run that does not decode.
pub async fn load(db: &Db) -> Result<PlansData, DbError> {
    let plans = list(db).await?;
    let settings = db.settings().await?;
    let categories = db.need_categories().await?;
    let decisions_store = db.store_names().iter().any(|s| s == DECISIONS);
    let decisions: Vec<Decision> = if decisions_store {
        db.get_all(DECISIONS).await?
    } else {
        Vec::new()
    };
    let adopted = adopted_runs(db, &decisions).await?;
    let resources: Vec<Resource> = db.get_all(RESOURCES).await?;
    let mut periods: Vec<String> = resources
        .iter()
        .map(|r| r.period.clone())
        .chain(decisions.iter().map(|d| d.period.clone()))
        .chain(plans.iter().map(|p| p.content().period.clone()))
        .filter(|p| !p.trim().is_empty())
        .collect();
    periods.sort_dyn();
    periods.dedup();
    Ok(PlansData {
        plans,
        rules: rules_of(&settings),
        cost_rules: cost_rules_of(&settings, &categories),
        categories,
        adopted,
        decisions_store,
        periods,
    })
}

/// Everything a plan's page shows.
///
/// # Errors
///
/// As [`list`].
pub async fn load_plan(db: &Db, id: u32) -> Result<PlanData, DbError> {
    let plan = get(db, id).await?;
    let settings = db.settings().await?;
    let categories = db.need_categories().await?;
    let decisions = super::decisions::list(db).await?;
    Ok(PlanData {
        origins: linli_domain::decisions::plan_origins(&decisions, id),
        plan,
        rules: rules_of(&settings),
        cost_rules: cost_rules_of(&settings, &categories),
        categories,
    })
}

/// Why a change to a plan was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No plan of that id.
    NotFound(u32),
    /// The `plan_rules` setting cannot be read (its message).
    Rules(String),
    /// The state machine's refusal.
    Plan(PlanError),
}

impl From<PlanError> for Refused {
    fn from(e: PlanError) -> Self {
        Self::Plan(e)
    }
}

fn history(stamp: &Stamp, id: u32, action: &str, summary: String) -> linli_domain::model::AuditEntry {
    super::history_entry(stamp.at, stamp.actor.clone(), STORE, id, action, summary)
}

/// Creates a draft plan under the next free id (read inside the write
/// transaction), with its history entry. Returns the saved plan.
///
/// # Errors
///
/// `Ok(Err(_))`: the state machine's refusal, nothing written; [`DbError`]
/// otherwise (nothing written either).
pub async fn create(
    db: &Db,
    stamp: Stamp,
    on: CivilDate,
    content: PlanContent,
    internal: Internal,
) -> Result<Result<PlanCase, PlanError>, DbError> {
    db.checked(&[STORE], vec![Read::MaxKey { store: STORE }], move |res| {
        let id = res.max_key(0).saturating_add(1);
        Ok(match PlanCase::new(id, &stamp, on, content, internal) {
            Ok(plan) => {
                let mut b = Batch::default();
                b.put(STORE, &plan)?;
                let summary = format!("plan {id} created on {on}: {}", plan.content().title);
                b.audit(history(&stamp, id, "create", summary));
                Ok((b, plan))
            }
            Err(e) => Err(e),
        })
    })
    .await
}

/// The operation's name in the history (`start_notice`, `spend`, …).
pub fn op_name(command: &Command) -> String {
    serde_json::to_value(command)
        .ok()
        .and_then(|v| v.get("op").and_then(|o| o.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "update".to_owned())
}

/// Applies `command` to plan `id` by `stamp`: reads the plan and the plan
/// rules inside the read-write transaction, runs [`PlanCase::apply`], writes
/// the new case and one history entry. Returns the saved plan.
///
/// # Errors
///
/// `Ok(Err(_))`: refused (no such plan, unreadable rules, or the state
/// machine's rule), nothing written; [`DbError`] otherwise (nothing written).
pub async fn apply(
    db: &Db,
    id: u32,
    stamp: Stamp,
    command: Command,
) -> Result<Result<PlanCase, Refused>, DbError> {
    let reads = vec![
        Read::Get {
            store: STORE,
            key: JsValue::from(id),
        },
        Read::Get {
            store: SETTINGS,
            key: JsValue::from_str(linli_domain::settings::PLAN_RULES),
        },
    ];
    db.checked(&[STORE], reads, move |res| {
        let Some(plan) = res.record::<PlanCase>(0)? else {
            return Ok(Err(Refused::NotFound(id)));
        };
        let settings: Vec<Setting> = res.record::<Setting>(1)?.into_iter().collect();
        let rules = match rules_of(&settings) {
            Ok(r) => r,
            Err(e) => return Ok(Err(Refused::Rules(e))),
        };
        match plan.apply(&stamp, &rules, &command) {
            Ok(next) => {
                let mut b = Batch::default();
                b.put(STORE, &next)?;
                let op = op_name(&command);
                let summary = linli_domain::audit::summary(&linli_domain::audit::Detail::Stage {
                    from: plan.stage().code().to_owned(),
                    to: next.stage().code().to_owned(),
                });
                b.audit(history(&stamp, id, &op, summary));
                Ok(Ok((b, next)))
            }
            Err(e) => Ok(Err(Refused::Plan(e))),
        }
    })
    .await
}
