//! Releasing part of a period's emergency reserve (应急池) to fund a plan.

use serde::{Deserialize, Serialize};

use crate::alloc::FunderShare;
use crate::model::{AllocationRun, Fen, ResourceKind};
use crate::money::MAX_FEN;
use crate::plans::{Budget, BudgetChangeInput, Funder, PlanCase, PlanContent, PlanRules, Stage};

use super::{adopted_run, line, releases, stored_run, text, Decision, DecisionError, DecisionKind, Header};

/// What a release asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The plan it funds.
    pub plan_id: u32,
    /// Fen, at least 1.
    pub amount_fen: Fen,
    pub reason: String,
    /// Who approved the release (a person or a body).
    pub approver: String,
}

/// The emergency reserve of a period: that of its adopted run, and what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveStatus {
    /// The adoption decision's id.
    pub decision: u32,
    pub run_id: u32,
    /// The money reserve of the adopted run (0 without money).
    pub reserve_fen: Fen,
    /// Released by earlier decisions of the period.
    pub released_fen: Fen,
    /// `reserve_fen − released_fen`, never below 0.
    pub remaining_fen: Fen,
}

/// The reserve of `period` and the reserve's cost-sharing rule of its adopted run.
fn status_and_rule(
    existing: &[Decision],
    runs: &[AllocationRun],
    period: &str,
) -> Result<(ReserveStatus, Vec<FunderShare>), DecisionError> {
    let adoption = adopted_run(existing, period).ok_or_else(|| DecisionError::NoAdoptedRun {
        period: period.to_owned(),
    })?;
    let run_id = match &adoption.kind {
        DecisionKind::AllocationAdopted { run_id, .. } => *run_id,
        _ => 0,
    };
    let run = runs
        .iter()
        .find(|r| r.id == run_id)
        .ok_or(DecisionError::UnknownRun(run_id))?;
    let (inputs, result) = stored_run(run)?;
    let reserve_fen = result.kind(ResourceKind::Money).map_or(0, |k| k.pools.reserve);
    let mut released_fen: Fen = 0;
    for d in releases(existing, period) {
        if let DecisionKind::ReserveReleased { amount_fen, .. } = d.kind {
            released_fen = released_fen
                .checked_add(amount_fen)
                .ok_or(DecisionError::AmountTooLarge {
                    what: "the released total",
                    fen: Fen::MAX,
                })?;
        }
    }
    let status = ReserveStatus {
        decision: adoption.id,
        run_id,
        reserve_fen,
        released_fen,
        remaining_fen: reserve_fen.saturating_sub(released_fen).max(0),
    };
    Ok((status, inputs.config.cost_sharing.reserve))
}

/// The emergency reserve of `period`: the money reserve of its adopted run, what
/// earlier decisions released and what remains.
///
/// # Errors
///
/// [`DecisionError::NoAdoptedRun`], [`DecisionError::UnknownRun`] or
/// [`DecisionError::BadRun`] for the adopted run.
pub fn reserve_status(
    existing: &[Decision],
    runs: &[AllocationRun],
    period: &str,
) -> Result<ReserveStatus, DecisionError> {
    status_and_rule(existing, runs, period).map(|(s, _)| s)
}

/// Releases `release.amount_fen` of `header.period`'s emergency reserve to plan
/// `release.plan_id`: the decision to record and the plan with the amount added to
/// its budget, split by the adopted run's reserve cost-sharing rule (exact to the
/// fen). A draft or a plan on notice is edited (a notice restarts, as for any
/// change of budget); a plan in execution gets a budget change with the release's
/// reason and approver (which goes on notice above the configured share, and takes
/// effect when that notice closes).
///
/// # Errors
///
/// [`DecisionError::AmountNotPositive`], [`DecisionError::AmountTooLarge`],
/// [`DecisionError::NoAdoptedRun`], [`DecisionError::ReserveExceeded`] (more than
/// what remains of the reserve after earlier releases),
/// [`DecisionError::UnknownPlan`], [`DecisionError::PlanOfOtherPeriod`],
/// [`DecisionError::PlanNotFundable`] (awaiting approval, change notice, accounts,
/// closed), [`DecisionError::Plan`] (the plan's own rules), a text rule of the
/// reason or approver, and the header's rules.
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::{allocate_inputs, prepare, run_record, AllocConfig};
/// use linli_domain::decisions::*;
/// use linli_domain::model::ResourceKind;
/// use linli_domain::plans::*;
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 100, ..Default::default() });
/// let config = AllocConfig::default();
/// let inputs = prepare(&d, &config, "2026-Q3").unwrap();
/// let result = allocate_inputs(&inputs, &config).unwrap();
/// let reserve = result.kind(ResourceKind::Money).unwrap().pools.reserve;
/// let runs = vec![run_record(&inputs, &config, &result, 1, 0)];
/// let day = CivilDate::parse("2026-07-01").unwrap();
/// let header = |id| Header { id, period: "2026-Q3".into(), on: day, by: Stamp::new("王指导员", 0) };
/// let adopted = adopt_run(&[], &runs, 1, &header(1)).unwrap();
/// let content = PlanContent { title: "漏水抢修".into(), category: "housing".into(), period: "2026-Q3".into(),
///     budget: Budget::new(10_000, 0, 0, 0).unwrap(), description: "3 号楼屋顶".into() };
/// let plan = PlanCase::new(7, &Stamp::new("王指导员", 0), day, content, Internal::default()).unwrap();
/// let release = |fen| Release { plan_id: 7, amount_fen: fen, reason: "暴雨".into(), approver: "居委会".into() };
/// let rules = PlanRules::default();
/// // More than the reserve is refused, naming what remains.
/// let err = release_reserve(&[adopted.clone()], &runs, &[plan.clone()], &release(reserve + 1), &rules, &header(2));
/// assert!(matches!(err, Err(DecisionError::ReserveExceeded { remaining, .. }) if remaining == reserve));
/// let (decision, plan) = release_reserve(&[adopted], &runs, &[plan], &release(5_000), &rules, &header(2)).unwrap();
/// assert_eq!(plan.content().budget.total(), 15_000);
/// assert!(matches!(decision.kind, DecisionKind::ReserveReleased { amount_fen: 5_000, plan_id: 7, .. }));
/// ```
pub fn release_reserve(
    existing: &[Decision],
    runs: &[AllocationRun],
    plans: &[PlanCase],
    release: &Release,
    rules: &PlanRules,
    header: &Header,
) -> Result<(Decision, PlanCase), DecisionError> {
    header.check(existing)?;
    let period = header.period.as_str();
    let amount = release.amount_fen;
    if amount <= 0 {
        return Err(DecisionError::AmountNotPositive { fen: amount });
    }
    if amount > MAX_FEN {
        return Err(DecisionError::AmountTooLarge {
            what: "the amount released",
            fen: amount,
        });
    }
    text("the reason", &release.reason)?;
    line("the approver", &release.approver)?;
    let (status, rule) = status_and_rule(existing, runs, period)?;
    if amount > status.remaining_fen {
        return Err(DecisionError::ReserveExceeded {
            period: period.to_owned(),
            amount,
            reserve: status.reserve_fen,
            released: status.released_fen,
            remaining: status.remaining_fen,
        });
    }
    let plan_id = release.plan_id;
    let plan = plans
        .iter()
        .find(|p| p.id() == plan_id)
        .ok_or(DecisionError::UnknownPlan(plan_id))?;
    if plan.content().period != period {
        return Err(DecisionError::PlanOfOtherPeriod {
            plan: plan_id,
            plan_period: plan.content().period.clone(),
            period: period.to_owned(),
        });
    }
    let stage = plan.stage();
    if !matches!(stage, Stage::Draft | Stage::Notice | Stage::Execution) {
        return Err(DecisionError::PlanNotFundable { plan: plan_id, stage });
    }
    let added = super::split_budget(amount, &rule, "reserve")?;
    let old = plan.content().budget;
    let too_large = || DecisionError::AmountTooLarge {
        what: "the plan's budget",
        fen: old.total().saturating_add(amount),
    };
    let mut parts = [0; 4];
    for (slot, f) in parts.iter_mut().zip(Funder::ALL) {
        *slot = old.get(f).checked_add(added.get(f)).ok_or_else(too_large)?;
    }
    let budget = Budget::new(parts[0], parts[1], parts[2], parts[3]).map_err(|_| too_large())?;
    let by = &header.by;
    let changed = if stage == Stage::Execution {
        plan.change_budget(
            by,
            BudgetChangeInput {
                on: header.on,
                to: budget,
                reason: release.reason.clone(),
                approver: release.approver.clone(),
            },
            rules,
        )
    } else {
        let content = PlanContent {
            budget,
            ..plan.content().clone()
        };
        plan.edit(by, header.on, content, rules)
    }
    .map_err(|error| DecisionError::Plan { plan: plan_id, error })?;
    let decision = header.decision(DecisionKind::ReserveReleased {
        amount_fen: amount,
        reason: release.reason.clone(),
        approver: release.approver.clone(),
        plan_id,
    });
    Ok((decision, changed))
}
