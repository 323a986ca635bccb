//! The decisions and plans as published: every plan that has been on notice (from
//! [`PlanCase::public_view`]), adopted PB outcomes, reserve releases, and the configured
//! points rules and catalogue.
//!
//! Only public parts are read: a [`PublicPlan`] has no field for the internal part of a
//! plan, and of a [`Decision`](crate::decisions::Decision) only the period, date and the
//! public fields of its kind are read (never its actor, nor a release's approver).
//! Spending voucher numbers are left out (bookkeeping references, shown at the community
//! office on request; a voucher may name a payee).

use super::build::{at_least, bp, publishable, sort_funders, SnapshotError};
use super::{
    AccountLinePublic, AccountsPublic, ApprovalPublic, BudgetChangePublic, CatalogueItemPublic, Cell,
    CouncilPublic, EvaluationPublic, FunderAmount, MilestonePublic, NoticePublic, ObjectionPublic, PbOutcome,
    PbProject, PlanPublic, PlanStageDay, PointsRule, PointsRules, ReserveRelease, SpendingPublic,
};
use crate::dataset::Dataset;
use crate::decisions::DecisionKind;
use crate::order::SortDyn;
use crate::participation::points::{Catalogue, EarningRules, CATALOGUE_SETTING, RULES_SETTING};
use crate::plans::{
    Budget, ChangeStatus, CivilDate, Evaluation, Funder, Level, NoticeEnd, NoticeKind, PlanCase,
    PublicDetail, PublicPlan, Satisfaction,
};
use crate::suppress::suppress;

/// A budget's funders with a part, in budget order.
fn by_funder(b: &Budget) -> Vec<FunderAmount> {
    Funder::ALL
        .into_iter()
        .filter(|f| b.get(*f) != 0)
        .map(|f| FunderAmount {
            funder: f.code().to_owned(),
            amount_fen: b.get(f),
        })
        .collect()
}

/// `council`, `assessment`, `street_review`.
pub(super) fn level_code(l: Level) -> &'static str {
    match l {
        Level::Council => "council",
        Level::Assessment => "assessment",
        Level::StreetReview => "street_review",
    }
}

/// Every plan that has been on public notice, by id.
pub(super) fn public_plans(d: &Dataset, today: i64, min: u64) -> Vec<PlanPublic> {
    let Some(day) = CivilDate::from_days(today) else {
        return Vec::new();
    };
    let mut plans: Vec<PlanPublic> = d
        .plans
        .iter()
        .filter_map(|p| p.public_view(day).map(|v| plan(p, v, min)))
        .collect();
    plans.sort_by_key_dyn(|p| p.id);
    plans
}

fn plan(case: &PlanCase, p: PublicPlan, min: u64) -> PlanPublic {
    let mut spent_by_funder: Vec<FunderAmount> = Funder::ALL
        .into_iter()
        .filter(|f| p.spending.iter().any(|e| e.funder == *f))
        .map(|f| FunderAmount {
            funder: f.code().to_owned(),
            amount_fen: case.spent(f),
        })
        .collect();
    sort_funders(&mut spent_by_funder);
    let answered = p.objections.iter().filter(|o| o.response.is_some()).count() as u64;
    PlanPublic {
        id: p.id,
        title: p.title,
        category: p.category,
        period: p.period,
        description: p.description,
        stage: p.stage.code().to_owned(),
        budget_fen: p.budget.total(),
        budget: by_funder(&p.budget),
        spent_fen: p.spent,
        spent_by_funder,
        progress_pct: p.progress.min(100),
        stages: p
            .stages
            .into_iter()
            .map(|s| PlanStageDay {
                stage: s.stage.code().to_owned(),
                date: s.on.to_string(),
                reason: s.reason,
            })
            .collect(),
        notices: p
            .notices
            .into_iter()
            .map(|n| {
                let (ended, ended_on) = match n.ended {
                    None => (None, None),
                    Some(NoticeEnd::Closed(d)) => (Some("closed"), Some(d)),
                    Some(NoticeEnd::Restarted(d)) => (Some("restarted"), Some(d)),
                    Some(NoticeEnd::Withdrawn(d)) => (Some("withdrawn"), Some(d)),
                };
                let (kind, change) = match n.kind {
                    NoticeKind::Plan => ("plan", None),
                    NoticeKind::BudgetChange { change } => ("budget_change", Some(change)),
                };
                NoticePublic {
                    number: n.number,
                    kind: kind.to_owned(),
                    change,
                    start: n.start.to_string(),
                    last_day: n.last_day.to_string(),
                    days: n.days,
                    ended: ended.map(str::to_owned),
                    ended_on: ended_on.map(|d| d.to_string()),
                    days_left: n.days_left,
                }
            })
            .collect(),
        objection_count: p.objection_count as u64,
        objections_answered: answered,
        objections: p
            .objections
            .into_iter()
            .map(|o| ObjectionPublic {
                notice: o.notice,
                date: o.on.to_string(),
                summary: o.summary,
                response_date: o.response.as_ref().map(|r| r.on.to_string()),
                response: o.response.map(|r| r.text),
            })
            .collect(),
        approvals: p
            .approvals
            .into_iter()
            .map(|a| {
                let mut out = ApprovalPublic {
                    notice: a.notice,
                    level: level_code(a.level).to_owned(),
                    date: a.on.to_string(),
                    approved: a.approved,
                    reason: a.reason,
                    council: None,
                    conclusion: None,
                    reference: None,
                };
                match a.detail {
                    PublicDetail::Council(v) => {
                        out.council = Some(CouncilPublic {
                            votes_for: v.votes_for,
                            votes_against: v.votes_against,
                            abstain: v.abstain,
                            quorum_met: v.quorum_met,
                        });
                    }
                    PublicDetail::Assessment { conclusion } => out.conclusion = Some(conclusion),
                    PublicDetail::StreetReview { reference } => out.reference = Some(reference),
                }
                out
            })
            .collect(),
        // Voucher numbers are not read: see the module documentation.
        spending: p
            .spending
            .into_iter()
            .map(|e| SpendingPublic {
                id: e.id,
                date: e.on.to_string(),
                amount_fen: e.amount,
                funder: e.funder.code().to_owned(),
                purpose: e.purpose,
                reverses: e.reverses,
            })
            .collect(),
        budget_changes: p
            .budget_changes
            .into_iter()
            .map(|b| {
                let (status, status_date) = match b.status {
                    ChangeStatus::Effective(d) => ("effective", Some(d.to_string())),
                    ChangeStatus::OnNotice => ("on_notice", None),
                    ChangeStatus::Withdrawn(d) => ("withdrawn", Some(d.to_string())),
                };
                BudgetChangePublic {
                    id: b.id,
                    date: b.on.to_string(),
                    from_fen: b.from.total(),
                    to_fen: b.to.total(),
                    to: by_funder(&b.to),
                    reason: b.reason,
                    notice: b.notice,
                    status: status.to_owned(),
                    status_date,
                }
            })
            .collect(),
        milestones: p
            .milestones
            .into_iter()
            .map(|m| MilestonePublic {
                date: m.on.to_string(),
                percent: m.percent,
                note: m.note,
            })
            .collect(),
        accounts: p.accounts.map(|a| AccountsPublic {
            date: a.on.to_string(),
            lines: a
                .lines
                .iter()
                .map(|l| AccountLinePublic {
                    funder: l.funder.code().to_owned(),
                    budget_fen: l.budget,
                    actual_fen: l.actual,
                    remainder_fen: l.remainder,
                })
                .collect(),
            budget_fen: a.budget,
            actual_fen: a.actual,
            remainder_fen: a.remainder,
            returned_to: a.returned_to,
        }),
        evaluation: p.evaluation.map(|e| evaluation(&e, min)),
    }
}

/// A plan's evaluation with its answers suppressed like the requests' satisfaction: the
/// distribution as one table whose total is published, the satisfied share only when it
/// reveals no withheld count.
pub(super) fn evaluation(e: &Evaluation, min: u64) -> EvaluationPublic {
    let n = e.satisfaction.respondents();
    let sat = e.satisfaction.satisfied();
    let (distribution, complete): (Vec<Cell>, bool) = match e.satisfaction {
        Satisfaction::Counts(c) if publishable(n, min) => {
            let cells = suppress(&c.map(u64::from), min);
            let complete = cells.iter().all(Option::is_some);
            (cells, complete)
        }
        Satisfaction::Counts(_) => (vec![None; 5], false),
        Satisfaction::Summary { .. } => (
            Vec::new(),
            publishable(n, min) && publishable(sat, min) && publishable(n.saturating_sub(sat), min),
        ),
    };
    EvaluationPublic {
        date: e.on.to_string(),
        respondents: at_least(n, min),
        distribution,
        satisfied_bp: (complete && n > 0).then(|| bp(sat, n)),
        summary: e.summary.clone(),
    }
}

/// Every release of the emergency reserve, by decision id (no approver).
pub(super) fn reserve_releases(d: &Dataset) -> Vec<ReserveRelease> {
    let mut out: Vec<ReserveRelease> = d
        .decisions
        .iter()
        .filter_map(|x| match &x.kind {
            DecisionKind::ReserveReleased {
                amount_fen,
                reason,
                plan_id,
                ..
            } => Some(ReserveRelease {
                decision: x.id,
                period: x.period.clone(),
                date: x.on.to_string(),
                amount_fen: *amount_fen,
                reason: reason.clone(),
                plan_id: *plan_id,
            }),
            _ => None,
        })
        .collect();
    out.sort_by_key_dyn(|r| r.decision);
    out
}

/// Every adopted PB outcome, by period (then decision). Ballots and votes are counts of
/// people: withheld below the minimum cell size.
pub(super) fn pb_outcomes(d: &Dataset, min: u64) -> Vec<PbOutcome> {
    let mut out: Vec<PbOutcome> = d
        .decisions
        .iter()
        .filter_map(|x| match &x.kind {
            DecisionKind::PbAdopted {
                rule,
                budget_fen,
                voters,
                funded_fen,
                projects,
            } => Some(PbOutcome {
                decision: x.id,
                period: x.period.clone(),
                adopted_on: x.on.to_string(),
                rule: rule.clone(),
                budget_fen: *budget_fen,
                funded_fen: *funded_fen,
                voters: at_least(*voters, min),
                projects: projects
                    .iter()
                    .map(|p| PbProject {
                        proposal_id: p.proposal_id,
                        title: p.title.clone(),
                        category: p.category.clone(),
                        cost_fen: p.cost_fen,
                        votes: at_least(p.votes, min),
                        funded: p.funded,
                        plan_id: p.plan_id,
                    })
                    .collect(),
            }),
            _ => None,
        })
        .collect();
    out.sort_by_dyn(|a, b| (&a.period, a.decision).cmp(&(&b.period, b.decision)));
    out
}

/// A JSON setting, or its default when absent.
fn setting<T: serde::de::DeserializeOwned + Default>(d: &Dataset, key: &str) -> Result<T, SnapshotError> {
    match d.settings.iter().find(|s| s.key == key) {
        None => Ok(T::default()),
        Some(s) => serde_json::from_str(&s.value).map_err(|e| SnapshotError::Setting {
            key: key.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// The configured earning rules (`points_rules`) and catalogue (`points_catalogue`), as
/// the participation page applies them.
pub(super) fn points(d: &Dataset) -> Result<PointsRules, SnapshotError> {
    let invalid = |key: &str, e: crate::participation::points::PointsError| SnapshotError::Setting {
        key: key.to_owned(),
        reason: e.to_string(),
    };
    let r: EarningRules = setting(d, RULES_SETTING)?;
    r.validate().map_err(|e| invalid(RULES_SETTING, e))?;
    let c: Catalogue = setting(d, CATALOGUE_SETTING)?;
    c.validate().map_err(|e| invalid(CATALOGUE_SETTING, e))?;
    let rule = |code: &str, zh: &str, en: &str, points, per: &str| PointsRule {
        code: code.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
        points,
        per: per.to_owned(),
    };
    Ok(PointsRules {
        earning: vec![
            rule(
                "deliberation",
                "参加议事",
                "Deliberation",
                r.deliberation_per_meeting,
                "meeting",
            ),
            rule(
                "volunteering",
                "志愿服务",
                "Volunteering",
                r.volunteering_per_hour,
                "hour",
            ),
            rule(
                "skill_sharing",
                "技能分享",
                "Skill sharing",
                r.skill_sharing_per_session,
                "session",
            ),
        ],
        catalogue: c
            .items
            .into_iter()
            .map(|i| CatalogueItemPublic {
                code: i.code,
                name_zh: i.name_zh,
                name_en: i.name_en,
                cost: i.cost,
                stock: i.stock,
            })
            .collect(),
    })
}
