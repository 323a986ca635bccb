//! Unit and property tests of the pb module: parser errors, round trips, and the rules
//! against a naive, literal transcription of SEMANTICS.md §5–§9 on random instances.

use std::collections::BTreeSet;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use proptest::prelude::*;

use super::mes::{Engine, Sat};
use super::profile::Profile;
use super::*;

/// Voter `i` of `inst`.
fn voter(inst: &Instance, i: usize) -> VoterRef<'_> {
    inst.voters.get(i).unwrap()
}

/// Changes every voter of `inst` (voters are stored column by column, so they are
/// rebuilt).
fn edit_voters(inst: &mut Instance, mut f: impl FnMut(usize, &mut Voter)) {
    let mut voters: Vec<Voter> = inst.voters.iter().map(|v| v.to_voter()).collect();
    for (i, v) in voters.iter_mut().enumerate() {
        f(i, v);
    }
    inst.voters = voters.into_iter().collect();
}

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

fn ids(v: &[ProjectId]) -> Vec<&str> {
    v.iter().map(ProjectId::as_str).collect()
}

// ---------------------------------------------------------------------------------------
// Naive reference implementations (per voter, BigRational, no laziness, no grouping).
// ---------------------------------------------------------------------------------------

fn approvals(inst: &Instance) -> Vec<u64> {
    inst.approval_counts()
}

/// SEMANTICS.md §6, word for word. `key(p)` orders exact ties (smallest wins).
fn naive_mes<K: Ord>(
    inst: &Instance,
    card: bool,
    share: &BigRational,
    key: impl Fn(usize) -> K,
) -> Vec<usize> {
    let n = inst.voters.len();
    if n == 0 {
        return Vec::new();
    }
    let appr = approvals(inst);
    let mut budget = vec![share.clone(); n];
    let mut out: Vec<usize> = Vec::new();
    let mut zero: Vec<usize> = (0..inst.projects.len())
        .filter(|&p| card && appr[p] > 0 && inst.projects[p].cost.is_zero())
        .collect();
    zero.sort_by_key(|&p| inst.projects[p].id.clone());
    out.extend(&zero);
    let mut remaining: Vec<usize> = (0..inst.projects.len())
        .filter(|&p| appr[p] > 0 && !inst.projects[p].cost.is_zero())
        .collect();
    loop {
        let mut best: Option<(BigRational, usize)> = None;
        let mut keep = Vec::new();
        for &p in &remaining {
            let c = &inst.projects[p].cost;
            let sup: Vec<usize> = (0..n)
                .filter(|&i| voter(inst, i).ballot.contains(&(p as u32)))
                .collect();
            let total: BigRational = sup.iter().fold(BigRational::zero(), |a, &i| a + &budget[i]);
            if &total < c {
                continue; // removed for good
            }
            keep.push(p);
            let mut bs: Vec<BigRational> = sup.iter().map(|&i| budget[i].clone()).collect();
            bs.sort();
            let mut paid = BigRational::zero();
            let mut t = None;
            for (k, b) in bs.iter().enumerate() {
                let tk = (c - &paid) / BigRational::from_integer(BigInt::from(bs.len() - k));
                if &tk <= b {
                    t = Some(tk);
                    break;
                }
                paid += b;
            }
            let t = t.expect("affordable");
            let rho = if card { t } else { t / c };
            let better = match &best {
                None => true,
                Some((r, bp)) => rho < *r || (rho == *r && key(p) < key(*bp)),
            };
            if better {
                best = Some((rho, p));
            }
        }
        remaining = keep;
        let Some((rho, p)) = best else { break };
        let c = &inst.projects[p].cost;
        let t = if card { rho } else { rho * c };
        for (i, v) in inst.voters.iter().enumerate() {
            if v.ballot.contains(&(p as u32)) {
                let pay = if budget[i] < t {
                    budget[i].clone()
                } else {
                    t.clone()
                };
                budget[i] -= pay;
            }
        }
        out.push(p);
        remaining.retain(|&x| x != p);
    }
    out
}

fn cost_of(inst: &Instance, sel: &[usize]) -> BigRational {
    sel.iter()
        .fold(BigRational::zero(), |a, &p| a + &inst.projects[p].cost)
}

/// SEMANTICS.md §7.
fn naive_add1(inst: &Instance) -> Vec<usize> {
    let n = inst.voters.len();
    if n == 0 {
        return Vec::new();
    }
    let appr = approvals(inst);
    let cands: Vec<usize> = (0..inst.projects.len())
        .filter(|&p| appr[p] > 0 && !inst.projects[p].cost.is_zero())
        .collect();
    let mut share = &inst.budget / BigRational::from_integer(BigInt::from(n));
    let mut prev = Vec::new();
    loop {
        let w = naive_mes(inst, false, &share, |p| inst.projects[p].id.clone());
        let total = cost_of(inst, &w);
        if total > inst.budget {
            return prev;
        }
        if !cands
            .iter()
            .any(|&p| !w.contains(&p) && &total + &inst.projects[p].cost <= inst.budget)
        {
            return w;
        }
        prev = w;
        share += BigRational::one();
    }
}

/// SEMANTICS.md §5 (from an initial selection).
fn naive_greedy(inst: &Instance, card: bool, initial: Vec<usize>) -> Vec<usize> {
    let appr = approvals(inst);
    let mut order: Vec<usize> = (0..inst.projects.len())
        .filter(|p| !initial.contains(p))
        .collect();
    order.sort_by_key(|&p| inst.projects[p].id.clone());
    // density as (class, value): 0 zero, 1 finite, 2 infinite.
    let dens = |p: usize| -> (u8, BigRational) {
        let c = &inst.projects[p].cost;
        let a = BigRational::from_integer(BigInt::from(appr[p]));
        let total_sat = if card { a.clone() } else { &a * c };
        if total_sat.is_zero() {
            (0, BigRational::zero())
        } else if c.is_zero() {
            (2, BigRational::zero())
        } else {
            (1, total_sat / c)
        }
    };
    order.sort_by_key(|&p| std::cmp::Reverse(dens(p)));
    let mut sel = initial;
    let mut remaining = &inst.budget - cost_of(inst, &sel);
    for p in order {
        if inst.projects[p].cost <= remaining {
            remaining -= &inst.projects[p].cost;
            sel.push(p);
        }
    }
    sel
}

/// pabulib-checker's add1 loop (SEMANTICS.md §9) with exact costs.
fn naive_checker(inst: &Instance) -> Vec<usize> {
    let n = inst.voters.len();
    if n == 0 {
        return Vec::new();
    }
    let appr = approvals(inst);
    let key = |p: usize| {
        (
            inst.projects[p].cost.clone(),
            u64::MAX - appr[p],
            inst.projects[p].id.clone(),
        )
    };
    let cands = (0..inst.projects.len())
        .filter(|&p| appr[p] > 0 && !inst.projects[p].cost.is_zero())
        .count();
    let share = &inst.budget / BigRational::from_integer(BigInt::from(n));
    let mut kept = naive_mes(inst, false, &share, key);
    let mut k = 1;
    while kept.len() < cands {
        let s = share.floor() + BigRational::from_integer(BigInt::from(k));
        let w = naive_mes(inst, false, &s, key);
        if cost_of(inst, &w) > inst.budget {
            break;
        }
        kept = w;
        k += 1;
    }
    kept
}

fn naive(inst: &Instance, rule: Rule) -> Vec<usize> {
    let n = inst.voters.len().max(1);
    let share = &inst.budget / BigRational::from_integer(BigInt::from(n));
    let by_id = |p: usize| inst.projects[p].id.clone();
    match rule {
        Rule::GreedyCost => naive_greedy(inst, false, Vec::new()),
        Rule::GreedyCard => naive_greedy(inst, true, Vec::new()),
        Rule::MesCost => naive_mes(inst, false, &share, by_id),
        Rule::MesCard => naive_mes(inst, true, &share, by_id),
        Rule::MesCostAdd1 => naive_add1(inst),
        Rule::MesCostAdd1Greedy => {
            let a = naive_add1(inst);
            let total = cost_of(inst, &a);
            let exhaustive = (0..inst.projects.len())
                .all(|p| a.contains(&p) || &total + &inst.projects[p].cost > inst.budget);
            if exhaustive {
                a
            } else {
                naive_greedy(inst, false, a)
            }
        }
        Rule::EqualSharesAdd1 => naive_checker(inst),
        Rule::EqualSharesAdd1Utilitarian => {
            let mut sel = naive_checker(inst);
            let appr = approvals(inst);
            let mut order: Vec<usize> = (0..inst.projects.len()).filter(|p| !sel.contains(p)).collect();
            order.sort_by(|&x, &y| appr[y].cmp(&appr[x]));
            let mut total = cost_of(inst, &sel);
            for p in order {
                if &total + &inst.projects[p].cost <= inst.budget {
                    total += &inst.projects[p].cost;
                    sel.push(p);
                }
            }
            sel
        }
    }
}

// ---------------------------------------------------------------------------------------
// Random instances.
// ---------------------------------------------------------------------------------------

/// Ids chosen so that string order and numeric order differ.
const IDS: [&str; 9] = ["1", "2", "9", "10", "11", "A", "b", "L132", "S010KA"];

fn arb_instance() -> impl Strategy<Value = Instance> {
    let projects = proptest::collection::vec(
        (
            0i64..60,
            prop_oneof![4 => Just(1i64), 1 => Just(2i64), 1 => Just(10i64)],
        ),
        1..7,
    );
    let voters = proptest::collection::vec(proptest::collection::vec(0usize..9, 0..5), 0..12);
    let budget = (
        1i64..200,
        prop_oneof![3 => Just(1i64), 1 => Just(4i64), 1 => Just(100i64)],
    );
    (projects, voters, budget).prop_map(|(projects, voters, (bn, bd))| {
        let mut inst = Instance::new(q(bn, bd));
        let np = projects.len();
        for (i, (c, d)) in projects.into_iter().enumerate() {
            inst.add_project(IDS[i], q(c, d)).unwrap();
        }
        for (i, ballot) in voters.into_iter().enumerate() {
            let names: Vec<&str> = ballot.into_iter().filter(|&p| p < np).map(|p| IDS[p]).collect();
            inst.add_voter(&format!("v{i}"), &names).unwrap();
        }
        inst
    })
}

fn order_of(inst: &Instance, out: &Outcome) -> Vec<usize> {
    out.selection_order
        .iter()
        .map(|id| inst.project_index(id.as_str()).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Every rule equals the literal transcription of SEMANTICS.md, selection order included.
    #[test]
    fn rules_match_naive_reference(inst in arb_instance()) {
        let e = Election::new(&inst).unwrap();
        for rule in Rule::ALL {
            let out = e.run(rule).unwrap();
            prop_assert_eq!(order_of(&inst, &out), naive(&inst, rule), "{}", rule);
        }
    }

    /// Total cost never exceeds the budget, and is the exact sum of the selection.
    #[test]
    fn total_cost_within_budget(inst in arb_instance()) {
        let e = Election::new(&inst).unwrap();
        for rule in Rule::ALL {
            let out = e.run(rule).unwrap();
            prop_assert!(out.total_cost <= inst.budget, "{}", rule);
            let sel: Vec<usize> = order_of(&inst, &out);
            prop_assert_eq!(&out.total_cost, &cost_of(&inst, &sel));
            let set: BTreeSet<_> = out.selected.iter().collect();
            prop_assert_eq!(set.len(), out.selected.len());
            for p in &out.projects {
                prop_assert_eq!(p.funded, out.selected.contains(&p.id));
                prop_assert!(!p.notes.is_empty());
            }
        }
    }

    /// MES outcomes do not depend on the order of the voters.
    #[test]
    fn mes_invariant_under_voter_reordering(inst in arb_instance(), seed in any::<u64>()) {
        let mut shuffled = inst.clone();
        // Deterministic permutation from the seed (a simple LCG Fisher–Yates).
        let mut s = seed;
        let mut voters: Vec<Voter> = shuffled.voters.iter().map(|v| v.to_voter()).collect();
        for i in (1..voters.len()).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let j = usize::try_from(s >> 33).unwrap() % (i + 1);
            voters.swap(i, j);
        }
        shuffled.voters = voters.into_iter().collect();
        for rule in [Rule::MesCost, Rule::MesCard, Rule::MesCostAdd1, Rule::MesCostAdd1Greedy, Rule::EqualSharesAdd1] {
            let a = run(&inst, rule).unwrap();
            let b = run(&shuffled, rule).unwrap();
            prop_assert_eq!(&a.selection_order, &b.selection_order);
            prop_assert_eq!(&a.total_cost, &b.total_cost);
        }
    }

    /// Greedy takes each project that fits when its turn comes, in its order, so its
    /// selection is a maximal affordable set: nothing left out fits in what remains.
    #[test]
    fn greedy_selects_a_maximal_affordable_set(inst in arb_instance()) {
        for rule in [Rule::GreedyCost, Rule::GreedyCard] {
            let out = run(&inst, rule).unwrap();
            let left = &inst.budget - &out.total_cost;
            for p in &out.projects {
                if !p.funded {
                    prop_assert!(p.cost > left, "{} left {} out", rule, p.id);
                    let ok = matches!(p.notes[0], Note::DoesNotFit { .. } | Note::CostExceedsBudget);
                    prop_assert!(ok);
                }
            }
            // Selection order is density descending.
            let appr = inst.approval_counts();
            let order = order_of(&inst, &out);
            for w in order.windows(2) {
                let (a, b) = (w[0], w[1]);
                if rule == Rule::GreedyCost && !inst.projects[a].cost.is_zero() && !inst.projects[b].cost.is_zero() {
                    prop_assert!(appr[a] >= appr[b]);
                }
            }
        }
    }

    /// The fixed-point brackets never change a decision: same outcome as all-exact mode.
    #[test]
    fn brackets_agree_with_exact_mode(inst in arb_instance(), extra in 0i64..40) {
        let prof = Profile::new(&inst);
        let costs: Vec<BigRational> = inst.projects.iter().map(|p| p.cost.clone()).collect();
        let mut pref: Vec<u32> = vec![0; costs.len()];
        let mut by_id: Vec<usize> = (0..costs.len()).collect();
        by_id.sort_by_key(|&p| inst.projects[p].id.clone());
        for (r, &p) in by_id.iter().enumerate() { pref[p] = u32::try_from(r).unwrap(); }
        let n = inst.voters.len().max(1);
        let share = &inst.budget / BigRational::from_integer(BigInt::from(n)) + BigRational::from_integer(extra.into());
        for sat in [Sat::Cost, Sat::Card] {
            let e = Engine::new(&prof, sat, &costs, pref.clone());
            let a = e.run_mode(&share, true, true);
            let b = e.run_mode(&share, true, false);
            prop_assert_eq!(&a.order, &b.order);
            for p in 0..costs.len() {
                prop_assert_eq!(a.payments[p].as_ref().map(|x| x.max_payment.clone()), b.payments[p].as_ref().map(|x| x.max_payment.clone()));
                prop_assert_eq!(&a.leftover[p], &b.leftover[p]);
            }
        }
    }

    /// Export then re-parse gives an equal instance.
    #[test]
    fn pb_round_trip(inst in arb_instance(), names in proptest::collection::vec("[a-z;\" ,ąę]{0,8}", 9),
                     ages in proptest::collection::vec(0u32..99, 12)) {
        let mut inst = inst;
        inst.project_columns = vec!["project_id".into(), "cost".into(), "name".into(), "votes".into()];
        for (i, p) in inst.projects.iter_mut().enumerate() {
            p.extra = vec![names[i].trim().to_string(), String::new()];
        }
        inst.voter_columns = vec!["voter_id".into(), "age".into(), "vote".into()];
        edit_voters(&mut inst, |i, v| v.extra = vec![ages[i].to_string()]);
        inst.set_meta("description", "a; \"quoted\" text");
        let text = inst.to_pb_string().unwrap();
        let again = Instance::from_pb_str(&text).unwrap();
        prop_assert_eq!(&again, &inst);
        // And with CRLF line endings and a BOM.
        let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        prop_assert_eq!(Instance::from_pb_str(&crlf).unwrap(), inst);
    }

    /// The parser never panics, whatever the input.
    #[test]
    fn parser_never_panics(text in "(META|PROJECTS|VOTES|key;value|budget;[0-9.,e/-]{0,6}|[a-z0-9;\",. \r\n]{0,20}|\n){0,30}") {
        let _ = Instance::from_pb_str(&text);
    }
}

/// Mutating a valid file byte by byte never panics either.
#[test]
fn parser_survives_mutations() {
    let base = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;60;\"a;b\"\n2;50;x\nVOTES\nvoter_id;vote\nv1;1,2\nv2;\n";
    let bytes = base.as_bytes();
    for i in 0..bytes.len() {
        for replacement in [b';', b'"', b',', b'\n', b'\r', b'x', b'0', b' ', b'-', b'/'] {
            let mut m = bytes.to_vec();
            m[i] = replacement;
            if let Ok(s) = String::from_utf8(m) {
                let _ = Instance::from_pb_str(&s);
            }
        }
        let mut cut = bytes.to_vec();
        cut.truncate(i);
        let _ = Instance::from_pb_str(&String::from_utf8_lossy(&cut));
    }
}

// ---------------------------------------------------------------------------------------
// Parser errors.
// ---------------------------------------------------------------------------------------

const GOOD: &str = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;60\n2;50\nVOTES\nvoter_id;vote\nv1;1,2\nv2;\n";

fn err(text: &str) -> ParseError {
    Instance::from_pb_str(text).expect_err("should fail")
}

#[test]
fn parses_good_file_with_empty_ballot() {
    let inst = Instance::from_pb_str(GOOD).unwrap();
    assert_eq!(inst.voters.len(), 2);
    assert!(voter(&inst, 1).ballot.is_empty());
    assert_eq!(inst.budget, q(100, 1));
    assert_eq!(inst.meta[0], ("budget".to_string(), "100".to_string()));
    // The empty ballot counts: each voter gets 50, so project 1 (60) is too expensive for
    // its single supporter... but both 1 and 2 are approved by v1 only.
    let out = run(&inst, Rule::MesCost).unwrap();
    assert_eq!(ids(&out.selection_order), ["2"]);
}

#[test]
fn parse_errors_carry_line_and_reason() {
    type Case = (String, fn(&ParseError) -> bool, Option<usize>);
    let cases: Vec<Case> = vec![
        (
            GOOD.replace("v1;1,2", "v1;1,3"),
            |e| matches!(e, ParseError::UnknownProject { project, .. } if project == "3"),
            Some(11),
        ),
        (
            GOOD.replace("v1;1,2", "v1;1, 2"),
            |e| matches!(e, ParseError::UnknownProject { project, .. } if project == " 2"),
            Some(11),
        ),
        (
            GOOD.replace("2;50", "1;50"),
            |e| matches!(e, ParseError::DuplicateProjectId { first_line: 7, .. }),
            Some(8),
        ),
        (
            GOOD.replace("v2;", "v1;"),
            |e| matches!(e, ParseError::DuplicateVoterId { .. }),
            Some(12),
        ),
        (
            GOOD.replace("2;50", "2;-5"),
            |e| matches!(e, ParseError::InvalidCost { .. }),
            Some(8),
        ),
        (
            GOOD.replace("2;50", "2;abc"),
            |e| matches!(e, ParseError::InvalidCost { .. }),
            Some(8),
        ),
        (
            GOOD.replace("2;50", "2;"),
            |e| matches!(e, ParseError::InvalidCost { .. }),
            Some(8),
        ),
        (
            GOOD.replace("2;50", "2"),
            |e| matches!(e, ParseError::InvalidCost { .. }),
            Some(8),
        ),
        (
            GOOD.replace("budget;100", "budget;0"),
            |e| matches!(e, ParseError::InvalidBudget { .. }),
            Some(3),
        ),
        (
            GOOD.replace("budget;100", "budget;1,000,000"),
            |e| matches!(e, ParseError::InvalidBudget { .. }),
            Some(3),
        ),
        (
            GOOD.replace("budget;100\n", ""),
            |e| matches!(e, ParseError::MissingBudget),
            None,
        ),
        (
            GOOD.replace("VOTES\nvoter_id;vote\nv1;1,2\nv2;\n", ""),
            |e| matches!(e, ParseError::MissingSection { section: "VOTES" }),
            None,
        ),
        (
            GOOD.replace("META\nkey;value\nbudget;100\nvote_type;approval\n", ""),
            |e| matches!(e, ParseError::MissingSection { section: "META" }),
            None,
        ),
        (
            GOOD.replace("2;50", "2;\"50"),
            |e| matches!(e, ParseError::BadQuoting { .. }),
            Some(8),
        ),
        (
            GOOD.replace("2;50", "2;\"50\"x"),
            |e| matches!(e, ParseError::BadQuoting { .. }),
            Some(8),
        ),
        (
            GOOD.replace("2;50", "2;50;extra"),
            |e| {
                matches!(
                    e,
                    ParseError::TooManyCells {
                        found: 3,
                        expected: 2,
                        ..
                    }
                )
            },
            Some(8),
        ),
        (
            GOOD.replace("project_id;cost", "project_id;price"),
            |e| matches!(e, ParseError::MissingColumn { column: "cost", .. }),
            Some(6),
        ),
        (
            GOOD.replace("voter_id;vote", "voter_id;votes_"),
            |e| matches!(e, ParseError::MissingColumn { column: "vote", .. }),
            Some(10),
        ),
        (
            GOOD.replace("voter_id;vote", "voter_id;vote;vote"),
            |e| matches!(e, ParseError::DuplicateColumn { .. }),
            Some(10),
        ),
        (
            GOOD.replace("vote_type;approval", "vote_type;ordinal"),
            |e| matches!(e, ParseError::UnsupportedVoteType { .. }),
            Some(4),
        ),
        (
            GOOD.replace("vote_type;approval", "budget;5"),
            |e| matches!(e, ParseError::DuplicateMetaKey { .. }),
            Some(4),
        ),
        (
            GOOD.replace("vote_type;approval", "lonely"),
            |e| matches!(e, ParseError::BadMetaRow { .. }),
            Some(4),
        ),
        (
            format!("x;y\n{GOOD}"),
            |e| matches!(e, ParseError::RowOutsideSection { .. }),
            Some(1),
        ),
        (
            format!("{GOOD}PROJECTS\n"),
            |e| matches!(e, ParseError::DuplicateSection { .. }),
            Some(13),
        ),
        (
            GOOD.replace("2;50", " ;50"),
            |e| matches!(e, ParseError::EmptyProjectId { .. }),
            Some(8),
        ),
        (
            GOOD.replace("v2;", ";"),
            |e| matches!(e, ParseError::EmptyVoterId { .. }),
            Some(12),
        ),
        (
            GOOD.replace("v2;", "v2"),
            |e| matches!(e, ParseError::MissingVote { .. }),
            Some(12),
        ),
        (
            GOOD.replace("v2;", "v2;None"),
            |e| matches!(e, ParseError::MissingVote { .. }),
            Some(12),
        ),
        (
            "META\n".to_string(),
            |e| matches!(e, ParseError::MissingHeader { .. }),
            Some(1),
        ),
    ];
    for (text, check, line) in cases {
        let e = err(&text);
        assert!(check(&e), "unexpected error {e:?} for\n{text}");
        assert_eq!(e.line(), line, "{e}");
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn parser_follows_pabutools_details() {
    // BOM, CRLF, sections in any case, trimmed cells, decimal comma, `75000.0`, duplicated
    // approvals counted once, `;` and `""` inside quotes, empty lines, sections reordered.
    let text = "\u{feff}meta\r\nkey;value\r\n budget ; 757327,73 \r\n\r\nVOTES\r\nvoter_id;vote;age\r\n7;2,1,2;30\r\n8;;\r\n\
                Projects\r\nproject_id;cost;name;votes\r\n1;75000.0;\"a; \"\"b\"\"\";None\r\n2;1/3;x;5\r\n";
    let inst = Instance::from_pb_str(text).unwrap();
    assert_eq!(inst.budget, q(75_732_773, 100));
    assert_eq!(inst.projects[0].cost, q(75000, 1));
    assert_eq!(inst.projects[1].cost, q(1, 3));
    assert_eq!(inst.projects[0].extra, ["a; \"b\"", "None"]);
    assert_eq!(voter(&inst, 0).ballot, [1, 0]);
    assert_eq!(voter(&inst, 0).extra().collect::<Vec<_>>(), ["30"]);
    assert_eq!(voter(&inst, 1).extra().collect::<Vec<_>>(), [""]);
    assert_eq!(inst.approval_counts(), [1, 1]);
    let again = Instance::from_pb_str(&inst.to_pb_string().unwrap()).unwrap();
    assert_eq!(again, inst);
    assert!(inst.to_pb_string().unwrap().contains("budget;757327,73\n"));
}

#[test]
fn export_rejects_what_cannot_round_trip() {
    let mut inst = Instance::new(q(10, 1));
    assert!(inst.add_project("a,b", q(1, 1)).is_err());
    assert!(inst.add_project("votes", q(1, 1)).is_err());
    assert!(inst.add_project(" a", q(1, 1)).is_err());
    assert!(inst.add_project("a", q(-1, 1)).is_err());
    inst.add_project("a", q(1, 1)).unwrap();
    assert!(inst.add_project("a", q(2, 1)).is_err());
    assert!(inst.add_voter("v", &["zz"]).is_err());
    inst.add_voter("v", &["a", "a"]).unwrap();
    assert_eq!(voter(&inst, 0).ballot, [0]);
    edit_voters(&mut inst, |_, v| v.ballot.push(5));
    assert!(matches!(
        inst.to_pb_string(),
        Err(InstanceError::BadBallot { .. })
    ));
    assert!(matches!(
        run(&inst, Rule::MesCost),
        Err(RunError::InvalidInstance(_))
    ));
    edit_voters(&mut inst, |_, v| {
        v.ballot.pop();
    });
    inst.budget = q(0, 1);
    assert!(matches!(
        inst.to_pb_string(),
        Err(InstanceError::NonPositiveBudget)
    ));
}

// ---------------------------------------------------------------------------------------
// Rules on hand-made instances.
// ---------------------------------------------------------------------------------------

fn tiny() -> Instance {
    // B = 100, 4 voters (share 25). a: 60 by v1,v2; b: 50 by v1,v4; c: 40 by v3; one empty.
    Instance::from_pb_str(
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\na;60\nb;50\nc;40\n\
         VOTES\nvoter_id;vote\nv1;a,b\nv2;a\nv3;c\nv4;b\nv5;\n",
    )
    .unwrap()
}

#[test]
fn mes_explains_payments_and_refusals() {
    let inst = tiny();
    let out = run(&inst, Rule::MesCost).unwrap();
    // Share 100/5 = 20. b: v1,v4 have 40 = 50? no. a: 40 < 60. c: 20 < 40. Nothing.
    assert!(out.selected.is_empty());
    match &out.projects[0].notes[0] {
        Note::NotAffordableBySupporters { supporters_money } => assert_eq!(*supporters_money, q(40, 1)),
        n => panic!("{n:?}"),
    }
    let out = run(&inst, Rule::MesCostAdd1Greedy).unwrap();
    let add1 = out.add1.clone().unwrap();
    // Shares 20, 21, …: at 25, b (50 = 2×25) is bought; at 30, a (60 = 2×30) too: v1 then
    // has 30 − 25 = 5 left for a … see the assertions rather than this comment.
    assert_eq!(add1.initial_voter_budget, q(20, 1));
    assert_eq!(
        out.selected,
        naive(&inst, Rule::MesCostAdd1Greedy)
            .iter()
            .map(|&p| inst.projects[p].id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    for p in &out.projects {
        if let Some(Note::FundedByMes {
            max_payment,
            average_payment,
            paid_by_supporters,
            supporters,
            ..
        }) = p.notes.first()
        {
            assert_eq!(paid_by_supporters, &p.cost);
            assert_eq!(
                *average_payment,
                &p.cost / BigRational::from_integer(BigInt::from(*supporters))
            );
            assert!(max_payment >= average_payment);
        }
    }
}

#[test]
fn mes_payment_cap_is_exact() {
    // 3 voters, share 10 each (B = 30). p costs 12, approved by all: t = 4.
    // Then r costs 14, approved by v1, v2 (6 left each): 12 < 14, unaffordable.
    let inst = Instance::from_pb_str(
        "META\nkey;value\nbudget;30\nPROJECTS\nproject_id;cost\np;12\nr;14\ns;9\n\
         VOTES\nvoter_id;vote\nv1;p,r\nv2;p,r\nv3;p,s\n",
    )
    .unwrap();
    let out = run(&inst, Rule::MesCost).unwrap();
    assert_eq!(ids(&out.selection_order), ["p"]);
    match &out.projects[0].notes[0] {
        Note::FundedByMes {
            max_payment,
            round,
            supporters,
            paid_all_they_had,
            ..
        } => {
            assert_eq!(*max_payment, q(4, 1));
            assert_eq!((*round, *supporters, *paid_all_they_had), (0, 3, 0));
        }
        n => panic!("{n:?}"),
    }
    match &out.projects[1].notes[0] {
        Note::NotAffordableBySupporters { supporters_money } => assert_eq!(*supporters_money, q(12, 1)),
        n => panic!("{n:?}"),
    }
    match &out.projects[2].notes[0] {
        Note::NotAffordableBySupporters { supporters_money } => assert_eq!(*supporters_money, q(6, 1)),
        n => panic!("{n:?}"),
    }
    // Poor voters pay what they have: share 7 (B = 21) after p (t = 4): v1,v2 have 3, v3 3.
    // A cap with a poor supporter: q costs 7, approved by v1 (3) and a new voter v4 (7):
    // v1 pays 3, v4 pays 4 → t = 4.
    let inst = Instance::from_pb_str(
        "META\nkey;value\nbudget;28\nPROJECTS\nproject_id;cost\np;12\nq;7\n\
         VOTES\nvoter_id;vote\nv1;p,q\nv2;p\nv3;p\nv4;q\n",
    )
    .unwrap();
    let out = run(&inst, Rule::MesCost).unwrap();
    assert_eq!(ids(&out.selection_order), ["p", "q"]);
    match &out.projects[1].notes[0] {
        Note::FundedByMes {
            max_payment,
            paid_all_they_had,
            ..
        } => {
            assert_eq!(*max_payment, q(4, 1));
            assert_eq!(*paid_all_they_had, 1);
        }
        n => panic!("{n:?}"),
    }
}

#[test]
fn ties_go_to_the_smallest_id_string() {
    // "10" < "9" as strings: with equal costs and supports, "10" wins.
    let inst = Instance::from_pb_str(
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n9;10\n10;10\n\
         VOTES\nvoter_id;vote\n1;9,10\n2;9,10\n",
    )
    .unwrap();
    for rule in [
        Rule::GreedyCost,
        Rule::GreedyCard,
        Rule::MesCost,
        Rule::MesCard,
        Rule::MesCostAdd1Greedy,
    ] {
        assert_eq!(ids(&run(&inst, rule).unwrap().selected), ["10"], "{rule}");
    }
}

#[test]
fn zero_approval_and_zero_cost_projects() {
    let inst = Instance::from_pb_str(
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;5\nfree;0\nnobody;3\n\
         VOTES\nvoter_id;vote\n1;a,free\n2;a\n",
    )
    .unwrap();
    // Greedy takes zero-approval projects at the end if they fit (SEMANTICS.md §5).
    assert_eq!(
        ids(&run(&inst, Rule::GreedyCost).unwrap().selection_order),
        ["a", "free", "nobody"]
    );
    // Greedy card: a free approved project has infinite density.
    assert_eq!(
        ids(&run(&inst, Rule::GreedyCard).unwrap().selection_order),
        ["free", "a", "nobody"]
    );
    // MES cost never selects a free project; MES card selects it first.
    let mc = run(&inst, Rule::MesCost).unwrap();
    assert_eq!(ids(&mc.selection_order), ["a"]);
    assert_eq!(mc.projects[1].notes, [Note::FreeWithoutCostSatisfaction]);
    assert_eq!(mc.projects[2].notes, [Note::NoApprovals]);
    assert_eq!(
        ids(&run(&inst, Rule::MesCard).unwrap().selection_order),
        ["free", "a"]
    );
    // Completion adds them.
    let full = run(&inst, Rule::MesCostAdd1Greedy).unwrap();
    assert_eq!(ids(&full.selection_order), ["a", "free", "nobody"]);
    assert_eq!(
        full.projects[2].notes[1],
        Note::FundedByGreedy {
            remaining_before: q(5, 1)
        }
    );
}

#[test]
fn no_voters() {
    let inst = Instance::from_pb_str(
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;5\nb;7\nVOTES\nvoter_id;vote\n",
    )
    .unwrap();
    for rule in Rule::ALL {
        let out = run(&inst, rule).unwrap();
        assert!(out.total_cost <= inst.budget);
        if matches!(
            rule,
            Rule::MesCost | Rule::MesCard | Rule::MesCostAdd1 | Rule::EqualSharesAdd1
        ) {
            assert!(out.selected.is_empty(), "{rule}");
        }
    }
    assert_eq!(
        run(&inst, Rule::MesCostAdd1).unwrap().add1.unwrap().stop,
        Add1Stop::NoVoters
    );
}

#[test]
fn iteration_limit() {
    let inst = tiny();
    let r = run_with_limits(
        &inst,
        Rule::MesCostAdd1,
        Limits {
            max_add1_iterations: Some(2),
        },
    );
    assert!(matches!(r, Err(RunError::IterationLimit { limit: 2 })));
    assert!(run_with_limits(
        &inst,
        Rule::MesCostAdd1,
        Limits {
            max_add1_iterations: Some(10_000)
        }
    )
    .is_ok());
}

#[test]
fn rule_names_round_trip() {
    for rule in Rule::ALL {
        assert_eq!(Rule::from_name(rule.name()), Some(rule));
        assert_eq!(rule.name().parse::<Rule>().unwrap(), rule);
    }
    assert_eq!(Rule::from_name("equalshares/add1"), Some(Rule::EqualSharesAdd1));
    assert!("nope".parse::<Rule>().is_err());
}

#[test]
fn outcome_serializes_with_exact_strings() {
    let out = run(&tiny(), Rule::MesCostAdd1Greedy).unwrap();
    let json = serde_json::to_string(&out).unwrap();
    assert!(json.contains("\"rule\":\"mes_cost_add1_greedy\""));
    let back: Outcome = serde_json::from_str(&json).unwrap();
    assert_eq!(back, out);
    let inst = tiny();
    let back: Instance = serde_json::from_str(&serde_json::to_string(&inst).unwrap()).unwrap();
    assert_eq!(back, inst);
}

/// Found by `cargo fuzz run pb_parse`: a project id with a comma parsed but could not be
/// written back (ballots separate ids by commas). Now the row is refused with its line.
#[test]
fn a_project_id_with_a_comma_is_refused_with_its_line() {
    let text = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n\"a,b\";5\nVOTES\nvoter_id;vote\n1;\n";
    let err = Instance::from_pb_str(text).unwrap_err();
    assert_eq!(err.line(), Some(6), "{err}");
    assert!(
        matches!(err, ParseError::InvalidId { kind: "project", .. }),
        "{err:?}"
    );
    // A voter id that is a section name cannot be written back either.
    let text =
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\np;5\nVOTES\nvoter_id;vote\n\"VOTES\";p\n";
    assert!(Instance::from_pb_str(text).is_err());
}

/// Runs every Add1 rule with the loops looking for jumps: `wait` 0 after every repeated
/// outcome, `u64::MAX` never (the plain stepping loop of SEMANTICS.md §7 and §9), anything
/// else as usual.
fn add1_outcomes(inst: &Instance, wait: u64) -> Vec<Result<Outcome, RunError>> {
    super::rules::tests_hook::WAIT.with(|w| w.set(Some(wait)));
    let out = [
        Rule::MesCostAdd1,
        Rule::MesCostAdd1Greedy,
        Rule::EqualSharesAdd1,
        Rule::EqualSharesAdd1Utilitarian,
    ]
    .into_iter()
    .map(|rule| run(inst, rule))
    .collect();
    super::rules::tests_hook::WAIT.with(|w| w.set(None));
    out
}

/// Instances whose Add1 loops take long stretches of one outcome: large costs next to
/// small ones, budgets up to 10^6, a few voters.
fn arb_stretched_instance() -> impl Strategy<Value = Instance> {
    const IDS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
    let projects = proptest::collection::vec(
        prop_oneof![2 => 1i64..40, 1 => 1i64..1_000_000, 1 => Just(999_999i64)],
        1..6,
    );
    let voters = proptest::collection::vec(proptest::collection::vec(0usize..6, 0..4), 1..7);
    let budget = prop_oneof![1i64..100, 1i64..2_000_000];
    (projects, voters, budget).prop_map(|(projects, voters, b)| {
        let mut inst = Instance::new(q(b, 1));
        let np = projects.len();
        for (i, c) in projects.into_iter().enumerate() {
            inst.add_project(IDS[i], q(c, 1)).unwrap();
        }
        for (i, ballot) in voters.into_iter().enumerate() {
            let names: Vec<&str> = ballot.into_iter().filter(|&p| p < np).map(|p| IDS[p]).collect();
            inst.add_voter(&format!("v{i}"), &names).unwrap();
        }
        inst
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Jumping changes nothing: the same outcome, notes, final share and step count as the
    /// stepping loop, whether the loop looks for a jump after every run or after repeats.
    #[test]
    fn add1_jumps_give_the_stepping_outcome(inst in arb_instance()) {
        let stepping = add1_outcomes(&inst, u64::MAX);
        prop_assert_eq!(&add1_outcomes(&inst, 0), &stepping);
        prop_assert_eq!(&add1_outcomes(&inst, 2), &stepping);
    }

    /// Every step the analysis declares safe gives the same MES outcome.
    #[test]
    fn safe_steps_keep_the_outcome(inst in arb_instance(), offset in 0i64..30, frac in 0i64..7) {
        let prof = Profile::new(&inst);
        prop_assume!(prof.n > 0);
        let costs: Vec<BigRational> = inst.projects.iter().map(|p| p.cost.clone()).collect();
        let pref: Vec<u32> = (0..inst.projects.len() as u32).collect();
        let engine = Engine::new(&prof, Sat::Cost, &costs, pref);
        let share = &inst.budget / BigRational::from_integer(BigInt::from(prof.n)) + q(offset * 7 + frac, 7);
        let order = engine.run(&share, false).order;
        let k: i64 = match super::jump::safe_steps(&engine, &share, &order, u64::MAX).0 {
            super::jump::Jump::Steps(k) => k.min(BigInt::from(60)).try_into().unwrap(),
            super::jump::Jump::Forever => 60,
            super::jump::Jump::Unknown => panic!("the analysis applies to Cost_Sat"),
        };
        for step in 1..=k {
            let s = &share + q(step, 1);
            prop_assert_eq!(&engine.run(&s, false).order, &order, "step {} of {}", step, k);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// The same on instances with long stretches, which the stepping loop can still finish
    /// (at most 2·10^6 steps of a handful of voters).
    #[test]
    fn add1_jumps_give_the_stepping_outcome_on_long_stretches(inst in arb_stretched_instance()) {
        let jumping = add1_outcomes(&inst, 0);
        let usual = add1_outcomes(&inst, 1);
        prop_assert_eq!(&usual, &jumping);
        // The stepping loop only where it is quick.
        let steps = jumping.iter().filter_map(|o| o.as_ref().ok()?.add1.as_ref().map(|a| a.iterations)).max();
        if steps.is_some_and(|s| s < 20_000) {
            prop_assert_eq!(&add1_outcomes(&inst, u64::MAX), &jumping);
        }
    }
}

/// Issue #15: budget 10^12, two voters, projects costing 999,999,999,999 and 1. The
/// stepping loop needs about 5·10^11 MES runs; the jumping one a handful, with the
/// outcome and step count the stepping loop would give.
#[test]
fn add1_jumps_over_half_a_trillion_steps() {
    let text = "META\nkey;value\nbudget;1000000000000\nPROJECTS\nproject_id;cost\n\
                a;999999999999\nb;1\nVOTES\nvoter_id;vote\n1;a\n2;b\n";
    let inst = Instance::from_pb_str(text).unwrap();
    for rule in [Rule::MesCostAdd1, Rule::MesCostAdd1Greedy] {
        let out = run_with_limits(
            &inst,
            rule,
            Limits {
                max_add1_iterations: Some(20),
            },
        )
        .unwrap();
        assert_eq!(ids(&out.selection_order), ["a", "b"], "{rule}");
        let add1 = out.add1.unwrap();
        assert_eq!(add1.stop, Add1Stop::Exhaustive);
        assert_eq!(add1.initial_voter_budget, q(500_000_000_000, 1));
        // a becomes affordable for its one voter at 999,999,999,999, and then ties with b
        // (ρ = 1 each) and goes first by id.
        assert_eq!(add1.final_voter_budget, q(999_999_999_999, 1));
        assert_eq!(add1.iterations, 500_000_000_000);
    }
    for rule in [Rule::EqualSharesAdd1, Rule::EqualSharesAdd1Utilitarian] {
        let out = run_with_limits(
            &inst,
            rule,
            Limits {
                max_add1_iterations: Some(20),
            },
        )
        .unwrap();
        // The checker's ties go to the cheaper project.
        assert_eq!(ids(&out.selection_order), ["b", "a"], "{rule}");
        let add1 = out.add1.unwrap();
        assert_eq!(add1.stop, Add1Stop::AllCandidatesSelected);
        assert_eq!(add1.final_voter_budget, q(999_999_999_999, 1));
        assert_eq!(add1.iterations, 500_000_000_000);
    }
}

/// Issue #15: the error for a 200,000-digit cost repeated the whole value. Every parse
/// error now quotes at most `QUOTE_CHARS` characters of a value.
#[test]
fn parse_errors_quote_only_a_short_prefix() {
    let long = "7".repeat(200_000);
    let cases = [
        // A cost that is not a number.
        format!("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\na;{long}x\nVOTES\nvoter_id;vote\n"),
        // A budget that is not a number.
        format!("META\nkey;value\nbudget;{long}x\nPROJECTS\nproject_id;cost\na;1\nVOTES\nvoter_id;vote\n"),
        // A long project id, twice.
        format!("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n{long};1\n{long};1\nVOTES\nvoter_id;vote\n"),
        // A long voter id, twice.
        format!("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\na;1\nVOTES\nvoter_id;vote\n{long};a\n{long};a\n"),
        // A ballot naming a long unknown project.
        format!("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\na;1\nVOTES\nvoter_id;vote\n1;{long}\n"),
        // A long META key twice, a long vote type, a long column twice.
        format!("META\nkey;value\n{long};1\n{long};2\n"),
        format!("META\nkey;value\nbudget;100\nvote_type;{long}\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n"),
        format!("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost;{long};{long}\n"),
        // An id the format cannot carry.
        format!("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n\"a,{long}\";1\nVOTES\nvoter_id;vote\n"),
    ];
    for text in &cases {
        let err = Instance::from_pb_str(text).unwrap_err().to_string();
        assert!(err.len() < 300, "{} bytes: {}", err.len(), &err[..300]);
        assert!(err.contains(&"7".repeat(QUOTE_CHARS - 2)), "{err}");
        assert!(!err.contains(&"7".repeat(QUOTE_CHARS + 1)), "{err}");
    }
    // Short values are quoted whole, as before.
    let err = Instance::from_pb_str(
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\na;x1\nVOTES\nvoter_id;vote\n",
    )
    .unwrap_err();
    assert_eq!(
        err,
        ParseError::InvalidCost {
            line: 6,
            id: "a".into(),
            value: "x1".into()
        }
    );
}

/// Issue #15: 60-digit costs made MES run for minutes. Costs and budgets beyond the
/// arithmetic's range are refused when the file is read, naming the line and the value.
#[test]
fn amounts_beyond_the_arithmetic_are_refused_when_read() {
    let file = |budget: &str, costs: &[&str]| {
        let mut t = format!("META\nkey;value\nbudget;{budget}\nPROJECTS\nproject_id;cost\n");
        for (i, c) in costs.iter().enumerate() {
            t.push_str(&format!("p{i};{c}\n"));
        }
        t.push_str("VOTES\nvoter_id;vote\n1;p0\n");
        t
    };
    let sixty = "9".repeat(60);
    let err = Instance::from_pb_str(&file("100", &["5", &sixty])).unwrap_err();
    assert!(
        matches!(err, ParseError::AmountOutOfRange { line: 7, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("cost of project \"p1\""), "{err}");
    // Just within: 10^15 and six decimals; just beyond: 10^15 + 1, seven decimals.
    assert!(Instance::from_pb_str(&file("1000000000000000", &["1000000000000000", "0.000001"])).is_ok());
    for bad in ["1000000000000001", "0.0000001", "1e16", "1/1000001"] {
        let err = Instance::from_pb_str(&file("100", &[bad])).unwrap_err();
        assert_eq!(err.line(), Some(6), "{bad}: {err}");
        assert!(
            matches!(err, ParseError::AmountOutOfRange { .. }),
            "{bad}: {err:?}"
        );
    }
    let err = Instance::from_pb_str(&file(&sixty, &["1"])).unwrap_err();
    assert!(
        matches!(&err, ParseError::AmountOutOfRange { line: 3, what, .. } if what == "budget"),
        "{err:?}"
    );
    // Fractions are fine while their common denominator stays within 10^6 ...
    assert!(Instance::from_pb_str(&file("100", &["1/3", "1/7", "1/11", "1/13"])).is_ok());
    // ... and refused on the line where it passes it.
    let err = Instance::from_pb_str(&file("100", &["1/997", "1/991", "1/983", "1/977"])).unwrap_err();
    assert!(
        matches!(err, ParseError::AmountOutOfRange { line: 8, .. }),
        "{err:?}"
    );
    // Built by hand, the same instance does not validate, so no rule runs on it.
    let mut inst = Instance::new(q(100, 1));
    inst.add_project("a", BigRational::from_integer(BigInt::from(10u64).pow(16)))
        .unwrap();
    inst.add_voter("1", &["a"]).unwrap();
    assert!(matches!(inst.validate(), Err(InstanceError::AmountOutOfRange(_))));
    assert!(matches!(
        run(&inst, Rule::MesCostAdd1),
        Err(RunError::InvalidInstance(_))
    ));
}

/// Issue #15: a 150 MB `.pb` took 3.5 GB (23× the file). Voters are stored column by
/// column; the stored instance stays within about twice the file.
#[test]
fn voters_take_about_the_size_of_their_rows() {
    let mut text = String::from("META\nkey;value\nbudget;8000000\nPROJECTS\nproject_id;cost;name\n");
    for p in 1..=60 {
        text.push_str(&format!("{p};{};Project {p}\n", 50_000 + 10_007 * p));
    }
    text.push_str("VOTES\nvoter_id;vote;age;sex;voting_method\n");
    let mut x = 7u64;
    for v in 0..60_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let k = 1 + (x >> 60) % 6;
        let ballot: Vec<String> = (0..k).map(|j| (1 + (x >> (8 * j)) % 60).to_string()).collect();
        let sex = if x & 1 == 0 { "M" } else { "F" };
        text.push_str(&format!(
            "{v};{};{};{sex};internet\n",
            ballot.join(","),
            18 + (x >> 20) % 70
        ));
    }
    let inst = Instance::from_pb_str(&text).unwrap();
    assert_eq!(inst.voters.len(), 60_000);
    let stored = inst.voters.heap_bytes();
    assert!(
        stored < 2 * text.len(),
        "voters take {stored} bytes for a {} byte file",
        text.len()
    );
    // The same voters as one struct each would take several times the file.
    let owned: usize = inst
        .voters
        .iter()
        .map(|v| std::mem::size_of::<Voter>() + v.id.len() + 8 * v.ballot.len() + 24 * v.extra_len())
        .sum();
    assert!(owned > 3 * stored);
}
