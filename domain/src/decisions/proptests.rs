//! Property tests: exact splits, one adopted run per period whatever the
//! order of attempts, and releases that never exceed the reserve.

use proptest::prelude::*;

use super::tests::{header, plan, reserve_of, runs};
use super::*;
use crate::alloc::FunderShare;
use crate::money::MAX_FEN;
use crate::plans::{Funder, PlanCase, PlanRules};

fn rule_of(weights: &[u16]) -> Vec<FunderShare> {
    // Scale arbitrary weights to basis points adding up to 10,000 (the rest to the last).
    let sum: u32 = weights.iter().map(|&w| u32::from(w) + 1).sum();
    let mut bps: Vec<u32> = weights
        .iter()
        .map(|&w| (u32::from(w) + 1) * 10_000 / sum)
        .collect();
    let given: u32 = bps.iter().sum();
    *bps.last_mut().unwrap() += 10_000 - given;
    Funder::ALL
        .iter()
        .zip(bps)
        .map(|(f, bp)| FunderShare {
            funder: f.code().to_owned(),
            bp,
        })
        .collect()
}

proptest! {
    #[test]
    fn a_split_is_exact_to_the_fen_and_within_a_fen_of_each_share(
        total in 0..=MAX_FEN,
        weights in proptest::collection::vec(any::<u16>(), 1..=4),
    ) {
        let rule = rule_of(&weights);
        let b = split_budget(total, &rule, "basic").unwrap();
        prop_assert_eq!(b.total(), total);
        for s in &rule {
            let f = Funder::from_code(&s.funder).unwrap();
            let exact = i128::from(total) * i128::from(s.bp);
            let got = i128::from(b.get(f)) * 10_000;
            prop_assert!((got - exact).abs() < 10_000, "{:?}: {} vs {}", s, got, exact);
        }
    }

    #[test]
    fn whatever_the_attempts_each_period_keeps_its_first_adopted_run(
        attempts in proptest::collection::vec((1u32..=4, 0u8..3), 1..12),
    ) {
        let periods = ["2026-Q3", "2026-Q2", "2027-Q1"];
        let mut existing: Vec<Decision> = Vec::new();
        for (run_id, p) in attempts {
            let period = periods[usize::from(p)];
            let id = existing.len() as u32 + 1;
            let before = adopted_run(&existing, period).cloned();
            match adopt_run(&existing, runs(), run_id, &header(id, period)) {
                Ok(d) => {
                    prop_assert!(before.is_none(), "a second adoption for {}", period);
                    let run = runs().iter().find(|r| r.id == run_id).unwrap();
                    prop_assert_eq!(&run.period, period);
                    existing.push(d);
                }
                Err(DecisionError::RunAlreadyAdopted { decision, .. }) => {
                    prop_assert_eq!(Some(decision), before.map(|b| b.id));
                }
                Err(DecisionError::UnknownRun(_) | DecisionError::RunOfOtherPeriod { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected refusal {}", e),
            }
            for p in periods {
                let n = existing.iter().filter(|d| d.period == p
                    && matches!(d.kind, DecisionKind::AllocationAdopted { .. })).count();
                prop_assert!(n <= 1);
            }
        }
    }

    #[test]
    fn releases_never_exceed_the_reserve_and_each_adds_exactly_its_amount(
        amounts in proptest::collection::vec(-5i64..2_000_000, 1..10),
    ) {
        let reserve = reserve_of(&runs()[0]);
        let mut existing = vec![adopt_run(&[], runs(), 1, &header(1, "2026-Q3")).unwrap()];
        let mut p: PlanCase = plan(5, "2026-Q3");
        let rules = PlanRules::default();
        for fen in amounts {
            // Sometimes ask for exactly what remains.
            let remaining = reserve_status(&existing, runs(), "2026-Q3").unwrap().remaining_fen;
            let fen = if fen % 7 == 0 { remaining } else { fen };
            let id = existing.len() as u32 + 1;
            let r = Release { plan_id: 5, amount_fen: fen, reason: "抢修".into(), approver: "居委会".into() };
            let before = p.content().budget.total();
            match release_reserve(&existing, runs(), std::slice::from_ref(&p), &r, &rules, &header(id, "2026-Q3")) {
                Ok((d, changed)) => {
                    prop_assert!(fen > 0 && fen <= remaining);
                    prop_assert_eq!(changed.content().budget.total(), before + fen);
                    existing.push(d);
                    p = changed;
                }
                Err(DecisionError::AmountNotPositive { .. }) => prop_assert!(fen <= 0),
                Err(DecisionError::ReserveExceeded { remaining: left, .. }) => {
                    prop_assert_eq!(left, remaining);
                    prop_assert!(fen > remaining);
                }
                Err(e) => prop_assert!(false, "unexpected refusal {}", e),
            }
            let s = reserve_status(&existing, runs(), "2026-Q3").unwrap();
            prop_assert!(s.released_fen <= reserve);
            prop_assert_eq!(s.released_fen + s.remaining_fen, reserve);
            prop_assert_eq!(p.content().budget.total(), 12_000 + s.released_fen);
        }
    }
}
