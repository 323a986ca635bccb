//! Unit tests: one or more per rule (draft, notice, objections, approval here;
//! execution, accounts, evaluation, serde and the public view in `execution_tests`).

use super::*;
use crate::money::MAX_FEN;

pub(super) fn d(s: &str) -> CivilDate {
    CivilDate::parse(s).unwrap()
}

pub(super) fn by() -> Stamp {
    Stamp::new("王指导员", 1_772_000_000_000)
}

pub(super) fn content(government: Fen, residents: Fen) -> PlanContent {
    PlanContent {
        title: "楼道照明改造".into(),
        category: "public_space".into(),
        period: "2026-Q2".into(),
        budget: Budget::new(government, 0, 0, residents).unwrap(),
        description: "3 号楼楼道换装感应灯".into(),
    }
}

pub(super) fn internal() -> Internal {
    Internal {
        guide: "王指导员".into(),
        notes: "INTERNAL-NOTE 供应商报价偏高".into(),
    }
}

pub(super) fn rules() -> PlanRules {
    PlanRules::default()
}

pub(super) fn draft() -> PlanCase {
    PlanCase::new(7, &by(), d("2026-03-01"), content(70_000, 30_000), internal()).unwrap()
}

pub(super) fn on_notice() -> PlanCase {
    draft().start_notice(&by(), d("2026-03-02"), &rules()).unwrap()
}

pub(super) fn yes() -> CouncilVote {
    CouncilVote {
        votes_for: 21,
        votes_against: 3,
        abstain: 2,
        quorum_met: true,
    }
}

pub(super) fn at_council() -> PlanCase {
    on_notice().close_notice(&by(), d("2026-03-09")).unwrap()
}

pub(super) fn executing() -> PlanCase {
    at_council()
        .council(&by(), d("2026-03-10"), yes(), "")
        .unwrap()
        .assessment(&by(), d("2026-03-12"), "市政设计院", "方案可行", true, "")
        .unwrap()
        .street_review(&by(), d("2026-03-15"), "街审〔2026〕12号", true, "")
        .unwrap()
}

pub(super) fn spending(on: &str, amount: Fen, funder: Funder) -> SpendingInput {
    SpendingInput {
        on: d(on),
        amount,
        funder,
        purpose: "感应灯".into(),
        voucher: "V-1".into(),
    }
}

pub(super) fn change(on: &str, government: Fen, residents: Fen) -> BudgetChangeInput {
    BudgetChangeInput {
        on: d(on),
        to: Budget::new(government, 0, 0, residents).unwrap(),
        reason: "增加地下室照明".into(),
        approver: "居委会".into(),
    }
}

pub(super) fn objection(on: &str) -> ObjectionInput {
    ObjectionInput {
        on: d(on),
        channel: ObjectionChannel::InPerson,
        internal_text: "INTERNAL-OBJECTION 5 楼张某".into(),
        public_summary: "担心施工噪音".into(),
    }
}

// ---- values -------------------------------------------------------------

#[test]
fn dates_parse_strictly_and_serialise_as_text() {
    assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
    for bad in [
        "2026-02-29",
        "2026-2-01",
        "2026-13-01",
        "20260301",
        "2026-03-01 ",
        "1899-12-31",
        "abcd-ef-gh",
    ] {
        assert!(
            matches!(CivilDate::parse(bad), Err(PlanError::BadDate(_))),
            "{bad}"
        );
    }
    assert_eq!(serde_json::to_string(&d("2026-03-01")).unwrap(), "\"2026-03-01\"");
    assert!(serde_json::from_str::<CivilDate>("\"2026-02-30\"").is_err());
    assert_eq!(d("9999-12-31").add_days(1), None);
    assert_eq!(d("2026-03-01").days_until(d("2026-03-08")), 7);
}

#[test]
fn budgets_are_exact_non_negative_and_bounded() {
    let b = Budget::from_split(100, &[(Funder::Society, 40), (Funder::Market, 60)]).unwrap();
    assert_eq!(
        (b.total(), b.get(Funder::Society), b.get(Funder::Government)),
        (100, 40, 0)
    );
    assert_eq!(
        Budget::from_split(100, &[(Funder::Society, 40)]),
        Err(PlanError::SplitMismatch { total: 100, sum: 40 })
    );
    assert_eq!(
        Budget::from_split(100, &[(Funder::Society, 40), (Funder::Society, 60)]),
        Err(PlanError::DuplicateFunder(Funder::Society))
    );
    assert!(matches!(
        Budget::new(-1, 0, 0, 0),
        Err(PlanError::NegativeAmount { .. })
    ));
    assert!(matches!(
        Budget::new(MAX_FEN + 1, 0, 0, 0),
        Err(PlanError::AmountTooLarge { .. })
    ));
    assert!(matches!(
        Budget::new(MAX_FEN, 1, 0, 0),
        Err(PlanError::AmountTooLarge { .. })
    ));
    assert!(matches!(
        Budget::new(i64::MAX, i64::MAX, 0, 0),
        Err(PlanError::AmountTooLarge { .. })
    ));
    assert!(matches!(
        Budget::new(i64::MIN, 0, 0, 0),
        Err(PlanError::NegativeAmount { .. })
    ));
    let json = serde_json::to_string(&b).unwrap();
    assert_eq!(json, r#"{"government":0,"market":60,"society":40,"residents":0}"#);
    assert_eq!(serde_json::from_str::<Budget>(&json).unwrap(), b);
    assert!(
        serde_json::from_str::<Budget>(r#"{"government":-5,"market":0,"society":0,"residents":0}"#).is_err()
    );
    assert_eq!(Funder::from_code("residents"), Some(Funder::Residents));
}

#[test]
fn rules_are_checked() {
    let bad = |notice_days, renotice_above_bp| PlanRules {
        notice_days,
        renotice_above_bp,
    };
    assert!(matches!(bad(0, 1_000).check(), Err(PlanError::BadRules(_))));
    assert!(matches!(bad(367, 1_000).check(), Err(PlanError::BadRules(_))));
    assert!(matches!(bad(7, 10_001).check(), Err(PlanError::BadRules(_))));
    assert!(matches!(
        draft().start_notice(&by(), d("2026-03-02"), &bad(0, 0)),
        Err(PlanError::BadRules(_))
    ));
    let r: PlanRules = serde_json::from_str(r#"{"notice_days":10}"#).unwrap();
    assert_eq!(
        r,
        PlanRules {
            notice_days: 10,
            renotice_above_bp: DEFAULT_RENOTICE_ABOVE_BP
        }
    );
}

#[test]
fn a_plan_needs_an_actor_and_clean_texts() {
    let new = |c: PlanContent, s: &Stamp| PlanCase::new(1, s, d("2026-03-01"), c, Internal::default());
    assert_eq!(new(content(1, 0), &Stamp::new(" ", 0)), Err(PlanError::NoActor));
    let mut c = content(1, 0);
    c.title = "  ".into();
    assert_eq!(
        new(c.clone(), &by()),
        Err(PlanError::Empty { field: "the title" })
    );
    c.title = "a\nb".into();
    assert_eq!(
        new(c.clone(), &by()),
        Err(PlanError::NotOneLine { field: "the title" })
    );
    c.title = "长".repeat(MAX_LINE + 1);
    assert_eq!(
        new(c, &by()),
        Err(PlanError::TooLong {
            field: "the title",
            max: MAX_LINE
        })
    );
    let p = draft();
    assert_eq!((p.stage(), p.history().len(), p.id()), (Stage::Draft, 1, 7));
    assert_eq!(p.history()[0].actor, "王指导员");
    assert_eq!(p.history()[0].event, Event::Created);
}

// ---- notice -------------------------------------------------------------

#[test]
fn a_notice_runs_its_full_length_and_is_never_shortened() {
    let p = on_notice();
    let n = p.open_notice().unwrap();
    assert_eq!(
        (n.start, n.days, n.last_day(), n.closes_from()),
        (d("2026-03-02"), 7, d("2026-03-08"), d("2026-03-09"))
    );
    assert_eq!(n.days_left(d("2026-03-01")), 7);
    assert_eq!(n.days_left(d("2026-03-02")), 7);
    assert_eq!(n.days_left(d("2026-03-08")), 1);
    assert_eq!(n.days_left(d("2026-03-09")), 0);
    let short = p.close_notice(&by(), d("2026-03-08")).unwrap_err();
    assert_eq!(
        short,
        PlanError::NoticeShortened {
            last_day: d("2026-03-08")
        }
    );
    assert!(short.to_string().contains("never shortened"));
    assert_eq!(
        p.extend_notice(&by(), d("2026-03-03"), 6, ""),
        Err(PlanError::NoticeShortened {
            last_day: d("2026-03-08")
        })
    );
    assert_eq!(
        p.extend_notice(&by(), d("2026-03-03"), 7, ""),
        Err(PlanError::NoChange)
    );
    let longer = p.extend_notice(&by(), d("2026-03-03"), 10, "节假日").unwrap();
    assert!(matches!(
        longer.close_notice(&by(), d("2026-03-09")),
        Err(PlanError::NoticeShortened { .. })
    ));
    assert_eq!(
        longer.close_notice(&by(), d("2026-03-12")).unwrap().stage(),
        Stage::Council
    );
    // Only a draft goes on notice, and not before it was created.
    assert!(matches!(
        p.start_notice(&by(), d("2026-03-03"), &rules()),
        Err(PlanError::WrongStage { .. })
    ));
    assert!(matches!(
        draft().start_notice(&by(), d("2026-02-28"), &rules()),
        Err(PlanError::DateTooEarly { .. })
    ));
    assert!(matches!(
        draft().close_notice(&by(), d("2026-03-09")),
        Err(PlanError::WrongStage { .. })
    ));
}

#[test]
fn the_configured_length_is_used_and_kept() {
    let ten = PlanRules {
        notice_days: 10,
        ..rules()
    };
    let p = draft().start_notice(&by(), d("2026-03-02"), &ten).unwrap();
    assert_eq!(p.open_notice().unwrap().days, 10);
    // Shortening the setting later does not shorten a running notice, even on restart.
    let three = PlanRules {
        notice_days: 3,
        ..rules()
    };
    let p = p
        .edit(&by(), d("2026-03-04"), content(80_000, 30_000), &three)
        .unwrap();
    let n = p.open_notice().unwrap();
    assert_eq!((n.start, n.days), (d("2026-03-04"), 10));
}

#[test]
fn changing_public_content_during_notice_restarts_it() {
    let p = on_notice();
    for (field, c) in [
        (
            Field::Title,
            PlanContent {
                title: "新标题".into(),
                ..content(70_000, 30_000)
            },
        ),
        (Field::Budget, content(70_000, 30_001)),
        (
            Field::Description,
            PlanContent {
                description: "范围扩大到 4 号楼".into(),
                ..content(70_000, 30_000)
            },
        ),
    ] {
        let q = p.edit(&by(), d("2026-03-06"), c, &rules()).unwrap();
        assert_eq!(q.stage(), Stage::Notice);
        assert_eq!(q.notices().len(), 2);
        assert_eq!(q.notices()[0].ended, Some(NoticeEnd::Restarted(d("2026-03-06"))));
        let n = q.open_notice().unwrap();
        assert_eq!((n.number, n.start, n.days), (2, d("2026-03-06"), 7));
        assert!(matches!(
            q.close_notice(&by(), d("2026-03-09")),
            Err(PlanError::NoticeShortened { .. })
        ));
        assert!(q.close_notice(&by(), d("2026-03-13")).is_ok());
        let events: Vec<_> = q.history()[2..].iter().map(|t| t.event.clone()).collect();
        assert_eq!(
            events,
            [
                Event::Edited { fields: vec![field] },
                Event::NoticeRestarted { ended: 1, notice: 2 }
            ]
        );
    }
    // Internal edits do not restart it.
    let notes = Internal {
        notes: "新的内部备注".into(),
        ..internal()
    };
    let q = p.edit_internal(&by(), notes).unwrap();
    assert_eq!(q.notices().len(), 1);
    assert_eq!(q.history().last().unwrap().on, None);
    // Same content, a date before the notice, or after notice: refused.
    assert_eq!(
        p.edit(&by(), d("2026-03-06"), content(70_000, 30_000), &rules()),
        Err(PlanError::NoChange)
    );
    assert!(matches!(
        p.edit(&by(), d("2026-03-01"), content(1, 0), &rules()),
        Err(PlanError::DateTooEarly { .. })
    ));
    assert!(matches!(
        at_council().edit(&by(), d("2026-03-10"), content(1, 0), &rules()),
        Err(PlanError::WrongStage { .. })
    ));
    // In draft an edit is just an edit.
    let q = draft()
        .edit(&by(), d("2026-03-01"), content(1, 2), &rules())
        .unwrap();
    assert_eq!(
        (q.stage(), q.content().budget.total(), q.notices().len()),
        (Stage::Draft, 3, 0)
    );
}

// ---- objections ---------------------------------------------------------

#[test]
fn objections_are_recorded_during_notice_and_must_be_answered() {
    assert!(matches!(
        draft().record_objection(&by(), objection("2026-03-03")),
        Err(PlanError::WrongStage { .. })
    ));
    let p = on_notice();
    assert!(matches!(
        p.record_objection(&by(), objection("2026-03-01")),
        Err(PlanError::ObjectionOutsideNotice { .. })
    ));
    assert!(matches!(
        p.record_objection(&by(), objection("2026-03-09")),
        Err(PlanError::ObjectionOutsideNotice { .. })
    ));
    let mut empty = objection("2026-03-03");
    empty.public_summary = " ".into();
    assert!(matches!(
        p.record_objection(&by(), empty),
        Err(PlanError::Empty { .. })
    ));
    let p = p.record_objection(&by(), objection("2026-03-08")).unwrap();
    assert_eq!(
        (p.objections()[0].id, p.objections()[0].notice, p.unanswered()),
        (1, 1, 1)
    );
    let blocked = p.close_notice(&by(), d("2026-03-09")).unwrap_err();
    assert_eq!(blocked, PlanError::UnansweredObjections { count: 1 });
    assert!(matches!(
        p.answer_objection(&by(), 1, d("2026-03-07"), "将在白天施工"),
        Err(PlanError::DateTooEarly { .. })
    ));
    assert_eq!(
        p.answer_objection(&by(), 2, d("2026-03-09"), "x"),
        Err(PlanError::UnknownObjection(2))
    );
    let p = p
        .answer_objection(&by(), 1, d("2026-03-09"), "施工限于 9:00–17:00")
        .unwrap();
    assert_eq!(
        p.answer_objection(&by(), 1, d("2026-03-09"), "again"),
        Err(PlanError::AlreadyAnswered(1))
    );
    let p = p.close_notice(&by(), d("2026-03-09")).unwrap();
    assert_eq!(p.stage(), Stage::Council);
    assert!(matches!(
        p.record_objection(&by(), objection("2026-03-09")),
        Err(PlanError::WrongStage { .. })
    ));
}

// ---- approval -----------------------------------------------------------

#[test]
fn approval_levels_decide_in_order() {
    let p = at_council();
    assert_eq!(
        p.assessment(&by(), d("2026-03-10"), "院", "可行", true, ""),
        Err(PlanError::ApprovalOutOfOrder {
            level: Level::Assessment,
            stage: Stage::Council
        })
    );
    assert!(matches!(
        p.street_review(&by(), d("2026-03-10"), "1", true, ""),
        Err(PlanError::ApprovalOutOfOrder { .. })
    ));
    assert!(matches!(
        on_notice().council(&by(), d("2026-03-10"), yes(), ""),
        Err(PlanError::ApprovalOutOfOrder { .. })
    ));
    assert!(matches!(
        p.council(&by(), d("2026-03-08"), yes(), ""),
        Err(PlanError::DateTooEarly { .. })
    ));
    let p = p.council(&by(), d("2026-03-10"), yes(), "").unwrap();
    assert_eq!(p.stage(), Stage::Assessment);
    assert!(matches!(
        p.council(&by(), d("2026-03-10"), yes(), ""),
        Err(PlanError::ApprovalOutOfOrder { .. })
    ));
    assert!(matches!(
        p.street_review(&by(), d("2026-03-10"), "1", true, ""),
        Err(PlanError::ApprovalOutOfOrder { .. })
    ));
    let e = executing();
    assert_eq!(e.stage(), Stage::Execution);
    assert_eq!(e.baseline(), Some(&e.content().budget));
    assert_eq!(e.approvals().len(), 3);
    assert!(PlanError::ApprovalOutOfOrder {
        level: Level::StreetReview,
        stage: Stage::Council
    }
    .to_string()
    .starts_with("approval out of order"));
}

#[test]
fn the_council_passes_only_with_quorum_and_a_majority() {
    let vote = |f, a, q| CouncilVote {
        votes_for: f,
        votes_against: a,
        abstain: 9,
        quorum_met: q,
    };
    assert!(vote(10, 9, true).passes());
    assert!(!vote(10, 10, true).passes());
    assert!(!vote(10, 0, false).passes());
    let p = at_council();
    assert_eq!(
        p.council(&by(), d("2026-03-10"), vote(5, 5, true), ""),
        Err(PlanError::Empty {
            field: "the reason for a rejection"
        })
    );
    let back = p
        .council(&by(), d("2026-03-10"), vote(5, 5, true), "赞成票未过半")
        .unwrap();
    assert_eq!(
        (back.stage(), back.stage_since()),
        (Stage::Draft, d("2026-03-10"))
    );
    let last = back.history().last().unwrap();
    assert_eq!(
        (last.from, last.to, last.reason.as_str()),
        (Stage::Council, Stage::Draft, "赞成票未过半")
    );
    assert!(!back.approvals()[0].approved);
}

#[test]
fn a_rejection_returns_to_draft_and_approval_starts_over() {
    let p = at_council()
        .council(&by(), d("2026-03-10"), yes(), "")
        .unwrap()
        .assessment(&by(), d("2026-03-12"), "市政设计院", "荷载不足", false, "需加固")
        .unwrap();
    assert_eq!(p.stage(), Stage::Draft);
    assert!(matches!(
        p.street_review(&by(), d("2026-03-13"), "1", true, ""),
        Err(PlanError::ApprovalOutOfOrder { .. })
    ));
    let p = p
        .edit(&by(), d("2026-03-13"), content(90_000, 30_000), &rules())
        .unwrap()
        .start_notice(&by(), d("2026-03-14"), &rules())
        .unwrap()
        .close_notice(&by(), d("2026-03-21"))
        .unwrap();
    assert_eq!(p.stage(), Stage::Council);
    let p = p
        .council(&by(), d("2026-03-22"), yes(), "")
        .unwrap()
        .assessment(&by(), d("2026-03-23"), "市政设计院", "可行", true, "")
        .unwrap()
        .street_review(&by(), d("2026-03-24"), "街审2号", true, "")
        .unwrap();
    assert_eq!(p.stage(), Stage::Execution);
    let notices: Vec<u32> = p.approvals().iter().map(|a| a.notice).collect();
    assert_eq!(notices, [1, 1, 2, 2, 2]);
    assert_eq!(p.baseline().unwrap().total(), 120_000);
    // Spending is dated from the approval that started this execution.
    assert!(matches!(
        p.spend(&by(), spending("2026-03-23", 1, Funder::Government)),
        Err(PlanError::DateTooEarly { .. })
    ));
}
