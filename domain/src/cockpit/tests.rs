use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::model::{RequestStatus, StatusChange};
use crate::plans::{
    Budget, CouncilVote, Internal, ObjectionChannel, ObjectionInput, PlanContent, PlanRules, Stamp,
};
use crate::warnings::ImprovementItem;

fn day(s: &str) -> CivilDate {
    CivilDate::parse(s).unwrap()
}

fn by() -> Stamp {
    Stamp::new("王指导员", 1_790_000_000_000)
}

fn content(title: &str, period: &str) -> PlanContent {
    PlanContent {
        title: title.into(),
        category: "public_space".into(),
        period: period.into(),
        budget: Budget::new(1_000_000, 0, 0, 0).unwrap(),
        description: "说明".into(),
    }
}

fn draft(id: u32, period: &str) -> PlanCase {
    PlanCase::new(
        id,
        &by(),
        day("2026-11-01"),
        content(&format!("计划{id}"), period),
        Internal::default(),
    )
    .unwrap()
}

fn on_notice(id: u32, start: &str) -> PlanCase {
    draft(id, "2026-Q4")
        .start_notice(&by(), day(start), &PlanRules::default())
        .unwrap()
}

fn at_council(id: u32) -> PlanCase {
    on_notice(id, "2026-11-02")
        .close_notice(&by(), day("2026-11-09"))
        .unwrap()
}

fn vote() -> CouncilVote {
    CouncilVote {
        votes_for: 9,
        votes_against: 1,
        abstain: 0,
        quorum_met: true,
    }
}

fn in_execution(id: u32, period: &str) -> PlanCase {
    let p = PlanCase::new(
        id,
        &by(),
        day("2026-10-01"),
        content("执行中", period),
        Internal::default(),
    )
    .unwrap()
    .start_notice(&by(), day("2026-10-02"), &PlanRules::default())
    .unwrap()
    .close_notice(&by(), day("2026-10-09"))
    .unwrap()
    .council(&by(), day("2026-10-10"), vote(), "")
    .unwrap()
    .assessment(&by(), day("2026-10-11"), "设计院", "可行", true, "")
    .unwrap()
    .street_review(&by(), day("2026-10-12"), "街审1号", true, "")
    .unwrap();
    p.spend(
        &by(),
        crate::plans::SpendingInput {
            on: day("2026-10-13"),
            amount: 300_000,
            funder: crate::plans::Funder::Government,
            purpose: "材料".into(),
            voucher: "V1".into(),
        },
    )
    .unwrap()
}

fn inputs<'a>(today: &str, plans: &'a [PlanCase]) -> Inputs<'a> {
    Inputs {
        today: day(today),
        now: crate::requests::calendar::local_midnight(day(today).days()) + 10 * 3_600_000,
        plans,
        requests: &[],
        activities: &[],
        households: 100,
        improvement_items: &[],
        resources: &[],
        decisions: &[],
        last_backup_at: Some(crate::requests::calendar::local_midnight(day(today).days())),
        backup_due_days: BACKUP_DUE_DAYS,
    }
}

#[test]
fn nothing_needs_the_guide_on_a_quiet_day() {
    let plans = [draft(1, "2026-Q4"), in_execution(2, "2026-Q4")];
    let c = count(&inputs("2026-12-06", &plans));
    assert!(c.tasks.is_empty(), "{:?}", c.tasks);
    assert_eq!(c.backup_days, Some(0));
}

#[test]
fn notices_ending_within_three_days_and_waiting_to_close() {
    // 7-day notices: last days 12-06 (today), 12-08, 12-09, and one ended on 12-01.
    let plans = [
        on_notice(1, "2026-11-30"),
        on_notice(2, "2026-12-02"),
        on_notice(3, "2026-12-03"),
        on_notice(4, "2026-11-25"),
        on_notice(5, "2026-12-07"), // starts tomorrow
    ];
    let c = count(&inputs("2026-12-06", &plans));
    let ending: Vec<(u32, u16, String)> = c
        .tasks
        .iter()
        .filter_map(|t| match t {
            Task::NoticeEnding {
                plan,
                days_left,
                last_day,
                ..
            } => Some((*plan, *days_left, last_day.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(
        ending,
        vec![
            (1, 1, "2026-12-06".to_owned()),
            (2, 3, "2026-12-08".to_owned()),
            (4, 0, "2026-12-01".to_owned()),
        ]
    );
    assert!(c.tasks.iter().all(|t| t.view() == "plans"));
}

#[test]
fn objections_and_approvals_are_listed_by_plan() {
    let objected = on_notice(1, "2026-12-01")
        .record_objection(
            &by(),
            ObjectionInput {
                on: day("2026-12-02"),
                channel: ObjectionChannel::Phone,
                internal_text: "3 楼住户".into(),
                public_summary: "担心噪音".into(),
            },
        )
        .unwrap();
    let assessment = at_council(3)
        .council(&by(), day("2026-11-20"), vote(), "")
        .unwrap();
    let street = assessment
        .assessment(&by(), day("2026-11-21"), "设计院", "可行", true, "")
        .unwrap();
    let plans = [
        objected,
        at_council(2),
        assessment,
        street.clone().with_id_for_test(4),
    ];
    let c = count(&inputs("2026-12-06", &plans));
    assert!(c.tasks.contains(&Task::Objections {
        plan: 1,
        title: "计划1".into(),
        unanswered: 1
    }));
    let approvals: Vec<(u32, Stage, i64)> = c
        .tasks
        .iter()
        .filter_map(|t| match t {
            Task::Approval {
                plan,
                stage,
                waiting_days,
                ..
            } => Some((*plan, *stage, *waiting_days)),
            _ => None,
        })
        .collect();
    assert_eq!(
        approvals,
        vec![
            (2, Stage::Council, 27),
            (3, Stage::Assessment, 16),
            (4, Stage::StreetReview, 15)
        ]
    );
    assert_eq!(c.tasks[0].plan(), Some(1));
}

impl PlanCase {
    /// The same case under another id (its JSON with the id replaced).
    fn with_id_for_test(self, id: u32) -> Self {
        let mut v = serde_json::to_value(&self).unwrap();
        v["id"] = id.into();
        serde_json::from_value(v).unwrap()
    }
}

fn request(id: u32, colour: RequestColour, status: RequestStatus, due_at: Millis) -> Request {
    Request {
        id,
        tracking_code: String::new(),
        household_id: None,
        category: "health".into(),
        description: "x".into(),
        colour,
        status,
        history: vec![StatusChange {
            status: RequestStatus::Received,
            at: 0,
            note: None,
        }],
        received_at: 0,
        due_at,
        satisfaction: None,
        assignee: None,
        resident: None,
    }
}

#[test]
fn overdue_requests_warnings_and_items() {
    let mut i = inputs("2026-12-06", &[]);
    let now = i.now;
    let reqs = [
        request(1, RequestColour::Red, RequestStatus::Received, now - 3 * DAY_MS),
        request(2, RequestColour::Blue, RequestStatus::InProgress, now - DAY_MS),
        request(3, RequestColour::Red, RequestStatus::Closed, now - 9 * DAY_MS),
        request(4, RequestColour::Yellow, RequestStatus::Received, now + DAY_MS),
    ];
    let items = [
        ImprovementItem {
            id: 2,
            trigger: "satisfaction".into(),
            detail: String::new(),
            opened_at: 0,
            stage: PdcaStage::Do,
            steps: Vec::new(),
        },
        ImprovementItem {
            id: 1,
            trigger: "satisfaction".into(),
            detail: String::new(),
            opened_at: 0,
            stage: PdcaStage::Closed,
            steps: Vec::new(),
        },
    ];
    i.requests = &reqs;
    i.improvement_items = &items;
    let c = count(&i);
    assert_eq!(
        c.tasks,
        vec![
            Task::RequestsOverdue {
                total: 2,
                red: 1,
                yellow: 0,
                blue: 1,
                oldest: (1, 3 * DAY_MS)
            },
            Task::Improvement {
                id: 2,
                trigger: "satisfaction".into(),
                stage: PdcaStage::Do
            },
        ]
    );
    assert_eq!(c.tasks[0].view(), "requests");
}

fn money(id: u32, period: &str, fen: i64) -> Resource {
    Resource {
        id,
        name: "专项资金".into(),
        kind: ResourceKind::Money,
        category: "elderly_care".into(),
        period: period.into(),
        quantity: fen,
    }
}

fn adopted(period: &str) -> Decision {
    Decision {
        id: 1,
        period: period.into(),
        on: day("2026-10-05"),
        actor: "王指导员".into(),
        at: 0,
        kind: DecisionKind::AllocationAdopted {
            run_id: 1,
            inputs_sha256: "0".repeat(64),
        },
    }
}

#[test]
fn unallocated_then_unspent_resources_of_the_current_quarter() {
    let res = [
        money(1, "2026-Q4", 500_000),
        money(2, "2026-Q3", 9_000_000),
        Resource {
            kind: ResourceKind::Slots,
            quantity: 40,
            ..money(3, "2026-Q4", 0)
        },
    ];
    let plans = [in_execution(1, "2026-Q4"), in_execution(2, "2026-Q3")];
    let mut i = inputs("2026-12-06", &plans);
    i.resources = &res;
    assert_eq!(
        count(&i).tasks,
        vec![Task::Unallocated {
            period: "2026-Q4".into(),
            resources: 2,
            money_fen: 500_000
        }]
    );
    let decisions = [adopted("2026-Q4")];
    i.decisions = &decisions;
    let c = count(&i);
    assert_eq!(
        c.tasks,
        vec![Task::Unspent {
            period: "2026-Q4".into(),
            money_fen: 500_000,
            spent_fen: 300_000,
            left_fen: 200_000
        }]
    );
    assert_eq!(c.tasks[0].view(), "plans");
    // Another quarter's adoption does not count; a quarter without resources lists nothing.
    let other = [adopted("2026-Q3")];
    i.decisions = &other;
    assert!(matches!(count(&i).tasks[0], Task::Unallocated { .. }));
    let c = count(&inputs("2027-01-02", &plans));
    assert_eq!(c.period, "2027-Q1");
    assert!(c.tasks.is_empty());
}

#[test]
fn backup_is_due_after_seven_days_or_when_never_made() {
    let mut i = inputs("2026-12-06", &[]);
    i.last_backup_at = None;
    assert_eq!(count(&i).tasks, vec![Task::Backup { days: None }]);
    // 2026-11-29 23:30 in Shanghai is 7 days before 2026-12-06.
    let late_evening =
        crate::requests::calendar::local_midnight(day("2026-11-29").days()) + 23 * 3_600_000 + 1_800_000;
    i.last_backup_at = Some(late_evening);
    assert_eq!(count(&i).tasks, vec![Task::Backup { days: Some(7) }]);
    i.last_backup_at = Some(late_evening + DAY_MS);
    let c = count(&i);
    assert!(c.tasks.is_empty());
    assert_eq!(c.backup_days, Some(6));
    assert_eq!(parse_last_backup(Some("1790000000000")), Some(1_790_000_000_000));
    assert_eq!(parse_last_backup(Some("yesterday")), None);
    assert_eq!(parse_last_backup(None), None);
}

#[test]
fn the_backup_reminder_follows_its_configured_number_of_days() {
    let mut i = inputs("2026-12-06", &[]);
    // Backed up 3 days ago (local days).
    i.last_backup_at = Some(crate::requests::calendar::local_midnight(day("2026-12-03").days()) + 3_600_000);
    i.backup_due_days = 3;
    assert_eq!(count(&i).tasks, vec![Task::Backup { days: Some(3) }]);
    i.backup_due_days = 4;
    assert!(count(&i).tasks.is_empty());
    i.backup_due_days = 1;
    i.last_backup_at = None;
    assert_eq!(count(&i).tasks, vec![Task::Backup { days: None }]);
    // The setting: valid numbers are used, anything else falls back to the default.
    assert_eq!(backup_reminder_days(Some("30")), 30);
    assert_eq!(backup_reminder_days(Some("1")), 1);
    assert_eq!(backup_reminder_days(Some("365")), 365);
    for bad in ["0", "366", "-3", "x", ""] {
        assert_eq!(backup_reminder_days(Some(bad)), BACKUP_DUE_DAYS, "{bad:?}");
    }
    assert_eq!(backup_reminder_days(None), BACKUP_DUE_DAYS);
}

proptest! {
    #[test]
    fn reminder_days_accept_exactly_one_to_365(n in -1000i64..1000) {
        let r = check_backup_reminder_days(&n.to_string());
        prop_assert_eq!(r.is_ok(), (1..=365).contains(&n));
        if let Ok(v) = r { prop_assert_eq!(v, n); }
    }
}

#[test]
fn indicators_are_judged_against_the_configured_targets() {
    let values: BTreeMap<String, Option<i64>> = [
        ("participation".to_owned(), Some(6200)),
        ("mismatch".to_owned(), Some(1200)),
        ("resolution_time".to_owned(), Some(30)),
    ]
    .into();
    let mut targets = crate::settings::indicator_targets(&[]).unwrap();
    let rows = indicator_rows(&values, &targets);
    assert_eq!(rows.len(), INDICATORS.len());
    let j = |rows: &[IndicatorRow], code: &str| rows.iter().find(|r| r.def.code == code).unwrap().judgement;
    assert_eq!(j(&rows, "participation"), Judgement::Met);
    assert_eq!(j(&rows, "mismatch"), Judgement::NotMet);
    assert_eq!(j(&rows, "resolution_time"), Judgement::NoTarget);
    assert_eq!(j(&rows, "cost_benefit"), Judgement::NotMeasured);
    targets.insert("participation".into(), Some(7000));
    targets.insert("resolution_time".into(), Some(48));
    let rows = indicator_rows(&values, &targets);
    assert_eq!(j(&rows, "participation"), Judgement::NotMet);
    assert_eq!(j(&rows, "resolution_time"), Judgement::Met);
}

#[test]
fn quarters() {
    assert_eq!(quarter(day("2026-01-01")), "2026-Q1");
    assert_eq!(quarter(day("2026-03-31")), "2026-Q1");
    assert_eq!(quarter(day("2026-04-01")), "2026-Q2");
    assert_eq!(quarter(day("2026-09-30")), "2026-Q3");
    assert_eq!(quarter(day("2026-10-01")), "2026-Q4");
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Draft,
    Notice(i64),
    Council,
    Executing,
}

fn plan_of(id: u32, k: Kind, today: CivilDate) -> PlanCase {
    match k {
        Kind::Draft => draft(id, "2026-Q4"),
        Kind::Notice(back) => draft(id, "2026-Q4")
            .start_notice(&by(), today.add_days(-back).unwrap(), &PlanRules::default())
            .unwrap(),
        Kind::Council => at_council(id),
        Kind::Executing => in_execution(id, "2026-Q4"),
    }
}

proptest! {
    /// For any mix of plans: one approval task per plan awaiting a level, one notice
    /// task exactly for the running notices within three days of their last day (or
    /// past it), never a task for a draft or a plan in execution, and every plan task
    /// links to its plan.
    #[test]
    fn plan_tasks_match_the_plans(kinds in proptest::collection::vec(
        prop_oneof![
            Just(Kind::Draft),
            (0i64..12).prop_map(Kind::Notice),
            Just(Kind::Council),
            Just(Kind::Executing),
        ], 0..12)) {
        let today = day("2026-12-06");
        let plans: Vec<PlanCase> = kinds.iter().enumerate().map(|(i, k)| plan_of(i as u32 + 1, *k, today)).collect();
        let c = count(&inputs("2026-12-06", &plans));
        let approvals = c.tasks.iter().filter(|t| matches!(t, Task::Approval { .. })).count();
        prop_assert_eq!(approvals, kinds.iter().filter(|k| matches!(k, Kind::Council)).count());
        // A 7-day notice started `back` days ago shows `7 - back` more days.
        let ending = kinds.iter().filter(|k| matches!(k, Kind::Notice(b) if 7 - b <= i64::from(NOTICE_ENDING_DAYS))).count();
        prop_assert_eq!(c.tasks.iter().filter(|t| matches!(t, Task::NoticeEnding { .. })).count(), ending);
        for t in &c.tasks {
            let id = t.plan().expect("only plan tasks here");
            let k = kinds[id as usize - 1];
            prop_assert!(!matches!(k, Kind::Draft | Kind::Executing), "{:?} for {:?}", t, k);
        }
    }

    /// A shown value types back to itself.
    #[test]
    fn shown_values_parse_back(v in -1_000_000_000i64..=1_000_000_000, unit in prop::sample::select(vec!["bp", "per_100_households_centi", "permille", "hours", "ratio_centi"])) {
        prop_assert_eq!(parse_value(unit, &show_value(unit, v)), Ok(Some(v)));
    }
}

/// The cockpit judges the snapshot's indicator values against the configured targets
/// exactly as the snapshot does, and counts the demo community's plans as they are.
#[test]
fn the_demo_community_on_the_cockpit() {
    let mut d = crate::demo::generate(&crate::demo::DemoConfig {
        households: 300,
        ..Default::default()
    });
    d.settings.push(crate::model::Setting {
        key: crate::settings::INDICATOR_TARGETS.into(),
        value: r#"{"participation":1,"satisfaction":null}"#.into(),
    });
    let today = day("2026-12-06");
    let published = crate::snapshot::indicators(&d, today.days()).unwrap();
    let values: BTreeMap<String, Option<i64>> = published.iter().map(|i| (i.code.clone(), i.value)).collect();
    let targets = crate::settings::indicator_targets(&d.settings).unwrap();
    let rows = indicator_rows(&values, &targets);
    assert_eq!(rows.len(), published.len());
    for (r, p) in rows.iter().zip(&published) {
        assert_eq!(r.def.code, p.code);
        assert_eq!(r.target, p.target, "{}", p.code);
        assert_eq!(r.judgement.code(), p.status, "{}", p.code);
    }
    let mut i = inputs("2026-12-06", &d.plans);
    i.requests = &d.requests;
    i.activities = &d.activities;
    i.resources = &d.resources;
    i.decisions = &d.decisions;
    let c = count(&i);
    let waiting = d
        .plans
        .iter()
        .filter(|p| {
            matches!(
                p.stage(),
                Stage::Council | Stage::Assessment | Stage::StreetReview
            )
        })
        .count();
    assert_eq!(
        c.tasks
            .iter()
            .filter(|t| matches!(t, Task::Approval { .. }))
            .count(),
        waiting
    );
    let unanswered: usize = d.plans.iter().filter(|p| p.unanswered() > 0).count();
    assert_eq!(
        c.tasks
            .iter()
            .filter(|t| matches!(t, Task::Objections { .. }))
            .count(),
        unanswered
    );
}
