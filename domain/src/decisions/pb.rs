//! Adopting a participatory-budgeting count for a period.

use std::collections::BTreeSet;

use num_traits::Zero;

use crate::alloc::apportion::largest_remainder;
use crate::alloc::{AllocConfig, FunderShare};
use crate::dataset::Dataset;
use crate::model::{Fen, NeedClass, Proposal, ProposalStatus};
use crate::money::MAX_FEN;
use crate::pb::community::{budgets, instance_for_period};
use crate::pb::{BigRational, Instance, InstanceError, Outcome};
use crate::plans::{Budget, Funder, Internal, PlanCase, PlanContent};

use super::{pb_adoption, Decision, DecisionError, DecisionKind, Header, PbProjectOutcome};

/// The public description of a draft plan made from a funded proposal, when the
/// caller has no translation of its own. Placeholders: `{title}`, `{period}`,
/// `{proposal}` (its number), `{category}`.
///
/// There is deliberately no placeholder for votes or ballots: a description is
/// free text, published as written, so a count put into it would bypass the
/// minimum cell size that the snapshot applies to the PB outcome's votes.
pub const DEFAULT_PLAN_DESCRIPTION: &str =
    "{title}（{period} 参与式预算第 {proposal} 号提案，经居民投票获得资助）";

/// A count as the page showed it: the SHA-256 of the instance it ran on
/// ([`instance_sha256`]) and its outcome.
#[derive(Debug, Clone, Copy)]
pub struct PbCount<'a> {
    pub instance_sha256: &'a str,
    pub outcome: &'a Outcome,
    /// Template of each draft plan's public description (see
    /// [`DEFAULT_PLAN_DESCRIPTION`] for the placeholders).
    pub description: &'a str,
}

/// What adopting a count changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbAdoption {
    /// The record of the decision.
    pub decision: Decision,
    /// Every proposal on the ballot, its status now funded or not funded.
    pub proposals: Vec<Proposal>,
    /// One draft plan per funded proposal, in the order of the decision's projects.
    pub plans: Vec<PlanCase>,
}

/// Lower-case hex SHA-256 of the instance's `.pb` text: what a count ran on.
///
/// # Errors
///
/// The instance cannot be written as `.pb` ([`InstanceError`]).
pub fn instance_sha256(inst: &Instance) -> Result<String, InstanceError> {
    Ok(crate::backup::sha256_hex(inst.to_pb_string()?.as_bytes()))
}

/// `total` split by a cost-sharing rule (`rule` names it in errors), by largest
/// remainder over the rule's basis points, as the allocation's cost sharing does:
/// exact to the fen.
///
/// # Errors
///
/// [`DecisionError::UnknownFunder`] for a funder plans cannot hold,
/// [`DecisionError::AmountTooLarge`], [`DecisionError::Config`] for a rule
/// without weight.
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::CostRules;
/// use linli_domain::decisions::split_budget;
/// use linli_domain::plans::Funder;
/// let rules = CostRules::default(); // improvement: government 30 %, market 30 %, residents 40 %
/// let b = split_budget(100_001, &rules.improvement, "improvement").unwrap();
/// assert_eq!(b.total(), 100_001);
/// assert_eq!(b.get(Funder::Residents), 40_001); // the largest remainder gets the odd fen
/// ```
pub fn split_budget(total: Fen, rule: &[FunderShare], name: &'static str) -> Result<Budget, DecisionError> {
    if !(0..=MAX_FEN).contains(&total) {
        return Err(DecisionError::AmountTooLarge {
            what: "the budget",
            fen: total,
        });
    }
    let mut funders = Vec::with_capacity(rule.len());
    for s in rule {
        let f = Funder::from_code(&s.funder).ok_or_else(|| DecisionError::UnknownFunder {
            rule: name,
            funder: s.funder.clone(),
        })?;
        funders.push(f);
    }
    let weights: Vec<u128> = rule.iter().map(|s| u128::from(s.bp)).collect();
    let parts = largest_remainder(total as u64, &weights).map_err(|e| DecisionError::Config {
        reason: format!("cost_sharing.{name}: {e}"),
    })?;
    let split: Vec<(Funder, Fen)> = funders
        .into_iter()
        .zip(parts)
        .map(|(f, p)| (f, p as Fen))
        .collect();
    Budget::from_split(total, &split).map_err(|e| DecisionError::Config {
        reason: format!("cost_sharing.{name}: {e}"),
    })
}

/// The rule name of a need class.
fn class_rule(class: NeedClass) -> &'static str {
    match class {
        NeedClass::Basic => "basic",
        NeedClass::Improvement => "improvement",
        NeedClass::Special => "special",
    }
}

/// `template` with each `{name}` of `values` replaced, in one pass (a value is
/// never scanned again), other braces kept.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let hit = values.iter().find_map(|(k, v)| {
            let key = format!("{{{k}}}");
            tail.starts_with(&key).then_some((key.len(), v))
        });
        match hit {
            Some((len, v)) => {
                out.push_str(v);
                rest = &tail[len..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Fen of an exact amount that must be a whole number of fen.
fn whole_fen(r: &BigRational) -> Option<Fen> {
    use num_traits::ToPrimitive;
    r.is_integer().then(|| r.to_integer().to_i64()).flatten()
}

/// Checks that `out` is an outcome of `inst` (same projects, costs, votes,
/// voters and budget; funded flags consistent with the selection and within the
/// budget). The rule's choice itself is trusted: the instance's hash is checked
/// separately, and the rules are deterministic.
fn check_outcome(inst: &Instance, out: &Outcome) -> Result<(), String> {
    if out.projects.len() != inst.projects.len() {
        return Err(format!(
            "{} proposals in the count, {} on the ballot",
            out.projects.len(),
            inst.projects.len()
        ));
    }
    if out.num_voters != inst.voters.len() as u64 {
        return Err(format!(
            "{} ballots in the count, {} stored",
            out.num_voters,
            inst.voters.len()
        ));
    }
    if out.budget != inst.budget {
        return Err("the budget differs".to_owned());
    }
    let counts = inst.approval_counts();
    let selected: BTreeSet<&str> = out.selected.iter().map(|p| p.as_str()).collect();
    let mut total = BigRational::zero();
    for ((r, p), votes) in out.projects.iter().zip(&inst.projects).zip(counts) {
        if r.id != p.id || r.cost != p.cost {
            return Err(format!("proposal {} differs", p.id.as_str()));
        }
        if r.approvals != votes {
            return Err(format!(
                "proposal {} has {} votes in the count, {votes} in the ballots",
                p.id.as_str(),
                r.approvals
            ));
        }
        if r.funded != selected.contains(p.id.as_str()) {
            return Err(format!(
                "proposal {}: funded flag and selection differ",
                p.id.as_str()
            ));
        }
        if r.funded {
            total += &r.cost;
        }
    }
    let funded = out.projects.iter().filter(|r| r.funded).count();
    if funded != selected.len() {
        return Err("the selection names a proposal not on the ballot".to_owned());
    }
    if total != out.total_cost || total > inst.budget {
        return Err("the funded proposals' total cost does not match or exceeds the budget".to_owned());
    }
    Ok(())
}

/// Adopts a count of `header.period`'s participatory budget: the decision (rule,
/// budget, voters, funded total and every proposal on the ballot with its votes,
/// cost and whether it is funded), the proposals with their new status, and one
/// draft plan per funded proposal with ids `first_plan_id`, `first_plan_id + 1`, …
/// (title, category and period of the proposal; budget = its cost, split by the
/// cost-sharing rule of its need class in the `alloc_config` setting, exact to the
/// fen; public description from `count.description`; responsible guide the actor).
///
/// `d` needs the proposals, the ballots and the settings. The count is adopted
/// only if the period's instance, rebuilt from `d`, has the SHA-256 the count ran
/// on and every vote matches. One PB adoption per period, never undone.
///
/// # Errors
///
/// [`DecisionError::PbAlreadyAdopted`], [`DecisionError::PbInstance`],
/// [`DecisionError::PbInputsChanged`], [`DecisionError::PbOutcomeMismatch`],
/// [`DecisionError::UnknownCategory`], [`DecisionError::UnknownFunder`],
/// [`DecisionError::Config`], [`DecisionError::ProposalPlan`],
/// [`DecisionError::NoPlanId`], and the header's rules.
///
/// # Examples
///
/// ```
/// use linli_domain::decisions::*;
/// use linli_domain::model::ProposalStatus;
/// use linli_domain::pb::community::instance_for_period;
/// use linli_domain::pb::{run, Rule};
/// use linli_domain::plans::{CivilDate, Stage, Stamp};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 100, ..Default::default() });
/// let inst = instance_for_period(&d, "2026-Q4", None).unwrap().instance;
/// let outcome = run(&inst, Rule::GreedyCost).unwrap();
/// let sha = instance_sha256(&inst).unwrap();
/// let count = PbCount { instance_sha256: &sha, outcome: &outcome, description: DEFAULT_PLAN_DESCRIPTION };
/// let header = Header { id: 1, period: "2026-Q4".into(), on: CivilDate::parse("2026-12-01").unwrap(),
///     by: Stamp::new("王指导员", 0) };
/// let a = adopt_pb(&[], &d, &count, 10, &header).unwrap();
/// assert_eq!(a.plans.len(), outcome.selected.len());
/// assert!(a.plans.iter().all(|p| p.stage() == Stage::Draft && p.id() >= 10));
/// assert!(a.proposals.iter().all(|p| matches!(p.status, ProposalStatus::Funded | ProposalStatus::NotFunded)));
/// // One adoption per period.
/// assert!(matches!(adopt_pb(&[a.decision], &d, &count, 20, &Header { id: 2, ..header }),
///     Err(DecisionError::PbAlreadyAdopted { .. })));
/// ```
pub fn adopt_pb(
    existing: &[Decision],
    d: &Dataset,
    count: &PbCount<'_>,
    first_plan_id: u32,
    header: &Header,
) -> Result<PbAdoption, DecisionError> {
    header.check(existing)?;
    let period = header.period.as_str();
    if let Some(prev) = pb_adoption(existing, period) {
        return Err(DecisionError::PbAlreadyAdopted {
            period: period.to_owned(),
            decision: prev.id,
        });
    }
    let instance_error = |reason: String| DecisionError::PbInstance {
        period: period.to_owned(),
        reason,
    };
    let built = instance_for_period(d, period, None).map_err(|e| instance_error(e.to_string()))?;
    let inst = &built.instance;
    let sha = instance_sha256(inst).map_err(|e| instance_error(e.to_string()))?;
    if sha != count.instance_sha256 {
        return Err(DecisionError::PbInputsChanged {
            period: period.to_owned(),
        });
    }
    let out = count.outcome;
    check_outcome(inst, out).map_err(|reason| DecisionError::PbOutcomeMismatch {
        period: period.to_owned(),
        reason,
    })?;
    let budget_fen = budgets(&d.settings)
        .ok()
        .and_then(|b| b.get(period).copied())
        .ok_or_else(|| instance_error("no budget".to_owned()))?;
    let config = AllocConfig::from_dataset(d).map_err(|e| DecisionError::Config {
        reason: e.to_string(),
    })?;
    let categories = crate::settings::need_categories(&d.settings).map_err(|e| DecisionError::Config {
        reason: format!("setting `{}`: {}", e.key, e.reason),
    })?;
    let mut projects = Vec::with_capacity(out.projects.len());
    let mut proposals = Vec::with_capacity(out.projects.len());
    let mut plans = Vec::new();
    let mut funded_fen: Fen = 0;
    let mut next_plan = first_plan_id;
    for r in &out.projects {
        let proposal =
            r.id.as_str()
                .parse::<u32>()
                .ok()
                .and_then(|id| d.proposals.iter().find(|p| p.id == id && p.period == period))
                .ok_or_else(|| DecisionError::PbOutcomeMismatch {
                    period: period.to_owned(),
                    reason: format!("project {} is not a proposal of the period", r.id.as_str()),
                })?;
        let cost_fen = whole_fen(&r.cost).unwrap_or(proposal.cost_fen);
        let mut plan_id = None;
        if r.funded {
            funded_fen = funded_fen.checked_add(cost_fen).filter(|f| *f <= MAX_FEN).ok_or(
                DecisionError::AmountTooLarge {
                    what: "the funded total",
                    fen: Fen::MAX,
                },
            )?;
            let class = categories
                .iter()
                .find(|c| c.code == proposal.category)
                .map(|c| c.class)
                .ok_or_else(|| DecisionError::UnknownCategory {
                    proposal: proposal.id,
                    category: proposal.category.clone(),
                })?;
            let budget = split_budget(cost_fen, config.cost_sharing.of(class), class_rule(class))?;
            let description = fill(
                count.description,
                &[
                    ("title", proposal.title.clone()),
                    ("period", period.to_owned()),
                    ("proposal", proposal.id.to_string()),
                    ("category", proposal.category.clone()),
                ],
            );
            let content = PlanContent {
                title: proposal.title.clone(),
                category: proposal.category.clone(),
                period: period.to_owned(),
                budget,
                description,
            };
            let internal = Internal {
                guide: header.by.actor.clone(),
                notes: String::new(),
            };
            let plan =
                PlanCase::new(next_plan, &header.by, header.on, content, internal).map_err(|error| {
                    DecisionError::ProposalPlan {
                        proposal: proposal.id,
                        error,
                    }
                })?;
            plans.push(plan);
            plan_id = Some(next_plan);
            next_plan = next_plan
                .checked_add(1)
                .ok_or(DecisionError::NoPlanId(next_plan))?;
        }
        projects.push(PbProjectOutcome {
            proposal_id: proposal.id,
            title: proposal.title.clone(),
            category: proposal.category.clone(),
            cost_fen,
            votes: r.approvals,
            funded: r.funded,
            plan_id,
        });
        let mut changed = proposal.clone();
        changed.status = if r.funded {
            ProposalStatus::Funded
        } else {
            ProposalStatus::NotFunded
        };
        proposals.push(changed);
    }
    let decision = header.decision(DecisionKind::PbAdopted {
        rule: out.rule.name().to_owned(),
        budget_fen,
        voters: out.num_voters,
        funded_fen,
        projects,
    });
    Ok(PbAdoption {
        decision,
        proposals,
        plans,
    })
}

#[cfg(test)]
mod fill_tests {
    use super::fill;

    #[test]
    fn placeholders_are_filled_once_and_unknown_braces_kept() {
        let v = [("title", "{period}".to_owned()), ("period", "2026-Q4".to_owned())];
        assert_eq!(fill("{title} / {period} {x} {", &v), "{period} / 2026-Q4 {x} {");
    }

    #[test]
    fn a_template_cannot_ask_for_vote_counts() {
        // adopt_pb offers no `{votes}` or `{voters}`: a translation that still
        // names them publishes the braces, never a count below the cell size.
        let v = [("title", "路灯".to_owned())];
        assert_eq!(fill("{title}：{votes}/{voters}", &v), "路灯：{votes}/{voters}");
    }
}
