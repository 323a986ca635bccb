//! Why a plan operation was refused. A refused operation changes nothing.

use thiserror::Error;

use super::{CivilDate, Funder, Level, Stage};
use crate::model::Fen;
use crate::money::MAX_FEN;

/// Why a plan operation was refused; each message names the rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    /// A required text is empty (or only spaces).
    #[error("{field} is required")]
    Empty { field: &'static str },
    /// A text is longer than its limit, in characters.
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    /// A one-line text contains a line break or another control character.
    #[error("{field} must be one line without control characters")]
    NotOneLine { field: &'static str },
    /// Not a `YYYY-MM-DD` date between 1900 and 9999.
    #[error("not a date (YYYY-MM-DD, 1900–9999): {0}")]
    BadDate(String),
    /// Date arithmetic left 1900–9999.
    #[error("the date falls outside 1900–9999")]
    DateOutOfRange,
    /// A negative amount.
    #[error("{what} cannot be negative ({fen} fen)")]
    NegativeAmount { what: &'static str, fen: Fen },
    /// An amount that must be at least 1 fen is 0.
    #[error("{what} must be at least 1 fen")]
    ZeroAmount { what: &'static str },
    /// An amount (or a sum) above the limit of 1 trillion yuan, or beyond `i64`.
    #[error("{what} is above the limit of {MAX_FEN} fen ({fen} fen)")]
    AmountTooLarge { what: &'static str, fen: Fen },
    /// A budget's parts do not add up to its total.
    #[error("the budget split adds up to {sum} fen, not the total of {total} fen (exact to the fen)")]
    SplitMismatch { total: Fen, sum: Fen },
    /// A funder listed twice in a split.
    #[error("funder {0} is listed twice in the budget split")]
    DuplicateFunder(Funder),
    /// The stamp has no actor.
    #[error("every change records who made it: the actor is empty")]
    NoActor,
    /// Notice length outside 1–366 days, or a share above 100%.
    #[error("plan rules: {0}")]
    BadRules(&'static str),
    /// The operation is not available in the current stage.
    #[error("cannot {action} while the plan is {stage}")]
    WrongStage { action: &'static str, stage: Stage },
    /// Spending or a reversal outside execution.
    #[error("spending is recorded only while a plan is in execution; this plan is {stage}")]
    NotInExecution { stage: Stage },
    /// An approval level decided out of order.
    #[error("approval out of order: {level} cannot decide while the plan is {stage} (council, then assessment, then street review)")]
    ApprovalOutOfOrder { level: Level, stage: Stage },
    /// A date earlier than the rule allows.
    #[error("the date {on} is before {earliest}: {rule}")]
    DateTooEarly {
        on: CivilDate,
        earliest: CivilDate,
        rule: &'static str,
    },
    /// Closing a notice before its full length, or extending it to fewer days.
    #[error("a notice is never shortened: this one runs through {last_day}")]
    NoticeShortened { last_day: CivilDate },
    /// An objection dated outside its notice.
    #[error("objections are recorded during the notice: {on} is not within {start} – {last_day}")]
    ObjectionOutsideNotice {
        on: CivilDate,
        start: CivilDate,
        last_day: CivilDate,
    },
    /// Closing a notice while objections have no response.
    #[error("{count} objection(s) have no response yet: answer every objection before the notice ends")]
    UnansweredObjections { count: usize },
    /// No objection with that id.
    #[error("there is no objection {0}")]
    UnknownObjection(u32),
    /// The objection already has a response (responses are never edited).
    #[error("objection {0} already has a response; a response is never edited")]
    AlreadyAnswered(u32),
    /// No spending entry with that id.
    #[error("there is no spending entry {0}")]
    UnknownSpending(u32),
    /// Reversing a reversal.
    #[error("entry {0} is a reversal: a reversal is never reversed (record the spending again instead)")]
    ReversalOfReversal(u32),
    /// Reversing an entry a second time.
    #[error("entry {id} is already reversed by entry {by}")]
    AlreadyReversed { id: u32, by: u32 },
    /// Net spending of a funder would exceed its budget.
    #[error("spending over budget without a recorded budget change: {funder} would reach {spent} fen of its {budget} fen")]
    OverBudget { funder: Funder, budget: Fen, spent: Fen },
    /// A budget change below what a funder has already spent.
    #[error(
        "a budget cannot fall below what is spent: {funder} has spent {spent} fen, more than {budget} fen"
    )]
    BudgetBelowSpending { funder: Funder, budget: Fen, spent: Fen },
    /// The operation would change nothing.
    #[error("nothing changes")]
    NoChange,
    /// A progress percentage above 100.
    #[error("progress is a percentage from 0 to 100, not {0}")]
    BadPercent(u8),
    /// Progress lower than the previous milestone's.
    #[error("progress never goes back: the last milestone was {last}%, not more than {percent}%")]
    ProgressBackwards { last: u8, percent: u8 },
    /// Satisfaction with no answers, or more satisfied than respondents.
    #[error("satisfaction: {0}")]
    BadSatisfaction(&'static str),
    /// A stored case of another format version.
    #[error("plan case format {0} is not supported (this version reads format {FORMAT})", FORMAT = super::FORMAT_VERSION)]
    UnsupportedVersion(u32),
    /// A stored case that breaks an invariant.
    #[error("inconsistent plan case: {0}")]
    Corrupt(String),
}
