//! Every operation as one serialisable value, for callers that dispatch or log
//! operations (a form's submit, a pending write, a replay).

use serde::{Deserialize, Serialize};

use super::{
    BudgetChangeInput, CivilDate, CouncilVote, Internal, ObjectionInput, PlanContent, Satisfaction,
    SpendingInput, Stamp,
};
use super::{PlanCase, PlanError, PlanRules};

/// One operation on a [`PlanCase`]; [`PlanCase::apply`] runs it. Each variant
/// is the method of the same name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Command {
    Edit {
        on: CivilDate,
        content: PlanContent,
    },
    EditInternal {
        internal: Internal,
    },
    StartNotice {
        on: CivilDate,
    },
    ExtendNotice {
        on: CivilDate,
        days: u16,
        reason: String,
    },
    RecordObjection {
        objection: ObjectionInput,
    },
    AnswerObjection {
        id: u32,
        on: CivilDate,
        response: String,
    },
    CloseNotice {
        on: CivilDate,
    },
    Council {
        on: CivilDate,
        vote: CouncilVote,
        reason: String,
    },
    Assessment {
        on: CivilDate,
        assessor: String,
        conclusion: String,
        approved: bool,
        reason: String,
    },
    StreetReview {
        on: CivilDate,
        reference: String,
        approved: bool,
        reason: String,
    },
    Spend {
        spending: SpendingInput,
    },
    Reverse {
        id: u32,
        on: CivilDate,
        voucher: String,
        reason: String,
    },
    ChangeBudget {
        change: BudgetChangeInput,
    },
    WithdrawBudgetChange {
        on: CivilDate,
        reason: String,
    },
    Milestone {
        on: CivilDate,
        percent: u8,
        note: String,
    },
    CloseAccounts {
        on: CivilDate,
        pool: String,
    },
    Evaluate {
        on: CivilDate,
        satisfaction: Satisfaction,
        summary: String,
    },
}

impl PlanCase {
    /// Runs `command` by `by` under `rules`: the new case, or why not (this
    /// case is unchanged either way).
    ///
    /// # Errors
    ///
    /// Those of the operation's method.
    ///
    /// # Examples
    ///
    /// ```
    /// # use linli_domain::plans::*;
    /// # let day = |s| CivilDate::parse(s).unwrap();
    /// # let by = Stamp::new("王", 0);
    /// # let content = PlanContent { title: "照明".into(), category: "c".into(), period: "2026-Q2".into(),
    /// #     budget: Budget::new(100, 0, 0, 0).unwrap(), description: "d".into() };
    /// let plan = PlanCase::new(1, &by, day("2026-03-01"), content, Internal::default()).unwrap();
    /// let cmd: Command = serde_json::from_str(r#"{"op":"start_notice","on":"2026-03-02"}"#).unwrap();
    /// let plan = plan.apply(&by, &PlanRules::default(), &cmd).unwrap();
    /// assert_eq!(plan.stage(), Stage::Notice);
    /// let spend: Command = serde_json::from_str(r#"{"op":"spend","spending":{"on":"2026-03-03",
    ///     "amount":50,"funder":"government","purpose":"灯","voucher":"1"}}"#).unwrap();
    /// assert_eq!(plan.apply(&by, &PlanRules::default(), &spend),
    ///     Err(PlanError::NotInExecution { stage: Stage::Notice }));
    /// ```
    pub fn apply(&self, by: &Stamp, rules: &PlanRules, command: &Command) -> Result<Self, PlanError> {
        match command {
            Command::Edit { on, content } => self.edit(by, *on, content.clone(), rules),
            Command::EditInternal { internal } => self.edit_internal(by, internal.clone()),
            Command::StartNotice { on } => self.start_notice(by, *on, rules),
            Command::ExtendNotice { on, days, reason } => self.extend_notice(by, *on, *days, reason),
            Command::RecordObjection { objection } => self.record_objection(by, objection.clone()),
            Command::AnswerObjection { id, on, response } => self.answer_objection(by, *id, *on, response),
            Command::CloseNotice { on } => self.close_notice(by, *on),
            Command::Council { on, vote, reason } => self.council(by, *on, *vote, reason),
            Command::Assessment {
                on,
                assessor,
                conclusion,
                approved,
                reason,
            } => self.assessment(by, *on, assessor, conclusion, *approved, reason),
            Command::StreetReview {
                on,
                reference,
                approved,
                reason,
            } => self.street_review(by, *on, reference, *approved, reason),
            Command::Spend { spending } => self.spend(by, spending.clone()),
            Command::Reverse {
                id,
                on,
                voucher,
                reason,
            } => self.reverse(by, *id, *on, voucher, reason),
            Command::ChangeBudget { change } => self.change_budget(by, change.clone(), rules),
            Command::WithdrawBudgetChange { on, reason } => self.withdraw_budget_change(by, *on, reason),
            Command::Milestone { on, percent, note } => self.milestone(by, *on, *percent, note),
            Command::CloseAccounts { on, pool } => self.close_accounts(by, *on, pool),
            Command::Evaluate {
                on,
                satisfaction,
                summary,
            } => self.evaluate(by, *on, *satisfaction, summary),
        }
    }
}
