//! Adopted decisions (the `decisions` store): adopting an allocation run or a
//! PB count for a period, and releasing the emergency reserve to a plan.
//!
//! Each write is a checked write ([`Db::checked`]): the decisions already
//! recorded and everything the rule checks (the run, the proposals, ballots and
//! settings, the plan) are read inside the same read-write transaction as the
//! writes, the pure decision of `linli_domain::decisions` runs on them, and the
//! decision, the proposals' statuses, the plans and their history entries are
//! written together. The decision's id and new plan ids are chosen inside that
//! transaction. A refusal writes nothing.

use linli_domain::order::SortDyn;
use std::sync::Arc;

use linli_domain::dataset::Dataset;
use linli_domain::decisions::{
    self as domain, Decision, DecisionError, DecisionKind, Header, PbCount, Release,
};
use linli_domain::model::{AllocationRun, AuditEntry, Ballot, Proposal, Setting};
use linli_domain::pb::Outcome;
use linli_domain::plans::{CivilDate, PlanCase, Stamp};
use wasm_bindgen::JsValue;

use super::settings::STORE as SETTINGS;
use super::{Batch, Db, DbError, Read};

/// The decisions store.
pub const STORE: &str = "decisions";
const RUNS: &str = "allocation_runs";
const PLANS: &str = "plans";
const PROPOSALS: &str = "proposals";
const BALLOTS: &str = "ballots";

/// Every recorded decision, by id (empty when this database has no
/// `decisions` store yet).
///
/// # Errors
///
/// [`DbError`] with the browser's error name, or a record that does not decode.
pub async fn list(db: &Db) -> Result<Vec<Decision>, DbError> {
    if !db.store_names().iter().any(|s| s == STORE) {
        return Ok(Vec::new());
    }
    let mut all: Vec<Decision> = db.get_all(STORE).await?;
    all.sort_by_key_dyn(|d| d.id);
    Ok(all)
}

/// The decisions of `period`, by id.
///
/// # Errors
///
/// As [`list`].
pub async fn for_period(db: &Db, period: &str) -> Result<Vec<Decision>, DbError> {
    let mut all = list(db).await?;
    all.retain(|d| d.period == period);
    Ok(all)
}

/// What the adoption views show: the decisions, and the plans a release may
/// fund (id, title, period, stage).
#[derive(Debug)]
pub struct DecisionsData {
    pub decisions: Vec<Decision>,
    pub plans: Vec<PlanCase>,
}

/// The decisions and the plans.
///
/// # Errors
///
/// As [`list`]; a stored plan that is not a valid case.
pub async fn load(db: &Db) -> Result<DecisionsData, DbError> {
    let decisions = list(db).await?;
    let mut plans: Vec<PlanCase> = db.get_all(PLANS).await?;
    plans.sort_by_key_dyn(PlanCase::id);
    Ok(DecisionsData { decisions, plans })
}

fn history(stamp: &Stamp, entity: &str, id: u32, action: &str, summary: String) -> AuditEntry {
    super::history_entry(stamp.at, stamp.actor.clone(), entity, id, action, summary)
}

fn header(id: u32, period: &str, on: CivilDate, by: &Stamp) -> Header {
    Header {
        id,
        period: period.to_owned(),
        on,
        by: by.clone(),
    }
}

/// Adopts stored run `run_id` for `period` (the run, the decisions and the next
/// id read inside the write transaction). Returns the decision.
///
/// # Errors
///
/// `Ok(Err(_))`: refused (a second adoption for the period, another period's
/// run, …), nothing written; [`DbError`] otherwise, nothing written.
pub async fn adopt_run(
    db: &Db,
    run_id: u32,
    period: String,
    on: CivilDate,
    by: Stamp,
) -> Result<Result<Decision, DecisionError>, DbError> {
    let reads = vec![
        Read::All { store: STORE },
        Read::Get {
            store: RUNS,
            key: JsValue::from(run_id),
        },
        Read::MaxKey { store: STORE },
    ];
    db.checked(&[STORE], reads, move |res| {
        let existing: Vec<Decision> = res.records(0)?;
        let runs: Vec<AllocationRun> = res.record(1)?.into_iter().collect();
        let id = res.max_key(2).saturating_add(1);
        Ok(
            match domain::adopt_run(&existing, &runs, run_id, &header(id, &period, on, &by)) {
                Ok(d) => {
                    let mut b = Batch::default();
                    b.add(STORE, &d)?;
                    let summary = format!("allocation run {run_id} adopted for {period} on {on}");
                    b.audit(history(&by, STORE, id, "adopt_run", summary));
                    Ok((b, d))
                }
                Err(e) => Err(e),
            },
        )
    })
    .await
}

/// What adopting a PB count wrote.
#[derive(Debug, Clone)]
pub struct PbAdopted {
    pub decision: Decision,
    /// The ids of the draft plans created, in the decision's order.
    pub plans: Vec<u32>,
}

/// Adopts a count of `period`'s participatory budget: the proposals, the
/// period's ballots, the settings, the decisions and the next ids are read
/// inside the write transaction; the count is adopted only if the instance
/// rebuilt from them hashes to `instance_sha256` (what the count ran on). Writes
/// the decision, every proposal's new status and one draft plan per funded
/// proposal, each with its history entry.
///
/// # Errors
///
/// `Ok(Err(_))`: refused (already adopted, inputs changed since the count, …),
/// nothing written; [`DbError`] otherwise, nothing written.
pub async fn adopt_pb(
    db: &Db,
    period: String,
    instance_sha256: String,
    outcome: Arc<Outcome>,
    description: String,
    on: CivilDate,
    by: Stamp,
) -> Result<Result<PbAdopted, DecisionError>, DbError> {
    let reads = vec![
        Read::All { store: STORE },
        Read::All { store: PROPOSALS },
        Read::Index {
            store: BALLOTS,
            index: "by_period",
            key: JsValue::from_str(&period),
        },
        Read::All { store: SETTINGS },
        Read::MaxKey { store: STORE },
        Read::MaxKey { store: PLANS },
    ];
    db.checked(&[STORE, PROPOSALS, PLANS], reads, move |res| {
        let existing: Vec<Decision> = res.records(0)?;
        let d = Dataset {
            proposals: res.records::<Proposal>(1)?,
            ballots: res.records::<Ballot>(2)?,
            settings: res.records::<Setting>(3)?,
            ..Dataset::default()
        };
        let id = res.max_key(4).saturating_add(1);
        let first_plan = res.max_key(5).saturating_add(1);
        let count = PbCount {
            instance_sha256: &instance_sha256,
            outcome: &outcome,
            description: &description,
        };
        let adopted = match domain::adopt_pb(&existing, &d, &count, first_plan, &header(id, &period, on, &by))
        {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        let mut b = Batch::default();
        b.add(STORE, &adopted.decision)?;
        let (rule, funded) = match &adopted.decision.kind {
            DecisionKind::PbAdopted { rule, projects, .. } => {
                (rule.clone(), projects.iter().filter(|p| p.funded).count())
            }
            _ => (String::new(), 0),
        };
        b.audit(history(
            &by,
            STORE,
            id,
            "adopt_pb",
            format!("PB count of {period} adopted ({rule}): {funded} funded"),
        ));
        for p in &adopted.proposals {
            b.put(PROPOSALS, p)?;
            b.audit(history(
                &by,
                PROPOSALS,
                p.id,
                "update",
                format!("status {:?} by decision {id}", p.status),
            ));
        }
        for plan in &adopted.plans {
            b.add(PLANS, plan)?;
            b.audit(history(
                &by,
                PLANS,
                plan.id(),
                "create",
                format!(
                    "plan {} created on {on} from a funded proposal (decision {id}): {}",
                    plan.id(),
                    plan.content().title
                ),
            ));
        }
        let plans = adopted.plans.iter().map(PlanCase::id).collect();
        Ok(Ok((
            b,
            PbAdopted {
                decision: adopted.decision,
                plans,
            },
        )))
    })
    .await
}

/// Releases part of `period`'s emergency reserve to a plan: the decisions, the
/// runs, the plan, the plan rules and the next id are read inside the write
/// transaction. Writes the decision and the plan (its budget raised, by an edit
/// or a budget change) with their history entries. Returns the decision and
/// the plan as saved.
///
/// # Errors
///
/// `Ok(Err(_))`: refused (more than what remains, no adopted run, a plan that
/// cannot take money, …), nothing written; [`DbError`] otherwise, nothing written.
pub async fn release_reserve(
    db: &Db,
    period: String,
    release: Release,
    on: CivilDate,
    by: Stamp,
) -> Result<Result<(Decision, PlanCase), DecisionError>, DbError> {
    let reads = vec![
        Read::All { store: STORE },
        Read::Index {
            store: RUNS,
            index: "by_period",
            key: JsValue::from_str(&period),
        },
        Read::Get {
            store: PLANS,
            key: JsValue::from(release.plan_id),
        },
        Read::Get {
            store: SETTINGS,
            key: JsValue::from_str(linli_domain::settings::PLAN_RULES),
        },
        Read::MaxKey { store: STORE },
    ];
    db.checked(&[STORE, PLANS], reads, move |res| {
        let existing: Vec<Decision> = res.records(0)?;
        let runs: Vec<AllocationRun> = res.records(1)?;
        let plans: Vec<PlanCase> = res.record(2)?.into_iter().collect();
        let settings: Vec<Setting> = res.record::<Setting>(3)?.into_iter().collect();
        let rules = linli_domain::settings::plan_rules(&settings).map_err(|e| DbError::Decode {
            store: format!("{SETTINGS}/{}", linli_domain::settings::PLAN_RULES),
            reason: e.to_string(),
        })?;
        let id = res.max_key(4).saturating_add(1);
        let h = header(id, &period, on, &by);
        Ok(
            match domain::release_reserve(&existing, &runs, &plans, &release, &rules, &h) {
                Ok((decision, plan)) => {
                    let mut b = Batch::default();
                    b.add(STORE, &decision)?;
                    b.put(PLANS, &plan)?;
                    let fen = release.amount_fen;
                    let plan_id = release.plan_id;
                    b.audit(history(
                        &by,
                        STORE,
                        id,
                        "release_reserve",
                        format!("{fen} fen of the {period} reserve released to plan {plan_id} on {on}"),
                    ));
                    b.audit(history(
                        &by,
                        PLANS,
                        plan_id,
                        "reserve_release",
                        format!(
                            "budget {} → {} fen by decision {id} ({})",
                            plans.first().map_or(0, |p| p.content().budget.total()),
                            plan.content().budget.total(),
                            plan.stage().code()
                        ),
                    ));
                    Ok((b, (decision, plan)))
                }
                Err(e) => Err(e),
            },
        )
    })
    .await
}
