//! Outcome rules (greedy, MES, Add1, completions), their outcomes and explanations.

use crate::order::SortDyn;
use std::cell::RefCell;
use std::fmt;
use std::str::FromStr;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};
use serde::{Deserialize, Serialize};

use super::instance::{serde_rational, Instance, InstanceError, ProjectId};
use super::mes::{Engine, MesRun, Sat};
use super::profile::Profile;

/// An outcome rule. Names (for [`Rule::from_name`] and [`Rule::name`]) are those of
/// `reference/pabulib/README.md`; all but the last two reproduce pabutools 1.2.3 exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// `greedy_cost`: projects by approvals descending, ties by id string; every project
    /// that still fits is taken, zero-approval ones last (SEMANTICS.md §5, `Cost_Sat`).
    GreedyCost,
    /// `greedy_card`: projects by approvals/cost descending (exact), ties by id string
    /// (SEMANTICS.md §5, `Cardinality_Sat`).
    GreedyCard,
    /// `mes_cost`: Method of Equal Shares, `Cost_Sat`, share B/n, no completion (§6).
    MesCost,
    /// `mes_card`: Method of Equal Shares, `Cardinality_Sat`, no completion (§6).
    MesCard,
    /// `mes_cost_add1`: pabutools' iterated MES with `voter_budget_increment=1` (§7): start
    /// at B/n, add 1 per voter until the outcome is exhaustive among MES candidates (return
    /// it) or over budget (return the previous one).
    ///
    /// Both Add1 loops ([`Rule::EqualSharesAdd1`] too) give the outcome of stepping one unit
    /// at a time, but they **jump** over steps that cannot change it: once a run's outcome
    /// has repeated, MES is re-run once with every amount kept as an affine function of the
    /// share, which gives how many further steps provably make the same decisions (every
    /// affordability test, every "pays all it has" test, every comparison of ρ keeps its
    /// result); the loop goes straight past them (module `jump`). So a budget of 10¹² with a
    /// project only one voter supports takes a few runs, not 5·10¹¹.
    /// [`Add1Report::iterations`] still counts every step, as pabutools does.
    MesCostAdd1,
    /// `mes_cost_add1_greedy`: [`Rule::MesCostAdd1`], then, unless the outcome is exhaustive
    /// among all projects, the greedy `Cost_Sat` completion from it (§8). "MES + Add1 +
    /// utilitarian completion" as used in Wieliczka and Świecie (without the comparison step).
    MesCostAdd1Greedy,
    /// `equalshares_add1`: the Add1 variant of pabulib-checker 1.0.8 (`equalshares/add1`)
    /// and equalshares.net (SEMANTICS.md §9), which differs from [`Rule::MesCostAdd1`]:
    /// first run at B/n, then per-voter shares floor(B/n)+1, floor(B/n)+2, … while the outcome
    /// stays within the budget; **no exhaustive stop** (it stops only when the next outcome
    /// would exceed the budget, and, as a termination guard the checker lacks, when every
    /// candidate is selected); MES ties broken by lower cost, then more approvals, then (where
    /// the checker raises an error) id string. No completion. This is the rule whose outcomes
    /// were published for Assen 2024, Świecie 2023 and Wieliczka 2023. Costs and budget are
    /// used exactly (the checker floors them to integers: the same thing on integral
    /// instances), so the outcome never exceeds the budget.
    EqualSharesAdd1,
    /// `equalshares_add1_utilitarian`: [`Rule::EqualSharesAdd1`] followed by the
    /// equalshares.net "utilitarian" completion: remaining projects by approvals descending,
    /// ties in file order, each taken if it still fits.
    EqualSharesAdd1Utilitarian,
}

impl Rule {
    /// Every rule, in the order of the README table, then the two checker variants.
    pub const ALL: [Rule; 8] = [
        Rule::GreedyCost,
        Rule::GreedyCard,
        Rule::MesCost,
        Rule::MesCard,
        Rule::MesCostAdd1,
        Rule::MesCostAdd1Greedy,
        Rule::EqualSharesAdd1,
        Rule::EqualSharesAdd1Utilitarian,
    ];

    /// The rule's name, e.g. `"mes_cost_add1_greedy"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Rule::GreedyCost => "greedy_cost",
            Rule::GreedyCard => "greedy_card",
            Rule::MesCost => "mes_cost",
            Rule::MesCard => "mes_card",
            Rule::MesCostAdd1 => "mes_cost_add1",
            Rule::MesCostAdd1Greedy => "mes_cost_add1_greedy",
            Rule::EqualSharesAdd1 => "equalshares_add1",
            Rule::EqualSharesAdd1Utilitarian => "equalshares_add1_utilitarian",
        }
    }

    /// The rule with this name ([`Rule::name`]); also accepts the pabulib META names
    /// `greedy` (= `greedy_cost`), `equalshares` (= `mes_cost`) and `equalshares/add1`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Rule> {
        let name = name.trim();
        Rule::ALL.into_iter().find(|r| r.name() == name).or(match name {
            "greedy" => Some(Rule::GreedyCost),
            "equalshares" => Some(Rule::MesCost),
            "equalshares/add1" => Some(Rule::EqualSharesAdd1),
            _ => None,
        })
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown rule name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule {0:?}")]
pub struct UnknownRule(pub String);

impl FromStr for Rule {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::from_name(s).ok_or_else(|| UnknownRule(s.to_string()))
    }
}

/// The most MES runs an Add1 loop makes when [`Limits::max_add1_iterations`] is `None`:
/// 100,000.
///
/// An Add1 loop steps the per-voter share by one currency unit, but it does not run MES
/// for every step: it jumps over the steps at which the outcome provably cannot change
/// (see [`Rule::MesCostAdd1`]), so the number of runs follows the number of distinct
/// outcomes on the way, not the distance in currency units. The cap is a last guard for
/// hostile input; no real instance comes near it (Budapest 2024, in HUF, takes about
/// 22,000 steps of one forint).
pub const DEFAULT_MAX_ADD1_RUNS: u64 = 100_000;

/// Bounds on the work a rule may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of MES runs in an Add1 loop; `None` means
    /// [`DEFAULT_MAX_ADD1_RUNS`]. Steps jumped over are not runs (they are counted in
    /// [`Add1Report::iterations`] all the same).
    pub max_add1_iterations: Option<u64>,
}

impl Limits {
    fn max_runs(self) -> u64 {
        self.max_add1_iterations.unwrap_or(DEFAULT_MAX_ADD1_RUNS)
    }
}

/// A rule could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The instance is inconsistent ([`Instance::validate`]).
    #[error("invalid instance: {0}")]
    InvalidInstance(#[from] InstanceError),
    /// The Add1 loop needed more MES runs than [`Limits::max_add1_iterations`] (by default
    /// [`DEFAULT_MAX_ADD1_RUNS`]).
    #[error("the Add1 loop needed more than {limit} MES runs")]
    IterationLimit {
        /// The limit.
        limit: u64,
    },
    /// The Add1 loop would run for ever: MES gives the same outcome, within the budget and
    /// not exhaustive, at every larger share (pabutools and pabulib-checker would not stop).
    #[error(
        "the Add1 loop would never end: the outcome stays the same, within the budget and not \
         exhaustive, for every larger share"
    )]
    NoEnd,
}

/// Why a project was or was not funded, stage by stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// Funded by MES: its supporters paid its whole cost, each `min(their money, max_payment)`.
    FundedByMes {
        /// 0-based MES round (in the MES run whose outcome was kept).
        round: usize,
        /// Number of supporters (voters approving it).
        supporters: u64,
        /// The cap t: no supporter paid more.
        #[serde(with = "serde_rational")]
        max_payment: BigRational,
        /// cost / supporters.
        #[serde(with = "serde_rational")]
        average_payment: BigRational,
        /// Total paid by the supporters (= the cost).
        #[serde(with = "serde_rational")]
        paid_by_supporters: BigRational,
        /// Supporters whose money was below the cap and who paid all they had left.
        paid_all_they_had: u64,
    },
    /// Funded by MES at once: approved and free (`Cardinality_Sat` only).
    FundedFree,
    /// Funded by a greedy step (a greedy rule or a completion): it fit in the remaining budget
    /// when its turn came.
    FundedByGreedy {
        /// Remaining budget just before it was taken.
        #[serde(with = "serde_rational")]
        remaining_before: BigRational,
    },
    /// MES: nobody approves it, so it is not a candidate.
    NoApprovals,
    /// MES with `Cost_Sat`: it costs 0, so it gives no satisfaction and is not a candidate
    /// (SEMANTICS.md §6.1).
    FreeWithoutCostSatisfaction,
    /// MES: when MES stopped, its supporters had less money left than its cost.
    NotAffordableBySupporters {
        /// Money its supporters had left at the end of the (kept) MES run.
        #[serde(with = "serde_rational")]
        supporters_money: BigRational,
    },
    /// A greedy step: it cost more than the remaining budget when its turn came.
    DoesNotFit {
        /// Remaining budget at its turn.
        #[serde(with = "serde_rational")]
        remaining_budget: BigRational,
    },
    /// It costs more than the whole budget.
    CostExceedsBudget,
}

/// The result of a rule for one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectResult {
    /// The project.
    pub id: ProjectId,
    /// Its cost.
    #[serde(with = "serde_rational")]
    pub cost: BigRational,
    /// Number of voters approving it.
    pub approvals: u64,
    /// Whether it is funded.
    pub funded: bool,
    /// Its 0-based position in [`Outcome::selection_order`].
    pub position: Option<usize>,
    /// What each stage of the rule did with it, in order (e.g. MES could not fund it, then the
    /// greedy completion did).
    pub notes: Vec<Note>,
}

/// How an Add1 loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Add1Stop {
    /// The outcome was exhaustive (pabutools, SEMANTICS.md §7): it was returned.
    Exhaustive,
    /// The next outcome would exceed the budget: the previous one was returned.
    NextInfeasible,
    /// Every MES candidate was selected ([`Rule::EqualSharesAdd1`] guard).
    AllCandidatesSelected,
    /// No voters: nothing to run.
    NoVoters,
}

/// Details of an Add1 loop (compare `expected.json`'s `iterations`, `stop`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Add1Report {
    /// Number of MES runs.
    pub iterations: u64,
    /// Why it stopped.
    pub stop: Add1Stop,
    /// Per-voter share of the first run.
    #[serde(with = "serde_rational")]
    pub initial_voter_budget: BigRational,
    /// Per-voter share of the run whose outcome was kept.
    #[serde(with = "serde_rational")]
    pub final_voter_budget: BigRational,
}

/// The outcome of a rule on an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The rule.
    pub rule: Rule,
    /// Funded projects, sorted by id string (as `expected.json`'s `selected`).
    pub selected: Vec<ProjectId>,
    /// Funded projects in the order the rule added them.
    pub selection_order: Vec<ProjectId>,
    /// Exact total cost of the funded projects (never above the budget).
    #[serde(with = "serde_rational")]
    pub total_cost: BigRational,
    /// The budget limit.
    #[serde(with = "serde_rational")]
    pub budget: BigRational,
    /// Number of voters n (empty ballots included).
    pub num_voters: u64,
    /// One entry per project, in instance order.
    pub projects: Vec<ProjectResult>,
    /// For Add1 rules.
    pub add1: Option<Add1Report>,
}

/// Runs `rule` on `inst` with the default limits ([`DEFAULT_MAX_ADD1_RUNS`] MES runs per
/// Add1 loop, which jumps over the steps that cannot change its outcome). See [`Rule`] for
/// the definitions and [`run_with_limits`] for another bound. Safe on untrusted input:
/// amounts are bounded by [`Instance::validate`] and every Add1 loop ends.
///
/// # Errors
/// [`RunError::InvalidInstance`] if `inst` fails [`Instance::validate`];
/// [`RunError::IterationLimit`] past the default cap; [`RunError::NoEnd`] if the Add1
/// loop would never stop.
///
/// # Example
/// ```
/// use linli_domain::pb::{int, run, Instance, Rule};
///
/// let inst = Instance::from_pb_str(
///     "META\nkey;value\nbudget;100\nvote_type;approval\n\
///      PROJECTS\nproject_id;cost\na;60\nb;50\nc;40\n\
///      VOTES\nvoter_id;vote\n1;a,b\n2;a\n3;c\n4;\n",
/// ).unwrap();
/// let greedy = run(&inst, Rule::GreedyCost).unwrap();
/// assert_eq!(greedy.selection_order, ["a".into(), "c".into()]);
/// let mes = run(&inst, Rule::MesCostAdd1Greedy).unwrap();
/// assert_eq!(mes.selected, ["a".into(), "c".into()]);
/// assert_eq!(mes.total_cost, int(100));
/// // MES needed 30 per voter for `a` (4 voters share 25 at first): Add1 raised the share.
/// assert_eq!(mes.add1.unwrap().final_voter_budget, int(40));
/// ```
pub fn run(inst: &Instance, rule: Rule) -> Result<Outcome, RunError> {
    run_with_limits(inst, rule, Limits::default())
}

/// Runs `rule` on `inst`, failing if an Add1 loop needs more MES runs than allowed.
///
/// # Errors
/// [`RunError::InvalidInstance`] if `inst` fails [`Instance::validate`];
/// [`RunError::IterationLimit`] if the limit is hit; [`RunError::NoEnd`] if the Add1
/// loop would never stop.
pub fn run_with_limits(inst: &Instance, rule: Rule, limits: Limits) -> Result<Outcome, RunError> {
    Election::new(inst)?.run_with_limits(rule, limits)
}

/// An instance prepared for running several rules (ballots merged once; the Add1 loop of
/// [`Rule::MesCostAdd1`] is shared with [`Rule::MesCostAdd1Greedy`]).
#[derive(Debug)]
pub struct Election<'a> {
    inst: &'a Instance,
    prof: Profile,
    /// Rank of each project in id-string order (pabutools' lexicographic tie-breaking).
    id_rank: Vec<u32>,
    /// Result of pabutools' Add1 loop, once computed.
    add1_cache: RefCell<Option<(MesRun, Add1Report)>>,
}

impl<'a> Election<'a> {
    /// Validates `inst` and merges identical ballots.
    ///
    /// # Errors
    /// [`RunError::InvalidInstance`] if `inst` fails [`Instance::validate`].
    pub fn new(inst: &'a Instance) -> Result<Self, RunError> {
        inst.validate()?;
        let prof = Profile::new(inst);
        let mut by_id: Vec<usize> = (0..inst.projects.len()).collect();
        by_id.sort_by_dyn(|&a, &b| inst.projects[a].id.cmp(&inst.projects[b].id));
        let mut id_rank = vec![0u32; inst.projects.len()];
        for (r, &p) in by_id.iter().enumerate() {
            id_rank[p] = u32::try_from(r).unwrap_or(u32::MAX);
        }
        Ok(Self {
            inst,
            prof,
            id_rank,
            add1_cache: RefCell::new(None),
        })
    }

    /// Number of distinct ballots.
    #[must_use]
    pub fn num_distinct_ballots(&self) -> usize {
        self.prof.num_groups()
    }

    /// Runs a rule with the default limits ([`run`]).
    ///
    /// # Errors
    /// As [`Election::run_with_limits`].
    pub fn run(&self, rule: Rule) -> Result<Outcome, RunError> {
        self.run_with_limits(rule, Limits::default())
    }

    /// Runs a rule ([`run_with_limits`]).
    ///
    /// # Errors
    /// [`RunError::IterationLimit`], [`RunError::NoEnd`].
    pub fn run_with_limits(&self, rule: Rule, limits: Limits) -> Result<Outcome, RunError> {
        let np = self.inst.projects.len();
        let mut b = Builder::new(self, rule);
        match rule {
            Rule::GreedyCost => self.greedy(&mut b, Sat::Cost),
            Rule::GreedyCard => self.greedy(&mut b, Sat::Card),
            Rule::MesCost | Rule::MesCard => {
                let sat = if rule == Rule::MesCost {
                    Sat::Cost
                } else {
                    Sat::Card
                };
                let engine = Engine::new(&self.prof, sat, &self.costs(), self.id_rank.clone());
                let share = self.initial_share();
                let r = engine.run(&share, true);
                self.record_mes(&mut b, &r, sat);
            }
            Rule::MesCostAdd1 | Rule::MesCostAdd1Greedy => {
                let cached = self.add1_cache.borrow().clone();
                let (r, report) = match cached {
                    Some(hit) => hit,
                    None => {
                        let engine = Engine::new(&self.prof, Sat::Cost, &self.costs(), self.id_rank.clone());
                        let res = self.add1_pabutools(&engine, limits)?;
                        *self.add1_cache.borrow_mut() = Some(res.clone());
                        res
                    }
                };
                self.record_mes(&mut b, &r, Sat::Cost);
                b.add1 = Some(report);
                if rule == Rule::MesCostAdd1Greedy
                    && !self.is_exhaustive(&b.selected_mask(np), &b.total, None)
                {
                    self.greedy(&mut b, Sat::Cost);
                }
            }
            Rule::EqualSharesAdd1 | Rule::EqualSharesAdd1Utilitarian => {
                let mut pref_order: Vec<usize> = (0..np).collect();
                pref_order.sort_by_dyn(|&x, &y| {
                    let (px, py) = (&self.inst.projects[x], &self.inst.projects[y]);
                    px.cost
                        .cmp(&py.cost)
                        .then(self.prof.approvals[y].cmp(&self.prof.approvals[x]))
                        .then(px.id.cmp(&py.id))
                });
                let mut pref = vec![0u32; np];
                for (r, &p) in pref_order.iter().enumerate() {
                    pref[p] = u32::try_from(r).unwrap_or(u32::MAX);
                }
                let engine = Engine::new(&self.prof, Sat::Cost, &self.costs(), pref);
                let (r, report) = self.add1_checker(&engine, limits)?;
                self.record_mes(&mut b, &r, Sat::Cost);
                b.add1 = Some(report);
                if rule == Rule::EqualSharesAdd1Utilitarian {
                    self.utilitarian_completion(&mut b);
                }
            }
        }
        Ok(b.finish(self))
    }

    fn costs(&self) -> Vec<BigRational> {
        self.inst.projects.iter().map(|p| p.cost.clone()).collect()
    }

    fn initial_share(&self) -> BigRational {
        if self.prof.n == 0 {
            return BigRational::zero();
        }
        &self.inst.budget / BigRational::from_integer(BigInt::from(self.prof.n))
    }

    fn total_of(&self, order: &[usize]) -> BigRational {
        order
            .iter()
            .fold(BigRational::zero(), |acc, &p| acc + &self.inst.projects[p].cost)
    }

    /// No project outside `selected` (among `among`, or all projects) fits in the budget left.
    fn is_exhaustive(&self, selected: &[bool], total: &BigRational, among: Option<&[usize]>) -> bool {
        let fits = |p: usize| !selected[p] && total + &self.inst.projects[p].cost <= self.inst.budget;
        match among {
            Some(list) => !list.iter().any(|&p| fits(p)),
            None => !(0..self.inst.projects.len()).any(fits),
        }
    }

    /// pabutools' iterated MES with increment 1 (SEMANTICS.md §7).
    fn add1_pabutools(&self, engine: &Engine<'_>, limits: Limits) -> Result<(MesRun, Add1Report), RunError> {
        let initial = self.initial_share();
        if self.prof.n == 0 {
            let r = engine.run(&initial, true);
            let report = Add1Report {
                iterations: 0,
                stop: Add1Stop::NoVoters,
                initial_voter_budget: initial.clone(),
                final_voter_budget: initial,
            };
            return Ok((r, report));
        }
        let np = self.inst.projects.len();
        let one = BigRational::one();
        let mut share = initial.clone();
        let mut prev: Option<BigRational> = None;
        let mut iterations = 0u64;
        let mut runs = 0u64;
        let mut jumps = JumpPolicy::new(engine);
        // Natively, the run for the next share is computed ahead on a second core by a
        // second engine; the loop still looks at the runs one by one, in order, so the
        // outcome is exactly that of the sequential loop.
        let mut ahead = Lookahead::new(self, engine);
        loop {
            if runs >= limits.max_runs() {
                return Err(RunError::IterationLimit { limit: runs });
            }
            runs += 1;
            iterations = iterations.saturating_add(1);
            let r = ahead.run(engine, &share, &one);
            let total = self.total_of(&r.order);
            if total > self.inst.budget {
                // Keep the previous outcome (B/n is always feasible, so there is one).
                let kept = prev.unwrap_or(initial.clone());
                let r = engine.run(&kept, true);
                let report = Add1Report {
                    iterations,
                    stop: Add1Stop::NextInfeasible,
                    initial_voter_budget: initial,
                    final_voter_budget: kept,
                };
                return Ok((r, report));
            }
            let mut mask = vec![false; np];
            for &p in &r.order {
                mask[p] = true;
            }
            if self.is_exhaustive(&mask, &total, Some(engine.candidates())) {
                let r = engine.run(&share, true);
                let report = Add1Report {
                    iterations,
                    stop: Add1Stop::Exhaustive,
                    initial_voter_budget: initial,
                    final_voter_budget: share,
                };
                return Ok((r, report));
            }
            // The next `k` steps give this same outcome (feasible, not exhaustive): the
            // stepping loop would go through them and on.
            let k = jumps.steps(engine, &share, &r.order)?;
            iterations = iterations.saturating_add(k.to_u64().unwrap_or(u64::MAX));
            share += BigRational::from_integer(k);
            prev = Some(share.clone());
            share += &one;
        }
    }

    /// A second cost-satisfaction engine (for [`Lookahead`]).
    #[cfg(not(target_arch = "wasm32"))]
    fn spare_engine(&self) -> Engine<'_> {
        Engine::new(&self.prof, Sat::Cost, &self.costs(), self.id_rank.clone())
    }

    /// pabulib-checker's `equalshares/add1` loop (SEMANTICS.md §9; see [`Rule::EqualSharesAdd1`]).
    fn add1_checker(&self, engine: &Engine<'_>, limits: Limits) -> Result<(MesRun, Add1Report), RunError> {
        let initial = self.initial_share();
        if self.prof.n == 0 {
            let r = engine.run(&initial, true);
            let report = Add1Report {
                iterations: 0,
                stop: Add1Stop::NoVoters,
                initial_voter_budget: initial.clone(),
                final_voter_budget: initial,
            };
            return Ok((r, report));
        }
        let base = initial.floor();
        let mut kept_share = initial.clone();
        let mut kept = engine.run(&initial, false);
        let mut iterations = 1u64;
        let mut runs = 1u64;
        let mut jumps = JumpPolicy::new(engine);
        let mut k = BigInt::one();
        let all = engine.candidates().len() + engine.zero_cost().len();
        let stop = loop {
            if kept.order.len() == all {
                break Add1Stop::AllCandidatesSelected;
            }
            if runs >= limits.max_runs() {
                return Err(RunError::IterationLimit { limit: runs });
            }
            let share = &base + BigRational::from_integer(k.clone());
            runs += 1;
            iterations = iterations.saturating_add(1);
            let r = engine.run(&share, false);
            if self.total_of(&r.order) <= self.inst.budget {
                // Unless it stops here, the next `j` steps keep this outcome (within the
                // budget, not every candidate): the stepping loop would keep the last.
                let j = if r.order.len() == all {
                    BigInt::zero()
                } else {
                    jumps.steps(engine, &share, &r.order)?
                };
                iterations = iterations.saturating_add(j.to_u64().unwrap_or(u64::MAX));
                kept_share = share + BigRational::from_integer(j.clone());
                kept = r;
                k += j + 1u32;
            } else {
                break Add1Stop::NextInfeasible;
            }
        };
        let r = engine.run(&kept_share, true);
        let report = Add1Report {
            iterations,
            stop,
            initial_voter_budget: initial,
            final_voter_budget: kept_share,
        };
        Ok((r, report))
    }

    fn record_mes(&self, b: &mut Builder, r: &MesRun, sat: Sat) {
        for &p in &r.order {
            let cost = self.inst.projects[p].cost.clone();
            let note = match &r.payments[p] {
                Some(pay) => {
                    let supporters = self.prof.approvals[p];
                    Note::FundedByMes {
                        round: pay.round,
                        supporters,
                        max_payment: pay.max_payment.clone(),
                        average_payment: &cost / BigRational::from_integer(BigInt::from(supporters.max(1))),
                        paid_by_supporters: cost.clone(),
                        paid_all_they_had: pay.paid_all_they_had,
                    }
                }
                None => Note::FundedFree,
            };
            b.select(p, &cost, note);
        }
        for p in 0..self.inst.projects.len() {
            if b.mask[p] {
                continue;
            }
            let note = if self.prof.approvals[p] == 0 {
                Note::NoApprovals
            } else if self.inst.projects[p].cost.is_zero() && sat == Sat::Cost {
                Note::FreeWithoutCostSatisfaction
            } else {
                Note::NotAffordableBySupporters {
                    supporters_money: r.leftover[p].clone().unwrap_or_else(BigRational::zero),
                }
            };
            b.notes[p].push(note);
        }
    }

    /// Greedy by satisfaction density from the current selection (SEMANTICS.md §5).
    fn greedy(&self, b: &mut Builder, sat: Sat) {
        let np = self.inst.projects.len();
        let mut order: Vec<usize> = (0..np).filter(|&p| !b.mask[p]).collect();
        order.sort_by_key_dyn(|&p| self.id_rank[p]);
        // density: 0 if total_sat = 0; +inf if cost = 0 (and total_sat > 0); else total_sat/cost.
        let density = |p: usize| -> Density {
            let a = self.prof.approvals[p];
            let c = &self.inst.projects[p].cost;
            match sat {
                Sat::Cost => {
                    if a == 0 || c.is_zero() {
                        Density::Zero
                    } else {
                        Density::Finite(BigRational::from_integer(BigInt::from(a)))
                    }
                }
                Sat::Card => {
                    if a == 0 {
                        Density::Zero
                    } else if c.is_zero() {
                        Density::Inf
                    } else {
                        Density::Finite(BigRational::from_integer(BigInt::from(a)) / c)
                    }
                }
            }
        };
        let mut keyed: Vec<(Density, usize)> = order.into_iter().map(|p| (density(p), p)).collect();
        keyed.sort_by_dyn(|x, y| y.0.cmp(&x.0)); // stable: ties stay in id order
        self.take_in_order(b, keyed.into_iter().map(|(_, p)| p));
    }

    /// equalshares.net "utilitarian" completion: approvals descending, ties in file order.
    fn utilitarian_completion(&self, b: &mut Builder) {
        let np = self.inst.projects.len();
        let mut order: Vec<usize> = (0..np).filter(|&p| !b.mask[p]).collect();
        order.sort_by_dyn(|&x, &y| self.prof.approvals[y].cmp(&self.prof.approvals[x]));
        self.take_in_order(b, order.into_iter());
    }

    fn take_in_order(&self, b: &mut Builder, order: impl Iterator<Item = usize>) {
        let budget = &self.inst.budget;
        for p in order {
            let cost = self.inst.projects[p].cost.clone();
            let remaining = budget - &b.total;
            if cost <= remaining {
                b.select(
                    p,
                    &cost,
                    Note::FundedByGreedy {
                        remaining_before: remaining,
                    },
                );
            } else if &cost > budget {
                b.notes[p].push(Note::CostExceedsBudget);
            } else {
                b.notes[p].push(Note::DoesNotFit {
                    remaining_budget: remaining,
                });
            }
        }
    }
}

/// When an Add1 loop looks for a jump ([`super::jump::safe_steps`]), and how much work it
/// may spend on it: after an outcome repeats, with at most a sixteenth of the work of the MES
/// runs made so far (a run is counted as half a pass over the approvals, plus a constant;
/// see [`super::jump::WORK_PER_NUMBER`]). An analysis that runs out of work, or that saves
/// fewer runs than it cost, makes the next one wait until twice as much work is available.
/// So looking for jumps costs at most about a sixteenth more than stepping (less and less
/// where jumps do not pay), and a long stretch of one outcome is skipped as soon as its
/// analysis is affordable (on a small instance, after two runs).
struct JumpPolicy {
    last: Option<Vec<usize>>,
    /// Work of one MES run, estimated.
    run_work: u64,
    runs: u64,
    spent: u64,
    /// Work the next analysis is expected to need.
    need: u64,
}

impl JumpPolicy {
    fn new(engine: &Engine<'_>) -> Self {
        let (prof, ..) = engine.parts();
        let approvals: u64 = prof.supporters.iter().map(|s| s.len() as u64).sum();
        Self {
            last: None,
            run_work: approvals / 2 + 25 * super::jump::WORK_PER_NUMBER,
            runs: 0,
            spent: 0,
            need: 0,
        }
    }

    /// After a run at `share` with outcome `order`: how many further steps are known to
    /// give the same outcome (0 when not looked for or none).
    ///
    /// # Errors
    /// [`RunError::NoEnd`] when no larger share changes the outcome.
    fn steps(
        &mut self,
        engine: &Engine<'_>,
        share: &BigRational,
        order: &[usize],
    ) -> Result<BigInt, RunError> {
        self.runs += 1;
        let repeated = self.last.as_deref() == Some(order);
        if !repeated {
            self.last = Some(order.to_vec());
        }
        let allowed = (self.runs.saturating_mul(self.run_work) / 16).saturating_sub(self.spent);
        #[cfg(test)]
        let allowed = match tests_hook::WAIT.with(std::cell::Cell::get) {
            Some(u64::MAX) => return Ok(BigInt::zero()),
            Some(0) => u64::MAX,
            _ => allowed,
        };
        if !repeated || allowed == 0 || allowed < self.need {
            return Ok(BigInt::zero());
        }
        let (jump, work) = super::jump::safe_steps(engine, share, order, allowed);
        self.spent = self.spent.saturating_add(work);
        // An analysis that saved less than it cost makes the next one wait twice as long.
        let back_off = self.need.max(work).saturating_mul(2);
        match jump {
            super::jump::Jump::Steps(k) => {
                let saved = k.to_u64().unwrap_or(u64::MAX).saturating_mul(self.run_work);
                self.need = if saved < work { back_off } else { work };
                Ok(k)
            }
            super::jump::Jump::Forever => Err(RunError::NoEnd),
            super::jump::Jump::Unknown => {
                self.need = back_off;
                Ok(BigInt::zero())
            }
        }
    }
}

/// Tests set how eagerly the loops look for jumps: `Some(u64::MAX)` never (the plain
/// stepping loop), `Some(0)` after every repeated outcome with no work limit.
#[cfg(test)]
pub(crate) mod tests_hook {
    thread_local! {
        pub(crate) static WAIT: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Density {
    Zero,
    Finite(BigRational),
    Inf,
}

struct Builder {
    rule: Rule,
    order: Vec<usize>,
    mask: Vec<bool>,
    total: BigRational,
    notes: Vec<Vec<Note>>,
    add1: Option<Add1Report>,
}

impl Builder {
    fn new(e: &Election<'_>, rule: Rule) -> Self {
        let np = e.inst.projects.len();
        Self {
            rule,
            order: Vec::new(),
            mask: vec![false; np],
            total: BigRational::zero(),
            notes: vec![Vec::new(); np],
            add1: None,
        }
    }

    fn select(&mut self, p: usize, cost: &BigRational, note: Note) {
        self.order.push(p);
        self.mask[p] = true;
        self.total += cost;
        self.notes[p].push(note);
    }

    fn selected_mask(&self, _np: usize) -> Vec<bool> {
        self.mask.clone()
    }

    fn finish(self, e: &Election<'_>) -> Outcome {
        let inst = e.inst;
        let mut position = vec![None; inst.projects.len()];
        for (i, &p) in self.order.iter().enumerate() {
            position[p] = Some(i);
        }
        let selection_order: Vec<ProjectId> =
            self.order.iter().map(|&p| inst.projects[p].id.clone()).collect();
        let mut selected = selection_order.clone();
        selected.sort_dyn();
        let projects = inst
            .projects
            .iter()
            .enumerate()
            .zip(self.notes)
            .map(|((i, p), notes)| ProjectResult {
                id: p.id.clone(),
                cost: p.cost.clone(),
                approvals: e.prof.approvals[i],
                funded: self.mask[i],
                position: position[i],
                notes,
            })
            .collect();
        Outcome {
            rule: self.rule,
            selected,
            selection_order,
            total_cost: self.total,
            budget: inst.budget.clone(),
            num_voters: e.prof.n,
            projects,
            add1: self.add1,
        }
    }
}

/// Runs MES for the next share of an Add1 loop ahead, on a second core (natively, when
/// there is one): [`Lookahead::run`] for share `s` returns the run for `s` and, in the
/// same step, computes the run for `s + 1` with a second engine, which the next call
/// (for `s + 1`) returns at once. Each run depends only on its share, so the runs are
/// the same as the sequential loop's.
struct Lookahead<'a> {
    #[cfg(not(target_arch = "wasm32"))]
    spare: Option<Engine<'a>>,
    #[cfg(not(target_arch = "wasm32"))]
    ready: Option<(BigRational, MesRun)>,
    #[cfg(target_arch = "wasm32")]
    _engine: std::marker::PhantomData<&'a ()>,
}

impl<'a> Lookahead<'a> {
    fn new(election: &'a Election<'_>, _engine: &Engine<'_>) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            Self {
                spare: (cores > 1).then(|| election.spare_engine()),
                ready: None,
            }
        }
        #[cfg(target_arch = "wasm32")]
        {
            let _ = election;
            Self {
                _engine: std::marker::PhantomData,
            }
        }
    }

    fn run(&mut self, engine: &Engine<'_>, share: &BigRational, step: &BigRational) -> MesRun {
        #[cfg(not(target_arch = "wasm32"))]
        {
            if let Some((s, r)) = self.ready.take() {
                if &s == share {
                    return r;
                }
            }
            if let Some(spare) = self.spare.take() {
                let next = share + step;
                let (r, (spare, ahead)) = std::thread::scope(|scope| {
                    let h = scope.spawn(|| {
                        let ahead = spare.run(&next, false);
                        (spare, ahead)
                    });
                    let r = engine.run(share, false);
                    (r, h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                });
                self.spare = Some(spare);
                self.ready = Some((next, ahead));
                return r;
            }
        }
        let _ = step;
        engine.run(share, false)
    }
}
