//! Execution (spending, reversals, budget changes, milestones), final accounts
//! and evaluation.

use super::values::check_amount;
use super::{line, next_id, not_before, text, Case, PlanCase, PlanError, PlanRules};
use super::{
    AccountLine, BudgetChange, BudgetChangeInput, ChangeStatus, CivilDate, Evaluation, Event, FinalAccounts,
    Funder, Milestone, Notice, NoticeEnd, NoticeKind, Satisfaction, SpendingEntry, SpendingInput, Stage,
    Stamp,
};
use crate::model::Fen;

const AFTER_APPROVAL: &str = "execution starts on the day the street review approved the plan";

/// Puts budget change `id` into effect on `on` (its notice closed).
pub(super) fn put_into_effect(c: &mut Case, id: u32, on: CivilDate) -> Result<(), PlanError> {
    let ch = c
        .budget_changes
        .iter_mut()
        .find(|ch| ch.id == id && ch.status == ChangeStatus::OnNotice)
        .ok_or_else(|| PlanError::Corrupt(format!("budget change {id} is not on notice")))?;
    ch.status = ChangeStatus::Effective(on);
    c.content.budget = ch.to;
    c.baseline = Some(ch.to);
    Ok(())
}

impl PlanCase {
    /// Records a spending entry. Each funder's net spending must stay within its
    /// part of the budget.
    ///
    /// # Errors
    ///
    /// [`PlanError::NotInExecution`], [`PlanError::ZeroAmount`],
    /// [`PlanError::NegativeAmount`], [`PlanError::AmountTooLarge`],
    /// [`PlanError::OverBudget`], [`PlanError::DateTooEarly`] (before the
    /// approval), a text rule (purpose and voucher required).
    ///
    /// # Examples
    ///
    /// ```
    /// # use linli_domain::plans::*;
    /// # let day = |s| CivilDate::parse(s).unwrap();
    /// # let by = Stamp::new("王", 0);
    /// # let content = PlanContent { title: "照明".into(), category: "c".into(), period: "2026-Q2".into(),
    /// #     budget: Budget::new(100_000, 0, 0, 0).unwrap(), description: "d".into() };
    /// # let vote = CouncilVote { votes_for: 21, votes_against: 3, abstain: 2, quorum_met: true };
    /// # let plan = PlanCase::new(1, &by, day("2026-03-01"), content, Internal::default()).unwrap()
    /// #     .start_notice(&by, day("2026-03-02"), &PlanRules::default()).unwrap()
    /// #     .close_notice(&by, day("2026-03-09")).unwrap()
    /// #     .council(&by, day("2026-03-10"), vote, "").unwrap()
    /// #     .assessment(&by, day("2026-03-12"), "设计院", "可行", true, "").unwrap()
    /// #     .street_review(&by, day("2026-03-15"), "街审1号", true, "").unwrap();
    /// let lamps = SpendingInput { on: day("2026-03-20"), amount: 60_000, funder: Funder::Government,
    ///     purpose: "感应灯 40 盏".into(), voucher: "2026-031".into() };
    /// let plan = plan.spend(&by, lamps.clone()).unwrap();
    /// // 60,000 more would exceed the government's 100,000 fen.
    /// assert!(matches!(plan.spend(&by, lamps), Err(PlanError::OverBudget { .. })));
    /// // A correction is a reversal, never an edit; a reversal is never reversed.
    /// let plan = plan.reverse(&by, 1, day("2026-03-21"), "2026-032", "数量录错").unwrap();
    /// assert_eq!(plan.spent_total(), 0);
    /// assert_eq!(plan.reverse(&by, 2, day("2026-03-21"), "2026-033", "x"), Err(PlanError::ReversalOfReversal(2)));
    /// ```
    pub fn spend(&self, by: &Stamp, input: SpendingInput) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.stage != Stage::Execution {
                return Err(PlanError::NotInExecution { stage: c.stage });
            }
            check_amount("a spending entry", input.amount, 1)?;
            line("the purpose", &input.purpose)?;
            line("the voucher number", &input.voucher)?;
            not_before(input.on, c.execution_start(), AFTER_APPROVAL)?;
            let budget = c.content.budget.get(input.funder);
            let spent = c
                .spent(input.funder)
                .checked_add(input.amount)
                .unwrap_or(Fen::MAX);
            if spent > budget {
                return Err(PlanError::OverBudget {
                    funder: input.funder,
                    budget,
                    spent,
                });
            }
            let id = next_id(c.spending.len());
            c.spending.push(SpendingEntry {
                id,
                on: input.on,
                amount: input.amount,
                funder: input.funder,
                purpose: input.purpose,
                voucher: input.voucher,
                reverses: None,
            });
            c.record(
                by,
                Some(input.on),
                Stage::Execution,
                Event::SpendingRecorded { entry: id },
                "",
            );
            Ok(())
        })
    }

    /// Reverses spending entry `id`: a new entry with the opposite amount, the
    /// same funder, `reason` as its purpose and its own voucher number.
    ///
    /// # Errors
    ///
    /// [`PlanError::NotInExecution`], [`PlanError::UnknownSpending`],
    /// [`PlanError::ReversalOfReversal`], [`PlanError::AlreadyReversed`],
    /// [`PlanError::DateTooEarly`] (before the entry), a text rule.
    pub fn reverse(
        &self,
        by: &Stamp,
        id: u32,
        on: CivilDate,
        voucher: &str,
        reason: &str,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.stage != Stage::Execution {
                return Err(PlanError::NotInExecution { stage: c.stage });
            }
            let e = c
                .spending
                .iter()
                .find(|e| e.id == id)
                .ok_or(PlanError::UnknownSpending(id))?;
            if e.reverses.is_some() {
                return Err(PlanError::ReversalOfReversal(id));
            }
            if let Some(r) = c.spending.iter().find(|r| r.reverses == Some(id)) {
                return Err(PlanError::AlreadyReversed { id, by: r.id });
            }
            line("the reason for a reversal", reason)?;
            line("the voucher number", voucher)?;
            not_before(on, e.on, "a reversal is dated on or after the entry it reverses")?;
            let entry = SpendingEntry {
                id: next_id(c.spending.len()),
                on,
                amount: -e.amount,
                funder: e.funder,
                purpose: reason.to_owned(),
                voucher: voucher.to_owned(),
                reverses: Some(id),
            };
            let event = Event::SpendingReversed {
                entry: entry.id,
                reverses: id,
            };
            c.spending.push(entry);
            c.record(by, Some(on), Stage::Execution, event, reason);
            Ok(())
        })
    }

    /// Records a budget change: the whole new split. An increase over the
    /// baseline above `rules.renotice_above_bp` of it goes on notice (stage
    /// [`Stage::ChangeNotice`]) and takes effect when the notice closes; anything
    /// else takes effect at once.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] outside execution, [`PlanError::NoChange`],
    /// [`PlanError::BudgetBelowSpending`], [`PlanError::DateTooEarly`],
    /// [`PlanError::BadRules`], a text rule (reason and approver required).
    ///
    /// # Examples
    ///
    /// ```
    /// # use linli_domain::plans::*;
    /// # let day = |s| CivilDate::parse(s).unwrap();
    /// # let by = Stamp::new("王", 0);
    /// # let content = PlanContent { title: "照明".into(), category: "c".into(), period: "2026-Q2".into(),
    /// #     budget: Budget::new(100_000, 0, 0, 0).unwrap(), description: "d".into() };
    /// # let vote = CouncilVote { votes_for: 21, votes_against: 3, abstain: 2, quorum_met: true };
    /// # let plan = PlanCase::new(1, &by, day("2026-03-01"), content, Internal::default()).unwrap()
    /// #     .start_notice(&by, day("2026-03-02"), &PlanRules::default()).unwrap()
    /// #     .close_notice(&by, day("2026-03-09")).unwrap()
    /// #     .council(&by, day("2026-03-10"), vote, "").unwrap()
    /// #     .assessment(&by, day("2026-03-12"), "设计院", "可行", true, "").unwrap()
    /// #     .street_review(&by, day("2026-03-15"), "街审1号", true, "").unwrap();
    /// let rules = PlanRules::default(); // above 10% goes on notice
    /// let change = |fen| BudgetChangeInput { on: day("2026-04-01"), to: Budget::new(fen, 0, 0, 0).unwrap(),
    ///     reason: "增加 3 号楼地下室".into(), approver: "居委会".into() };
    /// let small = plan.change_budget(&by, change(110_000), &rules).unwrap();
    /// assert_eq!((small.stage(), small.content().budget.total()), (Stage::Execution, 110_000));
    /// let large = plan.change_budget(&by, change(110_001), &rules).unwrap();
    /// assert_eq!((large.stage(), large.content().budget.total()), (Stage::ChangeNotice, 100_000));
    /// let large = large.close_notice(&by, day("2026-04-08")).unwrap();
    /// assert_eq!((large.stage(), large.content().budget.total()), (Stage::Execution, 110_001));
    /// ```
    pub fn change_budget(
        &self,
        by: &Stamp,
        input: BudgetChangeInput,
        rules: &PlanRules,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.stage != Stage::Execution {
                return Err(PlanError::WrongStage {
                    action: "change the budget",
                    stage: c.stage,
                });
            }
            rules.check()?;
            if input.to == c.content.budget {
                return Err(PlanError::NoChange);
            }
            for f in Funder::ALL {
                let (budget, spent) = (input.to.get(f), c.spent(f));
                if budget < spent {
                    return Err(PlanError::BudgetBelowSpending {
                        funder: f,
                        budget,
                        spent,
                    });
                }
            }
            text("the reason for a budget change", &input.reason, false)?;
            line("the approver", &input.approver)?;
            not_before(input.on, c.execution_start(), AFTER_APPROVAL)?;
            let base = c.baseline.map_or(0, |b| b.total());
            let increase = i128::from(input.to.total()) - i128::from(base);
            let noticed =
                increase > 0 && increase * 10_000 > i128::from(base) * i128::from(rules.renotice_above_bp);
            let id = next_id(c.budget_changes.len());
            let mut change = BudgetChange {
                id,
                on: input.on,
                from: c.content.budget,
                to: input.to,
                reason: input.reason,
                approver: input.approver,
                notice: None,
                status: ChangeStatus::Effective(input.on),
            };
            let to = if noticed {
                let number = next_id(c.notices.len());
                let kind = NoticeKind::BudgetChange { change: id };
                c.notices
                    .push(Notice::open(number, kind, input.on, rules.notice_days)?);
                change.notice = Some(number);
                change.status = ChangeStatus::OnNotice;
                Stage::ChangeNotice
            } else {
                c.content.budget = input.to;
                Stage::Execution
            };
            let reason = change.reason.clone();
            c.budget_changes.push(change);
            c.record(
                by,
                Some(input.on),
                to,
                Event::BudgetChanged { change: id, noticed },
                &reason,
            );
            Ok(())
        })
    }

    /// Withdraws the budget change on notice: the notice ends, the budget stays
    /// as it was, execution resumes.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] unless a change is on notice,
    /// [`PlanError::DateTooEarly`], [`PlanError::Empty`] (reason).
    pub fn withdraw_budget_change(&self, by: &Stamp, on: CivilDate, reason: &str) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.stage != Stage::ChangeNotice {
                return Err(PlanError::WrongStage {
                    action: "withdraw a budget change",
                    stage: c.stage,
                });
            }
            text("the reason for a withdrawal", reason, false)?;
            not_before(on, c.since, "a withdrawal is dated on or after its notice began")?;
            let n = c
                .open_notice_mut()
                .ok_or_else(|| PlanError::Corrupt("no open notice".into()))?;
            let NoticeKind::BudgetChange { change } = n.kind else {
                return Err(PlanError::Corrupt(
                    "a change notice shows no budget change".into(),
                ));
            };
            n.ended = Some(NoticeEnd::Withdrawn(on));
            let ch = c
                .budget_changes
                .iter_mut()
                .find(|ch| ch.id == change)
                .ok_or_else(|| PlanError::Corrupt(format!("no budget change {change}")))?;
            ch.status = ChangeStatus::Withdrawn(on);
            c.record(
                by,
                Some(on),
                Stage::Execution,
                Event::BudgetChangeWithdrawn { change },
                reason,
            );
            Ok(())
        })
    }

    /// Records a progress milestone (also during a change notice).
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`], [`PlanError::BadPercent`],
    /// [`PlanError::ProgressBackwards`], [`PlanError::DateTooEarly`] (before the
    /// approval or the previous milestone), [`PlanError::Empty`] (note).
    pub fn milestone(&self, by: &Stamp, on: CivilDate, percent: u8, note: &str) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if !matches!(c.stage, Stage::Execution | Stage::ChangeNotice) {
                return Err(PlanError::WrongStage {
                    action: "record progress",
                    stage: c.stage,
                });
            }
            if percent > 100 {
                return Err(PlanError::BadPercent(percent));
            }
            text("the milestone's note", note, false)?;
            not_before(on, c.execution_start(), AFTER_APPROVAL)?;
            if let Some(last) = c.milestones.last() {
                if percent < last.percent {
                    return Err(PlanError::ProgressBackwards {
                        last: last.percent,
                        percent,
                    });
                }
                not_before(on, last.on, "milestones are recorded in date order")?;
            }
            c.milestones.push(Milestone {
                on,
                percent,
                note: note.to_owned(),
            });
            let stage = c.stage;
            c.record(by, Some(on), stage, Event::MilestoneRecorded { percent }, "");
            Ok(())
        })
    }

    /// Draws the final accounts on `on` and ends execution: budget, net actual
    /// and remainder per funder; the remainder returns to `pool`.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] outside execution, [`PlanError::DateTooEarly`]
    /// (before a spending entry or milestone), a text rule (pool required).
    pub fn close_accounts(&self, by: &Stamp, on: CivilDate, pool: &str) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.stage != Stage::Execution {
                return Err(PlanError::WrongStage {
                    action: "draw the final accounts",
                    stage: c.stage,
                });
            }
            line("the pool the remainder returns to", pool)?;
            let last = c
                .spending
                .iter()
                .map(|e| e.on)
                .chain(c.milestones.iter().map(|m| m.on))
                .max();
            not_before(
                on,
                last.unwrap_or(c.since).max(c.since),
                "the accounts follow every entry and milestone",
            )?;
            let lines: Vec<AccountLine> = c
                .content
                .budget
                .iter()
                .map(|(funder, budget)| {
                    let actual = c.spent(funder);
                    AccountLine {
                        funder,
                        budget,
                        actual,
                        remainder: budget - actual,
                    }
                })
                .collect();
            let sum = |f: fn(&AccountLine) -> Fen| lines.iter().map(f).sum::<Fen>();
            c.accounts = Some(FinalAccounts {
                on,
                budget: sum(|l| l.budget),
                actual: sum(|l| l.actual),
                remainder: sum(|l| l.remainder),
                lines,
                returned_to: pool.to_owned(),
            });
            c.record(by, Some(on), Stage::Accounts, Event::AccountsClosed, "");
            Ok(())
        })
    }

    /// Records the residents' evaluation and closes the plan.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] unless the accounts are drawn,
    /// [`PlanError::BadSatisfaction`], [`PlanError::DateTooEarly`],
    /// [`PlanError::Empty`] (summary).
    pub fn evaluate(
        &self,
        by: &Stamp,
        on: CivilDate,
        satisfaction: Satisfaction,
        summary: &str,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.stage != Stage::Accounts {
                return Err(PlanError::WrongStage {
                    action: "evaluate",
                    stage: c.stage,
                });
            }
            if satisfaction.respondents() == 0 {
                return Err(PlanError::BadSatisfaction("no resident answered"));
            }
            if satisfaction.satisfied() > satisfaction.respondents() {
                return Err(PlanError::BadSatisfaction(
                    "more satisfied residents than respondents",
                ));
            }
            text("the evaluation's public summary", summary, false)?;
            not_before(on, c.since, "the evaluation follows the final accounts")?;
            c.evaluation = Some(Evaluation {
                on,
                satisfaction,
                summary: summary.to_owned(),
            });
            c.record(by, Some(on), Stage::Closed, Event::Evaluated, "");
            Ok(())
        })
    }
}
