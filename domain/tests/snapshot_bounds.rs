//! Issue #15, hardening: amounts near `i64::MAX` and unbounded labels in a snapshot.
//!
//! Before: two plans of `i64::MAX` fen each gave a plans total that wrapped (in a release
//! build) to ¥754,999.98, and the snapshot decoded and verified; a 50 MB label was
//! published and verified. Now every number of a snapshot is within ±`money::MAX_FEN` and
//! every label within 200 characters (2,000 for free text), checked on build and decode,
//! and the message names the field.

use std::collections::BTreeMap;

use linli_domain::dataset::Dataset;
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::money::MAX_FEN;
use linli_domain::plans::{
    Budget, CivilDate, CouncilVote, Funder, Internal, PlanCase, PlanContent, PlanRules, SpendingInput, Stage,
    Stamp,
};
use linli_domain::snapshot::file::{decode, encode, DecodeError};
use linli_domain::snapshot::{bounds, build, publish, BuildOptions, Content, SnapshotError};

/// 2026-11-24 12:00 China time.
const NOW: i64 = 1_795_492_800_000;

fn demo() -> Dataset {
    generate(&DemoConfig {
        seed: 15,
        households: 300,
        year: 2026,
    })
}

/// Indices of two plans that are published (past their draft).
fn two_public_plans(d: &Dataset) -> (usize, usize) {
    let public: Vec<usize> = (0..d.plans.len())
        .filter(|&i| d.plans[i].stage() != Stage::Draft)
        .collect();
    assert!(public.len() >= 2, "the demo publishes at least two plans");
    (public[0], public[1])
}

fn day(s: &str) -> CivilDate {
    CivilDate::parse(s).unwrap()
}

/// A plan on notice with `title` and a government budget of `fen`; with
/// `spend`, approved and its whole budget spent.
fn public_plan(id: u32, title: &str, fen: i64, spend: bool) -> PlanCase {
    let by = Stamp::new("测试", 0);
    let content = PlanContent {
        title: title.into(),
        category: "sport".into(),
        period: "2026-Q3".into(),
        budget: Budget::new(fen, 0, 0, 0).unwrap(),
        description: "边界测试".into(),
    };
    let plan = PlanCase::new(id, &by, day("2026-09-01"), content, Internal::default())
        .unwrap()
        .start_notice(&by, day("2026-09-02"), &PlanRules::default())
        .unwrap();
    if !spend {
        return plan;
    }
    let vote = CouncilVote {
        votes_for: 9,
        votes_against: 0,
        abstain: 0,
        quorum_met: true,
    };
    plan.close_notice(&by, day("2026-09-09"))
        .and_then(|p| p.council(&by, day("2026-09-10"), vote, ""))
        .and_then(|p| p.assessment(&by, day("2026-09-10"), "设计院", "可行", true, ""))
        .and_then(|p| p.street_review(&by, day("2026-09-10"), "街审1号", true, ""))
        .and_then(|p| {
            p.spend(
                &by,
                SpendingInput {
                    on: day("2026-09-11"),
                    amount: fen,
                    funder: Funder::Government,
                    purpose: "全部".into(),
                    voucher: "1".into(),
                },
            )
        })
        .unwrap()
}

fn content() -> Content {
    build(&demo(), &BuildOptions::at(NOW)).unwrap()
}

fn decode_error(c: &Content) -> String {
    let (text, _) = encode(c);
    match decode(text.as_bytes()) {
        Err(e @ DecodeError::Content(_)) => e.to_string(),
        other => panic!("expected an invalid content, got {other:?}"),
    }
}

#[test]
fn build_refuses_plans_whose_total_would_wrap() {
    // Since plans are `PlanCase`s (issue #14) a budget or an amount above
    // MAX_FEN cannot be built at all; the total of several plans still can.
    assert!(Budget::new(MAX_FEN + 1, 0, 0, 0).is_err());
    assert!(Budget::new(MAX_FEN, 1, 0, 0).is_err());
    let mut d = demo();
    d.plans = vec![
        public_plan(1, "甲", MAX_FEN, false),
        public_plan(2, "乙", MAX_FEN, false),
    ];
    match build(&d, &BuildOptions::at(NOW)) {
        Err(SnapshotError::OutOfBounds { path, reason }) => {
            // The total is the first number met (headline before plans); it is not wrapped.
            assert_eq!(path, "headline.plans_budget_fen");
            assert!(reason.contains(&(2 * MAX_FEN).to_string()), "{reason}");
            assert!(reason.contains("MAX_FEN"), "{reason}");
        }
        other => panic!("expected OutOfBounds, got {other:?}"),
    }
    // Spending entries that add up past the bound are refused too, not wrapped.
    let mut d = demo();
    d.plans = vec![
        public_plan(1, "甲", MAX_FEN, true),
        public_plan(2, "乙", MAX_FEN, true),
    ];
    assert!(matches!(
        build(&d, &BuildOptions::at(NOW)),
        Err(SnapshotError::OutOfBounds { .. })
    ));
    // At the bound it builds.
    let mut d = demo();
    d.plans = vec![public_plan(1, "甲", MAX_FEN, true)];
    let c = build(&d, &BuildOptions::at(NOW)).unwrap();
    assert_eq!(c.headline.plans_budget_fen, MAX_FEN);
    assert_eq!(c.headline.plans_spent_fen, MAX_FEN);
}

#[test]
fn decode_refuses_two_i64_max_budgets_and_names_the_field() {
    let mut c = content();
    assert!(c.plans.len() >= 2);
    // The attack: two budgets of i64::MAX and the total as a release build wrapped it.
    let others: i64 = c.plans[2..].iter().map(|p| p.budget_fen).sum();
    c.plans[0].budget_fen = i64::MAX;
    c.plans[1].budget_fen = i64::MAX;
    c.headline.plans_budget_fen = i64::MAX.wrapping_add(i64::MAX).wrapping_add(others);
    let err = decode_error(&c);
    assert!(
        err.contains("plans[0].budget_fen: 9223372036854775807 is beyond"),
        "{err}"
    );

    // `linli verify`'s check of a folder says the same.
    let (text, _) = encode(&c);
    let files = BTreeMap::from([(publish::SNAPSHOT_PATH.to_owned(), text.into_bytes())]);
    let errors = publish::verify_folder(|p| files.get(p).cloned()).unwrap_err();
    let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(all.iter().any(|e| e.contains("plans[0].budget_fen")), "{all:?}");

    // Negative amounts past the bound too, and any number, not only money.
    let mut c = content();
    c.plans[0].spent_fen = -MAX_FEN - 1;
    assert!(decode_error(&c).contains("plans[0].spent_fen"));
    let mut c = content();
    c.headline.requests_total = u64::MAX;
    assert!(decode_error(&c).contains("headline.requests_total"));
    // At the bound it decodes.
    let mut c = content();
    c.plans[0].budget_fen = MAX_FEN;
    let (text, _) = encode(&c);
    assert!(decode(text.as_bytes()).is_ok());
}

#[test]
fn labels_and_titles_have_a_length_limit_on_build_and_decode() {
    // A 1 MB label (the attack used 50 MB) is refused on decode, naming the field.
    let mut c = content();
    c.plans[0].title = "长".repeat(1_000_000);
    let err = decode_error(&c);
    assert!(
        err.contains("plans[0].title: 1000000 characters, more than the limit of 200"),
        "{}",
        &err[..err.len().min(300)]
    );
    let mut c = content();
    c.community.name_en = "x".repeat(bounds::MAX_LABEL_CHARS + 1);
    assert!(decode_error(&c).contains("community.name_en: 201 characters"));
    // 200 characters are fine, in any script.
    let mut c = content();
    c.plans[0].title = "无障碍".repeat(66) + "改造";
    assert_eq!(c.plans[0].title.chars().count(), 200);
    let (text, _) = encode(&c);
    assert!(decode(text.as_bytes()).is_ok());

    // On build: a plan title cannot be typed too long (a plan refuses it), and
    // the longest one publishes.
    let by = Stamp::new("测试", 0);
    let long = public_plan(1, "t", 100, false).content().clone();
    let too_long = PlanContent {
        title: "t".repeat(bounds::MAX_LABEL_CHARS + 1),
        ..long.clone()
    };
    assert!(PlanCase::new(1, &by, day("2026-09-01"), too_long, Internal::default()).is_err());
    let mut d = demo();
    let (a, _) = two_public_plans(&d);
    let id = d.plans[a].id();
    d.plans[a] = public_plan(id, &"t".repeat(bounds::MAX_LABEL_CHARS), 100, false);
    let c = build(&d, &BuildOptions::at(NOW)).unwrap();
    assert!(c
        .plans
        .iter()
        .any(|p| p.title.chars().count() == bounds::MAX_LABEL_CHARS));
}

#[test]
fn every_demo_snapshot_is_within_the_bounds() {
    for (seed, households) in [(1, 50), (2026, 600), (7, 2_000)] {
        let d = generate(&DemoConfig {
            seed,
            households,
            year: 2026,
        });
        let c = build(&d, &BuildOptions::at(NOW)).unwrap();
        assert_eq!(bounds::first_violation(&c), None);
    }
}
