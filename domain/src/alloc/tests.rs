//! Tests of the allocation engine: the demo community, bad input, runs, and property tests
//! (exact sums, bounds, quota, determinism, order independence).

use proptest::prelude::*;

use super::apportion::{bounded, largest_remainder, largest_remainder_with_quotas, Bound};
use super::*;
use crate::dataset::Dataset;
use crate::demo::{generate, DemoConfig};
use crate::model::{NeedClass, ResourceKind};
use crate::needs::Indicator;

/// The demo without its stored runs and decisions (issue #14 added them): these
/// tests allocate from the resources alone and store their own runs.
fn demo(households: u32) -> Dataset {
    let mut d = generate(&DemoConfig {
        households,
        ..Default::default()
    });
    d.allocation_runs.clear();
    d.decisions.clear();
    d
}

/// Every invariant of a result that does not depend on how it was made.
fn check_result(r: &AllocationResult, config: &AllocConfig) {
    for k in &r.kinds {
        let p = &k.pools;
        assert!(p.reserve >= 0 && p.base >= 0 && p.flexible >= 0, "{p:?}");
        assert_eq!(p.reserve + p.base + p.flexible, k.total, "{:?}", k.kind);
        assert_eq!(p.allocated, p.base + p.flexible);
        let sum = |f: fn(&CategoryAllocation) -> i64| k.categories.iter().map(f).sum::<i64>();
        assert_eq!(sum(|c| c.base), p.base, "{:?} base", k.kind);
        assert_eq!(sum(|c| c.flexible), p.flexible, "{:?} flexible", k.kind);
        assert_eq!(sum(|c| c.total), p.allocated, "{:?} total", k.kind);
        for c in &k.categories {
            assert!(c.base >= 0 && c.flexible >= 0, "{c:?}");
            assert_eq!(c.total, c.base + c.flexible);
            let e = &c.explanation;
            assert!(e.lower <= c.total && c.total <= e.upper, "{} bounds", c.code);
            let t = c.total as u128;
            assert!(
                e.quota.floor() <= t && t <= e.quota.ceil(),
                "{} within quota",
                c.code
            );
            let rule = config.rule(&c.code);
            if k.categories.len() == 1 {
                assert_eq!(c.total, p.allocated, "alone in its pool");
                continue;
            }
            assert!(
                c.total as u128 * u128::from(BP)
                    >= (u128::from(rule.floor_bp) * p.allocated as u128).saturating_sub(9_999),
                "{} floor",
                c.code
            );
            assert!(
                c.total as u128 * u128::from(BP) <= u128::from(rule.cap_bp) * p.allocated as u128 + 9_999,
                "{} cap",
                c.code
            );
            if k.kind == ResourceKind::Money {
                assert!(c.total >= rule.min_fen, "{} min_fen", c.code);
            }
            if !k.constrained {
                assert_eq!(e.binding, Binding::None);
                assert!(e.base_quota.floor() <= c.base as u128 && c.base as u128 <= e.base_quota.ceil());
                assert!(
                    e.flexible_quota.floor() <= c.flexible as u128
                        && c.flexible as u128 <= e.flexible_quota.ceil()
                );
            }
        }
        let groups: i64 = k.fairness.groups.iter().map(|g| g.resources).sum();
        assert_eq!(groups, p.allocated, "groups add up");
        let grids: i64 = k.by_grid.iter().map(|g| g.resources).sum();
        assert_eq!(grids, p.allocated, "grids add up");
        if let Some(m) = &k.indicators.mismatch {
            assert!(m.mismatch_bp <= BP);
            assert_eq!(m.mismatch_bp + m.precise_targeting_bp, BP);
        }
    }
    if let Some(cs) = &r.cost_sharing {
        let money = r.kind(ResourceKind::Money).unwrap();
        let f: i64 = cs.by_funder.iter().map(|f| f.amount_fen).sum();
        assert_eq!(f, money.total, "funders add up to the money total");
        let c: i64 = cs.by_category.iter().map(|c| c.total_fen).sum::<i64>()
            + cs.reserve.iter().map(|f| f.amount_fen).sum::<i64>();
        assert_eq!(c, money.total);
        let cl: i64 = cs.by_class.iter().map(|c| c.total_fen).sum();
        assert_eq!(cl, money.pools.allocated);
        for row in &cs.by_category {
            let s: i64 = row.funders.iter().map(|f| f.amount_fen).sum();
            assert_eq!(s, row.total_fen);
            assert!(row.funders.iter().all(|f| f.amount_fen >= 0));
        }
    }
}

#[test]
fn demo_allocation_is_sensible() {
    let d = demo(4_500);
    let config = AllocConfig::from_dataset(&d).unwrap();
    assert_eq!(config, AllocConfig::default());
    let r = allocate(&d, &config, "2026-Q3").unwrap();
    check_result(&r, &config);
    assert_eq!(r.previous_source, PreviousSource::Resources);
    assert_eq!(r.kinds.len(), 3);
    let money = r.kind(ResourceKind::Money).unwrap();
    assert_eq!(money.categories.len(), 8);
    // Reserve 5 %, base 70 % and flexible 30 % of the rest.
    assert_eq!(money.pools.reserve, money.total * 5 / 100);
    assert!((money.pools.base - money.pools.allocated * 7 / 10).abs() <= 1);
    // Every category gets something; elderly care, the largest eligible group with the
    // largest need, the most; no share moves more than 10 points from the earmarks.
    for c in &money.categories {
        assert!(c.total > 0, "{}", c.code);
        assert!(c.change_bp.unwrap().abs() < 1000, "{} {:?}", c.code, c.change_bp);
    }
    let top = money.categories.iter().max_by_key(|c| c.total).unwrap();
    assert_eq!(top.code, "elderly_care");
    let m = money.indicators.mismatch.as_ref().unwrap();
    assert!(m.mismatch_bp > 0 && m.mismatch_bp < 3000, "{m:?}");
    assert!(money.indicators.utilisation.is_some());
    let cs = r.cost_sharing.as_ref().unwrap();
    assert_eq!(cs.by_funder[0].funder, "government");
    // Basic needs: government exactly 70 % (to the fen, by largest remainder).
    let basic = cs.by_class.iter().find(|c| c.class == NeedClass::Basic).unwrap();
    let gov = basic.funders.iter().find(|f| f.funder == "government").unwrap();
    assert!((gov.amount_fen * 10 - basic.total_fen * 7).abs() < 10 * 8);
    // Slots stay with elderly care; room hours are shared by four categories.
    let slots = r.kind(ResourceKind::Slots).unwrap();
    assert_eq!(slots.categories.len(), 1);
    assert_eq!(slots.pools.reserve, 2);
    assert_eq!(r.kind(ResourceKind::RoomHours).unwrap().categories.len(), 4);
    // The same call gives the same bytes.
    let again = allocate(&d, &config, "2026-Q3").unwrap();
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
}

#[test]
fn order_of_records_does_not_matter() {
    let d = demo(500);
    let config = AllocConfig::default();
    let a = allocate(&d, &config, "2026-Q2").unwrap();
    let mut e = d.clone();
    e.households.reverse();
    e.resources.reverse();
    e.requests.reverse();
    e.settings.reverse();
    e.buildings.reverse();
    e.grids.reverse();
    let b = allocate(&e, &config, "2026-Q2").unwrap();
    assert_eq!(a, b);
    // And the inputs, permuted by hand.
    let mut inputs = prepare(&d, &config, "2026-Q2").unwrap();
    let x = allocate_inputs(&inputs, &config).unwrap();
    inputs.categories.reverse();
    inputs.groups.reverse();
    for c in &mut inputs.categories {
        c.eligible_by_group.reverse();
        c.need_score_by_group.reverse();
    }
    inputs.pools.reverse();
    assert_eq!(allocate_inputs(&inputs, &config).unwrap(), x);
}

#[test]
fn runs_are_stored_verified_and_feed_the_next_period() {
    let mut d = demo(400);
    let config = AllocConfig::default();
    let inputs = prepare(&d, &config, "2026-Q2").unwrap();
    let q2 = allocate_inputs(&inputs, &config).unwrap();
    let run = run_record(&inputs, &config, &q2, 7, 1_790_000_000_000);
    assert_eq!(run.period, "2026-Q2");
    assert_eq!(verify_run(&run).unwrap(), q2);

    // Tampering is found.
    let mut bad = run.clone();
    bad.outputs_json = bad.outputs_json.replacen("\"base\":", "\"base\": ", 1);
    assert!(matches!(verify_run(&bad), Err(AllocError::Run { id: 7, .. })));
    let mut bad = run.clone();
    bad.inputs_json = bad
        .inputs_json
        .replacen("\"reserve_bp\":500", "\"reserve_bp\":600", 1);
    let err = verify_run(&bad).unwrap_err().to_string();
    assert!(err.contains("SHA-256"), "{err}");

    // The next quarter compares against the stored run.
    d.allocation_runs.push(run);
    let q3 = allocate(&d, &config, "2026-Q3").unwrap();
    assert_eq!(q3.previous_source, PreviousSource::Run { id: 7 });
    let (m2, m3) = (
        q2.kind(ResourceKind::Money).unwrap(),
        q3.kind(ResourceKind::Money).unwrap(),
    );
    for (a, b) in m2.categories.iter().zip(&m3.categories) {
        assert_eq!(b.previous, Some(a.total));
        assert_eq!(b.previous_share_bp, Some(a.share_bp));
        // The register did not change: no population growth.
        assert_eq!(b.explanation.demand.population_change, 0);
    }
    let cmp = compare(&q2, &q3);
    let child = cmp.kinds[0]
        .categories
        .iter()
        .find(|c| c.code == "childcare")
        .unwrap();
    let row = m3.categories.iter().find(|c| c.code == "childcare").unwrap();
    assert_eq!(child.change_bp, row.change_bp.unwrap());
}

#[test]
fn change_limit_holds_shares_near_the_previous_period() {
    let d = demo(1_000);
    let config = AllocConfig {
        max_change_bp: Some(300),
        ..AllocConfig::default()
    };
    let r = allocate(&d, &config, "2026-Q3").unwrap();
    check_result(&r, &config);
    let rooms = r.kind(ResourceKind::RoomHours).unwrap();
    assert_eq!(rooms.change_limit, ChangeLimit::Relaxed);
    // Room hours were all culture's: culture keeps at least 97 %, less what the floors of
    // elderly care (10 %) and childcare (5 %) take, which come first: 85 %.
    assert!(rooms.constrained);
    let culture = rooms.categories.iter().find(|c| c.code == "culture").unwrap();
    assert!(culture.share_bp >= 8_400, "{}", culture.share_bp);
    let money = r.kind(ResourceKind::Money).unwrap();
    assert_eq!(money.change_limit, ChangeLimit::Applied);
    for c in &money.categories {
        let e = &c.explanation;
        let prev = c.previous_share_bp.unwrap() as i64;
        if e.binding != Binding::Floor {
            assert!(
                (i64::from(c.share_bp) - prev).abs() <= 301,
                "{}: {} vs {prev}",
                c.code,
                c.share_bp
            );
        }
    }
    // Without previous figures the limit cannot apply.
    let r = allocate(&d, &config, "2026-Q1").unwrap();
    assert_eq!(r.kinds[0].change_limit, ChangeLimit::NoPrevious);
}

#[test]
fn floors_caps_and_money_floors_bind() {
    let d = demo(800);
    let mut config = AllocConfig::default();
    let i = config.categories.iter().position(|c| c.code == "sport").unwrap();
    config.categories[i].min_fen = 8_000_000; // ¥80,000
    let j = config
        .categories
        .iter()
        .position(|c| c.code == "elderly_care")
        .unwrap();
    config.categories[j].cap_bp = 2000;
    let r = allocate(&d, &config, "2026-Q3").unwrap();
    check_result(&r, &config);
    let money = r.kind(ResourceKind::Money).unwrap();
    assert!(money.constrained);
    let sport = money.categories.iter().find(|c| c.code == "sport").unwrap();
    assert_eq!(sport.total, 8_000_000);
    assert_eq!(sport.explanation.binding, Binding::MinFen);
    let elderly = money
        .categories
        .iter()
        .find(|c| c.code == "elderly_care")
        .unwrap();
    assert_eq!(elderly.explanation.binding, Binding::Cap);
    assert_eq!(
        elderly.total,
        (money.pools.allocated as u128 * 2000).div_ceil(10_000) as i64
    );
}

#[test]
fn bad_configuration_names_the_setting_field() {
    type Edit = fn(&mut AllocConfig);
    let cases: Vec<(Edit, &str)> = vec![
        (|c| c.base_bp = 6000, "base_bp + flexible_bp"),
        (|c| c.reserve_bp = 6000, "reserve_bp"),
        (|c| c.demand.requests_bp = 0, "demand"),
        (|c| c.urgency.high_bp = 0, "urgency.high_bp"),
        (|c| c.max_change_bp = Some(0), "max_change_bp"),
        (|c| c.categories[0].floor_bp = 9000, "categories.*.floor_bp"),
        (
            |c| c.categories[3].cap_bp = 100,
            "categories.elderly_care.floor_bp",
        ),
        (|c| c.categories[1].cap_bp = 10_001, "categories.culture.cap_bp"),
        (|c| c.categories[2].min_fen = -1, "categories.disability.min_fen"),
        (|c| c.categories[2].reach_bp = 0, "categories.disability.reach_bp"),
        (
            |c| c.categories[2].unit_weight = 2_000_000,
            "categories.disability.unit_weight",
        ),
        (
            |c| c.categories[3].eligibility = Indicator::Disability { max_grade: 9 },
            "categories.elderly_care.eligibility",
        ),
        (
            |c| c.categories.push(c.categories[0].clone()),
            "categories.childcare.code",
        ),
        (|c| c.cost_sharing.special[1].bp = 1000, "cost_sharing.special"),
        (|c| c.cost_sharing.basic.clear(), "cost_sharing.basic"),
        (
            |c| c.fairness.capture_ratio_bp = 5000,
            "fairness.capture_ratio_bp",
        ),
        (|c| c.targets.mismatch_max_bp = 20_000, "targets.mismatch_max_bp"),
        (|c| c.version = 9, "version"),
    ];
    let d = demo(100);
    for (change, field) in cases {
        let mut c = AllocConfig::default();
        assert_eq!(c.categories[0].code, "childcare");
        change(&mut c);
        let err = c.validate().unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("setting `alloc_config`: {field}: ")),
            "{field}: {text}"
        );
        // Stored as a setting, the dataset's allocation fails with the same message.
        let mut e = d.clone();
        e.settings.push(c.to_setting());
        let from = AllocConfig::from_dataset(&e).unwrap_err();
        assert_eq!(from, err);
        assert_eq!(allocate(&d, &c, "2026-Q3").unwrap_err(), err);
    }
    let err = AllocConfig::from_json("{\"reserve_bp\": 5}")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("setting `alloc_config` is not a valid"), "{err}");
    let c = AllocConfig::default();
    assert_eq!(AllocConfig::from_json(&c.to_json()).unwrap(), c);
    assert_eq!(c.to_setting().key, "alloc_config");
}

#[test]
fn bad_data_is_refused_with_a_clear_message() {
    let d = demo(300);
    let config = AllocConfig::default();
    let err = |d: &Dataset, c: &AllocConfig, p: &str| allocate(d, c, p).unwrap_err().to_string();

    let mut e = d.clone();
    let i = e.resources.iter().position(|r| r.period == "2026-Q3").unwrap();
    e.resources[i].quantity = -5;
    let m = err(&e, &config, "2026-Q3");
    assert!(
        m.contains(&format!("resources {}", e.resources[i].id)) && m.contains("negative"),
        "{m}"
    );
    e.resources[i].quantity = MAX_AMOUNT + 1;
    assert!(err(&e, &config, "2026-Q3").contains("absurd"));
    e.resources[i].quantity = 100;
    e.resources[i].category = "nope".into();
    assert!(err(&e, &config, "2026-Q3").contains("`nope` is not a need category"));

    assert!(err(&d, &config, "2031-Q1").contains("no resources for period 2031-Q1"));
    assert!(err(&d, &config, "2026-Q5").contains("YYYY-Qn"));
    assert!(err(&d, &config, "26-Q1").contains("YYYY-Qn"));

    // A category nobody is eligible for.
    let mut c = config.clone();
    let j = c.categories.iter().position(|r| r.code == "disability").unwrap();
    c.categories[j].eligibility = Indicator::MembersAged { min_age: 130 };
    let m = err(&d, &c, "2026-Q3");
    assert!(
        m.starts_with("setting `alloc_config`: categories.disability.eligibility: no one"),
        "{m}"
    );

    // Money floors larger than the pool.
    let mut c = config.clone();
    for r in &mut c.categories {
        r.min_fen = 9_000_000;
    }
    let m = err(&d, &c, "2026-Q3");
    assert!(
        m.contains("floors of the money pool add up to 72000000 fen"),
        "{m}"
    );

    // Caps that cannot hold the pool.
    let mut c = config.clone();
    for r in &mut c.categories {
        r.floor_bp = 0;
        r.cap_bp = 1000;
    }
    let m = err(&d, &c, "2026-Q3");
    assert!(m.contains("caps of the money pool add up to"), "{m}");

    // A kind rule naming an unknown category.
    let mut c = config.clone();
    c.kinds[0].categories.push("nope".into());
    assert!(err(&d, &c, "2026-Q3").contains("kinds.room_hours.categories"));

    // A bad needs matrix is reported as such.
    let mut e = d.clone();
    e.settings.push(crate::model::Setting {
        key: "needs_matrix".into(),
        value: "[]".into(),
    });
    assert!(err(&e, &config, "2026-Q3").contains("needs_matrix"));
}

#[test]
fn what_if_scenarios_do_not_touch_the_baseline() {
    let d = demo(600);
    let config = AllocConfig::default();
    let inputs = prepare(&d, &config, "2026-Q3").unwrap();
    let mut other = config.clone();
    other.reserve_bp = 1000;
    let s = Scenario {
        name: "bigger reserve, more money".into(),
        config: Some(other),
        totals: vec![KindAmount {
            kind: ResourceKind::Money,
            amount: 100_000_000,
        }],
        demand: vec![DemandScale {
            code: "culture".into(),
            bp: 5_001,
        }],
    };
    let r = what_if(&inputs, &config, &s).unwrap();
    assert_eq!(r.baseline, allocate_inputs(&inputs, &config).unwrap());
    let money = r.result.kind(ResourceKind::Money).unwrap();
    assert_eq!(money.total, 100_000_000);
    assert_eq!(money.pools.reserve, 10_000_000);
    check_result(&r.result, s.config.as_ref().unwrap());
    let bad = Scenario {
        name: "x".into(),
        demand: vec![DemandScale {
            code: "nope".into(),
            bp: 1,
        }],
        ..Default::default()
    };
    assert!(matches!(
        what_if(&inputs, &config, &bad),
        Err(AllocError::Inputs { .. })
    ));
}

#[test]
fn elite_capture_is_flagged() {
    // Two groups: cadres hold most of the eligible people of the only category but little of
    // its need.
    let inputs = AllocInputs {
        version: INPUTS_VERSION,
        period: "2026-Q3".into(),
        previous_period: "2026-Q2".into(),
        previous_source: PreviousSource::None,
        pools: vec![PoolInput {
            kind: ResourceKind::Money,
            total: 1_000_000,
            resources: vec![1],
            categories: vec!["culture".into()],
        }],
        categories: vec![CategoryInput {
            code: "culture".into(),
            class: NeedClass::Improvement,
            eligible: 100,
            eligible_by_group: vec![60, 40],
            eligible_by_grid: vec![],
            need_score: 1000,
            need_score_by_group: vec![150, 850],
            need_score_by_grid: vec![],
            waiting: 10,
            requests: 0,
            population_change: 0,
            urgency: UrgencyCounts::default(),
            spent_fen: 0,
            previous: vec![],
        }],
        groups: vec![
            SubgroupInput {
                key: "retired_cadres".into(),
                label: "retired_cadres".into(),
                households: 30,
                residents: 60,
                need_score: 150,
            },
            SubgroupInput {
                key: "young_tenants".into(),
                label: "young_tenants".into(),
                households: 40,
                residents: 40,
                need_score: 850,
            },
        ],
        grids: vec![],
    };
    let r = allocate_inputs(&inputs, &AllocConfig::default()).unwrap();
    let f = &r.kinds[0].fairness;
    assert_eq!(f.capture_warnings, vec!["retired_cadres".to_owned()]);
    let cadres = &f.groups[0];
    assert_eq!(cadres.resource_share_bp, 6000);
    assert_eq!(cadres.need_share_bp, 1500);
    // (60/15) / (40/85) = 8.5
    assert_eq!(cadres.per_need_vs_others_bp, Some(85_000));
    assert!(!f.groups[1].capture_warning);
    // One category: its share of resources and of need are both 100 %.
    assert_eq!(r.kinds[0].indicators.mismatch.as_ref().unwrap().mismatch_bp, 0);

    // Bad hand-made inputs are refused.
    let mut bad = inputs.clone();
    bad.categories[0].eligible_by_group = vec![60, 41];
    assert!(matches!(
        allocate_inputs(&bad, &AllocConfig::default()),
        Err(AllocError::Inputs { .. })
    ));
    let mut bad = inputs.clone();
    bad.pools[0].total = -1;
    assert!(matches!(
        allocate_inputs(&bad, &AllocConfig::default()),
        Err(AllocError::Amount { .. })
    ));
}

#[test]
fn alabama_paradox_happens() {
    // Largest remainder is not house monotone: one more unit, one less for the third part.
    assert_eq!(largest_remainder(10, &[6, 6, 2]).unwrap(), vec![4, 4, 2]);
    assert_eq!(largest_remainder(11, &[6, 6, 2]).unwrap(), vec![5, 5, 1]);
}

#[test]
fn apportion_edge_cases() {
    assert_eq!(largest_remainder(0, &[]).unwrap(), Vec::<u64>::new());
    assert!(matches!(
        largest_remainder(3, &[]),
        Err(ApportionError::NoParts { total: 3 })
    ));
    // All weights zero: equal shares, ties to the first.
    assert_eq!(largest_remainder(5, &[0, 0, 0]).unwrap(), vec![2, 2, 1]);
    // Equal remainders: the larger weight wins, then the first.
    assert_eq!(largest_remainder(2, &[1, 3]).unwrap(), vec![0, 2]);
    assert_eq!(largest_remainder(1, &[2, 1, 1]).unwrap(), vec![1, 0, 0]);
    assert_eq!(largest_remainder(1, &[1, 1]).unwrap(), vec![1, 0]);
    let (_, q) = largest_remainder_with_quotas(10, &[1, 2]).unwrap();
    assert_eq!(q[0].to_string(), "10/3");
    assert_eq!(serde_json::to_string(&q[1]).unwrap(), "\"20/3\"");
    assert_eq!(serde_json::from_str::<Quota>("\"20/3\"").unwrap(), q[1]);
    assert!(matches!(
        largest_remainder(u64::MAX, &[u128::MAX, 1]),
        Err(ApportionError::Overflow)
    ));
    assert!(matches!(
        bounded(10, &[1, 1], &[6, 6], &[10, 10]),
        Err(ApportionError::LowerBounds { sum: 12, total: 10 })
    ));
    assert!(matches!(
        bounded(10, &[1, 1], &[0, 0], &[4, 4]),
        Err(ApportionError::UpperBounds { sum: 8, total: 10 })
    ));
    assert!(matches!(
        bounded(10, &[1, 1], &[5, 0], &[4, 10]),
        Err(ApportionError::Bounds { index: 0, .. })
    ));
    // Zero-weight parts raised to their floors; all-zero free parts share equally.
    let b = bounded(10, &[0, 0, 0], &[3, 0, 0], &[10, 10, 10]).unwrap();
    assert_eq!(b.parts, vec![4, 3, 3]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    /// Exact, non-negative, within quota, order preserving, deterministic.
    #[test]
    fn largest_remainder_properties(
        total in 0u64..1_000_000_000_000,
        weights in prop::collection::vec(0u128..1_000_000_000, 1..30),
    ) {
        let (parts, quotas) = largest_remainder_with_quotas(total, &weights).unwrap();
        prop_assert_eq!(parts.iter().sum::<u64>(), total);
        let all_zero = weights.iter().all(|&w| w == 0);
        for i in 0..parts.len() {
            let p = u128::from(parts[i]);
            prop_assert!(quotas[i].floor() <= p && p <= quotas[i].ceil(), "quota rule");
            for j in 0..parts.len() {
                if !all_zero && weights[i] > weights[j] {
                    prop_assert!(parts[i] >= parts[j], "order preserving");
                }
            }
        }
        prop_assert_eq!(&largest_remainder(total, &weights).unwrap(), &parts);
    }

    /// Permuting distinct weights permutes the parts.
    #[test]
    fn largest_remainder_is_permutation_equivariant(
        total in 0u64..1_000_000,
        weights in prop::collection::btree_set(1u128..10_000, 1..20),
        rot in 0usize..20,
    ) {
        let w: Vec<u128> = weights.into_iter().collect();
        let mut v = w.clone();
        let r = rot % v.len();
        v.rotate_left(r);
        let a = largest_remainder(total, &w).unwrap();
        let mut b = largest_remainder(total, &v).unwrap();
        b.rotate_right(r);
        prop_assert_eq!(a, b);
    }

    /// Bounded apportionment: exact, within bounds and within the constrained quota, and the
    /// quotas are a water filling: free parts in proportion to their weights, parts at a lower
    /// bound below that proportion, parts at an upper bound above it.
    #[test]
    fn bounded_properties(
        total in 0u64..1_000_000_000,
        spec in prop::collection::vec((0u128..1_000_000, 0u64..1_000, 0u64..2_000), 1..20),
    ) {
        let weights: Vec<u128> = spec.iter().map(|s| s.0).collect();
        let lo: Vec<u64> = spec.iter().map(|s| s.1.min(s.2)).collect();
        let hi_raw: Vec<u64> = spec.iter().map(|s| s.1.max(s.2)).collect();
        // Make it feasible: scale the bounds to the total.
        let sum_lo: u64 = lo.iter().sum();
        let lo: Vec<u64> = if sum_lo > total { lo.iter().map(|&l| l * total / sum_lo.max(1)).collect() } else { lo };
        let mut hi: Vec<u64> = hi_raw.iter().zip(&lo).map(|(&h, &l)| h.max(l)).collect();
        let sum_hi: u64 = hi.iter().sum();
        if sum_hi < total {
            let last = hi.len() - 1;
            hi[last] += total - sum_hi;
        }
        let b = bounded(total, &weights, &lo, &hi).unwrap();
        prop_assert_eq!(b.parts.iter().sum::<u64>(), total);
        let mut lambda: Option<(u128, u128)> = None; // quota / weight of a free part
        for i in 0..b.parts.len() {
            prop_assert!(lo[i] <= b.parts[i] && b.parts[i] <= hi[i]);
            let p = u128::from(b.parts[i]);
            prop_assert!(b.quotas[i].floor() <= p && p <= b.quotas[i].ceil());
            if b.bound[i] == Bound::Free && weights[i] > 0 {
                let (n, d) = (b.quotas[i].num, b.quotas[i].den * weights[i]);
                if let Some((n0, d0)) = lambda {
                    prop_assert_eq!(n * d0, n0 * d, "free parts proportional");
                } else {
                    lambda = Some((n, d));
                }
            }
        }
        if let Some((n, d)) = lambda {
            for i in 0..b.parts.len() {
                // λ·w_i vs the bound: λ = n/d.
                let lw = n * weights[i];
                match b.bound[i] {
                    Bound::Lower => prop_assert!(lw <= u128::from(lo[i]) * d),
                    Bound::Upper => prop_assert!(lw >= u128::from(hi[i]) * d),
                    Bound::Free => {}
                }
            }
        }
    }
}

/// A small deterministic generator (splitmix64) for random inputs.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// Random but valid inputs and configuration.
fn random_case(seed: u64) -> (AllocInputs, AllocConfig) {
    let mut g = Gen(seed);
    let n = 1 + g.below(12) as usize;
    let ng = 1 + g.below(4) as usize;
    let nr = g.below(4) as usize;
    let classes = [NeedClass::Basic, NeedClass::Improvement, NeedClass::Special];
    let big = g.below(2) == 0;
    let mut categories = Vec::new();
    for i in 0..n {
        let by_group: Vec<u64> = (0..ng)
            .map(|k| g.below(if big { 100_000 } else { 50 }) + u64::from(k == 0))
            .collect();
        let eligible: u64 = by_group.iter().sum();
        let mut left = eligible;
        let by_grid: Vec<u64> = (0..nr)
            .map(|_| {
                let v = g.below(left + 1);
                left -= v;
                v
            })
            .collect();
        let need_by_group: Vec<u64> = (0..ng).map(|_| g.below(5_000)).collect();
        let need: u64 = need_by_group.iter().sum();
        let mut left = need;
        let need_by_grid: Vec<u64> = (0..nr)
            .map(|_| {
                let v = g.below(left + 1);
                left -= v;
                v
            })
            .collect();
        let previous = if g.below(3) == 0 {
            vec![]
        } else {
            vec![KindAmount {
                kind: ResourceKind::Money,
                amount: g.below(1_000_000) as i64,
            }]
        };
        categories.push(CategoryInput {
            code: format!("c{i:02}"),
            class: classes[g.below(3) as usize],
            eligible,
            eligible_by_group: by_group,
            eligible_by_grid: by_grid,
            need_score: need,
            need_score_by_group: need_by_group,
            need_score_by_grid: need_by_grid,
            waiting: g.below(300),
            requests: g.below(30),
            population_change: g.below(3) * g.below(100),
            urgency: UrgencyCounts {
                low: g.below(50),
                medium: g.below(50),
                high: g.below(50),
            },
            spent_fen: g.below(1_000_000) as i64 - 1000,
            previous,
        });
    }
    let codes: Vec<String> = categories.iter().map(|c| c.code.clone()).collect();
    let mut pools = vec![PoolInput {
        kind: ResourceKind::Money,
        total: if big {
            g.below(MAX_AMOUNT as u64) as i64
        } else {
            g.below(10_000) as i64
        },
        resources: vec![1],
        categories: codes.clone(),
    }];
    if g.below(2) == 0 {
        let k = 1 + g.below(n as u64) as usize;
        pools.push(PoolInput {
            kind: ResourceKind::Slots,
            total: g.below(200) as i64,
            resources: vec![2],
            categories: codes[..k].to_vec(),
        });
    }
    let groups = (0..ng)
        .map(|k| SubgroupInput {
            key: format!("g{k}"),
            label: format!("g{k}"),
            households: g.below(1000),
            residents: g.below(3000),
            need_score: g.below(100_000),
        })
        .collect();
    let grids = (0..nr)
        .map(|k| SubgroupInput {
            key: format!("{}", k + 1),
            label: String::new(),
            households: g.below(1000),
            residents: g.below(3000),
            need_score: g.below(100_000),
        })
        .collect();
    let mut config = AllocConfig::for_categories(&[]);
    config.reserve_bp = g.below(u64::from(MAX_RESERVE_BP) + 1) as u32;
    config.base_bp = g.below(10_001) as u32;
    config.flexible_bp = BP - config.base_bp;
    if g.below(3) == 0 {
        config.max_change_bp = Some(1 + g.below(3000) as u32);
    }
    let floor_room = BP / n as u32;
    config.categories = codes
        .iter()
        .map(|code| {
            let mut r = CategoryRule::default_for(code);
            r.unit_weight = g.below(200) as u32;
            r.floor_bp = if g.below(2) == 0 {
                g.below(u64::from(floor_room) + 1) as u32
            } else {
                0
            };
            r.cap_bp = if g.below(3) == 0 {
                r.floor_bp + g.below(u64::from(BP - r.floor_bp) + 1) as u32
            } else {
                BP
            };
            r.min_fen = if g.below(5) == 0 { g.below(2_000) as i64 } else { 0 };
            r.reach_bp = 1 + g.below(30_000) as u32;
            r
        })
        .collect();
    let inputs = AllocInputs {
        version: INPUTS_VERSION,
        period: "2026-Q3".into(),
        previous_period: "2026-Q2".into(),
        previous_source: PreviousSource::Resources,
        pools,
        categories,
        groups,
        grids,
    };
    (inputs, config)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// On random inputs and configurations: every pool's parts add up exactly, none is
    /// negative, floors and caps hold, every total is within its quota; the result is
    /// deterministic and independent of the order of categories and groups; bad
    /// combinations fail with a named error, never a panic.
    #[test]
    fn allocation_properties(seed in any::<u64>()) {
        let (inputs, config) = random_case(seed);
        prop_assert!(config.validate().is_ok());
        match allocate_inputs(&inputs, &config) {
            Ok(r) => {
                check_result(&r, &config);
                prop_assert_eq!(&allocate_inputs(&inputs, &config).unwrap(), &r);
                let mut shuffled = inputs.clone();
                shuffled.categories.reverse();
                shuffled.groups.reverse();
                shuffled.grids.reverse();
                for c in &mut shuffled.categories {
                    c.eligible_by_group.reverse();
                    c.need_score_by_group.reverse();
                    c.eligible_by_grid.reverse();
                    c.need_score_by_grid.reverse();
                }
                for p in &mut shuffled.pools {
                    p.categories.reverse();
                }
                let mut config2 = config.clone();
                config2.categories.reverse();
                prop_assert_eq!(&allocate_inputs(&shuffled, &config2).unwrap(), &r);
            }
            Err(AllocError::CapsBelowPool { .. }) | Err(AllocError::FloorsExceedPool { .. }) => {}
            Err(AllocError::Config { field, .. }) if field.ends_with(".min_fen") => {}
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}
