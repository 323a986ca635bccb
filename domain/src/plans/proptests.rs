//! Property tests over random operation sequences.
//!
//! Each step is four random numbers that [`command`] turns into a command near
//! the case's state (dates around the stage's start, amounts around the budget,
//! often the command the stage expects), so sequences reach every stage while
//! still trying many refused operations. After every step the invariants hold.

use std::collections::HashMap;

use proptest::prelude::*;

use super::tests::{by, d};
use super::*;

type Step = (u8, u8, u16, u32);

fn rules_of(a: u8, x: u32) -> PlanRules {
    PlanRules {
        notice_days: 1 + u16::from(a % 14),
        renotice_above_bp: x % 3_000,
    }
}

fn start(x: u32) -> PlanCase {
    let budget = Budget::new(Fen::from(x % 90_000), 20_000, 0, Fen::from(x % 7) * 1_000).unwrap();
    let content = PlanContent {
        budget,
        ..super::tests::content(0, 0)
    };
    let internal = Internal {
        guide: "ACTOR-Wang".into(),
        notes: "INTERNAL-notes".into(),
    };
    PlanCase::new(1, &by(), d("2026-03-01"), content, internal).unwrap()
}

/// The kinds of command, as indexes into the `match` of [`command`].
fn expected(stage: Stage) -> &'static [u8] {
    match stage {
        Stage::Draft => &[2, 2, 0],
        Stage::Notice => &[6, 6, 4, 5, 5, 0, 3],
        Stage::Council => &[7],
        Stage::Assessment => &[8],
        Stage::StreetReview => &[9],
        Stage::Execution => &[10, 10, 10, 11, 12, 14, 15],
        Stage::ChangeNotice => &[6, 6, 13, 4, 5],
        Stage::Accounts => &[16],
        Stage::Closed => &[1],
    }
}

fn command(c: &PlanCase, (k, a, b, x): Step) -> Command {
    let since = c.stage_since();
    let date = |off: i64| since.add_days(off).unwrap();
    let on = date(i64::from(a % 16) - 3);
    let kind = if k < 160 {
        let e = expected(c.stage());
        e[usize::from(k) % e.len()]
    } else {
        k % 17
    };
    let text = |s: &str| format!("{s} {x}");
    let budget = c.content().budget;
    let near = |f: Funder| (budget.get(f) + Fen::from(b % 2_000) - 1_000).max(0);
    match kind {
        0 => {
            let mut content = c.content().clone();
            match a % 3 {
                0 => content.title = text("标题"),
                1 => {
                    content.budget =
                        Budget::new(near(Funder::Government), budget.get(Funder::Market), 0, 0).unwrap()
                }
                _ => content.description = text("说明"),
            }
            Command::Edit { on, content }
        }
        1 => Command::EditInternal {
            internal: Internal {
                guide: "ACTOR-Li".into(),
                notes: text("INTERNAL-n"),
            },
        },
        2 => Command::StartNotice { on },
        3 => {
            let days = c.open_notice().map_or(7, |n| n.days);
            Command::ExtendNotice {
                on,
                days: (days + b % 4).saturating_sub(1),
                reason: String::new(),
            }
        }
        4 => Command::RecordObjection {
            objection: ObjectionInput {
                on,
                channel: ObjectionChannel::Online,
                internal_text: text("INTERNAL-objection ACTOR-Zhang"),
                public_summary: text("噪音"),
            },
        },
        5 => {
            let open = c.objections().iter().find(|o| o.response.is_none());
            let (id, when) = open.map_or((x % 3, since), |o| (o.id, o.on));
            let on = when.add_days(i64::from(a % 4) - 1).unwrap();
            Command::AnswerObjection {
                id,
                on,
                response: text("答复"),
            }
        }
        6 => {
            let from = c.open_notice().map_or(since, Notice::closes_from);
            Command::CloseNotice {
                on: from.add_days(i64::from(a % 5) - 2).unwrap(),
            }
        }
        7 => {
            let vote = CouncilVote {
                votes_for: x % 30,
                votes_against: (x / 30) % 10,
                abstain: u32::from(b % 5),
                quorum_met: a % 6 != 0,
            };
            Command::Council {
                on,
                vote,
                reason: if b % 3 == 0 { String::new() } else { text("理由") },
            }
        }
        8 => Command::Assessment {
            on,
            assessor: "INTERNAL-assessor".into(),
            conclusion: text("结论"),
            approved: b % 6 != 0,
            reason: text("理由"),
        },
        9 => Command::StreetReview {
            on,
            reference: text("街审"),
            approved: b % 6 != 0,
            reason: text("理由"),
        },
        10 => Command::Spend {
            spending: SpendingInput {
                on,
                amount: Fen::from(x % 30_000) - 50,
                funder: Funder::ALL[usize::from(b % 4)],
                purpose: text("用途"),
                voucher: text("V"),
            },
        },
        11 => {
            let n = u32::try_from(c.spending().len()).unwrap();
            Command::Reverse {
                id: 1 + x % (n + 1),
                on,
                voucher: text("R"),
                reason: text("冲销"),
            }
        }
        12 => {
            let parts = Funder::ALL.map(|f| near(f) + Fen::from(x % 5) * 3_000);
            Command::ChangeBudget {
                change: BudgetChangeInput {
                    on,
                    to: Budget::new(parts[0], parts[1], parts[2], parts[3]).unwrap(),
                    reason: text("追加"),
                    approver: "INTERNAL-approver".into(),
                },
            }
        }
        13 => Command::WithdrawBudgetChange {
            on,
            reason: text("撤回"),
        },
        14 => {
            let percent = (i16::from(c.progress()) + i16::from(a % 40) - 5).clamp(0, 110);
            let last = c.milestones().last().map_or(since, |m| m.on);
            Command::Milestone {
                on: last.add_days(i64::from(b % 4)).unwrap(),
                percent: u8::try_from(percent).unwrap(),
                note: text("进度"),
            }
        }
        15 => {
            let last = c
                .spending()
                .iter()
                .map(|e| e.on)
                .chain(c.milestones().iter().map(|m| m.on))
                .max();
            let on = last
                .unwrap_or(since)
                .max(since)
                .add_days(i64::from(a % 4) - 1)
                .unwrap();
            Command::CloseAccounts {
                on,
                pool: text("2026-Q3 弹性池"),
            }
        }
        _ => {
            let counts = [x % 3, x % 5, b.into(), u32::from(a), x % 11];
            Command::Evaluate {
                on,
                satisfaction: Satisfaction::Counts(counts),
                summary: text("评价"),
            }
        }
    }
}

/// What the test remembers across steps.
#[derive(Default)]
struct Memory {
    /// The configured length when each notice started.
    configured: HashMap<u32, u16>,
    /// The budget when the street review approved the current execution.
    approved: Option<Budget>,
}

/// Checks one successful step from `old` to `new`.
fn check_step(
    old: &PlanCase,
    new: &PlanCase,
    rules: &PlanRules,
    m: &mut Memory,
) -> Result<(), TestCaseError> {
    // History only grows, and the old history is kept as it was.
    prop_assert!(new.history().len() > old.history().len());
    prop_assert_eq!(&new.history()[..old.history().len()], old.history());
    prop_assert_eq!(&new.spending()[..old.spending().len()], old.spending());
    // No stage skipped: every new transition is an edge of the life cycle.
    let mut stage = old.stage();
    for t in &new.history()[old.history().len()..] {
        prop_assert_eq!(t.from, stage);
        prop_assert!(t.from.may_become(t.to), "{:?} → {:?}", t.from, t.to);
        stage = t.to;
    }
    prop_assert_eq!(stage, new.stage());
    if old.stage() == Stage::StreetReview && new.stage() == Stage::Execution {
        // The three levels approved, in order, after the last plan notice closed.
        let a = &new.approvals()[new.approvals().len() - 3..];
        let levels: Vec<_> = a.iter().map(|a| (a.detail.level(), a.approved)).collect();
        prop_assert_eq!(
            levels,
            [
                (Level::Council, true),
                (Level::Assessment, true),
                (Level::StreetReview, true)
            ]
        );
        let n = new
            .notices()
            .iter()
            .rev()
            .find(|n| n.kind == NoticeKind::Plan)
            .unwrap();
        prop_assert!(matches!(n.ended, Some(NoticeEnd::Closed(_))));
        prop_assert!(a.iter().all(|a| a.notice == n.number));
        m.approved = Some(new.content().budget);
    }
    // Notices: never shorter than configured when they started, never shortened,
    // never closed early.
    for n in new.notices() {
        let configured = *m.configured.entry(n.number).or_insert(rules.notice_days);
        prop_assert!(n.days >= configured);
        if let Some(o) = old.notices().iter().find(|o| o.number == n.number) {
            prop_assert!(n.days >= o.days);
            prop_assert_eq!(o.start, n.start);
        }
        if let Some(NoticeEnd::Closed(on)) = n.ended {
            prop_assert!(on >= n.closes_from());
        }
    }
    // A restart is never shorter than the notice it replaces; no notice closes
    // while an objection has no response.
    for t in &new.history()[old.history().len()..] {
        if let Event::NoticeClosed { .. } = t.event {
            prop_assert_eq!(new.unanswered(), 0);
        }
        if let Event::NoticeRestarted { ended, notice } = t.event {
            let days = |k: u32| new.notices()[k as usize - 1].days;
            prop_assert!(days(notice) >= days(ended));
        }
    }
    // Spending never above budget without a recorded change.
    for f in Funder::ALL {
        prop_assert!(new.spent(f) >= 0 && new.spent(f) <= new.content().budget.get(f));
    }
    if new.stage() >= Stage::Execution {
        let approved = m.approved.unwrap();
        let effective = new
            .budget_changes()
            .iter()
            .rev()
            .find(|c| matches!(c.status, ChangeStatus::Effective(_)));
        prop_assert_eq!(new.content().budget, effective.map_or(approved, |c| c.to));
        if new.spent_total() > approved.total() {
            prop_assert!(effective.is_some());
        }
    }
    // Serde round trip, with validation.
    let json = serde_json::to_string(new).unwrap();
    prop_assert_eq!(&serde_json::from_str::<PlanCase>(&json).unwrap(), new);
    // Nothing internal in the public view.
    if let Some(v) = new.public_view(d("2026-04-01")) {
        let public = serde_json::to_string(&v).unwrap();
        prop_assert!(
            !public.contains("INTERNAL") && !public.contains("ACTOR") && !public.contains("王指导员")
        );
    }
    Ok(())
}

/// Runs a sequence; returns the final case.
fn run(x0: u32, steps: &[Step]) -> Result<PlanCase, TestCaseError> {
    let mut case = start(x0);
    let mut rules = PlanRules::default();
    let mut m = Memory::default();
    for &step in steps {
        if step.0 >= 250 {
            rules = rules_of(step.1, step.3);
            continue;
        }
        let cmd = command(&case, step);
        let before = case.clone();
        match case.apply(&by(), &rules, &cmd) {
            Ok(new) => {
                check_step(&case, &new, &rules, &mut m)?;
                case = new;
            }
            Err(e) => {
                // A refused operation changes nothing and says why.
                prop_assert_eq!(&case, &before);
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
    Ok(case)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_every_invariant(
        x0 in any::<u32>(),
        steps in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u16>(), any::<u32>()), 0..120),
    ) {
        run(x0, &steps)?;
    }
}

/// The generator reaches every stage (so the property above is not vacuous).
#[test]
fn the_generator_reaches_every_stage() {
    let mut seen = std::collections::HashSet::new();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..200 {
        let steps: Vec<Step> = (0..120)
            .map(|_| {
                let r = next();
                (r as u8, (r >> 8) as u8, (r >> 16) as u16, (r >> 32) as u32)
            })
            .collect();
        let case = run(next() as u32, &steps).unwrap();
        seen.extend(case.history().iter().map(|t| t.to));
    }
    assert_eq!(seen.len(), Stage::ALL.len(), "{seen:?}");
}
