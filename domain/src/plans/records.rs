//! The records a case keeps (content, notices, objections, approvals,
//! spending, budget changes, milestones, accounts, evaluation, history).
//!
//! Records have public fields so that views can read them, but a
//! [`PlanCase`](super::PlanCase) hands them out only as shared references: the
//! only way to change a case is through its operations.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::PlanError;
use super::values::{Budget, CivilDate, Funder, Stage};
use crate::model::{Fen, Millis};

/// The public content of a plan: everything here is published once the plan
/// has been on notice. Changing it during a notice restarts the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanContent {
    pub title: String,
    /// A need category code (e.g. `elderly_care`).
    pub category: String,
    /// The allocation period the plan belongs to, e.g. `2026-Q2`.
    pub period: String,
    pub budget: Budget,
    /// The public description (what will be done, for whom, where).
    pub description: String,
}

/// The internal part of a plan: workspace only, never in a
/// [`PublicPlan`](super::PublicPlan). Editing it never restarts a notice.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Internal {
    /// The responsible guide (a person's name).
    pub guide: String,
    /// Internal notes.
    pub notes: String,
}

/// What a notice puts on display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum NoticeKind {
    /// The plan itself, before approval.
    Plan,
    /// A budget increase during execution ([`BudgetChange`] `change`).
    BudgetChange { change: u32 },
}

/// How a notice ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "how", content = "on")]
pub enum NoticeEnd {
    /// Closed after its full length with every objection answered.
    Closed(CivilDate),
    /// Replaced by a new notice because the public content changed.
    Restarted(CivilDate),
    /// The budget change it showed was withdrawn.
    Withdrawn(CivilDate),
}

/// One public notice (公示). Number `n` is the case's `n`-th notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub number: u32,
    pub kind: NoticeKind,
    /// First day on display.
    pub start: CivilDate,
    /// Length in days, never less than configured when it started; may only grow.
    pub days: u16,
    /// `None` while it runs.
    pub ended: Option<NoticeEnd>,
}

impl Notice {
    /// A running notice, if its first closing day is a valid date.
    pub(super) fn open(
        number: u32,
        kind: NoticeKind,
        start: CivilDate,
        days: u16,
    ) -> Result<Self, PlanError> {
        start.add_days(i64::from(days)).ok_or(PlanError::DateOutOfRange)?;
        Ok(Self {
            number,
            kind,
            start,
            days,
            ended: None,
        })
    }

    /// The last day on display: `start + days − 1`.
    pub fn last_day(&self) -> CivilDate {
        self.start
            .add_days(i64::from(self.days) - 1)
            .unwrap_or(self.start)
    }

    /// The first day it may be closed: `start + days`.
    pub fn closes_from(&self) -> CivilDate {
        self.start.add_days(i64::from(self.days)).unwrap_or(self.start)
    }

    /// Days of display left counting `today`: the full length before it starts,
    /// 0 after its last day.
    pub fn days_left(&self, today: CivilDate) -> u16 {
        if today < self.start {
            return self.days;
        }
        let left = today.days_until(self.last_day()) + 1;
        u16::try_from(left.max(0)).unwrap_or(0)
    }
}

/// How an objection reached the guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionChannel {
    InPerson,
    Phone,
    Written,
    Online,
    Meeting,
    Other,
}

/// The internal part of an objection: never published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionInternal {
    /// What the resident said, as recorded (may name people).
    pub text: String,
}

/// The guide's public response to an objection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub on: CivilDate,
    pub text: String,
}

/// An objection recorded during a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    /// 1, 2, … within the case.
    pub id: u32,
    /// The notice it was raised against.
    pub notice: u32,
    pub on: CivilDate,
    pub channel: ObjectionChannel,
    /// Published.
    pub public_summary: String,
    pub internal: ObjectionInternal,
    /// Set once, by [`PlanCase::answer_objection`](super::PlanCase::answer_objection).
    pub response: Option<Response>,
}

/// What is recorded of a new objection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionInput {
    pub on: CivilDate,
    pub channel: ObjectionChannel,
    pub internal_text: String,
    pub public_summary: String,
}

/// The residents' council's vote. It passes only with a quorum and more votes
/// for than against (abstentions count for neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilVote {
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstain: u32,
    pub quorum_met: bool,
}

impl CouncilVote {
    /// `quorum_met && votes_for > votes_against`.
    pub fn passes(&self) -> bool {
        self.quorum_met && self.votes_for > self.votes_against
    }
}

/// The three approval levels, in the order they decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Council,
    Assessment,
    StreetReview,
}

impl Level {
    /// The stage in which this level decides.
    pub fn stage(self) -> Stage {
        match self {
            Self::Council => Stage::Council,
            Self::Assessment => Stage::Assessment,
            Self::StreetReview => Stage::StreetReview,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Council => "the residents' council",
            Self::Assessment => "the professional assessment",
            Self::StreetReview => "the street review",
        })
    }
}

/// What a level decided on besides yes or no.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "level")]
pub enum ApprovalDetail {
    Council(CouncilVote),
    Assessment {
        /// The assessing body or expert (not published).
        assessor: String,
        /// Published.
        conclusion: String,
    },
    StreetReview {
        /// The street office's reference number (published).
        reference: String,
    },
}

impl ApprovalDetail {
    /// The level that decided.
    pub fn level(&self) -> Level {
        match self {
            Self::Council(_) => Level::Council,
            Self::Assessment { .. } => Level::Assessment,
            Self::StreetReview { .. } => Level::StreetReview,
        }
    }
}

/// One decision of one approval level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The notice this approval round followed.
    pub notice: u32,
    pub on: CivilDate,
    pub approved: bool,
    /// Required for a rejection; published.
    pub reason: String,
    pub detail: ApprovalDetail,
}

/// One spending entry (每笔支出). Never edited: a correction is a reversal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendingEntry {
    /// 1, 2, … within the case.
    pub id: u32,
    pub on: CivilDate,
    /// Positive for spending, the original's negative for a reversal.
    pub amount: Fen,
    pub funder: Funder,
    /// What was bought; for a reversal, why it is reversed.
    pub purpose: String,
    /// Voucher number (凭证号).
    pub voucher: String,
    /// For a reversal, the entry it cancels.
    pub reverses: Option<u32>,
}

/// What is recorded of a new spending entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendingInput {
    pub on: CivilDate,
    /// In fen, at least 1.
    pub amount: Fen,
    pub funder: Funder,
    pub purpose: String,
    pub voucher: String,
}

/// Where a budget change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "on")]
pub enum ChangeStatus {
    /// In force since that date.
    Effective(CivilDate),
    /// Waiting for its notice to close.
    OnNotice,
    /// Withdrawn during its notice; never took effect.
    Withdrawn(CivilDate),
}

/// A recorded budget change during execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetChange {
    /// 1, 2, … within the case.
    pub id: u32,
    pub on: CivilDate,
    pub from: Budget,
    pub to: Budget,
    /// Published.
    pub reason: String,
    /// Who approved it (a person or body; not published).
    pub approver: String,
    /// The notice it went through, if its increase was above the configured share.
    pub notice: Option<u32>,
    pub status: ChangeStatus,
}

/// What is recorded of a new budget change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetChangeInput {
    pub on: CivilDate,
    /// The whole new budget, by funder.
    pub to: Budget,
    pub reason: String,
    pub approver: String,
}

/// A progress milestone (published).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub on: CivilDate,
    /// 0–100, never less than the previous milestone's.
    pub percent: u8,
    pub note: String,
}

/// One funder's line of the final accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine {
    pub funder: Funder,
    pub budget: Fen,
    /// Net spending (reversals deducted).
    pub actual: Fen,
    /// `budget − actual`, never negative.
    pub remainder: Fen,
}

/// The final accounts (决算): budget against actual by funder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalAccounts {
    pub on: CivilDate,
    /// One line per funder, in [`Funder::ALL`] order.
    pub lines: Vec<AccountLine>,
    pub budget: Fen,
    pub actual: Fen,
    pub remainder: Fen,
    /// The pool the remainder returns to (e.g. `2026-Q3 flexible pool`).
    pub returned_to: String,
}

/// Residents' satisfaction with the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// Answers per rating: `counts[0]` rated 1 (very unsatisfied) … `counts[4]` rated 5.
    Counts([u32; 5]),
    /// Only a summary is known: how many answered, how many were satisfied.
    Summary { respondents: u32, satisfied: u32 },
}

impl Satisfaction {
    /// How many answered.
    pub fn respondents(&self) -> u64 {
        match self {
            Self::Counts(c) => c.iter().map(|&n| u64::from(n)).sum(),
            Self::Summary { respondents, .. } => u64::from(*respondents),
        }
    }

    /// How many were satisfied (rated 4 or 5).
    pub fn satisfied(&self) -> u64 {
        match self {
            Self::Counts(c) => u64::from(c[3]) + u64::from(c[4]),
            Self::Summary { satisfied, .. } => u64::from(*satisfied),
        }
    }

    /// The satisfied share in basis points, rounded down (`None` with no answers).
    pub fn satisfied_bp(&self) -> Option<u32> {
        let n = self.respondents();
        (n > 0).then(|| u32::try_from(self.satisfied() * 10_000 / n).unwrap_or(10_000))
    }
}

/// The evaluation that closes a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub on: CivilDate,
    pub satisfaction: Satisfaction,
    /// Published.
    pub summary: String,
}

/// A field of [`PlanContent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Category,
    Period,
    Budget,
    Description,
}

/// What a transition did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    Created,
    /// Public content changed (in draft, or during a plan notice, which then restarted).
    Edited {
        fields: Vec<Field>,
    },
    /// The internal part changed.
    InternalEdited,
    NoticeStarted {
        notice: u32,
    },
    /// The content changed during notice `ended`; notice `notice` started in its place.
    NoticeRestarted {
        ended: u32,
        notice: u32,
    },
    NoticeExtended {
        notice: u32,
        days: u16,
    },
    ObjectionRecorded {
        objection: u32,
    },
    ObjectionAnswered {
        objection: u32,
    },
    NoticeClosed {
        notice: u32,
    },
    Decided {
        level: Level,
        approved: bool,
    },
    SpendingRecorded {
        entry: u32,
    },
    SpendingReversed {
        entry: u32,
        reverses: u32,
    },
    /// `noticed`: the change went on notice instead of taking effect at once.
    BudgetChanged {
        change: u32,
        noticed: bool,
    },
    BudgetChangeWithdrawn {
        change: u32,
    },
    MilestoneRecorded {
        percent: u8,
    },
    AccountsClosed,
    Evaluated,
}

/// One entry of a case's append-only history: who, when, what, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// 1, 2, … within the case.
    pub seq: u32,
    /// Who (never published).
    pub actor: String,
    /// When it was recorded.
    pub at: Millis,
    /// The business date it carries (`None` for internal edits).
    pub on: Option<CivilDate>,
    pub from: Stage,
    pub to: Stage,
    pub event: Event,
    /// Why (a rejection's reason, a reversal's reason, …); may be empty.
    pub reason: String,
}
