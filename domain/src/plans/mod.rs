//! Plans from draft to evaluation (SPEC §2.9, issue #14): a pure state machine.
//!
//! A [`PlanCase`] holds a plan's public content ([`PlanContent`]), its internal
//! part ([`Internal`]: the responsible guide and notes, never published), its
//! stage, every notice, objection, approval decision, spending entry, budget
//! change and milestone, the final accounts, the evaluation, and an append-only
//! history of [`Transition`]s (who, when, what, why).
//!
//! Every operation takes `&self` and returns a new case or a [`PlanError`]: a
//! refused operation changes nothing. Every operation takes a [`Stamp`] (actor,
//! instant) and, except internal edits, a business date ([`CivilDate`]); the
//! module has no clock. Money is integer fen with checked arithmetic, each amount
//! and every budget total at most [`MAX_FEN`](crate::money::MAX_FEN). A case is
//! serialised with serde (format [`FORMAT_VERSION`]); deserialising checks the
//! version and the invariants below, so a stored case that breaks them is refused.
//!
//! # Life cycle
//!
//! ```text
//! draft → notice → council → assessment → street review → execution → accounts → closed
//!   ▲                 │           │              │           ⇅
//!   └──── rejection ──┴───────────┴──────────────┘     change notice
//! ```
//!
//! No stage is skipped ([`Stage::may_become`] lists every edge).
//!
//! # Rules
//!
//! - **Notice.** [`start_notice`](PlanCase::start_notice) puts a draft on notice
//!   from the given date for [`PlanRules::notice_days`] days (default 7), the
//!   first day included: a 7-day notice starting 2026-03-02 shows through
//!   2026-03-08 and may be closed from 2026-03-09. A notice is never shortened:
//!   it cannot close earlier and can only be extended. Changing the public
//!   content (title, category, period, budget, description) during a notice
//!   ends it and starts a new one on the date of the change, at least as long as
//!   the old one and as configured. Internal edits never restart a notice.
//!   The public content can be changed only in draft and during a plan notice.
//! - **Objections** are recorded only while a notice runs, dated between the day
//!   the plan went on notice and the current notice's last day. Each gets one
//!   response (never edited). **A notice cannot close while any objection of the
//!   case has no response** (the public sees "objections answered").
//! - **Approval** comes in three levels, in order: residents' council
//!   ([`council`](PlanCase::council): passes only with a quorum and more votes
//!   for than against), professional assessment
//!   ([`assessment`](PlanCase::assessment)), street review
//!   ([`street_review`](PlanCase::street_review)). A level decides only in its own stage (else
//!   [`PlanError::ApprovalOutOfOrder`]); a rejection needs a reason and returns
//!   the plan to draft, and the next approval needs a new notice and all three
//!   levels again. Decisions are kept.
//! - **Dates** never go back within a stage: every dated operation is on or after
//!   the day the plan entered its stage; a response on or after its objection;
//!   spending, budget changes and milestones on or after the street review's
//!   approval; a reversal on or after its entry; milestones in date order; the
//!   final accounts on or after every spending entry and milestone.
//! - **Spending** is recorded only in execution: at least 1 fen, with a voucher
//!   number. A correction is a reversal entry (the opposite amount, same funder)
//!   referencing the original; a reversal is never reversed and an entry is
//!   reversed at most once. **Each funder's net spending stays within its part of
//!   the budget** (so the total stays within the total): spending beyond it needs
//!   a budget change first.
//! - **Budget changes** (whole new split, reason, approver, date) happen in
//!   execution and never fall below what a funder has spent. The reference is
//!   the *baseline*: the budget approved by the street review, or the last budget
//!   that went through a change notice. When the new total exceeds the baseline
//!   by more than [`PlanRules::renotice_above_bp`] of it (default 10%), the change
//!   goes on notice ([`Stage::ChangeNotice`], the same notice rules, spending
//!   paused) and takes effect when that notice closes; it may be withdrawn
//!   instead. Smaller changes take effect at once. The increase is measured
//!   against the baseline, so small steps cannot add up past the threshold.
//! - **Milestones**: 0–100%, never going back, in date order.
//! - **Final accounts** close execution: budget, net actual and remainder by
//!   funder; the remainder returns to a named pool. Progress need not be 100%.
//! - **Evaluation** (satisfaction counts per rating or a summary, at least one
//!   answer, and a public summary) closes the plan.
//!
//! # Publication
//!
//! [`PlanCase::public_view`] is what a snapshot may publish, as its own types
//! ([`PublicPlan`]) that have no field for the internal part, objections'
//! internal texts, actors, the assessor or a budget change's approver.

mod approval;
mod check;
mod command;
mod error;
mod execution;
pub mod legacy;
mod lifecycle;
mod public;
mod records;
mod values;

#[cfg(test)]
mod execution_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use command::Command;
pub use error::PlanError;
pub use public::{
    PublicApproval, PublicBudgetChange, PublicDetail, PublicNotice, PublicObjection, PublicPlan,
    PublicSpending, PublicStage,
};
pub use records::{
    AccountLine, Approval, ApprovalDetail, BudgetChange, BudgetChangeInput, ChangeStatus, CouncilVote,
    Evaluation, Event, Field, FinalAccounts, Internal, Level, Milestone, Notice, NoticeEnd, NoticeKind,
    Objection, ObjectionChannel, ObjectionInput, ObjectionInternal, PlanContent, Response, Satisfaction,
    SpendingEntry, SpendingInput, Transition,
};
pub use values::{Budget, CivilDate, Funder, Stage, Stamp};

use crate::model::Fen;

/// The format version of a serialised [`PlanCase`].
pub const FORMAT_VERSION: u32 = 1;
/// Default length of a public notice, in days.
pub const DEFAULT_NOTICE_DAYS: u16 = 7;
/// Longest notice, in days.
pub const MAX_NOTICE_DAYS: u16 = 366;
/// Default share of the baseline budget above which an increase goes on notice: 10%.
pub const DEFAULT_RENOTICE_ABOVE_BP: u32 = 1_000;
/// Longest one-line text (title, category, period, voucher, names, …), in characters.
pub const MAX_LINE: usize = 200;
/// Longest multi-line text (description, notes, summaries, responses), in characters.
pub const MAX_TEXT: usize = 10_000;

/// The configurable rules (settings) the operations read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanRules {
    /// Length of a public notice in days, 1–366 (default 7).
    pub notice_days: u16,
    /// A budget increase above this share of the baseline, in basis points
    /// (0–10,000; default 1,000 = 10%), goes on notice. 0: every increase does.
    pub renotice_above_bp: u32,
}

impl Default for PlanRules {
    fn default() -> Self {
        Self {
            notice_days: DEFAULT_NOTICE_DAYS,
            renotice_above_bp: DEFAULT_RENOTICE_ABOVE_BP,
        }
    }
}

impl PlanRules {
    /// # Errors
    ///
    /// [`PlanError::BadRules`] for a notice length outside 1–366 days or a share
    /// above 10,000 basis points.
    pub fn check(&self) -> Result<(), PlanError> {
        if !(1..=MAX_NOTICE_DAYS).contains(&self.notice_days) {
            return Err(PlanError::BadRules("a notice lasts 1 to 366 days"));
        }
        if self.renotice_above_bp > 10_000 {
            return Err(PlanError::BadRules(
                "the re-notice share is at most 10,000 basis points",
            ));
        }
        Ok(())
    }
}

/// The stored state of a case (see [`PlanCase`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    version: u32,
    id: u32,
    stage: Stage,
    /// The date the current stage was entered.
    since: CivilDate,
    content: PlanContent,
    internal: Internal,
    notices: Vec<Notice>,
    objections: Vec<Objection>,
    approvals: Vec<Approval>,
    /// The budget approved by the street review or last confirmed by a change notice.
    baseline: Option<Budget>,
    spending: Vec<SpendingEntry>,
    budget_changes: Vec<BudgetChange>,
    milestones: Vec<Milestone>,
    accounts: Option<FinalAccounts>,
    evaluation: Option<Evaluation>,
    history: Vec<Transition>,
}

/// A plan and its whole life cycle (see the [module documentation](self) for
/// the rules). Serialises as a versioned JSON object; deserialising validates.
///
/// # Examples
///
/// ```
/// use linli_domain::plans::*;
/// let day = |s| CivilDate::parse(s).unwrap();
/// let by = Stamp::new("王指导员", 1_772_400_000_000);
/// let rules = PlanRules::default();
/// let content = PlanContent {
///     title: "楼道照明改造".into(),
///     category: "public_space".into(),
///     period: "2026-Q2".into(),
///     budget: Budget::new(700_000, 0, 0, 300_000).unwrap(),
///     description: "3 号楼楼道换装感应灯".into(),
/// };
/// let plan = PlanCase::new(1, &by, day("2026-03-01"), content, Internal::default()).unwrap();
/// let plan = plan.start_notice(&by, day("2026-03-02"), &rules).unwrap();
/// assert_eq!(plan.stage(), Stage::Notice);
/// // Seven days, the first included: it may close from 2026-03-09, not before.
/// assert!(matches!(plan.close_notice(&by, day("2026-03-08")), Err(PlanError::NoticeShortened { .. })));
/// let plan = plan.close_notice(&by, day("2026-03-09")).unwrap();
/// assert_eq!(plan.stage(), Stage::Council);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Case")]
pub struct PlanCase(Case);

impl Serialize for PlanCase {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl TryFrom<Case> for PlanCase {
    type Error = PlanError;
    fn try_from(c: Case) -> Result<Self, PlanError> {
        check::check(&c)?;
        Ok(Self(c))
    }
}

impl PlanCase {
    /// The case's id (its key in storage).
    pub fn id(&self) -> u32 {
        self.0.id
    }
    /// The current stage.
    pub fn stage(&self) -> Stage {
        self.0.stage
    }
    /// The date the current stage was entered.
    pub fn stage_since(&self) -> CivilDate {
        self.0.since
    }
    /// The public content (current budget included).
    pub fn content(&self) -> &PlanContent {
        &self.0.content
    }
    /// The internal part (never published).
    pub fn internal(&self) -> &Internal {
        &self.0.internal
    }
    /// Every notice, oldest first.
    pub fn notices(&self) -> &[Notice] {
        &self.0.notices
    }
    /// The notice that is running, if any.
    pub fn open_notice(&self) -> Option<&Notice> {
        self.0.notices.last().filter(|n| n.ended.is_none())
    }
    /// Every objection, by id.
    pub fn objections(&self) -> &[Objection] {
        &self.0.objections
    }
    /// How many objections have no response.
    pub fn unanswered(&self) -> usize {
        self.0.objections.iter().filter(|o| o.response.is_none()).count()
    }
    /// Every approval decision, oldest first.
    pub fn approvals(&self) -> &[Approval] {
        &self.0.approvals
    }
    /// The budget approved by the street review or confirmed by the last change notice.
    pub fn baseline(&self) -> Option<&Budget> {
        self.0.baseline.as_ref()
    }
    /// Every spending entry, reversals included, by id.
    pub fn spending(&self) -> &[SpendingEntry] {
        &self.0.spending
    }
    /// Net spending of a funder (reversals deducted).
    pub fn spent(&self, funder: Funder) -> Fen {
        self.0.spent(funder)
    }
    /// Net spending of all funders.
    pub fn spent_total(&self) -> Fen {
        Funder::ALL.into_iter().map(|f| self.0.spent(f)).sum()
    }
    /// Whether entry `id` has been reversed (the reversal's id).
    pub fn reversed_by(&self, id: u32) -> Option<u32> {
        self.0
            .spending
            .iter()
            .find(|e| e.reverses == Some(id))
            .map(|e| e.id)
    }
    /// Every budget change, by id.
    pub fn budget_changes(&self) -> &[BudgetChange] {
        &self.0.budget_changes
    }
    /// Every milestone, oldest first.
    pub fn milestones(&self) -> &[Milestone] {
        &self.0.milestones
    }
    /// Progress in percent: the last milestone's, 0 before any.
    pub fn progress(&self) -> u8 {
        self.0.milestones.last().map_or(0, |m| m.percent)
    }
    /// The final accounts, once drawn.
    pub fn accounts(&self) -> Option<&FinalAccounts> {
        self.0.accounts.as_ref()
    }
    /// The evaluation, once closed.
    pub fn evaluation(&self) -> Option<&Evaluation> {
        self.0.evaluation.as_ref()
    }
    /// The append-only history, oldest first.
    pub fn history(&self) -> &[Transition] {
        &self.0.history
    }

    /// Runs `f` on a copy; the copy becomes the result only if `f` succeeds.
    fn step(
        &self,
        by: &Stamp,
        f: impl FnOnce(&mut Case) -> Result<(), PlanError>,
    ) -> Result<Self, PlanError> {
        check_actor(by)?;
        let mut c = self.0.clone();
        f(&mut c)?;
        debug_assert_eq!(check::check(&c), Ok(()));
        Ok(Self(c))
    }
}

impl Case {
    /// Net spending of a funder.
    fn spent(&self, funder: Funder) -> Fen {
        self.spending
            .iter()
            .filter(|e| e.funder == funder)
            .map(|e| e.amount)
            .sum()
    }

    /// Appends a transition to `to`; a change of stage dated `on` moves `since`.
    fn record(&mut self, by: &Stamp, on: Option<CivilDate>, to: Stage, event: Event, reason: &str) {
        let from = self.stage;
        if from != to {
            self.stage = to;
            if let Some(d) = on {
                self.since = d;
            }
        }
        self.history.push(Transition {
            seq: next_id(self.history.len()),
            actor: by.actor.clone(),
            at: by.at,
            on,
            from,
            to,
            event,
            reason: reason.to_owned(),
        });
    }

    /// The notice that is running (only in the notice stages).
    fn open_notice_mut(&mut self) -> Option<&mut Notice> {
        self.notices.last_mut().filter(|n| n.ended.is_none())
    }

    /// The date the street review approved the current execution.
    fn execution_start(&self) -> CivilDate {
        self.approvals
            .iter()
            .rev()
            .find(|a| a.approved && matches!(a.detail, ApprovalDetail::StreetReview { .. }))
            .map_or(self.since, |a| a.on)
    }
}

/// `len + 1` as an id (1-based positions).
fn next_id(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX).saturating_add(1)
}

fn check_actor(by: &Stamp) -> Result<(), PlanError> {
    if by.actor.trim().is_empty() {
        return Err(PlanError::NoActor);
    }
    line("actor", &by.actor)
}

/// A required one-line text of at most [`MAX_LINE`] characters.
fn line(field: &'static str, s: &str) -> Result<(), PlanError> {
    if s.trim().is_empty() {
        return Err(PlanError::Empty { field });
    }
    if s.chars().any(char::is_control) {
        return Err(PlanError::NotOneLine { field });
    }
    if s.chars().count() > MAX_LINE {
        return Err(PlanError::TooLong { field, max: MAX_LINE });
    }
    Ok(())
}

/// A text of at most [`MAX_TEXT`] characters, required unless `optional`.
fn text(field: &'static str, s: &str, optional: bool) -> Result<(), PlanError> {
    if !optional && s.trim().is_empty() {
        return Err(PlanError::Empty { field });
    }
    if s.chars().count() > MAX_TEXT {
        return Err(PlanError::TooLong { field, max: MAX_TEXT });
    }
    Ok(())
}

/// `Ok` unless `on` is before `earliest`.
fn not_before(on: CivilDate, earliest: CivilDate, rule: &'static str) -> Result<(), PlanError> {
    if on < earliest {
        Err(PlanError::DateTooEarly { on, earliest, rule })
    } else {
        Ok(())
    }
}
