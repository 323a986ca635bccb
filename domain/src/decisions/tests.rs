//! Unit tests: one or more per rule of adopting runs, PB counts and releasing the reserve.

use std::sync::OnceLock;

use super::*;
use crate::alloc::{allocate_inputs, prepare, run_record, AllocConfig, FunderShare};
use crate::dataset::Dataset;
use crate::model::{AllocationRun, Ballot, ProposalStatus, ResourceKind, Setting};
use crate::pb::community::instance_for_period;
use crate::pb::{run, Outcome, Rule};
use crate::plans::{
    Budget, CouncilVote, Funder, Internal, PlanCase, PlanContent, PlanError, PlanRules, Stage,
};

pub(super) fn day(s: &str) -> CivilDate {
    CivilDate::parse(s).unwrap()
}

pub(super) fn header(id: u32, period: &str) -> Header {
    Header {
        id,
        period: period.into(),
        on: day("2026-07-01"),
        by: Stamp::new("王指导员", 1_782_000_000_000),
    }
}

pub(super) fn demo() -> &'static Dataset {
    static D: OnceLock<Dataset> = OnceLock::new();
    D.get_or_init(|| {
        crate::demo::generate(&crate::demo::DemoConfig {
            households: 120,
            ..Default::default()
        })
    })
}

/// Two runs of 2026-Q3 (ids 1, 2) and one of 2026-Q2 (id 3), on the demo.
pub(super) fn runs() -> &'static [AllocationRun] {
    static R: OnceLock<Vec<AllocationRun>> = OnceLock::new();
    R.get_or_init(|| {
        let config = AllocConfig::default();
        let mut v = Vec::new();
        for (id, period) in [(1, "2026-Q3"), (2, "2026-Q3"), (3, "2026-Q2")] {
            let inputs = prepare(demo(), &config, period).unwrap();
            let result = allocate_inputs(&inputs, &config).unwrap();
            v.push(run_record(&inputs, &config, &result, id, 1_780_000_000_000));
        }
        v
    })
}

pub(super) fn reserve_of(run: &AllocationRun) -> Fen {
    stored_run(run)
        .unwrap()
        .1
        .kind(ResourceKind::Money)
        .unwrap()
        .pools
        .reserve
}

pub(super) fn plan(id: u32, period: &str) -> PlanCase {
    let content = PlanContent {
        title: "屋顶漏水抢修".into(),
        category: "housing_repair".into(),
        period: period.into(),
        budget: Budget::new(10_000, 0, 0, 2_000).unwrap(),
        description: "5 号楼屋顶防水".into(),
    };
    PlanCase::new(
        id,
        &header(0, period).by,
        day("2026-05-01"),
        content,
        Internal::default(),
    )
    .unwrap()
}

fn release(plan_id: u32, fen: Fen) -> Release {
    Release {
        plan_id,
        amount_fen: fen,
        reason: "暴雨后屋顶漏水".into(),
        approver: "居委会主任".into(),
    }
}

// ---- adopting a run ----

#[test]
fn a_run_is_adopted_for_its_period_with_its_hash() {
    let d = adopt_run(&[], runs(), 1, &header(1, "2026-Q3")).unwrap();
    assert_eq!(
        (d.id, d.period.as_str(), d.actor.as_str()),
        (1, "2026-Q3", "王指导员")
    );
    assert_eq!(
        d.kind,
        DecisionKind::AllocationAdopted {
            run_id: 1,
            inputs_sha256: runs()[0].inputs_sha256.clone()
        }
    );
    assert_eq!(adopted_run(std::slice::from_ref(&d), "2026-Q3"), Some(&d));
    assert_eq!(adopted_run(&[d], "2026-Q2"), None);
}

#[test]
fn a_second_adopted_run_for_a_period_is_refused_naming_the_rule() {
    let first = adopt_run(&[], runs(), 1, &header(1, "2026-Q3")).unwrap();
    for other in [1, 2] {
        let err = adopt_run(std::slice::from_ref(&first), runs(), other, &header(2, "2026-Q3")).unwrap_err();
        assert_eq!(
            err,
            DecisionError::RunAlreadyAdopted {
                period: "2026-Q3".into(),
                run_id: 1,
                decision: 1
            }
        );
        assert!(err.to_string().contains("one adopted run per period"), "{err}");
        assert!(err.to_string().contains("never undone"), "{err}");
        assert_eq!(err.code(), "run_already_adopted");
    }
    // Another period is free.
    let q2 = adopt_run(std::slice::from_ref(&first), runs(), 3, &header(2, "2026-Q2")).unwrap();
    assert_eq!(q2.period, "2026-Q2");
}

#[test]
fn a_run_of_another_period_or_unknown_or_tampered_is_refused() {
    assert_eq!(
        adopt_run(&[], runs(), 3, &header(1, "2026-Q3")).unwrap_err(),
        DecisionError::RunOfOtherPeriod {
            run_id: 3,
            run_period: "2026-Q2".into(),
            period: "2026-Q3".into()
        }
    );
    assert_eq!(
        adopt_run(&[], runs(), 9, &header(1, "2026-Q3")).unwrap_err(),
        DecisionError::UnknownRun(9)
    );
    let mut bad = runs().to_vec();
    bad[0].inputs_json = bad[0].inputs_json.replacen("500", "600", 1);
    assert!(matches!(
        adopt_run(&[], &bad, 1, &header(1, "2026-Q3")),
        Err(DecisionError::BadRun { run_id: 1, .. })
    ));
    let mut bad = runs().to_vec();
    bad[1].outputs_json = "{}".into();
    assert!(matches!(
        adopt_run(&[], &bad, 2, &header(1, "2026-Q3")),
        Err(DecisionError::BadRun { run_id: 2, .. })
    ));
}

#[test]
fn the_header_needs_an_actor_a_period_and_a_free_id() {
    let first = adopt_run(&[], runs(), 1, &header(1, "2026-Q3")).unwrap();
    assert_eq!(
        adopt_run(&[first], runs(), 3, &header(1, "2026-Q2")).unwrap_err(),
        DecisionError::IdTaken(1)
    );
    let mut h = header(1, "2026-Q3");
    h.by.actor = "  ".into();
    assert_eq!(adopt_run(&[], runs(), 1, &h).unwrap_err(), DecisionError::NoActor);
    assert_eq!(
        adopt_run(&[], runs(), 1, &header(1, "")).unwrap_err(),
        DecisionError::Empty { field: "the period" }
    );
    assert_eq!(
        adopt_run(&[], runs(), 1, &header(0, "2026-Q3")).unwrap_err(),
        DecisionError::IdTaken(0)
    );
}

#[test]
fn decisions_round_trip_through_json() {
    let d = adopt_run(&[], runs(), 1, &header(1, "2026-Q3")).unwrap();
    let text = serde_json::to_string(&d).unwrap();
    assert!(text.contains(r#""type":"allocation_adopted""#), "{text}");
    assert_eq!(serde_json::from_str::<Decision>(&text).unwrap(), d);
}

// ---- adopting a PB count ----

pub(super) fn pb_count(d: &Dataset, rule: Rule) -> (String, Outcome) {
    let inst = instance_for_period(d, "2026-Q4", None).unwrap().instance;
    (instance_sha256(&inst).unwrap(), run(&inst, rule).unwrap())
}

fn adopt(d: &Dataset, sha: &str, out: &Outcome, existing: &[Decision]) -> Result<PbAdoption, DecisionError> {
    let count = PbCount {
        instance_sha256: sha,
        outcome: out,
        description: DEFAULT_PLAN_DESCRIPTION,
    };
    adopt_pb(
        existing,
        d,
        &count,
        40,
        &header(existing.len() as u32 + 1, "2026-Q4"),
    )
}

#[test]
fn an_adopted_count_funds_proposals_and_makes_draft_plans_split_exactly() {
    let mut d = demo().clone();
    // An odd cost, so the split has remainders to place.
    let first = d.proposals.iter_mut().find(|p| p.id == 1).unwrap();
    first.cost_fen = 12_345_679;
    let (sha, out) = pb_count(&d, Rule::MesCostAdd1Greedy);
    let a = adopt(&d, &sha, &out, &[]).unwrap();
    let DecisionKind::PbAdopted {
        rule,
        budget_fen,
        voters,
        funded_fen,
        projects,
    } = &a.decision.kind
    else {
        panic!("not a PB adoption")
    };
    assert_eq!(rule, "mes_cost_add1_greedy");
    assert_eq!(*voters, out.num_voters);
    assert_eq!(projects.len(), out.projects.len());
    let inst = instance_for_period(&d, "2026-Q4", None).unwrap().instance;
    assert_eq!(
        projects.iter().map(|p| p.votes).collect::<Vec<_>>(),
        inst.approval_counts()
    );
    let funded: Vec<&PbProjectOutcome> = projects.iter().filter(|p| p.funded).collect();
    assert_eq!(funded.len(), out.selected.len());
    assert_eq!(*funded_fen, funded.iter().map(|p| p.cost_fen).sum::<Fen>());
    assert!(funded_fen <= budget_fen);
    // One draft plan per funded proposal, ids from 40, budget = cost split by class.
    assert_eq!(a.plans.len(), funded.len());
    let config = AllocConfig::from_dataset(&d).unwrap();
    let cats = crate::settings::need_categories(&d.settings).unwrap();
    for (i, (p, o)) in a.plans.iter().zip(&funded).enumerate() {
        assert_eq!(p.id(), 40 + i as u32);
        assert_eq!(o.plan_id, Some(p.id()));
        assert_eq!(p.stage(), Stage::Draft);
        let c = p.content();
        assert_eq!(
            (c.title.as_str(), c.period.as_str()),
            (o.title.as_str(), "2026-Q4")
        );
        assert_eq!(c.budget.total(), o.cost_fen);
        let class = cats.iter().find(|x| x.code == c.category).unwrap().class;
        let rule = config.cost_sharing.of(class);
        for s in rule {
            let f = Funder::from_code(&s.funder).unwrap();
            let exact = i128::from(o.cost_fen) * i128::from(s.bp) / 10_000;
            assert!((i128::from(c.budget.get(f)) - exact).abs() <= 1, "{s:?} {c:?}");
        }
        assert!(c.description.contains(&o.title), "{}", c.description);
        assert!(
            c.description.contains(&format!("第 {} 号提案", o.proposal_id)),
            "{}",
            c.description
        );
        // Free text is published as written: no vote or ballot count may reach it
        // (the outcome's votes go through the minimum cell size instead).
        let digits: String = c.description.replace(&o.title, "").replace("2026-Q4", "");
        let numbers: Vec<&str> = digits
            .split(|ch: char| !ch.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .collect();
        assert_eq!(numbers, vec![o.proposal_id.to_string()], "{}", c.description);
    }
    assert!(projects.iter().all(|p| p.funded == p.plan_id.is_some()));
    // Proposal statuses follow the outcome; those not on the ballot are untouched.
    assert_eq!(a.proposals.len(), projects.len());
    for p in &a.proposals {
        let o = projects.iter().find(|o| o.proposal_id == p.id).unwrap();
        let want = if o.funded {
            ProposalStatus::Funded
        } else {
            ProposalStatus::NotFunded
        };
        assert_eq!(p.status, want);
    }
    assert!(
        !a.proposals.iter().any(|p| p.id == 7),
        "the infeasible proposal is not on the ballot"
    );
}

#[test]
fn a_count_whose_inputs_changed_is_refused_and_one_adoption_per_period() {
    let d = demo().clone();
    let (sha, out) = pb_count(&d, Rule::GreedyCost);
    // A ballot added after the count.
    let mut later = d.clone();
    later.ballots.push(Ballot {
        id: 99_999,
        period: "2026-Q4".into(),
        approvals: vec![1],
        source: "paper".into(),
        building_id: None,
        created_at: 0,
    });
    assert_eq!(
        adopt(&later, &sha, &out, &[]).unwrap_err(),
        DecisionError::PbInputsChanged {
            period: "2026-Q4".into()
        }
    );
    // The budget changed after the count.
    let mut later = d.clone();
    for s in &mut later.settings {
        if s.key == crate::pb::community::BUDGET_SETTING {
            s.value = r#"{"2026-Q4": 100}"#.into();
        }
    }
    assert!(matches!(
        adopt(&later, &sha, &out, &[]),
        Err(DecisionError::PbInputsChanged { .. })
    ));
    let a = adopt(&d, &sha, &out, &[]).unwrap();
    let err = adopt(&d, &sha, &out, &[a.decision]).unwrap_err();
    assert_eq!(
        err,
        DecisionError::PbAlreadyAdopted {
            period: "2026-Q4".into(),
            decision: 1
        }
    );
    assert!(err.to_string().contains("one adoption per period"));
}

#[test]
fn an_outcome_that_does_not_match_the_ballots_is_refused() {
    let d = demo().clone();
    let (sha, out) = pb_count(&d, Rule::GreedyCost);
    let mut flipped = out.clone();
    let i = flipped.projects.iter().position(|p| !p.funded).unwrap();
    flipped.projects[i].funded = true;
    assert!(matches!(
        adopt(&d, &sha, &flipped, &[]),
        Err(DecisionError::PbOutcomeMismatch { .. })
    ));
    let mut votes = out.clone();
    votes.projects[0].approvals += 1;
    assert!(matches!(
        adopt(&d, &sha, &votes, &[]),
        Err(DecisionError::PbOutcomeMismatch { .. })
    ));
    let mut fewer = out;
    fewer.projects.pop();
    assert!(matches!(
        adopt(&d, &sha, &fewer, &[]),
        Err(DecisionError::PbOutcomeMismatch { .. })
    ));
}

#[test]
fn a_funded_proposal_of_an_unknown_category_or_an_unknown_funder_is_refused() {
    let mut d = demo().clone();
    let (sha, out) = pb_count(&d, Rule::GreedyCost);
    let funded: u32 = out.selected[0].as_str().parse().unwrap();
    let category = d
        .proposals
        .iter()
        .find(|p| p.id == funded)
        .unwrap()
        .category
        .clone();
    // The need categories are not part of the count: drop the funded one's.
    let mut cats = crate::settings::need_categories(&d.settings).unwrap();
    cats.retain(|c| c.code != category);
    d.settings.retain(|s| s.key != "need_categories");
    d.settings.push(Setting {
        key: "need_categories".into(),
        value: serde_json::to_string(&cats).unwrap(),
    });
    assert_eq!(
        adopt(&d, &sha, &out, &[]).unwrap_err(),
        DecisionError::UnknownCategory {
            proposal: funded,
            category
        }
    );
    let d = demo().clone();
    let mut config = AllocConfig::from_dataset(&d).unwrap();
    for rule in [
        &mut config.cost_sharing.basic,
        &mut config.cost_sharing.improvement,
        &mut config.cost_sharing.special,
    ] {
        *rule = vec![FunderShare {
            funder: "lottery".into(),
            bp: 10_000,
        }];
    }
    let mut d2 = d.clone();
    d2.settings.push(Setting {
        key: crate::alloc::SETTING_KEY.into(),
        value: config.to_json(),
    });
    assert!(matches!(
        adopt(&d2, &sha, &out, &[]),
        Err(DecisionError::UnknownFunder { funder, .. }) if funder == "lottery"
    ));
}

#[test]
fn split_budget_is_exact_and_refuses_unknown_funders_and_amounts() {
    let rule = vec![
        FunderShare {
            funder: "government".into(),
            bp: 3_333,
        },
        FunderShare {
            funder: "society".into(),
            bp: 6_667,
        },
    ];
    let b = split_budget(1, &rule, "special").unwrap();
    assert_eq!((b.get(Funder::Government), b.get(Funder::Society)), (0, 1));
    let b = split_budget(MAX_FEN_TEST, &rule, "special").unwrap();
    assert_eq!(b.total(), MAX_FEN_TEST);
    assert!(matches!(
        split_budget(-1, &rule, "special"),
        Err(DecisionError::AmountTooLarge { .. })
    ));
    let bad = vec![FunderShare {
        funder: "bank".into(),
        bp: 10_000,
    }];
    assert_eq!(
        split_budget(5, &bad, "reserve").unwrap_err(),
        DecisionError::UnknownFunder {
            rule: "reserve",
            funder: "bank".into()
        }
    );
}

const MAX_FEN_TEST: Fen = crate::money::MAX_FEN;

// ---- releasing the reserve ----

fn adopted_q3() -> Decision {
    adopt_run(&[], runs(), 1, &header(1, "2026-Q3")).unwrap()
}

#[test]
fn without_an_adopted_run_nothing_is_released() {
    let err = release_reserve(
        &[],
        runs(),
        &[plan(5, "2026-Q3")],
        &release(5, 100),
        &PlanRules::default(),
        &header(1, "2026-Q3"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        DecisionError::NoAdoptedRun {
            period: "2026-Q3".into()
        }
    );
    assert!(err.to_string().contains("released only from the reserve"));
}

#[test]
fn releases_add_up_to_at_most_the_adopted_runs_reserve() {
    let reserve = reserve_of(&runs()[0]);
    assert!(reserve > 10, "the demo has a reserve");
    let mut existing = vec![adopted_q3()];
    let plans = [plan(5, "2026-Q3")];
    let rules = PlanRules::default();
    let (first, p) = release_reserve(
        &existing,
        runs(),
        &plans,
        &release(5, reserve - 10),
        &rules,
        &header(2, "2026-Q3"),
    )
    .unwrap();
    assert_eq!(p.content().budget.total(), 12_000 + reserve - 10);
    existing.push(first);
    let s = reserve_status(&existing, runs(), "2026-Q3").unwrap();
    assert_eq!(
        (s.reserve_fen, s.released_fen, s.remaining_fen),
        (reserve, reserve - 10, 10)
    );
    let err = release_reserve(
        &existing,
        runs(),
        std::slice::from_ref(&p),
        &release(5, 11),
        &rules,
        &header(3, "2026-Q3"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        DecisionError::ReserveExceeded {
            period: "2026-Q3".into(),
            amount: 11,
            reserve,
            released: reserve - 10,
            remaining: 10
        }
    );
    assert!(release_reserve(
        &existing,
        runs(),
        &[p],
        &release(5, 10),
        &rules,
        &header(3, "2026-Q3")
    )
    .is_ok());
}

#[test]
fn bad_amounts_texts_plans_and_stages_are_refused() {
    let existing = [adopted_q3()];
    let rules = PlanRules::default();
    let h = header(2, "2026-Q3");
    let go = |plans: &[PlanCase], r: Release| release_reserve(&existing, runs(), plans, &r, &rules, &h);
    let p = plan(5, "2026-Q3");
    assert_eq!(
        go(std::slice::from_ref(&p), release(5, 0)).unwrap_err(),
        DecisionError::AmountNotPositive { fen: 0 }
    );
    assert_eq!(
        go(std::slice::from_ref(&p), release(5, -3)).unwrap_err(),
        DecisionError::AmountNotPositive { fen: -3 }
    );
    assert!(matches!(
        go(std::slice::from_ref(&p), release(5, crate::money::MAX_FEN + 1)),
        Err(DecisionError::AmountTooLarge { .. })
    ));
    let mut r = release(5, 1);
    r.reason = " ".into();
    assert_eq!(
        go(std::slice::from_ref(&p), r).unwrap_err(),
        DecisionError::Empty { field: "the reason" }
    );
    let mut r = release(5, 1);
    r.approver = "a\nb".into();
    assert_eq!(
        go(std::slice::from_ref(&p), r).unwrap_err(),
        DecisionError::NotOneLine {
            field: "the approver"
        }
    );
    assert_eq!(
        go(std::slice::from_ref(&p), release(6, 1)).unwrap_err(),
        DecisionError::UnknownPlan(6)
    );
    assert!(matches!(
        go(&[plan(5, "2026-Q2")], release(5, 1)),
        Err(DecisionError::PlanOfOtherPeriod { plan: 5, .. })
    ));
    let council = p
        .start_notice(&h.by, day("2026-07-01"), &rules)
        .unwrap()
        .close_notice(&h.by, day("2026-07-08"))
        .unwrap();
    assert_eq!(
        go(&[council], release(5, 1)).unwrap_err(),
        DecisionError::PlanNotFundable {
            plan: 5,
            stage: Stage::Council
        }
    );
}

#[test]
fn a_plan_on_notice_restarts_its_notice_and_one_in_execution_gets_a_budget_change() {
    let existing = [adopted_q3()];
    let rules = PlanRules::default();
    let by = header(0, "2026-Q3").by;
    let on_notice = plan(5, "2026-Q3")
        .start_notice(&by, day("2026-06-28"), &rules)
        .unwrap();
    let (_, p) = release_reserve(
        &existing,
        runs(),
        &[on_notice],
        &release(5, 500),
        &rules,
        &header(2, "2026-Q3"),
    )
    .unwrap();
    assert_eq!(p.stage(), Stage::Notice);
    assert_eq!(p.open_notice().unwrap().start, day("2026-07-01"));
    assert_eq!(p.content().budget.get(Funder::Government), 10_500); // reserve rule: government 100 %
    let vote = CouncilVote {
        votes_for: 20,
        votes_against: 1,
        abstain: 0,
        quorum_met: true,
    };
    let executing = plan(5, "2026-Q3")
        .start_notice(&by, day("2026-06-01"), &rules)
        .unwrap()
        .close_notice(&by, day("2026-06-08"))
        .unwrap()
        .council(&by, day("2026-06-09"), vote, "")
        .unwrap()
        .assessment(&by, day("2026-06-10"), "设计院", "可行", true, "")
        .unwrap()
        .street_review(&by, day("2026-06-11"), "街审 7 号", true, "")
        .unwrap();
    // Within 10 %: takes effect at once.
    let (_, small) = release_reserve(
        &existing,
        runs(),
        std::slice::from_ref(&executing),
        &release(5, 1_200),
        &rules,
        &header(2, "2026-Q3"),
    )
    .unwrap();
    assert_eq!(
        (small.stage(), small.content().budget.total()),
        (Stage::Execution, 13_200)
    );
    let change = small.budget_changes().last().unwrap();
    assert_eq!(
        (change.approver.as_str(), change.reason.as_str()),
        ("居委会主任", "暴雨后屋顶漏水")
    );
    // Above 10 %: the change goes on notice first.
    let (_, large) = release_reserve(
        &existing,
        runs(),
        &[executing],
        &release(5, 1_201),
        &rules,
        &header(2, "2026-Q3"),
    )
    .unwrap();
    assert_eq!(large.stage(), Stage::ChangeNotice);
    // A plan on change notice cannot take more now.
    assert!(matches!(
        release_reserve(
            &existing,
            runs(),
            &[large],
            &release(5, 1),
            &rules,
            &header(2, "2026-Q3")
        ),
        Err(DecisionError::PlanNotFundable {
            stage: Stage::ChangeNotice,
            ..
        })
    ));
}

#[test]
fn a_plan_refusal_is_reported_with_the_plan() {
    let existing = [adopted_q3()];
    let rules = PlanRules::default();
    // Dated before the draft began.
    let mut h = header(2, "2026-Q3");
    h.on = day("2026-04-30");
    let err = release_reserve(
        &existing,
        runs(),
        &[plan(5, "2026-Q3")],
        &release(5, 1),
        &rules,
        &h,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        DecisionError::Plan {
            plan: 5,
            error: PlanError::DateTooEarly { .. }
        }
    ));
}

#[test]
fn plan_origins_name_the_funding_decisions_and_nothing_else() {
    let d = crate::demo::generate(&crate::demo::DemoConfig {
        households: 60,
        ..Default::default()
    });
    let mut named = std::collections::BTreeSet::new();
    for x in &d.decisions {
        if let DecisionKind::ReserveReleased {
            amount_fen, plan_id, ..
        } = &x.kind
        {
            named.insert(*plan_id);
            let o = super::plan_origins(&d.decisions, *plan_id);
            assert!(
                o.iter().any(
                    |o| matches!(o, super::PlanOrigin::Reserve { decision, amount_fen: a, .. }
                    if *decision == x.id && a == amount_fen)
                ),
                "{o:?}"
            );
        }
        if let DecisionKind::PbAdopted { projects, .. } = &x.kind {
            named.extend(projects.iter().filter_map(|p| p.plan_id));
        }
    }
    assert!(!named.is_empty(), "the demo funds plans by decision");
    // A plan no decision names (made by hand or from a run) has no origin.
    let unnamed: Vec<u32> = d
        .plans
        .iter()
        .map(|p| p.id())
        .filter(|id| !named.contains(id))
        .collect();
    assert!(!unnamed.is_empty());
    for id in unnamed {
        assert_eq!(super::plan_origins(&d.decisions, id), vec![], "plan {id}");
    }
}
