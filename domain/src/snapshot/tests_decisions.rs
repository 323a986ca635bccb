//! Tests of what issue #14 added to the snapshot: settings that reach the public, the
//! adopted decisions published as stored, plans with their public life cycle, the one
//! leader-growth definition, cost-benefit, and the attack tests (a marker string in every
//! internal field never reaches the published bytes).

use super::file::{decode, encode};
use super::{build, indicators, privacy, BuildOptions, Content, SnapshotError, ADOPTED, NONE_ADOPTED};
use crate::alloc::{self, run_record, AllocConfig};
use crate::dataset::Dataset;
use crate::decisions::{adopt_run, Decision, DecisionKind, Header, PbProjectOutcome};
use crate::demo::{generate, DemoConfig};
use crate::model::{Activity, Channel, Setting};
use crate::participation::rates;
use crate::plans::{
    Budget, BudgetChangeInput, CivilDate, CouncilVote, Funder, Internal, ObjectionChannel, ObjectionInput,
    PlanCase, PlanContent, PlanRules, Satisfaction, SpendingInput, Stamp,
};

/// 2026-11-24 12:00 China time.
const NOW: i64 = 1_795_492_800_000;
const DAY: i64 = 86_400_000;

/// Every internal marker planted below; none may appear in a published file.
const MARKERS: [&str; 10] = [
    "PLANTGUIDE",
    "PLANTNOTES",
    "PLANTOBJECTION",
    "PLANTACTOR",
    "PLANTASSESSOR",
    "PLANTVOUCHER",
    "PLANTAPPROVER",
    "PLANTRESERVEAPPROVER",
    "PLANTDECIDER",
    "PLANTREVERSALVOUCHER",
];

fn day(s: &str) -> CivilDate {
    CivilDate::parse(s).unwrap()
}

fn by(step: &str) -> Stamp {
    Stamp::new(format!("PLANTACTOR-{step}"), NOW - 60 * DAY)
}

fn demo(households: u32, seed: u64) -> Dataset {
    generate(&DemoConfig {
        seed,
        households,
        year: 2026,
    })
}

/// The demo without any decision, run or plan: a clean slate for these tests.
fn bare(households: u32, seed: u64) -> Dataset {
    let mut d = demo(households, seed);
    d.decisions.clear();
    d.allocation_runs.clear();
    d.plans.clear();
    d
}

fn next_decision_id(d: &Dataset) -> u32 {
    d.decisions.iter().map(|x| x.id).max().unwrap_or(0) + 1
}

/// Adopts a run of `period` computed on the register as it is now (through the domain's
/// `adopt_run`), unless one is adopted already; returns the adopted run's id.
pub(super) fn adopt(d: &mut Dataset, period: &str) -> u32 {
    if let Some(x) = crate::decisions::adopted_run(&d.decisions, period) {
        if let DecisionKind::AllocationAdopted { run_id, .. } = x.kind {
            return run_id;
        }
    }
    let config = AllocConfig::from_dataset(d).unwrap();
    let inputs = alloc::prepare(d, &config, period).unwrap();
    let result = alloc::allocate_inputs(&inputs, &config).unwrap();
    let run_id = d.allocation_runs.iter().map(|r| r.id).max().unwrap_or(0) + 1;
    d.allocation_runs
        .push(run_record(&inputs, &config, &result, run_id, NOW - 30 * DAY));
    let header = Header {
        id: next_decision_id(d),
        period: period.to_owned(),
        on: day("2026-10-01"),
        by: Stamp::new("PLANTDECIDER", NOW - 30 * DAY),
    };
    let decision = adopt_run(&d.decisions, &d.allocation_runs, run_id, &header).unwrap();
    d.decisions.push(decision);
    run_id
}

fn content(title: &str) -> PlanContent {
    PlanContent {
        title: title.to_owned(),
        category: "elderly_care".into(),
        period: "2026-Q3".into(),
        budget: Budget::new(60_000, 20_000, 10_000, 10_000).unwrap(),
        description: "为 3 号楼加装扶手，惠及楼内老人".into(),
    }
}

fn internal() -> Internal {
    Internal {
        guide: "PLANTGUIDE 王指导员".into(),
        notes: "PLANTNOTES 供应商报价偏高".into(),
    }
}

/// A plan on notice from `start`, with one answered objection.
fn on_notice(id: u32, start: &str) -> PlanCase {
    let s = day(start);
    PlanCase::new(id, &by("new"), s, content("扶手加装"), internal())
        .unwrap()
        .start_notice(&by("notice"), s, &PlanRules::default())
        .unwrap()
        .record_objection(
            &by("objection"),
            ObjectionInput {
                on: s.add_days(1).unwrap(),
                channel: ObjectionChannel::Phone,
                internal_text: "PLANTOBJECTION 5 楼张某来电".into(),
                public_summary: "担心施工噪音".into(),
            },
        )
        .unwrap()
        .answer_objection(&by("answer"), 1, s.add_days(2).unwrap(), "施工只在白天进行")
        .unwrap()
}

fn spend(p: PlanCase, on: &str, amount: i64, funder: Funder, purpose: &str) -> PlanCase {
    p.spend(
        &by("spend"),
        SpendingInput {
            on: day(on),
            amount,
            funder,
            purpose: purpose.into(),
            voucher: format!("PLANTVOUCHER-{on}"),
        },
    )
    .unwrap()
}

/// A plan taken through every stage: notice with an objection, three approvals,
/// spending with a reversal, a budget change, milestones, final accounts, evaluation.
fn closed_plan(id: u32, satisfaction: Satisfaction) -> PlanCase {
    let p = on_notice(id, "2026-09-01")
        .close_notice(&by("close"), day("2026-09-08"))
        .unwrap()
        .council(
            &by("council"),
            day("2026-09-10"),
            CouncilVote {
                votes_for: 9,
                votes_against: 2,
                abstain: 1,
                quorum_met: true,
            },
            "",
        )
        .unwrap()
        .assessment(
            &by("assess"),
            day("2026-09-11"),
            "PLANTASSESSOR 设计院",
            "方案可行",
            true,
            "",
        )
        .unwrap()
        .street_review(&by("review"), day("2026-09-12"), "街审〔2026〕12号", true, "")
        .unwrap();
    let p = spend(p, "2026-09-15", 30_000, Funder::Government, "采购扶手");
    let p = spend(p, "2026-09-15", 10_000, Funder::Market, "安装人工");
    let p = p
        .reverse(
            &by("reverse"),
            2,
            day("2026-09-16"),
            "PLANTREVERSALVOUCHER",
            "金额录错",
        )
        .unwrap();
    let p = spend(p, "2026-09-16", 8_000, Funder::Market, "安装人工");
    let p = p
        .change_budget(
            &by("change"),
            BudgetChangeInput {
                on: day("2026-09-17"),
                to: Budget::new(63_000, 20_000, 10_000, 10_000).unwrap(),
                reason: "扶手加长".into(),
                approver: "PLANTAPPROVER 李主任".into(),
            },
            &PlanRules::default(),
        )
        .unwrap();
    let p = spend(p, "2026-09-18", 32_000, Funder::Government, "采购扶手（加长）");
    let p = spend(p, "2026-09-18", 5_000, Funder::Residents, "居民自筹油漆");
    p.milestone(&by("m1"), day("2026-09-20"), 50, "完成一半")
        .unwrap()
        .milestone(&by("m2"), day("2026-09-30"), 100, "全部完工")
        .unwrap()
        .close_accounts(&by("accounts"), day("2026-10-10"), "2026-Q3 机动池")
        .unwrap()
        .evaluate(
            &by("evaluate"),
            day("2026-10-20"),
            satisfaction,
            "居民满意，建议推广",
        )
        .unwrap()
}

/// A plan the residents' council rejected: back to draft, with the reason.
fn rejected_plan(id: u32) -> PlanCase {
    on_notice(id, "2026-10-01")
        .close_notice(&by("close"), day("2026-10-08"))
        .unwrap()
        .council(
            &by("council"),
            day("2026-10-09"),
            CouncilVote {
                votes_for: 3,
                votes_against: 8,
                abstain: 0,
                quorum_met: true,
            },
            "费用过高，请重新询价",
        )
        .unwrap()
}

fn pb_decision(id: u32, votes: [u64; 3], voters: u64) -> Decision {
    let project = |i: u32, votes: u64, funded: bool| PbProjectOutcome {
        proposal_id: i,
        title: format!("提案 {i}"),
        category: "culture".into(),
        cost_fen: 100_000 * i64::from(i),
        votes,
        funded,
        plan_id: funded.then_some(100 + i),
    };
    Decision {
        id,
        period: "2026-Q3".into(),
        on: day("2026-08-01"),
        actor: "PLANTDECIDER 王".into(),
        at: NOW - 100 * DAY,
        kind: DecisionKind::PbAdopted {
            rule: "mes_cost_add1".into(),
            budget_fen: 300_000,
            voters,
            funded_fen: 100_000,
            projects: vec![
                project(1, votes[0], true),
                project(2, votes[1], false),
                project(3, votes[2], false),
            ],
        },
    }
}

fn release(id: u32, plan_id: u32) -> Decision {
    Decision {
        id,
        period: "2026-Q3".into(),
        on: day("2026-09-05"),
        actor: "PLANTDECIDER 王".into(),
        at: NOW - 80 * DAY,
        kind: DecisionKind::ReserveReleased {
            amount_fen: 5_000,
            reason: "暴雨后紧急加固".into(),
            approver: "PLANTRESERVEAPPROVER 街道".into(),
            plan_id,
        },
    }
}

/// A dataset with an adopted run, plans at every kind of stage and the three kinds of
/// decision, with markers in every internal field.
fn with_everything() -> Dataset {
    let mut d = bare(600, 7);
    adopt(&mut d, "2026-Q3");
    d.plans = vec![
        closed_plan(1, Satisfaction::Counts([0, 1, 2, 10, 20])),
        on_notice(2, "2026-11-20"),
        rejected_plan(3),
        PlanCase::new(
            4,
            &by("new"),
            day("2026-11-01"),
            content("草案：不公开"),
            internal(),
        )
        .unwrap(),
    ];
    let id = next_decision_id(&d);
    d.decisions.push(pb_decision(id, [40, 12, 3], 52));
    d.decisions.push(release(id + 1, 1));
    d
}

fn set(d: &mut Dataset, key: &str, value: &str) {
    d.settings.retain(|s| s.key != key);
    d.settings.push(Setting {
        key: key.into(),
        value: value.into(),
    });
}

fn snapshot(d: &Dataset) -> Content {
    build(d, &BuildOptions::at(NOW)).unwrap()
}

/// The allocation figures of a snapshot: what must not move without a new adoption.
fn figures(c: &Content) -> String {
    serde_json::to_string(&(
        &c.allocation_status,
        &c.adopted_allocation,
        &c.pools,
        &c.allocation,
        &c.groups,
        &c.cost_sharing,
        c.headline.budget_fen,
    ))
    .unwrap()
}

#[test]
fn configured_settings_reach_the_public() {
    let mut d = bare(300, 3);
    let s = snapshot(&d);
    let points: Vec<i64> = s.points.earning.iter().map(|r| r.points).collect();
    assert_eq!(points, vec![10, 5, 15]);
    assert_eq!((s.min_cell, s.min_cell_sensitive), (5, 10));
    assert_eq!(s.plan_rules.notice_days, 7);
    assert_eq!(s.points.catalogue.len(), 3);

    set(
        &mut d,
        "points_rules",
        r#"{"deliberation_per_meeting":99,"volunteering_per_hour":7,"skill_sharing_per_session":33}"#,
    );
    set(
        &mut d,
        "points_catalogue",
        r#"{"items":[{"code":"haircut","name_zh":"理发券","name_en":"Haircut","cost":12,"stock":40}]}"#,
    );
    set(
        &mut d,
        "indicator_targets",
        r#"{"participation":7000,"cost_benefit":250,"resolution_time":48,"satisfaction":null}"#,
    );
    set(&mut d, "disclosure", r#"{"min_cell":8,"min_cell_sensitive":12}"#);
    set(
        &mut d,
        "plan_rules",
        r#"{"notice_days":10,"renotice_above_bp":500}"#,
    );
    let s = snapshot(&d);
    let points: Vec<i64> = s.points.earning.iter().map(|r| r.points).collect();
    assert_eq!(points, vec![99, 7, 33]);
    assert_eq!(s.points.catalogue.len(), 1);
    assert_eq!(
        (
            s.points.catalogue[0].code.as_str(),
            s.points.catalogue[0].cost,
            s.points.catalogue[0].stock
        ),
        ("haircut", 12, 40)
    );
    let target = |code: &str| s.indicators.iter().find(|i| i.code == code).unwrap().clone();
    assert_eq!(target("participation").target, Some(7000));
    assert_eq!(target("cost_benefit").target, Some(250));
    assert_eq!(target("resolution_time").target, Some(48));
    assert_eq!(target("resolution_time").direction, "le");
    assert_eq!(target("satisfaction").target, None);
    assert_eq!(target("utilisation").target, Some(8500)); // the default
                                                          // Every indicator of the settings' list, in its order, with its unit.
    let codes: Vec<&str> = s.indicators.iter().map(|i| i.code.as_str()).collect();
    let listed: Vec<&str> = crate::settings::INDICATORS.iter().map(|i| i.code).collect();
    assert_eq!(codes, listed);
    assert_eq!(target("cost_benefit").unit, "ratio_centi");
    assert_eq!((s.min_cell, s.min_cell_sensitive), (8, 12));
    assert_eq!(
        (s.plan_rules.notice_days, s.plan_rules.renotice_above_bp),
        (10, 500)
    );
    assert!(privacy::check(&s).is_empty(), "{:?}", privacy::check(&s));
    // Explicit options still win over the setting.
    let mut o = BuildOptions::at(NOW);
    o.min_cell = Some(20);
    o.min_cell_sensitive = Some(20);
    assert_eq!(build(&d, &o).unwrap().min_cell, 20);

    // An invalid setting publishes nothing and names the key.
    for (key, value) in [
        (
            "points_rules",
            r#"{"deliberation_per_meeting":-1,"volunteering_per_hour":5,"skill_sharing_per_session":15}"#,
        ),
        (
            "points_catalogue",
            r#"{"items":[{"code":"Bad Code","name_zh":"x","name_en":"x","cost":1,"stock":1}]}"#,
        ),
        ("indicator_targets", r#"{"nonsense":1}"#),
        ("disclosure", r#"{"min_cell":2}"#),
        ("plan_rules", r#"{"notice_days":0}"#),
    ] {
        let mut bad = d.clone();
        set(&mut bad, key, value);
        match build(&bad, &BuildOptions::at(NOW)) {
            Err(SnapshotError::Setting { key: k, .. }) => assert_eq!(k, key),
            other => panic!("{key}: {other:?}"),
        }
    }
}

#[test]
fn no_adopted_run_is_said_plainly_and_nothing_is_recomputed() {
    let mut d = bare(600, 7);
    let s = snapshot(&d);
    assert_eq!(s.period, "2026-Q3");
    assert_eq!(s.allocation_status, NONE_ADOPTED);
    assert!(s.adopted_allocation.is_none());
    assert!(s.pools.is_empty() && s.allocation.is_empty() && s.groups.is_empty());
    assert_eq!((s.cost_sharing.total_fen, s.headline.budget_fen), (0, 0));
    let mismatch = s.indicators.iter().find(|i| i.code == "mismatch").unwrap();
    assert_eq!(mismatch.reason.as_deref(), Some("no_adopted_allocation"));
    assert_eq!(mismatch.status, "not_measured");
    assert!(privacy::check(&s).is_empty());

    // A run that is only stored (not adopted) is not published either.
    let config = AllocConfig::from_dataset(&d).unwrap();
    let inputs = alloc::prepare(&d, &config, "2026-Q3").unwrap();
    let result = alloc::allocate_inputs(&inputs, &config).unwrap();
    d.allocation_runs
        .push(run_record(&inputs, &config, &result, 1, NOW - DAY));
    assert_eq!(snapshot(&d).allocation_status, NONE_ADOPTED);
}

#[test]
fn the_adopted_run_is_published_as_stored_whatever_the_register_does() {
    let mut d = bare(600, 7);
    let run_id = adopt(&mut d, "2026-Q3");
    let s = snapshot(&d);
    assert_eq!(s.allocation_status, ADOPTED);
    let a = s.adopted_allocation.clone().unwrap();
    assert_eq!((a.run, a.adopted_on.as_str()), (run_id, "2026-10-01"));
    let run = d.allocation_runs.iter().find(|r| r.id == run_id).unwrap();
    assert_eq!(a.inputs_sha256, run.inputs_sha256);
    let stored: crate::alloc::AllocationResult = serde_json::from_str(&run.outputs_json).unwrap();
    let money = stored.kind(crate::model::ResourceKind::Money).unwrap();
    assert_eq!(s.headline.budget_fen, money.total);
    // The published amounts are the stored ones through the disclosure rules (rounded
    // to their step, issue #15).
    let amounts: Vec<(String, Option<i64>)> = s
        .allocation
        .iter()
        .map(|c| (c.code.clone(), c.amount_fen))
        .collect();
    let stored_amounts: Vec<(String, Option<i64>)> = money
        .categories
        .iter()
        .zip(&s.allocation)
        .map(|(c, p)| {
            let shown = p
                .withheld
                .is_none()
                .then(|| super::disclosure::round_to(c.total, p.step_fen));
            (c.code.clone(), shown)
        })
        .chain(
            s.allocation
                .iter()
                .filter(|c| c.code == "other")
                .map(|c| (c.code.clone(), c.amount_fen)),
        )
        .collect();
    assert_eq!(amounts, stored_amounts);

    // The register changes a lot, and more resources arrive: no new adoption, so the
    // same allocation figures are published again.
    let mut changed = d.clone();
    changed.households.truncate(450);
    for h in changed.households.iter_mut().take(200) {
        h.needs.clear();
        h.group = "young_tenants".into();
    }
    for r in &mut changed.resources {
        r.quantity += 1_000;
    }
    let mut o = BuildOptions::at(NOW + DAY);
    o.previous = Some((1, encode(&s).1));
    let again = build(&changed, &o).unwrap();
    assert_eq!(figures(&again), figures(&s));
    assert_ne!(again.headline.households, s.headline.households);
    // Re-running on the changed register would give other figures: the test can fail.
    let config = AllocConfig::from_dataset(&changed).unwrap();
    let rerun = alloc::allocate(&changed, &config, "2026-Q3").unwrap();
    assert_ne!(
        rerun.kind(crate::model::ResourceKind::Money).unwrap().total,
        s.headline.budget_fen
    );

    // A later adoption for the period is refused by the domain: the first one stands.
    let mut later = d.clone();
    let inputs = alloc::prepare(&changed, &config, "2026-Q3").unwrap();
    later
        .allocation_runs
        .push(run_record(&inputs, &config, &rerun, 99, NOW));
    let header = Header {
        id: next_decision_id(&later),
        period: "2026-Q3".into(),
        on: day("2026-11-01"),
        by: Stamp::new("g", NOW),
    };
    assert!(adopt_run(&later.decisions, &later.allocation_runs, 99, &header).is_err());
    assert_eq!(figures(&snapshot(&later)), figures(&s));
}

#[test]
fn an_adopted_run_that_does_not_match_publishes_nothing() {
    let mut d = bare(300, 5);
    let run_id = adopt(&mut d, "2026-Q3");
    let mut tampered = d.clone();
    let run = tampered
        .allocation_runs
        .iter_mut()
        .find(|r| r.id == run_id)
        .unwrap();
    run.inputs_json = run.inputs_json.replacen("\"config\"", "\"config\" ", 1);
    assert!(matches!(
        build(&tampered, &BuildOptions::at(NOW)),
        Err(SnapshotError::Allocation { .. })
    ));
    let mut missing = d.clone();
    missing.allocation_runs.clear();
    let e = build(&missing, &BuildOptions::at(NOW)).unwrap_err();
    assert!(e.to_string().contains("not stored"), "{e}");
}

#[test]
fn plans_publish_their_public_life_cycle() {
    let d = with_everything();
    let s = snapshot(&d);
    assert!(privacy::check(&s).is_empty(), "{:?}", privacy::check(&s));
    // The draft never on notice is not published; the rejected one is, back in draft.
    assert_eq!(s.plans.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 2, 3]);
    let p = &s.plans[0];
    assert_eq!(p.stage, "closed");
    let stages: Vec<&str> = p.stages.iter().map(|x| x.stage.as_str()).collect();
    assert_eq!(
        stages,
        vec![
            "draft",
            "notice",
            "council",
            "assessment",
            "street_review",
            "execution",
            "accounts",
            "closed"
        ]
    );
    assert_eq!(p.notices.len(), 1);
    let n = &p.notices[0];
    assert_eq!(
        (
            n.start.as_str(),
            n.last_day.as_str(),
            n.days,
            n.ended.as_deref(),
            n.ended_on.as_deref()
        ),
        ("2026-09-01", "2026-09-07", 7, Some("closed"), Some("2026-09-08"))
    );
    assert_eq!((p.objection_count, p.objections_answered), (1, 1));
    assert_eq!(p.objections[0].summary, "担心施工噪音");
    assert_eq!(p.objections[0].response.as_deref(), Some("施工只在白天进行"));
    let levels: Vec<(&str, bool)> = p
        .approvals
        .iter()
        .map(|a| (a.level.as_str(), a.approved))
        .collect();
    assert_eq!(
        levels,
        vec![("council", true), ("assessment", true), ("street_review", true)]
    );
    assert_eq!(p.approvals[0].council.unwrap().votes_for, 9);
    assert_eq!(p.approvals[1].conclusion.as_deref(), Some("方案可行"));
    assert_eq!(p.approvals[2].reference.as_deref(), Some("街审〔2026〕12号"));
    // Every spending entry, the reversal included, adding up to the net spending.
    let entries: Vec<(i64, &str, Option<u32>)> = p
        .spending
        .iter()
        .map(|e| (e.amount_fen, e.funder.as_str(), e.reverses))
        .collect();
    assert_eq!(
        entries,
        vec![
            (30_000, "government", None),
            (10_000, "market", None),
            (-10_000, "market", Some(2)),
            (8_000, "market", None),
            (32_000, "government", None),
            (5_000, "residents", None),
        ]
    );
    assert_eq!(p.spent_fen, 75_000);
    assert_eq!(p.spending.iter().map(|e| e.amount_fen).sum::<i64>(), p.spent_fen);
    let by_funder: Vec<(&str, i64)> = p
        .spent_by_funder
        .iter()
        .map(|f| (f.funder.as_str(), f.amount_fen))
        .collect();
    assert_eq!(
        by_funder,
        vec![("government", 62_000), ("market", 8_000), ("residents", 5_000)]
    );
    assert_eq!(p.budget_fen, 103_000);
    assert_eq!(p.budget_changes.len(), 1);
    let c = &p.budget_changes[0];
    assert_eq!(
        (c.from_fen, c.to_fen, c.status.as_str(), c.status_date.as_deref()),
        (100_000, 103_000, "effective", Some("2026-09-17"))
    );
    assert_eq!(p.milestones.len(), 2);
    assert_eq!(p.progress_pct, 100);
    let acc = p.accounts.as_ref().unwrap();
    assert_eq!(
        (acc.budget_fen, acc.actual_fen, acc.remainder_fen),
        (103_000, 75_000, 28_000)
    );
    assert_eq!(acc.returned_to, "2026-Q3 机动池");
    // 33 answers: 1 and 2 are withheld (with complementary suppression); no share then.
    let e = p.evaluation.as_ref().unwrap();
    assert_eq!(e.respondents, Some(33));
    assert!(e.distribution[1].is_none() && e.distribution[2].is_none());
    assert_eq!(e.satisfied_bp, None);
    assert_eq!(e.summary, "居民满意，建议推广");

    let rejected = &s.plans[2];
    assert_eq!(rejected.stage, "draft");
    let last = rejected.stages.last().unwrap();
    assert_eq!(
        (last.stage.as_str(), last.reason.as_str()),
        ("draft", "费用过高，请重新询价")
    );
    assert!(!rejected.approvals[0].approved);

    // Headline totals are the published plans'.
    assert_eq!(
        s.headline.plans_budget_fen,
        s.plans.iter().map(|p| p.budget_fen).sum::<i64>()
    );
    assert_eq!(s.headline.plans_spent_fen, 75_000);
}

#[test]
fn a_running_notice_counts_down_from_the_publication_day() {
    let d = with_everything();
    let s = snapshot(&d); // 2026-11-24
    let n = &s.plans[1].notices[0];
    assert_eq!(s.plans[1].stage, "notice");
    assert_eq!(
        (n.start.as_str(), n.last_day.as_str(), n.ended.as_deref()),
        ("2026-11-20", "2026-11-26", None)
    );
    assert_eq!(n.days_left, Some(3)); // 24, 25, 26
    let later = build(&d, &BuildOptions::at(NOW + 2 * DAY)).unwrap();
    assert_eq!(later.plans[1].notices[0].days_left, Some(1));
}

#[test]
fn decisions_are_published_without_anyone_named() {
    let d = with_everything();
    let s = snapshot(&d);
    assert_eq!(s.pb.len(), 1);
    let pb = &s.pb[0];
    assert_eq!(
        (pb.rule.as_str(), pb.budget_fen, pb.funded_fen),
        ("mes_cost_add1", 300_000, 100_000)
    );
    assert_eq!(pb.voters, Some(52));
    let votes: Vec<(Option<u64>, bool)> = pb.projects.iter().map(|p| (p.votes, p.funded)).collect();
    // Three votes is a count of people below the minimum: withheld.
    assert_eq!(votes, vec![(Some(40), true), (Some(12), false), (None, false)]);
    assert_eq!(pb.projects[0].plan_id, Some(101));
    assert_eq!(s.reserve_releases.len(), 1);
    let r = &s.reserve_releases[0];
    assert_eq!(
        (r.date.as_str(), r.amount_fen, r.reason.as_str(), r.plan_id),
        ("2026-09-05", 5_000, "暴雨后紧急加固", 1)
    );
    // Four voters in all: withheld too.
    let mut few = d.clone();
    few.decisions
        .retain(|x| !matches!(x.kind, DecisionKind::PbAdopted { .. }));
    let id = next_decision_id(&few);
    few.decisions.push(pb_decision(id, [4, 2, 0], 4));
    let s = snapshot(&few);
    assert_eq!(s.pb[0].voters, None);
    assert_eq!(
        s.pb[0].projects.iter().map(|p| p.votes).collect::<Vec<_>>(),
        vec![None, None, Some(0)]
    );
    assert!(privacy::check(&s).is_empty());
}

/// The attack test: a marker in every internal field (plan guide and notes, objection
/// texts, actors of every step and decision, assessor, voucher numbers, budget-change
/// and reserve approvers) never reaches the published bytes, nor the notice or the
/// first view written into the page.
#[test]
fn no_internal_field_reaches_the_published_files() {
    let d = with_everything();
    // The markers are really in the data (the test can fail).
    let stored = serde_json::to_string(&d).unwrap();
    for m in MARKERS {
        assert!(stored.contains(m), "{m} not planted");
    }
    let p = super::prepare::prepare(
        &d,
        &[] as &[Vec<u8>],
        &super::prepare::PrepareOptions {
            at: NOW,
            period: None,
            url: Some("https://example.org/a/".into()),
        },
    )
    .unwrap();
    let page = super::publish::prerender_index("<body><!--linli:prerender--></body>", &p.content);
    let mut published: Vec<(String, String)> = p
        .files
        .iter()
        .map(|f| (f.path.clone(), String::from_utf8_lossy(&f.bytes).into_owned()))
        .collect();
    published.push(("index.html".into(), page));
    for (path, text) in &published {
        for m in MARKERS {
            assert!(!text.contains(m), "{m} in {path}");
        }
        for key in [
            "\"guide\"",
            "\"notes\"",
            "\"voucher\"",
            "\"approver\"",
            "\"assessor\"",
            "\"actor\"",
            "\"internal",
        ] {
            assert!(!text.contains(key), "{key} in {path}");
        }
    }
    // The public parts are there.
    let text = &p.text;
    for public in [
        "担心施工噪音",
        "施工只在白天进行",
        "方案可行",
        "采购扶手",
        "暴雨后紧急加固",
        "扶手加长",
    ] {
        assert!(text.contains(public), "{public}");
    }
}

#[test]
fn the_file_refuses_an_internal_field_slipped_into_any_record() {
    let d = with_everything();
    let (text, _) = encode(&snapshot(&d));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rehash = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut c = doc["content"].clone();
        edit(&mut c);
        let body = serde_json::to_string(&c).unwrap();
        // The texts (outside the hash since layout 4) carried over as they are.
        format!(
            r#"{{"format":"linli-public-snapshot","version":{},"sha256":"{}","content":{body},"texts":{}}}"#,
            super::VERSION,
            crate::backup::sha256_hex(body.as_bytes()),
            doc["texts"]
        )
    };
    // Unchanged, it decodes (the rehash itself is faithful).
    assert!(decode(rehash(&|_| {}).as_bytes()).is_ok());
    type Edit<'a> = (&'a str, &'a dyn Fn(&mut serde_json::Value));
    let edits: [Edit<'_>; 7] = [
        ("plan guide", &|c| c["plans"][0]["guide"] = "x".into()),
        ("voucher", &|c| {
            c["plans"][0]["spending"][0]["voucher"] = "x".into()
        }),
        ("objection text", &|c| {
            c["plans"][0]["objections"][0]["internal_text"] = "x".into()
        }),
        ("assessor", &|c| {
            c["plans"][0]["approvals"][1]["assessor"] = "x".into()
        }),
        ("approver", &|c| c["reserve_releases"][0]["approver"] = "x".into()),
        ("decision actor", &|c| c["pb"][0]["actor"] = "x".into()),
        ("budget change approver", &|c| {
            c["plans"][0]["budget_changes"][0]["approver"] = "x".into()
        }),
    ];
    for (what, edit) in edits {
        let err = decode(rehash(edit).as_bytes()).unwrap_err();
        assert_eq!(err.code(), "invalid", "{what}");
    }
}

#[test]
fn privacy_and_bounds_cover_the_new_fields() {
    let d = with_everything();
    let good = snapshot(&d);
    let mut s = good.clone();
    s.pb[0].projects[0].votes = Some(2);
    s.pb[0].voters = Some(3);
    s.plans[0].spending[0].purpose = "付给 13912345678".into();
    s.plans[0].objections[0].response = Some("身份证 11010519491231002X".into());
    s.plans[0].notices[0].start = "9/1/2026".into();
    s.reserve_releases[0].date = "soon".into();
    let e = s.plans[0].evaluation.as_mut().unwrap();
    e.distribution = vec![Some(0), Some(1), Some(2), Some(10), Some(20)];
    e.satisfied_bp = Some(9000);
    let paths: Vec<String> = privacy::check(&s).into_iter().map(|v| v.path).collect();
    for want in [
        "pb[0].projects[0].votes",
        "pb[0].voters",
        "plans[0].spending[0].purpose",
        "plans[0].objections[0].response",
        "plans[0].notices[0].start",
        "reserve_releases[0].date",
        "plans[0].evaluation.distribution[1]",
    ] {
        assert!(paths.iter().any(|p| p == want), "{want} not in {paths:?}");
    }
    // Withheld evaluation answers next to a share that reveals them.
    let mut s = good.clone();
    s.plans[0].evaluation.as_mut().unwrap().satisfied_bp = Some(9000);
    let paths: Vec<String> = privacy::check(&s).into_iter().map(|v| v.path).collect();
    assert!(
        paths.contains(&"plans[0].evaluation.satisfied_bp".to_owned()),
        "{paths:?}"
    );

    // Bounds: a long free text passes up to the plans' limit, one more is named.
    let mut s = good.clone();
    s.plans[0].description = "说".repeat(crate::plans::MAX_TEXT);
    assert_eq!(super::bounds::first_violation(&s), None);
    s.plans[0].description.push('。');
    assert_eq!(
        super::bounds::first_violation(&s).unwrap().0,
        "plans[0].description"
    );
    let mut s = good.clone();
    s.plans[0].spending[0].purpose = "x".repeat(201);
    assert_eq!(
        super::bounds::first_violation(&s).unwrap().0,
        "plans[0].spending[0].purpose"
    );
    let mut s = good;
    s.reserve_releases[0].amount_fen = crate::money::MAX_FEN + 1;
    assert_eq!(
        super::bounds::first_violation(&s).unwrap().0,
        "reserve_releases[0].amount_fen"
    );
    // A decision record beyond the bounds publishes nothing and names the field.
    let mut long = d.clone();
    if let Some(DecisionKind::PbAdopted { projects, .. }) = long
        .decisions
        .iter_mut()
        .map(|x| &mut x.kind)
        .find(|k| matches!(k, DecisionKind::PbAdopted { .. }))
    {
        projects[0].title = "长".repeat(201);
    }
    match build(&long, &BuildOptions::at(NOW)) {
        Err(SnapshotError::OutOfBounds { path, .. }) => assert_eq!(path, "pb[0].projects[0].title"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn evaluations_publish_only_what_reveals_no_small_count() {
    let e = |s: Satisfaction| crate::plans::Evaluation {
        on: day("2026-10-20"),
        satisfaction: s,
        summary: "s".into(),
    };
    let full = super::plans::evaluation(&e(Satisfaction::Counts([0, 5, 5, 10, 20])), 5);
    assert_eq!(full.respondents, Some(40));
    assert_eq!(full.satisfied_bp, Some(7_500));
    let few = super::plans::evaluation(&e(Satisfaction::Counts([0, 0, 1, 1, 2])), 5);
    assert_eq!((few.respondents, few.satisfied_bp), (None, None));
    assert_eq!(few.distribution, vec![None; 5]);
    let summary = super::plans::evaluation(
        &e(Satisfaction::Summary {
            respondents: 30,
            satisfied: 27,
        }),
        5,
    );
    // 3 unsatisfied would be revealed by the share: withheld.
    assert_eq!((summary.respondents, summary.satisfied_bp), (Some(30), None));
    assert!(summary.distribution.is_empty());
    let summary = super::plans::evaluation(
        &e(Satisfaction::Summary {
            respondents: 30,
            satisfied: 24,
        }),
        5,
    );
    assert_eq!(summary.satisfied_bp, Some(8_000));
}

fn activity(id: u32, date: &str, attendance: Vec<u32>) -> Activity {
    Activity {
        id,
        date: date.into(),
        title: format!("a{id}"),
        channel: Channel::BuildingCorner,
        building_id: None,
        attendance,
        hours_tenths: 10,
    }
}

#[test]
fn leader_growth_is_the_participation_pages_figure() {
    let mut d = bare(300, 9);
    let ids: Vec<u32> = d.households.iter().map(|h| h.id).collect();
    d.activities.clear();
    // 2025-Q3: 10 households three times; 2026-Q3: 14 households three times.
    for (i, date) in ["2025-07-05", "2025-08-05", "2025-09-05"].into_iter().enumerate() {
        d.activities
            .push(activity(i as u32 + 1, date, ids[..10].to_vec()));
    }
    for (i, date) in ["2026-07-05", "2026-08-05", "2026-09-05"].into_iter().enumerate() {
        d.activities
            .push(activity(i as u32 + 10, date, ids[..14].to_vec()));
    }
    let s = snapshot(&d);
    let ind = s.indicators.iter().find(|i| i.code == "leader_growth").unwrap();
    assert_eq!(ind.value, Some(4_000)); // +40.00%
    assert_eq!(ind.period.as_deref(), Some("2026-Q3"));
    assert_eq!(ind.status, "met"); // target > 10%
    let page = rates::leaders_by_quarter(&d.activities);
    let row = page.iter().find(|r| r.0 == "2026-Q3").unwrap();
    assert_eq!(row.2, ind.value);
    let today = crate::date::days_from_civil(2026, 11, 24);
    assert_eq!(rates::leader_growth(&d.activities, today).growth_bp, Ok(4_000));
    // Without the year before: not measured, with the reason, on both sides.
    d.activities.retain(|a| a.date.starts_with("2026"));
    let s = snapshot(&d);
    let ind = s.indicators.iter().find(|i| i.code == "leader_growth").unwrap();
    assert_eq!(
        (ind.value, ind.reason.as_deref()),
        (None, Some(rates::NO_LEADERS_A_YEAR_BEFORE))
    );
    assert_eq!(rates::leaders_by_quarter(&d.activities)[0].2, None);
}

#[test]
fn cost_benefit_comes_from_the_final_accounts() {
    let mut d = bare(300, 9);
    let ind = |s: &Content| {
        s.indicators
            .iter()
            .find(|i| i.code == "cost_benefit")
            .unwrap()
            .clone()
    };
    let s = snapshot(&d);
    assert_eq!(
        ind(&s).reason.as_deref(),
        Some(super::cost_benefit::NO_FINAL_ACCOUNTS)
    );
    assert_eq!(ind(&s).status, "not_measured");
    // One plan: ¥750 actual of which ¥620 government → 1 : 1.20 (120), below 1 : 3.
    d.plans = vec![closed_plan(1, Satisfaction::Counts([0, 0, 0, 10, 20]))];
    let s = snapshot(&d);
    assert_eq!(ind(&s).value, Some(75_000 * 100 / 62_000));
    assert_eq!(ind(&s).status, "not_met");
    // Accounts older than a year no longer count.
    let s = build(&d, &BuildOptions::at(NOW + 400 * DAY)).unwrap();
    assert_eq!(ind(&s).value, None);
    // A target the community set is used.
    set(&mut d, "indicator_targets", r#"{"cost_benefit":100}"#);
    assert_eq!(ind(&snapshot(&d)).status, "met");
}

#[test]
fn the_indicators_function_is_the_snapshots() {
    let d = with_everything();
    let today = crate::date::days_from_civil(2026, 11, 24);
    assert_eq!(indicators(&d, today).unwrap(), snapshot(&d).indicators);
    let mut raised = d.clone();
    set(
        &mut raised,
        "disclosure",
        r#"{"min_cell":40,"min_cell_sensitive":40}"#,
    );
    assert_eq!(indicators(&raised, today).unwrap(), snapshot(&raised).indicators);
}

#[test]
fn a_demo_with_its_decisions_publishes_and_verifies() {
    let mut d = demo(600, 2026);
    adopt(&mut d, "2026-Q3");
    let s = snapshot(&d);
    assert_eq!(s.allocation_status, ADOPTED);
    assert!(!s.plans.is_empty());
    assert!(privacy::check(&s).is_empty(), "{:?}", privacy::check(&s));
    let (text, _) = encode(&s);
    assert_eq!(decode(text.as_bytes()).unwrap().content, s);
}

/// A layout-1 snapshot (as published before issue #14), trimmed: content as written.
const V1_CONTENT: &str = r#"{"sequence":1,"previous_sha256":null,"published_at":1795492800000,"as_of":"2026-11-24","community":{"name_zh":"杭州·邻里示范社区（演示）","name_en":"Linli Demo Community, Hangzhou"},"period":"2026-Q3","min_cell":5,"min_cell_sensitive":10,"headline":{"households":4500,"residents":13025,"aged_60_plus_bp":2183,"budget_fen":49305000,"plans_budget_fen":119500000,"plans_spent_fen":61250000,"requests_total":562,"requests_closed":474},"pools":[],"allocation":[],"groups":[],"cost_sharing":{"total_fen":0,"by_funder":[],"by_class":[]},"plans":[{"id":1,"title":"老年食堂扩建","category":"elderly_care","period":"2026-Q1","stage":"executing","budget_fen":32000000,"spent_fen":19200000,"progress_pct":60,"notice_start":"2026-01-21","notice_end":"2026-01-27","notice_days":7,"spent_by_funder":[]}],"coverage":[],"satisfaction":{"ratings":474,"distribution":[0,56,106,129,183],"satisfied_bp":6582,"mean_centi":393},"indicators":[],"requests":[],"points":{"earning":[{"code":"deliberation","name_zh":"参加议事","name_en":"Deliberation","points":10,"per":"meeting"}]}}"#;

#[test]
fn a_history_published_before_the_upgrade_still_verifies_and_is_followed() {
    let hash = crate::backup::sha256_hex(V1_CONTENT.as_bytes());
    let v1 = format!(
        r#"{{"format":"linli-public-snapshot","version":1,"sha256":"{hash}","content":{V1_CONTENT}}}"#
    );
    let old = decode(v1.as_bytes()).unwrap();
    assert_eq!(
        (old.version, old.content.sequence, old.sha256.as_str()),
        (1, 1, hash.as_str())
    );
    // Read for its seal only: no figure of the old layout is carried over.
    assert_eq!(old.content.community.name_zh, "杭州·邻里示范社区（演示）");
    assert!(old.content.plans.is_empty() && old.content.headline.households.is_none());
    assert!(privacy::check(&old.content).is_empty());
    // A changed byte is still caught.
    let bad = v1.replacen("\"budget_fen\":49305000", "\"budget_fen\":49305001", 1);
    assert_eq!(decode(bad.as_bytes()).unwrap_err().code(), "tampered");
    // The next publication follows it, and the folder verifies.
    let d = with_everything();
    let next = super::prepare::prepare(
        &d,
        std::slice::from_ref(&v1),
        &super::prepare::PrepareOptions {
            at: NOW + DAY,
            period: None,
            url: None,
        },
    )
    .unwrap();
    assert_eq!(next.content.sequence, 2);
    assert_eq!(next.content.previous_sha256.as_deref(), Some(hash.as_str()));
    let chain = super::file::verify_chain(&[v1.clone(), next.text.clone()]).unwrap();
    assert_eq!(chain[1].version, super::VERSION);
}
