//! The community's proposals and paper/workshop ballots of one period as a
//! participatory-budgeting [`Instance`], and what an outcome means for the
//! community (which groups and buildings get something).
//!
//! Handling of what a register can hold but a `.pb` file cannot:
//! * only proposals that passed review take part: status `feasible`, `funded`
//!   or `not_funded` (a submitted or infeasible proposal is not on the ballot);
//! * an approval of a proposal that does not take part is dropped and counted
//!   ([`PeriodInstance::dropped_approvals`]); an approval of an id that is not a
//!   proposal at all is an error (the register is inconsistent);
//! * repeated approvals on one ballot count once; an empty ballot is a voter
//!   (SEMANTICS.md §1);
//! * costs are integers in fen, the budget too (`currency;CNY`, `cost_unit;fen`
//!   in META), so every figure is exact;
//! * nothing personal is exported: a voter is its ballot id and the ballot's
//!   source (`paper`, `workshop`, `import`); buildings are left out.

use crate::order::SortDyn;
use std::collections::{BTreeMap, BTreeSet};

use num_bigint::BigInt;
use num_rational::BigRational;
use serde::{Deserialize, Serialize};

use super::{format_rational, Instance, InstanceError, Outcome};
use crate::dataset::Dataset;
use crate::model::{Fen, ProposalStatus, Setting};

/// The setting holding each period's participatory budget: a JSON object
/// `{"2026-Q4": 30000000}` (fen).
pub const BUDGET_SETTING: &str = "pb_budgets";

/// Why a period's instance could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommunityError {
    /// The `pb_budgets` setting is not a JSON object of fen amounts.
    #[error("setting `pb_budgets` is not valid: {reason}")]
    Setting { reason: String },
    /// No budget for the period.
    #[error("no participatory budget is set for period {period} (setting `pb_budgets`)")]
    NoBudget { period: String },
    /// A budget of zero or less.
    #[error("the participatory budget of period {period} must be more than 0 fen, found {budget_fen}")]
    Budget { period: String, budget_fen: Fen },
    /// No proposal of the period passed review.
    #[error("period {period} has no reviewed (feasible) proposal")]
    NoProposals { period: String },
    /// A proposal with a negative cost.
    #[error("proposal {id} has a negative cost ({cost_fen} fen)")]
    NegativeCost { id: u32, cost_fen: Fen },
    /// A ballot approves an id that is no proposal.
    #[error("ballot {ballot} approves proposal {proposal}, which does not exist")]
    UnknownProposal { ballot: u32, proposal: u32 },
    /// An imported file names a project that is not a reviewed proposal of the period.
    #[error("project {id:?} in the file is not a reviewed proposal of period {period}")]
    ImportProject { id: String, period: String },
    /// The instance could not be built (never for a consistent register).
    #[error(transparent)]
    Instance(#[from] InstanceError),
}

/// A period's instance and what was left out building it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodInstance {
    pub instance: Instance,
    /// Approvals of proposals that did not pass review (dropped).
    pub dropped_approvals: u64,
}

/// The budgets of the `pb_budgets` setting, by period (empty if unset).
///
/// # Errors
///
/// [`CommunityError::Setting`] if the setting is not an object of integers.
pub fn budgets(settings: &[Setting]) -> Result<BTreeMap<String, Fen>, CommunityError> {
    match settings.iter().find(|s| s.key == BUDGET_SETTING) {
        None => Ok(BTreeMap::new()),
        Some(s) => serde_json::from_str(&s.value).map_err(|e| CommunityError::Setting {
            reason: e.to_string(),
        }),
    }
}

fn takes_part(s: ProposalStatus) -> bool {
    matches!(
        s,
        ProposalStatus::Feasible | ProposalStatus::Funded | ProposalStatus::NotFunded
    )
}

/// The periods that have a proposal or a budget, newest first.
pub fn periods(d: &Dataset) -> Vec<String> {
    let set: BTreeSet<String> = d
        .proposals
        .iter()
        .map(|p| p.period.clone())
        .chain(budgets(&d.settings).unwrap_or_default().into_keys())
        .collect();
    set.into_iter().rev().collect()
}

/// The quarter after `period` (`2026-Q4` → `2027-Q1`): where new proposals go
/// once `period`'s count is adopted. `None` for a label that is not `YYYY-Qn`.
///
/// # Examples
///
/// ```
/// use linli_domain::pb::community::next_period;
/// assert_eq!(next_period("2026-Q3").as_deref(), Some("2026-Q4"));
/// assert_eq!(next_period("2026-Q4").as_deref(), Some("2027-Q1"));
/// assert_eq!(next_period("2026-Q5"), None);
/// assert_eq!(next_period("spring"), None);
/// ```
pub fn next_period(period: &str) -> Option<String> {
    let (year, q) = period.split_once("-Q")?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: u32 = year.parse().ok()?;
    match q {
        "1" | "2" | "3" => Some(format!("{year:04}-Q{}", q.parse::<u8>().ok()? + 1)),
        "4" => Some(format!("{:04}-Q1", year.checked_add(1).filter(|y| *y <= 9999)?)),
        _ => None,
    }
}

/// The numbers on `period`'s ballot: its proposals that passed review, in
/// the dataset's order.
pub fn on_ballot(d: &Dataset, period: &str) -> Vec<u32> {
    d.proposals
        .iter()
        .filter(|p| p.period == period && takes_part(p.status))
        .map(|p| p.id)
        .collect()
}

/// The instance of `period`: its reviewed proposals (in id order, id = proposal
/// id), its ballots (in id order, voter id = ballot id) and `budget_fen`, or
/// the `pb_budgets` setting's budget when `budget_fen` is `None`.
///
/// # Errors
///
/// See [`CommunityError`].
///
/// # Examples
///
/// ```
/// use linli_domain::pb::community::instance_for_period;
/// use linli_domain::pb::{run, Rule};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let p = instance_for_period(&d, "2026-Q4", None).unwrap();
/// assert_eq!(p.instance.projects.len(), 11); // one of the 12 proposals was found infeasible
/// let out = run(&p.instance, Rule::from_name("mes_cost").unwrap()).unwrap();
/// assert!(out.total_cost <= out.budget);
/// ```
pub fn instance_for_period(
    d: &Dataset,
    period: &str,
    budget_fen: Option<Fen>,
) -> Result<PeriodInstance, CommunityError> {
    let budget_fen = match budget_fen {
        Some(b) => b,
        None => *budgets(&d.settings)?
            .get(period)
            .ok_or_else(|| CommunityError::NoBudget {
                period: period.to_owned(),
            })?,
    };
    if budget_fen <= 0 {
        return Err(CommunityError::Budget {
            period: period.to_owned(),
            budget_fen,
        });
    }
    let mut proposals: Vec<_> = d
        .proposals
        .iter()
        .filter(|p| p.period == period && takes_part(p.status))
        .collect();
    proposals.sort_by_key_dyn(|p| p.id);
    if proposals.is_empty() {
        return Err(CommunityError::NoProposals {
            period: period.to_owned(),
        });
    }
    let all_ids: BTreeSet<u32> = d.proposals.iter().map(|p| p.id).collect();
    let mut inst = Instance::new(BigRational::from_integer(BigInt::from(budget_fen)));
    inst.project_columns = ["project_id", "cost", "name", "category", "proposer_group"]
        .map(String::from)
        .to_vec();
    inst.voter_columns = ["voter_id", "vote", "source"].map(String::from).to_vec();
    for p in &proposals {
        if p.cost_fen < 0 {
            return Err(CommunityError::NegativeCost {
                id: p.id,
                cost_fen: p.cost_fen,
            });
        }
        let i = inst.add_project(
            &p.id.to_string(),
            BigRational::from_integer(BigInt::from(p.cost_fen)),
        )?;
        inst.projects[i].extra = vec![p.title.clone(), p.category.clone(), p.proposer_group.clone()];
    }
    let mut ballots: Vec<_> = d.ballots.iter().filter(|b| b.period == period).collect();
    ballots.sort_by_key_dyn(|b| b.id);
    let mut dropped = 0u64;
    for b in ballots {
        let mut approved = Vec::with_capacity(b.approvals.len());
        for &a in &b.approvals {
            if !all_ids.contains(&a) {
                return Err(CommunityError::UnknownProposal {
                    ballot: b.id,
                    proposal: a,
                });
            }
            if proposals.binary_search_by_key(&a, |p| p.id).is_ok() {
                approved.push(a.to_string());
            } else {
                dropped += 1;
            }
        }
        let refs: Vec<&str> = approved.iter().map(String::as_str).collect();
        inst.add_voter_with_extra(&b.id.to_string(), &refs, &[b.source.as_str()])?;
    }
    let community = d
        .settings
        .iter()
        .find(|s| s.key == "community")
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s.value).ok())
        .and_then(|v| v.get("name_zh").and_then(|n| n.as_str()).map(str::to_owned))
        .unwrap_or_default();
    inst.meta = vec![
        (
            "description".into(),
            format!("Linli community participatory budget {period}"),
        ),
        ("country".into(), "China".into()),
        ("unit".into(), community),
        ("instance".into(), period.to_owned()),
        ("num_projects".into(), inst.projects.len().to_string()),
        ("num_votes".into(), inst.voters.len().to_string()),
        ("budget".into(), format_rational(&inst.budget)),
        ("vote_type".into(), "approval".into()),
        ("currency".into(), "CNY".into()),
        ("cost_unit".into(), "fen".into()),
    ];
    Ok(PeriodInstance {
        instance: inst,
        dropped_approvals: dropped,
    })
}

/// Ballots of `period` read from a `.pb` file whose projects are the
/// period's reviewed proposals (project id = proposal id): one ballot per
/// voter, in file order, ids from `first_id`, source `import`, no building.
///
/// All or nothing: any project id that is not a reviewed proposal of the
/// period is an error naming it, and no ballot is returned.
///
/// # Errors
///
/// [`CommunityError::ImportProject`] for a project that is not on the period's ballot.
///
/// # Examples
///
/// ```
/// use linli_domain::pb::community::{ballots_from_instance, instance_for_period};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let exported = instance_for_period(&d, "2026-Q4", None).unwrap().instance;
/// let ballots = ballots_from_instance(&d, "2026-Q4", &exported, 1000, 0).unwrap();
/// assert_eq!(ballots.len(), exported.voters.len());
/// assert_eq!(ballots[0].id, 1000);
/// ```
pub fn ballots_from_instance(
    d: &Dataset,
    period: &str,
    inst: &Instance,
    first_id: u32,
    created_at: crate::model::Millis,
) -> Result<Vec<crate::model::Ballot>, CommunityError> {
    let on_ballot: BTreeSet<u32> = d
        .proposals
        .iter()
        .filter(|p| p.period == period && takes_part(p.status))
        .map(|p| p.id)
        .collect();
    let mut ids = Vec::with_capacity(inst.projects.len());
    for p in &inst.projects {
        match p.id.as_str().parse::<u32>() {
            Ok(id) if on_ballot.contains(&id) => ids.push(id),
            _ => {
                return Err(CommunityError::ImportProject {
                    id: p.id.as_str().to_owned(),
                    period: period.to_owned(),
                })
            }
        }
    }
    Ok(inst
        .voters
        .iter()
        .enumerate()
        .map(|(i, v)| crate::model::Ballot {
            id: first_id + i as u32,
            period: period.to_owned(),
            approvals: v.ballot.iter().map(|&p| ids[p as usize]).collect(),
            source: "import".to_owned(),
            building_id: None,
            created_at,
        })
        .collect())
}

/// Who gets something under an outcome: proposer groups with a funded
/// proposal, and buildings with at least one ballot approving a funded
/// proposal ("a building gets something its residents asked for").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    /// Proposer groups with a funded proposal, sorted.
    pub groups: Vec<String>,
    /// Buildings with a ballot approving a funded proposal, sorted.
    pub buildings: Vec<u32>,
    /// Buildings that cast at least one ballot.
    pub buildings_voting: u32,
    /// Ballots approving at least one funded proposal.
    pub satisfied_ballots: u64,
    pub ballots: u64,
}

/// What `outcome` (of [`instance_for_period`]`(d, period, ..)`) gives the community.
pub fn reach(d: &Dataset, period: &str, outcome: &Outcome) -> Reach {
    let funded: BTreeSet<u32> = outcome
        .selected
        .iter()
        .filter_map(|p| p.as_str().parse().ok())
        .collect();
    let groups: BTreeSet<String> = d
        .proposals
        .iter()
        .filter(|p| p.period == period && funded.contains(&p.id))
        .map(|p| p.proposer_group.clone())
        .collect();
    let mut buildings = BTreeSet::new();
    let mut voting = BTreeSet::new();
    let (mut satisfied, mut total) = (0u64, 0u64);
    for b in d.ballots.iter().filter(|b| b.period == period) {
        total += 1;
        if let Some(id) = b.building_id {
            voting.insert(id);
        }
        if b.approvals.iter().any(|a| funded.contains(a)) {
            satisfied += 1;
            if let Some(id) = b.building_id {
                buildings.insert(id);
            }
        }
    }
    Reach {
        groups: groups.into_iter().collect(),
        buildings: buildings.into_iter().collect(),
        buildings_voting: voting.len() as u32,
        satisfied_ballots: satisfied,
        ballots: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};
    use crate::pb::{run, Rule};

    fn demo() -> Dataset {
        generate(&DemoConfig {
            households: 600,
            ..DemoConfig::default()
        })
    }

    #[test]
    fn the_demo_period_exports_reviewed_proposals_and_every_ballot_and_reads_back() {
        let d = demo();
        let p = instance_for_period(&d, "2026-Q4", None).unwrap();
        let inst = &p.instance;
        // The demo also holds Q3's proposals and ballots (adopted, issue #14).
        let reviewed = d
            .proposals
            .iter()
            .filter(|x| x.period == "2026-Q4" && takes_part(x.status))
            .count();
        assert_eq!(inst.projects.len(), reviewed);
        let ballots: Vec<_> = d.ballots.iter().filter(|b| b.period == "2026-Q4").collect();
        assert_eq!(inst.voters.len(), ballots.len());
        assert_eq!(inst.meta_value("cost_unit"), Some("fen"));
        let approvals: u64 = ballots.iter().map(|b| b.approvals.len() as u64).sum();
        let kept: u64 = inst.voters.iter().map(|v| v.ballot.len() as u64).sum();
        assert_eq!(kept + p.dropped_approvals, approvals);
        let text = inst.to_pb_string().unwrap();
        assert_eq!(&Instance::from_pb_str(&text).unwrap(), inst);
        // Nothing personal: no contact name appears in the file.
        assert!(d.households.iter().all(|h| !text.contains(&h.contact_name)));
    }

    #[test]
    fn an_explicit_budget_wins_and_bad_budgets_and_ballots_are_refused() {
        let mut d = demo();
        let p = instance_for_period(&d, "2026-Q4", Some(12_345)).unwrap();
        assert_eq!(p.instance.meta_value("budget"), Some("12345"));
        assert_eq!(
            instance_for_period(&d, "2026-Q4", Some(0)).unwrap_err(),
            CommunityError::Budget {
                period: "2026-Q4".into(),
                budget_fen: 0
            }
        );
        assert!(matches!(
            instance_for_period(&d, "2031-Q1", None),
            Err(CommunityError::NoBudget { .. })
        ));
        assert!(matches!(
            instance_for_period(&d, "2031-Q1", Some(5)),
            Err(CommunityError::NoProposals { .. })
        ));
        d.ballots[3].approvals.push(999);
        assert_eq!(
            instance_for_period(&d, "2026-Q4", None).unwrap_err(),
            CommunityError::UnknownProposal {
                ballot: d.ballots[3].id,
                proposal: 999
            }
        );
    }

    #[test]
    fn imported_ballots_round_trip_through_pb_and_foreign_projects_are_refused() {
        let d = demo();
        let exported = instance_for_period(&d, "2026-Q4", None).unwrap().instance;
        let text = exported.to_pb_string().unwrap();
        let back = Instance::from_pb_str(&text).unwrap();
        let ballots = ballots_from_instance(&d, "2026-Q4", &back, 5_000, 7).unwrap();
        let mut ours: Vec<_> = d.ballots.iter().filter(|b| b.period == "2026-Q4").collect();
        ours.sort_by_key_dyn(|b| b.id);
        assert_eq!(ballots.len(), ours.len());
        for (got, want) in ballots.iter().zip(&ours) {
            let kept: Vec<u32> = want
                .approvals
                .iter()
                .copied()
                .filter(|a| exported.project_index(&a.to_string()).is_some())
                .collect();
            assert_eq!(got.approvals, kept);
            assert_eq!(got.source, "import");
        }
        let mut foreign = back.clone();
        foreign.projects[0].id = crate::pb::ProjectId("999".into());
        assert_eq!(
            ballots_from_instance(&d, "2026-Q4", &foreign, 1, 0).unwrap_err(),
            CommunityError::ImportProject {
                id: "999".into(),
                period: "2026-Q4".into()
            }
        );
    }

    #[test]
    fn periods_come_from_proposals_and_budgets_newest_first_and_the_ballot_lists_reviewed_ones() {
        let mut d = demo();
        // The demo's Q3 budget was counted and adopted; Q4's is being voted (issue #14).
        assert_eq!(periods(&d), ["2026-Q4", "2026-Q3"]);
        d.settings.retain(|s| s.key != BUDGET_SETTING);
        d.settings.push(Setting {
            key: BUDGET_SETTING.into(),
            value: r#"{"2027-Q1": 100, "2025-Q2": 5}"#.into(),
        });
        assert_eq!(periods(&d), ["2027-Q1", "2026-Q4", "2026-Q3", "2025-Q2"]);
        // A damaged budget setting hides no period that has proposals.
        d.settings.last_mut().unwrap().value = "[".into();
        assert_eq!(periods(&d), ["2026-Q4", "2026-Q3"]);
        let ids = on_ballot(&d, "2026-Q4");
        let reviewed: Vec<u32> = d
            .proposals
            .iter()
            .filter(|p| p.period == "2026-Q4" && takes_part(p.status))
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, reviewed);
        assert_eq!(ids.len(), 11);
        assert!(on_ballot(&d, "2031-Q1").is_empty());
    }

    #[test]
    fn mes_reaches_at_least_as_many_groups_as_greedy_on_the_demo() {
        let d = demo();
        let p = instance_for_period(&d, "2026-Q4", None).unwrap();
        let g = run(&p.instance, Rule::from_name("greedy_cost").unwrap()).unwrap();
        let m = run(&p.instance, Rule::from_name("mes_cost_add1_greedy").unwrap()).unwrap();
        let (rg, rm) = (reach(&d, "2026-Q4", &g), reach(&d, "2026-Q4", &m));
        assert!(rm.groups.len() >= rg.groups.len(), "{rg:?} {rm:?}");
        assert!(rm.satisfied_ballots <= rm.ballots);
        assert!(rg.buildings.len() as u32 <= rg.buildings_voting);
    }
}
