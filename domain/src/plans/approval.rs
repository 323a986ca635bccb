//! The three approval levels, in order: residents' council, professional
//! assessment, street review.

use super::{line, Approval, ApprovalDetail, CivilDate, CouncilVote, Event, Level, Stage, Stamp};
use super::{not_before, text, Case, PlanCase, PlanError};

impl PlanCase {
    /// Level 1: the residents' council's vote. It passes only with a quorum and
    /// more votes for than against; otherwise the plan returns to draft and
    /// `reason` is required.
    ///
    /// # Errors
    ///
    /// [`PlanError::ApprovalOutOfOrder`] unless awaiting the council,
    /// [`PlanError::DateTooEarly`], [`PlanError::Empty`] (a rejection's reason).
    ///
    /// # Examples
    ///
    /// ```
    /// # use linli_domain::plans::*;
    /// # let day = |s| CivilDate::parse(s).unwrap();
    /// # let by = Stamp::new("王", 0);
    /// # let content = PlanContent { title: "照明".into(), category: "c".into(), period: "2026-Q2".into(),
    /// #     budget: Budget::new(100, 0, 0, 0).unwrap(), description: "d".into() };
    /// # let plan = PlanCase::new(1, &by, day("2026-03-01"), content, Internal::default()).unwrap()
    /// #     .start_notice(&by, day("2026-03-02"), &PlanRules::default()).unwrap()
    /// #     .close_notice(&by, day("2026-03-09")).unwrap();
    /// // The street office cannot decide before the council and the assessment.
    /// assert!(matches!(plan.street_review(&by, day("2026-03-10"), "街审〔2026〕1号", true, ""),
    ///     Err(PlanError::ApprovalOutOfOrder { .. })));
    /// let no_quorum = CouncilVote { votes_for: 9, votes_against: 1, abstain: 0, quorum_met: false };
    /// let back = plan.council(&by, day("2026-03-10"), no_quorum, "未达法定人数").unwrap();
    /// assert_eq!(back.stage(), Stage::Draft);
    /// let vote = CouncilVote { votes_for: 21, votes_against: 3, abstain: 2, quorum_met: true };
    /// let plan = plan.council(&by, day("2026-03-10"), vote, "").unwrap()
    ///     .assessment(&by, day("2026-03-12"), "市政设计院", "方案可行", true, "").unwrap()
    ///     .street_review(&by, day("2026-03-15"), "街审〔2026〕1号", true, "").unwrap();
    /// assert_eq!(plan.stage(), Stage::Execution);
    /// ```
    pub fn council(
        &self,
        by: &Stamp,
        on: CivilDate,
        vote: CouncilVote,
        reason: &str,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            decide(c, by, on, ApprovalDetail::Council(vote), vote.passes(), reason)
        })
    }

    /// Level 2: the professional assessment (assessor, conclusion, decision).
    ///
    /// # Errors
    ///
    /// As [`PlanCase::council`], plus a text rule for the assessor and conclusion.
    pub fn assessment(
        &self,
        by: &Stamp,
        on: CivilDate,
        assessor: &str,
        conclusion: &str,
        approved: bool,
        reason: &str,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            line("the assessor", assessor)?;
            text("the assessment's conclusion", conclusion, false)?;
            let detail = ApprovalDetail::Assessment {
                assessor: assessor.to_owned(),
                conclusion: conclusion.to_owned(),
            };
            decide(c, by, on, detail, approved, reason)
        })
    }

    /// Level 3: the street office's review (reference number, decision). Approval
    /// starts execution with the current budget as the baseline.
    ///
    /// # Errors
    ///
    /// As [`PlanCase::council`], plus a text rule for the reference.
    pub fn street_review(
        &self,
        by: &Stamp,
        on: CivilDate,
        reference: &str,
        approved: bool,
        reason: &str,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            line("the street review's reference number", reference)?;
            let detail = ApprovalDetail::StreetReview {
                reference: reference.to_owned(),
            };
            decide(c, by, on, detail, approved, reason)
        })
    }
}

fn decide(
    c: &mut Case,
    by: &Stamp,
    on: CivilDate,
    detail: ApprovalDetail,
    approved: bool,
    reason: &str,
) -> Result<(), PlanError> {
    let level = detail.level();
    if c.stage != level.stage() {
        return Err(PlanError::ApprovalOutOfOrder {
            level,
            stage: c.stage,
        });
    }
    not_before(on, c.since, "a level decides on or after the plan reached it")?;
    text("the reason for a rejection", reason, approved)?;
    let to = match (approved, level) {
        (false, _) => Stage::Draft,
        (true, Level::Council) => Stage::Assessment,
        (true, Level::Assessment) => Stage::StreetReview,
        (true, Level::StreetReview) => Stage::Execution,
    };
    if to == Stage::Execution {
        c.baseline = Some(c.content.budget);
    }
    let notice = c.notices.last().map_or(0, |n| n.number);
    c.approvals.push(Approval {
        notice,
        on,
        approved,
        reason: reason.to_owned(),
        detail,
    });
    c.record(by, Some(on), to, Event::Decided { level, approved }, reason);
    Ok(())
}
