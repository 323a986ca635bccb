//! Unit tests of execution, final accounts, evaluation, all-or-nothing, serde
//! and the public view.

use super::tests::*;
use super::*;

// ---- execution ----------------------------------------------------------

#[test]
fn spending_only_in_execution_and_within_each_funders_budget() {
    for p in [draft(), on_notice(), at_council()] {
        assert!(matches!(
            p.spend(&by(), spending("2026-03-20", 1, Funder::Government)),
            Err(PlanError::NotInExecution { .. })
        ));
    }
    let p = executing();
    assert!(matches!(
        p.spend(&by(), spending("2026-03-14", 1, Funder::Government)),
        Err(PlanError::DateTooEarly { .. })
    ));
    assert!(matches!(
        p.spend(&by(), spending("2026-03-20", 0, Funder::Government)),
        Err(PlanError::ZeroAmount { .. })
    ));
    assert!(matches!(
        p.spend(&by(), spending("2026-03-20", -5, Funder::Government)),
        Err(PlanError::NegativeAmount { .. })
    ));
    assert!(matches!(
        p.spend(&by(), spending("2026-03-20", i64::MAX, Funder::Government)),
        Err(PlanError::AmountTooLarge { .. })
    ));
    let mut no_voucher = spending("2026-03-20", 1, Funder::Government);
    no_voucher.voucher.clear();
    assert!(matches!(p.spend(&by(), no_voucher), Err(PlanError::Empty { .. })));
    let p = p
        .spend(&by(), spending("2026-03-20", 70_000, Funder::Government))
        .unwrap();
    let over = p
        .spend(&by(), spending("2026-03-20", 1, Funder::Government))
        .unwrap_err();
    assert_eq!(
        over,
        PlanError::OverBudget {
            funder: Funder::Government,
            budget: 70_000,
            spent: 70_001
        }
    );
    assert!(over.to_string().contains("without a recorded budget change"));
    assert!(matches!(
        p.spend(&by(), spending("2026-03-20", 1, Funder::Market)),
        Err(PlanError::OverBudget { .. })
    ));
    let p = p
        .spend(&by(), spending("2026-03-21", 30_000, Funder::Residents))
        .unwrap();
    assert_eq!((p.spent_total(), p.spent(Funder::Residents)), (100_000, 30_000));
}

#[test]
fn corrections_are_reversals_once_and_never_of_reversals() {
    let p = executing()
        .spend(&by(), spending("2026-03-20", 50_000, Funder::Government))
        .unwrap();
    assert_eq!(
        p.reverse(&by(), 9, d("2026-03-21"), "V-2", "录错"),
        Err(PlanError::UnknownSpending(9))
    );
    assert!(matches!(
        p.reverse(&by(), 1, d("2026-03-19"), "V-2", "录错"),
        Err(PlanError::DateTooEarly { .. })
    ));
    assert!(matches!(
        p.reverse(&by(), 1, d("2026-03-21"), "V-2", ""),
        Err(PlanError::Empty { .. })
    ));
    let p = p.reverse(&by(), 1, d("2026-03-21"), "V-2", "金额录错").unwrap();
    let r = &p.spending()[1];
    assert_eq!(
        (r.id, r.amount, r.funder, r.reverses),
        (2, -50_000, Funder::Government, Some(1))
    );
    assert_eq!(p.spending()[0].amount, 50_000, "the original is never edited");
    assert_eq!(p.reversed_by(1), Some(2));
    assert_eq!(p.spent_total(), 0);
    assert_eq!(
        p.reverse(&by(), 2, d("2026-03-21"), "V-3", "x"),
        Err(PlanError::ReversalOfReversal(2))
    );
    assert_eq!(
        p.reverse(&by(), 1, d("2026-03-21"), "V-3", "x"),
        Err(PlanError::AlreadyReversed { id: 1, by: 2 })
    );
    // The corrected amount is entered again.
    let p = p
        .spend(&by(), spending("2026-03-21", 5_000, Funder::Government))
        .unwrap();
    assert_eq!(p.spent_total(), 5_000);
    let closed = p
        .close_accounts(&by(), d("2026-03-31"), "2026-Q2 弹性池")
        .unwrap();
    assert!(matches!(
        closed.reverse(&by(), 3, d("2026-04-01"), "V", "x"),
        Err(PlanError::NotInExecution { .. })
    ));
}

#[test]
fn budget_changes_small_at_once_large_through_notice() {
    let p = executing()
        .spend(&by(), spending("2026-03-20", 60_000, Funder::Government))
        .unwrap();
    assert!(matches!(
        p.change_budget(&by(), change("2026-03-21", 59_999, 30_000), &rules()),
        Err(PlanError::BudgetBelowSpending { .. })
    ));
    assert_eq!(
        p.change_budget(&by(), change("2026-03-21", 70_000, 30_000), &rules()),
        Err(PlanError::NoChange)
    );
    assert!(matches!(
        p.change_budget(&by(), change("2026-03-14", 71_000, 30_000), &rules()),
        Err(PlanError::DateTooEarly { .. })
    ));
    // +10% exactly: at once.
    let small = p
        .change_budget(&by(), change("2026-03-21", 80_000, 30_000), &rules())
        .unwrap();
    assert_eq!(
        (small.stage(), small.content().budget.total()),
        (Stage::Execution, 110_000)
    );
    assert_eq!(
        small.budget_changes()[0].status,
        ChangeStatus::Effective(d("2026-03-21"))
    );
    assert!(small
        .spend(&by(), spending("2026-03-22", 20_000, Funder::Government))
        .is_ok());
    // Another +1% measured against the baseline (100,000): over 10%, so on notice.
    let second = small
        .change_budget(&by(), change("2026-03-22", 81_000, 30_000), &rules())
        .unwrap();
    assert_eq!(
        (second.stage(), second.content().budget.total()),
        (Stage::ChangeNotice, 110_000)
    );
    assert!(matches!(
        second.spend(&by(), spending("2026-03-22", 1, Funder::Government)),
        Err(PlanError::NotInExecution { .. })
    ));
    assert!(second.milestone(&by(), d("2026-03-23"), 40, "灯具到货").is_ok());
    assert!(matches!(
        second.close_notice(&by(), d("2026-03-28")),
        Err(PlanError::NoticeShortened { .. })
    ));
    let done = second.close_notice(&by(), d("2026-03-29")).unwrap();
    assert_eq!(
        (
            done.stage(),
            done.content().budget.total(),
            done.baseline().unwrap().total()
        ),
        (Stage::Execution, 111_000, 111_000)
    );
    assert_eq!(
        done.budget_changes()[1].status,
        ChangeStatus::Effective(d("2026-03-29"))
    );
    // Withdrawn instead: the budget stays.
    let w = second
        .withdraw_budget_change(&by(), d("2026-03-23"), "居民反对")
        .unwrap();
    assert_eq!(
        (w.stage(), w.content().budget.total()),
        (Stage::Execution, 110_000)
    );
    assert_eq!(
        w.budget_changes()[1].status,
        ChangeStatus::Withdrawn(d("2026-03-23"))
    );
    assert_eq!(
        w.notices().last().unwrap().ended,
        Some(NoticeEnd::Withdrawn(d("2026-03-23")))
    );
    // A decrease never needs notice; with a 0% share every increase does.
    let down = p
        .change_budget(&by(), change("2026-03-21", 60_000, 0), &rules())
        .unwrap();
    assert_eq!(down.stage(), Stage::Execution);
    let strict = PlanRules {
        renotice_above_bp: 0,
        ..rules()
    };
    assert_eq!(
        p.change_budget(&by(), change("2026-03-21", 70_001, 30_000), &strict)
            .unwrap()
            .stage(),
        Stage::ChangeNotice
    );
    assert!(matches!(
        at_council().change_budget(&by(), change("2026-03-21", 1, 1), &rules()),
        Err(PlanError::WrongStage { .. })
    ));
}

#[test]
fn milestones_go_forward() {
    let p = executing()
        .milestone(&by(), d("2026-03-20"), 30, "灯具到货")
        .unwrap();
    assert_eq!(
        p.milestone(&by(), d("2026-03-21"), 101, "x"),
        Err(PlanError::BadPercent(101))
    );
    assert_eq!(
        p.milestone(&by(), d("2026-03-21"), 20, "x"),
        Err(PlanError::ProgressBackwards {
            last: 30,
            percent: 20
        })
    );
    assert!(matches!(
        p.milestone(&by(), d("2026-03-19"), 40, "x"),
        Err(PlanError::DateTooEarly { .. })
    ));
    let p = p.milestone(&by(), d("2026-03-25"), 100, "完工").unwrap();
    assert_eq!(p.progress(), 100);
    assert!(matches!(
        draft().milestone(&by(), d("2026-03-25"), 1, "x"),
        Err(PlanError::WrongStage { .. })
    ));
}

#[test]
fn final_accounts_and_evaluation_close_the_plan() {
    let p = executing()
        .spend(&by(), spending("2026-03-20", 65_000, Funder::Government))
        .unwrap()
        .spend(&by(), spending("2026-03-22", 30_000, Funder::Residents))
        .unwrap();
    assert!(matches!(
        p.close_accounts(&by(), d("2026-03-21"), "池"),
        Err(PlanError::DateTooEarly { .. })
    ));
    assert!(matches!(
        p.close_accounts(&by(), d("2026-03-30"), ""),
        Err(PlanError::Empty { .. })
    ));
    assert!(matches!(
        p.evaluate(
            &by(),
            d("2026-03-30"),
            Satisfaction::Counts([0, 0, 0, 1, 1]),
            "好"
        ),
        Err(PlanError::WrongStage { .. })
    ));
    let p = p
        .close_accounts(&by(), d("2026-03-30"), "2026-Q2 弹性池")
        .unwrap();
    let a = p.accounts().unwrap();
    assert_eq!(
        (a.budget, a.actual, a.remainder, a.returned_to.as_str()),
        (100_000, 95_000, 5_000, "2026-Q2 弹性池")
    );
    assert_eq!(
        a.lines[0],
        AccountLine {
            funder: Funder::Government,
            budget: 70_000,
            actual: 65_000,
            remainder: 5_000
        }
    );
    assert_eq!(a.lines[3].remainder, 0);
    assert!(matches!(
        p.spend(&by(), spending("2026-03-31", 1, Funder::Government)),
        Err(PlanError::NotInExecution {
            stage: Stage::Accounts
        })
    ));
    assert_eq!(
        p.evaluate(&by(), d("2026-04-10"), Satisfaction::Counts([0; 5]), "好"),
        Err(PlanError::BadSatisfaction("no resident answered"))
    );
    assert!(matches!(
        p.evaluate(
            &by(),
            d("2026-04-10"),
            Satisfaction::Summary {
                respondents: 3,
                satisfied: 4
            },
            "好"
        ),
        Err(PlanError::BadSatisfaction(_))
    ));
    assert!(matches!(
        p.evaluate(
            &by(),
            d("2026-03-29"),
            Satisfaction::Counts([1, 0, 0, 0, 0]),
            "好"
        ),
        Err(PlanError::DateTooEarly { .. })
    ));
    let s = Satisfaction::Counts([1, 1, 2, 10, 6]);
    assert_eq!(
        (s.respondents(), s.satisfied(), s.satisfied_bp()),
        (20, 16, Some(8_000))
    );
    let p = p.evaluate(&by(), d("2026-04-10"), s, "居民满意度 80%").unwrap();
    assert_eq!(p.stage(), Stage::Closed);
    assert!(matches!(
        p.evaluate(&by(), d("2026-04-11"), s, "again"),
        Err(PlanError::WrongStage { .. })
    ));
    let stages: Vec<Stage> = p
        .history()
        .iter()
        .filter(|t| t.from != t.to)
        .map(|t| t.to)
        .collect();
    assert_eq!(
        stages,
        [
            Stage::Notice,
            Stage::Council,
            Stage::Assessment,
            Stage::StreetReview,
            Stage::Execution,
            Stage::Accounts,
            Stage::Closed
        ]
    );
}

// ---- all or nothing, history, serde ------------------------------------

#[test]
fn a_refused_operation_changes_nothing_and_every_success_appends() {
    let p = executing()
        .spend(&by(), spending("2026-03-20", 70_000, Funder::Government))
        .unwrap();
    let before = p.clone();
    let json = serde_json::to_string(&p).unwrap();
    assert!(p
        .spend(&by(), spending("2026-03-20", 1, Funder::Government))
        .is_err());
    assert!(p.reverse(&by(), 1, d("2026-03-01"), "V", "x").is_err());
    assert!(p
        .spend(&Stamp::new("", 0), spending("2026-03-20", 1, Funder::Residents))
        .is_err());
    assert_eq!(p, before);
    assert_eq!(serde_json::to_string(&p).unwrap(), json);
    let q = p
        .spend(&by(), spending("2026-03-20", 1, Funder::Residents))
        .unwrap();
    assert_eq!(q.history().len(), p.history().len() + 1);
    assert_eq!(&q.history()[..p.history().len()], p.history());
    let t = q.history().last().unwrap();
    assert_eq!(
        (t.seq as usize, t.actor.as_str(), t.at),
        (q.history().len(), "王指导员", by().at)
    );
}

#[test]
fn a_case_round_trips_and_a_broken_one_is_refused() {
    let p = executing()
        .spend(&by(), spending("2026-03-20", 70_000, Funder::Government))
        .unwrap()
        .reverse(&by(), 1, d("2026-03-21"), "V-2", "录错")
        .unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<PlanCase>(&json).unwrap(), p);
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let refused = |v: &serde_json::Value| {
        serde_json::from_value::<PlanCase>(v.clone())
            .unwrap_err()
            .to_string()
    };
    v["version"] = 2.into();
    assert!(refused(&v).contains("format 2 is not supported"));
    v["version"] = 1.into();
    let mut w = v.clone();
    w["spending"][1]["reverses"] = serde_json::Value::Null;
    assert!(refused(&w).contains("inconsistent"));
    let mut w = v.clone();
    w["spending"][0]["amount"] = 90_000.into();
    w["spending"].as_array_mut().unwrap().pop();
    assert!(refused(&w).contains("more than its budget"));
    let mut w = v.clone();
    w["stage"] = "closed".into();
    assert!(refused(&w).contains("inconsistent"));
    let mut w = v.clone();
    w["history"][1]["seq"] = 5.into();
    assert!(refused(&w).contains("inconsistent"));
}

#[test]
fn commands_round_trip_and_apply() {
    let cmds = [
        Command::RecordObjection {
            objection: objection("2026-03-03"),
        },
        Command::AnswerObjection {
            id: 1,
            on: d("2026-03-04"),
            response: "白天施工".into(),
        },
        Command::CloseNotice { on: d("2026-03-09") },
        Command::Council {
            on: d("2026-03-10"),
            vote: yes(),
            reason: String::new(),
        },
    ];
    let mut p = on_notice();
    for c in &cmds {
        let json = serde_json::to_string(c).unwrap();
        assert_eq!(&serde_json::from_str::<Command>(&json).unwrap(), c);
        p = p.apply(&by(), &rules(), c).unwrap();
    }
    assert_eq!(p.stage(), Stage::Assessment);
}

// ---- public view --------------------------------------------------------

#[test]
fn the_public_view_shows_the_loop_and_nothing_internal() {
    assert_eq!(draft().public_view(d("2026-03-01")), None);
    let p = on_notice()
        .record_objection(&by(), objection("2026-03-03"))
        .unwrap()
        .answer_objection(&by(), 1, d("2026-03-04"), "施工限于白天")
        .unwrap();
    let v = p.public_view(d("2026-03-05")).unwrap();
    assert_eq!(v.notices[0].days_left, Some(4));
    assert_eq!(
        (v.objection_count, v.objections[0].summary.as_str()),
        (1, "担心施工噪音")
    );
    assert_eq!(v.objections[0].response.as_ref().unwrap().text, "施工限于白天");
    let p = p
        .close_notice(&by(), d("2026-03-09"))
        .unwrap()
        .council(&by(), d("2026-03-10"), yes(), "")
        .unwrap()
        .assessment(&by(), d("2026-03-12"), "INTERNAL-ASSESSOR", "方案可行", true, "")
        .unwrap()
        .street_review(&by(), d("2026-03-15"), "街审〔2026〕12号", true, "")
        .unwrap()
        .spend(&by(), spending("2026-03-20", 70_000, Funder::Government))
        .unwrap()
        .reverse(&by(), 1, d("2026-03-21"), "V-2", "录错")
        .unwrap()
        .change_budget(
            &by(),
            BudgetChangeInput {
                approver: "INTERNAL-APPROVER".into(),
                ..change("2026-03-22", 75_000, 30_000)
            },
            &rules(),
        )
        .unwrap()
        .milestone(&by(), d("2026-03-25"), 100, "完工")
        .unwrap()
        .close_accounts(&by(), d("2026-03-30"), "2026-Q2 弹性池")
        .unwrap()
        .evaluate(
            &by(),
            d("2026-04-10"),
            Satisfaction::Counts([0, 0, 1, 3, 6]),
            "满意",
        )
        .unwrap();
    let v = p.public_view(d("2026-04-11")).unwrap();
    assert_eq!(v.notices[0].days_left, None);
    assert_eq!(v.stages.len(), 8);
    assert_eq!(
        (v.stages[0].stage, v.stages[7].stage),
        (Stage::Draft, Stage::Closed)
    );
    assert_eq!(v.approvals.len(), 3);
    assert_eq!(v.spending.len(), 2);
    assert_eq!((v.spent, v.progress, v.budget.total()), (0, 100, 105_000));
    assert!(v.accounts.is_some() && v.evaluation.is_some());
    let json = serde_json::to_string(&v).unwrap();
    for secret in ["INTERNAL", "王指导员", "张某"] {
        assert!(!json.contains(secret), "{secret} leaked");
    }
    assert_eq!(serde_json::from_str::<PublicPlan>(&json).unwrap(), v);
}

#[test]
fn a_rejection_is_public_with_its_reason() {
    let p = at_council()
        .council(
            &by(),
            d("2026-03-10"),
            CouncilVote {
                votes_for: 3,
                votes_against: 8,
                abstain: 1,
                quorum_met: true,
            },
            "多数反对",
        )
        .unwrap();
    let v = p.public_view(d("2026-03-10")).unwrap();
    let last = v.stages.last().unwrap();
    assert_eq!(
        (last.stage, last.on, last.reason.as_str()),
        (Stage::Draft, d("2026-03-10"), "多数反对")
    );
    assert!(!v.approvals[0].approved);
}
