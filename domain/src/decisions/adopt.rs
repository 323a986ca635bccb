//! Adopting an allocation run for a period, and what the recorded decisions say.

use crate::alloc::{AllocationResult, RunInputs};
use crate::model::AllocationRun;
use crate::order::SortDyn;

use super::{Decision, DecisionError, DecisionKind, Header};

/// The adoption of an allocation run for `period`, if any (there is at most one).
pub fn adopted_run<'a>(existing: &'a [Decision], period: &str) -> Option<&'a Decision> {
    existing
        .iter()
        .find(|d| d.period == period && matches!(d.kind, DecisionKind::AllocationAdopted { .. }))
}

/// The adoption of a PB count for `period`, if any (there is at most one).
pub fn pb_adoption<'a>(existing: &'a [Decision], period: &str) -> Option<&'a Decision> {
    existing
        .iter()
        .find(|d| d.period == period && matches!(d.kind, DecisionKind::PbAdopted { .. }))
}

/// Whether `period`'s participatory-budgeting inputs may still change: a new
/// proposal, a feasibility review, a ballot typed, undone or imported, the
/// budget. Once a count of the period is adopted they are closed, so the
/// adopted outcome stays the outcome of what is stored (the funded and
/// not-funded statuses it set are not reviewed again).
///
/// # Errors
///
/// [`DecisionError::PbClosed`] naming the adoption.
///
/// # Examples
///
/// ```
/// use linli_domain::decisions::{pb_inputs_open, DecisionError};
/// assert!(pb_inputs_open(&[], "2026-Q4").is_ok());
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 60, ..Default::default() });
/// // The demo adopted the count of 2026-Q3.
/// assert!(matches!(pb_inputs_open(&d.decisions, "2026-Q3"), Err(DecisionError::PbClosed { .. })));
/// ```
pub fn pb_inputs_open(existing: &[Decision], period: &str) -> Result<(), DecisionError> {
    match pb_adoption(existing, period) {
        Some(d) => Err(DecisionError::PbClosed {
            period: period.to_owned(),
            decision: d.id,
        }),
        None => Ok(()),
    }
}

/// How a decision funds a plan (see [`plan_origins`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanOrigin {
    /// The plan was made from proposal `proposal_id` (`title`), funded by the
    /// adopted PB count `decision` of `period`.
    Proposal {
        decision: u32,
        period: String,
        on: crate::plans::CivilDate,
        proposal_id: u32,
        title: String,
    },
    /// Reserve release `decision` of `period` funds the plan with `amount_fen`.
    Reserve {
        decision: u32,
        period: String,
        on: crate::plans::CivilDate,
        amount_fen: crate::model::Fen,
    },
}

/// The recorded decisions that fund plan `plan_id`, in decision order: the
/// adopted PB count that made it from a funded proposal, and every reserve
/// release to it. Empty for a plan made by hand or from an allocation run.
///
/// # Examples
///
/// ```
/// use linli_domain::decisions::{plan_origins, PlanOrigin};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 60, ..Default::default() });
/// // Every plan a PB adoption names was made from its proposal.
/// let made: Vec<(u32, u32)> = d.decisions.iter().flat_map(|x| match &x.kind {
///     linli_domain::decisions::DecisionKind::PbAdopted { projects, .. } =>
///         projects.iter().filter_map(|p| p.plan_id.map(|id| (id, p.proposal_id))).collect(),
///     _ => vec![],
/// }).collect();
/// assert!(!made.is_empty());
/// for (plan, proposal) in made {
///     assert!(matches!(plan_origins(&d.decisions, plan).as_slice(),
///         [PlanOrigin::Proposal { proposal_id, .. }] if *proposal_id == proposal));
/// }
/// ```
pub fn plan_origins(existing: &[Decision], plan_id: u32) -> Vec<PlanOrigin> {
    let mut list: Vec<&Decision> = existing.iter().collect();
    list.sort_by_key_dyn(|d| d.id);
    let mut out = Vec::new();
    for d in list {
        match &d.kind {
            DecisionKind::PbAdopted { projects, .. } => {
                out.extend(projects.iter().filter(|p| p.plan_id == Some(plan_id)).map(|p| {
                    PlanOrigin::Proposal {
                        decision: d.id,
                        period: d.period.clone(),
                        on: d.on,
                        proposal_id: p.proposal_id,
                        title: p.title.clone(),
                    }
                }));
            }
            DecisionKind::ReserveReleased {
                amount_fen,
                plan_id: to,
                ..
            } if *to == plan_id => out.push(PlanOrigin::Reserve {
                decision: d.id,
                period: d.period.clone(),
                on: d.on,
                amount_fen: *amount_fen,
            }),
            _ => {}
        }
    }
    out
}

/// The reserve releases of `period`, in id order.
pub fn releases<'a>(existing: &'a [Decision], period: &'a str) -> impl Iterator<Item = &'a Decision> + 'a {
    let mut list: Vec<&Decision> = existing
        .iter()
        .filter(|d| d.period == period && matches!(d.kind, DecisionKind::ReserveReleased { .. }))
        .collect();
    list.sort_by_key_dyn(|d| d.id);
    list.into_iter()
}

/// A stored run's inputs and outputs, checked: the inputs' SHA-256 is the stored
/// one, and the outputs are of the run's period and name the same hash. (A full
/// re-run is [`crate::alloc::verify_run`].)
///
/// # Errors
///
/// [`DecisionError::BadRun`] naming what does not match.
pub fn stored_run(run: &AllocationRun) -> Result<(RunInputs, AllocationResult), DecisionError> {
    let bad = |reason: String| DecisionError::BadRun {
        run_id: run.id,
        reason,
    };
    let sha = crate::backup::sha256_hex(run.inputs_json.as_bytes());
    if sha != run.inputs_sha256 {
        return Err(bad(format!(
            "its stored inputs hash to {sha}, not to the recorded {}",
            run.inputs_sha256
        )));
    }
    let inputs: RunInputs = serde_json::from_str(&run.inputs_json)
        .map_err(|e| bad(format!("its stored inputs do not parse: {e}")))?;
    let result: AllocationResult = serde_json::from_str(&run.outputs_json)
        .map_err(|e| bad(format!("its stored outputs do not parse: {e}")))?;
    if result.period != run.period || result.inputs_sha256 != run.inputs_sha256 {
        return Err(bad(format!(
            "its stored outputs are of period {} with inputs {}, not of the run",
            result.period, result.inputs_sha256
        )));
    }
    Ok((inputs, result))
}

/// Adopts stored allocation run `run_id` for `header.period`: the decision to
/// record. The run must exist, be of that period and match its stored hash; the
/// period must have no adopted run yet. There is no un-adopt: an adoption is
/// final.
///
/// # Errors
///
/// [`DecisionError::RunAlreadyAdopted`] for a second adoption in a period,
/// [`DecisionError::UnknownRun`], [`DecisionError::RunOfOtherPeriod`],
/// [`DecisionError::BadRun`], and the header's rules ([`DecisionError::NoActor`],
/// [`DecisionError::IdTaken`], a text rule of the period).
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::{allocate_inputs, prepare, run_record, AllocConfig};
/// use linli_domain::decisions::{adopt_run, DecisionError, Header};
/// use linli_domain::plans::{CivilDate, Stamp};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 100, ..Default::default() });
/// let config = AllocConfig::default();
/// let inputs = prepare(&d, &config, "2026-Q3").unwrap();
/// let result = allocate_inputs(&inputs, &config).unwrap();
/// let runs = vec![run_record(&inputs, &config, &result, 1, 0), run_record(&inputs, &config, &result, 2, 0)];
/// let header = |id| Header { id, period: "2026-Q3".into(), on: CivilDate::parse("2026-07-01").unwrap(),
///     by: Stamp::new("王指导员", 0) };
/// let first = adopt_run(&[], &runs, 1, &header(1)).unwrap();
/// // One adopted run per period: the second is refused, naming the rule.
/// let err = adopt_run(&[first], &runs, 2, &header(2)).unwrap_err();
/// assert!(matches!(err, DecisionError::RunAlreadyAdopted { run_id: 1, .. }));
/// assert!(err.to_string().contains("one adopted run per period"));
/// ```
pub fn adopt_run(
    existing: &[Decision],
    runs: &[AllocationRun],
    run_id: u32,
    header: &Header,
) -> Result<Decision, DecisionError> {
    header.check(existing)?;
    let period = &header.period;
    if let Some(d) = adopted_run(existing, period) {
        let adopted = match &d.kind {
            DecisionKind::AllocationAdopted { run_id, .. } => *run_id,
            _ => 0,
        };
        return Err(DecisionError::RunAlreadyAdopted {
            period: period.clone(),
            run_id: adopted,
            decision: d.id,
        });
    }
    let run = runs
        .iter()
        .find(|r| r.id == run_id)
        .ok_or(DecisionError::UnknownRun(run_id))?;
    if run.period != *period {
        return Err(DecisionError::RunOfOtherPeriod {
            run_id,
            run_period: run.period.clone(),
            period: period.clone(),
        });
    }
    stored_run(run)?;
    Ok(header.decision(DecisionKind::AllocationAdopted {
        run_id,
        inputs_sha256: run.inputs_sha256.clone(),
    }))
}
