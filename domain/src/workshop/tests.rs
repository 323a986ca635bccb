use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use super::*;
use crate::model::Building;

fn building(id: u32, x: u16, y: u16) -> Building {
    Building {
        id,
        grid_id: 1,
        name: format!("{id}幢"),
        units: 2,
        floors: 6,
        year_built: 1990,
        plan_x: x,
        plan_y: y,
    }
}

fn cats() -> Vec<String> {
    ["elderly_care", "childcare", "sport"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

#[test]
fn plan_resolves_collisions_and_swaps_on_move() {
    let stored = vec![building(2, 0, 0), building(1, 0, 0), building(3, 4, 1)];
    let mut plan = Plan::new(&stored);
    // Building 1 keeps (0,0) (lower id first); 2 moves right.
    assert_eq!(plan.building_at(0, 0).map(|b| b.id), Some(1));
    assert_eq!(plan.building_at(1, 0).map(|b| b.id), Some(2));
    assert_eq!(plan.extent(), (6, 4));
    // Moving 3 onto 1 swaps them.
    assert_eq!(plan.move_building(3, 0, 0), Some(1));
    assert_eq!(plan.building_at(0, 0).map(|b| b.id), Some(3));
    assert_eq!(plan.building_at(4, 1).map(|b| b.id), Some(1));
    // Onto an empty cell: no swap; the extent grows to keep a free margin.
    assert_eq!(plan.move_building(2, 9, 5), None);
    assert_eq!(plan.extent(), (11, 7));
    assert!(plan.building_at(1, 0).is_none());
    // Unknown building: nothing.
    assert_eq!(plan.move_building(99, 0, 0), None);
    let changed = plan.changed(&stored);
    let mut ids: Vec<(u32, u16, u16)> = changed.iter().map(|b| (b.id, b.plan_x, b.plan_y)).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![(1, 4, 1), (2, 9, 5), (3, 0, 0)]);
    assert_eq!(
        changed[0].name,
        stored.iter().find(|b| b.id == changed[0].id).unwrap().name
    );
}

#[test]
fn dots_count_by_spot_and_category_and_undo_takes_them_back() {
    let plan = Plan::new(&[building(7, 1, 1)]);
    let mut s = Session::new(1_000, cats(), vec![1, 2]);
    let on7 = Spot::of_cell(&plan, 1, 1);
    assert_eq!(on7, Spot::Building(7));
    let open = Spot::of_cell(&plan, 0, 0);
    assert_eq!(open, Spot::Open { x: 0, y: 0 });
    s.place(0, on7).unwrap();
    s.place(0, on7).unwrap();
    s.place(2, on7).unwrap();
    s.place(1, open).unwrap();
    assert_eq!(s.place(3, open), Err(WorkshopError::NoCategory(3)));
    assert_eq!(s.by_category(), &[2, 1, 1]);
    assert_eq!(s.spot(on7).unwrap().by_category, vec![2, 0, 1]);
    assert_eq!(s.max_spot(), 3);
    assert!(matches!(s.undo(), Some(Undone::Dot(Dot { category: 1, .. }))));
    assert!(s.spot(open).is_none());
    s.undo();
    assert_eq!(s.max_spot(), 2);
    assert_eq!(s.by_category(), &[2, 0, 0]);
}

#[test]
fn voting_respects_the_dot_limit_and_becomes_approval_ballots() {
    let mut s = Session::new(5, cats(), vec![4, 6, 9]);
    s.set_dots_per_participant(2).unwrap();
    assert_eq!(s.next_participant(), Err(WorkshopError::ParticipantUnused));
    s.vote(6).unwrap();
    s.vote(6).unwrap();
    assert_eq!(
        s.vote(4),
        Err(WorkshopError::NoDotsLeft {
            participant: 1,
            limit: 2
        })
    );
    assert_eq!(s.vote(5), Err(WorkshopError::NotOnBallot(5)));
    assert_eq!(s.next_participant(), Ok(2));
    s.vote(9).unwrap();
    s.vote(4).unwrap();
    assert_eq!(s.next_participant(), Ok(3));
    s.vote(9).unwrap();
    assert_eq!(s.by_proposal(), &[1, 2, 2]);
    assert_eq!(
        s.set_dots_per_participant(1),
        Err(WorkshopError::LimitBelowUsed {
            participant: 1,
            used: 2,
            limit: 1
        })
    );
    let b = s.ballots("2026-Q4", 40, 77);
    let got: Vec<(u32, Vec<u32>)> = b.iter().map(|b| (b.id, b.approvals.clone())).collect();
    assert_eq!(got, vec![(40, vec![6]), (41, vec![4, 9]), (42, vec![9])]);
    assert!(b
        .iter()
        .all(|b| b.source == "workshop" && b.period == "2026-Q4" && b.created_at == 77));
    // Undo the last vote and the change of participant: participant 2 again, 0 left.
    s.undo();
    assert_eq!(s.undo(), Some(Undone::NextParticipant));
    assert_eq!(s.participant(), 2);
    assert_eq!(s.left(), 0);
    assert_eq!(s.ballots("p", 1, 0).len(), 2);
}

#[test]
fn the_voting_list_is_the_latest_periods_reviewed_proposals_by_id() {
    use crate::model::{Proposal, ProposalStatus};
    let p = |id: u32, period: &str, status: ProposalStatus| Proposal {
        id,
        title: format!("p{id}"),
        category: "sport".into(),
        cost_fen: 100,
        proposer_group: "g".into(),
        status,
        review_note: String::new(),
        period: period.into(),
        created_at: 0,
    };
    let all = vec![
        p(9, "2026-Q4", ProposalStatus::NotFunded),
        p(3, "2026-Q4", ProposalStatus::Feasible),
        p(4, "2026-Q4", ProposalStatus::Infeasible),
        p(5, "2026-Q4", ProposalStatus::Submitted),
        p(6, "2026-Q4", ProposalStatus::Funded),
        p(1, "2026-Q3", ProposalStatus::Feasible),
        // A later period with nothing reviewed yet does not count.
        p(7, "2027-Q1", ProposalStatus::Submitted),
    ];
    let (period, list) = voting_list(all);
    assert_eq!(period.as_deref(), Some("2026-Q4"));
    assert_eq!(list.iter().map(|p| p.id).collect::<Vec<_>>(), vec![3, 6, 9]);
    let (period, list) = voting_list(vec![p(2, "2026-Q4", ProposalStatus::Submitted)]);
    assert_eq!((period, list.len()), (None, 0));
    assert_eq!(voting_list(Vec::new()), (None, Vec::new()));
}

#[test]
fn needs_record_upsert_and_totals() {
    let plan = Plan::new(&[building(1, 0, 0), building(2, 1, 0)]);
    let mut s = Session::new(123, cats(), vec![1]);
    for (c, x) in [(0, 0), (0, 0), (1, 1), (2, 3)] {
        s.place(c, Spot::of_cell(&plan, x, 0)).unwrap();
    }
    s.vote(1).unwrap();
    let r = s.needs_record(999, "2026-Q4", vec![10]);
    assert_eq!(r.dots, 4);
    assert_eq!(r.buildings.len(), 2);
    assert_eq!(
        r.buildings[0].needs,
        BTreeMap::from([("elderly_care".to_owned(), 2)])
    );
    assert_eq!(r.open_space, BTreeMap::from([("sport".to_owned(), 1)]));
    assert_eq!(r.votes, BTreeMap::from([(1, 1)]));
    assert_eq!(r.participants, 1);

    let mut all = WorkshopNeeds::parse(None).unwrap();
    assert!(all.upsert(r.clone()).is_empty());
    let mut other = Session::new(456, cats(), vec![]);
    other.place(1, Spot::Building(1)).unwrap();
    assert!(all.upsert(other.needs_record(1000, "2026-Q4", vec![])).is_empty());
    // Saving session 123 again replaces it and hands back its old ballots.
    s.place(1, Spot::Building(2)).unwrap();
    assert_eq!(all.upsert(s.needs_record(1001, "2026-Q4", vec![11])), vec![10]);
    assert_eq!(all.sessions.len(), 2);
    let totals = all.totals_by_building();
    assert_eq!(
        totals[&1],
        BTreeMap::from([("elderly_care".to_owned(), 2), ("childcare".to_owned(), 1)])
    );
    assert_eq!(totals[&2], BTreeMap::from([("childcare".to_owned(), 2)]));
    let json = serde_json::to_string(&all).unwrap();
    assert_eq!(WorkshopNeeds::parse(Some(&json)).unwrap(), all);
    assert!(WorkshopNeeds::parse(Some("{")).is_err());
}

#[test]
fn timer_counts_down_pauses_and_never_goes_negative() {
    let mut t = Timer::new(5 * 60_000);
    assert_eq!(format_mmss(t.remaining(0)), "05:00");
    t.toggle(1_000);
    assert!(t.running());
    assert_eq!(format_mmss(t.remaining(61_500)), "04:00");
    assert_eq!(format_mmss(t.remaining(62_000)), "03:59");
    t.toggle(61_000);
    assert_eq!(t.remaining(999_999), 240_000);
    t.toggle(100_000);
    assert_eq!(t.remaining(10_000_000), 0);
    t.reset();
    t.adjust(-10 * 60_000);
    assert_eq!(t.duration_ms, 60_000);
    assert_eq!(format_mmss(0), "00:00");
}

#[test]
fn csv_has_bom_escapes_formulas_and_counts() {
    let plan = Plan::new(&[building(1, 0, 0)]);
    let mut s = Session::new(1, cats(), vec![3, 8]);
    s.place(2, Spot::of_cell(&plan, 0, 0)).unwrap();
    s.place(2, Spot::of_cell(&plan, 0, 0)).unwrap();
    s.place(0, Spot::of_cell(&plan, 2, 1)).unwrap();
    s.vote(8).unwrap();
    s.vote(8).unwrap();
    let buildings = HashMap::from([(1, "=1幢".to_owned())]);
    let proposals = HashMap::from([(3, "健康小屋".to_owned()), (8, "+充电棚".to_owned())]);
    let names: Vec<String> = ["养老", "托育", "体育"].iter().map(|s| (*s).to_owned()).collect();
    let csv = session_csv(
        &s,
        &CsvNames {
            zh: true,
            categories: &names,
            buildings: &buildings,
            proposals: &proposals,
        },
    );
    assert!(csv.starts_with("\u{feff}类型,楼栋编号,位置,"));
    assert!(csv.contains("\r\n需求,1,'=1幢,sport,体育,,,2,\r\n"), "{csv}");
    assert!(
        csv.contains("\r\n需求,,\"空地 (3, 2)\",elderly_care,养老,,,1,\r\n"),
        "{csv}"
    );
    assert!(csv.contains("\r\n投票,,,,,8,'+充电棚,2,1\r\n"), "{csv}");
    assert!(csv.contains("\r\n投票,,,,,3,健康小屋,0,0\r\n"), "{csv}");
    assert_eq!(csv.matches("\r\n").count(), 5);
}

#[test]
fn a_deserialised_session_rebuilds_its_counts() {
    let mut s = Session::new(1, cats(), vec![1]);
    s.place(1, Spot::Building(4)).unwrap();
    s.vote(1).unwrap();
    let json = serde_json::to_string(&s).unwrap();
    let mut back: Session = serde_json::from_str(&json).unwrap();
    back.rebuild();
    assert_eq!(back, s);
    assert_eq!(
        back.undo(),
        Some(Undone::Vote(Vote {
            participant: 1,
            proposal: 1
        }))
    );
}

#[derive(Debug, Clone)]
enum Op {
    Place(usize, u16, u16),
    Vote(usize),
    Next,
    Undo,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..4, 0u16..5, 0u16..4).prop_map(|(c, x, y)| Op::Place(c, x, y)),
        3 => (0usize..4).prop_map(Op::Vote),
        1 => Just(Op::Next),
        2 => Just(Op::Undo),
    ]
}

fn apply(s: &mut Session, plan: &Plan, o: &Op) {
    match *o {
        Op::Place(c, x, y) => {
            let _ = s.place(c, Spot::of_cell(plan, x, y));
        }
        Op::Vote(i) => {
            // Index 3 is not on the ballot: refused.
            let _ = s.vote([11, 12, 13, 99][i]);
        }
        Op::Next => {
            let _ = s.next_participant();
        }
        Op::Undo => {
            s.undo();
        }
    }
}

fn test_plan() -> Plan {
    Plan::new(&[building(1, 0, 0), building(2, 1, 0), building(3, 2, 2)])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Any action followed by undo gives back the session as it was.
    #[test]
    fn undo_restores_the_state(ops in proptest::collection::vec(op(), 0..60), last in op(), limit in 1u32..4) {
        let plan = test_plan();
        let mut s = Session::new(1, cats(), vec![11, 12, 13]);
        s.set_dots_per_participant(limit).unwrap();
        for o in &ops { apply(&mut s, &plan, o); }
        let before = s.clone();
        let could_undo = s.can_undo();
        let len = (s.dots().len(), s.votes().len(), s.participant());
        apply(&mut s, &plan, &last);
        let changed = (s.dots().len(), s.votes().len(), s.participant()) != len;
        if changed && !matches!(last, Op::Undo) {
            prop_assert!(s.undo().is_some());
            prop_assert_eq!(&s, &before);
        }
        if !changed && !matches!(last, Op::Undo) {
            prop_assert_eq!(&s, &before);
        }
        if matches!(last, Op::Undo) {
            prop_assert_eq!(changed, could_undo);
        }
    }

    /// Live counts always equal a recount of the dots; no participant exceeds the
    /// limit; ballots approve only listed proposals, each once.
    #[test]
    fn counts_equal_dots_and_limits_hold(ops in proptest::collection::vec(op(), 0..120), limit in 1u32..4) {
        let plan = test_plan();
        let mut s = Session::new(1, cats(), vec![11, 12, 13]);
        s.set_dots_per_participant(limit).unwrap();
        for o in &ops {
            apply(&mut s, &plan, o);
            prop_assert!(s.used(s.participant()) <= limit);
        }
        let mut recount: HashMap<(Spot, u8), u32> = HashMap::new();
        for d in s.dots() { *recount.entry((d.spot, d.category)).or_insert(0) += 1; }
        let mut live: HashMap<(Spot, u8), u32> = HashMap::new();
        let mut total = 0;
        let mut max = 0;
        for (spot, c) in s.spots() {
            prop_assert_eq!(c.total, c.by_category.iter().sum::<u32>());
            prop_assert!(c.total > 0);
            total += c.total;
            max = max.max(c.total);
            for (i, &n) in c.by_category.iter().enumerate() {
                if n > 0 { live.insert((*spot, i as u8), n); }
            }
        }
        prop_assert_eq!(live, recount);
        prop_assert_eq!(total as usize, s.dots().len());
        prop_assert_eq!(s.by_category().iter().sum::<u32>() as usize, s.dots().len());
        prop_assert_eq!(s.max_spot(), max);
        prop_assert_eq!(s.by_proposal().iter().sum::<u32>() as usize, s.votes().len());
        let mut per: HashMap<u32, u32> = HashMap::new();
        for v in s.votes() { *per.entry(v.participant).or_insert(0) += 1; }
        prop_assert!(per.values().all(|&n| n <= limit));
        let ballots = s.ballots("p", 1, 0);
        prop_assert_eq!(ballots.len(), per.len());
        for b in &ballots {
            prop_assert!(!b.approvals.is_empty());
            prop_assert!(b.approvals.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(b.approvals.iter().all(|p| [11, 12, 13].contains(p)));
        }
        let r = s.needs_record(0, "p", vec![]);
        let in_record: u32 = r.buildings.iter().flat_map(|b| b.needs.values()).sum::<u32>()
            + r.open_space.values().sum::<u32>();
        prop_assert_eq!(in_record as usize, s.dots().len());
    }

    /// Moving buildings keeps one building per cell and every building on the plan.
    #[test]
    fn moves_keep_buildings_unique(moves in proptest::collection::vec((1u32..6, 0u16..6, 0u16..5), 0..30)) {
        let stored: Vec<Building> = (1..=5).map(|i| building(i, (i % 3) as u16, 0)).collect();
        let mut plan = Plan::new(&stored);
        for (id, x, y) in moves {
            plan.move_building(id, x, y);
            prop_assert_eq!(plan.building(id).map(|b| (b.x, b.y)), Some((x, y)));
            let mut cells: Vec<(u16, u16)> = plan.buildings().iter().map(|b| (b.x, b.y)).collect();
            cells.sort_unstable();
            cells.dedup();
            prop_assert_eq!(cells.len(), 5);
            for b in plan.buildings() {
                prop_assert_eq!(plan.building_at(b.x, b.y).map(|p| p.id), Some(b.id));
            }
        }
    }
}
