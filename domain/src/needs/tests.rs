//! Unit and property tests of the needs matrix and the AF mode.

use num_rational::BigRational;
use num_traits::{One, Zero};
use proptest::prelude::*;

use super::af::{self, AfConfig, AfIndicator, Fraction};
use super::*;
use crate::model::*;

fn member(birth_year: u16) -> Member {
    Member {
        name: "测试".to_owned(),
        birth_year,
        sex: Sex::Female,
        chronic_illness: false,
        disability_grade: None,
        dementia: false,
        employment: Employment::Retired,
        school_stage: None,
    }
}

fn household(id: u32, building_id: u32, group: &str, members: Vec<Member>) -> Household {
    Household {
        id,
        building_id,
        unit: 1,
        room: "101".to_owned(),
        tenure: Tenure::Owner,
        income_band: IncomeBand::Middle,
        subsistence: Subsistence::None,
        housing: HousingCondition::Good,
        skills: Vec::new(),
        needs: Vec::new(),
        willingness: Willingness::High,
        group: group.to_owned(),
        contact_name: String::new(),
        contact_phone: String::new(),
        notes: String::new(),
        lives_alone: members.len() == 1,
        members,
        updated_at: 0,
    }
}

fn building(id: u32, grid_id: u32) -> Building {
    Building {
        id,
        grid_id,
        name: format!("{id}幢"),
        units: 1,
        floors: 6,
        year_built: 1990,
        plan_x: 0,
        plan_y: 0,
    }
}

fn need(category: &str, urgency: Urgency) -> Need {
    Need {
        category: category.to_owned(),
        urgency,
    }
}

#[test]
fn default_matrix_is_valid_and_weights_are_the_sources() {
    let m = NeedsMatrix::default();
    m.validate().unwrap();
    let w: Vec<(&str, u32)> = m
        .dimensions
        .iter()
        .map(|d| (d.code.as_str(), d.weight_bp))
        .collect();
    assert_eq!(
        w,
        [
            ("population", 2500),
            ("health", 2000),
            ("economic", 2000),
            ("willingness", 1500),
            ("special", 2000)
        ]
    );
    let af_sum: u32 = m.af.indicators.iter().map(|i| i.weight_bp).sum();
    assert_eq!(af_sum, 10_000);
    assert!(m
        .af
        .indicators
        .iter()
        .all(|i| !matches!(i.indicator, Indicator::WillingnessAtMost { .. })));
}

#[test]
fn hand_computed_score_and_explanation() {
    // An 82-year-old living alone (born 1944, year 2026) with a chronic illness, on 低保,
    // low income, poor housing, no willingness, one high-urgency elderly-care need.
    let mut m = member(1944);
    m.chronic_illness = true;
    let mut h = household(1, 1, "elderly_alone", vec![m]);
    h.subsistence = Subsistence::Dibao;
    h.income_band = IncomeBand::Low;
    h.housing = HousingCondition::Poor;
    h.willingness = Willingness::None;
    h.needs = vec![need("elderly_care", Urgency::High)];
    // population: 60+ 15 + 80+ 20 + elder alone 30 + elderly only 10           = 75
    // health:     chronic 20                                                    = 20
    // economic:   dibian+ 30 + dibao 30 + income ≤ LM 10 + low 15
    //             + housing ≤ fair 5 + poor 15 = 105, capped                    = 100
    // willingness: 30 + 30 + 40                                                 = 100
    // special:    any 5 + medium+ 15 + high 25 + alone with care need 25        = 70
    // exact = 2500·75 + 2000·20 + 2000·100 + 1500·100 + 2000·70 = 717 500 → 71.8
    let matrix = NeedsMatrix::default();
    let e = explain(&matrix, &h, 2026).unwrap();
    assert_eq!(e.exact, 717_500);
    assert_eq!(e.score, 718);
    assert_eq!(e.tier, Tier::High);
    let pts: Vec<u32> = e.dimensions.iter().map(|d| d.points).collect();
    assert_eq!(pts, [75, 20, 100, 100, 70]);
    let eco = &e.dimensions[2];
    assert_eq!((eco.points_raw, eco.capped_off), (105, 10_000));
    assert_eq!(eco.indicators.len(), 6);
    let from_indicators: u32 = e
        .dimensions
        .iter()
        .map(|d| d.indicators.iter().map(|i| i.contribution).sum::<u32>() - d.capped_off)
        .sum();
    assert_eq!(from_indicators, e.exact);
    let s = score_all(&matrix, std::slice::from_ref(&h), 2026).unwrap();
    assert_eq!((s[0].score, s[0].tier), (718, Tier::High));
}

#[test]
fn empty_household_scores_only_willingness_it_lacks() {
    let mut h = household(9, 1, "x", Vec::new());
    h.willingness = Willingness::High;
    let s = Scorer::new(&NeedsMatrix::default()).unwrap().score(&h, 2026);
    assert_eq!((s.score, s.tier), (0, Tier::Low));
}

#[test]
fn weight_sum_error_names_the_sum_and_setting() {
    let mut m = NeedsMatrix::default();
    m.dimensions[3].weight_bp = 1600;
    let err = m.validate().unwrap_err();
    assert_eq!(
        err,
        NeedsError::WeightSum {
            sum: 10_100,
            percent: "101.00%".to_owned()
        }
    );
    let text = err.to_string();
    assert!(text.contains("needs_matrix") && text.contains("10100"), "{text}");
}

#[test]
fn invalid_matrices_are_refused_with_clear_errors() {
    let mut m = NeedsMatrix::default();
    m.dimensions[1].rules[0].points = 101;
    assert!(
        matches!(m.validate(), Err(NeedsError::Rule { ref dimension, rule: 0, .. }) if dimension == "health")
    );

    let mut m = NeedsMatrix::default();
    m.dimensions[1].rules[1].indicator = Indicator::Disability { max_grade: 5 };
    let err = m.validate().unwrap_err().to_string();
    assert!(
        err.contains("`health`, rule 1") && err.contains("max_grade"),
        "{err}"
    );

    let mut m = NeedsMatrix::default();
    m.dimensions[0].rules[0].max_count = 0;
    assert!(matches!(m.validate(), Err(NeedsError::Rule { .. })));

    let mut m = NeedsMatrix::default();
    m.dimensions[4].code = "health".to_owned();
    assert_eq!(
        m.validate(),
        Err(NeedsError::DuplicateCode {
            code: "health".to_owned()
        })
    );

    let m = NeedsMatrix {
        tiers: TierThresholds {
            high_min: 200,
            medium_min: 300,
        },
        ..NeedsMatrix::default()
    };
    assert!(matches!(m.validate(), Err(NeedsError::Tiers { .. })));

    let mut m = NeedsMatrix::default();
    m.dimensions.clear();
    assert!(matches!(
        m.validate(),
        Err(NeedsError::DimensionCount { found: 0, .. })
    ));

    let m = NeedsMatrix {
        version: 2,
        ..NeedsMatrix::default()
    };
    assert!(matches!(
        m.validate(),
        Err(NeedsError::UnsupportedVersion { found: 2, .. })
    ));

    let mut m = NeedsMatrix::default();
    for age in 1..=9 {
        m.dimensions[0].rules.push(Rule {
            indicator: Indicator::MembersAged { min_age: age },
            points: 1,
            max_count: 1,
            note: String::new(),
        });
    }
    assert!(matches!(m.validate(), Err(NeedsError::TooComplex { .. })));

    let mut m = NeedsMatrix::default();
    m.af.indicators[0].weight_bp = 1000;
    let err = m.validate().unwrap_err();
    assert!(matches!(err, NeedsError::AfWeightSum { sum: 9750, .. }), "{err}");
    assert!(err.to_string().contains("af:"));

    let mut m = NeedsMatrix::default();
    m.af.indicators[2].min_count = 0;
    assert!(matches!(
        m.validate(),
        Err(NeedsError::AfIndicator { index: 2, .. })
    ));

    let mut m = NeedsMatrix::default();
    m.af.k_bp = 10_001;
    assert!(matches!(m.validate(), Err(NeedsError::AfCutoff { k_bp: 10_001 })));
}

#[test]
fn json_round_trip_and_parse_errors() {
    let m = NeedsMatrix::default();
    let json = m.to_json();
    assert_eq!(NeedsMatrix::from_json(&json).unwrap(), m);
    // The shape documented in the module docs.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["dimensions"][0]["weight_bp"], 2500);
    assert_eq!(
        v["dimensions"][0]["rules"][0]["indicator"]["kind"],
        "members_aged"
    );
    assert_eq!(v["dimensions"][0]["rules"][0]["indicator"]["min_age"], 60);
    assert_eq!(v["tiers"]["high_min"], 400);
    assert_eq!(v["af"]["k_bp"], 3333);

    let err = NeedsMatrix::from_json(r#"{"dimensions":[],"bogus":1}"#).unwrap_err();
    assert!(matches!(err, NeedsError::Parse { .. }));
    assert!(err
        .to_string()
        .starts_with("setting `needs_matrix` is not a valid needs matrix"));
    let err = NeedsMatrix::from_json(r#"{"dimensions":[{"code":"a","name_zh":"","name_en":"","weight_bp":10000,"rules":[{"indicator":{"kind":"nope"},"points":1}]}]}"#)
        .unwrap_err();
    assert!(matches!(err, NeedsError::Parse { .. }), "{err}");

    // Minimal matrix: defaults fill in version, tiers and af; max_count defaults to 1.
    let m = NeedsMatrix::from_json(
        r#"{"dimensions":[{"code":"a","name_zh":"甲","name_en":"A","weight_bp":10000,
            "rules":[{"indicator":{"kind":"lives_alone"},"points":100}]}]}"#,
    )
    .unwrap();
    assert_eq!(m.dimensions[0].rules[0].max_count, 1);
    let mut h = household(1, 1, "g", vec![member(1990)]);
    assert_eq!(Scorer::new(&m).unwrap().score(&h, 2026).score, 1000);
    h.lives_alone = false;
    assert_eq!(Scorer::new(&m).unwrap().score(&h, 2026).score, 0);

    let settings = vec![m.to_setting()];
    assert_eq!(NeedsMatrix::from_settings(&settings).unwrap(), m);
}

#[test]
fn indicators_count_as_documented() {
    let mut a = member(1940); // 86
    a.disability_grade = Some(2);
    a.dementia = true;
    let mut b = member(2022); // 4
    b.disability_grade = Some(4);
    let mut c = member(1990);
    c.employment = Employment::Unemployed;
    c.chronic_illness = true;
    let mut h = household(1, 1, "g", vec![a, b, c]);
    h.subsistence = Subsistence::Dibian;
    h.needs = vec![
        need("disability", Urgency::Medium),
        need("health", Urgency::High),
        need("culture", Urgency::Low),
    ];
    let y = 2026;
    let cases: Vec<(Indicator, u16)> = vec![
        (Indicator::MembersAged { min_age: 60 }, 1),
        (Indicator::MembersAged { min_age: 0 }, 3),
        (Indicator::ChildrenUnder { age: 6 }, 1),
        (Indicator::ElderlyOnly { min_age: 60 }, 0),
        (Indicator::LivesAlone, 0),
        (Indicator::HouseholdSize { min_members: 3 }, 1),
        (Indicator::ChronicIllness, 1),
        (Indicator::Disability { max_grade: 4 }, 2),
        (Indicator::Disability { max_grade: 2 }, 1),
        (Indicator::Disability { max_grade: 1 }, 0),
        (Indicator::Dementia, 1),
        (
            Indicator::Subsistence {
                at_least: Subsistence::Dibian,
            },
            1,
        ),
        (
            Indicator::Subsistence {
                at_least: Subsistence::Dibao,
            },
            0,
        ),
        (Indicator::Unemployed, 1),
        (
            Indicator::Needs {
                min_urgency: Urgency::Low,
                category: None,
            },
            3,
        ),
        (
            Indicator::Needs {
                min_urgency: Urgency::Medium,
                category: None,
            },
            2,
        ),
        (
            Indicator::Needs {
                min_urgency: Urgency::High,
                category: Some("disability".to_owned()),
            },
            0,
        ),
        (
            Indicator::Needs {
                min_urgency: Urgency::Medium,
                category: Some("disability".to_owned()),
            },
            1,
        ),
        (
            Indicator::WillingnessAtMost {
                level: Willingness::High,
            },
            1,
        ),
        (
            Indicator::WillingnessAtMost {
                level: Willingness::Medium,
            },
            0,
        ),
        (
            Indicator::Tenure {
                tenure: Tenure::Owner,
            },
            1,
        ),
    ];
    for (ind, want) in cases {
        assert_eq!(ind.count(&h, y), want, "{ind:?}");
        assert!(!ind.label_zh().is_empty() && !ind.label_en().is_empty());
    }
}

#[test]
fn explain_agrees_with_score_on_demo() {
    let d = crate::demo::generate(&crate::demo::DemoConfig {
        households: 1500,
        ..Default::default()
    });
    let scorer = Scorer::new(&NeedsMatrix::default()).unwrap();
    let all = scorer.score_all(&d.households, 2026);
    let afs = af::AfScorer::new(&AfConfig::default()).unwrap();
    let af_all = afs.households(&d.households, 2026);
    for (i, h) in d.households.iter().enumerate() {
        let s = scorer.score(h, 2026);
        assert_eq!(all[i], s, "batched scoring equals single scoring");
        assert_eq!(af_all[i], afs.household(h, 2026));
        let e = scorer.explain(h, 2026);
        assert_eq!((e.score, e.tier), (s.score, s.tier));
        assert_eq!(e.dimensions.iter().map(|d| d.contribution).sum::<u32>(), e.exact);
    }
}

#[test]
fn demo_tiers_are_a_useful_split() {
    // The default thresholds should single out a minority for priority on the demo
    // community: not nobody, not everybody.
    let d = crate::demo::generate(&crate::demo::DemoConfig::default());
    let a = assess(&NeedsMatrix::default(), &d.households, &d.buildings, 2026).unwrap();
    let t = a.aggregates.total;
    let n = t.count;
    assert_eq!(t.tiers.high + t.tiers.medium + t.tiers.low, n);
    assert!(
        t.tiers.high * 100 >= n * 5 && t.tiers.high * 100 <= n * 30,
        "{t:?}"
    );
    assert!(t.tiers.low * 100 >= n * 25, "{t:?}");
    let r = af::analyse(&AfConfig::default(), &d.households, &d.buildings, 2026).unwrap();
    assert!(r.q > 0 && r.q < r.n, "{} of {}", r.q, r.n);
}

#[test]
fn aggregates_add_up_and_check_alignment() {
    let d = crate::demo::generate(&crate::demo::DemoConfig {
        households: 700,
        ..Default::default()
    });
    let a = assess(&NeedsMatrix::default(), &d.households, &d.buildings, 2026).unwrap();
    let g = &a.aggregates;
    for rows in [
        g.by_building.iter().map(|r| r.stats).collect::<Vec<_>>(),
        g.by_grid.iter().map(|r| r.stats).collect(),
        g.by_group.iter().map(|r| r.stats).collect(),
    ] {
        assert_eq!(rows.iter().map(|s| s.count).sum::<u32>(), g.total.count);
        assert_eq!(rows.iter().map(|s| s.sum_score).sum::<u64>(), g.total.sum_score);
        assert_eq!(rows.iter().map(|s| s.tiers.high).sum::<u32>(), g.total.tiers.high);
    }
    assert_eq!(g.by_grid.len(), 5);
    let exact_mean = g.total.sum_score as f64 / f64::from(g.total.count);
    assert!((f64::from(g.total.mean_score) - exact_mean).abs() <= 0.5);

    let mut wrong = a.scores.clone();
    wrong.swap(0, 1);
    assert!(matches!(
        aggregate(&d.households, &wrong, &d.buildings),
        Err(NeedsError::ScoresMismatch { .. })
    ));
    assert!(matches!(
        aggregate(&d.households, &a.scores[1..], &d.buildings),
        Err(NeedsError::ScoresMismatch { .. })
    ));
}

/// A hand-worked AF example.
///
/// Indicators and weights: chronic illness 0.3, 低保/低边 0.3, poor housing 0.2, a
/// high-urgency need 0.2; k = 0.4. Buildings 1 and 2 are in grid 1, building 3 in grid 2.
///
/// | hh | bld | group | chronic | subs. | housing | urgent | c_i | poor |
/// |----|-----|-------|---------|-------|---------|--------|-----|------|
/// | 1  | 1   | a     | 1       | 1     | 0       | 0      | 0.6 | yes  |
/// | 2  | 1   | a     | 1       | 0     | 1       | 1      | 0.7 | yes  |
/// | 3  | 2   | b     | 0       | 1     | 0       | 0      | 0.3 | no   |
/// | 4  | 3   | b     | 0       | 0     | 1       | 1      | 0.4 | yes (= k) |
/// | 5  | 3   | a     | 0       | 0     | 0       | 0      | 0   | no   |
///
/// n = 5, q = 3, Σ c_i(k) = 0.6 + 0.7 + 0.4 = 1.7.
/// H = 3/5; A = 1.7/3 = 17/30; M0 = 1.7/5 = 17/50 = H·A (3/5 · 17/30 = 51/150 = 17/50).
/// Uncensored headcounts: 2/5 each. Censored: chronic 2/5 (1, 2), subsistence 1/5 (1 only:
/// 3 is not poor), housing 2/5 (2, 4), urgent 2/5 (2, 4).
/// M0 = 0.3·2/5 + 0.3·1/5 + 0.2·2/5 + 0.2·2/5 = 0.12 + 0.06 + 0.08 + 0.08 = 0.34 ✓.
/// Shares: 0.12/0.34 = 6/17, 3/17, 4/17, 4/17 (sum 1).
/// Building 1: n 2, q 2, S 1.3 → H 1, A 13/20, M0 13/20; contribution 2/5·13/20 = 13/50, share 13/17.
/// Building 2: n 1, q 0 → 0, 0, 0; population share 1/5.
/// Building 3: n 2, q 1, S 0.4 → H 1/2, A 2/5, M0 1/5; contribution 2/25, share 4/17.
/// Grid 1 (households 1–3): n 3, q 2, S 1.3 → H 2/3, A 13/20, M0 13/30, contribution 13/50.
/// Group a (1, 2, 5): as grid 1. Group b (3, 4): H 1/2, A 2/5, M0 1/5, contribution 2/25.
#[test]
fn af_hand_worked_example() {
    let config = AfConfig {
        k_bp: 4000,
        indicators: vec![
            AfIndicator {
                code: "chronic".into(),
                name_zh: "慢性病".into(),
                name_en: "Chronic illness".into(),
                indicator: Indicator::ChronicIllness,
                min_count: 1,
                weight_bp: 3000,
            },
            AfIndicator {
                code: "subsistence".into(),
                name_zh: "低保低边".into(),
                name_en: "Dibao/dibian".into(),
                indicator: Indicator::Subsistence {
                    at_least: Subsistence::Dibian,
                },
                min_count: 1,
                weight_bp: 3000,
            },
            AfIndicator {
                code: "housing".into(),
                name_zh: "住房差".into(),
                name_en: "Poor housing".into(),
                indicator: Indicator::HousingAtMost {
                    condition: HousingCondition::Poor,
                },
                min_count: 1,
                weight_bp: 2000,
            },
            AfIndicator {
                code: "urgent".into(),
                name_zh: "紧急需求".into(),
                name_en: "Urgent need".into(),
                indicator: Indicator::Needs {
                    min_urgency: Urgency::High,
                    category: None,
                },
                min_count: 1,
                weight_bp: 2000,
            },
        ],
    };
    let ill = || {
        let mut m = member(1970);
        m.chronic_illness = true;
        m
    };
    let mut h1 = household(1, 1, "a", vec![ill()]);
    h1.subsistence = Subsistence::Dibao;
    let mut h2 = household(2, 1, "a", vec![ill(), member(1972)]);
    h2.housing = HousingCondition::Poor;
    h2.needs = vec![need("health", Urgency::High)];
    let mut h3 = household(3, 2, "b", vec![member(1980)]);
    h3.subsistence = Subsistence::Dibian;
    let mut h4 = household(4, 3, "b", vec![member(1985)]);
    h4.housing = HousingCondition::Poor;
    h4.needs = vec![need("employment", Urgency::High), need("culture", Urgency::Low)];
    let h5 = household(5, 3, "a", vec![member(1999)]);
    let hs = [h1, h2, h3, h4, h5];
    let bs = [building(1, 1), building(2, 1), building(3, 2)];

    let evals = af::evaluate(&config, &hs, 2026).unwrap();
    let scores: Vec<(u32, bool)> = evals.iter().map(|e| (e.score_bp, e.poor)).collect();
    assert_eq!(
        scores,
        [
            (6000, true),
            (7000, true),
            (3000, false),
            (4000, true),
            (0, false)
        ]
    );
    assert_eq!(evals[1].deprived, 0b1101);

    let r = af::analyse(&config, &hs, &bs, 2026).unwrap();
    let f = Fraction::new;
    assert_eq!((r.n, r.q, r.censored_sum_bp), (5, 3, 17_000));
    assert_eq!(r.h, f(3, 5));
    assert_eq!(r.a, f(17, 30));
    assert_eq!(r.m0, f(17, 50));
    assert_eq!(r.h * r.a, r.m0);
    assert_eq!(af::decimal(&r.m0, 4), "0.3400");

    let ch: Vec<Fraction> = r.indicators.iter().map(|i| i.censored_headcount).collect();
    assert_eq!(ch, [f(2, 5), f(1, 5), f(2, 5), f(2, 5)]);
    let unc: Vec<u64> = r.indicators.iter().map(|i| i.deprived).collect();
    assert_eq!(unc, [2, 2, 2, 2]);
    let share: Vec<Fraction> = r.indicators.iter().map(|i| i.share).collect();
    assert_eq!(share, [f(6, 17), f(3, 17), f(4, 17), f(4, 17)]);
    assert_eq!(r.indicators[0].contribution, f(3, 25)); // 0.12

    let b: Vec<(u32, Fraction, Fraction, Fraction, Fraction, Fraction)> = r
        .by_building
        .iter()
        .map(|g| (g.key, g.h, g.a, g.m0, g.population_share, g.contribution))
        .collect();
    assert_eq!(
        b,
        [
            (1, f(1, 1), f(13, 20), f(13, 20), f(2, 5), f(13, 50)),
            (2, f(0, 1), f(0, 1), f(0, 1), f(1, 5), f(0, 1)),
            (3, f(1, 2), f(2, 5), f(1, 5), f(2, 5), f(2, 25)),
        ]
    );
    assert_eq!(r.by_building[0].share, f(13, 17));
    let g: Vec<(u32, Fraction, Fraction, Fraction)> = r
        .by_grid
        .iter()
        .map(|g| (g.key, g.h, g.m0, g.contribution))
        .collect();
    assert_eq!(
        g,
        [
            (1, f(2, 3), f(13, 30), f(13, 50)),
            (2, f(1, 2), f(1, 5), f(2, 25))
        ]
    );
    let gr: Vec<(String, Fraction, Fraction)> = r
        .by_group
        .iter()
        .map(|g| (g.key.clone(), g.a, g.contribution))
        .collect();
    assert_eq!(
        gr,
        [
            ("a".to_owned(), f(13, 20), f(13, 50)),
            ("b".to_owned(), f(2, 5), f(2, 25))
        ]
    );

    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["m0"]["exact"], "17/50");
    assert_eq!(json["m0"]["decimal"], "0.340000");
    assert_eq!(json["a"]["exact"], "17/30");
}

#[test]
fn af_of_nobody_is_zero() {
    let r = af::analyse(&AfConfig::default(), &[], &[], 2026).unwrap();
    assert_eq!((r.n, r.q), (0, 0));
    assert!(r.h.is_zero() && r.a.is_zero() && r.m0.is_zero());
}

// ---------------------------------------------------------------- property tests

fn arb_member() -> impl Strategy<Value = Member> {
    (
        1915u16..=2026,
        any::<bool>(),
        prop::option::of(1u8..=4),
        prop::bool::weighted(0.1),
        prop_oneof![
            Just(Employment::Employed),
            Just(Employment::Unemployed),
            Just(Employment::Retired),
            Just(Employment::Student),
            Just(Employment::NotApplicable)
        ],
    )
        .prop_map(|(birth_year, chronic, grade, dementia, employment)| {
            let mut m = member(birth_year);
            m.chronic_illness = chronic;
            m.disability_grade = grade;
            m.dementia = dementia;
            m.employment = employment;
            m
        })
}

fn arb_urgency() -> impl Strategy<Value = Urgency> {
    prop_oneof![Just(Urgency::Low), Just(Urgency::Medium), Just(Urgency::High)]
}

fn arb_need() -> impl Strategy<Value = Need> {
    (
        prop::sample::select(vec![
            "elderly_care",
            "disability",
            "health",
            "culture",
            "childcare",
        ]),
        arb_urgency(),
    )
        .prop_map(|(c, u)| need(c, u))
}

fn arb_household() -> impl Strategy<Value = Household> {
    (
        prop::collection::vec(arb_member(), 0..6),
        prop::collection::vec(arb_need(), 0..5),
        (1u32..=4, prop::sample::select(vec!["a", "b", "c"]), any::<bool>()),
        prop_oneof![
            Just(Subsistence::None),
            Just(Subsistence::Dibian),
            Just(Subsistence::Dibao)
        ],
        prop_oneof![
            Just(IncomeBand::Low),
            Just(IncomeBand::LowerMiddle),
            Just(IncomeBand::Middle),
            Just(IncomeBand::Upper)
        ],
        prop_oneof![
            Just(HousingCondition::Poor),
            Just(HousingCondition::Fair),
            Just(HousingCondition::Good)
        ],
        prop_oneof![
            Just(Willingness::None),
            Just(Willingness::Low),
            Just(Willingness::Medium),
            Just(Willingness::High)
        ],
        prop_oneof![
            Just(Tenure::Owner),
            Just(Tenure::Tenant),
            Just(Tenure::PublicRental)
        ],
    )
        .prop_map(
            |(
                members,
                needs,
                (building_id, group, alone),
                subsistence,
                income,
                housing,
                willingness,
                tenure,
            )| {
                let mut h = household(0, building_id, group, members);
                h.lives_alone = alone;
                h.needs = needs;
                h.subsistence = subsistence;
                h.income_band = income;
                h.housing = housing;
                h.willingness = willingness;
                h.tenure = tenure;
                h
            },
        )
}

fn arb_households(max: usize) -> impl Strategy<Value = Vec<Household>> {
    prop::collection::vec(arb_household(), 0..max).prop_map(|mut hs| {
        for (i, h) in hs.iter_mut().enumerate() {
            h.id = i as u32 + 1;
        }
        hs
    })
}

/// The default matrix with random points, caps and weights, and its rules dealt out to
/// random dimensions (still valid).
fn arb_matrix() -> impl Strategy<Value = NeedsMatrix> {
    (
        prop::collection::vec(0u32..=2000, 4),
        prop::collection::vec((0u16..=100, 1u8..=4), 24),
        (1u16..=600, 1u16..=400),
        prop::collection::vec(0usize..5, 24),
    )
        .prop_map(|(weights, rules, (a, b), deal)| {
            let mut m = NeedsMatrix::default();
            let rest: u32 = weights.iter().sum();
            for (d, w) in m
                .dimensions
                .iter_mut()
                .zip(weights.iter().chain([&(10_000 - rest)]))
            {
                d.weight_bp = *w;
            }
            let mut it = rules.into_iter().cycle();
            for d in &mut m.dimensions {
                for r in &mut d.rules {
                    let (p, c) = it.next().unwrap_or((10, 1));
                    r.points = p;
                    r.max_count = c;
                }
            }
            m.tiers = TierThresholds {
                medium_min: b,
                high_min: b + a,
            };
            let all: Vec<Rule> = m
                .dimensions
                .iter_mut()
                .flat_map(|d| std::mem::take(&mut d.rules))
                .collect();
            for (r, d) in all.into_iter().zip(deal.into_iter().cycle()) {
                m.dimensions[d].rules.push(r);
            }
            m
        })
}

/// One more deprivation for a household.
#[derive(Debug, Clone)]
enum Worse {
    Disabled(usize, u8),
    Chronic(usize),
    Dementia(usize),
    Unemployed(usize),
    Subsistence(Subsistence),
    Income(IncomeBand),
    Housing(HousingCondition),
    Willingness(Willingness),
    AddNeed(Need),
    UrgencyUp(usize),
}

fn arb_worse() -> impl Strategy<Value = Worse> {
    prop_oneof![
        (0usize..6, 1u8..=4).prop_map(|(i, g)| Worse::Disabled(i, g)),
        (0usize..6).prop_map(Worse::Chronic),
        (0usize..6).prop_map(Worse::Dementia),
        (0usize..6).prop_map(Worse::Unemployed),
        prop_oneof![Just(Subsistence::Dibian), Just(Subsistence::Dibao)].prop_map(Worse::Subsistence),
        prop_oneof![Just(IncomeBand::Low), Just(IncomeBand::LowerMiddle)].prop_map(Worse::Income),
        prop_oneof![Just(HousingCondition::Poor), Just(HousingCondition::Fair)].prop_map(Worse::Housing),
        prop_oneof![Just(Willingness::None), Just(Willingness::Low)].prop_map(Worse::Willingness),
        arb_need().prop_map(Worse::AddNeed),
        (0usize..5).prop_map(Worse::UrgencyUp),
    ]
}

/// Applies `w` if it makes `h` more deprived (never less).
fn worsen(h: &mut Household, w: &Worse) {
    let n = h.members.len();
    match w {
        Worse::Disabled(i, g) if *i < n => {
            let m = &mut h.members[*i];
            m.disability_grade = Some(m.disability_grade.map_or(*g, |old| old.min(*g)));
        }
        Worse::Chronic(i) if *i < n => h.members[*i].chronic_illness = true,
        Worse::Dementia(i) if *i < n => h.members[*i].dementia = true,
        Worse::Unemployed(i) if *i < n => h.members[*i].employment = Employment::Unemployed,
        Worse::Subsistence(s) if s.rank() > h.subsistence.rank() => h.subsistence = *s,
        Worse::Income(b) if b.rank() < h.income_band.rank() => h.income_band = *b,
        Worse::Housing(c) if c.rank() < h.housing.rank() => h.housing = *c,
        Worse::Willingness(l) if l.rank() < h.willingness.rank() => h.willingness = *l,
        Worse::AddNeed(need) => h.needs.push(need.clone()),
        Worse::UrgencyUp(i) if *i < h.needs.len() => {
            h.needs[*i].urgency = match h.needs[*i].urgency {
                Urgency::Low => Urgency::Medium,
                _ => Urgency::High,
            }
        }
        _ => {}
    }
}

fn big(r: &Fraction) -> BigRational {
    BigRational::new((*r.numer()).into(), (*r.denom()).into())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn score_is_within_range(h in arb_household(), m in arb_matrix()) {
        let s = Scorer::new(&m).unwrap();
        let sc = s.score(&h, 2026);
        prop_assert!(sc.score <= MAX_SCORE);
        prop_assert_eq!(sc.tier, m.tiers.tier(sc.score));
        let e = s.explain(&h, 2026);
        prop_assert_eq!(e.score, sc.score);
        prop_assert!(e.exact <= 1_000_000);
    }

    #[test]
    fn one_more_deprivation_never_lowers_the_score(
        h in arb_household(),
        m in arb_matrix(),
        worse in prop::collection::vec(arb_worse(), 1..4),
    ) {
        let s = Scorer::new(&m).unwrap();
        let d = Scorer::new(&NeedsMatrix::default()).unwrap();
        let a = af::AfScorer::new(&AfConfig::default()).unwrap();
        let mut h2 = h.clone();
        for w in &worse {
            worsen(&mut h2, w);
            prop_assert!(s.score(&h2, 2026).score >= s.score(&h, 2026).score);
            prop_assert!(d.score(&h2, 2026).score >= d.score(&h, 2026).score);
            let (before, after) = (a.household(&h, 2026), a.household(&h2, 2026));
            prop_assert!(after.score_bp >= before.score_bp);
            prop_assert_eq!(after.deprived & before.deprived, before.deprived);
        }
    }

    #[test]
    fn score_all_ignores_household_order(
        (hs, shuffled) in arb_households(40).prop_flat_map(|hs| {
            let s = Just(hs.clone()).prop_shuffle();
            (Just(hs), s)
        }),
        m in arb_matrix(),
    ) {
        let mut a = score_all(&m, &hs, 2026).unwrap();
        let mut b = score_all(&m, &shuffled, 2026).unwrap();
        for (s, h) in b.iter().zip(&shuffled) {
            prop_assert_eq!(s.household_id, h.id);
        }
        a.sort_by_key(|s| s.household_id);
        b.sort_by_key(|s| s.household_id);
        prop_assert_eq!(a, b);
        let bs: Vec<Building> = (1..=4).map(|i| building(i, i.div_ceil(2))).collect();
        let x = assess(&m, &hs, &bs, 2026).unwrap().aggregates;
        let y = assess(&m, &shuffled, &bs, 2026).unwrap().aggregates;
        prop_assert_eq!(x, y);
        let p = af::analyse(&m.af, &hs, &bs, 2026).unwrap();
        let q = af::analyse(&m.af, &shuffled, &bs, 2026).unwrap();
        prop_assert_eq!(p, q);
    }

    #[test]
    fn af_identities_hold(hs in arb_households(60), k_bp in 1u32..=10_000) {
        let config = AfConfig { k_bp, ..AfConfig::default() };
        let bs: Vec<Building> = (1..=4).map(|i| building(i, i.div_ceil(2))).collect();
        let r = af::analyse(&config, &hs, &bs, 2026).unwrap();
        // M0 = H × A, checked in big rationals too.
        prop_assert_eq!(r.h * r.a, r.m0);
        prop_assert_eq!(big(&r.h) * big(&r.a), big(&r.m0));
        prop_assert!(r.m0 <= r.h);
        prop_assert!(r.a <= Fraction::one());
        if r.q > 0 {
            prop_assert!(r.a >= Fraction::new(u64::from(k_bp), 10_000));
        }
        // M0 = Σ_j w_j h_j(k); shares add up to 1.
        let by_ind: Fraction = r.indicators.iter().map(|i| i.contribution).sum();
        prop_assert_eq!(by_ind, r.m0);
        for i in &r.indicators {
            prop_assert_eq!(i.contribution, Fraction::new(u64::from(i.weight_bp), 10_000) * i.censored_headcount);
            prop_assert!(i.censored <= i.deprived);
        }
        for subgroups in [
            r.by_building.iter().map(|g| (g.n, g.m0, g.population_share, g.contribution, g.share)).collect::<Vec<_>>(),
            r.by_grid.iter().map(|g| (g.n, g.m0, g.population_share, g.contribution, g.share)).collect(),
            r.by_group.iter().map(|g| (g.n, g.m0, g.population_share, g.contribution, g.share)).collect(),
        ] {
            let total: Fraction = subgroups.iter().map(|g| g.3).sum();
            prop_assert_eq!(total, r.m0);
            let pop: Fraction = subgroups.iter().map(|g| g.2).sum();
            prop_assert_eq!(pop, if r.n == 0 { Fraction::zero() } else { Fraction::one() });
            for g in &subgroups {
                prop_assert_eq!(g.2 * g.1, g.3);
            }
            if !r.m0.is_zero() {
                let shares: Fraction = subgroups.iter().map(|g| g.4).sum();
                prop_assert_eq!(shares, Fraction::one());
            }
        }
        if !r.m0.is_zero() {
            let shares: Fraction = r.indicators.iter().map(|i| i.share).sum();
            prop_assert_eq!(shares, Fraction::one());
        }
    }
}

#[test]
fn parallel_scoring_of_a_large_register_equals_scoring_one_by_one() {
    // 20,001 households: above the parallel threshold, not a multiple of the part size.
    let d = crate::demo::generate(&crate::demo::DemoConfig {
        households: 20_001,
        ..Default::default()
    });
    let scorer = Scorer::new(&NeedsMatrix::default()).unwrap();
    let all = scorer.score_all(&d.households, 2026);
    assert_eq!(all.len(), d.households.len());
    for (h, s) in d.households.iter().zip(&all) {
        assert_eq!(*s, scorer.score(h, 2026));
    }
}
