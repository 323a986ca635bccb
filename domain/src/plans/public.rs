//! What a snapshot may publish of a plan.
//!
//! The public types below are built field by field from the public parts of a
//! case. None of them has a field for [`Internal`](super::Internal) (the
//! responsible guide, internal notes), an objection's internal text or channel,
//! a transition's actor or instant, the assessor, or a budget change's approver,
//! so a [`PublicPlan`] cannot carry them. The reused record types ([`Budget`],
//! [`NoticeKind`], [`NoticeEnd`], [`Response`], [`CouncilVote`], [`Milestone`],
//! [`FinalAccounts`], [`Evaluation`]) hold public data only. Free texts that are
//! published (title, description, summaries, responses, reasons, purposes) are
//! written to be public; the snapshot's own checks still apply to them.

use serde::{Deserialize, Serialize};

use super::PlanCase;
use super::{
    ApprovalDetail, Budget, ChangeStatus, CivilDate, CouncilVote, Evaluation, FinalAccounts, Funder, Level,
    Milestone, NoticeEnd, NoticeKind, Response, Stage,
};
use crate::model::Fen;

/// A change of stage: the stage entered, on which date, and why (a rejection's reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicStage {
    pub stage: Stage,
    pub on: CivilDate,
    pub reason: String,
}

/// A notice with its dates; `days_left` (counting `today`) while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicNotice {
    pub number: u32,
    pub kind: NoticeKind,
    pub start: CivilDate,
    pub last_day: CivilDate,
    pub days: u16,
    pub ended: Option<NoticeEnd>,
    pub days_left: Option<u16>,
}

/// An objection as published: date, public summary, response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicObjection {
    pub notice: u32,
    pub on: CivilDate,
    pub summary: String,
    pub response: Option<Response>,
}

/// What a level decided on, as published (no assessor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "level")]
pub enum PublicDetail {
    Council(CouncilVote),
    Assessment { conclusion: String },
    StreetReview { reference: String },
}

/// An approval decision as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicApproval {
    pub notice: u32,
    pub level: Level,
    pub on: CivilDate,
    pub approved: bool,
    pub reason: String,
    pub detail: PublicDetail,
}

/// A spending entry as published (每笔支出): no person's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSpending {
    pub id: u32,
    pub on: CivilDate,
    pub amount: Fen,
    pub funder: Funder,
    pub purpose: String,
    pub voucher: String,
    pub reverses: Option<u32>,
}

/// A budget change as published (no approver).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicBudgetChange {
    pub id: u32,
    pub on: CivilDate,
    pub from: Budget,
    pub to: Budget,
    pub reason: String,
    pub notice: Option<u32>,
    pub status: ChangeStatus,
}

/// Everything a snapshot may publish of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicPlan {
    pub id: u32,
    pub title: String,
    pub category: String,
    pub period: String,
    pub description: String,
    /// The budget in force, by funder.
    pub budget: Budget,
    pub stage: Stage,
    /// Every change of stage, oldest first (the first is the draft's creation).
    pub stages: Vec<PublicStage>,
    pub notices: Vec<PublicNotice>,
    pub objection_count: usize,
    pub objections: Vec<PublicObjection>,
    pub approvals: Vec<PublicApproval>,
    pub spending: Vec<PublicSpending>,
    /// Net spending, reversals deducted.
    pub spent: Fen,
    pub budget_changes: Vec<PublicBudgetChange>,
    pub progress: u8,
    pub milestones: Vec<Milestone>,
    pub accounts: Option<FinalAccounts>,
    pub evaluation: Option<Evaluation>,
}

impl PlanCase {
    /// What a snapshot may publish of this plan, with notice countdowns as of
    /// `today`; `None` while the plan has never been on notice (a draft is not
    /// public).
    ///
    /// # Examples
    ///
    /// ```
    /// # use linli_domain::plans::*;
    /// # let day = |s| CivilDate::parse(s).unwrap();
    /// # let by = Stamp::new("王", 0);
    /// # let content = PlanContent { title: "照明".into(), category: "c".into(), period: "2026-Q2".into(),
    /// #     budget: Budget::new(100, 0, 0, 0).unwrap(), description: "d".into() };
    /// let internal = Internal { guide: "王".into(), notes: "内部：供应商报价偏高".into() };
    /// let plan = PlanCase::new(1, &by, day("2026-03-01"), content, internal).unwrap();
    /// assert!(plan.public_view(day("2026-03-01")).is_none());
    /// let plan = plan.start_notice(&by, day("2026-03-02"), &PlanRules::default()).unwrap()
    ///     .record_objection(&by, ObjectionInput { on: day("2026-03-03"), channel: ObjectionChannel::Phone,
    ///         internal_text: "5 楼张某来电".into(), public_summary: "担心施工噪音".into() }).unwrap();
    /// let view = plan.public_view(day("2026-03-04")).unwrap();
    /// assert_eq!(view.notices[0].days_left, Some(5));
    /// assert_eq!(view.objections[0].summary, "担心施工噪音");
    /// let json = serde_json::to_string(&view).unwrap();
    /// assert!(!json.contains("张某") && !json.contains("供应商") && !json.contains("王"));
    /// ```
    pub fn public_view(&self, today: CivilDate) -> Option<PublicPlan> {
        let c = &self.0;
        if c.notices.is_empty() {
            return None;
        }
        let stages = c
            .history
            .iter()
            .filter(|t| t.from != t.to || t.seq == 1)
            .filter_map(|t| {
                Some(PublicStage {
                    stage: t.to,
                    on: t.on?,
                    reason: t.reason.clone(),
                })
            })
            .collect();
        let notices = c
            .notices
            .iter()
            .map(|n| PublicNotice {
                number: n.number,
                kind: n.kind,
                start: n.start,
                last_day: n.last_day(),
                days: n.days,
                ended: n.ended,
                days_left: n.ended.is_none().then(|| n.days_left(today)),
            })
            .collect();
        let objections = c
            .objections
            .iter()
            .map(|o| PublicObjection {
                notice: o.notice,
                on: o.on,
                summary: o.public_summary.clone(),
                response: o.response.clone(),
            })
            .collect();
        let approvals = c
            .approvals
            .iter()
            .map(|a| PublicApproval {
                notice: a.notice,
                level: a.detail.level(),
                on: a.on,
                approved: a.approved,
                reason: a.reason.clone(),
                detail: match &a.detail {
                    ApprovalDetail::Council(v) => PublicDetail::Council(*v),
                    ApprovalDetail::Assessment { conclusion, .. } => PublicDetail::Assessment {
                        conclusion: conclusion.clone(),
                    },
                    ApprovalDetail::StreetReview { reference } => PublicDetail::StreetReview {
                        reference: reference.clone(),
                    },
                },
            })
            .collect();
        let spending = c
            .spending
            .iter()
            .map(|e| PublicSpending {
                id: e.id,
                on: e.on,
                amount: e.amount,
                funder: e.funder,
                purpose: e.purpose.clone(),
                voucher: e.voucher.clone(),
                reverses: e.reverses,
            })
            .collect();
        let budget_changes = c
            .budget_changes
            .iter()
            .map(|b| PublicBudgetChange {
                id: b.id,
                on: b.on,
                from: b.from,
                to: b.to,
                reason: b.reason.clone(),
                notice: b.notice,
                status: b.status,
            })
            .collect();
        Some(PublicPlan {
            id: c.id,
            title: c.content.title.clone(),
            category: c.content.category.clone(),
            period: c.content.period.clone(),
            description: c.content.description.clone(),
            budget: c.content.budget,
            stage: c.stage,
            stages,
            notices,
            objection_count: c.objections.len(),
            objections,
            approvals,
            spending,
            spent: self.spent_total(),
            budget_changes,
            progress: self.progress(),
            milestones: c.milestones.clone(),
            accounts: c.accounts.clone(),
            evaluation: c.evaluation.clone(),
        })
    }
}
