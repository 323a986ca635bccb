//! Why a decision was refused. A refused decision writes nothing.

use thiserror::Error;

use crate::model::Fen;
use crate::money::MAX_FEN;
use crate::plans::{PlanError, Stage};

/// Why a decision was refused; each message names the rule. [`DecisionError::code`]
/// is a stable code the workspace translates.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecisionError {
    /// The decision has no actor.
    #[error("every decision records who made it: the actor is empty")]
    NoActor,
    /// A required text is empty (or only spaces).
    #[error("{field} is required")]
    Empty { field: &'static str },
    /// A text is longer than its limit, in characters.
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    /// A one-line text contains a line break or another control character.
    #[error("{field} must be one line without control characters")]
    NotOneLine { field: &'static str },
    /// The decision id is already used by another decision.
    #[error("decision id {0} is already taken (decisions are never overwritten)")]
    IdTaken(u32),
    /// No stored allocation run with that id.
    #[error("there is no stored allocation run {0}")]
    UnknownRun(u32),
    /// The run belongs to another period.
    #[error("allocation run {run_id} is of period {run_period}, not {period}: a run is adopted only for its own period")]
    RunOfOtherPeriod {
        run_id: u32,
        run_period: String,
        period: String,
    },
    /// The stored run's hash or outputs do not match its inputs.
    #[error("allocation run {run_id} cannot be adopted: {reason}")]
    BadRun { run_id: u32, reason: String },
    /// A second adopted run for a period.
    #[error(
        "period {period} already has an adopted allocation run (run {run_id}, decision {decision}): \
         one adopted run per period, and an adoption is never undone"
    )]
    RunAlreadyAdopted {
        period: String,
        run_id: u32,
        decision: u32,
    },
    /// A second adopted PB count for a period.
    #[error(
        "the participatory-budgeting count of period {period} is already adopted (decision {decision}): \
         one adoption per period, never undone"
    )]
    PbAlreadyAdopted { period: String, decision: u32 },
    /// A change to a period's PB inputs (a proposal, its review, a ballot, the
    /// budget) after the period's count was adopted.
    #[error(
        "the participatory-budgeting count of period {period} is adopted (decision {decision}): \
         its proposals, reviews, ballots and budget can no longer change"
    )]
    PbClosed { period: String, decision: u32 },
    /// The period's PB instance could not be built from the stored proposals, ballots and budget.
    #[error("the participatory-budgeting count of period {period} cannot be rebuilt: {reason}")]
    PbInstance { period: String, reason: String },
    /// Proposals, ballots or the budget changed since the count was made.
    #[error(
        "the proposals, ballots or budget of period {period} changed since this count was made: \
         count again, then adopt (a count is adopted only on the data it counted)"
    )]
    PbInputsChanged { period: String },
    /// The outcome passed in does not belong to the instance (another period or a damaged count).
    #[error("the count does not match the stored proposals and ballots of period {period}: {reason}")]
    PbOutcomeMismatch { period: String, reason: String },
    /// A funded proposal's category has no need class (setting `need_categories`).
    #[error(
        "proposal {proposal}: category `{category}` is not a need category (setting `need_categories`), \
         so its cost-sharing rule is unknown"
    )]
    UnknownCategory { proposal: u32, category: String },
    /// A cost-sharing rule names a funder that plans cannot hold.
    #[error(
        "setting `alloc_config`, cost_sharing.{rule}: funder `{funder}` is not one of government, market, \
         society, residents, so a plan budget cannot be split by it"
    )]
    UnknownFunder { rule: &'static str, funder: String },
    /// The allocation configuration (cost sharing) could not be read.
    #[error("the cost-sharing rules cannot be read: {reason}")]
    Config { reason: String },
    /// Plan ids would overflow.
    #[error("no plan id is left after {0}")]
    NoPlanId(u32),
    /// A planned operation of a plan was refused.
    #[error("plan {plan}: {error}")]
    Plan { plan: u32, error: PlanError },
    /// A draft plan for a funded proposal could not be created.
    #[error("the draft plan for proposal {proposal} cannot be created: {error}")]
    ProposalPlan { proposal: u32, error: PlanError },
    /// A negative or zero amount.
    #[error("the amount released must be at least 1 fen ({fen} fen)")]
    AmountNotPositive { fen: Fen },
    /// An amount above the limit.
    #[error("{what} is above the limit of {MAX_FEN} fen ({fen} fen)")]
    AmountTooLarge { what: &'static str, fen: Fen },
    /// No adopted run for the period: its reserve is not decided.
    #[error(
        "period {period} has no adopted allocation run: the emergency reserve is released only from the \
         reserve of the period's adopted run"
    )]
    NoAdoptedRun { period: String },
    /// More than what remains of the reserve.
    #[error(
        "the emergency reserve of period {period} has {remaining} fen left (reserve {reserve} fen, \
         released {released} fen): {amount} fen is more than what remains"
    )]
    ReserveExceeded {
        period: String,
        amount: Fen,
        reserve: Fen,
        released: Fen,
        remaining: Fen,
    },
    /// No plan with that id.
    #[error("there is no plan {0}")]
    UnknownPlan(u32),
    /// The plan belongs to another period.
    #[error("plan {plan} is of period {plan_period}: the reserve of period {period} funds plans of that period only")]
    PlanOfOtherPeriod {
        plan: u32,
        plan_period: String,
        period: String,
    },
    /// The plan's stage cannot take more money.
    #[error(
        "plan {plan} is {stage}: the reserve funds a plan that is a draft, on public notice or in execution \
         (not awaiting an approval, on notice for a budget change, in final accounts or closed)"
    )]
    PlanNotFundable { plan: u32, stage: Stage },
}

impl DecisionError {
    /// A stable snake_case code per variant (the workspace's translation key).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoActor => "no_actor",
            Self::Empty { .. } => "empty",
            Self::TooLong { .. } => "too_long",
            Self::NotOneLine { .. } => "not_one_line",
            Self::IdTaken(_) => "id_taken",
            Self::UnknownRun(_) => "unknown_run",
            Self::RunOfOtherPeriod { .. } => "run_of_other_period",
            Self::BadRun { .. } => "bad_run",
            Self::RunAlreadyAdopted { .. } => "run_already_adopted",
            Self::PbAlreadyAdopted { .. } => "pb_already_adopted",
            Self::PbClosed { .. } => "pb_closed",
            Self::PbInstance { .. } => "pb_instance",
            Self::PbInputsChanged { .. } => "pb_inputs_changed",
            Self::PbOutcomeMismatch { .. } => "pb_outcome_mismatch",
            Self::UnknownCategory { .. } => "unknown_category",
            Self::UnknownFunder { .. } => "unknown_funder",
            Self::Config { .. } => "config",
            Self::NoPlanId(_) => "no_plan_id",
            Self::Plan { .. } => "plan",
            Self::ProposalPlan { .. } => "proposal_plan",
            Self::AmountNotPositive { .. } => "amount_not_positive",
            Self::AmountTooLarge { .. } => "amount_too_large",
            Self::NoAdoptedRun { .. } => "no_adopted_run",
            Self::ReserveExceeded { .. } => "reserve_exceeded",
            Self::UnknownPlan(_) => "unknown_plan",
            Self::PlanOfOtherPeriod { .. } => "plan_of_other_period",
            Self::PlanNotFundable { .. } => "plan_not_fundable",
        }
    }
}
